/*
 * tests/unit/text/analyze.c - the German analyzer.
 *
 * Token streams are compared as text, one token a field:
 * "KIND TERM START-END FLAGS", KIND one of W P J R (word, part, joined,
 * raw), FLAGS any of c (colocated), U (capitalized), s (stop), fields
 * joined by " | ".
 *
 * Checks: the Snowball vectors of ../shared/corpus/snowball-german (the
 * "german" stemmer through the wrapper, and the german2 emulation), umlaut
 * and NFC equivalence, word finding (hyphens, apostrophes, invisible code
 * points, invalid UTF-8, long runs), exact streams for every flag, closed
 * compounds with a word list of our own and, when Debian's list is
 * installed, a table of real compounds and non-compounds, stop words,
 * building and errors, the process-wide analyzer, and threads stemming at
 * once.
 */
#include "../../../src/text/analyze.c"
#include "../../../src/text/compound.c"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/base/buf.h"
#include "../../../src/base/mem.h"
#include "test.h"

/* Tokens as text --------------------------------------------------------- */

static struct mld_buf stream_;

/* Appends one token to stream_. */
static int
collect(void *ud, const struct mld_token *t)
{
    static const char kinds[] = "WPJR";
    if (stream_.len > 0)
        mld_buf_puts(&stream_, " | ");
    mld_buf_printf(&stream_, "%c %.*s %zu-%zu", kinds[t->kind], (int)t->len, t->term, t->start,
                   t->end);
    if (t->colocated || t->capitalized || t->stop)
        mld_buf_printf(&stream_, " %s%s%s", t->colocated ? "c" : "", t->capitalized ? "U" : "",
                       t->stop ? "s" : "");
    return 0;
}

/* The token stream of s[0..len) under flags, as text (static). The input
 * is copied to an allocation of exactly len bytes for the sanitizers. */
static const char *
tokens_n(const struct mld_analyzer *an, const char *s, size_t len, unsigned flags)
{
    char *copy = mld_malloc(len + 1);
    memcpy(copy, s, len);
    mld_buf_reset(&stream_);
    mld_buf_puts(&stream_, "");
    mld_analyze(an, copy, len, flags, collect, NULL);
    mld_free(copy);
    return stream_.p;
}

static const char *
tokens(const struct mld_analyzer *an, const char *s, unsigned flags)
{
    return tokens_n(an, s, strlen(s), flags);
}

/* The stem of s (static). */
static const char *
stem_of(const char *s)
{
    static char out[512];
    if (mld_stem_word(NULL, s, strlen(s), out, sizeof(out)) == 0)
        return "";
    return out;
}

/* The folded raw form of s (static). */
static const char *
fold_of(const char *s)
{
    static char out[512];
    if (mld_fold_word(s, strlen(s), out, sizeof(out)) == 0)
        return "";
    return out;
}

/* Writes text to a new temporary file; returns its path (static). */
static const char *
temp_file(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/mld-analyze-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror("temp file");
        exit(2);
    }
    close(fd);
    return path;
}

/* An analyzer with a word list of the given text (a temporary file). */
static struct mld_analyzer *
analyzer_with(const char *words)
{
    const char *path = temp_file(words, strlen(words));
    struct mld_analyzer *an = NULL;
    struct mld_err err = {0};
    if (mld_analyzer_new(&an, path, &err) != 0) {
        printf("# %s\n", err.msg);
        exit(2);
    }
    unlink(path);
    return an;
}

/* Snowball vectors --------------------------------------------------------- */

/* Stems line i of voc.txt in dir with or without the german2 emulation
 * and compares with line i of output.txt; returns the matches and sets
 * *total. */
static int
vectors(const char *dir, bool german2, int *total)
{
    char path[4200];
    size_t vn, on;
    snprintf(path, sizeof(path), "%s/voc.txt", dir);
    char *voc = mld_test_slurp(path, &vn);
    snprintf(path, sizeof(path), "%s/output.txt", dir);
    char *out = mld_test_slurp(path, &on);
    *total = 0;
    if (voc == NULL || out == NULL) {
        free(voc);
        free(out);
        return -1;
    }
    int match = 0, shown = 0;
    char *v = voc, *o = out, *ve, *oe;
    while ((ve = strchr(v, '\n')) != NULL && (oe = strchr(o, '\n')) != NULL) {
        *ve = *oe = '\0';
        char f[FOLD_CAP], c[FOLD_CAP], s[FOLD_CAP + 1];
        bool upper;
        size_t flen = fold_word((const unsigned char *)v, 0, strlen(v), f, &upper);
        size_t slen;
        if (german2)
            slen = stem(c, umlauts(f, flen, c), s);
        else
            slen = stem(f, flen, s);
        s[slen] = '\0';
        (*total)++;
        if (strcmp(s, o) == 0)
            match++;
        else if (shown++ < 5)
            diag("%s: \"%s\" gives \"%s\", want \"%s\"", german2 ? "german2" : "german", v, s, o);
        v = ve + 1;
        o = oe + 1;
    }
    free(voc);
    free(out);
    return match;
}

static void
test_snowball(void)
{
    const char *root = mld_test_corpus("snowball-german");
    if (root == NULL)
        return;
    char dir[4200];
    int total;
    snprintf(dir, sizeof(dir), "%s/german", root);
    int m = vectors(dir, false, &total);
    is_int(total, 35033, "german: all vocabulary lines read");
    is_int(m, total, "german: libstemmer gives every expected stem");

    /* german2 = german2's prelude (emulated) + the german stemmer. All
     * 35,033 match, "quae" included: german2 passes over "qu" and the two
     * letters after it ('qu' (hop 2)), so its "ae" stays. */
    snprintf(dir, sizeof(dir), "%s/german2", mld_test_corpus("snowball-german"));
    m = vectors(dir, true, &total);
    is_int(total, 35033, "german2: all vocabulary lines read");
    is_int(m, 35033, "german2: the emulation gives every expected stem");
}

