/*
 * api.c - the JSON article API under /api/v1/ (see api.h, docs/api.md).
 *
 * Each answer is a struct mld_page with a JSON body, so site.c caches it
 * with a gzip copy and an ETag and drops it by change key like a page:
 * the list heads, sections and topics by "all" (every stored version and
 * every embargo release logs it), an article by its "a:ID", a story by
 * its "g:ID". Pages of a list past its head (a cursor) or with a date
 * window are rendered per request - they still carry an ETag, so a
 * client polling one gets 304 - and /changes is never kept by anyone
 * (Cache-Control: no-store): its answer moves with the clock.
 *
 * Cursors are opaque to clients: base64url of "a.PUBLISHED.ID" (the last
 * item of a list page; the next page starts strictly after it in the
 * order published DESC, id DESC, so articles stored meanwhile cannot
 * shift it) or "c.SEQ.RELEASED.RELEASED_ID" (a change-feed position, see
 * mld_store_api_changes). Messages are German like the search API's.
 */
#include "api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "../text/highlight.h"
#include "../text/slug.h"
#include "openapi.h"

#define V1 "/api/v1"

/* Shared helpers ----------------------------------------------------------- */

json_t *
mld_api_str(const char *s)
{
    return s != NULL ? json_stringn(s, mld_utf8_valid_len(s, strlen(s))) : json_null();
}

/* An ISO 8601 UTC string of t, or null for 0 (unknown). */
static json_t *
time_json(mld_time_t t)
{
    if (t <= 0)
        return json_null();
    char buf[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(t, buf);
    return json_string(buf);
}

/* A positive integer, or null for 0 (unknown). */
static json_t *
size_json(int v)
{
    return v > 0 ? json_integer(v) : json_null();
}

bool
mld_api_path(const char *path)
{
    return strncmp(path, MLD_API_ROOT, strlen(MLD_API_ROOT)) == 0;
}

void
mld_api_bad_value(char *msg, size_t size, const char *name, const char *value, const char *expect)
{
    bool show = strlen(value) <= 40;
    for (const char *p = value; show && *p; p++)
        show = *p >= 0x20 && *p < 0x7f;
    if (show)
        snprintf(msg, size, "Ungültiger Wert für „%s“: „%s“ – erwartet %s.", name, value, expect);
    else
        snprintf(msg, size, "Ungültiger Wert für „%s“ – erwartet %s.", name, expect);
}

bool
mld_api_parse_count(const char *s, long min, long max, int *out)
{
    if (s[0] < '0' || s[0] > '9' || strlen(s) > 9)
        return false;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

/* The number written with the n decimal digits at s. */
static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool
mld_api_parse_when(const char *s, bool end, mld_time_t *out)
{
    size_t n = strlen(s);
    if (n > 64)
        return false;
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        for (size_t i = 0; i < n; i++)
            if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                return false;
        mld_time_t t;
        if (mld_time_parse_iso(s, n, &t) != 0) /* checks the day exists */
            return false;
        int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
        mld_time_t utc = mld_time_from_civil(y, m, d + (end ? 1 : 0), 0, 0, 0);
        /* Berlin changes offset at 01:00 UTC, never between local and UTC midnight. */
        *out = utc - mld_time_berlin_offset(utc);
        return true;
    }
    return mld_time_parse_iso(s, n, out) == 0;
}

/* Snippets ------------------------------------------------------------------ */

/* Length of the character reference at s ("&amp;", "&#228;", "&#xE4;"),
 * or 0 when s does not start one. */
static size_t
entity_len(const char *s)
{
    size_t i = 1, start;
    if (s[1] == '#') {
        bool hex = s[2] == 'x' || s[2] == 'X';
        i = start = hex ? 3 : 2;
        while (i - start < 7 &&
               ((s[i] >= '0' && s[i] <= '9') ||
                (hex && ((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))))
            i++;
    } else {
        start = 1;
        while (i - start < 10 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                                  (s[i] >= '0' && s[i] <= '9')))
            i++;
    }
    return i > start && s[i] == ';' ? i + 1 : 0;
}

/* Appends snippet s to b as HTML of text and unnested <mark> elements
 * only (see mld_api_snippet_json). */
static void
put_snippet(struct mld_buf *b, const char *s)
{
    bool open = false;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        const char *p = s + i;
        size_t k;
        if (!open && strncmp(p, "<mark>", 6) == 0) {
            open = true;
            k = 6;
            mld_buf_append(b, p, k);
        } else if (open && strncmp(p, "</mark>", 7) == 0) {
            open = false;
            k = 7;
            mld_buf_append(b, p, k);
        } else if (*p == '&' && (k = entity_len(p)) > 0) {
            mld_buf_append(b, p, k);
        } else if (strchr("<>&\"'", *p) != NULL) {
            k = 1;
            mld_buf_append_html(b, p, 1);
        } else {
            utf8proc_int32_t c;
            utf8proc_ssize_t len =
                utf8proc_iterate((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)(n - i), &c);
            k = len > 0 ? (size_t)len : 1;
            if (len > 0) /* an invalid byte is dropped */
                mld_buf_append(b, p, k);
        }
        i += k;
    }
    if (open)
        mld_buf_puts(b, "</mark>");
}

