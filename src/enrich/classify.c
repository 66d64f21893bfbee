/*
 * classify.c - the section classifier: multinomial naive Bayes over stems.
 *
 * A model holds, per section s, the number of articles learnt (docs[s])
 * and, per stem w, how often w occurred in them (count[s][w]). An
 * article's bag of stems b scores
 *
 *     score(s) = log((docs[s] + 1) / (D + S))
 *              + sum over w in b of  n(w) * log((count[s][w] + A) / (total[s] + A * V))
 *
 * (D articles, S sections, V stems in the model, total[s] the stems
 * counted for s, A = ALPHA, the additive smoothing); stems the model does
 * not know are left out. The best score wins; its posterior probability
 * exp(score(best)) / sum exp(score(s)) is the confidence.
 *
 * Every model starts from the prior: data/section_words.txt (compiled
 * in), a hand-written list of words per section, each counting as
 * PRIOR_COUNT occurrences, and PRIOR_DOCS articles per section. It gives
 * a site without any labelled articles sensible sections; counts learnt
 * from real articles soon outweigh it.
 *
 * The model file (written by `meldung sections train`, read by
 * [enrich] section_model) is UTF-8 text, one record per line, fields
 * separated by one TAB; '#' lines and blank lines are comments:
 *
 *     meldung-section-model 1                  first record: format and version
 *     docs <TAB> SECTION <TAB> N               N articles of SECTION were learnt
 *     word <TAB> SECTION <TAB> STEM <TAB> C    STEM occurred C times in them
 *
 * N and C are non-negative decimal numbers (fractions allowed, for
 * hand-made pseudo-counts). STEM is a term of meldung's analyzer (lower
 * case, no umlauts: "bundesliga", "wahl"); a stem the analyzer never
 * makes is harmless, it never matches. Repeated records add up. The
 * file's counts are added to the prior's.
 *
 * The process-wide model is built on first use (the prior alone) or by
 * mld_sections_model_load(); it is immutable once published (an atomic
 * pointer), so classification takes no lock. A replaced model is kept
 * until the process ends, since another thread may still read it.
 */
#include "classify.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../ingest/article.h"
#include "../text/analyze.h"
#include "data.h"

/* Additive smoothing of the stem counts. Below 1 because most stems of a
 * section are rare: Laplace's 1 lets unseen stems weigh as much as rare
 * seen ones (measured on 10kGNAD, docs/internals/sections.md). */
#define ALPHA 0.1

/* What one word of the prior counts as: PRIOR_COUNT occurrences in its
 * section, which learnt PRIOR_DOCS articles. About what one word of a
 * section's vocabulary occurs in a few dozen of its articles. */
#define PRIOR_COUNT 10.0
#define PRIOR_DOCS 1.0

/* Logistic regression's training: passes over the articles, the first
 * pass's learning rate (falling as 1/epoch), and the fewest articles a
 * stem must occur in to be a feature (rarer ones are names and typing
 * errors, and half the vocabulary). The falling rate and the few passes
 * keep the weights small; an L2 penalty on top measured no better. All
 * measured on 10kGNAD (docs/internals/sections.md): rate 1 gave 79.0%,
 * 3 81.0%, 5 81.3%, 8 80.4%; 10 passes 81.0%, 40 81.4%. */
#define EPOCHS 20
#define RATE 5.0
#define MIN_DF 2

/* The name the prior carries in messages. */
#define PRIOR_NAME "data/section_words.txt"

/* The first record of a model file. */
#define MODEL_MAGIC "meldung-section-model"
#define MODEL_VERSION 1

struct mld_classifier {
    char *names[MLD_CLASSIFY_MAX_SECTIONS];
    double docs[MLD_CLASSIFY_MAX_SECTIONS];
    double total[MLD_CLASSIFY_MAX_SECTIONS]; /* stems counted per section */
    float *count[MLD_CLASSIFY_MAX_SECTIONS]; /* [stem index], cap entries; a linear
                                                    model's weights */
    int nsections;
    bool linear;                            /* logistic regression (else Bayes) */
    double bias[MLD_CLASSIFY_MAX_SECTIONS]; /* linear: per section */
    float *idf;                             /* linear: per stem, cap entries */
    char **stems;                           /* by index */
    int nstems, cap;
    int32_t *slots; /* open addressing: stem index + 1, 0 = free */
    size_t nslots;  /* a power of two, 4 * cap */
};

/* FNV-1a of s[0..n). */
static uint64_t
hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* The slot of stem s[0..n) in table: where it is, or the free one where
 * it would go. */
static size_t
find_slot(const int32_t *slots, size_t nslots, char *const *stems, const char *s, size_t n)
{
    size_t i = (size_t)hash(s, n) & (nslots - 1);
    while (slots[i] != 0) {
        const char *t = stems[slots[i] - 1];
        if (strncmp(t, s, n) == 0 && t[n] == '\0')
            return i;
        i = (i + 1) & (nslots - 1);
    }
    return i;
}

/* Index of stem s[0..n) in c, or -1. */
static int
stem_index(const struct mld_classifier *c, const char *s, size_t n)
{
    if (c->nslots == 0)
        return -1;
    size_t i = find_slot(c->slots, c->nslots, c->stems, s, n);
    return c->slots[i] - 1;
}

