/*
 * live.h - live updates: Server-Sent Events of new, changed and withdrawn
 * articles at MLD_LIVE_PATH (docs/internals/live.md).
 *
 * One hub per site holds the open streams (http.h streaming responses)
 * and their filters. The site's refresh, which reads the store's change
 * log every ~100 ms, hands it the change keys (mld_live_key) and embargo
 * releases (mld_live_released_key), then mld_live_flush() decides which
 * keys are news, formats each event once and writes it to every stream
 * whose filter takes it; writes never wait for a client. A client that
 * comes back with Last-Event-ID gets what it missed from the change log.
 *
 * Every function that takes the store is called with the site's lock
 * held (the store handle and the hub's position in the change log); the
 * hub guards its stream list with its own lock as well.
 */
#ifndef MLD_LIVE_H
#define MLD_LIVE_H

#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/time.h"
#include "http.h"

struct mld_store;
struct mld_item;

/* The endpoint, and the name the first plan of issue 9 gave it. */
#define MLD_LIVE_PATH "/api/v1/stream"
#define MLD_LIVE_PATH_ALIAS "/api/v1/live"

struct mld_live;

/* Makes a hub for at most max_streams open streams (0: the endpoint
 * answers 503 to everyone); base_url (NULL: none) makes event URLs
 * absolute. Never NULL. */
struct mld_live *mld_live_new(int max_streams, const char *base_url);

/* Ends every stream and frees the hub; NULL is fine. */
void mld_live_free(struct mld_live *lv);

/* Answers GET/HEAD MLD_LIVE_PATH: 400 for a bad filter or Last-Event-ID,
 * 503 with Retry-After when max_streams are open, else a stream that
 * first carries what the client missed after its Last-Event-ID (header,
 * or query parameter last_event_id) up to upto, the hub's position in
 * the change log, then the events mld_live_flush() writes. now decides
 * visibility. Returns a finished response. */
struct mld_http_resp *mld_live_handle(struct mld_live *lv, const struct mld_http_req *req,
                                      struct mld_store *st, int64_t upto, mld_time_t now);

/* Notes change-log entry seq (logged at at) with key for the next flush;
 * key "*" (entries were pruned unread) makes the flush send `reset`. */
void mld_live_key(struct mld_live *lv, int64_t seq, mld_time_t at, const char *key);

/* Notes a change key of an embargo release (mld_store_released). */
void mld_live_released_key(struct mld_live *lv, const char *key);

/* Turns the noted keys into events and writes them to the streams whose
 * filters take them; releases are those with embargo in (from, now].
 * last_seq is the hub's new position (the id of release events). Sends a
 * heartbeat comment every MLD_LIVE_HEARTBEAT_SECS and drops ended
 * streams. Returns 0, or MLD_E_STORE (the streams then get `reset`). */
int mld_live_flush(struct mld_live *lv, struct mld_store *st, int64_t last_seq, mld_time_t from,
                   mld_time_t now, struct mld_err *err);

/* The news listener: called by mld_live_flush() for each event it
 * decided, in change-log order, with the event's id (seq), its kind
 * ("article" or "withdrawn") and the article in its current state
 * (borrowed for the call). kind and it are NULL when the flush could not
 * decide (the log was pruned unread, more than MLD_LIVE_MAX_BATCH
 * articles at once, or a store error): news was missed there. */
typedef void (*mld_live_news_fn)(void *ud, int64_t seq, const char *kind,
                                 const struct mld_item *it);

/* Sets the news listener (webhook.h) of the hub; fn NULL removes it.
 * With a listener the hub decides events even when no stream is open. */
void mld_live_on_news(struct mld_live *lv, mld_live_news_fn fn, void *ud);

/* Open streams, for /status and tests. */
int mld_live_streams(struct mld_live *lv);

/* Appends one event to out in the text/event-stream format: "id: ID"
 * (when id >= 0), "event: EVENT" (when not NULL), then data split at
 * every line break (CR LF, CR or LF) into "data: " lines, and the blank
 * line that ends it. Returns mld_buf_error(out). */
int mld_live_format(struct mld_buf *out, int64_t id, const char *event, const char *data);

#endif