json_t *
mld_api_snippet_json(const char *html)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_PAGE_BYTES);
    put_snippet(&b, html != NULL ? html : "");
    json_t *v = json_stringn(b.p != NULL ? b.p : "", b.len);
    mld_buf_dispose(&b);
    return v;
}

/* The item ------------------------------------------------------------------ */

/* {name, slug} of each topic of a that has a slug, in rank order. */
static json_t *
topics_json(const struct mld_article *a)
{
    json_t *v = json_array();
    for (int i = 0; i < a->ntopics && i < MLD_MAX_TOPICS; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        json_t *t = json_object();
        json_object_set_new(t, "name", mld_api_str(a->topics[i]));
        json_object_set_new(t, "slug", json_string(slug));
        json_array_append_new(v, t);
    }
    return v;
}

json_t *
mld_api_item_json(const struct mld_item *it)
{
    const struct mld_article *a = it->a;
    char url[MLD_SLUG_MAX + 64];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(it->id));
    json_object_set_new(o, "urn", mld_api_str(a->urn));
    mld_page_article_path(it->slug, it->id, url, sizeof(url));
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "headline", mld_api_str(a->headline));
    json_object_set_new(o, "kicker", mld_api_str(a->kicker));
    json_object_set_new(o, "teaser", mld_api_str(a->teaser));
    json_object_set_new(o, "published", time_json(it->published));
    json_object_set_new(o, "updated", time_json(a->version_created));
    json_object_set_new(o, "version", json_integer(a->version));
    json_t *sec = json_null();
    if (a->section != NULL && it->section_slug != NULL) {
        sec = json_object();
        json_object_set_new(sec, "name", mld_api_str(a->section));
        json_object_set_new(sec, "slug", mld_api_str(it->section_slug));
    }
    json_object_set_new(o, "section", sec);
    json_object_set_new(o, "topics", topics_json(a));
    json_object_set_new(o, "story_id", json_integer(it->story_id));
    json_object_set_new(o, "credit", mld_api_str(a->credit));
    const struct mld_media *pic = mld_article_first_picture(a);
    json_t *img = json_null();
    if (pic != NULL) {
        img = json_object();
        json_object_set_new(img, "url", mld_api_str(pic->url));
        json_object_set_new(img, "width", size_json(pic->width));
        json_object_set_new(img, "height", size_json(pic->height));
        json_object_set_new(img, "alt", mld_api_str(pic->alt ? pic->alt : pic->caption));
        json_object_set_new(img, "credit", mld_api_str(pic->credit));
    }
    json_object_set_new(o, "image", img);
    return o;
}

json_t *
mld_api_hit_snippet_json(const struct mld_hit *h)
{
    char *html = mld_highlight_html(h->snippet, h->marks, h->nmarks);
    json_t *v = mld_api_snippet_json(html);
    mld_free(html);
    return v;
}

json_t *
mld_api_hit_json(const struct mld_hit *h)
{
    json_t *o = mld_api_item_json(&h->item);
    json_object_set_new(o, "snippet", mld_api_hit_snippet_json(h));
    json_object_set_new(o, "score", json_real(h->score));
    return o;
}

/* Answers ------------------------------------------------------------------- */

