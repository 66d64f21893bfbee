/*
 * sqlite_story.c - story clustering and related news for the store, on
 * SQLite and on PostgreSQL (store.h "Stories and related news"; the
 * method and its measurements are in docs/internals/stories.md).
 *
 * What to do with an article - its signature, candidates, story, related
 * lists - is decided above the backend, by src/enrich/story.c
 * (mld_story_update): put() calls sq_story_put() once article id holds
 * a's version, which runs that policy with this file's operations
 * (mld_story_sqlite, store_int.h struct mld_story_store_ops). Here the
 * signatures are stored (story_sig, blobs encoded little-endian), the top
 * terms posted (story_term), document frequencies counted (story_df),
 * related lists kept (story_related), and the narrow questions of a put
 * answered: the newest articles of a term, of a topic, of a headline; an
 * article's story; a story's members. A rebuild (the layout or the
 * analyzer changed) runs the policy over every article again.
 *
 * The SQL is written once for both engines (sql.h); only a few
 * statements differ (story_sql_pg): lists of keys and counts, whether
 * another connection changed the document frequencies, whether the
 * connection may write. Reads that stop at a LIMIT order ties as
 * SQLite's index does (published DESC, then the id), so both engines see
 * the same candidates and decide the same.
 *
 * Reading a list (sq_related) fills the room the related articles leave
 * with the newest of the article's section, marked as fill.
 * Readers filter by visibility, so a withdrawn or embargoed article drops
 * out of stories and related lists without any write; a withdrawn one
 * also leaves the term index, so it stops being a candidate.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../text/analyze.h"
#include "../enrich/story.h"
#include "store_int.h"
#include "../text/similar.h"
#include "../text/slug.h"

/* meta key of the signature the derived tables were built under. */
#define META_SIGNATURE "story_signature"

/* meta key of the version of story_df on PostgreSQL (sq_story_begin). */
#define META_DF_VERSION "story_df_version"

/* Layout version of the derived tables; with the limits they depend on
 * and the analyzer's signature it makes the stored signature. */
#define STORY_LAYOUT 4 /* 2: related lists by the text-first rule; 3: leading topics;
                          4: the tf vector and the headline's people (0015) */

