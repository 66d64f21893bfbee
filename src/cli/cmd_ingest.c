/*
 * cmd_ingest.c - `meldung ingest FILE|DIR|URL...`: wire files into the store.
 *
 * Each file is all or nothing (load.h): it is read (up to
 * MLD_MAX_DOC_BYTES) or fetched (an http:// or https:// URL, fetch.h), its
 * format detected, every entry parsed, enriched and stored, then committed.
 * Files share transactions: up to --batch files (MLD_INGEST_BATCH_FILES),
 * or what MLD_INGEST_BATCH_MS brings, go into one COMMIT, each file inside
 * it a savepoint of its own (store.h), so a batch costs one commit and one
 * set of index page writes instead of one per file. With --verbose each
 * file gets a "FILE: committed" line once its COMMIT has returned: a file
 * reported so survives a crash; one not reported is either not stored at
 * all or stored whole, and a re-run completes it (entry ids make it
 * idempotent). A COMMIT that fails is rolled back and its files stored
 * again one transaction each. URLs are never batched (a fetch must not
 * hold the store's write lock). A file that fails in any way is rolled
 * back whole, copied to the quarantine folder with the reason beside it,
 * reported in one line ("meldung: error: FILE: reason"), and the run goes
 * on with the next.
 * --config FILE applies the configuration's [enrich] section (enrich.h)
 * before the first article, as poll, watch and serve do.
 * Folders are walked in name order. On a terminal a progress line shows
 * files, articles, errors and rate; otherwise one summary line is printed.
 * Exit status: 0 when every file was stored, 1 when any failed.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../ingest/fetch.h"
#include "../ingest/ingest.h"
#include "../ingest/quarantine.h"
#include "../store/store.h"
#include "load.h"

static const char usage_text[] =
    "meldung ingest [--config FILE] [--db FILE] [--quarantine DIR] [--quiet] [--verbose] "
    "[--batch N] FILE|DIR|URL...";

struct run {
    struct mld_store *st;
    const char *quarantine; /* folder for rejected files */
    int quiet;
    int tty; /* progress line on stderr */
    long files, failed;
    long inserted, updated, stale, duplicate;
    mld_time_t started;
    int64_t last_progress_ms;
    int batch_max;            /* files per COMMIT; 1 = one transaction per file */
    int in_batch;             /* a batch transaction is open */
    int64_t batch_started_ms; /* when it began (monotonic ms) */
    long batch_counts[4];     /* inserted, updated, stale, duplicate when it began */
    char **pending;           /* files stored in the open batch, in order */
    int npending;             /* entries used at pending (at most batch_max) */
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ingest_file(struct run *run, const char *path);

/* Commits the open batch and reports its files as committed. When COMMIT
 * fails, rolls the batch back and stores its files again, one transaction
 * each, so each file still ends stored whole or reported failed. */
static void
batch_commit(struct run *run)
{
    if (!run->in_batch)
        return;
    run->in_batch = 0;
    struct mld_err err = {0};
    char **files = run->pending;
    int n = run->npending;
    run->pending = NULL;
    run->npending = 0;
    if (mld_store_commit(run->st, &err) == 0) {
        for (int i = 0; i < n; i++)
            mld_log_debug("%s: committed", files[i]);
    } else {
        mld_store_rollback(run->st);
        mld_log_warn("%s; storing the batch's %d files one by one", err.msg, n);
        run->inserted = run->batch_counts[0];
        run->updated = run->batch_counts[1];
        run->stale = run->batch_counts[2];
        run->duplicate = run->batch_counts[3];
        run->files -= n;
        int max = run->batch_max;
        run->batch_max = 1;
        for (int i = 0; i < n; i++)
            ingest_file(run, files[i]);
        run->batch_max = max;
    }
    for (int i = 0; i < n; i++)
        mld_free(files[i]);
    mld_free(files);
}

/* Makes sure a batch transaction is open when this document may join one
 * (a file, with batching on); commits an open one otherwise. Returns 1
 * when the document goes into the open batch. */
