/*
 * Tests for the tallies of migration 0012 (src/store/sql/0012_tallies.sql):
 * after a mixed sequence of writes (new articles, updates that move an
 * article to another section and story, an embargo, agency withdrawals,
 * held items, editors' decisions and their re-apply after an agency
 * update), article_tally and story_tally equal a full recount of article,
 * and what is read from them (navigation, /status totals, story sizes and
 * sections) equals the same answers computed from every row, before and
 * after the embargo ends. On SQLite, and with `make check PG=1` on
 * PostgreSQL, whose tallies are plpgsql triggers (src/store/pg/0002).
 */
#include "../../../src/store/sqlite_editor.c"
#include "../../../src/web/editorial.c"

#include "../../../src/base/mem.h"
#include "store_test.h"

static const mld_time_t t0 = 1769900000;

static struct mld_article *
art(const char *urn, int64_t version, const char *headline, const char *section,
    enum mld_pubstatus status)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = t0 + version;
    a->updated = t0 + version;
    a->headline = mld_strdup(headline);
    a->body_html = mld_strdup(headline);
    a->section = section ? mld_strdup(section) : NULL;
    a->pubstatus = status;
    if (status == MLD_PUB_HELD)
        a->hold_reason = mld_strdup("Terminhinweis");
    return a;
}

/* The number of rows sql returns on db; -1 on error. */
static int
rows(struct sql_db *db, const char *sql)
{
    struct sql_stmt *st;
    if (sql_prepare(db, sql, false, &st) != SQLITE_OK) {
        diag("%s: %s", sql, sql_errmsg(db));
        return -1;
    }
    int n = 0;
    while (sql_step(st) == SQLITE_ROW)
        n++;
    sql_finalize(st);
    return n;
}

/* The single integer sql returns with ?1 = now. */
static int64_t
count_at(struct sql_db *db, const char *sql, mld_time_t now)
{
    struct sql_stmt *st;
    int64_t v = -1;
    if (sql_prepare(db, sql, false, &st) != SQLITE_OK) {
        diag("%s: %s", sql, sql_errmsg(db));
        return -1;
    }
    if (sql_bind_count(st) >= 1)
        sql_bind_int64(st, 1, now);
    if (sql_step(st) == SQLITE_ROW)
        v = sql_column_int64(st, 0);
    sql_finalize(st);
    return v;
}

#define VISIBLE "pubstatus = 0 AND visible_from <= ?1"

/* The tables against a recount, and every reader against the same counts
 * taken from all rows of article at now. */
static void
check(struct mld_store *st, mld_time_t now, const char *when)
{
    struct sql_db conn, *db = &conn;
    mld_test_sql_open(db);
    const char *recount =
        "SELECT coalesce(section_slug, ''), coalesce(section, ''), pubstatus, "
        "coalesce(hold_reason, ''), count(*) FROM article GROUP BY 1, 2, 3, 4";
    const char *tally = "SELECT * FROM article_tally WHERE n > 0";
    char sql[1024];
    snprintf(sql, sizeof(sql), "%s EXCEPT %s", recount, tally);
    is_int(rows(db, sql), 0, "%s: every group of articles is in article_tally", when);
    snprintf(sql, sizeof(sql), "%s EXCEPT %s", tally, recount);
    is_int(rows(db, sql), 0, "%s: article_tally has nothing else", when);
    const char *srecount = "SELECT story_id, coalesce(section, ''), count(*), max(published) "
                           "FROM article WHERE pubstatus = 0 GROUP BY 1, 2";
    snprintf(sql, sizeof(sql), "SELECT * FROM story_tally EXCEPT %s", srecount);
    is_int(rows(db, sql), 0, "%s: story_tally holds no count the articles do not", when);
    snprintf(sql, sizeof(sql), "%s EXCEPT SELECT * FROM story_tally", srecount);
    is_int(rows(db, sql), 0, "%s: every story's section is in story_tally", when);

    struct mld_err err = {0};
    struct mld_store_totals t;
    ok(mld_store_totals(st, now, &t, &err) == 0, "%s: totals", when);
    is_int(t.articles, count_at(db, "SELECT count(*) FROM article", now), "%s: articles", when);
    is_int(t.visible, count_at(db, "SELECT count(*) FROM article WHERE " VISIBLE, now),
           "%s: visible", when);
    is_int(t.embargoed,
           count_at(db, "SELECT count(*) FROM article WHERE pubstatus = 0 AND visible_from > ?1",
                    now),
           "%s: embargoed", when);
    is_int(t.withdrawn, count_at(db, "SELECT count(*) FROM article WHERE pubstatus = 2", now),
           "%s: withdrawn", when);
    is_int(t.held, count_at(db, "SELECT count(*) FROM article WHERE pubstatus = 3", now),
           "%s: held", when);
    int64_t shown = 0, all = 0;
    for (int i = 0; i < t.nsections; i++) {
        shown += t.sections[i].shown;
        all += t.sections[i].n;
    }
    is_int(all, t.articles, "%s: the sections add up to every article", when);
    is_int(shown, t.visible, "%s: the sections' shown add up to the visible", when);
    is_int(t.nsections,
           count_at(db, "SELECT count(DISTINCT coalesce(section, '')) FROM article", now),
           "%s: every section once", when);
    mld_store_totals_dispose(&t);

    struct mld_named *secs = NULL;
    int nsecs = 0;
    ok(mld_store_sections(st, now, &secs, &nsecs, &err) == 0, "%s: navigation", when);
    is_int(nsecs,
           count_at(db,
                    "SELECT count(DISTINCT section_slug) FROM article WHERE " VISIBLE
                    " AND section_slug IS NOT NULL",
                    now),
           "%s: the navigation lists the sections with a visible article", when);
    mld_named_free(secs, nsecs);

    /* Each story: the counted size is the number of members loaded. */
    struct sql_stmt *q = NULL;
    if (sql_prepare(db, "SELECT DISTINCT story_id FROM article", false, &q) != SQLITE_OK)
        diag("stories: %s", sql_errmsg(db));
    int stories = 0, right = 0;
    while (q != NULL && sql_step(q) == SQLITE_ROW) {
        int64_t sid = sql_column_int64(q, 0), size = -1;
        struct mld_items members = {0};
        mld_store_story(st, sid, now, &members, &err);
        mld_store_story_size(st, sid, now, &size, &err);
        stories++;
        right += size == members.n;
        if (size != members.n)
            diag("story %lld: counted %lld, loaded %d", (long long)sid, (long long)size,
                 members.n);
        mld_items_dispose(&members);
    }
    sql_finalize(q);
    ok(stories > 0 && right == stories, "%s: %d story sizes counted right", when, stories);
    mld_test_sql_close(db);
}

