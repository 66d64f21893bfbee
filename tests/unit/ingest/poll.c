/*
 * Tests for poll.c: the poller against a server on 127.0.0.1 inside the
 * test (meldung's http.h server; the handler below plays several feeds),
 * with in-memory hooks standing in for the store: conditional GET and
 * 304, Retry-After, exponential back-off, quarantine of a broken
 * document, a timeout, the per-host and total concurrency limits
 * (counted in the handler), continuous stepping, a changed URL, and the
 * configuration reader.
 */
#include "../../../src/ingest/poll.c"

#include <curl/curl.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "../../../src/web/http.h"
#include "test.h"

#define NSRC 16

/* The server --------------------------------------------------------- */

static const char feed_body[] =
    "{\"urn\": \"urn:newsml:example.com:20250128:poll\", \"version\": 2,\n"
    " \"version_created\": \"2025-01-28T08:00:00Z\", \"headline\": \"Poller-Test\"}\n";
static struct mld_http_resp *feed_resp;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_inm[256]; /* If-None-Match of the last /feed */
static int feed_hits, busy_hits;
static int cur_host[2], max_host[2]; /* concurrent /conc requests: 127.0.0.1, localhost */
static int cur_all, max_all;

static struct mld_http_resp *
handler(void *ud, const struct mld_http_req *req)
{
    (void)ud;
    const char *p = req->path;
    if (strcmp(p, "/feed") == 0) {
        const char *v = mld_http_req_header(req, "If-None-Match");
        pthread_mutex_lock(&lock);
        feed_hits++;
        snprintf(seen_inm, sizeof(seen_inm), "%s", v ? v : "");
        pthread_mutex_unlock(&lock);
        return mld_http_resp_ref(feed_resp);
    }
    if (strcmp(p, "/busy") == 0) {
        pthread_mutex_lock(&lock);
        busy_hits++;
        pthread_mutex_unlock(&lock);
        return mld_http_resp_text(503, "busy\n", NULL);
    }
    if (strcmp(p, "/limited") == 0) {
        struct mld_http_resp *r = mld_http_resp_new(429, "text/plain", "no\n", 3, 0);
        mld_http_resp_header(r, "Retry-After", "7");
        return mld_http_resp_finish(r, 0);
    }
    if (strcmp(p, "/broken") == 0) {
        const char *b = "{\"urn\": \"urn:x\", \"headline\": ";
        return mld_http_resp_finish(mld_http_resp_new(200, "application/json", b, strlen(b), 0), 0);
    }
    if (strcmp(p, "/unknown") == 0)
        return mld_http_resp_text(200, "just some text\n", NULL);
    if (strcmp(p, "/sleep") == 0) {
        struct timespec ts = {1, 500000000};
        nanosleep(&ts, NULL);
        return mld_http_resp_text(200, "late\n", NULL);
    }
    return mld_http_resp_text(404, "not found\n", NULL);
}

/* A thread-per-connection server for counting concurrent requests: the
 * http.h server runs handlers on a few event loops, where a sleeping
 * handler holds up the connections its loop accepted, so it would
 * undercount. Each request sleeps 300 ms, then gets the feed. */
static int raw_fd = -1;
static int raw_port;

static void *
raw_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[4096];
    size_t n = 0;
    while (n < sizeof(req) - 1) {
        ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    req[n] = '\0';
    const char *host = strstr(req, "\r\nHost: ");
    int h = host && strncmp(host + 8, "localhost", 9) == 0 ? 1 : 0;
    pthread_mutex_lock(&lock);
    if (++cur_host[h] > max_host[h])
        max_host[h] = cur_host[h];
    if (++cur_all > max_all)
        max_all = cur_all;
    pthread_mutex_unlock(&lock);
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&lock);
    cur_host[h]--;
    cur_all--;
    pthread_mutex_unlock(&lock);
    char head[256];
    int hn = snprintf(head, sizeof(head),
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      strlen(feed_body));
    if (write(fd, head, (size_t)hn) < 0 || write(fd, feed_body, strlen(feed_body)) < 0)
        diag("raw server: write failed");
    close(fd);
    return NULL;
}

