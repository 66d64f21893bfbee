/*
 * sqlite_int.h - what the SQLite backend's files share.
 *
 * The backend is split by concern: sqlite.c (schema, transactions,
 * articles, lists, sources), sqlite_search.c (the full-text index and
 * search) and sqlite_story.c (story clustering and related news). They
 * share one connection and these helpers. Each file keeps its statements
 * in slots of its own and prepares them with sq_prepare(); close()
 * finalizes every statement sq_prepare() made (a statement prepared
 * otherwise is finalized by its user).
 */
#ifndef MLD_SQLITE_INT_H
#define MLD_SQLITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "changekey.h"
#include "sql.h"
#include "store.h"

struct sq_stmts;  /* sqlite.c's prepared statements */
struct sq_search; /* sqlite_search.c's state */
struct sq_story;  /* sqlite_story.c's state */

struct sq {
    struct sql_db db;        /* SQLite's or PostgreSQL's connection */
    char *path;               /* for messages */
    struct sq_stmts *stmts;
    struct sq_search *search;
    struct sq_story *story;
    int in_txn; /* transaction depth: 0 none, 1 BEGIN, 2+ savepoints */
    bool full;  /* an error since the last BEGIN was for lack of space */
    bool logged; /* change keys logged in the open transaction */
    void *pack;            /* sqlite_pack.c's deflate state, made on first use */
    /* sqlite_editor.c's two reads that every article page makes (its
     * editorial state and correction notes), kept prepared */
    struct sql_stmt *ed_state, *ed_notes;
    /* a render's read transaction on SQLite (sq_read_begin/end): BEGIN
     * and COMMIT kept prepared, not parsed again for every page */
    struct sql_stmt *read_begin, *read_commit;
    struct sql_stmt ***slots; /* every slot sq_prepare() filled, for close() */
    int nslots;
};

/* Records the connection's last error in err as "path: what: reason" and
 * returns MLD_E_STORE. */
int sq_error(struct sq *s, struct mld_err *err, const char *what);

/* Returns the statement in *slot, preparing sql into it on first use,
 * reset and with bindings cleared; NULL with err set on failure. */
struct sql_stmt *sq_prepare(struct sq *s, struct sql_stmt **slot, const char *sql,
                         struct mld_err *err);

/* Runs sql, a statement of one row and column (a count, a setting, a
 * text), with param as ?1 when not NULL: its value as a number in *n, or
 * as a new string in *text (NULL for SQL NULL), each when not NULL; both
 * are left as they are when there is no row. Returns 0 or MLD_E_STORE
 * (err naming what, or the statement). */
int sq_one(struct sq *s, const char *sql, const char *param, int64_t *n, char **text,
           struct mld_err *err);

/* Runs sql (one or more statements without results). Returns 0 or
 * MLD_E_STORE. */
int sq_exec(struct sq *s, const char *sql, struct mld_err *err);

/* Runs a statement that returns no rows; what names it in the error. */
int sq_step_done(struct sq *s, struct sql_stmt *st, struct mld_err *err, const char *what);

/* Binds v, or NULL when v is NULL (the string must outlive the step). */
void sq_bind_text(struct sql_stmt *st, int i, const char *v);

/* Copies column i as a new string (mld_free), or NULL for SQL NULL; a
 * packed text (sq_bind_packed) comes back unpacked, a damaged one as NULL
 * (with a warning), never as its bytes. */
char *sq_col_text(struct sql_stmt *st, int i);

/* sq_col_text() of a text that may be packed against dict (the row's
 * HTML body, for `article.body_text`: sq_bind_packed_text). */
char *sq_col_text_with(struct sql_stmt *st, int i, const char *dict);

/* sqlite_pack.c: texts kept deflated. Binds v like sq_bind_text, but
 * packed (a BLOB) when it is long enough for that to pay. */
void sq_bind_packed(struct sq *s, struct sql_stmt *st, int i, const char *v);

/* Binds a plain text column kept packed on SQLite (`article.body_text`,
 * migration 0020) and as TEXT on PostgreSQL, where packing would save
 * little (docs/internals/postgres.md, "Schema"). On SQLite v is packed
 * against html, the row's HTML body (NULL: none), as a dictionary: the
 * text mostly repeats it, and so packs to a sixth of its size alone
 * (migration 0022). Its readers need that body to unpack it. */
