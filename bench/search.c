/*
 * search.c - meldung's search and "Weitere Meldungen" against plain FTS5,
 * on the same recombined German texts, at growing sizes (bench/search.sh).
 *
 *     search DIR
 *
 * Reads the shared corpus at run time ($MLD_CORPUS, default
 * ../shared/corpus): the 828 DER STANDARD articles of
 * 10kGNAD/test-part-a.csv, the dpa NewsML-G2 sample items and the
 * digitalwires entries (parsed with meldung's own parsers, German items
 * only). Their plain texts are split into sentences. Article i of the
 * benchmark is made from them, deterministically (the random stream is
 * seeded with i, so any article can be made again on its own):
 *
 *   - a source text drawn at random: the headline is one of its
 *     sentences cut at a word near 80 bytes, the teaser another, and the
 *     body a run of its sentences (about 70 %) plus runs of two to four
 *     sentences from other texts, up to about 2.5 KB, in paragraphs;
 *   - the source's categories and topics (DER STANDARD's label becomes
 *     the matching dpa rubric), so sections and topics are skewed like a
 *     wire's; mld_enrich() then does what ingest does;
 *   - version 1, published one minute after article i - 1 (1M articles
 *     span about two years).
 *
 * The articles go into a fresh meldung store (DIR/meldung.db: mld_enrich
 * and mld_store_put, BATCH per transaction) and, the same headline and
 * text, into a plain SQLite database (DIR/plain.db) with
 *
 *     CREATE VIRTUAL TABLE fts USING fts5(headline, body,
 *         tokenize='unicode61 remove_diacritics 2')
 *
 * with the same pragmas as the store (WAL, synchronous NORMAL). Both
 * grow step by step to each size of SIZES; at each size the program
 * measures, warm (one untimed pass first, then REPEAT timed passes):
 *
 *   - QUERIES queries drawn from the texts: common, medium and rare
 *     nouns, two nouns (AND), a two-word phrase, a prefix (5 to 7 letters
 *     and *), words with umlauts as written and as transliterated
 *     ("Praesident"): mld_store_search() (limit 20, the hits as list
 *     entries as the search page and the API load them) against
 *     SELECT rowid, bm25(fts) ... ORDER BY rank LIMIT 20;
 *   - RELATED random articles: mld_store_related() (limit 6) against the
 *     naive live query on the plain database, the OR of the article's ten
 *     best terms by tf-idf (idf from the source texts), LIMIT 7.
 *
 * It prints the machine, the settings and markdown tables: build rates,
 * database sizes, latency percentiles, the ratios plain/meldung, and
 * recall checks (queries without hits on either side). A failing store
 * call ends the program with its message and exit status 1. Everything
 * it writes lives in DIR, which bench/search.sh removes; the texts are
 * the agencies' and DER STANDARD's, never to be committed.
 *
 * Settings (environment): SIZES (10000,100000,1000000), QUERIES (300),
 * RELATED (300), REPEAT (3), BATCH (500), SIDES (meldung,plain),
 * MELDUNG_UPTO (grow the meldung store only to this many articles; the
 * larger sizes measure plain alone), OPTIMIZE (1: merge both indexes into
 * one piece at each size before measuring, merge_both()), BENCH_CMD (the
 * command line to print).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

#include "../src/base/buf.h"
#include "../src/base/err.h"
#include "../src/base/limits.h"
#include "../src/base/mem.h"
#include "../src/base/time.h"
#include "../src/enrich/enrich.h"
#include "../src/ingest/ingest.h"
#include "../src/store/store.h"

/* Sizes of the generated texts. */
#define HEADLINE_BYTES 80   /* headlines are cut at a word before this */
#define BODY_BYTES 2500     /* body length aimed at */
#define OWN_SHARE 0.7       /* of the body from the article's source text */
#define SENT_MIN 25         /* shorter "sentences" are fragments: dropped */
#define SENT_MAX 600        /* longer ones are tables or lists: dropped */
#define MAX_FILE (16 << 20) /* largest corpus file read */
#define T0 1704067200       /* 2024-01-01T00:00:00Z: article 0 */
#define SEED 0x6d656c64756e67ull
#define RELATED_TERMS 10 /* terms of the naive related query */
#define SEARCH_LIMIT 20
#define RELATED_LIMIT 6

/* Writes "search: " and the message to stderr (stdout carries the
 * report). */
static void __attribute__((format(printf, 1, 0))) vnote(const char *fmt, va_list ap)
{
    fprintf(stderr, "search: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
}

/* A progress note. */
static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(fmt, ap);
    va_end(ap);
}

/* Ends the program with a message and exit status 1. */
static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(fmt, ap);
    va_end(ap);
    exit(1);
}

/* splitmix64: one stream per article (seeded with its number), so any
 * article can be made again without making the ones before it. */
static uint64_t
mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. */
static long
pick(uint64_t *s, long n)
{
    return (long)(mix(s) % (uint64_t)n);
}

/* An environment setting as a positive number, or def. */
static long
env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return def;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n <= 0)
        die("%s must be a positive number, got '%s'", name, v);
    return n;
}

/* --- the source texts ---------------------------------------------------------------- */

/* One source text: its sentences and classification. */
struct doc {
    char **sent;
    int nsent;
    char **cats;
    int ncats;
    char **topics;
    int ntopics;
};

static struct doc *docs;
static int ndocs, capdocs;
static int ndocs_gnad, ndocs_newsml, ndocs_dw;
static long nsentences;

/* A growable array of strings. */
static void
push_str(char ***v, int *n, const char *s, size_t len)
{
    if ((*n & (*n - 1)) == 0) /* 0, 1, 2, 4, ...: grow at powers of two */
        *v = mld_reallocarray(*v, *n == 0 ? 1 : (size_t)*n * 2, sizeof(char *));
    (*v)[(*n)++] = mld_strndup(s, len);
}

/* True when s starts a sentence: an upper-case letter (also Ä Ö Ü), a
 * digit or an opening quote. */
static bool
starts_sentence(const unsigned char *s)
{
    if (isupper(s[0]) || isdigit(s[0]) || s[0] == '"' || s[0] == '(')
        return true;
    if (s[0] == 0xC3 && (s[1] == 0x84 || s[1] == 0x96 || s[1] == 0x9C))
        return true;
    return s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x9E || s[2] == 0x9C); /* „ “ */
}

/* True when the word ending at the period e (s is the sentence start) is
 * an ordinal ("1.") or an abbreviation of one or two letters ("Dr."). */
static bool
before_abbrev(const char *s, const char *e)
{
    const char *w = e;
    while (w > s && !isspace((unsigned char)w[-1]))
        w--;
    bool digits = true;
    for (const char *p = w; p < e; p++)
        digits = digits && isdigit((unsigned char)*p);
    return (e - w) <= 2 || digits;
}

/* Turns every run of white space in s into one space, in place. */
static void
collapse_space(char *s)
{
    char *o = s;
    for (const char *p = s; *p != '\0'; p++)
        if (!isspace((unsigned char)*p))
            *o++ = *p;
        else if (o > s && o[-1] != ' ')
            *o++ = ' ';
    *o = '\0';
}

/* Adds the sentences of text to d. A sentence ends at a newline or at
 * . ! ? followed by space and a sentence start. */
