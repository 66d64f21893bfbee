/*
 * status.h - the status page: the health of every source, at /status.
 *
 * One row per source the store knows (polled feeds, drop folders): kind,
 * host, state, articles stored, lag, last success, next attempt and the
 * last error; above them the store's totals, with the items held back
 * (agency advisories, media without text) counted by reason. Rendered through templates/status.mustache (with the head
 * and foot partials of the other pages) on every request and sent with
 * Cache-Control: no-store, never kept in the page cache: it is the page
 * an operator reloads while fixing a feed.
 *
 * The page is public like the rest of the site, so it shows no URL
 * paths: feed URLs often carry access tokens in their path or query
 * (dpa's wireq API does). Hosts are shown, and any URL inside an error
 * message is cut down to scheme://host/... the same way.
 */
#ifndef MLD_STATUS_H
#define MLD_STATUS_H

#include <jansson.h>
#include <pthread.h>

#include "../base/time.h"
#include "../store/store.h"
#include "http.h"
#include "tmpl.h"

struct mld_page_site; /* page.h */
struct mld_webhooks;  /* webhook.h */
struct mld_webhook_state;

/* The path the status page answers at. */
#define MLD_STATUS_PATH "/status"

/* Answers a GET or HEAD of MLD_STATUS_PATH: reads the sources and the
 * section navigation from st while holding lock, then renders template
 * "status" from tmpl with the site's name and footer from site (NULL:
 * defaults) and the state of hooks (NULL: no webhooks). Returns a
 * finished response (200; 500 when the store or the template fails,
 * logged). Never NULL. */
struct mld_http_resp *mld_status_handle(const struct mld_http_req *req, struct mld_store *st,
                                        pthread_mutex_t *lock, const struct mld_tmpl_set *tmpl,
                                        const struct mld_page_site *site,
                                        struct mld_webhooks *hooks);

/* Adds the webhooks v[0..n) at now to ctx: webhooks[] ({name, host,
 * delivered, failed, queued, dropped, state, class, failing, last_error,
 * last_error_at, next_retry}), has_webhooks, webhooks_failing. */
void mld_status_add_webhooks(json_t *ctx, const struct mld_webhook_state *v, int n,
                             mld_time_t now);

/* Builds the "sources" part of the page's context from v[0..n) at now:
 * a new JSON object with sources[], has_sources, count, failing, items
 * (see docs/internals/transports.md). The caller owns the result. */
json_t *mld_status_context(const struct mld_source_state *v, int n, mld_time_t now);

/* Adds the store's totals t to ctx: articles_label, visible, embargoed,
 * withdrawn (withheld included), held and held_reasons[] ({reason, n}):
 * what came in and was kept back, counts only, since the page is public
 * and held items are not for publication. */
void mld_status_add_totals(json_t *ctx, const struct mld_store_totals *t);

/* Writes msg to out (size bytes) with every http(s) URL in it cut down to
 * scheme://host/... (user:password@ dropped), for public display. */
void mld_status_mask_urls(const char *msg, char *out, size_t size);

#endif