void sq_bind_packed_text(struct sq *s, struct sql_stmt *st, int i, const char *v,
                         const char *html);

/* The version the article row (id ?1) shows: its newest applied one.
 * That version's row keeps no body of its own (body_html NULL: "the
 * article's"), as the article row has it; put() writes the body into it
 * when a newer version replaces it there (migrations 0021 and PG 0006
 * cleared the copies older stores kept). A SQL expression. */
#define SQ_VERSION_SHOWN "(SELECT max(id) FROM version WHERE article_id = ?1 AND applied = 1)"

/* The HTML body of version row v (FROM version v) of article ?1, as it
 * was delivered: its own, or the article's for the shown version. A SQL
 * expression; a NULL of any other version is a version without body. */
#define SQ_VERSION_BODY                                                                            \
    "coalesce(v.body_html, CASE WHEN v.id = " SQ_VERSION_SHOWN " THEN (SELECT body_html "          \
    "FROM article WHERE id = ?1) END)"

/* True when blob[0..n) is a packed text (starts as one). */
bool sq_packed(const void *blob, size_t n);

/* Returns the text of packed value blob[0..n) (mld_free; its length in
 * *out_n when not NULL), or NULL when blob is not a packed text, is
 * damaged, or was packed against a dictionary other than dict (NULL:
 * none). */
char *sq_unpack(const void *blob, size_t n, const char *dict, size_t *out_n);

/* Registers the SQL functions mld_pack(x [, dict]) and mld_unpack(x [,
 * dict]) (the migrations, the full-text index's view and triggers use
 * them). Returns 0 or MLD_E_STORE. */
int sq_pack_register(struct sq *s, struct mld_err *err);

/* Frees the connection's deflate state (close() calls it). */
void sq_pack_close(struct sq *s);

/* sqlite.c: the connection's transactions. Every BEGIN IMMEDIATE, COMMIT
 * and ROLLBACK of the backend goes through these: the commit first writes
 * the search-index changes queued in the transaction (sq_search_flush),
 * a rollback drops them. */
int sq_txn_begin(struct sq *s, struct mld_err *err);
int sq_txn_commit(struct sq *s, struct mld_err *err);
void sq_txn_rollback(struct sq *s);

/* Runs fn(s, ud, err) inside the open transaction, or else in one of its
 * own: committed when fn returns 0, rolled back otherwise. */
int sq_in_txn(struct sq *s, int (*fn)(struct sq *, void *, struct mld_err *), void *ud,
              struct mld_err *err);

/* sqlite.c: append v as the next element of the list b holds, after its
 * opening bracket: "{1,2}" (PostgreSQL's array literal) or "[1,2]"
 * (JSON, for SQLite's json_each), a comma before all but the first.
 * Many rows' values bound as one parameter make one statement, not one
 * each (CAST(?N AS BIGINT[]), json_each(?N)). The text form is
 * PostgreSQL's, each element quoted (" and \\ escaped): CAST(?N AS
 * TEXT[]). */
void sq_list_int(struct mld_buf *b, int64_t v);
void sq_list_text(struct mld_buf *b, const char *v);

/* Binds v[0..n) to parameter at of st as PostgreSQL's array literal
 * ("{1,2,3}", for CAST(?N AS BIGINT[])), written into b (initialised
 * here); the caller disposes of b once the statement has run. */
void sq_bind_ints(struct sql_stmt *st, int at, struct mld_buf *b, const int64_t *v, int n);

/* sqlite.c: an article as pages show it (see mld_store_get). */
int sq_get(void *impl, int64_t id, struct mld_item *out, struct mld_err *err);

/* What sq_read_items reads besides each article: its whole text, topics
 * and categories (FULL; else a list entry, what a teaser shows: no body,
 * text or aside, so none to unpack), its topics (TOPICS: what a search hit
 * shows on the site and in the API), its story's sections and size
 * (SECTIONS). Its media always. With FULL, PAGE leaves out the plain text
 * of an article with a teaser (mld_store_get_page). */
enum { SQ_READ_FULL = 1, SQ_READ_TOPICS = 2, SQ_READ_SECTIONS = 4, SQ_READ_PAGE = 8 };

