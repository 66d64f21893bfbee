/*
 * observe.c - /metrics and /healthz (see observe.h).
 *
 * Both read the store under the site's lock, as /status does, and build
 * their answer after it is released. /metrics writes the families in a
 * fixed order: HTTP (metrics.c), cache, live streams, webhooks, store
 * and sources, process. Every answer is built per request and marked
 * no-store.
 */
#include "observe.h"

#include <dirent.h>
#include <stddef.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/config.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/store.h"
#include "cache.h"
#include "live.h"
#include "metrics.h"
#include "webhook.h"

/* Parses an age: digits and an optional unit s, m, h or d. Returns 0
 * and *out in seconds, or -1. */
static int
parse_age(const char *v, mld_time_t *out)
{
    char *end;
    if (v[0] < '0' || v[0] > '9')
        return -1;
    long long n = strtoll(v, &end, 10);
    long long unit = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'd')
        unit = 86400, end++;
    if (*end != '\0' || n > 366LL * 86400 / unit)
        return -1;
    *out = (mld_time_t)(n * unit);
    return 0;
}

int
mld_observe_configure(struct mld_observe_config *out, const struct mld_config *conf,
                      struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    if (conf == NULL)
        return 0;
    static const char *const known[][2] = {{"metrics", "token"}, {"health", "max_ingest_age"}};
    for (size_t i = 0; i < 2; i++) {
        int sec = mld_config_find(conf, known[i][0], NULL);
        for (int k = 0; sec >= 0 && k < mld_config_nkeys(conf, sec); k++) {
            const char *key = mld_config_key(conf, sec, k);
            if (strcmp(key, known[i][1]) != 0)
                return mld_err_set(err, MLD_E_PARSE, "%s: [%s]: unknown key '%s' (%s)",
                                   mld_config_where(conf, sec, key), known[i][0], key,
                                   known[i][1]);
        }
    }
    int rc = 0;
    int sec = mld_config_find(conf, "metrics", NULL);
    const char *token = sec >= 0 ? mld_config_get(conf, sec, "token") : NULL;
    if (token != NULL) {
        size_t n = strlen(token);
        bool ok = n >= 16;
        for (size_t i = 0; i < n && ok; i++)
            ok = token[i] > ' ' && token[i] < 0x7f;
        if (!ok)
            rc = mld_err_set(err, MLD_E_PARSE,
                             "%s: [metrics] token must be 16 or more printable ASCII characters "
                             "without spaces",
                             mld_config_where(conf, sec, "token"));
        else
            out->metrics_token = mld_strdup(token);
    }
    sec = mld_config_find(conf, "health", NULL);
    const char *age = sec >= 0 ? mld_config_get(conf, sec, "max_ingest_age") : NULL;
    if (rc == 0 && age != NULL && parse_age(age, &out->max_ingest_age) != 0)
        rc = mld_err_set(err, MLD_E_PARSE,
                         "%s: [health] max_ingest_age wants an age such as 90s, 15m, 2h or 1d "
                         "(0: no check), got '%s'",
                         mld_config_where(conf, sec, "max_ingest_age"), age);
    if (rc != 0)
        mld_observe_config_dispose(out);
    return rc;
}

void
mld_observe_config_dispose(struct mld_observe_config *c)
{
    mld_free(c->metrics_token);
    c->metrics_token = NULL;
}

/* A plain-text answer that no cache keeps, with an optional header. */
static struct mld_http_resp *
text_answer(int status, const char *type, const char *body, size_t n, const char *hname,
            const char *hvalue)
{
    struct mld_http_resp *r = mld_http_resp_new(status, type, body, n, 0);
    mld_http_resp_header(r, "Cache-Control", "no-store");
    if (hname != NULL)
        mld_http_resp_header(r, hname, hvalue);
    return mld_http_resp_finish(r, MLD_HTTP_GZIP);
}

/* True when req may read /metrics (see observe.h). *status gets the
 * refusal's status otherwise. */
static bool
metrics_allowed(const struct mld_observe_config *cfg, const struct mld_http_req *req,
                int *status)
{
    if (cfg->metrics_token != NULL) {
        *status = 401;
        const char *auth = mld_http_req_header(req, "Authorization");
        if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
            return false;
        const char *got = auth + 7;
        size_t n = strlen(cfg->metrics_token);
        return strlen(got) == n && CRYPTO_memcmp(got, cfg->metrics_token, n) == 0;
    }
    *status = 403;
    /* A proxy on this host makes every client look like loopback. */
    if (mld_http_req_header(req, "Forwarded") != NULL ||
        mld_http_req_header(req, "X-Forwarded-For") != NULL ||
        mld_http_req_header(req, "X-Real-IP") != NULL)
        return false;
    char peer[64];
    mld_http_req_peer(req, peer, sizeof(peer));
    return strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
           strncmp(peer, "::ffff:127.", 11) == 0;
}