/* Words and folding ------------------------------------------------------- */

/* A word and its stem (kind 's') or raw form (kind 'f'), or two words
 * with one stem (kind '='). */
struct word_case {
    char kind;
    const char *in, *want, *name;
};

static const struct word_case umlaut_cases[] = {
    {'s', "Präsident", "prasident", "Präsident"},
    {'s', "Praesident", "prasident", "Praesident: ae is ä"},
    {'s', "PRÄSIDENT", "prasident", "PRÄSIDENT"},
    {'s', "PRAESIDENTEN", "prasident", "PRAESIDENTEN"},
    {'=', "Straße", "Strasse", "Straße = Strasse"},
    {'=', "STRAẞE", "Strasse", "capital sharp s"},
    {'f', "Straße", "strasse", "ß folds to ss"},
    {'f', "Bauer", "bauer", "Bauer: u between vowels is no umlaut"},
    {'s', "Bauer", "bau", "Bauer stems to bau"},
    {'f', "Quelle", "quelle", "Quelle: no ue after q"},
    {'f', "neue", "neue", "neue: u between vowels"},
    {'f', "Frauen", "frauen", "Frauen"},
    {'f', "aktuell", "aktull", "aktuell: ue is ü (as german2 does)"},
    {'=', "Muenchen", "München", "Muenchen = München"},
    {'=', "Oesterreich", "Österreich", "Oesterreich = Österreich"},
    {'f', "Praesidenten", "prasidenten", "raw form of Praesidenten"},
    {'f', "Präsidenten", "prasidenten", "raw form of Präsidenten"},
};

static void
test_umlauts(void)
{
    for (size_t i = 0; i < sizeof(umlaut_cases) / sizeof(umlaut_cases[0]); i++) {
        const struct word_case *c = &umlaut_cases[i];
        char want[512];
        snprintf(want, sizeof(want), "%s", c->kind == '=' ? stem_of(c->want) : c->want);
        is_str(c->kind == 'f' ? fold_of(c->in) : stem_of(c->in), want, "%s", c->name);
    }
}

static void
test_nfc(void)
{
    is_str(stem_of("Pra\xcc\x88sident"), "prasident", "decomposed a + U+0308 is ä");
    is_str(fold_of("Pra\xcc\x88sidenten"), "prasidenten", "decomposed: raw form");
    is_str(fold_of("A\xcc\x88RGER"), "arger", "decomposed capital");
    is_str(fold_of("Caf\xc3\xa9"), fold_of("Cafe\xcc\x81"), "café composed = decomposed");
    is_str(fold_of("caf\xc3\xa9"), "caf\xc3\xa9", "é is kept (only umlauts become plain)");
    is_str(fold_of("\xef\xac\x81nanz"), "finanz", "ﬁ ligature case-folds to fi");
    is_str(fold_of("\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91"), "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1",
           "Greek capitals fold");
    is_str(fold_of("\xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd"), "\xd0\xbf\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd",
           "Cyrillic folds");
    is_str(fold_of("Pr\xc3\xa4si\xc2\xad" "denten"), "prasidenten", "soft hyphen vanishes");
    is_str(fold_of("Ma\xe2\x80\x8cnn"), "mann", "zero-width non-joiner vanishes");
}

static void
test_words(void)
{
    is_str(tokens(NULL, "", MLD_AN_INDEX), "", "empty input");
    is_str(tokens(NULL, " ,.;!? – … ", MLD_AN_INDEX), "", "punctuation only");
    is_int(mld_analyze(NULL, NULL, 0, MLD_AN_INDEX, collect, NULL), 0, "NULL with length 0");
    is_str(tokens(NULL, "Haus", 0), "W haus 0-4 U", "one word, no extras");
    is_str(tokens(NULL, "Häuser", MLD_AN_RAW), "W haus 0-7 U | R ^hauser 0-7 cU",
           "multi-byte offsets; raw after the word");
    is_str(tokens(NULL, "geht's", MLD_AN_RAW), "W geht 0-6 | R ^gehts 0-6 c",
           "apostrophe inside a word is dropped");
    is_str(tokens(NULL, "Ku\xe2\x80\x99" "damm", 0), "W kudamm 0-9 U", "typographic apostrophe");
    is_str(tokens(NULL, "'Haus' Kinder'", 0), "W haus 1-5 U | W kind 7-13 U",
           "quotes around words are separators");
}

static void
test_words_more(void)
{
    is_str(tokens_n(NULL, "a\0b", 3, 0), "W a 0-1 | W b 2-3", "NUL separates");
    is_str(tokens(NULL, "Stra\xdf" "e", 0), "W stra 0-4 U | W e 5-6",
           "an invalid byte (Latin-1 ß) separates");
    is_str(tokens(NULL, "ab\xc0\xaf" "cd\xed\xa0\x80" "ef\xf4\x90\x80\x80gh", 0),
           "W ab 0-2 | W cd 4-6 | W ef 9-11 | W gh 15-17",
           "overlong, surrogate and too-large sequences separate");
    is_str(tokens(NULL, "abc\xe2\x82", 0), "W abc 0-3", "truncated sequence at the end");
    is_str(tokens(NULL, "\xcc\x88" "a", 0), "W a 2-3", "a leading combining mark is no word");
    is_str(tokens(NULL, "G7 2024 3,5", 0), "W g7 0-2 U | W 2024 3-7 | W 3 8-9 | W 5 10-11",
           "digits are word characters");
    is_str(tokens(NULL, "Путин trifft", 0), "W путин 0-10 U | W trifft 11-17",
           "other scripts are words");
    is_str(tokens(NULL, "Paris🚀Berlin", 0), "W paris 0-5 U | W berlin 9-15 U",
           "emoji separate");
}

