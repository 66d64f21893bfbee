/*
 * classify.h - the section classifier: multinomial naive Bayes over the
 * stems of meldung's analyzer (src/text/analyze.h).
 *
 * The last voice in an article's section (enrich.h): when no rule and no
 * source decided, the words decide. A model is the count of each stem in
 * the articles of each section plus the number of articles per section,
 * learnt from articles whose section an agency chose (section_by =
 * MLD_SECTION_AGENCY), from an operator's labelled archive, or from the
 * hand-written word list data/section_words.txt (compiled in, the prior
 * every model starts from). The model file is plain text (format in
 * classify.c and docs/internals/sections.md): `meldung sections train`
 * writes one, [enrich] section_model = FILE loads one.
 *
 * A model is built by one thread; once built it is only read, from any
 * thread. Every size is bounded (src/base/limits.h, "Section classifier").
 */
#ifndef MLD_CLASSIFY_H
#define MLD_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../base/err.h"

struct mld_article;
struct mld_classifier;

/* The stems of one text, each with its count, for learning and scoring
 * without analysing the text again (cross-validation). */
struct mld_bag {
    char **stems; /* distinct stems (mld_free'd by mld_bag_dispose) */
    int *counts;  /* occurrences of stems[i] */
    int n;
};

/* Fills bag (zeroed first) with the stems of text[0..len): the WORD and
 * PART tokens of the process-wide analyzer that are no stop words, at
 * most MLD_CLASSIFY_MAX_TOKENS of them, digits-only words left out. */
void mld_bag_of(struct mld_bag *bag, const char *text, size_t len);

/* Frees what bag holds and zeroes it. */
void mld_bag_dispose(struct mld_bag *bag);

/* Returns a new, empty model (no sections). Never NULL. */
struct mld_classifier *mld_classifier_new(void);

/* Frees c; NULL is fine. */
void mld_classifier_free(struct mld_classifier *c);

/* Adds count occurrences of stem to section (created on first use) and,
 * with docs > 0, docs articles to its article count. Returns 0, or
 * MLD_E_TOOBIG (too many sections or stems, a stem or section name too
 * long) / MLD_E_PARSE (an empty name, a negative or non-finite count)
 * with err set. stem may be NULL to count articles only. */
int mld_classifier_add(struct mld_classifier *c, const char *section, const char *stem,
                       double count, double docs, struct mld_err *err);

/* Learns one article of section: its bag's stems, and one article. */
int mld_classifier_learn(struct mld_classifier *c, const char *section, const struct mld_bag *bag,
                         struct mld_err *err);

/* Adds the hand-written prior (data/section_words.txt) to c. Returns 0,
 * or an error naming the file and line. */
int mld_classifier_add_prior(struct mld_classifier *c, struct mld_err *err);

/* Adds the model in text[0..len), read from a file called name, to c.
 * Returns 0, or MLD_E_PARSE / MLD_E_TOOBIG with err naming name and
 * line. */
int mld_classifier_parse(struct mld_classifier *c, const char *name, const char *text, size_t len,
                         struct mld_err *err);

/* Writes c as a model file to f (stems seen fewer than min_count times
 * in all left out). Returns 0, or MLD_E_IO with err naming name. */
int mld_classifier_write(const struct mld_classifier *c, FILE *f, const char *name,
                         double min_count, struct mld_err *err);

/* Number of sections of c. */
int mld_classifier_nsections(const struct mld_classifier *c);

/* Name of section i of c (0 <= i < nsections), owned by c. */
const char *mld_classifier_section(const struct mld_classifier *c, int i);

/* Index of the section of c that bag most likely belongs to, or -1 when c
 * has no sections or the bag no known stem; *confidence (may be NULL)
 * gets its posterior probability (0..1). */
int mld_classifier_best(const struct mld_classifier *c, const struct mld_bag *bag,
                        double *confidence);

