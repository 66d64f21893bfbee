/*
 * store_int.h - the store's backend function table. Included only by the
 * store's own files (store.c and one file per backend).
 *
 * store.c validates arguments and dispatches; a backend implements each
 * operation for its engine. SQLite (sqlite.c) is the only backend so far;
 * PostgreSQL (pg.c) will be the second, passing the same tests.
 */
#ifndef MLD_STORE_INT_H
#define MLD_STORE_INT_H

#include "store.h"

struct mld_store_editor_ops;

struct mld_store_backend {
    const char *name;
    int (*open)(void **impl, const char *path, struct mld_err *err);
    int (*open_reader)(void **impl, const char *path, struct mld_err *err);
    int (*read_begin)(void *impl, struct mld_err *err);
    void (*read_end)(void *impl);
    void (*close)(void *impl);
    int (*begin)(void *impl, struct mld_err *err);
    int (*commit)(void *impl, struct mld_err *err);
    void (*rollback)(void *impl);
    int (*put)(void *impl, const struct mld_article *a, const struct mld_sim_features *f,
               enum mld_put_result *res, int64_t *id, struct mld_err *err);
    /* May be NULL: the records are freed. */
    void (*offer_tokens)(void *impl, struct mld_token_rec *r, int n);
    int (*get)(void *impl, int64_t id, struct mld_item *out, struct mld_err *err);
    int (*get_page)(void *impl, int64_t id, struct mld_item *out, struct mld_err *err);
    int (*list)(void *impl, const struct mld_query *q, struct mld_items *out,
                struct mld_err *err);
    int (*sections)(void *impl, mld_time_t now, struct mld_named **out, int *n,
                    struct mld_err *err);
    char *(*section_name)(void *impl, const char *slug);
    char *(*topic_name)(void *impl, const char *slug);
    int (*changes)(void *impl, int64_t since, mld_change_fn fn, void *ud, int64_t *last,
                   struct mld_err *err);
    int (*released)(void *impl, mld_time_t from, mld_time_t to, mld_change_fn fn, void *ud,
                    struct mld_err *err);
    int (*history_count)(void *impl, int64_t id);
    int (*source_get)(void *impl, const char *name, struct mld_source_state *out,
                      struct mld_err *err);
    int (*source_set)(void *impl, const struct mld_source_state *s, struct mld_err *err);
    int (*sources)(void *impl, struct mld_source_state **out, int *n, struct mld_err *err);
    int (*source_claim)(void *impl, const char *name, bool take, bool *got, struct mld_err *err);
    int (*search)(void *impl, const struct mld_search *q, struct mld_hits *out,
                  struct mld_err *err);
    /* Search index upkeep (store.h, mld_store_search_merge). */
    int (*search_merge)(void *impl, int pages, bool *more, struct mld_err *err);
    int (*search_pieces)(void *impl, int64_t *out, struct mld_err *err);
    int (*story)(void *impl, int64_t story_id, mld_time_t now, struct mld_items *out,
                 struct mld_err *err);
    int (*story_size)(void *impl, int64_t story_id, mld_time_t now, int64_t *out,
                      struct mld_err *err);
    int (*related)(void *impl, int64_t id, mld_time_t now, int limit, struct mld_items *out,
                   struct mld_err *err);
    int (*each_labelled)(void *impl, mld_labelled_fn fn, void *ud, struct mld_err *err);
    /* Called after every operation: drop what only that operation needed
     * (SQLite: statements still holding a read snapshot). */
    void (*idle)(void *impl);
    /* True when the connection's last error was for lack of space. */
    bool (*full)(void *impl);
    /* Additions for the pipeline and `meldung stats` (store.h). */
    int (*first_date)(void *impl, const char *urn, mld_time_t *out, struct mld_err *err);
    int (*totals)(void *impl, mld_time_t now, struct mld_store_totals *out, struct mld_err *err);
    /* Additions for live updates (store.h). */
    int (*changes_at)(void *impl, int64_t since, mld_change_at_fn fn, void *ud, int64_t *last,
                      struct mld_err *err);
    int (*live_facts)(void *impl, int64_t id, struct mld_store_live_facts *out,
                      struct mld_err *err);
    /* Sitemaps (store.h). */
    int (*sitemap_months)(void *impl, mld_time_t now, int max, struct mld_sitemap_month **out,
                          int *n, struct mld_err *err);
    int (*sitemap_entries)(void *impl, mld_time_t from, mld_time_t to, mld_time_t now, int limit,
                           int64_t offset, mld_sitemap_fn fn, void *ud, struct mld_err *err);
    /* API --- (store.h) */
    int (*api_articles)(void *impl, const struct mld_api_query *q, struct mld_items *out,
                        bool *more, struct mld_api_cursor *head, struct mld_err *err);
    int (*api_versions)(void *impl, int64_t id, struct mld_api_version **out, int *n,
                        struct mld_err *err);
    int (*api_counts)(void *impl, bool topics, mld_time_t now, int max,
                      struct mld_api_count **out, int *n, struct mld_err *err);
    int (*api_head)(void *impl, mld_time_t now, struct mld_api_cursor *out, struct mld_err *err);
    int (*api_changes)(void *impl, const struct mld_api_cursor *since, mld_time_t now, int limit,
                       struct mld_api_change **out, int *n, struct mld_api_cursor *next,
                       bool *more, struct mld_err *err);
    /* observability: what /healthz asks (store.h, mld_store_health) */
    int (*health)(void *impl, struct mld_store_health *out, struct mld_err *err);
    /* editors: accounts, sessions, editorial state, audit (editor.h) */
    const struct mld_store_editor_ops *editor;
};

