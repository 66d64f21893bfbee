/*
 * auth.h - what the editors' logins are made of: Argon2id password
 * hashes, random session ids and tokens, constant-time comparison,
 * cookies and url-encoded forms (docs/internals/editors.md).
 *
 * Passwords are hashed with Argon2id (libargon2) into the encoded string
 * "$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH" with a fresh 16-byte salt
 * from getrandom(); the costs are in limits.h (MLD_ARGON2_*). The
 * encoded string carries its own parameters, so raising the costs later
 * keeps old hashes verifiable.
 */
#ifndef MLD_AUTH_H
#define MLD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"
#include "../base/limits.h"
#include "../store/editor.h"

/* Fills buf with n bytes from the kernel's CSPRNG (getrandom). Returns 0
 * or -1 with errno set. */
int mld_auth_random(unsigned char *buf, size_t n);

/* Writes n bytes as 2n lowercase hex digits and a NUL to out. */
void mld_auth_hex(const unsigned char *p, size_t n, char *out);

/* A new random token: MLD_SESSION_BYTES as hex (a session id, a CSRF
 * token). Returns 0 or MLD_E_IO with err set. */
int mld_auth_new_token(char out[2 * MLD_SESSION_BYTES + 1], struct mld_err *err);

/* Hashes password pw into out (Argon2id encoded). Returns 0, or MLD_E_IO
 * (no randomness) or MLD_E_NOMEM with err set. */
int mld_auth_hash_password(const char *pw, char out[MLD_ARGON2_ENCODED_MAX],
                           struct mld_err *err);

/* True when pw matches the encoded hash. With encoded NULL (no such user)
 * it spends the time of a real check against a dummy hash and returns
 * false, so the answer's timing does not tell which names exist. */
bool mld_auth_check_password(const char *encoded, const char *pw);

/* Checks a new password: MLD_PASSWORD_MIN..MLD_PASSWORD_MAX bytes of
 * valid UTF-8 without control characters. Returns 0 or MLD_E_INVAL with
 * the reason in err. */
int mld_auth_password_ok(const char *pw, struct mld_err *err);

/* Checks text s (what names it in the message): min..max bytes of valid
 * UTF-8 without control characters (but newlines and tabs when lines).
 * Returns 0 or MLD_E_INVAL with the reason. */
int mld_auth_text_ok(const char *s, size_t min, size_t max, bool lines, const char *what,
                     struct mld_err *err);

/* Checks a user name: 1..MLD_USER_NAME_MAX of a-z, 0-9, '.', '_', '-'
 * (not "cli", which names the command line in the audit log). Returns 0
 * or MLD_E_INVAL with the reason. */
int mld_auth_user_name_ok(const char *name, struct mld_err *err);

/* "editor" or "admin"; and back (0 for anything else). */
const char *mld_auth_role_name(enum mld_role role);
enum mld_role mld_auth_parse_role(const char *s);

/* Compares two NUL-terminated tokens in time independent of where they
 * differ; false when either is NULL or the lengths differ. */
bool mld_auth_token_equal(const char *a, const char *b);

/* Copies the value of cookie name from a Cookie request header (NULL is
 * fine) to out (size bytes). False when absent or too long. */
bool mld_auth_cookie(const char *header, const char *name, char *out, size_t size);

/* Decodes field name of an application/x-www-form-urlencoded body
 * (body_len bytes) into out (size bytes, NUL-terminated). False when the
 * field is absent, its decoded value does not fit or holds a NUL. */
bool mld_form_get(const char *body, size_t body_len, const char *name, char *out, size_t size);

#endif
