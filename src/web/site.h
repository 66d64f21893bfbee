/*
 * site.h - the served news site: pages, the page cache, static files.
 *
 * A site owns a store handle, the compiled templates and the page cache.
 * Its handler (mld_site_handle, an mld_http_handler_fn) answers from the
 * cache when it can and renders otherwise; mld_site_refresh(), called
 * periodically, reads the store's change log and the embargoes that ended,
 * and drops exactly the cached pages that depend on them. Another process
 * (`meldung ingest`) may write the store at any time.
 */
#ifndef MLD_SITE_H
#define MLD_SITE_H

#include "../base/err.h"
#include "http.h"

struct mld_push;

struct mld_site_config {
    const char *db_path;         /* the store */
    const char *replica;         /* a hot standby of db_path (PostgreSQL) that
                                    pages are rendered from, or NULL */
    const char *templates_dir;   /* NAME.mustache files */
    const char *static_dir;      /* style.css */
    const struct mld_push *push; /* POST /api/v1/push (push.h); NULL: it answers 404 */
    const char *config_path;     /* the config file whose [site] section names the
                                    site, its footer links and section order
                                    (docs/internals/site.md); NULL: defaults */
};

struct mld_site;

/* Opens the store, loads templates, static files and the [site] section
 * of cfg->config_path. Returns 0 and *out, or an error with err naming the
 * file at fault (and for a bad [site] value its line and the reason). */
int mld_site_open(struct mld_site **out, const struct mld_site_config *cfg, struct mld_err *err);

/* Answers one request (see mld_http_handler_fn); ud is the site. */
struct mld_http_resp *mld_site_handle(void *ud, const struct mld_http_req *req);

/* The site's admit step (an mld_http_admit_fn, same ud): which routes take
 * a body and how large (a table in site.c), the push endpoint's token
 * check before its body, and 405 at once for a POST elsewhere. */
void mld_site_admit(void *ud, const struct mld_http_req *req, struct mld_http_admit *a);

/* Counts one finished request for /metrics (an mld_http_done_fn; ud is
 * the site). Thread-safe, lock-free. */
void mld_site_request_done(void *ud, const struct mld_http_done *d);

/* Applies store changes and ended embargoes to the cache. Returns 0, or
 * MLD_E_STORE (the cache is then cleared, to be safe). */
int mld_site_refresh(struct mld_site *site, struct mld_err *err);

/* Re-reads the templates, the static files and the configuration file:
 * [site] (but base_url, live_streams, purge_url, purge_token, db,
 * templates, static), [metrics], [health], and [push] and the [webhook
 * NAME] sections when they changed (made anew: the old webhooks' queued
 * events are lost, and logged). Keys read only at the start ([server],
 * [enrich], [ingest], [log] and those of [site]) keep their values; one
 * warning line names each that differs from the file the server started
 * with (docs/operating.md, "Reload"). Drops every cached page. All or nothing: on any error
 * it logs "reload: FILE: reason" (for a template also its line), keeps
 * what is in use and returns the error. Requests in progress finish with
 * what they started with; connections stay open. Call it from a normal
 * thread (never a signal handler), one reload at a time. */
int mld_site_reload(struct mld_site *site);

/* Frees the site; NULL is fine. */
void mld_site_close(struct mld_site *site);

#endif