#define STMT_MAP(X)                                                                          \
    X(DF_SET, "INSERT INTO story_df(term, df) VALUES (?1, ?2) "                             \
              "ON CONFLICT(term) DO UPDATE SET df = excluded.df")                            \
    X(DF_GET, "SELECT term, df FROM story_df WHERE term IN (SELECT value FROM json_each(?1))")\
    X(DATA_VERSION, "PRAGMA data_version")                                                   \
    X(DF_BUMP, "INSERT INTO meta(key, value) VALUES ('" META_DF_VERSION "', '1') "          \
               "ON CONFLICT(key) DO UPDATE SET value = "                                     \
               "CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT) RETURNING CAST(value AS BIGINT)")\
    X(ARTICLE, "SELECT published, story_id FROM article WHERE id = ?1")                      \
    X(SIG_GET, "SELECT published, minhash, headline, terms, topics, story_id, tf, people "   \
               "FROM story_sig WHERE article_id = ?1")                                       \
    X(SIG_GET_ALL, NULL)                                                                     \
    X(SIG_PUT, "INSERT INTO story_sig(article_id, published, minhash, headline, terms, "     \
               "topics, story_id, tf, people) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "  \
               "ON CONFLICT(article_id) DO UPDATE SET published = excluded.published, "      \
               "minhash = excluded.minhash, headline = excluded.headline, "                  \
               "terms = excluded.terms, topics = excluded.topics, "                          \
               "story_id = excluded.story_id, tf = excluded.tf, people = excluded.people")   \
    X(SIG_DEL, "DELETE FROM story_sig WHERE article_id = ?1")                                \
    X(TERM_ADD, "INSERT INTO story_term(term, published, article_id, weight) "              \
                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(term, published, article_id) "          \
                "DO UPDATE SET weight = excluded.weight")                                    \
    X(TERM_ADD_ALL, "INSERT INTO story_term(term, published, article_id, weight) "          \
                    "SELECT * FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS BIGINT[]), "      \
                    "CAST(?3 AS BIGINT[]), CAST(?4 AS BIGINT[])) "                          \
                    "ON CONFLICT(term, published, article_id) "                              \
                    "DO UPDATE SET weight = excluded.weight")                                \
    X(TERM_DEL, "DELETE FROM story_term WHERE term = ?1 AND published = ?2 "                 \
                "AND article_id = ?3")                                                       \
    X(TERM_NEWEST, "SELECT article_id, weight, published FROM story_term WHERE term = ?1 "   \
                   "ORDER BY published DESC, article_id DESC LIMIT ?2")                      \
    X(TERM_NEWEST_ALL, NULL)                                                                 \
    X(TERM_WINDOW, "SELECT article_id, weight, published FROM story_term WHERE term = ?1 "   \
                   "AND published BETWEEN ?2 AND ?3 "                                        \
                   "ORDER BY published DESC, article_id DESC LIMIT ?4")                      \
    X(TOPIC_NEWEST, "SELECT article_id FROM article_topic WHERE slug = ?1 "                  \
                    "ORDER BY article_id DESC LIMIT ?2")                                     \
    X(SAME_HEADLINE, "SELECT id FROM article WHERE story_key = ?1 AND published "            \
                     "BETWEEN ?2 AND ?3 AND id <> ?4 ORDER BY published DESC, id DESC "      \
                     "LIMIT ?5")                                                             \
    X(SET_STORY, "UPDATE article SET story_id = ?2, story_reason = ?3 WHERE id = ?1")        \
    X(MEMBER_IDS, "SELECT id FROM article WHERE story_id = ?1 ORDER BY id LIMIT ?2")         \
    X(ED_TOUCHED, "SELECT 1 FROM ed_story e JOIN article a ON a.id = e.article_id "          \
                  "WHERE a.story_id = ?1 LIMIT 1")                                           \
    X(MOVE, "UPDATE article SET story_id = ?2, story_reason = coalesce(story_reason, ?3) "   \
            "WHERE id = ?1")                                                                 \
    X(MOVE_SIG, "UPDATE story_sig SET story_id = ?2 WHERE article_id = ?1")                  \
    X(REL_CLEAR, "DELETE FROM story_related WHERE article_id = ?1")                          \
    X(REL_LIST_ALL, NULL)                                                                    \
    X(REL_ADD_ALL, NULL)                                                                     \
    X(REL_DEL_ALL, NULL)                                                                     \
    X(REL_ADD, "INSERT INTO story_related(article_id, related_id, story_id, score) "         \
               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(article_id, related_id) "                \
               "DO UPDATE SET story_id = excluded.story_id, score = excluded.score")         \
    X(REL_DEL, "DELETE FROM story_related WHERE article_id = ?1 AND related_id = ?2")        \
    X(REL_LIST, "SELECT related_id, story_id, score FROM story_related "                     \
                "WHERE article_id = ?1 ORDER BY related_id")                                 \
    X(REL_READ, "SELECT r.related_id, a.story_id FROM story_related r "                      \
                "JOIN article a ON a.id = r.related_id WHERE r.article_id = ?1 "             \
                "AND a.pubstatus = 0 AND a.visible_from <= ?2 "                              \
                "ORDER BY r.score DESC, r.related_id")                                       \
    X(OWN_SECTION, "SELECT story_id, section_slug FROM article WHERE id = ?1")               \
    X(FILL, "SELECT id, story_id FROM article WHERE section_slug = ?1 AND pubstatus = 0 "    \
            "AND visible_from <= ?2 ORDER BY published DESC, id LIMIT ?3")                   \
    X(MEMBERS, "SELECT id FROM article WHERE story_id = ?1 AND pubstatus = 0 "               \
               "AND visible_from <= ?2 ORDER BY published, id")                              \
    X(META_GET, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'")                   \
    X(META_SET, "INSERT INTO meta(key, value) VALUES ('" META_SIGNATURE "', ?1) "            \
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")                     \
    X(REBUILD_IDS, "SELECT id FROM article WHERE pubstatus = 0 ORDER BY id")                 \


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

/* What PostgreSQL runs instead, where one SQL cannot serve both: the keys
 * to read as an array (PostgreSQL has no json_each over an array), the
 * counts to write as two arrays, all in one statement (sq_story_flush),
 * and the version of story_df as a counter in meta, not SQLite's
 * data_version (sq_story_begin). The _ALL statements (NULL above) are
 * PostgreSQL's alone: the story decision's reads of many candidates,
 * terms or lists, and a related list's entries, in one statement each
 * where SQLite runs the one-row form per row (a round trip each on
 * PostgreSQL, a few microseconds in-process on SQLite); the last column
 * of a read names its row's key (the index in the array for terms: each
 * term's rows are put in order by terms_newest_all, not by a sort on the
 * server). */
static const char *const story_sql_pg[T_COUNT_] = {
    [T_SIG_GET_ALL] = "SELECT published, minhash, headline, terms, topics, story_id, tf, people, "
                      "article_id FROM story_sig WHERE article_id = ANY(CAST(?1 AS BIGINT[]))",
    [T_TERM_NEWEST_ALL] = "SELECT p.article_id, p.weight, p.published, t.n - 1 "
                          "FROM unnest(CAST(?1 AS BIGINT[])) WITH ORDINALITY AS t(term, n) "
                          "CROSS JOIN LATERAL (SELECT article_id, weight, published "
                          "FROM story_term WHERE term = t.term "
                          "ORDER BY published DESC, article_id DESC LIMIT ?2) p",
    [T_REL_LIST_ALL] = "SELECT related_id, story_id, score, article_id FROM story_related "
                       "WHERE article_id = ANY(CAST(?1 AS BIGINT[])) "
                       "ORDER BY article_id, related_id",
    [T_REL_ADD_ALL] = "INSERT INTO story_related(article_id, related_id, story_id, score) "
                      "SELECT * FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS BIGINT[]), "
                      "CAST(?3 AS BIGINT[]), CAST(?4 AS DOUBLE PRECISION[])) "
                      "ON CONFLICT(article_id, related_id) "
                      "DO UPDATE SET story_id = excluded.story_id, score = excluded.score",
    [T_REL_DEL_ALL] = "DELETE FROM story_related WHERE ctid = ANY(ARRAY("
                      "SELECT r.ctid FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS BIGINT[])) "
                      "AS u(a, b) CROSS JOIN LATERAL (SELECT ctid FROM story_related "
                      "WHERE article_id = u.a AND related_id = u.b LIMIT 1) r))",
    [T_DF_GET] = "SELECT term, df FROM story_df WHERE term = ANY(CAST(?1 AS BIGINT[]))",
    [T_DF_SET] = "INSERT INTO story_df(term, df) "
                 "SELECT * FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS BIGINT[])) "
                 "ON CONFLICT(term) DO UPDATE SET df = excluded.df",
    [T_DATA_VERSION] = "SELECT coalesce((SELECT CAST(value AS BIGINT) FROM meta "
                       "WHERE key = '" META_DF_VERSION "'), 0)",
};

/* Empties the derived tables (a rebuild). */
static const char story_clear_sql[] = "DELETE FROM story_sig; DELETE FROM story_term; "
                                      "DELETE FROM story_df; DELETE FROM story_related";

/* The SQL of statement id on db's engine. */
static const char *
story_stmt_sql(const struct sql_db *db, enum story_stmt id)
{
    return sql_pg(db) && story_sql_pg[id] != NULL ? story_sql_pg[id] : story_sql[id];
}

/* One key's count in this transaction: as read from story_df plus what
 * this transaction added (delta, written at the flush). */
struct df_entry {
    int64_t key, count, delta;
};

/* A change made inside a savepoint: entry at, and its values before. */
struct df_undo {
    int32_t at;
    int64_t count, delta;
};

struct df_cache {
    struct df_entry *v;  /* dense, in order of first use */
    int n, cap;
    int32_t *dirty;      /* the entries counted since the last flush */
    int ndirty, capdirty;
    int64_t version;     /* the version of story_df the counts are of (sq_story_begin) */
    bool emptied;        /* story_df emptied in this transaction (a rebuild) */
    int32_t *slot;       /* open addressing over v: index + 1, 0 free */
    int nslot;           /* a power of two, at least twice n */
    struct df_undo *undo;
    int nundo, capundo;
    int *mark;           /* nundo when each open savepoint began */
    int nmark, capmark;
};

/* PostgreSQL: the top terms of one article's put, posted to story_term
 * together (posts_flush) rather than one statement each. */
struct posts {
    int64_t term[MLD_STORY_TOP_TERMS], published[MLD_STORY_TOP_TERMS];
    int64_t id[MLD_STORY_TOP_TERMS], weight[MLD_STORY_TOP_TERMS];
    int n;
};

struct sq_story {
    struct sql_stmt *v[T_COUNT_]; /* prepared on first use; close() finalizes */
    char signature[160];       /* what the derived tables must be built under */
    struct df_cache df;        /* this transaction's document frequencies */
    struct posts posts;        /* PostgreSQL: posts not yet written */
};

/* Returns statement id, prepared and reset, or NULL with err set. */
static struct sql_stmt *
stmt(struct sq *s, enum story_stmt id, struct mld_err *err)
{
    return sq_prepare(s, &s->story->v[id], story_stmt_sql(&s->db, id), err);
}

/* Signatures --------------------------------------------------------------- */

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

/* Decodes the signature and story of T_SIG_GET's row in st. */
static void
sig_decode(struct sql_stmt *st, struct mld_story_sig *g, int64_t *story)
{
    g->published = sql_column_int64(st, 0);
    const unsigned char *p = sql_column_blob(st, 1);
    int len = sql_column_bytes(st, 1);
    g->has_minhash = p != NULL && len == 2 * MLD_SIM_MINHASH;
    for (int i = 0; g->has_minhash && i < MLD_SIM_MINHASH; i++)
        g->minhash[i] = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    g->nheadline = u32s_decode(g->headline, MLD_SIM_HEADLINE_TERMS, sql_column_blob(st, 2),
                               sql_column_bytes(st, 2));
    vec_decode(&g->terms, sql_column_blob(st, 3), sql_column_bytes(st, 3));
    vec_decode(&g->topics, sql_column_blob(st, 4), sql_column_bytes(st, 4));
    /* Stored with the leading topics first; compared sorted by term. */
    g->nlead = g->topics.n >= 2 ? 2 : 0;
    for (int i = 0; i < g->nlead; i++)
        g->lead[i] = g->topics.v[i].term;
    qsort(g->topics.v, (size_t)g->topics.n, sizeof(g->topics.v[0]), cmp_weight_term);
    *story = sql_column_int64(st, 5);
    vec_decode(&g->tf, sql_column_blob(st, 6), sql_column_bytes(st, 6));
    g->npeople = u32s_decode(g->people, MLD_STORY_PEOPLE, sql_column_blob(st, 7),
                             sql_column_bytes(st, 7));
}

/* Reads article id's signature and story. Returns 1 when found, 0 when
 * not (its shown version is not usable, or it was never analysed), or
 * MLD_E_STORE. Reads story_sig alone: the article row would cost its
 * text's overflow pages to reach story_id. */
static int
sig_load(struct sq *s, int64_t id, struct mld_story_sig *g, int64_t *story, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_SIG_GET, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int rc = sql_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "read story signature");
    sig_decode(st, g, story);
    return 1;
}

