/*
 * webhook.c - webhooks out (see webhook.h, docs/internals/webhooks.md).
 *
 * Threads. mld_webhooks_news() runs on the site's refresh (with the
 * site's lock held): it builds the payload, appends to the queues and
 * wakes the worker, all under wh->lock, which nobody holds across a
 * network call. The worker owns the curl multi handle; it takes wh->lock
 * to pick what is due and to record an outcome, and drops it around
 * curl_multi_perform/curl_multi_poll. curl_multi_wakeup is the one curl
 * call made from another thread (libcurl allows it).
 *
 * Queues. Each webhook has a ring of MLD_WEBHOOK_QUEUE deliveries; the
 * one at its head is in flight or waiting for its retry time. A full ring
 * drops its oldest entry that is not in flight. A delivery keeps its id
 * (X-Meldung-Delivery) over retries, so a receiver can tell a retry of an
 * event it took from a new one; the timestamp and signature are made
 * anew for each attempt.
 */
#include "webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/buf.h"
#include "../base/config.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/store.h"
#include "api.h"

#define EV_ARTICLE 1u
#define EV_WITHDRAWN 2u

/* Most section slugs one webhook's filter names. */
#define MAX_SECTIONS 32

/* The longest wait of the worker between looks at its queues. */
#define IDLE_WAIT_MS 1000

/* One event for one webhook. */
struct delivery {
    char *body; /* the JSON payload, NUL-terminated */
    size_t len;
    const char *kind; /* "article" or "withdrawn" (static) */
    char id[37];      /* X-Meldung-Delivery: a random UUID */
    int attempts;     /* made so far */
};

struct hook {
    char *name, *url, *host;
    char *secret;
    size_t secret_len;
    unsigned events; /* EV_* bits */
    char *sections[MAX_SECTIONS];
    int nsections;      /* 0: every section */
    long timeout;       /* seconds */
    struct delivery *q; /* ring of MLD_WEBHOOK_QUEUE */
    int head, n;
    bool busy;      /* q[head] is in flight */
    int64_t due_ms; /* monotonic time q[head] may be tried */
    int64_t delivered, failed, dropped, missed;
    int failures;
    char last_error[MLD_ERR_MSG_MAX];
    mld_time_t last_error_at, last_success;
    /* The worker's: the request of q[head]. */
    CURL *easy;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
    size_t answered; /* bytes of the answer seen (discarded) */
};

struct mld_webhooks {
    pthread_mutex_t lock; /* the queues and counters */
    struct hook *v;
    int n;
    char *base_url; /* without trailing '/', or NULL */
    CURLM *multi;
    pthread_t thread;
    bool started, stopping;
};

/* Signing ------------------------------------------------------------- */

int
mld_webhook_hmac_hex(const void *key, size_t keylen, const void *msg, size_t n, char hex[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    hex[0] = '\0';
    if (keylen > INT32_MAX || HMAC(EVP_sha256(), key, (int)keylen, msg, n, mac, &len) == NULL ||
        len != 32)
        return MLD_E_INVAL;
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[64] = '\0';
    return 0;
}

int
mld_webhook_sign(const char *secret, size_t secret_len, int64_t ts, const char *body, size_t n,
                 char hex[65])
{
    struct mld_buf m;
    mld_buf_init(&m, n + 32);
    mld_buf_printf(&m, "%" PRId64 ".", ts);
    mld_buf_append(&m, body, n);
    int rc = mld_buf_error(&m) != 0 ? MLD_E_INVAL
                                    : mld_webhook_hmac_hex(secret, secret_len, m.p, m.len, hex);
    mld_buf_dispose(&m);
    return rc;
}

/* Retry policy -------------------------------------------------------- */

int64_t
mld_webhook_backoff_ms(int attempt, uint32_t rnd)
{
    int64_t d = MLD_WEBHOOK_RETRY_BASE_MS;
    for (int i = 1; i < attempt && d < MLD_WEBHOOK_RETRY_MAX_MS; i++)
        d *= 2;
    if (d > MLD_WEBHOOK_RETRY_MAX_MS)
        d = MLD_WEBHOOK_RETRY_MAX_MS;
    return d / 2 + (int64_t)(rnd % (uint32_t)(d / 2 + 1));
}

int
mld_webhook_verdict(int curl_code, long status)
{
    if (curl_code != CURLE_OK)
        return 1; /* no answer: connection refused, timeout, TLS, DNS */
    if (status >= 200 && status < 300)
        return 0;
    if (status == 429 || status >= 500)
        return 1;
    return 2; /* 1xx, 3xx (redirects are not followed), 4xx */
}

/* Configuration ------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

/* libcurl's one-time set-up, allocating through mld_malloc (as fetch.c). */
static void
global_init(void)
{
    global_rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, mld_malloc, mld_free, mld_realloc,
                                     mld_strdup, mld_calloc);
}

