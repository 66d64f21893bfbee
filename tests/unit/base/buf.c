/*
 * tests/unit/base/buf.c - the capped byte buffer (src/base/buf.c) and
 * error reports (src/base/err.c, linked from the library).
 *
 * Buffer: growth, the cap and its sticky MLD_E_TOOBIG, printf, HTML
 * escaping, steal, reset and dispose. Errors: mld_strerror for every code
 * in the map, mld_err_set, mld_err_prefix (with truncation) and
 * mld_err_clear.
 */
#include "../../../src/base/buf.c"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "test.h"

/* True when b holds exactly the n bytes at s, NUL-terminated. */
static int
holds(const struct mld_buf *b, const char *s, size_t n)
{
    return b->len == n && b->p != NULL && memcmp(b->p, s, n) == 0 && b->p[n] == '\0' &&
           b->cap > b->len && b->len <= b->max;
}

static void
test_growth(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 1 << 20);
    ok(b.p == NULL && b.len == 0 && b.cap == 0 && b.err == 0, "init: empty, nothing allocated");

    /* Byte by byte across several doublings. */
    char want[5000];
    int rc = 0;
    for (size_t i = 0; i < sizeof(want); i++) {
        want[i] = (char)('a' + i % 26);
        rc |= mld_buf_putc(&b, want[i]);
    }
    is_int(rc, 0, "putc 5000 times");
    ok(holds(&b, want, sizeof(want)), "putc: contents and NUL");
    size_t cap = b.cap;

    /* Growth at the edges of the first allocation. */
    mld_buf_reset(&b);
    ok(b.len == 0 && b.p[0] == '\0' && b.cap == cap, "reset keeps the allocation");
    int bad = 0;
    for (size_t n = 60; n < 70; n++) {
        struct mld_buf c;
        mld_buf_init(&c, 1000);
        mld_buf_append(&c, want, n);
        mld_buf_append(&c, want + n, n);
        if (!holds(&c, want, 2 * n))
            bad++;
        mld_buf_dispose(&c);
    }
    is_int(bad, 0, "appends of 60..69 bytes twice, across the first growth");

    /* Empty appends: allocate an empty string; s may be NULL. */
    struct mld_buf e;
    mld_buf_init(&e, 10);
    is_int(mld_buf_append(&e, NULL, 0), 0, "append(NULL, 0) on a fresh buffer");
    ok(holds(&e, "", 0), "append(NULL, 0): p is \"\"");
    is_int(mld_buf_append(&e, NULL, 0), 0, "append(NULL, 0) on an allocated buffer");
    is_int(mld_buf_append_html(&e, NULL, 0), 0, "append_html(NULL, 0)");
    is_int(mld_buf_puts(&e, ""), 0, "puts(\"\")");
    ok(holds(&e, "", 0), "still empty");
    mld_buf_dispose(&e);

    /* Embedded NULs are bytes like any other. */
    mld_buf_reset(&b);
    mld_buf_append(&b, "a\0b", 3);
    ok(holds(&b, "a\0b", 3), "embedded NUL kept");

    mld_buf_dispose(&b);
    ok(b.p == NULL && b.len == 0 && b.cap == 0 && b.max == 1 << 20, "dispose: empty, max kept");
    mld_buf_dispose(&b);
    ok(b.p == NULL, "dispose twice");
}

