/*
 * sqlite_backup.c - `meldung backup` and `meldung restore` on the files of
 * a SQLite store (see backup.h for the contract).
 *
 * Both write through one path: copy() runs SQLite's backup API from an
 * open connection into NAME.tmp-XXXXXX (mkstemp, beside the final name),
 * in steps of MLD_BACKUP_STEP_BYTES with a short pause between them,
 * all inside one read transaction of the source, so the copy is one
 * commit's snapshot and a concurrent writer neither restarts the copy nor
 * waits for it. The copy is switched to rollback-journal mode (one file,
 * no -wal), fsynced, opened again from the disk and checked (check():
 * PRAGMA integrity_check, the schema version, the counts), and renamed
 * into place; the folder is fsynced. Any failure removes the temporary
 * file and whatever SQLite left beside it. --gzip compresses the checked
 * copy into a second temporary file (zlib's gz* layer), which goes into
 * place instead; restore expands a gzip backup beside the store first.
 *
 * Why the backup API and not VACUUM INTO: measured on a 20k-article
 * store (205 MB) while serve answered searches and an ingest stored 2,000
 * files, each followed by the same fsync and check, they took the same
 * time (2.2 s and 2.4 s) and slowed the ingest alike; VACUUM INTO's copy
 * was 3% smaller. But VACUUM INTO cannot run inside the read transaction
 * that counts what the copy must hold, and cannot pause; the backup API
 * copies the pages as they are, in steps, and restore uses the same code
 * (docs/operating.md, "Back up and restore").
 *
 * restore holds the target store's lock (locking_mode EXCLUSIVE, BEGIN
 * EXCLUSIVE: it fails while any other connection has the store open, in
 * WAL mode even an idle reader) from before it moves the old store aside
 * until the new one is in place. A store too damaged for SQLite to lock
 * is moved aside as it is (with its -wal): no process can be using it.
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "sqlite_int.h"

/* Records "path: what: strerror(errno)" and returns MLD_E_IO. */
static int
sys_error(struct mld_err *err, const char *path, const char *what)
{
    return mld_err_set(err, MLD_E_IO, "%s: %s: %s", path, what, strerror(errno));
}

