/*
 * ratelimit.h - back-off for failed attempts, keyed by a string.
 *
 * A limiter remembers, per key (a client address, an account name), how
 * many attempts failed in a row and until when the key must wait. The
 * first `free_fails` failures cost nothing; each further one blocks the
 * key for base_secs, doubled per failure, at most max_secs. A success
 * forgets the key. Callers ask before the attempt:
 *
 *     long wait = mld_ratelimit_check(rl, client, now);
 *     if (wait > 0)
 *         return 429 with "Retry-After: <wait>";
 *     if (credentials_ok(...))
 *         mld_ratelimit_ok(rl, client);
 *     else
 *         mld_ratelimit_fail(rl, client, now);
 *
 * Memory is bounded: at most MLD_RATELIMIT_MAX_KEYS keys in a fixed
 * table allocated once; a key is found among a few slots picked by its
 * hash, and when they are all taken the one whose last failure is oldest
 * is forgotten. A key unused for MLD_RATELIMIT_FORGET_SECS is forgotten
 * too. Keys longer than MLD_RATELIMIT_MAX_KEY_BYTES are cut. Every
 * function is thread-safe (one mutex per limiter) and O(1).
 */
#ifndef MLD_RATELIMIT_H
#define MLD_RATELIMIT_H

#include "../base/time.h"

struct mld_ratelimit;

/* Makes a limiter: free_fails failures pass, then waits of base_secs,
 * doubling, at most max_secs. Never NULL. */
struct mld_ratelimit *mld_ratelimit_new(int free_fails, int base_secs, int max_secs);

/* Frees rl; NULL is fine. */
void mld_ratelimit_free(struct mld_ratelimit *rl);

/* Returns the seconds key must still wait at now (0: go ahead). */
long mld_ratelimit_check(struct mld_ratelimit *rl, const char *key, mld_time_t now);

/* Records a failed attempt of key at now; returns the seconds key must
 * now wait before the next one (0 while failures are still free). */
long mld_ratelimit_fail(struct mld_ratelimit *rl, const char *key, mld_time_t now);

/* Records a success of key: its failures are forgotten. */
void mld_ratelimit_ok(struct mld_ratelimit *rl, const char *key);

#endif