extern const struct mld_store_backend mld_store_sqlite;

/* Stories and related news. The policy - which story a new article
 * joins, what is related, how lists rank - is src/enrich/story.c
 * (mld_story_update), which a backend's put calls inside its transaction
 * with these operations. A backend only stores signatures and lists,
 * indexes them and answers these narrow questions; each is bounded by the
 * limit it is given. All return 0 or a negative MLD_E_* with err set,
 * unless said otherwise. */
struct mld_story_sig;

/* An article found by a retrieval: id, its posted weight (x 10000; 0 when
 * found otherwise) and its published time. */
struct mld_story_row {
    int64_t id;
    int weight;
    mld_time_t published;
};

/* An entry of a stored related list. */
struct mld_story_entry {
    int64_t id, story;
    double score;
};

struct mld_story_store_ops {
    /* Document frequencies: sets df[i] to the count of keys[i] (0 when
     * unknown), counting one more document for each first when add. */
    int (*df)(void *impl, const int64_t *keys, int64_t *df, int n, bool add,
              struct mld_err *err);
    /* Article id's signature and story: 1 found, 0 none, or < 0. */
    int (*sig_get)(void *impl, int64_t id, struct mld_story_sig *g, int64_t *story,
                   struct mld_err *err);
    /* The signatures and stories of articles ids[0..n) (distinct) into
     * g[i], story[i], found[i] (false: none): 0 or < 0. One read for all
     * where a statement is a round trip (PostgreSQL). */
    int (*sigs_get)(void *impl, const int64_t *ids, int n, struct mld_story_sig *g,
                    int64_t *story, bool *found, struct mld_err *err);
    int (*sig_put)(void *impl, int64_t id, int64_t story, const struct mld_story_sig *g,
                   struct mld_err *err);
    int (*sig_del)(void *impl, int64_t id, struct mld_err *err);
    /* Posts article id (published) under term with weight, or takes it
     * out when weight < 0. */
    int (*post)(void *impl, uint32_t term, mld_time_t published, int64_t id, int weight,
                struct mld_err *err);
    /* Into out (*n rows, at most limit), newest first: the articles
     * posted under term, published within [lo, hi] unless lo > hi. */
    int (*term_newest)(void *impl, uint32_t term, mld_time_t lo, mld_time_t hi, int limit,
                       struct mld_story_row *out, int *n, struct mld_err *err);
    /* term_newest without a window for each of terms[0..nterms): term
     * i's rows into out[i * limit ...], n[i] of them. */
    int (*terms_newest)(void *impl, const uint32_t *terms, int nterms, int limit,
                        struct mld_story_row *out, int *n, struct mld_err *err);
    /* The newest articles carrying topic slug (by id, newest first). */
    int (*topic_newest)(void *impl, const char *slug, int limit, struct mld_story_row *out,
                        int *n, struct mld_err *err);
    /* Articles but not_id whose headline slug is slug, published within
     * [lo, hi], newest first. */
    int (*same_headline)(void *impl, const char *slug, mld_time_t lo, mld_time_t hi,
                         int64_t not_id, int limit, struct mld_story_row *out, int *n,
                         struct mld_err *err);
    /* Article id's published time and story: 1 found, 0 gone, or < 0. */
    int (*article)(void *impl, int64_t id, mld_time_t *published, int64_t *story,
                   struct mld_err *err);
    /* Records article id's story and why it joined (NULL: it leads).
     * Not called for a new article that leads its story when its row
     * already names it (a new row has no reason): a backend may store a
     * new article as a story of its own and save the second write. */
    int (*set_story)(void *impl, int64_t id, int64_t story, const char *reason,
                     struct mld_err *err);
    /* The ids of story's articles (at most max, by id) and whether an
     * editor moved any article into or out of it. */
    int (*members)(void *impl, int64_t story, int64_t *ids, int max, int *n, bool *editors,
                   struct mld_err *err);
    /* Moves article id into story to (its reason stays; one without gets
     * why), logging its change keys before and after. */
    int (*move)(void *impl, int64_t id, int64_t to, const char *why, struct mld_err *err);
    /* The stored related lists of articles owners[0..nowners) (distinct):
     * owner i's (at most max entries, by related id) into out[i * max
     * ...], n[i] of them. */
    int (*related)(void *impl, const int64_t *owners, int nowners, struct mld_story_entry *out,
                   int max, int *n, struct mld_err *err);
    /* Adds (or replaces) entry e[i] of owner[i]'s list, for i in [0, n)
     * (no pair twice); takes related_id[i] out of owner[i]'s list (0:
     * every entry). */
    int (*related_put)(void *impl, const int64_t *owner, const struct mld_story_entry *e, int n,
                       struct mld_err *err);
    int (*related_del)(void *impl, const int64_t *owner, const int64_t *related_id, int n,
                       struct mld_err *err);
    /* Logs change keys ("a:ID": a cached page to redraw), in their order. */
    int (*log_keys)(void *impl, const char *const *keys, int n, struct mld_err *err);
};