static void
hook_dispose(struct hook *h)
{
    for (int i = 0; h->q != NULL && i < h->n; i++)
        mld_free(h->q[(h->head + i) % MLD_WEBHOOK_QUEUE].body);
    mld_free(h->q);
    for (int i = 0; i < h->nsections; i++)
        mld_free(h->sections[i]);
    if (h->secret != NULL)
        memset(h->secret, 0, h->secret_len);
    mld_free(h->secret);
    mld_free(h->name);
    mld_free(h->url);
    mld_free(h->host);
    if (h->easy != NULL)
        curl_easy_cleanup(h->easy);
    curl_slist_free_all(h->hdrs);
}

/* True when host (as curl gives it: IPv6 in brackets) is a loopback
 * address (127.0.0.0/8, ::1) or "localhost", which curl resolves to one
 * itself; "127.example.com" is a name like any other. */
static bool
loopback(const char *host)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0;
}

/* Checks url of section sec and sets h->url and h->host. */
static int
read_url(struct hook *h, const struct mld_config *conf, int sec, const char *url,
         struct mld_err *err)
{
    const char *where = mld_config_where(conf, sec, "url");
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = 0;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        rc = mld_err_set(err, MLD_E_PARSE, "%s: [webhook %s] url: not a URL: '%s'", where, h->name,
                         url);
    } else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && loopback(host))) {
        rc = mld_err_set(err, MLD_E_PARSE,
                         "%s: [webhook %s] url must be https:// (http:// only to 127.0.0.1, "
                         "[::1] or localhost), got %s://%s",
                         where, h->name, scheme, host);
    } else if (strpbrk(url, " \t\r\n") != NULL) {
        rc = mld_err_set(err, MLD_E_PARSE, "%s: [webhook %s] url has white space", where, h->name);
    } else {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        size_t n = strlen(host) + (port ? strlen(port) + 2 : 1);
        h->host = mld_malloc(n);
        snprintf(h->host, n, "%s%s%s", host, port ? ":" : "", port ? port : "");
        h->url = mld_strdup(url);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* Splits the comma-separated list v into trimmed words; calls fn on each
 * and stops at its first error. */
static int
each_word(const char *v, int (*fn)(void *, const char *, size_t), void *ud)
{
    for (const char *p = v; *p != '\0';) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > b) {
            int rc = fn(ud, b, (size_t)(e - b));
            if (rc != 0)
                return rc;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* What each_word's callbacks need to report. */
struct word_ctx {
    struct hook *h;
    const char *where;
    struct mld_err *err;
};

static int
add_event(void *ud, const char *w, size_t n)
{
    struct word_ctx *c = ud;
    if (n == 7 && memcmp(w, "article", 7) == 0)
        c->h->events |= EV_ARTICLE;
    else if (n == 9 && memcmp(w, "withdrawn", 9) == 0)
        c->h->events |= EV_WITHDRAWN;
    else
        return mld_err_set(c->err, MLD_E_PARSE,
                           "%s: [webhook %s] events: unknown event '%.*s' (article, withdrawn)",
                           c->where, c->h->name, (int)n, w);
    return 0;
}

static int
add_section(void *ud, const char *w, size_t n)
{
    struct word_ctx *c = ud;
    bool slug = n > 0 && n <= MLD_LIVE_MAX_FILTER_BYTES;
    for (size_t i = 0; i < n && slug; i++)
        slug = (w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '-';
    if (!slug)
        return mld_err_set(c->err, MLD_E_PARSE,
                           "%s: [webhook %s] section: '%.*s' is no section slug (as in "
                           "/ressort/SLUG: lower case, digits, '-')",
                           c->where, c->h->name, (int)n, w);
    if (c->h->nsections == MAX_SECTIONS)
        return mld_err_set(c->err, MLD_E_PARSE, "%s: [webhook %s] section: more than %d", c->where,
                           c->h->name, MAX_SECTIONS);
    c->h->sections[c->h->nsections++] = mld_strndup(w, n);
    return 0;
}

/* Reads [webhook NAME] section sec into h. */
static int
read_hook(struct hook *h, const struct mld_config *conf, int sec, struct mld_err *err)
{
    static const char *const keys[] = {"url",    "secret",  "secret_env",
                                       "events", "section", "timeout"};
    const char *name = mld_config_name(conf, sec);
    if (name == NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: [webhook] needs a name: [webhook NAME]",
                           mld_config_where(conf, sec, NULL));
    h->name = mld_strdup(name);
    for (int k = 0; k < mld_config_nkeys(conf, sec); k++) {
        const char *key = mld_config_key(conf, sec, k);
        bool known = false;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (!known)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [webhook %s]: unknown key '%s' (url, secret, secret_env, "
                               "events, section, timeout)",
                               mld_config_where(conf, sec, key), name, key);
    }
    const char *url = mld_config_get(conf, sec, "url");
    if (url == NULL || url[0] == '\0')
        return mld_err_set(err, MLD_E_PARSE, "%s: [webhook %s] has no url",
                           mld_config_where(conf, sec, NULL), name);
    int rc = read_url(h, conf, sec, url, err);
    if (rc != 0)
        return rc;
    const char *secret = mld_config_get(conf, sec, "secret");
    const char *env = mld_config_get(conf, sec, "secret_env");
    const char *skey = secret != NULL ? "secret" : "secret_env";
    if ((secret == NULL) == (env == NULL))
        return mld_err_set(err, MLD_E_PARSE, "%s: [webhook %s] wants one of secret or secret_env",
                           mld_config_where(conf, sec, secret ? "secret_env" : NULL), name);
    if (env != NULL) {
        secret = getenv(env);
        if (secret == NULL || secret[0] == '\0')
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [webhook %s] secret_env: the environment variable %s is "
                               "not set",
                               mld_config_where(conf, sec, skey), name, env);
    }
    if (strlen(secret) < MLD_WEBHOOK_MIN_SECRET)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: [webhook %s] %s: the secret has fewer than %d bytes",
                           mld_config_where(conf, sec, skey), name, skey, MLD_WEBHOOK_MIN_SECRET);
    h->secret = mld_strdup(secret);
    h->secret_len = strlen(secret);
    const char *v = mld_config_get(conf, sec, "events");
    struct word_ctx c = {h, mld_config_where(conf, sec, "events"), err};
    if (v != NULL && (rc = each_word(v, add_event, &c)) != 0)
        return rc;
    if (v == NULL || h->events == 0)
        h->events = EV_ARTICLE | EV_WITHDRAWN;
    v = mld_config_get(conf, sec, "section");
    c.where = mld_config_where(conf, sec, "section");
    if (v != NULL && (rc = each_word(v, add_section, &c)) != 0)
        return rc;
    h->timeout = MLD_WEBHOOK_TIMEOUT_SECS;
    v = mld_config_get(conf, sec, "timeout");
    if (v != NULL) {
        char *end;
        long t = strtol(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || *end != '\0' || t < 1 || t > MLD_WEBHOOK_TIMEOUT_MAX_SECS)
            return mld_err_set(
                err, MLD_E_PARSE, "%s: [webhook %s] timeout wants seconds from 1 to %d, got '%s'",
                mld_config_where(conf, sec, "timeout"), name, MLD_WEBHOOK_TIMEOUT_MAX_SECS, v);
        h->timeout = t;
    }
    h->q = mld_calloc(MLD_WEBHOOK_QUEUE, sizeof(*h->q));
    return 0;
}

int
mld_webhooks_configure(struct mld_webhooks **out, const struct mld_config *conf,
                       const char *base_url, struct mld_err *err)
{
    *out = NULL;
    pthread_once(&global_once, global_init); /* before curl_url() */
    int total = 0;
    for (int i = 0; i < mld_config_count(conf); i++)
        if (strcmp(mld_config_kind(conf, i), "webhook") == 0)
            total++;
    if (total == 0)
        return 0;
    struct mld_webhooks *wh = MLD_NEW(struct mld_webhooks);
    pthread_mutex_init(&wh->lock, NULL);
    wh->v = mld_calloc((size_t)total, sizeof(*wh->v));
    int rc = 0;
    for (int i = 0; i < mld_config_count(conf) && rc == 0; i++) {
        if (strcmp(mld_config_kind(conf, i), "webhook") != 0)
            continue;
        if (wh->n == MLD_WEBHOOK_MAX) {
            rc = mld_err_set(err, MLD_E_PARSE, "%s: more than %d [webhook] sections",
                             mld_config_where(conf, i, NULL), MLD_WEBHOOK_MAX);
            break;
        }
        struct hook *h = &wh->v[wh->n++];
        rc = read_hook(h, conf, i, err); /* config.c refuses a name twice */
    }
    if (rc != 0) {
        mld_webhooks_free(wh);
        return rc;
    }
    if (base_url != NULL) {
        wh->base_url = mld_strdup(base_url);
        size_t n = strlen(wh->base_url);
        while (n > 0 && wh->base_url[n - 1] == '/')
            wh->base_url[--n] = '\0';
    } else {
        mld_log_warn("webhooks: [site] base_url is not set: payload URLs are paths");
    }
    *out = wh;
    return 0;
}

int
mld_webhooks_count(const struct mld_webhooks *wh)
{
    return wh != NULL ? wh->n : 0;
}

/* Queueing ------------------------------------------------------------ */

/* Milliseconds of the monotonic clock. */
static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A random 32-bit number (for jitter). */
static uint32_t
random32(void)
{
    uint32_t r = 0;
    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        r = (uint32_t)mono_ms() * 2654435761u;
    return r;
}

/* Writes a random (version 4) UUID to out. */
static void
new_id(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        for (size_t i = 0; i < sizeof(b); i++)
            b[i] = (unsigned char)(random32() >> 8);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* True when h's filters take an event of kind bit ev in section slug. */
static bool
hook_wants(const struct hook *h, unsigned ev, const char *slug)
{
    if ((h->events & ev) == 0)
        return false;
    if (h->nsections == 0)
        return true;
    for (int i = 0; slug != NULL && i < h->nsections; i++)
        if (strcmp(h->sections[i], slug) == 0)
            return true;
    return false;
}

/* Appends d to h's queue (with wh->lock held); a full queue first drops
 * its oldest entry that is not in flight. */
static void
enqueue(struct hook *h, struct delivery d)
{
    if (h->n == MLD_WEBHOOK_QUEUE) {
        int victim = h->busy ? (h->head + 1) % MLD_WEBHOOK_QUEUE : h->head;
        mld_free(h->q[victim].body);
        if (h->busy)
            h->q[victim] = h->q[h->head];
        else
            h->due_ms = 0; /* the next one has not failed yet */
        h->head = (h->head + 1) % MLD_WEBHOOK_QUEUE;
        h->n--;
        h->dropped++;
    }
    h->q[(h->head + h->n) % MLD_WEBHOOK_QUEUE] = d;
    h->n++;
}

static int
dump_to_buf(const char *s, size_t n, void *ud)
{
    return mld_buf_append(ud, s, n) == 0 ? 0 : -1;
}

void
mld_webhooks_news(void *ud, int64_t seq, const char *kind, const struct mld_item *it)
{
    struct mld_webhooks *wh = ud;
    if (kind == NULL || it == NULL) {
        pthread_mutex_lock(&wh->lock);
        for (int i = 0; i < wh->n; i++)
            wh->v[i].missed++;
        pthread_mutex_unlock(&wh->lock);
        mld_log_warn("webhooks: changes up to %" PRId64 " could not be decided; not sent", seq);
        return;
    }
    unsigned ev = strcmp(kind, "withdrawn") == 0 ? EV_WITHDRAWN : EV_ARTICLE;
    /* The API's item, with the event's name and id; its url absolute. */
    json_t *v = mld_api_item_json(it);
    json_object_set_new(v, "event", json_string(kind));
    json_object_set_new(v, "seq", json_integer(seq));
    const char *path = json_string_value(json_object_get(v, "url"));
    if (wh->base_url != NULL && path != NULL) {
        struct mld_buf u;
        mld_buf_init(&u, 4096);
        mld_buf_puts(&u, wh->base_url);
        mld_buf_puts(&u, path);
        if (mld_buf_error(&u) == 0)
            json_object_set_new(v, "url", json_string(u.p));
        mld_buf_dispose(&u);
    }
    struct mld_buf body;
    mld_buf_init(&body, MLD_MAX_PAGE_BYTES);
    int jrc = json_dump_callback(v, dump_to_buf, &body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    if (jrc != 0 || mld_buf_error(&body) != 0 || body.p == NULL) {
        mld_log_error("webhooks: the payload of article %" PRId64 " could not be made", it->id);
        mld_buf_dispose(&body);
        return;
    }
    bool any = false;
    pthread_mutex_lock(&wh->lock);
    for (int i = 0; i < wh->n; i++) {
        struct hook *h = &wh->v[i];
        if (!hook_wants(h, ev, it->section_slug))
            continue;
        struct delivery d = {.body = mld_strdup(body.p), .len = body.len};
        d.kind = ev == EV_WITHDRAWN ? "withdrawn" : "article";
        new_id(d.id);
        enqueue(h, d);
        any = true;
    }
    pthread_mutex_unlock(&wh->lock);
    mld_buf_dispose(&body);
    if (any && wh->multi != NULL)
        curl_multi_wakeup(wh->multi);
}

/* Delivering ---------------------------------------------------------- */

/* Counts the answer's bytes and drops them (nobody reads it). */
static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    struct hook *h = ud;
    h->answered += size * n;
    return h->answered > MLD_WEBHOOK_MAX_ANSWER ? 0 : size * n;
}

/* Starts the request of h's head (with wh->lock held). False when curl
 * refused it: then the head failed once. */
static bool
start(struct mld_webhooks *wh, struct hook *h)
{
    struct delivery *d = &h->q[h->head];
    char sig[65], ts[24], line[160];
    int64_t now = mld_time_now();
    snprintf(ts, sizeof(ts), "%" PRId64, now);
    if (mld_webhook_sign(h->secret, h->secret_len, now, d->body, d->len, sig) != 0)
        return false;
    curl_slist_free_all(h->hdrs);
    h->hdrs = NULL;
    const char *fixed[] = {"Content-Type: application/json", "User-Agent: meldung-webhook/1",
                           "Expect:"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        h->hdrs = curl_slist_append(h->hdrs, fixed[i]);
    snprintf(line, sizeof(line), "X-Meldung-Event: %s", d->kind);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof(line), "X-Meldung-Delivery: %s", d->id);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof(line), "X-Meldung-Timestamp: %s", ts);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof(line), "X-Meldung-Signature: sha256=%s", sig);
    h->hdrs = curl_slist_append(h->hdrs, line);
    if (h->easy == NULL)
        h->easy = curl_easy_init();
    else
        curl_easy_reset(h->easy);
    CURL *e = h->easy;
    h->errbuf[0] = '\0';
    h->answered = 0;
    bool ok = e != NULL && h->hdrs != NULL &&
              curl_easy_setopt(e, CURLOPT_URL, h->url) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_POSTFIELDS, d->body) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->hdrs) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_TIMEOUT, h->timeout) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_MAXREDIRS, 0L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_WRITEDATA, h) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_PRIVATE, h) == CURLE_OK &&
              curl_multi_add_handle(wh->multi, e) == CURLM_OK;
    if (ok)
        h->busy = true;
    return ok;
}

