/*
 * feed_out.c - RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the site's pages
 * (see feed_out.h; docs/internals/feeds_out.md has the field mapping).
 *
 * A feed is built in two steps. The first reads the store as the page
 * does (store list, story or search; every article rather than one per
 * story) into struct feed: the feed's title, description, page and self
 * URLs, and its items newest first. The second writes one format. XML is
 * written by hand into the page buffer: every string goes through
 * put_xml(), which escapes the markup characters and drops what XML 1.0
 * does not allow (invalid UTF-8, C0 controls but tab and line ends,
 * U+FFFE, U+FFFF), so the document is well-formed whatever the store
 * holds. HTML content is escaped character data, never CDATA, so "]]>"
 * in an article needs no special case. JSON Feed is built with jansson.
 *
 * Ids: an article's URN when it is an IRI a reader can keep (urn:, tag:,
 * http(s): with no character an IRI forbids), else a tag: URI made from
 * the site's host and the percent-encoded URN, so the id stays the same
 * while the article changes, in all three formats.
 *
 * Cache tags are those of the HTML page (templates.md, "Cache tags"):
 * "all" for home, "s:SLUG", "t:SLUG", "g:ID". A change to any article a
 * feed shows logs that key (store.h), including its withdrawal.
 */
#include "feed_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../text/slug.h"

/* sq_list (sqlite.c) reads at most four list pages of ids per query. */
_Static_assert(MLD_FEED_OUT_ITEMS <= 4 * MLD_LIST_PAGE_SIZE, "feed longer than a list query");

/* The three formats. */
enum fmt { FMT_RSS, FMT_ATOM, FMT_JSON, NFMT };

static const struct {
    const char *file;  /* the last path segment */
    const char *type;  /* Content-Type of the answer */
    const char *link;  /* type of <link rel="alternate"> */
    const char *label; /* for link titles */
} formats[NFMT] = {
    {"feed.xml", MLD_FEED_OUT_RSS_TYPE, "application/rss+xml", "RSS"},
    {"atom.xml", MLD_FEED_OUT_ATOM_TYPE, "application/atom+xml", "Atom"},
    {"feed.json", MLD_FEED_OUT_JSON_TYPE, "application/feed+json", "JSON Feed"},
};

/* Paths that answer 301 to the home page's RSS feed. */
static const char *const aliases[] = {"/rss.xml", "/rss", "/feed", "/feed/"};

/* The date part of the tag: URIs of articles whose URN is no IRI: any
 * date at which the site's owner held the host name will do (RFC 4151);
 * a fixed one keeps the ids stable. */
#define TAG_DATE "2026"

/* Where a feed path points. */
struct where {
    enum fmt fmt;
    char scope;                /* 'h' home, 's' section, 't' topic, 'g' story, 'q' search */
    char ref[MLD_SLUG_MAX + 1]; /* the slug or story id */
};

/* Parses path: 1 for a feed (w filled), 2 for an alias, 0 otherwise. */
static int
parse_path(const char *path, struct where *w)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(path, aliases[i]) == 0)
            return 2;
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return 0;
    int fmt = -1;
    for (int i = 0; i < NFMT; i++)
        if (strcmp(slash + 1, formats[i].file) == 0)
            fmt = i;
    if (fmt < 0)
        return 0;
    memset(w, 0, sizeof(*w));
    w->fmt = (enum fmt)fmt;
    size_t plen = (size_t)(slash - path);
    if (plen == 0) {
        w->scope = 'h';
        return 1;
    }
    if (plen == 6 && strncmp(path, "/suche", 6) == 0) {
        w->scope = 'q';
        return 1;
    }
    static const struct {
        const char *prefix;
        char scope;
    } scopes[] = {{"/ressort/", 's'}, {"/thema/", 't'}, {"/geschichte/", 'g'}};
    for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
        size_t n = strlen(scopes[i].prefix);
        if (plen <= n || plen - n > MLD_SLUG_MAX || strncmp(path, scopes[i].prefix, n) != 0)
            continue;
        memcpy(w->ref, path + n, plen - n);
        w->ref[plen - n] = '\0';
        if (scopes[i].scope == 'g') {
            if (strlen(w->ref) > 18 || strspn(w->ref, "0123456789") != strlen(w->ref))
                return 0;
        } else if (!mld_page_is_slug(w->ref, MLD_SLUG_MAX)) {
            return 0;
        }
        w->scope = scopes[i].scope;
        return 1;
    }
    return 0;
}

bool
mld_feed_out_is_feed(const char *path)
{
    struct where w;
    return parse_path(path, &w) != 0;
}

bool
mld_feed_out_is_search(const char *path)
{
    struct where w;
    return parse_path(path, &w) == 1 && w.scope == 'q';
}

/* Writing ---------------------------------------------------------------- */

/* How put_text() writes a character. */
enum esc { ESC_NONE, ESC_XML, ESC_ATTR };

