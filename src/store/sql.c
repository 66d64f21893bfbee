/*
 * sql.c - the statement interface of sql.h: SQLite's side is mostly
 * sqlite3's own calls (inlined in sql.h); PostgreSQL's is written here
 * over libpq.
 *
 * A PostgreSQL statement is prepared on the server under a name of its
 * own and run by PQexecPrepared() (a writer's with an array parameter by
 * PQexecParams(), planned at each run: sql.h) at its first step, with every
 * parameter as text (a BLOB's in binary) and every result column as text;
 * the whole result is fetched at once (the store's queries are bounded),
 * so statements may be stepped inside one another as on SQLite.
 */
#include "sql.h"

#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "pg_int.h"

/* libpq's type OIDs (server/catalog/pg_type.h, stable since 7.x). */
enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
    OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700
};

struct pg_param {
    char *text;   /* the value as text, or a BLOB's bytes (owned); NULL: SQL NULL */
    int len;      /* a BLOB's length */
    bool binary;  /* sent in binary format (a BLOB) */
};

struct pg_blob {
    unsigned char *p; /* decoded bytea of the current row, NUL-terminated */
    size_t len;
};

struct sql_pgstmt {
    struct pg *pg;
    char name[24];
    char *text;              /* the SQL as PostgreSQL's, to prepare again */
    unsigned gen;            /* the connection's generation it was prepared in */
    bool each_run;           /* planned for its values at each run (sql.h) */
    int nparams;
    struct pg_param *params; /* [nparams], index 0 for ?1 */
    const char **vals;       /* [nparams]: what PQexecPrepared() is given */
    int *lens, *fmts;
    PGresult *res;           /* after the first step */
    int row, nrows;          /* the row read: row - 1 */
    struct pg_blob *blobs;   /* [columns], decoded for the current row */
    int nblobs;
};

/* ---- SQLite and PostgreSQL: the connection ---- */

const char *
sql_errmsg(struct sql_db *db)
{
    return db->pg != NULL ? db->pg->last : sqlite3_errmsg(db->lite);
}

int64_t
sql_changes(struct sql_db *db)
{
    return db->pg != NULL ? db->pg->changes : sqlite3_changes64(db->lite);
}

bool
sql_in_txn(struct sql_db *db)
{
    if (db->pg != NULL)
        return PQtransactionStatus(db->pg->conn) != PQTRANS_IDLE;
    return !sqlite3_get_autocommit(db->lite);
}

bool
sql_txn_usable(struct sql_db *db)
{
    if (db->pg != NULL)
        return PQtransactionStatus(db->pg->conn) == PQTRANS_INTRANS;
    return !sqlite3_get_autocommit(db->lite);
}

/* Keeps r's error (or the connection's) as the connection's last message
 * and returns the SQLite code closest to it. */
static int
pg_fail(struct pg *p, const PGresult *r)
{
    pg_reason(p, r, p->last, sizeof(p->last));
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL)
        return SQLITE_ERROR;
    if (strcmp(state, "53100") == 0)
        return SQLITE_FULL;
    if (strncmp(state, "23", 2) == 0)
        return SQLITE_CONSTRAINT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return SQLITE_BUSY;
    return SQLITE_ERROR;
}

/* Before a statement on p: a connection that broke is made again
 * (pg_revive). A transaction lost with it is not carried on outside a
 * transaction: every statement fails until the caller rolls it back
 * (its "ROLLBACK", sql then, succeeds without the server; "ROLLBACK TO"
 * a savepoint does too, and the transaction stays lost). Returns
 * SQLITE_OK to go on, SQLITE_DONE for a ROLLBACK so answered, or an
 * error with the reason in p->last. */
static int
ready(struct pg *p, const char *sql)
{
    if (!pg_revive(p))
        return SQLITE_IOERR;
    if (!p->lost_txn)
        return SQLITE_OK;
    if (sql != NULL && strncmp(sql, "ROLLBACK", 8) == 0) {
        if (strncmp(sql, "ROLLBACK TO", 11) != 0)
            p->lost_txn = false;
        return SQLITE_DONE;
    }
    snprintf(p->last, sizeof(p->last),
             "the connection was lost in a transaction, which must be rolled back");
    return SQLITE_ERROR;
}

