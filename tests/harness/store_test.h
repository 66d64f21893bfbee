/*
 * store_test.h - what the unit tests of the SQLite store share,
 * header-only.
 *
 * Each test works on one store file of its own, /tmp/mld-NAME-test-PID.db
 * (the pid keeps parallel runs apart), held in mld_test_dbpath so that a
 * test can open a second, raw connection to it. mld_test_store_fresh
 * makes it empty and opens it, mld_test_store_schema makes it as an older
 * meldung left it (the first migrations only), mld_test_store_remove
 * deletes it with its WAL files.
 *
 * On PostgreSQL: when MELDUNG_TEST_PG holds a database URL
 * ("postgresql:///meldung?host=DIR&user=meldung", as tests/harness/
 * pgtmp.sh prints it; `make check PG=1` sets it), the store of a test is
 * a database of its own on that server instead, t_NAME_PID, made empty
 * and dropped as the file would be, and mld_test_dbpath is its URL.
 * mld_test_pg() tells a test so: checks of SQLite's files and PRAGMAs
 * skip then.
 *
 * Include it after the .c under test, like test.h, which it includes. The
 * schema migrations come from the generated migrations.h; the test of
 * src/store/sqlite.c has them from the file under test already and
 * defines MLD_TEST_HAVE_MIGRATIONS before including this header. Every
 * function is static and marked unused.
 */
#ifndef MLD_STORE_TEST_H
#define MLD_STORE_TEST_H

#include <ctype.h>
#include <glob.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/base/buf.h"
#include "../../src/base/err.h"
#include "../../src/base/mem.h"
#include "../../src/store/pg_int.h"
#include "../../src/store/sql.h"
#include "../../src/store/store.h"
#include "test.h"

#ifndef MLD_TEST_HAVE_MIGRATIONS
/* The schema migrations, as src/store/sqlite.c declares them. */
struct mld_migration {
    int number;
    const char *name;
    const char *sql;
};
#include "migrations.h"
#endif

/* The store file of the test (set by mld_test_store_fresh). */
/* A paragraph of about n bytes ("<p>...</p>", mld_free) of words made of
 * random letters from seed: they hardly repeat, as a news text's words do
 * not, so deflate leaves most of it (a body that fills a store), and
 * packing its text against it finds the body's runs rather than its own
 * repeats. */
static __attribute__((unused)) char *
mld_test_prose(size_t n, unsigned seed)
{
    struct mld_buf b;
    mld_buf_init(&b, n + 64);
    mld_buf_puts(&b, "<p>");
    while (b.len < n) {
        seed = seed * 1103515245u + 12345u;
        for (unsigned len = 3 + (seed >> 16) % 8; len > 0; len--) {
            seed = seed * 1103515245u + 12345u;
            mld_buf_putc(&b, (char)('a' + (seed >> 16) % 26));
        }
        mld_buf_putc(&b, ' ');
    }
    mld_buf_puts(&b, "</p>");
    char *out = mld_strndup(b.p, b.len);
    mld_buf_dispose(&b);
    return out;
}

static char mld_test_dbpath[256];

/* The server of MELDUNG_TEST_PG, or NULL when the tests run on SQLite. */
static __attribute__((unused)) const char *
mld_test_pg(void)
{
    const char *url = getenv("MELDUNG_TEST_PG");
    return url != NULL && url[0] != '\0' ? url : NULL;
}

/* The database name of mld_test_dbpath (a PostgreSQL URL) in out. */
static __attribute__((unused)) void
mld_test_pg_dbname(char *out, size_t size)
{
    const char *p = strstr(mld_test_dbpath, ":///");
    p = p != NULL ? p + 4 : "";
    snprintf(out, size, "%.*s", (int)strcspn(p, "?"), p);
}

/* Runs sql on the server of MELDUNG_TEST_PG (its own database); a
 * failure ends the test. */
