/*
 * log.h - one-line log messages on standard error.
 *
 * Each line: "meldung: LEVEL: message". Errors and warnings always print;
 * info prints unless quiet was set; debug only when verbose was set.
 */
#ifndef MLD_LOG_H
#define MLD_LOG_H

enum mld_log_level { MLD_LOG_ERROR, MLD_LOG_WARN, MLD_LOG_INFO, MLD_LOG_DEBUG };

/* Sets the most verbose level that prints (default MLD_LOG_INFO). */
void mld_log_set_level(enum mld_log_level level);

/* Prints one line at level, printf-style. Thread-safe (one write per line). */
void mld_log(enum mld_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define mld_log_error(...) mld_log(MLD_LOG_ERROR, __VA_ARGS__)
#define mld_log_warn(...) mld_log(MLD_LOG_WARN, __VA_ARGS__)
#define mld_log_info(...) mld_log(MLD_LOG_INFO, __VA_ARGS__)
#define mld_log_debug(...) mld_log(MLD_LOG_DEBUG, __VA_ARGS__)

#endif
