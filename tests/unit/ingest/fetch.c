/*
 * Tests for fetch.c: one GET against a server on 127.0.0.1 inside the
 * test (meldung's own http.h server, whose handler is below): conditional
 * headers and 304, gzip, redirects (followed, looped, to another
 * protocol), oversized bodies (announced and decoded), a timeout, status
 * and Retry-After, header values kept or refused, several fetches at once
 * through one fetcher; plus the Retry-After parser and URL display.
 */
#include "../../../src/ingest/fetch.c"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "../../../src/web/http.h"
#include "test.h"

#define LAST_MOD ((mld_time_t)1760974093) /* 2025-10-20T15:28:13Z */

static struct mld_http_resp *doc_resp;  /* /doc: ETag + Last-Modified */
static struct mld_http_resp *gz_resp;   /* /gz: a gzip copy */
static struct mld_http_resp *big_resp;  /* /big: Content-Length over the limit */
static struct mld_http_resp *bomb_resp; /* /bomb: small gzip, large decoded */
static const char doc_body[] = "{\"urn\": \"urn:newsml:example.com:20250128:fetch\"}\n";
static char gz_body[4000];

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_inm[256]; /* If-None-Match of the last /doc request */
static char seen_ims[256]; /* If-Modified-Since of the last /doc request */
static char seen_ae[256];  /* Accept-Encoding of the last /gz request */
static atomic_int loop_hits;

static void
remember(char *slot, const struct mld_http_req *req, const char *name)
{
    const char *v = mld_http_req_header(req, name);
    pthread_mutex_lock(&seen_lock);
    snprintf(slot, 256, "%s", v ? v : "");
    pthread_mutex_unlock(&seen_lock);
}

static struct mld_http_resp *
redirect(int status, const char *to)
{
    struct mld_http_resp *r = mld_http_resp_new(status, "text/plain", "", 0, 0);
    mld_http_resp_header(r, "Location", to);
    return mld_http_resp_finish(r, 0);
}

static struct mld_http_resp *
handler(void *ud, const struct mld_http_req *req)
{
    (void)ud;
    const char *p = req->path;
    if (strcmp(p, "/doc") == 0) {
        remember(seen_inm, req, "If-None-Match");
        remember(seen_ims, req, "If-Modified-Since");
        return mld_http_resp_ref(doc_resp);
    }
    if (strcmp(p, "/gz") == 0) {
        remember(seen_ae, req, "Accept-Encoding");
        return mld_http_resp_ref(gz_resp);
    }
    if (strcmp(p, "/big") == 0)
        return mld_http_resp_ref(big_resp);
    if (strcmp(p, "/bomb") == 0)
        return mld_http_resp_ref(bomb_resp);
    if (strcmp(p, "/loop") == 0) {
        atomic_fetch_add(&loop_hits, 1);
        return redirect(302, "/loop");
    }
    if (strcmp(p, "/moved") == 0)
        return redirect(301, "/doc");
    if (strcmp(p, "/to-ftp") == 0)
        return redirect(302, "ftp://127.0.0.1/feed.xml");
    if (strcmp(p, "/to-file") == 0)
        return redirect(302, "file:///etc/passwd");
    if (strcmp(p, "/slow") == 0) {
        struct timespec ts = {1, 200000000};
        nanosleep(&ts, NULL);
        return mld_http_resp_text(200, "late\n", NULL);
    }
    if (strcmp(p, "/429") == 0) {
        struct mld_http_resp *r = mld_http_resp_new(429, "text/plain", "slow down\n", 10, 0);
        mld_http_resp_header(r, "Retry-After", "7");
        return mld_http_resp_finish(r, 0);
    }
    if (strcmp(p, "/503") == 0) {
        char date[MLD_TIME_HTTP_LEN + 1];
        mld_time_format_http(mld_time_now() + 100, date);
        struct mld_http_resp *r = mld_http_resp_new(503, "text/plain", "down\n", 5, 0);
        mld_http_resp_header(r, "Retry-After", date);
        return mld_http_resp_finish(r, 0);
    }
    if (strcmp(p, "/long-header") == 0) {
        /* One digit too many to be kept: read, it would be 10^9 s. */
        char v[MLD_POLL_MAX_HEADER_BYTES + 2];
        memset(v, '0', sizeof(v) - 1);
        v[0] = '1';
        v[sizeof(v) - 1] = '\0';
        struct mld_http_resp *r = mld_http_resp_new(503, v, "x", 1, 0);
        mld_http_resp_header(r, "Retry-After", v);
        return mld_http_resp_finish(r, 0);
    }
    if (strcmp(p, "/just-long-enough") == 0) {
        char v[MLD_POLL_MAX_HEADER_BYTES + 1];
        memset(v, '0', sizeof(v) - 1);
        v[0] = '1';
        v[sizeof(v) - 1] = '\0';
        struct mld_http_resp *r = mld_http_resp_new(503, "text/plain", "x", 1, 0);
        mld_http_resp_header(r, "Retry-After", v);
        return mld_http_resp_finish(r, 0);
    }
    return mld_http_resp_text(404, "not found\n", NULL);
}

