/*
 * cmd_ingest.c - `meldung ingest FILE|DIR|URL...`: wire files into the store.
 *
 * Each file is all or nothing (pipeline.h): it is read (up to
 * MLD_MAX_DOC_BYTES) or fetched (an http:// or https:// URL, fetch.h), its
 * format detected, every entry parsed, checked by the pipeline's rules
 * (refused, headline made, held, dated by first sight), enriched (with
 * --section as the source's section) and stored, then committed.
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
 * files (of the total, which a third thread counts meanwhile, with the
 * percentage and an ETA), articles, errors and rate; at the end one
 * summary line is printed, with the pipeline's extra counts (held,
 * refused, withdrawn, date fallbacks) when they are not zero.
 * Exit status: 0 when every file was stored, 1 when any failed.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "../ingest/infile.h"
#include "../ingest/ingest.h"
#include "../pipeline/pipeline.h"
#include "../store/store.h"

static const char usage_text[] =
    "meldung ingest [--config FILE] [--db FILE] [--section NAME] [--quarantine DIR] [--quiet] "
    "[--verbose] [--batch N] [--follow-links] [--keep-incomplete] FILE|DIR|URL...";

static const char help_text[] =
    "Stores wire files (any format meldung reads), folders of them (walked in name order)\n"
    "and http(s) URLs, one transaction per file, batched.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ";\n"
    "                     created when missing)\n"
    "  --section NAME     section for items no category mapping places (default: none)\n"
    "  --config FILE      apply the [enrich] section of FILE (default\n"
    "                     $" MLD_ENV_CONFIG ", else none)\n"
    "  --quarantine DIR   where failed files go with their reason\n"
    "                     (default: quarantine/ beside the store)\n"
    "  --batch N          files per COMMIT, 1 to %d (default %d)\n"
    "  --follow-links     read symbolic and hard links in folders that lead out of\n"
    "                     the folder (default: skip them with a warning)\n"
    "  --keep-incomplete  store an item whose body was refused or cut, with a warning\n"
    "                     (default: the file fails and is quarantined)\n"
    "  --quiet            no progress line\n"
    "  --verbose          a line per article and per committed file\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 all stored, 1 a file failed, 2 usage, 3 the store (or its disk)\n"
    "is full: the run stopped there.\n";

/* A file stored in the open batch. */
struct pending {
    char *name;
    const char *root; /* the folder it was found in (job.root) */
};

struct run {
    struct mld_store *st;
    const char *quarantine; /* folder for rejected files */
    const char *section;    /* --section: the source section of every file, or NULL */
    int quiet;
    int tty; /* progress line on stderr */
    long files, failed;
    long skipped;            /* FIFOs, devices, links out of the folder: never read */
    long not_stored;         /* files left when the store filled up (full) */
    bool full;               /* the store is full: nothing more is stored */
    struct mld_err full_err; /* why, for the one line that says so */
    bool quarantine_failed;  /* a copy failed: no more copies this run */
    long not_quarantined;    /* failed files not copied since */
    atomic_bool *stop;       /* tells the reader to read no more */
    struct mld_pipeline_counts counts;
    atomic_long *total; /* files to come, counted ahead (-1 while unknown); or NULL */
    int64_t started_ms;
    int64_t last_progress_ms;
    int batch_max;                           /* files per COMMIT; 1 = one transaction per file */
    int in_batch;                            /* a batch transaction is open */
    int64_t batch_started_ms;                /* when it began (monotonic ms) */
    struct mld_pipeline_counts batch_counts; /* the counts when it began */
    struct pending *pending;                 /* files stored in the open batch, in order */
    int npending;                            /* entries used at pending (at most batch_max) */
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
    const char *root; /* realpath of the folder it lies in, NULL when named */
    unsigned mode;    /* the file's permission bits, for the quarantine copy */
    int rc;           /* 0, or why reading, fetching or parsing failed (err) */
    bool walk_error;  /* no document: a path that could not be walked */
    bool skipped;     /* no document: not a file to read (err.msg says why) */
    bool unread;      /* no document: the run stopped before it (store full) */
    struct mld_err err;
    struct mld_parsed parsed;
    struct job *next;
};

static void store_doc(struct run *run, struct job *j);
static struct job *read_doc(const char *path, const char *root);
static void job_free(struct job *j);

