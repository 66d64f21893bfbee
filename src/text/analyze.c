/*
 * analyze.c - meldung's analyzer of German text (see analyze.h).
 *
 * One pass over the UTF-8 input finds words; each word goes through the
 * same steps, and the tokens go to the caller's function as they come.
 *
 * Words. A word is a run of letters and digits (utf8proc categories L* and
 * Nd); combining marks continue it, and invisible code points (soft
 * hyphen, zero-width joiners, BOM) vanish inside it. An apostrophe
 * (U+0027, U+2019, U+02BC) between letters is dropped and the word goes
 * on: "geht's" is "gehts", "Ku'damm" "kudamm". A hyphen (U+002D, U+2010,
 * U+2011) between two letters or digits, but not between two digits
 * ("1-0"), joins the words around it into a hyphenated compound of up to
 * MLD_AN_MAX_HYPHEN_PARTS words. Anything else, and every invalid UTF-8
 * byte, separates words. A run longer than MLD_AN_MAX_WORD_BYTES is cut
 * to that many bytes of whole code points: the cut word stands for the
 * whole run (its offsets cover it) and is not split.
 *
 * Folding (per word): NFC and full case folding. Words of ASCII and
 * Latin-1 letters, nearly all German text, are folded by a table-free
 * fast path (A-Z and U+00C0-U+00DE lower-cased, ß to "ss"), which gives
 * exactly what utf8proc's NFC + case folding gives for them; any other
 * code point (combining marks included) sends the word through
 * utf8proc_decompose() + utf8proc_reencode() with COMPOSE | CASEFOLD |
 * STABLE, into stack buffers (no allocation per word).
 *
 * Umlauts: the folded word goes through the prelude of Snowball's german2
 * stemmer, which Debian's libstemmer 2.2.0 lacks: first u and y between
 * vowels are marked as consonants (left to right, a marked letter being
 * no vowel), then left to right "ae", "oe" and an unmarked "ue" become ä,
 * ö, ü, and "qu" is passed over. "Praesident" becomes "präsident" while
 * "bauer", "quelle" and "neue" stay. The result, the word's canonical
 * form, is what the compound splitter sees; libstemmer's "german" gives
 * its stem (and replaces ä, ö, ü by a, o, u on the way), and the raw form
 * is the canonical form with ä, ö, ü as a, o, u.
 *
 * Tokens, for a word w at position p (see mld_analyze() in analyze.h):
 *
 *   WORD  stem(w)                 p
 *   PART  stem(part) per part     p, colocated (closed compounds, PARTS)
 *   RAW   "^" raw(w)              p, colocated (RAW)
 *
 * and for a hyphenated compound w1-w2-...-wn, the above for each wi at
 * positions p..p+n-1, then
 *
 *   JOINED stem(w1w2...wn)        p+n-1, colocated (JOINED)
 *   RAW    "^" raw(w1w2...wn)     p+n-1, colocated (JOINED and RAW)
 *
 * With MLD_AN_QUERY a hyphenated compound yields only its JOINED token.
 * With MLD_AN_PREFIX only RAW tokens come: one per word, or, with
 * MLD_AN_QUERY too, one of the closed form per hyphenated compound.
 * WORD and RAW tokens of a stop word carry stop = true.
 *
 * Closed compounds are split only when written with a capital letter
 * (German nouns; verbs and participles such as "festgestellt" stay whole)
 * and the analyzer has a word list; compound.c has the rules. The
 * canonical form is split first, then, when that fails and the umlaut
 * step changed the word, the plainly folded form ("Autoersatzteil" is
 * "autörsatzteil" canonically, but "auto" + "ersatzteil" plainly).
 *
 * Threads: libstemmer's stemmers are not thread-safe, so each thread
 * makes its own on first use (a pthread key, freed when the thread ends),
 * together with a direct-mapped cache of MLD_AN_STEM_CACHE stems: news
 * repeats its words, and the stemmer is most of the time spent. The
 * analyzer itself is immutable.
 */
#include "analyze.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libstemmer.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "compound.h"

/* The analyzer's version, first part of its signature: bump it whenever
 * the tokens for some text change. */
#define AN_VERSION "a1"

/* Bytes a folded word may take: case folding can lengthen a word (ŉ to ʼn,
 * ΐ to three code points), nearly never by more than half. */
#define FOLD_CAP (MLD_AN_MAX_WORD_BYTES * 2)

/* Bytes the closed form of a hyphenated compound may take. */
#define JOIN_CAP (FOLD_CAP * MLD_AN_MAX_HYPHEN_PARTS)

/* Code points utf8proc may make of one word: decomposition and folding
 * give at most three code points per input byte. */
#define DECOMP_CAP (MLD_AN_MAX_WORD_BYTES * 3)

struct mld_analyzer {
    struct mld_wordset *dict; /* NULL: closed compounds stay whole */
    char signature[32];
};

/* Code points ------------------------------------------------------------ */

/* What a code point is to the word finder. */
enum cls {
    C_SEP,    /* separates words */
    C_LETTER, /* a letter */
    C_DIGIT,  /* a decimal digit */
    C_MARK,   /* a combining mark: continues a word */
    C_IGNORE, /* invisible: vanishes inside a word */
    C_HYPHEN, /* joins a hyphenated compound */
    C_APOS,   /* an apostrophe: dropped between letters */
};

