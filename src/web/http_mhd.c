/*
 * http_mhd.c - meldung's HTTP interface (http.h) on libmicrohttpd.
 *
 * Responses. A struct mld_http_resp is built once (new, header, finish)
 * and then only read. finish() computes the strong ETag (XXH3 of the body),
 * the gzip copy (zlib, gzip wrapper) and builds up to three MHD_Response
 * objects that point into the resp's own buffers (MHD_RESPMEM_PERSISTENT):
 *
 *     mr_plain  status, body, all headers
 *     mr_gzip   status, gzip copy, all headers + Content-Encoding: gzip
 *     mr_304    no body; ETag, Last-Modified, Cache-Control, Expires, Vary
 *     mr_304_gz the same for a client holding the gzip copy
 *
 * With MLD_HTTP_GZIP_LAZY the gzip copy (and mr_gzip, mr_304_gz) is made
 * only when the first client that accepts gzip asks for r, so a page that
 * only crawlers without gzip read never pays for it (a third of a render,
 * bench/README.md, "crawl"). That is the one change to r after it is
 * shared: the first such request makes the copy under r's gz_lock, then
 * publishes it with a release store of gz_state; answer() reads gz_state
 * with acquire, so a thread that sees GZ_READY sees the copy, and one that
 * sees GZ_PENDING takes the lock and finds it made or makes it. Vary and
 * the gzip ETag are fixed at finish() from whether a copy may be made, so
 * every answer from r carries the same headers before and after.
 *
 * The two copies are two representations, so each has its own strong ETag:
 * the gzip copy's is the plain one with "-gz" before the closing quote
 * (RFC 9110 8.8.3). A conditional request is answered for the copy the
 * client would get, with that copy's ETag.
 *
 * Every request that is answered from r queues one of these; MHD keeps its
 * own reference on the MHD_Response, and the connection context keeps a
 * reference on r until MHD reports the request complete, so the bytes stay
 * valid while MHD sends them. The last mld_http_resp_unref() destroys the
 * three MHD_Response objects (dropping only our MHD reference) and frees
 * the buffers.
 *
 * Requests. MHD (0.9.75) calls the URI-log callback with the raw request
 * target, then the access handler at least twice: once when the headers
 * are in, once per body chunk, and once more when the body is complete.
 * Queueing a response in the first call makes MHD 0.9.75 close the
 * connection afterwards (it cannot know the body was consumed), so every
 * response that should keep the connection alive is queued on a later call.
 * Per-request state lives in a per-connection struct conn (made when MHD
 * accepts the socket, freed when it closes it), so a request on a
 * keep-alive connection allocates nothing. The one exception is a POST
 * body: it is collected in a buffer of the connection (sized from
 * Content-Length, or doubled as chunks arrive, never past
 * MLD_HTTP_MAX_BODY_BYTES), handed to the handler, and freed when the
 * request completes.
 *
 * The path handed to the handler is the one MHD percent-decodes in place;
 * the raw query string is copied in the URI-log callback, before MHD
 * splits and decodes it into GET arguments.
 */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"

/* Where r's gzip copy stands (gz_state). */
enum {
    GZ_NONE,    /* no copy: not asked for, too small, or not smaller */
    GZ_PENDING, /* MLD_HTTP_GZIP_LAZY: made on the first gzip request */
    GZ_READY,   /* gz, mr_gzip (and mr_304_gz) made */
};

/* Bodies shorter than this are not worth a gzip copy (the gzip wrapper
 * alone is 18 bytes, and the Vary header costs more than it saves). */
#define GZIP_MIN_BYTES 256

/* zlib compression level for the prepared gzip copy: 6 is zlib's default,
 * within a few percent of 9 on HTML at a third of the time. */
#define GZIP_LEVEL 6

/* Length of "\"" + 16 hex digits + "\"". */
#define ETAG_LEN 18

struct hdr {
    char *name;  /* header name as given */
    char *value; /* header value */
};

struct mld_http_resp {
    atomic_int refs;                     /* references; the last unref frees */
    int status;                          /* HTTP status code */
    bool finished;                       /* frozen: no more headers, shareable */
    mld_time_t last_modified;            /* 0 = no Last-Modified */
    char *content_type;                  /* NULL = no Content-Type */
    struct hdr *hdrs;                    /* headers added by the handler */
    size_t nhdrs, hdrs_cap;              /* used and allocated entries of hdrs */
    char *body;                          /* body bytes (never NULL) */
    size_t body_len;                     /* bytes in body */
    char *gz;                            /* gzip copy, or NULL */
    atomic_int gz_state;                 /* GZ_*: written under gz_lock once shared */
    pthread_mutex_t gz_lock;             /* makes a GZ_PENDING copy once */
    bool vary;                           /* Vary: Accept-Encoding (a copy exists or may) */
    size_t gz_len;                       /* bytes in gz; 0 when gz is NULL */
    char etag[ETAG_LEN + 1];             /* "\"<hex>\"" or "" */
    char etag_gz[ETAG_LEN + 4];          /* "\"<hex>-gz\"", or "" without a gzip copy */
    char lastmod[MLD_TIME_HTTP_LEN + 1]; /* HTTP date or "" */
    struct MHD_Response *mr_plain;       /* built by finish(); never NULL after it */
    struct MHD_Response *mr_gzip;        /* NULL when there is no gzip copy */
    struct MHD_Response *mr_304;         /* NULL unless status 200 with a validator */
    struct MHD_Response *mr_304_gz;      /* the same for the gzip copy, or NULL */
    struct mld_http_stream *stream;      /* a streaming response's body, or NULL */
};

/* Responses alive in the process, for tests (leaks, cache refcounts). */
static atomic_long live_resps;

/* Response building --------------------------------------------------- */

struct mld_http_resp *
mld_http_resp_new(int status, const char *content_type, const void *body, size_t body_len,
                  mld_time_t last_modified)
{
    struct mld_http_resp *r = MLD_NEW(struct mld_http_resp);
    atomic_init(&r->refs, 1);
    atomic_init(&r->gz_state, GZ_NONE);
    pthread_mutex_init(&r->gz_lock, NULL);
    r->status = status;
    r->last_modified = last_modified;
    r->content_type = mld_strdup(content_type);
    r->body = mld_malloc(body_len + 1);
    if (body_len > 0)
        memcpy(r->body, body, body_len);
    r->body[body_len] = '\0';
    r->body_len = body_len;
    atomic_fetch_add_explicit(&live_resps, 1, memory_order_relaxed);
    return r;
}

/* True when s holds no CR, LF or other control byte but TAB, so it can go
 * into a header line without splitting it. */
static bool
header_text_ok(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* True when s is a non-empty header name token. */
static bool
header_name_ok(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == ':')
            return false;
    }
    return true;
}

void
mld_http_resp_header(struct mld_http_resp *r, const char *name, const char *value)
{
    if (r->finished) {
        mld_log_error("http: header %s added to a finished response (ignored)", name);
        return;
    }
    if (!header_name_ok(name) || !header_text_ok(value)) {
        mld_log_error("http: invalid response header %s (ignored)", name);
        return;
    }
    if (r->nhdrs == r->hdrs_cap) {
        r->hdrs_cap = r->hdrs_cap ? r->hdrs_cap * 2 : 4;
        r->hdrs = mld_reallocarray(r->hdrs, r->hdrs_cap, sizeof(*r->hdrs));
    }
    r->hdrs[r->nhdrs].name = mld_strdup(name);
    r->hdrs[r->nhdrs].value = mld_strdup(value);
    r->nhdrs++;
}

/* zlib allocates through meldung's wrappers like everything else. */
static voidpf
zalloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mld_reallocarray(NULL, items, size);
}

static void
zfree(voidpf opaque, voidpf p)
{
    (void)opaque;
    mld_free(p);
}

/* True when r's body is worth a gzip copy (by size: whether the copy
 * saves bytes shows when it is made). */
static bool
gzip_worth(const struct mld_http_resp *r)
{
    return r->body_len >= GZIP_MIN_BYTES && r->body_len <= UINT32_MAX / 2;
}

/* Makes r's gzip copy, unless it would not be smaller than the body. */
static void
make_gzip(struct mld_http_resp *r)
{
    if (!gzip_worth(r))
        return;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zalloc;
    zs.zfree = zfree;
    /* The window fitted to the body (at least 512 bytes, at most zlib's
     * 32 KB): a larger one finds no further match in a body it already
     * covers, but its buffers are allocated and cleared per page. For an
     * 8 KB article page this halves the CPU time (level 6: 128 -> 61 us,
     * thread CPU time, same bytes out: 2,609 -> 2,608); bench/README.md,
     * "crawl". +16 asks for the gzip wrapper instead of zlib's. */
    int wbits = 9;
    while (wbits < 15 && ((size_t)1 << wbits) < r->body_len)
        wbits++;
    if (deflateInit2(&zs, GZIP_LEVEL, Z_DEFLATED, wbits + 16, wbits <= 13 ? 7 : 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        mld_log_warn("http: deflateInit2 failed; serving without gzip");
        return;
    }
    uLong bound = deflateBound(&zs, (uLong)r->body_len);
    char *out = mld_malloc(bound);
    zs.next_in = (Bytef *)r->body;
    zs.avail_in = (uInt)r->body_len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = (size_t)zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END || n >= r->body_len) {
        mld_free(out);
        return;
    }
    r->gz = mld_realloc(out, n);
    r->gz_len = n;
}

