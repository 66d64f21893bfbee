/*
 * wdiff.h - a word-level diff of two texts as HTML, for the editors'
 * view of what changed between two versions of an article.
 *
 * Words are the runs between whitespace. The diff is a longest common
 * subsequence of the words (after the common start and end are set
 * aside), so it shows a minimal set of removed and added words; each run
 * of removed words is wrapped in <del>, each run of added ones in <ins>,
 * everything HTML-escaped. Its table costs two bytes per pair of words
 * in the changed middle, so that middle is bounded (MLD_WDIFF_MAX_CELLS).
 */
#ifndef MLD_WDIFF_H
#define MLD_WDIFF_H

#include <stdbool.h>

#include "../base/buf.h"
#include "../base/err.h"

/* Pairs of words of the changed middles at most: 1000 x 1000 words, a
 * table of 2 MB. */
#define MLD_WDIFF_MAX_CELLS 1000000u

/* Appends to out the words of b with the changes from a marked: removed
 * words of a in <del>, added words of b in <ins>, words separated by one
 * space. Sets *changed when any word differs. Returns 0, or MLD_E_TOOBIG
 * (out untouched) when the changed middles are too large to compare. */
int mld_wdiff_html(const char *a, const char *b, struct mld_buf *out, bool *changed);

#endif