/* sqlite.c: reads the articles ids[0..n) into its[0..n) (zeroed items,
 * filled in place, in that order), at now; one statement per kind of
 * row for all of them on PostgreSQL. Returns 0, MLD_E_NOTFOUND for an id
 * without article, or MLD_E_STORE; the caller disposes the items. */
int sq_read_items(struct sq *s, const int64_t *ids, struct mld_item **its, int n, mld_time_t now,
                  unsigned what, struct mld_err *err);

/* sqlite.c: loads the items ids[0..n) into out (emptied on failure).
 * With sections set they are list entries (a related list): the story's
 * sections and size, and what a teaser shows, without the body, text,
 * aside, topics and categories; otherwise whole articles. */
int sq_load_items(struct sq *s, const int64_t *ids, int n, mld_time_t now, bool sections,
                  struct mld_items *out, struct mld_err *err);

/* sqlite.c: logs the change keys of stored article id (itself, its
 * section, story, topics, month and "all"), as an update does. */
int sq_log_article_keys(struct sq *s, int64_t id, struct mld_err *err);

/* sqlite_editor.c: forces the shown status of article id to what its
 * editorial state says, when it has one (put() calls it after every
 * agency version, so the editor's decision wins). */
int sq_ed_reapply(struct sq *s, int64_t id, struct mld_err *err);

/* editors: writes the section and topics an editor gave article id (if
 * any, ed_field) over the shown row's; put() runs it after each agency
 * version. The one place an editor changes an article's section. */
int sq_ed_apply_fields(struct sq *s, int64_t id, struct mld_err *err);

/* sqlite.c: appends one change key (store.h) to the change log. */
int sq_log_key(struct sq *s, const char *key, struct mld_err *err);

/* sqlite.c: logs keys[0..n), in their order: on PostgreSQL in one
 * statement (ADD_CHANGES_ALL, the keys as an array literal; an update
 * logs a dozen), on SQLite one by one. */
int sq_log_keys(struct sq *s, const char *const *keys, int n, struct mld_err *err);

/* sqlite.c: the newest schema version this binary knows (its last
 * migration's number); a store's PRAGMA user_version above it is from a
 * newer meldung. */
int sq_schema_newest(void);

/* sqlite_search.c: registers the "meldung" FTS5 tokenizer on the
 * connection; open() calls it before the migrations, since FTS5 needs
 * the tokenizer to create or open the index. */
int sq_search_register(struct sq *s, struct mld_err *err);

/* sqlite_search.c: the queue of search-index changes the triggers on
 * article fill (see "The write queue" there). sq_begin() and friends keep
 * it in step with savepoints: opened, released, rolled back (dropping
 * what it queued). sq_search_flush() writes the queue into the index;
 * sq_search_discard() drops all of it; sq_search_queued() is its size in
 * bytes. */
void sq_search_savepoint(struct sq *s);
void sq_search_release(struct sq *s, bool rollback);
int sq_search_flush(struct sq *s, struct mld_err *err);
void sq_search_discard(struct sq *s);
size_t sq_search_queued(const struct sq *s);

/* sqlite_search.c: what both engines' search code shares (pg_search.c
 * is PostgreSQL's side of it; docs/internals/search.md). */

struct mld_token;

/* Most phrases of a query whose document frequencies are kept (a query
 * has at most MLD_SEARCH_MAX_TERMS; the rest would be counted per row). */
#define SQ_RANK_PHRASES 32

/* Most phrases of an expression a search writes: each term one, a prefix
 * up to MLD_SEARCH_PREFIX_TERMS. */
#define SQ_PLAN_PHRASES (MLD_SEARCH_MAX_TERMS * MLD_SEARCH_PREFIX_TERMS)

/* A term's document count in sq_rank.docs when the vocabulary does not
 * have it: walk its phrase's doclist; or it is excluded (NOT). */
#define SQ_DOCS_WALK (-1)
#define SQ_DOCS_NONE (-2)

/* What bm25 knows about the whole index for one search. bm25 sums over
 * the reader's terms; a term is one phrase of the expression, or several
 * for a prefix written as its completions (whose counts add up, as the
 * prefix's would). */
