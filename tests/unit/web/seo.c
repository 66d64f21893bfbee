/*
 * Tests for seo.c and sitemap.c without a server: meta descriptions cut
 * at a word boundary (characters, not bytes), JSON-LD that no text can
 * break out of (</script>, <!--, U+2028/2029) and that still decodes to
 * the same text, authors from bylines, absolute URLs, the news sitemap's
 * language codes, child sitemap names, and XML text without the control
 * characters XML 1.0 forbids. The documents themselves are checked end to
 * end in tests/http/seo.t.
 */
#include "../../../src/web/seo.c"
#include "../../../src/web/sitemap.c"

#include "test.h"

static void
cut_is(const char *in, size_t max, const char *want, const char *name)
{
    char *got = mld_seo_cut(in, max);
    is_str(got ? got : "(null)", want ? want : "(null)", "%s", name);
    mld_free(got);
}

static void
test_cut(void)
{
    cut_is("  Kurz  und\n\tgut. ", 160, "Kurz und gut.", "blanks collapse, ends trimmed");
    cut_is("eins zwei drei vier", 12, "eins zwei…", "cut at a word boundary with an ellipsis");
    cut_is("Überschrift über Größe", 14, "Überschrift…", "umlauts count as one character");
    cut_is("Donaudampfschifffahrt", 8, "Donauda…", "one long word is cut inside");
    cut_is("genau zehn", 11, "genau zehn", "text that fits is kept whole");
    cut_is("   ", 10, NULL, "blank text: none");
    cut_is(NULL, 10, NULL, "no text: none");
}

static void
test_json_script(void)
{
    json_t *v = json_pack("{s:s, s:s}", "headline",
                          "</script><script>alert(1)</script> <!-- & \xe2\x80\xa8 \xe2\x80\xa9 ok",
                          "plain", "Grüße");
    char *s = mld_seo_json_script(v);
    ok(s != NULL, "encodes");
    ok(s && strchr(s, '<') == NULL && strchr(s, '>') == NULL && strchr(s, '&') == NULL,
       "no < > & left: %s", s ? s : "");
    ok(s && strstr(s, "\xe2\x80\xa8") == NULL && strstr(s, "\xe2\x80\xa9") == NULL,
       "no raw U+2028 or U+2029");
    ok(s && strstr(s, "\\u003c/script\\u003e") != NULL, "</script> as \\u escapes");
    ok(s && strstr(s, "\\u2028 \\u2029") != NULL, "line and paragraph separators as \\u escapes");
    ok(s && strstr(s, "Grüße") != NULL, "other text stays UTF-8");
    json_t *back = s ? json_loads(s, 0, NULL) : NULL;
    is_str(back ? json_string_value(json_object_get(back, "headline")) : "",
           json_string_value(json_object_get(v, "headline")), "decodes to the same headline");
    json_decref(back);
    json_decref(v);
    mld_free(s);
}

/* The writer gives what jansson's compact dump gave with < > & and
 * U+2028/9 escaped after it (the way it was done before): same bytes. */
static void
test_json_script_as_dump(void)
{
    json_t *v = json_pack("[{s:s, s:i, s:b, s:b, s:n, s:[s, {}, []], s:{s:s}}, s]",
                          "q\"uote\\back", "tab\there\nline\rret\bbs\ffeed\x01\x1f/slash",
                          "n", -42, "t", 1, "f", 0, "null", "list", "a<b>&c", "o", "k",
                          "Stra\xc3\x9f" "e \xe2\x80\xa8 \xe2\x80\xa9 \xe2\x80\xa6 \xf0\x9f\x93\xb0",
                          "second");
    char *dump = json_dumps(v, JSON_COMPACT);
    struct mld_buf want;
    mld_buf_init(&want, 1 << 20);
    for (size_t i = 0; dump[i] != '\0'; i++) {
        unsigned char c = (unsigned char)dump[i];
        if (c == '<' || c == '>' || c == '&')
            mld_buf_printf(&want, "\\u%04x", c);
        else if (c == 0xE2 && (unsigned char)dump[i + 1] == 0x80 &&
                 ((unsigned char)dump[i + 2] == 0xA8 || (unsigned char)dump[i + 2] == 0xA9))
            mld_buf_printf(&want, "\\u%04x", 0x2000 + (unsigned char)dump[i + 2] - 0x80), i += 2;
        else
            mld_buf_putc(&want, (char)c);
    }
    char *got = mld_seo_json_script(v);
    is_str(got ? got : "(null)", want.p, "the same bytes as jansson's dump, escaped after");
    json_t *deep = json_array(), *in = deep;
    for (int i = 0; i < MLD_SEO_JSON_DEPTH + 2; i++) {
        json_t *x = json_array();
        json_array_append_new(in, x);
        in = x;
    }
    char *none = mld_seo_json_script(deep);
    ok(none == NULL, "nesting deeper than MLD_SEO_JSON_DEPTH: none");
    json_t *real = json_pack("{s:f}", "x", 1.5);
    char *r = mld_seo_json_script(real);
    ok(r == NULL, "a real number (never in JSON-LD): none");
    json_decref(real);
    json_decref(deep);
    json_decref(v);
    mld_buf_dispose(&want);
    free(dump);
    mld_free(got);
}

