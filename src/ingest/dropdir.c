/*
 * dropdir.c - the drop-folder watcher over inotify (see dropdir.h).
 *
 * The watch is set up before the first scan, so a file arriving during
 * the scan is seen by one or both; whichever comes second finds the file
 * gone and skips it. A file is opened by mld_infile_open (infile.h): a
 * FIFO, device or socket dropped in the folder is never opened (a warning
 * names it), a symbolic or hard link that may lead out of the folder is
 * not read unless the watcher follows links. Moving to done/ never
 * replaces a file there: renameat2(RENAME_NOREPLACE) tries "name",
 * "name.1", ... in turn. A document over MLD_MAX_DOC_BYTES is not read
 * into memory: it is mapped for the quarantine copy.
 *
 * If the kernel's event queue overflows, events are lost; the folder is
 * then scanned again, which finds what they announced.
 */
#include "dropdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "infile.h"
#include "quarantine.h"

/* Seconds after which a folder holding files left behind (store trouble)
 * is scanned again. */
#define MLD_DROP_RETRY_SECS 5

struct mld_dropdir {
    char *dir;
    char *real;       /* realpath of dir: what links may point into */
    bool follow;      /* read links that lead out of the folder too */
    char *done;       /* dir/done */
    char *quarantine; /* dir/quarantine */
    int fd;           /* inotify */
    int wd;           /* the folder's watch */
    mld_drop_fn fn;
    void *ud;
    mld_time_t retry_at; /* scan again then (0 = no need) */
    struct mld_drop_counts counts;
};

bool
mld_dropdir_ignored(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[0] == '.' || name[n - 1] == '~')
        return true;
    if (n >= 4 && strcmp(name + n - 4, ".tmp") == 0)
        return true;
    if (n >= 5 && strcmp(name + n - 5, ".part") == 0)
        return true;
    return false;
}

/* Returns "a/b" (mld_free). */
static char *
join(const char *a, const char *b)
{
    struct mld_buf p;
    mld_buf_init(&p, PATH_MAX);
    mld_buf_printf(&p, "%s/%s", a, b);
    if (mld_buf_error(&p) != 0) {
        mld_buf_dispose(&p);
        return NULL;
    }
    return mld_buf_steal(&p, NULL);
}

static int
make_dir(const char *path, struct mld_err *err)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return mld_err_set(err, MLD_E_IO, "%s: cannot create: %s", path, strerror(errno));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return mld_err_set(err, MLD_E_IO, "%s: not a folder", path);
    return 0;
}

int
mld_dropdir_open(struct mld_dropdir **out, const char *dir, mld_drop_fn fn, void *ud,
                 struct mld_err *err)
{
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0)
        return mld_err_set(err, MLD_E_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return mld_err_set(err, MLD_E_IO, "%s: not a folder", dir);
    struct mld_dropdir *d = MLD_NEW(struct mld_dropdir);
    d->fd = -1;
    d->fn = fn;
    d->ud = ud;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    d->dir = mld_strndup(dir, n);
    char real[PATH_MAX];
    d->real = mld_strdup(realpath(d->dir, real) != NULL ? real : d->dir);
    d->done = join(d->dir, "done");
    d->quarantine = join(d->dir, "quarantine");
    int rc;
    if (d->done == NULL || d->quarantine == NULL) {
        rc = mld_err_set(err, MLD_E_IO, "%s: path too long", dir);
        goto out_close;
    }
    rc = make_dir(d->done, err);
    if (rc == 0)
        rc = make_dir(d->quarantine, err);
    if (rc != 0)
        goto out_close;
    d->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->fd < 0) {
        rc = mld_err_set(err, MLD_E_IO, "%s: inotify: %s", dir, strerror(errno));
        goto out_close;
    }
    d->wd = inotify_add_watch(
        d->fd, d->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
    if (d->wd < 0) {
        rc = mld_err_set(err, MLD_E_IO, "%s: cannot watch: %s", dir, strerror(errno));
        goto out_close;
    }
    *out = d;
    return 0;

out_close:
    mld_dropdir_close(d);
    return rc;
}

void
mld_dropdir_close(struct mld_dropdir *d)
{
    if (d == NULL)
        return;
    if (d->fd >= 0)
        close(d->fd);
    mld_free(d->dir);
    mld_free(d->real);
    mld_free(d->done);
    mld_free(d->quarantine);
    mld_free(d);
}

