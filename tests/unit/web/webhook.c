/*
 * Tests for webhook.c: HMAC-SHA256 against RFC 4231's test vectors, the
 * signature over "timestamp.body", the back-off schedule (bounds, growth,
 * cap, jitter), which outcomes are retried, the queue bound (oldest
 * dropped and counted, the one in flight kept), the filters, and the
 * [webhook NAME] configuration with its errors naming file:line.
 */
#include "../../../src/web/webhook.c"

#include <stdlib.h>

#include "test.h"

static void
test_hmac(void)
{
    char hex[65];
    /* RFC 4231 test case 2: key "Jefe". */
    const char *msg = "what do ya want for nothing?";
    is_int(mld_webhook_hmac_hex("Jefe", 4, msg, strlen(msg), hex), 0, "HMAC: no error");
    is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
           "RFC 4231 case 2 (HMAC-SHA-256)");
    /* Test case 1: key 20 bytes of 0x0b, data "Hi There". */
    unsigned char key[131];
    memset(key, 0x0b, 20);
    mld_webhook_hmac_hex(key, 20, "Hi There", 8, hex);
    is_str(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
           "RFC 4231 case 1");
    /* Test case 6: a key longer than the block (131 bytes of 0xaa). */
    memset(key, 0xaa, sizeof(key));
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    mld_webhook_hmac_hex(key, sizeof(key), m6, strlen(m6), hex);
    is_str(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
           "RFC 4231 case 6 (key longer than a block)");
}

static void
test_sign(void)
{
    const char *secret = "ein-langes-geheimnis-0123456789";
    const char *body = "{\"event\":\"article\",\"id\":7}";
    char got[65], want[65];
    is_int(mld_webhook_sign(secret, strlen(secret), 1767225600, body, strlen(body), got), 0,
           "sign: no error");
    const char *msg = "1767225600.{\"event\":\"article\",\"id\":7}";
    mld_webhook_hmac_hex(secret, strlen(secret), msg, strlen(msg), want);
    is_str(got, want, "the signature is the HMAC of \"timestamp.body\"");
    mld_webhook_sign(secret, strlen(secret), 1767225601, body, strlen(body), want);
    ok(strcmp(got, want) != 0, "another timestamp, another signature");
    mld_webhook_sign("ein-anderes-geheimnis-0123456789", 32, 1767225600, body, strlen(body), want);
    ok(strcmp(got, want) != 0, "another secret, another signature");
}

static void
test_backoff(void)
{
    /* Without jitter's random part: exactly half of the nominal wait;
     * with the largest: all of it. */
    int64_t nominal = MLD_WEBHOOK_RETRY_BASE_MS;
    bool bounds = true, grows = true;
    for (int a = 1; a <= MLD_WEBHOOK_MAX_ATTEMPTS + 5; a++) {
        int64_t d = nominal < MLD_WEBHOOK_RETRY_MAX_MS ? nominal : MLD_WEBHOOK_RETRY_MAX_MS;
        int64_t lo = mld_webhook_backoff_ms(a, 0), hi = mld_webhook_backoff_ms(a, UINT32_MAX);
        for (uint32_t r = 1; r < 2000000000u; r += 199999999u) {
            int64_t w = mld_webhook_backoff_ms(a, r);
            if (w < d / 2 || w > d)
                bounds = false;
        }
        if (lo != d / 2 || hi < d / 2 || hi > d)
            bounds = false;
        if (a > 1 && lo < mld_webhook_backoff_ms(a - 1, 0))
            grows = false;
        nominal *= 2;
    }
    ok(bounds, "every wait lies between half and all of base * 2^(attempt-1), capped");
    ok(grows, "the waits never shrink from one attempt to the next");
    is_int(mld_webhook_backoff_ms(1, 0), MLD_WEBHOOK_RETRY_BASE_MS / 2,
           "first retry: base/2 at least");
    is_int(mld_webhook_backoff_ms(3, 0), 2 * MLD_WEBHOOK_RETRY_BASE_MS, "third: 4 x base / 2");
    is_int(mld_webhook_backoff_ms(40, 0), MLD_WEBHOOK_RETRY_MAX_MS / 2, "late: the cap / 2");
    ok(mld_webhook_backoff_ms(40, UINT32_MAX) <= MLD_WEBHOOK_RETRY_MAX_MS,
       "late: never past the cap");
    /* Jitter spreads: two random draws rarely agree. */
    int distinct = 0;
    int64_t prev = -1;
    for (int i = 0; i < 20; i++) {
        int64_t w = mld_webhook_backoff_ms(5, random32());
        distinct += w != prev;
        prev = w;
    }
    ok(distinct > 10, "jitter: random draws differ (%d of 20 changed)", distinct);
    /* The whole schedule: some 20 minutes of attempts, not hours. */
    int64_t total = 0;
    for (int a = 1; a < MLD_WEBHOOK_MAX_ATTEMPTS; a++)
        total += mld_webhook_backoff_ms(a, UINT32_MAX);
    ok(total > 10 * 60 * 1000 && total < 60 * 60 * 1000,
       "the longest schedule of one event lasts %lld s", (long long)total / 1000);
}