/* Takes the head off h's queue. */
static void
pop(struct hook *h)
{
    mld_free(h->q[h->head].body);
    h->q[h->head].body = NULL;
    h->head = (h->head + 1) % MLD_WEBHOOK_QUEUE;
    h->n--;
    h->due_ms = 0;
}

/* Records the outcome of h's head (with wh->lock held): code and status
 * as curl gave them, retry_after the server's Retry-After (s, or 0). */
static void
finish(struct hook *h, CURLcode code, long status, long retry_after)
{
    struct delivery *d = &h->q[h->head];
    d->attempts++;
    h->busy = false;
    int verdict = mld_webhook_verdict((int)code, status);
    if (code == CURLE_WRITE_ERROR && status >= 200 && status < 300)
        verdict = 0; /* a long answer, cut: the event was taken */
    if (verdict == 0) {
        h->delivered++;
        h->failures = 0;
        h->last_success = mld_time_now();
        pop(h);
        return;
    }
    h->failures++;
    h->last_error_at = mld_time_now();
    if (code != CURLE_OK && code != CURLE_WRITE_ERROR)
        snprintf(h->last_error, sizeof(h->last_error), "%s",
                 h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(code));
    else
        snprintf(h->last_error, sizeof(h->last_error), "HTTP %ld%s", status,
                 verdict == 2 ? " (not retried)" : "");
    if (verdict == 2 || d->attempts >= MLD_WEBHOOK_MAX_ATTEMPTS) {
        mld_log_warn("webhook %s: %s event %s given up after %d attempt(s): %s", h->name, d->kind,
                     d->id, d->attempts, h->last_error);
        h->failed++;
        pop(h);
        return;
    }
    int64_t wait = mld_webhook_backoff_ms(d->attempts, random32());
    if (retry_after > 0 && retry_after * 1000 > wait)
        wait = retry_after * 1000 > MLD_WEBHOOK_RETRY_MAX_MS ? MLD_WEBHOOK_RETRY_MAX_MS
                                                             : retry_after * 1000;
    h->due_ms = mono_ms() + wait;
    mld_log_debug("webhook %s: attempt %d failed (%s); next in %" PRId64 " ms", h->name,
                  d->attempts, h->last_error, wait);
}

