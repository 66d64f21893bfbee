/*
 * Tests for purge.c: the header-safe key mapping, the queue's bound
 * (duplicates, the collapse into one "site" purge), batches of at most
 * MLD_PURGE_BATCH_KEYS keys POSTed to a real server (127.0.0.1, port 0),
 * a retry after a refusal, and a prompt stop while a batch is in back-off.
 */
#include "../../../src/web/purge.c"

#include <jansson.h>
#include <unistd.h>

#include "../../../src/web/http.h"
#include "test.h"

/* The receiver: answers the first `refuse` POSTs 503, then 204; keeps the
 * bodies it accepted. */
static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
static int refuse, posts, accepted;
static char bodies[8][16384];
static char auth[128];

static struct mld_http_resp *
receiver(void *ud, const struct mld_http_req *req)
{
    (void)ud;
    pthread_mutex_lock(&rlock);
    posts++;
    bool no = refuse > 0;
    if (no)
        refuse--;
    else if (accepted < 8)
        snprintf(bodies[accepted++], sizeof(bodies[0]), "%.*s", (int)req->body_len, req->body);
    const char *a = mld_http_req_header(req, "Authorization");
    snprintf(auth, sizeof(auth), "%s", a ? a : "");
    pthread_mutex_unlock(&rlock);
    return mld_http_resp_text(no ? 503 : 204, "", NULL);
}

static int
count(int *v)
{
    pthread_mutex_lock(&rlock);
    int n = *v;
    pthread_mutex_unlock(&rlock);
    return n;
}

static void
test_keys(void)
{
    char out[64];
    ok(mld_purge_header_key("a:123", out, sizeof(out)), "a:123 maps");
    is_str(out, "a:123", "... as it is");
    ok(mld_purge_header_key("s:boerse-2", out, sizeof(out)) && strcmp(out, "s:boerse-2") == 0,
       "slugs keep their hyphens");
    ok(mld_purge_header_key("*", out, sizeof(out)), "* maps");
    is_str(out, "site", "... to the site key");
    ok(mld_purge_header_key("t:b\xc3\xb6rse", out, sizeof(out)), "a non-ASCII key maps");
    is_str(out, "t:b%C3%B6rse", "... percent-encoded");
    ok(mld_purge_header_key("x y,z\"%\t", out, sizeof(out)), "space, comma, quote, %%, tab");
    is_str(out, "x%20y%2Cz%22%25%09", "... all encoded (no separator survives)");
    ok(!mld_purge_header_key("", out, sizeof(out)), "the empty key does not map");
    ok(!mld_purge_header_key("a:12345", out, 6), "a key that does not fit is refused");
    ok(mld_purge_header_key("a:1234", out, 7), "one that just fits maps");
    static char big[MLD_PURGE_MAX_KEY_BYTES + 2];
    char bigout[sizeof(big) + 16];
    memset(big, 'k', sizeof(big) - 1);
    big[MLD_PURGE_MAX_KEY_BYTES] = '\0';
    ok(mld_purge_header_key(big, bigout, sizeof(bigout)), "a key of the most bytes maps");
    big[MLD_PURGE_MAX_KEY_BYTES] = 'k';
    ok(!mld_purge_header_key(big, bigout, sizeof(bigout)), "one byte more does not");
}

