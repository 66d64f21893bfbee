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
 * Reading and parsing run ahead of the store in a thread of their own
 * ("The pipeline" below); documents are stored in the order named.
 * Folders are walked in name order. On a terminal a progress line shows
 * files, articles, errors and rate; otherwise one summary line is printed.
 * Exit status: 0 when every file was stored, 1 when any failed.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
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

/* One document on its way from the reader thread to the store: read (or
 * fetched) and parsed, or the reason it could not be. */
struct job {
    char *name;               /* the path, or the URL as shown */
    char *url, *content_type; /* of a fetched document, else NULL */
    char *doc;                /* its text; NULL when reading or fetching failed */
    size_t len;
    int rc;          /* 0, or why reading, fetching or parsing failed (err) */
    bool walk_error; /* no document: a path that could not be walked */
    struct mld_err err;
    struct mld_parsed parsed;
    struct job *next;
};

static void store_doc(struct run *run, struct job *j);
static struct job *read_doc(const char *path);
static void job_free(struct job *j);

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
        for (int i = 0; i < n; i++) {
            struct job *j = read_doc(files[i]);
            store_doc(run, j);
            job_free(j);
        }
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

/* Stores the document of j (read and parsed) and reports and quarantines
 * a failure. */
static void
store_doc(struct run *run, struct job *j)
{
    run->files++;
    struct mld_err *err = &j->err;
    int rc = j->rc;
    if (rc == 0) {
        struct mld_source src = {.name = j->name, .url = j->url};
        int batched = batch_join(run, &src);
        struct mld_load_counts c = {0};
        rc = mld_load_store(run->st, &j->parsed, &c, NULL, err);
        if (rc == MLD_E_STORE && batched) {
            /* The batch itself may have failed (the engine rolls back the
             * whole transaction after an I/O error): commit what it holds,
             * then judge this file in a transaction of its own. */
            batch_commit(run);
            batched = 0;
            mld_err_clear(err);
            rc = mld_load_store(run->st, &j->parsed, &c, NULL, err);
        }
        if (rc == 0 && batched)
            run->pending[run->npending++] = mld_strdup(j->name);
        else if (rc == 0)
            mld_log_debug("%s: committed", j->name);
        run->inserted += c.inserted;
        run->updated += c.updated;
        run->stale += c.stale;
        run->duplicate += c.duplicate;
    }
    if (rc != 0) {
        run->failed++;
        /* Parser messages already start with the path; others get it here. */
        if (strncmp(err->msg, j->name, strlen(j->name)) != 0)
            mld_err_prefix(err, "%s", j->name);
        if (run->tty && !run->quiet)
            fprintf(stderr, "\r\033[K");
        mld_log_error("%s", err->msg);
        if (j->doc != NULL || rc == MLD_E_TOOBIG) {
            struct mld_err qerr = {0};
            if (mld_quarantine_put(run->quarantine, j->name, j->doc ? j->doc : "",
                                   j->doc ? j->len : 0, err, &qerr) != 0)
                mld_log_error("%s: not quarantined: %s", j->name, qerr.msg);
        }
    }
    if (run->in_batch && (run->npending >= run->batch_max ||
                          now_ms() - run->batch_started_ms >= MLD_INGEST_BATCH_MS))
        batch_commit(run);
    progress(run, 0);
}

/* The pipeline ---------------------------------------------------------------
 *
 * A reader thread walks the arguments, reads or fetches each document and
 * parses, enriches and computes its story features (mld_load_parse(),
 * which touches no store); the main thread stores the documents in the
 * order they come, batches them and reports. Parsing, sanitising, tagging
 * and the text analysis for stories thus run while the store writes. The queue between the two holds at most MLD_INGEST_AHEAD_DOCS
 * documents and MLD_INGEST_AHEAD_BYTES of their text. */

static struct job *
job_new(const char *name)
{
    struct job *j = MLD_NEW(struct job);
    j->name = mld_strdup(name);
    return j;
}

static void
job_free(struct job *j)
{
    mld_parsed_dispose(&j->parsed);
    mld_free(j->name);
    mld_free(j->url);
    mld_free(j->content_type);
    mld_free(j->doc);
    mld_free(j);
}

/* Parses the document of j, when there is one, setting j->rc. */
static void
parse_doc(struct job *j)
{
    if (j->rc != 0)
        return;
    struct mld_source src = {.name = j->name, .url = j->url, .content_type = j->content_type};
    j->rc = mld_load_parse(j->doc ? j->doc : "", j->len, &src, NULL, &j->parsed, &j->err);
}

/* Reads and parses the file at path. */
static struct job *
read_doc(const char *path)
{
    struct job *j = job_new(path);
    j->doc = read_file(path, &j->len, &j->err);
    j->rc = j->doc == NULL ? j->err.code : 0;
    parse_doc(j);
    return j;
}