/* Stops the run: the store is full (err says which and why). The open
 * batch is rolled back and its files stored again one by one, as far as
 * they fit; those that do not, this file (lost = 1) and every file after
 * it count as not stored. None of them is quarantined: none is at fault. */
static void
store_full(struct run *run, const struct mld_err *err, long lost)
{
    if (run->in_batch) {
        mld_store_rollback(run->st);
        run->in_batch = 0;
        run->counts = run->batch_counts;
        run->files -= run->npending;
        struct pending *files = run->pending;
        int n = run->npending;
        run->pending = NULL;
        run->npending = 0;
        int max = run->batch_max;
        run->batch_max = 1;
        for (int i = 0; i < n; i++) {
            if (run->full) {
                run->not_stored++;
            } else {
                struct job *j = read_doc(files[i].name, files[i].root);
                store_doc(run, j);
                job_free(j);
            }
            mld_free(files[i].name);
        }
        mld_free(files);
        run->batch_max = max;
    }
    run->not_stored += lost;
    run->files -= lost;
    if (!run->full) {
        run->full = true;
        run->full_err = *err;
        atomic_store(run->stop, true);
    }
}

/* Commits the open batch and reports its files as committed. When COMMIT
 * fails, rolls the batch back and stores its files again, one transaction
 * each, so each file still ends stored whole or reported failed - unless
 * the store is full, which stops the run. */
static void
batch_commit(struct run *run)
{
    if (!run->in_batch)
        return;
    struct mld_err err = {0};
    if (mld_store_commit(run->st, &err) != 0 && mld_store_full(run->st)) {
        store_full(run, &err, 0);
        return;
    }
    run->in_batch = 0;
    struct pending *files = run->pending;
    int n = run->npending;
    run->pending = NULL;
    run->npending = 0;
    if (err.code == 0) {
        for (int i = 0; i < n; i++)
            mld_log(MLD_LOG_DEBUG, "%s: committed", files[i].name);
    } else {
        mld_store_rollback(run->st);
        mld_log(MLD_LOG_WARN, "%s; storing the batch's %d files one by one", err.msg, n);
        run->counts = run->batch_counts;
        run->files -= n;
        int max = run->batch_max;
        run->batch_max = 1;
        for (int i = 0; i < n; i++) {
            struct job *j = read_doc(files[i].name, files[i].root);
            store_doc(run, j);
            job_free(j);
        }
        run->batch_max = max;
    }
    for (int i = 0; i < n; i++)
        mld_free(files[i].name);
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
        if (!mld_store_full(run->st))
            mld_log(MLD_LOG_WARN, "%s; storing without a batch", err.msg);
        return 0;
    }
    run->in_batch = 1;
    run->batch_started_ms = now_ms();
    run->batch_counts = run->counts;
    run->pending = mld_reallocarray(NULL, (size_t)run->batch_max, sizeof(*run->pending));
    return 1;
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
    double secs = (double)(ms - run->started_ms) / 1000.0;
    const struct mld_pipeline_counts *c = &run->counts;
    long stored = c->inserted + c->updated + c->withdrawn + c->held;
    long total = run->total != NULL ? atomic_load(run->total) : -1;
    long done = run->files;
    char files[96];
    if (total > 0 && done <= total)
        snprintf(files, sizeof(files), "%ld/%ld files (%ld%%)", done, total,
                 (long)(100.0 * (double)done / (double)total));
    else
        snprintf(files, sizeof(files), "%ld files", done);
    char eta[48] = "";
    if (!final && total > 0 && done > 0 && done < total && secs >= 1) {
        long left = (long)(secs * (double)(total - done) / (double)done + 0.5);
        snprintf(eta, sizeof(eta), "  ETA %ld:%02ld:%02ld", left / 3600, left / 60 % 60, left % 60);
    }
    fprintf(stderr, "\r\033[K%s  %ld articles  %ld errors  %.0f articles/s%s%s", files, stored,
            run->failed, secs >= 1 ? (double)stored / secs : (double)stored, eta,
            final ? "\n" : "");
}

/* Copies the failed document of j to the quarantine folder. After a
 * copy failed (reported once, by mld_pipeline_quarantine), no more are
 * tried: a full or broken quarantine folder must not cost a line per file. */
static void
quarantine_doc(struct run *run, const struct job *j)
{
    if (run->quarantine_failed) {
        run->not_quarantined++;
        return;
    }
    if (mld_pipeline_quarantine(run->quarantine, j->name, j->doc, j->len, j->mode, &j->err) != 0) {
        run->quarantine_failed = true;
        run->not_quarantined++;
        mld_log(MLD_LOG_ERROR, "%s: no further failed files are copied there in this run",
                    run->quarantine);
    }
}

