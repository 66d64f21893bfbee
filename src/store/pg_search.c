/*
 * pg_search.c - full-text search on PostgreSQL: the index writes and the
 * parts of a search that differ from SQLite's (docs/internals/search.md
 * for the search itself). sqlite_search.c runs the search on both engines and
 * calls these where the engines differ; everything else (the plan of the
 * terms, the vocabulary, windows and filters, story grouping, bm25, the
 * snippet window, "did you mean") is its code, run once for both.
 *
 * The index (src/store/pg/0004_search.sql) is search_doc: one row per
 * usable article, a tsvector of meldung's own tokens, written here from
 * the analyzer (src/text/analyze.h) as 'term':position, positions
 * numbered as FTS5 numbers them: headline, kicker and text one after the
 * other, each after a gap of one position. The server runs no meldung
 * code: triggers on article note the ids whose entry may be stale in
 * search_queue, and the commit (sq_search_flush) takes those entries out,
 * analyses the usable articles among them again and writes their rows,
 * counting the vocabulary's changes as SQLite's flush does.
 *
 * A search's expression is a tsquery written by the plan: each term a
 * phrase of its analyzer tokens ('a' <-> 'b', the last one :* for a
 * prefix), a common prefix its completions, and the parser's AND, OR,
 * NOT as &, |, & !. The GIN index finds the matching rows; for each one
 * the ranking statement returns the positions of the query's terms, from
 * which the phrases' instances per column are counted here, as FTS5's
 * xInst lists them: bm25 with the same weights, lengths and document
 * counts as on SQLite, and the page's snippets through the same
 * sq_snippet().
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "../text/analyze.h"

/* PostgreSQL's bounds of a tsvector: a lexeme's bytes, a position, the
 * bytes of its lexemes and positions (less than 1 MB). */
#define PG_LEXEME_MAX 2047
#define PG_POS_MAX 16383
#define PG_TERMS_MAX ((1u << 20) - 1)
#define PG_POS_KEPT 256 /* positions of one lexeme */

/* One phrase of the search's expression: its tokens, the last one a
 * prefix when prefix is set. */
struct pg_phrase {
    char **tok;
    int ntok;
    bool prefix;
    char *tsquery; /* the phrase alone, for counting the rows holding it */
};

struct sq_pg_search {
    struct pg_phrase *ph;
    int nph, cap;
    /* The index terms the phrases can match, space-separated: their
     * tokens, and every completion of a prefix in the vocabulary. */
    struct mld_buf terms;
    struct sql_stmt *doc_del, *doc_read, *doc_add, *queue_clear, *total_add, *total;
    struct sql_stmt *walk, *spell, *completions, *vocab_many;
};

static struct sq_pg_search *
state(struct sq *s)
{
    struct sq_pg_search **p = sq_search_pg(s);
    if (*p == NULL) {
        *p = MLD_NEW(struct sq_pg_search);
        mld_buf_init(&(*p)->terms, SIZE_MAX);
    }
    return *p;
}

void
sq_pg_plan_reset(struct sq *s)
{
    struct sq_pg_search *g = state(s);
    for (int i = 0; i < g->nph; i++) {
        for (int j = 0; j < g->ph[i].ntok; j++)
            mld_free(g->ph[i].tok[j]);
        mld_free(g->ph[i].tok);
        mld_free(g->ph[i].tsquery);
    }
    g->nph = 0;
    mld_buf_reset(&g->terms);
}

void
sq_pg_search_free(struct sq *s)
{
    struct sq_pg_search **p = sq_search_pg(s);
    if (*p == NULL)
        return;
    sq_pg_plan_reset(s);
    mld_free((*p)->ph);
    mld_buf_dispose(&(*p)->terms);
    mld_free(*p);
    *p = NULL;
}

/* Appends term[0..len) quoted as a tsvector or tsquery lexeme: inside
 * quotes only the quote and the backslash need escaping. */
static void
put_lexeme(struct mld_buf *b, const char *term, size_t len)
{
    mld_buf_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        if (term[i] == '\'' || term[i] == '\\')
            mld_buf_putc(b, term[i]);
        mld_buf_putc(b, term[i]);
    }
    mld_buf_putc(b, '\'');
}

/* The plan: phrases as tsquery ------------------------------------------ */

