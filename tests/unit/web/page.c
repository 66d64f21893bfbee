/*
 * Tests for page.c without a store: German day headings of the topic
 * timeline (Europe/Berlin days, summer time), the page number parameter,
 * the page-cache key (search is never keyed), slugs, the change keys a
 * page records (duplicates once, overflow keeps it out of the cache) and
 * the timeline grouping by day.
 */
#include "../../../src/web/page.c"

#include "test.h"

static void
test_days(void)
{
    char h[64];
    int d = day_heading(mld_time_from_civil(2026, 1, 30, 12, 51, 0), h, sizeof(h));
    is_str(h, "Freitag, 30. Januar 2026", "a Friday in January");
    is_int(d, 20260130, "its day number");
    day_heading(mld_time_from_civil(2026, 1, 31, 23, 30, 0), h, sizeof(h));
    is_str(h, "Sonntag, 1. Februar 2026", "23:30 UTC is the next day in Berlin");
    day_heading(mld_time_from_civil(2025, 10, 20, 22, 30, 0), h, sizeof(h));
    is_str(h, "Dienstag, 21. Oktober 2025", "summer time: 22:30 UTC is past midnight");
    day_heading(mld_time_from_civil(2026, 3, 1, 8, 0, 0), h, sizeof(h));
    is_str(h, "Sonntag, 1. März 2026", "März with its umlaut");
}

static void
test_params(void)
{
    const char *none[] = {NULL};
    const char *two[] = {"seite", "2", NULL};
    const char *empty[] = {"seite", "", NULL};
    const char *bad[] = {"seite", "0", NULL};
    const char *sign[] = {"seite", "+2", NULL};
    const char *big[] = {"seite", "1001", NULL};
    struct mld_page_args a = {mld_page_kv_get, none};
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), 1, "no seite: page 1");
    a.ud = empty;
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), 1, "empty seite: page 1");
    a.ud = two;
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), 2, "seite=2");
    a.ud = bad;
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), -1, "seite=0 is invalid");
    a.ud = sign;
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), -1, "seite=+2 is invalid");
    a.ud = big;
    is_int(page_number(&a, MLD_LIST_MAX_PAGES), -1, "seite beyond the deepest page");

    char key[256];
    a.ud = two;
    ok(mld_page_cache_key("/ressort/sport", &a, key, sizeof(key)), "a list page is keyed");
    is_str(key, "/ressort/sport?seite=2", "with its page");
    a.ud = none;
    ok(mld_page_cache_key("/", &a, key, sizeof(key)), "home is keyed");
    is_str(key, "/", "by its path");
    a.ud = bad;
    ok(!mld_page_cache_key("/ressort/sport", &a, key, sizeof(key)), "a bad seite is not keyed");
    a.ud = none;
    ok(!mld_page_cache_key("/suche", &a, key, sizeof(key)), "search is not keyed");
    ok(!mld_page_cache_key(MLD_PAGE_SEARCH_API_PATH, &a, key, sizeof(key)), "nor the API");
    char small[4];
    ok(!mld_page_cache_key("/ressort/sport", &a, small, sizeof(small)),
       "a key too long for the buffer");

    ok(mld_page_is_slug("kreml-stimmt-9", 80), "a slug");
    ok(!mld_page_is_slug("", 80) && !mld_page_is_slug("Kreml", 80) && !mld_page_is_slug("a/b", 80),
       "not slugs");
    ok(!mld_page_is_slug("abcdef", 5), "too long");
    is_int(parse_id("12"), 12, "an id");
    is_int(parse_id("1x"), 0, "not an id");
    is_int(parse_id("1234567890123456789"), 0, "too many digits");
    is_int(parse_article_ref("kreml-stimmt-9"), 9, "the id of an article path");
}

static void
test_tags(void)
{
    struct mld_page pg;
    memset(&pg, 0, sizeof(pg));
    mld_page_add_article_tag(&pg, 7);
    mld_page_add_tag(&pg, "a:", "7");
    mld_page_add_tag(&pg, "t:", "ukraine");
    is_int(pg.ntags, 2, "a repeated key is kept once");
    is_str(pg.tags[0], "a:7", "article key");
    for (int i = 0; i < MLD_PAGE_MAX_TAGS; i++)
        mld_page_add_article_tag(&pg, 100 + i);
    is_int(pg.ntags, MLD_PAGE_MAX_TAGS, "no more keys than the cache takes");
    ok(pg.tags_full, "and the page knows it lost one");
    mld_page_dispose(&pg);
}

static void
test_timeline(void)
{
    struct mld_article a1 = {.headline = "Eins"}, a2 = {.headline = "Zwei"},
                       a3 = {.headline = "Drei"};
    struct mld_item v[3] = {
        {.id = 3,
         .story_id = 3,
         .slug = "drei",
         .published = mld_time_from_civil(2026, 1, 31, 10, 0, 0),
         .a = &a3},
        {.id = 2,
         .story_id = 1,
         .slug = "zwei",
         .story_size = 2,
         .published = mld_time_from_civil(2026, 1, 30, 12, 51, 0),
         .a = &a2},
        {.id = 1,
         .story_id = 1,
         .slug = "eins",
         .published = mld_time_from_civil(2026, 1, 30, 8, 0, 0),
         .a = &a1},
    };
    struct mld_items l = {v, 3};
    json_t *days = timeline_json(&l);
    is_int((int)json_array_size(days), 2, "two days");
    json_t *fri = json_array_get(days, 1);
    is_str(json_string_value(json_object_get(fri, "heading")), "Freitag, 30. Januar 2026",
           "Friday second");
    is_str(json_string_value(json_object_get(fri, "date")), "2026-01-30", "its date");
    json_t *items = json_object_get(fri, "items");
    is_int((int)json_array_size(items), 2, "two entries on Friday");
    json_t *e = json_array_get(items, 0);
    is_str(json_string_value(json_object_get(e, "time")), "13:51", "time in Berlin");
    is_str(json_string_value(json_object_get(e, "story_url")), "/geschichte/1", "the story link");
    is_int((int)json_integer_value(json_object_get(e, "story_size")), 2, "and its size");
    ok(json_object_get(json_array_get(items, 1), "story_url") == NULL,
       "no link for a single article");
    json_decref(days);
}

int
main(void)
{
    test_days();
    test_params();
    test_tags();
    test_timeline();
    return mld_test_done();
}