/* Appends serialised JSON to the buffer ud (json_dump_callback). */
static int
dump_to_buf(const char *s, size_t n, void *ud)
{
    return mld_buf_append(ud, s, n) == 0 ? 0 : -1;
}

int
mld_api_answer(struct mld_page *out, int status, json_t *v, struct mld_err *err)
{
    out->status = status;
    out->content_type = MLD_PAGE_JSON_TYPE;
    json_dump_callback(v, dump_to_buf, &out->body, JSON_COMPACT);
    json_decref(v);
    mld_buf_putc(&out->body, '\n');
    if (mld_buf_error(&out->body) != 0)
        return mld_err_set(err, MLD_E_TOOBIG, "API: answer exceeds %u bytes",
                           (unsigned)MLD_MAX_PAGE_BYTES);
    return 0;
}

int
mld_api_error(struct mld_page *out, int status, const char *msg, struct mld_err *err)
{
    json_t *v = json_object();
    json_object_set_new(v, "error", mld_api_str(msg));
    return mld_api_answer(out, status, v, err);
}

/* Parameter name of args, or NULL when absent or empty. */
static const char *
arg(const struct mld_page_args *args, const char *name)
{
    const char *v = args != NULL ? args->get(args->ud, name) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Cursors ------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes text as unpadded base64url to out (size bytes). */
static void
cursor_encode(const char *text, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    for (size_t i = 0; i < n && o + 5 < size; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
}

/* Decodes cursor s into the kind letter and up to four numbers; false
 * when s is not a cursor of that kind with exactly n numbers. */
static bool
cursor_decode(const char *s, char kind, int n, int64_t *v)
{
    size_t len = strlen(s);
    if (len == 0 || len > MLD_API_MAX_CURSOR || len % 4 == 1)
        return false;
    char text[MLD_API_MAX_CURSOR];
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *c = strchr(b64, s[i]);
        if (c == NULL || s[i] == '\0')
            return false;
        acc = (acc << 6) | (unsigned)(c - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            text[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    text[o] = '\0';
    if (o < 3 || text[0] != kind || text[1] != '.')
        return false;
    const char *p = text + 2;
    for (int i = 0; i < n; i++) {
        if (*p < '0' || *p > '9')
            return false;
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (errno != 0 || x < 0 || end - p > 19)
            return false;
        v[i] = x;
        p = end;
        if (i + 1 < n && *p++ != '.')
            return false;
    }
    return *p == '\0';
}

/* The change-feed cursor c as text (size bytes). */
static void
change_cursor(const struct mld_api_cursor *c, char *out, size_t size)
{
    char text[96];
    snprintf(text, sizeof(text), "c.%" PRId64 ".%" PRId64 ".%" PRId64 ".%" PRId64, c->seq,
             (int64_t)c->released, c->released_id, c->edit_seq);
    cursor_encode(text, out, size);
}

/* Appends "?name=value" or "&name=value" (value percent-encoded but for
 * the RFC 3986 unreserved bytes) to the URL in b; nothing for NULL. */
static void
put_param(struct mld_buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (value == NULL || value[0] == '\0')
        return;
    mld_buf_putc(b, memchr(b->p, '?', b->len) != NULL ? '&' : '?');
    mld_buf_puts(b, name);
    mld_buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            mld_buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            mld_buf_append(b, e, 3);
        }
    }
}

/* Sets key of o to the URL path with the name/value pairs of kv (NULL
 * name ends; NULL values are left out). */
static void
set_url(json_t *o, const char *key, const char *path, const char *const *kv)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_CACHE_MAX_KEY_BYTES);
    mld_buf_puts(&b, path);
    for (; kv[0] != NULL; kv += 2)
        put_param(&b, kv[0], kv[1]);
    char *url = mld_buf_steal(&b, NULL);
    json_object_set_new(o, key, json_string(url));
    mld_free(url);
    mld_buf_dispose(&b);
}

/* Sets "changes" of o to the change-feed URL that starts at c. */
static void
set_changes_url(json_t *o, const struct mld_api_cursor *c)
{
    char cur[MLD_API_MAX_CURSOR + 1];
    change_cursor(c, cur, sizeof(cur));
    const char *kv[] = {"since", cur, NULL};
    set_url(o, "changes", V1 "/changes", kv);
}

