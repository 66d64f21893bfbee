/*
 * cmd_watch.c - `meldung watch DIR`: ingest files dropped into a folder.
 *
 * Runs the drop-folder watcher (src/ingest/dropdir.h) over DIR until
 * SIGINT or SIGTERM: files already there are taken first, in name order,
 * then each file as it arrives; stored ones move to DIR/done/, failed
 * ones go with their reason to DIR/quarantine/. The folder's health is
 * kept in the store's source table under the name "drop:DIR" (url
 * empty), so `meldung stats` and /status show it beside the polled
 * sources. Exit status: 0 after a signal, 1 when the folder could not be
 * watched or went away. --config FILE applies the configuration's
 * [enrich] section (enrich.h) before the first file; --section NAME is
 * the section of the folder's items that no category mapping places
 * (the folder's "source section", as `[source NAME] section` is a polled
 * source's). Every file goes through the pipeline (pipeline.h).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../ingest/dropdir.h"
#include "../store/store.h"
#include "../pipeline/pipeline.h"

static const char usage_text[] =
    "meldung watch [--config FILE] [--db FILE] [--section NAME] [--follow-links] [--verbose] DIR";

static const char help_text[] =
    "Ingests the files in DIR, then each file as it arrives (written and closed, or\n"
    "renamed into DIR), until SIGINT/SIGTERM. Stored files move to DIR/done/, failed\n"
    "ones go with their reason to DIR/quarantine/.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ";\n"
    "                     created when missing)\n"
    "  --section NAME     section for items no category mapping places (default: none)\n"
    "  --follow-links     read symbolic and hard links that lead out of the folder\n"
    "                     (default: skip them with a warning)\n"
    "  --config FILE      apply the [enrich] section of FILE (default\n"
    "                     $" MLD_ENV_CONFIG ", else none)\n"
    "  --verbose          a line per article\n"
    "  --help             this text\n";

static volatile sig_atomic_t stopping, hangup;

static void
on_signal(int sig)
{
    if (sig == SIGHUP)
        hangup = 1;
    else
        stopping = 1;
}

struct watch {
    struct mld_store *st;
    struct mld_source_state state; /* the folder's row */
    struct mld_pipeline_counts counts;
    const char *section; /* --section, or NULL */
};

/* The watcher's ingest function: one file, one transaction, with the
 * folder's health saved in it (or after it, for a failure). */
static int
ingest(void *ud, const char *path, const char *doc, size_t len, struct mld_err *err)
{
    struct watch *w = ud;
    mld_time_t now = mld_time_now();
    struct mld_source_state next = w->state; /* strings borrowed */
    next.last_attempt = now;
    next.last_success = now;
    next.failures = 0;
    struct mld_source src = {.name = path, .section = w->section};
    int rc = mld_pipeline_doc(w->st, doc, len, &src, NULL, &w->counts, &next, err);
    if (rc == 0) {
        w->state.last_attempt = now;
        w->state.last_success = now;
        w->state.failures = 0;
        w->state.items = next.items;
        w->state.newest_item = next.newest_item;
        w->state.new_items = next.new_items;
        w->state.updated_items = next.updated_items;
        w->state.duplicates = next.duplicates;
        return 0;
    }
    w->state.last_attempt = now;
    w->state.last_error_at = now;
    mld_free(w->state.last_error);
    w->state.last_error = mld_strdup(err->msg);
    if (w->state.failures < 1000)
        w->state.failures++;
    w->state.failed++;
    struct mld_err serr = {0};
    if (mld_store_source_set(w->st, &w->state, &serr) != 0)
        mld_log_error("%s: health not saved: %s", w->state.name, serr.msg);
    return rc;
}

int
mld_cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"section", required_argument, NULL, 'S'},
        {"verbose", no_argument, NULL, 'v'},
        {"follow-links", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = mld_cli_default_db(), *config = NULL, *section = NULL;
    int c;
    optind = 1;
    static const char optstring[] = "c:d:S:vLh";
    bool follow = false;
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'S':
            if (optarg[0] == '\0')
                return mld_cli_usage("watch", usage_text, "--section wants a section name");
            section = optarg;
            break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'L': follow = true; break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("watch", usage_text, optstring, argv);
        }
    }
    if (argc - optind != 1)
        return mld_cli_usage("watch", usage_text, "name one folder to watch");
    const char *dir = argv[optind];
    if (mld_cli_enrich_config(config) != 0)
        return 1;

    struct mld_err err = {0};
    struct watch w = {.section = section};
    struct mld_dropdir *d = NULL;
    int status = 1;
    if (mld_cli_make_parent(db) != 0) {
        mld_log_error("%s: cannot create its folder: %s", db, strerror(errno));
        return 1;
    }
    if (mld_store_open(&w.st, db, &err) != 0) {
        mld_log_error("%s", err.msg);
        return 1;
    }
    size_t dn = strlen(dir);
    while (dn > 1 && dir[dn - 1] == '/')
        dn--;
    char name[4096];
    snprintf(name, sizeof(name), "drop:%.*s", (int)dn, dir);
    int rc = mld_store_source_get(w.st, name, &w.state, &err);
    if (rc == MLD_E_NOTFOUND) {
        w.state.name = mld_strdup(name);
    } else if (rc != 0) {
        mld_log_error("%s", err.msg);
        goto out_close;
    }
    if (mld_dropdir_open(&d, dir, ingest, &w, &err) != 0) {
        mld_log_error("%s", err.msg);
        goto out_close;
    }
    mld_dropdir_follow_links(d, follow);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    printf("meldung: watching %s\n", dir);
    fflush(stdout);
    mld_dropdir_scan(d);
    status = 0;
    while (!stopping) {
        if (mld_dropdir_step(d, 500, &err) < 0) {
            mld_log_error("%s", err.msg);
            status = 1;
            break;
        }
        if (hangup) { /* a service manager's reload: say why nothing changes */
            hangup = 0;
            mld_log_info("SIGHUP: watch keeps running as started; its folder and --section are "
                         "options and a changed [enrich] applies at a restart");
        }
    }
    struct mld_drop_counts dc;
    mld_dropdir_counts(d, &dc);
    struct mld_buf extra;
    mld_buf_init(&extra, 1024);
    mld_pipeline_counts_extra(&w.counts, &extra);
    mld_log_info("stopping: %ld files stored (%ld new, %ld updated articles%s), %ld quarantined, "
                 "%ld left in place",
                 dc.done, w.counts.inserted, w.counts.updated, extra.p != NULL ? extra.p : "",
                 dc.quarantined, dc.left);
    mld_buf_dispose(&extra);
out_close:
    mld_dropdir_close(d);
    mld_source_state_dispose(&w.state);
    mld_store_close(w.st);
    return status;
}
