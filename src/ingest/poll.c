/*
 * poll.c - the poller: schedule, conditional GET, back-off (see poll.h).
 *
 * The poller keeps, per source, its state and whether a fetch is in
 * flight. Due sources are queued on one fetcher (fetch.h), which holds
 * the concurrency limits; when a fetch ends, its answer is turned into a
 * new state here and persisted through the hooks, the document (if any)
 * together with it. Everything runs in the caller's thread: parsing and
 * storing happen between two network waits, while other transfers sit in
 * the kernel's socket buffers.
 *
 * States are saved after every fetch, so a poller stopped at any moment
 * loses at most the fetches in flight, and a restarted one keeps the
 * schedule and back-off of the last.
 */
#include "poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "fetch.h"
#include "quarantine.h"

struct mld_poller {
    const struct mld_poll_source *src; /* borrowed, n of them */
    int n;
    struct mld_source_state *st; /* n, saved state of each */
    bool *inflight;            /* n, a fetch is queued or running */
    struct mld_fetcher *fetcher;
    struct mld_poll_options opt;
    const struct mld_poll_hooks *hooks;
    void *ud;
    uint64_t rng; /* jitter (xorshift64) */
    struct mld_poll_counts counts;
};

/* Configuration ------------------------------------------------------ */

void
mld_poll_sources_free(struct mld_poll_source *v, int n)
{
    if (v == NULL)
        return;
    for (int i = 0; i < n; i++) {
        mld_free(v[i].name);
        mld_free(v[i].url);
        mld_free(v[i].section);
    }
    mld_free(v);
}

/* Parses a plain count within [lo, hi]. */
static int
parse_count(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Source names appear in logs, file names and the status page. */
static bool
name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static bool
has_key(const char *const *keys, const char *key)
{
    for (; *keys != NULL; keys++)
        if (strcmp(*keys, key) == 0)
            return true;
    return false;
}

/* Reports the first key of section i not in keys. */
static int
check_keys(const struct mld_config *cfg, int i, const char *const *keys, const char *what,
           struct mld_err *err)
{
    for (int k = 0; k < mld_config_nkeys(cfg, i); k++) {
        const char *key = mld_config_key(cfg, i, k);
        if (!has_key(keys, key))
            return mld_err_set(err, MLD_E_PARSE, "%s: unknown key '%s' in %s",
                               mld_config_where(cfg, i, key), key, what);
    }
    return 0;
}

static int
load_poll_section(const struct mld_config *cfg, int i, struct mld_poll_options *opt,
                  struct mld_err *err)
{
    static const char *const keys[] = {"concurrency", "per_host", "quarantine", NULL};
    int rc = check_keys(cfg, i, keys, "[poll]", err);
    if (rc != 0)
        return rc;
    const char *v = mld_config_get(cfg, i, "concurrency");
    if (v != NULL && parse_count(v, 1, MLD_POLL_MAX_CONCURRENCY, &opt->concurrency) != 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: concurrency wants 1 to %d, got '%s'",
                           mld_config_where(cfg, i, "concurrency"), MLD_POLL_MAX_CONCURRENCY, v);
    v = mld_config_get(cfg, i, "per_host");
    if (v != NULL && parse_count(v, 1, MLD_POLL_MAX_PER_HOST, &opt->per_host) != 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: per_host wants 1 to %d, got '%s'",
                           mld_config_where(cfg, i, "per_host"), MLD_POLL_MAX_PER_HOST, v);
    v = mld_config_get(cfg, i, "quarantine");
    if (v != NULL)
        opt->quarantine = v;
    return 0;
}

static int
load_source(const struct mld_config *cfg, int i, struct mld_poll_source *s, struct mld_err *err)
{
    static const char *const keys[] = {"url", "interval", "timeout", "format", "section", NULL};
    const char *name = mld_config_name(cfg, i);
    if (name == NULL || !name_ok(name))
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: a source needs a name of letters, digits, '-', '_' or '.' "
                           "(at most 64): [source NAME]",
                           mld_config_where(cfg, i, NULL));
    char what[96];
    snprintf(what, sizeof(what), "[source %s]", name);
    int rc = check_keys(cfg, i, keys, what, err);
    if (rc != 0)
        return rc;
    const char *url = mld_config_get(cfg, i, "url");
    if (url == NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: %s has no url", mld_config_where(cfg, i, NULL),
                           what);
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: url must start with http:// or https://",
                           mld_config_where(cfg, i, "url"));
    s->interval = MLD_POLL_INTERVAL_SECS;
    s->timeout = MLD_POLL_TIMEOUT_SECS;
    const char *v = mld_config_get(cfg, i, "interval");
    if (v != NULL &&
        mld_config_secs(v, MLD_POLL_MIN_INTERVAL_SECS, MLD_POLL_MAX_INTERVAL_SECS, &s->interval) != 0)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: interval wants %d to %d seconds (or with s, m, h), got '%s'",
                           mld_config_where(cfg, i, "interval"), MLD_POLL_MIN_INTERVAL_SECS,
                           MLD_POLL_MAX_INTERVAL_SECS, v);
    v = mld_config_get(cfg, i, "timeout");
    if (v != NULL && mld_config_secs(v, 1, MLD_POLL_MAX_TIMEOUT_SECS, &s->timeout) != 0)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: timeout wants 1 to %d seconds (or with s, m), got '%s'",
                           mld_config_where(cfg, i, "timeout"), MLD_POLL_MAX_TIMEOUT_SECS, v);
    v = mld_config_get(cfg, i, "format");
    s->format = NULL;
    if (v != NULL && strcmp(v, "auto") != 0) {
        s->format = mld_format_find(v);
        if (s->format == NULL)
            return mld_err_set(err, MLD_E_PARSE, "%s: unknown format '%s'",
                               mld_config_where(cfg, i, "format"), v);
    }
    v = mld_config_get(cfg, i, "section");
    if (v != NULL && (v[0] == '\0' || strlen(v) > MLD_MAX_SECTION_NAME_BYTES))
        return mld_err_set(err, MLD_E_PARSE, "%s: section wants a name of 1 to %d bytes",
                           mld_config_where(cfg, i, "section"), MLD_MAX_SECTION_NAME_BYTES);
    s->name = mld_strdup(name);
    s->url = mld_strdup(url);
    s->section = v != NULL ? mld_strdup(v) : NULL;
    return 0;
}