/* Documents in the quarantine folder dir: each has a NAME.reason file
 * beside it (quarantine.h). Up to the scan limit; 0 when dir cannot be
 * read (nothing was quarantined yet). */
static long
count_quarantined(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    long n = 0, seen = 0;
    struct dirent *e;
    while (seen++ < MLD_METRICS_MAX_QUARANTINE_SCAN && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".reason") == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* What the store says, read under the lock. */
struct store_view {
    int rc;                            /* 0, or the error of the first read that failed */
    struct mld_source_state *sources;  /* nsources of them */
    int nsources;
    struct mld_store_totals totals;
    struct mld_store_health health;
};

static void
read_store(const struct mld_observe_parts *p, mld_time_t now, struct store_view *v,
           struct mld_err *err)
{
    memset(v, 0, sizeof(*v));
    pthread_mutex_lock(p->lock);
    v->rc = mld_store_health(p->st, &v->health, err);
    if (v->rc == 0)
        v->rc = mld_store_sources(p->st, &v->sources, &v->nsources, err);
    if (v->rc == 0)
        v->rc = mld_store_totals(p->st, now, &v->totals, err);
    pthread_mutex_unlock(p->lock);
}

static void
dispose_store(struct store_view *v)
{
    for (int i = 0; i < v->nsources; i++)
        mld_source_state_dispose(&v->sources[i]);
    mld_free(v->sources);
    mld_store_totals_dispose(&v->totals);
}

/* The store's and the sources' families. */
static void
write_store(struct mld_buf *b, const struct store_view *v, mld_time_t now,
            const struct mld_observe_parts *p)
{
    mld_prom_family(b, "meldung_store_up", "gauge", "1 when the store answered this scrape.");
    mld_prom_sample(b, "meldung_store_up", NULL, NULL, v->rc == 0 ? 1 : 0);
    if (v->rc != 0)
        return;
    mld_prom_family(b, "meldung_articles", "gauge", "Articles in the store by state now.");
    const struct {
        const char *state;
        int64_t n;
    } states[] = {
        {"visible", v->totals.visible},     {"embargoed", v->totals.embargoed},
        {"withheld", v->totals.withheld},   {"withdrawn", v->totals.withdrawn},
        {"held", v->totals.held},
    };
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        mld_prom_sample(b, "meldung_articles", "state", states[i].state, (double)states[i].n);
    mld_prom_family(b, "meldung_quarantined_documents", "gauge",
                    "Documents in the quarantine folder beside the store (failed to ingest).");
    mld_prom_sample(b, "meldung_quarantined_documents", NULL, NULL,
                    (double)count_quarantined(p->quarantine_dir));
    mld_prom_family(b, "meldung_ingest_age_seconds", "gauge",
                    "Seconds since the newest version was stored (absent: the store is empty).");
    if (v->health.newest_stored > 0)
        mld_prom_sample(b, "meldung_ingest_age_seconds", NULL, NULL,
                        (double)(now - v->health.newest_stored));
    mld_prom_family(b, "meldung_source_articles_total", "counter",
                    "Articles stored from each source (polled feed, drop folder, push).");
    for (int i = 0; i < v->nsources; i++)
        mld_prom_sample(b, "meldung_source_articles_total", "source", v->sources[i].name,
                        (double)v->sources[i].items);
    const struct {
        const char *name, *help;
        size_t off;
    } tallies[] = {
        {"meldung_source_new_articles_total", "Articles first stored from each source.",
         offsetof(struct mld_source_state, new_items)},
        {"meldung_source_updated_articles_total",
         "Newer versions of known articles stored from each source.",
         offsetof(struct mld_source_state, updated_items)},
        {"meldung_source_duplicates_total",
         "Deliveries from each source seen before, skipped.",
         offsetof(struct mld_source_state, duplicates)},
        {"meldung_source_failed_total",
         "Attempts of each source that failed (fetch, parse or store), ever.",
         offsetof(struct mld_source_state, failed)},
    };
    for (size_t t = 0; t < sizeof(tallies) / sizeof(tallies[0]); t++) {
        mld_prom_family(b, tallies[t].name, "counter", tallies[t].help);
        for (int i = 0; i < v->nsources; i++) {
            int64_t x;
            memcpy(&x, (const char *)&v->sources[i] + tallies[t].off, sizeof(x));
            mld_prom_sample(b, tallies[t].name, "source", v->sources[i].name, (double)x);
        }
    }
    mld_prom_family(b, "meldung_source_lag_seconds", "gauge",
                    "Seconds since the newest article of each source was created.");
    for (int i = 0; i < v->nsources; i++)
        if (v->sources[i].newest_item > 0)
            mld_prom_sample(b, "meldung_source_lag_seconds", "source", v->sources[i].name,
                            (double)(now - v->sources[i].newest_item));
    mld_prom_family(b, "meldung_source_last_success_age_seconds", "gauge",
                    "Seconds since each source was last fetched or read successfully.");
    for (int i = 0; i < v->nsources; i++)
        if (v->sources[i].last_success > 0)
            mld_prom_sample(b, "meldung_source_last_success_age_seconds", "source",
                            v->sources[i].name, (double)(now - v->sources[i].last_success));
    mld_prom_family(b, "meldung_source_failures", "gauge",
                    "Failed attempts in a row of each source (0: healthy).");
    for (int i = 0; i < v->nsources; i++)
        mld_prom_sample(b, "meldung_source_failures", "source", v->sources[i].name,
                        (double)v->sources[i].failures);
}

/* The webhooks' families (none without webhooks). */
static void
write_webhooks(struct mld_buf *b, struct mld_webhooks *hooks, mld_time_t now)
{
    struct mld_webhook_state *v = NULL;
    int n = 0;
    if (hooks != NULL)
        mld_webhooks_state(hooks, now, &v, &n);
    const struct {
        const char *name, *type, *help;
    } fam[] = {
        {"meldung_webhook_queued", "gauge", "Events waiting for each webhook."},
        {"meldung_webhook_delivered_total", "counter", "Events each webhook's receiver took."},
        {"meldung_webhook_failed_total", "counter", "Events given up (refused or out of tries)."},
        {"meldung_webhook_dropped_total", "counter", "Events pushed out of a full queue."},
        {"meldung_webhook_failures", "gauge", "Failed attempts in a row (0: healthy)."},
    };
    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        mld_prom_family(b, fam[f].name, fam[f].type, fam[f].help);
        for (int i = 0; i < n; i++) {
            double x = f == 0   ? v[i].queued
                       : f == 1 ? (double)v[i].delivered
                       : f == 2 ? (double)v[i].failed
                       : f == 3 ? (double)v[i].dropped
                                : v[i].failures;
            mld_prom_sample(b, fam[f].name, "webhook", v[i].name, x);
        }
    }
    mld_webhooks_state_free(v, n);
}

