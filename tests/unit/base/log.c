/*
 * tests/unit/base/log.c - log escaping and timestamps (src/base/log.c).
 *
 * mld_log_escape in its three modes: control bytes, DEL, C1 controls,
 * bytes that are not UTF-8, quotes and backslashes; valid UTF-8 kept;
 * cutting at a whole escape; the timestamp's shape.
 */
#include "../../../src/base/log.c"

#include <string.h>

#include "test.h"

/* Escapes s (NUL-terminated) with mode into a large buffer; returns it. */
static const char *
esc(const char *s, enum mld_log_escape_mode mode)
{
    static char out[512];
    mld_log_escape(out, sizeof(out), s, strlen(s), mode, NULL);
    return out;
}

static void
test_escape(void)
{
    is_str(esc("plain text", MLD_ESC_TEXT), "plain text", "text: plain ASCII unchanged");
    is_str(esc("a\nb\rc\td", MLD_ESC_TEXT), "a\\nb\\rc\\td", "text: newline, CR, tab");
    is_str(esc("\x1b[31mred", MLD_ESC_TEXT), "\\x1b[31mred", "text: ESC as \\x1b");
    is_str(esc("x\x7fy\x01", MLD_ESC_TEXT), "x\\x7fy\\x01", "text: DEL and SOH");
    is_str(esc("back\\slash", MLD_ESC_TEXT), "back\\\\slash", "text: backslash doubled");
    is_str(esc("say \"hi\"", MLD_ESC_TEXT), "say \"hi\"", "text: quotes kept");
    is_str(esc("say \"hi\"", MLD_ESC_QUOTED), "say \\\"hi\\\"", "quoted: quotes escaped");
    is_str(esc("Grüße – ok", MLD_ESC_TEXT), "Grüße – ok", "text: valid UTF-8 kept");
    is_str(esc("\xc2\x9b" "2J", MLD_ESC_TEXT), "\\u009b2J", "text: C1 CSI as \\u009b");
    is_str(esc("a\xff" "b\xc3", MLD_ESC_TEXT), "a\\xffb\\xc3", "text: bad UTF-8 bytes as \\xHH");
    is_str(esc("\xed\xa0\x80", MLD_ESC_TEXT), "\\xed\\xa0\\x80", "text: a surrogate is not UTF-8");
    is_str(esc("\xc0\xaf", MLD_ESC_TEXT), "\\xc0\\xaf", "text: an overlong form is not UTF-8");
    is_str(esc("a\nb\x1b\"c\\", MLD_ESC_JSON), "a\\nb\\u001b\\\"c\\\\", "json: control, quote, backslash");
    is_str(esc("x\xff", MLD_ESC_JSON), "x\\ufffd", "json: a bad byte as U+FFFD");
    is_str(esc("\xc2\x85", MLD_ESC_JSON), "\\u0085", "json: C1 NEL escaped");
    is_str(esc("€", MLD_ESC_JSON), "€", "json: valid UTF-8 kept");

    char out[8];
    bool whole = true;
    size_t n = mld_log_escape(out, 6, "abc\x1b" "def", 7, MLD_ESC_TEXT, &whole);
    ok(n == 3 && strcmp(out, "abc") == 0 && !whole, "cut before an escape that does not fit");
    n = mld_log_escape(out, sizeof(out), "abcdefg", 7, MLD_ESC_TEXT, &whole);
    ok(n == 7 && whole, "exactly fitting text is whole");
    n = mld_log_escape(out, 1, "a", 1, MLD_ESC_TEXT, &whole);
    ok(n == 0 && out[0] == '\0' && !whole, "room for the NUL only");
}

static void
test_timestamp(void)
{
    char ts[25];
    mld_log_timestamp(ts);
    bool shape = strlen(ts) == 24 && ts[4] == '-' && ts[7] == '-' && ts[10] == 'T' &&
                 ts[13] == ':' && ts[16] == ':' && ts[19] == '.' && ts[23] == 'Z';
    ok(shape, "timestamp YYYY-MM-DDTHH:MM:SS.mmmZ: %s", ts);
}

static void
test_format(void)
{
    enum mld_log_format f = MLD_LOG_TEXT;
    ok(mld_log_parse_format("json", &f) == 0 && f == MLD_LOG_JSON, "parse json");
    ok(mld_log_parse_format("text", &f) == 0 && f == MLD_LOG_TEXT, "parse text");
    ok(mld_log_parse_format("JSON ", &f) != 0, "anything else is refused");
}

int
main(void)
{
    test_escape();
    test_timestamp();
    test_format();
    return mld_test_done();
}
