/*
 * enrich.h - what meldung adds to a parsed article before it is stored.
 *
 *   - the section, always one, in order of authority: an operator's rules,
 *     the source's configured section, the default mapping of the agency's
 *     or feed's own categories (data/sections.txt, compiled in), the text
 *     classifier (classify.h), else MLD_SECTION_FALLBACK (section.c);
 *   - topics: the agency's own keywords merged with the places, people and
 *     organisations a gazetteer finds in the text, ranked by salience
 *     (topics.c; default entries in data/gazetteer.txt, compiled in; an
 *     operator's file extends them);
 * Stories and related lists are decided by the store (store.h).
 *
 * The tables are process-wide, built on first use; the _load functions
 * add an operator's file and must be called before the first article is
 * enriched (from the configuration's [enrich] section).
 */
#ifndef MLD_ENRICH_H
#define MLD_ENRICH_H

#include "../base/err.h"
#include "../ingest/article.h"

struct mld_config;

/* The section of an article nothing else placed (no rule, no source
 * section, the classifier not confident); section_by stays NONE. */
#define MLD_SECTION_FALLBACK "Nachrichten"

/* Sets a->section and a->section_by, unless a has a section already,
 * from the first that decides: an operator's rule matching a->categories
 * (OPERATOR), source_section (the section its source is configured
 * with; may be NULL or "": SOURCE), a default rule (AGENCY), the
 * classifier over a's text (CLASSIFIER), else MLD_SECTION_FALLBACK
 * (NONE). Returns a->section, never NULL. */
const char *mld_enrich_section(struct mld_article *a, const char *source_section);

/* Adds the section rules of the file at path, ahead of the defaults.
 * Returns 0, or MLD_E_IO / MLD_E_PARSE with err naming file and line. */
int mld_sections_load(const char *path, struct mld_err *err);

/* Replaces a->topics by the ranked merge of the agency's keywords and the
 * gazetteer entities found in kicker, headline, teaser and body text (at
 * most MLD_MAX_TOPICS, most salient first). */
void mld_enrich_topics(struct mld_article *a);

/* True when name (a topic as mld_enrich_topics writes it) is a person of
 * the gazetteer (story.c: a person named in two headlines). */
bool mld_topic_is_person(const char *name);

/* Adds the gazetteer entries of the file at path to the defaults.
 * Returns 0, or MLD_E_IO / MLD_E_PARSE with err naming file and line. */
int mld_topics_load(const char *path, struct mld_err *err);

/* Applies the [enrich] section of cfg, if any: keys "sections",
 * "gazetteer" (files as above), "section_model" (the classifier's model,
 * classify.h) and "dictionary" (the analyzer's word list). Returns 0, or
 * an error naming the file and line. */
int mld_enrich_configure(const struct mld_config *cfg, struct mld_err *err);

/* Runs every enrichment step on a, an item of a source configured with
 * source_section (or NULL). */
void mld_enrich(struct mld_article *a, const char *source_section);

#endif