/* Collects a query term's tokens (an mld_token_fn). The analyzer makes no
 * colocated tokens on the query side (one per word). */
static int
phrase_token(void *ud, const struct mld_token *t)
{
    struct pg_phrase *p = ud;
    if (t->colocated || t->len > PG_LEXEME_MAX)
        return 0;
    p->tok = mld_reallocarray(p->tok, (size_t)p->ntok + 1, sizeof(*p->tok));
    p->tok[p->ntok++] = mld_strndup(t->term, t->len);
    return 0;
}

/* Adds an index term to the ones the search's rows return. */
static void
add_term(struct sq_pg_search *g, const char *term, size_t len)
{
    if (g->terms.len > 0)
        mld_buf_putc(&g->terms, ' ');
    mld_buf_append(&g->terms, term, len);
}

/* Adds every term of the vocabulary that starts with prefix (what the
 * index can hold of it): the rows return them for the prefix's
 * instances. */
static void
add_completions(struct sq *s, struct sq_pg_search *g, const char *prefix)
{
    struct sql_stmt *st =
        sq_prepare(s, &g->completions,
                   "SELECT term FROM search_vocab WHERE term >= ?1 AND term <= ?1 || ?2", NULL);
    if (st == NULL)
        return;
    sql_bind_text(st, 1, prefix, -1);
    sql_bind_text(st, 2, "\xF4\x8F\xBF\xBF", 4); /* U+10FFFF: after every completion */
    while (sql_step(st) == SQLITE_ROW)
        add_term(g, sql_column_text(st, 0), (size_t)sql_column_bytes(st, 0));
    sql_reset(st);
}

void
sq_pg_plan_phrase(struct sq *s, const char *text, size_t len, bool prefix, bool as_is,
                  struct mld_buf *b)
{
    struct sq_pg_search *g = state(s);
    if (g->nph == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->ph = mld_reallocarray(g->ph, (size_t)g->cap, sizeof(*g->ph));
    }
    struct pg_phrase *p = &g->ph[g->nph++];
    *p = (struct pg_phrase){.prefix = prefix};
    if (as_is) {
        p->tok = mld_malloc(sizeof(*p->tok));
        p->tok[p->ntok++] = mld_strndup(text, len);
    } else {
        mld_analyze(mld_analyzer(), text, len, prefix ? MLD_AN_QUERY | MLD_AN_PREFIX : MLD_AN_QUERY,
                    phrase_token, p);
    }
    struct mld_buf q;
    mld_buf_init(&q, 64 * 1024);
    mld_buf_putc(&q, '(');
    for (int i = 0; i < p->ntok; i++) {
        bool last_prefix = prefix && i == p->ntok - 1;
        if (i > 0)
            mld_buf_puts(&q, " <-> ");
        put_lexeme(&q, p->tok[i], strlen(p->tok[i]));
        if (last_prefix) {
            mld_buf_puts(&q, ":*");
            add_completions(s, g, p->tok[i]);
        } else {
            add_term(g, p->tok[i], strlen(p->tok[i]));
        }
    }
    if (p->ntok == 0) /* nothing to find (the parser keeps no such term) */
        mld_buf_puts(&q, "'\\x1f' & !'\\x1f'");
    mld_buf_putc(&q, ')');
    mld_buf_append(b, q.p, q.len);
    p->tsquery = mld_buf_steal(&q, NULL);
}

char *
sq_pg_tsquery(const char *match)
{
    static const struct {
        const char *op, *as;
    } ops[] = {{" AND ", " & "}, {" OR ", " | "}, {" NOT ", " & !"}};
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    for (const char *c = match; *c != '\0';) {
        if (*c == '\'') { /* a lexeme, '' inside it a quote */
            const char *e = c + 1;
            while (*e != '\0' && !(e[0] == '\'' && e[1] != '\''))
                e += e[0] == '\'' || e[0] == '\\' ? 2 : 1;
            size_t n = (size_t)(e - c) + (*e != '\0');
            mld_buf_append(&b, c, n);
            c += n;
            continue;
        }
        size_t i = 0;
        while (i < sizeof(ops) / sizeof(*ops) && strncmp(c, ops[i].op, strlen(ops[i].op)) != 0)
            i++;
        if (i < sizeof(ops) / sizeof(*ops)) {
            mld_buf_puts(&b, ops[i].as);
            c += strlen(ops[i].op);
        } else {
            mld_buf_putc(&b, *c++);
        }
    }
    return mld_buf_steal(&b, NULL);
}

