/*
 * Tests for dropdir.c: a watcher on a temporary folder, run in a thread,
 * storing into a real (temporary) store. Files written under a temporary
 * name and renamed, written in place, present before the watch, hidden,
 * temporary, linked, broken, oversized, repeated; then store trouble
 * (the file waits and is retried) and the folder moved away.
 */
#include "../../../src/ingest/dropdir.c"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "../../../src/ingest/ingest.h"
#include "../../../src/store/store.h"
#include "test.h"

static char tmp[] = "/tmp/meldung-drop-XXXXXX";
static char dir[256];
static struct mld_store *store;
static atomic_int stop;
static atomic_int fail_store; /* the next delivery fails with MLD_E_STORE */
static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;

static int
sink(void *ud, struct mld_article *a)
{
    struct mld_err *err = ud;
    enum mld_put_result res;
    int64_t id;
    int rc = mld_store_put(store, a, &res, &id, err);
    mld_article_free(a);
    return rc;
}

/* The ingest function: parse and store in one transaction. */
static int
deliver(void *ud, const char *path, const char *doc, size_t len, struct mld_err *err)
{
    (void)ud;
    if (atomic_exchange(&fail_store, 0))
        return mld_err_set(err, MLD_E_STORE, "%s: database is locked", path);
    const struct mld_format *fmt = mld_format_detect(doc, len);
    if (fmt == NULL)
        return mld_err_set(err, MLD_E_UNSUPPORTED, "%s: not a format meldung reads", path);
    pthread_mutex_lock(&store_lock);
    int rc = mld_store_begin(store, err);
    struct mld_source src = {.name = path};
    if (rc == 0)
        rc = fmt->parse(doc, len, &src, sink, err, err);
    if (rc == 0)
        rc = mld_store_commit(store, err);
    else
        mld_store_rollback(store);
    pthread_mutex_unlock(&store_lock);
    return rc;
}

static void *
watch(void *arg)
{
    struct mld_dropdir *d = arg;
    struct mld_err err = {0};
    while (!atomic_load(&stop))
        if (mld_dropdir_step(d, 50, &err) < 0)
            break;
    return NULL;
}

static void
put_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return;
    fputs(text, f);
    fclose(f);
}

/* Writes text under NAME.tmp, then renames it to NAME, as writers should. */
static void
drop(const char *name, const char *text)
{
    char tmpname[300], from[1024], to[1024];
    snprintf(tmpname, sizeof(tmpname), "%s.tmp", name);
    put_file(tmpname, text);
    snprintf(from, sizeof(from), "%s/%s", dir, tmpname);
    snprintf(to, sizeof(to), "%s/%s", dir, name);
    if (rename(from, to) != 0)
        diag("rename %s: failed", from);
}