/* Whether put_text() writes the ASCII byte c as it is. */
static bool
plain_ascii(unsigned char c, enum esc esc)
{
    if (c < 0x20 || c >= 0x80)
        return false;
    if (esc != ESC_NONE && (c == '&' || c == '<' || c == '>'))
        return false;
    return esc != ESC_ATTR || c != '"';
}

/* Appends s to b, dropping what XML 1.0 does not allow as a character
 * (invalid UTF-8, C0 controls but tab, LF and CR, U+FFFE, U+FFFF) and
 * escaping &, <, > (and in attributes ", tab and line ends) as esc says. */
static void
put_text(struct mld_buf *b, const char *s, enum esc esc)
{
    if (s == NULL)
        return;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        /* A run of ASCII that stays as it is goes in whole: byte by byte,
         * the feed links of every page cost 2 % of an article render. */
        size_t run = i;
        while (run < n && plain_ascii((unsigned char)s[run], esc))
            run++;
        if (run > i) {
            mld_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80) {
            if (esc != ESC_NONE && c == '&')
                mld_buf_puts(b, "&amp;");
            else if (esc != ESC_NONE && c == '<')
                mld_buf_puts(b, "&lt;");
            else if (esc != ESC_NONE && c == '>')
                mld_buf_puts(b, "&gt;");
            else if (esc == ESC_ATTR && c == '"')
                mld_buf_puts(b, "&quot;");
            else
                mld_buf_putc(b, (char)c);
            i++;
            continue;
        }
        if (c < 0x20) {
            if (c == '\t' || c == '\n' || c == '\r') {
                if (esc == ESC_ATTR)
                    mld_buf_printf(b, "&#%d;", c);
                else
                    mld_buf_putc(b, (char)c);
            }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) { /* an invalid byte: dropped */
            i++;
            continue;
        }
        if (cp != 0xFFFE && cp != 0xFFFF && !(cp >= 0x7F && cp <= 0x9F))
            mld_buf_append(b, s + i, (size_t)k);
        i += (size_t)k;
    }
}

/* Appends <name>text</name> (nothing for NULL or ""). */
static void
put_elem(struct mld_buf *b, const char *name, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return;
    mld_buf_printf(b, "<%s>", name);
    put_text(b, text, ESC_XML);
    mld_buf_printf(b, "</%s>\n", name);
}

/* Appends ` name="value"` (nothing for NULL). */
static void
put_attr(struct mld_buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    mld_buf_printf(b, " %s=\"", name);
    put_text(b, value, ESC_ATTR);
    mld_buf_putc(b, '"');
}

/* A JSON string of s cleaned as put_text() cleans the XML feeds' text
 * (jansson refuses invalid UTF-8; a control character would be text no
 * other format has); NULL for NULL or "". */
static json_t *
jstr(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_PAGE_BYTES);
    put_text(&b, s, ESC_NONE);
    /* put_text() left well-formed UTF-8 only: no second check */
    json_t *v = json_stringn_nocheck(b.p != NULL ? b.p : "", b.len);
    mld_buf_dispose(&b);
    return v;
}

/* Sets key of o to s (left out for NULL or ""). */
static void
jset(json_t *o, const char *key, const char *s)
{
    json_t *v = jstr(s);
    if (v != NULL)
        json_object_set_new_nocheck(o, key, v); /* keys: ASCII of the code */
}

/* A new string: base followed by path. */
static char *
join(const char *base, const char *path)
{
    size_t n = strlen(base) + strlen(path) + 1;
    char *s = mld_malloc(n);
    snprintf(s, n, "%s%s", base, path);
    return s;
}

/* The feed model ------------------------------------------------------- */

/* A feed ready to write. */
struct feed {
    enum fmt fmt;
    const char *base;          /* the site's absolute URL, no trailing '/' */
    const char *site_name;
    char host[256];            /* of base, for tag: ids */
    char *title;               /* "Politik – meldung" */
    char *description;
    char *page_url;            /* the HTML page (absolute) */
    char *self_url;            /* this feed (absolute) */
    const struct mld_item **v; /* newest first */
    int n;
    mld_time_t updated;        /* the newest item's change, else now */
};

static void
feed_dispose(struct feed *f)
{
    mld_free(f->title);
    mld_free(f->description);
    mld_free(f->page_url);
    mld_free(f->self_url);
    mld_free(f->v);
}

/* Writes the host of base (without user, port and brackets) to f->host;
 * "localhost" when it has none a tag: URI can name. */
static void
set_host(struct feed *f)
{
    const char *p = strstr(f->base, "://");
    p = p != NULL ? p + 3 : f->base;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at != NULL)
        p = at + 1;
    size_t n = strcspn(p, ":/?#");
    if (n == 0 || n >= sizeof(f->host) || p[0] == '[')
        snprintf(f->host, sizeof(f->host), "localhost");
    else
        snprintf(f->host, sizeof(f->host), "%.*s", (int)n, p);
}

/* The time an item was last changed: its version's, when later than its
 * first publication (as the article page's "Aktualisiert"). */