void
sq_pg_params_pad(struct sq *s, struct mld_buf *sql, int n, bool where)
{
    if (!sql_pg(&s->db))
        return;
    bool first = true;
    for (int k = 1; k <= n; k++) {
        char name[16];
        int len = snprintf(name, sizeof(name), "?%d", k);
        bool named = false;
        for (const char *c = strstr(sql->p, name); c != NULL && !named; c = strstr(c + 1, name))
            named = c[len] < '0' || c[len] > '9';
        if (named)
            continue;
        mld_buf_printf(sql, "%s(CAST(?%d AS TEXT) IS NULL OR TRUE)",
                       first && where ? " WHERE " : " AND ", k);
        first = false;
    }
}

/* Positions: the query's terms in one row ------------------------------- */

/* The positions of the query's terms in a row, from the tsvector of
 * them the ranking statement returns ("'term':3A,17A 'other':5A"). */
struct row_terms {
    char *text; /* the terms, unquoted in place */
    struct row_term {
        const char *term;
        size_t len;
        int *pos;
        int npos;
    } * v;
    int n;
    int64_t base[3]; /* the first position of each column */
};

static void
row_terms_read(struct row_terms *r, const char *s, int64_t hlen, int64_t klen)
{
    *r = (struct row_terms){.text = mld_strdup(s != NULL ? s : "")};
    r->base[0] = 1;
    r->base[1] = hlen + 2;
    r->base[2] = hlen + klen + 3;
    for (char *c = r->text; *c == '\'';) {
        char *o = ++c, *term = o;
        for (; *c != '\0'; c++) { /* '' is a quote, \x is x */
            if (*c == '\'' && c[1] != '\'')
                break;
            if ((*c == '\'' || *c == '\\') && c[1] != '\0')
                c++;
            *o++ = *c;
        }
        struct row_term t = {term, (size_t)(o - term), NULL, 0};
        c += *c == '\'';
        if (*c == ':')
            c++;
        while (*c >= '0' && *c <= '9') {
            t.pos = mld_reallocarray(t.pos, (size_t)t.npos + 1, sizeof(int));
            t.pos[t.npos++] = (int)strtol(c, &c, 10);
            while (*c >= 'A' && *c <= 'D')
                c++;
            if (*c == ',')
                c++;
        }
        r->v = mld_reallocarray(r->v, (size_t)r->n + 1, sizeof(*r->v));
        r->v[r->n++] = t;
        while (*c == ' ')
            c++;
    }
}

static void
row_terms_dispose(struct row_terms *r)
{
    for (int i = 0; i < r->n; i++)
        mld_free(r->v[i].pos);
    mld_free(r->v);
    mld_free(r->text);
}

/* True when tok[0..) (a prefix when prefix) is a term of entry t. */
static bool
term_is(const struct row_term *t, const char *tok, bool prefix)
{
    size_t n = strlen(tok);
    return prefix ? t->len >= n && memcmp(t->term, tok, n) == 0
                  : t->len == n && memcmp(t->term, tok, n) == 0;
}

/* True when the row holds tok (a prefix when prefix) at position x. */
static bool
holds_at(const struct row_terms *r, const char *tok, bool prefix, int x)
{
    for (int i = 0; i < r->n; i++)
        if (term_is(&r->v[i], tok, prefix))
            for (int j = 0; j < r->v[i].npos; j++)
                if (r->v[i].pos[j] == x)
                    return true;
    return false;
}

static int
by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* Calls fn(ud, phrase, col, off) for each instance of each phrase in the
 * row: its first token at a position, the next ones at the positions
 * after it (in the same column: the gap between columns holds none). */
