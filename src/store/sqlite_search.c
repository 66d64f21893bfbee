/*
 * sqlite_search.c - full-text search in the SQLite backend (store.h,
 * "Full-text search"; docs/internals/search.md).
 *
 * The index is the FTS5 table article_fts (src/store/sql/0003_search.sql):
 * external content over the usable articles, kept in step by triggers on
 * article, so put() needs no code of its own for it. Its tokenizer,
 * "meldung", is defined here: it hands FTS5 the tokens of the German
 * analyzer (src/text/analyze.h) - stems, compound parts, joined
 * hyphenated compounds and raw forms for prefixes, the extra ones on the
 * position of their word. FTS5 needs the tokenizer before it can create
 * or open the table, so sq_open() registers it ahead of the migrations.
 *
 * A search (sq_search) parses the reader's text into an FTS5 expression
 * (src/text/query.c), then ranks in windows of article ids, newest first:
 * the newest MLD_SEARCH_WINDOW ids, then windows MLD_SEARCH_WINDOW_GROWTH
 * times larger, until the hits fill the page (or the ids run out). A
 * filter that leaves few articles (a small topic, a day) drives instead:
 * its articles are looked up in the index one by one. Each match is
 * scored
 *
 *     score = bm25(headline 8, kicker 3, text 1)
 *             * (1 + RECENCY / (1 + age_days / HALF_DAYS))
 *
 * and the best-scored article of each story represents it. bm25 is
 * FTS5's formula (k1 1.2, b 0.75), computed by the function mld_rank
 * below, which keeps each phrase's document frequency for the whole
 * search: FTS5's own bm25() counts them again for every window, and for
 * every row when rows are looked up one by one. The factor lifts today's
 * article to 3x, one HALF_DAYS old to 2x, a month old to 1.2x, and fades
 * to 1 without ever reordering two articles of the same age. Page hits
 * then get a snippet of their text and the byte ranges of the matches in
 * it (no markup: mld_highlight_html() in src/text makes that).
 *
 * The index's vocabulary, search_vocab (every term with its number of
 * articles), is kept in step by the queue's flush and read by searches:
 * a word's document count for bm25 without walking its doclist, and a
 * common prefix written as its most frequent completions.
 *
 * When a search finds nothing, "did you mean" tries each plain word that
 * no article holds: every spelling one edit away (deletion, transposition,
 * substitution, insertion of a-z) is looked up in the vocabulary, and the
 * one in most articles replaces the word, spelled as in the first article
 * that holds it (fts5vocab 'instance').
 */
#include "sqlite_int.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "../text/analyze.h"
#include "../text/query.h"

/* Ranking: bm25's weights of the columns (in table order: headline,
 * kicker, text) and parameters, and the recency factor (see the top of
 * the file). */
const double sq_rank_weight[3] = {8.0, 3.0, 1.0};
#define RANK_K1 1.2
#define RANK_B 0.75
#define RANK_RECENCY "2.0"
#define RANK_HALF_SECS "259200.0" /* 3 days */
#define RANK_RECENCY_F 2.0
#define RANK_HALF_SECS_F 259200.0

/* The meta key holding the analyzer signature the index was built with. */
#define META_SIGNATURE "search.analyzer"

/* Snippet markers: bytes no article text holds in practice, taken out
 * again as the ranges of the matches (snippet_split). */
#define MARK_OPEN '\x01'
#define MARK_CLOSE '\x02'

/* The first window of article ids searched; a variable so that tests can
 * shrink it to a few articles. */
static int64_t search_window = MLD_SEARCH_WINDOW;

/* MLD_SEARCH_PREFIX_EXPAND, and whether searches plan their terms at all
 * (else every phrase's idf is counted by walking, and prefixes stay
 * prefixes); variables so that tests can compare the two. */
static int64_t prefix_expand = MLD_SEARCH_PREFIX_EXPAND;
static bool search_plan = true;
/* Searches whose plan did not match FTS5's phrases (for the tests: 0). */
static int plan_mismatches;

/* One term's change of document count in the vocabulary. */
struct vocab_entry {
    char *term; /* NULL: a free slot */
    size_t len;
    uint64_t hash;
    int64_t delta;
    uint64_t stamp; /* the last row that counted it */
};

/* The vocabulary's changes while the queue is written (sq_search_flush):
 * the tokenizer counts each distinct token of a row once, +1 for a row
 * indexed, -1 for one taken out (sign; 0 while nothing is counted). */
struct vocab_delta {
    struct vocab_entry *v;
    size_t cap, n;
    uint64_t stamp;
    int sign;
};

/* One change of the index the triggers queued: the text to index under
 * id, or (del) the text indexed under id to take out again. */
struct change {
    int64_t id;
    bool del;
    char *col[3]; /* headline, kicker, body_text; NULL for SQL NULL */
    size_t bytes;  /* of the three */
};

struct sq_search {
    struct sq_pg_search *pg; /* pg_search.c's, on PostgreSQL */
    /* The write queue (see "The write queue" below). */
    struct change *queue;
    size_t nqueue, queue_cap, queue_bytes;
    size_t *marks; /* queue length where each open savepoint began */
    size_t nmarks, marks_cap;
    struct sql_stmt *index_add, *index_del;
    /* Token streams offered ahead (mld_store_offer_tokens), in the order
     * of their puts; `next` is where the tokenizer looks first. */
    struct mld_token_rec *offered;
    size_t noffered, offered_cap, offered_bytes, next;
    struct vocab_delta vocab;
    struct sql_stmt *vocab_add, *vocab_drop, *vocab_docs, *vocab_prefix;

    struct sq_rank rank;
    struct sql_stmt *ranking[4 * 8]; /* per drive and filters (collect) */
    struct sql_stmt *max_id;
    struct sql_stmt *snippet;
    struct sql_stmt *term_at;
    struct sql_stmt *column[3]; /* one per indexed column, for spellings */
};

/* The tokenizer ------------------------------------------------------- */

/* A query string that starts with this byte is one index term, as is
 * (a prefix's completion from the vocabulary, "\x1f^verhandlungen"). The
 * query parser turns every control character a reader types into a
 * space, so only the search itself writes it. */
#define TERM_AS_IS '\x1f'

/* FTS5's handle for one table's tokenizer: the connection's search state
 * (registered as its user data). The analyzer is process-wide; the
 * vocabulary's counts and the token streams offered ahead are the
 * connection's. */
static int
tok_create(void *ud, const char **argv, int argc, Fts5Tokenizer **out)
{
    *out = (Fts5Tokenizer *)ud;
    return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *t)
{
}

/* FTS5's token callback and its context, for tok_emit. */
struct tok_sink {
    void *ctx;
    int (*token)(void *ctx, int flags, const char *tok, int len, int start, int end);
    struct vocab_delta *vocab; /* counts the row's tokens, or NULL */
};

static void vocab_count(struct vocab_delta *d, const char *term, size_t len);

/* Hands one analyzer token to FTS5 (an mld_token_fn). */
static int
tok_emit(void *ud, const struct mld_token *t)
{
    const struct tok_sink *k = ud;
    if (k->vocab != NULL)
        vocab_count(k->vocab, t->term, t->len);
    return k->token(k->ctx, t->colocated ? FTS5_TOKEN_COLOCATED : 0, t->term, (int)t->len,
                    (int)t->start, (int)t->end);
}

/* Token streams offered ahead ---------------------------------------------
 *
 * `meldung ingest` analyses each usable article's headline, kicker and
 * text for the index on its reader thread (mld_analyze_record) and offers
 * the streams before the put (mld_store_offer_tokens). When the commit
 * writes the index, FTS5 asks the tokenizer for those texts again, and
 * it replays the stream whose text hash and length match instead of
 * analysing the text on the storing thread: the same tokens, a seventh of
 * the storing thread's time saved. Texts without an offer (updates'
 * old texts, other transports, streams dropped for size) are analysed as
 * before. The offers end with the transaction. */

/* Returns the offered stream of text[0..len), or NULL. Offers come in the
 * order of the puts, so the queue's texts are found in order. */
static const struct mld_token_rec *
offered_find(struct sq_search *q, const char *text, size_t len)
{
    for (size_t i = 0; i < q->noffered; i++) {
        size_t at = (q->next + i) % q->noffered;
        if (mld_token_rec_matches(&q->offered[at], text, len, MLD_AN_INDEX)) {
            q->next = at + 1 < q->noffered ? at + 1 : 0;
            return &q->offered[at];
        }
    }
    return NULL;
}

/* Drops every offered stream. */
static void
offered_clear(struct sq_search *q)
{
    for (size_t i = 0; i < q->noffered; i++)
        mld_token_rec_dispose(&q->offered[i]);
    q->noffered = q->offered_bytes = q->next = 0;
}

void
sq_search_offer_tokens(void *impl, struct mld_token_rec *r, int n)
{
    struct sq_search *q = ((struct sq *)impl)->search;
    for (int i = 0; i < n; i++) {
        if (r[i].len == 0 || r[i].flags != MLD_AN_INDEX) {
            mld_token_rec_dispose(&r[i]);
            continue;
        }
        /* Offers for puts that queued nothing (duplicates, held items)
         * stay until the commit: bound them as the queue is bounded. */
        if (q->offered_bytes + r[i].len > MLD_SEARCH_QUEUE_BYTES)
            offered_clear(q);
        if (q->noffered == q->offered_cap) {
            q->offered_cap = q->offered_cap ? 2 * q->offered_cap : 64;
            q->offered = mld_reallocarray(q->offered, q->offered_cap, sizeof(*q->offered));
        }
        q->offered_bytes += r[i].len;
        q->offered[q->noffered++] = r[i];
        r[i] = (struct mld_token_rec){0};
    }
}

int
sq_search_tokens(struct sq *s, const char *text, size_t len,
                 int (*fn)(void *ud, const struct mld_token *t), void *ud)
{
    const struct mld_token_rec *r = offered_find(s->search, text, len);
    return r != NULL ? mld_token_rec_replay(r, fn, ud)
                     : mld_analyze(mld_analyzer(), text, len, MLD_AN_INDEX, fn, ud);
}

/* Tokenizes text for FTS5. Documents get every token the index keeps; a
 * query term its stems, a hyphenated compound written closed; a prefix
 * term its raw form, which "Verhandl*" can match where the stem
 * "verhandl" of "Verhandlungen" could not be told apart. Snippets (AUX)
 * only map positions to text: one token per word, the index's positions,
 * without folding or stemming (MLD_AN_SPANS). */
