/*
 * similar.c - an article's text features and their comparison (see
 * similar.h).
 *
 * One pass of the analyzer over each field feeds three collectors: a
 * small open-addressing table of distinct terms with their weighted
 * frequencies, the MinHash minima, and the headline's stem set.
 *
 * MinHash: each shingle (three consecutive word stems, stop words left
 * out, never across fields) is hashed once to 64 bits (XXH3); the i-th of
 * the MLD_SIM_MINHASH hash functions is then the multiply-shift
 * (a_i * h + b_i) >> 32 with odd a_i, which costs one multiply per
 * shingle and function. The minimum of each is kept; of each minimum the
 * low 16 bits are stored ("b-bit MinHash"): equal minima stay equal, two
 * different ones collide once in 65,536, which the estimate can ignore.
 * The a_i, b_i come from a fixed seed: signatures stored by one build must
 * compare with those of the next (changing them needs a rebuild, see
 * sqlite_story.c's signature version).
 */
#include "similar.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../base/mem.h"
#include "analyze.h"

/* Field weights of a term occurrence. */
#define W_HEADLINE 3.0f
#define W_LEAD 2.0f /* kicker and teaser */
#define W_BODY 1.0f
#define W_PART 0.5f /* a part of a closed compound, relative to its word */

/* Seed of the MinHash functions; fixed forever (see the top). */
#define MINHASH_SEED 0x6d656c64756e6731ull /* "meldung1" */

uint32_t
mld_sim_term_id(const char *s, size_t len)
{
    uint32_t h = XXH32(s, len, 0);
    return h != 0 ? h : 1; /* 0 marks a free slot in the term table */
}

/* splitmix64: one step of a fixed sequence of well-mixed 64-bit values. */
static uint64_t
splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* What the analyzer's callback collects for one article. */
struct collect {
    struct mld_sim_tf *slots; /* open addressing, term 0 = free */
    size_t cap, used;         /* cap is a power of two */
    float weight;             /* of the field being read */
    bool headline;            /* the field is the headline */
    uint32_t prev[2];         /* the last two word stems of the field */
    int nprev;
    uint64_t a[MLD_SIM_MINHASH], b[MLD_SIM_MINHASH];
    uint32_t min[MLD_SIM_MINHASH];
    int nshingles;
    struct mld_sim_features *f;
};

/* Adds weight w to term in the table, growing it at half load. */
static void
tf_add(struct collect *c, uint32_t term, float w)
{
    if (c->used * 2 >= c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        struct mld_sim_tf *n = mld_calloc(ncap, sizeof(*n));
        for (size_t i = 0; i < c->cap; i++) {
            if (c->slots[i].term == 0)
                continue;
            size_t j = c->slots[i].term & (ncap - 1);
            while (n[j].term != 0)
                j = (j + 1) & (ncap - 1);
            n[j] = c->slots[i];
        }
        mld_free(c->slots);
        c->slots = n;
        c->cap = ncap;
    }
    size_t j = term & (c->cap - 1);
    while (c->slots[j].term != 0 && c->slots[j].term != term)
        j = (j + 1) & (c->cap - 1);
    if (c->slots[j].term == 0) {
        c->slots[j].term = term;
        c->used++;
    }
    c->slots[j].tf += w;
}

/* Folds a shingle hash into the minima. */
static void
shingle_add(struct collect *c, uint64_t h)
{
    c->nshingles++;
    for (int i = 0; i < MLD_SIM_MINHASH; i++) {
        uint32_t v = (uint32_t)((c->a[i] * h + c->b[i]) >> 32);
        if (v < c->min[i])
            c->min[i] = v;
    }
}

/* Adds a headline stem to the headline set, once. */
static void
headline_add(struct mld_sim_features *f, uint32_t term)
{
    for (int i = 0; i < f->nheadline; i++)
        if (f->headline[i] == term)
            return;
    if (f->nheadline < MLD_SIM_HEADLINE_TERMS)
        f->headline[f->nheadline++] = term;
}