static int port;

static const char *
url(const char *path)
{
    static _Thread_local char buf[8][256];
    static _Thread_local int next;
    char *b = buf[next++ % 8];
    snprintf(b, 256, "http://127.0.0.1:%d%s", port, path);
    return b;
}

static int
get(const char *path, const char *etag, const char *lm, int timeout_ms, struct mld_fetch_res *res,
    struct mld_err *err)
{
    struct mld_fetch_req req = {
        .url = url(path), .etag = etag, .last_modified = lm, .timeout_ms = timeout_ms};
    mld_err_clear(err);
    return mld_fetch(&req, res, err);
}

static void
test_conditional(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    int rc = get("/doc", NULL, NULL, 0, &res, &err);
    is_int(rc, 0, "GET /doc succeeds");
    is_int(res.status, 200, "... 200");
    is_int(res.body.len, strlen(doc_body), "... whole body");
    ok(res.body.p && strcmp(res.body.p, doc_body) == 0, "... body bytes");
    ok(res.etag && res.etag[0] == '"', "... ETag kept with its quotes: %s", res.etag);
    is_str(res.last_modified, "Mon, 20 Oct 2025 15:28:13 GMT", "... Last-Modified kept");
    is_str(res.content_type, "application/json", "... Content-Type kept");
    is_str(res.final_url, url("/doc"), "... final URL");
    is_int(res.retry_after, -1, "... no Retry-After");
    is_str(seen_inm, "", "first request is not conditional");

    char etag[256];
    snprintf(etag, sizeof(etag), "%s", res.etag ? res.etag : "");
    mld_fetch_res_dispose(&res);
    rc = get("/doc", etag, "Mon, 20 Oct 2025 15:28:13 GMT", 0, &res, &err);
    is_int(rc, 0, "conditional GET succeeds");
    is_int(res.status, 304, "... 304 Not Modified");
    is_int(res.body.len, 0, "... no body");
    is_str(seen_inm, etag, "If-None-Match carries the ETag");
    is_str(seen_ims, "Mon, 20 Oct 2025 15:28:13 GMT", "If-Modified-Since carries Last-Modified");
    mld_fetch_res_dispose(&res);

    /* A validator with a line break would split the request header. */
    rc = get("/doc", "\"a\"\r\nX-Evil: 1", NULL, 0, &res, &err);
    is_int(res.status, 200, "an ETag with CR LF is not sent");
    is_str(seen_inm, "", "... no If-None-Match at all");
    mld_fetch_res_dispose(&res);
}

static void
test_gzip(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    int rc = get("/gz", NULL, NULL, 0, &res, &err);
    is_int(rc, 0, "GET /gz succeeds");
    ok(strstr(seen_ae, "gzip") != NULL, "Accept-Encoding offers gzip: %s", seen_ae);
    ok(mld_http_resp_gzip_len(gz_resp) > 0 && mld_http_resp_gzip_len(gz_resp) < sizeof(gz_body) / 4,
       "the server has a small gzip copy");
    is_int(res.body.len, sizeof(gz_body), "body arrives decoded, full length");
    ok(res.body.p && memcmp(res.body.p, gz_body, sizeof(gz_body)) == 0, "... same bytes");
    mld_fetch_res_dispose(&res);
}

static void
test_redirects(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    int rc = get("/moved", NULL, NULL, 0, &res, &err);
    is_int(rc, 0, "a redirect is followed");
    is_int(res.status, 200, "... to a 200");
    is_str(res.final_url, url("/doc"), "... final URL is the target");
    ok(res.etag != NULL, "... headers are the target's");
    mld_fetch_res_dispose(&res);

    atomic_store(&loop_hits, 0);
    rc = get("/loop", NULL, NULL, 0, &res, &err);
    is_int(rc, MLD_E_IO, "a redirect loop fails");
    ok(strstr(err.msg, "more than 5 redirects") != NULL, "... saying so: %s", err.msg);
    ok(strstr(err.msg, url("/loop")) != NULL, "... naming the URL");
    is_int(atomic_load(&loop_hits), MLD_POLL_MAX_REDIRECTS + 1, "... after the bound (1 + 5)");
    mld_fetch_res_dispose(&res);

    rc = get("/to-ftp", NULL, NULL, 0, &res, &err);
    is_int(rc, MLD_E_UNSUPPORTED, "a redirect to ftp is refused");
    diag("%s", err.msg);
    mld_fetch_res_dispose(&res);
    rc = get("/to-file", NULL, NULL, 0, &res, &err);
    is_int(rc, MLD_E_UNSUPPORTED, "a redirect to file:// is refused");
    mld_fetch_res_dispose(&res);
}