static int
tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
             int (*token)(void *ctx, int flags, const char *tok, int len, int start, int end))
{
    unsigned an = MLD_AN_INDEX;
    if (flags & FTS5_TOKENIZE_AUX) /* snippets: positions and offsets */
        an = MLD_AN_SPANS;
    else if (flags & FTS5_TOKENIZE_QUERY)
        an = (flags & FTS5_TOKENIZE_PREFIX) ? MLD_AN_QUERY | MLD_AN_PREFIX : MLD_AN_QUERY;
    if (text == NULL || len <= 0)
        return SQLITE_OK;
    if ((flags & FTS5_TOKENIZE_QUERY) && text[0] == TERM_AS_IS)
        return len > 1 ? token(ctx, 0, text + 1, len - 1, 0, len) : SQLITE_OK;
    struct sq_search *q = (struct sq_search *)t;
    bool doc = (flags & (FTS5_TOKENIZE_AUX | FTS5_TOKENIZE_QUERY)) == 0;
    struct tok_sink k = {ctx, token, doc && q->vocab.sign != 0 ? &q->vocab : NULL};
    const struct mld_token_rec *r = NULL;
    if (an == MLD_AN_INDEX && !(flags & FTS5_TOKENIZE_AUX))
        r = offered_find(q, text, (size_t)len);
    int rc = r != NULL ? mld_token_rec_replay(r, tok_emit, &k)
                       : mld_analyze(mld_analyzer(), text, (size_t)len, an, tok_emit, &k);
    return rc == SQLITE_DONE ? SQLITE_OK : rc; /* DONE: FTS5 has what it needs */
}

struct sq_pg_search **
sq_search_pg(struct sq *s)
{
    return &s->search->pg;
}

/* Returns the connection's FTS5 API, or NULL with err set. */
static fts5_api *
fts5_of(struct sq *s, struct mld_err *err)
{
    fts5_api *api = NULL;
    struct sql_stmt *st;
    if (sql_prepare(&s->db, "SELECT fts5(?1)", false, &st) != SQLITE_OK) {
        sq_error(s, err, "find FTS5");
        return NULL;
    }
    sqlite3_bind_pointer(st->lite, 1, (void *)&api, "fts5_api_ptr", NULL);
    sql_step(st);
    sql_finalize(st);
    if (api == NULL || api->iVersion < 2)
        mld_err_set(err, MLD_E_STORE, "%s: this SQLite has no FTS5", s->path);
    return api != NULL && api->iVersion >= 2 ? api : NULL;
}

/* The write queue ------------------------------------------------------- */

/* SQLite 3.40's FTS5 writes its pending postings to disk as a new segment
 * at every savepoint and release, including the statement journal of any
 * statement that writes several rows. Indexed straight from the triggers,
 * every article became a segment of its own, merged again and again: a
 * fifth of ingest time. So the triggers only queue each change, through
 * mld_search_queue(del, id, headline, kicker, body_text), and the queue
 * goes into the index just before COMMIT (sq_txn_commit), where FTS5
 * collects the postings of the whole batch in memory and writes them
 * once. Rolling back a savepoint drops what it queued. A change outside a
 * transaction fails: nothing would write it. */

static void
queue_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq *s = sqlite3_user_data(ctx);
    struct sq_search *q = s->search;
    if (!sql_in_txn(&s->db)) {
        sqlite3_result_error(ctx,
                             "article text changed outside a transaction: the search index "
                             "would not follow",
                             -1);
        return;
    }
    if (q->nqueue == q->queue_cap) {
        q->queue_cap = q->queue_cap ? 2 * q->queue_cap : 64;
        q->queue = mld_reallocarray(q->queue, q->queue_cap, sizeof(*q->queue));
    }
    struct change *c = &q->queue[q->nqueue++];
    c->del = sqlite3_value_int(argv[0]) != 0;
    c->id = sqlite3_value_int64(argv[1]);
    c->bytes = 0;
    for (int i = 0; i < 3; i++) {
        const char *v = (const char *)sqlite3_value_text(argv[2 + i]);
        size_t n = (size_t)sqlite3_value_bytes(argv[2 + i]);
        c->col[i] = v != NULL ? mld_strndup(v, n) : NULL;
        c->bytes += n;
    }
    q->queue_bytes += c->bytes;
}

/* Drops the queued changes from the n-th on. */
static void
queue_truncate(struct sq_search *q, size_t n)
{
    for (size_t i = n; i < q->nqueue; i++) {
        q->queue_bytes -= q->queue[i].bytes;
        for (int j = 0; j < 3; j++)
            mld_free(q->queue[i].col[j]);
    }
    if (n < q->nqueue)
        q->nqueue = n;
}

void
sq_search_savepoint(struct sq *s)
{
    struct sq_search *q = s->search;
    if (q->nmarks == q->marks_cap) {
        q->marks_cap = q->marks_cap ? 2 * q->marks_cap : 8;
        q->marks = mld_reallocarray(q->marks, q->marks_cap, sizeof(*q->marks));
    }
    q->marks[q->nmarks++] = q->nqueue;
}

void
sq_search_release(struct sq *s, bool rollback)
{
    struct sq_search *q = s->search;
    if (q->nmarks == 0)
        return;
    q->nmarks--;
    if (rollback)
        queue_truncate(q, q->marks[q->nmarks]);
}

void
sq_search_discard(struct sq *s)
{
    queue_truncate(s->search, 0);
    s->search->nmarks = 0;
    offered_clear(s->search);
}

size_t
sq_search_queued(const struct sq *s)
{
    return s->search->queue_bytes;
}

/* The vocabulary --------------------------------------------------------- */

/* search_vocab (migration 0018) holds every index term with the number of
 * articles that hold it, for searches: prefixes expand from it, and
 * bm25's idf reads a word's count there instead of walking its doclist.
 * It changes only here, in the transaction that writes the index: while
 * the queue is flushed the tokenizer hands each row's tokens to
 * vocab_count (one count per distinct term and row, across the columns,
 * as FTS5 counts documents), and vocab_write adds the batch's changes.
 * After a rebuild (and on the first open of a store from before 0018) it
 * is filled from the index itself (vocab_fill). */

#define META_VOCAB "search.vocab"

/* Counts term[0..len) once for the current row (d->stamp). */
static void
vocab_count(struct vocab_delta *d, const char *term, size_t len)
{
    if (2 * (d->n + 1) > d->cap) { /* keep the table at most half full */
        size_t cap = d->cap ? 2 * d->cap : 4096;
        struct vocab_entry *v = mld_calloc(cap, sizeof(*v));
        for (size_t i = 0; i < d->cap; i++) {
            if (d->v[i].term == NULL)
                continue;
            size_t j = d->v[i].hash & (cap - 1);
            while (v[j].term != NULL)
                j = (j + 1) & (cap - 1);
            v[j] = d->v[i];
        }
        mld_free(d->v);
        d->v = v;
        d->cap = cap;
    }
    uint64_t h = XXH3_64bits(term, len);
    size_t j = h & (d->cap - 1);
    while (d->v[j].term != NULL &&
           (d->v[j].hash != h || d->v[j].len != len || memcmp(d->v[j].term, term, len) != 0))
        j = (j + 1) & (d->cap - 1);
    struct vocab_entry *e = &d->v[j];
    if (e->term == NULL) {
        *e = (struct vocab_entry){mld_strndup(term, len), len, h, 0, 0};
        d->n++;
    }
    if (e->stamp != d->stamp) {
        e->stamp = d->stamp;
        e->delta += d->sign;
    }
}

void
sq_vocab_row(struct sq *s, int sign)
{
    s->search->vocab.sign = sign;
    s->search->vocab.stamp++;
}

void
sq_vocab_count(struct sq *s, const char *term, size_t len)
{
    if (s->search->vocab.sign != 0)
        vocab_count(&s->search->vocab, term, len);
}

/* Forgets the counted changes. */
static void
vocab_clear(struct vocab_delta *d)
{
    for (size_t i = 0; i < d->cap; i++)
        mld_free(d->v[i].term);
    mld_free(d->v);
    *d = (struct vocab_delta){0};
}

/* Most bytes of terms written to search_vocab by one statement on
 * PostgreSQL. */
#define VOCAB_BATCH_BYTES (256u << 10)

/* Writes a batch of terms with their changes (space-separated lists) on
 * PostgreSQL, and drops the gone ones that no article holds any more;
 * empties the lists. */
static int
vocab_batch(struct sq *s, struct sql_stmt *add, struct sql_stmt *drop, struct mld_buf *terms,
            struct mld_buf *deltas, struct mld_buf *gone, struct mld_err *err)
{
    int rc = 0;
    if (terms->len > 0) {
        sql_bind_text(add, 1, terms->p, (int)terms->len);
        sql_bind_text(add, 2, deltas->p, (int)deltas->len);
        rc = sq_step_done(s, add, err, "count the terms of the search index");
        sql_reset(add);
    }
    if (rc == 0 && gone->len > 0) {
        sql_bind_text(drop, 1, gone->p, (int)gone->len);
        rc = sq_step_done(s, drop, err, "count the terms of the search index");
        sql_reset(drop);
    }
    mld_buf_reset(terms);
    mld_buf_reset(deltas);
    mld_buf_reset(gone);
    return rc;
}

/* Adds the counted changes to search_vocab; a term no article holds any
 * more leaves it. A statement per term on SQLite; on PostgreSQL, where
 * each is a round trip (2.5 s of a 10,000 articles' rebuild), a
 * statement per batch of terms. */
