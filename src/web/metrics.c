/*
 * metrics.c - request counters and the exposition writers (see metrics.h).
 *
 * Each route class has one counter per status class (1xx to 5xx) and a
 * histogram of request durations: one counter per bucket (not yet
 * cumulative; the writer adds them up) and the sum in microseconds. The
 * counters of one route class sit together, so a request touches two
 * cache lines: its response counter, its bucket and its sum.
 */
#include "metrics.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "feed_out.h"
#include "live.h"
#include "sitemap.h"

/* Upper bounds of the duration buckets, in seconds: from a cache hit
 * (well under a millisecond) to a slow search or a long stream. */
static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct route_counters {
    _Atomic uint64_t responses[5];          /* by status class: 1xx .. 5xx */
    _Atomic uint64_t buckets[NBUCKETS + 1]; /* by duration; the last is +Inf only */
    _Atomic uint64_t sum_us;                /* durations, microseconds */
};

struct mld_metrics {
    struct route_counters routes[MLD_ROUTE_CLASSES];
    _Atomic uint64_t aborted; /* connections that failed before their answer was out */
    mld_time_t started;       /* when the counting began: the process's start */
};

static const char *const route_names[MLD_ROUTE_CLASSES] = {
    "home",   "article", "section", "topic",  "story",  "search",
    "feed",   "api",     "static",  "stream", "status", "other",
};

const char *
mld_route_class_name(enum mld_route_class c)
{
    return c >= 0 && c < MLD_ROUTE_CLASSES ? route_names[c] : "other";
}

/* True when path starts with prefix. */
static bool
starts(const char *path, const char *prefix)
{
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

enum mld_route_class
mld_route_class_of(const char *target)
{
    char path[256];
    size_t n = strcspn(target, "?");
    if (n >= sizeof(path))
        n = sizeof(path) - 1; /* long paths are told apart by their prefix */
    memcpy(path, target, n);
    path[n] = '\0';
    if (strcmp(path, "/") == 0)
        return MLD_ROUTE_HOME;
    if (starts(path, "/artikel/"))
        return MLD_ROUTE_ARTICLE;
    if (starts(path, "/ressort/"))
        return MLD_ROUTE_SECTION;
    if (starts(path, "/thema/"))
        return MLD_ROUTE_TOPIC;
    if (starts(path, "/geschichte/"))
        return MLD_ROUTE_STORY;
    if (strcmp(path, "/suche") == 0 || strcmp(path, "/api/v1/search") == 0)
        return MLD_ROUTE_SEARCH;
    if (strcmp(path, MLD_LIVE_PATH) == 0 || strcmp(path, MLD_LIVE_PATH_ALIAS) == 0)
        return MLD_ROUTE_STREAM;
    if (mld_feed_out_is_feed(path) || mld_sitemap_is_path(path))
        return MLD_ROUTE_FEED;
    if (starts(path, "/api/"))
        return MLD_ROUTE_API;
    if (starts(path, "/static/") || strcmp(path, "/favicon.ico") == 0)
        return MLD_ROUTE_STATIC;
    if (strcmp(path, "/status") == 0 || strcmp(path, "/healthz") == 0 ||
        strcmp(path, "/metrics") == 0)
        return MLD_ROUTE_STATUS;
    return MLD_ROUTE_OTHER;
}

struct mld_metrics *
mld_metrics_new(void)
{
    /* Zeroed memory is a valid initial state for these atomics. */
    struct mld_metrics *m = MLD_NEW(struct mld_metrics);
    m->started = mld_time_now();
    return m;
}

void
mld_metrics_free(struct mld_metrics *m)
{
    mld_free(m);
}

void
mld_metrics_request(void *ud, const struct mld_http_done *d)
{
    struct mld_metrics *m = ud;
    if (!d->completed || d->status < 100 || d->status > 599) {
        atomic_fetch_add_explicit(&m->aborted, 1, memory_order_relaxed);
        return;
    }
    struct route_counters *rc = &m->routes[mld_route_class_of(d->target)];
    atomic_fetch_add_explicit(&rc->responses[d->status / 100 - 1], 1, memory_order_relaxed);
    int64_t us = d->duration_us > 0 ? d->duration_us : 0;
    double secs = (double)us / 1e6;
    size_t b = 0;
    while (b < NBUCKETS && secs > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&rc->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->sum_us, (uint64_t)us, memory_order_relaxed);
}

/* Writes v the way the format reads it: integers without a point. */
static void
put_value(struct mld_buf *out, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        mld_buf_printf(out, "%.0f\n", v);
    else
        mld_buf_printf(out, "%.9g\n", v);
}

/* Writes s as a label value: backslash, double quote and newline escaped. */
static void
put_label_value(struct mld_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\' || *s == '"')
            mld_buf_putc(out, '\\');
        if (*s == '\n')
            mld_buf_puts(out, "\\n");
        else
            mld_buf_putc(out, *s);
    }
}

