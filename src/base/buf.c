/*
 * buf.c - growable, capped byte buffer (see buf.h).
 */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "mem.h"

void
mld_buf_init(struct mld_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = 0;
}

void
mld_buf_dispose(struct mld_buf *b)
{
    mld_free(b->p);
    mld_buf_init(b, b->max);
}

void
mld_buf_reset(struct mld_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; the slow half of append. */
static int
grow(struct mld_buf *b, size_t n)
{
    if (b->err != 0)
        return b->err;
    /* The last test keeps len + n + 1 from wrapping when max is SIZE_MAX. */
    if (n > b->max || b->len > b->max - n || b->len + n == (size_t)-1) {
        b->err = MLD_E_TOOBIG;
        return b->err;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    b->p = mld_realloc(b->p, cap);
    b->cap = cap;
    return 0;
}

int
mld_buf_append(struct mld_buf *b, const void *s, size_t n)
{
    /* Fast path: room left and under the cap (cap > len whenever p is set).
     * s may be NULL when n is 0 (an empty slice), and memcpy must not see
     * a NULL pointer even then. */
    if (b->err == 0 && n < b->cap - b->len && n <= b->max - b->len) {
        if (n > 0)
            memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        return 0;
    }
    int rc = grow(b, n);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int
mld_buf_puts(struct mld_buf *b, const char *s)
{
    return mld_buf_append(b, s, strlen(s));
}

int
mld_buf_putc(struct mld_buf *b, char c)
{
    /* Room for the byte and the NUL, under the cap: no memcpy call (a
     * page's JSON-LD and feeds put thousands of single bytes). */
    if (b->err == 0 && b->cap - b->len > 1 && b->len < b->max) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return 0;
    }
    return mld_buf_append(b, &c, 1);
}

int
mld_buf_vprintf(struct mld_buf *b, const char *fmt, va_list ap)
{
    if (b->err != 0)
        return b->err;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->err = MLD_E_INVAL;
        return b->err;
    }
    int rc = grow(b, (size_t)n);
    if (rc != 0)
        return rc;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int
mld_buf_printf(struct mld_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = mld_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int
mld_buf_append_html(struct mld_buf *b, const char *s, size_t n)
{
    /* An empty slice may have a NULL pointer, and NULL + 0 is undefined. */
    if (n == 0)
        return mld_buf_append(b, s, 0);
    /* One table lookup per byte: most of a page is text that this
     * function copies (a twentieth of an article render, byte by byte). */
    static const char *const rep[256] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    };
    size_t run = 0; /* start of the pending unescaped run */
    for (size_t i = 0; i < n; i++) {
        const char *r = rep[(unsigned char)s[i]];
        if (r == NULL)
            continue;
        mld_buf_append(b, s + run, i - run);
        mld_buf_puts(b, r);
        run = i + 1;
    }
    return mld_buf_append(b, s + run, n - run);
}

int
mld_buf_read_file(struct mld_buf *b, const char *path, struct mld_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return mld_err_set(err, MLD_E_IO, "%s: cannot open: %s", path, strerror(errno));
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (mld_buf_append(b, chunk, n) != 0)
            break;
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return mld_err_set(err, MLD_E_IO, "%s: read error", path);
    if (mld_buf_error(b) != 0)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: larger than %zu bytes", path, b->max);
    return 0;
}

int
mld_buf_error(const struct mld_buf *b)
{
    return b->err;
}

char *
mld_buf_steal(struct mld_buf *b, size_t *len_out)
{
    char *p = b->p;
    if (len_out != NULL)
        *len_out = b->len;
    if (p == NULL)
        p = mld_strdup("");
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = 0;
    return p;
}
