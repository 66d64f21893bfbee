/*
 * Tests for feed_out.c: feed paths and aliases, the Host fallback, the
 * XML text writer (escaping, characters XML forbids, invalid UTF-8), ids
 * (URN as it is, else a tag: URI), the <link rel="alternate"> entries of
 * pages; and feeds rendered from a real store: every format well-formed
 * (libxml2) or valid JSON whatever the store holds, capped at
 * MLD_FEED_OUT_ITEMS, newest first, one item per article, media URLs made
 * absolute, cache tags, an empty search feed.
 * (tests/http/feeds_out.t reads the feeds with real clients.)
 */
#include "../../../src/web/feed_out.c"

#include <libxml/parser.h>
#include <unistd.h>

#include "store_test.h"
#include "test.h"

static void
test_paths(void)
{
    struct where w;
    is_int(parse_path("/feed.xml", &w), 1, "/feed.xml is a feed");
    ok(w.scope == 'h' && w.fmt == FMT_RSS, "the home RSS");
    is_int(parse_path("/ressort/sport/atom.xml", &w), 1, "a section's Atom feed");
    ok(w.scope == 's' && w.fmt == FMT_ATOM && strcmp(w.ref, "sport") == 0, "... of sport");
    is_int(parse_path("/thema/ukraine/feed.json", &w), 1, "a topic's JSON Feed");
    ok(w.scope == 't' && w.fmt == FMT_JSON, "... as JSON Feed");
    is_int(parse_path("/geschichte/12/feed.xml", &w), 1, "a story's feed");
    ok(w.scope == 'g' && strcmp(w.ref, "12") == 0, "... of story 12");
    is_int(parse_path("/suche/atom.xml", &w), 1, "a search feed");
    ok(w.scope == 'q', "... is a search");
    is_int(parse_path("/rss.xml", &w), 2, "/rss.xml is an alias");
    is_int(parse_path("/feed", &w), 2, "/feed is an alias");
    is_int(parse_path("/geschichte/x1/feed.xml", &w), 0, "a story id has digits only");
    is_int(parse_path("/ressort/Sport/feed.xml", &w), 0, "a slug has no capitals");
    is_int(parse_path("/ressort//feed.xml", &w), 0, "nor is it empty");
    is_int(parse_path("/artikel/x-1/feed.xml", &w), 0, "articles have no feed");
    is_int(parse_path("/feed.xml.bak", &w), 0, "not a feed file");
    is_int(parse_path("/ressort/sport/feed.xml/x", &w), 0, "nothing after the file");
    ok(mld_feed_out_is_search("/suche/feed.json"), "search feeds are known as such");
    ok(!mld_feed_out_is_search("/feed.json"), "the home feed is none");
}

static void
test_text(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    put_text(&b, "a&b<c>\"d\x01" "e\tf\xff" "g\xef\xbf\xbe" "h\xc2\x85" "iä€", ESC_XML);
    is_str(b.p, "a&amp;b&lt;c&gt;\"de\tfghiä€", "text: markup escaped, forbidden characters dropped");
    mld_buf_reset(&b);
    put_text(&b, "x\"y\nz]]>", ESC_ATTR);
    is_str(b.p, "x&quot;y&#10;z]]&gt;", "attribute: quote and line end as references");
    mld_buf_dispose(&b);
    json_t *v = jstr("ok\x01\xff!");
    is_str(json_string_value(v), "ok!", "JSON text is cleaned the same way");
    json_decref(v);
    ok(jstr("") == NULL && jstr(NULL) == NULL, "empty text is no member");

    struct feed f = {.base = "https://user@news.example:8443/"};
    set_host(&f);
    is_str(f.host, "news.example", "the tag host drops user and port");
    struct mld_article a = {.urn = "urn:newsml:dpa.com:20090101:1"};
    struct mld_item it = {.id = 7, .a = &a};
    char *id = item_id(&f, &it);
    is_str(id, "urn:newsml:dpa.com:20090101:1", "a urn: URN is the id");
    mld_free(id);
    a.urn = "https://quelle.example/#eintrag 1";
    id = item_id(&f, &it);
    is_str(id, "tag:news.example,2026:meldung/https://quelle.example/%23eintrag%201",
           "a URN with a space becomes a tag: URI");
    mld_free(id);
    a.urn = "feed-item-42";
    id = item_id(&f, &it);
    is_str(id, "tag:news.example,2026:meldung/feed-item-42", "so does one without a scheme");
    mld_free(id);
}

