/*
 * Tests for http_mhd.c: a real server on 127.0.0.1 (port 0), spoken to
 * over plain sockets by a tiny client below, plus the header parsers
 * (If-None-Match, Accept-Encoding) called directly.
 */
#include "../../../src/web/http_mhd.c"

#include <poll.h>
#include <pthread.h>
#include <sys/time.h>

#include "test.h"

#define PAGE_BYTES 12288
#define LAST_MOD ((mld_time_t)1760974093) /* 2025-10-20T15:28:13Z */

/* Streams the handler made for /stream, for the test to write to. */
#define STREAM_MAX 8192
static struct mld_http_stream *streams[8];
static atomic_int nstreams;

static char page_body[PAGE_BYTES];
static struct mld_http_resp *page;     /* 12 KB HTML, ETag + gzip + Cache-Control */
static struct mld_http_resp *notfound; /* 404 */
static struct mld_http_resp *lazy;     /* the page with MLD_HTTP_GZIP_LAZY */
static struct mld_http_resp *noise;    /* 1 KB that gzip cannot shrink, lazy */
static atomic_int handler_calls;

/* The application: prepared responses by path, a fresh one for /fresh,
 * /echo which reports what the handler saw, and /body which describes the
 * request body it got. */
static struct mld_http_resp *
handler(void *ud, const struct mld_http_req *req)
{
    (void)ud;
    atomic_fetch_add(&handler_calls, 1);
    if (strcmp(req->path, "/page") == 0)
        return mld_http_resp_ref(page);
    if (strcmp(req->path, "/lazy") == 0)
        return mld_http_resp_ref(lazy);
    if (strcmp(req->path, "/noise") == 0)
        return mld_http_resp_ref(noise);
    if (strcmp(req->path, "/fresh") == 0) {
        struct mld_http_resp *r =
            mld_http_resp_new(200, "text/html; charset=utf-8", page_body, 4000, LAST_MOD);
        return mld_http_resp_finish(r, MLD_HTTP_GZIP | MLD_HTTP_ETAG);
    }
    if (strncmp(req->path, "/echo", 5) == 0) {
        char out[1024];
        const char *q = mld_http_req_arg(req, "q");
        const char *h = mld_http_req_header(req, "x-test");
        int n =
            snprintf(out, sizeof(out), "m=%d path=[%s] query=[%s] q=[%s] h=[%s]", (int)req->method,
                     req->path, req->query, q ? q : "(null)", h ? h : "(null)");
        return mld_http_resp_finish(mld_http_resp_new(200, "text/plain", out, (size_t)n, 0), 0);
    }
    if (strcmp(req->path, "/body") == 0) {
        char out[256];
        int n = snprintf(out, sizeof(out), "m=%d len=%zu nul=%d xxh=%016" PRIx64 " head=[%.32s]",
                         (int)req->method, req->body_len, req->body[req->body_len] == '\0',
                         (uint64_t)XXH3_64bits(req->body, req->body_len), req->body);
        return mld_http_resp_finish(mld_http_resp_new(200, "text/plain", out, (size_t)n, 0), 0);
    }
    if (strcmp(req->path, "/unfinished") == 0)
        return mld_http_resp_new(200, "text/plain", "x", 1, 0);
    if (strcmp(req->path, "/stream") == 0) {
        struct mld_http_stream *st = mld_http_stream_new(STREAM_MAX);
        mld_http_stream_write(st, "hello\n", 6);
        struct mld_http_resp *r = mld_http_resp_new_stream(st, "text/event-stream");
        mld_http_resp_header(r, "Cache-Control", "no-store");
        int i = atomic_fetch_add(&nstreams, 1);
        if (i < 8)
            streams[i] = st;
        else
            mld_http_stream_unref(st);
        return mld_http_resp_finish(r, MLD_HTTP_GZIP | MLD_HTTP_ETAG);
    }
    return mld_http_resp_ref(notfound);
}

/* Client ------------------------------------------------------------- */

struct tconn {
    int fd;
    char buf[1 << 17]; /* bytes read and not yet consumed */
    size_t len;
};

struct tresp {
    int status;
    char head[16384]; /* status line and headers, NUL-terminated */
    char *body;       /* mld_malloc'd, NUL-terminated */
    size_t body_len;
};

