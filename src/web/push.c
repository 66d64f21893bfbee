/*
 * push.c - POST /api/v1/push (see push.h).
 *
 * A push is handled in three steps, so that the store lock is held only
 * for the write itself:
 *
 *   1. check: method, bearer token (SHA-256 of the presented token against
 *      the configured hash, compared in constant time), format sniffing;
 *   2. parse the whole body into a list of articles, apply the pipeline's
 *      rules and enrich them (mld_pipeline_parse), outside any lock: a
 *      malformed document never touches the store;
 *   3. under the caller's store lock: BEGIN, put every article, COMMIT
 *      (mld_pipeline_store). Only a COMMIT that returned makes the answer
 *      202.
 *
 * Each push gets a name, "push-<UTC time>-<sequence>.<json|xml|bin>",
 * used as the source name in parser messages and as the file name in the
 * quarantine folder, so the 422 answer, the log line and the quarantined
 * copy name the same thing.
 */
#include "push.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "../ingest/ingest.h"
#include "../pipeline/pipeline.h"
#include "ratelimit.h"

#define HASH_BYTES 32

/* Largest JSON answer: counts, or an error message (at most
 * MLD_ERR_MSG_MAX bytes, each escaped to at most 6). */
#define ANSWER_MAX (6 * MLD_ERR_MSG_MAX + 64)

struct mld_push {
    unsigned char token_hash[HASH_BYTES]; /* SHA-256 of the accepted token */
    char *quarantine;                     /* folder for refused documents */
    char *section;                        /* [push] section, or NULL */
    struct mld_ratelimit *fails;          /* failed tokens by client address */
};

/* Numbers the pushes of this process, for unique source names. */
static atomic_ulong push_seq;

/* SHA-256 of p[0..n). libcrypto fails here only without memory. */
static void
sha256(const void *p, size_t n, unsigned char out[HASH_BYTES])
{
    unsigned int len = 0;
    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != HASH_BYTES) {
        mld_log_error("push: SHA-256 failed in libcrypto");
        abort();
    }
}

