/*
 * arena.h - a per-document arena: many small allocations, freed at once.
 *
 * A parse makes thousands of small objects that all die together when
 * the document is done (jansson's tree of a wire entry: every value,
 * key and string its own malloc, then a walk over the tree to free
 * them). An arena hands out memory from large chunks by moving a
 * pointer, and mld_arena_dispose() returns the chunks: nothing is freed
 * one by one. Not thread-safe: one arena belongs to one thread.
 */
#ifndef MLD_ARENA_H
#define MLD_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct mld_arena_chunk;

/* Zero-initialised it is an empty arena: `struct mld_arena a = {0};`. */
struct mld_arena {
    struct mld_arena_chunk *head; /* the chunk allocated from; older ones after it */
    size_t total;                 /* bytes of all chunks */
};

/* Returns n bytes aligned for any type, valid until the arena is
 * disposed; never NULL (aborts on exhaustion, as mld_malloc). */
void *mld_arena_alloc(struct mld_arena *a, size_t n);

/* True when p was returned by mld_arena_alloc(a, ...). */
bool mld_arena_owns(const struct mld_arena *a, const void *p);

/* Frees every chunk and empties a. */
void mld_arena_dispose(struct mld_arena *a);

#endif