static void
test_cap(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 10);
    is_int(mld_buf_append(&b, "0123456789", 10), 0, "fill to exactly max");
    ok(holds(&b, "0123456789", 10), "full buffer");
    is_int(mld_buf_putc(&b, 'x'), MLD_E_TOOBIG, "one byte past max");
    is_int(mld_buf_error(&b), MLD_E_TOOBIG, "error recorded");
    ok(holds(&b, "0123456789", 10), "contents unchanged after TOOBIG");

    /* Sticky: every later append is a no-op, even ones that would fit. */
    mld_buf_reset(&b);
    mld_buf_append(&b, "12345", 5);
    is_int(mld_buf_append(&b, "123456", 6), MLD_E_TOOBIG, "append past max is refused whole");
    ok(holds(&b, "12345", 5), "nothing of it written");
    is_int(mld_buf_append(&b, "x", 1), MLD_E_TOOBIG, "sticky: append that fits");
    is_int(mld_buf_append(&b, "", 0), MLD_E_TOOBIG, "sticky: empty append");
    is_int(mld_buf_puts(&b, "y"), MLD_E_TOOBIG, "sticky: puts");
    is_int(mld_buf_putc(&b, 'z'), MLD_E_TOOBIG, "sticky: putc");
    is_int(mld_buf_printf(&b, "%d", 1), MLD_E_TOOBIG, "sticky: printf");
    is_int(mld_buf_append_html(&b, "<", 1), MLD_E_TOOBIG, "sticky: append_html");
    ok(holds(&b, "12345", 5), "sticky: contents unchanged");

    /* reset clears the error. */
    mld_buf_reset(&b);
    is_int(mld_buf_error(&b), 0, "reset clears the error");
    is_int(mld_buf_puts(&b, "again"), 0, "usable after reset");
    ok(holds(&b, "again", 5), "contents after reset");
    mld_buf_dispose(&b);

    /* max 0: only empty. */
    mld_buf_init(&b, 0);
    is_int(mld_buf_append(&b, "", 0), 0, "max 0: empty append");
    is_int(mld_buf_putc(&b, 'a'), MLD_E_TOOBIG, "max 0: one byte");
    mld_buf_dispose(&b);

    /* A cap of 1 MiB filled in odd chunks, exactly. */
    mld_buf_init(&b, 1 << 20);
    static char chunk[999];
    memset(chunk, 'c', sizeof(chunk));
    size_t left = 1 << 20;
    int rc = 0;
    while (left > 0) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        rc |= mld_buf_append(&b, chunk, n);
        left -= n;
    }
    ok(rc == 0 && b.len == 1 << 20 && b.p[b.len] == '\0', "1 MiB filled exactly");
    is_int(mld_buf_putc(&b, 'c'), MLD_E_TOOBIG, "1 MiB + 1 refused");
    mld_buf_dispose(&b);

    /* Sizes near SIZE_MAX must not wrap (len + n + 1). */
    mld_buf_init(&b, SIZE_MAX);
    is_int(mld_buf_append(&b, "", SIZE_MAX), MLD_E_TOOBIG, "n = SIZE_MAX is refused");
    mld_buf_dispose(&b);
    mld_buf_init(&b, 100);
    mld_buf_putc(&b, 'a');
    is_int(mld_buf_append(&b, "", SIZE_MAX), MLD_E_TOOBIG, "len + SIZE_MAX is refused");
    ok(holds(&b, "a", 1), "after a refused huge append");
    mld_buf_dispose(&b);
}

static void
test_printf(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    is_int(mld_buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), 0, "printf");
    ok(holds(&b, "42-x-y", 6), "printf contents");
    mld_buf_printf(&b, "|%05.1f|%zu", 3.14159, (size_t)7);
    is_str(b.p, "42-x-y|003.1|7", "printf appends");

    /* Past the first allocation in one call. */
    mld_buf_reset(&b);
    mld_buf_puts(&b, "head:");
    is_int(mld_buf_printf(&b, "%300s", "r"), 0, "printf of 300 bytes");
    ok(b.len == 305 && b.p[304] == 'r' && b.p[305] == '\0' && b.p[5] == ' ',
       "printf of 300 bytes: contents");

    /* Empty output on a fresh buffer still gives a string. */
    struct mld_buf e;
    mld_buf_init(&e, 10);
    is_int(mld_buf_printf(&e, "%s", ""), 0, "printf of nothing");
    ok(holds(&e, "", 0), "printf of nothing: p is \"\"");

    /* The cap: output that would pass it is refused whole. */
    mld_buf_printf(&e, "%s", "12345678");
    is_int(mld_buf_printf(&e, "%d", 123), MLD_E_TOOBIG, "printf past max");
    ok(holds(&e, "12345678", 8), "printf past max: nothing written");
    mld_buf_dispose(&e);
    mld_buf_dispose(&b);
}

