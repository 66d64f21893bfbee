/*
 * sqlite_editor.c - the editors' tables in SQLite (see editor.h,
 * 0008_editors.sql).
 *
 * Almost every operation here runs rarely (a login, a decision, a page
 * of the editors' interface), so statements are prepared per call and
 * finalized at its end rather than kept; the exception is the editorial
 * state every article page reads (sq_editorial_get), whose two statements
 * stay prepared in the connection (struct sq). A decision is applied to the shown row in
 * the same transaction that records it; put() re-applies it after each
 * agency version (sq_ed_reapply), which is what lets it win.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "../text/slug.h"
#include "editor.h"
#include "sqlite_int.h"
#include "store_int.h"

/* Prepares sql into *st. Returns 0 or MLD_E_STORE (what names it). */
static int
prep(struct sq *s, const char *sql, struct sql_stmt **st, struct mld_err *err)
{
    if (sql_prepare(&s->db, sql, false, st) != SQLITE_OK) {
        *st = NULL;
        return sq_error(s, err, "prepare editors' query");
    }
    return 0;
}

/* Steps a prepared write to its end, finalizes it. */
static int
run(struct sq *s, struct sql_stmt *st, const char *what, struct mld_err *err)
{
    int rc = sq_step_done(s, st, err, what);
    sql_finalize(st);
    return rc;
}

/* Steps st (prepared, bound) to its end and appends one element of sz
 * bytes per row to *out (*n of them), zeroed and then filled by fill; past
 * limit (< 0: none) rows only set *more. Finalizes st. */
static int
collect(struct sq *s, struct sql_stmt *st, size_t sz, void (*fill)(struct sql_stmt *, void *),
        int limit, void *out, int *n, bool *more, const char *what, struct mld_err *err)
{
    char **v = out;
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        if (limit >= 0 && *n == limit) {
            *more = true;
            continue;
        }
        *v = mld_reallocarray(*v, (size_t)*n + 1, sz);
        char *e = *v + (size_t)(*n)++ * sz;
        memset(e, 0, sz);
        fill(st, e);
    }
    sql_finalize(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, what);
}

/* Prepares a paged query: ?1 = limit + 1 (one more tells *more), ?2 offset. */
static int
prep_page(struct sq *s, const char *sql, int limit, int offset, struct sql_stmt **st,
          struct mld_err *err)
{
    int rc = prep(s, sql, st, err);
    if (rc == 0) {
        sql_bind_int(*st, 1, limit + 1);
        sql_bind_int(*st, 2, offset);
    }
    return rc;
}

/* Accounts ----------------------------------------------------------------- */

static int
sq_account_add(void *impl, const char *name, enum mld_role role, const char *pw_hash,
               mld_time_t now, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s,
                  "INSERT INTO account (name, role, pw_hash, created) VALUES (?1, ?2, ?3, ?4) "
                  "ON CONFLICT(name) DO NOTHING",
                  &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, name);
    sql_bind_int(st, 2, (int)role);
    sq_bind_text(st, 3, pw_hash);
    sql_bind_int64(st, 4, now);
    rc = run(s, st, "add account", err);
    if (rc == 0 && sql_changes(&s->db) == 0)
        rc = mld_err_set(err, MLD_E_INVAL, "user '%s' exists already", name);
    return rc;
}

/* Reads an account row (id, name, role, pw_hash, created, failures,
 * last_failure, last_login) into out. */
static void
read_account(struct sql_stmt *st, void *e)
{
    struct mld_account *out = e;
    out->id = sql_column_int64(st, 0);
    out->name = sq_col_text(st, 1);
    out->role = (enum mld_role)sql_column_int(st, 2);
    out->pw_hash = sq_col_text(st, 3);
    out->created = sql_column_int64(st, 4);
    out->failures = sql_column_int(st, 5);
    out->last_failure = sql_column_int64(st, 6);
    out->last_login = sql_column_int64(st, 7);
}