static int
tc_open(struct tconn *c, int port)
{
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    struct timeval tv = {5, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void
tc_close(struct tconn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int
tc_send(struct tconn *c, const char *req, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, req, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        req += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until the buffer holds at least want bytes. */
static int
tc_fill(struct tconn *c, size_t want)
{
    while (c->len < want) {
        if (c->len == sizeof(c->buf))
            return -1;
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    return 0;
}

/* Copies header name's value from a response head into out; NULL if
 * absent. */
static const char *
hdr(const struct tresp *r, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= outlen)
                n = outlen - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

/* Counts the header lines called name. */
static int
hdr_count(const struct tresp *r, const char *name)
{
    int n = 0;
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':')
            n++;
    return n;
}

/* Reads one response; head_only for answers to HEAD. Returns 0 or -1. */
static int
tc_read(struct tconn *c, struct tresp *r, bool head_only)
{
    r->status = 0;
    r->body = NULL;
    r->body_len = 0;
    r->head[0] = '\0';
    size_t hl;
    for (;;) {
        char *e = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
        if (e != NULL) {
            hl = (size_t)(e - c->buf) + 4;
            break;
        }
        if (tc_fill(c, c->len + 1) != 0)
            return -1;
    }
    if (hl >= sizeof(r->head))
        return -1;
    memcpy(r->head, c->buf, hl);
    r->head[hl] = '\0';
    if (sscanf(r->head, "HTTP/1.1 %d", &r->status) != 1)
        return -1;
    char v[64];
    size_t cl = 0;
    if (hdr(r, "Content-Length", v, sizeof(v)) != NULL)
        cl = strtoull(v, NULL, 10);
    if (head_only || r->status == 304 || r->status == 204 || r->status < 200)
        cl = 0;
    if (tc_fill(c, hl + cl) != 0)
        return -1;
    r->body = mld_malloc(cl + 1);
    memcpy(r->body, c->buf + hl, cl);
    r->body[cl] = '\0';
    r->body_len = cl;
    memmove(c->buf, c->buf + hl + cl, c->len - hl - cl);
    c->len -= hl + cl;
    return 0;
}

/* True when the server closed the connection (EOF within 0.3 s). */
static bool
tc_closed(struct tconn *c)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    if (poll(&p, 1, 300) <= 0)
        return false;
    char b;
    return recv(c->fd, &b, 1, MSG_PEEK) == 0;
}

/* One request on a fresh connection. */
static int
roundtrip(int port, const char *req, struct tresp *r, bool head_only)
{
    static struct tconn c;
    if (tc_open(&c, port) != 0)
        return -1;
    int rc = tc_send(&c, req, strlen(req));
    if (rc == 0)
        rc = tc_read(&c, r, head_only);
    tc_close(&c);
    return rc;
}

/* Inflates a gzip body; returns a mld_malloc'd buffer and its length. */
static char *
gunzip(char *in, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return NULL;
    size_t cap = 4 * PAGE_BYTES;
    char *out = mld_malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    int rc = inflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        mld_free(out);
        return NULL;
    }
    return out;
}

/* Tests -------------------------------------------------------------- */

/* Checks that r's body inflates to page_body. */
static void
inflates_to_page(const struct tresp *r, const char *what)
{
    size_t n = 0;
    char *plain = gunzip(r->body, r->body_len, &n);
    ok(plain != NULL && n == PAGE_BYTES && memcmp(plain, page_body, n) == 0,
       "%s: inflates to the page", what);
    mld_free(plain);
}

static void
test_parsers(void)
{
    const char *et = "\"0123456789abcdef\"";
    ok(etag_list_matches(et, et, ETAG_LEN), "inm: exact");
    ok(etag_list_matches("W/\"0123456789abcdef\"", et, ETAG_LEN), "inm: weak form matches");
    ok(etag_list_matches("*", et, ETAG_LEN), "inm: *");
    ok(etag_list_matches("\"x\", \"y\" ,W/\"0123456789abcdef\"", et, ETAG_LEN), "inm: in list");
    ok(!etag_list_matches("\"0123456789abcdee\"", et, ETAG_LEN), "inm: other tag");
    ok(!etag_list_matches("\"0123456789abcdef", et, ETAG_LEN), "inm: unterminated");
    ok(!etag_list_matches("0123456789abcdef", et, ETAG_LEN), "inm: unquoted");
    ok(!etag_list_matches("", et, ETAG_LEN), "inm: empty");
    ok(!etag_list_matches("\"a,b\", x", et, ETAG_LEN), "inm: comma inside a tag");

    ok(accepts_gzip("gzip"), "ae: gzip");
    ok(accepts_gzip("gzip, deflate, br"), "ae: list");
    ok(accepts_gzip("deflate,GZIP"), "ae: case");
    ok(accepts_gzip("x-gzip"), "ae: x-gzip");
    ok(accepts_gzip("gzip;q=0.5"), "ae: q=0.5");
    ok(accepts_gzip("gzip ; q=0.001"), "ae: q=0.001 with spaces");
    ok(!accepts_gzip("gzip;q=0"), "ae: q=0");
    ok(!accepts_gzip("gzip;q=0.000"), "ae: q=0.000");
    ok(!accepts_gzip("gzip;Q=0, deflate"), "ae: Q=0");
    ok(!accepts_gzip("identity"), "ae: identity");
    ok(!accepts_gzip(""), "ae: empty");
    ok(!accepts_gzip("gzipx, xgzip"), "ae: lookalikes");
    ok(accepts_gzip("br;q=1.0, *;q=0.1"), "ae: * admits gzip");
    ok(!accepts_gzip("*;q=0"), "ae: *;q=0");
    ok(!accepts_gzip("gzip;q=0, *"), "ae: explicit gzip;q=0 beats *");
    ok(accepts_gzip("gzip;level=1;q=1"), "ae: other parameter");
    ok(!accepts_gzip("gzip;q=bogus"), "ae: malformed q counts as 0");
}

static void
test_resp(void)
{
    ok(mld_http_resp_gzip_len(page) > 0 && mld_http_resp_gzip_len(page) < PAGE_BYTES,
       "page has a smaller gzip copy (%zu)", mld_http_resp_gzip_len(page));
    const char *et = mld_http_resp_etag(page);
    ok(et != NULL && strlen(et) == 18 && et[0] == '"' && et[17] == '"', "etag form %s", et);
    is_str(mld_http_resp_get_header(page, "cache-control"), "public, max-age=60",
           "added header readable");
    is_str(mld_http_resp_get_header(page, "Last-Modified"), "Mon, 20 Oct 2025 15:28:13 GMT",
           "Last-Modified formatted");
    is_int(mld_http_resp_body_len(page), PAGE_BYTES, "body_len");
    ok(memcmp(mld_http_resp_body(page), page_body, PAGE_BYTES) == 0, "body copied");

    struct mld_http_resp *tiny = mld_http_resp_new(200, "text/plain", "abc", 3, 0);
    mld_http_resp_header(tiny, "X-Bad", "a\r\nInjected: 1");
    mld_http_resp_header(tiny, "Bad Name", "v");
    mld_http_resp_finish(tiny, MLD_HTTP_GZIP | MLD_HTTP_ETAG);
    is_int(mld_http_resp_gzip_len(tiny), 0, "tiny body: no gzip copy");
    ok(mld_http_resp_get_header(tiny, "X-Bad") == NULL, "header with CRLF refused");
    ok(mld_http_resp_get_header(tiny, "Bad Name") == NULL, "header name with space refused");
    struct mld_http_resp *same =
        mld_http_resp_finish(mld_http_resp_new(200, "text/plain", "abc", 3, 0), MLD_HTTP_ETAG);
    is_str(mld_http_resp_etag(same), mld_http_resp_etag(tiny), "etag depends on body only");
    mld_http_resp_unref(same);
    mld_http_resp_unref(mld_http_resp_ref(tiny));
    is_int(mld_http_resp_status(tiny), 200, "ref/unref pair keeps it");
    mld_http_resp_unref(tiny);
    mld_http_resp_unref(NULL);
}

static void
test_basic(int port)
{
    struct tresp r;
    char v[256];
    char et[64];
    snprintf(et, sizeof(et), "%s", mld_http_resp_etag(page));

    ok(roundtrip(port, "GET /page HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0, "GET /page");
    is_int(r.status, 200, "200");
    is_int(r.body_len, PAGE_BYTES, "Content-Length");
    ok(r.body && memcmp(r.body, page_body, PAGE_BYTES) == 0, "body bytes");
    is_str(hdr(&r, "ETag", v, sizeof(v)), et, "ETag");
    is_str(hdr(&r, "Last-Modified", v, sizeof(v)), "Mon, 20 Oct 2025 15:28:13 GMT",
           "Last-Modified");
    is_str(hdr(&r, "Content-Type", v, sizeof(v)), "text/html; charset=utf-8", "Content-Type");
    is_str(hdr(&r, "Cache-Control", v, sizeof(v)), "public, max-age=60", "Cache-Control");
    is_str(hdr(&r, "Vary", v, sizeof(v)), "Accept-Encoding", "Vary on the plain variant");
    ok(hdr(&r, "Content-Encoding", v, sizeof(v)) == NULL, "no Content-Encoding");
    ok(hdr(&r, "Date", v, sizeof(v)) != NULL, "Date");
    mld_free(r.body);

    ok(roundtrip(port, "GET /page HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate\r\n\r\n",
                 &r, false) == 0,
       "GET /page gzip");
    is_int(r.status, 200, "gzip: 200");
    is_str(hdr(&r, "Content-Encoding", v, sizeof(v)), "gzip", "gzip: Content-Encoding");
    is_str(hdr(&r, "Vary", v, sizeof(v)), "Accept-Encoding", "gzip: Vary");
    is_int(hdr_count(&r, "Vary"), 1, "gzip: one Vary");
    is_int(hdr_count(&r, "Content-Length"), 1, "gzip: one Content-Length");
    char et_gz[40];
    snprintf(et_gz, sizeof(et_gz), "%.*s-gz\"", (int)strlen(et) - 1, et);
    is_str(hdr(&r, "ETag", v, sizeof(v)), et_gz, "gzip: its own strong ETag");
    is_int(r.body_len, mld_http_resp_gzip_len(page), "gzip: Content-Length");
    inflates_to_page(&r, "gzip");
    mld_free(r.body);

    char req_gz[512];
    snprintf(req_gz, sizeof(req_gz),
             "GET /page HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
             et_gz);
    ok(roundtrip(port, req_gz, &r, false) == 0 && r.status == 304,
       "gzip ETag + gzip accepted -> 304 (%d)", r.status);
    is_str(hdr(&r, "ETag", v, sizeof(v)), et_gz, "304 of the gzip copy carries its ETag");
    mld_free(r.body);
    snprintf(req_gz, sizeof(req_gz),
             "GET /page HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
             et);
    ok(roundtrip(port, req_gz, &r, false) == 0 && r.status == 200,
       "plain ETag while gzip is served -> 200, a different representation (%d)", r.status);
    mld_free(r.body);
    snprintf(req_gz, sizeof(req_gz),
             "GET /page HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n", et_gz);
    ok(roundtrip(port, req_gz, &r, false) == 0 && r.status == 200,
       "gzip ETag while plain is served -> 200 (%d)", r.status);
    mld_free(r.body);

    ok(roundtrip(port, "GET /page HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\n\r\n", &r,
                 false) == 0 &&
           r.status == 200 && r.body_len == PAGE_BYTES &&
           hdr(&r, "Content-Encoding", v, sizeof(v)) == NULL,
       "gzip;q=0 gets the plain copy");
    mld_free(r.body);

    /* Conditional requests. */
    char req[512];
    const char *inms[] = {et, "*", NULL, NULL};
    char weak[80], listed[128];
    snprintf(weak, sizeof(weak), "W/%s", et);
    snprintf(listed, sizeof(listed), "\"nope\", %s", weak);
    inms[2] = weak;
    inms[3] = listed;
    for (int i = 0; i < 4; i++) {
        snprintf(req, sizeof(req), "GET /page HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n",
                 inms[i]);
        ok(roundtrip(port, req, &r, false) == 0 && r.status == 304, "If-None-Match %s -> 304 (%d)",
           inms[i], r.status);
        is_str(hdr(&r, "ETag", v, sizeof(v)), et, "304 carries ETag");
        is_str(hdr(&r, "Cache-Control", v, sizeof(v)), "public, max-age=60",
               "304 carries Cache-Control");
        is_str(hdr(&r, "Vary", v, sizeof(v)), "Accept-Encoding", "304 carries Vary");
        ok(hdr(&r, "Content-Type", v, sizeof(v)) == NULL, "304 has no Content-Type");
        mld_free(r.body);
    }
    ok(roundtrip(port,
                 "GET /page HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"0000000000000000\"\r\n\r\n", &r,
                 false) == 0 &&
           r.status == 200 && r.body_len == PAGE_BYTES,
       "non-matching If-None-Match -> 200");
    mld_free(r.body);

    const char *ims_304[] = {"Mon, 20 Oct 2025 15:28:13 GMT", "Tue, 21 Oct 2025 00:00:00 GMT"};
    for (int i = 0; i < 2; i++) {
        snprintf(req, sizeof(req), "GET /page HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: %s\r\n\r\n",
                 ims_304[i]);
        ok(roundtrip(port, req, &r, false) == 0 && r.status == 304, "If-Modified-Since %s -> 304",
           ims_304[i]);
        mld_free(r.body);
    }
    ok(roundtrip(port,
                 "GET /page HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: Mon, 20 Oct 2025 15:28:12 "
                 "GMT\r\n\r\n",
                 &r, false) == 0 &&
           r.status == 200,
       "older If-Modified-Since -> 200");
    mld_free(r.body);
    ok(roundtrip(port,
                 "GET /page HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"x\"\r\nIf-Modified-Since: Tue, "
                 "21 Oct 2025 00:00:00 GMT\r\n\r\n",
                 &r, false) == 0 &&
           r.status == 200,
       "If-None-Match wins over If-Modified-Since");
    mld_free(r.body);
    ok(roundtrip(port, "GET /page HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: garbage\r\n\r\n", &r,
                 false) == 0 &&
           r.status == 200,
       "bad If-Modified-Since ignored");
    mld_free(r.body);

    /* HEAD: headers of the GET, no body. A GET after it on the same
     * connection parses only if no body bytes were sent. */
    struct tconn *c = mld_malloc(sizeof(*c));
    ok(tc_open(c, port) == 0, "connect for HEAD");
    const char *two = "HEAD /page HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(c, two, strlen(two));
    ok(tc_read(c, &r, true) == 0 && r.status == 200, "HEAD 200");
    is_str(hdr(&r, "Content-Length", v, sizeof(v)), "12288", "HEAD Content-Length");
    is_str(hdr(&r, "ETag", v, sizeof(v)), et, "HEAD ETag");
    mld_free(r.body);
    ok(tc_read(c, &r, false) == 0 && r.status == 200 && strncmp(r.body, "m=0 ", 4) == 0,
       "next response follows the HEAD headers directly (no body sent)");
    mld_free(r.body);
    tc_close(c);

    /* Keep-alive: two requests in turn on one connection. */
    ok(tc_open(c, port) == 0, "connect for keep-alive");
    const char *g = "GET /page HTTP/1.1\r\nHost: t\r\n\r\n";
    int good = 0;
    for (int i = 0; i < 2; i++) {
        if (tc_send(c, g, strlen(g)) == 0 && tc_read(c, &r, false) == 0 && r.status == 200 &&
            r.body_len == PAGE_BYTES && hdr(&r, "Connection", v, sizeof(v)) == NULL)
            good++;
        mld_free(r.body);
    }
    is_int(good, 2, "two requests on one connection, no Connection: close");
    ok(!tc_closed(c), "connection still open after them");
    const char *nf = "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n";
    ok(tc_send(c, nf, strlen(nf)) == 0 && tc_read(c, &r, false) == 0 && r.status == 404 &&
           strcmp(r.body, "not here\n") == 0,
       "404 on the same connection");
    mld_free(r.body);
    ok(!tc_closed(c), "404 keeps the connection");
    tc_close(c);
    mld_free(c);
}

static void
test_errors(int port)
{
    struct tresp r;
    char v[256];
    ok(roundtrip(port, "DELETE /page HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0, "DELETE");
    is_int(r.status, 405, "DELETE -> 405");
    is_str(hdr(&r, "Allow", v, sizeof(v)), "GET, HEAD", "405 Allow");
    mld_free(r.body);

    size_t plen = MLD_HTTP_MAX_PATH_BYTES + 10;
    char *req = mld_malloc(plen + 64);
    memcpy(req, "GET /", 5);
    memset(req + 5, 'a', plen);
    memcpy(req + 5 + plen, " HTTP/1.1\r\nHost: t\r\n\r\n", 23);
    ok(roundtrip(port, req, &r, false) == 0, "long path");
    is_int(r.status, 414, "long path -> 414");
    mld_free(r.body);
    /* Exactly at the limit is fine (404 from the handler). */
    memcpy(req + 5 + MLD_HTTP_MAX_PATH_BYTES - 1, " HTTP/1.1\r\nHost: t\r\n\r\n", 23);
    ok(roundtrip(port, req, &r, false) == 0 && r.status == 404, "path at the limit -> 404 (%d)",
       r.status);
    mld_free(r.body);
    mld_free(req);

    ok(roundtrip(port, "GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 && r.status == 400,
       "%%00 in path -> 400 (%d)", r.status);
    mld_free(r.body);
    ok(roundtrip(port, "GET /a%00 HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 && r.status == 400,
       "%%00 at the end -> 400 (%d)", r.status);
    mld_free(r.body);
    ok(roundtrip(port, "GET /a%0 HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 && r.status == 404,
       "truncated escape passes to the handler (%d)", r.status);
    mld_free(r.body);
    ok(roundtrip(port, "GET /a?x=%00 HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 &&
           r.status == 404,
       "%%00 in the query is the handler's business (%d)", r.status);
    mld_free(r.body);
    ok(roundtrip(port, "GET abc HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 && r.status == 400,
       "path without / -> 400 (%d)", r.status);
    mld_free(r.body);

    /* A header block beyond the connection pool: MHD answers it. */
    size_t hlen = 4 * MLD_HTTP_MAX_HEADER_BYTES;
    req = mld_malloc(hlen + 128);
    int n = snprintf(req, 128, "GET /page HTTP/1.1\r\nHost: t\r\nX-Big: ");
    memset(req + n, 'b', hlen);
    memcpy(req + (size_t)n + hlen, "\r\n\r\n", 5);
    int rc = roundtrip(port, req, &r, false);
    ok(rc != 0 || (r.status >= 400 && r.status < 500), "huge header block refused (%d)",
       rc == 0 ? r.status : -1);
    if (rc == 0)
        mld_free(r.body);
    mld_free(req);

    /* The handler answers NULL-free, finished responses; an unfinished
     * one is a bug answered with 500. */
    ok(roundtrip(port, "GET /unfinished HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 &&
           r.status == 500,
       "unfinished response -> 500");
    mld_free(r.body);
}

/* A chunked body that grows past MLD_HTTP_MAX_BODY_BYTES: the server stops
 * reading and closes the connection without calling the handler. */
static void
test_chunked_too_big(int port)
{
    struct tconn *c = mld_malloc(sizeof(*c));
    int calls = atomic_load(&handler_calls);
    ok(tc_open(c, port) == 0, "connect for a huge chunked body");
    struct timeval tv = {5, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const char *head = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    tc_send(c, head, strlen(head));
    size_t piece = 1 << 16, sent = 0;
    char *chunk = mld_malloc(piece + 32);
    int n = snprintf(chunk, 32, "%zx\r\n", piece);
    memset(chunk + n, 'x', piece);
    memcpy(chunk + n + piece, "\r\n", 2);
    while (sent <= MLD_HTTP_MAX_BODY_BYTES + piece) {
        if (tc_send(c, chunk, (size_t)n + piece + 2) != 0)
            break;
        sent += piece;
    }
    struct tresp r;
    int rc = tc_read(c, &r, false);
    ok(rc != 0, "no response, connection closed (after %zu body bytes)", sent);
    if (rc == 0)
        mld_free(r.body);
    is_int(atomic_load(&handler_calls) - calls, 0, "handler not called");
    mld_free(chunk);
    tc_close(c);
    mld_free(c);
}

static void
test_request_view(int port)
{
    struct tresp r;
    ok(roundtrip(port,
                 "GET /echo/a%20b/%C3%A4?q=x%26y&z=1 HTTP/1.1\r\nHost: t\r\nX-Test: hi\r\n\r\n", &r,
                 false) == 0,
       "echo");
    is_str(r.body, "m=0 path=[/echo/a b/\xc3\xa4] query=[q=x%26y&z=1] q=[x&y] h=[hi]",
           "decoded path, raw query, decoded arg, header");
    mld_free(r.body);
    ok(roundtrip(port, "GET /echo/a+b?q=c+d HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0,
       "echo with +");
    is_str(r.body, "m=0 path=[/echo/a+b] query=[q=c+d] q=[c d] h=[(null)]",
           "+ stays in the path, is a space in an argument");
    mld_free(r.body);
    ok(roundtrip(port, "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0, "echo, no query");
    is_str(r.body, "m=0 path=[/echo] query=[] q=[(null)] h=[(null)]", "empty query is \"\"");
    mld_free(r.body);
    ok(roundtrip(port, "HEAD /echo HTTP/1.1\r\nHost: t\r\n\r\n", &r, true) == 0 && r.status == 200,
       "HEAD reaches the handler");
    mld_free(r.body);

    ok(roundtrip(port, "POST /echo?q=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", &r,
                 false) == 0,
       "POST");
    is_str(r.body, "m=2 path=[/echo] query=[q=1] q=[1] h=[(null)]", "POST reaches the handler");
    mld_free(r.body);
    ok(roundtrip(port,
                 "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n0\r\n\r\n",
                 &r, false) == 0 &&
           r.status == 200 && strncmp(r.body, "m=2 ", 4) == 0,
       "chunked POST");
    mld_free(r.body);
    test_chunked_too_big(port);
    ok(roundtrip(port, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17000000\r\n\r\nxx", &r,
                 false) == 0 &&
           r.status == 413,
       "oversized POST -> 413");
    mld_free(r.body);
}

/* The body line /body answers for these bytes (method m). */
static void
body_line(char *out, size_t outlen, int m, const char *b, size_t n)
{
    snprintf(out, outlen, "m=%d len=%zu nul=1 xxh=%016" PRIx64 " head=[%.32s]", m, n,
             (uint64_t)XXH3_64bits(b, n), b);
}

/* POST bodies reach the handler whole: declared, chunked, empty, binary,
 * at the limit; other methods' bodies are dropped; nothing of one request
 * leaks into the next on the same connection. */
static void
test_body(int port)
{
    struct tresp r;
    char want[256];

    ok(roundtrip(port, "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", &r,
                 false) == 0,
       "POST with Content-Length");
    body_line(want, sizeof(want), 2, "hello", 5);
    is_str(r.body, want, "handler gets the 5 bytes, NUL-terminated");
    mld_free(r.body);

    ok(roundtrip(port,
                 "POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "3\r\nabc\r\n4\r\ndefg\r\n1\r\nh\r\n0\r\n\r\n",
                 &r, false) == 0,
       "chunked POST");
    body_line(want, sizeof(want), 2, "abcdefgh", 8);
    is_str(r.body, want, "chunks are joined");
    mld_free(r.body);

    ok(roundtrip(port, "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", &r, false) ==
           0,
       "POST without a body");
    body_line(want, sizeof(want), 2, "", 0);
    is_str(r.body, want, "empty body is \"\" with length 0");
    mld_free(r.body);

    /* Binary, with NUL bytes inside. */
    static const char bin[] = "a\0b\0\xff\x01z";
    size_t binlen = sizeof(bin) - 1;
    char req[256];
    int hl = snprintf(req, sizeof(req),
                      "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", binlen);
    memcpy(req + hl, bin, binlen);
    struct tconn *c = mld_malloc(sizeof(*c));
    ok(tc_open(c, port) == 0 && tc_send(c, req, (size_t)hl + binlen) == 0 &&
           tc_read(c, &r, false) == 0,
       "binary POST");
    body_line(want, sizeof(want), 2, bin, binlen);
    is_str(r.body, want, "NUL bytes inside the body are kept (length and hash)");
    mld_free(r.body);

    /* Same connection: a GET after the POST sees no body, a second POST
     * only its own. */
    const char *g = "GET /body HTTP/1.1\r\nHost: t\r\n\r\n";
    ok(tc_send(c, g, strlen(g)) == 0 && tc_read(c, &r, false) == 0, "GET after POST");
    body_line(want, sizeof(want), 0, "", 0);
    is_str(r.body, want, "GET after POST on one connection: no body");
    mld_free(r.body);
    const char *p2 = "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nxy";
    ok(tc_send(c, p2, strlen(p2)) == 0 && tc_read(c, &r, false) == 0, "second POST");
    body_line(want, sizeof(want), 2, "xy", 2);
    is_str(r.body, want, "second POST gets only its own body");
    mld_free(r.body);
    ok(!tc_closed(c), "connection kept alive through POSTs");
    tc_close(c);

    /* A GET with a body: no route takes one, refused before it is read. */
    ok(roundtrip(port, "GET /body HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc", &r,
                 false) == 0,
       "GET with a body");
    is_int(r.status, 413, "the body of a GET is refused: 413");
    mld_free(r.body);

    /* A chunked body that needs the buffer to grow several times, and one
     * of exactly MLD_HTTP_MAX_BODY_BYTES. */
    size_t big = MLD_HTTP_MAX_BODY_BYTES;
    char *data = mld_malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    size_t part = 300000, sent = 0;
    ok(tc_open(c, port) == 0, "connect for a growing chunked body");
    const char *ch = "POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    int good = tc_send(c, ch, strlen(ch)) == 0;
    for (int i = 0; i < 5 && good; i++) {
        char len[32];
        int k = snprintf(len, sizeof(len), "%zx\r\n", part);
        good = tc_send(c, len, (size_t)k) == 0 && tc_send(c, data + sent, part) == 0 &&
               tc_send(c, "\r\n", 2) == 0;
        sent += part;
    }
    good = good && tc_send(c, "0\r\n\r\n", 5) == 0 && tc_read(c, &r, false) == 0;
    body_line(want, sizeof(want), 2, data, sent);
    ok(good, "growing chunked body answered");
    if (good) {
        is_str(r.body, want, "%zu chunked bytes arrive whole", sent);
        mld_free(r.body);
    }
    tc_close(c);

    ok(tc_open(c, port) == 0, "connect for a body at the limit");
    struct timeval tv = {10, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    hl = snprintf(req, sizeof(req), "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n",
                  big);
    good = tc_send(c, req, (size_t)hl) == 0 && tc_send(c, data, big) == 0 &&
           tc_read(c, &r, false) == 0;
    body_line(want, sizeof(want), 2, data, big);
    ok(good, "body of MLD_HTTP_MAX_BODY_BYTES answered");
    if (good) {
        is_int(r.status, 200, "limit body: 200");
        is_str(r.body, want, "limit body arrives whole");
        mld_free(r.body);
    }
    tc_close(c);
    mld_free(c);
    mld_free(data);
}

/* Concurrency --------------------------------------------------------- */

#define CLIENTS 4
#define PER_CLIENT 200

struct client_arg {
    int port;
    int id;
    int failures;
    int reconnects;
};

static void *
client_thread(void *p)
{
    struct client_arg *a = p;
    struct tconn *c = mld_malloc(sizeof(*c));
    char req[512];
    char v[128];
    const char *et = mld_http_resp_etag(page);
    c->fd = -1;
    for (int i = 0; i < PER_CLIENT; i++) {
        int kind = (i + a->id) % 5;
        bool head = false;
        switch (kind) {
        case 0: snprintf(req, sizeof(req), "GET /page HTTP/1.1\r\nHost: t\r\n\r\n"); break;
        case 1:
            snprintf(req, sizeof(req),
                     "GET /page HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
            break;
        case 2:
            snprintf(req, sizeof(req), "GET /page HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n",
                     et);
            break;
        case 3:
            snprintf(req, sizeof(req),
                     "GET /fresh HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
            break;
        default:
            snprintf(req, sizeof(req), "HEAD /nothing/%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
            head = true;
            break;
        }
        if (c->fd < 0) {
            if (tc_open(c, a->port) != 0) {
                a->failures++;
                continue;
            }
            a->reconnects++;
        }
        struct tresp r;
        if (tc_send(c, req, strlen(req)) != 0 || tc_read(c, &r, head) != 0) {
            a->failures++;
            tc_close(c);
            continue;
        }
        bool good = false;
        size_t n;
        char *z;
        switch (kind) {
        case 0:
            good = r.status == 200 && r.body_len == PAGE_BYTES &&
                   memcmp(r.body, page_body, PAGE_BYTES) == 0;
            break;
        case 1:
            z = gunzip(r.body, r.body_len, &n);
            good = r.status == 200 && z != NULL && n == PAGE_BYTES && memcmp(z, page_body, n) == 0;
            mld_free(z);
            break;
        case 2: good = r.status == 304 && hdr(&r, "ETag", v, sizeof(v)) != NULL; break;
        case 3:
            z = gunzip(r.body, r.body_len, &n);
            good = r.status == 200 && z != NULL && n == 4000 && memcmp(z, page_body, n) == 0;
            mld_free(z);
            break;
        default: good = r.status == 404 && r.body_len == 0; break;
        }
        if (!good)
            a->failures++;
        mld_free(r.body);
        /* Now and then start over on a new connection. */
        if (i % 50 == 49)
            tc_close(c);
    }
    tc_close(c);
    mld_free(c);
    return NULL;
}

static void
test_concurrent(int port)
{
    int before = atomic_load(&handler_calls);
    pthread_t th[CLIENTS];
    struct client_arg args[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        args[i] = (struct client_arg){port, i, 0, 0};
        pthread_create(&th[i], NULL, client_thread, &args[i]);
    }
    int failures = 0, reconnects = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        failures += args[i].failures;
        reconnects += args[i].reconnects;
    }
    is_int(failures, 0, "%d clients x %d requests: all answered right", CLIENTS, PER_CLIENT);
    is_int(reconnects, CLIENTS * (PER_CLIENT / 50), "keep-alive held between reconnects");
    is_int(atomic_load(&handler_calls) - before, CLIENTS * PER_CLIENT, "handler calls");
}

struct lazy_arg {
    int port;
    size_t len;   /* Content-Length of the gzip answer, 0 on failure */
    uint64_t xxh; /* XXH3 of its bytes */
};

/* One client asking for /lazy with gzip (test_lazy). */
static void *
lazy_client(void *p)
{
    static const char req[] = "GET /lazy HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n";
    struct lazy_arg *a = p;
    struct tconn c; /* its own: roundtrip()'s is shared */
    struct tresp r = {0};
    char v[64];
    int rc = tc_open(&c, a->port);
    if (rc == 0) {
        rc = tc_send(&c, req, sizeof(req) - 1);
        if (rc == 0)
            rc = tc_read(&c, &r, false);
        tc_close(&c);
    }
    if (rc == 0 && r.status == 200 && hdr(&r, "Content-Encoding", v, sizeof(v)) != NULL) {
        a->len = r.body_len;
        a->xxh = XXH3_64bits(r.body, r.body_len);
    }
    mld_free(r.body);
    return NULL;
}

/* MLD_HTTP_GZIP_LAZY: no copy until a client that accepts gzip asks; the
 * headers are those of an eager copy from the first answer on; clients
 * racing for the first copy all get the same bytes. */
static void
test_lazy(int port)
{
    struct tresp r;
    char v[256], et_gz[40], req[512];
    const char *et = mld_http_resp_etag(page);
    snprintf(et_gz, sizeof(et_gz), "%.*s-gz\"", (int)strlen(et) - 1, et);
    is_int(mld_http_resp_gzip_len(lazy), 0, "lazy: no gzip copy at finish");
    is_int(mld_http_resp_held_bytes(lazy), PAGE_BYTES + PAGE_BYTES / 2,
           "lazy: held bytes count half the body for the copy to come");

    ok(roundtrip(port, "GET /lazy HTTP/1.1\r\nHost: t\r\n\r\n", &r, false) == 0 &&
           r.status == 200 && r.body_len == PAGE_BYTES,
       "lazy: plain GET");
    is_str(hdr(&r, "Vary", v, sizeof(v)), "Accept-Encoding", "lazy: Vary before any copy");
    is_str(hdr(&r, "ETag", v, sizeof(v)), et, "lazy: same ETag as the eager page");
    mld_free(r.body);
    is_int(mld_http_resp_gzip_len(lazy), 0, "lazy: a plain request makes no copy");

    /* A client holding the gzip copy from an earlier response of the same
     * body revalidates before any copy exists. */
    snprintf(req, sizeof(req),
             "GET /lazy HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
             et_gz);
    ok(roundtrip(port, req, &r, false) == 0 && r.status == 304, "lazy: gzip ETag -> 304 (%d)",
       r.status);
    is_str(hdr(&r, "ETag", v, sizeof(v)), et_gz, "lazy: the 304 carries the gzip ETag");
    is_str(hdr(&r, "Vary", v, sizeof(v)), "Accept-Encoding", "lazy: the 304 carries Vary");
    mld_free(r.body);
    is_int(mld_http_resp_gzip_len(lazy), mld_http_resp_gzip_len(page),
           "lazy: the first gzip request made the same copy as finish would");

    ok(roundtrip(port, "GET /lazy HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n", &r,
                 false) == 0 &&
           r.status == 200,
       "lazy: gzip GET");
    is_str(hdr(&r, "Content-Encoding", v, sizeof(v)), "gzip", "lazy: Content-Encoding");
    is_str(hdr(&r, "ETag", v, sizeof(v)), et_gz, "lazy: gzip ETag");
    is_int(hdr_count(&r, "Vary"), 1, "lazy: one Vary");
    inflates_to_page(&r, "lazy");
    mld_free(r.body);

    /* Racing for the first copy of a fresh lazy response. */
    struct mld_http_resp *old = lazy;
    lazy = mld_http_resp_new(200, "text/html; charset=utf-8", page_body, PAGE_BYTES, LAST_MOD);
    mld_http_resp_finish(lazy, MLD_HTTP_GZIP_LAZY | MLD_HTTP_ETAG);
    pthread_t th[8];
    struct lazy_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (struct lazy_arg){port, 0, 0};
        pthread_create(&th[i], NULL, lazy_client, &args[i]);
    }
    int same = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        same += args[i].len == mld_http_resp_gzip_len(lazy) && args[i].xxh == args[0].xxh;
    }
    is_int(same, 8, "lazy: 8 racing gzip clients get the one copy");
    mld_http_resp_unref(old);

    /* A body gzip cannot shrink: the plain copy for everyone. */
    ok(roundtrip(port, "GET /noise HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n", &r,
                 false) == 0 &&
           r.status == 200 && r.body_len == 1024 &&
           hdr(&r, "Content-Encoding", v, sizeof(v)) == NULL,
       "lazy, incompressible: gzip client gets the plain bytes");
    is_str(hdr(&r, "ETag", v, sizeof(v)), mld_http_resp_etag(noise), "... with the plain ETag");
    mld_free(r.body);
    is_int(mld_http_resp_gzip_len(noise), 0, "... and no copy is kept");
    is_int(mld_http_resp_held_bytes(noise), 1024, "... nor counted");
}

static void
test_start_errors(int port)
{
    struct mld_http_server *s2 = NULL;
    struct mld_err err = {0};
    struct mld_http_config cfg = {.host = "127.0.0.1", .port = port, .threads = 1};
    int rc = mld_http_server_start(&s2, &cfg, handler, NULL, &err);
    is_int(rc, MLD_E_HTTP, "second server on the same port fails");
    ok(s2 == NULL, "no server returned");
    ok(strstr(err.msg, "127.0.0.1") != NULL, "error names the address: %s", err.msg);
    cfg.host = "no.such.host.invalid";
    cfg.port = 0;
    rc = mld_http_server_start(&s2, &cfg, handler, NULL, &err);
    is_int(rc, MLD_E_HTTP, "unresolvable host fails");
    cfg.host = "127.0.0.1";
    cfg.port = 70000;
    is_int(mld_http_server_start(&s2, &cfg, handler, NULL, &err), MLD_E_INVAL, "bad port");
    mld_http_server_stop(NULL);
}

/* IPv6 loopback, when the machine has it. */
static void
test_ipv6(void)
{
    struct mld_http_server *s6 = NULL;
    struct mld_err err = {0};
    struct mld_http_config cfg = {.host = "::1", .port = 0, .threads = 1};
    if (mld_http_server_start(&s6, &cfg, handler, NULL, &err) != 0) {
        diag("skip: no IPv6 loopback here (%s)", err.msg);
        return;
    }
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons((uint16_t)mld_http_server_port(s6));
    sa.sin6_addr = in6addr_loopback;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ok(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect to [::1]");
    const char *req = "GET /nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    ok(send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req), "send over IPv6");
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    ok(strncmp(buf, "HTTP/1.1 404", 12) == 0, "answer over IPv6");
    close(fd);
    mld_http_server_stop(s6);
}

/* Reads from c until its buffer holds text (or 5 s pass). */
static bool
tc_wait_for(struct tconn *c, const char *text)
{
    for (;;) {
        if (c->len > 0 && memmem(c->buf, c->len, text, strlen(text)) != NULL)
            return true;
        if (tc_fill(c, c->len + 1) != 0)
            return false;
    }
}

/* Opens /stream on c; returns the handler's stream (a reference held by
 * streams[]) or NULL. */
static struct mld_http_stream *
open_stream(struct tconn *c, int port)
{
    int before = atomic_load(&nstreams);
    const char *req = "GET /stream HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n";
    if (tc_open(c, port) != 0 || tc_send(c, req, strlen(req)) != 0)
        return NULL;
    if (!tc_wait_for(c, "hello\n"))
        return NULL;
    return atomic_load(&nstreams) > before && before < 8 ? streams[before] : NULL;
}

/* Milliseconds since an arbitrary start. */
static double
ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
test_stream(int port)
{
    struct tconn *c = mld_malloc(sizeof(*c));
    struct mld_http_stream *st = open_stream(c, port);
    ok(st != NULL, "stream: the handler's first bytes arrive before any later write");
    if (st == NULL) {
        mld_free(c);
        return;
    }
    char *head_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    ok(head_end != NULL && memmem(c->buf, (size_t)(head_end - c->buf), "HTTP/1.1 200", 12),
       "stream: 200");
    struct tresp r = {0};
    memcpy(r.head, c->buf, head_end ? (size_t)(head_end - c->buf) + 4 : 0);
    char v[128];
    is_str(hdr(&r, "Transfer-Encoding", v, sizeof(v)), "chunked", "stream: chunked");
    is_str(hdr(&r, "Content-Type", v, sizeof(v)), "text/event-stream", "stream: content type");
    is_str(hdr(&r, "Cache-Control", v, sizeof(v)), "no-store", "stream: handler's header");
    ok(hdr(&r, "ETag", v, sizeof(v)) == NULL && hdr(&r, "Content-Encoding", v, sizeof(v)) == NULL,
       "stream: no ETag, no gzip even when asked");

    /* Written from this thread while the connection waits, suspended. */
    usleep(100 * 1000);
    is_int(mld_http_stream_write(st, "second\n", 7), 0, "stream: a later write");
    ok(tc_wait_for(c, "second\n"), "stream: ... reaches the client");
    mld_http_stream_close(st);
    ok(tc_wait_for(c, "\r\n0\r\n\r\n"), "stream: close ends the chunked body");
    ok(mld_http_stream_write(st, "x", 1) != 0 && mld_http_stream_ended(st),
       "stream: a write after close fails");
    tc_close(c);

    /* A client that does not read: the server's buffer stays bounded and
     * the stream ends, then the connection is shut down. */
    st = open_stream(c, port);
    ok(st != NULL, "slow: stream open");
    int rcvbuf = 4096;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    char chunk[1024];
    memset(chunk, 'e', sizeof(chunk));
    chunk[sizeof(chunk) - 1] = '\n';
    long written = 0;
    int wrc = 0;
    /* Socket buffers take a few MB on loopback; 64 MB without a failed
     * write would be a stream that buffers without bound. */
    for (long i = 0; st != NULL && i < 64 * 1024 &&
                     (wrc = mld_http_stream_write(st, chunk, sizeof(chunk))) == 0;
         i++) {
        written += (long)sizeof(chunk);
        /* Let the server move bytes to the socket: slowly at first, so
         * that a busy machine still shows bytes leaving the buffer. */
        usleep(i < 32 ? 2000 : 200);
    }
    ok(wrc != 0, "slow: a write fails once the client is %d bytes behind (after %ld bytes)",
       STREAM_MAX, written);
    ok(written > STREAM_MAX, "slow: ... and not before the socket buffers filled");
    ok(st != NULL && mld_http_stream_ended(st), "slow: the stream has ended");
    if (st != NULL) {
        pthread_mutex_lock(&st->lock);
        ok(st->buf == NULL && st->len == 0, "slow: its buffer is freed");
        pthread_mutex_unlock(&st->lock);
    }
    /* The server lets go of the connection at once (the kernel may
     * still trickle what it holds to the small receive window). */
    bool ended = false;
    for (double t0 = ms_now(); st != NULL && ms_now() - t0 < 5000 && !ended; usleep(10 * 1000)) {
        pthread_mutex_lock(&st->lock);
        ended = st->mc == NULL;
        pthread_mutex_unlock(&st->lock);
    }
    ok(ended, "slow: the server drops the connection");
    tc_close(c);

    /* A client that goes away: noticed at a later write. */
    st = open_stream(c, port);
    ok(st != NULL, "gone: stream open");
    ok(mld_http_stream_alive(st), "gone: alive while the client is there");
    tc_close(c);
    bool gone = false;
    for (double t0 = ms_now(); st != NULL && ms_now() - t0 < 5000 && !gone; usleep(10 * 1000))
        gone = !mld_http_stream_alive(st);
    ok(gone, "gone: the socket tells a waiting stream its client left, with no write");
    bool failed = false;
    for (double t0 = ms_now(); st != NULL && ms_now() - t0 < 5000 && !failed;) {
        failed = mld_http_stream_write(st, "ping\n", 5) != 0;
        usleep(20 * 1000);
    }
    ok(failed, "gone: writes fail after the client closed");

    /* A stream left open for stop(). */
    st = open_stream(c, port);
    ok(st != NULL, "stop: a stream stays open");
    mld_free(c);
}

/* The site's default headers: added at finish where they apply, never
 * over a header the handler set; responses finished earlier keep theirs. */
static void
test_default_headers(void)
{
    struct mld_http_resp *before =
        mld_http_resp_finish(mld_http_resp_new(200, "text/html", "x", 1, 0), 0);
    static const struct mld_http_default_header defs[] = {
        {"X-Content-Type-Options", "nosniff", NULL},
        {"Content-Security-Policy", "default-src 'none'", "text/html"},
        {NULL, NULL, NULL},
    };
    mld_http_set_default_headers(defs);
    struct mld_http_resp *html =
        mld_http_resp_finish(mld_http_resp_new(200, "Text/HTML; charset=utf-8", "x", 1, 0), 0);
    struct mld_http_resp *json =
        mld_http_resp_finish(mld_http_resp_new(200, "application/json", "{}", 2, 0), 0);
    struct mld_http_resp *own = mld_http_resp_new(200, "text/html", "x", 1, 0);
    mld_http_resp_header(own, "Content-Security-Policy", "default-src 'self'");
    mld_http_resp_finish(own, 0);
    struct mld_http_resp *bare = mld_http_resp_finish(mld_http_resp_new(204, NULL, "", 0, 0), 0);
    mld_http_set_default_headers(NULL);
    struct mld_http_resp *after =
        mld_http_resp_finish(mld_http_resp_new(200, "text/html", "x", 1, 0), 0);

    const char *v = mld_http_resp_get_header(html, "X-Content-Type-Options");
    is_str(v ? v : "(none)", "nosniff", "defaults: on every response");
    v = mld_http_resp_get_header(html, "Content-Security-Policy");
    is_str(v ? v : "(none)", "default-src 'none'", "defaults: by type prefix, any case");
    ok(mld_http_resp_get_header(json, "Content-Security-Policy") == NULL,
       "defaults: not on another type");
    ok(mld_http_resp_get_header(json, "X-Content-Type-Options") != NULL, "... the rest is");
    v = mld_http_resp_get_header(own, "Content-Security-Policy");
    is_str(v ? v : "(none)", "default-src 'self'", "defaults: the handler's header wins");
    ok(mld_http_resp_get_header(bare, "X-Content-Type-Options") != NULL &&
           mld_http_resp_get_header(bare, "Content-Security-Policy") == NULL,
       "defaults: a response without a type gets the untyped ones");
    ok(mld_http_resp_get_header(before, "X-Content-Type-Options") == NULL &&
           mld_http_resp_get_header(after, "X-Content-Type-Options") == NULL,
       "defaults: only between set and unset");
    struct mld_http_resp *all[] = {before, html, json, own, bare, after};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        mld_http_resp_unref(all[i]);
}

/* Trusted proxies and forwarded clients: the list parser, CIDR matching,
 * X-Forwarded-For and Forwarded walked from the right, past trusted hops;
 * and the body-route table lookup. */
static void
test_forwarded(void)
{
    struct mld_http_server srv;
    memset(&srv, 0, sizeof(srv));
    struct mld_err err = {0};
    is_int(parse_proxies("127.0.0.2, 10.0.0.0/8 fd00::/8\t::ffff:192.0.2.9", &srv.proxies,
                         &srv.nproxies, &err),
           0, "a list of addresses and blocks parses (%s)", err.msg);
    is_int(srv.nproxies, 4, "four entries");
    static const char *const bad[] = {"10.0.0.0/33", "10.0.0.1/", "localhost", "::1/129",
                                      "1.2.3.4/8x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mld_err e = {0};
        is_int(mld_http_check_proxies(bad[i], &e), MLD_E_PARSE, "'%s' is refused", bad[i]);
        ok(strstr(e.msg, bad[i]) != NULL, "... naming it: %s", e.msg);
    }
    char out[INET6_ADDRSTRLEN];
    struct {
        const char *xff, *fwd, *want; /* want NULL: no forwarded client */
    } cases[] = {
        {"198.51.100.7", NULL, "198.51.100.7"},
        {"198.51.100.7, 10.1.2.3", NULL, "198.51.100.7"},
        {"6.6.6.6, 198.51.100.7, 10.9.9.9, 127.0.0.2", NULL, "198.51.100.7"},
        {"10.0.0.1, 10.0.0.2", NULL, "10.0.0.1"},
        {"198.51.100.7:4711", NULL, "198.51.100.7"},
        {"[2001:db8::1]:443", NULL, "2001:db8::1"},
        {"::ffff:198.51.100.7", NULL, "198.51.100.7"},
        {"fd00::5, 2001:db8::2", NULL, "2001:db8::2"},
        {"unknown, 10.0.0.1", NULL, NULL},
        {"198.51.100.7, unknown", NULL, NULL},
        {"", NULL, NULL},
        {"1.1.1.1", "for=198.51.100.9;proto=https", "198.51.100.9"},
        {NULL, "for=\"[2001:db8::7]:8080\", for=10.0.0.3;by=x", "2001:db8::7"},
        {NULL, "For=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"},
        {NULL, "for=_hidden", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(out, sizeof(out), "-");
        bool got = forwarded_client(&srv, cases[i].xff, cases[i].fwd, out);
        if (cases[i].want == NULL)
            ok(!got, "xff [%s] fwd [%s]: no client", cases[i].xff ? cases[i].xff : "",
               cases[i].fwd ? cases[i].fwd : "");
        else
            ok(got && strcmp(out, cases[i].want) == 0, "xff [%s] fwd [%s]: %s (got %s)",
               cases[i].xff ? cases[i].xff : "", cases[i].fwd ? cases[i].fwd : "",
               cases[i].want, got ? out : "none");
    }
    /* More hops than are walked: only the rightmost count. */
    char many[1024];
    int used = snprintf(many, sizeof(many), "198.51.100.1");
    for (int i = 0; i < 40; i++)
        used += snprintf(many + used, sizeof(many) - (size_t)used, ", 10.0.0.9");
    ok(forwarded_client(&srv, many, NULL, out) && strcmp(out, "10.0.0.9") == 0,
       "40 trusted hops: the walk stops after %d (got %s)", MLD_HTTP_MAX_FORWARDED_HOPS, out);
    mld_free(srv.proxies);

    static const struct mld_http_body_route routes[] = {
        {"/api/v1/push", 100},
        {"/redaktion/", 10},
        {NULL, 0},
    };
    is_int((int)mld_http_body_limit(routes, "/api/v1/push"), 100, "an exact route: its limit");
    is_int((int)mld_http_body_limit(routes, "/api/v1/push/x"), 0, "... not the paths below it");
    is_int((int)mld_http_body_limit(routes, "/redaktion/login"), 10, "a prefix route: below it");
    is_int((int)mld_http_body_limit(routes, "/redaktion"), 0, "... not the bare name");
    is_int((int)mld_http_body_limit(routes, "/"), 0, "any other path takes no body");
    is_int((int)mld_http_body_limit(NULL, "/api/v1/push"), 0, "no table: no body");
}

int
main(void)
{
    test_forwarded();
    /* A page that compresses like real HTML: repeated markup, varying text. */
    size_t n = 0;
    for (int i = 0; n < PAGE_BYTES; i++) {
        char line[128];
        int k = snprintf(line, sizeof(line), "<p class=\"t\">Meldung %d: Text %u.</p>\n", i,
                         (unsigned)(i * 2654435761u) % 100000u);
        for (int j = 0; j < k && n < PAGE_BYTES; j++)
            page_body[n++] = line[j];
    }
    page = mld_http_resp_new(200, "text/html; charset=utf-8", page_body, PAGE_BYTES, LAST_MOD);
    mld_http_resp_header(page, "Cache-Control", "public, max-age=60");
    mld_http_resp_finish(page, MLD_HTTP_GZIP | MLD_HTTP_ETAG);
    notfound = mld_http_resp_finish(mld_http_resp_new(404, "text/plain", "not here\n", 9, 0), 0);
    lazy = mld_http_resp_new(200, "text/html; charset=utf-8", page_body, PAGE_BYTES, LAST_MOD);
    mld_http_resp_finish(lazy, MLD_HTTP_GZIP_LAZY | MLD_HTTP_ETAG);
    unsigned char rnd[1024];
    for (size_t i = 0; i < sizeof(rnd); i++) /* hashed: bytes deflate cannot shrink */
        rnd[i] = (unsigned char)(XXH3_64bits(&i, sizeof(i)) >> 13);
    noise = mld_http_resp_finish(
        mld_http_resp_new(200, "application/octet-stream", rnd, sizeof(rnd), 0),
        MLD_HTTP_GZIP_LAZY | MLD_HTTP_ETAG);

    test_parsers();
    test_resp();
    test_default_headers();

    struct mld_http_server *s = NULL;
    struct mld_err err = {0};
    struct mld_http_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 2};
    int rc = mld_http_server_start(&s, &cfg, handler, NULL, &err);
    is_int(rc, 0, "server starts (%s)", err.msg);
    if (rc != 0)
        return mld_test_done();
    int port = mld_http_server_port(s);
    ok(port > 0, "bound port %d", port);

    test_basic(port);
    test_lazy(port);
    test_errors(port);
    test_request_view(port);
    test_body(port);
    test_concurrent(port);
    test_start_errors(port);
    test_ipv6();
    struct tconn *sc = mld_malloc(sizeof(*sc));
    sc->fd = -1;
    test_stream(port);
    ok(open_stream(sc, port) != NULL, "stop: one more stream waits, suspended");

    double t_stop = ms_now();
    mld_http_server_stop(s);
    double stop_ms = ms_now() - t_stop;
    ok(stop_ms < 3000, "stop with open streams returns (%.0f ms)", stop_ms);
    ok(tc_wait_for(sc, "\r\n0\r\n\r\n") || sc->len > 0, "stop: the waiting stream ended");
    tc_close(sc);
    mld_free(sc);
    for (int i = 0; i < atomic_load(&nstreams) && i < 8; i++)
        mld_http_stream_unref(streams[i]);
    is_int(mld_http_stream_live(), 0, "every stream freed after stop");
    mld_http_resp_unref(page);
    mld_http_resp_unref(notfound);
    mld_http_resp_unref(lazy);
    mld_http_resp_unref(noise);
    is_int(mld_http_resp_live(), 0, "every response freed after stop");
    return mld_test_done();
}