/* The class of code point cp. */
static enum cls
classify(int32_t cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            return C_LETTER;
        if (cp >= '0' && cp <= '9')
            return C_DIGIT;
        return cp == '-' ? C_HYPHEN : cp == '\'' ? C_APOS : C_SEP;
    }
    switch (cp) {
    case 0xAD:   /* soft hyphen */
    case 0x200B: /* zero width space */
    case 0x200C: /* zero width non-joiner */
    case 0x200D: /* zero width joiner */
    case 0x2060: /* word joiner */
    case 0xFEFF: /* byte order mark */
        return C_IGNORE;
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
        return C_HYPHEN;
    case 0x2019: /* right single quotation mark, the typographic apostrophe */
    case 0x02BC: /* modifier letter apostrophe */
        return C_APOS;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return C_LETTER;
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    default:
        return C_SEP;
    }
}

/* Decodes the code point at s[i..len), i < len, into *cp: returns its
 * length, or 0 for an invalid byte (utf8proc refuses overlong forms,
 * surrogates and code points past U+10FFFF). */
static size_t
next_cp(const unsigned char *s, size_t len, size_t i, int32_t *cp)
{
    if (s[i] < 0x80) {
        *cp = s[i];
        return 1;
    }
    utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), cp);
    return k > 0 ? (size_t)k : 0;
}

/* The class of the code point at s[i..len), i < len, with its length in
 * *k (0 for an invalid byte, which is C_SEP): next_cp() and classify(),
 * without a call for ASCII, which most of a German text is. */
static inline enum cls
class_at(const unsigned char *s, size_t len, size_t i, size_t *k)
{
    unsigned char b = s[i];
    if (b < 0x80) {
        *k = 1;
        if ((unsigned)((b | 0x20) - 'a') < 26)
            return C_LETTER;
        if ((unsigned)(b - '0') < 10)
            return C_DIGIT;
        return b == '-' ? C_HYPHEN : b == '\'' ? C_APOS : C_SEP;
    }
    int32_t cp;
    *k = next_cp(s, len, i, &cp);
    return *k ? classify(cp) : C_SEP;
}

