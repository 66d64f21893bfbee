/*
 * cache.c - the page cache (see cache.h).
 *
 * The cache is split into shards by the key's XXH3 hash (top bits), each
 * with its own read-write lock, so hits on different pages take different
 * locks. A shard is a fixed array of entries with chained hash buckets,
 * plus a tag index: tag -> the (entry, slot) pairs that carry it. Each
 * entry in turn remembers, per tag slot, the tag and its position in the
 * tag's member list, so unlinking an entry from a tag is a swap-remove in
 * O(1) and invalidating a tag touches only its own entries:
 *
 *     entry e:  tags[slot] = {tag t, pos p}   <->   tag t: m[p] = {e, slot}
 *
 * Eviction is CLOCK: a hit sets the entry's "used" bit (only when it is
 * clear, so steady hits write nothing); when a shard is full the hand
 * sweeps, clearing set bits and evicting the first entry found clear.
 *
 * Responses whose last cache reference goes are unreferenced after the
 * shard lock is released, so freeing a page never holds up other threads.
 */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"

/* Most shards; a small cache gets fewer, so that each shard holds at least
 * SHARD_MIN entries and the total capacity is exact. */
#define SHARDS_MAX 16
#define SHARD_MIN 64

struct tagref {
    int32_t tag;  /* index into shard->tags */
    uint32_t pos; /* position in that tag's member list */
};

struct entry {
    char *key;                  /* NUL-terminated; NULL = free slot */
    uint64_t hash;              /* XXH3 of key */
    struct mld_http_resp *resp; /* the cache's reference */
    size_t bytes;               /* what resp counted for in the shard's bytes at put */
    int32_t next;               /* bucket chain, or free list; -1 ends */
    atomic_uchar used;          /* CLOCK reference bit */
    int ntags;                  /* entries in tags */
    struct tagref *tags;        /* one per tag carried */
};

struct member {
    int32_t ent;  /* entry index */
    int32_t slot; /* which of the entry's tag slots */
};

struct tag {
    char *name;       /* NUL-terminated; NULL = free slot */
    uint64_t hash;    /* XXH3 of name */
    int32_t next;     /* bucket chain, or free list; -1 ends */
    struct member *m; /* entries carrying the tag */
    uint32_t n, cap;  /* used and allocated members */
};

struct shard {
    char pad[64];          /* keeps the lock off the previous shard's cache line */
    pthread_rwlock_t lock; /* read for get, write for the rest */
    struct entry *ents;    /* cap entries */
    uint32_t cap;          /* most entries */
    uint32_t count;        /* entries in use */
    int32_t *buckets;      /* nbuckets chain heads, -1 = empty */
    uint32_t nbuckets;     /* power of two >= cap */
    int32_t free_ent;      /* free entry list */
    uint32_t hand;         /* CLOCK hand */
    struct tag *tags;      /* tag table */
    uint32_t tags_alloc;   /* allocated entries of tags */
    uint32_t tags_used;    /* live tags */
    int32_t *tbuckets;     /* tag chain heads */
    uint32_t ntbuckets;    /* power of two */
    int32_t free_tag;      /* free tag list */
    size_t bytes;          /* response bytes held (mld_http_resp_held_bytes), under lock */
    size_t max_bytes;      /* most bytes held: the cache's byte bound over the shards */
    _Atomic uint64_t hits, misses; /* lookups, for /metrics (relaxed) */
};

struct mld_cache {
    _Atomic uint64_t gen; /* bumped (before any shard is touched) per invalidation */
    unsigned nshards;     /* power of two */
    unsigned shard_bits;  /* log2(nshards) */
    struct shard *shards; /* nshards shards */
};

/* Responses to unreference once the lock is released. */
struct droplist {
    struct mld_http_resp **r;     /* the responses */
    size_t n, cap;                /* used and allocated */
    struct mld_http_resp *one[8]; /* first few, without allocating */
};

