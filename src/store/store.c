/*
 * store.c - the store interface: picks a backend and dispatches to it
 * (see store.h, store_int.h), and owns the shared item types.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../text/analyze.h"
#include "pg_int.h"
#include "store_int.h"

struct mld_store {
    const struct mld_store_backend *be; /* never NULL */
    void *impl;                         /* the backend's handle */
    bool full;                          /* the last failure was for lack of space */
};

/* Ends an operation: notes whether a failure was for lack of space (before
 * the backend's idle step resets what its engine reports), then lets the
 * backend drop per-operation state. Returns rc. */
static int
idle(struct mld_store *st, int rc)
{
    if (rc != 0)
        st->full = st->be->full(st->impl);
    st->be->idle(st->impl);
    return rc;
}

bool
mld_store_full(const struct mld_store *st)
{
    return st->full;
}

void *
mld_store_impl(struct mld_store *st, const struct mld_store_backend **be)
{
    *be = st->be;
    return st->impl;
}

void
mld_store_idle(struct mld_store *st)
{
    st->be->idle(st->impl);
}

bool
mld_store_is_url(const char *db)
{
    return pg_is_url(db);
}

bool
mld_store_exists(const char *db)
{
    return pg_is_url(db) || access(db, F_OK) == 0;
}

void
mld_store_quarantine_dir(const char *db, char *out, size_t size)
{
    if (pg_is_url(db))
        db = MLD_STORE_URL_QUARANTINE;
    const char *slash = strrchr(db, '/');
    snprintf(out, size, "%.*squarantine", slash != NULL ? (int)(slash - db + 1) : 0, db);
}

void
mld_store_where(const char *db, char *out, size_t size)
{
    if (pg_is_url(db))
        pg_where(db, out, size);
    else
        snprintf(out, size, "%s", db);
}

/* Opens path with the backend's open or open_reader (reader true). */
static int
store_open(struct mld_store **out, const char *path, bool reader, struct mld_err *err)
{
    *out = NULL;
    const struct mld_store_backend *be = &mld_store_sqlite;
    void *impl = NULL;
    int rc = reader ? be->open_reader(&impl, path, err) : be->open(&impl, path, err);
    if (rc != 0)
        return rc;
    struct mld_store *st = MLD_NEW(struct mld_store);
    st->be = be;
    st->impl = impl;
    *out = st;
    return 0;
}

int
mld_store_open(struct mld_store **out, const char *path, struct mld_err *err)
{
    return store_open(out, path, false, err);
}

int
mld_store_open_reader(struct mld_store **out, const char *path, struct mld_err *err)
{
    return store_open(out, path, true, err);
}

void
mld_store_close(struct mld_store *st)
{
    if (st == NULL)
        return;
    st->be->close(st->impl);
    mld_free(st);
}

int
mld_store_read_begin(struct mld_store *st, struct mld_err *err)
{
    return st->be->read_begin(st->impl, err);
}

void
mld_store_read_end(struct mld_store *st)
{
    st->be->read_end(st->impl);
}

int
mld_store_begin(struct mld_store *st, struct mld_err *err)
{
    return idle(st, st->be->begin(st->impl, err));
}

int
mld_store_commit(struct mld_store *st, struct mld_err *err)
{
    return idle(st, st->be->commit(st->impl, err));
}

void
mld_store_rollback(struct mld_store *st)
{
    st->be->rollback(st->impl);
}

int
mld_store_put(struct mld_store *st, const struct mld_article *a, enum mld_put_result *res,
              int64_t *id, struct mld_err *err)
{
    return mld_store_put_features(st, a, NULL, res, id, err);
}

int
mld_store_put_features(struct mld_store *st, const struct mld_article *a,
                       const struct mld_sim_features *f, enum mld_put_result *res, int64_t *id,
                       struct mld_err *err)
{
    if (a->urn == NULL || a->urn[0] == '\0')
        return mld_err_set(err, MLD_E_MISSING, "article without a source id (urn)");
    return idle(st, st->be->put(st->impl, a, f, res, id, err));
}

void
mld_store_offer_tokens(struct mld_store *st, struct mld_token_rec *r, int n)
{
    if (st->be->offer_tokens != NULL) {
        st->be->offer_tokens(st->impl, r, n);
        return;
    }
    for (int i = 0; i < n; i++) /* a backend without use for them */
        mld_token_rec_dispose(&r[i]);
}

int
mld_store_get(struct mld_store *st, int64_t id, struct mld_item *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->get(st->impl, id, out, err));
}

int
mld_store_get_page(struct mld_store *st, int64_t id, struct mld_item *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->get_page(st->impl, id, out, err));
}

int
mld_store_list(struct mld_store *st, const struct mld_query *q, struct mld_items *out,
               struct mld_err *err)
{
    out->v = NULL;
    out->n = 0;
    if (q->limit <= 0 || q->offset < 0)
        return mld_err_set(err, MLD_E_INVAL, "list query with limit %d, offset %d", q->limit,
                           q->offset);
    return idle(st, st->be->list(st->impl, q, out, err));
}

