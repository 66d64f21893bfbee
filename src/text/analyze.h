/*
 * analyze.h - meldung's one analyzer of German text.
 *
 * Indexing, querying, topic tagging and story clustering all see text
 * through this one function, so that a word matches itself everywhere:
 *
 *   1. words are split at Unicode letters and digits (utf8proc categories);
 *      a hyphen between letters joins a hyphenated compound;
 *   2. each word is normalised to NFC and case-folded (utf8proc);
 *   3. umlaut equivalence: "ae", "oe", "ue" written for umlauts count as
 *      the umlauts (the rule of Snowball's german2 variant: not after 'q',
 *      not where 'u' stands between vowels), "ß" as "ss";
 *   4. the Snowball German stemmer (libstemmer "german") gives the term;
 *      its output has no umlauts, so "Präsident" and "Praesident" both
 *      become "prasident";
 *   5. compounds: a hyphenated compound ("Ukraine-Krieg") yields its parts
 *      as words plus the closed form ("ukrainekrieg") on the last part's
 *      position; a closed compound ("Ukrainekrieg") found in the German
 *      word list yields its parts ("ukrain", "krieg") on its own position.
 *      So "Krieg", "Ukraine", "Ukrainekrieg" and "Ukraine-Krieg" each find
 *      both spellings.
 *
 * For prefix queries each word also has a raw form: folded as in 1-3 and
 * with umlauts replaced (ä→a, ö→o, ü→u), unstemmed, behind the marker
 * MLD_RAW_MARK: "^verhandlungen". "Verhandl*" becomes the prefix
 * "^verhandl", which a stem could not match.
 *
 * The analyzer is immutable once built and safe to use from any thread.
 */
#ifndef MLD_ANALYZE_H
#define MLD_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

/* First byte of a raw (prefix) term; never part of a word. */
#define MLD_RAW_MARK '^'

/* Default German word list for closed-compound splitting (Debian's
 * wngerman package). Without it only hyphenated compounds are split. */
#define MLD_DICT_PATH "/usr/share/dict/ngerman"

struct mld_analyzer;

/* What a token is. */
enum mld_tok_kind {
    MLD_TOK_WORD,   /* the stem of a word as written */
    MLD_TOK_PART,   /* the stem of a part of a closed compound */
    MLD_TOK_JOINED, /* the stem of a hyphenated compound, written closed */
    MLD_TOK_RAW,    /* MLD_RAW_MARK + folded unstemmed word, for prefixes */
};

struct mld_token {
    const char *term;       /* not NUL-terminated; valid during the callback */
    size_t len;
    size_t start, end;      /* byte range of the source word in the input */
    enum mld_tok_kind kind;
    bool colocated;         /* on the position of the previous token */
    bool capitalized;       /* the source word began with an upper-case letter */
    bool stop;              /* a German stop word ("der", "und", "nicht");
                               set on WORD and RAW tokens only */
};

/* Receives one token; a non-zero return stops the analysis and is
 * returned by mld_analyze(). */
typedef int (*mld_token_fn)(void *ud, const struct mld_token *t);

/* What mld_analyze() emits. WORD tokens always (but see MLD_AN_PREFIX).
 * Per word: WORD, then its PART tokens, then its RAW token, the latter
 * colocated. A hyphenated compound gives this for each of its words, then
 * its JOINED token and (with MLD_AN_RAW) the RAW token of the closed form,
 * both colocated with the last word. Closed compounds are split only when
 * written with a capital letter (nouns). PART and JOINED tokens span the
 * whole compound's bytes. See analyze.c for word boundaries. */
enum {
    MLD_AN_PARTS = 1 << 0,  /* PART tokens of closed compounds */
    MLD_AN_JOINED = 1 << 1, /* JOINED tokens of hyphenated compounds */
    MLD_AN_RAW = 1 << 2,    /* RAW tokens after each word */
    MLD_AN_QUERY = 1 << 3,  /* query side: a hyphenated compound yields only
                               its JOINED token, so it matches both spellings */
    MLD_AN_PREFIX = 1 << 4, /* query side, prefix term: only RAW tokens, one
                               per word; with MLD_AN_QUERY too, a hyphenated
                               compound gives one, of its closed form */

    MLD_AN_SPANS = 1 << 5,  /* only a WORD token per word, and its term the
                               word's bytes as written: no folding or
                               stemming. The same positions and byte ranges
                               as the WORD tokens of MLD_AN_INDEX, at a
                               fraction of the cost, for what maps positions
                               to text (FTS5's snippets); other flags are
                               ignored */
    MLD_AN_INDEX = MLD_AN_PARTS | MLD_AN_JOINED | MLD_AN_RAW, /* documents */
    MLD_AN_TERMS = MLD_AN_PARTS | MLD_AN_JOINED, /* tagging and clustering */
};

/* Builds an analyzer. dict_path names a word list (one word per line,
 * UTF-8), MLD_DICT_PATH when NULL, none when ""; a missing default list
 * is not an error (closed compounds then stay whole), a missing named one
 * is. Takes about 60 ms with Debian's list. Returns 0 and *out, or
 * MLD_E_IO / MLD_E_PARSE (line named) / MLD_E_TOOBIG (past
 * MLD_AN_MAX_DICT_BYTES) / MLD_E_UNSUPPORTED (libstemmer lacks German)
 * with err set. */