/* Reads parameter limit (default MLD_API_DEFAULT_LIMIT) into *limit;
 * false with msg set when it is bad. */
static bool
parse_limit(const struct mld_page_args *args, int *limit, char *msg, size_t size)
{
    const char *v = arg(args, "limit");
    *limit = MLD_API_DEFAULT_LIMIT;
    if (v == NULL || mld_api_parse_count(v, 1, MLD_API_MAX_LIMIT, limit))
        return true;
    char expect[64];
    snprintf(expect, sizeof(expect), "eine Zahl von 1 bis %d", MLD_API_MAX_LIMIT);
    mld_api_bad_value(msg, size, "limit", v, expect);
    return false;
}

/* Checks filter slug value of parameter name against the store with
 * lookup; false with msg set when it is no slug or no article has it. */
static bool
check_slug(struct mld_store *st, const char *name, const char *value,
           char *(*lookup)(struct mld_store *, const char *), const char *what, char *msg,
           size_t size)
{
    if (!mld_page_is_slug(value, MLD_SLUG_MAX)) {
        mld_api_bad_value(msg, size, name, value,
                          "ein Kürzel aus Kleinbuchstaben, Ziffern und „-“");
        return false;
    }
    char *display = lookup(st, value);
    if (display == NULL) {
        snprintf(msg, size, "Unbekanntes %s „%s“.", what, value);
        return false;
    }
    mld_free(display);
    return true;
}

/* Endpoints ------------------------------------------------------------------ */

/* Reads and checks the parameters of /articles into q; false with msg set
 * when one is invalid. */
static bool
articles_query(struct mld_store *st, const struct mld_page_args *args, struct mld_api_query *q,
               char *msg, size_t size)
{
    const char *v;
    static const char when[] = "ein Datum JJJJ-MM-TT (etwa 2026-01-30) oder einen Zeitpunkt nach "
                               "ISO 8601";
    if (!parse_limit(args, &q->limit, msg, size))
        return false;
    if ((v = arg(args, "since")) != NULL && !mld_api_parse_when(v, false, &q->since)) {
        mld_api_bad_value(msg, size, "since", v, when);
        return false;
    }
    if ((v = arg(args, "until")) != NULL && !mld_api_parse_when(v, true, &q->until)) {
        mld_api_bad_value(msg, size, "until", v, when);
        return false;
    }
    if (q->since > 0 && q->until > 0 && q->since >= q->until) {
        snprintf(msg, size, "Der Zeitraum ist leer: „since“ liegt nach „until“.");
        return false;
    }
    if ((v = arg(args, "story")) != NULL && (q->story_id = mld_page_parse_id(v)) <= 0) {
        mld_api_bad_value(msg, size, "story", v, "die Nummer einer Geschichte");
        return false;
    }
    if ((v = arg(args, "cursor")) != NULL) {
        int64_t c[2];
        if (!cursor_decode(v, 'a', 2, c) || c[1] <= 0) {
            mld_api_bad_value(msg, size, "cursor", v,
                              "den Wert von „next_cursor“ aus einer früheren Antwort");
            return false;
        }
        q->after_published = c[0];
        q->after_id = c[1];
    }
    q->section_slug = arg(args, "section");
    q->topic_slug = arg(args, "topic");
    if (q->section_slug != NULL &&
        !check_slug(st, "section", q->section_slug, mld_store_section_name, "Ressort", msg, size))
        return false;
    if (q->topic_slug != NULL &&
        !check_slug(st, "topic", q->topic_slug, mld_store_topic_name, "Thema", msg, size))
        return false;
    return true;
}