static int
vocab_write(struct sq *s, struct mld_err *err)
{
    struct sq_search *q = s->search;
    bool pg = sql_pg(&s->db);
    struct sql_stmt *add =
        sq_prepare(s, &q->vocab_add,
                   pg ? "INSERT INTO search_vocab (term, docs) SELECT t, CAST(d AS BIGINT) "
                        "FROM unnest(string_to_array(CAST(?1 AS TEXT), ' '), "
                        "string_to_array(CAST(?2 AS TEXT), ' ')) AS x(t, d) "
                        "ON CONFLICT (term) DO UPDATE SET docs = search_vocab.docs + excluded.docs"
                      : "INSERT INTO search_vocab(term, docs) VALUES (?1, ?2) "
                        "ON CONFLICT(term) DO UPDATE SET docs = search_vocab.docs + excluded.docs",
                   err);
    struct sql_stmt *drop =
        sq_prepare(s, &q->vocab_drop,
                   pg ? "DELETE FROM search_vocab WHERE docs <= 0 "
                        "AND term = ANY (string_to_array(CAST(?1 AS TEXT), ' '))"
                      : "DELETE FROM search_vocab WHERE term = ?1 AND docs <= 0",
                   err);
    if (add == NULL || drop == NULL)
        return MLD_E_STORE;
    struct mld_buf terms, deltas, gone; /* PostgreSQL's batch */
    mld_buf_init(&terms, SIZE_MAX);
    mld_buf_init(&deltas, SIZE_MAX);
    mld_buf_init(&gone, SIZE_MAX);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < q->vocab.cap; i++) {
        const struct vocab_entry *e = &q->vocab.v[i];
        if (e->term == NULL || e->delta == 0)
            continue;
        if (pg) { /* terms hold no space: the analyzer splits words there */
            mld_buf_printf(&deltas, "%s%lld", terms.len > 0 ? " " : "", (long long)e->delta);
            if (terms.len > 0)
                mld_buf_putc(&terms, ' ');
            mld_buf_append(&terms, e->term, e->len);
            if (e->delta < 0) {
                if (gone.len > 0)
                    mld_buf_putc(&gone, ' ');
                mld_buf_append(&gone, e->term, e->len);
            }
            if (terms.len > VOCAB_BATCH_BYTES)
                rc = vocab_batch(s, add, drop, &terms, &deltas, &gone, err);
            continue;
        }
        sql_bind_text(add, 1, e->term, (int)e->len);
        sql_bind_int64(add, 2, e->delta);
        rc = sq_step_done(s, add, err, "count a term of the search index");
        sql_reset(add);
        if (rc == 0 && e->delta < 0) {
            sql_bind_text(drop, 1, e->term, (int)e->len);
            rc = sq_step_done(s, drop, err, "count a term of the search index");
            sql_reset(drop);
        }
    }
    if (rc == 0 && pg)
        rc = vocab_batch(s, add, drop, &terms, &deltas, &gone, err);
    mld_buf_dispose(&terms);
    mld_buf_dispose(&deltas);
    mld_buf_dispose(&gone);
    return rc;
}

/* Fills search_vocab from the index (every term's doclist, once), inside
 * the caller's transaction. */
static int
vocab_fill(struct sq *s, struct mld_err *err)
{
    return sq_exec(s,
                   "DELETE FROM search_vocab; "
                   "INSERT INTO search_vocab(term, docs) "
                   "SELECT term, doc FROM temp.article_vocab WHERE doc > 0; "
                   "INSERT OR REPLACE INTO meta(key, value) VALUES ('" META_VOCAB "', '1')",
                   err);
}

/* Returns the number of articles the vocabulary says hold term[0..len). */
static int64_t
vocab_docs(struct sq *s, const char *term, size_t len)
{
    struct sql_stmt *st = sq_prepare(s, &s->search->vocab_docs,
                                  "SELECT docs FROM search_vocab WHERE term = ?1", NULL);
    if (st == NULL)
        return 0;
    sql_bind_text(st, 1, term, (int)len);
    int64_t n = sql_step(st) == SQLITE_ROW ? sql_column_int64(st, 0) : 0;
    sql_reset(st);
    return n;
}

int
sq_search_flush(struct sq *s, struct mld_err *err)
{
    struct sq_search *q = s->search;
    int rc = sql_pg(&s->db) ? sq_pg_search_flush(s, err) : 0;
    for (size_t i = 0; rc == 0 && i < q->nqueue; i++) {
        const struct change *c = &q->queue[i];
        /* One row each, no triggers: no statement journal, so FTS5 keeps
         * the postings in memory until COMMIT. */
        struct sql_stmt *st =
            c->del ? sq_prepare(s, &q->index_del,
                                "INSERT INTO article_fts(article_fts, rowid, headline, kicker, "
                                "body_text) VALUES ('delete', ?1, ?2, ?3, ?4)",
                                err)
                   : sq_prepare(s, &q->index_add,
                                "INSERT INTO article_fts(rowid, headline, kicker, body_text) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                err);
        if (st == NULL)
            return MLD_E_STORE;
        sql_bind_int64(st, 1, c->id);
        for (int j = 0; j < 3; j++)
            sq_bind_text(st, 2 + j, c->col[j]);
        sq_vocab_row(s, c->del ? -1 : 1); /* the tokenizer counts this row's terms */
        rc = sq_step_done(s, st, err, c->del ? "take an article out of the search index"
                                             : "add an article to the search index");
        sq_vocab_row(s, 0);
    }
    if (rc == 0)
        rc = vocab_write(s, err);
    vocab_clear(&q->vocab);
    /* On failure the caller rolls the transaction back, and the queue
     * with it. */
    if (rc == 0) {
        queue_truncate(q, 0);
        offered_clear(q); /* every offer was for a put made before */
    }
    return rc;
}

int
sq_search_register(struct sq *s, struct mld_err *err)
{
    static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
    if (sql_pg(&s->db)) { /* no tokenizer in the server: the flush analyses */
        if (s->search == NULL)
            s->search = MLD_NEW(struct sq_search);
        return 0;
    }
    fts5_api *api = fts5_of(s, err);
    if (api == NULL)
        return MLD_E_STORE;
    s->search = MLD_NEW(struct sq_search);
    if (api->xCreateTokenizer(api, "meldung", s->search, &tokenizer, NULL) != SQLITE_OK)
        return sq_error(s, err, "register the search tokenizer");
    if (sqlite3_create_function(s->db.lite, "mld_search_queue", 5, SQLITE_UTF8, s, queue_fn, NULL,
                                NULL) != SQLITE_OK)
        return sq_error(s, err, "register the search index queue");
    return 0;
}

/* The rank function ------------------------------------------------------- */

/* Counts one row holding a phrase (an xQueryPhrase callback). */
static int
count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ud)
{
    (*(int64_t *)ud)++;
    return SQLITE_OK;
}

/* Sets each term's inverse document frequency, log((N - n + 0.5) / (n +
 * 0.5)), at least 1e-6 (as FTS5's bm25: a term in most articles still
 * counts a little). n comes from the search's plan (the vocabulary's
 * count; for a prefix the sum of its completions' counts, at most N: an
 * upper bound, as articles hold several), else from walking every
 * article holding the phrase, all of the index for a common word: for a
 * quoted phrase, and for every phrase when mld_rank runs outside a
 * search. A query of one term skips it, since one idf scales every score
 * alike (scores compare only within one answer), and so do excluded
 * terms. */
int
sq_rank_idf(struct sq_rank *st, int64_t rows, int (*walk)(void *ud, int phrase, int64_t *n),
            void *ud)
{
    int rc = SQLITE_OK;
    if (st->nterms == 1) {
        st->idf[0] = 1.0;
        return rc;
    }
    for (int t = 0; rc == SQLITE_OK && t < st->nterms && t < SQ_RANK_PHRASES; t++) {
        int64_t n = st->docs[t];
        if (n == SQ_DOCS_NONE) {
            st->idf[t] = 1e-6;
            continue;
        }
        if (n == SQ_DOCS_WALK) {
            n = 0;
            for (int i = 0; rc == SQLITE_OK && i < st->nphrases && i < SQ_PLAN_PHRASES; i++)
                if (st->phrase_term[i] == t)
                    rc = walk(ud, i, &n);
        }
        n = n < rows ? n : rows;
        double idf = log(((double)rows - (double)n + 0.5) / ((double)n + 0.5));
        st->idf[t] = idf > 1e-6 ? idf : 1e-6;
    }
    return rc;
}

double
sq_rank_bm25(const struct sq_rank *st, const double *freq, int64_t len)
{
    double norm = RANK_K1 * (1.0 - RANK_B + RANK_B * (double)len / st->avgdl), score = 0;
    for (int t = 0; t < st->nterms && t < SQ_RANK_PHRASES; t++)
        score += st->idf[t] * freq[t] * (RANK_K1 + 1.0) / (freq[t] + norm);
    return score;
}

double
sq_rank_recency(int64_t now, int64_t published)
{
    int64_t age = now - published > 0 ? now - published : 0;
    return 1.0 + RANK_RECENCY_F / (1.0 + (double)age / RANK_HALF_SECS_F);
}

/* FTS5's side of sq_rank_idf's walk: the rows holding phrase i. */
struct fts_walk {
    const Fts5ExtensionApi *api;
    Fts5Context *fts;
    int phrases;
};

static int
fts_walk(void *ud, int phrase, int64_t *n)
{
    struct fts_walk *w = ud;
    return phrase < w->phrases ? w->api->xQueryPhrase(w->fts, phrase, n, count_row) : SQLITE_OK;
}

/* Fills st from the index as bm25 needs it: the mean article length, and
 * each term's inverse document frequency (sq_rank_idf). */
static int
rank_stats_fill(const Fts5ExtensionApi *api, Fts5Context *fts, struct sq_rank *st)
{
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &tokens);
    st->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
    int phrases = api->xPhraseCount(fts);
    if (st->planned && st->nphrases != phrases) {
        st->planned = false; /* not the search's expression (cannot happen) */
        plan_mismatches++;
    }
    if (!st->planned) { /* each phrase a term of its own, counted by walking */
        st->nterms = st->nphrases = phrases < SQ_RANK_PHRASES ? phrases : SQ_RANK_PHRASES;
        for (int i = 0; i < st->nterms; i++) {
            st->phrase_term[i] = i;
            st->docs[i] = SQ_DOCS_WALK;
        }
    }
    struct fts_walk w = {api, fts, phrases};
    if (rc == SQLITE_OK)
        rc = sq_rank_idf(st, rows, fts_walk, &w);
    st->ready = rc == SQLITE_OK;
    return rc;
}

/* The row's length in tokens from its article_fts_docsize.sz: FTS5's
 * record of one varint per column, three columns (SQLite's varint: 7 bits
 * a byte, high bit set on all but the last, the ninth byte whole); -1
 * when sz is not such a record (NULL: no row), and xColumnSize() reads it. */
static int64_t
docsize_sum(sqlite3_value *v)
{
    const unsigned char *p = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v), i = 0;
    if (p == NULL || sqlite3_value_type(v) != SQL_BLOB)
        return -1;
    int64_t sum = 0;
    for (int col = 0; col < 3; col++) {
        uint64_t x = 0;
        int k = 0;
        for (;; k++) {
            if (i >= n)
                return -1;
            unsigned char b = p[i++];
            if (k == 8) {
                x = (x << 8) | b;
                break;
            }
            x = (x << 7) | (b & 0x7f);
            if (!(b & 0x80))
                break;
        }
        if (x > INT32_MAX)
            return -1;
        sum += (int64_t)x;
    }
    return i == n ? sum : -1;
}

