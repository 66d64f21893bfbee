/*
 * fetch.c - HTTP(S) GET over libcurl's multi interface (see fetch.h).
 *
 * A fetcher is a curl multi handle plus two lists of transfers: a FIFO
 * queue of those waiting for a slot, and those in flight. Slots are
 * counted here, per host:port and in total, rather than left to curl's
 * CURLMOPT_MAX_HOST_CONNECTIONS alone: curl counts connections (HTTP/2
 * puts several transfers on one) and starts the clock of a queued
 * transfer when it is added, so a slow host would time out the transfers
 * waiting behind it. curl's own limits are set as well, as a backstop.
 *
 * Headers are read as they arrive; a new status line (a redirect, a
 * 100 Continue) forgets those of the answer before, so what comes back
 * belongs to the last answer. The body is appended to a buffer capped at
 * MLD_MAX_DOC_BYTES; the write callback refuses the chunk that would pass
 * it, which aborts the transfer, so a gzip bomb costs at most the cap.
 * libcurl allocates through mld_malloc and friends (curl_global_init_mem).
 */
#include "fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"

/* One fetch, queued or in flight. */
struct xfer {
    struct xfer *next;          /* queue or active list */
    CURL *easy;                 /* NULL while queued */
    struct curl_slist *headers; /* conditional headers sent */
    char *url;
    char *etag;          /* to send, or NULL */
    char *last_modified; /* to send, or NULL */
    char *host;          /* "host:port", lower case: the per-host key */
    char display[1024];  /* url without credentials, for messages */
    int timeout_ms;
    int connect_timeout_ms;
    void *tag;
    bool toobig;  /* the write callback refused the body */
    int start_rc; /* curl refused an option: fails at once */
    struct mld_fetch_res res;
    char errbuf[CURL_ERROR_SIZE];
};

struct mld_fetcher {
    CURLM *multi;
    int max_total;
    int max_per_host;
    struct xfer *queue; /* waiting, oldest first */
    struct xfer *queue_tail;
    struct xfer *active; /* in flight (and failed starts), any order */
    int nqueued;
    int nactive;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
global_init(void)
{
    global_rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, mld_malloc, mld_free, mld_realloc,
                                     mld_strdup, mld_calloc);
    if (global_rc != CURLE_OK)
        mld_log_error("fetch: libcurl initialisation failed: %s", curl_easy_strerror(global_rc));
}

void
mld_fetch_res_dispose(struct mld_fetch_res *res)
{
    mld_buf_dispose(&res->body);
    mld_free(res->etag);
    mld_free(res->last_modified);
    mld_free(res->content_type);
    mld_free(res->final_url);
    res->etag = res->last_modified = res->content_type = res->final_url = NULL;
    res->status = 0;
    res->retry_after = -1;
}

void
mld_fetch_display_url(const char *url, char *out, size_t size)
{
    if (size == 0)
        return;
    CURLU *u = curl_url();
    char *s = NULL;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
            s = NULL;
    }
    snprintf(out, size, "%s", s ? s : url);
    curl_free(s);
    curl_url_cleanup(u);
}

long
mld_fetch_parse_retry_after(const char *v, mld_time_t now)
{
    size_t n = strlen(v);
    if (n == 0)
        return -1;
    size_t i = 0;
    long secs = 0;
    while (i < n && v[i] >= '0' && v[i] <= '9') {
        /* Anything beyond a billion seconds is "very long": clamp. */
        if (secs < 1000000000L)
            secs = secs * 10 + (v[i] - '0');
        i++;
    }
    if (i == n)
        return secs > 1000000000L ? 1000000000L : secs;
    mld_time_t t;
    if (mld_time_parse_http(v, n, &t) != 0)
        return -1;
    if (t <= now)
        return 0;
    return t - now > 1000000000 ? 1000000000L : (long)(t - now);
}

