/*
 * Tests for push.c: token hashing (FIPS 180-2 vectors), the [push]
 * configuration, the JSON answers' escaping, and the endpoint itself on a
 * real server (127.0.0.1, port 0) over a temporary store, spoken to with
 * libcurl: methods, tokens, formats, malformed documents and quarantine,
 * one transaction per document, a store failure, concurrent pushes.
 */
#include "../../../src/web/push.c"

#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <unistd.h>

#include "test.h"

#define TOKEN "s3cret-token-for-tests"

static char tmpdir[256];
static char dbpath[300];
static char qdir[300];
static struct mld_store *store;
static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mld_push *push;

static struct mld_http_resp *
handler(void *ud, const struct mld_http_req *req)
{
    (void)ud;
    if (strcmp(req->path, MLD_PUSH_PATH) == 0)
        return mld_push_handle(push, req, store, &store_lock);
    if (strcmp(req->path, "/off" MLD_PUSH_PATH) == 0)
        return mld_push_handle(NULL, req, store, &store_lock);
    return mld_http_resp_text(404, "no\n", NULL);
}

/* Client ------------------------------------------------------------- */

struct answer {
    long status;
    char body[4096];
    size_t len;
    char www_auth[256];
    char allow[64];
    char ctype[128];
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t k = size * n;
    size_t room = sizeof(a->body) - 1 - a->len;
    memcpy(a->body + a->len, p, k < room ? k : room);
    a->len += k < room ? k : room;
    a->body[a->len] = '\0';
    return k;
}

