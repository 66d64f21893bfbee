/*
 * feed_test.h - what the RSS and Atom tests share: a walk over corpus
 * folders that reads every feed of one format into the feed model.
 * Header-only; include after the .c under test (it brings ingest_test.h).
 */
#ifndef MLD_FEED_TEST_H
#define MLD_FEED_TEST_H

#include "ingest_test.h"

/* Counts of a corpus walk. */
struct mld_test_smoke {
    const struct mld_format *fmt; /* the format whose sniffer picks the files */
    int files, read, items;       /* sniffed, read into the model, items in them */
};

static void
mld_test_smoke_one_(struct mld_test_doc *d, void *ud)
{
    struct mld_test_smoke *c = ud;
    if (d->doc == NULL || !c->fmt->sniff(d->doc, d->len))
        return;
    c->files++;
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = d->name};
    if (mld_feed_parse(d->doc, d->len, &src, &f, &err) == 0) {
        c->read++;
        c->items += f->nitems;
    }
    mld_feed_free(f);
}

/* Walks the corpus folders dirs[0..n) (those present) and reads every file
 * that fmt sniffs; returns the counts. */
static __attribute__((unused)) struct mld_test_smoke
mld_test_smoke(const struct mld_format *fmt, const char *const *dirs, size_t n)
{
    struct mld_test_smoke c = {.fmt = fmt};
    for (size_t i = 0; i < n; i++) {
        const char *d = mld_test_corpus(dirs[i]);
        if (d == NULL)
            continue;
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", d);
        mld_test_walk(NULL, dir, NULL, 0, mld_test_smoke_one_, &c);
    }
    return c;
}

#endif