/* Records "path: what: SQLite's message" and returns code. */
static int
db_error(struct mld_err *err, int code, sqlite3 *db, const char *path, const char *what)
{
    return mld_err_set(err, code, "%s: %s: %s", path, what,
                       db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

/* Writes "path" with suffix into buf. Returns 0, or MLD_E_INVAL when it
 * does not fit. */
static int
path_with(char *buf, size_t size, const char *path, const char *suffix, struct mld_err *err)
{
    int n = snprintf(buf, size, "%s%s", path, suffix);
    if (n < 0 || (size_t)n >= size)
        return mld_err_set(err, MLD_E_INVAL, "%s: path too long", path);
    return 0;
}

/* The folder of path ("." for a bare name) into buf. */
static void
folder_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* fsyncs the file or folder at path. */
static int
sync_path(const char *path, struct mld_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sys_error(err, path, "open to sync");
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc == 0 ? 0 : sys_error(err, path, "fsync");
}

/* Removes a temporary copy and the files SQLite may have made beside it. */
static void
remove_tmp(const char *tmp)
{
    static const char *const ext[] = {"", "-journal", "-wal", "-shm"};
    char p[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (snprintf(p, sizeof(p), "%s%s", tmp, ext[i]) < (int)sizeof(p))
            unlink(p);
}

/* Creates the empty file final.tmp-XXXXXX (mode 0600) and writes its name
 * into tmp. */
static int
make_tmp(const char *final, char *tmp, size_t size, struct mld_err *err)
{
    int rc = path_with(tmp, size, final, ".tmp-XXXXXX", err);
    if (rc != 0)
        return rc;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        char dir[PATH_MAX];
        folder_of(final, dir, sizeof(dir));
        return mld_err_set(err, MLD_E_IO, "%s: cannot create a file in %s: %s", final, dir,
                           strerror(errno));
    }
    close(fd);
    return 0;
}

/* Reads one integer from sql into *out. */
static int
query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Reads the schema version and the counts of info from db (inside the
 * caller's transaction, if any). A file without meldung's tables is
 * MLD_E_PARSE, one from a newer meldung MLD_E_UNSUPPORTED. */
static int
read_facts(sqlite3 *db, const char *path, struct mld_backup_info *info, struct mld_err *err)
{
    int64_t schema = 0;
    if (query_int(db, "PRAGMA user_version", &schema) != SQLITE_OK)
        return db_error(err, MLD_E_PARSE, db, path, "read the schema version");
    if (schema < 1 || query_int(db, "SELECT count(*) FROM article", &info->articles) != SQLITE_OK ||
        query_int(db, "SELECT count(*) FROM version", &info->versions) != SQLITE_OK)
        return mld_err_set(err, MLD_E_PARSE, "%s: not a meldung store (schema version %lld)", path,
                           (long long)schema);
    if (schema > sq_schema_newest())
        return mld_err_set(err, MLD_E_UNSUPPORTED,
                           "%s: schema version %lld is newer than this meldung knows (%d); "
                           "use the meldung that wrote it, or a newer one",
                           path, (long long)schema, sq_schema_newest());
    info->schema = (int)schema;
    return 0;
}

/* Opens path read-only and checks it: PRAGMA integrity_check says "ok",
 * it is a meldung store this binary knows; fills info (size included).
 * A damaged file is MLD_E_PARSE; messages name it label. */
static int
check(const char *path, const char *label, struct mld_backup_info *info, struct mld_err *err)
{
    sqlite3 *db = NULL;
    int rc = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_PARSE, db, label, "open");
        goto out;
    }
    sqlite3_busy_timeout(db, MLD_STORE_BUSY_MS);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_PARSE, db, label, "fails the integrity check");
        goto out;
    }
    int step = sqlite3_step(st);
    const char *first = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (first == NULL || strcmp(first, "ok") != 0) {
        if (first != NULL) {
            const char *why = first; /* "*** in database main ***\nPage 3: ..." */
            if (strncmp(why, "*** ", 4) == 0 && strchr(why, '\n') != NULL)
                why = strchr(why, '\n') + 1;
            mld_err_set(err, MLD_E_PARSE, "%s: fails the integrity check: %.*s", label,
                        (int)strcspn(why, "\n"), why);
        } else
            db_error(err, MLD_E_PARSE, db, label, "fails the integrity check");
        sqlite3_finalize(st);
        rc = MLD_E_PARSE;
        goto out;
    }
    sqlite3_finalize(st);
    rc = read_facts(db, label, info, err);
    struct stat sb;
    if (rc == 0 && stat(path, &sb) != 0)
        rc = sys_error(err, path, "stat");
    if (rc == 0)
        info->bytes = (int64_t)sb.st_size;
out:
    sqlite3_close(db);
    return rc;
}

/* Copies the main database of src (inside a read transaction the caller
 * holds) into the existing empty file tmp, in steps, switches the copy to
 * rollback-journal mode and fsyncs it. label names the copy in errors. */
static int
copy(sqlite3 *src, const char *tmp, const char *label, struct mld_err *err)
{
    sqlite3 *dst = NULL;
    int rc = 0;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, dst, label, "open the copy");
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        rc = db_error(err, MLD_E_STORE, dst, label, "start the copy");
        goto out;
    }
    int page = 0, step;
    sqlite3_stmt *ps;
    if (sqlite3_prepare_v2(src, "PRAGMA page_size", -1, &ps, NULL) == SQLITE_OK &&
        sqlite3_step(ps) == SQLITE_ROW)
        page = sqlite3_column_int(ps, 0);
    sqlite3_finalize(ps);
    int pages = MLD_BACKUP_STEP_BYTES / (page > 0 ? page : 4096);
    for (;;) {
        step = sqlite3_backup_step(b, pages);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_OK && step != SQLITE_BUSY && step != SQLITE_LOCKED)
            break;
        sqlite3_sleep(MLD_BACKUP_STEP_SLEEP_MS);
    }
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        rc = mld_err_set(err, step == SQLITE_FULL ? MLD_E_FULL : MLD_E_STORE, "%s: copy: %s", label,
                         sqlite3_errstr(step));
        goto out;
    }
    /* The pages came with the source's WAL flag; one file is what a
     * backup should be (no -wal to forget, readable from a read-only
     * place). meldung switches it back when it opens it as a store. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, dst, label, "leave WAL mode");
        goto out;
    }
out:
    if (sqlite3_close(dst) != SQLITE_OK && rc == 0)
        rc = mld_err_set(err, MLD_E_STORE, "%s: close the copy", label);
    if (rc == 0)
        rc = sync_path(tmp, err);
    return rc;
}

/* Bytes per read and write while compressing or expanding a backup. */
#define GZ_CHUNK (1 << 20)