static void
test_long_words(void)
{
    char in[1200];
    memset(in, 'a', 300);
    memcpy(in + 300, " Haus", 6);
    const char *got = tokens(NULL, in, 0);
    char want[400];
    memset(want, 'a', MLD_AN_MAX_WORD_BYTES);
    want[MLD_AN_MAX_WORD_BYTES] = '\0';
    char full[600];
    snprintf(full, sizeof(full), "W %s 0-300 | W haus 301-305 U", want);
    is_str(got, full, "a run past MLD_AN_MAX_WORD_BYTES is cut; its range covers the run");

    /* Two-byte letters: the cut falls on a code point. */
    for (int i = 0; i < 200; i++)
        memcpy(in + 2 * i, "é", 2);
    mld_buf_reset(&stream_);
    tokens_n(NULL, in, 400, 0);
    ok(strncmp(stream_.p, "W ", 2) == 0 && strstr(stream_.p, " 0-400") != NULL,
       "long run of two-byte letters: one word over the whole run (%s...)", "W");
    size_t term = (size_t)(strstr(stream_.p, " 0-400") - stream_.p) - 2;
    is_int(term, MLD_AN_MAX_WORD_BYTES, "long run of two-byte letters: cut at a code point");

    /* A long run in a hyphenated compound starts a word of its own. */
    memcpy(in, "Ost-", 4);
    memset(in + 4, 'b', 200);
    in[204] = '\0';
    got = tokens(NULL, in, MLD_AN_QUERY);
    ok(strncmp(got, "W ost 0-3 U | W bbbb", 20) == 0 && strstr(got, " 4-204") != NULL,
       "a cut run is not joined");

    /* The longest hyphen chain: MLD_AN_MAX_HYPHEN_PARTS words join. */
    _Static_assert(MLD_AN_MAX_HYPHEN_PARTS == 6, "the case below assumes 6");
    is_str(tokens(NULL, "a-b-c-d-e-f-g", MLD_AN_QUERY), "J abcdef 0-11 | W g 12-13",
           "six words join, the seventh stands alone");
}

/* Exact streams ----------------------------------------------------------- */

static void
test_hyphens(void)
{
    is_str(tokens(NULL, "Ukraine-Krieg", MLD_AN_INDEX),
           "W ukrain 0-7 U | R ^ukraine 0-7 cU | W krieg 8-13 U | R ^krieg 8-13 cU | "
           "J ukrainekrieg 0-13 cU | R ^ukrainekrieg 0-13 cU",
           "hyphenated compound, index flags");
    is_str(tokens(NULL, "Ukraine-Krieg", MLD_AN_TERMS),
           "W ukrain 0-7 U | W krieg 8-13 U | J ukrainekrieg 0-13 cU", "terms flags");
    is_str(tokens(NULL, "Ukraine-Krieg", 0), "W ukrain 0-7 U | W krieg 8-13 U",
           "no flags: just the words");
    is_str(tokens(NULL, "Ukraine-Krieg", MLD_AN_QUERY), "J ukrainekrieg 0-13 U",
           "query: only the joined token");
    is_str(tokens(NULL, "Ukraine-Krieg", MLD_AN_QUERY | MLD_AN_RAW), "J ukrainekrieg 0-13 U",
           "query: nothing else, raw or not");
    is_str(tokens(NULL, "Ukrainekrieg", MLD_AN_QUERY), "W ukrainekrieg 0-12 U",
           "query: the closed spelling gives the same term");
    is_str(tokens(NULL, "Ukraine-Kr", MLD_AN_PREFIX), "R ^ukraine 0-7 U | R ^kr 8-10 U",
           "prefix: raw tokens of each word");
    is_str(tokens(NULL, "Ukraine-Kr", MLD_AN_PREFIX | MLD_AN_QUERY), "R ^ukrainekr 0-10 U",
           "prefix + query: the raw closed form");
    is_str(tokens(NULL, "Nord\xe2\x80\x91Ostsee\xe2\x80\x90Kanal", MLD_AN_QUERY),
           "J nordostseekanal 0-21 U", "U+2011 and U+2010 join too");
    is_str(tokens(NULL, "1-0 Covid-19 G7-Gipfel", MLD_AN_QUERY),
           "W 1 0-1 | W 0 2-3 | J covid19 4-12 U | J g7gipfel 13-22 U",
           "a hyphen between digits separates, elsewhere it joins");
    is_str(tokens(NULL, "Ukraine- und Russlandpolitik", MLD_AN_QUERY),
           "W ukrain 0-7 U | W und 9-12 s | W russlandpolit 13-28 U",
           "a hyphen before a space separates");
    is_str(tokens(NULL, "-Krieg--Frieden-", MLD_AN_QUERY),
           "W krieg 1-6 U | W fried 8-15 U", "leading, double and trailing hyphens separate");
    is_str(tokens(NULL, "E-Mail", MLD_AN_TERMS), "W e 0-1 U | W mail 2-6 U | J email 0-6 cU",
           "one-letter word in a compound");
}

