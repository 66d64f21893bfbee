/*
 * tests/fuzz/query.c - libFuzzer driver for the search query parser.
 *
 * The input is a reader's query, any bytes. mld_query_parse() must either
 * refuse it with MLD_E_PARSE and a message, or give an expression that
 * FTS5 accepts (checked against an empty in-memory FTS5 table: a syntax
 * error there would be a 500 on the search page) and plain words that
 * stand in the input where their offsets say. A broken promise aborts.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/err.h"
#include "../../src/text/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* The empty FTS5 table the expressions are checked against; opened once
 * (libFuzzer runs one input at a time). */
static sqlite3_stmt *
match_stmt(void)
{
    static sqlite3 *db;
    static sqlite3_stmt *st;
    if (st == NULL) {
        if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
            sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x)", NULL, NULL, NULL) !=
                SQLITE_OK ||
            sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL) !=
                SQLITE_OK)
            abort();
    }
    sqlite3_reset(st);
    return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct mld_fts_query q;
    struct mld_err err = {0};
    int rc = mld_query_parse(text, size, &q, &err);
    if (rc != 0) {
        if (rc != MLD_E_PARSE || err.code != rc || err.msg[0] == '\0' || q.match != NULL)
            abort();
        return 0;
    }
    sqlite3_stmt *st = match_stmt();
    sqlite3_bind_text(st, 1, q.match, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        abort();
    sqlite3_reset(st);
    for (int i = 0; i < q.nwords; i++) {
        const struct mld_qword *w = &q.words[i];
        if (w->len == 0 || w->start + w->len > size || strlen(w->word) != w->len ||
            memcmp(text + w->start, w->word, w->len) != 0)
            abort();
    }
    mld_fts_query_dispose(&q);
    return 0;
}