/* Starts what is due (with wh->lock held); returns how long the worker
 * may sleep before something else becomes due, in ms. */
static int
start_due(struct mld_webhooks *wh)
{
    int64_t now = mono_ms(), wait = IDLE_WAIT_MS;
    for (int i = 0; i < wh->n; i++) {
        struct hook *h = &wh->v[i];
        if (h->busy || h->n == 0)
            continue;
        if (h->due_ms <= now) {
            if (!start(wh, h)) {
                snprintf(h->errbuf, sizeof(h->errbuf), "the request could not be made");
                finish(h, CURLE_FAILED_INIT, 0, 0);
            }
        }
        if (!h->busy && h->n > 0 && h->due_ms - now < wait)
            wait = h->due_ms - now < 0 ? 0 : h->due_ms - now;
    }
    return (int)wait;
}

static void *
worker(void *ud)
{
    struct mld_webhooks *wh = ud;
    pthread_mutex_lock(&wh->lock);
    while (!wh->stopping) {
        int wait = start_due(wh);
        pthread_mutex_unlock(&wh->lock);
        int running = 0;
        curl_multi_perform(wh->multi, &running);
        curl_multi_poll(wh->multi, NULL, 0, wait, NULL);
        curl_multi_perform(wh->multi, &running);
        pthread_mutex_lock(&wh->lock);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(wh->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            struct hook *h = NULL;
            long status = 0;
            curl_off_t retry_after = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&h);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RETRY_AFTER, &retry_after);
            CURLcode code = m->data.result;
            curl_multi_remove_handle(wh->multi, m->easy_handle);
            if (h != NULL)
                finish(h, code, status, (long)retry_after);
        }
    }
    pthread_mutex_unlock(&wh->lock);
    return NULL;
}


