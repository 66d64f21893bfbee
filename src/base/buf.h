/*
 * buf.h - a growable byte buffer with a fixed maximum.
 *
 * All output (HTML, JSON, SQL text, feeds) is built in a struct mld_buf.
 * The maximum is set at init; an append that would pass it records
 * MLD_E_TOOBIG once and every later append becomes a no-op (a sticky error,
 * as SQLite's string accumulator does), so writers check once, at the end,
 * with mld_buf_error(). The contents are always NUL-terminated so that
 * p can be handed to libc; len does not count the NUL.
 *
 * Fields are visible for speed and for slicing; treat them as read-only.
 */
#ifndef MLD_BUF_H
#define MLD_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct mld_buf {
    char *p;    /* the bytes, NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* most bytes len may reach */
    int err;    /* 0, or the first error (MLD_E_TOOBIG, MLD_E_INVAL); sticky */
};

/* Prepares an empty buffer that may grow to max bytes. */
void mld_buf_init(struct mld_buf *b, size_t max);

/* Frees the bytes and resets b to empty (max is kept). */
void mld_buf_dispose(struct mld_buf *b);

/* Empties b without freeing, and clears a sticky error. */
void mld_buf_reset(struct mld_buf *b);

/* Appends n bytes at s. Returns 0, or the sticky error. */
int mld_buf_append(struct mld_buf *b, const void *s, size_t n);

/* Appends the NUL-terminated string s. */
int mld_buf_puts(struct mld_buf *b, const char *s);

/* Appends one byte. */
int mld_buf_putc(struct mld_buf *b, char c);

/* Appends printf-style formatted text. */
int mld_buf_printf(struct mld_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mld_buf_vprintf(struct mld_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends s with the five HTML-significant characters escaped
 * (& < > " '), safe in text and in quoted attribute values. */
int mld_buf_append_html(struct mld_buf *b, const char *s, size_t n);

/* Appends the contents of the file at path, at most up to b's maximum.
 * Returns 0; MLD_E_IO with err "path: cannot open: reason" or "path: read
 * error"; or MLD_E_TOOBIG with err "path: larger than N bytes". */
int mld_buf_read_file(struct mld_buf *b, const char *path, struct mld_err *err);

/* Returns the sticky error: 0, MLD_E_TOOBIG, or MLD_E_INVAL when a printf
 * format could not be expanded. */
int mld_buf_error(const struct mld_buf *b);

/* Hands the bytes to the caller (free with mld_free) and leaves b empty.
 * Never NULL: an empty buffer yields "". *len_out, if given, gets len. */
char *mld_buf_steal(struct mld_buf *b, size_t *len_out);

#endif