/* Returns the value of the first header called name (case-insensitive)
 * that the handler added to r, or NULL. */
static const char *
find_header(const struct mld_http_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nhdrs; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0)
            return r->hdrs[i].value;
    return NULL;
}

/* True for the handler headers a 304 repeats (RFC 9110 15.4.5: the ones
 * that a 200 would have carried and that caches update). */
static bool
header_goes_on_304(const char *name)
{
    return strcasecmp(name, "Cache-Control") == 0 || strcasecmp(name, "Expires") == 0 ||
           strcasecmp(name, "Vary") == 0 || strcasecmp(name, "Content-Location") == 0 ||
           /* api: a cross-origin revalidation reads the 304 under CORS */
           strncasecmp(name, "Access-Control-", 15) == 0;
}

/* Adds one header to an MHD response; logs when MHD refuses it. */
static void
add_mhd_header(struct MHD_Response *mr, const char *name, const char *value)
{
    if (MHD_add_response_header(mr, name, value) != MHD_YES)
        mld_log_warn("http: libmicrohttpd refused header %s", name);
}

/* The site's default headers (mld_http_set_default_headers), or NULL. */
static _Atomic(const struct mld_http_default_header *) default_headers;

/* True when name is one of the default headers: security headers, which
 * a 304 carries too, since it replaces the headers a browser applies. */
static bool
is_default_header(const char *name)
{
    for (const struct mld_http_default_header *v = atomic_load(&default_headers);
         v != NULL && v->name != NULL; v++)
        if (strcasecmp(v->name, name) == 0)
            return true;
    return false;
}

/* Builds one MHD_Response over buf[0..len) with r's headers. kind: 0
 * plain, 1 gzip, 2 the bodiless 304, 3 the bodiless 304 of the gzip copy. */
static struct MHD_Response *
build_mhd(const struct mld_http_resp *r, char *buf, size_t len, int kind)
{
    struct MHD_Response *mr = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_PERSISTENT);
    if (mr == NULL) {
        mld_log_error("http: MHD_create_response_from_buffer failed");
        abort();
    }
    bool is_304 = kind >= 2, gzipped = kind == 1 || kind == 3;
    if (!is_304 && r->content_type != NULL)
        add_mhd_header(mr, "Content-Type", r->content_type);
    if (kind == 1)
        add_mhd_header(mr, "Content-Encoding", "gzip");
    if (r->etag[0] != '\0')
        add_mhd_header(mr, "ETag", gzipped ? r->etag_gz : r->etag);
    if (r->lastmod[0] != '\0')
        add_mhd_header(mr, "Last-Modified", r->lastmod);
    /* Every variant says it depends on Accept-Encoding, the plain one too,
     * or a shared cache could hand the gzip bytes to a client that did not
     * ask for them. */
    if (r->vary)
        add_mhd_header(mr, "Vary", "Accept-Encoding");
    for (size_t i = 0; i < r->nhdrs; i++) {
        if (is_304 && !header_goes_on_304(r->hdrs[i].name) && !is_default_header(r->hdrs[i].name))
            continue;
        add_mhd_header(mr, r->hdrs[i].name, r->hdrs[i].value);
    }
    return mr;
}

/* Builds the gzip variants of r once its copy is made, and marks it
 * ready (a release store: see the opening comment). */
static void
build_gzip_mhd(struct mld_http_resp *r)
{
    r->mr_gzip = build_mhd(r, r->gz, r->gz_len, 1);
    if (r->mr_304 != NULL)
        r->mr_304_gz = build_mhd(r, r->body, 0, 3);
    atomic_store_explicit(&r->gz_state, GZ_READY, memory_order_release);
}

/* True when r has a gzip copy to send, making a pending one first. */
static bool
gzip_ready(struct mld_http_resp *r)
{
    int st = atomic_load_explicit(&r->gz_state, memory_order_acquire);
    if (st != GZ_PENDING)
        return st == GZ_READY;
    pthread_mutex_lock(&r->gz_lock);
    if (atomic_load_explicit(&r->gz_state, memory_order_relaxed) == GZ_PENDING) {
        make_gzip(r);
        if (r->gz != NULL)
            build_gzip_mhd(r);
        else /* not smaller: the plain copy for everyone (Vary stays, harmless) */
            atomic_store_explicit(&r->gz_state, GZ_NONE, memory_order_release);
    }
    st = atomic_load_explicit(&r->gz_state, memory_order_relaxed);
    pthread_mutex_unlock(&r->gz_lock);
    return st == GZ_READY;
}

void
mld_http_set_default_headers(const struct mld_http_default_header *v)
{
    atomic_store(&default_headers, v);
}

/* Adds the default headers that apply to r and that its handler did not
 * add itself. */
static void
add_default_headers(struct mld_http_resp *r)
{
    const struct mld_http_default_header *v = atomic_load(&default_headers);
    for (; v != NULL && v->name != NULL; v++) {
        if (v->type_prefix != NULL &&
            (r->content_type == NULL ||
             strncasecmp(r->content_type, v->type_prefix, strlen(v->type_prefix)) != 0))
            continue;
        if (find_header(r, v->name) == NULL)
            mld_http_resp_header(r, v->name, v->value);
    }
}

struct mld_http_resp *
mld_http_resp_finish(struct mld_http_resp *r, unsigned flags)
{
    if (r->finished)
        return r;
    add_default_headers(r);
    if (r->stream != NULL) /* built per request: see answer_stream() */
        flags = 0;
    if (flags & MLD_HTTP_ETAG) {
        XXH64_hash_t h = XXH3_64bits(r->body, r->body_len);
        snprintf(r->etag, sizeof(r->etag), "\"%016" PRIx64 "\"", (uint64_t)h);
    }
    if (r->last_modified != 0)
        mld_time_format_http(r->last_modified, r->lastmod);
    if (flags & MLD_HTTP_GZIP_LAZY) {
        if (gzip_worth(r))
            atomic_store_explicit(&r->gz_state, GZ_PENDING, memory_order_relaxed);
    } else if (flags & MLD_HTTP_GZIP) {
        make_gzip(r);
    }
    r->vary = r->gz != NULL || atomic_load_explicit(&r->gz_state, memory_order_relaxed) != GZ_NONE;
    if (r->vary && r->etag[0] != '\0')
        snprintf(r->etag_gz, sizeof(r->etag_gz), "%.*s-gz\"", ETAG_LEN - 1, r->etag);
    if (r->stream == NULL)
        r->mr_plain = build_mhd(r, r->body, r->body_len, 0);
    if (r->stream == NULL && r->status == 200 && (r->etag[0] != '\0' || r->lastmod[0] != '\0'))
        r->mr_304 = build_mhd(r, r->body, 0, 2);
    if (r->gz != NULL)
        build_gzip_mhd(r);
    /* The release pairs with the acquire in unref and with the lock or
     * queue that hands r to another thread. */
    atomic_thread_fence(memory_order_release);
    r->finished = true;
    return r;
}

struct mld_http_resp *
mld_http_resp_ref(struct mld_http_resp *r)
{
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void
mld_http_resp_unref(struct mld_http_resp *r)
{
    if (r == NULL)
        return;
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (r->mr_plain != NULL)
        MHD_destroy_response(r->mr_plain);
    if (r->mr_gzip != NULL)
        MHD_destroy_response(r->mr_gzip);
    if (r->mr_304 != NULL)
        MHD_destroy_response(r->mr_304);
    if (r->mr_304_gz != NULL)
        MHD_destroy_response(r->mr_304_gz);
    for (size_t i = 0; i < r->nhdrs; i++) {
        mld_free(r->hdrs[i].name);
        mld_free(r->hdrs[i].value);
    }
    mld_free(r->hdrs);
    mld_free(r->content_type);
    mld_free(r->body);
    mld_free(r->gz);
    mld_http_stream_unref(r->stream);
    pthread_mutex_destroy(&r->gz_lock);
    mld_free(r);
    atomic_fetch_sub_explicit(&live_resps, 1, memory_order_relaxed);
}

int
mld_http_resp_status(const struct mld_http_resp *r)
{
    return r->status;
}

const char *
mld_http_resp_etag(const struct mld_http_resp *r)
{
    return r->etag[0] != '\0' ? r->etag : NULL;
}

size_t
mld_http_resp_body_len(const struct mld_http_resp *r)
{
    return r->body_len;
}

size_t
mld_http_resp_gzip_len(const struct mld_http_resp *r)
{
    return atomic_load_explicit(&r->gz_state, memory_order_acquire) == GZ_READY ? r->gz_len : 0;
}

size_t
mld_http_resp_held_bytes(const struct mld_http_resp *r)
{
    size_t gz = mld_http_resp_gzip_len(r);
    if (gz == 0 && atomic_load_explicit(&r->gz_state, memory_order_acquire) == GZ_PENDING)
        gz = r->body_len / 2;
    return r->body_len + gz;
}

const char *
mld_http_resp_body(const struct mld_http_resp *r)
{
    return r->body;
}

const char *
mld_http_resp_get_header(const struct mld_http_resp *r, const char *name)
{
    if (strcasecmp(name, "Content-Type") == 0)
        return r->content_type;
    if (strcasecmp(name, "ETag") == 0)
        return mld_http_resp_etag(r);
    if (strcasecmp(name, "Last-Modified") == 0)
        return r->lastmod[0] != '\0' ? r->lastmod : NULL;
    return find_header(r, name);
}

long
mld_http_resp_live(void)
{
    return atomic_load_explicit(&live_resps, memory_order_relaxed);
}

/* Request headers ------------------------------------------------------ */

/* Skips optional white space. */
static const char *
skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* True when the If-None-Match list inm matches etag ("\"...\"") under the
 * weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored, "*" matches
 * any current representation. */
static bool
etag_list_matches(const char *inm, const char *etag, size_t etag_len)
{
    const char *p = inm;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            return false;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (q == NULL)
                return false;
            size_t n = (size_t)(q - p) + 1;
            if (n == etag_len && memcmp(p, etag, n) == 0)
                return true;
            p = q + 1;
        }
        /* Skip whatever is left of a malformed member. */
        while (*p != '\0' && *p != ',')
            p++;
    }
}