static void
instances(const struct sq_pg_search *g, const struct row_terms *r,
          void (*fn)(void *ud, int phrase, int col, int off), void *ud)
{
    for (int p = 0; p < g->nph; p++) {
        const struct pg_phrase *ph = &g->ph[p];
        if (ph->ntok == 0)
            continue;
        bool pre0 = ph->prefix && ph->ntok == 1;
        int *at = NULL, nat = 0;
        for (int i = 0; i < r->n; i++)
            if (term_is(&r->v[i], ph->tok[0], pre0)) {
                at = mld_reallocarray(at, (size_t)(nat + r->v[i].npos) + 1, sizeof(int));
                memcpy(at + nat, r->v[i].pos, (size_t)r->v[i].npos * sizeof(int));
                nat += r->v[i].npos;
            }
        if (nat > 1)
            qsort(at, (size_t)nat, sizeof(int), by_int);
        for (int k = 0; k < nat; k++) {
            if (k > 0 && at[k] == at[k - 1])
                continue; /* two completions of a prefix on one word */
            bool all = true;
            for (int i = 1; i < ph->ntok && all; i++)
                all = holds_at(r, ph->tok[i], ph->prefix && i == ph->ntok - 1, at[k] + i);
            if (!all)
                continue;
            int col = at[k] >= r->base[2] ? 2 : at[k] >= r->base[1] ? 1 : 0;
            fn(ud, p, col, (int)(at[k] - r->base[col]));
        }
        mld_free(at);
    }
}

/* The query's terms in d.terms, with their positions: the tsvector of
 * them alone (the terms listed get weight A, then only those are kept),
 * as text. One copy of the row's tsvector and a binary search per term,
 * where unnest() took every lexeme of the row apart. */
#define TERMS_SQL(list)                                                                      \
    "CAST(ts_filter(setweight(d.terms, 'A', string_to_array(CAST(" list " AS TEXT), ' ')), " \
    "'{a}') AS TEXT)"

void
sq_pg_bind_terms(struct sq *s, struct sql_stmt *st, int first)
{
    struct sq_pg_search *g = state(s);
    sql_bind_text(st, first, g->terms.p != NULL ? g->terms.p : "", (int)g->terms.len);
}

/* Ranking ----------------------------------------------------------------- */

/* Counts the rows holding phrase i (sq_rank_idf's walk). */
static int
walk_phrase(void *ud, int phrase, int64_t *n)
{
    struct sq *s = ud;
    struct sq_pg_search *g = state(s);
    if (phrase >= g->nph)
        return SQLITE_OK;
    struct sql_stmt *st = sq_prepare(
        s, &g->walk, "SELECT count(*) FROM search_doc WHERE terms @@ CAST(?1 AS tsquery)", NULL);
    if (st == NULL)
        return SQLITE_ERROR;
    sql_bind_text(st, 1, g->ph[phrase].tsquery, -1);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW)
        *n += sql_column_int64(st, 0);
    sql_reset(st);
    return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int
sq_pg_rank_fill(struct sq *s, struct sq_rank *st, struct mld_err *err)
{
    struct sq_pg_search *g = state(s);
    struct sql_stmt *q =
        sq_prepare(s, &g->total, "SELECT docs, tokens FROM search_total WHERE one = 1", err);
    if (q == NULL)
        return MLD_E_STORE;
    int64_t rows = 0, tokens = 0;
    if (sql_step(q) == SQLITE_ROW) {
        rows = sql_column_int64(q, 0);
        tokens = sql_column_int64(q, 1);
    }
    sql_reset(q);
    st->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
    if (sq_rank_idf(st, rows, walk_phrase, s) != SQLITE_OK)
        return sq_error(s, err, "search: count a phrase");
    st->ready = true;
    return 0;
}

void
sq_pg_ranking_head(struct mld_buf *sql, bool drive)
{
    mld_buf_puts(
        sql, "SELECT a.story_id, a.id, a.published, d.hlen, d.klen, d.tlen, " TERMS_SQL("?9") " ");
    if (drive)
        mld_buf_puts(sql, "FROM pick JOIN article a ON a.id = pick.id "
                          "JOIN search_doc d ON d.id = a.id "
                          "WHERE d.terms @@ CAST(?1 AS tsquery) ");
    else
        mld_buf_puts(sql, "FROM search_match(CAST(?1 AS tsquery), ?2, ?3) AS m(id) "
                          "JOIN search_doc d ON d.id = m.id JOIN article a ON a.id = d.id "
                          "WHERE true ");
}

/* Adds one instance's column weight to its term's frequency. */
struct freq {
    const struct sq_rank *rank;
    double f[SQ_RANK_PHRASES];
};

static void
add_freq(void *ud, int phrase, int col, int off)
{
    struct freq *f = ud;
    if (phrase < f->rank->nphrases && phrase < SQ_PLAN_PHRASES)
        f->f[f->rank->phrase_term[phrase]] += sq_rank_weight[col];
}