#define ACCOUNT_COLS "id, name, role, pw_hash, created, failures, last_failure, last_login"

static int
sq_account_get(void *impl, const char *name, struct mld_account *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s, "SELECT " ACCOUNT_COLS " FROM account WHERE name = ?1", &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, name);
    int step = sql_step(st);
    if (step == SQLITE_ROW)
        read_account(st, out);
    else if (step == SQLITE_DONE)
        rc = mld_err_set(err, MLD_E_NOTFOUND, "no user '%s'", name);
    else
        rc = sq_error(s, err, "read account");
    sql_finalize(st);
    return rc;
}

static int
sq_accounts(void *impl, struct mld_account **out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s, "SELECT " ACCOUNT_COLS " FROM account ORDER BY name", &st, err);
    bool more = false;
    return rc != 0 ? rc
                   : collect(s, st, sizeof(**out), read_account, -1, out, n, &more,
                             "read accounts", err);
}

/* Runs sql (binding ?1 to name, ?2 to arg when not NULL) and fails with
 * MLD_E_NOTFOUND when it changed no row. */
static int
account_write(struct sq *s, const char *sql, const char *name, const char *arg, const char *what,
              struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, sql, &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, name);
    if (arg != NULL)
        sq_bind_text(st, 2, arg);
    rc = run(s, st, what, err);
    if (rc == 0 && sql_changes(&s->db) == 0)
        rc = mld_err_set(err, MLD_E_NOTFOUND, "no user '%s'", name);
    return rc;
}

struct passwd_args {
    const char *name, *hash;
};

static int
passwd_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct passwd_args *a = ud;
    int rc = account_write(s, "UPDATE account SET pw_hash = ?2, failures = 0 WHERE name = ?1",
                           a->name, a->hash, "set password", err);
    if (rc == 0)
        rc = account_write(s,
                           "DELETE FROM session WHERE account_id = "
                           "(SELECT id FROM account WHERE name = ?1)",
                           a->name, NULL, "end sessions", err);
    if (rc == MLD_E_NOTFOUND) { /* no session to end is fine */
        mld_err_clear(err);
        rc = 0;
    }
    return rc;
}

static int
sq_account_passwd(void *impl, const char *name, const char *pw_hash, struct mld_err *err)
{
    struct sq *s = impl;
    struct mld_account probe = {0};
    int rc = sq_account_get(s, name, &probe, err); /* NOTFOUND names the user */
    mld_account_dispose(&probe);
    if (rc != 0)
        return rc;
    struct passwd_args a = {name, pw_hash};
    return sq_in_txn(s, passwd_txn, &a, err);
}

static int
sq_account_del(void *impl, const char *name, struct mld_err *err)
{
    return account_write(impl, "DELETE FROM account WHERE name = ?1", name, NULL,
                         "delete account", err);
}

static int
sq_account_role(void *impl, const char *name, enum mld_role role, struct mld_err *err)
{
    char r[4];
    snprintf(r, sizeof(r), "%d", (int)role);
    return account_write(impl, "UPDATE account SET role = CAST(?2 AS INTEGER) WHERE name = ?1",
                         name, r, "change role", err);
}

static int
sq_account_attempt(void *impl, int64_t id, bool failed, mld_time_t now, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s,
                  failed ? "UPDATE account SET failures = failures + 1, last_failure = ?2 "
                           "WHERE id = ?1"
                         : "UPDATE account SET failures = 0, last_login = ?2 WHERE id = ?1",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, now);
    return run(s, st, "record login attempt", err);
}

/* Sessions ----------------------------------------------------------------- */

