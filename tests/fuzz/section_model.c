/*
 * tests/fuzz/section_model.c - libFuzzer driver for the section
 * classifier's two text inputs: the model file and the labelled archive.
 *
 * The input is parsed as a model file (src/enrich/classify.c); a refused
 * one must report its code with a message naming the source ("fuzz"), an
 * accepted one must survive being written and read back with the same
 * sections, and must classify a fixed article without crashing.
 * Then the same bytes are read as a labelled archive (LABEL;'TEXT' or
 * LABEL<TAB>TEXT lines); an accepted archive must hold only sections the
 * format allows, and is fitted with logistic regression when small.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/limits.h"
#include "../../src/base/mem.h"
#include "../../src/enrich/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* Aborts unless a refusal keeps the error contract. */
static void
check_refusal(int rc, const struct mld_err *err)
{
    if (rc > 0 || err->code != rc || strncmp(err->msg, "fuzz", 4) != 0)
        abort();
}

/* The model side: parse, classify, write, read back. */
static void
fuzz_model(const char *text, size_t size)
{
    struct mld_classifier *c = mld_classifier_new();
    struct mld_err err = {0};
    int rc = mld_classifier_parse(c, "fuzz", text, size, &err);
    if (rc != 0) {
        check_refusal(rc, &err);
        mld_classifier_free(c);
        return;
    }
    struct mld_bag bag;
    static const char probe[] = "Der Trainer lobt die Mannschaft, die Aktie steigt.";
    mld_bag_of(&bag, probe, sizeof(probe) - 1);
    double conf = 0;
    int best = mld_classifier_best(c, &bag, &conf);
    int ns = mld_classifier_nsections(c);
    if (best >= ns || conf < 0 || conf > 1.0000001)
        abort();
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL || mld_classifier_write(c, f, "fuzz", 0, &err) != 0)
        abort();
    fclose(f);
    struct mld_classifier *back = mld_classifier_new();
    if (mld_classifier_parse(back, "fuzz", out, len, &err) != 0 ||
        mld_classifier_nsections(back) != ns)
        abort();
    mld_bag_dispose(&bag);
    free(out);
    mld_classifier_free(back);
    mld_classifier_free(c);
}

/* The archive side: read, check the sections, fit a small one. */
static void
fuzz_archive(const char *text, size_t size)
{
    struct mld_labelled set = {0};
    struct mld_err err = {0};
    int rc = mld_labelled_parse(&set, "fuzz", text, size, "a=b,Web=Digital", &err);
    if (rc != 0)
        check_refusal(rc, &err);
    for (int s = 0; s < set.nsections; s++)
        if (set.sections[s][0] == '\0' || strlen(set.sections[s]) > MLD_MAX_SECTION_NAME_BYTES)
            abort();
    if (rc == 0 && set.n > 0 && set.n <= 64) {
        struct mld_classifier *c = mld_classifier_new();
        if (mld_classifier_fit(c, &set, 0, 0, &err) != 0 ||
            mld_classifier_nsections(c) != set.nsections)
            abort();
        mld_classifier_free(c);
    }
    mld_labelled_dispose(&set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = mld_strndup((const char *)data, size); /* NUL-terminated copy */
    fuzz_model(text, size);
    fuzz_archive(text, size);
    mld_free(text);
    return 0;
}