/* Parses a qvalue at p ("0", "0.5", "1", "1.000"); returns thousandths,
 * or -1 when malformed. */
static int
parse_qvalue(const char *p, const char **end)
{
    int v;
    if (*p == '0')
        v = 0;
    else if (*p == '1')
        v = 1000;
    else
        return -1;
    p++;
    if (*p == '.') {
        p++;
        int scale = 100;
        for (int i = 0; i < 3 && *p >= '0' && *p <= '9'; i++, p++) {
            v += (*p - '0') * scale;
            scale /= 10;
        }
    }
    *end = p;
    return v > 1000 ? 1000 : v;
}

/* True when the Accept-Encoding value ae admits gzip (RFC 9110 12.5.3):
 * "gzip" or "x-gzip" with q > 0, or "*" with q > 0 when gzip is not
 * listed. "gzip;q=0" refuses it. */
static bool
accepts_gzip(const char *ae)
{
    int gzip_q = -1, star_q = -1;
    const char *p = ae;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *tok = p;
        while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t toklen = (size_t)(p - tok);
        int q = 1000;
        /* Parameters: only q matters; anything else is skipped. */
        for (;;) {
            p = skip_ows(p);
            if (*p != ';')
                break;
            p = skip_ows(p + 1);
            if ((*p == 'q' || *p == 'Q') && skip_ows(p + 1)[0] == '=') {
                const char *e = p;
                int v = parse_qvalue(skip_ows(skip_ows(p + 1) + 1), &e);
                q = v < 0 ? 0 : v;
                p = v < 0 ? p + 1 : e;
            }
            while (*p != '\0' && *p != ',' && *p != ';')
                p++;
        }
        if ((toklen == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
            (toklen == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
            gzip_q = gzip_q < 0 ? q : (q > gzip_q ? q : gzip_q);
        else if (toklen == 1 && tok[0] == '*')
            star_q = q;
        while (*p != '\0' && *p != ',')
            p++;
    }
    if (gzip_q >= 0)
        return gzip_q > 0;
    return star_q > 0;
}

/* True when the request's validators say the client's copy of r is
 * current. If-None-Match wins over If-Modified-Since when both are sent
 * (RFC 9110 13.2.2). */
static bool
not_modified(struct MHD_Connection *conn, const struct mld_http_resp *r, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm != NULL)
        return etag[0] != '\0' && etag_list_matches(inm, etag, strlen(etag));
    if (r->last_modified == 0)
        return false;
    const char *ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since");
    if (ims == NULL)
        return false;
    mld_time_t t;
    if (mld_time_parse_http(ims, strlen(ims), &t) != 0)
        return false;
    return r->last_modified <= t;
}

const char *
mld_http_req_header(const struct mld_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
mld_http_req_arg(const struct mld_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Server --------------------------------------------------------------- */

/* Buckets of the per-address connection counts (entries exist only for
 * addresses with connections, so at most MLD_HTTP_MAX_CONNECTIONS). */
#define CLIENT_BUCKETS 1024

struct cidr;
struct client_count;
struct conn;

struct mld_http_server {
    struct MHD_Daemon *daemon;   /* NULL until started */
    mld_http_handler_fn handler; /* the application */
    void *ud;                    /* its user data */
    int port;                    /* bound port */
    struct mld_http_resp *r400;  /* the server's own answers: bad target */
    struct mld_http_resp *r405;  /* method not allowed */
    struct mld_http_resp *r413;  /* body too large */
    struct mld_http_resp *r414;  /* path too long */
    struct mld_http_resp *r500;  /* handler bug */
    pthread_mutex_t log_lock;    /* guards last_log */
    char last_log[256];          /* last libmicrohttpd message, for start errors */
    pthread_mutex_t streams_lock;       /* guards streams and stopping; taken before
                                           any stream's own lock */
    struct mld_http_stream *streams;    /* streams being answered, linked by next/prev */
    bool stopping;                      /* stop() began: new streams end at once */
    mld_http_admit_fn admit;     /* the application's admit step, or NULL */
    struct mld_http_resp *r503;  /* a client over its connection limit */
    int64_t header_ms;           /* header deadline */
    int64_t body_ms;             /* body deadline */
    int max_per_client;          /* connections per peer, requests per forwarded client */
    struct cidr *proxies;        /* trusted proxies */
    int nproxies;                /* entries in proxies */
    pthread_mutex_t clients_lock;       /* guards clients */
    struct client_count *clients[CLIENT_BUCKETS]; /* counts by address, only those > 0 */
    pthread_mutex_t conns_lock;         /* guards conns and each conn's list links */
    pthread_cond_t sweep_wake;          /* signalled by stop() */
    struct conn *conns;                 /* every open connection, for the sweep */
    bool sweep_stop;                    /* stop() began: the sweep ends */
    bool sweep_running;                 /* the sweep thread was started */
    pthread_t sweep;                    /* the deadline sweep */
    mld_http_done_fn on_done;           /* observability: finished requests, or NULL */
    void *done_ud;                      /* its user data */
};

/* Where a connection is in its request, for the deadline sweep. */
enum phase {
    PHASE_HEADERS, /* waiting for a request's header block: header deadline */
    PHASE_BODY,    /* headers in, body being read: body deadline */
    PHASE_ANSWER,  /* handler running or answer being sent: MHD's idle timeout */
};

/* Per-connection state, reset for each request on the connection. The
 * list links, fd and swept belong to conns_lock; phase and since are
 * written by the connection's thread and read by the sweep. */
struct conn {
    struct conn *cprev, *cnext;  /* in the server's conns */
    int fd;                      /* the socket (MHD's), for the sweep's shutdown() */
    bool swept;                  /* the sweep shut the socket down */
    atomic_int phase;            /* enum phase */
    _Atomic int64_t since;       /* monotonic ms when phase began */
    char peer[INET6_ADDRSTRLEN]; /* the peer's address, as text */
    bool peer_trusted;           /* the peer is a trusted proxy */
    bool peer_counted;           /* peer holds one count in the server's clients */
    char client[INET6_ADDRSTRLEN]; /* the current request's client (peer or forwarded) */
    bool client_counted;         /* a forwarded client holds one count for this request */
    size_t max_body;             /* body bytes the current request was admitted */
    struct mld_http_resp *resp;  /* queued response, held until completion */
    enum mld_http_method method; /* of the current request */
    bool headers_seen;           /* first access-handler call done */
    bool bad_target;             /* raw target has %00 or no leading '/' */
    size_t path_len;             /* raw path bytes, before decoding */
    size_t body_len;             /* request body bytes read (kept or dropped) */
    char *body;                  /* POST body so far, NUL-terminated; NULL = none */
    size_t body_cap;             /* bytes allocated at body (> body_len when not NULL) */
    size_t body_want;            /* declared Content-Length (<= the limit), or 0 */
    char *query;                 /* raw query, NUL-terminated; NULL = "" */
    size_t query_cap;            /* bytes allocated at query */
    struct mld_http_stream *stream; /* the stream this request answers (a reference), or NULL */
    /* observability (report_done): only kept when the server has on_done */
    struct timespec started;     /* CLOCK_MONOTONIC at the request line */
    char *target;                /* raw request target, NUL-terminated; NULL = none */
    size_t target_cap;           /* bytes allocated at target */
    char method_name[16];        /* the method as sent (cut), or "" */
    char version[12];            /* "HTTP/1.1" as sent (cut), or "" */
};

static enum mld_http_method
method_of(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return MLD_HTTP_GET;
    if (strcmp(m, "HEAD") == 0)
        return MLD_HTTP_HEAD;
    if (strcmp(m, "POST") == 0)
        return MLD_HTTP_POST;
    if (strcmp(m, "OPTIONS") == 0)
        return MLD_HTTP_OPTIONS;
    return MLD_HTTP_OTHER;
}

/* Streams -------------------------------------------------------------- */

/* The block of a stream's MHD response: MHD allocates (and clears) it
 * with every stream, and fills it from the reader on HTTP/1.0 (chunked
 * bodies are read straight into the connection's pool). An event or two
 * fit; 4 KB here cost 3.5 KB more on every waiting client (bench/sse.sh). */
#define STREAM_BLOCK 512

struct mld_http_stream {
    atomic_int refs;             /* references; the last unref frees */
    pthread_mutex_t lock;        /* guards everything below */
    size_t max;                  /* most unsent bytes held */
    char *buf;                   /* unsent bytes are buf[off .. off + len) */
    size_t off, len, cap;        /* start, count and allocation of buf */
    bool ended;                  /* no more writes: closed, overflow, gone, stopping */
    bool fail;                   /* end by dropping the connection (overflow) */
    bool suspended;              /* mc waits, suspended, for bytes */
    struct MHD_Connection *mc;   /* while the request runs; NULL before and after */
    struct mld_http_server *srv; /* the server whose list holds s, or NULL */
    struct mld_http_stream *prev, *next; /* in srv->streams */
};

/* Streams alive in the process, for tests. */
static atomic_long live_streams;

struct mld_http_stream *
mld_http_stream_new(size_t max_buffered)
{
    struct mld_http_stream *st = MLD_NEW(struct mld_http_stream);
    atomic_init(&st->refs, 1);
    pthread_mutex_init(&st->lock, NULL);
    st->max = max_buffered;
    atomic_fetch_add_explicit(&live_streams, 1, memory_order_relaxed);
    return st;
}

struct mld_http_stream *
mld_http_stream_ref(struct mld_http_stream *st)
{
    atomic_fetch_add_explicit(&st->refs, 1, memory_order_relaxed);
    return st;
}

void
mld_http_stream_unref(struct mld_http_stream *st)
{
    if (st == NULL)
        return;
    if (atomic_fetch_sub_explicit(&st->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&st->lock);
    mld_free(st->buf);
    mld_free(st);
    atomic_fetch_sub_explicit(&live_streams, 1, memory_order_relaxed);
}

long
mld_http_stream_live(void)
{
    return atomic_load_explicit(&live_streams, memory_order_relaxed);
}

struct mld_http_resp *
mld_http_resp_new_stream(struct mld_http_stream *st, const char *content_type)
{
    struct mld_http_resp *r = mld_http_resp_new(200, content_type, "", 0, 0);
    r->stream = mld_http_stream_ref(st);
    return r;
}

/* Frees st's buffer; with st->lock held. */
static void
stream_drop_buf(struct mld_http_stream *st)
{
    mld_free(st->buf);
    st->buf = NULL;
    st->off = st->len = st->cap = 0;
}

/* Gets st's connection going again after st ended; with st->lock held.
 * A suspended connection is resumed (the reader then ends the body); a
 * connection with unsent bytes that must fail is shut down, so that MHD
 * sees the socket fail at once instead of waiting on a client that does
 * not read. The socket stays open (MHD closes it) until the request
 * completes, which clears st->mc first: the descriptor cannot have been
 * reused while st->mc is set. */
static void
stream_kick(struct mld_http_stream *st)
{
    if (st->mc == NULL)
        return;
    if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->mc);
        return;
    }
    if (st->fail) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(st->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci != NULL)
            shutdown(ci->connect_fd, SHUT_RDWR);
    }
}

int
mld_http_stream_write(struct mld_http_stream *st, const void *p, size_t n)
{
    pthread_mutex_lock(&st->lock);
    if (st->ended) {
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    if (n > st->max - st->len) {
        /* The client reads slower than events come: drop it rather than
         * hold more for it. */
        st->ended = true;
        st->fail = true;
        stream_drop_buf(st);
        stream_kick(st);
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    if (st->off + st->len + n > st->cap) {
        if (st->off > 0) { /* what was sent makes room first */
            memmove(st->buf, st->buf + st->off, st->len);
            st->off = 0;
        }
        if (st->len + n > st->cap) {
            size_t cap = st->cap != 0 ? st->cap : 512;
            while (cap < st->len + n)
                cap *= 2;
            st->buf = mld_realloc(st->buf, cap);
            st->cap = cap;
        }
    }
    memcpy(st->buf + st->off + st->len, p, n);
    st->len += n;
    if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->mc);
    }
    pthread_mutex_unlock(&st->lock);
    return 0;
}

void
mld_http_stream_close(struct mld_http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    if (!st->ended) {
        st->ended = true;
        stream_kick(st);
    }
    pthread_mutex_unlock(&st->lock);
}

bool
mld_http_stream_ended(struct mld_http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    bool ended = st->ended;
    pthread_mutex_unlock(&st->lock);
    return ended;
}

bool
mld_http_stream_alive(struct mld_http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    if (!st->ended && st->suspended && st->mc != NULL) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(st->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        /* A stream's client sends nothing after its request: readable
         * or hung up means it closed (a half-close counts as gone). */
        struct pollfd p = {ci != NULL ? ci->connect_fd : -1, POLLIN | POLLRDHUP, 0};
        if (p.fd >= 0 && poll(&p, 1, 0) > 0 &&
            (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) != 0) {
            st->ended = true;
            stream_kick(st);
        }
    }
    bool alive = !st->ended;
    pthread_mutex_unlock(&st->lock);
    return alive;
}

/* MHD's content reader for a stream: the buffered bytes, else the end
 * (clean, or with an error that drops the connection), else suspends the
 * connection until the next write. */
static ssize_t
stream_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct mld_http_stream *st = cls;
    pthread_mutex_lock(&st->lock);
    ssize_t ret;
    if (st->fail) {
        ret = MHD_CONTENT_READER_END_WITH_ERROR;
    } else if (st->len > 0) {
        size_t n = st->len < max ? st->len : max;
        memcpy(out, st->buf + st->off, n);
        st->off += n;
        st->len -= n;
        /* A waiting stream holds no buffer: one malloc per event and
         * client costs less than 512 bytes on every idle client. */
        if (st->len == 0)
            stream_drop_buf(st);
        ret = (ssize_t)n;
    } else if (st->ended || st->mc == NULL) {
        ret = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        /* Nothing to send: off the event loop until a write resumes it.
         * Suspending from the reader is what MHD documents for this. */
        st->suspended = true;
        MHD_suspend_connection(st->mc);
        ret = 0;
    }
    pthread_mutex_unlock(&st->lock);
    return ret;
}

