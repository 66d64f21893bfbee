/*
 * backup.h - consistent copies of a SQLite store, and putting one back.
 *
 * A store in WAL mode is three files while it is open: the database, its
 * write-ahead log (-wal) holding the newest commits until a checkpoint
 * moves them in, and the index of that log (-shm). A copy of the database
 * file alone misses those commits. mld_store_backup() copies the store
 * through SQLite's online backup API inside one read transaction: the
 * copy is the store as of one commit, WAL included, while serve, poll,
 * watch and ingest go on (in WAL mode a reader never blocks a writer).
 *
 * Both functions write the new file as NAME.tmp-XXXXXX beside its final
 * name, fsync it, check it (PRAGMA integrity_check, the schema version),
 * and only then rename it into place and fsync the folder: a crash or a
 * failed check never leaves a half-written file under the final name.
 * They work below the store interface, on the files (store.h's
 * mld_store_open() runs the migrations afterwards); SQLite only.
 */
#ifndef MLD_BACKUP_H
#define MLD_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

/* What a backup or restore copied, counted in the copy's own snapshot. */
struct mld_backup_info {
    int64_t articles; /* rows of article */
    int64_t versions; /* rows of version: every version ever stored */
    int64_t bytes;    /* size of the file written */
    int schema;       /* its schema version (PRAGMA user_version) */
    double secs;      /* wall time of the whole operation */
};

/* Copies the store at db into the new file out, which must not exist
 * unless force is set (then it is replaced; a store that is open there,
 * with an -wal or -shm beside it, never is). out's folder must exist.
 * The copy is a self-contained file in rollback-journal mode, readable by
 * its owner only; `meldung` opens it as a store (and puts it back in WAL
 * mode). With gzip, the checked copy is then compressed (gzip format,
 * MLD_BACKUP_GZIP_LEVEL) and that goes to out; info->bytes is its size.
 * Returns 0 with *info, or MLD_E_NOTFOUND (no store at db),
 * MLD_E_INVAL (out exists), MLD_E_IO (a file operation failed) or
 * MLD_E_STORE (SQLite failed, or the copy failed its check), err naming
 * the path and the reason. */
int mld_store_backup(const char *db, const char *out, bool force, bool gzip,
                     struct mld_backup_info *info, struct mld_err *err);

/* Puts the backup at backup (a store file, or one gzip-compressed, as
 * --gzip writes it) in place of the store at db. Refuses (and
 * changes nothing) when backup fails PRAGMA integrity_check, is not a
 * meldung store, or has a schema newer than this binary knows; and when
 * another process has db open (it waits MLD_RESTORE_LOCK_MS for the
 * store's lock). The store that was at db is kept whole (its WAL
 * checkpointed into it) as db.before-restore-YYYYMMDDTHHMMSSZ, named in
 * kept (size bytes; "" when there was none); nothing is deleted. The
 * restored file has no -wal or -shm beside it. The caller opens it with
 * mld_store_open() to run the migrations a backup from an older meldung
 * needs. Returns 0 with *info (of the backup), or MLD_E_NOTFOUND,
 * MLD_E_PARSE (the backup is damaged or not a store), MLD_E_UNSUPPORTED
 * (its schema is newer), MLD_E_INVAL (db in use), MLD_E_IO or
 * MLD_E_STORE. */
int mld_store_restore(const char *db, const char *backup, char *kept, size_t size,
                      struct mld_backup_info *info, struct mld_err *err);

#endif
