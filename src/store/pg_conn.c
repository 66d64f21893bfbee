/*
 * pg_conn.c - the PostgreSQL backend's connection, errors, transactions
 * and schema migrations (pg_int.h).
 */
#include "pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"

struct mld_migration {
    int number; /* NNNN of the file name */
    const char *name;
    const char *sql;
};
#include "pg_migrations.h"

/* The advisory lock key that serialises migrations across nodes: "mldg". */
#define MIGRATE_LOCK "1835820135"

bool
pg_is_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

void
pg_where(const char *url, char *out, size_t size)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (opts == NULL) {
        snprintf(out, size, "(unparsable URL)");
        PQfreemem(msg);
        return;
    }
    static const char *const shown[] = {"host", "hostaddr", "port", "dbname", "user"};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(shown) / sizeof(*shown); i++)
        for (const PQconninfoOption *o = opts; o->keyword != NULL; o++)
            if (strcmp(o->keyword, shown[i]) == 0 && o->val != NULL && o->val[0] != '\0' &&
                len < size)
                len += (size_t)snprintf(out + len, size - len, "%s%s=%s", len ? " " : "",
                                        o->keyword, o->val);
    if (out[0] == '\0')
        snprintf(out, size, "(libpq defaults)");
    PQconninfoFree(opts);
}

/* libpq's message on one line: its lines joined by "; ", the tabs and
 * trailing newline dropped (log lines are one line each). */
static void
one_line(const char *msg, char *out, size_t size)
{
    if (msg == NULL || msg[0] == '\0')
        msg = "unknown error";
    size_t n = 0;
    for (const char *c = msg; *c != '\0' && n + 3 < size; c++) {
        if (*c == '\t')
            continue;
        if (*c == '\n') {
            if (c[1] != '\0')
                out[n++] = ';', out[n++] = ' ';
            continue;
        }
        out[n++] = *c;
    }
    out[n] = '\0';
}

void
pg_reason(struct pg *p, const PGresult *r, char *out, size_t size)
{
    char why[512];
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    one_line(primary != NULL ? primary : PQerrorMessage(p->conn), why, sizeof(why));
    if (state != NULL && strcmp(state, "53100") == 0) /* disk_full */
        p->full = true;
    if (state != NULL)
        snprintf(out, size, "%s (SQLSTATE %s)", why, state);
    else
        snprintf(out, size, "%s", why);
}

int
pg_error(struct pg *p, const PGresult *r, const char *what, struct mld_err *err)
{
    char why[600];
    pg_reason(p, r, why, sizeof(why));
    return mld_err_set(err, MLD_E_STORE, "%s: %s: %s", p->where, what, why);
}

PGresult *
pg_exec(struct pg *p, const char *sql, int n, const char *const *params, const char *what,
        struct mld_err *err)
{
    PGresult *r = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    pg_error(p, r, what, err);
    PQclear(r);
    return NULL;
}

int
pg_run(struct pg *p, const char *sql, const char *what, struct mld_err *err)
{
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_error(p, r, what, err);
    PQclear(r);
    return rc;
}

int
pg_begin(struct pg *p, struct mld_err *err)
{
    if (p->in_txn)
        return mld_err_set(err, MLD_E_STORE, "%s: begin: a transaction is already open",
                           p->where);
    p->full = false;
    int rc = pg_run(p, "BEGIN", "begin", err);
    if (rc == 0)
        p->in_txn = 1;
    return rc;
}

int
pg_commit(struct pg *p, struct mld_err *err)
{
    if (!p->in_txn)
        return mld_err_set(err, MLD_E_STORE, "%s: commit: no transaction is open", p->where);
    int rc = pg_run(p, "COMMIT", "commit", err);
    p->in_txn = 0; /* a failed COMMIT ends the transaction too (rolled back) */
    return rc;
}

void
pg_rollback(struct pg *p)
{
    if (!p->in_txn)
        return;
    PQclear(PQexec(p->conn, "ROLLBACK"));
    p->in_txn = 0;
}

int64_t
pg_int(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? 0 : (int64_t)strtoll(PQgetvalue(r, i, c), NULL, 10);
}

char *
pg_text(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? NULL : mld_strdup(PQgetvalue(r, i, c));
}

int
pg_schema_newest(void)
{
    return pg_migrations[sizeof(pg_migrations) / sizeof(pg_migrations[0]) - 1].number;
}

