/*
 * copy.c - copying a whole store to another (copy.h): SQLite to
 * PostgreSQL and back, through the statement interface both backends
 * share (sql.h), below the store's operations.
 */
#include "copy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "sqlite_int.h"
#include "store_int.h"

/* The tables copied, in an order that keeps every reference valid (an
 * article before its topics, an account before its sessions), each with
 * its primary key: the order it is copied in and resumed by. The other
 * tables are derived by the target itself: the tallies (triggers), the
 * search index and its vocabulary (filled as articles arrive), meta. */
static const struct table {
    const char *name;
    const char *key; /* its primary key's columns, ", " between them */
} tables[] = {
    {"account", "id"},
    {"session", "id_hash"},
    {"article", "id"},
    {"article_topic", "article_id, rank"},
    {"article_category", "article_id, code"},
    {"article_media", "article_id, rank"},
    {"version", "id"},
    {"entry_seen", "entry_id"},
    {"source", "name"},
    {"change", "seq"},
    {"story_sig", "article_id"},
    {"story_term", "term, published, article_id"},
    {"story_df", "term"},
    {"story_related", "article_id, related_id"},
    {"editorial", "article_id"},
    {"correction", "id"},
    {"pin", "slot"},
    {"audit", "id"},
    {"ed_change", "id"},
    {"ed_field", "article_id"},
    {"ed_story", "article_id"},
};

#define NTABLES ((int)(sizeof(tables) / sizeof(tables[0])))

/* A value of a key column, kept between chunks; a key has at most
 * MAX_KEY columns. */
#define MAX_KEY 4
struct keyval {
    bool text;
    int64_t n;
    char *s;
};

/* One side of the copy. */
struct side {
    struct mld_store *st;
    struct sq *s;
    char where[256]; /* for messages */
};

static int
side_open(struct side *d, const char *db, struct mld_err *err)
{
    mld_store_where(db, d->where, sizeof(d->where));
    int rc = mld_store_open(&d->st, db, err);
    if (rc != 0)
        return rc;
    const struct mld_store_backend *be;
    d->s = mld_store_impl(d->st, &be);
    return 0;
}

/* The column names of table on d, in *names (*n; free with names_free). */
static int
columns(struct side *d, const char *table, char ***names, int *n, struct mld_err *err)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE 1 = 0", table);
    struct sql_stmt *st = NULL;
    if (sql_prepare(&d->s->db, sql, false, &st) != SQLITE_OK)
        return sq_error(d->s, err, sql);
    int rc = sql_step(st);
    *n = sql_column_count(st);
    *names = mld_calloc((size_t)*n + 1, sizeof(**names));
    for (int i = 0; i < *n; i++)
        (*names)[i] = mld_strdup(sql_column_name(st, i));
    sql_finalize(st);
    return rc == SQLITE_DONE ? 0 : sq_error(d->s, err, sql);
}

static void
names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        mld_free(names[i]);
    mld_free(names);
}

/* The index of name in names[0..n), or -1. */
static int
name_at(char **names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* What a column takes on a side: any value (SQLite), or on PostgreSQL a
 * BYTEA or another type. */
enum col_kind { COL_ANY, COL_BYTEA, COL_TYPED };

/* Sets *out to what column of table takes on side d. */
static int
column_kind(struct side *d, const char *table, const char *column, enum col_kind *out,
            struct mld_err *err)
{
    *out = COL_ANY;
    if (!sql_pg(&d->s->db))
        return 0;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM information_schema.columns WHERE table_name = '%s' AND "
             "column_name = ?1 AND data_type = 'bytea'",
             table);
    int64_t n = 0;
    int rc = sq_one(d->s, sql, column, &n, NULL, err);
    *out = n > 0 ? COL_BYTEA : COL_TYPED;
    return rc;
}

/* Binds column c of row (from the source) as parameter p of ins: a
 * text into a BYTEA column as its bytes; a BYTEA value that is no packed
 * text as text (SQLite keeps texts as TEXT); a packed text into a TEXT
 * column of PostgreSQL unpacked (SQLite packs article.body_text, 0020,
 * against the row's HTML body, column html when not -1, 0022;
 * PostgreSQL keeps it TEXT). Returns false when a packed text does not
 * unpack. */
