/*
 * compound.c - stop words, the dictionary word set and closed-compound
 * splitting for the German analyzer (see compound.h, analyze.c).
 *
 * Stop words are one table, put in a word set on first use.
 *
 * The word set holds the folded words of the German word list (Debian's
 * ngerman: 356,000 words with their inflected forms) for splitting, so it
 * is built at every process start and must be quick to build: one arena
 * holds the words, each as a length byte and its bytes, and a power-of-two
 * table of 8-byte slots (32 bits of the word's XXH3 hash as a tag, the
 * word's arena offset) is probed linearly. The table stays at most half
 * full, so a miss, the common case while splitting, ends after about two
 * slots.
 *
 * Splitting. German writes compounds closed ("Waffenruhe"); a search for
 * "Ruhe" should find it. A word is split when it has at least
 * MLD_AN_SPLIT_MIN_LETTERS letters and can be cut into 2 or 3 parts of at
 * least MLD_AN_SPLIT_MIN_PART letters each, every part a word of the set,
 * with a linking element ("Fuge": s, es, n, en, e) allowed between parts
 * ("Regierung-s-chef"). Of the possible splits the one with the fewest
 * parts wins, then the one with the longest head: "Bundesregierung" is
 * "bundes" + "regierung", not "bund" + "es" + "regierung". The list has
 * lost the case of most nouns (it keeps "krieg", not "Krieg"), so word
 * classes cannot guide the choice; instead a few words never count as a
 * part:
 *
 *   - heads that are particles or prefixes rather than nouns ("unter" +
 *     "schied", "verb" + "rechen", "vers" + "tand") and stop words ("aller"
 *     + "dings");
 *   - tails that are derivational suffixes which happen to be words
 *     ("freund" + "schaft", "ernst" + "haft"), or stop words ("betr" +
 *     "euer");
 *   - the tail "ende" after a head that is a verb stem: "Reisende" is no
 *     "Reis" + "Ende", while "Kriegsende" and "Wochenende" split;
 *   - a word ending in "innen" after a word splits as that word does
 *     ("Bürgerinnen" is no "Bürge" + "Rinnen");
 *   - a few lexicalised words are never split ("Hochzeit").
 *
 * Heads of three letters are allowed only for "ost", "süd" and "gas",
 * which start many news compounds ("Ostukraine", "Gaspreise").
 *
 * The analyzer splits only words written with a capital (nouns), which
 * keeps verb and participle formations ("festgestellt") whole.
 */
#include "compound.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "../base/mem.h"

/* Stop words ------------------------------------------------------------ */

/* Common German function words in raw form (umlauts as plain vowels, so
 * "für" is "fur"; "würde" and "wurde" are one entry): articles, pronouns,
 * prepositions, conjunctions, auxiliaries and particles. */
static const char *const stopwords[] = {
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "andere",
    "anderen", "anderer", "anderes", "ans", "auch", "auf", "aufs", "aus", "bei", "beide",
    "beiden", "beim", "bereits", "bin", "bis", "bisher", "da", "dabei", "dadurch", "dafur",
    "dagegen", "daher", "damit", "danach", "dann", "daran", "darauf", "daraus", "darf", "darin",
    "darum", "daruber", "darunter", "das", "dass", "dasselbe", "davon", "davor", "dazu", "dem",
    "demnach", "den", "denen", "denn", "dennoch", "der", "deren", "derer", "derselbe",
    "derselben", "des", "deshalb", "dessen", "die", "dies", "diese", "dieselbe", "dieselben",
    "diesem", "diesen", "dieser", "dieses", "doch", "dort", "durch", "durfen", "ein", "eine",
    "einem", "einen", "einer", "eines", "einige", "einigen", "einiger", "einiges", "einmal", "er",
    "es", "etwa", "etwas", "euch", "euer", "eure", "eurem", "euren", "eurer", "eures", "fur", "gegen", "gewesen", "habe", "haben", "hat", "hatte", "hatten",
    "hier", "hin", "hinter", "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren",
    "ihrer", "ihres", "im", "in", "indem", "ins", "ist", "ja", "je", "jede", "jedem", "jeden",
    "jeder", "jedes", "jedoch", "jene", "jenen", "jener", "jetzt", "kann", "kein", "keine",
    "keinem", "keinen", "keiner", "keines", "konnen", "konnte", "konnten", "man", "manche",
    "manchen", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich", "mir", "mit",
    "muss", "mussen", "musste", "mussten", "nach", "nein", "nicht", "nichts", "noch", "nun",
    "nur", "ob", "obwohl", "oder", "ohne", "schon", "sehr", "sei", "seien", "sein", "seine",
    "seinem", "seinen", "seiner", "seines", "seit", "selbst", "sich", "sie", "sind", "so",
    "solche", "solchen", "solcher", "solches", "soll", "sollen", "sollte", "sollten", "sondern",
    "sonst", "sowie", "uber", "um", "und", "uns", "unser", "unsere", "unserem", "unseren",
    "unserer", "unter", "viel", "viele", "vom", "von", "vor", "wahrend", "war", "waren", "was",
    "weil", "weiter", "welche", "welchem", "welchen", "welcher", "welches", "wenn", "wer",
    "werde", "werden", "wie", "wieder", "will", "wir", "wird", "wo", "wollen", "wollte",
    "wollten", "worden", "wurde", "wurden", "zu", "zum", "zur", "zwar", "zwischen",
};