static void
authors_are(const char *byline, const char *credit, const char *want, const char *name)
{
    json_t *art = json_object();
    mld_page_set_str(art, "author_name", byline);
    mld_page_set_str(art, "credit", credit);
    json_t *a = authors_json(art, NULL, "https://x.test/");
    char got[512] = "";
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *o = json_array_get(a, i);
        size_t n = strlen(got);
        snprintf(got + n, sizeof(got) - n, "%s%s:%s", i ? "|" : "", str_of(o, "@type"),
                 str_of(o, "name"));
    }
    is_str(got, want, "%s", name);
    json_decref(a);
    json_decref(art);
}

static void
test_authors(void)
{
    authors_are("Von Anna Muster und Max Beispiel", "dpa", "Person:Anna Muster|Person:Max Beispiel",
                "two names of a byline");
    authors_are("Von Erika Beispiel, dpa", "dpa", "Person:Erika Beispiel|Organization:dpa",
                "the agency in a byline is an Organization");
    authors_are("Ana Autorin, Ben Autor", NULL, "Person:Ana Autorin|Person:Ben Autor",
                "a feed's author list");
    authors_are(NULL, "AFP", "Organization:AFP", "no byline: the credit");
    authors_are(NULL, NULL, "Organization:meldung", "nothing: the site");
}

static void
test_absolute(void)
{
    struct mld_page_site site = {.base_url = "https://news.example.de"};
    char *u = absolute(&site, "/static/a.jpg");
    is_str(u, "https://news.example.de/static/a.jpg", "a site path gets the base URL");
    mld_free(u);
    u = absolute(&site, "https://img.example.org/b.jpg");
    is_str(u, "https://img.example.org/b.jpg", "an absolute URL stays");
    mld_free(u);
    u = absolute(&site, "//img.example.org/c.jpg");
    is_str(u, "https://img.example.org/c.jpg", "a scheme-relative URL gets https");
    mld_free(u);
}

static void
test_sitemap_helpers(void)
{
    char lang[8];
    const char *cases[][2] = {{"de", "de"},       {"DE-de", "de"},  {"en", "en"},
                              {"zh-TW", "zh-tw"}, {"zh", "zh"},     {NULL, "de"},
                              {"", "de"},         {"german", "de"}, {"x", "de"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        news_language(cases[i][0], lang);
        is_str(lang, cases[i][1], "news language of '%s'", cases[i][0] ? cases[i][0] : "(none)");
    }
    int y, m;
    int64_t p;
    ok(parse_child("2026-01.xml", &y, &m, &p) && y == 2026 && m == 1 && p == 1, "YYYY-MM.xml");
    ok(parse_child("2026-12-3.xml", &y, &m, &p) && m == 12 && p == 3, "YYYY-MM-N.xml");
    ok(!parse_child("2026-13.xml", &y, &m, &p), "no month 13");
    ok(!parse_child("2026-01-0.xml", &y, &m, &p), "no part 0");
    ok(!parse_child("2026-01-01.xml", &y, &m, &p), "no leading zero in a part");
    ok(!parse_child("2026-1.xml", &y, &m, &p), "two-digit months only");
    ok(!parse_child("2026-01.xml.gz", &y, &m, &p), "only .xml");
    struct mld_buf b;
    mld_buf_init(&b, 1024);
    xml_text(&b, "a\x01<b>&\"c\"\x1f\td\n");
    mld_buf_putc(&b, '\0');
    is_str(b.p, "a&lt;b&gt;&amp;&quot;c&quot;\td\n", "XML text: markup escaped, controls dropped");
    mld_buf_dispose(&b);
}

int
main(void)
{
    test_cut();
    test_json_script();
    test_json_script_as_dump();
    test_authors();
    test_absolute();
    test_sitemap_helpers();
    return mld_test_done();
}