static void
test_links(void)
{
    struct mld_page_site site = {.name = "Blatt", .base_url = "https://b.example"};
    json_t *ctx = json_object();
    mld_feed_out_links(ctx, &site, "/");
    json_t *feeds = json_object_get(ctx, "feeds");
    is_int((int)json_array_size(feeds), 3, "home: the site's three feeds");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 0), "url")),
           "https://b.example/feed.xml", "absolute with base_url");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 2), "title")),
           "Blatt (JSON Feed)", "titled by format");
    json_object_set_new(ctx, "title", json_string("Sport"));
    mld_feed_out_links(ctx, NULL, "/ressort/sport?seite=2");
    feeds = json_object_get(ctx, "feeds");
    is_int((int)json_array_size(feeds), 6, "a section: its three and the site's");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 1), "url")),
           "/ressort/sport/atom.xml", "without paging, relative without base_url");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 1), "type")),
           "application/atom+xml", "its type");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 0), "title")),
           "Sport – meldung (RSS)", "its title");
    mld_feed_out_links(ctx, NULL, "/suche?q=a%20b&ressort=sport");
    feeds = json_object_get(ctx, "feeds");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 0), "url")),
           "/suche/feed.xml?q=a%20b&ressort=sport", "a search: its query");
    mld_feed_out_links(ctx, NULL, "/suche");
    is_int((int)json_array_size(json_object_get(ctx, "feeds")), 3,
           "a search page without a search: the site's feeds");
    json_t *art = json_object();
    json_object_set_new(art, "section", json_string("Sport"));
    json_object_set_new(art, "section_url", json_string("/ressort/sport"));
    json_object_set_new(ctx, "article", art);
    mld_feed_out_links(ctx, NULL, "/artikel/tor-3");
    feeds = json_object_get(ctx, "feeds");
    is_int((int)json_array_size(feeds), 6, "an article: its section's and the site's");
    is_str(json_string_value(json_object_get(json_array_get(feeds, 2), "url")),
           "/ressort/sport/feed.json", "its section's JSON Feed");
    json_decref(ctx);
}

/* Stores article n of section Sport, created n minutes after 06:00; the
 * newest (PICTURES) has pictures of every kind. */
#define PICTURES 100
static void
put_sport(struct mld_store *st, int n, const char *headline)
{
    struct mld_article *a = mld_article_new();
    char urn[32];
    snprintf(urn, sizeof(urn), "urn:f:%d", n);
    a->urn = mld_strdup(urn);
    a->version = 1;
    a->version_created = mld_time_from_civil(2026, 1, 30, 6, 0, 0) + n * 60;
    a->updated = a->version_created;
    a->headline = mld_strdup(headline);
    a->teaser = mld_strdup("Ein Vorspann & mehr.");
    a->body_html = mld_strdup("<p>Ein Absatz mit ]]&gt; darin.</p>");
    a->text = mld_strdup(headline);
    a->section = mld_strdup("Sport");
    a->credit = mld_strdup("dpa");
    if (n == PICTURES) {
        struct mld_media *m =
            mld_article_add_media(a, "/static/bild.jpg", "image/jpeg", 1234, "Bild & Text");
        m->width = 640;
        m->height = 480;
        m = mld_article_add_media(a, "https://i.example/nur-groessen", NULL, 0, NULL);
        m->kind = MLD_MEDIA_PICTURE;
        mld_media_add_rendition(m, "https://i.example/b-300.jpg", 300, 200);
        mld_media_add_rendition(m, "https://i.example/b-900.png", 900, 600);
        mld_article_add_media(a, "data:image/png;base64,AAAA", "image/png", 0, NULL);
    }
    enum mld_put_result res;
    int64_t id;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &res, &id, &err) != 0)
        diag("put: %s", err.msg);
    mld_article_free(a);
}

/* Renders path into pg at now; 0 or the error. */
static int
render(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
       const char *const *kv, struct mld_page *pg)
{
    static const struct mld_page_site site = {.name = "Blatt", .base_url = "https://b.example"};
    struct mld_page_args args = {mld_page_kv_get, kv};
    struct mld_err err = {0};
    int rc = mld_page_render(st, tmpl, &site, path, &args, mld_time_now(), pg, &err);
    if (rc != 0)
        diag("%s: %s", path, err.msg);
    return rc;
}