int
mld_poll_config_load(const struct mld_config *cfg, struct mld_poll_source **out, int *n,
                     struct mld_poll_options *opt, struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    opt->concurrency = MLD_POLL_CONCURRENCY;
    opt->per_host = MLD_POLL_PER_HOST;
    int total = mld_config_count(cfg);
    struct mld_poll_source *v = mld_calloc(total > 0 ? (size_t)total : 1, sizeof(*v));
    int m = 0, rc = 0;
    for (int i = 0; i < total && rc == 0; i++) {
        const char *kind = mld_config_kind(cfg, i);
        if (strcmp(kind, "poll") == 0) {
            rc = load_poll_section(cfg, i, opt, err);
        } else if (strcmp(kind, "source") == 0) {
            rc = load_source(cfg, i, &v[m], err);
            if (rc != 0)
                break;
            for (int k = 0; k < m; k++)
                if (strcmp(v[k].name, v[m].name) == 0)
                    rc = mld_err_set(err, MLD_E_PARSE, "%s: a second [source %s]",
                                     mld_config_where(cfg, i, NULL), v[m].name);
            m++;
        }
    }
    if (rc != 0) {
        mld_poll_sources_free(v, m);
        return rc;
    }
    *out = v;
    *n = m;
    return 0;
}

/* State ---------------------------------------------------------------- */

static void
set_str(char **slot, const char *v)
{
    mld_free(*slot);
    *slot = mld_strdup(v);
}

/* Back-off ----------------------------------------------------------- */

static uint64_t
next_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

