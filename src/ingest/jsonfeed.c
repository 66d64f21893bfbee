/*
 * jsonfeed.c - JSON Feed 1.0 and 1.1 to articles (mld_format_jsonfeed).
 *
 * A JSON Feed is one object: "version" (https://jsonfeed.org/version/1 or
 * /version/1.1), feed metadata and "items", an array of item objects. The
 * document is read into the same model as RSS and Atom (struct mld_feed of
 * feed.h: a channel summary plus items), and the articles are made and
 * handed over by the rules of feed.c, so that a JSON Feed item and an RSS
 * item of the same content come out the same:
 *
 *   title                        -> feed title (the credit)
 *   description                  -> feed subtitle
 *   home_page_url, feed_url      -> feed link, self (and links)
 *   language                     -> feed language
 *   authors[] (1.1) / author (1.0)
 *                                -> feed author, and the author of items
 *                                   without their own (as the spec says)
 *   items[].id (a number is coerced to a string, as the spec asks)
 *                                -> id, then urn by mld_feed_urn(): a
 *                                   missing id falls back to url
 *   title                        -> headline (without one: the summary's
 *                                   or the content's text, cut)
 *   summary                      -> teaser (plain text, cut)
 *   content_html (sanitised, links made absolute against the item's url,
 *   else the feed's base), else content_text
 *   (escaped, one <p> per paragraph, <br> for single line breaks)
 *                                -> body_html; with the teaser -> text
 *   url (else external_url)      -> link; both also as links
 *   date_published, date_modified
 *                                -> published, updated; version_created
 *                                   is date_modified (date_source VERSION),
 *                                   else date_published (CREATED), else 0
 *                                   (SEEN: the pipeline dates it)
 *                                   (as feed.c does; RFC 3339, read with
 *                                   mld_feed_parse_date; unreadable dates
 *                                   count as absent, as in RSS and Atom)
 *   authors[] / author           -> author (names, ", "-joined)
 *   tags                         -> categories "tag:NAME"
 *   image, banner_image, attachments (mime_type, size_in_bytes, title
 *   as caption)                  -> media (web URLs, no duplicates; image
 *                                   and banner_image are pictures, an
 *                                   attachment's kind is its type's)
 *   language (else the feed's)   -> lang
 *
 * Relative URLs resolve against the URL the feed was fetched from, else
 * against its feed_url. The document is checked for size and, with a byte
 * scan, for nesting depth, then loaded with jansson. Fields meldung does
 * not model (icon, favicon, next_url, hubs, expired, "_" extensions ...)
 * are never looked at, so their content cannot fail a parse; a modelled
 * field of the wrong JSON type is MLD_E_PARSE naming its JSON position
 * ("feed.json: items[3].tags[0]: expected a string, got an integer"), a
 * syntax error names line and column. The first bad item stops the parse;
 * the items before it still go to the sink. Text fields longer than
 * MLD_MAX_FIELD_BYTES are cut (feed.c's rule); items past
 * MLD_MAX_FEED_ITEMS are not read (counted in the model's dropped), as
 * for RSS and Atom.
 */
#include "ingest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "feed.h"
#include "json.h"

/* How far into a document the sniffer looks for the "version" member. */
#define SNIFF_BYTES 4096

/* What the parse of one document carries along. */
struct ctx {
    const char *source;         /* names the input in messages */
    char where[64];             /* JSON position of the item being read: "items[3]" */
    char *base;                 /* the base for relative URLs, or NULL (owned) */
    struct mld_source base_src; /* src with url = base, for feed.c's helpers */
    struct mld_feed_reader r;   /* for feed.c's helpers: feed and base_src */
    const char *feed_key;       /* the feed's identity for mld_feed_urn, or NULL */
    struct mld_err *err;
};

