/*
 * editor.h - the editors' web interface under /redaktion/ and the admin
 * gate of /status (docs/internals/editors.md).
 *
 *     GET  /redaktion/login          the login form            (editor_login)
 *     POST /redaktion/login          name, passwort, csrf, weiter
 *     POST /redaktion/logout         csrf
 *     GET  /redaktion/[?q=..&seite=N] search and latest articles (editor_home)
 *     GET  /redaktion/artikel/ID     versions, state, actions  (editor_article)
 *     POST /redaktion/artikel/ID     csrf, aktion, text
 *     GET  /redaktion/audit[?seite=N] the audit log, admins    (editor_audit)
 *     GET  /redaktion/status, /status the status page, admins  (status.c)
 *
 * Every page needs a session (cookie "mld_sitzung", HttpOnly, Secure,
 * SameSite=Strict, Path=/redaktion); without one a GET is sent to the
 * login form (303) and a POST refused (403). Every POST carries the
 * session's CSRF token (the login form: the token of its pre-login
 * cookie, double-submit). No answer is cached (Cache-Control: no-store).
 */
#ifndef MLD_EDITOR_H
#define MLD_EDITOR_H

#include <pthread.h>
#include <stdbool.h>

#include "../store/store.h"
#include "http.h"
#include "tmpl.h"

struct mld_page_site; /* page.h */
struct mld_webhooks;  /* webhook.h */
struct mld_ratelimit; /* ratelimit.h */

/* The prefix of the editors' pages. */
#define MLD_EDITOR_PREFIX "/redaktion"

/* What the handler needs of the site; the store is used under lock. */
struct mld_editor_env {
    struct mld_store *st;
    pthread_mutex_t *lock;
    const struct mld_tmpl_set *tmpl;
    const struct mld_page_site *site;
    struct mld_webhooks *hooks; /* for the status page, or NULL */
    struct mld_ratelimit *logins; /* failed logins by client address, or NULL */
};

/* True for the paths mld_editor_handle() answers: /redaktion,
 * /redaktion/... and /status. */
bool mld_editor_path(const char *path);

/* Answers a request for one of those paths (any method). */
struct mld_http_resp *mld_editor_handle(const struct mld_editor_env *env,
                                        const struct mld_http_req *req);

#endif
