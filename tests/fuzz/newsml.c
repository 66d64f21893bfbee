/*
 * tests/fuzz/newsml.c - libFuzzer driver for the NewsML-G2 parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * each article after checking what the model promises (urn, format
 * "newsml-g2", version >= 1, urgency 0-9, a known pubstatus, no text
 * without a body or teaser, at most MLD_MAX_MEDIA media with http(s)
 * URLs; dates, holds, media sizes and boxes as wire.h checks). A failed parse must report its code in err with a message naming
 * the source. Crashes, leaks, sanitizer reports and broken promises
 * (abort) are the bugs.
 */
#include "check.h"
#include "wire.h"

const char *const mld_fuzz_shared[] = {"dpa-newsmlg2-sample/items",
                                       "dpa-newsmlg2-sample/images",
                                       "superdesk-fixtures/newsml-g2",
                                       "dpa-digitalwires/to-newsmlg2/output",
                                       "iptc-newsml-g2",
                                       NULL};

static bool
article_ok(const struct mld_article *a, void *ud)
{
    (void)ud;
    return fuzz_ids_ok(a, "newsml-g2") && fuzz_status_ok(a) && fuzz_web_media_ok(a) &&
           (a->text == NULL || a->body_html != NULL || a->teaser != NULL) && fuzz_wire_ok(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(&mld_format_newsml, data, size, NULL, article_ok, NULL);
    return 0;
}