struct sq_rank {
    bool ready;   /* filled for the current search */
    bool planned; /* nterms, phrase_term and docs set by the search */
    double avgdl; /* mean tokens per article */
    int nterms;
    int nphrases;
    int phrase_term[SQ_PLAN_PHRASES];   /* the term of each phrase */
    int64_t docs[MLD_SEARCH_MAX_TERMS]; /* articles holding it, SQ_DOCS_WALK, SQ_DOCS_NONE */
    double idf[SQ_RANK_PHRASES];        /* per term */
};

/* Sets st's idf of each term for an index of rows articles; walk(ud,
 * phrase, &n) adds the articles holding a phrase to n (for terms whose
 * count is SQ_DOCS_WALK). Returns SQLITE_OK or walk's error. */
int sq_rank_idf(struct sq_rank *st, int64_t rows, int (*walk)(void *ud, int phrase, int64_t *n),
                void *ud);

/* The bm25 score of a row of len tokens whose terms occur freq[term]
 * times (weighted by column: sq_rank_weight). */
double sq_rank_bm25(const struct sq_rank *st, const double *freq, int64_t len);
extern const double sq_rank_weight[3];

/* The recency factor of an article published at published, searched at
 * now (1 + RECENCY / (1 + age / HALF)). */
double sq_rank_recency(int64_t now, int64_t published);

/* One match in the text column: a phrase's instance at word offset off. */
struct sq_inst {
    int phrase, off;
};

/* What a snippet is made from: the text column of one row and its
 * matches in FTS5's order (by offset, then phrase). */
struct sq_snip {
    const struct sq_inst *inst;
    int ninst;
    const int *phrase_size; /* tokens of each phrase */
    int nphrase;
    const char *text;
    int nlen;
    int docsize; /* the column's length in positions */
};

/* Writes the snippet of sn into b: what FTS5's snippet(article_fts, 2,
 * char(1), char(2), '…', MLD_SEARCH_SNIPPET_WORDS) returns. Returns
 * SQLITE_OK or an error code. */
int sq_snippet(const struct sq_snip *sn, struct mld_buf *b);

/* Calls fn for the index tokens of text[0..len): the stream offered
 * ahead for it (mld_store_offer_tokens), else the analyzer's. */
int sq_search_tokens(struct sq *s, const char *text, size_t len,
                     int (*fn)(void *ud, const struct mld_token *t), void *ud);

/* The vocabulary's counting while the index is written: sq_vocab_row()
 * starts a row (sign +1 indexed, -1 taken out, 0 stop counting),
 * sq_vocab_count() counts one of its terms (once per row). */
void sq_vocab_row(struct sq *s, int sign);
void sq_vocab_count(struct sq *s, const char *term, size_t len);

/* Returns the article's word at position offset of column col (0
 * headline, 1 kicker, 2 text) if it is the raw term term, else NULL. */
char *sq_word_at(struct sq *s, int64_t id, int col, int64_t offset, const char *term);

/* pg_search.c: PostgreSQL's side of the search (see there). */
struct sq_pg_search;

/* sqlite_search.c: where pg_search.c keeps its state. */
struct sq_pg_search **sq_search_pg(struct sq *s);

/* Frees pg_search.c's state (sq_search_close). */
void sq_pg_search_free(struct sq *s);

/* The index writes: sq_search_flush's part on PostgreSQL (the queued
 * articles' rows out, the usable ones analysed and in, the totals; the
 * vocabulary's changes counted), and a rebuild from every usable article
 * inside the caller's transaction. Return 0 or MLD_E_STORE. */
int sq_pg_search_flush(struct sq *s, struct mld_err *err);
int sq_pg_search_rebuild(struct sq *s, struct mld_err *err);

/* Forgets the phrases of the last search (a new one is planned). */
void sq_pg_plan_reset(struct sq *s);
/* Writes term text[0..len) (prefix: its last word a prefix) as a tsquery
 * phrase into b, or one completion of a prefix (as_is: term is an index
 * term) when as_is. */
void sq_pg_plan_phrase(struct sq *s, const char *text, size_t len, bool prefix, bool as_is,
                       struct mld_buf *b);
/* The search's expression as a tsquery (mld_free): the parser's AND, OR,
 * NOT as &, |, & !. */
char *sq_pg_tsquery(const char *match);

/* Fills st for a search from the index: its size and each term's idf. */
int sq_pg_rank_fill(struct sq *s, struct sq_rank *st, struct mld_err *err);

