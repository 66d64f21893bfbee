/*
 * tests/unit/text/similar.c - text features and similarity measures.
 *
 * Small fixed cases for each measure, then the measurement that chose
 * the near-duplicate rule: real articles (the 75 dpa items of
 * dpa-newsmlg2-sample and the 828 DER STANDARD texts of 10kGNAD, when
 * the shared corpus is there) are copied with 1-5 words replaced,
 * inserted or deleted; the share of copies whose estimated Jaccard
 * similarity with the original reaches MLD_SIM_NEAR_DUP is the detection
 * rate, the share of pairs of distinct real articles that reach it the
 * false-positive rate. Both are printed for a range of thresholds.
 */
#include "../../../src/text/similar.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_test.h"

/* An article with the given headline and text (teaser none). */
static struct mld_article *
art(const char *headline, const char *text)
{
    struct mld_article *a = mld_article_new();
    a->headline = headline ? mld_strdup(headline) : NULL;
    a->text = text ? mld_strdup(text) : NULL;
    return a;
}

/* The features of an article made by art(). */
static void
features(struct mld_sim_features *f, const char *headline, const char *text)
{
    struct mld_article *a = art(headline, text);
    mld_sim_features_init(f, a);
    mld_article_free(a);
}

/* The field-weighted frequency of the stem of word in f, 0 when absent. */
static double
tf_of(const struct mld_sim_features *f, const char *word)
{
    char stem[64];
    size_t n = mld_stem_word(mld_analyzer(), word, strlen(word), stem, sizeof(stem));
    uint32_t t = mld_sim_term_id(stem, n);
    for (int i = 0; i < f->ntf; i++)
        if (f->tf[i].term == t)
            return f->tf[i].tf;
    return 0;
}

static const char *text_a =
    "Der Bundestag hat am Donnerstag deutlich schärfere Strafen für Raser beschlossen. "
    "Wer bei illegalen Autorennen erwischt wird, muss künftig mit bis zu zehn Jahren Haft "
    "rechnen, wenn dabei ein Mensch getötet oder schwer verletzt wird. Bislang galten "
    "solche Rennen nur als Ordnungswidrigkeit. Die Polizei soll außerdem die Autos der "
    "Raser leichter einziehen können.";

static const char *text_b =
    "Die Stadt Hamburg bereitet sich auf den Gipfel der zwanzig wichtigsten Industrie- und "
    "Schwellenländer vor. Tausende Polizisten aus dem ganzen Land sollen die Staats- und "
    "Regierungschefs schützen. Anwohner müssen mit Sperrungen rechnen, mehrere "
    "Demonstrationen sind angemeldet.";

