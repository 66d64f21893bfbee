/*
 * topics.c - an article's topics: the agency's keywords merged with the
 * places, organisations, parties and people a gazetteer finds in its
 * text, ranked by salience (docs/internals/topics.md).
 *
 * The gazetteer. data/gazetteer.txt is compiled in (data.h); operators add
 * files in the same format (mld_topics_load). Each line is a topic with
 * the forms the text uses for it. Every form is analyzed once, at load,
 * by the analyzer the text goes through (text/analyze.h), so inflection is
 * matched through stems: the form "russisch" finds "russischen". A topic
 * is identified by its normalised name (the stems of its name's words),
 * which is also how an agency keyword finds its topic: the keyword
 * "Russland" and the gazetteer's Russland are one topic.
 *
 * Matching. Forms sit in a hash table under the stem of their first word
 * (and of that word with a genitive "s", for one-word forms). The text is
 * analyzed field by field into words and the parts of closed compounds; a
 * word looks up its stem and tries each form listed there against the
 * words that follow, and the longest form that matches wins: "Demokratische
 * Republik Kongo" over "Kongo", the ignore entry "Jamaika-Koalition" over
 * "Jamaika". A word that matched nothing lends its compound parts
 * ("Kremlchef": "kreml", "chef") to the plain one-word forms, at
 * PART_WEIGHT. Forms marked '^' need a capital letter, forms marked '='
 * the exact bytes as written; neither matches inside closed compounds,
 * nor does a place's "-er" word ("Schweizerhaus"), which also is no place
 * before a street word ("Berliner Straße"). A place inside parentheses or
 * quotation marks weighs ASIDE_WEIGHT.
 *
 * People. After a person's full name the surname alone is that person.
 * A word written like a first name of data/first_names.txt followed by a
 * surname names a person the gazetteer lacks ("Alexander Zverev ...
 * Zverev"), kept when named twice or up top (person_at()).
 *
 * Salience. A mention weighs by where it stands: headline, kicker,
 * teaser, then the body's paragraphs, early ones more (body_weight()). A
 * topic's score adds its mentions, heaviest first, each worth DECAY times
 * the one before: repetition adds with diminishing returns, and one
 * mention in the headline beats many in the body. A mention counts for
 * the topic's parent too, times the share of the topic's kind (a capital
 * stands for its state: 0.8; a city for its region: 0.5), and on up the
 * chain. The agency's own topics (a->topics from the parsers: dpa
 * geosubjects) get a prior by rank and are kept whatever the text says;
 * its keywords, people and feed tags (categories "keyword:", "person:",
 * "tag:") get a smaller prior when they name a gazetteer topic. A topic the text alone found is
 * kept when it scores MIN_SCORE and at least MIN_RELATIVE of the best
 * (a place: PLACE_RELATIVE of the strongest place in the text), up to
 * MLD_TOPIC_MAX_FOUND of them; a capital is dropped below its
 * country ("Moskau" adds nothing to "Russland" above it).
 *
 * Threads: the compiled-in gazetteer is built once (pthread_once) on first
 * use; after that the tables are only read, from any thread. Operator
 * files are added under a lock, before the first article is enriched
 * (enrich.h).
 */
#include "enrich.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../text/analyze.h"
#include "data.h"

/* Salience ------------------------------------------------------------------ */

/* Weight of one mention by field. The headline says what the article is
 * about; the kicker names its subject in a word or two; the teaser sums it
 * up; the dateline names where it was written, which is often not what it
 * is about. */
#define HEADLINE_WEIGHT 3.0f
#define KICKER_WEIGHT 2.5f
#define TEASER_WEIGHT 2.0f
#define DATELINE_WEIGHT 1.0f

/* Body paragraph p (1-based) weighs BODY_WEIGHT / (1 + BODY_FALL * (p-1)):
 * 1.5, 1.2, 1.0, 0.86, ... 0.4 in the 12th. A paragraph is a line of the
 * text, or PARAGRAPH_BYTES of it when the source has no paragraphs. */
#define BODY_WEIGHT 1.5f
#define BODY_FALL 0.25f
#define PARAGRAPH_BYTES 500

/* A part of a closed compound ("Russlandreise") says less than the word. */
#define PART_WEIGHT 0.7f
/* A place inside parentheses or quotation marks is mostly not what the
 * article is about: the seat of a newspaper quoted, a title, an aside. */
#define ASIDE_WEIGHT 0.2f
/* Parts this short are more often a wrong split than a name. */
#define PART_MIN_BYTES 4

/* Each further mention of a topic counts DECAY times the one before
 * (heaviest first); only the TOP_MENTIONS heaviest count at all. */
#define DECAY 0.6f
#define TOP_MENTIONS 6

/* Priors: the agency's ranked topics start at AGENCY_PRIOR, each rank
 * AGENCY_STEP less, never below AGENCY_PRIOR_MIN; a keyword or tag that
 * names a gazetteer topic gets KEYWORD_PRIOR. */
#define AGENCY_PRIOR 4.0f
#define AGENCY_STEP 0.3f
#define AGENCY_PRIOR_MIN 2.5f
#define KEYWORD_PRIOR 2.0f

/* A topic only the text found is kept when it scores MIN_SCORE (one
 * mention in the first paragraph, or two in the next ones; not one in the
 * 12th) and MIN_RELATIVE of the article's best topic. */
#define MIN_SCORE 1.2f
#define MIN_RELATIVE 0.2f
/* A place only the text found is kept when it scores PLACE_RELATIVE of
 * the strongest place the text names (scores without priors): the places
 * a story is about, not those it passes ("ein Helfer aus Wien"). */
#define PLACE_RELATIVE 0.5f

/* The gazetteer ---------------------------------------------------------------- */

/* X(kind, share of a mention passed to the parent, in percent). */
#define TOPIC_KINDS(X) \
    X(country, 50)     \
    X(region, 50)      \
    X(state, 50)       \
    X(capital, 80)     \
    X(city, 50)        \
    X(org, 50)         \
    X(party, 50)       \
    X(person, 50)      \
    X(ignore, 0)

enum kind {
#define KIND_ENUM_(k, share) KIND_##k,
    TOPIC_KINDS(KIND_ENUM_)
#undef KIND_ENUM_
        KIND_COUNT
};

static const char *const kind_names[] = {
#define KIND_NAME_(k, share) #k,
    TOPIC_KINDS(KIND_NAME_)
#undef KIND_NAME_
};

static const float kind_share[] = {
#define KIND_SHARE_(k, share) (share) / 100.0f,
    TOPIC_KINDS(KIND_SHARE_)
#undef KIND_SHARE_
};

/* Form flags: the markers '^' and '=', and F_DERIVED for a word made
 * from a place's name with "-er" ("Schweizer", "Berliner"): it starts
 * the names of things ("Schweizerhaus", "Berliner Straße", "Wiener
 * Schnitzel"), so it is never a compound part, nor before a street word. */
