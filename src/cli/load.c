/*
 * load.c - one wire document into the store (see load.h).
 */
#include "load.h"

#include "../base/log.h"
#include "../enrich/enrich.h"

/* What the parsers' sink needs. */
struct sink_ctx {
    struct mld_store *st;
    struct mld_load_counts counts; /* of this document only */
    struct mld_err *err;
};

/* The sink of the parsers: enrich and store one article. */
static int
store_article(void *ud, struct mld_article *a)
{
    struct sink_ctx *ctx = ud;
    mld_enrich(a);
    enum mld_put_result res;
    int64_t id;
    int rc = mld_store_put(ctx->st, a, &res, &id, ctx->err);
    if (rc == 0) {
        switch (res) {
        case MLD_PUT_INSERTED: ctx->counts.inserted++; break;
        case MLD_PUT_UPDATED: ctx->counts.updated++; break;
        case MLD_PUT_STALE: ctx->counts.stale++; break;
        case MLD_PUT_DUPLICATE: ctx->counts.duplicate++; break;
        }
        if ((res == MLD_PUT_INSERTED || res == MLD_PUT_UPDATED) &&
            a->version_created > ctx->counts.newest)
            ctx->counts.newest = a->version_created;
        mld_log_debug("%s v%lld: article %lld %s", a->urn, (long long)a->version, (long long)id,
                      res == MLD_PUT_INSERTED  ? "inserted"
                      : res == MLD_PUT_UPDATED ? "updated"
                      : res == MLD_PUT_STALE   ? "older than stored, kept in history"
                                               : "duplicate delivery, skipped");
    }
    mld_article_free(a);
    return rc;
}

int
mld_load_doc(struct mld_store *st, const char *doc, size_t len, const struct mld_source *src,
             const struct mld_format *fmt, struct mld_load_counts *counts,
             struct mld_source_state *state, struct mld_err *err)
{
    if (fmt == NULL)
        fmt = mld_format_detect(doc, len);
    if (fmt == NULL)
        return mld_err_set(err, MLD_E_UNSUPPORTED, "not a format meldung reads");
    int rc = mld_store_begin(st, err);
    if (rc != 0)
        return rc;
    struct sink_ctx ctx = {.st = st, .err = err};
    rc = fmt->parse(doc, len, src, store_article, &ctx, err);
    if (rc == 0 && state != NULL) {
        state->items += ctx.counts.inserted + ctx.counts.updated;
        if (ctx.counts.newest > state->newest_item)
            state->newest_item = ctx.counts.newest;
        rc = mld_store_source_set(st, state, err);
    }
    if (rc == 0)
        rc = mld_store_commit(st, err);
    if (rc != 0) {
        mld_store_rollback(st);
        return rc;
    }
    if (counts != NULL) {
        counts->inserted += ctx.counts.inserted;
        counts->updated += ctx.counts.updated;
        counts->stale += ctx.counts.stale;
        counts->duplicate += ctx.counts.duplicate;
        if (ctx.counts.newest > counts->newest)
            counts->newest = ctx.counts.newest;
    }
    return 0;
}