static void
test_verdict(void)
{
    is_int(mld_webhook_verdict(CURLE_OK, 200), 0, "200: delivered");
    is_int(mld_webhook_verdict(CURLE_OK, 204), 0, "204: delivered");
    is_int(mld_webhook_verdict(CURLE_OK, 503), 1, "503: retried");
    is_int(mld_webhook_verdict(CURLE_OK, 500), 1, "500: retried");
    is_int(mld_webhook_verdict(CURLE_OK, 429), 1, "429: retried");
    is_int(mld_webhook_verdict(CURLE_OK, 404), 2, "404: given up");
    is_int(mld_webhook_verdict(CURLE_OK, 401), 2, "401: given up");
    is_int(mld_webhook_verdict(CURLE_OK, 301), 2, "301: given up (redirects are not followed)");
    is_int(mld_webhook_verdict(CURLE_OPERATION_TIMEDOUT, 0), 1, "timeout: retried");
    is_int(mld_webhook_verdict(CURLE_COULDNT_CONNECT, 0), 1, "refused: retried");
}

/* A delivery whose body names its number. */
static struct delivery
numbered(int i)
{
    char b[32];
    snprintf(b, sizeof(b), "%d", i);
    struct delivery d = {.body = mld_strdup(b), .len = strlen(b), .kind = "article"};
    new_id(d.id);
    return d;
}

static void
test_queue(void)
{
    struct hook h = {0};
    h.q = mld_calloc(MLD_WEBHOOK_QUEUE, sizeof(*h.q));
    for (int i = 0; i < MLD_WEBHOOK_QUEUE + 5; i++)
        enqueue(&h, numbered(i));
    is_int(h.n, MLD_WEBHOOK_QUEUE, "the queue holds MLD_WEBHOOK_QUEUE at most");
    is_int(h.dropped, 5, "the five past it were counted as dropped");
    is_str(h.q[h.head].body, "5", "the oldest were dropped: the head is the sixth");
    is_str(h.q[(h.head + h.n - 1) % MLD_WEBHOOK_QUEUE].body, "1004", "the newest is kept");
    /* In flight: the head stays, the one after it goes. */
    h.busy = true;
    const char *in_flight = h.q[h.head].body;
    enqueue(&h, numbered(2000));
    is_int(h.n, MLD_WEBHOOK_QUEUE, "still full");
    ok(h.q[h.head].body == in_flight, "the delivery in flight is not dropped");
    is_str(h.q[(h.head + 1) % MLD_WEBHOOK_QUEUE].body, "7", "the next oldest went instead");
    is_int(h.dropped, 6, "... and was counted");
    char a[37], b[37];
    new_id(a);
    new_id(b);
    ok(strlen(a) == 36 && a[14] == '4' && strcmp(a, b) != 0, "delivery ids: random UUIDs (%s)", a);
    hook_dispose(&h);
}

/* Configures from text; returns the rc and *wh. */
static int
conf(const char *text, struct mld_webhooks **wh, struct mld_err *err)
{
    struct mld_config *c;
    mld_err_clear(err);
    int rc = mld_config_parse(&c, "t.conf", text, strlen(text), err);
    if (rc != 0)
        return rc;
    rc = mld_webhooks_configure(wh, c, "https://news.example.de/", err);
    mld_config_free(c);
    return rc;
}

/* Checks that text is refused with a message containing want. */
static void
refused(const char *text, const char *want, const char *name)
{
    struct mld_webhooks *wh = NULL;
    struct mld_err err = {0};
    int rc = conf(text, &wh, &err);
    ok(rc != 0 && wh == NULL, "%s: refused", name);
    ok(strstr(err.msg, want) != NULL, "%s: says '%s' (%s)", name, want, err.msg);
    mld_webhooks_free(wh);
}

