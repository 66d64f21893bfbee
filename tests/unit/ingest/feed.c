/*
 * tests/unit/ingest/feed.c - what RSS and Atom share: feed dates, URLs
 * and xml:base, charsets, entities, the identity rule, handing over.
 *
 * Checks: ~60 date forms (RFC 822 and its sloppy relatives, named and
 * military zones, two-digit years, ISO 8601 / W3CDTF partial dates) and
 * ~15 that must fail; URL resolution incl. IRIs and xml:base stacking
 * with unsafe bases; the Content-Type charset parameter; every path of
 * the charset decision (BOMs, UTF-16/32 without BOM, HTTP over the
 * declaration, ISO-8859-1 as windows-1252, wrong prologs both ways,
 * unknown labels, iconv charsets, C0 controls dropped and C1 repairs);
 * undeclared HTML entities and bare '&' repairs (mismatched tags stay
 * errors); the urn rule; dedup by urn; the text helpers (authors with
 * lists and addresses as names, is_text); text constructs (invalid UTF-8
 * and controls never reach a field, empty sanitised HTML is NULL,
 * mld_feed_text_offer's ranks), undeclared prefixes, the default base,
 * mld_feed_finish_item; the root sniffer; and the charset cases of
 * miniflux's test data (Café, Euro €, Jürgen, Anaïs, KOI8-R) from the
 * shared corpus; media kinds by medium, type and extension; and a census
 * of the date sources of every item of the corpus feeds (printed as
 * diagnostics), with no date invented, before 1991 or out of order.
 */
#include "../../../src/ingest/feed.c"

#include "ingest_test.h"

/* Dates ------------------------------------------------------------------- */

static void
date_is(const char *in, const char *want)
{
    mld_time_t t = 0;
    int rc = mld_feed_parse_date(in, strlen(in), &t);
    char iso[MLD_TIME_ISO_LEN + 1] = "error";
    if (rc == 0)
        mld_time_format_iso(t, iso);
    is_str(iso, want, "date \"%s\"", in);
}