static void *
raw_accept(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(raw_fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        pthread_t t;
        pthread_create(&t, NULL, raw_conn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

static int
raw_start(void)
{
    raw_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    if (raw_fd < 0 || bind(raw_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(raw_fd, 64) != 0 || getsockname(raw_fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    raw_port = ntohs(sa.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, raw_accept, NULL);
    pthread_detach(t);
    return 0;
}

/* In-memory hooks -------------------------------------------------------- */

struct mem {
    const struct mld_poll_source *base; /* the array the poller got */
    struct mld_source_state saved[NSRC];  /* what save/store persisted */
    bool has[NSRC];
    int store_calls;
};

static int
idx(struct mem *m, const struct mld_poll_source *src)
{
    return (int)(src - m->base);
}

static int
mem_load(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
         struct mld_err *err)
{
    struct mem *m = ud;
    int i = idx(m, src);
    if (!m->has[i])
        return mld_err_set(err, MLD_E_NOTFOUND, "no source %s", src->name);
    mld_source_state_copy(st, &m->saved[i]);
    return 0;
}

static int
mem_save(void *ud, const struct mld_poll_source *src, const struct mld_source_state *st,
         struct mld_err *err)
{
    struct mem *m = ud;
    int i = idx(m, src);
    (void)err;
    mld_source_state_dispose(&m->saved[i]);
    mld_source_state_copy(&m->saved[i], st);
    m->has[i] = true;
    return 0;
}

struct count {
    int n;
    mld_time_t newest;
};

static int
count_article(void *ud, struct mld_article *a)
{
    struct count *c = ud;
    c->n++;
    if (a->version_created > c->newest)
        c->newest = a->version_created;
    mld_article_free(a);
    return 0;
}

static int
mem_store(void *ud, const struct mld_poll_source *src, const char *doc, size_t len,
          const struct mld_source *from, const struct mld_format *fmt, struct mld_source_state *st,
          struct mld_err *err)
{
    struct mem *m = ud;
    struct count c = {0};
    int rc = fmt->parse(doc, len, from, count_article, &c, err);
    if (rc != 0)
        return rc;
    m->store_calls++;
    st->items += c.n;
    if (c.newest > st->newest_item)
        st->newest_item = c.newest;
    return mem_save(ud, src, st, err);
}

static const struct mld_poll_hooks hooks = {mem_load, mem_save, mem_store, NULL, NULL};

static void
mem_dispose(struct mem *m)
{
    for (int i = 0; i < NSRC; i++)
        mld_source_state_dispose(&m->saved[i]);
}

/* Helpers -------------------------------------------------------------- */

static int port;

static char *
url(const char *host, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "http://%s:%d%s", host,
             strncmp(path, "/conc/", 6) == 0 ? raw_port : port, path);
    return mld_strdup(buf);
}

static void
source(struct mld_poll_source *s, const char *name, const char *path, int interval)
{
    s->name = mld_strdup(name);
    s->url = url("127.0.0.1", path);
    s->interval = interval;
    s->timeout = 10;
    s->format = NULL;
}

static struct mld_poll_options
options(int concurrency, int per_host, const char *quarantine)
{
    return (struct mld_poll_options){concurrency, per_host, quarantine};
}

static char tmpdir[] = "/tmp/meldung-poll-XXXXXX";

static int
count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Tests ------------------------------------------------------------------ */

static void
test_conditional(void)
{
    struct mld_poll_source s[1];
    source(&s[0], "feed", "/feed", 300);
    struct mem m = {.base = s};
    struct mld_poll_options opt = options(4, 2, NULL);
    struct mld_poller *p;
    struct mld_err err = {0};
    is_int(mld_poller_new(&p, s, 1, &opt, &hooks, &m, &err), 0, "poller made");
    feed_hits = 0;
    is_int(mld_poller_round(p, false), 1, "a new source is due at once");
    is_int(m.store_calls, 1, "200: the document was stored");
    is_int(m.saved[0].items, 1, "... one article counted");
    is_int(m.saved[0].newest_item, 1738051200, "... newest item's time kept (for lag)");
    ok(m.saved[0].etag && m.saved[0].etag[0] == '"', "... the ETag saved with it");
    ok(m.saved[0].last_modified != NULL, "... and Last-Modified");
    is_int(m.saved[0].failures, 0, "... no failures");
    ok(m.saved[0].next_attempt >= mld_time_now() + 299, "... next attempt one interval on");
    is_str(seen_inm, "", "the first fetch was not conditional");

    is_int(mld_poller_round(p, false), 0, "not due again before its interval");
    is_int(feed_hits, 1, "... so nothing was fetched");

    mld_time_t before = m.saved[0].last_success;
    m.saved[0].last_success = 0;
    is_int(mld_poller_round(p, true), 1, "forced round polls it");
    is_str(seen_inm, m.saved[0].etag, "conditional GET sends the stored ETag");
    is_int(m.store_calls, 1, "304: nothing stored");
    is_int(m.saved[0].items, 1, "... item count unchanged");
    ok(m.saved[0].last_success >= before, "... but a success is recorded");
    struct mld_poll_counts c;
    mld_poller_counts(p, &c);
    is_int(c.polls, 2, "counts: 2 polls");
    is_int(c.changed, 1, "counts: 1 changed");
    is_int(c.unchanged, 1, "counts: 1 unchanged");
    is_int(c.failed, 0, "counts: 0 failed");
    is_int(c.items, 1, "counts: 1 item");
    mld_poller_free(p);

    /* The same source under another URL: the old validators go. */
    mld_free(s[0].url);
    s[0].url = url("localhost", "/feed");
    is_int(mld_poller_new(&p, s, 1, &opt, &hooks, &m, &err), 0, "poller made again");
    const struct mld_source_state *st = mld_poller_state(p, 0);
    ok(st->etag == NULL && st->last_modified == NULL, "a changed URL drops the validators");
    is_int(st->items, 1, "... but keeps the item count");
    is_str(st->url, s[0].url, "... and takes the new URL");
    mld_poller_free(p);
    mem_dispose(&m);
    mld_free(s[0].name);
    mld_free(s[0].url);
}

/* Claims (hooks->claim): a poller fetches only what it claims, gives up
 * each claim once the fetch's state is saved, takes the schedule another
 * node saved, and tries again soon when a node holds the source. */
static int claim_answer, claims, releases;
static mld_time_t claim_next;

static int
mem_claim(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
          struct mld_err *err)
{
    (void)ud, (void)src, (void)err;
    claims++;
    if (claim_answer == 0 && claim_next != 0)
        st->next_attempt = claim_next; /* another node's saved schedule */
    return claim_answer;
}

static void
mem_release(void *ud, const struct mld_poll_source *src)
{
    (void)ud, (void)src;
    releases++;
}

static const struct mld_poll_hooks claim_hooks = {mem_load, mem_save, mem_store, mem_claim,
                                                  mem_release};

static void
test_claims(void)
{
    struct mld_poll_source s[1];
    source(&s[0], "feed", "/feed", 300);
    struct mem m = {.base = s};
    struct mld_poll_options opt = options(4, 2, NULL);
    struct mld_poller *p;
    struct mld_err err = {0};
    is_int(mld_poller_new(&p, s, 1, &opt, &claim_hooks, &m, &err), 0, "claims: poller made");
    feed_hits = 0;
    claim_answer = 0;
    claim_next = 0;
    mld_poller_round(p, false);
    is_int(feed_hits, 0, "claims: held by another node, not fetched");
    is_int(releases, 0, "... nothing to give up");
    mld_time_t next = mld_poller_state(p, 0)->next_attempt;
    ok(next > mld_time_now() && next <= mld_time_now() + MLD_POLL_CLAIM_RETRY_SECS,
       "... asked again within MLD_POLL_CLAIM_RETRY_SECS");
    claim_next = mld_time_now() + 250;
    mld_poller_round(p, true);
    is_int(mld_poller_state(p, 0)->next_attempt, claim_next,
           "fetched elsewhere: the saved next attempt is taken");
    claim_answer = 1;
    mld_poller_round(p, true);
    is_int(feed_hits, 1, "claimed: fetched once");
    is_int(releases, 1, "... and given up after its state was saved");
    is_int(m.store_calls, 1, "... its document stored");
    is_int(claims, 3, "one claim asked per due fetch");
    mld_poller_free(p);
    mem_dispose(&m);
    mld_free(s[0].name);
    mld_free(s[0].url);
}

static void
test_failures(void)
{
    struct mld_poll_source s[4];
    source(&s[0], "limited", "/limited", 1);
    source(&s[1], "busy", "/busy", 1);
    source(&s[2], "broken", "/broken", 1);
    source(&s[3], "unknown", "/unknown", 1);
    struct mem m = {.base = s};
    char qdir[256];
    snprintf(qdir, sizeof(qdir), "%s/quarantine", tmpdir);
    struct mld_poll_options opt = options(4, 4, qdir);
    struct mld_poller *p;
    struct mld_err err = {0};
    is_int(mld_poller_new(&p, s, 4, &opt, &hooks, &m, &err), 0, "poller made");

    long prev = 0;
    bool grows = true;
    for (int k = 1; k <= 6; k++) {
        mld_poller_round(p, true);
        mld_time_t now = mld_time_now();
        long d = (long)(m.saved[1].next_attempt - now);
        long base = 1L << k;
        /* Jitter takes up to a quarter; a second may pass meanwhile. */
        ok(d >= base - base / 4 - 1 && d <= base, "503 #%d: back-off %ld s within [%ld, %ld]", k, d,
           base - base / 4 - 1, base);
        if (k > 1 && d <= prev)
            grows = false;
        prev = d;
    }
    ok(grows, "repeated 503 backs off exponentially");
    is_int(m.saved[1].failures, 6, "... six failures in a row");
    ok(m.saved[1].last_error && strstr(m.saved[1].last_error, "HTTP 503") &&
           strstr(m.saved[1].last_error, s[1].url),
       "... last error names URL and status: %s", m.saved[1].last_error);
    is_int(busy_hits, 6, "... each forced round fetched once");

    mld_time_t now = mld_time_now();
    ok(m.saved[0].next_attempt >= now + 7 - 1,
       "429 with Retry-After: 7 sets next_attempt >= now+7");
    ok(m.saved[0].last_error && strstr(m.saved[0].last_error, "HTTP 429"), "... error says 429");
    ok(m.saved[0].last_error && strstr(m.saved[0].last_error, "Retry-After 7"),
       "... and the Retry-After");

    ok(m.saved[2].failures == 6 && m.saved[2].last_error != NULL,
       "a document that does not parse is a failure: %s", m.saved[2].last_error);
    is_int(m.saved[2].items, 0, "... nothing stored");
    ok(m.saved[2].etag == NULL, "... and its validators not kept (it is fetched again)");
    ok(m.saved[3].last_error && strstr(m.saved[3].last_error, "not a format meldung reads"),
       "an unknown format is a failure: %s", m.saved[3].last_error);
    char path[512];
    snprintf(path, sizeof(path), "%s/broken", qdir);
    struct stat st;
    ok(stat(path, &st) == 0 && st.st_size > 0, "the broken document is quarantined");
    snprintf(path, sizeof(path), "%s/broken.reason", qdir);
    ok(stat(path, &st) == 0, "... with its reason");
    snprintf(path, sizeof(path), "%s/unknown", qdir);
    ok(stat(path, &st) == 0, "the unknown one too");
    is_int(count_files(qdir), 4, "... once per distinct error, not once per round");

    struct mld_poll_counts c;
    mld_poller_counts(p, &c);
    is_int(c.failed, 24, "counts: 24 failures");
    is_int(c.changed, 0, "counts: nothing changed");

    /* Without force, none of them is due now. */
    is_int(mld_poller_round(p, false), 0, "backed-off sources are not due");
    mld_poller_free(p);
    mem_dispose(&m);
    for (int i = 0; i < 4; i++) {
        mld_free(s[i].name);
        mld_free(s[i].url);
    }

    uint64_t rng = 42;
    bool capped = true, above = true;
    for (int f = 1; f <= 40; f++) {
        long d = mld_poll_backoff(f, 300, -1, &rng);
        if (d > MLD_POLL_BACKOFF_MAX_SECS)
            capped = false;
        if (d < 300 * 3 / 4)
            above = false;
    }
    ok(capped, "back-off never passes MLD_POLL_BACKOFF_MAX_SECS");
    ok(above, "back-off is at least about one interval");
    is_int(mld_poll_backoff(1, 300, 7200, &rng), 7200, "Retry-After beyond the back-off wins");
    is_int(mld_poll_backoff(1, 300, 1000000000L, &rng), MLD_POLL_MAX_RETRY_AFTER_SECS,
           "... up to MLD_POLL_MAX_RETRY_AFTER_SECS");
    long d = mld_poll_backoff(1, 86400, -1, &rng);
    ok(d >= 86400 * 3 / 4 && d <= 86400, "a long interval is not shortened by the cap (%ld)", d);
}

static void
test_timeout(void)
{
    struct mld_poll_source s[1];
    source(&s[0], "slow", "/sleep", 60);
    s[0].timeout = 1;
    struct mem m = {.base = s};
    struct mld_poll_options opt = options(2, 2, NULL);
    struct mld_poller *p;
    struct mld_err err = {0};
    mld_poller_new(&p, s, 1, &opt, &hooks, &m, &err);
    mld_poller_round(p, true);
    const char *e = m.saved[0].last_error;
    ok(e && strstr(e, s[0].url) && strstr(e, "timed out"),
       "a timeout is an error naming the URL: %s", e);
    is_int(m.saved[0].failures, 1, "... counted as a failure");
    mld_poller_free(p);
    mem_dispose(&m);
    mld_free(s[0].name);
    mld_free(s[0].url);
}

static void
run_conc(int nlocal, int nother, int concurrency, int per_host)
{
    struct mld_poll_source s[NSRC];
    int n = 0;
    for (int i = 0; i < nlocal + nother; i++, n++) {
        char name[32], path[32];
        snprintf(name, sizeof(name), "c%d", i);
        snprintf(path, sizeof(path), "/conc/%d", i);
        source(&s[n], name, path, 300);
        if (i >= nlocal) {
            mld_free(s[n].url);
            s[n].url = url("localhost", path);
        }
    }
    struct mem m = {.base = s};
    struct mld_poll_options opt = options(concurrency, per_host, NULL);
    struct mld_poller *p;
    struct mld_err err = {0};
    memset(max_host, 0, sizeof(max_host));
    max_all = 0;
    mld_poller_new(&p, s, n, &opt, &hooks, &m, &err);
    is_int(mld_poller_round(p, false), n, "%d sources polled", n);
    struct mld_poll_counts c;
    mld_poller_counts(p, &c);
    is_int(c.changed, n, "... all stored");
    mld_poller_free(p);
    mem_dispose(&m);
    for (int i = 0; i < n; i++) {
        mld_free(s[i].name);
        mld_free(s[i].url);
    }
}

static void
test_concurrency(void)
{
    run_conc(6, 4, 8, 2);
    is_int(max_host[0], 2, "per-host limit holds for 127.0.0.1 (2 at once, not more)");
    is_int(max_host[1], 2, "per-host limit holds for localhost");
    ok(max_all >= 3 && max_all <= 4, "different hosts run side by side (%d at once)", max_all);

    run_conc(8, 0, 3, 8);
    is_int(max_all, 3, "the total limit holds (3 at once of 8)");
}

static void
test_step(void)
{
    struct mld_poll_source s[1];
    source(&s[0], "feed", "/feed", 300);
    struct mem m = {.base = s};
    struct mld_poll_options opt = options(4, 2, NULL);
    struct mld_poller *p;
    struct mld_err err = {0};
    mld_poller_new(&p, s, 1, &opt, &hooks, &m, &err);
    struct mld_poll_counts c = {0};
    for (int k = 0; k < 50 && c.polls == 0; k++) {
        mld_poller_step(p, 100);
        mld_poller_counts(p, &c);
    }
    is_int(c.polls, 1, "continuous stepping polls a due source");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mld_poller_step(p, 200);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    mld_poller_counts(p, &c);
    is_int(c.polls, 1, "... and not again before its interval");
    ok(ms >= 150 && ms < 1000, "a quiet step waits about max_wait_ms (%ld ms)", ms);
    mld_poller_free(p);
    mem_dispose(&m);
    mld_free(s[0].name);
    mld_free(s[0].url);
}

/* Parses text as a configuration and loads its sources. */
static int
conf(const char *text, struct mld_poll_source **v, int *n, struct mld_poll_options *opt,
     struct mld_err *err)
{
    struct mld_config *cfg;
    mld_err_clear(err);
    int rc = mld_config_parse(&cfg, "test.conf", text, strlen(text), err);
    if (rc != 0)
        return rc;
    *opt = (struct mld_poll_options){0};
    rc = mld_poll_config_load(cfg, v, n, opt, err);
    mld_config_free(cfg);
    return rc;
}

static void
test_config(void)
{
    struct mld_poll_source *v;
    int n;
    struct mld_poll_options opt;
    struct mld_err err = {0};
    int rc = conf("[site]\ndb = x.db\n"
                  "[poll]\nconcurrency = 5\nper_host = 3\n"
                  "[source heise]\nurl = https://www.heise.de/rss/heise-atom.xml\ninterval = 5m\n"
                  "section = Digital\n"
                  "[source dpa]\nurl = http://127.0.0.1:9/wire.json\ntimeout = 20\n"
                  "format = digitalwires\n",
                  &v, &n, &opt, &err);
    is_int(rc, 0, "config: valid file loads (%s)", err.msg);
    is_int(n, 2, "config: two sources");
    if (rc == 0 && n == 2) {
        is_str(v[0].name, "heise", "config: first source's name");
        is_int(v[0].interval, 300, "config: interval 5m is 300 s");
        is_int(v[0].timeout, MLD_POLL_TIMEOUT_SECS, "config: default timeout");
        ok(v[0].format == NULL, "config: format auto by default");
        is_str(v[0].section, "Digital", "config: the source's section");
        ok(v[1].section == NULL, "config: no section by default");
        is_int(v[1].interval, MLD_POLL_INTERVAL_SECS, "config: default interval");
        is_int(v[1].timeout, 20, "config: timeout 20");
        ok(v[1].format == &mld_format_dpa, "config: forced format");
        is_int(opt.concurrency, 5, "config: [poll] concurrency");
        is_int(opt.per_host, 3, "config: [poll] per_host");
    }
    mld_poll_sources_free(v, n);

    rc = conf("[site]\ndb = x.db\n", &v, &n, &opt, &err);
    is_int(rc, 0, "config: no sources is fine");
    is_int(n, 0, "... zero of them");
    is_int(opt.concurrency, MLD_POLL_CONCURRENCY, "... default concurrency");
    mld_poll_sources_free(v, n);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[source a]\nurl = http://x/\ncolour = red\n", "test.conf:3: unknown key 'colour'"},
        {"[source a]\ninterval = 60\n", "has no url"},
        {"[source a]\nurl = ftp://x/feed\n", "http:// or https://"},
        {"[source a]\nurl = http://x/\ninterval = 5\n", "interval wants 10 to 86400"},
        {"[source a]\nurl = http://x/\ninterval = 2d\n", "interval wants"},
        {"[source a]\nurl = http://x/\ntimeout = 0\n", "timeout wants"},
        {"[source a]\nurl = http://x/\nformat = word\n", "unknown format 'word'"},
        {"[source a]\nurl = http://x/\nsection =\n", "test.conf:3: section wants a name"},
        {"[source]\nurl = http://x/\n", "needs a name"},
        {"[source a/b]\nurl = http://x/\n", "a section is"},
        {"[source a]\nurl = http://x/\n[source a]\nurl = http://y/\n",
         "test.conf:3: section [source a] repeats"},
        {"[poll]\nconcurrency = 0\n", "concurrency wants 1 to 64"},
        {"[poll]\nper_host = 99\n", "per_host wants"},
        {"[poll]\nspeed = 1\n", "unknown key 'speed' in [poll]"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rc = conf(bad[i].text, &v, &n, &opt, &err);
        ok(rc == MLD_E_PARSE && strstr(err.msg, bad[i].want) != NULL, "config error %zu: %s", i,
           err.msg);
        if (rc == 0)
            mld_poll_sources_free(v, n);
    }
}

int
main(void)
{
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    if (mkdtemp(tmpdir) == NULL) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    mld_log_set_level(MLD_LOG_ERROR);
    feed_resp = mld_http_resp_finish(
        mld_http_resp_new(200, "application/json", feed_body, strlen(feed_body), 1738051200),
        MLD_HTTP_ETAG);
    struct mld_http_config hc = {.host = "127.0.0.1", .port = 0, .threads = 12};
    struct mld_http_server *srv;
    struct mld_err err = {0};
    if (mld_http_server_start(&srv, &hc, handler, NULL, &err) != 0) {
        printf("Bail out! cannot start the test server: %s\n", err.msg);
        return 1;
    }
    port = mld_http_server_port(srv);
    if (raw_start() != 0) {
        printf("Bail out! cannot start the counting server\n");
        return 1;
    }

    test_config();
    test_conditional();
    test_claims();
    test_failures();
    test_timeout();
    test_concurrency();
    test_step();

    mld_http_server_stop(srv);
    mld_http_resp_unref(feed_resp);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    curl_global_cleanup();
    return mld_test_done();
}