/* True when cp is an upper-case or title-case letter. */
static bool
is_upper(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* Folding ----------------------------------------------------------------- */

/* Folds a word by utf8proc: the code points of s[0..n) (valid UTF-8)
 * to NFC and case-folded into out (FOLD_CAP bytes; a longer result is cut
 * at a code point). Returns the length. */
static size_t
fold_slow(const unsigned char *s, size_t n, char *out)
{
    utf8proc_int32_t buf[DECOMP_CAP];
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    utf8proc_ssize_t r;
    while ((r = utf8proc_decompose(s, (utf8proc_ssize_t)n, buf, DECOMP_CAP, opt)) > DECOMP_CAP) {
        n /= 2; /* cannot happen within the bound above; halve and go on */
        while (n > 0 && (s[n] & 0xC0) == 0x80)
            n--;
    }
    if (r <= 0)
        return 0;
    r = utf8proc_reencode(buf, r, opt);
    if (r <= 0)
        return 0;
    size_t len = (size_t)r;
    const unsigned char *u = (const unsigned char *)buf;
    if (len > FOLD_CAP) {
        len = FOLD_CAP;
        while (len > 0 && (u[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, u, len);
    return len;
}

/* Folds the word in s[from..to): its letters, digits and combining marks
 * (other code points are dropped), NFC and case-folded, into out
 * (FOLD_CAP bytes). to - from is at most MLD_AN_MAX_WORD_BYTES. Returns
 * the length; *upper tells whether the word began with a capital. */
static size_t
fold_word(const unsigned char *s, size_t from, size_t to, char *out, bool *upper)
{
    unsigned char keep[MLD_AN_MAX_WORD_BYTES]; /* the kept code points, for utf8proc */
    size_t n = 0, kn = 0;
    bool slow = false;
    *upper = false;
    for (size_t i = from; i < to;) {
        unsigned char b = s[i];
        if (b < 0x80) { /* ASCII, most of it: the steps below without calls */
            if ((unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10) {
                if (kn == 0)
                    *upper = b >= 'A' && b <= 'Z';
                keep[kn++] = b;
                out[n++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            }
            i++;
            continue;
        }
        int32_t cp;
        size_t k = next_cp(s, to, i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        enum cls c = classify(cp);
        if (c == C_LETTER || c == C_DIGIT || (c == C_MARK && kn > 0)) {
            if (kn == 0)
                *upper = is_upper(cp);
            memcpy(keep + kn, s + i, k);
            kn += k;
            if (cp < 0x80) {
                out[n++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            } else if (cp == 0xDF) {
                out[n++] = 's';
                out[n++] = 's';
            } else if (cp >= 0xC0 && cp <= 0xFF && c == C_LETTER) {
                int32_t lc = cp <= 0xDE ? cp + 32 : cp;
                out[n++] = (char)(0xC0 | lc >> 6);
                out[n++] = (char)(0x80 | (lc & 0x3F));
            } else {
                slow = true;
            }
        }
        i += k;
    }
    return slow ? fold_slow(keep, kn, out) : n;
}

/* Umlauts ----------------------------------------------------------------- */

/* The length of the UTF-8 sequence that starts with byte b (1 for a
 * stray continuation byte, which folded text never has). */
static size_t
utf8_len(char b)
{
    unsigned char u = (unsigned char)b;
    return u < 0xC0 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
}

/* The length of the vowel (a e i o u y ä ö ü) at w[i], 0 if none. */
static size_t
vowel_len(const char *w, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    switch (w[i]) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
        return 1;
    }
    if ((unsigned char)w[i] == 0xC3 && i + 1 < n) {
        unsigned char c = (unsigned char)w[i + 1];
        if (c == 0xA4 || c == 0xB6 || c == 0xBC)
            return 2;
    }
    return 0;
}

/* Writes the canonical form of the folded word f[0..n) to out (n bytes
 * suffice): german2's prelude, ae/oe/ue to ä/ö/ü (see the top). Returns
 * its length. */
static size_t
umlauts(const char *f, size_t n, char *out)
{
    size_t i = 1;
    while (i < n && !(f[i] == 'e' && (f[i - 1] == 'a' || f[i - 1] == 'o' || f[i - 1] == 'u')))
        i++;
    if (i >= n) { /* nothing to replace: most words */
        memcpy(out, f, n);
        return n;
    }
    bool marked[JOIN_CAP];
    memset(marked, 0, n);
    for (i = 0; i < n;) {
        size_t v = marked[i] ? 0 : vowel_len(f, n, i);
        if (v == 0) {
            i++;
            continue;
        }
        i += v;
        if (i < n && (f[i] == 'u' || f[i] == 'y') && vowel_len(f, n, i + 1) > 0)
            marked[i] = true;
    }
    size_t o = 0;
    for (i = 0; i < n;) {
        char a = f[i], b = i + 1 < n ? f[i + 1] : '\0';
        if (a == 'q' && b == 'u') {
            /* german2 passes over "qu" and the two letters after it. */
            size_t e = i + 2;
            for (int k = 0; k < 2 && e < n; k++)
                e += utf8_len(f[e]);
            e = e < n ? e : n;
            memcpy(out + o, f + i, e - i);
            o += e - i;
            i = e;
        } else if (b == 'e' && (a == 'a' || a == 'o' || (a == 'u' && !marked[i]))) {
            out[o++] = (char)0xC3;
            out[o++] = (char)(a == 'a' ? 0xA4 : a == 'o' ? 0xB6 : 0xBC);
            i += 2;
        } else {
            out[o++] = f[i++];
        }
    }
    return o;
}

/* Stemming ---------------------------------------------------------------- */

/* A cached stem: one cache line. */
struct stem_entry {
    uint32_t tag; /* hash bits of the word; 0 with wlen 0 = empty */
    uint8_t wlen, slen;
    char w[MLD_AN_STEM_CACHE_WORD];
    char s[MLD_AN_STEM_CACHE_WORD];
};

/* What each thread keeps: its stemmer and a direct-mapped cache of stems. */
struct stem_state {
    struct sb_stemmer *sb;
    struct stem_entry cache[MLD_AN_STEM_CACHE];
};

static pthread_key_t stem_key;
static pthread_once_t stem_once = PTHREAD_ONCE_INIT;

/* Frees a thread's stemmer and cache when the thread ends. */
static void
stem_state_free(void *p)
{
    struct stem_state *st = p;
    sb_stemmer_delete(st->sb);
    mld_free(st);
}

/* Creates the key of the threads' stemmers, once per process. */
static void
stem_key_init(void)
{
    if (pthread_key_create(&stem_key, stem_state_free) != 0) {
        mld_log_error("analyzer: cannot create a thread key for the stemmers");
        abort();
    }
}

/* The calling thread's stemmer and cache, made on first use. */
static struct stem_state *
stem_state(void)
{
    pthread_once(&stem_once, stem_key_init);
    struct stem_state *st = pthread_getspecific(stem_key);
    if (st == NULL) {
        st = MLD_NEW(struct stem_state);
        st->sb = sb_stemmer_new("german", "UTF_8");
        if (st->sb == NULL || pthread_setspecific(stem_key, st) != 0) {
            /* mld_analyzer_new() checked that "german" exists: out of memory. */
            mld_log_error("analyzer: cannot create a German stemmer");
            abort();
        }
    }
    return st;
}

/* Writes the Snowball German stem of w[0..n) (lower case) to out (n
 * bytes suffice: the stemmer only shortens a word without ß) and returns
 * its length. Short words are looked up in the thread's cache first. */
static size_t
stem(const char *w, size_t n, char *out)
{
    struct stem_state *st = stem_state();
    struct stem_entry *e = NULL;
    if (n <= MLD_AN_STEM_CACHE_WORD) {
        uint64_t h = XXH3_64bits(w, n);
        e = &st->cache[h % MLD_AN_STEM_CACHE];
        if (e->tag == (uint32_t)(h >> 32) && e->wlen == n && memcmp(e->w, w, n) == 0) {
            memcpy(out, e->s, e->slen);
            return e->slen;
        }
        e->tag = (uint32_t)(h >> 32);
    }
    const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)n);
    if (r == NULL) {
        mld_log_error("analyzer: libstemmer out of memory");
        abort();
    }
    size_t len = (size_t)sb_stemmer_length(st->sb);
    if (len > n)
        len = n;
    memcpy(out, r, len);
    if (e != NULL) {
        e->wlen = (uint8_t)n;
        e->slen = (uint8_t)len;
        memcpy(e->w, w, n);
        memcpy(e->s, r, len);
    }
    return len;
}

/* Emitting tokens ---------------------------------------------------------- */

/* One mld_analyze() call. */
struct run {
    const struct mld_analyzer *an;
    const unsigned char *text;
    size_t len;
    unsigned flags;
    mld_token_fn fn;
    void *ud;
};

/* One word of the input, a run of letters. */
struct part {
    size_t start, end; /* the run in the input */
    size_t cut;        /* end of the bytes analysed: end, unless cut */
    enum cls last;     /* C_LETTER or C_DIGIT: the run's last character */
};

/* A word folded. */
struct word {
    char f[FOLD_CAP]; /* folded */
    size_t flen;
    char c[FOLD_CAP]; /* canonical */
    size_t clen;
    char raw[FOLD_CAP + 1]; /* MLD_RAW_MARK + the raw form */
    size_t rawlen;
    bool upper; /* began with a capital */
    bool stop;
};

/* Folds the word of p into w. */
static void
word_fold(const struct run *r, const struct part *p, struct word *w)
{
    w->flen = fold_word(r->text, p->start, p->cut, w->f, &w->upper);
    w->clen = umlauts(w->f, w->flen, w->c);
    w->raw[0] = MLD_RAW_MARK;
    w->rawlen = 1 + mld_plain_vowels(w->c, w->clen, w->raw + 1);
    w->stop = mld_stopword(w->raw + 1, w->rawlen - 1);
}

/* Sends one token to the caller. */
static int
put(const struct run *r, enum mld_tok_kind kind, const char *term, size_t len, size_t start,
    size_t end, bool colocated, const struct word *w)
{
    if (len == 0)
        return 0;
    struct mld_token t = {
        .term = term,
        .len = len,
        .start = start,
        .end = end,
        .kind = kind,
        .colocated = colocated,
        .capitalized = w->upper,
        .stop = w->stop && (kind == MLD_TOK_WORD || kind == MLD_TOK_RAW),
    };
    return r->fn(r->ud, &t);
}

/* Sends the stem of s[0..n) as a token. */
static int
put_stem(const struct run *r, enum mld_tok_kind kind, const char *s, size_t n, size_t start,
         size_t end, bool colocated, const struct word *w)
{
    char term[JOIN_CAP + 1];
    return put(r, kind, term, stem(s, n, term), start, end, colocated, w);
}

/* Splits the closed compound w with an's list into sp: returns the form
 * split, w->c or (when that stays whole and differs) w->f, or NULL when
 * the word stays whole. */
static const char *
word_split(const struct mld_analyzer *an, const struct word *w, struct mld_split *sp)
{
    if (mld_compound_split(an->dict, w->c, w->clen, sp) > 0)
        return w->c;
    if ((w->clen != w->flen || memcmp(w->c, w->f, w->flen) != 0) &&
        mld_compound_split(an->dict, w->f, w->flen, sp) > 0)
        return w->f;
    return NULL;
}

/* Sends the PART tokens of w (the word of p) when it is a closed compound. */
static int
put_parts(const struct run *r, const struct part *p, const struct word *w)
{
    struct mld_split sp;
    const char *s = word_split(r->an, w, &sp);
    if (s == NULL)
        return 0;
    for (int i = 0; i < sp.n; i++) {
        const char *part = s + sp.part[i].off;
        size_t n = sp.part[i].len;
        char c[FOLD_CAP];
        if (s == w->f) { /* the parts of the plain form get their own umlauts */
            n = umlauts(part, n, c);
            part = c;
        }
        int rc = put_stem(r, MLD_TOK_PART, part, n, p->start, p->end, true, w);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Sends the tokens of one word (not of a hyphenated compound as such). */
static int
put_word(const struct run *r, const struct part *p, const struct word *w)
{
    int rc;
    if (r->flags & MLD_AN_PREFIX)
        return put(r, MLD_TOK_RAW, w->raw, w->rawlen, p->start, p->end, false, w);
    if ((rc = put_stem(r, MLD_TOK_WORD, w->c, w->clen, p->start, p->end, false, w)) != 0)
        return rc;
    if ((r->flags & MLD_AN_PARTS) && r->an->dict != NULL && w->upper && p->cut == p->end &&
        (rc = put_parts(r, p, w)) != 0)
        return rc;
    if (r->flags & MLD_AN_RAW)
        return put(r, MLD_TOK_RAW, w->raw, w->rawlen, p->start, p->end, true, w);
    return 0;
}

/* Sends the tokens of the hyphenated compound of parts p[0..n), n >= 2:
 * each word's (unless MLD_AN_QUERY), then those of the closed form. */
static int
put_compound(const struct run *r, const struct part *p, int n)
{
    struct word w;
    char joined[JOIN_CAP];
    size_t jlen = 0;
    bool upper = false;
    bool words = !(r->flags & MLD_AN_QUERY);
    for (int i = 0; i < n; i++) {
        word_fold(r, &p[i], &w);
        if (i == 0)
            upper = w.upper;
        memcpy(joined + jlen, w.f, w.flen);
        jlen += w.flen;
        int rc = words ? put_word(r, &p[i], &w) : 0;
        if (rc != 0)
            return rc;
    }

    /* The closed form: a word of its own, in the buffers of w. */
    char c[JOIN_CAP], raw[JOIN_CAP + 1];
    size_t clen = umlauts(joined, jlen, c);
    raw[0] = MLD_RAW_MARK;
    size_t rawlen = 1 + mld_plain_vowels(c, clen, raw + 1);
    w.upper = upper;
    w.stop = false;
    size_t start = p[0].start, end = p[n - 1].end;
    if (r->flags & MLD_AN_PREFIX)
        return words ? 0 : put(r, MLD_TOK_RAW, raw, rawlen, start, end, false, &w);
    if (!(r->flags & (MLD_AN_JOINED | MLD_AN_QUERY)))
        return 0;
    int rc = put_stem(r, MLD_TOK_JOINED, c, clen, start, end, words, &w);
    if (rc == 0 && words && (r->flags & MLD_AN_RAW))
        rc = put(r, MLD_TOK_RAW, raw, rawlen, start, end, true, &w);
    return rc;
}

/* Scans the run of letters starting at text[i] (a letter or digit) into
 * p; returns its end. */
static size_t
scan_part(const struct run *r, size_t i, struct part *p)
{
    const unsigned char *s = r->text;
    enum cls last = C_LETTER;
    p->start = i;
    p->cut = 0;
    while (i < r->len) {
        size_t k;
        enum cls c = class_at(s, r->len, i, &k);
        if (k == 0)
            break;
        if (c == C_APOS) {
            size_t kn = 0;
            enum cls nc = i + k < r->len ? class_at(s, r->len, i + k, &kn) : C_SEP;
            if (last != C_LETTER || kn == 0 || nc != C_LETTER)
                break;
        } else if (c == C_LETTER || c == C_DIGIT) {
            last = c;
        } else if (c != C_MARK && c != C_IGNORE) {
            break;
        }
        if (p->cut == 0 && i + k - p->start > MLD_AN_MAX_WORD_BYTES)
            p->cut = i;
        i += k;
    }
    p->end = i;
    if (p->cut == 0)
        p->cut = i;
    p->last = last;
    return i;
}

/* After the run p ending at text[i]: the start of the next run of a
 * hyphenated compound, or 0 when no hyphen joins one. */
static size_t
hyphen_next(const struct run *r, const struct part *p, size_t i)
{
    int32_t cp;
    size_t k;
    if (p->cut != p->end || i >= r->len || (k = next_cp(r->text, r->len, i, &cp)) == 0 ||
        classify(cp) != C_HYPHEN || i + k >= r->len)
        return 0;
    size_t k2 = next_cp(r->text, r->len, i + k, &cp);
    enum cls c = k2 ? classify(cp) : C_SEP;
    if ((c != C_LETTER && c != C_DIGIT) || (c == C_DIGIT && p->last == C_DIGIT))
        return 0;
    return i + k;
}

/* MLD_AN_SPANS: a WORD token per run of letters, the runs scan_part()
 * finds (each part of a hyphenated compound one, as the index numbers
 * them), in one pass without the word and compound machinery: a snippet
 * only maps positions to text, and tokenized texts up to its matches
 * for every hit of a page, half of a search for a rare word. */
static int
spans(const struct run *r)
{
    static const struct word none;
    const unsigned char *s = r->text;
    size_t i = 0, k;
    while (i < r->len) {
        enum cls c = class_at(s, r->len, i, &k);
        if (c != C_LETTER && c != C_DIGIT) {
            i += k ? k : 1;
            continue;
        }
        size_t start = i, kn;
        enum cls last = c;
        for (i += k; i < r->len; i += k) {
            c = class_at(s, r->len, i, &k);
            if (k == 0)
                break;
            if (c == C_LETTER || c == C_DIGIT)
                last = c;
            else if (c == C_APOS) { /* between letters only, as scan_part() */
                if (last != C_LETTER || i + k >= r->len ||
                    class_at(s, r->len, i + k, &kn) != C_LETTER)
                    break;
            } else if (c != C_MARK && c != C_IGNORE) {
                break;
            }
        }
        int rc = put(r, MLD_TOK_WORD, (const char *)s + start, i - start, start, i, false, &none);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The empty analyzer, for mld_stem_word() and mld_fold_word(). */
static const struct mld_analyzer no_dict = {.dict = NULL, .signature = AN_VERSION "-nodict"};

int
mld_analyze(const struct mld_analyzer *an, const char *text, size_t len, unsigned flags,
            mld_token_fn fn, void *ud)
{
    struct run r = {an != NULL ? an : &no_dict, (const unsigned char *)text, len, flags, fn, ud};
    if (flags & MLD_AN_SPANS)
        return spans(&r);
    for (size_t i = 0; i < len;) {
        size_t k;
        enum cls c = class_at(r.text, len, i, &k);
        if (c != C_LETTER && c != C_DIGIT) {
            i += k ? k : 1;
            continue;
        }
        struct part p[MLD_AN_MAX_HYPHEN_PARTS];
        int n = 0;
        i = scan_part(&r, i, &p[n++]);
        size_t next;
        while (n < MLD_AN_MAX_HYPHEN_PARTS && (next = hyphen_next(&r, &p[n - 1], i)) != 0) {
            size_t end = scan_part(&r, next, &p[n]);
            if (p[n].cut != p[n].end)
                break; /* a cut run starts a word of its own */
            n++;
            i = end;
        }
        int rc = 0;
        if (n > 1) {
            rc = put_compound(&r, p, n);
        } else {
            struct word w;
            word_fold(&r, &p[0], &w);
            rc = put_word(&r, &p[0], &w);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Single words ------------------------------------------------------------- */

/* What mld_stem_word() and mld_fold_word() keep: the first token. */
struct first {
    char *out;
    size_t cap, len;
    size_t skip; /* bytes of the term not copied (the raw mark) */
};

/* Keeps the first token and stops. */
static int
first_token(void *ud, const struct mld_token *t)
{
    struct first *f = ud;
    size_t n = t->len - f->skip;
    if (n + 1 <= f->cap) {
        memcpy(f->out, t->term + f->skip, n);
        f->out[n] = '\0';
        f->len = n;
    }
    return 1;
}

size_t
mld_stem_word(const struct mld_analyzer *an, const char *word, size_t len, char *out, size_t cap)
{
    struct first f = {out, cap, 0, 0};
    if (cap > 0)
        out[0] = '\0';
    mld_analyze(an != NULL ? an : &no_dict, word, len, MLD_AN_QUERY, first_token, &f);
    return f.len;
}

size_t
mld_fold_word(const char *word, size_t len, char *out, size_t cap)
{
    struct first f = {out, cap, 0, 1};
    if (cap > 0)
        out[0] = '\0';
    mld_analyze(&no_dict, word, len, MLD_AN_QUERY | MLD_AN_PREFIX, first_token, &f);
    return f.len;
}

/* Building ----------------------------------------------------------------- */

/* Words of a word list on their way into the set, added in batches
 * (mld_wordset_add_many()). */
struct dict_batch {
    struct mld_wordset *ws;
    char buf[MLD_WORDSET_BATCH][FOLD_CAP];
    const char *w[MLD_WORDSET_BATCH];
    size_t len[MLD_WORDSET_BATCH];
    size_t n;
};

/* Adds the words waiting in b to the set. */
static void
dict_flush(struct dict_batch *b)
{
    mld_wordset_add_many(b->ws, b->w, b->len, b->n);
    b->n = 0;
}

/* Adds one line of a word list: its folded canonical form and, when the
 * umlaut step changes it, its plainly folded form. Lines that are not a
 * word of letters (abbreviations with a dot, phrases) or are shorter than
 * a compound part cannot be parts and are left out. Returns 0, or -1 for
 * invalid UTF-8. */
static int
dict_add(struct dict_batch *b, const unsigned char *s, size_t n)
{
    size_t letters = 0;
    bool word = true;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = next_cp(s, n, i, &cp);
        if (k == 0)
            return -1;
        enum cls c = classify(cp);
        if (c == C_LETTER)
            letters++;
        else if (c != C_MARK || i == 0)
            word = false; /* the rest is still checked */
        i += k;
    }
    if (!word || letters < MLD_AN_SPLIT_MIN_PART)
        return 0;
    if (b->n + 2 > MLD_WORDSET_BATCH)
        dict_flush(b);
    char *c = b->buf[b->n], *f = b->buf[b->n + 1]; /* f is kept only if it differs */
    bool upper;
    size_t flen = fold_word(s, 0, n, f, &upper);
    size_t clen = umlauts(f, flen, c);
    b->w[b->n] = c;
    b->len[b->n++] = clen;
    if (clen != flen || memcmp(c, f, flen) != 0) {
        b->w[b->n] = f;
        b->len[b->n++] = flen;
    }
    return 0;
}

/* Reads the word list at path into an->dict and sets the signature. */
static int
dict_load(struct mld_analyzer *an, const char *path, struct mld_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mld_err_set(err, MLD_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mld_err_set(err, MLD_E_IO, "%s: not a readable file", path);
    }
    if ((uint64_t)st.st_size > MLD_AN_MAX_DICT_BYTES) {
        close(fd);
        return mld_err_set(err, MLD_E_TOOBIG, "%s: larger than %u bytes", path,
                           MLD_AN_MAX_DICT_BYTES);
    }
    size_t size = (size_t)st.st_size, got = 0;
    unsigned char *data = mld_malloc(size + 1);
    while (got < size) {
        ssize_t k = read(fd, data + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != size) {
        mld_free(data);
        return mld_err_set(err, MLD_E_IO, "%s: read error", path);
    }

    size_t lines = 1;
    for (const unsigned char *q = data; (q = memchr(q, '\n', size - (size_t)(q - data))) != NULL;
         q++)
        lines++;
    struct dict_batch *b = MLD_NEW(struct dict_batch);
    struct mld_wordset *ws = b->ws = mld_wordset_new(lines);
    int rc = 0;
    size_t lineno = 0;
    for (size_t i = 0; i < size && rc == 0;) {
        const unsigned char *nl = memchr(data + i, '\n', size - i);
        size_t e = nl ? (size_t)(nl - data) : size, n = e - i;
        lineno++;
        if (n > 0 && data[i + n - 1] == '\r')
            n--;
        if (n > MLD_AN_MAX_DICT_LINE)
            rc = mld_err_set(err, MLD_E_PARSE, "%s: line %zu: longer than %d bytes", path,
                             lineno, MLD_AN_MAX_DICT_LINE);
        else if (dict_add(b, data + i, n) != 0)
            rc = mld_err_set(err, MLD_E_PARSE, "%s: line %zu: invalid UTF-8", path, lineno);
        i = e + 1;
    }
    dict_flush(b);
    mld_free(b);
    if (rc == 0) {
        an->dict = ws;
        snprintf(an->signature, sizeof(an->signature), AN_VERSION "-%016llx",
                 (unsigned long long)XXH64(data, size, 0));
    } else {
        mld_wordset_free(ws);
    }
    mld_free(data);
    return rc;
}

/* Builds an analyzer with the list at path; "" means none, and a missing
 * list is no error unless required. */
static int
analyzer_build(struct mld_analyzer **out, const char *path, bool required, struct mld_err *err)
{
    *out = NULL;
    struct sb_stemmer *sb = sb_stemmer_new("german", "UTF_8");
    if (sb == NULL)
        return mld_err_set(err, MLD_E_UNSUPPORTED, "libstemmer has no German stemmer");
    sb_stemmer_delete(sb);
    struct mld_analyzer *an = MLD_NEW(struct mld_analyzer);
    snprintf(an->signature, sizeof(an->signature), "%s", no_dict.signature);
    if (path[0] != '\0' && (required || access(path, F_OK) == 0)) {
        int rc = dict_load(an, path, err);
        if (rc != 0) {
            mld_free(an);
            return rc;
        }
    }
    *out = an;
    return 0;
}

int
mld_analyzer_new(struct mld_analyzer **out, const char *dict_path, struct mld_err *err)
{
    return analyzer_build(out, dict_path != NULL ? dict_path : MLD_DICT_PATH, dict_path != NULL,
                          err);
}

void
mld_analyzer_free(struct mld_analyzer *an)
{
    if (an == NULL)
        return;
    mld_wordset_free(an->dict);
    mld_free(an);
}

const char *
mld_analyzer_signature(const struct mld_analyzer *an)
{
    return an->signature;
}

/* The process-wide analyzer ----------------------------------------------- */

static struct {
    pthread_mutex_t lock;
    pthread_once_t once;
    char *dict; /* from mld_analyzer_set_dict(), or NULL */
    bool built;
    struct mld_analyzer *an;
} global = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_ONCE_INIT, NULL, false, NULL};

/* Builds the process-wide analyzer (once); on failure one without a list. */
static void
global_build(void)
{
    pthread_mutex_lock(&global.lock);
    global.built = true;
    const char *path = global.dict;
    pthread_mutex_unlock(&global.lock);

    struct mld_err err = {0};
    if (analyzer_build(&global.an, path != NULL ? path : MLD_DICT_PATH, path != NULL, &err) != 0) {
        mld_log_error("analyzer: %s; compound words stay whole", err.msg);
        if (analyzer_build(&global.an, "", false, &err) != 0) {
            mld_log_error("analyzer: %s", err.msg);
            abort();
        }
    } else if (path == NULL && global.an->dict == NULL) {
        mld_log_warn("analyzer: no word list at %s; closed compounds stay whole", MLD_DICT_PATH);
    }
}

const struct mld_analyzer *
mld_analyzer(void)
{
    pthread_once(&global.once, global_build);
    return global.an;
}

int
mld_analyzer_set_dict(const char *path, struct mld_err *err)
{
    if (path[0] != '\0' && access(path, R_OK) != 0)
        return mld_err_set(err, MLD_E_IO, "%s: cannot read: %s", path, strerror(errno));
    pthread_mutex_lock(&global.lock);
    int rc = 0;
    if (global.built) {
        rc = mld_err_set(err, MLD_E_IO, "%s: the analyzer is already built", path);
    } else {
        mld_free(global.dict);
        global.dict = mld_strdup(path);
    }
    pthread_mutex_unlock(&global.lock);
    return rc;
}

/* Recorded token streams ------------------------------------------------- */

/* One recorded token: this head, then the term's bytes. */
struct rec_head {
    uint32_t len, start, end;
    uint8_t kind, bits; /* bits: REC_COLOCATED | REC_CAPITALIZED | REC_STOP */
};
enum { REC_COLOCATED = 1, REC_CAPITALIZED = 2, REC_STOP = 4 };

/* Appends token t to the record ud (an mld_token_fn). */
static int
rec_put(void *ud, const struct mld_token *t)
{
    struct mld_token_rec *r = ud;
    size_t need = sizeof(struct rec_head) + t->len;
    if (r->len + need > MLD_AN_MAX_RECORD_BYTES)
        return MLD_E_TOOBIG;
    if (r->len + need > r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4096;
        while (r->cap < r->len + need)
            r->cap *= 2;
        r->p = mld_realloc(r->p, r->cap);
    }
    struct rec_head h = {(uint32_t)t->len, (uint32_t)t->start, (uint32_t)t->end,
                         (uint8_t)t->kind,
                         (uint8_t)((t->colocated ? REC_COLOCATED : 0) |
                                   (t->capitalized ? REC_CAPITALIZED : 0) |
                                   (t->stop ? REC_STOP : 0))};
    memcpy(r->p + r->len, &h, sizeof(h));
    memcpy(r->p + r->len + sizeof(h), t->term, t->len);
    r->len += need;
    return 0;
}

int
mld_analyze_record(const struct mld_analyzer *an, const char *text, size_t len,
                   unsigned flags, struct mld_token_rec *out)
{
    *out = (struct mld_token_rec){.text_len = len, .flags = flags};
    XXH128_hash_t h = XXH3_128bits(text, len);
    out->hash[0] = h.low64;
    out->hash[1] = h.high64;
    int rc = mld_analyze(an, text, len, flags, rec_put, out);
    if (rc != 0)
        mld_token_rec_dispose(out);
    return rc;
}

bool
mld_token_rec_matches(const struct mld_token_rec *r, const char *text, size_t len,
                      unsigned flags)
{
    if (r->text_len != len || r->flags != flags || (r->hash[0] | r->hash[1]) == 0)
        return false; /* another text, or an empty record */
    XXH128_hash_t h = XXH3_128bits(text, len);
    return h.low64 == r->hash[0] && h.high64 == r->hash[1];
}

int
mld_token_rec_replay(const struct mld_token_rec *r, mld_token_fn fn, void *ud)
{
    for (size_t at = 0; at + sizeof(struct rec_head) <= r->len;) {
        struct rec_head h;
        memcpy(&h, r->p + at, sizeof(h));
        at += sizeof(h);
        struct mld_token t = {
            .term = (const char *)r->p + at,
            .len = h.len,
            .start = h.start,
            .end = h.end,
            .kind = (enum mld_tok_kind)h.kind,
            .colocated = (h.bits & REC_COLOCATED) != 0,
            .capitalized = (h.bits & REC_CAPITALIZED) != 0,
            .stop = (h.bits & REC_STOP) != 0,
        };
        at += h.len;
        int rc = fn(ud, &t);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* True when byte b of text[0..len) lies between words (mld_analyze_part). */
static bool
word_boundary(const unsigned char *s, size_t len, size_t b)
{
    size_t k;
    return b == 0 || b >= len || (s[b - 1] < 0x80 && class_at(s, len, b - 1, &k) == C_SEP) ||
           (s[b] < 0x80 && class_at(s, len, b, &k) == C_SEP);
}

/* A replay of the tokens of some kinds within a byte range. */
struct part_replay {
    size_t from, to;
    unsigned flags;
    mld_token_fn fn;
    void *ud;
};

/* Passes on a recorded token of the range and of the kinds asked for. */
static int
part_token(void *ud, const struct mld_token *t)
{
    const struct part_replay *pr = ud;
    if (t->start < pr->from || t->start >= pr->to)
        return 0;
    if ((t->kind == MLD_TOK_PART && !(pr->flags & MLD_AN_PARTS)) ||
        (t->kind == MLD_TOK_JOINED && !(pr->flags & MLD_AN_JOINED)) ||
        (t->kind == MLD_TOK_RAW && !(pr->flags & MLD_AN_RAW)))
        return 0;
    struct mld_token s = *t;
    s.start -= pr->from;
    s.end -= pr->from;
    return pr->fn(pr->ud, &s);
}

int
mld_analyze_part(const struct mld_analyzer *an, const struct mld_token_rec *r,
                 const char *text, size_t len, size_t from, size_t to, unsigned flags,
                 mld_token_fn fn, void *ud)
{
    const unsigned kinds = MLD_AN_PARTS | MLD_AN_JOINED | MLD_AN_RAW;
    const unsigned char *s = (const unsigned char *)text;
    if (r != NULL && (flags & ~kinds) == 0 && (r->flags & ~kinds) == 0 &&
        (flags & ~r->flags) == 0 && word_boundary(s, len, from) && word_boundary(s, len, to) &&
        mld_token_rec_matches(r, text, len, r->flags)) {
        struct part_replay pr = {from, to, flags, fn, ud};
        return mld_token_rec_replay(r, part_token, &pr);
    }
    return mld_analyze(an, text + from, to - from, flags, fn, ud);
}

void
mld_token_rec_dispose(struct mld_token_rec *r)
{
    mld_free(r->p);
    *r = (struct mld_token_rec){0};
}
