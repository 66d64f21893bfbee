/*
 * atom.c - Atom 1.0 (RFC 4287) and Atom 0.3 feeds (mld_format_atom).
 *
 * Both versions share the element names that matter; they differ in text
 * constructs. Atom 1.0 says type="text" (the default), "html" or "xhtml"
 * (a div wrapping inline XHTML), and content may also carry a MIME type
 * (text types are text, XML types are inline, anything else is base64) or point
 * elsewhere with src. Atom 0.3 uses MIME types (default text/plain) and a
 * mode: "xml" (inline, the default), "escaped" (markup as text) or
 * "base64". This reader takes either spelling in either version, since
 * feeds mix them. Elements without a namespace are read as Atom too.
 *
 *   feed title                        -> feed title (the credit)
 *   subtitle, tagline (0.3)           -> feed subtitle
 *   link rel=alternate / self         -> feed link / self
 *   id, updated/modified, author      -> feed id, updated, author
 *   entry title                       -> headline (text of HTML/XHTML)
 *   summary                           -> teaser
 *   content                           -> body (sanitised)
 *   link rel=alternate (or no rel)    -> article link; rel=enclosure -> media
 *   id                                -> id (resolved against xml:base)
 *   updated/modified, published/issued, created
 *                                     -> dates
 *   author name (else the source's, else the feed's, as RFC 4287 says;
 *   a person with only a uri, url, email or homepage has no name)
 *                                     -> author
 *   category term (else label), dc:subject -> "tag:" categories
 *   media:group/media:content/media:thumbnail -> media;
 *   media:description                 -> teaser when there is no summary
 *   xml:lang (else the content's, else the summary's)
 *                                     -> language
 *
 * Base64 that does not decode to UTF-8 text is not used: the element's
 * text is read as it stands. Without a document URL, the feed's own
 * rel="self" link is the base for links (RFC 3986 5.1.4), never for ids.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "feed.h"
#include "xml.h"

/* True when n is an Atom element (either version, or no namespace). */
static bool
atom(const xmlNode *n, const char *local)
{
    if (n->type != XML_ELEMENT_NODE || strcmp(mld_feed_name(n), local) != 0)
        return false;
    enum mld_feed_ns ns = mld_feed_ns(n);
    return ns == MLD_NS_ATOM || ns == MLD_NS_ATOM03 || ns == MLD_NS_CORE;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

void
mld_feed_read_atom_text(const struct mld_feed_reader *r, const xmlNode *n, bool with_html,
                        struct mld_feed_text *t)
{
    char *type = mld_xml_attr(n, "type");
    char *mode = mld_xml_attr(n, "mode");
    if (type != NULL && type[0] == '\0') {
        mld_free(type);
        type = NULL;
    }
    for (char *p = type; p && *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    enum mld_feed_type kind = MLD_FEED_PLAIN;
    bool base64 = mode != NULL && strcmp(mode, "base64") == 0;
    bool escaped = mode != NULL && strcmp(mode, "escaped") == 0;
    bool binary = false;
    if (type == NULL || strcmp(type, "text") == 0 || strcmp(type, "text/plain") == 0)
        kind = MLD_FEED_PLAIN;
    else if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)
        kind = MLD_FEED_HTML;
    else if (strcmp(type, "xhtml") == 0 || strcmp(type, "application/xhtml+xml") == 0)
        kind = MLD_FEED_XHTML;
    else if (strncmp(type, "text/", 5) == 0)
        kind = MLD_FEED_PLAIN;
    else if (ends_with(type, "+xml") || ends_with(type, "/xml"))
        /* Inline XML; without an element (and not Atom 0.3's escaped
         * mode) it is characters: escaped markup in an XML type is not
         * HTML. */
        kind = mld_xml_has_element_child(n) || escaped ? MLD_FEED_XHTML : MLD_FEED_PLAIN;
    else
        binary = true; /* RFC 4287 4.1.3.3: any other type is base64 */
    /* Atom 0.3's escaped mode: the markup arrives as text. */
    if (escaped && kind == MLD_FEED_XHTML)
        kind = MLD_FEED_HTML;
    if (base64 || binary) {
        char *s = mld_feed_node_string(n);
        size_t len = 0;
        char *raw = s ? mld_feed_base64(s, &len) : NULL;
        if (s != NULL && (raw == NULL || !mld_feed_is_text(raw, len))) {
            /* Not base64 (JSON under its own type), or not base64 of text
             * (binary data, or a mislabelled type whose text happens to
             * be base64 letters: "test"): the element's text as it
             * stands. */
            mld_free(raw);
            raw = mld_strdup(s);
            len = strlen(s);
        }
        if (raw != NULL && binary)
            kind = mld_feed_looks_like_html(raw) ? MLD_FEED_HTML : MLD_FEED_PLAIN;
        mld_feed_text_set(r, n, raw, raw ? len : 0, kind, with_html, t);
        mld_free(raw);
        mld_free(s);
    } else {
        mld_feed_text_read(r, n, kind, with_html, t);
    }
    mld_free(type);
    mld_free(mode);
}

/* Adds the name of person construct n (an author) to a's author list. A
 * person with only a URI, e-mail address or homepage (uri, url, email,
 * homepage) has no name; one with no child elements at all is taken to
 * have written the name as its text (sloppy feeds). */
static void
read_person(const xmlNode *n, struct mld_article *a)
{
    const xmlNode *name = mld_feed_child(n, "name");
    char *s = name ? mld_xml_text(name) : NULL;
    if (s == NULL && !mld_xml_has_element_child(n))
        s = mld_xml_text(n);
    mld_feed_add_author(a, s);
    mld_free(s);
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
    int64_t r = v ? (int64_t)strtoll(v, NULL, 10) : 0;
    mld_free(v);
    return r > 0 ? r : 0;
}

/* Resolves the id in n's text against xml:base and the document URL, but
 * not against the self link that stands in for a missing document URL:
 * an id is a name, not a link (RFC 4287 4.2.6.1: it does not change when
 * the document moves). A new string or NULL. */
static char *
read_id(const struct mld_feed_reader *r, const xmlNode *n)
{
    char *s = mld_feed_node_string(n);
    if (s == NULL)
        return NULL;
    struct mld_feed_reader plain = *r;
    plain.default_base = NULL;
    char *id = mld_feed_resolve_at(&plain, n, s);
    mld_free(s);
    return id;
}

/* Reads a link into links; returns its index or -1. */
static int
read_link(const struct mld_feed_reader *r, const xmlNode *n, struct mld_feed_link **links,
          int *nlinks)
{
    char *href = mld_xml_attr(n, "href");
    char *rel = mld_xml_attr(n, "rel");
    char *type = mld_xml_attr(n, "type");
    char *title = mld_xml_attr(n, "title");
    int before = *nlinks;
    if (href == NULL) {
        /* Atom 0.3 drafts and sloppy feeds: the URL as text. */
        href = mld_feed_node_string(n);
    }
    /* A self link points at the feed itself: Atom, unless it says. */
    const char *t = type ? type : rel && strcmp(rel, "self") == 0 ? "application/atom+xml" : NULL;
    if (href != NULL)
        mld_feed_link_add(r, n, href, rel, t, title, attr_int(n, "length"), links, nlinks);
    mld_free(href);
    mld_free(rel);
    mld_free(type);
    mld_free(title);
    return *nlinks > before ? *nlinks - 1 : -1;
}

/* Media RSS inside an entry (YouTube and others). */
static void
read_media(const struct mld_feed_reader *r, const xmlNode *n, struct mld_feed_item *it,
           const xmlNode **thumb)
{
    switch (mld_feed_tok(n)) {
    case MLD_TOK_GROUP:
        for (const xmlNode *c = n->children; c != NULL; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || mld_feed_ns(c) != MLD_NS_MEDIA)
                continue;
            enum mld_feed_tok t = mld_feed_tok(c);
            if (t == MLD_TOK_DESCRIPTION && !it->summary.present)
                mld_feed_text_read(r, c, MLD_FEED_PLAIN, true, &it->summary);
            else if (t != MLD_TOK_CONTENT)
                read_media(r, c, it, thumb);
        }
        mld_feed_media_group(r, n, n->parent, it->article);
        break;
    case MLD_TOK_CONTENT: mld_feed_media_content(r, n, NULL, n->parent, it->article); break;
    case MLD_TOK_THUMBNAIL:
        if (*thumb == NULL)
            *thumb = n;
        break;
    case MLD_TOK_DESCRIPTION:
        if (!it->summary.present)
            mld_feed_text_read(r, n, MLD_FEED_PLAIN, true, &it->summary);
        break;
    default: break;
    }
}

