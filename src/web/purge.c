/*
 * purge.c - the CDN purge queue and its worker thread (see purge.h).
 *
 * One mutex guards the queue (an array of at most MLD_PURGE_QUEUE_KEYS
 * mapped keys, each its own allocation, plus the "everything" flag) and
 * the counters. mld_purge_add() only appends under that mutex, so the
 * refresh that calls it never waits for the network. The worker sleeps
 * on a condition variable until kicked, takes up to MLD_PURGE_BATCH_KEYS
 * keys (or the one "site" key when the queue collapsed), and POSTs them
 * with libcurl outside the lock; between failed attempts it waits on the
 * same condition with a deadline, so mld_purge_free() wakes it at once.
 * A transfer in flight is aborted from curl's progress callback when the
 * worker is told to stop.
 */
#include "purge.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"

struct mld_purge {
    char *url;
    char *auth;                 /* "Authorization: Bearer TOKEN", or NULL */
    pthread_mutex_t lock;       /* everything below but stop */
    pthread_cond_t cond;        /* kicks and stop, for the worker */
    char *keys[MLD_PURGE_QUEUE_KEYS]; /* waiting, mapped, owned */
    int nkeys;
    bool everything;            /* the queue overflowed: purge "site" */
    bool kicked;                /* mld_purge_kick() since the last take */
    atomic_bool stop;
    struct mld_purge_stats stats;
    time_t last_log;            /* rate limit of failure messages */
    long unlogged;              /* failures since the last message */
    pthread_t thread;
    bool started;
};

bool
mld_purge_header_key(const char *key, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    if (key == NULL || key[0] == '\0' || size == 0)
        return false;
    if (strcmp(key, "*") == 0)
        key = MLD_PURGE_SITE_KEY;
    if (size > MLD_PURGE_MAX_KEY_BYTES + 1)
        size = MLD_PURGE_MAX_KEY_BYTES + 1;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == ':';
        size_t need = plain ? 1 : 3;
        if (n + need >= size)
            return false;
        if (plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return true;
}

/* Logs a failure of the purge URL, at most once per MLD_PURGE_LOG_SECS.
 * Called with p->lock held. */
static void
log_failure(struct mld_purge *p, const char *why)
{
    time_t now = time(NULL);
    if (p->last_log != 0 && now - p->last_log < MLD_PURGE_LOG_SECS) {
        p->unlogged++;
        return;
    }
    if (p->unlogged > 0)
        mld_log_warn("purge: %s: %s (%ld more failure(s) since the last message)", p->url, why,
                     p->unlogged);
    else
        mld_log_warn("purge: %s: %s", p->url, why);
    p->last_log = now;
    p->unlogged = 0;
}

/* Drops every waiting key. Called with p->lock held. */
static void
clear_keys(struct mld_purge *p)
{
    for (int i = 0; i < p->nkeys; i++)
        mld_free(p->keys[i]);
    p->nkeys = 0;
}

void
mld_purge_add(struct mld_purge *p, const char *key)
{
    if (p == NULL)
        return;
    char mapped[MLD_PURGE_MAX_KEY_BYTES + 1];
    bool all = !mld_purge_header_key(key, mapped, sizeof(mapped)) ||
               strcmp(mapped, MLD_PURGE_SITE_KEY) == 0;
    pthread_mutex_lock(&p->lock);
    if (all || p->everything) {
        p->everything = true;
        clear_keys(p);
    } else {
        bool found = false;
        for (int i = 0; i < p->nkeys && !found; i++)
            found = strcmp(p->keys[i], mapped) == 0;
        if (!found && p->nkeys == MLD_PURGE_QUEUE_KEYS) {
            p->stats.collapsed++;
            log_failure(p, "purge queue full: purging every page instead");
            p->everything = true;
            clear_keys(p);
        } else if (!found) {
            p->keys[p->nkeys++] = mld_strdup(mapped);
        }
    }
    pthread_mutex_unlock(&p->lock);
}

void
mld_purge_kick(struct mld_purge *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->kicked = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void
mld_purge_get_stats(struct mld_purge *p, struct mld_purge_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    out->pending = p->everything ? 1 : p->nkeys;
    pthread_mutex_unlock(&p->lock);
}

/* Takes the next batch into body as {"keys": [...]}; false when there is
 * none. Called with p->lock held. */
static bool
take_batch(struct mld_purge *p, struct mld_buf *body)
{
    if (!p->everything && p->nkeys == 0)
        return false;
    mld_buf_reset(body);
    mld_buf_puts(body, "{\"keys\":[");
    if (p->everything) {
        /* Mapped keys hold no quote or backslash: no JSON escaping. */
        mld_buf_puts(body, "\"" MLD_PURGE_SITE_KEY "\"");
        p->everything = false;
        clear_keys(p);
    } else {
        int n = p->nkeys < MLD_PURGE_BATCH_KEYS ? p->nkeys : MLD_PURGE_BATCH_KEYS;
        for (int i = 0; i < n; i++) {
            mld_buf_printf(body, "%s\"%s\"", i > 0 ? "," : "", p->keys[i]);
            mld_free(p->keys[i]);
        }
        memmove(p->keys, p->keys + n, (size_t)(p->nkeys - n) * sizeof(p->keys[0]));
        p->nkeys -= n;
    }
    mld_buf_puts(body, "]}");
    return true;
}

/* libcurl's progress callback: a nonzero return aborts the transfer. */
static int
abort_on_stop(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    struct mld_purge *p = ud;
    return atomic_load(&p->stop) ? 1 : 0;
}

/* The purge URL's answer is not read: only its status counts. */
static size_t
discard(char *ptr, size_t size, size_t n, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * n;
}

/* POSTs body once. Returns true on a 2xx answer; otherwise writes why to
 * why (size bytes). */
static bool
post_once(struct mld_purge *p, CURL *h, const struct mld_buf *body, char *why, size_t size)
{
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (p->auth != NULL)
        hdrs = curl_slist_append(hdrs, p->auth);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, p->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->p);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body->len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)MLD_PURGE_TIMEOUT_SECS);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "meldung-purge");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, p);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        snprintf(why, size, "%s", curl_easy_strerror(rc));
        return false;
    }
    if (status < 200 || status > 299) {
        snprintf(why, size, "answered %ld", status);
        return false;
    }
    return true;
}

