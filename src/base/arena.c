/*
 * arena.c - a per-document arena (see arena.h).
 *
 * Chunks double in size from ARENA_FIRST up to ARENA_MAX, so a document
 * of any size takes a few chunks; a request larger than the next chunk
 * gets a chunk of its own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>

#include "mem.h"

#define ARENA_FIRST (64u * 1024)
#define ARENA_MAX (4u * 1024 * 1024)
#define ARENA_ALIGN alignof(max_align_t)

struct mld_arena_chunk {
    struct mld_arena_chunk *next;
    size_t used, cap; /* bytes of data[] */
    alignas(max_align_t) unsigned char data[];
};

void *
mld_arena_alloc(struct mld_arena *a, size_t n)
{
    n = n == 0 ? ARENA_ALIGN : (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct mld_arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = c == NULL ? ARENA_FIRST : c->cap * 2;
        if (cap > ARENA_MAX)
            cap = ARENA_MAX;
        if (cap < n)
            cap = n;
        c = mld_malloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
        a->total += cap;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

bool
mld_arena_owns(const struct mld_arena *a, const void *p)
{
    uintptr_t u = (uintptr_t)p;
    for (const struct mld_arena_chunk *c = a->head; c != NULL; c = c->next)
        if (u >= (uintptr_t)c->data && u < (uintptr_t)(c->data + c->cap))
            return true;
    return false;
}

void
mld_arena_dispose(struct mld_arena *a)
{
    for (struct mld_arena_chunk *c = a->head, *next; c != NULL; c = next) {
        next = c->next;
        mld_free(c);
    }
    *a = (struct mld_arena){0};
}
