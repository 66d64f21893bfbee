/*
 * push.h - POST /api/v1/push: agencies and editors push wire documents.
 *
 * A client sends one document (any format meldung reads: the sniffers of
 * ingest.h decide, Content-Type is only passed on) with
 * "Authorization: Bearer TOKEN". The document goes through the pipeline
 * every transport shares (pipeline.h): parsed whole, checked, enriched, and
 * stored in one store transaction; only after COMMIT returns does the
 * client get 202 Accepted and counts as JSON:
 *
 *     {"stored": 2, "new": 1, "updated": 1, "older": 0, "duplicates": 0,
 *      "withdrawn": 0, "held": 0, "refused": 0, "dated_by_first_sight": 0}
 *
 * (stored = new + updated + older + withdrawn + held: versions written;
 * duplicates are entries delivered before and skipped; refused entries
 * had neither headline nor text nor media, the rest was stored). Errors, each as {"error": "..."}:
 * 401 missing or wrong token (with WWW-Authenticate: Bearer), 405 not
 * POST, 429 too many wrong tokens from this client (Retry-After), 413
 * body over MLD_HTTP_MAX_BODY_BYTES (answered by the server); 401, 404,
 * 405, 413 and 429 come before the body is read (mld_push_admit),
 * 415 not a format meldung reads, 422 malformed ("source: line, column:
 * reason", or every entry refused by the pipeline), 500 the store failed (nothing stored; retry). A document
 * refused with 415 or 422 is copied to the quarantine folder with its
 * reason (quarantine.h) under the name the error message gives it,
 * "push-YYYYMMDDTHHMMSSZ-N.json". The serving process's page cache learns
 * of pushed articles through the store's change log like any other write.
 *
 * Configuration, in the file given to `meldung serve --config`:
 *
 *     [push]
 *     token_sha256 = <64 hex digits: SHA-256 of the token>
 *     quarantine = DIR        # optional; default: quarantine/ beside the store
 *     section = NAME          # optional: section of items no mapping places
 *
 * Only the hash is configured (`meldung token` makes a token and its
 * line); the presented token is hashed and compared in constant time.
 * Without a [push] section the endpoint answers 404.
 */
#ifndef MLD_PUSH_H
#define MLD_PUSH_H

#include <pthread.h>
#include <stddef.h>

#include "../base/config.h"
#include "../base/err.h"
#include "../store/store.h"
#include "http.h"

/* The endpoint's path. */
#define MLD_PUSH_PATH "/api/v1/push"

/* Hex digits of a SHA-256 hash. */
#define MLD_PUSH_HASH_HEX 64

struct mld_push;

/* Reads the [push] section of cfg (which may be NULL). db_path places the
 * default quarantine folder beside the store. Returns 0 with *out set, or
 * with *out NULL when there is no [push] section (the endpoint is off);
 * MLD_E_PARSE with err saying "file:line: reason" for a missing or
 * malformed token_sha256 or an unknown key. Free with mld_push_free(). */
int mld_push_new(struct mld_push **out, const struct mld_config *cfg, const char *db_path,
                 struct mld_err *err);

/* Frees p; NULL is fine. */
void mld_push_free(struct mld_push *p);

/* Answers a request for MLD_PUSH_PATH (see the top of this file); p NULL
 * answers 404. The document is stored through st, which the caller's lock
 * guards: it is taken only around the store transaction, parsing happens
 * outside it. Called concurrently from the server's threads. Returns a
 * finished response the caller hands to the server. */
struct mld_http_resp *mld_push_handle(const struct mld_push *p, const struct mld_http_req *req,
                                      struct mld_store *st, pthread_mutex_t *lock);

/* The admit step for MLD_PUSH_PATH (http.h), before any byte of the body
 * is read: answers 404 (p NULL), 405 (not POST), 429 with Retry-After (a
 * client whose failed tokens earned it a wait: MLD_PUSH_FREE_FAILS free,
 * then MLD_PUSH_BACKOFF_SECS doubling up to MLD_PUSH_BACKOFF_MAX_SECS,
 * keyed by req->client) or 401 (a missing or wrong token; a wrong one
 * counts as a failure, a right one forgets the client's failures).
 * Leaves a->resp NULL when the push may send its body; a->max_body is
 * the caller's. Called concurrently from the server's threads. */
void mld_push_admit(const struct mld_push *p, const struct mld_http_req *req,
                    struct mld_http_admit *a);

/* Writes the SHA-256 of token[0..len) as lowercase hex (and a NUL) to hex. */
void mld_push_token_hash(const char *token, size_t len, char hex[MLD_PUSH_HASH_HEX + 1]);

#endif