enum { F_CAP = 1, F_EXACT = 2, F_DERIVED = 4 };

struct entry {
    char *name;
    char *key; /* the normalised name */
    enum kind kind;
    int parent; /* entry index, or -1 */
};

struct form {
    int entry;
    int nwords;
    unsigned flags;
    char *stems; /* the words' stems, each NUL-terminated, one after another */
    char *alt;   /* the stem of the last word with a genitive "s" when it differs, or NULL */
    char *words; /* F_EXACT: the words as written, like stems; else NULL */
};

/* A list cell of the stem table: forms sharing the stem of a first word. */
struct node {
    int form;
    int next; /* node index, or -1 */
};

/* A hash table from strings to ints: open addressing, power-of-two size. */
struct slot {
    char *key; /* NULL: empty */
    size_t len;
    int val;
};
struct table {
    struct slot *v;
    size_t cap, n;
};

static struct {
    struct entry *entries;
    int nentries, centries;
    struct form *forms;
    int nforms, cforms;
    struct node *nodes;
    int nnodes, cnodes;
    struct table by_stem;     /* first stem -> first node */
    struct table by_name;     /* normalised name -> entry */
    struct table by_alias;    /* normalised form -> entry, for agency keywords */
    struct table first_names; /* data/first_names.txt, as written */
} gz;

static pthread_once_t gz_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t gz_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of k[0..len) in t: the one holding it, or the empty one where it
 * belongs. t->cap must be non-zero. */
static struct slot *
table_slot(const struct table *t, const char *k, size_t len)
{
    size_t i = (size_t)XXH3_64bits(k, len) & (t->cap - 1);
    while (t->v[i].key != NULL && (t->v[i].len != len || memcmp(t->v[i].key, k, len) != 0))
        i = (i + 1) & (t->cap - 1);
    return &t->v[i];
}

/* The value of k[0..len) in t, or NULL. */
static int *
table_get(const struct table *t, const char *k, size_t len)
{
    if (t->cap == 0)
        return NULL;
    struct slot *s = table_slot(t, k, len);
    return s->key != NULL ? &s->val : NULL;
}

/* The value of k[0..len) in t, added as init when absent. */
static int *
table_put(struct table *t, const char *k, size_t len, int init)
{
    if (2 * (t->n + 1) > t->cap) {
        struct table big = {mld_calloc(t->cap ? 2 * t->cap : 256, sizeof(struct slot)),
                            t->cap ? 2 * t->cap : 256, t->n};
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].key != NULL)
                *table_slot(&big, t->v[i].key, t->v[i].len) = t->v[i];
        mld_free(t->v);
        *t = big;
    }
    struct slot *s = table_slot(t, k, len);
    if (s->key == NULL) {
        *s = (struct slot){mld_strndup(k, len), len, init};
        t->n++;
    }
    return &s->val;
}

/* Frees t's keys and slots. */
static void
table_free(struct table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        mld_free(t->v[i].key);
    mld_free(t->v);
    *t = (struct table){0};
}

/* Grows the array *v of *cap elements of size sz to hold n + 1. */
static void *
grow(void *v, int n, int *cap, size_t sz)
{
    if (n < *cap)
        return v;
    *cap = *cap ? 2 * *cap : 64;
    return mld_reallocarray(v, (size_t)*cap, sz);
}

/* Analysing forms and names --------------------------------------------------- */

/* The words of a form or name as the analyzer sees them. */
struct words {
    int n;
    bool too_many;
    struct mld_buf stems; /* each NUL-terminated */
    size_t start[MLD_TOPIC_MAX_FORM_WORDS], end[MLD_TOPIC_MAX_FORM_WORDS];
};

/* Token callback: collects the WORD tokens of a form or name. */
static int
collect_word(void *ud, const struct mld_token *t)
{
    struct words *w = ud;
    if (t->kind != MLD_TOK_WORD)
        return 0;
    if (w->n == MLD_TOPIC_MAX_FORM_WORDS) {
        w->too_many = true;
        return 1;
    }
    w->start[w->n] = t->start;
    w->end[w->n++] = t->end;
    mld_buf_append(&w->stems, t->term, t->len);
    mld_buf_putc(&w->stems, '\0');
    return 0;
}

/* Analyzes s[0..len) into w (free w->stems with mld_buf_dispose). Returns
 * the number of words, or -1 when there are more than
 * MLD_TOPIC_MAX_FORM_WORDS. */
static int
words_of(struct words *w, const char *s, size_t len)
{
    w->n = 0;
    w->too_many = false;
    mld_buf_init(&w->stems, MLD_GAZETTEER_MAX_BYTES);
    mld_analyze(mld_analyzer(), s, len, 0, collect_word, w);
    return w->too_many ? -1 : w->n;
}

/* Appends the n NUL-terminated stems at stems to out, separated by one
 * space: the normalised form of a name. */
static void
join_stems(const char *stems, int n, struct mld_buf *out)
{
    for (int i = 0; i < n; i++, stems += strlen(stems) + 1) {
        if (i > 0)
            mld_buf_putc(out, ' ');
        mld_buf_puts(out, stems);
    }
}

/* Fills f from the form text s[0..len) (marker removed) and its flags.
 * Returns 0, or MLD_E_PARSE with err naming where and why. */
static int
form_make(struct form *f, const char *where, const char *s, size_t len, unsigned flags,
          struct mld_err *err)
{
    struct words w;
    int n = words_of(&w, s, len);
    if (n <= 0) {
        mld_buf_dispose(&w.stems);
        if (n == 0)
            return mld_err_set(err, MLD_E_PARSE, "%s: form \"%.*s\" has no letters or digits",
                               where, (int)len, s);
        return mld_err_set(err, MLD_E_PARSE, "%s: form \"%.*s\" has more than %d words", where,
                           (int)len, s, MLD_TOPIC_MAX_FORM_WORDS);
    }
    *f = (struct form){.entry = -1, .nwords = n, .flags = flags};
    f->stems = mld_buf_steal(&w.stems, NULL);
    const char *last = f->stems;
    for (int i = 1; i < n; i++)
        last += strlen(last) + 1;
    size_t l = w.end[n - 1] - w.start[n - 1];
    if (flags & F_EXACT) {
        struct mld_buf as_written;
        mld_buf_init(&as_written, MLD_GAZETTEER_MAX_BYTES);
        for (int i = 0; i < n; i++) {
            mld_buf_append(&as_written, s + w.start[i], w.end[i] - w.start[i]);
            mld_buf_putc(&as_written, '\0');
        }
        f->words = mld_buf_steal(&as_written, NULL);
    } else if (l <= MLD_AN_MAX_WORD_BYTES) {
        /* The genitive: "Selenskyjs", "Sri Lankas" stem apart from the
         * name unless the stemmer strips the "s" itself. */
        char gen[MLD_AN_MAX_WORD_BYTES + 1], stem[4 * MLD_AN_MAX_WORD_BYTES];
        memcpy(gen, s + w.start[n - 1], l);
        gen[l] = 's';
        size_t sl = mld_stem_word(mld_analyzer(), gen, l + 1, stem, sizeof(stem));
        if (sl > 0 && strcmp(stem, last) != 0)
            f->alt = mld_strndup(stem, sl);
    }
    return 0;
}

