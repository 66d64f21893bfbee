/*
 * log.h - one-line log messages on standard error.
 *
 * Each line starts with the time (RFC 3339, UTC, milliseconds) and, in
 * the default text format, reads
 *
 *     2026-12-07T11:05:00.123Z meldung: warning: message
 *
 * In the JSON format each line is one object:
 *
 *     {"ts":"2026-12-07T11:05:00.123Z","level":"warning","msg":"message"}
 *
 * Control characters in the message (a file name with a newline, an
 * entry id with an escape sequence) are escaped in both formats, so no
 * logged text can forge a line or drive a terminal: see mld_log_escape().
 * Errors and warnings always print; info prints unless quiet was set;
 * debug only when verbose was set.
 */
#ifndef MLD_LOG_H
#define MLD_LOG_H

#include <stdbool.h>
#include <stddef.h>

struct mld_config;
struct mld_err;

enum mld_log_level { MLD_LOG_ERROR, MLD_LOG_WARN, MLD_LOG_INFO, MLD_LOG_DEBUG };

enum mld_log_format { MLD_LOG_TEXT, MLD_LOG_JSON };

/* How mld_log_escape() writes what needs escaping. */
enum mld_log_escape_mode {
    MLD_ESC_TEXT,   /* control bytes as \n \r \t \xHH, C1 controls as \u0080, backslash as \\ */
    MLD_ESC_QUOTED, /* the same, and " as \" (a field inside double quotes) */
    MLD_ESC_JSON,   /* a JSON string's content: \" \\ \n \r \t \u00HH; bad UTF-8 as \ufffd */
};

/* Sets the most verbose level that prints (default MLD_LOG_INFO). */
void mld_log_set_level(enum mld_log_level level);

/* Sets the line format (default MLD_LOG_TEXT). Call before threads start. */
void mld_log_set_format(enum mld_log_format format);

/* The line format in use. */
enum mld_log_format mld_log_format(void);

/* Parses "text" or "json" into *out. Returns 0, or -1 for anything else. */
int mld_log_parse_format(const char *s, enum mld_log_format *out);

/* Applies MELDUNG_LOG_FORMAT from the environment, when set. Returns 0,
 * or MLD_E_INVAL with err naming the variable and the value it refused.
 * A format set this way wins over the configuration's [log] format. */
int mld_log_from_env(struct mld_err *err);

/* Applies [log] format of conf (NULL: nothing), unless the environment
 * set the format. Returns 0, or MLD_E_PARSE with err naming file:line. */
int mld_log_configure(const struct mld_config *conf, struct mld_err *err);

/* Writes s[0..n) to out (size bytes, NUL-terminated) escaped as mode
 * says: bytes below 0x20, DEL, C1 controls (U+0080-U+009F) and bytes
 * that are not UTF-8 never appear raw; valid UTF-8 text otherwise stays
 * as it is. Stops before an escape that would not fit, never in the
 * middle of one. Returns the bytes written (without the NUL); *whole
 * (when not NULL) is false when s was cut. */
size_t mld_log_escape(char *out, size_t size, const char *s, size_t n,
                      enum mld_log_escape_mode mode, bool *whole);

/* Writes the current time as "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL to
 * out (25 bytes). */
void mld_log_timestamp(char out[25]);

/* Writes all of p[0..n) to fd, again after short writes and EINTR.
 * Returns 0, or the errno of the failure (EIO for a write of nothing). */
int mld_write_all(int fd, const void *p, size_t n);

/* Writes line[0..n) to standard error in one write(2), so lines written
 * by different threads stay whole. */
void mld_log_write(const char *line, size_t n);

/* Prints one line at level, printf-style. Thread-safe (one write per line). */
void mld_log(enum mld_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define mld_log_error(...) mld_log(MLD_LOG_ERROR, __VA_ARGS__)
#define mld_log_warn(...) mld_log(MLD_LOG_WARN, __VA_ARGS__)
#define mld_log_info(...) mld_log(MLD_LOG_INFO, __VA_ARGS__)
#define mld_log_debug(...) mld_log(MLD_LOG_DEBUG, __VA_ARGS__)

#endif