static void
drop_add(struct droplist *d, struct mld_http_resp *r)
{
    if (d->n == d->cap) {
        if (d->r == d->one) {
            d->cap *= 2;
            d->r = mld_reallocarray(NULL, d->cap, sizeof(*d->r));
            memcpy(d->r, d->one, sizeof(d->one));
        } else {
            d->cap *= 2;
            d->r = mld_reallocarray(d->r, d->cap, sizeof(*d->r));
        }
    }
    d->r[d->n++] = r;
}

static void
drop_init(struct droplist *d)
{
    d->r = d->one;
    d->n = 0;
    d->cap = sizeof(d->one) / sizeof(d->one[0]);
}

/* Unreferences everything collected and frees the list. */
static void
drop_flush(struct droplist *d)
{
    for (size_t i = 0; i < d->n; i++)
        mld_http_resp_unref(d->r[i]);
    if (d->r != d->one)
        mld_free(d->r);
    drop_init(d);
}

static uint32_t
pow2_at_least(uint32_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static struct shard *
shard_of(struct mld_cache *c, uint64_t h)
{
    return c->shard_bits == 0 ? &c->shards[0] : &c->shards[h >> (64 - c->shard_bits)];
}

/* Tags --------------------------------------------------------------- */

static int32_t
tag_find(const struct shard *sh, const char *name, uint64_t h)
{
    if (sh->ntbuckets == 0)
        return -1;
    for (int32_t i = sh->tbuckets[h & (sh->ntbuckets - 1)]; i >= 0; i = sh->tags[i].next)
        if (sh->tags[i].hash == h && strcmp(sh->tags[i].name, name) == 0)
            return i;
    return -1;
}

/* Doubles the tag bucket array and rehashes. */
static void
tag_rehash(struct shard *sh)
{
    uint32_t nb = sh->ntbuckets ? sh->ntbuckets * 2 : 16;
    mld_free(sh->tbuckets);
    sh->tbuckets = mld_reallocarray(NULL, nb, sizeof(*sh->tbuckets));
    for (uint32_t i = 0; i < nb; i++)
        sh->tbuckets[i] = -1;
    sh->ntbuckets = nb;
    for (uint32_t i = 0; i < sh->tags_alloc; i++) {
        struct tag *t = &sh->tags[i];
        if (t->name == NULL)
            continue;
        uint32_t b = (uint32_t)(t->hash & (nb - 1));
        t->next = sh->tbuckets[b];
        sh->tbuckets[b] = (int32_t)i;
    }
}

/* Returns the index of tag name, creating it when absent. */
static int32_t
tag_get(struct shard *sh, const char *name)
{
    uint64_t h = XXH3_64bits(name, strlen(name));
    int32_t i = tag_find(sh, name, h);
    if (i >= 0)
        return i;
    if (sh->free_tag < 0) {
        uint32_t old = sh->tags_alloc;
        uint32_t n = old ? old * 2 : 16;
        sh->tags = mld_reallocarray(sh->tags, n, sizeof(*sh->tags));
        memset(sh->tags + old, 0, (n - old) * sizeof(*sh->tags));
        for (uint32_t k = n; k-- > old;) {
            sh->tags[k].next = sh->free_tag;
            sh->free_tag = (int32_t)k;
        }
        sh->tags_alloc = n;
    }
    if (sh->tags_used + 1 > sh->ntbuckets)
        tag_rehash(sh);
    i = sh->free_tag;
    struct tag *t = &sh->tags[i];
    sh->free_tag = t->next;
    t->name = mld_strdup(name);
    t->hash = h;
    t->n = 0;
    uint32_t b = (uint32_t)(h & (sh->ntbuckets - 1));
    t->next = sh->tbuckets[b];
    sh->tbuckets[b] = i;
    sh->tags_used++;
    return i;
}

/* Unchains and frees an empty tag. */
static void
tag_free(struct shard *sh, int32_t ti)
{
    struct tag *t = &sh->tags[ti];
    int32_t *pp = &sh->tbuckets[t->hash & (sh->ntbuckets - 1)];
    while (*pp != ti)
        pp = &sh->tags[*pp].next;
    *pp = t->next;
    mld_free(t->name);
    mld_free(t->m);
    memset(t, 0, sizeof(*t));
    t->next = sh->free_tag;
    sh->free_tag = ti;
    sh->tags_used--;
}

/* Records that entry ei carries tag ti in its slot. */
static void
tag_link(struct shard *sh, int32_t ei, int slot, int32_t ti)
{
    struct tag *t = &sh->tags[ti];
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->m = mld_reallocarray(t->m, t->cap, sizeof(*t->m));
    }
    t->m[t->n] = (struct member){ei, slot};
    sh->ents[ei].tags[slot] = (struct tagref){ti, t->n};
    t->n++;
}