long
mld_poll_backoff(int failures, int interval, long retry_after, uint64_t *rng)
{
    long base = interval > 0 ? interval : 1;
    for (int i = 0; i < failures && base < MLD_POLL_BACKOFF_MAX_SECS; i++)
        base *= 2;
    if (base > MLD_POLL_BACKOFF_MAX_SECS)
        base = MLD_POLL_BACKOFF_MAX_SECS;
    if (base < interval)
        base = interval;
    /* Up to a quarter less, so sources that failed together (one outage)
     * do not come back in lockstep. */
    long d = base - (long)(next_rand(rng) % (uint64_t)(base / 4 + 1));
    if (d < 1)
        d = 1;
    if (retry_after > d)
        d = retry_after < MLD_POLL_MAX_RETRY_AFTER_SECS ? retry_after
                                                        : MLD_POLL_MAX_RETRY_AFTER_SECS;
    return d;
}

/* The poller ----------------------------------------------------------- */

static void
save(struct mld_poller *p, int i)
{
    struct mld_err err = {0};
    if (p->hooks->save(p->ud, &p->src[i], &p->st[i], &err) != 0)
        mld_log_error("poll: %s: state not saved: %s", p->src[i].name, err.msg);
}

static void
fail(struct mld_poller *p, int i, const char *msg, long retry_after)
{
    struct mld_source_state *st = &p->st[i];
    mld_time_t now = mld_time_now();
    if (st->failures < 1000)
        st->failures++;
    st->failed++;
    set_str(&st->last_error, msg);
    st->last_error_at = now;
    long d = mld_poll_backoff(st->failures, p->src[i].interval, retry_after, &p->rng);
    st->next_attempt = now + d;
    p->counts.failed++;
    mld_log_error("poll: %s: %s (failure %d in a row, next attempt in %ld s)", p->src[i].name, msg,
                  st->failures, d);
    save(p, i);
}

static void
succeed(struct mld_source_state *st, const struct mld_poll_source *src)
{
    mld_time_t now = mld_time_now();
    st->failures = 0;
    st->last_success = now;
    st->next_attempt = now + src->interval;
}

/* True when an error says something about the document (worth keeping
 * it), rather than about meldung's own storage. */
static bool
doc_at_fault(int rc)
{
    return rc != MLD_E_STORE && rc != MLD_E_IO && rc != MLD_E_NOMEM && rc != MLD_E_FULL;
}

static void
quarantine(struct mld_poller *p, int i, const struct mld_fetch_res *res, const struct mld_err *why)
{
    const char *prev = p->st[i].last_error;
    if (p->opt.quarantine == NULL || (prev != NULL && strcmp(prev, why->msg) == 0))
        return; /* the same failure as last time: its document is kept already */
    struct mld_err qerr = {0};
    if (mld_quarantine_put(p->opt.quarantine, p->src[i].name, res->body.p ? res->body.p : "",
                           res->body.len, why, &qerr) != 0)
        mld_log_error("poll: %s: not quarantined: %s", p->src[i].name, qerr.msg);
}

/* A 200: detect, parse and store with the new state. */
static void
take_document(struct mld_poller *p, int i, struct mld_fetch_res *res, const char *display)
{
    const struct mld_poll_source *src = &p->src[i];
    struct mld_err err = {0};
    const struct mld_format *fmt = src->format;
    const char *doc = res->body.p ? res->body.p : "";
    if (fmt == NULL)
        fmt = mld_format_detect(doc, res->body.len);
    if (fmt == NULL) {
        mld_err_set(&err, MLD_E_UNSUPPORTED, "%s: not a format meldung reads (Content-Type %s)",
                    display, res->content_type ? res->content_type : "none");
        quarantine(p, i, res, &err);
        fail(p, i, err.msg, res->retry_after);
        return;
    }
    struct mld_source_state next;
    mld_source_state_copy(&next, &p->st[i]);
    set_str(&next.url, src->url);
    set_str(&next.etag, res->etag);
    set_str(&next.last_modified, res->last_modified);
    succeed(&next, src);
    int64_t before = next.items;
    struct mld_source from = {
        .name = display,
        .url = res->final_url ? res->final_url : src->url,
        .content_type = res->content_type,
        .section = src->section,
        /* A feed is a window the operator cannot have resent: one item
         * whose body was refused must not keep its other news out until
         * it scrolls away. It is stored with a warning and counted. */
        .keep_incomplete = true,
    };
    int rc = p->hooks->store(p->ud, src, doc, res->body.len, &from, fmt, &next, &err);
    if (rc != 0) {
        mld_source_state_dispose(&next);
        if (err.msg[0] == '\0')
            mld_err_set(&err, rc, "%s: %s", display, mld_strerror(rc));
        if (doc_at_fault(rc))
            quarantine(p, i, res, &err);
        fail(p, i, err.msg, res->retry_after);
        return;
    }
    mld_source_state_dispose(&p->st[i]);
    p->st[i] = next;
    p->counts.changed++;
    p->counts.items += next.items - before;
    mld_log_info("poll: %s: %s, %lld article(s) stored", src->name, fmt->name,
                 (long long)(next.items - before));
}