/* PostgreSQL: reads the signatures of ids[0..n) in one statement
 * (T_SIG_GET_ALL) into g[i], story[i], found[i]. */
static int
sigs_load(struct sq *s, const int64_t *ids, int n, struct mld_story_sig *g, int64_t *story,
          bool *found, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_SIG_GET_ALL, err);
    if (st == NULL)
        return MLD_E_STORE;
    struct mld_buf list;
    sq_bind_ints(st, 1, &list, ids, n);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        int64_t id = sql_column_int64(st, 8);
        for (int i = 0; i < n; i++) {
            if (ids[i] == id) {
                sig_decode(st, &g[i], &story[i]);
                found[i] = true;
                break;
            }
        }
    }
    sql_reset(st);
    mld_buf_dispose(&list);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story signatures");
}

/* Writes the signature of article id of story. */
static int
sig_store(struct sq *s, int64_t id, int64_t story, const struct mld_story_sig *g, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_SIG_PUT, err);
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
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, g->published);
    if (g->has_minhash)
        sql_bind_blob(st, 3, mh, sizeof(mh));
    sql_bind_blob(st, 4, head, 4 * g->nheadline);
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
    sql_bind_blob(st, 5, terms, vec_encode(&g->terms, terms));
    sql_bind_blob(st, 6, topics, vec_encode(&lead_first, topics));
    sql_bind_int64(st, 7, story);
    sql_bind_blob(st, 8, tf, vec_encode(&g->tf, tf));
    unsigned char people[4 * MLD_STORY_PEOPLE];
    for (int i = 0; i < g->npeople; i++)
        put_u32(people + 4 * i, g->people[i]);
    sql_bind_blob(st, 9, people, 4 * g->npeople);
    return sq_step_done(s, st, err, "store story signature");
}

/* Document frequencies ----------------------------------------------------- *
 *
 * Every article counts its ~200 keys (terms, topics, the leading pair,
 * the document count). Written through to story_df one statement an
 * article, that upsert was half of a put's story work; most keys of a
 * batch recur (the document count in every article, common stems in
 * most). So the counts are kept here: a key is read from story_df the
 * first time the connection needs it (one statement for all of an
 * article's new keys), counted in memory, and each count a transaction
 * changed is written once, just before its COMMIT (sq_story_flush). The
 * counts a put sees are the ones a write-through gave it, so the
 * decisions stay the same, and the table is written in the same
 * transaction, so a crash keeps both or neither. They stay from one
 * transaction to the next while no other connection changes
 * story_df (sq_story_begin); a rollback forgets them all.
 *
 * Savepoints: a file of a batch that fails is rolled back to its
 * savepoint (sqlite.c sq_begin), and its counts must go with it. Each
 * change made inside a savepoint logs the entry's previous count in an
 * undo log; a rollback to the savepoint replays it backwards. Over
 * MLD_STORY_DF_CACHE keys the counts are forgotten at the commit, or
 * written early and forgotten within a transaction without savepoints
 * (a rebuild), never inside a savepoint: a rollback to it would take
 * back the table's rows but not the memory's. */

/* Keys kept at most; a variable so that tests can shrink it. */
static int df_cache_max = MLD_STORY_DF_CACHE;

static size_t
df_hash(int64_t key, int nslot)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32) & (size_t)(nslot - 1);
}

/* Returns the index of key's entry, or -1. */
static int
df_find(const struct df_cache *c, int64_t key)
{
    if (c->nslot == 0)
        return -1;
    for (size_t i = df_hash(key, c->nslot);; i = (i + 1) & (size_t)(c->nslot - 1)) {
        int32_t at = c->slot[i];
        if (at == 0)
            return -1;
        if (c->v[at - 1].key == key)
            return at - 1;
    }
}

