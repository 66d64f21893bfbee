/*
 * cmd_poll.c - `meldung poll`: fetch the configured HTTP(S) sources.
 *
 * Reads the [source NAME] and [poll] sections of the configuration (see
 * src/ingest/poll.h and etc/meldung.conf.example) and runs the poller over
 * the store: each source's state (validators, health, schedule) lives in
 * the store's source table, and a fetched document is stored together
 * with its source's new state in one transaction (pipeline.h). Without
 * --once it polls until SIGINT or SIGTERM; with --once it polls the
 * sources that are due (all of them with --force), waits for them, prints
 * a summary and exits: 0 when nothing failed, 1 otherwise.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/config.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../enrich/enrich.h"
#include "../ingest/poll.h"
#include "../store/store.h"
#include "../pipeline/pipeline.h"

static const char usage_text[] = "meldung poll [--config FILE] [--db FILE] [--once] [--force] "
                                 "[--quarantine DIR] [--verbose]";

static const char help_text[] =
    "Polls the [source NAME] sections of the configuration (url, interval, timeout,\n"
    "format, section) until SIGINT/SIGTERM, or one round with --once; SIGHUP re-reads\n"
    "the [source NAME] and [poll] sections.\n"
    "\n"
    "  --config FILE      the configuration (default $" MLD_ENV_CONFIG ", else\n"
    "                     " MLD_DEFAULT_CONFIG " when it exists, else the installed one)\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else [site] db of the\n"
    "                     configuration, else " MLD_DEFAULT_DB ")\n"
    "  --once             poll the sources that are due, print a summary, exit\n"
    "  --force            with --once: poll every source, due or not\n"
    "  --quarantine DIR   where documents that failed go (default: [poll] quarantine,\n"
    "                     else quarantine/ beside the store)\n"
    "  --verbose          a line per article\n"
    "  --help             this text\n";

/* What the store hook works with. */
struct poll_ctx {
    struct mld_store *st;
    struct mld_pipeline_counts counts;
};

static volatile sig_atomic_t stopping, reloading;

static void
on_signal(int sig)
{
    if (sig == SIGHUP)
        reloading = 1;
    else
        stopping = 1;
}

/* The store's row for src is the poller's state. */
static int
hook_load(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
          struct mld_err *err)
{
    return mld_store_source_get(((struct poll_ctx *)ud)->st, src->name, st, err);
}

/* The poller's state as a store row, named and addressed by the source's
 * configuration; the strings stay the poller's. */
static struct mld_source_state
as_row(const struct mld_poll_source *src, const struct mld_source_state *st)
{
    struct mld_source_state row = *st;
    row.name = src->name;
    row.url = src->url;
    return row;
}

static int
hook_save(void *ud, const struct mld_poll_source *src, const struct mld_source_state *st,
          struct mld_err *err)
{
    struct mld_source_state row = as_row(src, st);
    return mld_store_source_set(((struct poll_ctx *)ud)->st, &row, err);
}

static int
hook_store(void *ud, const struct mld_poll_source *src, const char *doc, size_t len,
           const struct mld_source *from, const struct mld_format *fmt, struct mld_source_state *st,
           struct mld_err *err)
{
    struct poll_ctx *ctx = ud;
    struct mld_source_state row = as_row(src, st);
    int rc = mld_pipeline_doc(ctx->st, doc, len, from, fmt, &ctx->counts, &row, err);
    if (rc == 0) {
        st->items = row.items;
        st->newest_item = row.newest_item;
        st->new_items = row.new_items;
        st->updated_items = row.updated_items;
        st->duplicates = row.duplicates;
    }
    return rc;
}

static void
hook_release(void *ud, const struct mld_poll_source *src)
{
    bool got;
    struct mld_err err = {0};
    if (mld_store_source_claim(((struct poll_ctx *)ud)->st, src->name, false, &got, &err) != 0)
        mld_log_error("poll: %s: %s", src->name, err.msg);
}