void
mld_dropdir_follow_links(struct mld_dropdir *d, bool follow)
{
    d->follow = follow;
}

void
mld_dropdir_counts(const struct mld_dropdir *d, struct mld_drop_counts *out)
{
    *out = d->counts;
}

/* Moves path to done/name, or the first free done/name.N. */
static int
move_done(struct mld_dropdir *d, const char *path, const char *name, struct mld_err *err)
{
    struct mld_buf to;
    mld_buf_init(&to, PATH_MAX - 1);
    int rc = MLD_E_IO;
    for (int i = 0; i <= MLD_DROP_MAX_DONE_COPIES; i++) {
        mld_buf_reset(&to);
        mld_buf_printf(&to, "%s/%s", d->done, name);
        if (i > 0)
            mld_buf_printf(&to, ".%d", i);
        if (mld_buf_error(&to) != 0) {
            mld_err_set(err, MLD_E_IO, "%s: name too long for done/", path);
            goto out_free;
        }
        int r = renameat2(AT_FDCWD, path, AT_FDCWD, to.p, RENAME_NOREPLACE);
        if (r != 0 && errno == EINVAL) {
            /* No RENAME_NOREPLACE on this file system: link() never
             * replaces either. */
            r = link(path, to.p);
            if (r == 0)
                unlink(path);
        }
        if (r == 0) {
            rc = 0;
            goto out_free;
        }
        if (errno != EEXIST) {
            mld_err_set(err, MLD_E_IO, "%s: cannot move to %s: %s", path, to.p, strerror(errno));
            goto out_free;
        }
    }
    mld_err_set(err, MLD_E_IO, "%s: more than %d copies of %s in %s", path,
                MLD_DROP_MAX_DONE_COPIES, name, d->done);
out_free:
    mld_buf_dispose(&to);
    return rc;
}

/* Keeps a document over the limit without reading it into memory. */
static int
quarantine_mapped(struct mld_dropdir *d, int fd, const char *path, size_t size, unsigned mode,
                  const struct mld_err *why, struct mld_err *qerr)
{
    void *m = size > 0 ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (m == MAP_FAILED)
        return mld_err_set(qerr, MLD_E_IO, "%s: cannot map: %s", path, strerror(errno));
    int rc = mld_quarantine_put_mode(d->quarantine, path, m ? m : "", size, mode, why, qerr);
    if (m != NULL)
        munmap(m, size);
    return rc;
}

/* True when an error is the document's fault, so it goes to quarantine
 * rather than waiting for another try. */
static bool
doc_at_fault(int rc)
{
    return rc != MLD_E_STORE && rc != MLD_E_IO && rc != MLD_E_NOMEM && rc != MLD_E_FULL;
}

/* Handles the file called name in the folder. Returns 1 when something
 * was done with it, 0 when it was skipped. */
