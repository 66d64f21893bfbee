/*
 * tests/unit/store/pg_sql.c - the statement interface (src/store/sql.h)
 * on both engines: the same statements, written once in SQLite's SQL,
 * prepared, bound, stepped and read on SQLite (in memory) and on the
 * PostgreSQL server of MELDUNG_TEST_PG (`make check PG=1`; skipped on
 * PostgreSQL without it), with the same results. Also the rewriting of
 * SQLite's SQL for PostgreSQL.
 */
#include "../../../src/store/sql.c"

#include <stdlib.h>

#include "../../../src/store/pg_int.h"
#include "test.h"

static void
test_translate(void)
{
    int n = 0;
    char *t = translate("SELECT ?2, ?1, ?, '?x' FROM a INDEXED BY a_i WHERE b = ?10", &n);
    is_str(t, "SELECT $2, $1, $1, '?x' FROM a  WHERE b = $10", "?N, bare ? and quotes");
    is_int(n, 10, "the largest parameter");
    mld_free(t);
    t = translate("SELECT x FROM a NOT INDEXED WHERE \"?\" = 1", &n);
    is_str(t, "SELECT x FROM a  WHERE \"?\" = 1", "NOT INDEXED dropped, quoted names kept");
    is_int(n, 0, "no parameters");
    mld_free(t);
}

/* The checks every engine must pass alike; name says which. */
static void
test_engine(struct sql_db *db, const char *name)
{
    struct sql_stmt *st = NULL;
    ok(sql_exec(db, "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, data BYTEA, "
                    "score DOUBLE PRECISION)") == SQLITE_OK,
       "%s: create: %s", name, sql_errmsg(db));
    ok(sql_prepare(db, "INSERT INTO t (id, name, data, score) VALUES (?1, ?2, ?3, ?4)", false,
                   &st) == SQLITE_OK,
       "%s: prepare insert: %s", name, sql_errmsg(db));
    if (st == NULL)
        return;
    static const unsigned char bytes[] = {0, 1, '\\', 'x', 0xff, 0};
    for (int i = 1; i <= 3; i++) {
        sql_reset(st);
        sql_clear_bindings(st);
        sql_bind_int64(st, 1, i * 1000000000000LL);
        if (i < 3) {
            char v[16];
            snprintf(v, sizeof(v), "name%d", i);
            sql_bind_text_copy(st, 2, v, -1);
        }
        sql_bind_blob(st, 3, bytes, (int)sizeof(bytes));
        sql_bind_double(st, 4, i / 4.0);
        is_int(sql_step(st), SQLITE_DONE, "%s: insert row %d", name, i);
        is_int(sql_changes(db), 1, "%s: one row changed", name);
    }
    sql_reset(st);
    sql_bind_int64(st, 1, 1000000000000LL);
    is_int(sql_step(st), SQLITE_CONSTRAINT, "%s: a duplicate key is a constraint error", name);
    ok(strlen(sql_errmsg(db)) > 0, "%s: with a message: %s", name, sql_errmsg(db));
    sql_finalize(st);

    ok(sql_prepare(db, "SELECT id, name, data, score, id > ?1 FROM t ORDER BY id", false, &st) ==
           SQLITE_OK,
       "%s: prepare select: %s", name, sql_errmsg(db));
    if (st == NULL)
        return;
    sql_bind_int64(st, 1, 1500000000000LL);
    int rows = 0;
    while (sql_step(st) == SQLITE_ROW) {
        rows++;
        is_int(sql_column_int64(st, 0), rows * 1000000000000LL, "%s: row %d id", name, rows);
        is_int(sql_column_type(st, 0), SQL_INTEGER, "%s: an integer", name);
        if (rows < 3) {
            char v[16];
            snprintf(v, sizeof(v), "name%d", rows);
            is_str(sql_column_text(st, 1), v, "%s: row %d text", name, rows);
        } else {
            ok(sql_column_text(st, 1) == NULL && sql_column_type(st, 1) == SQL_NULL,
               "%s: NULL", name);
        }
        const unsigned char *b = sql_column_blob(st, 2);
        ok(sql_column_type(st, 2) == SQL_BLOB && sql_column_bytes(st, 2) == sizeof(bytes) &&
               b != NULL && memcmp(b, bytes, sizeof(bytes)) == 0,
           "%s: row %d bytes back whole", name, rows);
        ok(sql_column_double(st, 3) == rows / 4.0, "%s: a double", name);
        is_int(sql_column_int(st, 4), rows > 1, "%s: a comparison reads as 0 or 1", name);
        /* another statement stepped inside this one's rows */
        struct sql_stmt *in = NULL;
        if (sql_prepare(db, "SELECT count(*), sum(id) FROM t WHERE id <= ?1", false, &in) ==
            SQLITE_OK) {
            sql_bind_int64(in, 1, sql_column_int64(st, 0));
            ok(sql_step(in) == SQLITE_ROW && sql_column_int(in, 0) == rows &&
                   sql_column_int64(in, 1) == rows * (rows + 1) / 2 * 1000000000000LL,
               "%s: nested statement, count and sum", name);
            ok(sql_busy(in), "%s: busy on a row", name);
            sql_finalize(in);
        }
    }
    is_int(rows, 3, "%s: three rows", name);
    ok(!sql_busy(st), "%s: not busy after the last row", name);
    is_int(sql_column_count(st), 5, "%s: five columns", name);
    sql_finalize(st);

    ok(sql_exec(db, "BEGIN") == SQLITE_OK && sql_in_txn(db), "%s: in a transaction", name);
    ok(sql_exec(db, "UPDATE t SET score = 0 WHERE id > 0") == SQLITE_OK, "%s: update", name);
    is_int(sql_changes(db), 3, "%s: three rows updated", name);
    ok(sql_exec(db, "ROLLBACK") == SQLITE_OK && !sql_in_txn(db), "%s: rolled back", name);
    ok(sql_exec(db, "SELECT nonsense FROM nowhere") != SQLITE_OK &&
           strstr(sql_errmsg(db), "nowhere") != NULL,
       "%s: an error names what is wrong: %s", name, sql_errmsg(db));
}

