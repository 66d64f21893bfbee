/*
 * Tests for auth.c: url-encoded forms, cookies, constant-time token
 * comparison, Argon2id hashes (encoded with salt and the limits.h costs,
 * salted per call, checked), names, passwords and texts.
 */
#include "../../../src/web/auth.c"

#include "test.h"

static void
test_form(void)
{
    static const char body[] = "csrfx=no&csrf=ab%2Fc+d&leer=&ohne&umlaut=%C3%BC&kaputt=%zz%4";
    size_t n = sizeof(body) - 1;
    char v[16];
    ok(mld_form_get(body, n, "csrf", v, sizeof(v)) && strcmp(v, "ab/c d") == 0,
       "form: %%XX and + decode, a longer name with the same start is another field");
    ok(mld_form_get(body, n, "leer", v, sizeof(v)) && v[0] == '\0', "form: an empty value");
    ok(mld_form_get(body, n, "ohne", v, sizeof(v)) && v[0] == '\0', "form: a name without =");
    ok(mld_form_get(body, n, "umlaut", v, sizeof(v)) && strcmp(v, "\xc3\xbc") == 0,
       "form: UTF-8 bytes");
    ok(mld_form_get(body, n, "kaputt", v, sizeof(v)) && strcmp(v, "%zz%4") == 0,
       "form: a broken escape stays as it is");
    ok(!mld_form_get(body, n, "fehlt", v, sizeof(v)), "form: a missing field");
    char small[4];
    ok(!mld_form_get(body, n, "csrf", small, sizeof(small)), "form: a value too long for out");
    static const char nul[] = "a=x%00y";
    ok(!mld_form_get(nul, sizeof(nul) - 1, "a", v, sizeof(v)), "form: a value decoding to NUL");
    static const char tail[] = "a=1&b=2";
    ok(mld_form_get(tail, 3, "a", v, sizeof(v)) && !mld_form_get(tail, 3, "b", v, sizeof(v)),
       "form: only body_len bytes are read");
}

static void
test_cookie(void)
{
    char v[70];
    ok(mld_auth_cookie("a=1; mld_sitzungx=2;  mld_sitzung=abc ; z=9", "mld_sitzung", v, sizeof(v)) &&
           strcmp(v, "abc") == 0,
       "cookie: found among others, a longer name is another cookie");
    ok(!mld_auth_cookie("a=1", "mld_sitzung", v, sizeof(v)), "cookie: absent");
    ok(!mld_auth_cookie(NULL, "mld_sitzung", v, sizeof(v)), "cookie: no header");
    char small[3];
    ok(!mld_auth_cookie("mld_sitzung=abcdef", "mld_sitzung", small, sizeof(small)),
       "cookie: too long for out");
}

static void
test_tokens(void)
{
    ok(mld_auth_token_equal("abc", "abc"), "token: equal");
    ok(!mld_auth_token_equal("abc", "abd"), "token: one byte differs");
    ok(!mld_auth_token_equal("abc", "abcd"), "token: lengths differ");
    ok(!mld_auth_token_equal("", ""), "token: empty never matches");
    ok(!mld_auth_token_equal(NULL, "abc"), "token: NULL never matches");
    char a[2 * MLD_SESSION_BYTES + 1], b[2 * MLD_SESSION_BYTES + 1];
    struct mld_err err = {0};
    ok(mld_auth_new_token(a, &err) == 0 && mld_auth_new_token(b, &err) == 0, "token: made");
    is_int((long)strlen(a), 2 * MLD_SESSION_BYTES, "token: 64 hex digits");
    ok(strspn(a, "0123456789abcdef") == strlen(a), "token: hex only");
    ok(strcmp(a, b) != 0, "token: two differ");
}

static void
test_password(void)
{
    char h1[MLD_ARGON2_ENCODED_MAX], h2[MLD_ARGON2_ENCODED_MAX];
    struct mld_err err = {0};
    ok(mld_auth_hash_password("richtiges-passwort", h1, &err) == 0, "hash: made");
    ok(mld_auth_hash_password("richtiges-passwort", h2, &err) == 0, "hash: made twice");
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "$argon2id$v=19$m=%d,t=%d,p=%d$", MLD_ARGON2_M_COST_KIB,
             MLD_ARGON2_T_COST, MLD_ARGON2_LANES);
    ok(strncmp(h1, prefix, strlen(prefix)) == 0, "hash: Argon2id with the limits.h costs (%s)", h1);
    ok(strcmp(h1, h2) != 0, "hash: a fresh salt each time");
    ok(mld_auth_check_password(h1, "richtiges-passwort"), "check: the right password");
    ok(!mld_auth_check_password(h1, "richtiges-passworT"), "check: a wrong one");
    ok(!mld_auth_check_password("$argon2id$kaputt", "richtiges-passwort"), "check: a broken hash");
    ok(!mld_auth_check_password(NULL, "richtiges-passwort"), "check: no account");
}

static void
test_names_and_texts(void)
{
    struct mld_err err = {0};
    ok(mld_auth_user_name_ok("anna.b_1-x", &err) == 0, "name: a-z 0-9 . _ -");
    ok(mld_auth_user_name_ok("Anna", &err) == MLD_E_INVAL, "name: no capitals");
    ok(mld_auth_user_name_ok("", &err) == MLD_E_INVAL, "name: not empty");
    ok(mld_auth_user_name_ok("cli", &err) == MLD_E_INVAL && strstr(err.msg, "reserved"),
       "name: cli is reserved");
    ok(mld_auth_password_ok("kurz", &err) == MLD_E_INVAL && strstr(err.msg, "too short"),
       "password: too short");
    ok(mld_auth_password_ok("lang genug \xc3\xa4", &err) == 0, "password: UTF-8 with spaces");
    ok(mld_auth_password_ok("lang genug \xc3", &err) == MLD_E_INVAL && strstr(err.msg, "UTF-8"),
       "password: broken UTF-8");
    ok(mld_auth_password_ok("lang\tgenug!!", &err) == MLD_E_INVAL, "password: no tab");
    ok(mld_auth_text_ok("zwei\nZeilen", 1, 100, true, "note", &err) == 0, "text: lines allowed");
    ok(mld_auth_text_ok("zwei\nZeilen", 1, 100, false, "note", &err) == MLD_E_INVAL,
       "text: lines refused when not");
    ok(mld_auth_text_ok("x\x7f", 1, 100, true, "note", &err) == MLD_E_INVAL &&
           strstr(err.msg, "note holds a control character"),
       "text: DEL refused, the message names the field");
    is_int(mld_auth_parse_role("admin"), MLD_ROLE_ADMIN, "role: admin");
    is_int(mld_auth_parse_role("editor"), MLD_ROLE_EDITOR, "role: editor");
    is_int(mld_auth_parse_role("root"), 0, "role: anything else");
}

int
main(void)
{
    test_form();
    test_cookie();
    test_tokens();
    test_password();
    test_names_and_texts();
    return mld_test_done();
}
