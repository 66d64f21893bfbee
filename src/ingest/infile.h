/*
 * infile.h - opening a file found in an ingest folder without trusting it.
 *
 * `meldung ingest DIR` and `meldung watch DIR` read whatever lies in a
 * folder that others write to. A FIFO there would block a plain open()
 * forever, a device or socket is no document, and a symbolic or hard link
 * may point at a file outside the folder (/etc/shadow) that the operator
 * never meant to publish. mld_infile_open() decides from lstat() what the
 * entry is, opens only regular files, with O_NONBLOCK (a FIFO swapped in
 * meanwhile cannot block) and O_NOFOLLOW on the name it opens, and checks
 * the opened file again with fstat(), so a swap between the look and the
 * open is caught on the file actually read.
 *
 * Links: a symbolic link whose target (realpath) lies inside the folder
 * is read (its target is); one that leads out, or dangles, is skipped. A
 * regular file with more than one hard link may be a file from anywhere
 * on the same file system, and is skipped too. `follow` (the commands'
 * --follow-links) reads both.
 */
#ifndef MLD_INFILE_H
#define MLD_INFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "../base/buf.h"

/* What mld_infile_open() found. */
enum mld_infile {
    MLD_INFILE_OK,    /* opened: a regular file */
    MLD_INFILE_SKIP,  /* not opened, on purpose: why says what it is */
    MLD_INFILE_GONE,  /* no such file (any more) */
    MLD_INFILE_ERROR, /* lstat, open or fstat failed: why holds strerror */
};

/* Opens path for reading. root is the realpath of the folder path lies
 * in, or NULL when the operator named path itself (then links are
 * followed and no link count is checked). Returns MLD_INFILE_OK with *fd
 * and *st (fstat of the opened file), or another value with *fd = -1 and
 * why (size n) set to a short phrase: "a FIFO", "a socket", "a symbolic
 * link to /etc/passwd, outside the folder", "2 hard links (it may belong
 * elsewhere)". */
enum mld_infile mld_infile_open(const char *path, const char *root, bool follow, int *fd,
                                struct stat *st, char *why, size_t n);

/* Reads fd to its end into doc (whose cap is the limit). Returns 0,
 * MLD_E_TOOBIG when the file holds more than the cap, or MLD_E_IO with
 * errno set. */
int mld_infile_read(int fd, struct mld_buf *doc);

/* The kind of a file that is not regular, for messages: "a FIFO",
 * "a character device", "a block device", "a socket", "a folder",
 * "a symbolic link". */
const char *mld_infile_kind(mode_t mode);

#endif