int
main(void)
{
    mld_test_pg_store_ready();
    struct mld_store *st = mld_test_store_fresh("tally");
    struct mld_err err = {0};
    int64_t a = mld_test_put(st, art("urn:t:a", 1, "Gipfel in Berlin", "Politik", 0));
    int64_t b = mld_test_put(st, art("urn:t:b", 1, "Gipfel in Berlin", "Ausland", 0));
    int64_t c = mld_test_put(st, art("urn:t:c", 1, "Tor in der Nachspielzeit", "Sport", 0));
    mld_test_put(st, art("urn:t:n", 1, "Ohne Ressort", NULL, 0));
    struct mld_article *d = art("urn:t:d", 1, "Sperrfrist bis morgen", "Wirtschaft", 0);
    d->embargo = t0 + 5000;
    mld_test_put(st, d);
    int64_t e = mld_test_put(st, art("urn:t:e", 1, "Achtung: Termin", "Politik", MLD_PUB_HELD));
    mld_test_put(st, art("urn:t:f", 1, "Rücktritt", "Sport", 0));
    mld_test_put(st, art("urn:t:f", 2, "Rücktritt", "Sport", MLD_PUB_CANCELED));
    /* An update moves a to another section and out of b's story. */
    mld_test_put(st, art("urn:t:a", 2, "Wahl in Paris", "Ausland", 0));
    struct mld_item ia, ib;
    mld_store_get(st, a, &ia, &err);
    mld_store_get(st, b, &ib, &err);
    diag("a in story %lld, b in %lld", (long long)ia.story_id, (long long)ib.story_id);
    mld_item_dispose(&ia);
    mld_item_dispose(&ib);
    check(st, t0 + 1000, "agency writes");

    /* Editors: withdraw, hold and release, release a held item; an agency
     * update of the withdrawn article re-applies the decision. */
    is_int(mld_editorial_act(st, b, MLD_ACT_WITHDRAW, "Fehler", "anna", t0, &err), 0, "withdraw");
    is_int(mld_editorial_act(st, c, MLD_ACT_HOLD, NULL, "anna", t0, &err), 0, "hold");
    check(st, t0 + 1000, "withdrawn and held");
    is_int(mld_editorial_act(st, c, MLD_ACT_RELEASE, NULL, "anna", t0, &err), 0, "release");
    is_int(mld_editorial_act(st, e, MLD_ACT_RELEASE, NULL, "anna", t0, &err), 0, "release");
    mld_test_put(st, art("urn:t:b", 2, "Gipfel in Berlin beendet", "Politik", 0));
    check(st, t0 + 1000, "editors' decisions");
    check(st, t0 + 10000, "embargo ended");

    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