static void
test_prefix(void)
{
    is_str(tokens(NULL, "Präsidenten Praesidenten", MLD_AN_PREFIX),
           "R ^prasidenten 0-12 U | R ^prasidenten 13-25 U", "prefix: raw forms only");
    is_str(tokens(NULL, "Verhandl", MLD_AN_PREFIX), "R ^verhandl 0-8 U", "a prefix query term");
    is_str(tokens(NULL, "Straße", MLD_AN_PREFIX | MLD_AN_RAW | MLD_AN_PARTS),
           "R ^strasse 0-7 U", "prefix wins over the other flags");
}

static void
test_stopwords(void)
{
    is_str(tokens(NULL, "Der Krieg ist nicht auch für", MLD_AN_RAW),
           "W der 0-3 Us | R ^der 0-3 cUs | W krieg 4-9 U | R ^krieg 4-9 cU | W ist 10-13 s | "
           "R ^ist 10-13 cs | W nicht 14-19 s | R ^nicht 14-19 cs | W auch 20-24 s | "
           "R ^auch 20-24 cs | W fur 25-29 s | R ^fur 25-29 cs",
           "stop words are marked and still emitted");
    is_str(tokens(NULL, "fuer wuerde dass daß", 0), "W fur 0-4 s | W wurd 5-11 s | W dass 12-16 s | "
           "W dass 17-21 s", "umlaut and ß spellings of stop words");

    /* The table: unique, in raw form, and the count the issue asks for. */
    int bad = 0;
    for (size_t i = 0; i < NSTOP; i++) {
        const char *w = stopwords[i];
        if (strcmp(fold_of(w), w) != 0 || strlen(w) > STOP_MAX)
            bad++, diag("stop word \"%s\" is not in raw form or too long", w);
        for (size_t j = 0; j < i; j++)
            if (strcmp(stopwords[j], w) == 0)
                bad++, diag("stop word \"%s\" twice", w);
    }
    is_int(bad, 0, "stop words are unique, raw and at most STOP_MAX bytes");
    ok(NSTOP >= 150 && NSTOP <= 250, "%zu stop words", NSTOP);
}

static void
test_single_words(void)
{
    char out[8];
    is_int(mld_stem_word(NULL, "Präsident", strlen("Präsident"), out, sizeof(out)), 0,
           "stem_word: too small a buffer gives 0");
    is_int(mld_stem_word(NULL, " ,;", 3, out, sizeof(out)), 0, "stem_word: no letters gives 0");
    is_int(mld_fold_word("", 0, out, sizeof(out)), 0, "fold_word: empty gives 0");
    is_int(mld_stem_word(NULL, "Haus", 4, out, 5), 4, "stem_word: exact fit");
    is_str(out, "haus", "stem_word: NUL-terminated");
    is_str(stem_of("Ukraine-Krieg"), "ukrainekrieg", "stem_word: a compound gives its closed form");
    is_str(fold_of("Ukraine-Krieg"), "ukrainekrieg", "fold_word: a compound gives its closed form");
    is_str(stem_of("  Häuser, Hof"), "haus", "stem_word: the first word");
}

/* Stops after the second token, returning 7. */
static int
stop_after_two(void *ud, const struct mld_token *t)
{
    int *n = ud;
    return ++*n == 2 ? 7 : 0;
}

/* A recorded stream replays exactly what mld_analyze() emitted (every
 * field, compounds and raw forms included), is recognised by its text and
 * flags only, and a stream past MLD_AN_MAX_RECORD_BYTES is not kept. */
static void
test_record(void)
{
    static const char *const texts[] = {
        "Der Ukraine-Krieg und die Waffenruhe: Außenminister beraten in Genf.",
        "Praesident Müller sagte, es gebe \"keine Einigung\" - vorerst.",
        "x",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = texts[i];
        char *want = mld_strdup(tokens_n(NULL, t, strlen(t), MLD_AN_INDEX));
        struct mld_token_rec r;
        is_int(mld_analyze_record(NULL, t, strlen(t), MLD_AN_INDEX, &r), 0,
               "record text %zu", i);
        mld_buf_reset(&stream_);
        mld_buf_puts(&stream_, "");
        is_int(mld_token_rec_replay(&r, collect, NULL), 0, "replay text %zu", i);
        is_str(stream_.p, want, "text %zu: the replay is the analysis", i);
        ok(mld_token_rec_matches(&r, t, strlen(t), MLD_AN_INDEX), "text %zu: recognised", i);
        ok(!mld_token_rec_matches(&r, t, strlen(t), MLD_AN_QUERY), "... not under other flags");
        ok(!mld_token_rec_matches(&r, "y", 1, MLD_AN_INDEX), "... nor for another text");
        mld_token_rec_dispose(&r);
        ok(!mld_token_rec_matches(&r, t, strlen(t), MLD_AN_INDEX), "a disposed record is none");
        mld_free(want);
    }
    int n = 0;
    struct mld_token_rec r;
    const char *text = "eins zwei drei vier";
    mld_analyze_record(NULL, text, strlen(text), 0, &r);
    is_int(mld_token_rec_replay(&r, stop_after_two, &n), 7, "a replay stops as the analysis");
    mld_token_rec_dispose(&r);
    /* Words enough for a stream past the bound. */
    size_t len = MLD_AN_MAX_RECORD_BYTES / 2;
    char *big = mld_malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        big[i] = i % 6 == 5 ? ' ' : (char)('a' + (i / 6) % 26);
    big[len] = '\0';
    is_int(mld_analyze_record(NULL, big, len, MLD_AN_INDEX, &r), MLD_E_TOOBIG,
           "a stream past MLD_AN_MAX_RECORD_BYTES is refused");
    ok(r.p == NULL && r.len == 0, "... and nothing kept");
    mld_free(big);
}