/* Frees what f holds. */
static void
form_dispose(struct form *f)
{
    mld_free(f->stems);
    mld_free(f->alt);
    mld_free(f->words);
}

/* Reading a gazetteer file ----------------------------------------------------- */

/* One line of a file, parsed and checked, before it is applied. */
struct line {
    int lineno;
    char *name;
    char *key;        /* normalised name */
    char *parent_key; /* normalised parent name, or NULL */
    enum kind kind;
    struct form *forms;
    int nforms;
    int id;     /* the entry: existing index, or gz.nentries + k for the k-th new name */
    int parent; /* its id, or -1 */
};

struct batch {
    const char *source;
    struct line *lines;
    int n, cap;
    struct table new_ids; /* normalised name -> id, for names new in this file */
};

/* Frees the lines of b and its table. */
static void
batch_dispose(struct batch *b)
{
    for (int i = 0; i < b->n; i++) {
        struct line *l = &b->lines[i];
        mld_free(l->name);
        mld_free(l->key);
        mld_free(l->parent_key);
        for (int j = 0; j < l->nforms; j++)
            form_dispose(&l->forms[j]);
        mld_free(l->forms);
    }
    mld_free(b->lines);
    table_free(&b->new_ids);
}

/* Sets *b and *e to s[0..n) without the spaces and tabs around it. */
static void
strip(const char *s, size_t n, const char **b, const char **e)
{
    *b = s;
    *e = s + n;
    while (*b < *e && (**b == ' ' || **b == '\t' || **b == '\r'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

/* True when s[0..n) is valid UTF-8 without control characters. */
static bool
clean_text(const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (n > 0) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &c);
        if (k <= 0 || c < 0x20 || c == 0x7f)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Parses the forms field s[0..n) of l. */
static int
parse_forms(struct line *l, const char *where, const char *s, size_t n, struct mld_err *err)
{
    const char *end = s + n;
    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *stop = semi ? semi : end, *b, *e;
        strip(s, (size_t)(stop - s), &b, &e);
        s = semi ? semi + 1 : end;
        unsigned flags = 0;
        if (b < e && (*b == '^' || *b == '=')) {
            flags = *b == '^' ? F_CAP : F_EXACT;
            strip(b + 1, (size_t)(e - b - 1), &b, &e);
        }
        if (b == e) {
            if (flags != 0)
                return mld_err_set(err, MLD_E_PARSE, "%s: a marker without a form", where);
            continue; /* "a; ; b" and a trailing ';' */
        }
        if (!clean_text(b, (size_t)(e - b)))
            return mld_err_set(err, MLD_E_PARSE, "%s: a form is not valid UTF-8 text", where);
        struct form f;
        int rc = form_make(&f, where, b, (size_t)(e - b), flags, err);
        if (rc != 0)
            return rc;
        if (f.nwords == 1 && e - b > 2 && memcmp(e - 2, "er", 2) == 0 &&
            ((size_t)(e - b) != strlen(l->name) || memcmp(b, l->name, (size_t)(e - b)) != 0))
            f.flags |= F_DERIVED;
        l->forms = mld_reallocarray(l->forms, (size_t)l->nforms + 1, sizeof(*l->forms));
        l->forms[l->nforms++] = f;
    }
    return 0;
}

/* Normalises the name b[0..e) into *key, checking it is usable. */
static int
parse_name(const char *where, const char *what, const char *b, const char *e, char **key,
           struct mld_err *err)
{
    size_t n = (size_t)(e - b);
    if (n == 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: empty %s", where, what);
    if (n > MLD_TOPIC_MAX_NAME_BYTES)
        return mld_err_set(err, MLD_E_PARSE, "%s: %s longer than %d bytes", where, what,
                           MLD_TOPIC_MAX_NAME_BYTES);
    if (!clean_text(b, n))
        return mld_err_set(err, MLD_E_PARSE, "%s: %s is not valid UTF-8 text", where, what);
    struct words w;
    int words = words_of(&w, b, n);
    if (words <= 0) {
        mld_buf_dispose(&w.stems);
        return mld_err_set(err, MLD_E_PARSE, "%s: %s \"%.*s\" has %s", where, what, (int)n, b,
                           words == 0 ? "no letters or digits" : "too many words");
    }
    struct mld_buf k;
    mld_buf_init(&k, MLD_GAZETTEER_MAX_BYTES);
    join_stems(w.stems.p, words, &k);
    mld_buf_dispose(&w.stems);
    *key = mld_buf_steal(&k, NULL);
    return 0;
}

/* Parses one non-comment line s[0..n) into l. */
static int
parse_line(struct line *l, const char *where, const char *s, size_t n, struct mld_err *err)
{
    const char *field[4], *fend[4];
    int nf = 0;
    for (const char *p = s, *end = s + n; nf < 5; nf++) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        if (nf == 4)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: more than four fields "
                               "(expected Name|kind|forms|Parent)",
                               where);
        strip(p, (size_t)((bar ? bar : end) - p), &field[nf], &fend[nf]);
        if (bar == NULL) {
            nf++;
            break;
        }
        p = bar + 1;
    }
    if (nf < 3)
        return mld_err_set(err, MLD_E_PARSE, "%s: expected Name|kind|forms|Parent", where);
    int rc = parse_name(where, "topic name", field[0], fend[0], &l->key, err);
    if (rc != 0)
        return rc;
    l->name = mld_strndup(field[0], (size_t)(fend[0] - field[0]));
    size_t kn = (size_t)(fend[1] - field[1]);
    for (l->kind = 0; l->kind < KIND_COUNT; l->kind++)
        if (strlen(kind_names[l->kind]) == kn && memcmp(kind_names[l->kind], field[1], kn) == 0)
            break;
    if (l->kind == KIND_COUNT)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: unknown kind \"%.*s\" (country, region, state, capital, city, "
                           "org, party, person or ignore)",
                           where, (int)kn, field[1]);
    if (nf == 4 && fend[3] > field[3]) {
        if (l->kind == KIND_ignore)
            return mld_err_set(err, MLD_E_PARSE, "%s: an ignore entry has no parent", where);
        rc = parse_name(where, "parent", field[3], fend[3], &l->parent_key, err);
        if (rc != 0)
            return rc;
    }
    return parse_forms(l, where, field[2], (size_t)(fend[2] - field[2]), err);
}

/* The id of the topic called key: an existing entry, a name earlier in
 * this batch, or -1. */