static int fail(struct ctx *c, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets err to "source: where.field: message" (where or field may be empty
 * or NULL) and returns code. */
static int
fail(struct ctx *c, int code, const char *field, const char *fmt, ...)
{
    char msg[MLD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (field == NULL)
        field = "";
    const char *dot = c->where[0] != '\0' && field[0] != '\0' ? "." : "";
    return mld_err_set(c->err, code, "%s: %s%s%s: %s", c->source, c->where, dot, field, msg);
}

/* Points *s at string member key of obj (valid while obj lives) and *n at
 * its length; *s is NULL when the member is missing, null or "". field
 * names it in messages. */
static int
get_str(struct ctx *c, const json_t *obj, const char *key, const char *field, const char **s,
        size_t *n)
{
    *s = NULL;
    *n = 0;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(c, MLD_E_PARSE, field, "expected a string, got %s", mld_json_type_name(v));
    if (json_string_length(v) > 0) {
        *s = json_string_value(v);
        *n = json_string_length(v);
    }
    return 0;
}

/* Reads string member key into *out: a copy, NULL when missing, null or
 * "", MLD_E_TOOBIG past max bytes. */
static int
get_string(struct ctx *c, const json_t *obj, const char *key, const char *field, size_t max,
           char **out)
{
    const char *s;
    size_t n;
    *out = NULL;
    int rc = get_str(c, obj, key, field, &s, &n);
    if (rc != 0 || s == NULL)
        return rc;
    if (n > max)
        return fail(c, MLD_E_TOOBIG, field, "%zu bytes, more than %zu", n, max);
    *out = mld_strndup(s, n);
    return 0;
}

/* Reads URL member key resolved against the base into *out. */
static int
get_url(struct ctx *c, const json_t *obj, const char *key, const char *field, char **out)
{
    char *raw;
    *out = NULL;
    int rc = get_string(c, obj, key, field, MLD_MAX_FIELD_BYTES, &raw);
    if (rc != 0 || raw == NULL)
        return rc;
    *out = mld_feed_resolve_url(c->base_src.url, raw);
    mld_free(raw);
    return 0;
}

/* Reads timestamp member key into *out: 0 when missing, null or not a
 * readable date (as RSS and Atom dates); a non-string is an error. */
static int
get_time(struct ctx *c, const json_t *obj, const char *key, mld_time_t *out)
{
    const char *s;
    size_t n;
    *out = 0;
    const json_t *v = json_object_get(obj, key);
    if (v != NULL && !json_is_null(v) && !json_is_string(v))
        return fail(c, MLD_E_PARSE, key, "expected a timestamp string, got %s", mld_json_type_name(v));
    int rc = get_str(c, obj, key, key, &s, &n);
    if (rc == 0 && s != NULL && mld_feed_parse_date(s, n, out) != 0)
        *out = 0;
    return rc;
}

/* Authors, tags, media ------------------------------------------------------- */

/* Adds the name of one author object to a's author list. */
static int
add_author(struct ctx *c, const json_t *author, const char *field, struct mld_article *a)
{
    if (json_is_null(author))
        return 0;
    if (!json_is_object(author))
        return fail(c, MLD_E_PARSE, field, "expected an object, got %s", mld_json_type_name(author));
    char sub[64];
    snprintf(sub, sizeof(sub), "%s.name", field);
    char *name;
    int rc = get_string(c, author, "name", sub, MLD_MAX_FIELD_BYTES, &name);
    if (rc == 0 && name != NULL)
        mld_feed_add_author(a, name);
    mld_free(name);
    return rc;
}

/* Reads "authors" (1.1), or "author" (1.0) when there is no "authors",
 * into a->author. */
static int
read_authors(struct ctx *c, const json_t *obj, struct mld_article *a)
{
    const json_t *list = json_object_get(obj, "authors");
    if (list == NULL || json_is_null(list)) {
        const json_t *one = json_object_get(obj, "author");
        return one != NULL ? add_author(c, one, "author", a) : 0;
    }
    if (!json_is_array(list))
        return fail(c, MLD_E_PARSE, "authors", "expected an array, got %s", mld_json_type_name(list));
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n && i < MLD_MAX_CATEGORIES; i++) {
        char field[32];
        snprintf(field, sizeof(field), "authors[%zu]", i);
        int rc = add_author(c, json_array_get(list, i), field, a);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Adds "tag:NAME" for each string of "tags". */
static int
read_tags(struct ctx *c, const json_t *item, struct mld_article *a)
{
    const json_t *tags = json_object_get(item, "tags");
    if (tags == NULL || json_is_null(tags))
        return 0;
    if (!json_is_array(tags))
        return fail(c, MLD_E_PARSE, "tags", "expected an array, got %s", mld_json_type_name(tags));
    size_t n = json_array_size(tags);
    for (size_t i = 0; i < n && i < MLD_MAX_CATEGORIES; i++) {
        const json_t *v = json_array_get(tags, i);
        if (!json_is_string(v)) {
            char field[32];
            snprintf(field, sizeof(field), "tags[%zu]", i);
            return fail(c, MLD_E_PARSE, field, "expected a string, got %s", mld_json_type_name(v));
        }
        mld_feed_add_tag(a, json_string_value(v));
    }
    return 0;
}

/* Reads one attachment object into a media object and an enclosure link. */
static int
read_attachment(struct ctx *c, const json_t *att, size_t i, struct mld_feed_item *it)
{
    char field[32], f_url[48], f_type[48], f_title[48], f_size[48];
    snprintf(field, sizeof(field), "attachments[%zu]", i);
    if (!json_is_object(att))
        return fail(c, MLD_E_PARSE, field, "expected an object, got %s", mld_json_type_name(att));
    snprintf(f_url, sizeof(f_url), "%s.url", field);
    snprintf(f_type, sizeof(f_type), "%s.mime_type", field);
    snprintf(f_title, sizeof(f_title), "%s.title", field);
    snprintf(f_size, sizeof(f_size), "%s.size_in_bytes", field);
    char *url = NULL, *type = NULL, *title = NULL;
    int rc;
    if ((rc = get_string(c, att, "url", f_url, MLD_MAX_FIELD_BYTES, &url)) != 0 ||
        (rc = get_string(c, att, "mime_type", f_type, MLD_MAX_ID_BYTES, &type)) != 0 ||
        (rc = get_string(c, att, "title", f_title, MLD_MAX_FIELD_BYTES, &title)) != 0)
        goto out;
    int64_t length = 0;
    const json_t *size = json_object_get(att, "size_in_bytes");
    if (json_is_integer(size) && json_integer_value(size) > 0)
        length = (int64_t)json_integer_value(size);
    else if (json_is_real(size) && json_real_value(size) >= 1 && json_real_value(size) < 9e18)
        length = (int64_t)json_real_value(size);
    else if (size != NULL && !json_is_null(size) && !json_is_number(size))
        rc = fail(c, MLD_E_PARSE, f_size, "expected a number, got %s", mld_json_type_name(size));
    if (rc == 0 && url != NULL) {
        mld_feed_add_media(&c->r, NULL, it->article, url, type, length, title);
        mld_feed_link_add(&c->r, NULL, url, "enclosure", type, title, length, &it->links,
                          &it->nlinks);
    }
out:
    mld_free(url);
    mld_free(type);
    mld_free(title);
    return rc;
}

/* Adds image, banner_image and the attachments as media, in that order. */
static int
read_media(struct ctx *c, const json_t *item, struct mld_feed_item *it)
{
    static const char *const images[] = {"image", "banner_image"};
    for (size_t k = 0; k < 2; k++) {
        char *url;
        int rc = get_string(c, item, images[k], images[k], MLD_MAX_FIELD_BYTES, &url);
        if (rc != 0)
            return rc;
        /* Both name a picture, whatever the URL looks like. */
        struct mld_media *m = mld_feed_add_media(&c->r, NULL, it->article, url, NULL, 0, NULL);
        if (m != NULL)
            m->kind = MLD_MEDIA_PICTURE;
        mld_free(url);
    }
    const json_t *list = json_object_get(item, "attachments");
    if (list == NULL || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return fail(c, MLD_E_PARSE, "attachments", "expected an array, got %s", mld_json_type_name(list));
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n && i < MLD_MAX_MEDIA; i++) {
        int rc = read_attachment(c, json_array_get(list, i), i, it);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Items ---------------------------------------------------------------------- */

/* Reads the item's id into it->id: a string as given (trimmed), a number
 * coerced to its decimal form, NULL when missing, null or blank. */
static int
read_id(struct ctx *c, const json_t *item, struct mld_feed_item *it)
{
    const json_t *v = json_object_get(item, "id");
    char num[64];
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        it->id = mld_strdup(num);
        return 0;
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        it->id = mld_strdup(num);
        return 0;
    }
    const char *s;
    size_t n;
    int rc = get_str(c, item, "id", "id", &s, &n);
    if (rc != 0 || s == NULL)
        return rc;
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    /* An overlong id still identifies: mld_feed_urn hashes it. */
    if (n > 0)
        it->id = mld_strndup(s, n < MLD_MAX_FIELD_BYTES ? n : MLD_MAX_FIELD_BYTES);
    return 0;
}

/* Reads a text member into t through feed.c (plain text folded; HTML
 * sanitised with links made absolute when with_html). */
static int
read_text(struct ctx *c, const json_t *obj, const char *key, enum mld_feed_type type,
          bool with_html, struct mld_feed_text *t)
{
    const char *s;
    size_t n;
    int rc = get_str(c, obj, key, key, &s, &n);
    if (rc == 0 && s != NULL)
        mld_feed_text_set(&c->r, NULL, s, n, type, with_html, t);
    return rc;
}

/* True when t holds HTML with something left after sanitising. */
static bool
has_html(const struct mld_feed_text *t)
{
    return t->html != NULL && t->html[0] != '\0';
}

/* Reads the body: content_html, else (or when nothing of it survives the
 * sanitiser) content_text. */
static int
read_content(struct ctx *c, const json_t *item, struct mld_feed_item *it)
{
    int rc = read_text(c, item, "content_html", MLD_FEED_HTML, true, &it->content);
    if (rc != 0 || has_html(&it->content))
        return rc;
    const char *s;
    size_t n;
    rc = get_str(c, item, "content_text", "content_text", &s, &n);
    if (rc == 0 && s != NULL)
        mld_feed_text_set(&c->r, NULL, s, n, MLD_FEED_PLAIN, true, &it->content);
    return rc;
}

/* Reads one item object into a new item of the model. */
static int
read_item(struct ctx *c, const json_t *item)
{
    if (!json_is_object(item))
        return fail(c, MLD_E_PARSE, NULL, "expected an object, got %s", mld_json_type_name(item));
    struct mld_feed_item *it = mld_feed_item_add(c->r.feed);
    if (it == NULL)
        return 0; /* past MLD_MAX_FEED_ITEMS: counted in dropped */
    struct mld_article *a = it->article;
    char *url = NULL, *external = NULL;
    int rc;
    if ((rc = read_id(c, item, it)) != 0 || (rc = get_url(c, item, "url", "url", &url)) != 0 ||
        (rc = get_url(c, item, "external_url", "external_url", &external)) != 0)
        goto out;
    if (url != NULL)
        mld_feed_link_add(&c->r, NULL, url, "alternate", NULL, NULL, 0, &it->links, &it->nlinks);
    if (external != NULL)
        mld_feed_link_add(&c->r, NULL, external, "related", NULL, NULL, 0, &it->links, &it->nlinks);
    /* As in RSS and Atom, links in the item's HTML are relative to the
     * item's own page. */
    c->r.item_link = url;
    if ((rc = get_time(c, item, "date_published", &it->published)) != 0 ||
        (rc = get_time(c, item, "date_modified", &it->updated)) != 0 ||
        (rc = read_text(c, item, "title", MLD_FEED_PLAIN, false, &it->title)) != 0 ||
        (rc = read_text(c, item, "summary", MLD_FEED_PLAIN, true, &it->summary)) != 0 ||
        (rc = read_content(c, item, it)) != 0 ||
        (rc = get_string(c, item, "language", "language", MLD_MAX_ID_BYTES, &it->lang)) != 0 ||
        (rc = read_authors(c, item, a)) != 0 || (rc = read_tags(c, item, a)) != 0 ||
        (rc = read_media(c, item, it)) != 0)
        goto out;
    /* The article as RSS and Atom items make it (feed.c). The spec's
     * fallback for a missing id is the url (rule 3 of mld_feed_urn), so
     * only the url is the link while the urn is made; external_url points
     * elsewhere and never identifies, but is the link when there is no
     * url. */
    if (mld_feed_url_is_web(url))
        a->link = mld_strdup(url);
    mld_feed_finish_item(c->r.feed, it, c->feed_key);
    if (a->link == NULL && mld_feed_url_is_web(external))
        a->link = mld_strdup(external);
    /* The spec: the feed's authors are the authors of items without their
     * own. */
    if (a->author == NULL)
        a->author = mld_strdup(c->r.feed->author);
out:
    c->r.item_link = NULL;
    if (rc != 0) {
        /* The bad item is not handed over; the ones before it are. */
        mld_article_free(a);
        it->article = NULL;
    }
    mld_free(url);
    mld_free(external);
    return rc;
}

/* The document --------------------------------------------------------------- */

/* Returns 10 or 11 when v (the "version" member) names JSON Feed 1.0 or
 * 1.1: the URL form "https://jsonfeed.org/version/1" or ".../1.1" (also
 * over http, with a trailing slash), or the bare "1", "1.0", "1.1" some
 * generators write; else 0. */
static int
version_of(const char *v, size_t n)
{
    static const char *const forms[] = {"https://jsonfeed.org/version/1",
                                        "http://jsonfeed.org/version/1",
                                        "https://www.jsonfeed.org/version/1", "1"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t fn = strlen(forms[i]);
        if (n < fn || memcmp(v, forms[i], fn) != 0)
            continue;
        const char *rest = v + fn;
        size_t rn = n - fn;
        if (rn > 0 && rest[rn - 1] == '/')
            rn--;
        if (rn == 0 || (rn == 2 && rest[0] == '.' && rest[1] == '0'))
            return 10;
        if (rn == 2 && rest[0] == '.' && rest[1] == '1')
            return 11;
    }
    return 0;
}

static bool
is_json_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Looks within the first SNIFF_BYTES of an object for a "version" member
 * whose string value is JSON Feed 1.x. The bare "1.x" forms count only
 * when an "items" member is in sight too, since nothing else marks such a
 * document as a feed. */
static bool
jsonfeed_sniff(const char *doc, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && is_json_space(doc[i]))
        i++;
    if (i >= len || doc[i] != '{')
        return false;
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
    const char *p = doc, *end = doc + n;
    while ((p = memmem(p, (size_t)(end - p), "\"version\"", 9)) != NULL) {
        const char *q = p + 9;
        p = q;
        while (q < end && is_json_space(*q))
            q++;
        if (q >= end || *q != ':')
            continue;
        q++;
        while (q < end && is_json_space(*q))
            q++;
        if (q >= end || *q != '"')
            continue;
        const char *v = ++q;
        while (q < end && *q != '"' && *q != '\\')
            q++;
        if (q >= end || *q != '"' || version_of(v, (size_t)(q - v)) == 0)
            continue;
        if (v[0] != '1')
            return true;
        return memmem(doc, n, "\"items\"", 7) != NULL;
    }
    return false;
}

/* Reads the feed-level fields into the model and sets the base URL and
 * the feed key. */
static int
read_feed(struct ctx *c, const json_t *root, const struct mld_source *src)
{
    struct mld_feed *f = c->r.feed;
    const json_t *version = json_object_get(root, "version");
    if (version == NULL || json_is_null(version))
        return fail(c, MLD_E_MISSING, "version", "missing: not a JSON Feed");
    if (!json_is_string(version))
        return fail(c, MLD_E_PARSE, "version", "expected a string, got %s", mld_json_type_name(version));
    int v = version_of(json_string_value(version), json_string_length(version));
    if (v == 0)
        return fail(c, MLD_E_UNSUPPORTED, "version", "\"%.60s\" is not JSON Feed 1.0 or 1.1",
                    json_string_value(version));
    f->version = v == 10 ? "json10" : "json11";
    int rc;
    char *home = NULL, *self = NULL;
    const size_t max = MLD_MAX_FIELD_BYTES;
    if ((rc = get_string(c, root, "home_page_url", "home_page_url", max, &home)) != 0 ||
        (rc = get_string(c, root, "feed_url", "feed_url", max, &self)) != 0)
        goto out;
    /* Relative URLs resolve against where the feed was fetched; failing
     * that, against the URL the feed gives for itself. */
    const char *base = src != NULL && mld_feed_url_is_web(src->url) ? src->url
                       : mld_feed_url_is_web(self)                  ? self
                                                                    : NULL;
    c->base = mld_strdup(base);
    c->base_src.url = c->base;
    f->link = mld_feed_resolve_url(c->base_src.url, home);
    f->self = mld_feed_resolve_url(c->base_src.url, self);
    if (f->link != NULL)
        mld_feed_link_add(&c->r, NULL, f->link, "alternate", NULL, NULL, 0, &f->links, &f->nlinks);
    if (f->self != NULL)
        mld_feed_link_add(&c->r, NULL, f->self, "self", NULL, NULL, 0, &f->links, &f->nlinks);
    c->feed_key = mld_feed_url_is_web(f->link)   ? f->link
                  : mld_feed_url_is_web(f->self) ? f->self
                  : src != NULL                  ? src->url
                                                 : NULL;
    struct mld_article names = {0};
    if ((rc = read_text(c, root, "title", MLD_FEED_PLAIN, false, &f->title)) != 0 ||
        (rc = read_text(c, root, "description", MLD_FEED_PLAIN, false, &f->subtitle)) != 0 ||
        (rc = get_string(c, root, "language", "language", MLD_MAX_ID_BYTES, &f->lang)) != 0 ||
        (rc = read_authors(c, root, &names)) != 0) {
        mld_free(names.author);
        goto out;
    }
    f->author = names.author;
out:
    mld_free(home);
    mld_free(self);
    return rc;
}

/* Reads a JSON Feed document into a new model *out (free with
 * mld_feed_free), articles made. On an error in an item, *out still holds
 * the items before it and the error is returned; on other errors *out is
 * NULL. The tests and conformance runners, which #include this file, read
 * the channel summary from here. */
static int
jsonfeed_read(const char *doc, size_t len, const struct mld_source *src, struct mld_feed **out,
              struct mld_err *err)
{
    struct ctx c = {.source = src && src->name ? src->name : "(input)", .err = err};
    *out = NULL;
    json_t *root;
    int rc = mld_json_load(doc, len, c.source, &root, err);
    if (rc != 0)
        return rc;
    struct mld_feed *f = MLD_NEW(struct mld_feed);
    f->format = "jsonfeed";
    f->version = "json";
    memcpy(f->charset, "utf-8", 6);
    c.base_src = (struct mld_source){.name = c.source, .url = NULL};
    c.r = (struct mld_feed_reader){.feed = f, .src = &c.base_src, .name = c.source};
    if (!json_is_object(root)) {
        rc = mld_err_set(err, MLD_E_PARSE, "%s: expected a JSON object, got %s", c.source,
                         mld_json_type_name(root));
        goto fail;
    }
    if ((rc = read_feed(&c, root, src)) != 0)
        goto fail;
    const json_t *items = json_object_get(root, "items");
    if (items == NULL || json_is_null(items)) {
        rc = fail(&c, MLD_E_MISSING, "items", "missing");
        goto fail;
    }
    if (!json_is_array(items)) {
        rc = fail(&c, MLD_E_PARSE, "items", "expected an array, got %s", mld_json_type_name(items));
        goto fail;
    }
    size_t n = json_array_size(items);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i >= MLD_MAX_FEED_ITEMS) {
            f->dropped = (int)(n - i); /* not even looked at */
            break;
        }
        snprintf(c.where, sizeof(c.where), "items[%zu]", i);
        rc = read_item(&c, json_array_get(items, i));
    }
    *out = f;
    mld_free(c.base);
    json_decref(root);
    return rc;

fail:
    mld_feed_free(f);
    mld_free(c.base);
    json_decref(root);
    return rc;
}

static int
jsonfeed_parse(const char *doc, size_t len, const struct mld_source *src, mld_article_sink_fn sink,
               void *ud, struct mld_err *err)
{
    struct mld_feed *f;
    struct mld_err item_err = {0};
    int rc = jsonfeed_read(doc, len, src, &f, &item_err);
    if (f == NULL) {
        if (err != NULL)
            *err = item_err;
        return rc;
    }
    int emitted = mld_feed_emit(f, src && src->name ? src->name : "(input)", sink, ud, err);
    mld_feed_free(f);
    if (emitted != 0)
        return emitted;
    if (rc != 0 && err != NULL)
        *err = item_err;
    return rc;
}

const struct mld_format mld_format_jsonfeed = {
    .name = "jsonfeed",
    .sniff = jsonfeed_sniff,
    .parse = jsonfeed_parse,
};
