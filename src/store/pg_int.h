/*
 * pg_int.h - what the PostgreSQL backend's files share: one connection
 * through libpq, its errors, its transactions and its schema.
 *
 * Every statement goes through pg_exec() with its parameters as text
 * (libpq's PQexecParams), never spliced into the SQL. Messages name the
 * database as pg_where() writes it: host, port, database and user, never
 * the password (which may come from the URL, PGPASSWORD or ~/.pgpass, as
 * libpq reads them).
 */
#ifndef MLD_PG_INT_H
#define MLD_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"

struct pg {
    PGconn *conn;
    char *where;  /* "host=... dbname=... user=...", for messages */
    int in_txn;   /* 0 none, 1 BEGIN */
    bool full;    /* the last error was for lack of space (SQLSTATE 53100) */
    /* sql.c's: the last statement's error, the rows it changed, and the
     * count of statements prepared (their names) */
    char last[512];
    int64_t changes;
    unsigned nstmt;
    /* Reconnecting (pg_revive): the connection's generation (statements
     * prepared in an older one are prepared again), whether it is a
     * reader's (read-only sessions), the transaction state after the
     * last statement, and whether a transaction was lost with the old
     * connection (every statement fails until the caller's ROLLBACK). */
    unsigned gen;
    bool reader;
    int last_status;
    bool lost_txn;
};

/* True when url names a PostgreSQL database ("postgres://",
 * "postgresql://"). */
bool pg_is_url(const char *url);

/* Writes what url connects to, without its password, to out (size
 * bytes): "host=/run/pg dbname=news user=meldung". An unparsable url
 * gives "(unparsable URL)". */
void pg_where(const char *url, char *out, size_t size);

/* Connects p to url with the session's settings (pg_session); a reader's
 * transactions only read. Returns 0, or MLD_E_STORE with err naming the
 * database (pg_where) and libpq's reason. On failure p holds nothing to
 * close. */
int pg_open(struct pg *p, const char *url, bool reader, struct mld_err *err);

/* pg_open(), then brings the schema up to date (pg_migrate; a reader only
 * checks it). The same returns. */
int pg_connect(struct pg *p, const char *url, bool reader, struct mld_err *err);

/* Applies the session's settings: quiet NOTICEs ("relation exists,
 * skipping") stay out of the log; UTC and UTF-8 whatever the server's
 * defaults; with p->reader, transactions that read only. pg_connect()
 * and pg_revive() apply them. Returns 0 or MLD_E_STORE. */
int pg_session(struct pg *p, struct mld_err *err);

/* Makes p's connection usable again after it broke (a server restart, a
 * failover, a network cut): PQreset, then the session's settings again.
 * Returns true when the connection is good. */
bool pg_revive(struct pg *p);

/* Closes p's connection (a transaction still open is rolled back by the
 * server). */
void pg_disconnect(struct pg *p);

/* Runs sql with n text parameters (a NULL one is SQL NULL). Returns the
 * result (PQclear it) with status COMMAND_OK or TUPLES_OK, or NULL with
 * err set as pg_error() does; what names the statement in the message. */
PGresult *pg_exec(struct pg *p, const char *sql, int n, const char *const *params,
                  const char *what, struct mld_err *err);

/* Runs sql (one or more statements, no parameters, no rows wanted).
 * Returns 0 or MLD_E_STORE. */
int pg_run(struct pg *p, const char *sql, const char *what, struct mld_err *err);

/* Writes r's (or the connection's) error to out as "reason (SQLSTATE
 * xxxxx)", noting lack of space in p->full. */
void pg_reason(struct pg *p, const PGresult *r, char *out, size_t size);

/* Records r's (or the connection's) error in err as "where: what: reason
 * (SQLSTATE xxxxx)", notes lack of space in p->full, and returns
 * MLD_E_STORE. */
int pg_error(struct pg *p, const PGresult *r, const char *what, struct mld_err *err);

/* Transactions: BEGIN, COMMIT, ROLLBACK. */
int pg_begin(struct pg *p, struct mld_err *err);
int pg_commit(struct pg *p, struct mld_err *err);
void pg_rollback(struct pg *p);

/* The newest schema version this build knows (src/store/pg/NNNN_*.sql). */
int pg_schema_newest(void);

/* Applies the migrations newer than the database's, in one transaction
 * under an advisory lock, so nodes starting at once migrate it once.
 * Refuses a database newer than this build. A reader, and any connection
 * to a hot standby (which follows its primary's schema), only check that
 * the schema is this build's. */
int pg_migrate(struct pg *p, struct mld_err *err);

/* Column c of row i as int64 (0 for NULL), or as a new string (NULL for
 * NULL; mld_free). */
int64_t pg_int(const PGresult *r, int i, int c);
char *pg_text(const PGresult *r, int i, int c);

#endif
