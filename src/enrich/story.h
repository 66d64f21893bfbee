/*
 * story.h - the story and related-news policy: which candidate's story a
 * new article joins and why, when a candidate is related, and how related
 * articles rank (docs/internals/stories.md has the numbers behind every
 * constant).
 *
 * Pure functions over what two articles share (struct mld_story_pair); no
 * store. A backend (src/store/sqlite_story.c) keeps the signatures, finds
 * the candidates, computes each pair's features from the signatures and
 * writes what these functions decide, so a second backend stores and
 * retrieves only, and both decide alike.
 *
 * Stability. The join rules read MinHash Jaccard, headline stems, shared
 * topic ids and the headline slug, which two articles alone determine, and
 * the tf-idf cosine, whose document frequencies come from the store: a
 * pair near MLD_STORY_TEXT_SIMILAR can be decided otherwise in a store
 * holding other articles (`meldung stories eval --noise` measures it;
 * docs/internals/stories.md).
 */
#ifndef MLD_STORY_H
#define MLD_STORY_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/time.h"
#include "../ingest/article.h"
#include "../text/similar.h"

/* Join rules (mld_story_judge). Texts whose tf-idf vectors have this
 * cosine are one event when they share a topic (the dpa sample's joined
 * pairs: 0.39-0.54; two "Bundestag beschließt ..." laws: 0.26). */
#define MLD_STORY_TEXT_SIMILAR 0.36
/* Headlines this alike (stem Jaccard) but not the same are a series
 * (Teil 1 / Teil 2, DAX / MDAX closing prices, the 17 and 18 o'clock
 * radio programme) or a new turn of one subject told in the same words
 * ("Kreml vermeidet Festlegung ..." / "Kreml stimmt ... zu"): never joined
 * by text. */
#define MLD_STORY_SERIES_HEADLINE 0.5
/* Texts sharing this share of their word triples (MinHash Jaccard) without
 * being near-duplicates share a form, not an event: a template filled with
 * other facts (automated earnings reports of two companies: 0.16-0.19;
 * one parliament's votes on two laws told alike: 0.36-0.47). Reports of
 * one event by two desks share few triples (the dpa sample: 0-0.14). */
#define MLD_STORY_TEMPLATE 0.15
/* Fewest distinct terms a text needs for its tf vector: without idf, two
 * short items told in one form ("Aachen eröffnet neues Museum", "Bremen
 * eröffnet neues Stadion", a line of text each) share most of their few
 * words while the one that differs is the news. Such items join by
 * headline or near-duplicate text only. */
#define MLD_STORY_TEXT_MIN_TERMS 16

/* A person of the gazetteer named in both headlines joins two reports
 * (a commentary "«Zeitung» zu Erdogan" and the report of the ban it
 * comments) when their texts also share this tf cosine and they carry at
 * least MLD_STORY_PERSON_TOPICS topics in common: the person alone never
 * joins (two Putin items of one day about other things share a few
 * topics, not the words). The dpa sample: the commentaries 0.22-0.32
 * with 3-5 topics; the closest pair of two events with a person in both
 * headlines: none; of two events at all, 0.35 (G20 digest / Putin), 0.33
 * (two Bundestag laws), with no person in both headlines. */
#define MLD_STORY_PERSON_TEXT 0.2
#define MLD_STORY_PERSON_TOPICS 3

/* Related news (mld_story_relevance): text cosine (tf-idf) and terms in
 * common, or a shared leading pair of topics that names a subject;
 * relevance text cosine + MLD_STORY_RELATED_TOPIC_WEIGHT x topic cosine,
 * the score adds published / MLD_STORY_RECENCY_SECS. */
#define MLD_STORY_RELATED_TEXT 0.12
#define MLD_STORY_RELATED_TEXT_TERMS 2
#define MLD_STORY_RELATED_LEAD_SHARE 0.1
#define MLD_STORY_RELATED_LEAD_PRIOR 100
#define MLD_STORY_RELATED_LEAD_COHESION 0.5
#define MLD_STORY_RELATED_TOPIC_WEIGHT 0.1
#define MLD_STORY_RECENCY_SECS (7 * 86400.0)

/* What a new article (or one whose list is rewritten) shares with one
 * candidate, as the backend computed it from their signatures. */
