/*
 * compound.h - the German word lists behind the analyzer (analyze.c):
 * the stop words, a set of dictionary words, and the splitting of closed
 * compounds ("Waffenruhe" into "waffen" + "ruhe") with that set.
 *
 * Words here are already folded by the analyzer: lower case, NFC, "ß" as
 * "ss", "ae"/"oe"/"ue" as umlauts (its "canonical" form), except for the
 * stop words, which are looked up in the raw form (umlauts as plain
 * vowels). Internal to src/text; other modules use analyze.h.
 */
#ifndef MLD_COMPOUND_H
#define MLD_COMPOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/limits.h"

/* True when raw[0..len) (folded, umlauts as plain vowels: "fur", "dass")
 * is a German stop word. */
bool mld_stopword(const char *raw, size_t len);

/* Writes w[0..len) to out (len bytes suffice) with ä, ö, ü replaced by
 * a, o, u; returns the new length. The raw form of a canonical word. */
size_t mld_plain_vowels(const char *w, size_t len, char *out);

/* A set of words: open addressing over xxhash, the words in one arena. */
struct mld_wordset;

/* Returns an empty set sized for about expect words. */
struct mld_wordset *mld_wordset_new(size_t expect);

/* Frees ws; NULL is fine. */
void mld_wordset_free(struct mld_wordset *ws);

/* Adds w[0..len) (1..255 bytes; longer or empty words are ignored). */
void mld_wordset_add(struct mld_wordset *ws, const char *w, size_t len);

/* Adds n <= MLD_WORDSET_BATCH words w[i][0..len[i]) like
 * mld_wordset_add(), loading their slots into the CPU cache first: a
 * batch costs about one memory latency instead of n. */
#define MLD_WORDSET_BATCH 32
void mld_wordset_add_many(struct mld_wordset *ws, const char *const *w, const size_t *len,
                          size_t n);

/* True when w[0..len) is in ws. */
bool mld_wordset_has(const struct mld_wordset *ws, const char *w, size_t len);

/* The number of distinct words in ws. */
size_t mld_wordset_count(const struct mld_wordset *ws);

/* A split of a closed compound: byte ranges of its parts in the word,
 * linking elements ("Fugen": s, es, n, en, e) left out between them. */
struct mld_split {
    int n; /* parts, 2..MLD_AN_SPLIT_MAX_PARTS; 0 when the word stays whole */
    struct {
        size_t off, len;
    } part[MLD_AN_SPLIT_MAX_PARTS];
};

/* Splits the canonical word w[0..len) of letters with ws into out:
 * fewest parts first, longest head first (rules in compound.c). Returns
 * out->n, 0 when the word stays whole. */
int mld_compound_split(const struct mld_wordset *ws, const char *w, size_t len,
                       struct mld_split *out);

#endif