void
mld_push_token_hash(const char *token, size_t len, char hex[MLD_PUSH_HASH_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char h[HASH_BYTES];
    sha256(token, len, h);
    for (int i = 0; i < HASH_BYTES; i++) {
        hex[2 * i] = digits[h[i] >> 4];
        hex[2 * i + 1] = digits[h[i] & 15];
    }
    hex[MLD_PUSH_HASH_HEX] = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads exactly 64 hex digits into out. Returns 0 or -1. */
static int
parse_hash(const char *s, unsigned char out[HASH_BYTES])
{
    if (strlen(s) != MLD_PUSH_HASH_HEX)
        return -1;
    for (int i = 0; i < HASH_BYTES; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

int
mld_push_new(struct mld_push **out, const struct mld_config *cfg, const char *db_path,
             struct mld_err *err)
{
    *out = NULL;
    int sec = cfg != NULL ? mld_config_find(cfg, "push", NULL) : -1;
    if (sec < 0)
        return 0;
    for (int i = sec + 1; i < mld_config_count(cfg); i++)
        if (strcmp(mld_config_kind(cfg, i), "push") == 0)
            return mld_err_set(err, MLD_E_PARSE, "%s: a second [push] section",
                               mld_config_where(cfg, i, NULL));
    if (mld_config_name(cfg, sec) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: [push] takes no name",
                           mld_config_where(cfg, sec, NULL));
    for (int k = 0; k < mld_config_nkeys(cfg, sec); k++) {
        const char *key = mld_config_key(cfg, sec, k);
        if (strcmp(key, "token_sha256") != 0 && strcmp(key, "quarantine") != 0 &&
            strcmp(key, "section") != 0)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [push]: unknown key \"%s\" "
                               "(known: token_sha256, quarantine, section)",
                               mld_config_where(cfg, sec, key), key);
    }
    const char *hex = mld_config_get(cfg, sec, "token_sha256");
    if (hex == NULL)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: [push] needs token_sha256 = <SHA-256 of the token, in hex> "
                           "(`meldung token` makes a token and this line)",
                           mld_config_where(cfg, sec, NULL));
    struct mld_push *p = MLD_NEW(struct mld_push);
    if (parse_hash(hex, p->token_hash) != 0) {
        mld_push_free(p);
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: token_sha256 wants %d hex digits (the SHA-256 of the token), "
                           "got \"%.80s\"",
                           mld_config_where(cfg, sec, "token_sha256"), MLD_PUSH_HASH_HEX, hex);
    }
    const char *section = mld_config_get(cfg, sec, "section");
    if (section != NULL && (section[0] == '\0' || strlen(section) > MLD_MAX_SECTION_NAME_BYTES)) {
        mld_push_free(p);
        return mld_err_set(err, MLD_E_PARSE, "%s: section wants a name of 1 to %d bytes",
                           mld_config_where(cfg, sec, "section"), MLD_MAX_SECTION_NAME_BYTES);
    }
    p->section = section != NULL ? mld_strdup(section) : NULL;
    p->fails = mld_ratelimit_new(MLD_PUSH_FREE_FAILS, MLD_PUSH_BACKOFF_SECS,
                                 MLD_PUSH_BACKOFF_MAX_SECS);
    const char *q = mld_config_get(cfg, sec, "quarantine");
    if (q != NULL && q[0] != '\0') {
        p->quarantine = mld_strdup(q);
    } else {
        char dir[4096];
        mld_store_quarantine_dir(db_path, dir, sizeof(dir));
        p->quarantine = mld_strdup(dir);
    }
    *out = p;
    return 0;
}

void
mld_push_free(struct mld_push *p)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p->token_hash, sizeof(p->token_hash));
    mld_free(p->quarantine);
    mld_free(p->section);
    mld_ratelimit_free(p->fails);
    mld_free(p);
}

/* Answers ------------------------------------------------------------- */

/* Appends s as a JSON string. Messages may quote bytes of the document; if
 * they are not UTF-8, the non-ASCII bytes become '?'. */
static void
put_json_string(struct mld_buf *b, const char *s)
{
    bool utf8 = mld_utf8_valid(s, strlen(s));
    mld_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            mld_buf_putc(b, '\\');
            mld_buf_putc(b, (char)*p);
        } else if (*p < 0x20 || *p == 0x7f) {
            mld_buf_printf(b, "\\u%04x", *p);
        } else if (*p >= 0x80 && !utf8) {
            mld_buf_putc(b, '?');
        } else {
            mld_buf_putc(b, (char)*p);
        }
    }
    mld_buf_putc(b, '"');
}

/* A finished JSON answer with body b (consumed) and one optional extra
 * header. */
static struct mld_http_resp *
json_answer(int status, struct mld_buf *b, const char *hname, const char *hvalue)
{
    mld_buf_putc(b, '\n');
    struct mld_http_resp *r = mld_http_resp_new(status, "application/json; charset=utf-8",
                                                b->p != NULL ? b->p : "", b->len, 0);
    mld_buf_dispose(b);
    mld_http_resp_header(r, "Cache-Control", "no-store");
    if (hname != NULL)
        mld_http_resp_header(r, hname, hvalue);
    return mld_http_resp_finish(r, 0);
}

/* {"error": msg} with status. */
static struct mld_http_resp *
error_answer(int status, const char *msg, const char *hname, const char *hvalue)
{
    struct mld_buf b;
    mld_buf_init(&b, ANSWER_MAX);
    mld_buf_puts(&b, "{\"error\": ");
    put_json_string(&b, msg);
    mld_buf_putc(&b, '}');
    return json_answer(status, &b, hname, hvalue);
}

/* Request checks ------------------------------------------------------ */