double
sq_pg_row_score(struct sq *s, struct sql_stmt *st, const struct sq_rank *rank, int64_t now)
{
    struct row_terms r;
    row_terms_read(&r, sql_column_text(st, 6), sql_column_int64(st, 3), sql_column_int64(st, 4));
    struct freq f = {rank, {0}};
    instances(state(s), &r, add_freq, &f);
    row_terms_dispose(&r);
    int64_t len = sql_column_int64(st, 3) + sql_column_int64(st, 4) + sql_column_int64(st, 5);
    return sq_rank_bm25(rank, f.f, len) * sq_rank_recency(now, sql_column_int64(st, 2));
}

/* Snippets ---------------------------------------------------------------- */

/* The text column's instances, for sq_snippet. */
struct text_inst {
    struct sq_inst *v;
    int n;
};

static void
add_inst(void *ud, int phrase, int col, int off)
{
    struct text_inst *t = ud;
    if (col != 2)
        return;
    t->v = mld_reallocarray(t->v, (size_t)t->n + 1, sizeof(*t->v));
    t->v[t->n++] = (struct sq_inst){phrase, off};
}

/* FTS5's order: by offset, then phrase. */
static int
by_offset(const void *pa, const void *pb)
{
    const struct sq_inst *a = pa, *b = pb;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return a->phrase < b->phrase ? -1 : a->phrase > b->phrase;
}

const char sq_pg_snippet_sql[] = "SELECT a.id, a.body_text, d.hlen, d.klen, d.tlen, " TERMS_SQL(
    "?5") " "
          "FROM search_doc d JOIN article a ON a.id = d.id "
          "WHERE d.id >= ?2 AND d.id <= ?3 AND d.id IN (SELECT CAST(value AS BIGINT) "
          "FROM json_array_elements_text(CAST(?4 AS json))) AND (CAST(?1 AS TEXT) IS NULL OR TRUE)";

char *
sq_pg_row_snippet(struct sq *s, struct sql_stmt *st)
{
    struct sq_pg_search *g = state(s);
    char *text = sq_col_text(st, 1), *made = NULL;
    if (text == NULL)
        return NULL;
    int *size = mld_calloc(g->nph > 0 ? (size_t)g->nph : 1, sizeof(int));
    for (int i = 0; i < g->nph; i++)
        size[i] = g->ph[i].ntok;
    struct row_terms r;
    row_terms_read(&r, sql_column_text(st, 5), sql_column_int64(st, 2), sql_column_int64(st, 3));
    struct text_inst ti = {NULL, 0};
    instances(g, &r, add_inst, &ti);
    if (ti.n > 1)
        qsort(ti.v, (size_t)ti.n, sizeof(*ti.v), by_offset);
    struct sq_snip sn = {
        ti.v, ti.n, size, g->nph, text, (int)strlen(text), (int)sql_column_int64(st, 4)};
    struct mld_buf b;
    mld_buf_init(&b, 8 * MLD_MAX_FIELD_BYTES);
    if (sq_snippet(&sn, &b) == SQLITE_OK && mld_buf_error(&b) == 0)
        made = b.p != NULL ? mld_buf_steal(&b, NULL) : mld_strdup("");
    mld_buf_dispose(&b);
    mld_free(ti.v);
    row_terms_dispose(&r);
    mld_free(size);
    mld_free(text);
    return made;
}

int64_t *
sq_pg_vocab_docs(struct sq *s, const char *list, int n)
{
    struct sq_pg_search *g = state(s);
    int64_t *docs = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*docs));
    struct sql_stmt *st = sq_prepare(s, &g->vocab_many,
                                     "SELECT term, docs FROM search_vocab WHERE term = ANY "
                                     "(string_to_array(CAST(?1 AS TEXT), ' '))",
                                     NULL);
    if (st == NULL)
        return docs;
    sql_bind_text(st, 1, list, -1);
    while (sql_step(st) == SQLITE_ROW) {
        const char *term = sql_column_text(st, 0);
        size_t len = strlen(term);
        int i = 0;
        for (const char *c = list; *c != '\0' && i < n; i++) {
            const char *e = strchr(c, ' ');
            size_t l = e != NULL ? (size_t)(e - c) : strlen(c);
            if (l == len && memcmp(c, term, len) == 0)
                docs[i] = sql_column_int64(st, 1);
            c += l + (e != NULL);
        }
    }
    sql_reset(st);
    return docs;
}