/* True when s[0..len) holds only ASCII digits. */
static bool
all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The analyzer's callback: one token of the field being read. */
static int
on_token(void *ud, const struct mld_token *t)
{
    struct collect *c = ud;
    if (t->stop || t->kind == MLD_TOK_RAW || t->len == 0)
        return 0;
    uint32_t term = mld_sim_term_id(t->term, t->len);
    /* Numbers (dates, prices, scores) fill tables and say little about a
     * subject: they count in shingles and headlines, not in vectors. */
    bool number = all_digits(t->term, t->len);
    if (!number)
        tf_add(c, term, t->kind == MLD_TOK_PART ? c->weight * W_PART : c->weight);
    if (t->kind == MLD_TOK_WORD) {
        c->f->nwords++;
        c->f->nnumbers += number;
    }
    if (c->headline)
        headline_add(c->f, term);
    if (t->kind != MLD_TOK_WORD)
        return 0;
    if (c->nprev == 2) {
        uint32_t three[3] = {c->prev[0], c->prev[1], term};
        shingle_add(c, XXH3_64bits(three, sizeof(three)));
    }
    if (c->nprev == 2)
        c->prev[0] = c->prev[1];
    c->prev[c->nprev == 2 ? 1 : c->nprev++] = term;
    return 0;
}

/* Reads the field text[from..to) of weight w (text may be NULL), from
 * r when that holds text's tokens (mld_analyze_part). */
static void
read_field(struct collect *c, const struct mld_token_rec *r, const char *text, size_t len,
           size_t from, size_t to, float w, bool headline)
{
    if (text == NULL || to <= from)
        return;
    c->weight = w;
    c->headline = headline;
    c->nprev = 0;
    mld_analyze_part(mld_analyzer(), r, text, len, from, to, MLD_AN_TERMS, on_token, c);
}

/* Orders uint32 values. */
static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Orders term frequencies by term. */
static int
cmp_tf(const void *a, const void *b)
{
    return cmp_u32(&((const struct mld_sim_tf *)a)->term, &((const struct mld_sim_tf *)b)->term);
}

void
mld_sim_features_init(struct mld_sim_features *f, const struct mld_article *a)
{
    mld_sim_features_init_rec(f, a, NULL);
}

void
mld_sim_features_init_rec(struct mld_sim_features *f, const struct mld_article *a,
                          const struct mld_token_rec *rec)
{
    memset(f, 0, sizeof(*f));
    struct collect c = {.f = f};
    uint64_t seed = MINHASH_SEED;
    for (int i = 0; i < MLD_SIM_MINHASH; i++) {
        c.a[i] = splitmix(&seed) | 1;
        c.b[i] = splitmix(&seed);
        c.min[i] = UINT32_MAX;
    }
    const struct mld_token_rec *rk = rec ? &rec[MLD_REC_KICKER] : NULL,
                               *rh = rec ? &rec[MLD_REC_HEADLINE] : NULL,
                               *rt = rec ? &rec[MLD_REC_TEXT] : NULL;
    size_t klen = a->kicker ? strlen(a->kicker) : 0, hlen = a->headline ? strlen(a->headline) : 0;
    read_field(&c, rk, a->kicker, klen, 0, klen, W_LEAD, false);
    read_field(&c, rh, a->headline, hlen, 0, hlen, W_HEADLINE, true);
    /* a->text begins with the teaser when there is one (article.h): the
     * teaser is read with its own weight, the rest as body. */
    const char *text = a->text;
    size_t tlen = text ? strlen(text) : 0;
    size_t lead = a->teaser ? strlen(a->teaser) : 0;
    if (lead > 0 && tlen >= lead && memcmp(text, a->teaser, lead) == 0) {
        read_field(&c, rt, text, tlen, 0, lead, W_LEAD, false);
        read_field(&c, rt, text, tlen, lead, tlen, W_BODY, false);
    } else if (text == NULL) {
        read_field(&c, NULL, a->teaser, lead, 0, lead, W_BODY, false);
    } else {
        read_field(&c, rt, text, tlen, 0, tlen, W_BODY, false);
    }

    f->tf = mld_calloc(c.used ? c.used : 1, sizeof(*f->tf));
    for (size_t i = 0; i < c.cap; i++)
        if (c.slots[i].term != 0)
            f->tf[f->ntf++] = c.slots[i];
    qsort(f->tf, (size_t)f->ntf, sizeof(*f->tf), cmp_tf);
    qsort(f->headline, (size_t)f->nheadline, sizeof(f->headline[0]), cmp_u32);
    f->nshingles = c.nshingles;
    for (int i = 0; i < MLD_SIM_MINHASH; i++)
        f->minhash[i] = (uint16_t)c.min[i];
    mld_free(c.slots);
}