/* Compresses the file from into the existing empty file to (gzip, level
 * MLD_BACKUP_GZIP_LEVEL) and fsyncs it. */
static int
gzip_file(const char *from, const char *to, struct mld_err *err)
{
    char mode[8];
    snprintf(mode, sizeof(mode), "wb%d", MLD_BACKUP_GZIP_LEVEL);
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return sys_error(err, from, "open");
    gzFile out = gzopen(to, mode);
    char *buf = mld_malloc(GZ_CHUNK);
    int rc = out == NULL ? sys_error(err, to, "open") : 0;
    ssize_t n = 0;
    while (rc == 0 && (n = read(in, buf, GZ_CHUNK)) > 0)
        if (gzwrite(out, buf, (unsigned)n) != (int)n)
            rc = mld_err_set(err, MLD_E_IO, "%s: compress: %s", to, strerror(errno));
    if (rc == 0 && n < 0)
        rc = sys_error(err, from, "read");
    if (out != NULL && gzclose(out) != Z_OK && rc == 0)
        rc = mld_err_set(err, MLD_E_IO, "%s: write: %s", to, strerror(errno));
    mld_free(buf);
    close(in);
    return rc != 0 ? rc : sync_path(to, err);
}

/* Expands the gzip file from into the existing empty file to. A damaged
 * or cut gzip file is MLD_E_PARSE. */
static int
gunzip_file(const char *from, const char *to, struct mld_err *err)
{
    gzFile in = gzopen(from, "rb");
    if (in == NULL)
        return sys_error(err, from, "open");
    int out = open(to, O_WRONLY | O_TRUNC | O_CLOEXEC);
    char *buf = mld_malloc(GZ_CHUNK);
    int rc = out < 0 ? sys_error(err, to, "open") : 0;
    int n = 0;
    while (rc == 0 && (n = gzread(in, buf, GZ_CHUNK)) > 0)
        if (write(out, buf, (size_t)n) != (ssize_t)n)
            rc = sys_error(err, to, "write");
    int zerr = Z_OK;
    const char *zmsg = gzerror(in, &zerr);
    size_t skip = strlen(from); /* zlib's message may start with "FROM: " */
    if (strncmp(zmsg, from, skip) != 0 || strncmp(zmsg + skip, ": ", 2) != 0)
        skip = 0;
    else
        skip += 2;
    if (rc == 0 && (n < 0 || zerr != Z_OK))
        rc = mld_err_set(err, MLD_E_PARSE, "%s: not a whole gzip file: %s; nothing was changed",
                         from, zmsg + skip);
    gzclose(in);
    mld_free(buf);
    if (out >= 0)
        close(out);
    return rc;
}

/* True when the file at path starts with the gzip magic bytes. */
static bool
is_gzip(const char *path)
{
    unsigned char magic[2] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, magic, sizeof(magic));
    close(fd);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Reading a backup in WAL mode (as the sqlite3 shell's .backup writes
 * it) makes SQLite create an empty -wal and a -shm beside it, and a
 * read-only connection leaves them there. Notes which of the two exist
 * before (*had, bits 1 and 2); tidy() removes the ones that did not, the
 * -wal only while empty. */
static void
side_files(const char *path, int *had)
{
    char p[PATH_MAX + 8];
    *had = 0;
    snprintf(p, sizeof(p), "%s-wal", path);
    *had |= access(p, F_OK) == 0 ? 1 : 0;
    snprintf(p, sizeof(p), "%s-shm", path);
    *had |= access(p, F_OK) == 0 ? 2 : 0;
}

static void
tidy(const char *path, int had)
{
    char p[PATH_MAX + 8];
    struct stat sb;
    snprintf(p, sizeof(p), "%s-wal", path);
    if (!(had & 1) && stat(p, &sb) == 0 && sb.st_size == 0)
        unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    if (!(had & 2))
        unlink(p);
}

/* Renames from to to, failing (EEXIST) when to exists unless replace. */
static int
move(const char *from, const char *to, bool replace, struct mld_err *err)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, replace ? 0 : RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return mld_err_set(err, MLD_E_INVAL, "%s: exists", to);
    return sys_error(err, to, "rename into place");
}

