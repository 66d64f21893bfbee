/*
 * Tests for the SQLite store: version ordering (dpa's wireq vectors),
 * duplicates, withdrawal, embargo, stories, related lists, change keys,
 * migrations.
 */
#include "../../../src/store/sqlite.c"

#include <jansson.h>
#include <unistd.h>

/* sqlite.c has the schema migrations itself. */
#define MLD_TEST_HAVE_MIGRATIONS
#include "store_test.h"

static mld_time_t
iso(const char *s)
{
    mld_time_t t = 0;
    if (s != NULL && mld_time_parse_iso(s, strlen(s), &t) != 0)
        diag("bad time %s", s);
    return t;
}

static struct mld_article *
art(const char *urn, int64_t version, const char *created, const char *headline,
    const char *section, const char *topic1, const char *topic2)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = iso(created);
    a->updated = a->version_created;
    a->headline = mld_strdup(headline);
    a->section = section ? mld_strdup(section) : NULL;
    mld_article_add_topic(a, topic1);
    mld_article_add_topic(a, topic2);
    return a;
}

static int64_t
put(struct mld_store *st, struct mld_article *a, enum mld_put_result *res)
{
    int64_t id = 0;
    struct mld_err err = {0};
    enum mld_put_result r;
    if (mld_store_put(st, a, res ? res : &r, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_article_free(a);
    return id;
}

/* Replays corpus dpa-digitalwires/wireq-version-ordering/cases.json. */
static void
test_wireq_cases(void)
{
    const char *dir = mld_test_corpus("dpa-digitalwires/wireq-version-ordering");
    if (dir == NULL)
        return;
    char path[4200];
    snprintf(path, sizeof(path), "%s/cases.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!ok(root != NULL, "cases.json loads")) {
        diag("%s", jerr.text);
        return;
    }
    struct mld_store *st = mld_test_store_fresh("store");
    json_t *urn_ids = json_object(); /* urn -> id */
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(root, "initial_database"), key, v) {
        struct mld_article *a = mld_article_new();
        a->urn = mld_strdup(key);
        json_t *ver = json_object_get(v, "version");
        a->version = ver ? json_integer_value(ver) : 0;
        a->version_created = iso(json_string_value(json_object_get(v, "version_created")));
        a->updated = iso(json_string_value(json_object_get(v, "updated")));
        json_object_set_new(urn_ids, key, json_integer(put(st, a, NULL)));
    }
    json_t *events = json_array();
    size_t bi;
    json_t *batch;
    json_array_foreach(json_object_get(root, "batches"), bi, batch) {
        json_array_append_new(events, json_string("processing entries"));
        size_t ei;
        json_t *e;
        json_array_foreach(json_object_get(batch, "entries"), ei, e) {
            struct mld_article *a = mld_article_new();
            const char *urn = json_string_value(json_object_get(e, "urn"));
            const char *eid = json_string_value(json_object_get(e, "entry_id"));
            a->urn = mld_strdup(urn);
            a->entry_id = mld_strdup(eid);
            a->version = json_integer_value(json_object_get(e, "version"));
            a->version_created = iso(json_string_value(json_object_get(e, "version_created")));
            a->updated = iso(json_string_value(json_object_get(e, "updated")));
            enum mld_put_result res;
            int64_t id = put(st, a, &res);
            char line[256];
            switch (res) {
            case MLD_PUT_INSERTED:
                snprintf(line, sizeof(line), "inserting new entry into database %s", urn);
                json_object_set_new(urn_ids, urn, json_integer(id));
                break;
            case MLD_PUT_UPDATED:
                snprintf(line, sizeof(line), "updating entry in database %s %s", urn, eid);
                break;
            case MLD_PUT_STALE:
                snprintf(line, sizeof(line),
                         "entry in database for %s is more recent, skipping received entry %s",
                         urn, eid);
                break;
            case MLD_PUT_DUPLICATE:
                snprintf(line, sizeof(line), "received duplicate entry, skipping %s", eid);
                break;
            }
            json_array_append_new(events, json_string(line));
        }
    }
    json_t *want = json_object_get(root, "expected_events_processing_every_entry");
    ok(json_equal(events, want), "event log equals the expected events (%zu events)",
       json_array_size(want));
    if (!json_equal(events, want)) {
        char *s = json_dumps(events, JSON_INDENT(1));
        diag("got: %s", s);
        free(s);
    }
    json_object_foreach(json_object_get(root, "expected_final_database"), key, v) {
        struct mld_item it;
        struct mld_err err = {0};
        int64_t id = json_integer_value(json_object_get(urn_ids, key));
        if (!ok(mld_store_get(st, id, &it, &err) == 0, "%s is stored", key))
            continue;
        json_t *ver = json_object_get(v, "version");
        is_int(it.a->version, ver ? json_integer_value(ver) : 0, "%s: final version", key);
        is_int(it.a->version_created,
               iso(json_string_value(json_object_get(v, "version_created"))),
               "%s: final version_created", key);
        is_int(it.a->updated, iso(json_string_value(json_object_get(v, "updated"))),
               "%s: final updated", key);
        is_str(it.a->entry_id, json_string_value(json_object_get(v, "entry_id")),
               "%s: final entry_id", key);
        mld_item_dispose(&it);
    }
    json_decref(events);
    json_decref(urn_ids);
    json_decref(root);
    mld_store_close(st);
}

static void
collect(void *ud, const char *key)
{
    json_array_append_new(ud, json_string(key));
}

static int
has_key(json_t *keys, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(keys, i, v) if (strcmp(json_string_value(v), key) == 0) return 1;
    return 0;
}

static void
test_lifecycle(void)
{
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    mld_time_t now = iso("2026-02-01T12:00:00Z");

    int64_t ref = put(st, art("urn:ref", 1, "2025-10-20T17:28:13+02:00", "Lawrow und Rubio",
                              "Ausland", "Ukraine", "Russland"), NULL);
    int64_t k1 = put(st, art("urn:k1", 1, "2026-01-30T13:45:00+01:00",
                             "Kreml stimmt begrenzter Waffenruhe bis Sonntag zu", "Ausland",
                             "Ukraine", NULL), NULL);
    int64_t k2 = put(st, art("urn:k2", 1, "2026-01-30T13:51:00+01:00",
                             "Kreml stimmt begrenzter Waffenruhe bis Sonntag zu", "Boerse",
                             "Russland", NULL), NULL);
    int64_t other = put(st, art("urn:o", 1, "2026-01-31T11:15:00+01:00", "Russland greift an",
                                "Ausland", "Russland", NULL), NULL);
    int64_t unrelated = put(st, art("urn:u", 1, "2026-01-31T12:00:00+01:00", "Fußball",
                                    "Sport", "Deutschland", NULL), NULL);
    ok(ref > 0 && k1 > 0 && k2 > 0 && other > 0 && unrelated > 0, "five articles stored");

    struct mld_item a, b;
    mld_store_get(st, k1, &a, &err);
    mld_store_get(st, k2, &b, &err);
    is_int(a.story_id, b.story_id, "same headline within the window: one story");
    is_str(b.slug, "kreml-stimmt-begrenzter-waffenruhe-bis-sonntag-zu", "slug from headline");
    is_str(b.section_slug, "boerse", "section slug");
    mld_item_dispose(&a);
    mld_item_dispose(&b);

    struct mld_items l = {0};
    ok(mld_store_related(st, ref, now, 6, &l, &err) == 0, "related query runs");
    is_int(l.n, 2, "related: one entry per story, unrelated and self left out");
    const struct mld_item *rel_other = NULL, *rel_story = NULL;
    for (int i = 0; i < l.n; i++) {
        if (l.v[i].id == other)
            rel_other = &l.v[i];
        if (l.v[i].id == k1 || l.v[i].id == k2)
            rel_story = &l.v[i];
    }
    ok(rel_other != NULL, "related: the other article sharing a topic");
    ok(rel_story != NULL, "related: the two-article story, once");
    if (rel_story != NULL) {
        is_str(rel_story->story_sections, "Boerse, Ausland", "related: the story's sections");
        is_int(rel_story->story_size, 2, "related: story size");
    }
    mld_items_dispose(&l);

    struct mld_query qs = {.section_slug = "ausland", .now = now, .limit = 10};
    mld_store_list(st, &qs, &l, &err);
    is_int(l.n, 3, "section list: three stories in Ausland");
    mld_items_dispose(&l);
    struct mld_query qt = {.topic_slug = "russland", .now = now, .limit = 10};
    mld_store_list(st, &qt, &l, &err);
    is_int(l.n, 3, "topic list: three stories about Russland");
    mld_items_dispose(&l);

    char *name = mld_store_section_name(st, "boerse");
    is_str(name, "Boerse", "section name from slug");
    mld_free(name);
    name = mld_store_topic_name(st, "ukraine");
    is_str(name, "Ukraine", "topic name from slug");
    mld_free(name);

    /* Change keys since now. */
    int64_t seq = 0;
    json_t *keys = json_array();
    mld_store_changes(st, 0, collect, keys, &seq, &err);
    ok(has_key(keys, "s:ausland") && has_key(keys, "t:ukraine") && has_key(keys, "all"),
       "change log has section, topic and 'all' keys");
    json_decref(keys);

    /* Withdrawal: a canceled version takes the article out of every list. */
    struct mld_article *c = art("urn:o", 2, "2026-01-31T12:15:00+01:00", "Russland greift an",
                                "Ausland", "Russland", NULL);
    c->pubstatus = MLD_PUB_CANCELED;
    enum mld_put_result res;
    put(st, c, &res);
    is_int(res, MLD_PUT_UPDATED, "canceled version is applied");
    keys = json_array();
    int64_t seq2;
    mld_store_changes(st, seq, collect, keys, &seq2, &err);
    char akey[32];
    snprintf(akey, sizeof(akey), "a:%lld", (long long)other);
    ok(has_key(keys, akey) && has_key(keys, "t:russland"), "cancel logs the article's keys");
    ok(seq2 > seq, "change sequence advances");
    json_decref(keys);
    mld_store_get(st, other, &a, &err);
    is_int(a.a->pubstatus, MLD_PUB_CANCELED, "article is canceled");
    mld_item_dispose(&a);
    is_int(mld_store_history_count(st, other), 2, "both versions in the history");
    mld_store_list(st, &qt, &l, &err);
    is_int(l.n, 2, "topic list drops the withdrawn article");
    mld_items_dispose(&l);

    /* An older version arriving late changes nothing but the history;
     * the version kept already, delivered again, not even that. */
    put(st, art("urn:o", 1, "2026-01-31T11:15:00+01:00", "Russland greift an", "Ausland",
                "Russland", NULL), &res);
    is_int(res, MLD_PUT_DUPLICATE, "the first version delivered again is a duplicate");
    is_int(mld_store_history_count(st, other), 2, "... and adds no version");
    put(st, art("urn:o", 1, "2026-01-31T11:15:00+01:00", "Russland greift erneut an", "Ausland",
                "Russland", NULL), &res);
    is_int(res, MLD_PUT_STALE, "older version is stale");
    is_int(mld_store_history_count(st, other), 3, "... and kept in the history");
    mld_store_get(st, other, &a, &err);
    is_int(a.a->pubstatus, MLD_PUB_CANCELED, "still canceled after a stale version");
    mld_item_dispose(&a);

    /* Embargo: invisible until it ends, then released without a write. */
    struct mld_article *e = art("urn:e", 1, "2026-01-31T10:00:00+01:00", "Sperrfrist", "Ausland",
                                "Ukraine", NULL);
    e->embargo = now + 3600;
    int64_t eid = put(st, e, NULL);
    struct mld_query qe = {.topic_slug = "ukraine", .now = now, .limit = 10};
    mld_store_list(st, &qe, &l, &err);
    int seen = 0;
    for (int i = 0; i < l.n; i++)
        seen |= l.v[i].id == eid;
    ok(!seen, "embargoed article is not listed before its embargo");
    mld_items_dispose(&l);
    qe.now = now + 3601;
    mld_store_list(st, &qe, &l, &err);
    seen = 0;
    for (int i = 0; i < l.n; i++)
        seen |= l.v[i].id == eid && l.v[i].published == now + 3600;
    ok(seen, "listed after its embargo, published at the embargo time");
    mld_items_dispose(&l);
    keys = json_array();
    mld_store_released(st, now, now + 3600, collect, keys, &err);
    snprintf(akey, sizeof(akey), "a:%lld", (long long)eid);
    ok(has_key(keys, akey) && has_key(keys, "t:ukraine"), "embargo release yields its keys");
    /* and those of the articles whose related lists it may now join */
    struct mld_items rel;
    mld_store_related(st, eid, now + 3601, 12, &rel, &err);
    int listed = 0;
    for (int i = 0; i < rel.n; i++) {
        snprintf(akey, sizeof(akey), "a:%lld", (long long)rel.v[i].id);
        /* Fill (the newest of its section) is covered by the section key. */
        listed += has_key(keys, akey) || (rel.v[i].related_fill && has_key(keys, "s:ausland"));
    }
    ok(rel.n > 0 && listed == rel.n, "and the keys of the %d articles of its related list",
       rel.n);
    mld_items_dispose(&rel);
    json_decref(keys);
    keys = json_array();
    mld_store_released(st, now + 3600, now + 7200, collect, keys, &err);
    is_int(json_array_size(keys), 0, "no release outside the window");
    json_decref(keys);

    /* Duplicate delivery. */
    struct mld_article *d1 = art("urn:d", 1, "2026-01-01T00:00:00Z", "D", NULL, NULL, NULL);
    d1->entry_id = mld_strdup("entry-1");
    put(st, d1, &res);
    struct mld_article *d2 = art("urn:d", 2, "2026-01-02T00:00:00Z", "D2", NULL, NULL, NULL);
    d2->entry_id = mld_strdup("entry-1");
    put(st, d2, &res);
    is_int(res, MLD_PUT_DUPLICATE, "a delivered entry id is a duplicate");

    /* Rolled-back batch stores nothing. */
    mld_store_begin(st, &err);
    put(st, art("urn:rb", 1, "2026-01-01T00:00:00Z", "RB", NULL, NULL, NULL), &res);
    mld_store_rollback(st);
    put(st, art("urn:rb", 1, "2026-01-01T00:00:00Z", "RB", NULL, NULL, NULL), &res);
    is_int(res, MLD_PUT_INSERTED, "a rolled-back put left nothing behind");
    mld_store_close(st);

    /* Reopen: migrations are not applied twice; a newer schema is refused. */
    struct mld_store *st2;
    ok(mld_store_open(&st2, mld_test_dbpath, &err) == 0, "reopen an existing store");
    mld_store_close(st2);
    struct sql_db db;
    mld_test_sql_open(&db);
    sql_exec(&db, mld_test_pg() ? "UPDATE meta SET value = '9999' WHERE key = 'schema'"
                                : "PRAGMA user_version = 9999");
    mld_test_sql_close(&db);
    mld_err_clear(&err);
    ok(mld_store_open(&st2, mld_test_dbpath, &err) == MLD_E_STORE &&
           strstr(err.msg, "newer") != NULL,
       "a store from a newer meldung is refused: %s", err.msg);
    ok(mld_store_open(&st2, "/nonexistent-dir/x.db", &err) == MLD_E_STORE &&
           strstr(err.msg, "/nonexistent-dir/x.db") != NULL,
       "open error names the file: %s", err.msg);
}

static void
test_feeds_sources(void)
{
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    struct mld_article *a = art("urn:feed", 1, "2026-01-01T00:00:00Z", "Feed", NULL, NULL, NULL);
    a->link = mld_strdup("https://example.org/a");
    a->author = mld_strdup("Erika Muster");
    mld_article_add_media(a, "https://example.org/a.mp3", "audio/mpeg", 1234, NULL);
    mld_article_add_media(a, "https://example.org/a.jpg", "image/jpeg", 0, "Bild");
    int64_t id = put(st, a, NULL);
    struct mld_item it;
    ok(mld_store_get(st, id, &it, &err) == 0, "feed item stored");
    is_str(it.a->link, "https://example.org/a", "link kept");
    is_str(it.a->author, "Erika Muster", "author kept");
    is_int(it.a->nmedia, 2, "two media objects kept");
    if (it.a->nmedia == 2) {
        is_str(it.a->media[0].type, "audio/mpeg", "media order and type");
        is_int(it.a->media[0].length, 1234, "media length");
        is_str(it.a->media[1].caption, "Bild", "media caption");
    }
    mld_item_dispose(&it);

    struct mld_source_state src = {0};
    is_int(mld_store_source_get(st, "heise", &src, &err), MLD_E_NOTFOUND, "unknown source");
    src.name = mld_strdup("heise");
    src.url = mld_strdup("https://example.org/feed");
    src.etag = mld_strdup("\"abc\"");
    src.failures = 2;
    src.items = 17;
    src.new_items = 11; /* observability: the tally by outcome (migration 0011) */
    src.updated_items = 6;
    src.duplicates = 4;
    src.failed = 3;
    ok(mld_store_source_set(st, &src, &err) == 0, "source state written");
    mld_source_state_dispose(&src);
    ok(mld_store_source_get(st, "heise", &src, &err) == 0, "source state read back");
    is_str(src.etag, "\"abc\"", "etag kept");
    is_int(src.failures, 2, "failures kept");
    is_int(src.items, 17, "items kept");
    ok(src.new_items == 11 && src.updated_items == 6 && src.duplicates == 4 && src.failed == 3,
       "new, updated, duplicate and failed counts kept");
    mld_source_state_dispose(&src);
    struct mld_source_state *all;
    int n;
    ok(mld_store_sources(st, &all, &n, &err) == 0 && n == 1, "one source listed");
    for (int i = 0; i < n; i++)
        mld_source_state_dispose(&all[i]);
    mld_free(all);
    mld_store_close(st);
}

/* The fields of issue 12 round trip: held items with their reason, the
 * date's and the section's source, info boxes, and media with kind,
 * size, credit, alt text and renditions. A held article is stored but in
 * no list, search, story or related list. */
static void
test_article_detail(void)
{
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    mld_time_t now = iso("2026-02-01T12:00:00Z");
    struct mld_article *a = art("urn:detail", 1, "2026-02-01T10:00:00Z",
                                "Hochwasser an der Oder steigt weiter", "Panorama", "Oder", NULL);
    a->date_source = MLD_DATE_CREATED;
    a->section_by = MLD_SECTION_AGENCY;
    a->aside_html = mld_strdup("<aside><h3>Info</h3><p>Pegel</p></aside>");
    a->text = mld_strdup("Hochwasser an der Oder steigt weiter Pegel Frankfurt");
    struct mld_media *m = mld_article_add_media(a, "https://img.example.org/o-1200.jpg",
                                                "image/jpeg", 0, "Die Oder bei Frankfurt");
    m->width = 1200;
    m->height = 800;
    m->credit = mld_strdup("Erika Muster/dpa");
    m->alt = mld_strdup("Ein überfluteter Uferweg");
    mld_media_add_rendition(m, "https://img.example.org/o-320.jpg", 320, 213);
    mld_media_add_rendition(m, "https://img.example.org/o-\"q\".jpg", 640, 427);
    m = mld_article_add_media(a, "https://example.org/o.mp4", "video/mp4", 99, NULL);
    int64_t id = put(st, a, NULL);

    struct mld_item it;
    ok(mld_store_get(st, id, &it, &err) == 0, "article with details stored");
    is_int(it.a->date_source, MLD_DATE_CREATED, "date source kept");
    is_int(it.a->section_by, MLD_SECTION_AGENCY, "section authority kept");
    is_str(it.a->aside_html, "<aside><h3>Info</h3><p>Pegel</p></aside>", "info box kept");
    ok(it.a->hold_reason == NULL, "no hold reason");
    is_int(it.a->nmedia, 2, "two media objects");
    if (it.a->nmedia == 2) {
        const struct mld_media *p = &it.a->media[0];
        is_int(p->kind, MLD_MEDIA_PICTURE, "picture kind");
        is_int(p->width, 1200, "width");
        is_int(p->height, 800, "height");
        is_str(p->credit, "Erika Muster/dpa", "credit");
        is_str(p->alt, "Ein überfluteter Uferweg", "alt text with umlaut");
        is_int(p->nrenditions, 2, "two renditions");
        if (p->nrenditions == 2) {
            is_str(p->renditions[0].url, "https://img.example.org/o-320.jpg", "rendition url");
            is_int(p->renditions[0].width, 320, "rendition width");
            is_int(p->renditions[0].height, 213, "rendition height");
            is_str(p->renditions[1].url, "https://img.example.org/o-\"q\".jpg",
                   "a quote in a URL survives the JSON column");
        }
        is_int(it.a->media[1].kind, MLD_MEDIA_VIDEO, "video kind");
        is_int(it.a->media[1].nrenditions, 0, "no renditions");
        ok(it.a->media[1].credit == NULL && it.a->media[1].alt == NULL, "absent strings NULL");
    }
    mld_item_dispose(&it);

    /* A held article: stored with its reason, shown nowhere. */
    a = art("urn:held", 1, "2026-02-01T11:00:00Z", "Hochwasser an der Oder: Hinweis an die Redaktionen",
            "Panorama", "Oder", NULL);
    a->pubstatus = MLD_PUB_HELD;
    a->hold_reason = mld_strdup("dpa-Hinweis: nicht zur Veröffentlichung bestimmt");
    a->text = mld_strdup("Hochwasser an der Oder Hinweis Redaktionen Pegel");
    int64_t held = put(st, a, NULL);
    ok(mld_store_get(st, held, &it, &err) == 0, "held article stored");
    is_int(it.a->pubstatus, MLD_PUB_HELD, "held status kept");
    is_str(it.a->hold_reason, "dpa-Hinweis: nicht zur Veröffentlichung bestimmt", "reason kept");
    ok(!mld_article_is_visible(it.a, now), "held is not visible");
    mld_item_dispose(&it);

    struct mld_items l = {0};
    struct mld_query q = {.now = now, .limit = 10};
    ok(mld_store_list(st, &q, &l, &err) == 0, "list runs");
    int seen = 0;
    for (int i = 0; i < l.n; i++)
        seen |= l.v[i].id == held;
    ok(!seen && l.n == 1, "held article in no list");
    mld_items_dispose(&l);
    q.section_slug = "panorama";
    ok(mld_store_list(st, &q, &l, &err) == 0 && l.n == 1 && l.v[0].id == id,
       "nor in its section");
    mld_items_dispose(&l);
    q.section_slug = NULL;
    q.topic_slug = "oder";
    ok(mld_store_list(st, &q, &l, &err) == 0 && l.n == 1 && l.v[0].id == id, "nor its topic");
    mld_items_dispose(&l);
    struct mld_named *secs;
    int n;
    ok(mld_store_sections(st, now, &secs, &n, &err) == 0 && n == 1, "one section");
    mld_named_free(secs, n);
    ok(mld_store_related(st, id, now, 6, &l, &err) == 0 && l.n == 0, "nor in related");
    mld_items_dispose(&l);
    ok(mld_store_story(st, held, now, &l, &err) == 0 && l.n == 0, "no story of its own");
    mld_items_dispose(&l);
    /* A topic only the held article has: no name, so no topic page. */
    a = art("urn:held2", 1, "2026-02-01T11:10:00Z", "Zweiter Hinweis", "Panorama", "Nur intern",
            NULL);
    a->pubstatus = MLD_PUB_HELD;
    put(st, a, NULL);
    char *name = mld_store_topic_name(st, "nur-intern");
    ok(name == NULL, "a held article's topic has no public name");
    mld_free(name);
    name = mld_store_topic_name(st, "oder");
    is_str(name, "Oder", "a published topic has");
    mld_free(name);
    if (mld_test_pg() && mld_test_pg_lacks(4)) {
        mld_test_skip("search", "search on PostgreSQL comes with its migration 0004");
        mld_store_close(st);
        return;
    }
    struct mld_hits h = {0};
    struct mld_search sq = {.text = "Redaktionen", .now = now, .limit = 10};
    ok(mld_store_search(st, &sq, &h, &err) == 0 && h.n == 0, "search does not find it");
    mld_hits_dispose(&h);
    sq.text = "Pegel";
    ok(mld_store_search(st, &sq, &h, &err) == 0 && h.n == 1 && h.v[0].item.id == id,
       "search finds only the published one");
    mld_hits_dispose(&h);
    mld_store_close(st);
}

/* A store of schema 2 (media with a MIME type only) gets the media kinds
 * from the types when 0006 applies; the new columns start empty. */
/* The page size of the test store's file. */
static int
page_size(void)
{
    sqlite3 *db;
    int n = -1;
    sqlite3_stmt *q;
    if (sqlite3_open(mld_test_dbpath, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return n;
}

static void
test_migrate_media(void)
{
    if (mld_test_pg() != NULL) {
        mld_test_skip("migrate a schema 2 store", "SQLite's own old schemas");
        return;
    }
    sqlite3 *db = mld_test_store_schema("store", 2);
    if (!ok(db != NULL, "create a schema 2 store"))
        return;
    const char *sql =
        "INSERT INTO article (urn, version, version_created, updated, pubstatus, embargo, "
        "visible_from, urgency, headline, slug, published, first_stored, story_id, story_key) "
        "VALUES ('urn:old', 1, 1769774400, 1769774400, 0, 0, 0, 3, 'Alt', 'alt', 1769774400, "
        "1769774400, 1, 'alt');"
        "INSERT INTO article_media VALUES (1, 0, 'https://e.example/a.jpg', 'image/jpeg', 0, 'Bild');"
        "INSERT INTO article_media VALUES (1, 1, 'https://e.example/a.mp3', 'audio/mpeg', 9, NULL);"
        "INSERT INTO article_media VALUES (1, 2, 'https://e.example/a.pdf', NULL, 0, NULL);";
    struct mld_store *st = mld_test_store_upgrade(db, sql);
    if (st == NULL)
        return;
    struct mld_err err = {0};
    struct mld_item it;
    ok(mld_store_get(st, 1, &it, &err) == 0, "the old article reads");
    is_int(it.a->nmedia, 3, "its three media objects");
    if (it.a->nmedia == 3) {
        is_int(it.a->media[0].kind, MLD_MEDIA_PICTURE, "image/jpeg: a picture");
        is_int(it.a->media[1].kind, MLD_MEDIA_AUDIO, "audio/mpeg: audio");
        is_int(it.a->media[2].kind, MLD_MEDIA_OTHER, "no type: other");
        ok(it.a->media[0].width == 0 && it.a->media[0].credit == NULL &&
               it.a->media[0].nrenditions == 0, "new columns empty");
    }
    is_int(it.a->section_by, MLD_SECTION_NONE, "section authority unknown");
    ok(it.a->hold_reason == NULL && it.a->aside_html == NULL, "no reason, no boxes");
    mld_item_dispose(&it);
    mld_store_close(st);
    is_int(page_size(), 4096, "the old store keeps its page size");
}

/* A new store is made with MLD_STORE_PAGE_BYTES pages. */
static void
test_page_size(void)
{
    if (mld_test_pg() != NULL) {
        mld_test_skip("a new store's page size", "SQLite's own");
        return;
    }
    mld_store_close(mld_test_store_fresh("store"));
    is_int(page_size(), MLD_STORE_PAGE_BYTES, "a new store's pages");
}

/* Id of urn on the backend's own connection (so inside its open
 * transaction), or 0 when absent. */
static int64_t
id_of(struct sq *s, const char *urn)
{
    struct sql_stmt *q;
    int64_t id = 0;
    if (sql_prepare(&s->db, "SELECT id FROM article WHERE urn = ?1", false, &q) != SQLITE_OK)
        return -1;
    sql_bind_text(q, 1, urn, -1);
    if (sql_step(q) == SQLITE_ROW)
        id = sql_column_int64(q, 0);
    sql_finalize(q);
    return id;
}

/* Stores one article through the backend directly. */
static void
bput(struct sq *s, struct mld_article *a)
{
    struct mld_err err = {0};
    enum mld_put_result res;
    int64_t id;
    if (mld_store_sqlite.put(s, a, NULL, &res, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_store_sqlite.idle(s);
    mld_article_free(a);
}

/* Opens a fresh store file through the backend itself (the test includes
 * sqlite.c) to reach its handle; NULL (a failed check) when it cannot. */
static struct sq *
fresh_backend(void)
{
    mld_store_close(mld_test_store_fresh("store")); /* a fresh file */
    void *impl = NULL;
    struct mld_err err = {0};
    if (!ok(mld_store_sqlite.open(&impl, mld_test_dbpath, &err) == 0, "backend opens"))
        return NULL;
    return impl;
}

/* List entries (pages, related) carry what a teaser shows, not the body;
 * feeds (every_article) and get() the whole article. */
static void
test_entries(void)
{
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    mld_time_t now = iso("2026-02-01T12:00:00Z");
    struct mld_article *a = art("urn:e1", 1, "2026-01-30T13:45:00+01:00", "Ein Eintrag",
                                "Ausland", "Ukraine", NULL);
    a->teaser = mld_strdup("Der Vorspann");
    a->body_html = mld_strdup("<p>Der ganze Text.</p>");
    a->text = mld_strdup("Der ganze Text.");
    a->aside_html = mld_strdup("<p>Info</p>");
    int64_t id = put(st, a, NULL);
    put(st, art("urn:e2", 1, "2026-01-30T14:45:00+01:00", "Noch ein Eintrag", "Ausland",
                "Ukraine", NULL), NULL);

    struct mld_items l = {0};
    struct mld_query q = {.section_slug = "ausland", .now = now, .limit = 10};
    ok(mld_store_list(st, &q, &l, &err) == 0 && l.n == 2, "list: two entries");
    const struct mld_item *e = l.n == 2 ? &l.v[1] : NULL;
    ok(e != NULL && e->id == id && e->a->body_html == NULL && e->a->text == NULL &&
           e->a->aside_html == NULL && e->a->ntopics == 0,
       "a list entry carries no body, text, aside or topics");
    ok(e != NULL && e->a->headline != NULL && strcmp(e->a->headline, "Ein Eintrag") == 0 &&
           e->a->teaser != NULL && e->slug != NULL && e->published > 0,
       "but its headline, teaser, slug and date");
    mld_items_dispose(&l);
    q.every_article = true;
    ok(mld_store_list(st, &q, &l, &err) == 0 && l.n == 2 && l.v[1].a->body_html != NULL &&
           strcmp(l.v[1].a->body_html, "<p>Der ganze Text.</p>") == 0 && l.v[1].a->ntopics == 1,
       "a feed's list carries whole articles");
    mld_items_dispose(&l);
    ok(mld_store_related(st, id, now, 6, &l, &err) == 0 && l.n >= 1 &&
           l.v[0].a->body_html == NULL && l.v[0].a->headline != NULL,
       "related entries carry no body either");
    mld_items_dispose(&l);
    struct mld_item it;
    ok(mld_store_get(st, id, &it, &err) == 0 && it.a->body_html != NULL &&
           it.a->aside_html != NULL && it.a->ntopics == 1,
       "get: the whole article");
    mld_item_dispose(&it);
    mld_store_close(st);
}

/* A reader connection reads what the writer committed, cannot write, and
 * within mld_store_read_begin()/read_end() keeps one snapshot. */
static void
test_reader(void)
{
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    mld_time_t now = iso("2026-02-01T12:00:00Z");
    int64_t id = put(st, art("urn:r1", 1, "2026-01-30T13:45:00+01:00", "Erste Meldung",
                             "Ausland", "Ukraine", NULL), NULL);
    struct mld_store *rd = NULL;
    ok(mld_store_open_reader(&rd, mld_test_dbpath, &err) == 0, "a reader opens");
    if (rd == NULL) {
        mld_store_close(st);
        return;
    }
    struct mld_item it;
    ok(mld_store_get(rd, id, &it, &err) == 0, "the reader reads what was committed");
    mld_item_dispose(&it);
    enum mld_put_result res;
    int64_t rid = 0;
    struct mld_article *a = art("urn:r2", 1, "2026-01-30T14:00:00+01:00", "Vom Leser",
                                "Ausland", NULL, NULL);
    ok(mld_store_put(rd, a, &res, &rid, &err) != 0, "a write through the reader fails");
    mld_article_free(a);
    mld_err_clear(&err);

    struct mld_query q = {.section_slug = "ausland", .now = now, .limit = 10};
    struct mld_items l = {0};
    ok(mld_store_read_begin(rd, &err) == 0, "read_begin");
    mld_store_list(rd, &q, &l, &err);
    is_int(l.n, 1, "snapshot: one article");
    mld_items_dispose(&l);
    put(st, art("urn:r3", 1, "2026-01-30T15:00:00+01:00", "Zweite Meldung", "Ausland",
                NULL, NULL), NULL);
    mld_store_list(rd, &q, &l, &err);
    is_int(l.n, 1, "a commit after the snapshot began is not seen in it");
    mld_items_dispose(&l);
    mld_store_read_end(rd);
    mld_store_list(rd, &q, &l, &err);
    is_int(l.n, 2, "after read_end the reader sees it");
    mld_items_dispose(&l);
    mld_store_close(rd);
    mld_store_close(st);
}

/* Appends the plan of sql (EXPLAIN QUERY PLAN, one detail per line) to
 * out; false when it cannot be prepared. */
static bool
plan_of(struct sq *s, const char *sql, char *out, size_t size)
{
    char q[4096];
    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st;
    out[0] = '\0';
    if (sqlite3_prepare_v2(s->db.lite, q, -1, &st, NULL) != SQLITE_OK) {
        diag("%s: %s", sql, sqlite3_errmsg(s->db.lite));
        return false;
    }
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int w = snprintf(out + n, size - n, "%s\n", (const char *)sqlite3_column_text(st, 3));
        if (w > 0 && (size_t)w < size - n)
            n += (size_t)w;
    }
    sqlite3_finalize(st);
    return true;
}

/* True when plan reads a table whole ("SCAN x" without an index: every
 * row) other than the tallies, or (unless sort_ok) sorts all its rows
 * ("USE TEMP B-TREE FOR ORDER BY"; a partial sort among equal leading
 * keys, "RIGHT PART OF ORDER BY", stays bounded). */
static bool
plan_unbounded(const char *plan, bool sort_ok)
{
    for (const char *l = plan; *l != '\0'; l = strchr(l, '\n') + 1) {
        size_t len = strcspn(l, "\n");
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)len, l);
        if (!sort_ok && strstr(line, "USE TEMP B-TREE FOR ORDER BY") != NULL)
            return true;
        if (strncmp(line, "SCAN ", 5) == 0 && strstr(line, "USING") == NULL &&
            strstr(line, "tally") == NULL && strcmp(line, "SCAN CONSTANT ROW") != 0)
            return true;
    }
    return false;
}

/* One check: the plan of sql (named what, number i) is bounded; the plan
 * goes to plan for further checks. */
static void
check_plan(struct sq *s, const char *sql, bool sort_ok, const char *what, size_t i, char *plan,
           size_t size)
{
    bool planned = plan_of(s, sql, plan, size);
    ok(planned && !plan_unbounded(plan, sort_ok), "%s %zu walks an index", what, i);
    if (planned && plan_unbounded(plan, sort_ok))
        diag("%s\n%s", sql, plan);
}

/* Every list and read query a page runs walks an index and stops at the
 * page (no table scan, no full sort): its cost does not grow with the
 * store. The list queries are checked as sq_list() and api_list() build
 * them, in each of their shapes. */
static void
test_plans(void)
{
    if (mld_test_pg() != NULL) {
        mld_test_skip("query plans", "SQLite's planner (EXPLAIN QUERY PLAN)");
        return;
    }
    struct sq *s = fresh_backend();
    if (s == NULL)
        return;
    char plan[8192];
    static const enum stmt_id reads[] = {S_GET,          S_GET_PAGE,  S_GET_ENTRY,
                                         S_GET_TOPICS,   S_GET_CATS,  S_GET_MEDIA,
                                         S_STORY_SECTIONS, S_STORY_SIZE, S_SECTION_NAME,
                                         S_TOPIC_NAME,   S_RELATED_OF};
    /* A story's sections are sorted: its rows of story_tally, one per
     * section of the story, found by its primary key. */
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
        check_plan(s, stmt_sql[reads[i]], reads[i] == S_STORY_SECTIONS, "read statement", i,
                   plan, sizeof(plan));
    struct mld_query lq[] = {
        {.now = 1, .limit = 20},
        {.section_slug = "politik", .now = 1, .limit = 20},
        {.topic_slug = "deutschland", .now = 1, .limit = 20},
        {.now = 1, .limit = 20, .every_article = true},
        {.topic_slug = "deutschland", .now = 1, .limit = 20, .every_article = true},
    };
    struct mld_api_query aq[] = {
        {.now = 1, .limit = 20},
        {.topic_slug = "deutschland", .now = 1, .limit = 20},
        {.topic_slug = "deutschland", .now = 1, .limit = 20, .after_published = 5,
         .after_id = 7, .since = 1, .until = 9},
        {.section_slug = "politik", .now = 1, .limit = 20, .after_published = 5,
         .after_id = 7},
    };
    size_t nl = sizeof(lq) / sizeof(lq[0]), na = sizeof(aq) / sizeof(aq[0]);
    for (size_t i = 0; i < nl + na; i++) {
        struct list_q l;
        if (i < nl)
            list_sql(&l, &lq[i]);
        else
            api_list_sql(&l, &aq[i - nl]);
        check_plan(s, l.sql.p, false, i < nl ? "list query" : "api list query", i, plan,
                   sizeof(plan));
        if (i < nl ? lq[i].topic_slug != NULL : aq[i - nl].topic_slug != NULL)
            ok(strstr(plan, "article_topic_recent") != NULL,
               "a topic list reads article_topic_recent");
        mld_buf_dispose(&l.sql);
    }
    /* A statement is prepared once, whatever "now" it is run with: the
     * plan does not depend on bound values (SQLITE_DBCONFIG_ENABLE_QPSG). */
    struct mld_err err = {0};
    for (int now = 1; now <= 3; now++) {
        struct sql_stmt *prepared = stmt(s, S_STORY_SECTIONS, &err);
        if (prepared == NULL)
            break;
        sqlite3_stmt *st = prepared->lite;
        sqlite3_bind_int64(st, 1, now * 1000);
        sqlite3_bind_int64(st, 2, 1);
        while (sqlite3_step(st) == SQLITE_ROW)
            ;
        if (now == 3)
            is_int(sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0), 0,
                   "story sections: not prepared again for another now");
        sqlite3_reset(st);
    }
    mld_store_sqlite.close(s);
}

/* Nested transactions: savepoints inside one COMMIT, each all or nothing.
 * Runs on the backend (the test includes sqlite.c) to reach its handle. */
static void
test_nested(void)
{
    const struct mld_store_backend *be = &mld_store_sqlite;
    struct mld_err err = {0};
    struct sq *s = fresh_backend();
    if (s == NULL)
        return;
    /* A commit that returned is on the disk: what a 202 to a push and
     * ingest's "committed" line promise (docs/internals/push.md). */
    if (mld_test_pg() != NULL) {
        mld_test_skip("synchronous = FULL", "a PRAGMA of SQLite's (PostgreSQL's fsync is the server's)");
    } else {
        sqlite3_stmt *sync = NULL;
        sqlite3_prepare_v2(s->db.lite, "PRAGMA synchronous", -1, &sync, NULL);
        is_int(sqlite3_step(sync) == SQLITE_ROW ? sqlite3_column_int(sync, 0) : -1, 2,
               "synchronous = FULL (2): every COMMIT waits for the fsync");
        sqlite3_finalize(sync);
    }
    ok(be->begin(s, &err) == 0, "outer begin");
    ok(be->begin(s, &err) == 0, "file 1: savepoint");
    bput(s, art("urn:n:1", 1, "2026-01-01T00:00:00Z", "Eins", NULL, NULL, NULL));
    ok(be->commit(s, &err) == 0, "file 1: released");
    ok(be->begin(s, &err) == 0, "file 2: savepoint");
    bput(s, art("urn:n:2", 1, "2026-01-01T00:01:00Z", "Zwei", NULL, NULL, NULL));
    bput(s, art("urn:n:2b", 1, "2026-01-01T00:01:00Z", "Zwei b", NULL, NULL, NULL));
    be->rollback(s);
    ok(be->begin(s, &err) == 0, "file 3: savepoint after a rolled-back one");
    bput(s, art("urn:n:3", 1, "2026-01-01T00:02:00Z", "Drei", NULL, NULL, NULL));
    ok(be->commit(s, &err) == 0, "file 3: released");
    is_int(s->in_txn, 1, "back at the outer level");
    ok(id_of(s, "urn:n:1") > 0, "inside the batch file 1 is visible");
    ok(id_of(s, "urn:n:2") == 0 && id_of(s, "urn:n:2b") == 0, "rolled-back file 2 left nothing");

    /* Another connection sees nothing before the outer COMMIT. */
    struct sql_db other;
    mld_test_sql_open(&other);
    struct sql_stmt *q = NULL;
    sql_prepare(&other, "SELECT count(*) FROM article", false, &q);
    sql_step(q);
    is_int(sql_column_int(q, 0), 0, "other connection: nothing before COMMIT");
    sql_reset(q);
    ok(be->commit(s, &err) == 0, "outer commit");
    is_int(s->in_txn, 0, "no transaction left");
    sql_step(q);
    is_int(sql_column_int(q, 0), 2, "other connection: files 1 and 3 after COMMIT");
    sql_finalize(q);
    mld_test_sql_close(&other);

    /* Rolling back the outer level drops released savepoints too. */
    ok(be->begin(s, &err) == 0 && be->begin(s, &err) == 0, "begin, savepoint");
    bput(s, art("urn:n:4", 1, "2026-01-01T00:03:00Z", "Vier", NULL, NULL, NULL));
    ok(be->commit(s, &err) == 0, "savepoint released");
    be->rollback(s);
    is_int(id_of(s, "urn:n:4"), 0, "outer rollback drops it");
    is_int(s->in_txn, 0, "no transaction left after rollback");

    /* A savepoint's rollback undoes only the savepoint. */
    ok(be->begin(s, &err) == 0 && be->begin(s, &err) == 0, "begin, savepoint to roll back");
    bput(s, art("urn:n:6", 1, "2026-01-01T00:05:00Z", "Sechs", NULL, NULL, NULL));
    be->rollback(s);
    is_int(s->in_txn, 1, "savepoint rollback keeps the outer level");
    ok(be->commit(s, &err) == 0 && id_of(s, "urn:n:6") == 0, "outer commit without it");

    /* The engine rolls everything back behind the store's back (as after
     * an I/O error): nested calls fail rather than start a transaction. */
    ok(be->begin(s, &err) == 0 && be->begin(s, &err) == 0, "begin, savepoint again");
    sql_exec(&s->db, "ROLLBACK");
    is_int(be->commit(s, &err), MLD_E_STORE, "release after an engine rollback fails");
    ok(strstr(err.msg, "rolled back") != NULL, "and says why: %s", err.msg);
    be->rollback(s);
    is_int(be->begin(s, &err), MLD_E_STORE, "so does a new savepoint");
    ok(be->commit(s, &err) != 0, "the outer COMMIT fails too");
    be->rollback(s);
    is_int(s->in_txn, 0, "and the store is usable again");
    ok(be->begin(s, &err) == 0, "a fresh transaction starts");
    bput(s, art("urn:n:5", 1, "2026-01-01T00:04:00Z", "Fuenf", NULL, NULL, NULL));
    ok(be->commit(s, &err) == 0 && id_of(s, "urn:n:5") > 0, "and commits");
    be->close(s);
}

/* The change log keeps the newest change_log_keep keys; a reader whose
 * place was pruned is told to drop everything ("*"), one that kept up is
 * not. */
static void
test_prune(void)
{
    change_log_keep = 3;
    struct mld_store *st = mld_test_store_fresh("store");
    struct mld_err err = {0};
    int64_t early = 0, late = 0, all = 0;
    put(st, art("urn:p1", 1, "2026-01-31T10:00:00+01:00", "Erste", "Ausland", "Ukraine", NULL),
        NULL);
    json_t *keys = json_array();
    mld_store_changes(st, 0, collect, keys, &early, &err);
    json_decref(keys);
    ok(early > 3, "a put logs more keys than are kept (%lld)", (long long)early);
    put(st, art("urn:p2", 1, "2026-01-31T11:00:00+01:00", "Zweite", "Inland", "Berlin", NULL),
        NULL);
    keys = json_array();
    mld_store_changes(st, 0, collect, keys, &all, &err);
    is_int((int)json_array_size(keys), 3, "the log keeps the newest three keys");
    json_decref(keys);
    keys = json_array();
    mld_store_changes(st, early, collect, keys, &late, &err);
    ok(json_array_size(keys) > 0 && strcmp(json_string_value(json_array_get(keys, 0)), "*") == 0,
       "a reader behind the pruned keys is told to drop everything");
    is_int(late, all, "and reads on to the newest key");
    json_decref(keys);
    keys = json_array();
    mld_store_changes(st, all - 1, collect, keys, &late, &err);
    ok(json_array_size(keys) == 1 && !has_key(keys, "*"), "a reader that kept up is not");
    json_decref(keys);
    mld_store_close(st);
    change_log_keep = MLD_CHANGE_LOG_KEEP;
}

/* A store that cannot grow (max_page_count at its size) reports lack of
 * space as such (sq_full), which is how `meldung ingest` knows to stop;
 * an error of another kind does not. */
static void
test_full(void)
{
    if (mld_test_pg() != NULL) { /* PostgreSQL's is a disk really full: SQLSTATE 53100 */
        mld_test_skip("a store that may not grow", "SQLite's max_page_count");
        return;
    }
    const struct mld_store_backend *be = &mld_store_sqlite;
    struct mld_err err = {0};
    struct sq *s = fresh_backend();
    if (s == NULL)
        return;
    ok(!be->full(s), "a new store is not full");
    sqlite3_stmt *q = NULL;
    long pages = 0;
    if (sqlite3_prepare_v2(s->db.lite, "PRAGMA page_count", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        pages = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %ld", pages);
    is_int(sq_exec(s, sql, &err), 0, "max_page_count = page_count (%ld)", pages);
    int rc = 0;
    enum mld_put_result res;
    int64_t id;
    char *body = mld_test_prose(65536, 1), urn[32];
    for (int i = 0; i < 100 && rc == 0; i++) {
        struct mld_article *a = art("urn:full:0", 1, "2026-01-01T00:00:00Z", "Voll", NULL, NULL,
                                    NULL);
        snprintf(urn, sizeof(urn), "urn:full:%d", i);
        mld_free(a->urn);
        a->urn = mld_strdup(urn);
        a->body_html = mld_strdup(body);
        mld_err_clear(&err);
        rc = be->put(s, a, NULL, &res, &id, &err);
        mld_article_free(a);
    }
    mld_free(body);
    ok(rc != 0, "a put fails once the store may not grow (%s)", err.msg);
    ok(be->full(s), "... and the store says it is full");
    be->idle(s);
    mld_err_clear(&err);
    is_int(be->begin(s, &err), 0, "a new transaction begins %s", err.msg);
    ok(!be->full(s), "... and forgets the old failure");
    ok(sq_exec(s, "SELECT * FROM no_such_table", &err) != 0, "another error");
    ok(!be->full(s), "... is not lack of space (%s)", err.msg);
    be->rollback(s);
    be->close(s);
}

int
main(void)
{
    mld_test_pg_store_ready();
    test_wireq_cases();
    test_prune();
    test_lifecycle();
    test_feeds_sources();
    test_article_detail();
    test_migrate_media();
    test_page_size();
    test_nested();
    test_full();
    test_plans();
    test_entries();
    test_reader();
    mld_test_store_remove();
    return mld_test_done();
}
