/*
 * sanitize.h - agency HTML to safe HTML, and HTML to plain text.
 *
 * Every HTML fragment from a wire or feed reaches a page only through
 * mld_sanitize_html(): it is parsed with an HTML5 parser (gumbo), and only
 * allow-listed elements and attributes are written back out. Scripts,
 * styles, event handlers, forms, iframes, javascript:/data: URLs and
 * comments never survive; images are kept with src (absolute http/https),
 * alt, width, height, srcset and loading only, tracking pixels (1x1) not
 * at all; unknown wrapper elements (section, span, div ...)
 * are dropped but their content is kept. The plain text of a fragment
 * (for search) comes from the same parse when both are wanted.
 */
#ifndef MLD_SANITIZE_H
#define MLD_SANITIZE_H

#include <stddef.h>

#include "../base/err.h"

/* Returns a new NUL-terminated sanitised copy of the HTML fragment
 * html[0..len) (free with mld_free), or NULL with err set when the input
 * breaks a limit (MLD_MAX_DOC_BYTES, MLD_MAX_DEPTH). Links that leave the
 * site (absolute http/https URLs) get rel="noopener nofollow". */
char *mld_sanitize_html(const char *html, size_t len, struct mld_err *err);

/* Returns the text content of the HTML fragment, block elements separated
 * by "\n", entities decoded, whitespace runs folded to one space (free with
 * mld_free), or NULL with err set on a limit. */
char *mld_html_to_text(const char *html, size_t len, struct mld_err *err);

/* Both of the above from one parse: returns what mld_sanitize_html()
 * returns for html[0..len) and sets *text to what mld_html_to_text()
 * returns for it (the text of the input, not of the sanitised copy; each
 * freed with mld_free). On a limit returns NULL with *text NULL and err
 * set. text may be NULL, which makes this mld_sanitize_html(). */
char *mld_sanitize_html_text(const char *html, size_t len, char **text, struct mld_err *err);

/* Keep an <img> whose src is a relative reference: for a caller that
 * resolves the URLs against a base and then sanitises again without it
 * (feed.c), so that no relative image reaches a page. */
#define MLD_SANITIZE_RELATIVE_IMG 1u

/* mld_sanitize_html_text() with flags (MLD_SANITIZE_*; 0 is the same as
 * mld_sanitize_html_text()). */
char *mld_sanitize_html_flags(const char *html, size_t len, unsigned flags, char **text,
                              struct mld_err *err);

#endif