static int
sq_session_add(void *impl, const char *id_hash, int64_t account_id, const char *csrf,
               mld_time_t now, mld_time_t expires, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    /* Expired sessions go whenever a new one comes: the table stays small. */
    int rc = prep(s, "DELETE FROM session WHERE expires <= ?1", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, now);
    rc = run(s, st, "drop expired sessions", err);
    if (rc == 0)
        rc = prep(s,
                  "INSERT INTO session (id_hash, account_id, csrf, created, expires) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)",
                  &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, id_hash);
    sql_bind_int64(st, 2, account_id);
    sq_bind_text(st, 3, csrf);
    sql_bind_int64(st, 4, now);
    sql_bind_int64(st, 5, expires);
    return run(s, st, "add session", err);
}

static int
sq_session_get(void *impl, const char *id_hash, mld_time_t now, struct mld_session *out,
               struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s,
                  "SELECT s.account_id, a.name, a.role, s.csrf, s.expires FROM session s "
                  "JOIN account a ON a.id = s.account_id WHERE s.id_hash = ?1 AND s.expires > ?2",
                  &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, id_hash);
    sql_bind_int64(st, 2, now);
    int step = sql_step(st);
    if (step == SQLITE_ROW) {
        out->account_id = sql_column_int64(st, 0);
        out->name = sq_col_text(st, 1);
        out->role = (enum mld_role)sql_column_int(st, 2);
        out->csrf = sq_col_text(st, 3);
        out->expires = sql_column_int64(st, 4);
    } else if (step == SQLITE_DONE) {
        rc = mld_err_set(err, MLD_E_NOTFOUND, "no such session");
    } else {
        rc = sq_error(s, err, "read session");
    }
    sql_finalize(st);
    return rc;
}

static int
sq_session_del(void *impl, const char *id_hash, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s, "DELETE FROM session WHERE id_hash = ?1", &st, err);
    if (rc != 0)
        return rc;
    sq_bind_text(st, 1, id_hash);
    return run(s, st, "delete session", err);
}

/* Editorial state ---------------------------------------------------------- */

