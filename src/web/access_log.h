/*
 * access_log.h - `meldung serve`'s access log: one line per request.
 *
 * Formats: "combined" (Apache/nginx combined, then the duration in
 * seconds) and "json" (one object per line). Every field a client chose
 * (target, referer, user agent) is escaped (log.h, mld_log_escape), so a
 * request cannot forge a line or reach a terminal as a control sequence.
 *
 * Request threads never write to the file: they format their line on
 * the stack and copy it into a buffer under a mutex. A writer thread
 * swaps the buffer out and writes it, at least every
 * MLD_ACCESS_LOG_FLUSH_MS and whenever it is half full. When the file is
 * slower than the requests and the buffer (MLD_ACCESS_LOG_BUFFER_BYTES)
 * is full, lines are dropped and counted rather than waited for; the
 * writer then logs a warning with the count (at most one per
 * MLD_ACCESS_LOG_WARN_SECS). See
 * docs/internals/observability.md.
 */
#ifndef MLD_ACCESS_LOG_H
#define MLD_ACCESS_LOG_H

#include <stdint.h>

#include "../base/err.h"
#include "http.h"

struct mld_config;

enum mld_access_format { MLD_ACCESS_OFF, MLD_ACCESS_COMBINED, MLD_ACCESS_JSON };

struct mld_access_log;

/* Reads [log] access (off, combined, json; default off) and access_file
 * (a path, or "stderr", the default) of conf (NULL: defaults), opens the
 * file for appending and starts the writer. Returns 0 with *out NULL when
 * the log is off, 0 with *out set, or an error naming file:line or the
 * file that cannot be opened. */
int mld_access_log_open(struct mld_access_log **out, const struct mld_config *conf,
                        struct mld_err *err);

/* Logs one finished request (an mld_http_done_fn with ud the log). Never
 * waits for the file. */
void mld_access_log_request(void *al, const struct mld_http_done *d);

/* Asks the writer to open the file anew, after what is buffered went to
 * the old one (log rotation: SIGHUP to `meldung serve`). Never waits.
 * NULL, and a log on stderr, are fine (nothing to reopen). */
void mld_access_log_reopen(struct mld_access_log *al);

/* Lines dropped because the buffer was full, ever. */
int64_t mld_access_log_dropped(struct mld_access_log *al);

/* Writes what is buffered, stops the writer, closes the file, frees al;
 * NULL is fine. */
void mld_access_log_close(struct mld_access_log *al);

#endif