static void
test_callback_stop(void)
{
    int n = 0;
    const char *text = "eins zwei drei vier";
    is_int(mld_analyze(NULL, text, strlen(text), 0, stop_after_two, &n), 7,
           "a non-zero return stops and is returned");
    is_int(n, 2, "no token after the stop");
    n = 0;
    text = "Ukraine-Krieg";
    is_int(mld_analyze(NULL, text, strlen(text), MLD_AN_INDEX, stop_after_two, &n), 7,
           "stops inside a compound too");
}

/* Compounds ------------------------------------------------------------------ */

/* A word list of our own, with the plural of "Waffe" and without
 * "Waffenruhe", and a few traps. */
static const char fixture_words[] = "Waffe\nWaffen\nRuhe\nruhen\nUkraine\nkrieg\nKriegs\n"
                                    "Bund\nBundes\nRegierung\nChef\nKreml\nTag\nunter\nSchied\n"
                                    "Freund\nSchaft\nReis\nreisen\nEnde\nWochen\nAuto\n"
                                    "Ersatzteil\nMichael\nKirche\nVerhandlung\nVerhandlungen\n"
                                    "Stra\xc3\x9f" "e\nBahn\nNord\nOst\nSee\nKanal\nabc.\n";

/* mld_analyze_part() gives what analysing the part gives, for every part
 * of each text and every flag set it serves (replayed or analysed: a
 * part that starts or ends inside a word or a code point must be
 * analysed), and replays a part between words rather than analysing it. */
static void
test_record_part(void)
{
    static const char *const texts[] = {
        "Der Ukraine-Krieg und die Waffenruhe: Bundesregierung ber\xc3\xa4t in Genf.\n"
        "Kremlchef sagt's - \xc2\xabOst-See\xc2\xbb, 1-0, Stra\xc3\x9f" "enbahn\n",
        "Praesident M\xc3\xbcller: \"keine Einigung\" (vorerst)\nWochenende",
        "x",
    };
    static const unsigned flag_sets[] = {0, MLD_AN_PARTS, MLD_AN_TERMS, MLD_AN_INDEX};
    struct mld_analyzer *an = analyzer_with(fixture_words);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = texts[i];
        size_t len = strlen(t);
        struct mld_token_rec r;
        mld_analyze_record(an, t, len, MLD_AN_INDEX, &r);
        for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
            int bad = 0, parts = 0;
            for (size_t from = 0; from <= len; from++) {
                for (size_t to = from; to <= len; to++, parts++) {
                    char *want = mld_strdup(tokens_n(an, t + from, to - from, flag_sets[f]));
                    mld_buf_reset(&stream_);
                    mld_buf_puts(&stream_, "");
                    mld_analyze_part(an, &r, t, len, from, to, flag_sets[f], collect, NULL);
                    if (strcmp(stream_.p, want) != 0 && bad++ == 0)
                        printf("# text %zu [%zu, %zu) flags %u:\n#  got  %s\n#  want %s\n", i,
                               from, to, flag_sets[f], stream_.p, want);
                    mld_free(want);
                }
            }
            is_int(bad, 0, "text %zu, flags %u: %d parts as analysed", i, flag_sets[f], parts);
        }
        mld_token_rec_dispose(&r);
    }
    /* A record emptied of its tokens (its hash kept) shows which way a
     * part went: replayed parts give nothing. */
    const char *t = texts[0];
    size_t len = strlen(t), mid = (size_t)(strchr(t, ':') - t);
    struct mld_token_rec r;
    mld_analyze_record(an, t, len, MLD_AN_INDEX, &r);
    size_t keep = r.len;
    r.len = 0;
    mld_buf_reset(&stream_);
    mld_buf_puts(&stream_, "");
    mld_analyze_part(an, &r, t, len, 0, mid, MLD_AN_PARTS, collect, NULL);
    mld_analyze_part(an, &r, t, len, mid, len, MLD_AN_TERMS, collect, NULL);
    is_str(stream_.p, "", "parts between words are replayed");
    mld_analyze_part(an, &r, t, len, 1, mid, MLD_AN_PARTS, collect, NULL);
    ok(strncmp(stream_.p, "W er 0-2", 8) == 0, "a part inside a word is analysed: %.20s",
       stream_.p);
    mld_buf_reset(&stream_);
    mld_buf_puts(&stream_, "");
    mld_analyze_part(an, &r, t, len, 0, mid, MLD_AN_QUERY, collect, NULL);
    ok(stream_.len > 0, "... and so are flags a record does not serve");
    mld_analyze_part(an, NULL, t, len, 0, mid, MLD_AN_PARTS, collect, NULL);
    ok(stream_.len > 0, "... and a part without a record");
    r.len = keep;
    mld_token_rec_dispose(&r);
    mld_analyzer_free(an);
}