static void
split_sentences(struct doc *d, const char *text)
{
    const char *p = text;
    while (*p != '\0') {
        while (isspace((unsigned char)*p))
            p++;
        const char *s = p, *e = NULL;
        for (; *p != '\0'; p++) {
            if (*p == '\n') {
                e = p;
                break;
            }
            if ((*p == '.' || *p == '!' || *p == '?') && (p[1] == ' ' || p[1] == '\0')) {
                const char *q = p + 1;
                while (*q == ' ')
                    q++;
                if (*q == '\0' || (starts_sentence((const unsigned char *)q) &&
                                   (*p != '.' || !before_abbrev(s, p)))) {
                    e = ++p;
                    break;
                }
            }
        }
        if (e == NULL)
            e = p;
        size_t n = (size_t)(e - s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
            n--;
        if (n >= SENT_MIN && n <= SENT_MAX) {
            push_str(&d->sent, &d->nsent, s, n);
            collapse_space(d->sent[d->nsent - 1]);
            nsentences++;
        }
    }
}

/* A new, empty source text. */
static struct doc *
new_doc(void)
{
    if (ndocs == capdocs) {
        capdocs = capdocs ? capdocs * 2 : 1024;
        docs = mld_reallocarray(docs, (size_t)capdocs, sizeof(*docs));
    }
    struct doc *d = &docs[ndocs++];
    memset(d, 0, sizeof(*d));
    return d;
}

/* Drops the last source text when it has too few sentences to use. */
static bool
keep_doc(struct doc *d)
{
    if (d->nsent >= 3)
        return true;
    for (int i = 0; i < d->nsent; i++)
        mld_free(d->sent[i]);
    nsentences -= d->nsent;
    mld_free(d->sent);
    for (int i = 0; i < d->ncats; i++)
        mld_free(d->cats[i]);
    mld_free(d->cats);
    for (int i = 0; i < d->ntopics; i++)
        mld_free(d->topics[i]);
    mld_free(d->topics);
    ndocs--;
    return false;
}

/* Reads the file at path into b (emptied first), or dies. */
static void
read_file(struct mld_buf *b, const char *path)
{
    struct mld_err err = {0};
    mld_buf_reset(b);
    if (mld_buf_read_file(b, path, &err) != 0)
        die("%s", err.msg);
}

/* DER STANDARD's labels as the dpa rubrics meldung maps to sections. */
static const char *
gnad_category(const char *label, size_t n)
{
    static const char *const map[][2] = {
        {"International", "rubric:weblines.infoline_rs.politik.ausland"},
        {"Inland", "rubric:weblines.infoline_rs.politik.inland"},
        {"Wirtschaft", "rubric:weblines.infoline_rs.wirtschaft"},
        {"Sport", "rubric:weblines.infoline_rs.sport"},
        {"Panorama", "rubric:weblines.infoline_rs.panorama"},
        {"Web", "rubric:weblines.infoline_rs.netzwelt"},
        {"Wissenschaft", "rubric:weblines.infoline_rs.wissenschaft"},
        {"Kultur", "desk:ku"},
        {"Etat", "desk:ku"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strlen(map[i][0]) == n && memcmp(map[i][0], label, n) == 0)
            return map[i][1];
    return NULL;
}

/* Loads 10kGNAD/test-part-a.csv: lines LABEL;TEXT or LABEL;'TEXT' with
 * '' for a quote inside. */
static void
load_gnad(const char *corpus)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/10kGNAD/test-part-a.csv", corpus);
    struct mld_buf b, text;
    mld_buf_init(&b, MAX_FILE);
    mld_buf_init(&text, MAX_FILE);
    read_file(&b, path);
    const char *p = b.p, *end = b.p + b.len;
    int line = 0;
    while (p < end) {
        line++;
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (semi == NULL)
            die("%s: line %d: expected LABEL;TEXT", path, line);
        const char *label = p;
        size_t nlabel = (size_t)(semi - p);
        mld_buf_reset(&text);
        p = semi + 1;
        bool quoted = p < end && *p == '\'';
        p += quoted;
        while (!quoted && p < end && *p != '\n')
            mld_buf_putc(&text, *p++);
        while (quoted) {
            if (p >= end)
                die("%s: line %d: unterminated text", path, line);
            if (*p == '\'' && p + 1 < end && p[1] == '\'') {
                mld_buf_putc(&text, '\'');
                p += 2;
            } else if (*p == '\'') {
                p++;
                break;
            } else {
                mld_buf_putc(&text, *p++);
            }
        }
        while (p < end && (*p == '\r' || *p == '\n'))
            p++;
        struct doc *d = new_doc();
        split_sentences(d, text.p ? text.p : "");
        const char *cat = gnad_category(label, nlabel);
        if (cat != NULL)
            push_str(&d->cats, &d->ncats, cat, strlen(cat));
        if (keep_doc(d))
            ndocs_gnad++;
    }
    mld_buf_dispose(&b);
    mld_buf_dispose(&text);
}

/* The sink for meldung's parsers: German articles become source texts. */
static int
take_article(void *ud, struct mld_article *a)
{
    int *count = ud;
    if (a->text != NULL && (a->lang == NULL || strncmp(a->lang, "de", 2) == 0)) {
        struct doc *d = new_doc();
        split_sentences(d, a->text);
        for (int i = 0; i < a->ncategories; i++)
            push_str(&d->cats, &d->ncats, a->categories[i], strlen(a->categories[i]));
        for (int i = 0; i < a->ntopics; i++)
            push_str(&d->topics, &d->ntopics, a->topics[i], strlen(a->topics[i]));
        if (keep_doc(d))
            (*count)++;
    }
    mld_article_free(a);
    return 0;
}

/* Compares two strings for qsort. */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses every file in dir whose name starts with prefix and ends with
 * suffix (in name order), with the format meldung detects; files it
 * cannot parse are reported and skipped. */
static void
load_wire_dir(const char *dir, const char *prefix, const char *suffix, int *count)
{
    DIR *dh = opendir(dir);
    if (dh == NULL) {
        note("%s: %s (skipped)", dir, strerror(errno));
        return;
    }
    char **names = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        size_t len = strlen(de->d_name), lp = strlen(prefix), ls = strlen(suffix);
        if (len > lp + ls && strncmp(de->d_name, prefix, lp) == 0 &&
            strcmp(de->d_name + len - ls, suffix) == 0)
            push_str(&names, &n, de->d_name, len);
    }
    closedir(dh);
    if (n > 0)
        qsort(names, (size_t)n, sizeof(char *), cmp_str);
    struct mld_buf b;
    mld_buf_init(&b, MAX_FILE);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        read_file(&b, path);
        const struct mld_format *f = mld_format_detect(b.p ? b.p : "", b.len);
        struct mld_source src = {.name = path};
        struct mld_err err = {0};
        if (f == NULL)
            note("%s: format not recognised (skipped)", path);
        else if (f->parse(b.p, b.len, &src, take_article, count, &err) != 0)
            note("%s (skipped)", err.msg);
        mld_free(names[i]);
    }
    mld_free(names);
    mld_buf_dispose(&b);
}

/* Loads every source text of the corpus, or dies when there is none. */
static void
load_corpus(const char *corpus)
{
    char dir[4096];
    load_gnad(corpus);
    snprintf(dir, sizeof(dir), "%s/dpa-newsmlg2-sample/items", corpus);
    load_wire_dir(dir, "", ".xml", &ndocs_newsml);
    snprintf(dir, sizeof(dir), "%s/dpa-digitalwires/to-newsmlg2/input", corpus);
    load_wire_dir(dir, "", ".json", &ndocs_dw);
    snprintf(dir, sizeof(dir), "%s/dpa-digitalwires/s3push-example", corpus);
    load_wire_dir(dir, "input-", ".json", &ndocs_dw);
    if (ndocs < 10)
        die("%s: only %d usable source texts", corpus, ndocs);
}

/* --- the articles -------------------------------------------------------------------- */

/* Appends sentence s to the body: text (paragraphs separated by
 * newlines) and the matching HTML; starts a new paragraph when para. */
static void
add_sentence(struct mld_buf *text, struct mld_buf *html, const char *s, bool para)
{
    if (text->len > 0)
        mld_buf_putc(text, para ? '\n' : ' ');
    if (html->len > 0 && para)
        mld_buf_puts(html, "</p>");
    mld_buf_puts(html, para || html->len == 0 ? "<p>" : " ");
    mld_buf_puts(text, s);
    mld_buf_append_html(html, s, strlen(s));
}

/* Appends sentences of d from index from on (wrapping, skipping the
 * indices skip1 and skip2) until n of them or the body reaches limit
 * bytes; a paragraph holds two to four sentences. */
