/*
 * load.h - one wire document into the store: the path every transport
 * shares (`meldung ingest` files and URLs, the poller, the drop folder).
 *
 * A document is one transaction: its format is detected (unless given),
 * every entry parsed, enriched and stored, then committed; any failure
 * rolls the whole document back. A source's state can be saved in the
 * same transaction, so its conditional-GET validators and item count
 * never disagree with the articles stored.
 */
#ifndef MLD_LOAD_H
#define MLD_LOAD_H

#include <stddef.h>

#include "../base/err.h"
#include "../base/time.h"
#include "../ingest/ingest.h"
#include "../store/store.h"

/* What a document brought. */
struct mld_load_counts {
    long inserted;     /* new articles */
    long updated;      /* newer versions of known ones */
    long stale;        /* older or equal versions, kept in history */
    long duplicate;    /* deliveries seen before, skipped */
    mld_time_t newest; /* latest version_created among inserted/updated; 0 = none */
};

/* A document's articles, parsed and enriched, not yet stored, each with
 * its story features (text/similar.h). */
struct mld_parsed {
    struct mld_article **v;
    struct mld_sim_features *features; /* features[i] of v[i] */
    int n;
    const char *source_section; /* while parsing: the source's section, or NULL */
};

/* Parses doc[0..len) (fmt, or the detected format when fmt is NULL) with
 * src describing where it came from, enriches every article and computes
 * its story features, into out (empty on failure). Touches no store: `meldung ingest` runs it in a
 * thread of its own. Returns 0, MLD_E_UNSUPPORTED for an unknown format,
 * or the parser's error, with err set. */
int mld_load_parse(const char *doc, size_t len, const struct mld_source *src,
                   const struct mld_format *fmt, struct mld_parsed *out, struct mld_err *err);

/* Frees the articles of p and empties it. */
void mld_parsed_dispose(struct mld_parsed *p);

/* Stores the articles of p in one transaction, as mld_load_doc() does
 * (counts and state alike); p is left as it was. */
int mld_load_store(struct mld_store *st, const struct mld_parsed *p, struct mld_load_counts *counts,
                   struct mld_source_state *state, struct mld_err *err);

/* Parses doc[0..len) (fmt, or the detected format when fmt is NULL) with
 * src describing where it came from, and stores every article in one
 * transaction. When state is not NULL, state->items grows by the articles
 * inserted or updated, state->newest_item rises to their newest
 * version_created, and state is saved in the same transaction. Returns 0
 * and adds to *counts (when not NULL), or an error with err set and
 * nothing stored (counts and the saved state untouched; state's items
 * and newest_item may have changed in memory): MLD_E_UNSUPPORTED for an
 * unknown format, a parser's error, or MLD_E_STORE. */
int mld_load_doc(struct mld_store *st, const char *doc, size_t len, const struct mld_source *src,
                 const struct mld_format *fmt, struct mld_load_counts *counts,
                 struct mld_source_state *state, struct mld_err *err);

#endif