/* Stores the document of j (read and parsed) and reports and quarantines
 * a failure of the document's own. A full store stops the run instead. */
static void
store_doc(struct run *run, struct job *j)
{
    run->files++;
    if (run->full) {
        run->files--;
        run->not_stored++;
        return;
    }
    struct mld_err *err = &j->err;
    int rc = j->rc;
    if (rc == 0) {
        struct mld_source src = {.name = j->name, .url = j->url};
        int batched = batch_join(run, &src);
        if (run->tty && !run->quiet && j->parsed.nnotes > 0)
            fprintf(stderr, "\r\033[K"); /* its warnings get whole lines */
        struct mld_pipeline_counts c = {0};
        rc = mld_pipeline_store(run->st, &j->parsed, &c, NULL, err);
        if (rc == MLD_E_STORE && batched && !mld_store_full(run->st)) {
            /* The batch itself may have failed (the engine rolls back the
             * whole transaction after an I/O error): commit what it holds,
             * then judge this file in a transaction of its own. */
            batch_commit(run);
            batched = 0;
            mld_err_clear(err);
            rc = run->full ? MLD_E_STORE : mld_pipeline_store(run->st, &j->parsed, &c, NULL, err);
        }
        if (rc != 0 && (run->full || mld_store_full(run->st))) {
            store_full(run, err, 1);
            return;
        }
        if (rc == 0 && batched)
            run->pending[run->npending++] = (struct pending){mld_strdup(j->name), j->root};
        else if (rc == 0)
            mld_log(MLD_LOG_DEBUG, "%s: committed", j->name);
        mld_pipeline_counts_add(&run->counts, &c);
    }
    if (rc != 0) {
        run->failed++;
        /* Parser messages already start with the path; others get it here. */
        if (strncmp(err->msg, j->name, strlen(j->name)) != 0)
            mld_err_prefix(err, "%s", j->name);
        if (run->tty && !run->quiet)
            fprintf(stderr, "\r\033[K");
        mld_log(MLD_LOG_ERROR, "%s", err->msg);
        /* Only a document at fault: not one the store failed to take. */
        if ((j->doc != NULL || rc == MLD_E_TOOBIG) && rc != MLD_E_STORE && rc != MLD_E_NOMEM)
            quarantine_doc(run, j);
    }
    if (run->in_batch && (run->npending >= run->batch_max ||
                          now_ms() - run->batch_started_ms >= MLD_INGEST_BATCH_MS))
        batch_commit(run);
    progress(run, 0);
}

/* The pipeline ---------------------------------------------------------------
 *
 * A reader thread walks the arguments, reads or fetches each document and
 * parses, enriches and computes its story features (mld_pipeline_parse(),
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

/* The --section, --follow-links and --keep-incomplete of this run, for
 * the reader thread (set before it starts). */
static const char *run_section;
static bool run_follow, run_keep_incomplete;

/* Parses the document of j, when there is one, setting j->rc. */
static void
parse_doc(struct job *j)
{
    if (j->rc != 0)
        return;
    struct mld_source src = {
        .name = j->name,
        .url = j->url,
        .content_type = j->content_type,
        .section = run_section,
        .keep_incomplete = run_keep_incomplete,
    };
    j->rc = mld_pipeline_parse(j->doc ? j->doc : "", j->len, &src, NULL, &j->parsed, &j->err);
}

/* Reads and parses the file at path, found in the folder root (its
 * realpath; NULL for a file named on the command line), unless it is no
 * file to read (mld_infile_open): then the job is skipped, with why. */
