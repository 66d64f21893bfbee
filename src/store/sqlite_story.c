/*
 * sqlite_story.c - story clustering and related news for the SQLite
 * backend (store.h "Stories and related news"; the method and its
 * measurements are in docs/internals/stories.md).
 *
 * put() calls sq_story_put() once article id holds a's version. For a
 * usable version it:
 *
 *   1. computes a's features (src/text/similar.h) and weighs its terms by
 *      tf-idf, with document frequencies counted here (story_df) when an
 *      article is first stored;
 *   2. reads candidates: for each of a's MLD_STORY_TOP_TERMS most
 *      significant terms the MLD_STORY_TERM_POSTINGS newest articles
 *      carrying it (story_term), summing the weights of the shared terms
 *      into a first score; articles with the same headline within the
 *      story window; the newest articles of a's first topics;
 *   3. scores the MLD_STORY_SCORED best of them (and the others found by
 *      headline or topic) in full from their signatures (story_sig):
 *      MinHash Jaccard, headline Jaccard, cosine of the term vectors,
 *      cosine of the topic vectors;
 *   4. new article: joins the story of the best candidate within
 *      MLD_STORY_WINDOW_SECS for which a rule fires (near-duplicate text;
 *      the same headline; similar text with a shared topic, unless the
 *      headlines make a series), recording the reason, else starts a
 *      story of its own;
 *   5. keeps a's related list (story_related) - the best candidate of each
 *      other story that is related (similar text, or the same leading
 *      pair of topics where that pair is a subject; src/enrich/story.h), by
 *      relevance, recency ordering near-equals - and offers a to the lists
 *      of its MLD_STORY_OFFERS most relevant candidates, where it replaces
 *      its story's entry or the weakest one when it scores better
 *      (logging the candidate's "a:ID" key);
 *   6. stores a's signature and posts its top terms.
 *
 * Everything is bounded by the limits above, whatever the store's size.
 * Reading a list (sq_related) fills the room the related articles leave
 * with the newest of the article's section, marked as fill.
 * The rules themselves - what joins, what is related, how lists rank - are
 * src/enrich/story.c; this file stores, indexes, retrieves and computes
 * the features they read.
 * Readers filter by visibility, so a withdrawn or embargoed article drops
 * out of stories and related lists without any write; a withdrawn one
 * also leaves the term index, so it stops being a candidate.
 */
#include "sqlite_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../text/analyze.h"
#include "../enrich/story.h"
#include "../text/similar.h"
#include "../text/slug.h"

/* Weight of a topic by its rank (0 = most salient): 1 / (1 + rank / 2). */
#define TOPIC_RANK_DECAY 0.5

/* story_df keys beside the term ids: topics, leading topic pairs (an
 * article's ranks 0 and 1, in either order), and the document count. */
#define DF_TOPIC ((int64_t)1 << 32)
#define DF_LEAD ((int64_t)2 << 32)
#define DF_DOCS ((int64_t)-1)

/* meta key of the signature the derived tables were built under. */
#define META_SIGNATURE "story_signature"

/* Layout version of the derived tables; with the limits they depend on
 * and the analyzer's signature it makes the stored signature. */
#define STORY_LAYOUT 4 /* 2: related lists by the text-first rule; 3: leading topics;
                          4: the tf vector and the headline's people (0015) */

