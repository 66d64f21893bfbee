/*
 * quarantine.h - keeping documents that failed to ingest, with the reason.
 *
 * A document meldung could not read (malformed, over a limit, of an
 * unknown format) is not dropped: it is copied into a quarantine folder
 * beside a small text file saying why, so an operator can look at it, fix
 * the cause and feed it again. For a source "in/dw-1.json" the folder gets
 * "dw-1.json" and "dw-1.json.reason"; when that name is taken, "dw-1.json.1"
 * (and ".1.reason"), "dw-1.json.2", ... The reason file holds four lines:
 *
 *   source: in/dw-1.json
 *   code: MLD_E_PARSE
 *   message: in/dw-1.json: line 3, column 7: ...
 *   time: 2025-01-28T08:18:34Z
 */
#ifndef MLD_QUARANTINE_H
#define MLD_QUARANTINE_H

#include <stddef.h>

#include "../base/err.h"

/* Writes doc[0..len) to qdir/<basename of source_path> (or the first free
 * ".N" variant) and why's code and message to the same name plus
 * ".reason", creating qdir and its parents when missing. Existing files are
 * never overwritten. Returns 0, or MLD_E_IO (MLD_E_FULL) with err set (then
 * neither file is left behind). */
int mld_quarantine_put(const char *qdir, const char *source_path, const char *doc, size_t len,
                       const struct mld_err *why, struct mld_err *err);

/* The same with the permission bits of the source (mode & 0777; 0 when
 * unknown, e.g. a pushed or fetched body, which means 0600): both files
 * are created with them (O_EXCL, less what the umask takes), so a copy is
 * never readable by more users than the original was. mld_quarantine_put()
 * is this with mode 0. When the file system is full (ENOSPC, EDQUOT) the
 * error is MLD_E_FULL. */
int mld_quarantine_put_mode(const char *qdir, const char *source_path, const char *doc,
                            size_t len, unsigned mode, const struct mld_err *why,
                            struct mld_err *err);

#endif