static struct job *
read_doc(const char *path, const char *root)
{
    struct job *j = job_new(path);
    j->root = root;
    char why[PATH_MAX + 64];
    int fd;
    struct stat st;
    enum mld_infile r = mld_infile_open(path, root, run_follow, &fd, &st, why, sizeof(why));
    if (r == MLD_INFILE_SKIP) {
        j->skipped = true;
        mld_err_set(&j->err, MLD_E_UNSUPPORTED, "%s: %s, skipped", path, why);
        return j;
    }
    if (r != MLD_INFILE_OK) {
        j->rc = mld_err_set(&j->err, MLD_E_IO, "%s: cannot open: %s", path, why);
        return j;
    }
    j->mode = (unsigned)st.st_mode & 0777;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    int rc = mld_infile_read(fd, &b);
    if (rc == MLD_E_TOOBIG)
        j->rc =
            mld_err_set(&j->err, rc, "%s: larger than %u bytes", path, (unsigned)MLD_MAX_DOC_BYTES);
    else if (rc != 0)
        j->rc = mld_err_set(&j->err, rc, "%s: read error: %s", path, strerror(errno));
    close(fd);
    if (j->rc == 0)
        j->doc = mld_buf_steal(&b, &j->len);
    mld_buf_dispose(&b);
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
    char **roots;       /* the realpath of each argument that is a folder, or NULL */
    long files;         /* documents queued, at most MLD_MAX_WALK_FILES */
    atomic_long *total; /* where a thread of its own counts the files (progress), or NULL */
    atomic_bool *stop;  /* set: queue the rest unread (the store is full) */
};

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Queues path: a file, or every file below a folder in name order. Dot
 * files are skipped. *root is the realpath of the argument folder being
 * walked (set at depth 0): files below are judged against it
 * (mld_infile_open). A link in a folder is never walked into, unless
 * --follow-links. */
static void
walk(struct reader *rd, const char *path, int depth, char **root)
{
    if (depth == 0 && strstr(path, "://") != NULL) {
        queue_push(&rd->q, fetch_doc(path));
        return;
    }
    struct stat st;
    int r = depth == 0 || run_follow ? stat(path, &st) : lstat(path, &st);
    if (r != 0) {
        queue_push(&rd->q, walk_error(path, strerror(errno)));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (rd->files < MLD_MAX_WALK_FILES) {
            rd->files++;
            struct job *j;
            if (atomic_load(rd->stop)) {
                j = job_new(path);
                j->unread = true;
            } else {
                j = read_doc(path, *root);
            }
            queue_push(&rd->q, j);
        }
        return;
    }
    if (depth == 0) {
        char real[PATH_MAX];
        if (realpath(path, real) == NULL) {
            queue_push(&rd->q, walk_error(path, strerror(errno)));
            return;
        }
        *root = mld_strdup(real);
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
            walk(rd, sub, depth + 1, root);
        }
        free(names[i]); /* checksrc:ok scandir(3) allocates */
    }
    free(names); /* checksrc:ok scandir(3) allocates */
}

/* Adds to *n the documents walk() will queue for path (URLs count one;
 * paths that cannot be walked none), for the progress line's total. */
static void
count_files(const char *path, int depth, long *n)
{
    if (*n >= MLD_MAX_WALK_FILES)
        return;
    if (depth == 0 && strstr(path, "://") != NULL) {
        (*n)++;
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        (*n)++;
        return;
    }
    if (depth >= MLD_MAX_WALK_DEPTH)
        return;
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL && *n < MLD_MAX_WALK_FILES;) {
        if (e->d_name[0] == '.')
            continue;
        if (e->d_type == DT_REG) {
            (*n)++;
            continue;
        }
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        count_files(sub, depth + 1, n);
    }
    closedir(d);
}

/* The counting thread: the total of the progress line, counted beside
 * the reader so that a large tree does not delay the first file. */
static void *
counter_main(void *ud)
{
    struct reader *rd = ud;
    long n = 0;
    for (int i = 0; i < rd->npaths; i++)
        count_files(rd->paths[i], 0, &n);
    atomic_store(rd->total, n);
    return NULL;
}