static int
batch_join(struct run *run, const struct mld_source *src)
{
    if (run->batch_max <= 1 || src->url != NULL) {
        batch_commit(run);
        return 0;
    }
    if (run->in_batch)
        return 1;
    struct mld_err err = {0};
    if (mld_store_begin(run->st, &err) != 0) {
        mld_log_warn("%s; storing without a batch", err.msg);
        return 0;
    }
    run->in_batch = 1;
    run->batch_started_ms = now_ms();
    run->batch_counts[0] = run->inserted;
    run->batch_counts[1] = run->updated;
    run->batch_counts[2] = run->stale;
    run->batch_counts[3] = run->duplicate;
    run->pending = mld_reallocarray(NULL, (size_t)run->batch_max, sizeof(*run->pending));
    return 1;
}

/* Reads path into a new buffer (mld_free), refusing files over the limit. */
static char *
read_file(const char *path, size_t *len, struct mld_err *err)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    if (mld_buf_read_file(&b, path, err) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, len);
}

static void
progress(struct run *run, int final)
{
    if (!run->tty || run->quiet)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (!final && ms - run->last_progress_ms < 100)
        return;
    run->last_progress_ms = ms;
    mld_time_t secs = mld_time_now() - run->started;
    long stored = run->inserted + run->updated;
    fprintf(stderr, "\r\033[K%ld files  %ld articles  %ld errors  %.0f articles/s%s", run->files,
            stored, run->failed, secs > 0 ? (double)stored / (double)secs : (double)stored,
            final ? "\n" : "");
}

/* Stores one document read or fetched (doc NULL and rc set when that
 * failed), and reports and quarantines a failure. */
static void
store_doc(struct run *run, const char *path, const char *doc, size_t len, int rc,
          const struct mld_source *src, struct mld_err *err)
{
    run->files++;
    if (rc == 0) {
        int batched = batch_join(run, src);
        struct mld_load_counts c = {0};
        rc = mld_load_doc(run->st, doc, len, src, NULL, &c, NULL, err);
        if (rc == MLD_E_STORE && batched) {
            /* The batch itself may have failed (the engine rolls back the
             * whole transaction after an I/O error): commit what it holds,
             * then judge this file in a transaction of its own. */
            batch_commit(run);
            batched = 0;
            mld_err_clear(err);
            rc = mld_load_doc(run->st, doc, len, src, NULL, &c, NULL, err);
        }
        if (rc == 0 && batched)
            run->pending[run->npending++] = mld_strdup(path);
        else if (rc == 0)
            mld_log_debug("%s: committed", path);
        run->inserted += c.inserted;
        run->updated += c.updated;
        run->stale += c.stale;
        run->duplicate += c.duplicate;
    }
    if (rc != 0) {
        run->failed++;
        /* Parser messages already start with the path; others get it here. */
        if (strncmp(err->msg, path, strlen(path)) != 0)
            mld_err_prefix(err, "%s", path);
        if (run->tty && !run->quiet)
            fprintf(stderr, "\r\033[K");
        mld_log_error("%s", err->msg);
        if (doc != NULL || rc == MLD_E_TOOBIG) {
            struct mld_err qerr = {0};
            if (mld_quarantine_put(run->quarantine, path, doc ? doc : "", doc ? len : 0, err,
                                   &qerr) != 0)
                mld_log_error("%s: not quarantined: %s", path, qerr.msg);
        }
    }
    if (run->in_batch && (run->npending >= run->batch_max ||
                          now_ms() - run->batch_started_ms >= MLD_INGEST_BATCH_MS))
        batch_commit(run);
    progress(run, 0);
}

static void
ingest_file(struct run *run, const char *path)
{
    struct mld_err err = {0};
    size_t len = 0;
    char *doc = read_file(path, &len, &err);
    struct mld_source src = {.name = path};
    store_doc(run, path, doc, len, doc == NULL ? err.code : 0, &src, &err);
    mld_free(doc);
}

