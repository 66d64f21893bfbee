/*
 * bare_insert.c - the floor under `meldung ingest`: SQLite inserting the
 * rows meldung stored, and nothing else (bench/ingest.sh).
 *
 *     bare_insert SRC.db DST.db PER_TXN
 *     bare_insert --fts SRC.db DST.db PER_TXN
 *
 * SRC is a store `meldung ingest` filled. Every row it wrote for an
 * article - the article row, its version rows, its topics, its
 * categories, its entry id - is read into memory first (not timed). DST
 * gets the same tables and indexes (the CREATE statements are copied from
 * SRC's schema) and the same settings as meldung's store (WAL,
 * synchronous = NORMAL, foreign keys on). Then, timed, the rows go in
 * again article by article with prepared INSERTs, PER_TXN articles per
 * transaction (BEGIN IMMEDIATE ... COMMIT). What meldung does on top -
 * reading and parsing files, sanitising HTML, enrichment, duplicate and
 * version checks, story lookup, the change log, savepoints - is what the
 * ratio of the two rates measures.
 *
 * With --fts, DST is instead what a site on plain SQLite full-text search
 * would keep: one FTS5 table holding each article's headline and text
 * (body_text: teaser and body as plain text), `tokenize = 'unicode61
 * remove_diacritics 2'`, its own copy of the text (not external content),
 * the same settings, PER_TXN articles per transaction - the reference of
 * issue 13's goals for ingest rate and store size. Prints one line:
 *
 *     bare: ARTICLES articles ROWS rows PER_TXN per transaction SECONDS s RATE articles/s BYTES bytes
 *
 * (BYTES: DST's size after a WAL checkpoint; "fts:" instead of "bare:"
 * with --fts.)
 *
 * SRC keeps body_text packed (migration 0020, against the HTML body since
 * 0022): the plain FTS5 table gets it unpacked, through the store's own
 * mld_unpack(), so this tool links
 * against the library (make build/rel/bench/bare_insert). The bare copy
 * inserts the rows as stored, packed.
 */
#include "../src/store/sqlite_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The tables copied, and how each row finds its article: an SQL
 * expression giving the article id, and the FROM clause. */
static const struct {
    const char *table;
    const char *select; /* columns of the table, then the article id last */
} tables[] = {
    {"article", "SELECT t.*, t.id FROM article t"},
    {"version", "SELECT t.*, t.article_id FROM version t"},
    {"article_topic", "SELECT t.*, t.article_id FROM article_topic t"},
    {"article_category", "SELECT t.*, t.article_id FROM article_category t"},
    {"entry_seen", "SELECT t.*, a.id FROM entry_seen t JOIN article a ON a.entry_id = t.entry_id"},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* --fts: the one table, and what it is filled from. */
static const struct {
    const char *table;
    const char *select;
} fts_tables[] = {
    {"fts", "SELECT coalesce(headline, ''), coalesce(mld_unpack(body_text, body_html), ''), id "
            "FROM article"},
};
#define FTS_SCHEMA                                                                                \
    "CREATE VIRTUAL TABLE fts USING fts5(headline, body, "                                       \
    "tokenize = 'unicode61 remove_diacritics 2')"

struct row {
    long long article; /* the article it belongs to */
    sqlite3_value **v; /* ncol values */
};

struct rows {
    int ncol;
    struct row *r;
    size_t n, cap;
};

static void
die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bare_insert: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static int
by_article(const void *a, const void *b)
{
    long long x = ((const struct row *)a)->article, y = ((const struct row *)b)->article;
    return x < y ? -1 : x > y;
}

static void
load(sqlite3 *src, const char *table, const char *select, struct rows *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, select, -1, &st, NULL) != SQLITE_OK)
        die(src, table);
    out->ncol = sqlite3_column_count(st) - 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 1024;
            out->r = realloc(out->r, out->cap * sizeof(*out->r));
            if (out->r == NULL)
                die(NULL, "out of memory");
        }
        struct row *r = &out->r[out->n++];
        r->article = sqlite3_column_int64(st, out->ncol);
        r->v = malloc((size_t)out->ncol * sizeof(*r->v));
        if (r->v == NULL)
            die(NULL, "out of memory");
        for (int c = 0; c < out->ncol; c++)
            r->v[c] = sqlite3_value_dup(sqlite3_column_value(st, c));
    }
    sqlite3_finalize(st);
    /* Article order, stable within an article (qsort is not stable, but
     * rows of one article need no order: keys are unique per row). */
    qsort(out->r, out->n, sizeof(*out->r), by_article);
}