static void *
reader_main(void *ud)
{
    struct reader *rd = ud;
    for (int i = 0; i < rd->npaths; i++)
        walk(rd, rd->paths[i], 0, &rd->roots[i]);
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
    struct reader rd = {.paths = paths, .npaths = npaths, .total = run->total, .stop = run->stop};
    rd.roots = mld_calloc((size_t)npaths, sizeof(*rd.roots));
    pthread_mutex_init(&rd.q.lock, NULL);
    pthread_cond_init(&rd.q.changed, NULL);
    pthread_t tid, counter;
    bool counting = rd.total != NULL && pthread_create(&counter, NULL, counter_main, &rd) == 0;
    int rc = pthread_create(&tid, NULL, reader_main, &rd);
    if (rc != 0) {
        run->failed++;
        mld_log(MLD_LOG_ERROR, "ingest: cannot start the reader thread: %s", strerror(rc));
    }
    for (struct job *j; rc == 0 && (j = queue_pop(&rd.q)) != NULL;) {
        if (j->unread || run->full) {
            run->not_stored++;
        } else if (j->walk_error) {
            run->failed++;
            mld_log(MLD_LOG_ERROR, "%s", j->err.msg);
        } else if (j->skipped) {
            run->skipped++;
            mld_log(MLD_LOG_WARN, "%s", j->err.msg);
        } else {
            store_doc(run, j);
        }
        job_free(j);
    }
    if (rc == 0)
        pthread_join(tid, NULL);
    if (counting)
        pthread_join(counter, NULL);
    batch_commit(run); /* while the roots its files name still exist */
    for (int i = 0; i < npaths; i++)
        mld_free(rd.roots[i]);
    mld_free(rd.roots);
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
        {"section", required_argument, NULL, 'S'},
        {"follow-links", no_argument, NULL, 'L'},
        {"keep-incomplete", no_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = mld_cli_default_db(), *quarantine = NULL, *config = NULL;
    struct run run = {.batch_max = MLD_INGEST_BATCH_FILES};
    int c;
    optind = 1;
    static const char optstring[] = "c:d:q:svb:S:LKh";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (mld_cli_parse_int(optarg, 1, MLD_INGEST_BATCH_FILES_MAX, &run.batch_max) != 0)
                return mld_cli_usage("ingest", usage_text, "--batch wants 1 to %d files",
                                     MLD_INGEST_BATCH_FILES_MAX);
            break;
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'q': quarantine = optarg; break;
        case 's': run.quiet = 1; break;
        case 'L': run_follow = true; break;
        case 'K': run_keep_incomplete = true; break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'S':
            if (optarg[0] == '\0')
                return mld_cli_usage("ingest", usage_text, "--section wants a section name");
            run.section = optarg;
            break;
        case 'h':
            printf("usage: %s\n\n", usage_text);
            printf(help_text, MLD_INGEST_BATCH_FILES_MAX, MLD_INGEST_BATCH_FILES);
            return 0;
        default: return mld_cli_bad_option("ingest", usage_text, optstring, argv);
        }
    }
    if (optind >= argc)
        return mld_cli_usage("ingest", usage_text, "name at least one file, folder or URL");
    if (mld_cli_enrich_config(config) != 0)
        return 1;

    char qdir[4096];
    if (quarantine == NULL) {
        mld_store_quarantine_dir(db, qdir, sizeof(qdir));
        quarantine = qdir;
    }
    if (mld_cli_make_parent(db) != 0) {
        mld_log(MLD_LOG_ERROR, "%s: cannot create its folder: %s", db, strerror(errno));
        return 1;
    }
    struct mld_err err = {0};
    if (mld_store_open(&run.st, db, &err) != 0) {
        mld_log(MLD_LOG_ERROR, "%s", err.msg);
        return 1;
    }
    run.quarantine = quarantine;
    run_section = run.section;
    run.tty = isatty(STDERR_FILENO);
    run.started_ms = now_ms();
    atomic_long total = -1;
    if (run.tty && !run.quiet)
        run.total = &total;
    atomic_bool stop = false;
    run.stop = &stop;
    ingest_all(&run, argv + optind, argc - optind);
    progress(&run, 1);
    if (run.full)
        mld_log(MLD_LOG_ERROR,
                    "%s: stopped, %ld files not stored and none of them quarantined; make room "
                    "and run again (what was stored is recognised)",
                    run.full_err.msg, run.not_stored);
    mld_store_close(run.st);
    struct mld_buf extra;
    mld_buf_init(&extra, 1024);
    mld_pipeline_counts_extra(&run.counts, &extra);
    printf("ingest: %ld files, %ld new, %ld updated, %ld older versions kept, %ld duplicates "
           "skipped, %ld failed%s",
           run.files, run.counts.inserted, run.counts.updated, run.counts.stale,
           run.counts.duplicate, run.failed, extra.p != NULL ? extra.p : "");
    mld_buf_dispose(&extra);
    if (run.failed && run.not_quarantined == 0)
        printf(" (quarantined in %s)", quarantine);
    else if (run.failed)
        printf(" (%ld not quarantined)", run.not_quarantined);
    if (run.skipped)
        printf(", %ld skipped", run.skipped);
    if (run.full)
        printf(", %ld not stored: the store is full", run.not_stored);
    printf("\n");
    return run.full ? 3 : run.failed ? 1 : 0;
}
