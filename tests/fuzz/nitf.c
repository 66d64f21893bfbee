/*
 * tests/fuzz/nitf.c - libFuzzer driver for the NITF parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * the article after checking what the model promises (urn, format
 * "nitf", version >= 1, urgency 0-9, a known pubstatus, an embargo only
 * on a usable article, media with http(s) URLs only). A failed parse must
 * report its code in err with a message naming the source. Crashes,
 * leaks, sanitizer reports and broken promises (abort) are the bugs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/base/err.h"
#include "../../src/base/limits.h"
#include "../../src/ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"superdesk-fixtures/nitf", "dpa-digitalwires/s3push-example",
                                       NULL};

static int
check_and_free(void *ud, struct mld_article *a)
{
    int *count = ud;
    if (++*count > 1 || a->urn == NULL || a->urn[0] == '\0' || a->format == NULL ||
        strcmp(a->format, "nitf") != 0 || a->version < 1 || a->urgency < 0 || a->urgency > 9 ||
        (int)a->pubstatus < 0 || a->pubstatus > MLD_PUB_CANCELED ||
        (a->embargo != 0 && a->pubstatus != MLD_PUB_USABLE) || a->nmedia > MLD_MAX_MEDIA)
        abort();
    for (int i = 0; i < a->nmedia; i++)
        if (strncasecmp(a->media[i].url, "http://", 7) != 0 &&
            strncasecmp(a->media[i].url, "https://", 8) != 0)
            abort();
    mld_article_free(a);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    (void)mld_format_nitf.sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct mld_source src = {.name = "fuzz"};
    int count = 0;
    int rc = mld_format_nitf.parse(doc, size, &src, check_and_free, &count, &err);
    if (rc > 0 || (rc < 0 && (err.code != rc || strncmp(err.msg, "fuzz: ", 6) != 0)))
        abort();
    return 0;
}