/* The queue: never kicked, so the worker sends nothing. */
static void
test_bound(void)
{
    struct mld_purge *p;
    struct mld_err err = {0};
    is_int(mld_purge_new(&p, "http://127.0.0.1:9/purge", NULL, &err), 0, "purge starts");
    struct mld_purge_stats s;
    char key[32];
    for (int i = 0; i < MLD_PURGE_QUEUE_KEYS; i++) {
        snprintf(key, sizeof(key), "a:%d", i);
        mld_purge_add(p, key);
        mld_purge_add(p, key); /* waiting already: not twice */
    }
    mld_purge_get_stats(p, &s);
    is_int(s.pending, MLD_PURGE_QUEUE_KEYS, "the queue holds its bound, duplicates once");
    is_int(s.collapsed, 0, "... without collapsing");
    mld_purge_add(p, "a:0");
    mld_purge_get_stats(p, &s);
    is_int(s.pending, MLD_PURGE_QUEUE_KEYS, "a waiting key again: no change");
    mld_purge_add(p, "a:new");
    mld_purge_get_stats(p, &s);
    is_int(s.collapsed, 1, "one key past the bound collapses the queue");
    is_int(s.pending, 1, "... into one purge of every page");
    for (int i = 0; i < 3 * MLD_PURGE_QUEUE_KEYS; i++) {
        snprintf(key, sizeof(key), "s:%d", i);
        mld_purge_add(p, key);
    }
    mld_purge_get_stats(p, &s);
    is_int(s.pending, 1, "later keys are covered by it: memory stays bounded");
    is_int(s.attempts, 0, "nothing sent without a kick");
    mld_purge_add(NULL, "a:1"); /* no purge configured */
    mld_purge_kick(NULL);
    mld_purge_free(p);
    ok(1, "freed with keys waiting");
}

static void
test_send(void)
{
    struct mld_http_server *srv;
    struct mld_http_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 1};
    struct mld_err err = {0};
    if (mld_http_server_start(&srv, &cfg, receiver, NULL, &err) != 0) {
        ok(0, "receiver starts: %s", err.msg);
        return;
    }
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/purge", mld_http_server_port(srv));
    struct mld_purge *p;
    is_int(mld_purge_new(&p, url, "tok-1", &err), 0, "purge to the receiver starts");

    /* 300 keys: two POSTs, 256 and 44 keys. */
    char key[32];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof(key), "a:%d", i);
        mld_purge_add(p, key);
    }
    mld_purge_kick(p);
    for (int i = 0; i < 100 && count(&accepted) < 2; i++)
        usleep(50 * 1000);
    is_int(count(&accepted), 2, "300 keys: two POSTs");
    int total = 0;
    for (int b = 0; b < 2; b++) {
        json_t *j = json_loads(bodies[b], 0, NULL);
        json_t *keys = json_object_get(j, "keys");
        ok(json_is_array(keys) && json_array_size(keys) <= MLD_PURGE_BATCH_KEYS,
           "POST %d: {\"keys\": [...]} of at most %d keys", b + 1, MLD_PURGE_BATCH_KEYS);
        total += (int)json_array_size(keys);
        json_decref(j);
    }
    is_int(total, 300, "every key sent once");
    ok(strstr(bodies[0], "\"a:0\"") != NULL, "the oldest go first");
    is_str(auth, "Bearer tok-1", "with the bearer token");

    /* A refusal, then success: retried after the back-off. */
    pthread_mutex_lock(&rlock);
    refuse = 1;
    pthread_mutex_unlock(&rlock);
    mld_purge_add(p, "s:sport");
    mld_purge_kick(p);
    for (int i = 0; i < 100 && count(&accepted) < 3; i++)
        usleep(50 * 1000);
    is_int(count(&accepted), 3, "a refused batch is sent again");
    ok(strstr(bodies[2], "s:sport") != NULL, "... the same keys");
    struct mld_purge_stats s;
    mld_purge_get_stats(p, &s);
    is_int((int)s.sent, 3, "three batches accepted");
    is_int((int)s.attempts, 4, "in four attempts");
    is_int((int)s.failed, 0, "none given up");

    /* Refused for good: free does not wait out the back-off. */
    pthread_mutex_lock(&rlock);
    refuse = 1000;
    pthread_mutex_unlock(&rlock);
    int before = count(&posts);
    mld_purge_add(p, "all");
    mld_purge_kick(p);
    for (int i = 0; i < 100 && count(&posts) == before; i++)
        usleep(20 * 1000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mld_purge_free(p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ok(secs < 0.5, "free during back-off returns at once (%.3f s)", secs);
    mld_http_server_stop(srv);
}

int
main(void)
{
    test_keys();
    test_bound();
    test_send();
    return mld_test_done();
}
