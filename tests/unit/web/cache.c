/*
 * Tests for cache.c: put/get, references, tag invalidation, the
 * generation rule, eviction, and get/put/invalidate from several threads.
 * Response lifetimes are checked with mld_http_resp_live() (and by ASan's
 * leak check under SAN=1).
 */
#include "../../../src/web/cache.c"

#include <pthread.h>

#include "test.h"

static struct mld_http_resp *
mkresp(const char *body)
{
    return mld_http_resp_finish(mld_http_resp_new(200, "text/html", body, strlen(body), 1760974093),
                                MLD_HTTP_ETAG);
}

static void
test_basic(void)
{
    long live0 = mld_http_resp_live();
    struct mld_cache *c = mld_cache_new(100);
    is_int(c->nshards, 1, "small cache: one shard");
    ok(mld_cache_get(c, "/a") == NULL, "miss on empty cache");
    is_int(mld_cache_count(c), 0, "empty");

    struct mld_http_resp *a = mkresp("page a");
    const char *tags_a[] = {"article:1", "section:politik", "home"};
    mld_cache_put(c, "/a", a, tags_a, 3, mld_cache_gen(c));
    is_int(mld_cache_count(c), 1, "one entry");
    struct mld_http_resp *got = mld_cache_get(c, "/a");
    ok(got == a, "hit returns the stored response");
    mld_http_resp_unref(got);
    ok(mld_cache_get(c, "/b") == NULL, "other key misses");
    ok(mld_cache_get(c, "/a/") == NULL, "prefix-extended key misses");

    /* The cache keeps the response alive after the caller drops it. */
    mld_http_resp_unref(a);
    is_int(mld_http_resp_live() - live0, 1, "cache's reference keeps it");
    got = mld_cache_get(c, "/a");
    ok(got != NULL && strcmp(mld_http_resp_body(got), "page a") == 0, "still served");
    mld_http_resp_unref(got);

    /* Replacing an entry drops the old response. */
    struct mld_http_resp *a2 = mkresp("page a v2");
    const char *tags_a2[] = {"article:1"};
    mld_cache_put(c, "/a", a2, tags_a2, 1, mld_cache_gen(c));
    mld_http_resp_unref(a2);
    is_int(mld_cache_count(c), 1, "replace keeps one entry");
    is_int(mld_http_resp_live() - live0, 1, "old response freed on replace");
    got = mld_cache_get(c, "/a");
    ok(got != NULL && strcmp(mld_http_resp_body(got), "page a v2") == 0, "new bytes served");
    mld_http_resp_unref(got);
    /* The replaced entry's old tags no longer reach it. */
    is_int(mld_cache_invalidate(c, "home"), 0, "old tag gone with the old entry");
    is_int(mld_cache_count(c), 1, "entry survives an unrelated tag");

    /* Invalidation frees a response nobody else holds; one still held by a
     * reader stays valid until the reader drops it. */
    got = mld_cache_get(c, "/a");
    is_int(mld_cache_invalidate(c, "article:1"), 1, "invalidate drops the entry");
    is_int(mld_cache_count(c), 0, "empty again");
    ok(mld_cache_get(c, "/a") == NULL, "miss after invalidation");
    is_int(mld_http_resp_live() - live0, 1, "reader's reference keeps the bytes");
    ok(strcmp(mld_http_resp_body(got), "page a v2") == 0, "reader's bytes intact");
    mld_http_resp_unref(got);
    is_int(mld_http_resp_live() - live0, 0, "freed when the reader drops it");

    mld_cache_free(c);
    mld_cache_free(NULL);
}