static __attribute__((unused)) void
mld_test_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(mld_test_pg());
    if (PQstatus(c) == CONNECTION_OK) /* no NOTICE of a DROP ... IF EXISTS */
        PQclear(PQexec(c, "SET client_min_messages = warning"));
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
        diag("%s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

/* Removes the store at mld_test_dbpath with its WAL and shared-memory
 * files (on PostgreSQL: drops its database). */
static __attribute__((unused)) void
mld_test_store_remove(void)
{
    if (mld_test_pg() != NULL) {
        char name[128], sql[200];
        mld_test_pg_dbname(name, sizeof(name));
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        mld_test_pg_admin(sql);
        return;
    }
    char p[300];
    unlink(mld_test_dbpath);
    snprintf(p, sizeof(p), "%s-wal", mld_test_dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", mld_test_dbpath);
    unlink(p);
}

/* Opens the store at mld_test_dbpath as it is; a store that does not open
 * ends the test (exit 1), as nothing after it could be checked. */
static __attribute__((unused)) struct mld_store *
mld_test_store_open(void)
{
    struct mld_store *st;
    struct mld_err err = {0};
    if (mld_store_open(&st, mld_test_dbpath, &err) != 0) {
        diag("open: %s", err.msg);
        exit(1);
    }
    return st;
}

/* Sets mld_test_dbpath to /tmp/mld-NAME-test-PID.db and removes what is
 * there; on PostgreSQL to a new, empty database t_NAME_PID. */
static __attribute__((unused)) void
mld_test_store_path(const char *name)
{
    const char *pg = mld_test_pg();
    if (pg == NULL) {
        snprintf(mld_test_dbpath, sizeof(mld_test_dbpath), "/tmp/mld-%s-test-%d.db", name,
                 (int)getpid());
        mld_test_store_remove();
        return;
    }
    char db[64];
    int n = snprintf(db, sizeof(db), "t_%s_%d", name, (int)getpid());
    for (int i = 0; i < n && i < (int)sizeof(db) - 1; i++)
        if (!isalnum((unsigned char)db[i]))
            db[i] = '_';
    const char *path = strstr(pg, ":///");
    path = path != NULL ? path + 4 : pg;
    snprintf(mld_test_dbpath, sizeof(mld_test_dbpath), "%.*s%s%s", (int)(path - pg), pg, db,
             path + strcspn(path, "?"));
    mld_test_store_remove();
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    mld_test_pg_admin(sql);
}

/* A new, empty store at /tmp/mld-NAME-test-PID.db, opened (see
 * mld_test_store_open). */
static __attribute__((unused)) struct mld_store *
mld_test_store_fresh(const char *name)
{
    mld_test_store_path(name);
    return mld_test_store_open();
}

/* A new store at /tmp/mld-NAME-test-PID.db as a meldung of schema
 * `version` left it: the migrations up to that number applied and
 * user_version set, no rows. Returns the raw connection, for the test to
 * fill and close, or NULL (with a note) when the file cannot be made. */
static __attribute__((unused)) sqlite3 *
mld_test_store_schema(const char *name, int version)
{
    if (mld_test_pg() != NULL) {
        diag("an old SQLite schema: SQLite only");
        return NULL;
    }
    mld_test_store_path(name);
    sqlite3 *db;
    if (sqlite3_open(mld_test_dbpath, &db) != SQLITE_OK) {
        diag("open %s: %s", mld_test_dbpath, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    int n = (int)(sizeof(mld_migrations) / sizeof(mld_migrations[0]));
    for (int i = 0; i < n && mld_migrations[i].number <= version; i++)
        if (sqlite3_exec(db, mld_migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            diag("migration %s: %s", mld_migrations[i].name, sqlite3_errmsg(db));
    char *sql = sqlite3_mprintf("PRAGMA user_version = %d", version);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return db;
}

/* Runs sql on db (a store from mld_test_store_schema), closes it and
 * opens the store, which applies the missing migrations; NULL (with a
 * failed check) when it does not open. */
static __attribute__((unused)) struct mld_store *
mld_test_store_upgrade(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        diag("old schema insert: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    struct mld_store *st;
    struct mld_err err = {0};
    if (!ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "the old store opens: %s", err.msg))
        return NULL;
    return st;
}

/* Puts a into st and frees it; returns the article's id (0 and a note on
 * failure). */
static __attribute__((unused)) int64_t
mld_test_put(struct mld_store *st, struct mld_article *a)
{
    int64_t id = 0;
    struct mld_err err = {0};
    enum mld_put_result r;
    if (mld_store_put(st, a, &r, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_article_free(a);
    return id;
}

/* Opens a second connection to the test's store, through the statement
 * interface (src/store/sql.h): what another process sees, on SQLite's
 * file or on the PostgreSQL database. A store that does not open ends
 * the test (exit 1). mld_test_sql_close() closes it. */
static __attribute__((unused)) void
mld_test_sql_open(struct sql_db *db)
{
    *db = (struct sql_db){0};
    if (mld_test_pg() != NULL) {
        struct mld_err err = {0};
        db->pg = mld_calloc(1, sizeof(*db->pg));
        if (pg_connect(db->pg, mld_test_dbpath, false, &err) == 0)
            return;
        diag("open %s: %s", mld_test_dbpath, err.msg);
    } else if (sqlite3_open(mld_test_dbpath, &db->lite) == SQLITE_OK) {
        return;
    } else {
        diag("open %s: %s", mld_test_dbpath, sqlite3_errmsg(db->lite));
    }
    exit(1);
}

static __attribute__((unused)) void
mld_test_sql_close(struct sql_db *db)
{
    if (db->pg != NULL) {
        pg_disconnect(db->pg);
        mld_free(db->pg);
    }
    sqlite3_close(db->lite);
    *db = (struct sql_db){0};
}

/* True when this tree has no PostgreSQL migration number n
 * (src/store/pg/NNNN_*.sql): a test on PostgreSQL skips what needs its
 * tables until it comes. */
static __attribute__((unused)) bool
mld_test_pg_lacks(int n)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), "src/store/pg/%04d_*.sql", n);
    glob_t g;
    bool lacks = glob(pattern, 0, NULL, &g) == GLOB_NOMATCH;
    globfree(&g);
    return lacks;
}

/* On PostgreSQL a store opens once the migrations of the stories (0003)
 * and the search index (0004) are here, as the backend reads their
 * tables from the start: until then a test of a whole store is skipped
 * there (ends here, with its plan). */
static __attribute__((unused)) void
mld_test_pg_store_ready(void)
{
    if (mld_test_pg() != NULL && (mld_test_pg_lacks(3) || mld_test_pg_lacks(4))) {
        printf("1..0 # SKIP a store on PostgreSQL needs its migrations 0003 and 0004\n");
        exit(0);
    }
}

/* Reports check what as skipped, for the reason why. */
static __attribute__((unused)) void
mld_test_skip(const char *what, const char *why)
{
    ok(true, "%s # SKIP %s", what, why);
}

#endif