enum auth { AUTH_OK, AUTH_MISSING, AUTH_INVALID };

/* Checks "Authorization: Bearer TOKEN" against the configured hash. */
static enum auth
check_token(const struct mld_push *p, const struct mld_http_req *req)
{
    const char *h = mld_http_req_header(req, "Authorization");
    if (h == NULL)
        return AUTH_MISSING;
    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return AUTH_MISSING;
    const char *tok = h + 6;
    while (*tok == ' ' || *tok == '\t')
        tok++;
    size_t n = strlen(tok);
    while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
        n--;
    if (n == 0)
        return AUTH_MISSING;
    /* Hashing first makes the comparison's time independent of how much
     * of the token matched; CRYPTO_memcmp adds no early exit of its own. */
    unsigned char got[HASH_BYTES];
    sha256(tok, n, got);
    bool same = CRYPTO_memcmp(got, p->token_hash, HASH_BYTES) == 0;
    OPENSSL_cleanse(got, sizeof(got));
    return same ? AUTH_OK : AUTH_INVALID;
}

/* Names this push: "push-20250128T081834Z-7.json". */
static void
push_name(char *out, size_t outlen, const char *body, size_t len)
{
    size_t i = len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    const char *ext = "bin";
    if (i < len && (body[i] == '{' || body[i] == '['))
        ext = "json";
    else if (i < len && body[i] == '<')
        ext = "xml";
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32];
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    unsigned long seq = atomic_fetch_add_explicit(&push_seq, 1, memory_order_relaxed) + 1;
    snprintf(out, outlen, "push-%s-%lu.%s", stamp, seq, ext);
}

/* Keeps a refused document in the quarantine folder, with why. */
static void
reject(const struct mld_push *p, const char *name, const struct mld_http_req *req,
       const struct mld_err *why)
{
    mld_log_warn("push: refused: %s", why->msg);
    if (req->body_len == 0)
        return;
    mld_pipeline_quarantine(p->quarantine, name, req->body, req->body_len, 0, why);
}

/* Storing ------------------------------------------------------------- */

/* Stores the articles of parsed in one transaction under lock. Returns 0
 * after COMMIT, or an error (everything rolled back). */
static int
store_locked(struct mld_store *st, pthread_mutex_t *lock, struct mld_parsed *parsed,
             struct mld_pipeline_counts *c, struct mld_err *err)
{
    pthread_mutex_lock(lock);
    int rc = mld_pipeline_store(st, parsed, c, NULL, err);
    pthread_mutex_unlock(lock);
    return rc;
}

/* The answer to a request that may not push (404, 405, 401), or NULL;
 * *auth says what the token check found. */
static struct mld_http_resp *
refusal(const struct mld_push *p, const struct mld_http_req *req, enum auth *auth)
{
    *auth = AUTH_MISSING;
    if (p == NULL)
        return error_answer(404, "not found: the push endpoint is not configured", NULL, NULL);
    if (req->method != MLD_HTTP_POST)
        return error_answer(405, "method not allowed: push with POST", "Allow", "POST");
    *auth = check_token(p, req);
    switch (*auth) {
    case AUTH_OK: break;
    case AUTH_MISSING:
        return error_answer(401, "authorization required: Authorization: Bearer TOKEN",
                            "WWW-Authenticate", "Bearer realm=\"meldung\"");
    case AUTH_INVALID:
        return error_answer(401, "invalid token", "WWW-Authenticate",
                            "Bearer realm=\"meldung\", error=\"invalid_token\"");
    }
    return NULL;
}