static int
sq_editorial_get(void *impl, int64_t id, struct mld_editorial *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = sq_prepare(
        s, &s->ed_state, "SELECT state, reason, by, at FROM editorial WHERE article_id = ?1", err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int step = sql_step(st);
    if (step == SQLITE_ROW) {
        out->state = (enum mld_ed_state)sql_column_int(st, 0);
        out->reason = sq_col_text(st, 1);
        out->by = sq_col_text(st, 2);
        out->at = sql_column_int64(st, 3);
    } else if (step != SQLITE_DONE) {
        return sq_error(s, err, "read editorial state");
    }
    sql_reset(st);
    st = sq_prepare(s, &s->ed_notes,
                    "SELECT at, note, by FROM correction WHERE article_id = ?1 ORDER BY at, id", err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    while ((step = sql_step(st)) == SQLITE_ROW) {
        out->notes = mld_reallocarray(out->notes, (size_t)out->nnotes + 1, sizeof(*out->notes));
        struct mld_correction *c = &out->notes[out->nnotes++];
        c->at = sql_column_int64(st, 0);
        c->note = sq_col_text(st, 1);
        c->by = sq_col_text(st, 2);
    }
    return step == SQLITE_DONE ? 0 : sq_error(s, err, "read corrections");
}

/* Fails with MLD_E_NOTFOUND when article id is not stored. */
static int
article_exists(struct sq *s, int64_t id, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, "SELECT 1 FROM article WHERE id = ?1", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    int step = sql_step(st);
    sql_finalize(st);
    if (step == SQLITE_ROW)
        return 0;
    if (step == SQLITE_DONE)
        return mld_err_set(err, MLD_E_NOTFOUND, "no article %" PRId64, id);
    return sq_error(s, err, "find article");
}

struct ed_set {
    int64_t id;
    enum mld_ed_state state;
    const char *text, *by;
    mld_time_t now;
    bool note; /* a correction note, not a state */
};

/* Shows the agency's status again: that of the newest applied version. */
static int
restore_agency_status(struct sq *s, int64_t id, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s,
                  "UPDATE article SET pubstatus = coalesce((SELECT pubstatus FROM version "
                  "WHERE article_id = ?1 AND applied = 1 ORDER BY id DESC LIMIT 1), pubstatus) "
                  "WHERE id = ?1",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    return run(s, st, "restore agency status", err);
}

/* Notes that an editor changed what readers see of article id at now
 * (the change feed, the live stream and webhooks read it). */
static int
note_change(struct sq *s, int64_t id, mld_time_t now, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, "INSERT INTO ed_change (article_id, at) VALUES (?1, ?2)", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, now);
    return run(s, st, "note editor's change", err);
}

static int
ed_set_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct ed_set *a = ud;
    int rc = article_exists(s, a->id, err);
    /* What showed the article before the change... */
    if (rc == 0)
        rc = sq_log_article_keys(s, a->id, err);
    if (rc != 0)
        return rc;
    struct sql_stmt *st;
    if (a->note)
        rc = prep(s, "INSERT INTO correction (article_id, note, by, at) VALUES (?1, ?2, ?3, ?4)",
                  &st, err);
    else if (a->state == MLD_ED_NONE)
        rc = prep(s, "DELETE FROM editorial WHERE article_id = ?1", &st, err);
    else
        rc = prep(s,
                  "INSERT INTO editorial (article_id, state, reason, by, at) "
                  "VALUES (?1, ?5, ?2, ?3, ?4) ON CONFLICT (article_id) DO UPDATE SET "
                  "state = excluded.state, reason = excluded.reason, by = excluded.by, "
                  "at = excluded.at",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, a->id);
    if (a->note || a->state != MLD_ED_NONE) {
        sq_bind_text(st, 2, a->text);
        sq_bind_text(st, 3, a->by);
        sql_bind_int64(st, 4, a->now);
    }
    if (!a->note && a->state != MLD_ED_NONE)
        sql_bind_int(st, 5, (int)a->state);
    rc = run(s, st, "store editorial decision", err);
    if (rc == 0 && !a->note)
        rc = a->state == MLD_ED_NONE ? restore_agency_status(s, a->id, err)
                                     : sq_ed_reapply(s, a->id, err);
    if (rc == 0 && !a->note)
        rc = note_change(s, a->id, a->now, err);
    /* ...and what shows it now (the same keys: visibility is not one). */
    return rc;
}

static int
sq_editorial_set(void *impl, int64_t id, enum mld_ed_state state, const char *reason,
                 const char *by, mld_time_t now, struct mld_err *err)
{
    struct ed_set a = {id, state, reason, by, now, false};
    return sq_in_txn(impl, ed_set_txn, &a, err);
}

static int
sq_correction_add(void *impl, int64_t id, const char *note, const char *by, mld_time_t now,
                  struct mld_err *err)
{
    struct ed_set a = {id, MLD_ED_NONE, note, by, now, true};
    return sq_in_txn(impl, ed_set_txn, &a, err);
}

/* Section and topics ----------------------------------------------------- */

static int
sq_fields_get(void *impl, int64_t id, char **section, char **topics, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s, "SELECT section, topics FROM ed_field WHERE article_id = ?1", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    int step = sql_step(st);
    if (step == SQLITE_ROW) {
        *section = sq_col_text(st, 0);
        *topics = sq_col_text(st, 1);
    } else if (step != SQLITE_DONE) {
        rc = sq_error(s, err, "read editor's section and topics");
    }
    sql_finalize(st);
    return rc;
}

