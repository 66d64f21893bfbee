/*
 * query.c - a reader's search query, made safe for SQLite FTS5 (see
 * query.h).
 *
 * Two passes. The first reads the text into terms: a run of non-space
 * bytes is a word (a trailing '*' makes it a prefix), a '"' opens a
 * phrase that runs to the next '"' or the end, a leading '-' or a NOT
 * before it excludes the term, an OR between two terms puts them into one
 * group. Each term is run through the analyzer as FTS5 will tokenize it,
 * which says whether it holds a word at all and whether it is only stop
 * words. The second pass writes the expression from what is kept:
 *
 *     (g1 AND g2 AND ...) NOT n1 NOT n2
 *
 * where a group of several terms is ("a" OR "b") and every term is an
 * FTS5 string, "text" or "text" * for a prefix. Inside an FTS5 string
 * nothing is syntax but the quote itself, and a term never holds one
 * (quotes end terms), so the reader's text cannot change the expression's
 * shape.
 */
#include "query.h"

#include <stdbool.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "analyze.h"

/* One term the reader typed. */
struct term {
    size_t start, len; /* the text inside quotes, without '-' and '*' */
    bool phrase;
    bool prefix;
    bool negated;
    bool stop;  /* a plain word made of stop words only */
    int group;  /* terms joined by OR share a group */
};

/* The terms read so far. */
struct terms {
    struct term v[MLD_SEARCH_MAX_TERMS];
    int n;
};

/* True for the bytes that separate terms: ASCII space and every control
 * character (a NUL or newline from a form is a space). */
