/*
 * rss.c - RSS 0.9x, 1.0 (RDF) and 2.0 feeds (mld_format_rss).
 *
 * The RSS family is one vocabulary in three wrappings: <rss version="...">
 * with items inside <channel> (0.91 to 2.0), and <rdf:RDF> with the
 * channel and its items side by side (1.0, and Netscape's 0.90). Elements
 * are matched by local name and by vocabulary (feed.h's mld_feed_ns): the
 * core names in no namespace or the RSS 0.90/1.0 namespaces, Dublin Core,
 * content:encoded, Media RSS, XHTML bodies and the atom:link many RSS 2.0
 * feeds carry. Items found in the other place than their version puts
 * them (inside channel in RDF, beside it in RSS 2.0) are read too.
 *
 *   channel title, dc:title                 -> feed title (the credit)
 *   channel description, dc:description     -> feed subtitle
 *   channel link, atom:link rel=alternate   -> feed link; rel=self -> self
 *   language, dc:language                   -> feed language
 *   lastBuildDate, dc:date, dcterms:modified / pubDate, dcterms:issued
 *                                           -> feed updated / published
 *   item title, dc:title                    -> headline (plain text; HTML
 *                                              when it looks like HTML)
 *   description, dc:description             -> teaser (as HTML, to text)
 *   content:encoded, xhtml:body             -> body (sanitised)
 *   link, atom:link rel=alternate; else a permalink guid
 *                                           -> article link
 *   guid (isPermaLink), rdf:about, dc:identifier
 *                                           -> id (see mld_feed_urn)
 *   pubDate, dcterms:issued, atom:published -> published
 *   dc:date, dcterms:modified, atom:updated -> updated
 *   author, dc:creator, dc:author, atom:author
 *                                           -> author (names only)
 *   category, dc:subject                    -> "tag:" categories
 *   enclosure, media:content (in media:group too), else media:thumbnail
 *                                           -> media
 *   dc:language, xml:lang                   -> item language
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "feed.h"
#include "xml.h"

#define RSS090_NS "http://my.netscape.com/rdf/simple/0.9/"

/* True when n is element local of the format's own vocabulary. */
static bool
core(const xmlNode *n, const char *local)
{
    return mld_xml_is(n, NULL, local) && mld_feed_ns(n) == MLD_NS_CORE;
}

static bool
in(const xmlNode *n, enum mld_feed_ns ns, const char *local)
{
    return mld_xml_is(n, NULL, local) && mld_feed_ns(n) == ns;
}

/* A title is plain text unless it holds markup or entity references. */
static enum mld_feed_type
title_type(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return MLD_FEED_HTML;
    xmlChar *s = xmlNodeGetContent(n);
    bool html = s != NULL && mld_feed_looks_like_html((const char *)s);
    xmlFree(s);
    return html ? MLD_FEED_HTML : MLD_FEED_PLAIN;
}

/* Dates: the last readable one of a kind wins, as in feedparser. */
static void
set_date(mld_time_t *dst, const xmlNode *n)
{
    mld_time_t t = mld_feed_node_date(n);
    if (t != 0)
        *dst = t;
}

static int64_t
attr_int(const xmlNode *n, const char *name)
{
    char *v = mld_xml_attr(n, name);
    int64_t r = 0;
    if (v != NULL) {
        char *end;
        long long x = strtoll(v, &end, 10);
        r = x > 0 ? (int64_t)x : 0;
    }
    mld_free(v);
    return r;
}

/* Reads an atom:link: into links, and returns its rel (static "" when
 * none). */
static void
atom_link(const struct mld_feed_reader *r, const xmlNode *n, struct mld_feed_link **links,
          int *nlinks)
{
    char *href = mld_xml_attr(n, "href");
    char *rel = mld_xml_attr(n, "rel");
    char *type = mld_xml_attr(n, "type");
    char *title = mld_xml_attr(n, "title");
    if (href != NULL)
        mld_feed_link_add(r, n, href, rel, type, title, attr_int(n, "length"), links, nlinks);
    mld_free(href);
    mld_free(rel);
    mld_free(type);
    mld_free(title);
}