/* Replaces the topics of article id by names (one a line). */
static int
put_topics(struct sq *s, int64_t id, const char *names, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, "DELETE FROM article_topic WHERE article_id = ?1", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    rc = run(s, st, "replace topics", err);
    int rank = 0;
    for (const char *p = names; rc == 0 && *p != '\0';) {
        size_t len = strcspn(p, "\n");
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(p, len, slug) > 0) {
            rc = prep(s,
                      "INSERT INTO article_topic (article_id, rank, name, slug) "
                      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                      &st, err);
            if (rc != 0)
                return rc;
            sql_bind_int64(st, 1, id);
            sql_bind_int(st, 2, rank++);
            sql_bind_text_copy(st, 3, p, (int)len);
            sq_bind_text(st, 4, slug);
            rc = run(s, st, "add topic", err);
        }
        p += len + (p[len] == '\n');
    }
    return rc;
}

int
sq_ed_apply_fields(struct sq *s, int64_t id, struct mld_err *err)
{
    char *section = NULL, *topics = NULL;
    int rc = sq_fields_get(s, id, &section, &topics, err);
    if (rc == 0 && section != NULL) {
        char slug[MLD_SLUG_MAX + 1];
        struct sql_stmt *st;
        mld_slug(section, strlen(section), slug);
        rc = prep(s, "UPDATE article SET section = ?2, section_slug = ?3 WHERE id = ?1", &st,
                  err);
        if (rc == 0) {
            sql_bind_int64(st, 1, id);
            sq_bind_text(st, 2, section);
            sq_bind_text(st, 3, slug);
            rc = run(s, st, "set editor's section", err);
        }
    }
    if (rc == 0 && topics != NULL)
        rc = put_topics(s, id, topics, err);
    mld_free(section);
    mld_free(topics);
    return rc;
}

struct fields_args {
    int64_t id;
    const char *section, *topics, *by;
    mld_time_t now;
};

static int
fields_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct fields_args *a = ud;
    int rc = article_exists(s, a->id, err);
    if (rc == 0) /* the pages that showed the article... */
        rc = sq_log_article_keys(s, a->id, err);
    struct sql_stmt *st;
    if (rc == 0)
        rc = prep(s,
                  "INSERT INTO ed_field (article_id, section, topics, by, at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(article_id) DO UPDATE SET "
                  "section = coalesce(?2, ed_field.section), "
                  "topics = coalesce(?3, ed_field.topics), "
                  "by = ?4, at = ?5",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, a->id);
    sq_bind_text(st, 2, a->section);
    sq_bind_text(st, 3, a->topics);
    sq_bind_text(st, 4, a->by);
    sql_bind_int64(st, 5, a->now);
    rc = run(s, st, "store editor's section and topics", err);
    if (rc == 0)
        rc = sq_ed_apply_fields(s, a->id, err);
    if (rc == 0) /* ...and those that show it now */
        rc = sq_log_article_keys(s, a->id, err);
    if (rc == 0)
        rc = note_change(s, a->id, a->now, err);
    return rc;
}

static int
sq_fields_set(void *impl, int64_t id, const char *section, const char *topics, const char *by,
              mld_time_t now, struct mld_err *err)
{
    struct fields_args a = {id, section, topics, by, now};
    return sq_in_txn(impl, fields_txn, &a, err);
}

/* Stories ------------------------------------------------------------------ */

/* The story of article id into *story. */
static int
story_of(struct sq *s, int64_t id, int64_t *story, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, "SELECT story_id FROM article WHERE id = ?1", &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    int step = sql_step(st);
    if (step == SQLITE_ROW)
        *story = sql_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = mld_err_set(err, MLD_E_NOTFOUND, "no article %" PRId64, id);
    else
        rc = sq_error(s, err, "read story");
    sql_finalize(st);
    return rc;
}

struct story_args {
    int64_t id, into;
    const char *by;
    mld_time_t now;
};

/* Puts article id into story `to` (reason: why, NULL for a story's first
 * article; the reason it had when NULL) where the grouping keeps it: the article row, its signature and
 * the related lists that name it; records the decision and logs the keys
 * of both stories. The one place an editor changes an article's story. */
