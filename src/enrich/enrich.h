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
#include "../text/analyze.h"

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

/* The same with the tokens recorded of a's headline, kicker and text in
 * rec[MLD_RECS] (text/analyze.h, under flags that include MLD_AN_PARTS):
 * a text with a matching record is not analysed again. rec may be NULL. */
void mld_enrich_topics_rec(struct mld_article *a, const struct mld_token_rec *rec);

/* What a topic name is to the gazetteer (topics eval, and readers of
 * topics that need their kind). */
enum mld_topic_class {
    MLD_TOPIC_UNKNOWN, /* not in the gazetteer ("International") */
    MLD_TOPIC_PLACE,   /* country, region, state, capital, city */
    MLD_TOPIC_PERSON,
    MLD_TOPIC_ORG, /* organisation or party */
};

/* The class of the gazetteer topic name (a name or a form: "Vereinigte
 * Staaten" is the place USA), and its display name in *canonical when
 * that is not NULL (unchanged for an unknown name). */
enum mld_topic_class mld_topic_class(const char *name, const char **canonical);

/* The names at an agency's geographic granularity (countries and states,
 * as dpa's geosubjects) that the place called name stands for: the
 * nearest country or state at or above it, and the countries and states
 * above that one ("Köln": Nordrhein-Westfalen, Deutschland); a region
 * with none above it is itself ("Europa"). Fills out with at most max
 * names; returns how many (0 for a name that is no place). */
int mld_topic_geo_levels(const char *name, const char **out, int max);

/* True when name is a person the finder can name without the gazetteer:
 * a first name of data/first_names.txt, then a surname ("Caroline
 * Kennedy"). */
bool mld_topics_person_name(const char *name);

/* True when lang (may be NULL or "": unknown) is German, the language the
 * text is tagged in. */
bool mld_topics_lang_tagged(const char *lang);

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

/* The same, the topics with the recorded tokens of rec (as
 * mld_enrich_topics_rec()). */
void mld_enrich_rec(struct mld_article *a, const char *source_section,
                    const struct mld_token_rec *rec);

#endif
