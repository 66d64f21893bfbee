/*
 * tests/unit/base/arena.c - the per-document arena (src/base/arena.c),
 * and jansson's trees in one (src/ingest/json.c).
 *
 * Arena: alignment, distinct and writable memory, chunks for requests
 * of every size, ownership, dispose. JSON: a tree loaded into an arena
 * equals one loaded on the heap, a syntax error leaves no value behind,
 * and a load without an arena still gives a tree json_decref() frees.
 */
#include "../../../src/base/arena.c"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../../src/ingest/json.h"
#include "test.h"

static void
test_alloc(void)
{
    struct mld_arena a = {0};
    ok(!mld_arena_owns(&a, &a), "an empty arena owns nothing");
    static const size_t sizes[] = {0, 1, 3, 16, 17, 100, 4096, 70000, 5u * 1024 * 1024, 7};
    unsigned char *p[sizeof(sizes) / sizeof(sizes[0])];
    int aligned = 1, owned = 1;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p[i] = mld_arena_alloc(&a, sizes[i]);
        memset(p[i], (int)i + 1, sizes[i]);
        aligned &= (uintptr_t)p[i] % alignof(max_align_t) == 0;
        owned &= mld_arena_owns(&a, p[i]) && (sizes[i] == 0 || mld_arena_owns(&a, p[i] + sizes[i] - 1));
    }
    ok(aligned, "every block aligned for any type");
    ok(owned, "the arena owns every block, first byte to last");
    int intact = 1;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (size_t k = 0; k < sizes[i]; k++)
            intact &= p[i][k] == (unsigned char)(i + 1);
    ok(intact, "no block overlaps another (a chunk of 5 MB among them)");
    ok(a.total >= 5u * 1024 * 1024 + 70000, "chunks hold it all (%zu bytes)", a.total);
    int heap = 0;
    ok(!mld_arena_owns(&a, &heap), "nor does it own memory elsewhere");
    for (int i = 0; i < 100000; i++)
        mld_arena_alloc(&a, 48);
    ok(a.total < 16u * 1024 * 1024, "100,000 small blocks take few chunks (%zu bytes)", a.total);
    mld_arena_dispose(&a);
    ok(a.head == NULL && a.total == 0, "disposed: empty again");
    mld_arena_dispose(&a);
    ok(1, "disposing an empty arena is fine");
}

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
    test_json();
    return mld_test_done();
}