/* Copies the value of header line p (name given) into out, if it is name. */
static void
grab(const char *p, size_t k, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    if (k <= nl + 1 || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
        return;
    const char *v = p + nl + 1;
    const char *e = p + k;
    while (v < e && *v == ' ')
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n'))
        e--;
    size_t n = (size_t)(e - v) < outlen - 1 ? (size_t)(e - v) : outlen - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t k = size * n;
    grab(p, k, "WWW-Authenticate", a->www_auth, sizeof(a->www_auth));
    grab(p, k, "Allow", a->allow, sizeof(a->allow));
    grab(p, k, "Content-Type", a->ctype, sizeof(a->ctype));
    return k;
}

static int port;

/* One request: method "GET" or "POST", path, optional Authorization
 * value, body (POST). Fills a; returns the status, or 0 when the request
 * failed. */
static long
request(const char *method, const char *path, const char *auth, const char *body, size_t len,
        struct answer *a)
{
    memset(a, 0, sizeof(*a));
    CURL *c = curl_easy_init();
    char url[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *h = NULL;
    char line[512];
    if (auth != NULL) {
        snprintf(line, sizeof(line), "Authorization: %s", auth);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    else
        diag("curl: %s", curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (a->len > 0 && a->body[a->len - 1] == '\n')
        a->body[--a->len] = '\0'; /* one line in test messages */
    return rc == CURLE_OK ? a->status : 0;
}

/* POST doc with the right token; returns the status. */
static long
push_doc(const char *doc, struct answer *a)
{
    return request("POST", MLD_PUSH_PATH, "Bearer " TOKEN, doc, strlen(doc), a);
}

/* Integer field name of a JSON answer, or -1. */
static long
field(const struct answer *a, const char *name)
{
    json_t *j = json_loads(a->body, 0, NULL);
    json_t *v = j ? json_object_get(j, name) : NULL;
    long n = json_is_integer(v) ? (long)json_integer_value(v) : -1;
    json_decref(j);
    return n;
}

/* The "error" string of a JSON answer, in buf; "" if none. */
static const char *
error_of(const struct answer *a, char *buf, size_t len)
{
    json_t *j = json_loads(a->body, 0, NULL);
    const char *s = j ? json_string_value(json_object_get(j, "error")) : NULL;
    snprintf(buf, len, "%s", s ? s : "");
    json_decref(j);
    return buf;
}

/* Files in the quarantine folder whose name starts with "push-" and does
 * not end in ".reason". */
static int
quarantined(void)
{
    DIR *d = opendir(qdir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "push-", 5) == 0 &&
            (l < 7 || strcmp(e->d_name + l - 7, ".reason") != 0))
            n++;
    }
    closedir(d);
    return n;
}

/* A digitalwires entry of our own. */
static void
entry(char *out, size_t len, const char *id, int version, const char *entry_id)
{
    snprintf(out, len,
             "{\"urn\": \"urn:newsml:example.com:20250101:push-%s\", \"version\": %d, "
             "\"version_created\": \"2025-01-28T09:0%d:00+01:00\", "
             "\"updated\": \"2025-01-28T08:0%d:01Z\", \"entry_id\": \"%s\", "
             "\"pubstatus\": \"usable\", \"headline\": \"Gemeldet per Push %s\", "
             "\"article_html\": \"<section class=\\\"main\\\"><p>Text %s.</p></section>\", "
             "\"categories\": [{\"type\": \"dnltype:rubric\", \"name\": \"panorama\", "
             "\"qcode\": \"dnlpath:weblines.infoline_rs.panorama\"}]}",
             id, version, version, version, entry_id, id, id);
}

/* Tests -------------------------------------------------------------- */

static void
test_hash(void)
{
    char hex[MLD_PUSH_HASH_HEX + 1];
    mld_push_token_hash("abc", 3, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "SHA-256(\"abc\")");
    mld_push_token_hash("", 0, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "SHA-256(\"\")");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mld_push_token_hash(two, strlen(two), hex);
    is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
           "SHA-256 of the two-block vector");
}

/* Parses text as a config and runs mld_push_new on it. */
static int
config(const char *text, struct mld_push **p, struct mld_err *err)
{
    struct mld_config *cfg = NULL;
    int rc = mld_config_parse(&cfg, "test.conf", text, strlen(text), err);
    if (rc == 0)
        rc = mld_push_new(p, cfg, "var/x/meldung.db", err);
    mld_config_free(cfg);
    return rc;
}

static void
test_config(void)
{
    struct mld_push *p = (struct mld_push *)1;
    struct mld_err err = {0};
    is_int(mld_push_new(&p, NULL, "x.db", &err), 0, "no config: fine");
    ok(p == NULL, "no config: endpoint off");
    p = (struct mld_push *)1;
    is_int(config("[site]\ndb = x\n", &p, &err), 0, "no [push]: fine");
    ok(p == NULL, "no [push]: endpoint off");

    char hex[MLD_PUSH_HASH_HEX + 1], text[512];
    mld_push_token_hash(TOKEN, strlen(TOKEN), hex);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\n", hex);
    is_int(config(text, &p, &err), 0, "[push] with a hash");
    ok(p != NULL && strcmp(p->quarantine, "var/x/quarantine") == 0,
       "default quarantine beside the store: %s", p ? p->quarantine : "(null)");
    mld_push_free(p);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\nquarantine = /srv/q\n", hex);
    is_int(config(text, &p, &err), 0, "[push] with quarantine");
    ok(p != NULL && strcmp(p->quarantine, "/srv/q") == 0, "quarantine from the config");
    mld_push_free(p);
    for (char *c = hex; *c; c++)
        *c = (char)(*c >= 'a' ? *c - 32 : *c);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\n", hex);
    is_int(config(text, &p, &err), 0, "upper-case hex is fine");
    mld_push_free(p);

    p = NULL;
    is_int(config("[push]\n", &p, &err), MLD_E_PARSE, "[push] without token_sha256");
    ok(strstr(err.msg, "test.conf:1") != NULL && strstr(err.msg, "meldung token") != NULL,
       "message names the place and the remedy: %s", err.msg);
    is_int(config("[push]\ntoken_sha256 = abc\n", &p, &err), MLD_E_PARSE, "short hash");
    ok(strstr(err.msg, "test.conf:2") != NULL, "short hash: line named: %s", err.msg);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %.63sg\n", hex);
    is_int(config(text, &p, &err), MLD_E_PARSE, "non-hex digit");
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\ntoken = plain\n", hex);
    is_int(config(text, &p, &err), MLD_E_PARSE, "unknown key");
    ok(strstr(err.msg, "test.conf:3") != NULL && strstr(err.msg, "\"token\"") != NULL,
       "unknown key named: %s", err.msg);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\n[push]\ntoken_sha256 = %s\n", hex,
             hex);
    is_int(config(text, &p, &err), MLD_E_PARSE, "two [push] sections");
    snprintf(text, sizeof(text), "[push main]\ntoken_sha256 = %s\n", hex);
    is_int(config(text, &p, &err), MLD_E_PARSE, "[push NAME]");
    ok(p == NULL, "nothing returned on errors");
}

static void
test_json(void)
{
    /* UTF-8 validation itself: tests/unit/base/text.c. */
    struct mld_buf b;
    mld_buf_init(&b, 1024);
    put_json_string(&b, "a\"b\\c\n\x01 \xc3\xa4");
    is_str(b.p, "\"a\\\"b\\\\c\\u000a\\u0001 \xc3\xa4\"", "escaping");
    json_t *j = json_loads(b.p, JSON_DECODE_ANY, NULL);
    ok(j != NULL && strcmp(json_string_value(j), "a\"b\\c\n\x01 \xc3\xa4") == 0,
       "escaped string decodes to the original");
    json_decref(j);
    mld_buf_reset(&b);
    put_json_string(&b, "x \xff y");
    is_str(b.p, "\"x ? y\"", "bytes that are not UTF-8 become ?");
    mld_buf_dispose(&b);
}

