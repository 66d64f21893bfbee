/*
 * editor.h - what the store keeps for the editors: accounts, sessions,
 * the editorial state of articles (hidden, withdrawn, correction notes)
 * and the audit log (docs/internals/editors.md).
 *
 * The editorial state lives in tables of its own (0008_editors.sql); the
 * versions the agencies sent are never altered. A decision is applied to
 * the shown row when made and again after each later agency version, so
 * an editor's withdrawal or hiding wins over any update, and every page,
 * feed, sitemap, search and API answer obeys it. Each decision logs the
 * article's change keys (store.h) like an agency update does.
 *
 * The policy - who may do what, which transitions are allowed, what the
 * audit log says - is the caller's (src/web/editorial.h); these functions
 * only store.
 */
#ifndef MLD_STORE_EDITOR_H
#define MLD_STORE_EDITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/time.h"
#include "store.h"

/* An account's role: an editor acts on articles, an admin also reads
 * /status and the audit log. */
enum mld_role {
    MLD_ROLE_EDITOR = 1,
    MLD_ROLE_ADMIN = 2,
};

struct mld_account {
    int64_t id;
    char *name;
    enum mld_role role;
    char *pw_hash;           /* Argon2id encoded string */
    mld_time_t created;
    int failures;            /* failed logins in a row */
    mld_time_t last_failure; /* 0 = none */
    mld_time_t last_login;   /* the last good login, 0 = never */
};

/* Frees the strings of a (not a itself). */
void mld_account_dispose(struct mld_account *a);

/* Adds account name. Returns 0, MLD_E_INVAL when the name is taken, or
 * MLD_E_STORE. */
int mld_store_account_add(struct mld_store *st, const char *name, enum mld_role role,
                          const char *pw_hash, mld_time_t now, struct mld_err *err);

/* Loads account name into out (zeroed first). Returns 0, MLD_E_NOTFOUND
 * or MLD_E_STORE. */
int mld_store_account_get(struct mld_store *st, const char *name, struct mld_account *out,
                          struct mld_err *err);

/* Every account by name into *out (*n of them; dispose each, then
 * mld_free the array). */
int mld_store_accounts(struct mld_store *st, struct mld_account **out, int *n,
                       struct mld_err *err);

/* Replaces name's password hash and ends its sessions. Returns 0,
 * MLD_E_NOTFOUND or MLD_E_STORE. */
int mld_store_account_passwd(struct mld_store *st, const char *name, const char *pw_hash,
                             struct mld_err *err);

/* Deletes account name with its sessions. Returns 0, MLD_E_NOTFOUND or
 * MLD_E_STORE. */
int mld_store_account_del(struct mld_store *st, const char *name, struct mld_err *err);

/* Gives account name the role. Its sessions keep going: the role is read
 * with the session at each request. Returns 0, MLD_E_NOTFOUND or
 * MLD_E_STORE. */
int mld_store_account_role(struct mld_store *st, const char *name, enum mld_role role,
                           struct mld_err *err);

/* Records a login attempt of account id at now: a failure counts up,
 * a success resets the count and is the account's last login. */
int mld_store_account_attempt(struct mld_store *st, int64_t id, bool failed, mld_time_t now,
                              struct mld_err *err);

/* A live login. */
struct mld_session {
    int64_t account_id;
    char *name;
    enum mld_role role;
    char *csrf; /* the token its forms carry */
    mld_time_t expires;
};

/* Frees the strings of s (not s itself). */
void mld_session_dispose(struct mld_session *s);

/* Stores a session under id_hash (hex SHA-256 of the session id). */
int mld_store_session_add(struct mld_store *st, const char *id_hash, int64_t account_id,
                          const char *csrf, mld_time_t now, mld_time_t expires,
                          struct mld_err *err);

/* Loads the session id_hash alive at now (an expired one is not found;
 * expired rows go when the next session is added). Returns 0,
 * MLD_E_NOTFOUND or MLD_E_STORE. */
int mld_store_session_get(struct mld_store *st, const char *id_hash, mld_time_t now,
                          struct mld_session *out, struct mld_err *err);

/* Deletes session id_hash (none is fine). */
int mld_store_session_del(struct mld_store *st, const char *id_hash, struct mld_err *err);

/* The editorial state of an article. */
enum mld_ed_state {
    MLD_ED_NONE = 0,      /* the agency decides */
    MLD_ED_HELD = 1,      /* held by an editor: answers 404, in no list, in the
                             held queue until released (the one state once
                             called "hidden") */
    MLD_ED_WITHDRAWN = 2, /* withdrawn by an editor: answers 410 */
    MLD_ED_RELEASED = 3,  /* a held or withheld item released: shown (but an
                             agency's withdrawal still withdraws it) */
};

/* A correction note. */
struct mld_correction {
    mld_time_t at;
    char *note;
    char *by;
};

struct mld_editorial {
    enum mld_ed_state state;
    char *reason;  /* withdrawal's or hold's reason, or NULL */
    char *by;      /* who decided, NULL for MLD_ED_NONE */
    mld_time_t at; /* when, 0 for MLD_ED_NONE */
    struct mld_correction *notes; /* oldest first */
    int nnotes;
};

/* Frees what e holds and zeroes it. */
void mld_editorial_dispose(struct mld_editorial *e);

