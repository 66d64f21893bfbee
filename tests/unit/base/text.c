/*
 * tests/unit/base/text.c - the shared ASCII classes and UTF-8 validation:
 * every class of malformed UTF-8 is refused at the byte it starts, and
 * the classes do not depend on the process locale.
 */
#include "../../../src/base/text.c"

#include <locale.h>
#include <string.h>

#include "test.h"

static void
test_utf8(void)
{
    static const struct {
        const char *s;
        size_t valid; /* length of the valid prefix */
        const char *what;
    } cases[] = {
        {"", 0, "empty"},
        {"Grüße aus Köln", 17, "Latin-1 range, two bytes each"},
        {"\xe2\x82\xac 5", 5, "the euro sign, three bytes"},
        {"\xf0\x9f\x93\xb0", 4, "a newspaper emoji, four bytes"},
        {"\xf4\x8f\xbf\xbf", 4, "U+10FFFF, the last code point"},
        {"ab\x80", 2, "a stray continuation byte"},
        {"ab\xc3", 2, "a sequence cut at the end"},
        {"ab\xc3(", 2, "a lead byte without its continuation"},
        {"\xc0\xaf", 0, "an overlong slash (two bytes)"},
        {"\xe0\x80\xaf", 0, "an overlong slash (three bytes)"},
        {"\xf0\x82\x82\xac", 0, "an overlong euro (four bytes)"},
        {"x\xed\xa0\x80", 1, "a UTF-16 surrogate"},
        {"\xf4\x90\x80\x80", 0, "past U+10FFFF"},
        {"\xf8\x88\x80\x80\x80", 0, "a five-byte form"},
        {"ok\xff", 2, "a byte UTF-8 never has"},
        {"0123456789abcdef\xff", 16, "after two words of ASCII (read eight at a time)"},
        {"0123456\xc3\xa4" "bcdefgh\x80", 16, "a two-byte form across a word"},
        {"01234567\xc3", 8, "a cut sequence right after a word"},
        {"Guten Morgen, K\xc3\xb6" "ln! Guten Abend", 32, "ASCII words around an umlaut"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        size_t n = strlen(cases[i].s);
        is_int((int)mld_utf8_valid_len(cases[i].s, n), (int)cases[i].valid, "%s: valid prefix",
               cases[i].what);
        ok(mld_utf8_valid(cases[i].s, n) == (cases[i].valid == n), "%s: whole", cases[i].what);
    }
    is_int((int)mld_utf8_seq("\xe2\x82\xac", 2), 0, "a sequence longer than what is left");
    is_int((int)mld_utf8_seq("\xe2\x82\xac", 3), 3, "and with all of it");
}

static void
test_ascii(void)
{
    setlocale(LC_ALL, ""); /* whatever the environment says: it must not matter */
    const char *space = " \t\n\v\f\r";
    for (const char *p = space; *p != '\0'; p++)
        ok(mld_ascii_space(*p), "0x%02x is space", *p);
    ok(!mld_ascii_space('\0') && !mld_ascii_space('x') && !mld_ascii_space((char)0xa0),
       "NUL, letters and a Latin-1 no-break space are not");
    ok(mld_ascii_digit('0') && mld_ascii_digit('9') && !mld_ascii_digit('a') &&
           !mld_ascii_digit((char)0xb2),
       "digits are 0-9 only (not a superscript two)");
    ok(mld_ascii_alpha('a') && mld_ascii_alpha('Z') && !mld_ascii_alpha('@') &&
           !mld_ascii_alpha('[') && !mld_ascii_alpha((char)0xe4),
       "letters are A-Z and a-z only (not a Latin-1 ä)");
    is_int(mld_ascii_lower('Q'), 'q', "lower of Q");
    is_int(mld_ascii_lower('@'), '@', "lower of @ is itself");
    is_int(mld_ascii_lower((char)0xc4), (char)0xc4, "bytes above ASCII stay");
}

int
main(void)
{
    test_utf8();
    test_ascii();
    return mld_test_done();
}
