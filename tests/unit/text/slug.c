/*
 * tests/unit/text/slug.c - URL slugs from headlines.
 *
 * Fixed cases for the folding rules and the cut at MLD_SLUG_MAX, the
 * golden file tests/golden/slugs/cases.tsv (format described at its top),
 * and properties that must hold for any input: checked on pseudo-random
 * byte strings and on pseudo-random mixes of interesting code points.
 */
#include "../../../src/text/slug.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/base/mem.h"
#include "test.h"

#define GOLDEN_SLUGS "tests/golden/slugs/cases.tsv"

/* The slug of s[0..len), computed from an allocation of exactly len bytes
 * (so the sanitizers catch a read past len) into a static buffer with a
 * guard byte after the MLD_SLUG_MAX + 1 the function may use. */
static char out_[MLD_SLUG_MAX + 2];
static size_t out_len_;

static const char *
slug_n(const char *s, size_t len)
{
    char *copy = mld_malloc(len);
    memcpy(copy, s, len);
    memset(out_, '#', sizeof(out_));
    out_len_ = mld_slug(copy, len, out_);
    mld_free(copy);
    return out_;
}

static const char *
slug(const char *s)
{
    return slug_n(s, strlen(s));
}

/* Checks what every slug must be; returns a reason, or NULL when fine. */
static const char *
slug_fault(const char *s, size_t len)
{
    if (out_[MLD_SLUG_MAX + 1] != '#')
        return "wrote past MLD_SLUG_MAX + 1 bytes";
    if (len > MLD_SLUG_MAX)
        return "longer than MLD_SLUG_MAX";
    if (s[len] != '\0' || strlen(s) != len)
        return "length does not match the NUL";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return "byte outside [a-z0-9-]";
        if (c == '-' && (i == 0 || i + 1 == len || s[i + 1] == '-'))
            return "leading, trailing or double '-'";
    }
    return NULL;
}

static void
test_examples(void)
{
    is_str(slug("Außenminister bereiten Gipfeltreffen in Genf vor"),
           "aussenminister-bereiten-gipfeltreffen-in-genf-vor", "headline with umlaut");
    is_str(slug("Straße"), "strasse", "sharp s");
    is_str(slug("Ukraine-Krieg: Gespräche in Abu Dhabi?"), "ukraine-krieg-gespraeche-in-abu-dhabi",
           "punctuation separates");
    is_str(slug("  --Ärger!!  "), "aerger", "trimmed at both ends");
    is_str(slug("Moskau sagt befristete Waffenruhe für Energieanlagen zu"),
           "moskau-sagt-befristete-waffenruhe-fuer-energieanlagen-zu", "plain headline");
    is_int(out_len_, strlen("moskau-sagt-befristete-waffenruhe-fuer-energieanlagen-zu"),
           "returns the length");
    is_str(slug("GROẞE Öffnung über ÄRGER"), "grosse-oeffnung-ueber-aerger", "capitals");
    is_str(slug("é è ê á à â ç ñ ó ò ô í ì î ú ù û"), "e-e-e-a-a-a-c-n-o-o-o-i-i-i-u-u-u",
           "Latin-1 accents");
    is_str(slug("å ø æ œ Å Ø Æ Œ"), "a-o-ae-oe-a-o-ae-oe", "Nordic and ligatures");
    is_str(slug("ł š č ž ś ź ż ń ć ę ą ő ű ğ ı ş"), "l-s-c-z-s-z-z-n-c-e-a-o-u-g-i-s",
           "Latin Extended-A");
    is_str(slug("Paris 2024: 1:0 für Deutschland"), "paris-2024-1-0-fuer-deutschland", "digits");
    is_str(slug("Путин 🚀 trifft 日本"), "trifft", "other scripts and emoji separate");
    is_str(slug("Präsi\302\255denten"), "praesidenten", "soft hyphen vanishes");
    is_str(slug("Pra\xcc\x88sident"), "praesident", "decomposed umlaut");
    is_str(slug("Stra\337e"), "strae", "invalid UTF-8 (Latin-1 byte) skipped");
    is_str(slug("\300\257a\355\240\200b\364\220\200\200c"), "abc",
           "overlong, surrogate and too-large sequences skipped");
    is_str(slug("abc\xe2\x82"), "abc", "truncated sequence at the end skipped");

    is_str(slug(""), "", "empty input");
    is_int(out_len_, 0, "empty input: length 0");
    is_str(slug("?!. – …"), "", "punctuation only");
    is_int(out_len_, 0, "punctuation only: length 0");
    is_int(mld_slug(NULL, 0, out_), 0, "NULL with length 0");
    is_str(slug_n("a\0b", 3), "a-b", "NUL is a separator, not the end");
}