/* Takes the store's claim on src (several pollers may share one
 * PostgreSQL database), then reads its saved state again: a poller on
 * another node may have fetched it since st was read. */
static int
hook_claim(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
           struct mld_err *err)
{
    struct poll_ctx *ctx = ud;
    bool got = false;
    int rc = mld_store_source_claim(ctx->st, src->name, true, &got, err);
    if (rc != 0 || !got)
        return rc != 0 ? rc : 0;
    struct mld_source_state saved;
    rc = mld_store_source_get(ctx->st, src->name, &saved, err);
    if (rc == MLD_E_NOTFOUND)
        return 1; /* never polled by anyone */
    if (rc == 0 && saved.last_attempt > st->last_attempt && saved.next_attempt > mld_time_now()) {
        /* polled elsewhere meanwhile: take its state, and its schedule */
        mld_source_state_dispose(st);
        *st = saved;
        hook_release(ud, src);
        return 0;
    }
    mld_source_state_dispose(&saved);
    if (rc != 0)
        hook_release(ud, src);
    return rc != 0 ? rc : 1;
}

static const struct mld_poll_hooks hooks = {hook_load, hook_save, hook_store, hook_claim,
                                            hook_release};

/* What a SIGHUP replaces: the configuration, its sources and the poller
 * over them (main's variables), and what it keeps. */
struct reload {
    const char *config;     /* the file, named as at the start */
    const char *quarantine; /* --quarantine, or NULL: [poll] quarantine */
    const char *beside;     /* else this one, beside the store */
    struct poll_ctx *ctx;   /* the store stays open */
    struct mld_poller **p;
    struct mld_poll_source **srcs;
    int *n;
    struct mld_config **cfg;
};

/* SIGHUP: re-reads the [source NAME] and [poll] sections of the
 * configuration and polls them from now on; each source's validators and
 * back-off are in the store, so a source that stays keeps them. A file
 * that cannot be read or has an error is logged and the sources in use
 * stay. [site] db and [enrich] apply at the next start. */
static void
reload_sources(struct reload *r)
{
    struct mld_err err = {0};
    struct mld_config *cfg = NULL;
    struct mld_poll_source *srcs = NULL;
    struct mld_poller *p = NULL;
    int n = 0;
    struct mld_poll_options opt = {0};
    int rc = mld_config_load(&cfg, r->config, &err);
    if (rc == 0)
        rc = mld_poll_config_load(cfg, &srcs, &n, &opt, &err);
    if (r->quarantine != NULL || opt.quarantine == NULL)
        opt.quarantine = r->quarantine != NULL ? r->quarantine : r->beside;
    if (rc == 0 && n == 0)
        rc = mld_err_set(&err, MLD_E_PARSE, "%s: no [source NAME] sections to poll", r->config);
    if (rc == 0)
        rc = mld_poller_new(&p, srcs, n, &opt, &hooks, r->ctx, &err);
    if (rc != 0) {
        mld_log_error("reload: %s; still polling the %d source(s) read before", err.msg, *r->n);
        mld_poll_sources_free(srcs, n);
        mld_config_free(cfg);
        return;
    }
    mld_poller_free(*r->p);
    mld_poll_sources_free(*r->srcs, *r->n);
    mld_config_free(*r->cfg);
    *r->p = p;
    *r->srcs = srcs;
    *r->n = n;
    *r->cfg = cfg;
    mld_log_info("reload: polling %d source(s) from %s ([site] db and [enrich] need a restart)",
                 n, r->config);
}