/* GET /api/v1/articles */
static int
articles(struct mld_store *st, const struct mld_page_args *args, mld_time_t now,
         struct mld_page *out, struct mld_err *err)
{
    struct mld_api_query q = {.now = now};
    char msg[320];
    if (!articles_query(st, args, &q, msg, sizeof(msg)))
        return mld_api_error(out, 400, msg, err);
    /* The feed's position in the list's snapshot: /changes from it
     * reports what is stored after this answer, and nothing it shows. */
    struct mld_api_cursor head;
    struct mld_items items = {0};
    bool more = false;
    int rc = mld_store_api_articles(st, &q, &items, &more, &head, err);
    if (rc != 0)
        return rc;
    json_t *v = json_object(), *list = json_array();
    for (int i = 0; i < items.n; i++)
        json_array_append_new(list, mld_api_item_json(&items.v[i]));
    json_object_set_new(v, "items", list);
    json_object_set_new(v, "limit", json_integer(q.limit));
    json_object_set_new(v, "more", json_boolean(more));
    if (more && items.n > 0) {
        const struct mld_item *last = &items.v[items.n - 1];
        char text[64], cur[MLD_API_MAX_CURSOR + 1], limit[16];
        snprintf(text, sizeof(text), "a.%" PRId64 ".%" PRId64, (int64_t)last->published, last->id);
        cursor_encode(text, cur, sizeof(cur));
        snprintf(limit, sizeof(limit), "%d", q.limit);
        const char *kv[] = {"section", q.section_slug,
                            "topic",   q.topic_slug,
                            "story",   arg(args, "story"),
                            "since",   arg(args, "since"),
                            "until",   arg(args, "until"),
                            "limit",   q.limit != MLD_API_DEFAULT_LIMIT ? limit : NULL,
                            "cursor",  cur,
                            NULL};
        json_object_set_new(v, "next_cursor", json_string(cur));
        set_url(v, "next", V1 "/articles", kv);
    } else {
        json_object_set_new(v, "next_cursor", json_null());
        json_object_set_new(v, "next", json_null());
    }
    set_changes_url(v, &head);
    mld_items_dispose(&items);
    mld_page_add_key(out, mld_key_all().s);
    out->cacheable = 1;
    return mld_api_answer(out, 200, v, err);
}

/* The name of pubstatus s in the API. */
static const char *
status_name(enum mld_pubstatus s)
{
    switch (s) {
    case MLD_PUB_USABLE: return "usable";
    case MLD_PUB_WITHHELD: return "withheld";
    case MLD_PUB_CANCELED: return "canceled";
    case MLD_PUB_HELD: return "held";
    }
    return "usable";
}

/* The name of media kind k in the API. */
static const char *
kind_name(enum mld_media_kind k)
{
    switch (k) {
    case MLD_MEDIA_PICTURE: return "picture";
    case MLD_MEDIA_AUDIO: return "audio";
    case MLD_MEDIA_VIDEO: return "video";
    case MLD_MEDIA_OTHER: return "other";
    }
    return "other";
}

/* The media of a as [{kind, url, type, width, height, caption, credit, alt}]. */
static json_t *
media_json(const struct mld_article *a)
{
    json_t *v = json_array();
    for (int i = 0; i < a->nmedia; i++) {
        const struct mld_media *m = &a->media[i];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(kind_name(m->kind)));
        json_object_set_new(o, "url", mld_api_str(m->url));
        json_object_set_new(o, "type", mld_api_str(m->type));
        json_object_set_new(o, "width", size_json(m->width));
        json_object_set_new(o, "height", size_json(m->height));
        json_object_set_new(o, "caption", mld_api_str(m->caption));
        json_object_set_new(o, "credit", mld_api_str(m->credit));
        json_object_set_new(o, "alt", mld_api_str(m->alt));
        json_array_append_new(v, o);
    }
    return v;
}

