/*
 * ratelimit.c - back-off for failed attempts (see ratelimit.h).
 *
 * The table is MLD_RATELIMIT_MAX_KEYS slots, allocated with the limiter.
 * A key lives in one of PROBE consecutive slots starting at its hash, so
 * a lookup reads at most PROBE slots and an attacker cycling through many
 * keys can only push out the least recently failed key of one window,
 * never grow the table. A slot is free when its key is empty or its last
 * failure is older than MLD_RATELIMIT_FORGET_SECS and it waits no more.
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "../base/limits.h"
#include "../base/mem.h"

/* Slots a key may occupy, counted from its hash. */
#define PROBE 8

struct slot {
    char key[MLD_RATELIMIT_MAX_KEY_BYTES + 1]; /* "" = free */
    int fails;                                 /* failures in a row */
    mld_time_t last_fail;                      /* time of the last one */
    mld_time_t until;                          /* blocked before this time; 0 = not */
};

struct mld_ratelimit {
    pthread_mutex_t lock;  /* guards slots */
    int free_fails;        /* failures before the first wait */
    int base_secs;         /* first wait */
    int max_secs;          /* longest wait */
    struct slot *slots;    /* MLD_RATELIMIT_MAX_KEYS of them */
};

struct mld_ratelimit *
mld_ratelimit_new(int free_fails, int base_secs, int max_secs)
{
    struct mld_ratelimit *rl = MLD_NEW(struct mld_ratelimit);
    pthread_mutex_init(&rl->lock, NULL);
    rl->free_fails = free_fails < 0 ? 0 : free_fails;
    rl->base_secs = base_secs < 1 ? 1 : base_secs;
    rl->max_secs = max_secs < rl->base_secs ? rl->base_secs : max_secs;
    rl->slots = mld_reallocarray(NULL, MLD_RATELIMIT_MAX_KEYS, sizeof(struct slot));
    memset(rl->slots, 0, MLD_RATELIMIT_MAX_KEYS * sizeof(struct slot));
    return rl;
}

void
mld_ratelimit_free(struct mld_ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    mld_free(rl->slots);
    mld_free(rl);
}

/* True when sl holds nothing worth keeping at now. */
static bool
stale(const struct slot *sl, mld_time_t now)
{
    return sl->key[0] == '\0' ||
           (now - sl->last_fail > MLD_RATELIMIT_FORGET_SECS && sl->until <= now);
}

/* Returns key's slot, or with add a slot made for it (a free one of its
 * window, else the one whose last failure is oldest); NULL when absent
 * and not added. With rl->lock held. */
static struct slot *
find(struct mld_ratelimit *rl, const char *key, mld_time_t now, bool add)
{
    char k[MLD_RATELIMIT_MAX_KEY_BYTES + 1];
    size_t n = strnlen(key, MLD_RATELIMIT_MAX_KEY_BYTES);
    memcpy(k, key, n);
    k[n] = '\0';
    size_t start = (size_t)(XXH3_64bits(k, n) % MLD_RATELIMIT_MAX_KEYS);
    struct slot *spare = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        struct slot *sl = &rl->slots[(start + i) % MLD_RATELIMIT_MAX_KEYS];
        if (sl->key[0] != '\0' && strcmp(sl->key, k) == 0)
            return sl;
        if (spare == NULL || (!stale(spare, now) &&
                              (stale(sl, now) || sl->last_fail < spare->last_fail)))
            spare = sl;
    }
    if (!add)
        return NULL;
    memset(spare, 0, sizeof(*spare));
    memcpy(spare->key, k, n + 1);
    return spare;
}

long
mld_ratelimit_check(struct mld_ratelimit *rl, const char *key, mld_time_t now)
{
    pthread_mutex_lock(&rl->lock);
    const struct slot *sl = find(rl, key, now, false);
    long wait = sl != NULL && sl->until > now ? (long)(sl->until - now) : 0;
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

long
mld_ratelimit_fail(struct mld_ratelimit *rl, const char *key, mld_time_t now)
{
    pthread_mutex_lock(&rl->lock);
    struct slot *sl = find(rl, key, now, true);
    if (stale(sl, now)) /* new, or failed long ago: start over */
        sl->fails = 0;
    sl->fails++;
    sl->last_fail = now;
    long wait = 0;
    if (sl->fails > rl->free_fails) {
        int over = sl->fails - rl->free_fails - 1; /* 0 for the first wait */
        wait = rl->base_secs;
        while (over-- > 0 && wait < rl->max_secs)
            wait *= 2;
        if (wait > rl->max_secs)
            wait = rl->max_secs;
        sl->until = now + wait;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void
mld_ratelimit_ok(struct mld_ratelimit *rl, const char *key)
{
    pthread_mutex_lock(&rl->lock);
    struct slot *sl = find(rl, key, 0, false);
    if (sl != NULL)
        memset(sl, 0, sizeof(*sl));
    pthread_mutex_unlock(&rl->lock);
}