/* Loads the editorial state of article id into out (zeroed first; state
 * MLD_ED_NONE when there is none). Returns 0 or MLD_E_STORE. */
int mld_store_editorial_get(struct mld_store *st, int64_t id, struct mld_editorial *out,
                            struct mld_err *err);

/* Sets the state of article id (MLD_ED_NONE deletes it and shows the
 * agency's current status again), applies it to the shown row and logs
 * the article's change keys. Returns 0, MLD_E_NOTFOUND or MLD_E_STORE. */
int mld_store_editorial_set(struct mld_store *st, int64_t id, enum mld_ed_state state,
                            const char *reason, const char *by, mld_time_t now,
                            struct mld_err *err);

/* Adds a correction note to article id and logs its change keys. */
int mld_store_correction_add(struct mld_store *st, int64_t id, const char *note, const char *by,
                             mld_time_t now, struct mld_err *err);

/* The section (its name) and topics (names, one a line; "" for none) an
 * editor gave article id into *section and *topics, each NULL when the
 * editor gave none (mld_free them). Returns 0 or MLD_E_STORE. */
int mld_store_ed_fields_get(struct mld_store *st, int64_t id, char **section, char **topics,
                            struct mld_err *err);

/* Gives article id the section named section and/or the topics (names,
 * one a line; "" for none); NULL keeps what is there. Applies them to the
 * shown row, where they stay over later agency versions and the
 * classifier (sq_ed_apply_fields after each put), logs the change keys of
 * before and after, and notes the change for machines (ed_change).
 * Returns 0, MLD_E_NOTFOUND or MLD_E_STORE. */
int mld_store_ed_fields_set(struct mld_store *st, int64_t id, const char *section,
                            const char *topics, const char *by, mld_time_t now,
                            struct mld_err *err);

/* Stories: with into 0, takes article id out of its story into one of
 * its own (split; the others keep theirs, renumbered when id was its
 * first); else moves every article of id's story into the story of
 * article into (merge). Records the decision (ed_story), logs the change
 * keys of the stories before and after. Returns 0, MLD_E_NOTFOUND (no such
 * article), MLD_E_INVAL (alone in its story already; the same story) or
 * MLD_E_STORE. */
int mld_store_ed_story_set(struct mld_store *st, int64_t id, int64_t into, const char *by,
                           mld_time_t now, struct mld_err *err);

/* The home page's pinned articles in order (the first leads) into *ids
 * (*n of them; mld_free the array). Returns 0 or MLD_E_STORE. */
int mld_store_pins(struct mld_store *st, int64_t **ids, int *n, struct mld_err *err);

/* Pins article id at position pos (1 leads; past the end: last), moving
 * the others down, or with pos 0 unpins it; logs the change key "all".
 * Returns 0, MLD_E_NOTFOUND (no article id) or MLD_E_STORE. */
int mld_store_pin_set(struct mld_store *st, int64_t id, int pos, const char *by, mld_time_t now,
                      struct mld_err *err);

/* One line of the audit log. */
struct mld_audit {
    int64_t id;
    mld_time_t at;
    char *actor, *action, *target, *before, *after; /* target, before, after may be NULL */
};

/* Appends one line to the audit log: actor did action on target (may be
 * NULL) at now, the state before and after (either may be NULL). */
int mld_store_audit_add(struct mld_store *st, const char *actor, const char *action,
                        const char *target, const char *before, const char *after,
                        mld_time_t now, struct mld_err *err);

/* The audit log newest first, limit lines after offset, into *out (*n;
 * free with mld_audit_free); *more when older lines follow. */
int mld_store_audit(struct mld_store *st, int limit, int offset, struct mld_audit **out, int *n,
                    bool *more, struct mld_err *err);

/* Frees an array from mld_store_audit(). */
void mld_audit_free(struct mld_audit *v, int n);

/* One version of an article as the agency sent it, for the editors. */
struct mld_ed_version {
    int64_t seq;
    int64_t version;
    mld_time_t version_created;
    mld_time_t stored_at;
    int pubstatus;
    bool applied;
    char *headline, *teaser, *body_html;
};

/* The versions of article id in order of arrival (*n; mld_ed_versions_free). */
int mld_store_ed_versions(struct mld_store *st, int64_t id, struct mld_ed_version **out, int *n,
                          struct mld_err *err);

/* Frees an array from mld_store_ed_versions(). */
void mld_ed_versions_free(struct mld_ed_version *v, int n);

/* One article in the editors' list: any status. */
struct mld_ed_row {
    int64_t id;
    char *headline;
    char *section;
    mld_time_t published;
    int pubstatus;          /* as shown (editorial state applied) */
    enum mld_ed_state state;
    char *reason;           /* the editor's reason, else the pipeline's hold
                               reason, or NULL */
    char *by;               /* who decided, or NULL */
};

/* The newest articles whatever their status (held: only those held back,
 * by an editor or the agency - the held queue), limit after offset, into
 * *out (*n of them); *more when older ones follow. */
int mld_store_ed_latest(struct mld_store *st, bool held, int limit, int offset,
                        struct mld_ed_row **out, int *n, bool *more, struct mld_err *err);

/* Frees an array from mld_store_ed_latest(). */
void mld_ed_rows_free(struct mld_ed_row *v, int n);

#endif