/* The entry's alternate link (resolved), the base for its HTML. */
static char *
entry_link(const struct mld_feed_reader *r, const xmlNode *entry)
{
    for (const xmlNode *c = entry->children; c != NULL; c = c->next) {
        if (!atom(c, "link"))
            continue;
        char *rel = mld_xml_attr(c, "rel");
        bool alt = rel == NULL || strcmp(rel, "alternate") == 0;
        mld_free(rel);
        char *href = alt ? mld_xml_attr(c, "href") : NULL;
        if (href == NULL)
            continue;
        char *abs = mld_feed_resolve_at(r, c, href);
        mld_free(href);
        return abs;
    }
    return NULL;
}

static void
read_entry(const struct mld_feed_reader *outer, const xmlNode *entry)
{
    struct mld_feed_item *it = mld_feed_item_add(outer->feed);
    if (it == NULL)
        return;
    struct mld_feed_reader rr = *outer;
    char *base_link = entry_link(outer, entry);
    rr.item_link = base_link;
    const struct mld_feed_reader *r = &rr;
    struct mld_article *a = it->article;
    const xmlNode *source = NULL, *thumb = NULL;
    int alternate = -1;
    it->lang = mld_feed_xml_lang(entry);
    for (const xmlNode *c = entry->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        if (ns == MLD_NS_ATOM03 || ns == MLD_NS_CORE)
            ns = MLD_NS_ATOM; /* either version, or no namespace */
        switch (MLD_FEED_EL(ns, mld_feed_tok(c))) {
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_TITLE):
            if (!it->title.present)
                mld_feed_read_atom_text(r, c, false, &it->title);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_SUMMARY):
            if (!it->summary.present)
                mld_feed_read_atom_text(r, c, true, &it->summary);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_CONTENT):
            if (!it->content.present) {
                char *src = mld_xml_attr(c, "src");
                if (src == NULL)
                    mld_feed_read_atom_text(r, c, true, &it->content);
                mld_free(src);
            }
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_LINK): {
            int k = read_link(r, c, &it->links, &it->nlinks);
            if (k >= 0) {
                const struct mld_feed_link *l = &it->links[k];
                if (strcmp(l->rel, "alternate") == 0 && alternate < 0)
                    alternate = k;
                else if (strcmp(l->rel, "enclosure") == 0)
                    mld_feed_add_media(r, c, a, l->href, l->type, l->length, l->title);
            }
            break;
        }
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_ID):
            if (it->id == NULL)
                it->id = read_id(r, c);
            break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_UPDATED):
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_MODIFIED):
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_DATE): set_date(&it->updated, c); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_PUBLISHED):
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_ISSUED): set_date(&it->published, c); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_CREATED): set_date(&it->created, c); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_AUTHOR): read_person(c, a); break;
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_CATEGORY): {
            char *term = mld_xml_attr(c, "term");
            if (term == NULL || term[0] == '\0') {
                mld_free(term);
                term = mld_xml_attr(c, "label");
            }
            mld_feed_add_tag(a, term);
            mld_free(term);
            break;
        }
        case MLD_FEED_EL(MLD_NS_ATOM, MLD_TOK_SOURCE): source = c; break;
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_SUBJECT): {
            char *s = mld_xml_text(c);
            mld_feed_add_tag(a, s);
            mld_free(s);
            break;
        }
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_CREATOR): {
            char *s = mld_xml_text(c);
            mld_feed_add_author(a, s);
            mld_free(s);
            break;
        }
        case MLD_FEED_EL(MLD_NS_DC, MLD_TOK_LANGUAGE):
            if (it->lang == NULL)
                it->lang = mld_feed_node_lang(c);
            break;
        default:
            if (ns == MLD_NS_MEDIA)
                read_media(r, c, it, &thumb);
            break;
        }
    }
    if (alternate >= 0)
        a->link = mld_strdup(it->links[alternate].href);
    /* Without a language of its own an entry speaks its content's (or
     * summary's), when that says. */
    if (it->lang == NULL)
        it->lang = mld_strdup(it->content.lang ? it->content.lang : it->summary.lang);
    /* RFC 4287 4.2.1: without authors of its own an entry has its
     * source's, else the feed's. */
    if (a->author == NULL && source != NULL)
        for (const xmlNode *c = source->children; c != NULL; c = c->next)
            if (atom(c, "author"))
                read_person(c, a);
    if (a->author == NULL && r->feed->author != NULL)
        a->author = mld_strdup(r->feed->author);
    /* The thumbnail is the picture of an item that has none (a video's
     * still, or the only medium). */
    if (thumb != NULL && !mld_feed_has_picture(a))
        mld_feed_media_thumbnail(r, thumb, a);
    mld_free(base_link);
}