/* The database's schema version (0 for an empty database). */
static int
schema_version(struct pg *p, int *out, struct mld_err *err)
{
    *out = 0;
    PGresult *r = pg_exec(p, "SELECT to_regclass('meta') IS NOT NULL", 0, NULL,
                          "read schema version", err);
    if (r == NULL)
        return MLD_E_STORE;
    bool have_meta = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!have_meta)
        return 0;
    r = pg_exec(p, "SELECT value FROM meta WHERE key = 'schema'", 0, NULL, "read schema version",
                err);
    if (r == NULL)
        return MLD_E_STORE;
    *out = PQntuples(r) == 1 ? (int)pg_int(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

/* Refuses a schema this build cannot use as it is, for a connection that
 * does not migrate: a reader, or any connection to a hot standby, which
 * follows its primary's schema. */
static int
schema_check(struct pg *p, bool standby, struct mld_err *err)
{
    int have = 0;
    int newest = pg_schema_newest();
    int rc = schema_version(p, &have, err);
    if (rc != 0 || have == newest)
        return rc;
    const char *fix = standby ? "; a hot standby follows its primary: open the primary with this "
                                "meldung first (any ingest or `meldung migrate` does)"
                              : "";
    if (have == 0)
        return mld_err_set(err, MLD_E_STORE, "%s: no meldung store in this database yet%s",
                           p->where, fix);
    return mld_err_set(err, MLD_E_STORE, "%s: schema version %d, this meldung knows %d%s",
                       p->where, have, newest, have > newest ? "" : fix);
}

int
pg_migrate(struct pg *p, struct mld_err *err)
{
    PGresult *r = pg_exec(p, "SELECT pg_is_in_recovery()", 0, NULL, "ask for recovery", err);
    if (r == NULL)
        return MLD_E_STORE;
    bool standby = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (standby || p->reader)
        return schema_check(p, standby, err);
    int n = (int)(sizeof(pg_migrations) / sizeof(pg_migrations[0]));
    int newest = pg_schema_newest();
    int have = 0;
    int rc = pg_begin(p, err);
    if (rc != 0)
        return rc;
    /* Held to the end of the transaction: a node starting at the same
     * moment waits here, then finds the schema up to date. */
    rc = pg_run(p, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", "lock for migration", err);
    if (rc == 0)
        rc = schema_version(p, &have, err);
    for (int i = 0; i < n && rc == 0; i++) {
        if (pg_migrations[i].number <= have)
            continue;
        rc = pg_run(p, pg_migrations[i].sql, pg_migrations[i].name, err);
        if (rc != 0) {
            mld_err_prefix(err, "migration %s", pg_migrations[i].name);
            break;
        }
        char v[16];
        snprintf(v, sizeof(v), "%d", pg_migrations[i].number);
        const char *params[] = {v};
        r = pg_exec(p,
                    "INSERT INTO meta (key, value) VALUES ('schema', $1) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    1, params, "record schema version", err);
        rc = r != NULL ? 0 : MLD_E_STORE;
        PQclear(r);
    }
    if (rc == 0 && have > newest)
        rc = mld_err_set(err, MLD_E_STORE,
                         "%s: schema version %d is newer than this meldung knows (%d)", p->where,
                         have, newest);
    if (rc == 0)
        return pg_commit(p, err);
    pg_rollback(p);
    return rc;
}

int
pg_session(struct pg *p, struct mld_err *err)
{
    return pg_run(p,
                  p->reader ? "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                              "SET client_encoding = 'UTF8'; "
                              "SET default_transaction_read_only = on"
                            : "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                              "SET client_encoding = 'UTF8'",
                  "set session", err);
}

bool
pg_revive(struct pg *p)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return true;
    PQreset(p->conn);
    struct mld_err err = {0};
    if (PQstatus(p->conn) != CONNECTION_OK || pg_session(p, &err) != 0) {
        char why[400];
        one_line(PQerrorMessage(p->conn), why, sizeof(why));
        snprintf(p->last, sizeof(p->last), "connection lost: %s", why);
        return false;
    }
    p->gen++;
    p->lost_txn = p->last_status != PQTRANS_IDLE;
    p->last_status = PQTRANS_IDLE;
    p->in_txn = 0;
    mld_log_warn("store: %s: connected again%s", p->where,
                 p->lost_txn ? "; the open transaction was lost" : "");
    return true;
}

int
pg_open(struct pg *p, const char *url, bool reader, struct mld_err *err)
{
    memset(p, 0, sizeof(*p));
    p->reader = reader;
    char where[256];
    pg_where(url, where, sizeof(where));
    p->where = mld_strdup(where);
    p->conn = PQconnectdb(url);
    if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
        char why[512];
        one_line(p->conn != NULL ? PQerrorMessage(p->conn) : "out of memory", why, sizeof(why));
        mld_err_set(err, MLD_E_STORE, "%s: cannot connect: %s", p->where, why);
        pg_disconnect(p);
        return MLD_E_STORE;
    }
    int rc = pg_session(p, err);
    if (rc != 0)
        pg_disconnect(p);
    return rc;
}

int
pg_connect(struct pg *p, const char *url, bool reader, struct mld_err *err)
{
    int rc = pg_open(p, url, reader, err);
    if (rc == 0 && (rc = pg_migrate(p, err)) != 0)
        pg_disconnect(p);
    return rc;
}

void
pg_disconnect(struct pg *p)
{
    if (p->conn != NULL)
        PQfinish(p->conn);
    mld_free(p->where);
    memset(p, 0, sizeof(*p));
}