/* Doubles c's stem capacity (and table). */
static void
grow(struct mld_classifier *c)
{
    int cap = c->cap ? 2 * c->cap : 1024;
    c->stems = mld_reallocarray(c->stems, (size_t)cap, sizeof(*c->stems));
    c->idf = mld_reallocarray(c->idf, (size_t)cap, sizeof(*c->idf));
    memset(c->idf + c->cap, 0, (size_t)(cap - c->cap) * sizeof(*c->idf));
    for (int s = 0; s < c->nsections; s++) {
        c->count[s] = mld_reallocarray(c->count[s], (size_t)cap, sizeof(float));
        memset(c->count[s] + c->cap, 0, (size_t)(cap - c->cap) * sizeof(float));
    }
    mld_free(c->slots);
    c->nslots = 4 * (size_t)cap;
    c->slots = mld_calloc(c->nslots, sizeof(*c->slots));
    for (int i = 0; i < c->nstems; i++) {
        size_t at = find_slot(c->slots, c->nslots, c->stems, c->stems[i], strlen(c->stems[i]));
        c->slots[at] = i + 1;
    }
    c->cap = cap;
}

struct mld_classifier *
mld_classifier_new(void)
{
    return MLD_NEW(struct mld_classifier);
}

void
mld_classifier_free(struct mld_classifier *c)
{
    if (c == NULL)
        return;
    for (int s = 0; s < c->nsections; s++) {
        mld_free(c->names[s]);
        mld_free(c->count[s]);
    }
    for (int i = 0; i < c->nstems; i++)
        mld_free(c->stems[i]);
    mld_free(c->stems);
    mld_free(c->idf);
    mld_free(c->slots);
    mld_free(c);
}

int
mld_classifier_nsections(const struct mld_classifier *c)
{
    return c->nsections;
}

const char *
mld_classifier_section(const struct mld_classifier *c, int i)
{
    return c->names[i];
}

/* Index of section name in c, created when new; -1 with err set when c
 * is full. */
static int
section_index(struct mld_classifier *c, const char *name, struct mld_err *err)
{
    for (int s = 0; s < c->nsections; s++)
        if (strcmp(c->names[s], name) == 0)
            return s;
    if (c->nsections == MLD_CLASSIFY_MAX_SECTIONS) {
        mld_err_set(err, MLD_E_TOOBIG, "more than %d sections", MLD_CLASSIFY_MAX_SECTIONS);
        return -1;
    }
    int s = c->nsections++;
    c->names[s] = mld_strdup(name);
    c->count[s] = c->cap > 0 ? mld_calloc((size_t)c->cap, sizeof(float)) : NULL;
    return s;
}

/* Index of stem s (checked: not empty, not too long) in c, added when
 * new; a (negative) MLD_E_* code with err set when it cannot be. */
static int
stem_add(struct mld_classifier *c, const char *stem, struct mld_err *err)
{
    size_t n = strlen(stem);
    if (n == 0)
        return mld_err_set(err, MLD_E_PARSE, "empty stem");
    if (n > MLD_CLASSIFY_MAX_STEM_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "stem longer than %d bytes",
                           MLD_CLASSIFY_MAX_STEM_BYTES);
    int w = stem_index(c, stem, n);
    if (w >= 0)
        return w;
    if (c->nstems == MLD_CLASSIFY_MAX_STEMS)
        return mld_err_set(err, MLD_E_TOOBIG, "more than %d stems", MLD_CLASSIFY_MAX_STEMS);
    if (c->nstems == c->cap)
        grow(c);
    w = c->nstems++;
    c->stems[w] = mld_strndup(stem, n);
    c->slots[find_slot(c->slots, c->nslots, c->stems, stem, n)] = w + 1;
    return w;
}

/* Checks a section name: not empty, not too long, UTF-8 without
 * control characters (it becomes an article's section). */
static int
check_section(const char *section, struct mld_err *err)
{
    if (section == NULL || section[0] == '\0')
        return mld_err_set(err, MLD_E_PARSE, "empty section name");
    size_t n = strlen(section);
    if (n > MLD_MAX_SECTION_NAME_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "section name longer than %d bytes",
                           MLD_MAX_SECTION_NAME_BYTES);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)section + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || cp < 0x20 || cp == 0x7f)
            return mld_err_set(err, MLD_E_PARSE,
                               "section name \"%.40s\" is not UTF-8 without control characters",
                               section);
        i += (size_t)k;
    }
    return 0;
}

int
mld_classifier_add(struct mld_classifier *c, const char *section, const char *stem, double count,
                   double docs, struct mld_err *err)
{
    if (c->linear)
        return mld_err_set(err, MLD_E_PARSE, "counts do not go into a logistic model");
    int rc = check_section(section, err);
    if (rc != 0)
        return rc;
    if (!isfinite(count) || count < 0 || !isfinite(docs) || docs < 0)
        return mld_err_set(err, MLD_E_PARSE, "counts must be finite and not negative");
    int s = section_index(c, section, err);
    if (s < 0)
        return MLD_E_TOOBIG;
    c->docs[s] += docs;
    if (stem == NULL)
        return 0;
    int w = stem_add(c, stem, err);
    if (w < 0)
        return w;
    c->count[s][w] += (float)count;
    c->total[s] += count;
    return 0;
}

int
mld_classifier_learn(struct mld_classifier *c, const char *section, const struct mld_bag *bag,
                     struct mld_err *err)
{
    int rc = mld_classifier_add(c, section, NULL, 0, 1, err);
    for (int i = 0; i < bag->n && rc == 0; i++)
        rc = mld_classifier_add(c, section, bag->stems[i], bag->counts[i], 0, err);
    return rc;
}

