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