static int
id_of(const struct batch *b, const char *key)
{
    const int *v = table_get(&gz.by_name, key, strlen(key));
    if (v == NULL)
        v = table_get(&b->new_ids, key, strlen(key));
    return v ? *v : -1;
}

/* Gives each line its id; checks kinds agree and parents exist, and that
 * no parent chain loops or runs deeper than MLD_TOPIC_MAX_PARENT_DEPTH. */
static int
resolve(struct batch *b, struct mld_err *err)
{
    int total = gz.nentries;
    for (int i = 0; i < b->n; i++) {
        struct line *l = &b->lines[i];
        l->id = id_of(b, l->key);
        if (l->id < 0) {
            l->id = *table_put(&b->new_ids, l->key, strlen(l->key), total++);
            continue;
        }
        enum kind was = KIND_COUNT;
        if (l->id < gz.nentries)
            was = gz.entries[l->id].kind;
        for (int j = 0; j < i && was == KIND_COUNT; j++)
            if (b->lines[j].id == l->id)
                was = b->lines[j].kind;
        if (was != l->kind)
            return mld_err_set(err, MLD_E_PARSE, "%s:%d: \"%s\" is a %s, not a %s", b->source,
                               l->lineno, l->name, kind_names[was], kind_names[l->kind]);
    }
    int *parent = mld_malloc((size_t)total * sizeof(int));
    for (int i = 0; i < total; i++)
        parent[i] = i < gz.nentries ? gz.entries[i].parent : -1;
    int rc = 0;
    for (int i = 0; i < b->n && rc == 0; i++) {
        struct line *l = &b->lines[i];
        l->parent = -1;
        if (l->parent_key == NULL)
            continue;
        l->parent = id_of(b, l->parent_key);
        if (l->parent < 0)
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: unknown parent of \"%s\"", b->source,
                             l->lineno, l->name);
        else
            parent[l->id] = l->parent;
    }
    for (int i = 0; i < b->n && rc == 0; i++) {
        const struct line *l = &b->lines[i];
        int depth = 0, p = l->id;
        while ((p = parent[p]) >= 0 && p != l->id && depth < MLD_TOPIC_MAX_PARENT_DEPTH)
            depth++;
        if (p == l->id)
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: \"%s\" is its own ancestor", b->source,
                             l->lineno, l->name);
        else if (p >= 0)
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: parents of \"%s\" nested deeper than %d",
                             b->source, l->lineno, l->name, MLD_TOPIC_MAX_PARENT_DEPTH);
    }
    mld_free(parent);
    return rc;
}

/* Files form index fi of the gazetteer under the stem key[0..len). */
static void
index_form(int fi, const char *key, size_t len)
{
    gz.nodes = grow(gz.nodes, gz.nnodes, &gz.cnodes, sizeof(*gz.nodes));
    int *head = table_put(&gz.by_stem, key, len, -1);
    gz.nodes[gz.nnodes] = (struct node){fi, *head};
    *head = gz.nnodes++;
}

/* Adds the lines of a resolved batch to the gazetteer; cannot fail. The
 * forms move from the lines to the gazetteer. */
static void
apply(struct batch *b)
{
    for (int i = 0; i < b->n; i++) {
        struct line *l = &b->lines[i];
        if (l->id == gz.nentries) {
            gz.entries = grow(gz.entries, gz.nentries, &gz.centries, sizeof(*gz.entries));
            gz.entries[gz.nentries++] =
                (struct entry){mld_strdup(l->name), mld_strdup(l->key), l->kind, -1};
            *table_put(&gz.by_name, l->key, strlen(l->key), l->id) = l->id;
        }
        if (l->parent >= 0)
            gz.entries[l->id].parent = l->parent;
        for (int j = 0; j < l->nforms; j++) {
            struct form *f = &l->forms[j];
            f->entry = l->id;
            gz.forms = grow(gz.forms, gz.nforms, &gz.cforms, sizeof(*gz.forms));
            int fi = gz.nforms++;
            gz.forms[fi] = *f;
            index_form(fi, f->stems, strlen(f->stems));
            if (f->nwords == 1 && f->alt != NULL)
                index_form(fi, f->alt, strlen(f->alt));
            if (l->kind != KIND_ignore && !(f->flags & F_EXACT)) {
                /* "Weißrussland" as an agency keyword is Belarus (but the
                 * keyword "Drogen" is not the form "=Dröge"). */
                struct mld_buf k;
                mld_buf_init(&k, MLD_GAZETTEER_MAX_BYTES);
                join_stems(f->stems, f->nwords, &k);
                table_put(&gz.by_alias, k.p, k.len, l->id);
                mld_buf_dispose(&k);
            }
        }
        l->nforms = 0; /* moved */
    }
}

/* Reads a gazetteer in text[0..len), named source in messages, into the
 * tables: all of it, or on error (MLD_E_PARSE, "source:line: reason")
 * nothing. Caller holds gz_lock or runs once. */
static int
load_text(const char *source, const char *text, size_t len, struct mld_err *err)
{
    struct batch b = {.source = source};
    int rc = 0, lineno = 0;
    for (const char *p = text, *end = text + len; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end, *s, *e;
        lineno++;
        strip(p, (size_t)(stop - p), &s, &e);
        p = nl ? nl + 1 : end;
        if (s == e || *s == '#')
            continue;
        char where[512];
        snprintf(where, sizeof(where), "%s:%d", source, lineno);
        b.lines = grow(b.lines, b.n, &b.cap, sizeof(*b.lines));
        struct line *l = &b.lines[b.n++];
        *l = (struct line){.lineno = lineno};
        rc = parse_line(l, where, s, (size_t)(e - s), err);
    }
    if (rc == 0)
        rc = resolve(&b, err);
    if (rc == 0)
        apply(&b);
    batch_dispose(&b);
    return rc;
}

/* Why the compiled-in gazetteer failed to load, if it did (the unit test
 * reads it). */
static struct mld_err defaults_err;

/* Builds the tables from the compiled-in gazetteer (pthread_once). A
 * mistake there is a bug the unit test catches; at run time it is logged
 * and the topics come from the agency alone. */
static void
load_defaults(void)
{
    const char *p = mld_data_first_names, *end = p + sizeof(mld_data_first_names) - 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl ? nl : end, *b, *e;
        strip(p, (size_t)(stop - p), &b, &e);
        if (b < e && *b != '#')
            table_put(&gz.first_names, b, (size_t)(e - b), 0);
        p = nl ? nl + 1 : end;
    }
    if (load_text("data/gazetteer.txt", mld_data_gazetteer, sizeof(mld_data_gazetteer) - 1,
                  &defaults_err) != 0)
        mld_log_error("topics: %s", defaults_err.msg);
}