/* Naive Bayes: the log-probability of each section for bag, into score;
 * returns how many of bag's stems c knows. */
static int
bayes_scores(const struct mld_classifier *c, const struct mld_bag *bag, double *score)
{
    double D = 0;
    for (int s = 0; s < c->nsections; s++)
        D += c->docs[s];
    for (int s = 0; s < c->nsections; s++)
        score[s] = log((c->docs[s] + 1) / (D + c->nsections));
    double V = c->nstems;
    int known = 0;
    for (int i = 0; i < bag->n; i++) {
        int w = stem_index(c, bag->stems[i], strlen(bag->stems[i]));
        if (w < 0)
            continue;
        known++;
        for (int s = 0; s < c->nsections; s++)
            score[s] += bag->counts[i] * log((c->count[s][w] + ALPHA) / (c->total[s] + ALPHA * V));
    }
    return known;
}

/* The feature value of a stem occurring tf times, with weight idf: the
 * damped frequency times the inverse document frequency (before the
 * article's vector is scaled to length 1). */
static double
feature(int tf, double idf)
{
    return (1 + log(tf)) * idf;
}

/* A linear model: the score of each section for bag, into score; returns
 * how many of bag's stems c knows. */
static int
linear_scores(const struct mld_classifier *c, const struct mld_bag *bag, double *score)
{
    double norm = 0;
    int known = 0;
    for (int s = 0; s < c->nsections; s++)
        score[s] = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < bag->n; i++) {
            int w = stem_index(c, bag->stems[i], strlen(bag->stems[i]));
            if (w < 0)
                continue;
            double x = feature(bag->counts[i], c->idf[w]);
            if (pass == 0) {
                norm += x * x;
                known++;
                continue;
            }
            x /= sqrt(norm);
            for (int s = 0; s < c->nsections; s++)
                score[s] += x * c->count[s][w];
        }
    for (int s = 0; s < c->nsections; s++)
        score[s] += c->bias[s];
    return norm > 0 ? known : 0;
}

int
mld_classifier_best(const struct mld_classifier *c, const struct mld_bag *bag, double *confidence)
{
    if (confidence != NULL)
        *confidence = 0;
    if (c->nsections == 0)
        return -1;
    double score[MLD_CLASSIFY_MAX_SECTIONS];
    int known = c->linear ? linear_scores(c, bag, score) : bayes_scores(c, bag, score);
    if (known == 0)
        return -1;
    int best = 0;
    for (int s = 1; s < c->nsections; s++)
        if (score[s] > score[best])
            best = s;
    double sum = 0;
    for (int s = 0; s < c->nsections; s++)
        sum += exp(score[s] - score[best]);
    if (confidence != NULL)
        *confidence = 1 / sum;
    return best;
}

/* Logistic regression ---------------------------------------------------- */

/* One training article as a sparse vector of length 1. */
struct sparse {
    int *w;   /* stem indexes */
    float *x; /* values */
    int n;
    int section; /* index in the model */
};

/* A small deterministic generator for the training order (xorshift). */
static uint32_t
next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* A stem of the training articles with its document frequency. */
struct stem_df {
    int w; /* index in the frequency table */
    float df;
};

/* Orders stems by falling document frequency, then by index (stable). */
static int
by_df(const void *a, const void *b)
{
    const struct stem_df *x = a, *y = b;
    if (x->df != y->df)
        return x->df > y->df ? -1 : 1;
    return (x->w > y->w) - (x->w < y->w);
}

/* Builds c's vocabulary (the stems in at least MIN_DF training
 * articles, the most frequent first, at most MLD_CLASSIFY_MAX_STEMS),
 * idf and sections from the articles of set that are in training (all
 * when folds < 2, else those with i % folds != fold); fills docs with
 * their vectors. Stems first seen after MLD_CLASSIFY_MAX_STEMS others
 * are not counted (they are rare ones in a large set). Returns the number
 * of articles, or a negative MLD_E_* code. */
static int
fit_prepare(struct mld_classifier *c, const struct mld_labelled *set, int folds, int fold,
            struct sparse *docs, struct mld_err *err)
{
    struct mld_classifier *df = mld_classifier_new(); /* document frequencies */
    int n = 0, rc = 0;
    for (int i = 0; i < set->n && rc == 0; i++) {
        if (folds > 1 && i % folds == fold)
            continue;
        n++;
        for (int j = 0; j < set->bags[i].n && rc == 0; j++) {
            rc = mld_classifier_add(df, "df", set->bags[i].stems[j], 1, 0, err);
            rc = rc == MLD_E_TOOBIG ? 0 : rc; /* the table is full */
        }
    }
    for (int s = 0; s < set->nsections && rc == 0; s++)
        if (section_index(c, set->sections[s], err) < 0)
            rc = MLD_E_TOOBIG;
    struct stem_df *keep = mld_calloc((size_t)df->nstems + 1, sizeof(*keep));
    int nkeep = 0;
    for (int w = 0; w < df->nstems; w++)
        if (df->count[0] != NULL && df->count[0][w] >= MIN_DF)
            keep[nkeep++] = (struct stem_df){w, df->count[0][w]};
    qsort(keep, (size_t)nkeep, sizeof(*keep), by_df);
    for (int i = 0; i < nkeep && i < MLD_CLASSIFY_MAX_STEMS && rc == 0; i++) {
        int k = stem_add(c, df->stems[keep[i].w], err);
        if (k < 0)
            rc = k;
        else
            c->idf[k] = (float)log((n + 1.0) / (keep[i].df + 1.0)) + 1;
    }
    mld_free(keep);
    mld_classifier_free(df);
    if (rc != 0)
        return rc;
    int d = 0;
    for (int i = 0; i < set->n; i++) {
        if (folds > 1 && i % folds == fold)
            continue;
        const struct mld_bag *b = &set->bags[i];
        struct sparse *v = &docs[d++];
        v->w = mld_reallocarray(NULL, (size_t)b->n + 1, sizeof(*v->w));
        v->x = mld_reallocarray(NULL, (size_t)b->n + 1, sizeof(*v->x));
        v->n = 0;
        v->section = set->section[i];
        double norm = 0;
        for (int j = 0; j < b->n; j++) {
            int k = stem_index(c, b->stems[j], strlen(b->stems[j]));
            if (k < 0)
                continue;
            v->w[v->n] = k;
            v->x[v->n] = (float)feature(b->counts[j], c->idf[k]);
            norm += (double)v->x[v->n] * v->x[v->n];
            v->n++;
        }
        for (int j = 0; j < v->n; j++)
            v->x[j] = (float)(v->x[j] / sqrt(norm));
    }
    return d;
}