static mld_time_t
item_updated(const struct mld_item *it)
{
    const struct mld_article *a = it->a;
    return a->version > 1 && a->version_created > it->published ? a->version_created
                                                                 : it->published;
}

/* Orders item pointers newest first; equal times by id, highest first. */
static int
newest_first(const void *x, const void *y)
{
    const struct mld_item *a = *(const struct mld_item *const *)x;
    const struct mld_item *b = *(const struct mld_item *const *)y;
    if (a->published != b->published)
        return a->published < b->published ? 1 : -1;
    return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

/* Collects up to MLD_FEED_OUT_ITEMS of v[0..n) (step bytes apart, the
 * item at offset 0 of each) into f, newest first. */
static void
feed_items(struct feed *f, const void *v, int n, size_t step)
{
    f->v = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*f->v));
    for (int i = 0; i < n; i++)
        f->v[i] = (const struct mld_item *)((const char *)v + (size_t)i * step);
    qsort(f->v, (size_t)n, sizeof(*f->v), newest_first);
    f->n = n < MLD_FEED_OUT_ITEMS ? n : MLD_FEED_OUT_ITEMS;
    mld_time_t newest = 0;
    for (int i = 0; i < f->n; i++) {
        mld_time_t u = item_updated(f->v[i]);
        if (u > newest)
            newest = u;
    }
    if (f->n > 0) /* else the time of the request stays */
        f->updated = newest;
}

/* Sets f's title ("NAME – SITE", or SITE for NAME NULL) and
 * description. */
static void
feed_names(struct feed *f, const char *name, const char *description)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_PAGE_BYTES);
    if (name != NULL)
        mld_buf_printf(&b, "%s – %s", name, f->site_name);
    else
        mld_buf_puts(&b, f->site_name);
    f->title = mld_buf_steal(&b, NULL);
    f->description = mld_strdup(description);
}

/* Sets f's page URL (path[?query]) and its self URL (the feed's file
 * appended to the path). */
static void
feed_urls(struct feed *f, const char *page)
{
    size_t plen = strcspn(page, "?");
    const char *query = page + plen;
    f->page_url = join(f->base, page);
    struct mld_buf b;
    mld_buf_init(&b, 4096 + 4 * MLD_SEARCH_MAX_QUERY_BYTES);
    mld_buf_puts(&b, f->base);
    mld_buf_append(&b, page, plen);
    if (plen == 0 || page[plen - 1] != '/')
        mld_buf_putc(&b, '/');
    mld_buf_puts(&b, formats[f->fmt].file);
    mld_buf_puts(&b, query);
    f->self_url = mld_buf_steal(&b, NULL);
}

/* Item fields ---------------------------------------------------------- */

/* The absolute URL of it's article page. */
static char *
item_url(const struct feed *f, const struct mld_item *it)
{
    char path[MLD_SLUG_MAX + 64];
    mld_page_article_path(it->slug, it->id, path, sizeof(path));
    return join(f->base, path);
}

/* True when urn can serve as an IRI id as it is. */
static bool
urn_is_iri(const char *urn)
{
    if (strncmp(urn, "urn:", 4) != 0 && strncmp(urn, "tag:", 4) != 0 &&
        strncmp(urn, "http://", 7) != 0 && strncmp(urn, "https://", 8) != 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)urn; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p) != NULL)
            return false;
    return true;
}

/* The id of it in all three formats: its URN when that is an IRI, else
 * tag:HOST,TAG_DATE:meldung/ + the URN percent-encoded. */
static char *
item_id(const struct feed *f, const struct mld_item *it)
{
    const char *urn = it->a->urn != NULL ? it->a->urn : "";
    if (urn[0] != '\0' && urn_is_iri(urn))
        return mld_strdup(urn);
    static const char hex[] = "0123456789ABCDEF";
    struct mld_buf b;
    mld_buf_init(&b, 4096 + 3 * strlen(urn));
    mld_buf_printf(&b, "tag:%s,%s:meldung/", f->host, TAG_DATE);
    if (urn[0] == '\0') /* never from the store; the id then */
        mld_buf_printf(&b, "artikel-%" PRId64, it->id);
    for (const unsigned char *p = (const unsigned char *)urn; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~:@/", *p) != NULL) {
            mld_buf_putc(&b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            mld_buf_append(&b, e, 3);
        }
    }
    return mld_buf_steal(&b, NULL);
}

/* Who wrote it: the author, else the byline without its "Von ", else
 * the credit; NULL when none is known. */
static const char *
item_author(const struct mld_article *a)
{
    if (a->author != NULL && a->author[0] != '\0')
        return a->author;
    if (a->byline != NULL && a->byline[0] != '\0') {
        const char *s = a->byline;
        if (strncmp(s, "Von ", 4) == 0 || strncmp(s, "von ", 4) == 0)
            s += 4;
        if (*s != '\0')
            return s;
    }
    return a->credit != NULL && a->credit[0] != '\0' ? a->credit : NULL;
}

