/*
 * story.c - the story and related-news policy (story.h). The reasons for
 * each rule and threshold are in docs/internals/stories.md.
 */
#include "story.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../base/mem.h"
#include "../store/changekey.h"
#include "../store/store_int.h"
#include "../text/analyze.h"
#include "../text/slug.h"
#include "enrich.h"

/* The rules (docs/internals/stories.md has the numbers behind them). A
 * new article joins a candidate's story when, within the story window:
 *   - their texts are near-duplicates (MinHash Jaccard >= MLD_SIM_NEAR_DUP),
 *   - or their headlines are the same (same slug),
 *   - or their texts are similar (cosine >= MLD_STORY_TEXT_SIMILAR) and they share
 *     a topic - unless the headlines are alike (stem Jaccard >=
 *     MLD_STORY_SERIES_HEADLINE) but not the same. Such headlines are a series
 *     (Teil 1 / Teil 2 of a list, DAX / MDAX closing prices, the 17 and
 *     18 o'clock radio programme), whose texts share their form, not
 *     their subject, or a new turn of one subject told in the same words,
 *     where the words that differ are the news ("Kreml vermeidet
 *     Festlegung zu begrenzter Waffenruhe" at noon, "Kreml stimmt
 *     begrenzter Waffenruhe bis Sonntag zu" two hours later: two reports,
 *     headline Jaccard 0.56, text cosine 0.54). The joined pairs of the
 *     dpa sample have headline Jaccard 0.06-0.38. */

/* Related news. A shared topic alone is no evidence: where most articles
 * carry "Österreich" or "USA", any two share one (10kGNAD: pairs without
 * text in common share their category no more often than chance). So the
 * text decides, or a subject both articles lead with. A candidate is
 * related when
 *   - its text cosine reaches MLD_STORY_RELATED_TEXT with at least
 *     MLD_STORY_RELATED_TEXT_TERMS terms of the two vectors in common (one rare
 *     word in common, "EU-Kommission" or "Hand", can carry a cosine of
 *     0.15 between short texts; 10kGNAD: 4 of 13 such pairs share their
 *     category, 3 in 4 of those with two or more terms), or
 *   - both articles lead with the same two topics (ranks 0 and 1, in
 *     either order) and that pair names a subject: it is specific - at
 *     most MLD_STORY_RELATED_LEAD_SHARE of the stored articles lead with it,
 *     counted as if the store held MLD_STORY_RELATED_LEAD_PRIOR articles more (a
 *     young store cannot tell a common pair from the subject of the day)
 *     - and cohesive: at least MLD_STORY_RELATED_LEAD_COHESION of the articles
 *     carrying the commoner of the two lead with the pair. Ukraine and
 *     Russland leading together are the war and its diplomacy (the
 *     reference page's list: text cosine 0-0.1); Wien and Österreich are
 *     a city and its country, Österreich mostly comes without Wien
 *     (10kGNAD: 99 of its 318 articles lead with both) and the pair is
 *     the place of any local report, not a subject.
 * Its relevance is then text cosine + MLD_STORY_RELATED_TOPIC_WEIGHT x topic
 * cosine. The score of a list entry adds recency, published /
 * MLD_STORY_RECENCY_SECS: among related articles one a week newer may be e (2.7)
 * times less relevant and still rank level; within a day recency moves
 * relevance by at most 15%. It never makes an article related. */

enum mld_story_rule
mld_story_judge(const struct mld_story_pair *p, double *strength)
{
    if (p->jaccard >= MLD_SIM_NEAR_DUP) {
        *strength = p->jaccard;
        return MLD_STORY_NEAR_DUP;
    }
    if (p->same_headline) {
        *strength = p->tf;
        return MLD_STORY_HEADLINE;
    }
    /* A shared person or place alone never joins: the whole text must be
     * alike, and the topic only confirms it. */
    bool form = p->headline < MLD_STORY_SERIES_HEADLINE && p->jaccard < MLD_STORY_TEMPLATE;
    if (p->tf >= MLD_STORY_TEXT_SIMILAR && p->shared_topics > 0 && p->headline > 0 && form) {
        *strength = p->tf;
        return MLD_STORY_TEXT;
    }
    if (p->shared_people > 0 && p->tf >= MLD_STORY_PERSON_TEXT &&
        p->shared_topics >= MLD_STORY_PERSON_TOPICS && form) {
        *strength = p->tf;
        return MLD_STORY_PERSON;
    }
    return MLD_STORY_NONE;
}

const char *
mld_story_rule_code(enum mld_story_rule r)
{
    switch (r) {
    case MLD_STORY_NEAR_DUP: return "dup";
    case MLD_STORY_HEADLINE: return "head";
    case MLD_STORY_TEXT: return "text";
    case MLD_STORY_PERSON: return "name";
    case MLD_STORY_NONE: break;
    }
    return "";
}

/* Writes v as a German decimal with two places ("0,91"). */
static void
put_num(struct mld_buf *b, double v)
{
    char num[32];
    snprintf(num, sizeof(num), "%.2f", v);
    char *dot = strchr(num, '.');
    if (dot != NULL)
        *dot = ',';
    mld_buf_puts(b, num);
}