int
mld_store_backup(const char *db, const char *out, bool force, bool gzip,
                 struct mld_backup_info *info, struct mld_err *err)
{
    double t0 = mld_time_mono_s();
    memset(info, 0, sizeof(*info));
    char side[PATH_MAX];
    struct stat sb;
    if (stat(db, &sb) != 0)
        return mld_err_set(err, MLD_E_NOTFOUND, "%s: no store there", db);
    if (!force && lstat(out, &sb) == 0)
        return mld_err_set(err, MLD_E_INVAL, "%s: exists (--force replaces it)", out);
    for (int i = 0; i < 2; i++) { /* never replace a store that is open there */
        int rc = path_with(side, sizeof(side), out, i == 0 ? "-wal" : "-shm", err);
        if (rc != 0)
            return rc;
        if (lstat(side, &sb) == 0)
            return mld_err_set(err, MLD_E_INVAL,
                               "%s exists: %s is a store in use (or not closed cleanly); "
                               "back up to another name",
                               side, out);
    }
    char tmp[PATH_MAX];
    int rc = make_tmp(out, tmp, sizeof(tmp), err);
    if (rc != 0)
        return rc;

    sqlite3 *src = NULL;
    if (sqlite3_open_v2(db, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, src, db, "open");
        goto out;
    }
    sqlite3_busy_timeout(src, MLD_STORE_BUSY_MS);
    /* One read transaction: the counts and every page are one snapshot. */
    if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, src, db, "begin");
        goto out;
    }
    struct mld_backup_info want = {0};
    rc = read_facts(src, db, &want, err);
    if (rc == 0)
        rc = copy(src, tmp, out, err);
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    if (rc == 0)
        rc = check(tmp, out, info, err);
    if (rc == 0 && (info->schema != want.schema || info->articles != want.articles ||
                    info->versions != want.versions))
        rc = mld_err_set(err, MLD_E_STORE,
                         "%s: the copy holds %lld articles and %lld versions (schema %d), the "
                         "store had %lld and %lld (schema %d)",
                         out, (long long)info->articles, (long long)info->versions, info->schema,
                         (long long)want.articles, (long long)want.versions, want.schema);
    char gz[PATH_MAX] = "";
    if (rc == 0 && gzip) {
        rc = make_tmp(out, gz, sizeof(gz), err);
        if (rc == 0)
            rc = gzip_file(tmp, gz, err);
        remove_tmp(tmp);
        snprintf(tmp, sizeof(tmp), "%s", gz); /* what goes into place, or is removed */
    }
    if (rc == 0 && stat(tmp, &sb) != 0)
        rc = sys_error(err, tmp, "stat");
    if (rc == 0) {
        info->bytes = (int64_t)sb.st_size;
        rc = move(tmp, out, force, err);
    }
    if (rc == 0) {
        folder_of(out, side, sizeof(side));
        rc = sync_path(side, err);
    }
out:
    sqlite3_close(src);
    if (rc != 0 && tmp[0] != '\0')
        remove_tmp(tmp);
    info->secs = mld_time_mono_s() - t0;
    return rc;
}

/* Takes the lock of the store at db for restore: no other connection may
 * have it open. Checkpoints its WAL into it and leaves WAL mode, so the
 * file alone is the whole store. *out keeps the lock until closed. */
static int
lock_store(const char *db, sqlite3 **out, struct mld_err *err)
{
    sqlite3 *h = NULL;
    int rc = 0;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, h, db, "open");
        goto fail;
    }
    sqlite3_busy_timeout(h, MLD_RESTORE_LOCK_MS);
    int code = sqlite3_exec(h,
                            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT; "
                            "PRAGMA journal_mode = DELETE",
                            NULL, NULL, NULL);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
        rc = mld_err_set(err, MLD_E_INVAL,
                         "%s: the store is in use by another process (meldung serve, poll, "
                         "watch or ingest); stop them first (systemctl stop meldung-serve "
                         "meldung-poll meldung-watch), nothing was changed",
                         db);
        goto fail;
    }
    if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT) {
        sqlite3_close(h); /* a damaged store: no process can use it either */
        *out = NULL;
        return 0;
    }
    if (code != SQLITE_OK) {
        rc = db_error(err, MLD_E_STORE, h, db, "lock the store");
        goto fail;
    }
    *out = h;
    return 0;