/* Fetches url and stores what it answers (a 200) like a file. */
static void
ingest_url(struct run *run, const char *url)
{
    struct mld_err err = {0};
    struct mld_fetch_req req = {.url = url};
    struct mld_fetch_res res;
    char name[1024];
    mld_fetch_display_url(url, name, sizeof(name));
    int rc = mld_fetch(&req, &res, &err);
    if (rc == 0 && res.status != 200)
        rc = mld_err_set(&err, MLD_E_IO, "%s: HTTP %d", name, res.status);
    struct mld_source src = {
        .name = name,
        .url = res.final_url ? res.final_url : url,
        .content_type = res.content_type,
    };
    store_doc(run, name, rc == 0 ? (res.body.p ? res.body.p : "") : NULL, res.body.len, rc, &src,
              &err);
    mld_fetch_res_dispose(&res);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Ingests path: a file, or every file below a folder in name order.
 * Dot files are skipped. */
static void
walk(struct run *run, const char *path, int depth)
{
    if (depth == 0 && strstr(path, "://") != NULL) {
        ingest_url(run, path);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        run->failed++;
        mld_log_error("%s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (run->files < MLD_MAX_WALK_FILES)
            ingest_file(run, path);
        return;
    }
    if (depth >= MLD_MAX_WALK_DEPTH) {
        run->failed++;
        mld_log_error("%s: folders nested deeper than %d, skipped", path, MLD_MAX_WALK_DEPTH);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        run->failed++;
        mld_log_error("%s: %s", path, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char sub[4096];
            size_t plen = strlen(path);
            snprintf(sub, sizeof(sub), "%.*s/%s",
                     (int)(plen > 1 && path[plen - 1] == '/' ? plen - 1 : plen), path,
                     names[i]->d_name);
            walk(run, sub, depth + 1);
        }
        free(names[i]); /* checksrc:ok scandir(3) allocates */
    }
    free(names); /* checksrc:ok scandir(3) allocates */
}

int
mld_cmd_ingest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"quarantine", required_argument, NULL, 'q'},
        {"quiet", no_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"batch", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = MLD_DEFAULT_DB, *quarantine = NULL, *config = NULL;
    struct run run = {.batch_max = MLD_INGEST_BATCH_FILES};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:d:q:svb:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1 || v > MLD_INGEST_BATCH_FILES_MAX)
                return mld_cli_usage("ingest", usage_text, "--batch wants 1 to %d files",
                                     MLD_INGEST_BATCH_FILES_MAX);
            run.batch_max = (int)v;
            break;
        }
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'q': quarantine = optarg; break;
        case 's': run.quiet = 1; break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: return mld_cli_usage("ingest", usage_text, "unknown option");
        }
    }
    if (optind >= argc)
        return mld_cli_usage("ingest", usage_text, "name at least one file, folder or URL");
    if (mld_cli_enrich_config(config) != 0)
        return 1;

    char qdir[4096];
    if (quarantine == NULL) {
        const char *slash = strrchr(db, '/');
        snprintf(qdir, sizeof(qdir), "%.*squarantine", slash ? (int)(slash - db + 1) : 0, db);
        quarantine = qdir;
    }
    if (mld_cli_make_parent(db) != 0) {
        mld_log_error("%s: cannot create its folder: %s", db, strerror(errno));
        return 1;
    }
    struct mld_err err = {0};
    if (mld_store_open(&run.st, db, &err) != 0) {
        mld_log_error("%s", err.msg);
        return 1;
    }
    run.quarantine = quarantine;
    run.tty = isatty(STDERR_FILENO);
    run.started = mld_time_now();
    for (int i = optind; i < argc; i++)
        walk(&run, argv[i], 0);
    batch_commit(&run);
    progress(&run, 1);
    mld_store_close(run.st);
    printf("ingest: %ld files, %ld new, %ld updated, %ld older versions kept, %ld duplicates "
           "skipped, %ld failed",
           run.files, run.inserted, run.updated, run.stale, run.duplicate, run.failed);
    if (run.failed)
        printf(" (quarantined in %s)", quarantine);
    printf("\n");
    return run.failed ? 1 : 0;
}