struct mld_story_pair {
    int64_t id;          /* the candidate */
    bool same_headline;  /* the same headline slug (found by it) */
    double jaccard;      /* MinHash estimate, -1 when either has none */
    double headline;     /* headline stems' Jaccard */
    double tf;           /* cosine of the term-frequency vectors (no idf) */
    int shared_topics;   /* topics both carry */
    int shared_people;   /* persons both headlines name */
    double cosine;       /* tf-idf vectors: related lists only */
    int shared_terms;    /* terms both tf-idf vectors hold */
    double topics;       /* topic vectors (idf-weighted) */
    bool subject;        /* both lead with the same pair of topics, a subject */
};

/* The join rules, weakest first; a candidate is judged by the strongest
 * that fires. */
enum mld_story_rule {
    MLD_STORY_NONE,
    MLD_STORY_PERSON,   /* a person in both headlines, some text, several topics */
    MLD_STORY_TEXT,     /* similar text and a shared topic */
    MLD_STORY_HEADLINE, /* the same headline */
    MLD_STORY_NEAR_DUP, /* near-duplicate text */
};

/* Which rule joins p's candidate's story, and the number that ranks
 * candidates of one rule (*strength). */
enum mld_story_rule mld_story_judge(const struct mld_story_pair *p, double *strength);

/* The short code of rule r, recorded with the reason: "dup", "head",
 * "text", "name" ("" for none). */
const char *mld_story_rule_code(enum mld_story_rule r);

/* Writes why an article joined p's candidate's story under rule r
 * ("ähnlicher Text wie #12 (Kosinus 0,42), gemeinsame Themen: ... [text]"); the backend appends
 * the shared topics' names before the code when it has them (see
 * mld_story_reason_end). */
void mld_story_reason(struct mld_buf *b, enum mld_story_rule r, const struct mld_story_pair *p);

/* Closes a reason with its rule's code. */
void mld_story_reason_end(struct mld_buf *b, enum mld_story_rule r);

/* The id of topic name (of its slug), as signatures store it; 0 when it
 * has none. */
uint32_t mld_story_topic_id(const char *name);

/* Puts into out (at most max) the ids of a's topics that are persons of
 * the gazetteer named in its headline (a word of the name, stemmed and
 * folded, is one of the headline's); returns how many. */
int mld_story_headline_people(const struct mld_article *a, uint32_t *out, int max);


/* Whether a leading pair of topics names a subject: lead_df of docs
 * stored articles lead with it, broad_df carry the commoner of the two. */
bool mld_story_lead_subject(int64_t lead_df, int64_t docs, int64_t broad_df);

/* The relevance of p's candidate in a related list (0: not related). */
double mld_story_relevance(const struct mld_story_pair *p);

/* The score of an article published at t with relevance r in a list. */
double mld_story_related_score(double r, mld_time_t t);

/* Signatures and the put ---------------------------------------------- */

/* What clustering compares of one article: its own (computed) or a
 * candidate's (as its backend stored it). */
struct mld_story_sig {
    mld_time_t published;
    bool has_minhash;
    uint16_t minhash[MLD_SIM_MINHASH];
    uint32_t headline[MLD_SIM_HEADLINE_TERMS];
    int nheadline;
    struct mld_sim_vec terms, topics;
    struct mld_sim_vec tf; /* term frequencies alone (no idf): the join rules' text */
    uint32_t people[MLD_STORY_PEOPLE]; /* persons named in the headline: topic ids */
    int npeople;
    uint32_t lead[2];  /* the two leading topics, when nlead is 2 */
    int nlead;
    bool lead_subject; /* own only: the leading pair names a subject (mld_story_lead_subject) */
};

/* How mld_story_update() treats an article. */
enum mld_story_mode {
    MLD_STORY_INSERT,  /* a new article: count its terms, decide its story */
    MLD_STORY_UPDATE,  /* a newer version: replace signature and related list */
    MLD_STORY_REBUILD, /* filling the derived tables anew: count, keep the story */
};

struct mld_story_store_ops;

/* The story work of one put (or of a rebuild) for article id, whose
 * version a the backend holds: signature, candidates, story (INSERT),
 * related lists, posting; through ops on impl, inside the backend's
 * transaction. pre, when not NULL, holds a's features already computed.
 * Returns 0 or an error with err set. */
int mld_story_update(const struct mld_story_store_ops *ops, void *impl, int64_t id,
                     const struct mld_article *a, const struct mld_sim_features *pre,
                     enum mld_story_mode mode, struct mld_err *err);

#endif
