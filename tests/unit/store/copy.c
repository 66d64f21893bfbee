/*
 * tests/unit/store/copy.c - the table list of `meldung migrate`
 * (src/store/copy.c) against the store's schema: every table of a new
 * store is either copied or derived by the target itself, so a table a
 * later migration adds cannot be left behind unnoticed. On PostgreSQL
 * (`make check PG=1`) the same for its schema. The copying itself is
 * tested end to end by tests/http/migrate.t.
 */
#include "../../../src/store/copy.c"

#include "store_test.h"

/* Tables the target builds itself (the search index: FTS5's on SQLite,
 * search_* on PostgreSQL), and SQLite's own. */
static const char *const derived[] = {
    "article_tally", "story_tally", "search_vocab", "meta", "sqlite_sequence",
    "article_fts", "article_fts_config", "article_fts_data", "article_fts_docsize",
    "article_fts_idx", "search_doc", "search_queue", "search_total",
};

static bool
listed(const char *name)
{
    for (int i = 0; i < NTABLES; i++)
        if (strcmp(tables[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
        if (strcmp(derived[i], name) == 0)
            return true;
    return false;
}

int
main(void)
{
    struct mld_store *st = mld_test_store_fresh("copy");
    const struct mld_store_backend *be;
    struct sq *s = mld_store_impl(st, &be);
    const char *sql = sql_pg(&s->db) ? "SELECT tablename FROM pg_tables WHERE schemaname = "
                                       "current_schema() ORDER BY 1"
                                     : "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "ORDER BY 1";
    struct sql_stmt *q = NULL;
    int n = 0;
    if (ok(sql_prepare(&s->db, sql, false, &q) == SQLITE_OK, "list the tables")) {
        while (sql_step(q) == SQLITE_ROW) {
            const char *name = sql_column_text(q, 0);
            n++;
            ok(listed(name), "table %s is copied or derived", name);
        }
        sql_finalize(q);
    }
    ok(n > NTABLES, "%d tables seen", n);
    /* and every table copied exists, with its key */
    for (int i = 0; i < NTABLES; i++) {
        char k[256];
        snprintf(k, sizeof(k), "SELECT %s FROM %s WHERE 1 = 0", tables[i].key, tables[i].name);
        ok(sql_prepare(&s->db, k, false, &q) == SQLITE_OK, "%s (%s) exists", tables[i].name,
           tables[i].key);
        sql_finalize(q);
        q = NULL;
    }
    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
