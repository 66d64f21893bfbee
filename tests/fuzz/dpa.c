/*
 * tests/fuzz/dpa.c - libFuzzer driver for the dpa digitalwires parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * each article after checking that the fields the model promises are set
 * (urn, format, version >= 1). A failed parse must report its code in err
 * with a message naming the source. Crashes, leaks, sanitizer reports and
 * broken promises (abort) are the bugs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/err.h"
#include "../../src/ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"dpa-digitalwires/to-newsmlg2/input",
                                       "dpa-digitalwires/s3push-example",
                                       "dpa-digitalwires/wireq-version-ordering", NULL};

static int
check_and_free(void *ud, struct mld_article *a)
{
    (void)ud;
    if (a->urn == NULL || a->urn[0] == '\0' || a->format == NULL || a->version < 1 ||
        a->urgency < 0 || a->urgency > 9)
        abort();
    mld_article_free(a);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    (void)mld_format_dpa.sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct mld_source src = {.name = "fuzz"};
    int rc = mld_format_dpa.parse(doc, size, &src, check_and_free, NULL, &err);
    if (rc > 0 || (rc < 0 && (err.code != rc || strncmp(err.msg, "fuzz: ", 6) != 0)))
        abort();
    return 0;
}