/* The body of an item: the sanitised body and the aside boxes after it,
 * as the article page shows them. NULL when there is neither. */
static char *
item_content(const struct mld_article *a)
{
    const char *body = a->body_html != NULL ? a->body_html : "";
    const char *aside = a->aside_html != NULL ? a->aside_html : "";
    if (body[0] == '\0' && aside[0] == '\0')
        return NULL;
    size_t n = strlen(body) + strlen(aside) + 2;
    char *s = mld_malloc(n);
    snprintf(s, n, "%s%s%s", body, body[0] != '\0' && aside[0] != '\0' ? "\n" : "", aside);
    return s;
}

/* A media object as the feeds show it: one absolute URL with its size. */
struct media {
    char *url; /* absolute (owned) */
    const char *type;
    const char *medium; /* "image", "audio", "video" or NULL */
    int64_t length;
    int width, height;
    const struct mld_media *m;
};

/* The MIME type of m shown at url: its own, else one guessed from url's
 * extension. */
static const char *
media_type(const struct mld_media *m, const char *url)
{
    if (m->type != NULL && m->type[0] != '\0' && strchr(m->type, '/') != NULL)
        return m->type;
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"},
        {".gif", "image/gif"},  {".webp", "image/webp"}, {".avif", "image/avif"},
        {".svg", "image/svg+xml"}, {".mp3", "audio/mpeg"}, {".m4a", "audio/mp4"},
        {".ogg", "audio/ogg"},  {".mp4", "video/mp4"},   {".webm", "video/webm"},
        {".pdf", "application/pdf"},
    };
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strncasecmp(url + n - e, types[i].ext, e) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

/* Fills x from m: false when its URL cannot be made absolute. A picture
 * whose main size is unknown is shown in its widest known rendition. */
static bool
media_of(const struct feed *f, const struct mld_media *m, struct media *x)
{
    memset(x, 0, sizeof(*x));
    const char *url = m->url;
    x->width = m->width;
    x->height = m->height;
    if (m->kind == MLD_MEDIA_PICTURE && m->width <= 0)
        for (int i = 0; i < m->nrenditions; i++)
            if (m->renditions[i].width > x->width) {
                url = m->renditions[i].url;
                x->width = m->renditions[i].width;
                x->height = m->renditions[i].height;
            }
    if (url == NULL)
        return false;
    if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)
        x->url = mld_strdup(url);
    else if (url[0] == '/' && url[1] == '/')
        x->url = join("https:", url);
    else if (url[0] == '/')
        x->url = join(f->base, url);
    else
        return false;
    x->type = media_type(m, url);
    x->length = url == m->url ? m->length : 0;
    x->medium = m->kind == MLD_MEDIA_PICTURE ? "image"
                : m->kind == MLD_MEDIA_AUDIO ? "audio"
                : m->kind == MLD_MEDIA_VIDEO ? "video"
                                             : NULL;
    x->m = m;
    return true;
}

/* The section and topics of a as categories: name and the URL of their
 * page's folder ("https://x.de/ressort/"), for RSS domain and Atom
 * scheme. */
struct category {
    const char *name;
    const char *scheme; /* "/ressort/" or "/thema/" */
};

static int
categories(const struct mld_article *a, struct category *v)
{
    int n = 0;
    if (a->section != NULL && a->section[0] != '\0')
        v[n++] = (struct category){a->section, "/ressort/"};
    for (int i = 0; i < a->ntopics && i < MLD_MAX_TOPICS; i++)
        v[n++] = (struct category){a->topics[i], "/thema/"};
    return n;
}

/* RSS 2.0 --------------------------------------------------------------- */

