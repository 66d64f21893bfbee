/*
 * purge.h - tells a CDN in front of the site which pages changed.
 *
 * Every cacheable answer names its change keys ("a:123", "s:sport",
 * "all", ...) in a Surrogate-Key header (Fastly: space-separated) and a
 * Cache-Tag header (Cloudflare: comma-separated), written header-safe by
 * mld_purge_header_key(), plus the key "site" that every such answer
 * carries. When the store's change log names keys (mld_site_refresh),
 * the site hands them to a purge queue; a worker thread POSTs them to the
 * operator's [site] purge_url as
 *
 *     {"keys": ["a:123", "s:sport", "all"]}
 *
 * (Authorization: Bearer TOKEN when purge_token is set), so the CDN drops
 * exactly the pages the local page cache drops. The queue is bounded
 * (MLD_PURGE_QUEUE_KEYS); adding never blocks and never fails: past the
 * bound the waiting keys collapse into one purge of "site" (every page).
 * A failed POST (no answer, or a status other than 2xx) is retried with
 * back-off (MLD_PURGE_TRIES, doubling from one second); failures are
 * logged at most once per MLD_PURGE_LOG_SECS. docs/internals/http.md,
 * "Headers for a public site and a CDN".
 */
#ifndef MLD_PURGE_H
#define MLD_PURGE_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"

/* The key every cacheable answer carries: purging it purges the site. */
#define MLD_PURGE_SITE_KEY "site"

/* Writes change key to out (size bytes) in the form the headers and the
 * purge call use: letters, digits and "-._:" as they are, any other byte
 * as %XX (upper-case hex), so a key never holds a space, comma, quote or
 * control byte. The store's "*" (every page) becomes MLD_PURGE_SITE_KEY.
 * Returns false when key is empty or the result, with its NUL, does not
 * fit in size or in MLD_PURGE_MAX_KEY_BYTES. */
bool mld_purge_header_key(const char *key, char *out, size_t size);

struct mld_purge;

/* What a purge worker has done so far, for /status and tests. */
struct mld_purge_stats {
    long sent;      /* batches the purge URL accepted (2xx) */
    long failed;    /* batches given up after MLD_PURGE_TRIES attempts */
    long attempts;  /* POSTs made, successful or not */
    long collapsed; /* times the full queue turned into one "site" purge */
    int pending;    /* keys waiting now */
};

/* Starts a purge worker for url (http or https) with an optional bearer
 * token (NULL or "" for none). Returns 0 and *out, or MLD_E_HTTP with err
 * set (libcurl or the thread would not start). */
int mld_purge_new(struct mld_purge **out, const char *url, const char *token,
                  struct mld_err *err);

/* Queues change key (mapped with mld_purge_header_key; a key that does
 * not map purges "site") without waiting for the worker; a key already
 * waiting is not queued twice. Thread-safe. NULL p is fine (no purge
 * configured). */
void mld_purge_add(struct mld_purge *p, const char *key);

/* Wakes the worker to send what is queued: called once after a batch of
 * mld_purge_add() calls, so one refresh makes one POST. NULL p is fine. */
void mld_purge_kick(struct mld_purge *p);

/* Copies p's counters to out. */
void mld_purge_get_stats(struct mld_purge *p, struct mld_purge_stats *out);

/* Stops the worker (a POST in flight is aborted, waiting keys are
 * dropped) and frees p. NULL is fine. */
void mld_purge_free(struct mld_purge *p);

#endif