/* mld_rank(article_fts [, sz]): the current row's bm25 score (positive,
 * higher is better; FTS5's bm25() is its negative) with the column
 * weights of rank_weight, summed over the query's terms. The index
 * statistics come from the search's rank_stats, counted on first use.
 * sz, the row's article_fts_docsize.sz joined by the caller, gives its
 * length without xColumnSize(), which runs a statement of FTS5's own per
 * row: a fifth of a search for a common word. */
static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
        sqlite3_value **argv)
{
    struct sq_rank *st = api->xUserData(fts);
    int rc = st->ready ? SQLITE_OK : rank_stats_fill(api, fts, st);
    double freq[SQ_RANK_PHRASES] = {0};
    int inst = 0, len = 0;
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fts, &inst);
    for (int i = 0; rc == SQLITE_OK && i < inst; i++) {
        int phrase, col, off;
        rc = api->xInst(fts, i, &phrase, &col, &off);
        if (rc == SQLITE_OK && phrase >= 0 && phrase < st->nphrases && col >= 0 && col < 3)
            freq[st->phrase_term[phrase]] += sq_rank_weight[col];
    }
    int64_t sz = argc > 0 ? docsize_sum(argv[0]) : -1;
    if (sz >= 0 && sz <= INT_MAX)
        len = (int)sz;
    else if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, -1, &len);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    sqlite3_result_double(ctx, sq_rank_bm25(st, freq, len));
}

/* The snippet function ---------------------------------------------------- */

/* mld_snippet(article_fts): what FTS5's snippet(article_fts, 2, char(1),
 * char(2), '…', MLD_SEARCH_SNIPPET_WORDS) returns, byte for byte (the
 * unit test compares the two), for a fraction of the work. FTS5's
 * tokenizes the whole text twice (sentence starts, then the marks),
 * which was two thirds of a search for a rare word; this one tokenizes
 * once, and only up to the last word a window can reach: the last
 * match's position plus the window's length. The window is FTS5's: each
 * match (and the start of its sentence, +100, +120 at the text's start)
 * scored 1,000 per phrase first seen and 1 per repeat, the best one
 * centred on its matches. */

#define SNIP_COL 2
#define SNIP_ELLIPSIS "\u2026"

/* The words of the text up to where a window can reach. */
struct snip_words {
    const char *text;
    int *start, *end; /* byte range of each word (non-colocated token) */
    int n, cap, limit;
    int *first; /* positions that start a sentence */
    int nfirst, first_cap;
};

/* Notes one word and whether it starts a sentence (FTS5's sentence
 * finder; an mld_token_fn of MLD_AN_SPANS). */
static int
snip_word(void *ud, const struct mld_token *t)
{
    struct snip_words *w = ud;
    int start = (int)t->start, end = (int)t->end;
    if (t->colocated)
        return SQLITE_OK;
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 256;
        w->start = mld_reallocarray(w->start, (size_t)w->cap, sizeof(int));
        w->end = mld_reallocarray(w->end, (size_t)w->cap, sizeof(int));
    }
    bool first = w->n == 0;
    if (!first) {
        int i = start - 1;
        char c = 0;
        for (; i >= 0; i--) {
            c = w->text[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
        }
        first = i != start - 1 && (c == '.' || c == ':');
    }
    if (first) {
        if (w->nfirst == w->first_cap) {
            w->first_cap = w->first_cap ? 2 * w->first_cap : 64;
            w->first = mld_reallocarray(w->first, (size_t)w->first_cap, sizeof(int));
        }
        w->first[w->nfirst++] = w->n;
    }
    w->start[w->n] = start;
    w->end[w->n] = end;
    w->n++;
    return w->n > w->limit ? SQLITE_DONE : SQLITE_OK;
}

/* FTS5's score of the window of words [pos, pos + MLD_SEARCH_SNIPPET_WORDS)
 * of the column, and (adj) where it starts once centred on its matches. */
static void
snip_score(const struct sq_snip *sn, unsigned char *seen, int pos, int *score, int *adj)
{
    int first = -1, last = 0;
    int64_t end = (int64_t)pos + MLD_SEARCH_SNIPPET_WORDS;
    *score = 0;
    for (int i = 0; i < sn->ninst; i++) {
        int ip = sn->inst[i].phrase, io = sn->inst[i].off;
        if (io >= pos && io < end) {
            *score += seen[ip] ? 1 : 1000;
            seen[ip] = 1;
            if (first < 0)
                first = io;
            last = io + sn->phrase_size[ip];
        }
    }
    if (adj != NULL) {
        int64_t a = first - (MLD_SEARCH_SNIPPET_WORDS - (last - first)) / 2;
        if (a + MLD_SEARCH_SNIPPET_WORDS > sn->docsize)
            a = sn->docsize - MLD_SEARCH_SNIPPET_WORDS;
        *adj = a < 0 ? 0 : (int)a;
    }
}

/* The column's matches, overlapping ones joined: FTS5's CInstIter. */
struct snip_iter {
    const struct sq_snip *sn;
    int inst;
    int start, end; /* word positions of the current match, -1 after the last */
};

static void
snip_next(struct snip_iter *it)
{
    it->start = it->end = -1;
    while (it->inst < it->sn->ninst) {
        int ip = it->sn->inst[it->inst].phrase, io = it->sn->inst[it->inst].off;
        int e = io - 1 + it->sn->phrase_size[ip];
        if (it->start < 0) {
            it->start = io;
            it->end = e;
        } else if (io <= it->end) {
            if (e > it->end)
                it->end = e;
        } else {
            break;
        }
        it->inst++;
    }
}

/* Writes the words [lo, hi] of w with MARK_OPEN/MARK_CLOSE around the
 * matches into b, as FTS5's highlight callback does word by word. Returns
 * the offset in the text after the last word written. */
static int
snip_marks(struct mld_buf *b, const struct snip_words *w, struct snip_iter *it, int lo, int hi)
{
    int off = 0;
    for (int pos = 0; pos < w->n && pos <= hi; pos++) {
        int so = w->start[pos], eo = w->end[pos];
        if (pos < lo)
            continue;
        if (lo > 0 && pos == lo)
            off = so;
        if (pos == it->start) {
            mld_buf_append(b, w->text + off, (size_t)(so - off));
            mld_buf_putc(b, MARK_OPEN);
            off = so;
        }
        if (pos == it->end) {
            if (it->start < lo)
                mld_buf_putc(b, MARK_OPEN);
            mld_buf_append(b, w->text + off, (size_t)(eo - off));
            mld_buf_putc(b, MARK_CLOSE);
            off = eo;
            snip_next(it);
        }
        if (pos == hi) {
            mld_buf_append(b, w->text + off, (size_t)(eo - off));
            off = eo;
            if (pos >= it->start && pos < it->end)
                mld_buf_putc(b, MARK_CLOSE);
        }
    }
    return off;
}

int
sq_snippet(const struct sq_snip *sn, struct mld_buf *b)
{
    const int ntok = MLD_SEARCH_SNIPPET_WORDS;
    struct snip_words w = {.text = sn->text};
    int nphrase = sn->nphrase, last = 0, longest = 0, rc = SQLITE_OK;
    unsigned char *seen = mld_calloc(nphrase > 0 ? (size_t)nphrase : 1, 1);
    for (int i = 0; i < sn->ninst; i++)
        if (sn->inst[i].off > last)
            last = sn->inst[i].off;
    for (int i = 0; i < nphrase; i++)
        longest = sn->phrase_size[i] > longest ? sn->phrase_size[i] : longest;
    if (w.text != NULL) {
        /* A window starts at most half a phrase past the last match. */
        w.limit = last + ntok + longest + 1;
        /* What the tokenizer gives FTS5 for a snippet (tok_tokenize),
         * without FTS5's and tok_emit's calls per word in between. */
        rc = mld_analyze(mld_analyzer(), w.text, (size_t)sn->nlen, MLD_AN_SPANS, snip_word, &w);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    int best = 0, best_start = 0, docsize = sn->docsize;
    for (int i = 0; rc == SQLITE_OK && i < sn->ninst; i++) {
        int io = sn->inst[i].off, score, adj;
        if (io > docsize) {
            rc = SQLITE_CORRUPT_VTAB;
            break;
        }
        memset(seen, 0, (size_t)nphrase);
        snip_score(sn, seen, io, &score, &adj);
        if (score > best) {
            best = score;
            best_start = adj;
        }
        if (w.nfirst > 0 && docsize > ntok) {
            int j = 0;
            while (j < w.nfirst - 1 && w.first[j + 1] <= io)
                j++;
            if (w.first[j] < io) {
                memset(seen, 0, (size_t)nphrase);
                snip_score(sn, seen, w.first[j], &score, NULL);
                score += w.first[j] == 0 ? 120 : 100;
                if (score > best) {
                    best = score;
                    best_start = w.first[j];
                }
            }
        }
    }
    if (rc == SQLITE_OK && w.text != NULL) {
        struct snip_iter it = {sn, 0, -1, -1};
        int hi = best_start + ntok - 1;
        if (best_start > 0)
            mld_buf_puts(b, SNIP_ELLIPSIS);
        snip_next(&it);
        while (it.start >= 0 && it.start < best_start)
            snip_next(&it);
        int off = snip_marks(b, &w, &it, best_start, hi);
        if (hi >= docsize - 1)
            mld_buf_append(b, w.text + off, (size_t)(sn->nlen - off));
        else
            mld_buf_puts(b, SNIP_ELLIPSIS);
    }
    mld_free(seen);
    mld_free(w.start);
    mld_free(w.end);
    mld_free(w.first);
    return rc;
}

/* mld_snippet(article_fts): the text column's matches from FTS5, made
 * into a snippet by sq_snippet. */
static void
snippet_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
           sqlite3_value **argv)
{
    struct sq_snip sn = {NULL};
    struct sq_inst *inst = NULL;
    int nphrase = api->xPhraseCount(fts), ninst = 0;
    int *size = mld_calloc(nphrase > 0 ? (size_t)nphrase : 1, sizeof(int));
    for (int i = 0; i < nphrase; i++)
        size[i] = api->xPhraseSize(fts, i);
    int rc = api->xInstCount(fts, &ninst);
    if (rc == SQLITE_OK && ninst > 0)
        inst = mld_calloc((size_t)ninst, sizeof(*inst));
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK && ic == SNIP_COL)
            inst[sn.ninst++] = (struct sq_inst){ip, io};
    }
    sn.inst = inst;
    sn.phrase_size = size;
    sn.nphrase = nphrase;
    if (rc == SQLITE_OK)
        rc = api->xColumnText(fts, SNIP_COL, &sn.text, &sn.nlen);
    if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, SNIP_COL, &sn.docsize);
    struct mld_buf b;
    mld_buf_init(&b, 8 * MLD_MAX_FIELD_BYTES);
    if (rc == SQLITE_OK)
        rc = sq_snippet(&sn, &b);
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else if (mld_buf_error(&b) != 0)
        sqlite3_result_error_toobig(ctx);
    else if (sn.text != NULL)
        sqlite3_result_text(ctx, b.p != NULL ? b.p : "", (int)b.len, SQLITE_TRANSIENT);
    mld_buf_dispose(&b);
    mld_free(inst);
    mld_free(size);
}

