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
#include "check.h"

const char *const mld_fuzz_shared[] = {"feed-rs/fixture/jsonfeed", "gofeed/testdata/parser/json",
                                       "gofeed/testdata/translator/json",
                                       "gofeed/testdata/parser/universal", NULL};

static bool
article_ok(const struct mld_article *a, void *ud)
{
    (void)ud;
    if (!fuzz_ids_ok(a, NULL) || a->version != 1 ||
        (a->body_html != NULL && a->body_html[0] == '\0'))
        return false;
    for (int i = 0; i < a->nmedia; i++)
        if (a->media[i].url == NULL || a->media[i].url[0] == '\0' || a->media[i].length < 0)
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mld_source src = {.name = "fuzz", .url = "https://example.org/dir/feed.json"};
    fuzz_parse(&mld_format_jsonfeed, data, size, &src, article_ok, NULL);
    return 0;
}