/* The SQLite backend's (sqlite_story.c). */
extern const struct mld_story_store_ops mld_story_sqlite;

/* editors: the operations of editor.h, dispatched by editor.c. */
#include "editor.h"
struct mld_store_editor_ops {
    int (*account_add)(void *impl, const char *name, enum mld_role role, const char *pw_hash,
                       mld_time_t now, struct mld_err *err);
    int (*account_get)(void *impl, const char *name, struct mld_account *out,
                       struct mld_err *err);
    int (*accounts)(void *impl, struct mld_account **out, int *n, struct mld_err *err);
    int (*account_passwd)(void *impl, const char *name, const char *pw_hash, struct mld_err *err);
    int (*account_del)(void *impl, const char *name, struct mld_err *err);
    int (*account_role)(void *impl, const char *name, enum mld_role role, struct mld_err *err);
    int (*account_attempt)(void *impl, int64_t id, bool failed, mld_time_t now,
                           struct mld_err *err);
    int (*session_add)(void *impl, const char *id_hash, int64_t account_id, const char *csrf,
                       mld_time_t now, mld_time_t expires, struct mld_err *err);
    int (*session_get)(void *impl, const char *id_hash, mld_time_t now, struct mld_session *out,
                       struct mld_err *err);
    int (*session_del)(void *impl, const char *id_hash, struct mld_err *err);
    int (*editorial_get)(void *impl, int64_t id, struct mld_editorial *out, struct mld_err *err);
    int (*editorial_set)(void *impl, int64_t id, enum mld_ed_state state, const char *reason,
                         const char *by, mld_time_t now, struct mld_err *err);
    int (*correction_add)(void *impl, int64_t id, const char *note, const char *by,
                          mld_time_t now, struct mld_err *err);
    int (*fields_get)(void *impl, int64_t id, char **section, char **topics, struct mld_err *err);
    int (*fields_set)(void *impl, int64_t id, const char *section, const char *topics,
                      const char *by, mld_time_t now, struct mld_err *err);
    int (*story_set)(void *impl, int64_t id, int64_t into, const char *by, mld_time_t now,
                     struct mld_err *err);
    int (*pins)(void *impl, int64_t **ids, int *n, struct mld_err *err);
    int (*pin_set)(void *impl, int64_t id, int pos, const char *by, mld_time_t now,
                   struct mld_err *err);
    int (*audit_add)(void *impl, const char *actor, const char *action, const char *target,
                     const char *before, const char *after, mld_time_t now, struct mld_err *err);
    int (*audit)(void *impl, int limit, int offset, struct mld_audit **out, int *n, bool *more,
                 struct mld_err *err);
    int (*ed_versions)(void *impl, int64_t id, struct mld_ed_version **out, int *n,
                       struct mld_err *err);
    int (*ed_latest)(void *impl, bool held, int limit, int offset, struct mld_ed_row **out, int *n,
                     bool *more, struct mld_err *err);
};

extern const struct mld_store_editor_ops mld_store_sqlite_editor;

/* The backend and handle of st, for the operations dispatched outside
 * store.c (editor.c); end each with mld_store_idle(). */
void *mld_store_impl(struct mld_store *st, const struct mld_store_backend **be);
void mld_store_idle(struct mld_store *st);

#endif