/* Removes entry ei's slot from its tag's member list (swap-remove), and
 * frees the tag when that was its last member. */
static void
tag_unlink(struct shard *sh, int32_t ei, int slot)
{
    struct tagref ref = sh->ents[ei].tags[slot];
    struct tag *t = &sh->tags[ref.tag];
    struct member last = t->m[--t->n];
    if (ref.pos != t->n) {
        t->m[ref.pos] = last;
        sh->ents[last.ent].tags[last.slot].pos = ref.pos;
    }
    if (t->n == 0)
        tag_free(sh, ref.tag);
}

/* Entries ------------------------------------------------------------ */

static int32_t
entry_find(const struct shard *sh, const char *key, uint64_t h)
{
    for (int32_t i = sh->buckets[h & (sh->nbuckets - 1)]; i >= 0; i = sh->ents[i].next)
        if (sh->ents[i].hash == h && strcmp(sh->ents[i].key, key) == 0)
            return i;
    return -1;
}

/* Removes entry ei from the shard; its response goes on d. */
static void
entry_remove(struct shard *sh, int32_t ei, struct droplist *d)
{
    struct entry *e = &sh->ents[ei];
    for (int s = 0; s < e->ntags; s++)
        tag_unlink(sh, ei, s);
    int32_t *pp = &sh->buckets[e->hash & (sh->nbuckets - 1)];
    while (*pp != ei)
        pp = &sh->ents[*pp].next;
    *pp = e->next;
    sh->bytes -= e->bytes;
    drop_add(d, e->resp);
    mld_free(e->key);
    mld_free(e->tags);
    e->key = NULL;
    e->resp = NULL;
    e->tags = NULL;
    e->ntags = 0;
    e->next = sh->free_ent;
    sh->free_ent = ei;
    sh->count--;
}

/* Evicts one entry that was not used since the hand last passed it. */
static void
evict_one(struct shard *sh, struct droplist *d)
{
    for (;;) {
        uint32_t i = sh->hand;
        sh->hand = i + 1 == sh->cap ? 0 : i + 1;
        struct entry *e = &sh->ents[i];
        if (e->key == NULL)
            continue;
        if (atomic_load_explicit(&e->used, memory_order_relaxed)) {
            atomic_store_explicit(&e->used, 0, memory_order_relaxed);
            continue;
        }
        entry_remove(sh, (int32_t)i, d);
        return;
    }
}

static void
shard_init(struct shard *sh, uint32_t cap, size_t max_bytes)
{
    pthread_rwlock_init(&sh->lock, NULL);
    sh->cap = cap;
    sh->max_bytes = max_bytes;
    sh->ents = mld_calloc(cap, sizeof(*sh->ents));
    for (uint32_t i = cap; i-- > 0;) {
        sh->ents[i].next = i + 1 < cap ? (int32_t)(i + 1) : -1;
        atomic_init(&sh->ents[i].used, 0);
    }
    sh->free_ent = 0;
    sh->nbuckets = pow2_at_least(cap);
    sh->buckets = mld_reallocarray(NULL, sh->nbuckets, sizeof(*sh->buckets));
    for (uint32_t i = 0; i < sh->nbuckets; i++)
        sh->buckets[i] = -1;
    sh->free_tag = -1;
    atomic_init(&sh->hits, 0);
    atomic_init(&sh->misses, 0);
}