void
mld_story_reason(struct mld_buf *b, enum mld_story_rule r, const struct mld_story_pair *p)
{
    if (r == MLD_STORY_HEADLINE) {
        mld_buf_printf(b, "gleiche Überschrift wie #%" PRId64, p->id);
        return;
    }
    if (r == MLD_STORY_NONE)
        return;
    if (r == MLD_STORY_PERSON) {
        mld_buf_printf(b, "dieselbe Person in der Überschrift wie #%" PRId64 " (Kosinus ", p->id);
        put_num(b, p->tf);
        mld_buf_putc(b, ')');
        return;
    }
    bool dup = r == MLD_STORY_NEAR_DUP;
    mld_buf_printf(b, "%s wie #%" PRId64 " (%s ", dup ? "fast gleicher Text" : "ähnlicher Text",
                   p->id, dup ? "Jaccard" : "Kosinus");
    put_num(b, dup ? p->jaccard : p->tf);
    mld_buf_putc(b, ')');
}

void
mld_story_reason_end(struct mld_buf *b, enum mld_story_rule r)
{
    mld_buf_printf(b, " [%s]", mld_story_rule_code(r));
}

bool
mld_story_lead_subject(int64_t lead_df, int64_t docs, int64_t broad_df)
{
    /* An update whose pair was never counted says nothing. */
    return lead_df > 0 &&
           lead_df <= MLD_STORY_RELATED_LEAD_SHARE * (double)(docs + MLD_STORY_RELATED_LEAD_PRIOR) &&
           lead_df >= MLD_STORY_RELATED_LEAD_COHESION * (double)broad_df;
}

double
mld_story_relevance(const struct mld_story_pair *p)
{
    bool by_text = p->cosine >= MLD_STORY_RELATED_TEXT &&
                   p->shared_terms >= MLD_STORY_RELATED_TEXT_TERMS;
    if (!by_text && !p->subject)
        return 0;
    return p->cosine + MLD_STORY_RELATED_TOPIC_WEIGHT * p->topics;
}

double
mld_story_related_score(double r, mld_time_t t)
{
    return log(r) + (double)t / MLD_STORY_RECENCY_SECS;
}

uint32_t
mld_story_topic_id(const char *name)
{
    char slug[MLD_SLUG_MAX + 1];
    size_t n = mld_slug(name, strlen(name), slug);
    return n > 0 ? mld_sim_term_id(slug, n) : 0;
}

/* The stems of a text, folded (case, diacritics: "Erdoğan" and
 * "Erdogan" are one), as one string of " stem " entries. */
struct stems {
    struct mld_buf b;
};

/* The analyzer's callback: appends one word's folded stem. */
static int
stem_word(void *ud, const struct mld_token *t)
{
    struct stems *x = ud;
    if (t->stop || t->kind != MLD_TOK_WORD || t->len < 3)
        return 0;
    /* Decomposed into code points, marks dropped, re-encoded in place:
     * no allocation. A longer word is no name. */
    utf8proc_int32_t cps[MLD_STORY_WORD_MAX];
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD;
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)t->term,
                                            (utf8proc_ssize_t)t->len, cps, MLD_STORY_WORD_MAX, opt);
    if (n <= 0 || n > MLD_STORY_WORD_MAX)
        return 0;
    n = utf8proc_reencode(cps, n, opt);
    if (n > 0) {
        mld_buf_append(&x->b, cps, (size_t)n);
        mld_buf_putc(&x->b, ' ');
    }
    return 0;
}

/* Fills x with the folded stems of text, " a b c ". */
static void
stems_of(struct stems *x, const char *text)
{
    mld_buf_init(&x->b, MLD_STORY_STEMS_MAX);
    mld_buf_putc(&x->b, ' ');
    if (text != NULL)
        mld_analyze(mld_analyzer(), text, strlen(text), MLD_AN_TERMS, stem_word, x);
    mld_buf_putc(&x->b, '\0');
}

int
mld_story_headline_people(const struct mld_article *a, uint32_t *out, int max)
{
    struct stems head;
    stems_of(&head, a->headline);
    int n = 0;
    for (int i = 0; i < a->ntopics && n < max && head.b.p != NULL; i++) {
        if (mld_topic_class(a->topics[i], NULL) != MLD_TOPIC_PERSON)
            continue;
        /* Named when a word of the name (its surname, mostly) is a word
         * of the headline. */
        struct stems name;
        stems_of(&name, a->topics[i]);
        bool found = false;
        for (char *w = name.b.p ? name.b.p + 1 : NULL, *end; w && *w && !found; w = end + 1) {
            end = strchr(w, ' ');
            if (end == NULL)
                break;
            char key[MLD_STORY_STEMS_MAX + 2];
            snprintf(key, sizeof(key), " %.*s ", (int)(end - w), w);
            found = strstr(head.b.p, key) != NULL;
        }
        mld_buf_dispose(&name.b);
        uint32_t id = mld_story_topic_id(a->topics[i]);
        if (found && id != 0)
            out[n++] = id;
    }
    mld_buf_dispose(&head.b);
    return n;
}

