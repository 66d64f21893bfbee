/*
 * log.c - one-line log messages (see log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum mld_log_level max_level = MLD_LOG_INFO;

void
mld_log_set_level(enum mld_log_level level)
{
    max_level = level;
}

void
mld_log(enum mld_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > max_level)
        return;
    char line[1024];
    int n = snprintf(line, sizeof(line), "meldung: %s: ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    /* One write(2) per line keeps lines from threads whole. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