static void
add_run(struct mld_buf *text, struct mld_buf *html, const struct doc *d, int from, int n, int skip1,
        int skip2, size_t limit, uint64_t *rng, int *in_para)
{
    for (int k = 0; k < d->nsent && n > 0 && text->len < limit; k++) {
        int j = (from + k) % d->nsent;
        if (j == skip1 || j == skip2)
            continue;
        bool para = *in_para <= 0;
        if (para)
            *in_para = 2 + (int)pick(rng, 3);
        add_sentence(text, html, d->sent[j], para);
        (*in_para)--;
        n--;
    }
}

/* Makes article i (the same on every call) with everything but the
 * enrichment: urn, times, headline, teaser, body, text, categories and
 * topics of its source. */
static struct mld_article *
make_article(long i)
{
    uint64_t rng = SEED ^ ((uint64_t)i * 0xd1342543de82ef95ull);
    const struct doc *d = &docs[pick(&rng, ndocs)];
    struct mld_article *a = mld_article_new();
    char buf[64];
    snprintf(buf, sizeof(buf), "urn:newsml:bench.meldung:%08ld", i);
    a->urn = mld_strdup(buf);
    snprintf(buf, sizeof(buf), "bench-%08ld", i);
    a->entry_id = mld_strdup(buf);
    a->version = 1;
    a->version_created = a->updated = T0 + (mld_time_t)i * 60;
    a->format = mld_strdup("digitalwires");
    a->lang = mld_strdup("de");
    a->credit = mld_strdup("dpa");

    /* Headline: a sentence cut at the last space before HEADLINE_BYTES,
     * without its final punctuation. */
    int h = (int)pick(&rng, d->nsent);
    const char *hs = d->sent[h];
    size_t hn = strlen(hs);
    if (hn > HEADLINE_BYTES) {
        hn = HEADLINE_BYTES;
        while (hn > 20 && hs[hn] != ' ')
            hn--;
    }
    while (hn > 0 && strchr(".,:;!? ", hs[hn - 1]) != NULL)
        hn--;
    a->headline = mld_strndup(hs, hn);
    int t = (h + 1 + (int)pick(&rng, d->nsent - 1)) % d->nsent;
    a->teaser = mld_strdup(d->sent[t]);

    struct mld_buf text, html;
    mld_buf_init(&text, 4 * BODY_BYTES);
    mld_buf_init(&html, 8 * BODY_BYTES);
    int in_para = 0;
    add_run(&text, &html, d, (int)pick(&rng, d->nsent), d->nsent, h, t,
            (size_t)(OWN_SHARE * BODY_BYTES), &rng, &in_para);
    while (text.len < BODY_BYTES) {
        const struct doc *o = &docs[pick(&rng, ndocs)];
        in_para = 0;
        add_run(&text, &html, o, (int)pick(&rng, o->nsent), 2 + (int)pick(&rng, 3), -1, -1,
                BODY_BYTES, &rng, &in_para);
    }
    mld_buf_puts(&html, "</p>");
    a->body_html = mld_buf_steal(&html, NULL);
    mld_article_set_text(a, mld_buf_steal(&text, NULL));
    for (int k = 0; k < d->ncats; k++)
        mld_article_add_category(a, d->cats[k]);
    for (int k = 0; k < d->ntopics; k++)
        mld_article_add_topic(a, d->topics[k]);
    return a;
}

/* --- the two databases --------------------------------------------------------------- */

struct bench {
    const char *dir;
    bool use_meldung, use_plain;
    long meldung_upto; /* the meldung store grows to at most this many */
    long batch;
    struct mld_store *st;
    char st_path[4096];
    sqlite3 *plain;
    char plain_path[4096];
    sqlite3_stmt *plain_insert, *plain_search, *plain_related;
    int64_t *ids;   /* meldung's id of article i */
    long n_meldung; /* articles in each database */
    long n_plain;
    double m_secs, m_enrich_secs, p_secs; /* loading time, cumulative */
    size_t text_bytes;                    /* headline + text of all articles made */
};