int
mld_classifier_fit(struct mld_classifier *c, const struct mld_labelled *set, int folds, int fold,
                   struct mld_err *err)
{
    if (c->nsections > 0)
        return mld_err_set(err, MLD_E_PARSE, "a model is fitted from nothing");
    c->linear = true;
    struct sparse *docs = mld_calloc((size_t)set->n + 1, sizeof(*docs));
    int n = fit_prepare(c, set, folds, fold, docs, err);
    if (n < 0) {
        mld_free(docs);
        return n;
    }
    int ns = c->nsections, *order = mld_calloc((size_t)n + 1, sizeof(*order));
    for (int i = 0; i < n; i++)
        order[i] = i;
    uint32_t seed = 2463534242u;
    double p[MLD_CLASSIFY_MAX_SECTIONS];
    /* Plain stochastic gradient descent on the cross-entropy, the
     * articles shuffled each pass, the rate falling by pass. */
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        double rate = RATE / (1 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(next_random(&seed) % (uint32_t)(i + 1));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < n; i++) {
            const struct sparse *v = &docs[order[i]];
            double max = -HUGE_VAL, sum = 0;
            for (int s = 0; s < ns; s++) {
                p[s] = c->bias[s];
                for (int j = 0; j < v->n; j++)
                    p[s] += v->x[j] * c->count[s][v->w[j]];
                max = p[s] > max ? p[s] : max;
            }
            for (int s = 0; s < ns; s++)
                sum += p[s] = exp(p[s] - max);
            for (int s = 0; s < ns; s++) {
                double g = p[s] / sum - (s == v->section);
                c->bias[s] -= rate * g;
                for (int j = 0; j < v->n; j++)
                    c->count[s][v->w[j]] -= (float)(rate * g * v->x[j]);
            }
        }
    }
    for (int i = 0; i < n; i++) {
        mld_free(docs[i].w);
        mld_free(docs[i].x);
    }
    mld_free(docs);
    mld_free(order);
    return 0;
}

/* Bags ------------------------------------------------------------------ */

/* A bag being filled: stems in a hash table. */
struct bag_fill {
    struct mld_bag *bag;
    int32_t *slots;
    size_t nslots;
    int cap;
    int tokens;
};

/* True when s[0..n) holds only digits (years, scores: no section's). */
static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Token callback of mld_bag_of(): counts a WORD or PART stem. */
static int
bag_token(void *ud, const struct mld_token *t)
{
    struct bag_fill *f = ud;
    if ((t->kind != MLD_TOK_WORD && t->kind != MLD_TOK_PART) || t->stop || t->len < 2 ||
        t->len > MLD_CLASSIFY_MAX_STEM_BYTES || all_digits(t->term, t->len))
        return 0;
    if (f->tokens++ == MLD_CLASSIFY_MAX_TOKENS)
        return 1;
    struct mld_bag *b = f->bag;
    if (b->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        b->stems = mld_reallocarray(b->stems, (size_t)f->cap, sizeof(*b->stems));
        b->counts = mld_reallocarray(b->counts, (size_t)f->cap, sizeof(*b->counts));
        mld_free(f->slots);
        f->nslots = 4 * (size_t)f->cap;
        f->slots = mld_calloc(f->nslots, sizeof(*f->slots));
        for (int i = 0; i < b->n; i++)
            f->slots[find_slot(f->slots, f->nslots, b->stems, b->stems[i], strlen(b->stems[i]))] =
                i + 1;
    }
    size_t at = find_slot(f->slots, f->nslots, b->stems, t->term, t->len);
    if (f->slots[at] != 0) {
        b->counts[f->slots[at] - 1]++;
        return 0;
    }
    b->stems[b->n] = mld_strndup(t->term, t->len);
    b->counts[b->n] = 1;
    f->slots[at] = ++b->n;
    return 0;
}

/* Adds the stems of text[0..len) to the bag f fills. */
static void
bag_add(struct bag_fill *f, const char *text, size_t len)
{
    if (text != NULL && len > 0 && f->tokens <= MLD_CLASSIFY_MAX_TOKENS)
        mld_analyze(mld_analyzer(), text, len, MLD_AN_PARTS, bag_token, f);
}

