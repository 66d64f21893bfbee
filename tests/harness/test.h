/*
 * test.h - a small TAP test harness, header-only.
 *
 * Each unit test is one program that #includes the .c file it tests (so
 * static functions are reachable) and this header, calls the checks below,
 * and ends with `return mld_test_done();`. Output is TAP, read by prove.
 * Checks print both sides on failure. Tests that need ../shared/corpus
 * call mld_test_corpus() and skip cleanly when it is absent (in CI, with
 * CI=true, its absence fails the test instead).
 */
#ifndef MLD_TEST_H
#define MLD_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mld_test_n_;      /* checks run */
static int mld_test_failed_; /* checks failed */

static int __attribute__((format(printf, 2, 3), unused))
mld_test_report_(int pass, const char *fmt, ...)
{
    mld_test_n_++;
    if (!pass)
        mld_test_failed_++;
    printf("%sok %d - ", pass ? "" : "not ", mld_test_n_);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    return pass;
}

/* ok(cond, "name %d", ...): passes when cond is true. Returns cond. */
#define ok(cond, ...) mld_test_report_(!!(cond), __VA_ARGS__)

/* is_int(got, want, "name"): integers equal. */
#define is_int(got, want, ...)                                                            \
    do {                                                                                  \
        long long g_ = (long long)(got), w_ = (long long)(want);                          \
        if (!ok(g_ == w_, __VA_ARGS__))                                                   \
            printf("#   got:  %lld\n#   want: %lld\n", g_, w_);                           \
    } while (0)

/* is_str(got, want, "name"): NUL-terminated strings equal (NULL == NULL). */
#define is_str(got, want, ...)                                                            \
    do {                                                                                  \
        const char *g_ = (got), *w_ = (want);                                             \
        int eq_ = (g_ == NULL || w_ == NULL) ? g_ == w_ : strcmp(g_, w_) == 0;            \
        if (!ok(eq_, __VA_ARGS__))                                                        \
            printf("#   got:  \"%s\"\n#   want: \"%s\"\n", g_ ? g_ : "(null)",           \
                   w_ ? w_ : "(null)");                                                   \
    } while (0)

/* diag("..."): a comment line in the TAP stream. */
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* Whether a missing shared corpus is a failure rather than a skip: in CI
 * (the environment variable CI is "true", as CI services set it) a skip
 * would hide that the corpus tests never ran. */
static __attribute__((unused)) int
mld_test_corpus_required(void)
{
    const char *ci = getenv("CI");
    return ci != NULL && strcmp(ci, "true") == 0;
}

/* Returns the path of ../shared/corpus/SUB (relative to the repository
 * root, where make check runs), or NULL after printing a skip note when the
 * shared corpus is not there. The result is a static buffer. MLD_CORPUS in
 * the environment overrides the location. With CI=true a missing corpus
 * (or folder of it) is not a skip: the test reports one failed check,
 * prints its plan and exits 1. */
static __attribute__((unused)) const char *
mld_test_corpus(const char *sub)
{
    static char path[4096];
    const char *root = getenv("MLD_CORPUS");
    if (root == NULL)
        root = "../shared/corpus";
    snprintf(path, sizeof(path), "%s/%s", root, sub);
    struct stat st;
    if (stat(path, &st) == 0)
        return path;
    if (!mld_test_corpus_required()) {
        printf("# skip: %s not present (the shared corpus is needed)\n", path);
        return NULL;
    }
    if (stat(root, &st) != 0)
        mld_test_report_(0, "corpus missing: %s (CI=true requires it)", root);
    else
        mld_test_report_(0, "corpus incomplete: %s missing (CI=true requires it)", path);
    printf("1..%d\n", mld_test_n_);
    fflush(stdout);
    exit(1);
}

/* Ends the test: prints the plan, returns the exit status (0 if all
 * passed). A test that ran no check at all reports a skip. */
static __attribute__((unused)) int
mld_test_done(void)
{
    if (mld_test_n_ == 0)
        printf("1..0 # SKIP no checks ran\n");
    else
        printf("1..%d\n", mld_test_n_);
    return mld_test_failed_ ? 1 : 0;
}

/* Number of times needle occurs in hay (not overlapping). */
static __attribute__((unused)) int
mld_test_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Reads a whole file into a new NUL-terminated buffer (free with free()),
 * or NULL. *len gets the size. */
static __attribute__((unused)) char *
mld_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t r;
    while ((r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            p = realloc(p, cap);
        }
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

/* Writes text to a new file /tmp/mld-PREFIX-PID-N.txt (N counts the calls,
 * so no two calls share a file) and returns its path, a static buffer the
 * next call overwrites. The test removes the file with unlink(). A file
 * that cannot be written ends the test ("Bail out!", exit 1): what
 * follows would read a file that is not there. */
static __attribute__((unused)) const char *
mld_test_temp_file(const char *prefix, const char *text)
{
    static char path[256];
    static int n;
    snprintf(path, sizeof(path), "/tmp/mld-%s-%d-%d.txt", prefix, (int)getpid(), n++);
    FILE *f = fopen(path, "w");
    int bad = f == NULL || fputs(text, f) < 0;
    if (f != NULL && fclose(f) != 0)
        bad = 1;
    if (bad) {
        printf("Bail out! cannot write %s\n", path);
        unlink(path);
        exit(1);
    }
    return path;
}

/* Decodes the escapes \t \n \\ \xHH of a golden input into a new
 * allocation (free with free()); *len gets the decoded length. */
static __attribute__((unused)) char *
mld_test_unescape(const char *in, size_t *len)
{
    char *s = strdup(in);
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] != '\\' || s[i + 1] == '\0') {
            s[o++] = s[i];
            continue;
        }
        char e = s[++i];
        if (e == 't') {
            s[o++] = '\t';
        } else if (e == 'n') {
            s[o++] = '\n';
        } else if (e == 'x' && s[i + 1] != '\0' && s[i + 2] != '\0') {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            s[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            s[o++] = e;
        }
    }
    s[o] = '\0';
    *len = o;
    return s;
}

#endif
