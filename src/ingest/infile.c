/*
 * infile.c - opening a file found in an ingest folder without trusting it
 * (see infile.h).
 */
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/err.h"

const char *
mld_infile_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "a regular file";
}

/* True when the absolute, resolved path p lies below the folder root. */
static bool
inside(const char *root, const char *p)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (n == 1 && root[0] == '/')
        return true;
    return strncmp(p, root, n) == 0 && p[n] == '/';
}

enum mld_infile
mld_infile_open(const char *path, const char *root, bool follow, int *fd, struct stat *st,
                char *why, size_t n)
{
    *fd = -1;
    why[0] = '\0';
    struct stat lst;
    if (lstat(path, &lst) != 0) {
        snprintf(why, n, "%s", strerror(errno));
        return errno == ENOENT ? MLD_INFILE_GONE : MLD_INFILE_ERROR;
    }
    bool trusted = root == NULL || follow;
    char real[PATH_MAX];
    const char *target = path;
    if (S_ISLNK(lst.st_mode) && !trusted) {
        if (realpath(path, real) == NULL) {
            snprintf(why, n, "a symbolic link that leads nowhere (%s)", strerror(errno));
            return MLD_INFILE_SKIP;
        }
        if (!inside(root, real)) {
            snprintf(why, n, "a symbolic link to %s, outside the folder", real);
            return MLD_INFILE_SKIP;
        }
        target = real; /* resolved: no link left on the way */
    } else if (!S_ISLNK(lst.st_mode) && !S_ISREG(lst.st_mode)) {
        /* Never opened: opening a FIFO for reading waits for a writer, a
         * device may act on open. */
        snprintf(why, n, "%s", mld_infile_kind(lst.st_mode));
        return MLD_INFILE_SKIP;
    }
    int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (trusted ? 0 : O_NOFOLLOW);
    int f = open(target, flags);
    if (f < 0) {
        if (errno == ELOOP) {
            snprintf(why, n, "a symbolic link");
            return MLD_INFILE_SKIP;
        }
        snprintf(why, n, "%s", strerror(errno));
        return errno == ENOENT ? MLD_INFILE_GONE : MLD_INFILE_ERROR;
    }
    if (fstat(f, st) != 0) {
        snprintf(why, n, "%s", strerror(errno));
        close(f);
        return MLD_INFILE_ERROR;
    }
    /* The file actually opened: swapped for something else meanwhile? */
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, n, "%s", mld_infile_kind(st->st_mode));
        close(f);
        return MLD_INFILE_SKIP;
    }
    if (!trusted && st->st_nlink > 1) {
        snprintf(why, n, "%ju hard links (it may belong elsewhere)", (uintmax_t)st->st_nlink);
        close(f);
        return MLD_INFILE_SKIP;
    }
    *fd = f;
    return MLD_INFILE_OK;
}

int
mld_infile_read(int fd, struct mld_buf *doc)
{
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return MLD_E_IO;
        if (r == 0)
            return 0;
        if (mld_buf_append(doc, chunk, (size_t)r) != 0)
            return MLD_E_TOOBIG;
    }
}
