/*
 * cmd_migrate.c - `meldung migrate --from STORE --to STORE`: copies a
 * whole store, SQLite to PostgreSQL or back (src/store/copy.h does the
 * work; docs/operating.md, "Moving to PostgreSQL").
 *
 * A store is a SQLite file (PATH or sqlite:PATH) or a PostgreSQL URL.
 * Prints each table as its copy ends and one summary line; run again, it
 * resumes an interrupted copy. Exit status 0, 1 (failed: what was
 * committed stays, and a new run goes on from there) or 2 (usage).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../store/copy.h"
#include "../store/store.h"

static const char usage_text[] = "meldung migrate --from STORE --to STORE";

static const char help_text[] =
    "Copies everything the store FROM holds (articles with every version, media, held\n"
    "items, stories and related lists, sources, the change log, editors' accounts and\n"
    "audit) into the store TO, which must be new (or an interrupted copy of FROM: the\n"
    "copy goes on where it stopped). The search index and counts are built in TO as\n"
    "the rows arrive. At the end the rows of every table are counted on both sides.\n"
    "Stop poll, watch and push writers first: rows changed during the copy may be missed.\n"
    "A STORE is a SQLite file (PATH or sqlite:PATH) or a PostgreSQL URL\n"
    "(postgres://USER@HOST/DB; the password from PGPASSWORD or ~/.pgpass).\n"
    "\n"
    "  --from STORE       the store to copy\n"
    "  --to STORE         the store to copy into\n"
    "  --help             this text\n";

/* PATH for "sqlite:PATH", else s. */
static const char *
store_arg(const char *s)
{
    return strncmp(s, "sqlite:", 7) == 0 ? s + 7 : s;
}

static void
progress(void *ud, const char *table, int64_t rows)
{
    (void)ud;
    mld_log_debug("migrate: %s: %lld rows", table, (long long)rows);
}

int
mld_cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *from = NULL, *to = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = store_arg(optarg); break;
        case 't': to = store_arg(optarg); break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("migrate", usage_text, "f:t:h", argv);
        }
    }
    if (optind < argc)
        return mld_cli_usage("migrate", usage_text, "unexpected argument '%s'", argv[optind]);
    if (from == NULL || to == NULL)
        return mld_cli_usage("migrate", usage_text, "which stores? (--from and --to)");
    struct mld_err err = {0};
    struct mld_copy_info info;
    char a[256], b[256];
    mld_store_where(from, a, sizeof(a));
    mld_store_where(to, b, sizeof(b));
    if (mld_store_copy(from, to, progress, NULL, &info, &err) != 0) {
        mld_log_error("migrate: %s (%lld rows copied by this run; run it again to go on)",
                      err.msg, (long long)info.rows);
        return 1;
    }
    printf("%s -> %s: %lld rows of %d tables copied in %.2f s; counts agree (%lld rows)\n", a, b,
           (long long)info.rows, info.tables, info.secs, (long long)info.total);
    return 0;
}