/* Opening: the analyzer's signature --------------------------------------- */

/* Reads the signature the index was built with into *out (mld_free;
 * NULL when none is recorded). */
static int
stored_signature(struct sq *s, char **out, struct mld_err *err)
{
    struct sql_stmt *st;
    *out = NULL;
    if (sql_prepare(&s->db, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'", false, &st) != SQLITE_OK)
        return sq_error(s, err, "read the search index signature");
    int rc = sql_step(st);
    if (rc == SQLITE_ROW)
        *out = sq_col_text(st, 0);
    sql_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
                                                 : sq_error(s, err, "read the search index signature");
}

/* Returns the number of usable articles (what the index holds). */
static int64_t
usable_count(struct sq *s)
{
    struct sql_stmt *st;
    if (sql_prepare(&s->db, "SELECT count(*) FROM article WHERE pubstatus = 0", false, &st) != SQLITE_OK)
        return -1;
    int64_t n = sql_step(st) == SQLITE_ROW ? sql_column_int64(st, 0) : -1;
    sql_finalize(st);
    return n;
}

/* Rebuilds the index from the articles and records want as its
 * signature, inside the caller's transaction; had is the old one. */
static int
rebuild(struct sq *s, const char *want, const char *had, struct mld_err *err)
{
    double t0 = mld_time_mono_s();
    int64_t n = usable_count(s);
    int rc;
    if (sql_pg(&s->db)) {
        rc = sq_pg_search_rebuild(s, err);
    } else {
        rc = sq_exec(s, "INSERT INTO article_fts(article_fts) VALUES ('rebuild')", err);
        if (rc == 0)
            rc = vocab_fill(s, err);
    }
    if (rc != 0)
        return rc;
    struct sql_stmt *st;
    if (sql_prepare(&s->db,
                    "INSERT INTO meta(key, value) VALUES ('" META_SIGNATURE "', ?1) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    false, &st) != SQLITE_OK)
        return sq_error(s, err, "record the search index signature");
    sq_bind_text(st, 1, want);
    rc = sq_step_done(s, st, err, "record the search index signature");
    sql_finalize(st);
    if (rc == 0 && (had != NULL || n > 0))
        mld_log_info("%s: search index rebuilt for analyzer %s (was %s): %lld articles in %.2f s",
                     s->path, want, had ? had : "none", (long long)n, mld_time_mono_s() - t0);
    return rc;
}

/* Rebuilds the index when the analyzer's signature differs from the one
 * it was built with (or none is recorded: a store from before search).
 * The check is a read; only a rebuild takes the write lock, and checks
 * again under it, so two processes opening at once rebuild once. */
static int
check_signature(struct sq *s, struct mld_err *err)
{
    const char *want = mld_analyzer_signature(mld_analyzer());
    char *had = NULL;
    int rc = stored_signature(s, &had, err);
    if (rc != 0 || (had != NULL && strcmp(had, want) == 0))
        goto out;
    /* On PostgreSQL a reader's session may not write (nor may any on a hot
     * standby): it searches the index as it is and leaves the rebuild to
     * the next writer. (SQLite's readers are made query-only after it.) */
    if (sql_pg(&s->db) && (rc = sq_read_only(s, err)) != 0) {
        if (rc == 1)
            mld_log_info("%s: search index built for analyzer %s, this meldung's is %s: "
                         "left to a connection that writes",
                         s->path, had != NULL ? had : "none", want);
        rc = rc == 1 ? 0 : rc;
        goto out;
    }
    mld_free(had);
    rc = sq_txn_begin(s, err);
    if (rc != 0)
        return rc;
    rc = stored_signature(s, &had, err);
    if (rc == 0 && (had == NULL || strcmp(had, want) != 0))
        rc = rebuild(s, want, had, err);
    if (rc == 0)
        rc = sq_txn_commit(s, err);
    if (rc != 0)
        sq_txn_rollback(s);
out:
    mld_free(had);
    return rc;
}

/* Fills the vocabulary from the index when it never was (a store from
 * before migration 0018); like check_signature, a read first, then again
 * under the write lock. */
static int
check_vocab(struct sq *s, struct mld_err *err)
{
    static const char sql[] = "SELECT 1 FROM meta WHERE key = '" META_VOCAB "'";
    for (int locked = 0; locked < 2; locked++) {
        struct sql_stmt *st;
        if (sql_prepare(&s->db, sql, false, &st) != SQLITE_OK)
            return sq_error(s, err, "read the search vocabulary's state");
        bool filled = sql_step(st) == SQLITE_ROW;
        sql_finalize(st);
        if (filled)
            return locked ? sq_txn_commit(s, err) : 0;
        if (locked) {
            double t0 = mld_time_mono_s();
            int rc = vocab_fill(s, err);
            if (rc == 0)
                rc = sq_txn_commit(s, err);
            if (rc != 0) {
                sq_txn_rollback(s);
                return rc;
            }
            mld_log_info("%s: search vocabulary filled from the index in %.2f s", s->path,
                         mld_time_mono_s() - t0);
            return 0;
        }
        int rc = sq_txn_begin(s, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
sq_search_open(struct sq *s, struct mld_err *err)
{
    if (sql_pg(&s->db)) { /* its vocabulary came with its index (0004) */
        if (s->search == NULL)
            s->search = MLD_NEW(struct sq_search);
        return check_signature(s, err);
    }
    fts5_api *api = fts5_of(s, err);
    if (api == NULL)
        return MLD_E_STORE;
    if (api->xCreateFunction(api, "mld_rank", &s->search->rank, rank_fn, NULL) != SQLITE_OK ||
        api->xCreateFunction(api, "mld_snippet", NULL, snippet_fn, NULL) != SQLITE_OK)
        return sq_error(s, err, "register the search rank and snippet functions");
    /* The index's vocabulary, for "did you mean": documents per term, and
     * where a term occurs. Temporary: nothing to migrate. */
    int rc = sq_exec(s,
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_vocab "
                     "USING fts5vocab(main, article_fts, 'row'); "
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_vocab_at "
                     "USING fts5vocab(main, article_fts, 'instance')",
                     err);
    if (rc == 0)
        rc = check_signature(s, err);
    if (rc == 0)
        rc = check_vocab(s, err);
    return rc;
}

/* Upkeep ------------------------------------------------------------------ */

int
sq_search_merge(void *impl, int pages, bool *more, struct mld_err *err)
{
    struct sq *s = impl;
    int rc = sq_txn_begin(s, err);
    if (rc != 0)
        return rc;
    if (sql_pg(&s->db)) {
        /* The whole pending list at once; nothing to do without one
         * (fastupdate off) or when it is empty. */
        *more = false;
        rc = sq_exec(s, "SELECT gin_clean_pending_list('search_doc_terms')", err);
    } else {
        /* A negative count merges even segments of different sizes, down
         * to one; a step that changed fewer than two rows found nothing
         * left to merge (the FTS5 documentation's test). */
        int before = sqlite3_total_changes(s->db.lite);
        char sql[96];
        snprintf(sql, sizeof(sql), "INSERT INTO article_fts(article_fts, rank) VALUES ('merge', %d)",
                 -pages);
        rc = sq_exec(s, sql, err);
        *more = rc == 0 && sqlite3_total_changes(s->db.lite) - before >= 2;
    }
    if (rc == 0)
        rc = sq_txn_commit(s, err);
    if (rc != 0)
        sq_txn_rollback(s);
    return rc;
}

int
sq_search_pieces(void *impl, int64_t *out, struct mld_err *err)
{
    struct sq *s = impl;
    if (sql_pg(&s->db))
        return 0; /* *out stays -1: a GIN index has no segments */
    /* article_fts_idx has a row for each leaf page a segment's b-tree
     * points at: every segment has one. */
    return sq_one(s, "SELECT count(DISTINCT segid) FROM article_fts_idx", NULL, out, NULL, err);
}

void
sq_search_close(struct sq *s)
{
    /* close() finalizes the statements. */
    if (s->search == NULL)
        return;
    sq_search_discard(s);
    sq_pg_search_free(s);
    vocab_clear(&s->search->vocab);
    mld_free(s->search->queue);
    mld_free(s->search->marks);
    mld_free(s->search->offered);
    mld_free(s->search);
    s->search = NULL;
}

/* Searching ------------------------------------------------------------- */

/* A story's best match so far. */
struct cand {
    int64_t story;
    int64_t id;
    double score;
};

struct cands {
    struct cand *v;
    int n;
};

/* Orders by story, best score first within a story. */
static int
by_story(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->story != b->story)
        return a->story < b->story ? -1 : 1;
    return a->score > b->score ? -1 : a->score < b->score;
}

/* Orders best first; the newer article (higher id) wins a tie. */
static int
by_score(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

/* Keeps each story's best candidate only. */
static void
cands_dedupe(struct cands *c)
{
    if (c->n < 2)
        return; /* and qsort() must not see the NULL of an empty list */
    qsort(c->v, (size_t)c->n, sizeof(*c->v), by_story);
    int o = 0;
    for (int i = 0; i < c->n; i++)
        if (o == 0 || c->v[o - 1].story != c->v[i].story)
            c->v[o++] = c->v[i];
    c->n = o;
}

/* Appends to c the want best stories of one window's matches rows (in
 * the order scanned), each with its best match: what GROUP BY story with
 * max(score), ORDER BY score, id DESC LIMIT want returns in SQL (of a
 * story's equal best scores the first scanned, as max() keeps). A hash
 * of the stories finds each one's best, then the best want are kept in
 * order by insertion: no sort of every match. rows is reordered. */
static void
window_best(struct cands *rows, int want, struct cands *c)
{
    if (rows->n == 0 || want <= 0)
        return;
    size_t cap = 16;
    while (cap < 2 * (size_t)rows->n)
        cap *= 2;
    int *slot = mld_malloc(cap * sizeof(*slot)); /* index into rows->v, -1 empty */
    for (size_t i = 0; i < cap; i++)
        slot[i] = -1;
    int n = 0; /* rows->v[0..n): each story's best so far, in order first met */
    for (int i = 0; i < rows->n; i++) {
        struct cand m = rows->v[i];
        size_t h = (size_t)((uint64_t)m.story * 0x9E3779B97F4A7C15u >> 7) & (cap - 1);
        while (slot[h] >= 0 && rows->v[slot[h]].story != m.story)
            h = (h + 1) & (cap - 1);
        if (slot[h] < 0) {
            slot[h] = n;
            rows->v[n++] = m;
        } else if (m.score > rows->v[slot[h]].score) {
            rows->v[slot[h]] = m;
        }
    }
    mld_free(slot);
    /* The best want of them, best first (by_score), appended to c. */
    int k = 0, base = c->n;
    c->v = mld_reallocarray(c->v, (size_t)c->n + (size_t)(n < want ? n : want), sizeof(*c->v));
    struct cand *top = c->v + base;
    for (int i = 0; i < n; i++) {
        const struct cand *m = &rows->v[i];
        if (k == want && by_score(m, &top[k - 1]) >= 0)
            continue;
        int j = k < want ? k++ : k - 1;
        while (j > 0 && by_score(m, &top[j - 1]) < 0) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = *m;
    }
    c->n = base + k;
}

/* Where the ranking starts: from the index (each match is checked
 * against the filters, in windows of ids) or from the articles of one
 * filter small enough to look each up in the index. */
enum drive {
    DRIVE_INDEX,
    DRIVE_TOPIC,
    DRIVE_SECTION,
    DRIVE_DATES,
};

/* The articles a filter-driven ranking starts from (bound as in
 * ranking_sql), each at most MLD_SEARCH_FILTER_DRIVE + 1 for counting. */
static const char *const drive_sql[] = {
    [DRIVE_TOPIC] = "SELECT article_id AS id FROM article_topic WHERE slug = ?6",
    [DRIVE_SECTION] = "SELECT id FROM article WHERE section_slug = ?5",
    [DRIVE_DATES] = "SELECT id FROM article WHERE published >= ?7 AND published < ?8",
};

/* Writes the ranking statement for q's filters into sql. Parameters:
 * ?1 MATCH expression, ?2-?3 id window [lo, hi) (DRIVE_INDEX only), ?4
 * now, ?5 section, ?6 topic, ?7-?8 published [from, to) (to 0: open).
 * Each row is a match: story, article id, score. The filters are fixed fragments; every value is
 * bound. CROSS JOIN fixes the join order: left alone, SQLite starts from
 * article_section for a section filter even when the section holds a
 * third of the store, and then runs one FTS5 query per article. */
static void
ranking_sql(struct mld_buf *sql, const struct mld_search *q, enum drive drive, bool pg)
{
    if (drive != DRIVE_INDEX)
        mld_buf_printf(sql, "WITH pick AS MATERIALIZED (%s) ", drive_sql[drive]);
    if (pg) {
        sq_pg_ranking_head(sql, drive != DRIVE_INDEX);
        goto filters;
    }
    mld_buf_puts(sql, "SELECT a.story_id, a.id, "
                      "mld_rank(article_fts, d.sz) * (1.0 + " RANK_RECENCY " / (1.0 + "
                      "max(?4 - a.published, 0) / " RANK_HALF_SECS ")) ");
    if (drive == DRIVE_INDEX)
        mld_buf_puts(sql, "FROM article_fts CROSS JOIN article a ON a.id = article_fts.rowid "
                          "LEFT JOIN article_fts_docsize d ON d.id = a.id "
                          "WHERE article_fts MATCH ?1 AND article_fts.rowid >= ?2 "
                          "AND article_fts.rowid < ?3 ");
    else
        mld_buf_puts(sql, "FROM pick CROSS JOIN article a ON a.id = pick.id "
                          "CROSS JOIN article_fts ON article_fts.rowid = a.id "
                          "LEFT JOIN article_fts_docsize d ON d.id = a.id "
                          "WHERE article_fts MATCH ?1 ");
filters:
    mld_buf_puts(sql, "AND a.pubstatus = 0 AND a.visible_from <= ?4 ");
    if (q->section_slug != NULL)
        mld_buf_puts(sql, "AND a.section_slug = ?5 ");
    if (q->topic_slug != NULL)
        mld_buf_puts(sql, "AND EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.id "
                          "AND t.slug = ?6) ");
    if (q->from > 0 || q->to > 0)
        mld_buf_puts(sql, "AND a.published >= ?7 AND a.published < ?8 ");
    /* The rows as scored: window_best() keeps each story's best and the
     * best stories (an FTS5 function cannot run inside an aggregate, and a
     * CTE to group in SQL wrote every matching row to a temporary table
     * and sorted it twice: a tenth of a common word's search). */
}

/* Binds q's values to a statement of ranking_sql() or drive_sql[]
 * (parameters it does not use are left alone). */
static void
bind_filters(struct sql_stmt *st, const struct mld_search *q)
{
    int n = sql_bind_count(st);
    if (n >= 4)
        sql_bind_int64(st, 4, q->now);
    if (n >= 5)
        sq_bind_text(st, 5, q->section_slug);
    if (n >= 6)
        sq_bind_text(st, 6, q->topic_slug);
    if (n >= 8) {
        sql_bind_int64(st, 7, q->from);
        sql_bind_int64(st, 8, q->to > 0 ? q->to : INT64_MAX);
    }
}

/* True when filter drive of q holds at most MLD_SEARCH_FILTER_DRIVE
 * articles (counted through its index, never further than that). */
static bool
filter_is_small(struct sq *s, const struct mld_search *q, enum drive drive)
{
    struct mld_buf sql;
    mld_buf_init(&sql, 1024);
    mld_buf_printf(&sql, "SELECT count(*) FROM (%s LIMIT %d) f", drive_sql[drive],
                   MLD_SEARCH_FILTER_DRIVE + 1);
    sq_pg_params_pad(s, &sql, 8, true);
    struct sql_stmt *st;
    int prc = sql_prepare(&s->db, sql.p, false, &st);
    mld_buf_dispose(&sql);
    if (prc != SQLITE_OK)
        return false;
    bind_filters(st, q);
    bool small = sql_step(st) == SQLITE_ROW &&
                 sql_column_int(st, 0) <= MLD_SEARCH_FILTER_DRIVE;
    sql_finalize(st);
    return small;
}

/* Picks where the ranking of q starts: the first filter (topic, section,
 * dates) small enough to drive it, else the index. */
static enum drive
choose_drive(struct sq *s, const struct mld_search *q)
{
    if (q->topic_slug != NULL && filter_is_small(s, q, DRIVE_TOPIC))
        return DRIVE_TOPIC;
    if (q->section_slug != NULL && filter_is_small(s, q, DRIVE_SECTION))
        return DRIVE_SECTION;
    if ((q->from > 0 || q->to > 0) && filter_is_small(s, q, DRIVE_DATES))
        return DRIVE_DATES;
    return DRIVE_INDEX;
}

/* Returns the highest article id, 0 for an empty store, -1 on error. */
static int64_t
max_article_id(struct sq *s, struct mld_err *err)
{
    struct sql_stmt *st = sq_prepare(s, &s->search->max_id, "SELECT max(id) FROM article", err);
    if (st == NULL)
        return -1;
    if (sql_step(st) != SQLITE_ROW) {
        sq_error(s, err, "search");
        return -1;
    }
    return sql_column_int64(st, 0);
}

/* The size of the window after one of size, when the windows so far
 * (searched ids) gave found of the want stories: MLD_SEARCH_WINDOW_GROWTH
 * times larger, or as many ids as the rest takes at the density seen (twice
 * that, to be sure), or, when nothing was found, MLD_SEARCH_WINDOW_JUMP
 * times larger. Each window is one more FTS5 query, and for a prefix one
 * more walk of every matching term's postings: a rare word reaches the
 * whole of a million articles in three windows instead of six. */
static int64_t
next_window(int64_t size, int64_t searched, int found, int want)
{
    double next = (double)size * MLD_SEARCH_WINDOW_GROWTH;
    double need = found > 0 ? 2.0 * (double)(want - found) * (double)searched / found
                            : (double)size * MLD_SEARCH_WINDOW_JUMP;
    if (need > next)
        next = need;
    return next < (double)(INT64_MAX / 2) ? (int64_t)next : INT64_MAX / 2;
}

/* Ranks the matches of match under q's filters into c (one candidate per
 * story) until it holds want stories: from the index window by window,
 * or, when a filter leaves few articles, over those at once. */
static int
collect(struct sq *s, const struct mld_search *q, const char *match, int want, struct cands *c,
        struct mld_err *err)
{
    int64_t max_id = max_article_id(s, err);
    if (max_id <= 0)
        return max_id < 0 ? MLD_E_STORE : 0;
    enum drive drive = choose_drive(s, q);
    bool pg = sql_pg(&s->db);
    struct cands rows = {NULL, 0}; /* one window's matches */
    int rows_cap = 0;
    struct mld_buf sql;
    mld_buf_init(&sql, 4096);
    ranking_sql(&sql, q, drive, sql_pg(&s->db));
    sq_pg_params_pad(s, &sql, 9, false);
    /* One statement per shape (drive and filters), prepared once: the
     * parse was a twentieth of a search for a rare word. */
    int shape = (int)drive * 8 + (q->section_slug != NULL) * 4 + (q->topic_slug != NULL) * 2 +
                (q->from > 0 || q->to > 0);
    struct sql_stmt *st = sq_prepare(s, &s->search->ranking[shape], sql.p, err);
    int rc = st == NULL ? MLD_E_STORE : 0;
    if (st == NULL)
        goto out;
    int64_t hi = max_id + 1, size = search_window;
    while (hi > 1 && c->n < want) {
        int64_t lo = drive != DRIVE_INDEX || hi - size < 1 ? 1 : hi - size;
        sql_reset(st);
        sql_bind_text(st, 1, match, -1);
        if (drive == DRIVE_INDEX || pg) {
            sql_bind_int64(st, 2, lo);
            sql_bind_int64(st, 3, hi);
        }
        bind_filters(st, q);
        if (pg)
            sq_pg_bind_terms(s, st, 9);
        int step;
        rows.n = 0;
        while ((step = sql_step(st)) == SQLITE_ROW) {
            if (rows.n == rows_cap) {
                rows_cap = rows_cap ? 2 * rows_cap : 256;
                rows.v = mld_reallocarray(rows.v, (size_t)rows_cap, sizeof(*rows.v));
            }
            rows.v[rows.n++] = (struct cand){sql_column_int64(st, 0), sql_column_int64(st, 1),
                                             pg ? sq_pg_row_score(s, st, &s->search->rank, q->now)
                                                : sql_column_double(st, 2)};
        }
        if (step != SQLITE_DONE) {
            rc = sq_error(s, err, "search");
            goto out;
        }
        window_best(&rows, want, c);
        cands_dedupe(c); /* a story may reach into an older window */
        hi = lo;
        size = next_window(size, max_id + 1 - lo, c->n, want);
    }
out:
    if (st != NULL)
        sql_reset(st);
    mld_free(rows.v);
    mld_buf_dispose(&sql);
    return rc;
}

/* Splits a snippet from FTS5, with MARK_OPEN/MARK_CLOSE around the
 * matches, into hit's text and match ranges. A stray marker byte in the
 * article's own text is dropped, and can neither open a second range nor
 * close none. */
static void
snippet_split(const char *s, struct mld_hit *hit)
{
    size_t n = strlen(s), o = 0, cap = 0;
    char *text = mld_malloc(n + 1);
    bool open = false;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p != MARK_OPEN && *p != MARK_CLOSE) {
            text[o++] = *p;
            continue;
        }
        if (*p == MARK_OPEN && !open) {
            if ((size_t)hit->nmarks == cap) {
                cap = cap ? 2 * cap : 8;
                hit->marks = mld_reallocarray(hit->marks, cap, sizeof(*hit->marks));
            }
            hit->marks[hit->nmarks].start = o;
            open = true;
        } else if (*p == MARK_CLOSE && open) {
            hit->marks[hit->nmarks++].end = o;
            open = false;
        }
    }
    if (open)
        hit->marks[hit->nmarks++].end = o;
    text[o] = '\0';
    hit->snippet = text;
}

/* Sets each hit's snippet: the words of its article's text around the
 * matches of match ("" when the article has no text; mld_snippet, FTS5's
 * snippet() in less time), and its marks: the matches. One FTS5 query for
 * the whole page: over the rowid range of the
 * hits, with the other rows left out by a filter that FTS5 cannot use
 * ("+ 0"), so SQLite computes snippet() for the page's rows only. One
 * query per hit evaluated the expression once per hit: a prefix merged
 * its completions' postings over the whole index every time. On
 * PostgreSQL the statement returns the rows' texts and term positions,
 * and sq_pg_row_snippet() makes the snippet of each. */
static int
snippets(struct sq *s, const char *match, struct mld_hits *out, struct mld_err *err)
{
    bool pg = sql_pg(&s->db);
    struct sql_stmt *st = sq_prepare(
        s, &s->search->snippet,
        pg ? sq_pg_snippet_sql
           : "SELECT rowid, mld_snippet(article_fts) FROM article_fts WHERE article_fts MATCH ?1 "
             "AND rowid >= ?2 AND rowid <= ?3 AND rowid + 0 IN (SELECT value FROM json_each(?4))",
        err);
    if (st == NULL)
        return MLD_E_STORE;
    struct mld_buf ids;
    mld_buf_init(&ids, 32 * (size_t)out->n + 16);
    int64_t lo = INT64_MAX, hi = 0;
    for (int i = 0; i < out->n; i++) {
        int64_t id = out->v[i].item.id;
        mld_buf_printf(&ids, "%c%lld", i ? ',' : '[', (long long)id);
        lo = id < lo ? id : lo;
        hi = id > hi ? id : hi;
    }
    mld_buf_putc(&ids, ']');
    sql_bind_text(st, 1, match, -1);
    sql_bind_int64(st, 2, lo);
    sql_bind_int64(st, 3, hi);
    sql_bind_text(st, 4, ids.p, (int)ids.len);
    if (pg)
        sq_pg_bind_terms(s, st, 5);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        int64_t id = sql_column_int64(st, 0);
        char *made = pg ? sq_pg_row_snippet(s, st) : NULL;
        const char *text = pg ? made : sql_column_text(st, 1);
        for (int i = 0; i < out->n; i++)
            if (out->v[i].item.id == id && out->v[i].snippet == NULL)
                snippet_split(text != NULL ? text : "", &out->v[i]);
        mld_free(made);
    }
    sql_reset(st);
    mld_buf_dispose(&ids);
    if (rc != SQLITE_DONE)
        return sq_error(s, err, "search snippet");
    for (int i = 0; i < out->n; i++)
        if (out->v[i].snippet == NULL)
            out->v[i].snippet = mld_strdup("");
    return 0;
}

/* "Did you mean" ----------------------------------------------------------- */

/* The best spelling one edit away from a word, as a raw index term. */
struct variant {
    char term[MLD_SEARCH_SUGGEST_MAX_WORD + 3]; /* marker, word, NUL */
    int64_t docs;
};

/* Appends the raw term cand[0..len) to the space-separated list. */
static void
add_variant(struct mld_buf *list, const char *cand, size_t len)
{
    if (list->len > 0)
        mld_buf_putc(list, ' ');
    mld_buf_append(list, cand, len);
}

/* Keeps in best the first term of list (space-separated) that the most
 * articles hold. On PostgreSQL one statement looks all of them up: a
 * round trip each was most of a search that suggests. */
static void
best_variant(struct sq *s, const char *list, struct variant *best)
{
    int n = list[0] != '\0';
    for (const char *c = list; *c != '\0'; c++)
        n += *c == ' ';
    int64_t *docs = sql_pg(&s->db) ? sq_pg_vocab_docs(s, list, n) : NULL;
    int i = 0;
    for (const char *c = list; *c != '\0'; i++) {
        const char *e = strchr(c, ' ');
        size_t len = e != NULL ? (size_t)(e - c) : strlen(c);
        int64_t d = docs != NULL ? docs[i] : vocab_docs(s, c, len);
        if (d > best->docs && len < sizeof(best->term)) {
            memcpy(best->term, c, len);
            best->term[len] = '\0';
            best->docs = d;
        }
        c += len + (e != NULL);
    }
    mld_free(docs);
}

/* Finds the raw term one edit away from the folded word w[0..n) (a-z
 * only) that most articles hold; best->docs stays 0 when none does. */
static void
closest_term(struct sq *s, const char *w, size_t n, struct variant *best)
{
    char c[MLD_SEARCH_SUGGEST_MAX_WORD + 3];
    struct mld_buf list;
    mld_buf_init(&list, SIZE_MAX);
    c[0] = MLD_RAW_MARK;
    for (size_t i = 0; i < n; i++) { /* deletion */
        memcpy(c + 1, w, i);
        memcpy(c + 1 + i, w + i + 1, n - i - 1);
        add_variant(&list, c, n);
    }
    for (size_t i = 0; i + 1 < n; i++) { /* transposition */
        memcpy(c + 1, w, n);
        c[1 + i] = w[i + 1];
        c[2 + i] = w[i];
        add_variant(&list, c, n + 1);
    }
    for (size_t i = 0; i < n; i++) /* substitution */
        for (char l = 'a'; l <= 'z'; l++) {
            if (l == w[i])
                continue;
            memcpy(c + 1, w, n);
            c[1 + i] = l;
            add_variant(&list, c, n + 1);
        }
    for (size_t i = 0; i <= n; i++) /* insertion */
        for (char l = 'a'; l <= 'z'; l++) {
            memcpy(c + 1, w, i);
            c[1 + i] = l;
            memcpy(c + 2 + i, w + i, n - i);
            add_variant(&list, c, n + 2);
        }
    if (list.p != NULL)
        best_variant(s, list.p, best);
    mld_buf_dispose(&list);
}

/* Finds a source word by its token position. */
struct find_at {
    const char *term; /* the raw term wanted */
    size_t len;
    int64_t offset; /* its position in the column */
    int64_t pos;    /* position of the current token */
    size_t start, end;
};

/* Stops at the raw token at the wanted position (an mld_token_fn). */
static int
find_token(void *ud, const struct mld_token *t)
{
    struct find_at *f = ud;
    if (!t->colocated)
        f->pos++;
    if (f->pos == f->offset && t->kind == MLD_TOK_RAW && t->len == f->len &&
        memcmp(t->term, f->term, t->len) == 0) {
        f->start = t->start;
        f->end = t->end;
        return 1;
    }
    return f->pos > f->offset ? 2 : 0; /* 2: past it, give up */
}

char *
sq_word_at(struct sq *s, int64_t id, int col, int64_t offset, const char *term)
{
    static const char *const columns[] = {"headline", "kicker", "body_text"};
    if (col < 0 || col > 2)
        return NULL;
    char sql[64], *word = NULL;
    snprintf(sql, sizeof(sql), "SELECT %s FROM article WHERE id = ?1", columns[col]);
    struct sql_stmt *text = sq_prepare(s, &s->search->column[col], sql, NULL);
    if (text == NULL)
        return NULL;
    sql_bind_int64(text, 1, id);
    if (sql_step(text) == SQLITE_ROW) {
        char *t = sq_col_text(text, 0);
        struct find_at f = {term, strlen(term), offset, -1, 0, 0};
        if (t != NULL &&
            mld_analyze(mld_analyzer(), t, strlen(t), MLD_AN_INDEX, find_token, &f) == 1)
            word = mld_strndup(t + f.start, f.end - f.start);
        mld_free(t);
    }
    sql_reset(text);
    return word;
}

/* Returns the word as an article writes the raw term (mld_free), or the
 * term without its marker when that cannot be found: the first place
 * (article, column, position) the index holds it. */
static char *
spelling(struct sq *s, const char *term)
{
    static const char *const columns[] = {"headline", "kicker", "body_text"};
    if (sql_pg(&s->db)) {
        char *word = sq_pg_spelling(s, term);
        return word != NULL ? word : mld_strdup(term + 1);
    }
    char *word = NULL;
    struct sql_stmt *st = sq_prepare(s, &s->search->term_at,
                                  "SELECT doc, col, offset FROM temp.article_vocab_at "
                                  "WHERE term = ?1 LIMIT 1",
                                  NULL);
    if (st == NULL)
        return mld_strdup(term + 1);
    sq_bind_text(st, 1, term);
    if (sql_step(st) == SQLITE_ROW) {
        const char *col = sql_column_text(st, 1);
        for (int i = 0; i < 3 && word == NULL; i++)
            if (col != NULL && strcmp(col, columns[i]) == 0)
                word = sq_word_at(s, sql_column_int64(st, 0), i, sql_column_int64(st, 2), term);
    }
    sql_reset(st);
    return word != NULL ? word : mld_strdup(term + 1);
}

/* Returns the correction of the reader's word w, or NULL when w is known
 * to the index (as written or by its stem) or no spelling one edit away
 * is. */
static char *
correct_word(struct sq *s, const char *w, size_t len)
{
    const struct mld_analyzer *an = mld_analyzer();
    char stem[4 * MLD_SEARCH_SUGGEST_MAX_WORD];
    char raw[MLD_SEARCH_SUGGEST_MAX_WORD + 2];
    size_t n = mld_fold_word(w, len, raw + 1, sizeof(raw) - 1);
    if (n < 3 || n > MLD_SEARCH_SUGGEST_MAX_WORD)
        return NULL;
    for (size_t i = 1; i <= n; i++)
        if (raw[i] < 'a' || raw[i] > 'z')
            return NULL; /* variants are built from a-z */
    raw[0] = MLD_RAW_MARK;
    size_t sn = mld_stem_word(an, w, len, stem, sizeof(stem));
    if (vocab_docs(s, raw, n + 1) > 0 || (sn > 0 && vocab_docs(s, stem, sn) > 0))
        return NULL;
    struct variant best = {.docs = 0};
    closest_term(s, raw + 1, n, &best);
    return best.docs > 0 ? spelling(s, best.term) : NULL;
}

/* Returns the reader's query with each unknown plain word replaced by its
 * correction, or NULL when no word was corrected. */
static char *
suggest(struct sq *s, const char *text, const struct mld_fts_query *fq)
{
    struct mld_buf b;
    mld_buf_init(&b, 4 * MLD_SEARCH_MAX_QUERY_BYTES);
    size_t at = 0;
    int corrected = 0;
    for (int i = 0; i < fq->nwords; i++) {
        const struct mld_qword *w = &fq->words[i];
        char *fix = correct_word(s, w->word, w->len);
        if (fix == NULL)
            continue;
        mld_buf_append(&b, text + at, w->start - at);
        mld_buf_puts(&b, fix);
        at = w->start + w->len;
        corrected++;
        mld_free(fix);
    }
    mld_buf_puts(&b, text + at);
    char *out = corrected > 0 && mld_buf_error(&b) == 0 ? mld_buf_steal(&b, NULL) : NULL;
    mld_buf_dispose(&b);
    return out;
}

/* The plan: each term of the query, and prefixes from the vocabulary ---- */

/* The one token the analyzer makes of a term, if it makes one. */
struct one_token {
    char term[4 * MLD_SEARCH_SUGGEST_MAX_WORD + 64];
    size_t len;
    int n; /* tokens seen */
};

/* Keeps the first token (an mld_token_fn). */
static int
keep_token(void *ud, const struct mld_token *t)
{
    struct one_token *o = ud;
    if (o->n++ == 0 && t->len < sizeof(o->term)) {
        memcpy(o->term, t->term, t->len);
        o->len = t->len;
    } else if (o->n == 1) {
        o->n = 2; /* too long to keep: as if several */
    }
    return 0;
}

/* Notes that the expression's next phrase belongs to term t. */
static void
plan_phrase(struct sq_rank *st, int t)
{
    if (st->nphrases < SQ_PLAN_PHRASES)
        st->phrase_term[st->nphrases] = t;
    st->nphrases++;
}

/* Writes prefix term t (its raw form raw[0..len)) as its most frequent
 * completions in the vocabulary, ( "a" OR "b" ... ), at most
 * MLD_SEARCH_PREFIX_TERMS, and sets its document count to the sum over
 * all of them. One scan of the vocabulary's range of the prefix. Returns
 * false (the parser writes the prefix as such) when no completion exists
 * or they are rare: FTS5 merges a prefix's postings in time proportional
 * to them, while each completion costs a seek in every segment of the
 * index, so the prefix stays cheaper up to MLD_SEARCH_PREFIX_EXPAND
 * articles per completion. */
static bool
plan_prefix(struct sq *s, struct sq_rank *st, int t, const char *raw, size_t len, struct mld_buf *b)
{
    struct sql_stmt *q = sq_prepare(s, &s->search->vocab_prefix,
                                    "SELECT term, docs FROM search_vocab "
                                    "WHERE term >= ?1 AND term <= ?2",
                                    NULL);
    /* Every term starting with raw sorts before raw followed by the last
     * code point, U+10FFFF: a bound that is UTF-8, as PostgreSQL wants
     * its text (raw with its last byte raised is not, after 0xBF). */
    char hi[sizeof(((struct one_token *)0)->term) + 4];
    if (q == NULL || len == 0)
        return false;
    memcpy(hi, raw, len);
    memcpy(hi + len, "\xF4\x8F\xBF\xBF", 4);
    sql_bind_text(q, 1, raw, (int)len);
    sql_bind_text(q, 2, hi, (int)len + 4);
    struct {
        char *term;
        int64_t docs;
    } top[MLD_SEARCH_PREFIX_TERMS];
    int n = 0;
    int64_t sum = 0;
    while (sql_step(q) == SQLITE_ROW) {
        int64_t d = sql_column_int64(q, 1);
        sum += d;
        if (n == MLD_SEARCH_PREFIX_TERMS && d <= top[n - 1].docs)
            continue;
        if (n == MLD_SEARCH_PREFIX_TERMS)
            mld_free(top[--n].term);
        int k = n++; /* keep top[] ordered, most articles first */
        while (k > 0 && top[k - 1].docs < d) {
            top[k] = top[k - 1];
            k--;
        }
        top[k].term = sq_col_text(q, 0);
        top[k].docs = d;
    }
    sql_reset(q);
    if (n == 0 || sum <= (int64_t)n * prefix_expand) {
        for (int i = 0; i < n; i++)
            mld_free(top[i].term);
        return false;
    }
    st->docs[t] = sum;
    mld_buf_putc(b, '(');
    for (int i = 0; i < n; i++) {
        if (sql_pg(&s->db)) { /* a completion is one index term */
            if (i > 0)
                mld_buf_puts(b, " OR ");
            sq_pg_plan_phrase(s, top[i].term, strlen(top[i].term), false, true, b);
            plan_phrase(st, t);
            mld_free(top[i].term);
            continue;
        }
        mld_buf_puts(b, i > 0 ? " OR \"" : "\"");
        mld_buf_putc(b, TERM_AS_IS);
        for (const char *c = top[i].term; *c != '\0'; c++) {
            if (*c == '"')
                mld_buf_putc(b, '"');
            mld_buf_putc(b, *c);
        }
        mld_buf_putc(b, '"');
        plan_phrase(st, t);
        mld_free(top[i].term);
    }
    mld_buf_putc(b, ')');
    return true;
}

/* What the search knows while the query is parsed. */
struct plan {
    struct sq *s;
    struct sq_rank *st;
};

/* Plans one term of the query (a struct mld_query_hook term function):
 * its document count from the vocabulary when it is one index term, a
 * prefix as its completions; a quoted phrase (several tokens) is counted
 * by walking, an excluded term not at all. */
static bool
plan_term(void *ud, const char *text, size_t len, bool prefix, bool negated, struct mld_buf *b)
{
    struct plan *p = ud;
    struct sq_rank *st = p->st;
    int t = st->nterms < MLD_SEARCH_MAX_TERMS ? st->nterms++ : MLD_SEARCH_MAX_TERMS - 1;
    st->docs[t] = negated ? SQ_DOCS_NONE : SQ_DOCS_WALK;
    struct one_token o = {.n = 0};
    if (!negated)
        mld_analyze(mld_analyzer(), text, len, prefix ? MLD_AN_QUERY | MLD_AN_PREFIX : MLD_AN_QUERY,
                    keep_token, &o);
    if (o.n == 1 && prefix && plan_prefix(p->s, st, t, o.term, o.len, b))
        return true;
    if (o.n == 1)
        st->docs[t] = prefix ? 0 : vocab_docs(p->s, o.term, o.len);
    plan_phrase(st, t);
    if (!sql_pg(&p->s->db))
        return false;
    sq_pg_plan_phrase(p->s, text, len, prefix, false, b); /* PostgreSQL: a tsquery */
    return true;
}

/* The search ------------------------------------------------------------- */

/* Parses q's text into fq (its expression for the engine, planned) and
 * ranks its matches under q's filters into c, best first, one per
 * story, at most offset + limit + 1 of them. */
static int
search_ranked(struct sq *s, const struct mld_search *q, struct mld_fts_query *fq, struct cands *c,
              struct mld_err *err)
{
    const char *text = q->text != NULL ? q->text : "";
    struct sq_rank *st = &s->search->rank;
    *st = (struct sq_rank){.planned = true}; /* this query's terms */
    struct plan plan = {s, st};
    struct mld_query_hook hook = {&plan, plan_term};
    bool pg = sql_pg(&s->db); /* plans always: the plan writes the tsquery */
    if (pg)
        sq_pg_plan_reset(s);
    int rc = mld_query_parse_with(text, strlen(text), search_plan || pg ? &hook : NULL, fq, err);
    st->planned = (search_plan || pg) && rc == 0 && st->nphrases <= SQ_PLAN_PHRASES;
    if (rc != 0)
        return rc;
    if (pg) {
        char *tsq = sq_pg_tsquery(fq->match);
        mld_free(fq->match);
        fq->match = tsq;
        rc = sq_pg_rank_fill(s, st, err);
    }
    int want = q->offset + q->limit + 1; /* one more tells whether there are more */
    if (rc == 0)
        rc = collect(s, q, fq->match, want, c, err);
    if (rc == 0 && c->n > 1)
        qsort(c->v, (size_t)c->n, sizeof(*c->v), by_score);
    return rc;
}

int
sq_search(void *impl, const struct mld_search *q, struct mld_hits *out, struct mld_err *err)
{
    struct sq *s = impl;
    const char *text = q->text != NULL ? q->text : "";
    struct mld_fts_query fq;
    struct cands c = {NULL, 0};
    int rc = search_ranked(s, q, &fq, &c, err);
    if (rc != 0)
        goto out;
    int n = c.n - q->offset;
    n = n < 0 ? 0 : n > q->limit ? q->limit : n;
    out->more = c.n > q->offset + q->limit;
    out->v = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*out->v));
    out->n = n;
    int64_t *ids = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*ids));
    struct mld_item **its = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*its));
    for (int i = 0; i < n; i++) {
        ids[i] = c.v[q->offset + i].id;
        its[i] = &out->v[i].item;
        out->v[i].score = c.v[q->offset + i].score;
    }
    rc = sq_read_items(s, ids, its, n, q->now,
                       SQ_READ_SECTIONS | (q->entries ? SQ_READ_TOPICS : SQ_READ_FULL), err);
    mld_free(ids);
    mld_free(its);
    if (rc == 0 && out->n > 0)
        rc = snippets(s, fq.match, out, err);
    if (rc == 0 && c.n == 0 && q->offset == 0)
        out->suggestion = suggest(s, text, &fq);
    if (rc != 0)
        mld_hits_dispose(out);
out:
    mld_free(c.v);
    mld_fts_query_dispose(&fq);
    return rc;
}