/* Checks that url is http(s) with a host; fills x->host and x->display. */
static int
parse_url(struct xfer *x, struct mld_err *err)
{
    mld_fetch_display_url(x->url, x->display, sizeof(x->display));
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = 0;
    if (u == NULL ||
        curl_url_set(u, CURLUPART_URL, x->url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = mld_err_set(err, MLD_E_INVAL, "%s: not a URL", x->display);
        goto out_free;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = mld_err_set(err, MLD_E_INVAL, "%s: only http and https URLs are fetched", x->display);
        goto out_free;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0' ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = mld_err_set(err, MLD_E_INVAL, "%s: no host in the URL", x->display);
        goto out_free;
    }
    size_t hn = strlen(host) + strlen(port) + 2;
    x->host = mld_malloc(hn);
    snprintf(x->host, hn, "%s:%s", host, port);
    for (char *p = x->host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
out_free:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

static void
xfer_free(struct xfer *x)
{
    if (x == NULL)
        return;
    if (x->easy != NULL)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    mld_free(x->url);
    mld_free(x->etag);
    mld_free(x->last_modified);
    mld_free(x->host);
    mld_fetch_res_dispose(&x->res);
    mld_free(x);
}

/* True when v[0..n) may be kept and sent back in a header. */
static bool
header_value_ok(const char *v, size_t n)
{
    if (n == 0 || n > MLD_POLL_MAX_HEADER_BYTES)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    return true;
}

static void
keep_header(char **slot, const char *v, size_t n)
{
    mld_free(*slot);
    *slot = header_value_ok(v, n) ? mld_strndup(v, n) : NULL;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * nitems;
    if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        /* A new answer: what the previous one said no longer applies. */
        mld_free(x->res.etag);
        mld_free(x->res.last_modified);
        mld_free(x->res.content_type);
        x->res.etag = x->res.last_modified = x->res.content_type = NULL;
        x->res.retry_after = -1;
        return len;
    }
    const char *colon = memchr(buf, ':', len);
    if (colon == NULL || buf[0] == ' ' || buf[0] == '\t')
        return len;
    size_t nlen = (size_t)(colon - buf);
    const char *v = colon + 1, *end = buf + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (nlen == 4 && strncasecmp(buf, "etag", 4) == 0) {
        keep_header(&x->res.etag, v, vlen);
    } else if (nlen == 13 && strncasecmp(buf, "last-modified", 13) == 0) {
        keep_header(&x->res.last_modified, v, vlen);
    } else if (nlen == 12 && strncasecmp(buf, "content-type", 12) == 0) {
        keep_header(&x->res.content_type, v, vlen);
    } else if (nlen == 11 && strncasecmp(buf, "retry-after", 11) == 0) {
        char *val = NULL;
        keep_header(&val, v, vlen);
        x->res.retry_after = val ? mld_fetch_parse_retry_after(val, mld_time_now()) : -1;
        mld_free(val);
    }
    return len;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * nmemb;
    if (mld_buf_append(&x->res.body, p, len) != 0) {
        x->toobig = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Adds a "Name: value" request header. */
static void
add_header(struct xfer *x, const char *name, const char *value)
{
    char line[MLD_POLL_MAX_HEADER_BYTES + 64];
    snprintf(line, sizeof(line), "%s: %s", name, value);
    x->headers = curl_slist_append(x->headers, line);
}

/* Creates x's easy handle with every option; a refused option makes the
 * fetch fail at once with start_rc set. */
static void
xfer_start(struct mld_fetcher *f, struct xfer *x)
{
    x->easy = curl_easy_init();
    if (x->easy == NULL) {
        x->start_rc = MLD_E_IO;
        snprintf(x->errbuf, sizeof(x->errbuf), "libcurl could not create a handle");
        return;
    }
    if (x->etag != NULL)
        add_header(x, "If-None-Match", x->etag);
    if (x->last_modified != NULL)
        add_header(x, "If-Modified-Since", x->last_modified);
    CURL *e = x->easy;
    CURLcode cc = CURLE_OK;
#define SET_(opt, val)                          \
    do {                                        \
        if (cc == CURLE_OK)                     \
            cc = curl_easy_setopt(e, opt, val); \
    } while (0)
    SET_(CURLOPT_URL, x->url);
    SET_(CURLOPT_PRIVATE, x);
    SET_(CURLOPT_ERRORBUFFER, x->errbuf);
    SET_(CURLOPT_NOSIGNAL, 1L);
    SET_(CURLOPT_PROTOCOLS_STR, "http,https");
    SET_(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET_(CURLOPT_FOLLOWLOCATION, 1L);
    SET_(CURLOPT_MAXREDIRS, (long)MLD_POLL_MAX_REDIRECTS);
    SET_(CURLOPT_ACCEPT_ENCODING, "");
    SET_(CURLOPT_CONNECTTIMEOUT_MS, (long)x->connect_timeout_ms);
    SET_(CURLOPT_TIMEOUT_MS, (long)x->timeout_ms);
    SET_(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MLD_MAX_DOC_BYTES);
    SET_(CURLOPT_WRITEFUNCTION, on_body);
    SET_(CURLOPT_WRITEDATA, x);
    SET_(CURLOPT_HEADERFUNCTION, on_header);
    SET_(CURLOPT_HEADERDATA, x);
    SET_(CURLOPT_USERAGENT, "meldung/0.1 (news wire poller)");
    SET_(CURLOPT_HTTPHEADER, x->headers);
#undef SET_
    if (cc != CURLE_OK) {
        x->start_rc = MLD_E_IO;
        snprintf(x->errbuf, sizeof(x->errbuf), "libcurl refused an option: %s",
                 curl_easy_strerror(cc));
        return;
    }
    CURLMcode mc = curl_multi_add_handle(f->multi, e);
    if (mc != CURLM_OK) {
        x->start_rc = MLD_E_IO;
        snprintf(x->errbuf, sizeof(x->errbuf), "libcurl: %s", curl_multi_strerror(mc));
    }
}

/* Fetches in flight to host. */
static int
host_active(const struct mld_fetcher *f, const char *host)
{
    int n = 0;
    for (const struct xfer *x = f->active; x != NULL; x = x->next)
        if (strcmp(x->host, host) == 0)
            n++;
    return n;
}

/* Moves queued fetches into flight as far as the limits allow, oldest
 * first; a fetch whose host is full lets later ones for other hosts go. */
static void
start_queued(struct mld_fetcher *f)
{
    struct xfer **pp = &f->queue, *prev = NULL;
    while (*pp != NULL && f->nactive < f->max_total) {
        struct xfer *x = *pp;
        if (host_active(f, x->host) >= f->max_per_host) {
            prev = x;
            pp = &x->next;
            continue;
        }
        *pp = x->next;
        if (f->queue_tail == x)
            f->queue_tail = prev;
        f->nqueued--;
        x->next = f->active;
        f->active = x;
        f->nactive++;
        xfer_start(f, x);
    }
}

/* Turns the end of a transfer into rc and err. */
static int
finish(struct xfer *x, CURLcode cc, struct mld_err *err)
{
    if (x->start_rc != 0)
        return mld_err_set(err, x->start_rc, "%s: %s", x->display, x->errbuf);
    long status = 0;
    if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        x->res.status = (int)status;
    char *eff = NULL;
    if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != NULL)
        x->res.final_url = mld_strdup(eff);
    if (cc == CURLE_OK)
        return 0;
    const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_WRITE_ERROR:
        if (x->toobig)
            return mld_err_set(err, MLD_E_TOOBIG, "%s: body larger than the limit of %u bytes",
                               x->display, (unsigned)MLD_MAX_DOC_BYTES);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        return mld_err_set(err, MLD_E_TOOBIG,
                           "%s: announced body larger than the limit of %u bytes", x->display,
                           (unsigned)MLD_MAX_DOC_BYTES);
    case CURLE_OPERATION_TIMEDOUT:
        return mld_err_set(err, MLD_E_IO, "%s: timed out (%d ms allowed): %s", x->display,
                           x->timeout_ms, why);
    case CURLE_TOO_MANY_REDIRECTS:
        return mld_err_set(err, MLD_E_IO, "%s: more than %d redirects", x->display,
                           MLD_POLL_MAX_REDIRECTS);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return mld_err_set(err, MLD_E_UNSUPPORTED,
                           "%s: redirected to a protocol other than http or https: %s", x->display,
                           why);
    case CURLE_URL_MALFORMAT: return mld_err_set(err, MLD_E_INVAL, "%s: %s", x->display, why);
    default: break;
    }
    return mld_err_set(err, MLD_E_IO, "%s: %s", x->display, why);
}

/* Takes x off the active list. */
static void
unlink_active(struct mld_fetcher *f, struct xfer *x)
{
    for (struct xfer **pp = &f->active; *pp != NULL; pp = &(*pp)->next)
        if (*pp == x) {
            *pp = x->next;
            f->nactive--;
            return;
        }
}

/* Ends x: reports it through done and frees it. */
static void
end_xfer(struct mld_fetcher *f, struct xfer *x, CURLcode cc, mld_fetch_done_fn done, void *ud)
{
    struct mld_err err = {0};
    if (x->easy != NULL && x->start_rc == 0)
        curl_multi_remove_handle(f->multi, x->easy);
    int rc = finish(x, cc, &err);
    unlink_active(f, x);
    if (done != NULL)
        done(ud, x->tag, rc, &x->res, &err);
    xfer_free(x);
}

/* Reports every transfer curl finished, and every failed start. */
static int
collect(struct mld_fetcher *f, mld_fetch_done_fn done, void *ud)
{
    int ended = 0;
    for (;;) {
        struct xfer *failed = NULL;
        for (struct xfer *x = f->active; x != NULL; x = x->next)
            if (x->start_rc != 0) {
                failed = x;
                break;
            }
        if (failed == NULL)
            break;
        end_xfer(f, failed, CURLE_OK, done, ud);
        ended++;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        struct xfer *x = (struct xfer *)(void *)priv;
        CURLcode cc = msg->data.result;
        if (x == NULL)
            continue;
        end_xfer(f, x, cc, done, ud);
        ended++;
    }
    return ended;
}

struct mld_fetcher *
mld_fetcher_new(int max_total, int max_per_host)
{
    pthread_once(&global_once, global_init);
    struct mld_fetcher *f = MLD_NEW(struct mld_fetcher);
    f->max_total = max_total < 1 ? 1 : max_total;
    f->max_per_host = max_per_host < 1 ? 1 : max_per_host;
    f->multi = curl_multi_init();
    if (f->multi == NULL) {
        mld_log_error("fetch: libcurl could not create a multi handle");
        abort();
    }
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->max_total);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->max_per_host);
    return f;
}

int
mld_fetcher_add(struct mld_fetcher *f, const struct mld_fetch_req *req, void *tag,
                struct mld_err *err)
{
    struct xfer *x = MLD_NEW(struct xfer);
    x->url = mld_strdup(req->url ? req->url : "");
    mld_buf_init(&x->res.body, MLD_MAX_DOC_BYTES);
    x->res.retry_after = -1;
    int rc = parse_url(x, err);
    if (rc == 0 && global_rc != CURLE_OK)
        rc = mld_err_set(err, MLD_E_IO, "%s: libcurl is not initialised", x->display);
    if (rc != 0) {
        xfer_free(x);
        return rc;
    }
    /* Values with control characters would split the request header. */
    if (req->etag != NULL && header_value_ok(req->etag, strlen(req->etag)))
        x->etag = mld_strdup(req->etag);
    if (req->last_modified != NULL &&
        header_value_ok(req->last_modified, strlen(req->last_modified)))
        x->last_modified = mld_strdup(req->last_modified);
    x->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : MLD_POLL_TIMEOUT_SECS * 1000;
    x->connect_timeout_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                        : MLD_POLL_CONNECT_TIMEOUT_SECS * 1000;
    if (x->connect_timeout_ms > x->timeout_ms)
        x->connect_timeout_ms = x->timeout_ms;
    x->tag = tag;
    if (f->queue_tail != NULL)
        f->queue_tail->next = x;
    else
        f->queue = x;
    f->queue_tail = x;
    f->nqueued++;
    return 0;
}

int
mld_fetcher_pending(const struct mld_fetcher *f)
{
    return f->nqueued + f->nactive;
}

int
mld_fetcher_step(struct mld_fetcher *f, int wait_ms, mld_fetch_done_fn done, void *ud)
{
    int running;
    start_queued(f);
    curl_multi_perform(f->multi, &running);
    int ended = collect(f, done, ud);
    if (ended == 0) {
        curl_multi_poll(f->multi, NULL, 0, wait_ms < 0 ? 0 : wait_ms, NULL);
        curl_multi_perform(f->multi, &running);
        ended = collect(f, done, ud);
    }
    /* Slots freed above: start the next ones so they run meanwhile. */
    if (ended > 0 && f->nqueued > 0) {
        start_queued(f);
        curl_multi_perform(f->multi, &running);
    }
    return ended;
}

void
mld_fetcher_free(struct mld_fetcher *f)
{
    if (f == NULL)
        return;
    while (f->active != NULL) {
        struct xfer *x = f->active;
        f->active = x->next;
        if (x->easy != NULL && x->start_rc == 0)
            curl_multi_remove_handle(f->multi, x->easy);
        xfer_free(x);
    }
    while (f->queue != NULL) {
        struct xfer *x = f->queue;
        f->queue = x->next;
        xfer_free(x);
    }
    curl_multi_cleanup(f->multi);
    mld_free(f);
}

/* The one-shot fetch's done: moves the result to the caller. */
struct one {
    struct mld_fetch_res *res;
    struct mld_err *err;
    int rc;
    bool ended;
};

static void
one_done(void *ud, void *tag, int rc, struct mld_fetch_res *res, const struct mld_err *err)
{
    struct one *o = ud;
    (void)tag;
    *o->res = *res;
    mld_buf_init(&res->body, res->body.max);
    res->etag = res->last_modified = res->content_type = res->final_url = NULL;
    if (rc != 0 && o->err != NULL)
        *o->err = *err;
    o->rc = rc;
    o->ended = true;
}

int
mld_fetch(const struct mld_fetch_req *req, struct mld_fetch_res *res, struct mld_err *err)
{
    memset(res, 0, sizeof(*res));
    mld_buf_init(&res->body, MLD_MAX_DOC_BYTES);
    res->retry_after = -1;
    struct mld_fetcher *f = mld_fetcher_new(1, 1);
    struct one o = {res, err, 0, false};
    int rc = mld_fetcher_add(f, req, NULL, err);
    if (rc == 0) {
        while (!o.ended)
            mld_fetcher_step(f, 1000, one_done, &o);
        rc = o.rc;
    }
    mld_fetcher_free(f);
    return rc;
}