#define STMT_MAP(X)                                                                          \
    X(DF_ADD, "INSERT INTO story_df(term, df) SELECT value, 1 FROM json_each(?1) WHERE 1 "  \
              "ON CONFLICT(term) DO UPDATE SET df = df + 1 RETURNING term, df")              \
    X(DF_GET, "SELECT term, df FROM story_df WHERE term IN (SELECT value FROM json_each(?1))")\
    X(ARTICLE, "SELECT published, story_id FROM article WHERE id = ?1")                      \
    X(SIG_GET, "SELECT published, minhash, headline, terms, topics, story_id, tf, people "   \
               "FROM story_sig WHERE article_id = ?1")                                       \
    X(SIG_PUT, "INSERT OR REPLACE INTO story_sig(article_id, published, minhash, headline, " \
               "terms, topics, story_id, tf, people) "                                       \
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                \
    X(SIG_DEL, "DELETE FROM story_sig WHERE article_id = ?1")                                \
    X(TERM_ADD, "INSERT OR REPLACE INTO story_term(term, published, article_id, weight) "    \
                "VALUES (?1, ?2, ?3, ?4)")                                                   \
    X(TERM_DEL, "DELETE FROM story_term WHERE term = ?1 AND published = ?2 "                 \
                "AND article_id = ?3")                                                       \
    X(TERM_NEWEST, "SELECT article_id, weight, published FROM story_term WHERE term = ?1 "   \
                   "ORDER BY published DESC LIMIT ?2")                                       \
    X(TERM_WINDOW, "SELECT article_id, weight, published FROM story_term WHERE term = ?1 "   \
                   "AND published BETWEEN ?2 AND ?3 ORDER BY published DESC LIMIT ?4")       \
    X(TOPIC_NEWEST, "SELECT article_id FROM article_topic WHERE slug = ?1 "                  \
                    "ORDER BY article_id DESC LIMIT ?2")                                     \
    X(SAME_HEADLINE, "SELECT id FROM article WHERE story_key = ?1 AND published "            \
                     "BETWEEN ?2 AND ?3 AND id != ?4 ORDER BY published DESC LIMIT ?5")      \
    X(SET_STORY, "UPDATE article SET story_id = ?2, story_reason = ?3 WHERE id = ?1")        \
    X(MEMBER_IDS, "SELECT id FROM article WHERE story_id = ?1 ORDER BY id LIMIT ?2")         \
    X(ED_TOUCHED, "SELECT 1 FROM ed_story e JOIN article a ON a.id = e.article_id "          \
                  "WHERE a.story_id = ?1 LIMIT 1")                                           \
    X(MOVE, "UPDATE article SET story_id = ?2, story_reason = coalesce(story_reason, ?3) "   \
            "WHERE id = ?1")                                                                 \
    X(MOVE_SIG, "UPDATE story_sig SET story_id = ?2 WHERE article_id = ?1")                  \
    X(REL_CLEAR, "DELETE FROM story_related WHERE article_id = ?1")                          \
    X(REL_ADD, "INSERT OR REPLACE INTO story_related(article_id, related_id, story_id, "     \
               "score) VALUES (?1, ?2, ?3, ?4)")                                             \
    X(REL_DEL, "DELETE FROM story_related WHERE article_id = ?1 AND related_id = ?2")        \
    X(REL_LIST, "SELECT related_id, story_id, score FROM story_related "                     \
                "WHERE article_id = ?1")                                                     \
    X(REL_READ, "SELECT r.related_id, a.story_id FROM story_related r "                      \
                "JOIN article a ON a.id = r.related_id WHERE r.article_id = ?1 "             \
                "AND a.pubstatus = 0 AND a.visible_from <= ?2 ORDER BY r.score DESC")        \
    X(OWN_SECTION, "SELECT story_id, section_slug FROM article WHERE id = ?1")               \
    X(FILL, "SELECT id, story_id FROM article WHERE section_slug = ?1 AND pubstatus = 0 "    \
            "AND visible_from <= ?2 ORDER BY published DESC LIMIT ?3")                       \
    X(MEMBERS, "SELECT id FROM article WHERE story_id = ?1 AND pubstatus = 0 "               \
               "AND visible_from <= ?2 ORDER BY published, id")                              \
    X(META_GET, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'")                   \
    X(META_SET, "INSERT OR REPLACE INTO meta(key, value) VALUES ('" META_SIGNATURE "', ?1)")

enum story_stmt {
#define STMT_ENUM_(name, sql) T_##name,
    STMT_MAP(STMT_ENUM_)
#undef STMT_ENUM_
    T_COUNT_
};

static const char *const story_sql[] = {
#define STMT_SQL_(name, sql) sql,
    STMT_MAP(STMT_SQL_)
#undef STMT_SQL_
};

struct sq_story {
    sqlite3_stmt *v[T_COUNT_]; /* prepared on first use; close() finalizes */
    char signature[160];       /* what the derived tables must be built under */
};

/* Returns statement id, prepared and reset, or NULL with err set. */
static sqlite3_stmt *
stmt(struct sq *s, enum story_stmt id, struct mld_err *err)
{
    return sq_prepare(s, &s->story->v[id], story_sql[id], err);
}

/* Signatures --------------------------------------------------------------- */

/* What clustering compares of one article: its own (computed) or a
 * candidate's (read from story_sig). */
struct sig {
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

/* The topic blob lists the leading topics first (sig_store); all topics
 * fit in a vector, so the leading ones are never cut off. */
_Static_assert(MLD_MAX_TOPICS <= MLD_SIM_VECTOR_TERMS, "a topic vector holds every topic");

/* Little-endian writers and readers for the blobs. */
static void
put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Encodes a vector as (u32 term, f32 weight) pairs into out (8 bytes a
 * term); returns the length. */
static int
vec_encode(const struct mld_sim_vec *v, unsigned char *out)
{
    for (int i = 0; i < v->n; i++) {
        uint32_t w;
        memcpy(&w, &v->v[i].w, sizeof(w));
        put_u32(out + 8 * i, v->v[i].term);
        put_u32(out + 8 * i + 4, w);
    }
    return v->n * 8;
}

/* Decodes a vector blob; a malformed one decodes empty. */
static void
vec_decode(struct mld_sim_vec *v, const unsigned char *p, int len)
{
    v->n = 0;
    if (p == NULL || len % 8 != 0 || len / 8 > MLD_SIM_VECTOR_TERMS)
        return;
    for (int i = 0; i < len / 8; i++) {
        uint32_t w = get_u32(p + 8 * i + 4);
        v->v[i].term = get_u32(p + 8 * i);
        memcpy(&v->v[i].w, &w, sizeof(w));
    }
    v->n = len / 8;
}

/* Decodes a blob of at most max u32 values into out; returns how many (0
 * for a malformed one). */
static int
u32s_decode(uint32_t *out, int max, const unsigned char *p, int len)
{
    if (p == NULL || len % 4 != 0 || len / 4 > max)
        return 0;
    for (int i = 0; i < len / 4; i++)
        out[i] = get_u32(p + 4 * i);
    return len / 4;
}

/* Orders vector entries by term. */
static int
cmp_weight_term(const void *a, const void *b)
{
    uint32_t x = ((const struct mld_sim_weight *)a)->term;
    uint32_t y = ((const struct mld_sim_weight *)b)->term;
    return (x > y) - (x < y);
}

/* Reads article id's signature and story. Returns 1 when found, 0 when
 * not (its shown version is not usable, or it was never analysed), or
 * MLD_E_STORE. Reads story_sig alone: the article row would cost its
 * text's overflow pages to reach story_id. */
static int
sig_load(struct sq *s, int64_t id, struct sig *g, int64_t *story, struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_SIG_GET, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "read story signature");
    g->published = sqlite3_column_int64(st, 0);
    const unsigned char *p = sqlite3_column_blob(st, 1);
    int len = sqlite3_column_bytes(st, 1);
    g->has_minhash = p != NULL && len == 2 * MLD_SIM_MINHASH;
    for (int i = 0; g->has_minhash && i < MLD_SIM_MINHASH; i++)
        g->minhash[i] = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    g->nheadline = u32s_decode(g->headline, MLD_SIM_HEADLINE_TERMS, sqlite3_column_blob(st, 2),
                               sqlite3_column_bytes(st, 2));
    vec_decode(&g->terms, sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3));
    vec_decode(&g->topics, sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
    /* Stored with the leading topics first; compared sorted by term. */
    g->nlead = g->topics.n >= 2 ? 2 : 0;
    for (int i = 0; i < g->nlead; i++)
        g->lead[i] = g->topics.v[i].term;
    qsort(g->topics.v, (size_t)g->topics.n, sizeof(g->topics.v[0]), cmp_weight_term);
    *story = sqlite3_column_int64(st, 5);
    vec_decode(&g->tf, sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6));
    g->npeople = u32s_decode(g->people, MLD_STORY_PEOPLE, sqlite3_column_blob(st, 7),
                             sqlite3_column_bytes(st, 7));
    return 1;
}

/* Writes the signature of article id of story. */
static int
sig_store(struct sq *s, int64_t id, int64_t story, const struct sig *g, struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_SIG_PUT, err);
    if (st == NULL)
        return MLD_E_STORE;
    unsigned char mh[2 * MLD_SIM_MINHASH], head[4 * MLD_SIM_HEADLINE_TERMS];
    unsigned char terms[8 * MLD_SIM_VECTOR_TERMS], topics[8 * MLD_SIM_VECTOR_TERMS],
        tf[8 * MLD_SIM_VECTOR_TERMS];
    for (int i = 0; i < MLD_SIM_MINHASH; i++) {
        mh[2 * i] = (unsigned char)g->minhash[i];
        mh[2 * i + 1] = (unsigned char)(g->minhash[i] >> 8);
    }
    for (int i = 0; i < g->nheadline; i++)
        put_u32(head + 4 * i, g->headline[i]);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, g->published);
    if (g->has_minhash)
        sqlite3_bind_blob(st, 3, mh, sizeof(mh), SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, head, 4 * g->nheadline, SQLITE_STATIC);
    /* The topics with the leading ones first (sig_load). */
    struct mld_sim_vec lead_first = g->topics;
    for (int k = 0; k < g->nlead; k++)
        for (int i = k; i < lead_first.n; i++)
            if (lead_first.v[i].term == g->lead[k]) {
                struct mld_sim_weight t = lead_first.v[k];
                lead_first.v[k] = lead_first.v[i];
                lead_first.v[i] = t;
                break;
            }
    sqlite3_bind_blob(st, 5, terms, vec_encode(&g->terms, terms), SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, topics, vec_encode(&lead_first, topics), SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, story);
    sqlite3_bind_blob(st, 8, tf, vec_encode(&g->tf, tf), SQLITE_STATIC);
    unsigned char people[4 * MLD_STORY_PEOPLE];
    for (int i = 0; i < g->npeople; i++)
        put_u32(people + 4 * i, g->people[i]);
    sqlite3_bind_blob(st, 9, people, 4 * g->npeople, SQLITE_STATIC);
    return sq_step_done(s, st, err, "store story signature");
}

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

