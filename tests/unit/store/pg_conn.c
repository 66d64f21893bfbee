/*
 * tests/unit/store/pg_conn.c - the PostgreSQL backend's connection layer
 * against a real server: a throwaway cluster (tests/harness/pgtmp.sh,
 * initdb in a temp folder, Unix socket only), migrated once by six
 * processes starting at the same moment, transactions, errors with their
 * SQLSTATE, and no password in any message. Skips when no PostgreSQL
 * server is installed (scripts/deps.sh installs one).
 */
#include "../../../src/store/pg_conn.c"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "pg_test.h"

static void
test_where(void)
{
    char w[256];
    pg_where("postgres://ed:geheim@db.example:5433/news", w, sizeof(w));
    is_str(w, "host=db.example port=5433 dbname=news user=ed", "the URL without its password");
    pg_where("postgresql:///news?host=/run/pg&password=geheim", w, sizeof(w));
    is_str(w, "host=/run/pg dbname=news", "a socket URL, password parameter left out");
    pg_where("postgres://[::1", w, sizeof(w));
    is_str(w, "(unparsable URL)", "an unparsable URL says so");
    ok(pg_is_url("postgres://x") && pg_is_url("postgresql:///x") && !pg_is_url("store.db") &&
           !pg_is_url("postgres:/x"),
       "what counts as a PostgreSQL URL");
}

static void
test_refused(void)
{
    struct pg p;
    struct mld_err err = {0};
    int rc = pg_connect(&p, "postgresql://ed:geheim@/news?host=/nonexistent&connect_timeout=2", false,
                        &err);
    is_int(rc, MLD_E_STORE, "no server: an error");
    ok(strstr(err.msg, "host=/nonexistent dbname=news user=ed: cannot connect: ") == err.msg,
       "naming the database: %s", err.msg);
    ok(strstr(err.msg, "geheim") == NULL, "and not the password");
    ok(p.conn == NULL && p.where == NULL, "with nothing left to close");
}

/* Six processes open the new database at the same moment. */
static void
test_concurrent_first_open(const char *url)
{
    pid_t kids[6];
    for (int i = 0; i < 6; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            struct pg p;
            struct mld_err err = {0};
            int rc = pg_connect(&p, url, false, &err);
            if (rc != 0)
                fprintf(stderr, "# child %d: %s\n", i, err.msg);
            pg_disconnect(&p);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    int failed = 0;
    for (int i = 0; i < 6; i++) {
        int st;
        waitpid(kids[i], &st, 0);
        failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    is_int(failed, 0, "six processes opening a new database at once: none fails");
}

static void
test_server(const char *url)
{
    struct pg p;
    struct mld_err err = {0};
    test_concurrent_first_open(url);
    if (pg_connect(&p, url, false, &err) != 0) {
        ok(false, "connect: %s", err.msg);
        return;
    }
    int v = -1;
    ok(schema_version(&p, &v, &err) == 0 && v == pg_schema_newest(), "migrated to %d once",
       pg_schema_newest());

    /* Transactions. */
    const char *params[] = {"feed-a"};
    const char *insert = "INSERT INTO source (name) VALUES ($1)";
    const char *count = "SELECT count(*) FROM source WHERE name = $1";
    ok(pg_begin(&p, &err) == 0, "begin");
    PGresult *r = pg_exec(&p, insert, 1, params, "insert", &err);
    ok(r != NULL, "insert in a transaction");
    PQclear(r);
    pg_rollback(&p);
    r = pg_exec(&p, count, 1, params, "count", &err);
    is_int(r != NULL ? (int)pg_int(r, 0, 0) : -1, 0, "rolled back: not there");
    PQclear(r);
    ok(pg_begin(&p, &err) == 0 && (r = pg_exec(&p, insert, 1, params, "insert", &err)) != NULL,
       "insert again");
    PQclear(r);
    is_int(pg_begin(&p, &err), MLD_E_STORE, "a second begin is refused");
    ok(pg_commit(&p, &err) == 0, "commit");
    r = pg_exec(&p, count, 1, params, "count", &err);
    is_int(r != NULL ? (int)pg_int(r, 0, 0) : -1, 1, "committed: there");
    PQclear(r);

    /* Errors carry their SQLSTATE; parameters are never SQL. */
    mld_err_clear(&err);
    ok(pg_exec(&p, insert, 1, params, "add source", &err) == NULL, "a duplicate key fails");
    ok(strstr(err.msg, ": add source: ") != NULL && strstr(err.msg, "(SQLSTATE 23505)") != NULL,
       "with what and the SQLSTATE: %s", err.msg);
    const char *evil[] = {"x'); DROP TABLE source; --"};
    r = pg_exec(&p, insert, 1, evil, "insert", &err);
    PQclear(r);
    r = pg_exec(&p, "SELECT count(*) FROM source", 0, NULL, "count", &err);
    is_int(r != NULL ? (int)pg_int(r, 0, 0) : -1, 2, "a quote in a parameter is data");
    PQclear(r);
    char *t = NULL;
    r = pg_exec(&p, "SELECT NULL::text, 'ä'::text", 0, NULL, "texts", &err);
    ok(r != NULL && pg_text(r, 0, 0) == NULL && strcmp(t = pg_text(r, 0, 1), "ä") == 0,
       "NULL and UTF-8 text");
    mld_free(t);
    PQclear(r);

    /* A database newer than this build is refused, naming both versions. */
    ok(pg_run(&p, "UPDATE meta SET value = '9999' WHERE key = 'schema'", "set", &err) == 0,
       "pretend a newer meldung migrated it");
    pg_disconnect(&p);
    mld_err_clear(&err);
    is_int(pg_connect(&p, url, false, &err), MLD_E_STORE, "then this one refuses it");
    ok(strstr(err.msg, "schema version 9999 is newer than this meldung knows") != NULL, "%s",
       err.msg);
    mld_err_clear(&err);
    is_int(pg_connect(&p, url, true, &err), MLD_E_STORE, "... and so does a reader");

    /* A reader never migrates: an older schema is refused, naming both. */
    PGconn *c = PQconnectdb(url);
    PQclear(PQexec(c, "UPDATE meta SET value = '1' WHERE key = 'schema'"));
    PQfinish(c);
    mld_err_clear(&err);
    is_int(pg_connect(&p, url, true, &err), MLD_E_STORE, "a reader refuses an older schema");
    char want[64];
    snprintf(want, sizeof(want), "schema version 1, this meldung knows %d", pg_schema_newest());
    ok(strstr(err.msg, want) != NULL, "%s", err.msg);
}

/* A reader on an empty database says so and creates nothing. */
static void
test_empty_reader(const char *url)
{
    struct pg p;
    struct mld_err err = {0};
    is_int(pg_connect(&p, url, true, &err), MLD_E_STORE, "a reader on an empty database: an error");
    ok(strstr(err.msg, "no meldung store in this database yet") != NULL, "%s", err.msg);
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQexec(c, "SELECT to_regclass('meta') IS NULL");
    ok(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0,
       "... and leaves it empty");
    PQclear(r);
    PQfinish(c);
}

int
main(void)
{
    test_where();
    test_refused();
    char url[256];
    if (mld_test_pg_start(url, sizeof(url))) {
        test_empty_reader(url);
        test_server(url);
    }
    else
        ok(false, "start a throwaway PostgreSQL cluster (tests/harness/pgtmp.sh)");
    return mld_test_done();
}