static void
test_cut(void)
{
    char in[1024], want[256];

    /* Many short words: cut after the last whole word. */
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(in + n, sizeof(in) - n, "wort%02d ", i);
    slug_n(in, n);
    is_int(out_len_, 11 * 6 + 10, "many words: 11 whole words of 6 letters and 10 dashes");
    ok(out_len_ <= MLD_SLUG_MAX && out_[out_len_ - 1] != '-', "many words: no dash at the end");
    is_str(out_ + out_len_ - 6, "wort10", "many words: last word whole");

    /* Exactly MLD_SLUG_MAX bytes of words, then more: seven words of nine
     * letters and one of ten, joined by seven dashes, make 80. */
    _Static_assert(MLD_SLUG_MAX == 80, "the cases below assume 80");
    memset(want, 'x', MLD_SLUG_MAX);
    for (int i = 9; i < 70; i += 10)
        want[i] = '-';
    want[MLD_SLUG_MAX] = '\0';
    snprintf(in, sizeof(in), "%s more words", want);
    is_str(slug(in), want, "exactly MLD_SLUG_MAX, then a boundary");
    is_int(out_len_, MLD_SLUG_MAX, "exactly MLD_SLUG_MAX: length");

    /* One letter more and the last word crosses the limit: it is dropped
     * with its dash (the last dash is at 69). */
    snprintf(in, sizeof(in), "%sx", want);
    slug(in);
    is_int(out_len_, 69, "word crossing the limit is dropped");
    ok(strncmp(out_, want, out_len_) == 0, "word crossing the limit: prefix kept");

    /* One word longer than the limit: cut hard at the limit. */
    memset(in, 'a', 200);
    slug_n(in, 200);
    is_int(out_len_, MLD_SLUG_MAX, "one long word: cut at MLD_SLUG_MAX");

    /* A short word, then one too long: the short word is the slug. */
    memcpy(in, "ab ", 3);
    slug_n(in, 200);
    is_str(out_, "ab", "short word then a long one");

    /* An umlaut's two letters are never split at a hard cut. */
    memset(in, 'a', MLD_SLUG_MAX - 1);
    memcpy(in + MLD_SLUG_MAX - 1, "ä", 2);
    slug_n(in, MLD_SLUG_MAX + 1);
    is_int(out_len_, MLD_SLUG_MAX - 1, "umlaut not split at a hard cut");
}

static void
test_golden(void)
{
    size_t size;
    char *text = mld_test_slurp(GOLDEN_SLUGS, &size);
    if (!ok(text != NULL, "golden: read %s (run from the repository root)", GOLDEN_SLUGS))
        return;
    int cases = 0, lineno = 0;
    char *next;
    for (char *line = text; line != NULL; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *tab = strchr(line, '\t');
        if (tab == NULL || strchr(tab + 1, '\t') != NULL) {
            ok(0, "golden line %d has two columns", lineno);
            continue;
        }
        *tab = '\0';
        size_t n;
        char *in = mld_test_unescape(line, &n);
        slug_n(in, n);
        free(in);
        cases++;
        const char *fault = slug_fault(out_, out_len_);
        if (!ok(strcmp(out_, tab + 1) == 0 && fault == NULL, "golden line %d: %s", lineno, line))
            diag("  got:  \"%s\" (%s)\n#   want: \"%s\"", out_, fault ? fault : "well-formed",
                 tab + 1);
    }
    ok(cases >= 60, "golden: %d cases", cases);
    free(text);
}

/* Appends the UTF-8 encoding of cp to p; returns the bytes written. */
static size_t
encode(uint32_t cp, char *p)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (char)(0xC0 | cp >> 6);
        p[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (char)(0xE0 | cp >> 12);
        p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | cp >> 18);
    p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    p[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint64_t rnd_state = 0x2545F4914F6CDD1Du;

static uint32_t
rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)(rnd_state % n);
}

/* Random inputs: the result is well formed, and slugging a slug changes
 * nothing (a slug is a fixed point). */
static void
test_properties(void)
{
    static const uint32_t pick[] = {
        'a',   'Z',   '5',   ' ',   '-',   '!',   0xC4,   0xE4,   0xDF,   0xD7,   0xAD,   0x141,
        0x153, 0x17F, 0x180, 0x300, 0x308, 0x41F, 0x1E9E, 0x200B, 0x2013, 0xFEFF, 0xFFFD, 0x1F680,
    };
    int bad_bytes = 0, bad_cps = 0, not_fixed = 0;
    char in[512], again[MLD_SLUG_MAX + 1];
    for (int round = 0; round < 20000; round++) {
        size_t n = rnd(300);
        for (size_t i = 0; i < n; i++)
            in[i] = (char)rnd(256);
        slug_n(in, n);
        const char *fault = slug_fault(out_, out_len_);
        if (fault != NULL && bad_bytes++ < 3)
            diag("random bytes: %s", fault);

        n = 0;
        for (size_t k = rnd(150); k > 0; k--) {
            uint32_t cp = pick[rnd(sizeof(pick) / sizeof(pick[0]))];
            n += encode(cp, in + n);
        }
        slug_n(in, n);
        fault = slug_fault(out_, out_len_);
        if (fault != NULL && bad_cps++ < 3)
            diag("random code points: %s", fault);
        memcpy(again, out_, out_len_ + 1);
        size_t len = out_len_;
        slug_n(again, len);
        if ((out_len_ != len || strcmp(out_, again) != 0) && not_fixed++ < 3)
            diag("not a fixed point: \"%s\" -> \"%s\"", again, out_);
    }
    is_int(bad_bytes, 0, "random bytes give well-formed slugs");
    is_int(bad_cps, 0, "random code points give well-formed slugs");
    is_int(not_fixed, 0, "a slug's slug is itself");
}

/* Every code point up to U+FFFF and a few beyond, one at a time between
 * two letters: no crash, a well-formed result. */
static void
test_all_code_points(void)
{
    int bad = 0;
    char in[16];
    for (uint32_t cp = 0; cp < 0x20000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        in[0] = 'x';
        size_t n = 1 + encode(cp, in + 1);
        in[n++] = 'y';
        slug_n(in, n);
        const char *fault = slug_fault(out_, out_len_);
        if (fault != NULL && bad++ < 3)
            diag("U+%04X: %s", (unsigned)cp, fault);
    }
    is_int(bad, 0, "every code point below U+20000 gives a well-formed slug");
}

int
main(void)
{
    test_examples();
    test_cut();
    test_golden();
    test_properties();
    test_all_code_points();
    return mld_test_done();
}