int
mld_topics_load(const char *path, struct mld_err *err)
{
    pthread_once(&gz_once, load_defaults);
    struct mld_buf b;
    mld_buf_init(&b, MLD_GAZETTEER_MAX_BYTES);
    int rc = mld_buf_read_file(&b, path, err);
    if (rc == 0) {
        pthread_mutex_lock(&gz_lock);
        rc = load_text(path, b.p ? b.p : "", b.len, err);
        pthread_mutex_unlock(&gz_lock);
    }
    mld_buf_dispose(&b);
    return rc;
}

/* Tagging ---------------------------------------------------------------------- */

/* True for the kinds that are places. */
static bool
is_place(enum kind k)
{
    return k <= KIND_city;
}

/* One word or compound part of a field. */
struct tok {
    size_t stem; /* offset of the stem in the pool */
    size_t len;
    size_t start, end;
    bool part, cap;
};

/* The tokens of one field. */
struct toks {
    struct tok *v;
    int n, cap;
    struct mld_buf pool; /* the stems, back to back */
};

/* Token callback: keeps words and compound parts; stops the analysis
 * should the stems outgrow their pool (they cannot: stems are shorter
 * than the text they come from, and parts at most double it). */
static int
collect_tok(void *ud, const struct mld_token *t)
{
    struct toks *ts = ud;
    if (t->kind != MLD_TOK_WORD && t->kind != MLD_TOK_PART)
        return 0;
    size_t at = ts->pool.len;
    if (mld_buf_append(&ts->pool, t->term, t->len) != 0)
        return 1;
    ts->v = grow(ts->v, ts->n, &ts->cap, sizeof(*ts->v));
    ts->v[ts->n++] =
        (struct tok){at, t->len, t->start, t->end, t->kind == MLD_TOK_PART, t->capitalized};
    return 0;
}

/* Words after which a place's "-er" word names a street or a square,
 * not the place: "Berliner Straße" in Hamburg, "Pariser Platz". Their
 * stems are made once, by the analyzer the text goes through. */
static const char *const street_words[] = {"Straße", "Str",    "Allee",     "Platz", "Ring",
                                           "Weg",    "Damm",   "Chaussee",  "Ufer",  "Gasse",
                                           "Tor",    "Brücke", "Landstraße"};
#define NSTREET (sizeof(street_words) / sizeof(street_words[0]))
static char street_stems[NSTREET][4 * MLD_AN_MAX_WORD_BYTES];
static pthread_once_t street_once = PTHREAD_ONCE_INIT;

static void
stem_streets(void)
{
    for (size_t i = 0; i < NSTREET; i++)
        mld_stem_word(mld_analyzer(), street_words[i], strlen(street_words[i]), street_stems[i],
                      sizeof(street_stems[i]));
}

/* True when token k of ts (k < ts->n) is a street word. */
static bool
is_street(const struct toks *ts, int k)
{
    pthread_once(&street_once, stem_streets);
    const struct tok *t = &ts->v[k];
    for (size_t i = 0; i < NSTREET; i++)
        if (strlen(street_stems[i]) == t->len &&
            memcmp(street_stems[i], ts->pool.p + t->stem, t->len) == 0)
            return true;
    return false;
}

/* True when the compound tk (a part of it matched the topic called name)
 * has the name followed by "er" in it: the splitter took "Schweizer" in
 * "Schweizerhaus" for "Schweiz" and a link, but it is the "-er" word,
 * which starts the names of things (F_DERIVED). */
static bool
derived_part(const char *src, const struct tok *tk, const char *name)
{
    size_t n = strlen(name);
    const char *w = src + tk->start, *end = src + tk->end;
    for (const char *p = w; p + n + 2 <= end; p++) {
        bool same = memcmp(p, name, n) == 0 ||
                    (p > w && name[0] >= 'A' && name[0] <= 'Z' && *p == name[0] + ('a' - 'A') &&
                     memcmp(p + 1, name + 1, n - 1) == 0);
        if (same && p[n] == 'e' && p[n + 1] == 'r')
            return true;
    }
    return false;
}

/* A topic found in an article, with the weights of its heaviest mentions. */
struct hit {
    int entry;        /* gazetteer entry, or -1 for an agency topic it lacks */
    const char *name; /* the display name */
    float prior;
    float w[TOP_MENTIONS]; /* heaviest first */
    int nw;
    float score;
    int order; /* first seen: breaks ties */
    bool kept;
};

/* At most this many people per article are followed by surname. */
#define MAX_SURNAMES 16
/* A person outside the gazetteer: a first name and up to this many more
 * before the surname ("Anna Lena Schmidt"). */
#define MAX_FIRST_NAMES 3

/* A person the article named in full, whom it may call by surname. */
struct surname {
    char stem[4 * MLD_AN_MAX_WORD_BYTES];    /* of the surname */
    char alt[4 * MLD_AN_MAX_WORD_BYTES];     /* of the surname with a genitive "s", or "" */
    int entry;                               /* the gazetteer's person, or -1 */
    int hit;                                 /* for entry < 0, its hit in the tally */
    char name[MLD_TOPIC_MAX_NAME_BYTES + 1]; /* for entry < 0, as the text wrote it */
};

struct tally {
    struct hit *v;
    int n, cap;
    int *slot; /* per gazetteer entry: index + 1 in v, or 0 */
    struct surname surname[MAX_SURNAMES];
    int nsurnames;
};

/* The record of the surname stem in t, or -1. */
static int
surname_find(const struct tally *t, const char *stem, size_t len)
{
    for (int i = 0; i < t->nsurnames; i++) {
        const struct surname *r = &t->surname[i];
        if ((strlen(r->stem) == len && memcmp(r->stem, stem, len) == 0) ||
            (r->alt[0] != '\0' && strlen(r->alt) == len && memcmp(r->alt, stem, len) == 0))
            return i;
    }
    return -1;
}

/* Notes that form f, a person's name of several words, was found: from
 * now on the article may call the person by the last word alone
 * ("Gustavo Petro ... Petro sagte"), also when that word is no form of
 * its own because it is a common name elsewhere. */
static void
follow_surname(struct tally *t, const struct form *f)
{
    if (f->nwords < 2 || gz.entries[f->entry].kind != KIND_person || t->nsurnames == MAX_SURNAMES)
        return;
    const char *last = f->stems;
    for (int i = 1; i < f->nwords; i++)
        last += strlen(last) + 1;
    if (surname_find(t, last, strlen(last)) >= 0 || strlen(last) >= sizeof(t->surname[0].stem))
        return; /* the first one named keeps it */
    struct surname *r = &t->surname[t->nsurnames++];
    *r = (struct surname){.entry = f->entry, .hit = -1};
    snprintf(r->stem, sizeof(r->stem), "%s", last);
    if (f->alt != NULL && strlen(f->alt) < sizeof(r->alt))
        snprintf(r->alt, sizeof(r->alt), "%s", f->alt);
}

/* The record of the person a capitalised word ts->v[k] names by surname,
 * or -1. */
