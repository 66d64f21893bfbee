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

/* sqlite_pack.c: texts kept deflated. Binds v like sq_bind_text, but
 * packed (a BLOB) when it is long enough for that to pay. */
void sq_bind_packed(struct sq *s, struct sql_stmt *st, int i, const char *v);

/* True when blob[0..n) is a packed text (starts as one). */
bool sq_packed(const void *blob, size_t n);

/* Returns the text of packed value blob[0..n) (mld_free; its length in
 * *out_n when not NULL), or NULL when blob is not a packed text or is
 * damaged. */
char *sq_unpack(const void *blob, size_t n, size_t *out_n);

/* Registers the SQL functions mld_pack(x) and mld_unpack(x) (the
 * migrations use them). Returns 0 or MLD_E_STORE. */
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

/* sqlite.c: an article as pages show it (see mld_store_get), and the
 * story's sections and size of a list item. */
int sq_get(void *impl, int64_t id, struct mld_item *out, struct mld_err *err);
/* Reads article id as a list entry (S_GET_ENTRY: no body, text, aside or
 * categories, so no body to unpack) with its topics: what a search hit
 * shows on the site and in the API. */
int sq_get_entry(struct sq *s, int64_t id, struct mld_item *out, struct mld_err *err);
int sq_story_sections(struct sq *s, struct mld_item *it, mld_time_t now, struct mld_err *err);

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

/* sqlite_search.c: the backend's offer_tokens (store_int.h): keeps token
 * streams recorded ahead for the index writes of this transaction. */
void sq_search_offer_tokens(void *impl, struct mld_token_rec *r, int n);

/* sqlite_search.c: called by open() after the migrations (rebuilds the
 * index when the analyzer's signature changed) and by close(); the
 * backend's search operation. */
int sq_search_open(struct sq *s, struct mld_err *err);
void sq_search_close(struct sq *s);
int sq_search(void *impl, const struct mld_search *q, struct mld_hits *out, struct mld_err *err);

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