/* The caption of a media:content or media:group: its media:description,
 * else its media:title. */
static char *
media_caption(const xmlNode *n)
{
    for (const char *const *w = (const char *const[]){"description", "title", NULL}; *w; w++)
        for (const xmlNode *c = n->children; c != NULL; c = c->next)
            if (in(c, MLD_NS_MEDIA, *w))
                return mld_xml_text(c);
    return NULL;
}

static void
media_content(const struct mld_feed_reader *r, const xmlNode *n, const xmlNode *group,
              struct mld_article *a)
{
    char *url = mld_xml_attr(n, "url");
    char *type = mld_xml_attr(n, "type");
    char *cap = media_caption(n);
    if (cap == NULL && group != NULL)
        cap = media_caption(group);
    mld_feed_add_media(r, n, a, url, type, attr_int(n, "fileSize"), cap);
    mld_free(url);
    mld_free(type);
    mld_free(cap);
}

/* itunes:category text="..." (nested ones too) as tags. */
static void
itunes_categories(const xmlNode *n, struct mld_article *a)
{
    char *t = mld_xml_attr(n, "text");
    mld_feed_add_tag(a, t);
    mld_free(t);
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (in(c, MLD_NS_ITUNES, "category"))
            itunes_categories(c, a);
}

/* The item's link as the base for its HTML: the first core link, else
 * an alternate atom:link, else a guid that is a permalink URL. */
static char *
item_link(const struct mld_feed_reader *r, const xmlNode *item)
{
    const xmlNode *link = NULL, *guid = NULL;
    for (const xmlNode *c = item->children; c != NULL && link == NULL; c = c->next) {
        if (core(c, "link"))
            link = c;
        else if (core(c, "guid") && guid == NULL)
            guid = c;
    }
    char *s = mld_feed_node_string(link ? link : guid);
    if (s == NULL)
        return NULL;
    char *base = mld_feed_base(r, link ? link : guid);
    char *abs = mld_feed_resolve_url(base, s);
    mld_free(base);
    mld_free(s);
    return abs;
}