static void
test_endpoint(void)
{
    struct answer a;
    char doc[2048], msg[600];

    ok(request("POST", "/off" MLD_PUSH_PATH, "Bearer " TOKEN, "{}", 2, &a) == 404,
       "not configured: 404");
    ok(request("GET", MLD_PUSH_PATH, NULL, NULL, 0, &a) == 405, "GET: 405");
    is_str(a.allow, "POST", "405 says Allow: POST");
    ok(strncmp(a.ctype, "application/json", 16) == 0, "answers are JSON: %s", a.ctype);

    entry(doc, sizeof(doc), "a", 1, "push-e-a1");
    ok(request("POST", MLD_PUSH_PATH, NULL, doc, strlen(doc), &a) == 401, "no token: 401");
    is_str(a.www_auth, "Bearer realm=\"meldung\"", "WWW-Authenticate: Bearer");
    ok(request("POST", MLD_PUSH_PATH, "Bearer wrong", doc, strlen(doc), &a) == 401,
       "wrong token: 401");
    ok(strstr(a.www_auth, "invalid_token") != NULL, "wrong token: error=invalid_token");
    ok(request("POST", MLD_PUSH_PATH, "Bearer " TOKEN "x", doc, strlen(doc), &a) == 401,
       "token with one more character: 401");
    ok(request("POST", MLD_PUSH_PATH, "Basic " TOKEN, doc, strlen(doc), &a) == 401,
       "Basic scheme: 401");
    ok(request("POST", MLD_PUSH_PATH, "Bearer", doc, strlen(doc), &a) == 401,
       "Bearer without a token: 401");
    is_int(quarantined(), 0, "refused tokens quarantine nothing");

    ok(request("POST", MLD_PUSH_PATH, "bearer  " TOKEN " ", doc, strlen(doc), &a) == 202,
       "right token (scheme in any case, spaces around): 202");
    is_int(field(&a, "stored"), 1, "stored 1");
    is_int(field(&a, "new"), 1, "new 1");
    is_int(field(&a, "updated"), 0, "updated 0");
    is_int(field(&a, "duplicates"), 0, "duplicates 0");

    ok(push_doc(doc, &a) == 202, "same delivery again: 202");
    is_int(field(&a, "duplicates"), 1, "... a duplicate");
    is_int(field(&a, "stored"), 0, "... nothing stored");

    entry(doc, sizeof(doc), "a", 2, "push-e-a2");
    ok(push_doc(doc, &a) == 202 && field(&a, "updated") == 1, "newer version: updated ");
    entry(doc, sizeof(doc), "a", 1, "push-e-a1-again");
    ok(push_doc(doc, &a) == 202 && field(&a, "duplicates") == 1 && field(&a, "stored") == 0,
       "the first version again under a new entry id: a duplicate, nothing stored");
    entry(doc, sizeof(doc), "a", 1, "push-e-a1-changed");
    memcpy(strstr(doc, "per Push a"), "per Post", 8); /* the same version, changed */
    ok(push_doc(doc, &a) == 202 && field(&a, "older") == 1 && field(&a, "stored") == 1,
       "older version: kept in history ");

    char e1[1000], e2[1000];
    entry(e1, sizeof(e1), "b", 1, "push-e-b1");
    entry(e2, sizeof(e2), "c", 1, "push-e-c1");
    snprintf(doc, sizeof(doc), "{\"entries\": [%s, %s]}", e1, e2);
    ok(push_doc(doc, &a) == 202 && field(&a, "new") == 2, "batch of two: both new ");

    /* Refused documents: 415 and 422, each quarantined with its reason. */
    ok(push_doc("hello, world", &a) == 415, "unknown format: 415");
    ok(strstr(error_of(&a, msg, sizeof(msg)), "push-") == msg &&
           strstr(msg, "not a format meldung reads") != NULL,
       "415 names the push: %s", msg);
    is_int(quarantined(), 1, "unknown format quarantined");
    ok(request("POST", MLD_PUSH_PATH, "Bearer " TOKEN, "", 0, &a) == 415, "empty body: 415");
    is_int(quarantined(), 1, "an empty body is not quarantined");

    const char *broken = "{\"urn\": \"urn:x:broken\",\n \"version\": 1,\n \"headline\" \"x\"}";
    ok(push_doc(broken, &a) == 422, "malformed JSON: 422");
    error_of(&a, msg, sizeof(msg));
    ok(strncmp(msg, "push-", 5) == 0 && strstr(msg, ".json: line 3, column") != NULL,
       "422 says source: line, column: reason: %s", msg);
    is_int(quarantined(), 2, "malformed document quarantined");
    char reason[600];
    snprintf(reason, sizeof(reason), "%s/%.*s.reason", qdir, (int)strcspn(msg, ":"), msg);
    ok(access(reason, R_OK) == 0, "its reason file is %s", reason);

    /* One transaction per document: a batch whose second entry is bad
     * stores nothing, not even the first. */
    entry(e1, sizeof(e1), "d", 1, "push-e-d1");
    snprintf(doc, sizeof(doc), "{\"entries\": [%s, {\"urn\": 5}]}", e1);
    ok(push_doc(doc, &a) == 422, "batch with a bad entry: 422 ");
    ok(push_doc(e1, &a) == 202 && field(&a, "new") == 1,
       "its good entry was not stored: new when pushed alone ");
}