/* Waits up to secs seconds or until stop. Called with p->lock held. */
static void
backoff(struct mld_purge *p, int secs)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += secs;
    while (!atomic_load(&p->stop))
        if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT)
            break;
}

static void *
worker(void *ud)
{
    struct mld_purge *p = ud;
    CURL *h = curl_easy_init();
    struct mld_buf body;
    mld_buf_init(&body, (size_t)MLD_PURGE_BATCH_KEYS * (MLD_PURGE_MAX_KEY_BYTES + 3) + 64);
    pthread_mutex_lock(&p->lock);
    while (!atomic_load(&p->stop)) {
        if (!p->kicked || !take_batch(p, &body)) {
            p->kicked = false;
            pthread_cond_wait(&p->cond, &p->lock);
            continue;
        }
        for (int attempt = 1; !atomic_load(&p->stop); attempt++) {
            char why[CURL_ERROR_SIZE + 32] = "no libcurl handle";
            p->stats.attempts++;
            pthread_mutex_unlock(&p->lock);
            bool ok = h != NULL && post_once(p, h, &body, why, sizeof(why));
            pthread_mutex_lock(&p->lock);
            if (ok) {
                p->stats.sent++;
                break;
            }
            bool last = attempt == MLD_PURGE_TRIES || atomic_load(&p->stop);
            char msg[sizeof(why) + 64];
            snprintf(msg, sizeof(msg), "%s (attempt %d of %d%s)", why, attempt,
                     MLD_PURGE_TRIES, last ? ": keys given up" : ", retrying");
            log_failure(p, msg);
            if (last) {
                p->stats.failed++;
                break;
            }
            int secs = 1 << (attempt - 1);
            backoff(p, secs < MLD_PURGE_BACKOFF_MAX_SECS ? secs : MLD_PURGE_BACKOFF_MAX_SECS);
        }
    }
    pthread_mutex_unlock(&p->lock);
    mld_buf_dispose(&body);
    if (h != NULL)
        curl_easy_cleanup(h);
    return NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc;

/* The same allocator as fetch.c's: whichever runs first sets it. */
static void
curl_init(void)
{
    curl_rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, mld_malloc, mld_free, mld_realloc,
                                   mld_strdup, mld_calloc);
}

int
mld_purge_new(struct mld_purge **out, const char *url, const char *token, struct mld_err *err)
{
    *out = NULL;
    pthread_once(&curl_once, curl_init);
    if (curl_rc != CURLE_OK)
        return mld_err_set(err, MLD_E_HTTP, "purge: libcurl initialisation failed: %s",
                           curl_easy_strerror(curl_rc));
    struct mld_purge *p = MLD_NEW(struct mld_purge);
    p->url = mld_strdup(url);
    if (token != NULL && token[0] != '\0') {
        size_t n = strlen(token) + 32;
        p->auth = mld_malloc(n);
        snprintf(p->auth, n, "Authorization: Bearer %s", token);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    atomic_init(&p->stop, false);
    int rc = pthread_create(&p->thread, NULL, worker, p);
    if (rc != 0) {
        mld_purge_free(p);
        return mld_err_set(err, MLD_E_HTTP, "purge: cannot start the worker thread: %s",
                           strerror(rc));
    }
    p->started = true;
    *out = p;
    return 0;
}

void
mld_purge_free(struct mld_purge *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (p->started)
        pthread_join(p->thread, NULL);
    clear_keys(p);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    mld_free(p->url);
    mld_free(p->auth);
    mld_free(p);
}
