/*
 * mem.c - allocation wrappers that abort on exhaustion (see mem.h).
 */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(size_t n)
{
    fprintf(stderr, "meldung: out of memory allocating %zu bytes\n", n);
    abort();
}

void *
mld_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *
mld_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *
mld_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

void *
mld_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    return mld_realloc(p, n * size);
}

char *
mld_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    return mld_strndup(s, strlen(s));
}

char *
mld_strndup(const char *s, size_t n)
{
    char *p = mld_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
mld_free(void *p)
{
    free(p);
}
