/*
 * highlight.h - search snippets as HTML, from the match offsets a store
 * returns.
 *
 * A store backend returns a hit's snippet as plain text and the byte
 * ranges of the matches in it (struct mld_span, store.h); it writes no
 * markup. The site, the API and `meldung search` turn them into HTML
 * here: the text escaped, each range a <mark> element. So every backend
 * (SQLite's FTS5 today, PostgreSQL's later) only has to find the
 * matches, and the escaping lives in one place.
 */
#ifndef MLD_HIGHLIGHT_H
#define MLD_HIGHLIGHT_H

#include <stddef.h>

/* A match: bytes [start, end) of a snippet's text. */
struct mld_span {
    size_t start, end;
};

/* Returns text (NUL-terminated UTF-8; NULL is "") as HTML (mld_free):
 * escaped, with <mark> and </mark> around each of marks[0..n). Ranges
 * are taken in order; one that overlaps or precedes the one before,
 * reaches past the text or is empty is skipped, and the ends of a range
 * that fall inside a UTF-8 sequence move to its start, so the result is
 * always balanced, unnested <mark> elements around valid text. */
char *mld_highlight_html(const char *text, const struct mld_span *marks, int n);

/* Moves the ends of marks[0..n) onto UTF-8 character starts of text
 * (length len) and drops the ranges that are empty, out of order or out
 * of the text, as mld_highlight_html does; returns how many remain. For
 * writers of other formats (a terminal). */
int mld_highlight_clean(const char *text, size_t len, struct mld_span *marks, int n);

#endif
