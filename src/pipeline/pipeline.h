/*
 * pipeline.h - one wire document into the store: the one path every
 * transport takes (`meldung ingest` files and URLs, the poller, the drop
 * folder, the push endpoint), so the same rules hold wherever an item
 * comes from.
 *
 * A document is one transaction: its format is detected (unless given),
 * every entry parsed, checked, enriched and stored, then committed; any
 * failure rolls the whole document back. A source's state can be saved
 * in the same transaction, so its conditional-GET validators and item
 * count never disagree with the articles stored.
 *
 * The rules, applied to each entry in this order (docs/internals/ingest.md):
 *
 *   0. whole or not at all: an entry whose body or teaser is not all the
 *      source sent (article.incomplete: the sanitiser refused it, or it
 *      was over a limit) fails the whole document with
 *      "SOURCE: entry N (URN): incomplete: WHY" (the article's
 *      incomplete_code), so its transport quarantines it or answers 422.
 *      A source with keep_incomplete (ingest --keep-incomplete, every
 *      polled feed) stores what is left instead, with a
 *      warning line of the same form ("stored incomplete") and a count.
 *   1. refuse: an entry with neither headline nor text nor media, or
 *      with a version outside 1 to MLD_MAX_VERSION (one of INT64_MAX
 *      would leave no room for the correction that replaces it), is not
 *      stored; a line "SOURCE: entry N (URN): refused: ..." reports it and
 *      it counts as refused. The other entries of the document are stored.
 *      When every entry of a document is refused, the document fails with
 *      that reason (MLD_E_PARSE) and its transport quarantines it.
 *   2. headline: an entry without a headline gets one made from the first
 *      sentence of its teaser or text (mld_pipeline_headline), with a
 *      warning line naming source and entry; a media-only entry gets one
 *      from its first caption (or the kind of media).
 *   3. hold: a media-only entry is held (hold_reason set) unless its parser
 *      held it already; an entry with hold_reason gets MLD_PUB_HELD unless
 *      it is withdrawn. Held entries are stored, never shown, counted held.
 *   4. section: enrich gets the source's configured section (src->section).
 *   5. date: an entry without version_created is dated when it is stored:
 *      a known URN keeps the date of its first delivery
 *      (mld_store_first_date), a new one gets "now", with date_source
 *      MLD_DATE_SEEN; never 1970. A known URN dated only by its feed
 *      (MLD_DATE_CHANNEL, which moves with every rebuild of the feed)
 *      keeps its first date the same way, so a re-poll is no update.
 *   6. future: an entry dated (version_created or updated) more than
 *      [ingest] future_skew (default MLD_FUTURE_SKEW_SECS, a day) after
 *      its receipt loses that date and is dated as in rule 5 (a year-9999
 *      item would top its section for good), with a warning line naming
 *      source, entry and date; it counts as dated in the future (and as
 *      dated by first sight).
 */
#ifndef MLD_PIPELINE_H
#define MLD_PIPELINE_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/time.h"
#include "../ingest/ingest.h"
#include "../store/store.h"
#include "../text/analyze.h"

/* Columns of the search index recorded per article: headline, kicker,
 * text (the order of the index's columns, src/store/sql/0003_search.sql). */
#define MLD_PIPELINE_INDEX_COLS MLD_RECS

/* What documents brought. */
struct mld_pipeline_counts {
    long inserted;  /* new articles (usable, withheld) */
    long updated;   /* newer versions of known ones */
    long stale;     /* older or equal versions, kept in history */
    long duplicate; /* deliveries seen before, skipped */
    long withdrawn; /* withdrawals written (new or newer version, canceled) */
    long held;      /* held entries written (new or newer version, MLD_PUB_HELD) */
    long refused;   /* entries not stored: neither headline nor text nor media, or a
                       version outside 1 to MLD_MAX_VERSION */
    long future;    /* entries dated more than [ingest] future_skew after their
                       receipt, dated by first sight instead (rule 6) */
    long incomplete; /* entries stored without all of their body (keep_incomplete) */
    long dated[MLD_DATE_SOURCES]; /* written entries by enum mld_date_source */
    mld_time_t newest; /* latest version_created among those written; 0 = none */
};

/* A document's articles, parsed, checked and enriched, not yet stored,
 * each with its story features (text/similar.h), and the warnings the
 * rules gave (one line each, reported by mld_pipeline_store). */