/* MHD drops the response: drop the reader's reference. */
static void
stream_reader_free(void *cls)
{
    mld_http_stream_unref(cls);
}

/* The request answered by st is over: take st off the server's list and
 * end it (a later write fails, so the producer lets go). */
static void
stream_detach(struct mld_http_server *s, struct mld_http_stream *st)
{
    pthread_mutex_lock(&s->streams_lock);
    pthread_mutex_lock(&st->lock);
    if (st->srv != NULL) {
        if (st->prev != NULL)
            st->prev->next = st->next;
        else
            s->streams = st->next;
        if (st->next != NULL)
            st->next->prev = st->prev;
        st->prev = st->next = NULL;
        st->srv = NULL;
    }
    st->mc = NULL;
    st->suspended = false;
    st->ended = true;
    stream_drop_buf(st);
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_unlock(&s->streams_lock);
}

/* Queues the streaming response r (the caller's reference is handed
 * over): an MHD response of unknown length over r's stream, built for
 * this request, with r's content type and headers. */
static enum MHD_Result
answer_stream(struct mld_http_server *s, struct MHD_Connection *mc, struct conn *c,
              struct mld_http_resp *r)
{
    struct mld_http_stream *st = r->stream;
    struct MHD_Response *mr =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_reader,
                                          mld_http_stream_ref(st), stream_reader_free);
    if (mr == NULL) {
        mld_log_error("http: MHD_create_response_from_callback failed");
        mld_http_stream_unref(st);
        mld_http_resp_unref(r);
        return MHD_NO;
    }
    if (r->content_type != NULL)
        add_mhd_header(mr, "Content-Type", r->content_type);
    for (size_t i = 0; i < r->nhdrs; i++)
        add_mhd_header(mr, r->hdrs[i].name, r->hdrs[i].value);
    pthread_mutex_lock(&s->streams_lock);
    pthread_mutex_lock(&st->lock);
    st->mc = mc;
    st->srv = s;
    st->next = s->streams;
    if (s->streams != NULL)
        s->streams->prev = st;
    s->streams = st;
    if (s->stopping)
        st->ended = true;
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_unlock(&s->streams_lock);
    mld_http_resp_unref(c->resp);
    c->resp = NULL;
    c->stream = mld_http_stream_ref(st);
    enum MHD_Result ret = MHD_queue_response(mc, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    /* mr has its own copies of r's headers: a waiting stream keeps only
     * st, not r's (about 1 KB per client). */
    mld_http_resp_unref(r);
    return ret;
}

/* Ends every open stream of s (stop() is next): a suspended connection
 * is resumed so that its reader ends the body, because MHD must not be
 * stopped with suspended connections. */
static void
end_streams(struct mld_http_server *s)
{
    pthread_mutex_lock(&s->streams_lock);
    s->stopping = true;
    for (struct mld_http_stream *st = s->streams; st != NULL; st = st->next) {
        pthread_mutex_lock(&st->lock);
        st->ended = true;
        stream_kick(st);
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&s->streams_lock);
}

/* Queues r (whose reference the caller hands over) as the answer: the 304
 * variant when the validators match, else the gzip copy when the client
 * takes it, else the plain one. */
