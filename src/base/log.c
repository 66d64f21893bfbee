/*
 * log.c - one-line log messages (see log.h).
 *
 * A message is formatted into a raw buffer, then copied into the line
 * escaped (mld_log_escape), behind the timestamp and level, so that
 * whatever a message quotes (file names, entry ids, URLs, a peer's
 * words) cannot end the line early or reach a terminal as a control
 * sequence. The line goes out in one write(2).
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "limits.h"

static enum mld_log_level max_level = MLD_LOG_INFO;
static enum mld_log_format line_format = MLD_LOG_TEXT;
static bool format_from_env; /* MELDUNG_LOG_FORMAT set it: the config does not */

void
mld_log_set_level(enum mld_log_level level)
{
    max_level = level;
}

void
mld_log_set_format(enum mld_log_format format)
{
    line_format = format;
}

enum mld_log_format
mld_log_format(void)
{
    return line_format;
}

int
mld_log_parse_format(const char *s, enum mld_log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = MLD_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = MLD_LOG_JSON;
    else
        return -1;
    return 0;
}

int
mld_log_from_env(struct mld_err *err)
{
    const char *v = getenv("MELDUNG_LOG_FORMAT");
    if (v == NULL || v[0] == '\0')
        return 0;
    enum mld_log_format f;
    if (mld_log_parse_format(v, &f) != 0) {
        char shown[64];
        mld_log_escape(shown, sizeof(shown), v, strlen(v), MLD_ESC_QUOTED, NULL);
        return mld_err_set(err, MLD_E_INVAL, "MELDUNG_LOG_FORMAT: wants text or json, got \"%s\"",
                           shown);
    }
    line_format = f;
    format_from_env = true;
    return 0;
}

int
mld_log_configure(const struct mld_config *conf, struct mld_err *err)
{
    int sec = conf != NULL ? mld_config_find(conf, "log", NULL) : -1;
    /* format is read here, access and access_file by `meldung serve`
     * (src/web/access_log.c). */
    for (int k = 0; sec >= 0 && k < mld_config_nkeys(conf, sec); k++) {
        const char *key = mld_config_key(conf, sec, k);
        if (strcmp(key, "format") != 0 && strcmp(key, "access") != 0 &&
            strcmp(key, "access_file") != 0)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [log]: unknown key '%s' (format, access, access_file)",
                               mld_config_where(conf, sec, key), key);
    }
    const char *v = sec >= 0 ? mld_config_get(conf, sec, "format") : NULL;
    if (v == NULL)
        return 0;
    enum mld_log_format f;
    if (mld_log_parse_format(v, &f) != 0)
        return mld_err_set(err, MLD_E_PARSE, "%s: [log] format wants text or json, got '%s'",
                           mld_config_where(conf, sec, "format"), v);
    if (!format_from_env)
        line_format = f;
    return 0;
}

/* Length of the UTF-8 sequence starting at s[0..n), or 0 when it is not
 * one (bad lead or continuation byte, overlong form, surrogate, beyond
 * U+10FFFF, cut short); *cp gets the code point. */
static size_t
utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Writes prefix ("\\x" or "\\u00") and the two hex digits of byte c to
 * e; returns the bytes written. */
static size_t
esc_byte(char *e, const char *prefix, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(prefix);
    memcpy(e, prefix, n);
    e[n] = hex[(c >> 4) & 15];
    e[n + 1] = hex[c & 15];
    return n + 2;
}

size_t
mld_log_escape(char *out, size_t size, const char *s, size_t n, enum mld_log_escape_mode mode,
               bool *whole)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    if (size == 0) {
        if (whole != NULL)
            *whole = n == 0;
        return 0;
    }
    while (i < n) {
        char e[8];
        size_t elen = 0, used = 1;
        unsigned c = p[i], cp = 0;
        if (c == '\\' || (c == '"' && mode != MLD_ESC_TEXT)) {
            e[0] = '\\';
            e[1] = (char)c;
            elen = 2;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            e[0] = '\\';
            e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            elen = 2;
        } else if (c < 0x20 || c == 0x7f) {
            elen = esc_byte(e, mode == MLD_ESC_JSON ? "\\u00" : "\\x", c);
        } else if (c < 0x80) {
            e[0] = (char)c;
            elen = 1;
        } else if ((used = utf8_seq(p + i, n - i, &cp)) == 0) {
            used = 1; /* not UTF-8: one byte, shown, never passed on raw */
            if (mode == MLD_ESC_JSON) {
                memcpy(e, "\\ufffd", 6);
                elen = 6;
            } else {
                elen = esc_byte(e, "\\x", c);
            }
        } else if (cp <= 0x9f) { /* C1 controls: 0x9b is a terminal's CSI */
            elen = esc_byte(e, "\\u00", cp);
        } else {
            memcpy(e, p + i, used);
            elen = used;
        }
        if (o + elen + 1 > size)
            break;
        memcpy(out + o, e, elen);
        o += elen;
        i += used;
    }
    out[o] = '\0';
    if (whole != NULL)
        *whole = i == n;
    return o;
}

void
mld_log_timestamp(char out[25])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 25, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 25 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

int
mld_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

void
mld_log_write(const char *line, size_t n)
{
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}

void
mld_log(enum mld_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > max_level)
        return;
    char msg[MLD_LOG_LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t mlen = m < 0 ? 0 : (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg) - 1;
    char ts[25];
    mld_log_timestamp(ts);
    char line[MLD_LOG_LINE_BYTES + 64];
    bool json = line_format == MLD_LOG_JSON;
    int h = json ? snprintf(line, sizeof(line), "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                            names[level])
                 : snprintf(line, sizeof(line), "%s meldung: %s: ", ts, names[level]);
    size_t len = (size_t)h;
    /* Room for "...", the closing "} and the newline. */
    bool whole;
    len += mld_log_escape(line + len, MLD_LOG_LINE_BYTES - len, msg, mlen,
                          json ? MLD_ESC_JSON : MLD_ESC_TEXT, &whole);
    if (!whole || (size_t)m >= sizeof(msg)) {
        memcpy(line + len, "...", 3);
        len += 3;
    }
    if (json) {
        memcpy(line + len, "\"}", 2);
        len += 2;
    }
    line[len++] = '\n';
    /* One write(2) per line keeps lines from threads whole. */
    mld_log_write(line, len);
}