/* Makes the model file at path, on top of the prior, the process-wide
 * model (call before the first article is enriched). Returns 0, or
 * MLD_E_IO / MLD_E_PARSE / MLD_E_TOOBIG with err naming file and line. */
int mld_sections_model_load(const char *path, struct mld_err *err);

/* The section the process-wide model (the prior alone unless a model
 * was loaded) gives article a from its kicker, headline, teaser and text,
 * when its posterior is at least MLD_CLASSIFY_MIN_CONFIDENCE; else NULL.
 * The name is owned by the model (valid until the process ends). */
const char *mld_classify_article(const struct mld_article *a, double *confidence);

/* Labelled articles and cross-validation ------------------------------- */

/* Articles with known sections, as bags, for training and measuring. */
struct mld_labelled {
    char **sections; /* distinct sections, in order of first use */
    int nsections;
    int *section;         /* per article: index into sections */
    struct mld_bag *bags; /* per article */
    int n;
};

/* Adds an article of section with text[0..len) to set (at most
 * MLD_CLASSIFY_MAX_EVAL_DOCS articles and MLD_CLASSIFY_MAX_SECTIONS
 * sections). Returns 0, or MLD_E_TOOBIG / MLD_E_PARSE with err set. */
int mld_labelled_add(struct mld_labelled *set, const char *section, const char *text, size_t len,
                     struct mld_err *err);

/* Reads a labelled archive into set: one article per line, either
 * "LABEL;'TEXT'" (quoted with ', a ' inside doubled, as 10kGNAD) or
 * "LABEL;TEXT" or "LABEL<TAB>TEXT". map (may be NULL or "") renames
 * labels: "From=To,From2=To2" ("Web=Digital,Etat=Medien"); labels not
 * named keep their name. Returns 0, or MLD_E_IO / MLD_E_PARSE /
 * MLD_E_TOOBIG with err naming the file and line. */
int mld_labelled_read(struct mld_labelled *set, const char *path, const char *map,
                      struct mld_err *err);

/* The same for the archive text[0..len) (NUL-terminated at len), read
 * from a file called path. */
int mld_labelled_parse(struct mld_labelled *set, const char *path, const char *text, size_t len,
                       const char *map, struct mld_err *err);

/* Frees what set holds and zeroes it. */
void mld_labelled_dispose(struct mld_labelled *set);

/* Learns every article of set into c. */
int mld_labelled_learn(const struct mld_labelled *set, struct mld_classifier *c,
                       struct mld_err *err);

/* Options of mld_crossval(). */
enum {
    MLD_CV_PRIOR = 1 << 0,      /* each fold's model starts from the prior */
    MLD_CV_PRIOR_ONLY = 1 << 1, /* no learning: the prior alone, on every article */
    MLD_CV_BAYES = 1 << 2,      /* naive Bayes counts, not logistic regression */
};

/* The result of a cross-validation: confusion[t * (nsections + 1) + p]
 * counts articles of set section t classified as set section p, where
 * p = nsections means another section or none. */
struct mld_crossval {
    int nsections;
    long *confusion;
    long right, total;
};

/* k-fold cross-validation over set: article i is in fold i % folds; each
 * fold is classified by a model learnt from the others. Fills out (free
 * out->confusion with mld_free). Returns 0, or an error with err set. */
int mld_crossval(const struct mld_labelled *set, int folds, unsigned flags,
                 struct mld_crossval *out, struct mld_err *err);

/* Makes the empty model c a logistic-regression model of the articles of
 * set, all of them when folds < 2, else those with i % folds != fold.
 * Returns 0, or an error with err set. */
int mld_classifier_fit(struct mld_classifier *c, const struct mld_labelled *set, int folds,
                       int fold, struct mld_err *err);

/* Writes out's accuracy and confusion matrix (rows: the true section,
 * columns: the section given) as a table to f. */
void mld_crossval_print(const struct mld_labelled *set, const struct mld_crossval *out, FILE *f);

#endif
