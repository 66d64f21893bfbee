/*
 * replay.c - runs a libFuzzer driver over its seeds without libFuzzer.
 *
 * Linked with one driver (tests/fuzz/NAME.c), so ordinary `make check`
 * replays every seed and a crash found once stays found (as SQLite's
 * fuzzcheck does). Arguments: the driver's own seed folder, then the
 * shared corpus root; below the root it walks the folders the driver names
 * in mld_fuzz_shared[] (skipped cleanly when the root is absent, a failed
 * check when it is absent and the environment says CI=true). Prints
 * TAP: one check per folder, failing if a seed could not be read; a crash
 * aborts the process under the sanitizers, which prove reports.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each driver defines this: folders below the shared corpus to replay,
 * NULL-terminated. */
extern const char *const mld_fuzz_shared[];

static int n_checks, n_failed;

/* Feeds one file to the driver; returns 0, or -1 if it cannot be read. */
static int
feed_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 1 << 16, n = 0, r;
    uint8_t *p = malloc(cap);
    while ((r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    LLVMFuzzerTestOneInput(p, n);
    free(p);
    return 0;
}

/* Feeds every regular file below dir (depth-first); counts them in *n. */
static int
feed_tree(const char *dir, int depth, long *n)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < 8)
            rc |= feed_tree(path, depth + 1, n);
        else if (S_ISREG(st.st_mode)) {
            rc |= feed_file(path);
            (*n)++;
        }
    }
    closedir(d);
    return rc;
}

static void
check_tree(const char *dir)
{
    long n = 0;
    int rc = feed_tree(dir, 0, &n);
    n_checks++;
    if (rc != 0)
        n_failed++;
    printf("%sok %d - replayed %ld inputs from %s\n", rc ? "not " : "", n_checks, n, dir);
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        check_tree(argv[1]);
    if (argc > 2) {
        struct stat st;
        const char *ci = getenv("CI");
        int present = stat(argv[2], &st) == 0;
        int required = ci != NULL && strcmp(ci, "true") == 0; /* a skip would hide it in CI */
        if (!present && required) {
            n_checks++;
            n_failed++;
            printf("not ok %d - corpus missing: %s (CI=true requires it)\n", n_checks, argv[2]);
        } else if (!present)
            printf("# skip: %s not present (the shared corpus is needed)\n", argv[2]);
        else
            for (int i = 0; mld_fuzz_shared[i] != NULL; i++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", argv[2], mld_fuzz_shared[i]);
                check_tree(path);
            }
    }
    printf("1..%d\n", n_checks);
    return n_failed ? 1 : 0;
}