static void
rss_item(struct mld_buf *b, const struct feed *f, const struct mld_item *it)
{
    const struct mld_article *a = it->a;
    char date[40];
    mld_buf_puts(b, "<item>\n");
    put_elem(b, "title", a->headline);
    char *url = item_url(f, it), *id = item_id(f, it);
    put_elem(b, "link", url);
    mld_buf_puts(b, "<guid isPermaLink=\"false\">");
    put_text(b, id, ESC_XML);
    mld_buf_puts(b, "</guid>\n");
    mld_time_format_http(it->published, date);
    put_elem(b, "pubDate", date);
    mld_time_t upd = item_updated(it);
    if (upd > it->published) {
        mld_time_format_iso(upd, date);
        put_elem(b, "dcterms:modified", date);
    }
    put_elem(b, "dc:creator", item_author(a));
    struct category cats[MLD_MAX_TOPICS + 1];
    int nc = categories(a, cats);
    for (int i = 0; i < nc; i++) {
        char *domain = join(f->base, cats[i].scheme);
        mld_buf_puts(b, "<category");
        put_attr(b, "domain", domain);
        mld_buf_putc(b, '>');
        put_text(b, cats[i].name, ESC_XML);
        mld_buf_puts(b, "</category>\n");
        mld_free(domain);
    }
    if (a->teaser != NULL && a->teaser[0] != '\0') {
        /* description is HTML: the teaser, which is text, escaped twice */
        struct mld_buf h;
        mld_buf_init(&h, MLD_MAX_PAGE_BYTES);
        mld_buf_append_html(&h, a->teaser, strlen(a->teaser));
        put_elem(b, "description", h.p);
        mld_buf_dispose(&h);
    }
    char *content = item_content(a);
    put_elem(b, "content:encoded", content);
    mld_free(content);
    /* One enclosure (RSS allows one): the first picture, else the first
     * media object; every one as media:content with its size. */
    int enc = -1;
    for (int pass = 0; pass < 2 && enc < 0; pass++)
        for (int i = 0; i < a->nmedia && enc < 0; i++)
            if (pass == 1 || a->media[i].kind == MLD_MEDIA_PICTURE)
                enc = i;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < a->nmedia; i++) {
            struct media x;
            if ((pass == 0) != (i == enc) || !media_of(f, &a->media[i], &x))
                continue;
            if (pass == 0) {
                mld_buf_puts(b, "<enclosure");
                put_attr(b, "url", x.url);
                mld_buf_printf(b, " length=\"%" PRId64 "\"", x.length > 0 ? x.length : 0);
                put_attr(b, "type", x.type);
                mld_buf_puts(b, "/>\n");
            }
            mld_buf_puts(b, "<media:content");
            put_attr(b, "url", x.url);
            put_attr(b, "type", x.type);
            put_attr(b, "medium", x.medium);
            if (x.length > 0)
                mld_buf_printf(b, " fileSize=\"%" PRId64 "\"", x.length);
            if (x.width > 0 && x.height > 0)
                mld_buf_printf(b, " width=\"%d\" height=\"%d\"", x.width, x.height);
            mld_buf_puts(b, ">\n");
            if (x.m->caption != NULL && x.m->caption[0] != '\0') {
                mld_buf_puts(b, "<media:description type=\"plain\">");
                put_text(b, x.m->caption, ESC_XML);
                mld_buf_puts(b, "</media:description>\n");
            }
            put_elem(b, "media:credit", x.m->credit);
            mld_buf_puts(b, "</media:content>\n");
            mld_free(x.url);
        }
    mld_buf_puts(b, "</item>\n");
    mld_free(url);
    mld_free(id);
}

static void
write_rss(struct mld_buf *b, const struct feed *f)
{
    char date[40];
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
                    " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
                    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
                    " xmlns:dcterms=\"http://purl.org/dc/terms/\""
                    " xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n");
    put_elem(b, "title", f->title);
    put_elem(b, "link", f->page_url);
    put_elem(b, "description", f->description);
    put_elem(b, "language", "de");
    mld_time_format_http(f->updated, date);
    put_elem(b, "lastBuildDate", date);
    put_elem(b, "generator", "meldung");
    mld_buf_puts(b, "<atom:link rel=\"self\" type=\"application/rss+xml\"");
    put_attr(b, "href", f->self_url);
    mld_buf_puts(b, "/>\n");
    for (int i = 0; i < f->n; i++)
        rss_item(b, f, f->v[i]);
    mld_buf_puts(b, "</channel>\n</rss>\n");
}

/* Atom 1.0 -------------------------------------------------------------- */

/* Appends an Atom link. */
static void
atom_link(struct mld_buf *b, const char *rel, const char *type, const char *href,
          const char *title, int64_t length)
{
    mld_buf_puts(b, "<link");
    put_attr(b, "rel", rel);
    put_attr(b, "type", type);
    put_attr(b, "href", href);
    put_attr(b, "title", title);
    if (length > 0)
        mld_buf_printf(b, " length=\"%" PRId64 "\"", length);
    mld_buf_puts(b, "/>\n");
}

static void
atom_entry(struct mld_buf *b, const struct feed *f, const struct mld_item *it)
{
    const struct mld_article *a = it->a;
    char date[40];
    char *url = item_url(f, it), *id = item_id(f, it);
    mld_buf_puts(b, "<entry>\n");
    put_elem(b, "id", id);
    mld_buf_puts(b, "<title type=\"text\">");
    put_text(b, a->headline != NULL ? a->headline : "", ESC_XML);
    mld_buf_puts(b, "</title>\n");
    atom_link(b, "alternate", "text/html", url, NULL, 0);
    mld_time_format_iso(it->published, date);
    put_elem(b, "published", date);
    mld_time_format_iso(item_updated(it), date);
    put_elem(b, "updated", date);
    const char *author = item_author(a);
    if (author != NULL) {
        mld_buf_puts(b, "<author>");
        put_elem(b, "name", author);
        mld_buf_puts(b, "</author>\n");
    }
    struct category cats[MLD_MAX_TOPICS + 1];
    int nc = categories(a, cats);
    for (int i = 0; i < nc; i++) {
        char *scheme = join(f->base, cats[i].scheme);
        mld_buf_puts(b, "<category");
        put_attr(b, "term", cats[i].name);
        put_attr(b, "scheme", scheme);
        mld_buf_puts(b, "/>\n");
        mld_free(scheme);
    }
    if (a->teaser != NULL && a->teaser[0] != '\0') {
        mld_buf_puts(b, "<summary type=\"text\">");
        put_text(b, a->teaser, ESC_XML);
        mld_buf_puts(b, "</summary>\n");
    }
    char *content = item_content(a);
    if (content != NULL) {
        mld_buf_puts(b, "<content type=\"html\">");
        put_text(b, content, ESC_XML);
        mld_buf_puts(b, "</content>\n");
    }
    mld_free(content);
    for (int i = 0; i < a->nmedia; i++) {
        struct media x;
        if (!media_of(f, &a->media[i], &x))
            continue;
        atom_link(b, "enclosure", x.type, x.url, x.m->caption, x.length);
        mld_free(x.url);
    }
    mld_buf_puts(b, "</entry>\n");
    mld_free(url);
    mld_free(id);
}