static void
test_config(void)
{
    struct mld_webhooks *wh = NULL;
    struct mld_err err = {0};
    is_int(conf("[site]\nname = x\n", &wh, &err), 0, "no [webhook]: fine");
    ok(wh == NULL, "... and nothing configured");
    setenv("MLD_TEST_WEBHOOK_SECRET", "aus-der-umgebung-0123456789", 1);
    int rc = conf("[webhook a]\nurl = https://hooks.example.com/x/token?k=1\n"
                  "secret = 0123456789abcdef\n"
                  "[webhook b]\nurl = http://127.0.0.1:9/in\nsecret_env = MLD_TEST_WEBHOOK_SECRET\n"
                  "events = withdrawn\nsection = sport, inland\ntimeout = 3\n",
                  &wh, &err);
    is_int(rc, 0, "two webhooks: fine (%s)", err.msg);
    if (rc == 0) {
        is_int(mld_webhooks_count(wh), 2, "two configured");
        is_str(wh->v[0].host, "hooks.example.com", "the host, no path, no query");
        is_str(wh->v[1].host, "127.0.0.1:9", "a port is part of the host");
        is_str(wh->v[1].secret, "aus-der-umgebung-0123456789", "secret_env read");
        is_int((int)wh->v[1].timeout, 3, "timeout read");
        is_str(wh->base_url, "https://news.example.de", "base_url without its trailing /");
        ok(hook_wants(&wh->v[0], EV_ARTICLE, NULL) && hook_wants(&wh->v[0], EV_WITHDRAWN, "x"),
           "no filter: every event");
        ok(!hook_wants(&wh->v[1], EV_ARTICLE, "sport"), "events = withdrawn: no article");
        ok(hook_wants(&wh->v[1], EV_WITHDRAWN, "inland"), "a listed section: taken");
        ok(!hook_wants(&wh->v[1], EV_WITHDRAWN, "kultur"), "another section: not");
        ok(!hook_wants(&wh->v[1], EV_WITHDRAWN, NULL), "no section: not");
        struct mld_webhook_state *v;
        int n;
        mld_webhooks_state(wh, 1000, &v, &n);
        is_int(n, 2, "state of both");
        ok(n == 2 && v[0].queued == 0 && v[0].failures == 0 && v[0].next_retry == 0,
           "fresh: nothing queued, not failing");
        mld_webhooks_state_free(v, n);
    }
    mld_webhooks_free(wh);
    refused("[webhook a]\nsecret = 0123456789abcdef\n", "t.conf:1: [webhook a] has no url",
            "no url");
    refused("[webhook a]\nurl = http://hooks.example.com/x\nsecret = 0123456789abcdef\n",
            "t.conf:2: [webhook a] url must be https://", "http to another host");
    refused("[webhook a]\nurl = http://127.example.com/x\nsecret = 0123456789abcdef\n",
            "url must be https://", "http to a name that starts like a loopback address");
    is_int(conf("[webhook a]\nurl = http://[::1]:8/x\nsecret = 0123456789abcdef\n"
                "[webhook b]\nurl = http://localhost/x\nsecret = 0123456789abcdef\n"
                "[webhook c]\nurl = http://127.1.2.3/x\nsecret = 0123456789abcdef\n",
                &wh, &err),
           0, "http to [::1], localhost and 127.1.2.3: fine (%s)", err.msg);
    if (wh != NULL)
        is_str(wh->v[0].host, "[::1]:8", "an IPv6 host keeps its brackets");
    mld_webhooks_free(wh);
    wh = NULL;
    refused("[webhook a]\nurl = ftp://127.0.0.1/x\nsecret = 0123456789abcdef\n",
            "url must be https://", "another scheme");
    refused("[webhook a]\nurl = https://h.example/\n", "wants one of secret or secret_env",
            "no secret");
    refused("[webhook a]\nurl = https://h.example/\nsecret = kurz\n",
            "t.conf:3: [webhook a] secret: the secret has fewer than 16 bytes", "short secret");
    refused("[webhook a]\nurl = https://h.example/\nsecret_env = MLD_TEST_NO_SUCH_VARIABLE\n",
            "MLD_TEST_NO_SUCH_VARIABLE is not set", "secret_env unset");
    refused("[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\nevents = neu\n",
            "t.conf:4: [webhook a] events: unknown event 'neu'", "unknown event");
    refused("[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\nsection = Sport\n",
            "'Sport' is no section slug", "section not a slug");
    refused("[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\ntimeout = 0\n",
            "timeout wants seconds from 1 to", "timeout 0");
    refused("[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\nurll = x\n",
            "t.conf:4: [webhook a]: unknown key 'urll'", "a typo");
    refused("[webhook]\nurl = https://h.example/\nsecret = 0123456789abcdef\n",
            "t.conf:1: [webhook] needs a name", "no name");
    refused("[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\n"
            "[webhook a]\nurl = https://h.example/\nsecret = 0123456789abcdef\n",
            "t.conf:4: section [webhook a] repeats line 1", "a name twice");
}

int
main(void)
{
    test_hmac();
    test_sign();
    test_backoff();
    test_verdict();
    test_queue();
    test_config();
    return mld_test_done();
}
