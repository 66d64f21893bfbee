/*
 * text.h - byte-level text helpers every layer needs: ASCII classes (as
 * the C locale has them, whatever the process locale) and UTF-8
 * validation. One copy here instead of one per parser.
 *
 * Rules that differ on purpose stay with their users: HTML's whitespace
 * (no vertical tab, sanitize.c), the config file's (no newline inside a
 * line, config.c), the query parser's (every control character, query.c).
 */
#ifndef MLD_TEXT_H
#define MLD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* isspace() of the C locale: space, \t, \n, \v, \f, \r. */
static inline bool
mld_ascii_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool
mld_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool
mld_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char
mld_ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (1 for ASCII), or
 * 0 when there is none: a stray continuation byte, a cut sequence, an
 * overlong form, a surrogate or a code point past U+10FFFF. n > 0. */
size_t mld_utf8_seq(const char *s, size_t n);

/* Length of the longest prefix of s[0..n) that is well-formed UTF-8. */
size_t mld_utf8_valid_len(const char *s, size_t n);

/* True when all of s[0..n) is well-formed UTF-8. */
static inline bool
mld_utf8_valid(const char *s, size_t n)
{
    return mld_utf8_valid_len(s, n) == n;
}

#endif