/* Adds (post) or removes article id's top terms to or from the index. */
static int
post_terms(struct sq *s, int64_t id, const struct sig *g, bool post, struct mld_err *err)
{
    int top[MLD_STORY_TOP_TERMS];
    int n = top_terms(&g->terms, top, MLD_STORY_TOP_TERMS);
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st = stmt(s, post ? T_TERM_ADD : T_TERM_DEL, err);
        if (st == NULL)
            return MLD_E_STORE;
        sqlite3_bind_int64(st, 1, g->terms.v[top[i]].term);
        sqlite3_bind_int64(st, 2, g->published);
        sqlite3_bind_int64(st, 3, id);
        if (post)
            sqlite3_bind_int(st, 4, (int)lround(g->terms.v[top[i]].w * 10000.0));
        int rc = sq_step_done(s, st, err, "update the story term index");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Document frequencies ----------------------------------------------------- */

/* A story_df key and where its frequency goes. */
struct df_key {
    int64_t key;
    int64_t *df;
};

/* Orders df keys. */
static int
cmp_df_key(const void *a, const void *b)
{
    int64_t x = ((const struct df_key *)a)->key, y = ((const struct df_key *)b)->key;
    return (x > y) - (x < y);
}

/* Sets *k[i].df to the document frequency of each k[i].key (0 when
 * unknown), counting one more document for each first when add is set.
 * One statement for all: the keys go in as a JSON array. */
static int
dfs(struct sq *s, struct df_key *k, int n, bool add, struct mld_err *err)
{
    if (n > 0)
        qsort(k, (size_t)n, sizeof(*k), cmp_df_key);
    struct mld_buf json;
    mld_buf_init(&json, (size_t)n * 24 + 16); /* 20 digits, a sign and a comma a key */
    mld_buf_putc(&json, '[');
    for (int i = 0; i < n; i++) {
        *k[i].df = 0;
        mld_buf_printf(&json, i ? ",%" PRId64 : "%" PRId64, k[i].key);
    }
    mld_buf_puts(&json, "]");
    sqlite3_stmt *st = stmt(s, add ? T_DF_ADD : T_DF_GET, err);
    int rc = MLD_E_STORE;
    if (st == NULL)
        goto out;
    sqlite3_bind_text(st, 1, json.p, (int)json.len, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct df_key want = {.key = sqlite3_column_int64(st, 0)};
        struct df_key *at = bsearch(&want, k, (size_t)n, sizeof(*k), cmp_df_key);
        for (; at != NULL && at > k && at[-1].key == want.key; at--)
            ;
        for (; at != NULL && at < k + n && at->key == want.key; at++)
            *at->df = sqlite3_column_int64(st, 1);
    }
    /* A RETURNING statement stays busy until reset, and a busy write
     * statement keeps the transaction from committing. */
    sqlite3_reset(st);
    rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "count document frequencies");
out:
    mld_buf_dispose(&json);
    return rc;
}

