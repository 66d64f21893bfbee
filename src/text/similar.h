/*
 * similar.h - what story clustering and related news know about an
 * article's text, and how two articles compare. Pure functions: no store,
 * no I/O; the store (src/store/sqlite_story.c) supplies document
 * frequencies and keeps the results.
 *
 * Features of one article, from the analyzer's terms (src/text/analyze.h,
 * MLD_AN_TERMS, stop words skipped) of kicker, headline, teaser and body:
 *
 *   - term frequencies weighted by field (headline counts 3, kicker and
 *     teaser 2, body 1; a part of a closed compound half), which become a
 *     tf-idf vector of the article's MLD_SIM_VECTOR_TERMS most significant
 *     terms once the store knows each term's document frequency;
 *   - a MinHash signature over word 3-shingles (consecutive stems of the
 *     words as written): MLD_SIM_MINHASH minima of independent hashes,
 *     16 bits of each kept. The share of equal minima estimates the
 *     Jaccard similarity of the two shingle sets, which is what tells a
 *     copy with a few words changed from a different text;
 *   - the set of the headline's stems.
 *
 * Terms are 32-bit hashes of their stems (mld_sim_term_id): a vector or a
 * posting needs no dictionary, and two of the few million distinct stems
 * of a large archive share a hash too rarely to matter.
 */
#ifndef MLD_SIMILAR_H
#define MLD_SIMILAR_H

#include <stddef.h>
#include <stdint.h>

#include "../base/limits.h"
#include "../ingest/article.h"
#include "analyze.h"

/* Estimated Jaccard similarity of the shingle sets at and above which two
 * texts are near-duplicates (one a copy of the other with a few words
 * changed). Measured in tests/unit/text/similar.c: copies differing by
 * 1-5 words of real articles score 0.6-1.0, distinct real articles
 * below 0.3 (docs/internals/stories.md). */
#define MLD_SIM_NEAR_DUP 0.5

/* Fewest shingles a text needs for its signature to count: a headline of
 * a few words says nothing about copied text. */
#define MLD_SIM_MIN_SHINGLES 8

/* One distinct term of an article and its field-weighted frequency. */
struct mld_sim_tf {
    uint32_t term;
    float tf;
};

/* One term of a weighted vector. */
struct mld_sim_weight {
    uint32_t term;
    float w;
};

/* A weighted term vector: at most MLD_SIM_VECTOR_TERMS entries sorted by
 * term, of unit length (so a dot product is the cosine). */
struct mld_sim_vec {
    struct mld_sim_weight v[MLD_SIM_VECTOR_TERMS];
    int n;
};

/* The features of one article version. */
struct mld_sim_features {
    struct mld_sim_tf *tf;                      /* distinct terms, by term */
    int ntf;
    uint16_t minhash[MLD_SIM_MINHASH];          /* valid when nshingles > 0 */
    int nshingles;                              /* shingles read (0: no signature) */
    uint32_t headline[MLD_SIM_HEADLINE_TERMS];  /* distinct stems, sorted */
    int nheadline;
    int nwords, nnumbers; /* words read (stop words skipped), and of them numbers */
};

/* Share of numbers among its words at and above which a text is a table
 * (closing prices, fund lists, results): its other words are the same
 * company or team names every day, whatever happened. */
#define MLD_SIM_TABULAR 0.3

/* True when f's text is a table (MLD_SIM_TABULAR). */
bool mld_sim_tabular(const struct mld_sim_features *f);

/* Returns the term id of a stem (or of any string, e.g. a topic slug). */
uint32_t mld_sim_term_id(const char *s, size_t len);

/* Computes the features of a with the process-wide analyzer into f
 * (which the caller disposes). */
void mld_sim_features_init(struct mld_sim_features *f, const struct mld_article *a);

/* The same from rec[MLD_RECS] (analyze.h), the recorded tokens of a's
 * headline, kicker and text under flags that include MLD_AN_TERMS, where
 * they match (a text without a record is analysed); rec may be NULL. */
void mld_sim_features_init_rec(struct mld_sim_features *f, const struct mld_article *a,
                               const struct mld_token_rec *rec);

/* Frees what f holds and zeroes it. */
void mld_sim_features_dispose(struct mld_sim_features *f);

/* The inverse document frequency of a term found in df of n documents. */
double mld_sim_idf(int64_t df, int64_t n);

/* Fills v with the n (term, weight) pairs of largest weight, at most
 * MLD_SIM_VECTOR_TERMS, sorted by term and scaled to unit length.
 * Pairs with weight <= 0 are left out. */
void mld_sim_vec_set(struct mld_sim_vec *v, const struct mld_sim_weight *w, int n);

/* Fills v with the tf-idf vector of f: weight (1 + ln tf) * idf[i] for
 * the term f->tf[i]. */
void mld_sim_vec_tfidf(struct mld_sim_vec *v, const struct mld_sim_features *f,
                       const double *idf);

/* The cosine of two unit vectors (0 when either is empty). */
double mld_sim_cosine(const struct mld_sim_vec *a, const struct mld_sim_vec *b);

/* The weight of term in v, 0 when absent. */
double mld_sim_vec_weight(const struct mld_sim_vec *v, uint32_t term);

/* The estimated Jaccard similarity of the shingle sets of two
 * signatures: the share of equal minima. */
double mld_sim_minhash(const uint16_t *a, const uint16_t *b);

/* Jaccard similarity of two sorted term sets; *containment (may be NULL)
 * gets the shared terms over the size of the smaller set. 0 when either
 * set is empty. */
double mld_sim_jaccard(const uint32_t *a, int na, const uint32_t *b, int nb,
                       double *containment);

#endif