/* The put --------------------------------------------------------------------
 *
 * mld_story_update() is the whole of a put's story work, written against
 * the backend's narrow operations (store_int.h, struct
 * mld_story_store_ops). For a usable version it:
 *
 *   1. computes a's signature (mld_story_sig): its features, and its terms
 *      weighed by tf-idf with the document frequencies the backend counts
 *      when an article is first stored;
 *   2. reads candidates: for each of a's MLD_STORY_TOP_TERMS most
 *      significant terms the MLD_STORY_TERM_POSTINGS newest articles
 *      posted under it, summing the weights of the shared terms into a
 *      first score; articles with the same headline within the story
 *      window; the newest articles of a's first topics;
 *   3. scores the MLD_STORY_SCORED best of them (and the others found by
 *      headline or topic) in full from their signatures (mld_story_pair);
 *   4. new article: joins the story of the best candidate within
 *      MLD_STORY_WINDOW_SECS a rule joins it to (mld_story_judge),
 *      recording the reason, and merges the other stories a rule joins it
 *      to into the oldest; else starts a story of its own;
 *   5. keeps a's related list - the best candidate of each other story
 *      that is related (mld_story_relevance), by score - and offers a to
 *      the lists of its MLD_STORY_OFFERS most relevant candidates, where
 *      it replaces its story's entry or the weakest one when it scores
 *      better (logging the candidate's "a:ID" key);
 *   6. stores a's signature and posts its top terms.
 *
 * Everything is bounded by the limits above, whatever the store's size. */

/* Weight of a topic by its rank (0 = most salient): 1 / (1 + rank / 2). */
#define TOPIC_RANK_DECAY 0.5

/* Document frequency keys beside the term ids: topics, leading topic
 * pairs (an article's ranks 0 and 1, in either order), and the document
 * count. */
#define DF_TOPIC ((int64_t)1 << 32)
#define DF_LEAD ((int64_t)2 << 32)
#define DF_DOCS ((int64_t)-1)

/* The backend a put works with. */
struct ctx {
    const struct mld_story_store_ops *ops;
    void *impl;
};

/* Puts the indexes of the k largest weights of v into top (by weight,
 * largest first); returns how many (at most v->n). */
static int
top_terms(const struct mld_sim_vec *v, int *top, int k)
{
    int n = 0;
    for (int i = 0; i < v->n; i++) {
        int j = n < k ? n++ : k;
        if (j == k && v->v[i].w <= v->v[top[k - 1]].w)
            continue;
        if (j == k)
            j = k - 1;
        while (j > 0 && v->v[top[j - 1]].w < v->v[i].w) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = i;
    }
    return n;
}

/* Posts article id's top terms (post) or takes them out. */
static int
post_terms(const struct ctx *s, int64_t id, const struct mld_story_sig *g, bool post,
           struct mld_err *err)
{
    int top[MLD_STORY_TOP_TERMS];
    int n = top_terms(&g->terms, top, MLD_STORY_TOP_TERMS), rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = s->ops->post(s->impl, g->terms.v[top[i]].term, g->published, id,
                          post ? (int)lround(g->terms.v[top[i]].w * 10000.0) : -1, err);
    return rc;
}

/* Returns the id of the unordered pair of topics a and b. */
static uint32_t
lead_pair(uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    unsigned char key[8];
    for (int i = 0; i < 4; i++) { /* little-endian, whatever the machine */
        key[i] = (unsigned char)(lo >> (8 * i));
        key[4 + i] = (unsigned char)(hi >> (8 * i));
    }
    return mld_sim_term_id((const char *)key, sizeof(key));
}

/* Computes a's signature g at published from its features f; counts a
 * as a new document in the frequencies when count is set. */