static enum MHD_Result
answer(struct mld_http_server *s, struct MHD_Connection *mc, struct conn *c,
       struct mld_http_resp *r)
{
    if (r == NULL || !r->finished) {
        mld_log_error("http: handler returned %s response; answering 500",
                      r == NULL ? "a NULL" : "an unfinished");
        mld_http_resp_unref(r);
        r = mld_http_resp_ref(s->r500);
    }
    if (r->stream != NULL)
        return answer_stream(s, mc, c, r);
    /* First the copy this client gets, then whether it already has it. */
    bool gzip = false;
    if (atomic_load_explicit(&r->gz_state, memory_order_relaxed) != GZ_NONE) {
        const char *ae = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Accept-Encoding");
        gzip = ae != NULL && accepts_gzip(ae) && gzip_ready(r);
    }
    struct MHD_Response *mr = gzip ? r->mr_gzip : r->mr_plain;
    unsigned code = (unsigned)r->status;
    if (r->mr_304 != NULL && (c->method == MLD_HTTP_GET || c->method == MLD_HTTP_HEAD) &&
        not_modified(mc, r, gzip ? r->etag_gz : r->etag)) {
        mr = gzip ? r->mr_304_gz : r->mr_304;
        code = MHD_HTTP_NOT_MODIFIED;
    }
    mld_http_resp_unref(c->resp);
    c->resp = r;
    return MHD_queue_response(mc, code, mr);
}

/* Checks what can be checked once the headers are in. Returns the
 * server's error response (a new reference) or NULL. */
static struct mld_http_resp *
check_request(struct mld_http_server *s, struct MHD_Connection *mc, struct conn *c, const char *url)
{
    if (c->method == MLD_HTTP_OTHER)
        return mld_http_resp_ref(s->r405);
    if (c->bad_target || url[0] != '/')
        return mld_http_resp_ref(s->r400);
    if (c->path_len > MLD_HTTP_MAX_PATH_BYTES || strlen(url) > MLD_HTTP_MAX_PATH_BYTES)
        return mld_http_resp_ref(s->r414);
    return NULL;
}

/* Frees the connection's body buffer. */
static void
drop_body(struct conn *c)
{
    mld_free(c->body);
    c->body = NULL;
    c->body_cap = 0;
    c->body_len = 0;
    c->body_want = 0;
}

/* Appends n bytes of a POST body to c's buffer; the caller has checked the
 * limit. The first chunk allocates what Content-Length announced, so a
 * declared body is copied once; a chunked one grows by doubling. */
static void
keep_body(struct conn *c, const char *data, size_t n)
{
    size_t need = c->body_len + n + 1;
    if (need > c->body_cap) {
        size_t cap = c->body_cap != 0 ? c->body_cap : c->body_want + 1;
        if (cap < 4096)
            cap = 4096;
        while (cap < need)
            cap *= 2;
        if (cap > c->max_body + 1)
            cap = c->max_body + 1;
        c->body = mld_realloc(c->body, cap);
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, data, n);
    c->body_len += n;
    c->body[c->body_len] = '\0';
}

/* Hardening ------------------------------------------------------------ */

/* Monotonic milliseconds, for the deadlines. */
static int64_t
mono_ms(void)
{
    return (int64_t)(mld_time_mono_s() * 1000.0);
}

/* c enters phase p now. */
static void
set_phase(struct conn *c, enum phase p)
{
    atomic_store_explicit(&c->since, mono_ms(), memory_order_relaxed);
    atomic_store_explicit(&c->phase, (int)p, memory_order_release);
}

/* An IPv4 or IPv6 address (IPv4 as its 4 bytes), with a prefix length
 * when it is a trusted_proxies block. */
struct cidr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char addr[16];  /* 4 or 16 bytes used */
    int bits;                /* prefix length; the full length for one address */
};

/* Parses an address, without brackets or port, into *a (bits: all).
 * IPv4-mapped IPv6 addresses become IPv4. Returns 0 or -1. */
static int
parse_ip(const char *p, size_t n, struct cidr *a)
{
    char buf[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, buf, a->addr) == 1) {
        a->family = AF_INET;
        a->bits = 32;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, a->addr) != 1)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a->addr, mapped, 12) == 0) {
        memmove(a->addr, a->addr + 12, 4);
        memset(a->addr + 4, 0, 12);
        a->family = AF_INET;
        a->bits = 32;
        return 0;
    }
    a->family = AF_INET6;
    a->bits = 128;
    return 0;
}

/* Writes a's address as text (INET6_ADDRSTRLEN bytes at out). */
static void
ip_text(const struct cidr *a, char *out)
{
    if (inet_ntop(a->family, a->addr, out, INET6_ADDRSTRLEN) == NULL)
        snprintf(out, INET6_ADDRSTRLEN, "?");
}

/* True when address a lies in block b. */
static bool
cidr_has(const struct cidr *b, const struct cidr *a)
{
    if (a->family != b->family)
        return false;
    int full = b->bits / 8, rest = b->bits % 8;
    if (memcmp(a->addr, b->addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned mask = (0xffu << (8 - rest)) & 0xffu;
    return (a->addr[full] & mask) == (b->addr[full] & mask);
}

/* True when a is one of s's trusted proxies. */
static bool
trusted(const struct mld_http_server *s, const struct cidr *a)
{
    for (int i = 0; i < s->nproxies; i++)
        if (cidr_has(&s->proxies[i], a))
            return true;
    return false;
}

/* Parses the trusted_proxies list v (entries separated by ',' or white
 * space: "10.0.0.1, 192.168.0.0/16, ::1") into *out (allocated, at most
 * MLD_HTTP_MAX_TRUSTED_PROXIES entries) and *n. Returns 0, or an error
 * naming the entry (*out is then freed). */
static int
parse_proxies(const char *v, struct cidr **out, int *n, struct mld_err *err)
{
    *out = NULL;
    *n = 0;
    for (const char *p = v; p != NULL && *p != '\0';) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, ", \t");
        if (len == 0)
            break;
        const char *slash = memchr(p, '/', len);
        struct cidr b;
        bool ok = *n < MLD_HTTP_MAX_TRUSTED_PROXIES &&
                  parse_ip(p, slash != NULL ? (size_t)(slash - p) : len, &b) == 0;
        if (ok && slash != NULL) {
            char *end;
            long l = strtol(slash + 1, &end, 10);
            ok = end == p + len && slash[1] >= '0' && slash[1] <= '9' && l >= 0 && l <= b.bits;
            b.bits = (int)l;
        }
        if (!ok) {
            mld_free(*out);
            *out = NULL;
            *n = 0;
            return mld_err_set(err, MLD_E_PARSE,
                               "trusted_proxies: '%.*s' is no IPv4 or IPv6 address or "
                               "ADDRESS/BITS block (at most %d entries)",
                               (int)len, p, MLD_HTTP_MAX_TRUSTED_PROXIES);
        }
        if (*out == NULL)
            *out = mld_reallocarray(NULL, MLD_HTTP_MAX_TRUSTED_PROXIES, sizeof(struct cidr));
        (*out)[(*n)++] = b;
        p += len;
    }
    return 0;
}

int
mld_http_check_proxies(const char *list, struct mld_err *err)
{
    struct cidr *v;
    int n;
    int rc = parse_proxies(list, &v, &n, err);
    mld_free(v);
    return rc;
}

/* Parses one forwarded node at p[0..n): an address, maybe quoted, an IPv6
 * one maybe in brackets, either maybe with a port ("1.2.3.4:80",
 * "[::1]:80", "\"[::1]\""). Returns 0 or -1 ("unknown", "_hidden"). */
static int
parse_node(const char *p, size_t n, struct cidr *a)
{
    while (n > 0 && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
        p++, n -= 2;
    if (n > 0 && p[0] == '[') {
        const char *close = memchr(p, ']', n);
        return close == NULL ? -1 : parse_ip(p + 1, (size_t)(close - p - 1), a);
    }
    const char *colon = memchr(p, ':', n);
    if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - p)) == NULL)
        n = (size_t)(colon - p); /* IPv4 with a port */
    return parse_ip(p, n, a);
}

/* Collects the forwarded nodes of one header value v: X-Forwarded-For
 * ("client, proxy1") or, with fwd, Forwarded ("for=client;proto=https,
 * for=proxy1"). Returns the count; nodes that do not parse are kept as
 * family 0. At most MLD_HTTP_MAX_FORWARDED_HOPS, the rightmost ones. */
static int
forwarded_nodes(const char *v, bool fwd, struct cidr *out)
{
    int n = 0;
    for (const char *p = v; *p != '\0';) {
        size_t len = strcspn(p, ",");
        const char *node = p;
        size_t nlen = len;
        if (fwd) { /* the for= parameter of this element */
            nlen = 0;
            for (const char *q = p; q < p + len;) {
                size_t plen = strcspn(q, ";,");
                if (plen > len - (size_t)(q - p))
                    plen = len - (size_t)(q - p);
                const char *t = q;
                while (*t == ' ' || *t == '\t')
                    t++;
                if (strncasecmp(t, "for=", 4) == 0) {
                    node = t + 4;
                    nlen = plen - (size_t)(node - q);
                }
                q += plen + (q[plen] == ';');
            }
        }
        struct cidr a;
        if (parse_node(node, nlen, &a) != 0)
            memset(&a, 0, sizeof(a));
        if (n == MLD_HTTP_MAX_FORWARDED_HOPS) {
            memmove(out, out + 1, (size_t)(n - 1) * sizeof(*out));
            n--;
        }
        out[n++] = a;
        p += len + (p[len] == ',');
    }
    return n;
}

/* The client behind trusted proxies: walking the forwarded nodes from the
 * right (the nearest proxy's entry is last), the first that is no trusted
 * proxy. Writes its text to out and returns true; false (out untouched)
 * when there is no usable node: none, or one that does not parse before
 * an untrusted one is found. */
