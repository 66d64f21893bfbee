/*
 * tests/unit/base/arena.c - the bump allocator (src/base/arena.c): blocks
 * aligned and apart, chunks grown for large blocks, ownership, and what a
 * reset keeps and frees; and jansson's trees in one (src/ingest/json.c):
 * a tree loaded into an arena equals one loaded on the heap, a syntax
 * error leaves no value behind.
 */
#include "../../../src/base/arena.c"

#include <stdint.h>
#include <string.h>

#include "../../../src/ingest/json.h"

#include "test.h"

static void
test_alloc(void)
{
    struct mld_arena a = {0};
    unsigned char *p[100];
    bool aligned = true, apart = true;
    for (int i = 0; i < 100; i++) {
        p[i] = mld_arena_alloc(&a, (size_t)i + 1);
        memset(p[i], i, (size_t)i + 1);
        aligned = aligned && (uintptr_t)p[i] % 16 == 0;
    }
    for (int i = 0; i < 100; i++)
        for (int j = 0; j <= i; j++)
            apart = apart && p[i][j] == (unsigned char)i;
    ok(aligned, "every block aligned to 16 bytes");
    ok(apart, "blocks do not overlap (each keeps what was written)");
    ok(mld_arena_owns(&a, p[0]) && mld_arena_owns(&a, p[99] + 99), "owns its blocks");
    int x;
    ok(!mld_arena_owns(&a, &x), "does not own other memory");
    size_t big = 3 * MLD_ARENA_CHUNK_BYTES;
    unsigned char *b = mld_arena_alloc(&a, big);
    memset(b, 7, big);
    ok(mld_arena_owns(&a, b) && mld_arena_owns(&a, b + big - 1), "a block larger than a chunk");
    ok(a.held >= big + MLD_ARENA_CHUNK_BYTES, "held counts both chunks (%zu)", a.held);
    ok(mld_arena_owns(&a, p[0]), "older chunks stay until the reset");
    mld_arena_dispose(&a);
}

static void
test_reset(void)
{
    struct mld_arena a = {0};
    void *first = mld_arena_alloc(&a, 100);
    mld_arena_alloc(&a, MLD_ARENA_CHUNK_BYTES); /* a second, larger chunk */
    mld_arena_reset(&a, MLD_RENDER_ARENA_KEEP);
    ok(a.chunks != NULL && a.chunks->next == NULL, "reset keeps one chunk");
    ok(a.held == 2 * MLD_ARENA_CHUNK_BYTES, "the newest, largest (%zu bytes)", a.held);
    ok(!mld_arena_owns(&a, first), "the older chunk is freed");
    void *again = mld_arena_alloc(&a, 100);
    ok(again == (void *)a.chunks->data, "after a reset blocks start over in the kept chunk");
    mld_arena_alloc(&a, 4 * MLD_RENDER_ARENA_KEEP);
    mld_arena_reset(&a, MLD_RENDER_ARENA_KEEP);
    ok(a.chunks == NULL && a.held == 0, "a chunk over the bound is not kept");
    mld_arena_reset(&a, MLD_RENDER_ARENA_KEEP);
    ok(a.chunks == NULL, "reset of an empty arena");
    void *p = mld_arena_alloc(&a, 0);
    ok(p != NULL && mld_arena_owns(&a, p), "zero bytes: a block all the same");
    mld_arena_dispose(&a);
    ok(a.chunks == NULL && a.held == 0, "dispose empties it");
}

/* jansson's tree of a document in an arena (src/ingest/json.c). */
static void
test_json(void)
{
    static const char doc[] = "{\"urn\": \"urn:x\", \"entries\": [1, 2.5, null, true, "
                              "{\"a\": [\"\\u00e4\\\"b\", {}], \"b\": \""
                              "x\"}], \"k\": {\"n\": -3}}";
    struct mld_err err = {0};
    struct mld_arena a = {0};
    json_t *in_arena = NULL, *on_heap = NULL;
    is_int(mld_json_load_arena(doc, strlen(doc), "t.json", &a, &in_arena, &err), 0,
           "a document loads into an arena");
    ok(in_arena != NULL && mld_arena_owns(&a, in_arena), "its root is the arena's");
    is_int(mld_json_load(doc, strlen(doc), "t.json", &on_heap, &err), 0, "and onto the heap");
    ok(on_heap != NULL && !mld_arena_owns(&a, on_heap), "that one is not the arena's");
    ok(json_equal(in_arena, on_heap), "both trees are equal");
    json_decref(on_heap); /* the heap's tree goes value by value, the arena's with it */
    mld_arena_dispose(&a);

    json_t *bad = NULL;
    int rc = mld_json_load_arena("{\"a\": [1, 2", 11, "bad.json", &a, &bad, &err);
    ok(rc == MLD_E_PARSE && bad == NULL && strstr(err.msg, "bad.json") != NULL,
       "a syntax error names the source, no tree: %s", err.msg);
    mld_arena_dispose(&a);
}

int
main(void)
{
    test_alloc();
    test_reset();
    test_json();
    return mld_test_done();
}