/* A store failure mid-transaction: 500, nothing stored, then it works. */
static void
test_store_failure(void)
{
    sqlite3 *db;
    ok(sqlite3_open(dbpath, &db) == SQLITE_OK, "second connection");
    sqlite3_busy_timeout(db, 5000);
    ok(sqlite3_exec(db,
                    "CREATE TRIGGER fail_topic BEFORE INSERT ON article_category "
                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                    NULL, NULL, NULL) == SQLITE_OK,
       "trigger that fails the second write of a put");
    struct answer a;
    char doc[2048], msg[600];
    entry(doc, sizeof(doc), "e", 1, "push-e-e1");
    int before = quarantined();
    ok(push_doc(doc, &a) == 500, "store failure: 500");
    ok(strstr(error_of(&a, msg, sizeof(msg)), "nothing was stored") != NULL, "500 says so: %s",
       msg);
    ok(strstr(msg, dbpath) == NULL, "500 does not show the store's path");
    is_int(quarantined(), before, "a store failure quarantines nothing");
    ok(sqlite3_exec(db, "DROP TRIGGER fail_topic", NULL, NULL, NULL) == SQLITE_OK,
       "trigger dropped");
    sqlite3_close(db);
    ok(push_doc(doc, &a) == 202 && field(&a, "new") == 1,
       "after the failure the same document is new: it was rolled back ");
}

#define PUSHERS 4
#define PER_PUSHER 10

static void *
pusher(void *arg)
{
    long id = (long)arg, good = 0;
    for (int i = 0; i < PER_PUSHER; i++) {
        char doc[2048], name[32], eid[48];
        snprintf(name, sizeof(name), "t%ld-%d", id, i);
        snprintf(eid, sizeof(eid), "push-e-%s", name);
        entry(doc, sizeof(doc), name, 1, eid);
        struct answer a;
        if (push_doc(doc, &a) == 202 && field(&a, "new") == 1)
            good++;
    }
    return (void *)good;
}

static void
test_concurrent(void)
{
    pthread_t th[PUSHERS];
    for (long i = 0; i < PUSHERS; i++)
        pthread_create(&th[i], NULL, pusher, (void *)i);
    long good = 0;
    for (int i = 0; i < PUSHERS; i++) {
        void *r;
        pthread_join(th[i], &r);
        good += (long)r;
    }
    is_int(good, PUSHERS * PER_PUSHER, "%d concurrent pushers x %d: every one new", PUSHERS,
           PER_PUSHER);
}

int
main(void)
{
    test_hash();
    test_config();
    test_json();

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mld-push-test-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        ok(0, "mkdtemp");
        return mld_test_done();
    }
    snprintf(dbpath, sizeof(dbpath), "%s/push.db", tmpdir);
    snprintf(qdir, sizeof(qdir), "%s/quarantine", tmpdir);
    struct mld_err err = {0};
    is_int(mld_store_open(&store, dbpath, &err), 0, "store opens (%s)", err.msg);
    char text[256], hex[MLD_PUSH_HASH_HEX + 1];
    mld_push_token_hash(TOKEN, strlen(TOKEN), hex);
    snprintf(text, sizeof(text), "[push]\ntoken_sha256 = %s\n", hex);
    struct mld_config *cfg = NULL;
    mld_config_parse(&cfg, "t.conf", text, strlen(text), &err);
    is_int(mld_push_new(&push, cfg, dbpath, &err), 0, "push configured");
    mld_config_free(cfg);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct mld_http_server *s = NULL;
    struct mld_http_config hc = {.host = "127.0.0.1", .port = 0, .threads = 2};
    int rc = mld_http_server_start(&s, &hc, handler, NULL, &err);
    is_int(rc, 0, "server starts (%s)", err.msg);
    if (rc == 0) {
        port = mld_http_server_port(s);
        test_endpoint();
        test_store_failure();
        test_concurrent();
        mld_http_server_stop(s);
    }
    curl_global_cleanup();
    mld_push_free(push);
    mld_store_close(store);
    is_int(mld_http_resp_live(), 0, "every response freed");

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    return mld_test_done();
}