static bool
forwarded_client(const struct mld_http_server *s, const char *xff, const char *fwd, char *out)
{
    struct cidr nodes[MLD_HTTP_MAX_FORWARDED_HOPS];
    int n = fwd != NULL ? forwarded_nodes(fwd, true, nodes)
                        : xff != NULL ? forwarded_nodes(xff, false, nodes) : 0;
    for (int i = n - 1; i >= 0; i--) {
        if (nodes[i].family == 0)
            return false;
        if (i == 0 || !trusted(s, &nodes[i])) {
            ip_text(&nodes[i], out);
            return true;
        }
    }
    return false;
}

/* One address's count of connections (or forwarded requests) in flight. */
struct client_count {
    struct client_count *next;   /* in its bucket */
    int n;                       /* > 0; the entry is freed at 0 */
    char key[INET6_ADDRSTRLEN];  /* address text */
};

/* key's bucket in s->clients. */
static struct client_count **
client_bucket(struct mld_http_server *s, const char *key)
{
    return &s->clients[XXH3_64bits(key, strlen(key)) % CLIENT_BUCKETS];
}

/* Adds one to key's count unless it is at limit (0: no limit). Returns
 * whether it was added. */
static bool
client_add(struct mld_http_server *s, const char *key, int limit)
{
    pthread_mutex_lock(&s->clients_lock);
    struct client_count **b = client_bucket(s, key), *e = *b;
    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->next;
    bool added = e == NULL || limit == 0 || e->n < limit;
    if (added && e != NULL) {
        e->n++;
    } else if (added) {
        e = MLD_NEW(struct client_count);
        e->n = 1;
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->next = *b;
        *b = e;
    }
    pthread_mutex_unlock(&s->clients_lock);
    return added;
}

/* Takes one from key's count. */
static void
client_del(struct mld_http_server *s, const char *key)
{
    pthread_mutex_lock(&s->clients_lock);
    struct client_count **pp = client_bucket(s, key);
    while (*pp != NULL && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    struct client_count *e = *pp;
    if (e != NULL && --e->n == 0) {
        *pp = e->next;
        mld_free(e);
    }
    pthread_mutex_unlock(&s->clients_lock);
}

/* True when key holds limit or more counts. */
static bool
client_full(struct mld_http_server *s, const char *key, int limit)
{
    pthread_mutex_lock(&s->clients_lock);
    const struct client_count *e = *client_bucket(s, key);
    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->next;
    bool full = e != NULL && e->n >= limit;
    pthread_mutex_unlock(&s->clients_lock);
    return full;
}

/* The peer address of sa as a struct cidr; false for other families. */
static bool
sockaddr_ip(const struct sockaddr *sa, struct cidr *a)
{
    memset(a, 0, sizeof(*a));
    char buf[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  sizeof(buf));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  sizeof(buf));
    else
        return false;
    return parse_ip(buf, strlen(buf), a) == 0;
}

/* MHD's accept policy: refuses a connection from a peer that already
 * holds max_per_client (trusted proxies are limited per forwarded client
 * instead, at each request). This is the cheap first check; the count is
 * taken, and the limit held exactly, when MHD reports the connection
 * started (connection_notify), where one of several accepted at the same
 * moment may still find the peer full. */
static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    struct mld_http_server *s = cls;
    struct cidr a;
    if (!sockaddr_ip(addr, &a) || trusted(s, &a))
        return MHD_YES;
    char text[INET6_ADDRSTRLEN];
    ip_text(&a, text);
    if (!client_full(s, text, s->max_per_client))
        return MHD_YES;
    mld_log_debug("http: %s holds %d connections: refused", text, s->max_per_client);
    return MHD_NO;
}

/* What the header block says about the request's framing. */
struct framing {
    int n_cl;             /* Content-Length headers */
    const char *cl;       /* the first one's value */
    bool cl_bad;          /* a value that is not digits, or two that differ */
    int n_te;             /* Transfer-Encoding headers */
    const char *te;       /* the last one's value */
    int n_host;           /* Host headers */
    bool bad_name;        /* a header name that is no token */
    const char *xff;      /* the last X-Forwarded-For */
    const char *fwd;      /* the last Forwarded */
};

/* True for the bytes of an HTTP token (RFC 9110 5.6.2). */
static bool
is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* MHD_get_connection_values callback: notes one header in a struct
 * framing (duplicates included: MHD keeps each line). */
static enum MHD_Result
framing_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (key[0] == '\0')
        f->bad_name = true;
    for (const char *p = key; *p != '\0'; p++)
        if (!is_tchar((unsigned char)*p))
            f->bad_name = true;
    if (value == NULL)
        value = "";
    if (strcasecmp(key, "Content-Length") == 0) {
        if (value[0] == '\0' || value[strspn(value, "0123456789")] != '\0')
            f->cl_bad = true;
        else if (f->n_cl > 0 && strcmp(f->cl, value) != 0)
            f->cl_bad = true;
        if (f->n_cl++ == 0)
            f->cl = value;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->n_te++;
        f->te = value;
    } else if (strcasecmp(key, "Host") == 0) {
        f->n_host++;
    } else if (strcasecmp(key, "X-Forwarded-For") == 0) {
        f->xff = value;
    } else if (strcasecmp(key, "Forwarded") == 0) {
        f->fwd = value;
    }
    return MHD_YES;
}

/* Checks the request's framing once its headers are in, so that no
 * front proxy and meldung can disagree on where a request ends (request
 * smuggling): Content-Length with Transfer-Encoding, a repeated or
 * non-numeric Content-Length, a Transfer-Encoding other than one
 * "chunked" (or any on HTTP/1.0), a header name that is no token (a space
 * before the colon), HTTP/1.1 without exactly one Host. Fills *f; returns
 * a reason for the 400, or NULL. */
static const char *
bad_framing(struct MHD_Connection *mc, const char *version, struct framing *f)
{
    memset(f, 0, sizeof(*f));
    MHD_get_connection_values(mc, MHD_HEADER_KIND, framing_header, f);
    bool http11 = strcmp(version, "HTTP/1.0") != 0;
    if (f->bad_name)
        return "a header name that is no token";
    if (f->n_cl > 0 && f->n_te > 0)
        return "Content-Length with Transfer-Encoding";
    if (f->cl_bad || f->n_cl > 1)
        return "a malformed or repeated Content-Length";
    if (f->n_te > 1 || (f->n_te == 1 && (!http11 || strcasecmp(f->te, "chunked") != 0)))
        return "a Transfer-Encoding other than chunked";
    if (f->n_host > 1 || (http11 && f->n_host == 0))
        return "HTTP/1.1 wants exactly one Host header";
    return NULL;
}

/* Settles the request's client: the peer, or behind a trusted proxy the
 * forwarded one, which then holds one of its max_per_client requests in
 * flight until the request completes. Returns the 503 when it holds all
 * of them already, else NULL. */
static struct mld_http_resp *
settle_client(struct mld_http_server *s, struct conn *c, const struct framing *f)
{
    memcpy(c->client, c->peer, sizeof(c->client));
    if (!c->peer_trusted || !forwarded_client(s, f->xff, f->fwd, c->client))
        return NULL;
    if (!client_add(s, c->client, s->max_per_client)) {
        mld_log_debug("http: %s (via %s) has %d requests in flight: 503", c->client, c->peer,
                      s->max_per_client);
        return mld_http_resp_ref(s->r503);
    }
    c->client_counted = true;
    return NULL;
}

/* The admit step: asks the application (or applies the default) whether
 * the route takes the request's body, and how much. Returns an answer to
 * send now, or NULL with c->max_body set. */
static struct mld_http_resp *
admit_request(struct mld_http_server *s, struct MHD_Connection *mc, struct conn *c,
              const char *url, const struct framing *f)
{
    unsigned long long declared = 0;
    if (f->cl != NULL) {
        errno = 0;
        declared = strtoull(f->cl, NULL, 10);
        if (errno != 0)
            declared = ULLONG_MAX;
    }
    bool has_body = declared > 0 || f->n_te > 0;
    struct mld_http_admit a = {0};
    if (s->admit != NULL) {
        struct mld_http_req req = {
            .method = c->method,
            .path = url,
            .query = c->query != NULL ? c->query : "",
            .body = "",
            .client = c->client,
            .conn = mc,
        };
        s->admit(s->ud, &req, &a);
    } else if (c->method == MLD_HTTP_POST) {
        a.max_body = MLD_HTTP_MAX_BODY_BYTES;
    }
    if (a.resp != NULL)
        return a.resp;
    if (a.max_body > MLD_HTTP_MAX_BODY_BYTES)
        a.max_body = MLD_HTTP_MAX_BODY_BYTES;
    c->max_body = a.max_body;
    if (!has_body)
        return NULL;
    if (a.max_body == 0)
        return mld_http_resp_ref(c->method == MLD_HTTP_POST ? s->r405 : s->r413);
    if (declared > a.max_body)
        return mld_http_resp_ref(s->r413);
    c->body_want = (size_t)declared;
    return NULL;
}

size_t
mld_http_body_limit(const struct mld_http_body_route *table, const char *path)
{
    for (; table != NULL && table->path != NULL; table++) {
        size_t n = strlen(table->path);
        bool prefix = n > 0 && table->path[n - 1] == '/';
        if (prefix ? strncmp(path, table->path, n) == 0 : strcmp(path, table->path) == 0)
            return table->max_body;
    }
    return 0;
}

