/*
 * Tests for ratelimit.c: free failures, doubling waits up to the cap, a
 * success forgetting a key, keys kept apart, forgetting after
 * MLD_RATELIMIT_FORGET_SECS, long keys cut, and a table that stays within
 * its slots when many keys fail (the oldest give way).
 */
#include "../../../src/web/ratelimit.c"

#include <stdio.h>

#include "test.h"

#define T0 ((mld_time_t)1760000000)

static void
test_backoff(void)
{
    struct mld_ratelimit *rl = mld_ratelimit_new(3, 4, 30);
    is_int(mld_ratelimit_check(rl, "192.0.2.1", T0), 0, "an unknown key may go");
    for (int i = 0; i < 3; i++)
        is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0), 0, "failure %d is free", i + 1);
    is_int(mld_ratelimit_check(rl, "192.0.2.1", T0), 0, "after 3 free failures: no wait");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0), 4, "the 4th failure: 4 s");
    is_int(mld_ratelimit_check(rl, "192.0.2.1", T0 + 1), 3, "a second later: 3 s left");
    is_int(mld_ratelimit_check(rl, "192.0.2.2", T0 + 1), 0, "another key may go");
    is_int(mld_ratelimit_check(rl, "192.0.2.1", T0 + 4), 0, "after the wait: go");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0 + 4), 8, "the 5th failure: 8 s");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0 + 12), 16, "the 6th: 16 s");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0 + 28), 30, "the 7th: the cap, 30 s");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0 + 58), 30, "the 8th: still 30 s");
    mld_ratelimit_ok(rl, "192.0.2.1");
    is_int(mld_ratelimit_check(rl, "192.0.2.1", T0 + 59), 0, "a success forgets the key");
    is_int(mld_ratelimit_fail(rl, "192.0.2.1", T0 + 59), 0, "... its failures are free again");

    /* Forgotten after a quiet hour. */
    for (int i = 0; i < 5; i++)
        mld_ratelimit_fail(rl, "konto-anna", T0);
    ok(mld_ratelimit_check(rl, "konto-anna", T0) > 0, "an account name as key waits");
    for (int i = 0; i < 3; i++)
        is_int(mld_ratelimit_fail(rl, "konto-anna", T0 + MLD_RATELIMIT_FORGET_SECS + 100), 0,
               "an hour later failure %d is free again", i + 1);
    mld_ratelimit_free(rl);
}

static void
test_bounded(void)
{
    struct mld_ratelimit *rl = mld_ratelimit_new(0, 60, 60);
    /* Long keys are cut to MLD_RATELIMIT_MAX_KEY_BYTES: two that share the
     * first bytes are one key. */
    char a[200], b[200];
    memset(a, 'x', sizeof(a) - 1);
    a[sizeof(a) - 1] = '\0';
    memcpy(b, a, sizeof(b));
    b[150] = 'y';
    mld_ratelimit_fail(rl, a, T0);
    is_int(mld_ratelimit_check(rl, b, T0), 60, "a long key is cut: same prefix, same key");

    /* Many more keys than slots: the table does not grow, every key
     * failing now waits, and the earliest keys gave way. */
    char key[32];
    int waiting = 0;
    for (int i = 0; i < 4 * MLD_RATELIMIT_MAX_KEYS; i++) {
        snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
        mld_ratelimit_fail(rl, key, T0 + i);
    }
    for (int i = 3 * MLD_RATELIMIT_MAX_KEYS; i < 4 * MLD_RATELIMIT_MAX_KEYS; i++) {
        snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
        waiting += mld_ratelimit_check(rl, key, T0 + i) > 0;
    }
    ok(waiting > MLD_RATELIMIT_MAX_KEYS / 2, "most recent keys are kept (%d of %d)", waiting,
       MLD_RATELIMIT_MAX_KEYS);
    snprintf(key, sizeof(key), "10.0.0.0");
    is_int(mld_ratelimit_check(rl, key, T0 + 1), 0, "the first key gave way");
    mld_ratelimit_free(rl);
}

int
main(void)
{
    test_backoff();
    test_bounded();
    return mld_test_done();
}
