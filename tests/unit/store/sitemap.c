/*
 * Tests for the store's sitemap queries: the months with visible articles
 * (newest first, gaps skipped, counts and newest change per month, UTC
 * month boundaries), the entries of a range (newest first, limit and
 * offset for parts, only visible articles: withheld, held, withdrawn and
 * embargoed ones never) and the month change key a put logs. (The
 * queries say INDEXED BY article_published: SQLite refuses to run them
 * rather than scan the table.)
 */
#include "../../../src/store/sqlite.c"

#include <jansson.h>
#include <unistd.h>

#define MLD_TEST_HAVE_MIGRATIONS
#include "store_test.h"

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

int
main(void)
{
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

    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