static int
surname_at(const struct tally *t, const struct toks *ts, int k)
{
    const struct tok *tk = &ts->v[k];
    if (tk->part || !tk->cap)
        return -1;
    return surname_find(t, ts->pool.p + tk->stem, tk->len);
}

/* The hit of entry e (or of the agency topic name when e < 0), added. */
static struct hit *
hit_of(struct tally *t, int e, const char *name)
{
    if (e >= 0 && t->slot[e] > 0)
        return &t->v[t->slot[e] - 1];
    t->v = grow(t->v, t->n, &t->cap, sizeof(*t->v));
    struct hit *h = &t->v[t->n];
    *h = (struct hit){.entry = e, .name = e >= 0 ? gz.entries[e].name : name, .order = t->n};
    if (e >= 0)
        t->slot[e] = ++t->n;
    else
        t->n++;
    return h;
}

/* Adds a mention weighing w to h, which keeps the heaviest. */
static void
add_weight(struct hit *h, float w)
{
    int i = h->nw < TOP_MENTIONS ? h->nw++ : TOP_MENTIONS;
    while (i > 0 && h->w[i - 1] < w) {
        if (i < TOP_MENTIONS)
            h->w[i] = h->w[i - 1];
        i--;
    }
    if (i < TOP_MENTIONS)
        h->w[i] = w;
}

/* Records a mention of entry e weighing w, and its share for each parent. */
static void
mention(struct tally *t, int e, float w)
{
    for (int depth = 0; e >= 0 && w > 0 && depth <= MLD_TOPIC_MAX_PARENT_DEPTH; depth++) {
        add_weight(hit_of(t, e, NULL), w);
        w *= kind_share[gz.entries[e].kind];
        e = gz.entries[e].parent;
    }
}

/* The index of the word after token i of ts (compound parts skipped), or
 * ts->n. */
static int
next_word(const struct toks *ts, int i)
{
    for (i++; i < ts->n && ts->v[i].part; i++)
        ;
    return i;
}

/* True when token k of ts is the word stem (or alt) and meets flags for
 * the form's word at as_written (F_EXACT). */
static bool
word_is(const struct toks *ts, const char *src, int k, const char *stem, const char *alt,
        unsigned flags, const char *as_written)
{
    const struct tok *t = &ts->v[k];
    const char *term = ts->pool.p + t->stem;
    bool same = (strlen(stem) == t->len && memcmp(stem, term, t->len) == 0) ||
                (alt != NULL && strlen(alt) == t->len && memcmp(alt, term, t->len) == 0);
    if (!same)
        return false;
    if (flags & F_EXACT)
        return strlen(as_written) == t->end - t->start &&
               memcmp(as_written, src + t->start, t->end - t->start) == 0;
    return !(flags & F_CAP) || t->cap;
}

/* The index of the last token of form f matched at token i of ts, or -1. */
static int
form_at(const struct form *f, const struct toks *ts, const char *src, int i)
{
    const char *stem = f->stems, *w = f->words;
    for (int k = 0; k < f->nwords; k++) {
        if (k > 0)
            i = next_word(ts, i);
        if (i >= ts->n)
            return -1;
        unsigned flags = f->flags;
        if (k > 0 && (flags & F_CAP))
            flags &= ~(unsigned)F_CAP; /* the capital is asked of the first word */
        if (!word_is(ts, src, i, stem, k == f->nwords - 1 ? f->alt : NULL, flags, w))
            return -1;
        stem += strlen(stem) + 1;
        if (w != NULL)
            w += strlen(w) + 1;
    }
    return i;
}

/* The weight of a body mention at byte off of body: by its paragraph.
 * *scan and *para carry the count of lines from the last call. */
static float
body_weight(const char *body, size_t off, size_t *scan, int *para)
{
    for (; *scan < off; (*scan)++)
        if (body[*scan] == '\n')
            (*para)++;
    int p = *para, by_bytes = 1 + (int)(off / PARAGRAPH_BYTES);
    if (by_bytes > p)
        p = by_bytes;
    return BODY_WEIGHT / (1.0f + BODY_FALL * (float)(p - 1));
}

/* True when token k of ts is written as a first name of
 * data/first_names.txt. */
static bool
is_first_name(const struct toks *ts, const char *src, int k)
{
    const struct tok *t = &ts->v[k];
    return !t->part && t->cap && table_get(&gz.first_names, src + t->start, t->end - t->start);
}

/* True when src[from..to) is what may stand between the words of a name:
 * one space, or a hyphen ("Anna-Lena"). */
static bool
name_gap(const char *src, size_t from, size_t to)
{
    return to == from + 1 && (src[from] == ' ' || src[from] == '-');
}

/* At token i of ts, a capitalised word no form matched: when it is a first
 * name followed by a surname ("Alexander Zverev"), the record of that
 * person in t (added when new; the surname decides: "Zverev" later is the
 * same person), with *end set to the surname's token; else -1. Not a
 * person: a name inside a compound ("Konrad-Adenauer-Stiftung",
 * "Karl-Marx-Allee"), a surname that is a form of the gazetteer. */
static int
person_at(struct tally *t, const struct toks *ts, const char *src, int i, int *end)
{
    if (!is_first_name(ts, src, i) || (ts->v[i].start > 0 && src[ts->v[i].start - 1] == '-'))
        return -1;
    int j = i, k = -1;
    for (int firsts = 1; (k = next_word(ts, j)) < ts->n; j = k, firsts++) {
        if (!name_gap(src, ts->v[j].end, ts->v[k].start) || !ts->v[k].cap)
            return -1;
        if (!is_first_name(ts, src, k) || firsts == MAX_FIRST_NAMES)
            break;
    }
    if (k >= ts->n || is_first_name(ts, src, k))
        return -1;
    /* "Recep Tayyip Erdogan": not Tayyip, when a form of the gazetteer
     * follows at once (the gazetteer's person, by surname). */
    int m = next_word(ts, k);
    if (m < ts->n && ts->v[m].cap && name_gap(src, ts->v[k].end, ts->v[m].start) &&
        table_get(&gz.by_stem, ts->pool.p + ts->v[m].stem, ts->v[m].len) != NULL)
        return -1;
    const struct tok *sn = &ts->v[k];
    const char *stem = ts->pool.p + sn->stem;
    if (src[sn->end] == '-' || table_get(&gz.by_stem, stem, sn->len) != NULL)
        return -1;
    *end = k;
    int r = surname_find(t, stem, sn->len);
    if (r >= 0 || t->nsurnames == MAX_SURNAMES || sn->len >= sizeof(t->surname[0].stem) ||
        sn->end - ts->v[i].start > MLD_TOPIC_MAX_NAME_BYTES)
        return r;
    struct surname *p = &t->surname[t->nsurnames];
    *p = (struct surname){.entry = -1};
    memcpy(p->stem, stem, sn->len);
    memcpy(p->name, src + ts->v[i].start, sn->end - ts->v[i].start);
    p->hit = t->n;
    hit_of(t, -1, p->name);
    return t->nsurnames++;
}