static int
sig_make(const struct ctx *s, const struct mld_article *a, const struct mld_sim_features *f,
         mld_time_t published, bool count, struct mld_story_sig *g, struct mld_err *err)
{
    memset(g, 0, sizeof(*g));
    g->published = published;
    g->has_minhash = f->nshingles >= MLD_SIM_MIN_SHINGLES;
    memcpy(g->minhash, f->minhash, sizeof(g->minhash));
    memcpy(g->headline, f->headline, sizeof(g->headline));
    g->nheadline = f->nheadline;
    g->npeople = mld_story_headline_people(a, g->people, MLD_STORY_PEOPLE);

    /* Keys: the document count, the terms, the topics (each once), the
     * pair of leading topics. */
    int64_t *k = mld_calloc((size_t)f->ntf + MLD_MAX_TOPICS + 2, sizeof(*k));
    int64_t *kdf = mld_calloc((size_t)f->ntf + MLD_MAX_TOPICS + 2, sizeof(*kdf));
    int64_t *df = kdf + 1; /* kdf[0]: the documents; then terms, topics, the pair */
    struct mld_sim_weight w[MLD_MAX_TOPICS];
    int n = 0, nt = 0;
    k[n++] = DF_DOCS;
    for (int i = 0; i < f->ntf; i++)
        k[n++] = f->tf[i].term;
    for (int i = 0; i < a->ntopics && nt < MLD_MAX_TOPICS; i++) {
        uint32_t t = mld_story_topic_id(a->topics[i]);
        bool dup = t == 0;
        for (int j = 0; j < nt && !dup; j++)
            dup = w[j].term == t;
        if (dup)
            continue;
        w[nt] = (struct mld_sim_weight){t, (float)(1.0 / (1.0 + TOPIC_RANK_DECAY * i))};
        k[n++] = DF_TOPIC + t;
        nt++;
    }
    if (nt >= 2) {
        g->nlead = 2;
        g->lead[0] = w[0].term;
        g->lead[1] = w[1].term;
        k[n++] = DF_LEAD + lead_pair(w[0].term, w[1].term);
    }
    int rc = s->ops->df(s->impl, k, kdf, n, count, err);
    if (rc == 0) {
        int64_t docs = kdf[0], lead_df = g->nlead == 2 ? kdf[n - 1] : 0;
        double *idf = mld_calloc(f->ntf > 0 ? (size_t)f->ntf : 1, sizeof(*idf));
        /* The tf vector: every idf 1. A table has none: its words (the
         * same company or team names every day) are no evidence of one
         * event; nor has a short text (MLD_STORY_TEXT_MIN_TERMS). */
        for (int i = 0; i < f->ntf; i++)
            idf[i] = 1;
        if (!mld_sim_tabular(f) && f->ntf >= MLD_STORY_TEXT_MIN_TERMS)
            mld_sim_vec_tfidf(&g->tf, f, idf);
        for (int i = 0; i < f->ntf; i++)
            idf[i] = mld_sim_idf(df[i], docs);
        mld_sim_vec_tfidf(&g->terms, f, idf);
        mld_free(idf);
        for (int i = 0; i < nt; i++)
            w[i].w *= (float)mld_sim_idf(df[f->ntf + i], docs);
        if (g->nlead == 2) {
            int64_t broad = df[f->ntf] > df[f->ntf + 1] ? df[f->ntf] : df[f->ntf + 1];
            g->lead_subject = mld_story_lead_subject(lead_df, docs, broad);
        }
        mld_sim_vec_set(&g->topics, w, nt);
    }
    mld_free(kdf);
    mld_free(k);
    return rc;
}

/* Candidates --------------------------------------------------------------- */

/* How a candidate was found, beside its terms. */
enum {
    C_HEADLINE = 1 << 0, /* the same headline, within the window */
    C_TOPIC = 1 << 1,    /* among the newest of one of a's topics */
};

/* One candidate and, once scored, how it compares. */
struct cand {
    int64_t id;
    double dot; /* from the shared posted terms */
    unsigned flags;
    bool scored;         /* its signature was read (usable) */
    int64_t story;
    mld_time_t published;
    struct mld_story_pair f; /* what it shares with the article (scored only) */
};

struct cands {
    struct cand *v;
    int n;
};

/* Appends a candidate row (merged with its other rows later). */
static void
cand_add(struct cands *c, int64_t id, double dot, unsigned flags)
{
    c->v = mld_reallocarray(c->v, (size_t)c->n + 1, sizeof(*c->v));
    c->v[c->n++] = (struct cand){.id = id, .dot = dot, .flags = flags};
}

/* Orders candidates by id. */
static int
cmp_id(const void *a, const void *b)
{
    int64_t x = ((const struct cand *)a)->id, y = ((const struct cand *)b)->id;
    return (x > y) - (x < y);
}

/* Orders candidates for full scoring: same headline first, then by the
 * first score. */
static int
cmp_first(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    int hx = (x->flags & C_HEADLINE) != 0, hy = (y->flags & C_HEADLINE) != 0;
    if (hx != hy)
        return hy - hx;
    if (x->dot != y->dot)
        return x->dot < y->dot ? 1 : -1;
    return cmp_id(a, b);
}

/* Folds the rows of one candidate into one. */
static void
cands_merge(struct cands *c)
{
    if (c->n == 0)
        return;
    qsort(c->v, (size_t)c->n, sizeof(*c->v), cmp_id);
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        if (n > 0 && c->v[n - 1].id == c->v[i].id) {
            c->v[n - 1].dot += c->v[i].dot;
            c->v[n - 1].flags |= c->v[i].flags;
        } else {
            c->v[n++] = c->v[i];
        }
    }
    c->n = n;
}

/* Takes the postings of one term: its newest (read for all terms at
 * once: newest[0..nnewest)) and, when newer articles than the window's
 * end exist, the newest within the window. */
static int
read_term(const struct ctx *s, int64_t self, const struct mld_story_sig *g, uint32_t term,
          double w, const struct mld_story_row *newest, int nnewest, struct cands *c,
          struct mld_err *err)
{
    mld_time_t lo = g->published - MLD_STORY_WINDOW_SECS, hi = g->published + MLD_STORY_WINDOW_SECS;
    int first = c->n;
    bool beyond = false;
    struct mld_story_row window[MLD_STORY_TERM_POSTINGS];
    for (int pass = 0; pass < 2; pass++) {
        int n = nnewest, last = c->n;
        const struct mld_story_row *rows = newest;
        if (pass == 1) {
            int rc = s->ops->term_newest(s->impl, term, lo, hi, MLD_STORY_TERM_POSTINGS, window,
                                         &n, err);
            if (rc != 0)
                return rc;
            rows = window;
        }
        for (int r = 0; r < n; r++) {
            beyond |= rows[r].published > hi;
            bool seen = rows[r].id == self;
            for (int i = first; i < last && !seen; i++)
                seen = c->v[i].id == rows[r].id;
            if (!seen)
                cand_add(c, rows[r].id, w * rows[r].weight / 10000.0, 0);
        }
        /* The newest postings cover the window unless some lie beyond it
         * (an archive stored out of order). */
        if (!beyond)
            break;
    }
    return 0;
}