static int
handle(struct mld_dropdir *d, const char *name)
{
    if (mld_dropdir_ignored(name))
        return 0;
    char *path = join(d->dir, name);
    if (path == NULL) {
        mld_log(MLD_LOG_ERROR, "%s/%s: path too long, left in place", d->dir, name);
        d->counts.left++;
        return 1;
    }
    int fd;
    struct stat st;
    char why[PATH_MAX + 64];
    enum mld_infile r = mld_infile_open(path, d->real, d->follow, &fd, &st, why, sizeof(why));
    if (r != MLD_INFILE_OK) {
        /* GONE: taken already (by the scan, or an earlier event). A folder
         * (done/, quarantine/) is no news. */
        if (r == MLD_INFILE_SKIP && strcmp(why, mld_infile_kind(S_IFDIR)) != 0)
            mld_log(MLD_LOG_WARN, "%s: %s, skipped", path, why);
        else if (r == MLD_INFILE_ERROR)
            mld_log(MLD_LOG_ERROR, "%s: cannot open: %s", path, why);
        mld_free(path);
        return 0;
    }
    unsigned mode = (unsigned)st.st_mode & 0777;
    struct mld_err err = {0}, qerr = {0};
    struct mld_buf doc;
    mld_buf_init(&doc, MLD_MAX_DOC_BYTES);
    int rc = (uint64_t)st.st_size > MLD_MAX_DOC_BYTES ? MLD_E_TOOBIG : mld_infile_read(fd, &doc);
    if (rc == MLD_E_TOOBIG) {
        mld_err_set(&err, rc, "%s: more than the limit of %u bytes", path,
                    (unsigned)MLD_MAX_DOC_BYTES);
        /* The file may have grown since fstat: map what is there now. */
        struct stat now;
        size_t size = fstat(fd, &now) == 0 ? (size_t)now.st_size : (size_t)st.st_size;
        if (quarantine_mapped(d, fd, path, size, mode, &err, &qerr) == 0) {
            unlink(path);
            d->counts.quarantined++;
        } else {
            mld_log(MLD_LOG_ERROR, "%s: not quarantined, left in place: %s", path, qerr.msg);
            d->counts.left++;
        }
        mld_log(MLD_LOG_ERROR, "%s", err.msg);
        goto out_close;
    }
    if (rc != 0) {
        mld_log(MLD_LOG_ERROR, "%s: read error: %s, left in place", path, strerror(errno));
        d->counts.left++;
        goto out_close;
    }
    rc = d->fn(d->ud, path, doc.p ? doc.p : "", doc.len, &err);
    if (rc == 0) {
        if (move_done(d, path, name, &err) == 0) {
            d->counts.done++;
            mld_log(MLD_LOG_DEBUG, "%s: stored, moved to %s", path, d->done);
        } else {
            /* Stored, but still here: a later scan would store it again,
             * which the store recognises as a duplicate delivery. */
            mld_log(MLD_LOG_ERROR, "%s", err.msg);
            d->counts.left++;
        }
        goto out_close;
    }
    if (err.msg[0] == '\0')
        mld_err_set(&err, rc, "%s: %s", path, mld_strerror(rc));
    mld_log(MLD_LOG_ERROR, "%s", err.msg);
    if (!doc_at_fault(rc)) {
        d->counts.left++;
        d->retry_at = mld_time_now() + MLD_DROP_RETRY_SECS;
        goto out_close;
    }
    if (mld_quarantine_put_mode(d->quarantine, path, doc.p ? doc.p : "", doc.len, mode, &err,
                                &qerr) == 0) {
        unlink(path);
        d->counts.quarantined++;
    } else {
        mld_log(MLD_LOG_ERROR, "%s: not quarantined, left in place: %s", path, qerr.msg);
        d->counts.left++;
    }
out_close:
    mld_buf_dispose(&doc);
    close(fd);
    mld_free(path);
    return 1;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int
mld_dropdir_scan(struct mld_dropdir *d)
{
    struct dirent **names;
    int n = scandir(d->dir, &names, NULL, by_name);
    if (n < 0) {
        mld_log(MLD_LOG_ERROR, "%s: cannot list: %s", d->dir, strerror(errno));
        return 0;
    }
    d->retry_at = 0;
    int handled = 0;
    for (int i = 0; i < n; i++) {
        handled += handle(d, names[i]->d_name);
        free(names[i]); /* checksrc:ok scandir(3) allocates */
    }
    free(names); /* checksrc:ok scandir(3) allocates */
    return handled;
}

int
mld_dropdir_step(struct mld_dropdir *d, int wait_ms, struct mld_err *err)
{
    int handled = 0;
    if (d->retry_at != 0 && d->retry_at <= mld_time_now())
        handled += mld_dropdir_scan(d);
    struct pollfd pfd = {.fd = d->fd, .events = POLLIN};
    int r = poll(&pfd, 1, wait_ms < 0 ? 0 : wait_ms);
    if (r <= 0)
        return handled;
    /* Aligned as the kernel's records are. */
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool rescan = false;
    for (;;) {
        ssize_t len = read(d->fd, buf, sizeof(buf));
        if (len < 0 && errno == EINTR)
            continue;
        if (len <= 0)
            break;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
            p += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                rescan = true;
                continue;
            }
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                return mld_err_set(err, MLD_E_IO, "%s: the folder was removed or moved away",
                                   d->dir);
            if ((ev->mask & IN_ISDIR) || ev->len == 0)
                continue;
            if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                handled += handle(d, ev->name);
        }
    }
    if (rescan) {
        mld_log(MLD_LOG_WARN, "%s: too many events at once, scanning the folder", d->dir);
        handled += mld_dropdir_scan(d);
    }
    return handled;
}
