/*
 * query.h - a reader's search query, made safe for SQLite FTS5.
 *
 * Readers type what web search taught them:
 *
 *     Merkel Gipfel          both words (AND is the default)
 *     "Helmut Kohl"          a phrase: the words in this order
 *     Verhandl*              a prefix (at least MLD_SEARCH_MIN_PREFIX letters)
 *     -Fußball, NOT Fußball  without this word (or "-phrase", -prefix*)
 *     Merkel OR Scholz       either word; OR binds tighter than AND, so
 *                            "Merkel OR Scholz Gipfel" means
 *                            (Merkel OR Scholz) AND Gipfel
 *
 * mld_query_parse() turns that into an FTS5 MATCH expression in which every
 * term the reader typed is a double-quoted FTS5 string, so nothing typed
 * can be FTS5 syntax: "Mecklenburg-Vorpommern" or "NEAR" is plain text
 * handed to the tokenizer, which splits words where the analyzer does
 * (src/text/analyze.h). Outside quotes FTS5's syntax characters
 * ( ) [ ] { } : ^ + , ; separate words as spaces do, so "(Merkel OR
 * Scholz)" and "Wahl:" read as meant. Only the operators above
 * (upper-case OR, NOT; AND and NEAR are ignored) are read as such; an
 * unbalanced quote runs to the end of the query; control characters are
 * spaces. Terms without a word the analyzer indexes ("--", "!!") are
 * dropped, and so are plain words that are all stop words ("der", "und")
 * when the query has other words. At most MLD_SEARCH_MAX_TERMS terms and
 * MLD_SEARCH_MAX_QUERY_BYTES bytes are read; the rest is ignored.
 */
#ifndef MLD_QUERY_H
#define MLD_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"

/* A plain word the reader typed (neither phrase, prefix nor excluded):
 * what "did you mean" may correct. */
struct mld_qword {
    char *word;   /* a copy, NUL-terminated */
    size_t start; /* where it stands in the query text (bytes) */
    size_t len;
};

/* A parsed query. */
struct mld_fts_query {
    char *match;             /* the FTS5 MATCH expression */
    struct mld_qword *words; /* the plain words, in query order */
    int nwords;
};

/* Parses the reader's query text[0..len) (UTF-8) into out. Returns 0, or
 * MLD_E_PARSE when no term is left to search for, with err holding a
 * message for the reader (German: the site's language). */
int mld_query_parse(const char *text, size_t len, struct mld_fts_query *out,
                    struct mld_err *err);

struct mld_buf;

/* A store's say in how each term is written (mld_query_parse_with). */
struct mld_query_hook {
    void *ud;
    /* Called for every term written into the expression, in the order
     * FTS5 numbers its phrases: s[0..len) is the term as typed (without
     * quotes, '-' or '*'). It may write the term itself into b, as an
     * FTS5 expression that needs no parentheses around it (a prefix as
     * ( "a" OR "b" ), say), and return true; false leaves it to the
     * parser ("text", or "text" * for a prefix). */
    bool (*term)(void *ud, const char *s, size_t len, bool prefix, bool negated, struct mld_buf *b);
};

/* mld_query_parse(), with hook (may be NULL) consulted for each term. */
int mld_query_parse_with(const char *text, size_t len, const struct mld_query_hook *hook,
                         struct mld_fts_query *out, struct mld_err *err);

/* Frees what mld_query_parse() filled in and zeroes q. */
void mld_fts_query_dispose(struct mld_fts_query *q);

#endif