int
mld_webhooks_start(struct mld_webhooks *wh, struct mld_err *err)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return mld_err_set(err, MLD_E_IO, "webhooks: libcurl: %s", curl_easy_strerror(global_rc));
    wh->multi = curl_multi_init();
    if (wh->multi == NULL)
        return mld_err_set(err, MLD_E_IO, "webhooks: libcurl: no multi handle");
    if (pthread_create(&wh->thread, NULL, worker, wh) != 0)
        return mld_err_set(err, MLD_E_IO, "webhooks: the delivery thread did not start");
    wh->started = true;
    for (int i = 0; i < wh->n; i++)
        mld_log_info("webhook %s: POSTs to %s (signed)", wh->v[i].name, wh->v[i].host);
    return 0;
}

void
mld_webhooks_free(struct mld_webhooks *wh)
{
    if (wh == NULL)
        return;
    if (wh->started) {
        pthread_mutex_lock(&wh->lock);
        wh->stopping = true;
        pthread_mutex_unlock(&wh->lock);
        curl_multi_wakeup(wh->multi);
        pthread_join(wh->thread, NULL);
    }
    for (int i = 0; i < wh->n; i++) {
        struct hook *h = &wh->v[i];
        if (h->n > 0)
            mld_log_warn("webhook %s: %d event(s) not delivered at exit", h->name, h->n);
        if (h->busy)
            curl_multi_remove_handle(wh->multi, h->easy);
        hook_dispose(h);
    }
    if (wh->multi != NULL)
        curl_multi_cleanup(wh->multi);
    mld_free(wh->v);
    mld_free(wh->base_url);
    pthread_mutex_destroy(&wh->lock);
    mld_free(wh);
}