/* Rebuilds the slots of c->v[0..n) in nslot slots. */
static void
df_reindex(struct df_cache *c, int nslot)
{
    if (nslot != c->nslot) {
        mld_free(c->slot);
        c->slot = mld_calloc((size_t)nslot, sizeof(*c->slot));
        c->nslot = nslot;
    } else {
        memset(c->slot, 0, (size_t)nslot * sizeof(*c->slot));
    }
    for (int k = 0; k < c->n; k++) {
        size_t i = df_hash(c->v[k].key, nslot);
        while (c->slot[i] != 0)
            i = (i + 1) & (size_t)(nslot - 1);
        c->slot[i] = k + 1;
    }
}

/* Adds key with count (read from story_df); returns its index. */
static int
df_add(struct df_cache *c, int64_t key, int64_t count)
{
    if (2 * (c->n + 1) > c->nslot)
        df_reindex(c, c->nslot ? 2 * c->nslot : 1024);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->v = mld_reallocarray(c->v, (size_t)c->cap, sizeof(*c->v));
    }
    c->v[c->n] = (struct df_entry){key, count, 0};
    size_t i = df_hash(key, c->nslot);
    while (c->slot[i] != 0)
        i = (i + 1) & (size_t)(c->nslot - 1);
    c->slot[i] = c->n + 1;
    return c->n++;
}

/* Forgets every count (not the savepoints open). */
static void
df_clear(struct df_cache *c)
{
    c->n = 0;
    c->ndirty = 0;
    c->nundo = 0;
    c->emptied = false;
    for (int i = 0; i < c->nmark; i++)
        c->mark[i] = 0;
    if (c->nslot > 0)
        memset(c->slot, 0, (size_t)c->nslot * sizeof(*c->slot));
}

static void
df_dispose(struct df_cache *c)
{
    mld_free(c->v);
    mld_free(c->dirty);
    mld_free(c->slot);
    mld_free(c->undo);
    mld_free(c->mark);
    memset(c, 0, sizeof(*c));
}

/* Counts one more document for entry at, logging the old values inside
 * a savepoint. */
static void
df_count(struct df_cache *c, int at)
{
    if (c->nmark > 0) {
        if (c->nundo == c->capundo) {
            c->capundo = c->capundo ? 2 * c->capundo : 1024;
            c->undo = mld_reallocarray(c->undo, (size_t)c->capundo, sizeof(*c->undo));
        }
        c->undo[c->nundo++] = (struct df_undo){at, c->v[at].count, c->v[at].delta};
    }
    if (c->v[at].delta == 0) {
        if (c->ndirty == c->capdirty) {
            c->capdirty = c->capdirty ? 2 * c->capdirty : 1024;
            c->dirty = mld_reallocarray(c->dirty, (size_t)c->capdirty, sizeof(*c->dirty));
        }
        c->dirty[c->ndirty++] = at;
    }
    c->v[at].count++;
    c->v[at].delta++;
}

/* Reads the counts of the keys of k[0..n) not in the cache from story_df
 * into it (0 for a key the table lacks): one statement, given the keys as
 * a JSON array on SQLite, as an array literal on PostgreSQL (T_DF_GET). */
static int
df_load(struct sq *s, const int64_t *k, int n, struct mld_err *err)
{
    struct df_cache *c = &s->story->df;
    int first = c->n;
    bool pg = sql_pg(&s->db);
    struct mld_buf keys;
    mld_buf_init(&keys, (size_t)n * 24 + 16); /* 20 digits, a sign and a comma a key */
    mld_buf_putc(&keys, pg ? '{' : '[');
    for (int i = 0; i < n; i++) {
        if (df_find(c, k[i]) >= 0)
            continue;
        sq_list_int(&keys, k[i]);
        df_add(c, k[i], 0);
    }
    mld_buf_putc(&keys, pg ? '}' : ']');
    int rc = 0;
    if (c->n > first) {
        struct sql_stmt *st = stmt(s, T_DF_GET, err);
        if (st == NULL) {
            rc = MLD_E_STORE;
        } else {
            sql_bind_text(st, 1, keys.p, (int)keys.len);
            while ((rc = sql_step(st)) == SQLITE_ROW) {
                int at = df_find(c, sql_column_int64(st, 0));
                if (at >= first)
                    c->v[at].count = sql_column_int64(st, 1);
            }
            sql_reset(st);
            rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read document frequencies");
        }
        if (rc != 0) { /* unread: not kept */
            c->n = first;
            df_reindex(c, c->nslot);
        }
    }
    mld_buf_dispose(&keys);
    return rc;
}

/* Orders dirty entries (indexes into the cache ud) by key. */
static int
cmp_dirty(const void *a, const void *b, void *ud)
{
    const struct df_cache *c = ud;
    int64_t x = c->v[*(const int32_t *)a].key, y = c->v[*(const int32_t *)b].key;
    return (x > y) - (x < y);
}

/* PostgreSQL: counts one more version of story_df (sq_story_begin), the
 * one the cache now holds. */
static int
df_bump(struct sq *s, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_DF_BUMP, err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc = sql_step(st);
    if (rc == SQLITE_ROW)
        s->story->df.version = sql_column_int64(st, 0);
    sql_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_error(s, err, "count the version of document frequencies");
}

/* SQLite: writes each count changed (T_DF_SET), in key order; sets
 * *wrote when there was any. */
static int
df_write_each(struct sq *s, bool *wrote, struct mld_err *err)
{
    struct df_cache *c = &s->story->df;
    int rc = 0;
    for (int i = 0; i < c->ndirty && rc == 0; i++) {
        struct df_entry *e = &c->v[c->dirty[i]];
        if (e->delta == 0) /* counted in a savepoint rolled back */
            continue;
        struct sql_stmt *st = stmt(s, T_DF_SET, err);
        if (st == NULL)
            return MLD_E_STORE;
        sql_bind_int64(st, 1, e->key);
        sql_bind_int64(st, 2, e->count);
        rc = sq_step_done(s, st, err, "count document frequencies");
        e->delta = 0;
        *wrote = true;
    }
    return rc;
}

/* PostgreSQL: writes the counts changed in one statement, the keys and
 * the counts as two arrays (T_DF_SET), in key order. There every
 * statement is a round trip to the server, and a put changes about 200
 * counts: one statement each was more than half of all the statements a
 * put ran. Sets *wrote when there was any. */