/* The feed's own rel="self" link below root, absolute http(s) after
 * xml:base; a new string or NULL. */
static char *
self_link(const struct mld_feed_reader *r, const xmlNode *root)
{
    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        if (!atom(c, "link"))
            continue;
        char *rel = mld_xml_attr(c, "rel");
        char *href = rel != NULL && strcmp(rel, "self") == 0 ? mld_xml_attr(c, "href") : NULL;
        mld_free(rel);
        if (href == NULL)
            continue;
        char *abs = mld_feed_resolve_at(r, c, href);
        mld_free(href);
        if (mld_feed_url_is_web(abs))
            return abs;
        mld_free(abs);
    }
    return NULL;
}

static void read_feed(struct mld_feed_reader *r, xmlNode *root);

int
mld_feed_read_atom(struct mld_feed_reader *r, xmlNode *root)
{
    /* RFC 3986 5.1: the base is xml:base (5.1.1), else the URL the
     * document came from (5.1.3), else one the application chooses
     * (5.1.4): the document's own URL as it states it, its self link
     * (RFC 4287 4.2.7.2), so that relative links of a feed read from a
     * file still resolve. Not the alternate link: that is another
     * resource, a web page whose path differs from the feed's. */
    char *self = NULL;
    if (r->src == NULL || r->src->url == NULL || r->src->url[0] == '\0')
        self = self_link(r, root);
    r->default_base = self;
    read_feed(r, root);
    r->default_base = NULL;
    mld_free(self);
    return 0;
}

