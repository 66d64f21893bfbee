/*
 * cmd_backup.c - `meldung backup` and `meldung restore`: a consistent copy
 * of the store while it is in use, and putting one back
 * (src/store/backup.h does the work; docs/operating.md, "Back up and
 * restore").
 *
 * Both print one summary line on success: the file, articles, versions,
 * bytes and seconds; restore also names where the previous store was
 * kept. Errors name the path and the reason; the exit status is 0, 1
 * (failed; nothing changed) or 2 (usage).
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../store/backup.h"
#include "../store/store.h"

static const char backup_usage[] = "meldung backup [--db FILE] [--force] [--gzip] OUT";

static const char backup_help[] =
    "Copies the store into the new file OUT while serve, poll, watch and ingest go on\n"
    "(SQLite's online backup API: the store as of one commit, its WAL included).\n"
    "OUT is written as OUT.tmp-XXXXXX, fsynced, checked (PRAGMA integrity_check and\n"
    "the schema version) and renamed into place; OUT's folder must exist.\n"
    "Prints OUT, articles, versions, bytes (of OUT) and seconds.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ")\n"
    "  --force            replace OUT when it exists\n"
    "  --gzip             compress OUT (gzip; restore reads it as it is)\n"
    "  --help             this text\n";

static const char restore_usage[] = "meldung restore [--db FILE] BACKUP";

static const char restore_help[] =
    "Puts the backup BACKUP (from `meldung backup`, --gzip or not) in place of the\n"
    "store. Refuses while another process has the store open (stop serve, poll and\n"
    "watch first), and refuses a backup that fails PRAGMA integrity_check or comes\n"
    "from a newer meldung. The previous store is kept as\n"
    "FILE.before-restore-YYYYMMDDTHHMMSSZ; a backup from an older meldung is migrated.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ")\n"
    "  --help             this text\n";

/* Parses the options of backup (flags not NULL: *flags gets FORCE and
 * GZIP) or restore into *db and flags, and the one file argument into
 * *file. Returns -1 to go on, else the exit status. */
enum { FORCE = 1, GZIP = 2 };
static int
parse(int argc, char **argv, const char *name, const char *usage, const char *help, const char **db,
      int *flags, const char **file)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"force", no_argument, NULL, 'f'},
        {"gzip", no_argument, NULL, 'z'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *optstring = flags != NULL ? "d:fzh" : "d:h";
    *db = mld_cli_default_db();
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'f':
        case 'z':
            if (flags == NULL)
                return mld_cli_usage(name, usage, "unknown option '%s'", argv[optind - 1]);
            *flags |= c == 'f' ? FORCE : GZIP;
            break;
        case 'h': printf("usage: %s\n\n%s", usage, help); return 0;
        default: return mld_cli_bad_option(name, usage, optstring, argv);
        }
    }
    if (optind == argc)
        return mld_cli_usage(name, usage, "which file? (one argument)");
    if (optind + 1 < argc)
        return mld_cli_usage(name, usage, "unexpected argument '%s'", argv[optind + 1]);
    *file = argv[optind];
    if (strcmp(*file, "-") == 0)
        return mld_cli_usage(name, usage, "'-' is no file: a store is a SQLite file, name one");
    return -1;
}

int
mld_cmd_backup(int argc, char **argv)
{
    const char *db;
    const char *out;
    int flags = 0;
    int rc = parse(argc, argv, "backup", backup_usage, backup_help, &db, &flags, &out);
    if (rc >= 0)
        return rc;
    struct mld_err err = {0};
    struct mld_backup_info info;
    if (mld_store_backup(db, out, flags & FORCE, flags & GZIP, &info, &err) != 0) {
        mld_log_error("backup: %s", err.msg);
        return 1;
    }
    printf("%s: %lld articles, %lld versions, %lld bytes in %.2f s\n", out,
           (long long)info.articles, (long long)info.versions, (long long)info.bytes, info.secs);
    return 0;
}

int
mld_cmd_restore(int argc, char **argv)
{
    const char *db;
    const char *backup;
    int rc = parse(argc, argv, "restore", restore_usage, restore_help, &db, NULL, &backup);
    if (rc >= 0)
        return rc;
    struct mld_err err = {0};
    struct mld_backup_info info;
    char kept[4096];
    if (mld_store_restore(db, backup, kept, sizeof(kept), &info, &err) != 0) {
        mld_log_error("restore: %s", err.msg);
        return 1;
    }
    /* Opening runs the migrations a backup from an older meldung needs. */
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        mld_log_error("restore: %s (restored from %s; the previous store is %s)", err.msg, backup,
                      kept[0] != '\0' ? kept : "none");
        return 1;
    }
    mld_store_close(st);
    printf("%s: restored from %s: %lld articles, %lld versions, %lld bytes in %.2f s; ", db, backup,
           (long long)info.articles, (long long)info.versions, (long long)info.bytes, info.secs);
    if (kept[0] != '\0')
        printf("the previous store is kept as %s\n", kept);
    else
        printf("there was no store before\n");
    return 0;
}