/* Where the text stands: inside parentheses or a quoted title. */
struct aside {
    size_t scan; /* bytes read so far */
    int paren;   /* open parentheses */
    int quote;   /* open guillemets or German quotes */
};

/* True when byte off of src is inside parentheses or quotation marks
 * ("«Nürnberger Nachrichten» (Nürnberg)"): a newspaper's seat, a title,
 * an aside, someone's words; *a carries the scan from the last call. */
static bool
in_aside(const char *src, size_t off, struct aside *a)
{
    for (; a->scan < off; a->scan++) {
        const unsigned char *c = (const unsigned char *)src + a->scan;
        if (*c == '(')
            a->paren++;
        else if (*c == ')' && a->paren > 0)
            a->paren--;
        else if (*c == '\n')
            a->paren = a->quote = 0;           /* an unclosed mark ends with its paragraph */
        else if (c[0] == 0xc2 && c[1] == 0xab) /* « */
            a->quote++;
        else if (c[0] == 0xc2 && c[1] == 0xbb && a->quote > 0) /* » */
            a->quote--;
        else if (c[0] == 0xe2 && c[1] == 0x80 && c[2] == 0x9e) /* „ */
            a->quote++;
        else if (c[0] == 0xe2 && c[1] == 0x80 && c[2] == 0x9c && a->quote > 0) /* “ */
            a->quote--;
    }
    return a->paren > 0 || a->quote > 0;
}

/* Finds the gazetteer's forms in the field text[from..to) of
 * text[0..len) and records their mentions, each weighing weight, or by
 * its paragraph when weight is 0 (the body). The tokens come from r when
 * that holds text's (mld_analyze_part); r may be NULL. */
static void
tag_field(struct tally *t, struct toks *ts, const struct mld_token_rec *r, const char *text,
          size_t len, size_t from, size_t to, float weight)
{
    ts->n = 0;
    mld_buf_reset(&ts->pool);
    const char *src = text + from;
    if (to - from > MLD_TOPIC_MAX_TEXT_BYTES)
        to = from + MLD_TOPIC_MAX_TEXT_BYTES;
    mld_analyze_part(mld_analyzer(), r, text, len, from, to, MLD_AN_PARTS, collect_tok, ts);
    size_t scan = 0;
    int para = 1;
    struct aside aside = {0};
    bool word_matched = false;
    for (int i = 0; i < ts->n; i++) {
        const struct tok *tk = &ts->v[i];
        if (tk->part && (word_matched || tk->len < PART_MIN_BYTES))
            continue;
        const int *head = table_get(&gz.by_stem, ts->pool.p + tk->stem, tk->len);
        int best = -1, best_end = -1;
        for (int nd = head ? *head : -1; nd >= 0; nd = gz.nodes[nd].next) {
            const struct form *f = &gz.forms[gz.nodes[nd].form];
            if (tk->part && (f->nwords > 1 || f->flags != 0))
                continue;
            int end = tk->part ? (word_is(ts, src, i, f->stems, f->alt, 0, NULL) ? i : -1)
                               : form_at(f, ts, src, i);
            if (end >= 0 && (best < 0 || f->nwords > gz.forms[best].nwords)) {
                best = gz.nodes[nd].form;
                best_end = end;
            }
        }
        if (best >= 0 && (gz.forms[best].flags & F_DERIVED) && next_word(ts, i) < ts->n &&
            is_street(ts, next_word(ts, i)))
            best = -1; /* "Berliner Straße" */
        if (best >= 0 && tk->part && derived_part(src, tk, gz.entries[gz.forms[best].entry].name))
            best = -1; /* "Schweizerhaus" */
        int entry = -1, person = -1;
        if (best >= 0) {
            entry = gz.forms[best].entry;
            follow_surname(t, &gz.forms[best]);
        } else if (!tk->part && (person = surname_at(t, ts, i)) >= 0) {
            best_end = i;
        } else if (!tk->part) {
            person = person_at(t, ts, src, i, &best_end);
        }
        if (person >= 0)
            entry = t->surname[person].entry;
        if (!tk->part)
            word_matched = entry >= 0 || person >= 0;
        if (entry < 0 && person < 0)
            continue;
        float w = weight > 0 ? weight : body_weight(src, tk->start, &scan, &para);
        if (tk->part)
            w *= PART_WEIGHT;
        if (in_aside(src, tk->start, &aside) && entry >= 0 && is_place(gz.entries[entry].kind))
            w *= ASIDE_WEIGHT;
        if (entry >= 0)
            mention(t, entry, w);
        else
            add_weight(&t->v[t->surname[person].hit], w);
        i = best_end;
    }
}

/* The gazetteer entry an agency keyword names, or -1. */
static int
entry_named(const char *name)
{
    struct mld_buf k;
    mld_buf_init(&k, MLD_GAZETTEER_MAX_BYTES);
    struct words w;
    int n = words_of(&w, name, strlen(name));
    if (n > 0)
        join_stems(w.stems.p, n, &k);
    mld_buf_dispose(&w.stems);
    const int *e = NULL;
    if (k.len > 0 && (e = table_get(&gz.by_name, k.p, k.len)) == NULL)
        e = table_get(&gz.by_alias, k.p, k.len);
    mld_buf_dispose(&k);
    return e != NULL && gz.entries[*e].kind != KIND_ignore ? *e : -1;
}

/* Gives the agency's topics and its matching keywords their priors. */
static void
add_priors(struct tally *t, const struct mld_article *a)
{
    for (int i = 0; i < a->ntopics; i++) {
        float prior = AGENCY_PRIOR - AGENCY_STEP * (float)i;
        struct hit *h = hit_of(t, entry_named(a->topics[i]), a->topics[i]);
        if (prior < AGENCY_PRIOR_MIN)
            prior = AGENCY_PRIOR_MIN;
        if (h->prior < prior)
            h->prior = prior;
    }
    for (int i = 0; i < a->ncategories; i++) {
        const char *c = a->categories[i];
        const char *kw = strncmp(c, "keyword:", 8) == 0  ? c + 8
                         : strncmp(c, "person:", 7) == 0 ? c + 7
                         : strncmp(c, "tag:", 4) == 0    ? c + 4
                                                         : NULL;
        int e = kw != NULL ? entry_named(kw) : -1;
        if (e >= 0) {
            struct hit *h = hit_of(t, e, NULL);
            if (h->prior < KEYWORD_PRIOR)
                h->prior = KEYWORD_PRIOR;
        }
    }
}

