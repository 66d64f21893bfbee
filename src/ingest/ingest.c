/*
 * ingest.c - format detection over the table of wire formats (see
 * ingest.h).
 *
 * Each format's sniffer looks only at the first bytes of a document; the
 * first format in the table whose sniffer accepts wins, so put the more
 * specific formats first when more arrive (NewsML-G2, NITF, RSS, Atom,
 * JSON Feed).
 *
 * It also holds what several parsers do alike: the wording of their
 * errors, the article body through the sanitiser with the text for
 * search, prefixed categories, and a few checks of field values (digits,
 * web URLs).
 */
#include "ingest.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "sanitize.h"

static const struct mld_format *const formats[] = {
    &mld_format_newsml, &mld_format_nitf,
    &mld_format_jsonfeed, &mld_format_rss, &mld_format_atom,
    &mld_format_dpa,
};

const struct mld_format *
mld_format_detect(const char *doc, size_t len)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (formats[i]->sniff(doc, len))
            return formats[i];
    return NULL;
}

const struct mld_format *
mld_format_find(const char *name)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

void
mld_article_set_text(struct mld_article *a, char *body_text)
{
    bool has_teaser = a->teaser != NULL && *a->teaser != '\0';
    bool has_body = body_text != NULL && *body_text != '\0';
    if (has_teaser && has_body) {
        size_t tn = strlen(a->teaser), bn = strlen(body_text);
        a->text = mld_malloc(tn + 1 + bn + 1);
        memcpy(a->text, a->teaser, tn);
        a->text[tn] = '\n';
        memcpy(a->text + tn + 1, body_text, bn + 1);
    } else if (has_teaser) {
        a->text = mld_strdup(a->teaser);
    } else if (has_body) {
        a->text = body_text;
        body_text = NULL;
    }
    mld_free(body_text);
}

int
mld_article_set_body(struct mld_article *a, const char *html, size_t len, struct mld_err *err)
{
    struct mld_err local = {0};
    char *body_text = NULL;
    if (err == NULL)
        err = &local;
    if (html != NULL) {
        char *body_html = mld_sanitize_html_text(html, len, &body_text, err);
        if (body_html == NULL)
            return err->code;
        a->body_html = body_html;
    }
    mld_article_set_text(a, body_text);
    return 0;
}

int
mld_ingest_fail(const struct mld_ingest_at *at, int code, const char *fmt, ...)
{
    char msg[MLD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (at->unit != NULL && at->n > 0)
        return mld_err_set(at->err, code, "%s: %s %d: %s", at->source, at->unit, at->n, msg);
    return mld_err_set(at->err, code, "%s: %s", at->source, msg);
}

int
mld_ingest_hand_over(const struct mld_ingest_at *at, mld_article_sink_fn sink, void *ud,
                     struct mld_article *a)
{
    int rc = sink(ud, a);
    if (rc > 0)
        return 0;
    if (rc != 0 && (at->err == NULL || at->err->code == 0))
        mld_ingest_fail(at, rc, "stopped: %s", mld_strerror(rc));
    return rc;
}

static int
cmp_topic(const void *pa, const void *pb)
{
    const struct mld_ingest_topic *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void
mld_ingest_add_topics(struct mld_article *a, struct mld_ingest_topic *topics, size_t n)
{
    if (a != NULL)
        qsort(topics, n, sizeof(*topics), cmp_topic);
    for (size_t i = 0; i < n; i++) {
        if (a != NULL)
            mld_article_add_topic(a, topics[i].name);
        mld_free(topics[i].name);
        topics[i].name = NULL;
    }
}

void
mld_ingest_add_category(struct mld_article *a, const char *prefix, const char *s, size_t n)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_ID_BYTES);
    mld_buf_puts(&b, prefix);
    mld_buf_append(&b, s, n);
    if (mld_buf_error(&b) == 0)
        mld_article_add_category(a, b.p);
    mld_buf_dispose(&b);
}

int64_t
mld_ingest_digits(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 18 || s[strspn(s, "0123456789")] != '\0')
        return 0;
    return (int64_t)strtoll(s, NULL, 10);
}

bool
mld_ingest_is_web_url(const char *s)
{
    return s != NULL && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
}

bool
mld_ingest_is_media_url(const char *s)
{
    if (mld_ingest_is_web_url(s))
        return true;
    return s != NULL && s[0] == '/' && s[1] != '/' && strchr(s, '\\') == NULL;
}

/* Wire helpers: dates, media, asides, holds ------------------------------- */

/* Dates before this instant (1971-01-01T00:00:00Z) are no dates: a zero
 * or a small number written as a timestamp ("1970-01-01T01:00:00+01:00",
 * a date field filled with 0 by some system) must never date an article.
 * No wire item of meldung's formats is a version made before 1971. */
#define EPOCH_GARBAGE_END ((mld_time_t)365 * 86400)

bool
mld_ingest_is_date(mld_time_t t)
{
    return t >= EPOCH_GARBAGE_END;
}

bool
mld_ingest_set_date(struct mld_article *a, mld_time_t t, enum mld_date_source source)
{
    if (a->version_created != 0 || !mld_ingest_is_date(t))
        return false;
    a->version_created = t;
    a->date_source = source;
    return true;
}

