/*
 * tests/fuzz/dpa.c - libFuzzer driver for the dpa digitalwires parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * each article after checking that the fields the model promises are set
 * (urn, format, version >= 1, urgency 0-9, a known pubstatus; dates, holds,
 * media sizes and boxes as wire.h checks). A failed parse must report its code in err
 * with a message naming the source. Crashes, leaks, sanitizer reports and
 * broken promises (abort) are the bugs.
 */
#include "check.h"
#include "wire.h"

const char *const mld_fuzz_shared[] = {"dpa-digitalwires/to-newsmlg2/input",
                                       "dpa-digitalwires/s3push-example",
                                       "dpa-digitalwires/wireq-version-ordering", NULL};

static bool
article_ok(const struct mld_article *a, void *ud)
{
    (void)ud;
    return fuzz_ids_ok(a, NULL) && fuzz_status_ok(a) && fuzz_wire_ok(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(&mld_format_dpa, data, size, NULL, article_ok, NULL);
    return 0;
}