/* Collects the candidates of article id (signature g): by term, by
 * headline (when headline_slug is not NULL) and by topic. */
static int
collect(const struct ctx *s, int64_t id, const struct mld_article *a,
        const struct mld_story_sig *g, const char *headline_slug, struct cands *c,
        struct mld_err *err)
{
    int top[MLD_STORY_TOP_TERMS], counts[MLD_STORY_TOP_TERMS];
    uint32_t terms[MLD_STORY_TOP_TERMS];
    struct mld_story_row newest[MLD_STORY_TOP_TERMS * MLD_STORY_TERM_POSTINGS];
    int n = top_terms(&g->terms, top, MLD_STORY_TOP_TERMS);
    for (int i = 0; i < n; i++)
        terms[i] = g->terms.v[top[i]].term;
    int rc = n > 0 ? s->ops->terms_newest(s->impl, terms, n, MLD_STORY_TERM_POSTINGS, newest,
                                          counts, err)
                   : 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = read_term(s, id, g, terms[i], g->terms.v[top[i]].w,
                       newest + i * MLD_STORY_TERM_POSTINGS, counts[i], c, err);
    struct mld_story_row rows[MLD_STORY_TOPIC_POSTINGS + 1];
    int nrows = 0;
    if (rc == 0 && headline_slug != NULL)
        rc = s->ops->same_headline(s->impl, headline_slug, g->published - MLD_STORY_WINDOW_SECS,
                                   g->published + MLD_STORY_WINDOW_SECS, id,
                                   MLD_STORY_TOPIC_POSTINGS, rows, &nrows, err);
    for (int r = 0; r < nrows && rc == 0; r++)
        cand_add(c, rows[r].id, 0, C_HEADLINE);
    for (int i = 0; i < a->ntopics && i < MLD_STORY_TOPICS && rc == 0; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        rc = s->ops->topic_newest(s->impl, slug, MLD_STORY_TOPIC_POSTINGS + 1, rows, &nrows, err);
        for (int r = 0; r < nrows && rc == 0; r++)
            if (rows[r].id != id)
                cand_add(c, rows[r].id, 0, C_TOPIC);
    }
    if (rc == 0)
        cands_merge(c);
    return rc;
}

/* Returns how many terms vectors a and b share. */
static int
shared_terms(const struct mld_sim_vec *a, const struct mld_sim_vec *b)
{
    int i = 0, j = 0, n = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i].term < b->v[j].term) {
            i++;
        } else if (a->v[i].term > b->v[j].term) {
            j++;
        } else {
            n++;
            i++;
            j++;
        }
    }
    return n;
}

/* Scores candidate x, whose signature is o and story story, against g. */
static void
score_one(const struct mld_story_sig *g, const struct mld_story_sig *o, int64_t story,
          struct cand *x)
{
    x->story = story;
    x->scored = true;
    x->published = o->published;
    struct mld_story_pair *f = &x->f;
    f->id = x->id;
    f->same_headline = (x->flags & C_HEADLINE) != 0;
    f->jaccard = g->has_minhash && o->has_minhash ? mld_sim_minhash(g->minhash, o->minhash) : -1;
    f->headline = mld_sim_jaccard(g->headline, g->nheadline, o->headline, o->nheadline, NULL);
    f->shared_topics = shared_terms(&g->topics, &o->topics);
    f->tf = mld_sim_cosine(&g->tf, &o->tf);
    f->shared_people = 0;
    for (int j = 0; j < g->npeople; j++)
        for (int k = 0; k < o->npeople; k++)
            f->shared_people += g->people[j] == o->people[k];
    f->cosine = mld_sim_cosine(&g->terms, &o->terms);
    f->shared_terms = shared_terms(&g->terms, &o->terms);
    f->topics = mld_sim_cosine(&g->topics, &o->topics);
    f->subject = g->lead_subject && o->nlead == 2 &&
                 ((o->lead[0] == g->lead[0] && o->lead[1] == g->lead[1]) ||
                  (o->lead[0] == g->lead[1] && o->lead[1] == g->lead[0]));
}

/* Scores the candidates worth it against g: every one found by headline
 * or topic, and the MLD_STORY_SCORED best by their first score. */
