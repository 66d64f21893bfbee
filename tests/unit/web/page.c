/*
 * Tests for page.c without a store: German day headings of the topic
 * timeline (Europe/Berlin days, summer time), the page number parameter,
 * the page-cache key (search is never keyed), slugs, the change keys a
 * page records (duplicates once, overflow keeps it out of the cache) and
 * the timeline grouping by day; German plurals, section order, URL
 * hosts, datelines, picture sizes; and pages rendered from a real store
 * through the bundled templates: the portal home (lead, "Neueste
 * Meldungen", blocks, each story once), an article with pictures
 * (figure, srcset, credit), audio, info box and source link, a held
 * article (404), the footer with and without configured links.
 */
#include "../../../src/web/page.c"

#include <unistd.h>

#include "store_test.h"
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
    is_int(mld_page_parse_id("12"), 12, "an id");
    is_int(mld_page_parse_id("1x"), 0, "not an id");
    is_int(mld_page_parse_id("1234567890123456789"), 0, "too many digits");
    is_int(parse_article_ref("kreml-stimmt-9"), 9, "the id of an article path");
}

static void
test_tags(void)
{
    struct mld_page pg;
    memset(&pg, 0, sizeof(pg));
    mld_page_add_key(&pg, mld_key_article(7).s);
    mld_page_add_key(&pg, "a:7");
    mld_page_add_key(&pg, mld_key_topic("ukraine").s);
    mld_page_add_key(&pg, mld_key_section(NULL).s);
    is_int(pg.ntags, 2, "a repeated key is kept once, an empty one not at all");
    is_str(pg.tags[0], "a:7", "article key");
    for (int i = 0; i < MLD_PAGE_MAX_TAGS; i++)
        mld_page_add_key(&pg, mld_key_article(100 + i).s);
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

static void
test_helpers(void)
{
    char b[64];
    mld_page_count_noun(b, sizeof(b), 1, "Meldung", "Meldungen");
    is_str(b, "1 Meldung", "singular");
    mld_page_count_noun(b, sizeof(b), 2, "Meldung", "Meldungen");
    is_str(b, "2 Meldungen", "plural");
    mld_page_count_noun(b, sizeof(b), 0, "Quelle", "Quellen");
    is_str(b, "0 Quellen", "zero is plural");

    ok(url_host("https://www.tagesschau.de/inland/x.html", b, sizeof(b)) &&
           strcmp(b, "tagesschau.de") == 0, "host without www.");
    ok(url_host("http://user:pw@example.org:8080/a", b, sizeof(b)) &&
           strcmp(b, "example.org") == 0, "host without credentials and port");
    ok(!url_host("ftp://example.org/", b, sizeof(b)) && !url_host("/pfad", b, sizeof(b)),
       "no host of a non-http URL");
    ok(is_german(NULL) && is_german("de") && is_german("de-AT") && !is_german("en") &&
           !is_german("den"), "German or not");

    struct mld_article a = {.dateline = "Berlin (dpa) - ",
                            .body_html = "<p>Berlin (dpa) - Der Text.</p>"};
    ok(dateline_text(&a) == NULL, "no separate dateline when the body opens with it");
    a.body_html = "<p>Der Text.</p>";
    char *dl = dateline_text(&a);
    is_str(dl, "Berlin (dpa)", "dateline line, trailing dash dropped");
    mld_free(dl);

    struct mld_named v[4] = {{"Sport", "sport"}, {"Börse", "boerse"}, {"Auto", "auto"},
                             {"Ausland", "ausland"}};
    const char *order[] = {"Ausland", "Boerse", "Sport"};
    struct mld_page_site site = {.sections = order, .nsections = 3};
    mld_page_order_sections(v, 4, &site);
    ok(strcmp(v[0].slug, "ausland") == 0 && strcmp(v[1].name, "Börse") == 0 &&
           strcmp(v[2].slug, "sport") == 0 && strcmp(v[3].slug, "auto") == 0,
       "configured order first (Boerse matches Börse by slug), the rest after");

    struct mld_rendition r[3] = {{"https://i.example/s.jpg", 120, 80},
                                 {"https://i.example/m.jpg", 480, 320},
                                 {"https://i.example/l.jpg", 240, 160}};
    struct mld_media m = {.url = "https://i.example/xl.jpg", .width = 1600, .height = 1067,
                          .kind = MLD_MEDIA_PICTURE, .caption = "Ein Bild",
                          .renditions = r, .nrenditions = 3};
    json_t *t = thumb_json(&m);
    is_str(json_string_value(json_object_get(t, "src")), "https://i.example/l.jpg",
           "thumbnail: the narrowest size of at least 160 px");
    is_int(json_integer_value(json_object_get(t, "width")), 240, "its width");
    is_str(json_string_value(json_object_get(t, "alt")), "Ein Bild", "alt falls back to caption");
    json_decref(t);
    t = picture_json(&m, true, "100vw");
    is_str(json_string_value(json_object_get(t, "srcset")),
           "https://i.example/s.jpg 120w, https://i.example/l.jpg 240w, "
           "https://i.example/m.jpg 480w, https://i.example/xl.jpg 1600w",
           "srcset narrowest first with w descriptors");
    is_str(json_string_value(json_object_get(t, "src")), "https://i.example/xl.jpg", "src");
    json_decref(t);
}

/* An article for the page tests. */
static struct mld_article *
page_art(const char *urn, const char *created, const char *headline, const char *section,
         int urgency)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = 1;
    mld_time_parse_iso(created, strlen(created), &a->version_created);
    a->updated = a->version_created;
    a->headline = mld_strdup(headline);
    a->teaser = mld_strdup("Ein kurzer Vorspann.");
    a->body_html = mld_strdup("<p>Ein Absatz.</p>");
    a->text = mld_strdup(headline);
    a->section = mld_strdup(section);
    a->urgency = urgency;
    a->credit = mld_strdup("dpa");
    return a;
}