/* Runs sql on the plain database, or dies. */
static void
plain_exec(struct bench *b, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(b->plain, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("%s: %s: %s", b->plain_path, sql, msg ? msg : "?");
}

/* Prepares sql on db, or dies. */
static sqlite3_stmt *
prepare(sqlite3 *db, const char *path, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s: %s: %s", path, sql, sqlite3_errmsg(db));
    return st;
}

/* Reads the ids of the articles a kept meldung store holds (KEEP, see
 * bench/search.sh) into b->ids, in the order they were stored; returns
 * how many. The bench stores each article once, in order. */
static long
resume_meldung(struct bench *b, long max_articles)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = 0;
    if (sqlite3_open_v2(b->st_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("%s: %s", b->st_path, sqlite3_errmsg(db));
    st = prepare(db, b->st_path, "SELECT id FROM article ORDER BY id");
    while (sqlite3_step(st) == SQLITE_ROW && n < max_articles)
        b->ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Opens both databases in b->dir: fresh, or with KEEP set, as a run
 * before left them (the build is then only the growth beyond). */
static void
open_dbs(struct bench *b, long max_articles)
{
    struct mld_err err = {0};
    bool keep = getenv("KEEP") != NULL && *getenv("KEEP") != '\0';
    snprintf(b->st_path, sizeof(b->st_path), "%s/meldung.db", b->dir);
    snprintf(b->plain_path, sizeof(b->plain_path), "%s/plain.db", b->dir);
    if (b->use_meldung) {
        if (!keep)
            unlink(b->st_path);
        b->ids = mld_calloc((size_t)max_articles, sizeof(int64_t));
        if (keep && access(b->st_path, F_OK) == 0)
            b->n_meldung = resume_meldung(b, max_articles);
        if (mld_store_open(&b->st, b->st_path, &err) != 0)
            die("mld_store_open: %s", err.msg);
    }
    if (b->use_plain) {
        if (!keep)
            unlink(b->plain_path);
        if (sqlite3_open(b->plain_path, &b->plain) != SQLITE_OK)
            die("%s: %s", b->plain_path, sqlite3_errmsg(b->plain));
        plain_exec(b, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                      "PRAGMA temp_store = MEMORY; "
                      "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(headline, body, "
                      "tokenize='unicode61 remove_diacritics 2')");
        sqlite3_stmt *st =
            prepare(b->plain, b->plain_path, "SELECT coalesce(max(rowid), 0) FROM fts");
        if (sqlite3_step(st) == SQLITE_ROW)
            b->n_plain = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        b->plain_insert = prepare(b->plain, b->plain_path,
                                  "INSERT INTO fts(rowid, headline, body) VALUES (?1, ?2, ?3)");
        b->plain_search = prepare(b->plain, b->plain_path,
                                  "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ?1 "
                                  "ORDER BY rank LIMIT 20");
        b->plain_related = prepare(b->plain, b->plain_path,
                                   "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ?1 "
                                   "ORDER BY rank LIMIT 7");
    }
}

/* Stores articles v[0..n) (numbers from..) into the meldung store in one
 * transaction: enrich, then put. */
static void
load_meldung(struct bench *b, struct mld_article **v, int n, long from)
{
    struct mld_err err = {0};
    double t0 = mld_time_mono_s(), enrich = 0;
    if (mld_store_begin(b->st, &err) != 0)
        die("mld_store_begin: %s", err.msg);
    for (int k = 0; k < n; k++) {
        double e0 = mld_time_mono_s();
        mld_enrich(v[k], NULL);
        enrich += mld_time_mono_s() - e0;
        enum mld_put_result res;
        int64_t id = 0;
        if (mld_store_put(b->st, v[k], &res, &id, &err) != 0)
            die("mld_store_put %s: %s", v[k]->urn, err.msg);
        if (res != MLD_PUT_INSERTED || id <= 0)
            die("mld_store_put %s: result %d, id %lld, not a new article", v[k]->urn, (int)res,
                (long long)id);
        b->ids[from + k] = id;
    }
    if (mld_store_commit(b->st, &err) != 0)
        die("mld_store_commit: %s", err.msg);
    b->m_secs += mld_time_mono_s() - t0;
    b->m_enrich_secs += enrich;
}

/* Inserts the headline and text of v[0..n) into the plain database, in
 * one transaction, as rows from + 1 ... */
static void
load_plain(struct bench *b, struct mld_article **v, int n, long from)
{
    double t0 = mld_time_mono_s();
    plain_exec(b, "BEGIN");
    for (int k = 0; k < n; k++) {
        sqlite3_stmt *st = b->plain_insert;
        sqlite3_bind_int64(st, 1, from + k + 1);
        sqlite3_bind_text(st, 2, v[k]->headline, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, v[k]->text, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("%s: insert: %s", b->plain_path, sqlite3_errmsg(b->plain));
        sqlite3_reset(st);
    }
    plain_exec(b, "COMMIT");
    b->p_secs += mld_time_mono_s() - t0;
}

/* Grows the databases to size articles (meldung only up to its limit). */
static void
grow(struct bench *b, long size)
{
    long m_to = b->use_meldung ? (size < b->meldung_upto ? size : b->meldung_upto) : 0;
    long p_to = b->use_plain ? size : 0;
    long from = b->use_plain ? b->n_plain : b->n_meldung; /* plain is never behind */
    struct mld_article **v = mld_calloc((size_t)b->batch, sizeof(*v));
    double last_note = mld_time_mono_s();
    for (long i = from; i < size; i += b->batch) {
        int n = (int)(size - i < b->batch ? size - i : b->batch);
        for (int k = 0; k < n; k++) {
            v[k] = make_article(i + k);
            b->text_bytes += strlen(v[k]->headline) + strlen(v[k]->text);
        }
        if (b->n_plain < p_to) {
            load_plain(b, v, n, i);
            b->n_plain = i + n;
        }
        if (b->n_meldung < m_to) {
            int nm = (int)(m_to - i < n ? m_to - i : n);
            load_meldung(b, v, nm, i);
            b->n_meldung = i + nm;
        }
        for (int k = 0; k < n; k++)
            mld_article_free(v[k]);
        if (mld_time_mono_s() - last_note > 30) {
            last_note = mld_time_mono_s();
            note("%ld articles: meldung %.0f/s, plain %.0f/s", i + n,
                 b->m_secs > 0 ? b->n_meldung / b->m_secs : 0,
                 b->p_secs > 0 ? b->n_plain / b->p_secs : 0);
        }
    }
    mld_free(v);
}

/* OPTIMIZE=1: merges each side's full-text index into one piece, as an
 * operator's `meldung optimize` after a bulk load does (meldung:
 * mld_store_search_merge() steps; plain: FTS5's 'optimize'), and prints
 * the pieces before and the seconds each took. */
static void
merge_both(struct bench *b)
{
    struct mld_err err = {0};
    if (b->use_meldung && b->n_meldung > 0) {
        int64_t pieces = -1;
        if (mld_store_search_pieces(b->st, &pieces, &err) != 0)
            die("%s: %s", b->st_path, err.msg);
        double t0 = mld_time_mono_s();
        int steps = 0;
        for (bool more = true; more; steps++)
            if (mld_store_search_merge(b->st, MLD_SEARCH_MERGE_PAGES, &more, &err) != 0)
                die("%s: %s", b->st_path, err.msg);
        printf("| meldung: mld_store_search_merge(), %d steps | %lld pieces | %.1f s |\n", steps,
               (long long)pieces, mld_time_mono_s() - t0);
    }
    if (b->use_plain && b->n_plain > 0) {
        sqlite3_stmt *q = prepare(b->plain, b->plain_path,
                                  "SELECT count(DISTINCT segid) FROM fts_idx");
        long long pieces = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
        sqlite3_finalize(q);
        double t0 = mld_time_mono_s();
        plain_exec(b, "INSERT INTO fts(fts) VALUES ('optimize')");
        printf("| plain: INSERT INTO fts(fts) VALUES ('optimize') | %lld pieces | %.1f s |\n",
               pieces, mld_time_mono_s() - t0);
    }
}

/* Size in bytes of a database with its WAL, after a checkpoint that
 * empties the WAL. */
static double
db_bytes(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) == SQLITE_OK)
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(db);
    double total = 0;
    char p[4200];
    struct stat sb;
    if (stat(path, &sb) == 0)
        total += (double)sb.st_size;
    snprintf(p, sizeof(p), "%s-wal", path);
    if (stat(p, &sb) == 0)
        total += (double)sb.st_size;
    return total;
}

/* Bytes of the full-text index in the database at path: the FTS5 shadow
 * tables _data, _idx and _docsize of every fts5 table (not the text
 * itself), from dbstat; -1 when dbstat is missing. */
static double
fts_bytes(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    double total = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT sum(pgsize) FROM dbstat WHERE name IN ("
                           "SELECT name || sfx FROM sqlite_schema, (SELECT '_data' AS sfx "
                           "UNION ALL SELECT '_idx' UNION ALL SELECT '_docsize') "
                           "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return total;
}

/* --- words of the source texts ------------------------------------------------------- */

/* A word form (case kept) and what the sources say about it. */
struct word {
    char *w;
    int df;       /* source texts that have it */
    int n;        /* occurrences */
    int cap_mid;  /* capitalised occurrences not at a sentence start */
    int last_doc; /* for df */
};

/* A string-keyed open-addressing table of words. */
struct wtab {
    struct word *v;
    size_t n, cap; /* cap is a power of two */
};

/* FNV-1a of s[0..n). */
static uint64_t
hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* The entry of s[0..n) in t, created (zeroed) when add, else NULL. */
static struct word *
wtab_get(struct wtab *t, const char *s, size_t n, bool add)
{
    if (add && (t->n + 1) * 2 > t->cap) {
        struct wtab g = {mld_calloc(t->cap ? t->cap * 2 : 4096, sizeof(struct word)), 0,
                         t->cap ? t->cap * 2 : 4096};
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].w != NULL) {
                size_t j = hash(t->v[i].w, strlen(t->v[i].w)) & (g.cap - 1);
                while (g.v[j].w != NULL)
                    j = (j + 1) & (g.cap - 1);
                g.v[j] = t->v[i];
                g.n++;
            }
        mld_free(t->v);
        *t = g;
    }
    if (t->cap == 0)
        return NULL;
    size_t j = hash(s, n) & (t->cap - 1);
    while (t->v[j].w != NULL) {
        if (strlen(t->v[j].w) == n && memcmp(t->v[j].w, s, n) == 0)
            return &t->v[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!add)
        return NULL;
    t->v[j].w = mld_strndup(s, n);
    t->v[j].last_doc = -1;
    t->n++;
    return &t->v[j];
}

/* Length of the UTF-8 umlaut or ß at s (2), or 0. */
static int
umlaut_at(const unsigned char *s)
{
    if (s[0] != 0xC3)
        return 0;
    switch (s[1]) {
    case 0x84:
    case 0x96:
    case 0x9C:
    case 0xA4:
    case 0xB6:
    case 0xBC:
    case 0x9F: return 2;
    default: return 0;
    }
}

/* Calls fn for each word of s: runs of ASCII letters, umlauts and ß
 * (anything else separates words). A word touching another non-ASCII
 * byte or a digit is passed on as NULL (it breaks a phrase). first: the
 * word opens the text. */
typedef void (*word_fn)(void *ud, const char *w, size_t n, bool first);
static void
each_word(const char *s, word_fn fn, void *ud)
{
    const unsigned char *p = (const unsigned char *)s;
    bool first = true;
    while (*p != '\0') {
        const unsigned char *w = p;
        bool clean = true;
        while (*p != '\0') {
            int u = umlaut_at(p);
            if (isalpha(*p))
                p++;
            else if (u > 0)
                p += u;
            else if (*p >= 0x80 || isdigit(*p)) {
                clean = false;
                p++;
            } else
                break;
        }
        if (p > w)
            fn(ud, clean ? (const char *)w : NULL, clean ? (size_t)(p - w) : 0, first);
        if (p > w)
            first = false;
        if (*p != '\0')
            p++;
    }
}

/* True when w[0..n) starts with an upper-case letter (Ä Ö Ü too). */
static bool
is_capital(const char *w, size_t n)
{
    const unsigned char *u = (const unsigned char *)w;
    return isupper(u[0]) ||
           (n >= 2 && u[0] == 0xC3 && (u[1] == 0x84 || u[1] == 0x96 || u[1] == 0x9C));
}

static struct wtab words;
static int cur_doc;

/* each_word callback: counts one word of source text cur_doc. */
static void
count_word(void *ud, const char *w, size_t n, bool first)
{
    if (w == NULL)
        return;
    struct word *e = wtab_get(&words, w, n, true);
    e->n++;
    if (!first && is_capital(w, n))
        e->cap_mid++;
    if (e->last_doc != cur_doc) {
        e->last_doc = cur_doc;
        e->df++;
    }
}

/* Writes the lower-case form of w[0..n) (ASCII and Ä Ö Ü) to out. */
static void
lower_word(const char *w, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (i > 0 && (unsigned char)w[i - 1] == 0xC3 && (c == 0x84 || c == 0x96 || c == 0x9C))
            c = (unsigned char)(c + 0x20);
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
}

/* True when the entry is a noun: written with a capital in mid-sentence
 * and rarely in lower case, at least 4 bytes. */
static bool
is_noun(const struct word *e)
{
    size_t n = strlen(e->w);
    if (n < 4 || n > 40 || !is_capital(e->w, n) || e->cap_mid * 2 < e->n)
        return false;
    char low[48];
    lower_word(e->w, n, low);
    const struct word *l = wtab_get(&words, low, n, false);
    return l == NULL || l->n * 4 < e->n;
}

/* --- the queries --------------------------------------------------------------------- */

enum qclass { Q_COMMON, Q_MEDIUM, Q_RARE, Q_AND, Q_PHRASE, Q_PREFIX, Q_UMLAUT, Q_TRANSLIT, Q_N };

static const char *const qclass_name[Q_N] = {
    "common word", "medium word", "rare word",   "two words (AND)",
    "phrase",      "prefix*",     "umlaut word", "umlaut as ae/oe/ue",
};

/* Shares of the queries per class, in 300ths. */
static const int qclass_share[Q_N] = {60, 60, 40, 40, 30, 40, 20, 10};

struct query {
    enum qclass cls;
    char *text;         /* for mld_store_search */
    char *match;        /* FTS5 MATCH expression for the plain database */
    int m_hits, p_hits; /* hits at the current size (first pass) */
    bool m_rejected;    /* meldung answered MLD_E_PARSE */
};

static struct query *queries;
static int nqueries;

/* Adds a query. */
static void
add_query(enum qclass cls, const char *text, const char *match)
{
    queries = mld_reallocarray(queries, (size_t)nqueries + 1, sizeof(*queries));
    queries[nqueries++] =
        (struct query){.cls = cls, .text = mld_strdup(text), .match = mld_strdup(match)};
}

/* True when some query already has text. */
static bool
have_query(const char *text)
{
    for (int i = 0; i < nqueries; i++)
        if (strcmp(queries[i].text, text) == 0)
            return true;
    return false;
}

/* Orders words by df, most frequent first, then by form. */
static int
cmp_df(const void *a, const void *b)
{
    const struct word *x = *(const struct word *const *)a, *y = *(const struct word *const *)b;
    if (x->df != y->df)
        return x->df > y->df ? -1 : 1;
    return strcmp(x->w, y->w);
}

/* True when w has an umlaut or ß. */
static bool
has_umlaut(const char *w)
{
    for (const unsigned char *p = (const unsigned char *)w; *p; p++)
        if (umlaut_at(p))
            return true;
    return false;
}

/* Writes w with umlauts as ae, oe, ue (Ae, Oe, Ue) and ß as ss to out. */
static void
transliterate(const char *w, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)w; *p && o + 3 < cap; p++) {
        if (umlaut_at(p)) {
            static const char *const rep[] = {"Ae", "Oe", "Ue", "ae", "oe", "ue", "ss"};
            static const unsigned char code[] = {0x84, 0x96, 0x9C, 0xA4, 0xB6, 0xBC, 0x9F};
            for (int k = 0; k < 7; k++)
                if (p[1] == code[k]) {
                    out[o++] = rep[k][0];
                    out[o++] = rep[k][1];
                }
            p++;
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

/* Words a phrase does not start with: articles, pronouns, auxiliaries. */
static bool
is_function_word(const char *w)
{
    static const char *const stop[] = {
        "aber",   "alle",   "allen",    "aller",  "alles",  "als",    "auch",   "beim",   "bereits",
        "damit",  "dann",   "dass",     "denn",   "diese",  "diesem", "diesen", "dieser", "dieses",
        "doch",   "durch",  "eine",     "einem",  "einen",  "einer",  "eines",  "etwa",   "gegen",
        "habe",   "haben",  "hatte",    "hatten", "immer",  "jedoch", "kann",   "keine",  "keinen",
        "mehr",   "nach",   "nicht",    "noch",   "oder",   "ohne",   "schon",  "sein",   "seine",
        "seinem", "seinen", "seiner",   "sich",   "sind",   "soll",   "sollen", "sowie",  "über",
        "unter",  "vom",    "wegen",    "weil",   "wenn",   "werden", "wird",   "wollen", "worden",
        "wurde",  "wurden", "zwischen", "ihre",   "ihrem",  "ihren",  "ihrer",  "unsere", "viele",
        "vielen", "sagte",  "zudem",    "sowohl", "einmal", "rund",   "seit",   "bisher", "derzeit",
        "jetzt",
    };
    for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
        if (strcmp(w, stop[i]) == 0)
            return true;
    return false;
}

/* State for finding a query in one source text. */
struct find {
    enum qclass cls;
    char prev[64]; /* the word before (phrase) */
    bool prev_ok;
    char got[2][128]; /* words found (a phrase: two) */
    int ngot;
    long skip; /* words to pass over first (a random start) */
};

/* each_word callback: looks for the words a query of f->cls needs. */
static void
find_words(void *ud, const char *w, size_t n, bool first)
{
    struct find *f = ud;
    if (f->ngot == (f->cls == Q_AND ? 2 : 1))
        return;
    if (w == NULL || n >= 60) {
        f->prev_ok = false;
        return;
    }
    char word[64];
    memcpy(word, w, n);
    word[n] = '\0';
    bool skip = f->skip-- > 0;
    const struct word *e = wtab_get(&words, w, n, false);
    bool noun = e != NULL && is_noun(e);
    if (f->cls == Q_AND && !skip && noun && e->df >= 8 &&
        (f->ngot == 0 || strcmp(f->got[0], word) != 0))
        memcpy(f->got[f->ngot++], word, n + 1);
    if (f->cls == Q_PHRASE && !skip && noun && e->df >= 3 && f->prev_ok) {
        snprintf(f->got[0], sizeof(f->got[0]), "%s %s", f->prev, word);
        f->ngot = 1;
    }
    f->prev_ok = !first && n >= 4 && islower((unsigned char)word[0]) && !is_function_word(word);
    memcpy(f->prev, word, n + 1);
}

/* Tries to make one query of class cls (AND or phrase) from source
 * text d; false when d has none. */
static bool
query_from_doc(enum qclass cls, const struct doc *d, uint64_t *rng)
{
    struct find f = {.cls = cls};
    int s0 = (int)pick(rng, d->nsent);
    for (int k = 0; k < d->nsent && f.ngot < (cls == Q_AND ? 2 : 1); k++) {
        f.skip = k == 0 ? pick(rng, 8) : 0;
        f.prev_ok = false;
        each_word(d->sent[(s0 + k) % d->nsent], find_words, &f);
    }
    char text[264], match[272];
    if (cls == Q_AND && f.ngot == 2) {
        snprintf(text, sizeof(text), "%s %s", f.got[0], f.got[1]);
        snprintf(match, sizeof(match), "\"%s\" \"%s\"", f.got[0], f.got[1]);
    } else if (cls == Q_PHRASE && f.ngot == 1) {
        snprintf(text, sizeof(text), "\"%s\"", f.got[0]);
        snprintf(match, sizeof(match), "\"%s\"", f.got[0]);
    } else {
        return false;
    }
    if (have_query(text))
        return false;
    add_query(cls, text, match);
    return true;
}

/* Tries to make one single-word query of class cls from noun e. */
static bool
query_from_word(enum qclass cls, const struct word *e, uint64_t *rng)
{
    char text[128], match[140];
    size_t n = strlen(e->w);
    switch (cls) {
    case Q_COMMON:
    case Q_MEDIUM:
    case Q_RARE:
    case Q_UMLAUT: snprintf(text, sizeof(text), "%s", e->w); break;
    case Q_TRANSLIT: transliterate(e->w, text, sizeof(text)); break;
    case Q_PREFIX: {
        size_t k = 5 + (size_t)pick(rng, 3);
        if (n < 9)
            return false;
        for (size_t i = 0; i < k; i++)
            if (!isalpha((unsigned char)e->w[i]))
                return false;
        snprintf(text, sizeof(text), "%.*s*", (int)k, e->w);
        snprintf(match, sizeof(match), "\"%.*s\"*", (int)k, e->w);
        if (have_query(text))
            return false;
        add_query(cls, text, match);
        return true;
    }
    default: return false;
    }
    if (have_query(text))
        return false;
    snprintf(match, sizeof(match), "\"%s\"", text);
    add_query(cls, text, match);
    return true;
}

/* True when noun e suits class cls. */
static bool
word_fits(enum qclass cls, const struct word *e, int rank)
{
    switch (cls) {
    case Q_COMMON: return rank < 150;
    case Q_MEDIUM: return e->df >= 8 && e->df <= 30;
    case Q_RARE: return e->df == 1 && strlen(e->w) >= 6;
    case Q_PREFIX: return e->df >= 3;
    case Q_UMLAUT:
    case Q_TRANSLIT: return e->df >= 3 && has_umlaut(e->w);
    default: return false;
    }
}

/* Draws the query set: total queries, split over the classes by
 * qclass_share, the same on every run. */
static void
make_queries(int total)
{
    for (cur_doc = 0; cur_doc < ndocs; cur_doc++)
        for (int s = 0; s < docs[cur_doc].nsent; s++)
            each_word(docs[cur_doc].sent[s], count_word, NULL);
    struct word **nouns = mld_calloc(words.n, sizeof(*nouns));
    size_t nn = 0;
    for (size_t i = 0; i < words.cap; i++)
        if (words.v[i].w != NULL && is_noun(&words.v[i]))
            nouns[nn++] = &words.v[i];
    qsort(nouns, nn, sizeof(*nouns), cmp_df);
    uint64_t rng = SEED;
    for (int c = 0; c < Q_N; c++) {
        int want = (qclass_share[c] * total + 150) / 300, got = 0;
        if (want < 1)
            want = 1;
        /* Candidates of the class, then random picks among them. */
        int *cand = mld_calloc(nn + 1, sizeof(int));
        int nc = 0;
        for (size_t i = 0; i < nn; i++)
            if (word_fits((enum qclass)c, nouns[i], (int)i))
                cand[nc++] = (int)i;
        for (int tries = 0; got < want && tries < want * 50; tries++) {
            bool ok;
            if (c == Q_AND || c == Q_PHRASE)
                ok = query_from_doc((enum qclass)c, &docs[pick(&rng, ndocs)], &rng);
            else
                ok = nc > 0 && query_from_word((enum qclass)c, nouns[cand[pick(&rng, nc)]], &rng);
            got += ok;
        }
        if (got < want)
            note("only %d of %d %s queries found", got, want, qclass_name[c]);
        mld_free(cand);
    }
    mld_free(nouns);
}

/* --- timing -------------------------------------------------------------------------- */

/* A series of latencies in milliseconds. */
struct lat {
    double *v;
    int n, cap;
};

static void
lat_add(struct lat *l, double ms)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = mld_reallocarray(l->v, (size_t)l->cap, sizeof(double));
    }
    l->v[l->n++] = ms;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of l (nearest rank; l gets sorted), 0 when empty. */
static double
lat_q(struct lat *l, double q)
{
    if (l->n == 0)
        return 0;
    qsort(l->v, (size_t)l->n, sizeof(double), cmp_double);
    int k = (int)ceil(q * l->n) - 1;
    return l->v[k < 0 ? 0 : k >= l->n ? l->n - 1 : k];
}

/* Runs a plain statement with MATCH expression m to its end; returns
 * the rows. Dies on an SQL error. */
static int
plain_run(struct bench *b, sqlite3_stmt *st, const char *m)
{
    int rows = 0, rc;
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        rows++;
    if (rc != SQLITE_DONE)
        die("%s: MATCH %s: %s", b->plain_path, m, sqlite3_errmsg(b->plain));
    sqlite3_reset(st);
    return rows;
}

/* Runs query q on meldung; returns hits, -1 for MLD_E_PARSE. */
static int
meldung_search(struct bench *b, const struct query *q, mld_time_t now)
{
    struct mld_search s = {.text = q->text, .now = now, .limit = SEARCH_LIMIT, .entries = true};
    struct mld_hits h = {0};
    struct mld_err err = {0};
    int rc = mld_store_search(b->st, &s, &h, &err);
    if (rc == MLD_E_PARSE)
        return -1;
    if (rc != 0)
        die("mld_store_search \"%s\": %s", q->text, err.msg);
    int n = h.n;
    mld_hits_dispose(&h);
    return n;
}

/* One row of a latency table: p50 p95 p99 max of both sides and their
 * ratios. */
static void
print_lat_row(const char *label, struct lat *m, struct lat *p)
{
    double m50 = lat_q(m, .5), m95 = lat_q(m, .95), m99 = lat_q(m, .99), mmax = lat_q(m, 1);
    double p50 = lat_q(p, .5), p95 = lat_q(p, .95), p99 = lat_q(p, .99), pmax = lat_q(p, 1);
    printf("| %s | %d | ", label, m->n ? m->n : p->n);
    if (m->n)
        printf("%.3f | %.3f | %.3f | %.3f | ", m50, m95, m99, mmax);
    else
        printf("- | - | - | - | ");
    if (p->n)
        printf("%.3f | %.3f | %.3f | %.3f | ", p50, p95, p99, pmax);
    else
        printf("- | - | - | - | ");
    if (m->n && p->n && m50 > 0 && m99 > 0)
        printf("%.2f | %.2f |\n", p50 / m50, p99 / m99);
    else
        printf("- | - |\n");
}

/* Prints how many queries (and the first few) are: 'm' without hits in
 * meldung, 'r' refused by meldung, 'p' without hits in plain, 'l' with
 * hits in plain only. */
static void
print_queries(const char *what, char which)
{
    int n = 0;
    struct mld_buf list;
    mld_buf_init(&list, 4096);
    for (int i = 0; i < nqueries; i++) {
        const struct query *q = &queries[i];
        bool in = which == 'm'   ? q->m_hits == 0
                  : which == 'r' ? q->m_rejected
                  : which == 'p' ? q->p_hits == 0
                                 : q->p_hits > 0 && q->m_hits == 0;
        if (in && n < 10)
            mld_buf_printf(&list, "%s`%s`", n > 0 ? ", " : "", q->text);
        n += in;
    }
    if (n > 10)
        mld_buf_puts(&list, ", ...");
    printf("%s: %d%s%s%s\n", what, n, n > 0 ? " (" : "", n > 0 ? list.p : "", n > 0 ? ")" : "");
    mld_buf_dispose(&list);
}

#define LAT_HEADER                                                               \
    "| %s | runs | meldung p50 | p95 | p99 | max | plain p50 | p95 | p99 | max " \
    "| ratio p50 | ratio p99 |\n"                                                \
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"

/* Measures the query set at the current size and prints its tables. */
static void
bench_queries(struct bench *b, long size, int repeat)
{
    bool m_on = b->n_meldung == size, p_on = b->n_plain == size;
    mld_time_t now = T0 + (mld_time_t)size * 60;
    struct lat all_m = {0}, all_p = {0}, cls_m[Q_N] = {{0}}, cls_p[Q_N] = {{0}};
    for (int pass = 0; pass <= repeat; pass++)
        for (int i = 0; i < nqueries; i++) {
            struct query *q = &queries[i];
            if (m_on) {
                double t0 = mld_time_mono_s();
                int n = meldung_search(b, q, now);
                double ms = (mld_time_mono_s() - t0) * 1000;
                if (pass == 0) {
                    q->m_hits = n < 0 ? 0 : n;
                    q->m_rejected = n < 0;
                } else {
                    lat_add(&all_m, ms);
                    lat_add(&cls_m[q->cls], ms);
                }
            }
            if (p_on) {
                double t0 = mld_time_mono_s();
                int n = plain_run(b, b->plain_search, q->match);
                double ms = (mld_time_mono_s() - t0) * 1000;
                if (pass == 0) {
                    q->p_hits = n;
                } else {
                    lat_add(&all_p, ms);
                    lat_add(&cls_p[q->cls], ms);
                }
            }
        }
    printf("\n#### Search at %ld articles: latency in ms (%d queries x %d passes, warm)\n\n", size,
           nqueries, repeat);
    printf(LAT_HEADER, "queries");
    print_lat_row("all", &all_m, &all_p);
    for (int c = 0; c < Q_N; c++)
        print_lat_row(qclass_name[c], &cls_m[c], &cls_p[c]);

    /* Recall: queries without hits. */
    printf("\n");
    if (m_on) {
        print_queries("Queries without hits, meldung", 'm');
        print_queries("Queries meldung refused (no searchable word)", 'r');
    }
    if (p_on)
        print_queries("Queries without hits, plain", 'p');
    if (m_on && p_on)
        print_queries("Plain finds hits, meldung none", 'l');
    for (int c = 0; c < Q_N; c++) {
        mld_free(cls_m[c].v);
        mld_free(cls_p[c].v);
    }
    mld_free(all_m.v);
    mld_free(all_p.v);
}

/* --- related ------------------------------------------------------------------------- */

static struct wtab terms; /* folded terms of the source texts, with df */

/* Calls fn for each token of s as unicode61 remove_diacritics 2 makes
 * it: runs of letters and digits, lower case, marks stripped. */
static void
each_term(const char *s, word_fn fn, void *ud)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (n < 0)
        die("utf8proc_map: %s", utf8proc_errmsg(n));
    struct mld_buf t;
    mld_buf_init(&t, 256);
    utf8proc_ssize_t i = 0;
    while (i <= n) {
        utf8proc_int32_t cp = 0;
        utf8proc_ssize_t k = i < n ? utf8proc_iterate(out + i, n - i, &cp) : 0;
        if (k <= 0)
            cp = -1, k = 1;
        utf8proc_category_t c = cp >= 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
        bool tokch = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                     (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO) ||
                     c == UTF8PROC_CATEGORY_CO;
        if (tokch) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t e = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            mld_buf_append(&t, enc, (size_t)e);
        } else if (t.len > 0) {
            if (mld_buf_error(&t) == 0)
                fn(ud, t.p, t.len, false);
            mld_buf_reset(&t);
        }
        i += k;
    }
    mld_buf_dispose(&t);
    free(out);
}