static int
score(const struct ctx *s, const struct mld_story_sig *g, struct cands *c, struct mld_err *err)
{
    if (c->n == 0)
        return 0;
    qsort(c->v, (size_t)c->n, sizeof(*c->v), cmp_first);
    /* Which ones (pick[k] the k-th's index in c), then their signatures
     * in one read. */
    int *pick = mld_calloc((size_t)c->n, sizeof(*pick));
    int64_t *ids = mld_calloc(2 * (size_t)c->n, sizeof(*ids)), *story = ids + c->n;
    bool *found = mld_calloc((size_t)c->n, sizeof(*found));
    int by_text = 0, n = 0;
    for (int i = 0; i < c->n; i++) {
        bool text = c->v[i].dot > 0 && by_text < MLD_STORY_SCORED;
        if (!text && !(c->v[i].flags & (C_HEADLINE | C_TOPIC)))
            continue;
        by_text += text;
        ids[n] = c->v[i].id;
        pick[n++] = i;
    }
    struct mld_story_sig *sigs = mld_malloc(((size_t)n + 1) * sizeof(*sigs));
    int rc = n > 0 ? s->ops->sigs_get(s->impl, ids, n, sigs, story, found, err) : 0;
    for (int k = 0; k < n && rc == 0; k++)
        if (found[k])
            score_one(g, &sigs[k], story[k], &c->v[pick[k]]);
    mld_free(sigs);
    mld_free(found);
    mld_free(ids);
    mld_free(pick);
    return rc;
}

/* Stories ------------------------------------------------------------------- */

/* Writes why a joined x's story under rule r: the rule's words, the
 * topics both share (by a's names: the candidate's are ids only) when
 * text or a person joined them, the rule's code. */
static void
put_reason(struct mld_buf *b, enum mld_story_rule r, const struct cand *x,
           const struct mld_article *a, const struct mld_story_sig *g, const struct ctx *s)
{
    mld_story_reason(b, r, &x->f);
    if (r != MLD_STORY_TEXT && r != MLD_STORY_PERSON) {
        mld_story_reason_end(b, r);
        return;
    }
    /* The shared topics, by a's names: the candidate's are ids only. */
    struct mld_story_sig o;
    int64_t story;
    if (s->ops->sig_get(s->impl, x->id, &o, &story, NULL) != 1) {
        mld_story_reason_end(b, r);
        return;
    }
    int shared = 0;
    for (int i = 0; i < a->ntopics; i++) {
        uint32_t t = mld_story_topic_id(a->topics[i]);
        if (t == 0 || mld_sim_vec_weight(&o.topics, t) <= 0 ||
            mld_sim_vec_weight(&g->topics, t) <= 0)
            continue;
        mld_buf_puts(b, shared++ ? ", " : ", gemeinsame Themen: ");
        mld_buf_puts(b, a->topics[i]);
    }
    mld_story_reason_end(b, r);
}

/* Returns the published time of a story's first article, 0 when it is
 * gone, or < 0. */
static mld_time_t
story_start(const struct ctx *s, int64_t story, struct mld_err *err)
{
    mld_time_t published = 0;
    int64_t of;
    int rc = s->ops->article(s->impl, story, &published, &of, err);
    return rc < 0 ? rc : rc == 0 ? 0 : published;
}

/* The stories a new article links: the one it joins (its best
 * candidate's) first, then the others a rule joins it to. */
struct links {
    int64_t story[MLD_STORY_MERGE_STORIES + 1];
    int n;
};

/* Merges the linked stories into the oldest (the smallest id: a story's
 * id is its first article's), unless the joined one may not take part
 * (an editor decided on it, or it is too large); a linked story that may
 * not is left out. Sets *story to where the new article id goes; every
 * candidate of a merged story now names it. */
static int
merge_links(const struct ctx *s, int64_t id, const struct links *l, struct cands *c, int64_t *story,
            struct mld_err *err)
{
    int64_t ids[MLD_STORY_MERGE_MEMBERS + 1], keep[MLD_STORY_MERGE_STORIES + 1];
    int nkeep = 0, rc = 0;
    *story = l->story[0];
    for (int i = 0; i < l->n && rc == 0; i++) {
        int n;
        bool editors;
        rc = s->ops->members(s->impl, l->story[i], ids, MLD_STORY_MERGE_MEMBERS + 1, &n,
                             &editors, err);
        bool ok = !editors && n <= MLD_STORY_MERGE_MEMBERS;
        if (i == 0 && !ok)
            return rc; /* the joined story stays as it is: no merge */
        if (ok)
            keep[nkeep++] = l->story[i];
    }
    int64_t to = keep[0];
    for (int i = 1; i < nkeep; i++)
        to = keep[i] < to ? keep[i] : to;
    char why[96];
    snprintf(why, sizeof(why), "verbunden über #%" PRId64 " [link]", id);
    for (int i = 0; i < nkeep && rc == 0; i++) {
        if (keep[i] == to)
            continue;
        int n;
        bool editors;
        rc = s->ops->members(s->impl, keep[i], ids, MLD_STORY_MERGE_MEMBERS, &n, &editors, err);
        for (int k = 0; k < n && rc == 0; k++)
            rc = s->ops->move(s->impl, ids[k], to, why, err);
        for (int k = 0; k < c->n; k++)
            if (c->v[k].story == keep[i])
                c->v[k].story = to;
    }
    *story = to;
    return rc;
}

/* Decides the story of new article id and records it with its reason:
 * the story of the candidate the strongest rule joins it to, merged with
 * the other stories a rule joins it to (merge_links). */
