/*
 * observe.h - /metrics (Prometheus text format 0.0.4) and /healthz.
 *
 * Both read the site's parts (store, cache, live hub, webhooks, request
 * counters) handed in as a struct mld_observe_parts, so this file knows
 * nothing of the site itself. Neither answer is cached. See
 * docs/internals/observability.md for every metric and check.
 */
#ifndef MLD_OBSERVE_H
#define MLD_OBSERVE_H

#include <pthread.h>

#include "../base/err.h"
#include "../base/time.h"
#include "http.h"

struct mld_cache;
struct mld_config;
struct mld_live;
struct mld_metrics;
struct mld_store;
struct mld_webhooks;

#define MLD_METRICS_PATH "/metrics"
#define MLD_HEALTH_PATH "/healthz"

/* The [metrics] and [health] sections of the configuration. */
struct mld_observe_config {
    char *metrics_token;       /* [metrics] token: Bearer wanted; NULL: loopback only */
    mld_time_t max_ingest_age; /* [health] max_ingest_age, seconds; 0: not checked */
};

/* Reads [metrics] token and [health] max_ingest_age ("90", "30s", "15m",
 * "2h", "1d"; 0 turns the check off) of conf (NULL: defaults) into out
 * (zeroed first). Returns 0, or an error naming file:line and the
 * reason. */
int mld_observe_configure(struct mld_observe_config *out, const struct mld_config *conf,
                          struct mld_err *err);

/* Frees the strings of c. */
void mld_observe_config_dispose(struct mld_observe_config *c);

/* What the answers read. lock guards st (the site's one store handle). */
struct mld_observe_parts {
    struct mld_store *st;
    pthread_mutex_t *lock;
    struct mld_cache *cache;
    struct mld_live *live;
    struct mld_webhooks *hooks;   /* NULL: none configured */
    struct mld_metrics *metrics;  /* the server's request counters */
    const char *quarantine_dir;   /* counted for meldung_quarantined_documents */
};

/* Answers GET /metrics: 401 without the configured Bearer token, 403
 * without a token configured unless the peer is a loopback address and
 * the request came through no proxy (no Forwarded, X-Forwarded-For or
 * X-Real-IP header); else 200 with every family. */
struct mld_http_resp *mld_observe_metrics(const struct mld_observe_config *cfg,
                                          const struct mld_observe_parts *p,
                                          const struct mld_http_req *req);

/* Answers GET /healthz: 200 "ok", or 503 with one line per failed check
 * (store: it does not answer; store_writable: it cannot be written;
 * ingest: nothing stored or polled successfully within max_ingest_age). */
struct mld_http_resp *mld_observe_health(const struct mld_observe_config *cfg,
                                         const struct mld_observe_parts *p);

#endif