void
mld_prom_family(struct mld_buf *out, const char *name, const char *type, const char *help)
{
    mld_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
mld_prom_sample(struct mld_buf *out, const char *name, const char *label, const char *value,
                double v)
{
    mld_buf_puts(out, name);
    if (label != NULL) {
        mld_buf_printf(out, "{%s=\"", label);
        put_label_value(out, value);
        mld_buf_puts(out, "\"}");
    }
    mld_buf_putc(out, ' ');
    put_value(out, v);
}

void
mld_metrics_write_http(struct mld_metrics *m, struct mld_buf *out, mld_time_t now)
{
    mld_prom_family(out, "meldung_process_start_time_seconds", "gauge",
                    "When this server started, seconds since the epoch.");
    mld_prom_sample(out, "meldung_process_start_time_seconds", NULL, NULL, (double)m->started);
    mld_prom_family(out, "meldung_scrape_time_seconds", "gauge",
                    "The server's clock at this scrape, seconds since the epoch.");
    mld_prom_sample(out, "meldung_scrape_time_seconds", NULL, NULL, (double)now);
    mld_prom_family(out, "meldung_http_responses_total", "counter",
                    "HTTP answers sent, by route class and status class.");
    for (int r = 0; r < MLD_ROUTE_CLASSES; r++)
        for (int k = 0; k < 5; k++)
            mld_buf_printf(out, "meldung_http_responses_total{route=\"%s\",code=\"%dxx\"} %" PRIu64 "\n",
                           route_names[r], k + 1,
                           atomic_load_explicit(&m->routes[r].responses[k], memory_order_relaxed));
    mld_prom_family(out, "meldung_http_request_duration_seconds", "histogram",
                    "Time from the request line to the end of the answer, by route class.");
    for (int r = 0; r < MLD_ROUTE_CLASSES; r++) {
        const struct route_counters *rc = &m->routes[r];
        uint64_t cum = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load_explicit(&rc->buckets[b], memory_order_relaxed);
            if (b < NBUCKETS)
                mld_buf_printf(out,
                               "meldung_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %" PRIu64 "\n",
                               route_names[r], bucket_le[b], cum);
            else
                mld_buf_printf(out,
                               "meldung_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
                               route_names[r], cum);
        }
        uint64_t us = atomic_load_explicit(&rc->sum_us, memory_order_relaxed);
        mld_buf_printf(out, "meldung_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                       route_names[r], (double)us / 1e6);
        mld_buf_printf(out, "meldung_http_request_duration_seconds_count{route=\"%s\"} %" PRIu64 "\n",
                       route_names[r], cum);
    }
    mld_prom_family(out, "meldung_http_requests_aborted_total", "counter",
                    "Requests whose connection failed or timed out before the answer was out.");
    mld_prom_sample(out, "meldung_http_requests_aborted_total", NULL, NULL,
                    (double)atomic_load_explicit(&m->aborted, memory_order_relaxed));
}