int
mld_store_sections(struct mld_store *st, mld_time_t now, struct mld_named **out, int *n,
                   struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    return idle(st, st->be->sections(st->impl, now, out, n, err));
}

char *
mld_store_section_name(struct mld_store *st, const char *slug)
{
    char *name = st->be->section_name(st->impl, slug);
    st->be->idle(st->impl);
    return name;
}

char *
mld_store_topic_name(struct mld_store *st, const char *slug)
{
    char *name = st->be->topic_name(st->impl, slug);
    st->be->idle(st->impl);
    return name;
}

int
mld_store_changes(struct mld_store *st, int64_t since, mld_change_fn fn, void *ud, int64_t *last,
                  struct mld_err *err)
{
    *last = since;
    return idle(st, st->be->changes(st->impl, since, fn, ud, last, err));
}

int
mld_store_released(struct mld_store *st, mld_time_t from, mld_time_t to, mld_change_fn fn,
                   void *ud, struct mld_err *err)
{
    if (to <= from)
        return 0;
    return idle(st, st->be->released(st->impl, from, to, fn, ud, err));
}

int
mld_store_history_count(struct mld_store *st, int64_t id)
{
    return idle(st, st->be->history_count(st->impl, id));
}

int
mld_store_source_get(struct mld_store *st, const char *name, struct mld_source_state *out,
                     struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->source_get(st->impl, name, out, err));
}

int
mld_store_source_claim(struct mld_store *st, const char *name, bool take, bool *got,
                       struct mld_err *err)
{
    *got = false;
    return idle(st, st->be->source_claim(st->impl, name, take, got, err));
}

int
mld_store_source_set(struct mld_store *st, const struct mld_source_state *s, struct mld_err *err)
{
    if (s->name == NULL || s->name[0] == '\0')
        return mld_err_set(err, MLD_E_INVAL, "source state without a name");
    return idle(st, st->be->source_set(st->impl, s, err));
}

int
mld_store_sources(struct mld_store *st, struct mld_source_state **out, int *n,
                  struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    return idle(st, st->be->sources(st->impl, out, n, err));
}

void
mld_item_dispose(struct mld_item *it)
{
    mld_free(it->slug);
    mld_free(it->section_slug);
    mld_free(it->story_sections);
    mld_free(it->story_reason);
    mld_article_free(it->a);
    memset(it, 0, sizeof(*it));
}

void
mld_items_dispose(struct mld_items *l)
{
    for (int i = 0; i < l->n; i++)
        mld_item_dispose(&l->v[i]);
    mld_free(l->v);
    l->v = NULL;
    l->n = 0;
}

int
mld_store_search(struct mld_store *st, const struct mld_search *q, struct mld_hits *out,
                 struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    if (q->limit < 1 || q->limit > MLD_SEARCH_MAX_LIMIT || q->offset < 0 ||
        q->offset > MLD_SEARCH_MAX_OFFSET)
        return mld_err_set(err, MLD_E_INVAL, "search: limit %d or offset %d out of range",
                           q->limit, q->offset);
    return idle(st, st->be->search(st->impl, q, out, err));
}

void
mld_hits_dispose(struct mld_hits *h)
{
    for (int i = 0; i < h->n; i++) {
        mld_item_dispose(&h->v[i].item);
        mld_free(h->v[i].snippet);
        mld_free(h->v[i].marks);
    }
    mld_free(h->v);
    mld_free(h->suggestion);
    memset(h, 0, sizeof(*h));
}

int
mld_store_story(struct mld_store *st, int64_t story_id, mld_time_t now, struct mld_items *out,
                struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->story(st->impl, story_id, now, out, err));
}

int
mld_store_story_size(struct mld_store *st, int64_t story_id, mld_time_t now, int64_t *out,
                     struct mld_err *err)
{
    *out = 0;
    return idle(st, st->be->story_size(st->impl, story_id, now, out, err));
}

int
mld_store_related(struct mld_store *st, int64_t id, mld_time_t now, int limit,
                  struct mld_items *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    if (limit < 1 || limit > MLD_RELATED_MAX)
        return mld_err_set(err, MLD_E_INVAL, "related: limit %d out of range", limit);
    return idle(st, st->be->related(st->impl, id, now, limit, out, err));
}

void
mld_named_free(struct mld_named *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].name);
        mld_free(v[i].slug);
    }
    mld_free(v);
}

int
mld_store_first_date(struct mld_store *st, const char *urn, mld_time_t *out, struct mld_err *err)
{
    *out = 0;
    return idle(st, st->be->first_date(st->impl, urn, out, err));
}

int
mld_store_totals(struct mld_store *st, mld_time_t now, struct mld_store_totals *out,
                 struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = idle(st, st->be->totals(st->impl, now, out, err));
    if (rc != 0)
        mld_store_totals_dispose(out);
    return rc;
}

void
mld_store_totals_dispose(struct mld_store_totals *t)
{
    for (int i = 0; i < t->nreasons; i++)
        mld_free(t->reasons[i].name);
    for (int i = 0; i < t->nsections; i++)
        mld_free(t->sections[i].name);
    mld_free(t->reasons);
    mld_free(t->sections);
    memset(t, 0, sizeof(*t));
}