static int
move_to_story(struct sq *s, int64_t id, int64_t to, const char *why,
              const struct story_args *a, struct mld_err *err)
{
    static const char *const sql[] = {
        "UPDATE article SET story_id = ?2, story_reason = CASE WHEN ?1 = ?2 THEN NULL "
        "ELSE coalesce(?3, story_reason) END WHERE id = ?1",
        "UPDATE story_sig SET story_id = ?2 WHERE article_id = ?1",
        "UPDATE story_related SET story_id = ?2 WHERE related_id = ?1",
        "INSERT INTO ed_story (article_id, story_id, by, at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id, "
        "by = excluded.by, at = excluded.at",
    };
    int rc = sq_log_article_keys(s, id, err);
    for (size_t i = 0; rc == 0 && i < sizeof(sql) / sizeof(sql[0]); i++) {
        struct sql_stmt *st;
        rc = prep(s, sql[i], &st, err);
        if (rc != 0)
            break;
        sql_bind_int64(st, 1, id);
        sql_bind_int64(st, 2, to);
        if (i == 0)
            sq_bind_text(st, 3, why);
        if (i == 3) {
            sq_bind_text(st, 3, a->by);
            sql_bind_int64(st, 4, a->now);
        }
        rc = run(s, st, "move to story", err);
    }
    if (rc == 0) /* machines learn of it like of any decision */
        rc = note_change(s, id, a->now, err);
    return rc == 0 ? sq_log_article_keys(s, id, err) : rc;
}

/* The articles of story (all, or all but `but`) into *ids (*n). */
static int
story_members(struct sq *s, int64_t story, int64_t but, int64_t **ids, int *n,
              struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, "SELECT id FROM article WHERE story_id = ?1 AND id != ?2 ORDER BY id", &st,
                  err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, story);
    sql_bind_int64(st, 2, but);
    int step;
    while ((step = sql_step(st)) == SQLITE_ROW) {
        *ids = mld_reallocarray(*ids, (size_t)*n + 1, sizeof(**ids));
        (*ids)[(*n)++] = sql_column_int64(st, 0);
    }
    sql_finalize(st);
    return step == SQLITE_DONE ? 0 : sq_error(s, err, "read story members");
}

static int
story_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct story_args *a = ud;
    int64_t from = 0, to = 0, *ids = NULL;
    int n = 0;
    int rc = story_of(s, a->id, &from, err);
    if (rc == 0 && a->into > 0)
        rc = story_of(s, a->into, &to, err);
    if (rc == 0)
        rc = story_members(s, from, a->into > 0 ? 0 : a->id, &ids, &n, err);
    if (rc == 0 && a->into > 0 && from == to)
        rc = mld_err_set(err, MLD_E_INVAL, "articles %" PRId64 " and %" PRId64
                         " are in the same story already", a->id, a->into);
    if (rc == 0 && a->into == 0 && n == 0)
        rc = mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is alone in its story already",
                         a->id);
    if (rc == 0 && a->into > 0) { /* merge: the whole story moves */
        for (int i = 0; rc == 0 && i < n; i++)
            rc = move_to_story(s, ids[i], to, "von der Redaktion zusammengeführt", a, err);
    } else if (rc == 0) { /* split: id alone; the rest renumbered when id led it */
        rc = move_to_story(s, a->id, a->id, NULL, a, err);
    /* (a story's first article has no reason: it leads) */
        for (int i = 0; rc == 0 && from == a->id && i < n; i++)
            rc = move_to_story(s, ids[i], ids[0], NULL, a, err);
    }
    mld_free(ids);
    return rc;
}

static int
sq_story_set(void *impl, int64_t id, int64_t into, const char *by, mld_time_t now,
             struct mld_err *err)
{
    struct story_args a = {id, into, by, now};
    return sq_in_txn(impl, story_txn, &a, err);
}

/* The pinned lead ---------------------------------------------------------- */