/* State --------------------------------------------------------------- */

void
mld_webhooks_state(struct mld_webhooks *wh, mld_time_t now, struct mld_webhook_state **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (wh == NULL || wh->n == 0)
        return;
    struct mld_webhook_state *v = mld_calloc((size_t)wh->n, sizeof(*v));
    pthread_mutex_lock(&wh->lock);
    int64_t mnow = mono_ms();
    for (int i = 0; i < wh->n; i++) {
        const struct hook *h = &wh->v[i];
        struct mld_webhook_state *s = &v[i];
        s->name = mld_strdup(h->name);
        s->host = mld_strdup(h->host);
        s->delivered = h->delivered;
        s->failed = h->failed;
        s->dropped = h->dropped;
        s->missed = h->missed;
        s->queued = h->n;
        s->failures = h->failures;
        s->last_error = h->last_error[0] != '\0' ? mld_strdup(h->last_error) : NULL;
        s->last_error_at = h->last_error_at;
        s->last_success = h->last_success;
        if (h->n > 0 && !h->busy && h->due_ms > mnow)
            s->next_retry = now + (h->due_ms - mnow + 999) / 1000;
    }
    pthread_mutex_unlock(&wh->lock);
    *out = v;
    *n = wh->n;
}

void
mld_webhooks_state_free(struct mld_webhook_state *v, int n)
{
    for (int i = 0; v != NULL && i < n; i++) {
        mld_free(v[i].name);
        mld_free(v[i].host);
        mld_free(v[i].last_error);
    }
    mld_free(v);
}
