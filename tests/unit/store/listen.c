/*
 * tests/unit/store/listen.c - waiting for changes (store.h, listen.c):
 * on SQLite a wait is a sleep of the time given; on PostgreSQL
 * (MELDUNG_TEST_PG, `make check PG=1`) a notice on MLD_STORE_CHANNEL,
 * sent by another connection, ends the wait (reported as heard), at
 * COMMIT when sent in a transaction, and a wait without one times out.
 */
#include "../../../src/store/listen.c"

#include <stdlib.h>

#include "test.h"

int
main(void)
{
    struct mld_err err = {0};
    struct mld_store_listen *l = NULL;
    ok(mld_store_listen_open(&l, "/tmp/mld-listen-none.db", &err) == 0, "SQLite: a listener");
    ok(!mld_store_listen_wait(l, 50), "SQLite: a wait ends without a notice");
    mld_store_listen_close(l);

    const char *url = getenv("MELDUNG_TEST_PG");
    if (url == NULL || url[0] == '\0') {
        diag("PostgreSQL: not tried, MELDUNG_TEST_PG is not set (make check PG=1)");
        return mld_test_done();
    }
    ok(mld_store_listen_open(&l, url, &err) == 0 && l->listening, "PostgreSQL: listening");
    ok(!mld_store_listen_wait(l, 50), "PostgreSQL: no notice in 50 ms");
    struct pg p;
    if (ok(pg_connect(&p, url, false, &err) == 0, "a second connection: %s", err.msg)) {
        ok(pg_run(&p, "NOTIFY " MLD_STORE_CHANNEL, "notify", &err) == 0, "notify: %s", err.msg);
        ok(mld_store_listen_wait(l, 5000), "PostgreSQL: the notice ends the wait");
        ok(pg_begin(&p, &err) == 0 &&
               pg_run(&p, "NOTIFY " MLD_STORE_CHANNEL, "notify", &err) == 0,
           "a notice inside a transaction");
        ok(!mld_store_listen_wait(l, 100), "... is not delivered before COMMIT");
        ok(pg_commit(&p, &err) == 0 && mld_store_listen_wait(l, 5000), "... but at COMMIT");
        pg_disconnect(&p);
    }
    mld_store_listen_close(l);
    return mld_test_done();
}