static void
write_atom(struct mld_buf *b, const struct feed *f)
{
    char date[40];
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\">\n");
    put_elem(b, "id", f->self_url);
    mld_buf_puts(b, "<title type=\"text\">");
    put_text(b, f->title, ESC_XML);
    mld_buf_puts(b, "</title>\n");
    put_elem(b, "subtitle", f->description);
    mld_time_format_iso(f->updated, date);
    put_elem(b, "updated", date);
    atom_link(b, "alternate", "text/html", f->page_url, NULL, 0);
    atom_link(b, "self", "application/atom+xml", f->self_url, NULL, 0);
    mld_buf_puts(b, "<author>");
    put_elem(b, "name", f->site_name);
    mld_buf_puts(b, "</author>\n");
    put_elem(b, "generator", "meldung");
    for (int i = 0; i < f->n; i++)
        atom_entry(b, f, f->v[i]);
    mld_buf_puts(b, "</feed>\n");
}

/* JSON Feed 1.1 -------------------------------------------------------- */

/* [{"name": name}], or NULL for no name. */
static json_t *
json_authors(const char *name)
{
    json_t *n = jstr(name);
    if (n == NULL)
        return NULL;
    json_t *o = json_object(), *v = json_array();
    json_object_set_new_nocheck(o, "name", n);
    json_array_append_new(v, o);
    return v;
}

static json_t *
json_item(const struct feed *f, const struct mld_item *it)
{
    const struct mld_article *a = it->a;
    char date[40];
    char *url = item_url(f, it), *id = item_id(f, it);
    json_t *o = json_object();
    jset(o, "id", id);
    jset(o, "url", url);
    if (a->link != NULL && (strncmp(a->link, "https://", 8) == 0 ||
                            strncmp(a->link, "http://", 7) == 0))
        jset(o, "external_url", a->link);
    jset(o, "title", a->headline);
    char *content = item_content(a);
    jset(o, "content_html", content);
    mld_free(content);
    if (json_object_get(o, "content_html") == NULL) /* one of the two is required */
        jset(o, "content_text", a->teaser != NULL ? a->teaser : a->headline);
    jset(o, "summary", a->teaser);
    mld_time_format_iso(it->published, date);
    jset(o, "date_published", date);
    mld_time_format_iso(item_updated(it), date);
    jset(o, "date_modified", date);
    json_t *authors = json_authors(item_author(a));
    if (authors != NULL)
        json_object_set_new_nocheck(o, "authors", authors);
    struct category cats[MLD_MAX_TOPICS + 1];
    int nc = categories(a, cats);
    json_t *tags = json_array();
    for (int i = 0; i < nc; i++) {
        json_t *t = jstr(cats[i].name);
        if (t != NULL)
            json_array_append_new(tags, t);
    }
    if (json_array_size(tags) > 0)
        json_object_set_new_nocheck(o, "tags", tags);
    else
        json_decref(tags);
    jset(o, "language", a->lang != NULL && a->lang[0] != '\0' ? a->lang : "de");
    json_t *att = json_array();
    for (int i = 0; i < a->nmedia; i++) {
        struct media x;
        if (!media_of(f, &a->media[i], &x))
            continue;
        if (x.m->kind == MLD_MEDIA_PICTURE && json_object_get(o, "image") == NULL)
            jset(o, "image", x.url);
        json_t *m = json_object();
        jset(m, "url", x.url);
        jset(m, "mime_type", x.type);
        jset(m, "title", x.m->caption);
        if (x.length > 0)
            json_object_set_new_nocheck(m, "size_in_bytes", json_integer(x.length));
        json_array_append_new(att, m);
        mld_free(x.url);
    }
    if (json_array_size(att) > 0)
        json_object_set_new_nocheck(o, "attachments", att);
    else
        json_decref(att);
    mld_free(url);
    mld_free(id);
    return o;
}

/* Appends serialised JSON to the buffer ud (json_dump_callback). */
static int
dump_to_buf(const char *s, size_t n, void *ud)
{
    return mld_buf_append(ud, s, n) == 0 ? 0 : -1;
}