static void
read_item(const struct mld_feed_reader *outer, const xmlNode *item)
{
    struct mld_feed_item *it = mld_feed_item_add(outer->feed);
    if (it == NULL)
        return;
    struct mld_feed_reader rr = *outer;
    char *base_link = item_link(outer, item);
    rr.item_link = base_link;
    const struct mld_feed_reader *r = &rr;
    struct mld_article *a = it->article;
    const xmlNode *thumb = NULL, *guid = NULL, *identifier = NULL, *media_title = NULL;
    bool have_link = false;
    it->lang = mld_xml_attr(item, "lang");
    if (it->lang != NULL && it->lang[0] == '\0') {
        mld_free(it->lang);
        it->lang = NULL;
    }
    for (const xmlNode *c = item->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        const char *name = mld_xml_name(c);
        if (ns == MLD_NS_CORE) {
            if (strcmp(name, "title") == 0 && !it->title.present) {
                mld_feed_text_read(r, c, title_type(c), false, &it->title);
            } else if (strcmp(name, "description") == 0 && !it->summary.present) {
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->summary);
            } else if (strcmp(name, "link") == 0 && !have_link) {
                char *s = mld_feed_node_string(c);
                if (s != NULL) {
                    mld_feed_link_add(r, c, s, "alternate", "text/html", NULL, 0, &it->links,
                                      &it->nlinks);
                    a->link = mld_strdup(it->links[it->nlinks - 1].href);
                    have_link = true;
                }
                mld_free(s);
            } else if (strcmp(name, "guid") == 0 && guid == NULL) {
                guid = c;
            } else if (strcmp(name, "pubDate") == 0) {
                set_date(&it->published, c);
            } else if ((strcmp(name, "body") == 0 || strcmp(name, "fullitem") == 0) &&
                       !it->content.present) {
                /* Early RSS extensions: the full text, escaped or inline. */
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->content);
            } else if (strcmp(name, "author") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_author(a, s);
                mld_free(s);
            } else if (strcmp(name, "category") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_tag(a, s);
                mld_free(s);
            } else if (strcmp(name, "enclosure") == 0) {
                char *url = mld_xml_attr(c, "url");
                char *type = mld_xml_attr(c, "type");
                int64_t len = attr_int(c, "length");
                if (url != NULL) {
                    mld_feed_link_add(r, c, url, "enclosure", type, NULL, len, &it->links,
                                      &it->nlinks);
                    mld_feed_add_media(r, c, a, url, type, len, NULL);
                }
                mld_free(url);
                mld_free(type);
            }
        } else if (ns == MLD_NS_CONTENT && strcmp(name, "encoded") == 0) {
            if (!it->content.present || it->content.text == NULL)
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->content);
        } else if (ns == MLD_NS_XHTML && (strcmp(name, "body") == 0 || strcmp(name, "div") == 0)) {
            if (!it->content.present) {
                /* The element itself is the wrapper: take its children. */
                mld_feed_text_read(r, c, MLD_FEED_XHTML, true, &it->content);
            }
        } else if (ns == MLD_NS_DC) {
            if (strcmp(name, "title") == 0 && !it->title.present) {
                mld_feed_text_read(r, c, title_type(c), false, &it->title);
            } else if (strcmp(name, "description") == 0 && !it->summary.present) {
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->summary);
            } else if (strcmp(name, "creator") == 0 || strcmp(name, "author") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_author(a, s);
                mld_free(s);
            } else if (strcmp(name, "subject") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_tag(a, s);
                mld_free(s);
            } else if (strcmp(name, "date") == 0) {
                set_date(&it->updated, c);
            } else if (strcmp(name, "language") == 0 && it->lang == NULL) {
                it->lang = mld_feed_node_lang(c);
            } else if (strcmp(name, "identifier") == 0 && identifier == NULL) {
                identifier = c;
            }
        } else if (ns == MLD_NS_DCTERMS) {
            if (strcmp(name, "modified") == 0)
                set_date(&it->updated, c);
            else if (strcmp(name, "issued") == 0)
                set_date(&it->published, c);
            else if (strcmp(name, "created") == 0)
                set_date(&it->created, c);
        } else if (ns == MLD_NS_ATOM || ns == MLD_NS_ATOM03) {
            if (strcmp(name, "link") == 0) {
                int before = it->nlinks;
                atom_link(r, c, &it->links, &it->nlinks);
                if (it->nlinks > before) {
                    const struct mld_feed_link *l = &it->links[it->nlinks - 1];
                    if (strcmp(l->rel, "alternate") == 0 && !have_link) {
                        a->link = mld_strdup(l->href);
                        have_link = true;
                    } else if (strcmp(l->rel, "enclosure") == 0) {
                        mld_feed_add_media(r, c, a, l->href, l->type, l->length, l->title);
                    }
                }
            } else if (strcmp(name, "updated") == 0) {
                set_date(&it->updated, c);
            } else if (strcmp(name, "published") == 0) {
                set_date(&it->published, c);
            } else if (strcmp(name, "author") == 0) {
                char *s = mld_xml_text(mld_xml_child(c, "name"));
                mld_feed_add_author(a, s);
                mld_free(s);
            }
        } else if (ns == MLD_NS_MEDIA) {
            if (strcmp(name, "content") == 0) {
                media_content(r, c, NULL, a);
            } else if (strcmp(name, "group") == 0) {
                for (const xmlNode *g = c->children; g != NULL; g = g->next)
                    if (in(g, MLD_NS_MEDIA, "content"))
                        media_content(r, g, c, a);
                    else if (in(g, MLD_NS_MEDIA, "thumbnail") && thumb == NULL)
                        thumb = g;
            } else if (strcmp(name, "thumbnail") == 0 && thumb == NULL) {
                thumb = c;
            } else if (strcmp(name, "title") == 0 && media_title == NULL) {
                media_title = c;
            } else if (strcmp(name, "category") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_tag(a, s);
                mld_free(s);
            }
        } else if (ns == MLD_NS_ITUNES) {
            /* Podcast feeds: fallbacks for what the core elements lack. */
            if (strcmp(name, "summary") == 0 && !it->summary.present) {
                mld_feed_text_read(r, c, MLD_FEED_PLAIN, true, &it->summary);
            } else if (strcmp(name, "author") == 0) {
                char *s = mld_xml_text(c);
                mld_feed_add_author(a, s);
                mld_free(s);
            } else if (strcmp(name, "category") == 0) {
                itunes_categories(c, a);
            }
        }
    }

    if (!it->title.present && media_title != NULL)
        mld_feed_text_read(r, media_title, title_type(media_title), false, &it->title);

    /* The id: guid, else dc:identifier, else RSS 1.0's rdf:about. */
    if (guid != NULL) {
        char *s = mld_feed_node_string(guid);
        char *perma = mld_xml_attr(guid, "isPermaLink");
        bool explicit_true = perma != NULL && strcmp(perma, "true") == 0;
        bool not_perma = perma != NULL && strcmp(perma, "false") == 0;
        if (s != NULL && explicit_true) {
            char *base = mld_feed_base(r, guid);
            char *abs = mld_feed_resolve_url(base, s);
            mld_free(base);
            mld_free(s);
            s = abs;
            it->id_permalink = mld_feed_url_is_web(s);
        }
        /* A guid that is a permalink (by default, when it is a URL) is
         * the link when there is no other. */
        if (s != NULL && !have_link && !not_perma && mld_feed_url_is_web(s)) {
            a->link = mld_strdup(s);
            have_link = true;
        }
        it->id = s;
        mld_free(perma);
    }
    if (it->id == NULL && identifier != NULL)
        it->id = mld_feed_node_string(identifier);
    if (it->id == NULL) {
        xmlChar *about =
            xmlGetNsProp(item, (const xmlChar *)"about",
                         (const xmlChar *)"http://www.w3.org/1999/02/22-rdf-syntax-ns#");
        if (about != NULL && about[0] != '\0')
            it->id = mld_strdup((const char *)about);
        xmlFree(about);
    }
    if (a->nmedia == 0 && thumb != NULL) {
        char *url = mld_xml_attr(thumb, "url");
        mld_feed_add_media(r, thumb, a, url, NULL, 0, NULL);
        mld_free(url);
    }
    mld_free(base_link);
}

