/*
 * json.c - loading JSON documents for the wire parsers with jansson (see
 * json.h).
 *
 * The depth check is a single pass over the bytes that tracks only
 * whether it is inside a string (a backslash skips the next byte) and how
 * many objects and arrays are open; it does not validate the JSON, which
 * is jansson's job right after. jansson's allocator is set once per
 * process, to meldung's, before the first load.
 */
#include "json.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/limits.h"
#include "../base/mem.h"

int
mld_json_check_depth(const char *doc, size_t len, const char *source, struct mld_err *err)
{
    int depth = 0, line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = doc[i];
        if (ch == '"') {
            /* A string, most of a document: to its closing quote by
             * memchr, each backslash skipping the byte after it. */
            for (i++; i < len;) {
                const char *q = memchr(doc + i, '"', len - i);
                size_t end = q != NULL ? (size_t)(q - doc) : len;
                const char *bs = memchr(doc + i, '\\', end - i);
                if (bs == NULL) {
                    i = end; /* the closing quote (or the end) */
                    break;
                }
                i = (size_t)(bs - doc) + 2;
            }
        } else if (ch == '\n')
            line++, line_start = i + 1;
        else if (ch == '{' || ch == '[') {
            if (++depth > MLD_MAX_DEPTH)
                return mld_err_set(err, MLD_E_DEPTH,
                                   "%s: line %d, column %zu: nested deeper than %d", source, line,
                                   i - line_start + 1, MLD_MAX_DEPTH);
        } else if (ch == '}' || ch == ']')
            depth--;
    }
    return 0;
}

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;

/* The arena jansson allocates from on this thread (mld_json_use_arena),
 * or NULL: the allocator is process-wide, the arena is the thread's. */
static _Thread_local struct mld_arena *thread_arena;

/* jansson's malloc: from the thread's arena while there is one. */
static void *
json_alloc(size_t n)
{
    return thread_arena != NULL ? mld_arena_alloc(thread_arena, n) : mld_malloc(n);
}

/* jansson's free: nothing for memory of the thread's arena (it goes
 * whole), mld_free for the rest. */
static void
json_release(void *p)
{
    if (thread_arena == NULL || !mld_arena_owns(thread_arena, p))
        mld_free(p);
}

static void
set_alloc(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

void
mld_json_setup(void)
{
    pthread_once(&alloc_once, set_alloc);
}

struct mld_arena *
mld_json_use_arena(struct mld_arena *arena)
{
    mld_json_setup();
    struct mld_arena *was = thread_arena;
    thread_arena = arena;
    return was;
}

int
mld_json_load(const char *doc, size_t len, const char *source, json_t **root, struct mld_err *err)
{
    return mld_json_load_arena(doc, len, source, NULL, root, err);
}

int
mld_json_load_arena(const char *doc, size_t len, const char *source, struct mld_arena *arena,
                    json_t **root, struct mld_err *err)
{
    *root = NULL;
    if (len > MLD_MAX_DOC_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: %zu bytes, more than %u", source, len,
                           (unsigned)MLD_MAX_DOC_BYTES);
    size_t skip = len >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; /* a BOM */
    int rc = mld_json_check_depth(doc + skip, len - skip, source, err);
    if (rc != 0)
        return rc;
    json_error_t jerr;
    struct mld_arena *was = mld_json_use_arena(arena);
    *root = json_loadb(doc + skip, len - skip, 0, &jerr);
    mld_json_use_arena(was);
    if (*root == NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: line %d, column %d: %s", source, jerr.line,
                           jerr.column, jerr.text);
    return 0;
}

const char *
mld_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}