static int
assign_story(const struct ctx *s, int64_t id, const struct mld_article *a, const struct mld_story_sig *g,
             struct cands *c, int64_t *story, struct mld_err *err)
{
    const struct cand *best = NULL;
    enum mld_story_rule best_rule = MLD_STORY_NONE;
    double best_strength = 0;
    struct links l = {.n = 1};
    for (int i = 0; i < c->n; i++) {
        const struct cand *x = &c->v[i];
        if (!x->scored || x->published < g->published - MLD_STORY_WINDOW_SECS ||
            x->published > g->published + MLD_STORY_WINDOW_SECS)
            continue;
        double strength;
        enum mld_story_rule r = mld_story_judge(&x->f, &strength);
        if (r == MLD_STORY_NONE)
            continue;
        mld_time_t start = story_start(s, x->story, err);
        if (start < 0)
            return (int)start;
        if (g->published - start > MLD_STORY_SPAN_SECS)
            continue;
        bool known = false;
        for (int k = 1; k < l.n && !known; k++)
            known = l.story[k] == x->story;
        if (!known && l.n <= MLD_STORY_MERGE_STORIES)
            l.story[l.n++] = x->story;
        if (r < best_rule || (r == best_rule && strength <= best_strength))
            continue;
        best = x;
        best_rule = r;
        best_strength = strength;
    }
    int64_t stored = *story; /* what the new row says (no reason yet) */
    *story = id;
    int rc = 0;
    if (best != NULL) {
        /* The joined story first, the others after it. */
        int n = 1;
        l.story[0] = best->story;
        for (int k = 1; k < l.n; k++)
            if (l.story[k] != best->story)
                l.story[n++] = l.story[k];
        l.n = n;
        rc = merge_links(s, id, &l, c, story, err);
    }
    if (rc != 0)
        return rc;
    if (best == NULL && stored == id)
        return 0; /* a story of its own, as the backend stored it */
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    if (best != NULL)
        put_reason(&b, best_rule, best, a, g, s);
    mld_buf_putc(&b, '\0');
    rc = s->ops->set_story(s->impl, id, *story, best ? b.p : NULL, err);
    mld_buf_dispose(&b);
    return rc;
}

/* Related news --------------------------------------------------------------- */

/* One entry of a related list. */
struct entry {
    int64_t id, story;
    double score;
    mld_time_t published; /* of id (relate() only) */
};

/* Decides whether article id's entry e goes into the list of another
 * article (stored as list[0..n)): not when the list holds a better one
 * of the same story or MLD_RELATED_MAX better ones; else it replaces the
 * entry of the same story, or else the weakest. Returns whether to write
 * e, with *del the entry to take out first (0: none) and *changed
 * whether the list changes (its page is then redrawn). */
static bool
offer(const struct mld_story_entry *list, int n, struct entry e, int64_t *del, bool *changed)
{
    struct mld_story_entry weakest = {0}, same = {0};
    for (int i = 0; i < n; i++) {
        const struct mld_story_entry *x = &list[i];
        if (x->id == e.id || x->story == e.story)
            same = *x;
        if (i == 0 || x->score < weakest.score)
            weakest = *x;
    }
    *del = 0;
    *changed = false;
    struct mld_story_entry out = {0};
    if (same.id != 0) {
        if (same.id != e.id && same.score >= e.score)
            return false;
        out = same;
    } else if (n >= MLD_RELATED_MAX) {
        if (weakest.score >= e.score)
            return false;
        out = weakest;
    }
    *changed = out.id != e.id || out.score != e.score;
    if (!*changed && out.story == e.story)
        return false; /* the same entry again (an update): nothing to write */
    /* An entry of e.id itself is replaced by the put. */
    if (out.id != e.id)
        *del = out.id;
    return true;
}

/* Orders entries best first. */
static int
cmp_entry(const void *a, const void *b)
{
    double x = ((const struct entry *)a)->score, y = ((const struct entry *)b)->score;
    return (x < y) - (x > y);
}

/* Rewrites article id's related list from its scored candidates, and
 * offers id to the lists of the MLD_STORY_OFFERS most relevant ones. */