/* each_term callback: counts a term of source text cur_doc. */
static void
count_term(void *ud, const char *w, size_t n, bool first)
{
    struct word *e = wtab_get(&terms, w, n, true);
    if (e->last_doc != cur_doc) {
        e->last_doc = cur_doc;
        e->df++;
    }
}

/* each_term callback: term frequencies of one article (df reused as tf). */
static void
count_tf(void *ud, const char *w, size_t n, bool first)
{
    if (n >= 2)
        wtab_get(ud, w, n, true)->n++;
}

/* Builds the naive related query of article i: the OR of its
 * RELATED_TERMS best terms by tf * log(N / df). */
static char *
naive_related_match(long i)
{
    struct mld_article *a = make_article(i);
    struct wtab tf = {0};
    each_term(a->headline, count_tf, &tf);
    each_term(a->text, count_tf, &tf);
    mld_article_free(a);
    const char *best[RELATED_TERMS];
    double score[RELATED_TERMS];
    int nb = 0;
    for (size_t k = 0; k < tf.cap; k++) {
        struct word *e = &tf.v[k];
        if (e->w == NULL)
            continue;
        const struct word *d = wtab_get(&terms, e->w, strlen(e->w), false);
        double sc = e->n * log((double)ndocs / (d != NULL && d->df > 0 ? d->df : 1));
        int at = nb < RELATED_TERMS ? nb++ : RELATED_TERMS;
        while (at > 0 &&
               (score[at - 1] < sc || (score[at - 1] == sc && strcmp(best[at - 1], e->w) > 0))) {
            if (at < RELATED_TERMS) {
                best[at] = best[at - 1];
                score[at] = score[at - 1];
            }
            at--;
        }
        if (at < RELATED_TERMS) {
            best[at] = e->w;
            score[at] = sc;
        }
    }
    struct mld_buf m;
    mld_buf_init(&m, 4096);
    for (int k = 0; k < nb; k++)
        mld_buf_printf(&m, "%s\"%s\"", k ? " OR " : "", best[k]);
    for (size_t k = 0; k < tf.cap; k++)
        mld_free(tf.v[k].w);
    mld_free(tf.v);
    return mld_buf_steal(&m, NULL);
}