static int
sq_pins(void *impl, int64_t **ids, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s, "SELECT article_id FROM pin ORDER BY slot", &st, err);
    if (rc != 0)
        return rc;
    int step;
    while ((step = sql_step(st)) == SQLITE_ROW) {
        *ids = mld_reallocarray(*ids, (size_t)*n + 1, sizeof(**ids));
        (*ids)[(*n)++] = sql_column_int64(st, 0);
    }
    sql_finalize(st);
    return step == SQLITE_DONE ? 0 : sq_error(s, err, "read pins");
}

struct pin_args {
    int64_t id;
    int pos;
    const char *by;
    mld_time_t now;
};

/* Runs sql with ?1 = a and ?2 = b where it has them. */
static int
pin_write(struct sq *s, const char *sql, int64_t a, int64_t b, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = prep(s, sql, &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, a);
    sql_bind_int64(st, 2, b);
    return run(s, st, "store pin", err);
}

static int
pin_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct pin_args *a = ud;
    int rc = a->pos > 0 ? article_exists(s, a->id, err) : 0;
    if (rc == 0)
        rc = pin_write(s, "DELETE FROM pin WHERE article_id = ?1", a->id, 0, err);
    int64_t *ids = NULL;
    int n = 0;
    if (rc == 0)
        rc = sq_pins(s, &ids, &n, err);
    /* Renumber 1..N around the new one's place: first out of the way. */
    if (rc == 0)
        rc = pin_write(s, "UPDATE pin SET slot = -slot", 0, 0, err);
    int pos = a->pos > n + 1 ? n + 1 : a->pos;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = pin_write(s, "UPDATE pin SET slot = ?2 WHERE article_id = ?1", ids[i],
                       pos > 0 && i + 1 >= pos ? i + 2 : i + 1, err);
    mld_free(ids);
    struct sql_stmt *st;
    if (rc == 0 && pos > 0) {
        rc = prep(s, "INSERT INTO pin (slot, article_id, by, at) VALUES (?1, ?2, ?3, ?4)", &st,
                  err);
        if (rc != 0)
            return rc;
        sql_bind_int(st, 1, pos);
        sql_bind_int64(st, 2, a->id);
        sq_bind_text(st, 3, a->by);
        sql_bind_int64(st, 4, a->now);
        rc = run(s, st, "store pin", err);
    }
    if (rc == 0) /* the home page (the only page that shows the pins) */
        rc = sq_log_key(s, mld_key_all().s, err);
    return rc;
}

static int
sq_pin_set(void *impl, int64_t id, int pos, const char *by, mld_time_t now, struct mld_err *err)
{
    struct pin_args a = {id, pos, by, now};
    return sq_in_txn(impl, pin_txn, &a, err);
}

/* Audit log ---------------------------------------------------------------- */

static int
sq_audit_add(void *impl, const char *actor, const char *action, const char *target,
             const char *before, const char *after, mld_time_t now, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s,
                  "INSERT INTO audit (at, actor, action, target, before, after) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, now);
    sq_bind_text(st, 2, actor);
    sq_bind_text(st, 3, action);
    sq_bind_text(st, 4, target);
    sq_bind_text(st, 5, before);
    sq_bind_text(st, 6, after);
    return run(s, st, "write audit log", err);
}

static void
read_audit(struct sql_stmt *st, void *e)
{
    struct mld_audit *v = e;
    v->id = sql_column_int64(st, 0);
    v->at = sql_column_int64(st, 1);
    v->actor = sq_col_text(st, 2);
    v->action = sq_col_text(st, 3);
    v->target = sq_col_text(st, 4);
    v->before = sq_col_text(st, 5);
    v->after = sq_col_text(st, 6);
}

static int
sq_audit(void *impl, int limit, int offset, struct mld_audit **out, int *n, bool *more,
         struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep_page(s,
                       "SELECT id, at, actor, action, target, before, after FROM audit "
                       "ORDER BY id DESC LIMIT ?1 OFFSET ?2",
                       limit, offset, &st, err);
    return rc != 0 ? rc
                   : collect(s, st, sizeof(**out), read_audit, limit, out, n, more,
                             "read audit log", err);
}

