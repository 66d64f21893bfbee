/*
 * tests/fuzz/newsml.c - libFuzzer driver for the NewsML-G2 parser.
 *
 * The input is one document: sniffed, then parsed with a sink that frees
 * each article after checking what the model promises (urn, format
 * "newsml-g2", version >= 1, urgency 0-9, a known pubstatus, no text
 * without a body or teaser, at most MLD_MAX_MEDIA media with http(s)
 * URLs). A failed parse must report its code in err with a message naming
 * the source. Crashes, leaks, sanitizer reports and broken promises
 * (abort) are the bugs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/base/err.h"
#include "../../src/base/limits.h"
#include "../../src/ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"dpa-newsmlg2-sample/items",
                                       "dpa-newsmlg2-sample/images",
                                       "superdesk-fixtures/newsml-g2",
                                       "dpa-digitalwires/to-newsmlg2/output",
                                       "iptc-newsml-g2",
                                       NULL};

static int
check_and_free(void *ud, struct mld_article *a)
{
    (void)ud;
    if (a->urn == NULL || a->urn[0] == '\0' || a->format == NULL ||
        strcmp(a->format, "newsml-g2") != 0 || a->version < 1 || a->urgency < 0 || a->urgency > 9 ||
        (int)a->pubstatus < 0 || a->pubstatus > MLD_PUB_CANCELED ||
        (a->text != NULL && a->body_html == NULL && a->teaser == NULL) || a->nmedia > MLD_MAX_MEDIA)
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
    (void)mld_format_newsml.sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct mld_source src = {.name = "fuzz"};
    int rc = mld_format_newsml.parse(doc, size, &src, check_and_free, NULL, &err);
    if (rc > 0 || (rc < 0 && (err.code != rc || strncmp(err.msg, "fuzz: ", 6) != 0)))
        abort();
    return 0;
}