/* Drops every entry of sh onto d (caller holds the write lock). */
static void
shard_empty(struct shard *sh, struct droplist *d)
{
    for (uint32_t i = 0; i < sh->cap && sh->count > 0; i++)
        if (sh->ents[i].key != NULL)
            entry_remove(sh, (int32_t)i, d);
}

/* Public ------------------------------------------------------------- */

struct mld_cache *
mld_cache_new(size_t max_entries)
{
    return mld_cache_new_bounded(max_entries, MLD_CACHE_MAX_BYTES);
}

struct mld_cache *
mld_cache_new_bounded(size_t max_entries, size_t max_bytes)
{
    if (max_entries == 0 || max_entries > MLD_CACHE_MAX_ENTRIES)
        max_entries = MLD_CACHE_MAX_ENTRIES;
    if (max_bytes == 0 || max_bytes > MLD_CACHE_MAX_BYTES)
        max_bytes = MLD_CACHE_MAX_BYTES;
    struct mld_cache *c = MLD_NEW(struct mld_cache);
    atomic_init(&c->gen, 1);
    unsigned bits = 0;
    while ((1u << (bits + 1)) <= SHARDS_MAX && max_entries / (1u << (bits + 1)) >= SHARD_MIN)
        bits++;
    c->shard_bits = bits;
    c->nshards = 1u << bits;
    c->shards = mld_calloc(c->nshards, sizeof(*c->shards));
    /* Split max_entries exactly: the first shards take the remainder. */
    size_t per = max_entries / c->nshards, extra = max_entries % c->nshards;
    for (unsigned i = 0; i < c->nshards; i++)
        shard_init(&c->shards[i], (uint32_t)(per + (i < extra ? 1 : 0)),
                   max_bytes / c->nshards);
    return c;
}

void
mld_cache_free(struct mld_cache *c)
{
    if (c == NULL)
        return;
    struct droplist d;
    drop_init(&d);
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *sh = &c->shards[i];
        shard_empty(sh, &d);
        drop_flush(&d);
        mld_free(sh->ents);
        mld_free(sh->buckets);
        mld_free(sh->tags);
        mld_free(sh->tbuckets);
        pthread_rwlock_destroy(&sh->lock);
    }
    mld_free(c->shards);
    mld_free(c);
}

uint64_t
mld_cache_gen(struct mld_cache *c)
{
    return atomic_load(&c->gen);
}

struct mld_http_resp *
mld_cache_get(struct mld_cache *c, const char *key)
{
    uint64_t h = XXH3_64bits(key, strlen(key));
    struct shard *sh = shard_of(c, h);
    struct mld_http_resp *r = NULL;
    pthread_rwlock_rdlock(&sh->lock);
    int32_t i = entry_find(sh, key, h);
    if (i >= 0) {
        struct entry *e = &sh->ents[i];
        /* Write the bit only when it changes: steady hits on one page then
         * leave its cache line shared between the cores. */
        if (!atomic_load_explicit(&e->used, memory_order_relaxed))
            atomic_store_explicit(&e->used, 1, memory_order_relaxed);
        r = mld_http_resp_ref(e->resp);
    }
    pthread_rwlock_unlock(&sh->lock);
    /* Per shard, so hits on different pages do not share a counter. */
    atomic_fetch_add_explicit(r != NULL ? &sh->hits : &sh->misses, 1, memory_order_relaxed);
    return r;
}