/* The editors' views of articles --------------------------------------------- */

static void
read_version(struct sql_stmt *st, void *e)
{
    struct mld_ed_version *v = e;
    v->seq = sql_column_int64(st, 0);
    v->version = sql_column_int64(st, 1);
    v->version_created = sql_column_int64(st, 2);
    v->stored_at = sql_column_int64(st, 3);
    v->pubstatus = sql_column_int(st, 4);
    v->applied = sql_column_int(st, 5) != 0;
    v->headline = sq_col_text(st, 6);
    v->teaser = sq_col_text(st, 7);
    v->body_html = sq_col_text(st, 8);
}

static int
sq_ed_versions(void *impl, int64_t id, struct mld_ed_version **out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = prep(s,
                  "SELECT v.id, v.version, v.version_created, v.stored_at, v.pubstatus, "
                  "v.applied, v.headline, v.teaser, " SQ_VERSION_BODY " FROM version v "
                  "WHERE v.article_id = ?1 ORDER BY v.id",
                  &st, err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    bool more = false;
    return collect(s, st, sizeof(**out), read_version, -1, out, n, &more, "read versions", err);
}

static void
read_row(struct sql_stmt *st, void *e)
{
    struct mld_ed_row *v = e;
    v->id = sql_column_int64(st, 0);
    v->headline = sq_col_text(st, 1);
    v->section = sq_col_text(st, 2);
    v->published = sql_column_int64(st, 3);
    v->pubstatus = sql_column_int(st, 4);
    v->state = (enum mld_ed_state)sql_column_int(st, 5);
    v->reason = sq_col_text(st, 6);
    v->by = sq_col_text(st, 7);
}

static int
sq_ed_latest(void *impl, bool held, int limit, int offset, struct mld_ed_row **out, int *n,
             bool *more, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
#define ED_ROWS                                                                            \
    "SELECT a.id, a.headline, a.section, a.published, a.pubstatus, coalesce(e.state, 0), "   \
    "coalesce(e.reason, a.hold_reason), e.by FROM article a "                               \
    "LEFT JOIN editorial e ON e.article_id = a.id "
#define ED_ORDER "ORDER BY a.published DESC, a.id DESC LIMIT ?1 OFFSET ?2"
    /* held: what waits for release - held by an editor (shown withheld)
     * or by the agency (not for publication, withheld); the literal
     * condition lets SQLite use the partial index article_held (0014). */
    int rc = prep_page(s,
                       held ? ED_ROWS "WHERE a.pubstatus IN (1, 3) " ED_ORDER : ED_ROWS ED_ORDER,
                       limit, offset, &st, err);
    return rc != 0 ? rc
                   : collect(s, st, sizeof(**out), read_row, limit, out, n, more,
                             "read latest articles", err);
}

const struct mld_store_editor_ops mld_store_sqlite_editor = {
    .account_add = sq_account_add,
    .account_get = sq_account_get,
    .accounts = sq_accounts,
    .account_passwd = sq_account_passwd,
    .account_del = sq_account_del,
    .account_role = sq_account_role,
    .account_attempt = sq_account_attempt,
    .session_add = sq_session_add,
    .session_get = sq_session_get,
    .session_del = sq_session_del,
    .editorial_get = sq_editorial_get,
    .editorial_set = sq_editorial_set,
    .correction_add = sq_correction_add,
    .fields_get = sq_fields_get,
    .fields_set = sq_fields_set,
    .story_set = sq_story_set,
    .pins = sq_pins,
    .pin_set = sq_pin_set,
    .audit_add = sq_audit_add,
    .audit = sq_audit,
    .ed_versions = sq_ed_versions,
    .ed_latest = sq_ed_latest,
};
