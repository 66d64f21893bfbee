/*
 * pg_test.h - a throwaway PostgreSQL cluster for a unit test,
 * header-only: tests/harness/pgtmp.sh starts it in a temporary folder
 * (initdb, Unix socket only) and stops it, and the folder with it, when
 * the test exits. Without a PostgreSQL server installed the whole test is
 * skipped (scripts/deps.sh installs one). Include it after test.h.
 */
#ifndef MLD_PG_TEST_H
#define MLD_PG_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/store/pg_int.h"
#include "test.h"

/* The cluster's folder, /tmp/mld-pg-XXXXXX. */
static char mld_test_pg_dir[64];

static void
mld_test_pg_stop_(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "tests/harness/pgtmp.sh stop %s", mld_test_pg_dir);
    if (system(cmd) != 0)
        diag("could not stop the cluster in %s", mld_test_pg_dir);
}

/* Starts the cluster (stopped at exit) and writes its URL to url (size
 * bytes). Without a server it ends the test as a skip; returns false when
 * the cluster would not start. */
static __attribute__((unused)) bool
mld_test_pg_start(char *url, size_t size)
{
    snprintf(mld_test_pg_dir, sizeof(mld_test_pg_dir), "/tmp/mld-pg-XXXXXX");
    if (mkdtemp(mld_test_pg_dir) == NULL)
        return false;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "tests/harness/pgtmp.sh start %s", mld_test_pg_dir);
    FILE *f = popen(cmd, "r");
    bool got = f != NULL && fgets(url, (int)size, f) != NULL;
    int st = f != NULL ? pclose(f) : -1;
    if (!got || st != 0) {
        rmdir(mld_test_pg_dir);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
            printf("1..0 # SKIP no PostgreSQL server installed\n");
            exit(0);
        }
        return false;
    }
    url[strcspn(url, "\n")] = '\0';
    atexit(mld_test_pg_stop_);
    return true;
}

/* Starts the cluster (mld_test_pg_start) and connects p to its database,
 * which applies this build's migrations (pg_connect). Returns false after
 * a failed check. */
static __attribute__((unused)) bool
mld_test_pg_migrated(struct pg *p)
{
    char url[256];
    if (!mld_test_pg_start(url, sizeof(url))) {
        ok(false, "start a throwaway PostgreSQL cluster (tests/harness/pgtmp.sh)");
        return false;
    }
    struct mld_err err = {0};
    return ok(pg_connect(p, url, false, &err) == 0, "the migrations load: %s", err.msg);
}

#endif