/* Measures related lists at the current size and prints their table. */
static void
bench_related(struct bench *b, long size, int count, int repeat)
{
    bool m_on = b->n_meldung == size, p_on = b->n_plain == size;
    mld_time_t now = T0 + (mld_time_t)size * 60;
    uint64_t rng = SEED ^ (uint64_t)size;
    long *pick_i = mld_calloc((size_t)count, sizeof(long));
    char **match = mld_calloc((size_t)count, sizeof(char *));
    for (int k = 0; k < count; k++) {
        pick_i[k] = pick(&rng, size);
        if (p_on)
            match[k] = naive_related_match(pick_i[k]);
    }
    struct lat lm = {0}, lp = {0};
    long m_items = 0, m_empty = 0, p_rows = 0;
    for (int pass = 0; pass <= repeat; pass++)
        for (int k = 0; k < count; k++) {
            if (m_on) {
                struct mld_items items = {0};
                struct mld_err err = {0};
                double t0 = mld_time_mono_s();
                if (mld_store_related(b->st, b->ids[pick_i[k]], now, RELATED_LIMIT, &items, &err) !=
                    0)
                    die("mld_store_related %lld: %s", (long long)b->ids[pick_i[k]], err.msg);
                double ms = (mld_time_mono_s() - t0) * 1000;
                if (pass > 0)
                    lat_add(&lm, ms);
                else {
                    m_items += items.n;
                    m_empty += items.n == 0;
                }
                mld_items_dispose(&items);
            }
            if (p_on) {
                double t0 = mld_time_mono_s();
                int n = plain_run(b, b->plain_related, match[k]);
                double ms = (mld_time_mono_s() - t0) * 1000;
                if (pass > 0)
                    lat_add(&lp, ms);
                else
                    p_rows += n;
            }
        }
    printf("\n#### Related at %ld articles: latency in ms (%d articles x %d passes, warm)\n\n",
           size, count, repeat);
    printf(LAT_HEADER, "related");
    print_lat_row("meldung related (6) vs naive OR of 10 terms (7)", &lm, &lp);
    if (m_on)
        printf("\nmeldung: %.1f related articles on average, %ld of %d articles with none.\n",
               (double)m_items / count, m_empty, count);
    if (p_on)
        printf("naive: %.1f rows on average (the article itself included).\n",
               (double)p_rows / count);
    for (int k = 0; k < count; k++)
        mld_free(match[k]);
    mld_free(match);
    mld_free(pick_i);
    mld_free(lm.v);
    mld_free(lp.v);
}

