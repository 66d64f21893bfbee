/*
 * json.h - what the JSON wire parsers (dpa.c, jsonfeed.c) share around
 * jansson.
 *
 * A JSON document is loaded whole with jansson after two checks of its
 * bytes: its size (MLD_MAX_DOC_BYTES) and its nesting depth
 * (MLD_MAX_DEPTH), the latter by a byte scan, since jansson's own limit is
 * 2048 and its recursion is what a hostile document would exhaust.
 * jansson allocates through src/base/mem.h. Messages name the source and,
 * where the bytes are at fault, the line and column.
 */
#ifndef MLD_JSON_H
#define MLD_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "../base/arena.h"
#include "../base/err.h"

/* Checks that doc[0..len) nests objects and arrays no deeper than
 * MLD_MAX_DEPTH (brackets inside strings do not count). Returns 0, or
 * MLD_E_DEPTH with err set to "source: line L, column C: nested deeper
 * than N" at the bracket that goes too deep. */
int mld_json_check_depth(const char *doc, size_t len, const char *source, struct mld_err *err);

/* Loads doc[0..len) (a UTF-8 byte order mark is skipped) into *root
 * (release with json_decref) after the size and depth checks. Returns 0,
 * or a negative code with err set and *root NULL: MLD_E_TOOBIG "source:
 * N bytes, more than M", MLD_E_DEPTH as mld_json_check_depth(), or
 * MLD_E_PARSE "source: line L, column C: jansson's reason". */
int mld_json_load(const char *doc, size_t len, const char *source, json_t **root,
                  struct mld_err *err);

/* The same with every value of the tree in arena (src/base/arena.h)
 * when arena is not NULL: then the tree is freed with the arena
 * (mld_arena_dispose), never by json_decref(), and no value of it may be
 * kept past that; a value made later (json_object_set...) is not in the
 * arena. */
int mld_json_load_arena(const char *doc, size_t len, const char *source, struct mld_arena *arena,
                        json_t **root, struct mld_err *err);

/* jansson allocates through meldung's allocator, which is process-wide
 * (json_set_alloc_funcs): mld_json_setup() installs it, once, and should
 * run before threads that use jansson start; the calls below install it
 * too. */
void mld_json_setup(void);

/* Makes jansson take the memory of every value made on this thread from
 * arena until the next call (NULL: the heap again), and returns the arena
 * set before. Freeing a value of the arena is nothing: the arena goes
 * whole (mld_arena_dispose, mld_arena_reset), and no value of it may be
 * used after that. A page render (page.c) and a wire entry's tree
 * (mld_json_load_arena) are made this way. */
struct mld_arena *mld_json_use_arena(struct mld_arena *arena);

/* The JSON type of v for messages: "an object", "an array", "a string",
 * "an integer", "a number", "a boolean" or "null". Never NULL. */
const char *mld_json_type_name(const json_t *v);

#endif
