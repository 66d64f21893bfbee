/*
 * accounts.h - changes to the editors' accounts, one implementation for
 * the admins' web page (/redaktion/konten, editor.c) and the command line
 * (`meldung user`, cmd_user.c); docs/internals/editors.md.
 *
 * A change checks its input, writes the account and the audit log line in
 * one transaction. The password is hashed (Argon2id, auth.h) by the caller
 * before, outside any lock: the hash takes tens of milliseconds.
 *
 *   add     a new account: name (auth.h's rules), role, password hash
 *   role    another role; an actor cannot change its own (so an admin
 *           never locks the last admin out from the web)
 *   passwd  a new password hash; ends the account's sessions
 *   del     deletes it with its sessions; not the actor's own
 */
#ifndef MLD_ACCOUNTS_H
#define MLD_ACCOUNTS_H

#include "../base/err.h"
#include "../base/time.h"
#include "../store/editor.h"

enum mld_account_change {
    MLD_ACCOUNT_ADD,
    MLD_ACCOUNT_ROLE,
    MLD_ACCOUNT_PASSWD,
    MLD_ACCOUNT_DEL,
};

/* Does change on account name as actor (an account's name, or "cli") at
 * now: role for add and role, pw_hash (mld_auth_hash_password) for add
 * and passwd, else ignored. Audit actions: user-add, user-role,
 * user-passwd, user-del (target the account). Returns 0, MLD_E_NOTFOUND
 * (no such account), MLD_E_INVAL (a bad name or role, a name taken, the
 * actor's own account; err says which) or MLD_E_STORE. */
int mld_account_change(struct mld_store *st, enum mld_account_change change, const char *actor,
                       const char *name, enum mld_role role, const char *pw_hash,
                       mld_time_t now, struct mld_err *err);

/* Whether account a is refused logins at now (too many failures in a row,
 * MLD_LOGIN_MAX_FAILURES within MLD_LOGIN_LOCK_SECS of the last). */
bool mld_account_locked(const struct mld_account *a, mld_time_t now);

#endif
