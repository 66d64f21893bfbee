/*
 * logsafe.h - log lines that carry names from outside (file names, entry
 * ids), with their control characters made visible.
 *
 * A file dropped in an ingest folder may be called "a\nmeldung: info: ..."
 * or carry an ESC sequence that rewrites the operator's terminal; printed
 * as they are, such names forge log lines. mld_log_esc() formats like
 * mld_log() and then writes each byte below 0x20 and DEL as "\n", "\r",
 * "\t" or "\xHH" (a backslash itself stays as it is), so one call gives
 * one line with no raw control byte.
 *
 * When log.c escapes every line itself, calls of this can become plain
 * mld_log() calls (the escapes must then not be applied twice).
 */
#ifndef MLD_LOGSAFE_H
#define MLD_LOGSAFE_H

#include <stddef.h>

#include "log.h"

/* mld_log() with control characters escaped in the formatted line. */
void mld_log_esc(enum mld_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes s to out (size n > 0, always NUL-terminated, cut when short)
 * with control characters escaped as mld_log_esc() does; returns out. */
char *mld_esc_ctrl(const char *s, char *out, size_t n);

#endif