fail:
    sqlite3_close(h);
    return rc;
}

/* Moves the store at db (and a -wal beside it) aside as db.before-
 * restore-TIMESTAMP, named in kept; removes its -shm. */
static int
keep_old(const char *db, char *kept, size_t size, struct mld_err *err)
{
    char stamp[48];
    struct tm tm;
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), ".before-restore-%Y%m%dT%H%M%SZ", &tm);
    int rc = path_with(kept, size, db, stamp, err);
    if (rc == 0)
        rc = move(db, kept, false, err);
    if (rc != 0)
        return rc;
    char from[PATH_MAX];
    char to[PATH_MAX];
    if (path_with(from, sizeof(from), db, "-wal", err) == 0 &&
        path_with(to, sizeof(to), kept, "-wal", err) == 0 && access(from, F_OK) == 0)
        rc = move(from, to, false, err);
    if (path_with(from, sizeof(from), db, "-shm", err) == 0)
        unlink(from);
    return rc;
}

int
mld_store_restore(const char *db, const char *backup, char *kept, size_t size,
                  struct mld_backup_info *info, struct mld_err *err)
{
    double t0 = mld_time_mono_s();
    memset(info, 0, sizeof(*info));
    if (size > 0)
        kept[0] = '\0';
    struct stat bs;
    struct stat ds;
    if (stat(backup, &bs) != 0)
        return sys_error(err, backup, "cannot read the backup");
    bool have_db = stat(db, &ds) == 0;
    if (have_db && bs.st_dev == ds.st_dev && bs.st_ino == ds.st_ino)
        return mld_err_set(err, MLD_E_INVAL, "%s: is the store itself", backup);
    /* A gzip backup is expanded beside the store first; the rest reads that. */
    const char *name = backup; /* for messages */
    int had;
    side_files(backup, &had);
    char plain[PATH_MAX] = "";
    sqlite3 *lock = NULL;
    int rc = 0;
    if (is_gzip(backup)) {
        rc = make_tmp(db, plain, sizeof(plain), err);
        if (rc == 0)
            rc = gunzip_file(backup, plain, err);
        if (rc != 0)
            goto out;
        backup = plain;
    }
    rc = check(backup, name, info, err);
    if (rc != 0) {
        char why[MLD_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err != NULL ? err->msg : "");
        rc = mld_err_set(err, rc, "%s; nothing was changed", why);
        goto out;
    }
    if (have_db) {
        rc = lock_store(db, &lock, err);
        if (rc != 0)
            goto out;
    }
    char tmp[PATH_MAX];
    rc = make_tmp(db, tmp, sizeof(tmp), err);
    if (rc != 0)
        goto out;
    sqlite3 *src = NULL;
    if (sqlite3_open_v2(backup, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_error(err, MLD_E_STORE, src, name, "open");
    if (rc == 0)
        rc = copy(src, tmp, db, err);
    sqlite3_close(src);
    struct mld_backup_info got = {0};
    if (rc == 0)
        rc = check(tmp, tmp, &got, err);
    if (rc == 0 && (got.articles != info->articles || got.versions != info->versions))
        rc = mld_err_set(err, MLD_E_STORE, "%s: the copy of %s differs from it", tmp, name);
    /* The restored store gets the old one's mode and (as root) owner, so
     * the service's user can still write it. */
    if (rc == 0 && have_db &&
        (chmod(tmp, ds.st_mode & 07777) != 0 ||
         (geteuid() == 0 && chown(tmp, ds.st_uid, ds.st_gid) != 0)))
        rc = sys_error(err, tmp, "give it the store's owner and mode");
    if (rc == 0 && have_db)
        rc = keep_old(db, kept, size, err);
    if (rc == 0) {
        rc = move(tmp, db, false, err);
        if (rc != 0 && kept[0] != '\0')
            rename(kept, db); /* the old store back under its name */
    }
    if (rc != 0)
        remove_tmp(tmp);
    if (rc == 0) {
        folder_of(db, tmp, sizeof(tmp));
        rc = sync_path(tmp, err);
    }
out:
    if (plain[0] != '\0')
        remove_tmp(plain);
    tidy(name, had);
    sqlite3_close(lock);
    info->secs = mld_time_mono_s() - t0;
    return rc;
}
