/*
 * sql.h - one statement interface over SQLite and PostgreSQL.
 *
 * The store's SQL is written once and run on either engine: the backend
 * files prepare, bind, step and read columns through these functions, and
 * only what truly differs (opening, the schema, full-text search, the
 * engines' own tuning) is written per engine. The calls follow SQLite's
 * (their names and return codes are SQLite's, with sql_ for sqlite3_):
 * on SQLite each is that call, inlined; on PostgreSQL a statement is a
 * libpq prepared statement, run at its first step with the parameters
 * bound so far, its rows then read one by one from the result.
 *
 * SQL given to sql_prepare() is SQLite's. On PostgreSQL it is rewritten
 * once, at prepare: parameters ?N become $N, a bare ? the next $N, and
 * SQLite's index hints ("INDEXED BY name", "NOT INDEXED") are dropped.
 * Everything else must be SQL both engines read the same way: INSERT ...
 * ON CONFLICT instead of INSERT OR IGNORE/REPLACE, times bound from C
 * instead of strftime('%s','now'), a CAST where PostgreSQL cannot infer a
 * parameter's type. A statement that cannot be written so is chosen by
 * sql_pg().
 *
 * On a connection that writes, a statement with an array parameter
 * (CAST(?N AS type[]): many rows' values in one statement) is planned for
 * its values at each run (PQexecParams, not the prepared statement): a
 * prepared statement's generic plan, once PostgreSQL keeps one, is
 * costed for the table sizes of that moment, and a table that starts
 * empty and fills during a long ingest kept a sequential scan for every
 * later run (story_sig, story_related: docs/internals/postgres.md).
 *
 * Parameters bound with sql_bind_text() must stay valid until the
 * statement's next reset (SQLite's SQLITE_STATIC), on both engines.
 * Column values are valid until the next step or reset.
 */
#ifndef MLD_SQL_H
#define MLD_SQL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg;
struct sql_pgstmt;

/* A connection: exactly one of lite and pg is set. */
struct sql_db {
    sqlite3 *lite;
    struct pg *pg;
};

/* A prepared statement. */
struct sql_stmt {
    sqlite3_stmt *lite;     /* SQLite's, or NULL */
    struct sql_pgstmt *pg;  /* PostgreSQL's, or NULL */
};

/* Column types, as sqlite3_column_type() names them. */
enum { SQL_INTEGER = SQLITE_INTEGER, SQL_FLOAT = SQLITE_FLOAT, SQL_TEXT = SQLITE_TEXT,
       SQL_BLOB = SQLITE_BLOB, SQL_NULL = SQLITE_NULL };

static inline bool
sql_pg(const struct sql_db *db)
{
    return db->pg != NULL;
}

/* Prepares sql into *out (sql_finalize() it); kept: for the
 * connection's life (SQLite's SQLITE_PREPARE_PERSISTENT). Returns
 * SQLITE_OK, or another code with the reason in sql_errmsg(). */
int sql_prepare(struct sql_db *db, const char *sql, bool kept, struct sql_stmt **out);
void sql_finalize(struct sql_stmt *st);

/* Runs sql, one or more statements without parameters or wanted rows.
 * Returns SQLITE_OK or another code (sql_errmsg() says why). */
int sql_exec(struct sql_db *db, const char *sql);

/* The last error's message; the rows the last INSERT, UPDATE or DELETE
 * changed; true inside a transaction. */
const char *sql_errmsg(struct sql_db *db);
int64_t sql_changes(struct sql_db *db);
bool sql_in_txn(struct sql_db *db);

/* True when a transaction is open and may go on: false also for one
 * that failed and can only be rolled back (PostgreSQL refuses every
 * statement after an error until then, and answers COMMIT with a
 * ROLLBACK that is no error; SQLite ends such a transaction itself). */
bool sql_txn_usable(struct sql_db *db);

/* PostgreSQL's side of the calls below (sql.c). */
int sql_pg_step(struct sql_pgstmt *st);
void sql_pg_reset(struct sql_pgstmt *st);
void sql_pg_clear(struct sql_pgstmt *st);
void sql_pg_bind(struct sql_pgstmt *st, int i, int type, int64_t n, double d, const void *p,
                 int len);
int sql_pg_type(struct sql_pgstmt *st, int i);
int64_t sql_pg_int64(struct sql_pgstmt *st, int i);
double sql_pg_double(struct sql_pgstmt *st, int i);
const void *sql_pg_bytes(struct sql_pgstmt *st, int i, int *len);
int sql_pg_count(struct sql_pgstmt *st);
int sql_pg_nparams(struct sql_pgstmt *st);
const char *sql_pg_name(struct sql_pgstmt *st, int i);
bool sql_pg_busy(struct sql_pgstmt *st);

/* Returns SQLITE_ROW (a row to read), SQLITE_DONE or an error code. */
static inline int
sql_step(struct sql_stmt *st)
{
    return st->pg != NULL ? sql_pg_step(st->pg) : sqlite3_step(st->lite);
}

