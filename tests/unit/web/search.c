/*
 * Tests for search.c: reading and checking a search request's parameters
 * (dates as Berlin days, paging bounds, query length and encoding, empty
 * ranges), the links it builds (percent-encoding, page and API forms) and
 * the snippet filter that lets only <mark> through (both helpers now live
 * in api.c, shared with the article API). The store is not
 * involved: these requests name no section or topic.
 */
#include "../../../src/web/search.c"

#include "test.h"

/* Parses the request kv for the page (api false) or the API. */
static bool
parse(const char *const *kv, bool api, struct sreq *r)
{
    struct mld_page_args args = {mld_page_kv_get, kv};
    return parse_request(NULL, &args, api, r);
}

static void
test_dates(void)
{
    /* A day as a start (the Berlin midnight it begins with) or an end (the
     * one it ends with), in UTC. */
    static const struct {
        const char *arg;
        bool end;
        int y, mon, d, h; /* the UTC time it stands for */
        const char *what, *means;
    } days[] = {
        {"2026-01-30", false, 2026, 1, 29, 23, "a winter day", "starts 23:00 UTC the day before"},
        {"2026-01-30", true, 2026, 1, 30, 23, "as an end", "ends where the next day starts"},
        {"2026-07-01", false, 2026, 6, 30, 22, "a summer day", "starts 22:00 UTC the day before"},
        {"2026-03-29", true, 2026, 3, 29, 22, "the day summer time starts",
         "ends at summer-time midnight"},
        {"2026-10-25", false, 2026, 10, 24, 22, "the day summer time ends",
         "starts at summer-time midnight"},
        {"2025-12-31", true, 2025, 12, 31, 23, "the last day of a year", "ends at New Year, Berlin"},
        {"2026-01-30T12:00:00+01:00", false, 2026, 1, 30, 11, "a timestamp", "is taken as it is"},
    };
    mld_time_t t = 0;
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        ok(mld_api_parse_when(days[i].arg, days[i].end, &t), "%s", days[i].what);
        is_int(t, mld_time_from_civil(days[i].y, days[i].mon, days[i].d, days[i].h, 0, 0), "%s",
               days[i].means);
    }
    static const char *const bad[] = {"2026-02-30", "2026-13-01", "2026-1-1",   "2026-01-3x",
                                      "gestern",    "",           "2026-00-10", "+026-01-01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(!mld_api_parse_when(bad[i], false, &t), "refused: \"%s\"", bad[i]);
}

static void
test_request(void)
{
    struct sreq r;
    const char *plain[] = {"q", "Kreml", NULL};
    ok(parse(plain, false, &r), "a plain query");
    is_str(r.q, "Kreml", "query");
    is_int(r.limit, MLD_SEARCH_PAGE_SIZE, "a page of hits");
    is_int(r.offset, 0, "from the first");
    ok(r.section == NULL && r.topic == NULL && r.from == 0 && r.to == 0, "no filters");
    sreq_dispose(&r);

    const char *form[] = {"q", "a b", "ressort", "",      "thema", "",  "von",
                          "",  "bis", "",        "seite", "3",     NULL};
    ok(parse(form, false, &r), "empty form fields");
    ok(r.section == NULL && r.topic == NULL && r.from_arg == NULL, "are no filters");
    is_int(r.offset, 2 * MLD_SEARCH_PAGE_SIZE, "seite=3 starts at hit 41");
    sreq_dispose(&r);

    const char *last[] = {"q", "x", "seite", "51", NULL};
    ok(parse(last, false, &r), "the deepest page");
    is_int(r.offset, MLD_SEARCH_MAX_OFFSET, "reaches the store's deepest offset");
    sreq_dispose(&r);

    static const struct {
        const char *name, *value, *want;
        bool api;
    } bad[] = {
        {"seite", "0", "„seite“: „0“ – erwartet eine Seitenzahl von 1 bis 51", false},
        {"seite", "52", "„seite“", false},
        {"seite", "-1", "„seite“", false},
        {"seite", "1x", "„seite“", false},
        {"seite", "99999999999999999999", "„seite“", false},
        {"von", "2026-13-01", "„von“: „2026-13-01“ – erwartet ein Datum", false},
        {"bis", "\xff", "„bis“ – erwartet", false},
        {"limit", "0", "„limit“: „0“ – erwartet eine Zahl von 1 bis 100", true},
        {"limit", "101", "„limit“", true},
        {"offset", "1001", "„offset“: „1001“ – erwartet eine Zahl von 0 bis 1000", true},
        {"from", "morgen", "„from“", true},
        {"section", "Aus land", "„section“", true},
        {"ressort", "x/y", "„ressort“", false},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *kv[] = {"q", "x", bad[i].name, bad[i].value, NULL};
        ok(!parse(kv, bad[i].api, &r), "%s=%s is refused", bad[i].name, bad[i].value);
        ok(strstr(r.msg, bad[i].want) != NULL, "saying why: %s", r.msg);
        sreq_dispose(&r);
    }
    const char *api_seite[] = {"q", "x", "seite", "0", "limit", "100", "offset", "1000", NULL};
    ok(parse(api_seite, true, &r), "the API ignores seite and takes the largest limit and offset");
    is_int(r.limit, 100, "limit");
    is_int(r.offset, 1000, "offset");
    sreq_dispose(&r);

    const char *empty[] = {"q", "x", "von", "2026-02-01", "bis", "2026-01-31", NULL};
    ok(!parse(empty, false, &r), "von after bis is refused");
    ok(strstr(r.msg, "Zeitraum ist leer") != NULL, "as an empty range: %s", r.msg);
    sreq_dispose(&r);
    const char *one_day[] = {"q", "x", "von", "2026-01-31", "bis", "2026-01-31", NULL};
    ok(parse(one_day, false, &r), "von = bis is one day");
    is_int(r.to - r.from, 86400, "of 24 hours");
    sreq_dispose(&r);

    char longq[MLD_SEARCH_MAX_QUERY_BYTES + 2];
    memset(longq, 'a', sizeof(longq) - 1);
    longq[sizeof(longq) - 1] = '\0';
    const char *too_long[] = {"q", longq, NULL};
    ok(!parse(too_long, false, &r), "a query over the limit is refused");
    ok(strstr(r.msg, "zu lang") != NULL && r.q[0] == '\0', "and not echoed: %s", r.msg);
    sreq_dispose(&r);
    longq[MLD_SEARCH_MAX_QUERY_BYTES] = '\0';
    ok(parse(too_long, false, &r), "a query of the limit is fine");
    sreq_dispose(&r);
    const char *latin1[] = {"q", "K\xf6ln", NULL};
    ok(!parse(latin1, false, &r), "a query in Latin-1 is refused");
    ok(strstr(r.msg, "UTF-8") != NULL, "as not UTF-8");
    sreq_dispose(&r);
    ok(is_blank(" \t\n") && is_blank("") && !is_blank(" a "), "blank queries");
}