/* True when r is a better default than best: the narrowest at least
 * MLD_MEDIA_DEFAULT_MIN_WIDTH wide, else the widest; unknown widths lose. */
static bool
better_default(const struct mld_ingest_rendition *r, const struct mld_ingest_rendition *best)
{
    if (best == NULL)
        return true;
    bool r_big = r->width >= MLD_MEDIA_DEFAULT_MIN_WIDTH;
    bool b_big = best->width >= MLD_MEDIA_DEFAULT_MIN_WIDTH;
    if (r_big != b_big)
        return r_big;
    return r_big ? r->width < best->width : r->width > best->width;
}

struct mld_media *
mld_ingest_add_renditions(struct mld_article *a, const struct mld_ingest_rendition *r, size_t n,
                          const char *caption)
{
    const struct mld_ingest_rendition *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (mld_ingest_is_media_url(r[i].url) && strlen(r[i].url) <= MLD_MAX_FIELD_BYTES &&
            better_default(&r[i], best))
            best = &r[i];
    if (best == NULL)
        return NULL;
    struct mld_media *m = mld_article_add_media(a, best->url, best->type, 0, caption);
    if (m == NULL)
        return NULL;
    m->width = best->width > 0 ? best->width : 0;
    m->height = best->height > 0 ? best->height : 0;
    for (size_t i = 0; i < n; i++)
        if (&r[i] != best && mld_ingest_is_media_url(r[i].url) &&
            strlen(r[i].url) <= MLD_MAX_FIELD_BYTES && strcmp(r[i].url, best->url) != 0)
            mld_media_add_rendition(m, r[i].url, r[i].width > 0 ? r[i].width : 0,
                                    r[i].height > 0 ? r[i].height : 0);
    return m;
}

int
mld_ingest_add_aside(struct mld_article *a, const char *cls, const char *html, size_t len,
                     struct mld_err *err)
{
    char *clean = mld_sanitize_html(html, len, err);
    if (clean == NULL)
        return err != NULL && err->code != 0 ? err->code : MLD_E_PARSE;
    size_t lead = strspn(clean, " \t\r\n"), cn = strlen(clean + lead);
    while (cn > 0 && strchr(" \t\r\n", clean[lead + cn - 1]) != NULL)
        cn--;
    if (cn == 0) {
        mld_free(clean);
        return 0;
    }
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    if (a->aside_html != NULL)
        mld_buf_puts(&b, a->aside_html);
    mld_buf_printf(&b, "<aside class=\"%s\">", cls);
    mld_buf_append(&b, clean + lead, cn);
    mld_buf_puts(&b, "</aside>");
    mld_free(clean);
    if (mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return mld_err_set(err, MLD_E_TOOBIG, "info and link boxes over %u bytes",
                           MLD_MAX_DOC_BYTES);
    }
    mld_free(a->aside_html);
    a->aside_html = mld_buf_steal(&b, NULL);
    return 0;
}

const char *
mld_ingest_media_only_reason(enum mld_media_kind kind)
{
    switch (kind) {
    case MLD_MEDIA_PICTURE: return "Bildmeldung ohne Text";
    case MLD_MEDIA_AUDIO: return "Audiomeldung ohne Text";
    case MLD_MEDIA_VIDEO: return "Videomeldung ohne Text";
    case MLD_MEDIA_OTHER: break;
    }
    return "Medienmeldung ohne Text";
}

void
mld_ingest_hold_media_only(struct mld_article *a)
{
    bool has_text = (a->body_html != NULL && a->body_html[0] != '\0') ||
                    (a->teaser != NULL && a->teaser[0] != '\0');
    if (a->hold_reason != NULL || has_text || a->nmedia == 0)
        return;
    a->hold_reason = mld_strdup(mld_ingest_media_only_reason(a->media[0].kind));
}

/* The dpa text genres that mark an item as not for publication (the
 * genre vocabulary dpatextgenre; docs/internals/ingest.md has the table). */
static const struct {
    const char *qcode;
    const char *name;
    const char *reason;
} genre_holds[] = {
    {"dpatextgenre:27", "Achtung", "dpa-Textgattung Achtung (Hinweis an Redaktionen)"},
    {"dpatextgenre:32", "Vorschau",
     "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)"},
};

const char *
mld_ingest_genre_hold(const char *qcode, const char *name)
{
    for (size_t i = 0; i < sizeof(genre_holds) / sizeof(genre_holds[0]); i++)
        if ((qcode != NULL && strcmp(qcode, genre_holds[i].qcode) == 0) ||
            (qcode == NULL && name != NULL && strcmp(name, genre_holds[i].name) == 0))
            return genre_holds[i].reason;
    return NULL;
}

/* Source state ---------------------------------------------------------- */

void
mld_source_state_dispose(struct mld_source_state *s)
{
    mld_free(s->name);
    mld_free(s->url);
    mld_free(s->etag);
    mld_free(s->last_modified);
    mld_free(s->last_error);
    memset(s, 0, sizeof(*s));
}

void
mld_source_state_copy(struct mld_source_state *to, const struct mld_source_state *from)
{
    *to = *from;
    to->name = mld_strdup(from->name);
    to->url = mld_strdup(from->url);
    to->etag = mld_strdup(from->etag);
    to->last_modified = mld_strdup(from->last_modified);
    to->last_error = mld_strdup(from->last_error);
}