static int
df_write_all(struct sq *s, bool *wrote, struct mld_err *err)
{
    struct df_cache *c = &s->story->df;
    struct mld_buf keys, counts;
    size_t max = (size_t)c->ndirty * 21 + 3; /* 20 characters and a comma a number */
    mld_buf_init(&keys, max);
    mld_buf_init(&counts, max);
    mld_buf_putc(&keys, '{');
    mld_buf_putc(&counts, '{');
    int n = 0;
    for (int i = 0; i < c->ndirty; i++) {
        struct df_entry *e = &c->v[c->dirty[i]];
        if (e->delta == 0) /* counted in a savepoint rolled back */
            continue;
        sq_list_int(&keys, e->key);
        sq_list_int(&counts, e->count);
        e->delta = 0;
        n++;
    }
    mld_buf_putc(&keys, '}');
    mld_buf_putc(&counts, '}');
    int rc = 0;
    if (n > 0) {
        struct sql_stmt *st = stmt(s, T_DF_SET, err);
        if (st == NULL) {
            rc = MLD_E_STORE;
        } else {
            sql_bind_text(st, 1, keys.p, (int)keys.len);
            sql_bind_text(st, 2, counts.p, (int)counts.len);
            rc = sq_step_done(s, st, err, "count document frequencies");
        }
        *wrote = true;
    }
    mld_buf_dispose(&keys);
    mld_buf_dispose(&counts);
    return rc;
}

int
sq_story_flush(struct sq *s, struct mld_err *err)
{
    if (s->story == NULL) /* before sq_story_open(): the migrations */
        return 0;
    struct df_cache *c = &s->story->df;
    int rc = 0;
    bool wrote = c->emptied;
    /* In key order, the table's: each write lands next to the last.
     * (On SQLite, one statement over a JSON array of all of them cost
     * twice as much: json_each and printing the numbers.) */
    if (c->ndirty > 0)
        qsort_r(c->dirty, (size_t)c->ndirty, sizeof(*c->dirty), cmp_dirty, c);
    rc = sql_pg(&s->db) ? df_write_all(s, &wrote, err) : df_write_each(s, &wrote, err);
    if (rc == 0 && wrote && sql_pg(&s->db))
        rc = df_bump(s, err);
    c->ndirty = 0;
    c->nundo = 0;
    c->emptied = false;
    /* Failed: the caller rolls back, which forgets every count. Too
     * many kept: forgotten too, now that they are written (a batch puts
     * every file inside a savepoint, so dfs() rarely gets to). */
    if (rc != 0 || c->n > df_cache_max)
        df_clear(c);
    return rc;
}

int
sq_story_begin(struct sq *s, struct mld_err *err)
{
    if (s->story == NULL)
        return 0;
    /* The counts stay from one transaction to the next while no other
     * connection changed story_df. SQLite says whether another wrote the
     * file: its data_version is the same. PostgreSQL has nothing like it
     * for a table (its statistics lag and are not transactional), and
     * other nodes write too, so every transaction that changes story_df
     * counts one more version in meta (sq_story_flush, df_bump) and a
     * connection keeps its counts while the version is the one it wrote
     * or read last. That is only right because write transactions run
     * one at a time (the backend's advisory lock, taken before this is
     * read in a statement of its own, so this reads every commit before
     * it) and every write to story_df goes through this file (but for
     * meldung migrate's copy into a new database, copy.c, which no node
     * writes to yet). A version
     * read at a transaction's start is the one its counts are read at:
     * no one else writes until it commits. */
    struct df_cache *c = &s->story->df;
    struct sql_stmt *st = stmt(s, T_DATA_VERSION, err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc = sql_step(st);
    int64_t version = rc == SQLITE_ROW ? sql_column_int64(st, 0) : -1;
    sql_reset(st);
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "read the data version");
    if (version != c->version)
        df_clear(c);
    c->version = version;
    return 0;
}

void
sq_story_discard(struct sq *s)
{
    if (s->story != NULL) {
        df_clear(&s->story->df);
        s->story->df.nmark = 0;
    }
}

void
sq_story_savepoint(struct sq *s)
{
    if (s->story == NULL)
        return;
    struct df_cache *c = &s->story->df;
    if (c->nmark == c->capmark) {
        c->capmark = c->capmark ? 2 * c->capmark : 4;
        c->mark = mld_reallocarray(c->mark, (size_t)c->capmark, sizeof(*c->mark));
    }
    c->mark[c->nmark++] = c->nundo;
}

void
sq_story_release(struct sq *s, bool rollback)
{
    if (s->story == NULL)
        return;
    struct df_cache *c = &s->story->df;
    if (c->nmark == 0)
        return;
    int mark = c->mark[--c->nmark];
    if (rollback)
        for (; c->nundo > mark; c->nundo--) {
            const struct df_undo *u = &c->undo[c->nundo - 1];
            c->v[u->at].count = u->count;
            c->v[u->at].delta = u->delta;
        }
    if (c->nmark == 0)
        c->nundo = 0; /* kept only for a rollback to an open savepoint */
}

/* Sets df[i] to the document frequency of keys[i] (0 when unknown),
 * counting one more document for each first when add is set. */
static int
dfs(struct sq *s, const int64_t *keys, int64_t *df, int n, bool add, struct mld_err *err)
{
    struct df_cache *c = &s->story->df;
    int rc = 0;
    if (c->nmark == 0 && c->n > df_cache_max) {
        rc = sq_story_flush(s, err);
        df_clear(c);
    }
    if (rc == 0)
        rc = df_load(s, keys, n, err);
    if (rc != 0)
        return rc;
    /* All counted first, then read: a key given twice reads its final
     * count both times, as one upsert of all keys did. */
    for (int i = 0; i < n && add; i++)
        df_count(c, df_find(c, keys[i]));
    for (int i = 0; i < n; i++)
        df[i] = c->v[df_find(c, keys[i])].count;
    return 0;
}

/* The operations the policy runs on (store_int.h) ------------------------- */

/* Runs statement id with ints a, b (and, for a text statement, text) bound
 * to ?1, ?2 (?3), to its end. */
static int
run2(struct sq *s, enum story_stmt id, int64_t a, int64_t b, const char *text, const char *what,
     struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, id, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, a);
    sql_bind_int64(st, 2, b);
    if (text != NULL || sql_bind_count(st) >= 3)
        sq_bind_text(st, 3, text);
    return sq_step_done(s, st, err, what);
}

/* Reads the rows of a retrieval statement (id, weight, published; the
 * weight and published time 0 where it has none) into out. */
static int
rows(struct sq *s, struct sql_stmt *st, int limit, struct mld_story_row *out, int *n,
     const char *what, struct mld_err *err)
{
    int rc = SQLITE_DONE; /* also for a limit of 0 */
    *n = 0;
    while (*n < limit && (rc = sql_step(st)) == SQLITE_ROW) {
        int cols = sql_column_count(st);
        out[(*n)++] = (struct mld_story_row){sql_column_int64(st, 0),
                                             cols > 1 ? sql_column_int(st, 1) : 0,
                                             cols > 2 ? sql_column_int64(st, 2) : 0};
    }
    if (*n == limit)
        rc = SQLITE_DONE;
    sql_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, what);
}