static void
test_tags(void)
{
    long live0 = mld_http_resp_live();
    struct mld_cache *c = mld_cache_new(1000);
    uint64_t gen = mld_cache_gen(c);
    char key[32], t1[32];
    /* 30 articles; each tagged with itself, its section (3 sections) and
     * "all"; every fifth also with "home". */
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof(key), "/artikel/%d", i);
        snprintf(t1, sizeof(t1), "article:%d", i);
        char sec[16];
        snprintf(sec, sizeof(sec), "section:%d", i % 3);
        const char *tags[] = {t1, sec, "all", "home"};
        struct mld_http_resp *r = mkresp(key);
        mld_cache_put(c, key, r, tags, i % 5 == 0 ? 4 : 3, gen);
        mld_http_resp_unref(r);
    }
    is_int(mld_cache_count(c), 30, "30 entries");
    is_int(mld_cache_invalidate(c, "nothing"), 0, "unknown tag drops nothing");
    ok(mld_cache_gen(c) > gen, "but bumps the generation");
    is_int(mld_cache_invalidate(c, "article:7"), 1, "one article");
    ok(mld_cache_get(c, "/artikel/7") == NULL, "article 7 gone");
    struct mld_http_resp *r = mld_cache_get(c, "/artikel/8");
    ok(r != NULL, "article 8 kept");
    mld_http_resp_unref(r);
    is_int(mld_cache_invalidate(c, "home"), 6, "home tag: every fifth");
    is_int(mld_cache_invalidate(c, "home"), 0, "second time: nothing left");
    /* section:1 held 10 (1,4,...,28), minus 7 (article) and 10, 25 (home). */
    is_int(mld_cache_invalidate(c, "section:1"), 7, "section:1");
    is_int(mld_cache_count(c), 30 - 1 - 6 - 7, "the rest stays");
    int n = 0;
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof(key), "/artikel/%d", i);
        r = mld_cache_get(c, key);
        bool want = i != 7 && i % 5 != 0 && i % 3 != 1;
        if ((r != NULL) == want)
            n++;
        mld_http_resp_unref(r);
    }
    is_int(n, 30, "exactly the untagged ones remain");
    is_int(mld_cache_invalidate(c, "all"), 16, "all");
    is_int(mld_cache_count(c), 0, "empty");
    is_int(mld_http_resp_live() - live0, 0, "every response freed");

    /* A repeated tag on one entry is harmless. */
    r = mkresp("dup");
    const char *dup[] = {"x", "x", "y"};
    mld_cache_put(c, "/dup", r, dup, 3, mld_cache_gen(c));
    is_int(mld_cache_invalidate(c, "x"), 1, "duplicate tag: one entry dropped");
    is_int(mld_cache_invalidate(c, "y"), 0, "its other tag went with it");
    mld_cache_put(c, "/untagged", r, NULL, 0, mld_cache_gen(c));
    is_int(mld_cache_count(c), 1, "untagged entry stored");
    mld_cache_clear(c);
    is_int(mld_cache_count(c), 0, "clear empties");
    mld_http_resp_unref(r);
    is_int(mld_http_resp_live() - live0, 0, "nothing left alive");

    /* Limits: too many tags, too long a key -> not cached. */
    r = mkresp("limits");
    const char *many[MLD_CACHE_MAX_TAGS + 1];
    for (int i = 0; i <= MLD_CACHE_MAX_TAGS; i++)
        many[i] = "t";
    mld_cache_put(c, "/many", r, many, MLD_CACHE_MAX_TAGS + 1, mld_cache_gen(c));
    ok(mld_cache_get(c, "/many") == NULL, "too many tags: not cached");
    mld_cache_put(c, "/max", r, many, MLD_CACHE_MAX_TAGS, mld_cache_gen(c));
    struct mld_http_resp *g = mld_cache_get(c, "/max");
    ok(g != NULL, "MLD_CACHE_MAX_TAGS tags: cached");
    mld_http_resp_unref(g);
    char *longkey = mld_malloc(MLD_CACHE_MAX_KEY_BYTES + 2);
    memset(longkey, 'k', MLD_CACHE_MAX_KEY_BYTES + 1);
    longkey[MLD_CACHE_MAX_KEY_BYTES + 1] = '\0';
    mld_cache_put(c, longkey, r, NULL, 0, mld_cache_gen(c));
    ok(mld_cache_get(c, longkey) == NULL, "over-long key: not cached");
    mld_free(longkey);
    mld_http_resp_unref(r);
    mld_cache_free(c);
    is_int(mld_http_resp_live() - live0, 0, "free drops the cache's references");
}

static void
test_gen(void)
{
    struct mld_cache *c = mld_cache_new(10);
    struct mld_http_resp *r = mkresp("x");
    const char *tags[] = {"article:1"};

    /* A render that started before an invalidation must not store. */
    uint64_t gen = mld_cache_gen(c);
    mld_cache_invalidate(c, "article:2");
    mld_cache_put(c, "/x", r, tags, 1, gen);
    ok(mld_cache_get(c, "/x") == NULL, "put with a stale generation is dropped");
    gen = mld_cache_gen(c);
    mld_cache_clear(c);
    mld_cache_put(c, "/x", r, tags, 1, gen);
    ok(mld_cache_get(c, "/x") == NULL, "clear bumps the generation too");
    gen = mld_cache_gen(c);
    mld_cache_put(c, "/x", r, tags, 1, gen);
    struct mld_http_resp *g = mld_cache_get(c, "/x");
    ok(g == r, "put with the current generation stores");
    mld_http_resp_unref(g);
    /* Puts and gets do not move the generation. */
    is_int(mld_cache_gen(c), gen, "gen unchanged by put/get");
    mld_http_resp_unref(r);
    mld_cache_free(c);
}

