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
 *   channel description, dc:description, itunes:subtitle/summary
 *                                           -> feed subtitle
 *   channel link (every one into links; the first, else atom:link
 *   rel=alternate, is the link), atom:link rel=self
 *                                           -> feed link, links, self
 *   author, managingEditor, dc:creator, itunes:author, else webMaster
 *                                           -> feed author
 *   language, dc:language                   -> feed language
 *   lastBuildDate, dc:date, dcterms:modified / pubDate, dcterms:issued
 *                                           -> feed updated / published
 *   item title, dc:title                    -> headline (plain text; HTML
 *                                              when it looks like HTML)
 *   description, dc:description, itunes:summary
 *                                           -> teaser (as HTML, to text)
 *   content:encoded, xhtml:body, body, fullitem, atom:content
 *                                           -> body (sanitised)
 *   link (every one into links, text or href), atom:link rel=alternate;
 *   else a permalink guid                   -> article link
 *   guid (isPermaLink), rdf:about, dc:identifier
 *                                           -> id (see mld_feed_urn)
 *   pubDate, dcterms:issued, atom:published -> published
 *   dc:date, dcterms:modified, atom:updated -> updated (its source noted)
 *   author, dc:creator, dc:author, atom:author, itunes:author
 *                                           -> author (names only; else the
 *                                              channel's, not the webMaster)
 *   category, dc:subject, media:category, itunes:category,
 *   itunes:keywords, atom:category          -> "tag:" categories
 *   enclosure, media:content (in media:group: sizes of one picture
 *   become renditions), else media:thumbnail -> media, with kind, width,
 *                                              height, caption, credit
 *   dc:language, xml:lang                   -> item language
 *
 * Where elements stand in for one another (title / dc:title /
 * media:title, description / dc:description / itunes:summary), the core
 * one wins whatever the document order (mld_feed_text_offer). Elements
 * with a prefix the feed forgot to declare (atom:link without
 * xmlns:atom) are read by their conventional prefix (mld_feed_ns).
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "feed.h"
#include "xml.h"

/* RSS 0.90's namespace, as Netscape wrote it in two places. */
#define RSS090_NS "http://my.netscape.com/rdf/simple/0.9/"
#define RSS090_NS_ALT "http://channel.netscape.com/rdf/simple/0.9/"

/* Ranks of the elements that stand in for one another, for
 * mld_feed_text_offer: the core element wins over its Dublin Core twin,
 * which wins over the podcast fallback, whatever the document order. */
enum { RANK_FALLBACK = 1, RANK_DC = 2, RANK_CORE = 3 };

static bool
in(const xmlNode *n, enum mld_feed_ns ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp(mld_feed_name(n), local) == 0 &&
           mld_feed_ns(n) == ns;
}

/* True when n is element local of the format's own vocabulary. */
static bool
core(const xmlNode *n, const char *local)
{
    return in(n, MLD_NS_CORE, local);
}

static bool
is_rss090(const char *href)
{
    return href != NULL && (strcmp(href, RSS090_NS) == 0 || strcmp(href, RSS090_NS_ALT) == 0);
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

/* An item's dc:date (CREATED), dcterms:modified or atom:updated
 * (MODIFIED): the last readable one wins, and says where it came from. */
static void
set_updated(struct mld_feed_item *it, const xmlNode *n, enum mld_date_source src)
{
    mld_time_t t = mld_feed_node_date(n);
    if (t != 0) {
        it->updated = t;
        it->updated_source = src;
    }
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

/* The URL of a core <link>: its text, else (a slip some feeds make, as
 * if it were Atom) its href attribute; a new string or NULL. */
static char *
link_href(const xmlNode *n)
{
    char *s = mld_feed_node_string(n);
    return s != NULL ? s : mld_xml_attr(n, "href");
}

/* Adds every core <link> to the links; the first one is the link. */
static void
core_link(const struct mld_feed_reader *r, const xmlNode *n, struct mld_feed_link **links,
          int *nlinks, char **link)
{
    char *s = link_href(n);
    int before = *nlinks;
    if (s != NULL)
        mld_feed_link_add(r, n, s, "alternate", "text/html", NULL, 0, links, nlinks);
    if (*nlinks > before && *link == NULL)
        *link = mld_strdup((*links)[*nlinks - 1].href);
    mld_free(s);
}

/* Adds the comma-separated itunes:keywords of n as tags. */
static void
keywords(const xmlNode *n, struct mld_article *a)
{
    char *s = mld_xml_text(n);
    for (char *p = s; p != NULL && *p;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        mld_feed_add_tag(a, p);
        p = comma != NULL ? comma + 1 : NULL;
    }
    mld_free(s);
}

/* Adds an atom:category (term, else label) as a tag. */
static void
atom_category(const xmlNode *n, struct mld_article *a)
{
    char *term = mld_xml_attr(n, "term");
    if (term == NULL || term[0] == '\0') {
        mld_free(term);
        term = mld_xml_attr(n, "label");
    }
    mld_feed_add_tag(a, term);
    mld_free(term);
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
    char *s = link ? link_href(link) : mld_feed_node_string(guid);
    if (s == NULL)
        return NULL;
    char *abs = mld_feed_resolve_at(r, link ? link : guid, s);
    mld_free(s);
    return abs;
}

/* Adds the names in n's text to a's authors (n may be NULL). */
static void
text_author(const xmlNode *n, struct mld_article *a)
{
    char *s = mld_xml_text(n);
    mld_feed_add_author(a, s);
    mld_free(s);
}

/* Adds n's text to a's categories. */
static void
text_tag(const xmlNode *n, struct mld_article *a)
{
    char *s = mld_xml_text(n);
    mld_feed_add_tag(a, s);
    mld_free(s);
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
    int title_rank = 0, summary_rank = 0;
    it->lang = mld_xml_attr(item, "lang");
    if (it->lang != NULL && it->lang[0] == '\0') {
        mld_free(it->lang);
        it->lang = NULL;
    }
    for (const xmlNode *c = item->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        if (ns == MLD_NS_ATOM03)
            ns = MLD_NS_ATOM; /* the same few elements in an item */
        switch (MLD_FEED_EL(ns, mld_feed_tok(c))) {
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_TITLE):
            mld_feed_text_offer(r, c, title_type(c), false, RANK_CORE, &title_rank, &it->title);
            break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_TITLE):
            mld_feed_text_offer(r, c, title_type(c), false, RANK_DC, &title_rank, &it->title);
            break;
        case MLD_FEED_EL(MLD_NS_MEDIA, MLD_TOK_TITLE):
            if (media_title == NULL)
                media_title = c;
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_DESCRIPTION):
            mld_feed_text_offer(r, c, MLD_FEED_HTML, true, RANK_CORE, &summary_rank, &it->summary);
            break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_DESCRIPTION):
            mld_feed_text_offer(r, c, MLD_FEED_HTML, true, RANK_DC, &summary_rank, &it->summary);
            break;
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_SUMMARY):
            /* Podcast feeds: fallbacks for what the core elements lack. */
            mld_feed_text_offer(r, c, MLD_FEED_PLAIN, true, RANK_FALLBACK, &summary_rank,
                                &it->summary);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_LINK):
            core_link(r, c, &it->links, &it->nlinks, &a->link);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_LINK): {
            int before = it->nlinks;
            atom_link(r, c, &it->links, &it->nlinks);
            if (it->nlinks > before) {
                const struct mld_feed_link *l = &it->links[it->nlinks - 1];
                if (strcmp(l->rel, "alternate") == 0 && a->link == NULL)
                    a->link = mld_strdup(l->href);
                else if (strcmp(l->rel, "enclosure") == 0)
                    mld_feed_add_media(r, c, a, l->href, l->type, l->length, l->title);
            }
            break;
        }
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_GUID):
            if (guid == NULL)
                guid = c;
            break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_IDENTIFIER):
            if (identifier == NULL)
                identifier = c;
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_PUBDATE):
        case MLD_FEED_EL(MLD_NS_DCTERMS, MLD_TOK_ISSUED):
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_PUBLISHED): set_date(&it->published, c); break;
        case MLD_FEED_EL(MLD_NS_DCTERMS, MLD_TOK_CREATED): set_date(&it->created, c); break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_DATE): set_updated(it, c, MLD_DATE_CREATED); break;
        case MLD_FEED_EL(MLD_NS_DCTERMS, MLD_TOK_MODIFIED):
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_UPDATED):
            set_updated(it, c, MLD_DATE_MODIFIED);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_BODY):
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_FULLITEM):
            /* Early RSS extensions: the full text, escaped or inline. */
            if (!it->content.present)
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->content);
            break;
        case MLD_FEED_EL(MLD_NS_CONTENT, MLD_TOK_ENCODED):
            if (!it->content.present || it->content.text == NULL)
                mld_feed_text_read(r, c, MLD_FEED_HTML, true, &it->content);
            break;
        case MLD_FEED_EL(MLD_NS_XHTML, MLD_TOK_BODY):
        case MLD_FEED_EL(MLD_NS_XHTML, MLD_TOK_DIV):
            /* The element itself is the wrapper: take its children. */
            if (!it->content.present)
                mld_feed_text_read(r, c, MLD_FEED_XHTML, true, &it->content);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_CONTENT):
            /* Atom's content in an RSS item: the body, read by Atom's rules
             * (type="html", "xhtml", text); src is no body. */
            if (!it->content.present) {
                char *src = mld_xml_attr(c, "src");
                if (src == NULL)
                    mld_feed_read_atom_text(r, c, true, &it->content);
                mld_free(src);
            }
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_AUTHOR):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_CREATOR):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_AUTHOR):
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_AUTHOR): text_author(c, a); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_AUTHOR):
            text_author(mld_feed_child(c, "name"), a);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_CATEGORY):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_SUBJECT):
        case MLD_FEED_EL(MLD_NS_MEDIA, MLD_TOK_CATEGORY): text_tag(c, a); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_CATEGORY): atom_category(c, a); break;
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_CATEGORY): itunes_categories(c, a); break;
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_KEYWORDS): keywords(c, a); break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_LANGUAGE):
            if (it->lang == NULL)
                it->lang = mld_feed_node_lang(c);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_ENCLOSURE): {
            char *url = mld_xml_attr(c, "url");
            char *type = mld_xml_attr(c, "type");
            int64_t len = attr_int(c, "length");
            if (url != NULL) {
                mld_feed_link_add(r, c, url, "enclosure", type, NULL, len, &it->links, &it->nlinks);
                mld_feed_add_media(r, c, a, url, type, len, NULL);
            }
            mld_free(url);
            mld_free(type);
            break;
        }
        case MLD_FEED_EL(MLD_NS_MEDIA, MLD_TOK_CONTENT):
            mld_feed_media_content(r, c, NULL, item, a);
            break;
        case MLD_FEED_EL(MLD_NS_MEDIA, MLD_TOK_GROUP):
            mld_feed_media_group(r, c, item, a);
            for (const xmlNode *g = c->children; g != NULL; g = g->next)
                if (in(g, MLD_NS_MEDIA, "thumbnail") && thumb == NULL)
                    thumb = g;
            break;
        case MLD_FEED_EL(MLD_NS_MEDIA, MLD_TOK_THUMBNAIL):
            if (thumb == NULL)
                thumb = c;
            break;
        default: break;
        }
    }

    if (media_title != NULL)
        mld_feed_text_offer(r, media_title, title_type(media_title), false, RANK_FALLBACK,
                            &title_rank, &it->title);

    /* The id: guid, else dc:identifier, else RSS 1.0's rdf:about. */
    if (guid != NULL) {
        char *s = mld_feed_node_string(guid);
        char *perma = mld_xml_attr(guid, "isPermaLink");
        bool explicit_true = perma != NULL && strcmp(perma, "true") == 0;
        bool not_perma = perma != NULL && strcmp(perma, "false") == 0;
        if (s != NULL && explicit_true) {
            char *abs = mld_feed_resolve_at(r, guid, s);
            mld_free(s);
            s = abs;
            it->id_permalink = mld_feed_url_is_web(s);
        }
        /* A guid that is a permalink (by default, when it is a URL) is
         * the link when there is no other. */
        if (s != NULL && a->link == NULL && !not_perma && mld_feed_url_is_web(s))
            a->link = mld_strdup(s);
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
    /* The thumbnail is the picture of an item that has none (a video's
     * still, or the only medium). */
    if (thumb != NULL && !mld_feed_has_picture(a))
        mld_feed_media_thumbnail(r, thumb, a);
    /* An item without an author of its own has the channel's. */
    if (a->author == NULL && r->feed->item_author != NULL)
        a->author = mld_strdup(r->feed->item_author);
    mld_free(base_link);
}

