/*
 * arena.c - bump allocator (see arena.h).
 */
#include "arena.h"

#include <stdint.h>

#include "limits.h"
#include "mem.h"

struct mld_arena_chunk {
    struct mld_arena_chunk *next;
    size_t size; /* bytes of data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

#define ALIGN 16

void *
mld_arena_alloc(struct mld_arena *a, size_t n)
{
    n = n == 0 ? ALIGN : (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct mld_arena_chunk *c = a->chunks;
    if (c == NULL || c->size - c->used < n) {
        size_t size = c != NULL ? c->size * 2 : MLD_ARENA_CHUNK_BYTES;
        while (size < n)
            size *= 2;
        struct mld_arena_chunk *nc = mld_malloc(sizeof(*nc) + size);
        nc->next = c;
        nc->size = size;
        nc->used = 0;
        a->chunks = c = nc;
        a->held += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

bool
mld_arena_owns(const struct mld_arena *a, const void *p)
{
    uintptr_t x = (uintptr_t)p;
    for (const struct mld_arena_chunk *c = a->chunks; c != NULL; c = c->next)
        if (x >= (uintptr_t)c->data && x < (uintptr_t)c->data + c->size)
            return true;
    return false;
}

void
mld_arena_reset(struct mld_arena *a, size_t keep)
{
    struct mld_arena_chunk *c = a->chunks;
    if (c == NULL)
        return;
    /* The newest chunk is the largest: one that fits the bound serves
     * the next render alone; the older, smaller ones go. */
    struct mld_arena_chunk *rest = c->next;
    if (c->size > keep) {
        rest = c;
        c = NULL;
    }
    while (rest != NULL) {
        struct mld_arena_chunk *next = rest->next;
        mld_free(rest);
        rest = next;
    }
    a->chunks = c;
    a->held = c != NULL ? c->size : 0;
    if (c != NULL) {
        c->next = NULL;
        c->used = 0;
    }
}

void
mld_arena_dispose(struct mld_arena *a)
{
    mld_arena_reset(a, 0);
}