/* ---- PostgreSQL: statements ---- */

/* SQLite's SQL as PostgreSQL's (sql.h): ?N to $N, a bare ? to the next
 * $N, index hints dropped; quoted text kept as it is. Sets *nparams to
 * the largest parameter number. */
static char *
translate(const char *sql, int *nparams)
{
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    int next = 0, most = 0;
    for (const char *c = sql; *c != '\0';) {
        if (*c == '\'' || *c == '"') {
            const char *end = strchr(c + 1, *c);
            size_t n = end != NULL ? (size_t)(end - c) + 1 : strlen(c);
            mld_buf_append(&b, c, n);
            c += n;
        } else if (*c == '?') {
            c++;
            int k = 0;
            if (isdigit((unsigned char)*c)) {
                while (isdigit((unsigned char)*c))
                    k = k * 10 + (*c++ - '0');
            } else {
                k = ++next;
            }
            if (k > most)
                most = k;
            mld_buf_printf(&b, "$%d", k);
        } else if (strncmp(c, "INDEXED BY ", 11) == 0 &&
                   (c == sql || !isalnum((unsigned char)c[-1]))) {
            c += 11;
            while (isalnum((unsigned char)*c) || *c == '_')
                c++;
        } else if (strncmp(c, "NOT INDEXED", 11) == 0 && !isalnum((unsigned char)c[11])) {
            c += 11;
        } else {
            mld_buf_putc(&b, *c++);
        }
    }
    *nparams = most;
    return mld_buf_steal(&b, NULL);
}

/* Prepares st on the server, in the connection's generation. */
static int
prepare(struct sql_pgstmt *st)
{
    PGresult *r = PQprepare(st->pg->conn, st->name, st->text, 0, NULL);
    int rc = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK ? SQLITE_OK : pg_fail(st->pg, r);
    PQclear(r);
    st->gen = st->pg->gen;
    return rc;
}

/* Runs st (prepared, its parameters in vals, lens and fmts), or else sql,
 * on p. A connection that broke is seen when it is used: then it is made
 * again (ready(), which refuses when that lost a transaction, and
 * answers a ROLLBACK of it itself), st prepared again in it, and the
 * statement run once more. Returns the result, its changes and the
 * transaction's state noted; or NULL with *rc: the error (its reason in
 * p->last), or SQLITE_DONE for a ROLLBACK so answered. */
static PGresult *
run(struct pg *p, struct sql_pgstmt *st, const char *sql, int *rc)
{
    PGresult *r = NULL;
    for (int tries = 0; tries < 2; tries++) {
        PQclear(r);
        *rc = ready(p, sql);
        if (*rc == SQLITE_OK && st != NULL && st->gen != p->gen)
            *rc = prepare(st); /* made in a connection that broke since */
        if (*rc != SQLITE_OK)
            return NULL;
        if (st == NULL)
            r = PQexec(p->conn, sql);
        else if (st->each_run)
            r = PQexecParams(p->conn, st->text, st->nparams, NULL, st->vals, st->lens, st->fmts,
                             0);
        else
            r = PQexecPrepared(p->conn, st->name, st->nparams, st->vals, st->lens, st->fmts, 0);
        ExecStatusType s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        bool alive = PQstatus(p->conn) == CONNECTION_OK;
        if (alive)
            p->last_status = PQtransactionStatus(p->conn);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            if (PQcmdTuples(r)[0] != '\0')
                p->changes = strtoll(PQcmdTuples(r), NULL, 10);
            return r;
        }
        if (alive)
            break; /* an error of the statement, not of the connection */
    }
    *rc = pg_fail(p, r);
    PQclear(r);
    return NULL;
}

int
sql_exec(struct sql_db *db, const char *sql)
{
    if (db->pg == NULL)
        return sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
    int rc;
    PGresult *r = run(db->pg, NULL, sql, &rc);
    if (r == NULL)
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    PQclear(r);
    return SQLITE_OK;
}