static int
op_df(void *impl, const int64_t *keys, int64_t *df, int n, bool add, struct mld_err *err)
{
    return dfs(impl, keys, df, n, add, err);
}

static int
op_sig_get(void *impl, int64_t id, struct mld_story_sig *g, int64_t *story, struct mld_err *err)
{
    return sig_load(impl, id, g, story, err);
}

static int
op_sigs_get(void *impl, const int64_t *ids, int n, struct mld_story_sig *g, int64_t *story,
            bool *found, struct mld_err *err)
{
    struct sq *s = impl;
    for (int i = 0; i < n; i++)
        found[i] = false;
    if (sql_pg(&s->db) && n > 1)
        return sigs_load(s, ids, n, g, story, found, err);
    for (int i = 0; i < n; i++) {
        int rc = sig_load(s, ids[i], &g[i], &story[i], err);
        if (rc < 0)
            return rc;
        found[i] = rc == 1;
    }
    return 0;
}

static int
op_sig_put(void *impl, int64_t id, int64_t story, const struct mld_story_sig *g,
           struct mld_err *err)
{
    return sig_store(impl, id, story, g, err);
}

static int
op_sig_del(void *impl, int64_t id, struct mld_err *err)
{
    return run2(impl, T_SIG_DEL, id, 0, NULL, "delete story signature", err);
}

/* PostgreSQL: writes the posts queued (op_post) in one statement, the
 * columns as arrays; before story_term is read or taken from, and at the
 * end of each article's update (story_update). */
static int
posts_flush(struct sq *s, struct mld_err *err)
{
    struct posts *q = &s->story->posts;
    if (q->n == 0)
        return 0;
    struct sql_stmt *st = stmt(s, T_TERM_ADD_ALL, err);
    if (st == NULL)
        return MLD_E_STORE;
    const int64_t *col[4] = {q->term, q->published, q->id, q->weight};
    struct mld_buf b[4];
    for (int c = 0; c < 4; c++)
        sq_bind_ints(st, c + 1, &b[c], col[c], q->n);
    q->n = 0;
    int rc = sq_step_done(s, st, err, "update the story term index");
    sql_reset(st);
    for (int c = 0; c < 4; c++)
        mld_buf_dispose(&b[c]);
    return rc;
}

static int
op_post(void *impl, uint32_t term, mld_time_t published, int64_t id, int weight,
        struct mld_err *err)
{
    struct sq *s = impl;
    struct posts *q = &s->story->posts;
    bool again = false; /* one statement may not write a row twice */
    for (int i = 0; i < q->n && !again; i++)
        again = q->term[i] == term && q->published[i] == published && q->id[i] == id;
    if (sql_pg(&s->db) && weight >= 0 && !again && q->n < MLD_STORY_TOP_TERMS) {
        q->term[q->n] = term;
        q->published[q->n] = published;
        q->id[q->n] = id;
        q->weight[q->n++] = weight;
        return 0;
    }
    int rc = posts_flush(s, err); /* in their order */
    if (rc != 0)
        return rc;
    if (sql_pg(&s->db) && weight >= 0)
        return op_post(impl, term, published, id, weight, err);
    struct sql_stmt *st = stmt(s, weight >= 0 ? T_TERM_ADD : T_TERM_DEL, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, term);
    sql_bind_int64(st, 2, published);
    sql_bind_int64(st, 3, id);
    if (weight >= 0)
        sql_bind_int(st, 4, weight);
    return sq_step_done(s, st, err, "update the story term index");
}

static int
op_term_newest(void *impl, uint32_t term, mld_time_t lo, mld_time_t hi, int limit,
               struct mld_story_row *out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    if (posts_flush(s, err) != 0)
        return MLD_E_STORE;
    struct sql_stmt *st = stmt(s, lo > hi ? T_TERM_NEWEST : T_TERM_WINDOW, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, term);
    if (lo > hi) {
        sql_bind_int(st, 2, limit);
    } else {
        sql_bind_int64(st, 2, lo);
        sql_bind_int64(st, 3, hi);
        sql_bind_int(st, 4, limit);
    }
    return rows(s, st, limit, out, n, "read the story term index", err);
}

/* Orders rows newest first, then by id descending (TERM_NEWEST's order). */
static int
cmp_newest(const void *a, const void *b)
{
    const struct mld_story_row *x = a, *y = b;
    if (x->published != y->published)
        return x->published < y->published ? 1 : -1;
    return (x->id < y->id) - (x->id > y->id);
}

/* PostgreSQL: term_newest of every term in one statement
 * (T_TERM_NEWEST_ALL); each term's rows ordered here. */
static int
terms_newest_all(struct sq *s, const uint32_t *terms, int nterms, int limit,
                 struct mld_story_row *out, int *n, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_TERM_NEWEST_ALL, err);
    if (st == NULL)
        return MLD_E_STORE;
    int64_t keys[MLD_STORY_TOP_TERMS];
    if (nterms > MLD_STORY_TOP_TERMS)
        return mld_err_set(err, MLD_E_STORE, "read the story term index: %d terms", nterms);
    for (int i = 0; i < nterms; i++) {
        keys[i] = terms[i];
        n[i] = 0;
    }
    struct mld_buf list;
    sq_bind_ints(st, 1, &list, keys, nterms);
    sql_bind_int(st, 2, limit);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        int64_t i = sql_column_int64(st, 3);
        if (i < 0 || i >= nterms || n[i] >= limit)
            continue;
        out[i * limit + n[i]++] = (struct mld_story_row){
            sql_column_int64(st, 0), sql_column_int(st, 1), sql_column_int64(st, 2)};
    }
    sql_reset(st);
    mld_buf_dispose(&list);
    for (int i = 0; i < nterms; i++)
        qsort(out + i * limit, (size_t)n[i], sizeof(*out), cmp_newest);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read the story term index");
}