char *
sq_pg_spelling(struct sq *s, const char *term)
{
    struct sq_pg_search *g = state(s);
    struct sql_stmt *st =
        sq_prepare(s, &g->spell,
                   "SELECT d.id, d.hlen, d.klen, (SELECT min(p) FROM unnest(d.terms) u, "
                   "unnest(u.positions) p WHERE u.lexeme = CAST(?1 AS TEXT)) "
                   "FROM search_doc d WHERE d.terms @@ CAST(?2 AS tsquery) ORDER BY d.id LIMIT 1",
                   NULL);
    if (st == NULL)
        return NULL;
    struct mld_buf q;
    mld_buf_init(&q, 4096);
    put_lexeme(&q, term, strlen(term));
    sql_bind_text(st, 1, term, -1);
    sql_bind_text(st, 2, q.p, (int)q.len);
    char *word = NULL;
    if (sql_step(st) == SQLITE_ROW) {
        int64_t hlen = sql_column_int64(st, 1), klen = sql_column_int64(st, 2);
        int64_t x = sql_column_int64(st, 3);
        int64_t base[3] = {1, hlen + 2, hlen + klen + 3};
        int col = x >= base[2] ? 2 : x >= base[1] ? 1 : 0;
        word = sq_word_at(s, sql_column_int64(st, 0), col, x - base[col], term);
    }
    sql_reset(st);
    mld_buf_dispose(&q);
    return word;
}

/* The index writes ---------------------------------------------------------- */

/* One article's row as it is written: its tokens with their positions,
 * then the tsvector's text, and the columns' lengths. */
struct doc {
    struct sq *s;
    struct mld_buf terms; /* the tokens' bytes, one after the other */
    struct doc_tok {
        size_t at, len; /* in terms */
        int pos;
    } * tok;
    size_t ntok, cap;
    struct mld_buf tsv;
    int64_t base;   /* the first position of the column written */
    int64_t len[3]; /* positions per column */
    int col;
};

/* Notes one token at its position (an mld_token_fn): a token that is not
 * colocated starts a new position, as in FTS5 (the column's first always
 * does). */
static int
doc_token(void *ud, const struct mld_token *t)
{
    struct doc *d = ud;
    if (!t->colocated || d->len[d->col] == 0)
        d->len[d->col]++;
    if (t->len == 0 || t->len > PG_LEXEME_MAX)
        return 0; /* PostgreSQL keeps no such lexeme */
    int64_t pos = d->base + d->len[d->col] - 1;
    if (d->ntok == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 1024;
        d->tok = mld_reallocarray(d->tok, d->cap, sizeof(*d->tok));
    }
    d->tok[d->ntok++] =
        (struct doc_tok){d->terms.len, t->len, (int)(pos < PG_POS_MAX ? pos : PG_POS_MAX)};
    mld_buf_append(&d->terms, t->term, t->len);
    return 0;
}

/* The tokens in the order of their terms' bytes (in terms), then
 * positions (qsort_r: stores flush on several threads). */