struct mld_http_resp *
mld_observe_metrics(const struct mld_observe_config *cfg, const struct mld_observe_parts *p,
                    const struct mld_http_req *req)
{
    int refusal;
    if (!metrics_allowed(cfg, req, &refusal)) {
        if (refusal == 401)
            return text_answer(401, "text/plain; charset=utf-8", "Unauthorized\n", strlen("Unauthorized\n"),
                               "WWW-Authenticate", "Bearer realm=\"meldung metrics\"");
        static const char why[] =
            "Forbidden: /metrics answers loopback only, or set [metrics] token\n";
        return text_answer(403, "text/plain; charset=utf-8", why, sizeof(why) - 1, NULL, NULL);
    }
    mld_time_t now = mld_time_now();
    struct mld_err err = {0};
    struct store_view v;
    read_store(p, now, &v, &err);
    if (v.rc != 0)
        mld_log_error("metrics: %s", err.msg);
    struct mld_buf b;
    mld_buf_init(&b, MLD_METRICS_MAX_BYTES);
    mld_metrics_write_http(p->metrics, &b, now);
    struct mld_cache_stats cs;
    mld_cache_stats(p->cache, &cs);
    mld_prom_family(&b, "meldung_cache_hits_total", "counter", "Page-cache lookups that hit.");
    mld_prom_sample(&b, "meldung_cache_hits_total", NULL, NULL, (double)cs.hits);
    mld_prom_family(&b, "meldung_cache_misses_total", "counter",
                    "Page-cache lookups that missed (the page was rendered).");
    mld_prom_sample(&b, "meldung_cache_misses_total", NULL, NULL, (double)cs.misses);
    mld_prom_family(&b, "meldung_cache_entries", "gauge", "Pages in the page cache.");
    mld_prom_sample(&b, "meldung_cache_entries", NULL, NULL, (double)cs.entries);
    mld_prom_family(&b, "meldung_cache_bytes", "gauge",
                    "Bytes of the cached pages (bodies and gzip copies).");
    mld_prom_sample(&b, "meldung_cache_bytes", NULL, NULL, (double)cs.bytes);
    mld_prom_family(&b, "meldung_cache_max_bytes", "gauge",
                    "The page cache's bound on bytes: beyond it older pages are evicted.");
    mld_prom_sample(&b, "meldung_cache_max_bytes", NULL, NULL, (double)cs.max_bytes);
    mld_prom_family(&b, "meldung_live_streams", "gauge", "Live-update (SSE) clients connected.");
    mld_prom_sample(&b, "meldung_live_streams", NULL, NULL, mld_live_streams(p->live));
    write_webhooks(&b, p->hooks, now);
    write_store(&b, &v, now, p);
    dispose_store(&v);
    struct mld_http_resp *r;
    if (mld_buf_error(&b) != 0) {
        mld_log_error("metrics: the answer outgrew %d bytes", MLD_METRICS_MAX_BYTES);
        r = mld_http_resp_text(500, "metrics: answer too large\n", NULL);
    } else {
        r = text_answer(200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.len, NULL, NULL);
    }
    mld_buf_dispose(&b);
    return r;
}