/* GET /api/v1/articles/ID */
static int
article(struct mld_store *st, const char *ref, mld_time_t now, struct mld_page *out,
        struct mld_err *err)
{
    int64_t id = mld_page_parse_id(ref);
    char msg[160];
    if (id <= 0) {
        snprintf(msg, sizeof(msg),
                 "Keine Meldung unter dieser Adresse: die Nummer einer "
                 "Meldung ist eine Zahl.");
        return mld_api_error(out, 404, msg, err);
    }
    struct mld_item it;
    int rc = mld_store_get(st, id, &it, err);
    if (rc == MLD_E_NOTFOUND) { /* not cached: random ids must not fill the cache */
        mld_err_clear(err);
        snprintf(msg, sizeof(msg), "Keine Meldung mit der Nummer %" PRId64 ".", id);
        return mld_api_error(out, 404, msg, err);
    }
    if (rc != 0)
        return rc;
    mld_page_add_key(out, mld_key_article(id).s); /* a release or a new version drops it */
    out->cacheable = 1;
    if (it.a->pubstatus == MLD_PUB_CANCELED) {
        snprintf(msg, sizeof(msg), "Die Meldung %" PRId64 " wurde zurückgezogen.", id);
        rc = mld_api_error(out, 410, msg, err);
    } else if (!mld_article_is_visible(it.a, now)) {
        /* Embargoed, withheld or held: as if it did not exist. */
        snprintf(msg, sizeof(msg), "Keine Meldung mit der Nummer %" PRId64 ".", id);
        rc = mld_api_error(out, 404, msg, err);
    } else {
        struct mld_api_version *vs = NULL;
        int nv = 0;
        rc = mld_store_api_versions(st, id, &vs, &nv, err);
        if (rc == 0) {
            const struct mld_article *a = it.a;
            json_t *o = mld_api_item_json(&it);
            json_object_set_new(o, "byline", mld_api_str(a->byline ? a->byline : a->author));
            json_object_set_new(o, "dateline", mld_api_str(a->dateline));
            json_object_set_new(o, "lang", mld_api_str(a->lang));
            json_object_set_new(o, "body_html", mld_api_str(a->body_html));
            json_object_set_new(o, "aside_html", mld_api_str(a->aside_html));
            json_object_set_new(o, "source_url", mld_api_str(a->link));
            json_object_set_new(o, "media", media_json(a));
            json_t *list = json_array();
            for (int i = 0; i < nv; i++) {
                json_t *x = json_object();
                json_object_set_new(x, "number", json_integer(vs[i].version));
                json_object_set_new(x, "version_created", time_json(vs[i].version_created));
                json_object_set_new(x, "updated", time_json(vs[i].updated));
                json_object_set_new(x, "pubstatus", json_string(status_name(vs[i].pubstatus)));
                json_object_set_new(x, "signal", mld_api_str(vs[i].signal));
                json_object_set_new(x, "applied", json_boolean(vs[i].applied));
                json_array_append_new(list, x);
            }
            json_object_set_new(o, "versions", list);
            mld_api_versions_free(vs, nv);
            rc = mld_api_answer(out, 200, o, err);
        }
    }
    mld_item_dispose(&it);
    return rc;
}

/* GET /api/v1/sections and /api/v1/topics */
static int
counts(struct mld_store *st, bool topics, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    struct mld_api_count *c = NULL;
    int n = 0;
    int rc = topics ? mld_store_api_topics(st, now, MLD_API_MAX_TOPICS, &c, &n, err)
                    : mld_store_api_sections(st, now, &c, &n, err);
    if (rc != 0)
        return rc;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        char url[MLD_SLUG_MAX + 16];
        snprintf(url, sizeof(url), "%s%s", topics ? "/thema/" : "/ressort/",
                 c[i].slug != NULL ? c[i].slug : "");
        json_t *o = json_object();
        json_object_set_new(o, "name", mld_api_str(c[i].name));
        json_object_set_new(o, "slug", mld_api_str(c[i].slug));
        json_object_set_new(o, "url", json_string(url));
        json_object_set_new(o, "count", json_integer(c[i].n));
        json_array_append_new(list, o);
    }
    mld_api_counts_free(c, n);
    json_t *v = json_object();
    json_object_set_new(v, topics ? "topics" : "sections", list);
    mld_page_add_key(out, mld_key_all().s);
    out->cacheable = 1;
    return mld_api_answer(out, 200, v, err);
}

