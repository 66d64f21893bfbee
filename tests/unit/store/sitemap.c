/*
 * Tests for the store's sitemap queries: the months with visible articles
 * (newest first, gaps skipped, counts and newest change per month, UTC
 * month boundaries), the entries of a range (newest first, limit and
 * offset for parts, only visible articles: withheld, held, withdrawn and
 * embargoed ones never) and the month change key a put logs; and a month
 * of MLD_SITEMAP_MAX_URLS + 1 articles, which the sitemap index names in
 * two parts of at most MLD_SITEMAP_MAX_URLS each. (The
 * queries say INDEXED BY article_published: SQLite refuses to run them
 * rather than scan the table.)
 */
#include "../../../src/store/sqlite.c"

#include <jansson.h>
#include <unistd.h>

#define MLD_TEST_HAVE_MIGRATIONS
#include "store_test.h"

/* The documents too, for the split of a month past 50,000 URLs. */
#include "../../../src/web/sitemap.c"

static mld_time_t
at(int y, int mo, int d, int h)
{
    return mld_time_from_civil(y, mo, d, h, 0, 0);
}

/* Stores a usable article urn of version 1 made at t, with status ps. */
static int64_t
put_at(struct mld_store *st, const char *urn, mld_time_t t, enum mld_pubstatus ps)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = 1;
    a->version_created = t;
    a->updated = t;
    a->pubstatus = ps;
    a->headline = mld_strdup(urn);
    int64_t id = 0;
    enum mld_put_result r;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &r, &id, &err) != 0)
        diag("put %s: %s", urn, err.msg);
    mld_article_free(a);
    return id;
}

/* Collects entries as "headline@published" into a JSON array. */
static int
collect(void *ud, const struct mld_sitemap_entry *e)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s@%lld", e->headline ? e->headline : "", (long long)e->published);
    json_array_append_new(ud, json_string(buf));
    return 0;
}

static char *
entries(struct mld_store *st, mld_time_t from, mld_time_t to, mld_time_t now, int limit,
        int64_t offset)
{
    json_t *v = json_array();
    struct mld_err err = {0};
    int rc = mld_store_sitemap_entries(st, from, to, now, limit, offset, collect, v, &err);
    if (rc != 0)
        diag("entries: %s", err.msg);
    struct mld_buf b;
    mld_buf_init(&b, 65536);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *s = json_string_value(json_array_get(v, i));
        mld_buf_printf(&b, "%s%.*s", i ? " " : "", (int)strcspn(s, "@"), s);
    }
    json_decref(v);
    char *s = b.len ? mld_buf_steal(&b, NULL) : mld_strdup("");
    mld_buf_dispose(&b);
    return s;
}

static void
keys_of(void *ud, const char *key)
{
    json_array_append_new(ud, json_string(key));
}

/* Renders path as site.c would, into a fresh page. */
static int
render(struct mld_store *st, const char *path, mld_time_t now, struct mld_page *pg)
{
    static const struct mld_page_site site = {.name = "Test", .base_url = "https://t.example"};
    memset(pg, 0, sizeof(*pg));
    pg->site = &site;
    mld_buf_init(&pg->body, MLD_MAX_PAGE_BYTES);
    struct mld_err err = {0};
    int rc = mld_sitemap_render(st, path, now, pg, &err);
    if (rc != 0)
        diag("%s: %s", path, err.msg);
    mld_buf_putc(&pg->body, '\0');
    return rc;
}

/* May 2025 gets MLD_SITEMAP_MAX_URLS + 1 articles (written by SQL, one a
 * second: a put each would take minutes). */
static void
test_split(struct mld_store *st)
{
    void *impl = NULL;
    struct mld_err err = {0};
    if (sq_open(&impl, mld_test_dbpath, &err) != 0) {
        diag("second connection: %s", err.msg);
        ok(0, "bulk articles written");
        return;
    }
    char sql[1024];
    mld_time_t t0 = at(2025, 5, 1, 0);
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d) "
             "INSERT INTO article (id, urn, version, version_created, updated, pubstatus, embargo, "
             "visible_from, urgency, headline, slug, published, first_stored, story_id, "
             "story_key) SELECT 1000000 + i, 'bulk-' || i, 1, %lld + i, %lld + i, 0, 0, 0, 0, 'b', "
             "'bulk-' || i, %lld + i, %lld + i, 0, 'bulk' FROM c",
             MLD_SITEMAP_MAX_URLS + 1, (long long)t0, (long long)t0, (long long)t0, (long long)t0);
    int rc = sq_begin(impl, &err);
    if (rc == 0)
        rc = sq_exec(impl, sql, &err);
    if (rc == 0)
        rc = sq_commit(impl, &err);
    ok(rc == 0, "bulk articles written");
    if (rc != 0)
        diag("%s", err.msg);
    sq_close(impl);
    mld_time_t now = at(2026, 3, 10, 12);
    struct mld_page pg;
    render(st, MLD_SITEMAP_PATH, now, &pg);
    ok(strstr(pg.body.p, "/sitemaps/2025-05-1.xml</loc>") &&
           strstr(pg.body.p, "/sitemaps/2025-05-2.xml</loc>") &&
           !strstr(pg.body.p, "/sitemaps/2025-05-3.xml") &&
           !strstr(pg.body.p, "/sitemaps/2025-05.xml"),
       "the index names May in two parts");
    ok(strstr(pg.body.p, "/sitemaps/2026-01.xml</loc>") != NULL, "a small month is one child");
    mld_page_dispose(&pg);
    render(st, "/sitemaps/2025-05-1.xml", now, &pg);
    is_int(mld_test_count(pg.body.p, "<url>"), MLD_SITEMAP_MAX_URLS, "part 1: the newest 50,000");
    ok(pg.cacheable && pg.ntags == 1 && strcmp(pg.tags[0], "m:2025-05") == 0,
       "cached under the month's key");
    mld_page_dispose(&pg);
    render(st, "/sitemaps/2025-05-2.xml", now, &pg);
    is_int(mld_test_count(pg.body.p, "<url>"), 1, "part 2: the oldest one");
    ok(strstr(pg.body.p, "<loc>https://t.example/artikel/bulk-1-") != NULL, "... bulk-1");
    mld_page_dispose(&pg);
    render(st, "/sitemaps/2025-05-3.xml", now, &pg);
    is_int(pg.status, 404, "part 3 does not exist");
    mld_page_dispose(&pg);
}