static void
test_html(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 1000);
    const char *in = "a<b>&\"c'd";
    is_int(mld_buf_append_html(&b, in, strlen(in)), 0, "append_html");
    is_str(b.p, "a&lt;b&gt;&amp;&quot;c&#39;d", "all five escaped");
    mld_buf_reset(&b);
    mld_buf_append_html(&b, "plain text", 10);
    is_str(b.p, "plain text", "nothing to escape");
    mld_buf_reset(&b);
    mld_buf_append_html(&b, "<<>>", 4);
    is_str(b.p, "&lt;&lt;&gt;&gt;", "escapes only");
    mld_buf_reset(&b);
    mld_buf_append_html(&b, "Zoë & Jürgen", strlen("Zoë & Jürgen"));
    is_str(b.p, "Zoë &amp; Jürgen", "UTF-8 passes through");
    mld_buf_reset(&b);
    mld_buf_append_html(&b, "x<y", 1);
    is_str(b.p, "x", "only n bytes are read");
    mld_buf_dispose(&b);

    /* The cap in the middle of an escape: sticky, the text cut cleanly at
     * an append boundary. */
    mld_buf_init(&b, 5);
    is_int(mld_buf_append_html(&b, "ab<cd", 5), MLD_E_TOOBIG, "append_html past max");
    is_str(b.p, "ab", "append_html past max: no half entity");
    mld_buf_dispose(&b);
}

static void
test_steal(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 100);
    mld_buf_puts(&b, "hello");
    size_t len = 0;
    char *p = mld_buf_steal(&b, &len);
    is_str(p, "hello", "steal: contents");
    is_int(len, 5, "steal: length");
    ok(b.p == NULL && b.len == 0 && b.cap == 0 && b.max == 100, "steal leaves b empty, max kept");
    mld_free(p);

    p = mld_buf_steal(&b, &len);
    ok(p != NULL && p[0] == '\0' && len == 0, "steal of an empty buffer gives \"\"");
    mld_free(p);

    p = mld_buf_steal(&b, NULL);
    ok(p != NULL, "steal without len_out");
    mld_free(p);

    mld_buf_puts(&b, "reused");
    ok(holds(&b, "reused", 6), "buffer reusable after steal");
    mld_buf_dispose(&b);

    /* Steal after an error hands over what was written and clears it. */
    mld_buf_init(&b, 3);
    mld_buf_puts(&b, "abcd");
    mld_buf_puts(&b, "ab");
    p = mld_buf_steal(&b, &len);
    ok(p != NULL && len == 0 && mld_buf_error(&b) == 0, "steal after TOOBIG clears the error");
    mld_free(p);
    mld_buf_dispose(&b);
}

static void
test_strerror(void)
{
    is_str(mld_strerror(MLD_OK), "success", "strerror(0)");
    is_str(mld_strerror(MLD_E_PARSE), "malformed input", "strerror(MLD_E_PARSE)");
    is_str(mld_strerror(MLD_E_TOOBIG), "input exceeds a limit", "strerror(MLD_E_TOOBIG)");
    is_str(mld_strerror(1), "unknown error", "strerror(1)");
    is_str(mld_strerror(-1000), "unknown error", "strerror(-1000)");
    is_str(mld_strerror(INT_MIN), "unknown error", "strerror(INT_MIN)");

    /* Every code in the map: negative, its own text, none repeated. */
    static const int codes[] = {
#define CODE_(name, code, str) MLD_E_##name,
        MLD_ERR_MAP(CODE_)
#undef CODE_
    };
    size_t n = sizeof(codes) / sizeof(codes[0]);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = mld_strerror(codes[i]);
        if (codes[i] >= 0 || s == NULL || s[0] == '\0' || strcmp(s, "unknown error") == 0)
            bad++;
        for (size_t j = 0; j < i; j++)
            if (codes[i] == codes[j] || strcmp(s, mld_strerror(codes[j])) == 0)
                bad++;
    }
    ok(bad == 0 && n >= 13, "all %zu codes negative, described, distinct", n);
}