/* --- report -------------------------------------------------------------------------- */

/* Prints the machine: CPUs, CPU model, kernel. */
static void
print_machine(void)
{
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[512];
        while (fgets(line, sizeof(line), f) != NULL)
            if (strncmp(line, "model name", 10) == 0) {
                const char *c = strchr(line, ':');
                if (c != NULL) {
                    snprintf(model, sizeof(model), "%s", c + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        fclose(f);
    }
    struct utsname u;
    uname(&u);
    printf("machine:  nproc %ld, %s, %s %s %s\n", sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname,
           u.release, u.machine);
}

/* Prints article i as it would be stored (before enrichment). */
static void
show_article(long i)
{
    struct mld_article *a = make_article(i);
    printf("urn:      %s\nheadline: %s\nteaser:   %s\n", a->urn, a->headline, a->teaser);
    for (int k = 0; k < a->ncategories; k++)
        printf("category: %s\n", a->categories[k]);
    for (int k = 0; k < a->ntopics; k++)
        printf("topic:    %s\n", a->topics[k]);
    char *m = naive_related_match(i);
    printf("text (%zu bytes):\n%s\n\nbody_html (%zu bytes):\n%s\n\nnaive related: %s\n",
           strlen(a->text), a->text, strlen(a->body_html), a->body_html, m);
    mld_free(m);
    mld_article_free(a);
}

/* Parses SIZES ("10000,100000") into an increasing list. */
static int
parse_sizes(const char *s, long *out, int cap)
{
    int n = 0;
    while (*s != '\0') {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || v <= 0 || (*end != ',' && *end != '\0') || n == cap ||
            (n > 0 && v <= out[n - 1]))
            die("SIZES must be increasing positive numbers separated by commas, got '%s'",
                getenv("SIZES"));
        out[n++] = v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

int
main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: search DIR (a fresh directory for the databases; see bench/search.sh)");
    struct bench b = {.dir = argv[1]};
    const char *corpus = getenv("MLD_CORPUS");
    if (corpus == NULL || *corpus == '\0')
        corpus = "../shared/corpus";
    long sizes[16];
    const char *sz = getenv("SIZES");
    int nsizes = parse_sizes(sz && *sz ? sz : "10000,100000,1000000", sizes, 16);
    int nq = (int)env_long("QUERIES", 300), nrel = (int)env_long("RELATED", 300);
    int repeat = (int)env_long("REPEAT", 3);
    b.batch = env_long("BATCH", 500);
    bool optimize = env_long("OPTIMIZE", 0) != 0;
    b.meldung_upto = env_long("MELDUNG_UPTO", sizes[nsizes - 1]);
    const char *sides = getenv("SIDES");
    if (sides == NULL || *sides == '\0')
        sides = "meldung,plain";
    b.use_meldung = strstr(sides, "meldung") != NULL;
    b.use_plain = strstr(sides, "plain") != NULL;
    if (!b.use_meldung && !b.use_plain)
        die("SIDES must name meldung, plain or both, got '%s'", sides);

    double t0 = mld_time_mono_s();
    load_corpus(corpus);
    make_queries(nq);
    for (cur_doc = 0; cur_doc < ndocs; cur_doc++)
        for (int s = 0; s < docs[cur_doc].nsent; s++)
            each_term(docs[cur_doc].sent[s], count_term, NULL);
    if (getenv("SHOW") != NULL) {
        show_article(env_long("SHOW", 1));
        return 0;
    }
    note("%d source texts, %ld sentences, %d queries (%.1f s)", ndocs, nsentences, nqueries,
         mld_time_mono_s() - t0);
    open_dbs(&b, sizes[nsizes - 1]);

    printf("## Search bench: meldung vs plain FTS5 (unicode61 remove_diacritics 2)\n\n```\n");
    printf("command:  %s\n", getenv("BENCH_CMD") ? getenv("BENCH_CMD") : argv[0]);
    printf("settings: SIZES=%s QUERIES=%d RELATED=%d REPEAT=%d BATCH=%ld SIDES=%s "
           "MELDUNG_UPTO=%ld\n",
           sz && *sz ? sz : "10000,100000,1000000", nq, nrel, repeat, b.batch, sides,
           b.meldung_upto);
    print_machine();
    printf("versions: SQLite %s\n", sqlite3_libversion());
    printf("corpus:   %s: %d source texts (%d 10kGNAD, %d NewsML-G2, %d digitalwires), "
           "%ld sentences\n",
           corpus, ndocs, ndocs_gnad, ndocs_newsml, ndocs_dw, nsentences);
    printf("queries:  %d:", nqueries);
    for (int c = 0; c < Q_N; c++) {
        int k = 0;
        for (int i = 0; i < nqueries; i++)
            k += (int)queries[i].cls == c;
        printf("%s %d %s", c ? "," : "", k, qclass_name[c]);
    }
    printf("\n          e.g.");
    for (int c = 0; c < Q_N; c++)
        for (int i = 0; i < nqueries; i++)
            if ((int)queries[i].cls == c) {
                printf("%s %s", c ? "," : "", queries[i].text);
                break;
            }
    printf("\nmeldung:  mld_store_search(limit %d, entries, now after the newest), "
           "mld_store_related(limit %d)\n",
           SEARCH_LIMIT, RELATED_LIMIT);
    printf("plain:    SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20\n"
           "          related: the same with the OR of the article's %d best terms "
           "(tf-idf), LIMIT 7\n```\n",
           RELATED_TERMS);
    fflush(stdout);

    for (int si = 0; si < nsizes; si++) {
        long size = sizes[si];
        long m0 = b.n_meldung, p0 = b.n_plain;
        double ms0 = b.m_secs, me0 = b.m_enrich_secs, ps0 = b.p_secs;
        note("growing to %ld articles", size);
        grow(&b, size);
        double mrate = b.m_secs > ms0 ? (b.n_meldung - m0) / (b.m_secs - ms0) : 0;
        double prate = b.p_secs > ps0 ? (b.n_plain - p0) / (b.p_secs - ps0) : 0;
        printf("\n### %ld articles\n\n", size);
        printf("| build | added | seconds | articles/s | db MB | FTS index MB |\n"
               "|---|---:|---:|---:|---:|---:|\n");
        if (b.n_meldung > m0)
            printf("| meldung: mld_enrich + mld_store_put, %ld per txn (enrich %.0f %%) | %ld | "
                   "%.1f | %.0f | %.0f | %.0f |\n",
                   b.batch, b.m_secs > ms0 ? 100 * (b.m_enrich_secs - me0) / (b.m_secs - ms0) : 0,
                   b.n_meldung - m0, b.m_secs - ms0, mrate, db_bytes(b.st_path) / 1e6,
                   fts_bytes(b.st_path) / 1e6);
        if (b.n_plain > p0)
            printf("| plain FTS5 insert, %ld per txn | %ld | %.1f | %.0f | %.0f | %.0f |\n",
                   b.batch, b.n_plain - p0, b.p_secs - ps0, prate, db_bytes(b.plain_path) / 1e6,
                   fts_bytes(b.plain_path) / 1e6);
        if (mrate > 0 && prate > 0)
            printf("\nBuild ratio plain/meldung (articles/s): %.1f. ", prate / mrate);
        printf("Text made so far: %.0f bytes per article (headline + teaser + body).\n",
               (double)b.text_bytes / (b.n_plain > b.n_meldung ? b.n_plain : b.n_meldung));
        fflush(stdout);
        if (optimize) {
            note("merging the indexes at %ld", size);
            printf("\n| merge (OPTIMIZE=1) | before | seconds |\n|---|---:|---:|\n");
            merge_both(&b);
        }
        note("queries at %ld", size);
        bench_queries(&b, size, repeat);
        fflush(stdout);
        note("related at %ld", size);
        bench_related(&b, size, nrel, repeat);
        fflush(stdout);
    }
    mld_store_close(b.st);
    mld_free(b.ids);
    sqlite3_finalize(b.plain_insert);
    sqlite3_finalize(b.plain_search);
    sqlite3_finalize(b.plain_related);
    sqlite3_close(b.plain);
    return 0;
}
