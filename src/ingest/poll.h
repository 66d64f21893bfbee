/*
 * poll.h - polling HTTP(S) sources on a schedule.
 *
 * Sources come from the configuration file (see etc/meldung.conf.example):
 *
 *     [poll]
 *     concurrency = 8        # fetches in flight at once
 *     per_host = 2           # of them to one host:port
 *
 *     [source heise]
 *     url = https://www.heise.de/rss/heise-atom.xml
 *     interval = 5m          # seconds, or with s/m/h; default 300
 *     timeout = 60           # seconds for one fetch; default 60
 *     format = auto          # or a format name: digitalwires, rss, ...
 *     section = Digital      # optional: the section of items no category
 *                            # mapping places (enrich.h)
 *
 * The poller picks the sources that are due, fetches them through a
 * fetcher (fetch.h) within the concurrency limits, and for each answer:
 *
 *   304 (or 204)  nothing to parse: a success;
 *   200           the format is detected (unless forced) and the document
 *                 handed to the store hook, which parses, enriches and
 *                 stores it together with the new source state in one
 *                 transaction;
 *   anything else, a failed fetch or a document that does not parse:
 *                 a failure.
 *
 * After a success the next poll is one interval later. After the k-th
 * failure in a row it is 2^k intervals later (at least one interval, at
 * most MLD_POLL_BACKOFF_MAX_SECS), less up to a quarter for jitter, and
 * never sooner than a Retry-After asked (up to
 * MLD_POLL_MAX_RETRY_AFTER_SECS). A document that failed to parse goes to
 * the quarantine folder, once per distinct error.
 *
 * ingest/ does not know the store: the state a source keeps across runs
 * (conditional-GET validators, health, schedule) is a struct
 * mld_source_state (ingest.h), the one type the store keeps too, loaded
 * and saved through hooks the caller implements (the CLI passes it to
 * store.h's source table). One poller runs in one
 * thread, and calls the hooks from it.
 */
#ifndef MLD_POLL_H
#define MLD_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/config.h"
#include "../base/err.h"
#include "../base/time.h"
#include "ingest.h"

/* One configured source. */
struct mld_poll_source {
    char *name;                      /* [source NAME]: letters, digits, - _ . */
    char *url;                       /* http:// or https:// */
    int interval;                    /* seconds between polls, >= 1 */
    int timeout;                     /* seconds for one fetch, >= 1 */
    const struct mld_format *format; /* forced format, or NULL to detect */
    char *section;                   /* section of its items when no category mapping
                                        places them (enrich.h), or NULL */
};

/* Poller-wide settings ([poll] in the configuration). */
struct mld_poll_options {
    int concurrency;        /* fetches in flight at once (MLD_POLL_CONCURRENCY) */
    int per_host;           /* of them to one host:port (MLD_POLL_PER_HOST) */
    const char *quarantine; /* folder for documents that failed, or NULL for none */
};

/* Reads every [source NAME] section of cfg into a new array of *n (free
 * with mld_poll_sources_free), and the [poll] section into opt (defaults
 * for what it leaves out; opt->quarantine stays as the caller set it
 * unless the section names one, then it points into cfg). Unknown keys,
 * a missing or non-http(s) url, numbers out of range, unknown formats,
 * bad or repeated names are errors: MLD_E_PARSE with err saying
 * "path:line: reason". No sources at all is not an error (*n = 0). */
int mld_poll_config_load(const struct mld_config *cfg, struct mld_poll_source **out, int *n,
                         struct mld_poll_options *opt, struct mld_err *err);

/* Frees an array from mld_poll_config_load(); NULL is fine. */
void mld_poll_sources_free(struct mld_poll_source *v, int n);

/* How the poller reaches persistence; each hook gets the ud given to
 * mld_poller_new(). */
struct mld_poll_hooks {
    /* Fills st (zeroed by the caller) with the saved state of src. Returns
     * 0, MLD_E_NOTFOUND for a source never seen (st stays zero), or an
     * error with err set. */
    int (*load)(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
                struct mld_err *err);

    /* Saves st as src's state. Returns 0 or an error with err set. */
    int (*save)(void *ud, const struct mld_poll_source *src, const struct mld_source_state *st,
                struct mld_err *err);

    /* Parses doc[0..len) with fmt (from names it in messages), stores
     * every article, adds the number stored (new or updated) to
     * st->items, raises st->newest_item, and saves st (already set for
     * success: validators, last_success, next_attempt), all in one
     * transaction. Returns 0, or an error with err set "from->name: ..."
     * and nothing stored, st's saved copy unchanged. */
    int (*store)(void *ud, const struct mld_poll_source *src, const char *doc, size_t len,
                 const struct mld_source *from, const struct mld_format *fmt,
                 struct mld_source_state *st, struct mld_err *err);

    /* May be NULL. Asked before each fetch of src, for pollers on
     * several nodes sharing one store: returns 1 when this poller is to
     * fetch src now (release() follows once its state is saved), 0 when
     * not (another node is fetching it, or fetched it since st was read:
     * st then holds the saved state, next attempt included), or an error
     * with err set (the fetch waits MLD_POLL_CLAIM_RETRY_SECS). */
    int (*claim)(void *ud, const struct mld_poll_source *src, struct mld_source_state *st,
                 struct mld_err *err);
    void (*release)(void *ud, const struct mld_poll_source *src);
};

/* What a poller did since it was made. */
struct mld_poll_counts {
    long polls;     /* fetches that ended */
    long changed;   /* 200 answers stored */
    long unchanged; /* 304 (and 204) answers */
    long failed;    /* failures of any kind */
    long items;     /* articles stored (new or updated) */
};

struct mld_poller;

/* Makes a poller over srcs[0..n) (borrowed: they must outlive it), loads
 * each source's state through hooks->load (a source whose saved URL
 * differs from its configured one starts afresh: no validators, no
 * back-off). Returns 0 and *out, or the first load error. */
int mld_poller_new(struct mld_poller **out, const struct mld_poll_source *srcs, int n,
                   const struct mld_poll_options *opt, const struct mld_poll_hooks *hooks, void *ud,
                   struct mld_err *err);

/* One round: polls every source that is due now (every source when
 * force is true, ignoring schedule and back-off), and returns when all
 * of them have been handled. Returns the number polled. */
int mld_poller_round(struct mld_poller *p, bool force);

/* One step of continuous polling: starts the sources that became due,
 * waits up to max_wait_ms for fetches to progress (or for the next
 * source to become due), and handles the fetches that ended. Call it in
 * a loop; stopping between two calls abandons fetches in flight. */
void mld_poller_step(struct mld_poller *p, int max_wait_ms);

/* The state of source i (as last saved), for reports. */
const struct mld_source_state *mld_poller_state(const struct mld_poller *p, int i);

/* Copies the poller's counters to out. */
void mld_poller_counts(const struct mld_poller *p, struct mld_poll_counts *out);

/* Frees p, abandoning fetches in flight; NULL is fine. */
void mld_poller_free(struct mld_poller *p);

/* Seconds to wait after the failures-th failure in a row (>= 1) of a
 * source polled every interval seconds, with retry_after (-1 = none)
 * asked by the server; *rng is the jitter's random state (any non-zero
 * seed). See the top of this file for the rule. */
long mld_poll_backoff(int failures, int interval, long retry_after, uint64_t *rng);

#endif