static void
read_channel(const struct mld_feed_reader *r, const xmlNode *ch)
{
    struct mld_feed *f = r->feed;
    for (const xmlNode *c = ch->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        const char *name = mld_xml_name(c);
        if (ns == MLD_NS_CORE || ns == MLD_NS_DC) {
            if (strcmp(name, "title") == 0 && !f->title.present) {
                mld_feed_text_read(r, c, title_type(c), false, &f->title);
            } else if (strcmp(name, "description") == 0 && !f->subtitle.present) {
                mld_feed_text_read(r, c, MLD_FEED_HTML, false, &f->subtitle);
            } else if (strcmp(name, "language") == 0 && f->lang == NULL) {
                f->lang = mld_feed_node_lang(c);
            } else if (ns == MLD_NS_CORE && strcmp(name, "link") == 0 && f->link == NULL) {
                char *s = mld_feed_node_string(c);
                if (s != NULL) {
                    mld_feed_link_add(r, c, s, "alternate", "text/html", NULL, 0, &f->links,
                                      &f->nlinks);
                    f->link = mld_strdup(f->links[f->nlinks - 1].href);
                }
                mld_free(s);
            } else if (strcmp(name, "lastBuildDate") == 0 || strcmp(name, "date") == 0) {
                set_date(&f->updated, c);
            } else if (strcmp(name, "pubDate") == 0) {
                set_date(&f->published, c);
            } else if (strcmp(name, "managingEditor") == 0 || strcmp(name, "creator") == 0 ||
                       strcmp(name, "author") == 0) {
                char *s = mld_xml_text(c);
                struct mld_article tmp = {.author = f->author};
                mld_feed_add_author(&tmp, s);
                f->author = tmp.author;
                mld_free(s);
            }
        } else if (ns == MLD_NS_DCTERMS) {
            if (strcmp(name, "modified") == 0)
                set_date(&f->updated, c);
            else if (strcmp(name, "issued") == 0)
                set_date(&f->published, c);
        } else if ((ns == MLD_NS_ATOM || ns == MLD_NS_ATOM03) && strcmp(name, "link") == 0) {
            int before = f->nlinks;
            atom_link(r, c, &f->links, &f->nlinks);
            if (f->nlinks > before) {
                const struct mld_feed_link *l = &f->links[f->nlinks - 1];
                if (strcmp(l->rel, "self") == 0 && f->self == NULL)
                    f->self = mld_strdup(l->href);
                else if (strcmp(l->rel, "alternate") == 0 && f->link == NULL)
                    f->link = mld_strdup(l->href);
            }
        } else if (ns == MLD_NS_ITUNES) {
            if ((strcmp(name, "subtitle") == 0 || strcmp(name, "summary") == 0) &&
                !f->subtitle.present) {
                mld_feed_text_read(r, c, MLD_FEED_PLAIN, false, &f->subtitle);
            } else if (strcmp(name, "author") == 0) {
                char *s = mld_xml_text(c);
                struct mld_article tmp = {.author = f->author};
                mld_feed_add_author(&tmp, s);
                f->author = tmp.author;
                mld_free(s);
            }
        }
    }
}