int mld_analyzer_new(struct mld_analyzer **out, const char *dict_path, struct mld_err *err);

/* Frees an; NULL is fine. */
void mld_analyzer_free(struct mld_analyzer *an);

/* The process-wide analyzer, built on first use from the list given to
 * mld_analyzer_set_dict() (or MLD_DICT_PATH). Never NULL: when the named
 * list cannot be read, the error is logged once and compounds stay whole. */
const struct mld_analyzer *mld_analyzer(void);

/* Names the word list of the process-wide analyzer ("" for none); call
 * before its first use (from the configuration). Returns 0, or MLD_E_IO
 * when path cannot be read or the analyzer is already built. */
int mld_analyzer_set_dict(const char *path, struct mld_err *err);

/* A short string that changes whenever the tokens for some text could
 * change: the analyzer's version and a hash of its word list. A search
 * index built under another signature must be rebuilt. */
const char *mld_analyzer_signature(const struct mld_analyzer *an);

/* Calls fn for each token of text[0..len) (UTF-8; invalid bytes separate
 * words). an may be NULL: no word list. Returns 0, or fn's non-zero
 * return. Thread-safe. */
int mld_analyze(const struct mld_analyzer *an, const char *text, size_t len, unsigned flags,
                mld_token_fn fn, void *ud);

/* A token stream recorded to be replayed later, maybe on another thread:
 * what mld_analyze() emitted for one text under one set of flags, with a
 * 128-bit hash and the length of the text to recognise it by. So `meldung
 * ingest` analyses an article for the search index on its reader thread,
 * and the storing thread's FTS5 tokenizer replays it (sqlite_search.c). */
struct mld_token_rec {
    unsigned char *p; /* the tokens, packed; mld_free */
    size_t len, cap;
    uint64_t hash[2]; /* XXH3-128 of the text */
    size_t text_len;
    unsigned flags;
};

/* An article's indexed texts in the search index's column order
 * (src/store/sql/0003_search.sql): the records `meldung ingest` makes of
 * them once per article (pipeline.c) sit in an array of MLD_RECS, and
 * the topic tagger and the story features take theirs from it. */
enum { MLD_REC_HEADLINE, MLD_REC_KICKER, MLD_REC_TEXT, MLD_RECS };

/* Records the tokens of text[0..len) under flags into *out (emptied
 * first). Returns 0, or MLD_E_TOOBIG for a token stream over
 * MLD_AN_MAX_RECORD_BYTES (out is then empty: such a text is analysed
 * where it is used). */
int mld_analyze_record(const struct mld_analyzer *an, const char *text, size_t len,
                       unsigned flags, struct mld_token_rec *out);

/* True when r was recorded from text[0..len) under flags (by its hash). */
bool mld_token_rec_matches(const struct mld_token_rec *r, const char *text, size_t len,
                           unsigned flags);

/* Calls fn for each recorded token, as mld_analyze() did. Returns 0 or
 * fn's non-zero return. */
int mld_token_rec_replay(const struct mld_token_rec *r, mld_token_fn fn, void *ud);

/* Calls fn for each token that mld_analyze(an, text + from, to - from,
 * flags, fn, ud) emits (offsets relative to text + from), replayed from r
 * when it can be: r (may be NULL) was recorded by an from text[0..len)
 * under flags that include flags, and from and to lie between words (each is
 * 0, len, or next to an ASCII byte that is neither letter, digit, hyphen
 * nor apostrophe, so no word runs across it). A record holds every token
 * of every flag it was made with, so the tokens of fewer flags are the
 * record's of those kinds; otherwise the part is analysed. flags: any of
 * MLD_AN_PARTS, MLD_AN_JOINED, MLD_AN_RAW (others always analyse). So one
 * pass of the analyzer over an article's text serves the search index,
 * the topic tagger and the story features alike. Returns 0 or fn's
 * non-zero return. */
int mld_analyze_part(const struct mld_analyzer *an, const struct mld_token_rec *r,
                     const char *text, size_t len, size_t from, size_t to, unsigned flags,
                     mld_token_fn fn, void *ud);

/* Frees r's tokens and empties it. */
void mld_token_rec_dispose(struct mld_token_rec *r);

/* Writes the stem of one word (steps 2-4) to out as a NUL-terminated
 * string and returns its length; 0 (and "" when cap > 0) when the word
 * has no letters or digits or out (size cap) is too small. The word is
 * the first of the input; a hyphenated compound gives its closed form's
 * stem (its JOINED term). an may be NULL. */
size_t mld_stem_word(const struct mld_analyzer *an, const char *word, size_t len, char *out,
                     size_t cap);

/* Writes the folded, unstemmed form of one word (steps 2-3, umlauts
 * replaced, no marker) like mld_stem_word(). */
size_t mld_fold_word(const char *word, size_t len, char *out, size_t cap);

#endif