int
mld_store_each_labelled(struct mld_store *st, mld_labelled_fn fn, void *ud, struct mld_err *err)
{
    return idle(st, st->be->each_labelled(st->impl, fn, ud, err));
}

/* Live updates --------------------------------------------------------- */

int
mld_store_changes_at(struct mld_store *st, int64_t since, mld_change_at_fn fn, void *ud,
                     int64_t *last, struct mld_err *err)
{
    *last = since;
    return idle(st, st->be->changes_at(st->impl, since, fn, ud, last, err));
}

int
mld_store_live_facts(struct mld_store *st, int64_t id, struct mld_store_live_facts *out,
                     struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->live_facts(st->impl, id, out, err));
}

/* Sitemaps --------------------------------------------------------------- */

int
mld_store_sitemap_months(struct mld_store *st, mld_time_t now, int max,
                         struct mld_sitemap_month **out, int *n, struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    if (max < 1)
        return mld_err_set(err, MLD_E_INVAL, "sitemap months: max %d out of range", max);
    int rc = idle(st, st->be->sitemap_months(st->impl, now, max, out, n, err));
    if (rc != 0) {
        mld_free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int
mld_store_sitemap_entries(struct mld_store *st, mld_time_t from, mld_time_t to, mld_time_t now,
                          int limit, int64_t offset, mld_sitemap_fn fn, void *ud,
                          struct mld_err *err)
{
    if (from >= to || limit < 1 || offset < 0)
        return mld_err_set(err, MLD_E_INVAL,
                           "sitemap entries: range [%lld, %lld), limit %d or offset %lld invalid",
                           (long long)from, (long long)to, limit, (long long)offset);
    return idle(st, st->be->sitemap_entries(st->impl, from, to, now, limit, offset, fn, ud, err));
}

/* API --- */

int
mld_store_api_articles(struct mld_store *st, const struct mld_api_query *q, struct mld_items *out,
                       bool *more, struct mld_api_cursor *head, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    *more = false;
    if (q->limit < 1 || q->limit > MLD_API_MAX_LIMIT)
        return mld_err_set(err, MLD_E_INVAL, "api articles: limit %d out of range", q->limit);
    return idle(st, st->be->api_articles(st->impl, q, out, more, head, err));
}

int
mld_store_api_versions(struct mld_store *st, int64_t id, struct mld_api_version **out, int *n,
                       struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    return idle(st, st->be->api_versions(st->impl, id, out, n, err));
}

void
mld_api_versions_free(struct mld_api_version *v, int n)
{
    for (int i = 0; i < n; i++)
        mld_free(v[i].signal);
    mld_free(v);
}

int
mld_store_api_sections(struct mld_store *st, mld_time_t now, struct mld_api_count **out, int *n,
                       struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    return idle(st, st->be->api_counts(st->impl, false, now, 0, out, n, err));
}

int
mld_store_api_topics(struct mld_store *st, mld_time_t now, int max, struct mld_api_count **out,
                     int *n, struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    if (max < 1)
        return mld_err_set(err, MLD_E_INVAL, "api topics: max %d out of range", max);
    return idle(st, st->be->api_counts(st->impl, true, now, max, out, n, err));
}

void
mld_api_counts_free(struct mld_api_count *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].name);
        mld_free(v[i].slug);
    }
    mld_free(v);
}

int
mld_store_api_head(struct mld_store *st, mld_time_t now, struct mld_api_cursor *out,
                   struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->api_head(st->impl, now, out, err));
}

int
mld_store_api_changes(struct mld_store *st, const struct mld_api_cursor *since, mld_time_t now,
                      int limit, struct mld_api_change **out, int *n, struct mld_api_cursor *next,
                      bool *more, struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    *next = *since;
    *more = false;
    if (limit < 1 || limit > MLD_API_MAX_LIMIT || since->seq < 0)
        return mld_err_set(err, MLD_E_INVAL, "api changes: limit %d or cursor out of range", limit);
    return idle(st, st->be->api_changes(st->impl, since, now, limit, out, n, next, more, err));
}

void
mld_api_changes_free(struct mld_api_change *v, int n)
{
    for (int i = 0; i < n; i++)
        mld_item_dispose(&v[i].item);
    mld_free(v);
}

int
mld_store_search_merge(struct mld_store *st, int pages, bool *more, struct mld_err *err)
{
    *more = false;
    if (pages <= 0)
        return mld_err_set(err, MLD_E_STORE, "a merge step of %d pages", pages);
    return idle(st, st->be->search_merge(st->impl, pages, more, err));
}

int
mld_store_search_pieces(struct mld_store *st, int64_t *out, struct mld_err *err)
{
    *out = -1;
    return idle(st, st->be->search_pieces(st->impl, out, err));
}

int
mld_store_health(struct mld_store *st, struct mld_store_health *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    return idle(st, st->be->health(st->impl, out, err));
}