bool
mld_topics_lang_tagged(const char *lang)
{
    return lang == NULL || *lang == '\0' ||
           ((lang[0] == 'd' || lang[0] == 'D') && (lang[1] == 'e' || lang[1] == 'E') &&
            (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'));
}

/* Analyzes the article's text fields into t, with the tokens recorded
 * in rec[MLD_RECS] where they match (rec may be NULL). */
static void
tag_article(struct tally *t, const struct mld_article *a, const struct mld_token_rec *rec)
{
    struct toks ts = {0};
    mld_buf_init(&ts.pool, MLD_TOPIC_MAX_TEXT_BYTES * 4);
    const struct mld_token_rec *rt = rec ? &rec[MLD_REC_TEXT] : NULL;
    size_t xl = a->text ? strlen(a->text) : 0, tl = a->teaser ? strlen(a->teaser) : 0;
    /* The text repeats the teaser on its first line. */
    bool lead = a->text != NULL && tl > 0 && strncmp(a->text, a->teaser, tl) == 0 &&
                (a->text[tl] == '\n' || a->text[tl] == '\0');
    const struct {
        const char *s;
        const struct mld_token_rec *r;
        float w;
    } fields[] = {{a->headline, rec ? &rec[MLD_REC_HEADLINE] : NULL, HEADLINE_WEIGHT},
                  {a->kicker, rec ? &rec[MLD_REC_KICKER] : NULL, KICKER_WEIGHT},
                  {lead ? a->text : a->teaser, lead ? rt : NULL, TEASER_WEIGHT},
                  {a->dateline, NULL, DATELINE_WEIGHT}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i].s == NULL)
            continue;
        size_t n = fields[i].s == a->text ? xl : strlen(fields[i].s);
        tag_field(t, &ts, fields[i].r, fields[i].s, n, 0, fields[i].s == a->text ? tl : n,
                  fields[i].w);
    }
    if (a->text != NULL)
        tag_field(t, &ts, rt, a->text, xl, lead ? (a->text[tl] ? tl + 1 : tl) : 0, xl, 0);
    mld_free(ts.v);
    mld_buf_dispose(&ts.pool);
}

/* Orders hits by score, best first; ties by first appearance. */
static int
cmp_hit(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->order - b->order;
}

/* True when hit h of t (sorted, best first, the hits before h decided)
 * is a topic of the article whose best hit scores best. */
static bool
keeps(const struct tally *t, const struct hit *h, float best, float best_place)
{
    if (h->prior > 0)
        return true;
    if (h->score < MIN_SCORE || h->score < MIN_RELATIVE * best)
        return false;
    if (h->entry < 0) /* a person outside the gazetteer: named twice, or up top */
        return h->nw >= 2 || h->w[0] >= TEASER_WEIGHT;
    const struct entry *e = &gz.entries[h->entry];
    if (e->kind == KIND_ignore)
        return false;
    if (!is_place(e->kind))
        return true;
    if (h->score < PLACE_RELATIVE * best_place)
        return false;
    /* "Moskau" says no more than "Russland" above it. */
    return e->kind != KIND_capital || e->parent < 0 || t->slot[e->parent] == 0 ||
           !t->v[t->slot[e->parent] - 1].kept;
}

void
mld_enrich_topics(struct mld_article *a)
{
    mld_enrich_topics_rec(a, NULL);
}

void
mld_enrich_topics_rec(struct mld_article *a, const struct mld_token_rec *rec)
{
    pthread_once(&gz_once, load_defaults);
    struct tally t = {0};
    t.slot = mld_calloc(gz.nentries ? (size_t)gz.nentries : 1, sizeof(int));
    add_priors(&t, a);
    if (mld_topics_lang_tagged(a->lang))
        tag_article(&t, a, rec);
    float best = 0, best_place = 0;
    for (int i = 0; i < t.n; i++) {
        struct hit *h = &t.v[i];
        float f = 1;
        h->score = h->prior;
        for (int k = 0; k < h->nw; k++, f *= DECAY)
            h->score += f * h->w[k];
        if (h->score > best)
            best = h->score;
        if (h->entry >= 0 && is_place(gz.entries[h->entry].kind) &&
            h->score - h->prior > best_place)
            best_place = h->score - h->prior;
    }
    if (t.n > 1)
        qsort(t.v, (size_t)t.n, sizeof(*t.v), cmp_hit);
    for (int i = 0; i < t.n; i++)
        if (t.v[i].entry >= 0)
            t.slot[t.v[i].entry] = i + 1;
    char *keep[MLD_MAX_TOPICS];
    int nkeep = 0, found = 0;
    for (int i = 0; i < t.n && nkeep < MLD_MAX_TOPICS; i++) {
        struct hit *h = &t.v[i];
        h->kept = keeps(&t, h, best, best_place) && (h->prior > 0 || found++ < MLD_TOPIC_MAX_FOUND);
        if (h->kept)
            keep[nkeep++] = mld_strdup(h->name);
    }
    for (int i = 0; i < a->ntopics; i++)
        mld_free(a->topics[i]);
    mld_free(a->topics);
    a->topics = NULL;
    a->ntopics = 0;
    for (int i = 0; i < nkeep; i++) {
        mld_article_add_topic(a, keep[i]);
        mld_free(keep[i]);
    }
    mld_free(t.v);
    mld_free(t.slot);
}

/* Topic classes -------------------------------------------------------------- */

enum mld_topic_class
mld_topic_class(const char *name, const char **canonical)
{
    pthread_once(&gz_once, load_defaults);
    int e = entry_named(name);
    if (canonical != NULL)
        *canonical = e >= 0 ? gz.entries[e].name : name;
    if (e < 0)
        return MLD_TOPIC_UNKNOWN;
    switch (gz.entries[e].kind) {
    case KIND_person: return MLD_TOPIC_PERSON;
    case KIND_org:
    case KIND_party: return MLD_TOPIC_ORG;
    case KIND_ignore: return MLD_TOPIC_UNKNOWN;
    default: return MLD_TOPIC_PLACE;
    }
}

/* True when kind k is what agencies tag places at: a country or a state. */
static bool
geo_level(enum kind k)
{
    return k == KIND_country || k == KIND_state;
}

int
mld_topic_geo_levels(const char *name, const char **out, int max)
{
    if (mld_topic_class(name, NULL) != MLD_TOPIC_PLACE)
        return 0;
    int e = entry_named(name), n = 0;
    for (int d = 0; e >= 0 && d <= MLD_TOPIC_MAX_PARENT_DEPTH && n < max;
         d++, e = gz.entries[e].parent)
        if (geo_level(gz.entries[e].kind))
            out[n++] = gz.entries[e].name;
    if (n == 0 && max > 0)
        out[n++] = gz.entries[entry_named(name)].name; /* "Europa", "Nahost" */
    return n;
}

bool
mld_topics_person_name(const char *name)
{
    pthread_once(&gz_once, load_defaults);
    size_t n = strcspn(name, " -");
    return name[n] != '\0' && name[n + 1] != '\0' && table_get(&gz.first_names, name, n) != NULL;
}