/* Ends p's server process from another connection, as a server restart
 * or a failover would. */
static void
cut(struct pg *p, const char *url)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", PQbackendPID(p->conn));
    PGconn *c = PQconnectdb(url);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}

/* A connection that breaks is made again before the next statement; its
 * prepared statements are prepared again; a transaction it lost is not
 * carried on outside a transaction. */
static void
test_reconnect(struct sql_db *db, const char *url)
{
    struct sql_stmt *st = NULL;
    sql_exec(db, "CREATE TABLE r (n BIGINT)");
    if (!ok(sql_prepare(db, "SELECT count(*) FROM r", true, &st) == SQLITE_OK, "prepared"))
        return;
    cut(db->pg, url);
    ok(sql_step(st) == SQLITE_ROW && sql_column_int(st, 0) == 0,
       "after the connection broke: connected again, the statement prepared again: %s",
       sql_errmsg(db));
    sql_reset(st);
    ok(sql_exec(db, "BEGIN") == SQLITE_OK && sql_exec(db, "INSERT INTO r VALUES (1)") == SQLITE_OK,
       "a transaction with a write");
    cut(db->pg, url);
    ok(sql_exec(db, "INSERT INTO r VALUES (2)") != SQLITE_OK &&
           strstr(sql_errmsg(db), "lost in a transaction") != NULL,
       "the connection broke in it: the next statement fails: %s", sql_errmsg(db));
    ok(sql_step(st) != SQLITE_ROW, "... so does a prepared one");
    sql_reset(st);
    ok(sql_exec(db, "ROLLBACK TO mld") == SQLITE_OK && sql_exec(db, "SELECT 1") != SQLITE_OK,
       "a savepoint's rollback does not end it");
    ok(sql_exec(db, "ROLLBACK") == SQLITE_OK, "the caller's ROLLBACK ends it");
    ok(sql_step(st) == SQLITE_ROW && sql_column_int(st, 0) == 0,
       "then statements run again, and nothing of the lost transaction was kept");
    sql_finalize(st);
    sql_exec(db, "DROP TABLE r");
}

int
main(void)
{
    test_translate();

    struct sql_db lite = {0};
    if (sqlite3_open(":memory:", &lite.lite) == SQLITE_OK)
        test_engine(&lite, "sqlite");
    sqlite3_close(lite.lite);

    const char *url = getenv("MELDUNG_TEST_PG");
    if (url == NULL || url[0] == '\0') {
        diag("PostgreSQL: not tried, MELDUNG_TEST_PG is not set (make check PG=1)");
        return mld_test_done();
    }
    struct pg p;
    struct mld_err err = {0};
    if (!ok(pg_connect(&p, url, false, &err) == 0, "connect: %s", err.msg))
        return mld_test_done();
    sql_exec(&(struct sql_db){.pg = &p}, "DROP TABLE IF EXISTS t");
    struct sql_db db = {.pg = &p};
    test_engine(&db, "postgresql");
    test_reconnect(&db, url);
    sql_exec(&db, "DROP TABLE t");
    pg_disconnect(&p);
    return mld_test_done();
}
