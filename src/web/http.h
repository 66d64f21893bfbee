/*
 * http.h - meldung's small HTTP server interface.
 *
 * The web layer sees requests and prepared responses, never the library
 * underneath (libmicrohttpd, in http_mhd.c). A response is built once,
 * then shared: it is immutable after mld_http_resp_finish() and reference
 * counted, so the page cache can hand the same bytes to any number of
 * concurrent requests. The server does the generic parts of HTTP itself:
 * HEAD, conditional GET (If-None-Match / If-Modified-Since -> 304), gzip
 * negotiation (Accept-Encoding -> the precompressed copy, Vary), keep-alive,
 * limits and timeouts from limits.h. It also stands between the network and
 * the application (docs/internals/http.md, "Hardening"): a request body is
 * read only when the application's admit step took it, within a per-route
 * limit; headers and bodies have deadlines that trickling bytes do not
 * reset; connections are limited per client address (the forwarded one
 * behind a trusted proxy); ambiguous framing (request smuggling) is
 * refused with 400 and a closed connection.
 */
#ifndef MLD_HTTP_H
#define MLD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/config.h"
#include "../base/err.h"
#include "../base/time.h"

/* OPTIONS reaches the handler for CORS preflights (api.c). */
enum mld_http_method {
    MLD_HTTP_GET,
    MLD_HTTP_HEAD,
    MLD_HTTP_POST,
    MLD_HTTP_OTHER,
    MLD_HTTP_OPTIONS,
};

/* A request, valid only during the admit and handler calls. The server has
 * already answered what never reaches either: methods other than GET,
 * HEAD, POST and OPTIONS (405), paths over MLD_HTTP_MAX_PATH_BYTES (414),
 * targets not starting with '/' or with %00 in the path (400), malformed
 * framing (400: Content-Length with Transfer-Encoding, differing or
 * repeated Content-Lengths, a Transfer-Encoding other than chunked, a
 * header name that is no token, HTTP/1.1 without exactly one Host), a
 * client over its connection limit (503). Then the admit call (below)
 * decides whether the body is read at all; a body it admits is read whole
 * into memory before the handler is called (Content-Length or chunked). */
struct mld_http_req {
    enum mld_http_method method; /* never MLD_HTTP_OTHER */
    const char *path;            /* percent-decoded path without query, NUL-terminated, "/..." */
    const char *query;           /* raw (still encoded) query string after '?', or "" */
    const char *body;            /* the admitted body: body_len bytes (NULs allowed), then a
                                    NUL; "" in the admit call and without a body */
    size_t body_len;             /* bytes in body, at most what admit allowed */
    const char *client;          /* the client's address ("192.0.2.7", "2001:db8::1"): the
                                    peer's, or from a trusted proxy the forwarded one */
    void *conn;                  /* the server's connection, for mld_http_req_header() */
};

/* The admit step, called once per request when its headers are in and
 * before any byte of its body is read. The application says whether the
 * route takes a body and how large, or answers at once (a token check,
 * a 405 for a route that takes no POST): an answer given here is sent
 * without reading the body, and the connection is closed after it, so a
 * refused upload costs neither memory nor the time to receive it. */
struct mld_http_admit {
    size_t max_body;             /* body bytes the route takes; 0 (the default) = none */
    struct mld_http_resp *resp;  /* set: answer now with this finished response (the server
                                    takes the reference); NULL: go on to the handler */
};

/* Fills *a for req (body_len is 0 there; *a arrives zeroed). A request
 * that carries a body (Content-Length over 0, or chunked) is answered by
 * the server itself when no answer was set: 405 for a POST to a route
 * that takes none (max_body 0), 413 for a GET, HEAD or OPTIONS with a
 * body, or for a declared length over max_body; a chunked body that grows
 * past max_body ends the connection. Called concurrently from the
 * server's threads. */
typedef void (*mld_http_admit_fn)(void *ud, const struct mld_http_req *req,
                                  struct mld_http_admit *a);

/* A route that takes a body: an exact path, or every path below a prefix
 * ending in '/' ("/redaktion/"), with the most bytes it takes. For an
 * admit function that declares its routes in a table. */
