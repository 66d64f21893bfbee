/*
 * quarantine.c - keeping documents that failed to ingest (see
 * quarantine.h).
 *
 * Files are created with O_EXCL, so two ingest processes sharing one
 * quarantine folder never overwrite each other: a name that turns out to
 * be taken just moves the search on to the next ".N".
 */
#include "quarantine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"

/* The enum name of an error code, "MLD_E_PARSE", or "MLD_OK". */
static const char *
code_name(int code)
{
    switch (code) {
    case MLD_OK: return "MLD_OK";
#define MLD_QNAME_(name, num, str) \
    case num: return "MLD_E_" #name;
        MLD_ERR_MAP(MLD_QNAME_)
#undef MLD_QNAME_
    }
    return "unknown";
}

/* Creates dir and its missing parents (mkdir -p). */
static int
make_dirs(const char *dir, struct mld_err *err)
{
    size_t n = strlen(dir);
    if (n == 0 || n >= PATH_MAX)
        return mld_err_set(err, MLD_E_IO, "quarantine folder \"%s\": bad name", dir);
    char path[PATH_MAX];
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return mld_err_set(err, MLD_E_IO, "quarantine folder %s: %s", path, strerror(errno));
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mld_err_set(err, MLD_E_IO, "quarantine folder %s: not a directory", dir);
    return 0;
}

/* The last path component of path, without trailing slashes; "document"
 * when there is none usable. *n gets its length. */
static const char *
base_name(const char *path, size_t *n)
{
    size_t len = path ? strlen(path) : 0;
    while (len > 0 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *n = len - start;
    if (*n == 0 || (*n == 1 && path[start] == '.') ||
        (*n == 2 && path[start] == '.' && path[start + 1] == '.')) {
        *n = 8;
        return "document";
    }
    return path + start;
}

/* Creates path exclusively with mode and fills it with p[0..n). Returns 0,
 * EEXIST when the name is taken, or another errno value (the file is
 * removed). */
static int
create_file(const char *path, const char *p, size_t n, unsigned mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return errno;
    int e = 0;
    if (mld_write_all(fd, p, n) != 0)
        e = errno ? errno : EIO;
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e != 0)
        unlink(path);
    return e;
}

/* The error for a failed write of path (errno value e). */
static int
write_failed(struct mld_err *err, const char *path, int e)
{
    int code = e == ENOSPC || e == EDQUOT ? MLD_E_FULL : MLD_E_IO;
    return mld_err_set(err, code, "quarantine %s: %s", path, strerror(e));
}

int
mld_quarantine_put(const char *qdir, const char *source_path, const char *doc, size_t len,
                   const struct mld_err *why, struct mld_err *err)
{
    return mld_quarantine_put_mode(qdir, source_path, doc, len, 0, why, err);
}

int
mld_quarantine_put_mode(const char *qdir, const char *source_path, const char *doc, size_t len,
                        unsigned mode, const struct mld_err *why, struct mld_err *err)
{
    mode &= 0777;
    if (mode == 0)
        mode = 0600;
    int rc = make_dirs(qdir, err);
    if (rc != 0)
        return rc;
    size_t bn;
    const char *base = base_name(source_path, &bn);

    char when[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(mld_time_now(), when);
    struct mld_buf reason;
    mld_buf_init(&reason, 2 * PATH_MAX + 2 * MLD_ERR_MSG_MAX);
    mld_buf_printf(&reason, "source: %s\ncode: %s\nmessage: %s\ntime: %s\n",
                   source_path ? source_path : "", code_name(why ? why->code : 0),
                   why ? why->msg : "", when);

    struct mld_buf path;
    mld_buf_init(&path, PATH_MAX - 1);
    rc = MLD_E_IO;
    for (int i = 0; i <= MLD_MAX_QUARANTINE_COPIES; i++) {
        mld_buf_reset(&path);
        mld_buf_printf(&path, "%s/%.*s", qdir, (int)bn, base);
        if (i > 0)
            mld_buf_printf(&path, ".%d", i);
        size_t doc_len = path.len;
        mld_buf_puts(&path, ".reason");
        if (mld_buf_error(&path) != 0) {
            mld_err_set(err, MLD_E_IO, "quarantine %s: path too long", qdir);
            goto out_free;
        }
        /* The reason file first: if the doc's name is then taken, it is
         * removed again and the next number tried. */
        int e = create_file(path.p, reason.p, reason.len, mode);
        if (e == EEXIST)
            continue;
        if (e != 0) {
            rc = write_failed(err, path.p, e);
            goto out_free;
        }
        char *reason_path = mld_strndup(path.p, path.len);
        path.p[doc_len] = '\0';
        e = create_file(path.p, doc, len, mode);
        if (e == 0) {
            mld_free(reason_path);
            rc = 0;
            goto out_free;
        }
        unlink(reason_path);
        mld_free(reason_path);
        if (e != EEXIST) {
            rc = write_failed(err, path.p, e);
            goto out_free;
        }
    }
    mld_err_set(err, MLD_E_IO, "quarantine %s: more than %d copies of %.*s", qdir,
                MLD_MAX_QUARANTINE_COPIES, (int)bn, base);
out_free:
    mld_buf_dispose(&path);
    mld_buf_dispose(&reason);
    return rc;
}