static void
test_evict(void)
{
    long live0 = mld_http_resp_live();
    struct mld_cache *c = mld_cache_new(8);
    char key[32];
    uint64_t gen = mld_cache_gen(c);
    for (int i = 0; i < 8; i++) {
        snprintf(key, sizeof(key), "/p/%d", i);
        const char *tags[] = {key};
        struct mld_http_resp *r = mkresp(key);
        mld_cache_put(c, key, r, tags, 1, gen);
        mld_http_resp_unref(r);
    }
    is_int(mld_cache_count(c), 8, "full");
    /* One sweep clears every "used" bit; then touch /p/0 to /p/3 so that
     * the next evictions pick among /p/4 to /p/7. */
    struct shard *sh = &c->shards[0];
    for (uint32_t i = 0; i < sh->cap; i++)
        atomic_store(&sh->ents[i].used, 0);
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof(key), "/p/%d", i);
        mld_http_resp_unref(mld_cache_get(c, key));
    }
    for (int i = 8; i < 12; i++) {
        snprintf(key, sizeof(key), "/p/%d", i);
        const char *tags[] = {key, "new"};
        struct mld_http_resp *r = mkresp(key);
        mld_cache_put(c, key, r, tags, 2, gen);
        mld_http_resp_unref(r);
        is_int(mld_cache_count(c), 8, "stays at the maximum after put %d", i);
    }
    int kept = 0, evicted = 0;
    for (int i = 0; i < 12; i++) {
        snprintf(key, sizeof(key), "/p/%d", i);
        struct mld_http_resp *r = mld_cache_get(c, key);
        if (i < 4 || i >= 8)
            kept += r != NULL;
        else
            evicted += r == NULL;
        mld_http_resp_unref(r);
    }
    is_int(kept, 8, "recently used and new entries kept");
    is_int(evicted, 4, "unused entries evicted");
    is_int(mld_http_resp_live() - live0, 8, "evicted responses freed");
    /* Evicted entries left the tag index. */
    is_int(mld_cache_invalidate(c, "/p/5"), 0, "evicted entry's tag is gone");
    is_int(mld_cache_invalidate(c, "new"), 4, "tags of the new entries intact");

    /* Heavy churn: many more keys than room. */
    gen = mld_cache_gen(c);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "/churn/%d", i);
        char tag[16];
        snprintf(tag, sizeof(tag), "t%d", i % 7);
        const char *tags[] = {tag, "churn"};
        struct mld_http_resp *r = mkresp(key);
        mld_cache_put(c, key, r, tags, 2, gen);
        mld_http_resp_unref(r);
        if (i % 3 == 0)
            mld_http_resp_unref(mld_cache_get(c, key));
    }
    is_int(mld_cache_count(c), 8, "churn: never above the maximum");
    mld_cache_free(c);
    is_int(mld_http_resp_live() - live0, 0, "all freed");

    /* The default size is sharded, and its capacity adds up exactly. */
    c = mld_cache_new(0);
    size_t total = 0;
    for (unsigned i = 0; i < c->nshards; i++)
        total += c->shards[i].cap;
    is_int(c->nshards, SHARDS_MAX, "default cache: %d shards", SHARDS_MAX);
    is_int(total, MLD_CACHE_MAX_ENTRIES, "capacity is MLD_CACHE_MAX_ENTRIES");
    mld_cache_free(c);
    c = mld_cache_new(1000);
    total = 0;
    for (unsigned i = 0; i < c->nshards; i++)
        total += c->shards[i].cap;
    is_int(total, 1000, "1000 split over %u shards exactly", c->nshards);
    mld_cache_free(c);
}

/* Concurrency --------------------------------------------------------- */

#define THREADS 4
#define OPS 20000
#define KEYS 64

struct worker {
    struct mld_cache *c;
    int id;
    int bad;       /* hits whose bytes did not match the key */
    int hits;      /* hits seen */
    unsigned seed; /* rand_r state */
};

static void *
worker_main(void *p)
{
    struct worker *w = p;
    char key[32], body[64], tag[32];
    for (int i = 0; i < OPS; i++) {
        int k = (int)(rand_r(&w->seed) % KEYS);
        snprintf(key, sizeof(key), "/k/%d", k);
        int op = (int)(rand_r(&w->seed) % 100);
        if (op < 80) {
            uint64_t gen = mld_cache_gen(w->c);
            struct mld_http_resp *r = mld_cache_get(w->c, key);
            if (r != NULL) {
                w->hits++;
                snprintf(body, sizeof(body), "body of %s", key);
                if (strcmp(mld_http_resp_body(r), body) != 0)
                    w->bad++;
                mld_http_resp_unref(r);
            } else {
                snprintf(body, sizeof(body), "body of %s", key);
                snprintf(tag, sizeof(tag), "g%d", k % 8);
                const char *tags[] = {tag, "all"};
                r = mkresp(body);
                mld_cache_put(w->c, key, r, tags, 2, gen);
                mld_http_resp_unref(r);
            }
        } else if (op < 98) {
            snprintf(tag, sizeof(tag), "g%d", k % 8);
            mld_cache_invalidate(w->c, tag);
        } else if (op < 99) {
            mld_cache_invalidate(w->c, "all");
        } else {
            (void)mld_cache_count(w->c);
        }
    }
    return NULL;
}