static void
test_dates(void)
{
    static const char *const good[][2] = {
        {"Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
        {"Sat, 07 Sep 2002 00:00:01 UT", "2002-09-07T00:00:01Z"},
        {"Sat, 07 Sep 2002 00:00:01 UTC", "2002-09-07T00:00:01Z"},
        {"Sat, 07 Sep 2002 00:00:01 Z", "2002-09-07T00:00:01Z"},
        {"Sat, 07 Sep 2002 00:00:01 +0000", "2002-09-07T00:00:01Z"},
        {"Sun, 28 Oct 2018 13:49:01 +0100", "2018-10-28T12:49:01Z"},
        {"Sun, 28 Oct 2018 13:49:01 -0530", "2018-10-28T19:19:01Z"},
        {"Sun, 28 Oct 2018 13:49:01 +01:00", "2018-10-28T12:49:01Z"},
        {"Sun, 28 Oct 2018 13:49:01 +01", "2018-10-28T12:49:01Z"},
        {"Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z"},
        {"Thu, 01 Jul 2004 19:48:21 EDT", "2004-07-01T23:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 CDT", "2004-01-02T00:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 MDT", "2004-01-02T01:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 CET", "2004-01-01T18:48:21Z"},
        {"Thu, 01 Jul 2004 19:48:21 CEST", "2004-07-01T17:48:21Z"},
        {"Do, 01 Jul 2004 19:48:21 MESZ", "2004-07-01T17:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T19:48:21Z"}, /* military: RFC 2822 */
        {"Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T19:48:21Z"},
        {"01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},      /* no weekday */
        {"Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* wrong weekday */
        {"Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z"},    /* no seconds */
        {"Thu, 1 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* two-digit years */
        {"Thu, 01 Jan 99 19:48:21 GMT", "1999-01-01T19:48:21Z"},
        {"Thu, 01 Jan 49 19:48:21 GMT", "2049-01-01T19:48:21Z"},
        {"Thu, 01 Jan 50 19:48:21 GMT", "1950-01-01T19:48:21Z"},
        {"Thu, 01 Jan 104 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* three digits */
        {"Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z"},    /* no zone: UTC */
        {"thu, 01 JAN 2004 19:48:21 gmt", "2004-01-01T19:48:21Z"},
        {"Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* RFC 850 */
        {"Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21Z"},         /* asctime */
        {"  Thu, 01 Jan 2004 19:48:21 GMT  ", "2004-01-01T19:48:21Z"},
        {"Thu,01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"Thu, 01 Jan 2004 07:48:21 PM GMT", "2004-01-01T19:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21Z"},
        {"Di, 03 Okt 2023 10:00:00 +0200", "2023-10-03T08:00:00Z"}, /* German names */
        {"Fr, 01 Mär 2024 10:00:00 +0100", "2024-03-01T09:00:00Z"},
        {"01 Mai 2024 10:00:00 MESZ", "2024-05-01T08:00:00Z"},
        {"Mo, 02 Dez 2024 10:00:00 MEZ", "2024-12-02T09:00:00Z"},
        /* The forms German publishers' feeds use (Golem, heise, ...). */
        {"Mon, 07 Dec 2026 10:00:00 +0100", "2026-12-07T09:00:00Z"},
        {"Mon, 07 Dec 2026 10:00:00 GMT", "2026-12-07T10:00:00Z"},
        {"Mon, 07 Dec 2026 10:00 +0100", "2026-12-07T09:00:00Z"},
        {"Mon, 7 Dec 2026 10:00:00 CET", "2026-12-07T09:00:00Z"},
        {"Mo, 07 Dez 2026 10:00:00 +0100", "2026-12-07T09:00:00Z"},
        {"Montag, 07 Dezember 2026 10:00:00 +0100", "2026-12-07T09:00:00Z"},
        {"Mon, 07 Dec 2026 10:00:00 +01:00", "2026-12-07T09:00:00Z"},
        {"Do, 02 Jän 2025 10:00:00 +0100", "2025-01-02T09:00:00Z"},
        {"Sa, 01 Mrz 2025 10:00:00 +0100", "2025-03-01T09:00:00Z"},
        {"2026-12-07T10:00:00+01:00", "2026-12-07T09:00:00Z"},
        {"Wed, 29 Feb 2012 12:00:00 GMT", "2012-02-29T12:00:00Z"},
        {"Sat, 07 Sep 2002 23:59:60 GMT", "2002-09-08T00:00:00Z"},
        {"2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z"}, /* ISO 8601 / W3CDTF */
        {"2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z"},
        {"2003-12-31T10:14:55.123+01:00", "2003-12-31T09:14:55Z"},
        {"2003-12-31t10:14:55z", "2003-12-31T10:14:55Z"},
        {"2003-12-31T10:14Z", "2003-12-31T10:14:00Z"},
        {"2003-12-31T10:14:55", "2003-12-31T10:14:55Z"},
        {"2003-12-31 10:14:55 +0100", "2003-12-31T09:14:55Z"},
        {"20031231T101455Z", "2003-12-31T10:14:55Z"},
        {"2003-12-31", "2003-12-31T00:00:00Z"},
        {"2003-12", "2003-12-01T00:00:00Z"},
        {"2003", "2003-01-01T00:00:00Z"},
        {"2002-10-17T17:00+01:00", "2002-10-17T16:00:00Z"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        date_is(good[i][0], good[i][1]);
    static const char *const bad[] = {
        "",
        "   ",
        "yesterday",
        "Thu, 32 Jan 2004 19:48:21 GMT",
        "Thu, 29 Feb 2003 19:48:21 GMT",
        "Thu, 01 Foo 2004 19:48:21 GMT",
        "Thu, 01 Jan 2004 25:48:21 GMT",
        "Thu, 01 Jan 2004 19:61:21 GMT",
        "Thu, 01 Jan 2004 19:48:21 +2500",
        "Thu, 01 Jan 2004 19:48:21 XYZ",
        "2003-13",
        "2003-02-30",
        "01 02 03",
        "Thu, 01 Jan 2004 19:48:21 GMT 12 13",
        "12345678901 Jan 2004",
        "\xce\xa4\xce\xb5\xcf\x84, 29 \xce\x99\xce\xbf\xcf\x85 2004 12:53:00 GMT",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        date_is(bad[i], "error");
    /* Reads only the given length. */
    mld_time_t t = 0;
    ok(mld_feed_parse_date("2003-12-31T10:14:55Zgarbage", 20, &t) == 0 &&
           t == mld_time_from_civil(2003, 12, 31, 10, 14, 55),
       "date: reads only len bytes");
    ok(mld_feed_parse_date(NULL, 0, &t) == MLD_E_PARSE, "date: NULL is an error");
}

/* URLs -------------------------------------------------------------------- */

static void
url_is(const char *base, const char *ref, const char *want)
{
    char *got = mld_feed_resolve_url(base, ref);
    is_str(got, want, "resolve \"%s\" against \"%s\"", ref ? ref : "(null)",
           base ? base : "(null)");
    mld_free(got);
}

static void
test_urls(void)
{
    url_is("http://example.com/a/b", "c", "http://example.com/a/c");
    url_is("http://example.com/a/b", "/c", "http://example.com/c");
    url_is("http://example.com/a/b", "../c", "http://example.com/c");
    url_is("http://example.com/a/b", "//other.org/x", "http://other.org/x");
    url_is("http://example.com/a/b", "?q=1", "http://example.com/a/b?q=1");
    url_is("http://example.com/a/b", "#frag", "http://example.com/a/b#frag");
    url_is("http://example.com/a/b", "  c  ", "http://example.com/a/c");
    url_is("http://example.com/a/b", "https://x.org/", "https://x.org/");
    url_is("http://example.com/a/b", "HTTP://x.org/Thing", "HTTP://x.org/Thing");
    url_is("http://example.com/a/b", "mailto:x@y.org", "mailto:x@y.org");
    url_is(NULL, "c", "c");
    url_is("", "/c", "/c");
    url_is("http://example.com/", NULL, NULL);
    url_is("http://www.\xe8\xa9\xb9\xe5\xa7\x86\xe6\x96\xaf.com/feed", "",
           "http://www.\xe8\xa9\xb9\xe5\xa7\x86\xe6\x96\xaf.com/feed");
    url_is("http://example.com/",
           "Stra\xc3\x9f"
           "e.html",
           "http://example.com/Stra\xc3\x9f"
           "e.html");
    url_is("http://example.com/", "a b.html", "http://example.com/a%20b.html");
    url_is("http://example.com/", "%C3%A4.html", "http://example.com/%C3%A4.html");
    url_is("http://example.com/a/", "b?x=1&y=2", "http://example.com/a/b?x=1&y=2");
    ok(mld_feed_url_is_web("http://x") && mld_feed_url_is_web("HTTPS://x.org/") &&
           !mld_feed_url_is_web("http://") && !mld_feed_url_is_web("javascript:x") &&
           !mld_feed_url_is_web("/rel") && !mld_feed_url_is_web(NULL),
       "url_is_web");

    /* xml:base stacks; unsafe schemes never become a base. */
    const char *doc = "<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://example.com/p/'>"
                      "<link href='x'/>"
                      "<entry xml:base='sub/'><title type='html' xml:base='javascript:alert(1)'>"
                      "T</title><content type='html' xml:base='../c/'>&lt;a href=\"l.html\"&gt;"
                      "l&lt;/a&gt;</content><link href='e.html'/></entry>"
                      "<entry xml:base='http:///example.com/m/'><link href='z'/></entry></feed>";
    struct mld_source src = {.name = "base.xml", .url = "http://doc.example/feed.xml"};
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    int rc = mld_feed_parse(doc, strlen(doc), &src, &f, &err);
    ok(rc == 0 && f->nitems == 2, "xml:base document parses: %s", err.msg);
    if (rc == 0 && f->nitems == 2) {
        is_str(f->link, "http://example.com/p/x", "feed link against the root's xml:base");
        is_str(f->items[0].title.base, "http://example.com/p/sub/",
               "javascript: base ignored, the parent's stays");
        is_str(f->items[0].content.base, "http://example.com/p/c/", "../ against the stack");
        ok(strstr(f->items[0].content.html, "href=\"http://example.com/p/c/l.html\"") != NULL &&
               strstr(f->items[0].content.html, "rel=\"noopener nofollow\"") != NULL,
           "links in content resolved and marked external: %s", f->items[0].content.html);
        is_str(f->items[0].article->link, "http://example.com/p/sub/e.html", "entry link");
        is_str(f->items[1].article->link, "http://example.com/m/z", "http:/// repaired");
    }
    mld_feed_free(f);

    /* The document URL is the last base. */
    const char *rss = "<rss><channel><link>/home</link><item><link>a/b</link>"
                      "<description>&lt;a href='/x'&gt;x&lt;/a&gt;</description></item>"
                      "</channel></rss>";
    rc = mld_feed_parse(rss, strlen(rss), &src, &f, &err);
    ok(rc == 0 && f->nitems == 1, "rss with relative links parses");
    if (rc == 0 && f->nitems == 1) {
        is_str(f->link, "http://doc.example/home", "channel link against the document URL");
        is_str(f->items[0].article->link, "http://doc.example/a/b", "item link too");
        ok(strstr(f->items[0].summary.html, "http://doc.example/x") != NULL,
           "summary HTML links too");
    }
    mld_feed_free(f);
}

/* Charsets ---------------------------------------------------------------- */

static void
decode_is(const char *doc, size_t len, const char *ctype, const char *want_cs, const char *needle,
          const char *name)
{
    char *out = NULL, cs[32] = "";
    size_t n = 0;
    struct mld_err err = {0};
    int rc = mld_feed_to_utf8(doc, len, ctype, "t", &out, &n, cs, &err);
    bool found = rc == 0 && memmem(out, n, needle, strlen(needle)) != NULL;
    bool nobom = rc == 0 && !(n >= 3 && memcmp(out, "\xef\xbb\xbf", 3) == 0);
    ok(rc == 0 && strcmp(cs, want_cs) == 0 && found && nobom, "%s: charset %s (want %s)%s", name,
       cs, want_cs, found ? "" : ", text not found");
    mld_free(out);
}

static void
test_charsets(void)
{
    char cs[32];
    static const char *const params[][2] = {
        {"text/xml; charset=utf-8", "utf-8"},
        {"text/xml;charset=\"ISO-8859-1\"", "iso-8859-1"},
        {"text/xml; charset = 'us-ascii'", "us-ascii"},
        {"application/rss+xml; foo=bar; charset=windows-1252", "windows-1252"},
        {"text/xml; charset:iso-8859-1", NULL},
        {"text/xml;", NULL},
        {"text/xml", NULL},
        {"text/xml; qs=0.9", NULL},
    };
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        bool found = mld_feed_charset_param(params[i][0], cs, sizeof(cs));
        is_str(found ? cs : NULL, params[i][1], "charset param of \"%s\"", params[i][0]);
    }
    ok(!mld_feed_charset_param(NULL, cs, sizeof(cs)), "no content type, no charset");

    const char u8[] = "<?xml version='1.0' encoding='utf-8'?><a>Caf\xc3\xa9</a>";
    decode_is(u8, sizeof(u8) - 1, NULL, "utf-8", "Caf\xc3\xa9", "declared UTF-8");
    const char bom8[] = "\xef\xbb\xbf<a>Caf\xc3\xa9</a>";
    decode_is(bom8, sizeof(bom8) - 1, "text/xml; charset=iso-8859-1", "utf-8", "Caf\xc3\xa9",
              "UTF-8 BOM beats the HTTP charset");
    const char bom16le[] = "\xff\xfe<\0a\0>\0\xe9\0<\0/\0a\0>\0";
    decode_is(bom16le, sizeof(bom16le) - 1, NULL, "utf-16le", "<a>\xc3\xa9</a>", "UTF-16LE BOM");
    const char bom16be[] = "\xfe\xff\0<\0a\0>\0\xe9\0<\0/\0a\0>";
    decode_is(bom16be, sizeof(bom16be) - 1, NULL, "utf-16be", "<a>\xc3\xa9</a>", "UTF-16BE BOM");
    const char bom32le[] = "\xff\xfe\0\0<\0\0\0a\0\0\0>\0\0\0";
    decode_is(bom32le, sizeof(bom32le) - 1, NULL, "utf-32le", "<a>", "UTF-32LE BOM");
    const char bom32be[] = "\0\0\xfe\xff\0\0\0<\0\0\0a\0\0\0>";
    decode_is(bom32be, sizeof(bom32be) - 1, NULL, "utf-32be", "<a>", "UTF-32BE BOM");
    const char w16[] = "<\0?\0x\0m\0l\0 \0?\0>\0<\0a\0/\0>\0";
    decode_is(w16, sizeof(w16) - 1, NULL, "utf-16le", "<a/>", "UTF-16LE without BOM");
    const char w16be[] = "\0<\0a\0/\0>";
    decode_is(w16be, sizeof(w16be) - 1, NULL, "utf-16be", "<a/>", "UTF-16BE without BOM");
    const char w32[] = "\0\0\0<\0\0\0a\0\0\0/\0\0\0>";
    decode_is(w32, sizeof(w32) - 1, NULL, "utf-32be", "<a/>", "UTF-32BE without BOM");
    const char decl16[] = "<?xml version='1.0' encoding='utf-16'?><a>x</a>";
    decode_is(decl16, sizeof(decl16) - 1, NULL, "utf-8", "<a>x</a>",
              "utf-16 declared on ASCII bytes: the label is dropped");

    const char l1[] = "<?xml version='1.0' encoding='ISO-8859-1'?><a>Caf\xe9 \x80 \x93</a>";
    decode_is(l1, sizeof(l1) - 1, NULL, "iso-8859-1", "Caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9c",
              "ISO-8859-1 decoded as windows-1252");
    decode_is(l1, sizeof(l1) - 1, "text/xml; charset=koi8-r", "koi8-r", "Caf\xd0",
              "the HTTP charset beats the declaration");
    const char ascii[] = "<?xml version='1.0' encoding='us-ascii'?><a>\x80</a>";
    decode_is(ascii, sizeof(ascii) - 1, NULL, "us-ascii", "\xe2\x82\xac",
              "US-ASCII with high bytes: windows-1252");
    const char undeclared[] = "<a>Caf\xe9 \x84quote\x93</a>";
    decode_is(undeclared, sizeof(undeclared) - 1, NULL, "windows-1252",
              "Caf\xc3\xa9 \xe2\x80\x9equote\xe2\x80\x9c", "undeclared non-UTF-8: windows-1252");
    const char wrong8[] = "<?xml version='1.0' encoding='utf-8'?><a>J\xfcrgen</a>";
    decode_is(wrong8, sizeof(wrong8) - 1, NULL, "windows-1252", "J\xc3\xbcrgen",
              "declared UTF-8 but Latin-1 bytes: windows-1252");
    const char wrong1[] = "<?xml version='1.0' encoding='iso-8859-1'?><a>Caf\xc3\xa9</a>";
    decode_is(wrong1, sizeof(wrong1) - 1, NULL, "utf-8", "Caf\xc3\xa9",
              "declared ISO-8859-1 but UTF-8 bytes: UTF-8");
    decode_is(wrong1, sizeof(wrong1) - 1, "text/xml; charset=ISO-8859-1", "utf-8", "Caf\xc3\xa9",
              "HTTP ISO-8859-1 but UTF-8 bytes: UTF-8");
    const char bogus[] = "<?xml version='1.0' encoding='no-such-charset'?><a>Caf\xc3\xa9</a>";
    decode_is(bogus, sizeof(bogus) - 1, NULL, "utf-8", "Caf\xc3\xa9", "unknown label dropped");
    const char koi[] = "<?xml version='1.0' encoding='KOI8-R'?><a>\xf0\xd2\xc9\xcd\xc5\xd2</a>";
    decode_is(koi, sizeof(koi) - 1, NULL, "koi8-r",
              "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80", "KOI8-R through iconv");
    const char gb[] = "<?xml version='1.0' encoding='gb2312'?><a>\xc4\xe3\xba\xc3</a>";
    decode_is(gb, sizeof(gb) - 1, NULL, "gb18030", "\xe4\xbd\xa0\xe5\xa5\xbd",
              "GB2312 read as GB18030");
    const char badgb[] = "<?xml version='1.0' encoding='euc-kr'?><a>\xff\xff</a>";
    decode_is(badgb, sizeof(badgb) - 1, NULL, "windows-1252", "\xc3\xbf\xc3\xbf",
              "a label whose decoding fails falls back");
    const char ctl[] = "<a>x\x01y\x0c"
                       "z\tw\x0bv\x08u\x00t\xef\xbf\xbe</a>";
    decode_is(ctl, sizeof(ctl) - 1, NULL, "utf-8", "xy z\tw vut\xef\xbf\xbd",
              "C0 controls dropped (VT, FF become spaces), U+FFFE becomes U+FFFD");
    const char c1[] = "<a>don\xc2\x92t \xc2\x81</a>";
    decode_is(c1, sizeof(c1) - 1, NULL, "utf-8", "don\xe2\x80\x99t \xc2\x81",
              "C1 controls read as windows-1252 (holes stay)");
    const char lossy[] = "\xef\xbb\xbf<a>ok\xff</a>";
    decode_is(lossy, sizeof(lossy) - 1, NULL, "utf-8", "ok\xef\xbf\xbd",
              "invalid bytes after a UTF-8 BOM become U+FFFD");

    char *out = NULL;
    size_t n;
    struct mld_err err = {0};
    int rc = mld_feed_to_utf8("<a/>", MLD_MAX_DOC_BYTES + 1, NULL, "big.xml", &out, &n, cs, &err);
    ok(rc == MLD_E_TOOBIG && strncmp(err.msg, "big.xml: ", 9) == 0, "too big: %s", err.msg);

    /* A document that grows past the limit as UTF-8 is refused too. */
    size_t big = MLD_MAX_DOC_BYTES / 2 + 16;
    char *latin = malloc(big);
    memset(latin, 0xe9, big);
    memcpy(latin, "<a>", 3);
    mld_err_clear(&err);
    rc = mld_feed_to_utf8(latin, big, NULL, "grow.xml", &out, &n, cs, &err);
    ok(rc == MLD_E_TOOBIG, "growth past the limit: %s", err.msg);
    free(latin);
}

/* Entities ---------------------------------------------------------------- */

static void
entities_are(const char *in, const char *want, const char *name)
{
    size_t n;
    char *got = fix_entities(in, strlen(in), &n);
    is_str(got ? got : in, want, "entities: %s", name);
    mld_free(got);
}

static void
test_entities(void)
{
    entities_are("<a>x&nbsp;y&hellip;&eacute;</a>", "<a>x&#160;y&#8230;&#233;</a>", "HTML names");
    entities_are("<a>&amp;&lt;&gt;&quot;&apos;</a>", "<a>&amp;&lt;&gt;&quot;&apos;</a>",
                 "XML's own stay");
    entities_are("<a>&doesnotexist; &Nbsp; &nbsp</a>", "<a>&doesnotexist; &Nbsp; &amp;nbsp</a>",
                 "unknown and wrong case stay, unterminated is a bare '&'");
    entities_are("<a t='?a=1&b=2'>Fish & Chips &amp; more &lt;3 &</a>",
                 "<a t='?a=1&amp;b=2'>Fish &amp; Chips &amp; more &lt;3 &amp;</a>",
                 "bare '&' in text, attributes, at the end");
    entities_are("<a>?page=1&copy=2;mode=x</a>", "<a>?page=1&amp;copy=2;mode=x</a>",
                 "a name without ';' is no reference (HTML's legacy &copy is not read)");
    entities_are("<a>&; &#; &#x; &#12a; &1x; &-x; &#X41; &#Xg;</a>",
                 "<a>&amp;; &amp;#; &amp;#x; &amp;#12a; &amp;1x; &amp;-x; &#x41; &amp;#Xg;</a>",
                 "malformed references are bare; &#X becomes &#x");
    entities_are("<a>&x-y.z_1; &\xc3\xa9t\xc3\xa9; &#65; &#x41;</a>",
                 "<a>&x-y.z_1; &\xc3\xa9t\xc3\xa9; &#65; &#x41;</a>",
                 "well-formed references stay (the parser judges them)");
    entities_are("<a><![CDATA[a & b]]><!-- a & b --><?pi a & b?></a>",
                 "<a><![CDATA[a & b]]><!-- a & b --><?pi a & b?></a>",
                 "no repair inside CDATA, comments, PIs");
    is_int(mld_xml_ref_len("&amp;x", 6), 5, "ref_len: &amp;");
    is_int(mld_xml_ref_len("&amp", 4), 0, "ref_len: cut short");
    is_int(mld_xml_ref_len("&#xE9;", 6), 6, "ref_len: hex");
    is_int(mld_xml_ref_len("&#xE9;", 5), 0, "ref_len: reads only n bytes");
    is_int(mld_xml_ref_len("& ", 2), 0, "ref_len: bare");
    entities_are("<a><![CDATA[&nbsp;]]><!-- &nbsp; --><?pi &nbsp;?>&nbsp;</a>",
                 "<a><![CDATA[&nbsp;]]><!-- &nbsp; --><?pi &nbsp;?>&#160;</a>",
                 "not inside CDATA, comments, PIs");
    entities_are("<!DOCTYPE rss [<!ENTITY nbsp \"&#32;\">]><a>&nbsp;&copy;</a>",
                 "<!DOCTYPE rss [<!ENTITY nbsp \"&#32;\">]><a>&nbsp;&#169;</a>",
                 "declared names stay");
    entities_are("<a t='&mdash;'>&#146;&#x93;&#128;&#129;&#8217;</a>",
                 "<a t='&#8212;'>&#8217;&#8220;&#8364;&#129;&#8217;</a>",
                 "attributes; C1 references read as windows-1252");

    /* Through the whole parse. */
    const char *doc = "<rss version='0.91'><channel><title>A&nbsp;&amp;&nbsp;B &mdash; "
                      "&#146;</title></channel></rss>";
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = "e.xml"};
    int rc = mld_feed_parse(doc, strlen(doc), &src, &f, &err);
    is_str(rc == 0 ? f->title.text : err.msg,
           "A\xc2\xa0&\xc2\xa0"
           "B \xe2\x80\x94 \xe2\x80\x99",
           "entities in a title");
    mld_feed_free(f);
    const char *amp = "<rss version='2.0'><channel><title>Fish & Chips &amp; more &lt;3</title>"
                      "<link>http://example.com/?a=1&b=2</link></channel></rss>";
    rc = mld_feed_parse(amp, strlen(amp), &src, &f, &err);
    is_str(rc == 0 ? f->title.text : err.msg, "Fish & Chips & more <3", "a bare '&' in a title");
    is_str(rc == 0 ? f->link : err.msg, "http://example.com/?a=1&b=2", "a bare '&' in a link");
    mld_feed_free(f);
    const char *mismatch = "<rss><channel><language>en</langauge></channel></rss>";
    rc = mld_feed_parse(mismatch, strlen(mismatch), &src, &f, &err);
    ok(rc == MLD_E_PARSE && strstr(err.msg, "mismatch") != NULL,
       "a mismatched end tag stays an error: %s", err.msg);
    const char *bad = "<rss><channel><title>&nosuch;</title></channel></rss>";
    rc = mld_feed_parse(bad, strlen(bad), &src, &f, &err);
    ok(rc == MLD_E_PARSE && strstr(err.msg, "e.xml: line 1, column") != NULL,
       "an unknown entity is an error: %s", err.msg);
}

/* Identity and handing over ----------------------------------------------- */

static void
urn_is(const char *id, bool perma, const char *key, const char *link, const char *title,
       mld_time_t date, const char *want, const char *name)
{
    char *u = mld_feed_urn(id, perma, key, link, title, date);
    is_str(u, want, "urn: %s", name);
    mld_free(u);
}

static void
test_identity(void)
{
    const char *key = "https://www.example.de/";
    urn_is("urn:uuid:1", false, key, "https://l/", "T", 0, "urn:uuid:1", "urn: id");
    urn_is("tag:example.de,2024:1", false, key, NULL, NULL, 0, "tag:example.de,2024:1", "tag:");
    urn_is("https://www.example.de/a/1", false, key, NULL, NULL, 0, "https://www.example.de/a/1",
           "http(s) id");
    urn_is("HTTP://X.ORG/1", false, key, NULL, NULL, 0, "HTTP://X.ORG/1", "scheme case");
    urn_is("12345", false, key, "https://l/", NULL, 0, "https://www.example.de/#12345",
           "local guid under the feed key");
    urn_is("12345", true, key, "https://l/", NULL, 0, "12345", "permalink guid as given");
    urn_is("12345", false, NULL, "https://l/", NULL, 0, "12345", "no feed key: the guid");
    urn_is(NULL, false, key, "https://www.example.de/a/2", NULL, 0, "https://www.example.de/a/2",
           "no guid: the link");
    urn_is("", false, key, "https://www.example.de/a/2", NULL, 0, "https://www.example.de/a/2",
           "empty guid: the link");
    char *h1 = mld_feed_urn(NULL, false, key, "/relative", "Titel", 1000);
    char *h2 = mld_feed_urn(NULL, false, key, NULL, "Titel", 1000);
    char *h3 = mld_feed_urn(NULL, false, key, NULL, "Titel", 1001);
    ok(strncmp(h1, "urn:meldung:feed:", 17) == 0 && strlen(h1) == 33 && strcmp(h1, h2) == 0 &&
           strcmp(h1, h3) != 0,
       "no guid, no link: a stable hash of title and date (%s)", h1);
    mld_free(h1);
    mld_free(h2);
    mld_free(h3);
    char longid[MLD_MAX_ID_BYTES + 20];
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    memcpy(longid, "urn:", 4);
    char *lu = mld_feed_urn(longid, false, key, NULL, NULL, 0);
    ok(strncmp(lu, "urn:meldung:feed:", 17) == 0 && strlen(lu) == 33, "over-long id hashed");
    mld_free(lu);
}

static struct mld_article *
art(const char *urn, mld_time_t vc, const char *headline)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = 1;
    a->version_created = vc;
    a->headline = mld_strdup(headline);
    return a;
}

static void
test_hand_over(void)
{
    struct mld_article *v[5] = {art("a", 10, "a old"), art("b", 5, "b"), art("a", 20, "a new"),
                                art("a", 20, "a tie"), art("c", 0, "c")};
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = mld_feed_hand_over(v, 5, "d.xml", mld_test_keep, &l, &err);
    ok(rc == 0 && l.n == 3, "duplicates dropped: %d left", l.n);
    if (l.n == 3) {
        is_str(l.v[0]->headline, "b", "order kept (b first)");
        is_str(l.v[1]->headline, "a new", "newest of a, first on a tie");
        is_str(l.v[2]->headline, "c", "c last");
    }
    ok(v[0] == NULL && v[2] == NULL && v[4] == NULL, "every article taken");
    mld_test_list_free(&l);

    struct mld_article *w[3] = {art("x", 1, "x"), art("y", 1, "y"), art("z", 1, "z")};
    l.stop_after = 1;
    rc = mld_feed_hand_over(w, 3, "s.xml", mld_test_keep, &l, &err);
    ok(rc == MLD_E_STORE && l.n == 1 && strstr(err.msg, "s.xml: item 1: stopped") != NULL,
       "a sink error stops and is reported: %s", err.msg);
    mld_test_list_free(&l);
    ok(mld_feed_hand_over(NULL, 0, NULL, mld_test_keep, &l, NULL) == 0 && l.n == 0,
       "nothing to hand over");
}

/* Text helpers ------------------------------------------------------------ */

static void
author_is(const char *in, const char *want)
{
    struct mld_article a = {0};
    mld_feed_add_author(&a, in);
    is_str(a.author, want, "author from \"%s\"", in ? in : "(null)");
    mld_free(a.author);
}

static void
test_text(void)
{
    author_is("Anna Beispiel", "Anna Beispiel");
    author_is("anna@example.de (Anna Beispiel)", "Anna Beispiel");
    author_is("Anna Beispiel (anna@example.de)", "Anna Beispiel");
    author_is("Anna Beispiel <anna@example.de>", "Anna Beispiel");
    author_is("anna@example.de", NULL);
    author_is("  ", NULL);
    author_is(NULL, NULL);
    author_is("Peter (Berlin)", "Peter (Berlin)");
    author_is("info@example.com (info@example.com)", NULL);
    author_is("Anna, Bert", "Anna, Bert");
    author_is("Lu, A., Simon, A.", "Lu, A., Simon, A.");
    author_is("Peter (Berlin, Mitte)", "Peter (Berlin, Mitte)");
    author_is("Zeichen\x01salat", "Zeichensalat");
    struct mld_article a = {0};
    mld_feed_add_author(&a, "A");
    mld_feed_add_author(&a, "B");
    mld_feed_add_author(&a, "A");
    is_str(a.author, "A, B", "authors joined, no duplicates");
    mld_free(a.author);
    a.author = NULL;
    mld_feed_add_author(&a, "Scott Hanselman, Rob Caron");
    mld_feed_add_author(&a, "Scott Hanselman, Rob Caron");
    mld_feed_add_author(&a, "Rob Caron");
    mld_feed_add_author(&a, "Rob Caron, Scott Hanselman");
    is_str(a.author, "Scott Hanselman, Rob Caron", "a list whose names are all there is skipped");
    mld_feed_add_author(&a, "Rob Caron, Lara");
    is_str(a.author, "Scott Hanselman, Rob Caron, Rob Caron, Lara",
           "else it is added whole (a name may repeat then)");
    mld_free(a.author);
    a.author = NULL;
    mld_feed_add_author(&a, "info@example.com (info@example.com)");
    mld_feed_add_author(&a, "Night Vale Presents");
    is_str(a.author, "Night Vale Presents", "an address as a name gives way to a name");
    mld_free(a.author);

    char *c = mld_feed_cut(mld_strdup("eins zwei drei vier"), 12);
    is_str(c, "eins zwei \xe2\x80\xa6", "cut at a word boundary");
    mld_free(c);
    c = mld_feed_cut(mld_strdup("kurz"), 12);
    is_str(c, "kurz", "short text stays");
    mld_free(c);
    c = mld_feed_cut(mld_strdup("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"), 5);
    is_str(c, "\xc3\xa4\xc3\xa4 \xe2\x80\xa6", "cut inside no UTF-8 sequence");
    mld_free(c);
    ok(mld_feed_cut(NULL, 3) == NULL, "cut NULL");

    ok(mld_feed_looks_like_html("a <b>c</b>") && mld_feed_looks_like_html("AT&amp;T") &&
           mld_feed_looks_like_html("x&#8217;s") && !mld_feed_looks_like_html("a < b") &&
           !mld_feed_looks_like_html("AT&T") && !mld_feed_looks_like_html("x & y;"),
       "looks like HTML");
    char *t = mld_feed_html_text("<p>a</p>\n<p>b &amp; c</p>", 24);
    is_str(t, "a b & c", "html text folded to one line");
    mld_free(t);

    size_t n;
    char *b = mld_feed_base64("PHA+SGk8L3A+\n", &n);
    ok(b != NULL && n == 9 && memcmp(b, "<p>Hi</p>", 9) == 0, "base64");
    mld_free(b);
    ok(mld_feed_base64("a*b", &n) == NULL, "base64 rejects junk");
    char *p = plain_to_html("a < b\nc\n\nd");
    is_str(p, "<p>a &lt; b<br>c</p><p>d</p>", "plain text to HTML");
    mld_free(p);

    ok(mld_feed_is_text("ab\xc3\xa4", 4) && !mld_feed_is_text("\xb5\xeb-", 3) &&
           !mld_feed_is_text("a\0b", 3) && !mld_feed_is_text("\xc3", 1),
       "is_text: valid UTF-8 without NUL");
}

/* Text constructs, the article, the model helpers ----------------------- */

static void
test_constructs(void)
{
    struct mld_source src = {.name = "c.xml"};
    struct mld_feed_reader r = {.src = &src, .name = "c.xml"};
    struct mld_feed_text t = {0};
    mld_feed_text_set(&r, NULL,
                      "a\xb5\xeb-b\x01"
                      "c\x0b"
                      "d",
                      9, MLD_FEED_PLAIN, true, &t);
    is_str(t.text, "a\xef\xbf\xbd\xef\xbf\xbd-bc d", "invalid UTF-8 and controls never reach text");
    ok(t.html != NULL && mld_feed_is_text(t.html, strlen(t.html)), "nor HTML");
    mld_feed_text_set(&r, NULL, "<script>x</script><x/>", 22, MLD_FEED_HTML, true, &t);
    ok(t.present && t.html == NULL && t.text == NULL,
       "HTML that sanitises to nothing is NULL, not \"\"");
    text_clear(&t);

    /* An element that ranks higher wins, whatever the order; an empty
     * one never replaces text. */
    const char *doc = "<c><s>fallback</s><d>real</d><e/><dc>twin</dc></c>";
    struct mld_err err = {0};
    struct mld_source xs = {.name = "o.xml"};
    xmlDocPtr d = mld_xml_parse(doc, strlen(doc), NULL, &xs, &err);
    xmlNode *c = xmlDocGetRootElement(d)->children;
    int rank = 0;
    mld_feed_text_offer(&r, c, MLD_FEED_PLAIN, false, 1, &rank, &t);
    is_str(t.text, "fallback", "offer: taken when nothing is there");
    mld_feed_text_offer(&r, c->next, MLD_FEED_PLAIN, false, 3, &rank, &t);
    is_str(t.text, "real", "offer: a higher rank replaces a fallback before it");
    mld_feed_text_offer(&r, c->next->next, MLD_FEED_PLAIN, false, 3, &rank, &t);
    is_str(t.text, "real", "offer: an empty element replaces nothing");
    mld_feed_text_offer(&r, c->next->next->next, MLD_FEED_PLAIN, false, 2, &rank, &t);
    is_str(t.text, "real", "offer: a lower rank does not replace");
    ok(rank == 3, "offer: rank kept");
    text_clear(&t);
    rank = 0;
    mld_feed_text_offer(&r, c->next->next, MLD_FEED_PLAIN, false, 3, &rank, &t);
    mld_feed_text_offer(&r, c, MLD_FEED_PLAIN, false, 1, &rank, &t);
    is_str(t.text, "fallback", "offer: a fallback fills an empty element");
    text_clear(&t);
    xmlFreeDoc(d);

    /* Undeclared prefixes: libxml2 keeps "atom:link" as the name. */
    doc = "<rss><atom:link href='x'/><dc:creator>A</dc:creator><foo:bar/><title/></rss>";
    d = mld_xml_parse(doc, strlen(doc), NULL, &xs, &err);
    c = xmlDocGetRootElement(d)->children;
    ok(c != NULL && mld_feed_ns(c) == MLD_NS_ATOM && strcmp(mld_feed_name(c), "link") == 0,
       "undeclared atom: prefix is Atom");
    ok(mld_feed_ns(c->next) == MLD_NS_DC && strcmp(mld_feed_name(c->next), "creator") == 0,
       "undeclared dc: prefix is Dublin Core");
    ok(mld_feed_ns(c->next->next) == MLD_NS_OTHER, "an unknown undeclared prefix is other");
    ok(mld_feed_ns(c->next->next->next) == MLD_NS_CORE &&
           mld_feed_child(xmlDocGetRootElement(d), "creator") == c->next,
       "no prefix is the core; child by local name");
    xmlFreeDoc(d);

    /* The default base stands in for a missing document URL only. */
    doc = "<feed xml:base='sub/'><link/></feed>";
    d = mld_xml_parse(doc, strlen(doc), NULL, &xs, &err);
    r.default_base = "https://example.com/feed/atom.xml";
    char *base = mld_feed_base(&r, xmlDocGetRootElement(d)->children);
    is_str(base, "https://example.com/feed/sub/", "default base, xml:base on it");
    mld_free(base);
    struct mld_source us = {.name = "u.xml", .url = "https://other.example/x.xml"};
    r.src = &us;
    base = mld_feed_base(&r, xmlDocGetRootElement(d)->children);
    is_str(base, "https://other.example/sub/", "the document URL wins over the default");
    mld_free(base);
    xmlFreeDoc(d);
    r.src = &src;
    r.default_base = NULL;

    /* The article from the model. */
    struct mld_feed f = {.format = "rss", .lang = "de"};
    f.title.text = "Kanal";
    /* 2026-12-07T09:00:00Z published, modified an hour later. */
    struct mld_feed_item it = {
        .article = mld_article_new(), .updated = 1796634000 + 3600, .published = 1796634000};
    it.summary.text = "Kurz";
    it.content.text = "Lang";
    it.content.html = "<p>Lang</p>";
    it.article->link = mld_strdup("ftp://x/");
    mld_feed_finish_item(&f, &it, "https://k.example/");
    struct mld_article *a = it.article;
    ok(a->version == 1 && a->version_created == 1796634000 && a->updated == 1796634000 + 3600 &&
           a->date_source == MLD_DATE_VERSION,
       "finish: version, dates (RSS: pubDate is the version, the modification orders)");
    is_str(a->headline, "Kurz", "finish: headline from the summary");
    is_str(a->teaser, "Kurz", "finish: teaser");
    is_str(a->body_html, "<p>Lang</p>", "finish: body");
    is_str(a->text, "Kurz\nLang", "finish: text");
    is_str(a->link, NULL, "finish: a link that is not http(s) dropped");
    is_str(a->lang, "de", "finish: the feed's language");
    is_str(a->credit, "Kanal", "finish: credit");
    ok(a->urn != NULL && strncmp(a->urn, "urn:meldung:feed:", 17) == 0, "finish: urn %s", a->urn);
    mld_article_free(a);
}

static void
root_is(const char *doc, size_t len, const char *want)
{
    char root[16];
    mld_feed_sniff_root(doc, len, root, sizeof(root));
    is_str(root, want, "root of \"%.30s\"", doc);
}

static void
test_sniff(void)
{
    root_is("<rss version='2.0'>", 19, "rss");
    root_is("\xef\xbb\xbf<?xml version='1.0'?> <!-- c --> <rdf:RDF xmlns:rdf='x'>", 55, "RDF");
    root_is("<!DOCTYPE rss [<!ENTITY x 'y'>]><rss>", 37, "rss");
    root_is("  <feed xmlns='http://www.w3.org/2005/Atom'>", 44, "feed");
    root_is("\xff\xfe<\0f\0e\0e\0d\0>\0", 14, "feed");
    root_is("\0<\0r\0s\0s\0>", 10, "rss");
    root_is("{\"version\": 1}", 14, "");
    root_is("<html><body>", 12, "html");
    root_is("<verylongrootelementname>", 25, "");
    root_is("", 0, "");
}

/* miniflux's charset cases -------------------------------------------------- */

static void
corpus_title(const char *dir, const char *file, int item, const char *want)
{
    char path[8400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    size_t len;
    char *doc = mld_test_slurp(path, &len);
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = file};
    int rc = doc ? mld_feed_parse(doc, len, &src, &f, &err) : MLD_E_IO;
    const char *got = rc != 0            ? err.msg
                      : item < 0         ? f->title.text
                      : item < f->nitems ? f->items[item].title.text
                                         : "(no such item)";
    is_str(got, want, "miniflux %s: %s", file, item < 0 ? "feed title" : "item title");
    mld_feed_free(f);
    free(doc);
}

static void
corpus_decoded(const char *dir, const char *file, const char *needle)
{
    char path[8400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    size_t len, n = 0;
    char *doc = mld_test_slurp(path, &len), *out = NULL, cs[32] = "";
    struct mld_err err = {0};
    int rc = doc ? mld_feed_to_utf8(doc, len, NULL, file, &out, &n, cs, &err) : MLD_E_IO;
    ok(rc == 0 && memmem(out, n, needle, strlen(needle)) != NULL, "miniflux %s (%s): \"%s\"", file,
       cs, needle);
    mld_free(out);
    free(doc);
}

static void
test_miniflux(void)
{
    const char *enc = mld_test_corpus("miniflux/encoding/testdata");
    if (enc != NULL) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", enc);
        corpus_title(dir, "utf8.xml", 0, "Caf\xc3\xa9");
        corpus_title(dir, "utf8.xml", -1,
                     "\xed\x85\x8c\xec\x8a\xa4\xed\x8a\xb8 \xed\x94\xbc\xeb\x93\x9c");
        corpus_title(dir, "utf8-incorrect-prolog.xml", 0, "Caf\xc3\xa9");
        corpus_title(dir, "invalid-prolog.xml", 0, "Caf\xc3\xa9");
        corpus_title(dir, "iso-8859-1.xml", -1, "Caf\xc3\xa9");
        corpus_title(dir, "windows-1252.xml", -1, "Euro \xe2\x82\xac");
        corpus_title(dir, "windows-1252-incorrect-prolog.xml", -1, "Euro \xe2\x82\xac");
        corpus_title(dir, "koi8r.xml", -1,
                     "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80 RSS "
                     "\xd0\xbb\xd0\xb5\xd0\xbd\xd1\x82\xd1\x8b");
    }
    const char *xml = mld_test_corpus("miniflux/xml/testdata");
    if (xml != NULL) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", xml);
        corpus_decoded(dir, "iso88591.xml", "J\xc3\xbcrgen");
        corpus_decoded(dir, "iso88591.xml", "Ana\xc3\xafs");
        corpus_decoded(dir, "iso88591_utf8_mismatch.xml", "J\xc3\xbcrgen");
        corpus_decoded(dir, "iso88591_utf8_mismatch.xml", "Ana\xc3\xafs");
        corpus_title(dir, "koi8r.xml", -1,
                     "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80 RSS "
                     "\xd0\xbb\xd0\xb5\xd0\xbd\xd1\x82\xd1\x8b");
    }
}

/* Media kinds and the corpus date census ----------------------------------- */

static void
test_media_kind(void)
{
    ok(mld_feed_media_kind("image", "video/mp4", "x.mp3") == MLD_MEDIA_PICTURE,
       "kind: medium first");
    ok(mld_feed_media_kind("document", NULL, "x.jpg") == MLD_MEDIA_OTHER,
       "kind: medium document is other");
    ok(mld_feed_media_kind(NULL, " Audio/MPEG", "x.jpg") == MLD_MEDIA_AUDIO,
       "kind: the type's major part, any case");
    ok(mld_feed_media_kind(NULL, "application/pdf", "x.jpg") == MLD_MEDIA_OTHER,
       "kind: a type that is none of the three");
    ok(mld_feed_media_kind(NULL, "application/octet-stream", "https://a.example/v.MP4?x=1.jpg") ==
           MLD_MEDIA_VIDEO,
       "kind: octet-stream falls back to the extension, before the query");
    static const struct {
        const char *url;
        enum mld_media_kind kind;
    } ext[] = {{"https://a.example/b.jpeg", MLD_MEDIA_PICTURE},
               {"https://a.example/b.webp#f", MLD_MEDIA_PICTURE},
               {"https://a.example/b.png", MLD_MEDIA_PICTURE},
               {"https://a.example/b.mp3", MLD_MEDIA_AUDIO},
               {"https://a.example/b.ogg", MLD_MEDIA_AUDIO},
               {"https://a.example/b.webm", MLD_MEDIA_VIDEO},
               {"https://a.example/b", MLD_MEDIA_OTHER},
               {"https://a.example/jpg", MLD_MEDIA_OTHER},
               {"https://a.example.jpg/b", MLD_MEDIA_OTHER},
               {"https://a.example/b.jpg.exe", MLD_MEDIA_OTHER}};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        is_int(mld_feed_media_kind(NULL, NULL, ext[i].url), ext[i].kind, "kind of %s", ext[i].url);
}

/* What the census counts over the corpus feeds. */
struct census {
    int files, items;
    int by_source[MLD_DATE_SOURCES];
    int bad_dates;    /* a date before MLD_FEED_DATE_MIN, or SEEN with a date */
    int with_picture; /* articles with a picture among their media */
    int media[4];     /* media objects by kind */
};

static void
census_article(struct census *c, const struct mld_article *a)
{
    c->items++;
    if ((int)a->date_source >= 0 && a->date_source < MLD_DATE_SOURCES)
        c->by_source[a->date_source]++;
    bool seen = a->date_source == MLD_DATE_SEEN;
    if (seen ? (a->version_created != 0 || a->updated != 0)
             : (a->version_created < MLD_FEED_DATE_MIN || a->updated < a->version_created))
        c->bad_dates++;
    bool pic = false;
    for (int i = 0; i < a->nmedia; i++) {
        c->media[a->media[i].kind]++;
        pic = pic || a->media[i].kind == MLD_MEDIA_PICTURE;
    }
    c->with_picture += pic;
}

static int
census_sink(void *ud, struct mld_article *a)
{
    census_article(ud, a);
    mld_article_free(a);
    return 0;
}

static void
census_one(struct mld_test_doc *d, void *ud)
{
    struct census *c = ud;
    if (d->doc == NULL)
        return;
    const struct mld_format *fmt = mld_format_detect(d->doc, d->len);
    if (fmt == NULL)
        return;
    struct mld_source src = {.name = d->name};
    struct mld_err err = {0};
    if (fmt == &mld_format_rss || fmt == &mld_format_atom) {
        /* Every item, also those that share a urn with another. */
        struct mld_feed *f = NULL;
        if (mld_feed_parse(d->doc, d->len, &src, &f, &err) == 0) {
            c->files++;
            for (int i = 0; i < f->nitems; i++)
                census_article(c, f->items[i].article);
        }
        mld_feed_free(f);
    } else if (fmt == &mld_format_jsonfeed) {
        if (fmt->parse(d->doc, d->len, &src, census_sink, c, &err) == 0)
            c->files++;
    }
}

static void
test_corpus_dates(void)
{
    static const char *const dirs[] = {"miniflux/parser/testdata", "rss-parser/test/input",
                                       "feed-rs/fixture", "gofeed/testdata", "feedparser/tests"};
    static const char *const names[MLD_DATE_SOURCES] = {"VERSION", "MODIFIED", "CREATED", "CHANNEL",
                                                        "SEEN"};
    struct census all = {0};
    for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
        const char *d = mld_test_corpus(dirs[k]);
        if (d == NULL)
            continue;
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", d);
        struct census c = {0};
        mld_test_walk(NULL, dir, NULL, 8, census_one, &c);
        diag("date sources, %s: %d feeds, %d items: VERSION %d, MODIFIED %d, CREATED %d, "
             "CHANNEL %d, SEEN %d; %d with a picture",
             dirs[k], c.files, c.items, c.by_source[0], c.by_source[1], c.by_source[2],
             c.by_source[3], c.by_source[4], c.with_picture);
        ok(c.files > 0, "census %s: feeds read", dirs[k]);
        all.files += c.files;
        all.items += c.items;
        all.bad_dates += c.bad_dates;
        all.with_picture += c.with_picture;
        for (int i = 0; i < MLD_DATE_SOURCES; i++)
            all.by_source[i] += c.by_source[i];
        for (int i = 0; i < 4; i++)
            all.media[i] += c.media[i];
    }
    if (all.files == 0)
        return;
    int sum = 0;
    for (int i = 0; i < MLD_DATE_SOURCES; i++) {
        diag("date source %-8s %5d items", names[i], all.by_source[i]);
        sum += all.by_source[i];
    }
    diag("all corpus feeds: %d feeds, %d items, %d with a picture; media: %d pictures, "
         "%d audio, %d video, %d other",
         all.files, all.items, all.with_picture, all.media[MLD_MEDIA_PICTURE],
         all.media[MLD_MEDIA_AUDIO], all.media[MLD_MEDIA_VIDEO], all.media[MLD_MEDIA_OTHER]);
    is_int(sum, all.items, "census: every item has one date source");
    is_int(all.bad_dates, 0, "census: no invented, early or disordered date");
    ok(all.by_source[MLD_DATE_VERSION] > 0 && all.by_source[MLD_DATE_SEEN] > 0,
       "census: both dated and undated items met");
}

/* The element token table: sorted for bsearch, every row found, prefixed
 * and unknown names handled. */
static void
test_tokens(void)
{
    size_t n = sizeof(feed_toks) / sizeof(*feed_toks);
    bool sorted = true, found = true;
    xmlNode el = {.type = XML_ELEMENT_NODE};
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(feed_toks[i - 1].name, feed_toks[i].name) >= 0)
            sorted = false;
        el.name = (const xmlChar *)feed_toks[i].name;
        if (mld_feed_tok(&el) != feed_toks[i].tok) {
            diag("%s not found", feed_toks[i].name);
            found = false;
        }
    }
    ok(sorted, "the token table is in strcmp order");
    ok(found, "each of its %zu names looks up to its token", n);
    ok(n + 1 == MLD_TOK_N, "and it has a row for every token");
    el.name = (const xmlChar *)"atom:link"; /* an undeclared prefix stays in the name */
    is_int(mld_feed_tok(&el), MLD_TOK_LINK, "a prefixed name is looked up by its local part");
    el.name = (const xmlChar *)"Title";
    is_int(mld_feed_tok(&el), MLD_TOK_OTHER, "names are case-sensitive, as XML is");
    el.name = (const xmlChar *)"";
    is_int(mld_feed_tok(&el), MLD_TOK_OTHER, "an empty name is no token");
}

int
main(void)
{
    test_tokens();
    test_dates();
    test_urls();
    test_charsets();
    test_entities();
    test_identity();
    test_hand_over();
    test_text();
    test_constructs();
    test_sniff();
    test_miniflux();
    test_media_kind();
    test_corpus_dates();
    return mld_test_done();
}