/* GET /api/v1/stories/ID */
static int
story(struct mld_store *st, const char *ref, mld_time_t now, struct mld_page *out,
      struct mld_err *err)
{
    int64_t id = mld_page_parse_id(ref);
    char msg[160];
    if (id <= 0)
        return mld_api_error(out, 404,
                         "Keine Geschichte unter dieser Adresse: die Nummer einer "
                         "Geschichte ist eine Zahl.",
                         err);
    struct mld_items items = {0};
    int rc = mld_store_story(st, id, now, &items, err);
    if (rc != 0)
        return rc;
    if (items.n > 0) { /* an empty one is not cached, like an unknown path */
        mld_page_add_key(out, mld_key_story(id).s);
        out->cacheable = 1;
    }
    if (items.n == 0) {
        snprintf(msg, sizeof(msg), "Keine Geschichte mit der Nummer %" PRId64 ".", id);
        rc = mld_api_error(out, 404, msg, err);
    } else {
        json_t *v = json_object(), *list = json_array();
        char url[64];
        snprintf(url, sizeof(url), "/geschichte/%" PRId64, id);
        json_object_set_new(v, "id", json_integer(id));
        json_object_set_new(v, "url", json_string(url));
        for (int i = 0; i < items.n; i++) {
            json_t *o = mld_api_item_json(&items.v[i]);
            json_object_set_new(o, "reason", mld_api_str(items.v[i].story_reason));
            json_array_append_new(list, o);
        }
        json_object_set_new(v, "items", list);
        rc = mld_api_answer(out, 200, v, err);
    }
    mld_items_dispose(&items);
    return rc;
}

/* The name of change kind k in the API. */
static const char *
change_name(enum mld_api_change_kind k)
{
    switch (k) {
    case MLD_API_NEW: return "new";
    case MLD_API_UPDATED: return "updated";
    case MLD_API_WITHDRAWN: return "withdrawn";
    }
    return "updated";
}

/* GET /api/v1/changes */
static int
changes(struct mld_store *st, const struct mld_page_args *args, mld_time_t now,
        struct mld_page *out, struct mld_err *err)
{
    char msg[320];
    int limit;
    if (!parse_limit(args, &limit, msg, sizeof(msg)))
        return mld_api_error(out, 400, msg, err);
    const char *since = arg(args, "since");
    struct mld_api_cursor from, next;
    struct mld_api_change *v = NULL;
    int n = 0, rc;
    bool more = false;
    if (since == NULL) { /* a new client starts at the present */
        rc = mld_store_api_head(st, now, &next, err);
    } else {
        /* Cursors from before the editors' changes have three numbers:
         * every editor's change is after them. */
        int64_t c[4] = {0};
        if (!cursor_decode(since, 'c', 4, c) && !cursor_decode(since, 'c', 3, c)) {
            mld_api_bad_value(msg, sizeof(msg), "since", since,
                              "den Wert von „next_cursor“ aus einer früheren Antwort oder den "
                              "Cursor in „changes“ einer Liste");
            return mld_api_error(out, 400, msg, err);
        }
        from = (struct mld_api_cursor){c[0], (mld_time_t)c[1], c[2], c[3]};
        rc = mld_store_api_changes(st, &from, now, limit, &v, &n, &next, &more, err);
        if (rc == MLD_E_INVAL) {
            mld_err_clear(err);
            return mld_api_error(out, 400,
                             "Der Cursor in „since“ stammt nicht aus diesem "
                             "Datenbestand: er liegt hinter der neuesten Version.",
                             err);
        }
    }
    if (rc != 0)
        return rc;
    json_t *doc = json_object(), *list = json_array();
    for (int i = 0; i < n; i++) {
        const struct mld_item *it = &v[i].item;
        char url[MLD_SLUG_MAX + 64];
        mld_page_article_path(it->slug, it->id, url, sizeof(url));
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string(change_name(v[i].kind)));
        json_object_set_new(o, "id", json_integer(it->id));
        json_object_set_new(o, "url", json_string(url));
        /* A withdrawn or held-back article shows nothing but where it was. */
        json_object_set_new(o, "item",
                            v[i].kind == MLD_API_WITHDRAWN ? json_null() : mld_api_item_json(it));
        json_array_append_new(list, o);
    }
    mld_api_changes_free(v, n);
    char cur[MLD_API_MAX_CURSOR + 1], lim[16];
    change_cursor(&next, cur, sizeof(cur));
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *kv[] = {"since", cur, "limit", limit != MLD_API_DEFAULT_LIMIT ? lim : NULL, NULL};
    json_object_set_new(doc, "changes", list);
    json_object_set_new(doc, "more", json_boolean(more));
    json_object_set_new(doc, "next_cursor", json_string(cur));
    set_url(doc, "next", V1 "/changes", kv);
    return mld_api_answer(out, 200, doc, err);
}

