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
 * Include it after the .c under test, like test.h, which it includes. The
 * schema migrations come from the generated migrations.h; the test of
 * src/store/sqlite.c has them from the file under test already and
 * defines MLD_TEST_HAVE_MIGRATIONS before including this header. Every
 * function is static and marked unused.
 */
#ifndef MLD_STORE_TEST_H
#define MLD_STORE_TEST_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/base/err.h"
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
static char mld_test_dbpath[256];

/* Removes the store at mld_test_dbpath with its WAL and shared-memory
 * files. */
static __attribute__((unused)) void
mld_test_store_remove(void)
{
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
 * there. */
static __attribute__((unused)) void
mld_test_store_path(const char *name)
{
    snprintf(mld_test_dbpath, sizeof(mld_test_dbpath), "/tmp/mld-%s-test-%d.db", name,
             (int)getpid());
    mld_test_store_remove();
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

#endif
