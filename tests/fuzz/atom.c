/*
 * tests/fuzz/atom.c - libFuzzer driver for the Atom reader (1.0 and 0.3).
 *
 * The input is one document, parsed into the feed model and then handed
 * over as articles. The model must hold together (links with an href,
 * text types in range, at most MLD_MAX_FEED_ITEMS items) and every
 * article keep the feed promises of check.h; a failed parse
 * must report its code with a message naming the source. The first byte
 * picks the document URL (none, http, or one with odd characters) so
 * base resolution is fuzzed along.
 */
#include "check.h"

const char *const mld_fuzz_shared[] = {"feedparser/tests/wellformed/atom",
                                       "feedparser/tests/wellformed/atom10",
                                       "feedparser/tests/wellformed/base",
                                       "feedparser/tests/wellformed/lang",
                                       "feedparser/tests/wellformed/amp",
                                       "feedparser/tests/wellformed/sanitize",
                                       "feedparser/tests/wellformed/namespace",
                                       "feed-rs/fixture/atom",
                                       "gofeed/testdata/parser/atom",
                                       "rss-parser/test/input",
                                       NULL};

static void
check_links(const struct mld_feed_link *v, int n)
{
    if (n < 0 || n > MLD_MAX_FEED_LINKS)
        abort();
    for (int i = 0; i < n; i++)
        if (v[i].href == NULL || v[i].rel == NULL)
            abort();
}

static void
check_text(const struct mld_feed_text *t)
{
    if (t->type < MLD_FEED_PLAIN || t->type > MLD_FEED_XHTML ||
        (!t->present && (t->text != NULL || t->html != NULL)))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = {NULL, "https://fuzz.example/a/feed.atom",
                                       "http://[::1]:80/%zz/\xc3\xa4 b"};
    const char *doc = (const char *)data;
    (void)mld_format_atom.sniff(doc, size);
    (void)mld_format_detect(doc, size);
    struct mld_err err = {0};
    struct mld_source src = {.name = "fuzz", .url = urls[size ? data[0] % 3 : 0]};
    struct mld_feed *f = NULL;
    int rc = mld_feed_parse(doc, size, &src, &f, &err);
    fuzz_check_rc(rc, &err);
    if (rc == 0) {
        if (f->nitems > MLD_MAX_FEED_ITEMS)
            abort();
        check_links(f->links, f->nlinks);
        check_text(&f->title);
        check_text(&f->subtitle);
        for (int i = 0; i < f->nitems; i++) {
            check_links(f->items[i].links, f->items[i].nlinks);
            check_text(&f->items[i].title);
            check_text(&f->items[i].summary);
            check_text(&f->items[i].content);
        }
        struct fuzz_sink sink = {fuzz_feed_article_check, NULL};
        rc = mld_feed_emit(f, "fuzz", fuzz_sink_check, &sink, &err);
        if (rc != 0)
            abort();
        mld_feed_free(f);
    }
    return 0;
}
