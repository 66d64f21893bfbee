/*
 * editor.c - the editors' web interface and the admin gate of /status
 * (see editor.h, docs/internals/editors.md).
 *
 * A request is answered in three steps, so that the store lock is never
 * held while a password is checked (Argon2id takes tens of milliseconds)
 * or a page is rendered:
 *
 *   1. who: the session cookie's SHA-256 is looked up in the store;
 *   2. the route's work under the lock (read what the page shows, or do
 *      the action through editorial.c and write the audit log);
 *   3. the page is rendered from its JSON context through the site's
 *      templates (editor_*.mustache, with the site's head and foot).
 *
 * Pages are never cached: each answer is built for its session and says
 * Cache-Control: no-store. Forms are small url-encoded bodies; each POST
 * route refuses a body over its limit (limits.h MLD_EDITOR_*_BODY_MAX).
 */
#include "editor.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../ingest/sanitize.h"
#include "../store/editor.h"
#include "../text/slug.h"
#include "../text/wdiff.h"
#include "accounts.h"
#include "auth.h"
#include "editorial.h"
#include "page.h"
#include "push.h"
#include "ratelimit.h"
#include "status.h"

#define SESSION_COOKIE "mld_sitzung"
#define LOGIN_COOKIE "mld_anmeldung"
#define TOKEN_HEX (2 * MLD_SESSION_BYTES)
#define LOGIN_PATH MLD_EDITOR_PREFIX "/login"
#define LOGOUT_PATH MLD_EDITOR_PREFIX "/logout"
#define HOME_PATH MLD_EDITOR_PREFIX "/"
#define ARTICLE_PREFIX MLD_EDITOR_PREFIX "/artikel/"
#define AUDIT_PATH MLD_EDITOR_PREFIX "/audit"
#define HELD_PATH MLD_EDITOR_PREFIX "/zurueckgehalten"
#define PINS_PATH MLD_EDITOR_PREFIX "/aufmacher"
#define ACCOUNTS_PATH MLD_EDITOR_PREFIX "/konten"
#define STATUS_ALIAS MLD_EDITOR_PREFIX "/status"
#define FORM_TYPE "application/x-www-form-urlencoded"

/* Who sent the request. */
struct who {
    bool ok; /* a live session */
    int64_t account_id;
    char name[MLD_USER_NAME_MAX + 1];
    enum mld_role role;
    char csrf[TOKEN_HEX + 1];
    char id_hash[MLD_PUSH_HASH_HEX + 1]; /* SHA-256 of the session id */
};