struct mld_http_body_route {
    const char *path;  /* "/api/v1/push", or a prefix ending in '/' */
    size_t max_body;   /* bytes; 0 ends nothing: the table ends at path NULL */
};

/* Returns the max_body of the first entry of table (ended by path NULL)
 * that matches path, or 0 when none does. */
size_t mld_http_body_limit(const struct mld_http_body_route *table, const char *path);

/* Returns the value of request header name (case-insensitive), or NULL. */
const char *mld_http_req_header(const struct mld_http_req *req, const char *name);

/* Returns the value of query parameter name, decoded, or NULL. */
const char *mld_http_req_arg(const struct mld_http_req *req, const char *name);

struct mld_http_resp;

/* Response build flags. */
enum {
    MLD_HTTP_GZIP = 1 << 0, /* precompress a gzip copy (skipped when it does not save bytes) */
    MLD_HTTP_ETAG = 1 << 1, /* derive a strong ETag from the body (xxhash) */
    /* the gzip copy made when the first client that accepts gzip asks for
     * the response, not at finish (for rendered pages: a client or crawler
     * without gzip does not pay for it). Vary: Accept-Encoding and the gzip
     * ETag are the same as with MLD_HTTP_GZIP from the start. */
    MLD_HTTP_GZIP_LAZY = 1 << 2,
};

/* Starts a response with status, content type (NULL = none) and a copy of
 * the body. last_modified (0 = none) becomes Last-Modified. Never NULL.
 * The caller holds one reference. */
struct mld_http_resp *mld_http_resp_new(int status, const char *content_type, const void *body,
                                        size_t body_len, mld_time_t last_modified);

/* Adds a response header; only before mld_http_resp_finish(). A name that
 * is not a token or a value with CR, LF or other control bytes is refused
 * (logged, not added). Content-Type, Content-Length, ETag, Last-Modified,
 * Vary: Accept-Encoding and Content-Encoding are the server's: do not add
 * them. Cache-Control, Expires, Vary and Content-Location are repeated on
 * the 304 answer. */
void mld_http_resp_header(struct mld_http_resp *r, const char *name, const char *value);

/* Freezes r: computes what flags ask for (ETag, gzip copy) and prepares
 * the server's answers from it once (plain, gzip, 304), so serving r later
 * copies and computes nothing. After this r may be shared between threads.
 * A 304 is answered only for status 200 with an ETag or Last-Modified.
 * Returns r. */
struct mld_http_resp *mld_http_resp_finish(struct mld_http_resp *r, unsigned flags);

/* A header finish() adds to a response whose handler did not add one of
 * that name: on every response (type_prefix NULL) or on those whose
 * Content-Type starts with type_prefix (case-insensitive), e.g.
 * "text/html" for Content-Security-Policy. */
struct mld_http_default_header {
    const char *name;
    const char *value;
    const char *type_prefix;
};

/* Sets the headers mld_http_resp_finish() adds from now on, process-wide:
 * v is an array ended by an entry with name NULL, in storage that
 * outlives every response (a static table), or NULL for none. Responses
 * finished before the call keep what they have, so set it before any are
 * built (the site does, first thing in mld_site_open). */
void mld_http_set_default_headers(const struct mld_http_default_header *v);

/* Returns a finished, uncacheable (Cache-Control: no-store) plain-text
 * response with status and text; allow, when not NULL, becomes the Allow
 * header (for 405). The caller holds one reference. */
struct mld_http_resp *mld_http_resp_text(int status, const char *text, const char *allow);

/* Returns r with one more reference. */
struct mld_http_resp *mld_http_resp_ref(struct mld_http_resp *r);

/* Drops one reference; the last frees r. NULL is fine. */
void mld_http_resp_unref(struct mld_http_resp *r);

/* Accessors, for tests and the cache. */
int mld_http_resp_status(const struct mld_http_resp *r);
const char *mld_http_resp_etag(const struct mld_http_resp *r); /* NULL if none */
size_t mld_http_resp_body_len(const struct mld_http_resp *r);
size_t mld_http_resp_gzip_len(const struct mld_http_resp *r); /* 0 if no gzip copy (yet) */