static bool
is_space(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* True for the punctuation that separates words outside quotes: FTS5's
 * syntax characters and the like, which readers type as punctuation
 * ("(Merkel OR Scholz)", "Wahl:", "+Steuer"). */
static bool
is_sep(unsigned char c)
{
    return is_space(c) || (c != '\0' && strchr("()[]{}:^+,;", c) != NULL);
}

/* True when s[0..n) is the operator word op (upper case only, as in web
 * search: "or" is an ordinary word). */
static bool
is_op(const char *s, size_t n, const char *op)
{
    return n == strlen(op) && memcmp(s, op, n) == 0;
}

/* What the analyzer makes of a term. */
struct tally {
    int tokens;    /* tokens */
    int words;     /* tokens that are not stop words */
    size_t last;   /* length of the last token, in code points */
};

/* Counts one token into the tally (an mld_token_fn). */
static int
count_token(void *ud, const struct mld_token *t)
{
    struct tally *ty = ud;
    ty->tokens++;
    if (!t->stop)
        ty->words++;
    ty->last = 0;
    for (size_t i = 0; i < t->len; i++)
        ty->last += ((unsigned char)t->term[i] & 0xC0) != 0x80;
    return 0;
}

/* Analyzes s[0..n) as FTS5 will tokenize the term (flags: MLD_AN_QUERY,
 * plus MLD_AN_PREFIX for a prefix). */
static struct tally
analyze_term(const char *s, size_t n, unsigned flags)
{
    struct tally ty = {0};
    mld_analyze(mld_analyzer(), s, n, flags, count_token, &ty);
    return ty;
}

/* Decides whether term t of text is kept: it must hold a word; a prefix
 * too short to be one becomes an exact term; a plain word made only of
 * stop words is marked (dropped later when other words are there). */
static bool
settle_term(const char *text, struct term *t)
{
    struct tally ty = analyze_term(text + t->start, t->len, MLD_AN_QUERY);
    if (ty.tokens == 0)
        return false;
    if (t->prefix) {
        /* The raw form behind the marker counts, as FTS5 will match it. */
        struct tally raw = analyze_term(text + t->start, t->len, MLD_AN_QUERY | MLD_AN_PREFIX);
        if (raw.tokens == 0 || raw.last < 1 + MLD_SEARCH_MIN_PREFIX)
            t->prefix = false;
    }
    t->stop = !t->phrase && !t->prefix && ty.words == 0;
    return true;
}

/* Reads the terms of text[0..len) into ts (up to MLD_SEARCH_MAX_TERMS). */
static void
read_terms(const char *text, size_t len, struct terms *ts)
{
    bool pending_not = false, pending_or = false;
    int last_group = -1; /* group of the previous term when it was positive */
    int ngroups = 0;
    size_t pos = 0;
    while (pos < len && ts->n < MLD_SEARCH_MAX_TERMS) {
        while (pos < len && is_sep((unsigned char)text[pos]))
            pos++;
        if (pos == len)
            break;
        struct term t = {0};
        if (text[pos] == '-') {
            while (pos < len && text[pos] == '-')
                pos++;
            if (pos == len || is_sep((unsigned char)text[pos]))
                continue; /* dashes alone */
            t.negated = true;
        }
        if (text[pos] == '"') {
            const char *close = memchr(text + pos + 1, '"', len - pos - 1);
            size_t end = close != NULL ? (size_t)(close - text) : len;
            t.start = pos + 1;
            t.len = end - t.start;
            t.phrase = true;
            pos = close != NULL ? end + 1 : len;
            while (pos < len && text[pos] == '*') {
                t.prefix = true;
                pos++;
            }
        } else {
            t.start = pos;
            while (pos < len && !is_sep((unsigned char)text[pos]) && text[pos] != '"')
                pos++;
            t.len = pos - t.start;
            while (t.len > 0 && text[t.start + t.len - 1] == '*') {
                t.prefix = true;
                t.len--;
            }
            const char *w = text + t.start;
            if (!t.negated && !t.prefix) {
                if (is_op(w, t.len, "OR")) {
                    pending_or = last_group >= 0;
                    continue;
                }
                if (is_op(w, t.len, "NOT")) {
                    pending_not = true;
                    continue;
                }
                if (is_op(w, t.len, "AND") || is_op(w, t.len, "NEAR"))
                    continue;
            }
        }
        if (pending_not)
            t.negated = true;
        pending_not = false;
        if (!settle_term(text, &t)) {
            continue; /* nothing to search in it; a pending OR waits */
        }
        if (t.negated) {
            t.group = -1;
            last_group = -1;
            pending_or = false;
        } else {
            t.group = pending_or ? last_group : ngroups++;
            last_group = t.group;
            pending_or = false;
        }
        ts->v[ts->n++] = t;
    }
}

/* Appends term t of text as an FTS5 string: "text", or "text" * for a
 * prefix. Control characters become spaces; a quote (never in a term,
 * quotes end terms) would be doubled, as FTS5 escapes it. */
static void
put_term(struct mld_buf *b, const char *text, const struct term *t,
         const struct mld_query_hook *hook)
{
    if (hook != NULL && hook->term(hook->ud, text + t->start, t->len, t->prefix, t->negated, b))
        return;
    mld_buf_putc(b, '"');
    for (size_t i = 0; i < t->len; i++) {
        char c = text[t->start + i];
        if (c == '"')
            mld_buf_putc(b, '"');
        mld_buf_putc(b, is_space((unsigned char)c) ? ' ' : c);
    }
    mld_buf_putc(b, '"');
    if (t->prefix)
        mld_buf_puts(b, " *");
}

/* True when term t is left out of the expression: an excluded stop word,
 * or a stop word beside other words (has_words). */
static bool
dropped(const struct term *t, bool has_words)
{
    return t->stop && (t->negated || has_words);
}

/* Writes the positive groups of ts into b, " AND "-joined, each group of
 * several terms as ( ... OR ... ). Returns the number of groups written. */
static int
put_groups(struct mld_buf *b, const char *text, const struct terms *ts, bool has_words,
           const struct mld_query_hook *hook)
{
    int written = 0;
    for (int i = 0; i < ts->n; i++) {
        const struct term *t = &ts->v[i];
        if (t->negated || dropped(t, has_words))
            continue;
        /* The first kept term of its group opens it. */
        bool first = true;
        for (int j = 0; j < i && first; j++)
            first = ts->v[j].group != t->group || dropped(&ts->v[j], has_words);
        if (!first)
            continue;
        int members = 0;
        for (int j = i; j < ts->n; j++)
            members += ts->v[j].group == t->group && !dropped(&ts->v[j], has_words);
        if (written++ > 0)
            mld_buf_puts(b, " AND ");
        if (members > 1)
            mld_buf_putc(b, '(');
        int put = 0;
        for (int j = i; j < ts->n; j++) {
            if (ts->v[j].group != t->group || dropped(&ts->v[j], has_words))
                continue;
            if (put++ > 0)
                mld_buf_puts(b, " OR ");
            put_term(b, text, &ts->v[j], hook);
        }
        if (members > 1)
            mld_buf_putc(b, ')');
    }
    return written;
}

/* Where the reader's text ends for parsing: all of it, or up to the last
 * space within MLD_SEARCH_MAX_QUERY_BYTES (no word is cut in two). */
static size_t
usable_len(const char *text, size_t len)
{
    if (len <= MLD_SEARCH_MAX_QUERY_BYTES)
        return len;
    size_t n = MLD_SEARCH_MAX_QUERY_BYTES;
    while (n > 0 && !is_space((unsigned char)text[n]))
        n--;
    return n;
}

int
mld_query_parse(const char *text, size_t len, struct mld_fts_query *out, struct mld_err *err)
{
    return mld_query_parse_with(text, len, NULL, out, err);
}

int
mld_query_parse_with(const char *text, size_t len, const struct mld_query_hook *hook,
                     struct mld_fts_query *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    len = usable_len(text, len);
    struct terms ts = {.n = 0};
    read_terms(text, len, &ts);
    bool has_words = false, has_positive = false;
    for (int i = 0; i < ts.n; i++) {
        has_words |= !ts.v[i].negated && !ts.v[i].stop;
        has_positive |= !ts.v[i].negated;
    }
    if (!has_positive)
        return mld_err_set(err, MLD_E_PARSE,
                           ts.n == 0 ? "Die Suche braucht mindestens ein Wort."
                                     : "Die Suche braucht mindestens ein Wort ohne Minus davor.");

    /* The positive part alone first: it needs parentheses only when it
     * has several groups and exclusions follow. */
    struct mld_buf pos, b;
    mld_buf_init(&pos, 4 * MLD_SEARCH_MAX_QUERY_BYTES);
    mld_buf_init(&b, 4 * MLD_SEARCH_MAX_QUERY_BYTES);
    int groups = put_groups(&pos, text, &ts, has_words, hook);
    int negatives = 0;
    for (int i = 0; i < ts.n; i++)
        negatives += ts.v[i].negated && !dropped(&ts.v[i], has_words);
    bool wrap = groups > 1 && negatives > 0;
    if (wrap)
        mld_buf_putc(&b, '(');
    mld_buf_append(&b, pos.p, pos.len);
    if (wrap)
        mld_buf_putc(&b, ')');
    mld_buf_dispose(&pos);
    for (int i = 0; i < ts.n; i++) {
        const struct term *t = &ts.v[i];
        if (!t->negated || dropped(t, has_words))
            continue;
        mld_buf_puts(&b, " NOT ");
        put_term(&b, text, t, hook);
    }
    out->match = mld_buf_steal(&b, NULL);
    mld_buf_dispose(&b);

    for (int i = 0; i < ts.n; i++) {
        const struct term *t = &ts.v[i];
        if (t->negated || t->phrase || t->prefix || dropped(t, has_words))
            continue;
        out->words = mld_reallocarray(out->words, (size_t)out->nwords + 1, sizeof(*out->words));
        out->words[out->nwords++] = (struct mld_qword){
            .word = mld_strndup(text + t->start, t->len), .start = t->start, .len = t->len};
    }
    return 0;
}

void
mld_fts_query_dispose(struct mld_fts_query *q)
{
    mld_free(q->match);
    for (int i = 0; i < q->nwords; i++)
        mld_free(q->words[i].word);
    mld_free(q->words);
    memset(q, 0, sizeof(*q));
}