int
sql_prepare(struct sql_db *db, const char *sql, bool kept, struct sql_stmt **out)
{
    *out = NULL;
    if (db->pg == NULL) {
        sqlite3_stmt *lite = NULL;
        int rc = sqlite3_prepare_v3(db->lite, sql, -1, kept ? SQLITE_PREPARE_PERSISTENT : 0,
                                    &lite, NULL);
        if (rc != SQLITE_OK)
            return rc;
        struct sql_stmt *st = mld_calloc(1, sizeof(*st));
        st->lite = lite;
        *out = st;
        return SQLITE_OK;
    }
    struct pg *p = db->pg;
    struct sql_pgstmt *ps = mld_calloc(1, sizeof(*ps));
    ps->pg = p;
    snprintf(ps->name, sizeof(ps->name), "m%u", ++p->nstmt);
    ps->text = translate(sql, &ps->nparams);
    ps->each_run = !p->reader && strstr(ps->text, "[])") != NULL;
    int rc = ready(p, NULL);
    if (rc == SQLITE_OK)
        rc = prepare(ps);
    if (rc != SQLITE_OK) {
        mld_free(ps->text);
        mld_free(ps);
        return rc;
    }
    if (ps->nparams > 0) {
        ps->params = mld_calloc((size_t)ps->nparams, sizeof(*ps->params));
        ps->vals = mld_calloc((size_t)ps->nparams, sizeof(*ps->vals));
        ps->lens = mld_calloc((size_t)ps->nparams, sizeof(*ps->lens));
        ps->fmts = mld_calloc((size_t)ps->nparams, sizeof(*ps->fmts));
    }
    struct sql_stmt *st = mld_calloc(1, sizeof(*st));
    st->pg = ps;
    *out = st;
    return SQLITE_OK;
}

static void
drop_blobs(struct sql_pgstmt *st)
{
    for (int i = 0; i < st->nblobs; i++) {
        mld_free(st->blobs[i].p);
        st->blobs[i].p = NULL;
    }
}

void
sql_pg_reset(struct sql_pgstmt *st)
{
    drop_blobs(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = 0;
}

void
sql_pg_clear(struct sql_pgstmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        mld_free(st->params[i].text);
        st->params[i] = (struct pg_param){0};
    }
}

void
sql_finalize(struct sql_stmt *st)
{
    if (st == NULL)
        return;
    if (st->lite != NULL)
        sqlite3_finalize(st->lite);
    if (st->pg != NULL) {
        struct sql_pgstmt *ps = st->pg;
        sql_pg_reset(ps);
        sql_pg_clear(ps);
        if (ps->pg->conn != NULL && ps->gen == ps->pg->gen &&
            PQstatus(ps->pg->conn) == CONNECTION_OK) {
            char sql[48];
            snprintf(sql, sizeof(sql), "DEALLOCATE %s", ps->name);
            PQclear(PQexec(ps->pg->conn, sql));
        }
        mld_free(ps->text);
        mld_free(ps->params);
        mld_free(ps->vals);
        mld_free(ps->lens);
        mld_free(ps->fmts);
        mld_free(ps->blobs);
        mld_free(ps);
    }
    mld_free(st);
}

void
sql_pg_bind(struct sql_pgstmt *st, int i, int type, int64_t n, double d, const void *v, int len)
{
    if (i < 1 || i > st->nparams)
        return; /* as SQLite: SQLITE_RANGE, which the store never checks */
    struct pg_param *pp = &st->params[i - 1];
    mld_free(pp->text);
    *pp = (struct pg_param){0};
    char num[32];
    switch (type) {
    case SQL_INTEGER:
        snprintf(num, sizeof(num), "%" PRId64, n);
        pp->text = mld_strdup(num);
        break;
    case SQL_FLOAT:
        snprintf(num, sizeof(num), "%.17g", d);
        pp->text = mld_strdup(num);
        break;
    case SQL_TEXT:
        if (v != NULL)
            pp->text = len < 0 ? mld_strdup(v) : mld_strndup(v, (size_t)len);
        break;
    case SQL_BLOB:
        if (v != NULL) {
            pp->text = mld_malloc(len > 0 ? (size_t)len : 1);
            memcpy(pp->text, v, (size_t)len);
            pp->len = len;
            pp->binary = true;
        }
        break;
    default:
        break;
    }
}

