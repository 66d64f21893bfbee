/*
 * slug.h - readable URL slugs from German headlines.
 *
 * "Außenminister bereiten Gipfeltreffen in Genf vor" becomes
 * "aussenminister-bereiten-gipfeltreffen-in-genf-vor": lower case,
 * ä→ae, ö→oe, ü→ue, ß→ss, other Latin letters with accents to their base
 * letter, every other run of characters to one '-', no leading or trailing
 * '-', cut at a word boundary to at most MLD_SLUG_MAX bytes.
 */
#ifndef MLD_SLUG_H
#define MLD_SLUG_H

#include <stddef.h>

#define MLD_SLUG_MAX 80

/* Writes the slug of s[0..len) (UTF-8; invalid bytes are skipped) to out,
 * which holds MLD_SLUG_MAX + 1 bytes, NUL-terminated. Returns the slug's
 * length (0, with out "", when s has no letters or digits). */
size_t mld_slug(const char *s, size_t len, char *out);

#endif