void
mld_cache_put(struct mld_cache *c, const char *key, struct mld_http_resp *r,
              const char *const *tags, int ntags, uint64_t gen)
{
    size_t keylen = strlen(key);
    if (ntags < 0 || ntags > MLD_CACHE_MAX_TAGS || keylen > MLD_CACHE_MAX_KEY_BYTES) {
        mld_log_debug("cache: not caching %.80s (%d tags, %zu-byte key)", key, ntags, keylen);
        return;
    }
    if (atomic_load(&c->gen) != gen)
        return;
    uint64_t h = XXH3_64bits(key, keylen);
    struct shard *sh = shard_of(c, h);
    struct droplist d;
    drop_init(&d);
    pthread_rwlock_wrlock(&sh->lock);
    /* Checked again under the lock: an invalidation bumps gen before it
     * takes any shard lock, so either we see the bump here or it sees our
     * entry when it gets this shard. */
    if (atomic_load(&c->gen) != gen)
        goto out_unlock;
    int32_t old = entry_find(sh, key, h);
    if (old >= 0)
        entry_remove(sh, old, &d);
    if (sh->count == sh->cap)
        evict_one(sh, &d);
    /* The byte bound: a page larger than the shard's share is not kept;
     * otherwise older pages make room, as for a full shard. */
    size_t nb = mld_http_resp_held_bytes(r);
    if (nb > sh->max_bytes)
        goto out_unlock;
    while (sh->count > 0 && sh->bytes + nb > sh->max_bytes)
        evict_one(sh, &d);
    int32_t ei = sh->free_ent;
    struct entry *e = &sh->ents[ei];
    sh->free_ent = e->next;
    e->key = mld_strndup(key, keylen);
    e->hash = h;
    e->resp = mld_http_resp_ref(r);
    e->bytes = nb;
    sh->bytes += nb;
    atomic_store_explicit(&e->used, 1, memory_order_relaxed);
    e->ntags = ntags;
    e->tags = ntags > 0 ? mld_calloc((size_t)ntags, sizeof(*e->tags)) : NULL;
    for (int s = 0; s < ntags; s++)
        tag_link(sh, ei, s, tag_get(sh, tags[s]));
    uint32_t b = (uint32_t)(h & (sh->nbuckets - 1));
    e->next = sh->buckets[b];
    sh->buckets[b] = ei;
    sh->count++;
out_unlock:
    pthread_rwlock_unlock(&sh->lock);
    drop_flush(&d);
}

int
mld_cache_invalidate(struct mld_cache *c, const char *tag)
{
    atomic_fetch_add(&c->gen, 1);
    uint64_t h = XXH3_64bits(tag, strlen(tag));
    int dropped = 0;
    struct droplist d;
    drop_init(&d);
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *sh = &c->shards[i];
        pthread_rwlock_wrlock(&sh->lock);
        int32_t ti = tag_find(sh, tag, h);
        /* Removing the tag's last member frees the tag (name NULL). */
        while (ti >= 0 && sh->tags[ti].name != NULL && sh->tags[ti].n > 0) {
            struct tag *t = &sh->tags[ti];
            entry_remove(sh, t->m[t->n - 1].ent, &d);
            dropped++;
        }
        pthread_rwlock_unlock(&sh->lock);
        drop_flush(&d);
    }
    return dropped;
}

void
mld_cache_clear(struct mld_cache *c)
{
    atomic_fetch_add(&c->gen, 1);
    struct droplist d;
    drop_init(&d);
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *sh = &c->shards[i];
        pthread_rwlock_wrlock(&sh->lock);
        shard_empty(sh, &d);
        pthread_rwlock_unlock(&sh->lock);
        drop_flush(&d);
    }
}

size_t
mld_cache_count(struct mld_cache *c)
{
    size_t n = 0;
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *sh = &c->shards[i];
        pthread_rwlock_rdlock(&sh->lock);
        n += sh->count;
        pthread_rwlock_unlock(&sh->lock);
    }
    return n;
}

void
mld_cache_stats(struct mld_cache *c, struct mld_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *sh = &c->shards[i];
        pthread_rwlock_rdlock(&sh->lock);
        out->entries += sh->count;
        out->bytes += sh->bytes;
        out->max_bytes += sh->max_bytes;
        pthread_rwlock_unlock(&sh->lock);
        out->hits += atomic_load_explicit(&sh->hits, memory_order_relaxed);
        out->misses += atomic_load_explicit(&sh->misses, memory_order_relaxed);
    }
}