int
sql_pg_step(struct sql_pgstmt *st)
{
    if (st->res == NULL) {
        for (int i = 0; i < st->nparams; i++) {
            st->vals[i] = st->params[i].text;
            st->lens[i] = st->params[i].len;
            st->fmts[i] = st->params[i].binary;
        }
        int rc;
        PGresult *r = run(st->pg, st, NULL, &rc);
        if (r == NULL)
            return rc;
        st->res = r;
        st->nrows = PQntuples(r);
        st->row = 0;
        int ncols = PQnfields(r);
        if (ncols > st->nblobs) {
            st->blobs = mld_realloc(st->blobs, (size_t)ncols * sizeof(*st->blobs));
            memset(st->blobs + st->nblobs, 0, (size_t)(ncols - st->nblobs) * sizeof(*st->blobs));
            st->nblobs = ncols;
        }
    }
    drop_blobs(st);
    if (st->row >= st->nrows) {
        st->row = st->nrows + 1; /* past the last: not busy */
        return SQLITE_DONE;
    }
    st->row++;
    return SQLITE_ROW;
}

bool
sql_pg_busy(struct sql_pgstmt *st)
{
    return st->res != NULL && st->row > 0 && st->row <= st->nrows;
}

/* True when column i of the current row can be read. */
static bool
has(struct sql_pgstmt *st, int i)
{
    return sql_pg_busy(st) && i >= 0 && i < PQnfields(st->res);
}

int
sql_pg_type(struct sql_pgstmt *st, int i)
{
    if (!has(st, i) || PQgetisnull(st->res, st->row - 1, i))
        return SQL_NULL;
    switch (PQftype(st->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return SQL_INTEGER;
    case OID_NUMERIC:
        return strchr(PQgetvalue(st->res, st->row - 1, i), '.') != NULL ? SQL_FLOAT
                                                                         : SQL_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return SQL_FLOAT;
    case OID_BYTEA:
        return SQL_BLOB;
    default:
        return SQL_TEXT;
    }
}

int64_t
sql_pg_int64(struct sql_pgstmt *st, int i)
{
    int type = sql_pg_type(st, i);
    if (type == SQL_NULL)
        return 0;
    const char *v = PQgetvalue(st->res, st->row - 1, i);
    if (PQftype(st->res, i) == OID_BOOL)
        return v[0] == 't';
    if (type == SQL_FLOAT || type == SQL_TEXT)
        return (int64_t)strtod(v, NULL);
    return (int64_t)strtoll(v, NULL, 10);
}

double
sql_pg_double(struct sql_pgstmt *st, int i)
{
    if (sql_pg_type(st, i) == SQL_NULL)
        return 0;
    return strtod(PQgetvalue(st->res, st->row - 1, i), NULL);
}

const void *
sql_pg_bytes(struct sql_pgstmt *st, int i, int *len)
{
    if (len != NULL)
        *len = 0;
    if (sql_pg_type(st, i) == SQL_NULL)
        return NULL;
    if (PQftype(st->res, i) != OID_BYTEA) {
        if (len != NULL)
            *len = PQgetlength(st->res, st->row - 1, i);
        return PQgetvalue(st->res, st->row - 1, i);
    }
    struct pg_blob *b = &st->blobs[i];
    if (b->p == NULL) {
        unsigned char *raw =
            PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row - 1, i), &b->len);
        if (raw == NULL)
            return NULL;
        /* NUL-terminated, as SQLite's are, so it may be read as text */
        b->p = mld_malloc(b->len + 1);
        memcpy(b->p, raw, b->len);
        b->p[b->len] = 0;
        PQfreemem(raw);
    }
    if (len != NULL)
        *len = (int)b->len;
    return b->p;
}

int
sql_pg_count(struct sql_pgstmt *st)
{
    return st->res != NULL ? PQnfields(st->res) : 0;
}

int
sql_pg_nparams(struct sql_pgstmt *st)
{
    return st->nparams;
}

const char *
sql_pg_name(struct sql_pgstmt *st, int i)
{
    return st->res != NULL && i >= 0 && i < PQnfields(st->res) ? PQfname(st->res, i) : "?";
}
