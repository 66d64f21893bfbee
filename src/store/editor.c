/*
 * editor.c - the editors' store operations (see editor.h): argument
 * checks and dispatch to the backend's editor table (store_int.h).
 */
#include <string.h>

#include "../base/mem.h"
#include "editor.h"
#include "store_int.h"

/* The backend's editor operations and handle of st. */
#define ED(st, be, impl)                                                                       \
    const struct mld_store_backend *be;                                                        \
    void *impl = mld_store_impl(st, &be)

/* Ends an operation: lets the backend drop per-operation state. */
static int
done(struct mld_store *st, int rc)
{
    mld_store_idle(st);
    return rc;
}

void
mld_account_dispose(struct mld_account *a)
{
    mld_free(a->name);
    mld_free(a->pw_hash);
    a->name = a->pw_hash = NULL;
}

int
mld_store_account_add(struct mld_store *st, const char *name, enum mld_role role,
                      const char *pw_hash, mld_time_t now, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->account_add(impl, name, role, pw_hash, now, err));
}

int
mld_store_account_get(struct mld_store *st, const char *name, struct mld_account *out,
                      struct mld_err *err)
{
    ED(st, be, impl);
    memset(out, 0, sizeof(*out));
    return done(st, be->editor->account_get(impl, name, out, err));
}

int
mld_store_accounts(struct mld_store *st, struct mld_account **out, int *n, struct mld_err *err)
{
    ED(st, be, impl);
    *out = NULL;
    *n = 0;
    return done(st, be->editor->accounts(impl, out, n, err));
}

int
mld_store_account_passwd(struct mld_store *st, const char *name, const char *pw_hash,
                         struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->account_passwd(impl, name, pw_hash, err));
}

int
mld_store_account_del(struct mld_store *st, const char *name, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->account_del(impl, name, err));
}

int
mld_store_account_role(struct mld_store *st, const char *name, enum mld_role role,
                       struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->account_role(impl, name, role, err));
}

int
mld_store_account_attempt(struct mld_store *st, int64_t id, bool failed, mld_time_t now,
                          struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->account_attempt(impl, id, failed, now, err));
}

void
mld_session_dispose(struct mld_session *s)
{
    mld_free(s->name);
    mld_free(s->csrf);
    s->name = s->csrf = NULL;
}

int
mld_store_session_add(struct mld_store *st, const char *id_hash, int64_t account_id,
                      const char *csrf, mld_time_t now, mld_time_t expires, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->session_add(impl, id_hash, account_id, csrf, now, expires, err));
}

int
mld_store_session_get(struct mld_store *st, const char *id_hash, mld_time_t now,
                      struct mld_session *out, struct mld_err *err)
{
    ED(st, be, impl);
    memset(out, 0, sizeof(*out));
    return done(st, be->editor->session_get(impl, id_hash, now, out, err));
}

int
mld_store_session_del(struct mld_store *st, const char *id_hash, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->session_del(impl, id_hash, err));
}

void
mld_editorial_dispose(struct mld_editorial *e)
{
    mld_free(e->reason);
    mld_free(e->by);
    for (int i = 0; i < e->nnotes; i++) {
        mld_free(e->notes[i].note);
        mld_free(e->notes[i].by);
    }
    mld_free(e->notes);
    memset(e, 0, sizeof(*e));
}

int
mld_store_editorial_get(struct mld_store *st, int64_t id, struct mld_editorial *out,
                        struct mld_err *err)
{
    ED(st, be, impl);
    memset(out, 0, sizeof(*out));
    int rc = be->editor->editorial_get(impl, id, out, err);
    if (rc != 0)
        mld_editorial_dispose(out);
    return done(st, rc);
}

int
mld_store_editorial_set(struct mld_store *st, int64_t id, enum mld_ed_state state,
                        const char *reason, const char *by, mld_time_t now, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->editorial_set(impl, id, state, reason, by, now, err));
}

int
mld_store_correction_add(struct mld_store *st, int64_t id, const char *note, const char *by,
                         mld_time_t now, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->correction_add(impl, id, note, by, now, err));
}

int
mld_store_ed_fields_get(struct mld_store *st, int64_t id, char **section, char **topics,
                        struct mld_err *err)
{
    ED(st, be, impl);
    *section = NULL;
    *topics = NULL;
    return done(st, be->editor->fields_get(impl, id, section, topics, err));
}

int
mld_store_ed_fields_set(struct mld_store *st, int64_t id, const char *section, const char *topics,
                        const char *by, mld_time_t now, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->fields_set(impl, id, section, topics, by, now, err));
}

int
mld_store_ed_story_set(struct mld_store *st, int64_t id, int64_t into, const char *by,
                       mld_time_t now, struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->story_set(impl, id, into, by, now, err));
}

int
mld_store_pins(struct mld_store *st, int64_t **ids, int *n, struct mld_err *err)
{
    ED(st, be, impl);
    *ids = NULL;
    *n = 0;
    return done(st, be->editor->pins(impl, ids, n, err));
}

int
mld_store_pin_set(struct mld_store *st, int64_t id, int pos, const char *by, mld_time_t now,
                  struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->pin_set(impl, id, pos, by, now, err));
}

int
mld_store_audit_add(struct mld_store *st, const char *actor, const char *action,
                    const char *target, const char *before, const char *after, mld_time_t now,
                    struct mld_err *err)
{
    ED(st, be, impl);
    return done(st, be->editor->audit_add(impl, actor, action, target, before, after, now, err));
}

int
mld_store_audit(struct mld_store *st, int limit, int offset, struct mld_audit **out, int *n,
                bool *more, struct mld_err *err)
{
    ED(st, be, impl);
    *out = NULL;
    *n = 0;
    *more = false;
    if (limit < 1 || offset < 0)
        return mld_err_set(err, MLD_E_INVAL, "audit: bad page (limit %d, offset %d)", limit,
                           offset);
    return done(st, be->editor->audit(impl, limit, offset, out, n, more, err));
}

void
mld_audit_free(struct mld_audit *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].actor);
        mld_free(v[i].action);
        mld_free(v[i].target);
        mld_free(v[i].before);
        mld_free(v[i].after);
    }
    mld_free(v);
}

int
mld_store_ed_versions(struct mld_store *st, int64_t id, struct mld_ed_version **out, int *n,
                      struct mld_err *err)
{
    ED(st, be, impl);
    *out = NULL;
    *n = 0;
    return done(st, be->editor->ed_versions(impl, id, out, n, err));
}

void
mld_ed_versions_free(struct mld_ed_version *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].headline);
        mld_free(v[i].teaser);
        mld_free(v[i].body_html);
    }
    mld_free(v);
}

int
mld_store_ed_latest(struct mld_store *st, bool held, int limit, int offset,
                    struct mld_ed_row **out, int *n, bool *more, struct mld_err *err)
{
    ED(st, be, impl);
    *out = NULL;
    *n = 0;
    *more = false;
    if (limit < 1 || offset < 0)
        return mld_err_set(err, MLD_E_INVAL, "latest: bad page (limit %d, offset %d)", limit,
                           offset);
    return done(st, be->editor->ed_latest(impl, held, limit, offset, out, n, more, err));
}

void
mld_ed_rows_free(struct mld_ed_row *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].headline);
        mld_free(v[i].section);
        mld_free(v[i].reason);
        mld_free(v[i].by);
    }
    mld_free(v);
}
