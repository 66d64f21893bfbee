/*
 * tests/unit/store/story_pg.c - the SQL of src/store/sqlite_story.c on
 * PostgreSQL, checked mechanically on a throwaway cluster (tests/harness/
 * pg_test.h) migrated by this build (src/store/pg/):
 * every statement the file runs prepares there as sql_prepare() gives it
 * (each one's PostgreSQL form where it has one), a rebuild's emptying
 * runs, and the statements only PostgreSQL runs (story_sql_pg) do what
 * sqlite_story.c relies on: the keys read and the counts written as
 * arrays, the version of story_df counted in meta, a read-only session
 * told apart, the story decision's reads and the related-list writes of
 * many rows in one statement (the _ALL forms). What the statements do
 * together is tested by story.c and related.c on either engine (`make
 * check PG=1`). Skips when no
 * PostgreSQL server is installed (scripts/deps.sh installs one).
 */
#include "../../../src/store/sqlite_story.c"

#include "test.h"
#include "pg_test.h"

/* The statements' names, in the order of enum story_stmt. */
static const char *const story_names[] = {
#define STMT_NAME_(name, sql) #name,
    STMT_MAP(STMT_NAME_)
#undef STMT_NAME_
};

/* Every statement of the file prepares on PostgreSQL. */
static void
test_prepare(struct sql_db *db)
{
    int failed = 0;
    for (int id = 0; id < T_COUNT_; id++) {
        struct sql_stmt *st = NULL;
        int rc = sql_prepare(db, story_stmt_sql(db, id), true, &st);
        if (!ok(rc == SQLITE_OK, "%s prepares on PostgreSQL", story_names[id])) {
            diag("%s: %s", story_stmt_sql(db, id), sql_errmsg(db));
            failed++;
        }
        sql_finalize(st);
    }
    is_int(failed, 0, "all %d statements prepare", T_COUNT_);
    if (!ok(sql_exec(db, "BEGIN") == SQLITE_OK && sql_exec(db, story_clear_sql) == SQLITE_OK,
            "a rebuild's emptying runs"))
        diag("%s", sql_errmsg(db));
    sql_exec(db, "ROLLBACK");
}

/* Runs statement id with ?1 = key (when it has parameters) and returns
 * the first column of its first row, -1 when it gave none. */
static int64_t
first(struct sql_db *db, enum story_stmt id, const char *key)
{
    struct sql_stmt *st = NULL;
    int64_t v = -1;
    if (sql_prepare(db, story_stmt_sql(db, id), false, &st) != SQLITE_OK) {
        diag("prepare %s: %s", story_names[id], sql_errmsg(db));
        return -1;
    }
    if (key != NULL)
        sql_bind_text(st, 1, key, -1);
    if (sql_step(st) == SQLITE_ROW)
        v = sql_column_int64(st, 0);
    sql_finalize(st);
    return v;
}

/* The statements only PostgreSQL runs, and the counter sq_story_begin()
 * reads. */
static void
test_pg_forms(struct sql_db *db)
{
    struct sq q = {.db = *db, .path = "story_pg"};
    struct mld_err err = {0};
    is_int(sq_read_only(&q, &err), 0, "a session that may write says so");
    sql_exec(db, "SET default_transaction_read_only = on");
    is_int(sq_read_only(&q, &err), 1, "a reader's session (read-only) says so");
    sql_exec(db, "SET default_transaction_read_only = off");

    is_int(first(db, T_DATA_VERSION, NULL), 0, "no version of story_df yet: 0");
    is_int(first(db, T_DF_BUMP, NULL), 1, "the first change counts version 1");
    is_int(first(db, T_DF_BUMP, NULL), 2, "the next one 2");
    is_int(first(db, T_DATA_VERSION, NULL), 2, "which is what a transaction then reads");

    /* The counts as df_write_all() writes them, and the keys as df_load()
     * reads them: array literals, negative and beyond 32 bits too. */
    struct sql_stmt *st = NULL;
    ok(sql_prepare(db, story_stmt_sql(db, T_DF_SET), false, &st) == SQLITE_OK, "DF_SET");
    for (int round = 0; round < 2 && st != NULL; round++) {
        sql_reset(st);
        sql_bind_text(st, 1, round == 0 ? "{-1,12,13}" : "{-1,13,4294967301}", -1);
        sql_bind_text(st, 2, round == 0 ? "{6,1,4}" : "{7,5,3}", -1);
        is_int(sql_step(st), SQLITE_DONE, "counts written, round %d", round + 1);
        is_int(sql_changes(db), 3, "three rows, new or changed");
    }
    sql_finalize(st);
    ok(sql_prepare(db, story_stmt_sql(db, T_DF_GET), false, &st) == SQLITE_OK, "DF_GET");
    sql_bind_text(st, 1, "{-1,4294967301,13,99}", -1);
    int64_t sum = 0;
    int n = 0;
    while (st != NULL && sql_step(st) == SQLITE_ROW) {
        sum += sql_column_int64(st, 0) * 100 + sql_column_int64(st, 1);
        n++;
    }
    sql_finalize(st);
    is_int(n, 3, "the keys asked for that are there, and no other");
    is_int(sum, (-1 * 100 + 7) + (4294967301LL * 100 + 3) + (13 * 100 + 5), "with their counts");
}

