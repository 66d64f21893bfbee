/*
 * tests/fuzz/nitf.c - libFuzzer driver for the NITF parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * the article after checking what the model promises (urn, format
 * "nitf", version >= 1, urgency 0-9, a known pubstatus, an embargo only
 * on a usable article, media with http(s) URLs only; dates, holds, media
 * sizes and boxes as wire.h checks). A failed parse must
 * report its code in err with a message naming the source. Crashes,
 * leaks, sanitizer reports and broken promises (abort) are the bugs.
 */
#include "check.h"
#include "wire.h"

const char *const mld_fuzz_shared[] = {"superdesk-fixtures/nitf", "dpa-digitalwires/s3push-example",
                                       NULL};

static bool
article_ok(const struct mld_article *a, void *ud)
{
    int *count = ud;
    return ++*count <= 1 && fuzz_ids_ok(a, "nitf") && fuzz_status_ok(a) && fuzz_web_media_ok(a) &&
           (a->embargo == 0 || a->pubstatus == MLD_PUB_USABLE) && fuzz_wire_ok(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int count = 0;
    fuzz_parse(&mld_format_nitf, data, size, NULL, article_ok, &count);
    return 0;
}
