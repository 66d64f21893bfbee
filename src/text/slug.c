/*
 * slug.c - readable URL slugs from German headlines (see slug.h).
 *
 * One pass over the UTF-8 input. Each code point is folded to ASCII:
 * ASCII letters and digits stay (letters lower-cased), German umlauts
 * become two letters (ä → ae, ß → ss), other Latin letters of Latin-1 and
 * Latin Extended-A lose their accent (é → e, ł → l, æ → ae). Invisible
 * code points (soft hyphen, zero-width characters, combining marks) vanish
 * without a trace, except that a combining diaeresis after a, o or u adds
 * the 'e' a precomposed umlaut would have given, so decomposed text
 * ("a" U+0308) slugs like composed text. Everything else, punctuation,
 * symbols, other scripts and emoji, separates words: a run of separators
 * becomes one '-', and none is written at either end.
 *
 * A slug longer than MLD_SLUG_MAX is cut: after the last whole word that
 * fits when a word boundary lies within the limit, otherwise (one very
 * long word) at the limit itself.
 */
#include "slug.h"

#include <stdbool.h>
#include <stdint.h>

/* Base letters of U+00C0..U+017F, one per code point, 16 a row. A '-'
 * marks a separator (× and ÷); the code points that fold to two letters
 * are handled in fold() before this table is consulted. */
/* clang-format off */
static const char latin[] =
    /* U+00C0 */ "aaaaaaaceeeeiiii"
    /* U+00D0 */ "dnooooo-ouuuuyts"
    /* U+00E0 */ "aaaaaaaceeeeiiii"
    /* U+00F0 */ "dnooooo-ouuuuyty"
    /* U+0100 */ "aaaaaaccccccccdd"
    /* U+0110 */ "ddeeeeeeeeeegggg"
    /* U+0120 */ "gggghhhhiiiiiiii"
    /* U+0130 */ "iiiijjkkklllllll"
    /* U+0140 */ "lllnnnnnnnnnoooo"
    /* U+0150 */ "oooorrrrrrssssss"
    /* U+0160 */ "ssttttttuuuuuuuu"
    /* U+0170 */ "uuuuwwyyyzzzzzzs";
/* clang-format on */

_Static_assert(sizeof(latin) == 0x180 - 0xC0 + 1, "one letter per code point U+00C0..U+017F");

/* Code points that fold to something other than one base letter: two
 * letters, or nothing at all for the invisible ones. */
static const struct {
    uint32_t cp;
    const char *to;
} special[] = {
    {0xC4, "ae"},   /* Ä */
    {0xE4, "ae"},   /* ä */
    {0xD6, "oe"},   /* Ö */
    {0xF6, "oe"},   /* ö */
    {0xDC, "ue"},   /* Ü */
    {0xFC, "ue"},   /* ü */
    {0xDF, "ss"},   /* ß */
    {0x1E9E, "ss"}, /* capital sharp s */
    {0xC6, "ae"},   /* Æ */
    {0xE6, "ae"},   /* æ */
    {0x152, "oe"},  /* Œ */
    {0x153, "oe"},  /* œ */
    {0xDE, "th"},   /* Þ */
    {0xFE, "th"},   /* þ */
    {0x132, "ij"},  /* Ĳ */
    {0x133, "ij"},  /* ĳ */
    {0x218, "s"},   /* Ș (Romanian, comma below) */
    {0x219, "s"},   /* ș */
    {0x21A, "t"},   /* Ț */
    {0x21B, "t"},   /* ț */
    {0xAD, ""},     /* soft hyphen */
    {0x200B, ""},   /* zero width space */
    {0x200C, ""},   /* zero width non-joiner */
    {0x200D, ""},   /* zero width joiner */
    {0x2060, ""},   /* word joiner */
    {0xFEFF, ""},   /* byte order mark */
};

/* What a code point becomes: its ASCII letters, "" when it vanishes, or
 * NULL when it separates words. buf receives one-letter results. */
static const char *
fold(uint32_t cp, char buf[2])
{
    buf[1] = '\0';
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
        buf[0] = (char)cp;
        return buf;
    }
    if (cp >= 'A' && cp <= 'Z') {
        buf[0] = (char)(cp - 'A' + 'a');
        return buf;
    }
    if (cp < 0xAD)
        return NULL;
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (special[i].cp == cp)
            return special[i].to;
    if (cp >= 0xC0 && cp < 0x180) {
        if (latin[cp - 0xC0] == '-')
            return NULL;
        buf[0] = latin[cp - 0xC0];
        return buf;
    }
    /* Combining marks and variation selectors. */
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0xFE00 && cp <= 0xFE0F))
        return "";
    return NULL;
}

/* Decodes one UTF-8 code point at s[0..n), n > 0. Returns its length and
 * stores it in *cp, or returns 0 for an invalid sequence (truncated,
 * overlong, a surrogate, beyond U+10FFFF or a stray continuation byte). */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        c = b & 0x1F;
        min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        c = b & 0x0F;
        min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        c = b & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t
mld_slug(const char *s, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;     /* bytes written to out */
    bool sep = false; /* a separator is pending since the last letter */
    bool truncated = false;
    bool mid_word = false; /* truncated inside a word, not between two */

    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = decode(p + i, len - i, &cp);
        if (k == 0) {
            i++; /* invalid bytes are skipped, one at a time */
            continue;
        }
        i += k;

        char one[2];
        const char *a = fold(cp, one);
        if (cp == 0x308 && !sep && n > 0 &&
            (out[n - 1] == 'a' || out[n - 1] == 'o' || out[n - 1] == 'u'))
            a = "e";
        if (a == NULL) {
            sep = true;
            continue;
        }
        if (a[0] == '\0')
            continue;

        size_t alen = a[1] == '\0' ? 1 : 2;
        bool dash = sep && n > 0;
        if (n + dash + alen > MLD_SLUG_MAX) {
            truncated = true;
            mid_word = !sep;
            break;
        }
        if (dash)
            out[n++] = '-';
        for (size_t j = 0; j < alen; j++)
            out[n++] = a[j];
        sep = false;
    }

    if (truncated && mid_word) {
        /* Drop the partial word when a whole one precedes it. */
        size_t cut = n;
        while (cut > 0 && out[cut - 1] != '-')
            cut--;
        if (cut > 1)
            n = cut - 1;
    }
    out[n] = '\0';
    return n;
}