/* The bytes r holds or will hold: body and gzip copy, a copy not made yet
 * (MLD_HTTP_GZIP_LAZY) counted as half the body (HTML compresses to about
 * a third), so a bound on bytes holds after the copies are made. */
size_t mld_http_resp_held_bytes(const struct mld_http_resp *r);

/* The body bytes (body_len of them, NUL-terminated for convenience), owned
 * by r. */
const char *mld_http_resp_body(const struct mld_http_resp *r);

/* Returns the value of a header r carries: Content-Type, ETag and
 * Last-Modified (once finished), or the first one added under name
 * (case-insensitive); NULL if none. Owned by r. */
const char *mld_http_resp_get_header(const struct mld_http_resp *r, const char *name);

/* Number of responses alive in the process (made and not yet freed), for
 * tests that check references are dropped. */
long mld_http_resp_live(void);

/* Handles one request; returns a finished response the server takes one
 * reference of (a new one, or a ref'd cached one). Called concurrently
 * from the server's threads. Never returns NULL (a NULL or unfinished
 * response is logged as a bug and answered with 500). The server picks the
 * 304, gzip or plain answer from the request's headers. */
typedef struct mld_http_resp *(*mld_http_handler_fn)(void *ud, const struct mld_http_req *req);

/* Streaming responses -----------------------------------------------------
 *
 * A stream is the body of a 200 answer that a producer writes over time
 * (Server-Sent Events, src/web/live.c): length unknown (chunked on
 * HTTP/1.1), never cached, compressed or given a validator, and no thread
 * is held while it waits. The contract:
 *
 *  - The handler makes the stream (mld_http_stream_new), may write to it
 *    at once (what a resuming client missed), wraps it in a response with
 *    mld_http_resp_new_stream(), adds headers, finishes and returns that
 *    response like any other. It keeps its own reference to write later.
 *  - Any thread may write at any time; writes copy into the stream's
 *    buffer and return at once, never waiting for the client. While the
 *    buffer is empty the connection is suspended (off the event loop);
 *    a write resumes it.
 *  - A write that would hold more than max_buffered unsent bytes (a
 *    client that does not read) ends the stream: the buffer is freed and
 *    the connection is shut down. So is a stream whose client went away
 *    (noticed at the next write) or whose server stops. After that
 *    writes fail with -1 and the producer drops its reference.
 *  - mld_http_stream_close() ends the body once the buffered bytes are
 *    sent (a clean end of the chunked body).
 *  - mld_http_server_stop() ends every open stream first, so a server
 *    with open streams stops as promptly as one without.
 *
 * A stream answers HEAD with its headers and no body. */
struct mld_http_stream;

/* Makes a stream holding at most max_buffered unsent bytes. The caller
 * holds one reference. Never NULL. */
struct mld_http_stream *mld_http_stream_new(size_t max_buffered);

/* Returns an unfinished response (status 200, content type as given)
 * whose body is stream s; it takes a reference to s. Add headers, then
 * mld_http_resp_finish(r, 0) (flags are ignored: no ETag, no gzip). */
struct mld_http_resp *mld_http_resp_new_stream(struct mld_http_stream *s,
                                               const char *content_type);

/* Appends n bytes to s. Returns 0, or -1 when s has ended (closed, its
 * client gone, its buffer overflowed now or before, its server stopping). */
int mld_http_stream_write(struct mld_http_stream *s, const void *p, size_t n);

/* Ends s after its buffered bytes are sent; later writes fail. */
void mld_http_stream_close(struct mld_http_stream *s);

/* True when s has ended and writes fail (see mld_http_stream_write). */
bool mld_http_stream_ended(struct mld_http_stream *s);

/* Like !mld_http_stream_ended(s), but first asks the socket of a waiting
 * (suspended) stream whether its client hung up, which the server does
 * not notice by itself until the next write; such a stream ends now.
 * One poll() per call: for when a place is wanted, not for every tick. */
bool mld_http_stream_alive(struct mld_http_stream *s);

/* Returns s with one more reference. */
struct mld_http_stream *mld_http_stream_ref(struct mld_http_stream *s);

