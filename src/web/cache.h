/*
 * cache.h - the page cache: rendered responses by key, dropped by tag.
 *
 * Publishing renders a page once and serves the finished response (see
 * http.h) until the store changes. Each entry carries tags naming what it
 * was built from ("article:<id>", "section:politik", "home"); a store
 * change invalidates the tags it touches and every entry carrying one of
 * them goes. The cache holds one reference on each stored response; a
 * response handed out by mld_cache_get() stays valid after it is evicted or
 * invalidated until its holder drops it.
 *
 * A render races an invalidation when the store changes after the render
 * read it but before its result is stored. The generation number closes
 * that window: read mld_cache_gen() before reading the store, pass it to
 * mld_cache_put(), and the put is dropped when any invalidation happened
 * in between.
 *
 *     uint64_t gen = mld_cache_gen(c);
 *     struct mld_http_resp *r = mld_cache_get(c, key);
 *     if (r == NULL) {
 *         r = render(...);                     (reads the store)
 *         mld_cache_put(c, key, r, tags, ntags, gen);
 *     }
 *     return r;                                (the caller's reference)
 *
 * All functions are thread-safe. Lookups take a read lock on one of
 * several shards, so concurrent hits do not serialise on one lock.
 */
#ifndef MLD_CACHE_H
#define MLD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct mld_cache;

/* Returns a new empty cache holding at most max_entries responses (0 or
 * more than MLD_CACHE_MAX_ENTRIES means MLD_CACHE_MAX_ENTRIES) and at most
 * MLD_CACHE_MAX_BYTES of them (bodies plus gzip copies, counted at put
 * by mld_http_resp_held_bytes()). */
struct mld_cache *mld_cache_new(size_t max_entries);

/* The same with at most max_bytes (0 or more than MLD_CACHE_MAX_BYTES
 * means MLD_CACHE_MAX_BYTES). The bound is split evenly over the shards:
 * a shard over its share evicts (CLOCK, as when full) before it stores,
 * and a response larger than one share is not stored at all. */
struct mld_cache *mld_cache_new_bounded(size_t max_entries, size_t max_bytes);

/* Frees c and drops its reference on every stored response. NULL is fine.
 * No other thread may use c any more. */
void mld_cache_free(struct mld_cache *c);

/* Returns the generation: a number every invalidation (and clear) bumps. */
uint64_t mld_cache_gen(struct mld_cache *c);

/* Returns the response stored under key with a new reference for the
 * caller (drop it with mld_http_resp_unref), or NULL on a miss. */
struct mld_http_resp *mld_cache_get(struct mld_cache *c, const char *key);

/* Stores r (a finished response) under key with ntags tags, taking a
 * reference of its own (the caller keeps its reference). Replaces an
 * entry already under key. Does nothing when an invalidation happened
 * since gen was read with mld_cache_gen(), or when ntags exceeds
 * MLD_CACHE_MAX_TAGS or key is longer than MLD_CACHE_MAX_KEY_BYTES. When
 * the cache is full, a not-recently-used entry is evicted. */
void mld_cache_put(struct mld_cache *c, const char *key, struct mld_http_resp *r,
                   const char *const *tags, int ntags, uint64_t gen);

/* Drops every entry carrying tag and bumps the generation (even when no
 * entry carried it). Returns how many entries were dropped. */
int mld_cache_invalidate(struct mld_cache *c, const char *tag);

/* Drops every entry and bumps the generation. */
void mld_cache_clear(struct mld_cache *c);

/* Returns the number of stored entries. */
size_t mld_cache_count(struct mld_cache *c);

/* What the cache holds and how lookups went, for /metrics. */
struct mld_cache_stats {
    uint64_t hits, misses; /* mld_cache_get() calls that found a page, or not, ever */
    size_t entries;        /* pages held */
    size_t bytes;          /* their bytes: bodies plus gzip copies (mld_http_resp_held_bytes) */
    size_t max_bytes;      /* the bound on bytes (mld_cache_new_bounded) */
};

/* Fills out (one read lock per shard, briefly). */
void mld_cache_stats(struct mld_cache *c, struct mld_cache_stats *out);

#endif
