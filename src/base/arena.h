/*
 * arena.h - a bump allocator for short-lived work: many small blocks
 * taken one after the other and given back all at once.
 *
 * A page render builds a jansson tree of a few thousand small values and
 * frees them all at its end; through malloc and free that was a fifth of
 * a render's instructions (bench/README.md, "crawl.sh"). From an arena a
 * block is a pointer bump, freeing one is nothing, and the render's end
 * resets the arena, keeping its memory up to a bound for the next render.
 *
 * An arena is used by one thread at a time. Blocks are aligned for any
 * type (16 bytes).
 */
#ifndef MLD_ARENA_H
#define MLD_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct mld_arena_chunk;

struct mld_arena {
    struct mld_arena_chunk *chunks; /* newest first; the bump is in the first */
    size_t held;                    /* bytes of all chunks */
};

/* Returns n bytes from a (never NULL: aborts as mld_malloc does). A
 * new chunk is at least twice the last one, so a render takes a few. */
void *mld_arena_alloc(struct mld_arena *a, size_t n);

/* Whether p is a block of a (one of its chunks holds it). */
bool mld_arena_owns(const struct mld_arena *a, const void *p);

/* Gives back every block at once; keeps the newest chunk when it holds at
 * most keep bytes, and frees the others. */
void mld_arena_reset(struct mld_arena *a, size_t keep);

/* Frees all of a's memory; a is empty (and usable) after. */
void mld_arena_dispose(struct mld_arena *a);

#endif