/* Writes the ranking statement's SELECT, FROM and first WHERE condition
 * (drive: from the CTE pick), its columns for sq_pg_row_score(): story,
 * id, published, the columns' lengths, the terms' positions (?9). */
void sq_pg_ranking_head(struct mld_buf *sql, bool drive);

/* Binds the search's terms (theirs and their prefixes' completions) as
 * parameter first. */
void sq_pg_bind_terms(struct sq *s, struct sql_stmt *st, int first);

/* The score of the ranking statement's current row: bm25 of the phrases'
 * instances times the recency factor. */
double sq_pg_row_score(struct sq *s, struct sql_stmt *st, const struct sq_rank *rank, int64_t now);

/* The page's snippet statement (sqlite_search.c's snippets() binds it:
 * ?1 the expression, ?2-?3 the range of ids, ?4 the ids as a JSON array,
 * ?5 the terms) and the snippet of its current row (mld_free; 0x01 and
 * 0x02 around the matches, as FTS5's; NULL for a row without text). */
char *sq_pg_row_snippet(struct sq *s, struct sql_stmt *st);
extern const char sq_pg_snippet_sql[];

/* sqlite.c: 1 when the connection may not write (SQLite: query
 * only; PostgreSQL: a reader's session, or a hot standby), 0 when it may,
 * or MLD_E_STORE. A reader that finds derived tables built by another
 * meldung leaves their rebuild to a writer. */
int sq_read_only(struct sq *s, struct mld_err *err);

/* The articles holding each of the n terms of list (space-separated), in
 * its order (mld_free): "did you mean" looks up its variants at once. */
int64_t *sq_pg_vocab_docs(struct sq *s, const char *list, int n);

/* The word the raw term stands for in the first article holding it, or
 * NULL ("did you mean"). */
char *sq_pg_spelling(struct sq *s, const char *term);

/* Pads a statement's SQL on PostgreSQL so that it names each of the
 * parameters 1..n (PostgreSQL must know every parameter's type; SQLite
 * ignores unused ones): where it starts a WHERE clause, else an AND. */
void sq_pg_params_pad(struct sq *s, struct mld_buf *sql, int n, bool where);

/* sqlite_search.c: the backend's offer_tokens (store_int.h): keeps token
 * streams recorded ahead for the index writes of this transaction. */
void sq_search_offer_tokens(void *impl, struct mld_token_rec *r, int n);

/* sqlite_search.c: called by open() after the migrations (rebuilds the
 * index when the analyzer's signature changed) and by close(); the
 * backend's search operation. */
int sq_search_open(struct sq *s, struct mld_err *err);
void sq_search_close(struct sq *s);
int sq_search(void *impl, const struct mld_search *q, struct mld_hits *out, struct mld_err *err);
/* The backend's search_merge and search_pieces operations (store_int.h). */
int sq_search_merge(void *impl, int pages, bool *more, struct mld_err *err);
int sq_search_pieces(void *impl, int64_t *out, struct mld_err *err);

/* sqlite_story.c: called by open() and close(); by put() inside its
 * transaction once article id holds a's version (inserted: a new
 * article), to assign the story and update related lists; and the
 * backend's story and related operations. */
int sq_story_open(struct sq *s, struct mld_err *err);
void sq_story_close(struct sq *s);

/* sqlite_story.c: the document frequencies, kept in memory: counted
 * there and written by sq_story_flush() (sq_txn_commit, before COMMIT);
 * sq_story_discard() drops them (a rollback); sq_story_begin() (after
 * BEGIN) drops them when another connection wrote the database.
 * sq_begin() and friends keep them in step with savepoints, as for the
 * search queue. */
int sq_story_begin(struct sq *s, struct mld_err *err);
int sq_story_flush(struct sq *s, struct mld_err *err);
void sq_story_discard(struct sq *s);
void sq_story_savepoint(struct sq *s);
void sq_story_release(struct sq *s, bool rollback);
int sq_story_put(struct sq *s, int64_t id, const struct mld_article *a,
                 const struct mld_sim_features *f, bool inserted, struct mld_err *err);
int sq_story(void *impl, int64_t story_id, mld_time_t now, struct mld_items *out,
             struct mld_err *err);
int sq_related(void *impl, int64_t id, mld_time_t now, int limit, struct mld_items *out,
               struct mld_err *err);

#endif