void
mld_sim_features_dispose(struct mld_sim_features *f)
{
    mld_free(f->tf);
    memset(f, 0, sizeof(*f));
}

double
mld_sim_idf(int64_t df, int64_t n)
{
    if (df < 1)
        df = 1;
    if (n < df)
        n = df;
    return log(1.0 + (double)n / (double)df);
}

/* Orders weights by weight, largest first, then by term (a stable
 * choice among equal weights). */
static int
cmp_weight_desc(const void *a, const void *b)
{
    const struct mld_sim_weight *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return cmp_u32(&x->term, &y->term);
}

/* Orders weights by term. */
static int
cmp_weight_term(const void *a, const void *b)
{
    return cmp_u32(&((const struct mld_sim_weight *)a)->term,
                   &((const struct mld_sim_weight *)b)->term);
}

void
mld_sim_vec_set(struct mld_sim_vec *v, const struct mld_sim_weight *w, int n)
{
    struct mld_sim_weight *tmp = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*tmp));
    int m = 0;
    for (int i = 0; i < n; i++)
        if (w[i].w > 0)
            tmp[m++] = w[i];
    qsort(tmp, (size_t)m, sizeof(*tmp), cmp_weight_desc);
    v->n = m < MLD_SIM_VECTOR_TERMS ? m : MLD_SIM_VECTOR_TERMS;
    double norm = 0;
    for (int i = 0; i < v->n; i++) {
        v->v[i] = tmp[i];
        norm += (double)tmp[i].w * tmp[i].w;
    }
    mld_free(tmp);
    norm = sqrt(norm);
    for (int i = 0; i < v->n; i++)
        v->v[i].w = (float)(v->v[i].w / norm);
    qsort(v->v, (size_t)v->n, sizeof(v->v[0]), cmp_weight_term);
}

void
mld_sim_vec_tfidf(struct mld_sim_vec *v, const struct mld_sim_features *f, const double *idf)
{
    struct mld_sim_weight *w = mld_calloc(f->ntf > 0 ? (size_t)f->ntf : 1, sizeof(*w));
    for (int i = 0; i < f->ntf; i++) {
        w[i].term = f->tf[i].term;
        w[i].w = (float)((1.0 + log(f->tf[i].tf > 1 ? f->tf[i].tf : 1)) * idf[i]);
    }
    mld_sim_vec_set(v, w, f->ntf);
    mld_free(w);
}

double
mld_sim_cosine(const struct mld_sim_vec *a, const struct mld_sim_vec *b)
{
    double dot = 0;
    int i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i].term < b->v[j].term)
            i++;
        else if (a->v[i].term > b->v[j].term)
            j++;
        else
            dot += (double)a->v[i++].w * b->v[j++].w;
    }
    return dot > 1 ? 1 : dot;
}

double
mld_sim_vec_weight(const struct mld_sim_vec *v, uint32_t term)
{
    int lo = 0, hi = v->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (v->v[mid].term < term)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n && v->v[lo].term == term ? v->v[lo].w : 0;
}

double
mld_sim_minhash(const uint16_t *a, const uint16_t *b)
{
    int same = 0;
    for (int i = 0; i < MLD_SIM_MINHASH; i++)
        same += a[i] == b[i];
    return (double)same / MLD_SIM_MINHASH;
}

double
mld_sim_jaccard(const uint32_t *a, int na, const uint32_t *b, int nb, double *containment)
{
    int i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else {
            both++;
            i++;
            j++;
        }
    }
    if (containment != NULL)
        *containment = na > 0 && nb > 0 ? (double)both / (na < nb ? na : nb) : 0;
    return na > 0 && nb > 0 ? (double)both / (na + nb - both) : 0;
}

bool
mld_sim_tabular(const struct mld_sim_features *f)
{
    return f->nwords > 0 && f->nnumbers >= MLD_SIM_TABULAR * f->nwords;
}