void
mld_bag_of(struct mld_bag *bag, const char *text, size_t len)
{
    memset(bag, 0, sizeof(*bag));
    struct bag_fill f = {.bag = bag};
    bag_add(&f, text, len);
    mld_free(f.slots);
}

void
mld_bag_dispose(struct mld_bag *bag)
{
    for (int i = 0; i < bag->n; i++)
        mld_free(bag->stems[i]);
    mld_free(bag->stems);
    mld_free(bag->counts);
    memset(bag, 0, sizeof(*bag));
}

/* Model files ----------------------------------------------------------- */

/* Splits line s (NUL-terminated, modified) at TABs into at most max
 * fields; returns their number. */
static int
split_tabs(char *s, char **fields, int max)
{
    int n = 0;
    while (n < max) {
        fields[n++] = s;
        char *tab = strchr(s, '\t');
        if (tab == NULL)
            break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

/* Parses field s as a count; false when it is none. */
static bool
parse_count(const char *s, double *out)
{
    char *end = NULL;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out) && *out >= 0;
}

/* Parses field s as a weight (any finite number); false when it is none. */
static bool
parse_weight(const char *s, double *out)
{
    char *end = NULL;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out);
}

/* Applies a logistic model's record (fields f[0..n)) to c. */
static int
linear_record(struct mld_classifier *c, const char *where, char **f, int n, struct mld_err *err)
{
    if (!c->linear && c->nsections > 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: %s: a model has counts or weights, not both",
                           where, f[0]);
    c->linear = true;
    double v;
    const char *num = f[n - 1];
    if (!parse_weight(num, &v) || (strcmp(f[0], "idf") == 0 && v <= 0))
        return mld_err_set(err, MLD_E_PARSE, "%s: %s: \"%.40s\" is no %s", where, f[0], num,
                           strcmp(f[0], "idf") == 0 ? "positive number" : "number");
    int rc = 0;
    if (strcmp(f[0], "idf") == 0) {
        int w = stem_add(c, f[1], err);
        if (w >= 0)
            c->idf[w] = (float)v;
        rc = w >= 0 ? 0 : w;
    } else if ((rc = check_section(f[1], err)) == 0) {
        int s = section_index(c, f[1], err);
        int w = n == 4 ? stem_index(c, f[2], strlen(f[2])) : -1;
        if (s < 0)
            rc = MLD_E_TOOBIG;
        else if (n == 3)
            c->bias[s] = v;
        else if (w < 0)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: weight: stem \"%.40s\" has no idf record before it", where,
                               f[2]);
        else
            c->count[s][w] = (float)v;
    }
    if (rc != 0 && strncmp(err->msg, where, strlen(where)) != 0)
        mld_err_prefix(err, "%s", where);
    return rc;
}

/* Applies one record (fields f[0..n)) of a model file to c. */
static int
model_record(struct mld_classifier *c, const char *where, char **f, int n, struct mld_err *err)
{
    double v;
    int rc;
    if (strcmp(f[0], "docs") == 0 && n == 3) {
        if (!parse_count(f[2], &v))
            return mld_err_set(err, MLD_E_PARSE, "%s: docs: \"%.40s\" is no count", where, f[2]);
        rc = mld_classifier_add(c, f[1], NULL, 0, v, err);
    } else if (strcmp(f[0], "word") == 0 && n == 4) {
        if (!parse_count(f[3], &v))
            return mld_err_set(err, MLD_E_PARSE, "%s: word: \"%.40s\" is no count", where, f[3]);
        rc = mld_classifier_add(c, f[1], f[2], v, 0, err);
    } else if ((strcmp(f[0], "idf") == 0 || strcmp(f[0], "bias") == 0) && n == 3) {
        return linear_record(c, where, f, n, err);
    } else if (strcmp(f[0], "weight") == 0 && n == 4) {
        return linear_record(c, where, f, n, err);
    } else {
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: expected a docs, word, idf, bias or weight record (see "
                           "docs/internals/sections.md), got \"%.40s\" with %d field%s",
                           where, f[0], n, n == 1 ? "" : "s");
    }
    if (rc != 0)
        mld_err_prefix(err, "%s", where);
    return rc;
}

