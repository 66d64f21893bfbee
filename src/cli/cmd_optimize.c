/*
 * cmd_optimize.c - `meldung optimize`: merges the search index into one
 * piece, a step at a time, while serve, poll, watch and ingest go on
 * (store.h, "Search index upkeep"; docs/operating.md, "Keeping searches
 * fast").
 *
 * Prints one line: the pieces before and after ("?" where the engine
 * does not count them), the steps and seconds.
 * With --seconds it stops after the step that passes that time; the next
 * run goes on where it stopped. Exit status 0, 1 (failed: what the steps
 * before merged stays merged) or 2 (usage).
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/time.h"
#include "../store/store.h"

static const char optimize_usage[] = "meldung optimize [--db FILE] [--seconds N]";

static const char optimize_help[] =
    "Merges the search index into one piece, so that searches read one instead of\n"
    "the dozen or more a store fed for long has (SQLite: FTS5 segments; PostgreSQL:\n"
    "the GIN index's pending list). Runs in steps of their own transaction, so serve,\n"
    "poll, watch and ingest go on meanwhile. Worth it after a large ingest and, on a\n"
    "busy store, once a day (docs/operating.md, \"Keeping searches fast\").\n"
    "Prints the pieces before and after, the steps and the seconds.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ")\n"
    "  --seconds N        stop after the step that passes N seconds (default: when done);\n"
    "                     the next run goes on from there\n"
    "  --help             this text\n";

/* Prints a piece count, or "?" where the engine does not count them. */
static void
print_pieces(int64_t n)
{
    if (n < 0)
        printf("?");
    else
        printf("%lld", (long long)n);
}

int
mld_cmd_optimize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = mld_cli_default_db();
    int seconds = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's':
            if (mld_cli_parse_int(optarg, 1, 86400, &seconds) != 0)
                return mld_cli_usage("optimize", optimize_usage,
                                     "--seconds takes 1 to 86400, not '%s'", optarg);
            break;
        case 'h': printf("usage: %s\n\n%s", optimize_usage, optimize_help); return 0;
        default: return mld_cli_bad_option("optimize", optimize_usage, "d:s:h", argv);
        }
    }
    if (optind < argc)
        return mld_cli_usage("optimize", optimize_usage, "unexpected argument '%s'", argv[optind]);

    struct mld_err err = {0};
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        mld_log_error("optimize: %s", err.msg);
        return 1;
    }
    double t0 = mld_time_mono_s();
    int64_t before = -1, after = -1;
    int steps = 0, rc = mld_store_search_pieces(st, &before, &err);
    bool more = rc == 0;
    while (more && rc == 0) {
        rc = mld_store_search_merge(st, MLD_SEARCH_MERGE_PAGES, &more, &err);
        steps += rc == 0;
        if (seconds > 0 && mld_time_mono_s() - t0 >= seconds)
            break;
    }
    if (rc == 0)
        rc = mld_store_search_pieces(st, &after, &err);
    mld_store_close(st);
    if (rc != 0) {
        mld_log_error("optimize: %s: %s (after %d steps)", db, err.msg, steps);
        return 1;
    }
    printf("%s: search index pieces: ", db);
    print_pieces(before);
    printf(" -> ");
    print_pieces(after);
    printf("%s; %d steps in %.2f s\n", more ? " (stopped: --seconds)" : "", steps,
           mld_time_mono_s() - t0);
    return 0;
}