static inline void
sql_reset(struct sql_stmt *st)
{
    if (st->pg != NULL)
        sql_pg_reset(st->pg);
    else
        sqlite3_reset(st->lite);
}

static inline void
sql_clear_bindings(struct sql_stmt *st)
{
    if (st->pg != NULL)
        sql_pg_clear(st->pg);
    else
        sqlite3_clear_bindings(st->lite);
}

/* True between a step that gave a row and the next reset. */
static inline bool
sql_busy(struct sql_stmt *st)
{
    return st->pg != NULL ? sql_pg_busy(st->pg) : sqlite3_stmt_busy(st->lite) != 0;
}

static inline void
sql_bind_int64(struct sql_stmt *st, int i, int64_t v)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_INTEGER, v, 0, NULL, 0);
    else
        sqlite3_bind_int64(st->lite, i, v);
}

static inline void
sql_bind_int(struct sql_stmt *st, int i, int v)
{
    sql_bind_int64(st, i, v);
}

static inline void
sql_bind_double(struct sql_stmt *st, int i, double v)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_FLOAT, 0, v, NULL, 0);
    else
        sqlite3_bind_double(st->lite, i, v);
}

static inline void
sql_bind_null(struct sql_stmt *st, int i)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_NULL, 0, 0, NULL, 0);
    else
        sqlite3_bind_null(st->lite, i);
}

/* Binds n bytes of v (n < 0: up to its NUL). */
static inline void
sql_bind_text(struct sql_stmt *st, int i, const char *v, int n)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_TEXT, 0, 0, v, n);
    else
        sqlite3_bind_text(st->lite, i, v, n, SQLITE_STATIC);
}

static inline void
sql_bind_blob(struct sql_stmt *st, int i, const void *v, int n)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_BLOB, 0, 0, v, n);
    else
        sqlite3_bind_blob(st->lite, i, v, n, SQLITE_STATIC);
}

/* As sql_bind_text() and sql_bind_blob(), but v may go away at once. */
static inline void
sql_bind_text_copy(struct sql_stmt *st, int i, const char *v, int n)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_TEXT, 0, 0, v, n);
    else
        sqlite3_bind_text(st->lite, i, v, n, SQLITE_TRANSIENT);
}

static inline void
sql_bind_blob_copy(struct sql_stmt *st, int i, const void *v, int n)
{
    if (st->pg != NULL)
        sql_pg_bind(st->pg, i, SQL_BLOB, 0, 0, v, n);
    else
        sqlite3_bind_blob(st->lite, i, v, n, SQLITE_TRANSIENT);
}

static inline int
sql_column_type(struct sql_stmt *st, int i)
{
    return st->pg != NULL ? sql_pg_type(st->pg, i) : sqlite3_column_type(st->lite, i);
}

static inline int64_t
sql_column_int64(struct sql_stmt *st, int i)
{
    return st->pg != NULL ? sql_pg_int64(st->pg, i) : sqlite3_column_int64(st->lite, i);
}

static inline int
sql_column_int(struct sql_stmt *st, int i)
{
    return (int)sql_column_int64(st, i);
}

static inline double
sql_column_double(struct sql_stmt *st, int i)
{
    return st->pg != NULL ? sql_pg_double(st->pg, i) : sqlite3_column_double(st->lite, i);
}

/* Column i's text (NUL-terminated; NULL for SQL NULL). */
static inline const char *
sql_column_text(struct sql_stmt *st, int i)
{
    if (st->pg != NULL)
        return (const char *)sql_pg_bytes(st->pg, i, NULL);
    return (const char *)sqlite3_column_text(st->lite, i);
}

/* Column i's bytes (a BLOB's, or a text's; sql_column_bytes() after it
 * gives their length). */
static inline const void *
sql_column_blob(struct sql_stmt *st, int i)
{
    if (st->pg != NULL)
        return sql_pg_bytes(st->pg, i, NULL);
    return sqlite3_column_blob(st->lite, i);
}

/* The length in bytes of column i as last read (text or blob). */
static inline int
sql_column_bytes(struct sql_stmt *st, int i)
{
    int len = 0;
    if (st->pg != NULL)
        sql_pg_bytes(st->pg, i, &len);
    else
        len = sqlite3_column_bytes(st->lite, i);
    return len;
}

/* The count of parameters of st (the largest ?N). */
static inline int
sql_bind_count(struct sql_stmt *st)
{
    return st->pg != NULL ? sql_pg_nparams(st->pg) : sqlite3_bind_parameter_count(st->lite);
}

/* Column i's name. */
static inline const char *
sql_column_name(struct sql_stmt *st, int i)
{
    return st->pg != NULL ? sql_pg_name(st->pg, i) : sqlite3_column_name(st->lite, i);
}

static inline int
sql_column_count(struct sql_stmt *st)
{
    return st->pg != NULL ? sql_pg_count(st->pg) : sqlite3_column_count(st->lite);
}

#endif
