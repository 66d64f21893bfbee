/*
 * cmd_ingest.c - `meldung ingest FILE|DIR...`: wire files into the store.
 *
 * Each file is one transaction: it is read (up to MLD_MAX_DOC_BYTES), its
 * format detected, every entry parsed, enriched and stored, then committed.
 * A file that fails in any way is rolled back whole, copied to the
 * quarantine folder with the reason beside it, reported in one line
 * ("meldung: error: FILE: reason"), and the run goes on with the next.
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
#include "../enrich/enrich.h"
#include "../ingest/ingest.h"
#include "../ingest/quarantine.h"
#include "../store/store.h"

static const char usage_text[] =
    "meldung ingest [--db FILE] [--quarantine DIR] [--quiet] FILE|DIR...";

struct run {
    struct mld_store *st;
    const char *quarantine; /* folder for rejected files */
    int quiet;
    int tty; /* progress line on stderr */
    long files, failed;
    long inserted, updated, stale, duplicate;
    mld_time_t started;
    int64_t last_progress_ms;
};

/* What the parsers' sink needs: the run, and where a store error goes. */
struct sink_ctx {
    struct run *run;
    struct mld_err *err;
};

/* The sink of the parsers: enrich and store one article. */
static int
store_article(void *ud, struct mld_article *a)
{
    struct sink_ctx *ctx = ud;
    mld_enrich(a);
    enum mld_put_result res;
    int64_t id;
    int rc = mld_store_put(ctx->run->st, a, &res, &id, ctx->err);
    if (rc == 0) {
        switch (res) {
        case MLD_PUT_INSERTED: ctx->run->inserted++; break;
        case MLD_PUT_UPDATED: ctx->run->updated++; break;
        case MLD_PUT_STALE: ctx->run->stale++; break;
        case MLD_PUT_DUPLICATE: ctx->run->duplicate++; break;
        }
        mld_log_debug("%s v%lld: article %lld %s", a->urn, (long long)a->version, (long long)id,
                      res == MLD_PUT_INSERTED  ? "inserted"
                      : res == MLD_PUT_UPDATED ? "updated"
                      : res == MLD_PUT_STALE   ? "older than stored, kept in history"
                                               : "duplicate delivery, skipped");
    }
    mld_article_free(a);
    return rc;
}

/* Reads path into a new buffer (mld_free), refusing files over the limit. */
static char *
read_file(const char *path, size_t *len, struct mld_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        mld_err_set(err, MLD_E_IO, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (uint64_t)st.st_size > MLD_MAX_DOC_BYTES) {
        fclose(f);
        mld_err_set(err, MLD_E_TOOBIG, "%lld bytes, more than the limit of %u",
                    (long long)st.st_size, (unsigned)MLD_MAX_DOC_BYTES);
        return NULL;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0, r;
    char *p = mld_malloc(cap);
    while ((r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap) {
            if (cap > MLD_MAX_DOC_BYTES) {
                fclose(f);
                mld_free(p);
                mld_err_set(err, MLD_E_TOOBIG, "more than the limit of %u bytes",
                            (unsigned)MLD_MAX_DOC_BYTES);
                return NULL;
            }
            p = mld_realloc(p, cap *= 2);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        mld_free(p);
        mld_err_set(err, MLD_E_IO, "read error");
        return NULL;
    }
    p[n] = '\0';
    *len = n;
    return p;
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

static void
ingest_file(struct run *run, const char *path)
{
    struct mld_err err = {0};
    size_t len = 0;
    char *doc = read_file(path, &len, &err);
    run->files++;
    int rc = doc == NULL ? err.code : 0;
    const struct mld_format *fmt = NULL;
    if (rc == 0) {
        fmt = mld_format_detect(doc, len);
        if (fmt == NULL)
            rc = mld_err_set(&err, MLD_E_UNSUPPORTED, "not a format meldung reads");
    }
    if (rc == 0)
        rc = mld_store_begin(run->st, &err);
    if (rc == 0) {
        struct sink_ctx ctx = {run, &err};
        long before[4] = {run->inserted, run->updated, run->stale, run->duplicate};
        struct mld_source src = {.name = path};
        rc = fmt->parse(doc, len, &src, store_article, &ctx, &err);
        if (rc == 0)
            rc = mld_store_commit(run->st, &err);
        if (rc != 0) {
            mld_store_rollback(run->st);
            /* Nothing of the file was stored: take back its counts. */
            run->inserted = before[0];
            run->updated = before[1];
            run->stale = before[2];
            run->duplicate = before[3];
        }
    }
    if (rc != 0) {
        run->failed++;
        /* Parser messages already start with the path; others get it here. */
        if (strncmp(err.msg, path, strlen(path)) != 0)
            mld_err_prefix(&err, "%s", path);
        if (run->tty && !run->quiet)
            fprintf(stderr, "\r\033[K");
        mld_log_error("%s", err.msg);
        if (doc != NULL || rc == MLD_E_TOOBIG) {
            struct mld_err qerr = {0};
            if (mld_quarantine_put(run->quarantine, path, doc ? doc : "", doc ? len : 0, &err,
                                   &qerr) != 0)
                mld_log_error("%s: not quarantined: %s", path, qerr.msg);
        }
    }
    mld_free(doc);
    progress(run, 0);
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
        {"db", required_argument, NULL, 'd'}, {"quarantine", required_argument, NULL, 'q'},
        {"quiet", no_argument, NULL, 's'},    {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    const char *db = MLD_DEFAULT_DB, *quarantine = NULL;
    struct run run = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:q:svh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'q': quarantine = optarg; break;
        case 's': run.quiet = 1; break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: return mld_cli_usage("ingest", usage_text, "unknown option");
        }
    }
    if (optind >= argc)
        return mld_cli_usage("ingest", usage_text, "name at least one file or folder");
    for (int i = optind; i < argc; i++)
        if (strstr(argv[i], "://") != NULL)
            return mld_cli_usage("ingest", usage_text,
                                 "%s: fetching URLs is not supported yet; download the file first",
                                 argv[i]);

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