void
mld_push_admit(const struct mld_push *p, const struct mld_http_req *req, struct mld_http_admit *a)
{
    mld_time_t now = mld_time_now();
    if (p != NULL && req->method == MLD_HTTP_POST) {
        long wait = mld_ratelimit_check(p->fails, req->client, now);
        if (wait > 0) {
            char msg[128], secs[24];
            snprintf(msg, sizeof(msg), "too many invalid tokens from %s; retry in %ld s",
                     req->client, wait);
            snprintf(secs, sizeof(secs), "%ld", wait);
            a->resp = error_answer(429, msg, "Retry-After", secs);
            return;
        }
    }
    enum auth auth;
    a->resp = refusal(p, req, &auth);
    if (auth == AUTH_OK) {
        mld_ratelimit_ok(p->fails, req->client);
    } else if (auth == AUTH_INVALID) {
        long wait = mld_ratelimit_fail(p->fails, req->client, now);
        mld_log_warn("push: invalid token from %s%s", req->client,
                     wait > 0 ? "; it now waits before the next try" : "");
    }
}

struct mld_http_resp *
mld_push_handle(const struct mld_push *p, const struct mld_http_req *req, struct mld_store *st,
                pthread_mutex_t *lock)
{
    enum auth auth;
    struct mld_http_resp *no = refusal(p, req, &auth);
    if (no != NULL)
        return no;

    char name[80];
    push_name(name, sizeof(name), req->body, req->body_len);
    struct mld_err err = {0};
    const struct mld_format *fmt =
        req->body_len > 0 ? mld_format_detect(req->body, req->body_len) : NULL;
    if (fmt == NULL) {
        mld_err_set(&err, MLD_E_UNSUPPORTED, "%s: %s", name,
                    req->body_len > 0 ? "not a format meldung reads" : "empty body");
        reject(p, name, req, &err);
        return error_answer(415, err.msg, NULL, NULL);
    }

    struct mld_parsed parsed;
    struct mld_source src = {
        .name = name,
        .content_type = mld_http_req_header(req, "Content-Type"),
        .section = p->section,
    };
    int rc = mld_pipeline_parse(req->body, req->body_len, &src, fmt, &parsed, &err);
    if (rc != 0) {
        if (strncmp(err.msg, name, strlen(name)) != 0)
            mld_err_prefix(&err, "%s", name);
        reject(p, name, req, &err);
        return error_answer(422, err.msg, NULL, NULL);
    }

    struct mld_pipeline_counts c = {0};
    rc = store_locked(st, lock, &parsed, &c, &err);
    mld_parsed_dispose(&parsed);
    if (rc != 0) {
        mld_err_prefix(&err, "%s", name);
        if (rc != MLD_E_STORE) {
            /* The store refused an entry itself (no urn, ...): the
             * document's fault, not the store's. */
            reject(p, name, req, &err);
            return error_answer(422, err.msg, NULL, NULL);
        }
        mld_log_error("push: %s", err.msg);
        return error_answer(500, "the store failed; nothing was stored, try again", NULL, NULL);
    }
    long stored = c.inserted + c.updated + c.stale + c.withdrawn + c.held;
    struct mld_buf extra;
    mld_buf_init(&extra, 1024);
    mld_pipeline_counts_extra(&c, &extra);
    mld_log_info("push: %s (%s): %ld stored: %ld new, %ld updated, %ld older, %ld duplicates%s",
                 name, fmt->name, stored, c.inserted, c.updated, c.stale, c.duplicate,
                 extra.p != NULL ? extra.p : "");
    mld_buf_dispose(&extra);
    struct mld_buf out;
    mld_buf_init(&out, ANSWER_MAX);
    mld_buf_printf(&out,
                   "{\"stored\": %ld, \"new\": %ld, \"updated\": %ld, \"older\": %ld, "
                   "\"duplicates\": %ld, \"withdrawn\": %ld, \"held\": %ld, \"refused\": %ld, "
                   "\"dated_by_first_sight\": %ld, \"dated_in_the_future\": %ld}",
                   stored, c.inserted, c.updated, c.stale, c.duplicate, c.withdrawn, c.held,
                   c.refused, c.dated[MLD_DATE_SEEN], c.future);
    return json_answer(202, &out, NULL, NULL);
}