int
mld_cmd_poll(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"once", no_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"quarantine", required_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *db = NULL, *quarantine = NULL;
    int once = 0, force = 0, c;
    optind = 1;
    static const char optstring[] = "c:d:ofq:vh";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'o': once = 1; break;
        case 'f': force = 1; break;
        case 'q': quarantine = optarg; break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("poll", usage_text, optstring, argv);
        }
    }
    if (optind != argc)
        return mld_cli_usage("poll", usage_text, "unexpected argument '%s'", argv[optind]);
    if (force && !once)
        return mld_cli_usage("poll", usage_text, "--force goes with --once");
    if (mld_cli_env_config(&config) != 0)
        return 1;
    struct stat sb;
    if (config == NULL && stat(MLD_DEFAULT_CONFIG, &sb) != 0 &&
        stat(mld_cli_installed_config(), &sb) == 0)
        config = mld_cli_installed_config();
    if (config == NULL)
        config = MLD_DEFAULT_CONFIG;
    if (db == NULL)
        db = mld_cli_env(MLD_ENV_DB);

    struct mld_err err = {0};
    struct mld_config *cfg = NULL;
    struct mld_poll_source *srcs = NULL;
    struct poll_ctx ctx = {0};
    struct mld_poller *p = NULL;
    int n = 0, status = 1;
    if (mld_config_load(&cfg, config, &err) != 0) {
        mld_log_error("%s", err.msg);
        return 1;
    }
    struct mld_poll_options opt = {0};
    if (mld_log_configure(cfg, &err) != 0 || mld_enrich_configure(cfg, &err) != 0 ||
        mld_pipeline_configure(cfg, &err) != 0 ||
        mld_poll_config_load(cfg, &srcs, &n, &opt, &err) != 0) {
        mld_log_error("%s", err.msg);
        goto out_free;
    }
    if (n == 0) {
        mld_log_error("%s: no [source NAME] sections to poll", config);
        goto out_free;
    }
    int site = mld_config_find(cfg, "site", NULL);
    if (db == NULL && site >= 0)
        db = mld_config_get(cfg, site, "db");
    if (db == NULL)
        db = MLD_DEFAULT_DB;
    char qdir[4096];
    mld_store_quarantine_dir(db, qdir, sizeof(qdir));
    struct reload r = {config, quarantine, qdir, &ctx, &p, &srcs, &n, &cfg};
    if (quarantine == NULL)
        quarantine = opt.quarantine;
    if (quarantine == NULL)
        quarantine = qdir;
    opt.quarantine = quarantine;
    if (mld_cli_make_parent(db) != 0) {
        mld_log_error("%s: cannot create its folder: %s", db, strerror(errno));
        goto out_free;
    }
    if (mld_store_open(&ctx.st, db, &err) != 0 ||
        mld_poller_new(&p, srcs, n, &opt, &hooks, &ctx, &err) != 0) {
        mld_log_error("%s", err.msg);
        goto out_free;
    }
    signal(SIGPIPE, SIG_IGN);
    struct mld_poll_counts counts;
    if (once) {
        int polled = mld_poller_round(p, force);
        mld_poller_counts(p, &counts);
        struct mld_buf extra;
        mld_buf_init(&extra, 1024);
        mld_pipeline_counts_extra(&ctx.counts, &extra);
        printf("poll: %d of %d sources polled, %ld changed, %ld unchanged, %ld failed, "
               "%ld articles stored%s\n",
               polled, n, counts.changed, counts.unchanged, counts.failed, counts.items,
               extra.p != NULL ? extra.p : "");
        mld_buf_dispose(&extra);
        status = counts.failed ? 1 : 0;
        goto out_free;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    mld_log_info("polling %d source(s) from %s into %s", n, config, db);
    while (!stopping) {
        mld_poller_step(p, 500);
        if (reloading) {
            reloading = 0;
            reload_sources(&r);
        }
    }
    mld_poller_counts(p, &counts);
    mld_log_info("stopping: %ld polls, %ld changed, %ld unchanged, %ld failed, %ld articles stored",
                 counts.polls, counts.changed, counts.unchanged, counts.failed, counts.items);
    status = 0;
out_free:
    mld_poller_free(p);
    mld_store_close(ctx.st);
    mld_poll_sources_free(srcs, n);
    mld_config_free(cfg);
    return status;
}