/* The deadline sweep: every MLD_HTTP_SWEEP_MS, shuts down the socket of
 * each connection whose headers are not in header_ms after it opened or
 * was last answered, or whose admitted body is not in body_ms after its
 * headers. MHD's own timeout is reset by every byte, so it cannot stop a
 * client that trickles; shutdown() makes MHD see the socket end and
 * close the connection at once. The socket cannot be closed under us:
 * MHD reports a connection closed (which takes it off conns, under
 * conns_lock) before it closes the descriptor. */
static void *
sweep_main(void *arg)
{
    struct mld_http_server *s = arg;
    pthread_mutex_lock(&s->conns_lock);
    while (!s->sweep_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += MLD_HTTP_SWEEP_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->sweep_wake, &s->conns_lock, &ts);
        int64_t now = mono_ms();
        int closed = 0;
        for (struct conn *c = s->conns; c != NULL; c = c->cnext) {
            int ph = atomic_load_explicit(&c->phase, memory_order_acquire);
            int64_t since = atomic_load_explicit(&c->since, memory_order_relaxed);
            int64_t limit = ph == PHASE_HEADERS ? s->header_ms
                            : ph == PHASE_BODY  ? s->body_ms
                                                : 0;
            if (c->swept || limit == 0 || now - since <= limit)
                continue;
            shutdown(c->fd, SHUT_RDWR);
            c->swept = true;
            closed++;
        }
        if (closed > 0)
            mld_log_debug("http: closed %d connection(s) past the header or body deadline",
                          closed);
    }
    pthread_mutex_unlock(&s->conns_lock);
    return NULL;
}

/* Observability ---------------------------------------------------------- */

/* Writes the peer address of mc to out (size bytes), or "-". */
static void
peer_text(struct MHD_Connection *mc, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
    const char *ok = NULL;
    if (sa != NULL && sa->sa_family == AF_INET)
        ok = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                       (socklen_t)size);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        ok = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                       out, (socklen_t)size);
    if (ok == NULL)
        snprintf(out, size, "-");
}

void
mld_http_req_peer(const struct mld_http_req *req, char *out, size_t size)
{
    peer_text(req->conn, out, size);
}

/* A request line arrived: notes the time and, for the access log, the
 * raw target (the path MHD hands on is decoded in place). */
static void
note_start(struct mld_http_server *s, struct conn *c, const char *uri)
{
    c->method_name[0] = '\0';
    c->version[0] = '\0';
    if (s->on_done == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    size_t n = strlen(uri);
    if (n + 1 > c->target_cap) {
        mld_free(c->target);
        c->target_cap = n + 1;
        c->target = mld_malloc(c->target_cap);
    }
    memcpy(c->target, uri, n + 1);
}

/* Hands the server's on_done what the request c on mc came to: the
 * status MHD queued, the body bytes of the copy answer() chose (the
 * same Accept-Encoding decision again), the time it took. */
static void
report_done(struct mld_http_server *s, struct MHD_Connection *mc, struct conn *c, bool ok)
{
    if (s->on_done == NULL)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_HTTP_STATUS);
    int status = ci != NULL ? (int)ci->http_status : 0;
    int64_t bytes = -1;
    const struct mld_http_resp *r = c->resp;
    /* method_name, not c->method: MHD may answer (431) before the
     * access handler saw this request's method. */
    if (status == MHD_HTTP_NOT_MODIFIED || strcmp(c->method_name, "HEAD") == 0) {
        bytes = 0;
    } else if (r != NULL && r->stream == NULL) {
        const char *ae = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Accept-Encoding");
        bytes = (int64_t)(r->mr_gzip != NULL && ae != NULL && accepts_gzip(ae) ? r->gz_len
                                                                                : r->body_len);
    }
    struct mld_http_done d = {
        .client = c->client[0] != '\0' ? c->client : "-", /* as mld_http_req.client */
        .method = c->method_name[0] != '\0' ? c->method_name : "-",
        .target = c->target != NULL && c->target[0] != '\0' ? c->target : "-",
        .version = c->version[0] != '\0' ? c->version : "-",
        .referer = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Referer"),
        .user_agent = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "User-Agent"),
        .status = status,
        .bytes = bytes,
        .duration_us = (int64_t)(now.tv_sec - c->started.tv_sec) * 1000000 +
                       (now.tv_nsec - c->started.tv_nsec) / 1000,
        .completed = ok,
    };
    s->on_done(s->done_ud, &d);
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **req_cls)
{
    struct mld_http_server *s = cls;
    struct conn *c = *req_cls;
    if (c == NULL) {
        /* Not seen by the URI-log callback: should not happen; use the
         * connection's context and assume a well-formed target. */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (ci == NULL || ci->socket_context == NULL)
            return MHD_NO;
        c = ci->socket_context;
        *req_cls = c;
    }
    if (!c->headers_seen) {
        c->headers_seen = true;
        c->method = method_of(method);
        set_phase(c, PHASE_BODY);
        snprintf(c->method_name, sizeof(c->method_name), "%s", method); /* observability */
        snprintf(c->version, sizeof(c->version), "%s", version);
        /* Everything the server refuses is refused now, before a byte of
         * the body is read; an answer queued in this first call makes MHD
         * close the connection after it, so nothing the client sent after
         * the headers can be taken for a second request. */
        struct framing f;
        const char *why = bad_framing(mc, version, &f);
        struct mld_http_resp *now = check_request(s, mc, c, url);
        if (now == NULL && why != NULL) {
            mld_log_debug("http: %s %s from %s: %s: 400", method, url, c->peer, why);
            now = mld_http_resp_ref(s->r400);
        }
        if (now == NULL)
            now = settle_client(s, c, &f);
        if (now == NULL)
            now = admit_request(s, mc, c, url, &f);
        if (now != NULL) {
            set_phase(c, PHASE_ANSWER);
            return answer(s, mc, c, now);
        }
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        /* A chunked body that grows past the admitted size ends the
         * connection (MHD 0.9.75 cannot queue a response in the middle
         * of an upload); a declared one was checked at the headers. */
        if (*upload_data_size > c->max_body - c->body_len)
            return MHD_NO;
        keep_body(c, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    set_phase(c, PHASE_ANSWER);
    struct mld_http_req req = {
        .method = c->method,
        .path = url,
        .query = c->query != NULL ? c->query : "",
        .body = c->body != NULL ? c->body : "",
        .body_len = c->body != NULL ? c->body_len : 0,
        .client = c->client,
        .conn = mc,
    };
    return answer(s, mc, c, s->handler(s->ud, &req));
}

/* Called with the raw request target before MHD decodes it: measures the
 * path, spots %00 and copies the query. Returns the connection context,
 * which MHD hands to the access handler as *req_cls. */
static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (ci == NULL || ci->socket_context == NULL)
        return NULL;
    struct conn *c = ci->socket_context;
    note_start(cls, c, uri);
    mld_http_resp_unref(c->resp);
    c->resp = NULL;
    c->headers_seen = false;
    drop_body(c);
    const char *q = strchr(uri, '?');
    c->path_len = q != NULL ? (size_t)(q - uri) : strlen(uri);
    /* A decoded NUL would cut the path short behind the handler's back. */
    c->bad_target = uri[0] != '/';
    for (const char *p = memchr(uri, '%', c->path_len); p != NULL;
         p = memchr(p + 1, '%', c->path_len - (size_t)(p + 1 - uri)))
        if (p + 2 < uri + c->path_len && p[1] == '0' && p[2] == '0')
            c->bad_target = true;
    if (q != NULL && q[1] != '\0') {
        size_t n = strlen(q + 1);
        if (n + 1 > c->query_cap) {
            mld_free(c->query);
            c->query_cap = n + 1;
            c->query = mld_malloc(c->query_cap);
        }
        memcpy(c->query, q + 1, n + 1);
    } else if (c->query != NULL) {
        c->query[0] = '\0';
    }
    return c;
}

/* A request is over (sent, or failed): drop its response reference and
 * its forwarded client's count; the next request's header deadline runs
 * from now. */
static void
request_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
                  enum MHD_RequestTerminationCode toe)
{
    struct mld_http_server *s = cls;
    struct conn *c = *req_cls;
    if (c == NULL)
        return;
    report_done(s, mc, c, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    if (c->stream != NULL) {
        stream_detach(s, c->stream);
        mld_http_stream_unref(c->stream);
        c->stream = NULL;
    }
    mld_http_resp_unref(c->resp);
    c->resp = NULL;
    if (c->client_counted) {
        client_del(s, c->client);
        c->client_counted = false;
    }
    c->max_body = 0;
    set_phase(c, PHASE_HEADERS);
    /* A body can be 16 MB: do not keep it for the connection's next
     * request, which is most likely a GET. */
    drop_body(c);
}

/* Makes the per-connection context when MHD accepts a socket, frees it
 * when MHD closes it. */
static void
connection_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
                  enum MHD_ConnectionNotificationCode toe)
{
    struct mld_http_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn *c = MLD_NEW(struct conn);
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        struct cidr a;
        c->fd = fi != NULL ? fi->connect_fd : -1;
        if (ai != NULL && sockaddr_ip(ai->client_addr, &a)) {
            ip_text(&a, c->peer);
            c->peer_trusted = trusted(s, &a);
        } else {
            snprintf(c->peer, sizeof(c->peer), "unknown");
        }
        memcpy(c->client, c->peer, sizeof(c->client));
        if (!c->peer_trusted && c->fd >= 0 &&
            !(c->peer_counted = client_add(s, c->peer, s->max_per_client))) {
            /* Accepted together with others from the same peer, after the
             * accept policy looked: shut the socket, MHD closes it at once
             * (no answer, as the accept policy gives none). */
            mld_log_debug("http: %s holds %d connections: closed", c->peer, s->max_per_client);
            shutdown(c->fd, SHUT_RDWR);
        }
        set_phase(c, PHASE_HEADERS);
        pthread_mutex_lock(&s->conns_lock);
        c->cnext = s->conns;
        if (s->conns != NULL)
            s->conns->cprev = c;
        s->conns = c;
        pthread_mutex_unlock(&s->conns_lock);
        *socket_context = c;
        return;
    }
    struct conn *c = *socket_context;
    if (c == NULL)
        return;
    pthread_mutex_lock(&s->conns_lock);
    if (c->cprev != NULL)
        c->cprev->cnext = c->cnext;
    else
        s->conns = c->cnext;
    if (c->cnext != NULL)
        c->cnext->cprev = c->cprev;
    pthread_mutex_unlock(&s->conns_lock);
    if (c->stream != NULL) {
        stream_detach(s, c->stream);
        mld_http_stream_unref(c->stream);
    }
    if (c->client_counted)
        client_del(s, c->client);
    if (c->peer_counted)
        client_del(s, c->peer);
    mld_http_resp_unref(c->resp);
    mld_free(c->query);
    mld_free(c->body);
    mld_free(c->target);
    mld_free(c);
    *socket_context = NULL;
}

