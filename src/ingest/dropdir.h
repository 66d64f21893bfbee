/*
 * dropdir.h - a watched drop folder: files that appear in it are ingested.
 *
 * Agencies and internal tools deliver by copying files into a folder
 * (FTP, rsync, scp, a mounted share). The watcher sees each file when it
 * is complete, through inotify: a file closed after writing
 * (IN_CLOSE_WRITE) or renamed into the folder (IN_MOVED_TO). Files there
 * before the watch began are taken by a scan, in name order. Each file is
 * read (up to MLD_MAX_DOC_BYTES) and handed to the caller's ingest
 * function; then it is moved to DIR/done/ (success) or copied with its
 * reason to DIR/quarantine/ (quarantine.h) and removed (failure).
 *
 * Writers should write under a temporary name and rename when done:
 * names starting with '.', and names ending in ".tmp", ".part" or "~",
 * are ignored until renamed to something else. A file written in place
 * is taken at its first close; one still being written when the watcher
 * starts may be taken half-written (and then quarantined).
 *
 * Sub-folders, symbolic links and anything not a regular file are left
 * alone. A failure that is not the document's fault (the store is busy or
 * broken: MLD_E_STORE, MLD_E_IO, MLD_E_NOMEM) leaves the file where it is
 * and the folder is scanned again a few seconds later.
 */
#ifndef MLD_DROPDIR_H
#define MLD_DROPDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"

/* Ingests one document: path names the file (for messages), doc[0..len)
 * is its content (NUL-terminated). Returns 0 when it was stored, or an
 * error with err set (nothing stored). */
typedef int (*mld_drop_fn)(void *ud, const char *path, const char *doc, size_t len,
                           struct mld_err *err);

/* What a watcher did since it was opened. */
struct mld_drop_counts {
    long done;        /* files ingested and moved to done/ */
    long quarantined; /* files that failed and went to quarantine/ */
    long left;        /* files left in place (store trouble, or could not be moved) */
};

struct mld_dropdir;

/* Starts watching dir (which must exist), creating dir/done and
 * dir/quarantine. fn and ud are kept. Returns 0 and *out, or MLD_E_IO
 * with err naming the folder and the reason. Files already there are
 * taken by the first mld_dropdir_scan(), not here. */
int mld_dropdir_open(struct mld_dropdir **out, const char *dir, mld_drop_fn fn, void *ud,
                     struct mld_err *err);

/* Whether links that may lead out of the folder (a symbolic link to a file
 * outside it, a file with several hard links) are read: by default they
 * are skipped with a warning (infile.h); `watch --follow-links` reads them. */
void mld_dropdir_follow_links(struct mld_dropdir *d, bool follow);

/* Ingests every file now in the folder, in name order. Returns the number
 * of files handled. Call it once after opening (events for files that
 * arrive meanwhile are queued, and a file already gone is skipped). */
int mld_dropdir_scan(struct mld_dropdir *d);

/* Waits up to wait_ms for files to arrive and ingests those that did.
 * Returns the number handled (0 after a quiet wait), or MLD_E_IO with err
 * set when the folder itself was removed or moved away. */
int mld_dropdir_step(struct mld_dropdir *d, int wait_ms, struct mld_err *err);

/* Copies the watcher's counters to out. */
void mld_dropdir_counts(const struct mld_dropdir *d, struct mld_drop_counts *out);

/* Stops watching and frees d; NULL is fine. */
void mld_dropdir_close(struct mld_dropdir *d);

/* True when a file called name is ignored (temporary or hidden). */
bool mld_dropdir_ignored(const char *name);

#endif
