/*
 * listen.c - waiting for changes to the store (store.h, "Waiting for
 * changes"): PostgreSQL's LISTEN on a connection of its own, so that a
 * commit on any node wakes every serving node at once.
 *
 * The notice carries nothing: the change log stays the truth, and a node
 * reads it after each wait whether or not a notice came (a notice lost
 * while the connection was down costs at most one wait). A hot standby
 * takes no LISTEN; there, and on SQLite, a wait is a plain sleep.
 */
#include "store.h"

#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "pg_int.h"

/* How often a lost connection is tried again (seconds). */
#define RECONNECT_SECS 5

struct mld_store_listen {
    char *url;          /* NULL: nothing to listen to (SQLite) */
    struct pg pg;       /* connected when pg.conn != NULL */
    bool listening;     /* LISTEN took (not a standby) */
    mld_time_t retry;   /* when to connect again */
};

/* Connects and LISTENs; quiet on failure (the wait sleeps instead). */
static void
connect_listen(struct mld_store_listen *l)
{
    struct mld_err err = {0};
    l->retry = mld_time_now() + RECONNECT_SECS;
    if (pg_open(&l->pg, l->url, false, &err) != 0) {
        mld_log_warn("store: cannot listen for changes: %s (reading the change log on a timer)",
                     err.msg);
        return;
    }
    l->listening = pg_run(&l->pg, "LISTEN " MLD_STORE_CHANNEL, "listen", &err) == 0;
    if (!l->listening)
        mld_log_info("store: %s (a standby?): reading the change log on a timer", err.msg);
}

int
mld_store_listen_open(struct mld_store_listen **out, const char *db, struct mld_err *err)
{
    (void)err;
    struct mld_store_listen *l = MLD_NEW(struct mld_store_listen);
    if (pg_is_url(db)) {
        l->url = mld_strdup(db);
        connect_listen(l);
    }
    *out = l;
    return 0;
}

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

bool
mld_store_listen_wait(struct mld_store_listen *l, int ms)
{
    if (l->url != NULL && l->pg.conn != NULL && PQstatus(l->pg.conn) != CONNECTION_OK) {
        mld_log_warn("store: the listening connection was lost; reconnecting");
        pg_disconnect(&l->pg);
        l->listening = false;
    }
    if (l->url != NULL && l->pg.conn == NULL && mld_time_now() >= l->retry)
        connect_listen(l);
    if (!l->listening) {
        sleep_ms(ms);
        return false;
    }
    struct pollfd p = {.fd = PQsocket(l->pg.conn), .events = POLLIN};
    if (poll(&p, 1, ms) > 0)
        PQconsumeInput(l->pg.conn);
    bool heard = false;
    for (PGnotify *n; (n = PQnotifies(l->pg.conn)) != NULL; PQfreemem(n))
        heard = true;
    return heard;
}

void
mld_store_listen_close(struct mld_store_listen *l)
{
    if (l == NULL)
        return;
    if (l->pg.conn != NULL)
        pg_disconnect(&l->pg);
    mld_free(l->url);
    mld_free(l);
}
