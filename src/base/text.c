/*
 * text.c - UTF-8 validation (text.h).
 */
#include "text.h"

#include <stdint.h>
#include <string.h>

size_t
mld_utf8_seq(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

size_t
mld_utf8_valid_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time: most text is mostly ASCII. */
        while (n - i >= sizeof(uint64_t)) {
            uint64_t w;
            memcpy(&w, s + i, sizeof(w));
            if ((w & 0x8080808080808080u) != 0)
                break;
            i += sizeof(w);
        }
        if (i >= n)
            break;
        if ((unsigned char)s[i] < 0x80) { /* the common case, without a call */
            i++;
            continue;
        }
        size_t k = mld_utf8_seq(s + i, n - i);
        if (k == 0)
            break;
        i += k;
    }
    return i;
}
