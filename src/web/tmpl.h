/*
 * tmpl.h - meldung's Mustache template engine.
 *
 * Templates follow the Mustache spec (interpolation, sections, inverted
 * sections, comments, partials with standalone-line indentation, set
 * delimiters) and its optional inheritance module (parents {{<p}} and
 * blocks {{$b}}). Values come from a jansson JSON tree, so page code builds
 * a json_t context and the spec's JSON test files drive the engine
 * directly. {{name}} is HTML-escaped (& < > " '); {{{name}}} and
 * {{& name}} are not (used only for sanitised HTML).
 *
 * Values: strings print as they are, integers in decimal, reals in the
 * shortest form that reads back the same (1.21), true/false as words;
 * null, objects and lists print nothing. Sections skip a missing value,
 * null, false, "" and []; they loop over a non-empty list and push any
 * other value (0 and {} included) once.
 *
 * Templates compile once into an op list; rendering does not re-parse and
 * does not change the set, so a set built by one thread may then be
 * rendered from any number of threads at once without locks. Adding to a
 * set while another thread renders from it is not allowed.
 */
#ifndef MLD_TMPL_H
#define MLD_TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

struct mld_tmpl;     /* one compiled template */
struct mld_tmpl_set; /* named templates; partials resolve within the set */

/* Returns a new empty set. */
struct mld_tmpl_set *mld_tmpl_set_new(void);

/* Frees the set and every template in it; NULL is fine. */
void mld_tmpl_set_free(struct mld_tmpl_set *set);

/* Compiles src[0..len) (copied; the caller keeps src) and adds it to set
 * under name, replacing any template of that name. Partials are looked up
 * by name when rendering, so they may be added before or after the
 * templates that use them. Returns 0, or MLD_E_TEMPLATE, MLD_E_TOOBIG
 * (more than MLD_MAX_TEMPLATE_BYTES) or MLD_E_DEPTH (sections nested
 * deeper than MLD_MAX_TEMPLATE_DEPTH) with err saying "name: line N:
 * reason" (unclosed section 'x', close tag 'y' does not match ...); on
 * failure the set is unchanged. */
int mld_tmpl_set_add(struct mld_tmpl_set *set, const char *name, const char *src, size_t len,
                     struct mld_err *err);

/* Loads every DIR/NAME.mustache into set under NAME, in name order,
 * skipping hidden files. Returns 0, or the first error: MLD_E_IO, or a
 * compile error whose message starts with the file's path (templates
 * loaded before it stay in the set). */
int mld_tmpl_set_load_dir(struct mld_tmpl_set *set, const char *dir, struct mld_err *err);

/* True when set holds a template called name. */
int mld_tmpl_set_has(const struct mld_tmpl_set *set, const char *name);

/* Renders template name with ctx (borrowed, not changed; NULL is an empty
 * context), appending to out. Missing partials render as empty (as the
 * spec says). Returns 0, MLD_E_NOTFOUND when name is not in set,
 * MLD_E_DEPTH when partials, sections and blocks nest deeper than
 * MLD_MAX_TEMPLATE_DEPTH, MLD_E_TOOBIG when rendering runs more than
 * MLD_MAX_TEMPLATE_STEPS ops, or out's sticky error (MLD_E_TOOBIG); err
 * says which. On error out holds a partial page. */
int mld_tmpl_render(const struct mld_tmpl_set *set, const char *name, json_t *ctx,
                    struct mld_buf *out, struct mld_err *err);

#endif