/* Fixed cases: field weights, stop words, the headline set, each measure. */
static void
test_fixed(void)
{
    struct mld_sim_features f, g;
    features(&f, "Raser riskieren Haft", text_a);
    ok(f.ntf > 20, "terms collected (%d)", f.ntf);
    ok(tf_of(&f, "und") == 0 && tf_of(&f, "der") == 0, "stop words are no terms");
    is_int((int)tf_of(&f, "Haft"), 4, "headline counts 3, body 1: Haft 3 + 1");
    is_int((int)tf_of(&f, "Autorennen"), 1, "a body word counts 1");
    is_int(f.nheadline, 3, "headline set: Raser, riskieren, Haft");
    ok(f.nshingles >= MLD_SIM_MIN_SHINGLES, "the text has a signature (%d shingles)",
       f.nshingles);
    int sorted = 1;
    for (int i = 1; i < f.ntf; i++)
        sorted &= f.tf[i - 1].term < f.tf[i].term;
    ok(sorted, "terms sorted and distinct");

    features(&g, "Raser riskieren Haft", text_a);
    ok(mld_sim_minhash(f.minhash, g.minhash) == 1.0, "same text: Jaccard 1");
    mld_sim_features_dispose(&g);
    features(&g, "Gipfel in Hamburg", text_b);
    ok(mld_sim_minhash(f.minhash, g.minhash) < 0.1, "different text: Jaccard near 0 (%.2f)",
       mld_sim_minhash(f.minhash, g.minhash));
    double c;
    ok(mld_sim_jaccard(f.headline, f.nheadline, g.headline, g.nheadline, &c) == 0 && c == 0,
       "no shared headline stem: Jaccard 0");

    uint32_t x[] = {1, 2, 3, 4}, y[] = {2, 4, 9};
    ok(mld_sim_jaccard(x, 4, y, 3, &c) == 2.0 / 5 && c == 2.0 / 3,
       "Jaccard 2/5, containment 2/3");
    ok(mld_sim_jaccard(x, 4, y, 0, &c) == 0 && c == 0, "empty set: 0");

    /* Vectors: unit length, sorted, cut to the largest weights. */
    double *idf = mld_calloc((size_t)f.ntf, sizeof(double));
    for (int i = 0; i < f.ntf; i++)
        idf[i] = mld_sim_idf(1, 100);
    struct mld_sim_vec v, w;
    mld_sim_vec_tfidf(&v, &f, idf);
    ok(v.n == MLD_SIM_VECTOR_TERMS || v.n == f.ntf, "vector keeps the top terms (%d)", v.n);
    double norm = 0;
    for (int i = 0; i < v.n; i++)
        norm += (double)v.v[i].w * v.v[i].w;
    ok(norm > 0.999 && norm < 1.001, "unit length");
    ok(mld_sim_cosine(&v, &v) > 0.999, "cosine with itself: 1");
    char stem[64];
    size_t n = mld_stem_word(mld_analyzer(), "Raser", 5, stem, sizeof(stem));
    double raser = mld_sim_vec_weight(&v, mld_sim_term_id(stem, n));
    int most = raser > 0;
    for (int i = 0; i < v.n; i++)
        most &= v.v[i].w <= raser + 1e-6;
    ok(most, "the most frequent term (Raser: 3 + 2) weighs most");
    mld_free(idf);
    idf = mld_calloc((size_t)g.ntf, sizeof(double));
    for (int i = 0; i < g.ntf; i++)
        idf[i] = mld_sim_idf(1, 100);
    mld_sim_vec_tfidf(&w, &g, idf);
    ok(mld_sim_cosine(&v, &w) < 0.2, "different texts: cosine low (%.2f)",
       mld_sim_cosine(&v, &w));
    mld_free(idf);

    struct mld_sim_weight in[] = {{7, 3}, {5, 4}, {9, 0}};
    mld_sim_vec_set(&v, in, 3);
    ok(v.n == 2 && v.v[0].term == 5 && v.v[1].term == 7, "zero weights dropped, by term");
    ok(v.v[0].w > 0.799 && v.v[0].w < 0.801 && v.v[1].w > 0.599 && v.v[1].w < 0.601,
       "scaled to unit length (0.8, 0.6)");
    ok(mld_sim_idf(1, 1000) > mld_sim_idf(100, 1000), "rare terms weigh more");
    mld_sim_features_dispose(&f);
    mld_sim_features_dispose(&g);

    features(&f, "Nur eine Überschrift", NULL);
    ok(f.nshingles < MLD_SIM_MIN_SHINGLES, "a headline alone has no usable signature");
    mld_sim_features_dispose(&f);
}

/* The real texts of the measurement, each split into words. */
struct text {
    char *s;
    int *start, *len; /* words: whitespace-separated runs */
    int nwords;
};

struct texts {
    struct text *v;
    int n;
};

/* Keeps a copy of text (200 bytes at least: a real article) and its words. */
static void
texts_add(struct texts *t, const char *s)
{
    if (s == NULL || strlen(s) < 200)
        return;
    t->v = realloc(t->v, (size_t)(t->n + 1) * sizeof(*t->v));
    struct text *x = &t->v[t->n++];
    memset(x, 0, sizeof(*x));
    x->s = strdup(s);
    for (int i = 0; x->s[i];) {
        while (x->s[i] == ' ' || x->s[i] == '\n')
            i++;
        if (!x->s[i])
            break;
        int b = i;
        while (x->s[i] && x->s[i] != ' ' && x->s[i] != '\n')
            i++;
        x->start = realloc(x->start, (size_t)(x->nwords + 1) * sizeof(int));
        x->len = realloc(x->len, (size_t)(x->nwords + 1) * sizeof(int));
        x->start[x->nwords] = b;
        x->len[x->nwords++] = i - b;
    }
}

/* Frees every text. */
static void
texts_free(struct texts *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->v[i].s);
        free(t->v[i].start);
        free(t->v[i].len);
    }
    free(t->v);
}

/* mld_test_walk callback: the texts of the parsed dpa items. */
static void
take_items(struct mld_test_doc *d, void *ud)
{
    for (int i = 0; i < d->l.n; i++)
        texts_add(ud, d->l.v[i]->text);
}

/* Reads the texts of 10kGNAD: one "LABEL;TEXT" a line, TEXT quoted
 * with ' (a ' inside doubled) when it holds a quote or separator. */