static void
test_concurrent(void)
{
    long live0 = mld_http_resp_live();
    /* 48 entries for 64 keys, so eviction runs too; 1000 gives shards. */
    size_t sizes[] = {48, 1000};
    for (int s = 0; s < 2; s++) {
        struct mld_cache *c = mld_cache_new(sizes[s]);
        pthread_t th[THREADS];
        struct worker w[THREADS];
        for (int i = 0; i < THREADS; i++) {
            w[i] = (struct worker){c, i, 0, 0, (unsigned)(i * 7919 + 1)};
            pthread_create(&th[i], NULL, worker_main, &w[i]);
        }
        int bad = 0, hits = 0;
        for (int i = 0; i < THREADS; i++) {
            pthread_join(th[i], NULL);
            bad += w[i].bad;
            hits += w[i].hits;
        }
        is_int(bad, 0, "cache of %zu, %d threads: every hit had the right bytes", sizes[s],
               THREADS);
        ok(hits > OPS / 2, "hits happened (%d)", hits);
        ok(mld_cache_count(c) <= sizes[s], "count within the maximum");
        /* The tag index is still consistent: dropping "all" empties it. */
        mld_cache_invalidate(c, "all");
        is_int(mld_cache_count(c), 0, "every entry reachable through its tag");
        mld_cache_free(c);
    }
    is_int(mld_http_resp_live() - live0, 0, "no response leaked or freed twice");
}

/* The byte bound: pages beyond it evict older ones, the total stays
 * within it, and one page larger than a shard's share is not kept. */
static void
test_bytes(void)
{
    long live0 = mld_http_resp_live();
    /* 100 entries: one shard (SHARD_MIN 64 per shard needs 128 for two). */
    struct mld_cache *c = mld_cache_new_bounded(100, 1000);
    char body[101];
    memset(body, 'x', 100);
    body[100] = '\0';
    char key[32];
    uint64_t gen = mld_cache_gen(c);
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof(key), "/b/%d", i);
        struct mld_http_resp *r = mkresp(body);
        mld_cache_put(c, key, r, NULL, 0, gen);
        mld_http_resp_unref(r);
    }
    struct mld_cache_stats cs;
    mld_cache_stats(c, &cs);
    is_int(cs.entries, 10, "30 pages of 100 bytes under a 1,000-byte bound: 10 kept");
    ok(cs.bytes <= 1000, "bytes held within the bound");
    struct mld_http_resp *g = mld_cache_get(c, "/b/29");
    ok(g != NULL, "the newest page is kept");
    mld_http_resp_unref(g);
    char big[1002];
    memset(big, 'y', 1001);
    big[1001] = '\0';
    struct mld_http_resp *r = mkresp(big);
    mld_cache_put(c, "/big", r, NULL, 0, gen);
    mld_http_resp_unref(r);
    ok(mld_cache_get(c, "/big") == NULL, "a page over the bound is not stored");
    mld_cache_stats(c, &cs);
    is_int(cs.entries, 10, "and evicts nothing");
    /* A page whose gzip copy is made later (rendered pages) counts the
     * copy to come, and gives back at eviction what it counted. */
    char page[401];
    memset(page, 'z', 400);
    page[400] = '\0';
    r = mld_http_resp_finish(mld_http_resp_new(200, "text/html", page, 400, 0),
                             MLD_HTTP_GZIP_LAZY);
    mld_cache_put(c, "/lazy", r, NULL, 0, gen);
    mld_http_resp_unref(r);
    mld_cache_stats(c, &cs);
    is_int(cs.entries, 5, "a 400-byte page with a copy to come (600 bytes) leaves room for 4");
    is_int(cs.bytes, 1000, "and is counted as 600 bytes");
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "/c/%d", i);
        struct mld_http_resp *p = mkresp(body);
        mld_cache_put(c, key, p, NULL, 0, gen);
        mld_http_resp_unref(p);
    }
    mld_cache_stats(c, &cs);
    ok(mld_cache_get(c, "/lazy") == NULL && cs.entries == 10 && cs.bytes == 1000,
       "evicted, it gives back what it counted (%zu bytes in %zu entries)", cs.bytes,
       cs.entries);
    mld_cache_free(c);
    is_int(mld_http_resp_live() - live0, 0, "no response leaked");
}

int
main(void)
{
    test_basic();
    test_tags();
    test_gen();
    test_evict();
    test_concurrent();
    test_bytes();
    return mld_test_done();
}