static void
write_json(struct mld_buf *b, const struct feed *f)
{
    json_t *v = json_object();
    jset(v, "version", "https://jsonfeed.org/version/1.1");
    jset(v, "title", f->title);
    jset(v, "home_page_url", f->page_url);
    jset(v, "feed_url", f->self_url);
    jset(v, "description", f->description);
    jset(v, "language", "de");
    json_object_set_new_nocheck(v, "authors", json_authors(f->site_name));
    json_t *items = json_array();
    for (int i = 0; i < f->n; i++)
        json_array_append_new(items, json_item(f, f->v[i]));
    json_object_set_new_nocheck(v, "items", items);
    json_dump_callback(v, dump_to_buf, b, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    mld_buf_putc(b, '\n');
    json_decref(v);
}

/* Rendering --------------------------------------------------------------- */

/* Writes f into out as a 200 answer. */
static int
put_feed(struct mld_page *out, const struct feed *f, struct mld_err *err)
{
    out->status = 200;
    out->content_type = formats[f->fmt].type;
    if (f->n > 0)
        out->last_modified = f->updated;
    if (f->fmt == FMT_RSS)
        write_rss(&out->body, f);
    else if (f->fmt == FMT_ATOM)
        write_atom(&out->body, f);
    else
        write_json(&out->body, f);
    if (mld_buf_error(&out->body) != 0)
        return mld_err_set(err, MLD_E_TOOBIG, "feed %s exceeds %u bytes", f->self_url,
                           (unsigned)MLD_MAX_PAGE_BYTES);
    return 0;
}

/* A list feed: home (every section), a section or a topic. */
static int
list_feed(struct mld_store *st, const struct mld_tmpl_set *tmpl, struct feed *f,
          const struct where *w, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    char *name = NULL;
    if (w->scope != 'h') {
        name = w->scope == 's' ? mld_store_section_name(st, w->ref)
                               : mld_store_topic_name(st, w->ref);
        if (name == NULL)
            return mld_page_error(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    }
    struct mld_query q = {
        .section_slug = w->scope == 's' ? w->ref : NULL,
        .topic_slug = w->scope == 't' ? w->ref : NULL,
        .now = now,
        .limit = MLD_FEED_OUT_ITEMS,
        .every_article = true,
    };
    struct mld_items items = {0};
    int rc = mld_store_list(st, &q, &items, err);
    if (rc == 0) {
        char page[MLD_SLUG_MAX + 16], desc[MLD_SLUG_MAX * 4 + 128];
        if (w->scope == 'h') {
            snprintf(page, sizeof(page), "/");
            snprintf(desc, sizeof(desc), "Die neuesten Meldungen von %s", f->site_name);
        } else {
            snprintf(page, sizeof(page), "/%s/%s", w->scope == 's' ? "ressort" : "thema",
                     w->ref);
            snprintf(desc, sizeof(desc), "%s %s", w->scope == 's' ? "Meldungen im Ressort"
                                                                  : "Meldungen zum Thema",
                     name);
        }
        feed_names(f, name, desc);
        feed_urls(f, page);
        feed_items(f, items.v, items.n, sizeof(*items.v));
        out->cacheable = 1;
        if (w->scope == 'h')
            mld_page_add_key(out, mld_key_all().s);
        else
            mld_page_add_key(out, (w->scope == 's' ? mld_key_section(w->ref) : mld_key_topic(w->ref)).s);
        rc = put_feed(out, f, err);
    }
    mld_items_dispose(&items);
    mld_free(name);
    return rc;
}

/* A story's feed; a story id that is an article of another story answers
 * 301 to that story's feed, as the story page does. */
static int
story_feed(struct mld_store *st, const struct mld_tmpl_set *tmpl, struct feed *f,
           const struct where *w, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    int64_t id = mld_page_parse_id(w->ref);
    if (id <= 0)
        return mld_page_error(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    struct mld_items items = {0};
    int rc = mld_store_story(st, id, now, &items, err);
    if (rc != 0)
        return rc;
    if (items.n == 0) {
        mld_items_dispose(&items);
        char suffix[32];
        snprintf(suffix, sizeof(suffix), "/%s", formats[w->fmt].file);
        return mld_page_story_elsewhere(st, tmpl, id, suffix, now, out, err);
    }
    char page[64], desc[1024];
    snprintf(page, sizeof(page), "/geschichte/%" PRId64, id);
    const char *headline = items.v[0].a->headline != NULL ? items.v[0].a->headline : "";
    snprintf(desc, sizeof(desc), "Alle Meldungen der Geschichte „%s“", headline);
    feed_names(f, headline, desc);
    feed_urls(f, page);
    feed_items(f, items.v, items.n, sizeof(*items.v));
    out->cacheable = 1;
    mld_page_add_key(out, mld_key_story(id).s);
    rc = put_feed(out, f, err);
    mld_items_dispose(&items);
    return rc;
}

/* A search's feed: /suche's parameters, never cached (page.c). */
static int
search_feed(struct mld_store *st, const struct mld_tmpl_set *tmpl, struct feed *f,
            const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
            struct mld_err *err)
{
    struct mld_page_search_result res;
    int rc = mld_page_search_feed(st, args, MLD_FEED_OUT_ITEMS, now, &res, err);
    if (rc == 0 && !res.ok) {
        rc = mld_page_error(st, tmpl, 400, res.msg, now, out, err);
    } else if (rc == 0) {
        char desc[MLD_SEARCH_MAX_QUERY_BYTES + 64];
        snprintf(desc, sizeof(desc), "Meldungen zur %s", res.title);
        feed_names(f, res.title, desc);
        feed_urls(f, res.page_url);
        feed_items(f, res.hits.v, res.hits.n, sizeof(*res.hits.v));
        rc = put_feed(out, f, err);
    }
    mld_page_search_result_dispose(&res);
    return rc;
}

int
mld_feed_out_render(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
                    const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                    struct mld_err *err)
{
    struct where w;
    int kind = parse_path(path, &w);
    if (kind == 0)
        return mld_page_error(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    if (kind == 2) {
        out->status = 301;
        out->cacheable = 1;
        snprintf(out->location, sizeof(out->location), "/%s", formats[FMT_RSS].file);
        return 0;
    }
    struct feed f = {.fmt = w.fmt};
    f.base = out->site != NULL && out->site->base_url != NULL ? out->site->base_url : "";
    f.site_name = out->site != NULL && out->site->name != NULL ? out->site->name : "meldung";
    set_host(&f);
    f.updated = now;
    int rc;
    if (w.scope == 'g')
        rc = story_feed(st, tmpl, &f, &w, now, out, err);
    else if (w.scope == 'q')
        rc = search_feed(st, tmpl, &f, args, now, out, err);
    else
        rc = list_feed(st, tmpl, &f, &w, now, out, err);
    feed_dispose(&f);
    return rc;
}

/* Links in the page's head ---------------------------------------------- */

/* Appends the three feeds of the page at path (a folder: "/ressort/x",
 * or "" for home) with query (or "") named name to v. */
static void
add_links(json_t *v, const char *base, const char *path, const char *query, const char *name)
{
    for (int i = 0; i < NFMT; i++) {
        struct mld_buf b;
        mld_buf_init(&b, 8192 + 4 * MLD_SEARCH_MAX_QUERY_BYTES);
        /* puts, not printf: every page has six of these */
        mld_buf_puts(&b, base);
        mld_buf_puts(&b, path);
        mld_buf_putc(&b, '/');
        mld_buf_puts(&b, formats[i].file);
        mld_buf_puts(&b, query);
        json_t *o = json_object();
        jset(o, "url", b.p);
        jset(o, "type", formats[i].link);
        mld_buf_reset(&b);
        mld_buf_puts(&b, name);
        mld_buf_puts(&b, " (");
        mld_buf_puts(&b, formats[i].label);
        mld_buf_putc(&b, ')');
        jset(o, "title", b.p);
        mld_buf_dispose(&b);
        json_array_append_new(v, o);
    }
}

void
mld_feed_out_links(json_t *ctx, const struct mld_page_site *site, const char *page_url)
{
    const char *base = site != NULL && site->base_url != NULL ? site->base_url : "";
    const char *sname = site != NULL && site->name != NULL ? site->name : "meldung";
    const char *title = json_string_value(json_object_get(ctx, "title"));
    size_t plen = strcspn(page_url, "?");
    json_t *v = json_array();
    char path[MLD_SLUG_MAX + 64], name[2048];
    snprintf(path, sizeof(path), "%.*s", (int)(plen < sizeof(path) ? plen : 0), page_url);
    if (title != NULL)
        snprintf(name, sizeof(name), "%s – %s", title, sname);
    else
        snprintf(name, sizeof(name), "%s", sname);
    struct where w;
    char probe[MLD_SLUG_MAX + 80];
    snprintf(probe, sizeof(probe), "%s/feed.xml", path);
    bool home = strcmp(path, "/") == 0;
    if (!home && parse_path(probe, &w) == 1 && w.scope != 'h') {
        /* a section, topic, story or search: its query, without paging */
        const char *query = w.scope == 'q' && page_url[plen] == '?' ? page_url + plen : "";
        if (w.scope != 'q' || query[0] != '\0')
            add_links(v, base, path, query, name);
    } else if (strncmp(path, "/artikel/", 9) == 0) {
        json_t *art = json_object_get(ctx, "article");
        const char *sec = json_string_value(json_object_get(art, "section"));
        const char *sec_url = json_string_value(json_object_get(art, "section_url"));
        if (sec != NULL && sec_url != NULL) {
            snprintf(name, sizeof(name), "%s – %s", sec, sname);
            add_links(v, base, sec_url, "", name);
        }
    }
    add_links(v, base, "", "", sname);
    json_object_set_new_nocheck(ctx, "feeds", v);
}