struct mld_parsed {
    struct mld_article **v;
    struct mld_sim_features *features; /* features[i] of v[i] */
    /* tokens[MLD_PIPELINE_INDEX_COLS * i + k]: the search index's tokens of
     * v[i]'s headline, kicker and text (empty unless v[i] is usable),
     * offered to the store with the put (mld_store_offer_tokens). */
    struct mld_token_rec *tokens;
    int n;
    char **notes; /* warning lines, "SOURCE: entry N ...: ..." */
    int nnotes;
    long refused; /* entries refused */
    long future;  /* entries whose future date rule 6 dropped */
    long notes_dropped; /* warning lines over MLD_PIPELINE_MAX_NOTES */
    long incomplete;    /* entries kept incomplete (rule 0) */
    /* While parsing only: */
    const struct mld_source *src;
    int entries; /* entries handed over so far */
    int fail_code;                 /* rule 0 refused the document: why */
    char fail_msg[MLD_ERR_MSG_MAX];
};

/* Parses doc[0..len) (fmt, or the detected format when fmt is NULL) with
 * src describing where it came from, applies the rules above, enriches
 * every article and computes its story features, into out (empty on
 * failure). Touches no store: `meldung ingest` runs it in a thread of its
 * own. Returns 0, MLD_E_UNSUPPORTED for an unknown format, the parser's
 * error, or MLD_E_PARSE when every entry was refused, with err set. */
int mld_pipeline_parse(const char *doc, size_t len, const struct mld_source *src,
                       const struct mld_format *fmt, struct mld_parsed *out, struct mld_err *err);

/* Frees the articles and notes of p and empties it. */
void mld_parsed_dispose(struct mld_parsed *p);

/* Stores the articles of p in one transaction, as mld_pipeline_doc()
 * does (counts and state alike), dating undated ones (rule 5), and after
 * COMMIT logs p's notes as warnings; p's articles keep their dates. */
int mld_pipeline_store(struct mld_store *st, struct mld_parsed *p,
                       struct mld_pipeline_counts *counts, struct mld_source_state *state,
                       struct mld_err *err);

/* Parses doc[0..len) (fmt, or the detected format when fmt is NULL) with
 * src describing where it came from, and stores every article in one
 * transaction. When state is not NULL, state->items grows by the articles
 * written (new, updated, held, withdrawn), state->newest_item rises to
 * their newest version_created, and state is saved in the same
 * transaction. Returns 0 and adds to *counts (when not NULL), or an error
 * with err set "src->name: ..." and nothing stored (counts and the saved
 * state untouched; state's items and newest_item may have changed in
 * memory): MLD_E_UNSUPPORTED for an unknown format, a parser's error,
 * MLD_E_PARSE when every entry was refused, or MLD_E_STORE. */
int mld_pipeline_doc(struct mld_store *st, const char *doc, size_t len,
                     const struct mld_source *src, const struct mld_format *fmt,
                     struct mld_pipeline_counts *counts, struct mld_source_state *state,
                     struct mld_err *err);

struct mld_config;

/* Applies the [ingest] section of cfg (NULL: none) to every later parse
 * of the process: future_skew = DURATION ("86400", "36h", "2d"; 0 to
 * MLD_FUTURE_SKEW_MAX_SECS). Returns 0, or MLD_E_PARSE with err saying
 * "FILE:LINE: reason" for a bad value, an unknown key or a named
 * section. */
int mld_pipeline_configure(const struct mld_config *cfg, struct mld_err *err);

/* Adds every counter of from to to (newest: the later). */
void mld_pipeline_counts_add(struct mld_pipeline_counts *to,
                             const struct mld_pipeline_counts *from);

/* Appends to b what the summary line adds to new/updated/older/duplicates:
 * ", 2 withdrawn, 1 held, 1 refused, 1 dated in the future" and "; 3 dated by first sight" (and
 * the other date fallbacks), each only when non-zero; nothing when all
 * are zero. */
void mld_pipeline_counts_extra(const struct mld_pipeline_counts *c, struct mld_buf *b);

/* Makes a headline from text (plain text; NULL or blank gives ""): its
 * first sentence without a closing full stop, cut at a word boundary
 * before MLD_HEADLINE_MADE_CHARS characters and then ending in "…".
 * Writes at most size - 1 bytes and a NUL to out; returns the length. */
size_t mld_pipeline_headline(const char *text, char *out, size_t size);

/* Keeps a document that failed (why) in the quarantine folder qdir under
 * name, with the permission bits mode (the source file's; 0 when unknown:
 * 0600), logging a line when that fails: the one way every transport
 * quarantines (quarantine.h). Returns 0, MLD_E_IO or MLD_E_FULL. */
int mld_pipeline_quarantine(const char *qdir, const char *name, const char *doc, size_t len,
                            unsigned mode, const struct mld_err *why);

#endif
