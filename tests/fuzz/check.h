/*
 * tests/fuzz/check.h - what the parser fuzz drivers check alike,
 * header-only.
 *
 * Every parser promises the same error contract (0, or a negative code
 * that err also holds, with a message naming the source) and a few things
 * about every article it hands over; the drivers check their own format's
 * further promises next to these. A broken promise aborts, which libFuzzer
 * and the replay (tests/fuzz/replay.c) report as a crash. The source is
 * always named "fuzz".
 */
#ifndef MLD_FUZZ_CHECK_H
#define MLD_FUZZ_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/base/err.h"
#include "../../src/base/limits.h"
#include "../../src/ingest/feed.h"
#include "../../src/ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a parse that returned rc kept the error contract. */
static inline void
fuzz_check_rc(int rc, const struct mld_err *err)
{
    if (rc > 0 || (rc < 0 && (err->code != rc || strncmp(err->msg, "fuzz: ", 6) != 0)))
        abort();
}

/* A driver's check of one article: true when a keeps the promises. */
typedef bool (*fuzz_article_fn)(const struct mld_article *a, void *ud);

struct fuzz_sink {
    fuzz_article_fn ok;
    void *ud;
};

/* The sink of fuzz_parse(): aborts on an article that breaks a promise,
 * frees the others. */
static inline int
fuzz_sink_check(void *ud, struct mld_article *a)
{
    const struct fuzz_sink *s = ud;
    if (!s->ok(a, s->ud))
        abort();
    mld_article_free(a);
    return 0;
}

/* Feeds one input to format f: its sniffer and format detection (for
 * crashes only), then its parser with source src (NULL: just the name
 * "fuzz"), checking the error contract and each article with ok(a, ud). */
static inline void
fuzz_parse(const struct mld_format *f, const uint8_t *data, size_t size,
           const struct mld_source *src, fuzz_article_fn ok, void *ud)
{
    static const struct mld_source plain = {.name = "fuzz"};
    const char *doc = (const char *)data;
    (void)f->sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct fuzz_sink sink = {ok, ud};
    int rc = f->parse(doc, size, src != NULL ? src : &plain, fuzz_sink_check, &sink, &err);
    fuzz_check_rc(rc, &err);
}

/* True when a has a urn, a format (format, when not NULL) and a version of
 * 1 or more. */
static inline bool
fuzz_ids_ok(const struct mld_article *a, const char *format)
{
    return a->urn != NULL && a->urn[0] != '\0' && a->format != NULL &&
           (format == NULL || strcmp(a->format, format) == 0) && a->version >= 1;
}

/* True when a's urgency is 0-9 and its pubstatus a known one. */
static inline bool
fuzz_status_ok(const struct mld_article *a)
{
    return a->urgency >= 0 && a->urgency <= 9 && (int)a->pubstatus >= 0 &&
           a->pubstatus <= MLD_PUB_CANCELED;
}

/* True when a has at most MLD_MAX_MEDIA media, each with an http(s) URL. */
static inline bool
fuzz_web_media_ok(const struct mld_article *a)
{
    if (a->nmedia > MLD_MAX_MEDIA)
        return false;
    for (int i = 0; i < a->nmedia; i++)
        if (strncasecmp(a->media[i].url, "http://", 7) != 0 &&
            strncasecmp(a->media[i].url, "https://", 8) != 0)
            return false;
    return true;
}

/* True when a feed article (RSS, Atom) keeps the feed promises: a urn
 * within MLD_MAX_ID_BYTES, a format, version 1, an absolute web link or
 * none, no script in the body, "tag:" categories and web media only. */
static inline bool
fuzz_feed_article_ok(const struct mld_article *a)
{
    if (!fuzz_ids_ok(a, NULL) || strlen(a->urn) > MLD_MAX_ID_BYTES || a->version != 1 ||
        (a->link != NULL && !mld_feed_url_is_web(a->link)) ||
        (a->body_html != NULL && strstr(a->body_html, "<script") != NULL))
        return false;
    for (int i = 0; i < a->ncategories; i++)
        if (strncmp(a->categories[i], "tag:", 4) != 0)
            return false;
    for (int i = 0; i < a->nmedia; i++)
        if (!mld_feed_url_is_web(a->media[i].url))
            return false;
    return true;
}

/* The check of a feed driver's articles (ud unused). */
static inline bool
fuzz_feed_article_check(const struct mld_article *a, void *ud)
{
    (void)ud;
    return fuzz_feed_article_ok(a);
}

#endif