static void
take_gnad(struct texts *t, const char *path)
{
    char *doc = mld_test_slurp(path, NULL);
    if (!ok(doc != NULL, "read %s", path))
        return;
    for (char *line = doc, *next; *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        char *q = strchr(line, ';');
        if (q == NULL)
            continue;
        q++;
        size_t n = strlen(q);
        if (n >= 2 && q[0] == '\'' && q[n - 1] == '\'') {
            q[n - 1] = '\0';
            char *out = ++q;
            for (char *r = q; *r; r++) {
                *out++ = *r;
                if (r[0] == '\'' && r[1] == '\'')
                    r++;
            }
            *out = '\0';
        }
        texts_add(t, q);
    }
    free(doc);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t
rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

/* Appends word w of text x and a space to b. */
static void
put_word(struct mld_buf *b, const struct text *x, int w)
{
    mld_buf_append(b, x->s + x->start[w], (size_t)x->len[w]);
    mld_buf_putc(b, ' ');
}

/* Writes into b a copy of text x with edits words replaced, inserted or
 * deleted at random places; new words come from random texts of t. */
static void
edit_copy(struct mld_buf *b, const struct texts *t, const struct text *x, int edits,
          uint64_t *seed)
{
    enum { KEEP, REPLACE, INSERT, DELETE };
    char *op = calloc((size_t)x->nwords, 1);
    for (int e = 0; e < edits; e++) {
        int w = (int)(rnd(seed) % (uint64_t)x->nwords);
        if (op[w] != KEEP) {
            e--; /* one edit per word, so the count is exact */
            continue;
        }
        op[w] = (char)(REPLACE + rnd(seed) % 3);
    }
    mld_buf_reset(b);
    for (int w = 0; w < x->nwords; w++) {
        if (op[w] == REPLACE || op[w] == INSERT) {
            const struct text *o = &t->v[rnd(seed) % (uint64_t)t->n];
            put_word(b, o, (int)(rnd(seed) % (uint64_t)o->nwords));
        }
        if (op[w] == KEEP || op[w] == INSERT)
            put_word(b, x, w);
    }
    free(op);
}

/* Thresholds reported: the chosen one and its neighbours. */
static const double thresholds[] = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
#define NTHRESH ((int)(sizeof(thresholds) / sizeof(thresholds[0])))

/* Copies of every text with 1-5 edits: detection rate; pairs of distinct
 * texts: false-positive rate. */
static void
test_near_duplicates(void)
{
    struct texts t = {0};
    mld_test_walk_corpus(&mld_format_newsml, "dpa-newsmlg2-sample/items", ".xml", 0,
                         take_items, &t);
    int ndpa = t.n;
    const char *gnad = mld_test_corpus("10kGNAD/test-part-a.csv");
    if (gnad != NULL)
        take_gnad(&t, gnad);
    if (t.n == 0)
        return;
    diag("near-duplicates: %d real texts (%d dpa items, %d 10kGNAD)", t.n, ndpa, t.n - ndpa);

    struct mld_sim_features *f = calloc((size_t)t.n, sizeof(*f));
    for (int i = 0; i < t.n; i++)
        features(&f[i], NULL, t.v[i].s);

    /* Copies. */
    long found[6][NTHRESH] = {{0}}, copies[6] = {0};
    double lowest = 1;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_FIELD_BYTES * 2);
    uint64_t seed = 0x5eed;
    for (int i = 0; i < t.n; i++) {
        if (f[i].nshingles < MLD_SIM_MIN_SHINGLES)
            continue;
        for (int edits = 1; edits <= 5; edits++)
            for (int rep = 0; rep < 4; rep++) {
                edit_copy(&b, &t, &t.v[i], edits, &seed);
                struct mld_sim_features g;
                mld_buf_putc(&b, '\0');
                features(&g, NULL, b.p);
                double j = mld_sim_minhash(f[i].minhash, g.minhash);
                if (j < lowest)
                    lowest = j;
                copies[edits]++;
                copies[0]++;
                for (int k = 0; k < NTHRESH; k++)
                    if (j >= thresholds[k]) {
                        found[edits][k]++;
                        found[0][k]++;
                    }
                mld_sim_features_dispose(&g);
            }
    }
    mld_buf_dispose(&b);

    /* Pairs of distinct texts (the same text twice in the corpus is no
     * false positive: such pairs are counted apart). */
    long pairs = 0, same = 0, fp[NTHRESH] = {0};
    double highest = 0;
    for (int i = 0; i < t.n; i++)
        for (int k = i + 1; k < t.n; k++) {
            if (f[i].nshingles < MLD_SIM_MIN_SHINGLES || f[k].nshingles < MLD_SIM_MIN_SHINGLES)
                continue;
            if (strcmp(t.v[i].s, t.v[k].s) == 0) {
                same++;
                continue;
            }
            pairs++;
            double j = mld_sim_minhash(f[i].minhash, f[k].minhash);
            if (j > highest)
                highest = j;
            for (int x = 0; x < NTHRESH; x++)
                fp[x] += j >= thresholds[x];
        }

    diag("MinHash %d x 16 bits over word 3-shingles", MLD_SIM_MINHASH);
    diag("threshold  detected(1..5 edits: all  1  2  3  4  5)   false positives");
    int chosen = -1;
    for (int k = 0; k < NTHRESH; k++) {
        if (thresholds[k] == MLD_SIM_NEAR_DUP)
            chosen = k;
        diag("  %.1f%s   %5.1f%%  %5.1f %5.1f %5.1f %5.1f %5.1f   %ld of %ld pairs (%.4f%%)",
             thresholds[k], thresholds[k] == MLD_SIM_NEAR_DUP ? "*" : " ",
             100.0 * found[0][k] / copies[0], 100.0 * found[1][k] / copies[1],
             100.0 * found[2][k] / copies[2], 100.0 * found[3][k] / copies[3],
             100.0 * found[4][k] / copies[4], 100.0 * found[5][k] / copies[5], fp[k], pairs,
             100.0 * fp[k] / (pairs ? pairs : 1));
    }
    diag("lowest copy Jaccard %.2f, highest distinct-pair Jaccard %.2f, %ld identical pairs",
         lowest, highest, same);
    if (ok(chosen >= 0, "MLD_SIM_NEAR_DUP is among the thresholds measured")) {
        ok(found[0][chosen] >= 0.95 * copies[0], "copies with 1-5 words changed: >= 95%% found");
        ok(found[5][chosen] >= 0.90 * copies[5], "copies with 5 words changed: >= 90%% found");
        ok(fp[chosen] <= pairs / 100000, "distinct articles: false positives ~0 (%ld of %ld)",
           fp[chosen], pairs);
    }
    for (int i = 0; i < t.n; i++)
        mld_sim_features_dispose(&f[i]);
    free(f);
    texts_free(&t);
}