/* GET /api/v1/openapi.json */
static int
openapi(struct mld_page *out, struct mld_err *err)
{
    out->status = 200;
    out->content_type = MLD_PAGE_JSON_TYPE;
    out->cacheable = 1; /* no tag: it changes only with the binary */
    mld_buf_puts(&out->body, mld_data_openapi);
    if (mld_buf_error(&out->body) != 0)
        return mld_err_set(err, MLD_E_TOOBIG, "openapi.json exceeds %u bytes",
                           (unsigned)MLD_MAX_PAGE_BYTES);
    return 0;
}

int
mld_api_render(struct mld_store *st, const char *path, const struct mld_page_args *args,
               mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    out->content_type = MLD_PAGE_JSON_TYPE;
    if (strcmp(path, V1 "/articles") == 0)
        return articles(st, args, now, out, err);
    if (strncmp(path, V1 "/articles/", 17) == 0)
        return article(st, path + 17, now, out, err);
    if (strcmp(path, V1 "/sections") == 0)
        return counts(st, false, now, out, err);
    if (strcmp(path, V1 "/topics") == 0)
        return counts(st, true, now, out, err);
    if (strncmp(path, V1 "/stories/", 16) == 0)
        return story(st, path + 16, now, out, err);
    if (strcmp(path, V1 "/changes") == 0)
        return changes(st, args, now, out, err);
    if (strcmp(path, V1 "/openapi.json") == 0)
        return openapi(out, err);
    return mld_api_error(out, 404,
                     "Unbekannter API-Pfad – die Schnittstelle beschreibt "
                     "/api/v1/openapi.json.",
                     err);
}

bool
mld_api_cache_key(const char *path, const struct mld_page_args *args, char *key, size_t size)
{
    if (strcmp(path, V1 "/changes") == 0 || strcmp(path, MLD_PAGE_SEARCH_API_PATH) == 0)
        return false;
    int n;
    if (strcmp(path, V1 "/articles") == 0) {
        if (arg(args, "cursor") != NULL || arg(args, "since") != NULL || arg(args, "until") != NULL)
            return false;
        const char *sec = arg(args, "section"), *top = arg(args, "topic");
        const char *sto = arg(args, "story"), *lim = arg(args, "limit");
        n = snprintf(key, size, "%s?section=%s&topic=%s&story=%s&limit=%s", path, sec ? sec : "",
                     top ? top : "", sto ? sto : "", lim ? lim : "");
    } else {
        n = snprintf(key, size, "%s", path);
    }
    return n >= 0 && (size_t)n < size && (size_t)n <= MLD_CACHE_MAX_KEY_BYTES;
}

void
mld_api_resp_headers(struct mld_http_resp *r, const char *path, int status)
{
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*");
    mld_http_resp_header(r, "Access-Control-Expose-Headers", "ETag");
    (void)status; /* the site sets the cacheable answers' Cache-Control */
    if (strcmp(path, V1 "/changes") == 0)
        mld_http_resp_header(r, "Cache-Control", "no-store");
}

struct mld_http_resp *
mld_api_preflight(const char *path)
{
    if (!mld_api_path(path))
        return NULL;
    struct mld_http_resp *r = mld_http_resp_new(204, NULL, "", 0, 0);
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*");
    mld_http_resp_header(r, "Access-Control-Allow-Methods", "GET, HEAD");
    mld_http_resp_header(r, "Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since");
    mld_http_resp_header(r, "Access-Control-Max-Age", "86400");
    mld_http_resp_header(r, "Allow", "GET, HEAD, OPTIONS");
    mld_http_resp_header(r, "Cache-Control", "public, max-age=86400");
    return mld_http_resp_finish(r, 0);
}

struct mld_http_resp *
mld_api_not_allowed(void)
{
    static const char body[] = "{\"error\":\"Methode nicht erlaubt: die Schnittstelle "
                               "antwortet auf GET und HEAD.\"}\n";
    struct mld_http_resp *r = mld_http_resp_new(405, MLD_PAGE_JSON_TYPE, body, sizeof(body) - 1, 0);
    mld_http_resp_header(r, "Allow", "GET, HEAD, OPTIONS");
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*");
    mld_http_resp_header(r, "Cache-Control", "no-store");
    return mld_http_resp_finish(r, 0);
}