/* Drops one reference; the last frees s. NULL is fine. */
void mld_http_stream_unref(struct mld_http_stream *s);

/* Streams alive in the process (made and not yet freed), for tests. */
long mld_http_stream_live(void);

/* observability: one finished request, for the access log and /metrics
 * (mld_http_config.on_done). Strings are valid during the call only and
 * are as the client sent them: escape before writing them anywhere. */
struct mld_http_done {
    const char *client;     /* as mld_http_req.client (the forwarded client behind a
                               trusted proxy, else the peer), or "-" */
    const char *method;     /* the request method as sent, or "-" */
    const char *target;     /* the raw request target (path and query), or "-" */
    const char *version;    /* "HTTP/1.1" as sent, or "-" */
    const char *referer;    /* Referer, or NULL */
    const char *user_agent; /* User-Agent, or NULL */
    int status;             /* status answered (304 included); 0: none was queued */
    int64_t bytes;          /* body bytes of the copy chosen (0 for HEAD and 304);
                               -1: not known ahead (a stream) */
    int64_t duration_us;    /* from the request line to the end of the answer */
    bool completed;         /* false: the connection failed or timed out first */
};

/* Called once per request, in the server thread that finished it, after
 * the answer went out. Must not block for long: every request of that
 * thread waits behind it. */
typedef void (*mld_http_done_fn)(void *ud, const struct mld_http_done *d);

/* Writes the peer address of req's connection ("127.0.0.1", "::1") to
 * out (size bytes); "-" when it is not known. */
void mld_http_req_peer(const struct mld_http_req *req, char *out, size_t size);

/* Connection limits and deadlines; 0 in any field means the default from
 * limits.h. See docs/internals/http.md, "Hardening". */
struct mld_http_config {
    const char *host;         /* address to bind, e.g. "127.0.0.1" */
    int port;                 /* 0 picks a free port; see mld_http_server_port() */
    int threads;              /* worker threads (each an epoll loop); 0 = number of CPUs */
    mld_http_admit_fn admit;  /* the admit step, same ud as the handler; NULL: a POST takes
                                 a body up to MLD_HTTP_MAX_BODY_BYTES, other methods none
                                 (for tests and small receivers; serve always sets one) */
    int header_secs;          /* a request's headers must be in this long after the
                                 connection opened or its last answer was sent */
    int body_secs;            /* an admitted body must be in this long after its headers */
    int max_per_client;       /* open connections per peer address, and requests in flight
                                 per forwarded client of a trusted proxy */
    const char *trusted_proxies; /* addresses or CIDR blocks, separated by ',' or space,
                                    whose X-Forwarded-For / Forwarded names the client;
                                    NULL or "" = none */
    mld_http_done_fn on_done;    /* observability: each finished request, or NULL */
    void *done_ud;               /* its user data */
};

/* Reads the [server] section of cfg (which may be NULL: the defaults)
 * into *hc: header_timeout, body_timeout, max_connections_per_client,
 * trusted_proxies. The strings point into cfg, which must outlive the
 * server start. Returns 0, or MLD_E_PARSE with err saying "file:line:
 * reason" for a malformed value, an unknown key, a second [server] or
 * [server NAME]. */
int mld_http_config_read(struct mld_http_config *hc, const struct mld_config *cfg,
                         struct mld_err *err);

struct mld_http_server;

/* Checks a trusted_proxies list (see mld_http_config). Returns 0, or
 * MLD_E_PARSE with err naming the entry that is no address or block. */
int mld_http_check_proxies(const char *list, struct mld_err *err);

/* Starts serving in background threads. Returns 0 and *out, or an error
 * (MLD_E_HTTP) with err naming the address and the reason (MLD_E_INVAL for
 * a malformed cfg, e.g. a trusted_proxies entry that is no address). */
int mld_http_server_start(struct mld_http_server **out, const struct mld_http_config *cfg,
                          mld_http_handler_fn handler, void *ud, struct mld_err *err);

/* The port actually bound. */
int mld_http_server_port(const struct mld_http_server *s);

/* Stops serving, waits for the threads, frees s. NULL is fine. */
void mld_http_server_stop(struct mld_http_server *s);

#endif