static void
test_limits(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    int rc = get("/big", NULL, NULL, 0, &res, &err);
    is_int(rc, MLD_E_TOOBIG, "an announced body over the limit is refused");
    ok(strstr(err.msg, "limit") && strstr(err.msg, url("/big")), "... naming URL and limit: %s",
       err.msg);
    ok(res.body.len <= MLD_MAX_DOC_BYTES, "... nothing beyond the limit kept");
    mld_fetch_res_dispose(&res);

    rc = get("/bomb", NULL, NULL, 0, &res, &err);
    is_int(rc, MLD_E_TOOBIG, "a gzip body decoding past the limit is refused");
    ok(mld_http_resp_gzip_len(bomb_resp) < 1024 * 1024, "... though it came compressed small");
    ok(res.body.len <= MLD_MAX_DOC_BYTES, "... and no more than the limit was kept");
    mld_fetch_res_dispose(&res);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = get("/slow", NULL, NULL, 500, &res, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    is_int(rc, MLD_E_IO, "a slow answer times out");
    ok(strstr(err.msg, url("/slow")) != NULL, "... the error names the URL: %s", err.msg);
    ok(strstr(err.msg, "timed out") != NULL, "... and says it timed out");
    ok(secs < 1.5, "... after about the timeout (%.2f s)", secs);
    mld_fetch_res_dispose(&res);

    rc = get("/gibt-es-nicht", NULL, NULL, 0, &res, &err);
    is_int(rc, 0, "a 404 is an answer, not a fetch error");
    is_int(res.status, 404, "... with its status");
    mld_fetch_res_dispose(&res);
}

static void
test_retry_after(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    int rc = get("/429", NULL, NULL, 0, &res, &err);
    is_int(rc, 0, "429 is an answer");
    is_int(res.status, 429, "... status 429");
    is_int(res.retry_after, 7, "... Retry-After: 7 in seconds");
    mld_fetch_res_dispose(&res);
    rc = get("/503", NULL, NULL, 0, &res, &err);
    is_int(res.status, 503, "503 with a date");
    ok(res.retry_after >= 98 && res.retry_after <= 100, "... Retry-After date as seconds (%ld)",
       res.retry_after);
    mld_fetch_res_dispose(&res);
    rc = get("/long-header", NULL, NULL, 0, &res, &err);
    is_int(res.retry_after, -1, "a header value over MLD_POLL_MAX_HEADER_BYTES is ignored");
    is_str(res.content_type, NULL, "... Content-Type too");
    mld_fetch_res_dispose(&res);
    rc = get("/just-long-enough", NULL, NULL, 0, &res, &err);
    is_int(res.retry_after, 1000000000L, "one at the limit is kept (and clamped)");
    mld_fetch_res_dispose(&res);

    mld_time_t now = 1760974093;
    is_int(mld_fetch_parse_retry_after("120", now), 120, "parse: delta-seconds");
    is_int(mld_fetch_parse_retry_after("0", now), 0, "parse: zero");
    is_int(mld_fetch_parse_retry_after("99999999999999999999", now), 1000000000L,
           "parse: huge delta clamped");
    is_int(mld_fetch_parse_retry_after("Mon, 20 Oct 2025 15:30:13 GMT", now), 120,
           "parse: IMF date");
    is_int(mld_fetch_parse_retry_after("Mon, 20 Oct 2025 15:00:00 GMT", now), 0,
           "parse: date in the past is 0");
    is_int(mld_fetch_parse_retry_after("-5", now), -1, "parse: negative is not a value");
    is_int(mld_fetch_parse_retry_after("soon", now), -1, "parse: garbage");
    is_int(mld_fetch_parse_retry_after("", now), -1, "parse: empty");
}

static void
test_urls(void)
{
    struct mld_fetch_res res;
    struct mld_err err = {0};
    struct mld_fetch_req req = {.url = "ftp://127.0.0.1/x"};
    is_int(mld_fetch(&req, &res, &err), MLD_E_INVAL, "ftp URL refused before fetching");
    mld_fetch_res_dispose(&res);
    req.url = "file:///etc/passwd";
    is_int(mld_fetch(&req, &res, &err), MLD_E_INVAL, "file URL refused");
    mld_fetch_res_dispose(&res);
    req.url = "not a url";
    is_int(mld_fetch(&req, &res, &err), MLD_E_INVAL, "garbage refused");
    mld_fetch_res_dispose(&res);
    req.url = "http://127.0.0.1:1/nothing";
    is_int(mld_fetch(&req, &res, &err), MLD_E_IO, "connection refused is MLD_E_IO");
    ok(strstr(err.msg, "http://127.0.0.1:1/nothing") != NULL, "... naming the URL: %s", err.msg);
    is_int(res.status, 0, "... and no status");
    mld_fetch_res_dispose(&res);

    char out[256];
    mld_fetch_display_url("https://user:secret@example.com/feed?x=1", out, sizeof(out));
    is_str(out, "https://example.com/feed?x=1", "display URL drops user:password");
    ok(strstr(out, "secret") == NULL, "... no password in messages");
}

/* Several fetches through one fetcher, each result with its tag. */
struct many {
    int done[6];
    int status[6];
};

static void
many_done(void *ud, void *tag, int rc, struct mld_fetch_res *res, const struct mld_err *err)
{
    struct many *m = ud;
    int i = (int)(intptr_t)tag;
    m->done[i]++;
    m->status[i] = rc == 0 ? res->status : rc;
    (void)err;
}

static void
test_fetcher(void)
{
    struct mld_fetcher *f = mld_fetcher_new(3, 2);
    struct many m = {0};
    const char *paths[6] = {"/doc", "/gz", "/429", "/gibt-es-nicht", "/moved", "/doc"};
    struct mld_err err = {0};
    for (int i = 0; i < 6; i++) {
        struct mld_fetch_req req = {.url = url(paths[i])};
        mld_fetcher_add(f, &req, (void *)(intptr_t)i, &err);
    }
    struct mld_fetch_req bad = {.url = "gopher://x/"};
    is_int(mld_fetcher_add(f, &bad, NULL, &err), MLD_E_INVAL, "fetcher refuses a bad URL");
    is_int(mld_fetcher_pending(f), 6, "six fetches pending");
    for (int k = 0; k < 200 && mld_fetcher_pending(f) > 0; k++)
        mld_fetcher_step(f, 100, many_done, &m);
    is_int(mld_fetcher_pending(f), 0, "all ended");
    int want[6] = {200, 200, 429, 404, 200, 200};
    for (int i = 0; i < 6; i++) {
        is_int(m.done[i], 1, "fetch %d reported once", i);
        is_int(m.status[i], want[i], "fetch %d status", i);
    }
    /* Freed with fetches in flight: nothing leaks, nothing is reported. */
    struct mld_fetch_req slow = {.url = url("/slow")};
    mld_fetcher_add(f, &slow, NULL, &err);
    mld_fetcher_step(f, 50, many_done, &m);
    mld_fetcher_free(f);
    ok(1, "fetcher freed with a fetch in flight");
}

int
main(void)
{
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    doc_resp = mld_http_resp_new(200, "application/json", doc_body, strlen(doc_body), LAST_MOD);
    doc_resp = mld_http_resp_finish(doc_resp, MLD_HTTP_ETAG);
    for (size_t i = 0; i < sizeof(gz_body); i++)
        gz_body[i] = "meldung fetch gzip test "[i % 24];
    gz_resp = mld_http_resp_finish(
        mld_http_resp_new(200, "text/plain", gz_body, sizeof(gz_body), 0), MLD_HTTP_GZIP);
    size_t big_len = MLD_MAX_DOC_BYTES + 1;
    char *big = mld_malloc(big_len);
    memset(big, ' ', big_len);
    big_resp = mld_http_resp_finish(mld_http_resp_new(200, "text/plain", big, big_len, 0), 0);
    bomb_resp =
        mld_http_resp_finish(mld_http_resp_new(200, "text/plain", big, big_len, 0), MLD_HTTP_GZIP);
    mld_free(big);

    struct mld_http_config hc = {.host = "127.0.0.1", .port = 0, .threads = 4};
    struct mld_http_server *srv;
    struct mld_err err = {0};
    if (mld_http_server_start(&srv, &hc, handler, NULL, &err) != 0) {
        printf("Bail out! cannot start the test server: %s\n", err.msg);
        return 1;
    }
    port = mld_http_server_port(srv);

    test_conditional();
    test_gzip();
    test_redirects();
    test_limits();
    test_retry_after();
    test_urls();
    test_fetcher();

    mld_http_server_stop(srv);
    mld_http_resp_unref(doc_resp);
    mld_http_resp_unref(gz_resp);
    mld_http_resp_unref(big_resp);
    mld_http_resp_unref(bomb_resp);
    is_int(mld_http_resp_live(), 0, "no responses left alive");
    curl_global_cleanup();
    return mld_test_done();
}