static void
test_err(void)
{
    struct mld_err err = {0};
    is_int(mld_err_set(&err, MLD_E_PARSE, "line %d, column %d: %s", 3, 7, "expected ','"),
           MLD_E_PARSE, "err_set returns the code");
    is_int(err.code, MLD_E_PARSE, "err_set: code");
    is_str(err.msg, "line 3, column 7: expected ','", "err_set: message");
    is_int(mld_err_set(NULL, MLD_E_IO, "x"), MLD_E_IO, "err_set(NULL) returns the code");

    mld_err_prefix(&err, "%s", "dw-1.json");
    is_str(err.msg, "dw-1.json: line 3, column 7: expected ','", "prefix");
    is_int(err.code, MLD_E_PARSE, "prefix keeps the code");
    mld_err_prefix(&err, "ingest %d", 2);
    is_str(err.msg, "ingest 2: dw-1.json: line 3, column 7: expected ','", "prefix twice");
    mld_err_prefix(NULL, "x");
    ok(1, "prefix(NULL)");

    /* The message as the prefix's own argument. */
    mld_err_set(&err, MLD_E_IO, "short");
    mld_err_prefix(&err, "%s", err.msg);
    is_str(err.msg, "short: short", "prefix that reads the message itself");

    mld_err_clear(&err);
    ok(err.code == 0 && err.msg[0] == '\0', "clear");
    mld_err_prefix(&err, "file");
    ok(err.code == 0 && err.msg[0] == '\0', "prefix does nothing without an error");
    mld_err_clear(NULL);
    ok(1, "clear(NULL)");

    /* Truncation: messages stay within MLD_ERR_MSG_MAX. */
    char big[2 * MLD_ERR_MSG_MAX];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mld_err_set(&err, MLD_E_TOOBIG, "%s", big);
    is_int(strlen(err.msg), MLD_ERR_MSG_MAX - 1, "long message truncated");
    mld_err_prefix(&err, "file");
    is_int(strlen(err.msg), MLD_ERR_MSG_MAX - 1, "prefix on a full message: truncated");
    ok(strncmp(err.msg, "file: mmm", 9) == 0, "prefix on a full message: prefix first");
    mld_err_set(&err, MLD_E_IO, "tail");
    mld_err_prefix(&err, "%s", big);
    is_int(strlen(err.msg), MLD_ERR_MSG_MAX - 1, "prefix longer than a message: truncated");
    ok(err.msg[0] == 'm' && err.msg[MLD_ERR_MSG_MAX - 2] == 'm', "long prefix fills the message");
    mld_err_set(&err, MLD_E_IO, "tail");
    memset(big, 'p', MLD_ERR_MSG_MAX - 4);
    big[MLD_ERR_MSG_MAX - 4] = '\0';
    mld_err_prefix(&err, "%s", big);
    is_int(strlen(err.msg), MLD_ERR_MSG_MAX - 1, "prefix + message cut at the limit");
    is_str(err.msg + MLD_ERR_MSG_MAX - 4, ": t", "cut inside the old message");
}

static void
test_read_file(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/mld-buf-test-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 5000; i++)
        fputs("0123456789", f);
    fclose(f);
    struct mld_buf b;
    struct mld_err err = {0};
    mld_buf_init(&b, 50000);
    is_int(mld_buf_read_file(&b, path, &err), 0, "read_file: a file at the limit");
    is_int(b.len, 50000, "read_file: every byte");
    ok(memcmp(b.p + 49990, "0123456789", 10) == 0 && b.p[50000] == '\0', "read_file: content");
    mld_buf_dispose(&b);
    mld_buf_init(&b, 49999);
    is_int(mld_buf_read_file(&b, path, &err), MLD_E_TOOBIG, "read_file: one byte over");
    ok(strstr(err.msg, path) != NULL && strstr(err.msg, "larger than 49999") != NULL,
       "read_file: the message names file and limit: %s", err.msg);
    mld_buf_dispose(&b);
    unlink(path);
    is_int(mld_buf_read_file(&b, path, &err), MLD_E_IO, "read_file: missing file");
    ok(strstr(err.msg, "cannot open") != NULL, "read_file: %s", err.msg);
    mld_buf_dispose(&b);
}

int
main(void)
{
    test_read_file();
    test_growth();
    test_cap();
    test_printf();
    test_html();
    test_steal();
    test_strerror();
    test_err();
    return mld_test_done();
}