static void
test_closed_compounds(void)
{
    struct mld_analyzer *an = analyzer_with(fixture_words);
    is_str(tokens(an, "Waffenruhe", MLD_AN_INDEX),
           "W waffenruh 0-10 U | P waff 0-10 cU | P ruh 0-10 cU | R ^waffenruhe 0-10 cU",
           "closed compound: word, parts, raw");
    is_str(tokens(an, "Waffenruhe", MLD_AN_PARTS), "W waffenruh 0-10 U | P waff 0-10 cU | "
           "P ruh 0-10 cU", "parts only");
    is_str(tokens(an, "Waffenruhe", MLD_AN_QUERY), "W waffenruh 0-10 U", "query: no parts");
    is_str(tokens(an, "waffenruhe", MLD_AN_PARTS), "W waffenruh 0-10",
           "written in lower case: not split");
    is_str(tokens(an, "Ukrainekrieg", MLD_AN_PARTS),
           "W ukrainekrieg 0-12 U | P ukrain 0-12 cU | P krieg 0-12 cU", "Ukrainekrieg");
    is_str(tokens(an, "Bundesregierungschef", MLD_AN_PARTS),
           "W bundesregierungschef 0-20 U | P bund 0-20 cU | P regier 0-20 cU | "
           "P chef 0-20 cU", "three parts, with a Fuge");
    is_str(tokens(an, "Bundestag Unterschied Freundschaft Reisende Verhandlungen", MLD_AN_PARTS),
           "W bundestag 0-9 U | W unterschied 10-21 U | W freundschaft 22-34 U | "
           "W reisend 35-43 U | W verhandl 44-57 U",
           "non-compounds stay whole (short tail, prefix head, suffix tail, verb stem + ende, "
           "inflection)");
    is_str(tokens(an, "Wochenende", MLD_AN_PARTS), "W wochen 0-10 U | P woch 0-10 cU | "
           "P end 0-10 cU", "Wochen + Ende");
    is_str(tokens(an, "Autoersatzteil", MLD_AN_PARTS),
           "W autorsatzteil 0-14 U | P auto 0-14 cU | P ersatzteil 0-14 cU",
           "split in the plain form when the umlaut step hides the parts");
    is_str(tokens(an, "Michaelskirche", MLD_AN_PARTS),
           "W michalskirch 0-14 U | P michal 0-14 cU | P kirch 0-14 cU",
           "ae inside a part: the canonical form splits");
    is_str(tokens(an, "Strassenbahn Straßenbahn", MLD_AN_PARTS),
           "W strassenbahn 0-12 U | P strass 0-12 cU | P bahn 0-12 cU | "
           "W strassenbahn 13-25 U | P strass 13-25 cU | P bahn 13-25 cU", "ß and ss alike");
    is_str(tokens(an, "Ostkanal", MLD_AN_PARTS),
           "W ostkanal 0-8 U | P ost 0-8 cU | P kanal 0-8 cU", "a short head of the few allowed");
    is_str(tokens(an, "Seekanal", MLD_AN_PARTS), "W seekanal 0-8 U",
           "other three-letter heads are not tried");
    is_str(tokens(an, "Ostsee-Kanal", MLD_AN_INDEX),
           "W ostse 0-6 U | R ^ostsee 0-6 cU | W kanal 7-12 U | R ^kanal 7-12 cU | "
           "J ostseekanal 0-12 cU | R ^ostseekanal 0-12 cU",
           "hyphenated: parts of the words would come from the words themselves");
    is_str(tokens(an, "Kreml-Regierungschef", MLD_AN_TERMS),
           "W kreml 0-5 U | W regierungschef 6-20 U | P regier 6-20 cU | P chef 6-20 cU | "
           "J kremlregierungschef 0-20 cU", "a closed compound inside a hyphenated one");
    mld_analyzer_free(an);
}

/* A real compound or non-compound and how Debian's list splits it. */
struct split_case {
    const char *word;
    const char *split; /* parts joined by '|', "" when it stays whole */
    bool right;        /* the split (or not splitting) is what a reader expects */
};

/* ~40 hand-picked words: compounds from news (the split expected), words
 * that look like compounds and must stay whole, and the known misses. */
static const struct split_case split_cases[] = {
    {"Ukrainekrieg", "ukraine|krieg", true},
    {"Kremlchef", "kreml|chef", true},
    {"Waffenruhe", "waffen|ruhe", true},
    {"Bundesregierung", "bundes|regierung", true},
    {"Außenminister", "aussen|minister", true},
    {"Regierungschef", "regierung|chef", true},
    {"Bundeskanzlerin", "bundes|kanzlerin", true},
    {"Verteidigungsminister", "verteidigung|minister", true},
    {"Friedensverhandlungen", "friedens|verhandlungen", true},
    {"Praesidentschaftswahl", "präsidentschaft|wahl", true},
    {"Koalitionsvertrag", "koalition|vertrag", true},
    {"Klimaschutz", "klima|schutz", true},
    {"Nachrichtenagentur", "nachrichten|agentur", true},
    {"Kriegsende", "kriegs|ende", true},
    {"Energiepreise", "energie|preise", true},
    {"Gaspreise", "gas|preise", true},
    {"Südkorea", "süd|korea", true},
    {"Ostukraine", "ost|ukraine", true},
    {"Terroranschlag", "terror|anschlag", true},
    {"Landwirtschaft", "land|wirtschaft", true},
    {"Fußballspieler", "fussball|spieler", true},
    {"Feuerpause", "feuer|pause", true},
    {"Bundeskanzlerinnen", "bundes|kanzler", true},
    {"Indexspitzenfeld", "index|spitzen|feld", true},
    /* stay whole */
    {"Verhandlungen", "", true},
    {"Bundestag", "", true},
    {"Präsidenten", "", true},
    {"Unterschied", "", true},
    {"Verbrechen", "", true},
    {"Freundschaft", "", true},
    {"Reisende", "", true},
    {"Vorsitzende", "", true},
    {"Bürgerinnen", "", true},
    {"Allerdings", "", true},
    {"Hochzeit", "", true},
    {"Geiselnahme", "", true},
    {"Betreuer", "", true},
    {"Widerstand", "", true},
    /* known mistakes: the longest head wins the classic ambiguity, and
     * the 2016 list lacks "Corona" and three-letter tails are not tried */
    {"Druckerzeugnis", "drucker|zeugnis", false},
    {"Freilandstraße", "frei|landstrasse", false},
    {"Coronapandemie", "", false},
    {"Sicherheitsrat", "", false},
};