/* Writes the age d (seconds) as "90 s", "15 min" or "2 h 05 min". */
static void
age_text(mld_time_t d, char *out, size_t size)
{
    if (d < 120)
        snprintf(out, size, "%lld s", (long long)d);
    else if (d < 7200)
        snprintf(out, size, "%lld min", (long long)(d / 60));
    else
        snprintf(out, size, "%lld h %02lld min", (long long)(d / 3600),
                 (long long)(d % 3600 / 60));
}

struct mld_http_resp *
mld_observe_health(const struct mld_observe_config *cfg, const struct mld_observe_parts *p)
{
    mld_time_t now = mld_time_now();
    struct mld_err err = {0};
    struct mld_store_health h;
    struct mld_source_state *src = NULL;
    int nsrc = 0;
    pthread_mutex_lock(p->lock);
    int rc = mld_store_health(p->st, &h, &err);
    if (rc == 0 && cfg->max_ingest_age > 0)
        rc = mld_store_sources(p->st, &src, &nsrc, &err);
    pthread_mutex_unlock(p->lock);
    char body[2048];
    size_t n = 0;
    if (rc != 0) {
        n += (size_t)snprintf(body + n, sizeof(body) - n, "store: %s\n", err.msg);
    } else {
        if (!h.writable)
            n += (size_t)snprintf(body + n, sizeof(body) - n,
                                  "store_writable: the store, its file or its folder is "
                                  "read-only\n");
        mld_time_t newest = h.newest_stored;
        for (int i = 0; i < nsrc; i++)
            if (src[i].last_success > newest)
                newest = src[i].last_success;
        char age[48], max[48];
        age_text(cfg->max_ingest_age, max, sizeof(max));
        if (cfg->max_ingest_age > 0 && newest == 0)
            n += (size_t)snprintf(body + n, sizeof(body) - n,
                                  "ingest: nothing stored or polled yet (max_ingest_age %s)\n",
                                  max);
        else if (cfg->max_ingest_age > 0 && now - newest > cfg->max_ingest_age) {
            age_text(now - newest, age, sizeof(age));
            n += (size_t)snprintf(body + n, sizeof(body) - n,
                                  "ingest: last article stored or source polled %s ago, more "
                                  "than max_ingest_age %s\n",
                                  age, max);
        }
    }
    for (int i = 0; i < nsrc; i++)
        mld_source_state_dispose(&src[i]);
    mld_free(src);
    if (n >= sizeof(body))
        n = sizeof(body) - 1;
    if (n == 0)
        return text_answer(200, "text/plain; charset=utf-8", "ok\n", 3, NULL, NULL);
    char out[sizeof(body) + 16];
    int m = snprintf(out, sizeof(out), "unhealthy\n%s", body);
    mld_log_warn("healthz: %.*s", (int)n - 1, body);
    return text_answer(503, "text/plain; charset=utf-8", out, (size_t)m, NULL, NULL);
}