static int
op_terms_newest(void *impl, const uint32_t *terms, int nterms, int limit,
                struct mld_story_row *out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    if (sql_pg(&s->db) && nterms > 1)
        return posts_flush(s, err) != 0 ? MLD_E_STORE
                                        : terms_newest_all(s, terms, nterms, limit, out, n, err);
    for (int i = 0; i < nterms; i++) {
        int rc = op_term_newest(impl, terms[i], 1, 0, limit, out + i * limit, &n[i], err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int
op_topic_newest(void *impl, const char *slug, int limit, struct mld_story_row *out, int *n,
                struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, T_TOPIC_NEWEST, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, slug);
    sql_bind_int(st, 2, limit);
    return rows(s, st, limit, out, n, "read topic neighbours", err);
}

static int
op_same_headline(void *impl, const char *slug, mld_time_t lo, mld_time_t hi, int64_t not_id,
                 int limit, struct mld_story_row *out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, T_SAME_HEADLINE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, slug);
    sql_bind_int64(st, 2, lo);
    sql_bind_int64(st, 3, hi);
    sql_bind_int64(st, 4, not_id);
    sql_bind_int(st, 5, limit);
    return rows(s, st, limit, out, n, "read same headlines", err);
}

static int
op_article(void *impl, int64_t id, mld_time_t *published, int64_t *story, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, T_ARTICLE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW) {
        *published = sql_column_int64(st, 0);
        *story = sql_column_int64(st, 1);
    }
    sql_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_error(s, err, "read article");
}

static int
op_set_story(void *impl, int64_t id, int64_t story, const char *reason, struct mld_err *err)
{
    return run2(impl, T_SET_STORY, id, story, reason, "set story", err);
}

static int
op_members(void *impl, int64_t story, int64_t *ids, int max, int *n, bool *editors,
           struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, T_ED_TOUCHED, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, story);
    int rc = sql_step(st);
    *editors = rc == SQLITE_ROW;
    sql_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_error(s, err, "read editors' story decisions");
    st = stmt(s, T_MEMBER_IDS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, story);
    sql_bind_int(st, 2, max);
    *n = 0;
    while (*n < max && (rc = sql_step(st)) == SQLITE_ROW)
        ids[(*n)++] = sql_column_int64(st, 0);
    sql_reset(st);
    return *n == max || rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story members");
}

static int
op_move(void *impl, int64_t id, int64_t to, const char *why, struct mld_err *err)
{
    struct sq *s = impl;
    int rc = sq_log_article_keys(s, id, err);
    if (rc == 0)
        rc = run2(s, T_MOVE, id, to, why, "merge stories", err);
    if (rc == 0)
        rc = run2(s, T_MOVE_SIG, id, to, NULL, "merge stories", err);
    return rc == 0 ? sq_log_article_keys(s, id, err) : rc;
}

/* Reads the rows of a related-list statement (related id, story, score;
 * with key, the owner's index among owners[0..nowners) in a fourth
 * column, else owner 0's) into out[owner * max ...], n[owner] each. */
static int
related_rows(struct sq *s, struct sql_stmt *st, bool key, const int64_t *owners, int nowners,
             struct mld_story_entry *out, int max, int *n, struct mld_err *err)
{
    int rc, i = 0;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        for (i = 0; key && i < nowners && owners[i] != sql_column_int64(st, 3); i++)
            ;
        if (i < nowners && n[i] < max)
            out[i * max + n[i]++] = (struct mld_story_entry){
                sql_column_int64(st, 0), sql_column_int64(st, 1), sql_column_double(st, 2)};
    }
    sql_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read related list");
}

static int
op_related(void *impl, const int64_t *owners, int nowners, struct mld_story_entry *out, int max,
           int *n, struct mld_err *err)
{
    struct sq *s = impl;
    bool all = sql_pg(&s->db) && nowners > 1;
    struct mld_buf list = {0};
    int rc = 0;
    for (int i = 0; i < nowners; i++)
        n[i] = 0;
    for (int i = 0; i < (all ? 1 : nowners) && rc == 0; i++) {
        struct sql_stmt *st = stmt(s, all ? T_REL_LIST_ALL : T_REL_LIST, err);
        if (st == NULL)
            return MLD_E_STORE;
        if (all)
            sq_bind_ints(st, 1, &list, owners, nowners);
        else
            sql_bind_int64(st, 1, owners[i]);
        rc = all ? related_rows(s, st, true, owners, nowners, out, max, n, err)
                 : related_rows(s, st, false, owners + i, 1, out + i * max, max, n + i, err);
    }
    if (all)
        mld_buf_dispose(&list);
    return rc;
}

/* PostgreSQL: the entries e[0..n) of the lists of owner[0..n) in one
 * statement (T_REL_ADD_ALL; a score as 17 digits, which read back as the
 * same double). */
static int
related_put_all(struct sq *s, const int64_t *owner, const struct mld_story_entry *e, int n,
                struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_REL_ADD_ALL, err);
    if (st == NULL)
        return MLD_E_STORE;
    int64_t *col = mld_calloc(2 * (size_t)n, sizeof(*col));
    struct mld_buf b[4];
    mld_buf_init(&b[3], SIZE_MAX);
    mld_buf_putc(&b[3], '{');
    for (int i = 0; i < n; i++) {
        col[i] = e[i].id;
        col[n + i] = e[i].story;
        mld_buf_printf(&b[3], i > 0 ? ",%.17g" : "%.17g", e[i].score);
    }
    mld_buf_putc(&b[3], '}');
    sq_bind_ints(st, 1, &b[0], owner, n);
    sq_bind_ints(st, 2, &b[1], col, n);
    sq_bind_ints(st, 3, &b[2], col + n, n);
    sql_bind_text(st, 4, b[3].p, (int)b[3].len);
    int rc = sq_step_done(s, st, err, "write related list");
    sql_reset(st);
    for (int c = 0; c < 4; c++)
        mld_buf_dispose(&b[c]);
    mld_free(col);
    return rc;
}

static int
op_related_put(void *impl, const int64_t *owner, const struct mld_story_entry *e, int n,
               struct mld_err *err)
{
    struct sq *s = impl;
    if (sql_pg(&s->db) && n > 1)
        return related_put_all(s, owner, e, n, err);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct sql_stmt *st = stmt(s, T_REL_ADD, err);
        if (st == NULL)
            return MLD_E_STORE;
        sql_bind_int64(st, 1, owner[i]);
        sql_bind_int64(st, 2, e[i].id);
        sql_bind_int64(st, 3, e[i].story);
        sql_bind_double(st, 4, e[i].score);
        rc = sq_step_done(s, st, err, "write related list");
    }
    return rc;
}