static void
exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bare_insert: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
        exit(1);
    }
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* DST's size once its WAL is checkpointed into it. */
static long long
db_bytes(sqlite3 *db, const char *path)
{
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int
main(int argc, char **argv)
{
    int fts = argc > 1 && strcmp(argv[1], "--fts") == 0;
    argc -= fts;
    argv += fts;
    if (argc != 4) {
        fprintf(stderr, "usage: bare_insert [--fts] SRC.db DST.db PER_TXN\n");
        return 2;
    }
    size_t ntables = fts ? 1 : NTABLES;
    char *end;
    long per = strtol(argv[3], &end, 10);
    if (*end != '\0' || per < 1)
        die(NULL, "PER_TXN wants a positive number");
    sqlite3 *src, *dst;
    if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(src, argv[1]);
    struct sq packs = {.db = {.lite = src}, .path = argv[1]};
    struct mld_err err = {0};
    if (sq_pack_register(&packs, &err) != 0)
        die(src, err.msg);

    struct rows rows[NTABLES];
    memset(rows, 0, sizeof(rows));
    size_t nrows = 0;
    for (size_t t = 0; t < ntables; t++) {
        load(src, fts ? fts_tables[t].table : tables[t].table,
             fts ? fts_tables[t].select : tables[t].select, &rows[t]);
        nrows += rows[t].n;
    }

    remove(argv[2]);
    if (sqlite3_open(argv[2], &dst) != SQLITE_OK)
        die(dst, argv[2]);
    exec(dst, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
              "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY");
    /* Same tables and indexes as meldung's store; not the triggers that
     * feed the full-text index, which is meldung's work, not the floor. */
    sqlite3_stmt *schema;
    if (sqlite3_prepare_v2(src,
                           "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL "
                           "AND type IN ('table', 'index') AND tbl_name IN "
                           "('article', 'version', 'article_topic', 'article_category', "
                           "'entry_seen') ORDER BY type = 'index', rowid",
                           -1, &schema, NULL) != SQLITE_OK)
        die(src, "schema");
    exec(dst, "BEGIN");
    while (!fts && sqlite3_step(schema) == SQLITE_ROW)
        exec(dst, (const char *)sqlite3_column_text(schema, 0));
    if (fts)
        exec(dst, FTS_SCHEMA);
    exec(dst, "COMMIT");
    sqlite3_finalize(schema);
    sq_pack_close(&packs);
    sqlite3_close(src);

    sqlite3_stmt *ins[NTABLES];
    for (size_t t = 0; t < ntables; t++) {
        char sql[1024];
        int n = snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (",
                         fts ? fts_tables[t].table : tables[t].table);
        for (int c = 0; c < rows[t].ncol; c++)
            n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s?", c ? ", " : "");
        snprintf(sql + n, sizeof(sql) - (size_t)n, ")");
        if (sqlite3_prepare_v2(dst, sql, -1, &ins[t], NULL) != SQLITE_OK)
            die(dst, sql);
    }

    size_t at[NTABLES] = {0};
    long articles = 0;
    double t0 = now();
    while (at[0] < rows[0].n) {
        long long id = rows[0].r[at[0]].article;
        if (articles % per == 0)
            exec(dst, "BEGIN IMMEDIATE");
        for (size_t t = 0; t < ntables; t++) {
            while (at[t] < rows[t].n && rows[t].r[at[t]].article <= id) {
                struct row *r = &rows[t].r[at[t]++];
                if (r->article < id)
                    continue; /* a row of no article: skipped, like the source's orphan */
                for (int c = 0; c < rows[t].ncol; c++)
                    sqlite3_bind_value(ins[t], c + 1, r->v[c]);
                if (sqlite3_step(ins[t]) != SQLITE_DONE)
                    die(dst, fts ? fts_tables[t].table : tables[t].table);
                sqlite3_reset(ins[t]);
            }
        }
        articles++;
        if (articles % per == 0)
            exec(dst, "COMMIT");
    }
    if (articles % per != 0)
        exec(dst, "COMMIT");
    double secs = now() - t0;

    printf("%s: %ld articles %zu rows %ld per transaction %.3f s %.0f articles/s %lld bytes\n",
           fts ? "fts" : "bare", articles, nrows, per, secs,
           secs > 0 ? (double)articles / secs : 0.0, db_bytes(dst, argv[2]));
    for (size_t t = 0; t < ntables; t++) {
        sqlite3_finalize(ins[t]);
        for (size_t i = 0; i < rows[t].n; i++) {
            for (int c = 0; c < rows[t].ncol; c++)
                sqlite3_value_free(rows[t].r[i].v[c]);
            free(rows[t].r[i].v);
        }
        free(rows[t].r);
    }
    sqlite3_close(dst);
    return 0;
}