static int
by_term(const void *pa, const void *pb, void *terms)
{
    const struct doc_tok *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp((const char *)terms + a->at, (const char *)terms + b->at, n);
    if (c != 0 || a->len != b->len)
        return c != 0 ? c : a->len < b->len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* One term of a row: its tokens [i, j) in the sorted list, its first
 * position, what it takes in the tsvector, and whether it is kept. */
struct doc_term {
    size_t i, j, take;
    int first;
    bool kept;
};

static int
by_first(const void *pa, const void *pb)
{
    const struct doc_term *a = *(struct doc_term *const *)pa, *b = *(struct doc_term *const *)pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Writes the row's tsvector text, each term once with its positions
 * ('term':1,5,9), and counts its terms into the vocabulary: what
 * PostgreSQL stores is what is counted. A tsvector holds less than 1 MB
 * of terms and positions (PG_TERMS_MAX), and 256 positions of a term:
 * past that (an article of a megabyte of distinct words) the terms that
 * come first in it are kept, the headline's first, rather than fail its
 * commit. */
static void
doc_write(struct doc *d)
{
    mld_buf_reset(&d->tsv);
    if (d->ntok > 1)
        qsort_r(d->tok, d->ntok, sizeof(*d->tok), by_term, d->terms.p);
    struct doc_term *t = NULL;
    size_t nt = 0, tcap = 0, bytes = 0;
    for (size_t i = 0, j; i < d->ntok; i = j) {
        const char *term = d->terms.p + d->tok[i].at;
        size_t len = d->tok[i].len, npos = 0;
        for (j = i; j < d->ntok && d->tok[j].len == len &&
                    memcmp(d->terms.p + d->tok[j].at, term, len) == 0;
             j++)
            npos += j == i || d->tok[j].pos != d->tok[j - 1].pos;
        /* its bytes (even), the count and the positions kept, two bytes each */
        size_t take = len + (len & 1) + 2 + 2 * (npos < PG_POS_KEPT ? npos : PG_POS_KEPT);
        if (nt == tcap) {
            tcap = tcap ? 2 * tcap : 512;
            t = mld_reallocarray(t, tcap, sizeof(*t));
        }
        t[nt++] = (struct doc_term){i, j, take, d->tok[i].pos, true};
        bytes += take;
    }
    if (bytes > PG_TERMS_MAX) { /* keep the terms that come first */
        struct doc_term **order = mld_malloc((nt ? nt : 1) * sizeof(*order));
        for (size_t k = 0; k < nt; k++)
            order[k] = &t[k];
        qsort(order, nt, sizeof(*order), by_first);
        bytes = 0;
        for (size_t k = 0; k < nt; k++) {
            order[k]->kept = bytes + order[k]->take <= PG_TERMS_MAX;
            bytes += order[k]->kept ? order[k]->take : 0;
        }
        mld_free(order);
    }
    for (size_t k = 0; k < nt; k++) {
        if (!t[k].kept)
            continue;
        const char *term = d->terms.p + d->tok[t[k].i].at;
        size_t len = d->tok[t[k].i].len;
        if (d->tsv.len > 0)
            mld_buf_putc(&d->tsv, ' ');
        put_lexeme(&d->tsv, term, len);
        for (size_t m = t[k].i; m < t[k].j; m++)
            if (m == t[k].i || d->tok[m].pos != d->tok[m - 1].pos)
                mld_buf_printf(&d->tsv, "%c%d", m == t[k].i ? ':' : ',', d->tok[m].pos);
        sq_vocab_count(d->s, term, len);
    }
    mld_free(t);
    mld_buf_reset(&d->terms);
    d->ntok = 0;
}

/* Takes the queued articles' rows out of the index, counting their terms
 * out of the vocabulary and their sizes out of the totals. */
static int
docs_out(struct sq *s, struct sq_pg_search *g, int64_t *ndocs, int64_t *ntokens,
         struct mld_err *err)
{
    struct sql_stmt *st =
        sq_prepare(s, &g->doc_del,
                   "DELETE FROM search_doc WHERE id IN (SELECT id FROM search_queue) "
                   "RETURNING hlen + klen + tlen, array_to_string(tsvector_to_array(terms), ' ')",
                   err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        (*ndocs)--;
        *ntokens -= sql_column_int64(st, 0);
        const char *terms = sql_column_text(st, 1);
        sq_vocab_row(s, -1);
        for (const char *c = terms; c != NULL && *c != '\0';) {
            const char *e = strchr(c, ' ');
            size_t n = e != NULL ? (size_t)(e - c) : strlen(c);
            sq_vocab_count(s, c, n);
            c += n + (e != NULL);
        }
        sq_vocab_row(s, 0);
    }
    sql_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "take articles out of the search index");
}

/* Indexes the queued articles that are usable. */
static int
docs_in(struct sq *s, struct sq_pg_search *g, int64_t *ndocs, int64_t *ntokens, struct mld_err *err)
{
    struct sql_stmt *st =
        sq_prepare(s, &g->doc_read,
                   "SELECT a.id, a.headline, a.kicker, a.body_text FROM search_queue q "
                   "JOIN article a ON a.id = q.id WHERE a.pubstatus = 0 ORDER BY a.id",
                   err);
    struct sql_stmt *add = sq_prepare(s, &g->doc_add,
                                      "INSERT INTO search_doc (id, terms, hlen, klen, tlen) "
                                      "VALUES (?1, CAST(?2 AS tsvector), ?3, ?4, ?5)",
                                      err);
    if (st == NULL || add == NULL)
        return MLD_E_STORE;
    struct doc d = {.s = s};
    mld_buf_init(&d.tsv, SIZE_MAX);
    mld_buf_init(&d.terms, SIZE_MAX);
    int rc, wrc = 0;
    while (wrc == 0 && (rc = sql_step(st)) == SQLITE_ROW) {
        d.base = 1;
        sq_vocab_row(s, 1);
        for (d.col = 0; d.col < 3; d.col++) {
            char *text = sq_col_text(st, 1 + d.col);
            d.len[d.col] = 0;
            if (text != NULL)
                sq_search_tokens(s, text, strlen(text), doc_token, &d);
            mld_free(text);
            d.base += d.len[d.col] + 1; /* a gap: no phrase across columns */
        }
        doc_write(&d);
        sq_vocab_row(s, 0);
        sql_bind_int64(add, 1, sql_column_int64(st, 0));
        sql_bind_text(add, 2, d.tsv.p != NULL ? d.tsv.p : "", (int)d.tsv.len);
        for (int c = 0; c < 3; c++)
            sql_bind_int64(add, 3 + c, d.len[c]);
        wrc = sq_step_done(s, add, err, "add an article to the search index");
        sql_reset(add);
        (*ndocs)++;
        *ntokens += d.len[0] + d.len[1] + d.len[2];
    }
    sql_reset(st);
    mld_buf_dispose(&d.tsv);
    mld_buf_dispose(&d.terms);
    mld_free(d.tok);
    if (wrc != 0)
        return wrc;
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read articles for the search index");
}

int
sq_pg_search_flush(struct sq *s, struct mld_err *err)
{
    struct sq_pg_search *g = state(s);
    int64_t ndocs = 0, ntokens = 0;
    int rc = docs_out(s, g, &ndocs, &ntokens, err);
    if (rc == 0)
        rc = docs_in(s, g, &ndocs, &ntokens, err);
    struct sql_stmt *clear =
        rc == 0 ? sq_prepare(s, &g->queue_clear, "DELETE FROM search_queue", err) : NULL;
    if (rc == 0)
        rc = clear != NULL ? sq_step_done(s, clear, err, "empty the search queue") : MLD_E_STORE;
    struct sql_stmt *total =
        rc == 0 && (ndocs != 0 || ntokens != 0)
            ? sq_prepare(s, &g->total_add,
                         "UPDATE search_total SET docs = docs + ?1, tokens = tokens + ?2 "
                         "WHERE one = 1",
                         err)
            : NULL;
    if (total != NULL) {
        sql_bind_int64(total, 1, ndocs);
        sql_bind_int64(total, 2, ntokens);
        rc = sq_step_done(s, total, err, "count the search index");
    } else if (rc == 0 && (ndocs != 0 || ntokens != 0)) {
        rc = MLD_E_STORE;
    }
    return rc;
}

/* Rebuilds the index from the usable articles, a batch of ids at a time
 * (each batch's texts are read at once), inside the caller's
 * transaction. */
int
sq_pg_search_rebuild(struct sq *s, struct mld_err *err)
{
    int rc = sq_exec(s,
                     "DELETE FROM search_doc; DELETE FROM search_vocab; DELETE FROM search_queue; "
                     "UPDATE search_total SET docs = 0, tokens = 0",
                     err);
    int64_t last = 0;
    while (rc == 0) {
        struct sql_stmt *st;
        if (sql_prepare(&s->db,
                        "INSERT INTO search_queue (id) SELECT id FROM article "
                        "WHERE pubstatus = 0 AND id > ?1 ORDER BY id LIMIT 1000 RETURNING id",
                        false, &st) != SQLITE_OK)
            return sq_error(s, err, "rebuild the search index");
        sql_bind_int64(st, 1, last);
        int64_t n = 0;
        int step;
        while ((step = sql_step(st)) == SQLITE_ROW) {
            int64_t id = sql_column_int64(st, 0);
            last = id > last ? id : last;
            n++;
        }
        sql_finalize(st);
        if (step != SQLITE_DONE)
            return sq_error(s, err, "rebuild the search index");
        if (n == 0)
            break;
        rc = sq_search_flush(s, err);
    }
    return rc;
}