#define NSTOP (sizeof(stopwords) / sizeof(stopwords[0]))

/* Compares w[0..len) with the NUL-terminated s by bytes, as strcmp. */
static int
cmp_n(const char *w, size_t len, const char *s)
{
    size_t n = strlen(s);
    int c = memcmp(w, s, len < n ? len : n);
    if (c != 0)
        return c;
    return len < n ? -1 : len > n;
}

/* True when w[0..len) is in the sorted table t of n words. */
static bool
in_sorted(const char *const *t, size_t n, const char *w, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_n(w, len, t[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* The longest stop word ("derselben"). */
#define STOP_MAX 9

static struct mld_wordset *stopset;
static pthread_once_t stopset_once = PTHREAD_ONCE_INIT;

/* Puts the stop words in a set, once per process: a hash probe is several
 * times quicker than bisection, and every word is looked up. */
static void
stopset_build(void)
{
    stopset = mld_wordset_new(NSTOP);
    for (size_t i = 0; i < NSTOP; i++)
        mld_wordset_add(stopset, stopwords[i], strlen(stopwords[i]));
}

bool
mld_stopword(const char *raw, size_t len)
{
    if (len > STOP_MAX)
        return false;
    pthread_once(&stopset_once, stopset_build);
    return mld_wordset_has(stopset, raw, len);
}

/* The word set ---------------------------------------------------------- */

struct slot {
    uint32_t tag; /* the hash's high 32 bits */
    uint32_t ref; /* arena offset of the word's length byte; 0 = empty */
};

struct mld_wordset {
    struct slot *slots;
    size_t mask; /* slots - 1; a power of two minus one */
    size_t count;
    unsigned char *arena; /* byte 0 unused, so that ref 0 means empty */
    size_t arena_len, arena_cap;
};

/* The slot of w: where it is, or the empty slot where it would go. */
static struct slot *
find_slot(const struct mld_wordset *ws, const char *w, size_t len, uint64_t h)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & ws->mask;; i = (i + 1) & ws->mask) {
        struct slot *s = &ws->slots[i];
        if (s->ref == 0)
            return s;
        if (s->tag == tag && ws->arena[s->ref] == len &&
            memcmp(ws->arena + s->ref + 1, w, len) == 0)
            return s;
    }
}

/* Allocates a table of n slots (a power of two) and puts every word of
 * the arena in it. */
static void
rehash(struct mld_wordset *ws, size_t n)
{
    mld_free(ws->slots);
    ws->slots = mld_calloc(n, sizeof(struct slot));
    ws->mask = n - 1;
    for (size_t ref = 1; ref < ws->arena_len; ref += 1 + (size_t)ws->arena[ref]) {
        const char *w = (const char *)ws->arena + ref + 1;
        size_t len = ws->arena[ref];
        uint64_t h = XXH3_64bits(w, len);
        struct slot *s = find_slot(ws, w, len, h);
        s->tag = (uint32_t)(h >> 32);
        s->ref = (uint32_t)ref;
    }
}

struct mld_wordset *
mld_wordset_new(size_t expect)
{
    struct mld_wordset *ws = MLD_NEW(struct mld_wordset);
    size_t n = 64;
    while (n < expect * 2)
        n *= 2;
    ws->slots = mld_calloc(n, sizeof(struct slot));
    ws->mask = n - 1;
    ws->arena_cap = expect * 12 + 64;
    ws->arena = mld_malloc(ws->arena_cap);
    ws->arena_len = 1;
    return ws;
}

void
mld_wordset_free(struct mld_wordset *ws)
{
    if (ws == NULL)
        return;
    mld_free(ws->slots);
    mld_free(ws->arena);
    mld_free(ws);
}

/* Adds w[0..len) with hash h. */
static void
add_hashed(struct mld_wordset *ws, const char *w, size_t len, uint64_t h)
{
    struct slot *s = find_slot(ws, w, len, h);
    if (s->ref != 0)
        return;
    if (ws->arena_len + 1 + len > UINT32_MAX)
        return; /* beyond 4 GB of words: MLD_AN_MAX_DICT_BYTES stops far earlier */
    if (ws->arena_len + 1 + len > ws->arena_cap) {
        ws->arena_cap = (ws->arena_cap + 1 + len) * 2;
        ws->arena = mld_realloc(ws->arena, ws->arena_cap);
    }
    s->tag = (uint32_t)(h >> 32);
    s->ref = (uint32_t)ws->arena_len;
    ws->arena[ws->arena_len] = (unsigned char)len;
    memcpy(ws->arena + ws->arena_len + 1, w, len);
    ws->arena_len += 1 + len;
    if (++ws->count * 2 > ws->mask + 1)
        rehash(ws, (ws->mask + 1) * 2);
}

void
mld_wordset_add(struct mld_wordset *ws, const char *w, size_t len)
{
    if (len > 0 && len <= 255)
        add_hashed(ws, w, len, XXH3_64bits(w, len));
}

void
mld_wordset_add_many(struct mld_wordset *ws, const char *const *w, const size_t *len, size_t n)
{
    uint64_t h[MLD_WORDSET_BATCH];
    for (size_t i = 0; i < n; i++) {
        h[i] = XXH3_64bits(w[i], len[i]);
        __builtin_prefetch(&ws->slots[(size_t)h[i] & ws->mask], 1);
    }
    for (size_t i = 0; i < n; i++)
        if (len[i] > 0 && len[i] <= 255)
            add_hashed(ws, w[i], len[i], h[i]);
}

bool
mld_wordset_has(const struct mld_wordset *ws, const char *w, size_t len)
{
    if (len == 0 || len > 255)
        return false;
    return find_slot(ws, w, len, XXH3_64bits(w, len))->ref != 0;
}

size_t
mld_wordset_count(const struct mld_wordset *ws)
{
    return ws->count;
}

/* Splitting ------------------------------------------------------------- */

/* Heads that are particles or prefixes, not nouns: a word starting with
 * one is a derivation ("Unterschied", "Widerstand", "Verbrechen"), not a
 * compound. Stop words are refused as heads besides these. Canonical
 * form, sorted by bytes. */
static const char *const bad_heads[] = {
    "ausser", "fest", "fort", "miss", "nieder", "ober", "statt", "verb", "vers", "voll",
    "voran", "voraus", "vorbei", "wider", "zurück", "über",
};

/* Tails that are derivational suffixes and happen to be words as well
 * ("Schaft", "Haft", "innen"), and "ahme" (a form of "ahmen"), which
 * would otherwise end every "-nahme" ("geiseln" + "ahme"). Canonical form,
 * sorted by bytes. */
static const char *const bad_tails[] = {
    "ahme",  "ahmen", "chen",   "erin",  "erinnen", "haft",  "haften", "heit",
    "heiten", "innen", "isch",  "ische", "ischen",  "ismus", "keit",   "keiten",
    "lich",  "liche",  "lichen", "licher", "ling",  "linge", "lingen", "lings",
    "nisse", "nissen", "schaft", "schaften", "ungen",
};

/* The only heads of three letters: compass points and gas, common in
 * news ("Ostukraine", "Südkorea", "Gaspreise") and rarely the start of
 * anything else. Canonical form, sorted by bytes. */
static const char *const short_heads[] = {"gas", "ost", "süd"};

/* Words that look like compounds but are not ("Hochzeit" is no "Zeit"):
 * never split. Canonical form, sorted by bytes. */
static const char *const whole_words[] = {
    "augenblick", "augenblicke", "augenblicken", "augenblicks", "frühstück", "frühstücks",
    "hochzeit",   "hochzeiten",
};

/* Linking elements tried after a head, the empty one first. */
static const char *const fugen[] = {"", "s", "e", "n", "es", "en"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A word being split: its bytes and the byte offset of each code point. */
struct splitting {
    const struct mld_wordset *ws;
    const char *w;
    size_t ncp;                           /* code points */
    size_t cp[MLD_AN_MAX_WORD_BYTES + 1]; /* offsets; cp[ncp] is the length */
};

size_t
mld_plain_vowels(const char *w, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)w[i];
        if (b == 0xC3 && i + 1 < len) {
            unsigned char c = (unsigned char)w[i + 1];
            char v = c == 0xA4 ? 'a' : c == 0xB6 ? 'o' : c == 0xBC ? 'u' : 0;
            if (v != 0) {
                out[n++] = v;
                i++;
                continue;
            }
        }
        out[n++] = (char)b;
    }
    return n;
}

