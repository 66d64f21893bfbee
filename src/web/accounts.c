/*
 * accounts.c - changes to the editors' accounts (see accounts.h).
 */
#include "accounts.h"

#include <string.h>

#include "../base/limits.h"
#include "auth.h"

static const char *const audit_actions[] = {"user-add", "user-role", "user-passwd", "user-del"};

/* The body of mld_account_change inside its transaction. */
static int
change_txn(struct mld_store *st, enum mld_account_change change, const char *actor,
           const char *name, enum mld_role role, const char *pw_hash, mld_time_t now,
           struct mld_err *err)
{
    const char *before = NULL, *after = NULL;
    struct mld_account a;
    int rc = 0;
    if (change != MLD_ACCOUNT_ADD) {
        rc = mld_store_account_get(st, name, &a, err);
        if (rc != 0)
            return rc;
        before = mld_auth_role_name(a.role);
        mld_account_dispose(&a);
    }
    switch (change) {
    case MLD_ACCOUNT_ADD:
        rc = mld_store_account_add(st, name, role, pw_hash, now, err);
        after = mld_auth_role_name(role);
        break;
    case MLD_ACCOUNT_ROLE:
        rc = mld_store_account_role(st, name, role, err);
        after = mld_auth_role_name(role);
        break;
    case MLD_ACCOUNT_PASSWD:
        rc = mld_store_account_passwd(st, name, pw_hash, err);
        before = NULL;
        after = "neues Passwort";
        break;
    case MLD_ACCOUNT_DEL: rc = mld_store_account_del(st, name, err); break;
    }
    if (rc == 0)
        rc = mld_store_audit_add(st, actor, audit_actions[change], name, before, after, now, err);
    return rc;
}

int
mld_account_change(struct mld_store *st, enum mld_account_change change, const char *actor,
                   const char *name, enum mld_role role, const char *pw_hash, mld_time_t now,
                   struct mld_err *err)
{
    int rc = change == MLD_ACCOUNT_ADD ? mld_auth_user_name_ok(name, err) : 0;
    if (rc != 0)
        return rc;
    if ((change == MLD_ACCOUNT_ADD || change == MLD_ACCOUNT_ROLE) &&
        role != MLD_ROLE_EDITOR && role != MLD_ROLE_ADMIN)
        return mld_err_set(err, MLD_E_INVAL, "no role %d (editor or admin)", (int)role);
    if ((change == MLD_ACCOUNT_DEL || change == MLD_ACCOUNT_ROLE) && strcmp(actor, name) == 0)
        return mld_err_set(err, MLD_E_INVAL, "%s: not your own account",
                           change == MLD_ACCOUNT_DEL ? "delete" : "change role");
    rc = mld_store_begin(st, err);
    if (rc != 0)
        return rc;
    rc = change_txn(st, change, actor, name, role, pw_hash, now, err);
    if (rc == 0)
        rc = mld_store_commit(st, err);
    if (rc != 0)
        mld_store_rollback(st);
    return rc;
}

bool
mld_account_locked(const struct mld_account *a, mld_time_t now)
{
    return a->failures >= MLD_LOGIN_MAX_FAILURES && a->last_failure + MLD_LOGIN_LOCK_SECS > now;
}