static bool
well_formed(const struct mld_page *pg)
{
    xmlDocPtr doc = xmlReadMemory(pg->body.p, (int)pg->body.len, "feed.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlFreeDoc(doc);
    return doc != NULL;
}

static void
test_render(void)
{
    struct mld_tmpl_set *tmpl = mld_tmpl_set_new();
    struct mld_err err = {0};
    if (mld_tmpl_set_load_dir(tmpl, "templates", &err) != 0) {
        ok(0, "templates/ not readable (%s): run from the repository root", err.msg);
        mld_tmpl_set_free(tmpl);
        return;
    }
    struct mld_store *st = mld_test_store_fresh("feed-out");
    put_sport(st, PICTURES, "Bilder & <Größen>");
    put_sport(st, PICTURES - 1, "Steuer\x01zeichen und kaputtes \xff UTF-8");
    for (int i = 3; i <= MLD_FEED_OUT_ITEMS + 10; i++) {
        char h[64];
        snprintf(h, sizeof(h), "Gleiche Überschrift einer Geschichte %d", i % 3 == 0 ? 0 : i);
        put_sport(st, i, h);
    }
    const char *none[] = {NULL};
    struct mld_page pg;

    is_int(render(st, tmpl, "/ressort/sport/feed.xml", none, &pg), 0, "section RSS renders");
    is_int(pg.status, 200, "200");
    is_str(pg.content_type, MLD_FEED_OUT_RSS_TYPE, "RSS content type");
    ok(well_formed(&pg), "well-formed whatever the store holds");
    is_int(mld_test_count(pg.body.p, "<item>"), MLD_FEED_OUT_ITEMS, "capped at MLD_FEED_OUT_ITEMS");
    const char *first = strstr(pg.body.p, "<item>");
    char want[64];
    snprintf(want, sizeof(want), "<guid isPermaLink=\"false\">urn:f:%d</guid>", PICTURES);
    ok(first != NULL && strstr(first, want) == strstr(pg.body.p, "<guid"), "newest first");
    ok(pg.cacheable && pg.ntags == 1 && strcmp(pg.tags[0], "s:sport") == 0,
       "cached under the section's key");
    ok(pg.last_modified > 0, "Last-Modified from the newest item");
    mld_page_dispose(&pg);

    render(st, tmpl, "/feed.xml", none, &pg);
    ok(pg.ntags == 1 && strcmp(pg.tags[0], "all") == 0, "the home feed: key all");
    mld_page_dispose(&pg);

    /* Twenty articles share a headline: one story, yet one item each. */
    struct mld_query q = {.section_slug = "sport", .now = mld_time_now(), .limit = 80,
                          .every_article = true};
    struct mld_items items = {0};
    mld_store_list(st, &q, &items, &err);
    is_int(items.n, MLD_FEED_OUT_ITEMS + 10, "every_article lists each article of a story");
    mld_items_dispose(&items);
    q.every_article = false;
    mld_store_list(st, &q, &items, &err);
    ok(items.n < MLD_FEED_OUT_ITEMS + 10, "the page's list groups them (%d entries)", items.n);
    mld_items_dispose(&items);

    is_int(render(st, tmpl, "/ressort/sport/atom.xml", none, &pg), 0, "Atom renders");
    ok(well_formed(&pg), "Atom well-formed");
    ok(strstr(pg.body.p, "<link rel=\"enclosure\" type=\"image/jpeg\" "
                         "href=\"https://b.example/static/bild.jpg\" title=\"Bild &amp; Text\" "
                         "length=\"1234\"/>") != NULL,
       "a site path becomes an absolute enclosure, with its length");
    ok(strstr(pg.body.p, "href=\"https://i.example/b-900.png\"") != NULL &&
           strstr(pg.body.p, "type=\"image/png\"") != NULL,
       "a picture known by its sizes: the widest, its type from the extension");
    ok(strstr(pg.body.p, "data:image") == NULL, "a data: URL is no enclosure");
    ok(strstr(pg.body.p, "<title type=\"text\">Bilder &amp; &lt;Größen&gt;</title>") != NULL,
       "the title escaped once");
    mld_page_dispose(&pg);

    is_int(render(st, tmpl, "/ressort/sport/feed.json", none, &pg), 0, "JSON Feed renders");
    json_error_t jerr;
    json_t *doc = json_loadb(pg.body.p, pg.body.len, 0, &jerr);
    ok(doc != NULL, "valid JSON (%s)", doc ? "" : jerr.text);
    is_int((int)json_array_size(json_object_get(doc, "items")), MLD_FEED_OUT_ITEMS, "50 items");
    is_str(pg.content_type, MLD_FEED_OUT_JSON_TYPE, "JSON Feed content type");
    json_decref(doc);
    mld_page_dispose(&pg);

    const char *nohit[] = {"q", "Zeppelin", NULL};
    is_int(render(st, tmpl, "/suche/feed.xml", nohit, &pg), 0, "a search without hits");
    ok(pg.status == 200 && well_formed(&pg) && mld_test_count(pg.body.p, "<item>") == 0,
       "is an empty feed");
    ok(!pg.cacheable, "search feeds are not cached");
    mld_page_dispose(&pg);
    const char *blank[] = {"q", " ", NULL};
    render(st, tmpl, "/suche/feed.xml", blank, &pg);
    is_int(pg.status, 400, "a search feed without a query: 400");
    mld_page_dispose(&pg);
    render(st, tmpl, "/ressort/gibt-es-nicht/feed.json", none, &pg);
    is_int(pg.status, 404, "an unknown section: 404");
    mld_page_dispose(&pg);
    render(st, tmpl, "/feed/", none, &pg);
    ok(pg.status == 301 && strcmp(pg.location, "/feed.xml") == 0, "/feed/ redirects");
    mld_page_dispose(&pg);

    char key[256];
    struct mld_page_args args = {mld_page_kv_get, none};
    ok(mld_page_cache_key("/ressort/sport/feed.xml", &args, key, sizeof(key)) &&
           strcmp(key, "/ressort/sport/feed.xml") == 0,
       "a feed is keyed by its path");
    ok(!mld_page_cache_key("/suche/feed.xml", &args, key, sizeof(key)), "a search feed is not");

    mld_store_close(st);
    mld_test_store_remove();
    mld_tmpl_set_free(tmpl);
}

int
main(void)
{
    test_paths();
    test_text();
    test_links();
    test_render();
    return mld_test_done();
}