static void
handle_done(void *ud, void *tag, int rc, struct mld_fetch_res *res, const struct mld_err *err)
{
    struct mld_poller *p = ud;
    int i = (int)(intptr_t)tag;
    const struct mld_poll_source *src = &p->src[i];
    struct mld_source_state *st = &p->st[i];
    p->inflight[i] = false;
    p->counts.polls++;
    char display[1024];
    mld_fetch_display_url(src->url, display, sizeof(display));
    if (rc != 0) {
        fail(p, i, err->msg, res->retry_after);
        return;
    }
    if (res->status == 304 || res->status == 204) {
        /* A 304 may refresh the validators. */
        if (res->etag != NULL)
            set_str(&st->etag, res->etag);
        if (res->last_modified != NULL)
            set_str(&st->last_modified, res->last_modified);
        succeed(st, src);
        p->counts.unchanged++;
        mld_log_debug("poll: %s: not modified", src->name);
        save(p, i);
        return;
    }
    if (res->status == 200 || res->status == 203) {
        take_document(p, i, res, display);
        return;
    }
    struct mld_err e = {0};
    if (res->retry_after >= 0)
        mld_err_set(&e, MLD_E_IO, "%s: HTTP %d (Retry-After %ld s)", display, res->status,
                    res->retry_after);
    else
        mld_err_set(&e, MLD_E_IO, "%s: HTTP %d", display, res->status);
    fail(p, i, e.msg, res->retry_after);
}

int
mld_poller_new(struct mld_poller **out, const struct mld_poll_source *srcs, int n,
               const struct mld_poll_options *opt, const struct mld_poll_hooks *hooks, void *ud,
               struct mld_err *err)
{
    *out = NULL;
    struct mld_poller *p = MLD_NEW(struct mld_poller);
    p->src = srcs;
    p->n = n;
    p->st = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*p->st));
    p->inflight = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*p->inflight));
    p->opt = *opt;
    if (p->opt.concurrency < 1)
        p->opt.concurrency = MLD_POLL_CONCURRENCY;
    if (p->opt.per_host < 1)
        p->opt.per_host = MLD_POLL_PER_HOST;
    p->hooks = hooks;
    p->ud = ud;
    p->rng = (uint64_t)mld_time_now() * 2654435761u ^ (uint64_t)getpid() ^ (uintptr_t)p;
    p->fetcher = mld_fetcher_new(p->opt.concurrency, p->opt.per_host);
    for (int i = 0; i < n; i++) {
        int rc = hooks->load(ud, &srcs[i], &p->st[i], err);
        if (rc == MLD_E_NOTFOUND) {
            mld_source_state_dispose(&p->st[i]);
            mld_err_clear(err);
            rc = 0;
        }
        if (rc != 0) {
            mld_poller_free(p);
            return rc;
        }
        struct mld_source_state *st = &p->st[i];
        if (st->url != NULL && strcmp(st->url, srcs[i].url) != 0) {
            /* Another feed now: its validators and back-off do not apply. */
            mld_free(st->etag);
            mld_free(st->last_modified);
            st->etag = st->last_modified = NULL;
            st->failures = 0;
            st->next_attempt = 0;
        }
        set_str(&st->url, srcs[i].url);
    }
    *out = p;
    return 0;
}