/* True when the canonical w[0..len) is a stop word. */
static bool
is_stopword(const char *w, size_t len)
{
    char raw[MLD_AN_MAX_WORD_BYTES];
    return len <= sizeof(raw) && mld_stopword(raw, mld_plain_vowels(w, len, raw));
}

/* The letters of the only short heads (short_heads). */
#define SHORT_HEAD 3

/* True when w[0..len), of ncp letters, may be the head of a compound. */
static bool
head_ok(const struct splitting *s, const char *w, size_t len, size_t ncp)
{
    if (ncp < MLD_AN_SPLIT_MIN_PART)
        return in_sorted(short_heads, NELEM(short_heads), w, len);
    if (!mld_wordset_has(s->ws, w, len) || in_sorted(bad_heads, NELEM(bad_heads), w, len))
        return false;
    return !is_stopword(w, len);
}

/* True when w[0..len) may end a compound whose previous part is head
 * ("ende" not after a verb stem, see the top of the file). */
static bool
tail_ok(const struct splitting *s, const char *head, size_t head_len, const char *w, size_t len)
{
    if (!mld_wordset_has(s->ws, w, len) || in_sorted(bad_tails, NELEM(bad_tails), w, len) ||
        is_stopword(w, len))
        return false;
    if (len >= 4 && len <= 5 && memcmp(w, "ende", 4) == 0 && head_len + 2 <= MLD_AN_MAX_WORD_BYTES) {
        char verb[MLD_AN_MAX_WORD_BYTES];
        memcpy(verb, head, head_len);
        memcpy(verb + head_len, "en", 2);
        if (mld_wordset_has(s->ws, verb, head_len + 2))
            return false;
    }
    return true;
}