/* Runs sql with the texts args[0..n) bound to ?1.. and writes its rows
 * into out, columns separated by ' ', rows by ';'. Returns the step's
 * last code. */
static int
rows_of(struct sql_db *db, const char *sql, const char *const *args, int n, char *out,
        size_t cap)
{
    struct sql_stmt *st = NULL;
    out[0] = '\0';
    if (sql_prepare(db, sql, false, &st) != SQLITE_OK) {
        diag("prepare %s: %s", sql, sql_errmsg(db));
        return SQLITE_ERROR;
    }
    for (int i = 0; i < n; i++)
        sql_bind_text(st, i + 1, args[i], -1);
    int rc;
    size_t len = 0;
    while ((rc = sql_step(st)) == SQLITE_ROW && len < cap) {
        for (int c = 0; c < sql_column_count(st) && len < cap; c++)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", c > 0 ? " " : "",
                                    (const char *)sql_column_text(st, c));
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, ";");
    }
    if (rc != SQLITE_DONE)
        diag("%s: %s", sql, sql_errmsg(db));
    sql_finalize(st);
    return rc;
}

/* The story decision's reads and the related-list writes in one
 * statement each (the _ALL forms): rows for the keys asked, in the
 * array's order where sqlite_story.c relies on it, each term's newest
 * first and at most the limit; scores back as written. */
static void
test_pg_all(struct sql_db *db)
{
    char got[512];
    sql_exec(db, "BEGIN");
    sql_exec(db, "INSERT INTO story_term(term, published, article_id, weight) VALUES "
                 "(5, 100, 1, 10), (5, 300, 2, 20), (5, 300, 3, 30), (5, 200, 4, 40), "
                 "(7, 50, 1, 11), (4294967295, 10, 9, 1)");
    /* In no order (terms_newest_all orders each term's rows): sorted
     * here to compare. */
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT * FROM (%s) x ORDER BY 4, 3 DESC, 1 DESC",
             story_stmt_sql(db, T_TERM_NEWEST_ALL));
    const char *terms[] = {"{7,5,8,4294967295}", "2"};
    is_int(rows_of(db, sql, terms, 2, got, sizeof(got)), SQLITE_DONE, "TERM_NEWEST_ALL runs");
    is_str(got, "1 11 50 0;3 30 300 1;2 20 300 1;9 1 10 3;",
           "each term's newest 2 (ties by id, descending), named by its index");

    /* story_related's rows name articles: the foreign key is not what is
     * tested here (this transaction is rolled back). */
    sql_exec(db, "SET LOCAL session_replication_role = replica");
    const char *add = story_stmt_sql(db, T_REL_ADD_ALL), *list = story_stmt_sql(db, T_REL_LIST_ALL);
    const char *put[] = {"{1,1,2}", "{10,11,10}", "{100,101,100}",
                         "{0.1,0.30000000000000004,2877.4156733974974}"};
    is_int(rows_of(db, add, put, 4, got, sizeof(got)), SQLITE_DONE, "REL_ADD_ALL runs");
    const char *again[] = {"{2}", "{10}", "{102}", "{1e-300}"};
    rows_of(db, add, again, 4, got, sizeof(got));
    const char *owners[] = {"{2,1,3}"};
    rows_of(db, list, owners, 1, got, sizeof(got));
    is_str(got, "10 100 0.1 1;11 101 0.30000000000000004 1;10 102 1e-300 2;",
           "REL_LIST_ALL: by owner, then related id; an entry written again replaced; "
           "scores exact");
    const char *del[] = {"{1,2,3}", "{11,10,10}"};
    is_int(rows_of(db, story_stmt_sql(db, T_REL_DEL_ALL), del, 2, got, sizeof(got)),
           SQLITE_DONE, "REL_DEL_ALL runs");
    is_int(sql_changes(db), 2, "the pairs there taken out, no other");
    rows_of(db, list, owners, 1, got, sizeof(got));
    is_str(got, "10 100 0.1 1;", "what is left");
    sql_exec(db, "ROLLBACK");
}

int
main(void)
{
    struct pg p;
    if (!mld_test_pg_migrated(&p))
        return mld_test_done();
    struct sql_db db = {.pg = &p};
    test_prepare(&db);
    test_pg_forms(&db);
    test_pg_all(&db);
    pg_disconnect(&p);
    return mld_test_done();
}