static void
test_real_compounds(void)
{
    struct stat st;
    if (stat(MLD_DICT_PATH, &st) != 0) {
        diag("skip: %s not installed", MLD_DICT_PATH);
        return;
    }
    struct mld_analyzer *an = NULL;
    struct mld_err err = {0};
    if (!ok(mld_analyzer_new(&an, MLD_DICT_PATH, &err) == 0, "load %s", MLD_DICT_PATH))
        return;
    int splits = 0, right_splits = 0, whole = 0, right_whole = 0;
    for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
        const struct split_case *c = &split_cases[i];
        struct run r = {.an = an, .text = (const unsigned char *)c->word, .len = strlen(c->word)};
        struct part p;
        struct word w;
        struct mld_split sp;
        scan_part(&r, 0, &p);
        word_fold(&r, &p, &w);
        const char *s = word_split(an, &w, &sp);
        char got[256] = "";
        size_t n = 0;
        for (int k = 0; s != NULL && k < sp.n; k++)
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%.*s", k ? "|" : "",
                                  (int)sp.part[k].len, s + sp.part[k].off);
        is_str(got, c->split, "%s%s", c->word, c->right ? "" : " (a known mistake)");
        if (c->split[0] != '\0') {
            splits++;
            right_splits += c->right;
        } else {
            whole++;
            right_whole += c->right;
        }
    }
    diag("compounds: %d of %d splits right (precision %.0f%%), %d of %d words kept whole "
         "rightly", right_splits, splits, 100.0 * right_splits / splits, right_whole, whole);
    mld_analyzer_free(an);
}

/* Building ----------------------------------------------------------------- */

static void
test_build(void)
{
    struct mld_analyzer *an = NULL;
    struct mld_err err = {0};
    is_int(mld_analyzer_new(&an, "", &err), 0, "\"\": no word list");
    is_str(mld_analyzer_signature(an), "a1-nodict", "signature without a list");
    is_str(tokens(an, "Waffenruhe", MLD_AN_PARTS), "W waffenruh 0-10 U",
           "without a list compounds stay whole");
    mld_analyzer_free(an);
    mld_analyzer_free(NULL);

    is_int(mld_analyzer_new(&an, "/nonexistent/words", &err), MLD_E_IO, "a missing named list");
    ok(an == NULL && strstr(err.msg, "/nonexistent/words") != NULL, "error names it: %s",
       err.msg);

    const char *path = temp_file("Haus\nStra\xdf" "e\n", 12);
    mld_err_clear(&err);
    is_int(mld_analyzer_new(&an, path, &err), MLD_E_PARSE, "invalid UTF-8 in the list");
    ok(strstr(err.msg, path) != NULL && strstr(err.msg, "line 2") != NULL, "names line 2: %s",
       err.msg);
    unlink(path);

    char big[400];
    memset(big, 'x', sizeof(big));
    memcpy(big, "Haus\n", 5);
    path = temp_file(big, sizeof(big));
    mld_err_clear(&err);
    is_int(mld_analyzer_new(&an, path, &err), MLD_E_PARSE, "a line past MLD_AN_MAX_DICT_LINE");
    ok(strstr(err.msg, "line 2") != NULL, "names line 2: %s", err.msg);
    unlink(path);

    struct mld_analyzer *a1 = analyzer_with("Haus\nHof\r\n\nab.c\n");
    struct mld_analyzer *a2 = analyzer_with("Haus\nHof\n");
    const char *s1 = mld_analyzer_signature(a1), *s2 = mld_analyzer_signature(a2);
    ok(strncmp(s1, "a1-", 3) == 0 && strlen(s1) == 19, "signature a1- + 16 hex digits: %s", s1);
    ok(strcmp(s1, s2) != 0, "another list, another signature");
    is_int(mld_wordset_count(a1->dict), 1, "only words of 4+ letters are kept (CRLF, blank "
           "lines and non-words skipped)");
    mld_analyzer_free(a1);
    mld_analyzer_free(a2);
}

static void
test_global(void)
{
    struct mld_err err = {0};
    is_int(mld_analyzer_set_dict("/nonexistent/words", &err), MLD_E_IO,
           "set_dict: an unreadable list");
    is_int(mld_analyzer_set_dict("", &err), 0, "set_dict: \"\" (no list) before the first use");
    const struct mld_analyzer *an = mld_analyzer();
    ok(an != NULL && an == mld_analyzer(), "one process-wide analyzer");
    is_str(mld_analyzer_signature(an), "a1-nodict", "built from the list set");
    mld_err_clear(&err);
    is_int(mld_analyzer_set_dict("", &err), MLD_E_IO, "set_dict after the first use");
}

/* Threads ------------------------------------------------------------------- */

/* Words stemmed by every thread, and their stems from the main thread. */
static const char *const thread_words[] = {
    "Präsidenten", "Verhandlungen", "Waffenruhe", "Bundesregierung", "aufeinanderfolgenden",
    "Ukrainekrieges", "Bauern", "Quellen", "Strassen", "Entscheidungen", "Geschwindigkeiten",
    "Abgeordneter",
};
#define NTW (sizeof(thread_words) / sizeof(thread_words[0]))
static char thread_want[NTW][64];