static bool
bind_value(struct sql_stmt *ins, int p, struct sql_stmt *row, int c, int html,
           enum col_kind kind)
{
    switch (sql_column_type(row, c)) {
    case SQL_NULL: sql_bind_null(ins, p); break;
    case SQL_INTEGER: sql_bind_int64(ins, p, sql_column_int64(row, c)); break;
    case SQL_FLOAT: sql_bind_double(ins, p, sql_column_double(row, c)); break;
    case SQL_BLOB: {
        const void *b = sql_column_blob(row, c);
        int n = sql_column_bytes(row, c);
        if (b == NULL) /* SQLite's empty BLOB */
            b = "";
        bool packed = sq_packed(b, (size_t)n);
        if (packed && kind == COL_TYPED) {
            size_t len = 0;
            char *t = sq_unpack(b, (size_t)n, NULL, &len);
            if (t == NULL && html >= 0) {
                char *dict = sq_col_text(row, html);
                t = sq_unpack(b, (size_t)n, dict, &len);
                mld_free(dict);
            }
            if (t == NULL)
                return false;
            sql_bind_text_copy(ins, p, t, (int)len);
            mld_free(t);
        } else if (kind != COL_BYTEA && !packed)
            sql_bind_text(ins, p, (const char *)b, n);
        else
            sql_bind_blob(ins, p, b, n);
        break;
    }
    default: {
        const char *t = sql_column_text(row, c);
        int n = sql_column_bytes(row, c);
        if (kind == COL_BYTEA)
            sql_bind_blob(ins, p, t, n);
        else
            sql_bind_text(ins, p, t, n);
    }
    }
    return true;
}

static void
keys_clear(struct keyval *k, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(k[i].s);
        k[i] = (struct keyval){0};
    }
}

/* Reads the key columns (the first nk of st) into k. */
static void
keys_read(struct keyval *k, int nk, struct sql_stmt *st, int first)
{
    keys_clear(k, nk);
    for (int i = 0; i < nk; i++) {
        k[i].text = sql_column_type(st, first + i) == SQL_TEXT;
        if (k[i].text)
            k[i].s = mld_strdup(sql_column_text(st, first + i));
        else
            k[i].n = sql_column_int64(st, first + i);
    }
}

static void
keys_bind(const struct keyval *k, int nk, struct sql_stmt *st)
{
    for (int i = 0; i < nk; i++) {
        if (k[i].text)
            sql_bind_text(st, i + 1, k[i].s, -1);
        else
            sql_bind_int64(st, i + 1, k[i].n);
    }
}

/* Copies table t from a to b, chunk by chunk, after the largest key b
 * holds. Adds the rows written to *rows. */
