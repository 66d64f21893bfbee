/*
 * logsafe.c - log lines with control characters made visible (see
 * logsafe.h).
 */
#include "logsafe.h"

#include <stdarg.h>
#include <stdio.h>

char *
mld_esc_ctrl(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[5] = {0};
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
        } else {
            esc[0] = (char)c;
        }
        size_t k = 0;
        while (esc[k] != '\0')
            k++;
        if (o + k >= n)
            break;
        for (size_t i = 0; i < k; i++)
            out[o++] = esc[i];
    }
    out[o] = '\0';
    return out;
}

void
mld_log_esc(enum mld_log_level level, const char *fmt, ...)
{
    char line[1024], safe[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    mld_log(level, "%s", mld_esc_ctrl(line, safe, sizeof(safe)));
}
