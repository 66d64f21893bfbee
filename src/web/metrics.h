/*
 * metrics.h - the server's request counters and the Prometheus text
 * exposition format (version 0.0.4) they are written in.
 *
 * A struct mld_metrics counts finished requests (mld_http_done, http.h)
 * by route class and status class, and their durations in a histogram
 * per route class. Route classes are a fixed small set, never raw paths,
 * so a crawler cannot grow the number of series. Counting is lock-free
 * (relaxed atomics); writing reads them while requests go on, and sums
 * the buckets it read for _count, so a histogram is always consistent
 * with itself. The families of the rest of the site (store, cache,
 * live, webhooks) are written by observe.c with the mld_prom_* writers.
 * See docs/internals/observability.md.
 */
#ifndef MLD_METRICS_H
#define MLD_METRICS_H

#include <stdint.h>

#include "../base/buf.h"
#include "../base/time.h"
#include "http.h"

/* The route classes, in the order they are written. */
enum mld_route_class {
    MLD_ROUTE_HOME,
    MLD_ROUTE_ARTICLE,
    MLD_ROUTE_SECTION,
    MLD_ROUTE_TOPIC,
    MLD_ROUTE_STORY,
    MLD_ROUTE_SEARCH,
    MLD_ROUTE_FEED,
    MLD_ROUTE_API,
    MLD_ROUTE_STATIC,
    MLD_ROUTE_STREAM,
    MLD_ROUTE_STATUS,
    MLD_ROUTE_OTHER,
    MLD_ROUTE_CLASSES
};

/* The class of a request target (raw path, an optional query after it):
 * "/" home, /artikel/ article, /ressort/ section, /thema/ topic,
 * /geschichte/ story, /suche and /api/v1/search search, feeds, sitemaps
 * and robots.txt feed, the live stream stream, the rest of /api/ api,
 * /static/ and /favicon.ico static, /status, /healthz and /metrics
 * status, anything else other. */
enum mld_route_class mld_route_class_of(const char *target);

/* The class's label value ("home", "article", ...). */
const char *mld_route_class_name(enum mld_route_class c);

struct mld_metrics;

/* A new, zeroed set of counters. Never NULL. */
struct mld_metrics *mld_metrics_new(void);

/* Frees m; NULL is fine. */
void mld_metrics_free(struct mld_metrics *m);

/* Counts one finished request (an mld_http_done_fn with ud m).
 * Thread-safe, lock-free. */
void mld_metrics_request(void *m, const struct mld_http_done *d);

/* Writes the server's own families to out: its start and the time now
 * (seconds), responses, durations, aborted requests. */
void mld_metrics_write_http(struct mld_metrics *m, struct mld_buf *out, mld_time_t now);

/* Exposition writers ------------------------------------------------------ */

/* Writes the "# HELP" and "# TYPE" lines of family name (type "counter",
 * "gauge" or "histogram"). */
void mld_prom_family(struct mld_buf *out, const char *name, const char *type, const char *help);

/* Writes one sample: name, an optional label (label NULL: none; its
 * value escaped as the format wants: backslash, double quote, newline)
 * and v (integers without a decimal point). */
void mld_prom_sample(struct mld_buf *out, const char *name, const char *label, const char *value,
                     double v);

#endif