static int
copy_table(struct side *a, struct side *b, const struct table *t, mld_copy_progress_fn progress,
           void *ud, int64_t *rows, struct mld_err *err)
{
    char **from = NULL, **to = NULL;
    int nfrom = 0, nto = 0;
    int rc = columns(a, t->name, &from, &nfrom, err);
    if (rc == 0)
        rc = columns(b, t->name, &to, &nto, err);
    for (int i = 0; rc == 0 && i < nfrom; i++)
        if (name_at(to, nto, from[i]) < 0)
            rc = mld_err_set(err, MLD_E_STORE, "%s: %s: no column %s to copy %s's into",
                             b->where, t->name, from[i], a->where);
    enum col_kind *kind = mld_calloc((size_t)nfrom + 1, sizeof(*kind));
    int html = name_at(from, nfrom, "body_html"); /* what article.body_text is packed against */
    for (int i = 0; rc == 0 && i < nfrom; i++)
        rc = column_kind(b, t->name, from[i], &kind[i], err);

    /* SELECT key..., columns... FROM t WHERE (key) > (?...) ORDER BY key LIMIT n */
    int nk = 1;
    for (const char *c = t->key; *c != '\0'; c++)
        nk += *c == ',';
    struct mld_buf cols, sel, first, last, ins;
    mld_buf_init(&cols, SIZE_MAX);
    mld_buf_init(&sel, SIZE_MAX);
    mld_buf_init(&first, SIZE_MAX);
    mld_buf_init(&last, SIZE_MAX);
    mld_buf_init(&ins, SIZE_MAX);
    for (int i = 0; i < nfrom; i++)
        mld_buf_printf(&cols, "%s%s", i ? ", " : "", from[i]);
    mld_buf_printf(&sel, "SELECT %s, %s FROM %s WHERE (%s) > (", t->key, cols.p, t->name, t->key);
    for (int i = 0; i < nk; i++)
        mld_buf_printf(&sel, "%s?%d", i ? ", " : "", i + 1);
    mld_buf_printf(&sel, ") ORDER BY %s LIMIT %d", t->key, MLD_COPY_CHUNK_ROWS);
    mld_buf_printf(&first, "SELECT %s, %s FROM %s ORDER BY %s LIMIT %d", t->key, cols.p, t->name,
                   t->key, MLD_COPY_CHUNK_ROWS);
    mld_buf_printf(&last, "SELECT %s FROM %s ORDER BY ", t->key, t->name);
    for (const char *c = t->key; *c != '\0'; c++) /* "a, b" -> "a DESC, b DESC" */
        mld_buf_puts(&last, *c == ',' ? " DESC," : (char[2]){*c, '\0'});
    mld_buf_puts(&last, " DESC LIMIT 1");
    mld_buf_printf(&ins, "INSERT INTO %s (%s) VALUES (", t->name, cols.p);
    for (int i = 0; i < nfrom; i++)
        mld_buf_printf(&ins, "%s?%d", i ? ", " : "", i + 1);
    mld_buf_puts(&ins, ")");

    struct keyval key[MAX_KEY] = {{0}};
    bool resume = false;
    struct sql_stmt *q = NULL, *w = NULL;
    if (rc == 0 && nk > MAX_KEY) /* a table of this file's list: never */
        rc = mld_err_set(err, MLD_E_STORE, "%s: a key of %d columns", t->name, nk);
    if (rc == 0 && sql_prepare(&b->s->db, last.p, false, &q) != SQLITE_OK)
        rc = sq_error(b->s, err, t->name);
    if (rc == 0) {
        int step = sql_step(q);
        if (step == SQLITE_ROW) {
            keys_read(key, nk, q, 0);
            resume = true;
        } else if (step != SQLITE_DONE) {
            rc = sq_error(b->s, err, t->name);
        }
    }
    sql_finalize(q);
    q = NULL;
    if (rc == 0 && sql_prepare(&a->s->db, sel.p, false, &q) != SQLITE_OK)
        rc = sq_error(a->s, err, t->name);
    struct sql_stmt *q0 = NULL;
    if (rc == 0 && sql_prepare(&a->s->db, first.p, false, &q0) != SQLITE_OK)
        rc = sq_error(a->s, err, t->name);
    if (rc == 0 && sql_prepare(&b->s->db, ins.p, false, &w) != SQLITE_OK)
        rc = sq_error(b->s, err, t->name);
    int64_t in_target = 0;
    for (int got = MLD_COPY_CHUNK_ROWS; rc == 0 && got == MLD_COPY_CHUNK_ROWS;) {
        struct sql_stmt *r = resume ? q : q0;
        sql_reset(r);
        if (resume)
            keys_bind(key, nk, r);
        rc = sq_txn_begin(b->s, err);
        if (rc != 0)
            break;
        got = 0;
        int step;
        while (rc == 0 && (step = sql_step(r)) == SQLITE_ROW) {
            sql_reset(w);
            sql_clear_bindings(w);
            for (int i = 0; i < nfrom && rc == 0; i++)
                if (!bind_value(w, i + 1, r, nk + i, html < 0 ? -1 : nk + html, kind[i]))
                    rc = mld_err_set(err, MLD_E_STORE, "%s: %s: a packed %s does not unpack",
                                     a->where, t->name, from[i]);
            if (rc == 0 && sql_step(w) != SQLITE_DONE)
                rc = sq_error(b->s, err, t->name);
            keys_read(key, nk, r, 0);
            got++;
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = sq_error(a->s, err, t->name);
        sql_reset(w);
        sql_clear_bindings(w); /* its texts were the source row's */
        sql_reset(r);
        if (rc == 0)
            rc = sq_txn_commit(b->s, err);
        if (rc != 0) {
            sq_txn_rollback(b->s);
            break;
        }
        resume = true;
        *rows += got;
        in_target += got;
        if (progress != NULL && got > 0)
            progress(ud, t->name, in_target);
    }
    sql_finalize(q);
    sql_finalize(q0);
    sql_finalize(w);
    keys_clear(key, nk < MAX_KEY ? nk : MAX_KEY);
    mld_buf_dispose(&cols);
    mld_buf_dispose(&sel);
    mld_buf_dispose(&first);
    mld_buf_dispose(&last);
    mld_buf_dispose(&ins);
    mld_free(kind);
    names_free(from, nfrom);
    names_free(to, nto);
    if (rc != 0)
        mld_err_prefix(err, "copy %s", t->name);
    return rc;
}

/* PostgreSQL: identity columns given explicit values keep their
 * sequences behind; each goes on after the largest value copied. The
 * sequence is looked up first: a key without one (a text, such as
 * session.id_hash) must not reach setval(), whose arguments PostgreSQL
 * type-checks even where the WHERE clause would skip the call. */
static int
advance_sequences(struct side *b, struct mld_err *err)
{
    for (int i = 0; i < NTABLES; i++) {
        if (strchr(tables[i].key, ',') != NULL)
            continue;
        char sql[256];
        char *seq = NULL;
        snprintf(sql, sizeof(sql), "SELECT pg_get_serial_sequence('%s', '%s')", tables[i].name,
                 tables[i].key);
        int rc = sq_one(b->s, sql, NULL, NULL, &seq, err);
        if (rc != 0)
            return rc;
        if (seq == NULL)
            continue;
        snprintf(sql, sizeof(sql),
                 "SELECT setval(CAST(?1 AS regclass), m) FROM (SELECT max(%s) AS m FROM %s) x "
                 "WHERE m IS NOT NULL",
                 tables[i].key, tables[i].name);
        rc = sq_one(b->s, sql, seq, NULL, NULL, err);
        mld_free(seq);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The target b is empty or a copy of a's (meta "copy.from"); records
 * that it is. */
static int
check_target(struct side *a, struct side *b, struct mld_err *err)
{
    char *was = NULL;
    int64_t n = 0;
    int rc = sq_one(b->s, "SELECT value FROM meta WHERE key = 'copy.from'", NULL, NULL, &was, err);
    if (rc == 0 && was == NULL)
        rc = sq_one(b->s, "SELECT count(*) FROM article", NULL, &n, NULL, err);
    if (rc == 0 && was != NULL && strcmp(was, a->where) != 0)
        rc = mld_err_set(err, MLD_E_INVAL, "%s: holds a copy of %s, not of %s", b->where, was,
                         a->where);
    else if (rc == 0 && was == NULL && n > 0)
        rc = mld_err_set(err, MLD_E_INVAL,
                         "%s: not empty (%lld articles): copy into a new store", b->where,
                         (long long)n);
    mld_free(was);
    if (rc != 0)
        return rc;
    struct sql_stmt *st = NULL;
    rc = sq_txn_begin(b->s, err);
    if (rc == 0 && sql_prepare(&b->s->db,
                               "INSERT INTO meta (key, value) VALUES ('copy.from', ?1) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               false, &st) != SQLITE_OK)
        rc = sq_error(b->s, err, "record the copy");
    if (rc == 0) {
        sq_bind_text(st, 1, a->where);
        rc = sql_step(st) == SQLITE_DONE ? 0 : sq_error(b->s, err, "record the copy");
    }
    sql_finalize(st);
    if (rc == 0)
        return sq_txn_commit(b->s, err);
    sq_txn_rollback(b->s);
    return rc;
}

/* Counts the rows of every table on both sides; *total: the target's. */
static int
verify(struct side *a, struct side *b, int64_t *total, struct mld_err *err)
{
    *total = 0;
    for (int i = 0; i < NTABLES; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i].name);
        int64_t na = 0, nb = 0;
        int rc = sq_one(a->s, sql, NULL, &na, NULL, err);
        if (rc == 0)
            rc = sq_one(b->s, sql, NULL, &nb, NULL, err);
        if (rc != 0)
            return rc;
        if (na != nb)
            return mld_err_set(err, MLD_E_PARSE, "%s: %lld rows in %s, %lld in %s",
                               tables[i].name, (long long)na, a->where, (long long)nb,
                               b->where);
        *total += nb;
    }
    return 0;
}

int
mld_store_copy(const char *from, const char *to, mld_copy_progress_fn progress, void *ud,
               struct mld_copy_info *info, struct mld_err *err)
{
    memset(info, 0, sizeof(*info));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (strcmp(from, to) == 0)
        return mld_err_set(err, MLD_E_INVAL, "%s: a store cannot be copied into itself", from);
    if (!mld_store_exists(from))
        return mld_err_set(err, MLD_E_INVAL, "%s: no store there", from);
    struct side a = {0}, b = {0};
    int rc = side_open(&a, from, err);
    if (rc == 0)
        rc = side_open(&b, to, err);
    if (rc == 0)
        rc = check_target(&a, &b, err);
    for (int i = 0; rc == 0 && i < NTABLES; i++) {
        rc = copy_table(&a, &b, &tables[i], progress, ud, &info->rows, err);
        info->tables += rc == 0;
    }
    if (rc == 0 && sql_pg(&b.s->db))
        rc = advance_sequences(&b, err);
    if (rc == 0)
        rc = verify(&a, &b, &info->total, err);
    mld_store_close(a.st);
    mld_store_close(b.st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    info->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}
