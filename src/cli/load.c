/*
 * load.c - one wire document into the store (see load.h).
 */
#include "load.h"

#include "../base/log.h"
#include "../base/mem.h"
#include "../enrich/enrich.h"
#include "../text/similar.h"

/* The sink of the parsers: enrich one article, compute its features and
 * keep both. */
static int
keep_article(void *ud, struct mld_article *a)
{
    struct mld_parsed *p = ud;
    mld_enrich(a, p->source_section);
    p->v = mld_reallocarray(p->v, (size_t)p->n + 1, sizeof(*p->v));
    p->features = mld_reallocarray(p->features, (size_t)p->n + 1, sizeof(*p->features));
    mld_sim_features_init(&p->features[p->n], a);
    p->v[p->n++] = a;
    return 0;
}

int
mld_load_parse(const char *doc, size_t len, const struct mld_source *src,
               const struct mld_format *fmt, struct mld_parsed *out, struct mld_err *err)
{
    *out = (struct mld_parsed){.source_section = src->section};
    if (fmt == NULL)
        fmt = mld_format_detect(doc, len);
    if (fmt == NULL)
        return mld_err_set(err, MLD_E_UNSUPPORTED, "not a format meldung reads");
    int rc = fmt->parse(doc, len, src, keep_article, out, err);
    if (rc != 0)
        mld_parsed_dispose(out);
    return rc;
}

void
mld_parsed_dispose(struct mld_parsed *p)
{
    for (int i = 0; i < p->n; i++) {
        mld_article_free(p->v[i]);
        mld_sim_features_dispose(&p->features[i]);
    }
    mld_free(p->v);
    mld_free(p->features);
    *p = (struct mld_parsed){0};
}

/* Stores one article with its features, counting it in c. */
static int
store_article(struct mld_store *st, const struct mld_article *a,
              const struct mld_sim_features *f, struct mld_load_counts *c, struct mld_err *err)
{
    enum mld_put_result res;
    int64_t id;
    int rc = mld_store_put_features(st, a, f, &res, &id, err);
    if (rc != 0)
        return rc;
    switch (res) {
    case MLD_PUT_INSERTED: c->inserted++; break;
    case MLD_PUT_UPDATED: c->updated++; break;
    case MLD_PUT_STALE: c->stale++; break;
    case MLD_PUT_DUPLICATE: c->duplicate++; break;
    }
    if ((res == MLD_PUT_INSERTED || res == MLD_PUT_UPDATED) && a->version_created > c->newest)
        c->newest = a->version_created;
    mld_log_debug("%s v%lld: article %lld %s", a->urn, (long long)a->version, (long long)id,
                  res == MLD_PUT_INSERTED  ? "inserted"
                  : res == MLD_PUT_UPDATED ? "updated"
                  : res == MLD_PUT_STALE   ? "older than stored, kept in history"
                                           : "duplicate delivery, skipped");
    return 0;
}

int
mld_load_store(struct mld_store *st, const struct mld_parsed *p, struct mld_load_counts *counts,
               struct mld_source_state *state, struct mld_err *err)
{
    int rc = mld_store_begin(st, err);
    if (rc != 0)
        return rc;
    struct mld_load_counts c = {0}; /* of this document only */
    for (int i = 0; i < p->n && rc == 0; i++)
        rc = store_article(st, p->v[i], &p->features[i], &c, err);
    if (rc == 0 && state != NULL) {
        state->items += c.inserted + c.updated;
        if (c.newest > state->newest_item)
            state->newest_item = c.newest;
        rc = mld_store_source_set(st, state, err);
    }
    if (rc == 0)
        rc = mld_store_commit(st, err);
    if (rc != 0) {
        mld_store_rollback(st);
        return rc;
    }
    if (counts != NULL) {
        counts->inserted += c.inserted;
        counts->updated += c.updated;
        counts->stale += c.stale;
        counts->duplicate += c.duplicate;
        if (c.newest > counts->newest)
            counts->newest = c.newest;
    }
    return 0;
}

int
mld_load_doc(struct mld_store *st, const char *doc, size_t len, const struct mld_source *src,
             const struct mld_format *fmt, struct mld_load_counts *counts,
             struct mld_source_state *state, struct mld_err *err)
{
    struct mld_parsed p;
    int rc = mld_load_parse(doc, len, src, fmt, &p, err);
    if (rc == 0)
        rc = mld_load_store(st, &p, counts, state, err);
    mld_parsed_dispose(&p);
    return rc;
}