int
mld_classifier_parse(struct mld_classifier *c, const char *name, const char *text, size_t len,
                     struct mld_err *err)
{
    if (len > MLD_MAX_SECTION_MODEL_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: larger than %u bytes", name,
                           MLD_MAX_SECTION_MODEL_BYTES);
    if (memchr(text, '\0', len) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: holds a NUL byte (not a text file)", name);
    char line[4 * MLD_CLASSIFY_MAX_STEM_BYTES + 2 * MLD_MAX_SECTION_NAME_BYTES];
    bool magic = false;
    int rc = 0, lineno = 0;
    for (const char *p = text, *end = text + len; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        size_t n = (size_t)(e - p);
        const char *b = p;
        p = nl != NULL ? nl + 1 : end;
        lineno++;
        if (n > 0 && b[n - 1] == '\r')
            n--;
        if (n == 0 || b[0] == '#')
            continue;
        char where[1100];
        snprintf(where, sizeof(where), "%.1024s:%d", name, lineno);
        if (n >= sizeof(line))
            return mld_err_set(err, MLD_E_TOOBIG, "%s: line longer than %zu bytes", where,
                               sizeof(line) - 1);
        memcpy(line, b, n);
        line[n] = '\0';
        if (!magic) {
            char want[64];
            snprintf(want, sizeof(want), "%s %d", MODEL_MAGIC, MODEL_VERSION);
            if (strcmp(line, want) != 0)
                return mld_err_set(err, MLD_E_PARSE,
                                   "%s: not a section model (the first record must be \"%s\")",
                                   where, want);
            magic = true;
            continue;
        }
        char *f[5];
        rc = model_record(c, where, f, split_tabs(line, f, 5), err);
    }
    if (rc == 0 && !magic)
        rc = mld_err_set(err, MLD_E_PARSE, "%s: empty (no \"%s %d\" record)", name, MODEL_MAGIC,
                         MODEL_VERSION);
    return rc;
}

/* The least weight a written logistic model keeps: a smaller one moves a
 * score by less than 0.01 (an article's vector has length 1, a single
 * stem's value is mostly below 0.2), and leaving them out makes the file
 * a quarter of the size. */
#define MIN_WEIGHT 1e-2

int
mld_classifier_write(const struct mld_classifier *c, FILE *f, const char *name, double min_count,
                     struct mld_err *err)
{
    fprintf(f,
            "# meldung section model (%s): see docs/internals/sections.md.\n"
            "# Load with [enrich] section_model = FILE.\n"
            "%s %d\n",
            c->linear ? "logistic regression" : "naive Bayes counts", MODEL_MAGIC, MODEL_VERSION);
    if (c->linear) {
        for (int w = 0; w < c->nstems; w++)
            fprintf(f, "idf\t%s\t%.6g\n", c->stems[w], (double)c->idf[w]);
        for (int s = 0; s < c->nsections; s++)
            fprintf(f, "bias\t%s\t%.6g\n", c->names[s], c->bias[s]);
        for (int w = 0; w < c->nstems; w++)
            for (int s = 0; s < c->nsections; s++)
                if (fabs(c->count[s][w]) >= MIN_WEIGHT)
                    fprintf(f, "weight\t%s\t%s\t%.5g\n", c->names[s], c->stems[w],
                            (double)c->count[s][w]);
    } else {
        for (int s = 0; s < c->nsections; s++)
            fprintf(f, "docs\t%s\t%.17g\n", c->names[s], c->docs[s]);
        for (int w = 0; w < c->nstems; w++) {
            double all = 0;
            for (int s = 0; s < c->nsections; s++)
                all += c->count[s][w];
            if (all < min_count)
                continue;
            for (int s = 0; s < c->nsections; s++)
                if (c->count[s][w] > 0)
                    fprintf(f, "word\t%s\t%s\t%.9g\n", c->names[s], c->stems[w],
                            (double)c->count[s][w]);
        }
    }
    if (fflush(f) != 0 || ferror(f))
        return mld_err_set(err, MLD_E_IO, "%s: write failed", name);
    return 0;
}

/* The prior ------------------------------------------------------------- */

/* Adds the prior's line "SECTION: word, word, ..." s[0..n) to c. */
static int
prior_line(struct mld_classifier *c, const char *where, const char *s, size_t n,
           struct mld_err *err)
{
    const char *colon = memchr(s, ':', n);
    if (colon == NULL || colon == s)
        return mld_err_set(err, MLD_E_PARSE, "%s: expected \"SECTION: word, word, ...\"", where);
    char section[MLD_MAX_SECTION_NAME_BYTES + 1];
    size_t sn = (size_t)(colon - s);
    if (sn > MLD_MAX_SECTION_NAME_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: section name too long", where);
    memcpy(section, s, sn);
    section[sn] = '\0';
    int rc = mld_classifier_add(c, section, NULL, 0, PRIOR_DOCS, err);
    for (const char *p = colon + 1, *end = s + n; p < end && rc == 0;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma != NULL ? comma : end;
        char stem[MLD_CLASSIFY_MAX_STEM_BYTES + 1];
        if (mld_stem_word(mld_analyzer(), p, (size_t)(e - p), stem, sizeof(stem)) > 0)
            rc = mld_classifier_add(c, section, stem, PRIOR_COUNT, 0, err);
        p = comma != NULL ? comma + 1 : end;
    }
    if (rc != 0 && strncmp(err->msg, where, strlen(where)) != 0)
        mld_err_prefix(err, "%s", where);
    return rc;
}

int
mld_classifier_add_prior(struct mld_classifier *c, struct mld_err *err)
{
    const char *text = mld_data_section_words;
    int rc = 0, lineno = 0;
    for (const char *p = text; *p != '\0' && rc == 0;) {
        const char *nl = strchr(p, '\n');
        const char *b = p, *e = nl != NULL ? nl : p + strlen(p);
        p = nl != NULL ? nl + 1 : e;
        lineno++;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        if (b == e || *b == '#')
            continue;
        char where[64];
        snprintf(where, sizeof(where), "%s:%d", PRIOR_NAME, lineno);
        rc = prior_line(c, where, b, (size_t)(e - b), err);
    }
    return rc;
}

/* Labelled articles ------------------------------------------------------ */

int
mld_labelled_add(struct mld_labelled *set, const char *section, const char *text, size_t len,
                 struct mld_err *err)
{
    int rc = check_section(section, err);
    if (rc != 0)
        return rc;
    if (set->n == MLD_CLASSIFY_MAX_EVAL_DOCS)
        return mld_err_set(err, MLD_E_TOOBIG, "more than %d labelled articles",
                           MLD_CLASSIFY_MAX_EVAL_DOCS);
    int s = 0;
    while (s < set->nsections && strcmp(set->sections[s], section) != 0)
        s++;
    if (s == set->nsections) {
        if (s == MLD_CLASSIFY_MAX_SECTIONS)
            return mld_err_set(err, MLD_E_TOOBIG, "more than %d sections",
                               MLD_CLASSIFY_MAX_SECTIONS);
        set->sections = mld_reallocarray(set->sections, (size_t)s + 1, sizeof(*set->sections));
        set->sections[set->nsections++] = mld_strdup(section);
    }
    if ((set->n & (set->n - 1)) == 0) { /* 0, 1, 2, 4, ...: double */
        size_t cap = set->n ? 2 * (size_t)set->n : 1;
        set->section = mld_reallocarray(set->section, cap, sizeof(*set->section));
        set->bags = mld_reallocarray(set->bags, cap, sizeof(*set->bags));
    }
    set->section[set->n] = s;
    mld_bag_of(&set->bags[set->n], text, len);
    set->n++;
    return 0;
}

void
mld_labelled_dispose(struct mld_labelled *set)
{
    for (int i = 0; i < set->nsections; i++)
        mld_free(set->sections[i]);
    for (int i = 0; i < set->n; i++)
        mld_bag_dispose(&set->bags[i]);
    mld_free(set->sections);
    mld_free(set->section);
    mld_free(set->bags);
    memset(set, 0, sizeof(*set));
}

int
mld_labelled_learn(const struct mld_labelled *set, struct mld_classifier *c, struct mld_err *err)
{
    int rc = 0;
    for (int i = 0; i < set->n && rc == 0; i++)
        rc = mld_classifier_learn(c, set->sections[set->section[i]], &set->bags[i], err);
    return rc;
}

/* The name map's target for label[0..n) (a "From=To,..." list), copied
 * into out (size cap); the label itself when map does not name it. False
 * when the name does not fit. */
static bool
map_label(const char *map, const char *label, size_t n, char *out, size_t cap)
{
    for (const char *p = map; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        const char *e = comma != NULL ? comma : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq != NULL && (size_t)(eq - p) == n && memcmp(p, label, n) == 0) {
            label = eq + 1;
            n = (size_t)(e - eq - 1);
            break;
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    if (n >= cap)
        return false;
    memcpy(out, label, n);
    out[n] = '\0';
    return true;
}

/* Reads the text field at *p (up to end; quoted with ' or up to the end
 * of the line) into b; moves *p past the line. False when a quote is not
 * closed. */
static bool
read_field(const char **p, const char *end, struct mld_buf *b, int *lineno)
{
    const char *q = *p;
    if (q < end && *q == '\'') {
        for (q++; q < end; q++) {
            if (*q == '\'' && q + 1 < end && q[1] == '\'') {
                mld_buf_putc(b, '\'');
                q++;
            } else if (*q == '\'') {
                break;
            } else {
                *lineno += *q == '\n';
                mld_buf_putc(b, *q);
            }
        }
        if (q == end)
            return false;
        q++;
    }
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    const char *e = nl != NULL ? nl : end;
    mld_buf_append(b, q, (size_t)(e - q));
    *p = nl != NULL ? nl + 1 : end;
    return true;
}

int
mld_labelled_parse(struct mld_labelled *set, const char *path, const char *text, size_t len,
                   const char *map, struct mld_err *err)
{
    if (memchr(text, '\0', len) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: holds a NUL byte (not a text file)", path);
    struct mld_buf field;
    mld_buf_init(&field, MLD_MAX_SECTION_MODEL_BYTES);
    int rc = 0, lineno = 0;
    const char *p = text, *end = text + len;
    while (rc == 0 && p < end) {
        int at = ++lineno;
        const char *sep = p;
        while (sep < end && *sep != ';' && *sep != '\t' && *sep != '\n')
            sep++;
        if (sep == end || *sep == '\n') {
            bool blank = sep == p || (sep == p + 1 && *p == '\r');
            p = sep < end ? sep + 1 : end;
            if (blank)
                continue;
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: expected LABEL;TEXT or LABEL<TAB>TEXT", path,
                             at);
            break;
        }
        char label[MLD_MAX_SECTION_NAME_BYTES + 1];
        if (!map_label(map, p, (size_t)(sep - p), label, sizeof(label))) {
            rc = mld_err_set(err, MLD_E_TOOBIG, "%s:%d: label longer than %d bytes", path, at,
                             MLD_MAX_SECTION_NAME_BYTES);
            break;
        }
        const char *f = sep + 1;
        mld_buf_reset(&field);
        if (!read_field(&f, end, &field, &lineno)) {
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: the quoted text is not closed", path, at);
            break;
        }
        p = f;
        rc = mld_labelled_add(set, label, field.p != NULL ? field.p : "", field.len, err);
        if (rc != 0)
            mld_err_prefix(err, "%s:%d", path, at);
    }
    mld_buf_dispose(&field);
    return rc;
}

int
mld_labelled_read(struct mld_labelled *set, const char *path, const char *map, struct mld_err *err)
{
    struct mld_buf file;
    mld_buf_init(&file, MLD_MAX_SECTION_MODEL_BYTES);
    int rc = mld_buf_read_file(&file, path, err);
    if (rc == 0)
        rc = mld_labelled_parse(set, path, file.p != NULL ? file.p : "", file.len, map, err);
    mld_buf_dispose(&file);
    return rc;
}

/* Cross-validation ----------------------------------------------------- */

/* Index in set of c's section best (-1: none), or set->nsections. */
static int
set_index(const struct mld_labelled *set, const struct mld_classifier *c, int best)
{
    for (int s = 0; best >= 0 && s < set->nsections; s++)
        if (strcmp(set->sections[s], c->names[best]) == 0)
            return s;
    return set->nsections;
}

int
mld_crossval(const struct mld_labelled *set, int folds, unsigned flags, struct mld_crossval *out,
             struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    if (folds < 2 || folds > set->n)
        return mld_err_set(err, MLD_E_PARSE, "%d folds for %d articles: need 2 to %d", folds,
                           set->n, set->n);
    int ns = set->nsections, rc = 0;
    out->nsections = ns;
    out->confusion = mld_calloc((size_t)ns * (size_t)(ns + 1), sizeof(long));
    if (flags & MLD_CV_PRIOR_ONLY)
        folds = 1;
    for (int k = 0; k < folds && rc == 0; k++) {
        struct mld_classifier *c = mld_classifier_new();
        bool bayes = flags & (MLD_CV_BAYES | MLD_CV_PRIOR_ONLY);
        if (bayes && flags & (MLD_CV_PRIOR | MLD_CV_PRIOR_ONLY))
            rc = mld_classifier_add_prior(c, err);
        for (int i = 0; i < set->n && rc == 0 && bayes && !(flags & MLD_CV_PRIOR_ONLY); i++)
            if (i % folds != k)
                rc = mld_classifier_learn(c, set->sections[set->section[i]], &set->bags[i], err);
        if (!bayes)
            rc = mld_classifier_fit(c, set, folds, k, err);
        for (int i = k; i < set->n && rc == 0; i += folds) {
            int got = set_index(set, c, mld_classifier_best(c, &set->bags[i], NULL));
            out->confusion[set->section[i] * (ns + 1) + got]++;
            out->right += got == set->section[i];
            out->total++;
        }
        mld_classifier_free(c);
    }
    return rc;
}

void
mld_crossval_print(const struct mld_labelled *set, const struct mld_crossval *out, FILE *f)
{
    int ns = out->nsections;
    fprintf(f, "accuracy: %ld of %ld (%.1f%%)\n", out->right, out->total,
            out->total > 0 ? 100.0 * (double)out->right / (double)out->total : 0.0);
    fprintf(f, "confusion (rows: labelled section, columns: given section):\n%-14s", "");
    for (int p = 0; p < ns; p++)
        fprintf(f, " %6.6s", set->sections[p]);
    fprintf(f, " %6s %6s\n", "other", "recall");
    for (int t = 0; t < ns; t++) {
        long row = 0;
        fprintf(f, "%-14.14s", set->sections[t]);
        for (int p = 0; p <= ns; p++) {
            row += out->confusion[t * (ns + 1) + p];
            fprintf(f, " %6ld", out->confusion[t * (ns + 1) + p]);
        }
        fprintf(f, " %5.1f%%\n",
                row > 0 ? 100.0 * (double)out->confusion[t * (ns + 1) + t] / (double)row : 0.0);
    }
}

/* The process-wide model ------------------------------------------------ */

static _Atomic(struct mld_classifier *) model;
static pthread_once_t model_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;

/* Builds the prior-only model (once), unless one was loaded already. */
static void
model_default(void)
{
    struct mld_classifier *c = mld_classifier_new();
    struct mld_err err = {0};
    if (mld_classifier_add_prior(c, &err) != 0) {
        mld_log_error("built-in section words: %s; no section classifier", err.msg);
        mld_classifier_free(c);
        return;
    }
    pthread_mutex_lock(&model_lock);
    struct mld_classifier *none = NULL;
    if (!atomic_compare_exchange_strong(&model, &none, c))
        mld_classifier_free(c);
    pthread_mutex_unlock(&model_lock);
}

int
mld_sections_model_load(const char *path, struct mld_err *err)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_SECTION_MODEL_BYTES);
    struct mld_classifier *c = mld_classifier_new();
    int rc = mld_buf_read_file(&b, path, err);
    if (rc == 0)
        rc = mld_classifier_parse(c, path, b.p != NULL ? b.p : "", b.len, err);
    if (rc == 0 && !c->linear)
        rc = mld_classifier_add_prior(c, err);
    mld_buf_dispose(&b);
    if (rc != 0) {
        mld_classifier_free(c);
        return rc;
    }
    /* Models are loaded at start, before the first article is enriched
     * (enrich.h), so no reader holds the one replaced. */
    pthread_mutex_lock(&model_lock);
    mld_classifier_free(atomic_exchange(&model, c));
    pthread_mutex_unlock(&model_lock);
    mld_log_debug("%s: section model of %d sections, %d stems", path, c->nsections, c->nstems);
    return 0;
}

const char *
mld_classify_article(const struct mld_article *a, double *confidence)
{
    pthread_once(&model_once, model_default);
    const struct mld_classifier *c = atomic_load(&model);
    if (confidence != NULL)
        *confidence = 0;
    if (c == NULL)
        return NULL;
    struct mld_bag bag = {0};
    struct bag_fill f = {.bag = &bag};
    const char *parts[] = {a->kicker, a->headline, a->text != NULL ? a->text : a->teaser};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (parts[i] != NULL)
            bag_add(&f, parts[i], strlen(parts[i]));
    mld_free(f.slots);
    double conf = 0;
    int best = mld_classifier_best(c, &bag, &conf);
    mld_bag_dispose(&bag);
    if (confidence != NULL)
        *confidence = conf;
    return best >= 0 && conf >= MLD_CLASSIFY_MIN_CONFIDENCE ? c->names[best] : NULL;
}
