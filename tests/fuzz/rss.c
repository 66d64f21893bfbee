/*
 * tests/fuzz/rss.c - libFuzzer driver for the RSS reader and what it
 * shares with Atom (feed.c: charsets, entities, dates, URLs).
 *
 * The input is one document. The first byte also picks an HTTP
 * Content-Type charset (or none), so the charset decision is fuzzed along.
 * Each article must keep the model's promises (a urn within
 * MLD_MAX_ID_BYTES, format "rss" or "atom", version 1, absolute http(s)
 * link or none, "tag:" categories, web media, no script in the body: the
 * feed promises of check.h); a failed parse
 * must report its code with a message naming the source. The first line
 * of the input is also fed to the date parser and the URL resolver.
 */
#include "../../src/base/mem.h"
#include "check.h"

const char *const mld_fuzz_shared[] = {"feedparser/tests/wellformed/rss",
                                       "feedparser/tests/wellformed/rdf",
                                       "feedparser/tests/illformed",
                                       "feedparser/tests/encoding",
                                       "feedparser/tests/entities",
                                       "feed-rs/fixture/rss0",
                                       "feed-rs/fixture/rss1",
                                       "feed-rs/fixture/rss2",
                                       "gofeed/testdata/parser/rss",
                                       "miniflux/parser/testdata",
                                       "miniflux/encoding/testdata",
                                       NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {NULL,
                                        "text/xml; charset=utf-8",
                                        "application/rss+xml; charset=iso-8859-1",
                                        "text/xml; charset=utf-16",
                                        "text/xml; charset=koi8-r",
                                        "text/xml; charset=\"gb2312\""};
    const char *doc = (const char *)data;
    const char *nl = memchr(doc, '\n', size);
    size_t line = nl ? (size_t)(nl - doc) : size;
    mld_time_t t;
    (void)mld_feed_parse_date(doc, line < 200 ? line : 200, &t);
    if (line < 300) {
        char buf[301];
        memcpy(buf, doc, line);
        buf[line] = '\0';
        char *u = mld_feed_resolve_url("http://example.com/a/b?c#d", buf);
        mld_free(u);
    }
    struct mld_source src = {.name = "fuzz",
                             .url = "http://fuzz.example/feed.xml",
                             .content_type = types[size ? data[0] % 6 : 0]};
    fuzz_parse(&mld_format_rss, data, size, &src, fuzz_feed_article_check, NULL);
    return 0;
}