/* Splits the word from code point `from` into exactly k parts, written to
 * out->part[at..at+k); prev is the previous part (for tail_ok), or NULL. */
static bool
split_k(const struct splitting *s, size_t from, int k, const char *prev, size_t prev_len,
        struct mld_split *out, int at)
{
    const char *w = s->w;
    size_t min = MLD_AN_SPLIT_MIN_PART;
    if (s->ncp < from + min * (size_t)(k - 1) + (k > 1 ? SHORT_HEAD : min))
        return false;
    if (k == 1) {
        size_t off = s->cp[from], len = s->cp[s->ncp] - off;
        if (!tail_ok(s, prev, prev_len, w + off, len))
            return false;
        out->part[at].off = off;
        out->part[at].len = len;
        return true;
    }
    for (size_t h = s->ncp - min * (size_t)(k - 1); h >= from + SHORT_HEAD; h--) {
        size_t off = s->cp[from], len = s->cp[h] - off;
        if (!head_ok(s, w + off, len, h - from))
            continue;
        for (size_t f = 0; f < NELEM(fugen); f++) {
            size_t flen = strlen(fugen[f]);
            if (h + flen > s->ncp || memcmp(w + s->cp[h], fugen[f], flen) != 0)
                continue;
            /* A Fuge is ASCII: one code point a byte. */
            if (split_k(s, h + flen, k - 1, w + off, len, out, at + 1)) {
                out->part[at].off = off;
                out->part[at].len = len;
                return true;
            }
        }
    }
    return false;
}

int
mld_compound_split(const struct mld_wordset *ws, const char *w, size_t len, struct mld_split *out)
{
    out->n = 0;
    if (ws == NULL || len > MLD_AN_MAX_WORD_BYTES)
        return 0;
    struct splitting s = {.ws = ws, .w = w};
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)w[i] & 0xC0) != 0x80)
            s.cp[s.ncp++] = i;
    s.cp[s.ncp] = len;
    if (s.ncp < MLD_AN_SPLIT_MIN_LETTERS || in_sorted(whole_words, NELEM(whole_words), w, len))
        return 0;
    /* A feminine form splits as its base does: "Bürgerinnen" as "Bürger"
     * (which is too short), not as "Bürge" + "Rinnen". */
    if (len > 5 && memcmp(w + len - 5, "innen", 5) == 0 && mld_wordset_has(ws, w, len - 5))
        return mld_compound_split(ws, w, len - 5, out);
    for (int k = 2; k <= MLD_AN_SPLIT_MAX_PARTS; k++)
        if (split_k(&s, 0, k, NULL, 0, out, 0)) {
            out->n = k;
            return k;
        }
    return 0;
}
