/*
 * webhook.h - webhooks out: each new or withdrawn article POSTed as JSON
 * to the URLs the operator configured (docs/internals/webhooks.md).
 *
 * The events are the live hub's (live.h): the site's refresh reads the
 * change log, the hub decides which keys are news and hands each event
 * to mld_webhooks_news(), which builds the payload once and puts a copy
 * on the queue of every webhook whose filters take it. That is all the
 * refresh does; delivery runs on one worker thread over libcurl's multi
 * interface, at most one request in flight per webhook (so a receiver
 * gets its events in order), with exponential back-off and jitter on
 * failure. A full queue drops its oldest event and counts it.
 *
 * Every request is signed: X-Meldung-Signature: sha256=HEX, the
 * HMAC-SHA256 with the webhook's secret of "TIMESTAMP.BODY", where
 * TIMESTAMP is the X-Meldung-Timestamp header (Unix seconds).
 */
#ifndef MLD_WEBHOOK_H
#define MLD_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/time.h"

struct mld_config;
struct mld_item;
struct mld_webhooks;

/* One webhook's state, for /status (mld_webhooks_state). */
struct mld_webhook_state {
    char *name;        /* [webhook NAME] */
    char *host;        /* the URL's host[:port]: no path, no credentials */
    int64_t delivered; /* events the receiver took (2xx) */
    int64_t failed;    /* events given up: refused (3xx, 4xx but 429) or out of attempts */
    int64_t dropped;   /* events pushed out of a full queue */
    int64_t missed;    /* flushes the hub could not decide (live.h): events lost */
    int queued;        /* events waiting, the one being tried included */
    int failures;      /* attempts failed in a row; > 0: failing now */
    char *last_error;  /* the last failure ("HTTP 503", a curl message), or NULL */
    mld_time_t last_error_at;
    mld_time_t last_success;
    mld_time_t next_retry; /* when the waiting event is tried again; 0: not waiting */
};

/* Reads the [webhook NAME] sections of conf (see etc/meldung.conf.example):
 * url (https://, or http:// to a loopback host), secret or secret_env,
 * events, section, timeout. base_url (NULL: none) makes the payload's url
 * absolute. Returns 0 with *out NULL when there is no such section, 0
 * with *out set, or MLD_E_PARSE with err naming file:line and the
 * reason. Starts no thread. */
int mld_webhooks_configure(struct mld_webhooks **out, const struct mld_config *conf,
                           const char *base_url, struct mld_err *err);

/* Starts the delivery thread. Returns 0, or MLD_E_IO (libcurl or the
 * thread could not start). */
int mld_webhooks_start(struct mld_webhooks *wh, struct mld_err *err);

/* Stops the thread (a request in flight is abandoned, queued events are
 * lost and logged) and frees wh; NULL is fine. */
void mld_webhooks_free(struct mld_webhooks *wh);

/* Number of webhooks configured. */
int mld_webhooks_count(const struct mld_webhooks *wh);

/* The live hub's news listener (an mld_live_news_fn; ud is the
 * webhooks): queues event kind of article it, change-log id seq, for
 * every webhook whose filters take it; kind NULL counts a miss. Never
 * waits for the network. */
void mld_webhooks_news(void *ud, int64_t seq, const char *kind, const struct mld_item *it);

/* Copies the state of every webhook, in config order, into a new array
 * *out of n entries (free with mld_webhooks_state_free); now is the wall
 * clock the retry times are given in. */
void mld_webhooks_state(struct mld_webhooks *wh, mld_time_t now, struct mld_webhook_state **out,
                        int *n);

/* Frees v[0..n) and v. */
void mld_webhooks_state_free(struct mld_webhook_state *v, int n);

/* Writes the lower-case hex HMAC-SHA256 of msg[0..n) with key[0..keylen)
 * and its NUL to hex (65 bytes). Returns 0, or MLD_E_INVAL when
 * libcrypto fails. */
int mld_webhook_hmac_hex(const void *key, size_t keylen, const void *msg, size_t n, char hex[65]);

/* The signature header's hex: HMAC-SHA256 with secret of "ts.body",
 * ts in decimal. Returns 0 or MLD_E_INVAL. */
int mld_webhook_sign(const char *secret, size_t secret_len, int64_t ts, const char *body, size_t n,
                     char hex[65]);

/* The wait before attempt attempt + 1 after attempt failures (attempt >=
 * 1), in ms: d = min(MLD_WEBHOOK_RETRY_BASE_MS * 2^(attempt-1),
 * MLD_WEBHOOK_RETRY_MAX_MS), then d/2 + rnd % (d/2 + 1): between half and
 * all of d ("equal jitter"). */
int64_t mld_webhook_backoff_ms(int attempt, uint32_t rnd);

/* What a delivery's outcome means: 0 delivered, 1 retry later, 2 failed
 * for good. curl_code is a CURLcode (0: the request got an answer with
 * HTTP status). */
int mld_webhook_verdict(int curl_code, long status);

#endif
