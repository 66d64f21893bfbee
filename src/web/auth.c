/*
 * auth.c - passwords, tokens, cookies and forms for the editors' logins
 * (see auth.h).
 */
#include "auth.h"

#include <argon2.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <utf8proc.h>

int
mld_auth_random(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

void
mld_auth_hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int
mld_auth_new_token(char out[2 * MLD_SESSION_BYTES + 1], struct mld_err *err)
{
    unsigned char raw[MLD_SESSION_BYTES];
    if (mld_auth_random(raw, sizeof(raw)) != 0)
        return mld_err_set(err, MLD_E_IO, "no random bytes: %s", strerror(errno));
    mld_auth_hex(raw, sizeof(raw), out);
    OPENSSL_cleanse(raw, sizeof(raw));
    return 0;
}

/* Hashes pw with salt into out. Returns argon2's code. */
static int
argon2id(const char *pw, const unsigned char *salt, char out[MLD_ARGON2_ENCODED_MAX])
{
    return argon2id_hash_encoded(MLD_ARGON2_T_COST, MLD_ARGON2_M_COST_KIB, MLD_ARGON2_LANES, pw,
                                 strlen(pw), salt, MLD_ARGON2_SALT_BYTES, MLD_ARGON2_HASH_BYTES,
                                 out, MLD_ARGON2_ENCODED_MAX);
}

int
mld_auth_hash_password(const char *pw, char out[MLD_ARGON2_ENCODED_MAX], struct mld_err *err)
{
    unsigned char salt[MLD_ARGON2_SALT_BYTES];
    if (mld_auth_random(salt, sizeof(salt)) != 0)
        return mld_err_set(err, MLD_E_IO, "no random bytes for the salt: %s", strerror(errno));
    int rc = argon2id(pw, salt, out);
    if (rc != ARGON2_OK)
        return mld_err_set(err, MLD_E_NOMEM, "argon2id: %s", argon2_error_message(rc));
    return 0;
}

/* The dummy hash unknown names are checked against (made once). */
static char dummy_hash[MLD_ARGON2_ENCODED_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
    static const unsigned char salt[MLD_ARGON2_SALT_BYTES] = {0};
    if (argon2id("meldung-dummy-password", salt, dummy_hash) != ARGON2_OK)
        dummy_hash[0] = '\0';
}

bool
mld_auth_check_password(const char *encoded, const char *pw)
{
    if (encoded == NULL) {
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0] != '\0')
            (void)argon2id_verify(dummy_hash, pw, strlen(pw));
        return false;
    }
    return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int
mld_auth_text_ok(const char *s, size_t min, size_t max, bool lines, const char *what,
                 struct mld_err *err)
{
    size_t n = strlen(s);
    if (n < min)
        return mld_err_set(err, MLD_E_INVAL, "%s too short: at least %zu characters", what, min);
    if (n > max)
        return mld_err_set(err, MLD_E_INVAL, "%s too long: at most %zu bytes", what, max);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0)
            return mld_err_set(err, MLD_E_INVAL, "%s is not valid UTF-8", what);
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
            return mld_err_set(err, MLD_E_INVAL, "%s holds a control character", what);
        i += (size_t)k;
    }
    return 0;
}

int
mld_auth_password_ok(const char *pw, struct mld_err *err)
{
    return mld_auth_text_ok(pw, MLD_PASSWORD_MIN, MLD_PASSWORD_MAX, false, "password", err);
}

int
mld_auth_user_name_ok(const char *name, struct mld_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > MLD_USER_NAME_MAX)
        return mld_err_set(err, MLD_E_INVAL, "user name must have 1 to %d characters",
                           MLD_USER_NAME_MAX);
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return mld_err_set(err, MLD_E_INVAL,
                               "user name '%s': only a-z, 0-9, '.', '_' and '-' are allowed",
                               name);
    if (strcmp(name, "cli") == 0)
        return mld_err_set(err, MLD_E_INVAL,
                           "user name 'cli' is reserved: it names the command line in the "
                           "audit log");
    return 0;
}

const char *
mld_auth_role_name(enum mld_role role)
{
    return role == MLD_ROLE_ADMIN ? "admin" : "editor";
}

enum mld_role
mld_auth_parse_role(const char *s)
{
    if (strcmp(s, "admin") == 0)
        return MLD_ROLE_ADMIN;
    if (strcmp(s, "editor") == 0)
        return MLD_ROLE_EDITOR;
    return 0;
}

bool
mld_auth_token_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    size_t n = strlen(a);
    if (n == 0 || n != strlen(b))
        return false;
    return CRYPTO_memcmp(a, b, n) == 0;
}

bool
mld_auth_cookie(const char *header, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = header; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            while (vl > 0 && (p[nl + 1 + vl - 1] == ' ' || p[nl + 1 + vl - 1] == '\t'))
                vl--;
            if (vl + 1 > size)
                return false;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

/* Decodes the url-encoded p[0..n) into out (size bytes). False when it
 * does not fit or decodes to a NUL. */
static bool
form_decode(const char *p, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
                   isxdigit((unsigned char)p[i + 2])) {
            char hex[3] = {p[i + 1], p[i + 2], '\0'};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (c == '\0' || o + 1 >= size)
            return false;
        out[o++] = c;
    }
    if (size == 0)
        return false;
    out[o] = '\0';
    return true;
}

bool
mld_form_get(const char *body, size_t body_len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    const char *end = body + body_len;
    for (const char *p = body; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if ((size_t)(e - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=')
            return form_decode(p + nl + 1, (size_t)(e - p) - nl - 1, out, size);
        if ((size_t)(e - p) == nl && strncmp(p, name, nl) == 0)
            return form_decode(p, 0, out, size);
        p = e + 1;
    }
    return false;
}