static void
test_urls(void)
{
    struct sreq r;
    const char *kv[] = {"q", "Kreml & \"Waffenruhe\" ä+", "von", "2026-01-30", NULL};
    ok(parse(kv, false, &r), "a query with reserved bytes");
    char *u = search_url(&r, r.q, NULL, 0);
    is_str(u, "/suche?q=Kreml%20%26%20%22Waffenruhe%22%20%C3%A4%2B&von=2026-01-30",
           "percent-encoded, first page without seite");
    mld_free(u);
    u = search_url(&r, "neu", "ukraine", 40);
    is_str(u, "/suche?q=neu&thema=ukraine&von=2026-01-30&seite=3", "a topic and page 3");
    mld_free(u);
    sreq_dispose(&r);
    const char *api[] = {"q", "x", "section", "sport", "limit", "5", NULL};
    struct mld_page_args args = {mld_page_kv_get, api};
    memset(&r, 0, sizeof(r));
    r.api = true;
    r.names = &api_names;
    ok(parse_paging(&args, &r), "API paging");
    r.q = "x";
    r.section = "sport";
    u = search_url(&r, r.q, NULL, 10);
    is_str(u, "/api/v1/search?q=x&section=sport&limit=5&offset=10", "the API's next page");
    mld_free(u);
}

/* Runs the snippet filter (api.c, shared with the API and the CLI) on
 * in and compares with want. */
static void
snippet_is(const char *in, const char *want, const char *name)
{
    json_t *v = mld_api_snippet_json(in);
    is_str(json_string_value(v), want, "%s", name);
    json_decref(v);
}

static void
test_snippets(void)
{
    snippet_is("der <mark>Kreml</mark> stimmt zu", "der <mark>Kreml</mark> stimmt zu",
               "marks pass");
    snippet_is("M&uuml;ller &amp; S&#246;hne &#xE4; &lt;b&gt;",
               "M&uuml;ller &amp; S&#246;hne &#xE4; &lt;b&gt;", "references pass");
    snippet_is("<b>fett</b> <script>x</script>",
               "&lt;b&gt;fett&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;", "other tags are escaped");
    snippet_is("a & b \"c\" 'd' > e", "a &amp; b &quot;c&quot; &#39;d&#39; &gt; e",
               "bare markup characters are escaped");
    snippet_is("&nosemicolon &#; &#x; &;", "&amp;nosemicolon &amp;#; &amp;#x; &amp;;",
               "broken references are escaped");
    snippet_is("<mark>a <mark>b</mark> c", "<mark>a &lt;mark&gt;b</mark> c", "marks do not nest");
    snippet_is("a</mark> <mark>b", "a&lt;/mark&gt; <mark>b</mark>",
               "a stray close is escaped, an open mark closed");
    snippet_is("Gr\xc3\xbc\xc3\x9f\xff\xfe e \xe2\x80", "Grüß e ", "invalid UTF-8 is dropped");
    snippet_is("", "", "empty");
}

int
main(void)
{
    test_dates();
    test_request();
    test_urls();
    test_snippets();
    return mld_test_done();
}