static int
op_related_del(void *impl, const int64_t *owner, const int64_t *related_id, int n,
               struct mld_err *err)
{
    struct sq *s = impl;
    bool all = sql_pg(&s->db) && n > 1;
    for (int i = 0; i < n && all; i++)
        all = related_id[i] != 0;
    if (all) {
        struct sql_stmt *st = stmt(s, T_REL_DEL_ALL, err);
        if (st == NULL)
            return MLD_E_STORE;
        struct mld_buf b[2];
        sq_bind_ints(st, 1, &b[0], owner, n);
        sq_bind_ints(st, 2, &b[1], related_id, n);
        int rc = sq_step_done(s, st, err, "update related lists");
        sql_reset(st);
        mld_buf_dispose(&b[0]);
        mld_buf_dispose(&b[1]);
        return rc;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = related_id[i] == 0
                 ? run2(s, T_REL_CLEAR, owner[i], 0, NULL, "clear related list", err)
                 : run2(s, T_REL_DEL, owner[i], related_id[i], NULL, "update related list", err);
    return rc;
}

static int
op_log_keys(void *impl, const char *const *keys, int n, struct mld_err *err)
{
    return sq_log_keys(impl, keys, n, err);
}

const struct mld_story_store_ops mld_story_sqlite = {
    .df = op_df,
    .sig_get = op_sig_get,
    .sigs_get = op_sigs_get,
    .sig_put = op_sig_put,
    .sig_del = op_sig_del,
    .post = op_post,
    .term_newest = op_term_newest,
    .terms_newest = op_terms_newest,
    .topic_newest = op_topic_newest,
    .same_headline = op_same_headline,
    .article = op_article,
    .set_story = op_set_story,
    .members = op_members,
    .move = op_move,
    .related = op_related,
    .related_put = op_related_put,
    .related_del = op_related_del,
    .log_keys = op_log_keys,
};

/* Updates the story tables for article id (mld_story_update), its
 * queued posts written before it returns. */
static int
story_update(struct sq *s, int64_t id, const struct mld_article *a,
             const struct mld_sim_features *f, enum mld_story_mode mode, struct mld_err *err)
{
    int rc = mld_story_update(&mld_story_sqlite, s, id, a, f, mode, err);
    if (rc == 0)
        rc = posts_flush(s, err);
    s->story->posts.n = 0; /* a failed update's are not written */
    return rc;
}

int
sq_story_put(struct sq *s, int64_t id, const struct mld_article *a,
             const struct mld_sim_features *f, bool inserted, struct mld_err *err)
{
    return story_update(s, id, a, f, inserted ? MLD_STORY_INSERT : MLD_STORY_UPDATE, err);
}

/* Opening: the signature of the derived tables ------------------------------ */

/* Reads the signature the derived tables were built under into out
 * (empty when none). */
static int
stored_signature(struct sq *s, char *out, size_t cap, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, T_META_GET, err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc = sql_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW)
        snprintf(out, cap, "%s", sql_column_text(st, 0));
    sql_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_error(s, err, "read story signature");
}

/* Refills the derived tables from every article in id order, inside the
 * caller's transaction; stories stay as they are. */
static int
rebuild(struct sq *s, struct mld_err *err)
{
    df_clear(&s->story->df);
    int rc = sq_exec(s, story_clear_sql, err);
    if (rc != 0)
        return rc;
    s->story->df.emptied = true; /* other nodes' counts are stale (sq_story_begin) */
    struct sql_stmt *ids = stmt(s, T_REBUILD_IDS, err);
    if (ids == NULL)
        return MLD_E_STORE;
    long n = 0;
    while (rc == 0 && (rc = sql_step(ids)) == SQLITE_ROW) {
        struct mld_item it = {0};
        rc = sq_get(s, sql_column_int64(ids, 0), &it, err);
        if (rc == 0) {
            rc = story_update(s, it.id, it.a, NULL, MLD_STORY_REBUILD, err);
            mld_item_dispose(&it);
        }
        n++;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = sq_error(s, err, "list articles");
    sql_reset(ids); /* PostgreSQL: frees the list; SQLite: ends its read */
    if (rc == 0) {
        struct sql_stmt *st = stmt(s, T_META_SET, err);
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
    /* A connection that may not write leaves the rebuild to the next
     * writer and reads the tables as they are (what readers read of
     * them, related lists and stories, does not depend on the layout):
     * on PostgreSQL a reader's session, or a node reading from a hot
     * standby, may run a newer meldung than the database's writers.
     * (SQLite's readers are made query-only after this.) */
    if ((rc = sq_read_only(s, err)) != 0) {
        if (rc == 1)
            mld_log_info("%s: story tables built under \"%s\", this meldung builds \"%s\": "
                         "left to a connection that writes",
                         s->path, had, s->story->signature);
        return rc == 1 ? 0 : rc;
    }
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
    if (s->story != NULL)
        df_dispose(&s->story->df);
    mld_free(s->story);
    s->story = NULL;
}

/* Reading -------------------------------------------------------------------- */

int
sq_story(void *impl, int64_t story_id, mld_time_t now, struct mld_items *out,
         struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, T_MEMBERS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, story_id);
    sql_bind_int64(st, 2, now);
    int64_t *ids = NULL;
    int n = 0, rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        ids = mld_reallocarray(ids, (size_t)n + 1, sizeof(*ids));
        ids[n++] = sql_column_int64(st, 0);
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
    struct sql_stmt *st = stmt(s, T_FILL, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, section);
    sql_bind_int64(st, 2, now);
    sql_bind_int(st, 3, p->n + 2 * (p->limit - p->n));
    int rc = SQLITE_DONE;
    while (p->n < p->limit && (rc = sql_step(st)) == SQLITE_ROW)
        pick(p, sql_column_int64(st, 0), sql_column_int64(st, 1));
    if (p->n < p->limit && rc != SQLITE_DONE)
        return sq_error(s, err, "read the newest of the section");
    sql_reset(st);
    return 0;
}

int
sq_related(void *impl, int64_t id, mld_time_t now, int limit, struct mld_items *out,
           struct mld_err *err)
{
    struct sq *s = impl;
    struct picked p = {.limit = limit < MLD_RELATED_MAX * 2 ? limit : MLD_RELATED_MAX * 2};
    struct sql_stmt *st = stmt(s, T_OWN_SECTION, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int rc = sql_step(st);
    if (rc == SQLITE_DONE)
        return 0; /* no such article: nothing is related */
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "read article");
    p.own_story = sql_column_int64(st, 0);
    char section[MLD_SLUG_MAX + 1] = "";
    if (sql_column_type(st, 1) == SQL_TEXT)
        snprintf(section, sizeof(section), "%s", sql_column_text(st, 1));
    sql_reset(st);
    st = stmt(s, T_REL_READ, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, now);
    while ((rc = sql_step(st)) == SQLITE_ROW)
        pick(&p, sql_column_int64(st, 0), sql_column_int64(st, 1));
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