static int64_t
page_put(struct mld_store *st, struct mld_article *a)
{
    int64_t id = 0;
    enum mld_put_result res;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &res, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_article_free(a);
    return id;
}

static void
test_pages(void)
{
    struct mld_tmpl_set *tmpl = mld_tmpl_set_new();
    struct mld_err err = {0};
    if (mld_tmpl_set_load_dir(tmpl, "templates", &err) != 0) {
        ok(0, "templates/ not readable (%s): run from the repository root", err.msg);
        mld_tmpl_set_free(tmpl);
        return;
    }
    struct mld_store *st = mld_test_store_fresh("page");
    mld_time_t now;
    mld_time_parse_iso("2026-02-01T12:00:00Z", 20, &now);

    /* An urgent story of the last hours, without a picture: it leads. */
    int64_t urgent = page_put(st, page_art("urn:p:1", "2026-02-01T10:00:00Z",
                                           "Eilmeldung zur Regierungsbildung", "Politik", 1));
    /* A story with a picture, audio, an info box and a dateline. */
    struct mld_article *a = page_art("urn:p:2", "2026-02-01T09:00:00Z",
                                     "Hochwasser an der Oder", "Panorama", 3);
    a->byline = mld_strdup("Erika Muster");
    a->dateline = mld_strdup("Frankfurt (Oder) (dpa) - ");
    a->aside_html = mld_strdup("<aside><h3>Pegel</h3><p>6,20 Meter</p></aside>");
    struct mld_media *m = mld_article_add_media(a, "https://i.example/o-2000.jpg", "image/jpeg",
                                                0, "Die Oder bei Frankfurt");
    m->width = 2000;
    m->height = 1333;
    m->credit = mld_strdup("Max Beispiel/dpa");
    mld_media_add_rendition(m, "https://i.example/o-200.jpg", 200, 133);
    mld_media_add_rendition(m, "https://i.example/o-800.jpg", 800, 533);
    m = mld_article_add_media(a, "https://i.example/o2.jpg", "image/jpeg", 0, NULL);
    m->alt = mld_strdup("Sandsäcke am Ufer");
    mld_article_add_media(a, "https://a.example/o.mp3", "audio/mpeg", 0, "Ein Interview");
    int64_t pic = page_put(st, a);
    /* A feed item in English with its page at the source. */
    a = page_art("urn:p:3", "2026-02-01T08:00:00Z", "Flood warning on the Oder", "Ausland", 0);
    a->lang = mld_strdup("en");
    a->link = mld_strdup("https://www.example.com/news/flood");
    a->author = mld_strdup("Jane Doe");
    int64_t feed = page_put(st, a);
    /* A second article of the urgent story: one story, shown once. */
    page_put(st, page_art("urn:p:4", "2026-02-01T11:00:00Z", "Eilmeldung zur Regierungsbildung",
                          "Politik", 3));
    /* Held: never on a page. */
    a = page_art("urn:p:5", "2026-02-01T11:30:00Z", "Hinweis an die Redaktionen", "Politik", 3);
    a->pubstatus = MLD_PUB_HELD;
    a->hold_reason = mld_strdup("nicht zur Veröffentlichung");
    int64_t held = page_put(st, a);
    page_put(st, page_art("urn:p:6", "2026-01-30T08:00:00Z", "Bundestag berät den Haushalt",
                          "Politik", 3));
    for (int i = 0; i < 14; i++) {
        char urn[32], h[64], t[32];
        snprintf(urn, sizeof(urn), "urn:p:s%d", i);
        snprintf(h, sizeof(h), "Sportmeldung Nummer %d", i);
        snprintf(t, sizeof(t), "2026-01-31T%02d:00:00Z", 8 + i);
        page_put(st, page_art(urn, t, h, "Sport", 4));
    }

    struct mld_page pg;
    const char *none[] = {NULL};
    struct mld_page_args args = {mld_page_kv_get, none};
    int rc = mld_page_render(st, tmpl, NULL, "/", &args, now, &pg, &err);
    const char *html = pg.body.p ? pg.body.p : "";
    ok(rc == 0 && pg.status == 200, "home renders: %s", err.msg);
    const char *lead = strstr(html, "class=\"lead-story\"");
    const char *latest = strstr(html, "Neueste Meldungen");
    ok(lead && latest && lead < latest, "a lead, then Neueste Meldungen");
    ok(lead && strstr(lead, "Eilmeldung zur Regierungsbildung") &&
           strstr(lead, "Eilmeldung zur Regierungsbildung") < latest,
       "the urgent story of the last hours leads");
    is_int(mld_test_count(html, ">Eilmeldung zur Regierungsbildung<"), 1, "each story once");
    is_int(mld_test_count(html, ">Hochwasser an der Oder<"), 1, "... also the picture story");
    is_int(mld_test_count(html, ">Sportmeldung Nummer 5<"), 1, "... also in the section blocks");
    ok(strstr(html, "Hinweis an die Redaktionen") == NULL, "held article not on home");
    ok(strstr(html, "<img src=\"https://i.example/o-200.jpg\" width=\"200\" height=\"133\" "
                    "alt=\"\" loading=\"lazy\"") != NULL,
       "teaser thumbnail: smallest size >= 160 px, sized, lazy");
    ok(strstr(html, "1970") == NULL, "no epoch dates");
    ok(strstr(html, "Hinweis für den Betreiber") != NULL, "unconfigured footer says where");
    const char *pol = strstr(html, "id=\"ressort-politik\""),
               *sport = strstr(html, "id=\"ressort-sport\"");
    ok(pol != NULL && sport != NULL && pol < sport, "default section order: Politik first");
    is_int(mld_test_count(html, ">Bundestag berät den Haushalt<"), 1, "an older story in its block");
    mld_page_dispose(&pg);

    /* The article with pictures. */
    char path[128];
    snprintf(path, sizeof(path), "/artikel/hochwasser-an-der-oder-%" PRId64, pic);
    struct mld_page_site site = {.name = "Oderbote", .base_url = "https://news.example.de",
                                 .impressum = "/impressum", .datenschutz = "/datenschutz",
                                 .kontakt = "/kontakt"};
    rc = mld_page_render(st, tmpl, &site, path, &args, now, &pg, &err);
    html = pg.body.p ? pg.body.p : "";
    ok(rc == 0 && pg.status == 200, "article renders: %s", err.msg);
    ok(strstr(html, "<figure class=\"picture\">\n<img src=\"https://i.example/o-2000.jpg\" "
                    "width=\"2000\" height=\"1333\" srcset=\"https://i.example/o-200.jpg 200w, "
                    "https://i.example/o-800.jpg 800w, https://i.example/o-2000.jpg 2000w\" sizes=")
           != NULL, "figure with img, size and srcset");
    ok(strstr(html, "alt=\"Die Oder bei Frankfurt\" decoding") != NULL,
       "first picture: alt from the caption, not lazy");
    ok(strstr(html, "<figcaption>Die Oder bei Frankfurt <span class=\"photo-credit\">Foto: Max "
                    "Beispiel/dpa</span></figcaption>") != NULL, "caption and credit");
    ok(strstr(html, "alt=\"Sandsäcke am Ufer\" loading=\"lazy\"") != NULL,
       "second picture: its alt text, lazy");
    ok(mld_test_count(html, "Foto: dpa") == 0, "a picture without credit borrows none");
    ok(strstr(html, "<audio controls") && strstr(html, "Ein Interview"), "audio with caption");
    ok(strstr(html, "<aside><h3>Pegel</h3>") != NULL, "info box after the body");
    ok(strstr(html, "<p class=\"byline\">Von Erika Muster</p>") != NULL, "byline");
    ok(strstr(html, "<p class=\"dateline\">Frankfurt (Oder) (dpa)</p>") != NULL, "dateline");
    ok(strstr(html, "<link rel=\"canonical\" href=\"https://news.example.de/artikel/") != NULL,
       "canonical link on the base URL");
    ok(strstr(html, "<title>Hochwasser an der Oder – Oderbote</title>") != NULL, "site name");
    ok(strstr(html, "<a href=\"/impressum\">Impressum</a>") &&
           strstr(html, "<a href=\"/datenschutz\">Datenschutz</a>"), "footer links");
    mld_page_dispose(&pg);

    snprintf(path, sizeof(path), "/artikel/flood-warning-on-the-oder-%" PRId64, feed);
    rc = mld_page_render(st, tmpl, NULL, path, &args, now, &pg, &err);
    html = pg.body.p ? pg.body.p : "";
    ok(rc == 0 && strstr(html, "<article class=\"meldung\" lang=\"en\">"), "lang attribute");
    ok(strstr(html, "<a href=\"https://www.example.com/news/flood\" rel=\"noopener\">Zum "
                    "Original bei example.com</a>") != NULL, "link to the original");
    ok(strstr(html, "Von Jane Doe") != NULL, "author as byline");
    mld_page_dispose(&pg);

    snprintf(path, sizeof(path), "/artikel/hinweis-an-die-redaktionen-%" PRId64, held);
    rc = mld_page_render(st, tmpl, NULL, path, &args, now, &pg, &err);
    ok(rc == 0 && pg.status == 404, "held article: 404");
    mld_page_dispose(&pg);

    snprintf(path, sizeof(path), "/geschichte/%" PRId64, urgent);
    rc = mld_page_render(st, tmpl, NULL, path, &args, now, &pg, &err);
    html = pg.body.p ? pg.body.p : "";
    ok(rc == 0 && pg.status == 200 && strstr(html, "Geschichte in 2 Meldungen"), "story page");
    ok(strstr(html, "Zugeordnet") == NULL && strstr(html, "<details") == NULL &&
           strstr(html, "#1") == NULL, "no reasons or ids for readers");
    mld_page_dispose(&pg);
    site.show_story_reasons = true;
    rc = mld_page_render(st, tmpl, &site, path, &args, now, &pg, &err);
    ok(rc == 0 && pg.body.p && strstr(pg.body.p, "<details class=\"reason\">"),
       "reasons when the operator asks for them");
    mld_page_dispose(&pg);

    rc = mld_page_render(st, tmpl, NULL, "/ressort/sport", &args, now, &pg, &err);
    html = pg.body.p ? pg.body.p : "";
    ok(rc == 0 && strstr(html, "<h1>") && strstr(html, "<h2><a href=") && !strstr(html, "<h3>"),
       "section page: h1 then h2");
    mld_page_dispose(&pg);

    mld_store_close(st);
    mld_test_store_remove();
    mld_tmpl_set_free(tmpl);
}

int
main(void)
{
    test_helpers();
    test_pages();
    test_days();
    test_params();
    test_tags();
    test_timeline();
    return mld_test_done();
}