/* Stems thread_words many times; returns the number of wrong stems. */
static void *
stem_worker(void *arg)
{
    long wrong = 0;
    for (int round = 0; round < 20000; round++) {
        size_t i = (size_t)(round * 7 + (int)(intptr_t)arg) % NTW;
        char out[64];
        mld_stem_word(NULL, thread_words[i], strlen(thread_words[i]), out, sizeof(out));
        if (strcmp(out, thread_want[i]) != 0)
            wrong++;
    }
    return (void *)wrong;
}

static void
test_threads(void)
{
    for (size_t i = 0; i < NTW; i++)
        mld_stem_word(NULL, thread_words[i], strlen(thread_words[i]), thread_want[i], 64);
    is_str(thread_want[0], "prasident", "main thread stems");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, stem_worker, (void *)(intptr_t)i);
    long wrong = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        wrong += (long)r;
    }
    is_int(wrong, 0, "four threads stemming at once get every stem right");
}

/* Properties ------------------------------------------------------------------ */

/* A pseudo-random number below n (random() seeded in main: repeatable). */
static uint32_t
rnd(uint32_t n)
{
    return (uint32_t)random() % n;
}

static size_t inv_len_;
static int inv_bad_;

/* Checks what every token promises. */
static int
check_token(void *ud, const struct mld_token *t)
{
    if (t->len == 0 || t->start > t->end || t->end > inv_len_ || (int)t->kind < 0 ||
        t->kind > MLD_TOK_RAW || (t->kind == MLD_TOK_RAW) != (t->term[0] == MLD_RAW_MARK))
        inv_bad_++;
    return 0;
}

/* The byte ranges of the tokens that take a position (not colocated). */
struct spans {
    struct mld_buf b;
};

static int
collect_span(void *ud, const struct mld_token *t)
{
    struct spans *sp = ud;
    if (!t->colocated)
        mld_buf_printf(&sp->b, "%zu-%zu ", t->start, t->end);
    return 0;
}

/* Whether MLD_AN_SPANS gives s[0..n) the positions and byte ranges of the
 * index's tokens (what FTS5's snippets rely on). */
static bool
spans_match(const struct mld_analyzer *an, const char *s, size_t n)
{
    struct spans index = {0}, spans = {0};
    mld_buf_init(&index.b, 256);
    mld_buf_init(&spans.b, 256);
    mld_buf_puts(&index.b, "");
    mld_buf_puts(&spans.b, "");
    mld_analyze(an, s, n, MLD_AN_INDEX, collect_span, &index);
    mld_analyze(an, s, n, MLD_AN_SPANS, collect_span, &spans);
    bool same = index.b.len == spans.b.len && memcmp(index.b.p, spans.b.p, index.b.len) == 0;
    if (!same)
        diag("index %s\nspans %s", index.b.p, spans.b.p);
    mld_buf_dispose(&index.b);
    mld_buf_dispose(&spans.b);
    return same;
}

static void
test_spans(void)
{
    static const char text[] =
        "Der Kreml-Chef Putin hat der Waffenruhe zugestimmt. Die Ukraine-Krieg-Gespräche "
        "in Genf (2025-03-14) wurden vertagt; Selenskyjs Bündnispartner äußerten sich "
        "zurückhaltend. U-Bahn, E-Mail, 3-Jährige, Rock'n'Roll, Staatsoberhäupter, "
        "Bundesverfassungsgerichtsentscheidungsbegründungsschreibenvorlagenkopie.";
    is_str(tokens(mld_analyzer(), "Ukraine-Krieg in Genf", MLD_AN_SPANS),
           "W Ukraine 0-7 | W Krieg 8-13 | W in 14-16 | W Genf 17-21",
           "spans: a token per word, its bytes as written");
    ok(spans_match(mld_analyzer(), text, sizeof(text) - 1),
       "spans: the positions and ranges of the index's tokens, compounds included");
}

static void
test_random(void)
{
    static const char *const pieces[] = {
        "a", "Z", "ä", "Ä", "ß", "ẞ", "ue", "ae", "qu", "-", "\xe2\x80\x91", "'", "\xe2\x80\x99",
        " ", "5", "\xcc\x88", "\xc2\xad", "\xef\xac\x81", "\xce\x90", "\xc5\x89", "\xff", "\xc3",
        "Waffen", "ruhe", "Krieg", "\xf0\x9f\x9a\x80",
    };
    char in[600];
    int spans_bad = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        if (round % 2) {
            n = rnd(300);
            for (size_t i = 0; i < n; i++)
                in[i] = (char)rnd(256);
        } else {
            for (size_t k = rnd(80); k > 0; k--) {
                const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
                memcpy(in + n, p, strlen(p));
                n += strlen(p);
            }
        }
        inv_len_ = n;
        mld_analyze(NULL, in, n, (unsigned)rnd(64), check_token, NULL);
        spans_bad += !spans_match(round % 4 < 2 ? NULL : mld_analyzer(), in, n);
    }
    is_int(inv_bad_, 0, "random inputs under random flags: every token well formed");
    is_int(spans_bad, 0, "random inputs: spans take the index's positions and ranges");
}

int
main(void)
{
    srandom(20240601);
    mld_buf_init(&stream_, 1 << 20);
    test_snowball();
    test_umlauts();
    test_nfc();
    test_words();
    test_words_more();
    test_long_words();
    test_hyphens();
    test_prefix();
    test_stopwords();
    test_single_words();
    test_callback_stop();
    test_record();
    test_record_part();
    test_closed_compounds();
    test_real_compounds();
    test_build();
    test_global();
    test_spans();
    test_threads();
    test_random();
    mld_buf_dispose(&stream_);
    return mld_test_done();
}
