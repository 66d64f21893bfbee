/*
 * tests/fuzz/jsonfeed.c - libFuzzer driver for the JSON Feed parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * each article after checking what the model promises (urn and format set,
 * version 1, media with URLs, body_html only when it is non-empty). A
 * failed parse must report its code in err with a message naming the
 * source. Crashes, leaks, sanitizer reports and broken promises (abort)
 * are the bugs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/err.h"
#include "../../src/ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"feed-rs/fixture/jsonfeed", "gofeed/testdata/parser/json",
                                       "gofeed/testdata/translator/json",
                                       "gofeed/testdata/parser/universal", NULL};

static int
check_and_free(void *ud, struct mld_article *a)
{
    (void)ud;
    if (a->urn == NULL || a->urn[0] == '\0' || a->format == NULL || a->version != 1 ||
        (a->body_html != NULL && a->body_html[0] == '\0'))
        abort();
    for (int i = 0; i < a->nmedia; i++)
        if (a->media[i].url == NULL || a->media[i].url[0] == '\0' || a->media[i].length < 0)
            abort();
    mld_article_free(a);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    (void)mld_format_jsonfeed.sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct mld_source src = {.name = "fuzz", .url = "https://example.org/dir/feed.json"};
    int rc = mld_format_jsonfeed.parse(doc, size, &src, check_and_free, NULL, &err);
    if (rc > 0 || (rc < 0 && (err.code != rc || strncmp(err.msg, "fuzz: ", 6) != 0)))
        abort();
    return 0;
}
