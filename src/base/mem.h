/*
 * mem.h - allocation wrappers.
 *
 * meldung is a program, not a library: running out of memory is not a
 * condition it can serve pages through, so these wrappers log and abort
 * instead of returning NULL, and no caller checks for NULL. Hostile or
 * oversized input never gets here: it meets a limit (limits.h) first.
 * Everything in meldung allocates through these; plain malloc/free are
 * banned by tools/checksrc.sh.
 */
#ifndef MLD_MEM_H
#define MLD_MEM_H

#include <stddef.h>

/* Returns n bytes, never NULL (aborts on failure). */
void *mld_malloc(size_t n);

/* Returns n * size zeroed bytes; aborts when n * size overflows. */
void *mld_calloc(size_t n, size_t size);

/* Resizes p to n bytes (p may be NULL); the old pointer is no longer valid. */
void *mld_realloc(void *p, size_t n);

/* Resizes p to n * size bytes, checking the multiplication. */
void *mld_reallocarray(void *p, size_t n, size_t size);

/* Returns a NUL-terminated copy of s, or NULL when s is NULL. */
char *mld_strdup(const char *s);

/* Returns a NUL-terminated copy of the n bytes at s (s may hold NULs). */
char *mld_strndup(const char *s, size_t n);

/* Frees p; NULL is fine. */
void mld_free(void *p);

/* Allocates a zeroed struct: `struct foo *f = MLD_NEW(struct foo);` */
#define MLD_NEW(type) ((type *)mld_calloc(1, sizeof(type)))

#endif
