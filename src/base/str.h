/*
 * str.h - string slices: a pointer and a length, not NUL-terminated.
 *
 * Text travels through meldung as slices into buffers it does not own;
 * copy with mld_strndup(s.p, s.len) where a lifetime must be extended.
 */
#ifndef MLD_STR_H
#define MLD_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct mld_str {
    const char *p; /* first byte; may be NULL when len is 0 */
    size_t len;    /* bytes */
};

/* A slice of a string literal or a NUL-terminated string. */
#define MLD_STR_LIT(s) ((struct mld_str){(s), sizeof(s) - 1})

static inline struct mld_str
mld_str_c(const char *s)
{
    return (struct mld_str){s, s ? strlen(s) : 0};
}

/* True when a and b hold the same bytes. */
static inline bool
mld_str_eq(struct mld_str a, struct mld_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* True when s begins with the NUL-terminated prefix. */
static inline bool
mld_str_has_prefix(struct mld_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

#endif