bool
mld_editor_path(const char *path)
{
    size_t n = strlen(MLD_EDITOR_PREFIX);
    return (strncmp(path, MLD_EDITOR_PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/')) ||
           strcmp(path, MLD_STATUS_PATH) == 0;
}

/* Responses ------------------------------------------------------------------ */

/* Finishes r as an answer for one session only. */
static struct mld_http_resp *
private_resp(struct mld_http_resp *r)
{
    mld_http_resp_header(r, "Cache-Control", "no-store");
    return mld_http_resp_finish(r, MLD_HTTP_GZIP);
}

/* A 303 to location, with set_cookie (or NULL) as Set-Cookie. */
static struct mld_http_resp *
see_other(const char *location, const char *set_cookie)
{
    struct mld_http_resp *r = mld_http_resp_new(303, NULL, "", 0, 0);
    mld_http_resp_header(r, "Location", location);
    if (set_cookie != NULL)
        mld_http_resp_header(r, "Set-Cookie", set_cookie);
    return private_resp(r);
}

static struct mld_http_resp *
internal_error(const char *path, const struct mld_err *err)
{
    mld_log_error("%s: %s", path, err->msg);
    return mld_http_resp_text(500, "Interner Fehler\n", NULL);
}

/* A new context for an editors' page titled title: the site's navigation
 * (read under the lock) and who is logged in (editor: {name, role, admin,
 * csrf}); NULL with err set on a store error. */
static json_t *
new_context(const struct mld_editor_env *env, const struct who *w, const char *title,
            struct mld_err *err)
{
    json_t *ctx = json_object();
    pthread_mutex_lock(env->lock);
    int rc = mld_page_base_context(env->st, ctx, title, NULL, mld_time_now(), err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0) {
        json_decref(ctx);
        return NULL;
    }
    json_object_set_new(ctx, "noindex", json_true());
    if (w != NULL && w->ok) {
        json_t *ed = json_object();
        mld_page_set_str(ed, "name", w->name);
        mld_page_set_str(ed, "role", mld_auth_role_name(w->role));
        json_object_set_new(ed, "admin", json_boolean(w->role == MLD_ROLE_ADMIN));
        mld_page_set_str(ed, "csrf", w->csrf);
        json_object_set_new(ctx, "editor", ed);
    }
    return ctx;
}

/* Renders template name with ctx (taken) as an answer with status and
 * the headers hdr (name, value pairs ended by NULL; NULL for none). */
static struct mld_http_resp *
render(const struct mld_editor_env *env, const char *name, json_t *ctx, int status,
       const char *const *hdr)
{
    struct mld_page pg;
    memset(&pg, 0, sizeof(pg));
    pg.site = env->site;
    mld_buf_init(&pg.body, MLD_MAX_PAGE_BYTES);
    struct mld_err err = {0};
    int rc = mld_page_render_tmpl(env->tmpl, name, ctx, &pg, &err);
    struct mld_http_resp *r;
    if (rc != 0) {
        r = internal_error(name, &err);
    } else {
        r = mld_http_resp_new(status, "text/html; charset=utf-8", pg.body.p ? pg.body.p : "",
                              pg.body.len, 0);
        for (; hdr != NULL && hdr[0] != NULL; hdr += 2)
            mld_http_resp_header(r, hdr[0], hdr[1]);
        r = private_resp(r);
    }
    mld_page_dispose(&pg);
    return r;
}

/* The site's error page with status, a title and a sentence. */
static struct mld_http_resp *
error_page(const struct mld_editor_env *env, const struct who *w, int status, const char *title,
           const char *detail)
{
    struct mld_err err = {0};
    json_t *ctx = new_context(env, w, title, &err);
    if (ctx == NULL)
        return internal_error(title, &err);
    json_object_set_new(ctx, "status", json_integer(status));
    mld_page_set_str(ctx, "message", title);
    mld_page_set_str(ctx, "detail", detail);
    return render(env, "error", ctx, status, NULL);
}

/* Sessions -------------------------------------------------------------------- */

/* Fills w from the request's session cookie. Returns 0 (w->ok says
 * whether there is a live session) or MLD_E_STORE. */
static int
who_is(const struct mld_editor_env *env, const struct mld_http_req *req, struct who *w,
       struct mld_err *err)
{
    memset(w, 0, sizeof(*w));
    char id[TOKEN_HEX + 2];
    if (!mld_auth_cookie(mld_http_req_header(req, "Cookie"), SESSION_COOKIE, id, sizeof(id)) ||
        strlen(id) != TOKEN_HEX)
        return 0;
    mld_push_token_hash(id, strlen(id), w->id_hash);
    struct mld_session s;
    pthread_mutex_lock(env->lock);
    int rc = mld_store_session_get(env->st, w->id_hash, mld_time_now(), &s, err);
    pthread_mutex_unlock(env->lock);
    if (rc == MLD_E_NOTFOUND) {
        mld_err_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    w->ok = true;
    w->account_id = s.account_id;
    snprintf(w->name, sizeof(w->name), "%s", s.name);
    w->role = s.role;
    snprintf(w->csrf, sizeof(w->csrf), "%s", s.csrf);
    mld_session_dispose(&s);
    return 0;
}

/* Writes one audit line under the lock; a failure is logged (the action
 * it records has happened). */
static void
audit(const struct mld_editor_env *env, const char *actor, const char *action,
      const char *target, const char *after)
{
    struct mld_err err = {0};
    pthread_mutex_lock(env->lock);
    int rc = mld_store_audit_add(env->st, actor, action, target, NULL, after, mld_time_now(),
                                 &err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        mld_log_error("audit: %s", err.msg);
}

/* The body of a POST when it is a form within max bytes; else NULL with
 * *status (413, 415). */
static const char *
form_body(const struct mld_http_req *req, size_t max, int *status)
{
    const char *type = mld_http_req_header(req, "Content-Type");
    if (type == NULL || strncmp(type, FORM_TYPE, strlen(FORM_TYPE)) != 0) {
        *status = 415;
        return NULL;
    }
    if (req->body_len > max) {
        *status = 413;
        return NULL;
    }
    return req->body;
}

/* Refuses a POST whose form has no body or whose csrf field is not
 * token; NULL when it passes. */
static struct mld_http_resp *
check_form(const struct mld_editor_env *env, const struct who *w,
           const struct mld_http_req *req, size_t max, const char *token)
{
    int status = 0;
    const char *body = form_body(req, max, &status);
    if (body == NULL)
        return error_page(env, w, status,
                          status == 413 ? "Formular zu groß" : "Kein Formular",
                          status == 413 ? "Das Formular ist größer, als diese Seite annimmt"
                                        : "Die Anfrage ist kein Formular "
                                          "(application/x-www-form-urlencoded)");
    char csrf[TOKEN_HEX + 2];
    if (!mld_form_get(body, req->body_len, "csrf", csrf, sizeof(csrf)) ||
        !mld_auth_token_equal(csrf, token))
        return error_page(env, w, 403, "Formular abgelaufen",
                          "Das Formular trägt kein gültiges Sicherheitszeichen (CSRF); "
                          "bitte die Seite neu laden und noch einmal absenden");
    return NULL;
}

/* Login ------------------------------------------------------------------------- */

/* "/redaktion/..." or "/status" when weiter is such a path (no "//", no
 * scheme: the login sends nobody elsewhere); else the start page. */
static const char *
safe_next(const char *weiter)
{
    if (weiter != NULL && mld_editor_path(weiter) && strstr(weiter, "//") == NULL &&
        strpbrk(weiter, "\\\r\n\"<>") == NULL && strcmp(weiter, LOGOUT_PATH) != 0 &&
        strcmp(weiter, LOGIN_PATH) != 0)
        return weiter;
    return HOME_PATH;
}

/* The login form: a fresh pre-login token in its cookie and the form
 * (double-submit), message (or NULL) above it. */
static struct mld_http_resp *
login_form(const struct mld_editor_env *env, int status, const char *message, const char *name,
           const char *weiter, const char *retry_after)
{
    struct mld_err err = {0};
    char token[TOKEN_HEX + 1];
    if (mld_auth_new_token(token, &err) != 0)
        return internal_error(LOGIN_PATH, &err);
    json_t *ctx = new_context(env, NULL, "Anmeldung der Redaktion", &err);
    if (ctx == NULL)
        return internal_error(LOGIN_PATH, &err);
    mld_page_set_str(ctx, "csrf", token);
    mld_page_set_str(ctx, "message", message);
    mld_page_set_str(ctx, "name", name);
    mld_page_set_str(ctx, "weiter", safe_next(weiter));
    char cookie[TOKEN_HEX + 160];
    snprintf(cookie, sizeof(cookie),
             LOGIN_COOKIE "=%s; Max-Age=%d; Path=" LOGIN_PATH "; HttpOnly; Secure; "
                          "SameSite=Strict",
             token, MLD_LOGIN_FORM_SECS);
    const char *hdr[] = {"Set-Cookie", cookie, retry_after ? "Retry-After" : NULL, retry_after,
                         NULL};
    return render(env, "editor_login", ctx, status, hdr);
}

/* The login throttle, two keys: the account's own failures in a row
 * (account.failures, 0008; kept in the store, so a restart does not
 * reset them): after MLD_LOGIN_MAX_FAILURES an account waits
 * MLD_LOGIN_LOCK_SECS after its last failure; and the client's address
 * (env->logins, ratelimit.h: after MLD_LOGIN_ADDR_FREE_FAILS failures,
 * with any names, a back-off doubling up to MLD_LOGIN_ADDR_MAX_SECS), so
 * guessing across many names is slowed too. Returns the seconds to wait,
 * 0 when the attempt may go ahead. */
static long
login_throttled(const struct mld_editor_env *env, const struct mld_http_req *req,
                const struct mld_account *a, mld_time_t now)
{
    long wait = env->logins != NULL ? mld_ratelimit_check(env->logins, req->client, now) : 0;
    if (a != NULL && a->failures >= MLD_LOGIN_MAX_FAILURES) {
        mld_time_t until = a->last_failure + MLD_LOGIN_LOCK_SECS;
        if (until > now && until - now > wait)
            wait = (long)(until - now);
    }
    return wait;
}

/* Records the outcome of a login attempt from req's client for account a
 * (NULL: an unknown name, counted against the address only). */
static void
login_failed(const struct mld_editor_env *env, const struct mld_http_req *req,
             const struct mld_account *a, bool failed, mld_time_t now)
{
    if (env->logins != NULL) {
        if (failed)
            mld_ratelimit_fail(env->logins, req->client, now);
        else
            mld_ratelimit_ok(env->logins, req->client);
    }
    if (a == NULL)
        return;
    struct mld_err err = {0};
    pthread_mutex_lock(env->lock);
    int rc = mld_store_account_attempt(env->st, a->id, failed, now, &err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        mld_log_error("login: %s", err.msg);
}

/* Starts a session for account a: stores it, answers 303 to next with
 * its cookie. */
static struct mld_http_resp *
start_session(const struct mld_editor_env *env, const struct mld_account *a, const char *next,
              mld_time_t now)
{
    struct mld_err err = {0};
    char id[TOKEN_HEX + 1], csrf[TOKEN_HEX + 1], id_hash[MLD_PUSH_HASH_HEX + 1];
    if (mld_auth_new_token(id, &err) != 0 || mld_auth_new_token(csrf, &err) != 0)
        return internal_error(LOGIN_PATH, &err);
    mld_push_token_hash(id, strlen(id), id_hash);
    pthread_mutex_lock(env->lock);
    int rc = mld_store_session_add(env->st, id_hash, a->id, csrf, now, now + MLD_SESSION_SECS,
                                   &err);
    if (rc == 0)
        rc = mld_store_audit_add(env->st, a->name, "login", NULL, NULL,
                                 mld_auth_role_name(a->role), now, &err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        return internal_error(LOGIN_PATH, &err);
    char cookie[TOKEN_HEX + 160];
    snprintf(cookie, sizeof(cookie),
             SESSION_COOKIE "=%s; Max-Age=%d; Path=" MLD_EDITOR_PREFIX "; HttpOnly; Secure; "
                            "SameSite=Strict",
             id, MLD_SESSION_SECS);
    struct mld_http_resp *r = mld_http_resp_new(303, NULL, "", 0, 0);
    mld_http_resp_header(r, "Location", next);
    mld_http_resp_header(r, "Set-Cookie", cookie);
    /* The pre-login token has served. */
    mld_http_resp_header(r, "Set-Cookie",
                         LOGIN_COOKIE "=; Max-Age=0; Path=" LOGIN_PATH "; HttpOnly; Secure; "
                                      "SameSite=Strict");
    return private_resp(r);
}

/* POST /redaktion/login. */
static struct mld_http_resp *
login_post(const struct mld_editor_env *env, const struct mld_http_req *req)
{
    char token[TOKEN_HEX + 2];
    if (!mld_auth_cookie(mld_http_req_header(req, "Cookie"), LOGIN_COOKIE, token, sizeof(token)))
        token[0] = '\0';
    struct mld_http_resp *refused = check_form(env, NULL, req, MLD_EDITOR_LOGIN_BODY_MAX, token);
    if (refused != NULL)
        return refused;
    char name[MLD_USER_NAME_MAX + 2], pw[MLD_PASSWORD_MAX + 2], weiter[MLD_HTTP_MAX_PATH_BYTES];
    if (!mld_form_get(req->body, req->body_len, "weiter", weiter, sizeof(weiter)))
        weiter[0] = '\0';
    if (!mld_form_get(req->body, req->body_len, "name", name, sizeof(name)) ||
        !mld_form_get(req->body, req->body_len, "passwort", pw, sizeof(pw)) || name[0] == '\0' ||
        pw[0] == '\0')
        return login_form(env, 400, "Bitte Name und Passwort angeben.", NULL, weiter, NULL);
    struct mld_err err = {0};
    mld_time_t now = mld_time_now();
    struct mld_account a;
    bool known = mld_auth_user_name_ok(name, &err) == 0;
    mld_err_clear(&err);
    if (known) {
        pthread_mutex_lock(env->lock);
        int rc = mld_store_account_get(env->st, name, &a, &err);
        pthread_mutex_unlock(env->lock);
        if (rc != 0 && rc != MLD_E_NOTFOUND)
            return internal_error(LOGIN_PATH, &err);
        known = rc == 0;
    }
    long wait = login_throttled(env, req, known ? &a : NULL, now);
    if (wait > 0) {
        audit(env, known ? a.name : "-", "login-throttled", NULL, NULL);
        if (known)
            mld_account_dispose(&a);
        char secs[24], msg[160];
        snprintf(secs, sizeof(secs), "%ld", wait);
        snprintf(msg, sizeof(msg),
                 "Zu viele Fehlversuche. Bitte in %ld Minute(n) erneut versuchen.",
                 (wait + 59) / 60);
        return login_form(env, 429, msg, name, weiter, secs);
    }
    /* Outside the lock: Argon2id takes its time, and for an unknown name
     * as much as for a known one. */
    bool good = mld_auth_check_password(known ? a.pw_hash : NULL, pw);
    memset(pw, 0, sizeof(pw));
    login_failed(env, req, known ? &a : NULL, !good, now);
    if (!good) {
        bool plain = mld_auth_user_name_ok(name, &err) == 0; /* safe to repeat */
        audit(env, known ? a.name : "-", "login-failed", known || !plain ? NULL : name,
              known ? NULL : "unbekannter Name");
        if (known)
            mld_account_dispose(&a);
        return login_form(env, 401, "Name oder Passwort ist falsch.", name, weiter, NULL);
    }
    struct mld_http_resp *r = start_session(env, &a, safe_next(weiter), now);
    mld_account_dispose(&a);
    return r;
}

/* POST /redaktion/logout. */
static struct mld_http_resp *
logout_post(const struct mld_editor_env *env, const struct mld_http_req *req, const struct who *w)
{
    struct mld_http_resp *refused = check_form(env, w, req, MLD_EDITOR_LOGOUT_BODY_MAX, w->csrf);
    if (refused != NULL)
        return refused;
    struct mld_err err = {0};
    pthread_mutex_lock(env->lock);
    int rc = mld_store_session_del(env->st, w->id_hash, &err);
    if (rc == 0)
        rc = mld_store_audit_add(env->st, w->name, "logout", NULL, NULL, NULL, mld_time_now(),
                                 &err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        return internal_error(LOGOUT_PATH, &err);
    return see_other(LOGIN_PATH, SESSION_COOKIE "=; Max-Age=0; Path=" MLD_EDITOR_PREFIX
                                                "; HttpOnly; Secure; SameSite=Strict");
}

/* Pages ----------------------------------------------------------------------- */

/* Sets "published" of o (German short date) from t. */
static void
set_short(json_t *o, const char *key, mld_time_t t)
{
    if (t <= 0)
        return;
    char buf[MLD_TIME_SHORT_LEN + 1];
    mld_time_format_short(t, buf);
    mld_page_set_str(o, key, buf);
}

/* The page number of ?seite=N (1..MLD_LIST_MAX_PAGES), 0 when invalid. */
static int
page_arg(const struct mld_http_req *req)
{
    const char *s = mld_http_req_arg(req, "seite");
    if (s == NULL)
        return 1;
    char *end;
    long v = strtol(s, &end, 10);
    return *s >= '1' && *s <= '9' && *end == '\0' && v <= MLD_LIST_MAX_PAGES ? (int)v : 0;
}

/* Writes the editors' path of article id to out. */
static void
editor_article_path(int64_t id, char *out, size_t size)
{
    snprintf(out, size, ARTICLE_PREFIX "%" PRId64, id);
}

/* The search hits of q as rows[] of ctx, or its message. */
static int
home_search(const struct mld_editor_env *env, const char *q, json_t *ctx, struct mld_err *err)
{
    struct mld_search s = {.text = q, .now = mld_time_now(), .limit = MLD_EDITOR_LIST};
    struct mld_hits hits = {0};
    pthread_mutex_lock(env->lock);
    int rc = mld_store_search(env->st, &s, &hits, err);
    pthread_mutex_unlock(env->lock);
    if (rc == MLD_E_PARSE) {
        mld_page_set_str(ctx, "message", err->msg);
        mld_err_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    json_t *rows = json_array();
    for (int i = 0; i < hits.n; i++) {
        const struct mld_item *it = &hits.v[i].item;
        json_t *o = json_object();
        char url[64];
        editor_article_path(it->id, url, sizeof(url));
        mld_page_set_str(o, "url", url);
        json_object_set_new(o, "id", json_integer(it->id));
        mld_page_set_str(o, "headline", it->a->headline ? it->a->headline : "(ohne Titel)");
        mld_page_set_str(o, "section", it->a->section);
        set_short(o, "published", it->published);
        mld_page_set_str(o, "shown", mld_ed_shown_de(MLD_PUB_USABLE, MLD_ED_NONE));
        json_array_append_new(rows, o);
    }
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "has_rows", json_boolean(hits.n > 0));
    mld_hits_dispose(&hits);
    return 0;
}

/* The newest articles, any status (held: the held queue), as rows[] of
 * ctx, paged under path. */
static int
latest_rows(const struct mld_editor_env *env, bool held, const char *path, int seite,
            json_t *ctx, struct mld_err *err)
{
    struct mld_ed_row *v;
    int n;
    bool more;
    pthread_mutex_lock(env->lock);
    int rc = mld_store_ed_latest(env->st, held, MLD_EDITOR_LIST, (seite - 1) * MLD_EDITOR_LIST,
                                 &v, &n, &more, err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        return rc;
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        char url[64];
        editor_article_path(v[i].id, url, sizeof(url));
        mld_page_set_str(o, "url", url);
        json_object_set_new(o, "id", json_integer(v[i].id));
        mld_page_set_str(o, "headline", v[i].headline ? v[i].headline : "(ohne Titel)");
        mld_page_set_str(o, "section", v[i].section);
        set_short(o, "published", v[i].published);
        mld_page_set_str(o, "shown", mld_ed_shown_de(v[i].pubstatus, v[i].state));
        mld_page_set_str(o, "reason", v[i].reason);
        mld_page_set_str(o, "by", v[i].by);
        json_array_append_new(rows, o);
    }
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "has_rows", json_boolean(n > 0));
    json_object_set_new(ctx, "latest", json_true());
    mld_page_set_pager(ctx, path, seite, more);
    mld_ed_rows_free(v, n);
    return 0;
}

/* GET /redaktion/: search box and the newest articles. */
static struct mld_http_resp *
home_page(const struct mld_editor_env *env, const struct mld_http_req *req, const struct who *w)
{
    const char *q = mld_http_req_arg(req, "q");
    if (q != NULL && q[0] != '\0' && strspn(q, "0123456789") == strlen(q) && strlen(q) < 19) {
        char url[64];
        snprintf(url, sizeof(url), ARTICLE_PREFIX "%s", q); /* a number: that article */
        return see_other(url, NULL);
    }
    int seite = page_arg(req);
    if (seite == 0)
        return error_page(env, w, 400, "Ungültige Seitenzahl", "Die Anfrage ist ungültig");
    struct mld_err err = {0};
    json_t *ctx = new_context(env, w, "Redaktion", &err);
    if (ctx == NULL)
        return internal_error(HOME_PATH, &err);
    int rc;
    if (q != NULL && q[0] != '\0') {
        mld_page_set_str(ctx, "q", q);
        rc = home_search(env, q, ctx, &err);
    } else {
        rc = latest_rows(env, false, HOME_PATH, seite, ctx, &err);
    }
    if (rc != 0) {
        json_decref(ctx);
        return internal_error(HOME_PATH, &err);
    }
    return render(env, "editor_home", ctx, 200, NULL);
}

/* GET /redaktion/zurueckgehalten: what waits for release, held by an
 * editor or by the agency, newest first, each with a release button. */
static struct mld_http_resp *
held_page(const struct mld_editor_env *env, const struct mld_http_req *req, const struct who *w)
{
    int seite = page_arg(req);
    if (seite == 0)
        return error_page(env, w, 400, "Ungültige Seitenzahl", "Die Anfrage ist ungültig");
    struct mld_err err = {0};
    json_t *ctx = new_context(env, w, "Zurückgehaltene Meldungen", &err);
    if (ctx == NULL || latest_rows(env, true, HELD_PATH, seite, ctx, &err) != 0) {
        json_decref(ctx);
        return internal_error(HELD_PATH, &err);
    }
    return render(env, "editor_held", ctx, 200, NULL);
}

/* The home page's pins in order as pins[] of ctx: each with what readers
 * see of it and the places to move it to (up, down). */
static int
pins_json(const struct mld_editor_env *env, json_t *ctx, struct mld_err *err)
{
    int64_t *ids = NULL;
    int n = 0;
    json_t *arr = json_array();
    pthread_mutex_lock(env->lock);
    int rc = mld_store_pins(env->st, &ids, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        struct mld_item it;
        struct mld_editorial ed = {0};
        rc = mld_store_get(env->st, ids[i], &it, err);
        if (rc != 0)
            break;
        rc = mld_store_editorial_get(env->st, ids[i], &ed, err);
        json_t *o = json_object();
        char url[64];
        editor_article_path(ids[i], url, sizeof(url));
        mld_page_set_str(o, "url", url);
        json_object_set_new(o, "id", json_integer(ids[i]));
        json_object_set_new(o, "place", json_integer(i + 1));
        mld_page_set_str(o, "headline", it.a->headline ? it.a->headline : "(ohne Titel)");
        mld_page_set_str(o, "section", it.a->section);
        set_short(o, "published", it.published);
        mld_page_set_str(o, "shown", mld_ed_shown_de(it.a->pubstatus, ed.state));
        bool visible = it.a->pubstatus == MLD_PUB_USABLE;
        json_object_set_new(o, "visible", json_boolean(visible));
        if (visible && i > 0)
            json_object_set_new(o, "up", json_integer(i));
        if (visible && i + 1 < n)
            json_object_set_new(o, "down", json_integer(i + 2));
        json_array_append_new(arr, o);
        mld_editorial_dispose(&ed);
        mld_item_dispose(&it);
    }
    pthread_mutex_unlock(env->lock);
    mld_free(ids);
    json_object_set_new(ctx, "pins", arr);
    json_object_set_new(ctx, "has_pins", json_boolean(n > 0));
    json_object_set_new(ctx, "pin_max", json_integer(MLD_EDITOR_PINS));
    return rc;
}

/* GET /redaktion/aufmacher: the pinned lead stories in order, with
 * buttons to move each up or down and to unpin it (forms posting the
 * pin and unpin actions of the article, which come back here). */
static struct mld_http_resp *
pins_page(const struct mld_editor_env *env, const struct who *w, const char *done)
{
    struct mld_err err = {0};
    json_t *ctx = new_context(env, w, "Aufmacher der Startseite", &err);
    if (ctx == NULL || pins_json(env, ctx, &err) != 0) {
        json_decref(ctx);
        return internal_error(PINS_PATH, &err);
    }
    mld_page_set_str(ctx, "done", done);
    return render(env, "editor_pins", ctx, 200, NULL);
}

/* GET /redaktion/konten (and the answer to a refused change: status and
 * message): every account with its role, last login and lock, the forms
 * to change them and to add one (admins). */
static struct mld_http_resp *
accounts_page(const struct mld_editor_env *env, const struct who *w, int status,
              const char *message, const char *done)
{
    struct mld_err err = {0};
    struct mld_account *v = NULL;
    int n = 0;
    pthread_mutex_lock(env->lock);
    int rc = mld_store_accounts(env->st, &v, &n, &err);
    pthread_mutex_unlock(env->lock);
    json_t *ctx = rc == 0 ? new_context(env, w, "Konten", &err) : NULL;
    if (ctx != NULL) {
        mld_time_t now = mld_time_now();
        json_t *rows = json_array();
        for (int i = 0; i < n; i++) {
            json_t *o = json_object();
            mld_page_set_str(o, "name", v[i].name);
            mld_page_set_str(o, "role", mld_auth_role_name(v[i].role));
            json_object_set_new(o, "admin", json_boolean(v[i].role == MLD_ROLE_ADMIN));
            set_short(o, "created", v[i].created);
            set_short(o, "last_login", v[i].last_login);
            json_object_set_new(o, "locked", json_boolean(mld_account_locked(&v[i], now)));
            json_object_set_new(o, "failures", json_integer(v[i].failures));
            json_object_set_new(o, "self", json_boolean(strcmp(v[i].name, w->name) == 0));
            json_array_append_new(rows, o);
        }
        json_object_set_new(ctx, "accounts", rows);
        json_object_set_new(ctx, "pw_min", json_integer(MLD_PASSWORD_MIN));
        json_object_set_new(ctx, "pw_max", json_integer(MLD_PASSWORD_MAX));
        json_object_set_new(ctx, "name_max", json_integer(MLD_USER_NAME_MAX));
        mld_page_set_str(ctx, "message", message);
        mld_page_set_str(ctx, "done", done);
    }
    for (int i = 0; i < n; i++)
        mld_account_dispose(&v[i]);
    mld_free(v);
    if (ctx == NULL)
        return internal_error(ACCOUNTS_PATH, &err);
    return render(env, "editor_accounts", ctx, status, NULL);
}

/* The account changes of the accounts page (aktion) and their German
 * confirmations. */
static const struct {
    const char *aktion;
    enum mld_account_change change;
    const char *done;
} account_actions[] = {
    {"add", MLD_ACCOUNT_ADD, "Das Konto ist angelegt."},
    {"role", MLD_ACCOUNT_ROLE, "Die Rolle ist geändert."},
    {"passwd", MLD_ACCOUNT_PASSWD, "Das Passwort ist neu gesetzt, die Sitzungen des Kontos sind beendet."},
    {"del", MLD_ACCOUNT_DEL, "Das Konto ist gelöscht."},
};

/* POST /redaktion/konten: one change (aktion = add, role, passwd, del;
 * name, rolle, passwort). Success: 303 back (?erledigt=ACTION); refusal:
 * the page with the reason. */
static struct mld_http_resp *
accounts_post(const struct mld_editor_env *env, const struct mld_http_req *req,
              const struct who *w)
{
    struct mld_http_resp *refused = check_form(env, w, req, MLD_EDITOR_ACCOUNT_BODY_MAX, w->csrf);
    if (refused != NULL)
        return refused;
    char aktion[16], name[MLD_USER_NAME_MAX + 2], rolle[16], pw[MLD_PASSWORD_MAX + 2];
    int k = -1;
    if (mld_form_get(req->body, req->body_len, "aktion", aktion, sizeof(aktion)))
        for (size_t i = 0; i < sizeof(account_actions) / sizeof(account_actions[0]); i++)
            if (strcmp(aktion, account_actions[i].aktion) == 0)
                k = (int)i;
    if (k < 0)
        return accounts_page(env, w, 400, "Unbekannte Aktion.", NULL);
    enum mld_account_change change = account_actions[k].change;
    if (!mld_form_get(req->body, req->body_len, "name", name, sizeof(name)) || name[0] == '\0')
        return accounts_page(env, w, 400, "Bitte einen Namen angeben.", NULL);
    enum mld_role role = 0;
    if (change == MLD_ACCOUNT_ADD || change == MLD_ACCOUNT_ROLE) {
        if (mld_form_get(req->body, req->body_len, "rolle", rolle, sizeof(rolle)))
            role = mld_auth_parse_role(rolle);
        if (role == 0)
            return accounts_page(env, w, 400, "Bitte eine Rolle wählen (editor oder admin).",
                                 NULL);
    }
    struct mld_err err = {0};
    char hash[MLD_ARGON2_ENCODED_MAX] = "";
    if (change == MLD_ACCOUNT_ADD || change == MLD_ACCOUNT_PASSWD) {
        /* Outside the lock: Argon2id takes its time. */
        int rc = mld_form_get(req->body, req->body_len, "passwort", pw, sizeof(pw))
                     ? mld_auth_password_ok(pw, &err)
                     : mld_err_set(&err, MLD_E_INVAL, "password missing");
        if (rc == 0)
            rc = mld_auth_hash_password(pw, hash, &err);
        memset(pw, 0, sizeof(pw));
        if (rc == MLD_E_INVAL) {
            char msg[MLD_ERR_MSG_MAX + 32];
            snprintf(msg, sizeof(msg), "Abgelehnt: %s", err.msg);
            return accounts_page(env, w, 422, msg, NULL);
        }
        if (rc != 0)
            return internal_error(ACCOUNTS_PATH, &err);
    }
    pthread_mutex_lock(env->lock);
    int rc = mld_account_change(env->st, change, w->name, name, role, hash, mld_time_now(), &err);
    pthread_mutex_unlock(env->lock);
    memset(hash, 0, sizeof(hash));
    if (rc == MLD_E_NOTFOUND || rc == MLD_E_INVAL) {
        char msg[MLD_ERR_MSG_MAX + 32];
        snprintf(msg, sizeof(msg), "Abgelehnt: %s", err.msg);
        return accounts_page(env, w, rc == MLD_E_NOTFOUND ? 404 : 422, msg, NULL);
    }
    if (rc != 0)
        return internal_error(ACCOUNTS_PATH, &err);
    char url[64];
    snprintf(url, sizeof(url), ACCOUNTS_PATH "?erledigt=%s", account_actions[k].aktion);
    return see_other(url, NULL);
}

/* The confirmation of ?erledigt=ACTION on the accounts page, or NULL. */
static const char *
account_done(const struct mld_http_req *req)
{
    const char *done = mld_http_req_arg(req, "erledigt");
    for (size_t i = 0; done != NULL && i < sizeof(account_actions) / sizeof(account_actions[0]);
         i++)
        if (strcmp(done, account_actions[i].aktion) == 0)
            return account_actions[i].done;
    return NULL;
}

/* True when the strings differ (NULL and "" are the same). */
static bool
differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Sets "text_diff" of o to the word-level diff (wdiff.h) of the texts of
 * the bodies a and b, HTML; leaves it out when either cannot be read or
 * the change is too large to compare (the changed fields still say it). */
static void
text_diff(json_t *o, const char *a, const char *b)
{
    struct mld_err err = {0};
    char *ta = mld_html_to_text(a ? a : "", a ? strlen(a) : 0, &err);
    char *tb = ta != NULL ? mld_html_to_text(b ? b : "", b ? strlen(b) : 0, &err) : NULL;
    struct mld_buf out;
    mld_buf_init(&out, MLD_MAX_PAGE_BYTES / 4);
    bool changed = false;
    if (tb != NULL && mld_wdiff_html(ta, tb, &out, &changed) == 0 && changed &&
        mld_buf_error(&out) == 0)
        mld_page_set_str(o, "text_diff", out.p);
    mld_buf_dispose(&out);
    mld_free(ta);
    mld_free(tb);
}

/* The versions as versions[]: each with what changed from the one
 * before ("Überschrift, Vorspann, Text"), the old and new headline and
 * teaser when they changed, and whether it came after the editors'
 * decision at decided (0: none). Sets "since_decision" to the count of
 * those. */
static void
versions_json(const struct mld_ed_version *v, int n, mld_time_t decided, json_t *ctx)
{
    json_t *arr = json_array();
    int after = 0;
    for (int i = n - 1; i >= 0; i--) { /* newest first */
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer(v[i].version));
        set_short(o, "created", v[i].version_created);
        set_short(o, "stored", v[i].stored_at);
        mld_page_set_str(o, "status", mld_ed_shown_de(v[i].pubstatus, MLD_ED_NONE));
        json_object_set_new(o, "applied", json_boolean(v[i].applied));
        bool late = decided > 0 && v[i].stored_at >= decided;
        json_object_set_new(o, "after_decision", json_boolean(late));
        after += late;
        if (i > 0) {
            const struct mld_ed_version *p = &v[i - 1];
            struct mld_buf changed;
            mld_buf_init(&changed, 96);
            if (differs(p->headline, v[i].headline)) {
                mld_buf_puts(&changed, "Überschrift");
                json_object_set_new(o, "headline_changed", json_true()); /* either may be empty */
                mld_page_set_str(o, "old_headline", p->headline);
                mld_page_set_str(o, "new_headline", v[i].headline);
            }
            if (differs(p->teaser, v[i].teaser)) {
                mld_buf_puts(&changed, changed.len > 0 ? ", Vorspann" : "Vorspann");
                json_object_set_new(o, "teaser_changed", json_true());
                mld_page_set_str(o, "old_teaser", p->teaser);
                mld_page_set_str(o, "new_teaser", v[i].teaser);
            }
            if (differs(p->body_html, v[i].body_html)) {
                mld_buf_puts(&changed, changed.len > 0 ? ", Text" : "Text");
                text_diff(o, p->body_html, v[i].body_html);
            }
            if (p->pubstatus != v[i].pubstatus)
                mld_buf_puts(&changed, changed.len > 0 ? ", Status" : "Status");
            mld_page_set_str(o, "changed", changed.len > 0 ? changed.p : "nichts am Inhalt");
            mld_buf_dispose(&changed);
        } else {
            mld_page_set_str(o, "changed", "erste Fassung");
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(ctx, "versions", arr);
    json_object_set_new(ctx, "nversions", json_integer(n)); /* the list counts down from it */
    if (after > 0)
        json_object_set_new(ctx, "since_decision", json_integer(after));
}

/* The section choice (every section readers see, the article's own
 * selected) and the topics ("A, B") of it for the forms, into art. */
static void
fields_json(const struct mld_item *it, const struct mld_named *secs, int nsecs, json_t *art)
{
    json_t *list = json_array();
    bool own = false;
    for (int i = 0; i < nsecs; i++) {
        json_t *o = json_object();
        mld_page_set_str(o, "slug", secs[i].slug);
        mld_page_set_str(o, "name", secs[i].name);
        bool sel = it->section_slug != NULL && strcmp(it->section_slug, secs[i].slug) == 0;
        own = own || sel;
        json_object_set_new(o, "selected", json_boolean(sel));
        json_array_append_new(list, o);
    }
    if (!own && it->section_slug != NULL) { /* a section with nothing visible but this */
        json_t *o = json_object();
        mld_page_set_str(o, "slug", it->section_slug);
        mld_page_set_str(o, "name", it->a->section);
        json_object_set_new(o, "selected", json_true());
        json_array_append_new(list, o);
    }
    json_object_set_new(art, "sections", list);
    struct mld_buf b;
    mld_buf_init(&b, MLD_EDITOR_TEXT_MAX);
    for (int i = 0; i < it->a->ntopics; i++) {
        if (i > 0)
            mld_buf_puts(&b, ", ");
        mld_buf_puts(&b, it->a->topics[i]);
    }
    mld_page_set_str(art, "topics", b.p != NULL ? b.p : "");
    mld_buf_dispose(&b);
}

/* GET /redaktion/artikel/ID (and the answer to a refused action: status
 * and message). */
static struct mld_http_resp *
article_page(const struct mld_editor_env *env, const struct who *w, int64_t id, int status,
             const char *message, const char *done)
{
    struct mld_err err = {0};
    struct mld_item it;
    struct mld_editorial ed = {0};
    struct mld_ed_version *v = NULL;
    int nv = 0;
    int pinned = 0;
    struct mld_named *secs = NULL;
    int nsecs = 0;
    pthread_mutex_lock(env->lock);
    int rc = mld_store_get(env->st, id, &it, &err);
    if (rc == 0) {
        rc = mld_store_editorial_get(env->st, id, &ed, &err);
        if (rc == 0)
            rc = mld_store_sections(env->st, mld_time_now(), &secs, &nsecs, &err);
        if (rc == 0)
            rc = mld_editorial_pin_pos(env->st, id, &pinned, &err);
        if (rc == 0)
            rc = mld_store_ed_versions(env->st, id, &v, &nv, &err);
        if (rc != 0)
            mld_item_dispose(&it);
    }
    pthread_mutex_unlock(env->lock);
    if (rc == MLD_E_NOTFOUND)
        return error_page(env, w, 404, "Meldung nicht gefunden",
                          "Eine Meldung mit dieser Nummer gibt es nicht");
    if (rc != 0)
        return internal_error(ARTICLE_PREFIX, &err);
    json_t *ctx = new_context(env, w, it.a->headline ? it.a->headline : "Meldung", &err);
    if (ctx != NULL) {
        json_t *art = json_object();
        json_object_set_new(art, "id", json_integer(id));
        mld_page_set_str(art, "headline", it.a->headline ? it.a->headline : "(ohne Titel)");
        mld_page_set_str(art, "teaser", it.a->teaser);
        mld_page_set_str(art, "section", it.a->section);
        mld_page_set_str(art, "urn", it.a->urn);
        set_short(art, "published", it.published);
        mld_page_set_str(art, "shown", mld_ed_shown_de(it.a->pubstatus, ed.state));
        char url[MLD_SLUG_MAX + 64];
        mld_page_article_path(it.slug, id, url, sizeof(url));
        mld_page_set_str(art, "public_url", url);
        editor_article_path(id, url, sizeof(url));
        mld_page_set_str(art, "action_url", url);
        json_object_set_new(ctx, "article", art);
        json_t *st = json_object();
        mld_page_set_str(st, "state", mld_ed_state_de(ed.state));
        mld_page_set_str(st, "reason", ed.reason);
        mld_page_set_str(st, "by", ed.by);
        set_short(st, "at", ed.at);
        json_object_set_new(st, "none", json_boolean(ed.state == MLD_ED_NONE));
        json_object_set_new(st, "held", json_boolean(ed.state == MLD_ED_HELD));
        json_object_set_new(st, "withdrawn", json_boolean(ed.state == MLD_ED_WITHDRAWN));
        json_object_set_new(st, "released", json_boolean(ed.state == MLD_ED_RELEASED));
        json_object_set_new(st, "holdable",
                            json_boolean((ed.state == MLD_ED_NONE || ed.state == MLD_ED_RELEASED) &&
                                         it.a->pubstatus == MLD_PUB_USABLE));
        json_object_set_new(st, "pinned", json_boolean(pinned > 0));
        json_object_set_new(st, "lead", json_boolean(pinned == 1));
        if (pinned > 1)
            json_object_set_new(st, "pin_place", json_integer(pinned));
        json_object_set_new(st, "pin_max", json_integer(MLD_EDITOR_PINS));
        json_object_set_new(st, "pinnable", json_boolean(it.a->pubstatus == MLD_PUB_USABLE));
        json_object_set_new(st, "releasable",
                            json_boolean(ed.state == MLD_ED_HELD ||
                                         (ed.state == MLD_ED_NONE &&
                                          (it.a->pubstatus == MLD_PUB_HELD ||
                                           it.a->pubstatus == MLD_PUB_WITHHELD))));
        json_t *notes = json_array();
        for (int i = 0; i < ed.nnotes; i++) {
            json_t *o = json_object();
            mld_page_set_str(o, "note", ed.notes[i].note);
            mld_page_set_str(o, "by", ed.notes[i].by);
            set_short(o, "at", ed.notes[i].at);
            json_array_append_new(notes, o);
        }
        json_object_set_new(st, "notes", notes);
        json_object_set_new(st, "has_notes", json_boolean(ed.nnotes > 0));
        json_object_set_new(ctx, "editorial", st);
        fields_json(&it, secs, nsecs, art);
        json_object_set_new(art, "story_id", json_integer(it.story_id));
        snprintf(url, sizeof(url), "/geschichte/%" PRId64, it.story_id);
        mld_page_set_str(art, "story_url", url);
        versions_json(v, nv, ed.at, ctx);
        mld_page_set_str(ctx, "message", message);
        mld_page_set_str(ctx, "done", done);
    }
    mld_ed_versions_free(v, nv);
    mld_named_free(secs, nsecs);
    mld_editorial_dispose(&ed);
    mld_item_dispose(&it);
    if (ctx == NULL)
        return internal_error(ARTICLE_PREFIX, &err);
    return render(env, "editor_article", ctx, status, NULL);
}

/* German confirmations of the actions. */
static const char *
done_de(enum mld_ed_action act)
{
    switch (act) {
    case MLD_ACT_WITHDRAW: return "Die Meldung ist zurückgezogen.";
    case MLD_ACT_HOLD: return "Die Meldung ist zurückgehalten, bis sie freigegeben wird.";
    case MLD_ACT_CORRECT: return "Der Korrekturhinweis ist veröffentlicht.";
    case MLD_ACT_RELEASE: return "Die Meldung ist freigegeben und wieder zu sehen.";
    case MLD_ACT_PIN: return "Die Meldung ist als Aufmacher der Startseite angeheftet.";
    case MLD_ACT_UNPIN: return "Die Startseite wählt ihren Aufmacher wieder selbst.";
    case MLD_ACT_SECTION: return "Das Ressort ist geändert.";
    case MLD_ACT_TOPICS: return "Die Themen sind geändert.";
    case MLD_ACT_SPLIT: return "Die Meldung ist jetzt eine Geschichte für sich.";
    case MLD_ACT_MERGE: return "Die Geschichten sind zusammengeführt.";
    }
    return NULL;
}

/* The confirmation of ?erledigt=ACTION (an article's action), or NULL. */
static const char *
action_done(const struct mld_http_req *req)
{
    const char *done = mld_http_req_arg(req, "erledigt");
    int act = done != NULL ? mld_ed_parse_action(done) : -1;
    return act >= 0 ? done_de((enum mld_ed_action)act) : NULL;
}

/* POST /redaktion/artikel/ID: one action (aktion = withdraw, hold,
 * release, correct, ...; text = reason, note, ...). Success: 303 back to the
 * page (?erledigt=ACTION); refusal: the page with the reason. */
static struct mld_http_resp *
article_post(const struct mld_editor_env *env, const struct mld_http_req *req,
             const struct who *w, int64_t id)
{
    struct mld_http_resp *refused = check_form(env, w, req, MLD_EDITOR_ACTION_BODY_MAX, w->csrf);
    if (refused != NULL)
        return refused;
    char aktion[16], text[MLD_EDITOR_TEXT_MAX + 2];
    int act = -1;
    if (mld_form_get(req->body, req->body_len, "aktion", aktion, sizeof(aktion)))
        act = mld_ed_parse_action(aktion);
    if (act < 0)
        return article_page(env, w, id, 400, "Unbekannte Aktion.", NULL);
    bool has_text = mld_form_get(req->body, req->body_len, "text", text, sizeof(text));
    if (!has_text && (act == MLD_ACT_WITHDRAW || act == MLD_ACT_CORRECT) &&
        strstr(req->body, "text=") != NULL)
        return article_page(env, w, id, 400, "Der Text ist zu lang (höchstens 2000 Bytes).",
                            NULL);
    struct mld_err err = {0};
    pthread_mutex_lock(env->lock);
    int rc = mld_editorial_act(env->st, id, (enum mld_ed_action)act, has_text ? text : NULL,
                               w->name, mld_time_now(), &err);
    pthread_mutex_unlock(env->lock);
    if (rc == MLD_E_NOTFOUND)
        return error_page(env, w, 404, "Meldung nicht gefunden",
                          "Eine Meldung mit dieser Nummer gibt es nicht");
    if (rc == MLD_E_INVAL) {
        char msg[MLD_ERR_MSG_MAX + 32];
        snprintf(msg, sizeof(msg), "Abgelehnt: %s", err.msg);
        return article_page(env, w, id, 422, msg, NULL);
    }
    if (rc != 0)
        return internal_error(ARTICLE_PREFIX, &err);
    /* The lists that act on an article come back to themselves (zurueck:
     * one of those pages; anything else is the article's page). */
    char back[48], url[112];
    if (!mld_form_get(req->body, req->body_len, "zurueck", back, sizeof(back)) ||
        (strcmp(back, PINS_PATH) != 0 && strcmp(back, HELD_PATH) != 0))
        snprintf(back, sizeof(back), ARTICLE_PREFIX "%" PRId64, id);
    snprintf(url, sizeof(url), "%s?erledigt=%s", back,
             mld_ed_action_name((enum mld_ed_action)act));
    return see_other(url, NULL);
}

/* GET /redaktion/audit: the audit log, newest first, paged. */
static struct mld_http_resp *
audit_page(const struct mld_editor_env *env, const struct mld_http_req *req, const struct who *w)
{
    int seite = page_arg(req);
    if (seite == 0)
        return error_page(env, w, 400, "Ungültige Seitenzahl", "Die Anfrage ist ungültig");
    struct mld_err err = {0};
    struct mld_audit *v;
    int n;
    bool more;
    pthread_mutex_lock(env->lock);
    int rc = mld_store_audit(env->st, MLD_AUDIT_PAGE, (seite - 1) * MLD_AUDIT_PAGE, &v, &n, &more,
                             &err);
    pthread_mutex_unlock(env->lock);
    if (rc != 0)
        return internal_error(AUDIT_PATH, &err);
    json_t *ctx = new_context(env, w, "Protokoll", &err);
    if (ctx == NULL) {
        mld_audit_free(v, n);
        return internal_error(AUDIT_PATH, &err);
    }
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        char at[MLD_TIME_LONG_LEN + 1], iso[MLD_TIME_ISO_LEN + 1];
        mld_time_format_long(v[i].at, at);
        mld_time_format_iso(v[i].at, iso);
        mld_page_set_str(o, "at", at);
        mld_page_set_str(o, "at_iso", iso);
        mld_page_set_str(o, "actor", v[i].actor);
        mld_page_set_str(o, "action", v[i].action);
        mld_page_set_str(o, "target", v[i].target);
        int64_t aid = 0;
        if (v[i].target != NULL && sscanf(v[i].target, "article:%" SCNd64, &aid) == 1 && aid > 0) {
            char url[64];
            editor_article_path(aid, url, sizeof(url));
            mld_page_set_str(o, "target_url", url);
        }
        mld_page_set_str(o, "before", v[i].before);
        mld_page_set_str(o, "after", v[i].after);
        json_array_append_new(rows, o);
    }
    mld_audit_free(v, n);
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "has_rows", json_boolean(n > 0));
    mld_page_set_pager(ctx, AUDIT_PATH, seite, more);
    return render(env, "editor_audit", ctx, 200, NULL);
}

/* Routing ---------------------------------------------------------------------- */

/* The article id of "/redaktion/artikel/ID", 0 when path is not one. */
static int64_t
article_id_of(const char *path)
{
    if (strncmp(path, ARTICLE_PREFIX, strlen(ARTICLE_PREFIX)) != 0)
        return 0;
    return mld_page_parse_id(path + strlen(ARTICLE_PREFIX));
}

static struct mld_http_resp *
not_allowed(const char *allow)
{
    return mld_http_resp_text(405, "Methode nicht erlaubt\n", allow);
}

struct mld_http_resp *
mld_editor_handle(const struct mld_editor_env *env, const struct mld_http_req *req)
{
    const char *path = req->path;
    bool get = req->method == MLD_HTTP_GET || req->method == MLD_HTTP_HEAD;
    bool post = req->method == MLD_HTTP_POST;
    if (strcmp(path, MLD_EDITOR_PREFIX) == 0)
        return get ? see_other(HOME_PATH, NULL) : not_allowed("GET, HEAD");
    if (strcmp(path, LOGIN_PATH) == 0) {
        if (post)
            return login_post(env, req);
        return get ? login_form(env, 200, NULL, NULL, mld_http_req_arg(req, "weiter"), NULL)
                   : not_allowed("GET, HEAD, POST");
    }
    struct who w;
    struct mld_err err = {0};
    if (who_is(env, req, &w, &err) != 0)
        return internal_error(path, &err);
    int64_t id = article_id_of(path);
    bool accounts = strcmp(path, ACCOUNTS_PATH) == 0;
    bool known = strcmp(path, LOGOUT_PATH) == 0 || strcmp(path, HOME_PATH) == 0 || id > 0 ||
                 strcmp(path, AUDIT_PATH) == 0 || strcmp(path, STATUS_ALIAS) == 0 ||
                 strcmp(path, MLD_STATUS_PATH) == 0 || strcmp(path, HELD_PATH) == 0 ||
                 strcmp(path, PINS_PATH) == 0 || accounts;
    if (!known)
        return error_page(env, &w, 404, "Seite nicht gefunden",
                          "Die angeforderte Seite gibt es nicht");
    if (!w.ok && strcmp(path, MLD_STATUS_PATH) == 0) /* the cookie's path is /redaktion */
        return see_other(STATUS_ALIAS, NULL);
    if (!w.ok) {
        if (post)
            return error_page(env, NULL, 403, "Nicht angemeldet",
                              "Diese Aktion braucht eine Anmeldung der Redaktion");
        char url[MLD_HTTP_MAX_PATH_BYTES + 32];
        snprintf(url, sizeof(url), LOGIN_PATH "?weiter=%s", path); /* paths are URL-safe here */
        return see_other(url, NULL);
    }
    bool admin_only = strcmp(path, AUDIT_PATH) == 0 || strcmp(path, STATUS_ALIAS) == 0 ||
                      strcmp(path, MLD_STATUS_PATH) == 0 || accounts;
    if (admin_only && w.role != MLD_ROLE_ADMIN)
        return error_page(env, &w, 403, "Kein Zugriff",
                          "Diese Seite ist der Administration vorbehalten");
    if (strcmp(path, LOGOUT_PATH) == 0)
        return post ? logout_post(env, req, &w) : not_allowed("POST");
    if (id > 0) {
        if (post)
            return article_post(env, req, &w, id);
        if (!get)
            return not_allowed("GET, HEAD, POST");
        return article_page(env, &w, id, 200, NULL, action_done(req));
    }
    if (accounts) {
        if (post)
            return accounts_post(env, req, &w);
        return get ? accounts_page(env, &w, 200, NULL, account_done(req))
                   : not_allowed("GET, HEAD, POST");
    }
    if (!get)
        return not_allowed("GET, HEAD");
    if (strcmp(path, HELD_PATH) == 0)
        return held_page(env, req, &w);
    if (strcmp(path, PINS_PATH) == 0)
        return pins_page(env, &w, action_done(req));
    if (strcmp(path, HOME_PATH) == 0)
        return home_page(env, req, &w);
    if (strcmp(path, AUDIT_PATH) == 0)
        return audit_page(env, req, &w);
    return mld_status_handle(req, env->st, env->lock, env->tmpl, env->site, env->hooks);
}