/* Fetches url and parses what it answers (a 200) like a file. */
static struct job *
fetch_doc(const char *url)
{
    struct mld_fetch_req req = {.url = url};
    struct mld_fetch_res res;
    char name[1024];
    mld_fetch_display_url(url, name, sizeof(name));
    struct job *j = job_new(name);
    int rc = mld_fetch(&req, &res, &j->err);
    if (rc == 0 && res.status != 200)
        rc = mld_err_set(&j->err, MLD_E_IO, "%s: HTTP %d", name, res.status);
    j->url = mld_strdup(res.final_url ? res.final_url : url);
    j->content_type = res.content_type ? mld_strdup(res.content_type) : NULL;
    if (rc == 0) {
        j->len = res.body.len;
        j->doc = mld_strndup(res.body.p ? res.body.p : "", res.body.len);
    }
    j->rc = rc;
    mld_fetch_res_dispose(&res);
    parse_doc(j);
    return j;
}

/* A job for a path that could not be walked, and why. */
static struct job *
walk_error(const char *path, const char *why)
{
    struct job *j = job_new(path);
    j->walk_error = true;
    j->rc = mld_err_set(&j->err, MLD_E_IO, "%s: %s", path, why);
    return j;
}

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct job *head, *tail;
    int n;
    size_t bytes;
    bool done; /* the reader has queued its last job */
};

/* Appends j, waiting while the queue is full (an empty queue takes any). */
static void
queue_push(struct queue *q, struct job *j)
{
    pthread_mutex_lock(&q->lock);
    while (q->n > 0 &&
           (q->n >= MLD_INGEST_AHEAD_DOCS || q->bytes + j->len > MLD_INGEST_AHEAD_BYTES))
        pthread_cond_wait(&q->changed, &q->lock);
    if (q->tail != NULL)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->n++;
    q->bytes += j->len;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

/* The next job, waiting for one; NULL once the reader is done. */
static struct job *
queue_pop(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->head == NULL && !q->done)
        pthread_cond_wait(&q->changed, &q->lock);
    struct job *j = q->head;
    if (j != NULL) {
        q->head = j->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->n--;
        q->bytes -= j->len;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return j;
}

/* The reader thread's state. */
struct reader {
    struct queue q;
    char **paths; /* the arguments */
    int npaths;
    long files; /* documents queued, at most MLD_MAX_WALK_FILES */
};

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Queues path: a file, or every file below a folder in name order. Dot
 * files are skipped. */
static void
walk(struct reader *rd, const char *path, int depth)
{
    if (depth == 0 && strstr(path, "://") != NULL) {
        queue_push(&rd->q, fetch_doc(path));
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        queue_push(&rd->q, walk_error(path, strerror(errno)));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (rd->files < MLD_MAX_WALK_FILES) {
            rd->files++;
            queue_push(&rd->q, read_doc(path));
        }
        return;
    }
    if (depth >= MLD_MAX_WALK_DEPTH) {
        char why[64];
        snprintf(why, sizeof(why), "folders nested deeper than %d, skipped", MLD_MAX_WALK_DEPTH);
        queue_push(&rd->q, walk_error(path, why));
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        queue_push(&rd->q, walk_error(path, strerror(errno)));
        return;
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char sub[4096];
            size_t plen = strlen(path);
            snprintf(sub, sizeof(sub), "%.*s/%s",
                     (int)(plen > 1 && path[plen - 1] == '/' ? plen - 1 : plen), path,
                     names[i]->d_name);
            walk(rd, sub, depth + 1);
        }
        free(names[i]); /* checksrc:ok scandir(3) allocates */
    }
    free(names); /* checksrc:ok scandir(3) allocates */
}

static void *
reader_main(void *ud)
{
    struct reader *rd = ud;
    for (int i = 0; i < rd->npaths; i++)
        walk(rd, rd->paths[i], 0);
    pthread_mutex_lock(&rd->q.lock);
    rd->q.done = true;
    pthread_cond_broadcast(&rd->q.changed);
    pthread_mutex_unlock(&rd->q.lock);
    return NULL;
}

/* Stores every document the reader thread queues for paths, in order. */
static void
ingest_all(struct run *run, char **paths, int npaths)
{
    struct reader rd = {.paths = paths, .npaths = npaths};
    pthread_mutex_init(&rd.q.lock, NULL);
    pthread_cond_init(&rd.q.changed, NULL);
    pthread_t tid;
    int rc = pthread_create(&tid, NULL, reader_main, &rd);
    if (rc != 0) {
        run->failed++;
        mld_log_error("ingest: cannot start the reader thread: %s", strerror(rc));
    }
    for (struct job *j; rc == 0 && (j = queue_pop(&rd.q)) != NULL;) {
        if (j->walk_error) {
            run->failed++;
            mld_log_error("%s", j->err.msg);
        } else {
            store_doc(run, j);
        }
        job_free(j);
    }
    if (rc == 0)
        pthread_join(tid, NULL);
    pthread_cond_destroy(&rd.q.changed);
    pthread_mutex_destroy(&rd.q.lock);
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
    ingest_all(&run, argv + optind, argc - optind);
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