void
mld_poller_free(struct mld_poller *p)
{
    if (p == NULL)
        return;
    mld_fetcher_free(p->fetcher);
    for (int i = 0; i < p->n; i++)
        mld_source_state_dispose(&p->st[i]);
    mld_free(p->st);
    mld_free(p->inflight);
    mld_free(p);
}

/* Claims source i before its fetch (hooks->claim): true to fetch it.
 * A source another node has is tried again at its saved next attempt, or
 * after MLD_POLL_CLAIM_RETRY_SECS while that node is fetching it. */
static bool
claim(struct mld_poller *p, int i)
{
    if (p->hooks->claim == NULL)
        return true;
    struct mld_err err = {0};
    int rc = p->hooks->claim(p->ud, &p->src[i], &p->st[i], &err);
    if (rc == 1)
        return true;
    mld_time_t retry = mld_time_now() + MLD_POLL_CLAIM_RETRY_SECS;
    if (rc < 0)
        mld_log_error("poll: %s: not claimed: %s", p->src[i].name, err.msg);
    else
        mld_log_debug("poll: %s: polled by another node", p->src[i].name);
    if (rc < 0 || p->st[i].next_attempt < retry)
        p->st[i].next_attempt = retry;
    return false;
}

static void
release(struct mld_poller *p, int i)
{
    if (p->hooks->release != NULL)
        p->hooks->release(p->ud, &p->src[i]);
}

/* A fetch ended: its result handled and the source's state saved, the
 * source is given up for other nodes. */
static void
on_done(void *ud, void *tag, int rc, struct mld_fetch_res *res, const struct mld_err *err)
{
    handle_done(ud, tag, rc, res, err);
    release(ud, (int)(intptr_t)tag);
}

/* Queues a fetch of source i. */
static void
start(struct mld_poller *p, int i)
{
    const struct mld_poll_source *src = &p->src[i];
    struct mld_source_state *st = &p->st[i];
    struct mld_fetch_req req = {
        .url = src->url,
        .etag = st->etag,
        .last_modified = st->last_modified,
        .timeout_ms = src->timeout * 1000,
    };
    struct mld_err err = {0};
    if (!claim(p, i))
        return;
    st->last_attempt = mld_time_now();
    if (mld_fetcher_add(p->fetcher, &req, (void *)(intptr_t)i, &err) != 0) {
        p->counts.polls++;
        fail(p, i, err.msg, -1);
        release(p, i);
        return;
    }
    p->inflight[i] = true;
    mld_log_debug("poll: %s: fetching%s", src->name,
                  st->etag || st->last_modified ? " (conditional)" : "");
}

int
mld_poller_round(struct mld_poller *p, bool force)
{
    mld_time_t now = mld_time_now();
    int started = 0;
    for (int i = 0; i < p->n; i++)
        if (!p->inflight[i] && (force || p->st[i].next_attempt <= now)) {
            start(p, i);
            started++;
        }
    while (mld_fetcher_pending(p->fetcher) > 0)
        mld_fetcher_step(p->fetcher, 1000, on_done, p);
    return started;
}

void
mld_poller_step(struct mld_poller *p, int max_wait_ms)
{
    mld_time_t now = mld_time_now();
    mld_time_t next = 0;
    for (int i = 0; i < p->n; i++) {
        if (p->inflight[i])
            continue;
        if (p->st[i].next_attempt <= now)
            start(p, i);
        else if (next == 0 || p->st[i].next_attempt < next)
            next = p->st[i].next_attempt;
    }
    int wait = max_wait_ms < 0 ? 0 : max_wait_ms;
    if (mld_fetcher_pending(p->fetcher) == 0 && next != 0 && (next - now) * 1000 < wait)
        wait = (int)((next - now) * 1000);
    mld_fetcher_step(p->fetcher, wait, on_done, p);
}

const struct mld_source_state *
mld_poller_state(const struct mld_poller *p, int i)
{
    return &p->st[i];
}

void
mld_poller_counts(const struct mld_poller *p, struct mld_poll_counts *out)
{
    *out = p->counts;
}