/* libmicrohttpd's error log goes to meldung's log, one line per message. */
static void __attribute__((format(printf, 2, 0))) mhd_logger(void *cls, const char *fmt, va_list ap)
{
    struct mld_http_server *s = cls;
    char line[256];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    pthread_mutex_lock(&s->log_lock);
    memcpy(s->last_log, line, n + 1);
    pthread_mutex_unlock(&s->log_lock);
    /* A client that leaves while its answer is sent (a live stream's
     * client closing its tab, most often), or one cut off by a deadline
     * in the middle of its request, is no fault of the server. */
    if (strncmp(line, "Failed to send", 14) == 0 ||
        strncmp(line, "Connection was closed by remote side", 36) == 0)
        mld_log_debug("http: %s", line);
    else
        mld_log_warn("http: %s", line);
}

struct mld_http_resp *
mld_http_resp_text(int status, const char *text, const char *allow)
{
    struct mld_http_resp *r =
        mld_http_resp_new(status, "text/plain; charset=utf-8", text, strlen(text), 0);
    mld_http_resp_header(r, "Cache-Control", "no-store");
    if (allow != NULL)
        mld_http_resp_header(r, "Allow", allow);
    return mld_http_resp_finish(r, 0);
}

/* Lifts the soft limit on open files towards the hard one, so that
 * MLD_HTTP_MAX_CONNECTIONS sockets fit (the usual soft default is 1024). */
static void
raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = MLD_HTTP_MAX_CONNECTIONS + 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        mld_log_warn("http: cannot raise the open-file limit: %s", strerror(errno));
    else if (rl.rlim_cur < want)
        mld_log_warn("http: open-file limit %lu is below %lu connections",
                     (unsigned long)rl.rlim_cur, (unsigned long)MLD_HTTP_MAX_CONNECTIONS);
}

static void
free_server(struct mld_http_server *s)
{
    mld_http_resp_unref(s->r400);
    mld_http_resp_unref(s->r405);
    mld_http_resp_unref(s->r413);
    mld_http_resp_unref(s->r414);
    mld_http_resp_unref(s->r500);
    mld_http_resp_unref(s->r503);
    for (int i = 0; i < CLIENT_BUCKETS; i++)
        while (s->clients[i] != NULL) {
            struct client_count *e = s->clients[i];
            s->clients[i] = e->next;
            mld_free(e);
        }
    mld_free(s->proxies);
    pthread_mutex_destroy(&s->log_lock);
    pthread_mutex_destroy(&s->streams_lock);
    pthread_mutex_destroy(&s->clients_lock);
    pthread_mutex_destroy(&s->conns_lock);
    pthread_cond_destroy(&s->sweep_wake);
    mld_free(s);
}

int
mld_http_server_start(struct mld_http_server **out, const struct mld_http_config *cfg,
                      mld_http_handler_fn handler, void *ud, struct mld_err *err)
{
    *out = NULL;
    const char *host = cfg->host != NULL && cfg->host[0] != '\0' ? cfg->host : NULL;
    if (cfg->port < 0 || cfg->port > 65535 || cfg->threads < 0 || handler == NULL)
        return mld_err_set(err, MLD_E_INVAL, "http: bad configuration (port %d, threads %d)",
                           cfg->port, cfg->threads);

    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", cfg->port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    /* No host: every IPv4 address (bind "::" for IPv6 and IPv4 both). */
    hints.ai_family = host != NULL ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai != 0)
        return mld_err_set(err, MLD_E_HTTP, "http: cannot resolve %s: %s", host ? host : "(any)",
                           gai_strerror(gai));

    unsigned threads = (unsigned)cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }

    struct mld_http_server *s = MLD_NEW(struct mld_http_server);
    s->handler = handler;
    s->ud = ud;
    s->admit = cfg->admit;
    s->header_ms = 1000LL * (cfg->header_secs > 0 ? cfg->header_secs : MLD_HTTP_HEADER_TIMEOUT_SECS);
    s->body_ms = 1000LL * (cfg->body_secs > 0 ? cfg->body_secs : MLD_HTTP_BODY_TIMEOUT_SECS);
    s->max_per_client = cfg->max_per_client > 0 ? cfg->max_per_client : MLD_HTTP_MAX_PER_IP;
    s->on_done = cfg->on_done;
    s->done_ud = cfg->done_ud;
    pthread_mutex_init(&s->log_lock, NULL);
    pthread_mutex_init(&s->streams_lock, NULL);
    pthread_mutex_init(&s->clients_lock, NULL);
    pthread_mutex_init(&s->conns_lock, NULL);
    pthread_cond_init(&s->sweep_wake, NULL);
    if (parse_proxies(cfg->trusted_proxies, &s->proxies, &s->nproxies, err) != 0) {
        freeaddrinfo(ai);
        free_server(s);
        return MLD_E_INVAL;
    }
    s->r400 = mld_http_resp_text(400, "Bad Request\n", NULL);
    s->r405 = mld_http_resp_text(405, "Method Not Allowed\n", "GET, HEAD");
    s->r413 = mld_http_resp_text(413, "Content Too Large\n", NULL);
    s->r414 = mld_http_resp_text(414, "URI Too Long\n", NULL);
    s->r500 = mld_http_resp_text(500, "Internal Server Error\n", NULL);
    static const char busy_text[] = "Service Unavailable: too many requests from one client\n";
    struct mld_http_resp *busy = mld_http_resp_new(503, "text/plain; charset=utf-8", busy_text,
                                                   sizeof(busy_text) - 1, 0);
    mld_http_resp_header(busy, "Cache-Control", "no-store");
    mld_http_resp_header(busy, "Retry-After", "1");
    s->r503 = mld_http_resp_finish(busy, 0);

    /* Suspend/resume: streams wait for bytes off the event loop. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ai->ai_addr;
        bool any = memcmp(&a6->sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0;
        flags |= any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    }
    raise_fd_limit();
    /* The pool is 2 x the header limit: MHD keeps the request's header
     * block and its parsed header list in it, then the response header
     * block, so a request header block up to about the limit fits. Larger
     * ones get MHD's own 431/414. */
    size_t pool = 2 * (size_t)MLD_HTTP_MAX_HEADER_BYTES;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, MLD_HTTP_TIMEOUT_SECS, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, MLD_HTTP_MAX_CONNECTIONS, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)pool, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logger, s},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, s},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_notify, s},
        /* Must stay last: dropped (turned into the end) for one thread. */
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (threads < 2)
        opts[sizeof(opts) / sizeof(opts[0]) - 2].option = MHD_OPTION_END;
    /* The logger goes first, or MHD prints what comes before it itself. */
    s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, accept_policy, s, access_handler, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    int saved = errno;
    freeaddrinfo(ai);
    if (s->daemon == NULL) {
        mld_err_set(err, MLD_E_HTTP, "http: cannot listen on %s:%d: %s", host ? host : "*",
                    cfg->port, s->last_log[0] != '\0' ? s->last_log : strerror(saved));
        free_server(s);
        return MLD_E_HTTP;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL && di->port != 0 ? di->port : cfg->port;
    int prc = pthread_create(&s->sweep, NULL, sweep_main, s);
    if (prc != 0) {
        MHD_stop_daemon(s->daemon);
        free_server(s);
        return mld_err_set(err, MLD_E_HTTP, "http: cannot start the deadline sweep: %s",
                           strerror(prc));
    }
    s->sweep_running = true;
    *out = s;
    return 0;
}

int
mld_http_server_port(const struct mld_http_server *s)
{
    return s->port;
}

void
mld_http_server_stop(struct mld_http_server *s)
{
    if (s == NULL)
        return;
    if (s->sweep_running) {
        pthread_mutex_lock(&s->conns_lock);
        s->sweep_stop = true;
        pthread_cond_signal(&s->sweep_wake);
        pthread_mutex_unlock(&s->conns_lock);
        pthread_join(s->sweep, NULL);
    }
    end_streams(s);
    MHD_stop_daemon(s->daemon);
    free_server(s);
}