/* Adds the names in n's text to the feed's author. */
static void
channel_author(struct mld_feed *f, const xmlNode *n)
{
    char *s = mld_xml_text(n);
    struct mld_article tmp = {.author = f->author};
    mld_feed_add_author(&tmp, s);
    f->author = tmp.author;
    mld_free(s);
}

static void
read_channel(const struct mld_feed_reader *r, const xmlNode *ch)
{
    struct mld_feed *f = r->feed;
    const xmlNode *webmaster = NULL;
    int title_rank = 0, subtitle_rank = 0;
    for (const xmlNode *c = ch->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        if (ns == MLD_NS_ATOM03)
            ns = MLD_NS_ATOM;
        int rank = ns == MLD_NS_CORE ? RANK_CORE : RANK_DC;
        switch (MLD_FEED_EL(ns, mld_feed_tok(c))) {
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_TITLE):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_TITLE):
            mld_feed_text_offer(r, c, title_type(c), false, rank, &title_rank, &f->title);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_DESCRIPTION):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_DESCRIPTION):
            mld_feed_text_offer(r, c, MLD_FEED_HTML, false, rank, &subtitle_rank, &f->subtitle);
            break;
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_SUBTITLE):
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_SUMMARY):
            mld_feed_text_offer(r, c, MLD_FEED_PLAIN, false, RANK_FALLBACK, &subtitle_rank,
                                &f->subtitle);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_LANGUAGE):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_LANGUAGE):
            if (f->lang == NULL)
                f->lang = mld_feed_node_lang(c);
            break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_LINK):
            core_link(r, c, &f->links, &f->nlinks, &f->link);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_LINK): {
            int before = f->nlinks;
            atom_link(r, c, &f->links, &f->nlinks);
            if (f->nlinks > before) {
                const struct mld_feed_link *l = &f->links[f->nlinks - 1];
                if (strcmp(l->rel, "self") == 0 && f->self == NULL)
                    f->self = mld_strdup(l->href);
                else if (strcmp(l->rel, "alternate") == 0 && f->link == NULL)
                    f->link = mld_strdup(l->href);
            }
            break;
        }
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_LASTBUILDDATE):
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_DATE):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_LASTBUILDDATE):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_DATE):
        case MLD_FEED_EL(MLD_NS_DCTERMS, MLD_TOK_MODIFIED): set_date(&f->updated, c); break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_PUBDATE):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_PUBDATE):
        case MLD_FEED_EL(MLD_NS_DCTERMS, MLD_TOK_ISSUED): set_date(&f->published, c); break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_MANAGINGEDITOR):
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_CREATOR):
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_AUTHOR):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_MANAGINGEDITOR):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_CREATOR):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_AUTHOR):
        case MLD_FEED_EL(MLD_NS_ITUNES, MLD_TOK_AUTHOR): channel_author(f, c); break;
        case MLD_FEED_EL(MLD_NS_CORE, MLD_TOK_WEBMASTER):
            if (webmaster == NULL)
                webmaster = c;
            break;
        default: break;
        }
    }
    /* The webmaster runs the site, and is the author only of a feed that
     * names no other; items do not inherit it. */
    mld_free(f->item_author);
    f->item_author = mld_strdup(f->author);
    if (f->author == NULL && webmaster != NULL)
        channel_author(f, webmaster);
}

/* The version name from the root element. */
static const char *
version_of(const xmlDoc *doc, const xmlNode *root, const xmlNode *channel)
{
    if (strcmp(mld_xml_name(root), "RDF") == 0) {
        if (channel != NULL && channel->ns != NULL && channel->ns->href != NULL)
            return is_rss090((const char *)channel->ns->href) ? "rss090" : "rss10";
        for (const xmlNs *ns = root->nsDef; ns != NULL; ns = ns->next)
            if (is_rss090((const char *)ns->href))
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

const struct mld_format mld_format_rss = {
    .name = "rss",
    .sniff = rss_sniff,
    .parse = mld_feed_format_parse,
};