int
main(void)
{
    mld_test_pg_store_ready();
    struct mld_store *st = mld_test_store_fresh("sitemap");
    mld_time_t now = at(2026, 3, 10, 12);
    /* January: three visible (one at the last second of the month in
     * UTC), one withheld, one held; none in February; March: two visible,
     * one embargoed past now, one withdrawn. */
    put_at(st, "jan-1", at(2026, 1, 2, 8), MLD_PUB_USABLE);
    put_at(st, "jan-2", at(2026, 1, 15, 8), MLD_PUB_USABLE);
    put_at(st, "jan-last", at(2026, 2, 1, 0) - 1, MLD_PUB_USABLE);
    put_at(st, "jan-withheld", at(2026, 1, 20, 8), MLD_PUB_WITHHELD);
    put_at(st, "jan-held", at(2026, 1, 21, 8), MLD_PUB_HELD);
    put_at(st, "feb-first", at(2026, 2, 1, 0) + 0, MLD_PUB_WITHHELD);
    put_at(st, "mar-1", at(2026, 3, 1, 0), MLD_PUB_USABLE);
    put_at(st, "mar-2", at(2026, 3, 9, 0), MLD_PUB_USABLE);
    put_at(st, "mar-gone", at(2026, 3, 5, 0), MLD_PUB_CANCELED);
    struct mld_article *e = mld_article_new();
    e->urn = mld_strdup("mar-embargo");
    e->version = 1;
    e->version_created = at(2026, 3, 9, 0);
    e->updated = e->version_created;
    e->embargo = at(2026, 3, 11, 0);
    e->headline = mld_strdup("mar-embargo");
    int64_t id;
    enum mld_put_result r;
    struct mld_err err = {0};
    mld_store_put(st, e, &r, &id, &err);
    mld_article_free(e);

    struct mld_sitemap_month *m;
    int n;
    ok(mld_store_sitemap_months(st, now, 100, &m, &n, &err) == 0, "months");
    is_int(n, 2, "two months with visible articles (February has none)");
    if (n == 2) {
        ok(m[0].year == 2026 && m[0].mon == 3 && m[0].count == 2, "March first, two articles");
        ok(m[1].year == 2026 && m[1].mon == 1 && m[1].count == 3, "then January, three");
        is_int(m[1].lastmod, at(2026, 2, 1, 0) - 1, "January's newest change");
    }
    mld_free(m);
    ok(mld_store_sitemap_months(st, now, 1, &m, &n, &err) == 0 && n == 1, "max caps the months");
    mld_free(m);
    ok(mld_store_sitemap_months(st, at(2026, 3, 12, 0), 100, &m, &n, &err) == 0 && n == 2 &&
           m[0].count == 3,
       "after the embargo the article counts in March");
    mld_free(m);

    mld_time_t jan = at(2026, 1, 1, 0), feb = at(2026, 2, 1, 0);
    char *s = entries(st, jan, feb, now, 100, 0);
    is_str(s, "jan-last jan-2 jan-1", "January's visible articles, newest first");
    mld_free(s);
    s = entries(st, jan, feb, now, 2, 0);
    is_str(s, "jan-last jan-2", "a part of two");
    mld_free(s);
    s = entries(st, jan, feb, now, 2, 2);
    is_str(s, "jan-1", "the next part");
    mld_free(s);
    s = entries(st, at(2026, 3, 1, 0), at(2026, 4, 1, 0), now, 100, 0);
    is_str(s, "mar-2 mar-1", "March: no embargoed or withdrawn article");
    mld_free(s);
    s = entries(st, now - 48 * 3600, now + 1, now, 1000, 0);
    is_str(s, "mar-2", "the last 48 hours");
    mld_free(s);
    ok(mld_store_sitemap_entries(st, feb, jan, now, 10, 0, collect, NULL, &err) == MLD_E_INVAL,
       "an empty range is refused");

    /* A put logs the month of the article's publication. */
    int64_t seq = 0;
    json_t *keys = json_array();
    mld_store_changes(st, 0, keys_of, keys, &seq, &err);
    bool jan_key = false, mar_key = false;
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        jan_key = jan_key || strcmp(k, "m:2026-01") == 0;
        mar_key = mar_key || strcmp(k, "m:2026-03") == 0;
    }
    ok(jan_key && mar_key, "the change log names the months (m:2026-01, m:2026-03)");
    json_decref(keys);

    test_split(st);
    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
