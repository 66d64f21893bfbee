/*
 * err.c - error code strings and error reports (see err.h).
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
mld_strerror(int code)
{
    switch (code) {
    case MLD_OK:
        return "success";
#define MLD_ERR_CASE_(name, num, str) \
    case num:                         \
        return str;
        MLD_ERR_MAP(MLD_ERR_CASE_)
#undef MLD_ERR_CASE_
    }
    return "unknown error";
}

int
mld_err_set(struct mld_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

/* Copies n bytes at s to msg + *len as far as they fit in the message,
 * leaving room for the NUL; advances *len. */
static void
append(char *msg, size_t *len, const char *s, size_t n)
{
    size_t room = MLD_ERR_MSG_MAX - 1 - *len;
    if (n > room)
        n = room;
    memcpy(msg + *len, s, n);
    *len += n;
}

void
mld_err_prefix(struct mld_err *err, const char *fmt, ...)
{
    if (err == NULL || err->code == 0)
        return;
    char head[MLD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* Join by hand: snprintf("%s: %s") of two full-size buffers draws a
     * -Wformat-truncation warning, fatal under -Werror. The result is cut
     * at MLD_ERR_MSG_MAX - 1 bytes like every message. */
    char old[MLD_ERR_MSG_MAX];
    size_t olen = strnlen(err->msg, sizeof(err->msg) - 1);
    memcpy(old, err->msg, olen);
    size_t len = 0;
    append(err->msg, &len, head, strlen(head));
    append(err->msg, &len, ": ", 2);
    append(err->msg, &len, old, olen);
    err->msg[len] = '\0';
}

void
mld_err_clear(struct mld_err *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}