static bool
exists(const char *sub)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Waits up to 5 s for sub to appear (or disappear when want is false). */
static bool
wait_for(const char *sub, bool want)
{
    for (int i = 0; i < 500; i++) {
        if (exists(sub) == want)
            return true;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static char *
wire(int n)
{
    static char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"urn\": \"urn:newsml:example.com:20250128:drop%d\", \"version\": 1, "
             "\"version_created\": \"2025-01-28T08:00:00Z\", \"headline\": \"Ablage Nummer %d\"}\n",
             n, n);
    return buf;
}

static int
stored(void)
{
    struct mld_query q = {.now = mld_time_now() + 1000000, .limit = 100};
    struct mld_items l = {0};
    struct mld_err err = {0};
    pthread_mutex_lock(&store_lock);
    int rc = mld_store_list(store, &q, &l, &err);
    pthread_mutex_unlock(&store_lock);
    int n = rc == 0 ? l.n : -1;
    mld_items_dispose(&l);
    return n;
}

int
main(void)
{
    mld_log_set_level(MLD_LOG_ERROR);
    if (mkdtemp(tmp) == NULL) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    snprintf(dir, sizeof(dir), "%s/in", tmp);
    mkdir(dir, 0755);
    char db[300];
    snprintf(db, sizeof(db), "%s/drop.db", tmp);
    struct mld_err err = {0};
    if (mld_store_open(&store, db, &err) != 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }

    ok(mld_dropdir_ignored(".x.json") && mld_dropdir_ignored("x.tmp") &&
           mld_dropdir_ignored("x.json.part") && mld_dropdir_ignored("x~") &&
           !mld_dropdir_ignored("x.json") && !mld_dropdir_ignored("tmp.json"),
       "temporary and hidden names are ignored, others not");

    /* Before the watch: one good file, one hidden, one temporary. */
    put_file("old.json", wire(1));
    put_file(".hidden.json", wire(2));
    put_file("half.json.part", wire(3));

    struct mld_dropdir *d;
    is_int(mld_dropdir_open(&d, "/nonexistent/folder", deliver, NULL, &err), MLD_E_IO,
           "a missing folder cannot be watched");
    is_int(mld_dropdir_open(&d, dir, deliver, NULL, &err), 0, "watch starts: %s", err.msg);
    ok(exists("done") && exists("quarantine"), "done/ and quarantine/ are created");
    is_int(mld_dropdir_scan(d), 1, "the scan takes the one file already there");
    ok(exists("done/old.json") && !exists("old.json"), "... and moves it to done/");
    ok(exists(".hidden.json") && exists("half.json.part"), "hidden and partial files stay");

    pthread_t t;
    pthread_create(&t, NULL, watch, d);

    drop("good.json", wire(4));
    ok(wait_for("done/good.json", true), "a renamed file is stored and moved to done/");
    ok(!exists("good.json") && !exists("good.json.tmp"), "... nothing left behind");

    drop("bad.json", "{\"urn\": \"urn:x\", \"headline\": ");
    ok(wait_for("quarantine/bad.json.reason", true), "a broken file goes to quarantine/");
    ok(exists("quarantine/bad.json") && !exists("bad.json"), "... the file with its reason");
    char *reason = NULL;
    char rpath[512];
    snprintf(rpath, sizeof(rpath), "%s/quarantine/bad.json.reason", dir);
    for (int i = 0; i < 100 && reason == NULL; i++)
        reason = mld_test_slurp(rpath, NULL);
    ok(reason && strstr(reason, "code: MLD_E_PARSE") && strstr(reason, "bad.json"),
       "... the reason names code and file");
    free(reason);

    put_file("inplace.json", wire(5));
    ok(wait_for("done/inplace.json", true), "a file written in place is taken when closed");

    drop("good.json", wire(6));
    ok(wait_for("done/good.json.1", true), "a second file of the same name becomes done/NAME.1");

    /* A link to a file outside the folder (infile.h) is left alone. */
    char target[512], link[512];
    snprintf(target, sizeof(target), "%s.outside.json", dir);
    FILE *out = fopen(target, "w");
    if (out == NULL || fputs(wire(7), out) < 0 || fclose(out) != 0)
        diag("cannot write %s", target);
    snprintf(link, sizeof(link), "%s/link.json", dir);
    if (symlink(target, link) != 0)
        diag("symlink failed");
    drop("other.xml", "<not a wire format/>");
    ok(wait_for("quarantine/other.xml", true), "an unknown format is quarantined");
    ok(exists("link.json"), "a symbolic link out of the folder is left alone");

    /* Over the limit: quarantined without being read into memory. */
    char big[512];
    snprintf(big, sizeof(big), "%s/huge.json.part", dir);
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)MLD_MAX_DOC_BYTES + 1) != 0)
        diag("cannot make the huge file");
    close(fd);
    char bigto[512];
    snprintf(bigto, sizeof(bigto), "%s/huge.json", dir);
    rename(big, bigto);
    ok(wait_for("quarantine/huge.json.reason", true), "an oversized file is quarantined");
    wait_for("huge.json", false);
    struct stat st;
    snprintf(big, sizeof(big), "%s/quarantine/huge.json", dir);
    ok(stat(big, &st) == 0 && (uint64_t)st.st_size == MLD_MAX_DOC_BYTES + 1,
       "... whole, not truncated");
    ok(!exists("huge.json"), "... and removed from the folder");

    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    is_int(stored(), 4, "the store holds the four good documents");

    /* Store trouble: the file waits, and is taken on the retry scan. */
    atomic_store(&fail_store, 1);
    drop("retry.json", wire(7));
    int n = 0;
    for (int i = 0; i < 20 && n == 0; i++)
        n = mld_dropdir_step(d, 100, &err);
    ok(exists("retry.json") && !exists("quarantine/retry.json"),
       "a store error leaves the file where it is");
    ok(d->retry_at > 0, "... and schedules a scan");
    d->retry_at = mld_time_now(); /* instead of waiting MLD_DROP_RETRY_SECS */
    mld_dropdir_step(d, 0, &err);
    ok(exists("done/retry.json") && !exists("retry.json"), "the retry stores it");
    is_int(stored(), 5, "... five documents now");

    struct mld_drop_counts c;
    mld_dropdir_counts(d, &c);
    is_int(c.done, 5, "counts: 5 done");
    is_int(c.quarantined, 3, "counts: 3 quarantined");
    is_int(c.left, 1, "counts: 1 left in place once");

    char moved[300];
    snprintf(moved, sizeof(moved), "%s/moved", tmp);
    rename(dir, moved);
    int rc = 0;
    for (int i = 0; i < 20 && rc == 0; i++)
        rc = mld_dropdir_step(d, 100, &err);
    is_int(rc, MLD_E_IO, "a folder moved away ends the watch");
    ok(strstr(err.msg, "removed or moved") != NULL, "... saying so: %s", err.msg);

    mld_dropdir_close(d);
    mld_store_close(store);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        diag("could not remove %s", tmp);
    return mld_test_done();
}
