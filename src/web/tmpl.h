/*
 * tmpl.h - meldung's Mustache template engine.
 *
 * Templates follow the Mustache spec (interpolation, sections, inverted
 * sections, comments, partials with standalone-line indentation, set
 * delimiters). Values come from a jansson JSON tree, so page code builds a
 * json_t context and the spec's JSON test files drive the engine directly.
 * {{name}} is HTML-escaped; {{{name}}} and {{& name}} are not (used only
 * for sanitised HTML). Templates compile once into an op list; rendering
 * does not re-parse.
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

/* Compiles src[0..len) and adds it to set under name (replacing any
 * template of that name). Returns 0, or MLD_E_TEMPLATE / MLD_E_TOOBIG with
 * err saying "name: line N: reason" (unclosed section, bad delimiter ...). */
int mld_tmpl_set_add(struct mld_tmpl_set *set, const char *name, const char *src, size_t len,
                     struct mld_err *err);

/* Loads every DIR/NAME.mustache into set under NAME. Returns 0, or the
 * first error (with the file named in err). */
int mld_tmpl_set_load_dir(struct mld_tmpl_set *set, const char *dir, struct mld_err *err);

/* True when set holds a template called name. */
int mld_tmpl_set_has(const struct mld_tmpl_set *set, const char *name);

/* Renders template name with ctx, appending to out. Missing partials
 * render as empty (as the spec says). Returns 0, MLD_E_NOTFOUND when name
 * is not in set, MLD_E_DEPTH when partials or sections nest deeper than
 * MLD_MAX_TEMPLATE_DEPTH, or out's sticky error. */
int mld_tmpl_render(const struct mld_tmpl_set *set, const char *name, json_t *ctx,
                    struct mld_buf *out, struct mld_err *err);

#endif
