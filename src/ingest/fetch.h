/*
 * fetch.h - HTTP(S) GET of wire documents and feeds, over libcurl.
 *
 * One fetch is one GET with the manners a poller owes the servers it
 * polls and the caution it owes itself:
 *
 *   - conditional: the ETag and Last-Modified of the previous answer go
 *     out as If-None-Match / If-Modified-Since, so an unchanged feed costs
 *     a 304 and no body;
 *   - compressed: Accept-Encoding lists what libcurl decodes (gzip,
 *     deflate, ...), and the body handed back is decoded;
 *   - bounded: connect and total timeouts, at most MLD_POLL_MAX_REDIRECTS
 *     redirects, http and https only (also where a redirect points), and
 *     a decoded body of at most MLD_MAX_DOC_BYTES, enforced while it
 *     arrives (a Content-Length over it is refused before the body);
 *   - informative: status, ETag, Last-Modified, Content-Type, Retry-After
 *     (delta-seconds or HTTP date, as seconds from now) and the final URL
 *     after redirects come back with the body.
 *
 * A fetcher runs many fetches at once in one thread (a curl multi
 * handle), at most max_total in flight and at most max_per_host to one
 * host:port; the rest wait in a queue inside the fetcher, so their
 * timeouts start only when they do. mld_fetch() is the one-shot form.
 *
 * Messages name the URL with any user:password@ removed.
 */
#ifndef MLD_FETCH_H
#define MLD_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/time.h"

/* What to fetch. Strings are borrowed for the call that takes the
 * request (they are copied). */
struct mld_fetch_req {
    const char *url;           /* http:// or https:// */
    const char *etag;          /* sent as If-None-Match, or NULL */
    const char *last_modified; /* sent as If-Modified-Since, or NULL */
    int timeout_ms;            /* whole fetch; 0 = MLD_POLL_TIMEOUT_SECS */
    int connect_timeout_ms;    /* 0 = MLD_POLL_CONNECT_TIMEOUT_SECS */
};

/* What came back. Strings are owned by the result (NULL when the answer
 * had no such header, or a value over MLD_POLL_MAX_HEADER_BYTES or with
 * control characters). */
struct mld_fetch_res {
    int status;          /* HTTP status of the last answer; 0 when none came */
    struct mld_buf body; /* decoded body, at most MLD_MAX_DOC_BYTES */
    char *etag;          /* ETag as sent, quotes and W/ included */
    char *last_modified; /* Last-Modified as sent */
    char *content_type;  /* Content-Type as sent */
    char *final_url;     /* the URL that answered, after redirects */
    long retry_after;    /* Retry-After in seconds from now (>= 0), or -1 */
};

/* Frees what res holds and leaves it empty; a zeroed res is fine. */
void mld_fetch_res_dispose(struct mld_fetch_res *res);

/* Fetches req->url and waits for the answer. Returns 0 when an HTTP
 * answer arrived, whatever its status (look at res->status), or:
 * MLD_E_INVAL (not an http(s) URL), MLD_E_TOOBIG (body over
 * MLD_MAX_DOC_BYTES), MLD_E_UNSUPPORTED (redirect to another protocol),
 * MLD_E_IO (DNS, connect, TLS, timeout, too many redirects, broken
 * answer), with err saying "URL: reason". res is filled as far as the
 * fetch got; dispose it in every case. */
int mld_fetch(const struct mld_fetch_req *req, struct mld_fetch_res *res, struct mld_err *err);

/* Called by mld_fetcher_step() for each fetch that ended: tag as given to
 * mld_fetcher_add(), rc and err as mld_fetch() would return them. res
 * belongs to the fetcher and is disposed after the call; take what is
 * needed (mld_buf_steal on res->body is fine). */
typedef void (*mld_fetch_done_fn)(void *ud, void *tag, int rc, struct mld_fetch_res *res,
                                  const struct mld_err *err);

struct mld_fetcher;

/* Returns a fetcher running at most max_total fetches at once and at
 * most max_per_host to one host:port (both clamped to 1 at least).
 * Never NULL. */
struct mld_fetcher *mld_fetcher_new(int max_total, int max_per_host);

/* Queues a fetch of req (copied); tag comes back with its result. Returns
 * 0, or MLD_E_INVAL with err set for a URL that is not http(s) with a
 * host (nothing is queued then). */
int mld_fetcher_add(struct mld_fetcher *f, const struct mld_fetch_req *req, void *tag,
                    struct mld_err *err);

/* Fetches queued or in flight. */
int mld_fetcher_pending(const struct mld_fetcher *f);

/* Starts what the limits allow, waits up to wait_ms for network activity
 * (or sleeps that long when nothing is pending), moves transfers on, and
 * calls done for each fetch that ended. Returns the number that ended. */
int mld_fetcher_step(struct mld_fetcher *f, int wait_ms, mld_fetch_done_fn done, void *ud);

/* Frees f, abandoning fetches still pending (done is not called for
 * them); NULL is fine. */
void mld_fetcher_free(struct mld_fetcher *f);

/* Writes url without user:password@ to out (size bytes, truncated), for
 * messages. An unparseable url is written as is. */
void mld_fetch_display_url(const char *url, char *out, size_t size);

/* Parses a Retry-After value: delta-seconds, or an HTTP date taken
 * relative to now. Returns seconds from now (a date in the past is 0),
 * or -1 when the value is neither. */
long mld_fetch_parse_retry_after(const char *v, mld_time_t now);

#endif