static int
relate(const struct ctx *s, int64_t id, int64_t story, const struct mld_story_sig *g,
       const struct cands *c, struct mld_err *err)
{
    int64_t all = 0;
    int rc = s->ops->related_del(s->impl, &id, &all, 1, err);
    /* Candidates by relevance (in score), one per story (the best). */
    struct entry *mine = mld_calloc((size_t)c->n + 1, sizeof(*mine));
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const struct cand *x = &c->v[i];
        double r = x->scored ? mld_story_relevance(&x->f) : 0;
        if (r <= 0 || x->story == story)
            continue;
        int j = 0;
        while (j < n && mine[j].story != x->story)
            j++;
        if (j == n || r > mine[j].score)
            mine[j] = (struct entry){x->id, x->story, r, x->published};
        n += j == n;
    }
    qsort(mine, (size_t)n, sizeof(*mine), cmp_entry);
    /* The lists offered to, read at once (their owners are distinct);
     * then the entries taken out of them, the entries written (theirs
     * and id's own list) and the change keys, one call each. */
    enum { MAX = MLD_RELATED_MAX * 2 };
    int64_t owners[MLD_STORY_OFFERS], del_of[MLD_STORY_OFFERS], del[MLD_STORY_OFFERS];
    int64_t put_of[MLD_STORY_OFFERS + MLD_RELATED_MAX];
    struct mld_story_entry put[MLD_STORY_OFFERS + MLD_RELATED_MAX];
    struct mld_key keys[MLD_STORY_OFFERS];
    const char *key[MLD_STORY_OFFERS];
    int noffers = n < MLD_STORY_OFFERS ? n : MLD_STORY_OFFERS, counts[MLD_STORY_OFFERS];
    int ndel = 0, nput = 0, nkeys = 0;
    struct mld_story_entry *lists = mld_malloc(((size_t)noffers * MAX + 1) * sizeof(*lists));
    for (int i = 0; i < noffers; i++)
        owners[i] = mine[i].id;
    if (rc == 0 && noffers > 0)
        rc = s->ops->related(s->impl, owners, noffers, lists, MAX, counts, err);
    for (int i = 0; i < noffers && rc == 0; i++) {
        bool changed;
        struct entry e = {id, story, mld_story_related_score(mine[i].score, g->published), 0};
        if (offer(lists + i * MAX, counts[i], e, &del[ndel], &changed)) {
            del_of[ndel] = owners[i];
            ndel += del[ndel] != 0;
            put_of[nput] = owners[i];
            put[nput++] = (struct mld_story_entry){e.id, e.story, e.score};
        }
        if (changed) {
            keys[nkeys] = mld_key_article(owners[i]);
            key[nkeys] = keys[nkeys].s;
            nkeys++;
        }
    }
    mld_free(lists);
    /* Own list: by score, which adds recency to relevance. */
    for (int i = 0; i < n; i++)
        mine[i].score = mld_story_related_score(mine[i].score, mine[i].published);
    qsort(mine, (size_t)n, sizeof(*mine), cmp_entry);
    for (int i = 0; i < n && i < MLD_RELATED_MAX; i++) {
        put_of[nput] = id;
        put[nput++] = (struct mld_story_entry){mine[i].id, mine[i].story, mine[i].score};
    }
    if (rc == 0 && ndel > 0)
        rc = s->ops->related_del(s->impl, del_of, del, ndel, err);
    if (rc == 0 && nput > 0)
        rc = s->ops->related_put(s->impl, put_of, put, nput, err);
    if (rc == 0 && nkeys > 0)
        rc = s->ops->log_keys(s->impl, key, nkeys, err);
    mld_free(mine);
    return rc;
}

/* Putting an article ------------------------------------------------------- */

/* Takes article id's old signature out of the index (a newer version or
 * a withdrawal replaces it). */
static int
unpost(const struct ctx *s, int64_t id, struct mld_err *err)
{
    struct mld_story_sig old;
    int64_t story;
    int rc = s->ops->sig_get(s->impl, id, &old, &story, err);
    if (rc <= 0)
        return rc;
    rc = post_terms(s, id, &old, false, err);
    return rc != 0 ? rc : s->ops->sig_del(s->impl, id, err);
}

int
mld_story_update(const struct mld_story_store_ops *ops, void *impl, int64_t id,
                 const struct mld_article *a, const struct mld_sim_features *pre,
                 enum mld_story_mode mode, struct mld_err *err)
{
    const struct ctx ctx = {ops, impl}, *s = &ctx;
    mld_time_t published = 0;
    int64_t story = id;
    int rc = ops->article(impl, id, &published, &story, err);
    if (rc == 0)
        return mld_err_set(err, MLD_E_STORE, "article %" PRId64 " for its story: not found", id);
    rc = rc < 0 ? rc : 0;
    if (rc == 0 && mode == MLD_STORY_UPDATE)
        rc = unpost(s, id, err);
    if (rc != 0)
        return rc;
    if (a->pubstatus != MLD_PUB_USABLE) {
        /* Not shown: no candidate for anything. A new one is a story of
         * its own (it is not clustered when a later version is usable). */
        return mode == MLD_STORY_INSERT && story != id ? ops->set_story(impl, id, id, NULL, err)
                                                       : 0;
    }

    struct mld_sim_features own = {0};
    if (pre == NULL)
        mld_sim_features_init(&own, a);
    struct mld_story_sig g;
    struct cands c = {0};
    rc = sig_make(s, a, pre != NULL ? pre : &own, published, mode != MLD_STORY_UPDATE, &g, err);
    mld_sim_features_dispose(&own);
    char slug[MLD_SLUG_MAX + 1];
    const char *headline = a->headline ? a->headline : "";
    bool by_headline = mode == MLD_STORY_INSERT && mld_slug(headline, strlen(headline), slug) > 0;
    if (rc == 0)
        rc = collect(s, id, a, &g, by_headline ? slug : NULL, &c, err);
    if (rc == 0)
        rc = score(s, &g, &c, err);
    if (rc == 0 && mode == MLD_STORY_INSERT)
        rc = assign_story(s, id, a, &g, &c, &story, err);
    if (rc == 0)
        rc = relate(s, id, story, &g, &c, err);
    if (rc == 0)
        rc = ops->sig_put(impl, id, story, &g, err);
    if (rc == 0)
        rc = post_terms(s, id, &g, true, err);
    mld_free(c.v);
    return rc;
}