/* Returns the id of the unordered pair of topics a and b. */
static uint32_t
lead_pair(uint32_t a, uint32_t b)
{
    unsigned char key[8];
    put_u32(key, a < b ? a : b);
    put_u32(key + 4, a < b ? b : a);
    return mld_sim_term_id((const char *)key, sizeof(key));
}

/* Computes a's signature g at published from its features f; counts a
 * as a new document in the frequencies when count is set. */
static int
sig_make(struct sq *s, const struct mld_article *a, const struct mld_sim_features *f,
         mld_time_t published, bool count, struct sig *g, struct mld_err *err)
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
    int64_t docs, lead_df = 0, *df = mld_calloc((size_t)f->ntf + MLD_MAX_TOPICS, sizeof(*df));
    struct df_key *k = mld_calloc((size_t)f->ntf + MLD_MAX_TOPICS + 2, sizeof(*k));
    struct mld_sim_weight w[MLD_MAX_TOPICS];
    int n = 0, nt = 0;
    k[n++] = (struct df_key){DF_DOCS, &docs};
    for (int i = 0; i < f->ntf; i++)
        k[n++] = (struct df_key){f->tf[i].term, &df[i]};
    for (int i = 0; i < a->ntopics && nt < MLD_MAX_TOPICS; i++) {
        uint32_t t = mld_story_topic_id(a->topics[i]);
        bool dup = t == 0;
        for (int j = 0; j < nt && !dup; j++)
            dup = w[j].term == t;
        if (dup)
            continue;
        w[nt] = (struct mld_sim_weight){t, (float)(1.0 / (1.0 + TOPIC_RANK_DECAY * i))};
        k[n++] = (struct df_key){DF_TOPIC + t, &df[f->ntf + nt++]};
    }
    if (nt >= 2) {
        g->nlead = 2;
        g->lead[0] = w[0].term;
        g->lead[1] = w[1].term;
        k[n++] = (struct df_key){DF_LEAD + lead_pair(w[0].term, w[1].term), &lead_df};
    }
    int rc = dfs(s, k, n, count, err);
    if (rc == 0) {
        double *idf = mld_calloc(f->ntf > 0 ? (size_t)f->ntf : 1, sizeof(*idf));
        /* The tf vector: every idf 1. A table has none: its words (the
         * same company or team names every day) are no evidence of one
         * event. */
        for (int i = 0; i < f->ntf; i++)
            idf[i] = 1;
        if (!mld_sim_tabular(f))
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
    mld_free(df);
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

/* Reads the postings of one term: the newest (and, when newer articles
 * than the window's end exist, the newest within the window). */
static int
read_term(struct sq *s, int64_t self, const struct sig *g, uint32_t term, double w,
          struct cands *c, struct mld_err *err)
{
    mld_time_t lo = g->published - MLD_STORY_WINDOW_SECS, hi = g->published + MLD_STORY_WINDOW_SECS;
    int first = c->n;
    bool beyond = false;
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = stmt(s, pass == 0 ? T_TERM_NEWEST : T_TERM_WINDOW, err);
        if (st == NULL)
            return MLD_E_STORE;
        sqlite3_bind_int64(st, 1, term);
        if (pass == 0) {
            sqlite3_bind_int(st, 2, MLD_STORY_TERM_POSTINGS);
        } else {
            sqlite3_bind_int64(st, 2, lo);
            sqlite3_bind_int64(st, 3, hi);
            sqlite3_bind_int(st, 4, MLD_STORY_TERM_POSTINGS);
        }
        int last = c->n, rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            mld_time_t t = sqlite3_column_int64(st, 2);
            beyond |= t > hi;
            bool seen = id == self;
            for (int i = first; i < last && !seen; i++)
                seen = c->v[i].id == id;
            if (!seen)
                cand_add(c, id, w * sqlite3_column_int(st, 1) / 10000.0, 0);
        }
        if (rc != SQLITE_DONE)
            return sq_error(s, err, "read the story term index");
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
collect(struct sq *s, int64_t id, const struct mld_article *a, const struct sig *g,
        const char *headline_slug, struct cands *c, struct mld_err *err)
{
    int top[MLD_STORY_TOP_TERMS];
    int n = top_terms(&g->terms, top, MLD_STORY_TOP_TERMS), rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = read_term(s, id, g, g->terms.v[top[i]].term, g->terms.v[top[i]].w, c, err);
    if (rc == 0 && headline_slug != NULL) {
        sqlite3_stmt *st = stmt(s, T_SAME_HEADLINE, err);
        if (st == NULL)
            return MLD_E_STORE;
        sq_bind_text(st, 1, headline_slug);
        sqlite3_bind_int64(st, 2, g->published - MLD_STORY_WINDOW_SECS);
        sqlite3_bind_int64(st, 3, g->published + MLD_STORY_WINDOW_SECS);
        sqlite3_bind_int64(st, 4, id);
        sqlite3_bind_int(st, 5, MLD_STORY_TOPIC_POSTINGS);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            cand_add(c, sqlite3_column_int64(st, 0), 0, C_HEADLINE);
        rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read same headlines");
    }
    for (int i = 0; i < a->ntopics && i < MLD_STORY_TOPICS && rc == 0; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        sqlite3_stmt *st = stmt(s, T_TOPIC_NEWEST, err);
        if (st == NULL)
            return MLD_E_STORE;
        sq_bind_text(st, 1, slug);
        sqlite3_bind_int(st, 2, MLD_STORY_TOPIC_POSTINGS + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (sqlite3_column_int64(st, 0) != id)
                cand_add(c, sqlite3_column_int64(st, 0), 0, C_TOPIC);
        rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read topic neighbours");
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

/* Scores the candidates worth it against g: every one found by headline
 * or topic, and the MLD_STORY_SCORED best by their first score. */
static int
score(struct sq *s, const struct sig *g, struct cands *c, struct mld_err *err)
{
    if (c->n > 0)
        qsort(c->v, (size_t)c->n, sizeof(*c->v), cmp_first);
    int by_text = 0;
    for (int i = 0; i < c->n; i++) {
        struct cand *x = &c->v[i];
        bool text = x->dot > 0 && by_text < MLD_STORY_SCORED;
        if (!text && !(x->flags & (C_HEADLINE | C_TOPIC)))
            continue;
        by_text += text;
        struct sig o;
        int rc = sig_load(s, x->id, &o, &x->story, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        x->scored = true;
        x->published = o.published;
        struct mld_story_pair *f = &x->f;
        f->id = x->id;
        f->same_headline = (x->flags & C_HEADLINE) != 0;
        f->jaccard = g->has_minhash && o.has_minhash ? mld_sim_minhash(g->minhash, o.minhash)
                                                     : -1;
        f->headline = mld_sim_jaccard(g->headline, g->nheadline, o.headline, o.nheadline, NULL);
        f->shared_topics = shared_terms(&g->topics, &o.topics);
        f->tf = mld_sim_cosine(&g->tf, &o.tf);
        f->shared_people = 0;
        for (int j = 0; j < g->npeople; j++)
            for (int k = 0; k < o.npeople; k++)
                f->shared_people += g->people[j] == o.people[k];
        f->cosine = mld_sim_cosine(&g->terms, &o.terms);
        f->shared_terms = shared_terms(&g->terms, &o.terms);
        f->topics = mld_sim_cosine(&g->topics, &o.topics);
        f->subject = g->lead_subject && o.nlead == 2 &&
                     ((o.lead[0] == g->lead[0] && o.lead[1] == g->lead[1]) ||
                      (o.lead[0] == g->lead[1] && o.lead[1] == g->lead[0]));
    }
    return 0;
}

/* Stories ------------------------------------------------------------------- */

/* Writes why a joined x's story under rule r: the rule's words, the
 * topics both share (by a's names: the candidate's are ids only) when
 * text or a person joined them, the rule's code. */
static void
put_reason(struct mld_buf *b, enum mld_story_rule r, const struct cand *x,
           const struct mld_article *a, const struct sig *g, struct sq *s)
{
    mld_story_reason(b, r, &x->f);
    if (r != MLD_STORY_TEXT && r != MLD_STORY_PERSON) {
        mld_story_reason_end(b, r);
        return;
    }
    /* The shared topics, by a's names: the candidate's are ids only. */
    struct sig o;
    int64_t story;
    if (sig_load(s, x->id, &o, &story, NULL) != 1) {
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

/* Returns the published time of a story's first article, or MLD_E_STORE;
 * 0 when it is gone. */
static mld_time_t
story_start(struct sq *s, int64_t story, struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_ARTICLE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, story);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return sqlite3_column_int64(st, 0);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story start");
}

/* Reads the ids of story's articles into ids (at most max), sets *n, and
 * *editors when an editor moved any article into or out of it. */
static int
story_members(struct sq *s, int64_t story, int64_t *ids, int max, int *n, bool *editors,
              struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_ED_TOUCHED, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, story);
    int rc = sqlite3_step(st);
    *editors = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_error(s, err, "read editors' story decisions");
    sqlite3_reset(st);
    st = stmt(s, T_MEMBER_IDS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, story);
    sqlite3_bind_int(st, 2, max);
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story members");
}

/* Moves the articles ids[0..n) into story to (their reasons stay; the
 * first of their story, which has none, gets why), logging their keys
 * before and after. */
static int
move_members(struct sq *s, const int64_t *ids, int n, int64_t to, const char *why,
             struct mld_err *err)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = sq_log_article_keys(s, ids[i], err);
        for (int k = 0; k < 2 && rc == 0; k++) {
            sqlite3_stmt *st = stmt(s, k == 0 ? T_MOVE : T_MOVE_SIG, err);
            if (st == NULL)
                return MLD_E_STORE;
            sqlite3_bind_int64(st, 1, ids[i]);
            sqlite3_bind_int64(st, 2, to);
            if (k == 0)
                sq_bind_text(st, 3, why);
            rc = sq_step_done(s, st, err, "merge stories");
        }
        if (rc == 0)
            rc = sq_log_article_keys(s, ids[i], err);
    }
    return rc;
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
merge_links(struct sq *s, int64_t id, const struct links *l, struct cands *c, int64_t *story,
            struct mld_err *err)
{
    int64_t ids[MLD_STORY_MERGE_MEMBERS + 1], keep[MLD_STORY_MERGE_STORIES + 1];
    int nkeep = 0, rc = 0;
    *story = l->story[0];
    for (int i = 0; i < l->n && rc == 0; i++) {
        int n;
        bool editors;
        rc = story_members(s, l->story[i], ids, MLD_STORY_MERGE_MEMBERS + 1, &n, &editors, err);
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
        rc = story_members(s, keep[i], ids, MLD_STORY_MERGE_MEMBERS, &n, &editors, err);
        if (rc == 0)
            rc = move_members(s, ids, n, to, why, err);
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
assign_story(struct sq *s, int64_t id, const struct mld_article *a, const struct sig *g,
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
    sqlite3_stmt *st = stmt(s, T_SET_STORY, err);
    if (rc != 0 || st == NULL)
        return rc != 0 ? rc : MLD_E_STORE;
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    if (best != NULL)
        put_reason(&b, best_rule, best, a, g, s);
    mld_buf_putc(&b, '\0');
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, *story);
    sq_bind_text(st, 3, best ? b.p : NULL);
    rc = sq_step_done(s, st, err, "set story");
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

/* Adds article id's entry to the list of article owner, unless owner's
 * list holds a better one of the same story or MLD_RELATED_MAX better
 * ones; replaces the entry of the same story, or else the weakest, when
 * it does not. Sets *changed when the list changed. */
static int
offer(struct sq *s, int64_t owner, struct entry e, bool *changed, struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_REL_LIST, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, owner);
    struct entry weakest = {0}, same = {0};
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct entry x = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_double(st, 2), 0};
        if (x.id == e.id || x.story == e.story)
            same = x;
        if (n++ == 0 || x.score < weakest.score)
            weakest = x;
    }
    if (rc != SQLITE_DONE)
        return sq_error(s, err, "read related list");
    *changed = false;
    struct entry out = {0};
    if (same.id != 0) {
        if (same.id != e.id && same.score >= e.score)
            return 0;
        out = same;
    } else if (n >= MLD_RELATED_MAX) {
        if (weakest.score >= e.score)
            return 0;
        out = weakest;
    }
    if (out.id != 0) {
        st = stmt(s, T_REL_DEL, err);
        if (st == NULL)
            return MLD_E_STORE;
        sqlite3_bind_int64(st, 1, owner);
        sqlite3_bind_int64(st, 2, out.id);
        if ((rc = sq_step_done(s, st, err, "update related list")) != 0)
            return rc;
    }
    st = stmt(s, T_REL_ADD, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, owner);
    sqlite3_bind_int64(st, 2, e.id);
    sqlite3_bind_int64(st, 3, e.story);
    sqlite3_bind_double(st, 4, e.score);
    *changed = out.id != e.id || out.score != e.score;
    return sq_step_done(s, st, err, "update related list");
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
relate(struct sq *s, int64_t id, int64_t story, const struct sig *g, const struct cands *c,
       struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_REL_CLEAR, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sq_step_done(s, st, err, "clear related list");
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
    for (int i = 0; i < n && i < MLD_STORY_OFFERS && rc == 0; i++) {
        bool changed = false;
        struct entry e = {id, story, mld_story_related_score(mine[i].score, g->published), 0};
        rc = offer(s, mine[i].id, e, &changed, err);
        if (rc == 0 && changed) {
            char key[32];
            snprintf(key, sizeof(key), "a:%" PRId64, mine[i].id);
            rc = sq_log_key(s, key, err);
        }
    }
    /* Own list: by score, which adds recency to relevance. */
    for (int i = 0; i < n; i++)
        mine[i].score = mld_story_related_score(mine[i].score, mine[i].published);
    qsort(mine, (size_t)n, sizeof(*mine), cmp_entry);
    for (int i = 0; i < n && i < MLD_RELATED_MAX && rc == 0; i++) {
        st = stmt(s, T_REL_ADD, err);
        if (st == NULL) {
            rc = MLD_E_STORE;
            break;
        }
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, mine[i].id);
        sqlite3_bind_int64(st, 3, mine[i].story);
        sqlite3_bind_double(st, 4, mine[i].score);
        rc = sq_step_done(s, st, err, "write related list");
    }
    mld_free(mine);
    return rc;
}

/* Putting an article ------------------------------------------------------- */

/* How update() treats an article. */
enum mode {
    M_INSERT,  /* a new article: count its terms, decide its story */
    M_UPDATE,  /* a newer version: replace signature and related list */
    M_REBUILD, /* filling the derived tables anew: count, keep the story */
};

/* Reads article id's published time and story. */
static int
article_row(struct sq *s, int64_t id, mld_time_t *published, int64_t *story,
            struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_ARTICLE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return sq_error(s, err, "read article for its story");
    *published = sqlite3_column_int64(st, 0);
    *story = sqlite3_column_int64(st, 1);
    return 0;
}

/* Takes article id's old signature out of the index (a newer version or
 * a withdrawal replaces it). */
static int
unpost(struct sq *s, int64_t id, struct mld_err *err)
{
    struct sig old;
    int64_t story;
    int rc = sig_load(s, id, &old, &story, err);
    if (rc <= 0)
        return rc;
    rc = post_terms(s, id, &old, false, err);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = stmt(s, T_SIG_DEL, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    return sq_step_done(s, st, err, "delete story signature");
}

/* The work of sq_story_put() and of a rebuild for one article; pre, when
 * not NULL, holds a's features already computed. */
static int
update(struct sq *s, int64_t id, const struct mld_article *a,
       const struct mld_sim_features *pre, enum mode mode, struct mld_err *err)
{
    mld_time_t published = 0;
    int64_t story = id;
    int rc = article_row(s, id, &published, &story, err);
    if (rc == 0 && mode == M_UPDATE)
        rc = unpost(s, id, err);
    if (rc != 0)
        return rc;
    if (a->pubstatus != MLD_PUB_USABLE) {
        /* Not shown: no candidate for anything. A new one is a story of
         * its own (it is not clustered when a later version is usable). */
        if (mode != M_INSERT)
            return 0;
        sqlite3_stmt *st = stmt(s, T_SET_STORY, err);
        if (st == NULL)
            return MLD_E_STORE;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, id);
        return sq_step_done(s, st, err, "set story");
    }

    struct mld_sim_features own = {0};
    if (pre == NULL)
        mld_sim_features_init(&own, a);
    struct sig g;
    struct cands c = {0};
    rc = sig_make(s, a, pre != NULL ? pre : &own, published, mode != M_UPDATE, &g, err);
    mld_sim_features_dispose(&own);
    char slug[MLD_SLUG_MAX + 1];
    const char *headline = a->headline ? a->headline : "";
    bool by_headline = mode == M_INSERT && mld_slug(headline, strlen(headline), slug) > 0;
    if (rc == 0)
        rc = collect(s, id, a, &g, by_headline ? slug : NULL, &c, err);
    if (rc == 0)
        rc = score(s, &g, &c, err);
    if (rc == 0 && mode == M_INSERT)
        rc = assign_story(s, id, a, &g, &c, &story, err);
    if (rc == 0)
        rc = relate(s, id, story, &g, &c, err);
    if (rc == 0)
        rc = sig_store(s, id, story, &g, err);
    if (rc == 0)
        rc = post_terms(s, id, &g, true, err);
    mld_free(c.v);
    return rc;
}

int
sq_story_put(struct sq *s, int64_t id, const struct mld_article *a,
             const struct mld_sim_features *f, bool inserted, struct mld_err *err)
{
    return update(s, id, a, f, inserted ? M_INSERT : M_UPDATE, err);
}

/* Opening: the signature of the derived tables ------------------------------ */

/* Reads the signature the derived tables were built under into out
 * (empty when none). */
static int
stored_signature(struct sq *s, char *out, size_t cap, struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_META_GET, err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story signature");
}

/* Refills the derived tables from every article in id order, inside the
 * caller's transaction; stories stay as they are. */
static int
rebuild(struct sq *s, struct mld_err *err)
{
    int rc = sq_exec(s, "DELETE FROM story_sig; DELETE FROM story_term; DELETE FROM story_df; "
                        "DELETE FROM story_related",
                     err);
    sqlite3_stmt *ids;
    if (rc != 0)
        return rc;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM article WHERE pubstatus = 0 ORDER BY id", -1,
                           &ids, NULL) != SQLITE_OK)
        return sq_error(s, err, "list articles");
    long n = 0;
    while (rc == 0 && (rc = sqlite3_step(ids)) == SQLITE_ROW) {
        struct mld_item it = {0};
        rc = sq_get(s, sqlite3_column_int64(ids, 0), &it, err);
        if (rc == 0) {
            rc = update(s, it.id, it.a, NULL, M_REBUILD, err);
            mld_item_dispose(&it);
        }
        n++;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = sq_error(s, err, "list articles");
    sqlite3_finalize(ids);
    if (rc == 0) {
        sqlite3_stmt *st = stmt(s, T_META_SET, err);
        if (st == NULL)
            return MLD_E_STORE;
        sq_bind_text(st, 1, s->story->signature);
        rc = sq_step_done(s, st, err, "record story signature");
    }
    if (rc == 0 && n > 0)
        mld_log_info("%s: story signatures and related lists rebuilt for %ld articles (%s)",
                     s->path, n, s->story->signature);
    return rc;
}

int
sq_story_open(struct sq *s, struct mld_err *err)
{
    s->story = MLD_NEW(struct sq_story);
    snprintf(s->story->signature, sizeof(s->story->signature), "%d/%d/%d/%d/%d %s", STORY_LAYOUT,
             MLD_SIM_MINHASH, MLD_SIM_VECTOR_TERMS, MLD_SIM_HEADLINE_TERMS, MLD_STORY_TOP_TERMS,
             mld_analyzer_signature(mld_analyzer()));
    char had[sizeof(s->story->signature)];
    int rc = stored_signature(s, had, sizeof(had), err);
    if (rc != 0 || strcmp(had, s->story->signature) == 0)
        return rc;
    /* Only a rebuild takes the write lock, and checks again under it, so
     * two processes opening at once rebuild once. */
    rc = sq_txn_begin(s, err);
    if (rc != 0)
        return rc;
    rc = stored_signature(s, had, sizeof(had), err);
    if (rc == 0 && strcmp(had, s->story->signature) != 0)
        rc = rebuild(s, err);
    if (rc == 0)
        rc = sq_txn_commit(s, err);
    if (rc != 0)
        sq_txn_rollback(s);
    return rc;
}

void
sq_story_close(struct sq *s)
{
    /* close() finalizes the statements. */
    mld_free(s->story);
    s->story = NULL;
}

/* Reading -------------------------------------------------------------------- */

int
sq_story(void *impl, int64_t story_id, mld_time_t now, struct mld_items *out,
         struct mld_err *err)
{
    struct sq *s = impl;
    sqlite3_stmt *st = stmt(s, T_MEMBERS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, story_id);
    sqlite3_bind_int64(st, 2, now);
    int64_t *ids = NULL;
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ids = mld_reallocarray(ids, (size_t)n + 1, sizeof(*ids));
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    rc = rc == SQLITE_DONE ? sq_load_items(s, ids, n, now, false, out, err)
                           : sq_error(s, err, "read story");
    mld_free(ids);
    return rc;
}

/* The related articles picked so far: ids and their stories. */
struct picked {
    int64_t id[MLD_RELATED_MAX * 2], story[MLD_RELATED_MAX * 2];
    int n, limit;
    int64_t own_story;
};

/* Picks article id of story unless its story is taken (or a's own). */
static void
pick(struct picked *p, int64_t id, int64_t story)
{
    if (p->n >= p->limit || story == p->own_story)
        return;
    for (int i = 0; i < p->n; i++)
        if (p->story[i] == story)
            return;
    p->id[p->n] = id;
    p->story[p->n++] = story;
}

/* Fills p up with the newest visible articles of section (the newest of
 * each story), read from index article_section: as many rows as are
 * picked (they may be the section's newest) and twice the room left (a
 * story may come more than once). */
static int
fill_up(struct sq *s, const char *section, mld_time_t now, struct picked *p,
        struct mld_err *err)
{
    sqlite3_stmt *st = stmt(s, T_FILL, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, section);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, p->n + 2 * (p->limit - p->n));
    int rc = SQLITE_DONE;
    while (p->n < p->limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        pick(p, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    if (p->n < p->limit && rc != SQLITE_DONE)
        return sq_error(s, err, "read the newest of the section");
    sqlite3_reset(st);
    return 0;
}

int
sq_related(void *impl, int64_t id, mld_time_t now, int limit, struct mld_items *out,
           struct mld_err *err)
{
    struct sq *s = impl;
    struct picked p = {.limit = limit < MLD_RELATED_MAX * 2 ? limit : MLD_RELATED_MAX * 2};
    sqlite3_stmt *st = stmt(s, T_OWN_SECTION, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0; /* no such article: nothing is related */
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "read article");
    p.own_story = sqlite3_column_int64(st, 0);
    char section[MLD_SLUG_MAX + 1] = "";
    if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
        snprintf(section, sizeof(section), "%s", (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    st = stmt(s, T_REL_READ, err);
    if (st == NULL)
        return MLD_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        pick(&p, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    if (rc != SQLITE_DONE)
        return sq_error(s, err, "read related list");
    /* What is related comes first; the rest of the room, if any, goes to
     * the newest of the article's own section, marked as fill. */
    int related = p.n;
    if (p.n < p.limit && section[0] != '\0' && (rc = fill_up(s, section, now, &p, err)) != 0)
        return rc;
    rc = sq_load_items(s, p.id, p.n, now, true, out, err);
    for (int i = related; rc == 0 && i < out->n; i++)
        out->v[i].related_fill = true;
    return rc;
}