/* True when f and g are the same features. */
static bool
same_features(const struct mld_sim_features *f, const struct mld_sim_features *g)
{
    return f->ntf == g->ntf && memcmp(f->tf, g->tf, (size_t)f->ntf * sizeof(*f->tf)) == 0 &&
           f->nshingles == g->nshingles &&
           memcmp(f->minhash, g->minhash, sizeof(f->minhash)) == 0 &&
           f->nheadline == g->nheadline &&
           memcmp(f->headline, g->headline, (size_t)f->nheadline * sizeof(f->headline[0])) == 0 &&
           f->nwords == g->nwords && f->nnumbers == g->nnumbers;
}

/* Features from the search index's recorded tokens (as `meldung ingest`
 * makes them, pipeline.c) equal those analysed, however teaser and text
 * relate: the teaser on the text's first line, the teaser running into
 * the text's next word (so the record cannot be split there), a teaser
 * that is not the text's start, no text. */
static void
test_recorded(void)
{
    static const char *const teasers[] = {NULL, "Wer bei illegalen Autorennen erwischt wird",
                                          "Der Bundestag hat am Donnerstag",
                                          "Der Bundestag hat am Donnerst"};
    struct mld_test_doc d;
    mld_test_doc_load(&d, &mld_format_dpa, "demo/ref-gipfel-genf.json", "ref-gipfel-genf.json");
    struct mld_article *ref = d.rc == 0 && d.l.n == 1 ? d.l.v[0] : NULL;
    ok(ref != NULL && ref->teaser != NULL && ref->kicker != NULL, "the reference article parses");
    for (size_t i = 0; i <= sizeof(teasers) / sizeof(teasers[0]) + 1; i++) {
        struct mld_article *a = ref;
        if (i < sizeof(teasers) / sizeof(teasers[0])) {
            a = art("Raser riskieren Haft", i == 1 ? text_b : text_a);
            a->kicker = mld_strdup("Verkehr");
            a->teaser = teasers[i] ? mld_strdup(teasers[i]) : NULL;
        } else if (i > sizeof(teasers) / sizeof(teasers[0])) {
            a = art("Raser riskieren Haft", NULL);
            a->teaser = mld_strdup(text_a);
        }
        if (a == NULL)
            continue;
        const char *col[MLD_RECS] = {a->headline, a->kicker, a->text};
        struct mld_token_rec rec[MLD_RECS] = {{0}};
        for (int k = 0; k < MLD_RECS; k++)
            if (col[k] != NULL)
                mld_analyze_record(mld_analyzer(), col[k], strlen(col[k]), MLD_AN_INDEX, &rec[k]);
        struct mld_sim_features f, g;
        mld_sim_features_init(&f, a);
        mld_sim_features_init_rec(&g, a, rec);
        ok(f.ntf > 5 && same_features(&f, &g), "case %zu: recorded tokens, the same features (%d terms)",
           i, f.ntf);
        mld_sim_features_dispose(&f);
        mld_sim_features_dispose(&g);
        for (int k = 0; k < MLD_RECS; k++)
            mld_token_rec_dispose(&rec[k]);
        if (a != ref)
            mld_article_free(a);
    }
    mld_test_doc_dispose(&d);
}

int
main(void)
{
    test_fixed();
    test_recorded();
    test_near_duplicates();
    return mld_test_done();
}