/* Reads the feed (or the entry document) at root into r->feed. */
static void
read_feed(struct mld_feed_reader *r, xmlNode *root)
{
    struct mld_feed *f = r->feed;
    char *v = mld_xml_attr(root, "version");
    bool v03 = (root->ns != NULL && root->ns->href != NULL && mld_feed_ns(root) == MLD_NS_ATOM03) ||
               (v != NULL && strcmp(v, "0.3") == 0);
    mld_free(v);
    f->version = v03 ? "atom03" : mld_feed_ns(root) == MLD_NS_ATOM ? "atom10" : "atom";
    f->lang = mld_feed_xml_lang(root);
    /* An Atom Entry Document (RFC 4287 section 2) is one entry alone. */
    if (strcmp(mld_feed_name(root), "entry") == 0) {
        read_entry(r, root);
        return;
    }
    int alternate = -1;
    /* Feed-level fields first: entries inherit the feed's author. */
    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        enum mld_feed_ns ns = mld_feed_ns(c);
        if (ns != MLD_NS_ATOM && ns != MLD_NS_ATOM03 && ns != MLD_NS_CORE)
            continue;
        switch (mld_feed_tok(c)) {
        case MLD_TOK_TITLE:
            if (!f->title.present)
                mld_feed_read_atom_text(r, c, false, &f->title);
            break;
        case MLD_TOK_SUBTITLE:
        case MLD_TOK_TAGLINE:
            if (!f->subtitle.present)
                mld_feed_read_atom_text(r, c, false, &f->subtitle);
            break;
        case MLD_TOK_LINK: {
            int k = read_link(r, c, &f->links, &f->nlinks);
            if (k >= 0 && strcmp(f->links[k].rel, "alternate") == 0 && alternate < 0)
                alternate = k;
            else if (k >= 0 && strcmp(f->links[k].rel, "self") == 0 && f->self == NULL)
                f->self = mld_strdup(f->links[k].href);
            break;
        }
        case MLD_TOK_ID:
            if (f->id == NULL)
                f->id = read_id(r, c);
            break;
        case MLD_TOK_UPDATED:
        case MLD_TOK_MODIFIED: set_date(&f->updated, c); break;
        case MLD_TOK_PUBLISHED:
        case MLD_TOK_ISSUED: set_date(&f->published, c); break;
        case MLD_TOK_AUTHOR: {
            struct mld_article tmp = {.author = f->author};
            read_person(c, &tmp);
            f->author = tmp.author;
            break;
        }
        default: break;
        }
    }
    if (alternate >= 0)
        f->link = mld_strdup(f->links[alternate].href);
    for (const xmlNode *c = root->children; c != NULL; c = c->next)
        if (atom(c, "entry"))
            read_entry(r, c);
}

static bool
atom_sniff(const char *doc, size_t len)
{
    char root[16];
    mld_feed_sniff_root(doc, len, root, sizeof(root));
    if (strcmp(root, "feed") == 0)
        return true;
    /* An entry document must say it is Atom. */
    size_t n = len < 4096 ? len : 4096;
    return strcmp(root, "entry") == 0 && (memmem(doc, n, "http://www.w3.org/2005/Atom", 27) ||
                                          memmem(doc, n, "http://purl.org/atom/ns#", 24));
}

const struct mld_format mld_format_atom = {
    .name = "atom",
    .sniff = atom_sniff,
    .parse = mld_feed_format_parse,
};