/* The version name from the root element. */
static const char *
version_of(const xmlDoc *doc, const xmlNode *root, const xmlNode *channel)
{
    if (strcmp(mld_xml_name(root), "RDF") == 0) {
        if (channel != NULL && channel->ns != NULL && channel->ns->href != NULL)
            return strcmp((const char *)channel->ns->href, RSS090_NS) == 0 ? "rss090" : "rss10";
        for (const xmlNs *ns = root->nsDef; ns != NULL; ns = ns->next)
            if (ns->href != NULL && strcmp((const char *)ns->href, RSS090_NS) == 0)
                return "rss090";
        return "rss10";
    }
    char *v = mld_xml_attr(root, "version");
    const char *r = "rss";
    if (v == NULL)
        r = "rss";
    else if (strncmp(v, "2.", 2) == 0)
        r = "rss20";
    else if (strcmp(v, "0.91") == 0)
        r = doc->intSubset != NULL && doc->intSubset->ExternalID != NULL &&
                    strstr((const char *)doc->intSubset->ExternalID, "Netscape") != NULL
                ? "rss091n"
                : "rss091u";
    else if (strcmp(v, "0.92") == 0)
        r = "rss092";
    else if (strcmp(v, "0.93") == 0)
        r = "rss093";
    else if (strcmp(v, "0.94") == 0)
        r = "rss094";
    mld_free(v);
    return r;
}

int
mld_feed_read_rss(struct mld_feed_reader *r, xmlNode *root)
{
    struct mld_feed *f = r->feed;
    const xmlNode *channel = NULL;
    for (const xmlNode *c = root->children; c != NULL && channel == NULL; c = c->next)
        if (core(c, "channel"))
            channel = c;
    f->version = version_of(r->doc, root, channel);
    if (channel != NULL)
        read_channel(r, channel);
    if (f->lang == NULL)
        f->lang = mld_feed_xml_lang(channel ? channel : root);
    /* Items in document order, wherever they are. */
    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        if (c == channel) {
            for (const xmlNode *i = c->children; i != NULL; i = i->next)
                if (core(i, "item"))
                    read_item(r, i);
        } else if (core(c, "item")) {
            read_item(r, c);
        }
    }
    return 0;
}

static bool
rss_sniff(const char *doc, size_t len)
{
    char root[16];
    mld_feed_sniff_root(doc, len, root, sizeof(root));
    return strcmp(root, "rss") == 0 || strcmp(root, "RDF") == 0;
}

static int
rss_parse(const char *doc, size_t len, const struct mld_source *src, mld_article_sink_fn sink,
          void *ud, struct mld_err *err)
{
    struct mld_feed *f;
    int rc = mld_feed_parse(doc, len, src, &f, err);
    if (rc != 0)
        return rc;
    rc = mld_feed_emit(f, src && src->name ? src->name : "(input)", sink, ud, err);
    mld_feed_free(f);
    return rc;
}

const struct mld_format mld_format_rss = {
    .name = "rss",
    .sniff = rss_sniff,
    .parse = rss_parse,
};
