/*
 * enrich.h - what meldung adds to a parsed article before it is stored.
 *
 * For now: the section, from the agency's categories through a mapping
 * table. Topics come from the agency's own keywords (the parsers fill
 * them); stories are grouped by the store.
 */
#ifndef MLD_ENRICH_H
#define MLD_ENRICH_H

#include "../ingest/article.h"

/* Sets a->section from a->categories when a mapping rule matches and the
 * article has no section yet. Rules are tried in table order (most
 * specific first: dpa rubrics before desks); a rule matches a category
 * equal to its pattern or starting with the pattern followed by '.'.
 * Returns the section name set, or NULL. */
const char *mld_enrich_section(struct mld_article *a);

/* Runs every enrichment step on a. */
void mld_enrich(struct mld_article *a);

#endif
