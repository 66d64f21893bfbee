/*
 * store.h - meldung's article store: the one interface to persistence.
 *
 * The store keeps every article under its source id (URN) with its current
 * version and the history of all versions it received, decides version
 * order (digitalwires rule, see mld_article_version_cmp), drops duplicate
 * deliveries, groups articles into stories, and answers the queries the
 * site needs. Each change leaves change keys in a log that a serving
 * process reads to drop exactly the cached pages the change affects
 * (built and parsed only through changekey.h):
 *
 *     "a:ID"        the article with id ID
 *     "s:SLUG"      the section with that slug (lists of the section)
 *     "g:ID"        the story with that id: a member joined, changed or
 *                   left (story pages, story sizes and sections in lists)
 *     "t:SLUG"      the topic with that slug (topic lists, related lists)
 *     "m:YYYY-MM"   the UTC month the article was published in (its
 *                   monthly sitemap)
 *     "all"         pages that show every section (home)
 *     "*"           everything: the log was pruned past what the reader
 *                   had read (mld_store_changes), so drop every page
 *
 * The log keeps the newest MLD_CHANGE_LOG_KEEP keys; each commit prunes
 * the rest.
 *
 * Backends sit behind a function table (store_int.h); SQLite (sqlite.c) is
 * the default. A handle is used by one thread at a time.
 */
#ifndef MLD_STORE_H
#define MLD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/time.h"
#include "../ingest/article.h"
#include "../ingest/ingest.h"
#include "../text/highlight.h"

struct mld_store;

/* Opens (creating if needed) the store at path, e.g. "var/meldung.db", and
 * brings its schema up to date. Returns 0 and *out, or MLD_E_STORE with
 * err naming the file and the reason. */
int mld_store_open(struct mld_store **out, const char *path, struct mld_err *err);

/* Waiting for changes: serve's refresh loop waits on a listener between
 * two reads of the change log. On PostgreSQL every commit that logs
 * change keys sends a notice on MLD_STORE_CHANNEL, and the listener (a
 * connection of its own) ends the wait when one arrives, so a change made
 * on any node reaches every node's cache at once; on SQLite, and on a
 * hot standby (which takes no LISTEN), a wait is a plain sleep. */
#define MLD_STORE_CHANNEL "meldung_change"
struct mld_store_listen;

/* A listener for the store at db. Returns 0 (a listener that cannot
 * connect says so in the log and sleeps, trying again every few seconds). */
int mld_store_listen_open(struct mld_store_listen **out, const char *db, struct mld_err *err);

/* Waits up to ms milliseconds; true when a notice ended the wait. */
bool mld_store_listen_wait(struct mld_store_listen *l, int ms);
void mld_store_listen_close(struct mld_store_listen *l);

/* True when db names a PostgreSQL database ("postgres://...",
 * "postgresql://...") rather than a SQLite file. */
bool mld_store_is_url(const char *db);

/* Whether there is a store at db: a file (SQLite). A database URL counts
 * as there; opening it says otherwise. */
bool mld_store_exists(const char *db);

/* Writes to out the quarantine folder beside the store at db, which
 * ingest, poll, push and /metrics default to: DIR/quarantine for the
 * file DIR/NAME; for a database URL, which has no folder,
 * MLD_STORE_URL_QUARANTINE (beside the default store, var/meldung.db). */
#define MLD_STORE_URL_QUARANTINE "var/quarantine"
void mld_store_quarantine_dir(const char *db, char *out, size_t size);

/* db as messages and logs name it: a file's path, or what a URL connects
 * to without its password ("host=... dbname=... user=..."). */
void mld_store_where(const char *db, char *out, size_t size);

/* Opens another, read-only connection to the store at path, which
 * mld_store_open() has brought up to date: for a thread that only reads
 * (a server's renders), side by side with other readers and one writer.
 * Any write through it fails. Its page cache is small
 * (MLD_STORE_READER_CACHE_KIB): reads come from the memory map. Returns 0
 * and *out, or MLD_E_STORE. */
int mld_store_open_reader(struct mld_store **out, const char *path, struct mld_err *err);

/* A read snapshot, for a connection that only reads (a reader above):
 * every read between mld_store_read_begin() and mld_store_read_end()
 * sees the store as of the first of them, and SQLite takes its read lock
 * once for all of them instead of once per statement (a page render runs
 * a dozen). Not within begin()/commit(). read_begin returns 0 or
 * MLD_E_STORE; read_end ends it (nothing when none is open). */
int mld_store_read_begin(struct mld_store *st, struct mld_err *err);
void mld_store_read_end(struct mld_store *st);

/* Closes st; NULL is fine. */
void mld_store_close(struct mld_store *st);

/* Transactions: one per ingest batch, so a batch costs one fsync. put()
 * outside a transaction runs in one of its own. They nest: begin() inside
 * a transaction opens a savepoint, whose commit() keeps its changes for
 * the enclosing COMMIT and whose rollback() undoes only them - so many
 * all-or-nothing units (one per file) can share one COMMIT. When the
 * engine itself has rolled back the enclosing transaction (after an I/O
 * error), nested begin() and commit() fail with MLD_E_STORE; the caller
 * then rolls back the outer level too. Each begin() is ended, innermost
 * first, by a commit() that succeeds or by a rollback() (also after a
 * failed commit()). */
int mld_store_begin(struct mld_store *st, struct mld_err *err);
/* True when the store's last failed operation failed for lack of space:
 * the database or its disk is full (SQLite's SQLITE_FULL, a write that
 * failed with ENOSPC or EDQUOT, or max_page_count reached). Nothing more
 * can be stored until space is made; an ingest run stops. */
bool mld_store_full(const struct mld_store *st);
int mld_store_commit(struct mld_store *st, struct mld_err *err);
void mld_store_rollback(struct mld_store *st);

/* What mld_store_put() did with a version. */
enum mld_put_result {
    MLD_PUT_INSERTED,  /* a new article */
    MLD_PUT_UPDATED,   /* newer version replaced the shown one */
    MLD_PUT_STALE,     /* older or equal version: kept in history only */
    MLD_PUT_DUPLICATE, /* entry_id seen before: skipped entirely */
};

/* Stores one version of an article (a must have urn; section, topics and
 * story key as enrich left them). Returns 0 with *res and *id (the
 * article's id; 0 for a duplicate), or MLD_E_STORE. */
int mld_store_put(struct mld_store *st, const struct mld_article *a, enum mld_put_result *res,
                  int64_t *id, struct mld_err *err);

struct mld_sim_features;

/* The same with a's story features already computed (f from
 * mld_sim_features_init(f, a), text/similar.h), e.g. on a thread that
 * has time to spare: they are about a seventh of a put's work. */
int mld_store_put_features(struct mld_store *st, const struct mld_article *a,
                           const struct mld_sim_features *f, enum mld_put_result *res,
                           int64_t *id, struct mld_err *err);

struct mld_token_rec;

/* Hands the store token streams recorded ahead (mld_analyze_record with
 * MLD_AN_INDEX, text/analyze.h) of texts the next puts will index: the
 * headline, kicker and text of an article. Writing the search index then
 * replays them instead of analysing the text again, so the analysis can
 * run on a thread that has time to spare. The store takes each record's
 * tokens (r[i] is emptied) and drops them when the transaction ends;
 * a record of a text it does not index costs nothing but memory. */
void mld_store_offer_tokens(struct mld_store *st, struct mld_token_rec *r, int n);


/* An article as pages show it. */
struct mld_item {
    int64_t id;            /* article id: stable, used in URLs */
    int64_t story_id;      /* id of the story's first article */
    mld_time_t published;  /* first publication (after any embargo) */
    char *slug;            /* from the headline */
    char *section_slug;    /* NULL when no section */
    char *story_sections;  /* lists only: the story's sections, newest first,
                              ", "-joined ("Boerse, Ausland"); NULL otherwise */
    int story_size;        /* lists only: visible articles in the story */
    char *story_reason;    /* why the article joined its story (see
                              mld_store_story), NULL for a story's first */
    bool related_fill;     /* related lists only: not related, the fill from the
                              article's own section (mld_store_related) */
    struct mld_article *a; /* the current version */
};

/* Frees the item's fields and a (not the item itself). */
void mld_item_dispose(struct mld_item *it);

/* A list of items. */
struct mld_items {
    struct mld_item *v;
    int n;
};

/* Frees every item and the array; leaves l empty. */
void mld_items_dispose(struct mld_items *l);

/* Loads article id whatever its status (the caller decides between 200,
 * 410 and 404). Returns 0, MLD_E_NOTFOUND, or MLD_E_STORE. */
int mld_store_get(struct mld_store *st, int64_t id, struct mld_item *out, struct mld_err *err);

/* The same for an article page: the article's plain text (a->text) only
 * when it has no teaser, where the page describes it by its text. The
 * text is stored packed, and a page has no other use for it. */
int mld_store_get_page(struct mld_store *st, int64_t id, struct mld_item *out,
                       struct mld_err *err);

/* A list query: visible articles at `now`, newest first, one entry per
 * story (its newest visible article), with filters. The entries are what
 * a teaser shows: no body_html, text, aside_html, topics or categories
 * (NULL, 0); with every_article (feeds) they are whole articles. */
struct mld_query {
    const char *section_slug; /* only this section, or NULL */
    const char *topic_slug;   /* only this topic, or NULL */
    mld_time_t now;
    int limit;
    int offset;
    bool every_article;       /* one entry per article, not per story (feeds) */
};

/* Runs q. Returns 0 with out filled (possibly empty), or MLD_E_STORE. */
int mld_store_list(struct mld_store *st, const struct mld_query *q, struct mld_items *out,
                   struct mld_err *err);

/* Full-text search ------------------------------------------------------
 *
 * Every usable article is in a full-text index (FTS5, external content,
 * meldung's German tokenizer: src/text/analyze.h) kept in step with the
 * article table: an update replaces the indexed text, a withdrawal removes
 * it. Embargoed articles are indexed but never returned before release.
 */

/* A reader's search. */
struct mld_search {
    const char *text;         /* the query: words, "a phrase", prefix*, -not, a OR b */
    const char *section_slug; /* only this section, or NULL */
    const char *topic_slug;   /* only this topic, or NULL */
    mld_time_t from, to;      /* published in [from, to); 0 = open end */
    mld_time_t now;
    int limit;                /* hits wanted (1..MLD_SEARCH_MAX_LIMIT) */
    int offset;
    bool entries; /* hits as list entries with their topics: no body, text, aside or
                     categories (the page and the API; a feed needs the body) */
};

/* One hit. The snippet is plain text and the matches in it byte ranges:
 * a backend writes no markup; mld_highlight_html() (src/text/highlight.h)
 * makes the HTML the site and the API show. */
struct mld_hit {
    struct mld_item item;
    char *snippet;          /* text around the matches ("" when none) */
    struct mld_span *marks; /* the matches in snippet, in order, disjoint */
    int nmarks;
    double score; /* higher is better: bm25 blended with recency */
};

struct mld_hits {
    struct mld_hit *v;
    int n;
    bool more;        /* there are hits after these */
    char *suggestion; /* "did you mean" query text, or NULL */
};

/* Runs q: visible articles only, best first, one entry per story.
 * Returns 0 with out filled (possibly empty), MLD_E_PARSE when the query
 * has no searchable word (err says why, for the reader), or MLD_E_STORE. */
int mld_store_search(struct mld_store *st, const struct mld_search *q, struct mld_hits *out,
                     struct mld_err *err);

/* Frees every hit and the array; leaves h empty. */
void mld_hits_dispose(struct mld_hits *h);

/* Search index upkeep (`meldung optimize`) ------------------------------
 *
 * Every commit that indexes articles adds the search index a piece (on
 * SQLite an FTS5 segment); pieces of one size are merged as they pile up,
 * but a store fed for long holds a dozen or more, and a search reads
 * every one (100,000 articles in 11 segments: a search takes 18 % more
 * instructions, a prefix search 31 %, than in one: bench/README.md,
 * "optimize"). One step merges about `pages` pages of the pieces towards
 * one, in a transaction of its own, so writers go on between steps;
 * *more is false once the index is one piece. On PostgreSQL a step moves
 * the GIN index's pending list into its main tree (gin_clean_pending_list),
 * all of it at once. Returns 0 or MLD_E_STORE. */
int mld_store_search_merge(struct mld_store *st, int pages, bool *more, struct mld_err *err);

/* The number of pieces the search index is in (SQLite's segments) into
 * *out; -1 where the engine does not count them (PostgreSQL). */
int mld_store_search_pieces(struct mld_store *st, int64_t *out, struct mld_err *err);

/* Stories and related news ----------------------------------------------
 *
 * put() assigns each new article to a story: the story of the most
 * similar recent article when near-duplicate text, headline similarity or
 * text similarity with shared topics say it reports the same event, else
 * a new story of its own. Each join records its reason. put() also keeps
 * for every article a bounded list of related articles (similar text, or
 * the same leading pair of topics; recency only orders them), so reading
 * it costs an index lookup; reading fills a short list with the newest of
 * the article's section, marked related_fill (docs/internals/stories.md).
 */

/* The visible articles of story story_id at now, oldest first, each with
 * item.story_reason. Returns 0 (an empty list when none is visible) or
 * MLD_E_STORE. */
int mld_store_story(struct mld_store *st, int64_t story_id, mld_time_t now,
                    struct mld_items *out, struct mld_err *err);

/* The number of visible articles of story story_id at now into *out (0 when
 * none is), counted without reading them: the cost does not grow with the
 * story. Returns 0 or MLD_E_STORE. */
int mld_store_story_size(struct mld_store *st, int64_t story_id, mld_time_t now, int64_t *out,
                         struct mld_err *err);

/* "Weitere Meldungen" for article id: up to limit visible articles, best
 * first, one per story, never id's own story; entries as for a list (no
 * body). Returns 0 or MLD_E_STORE. */
int mld_store_related(struct mld_store *st, int64_t id, mld_time_t now, int limit,
                      struct mld_items *out, struct mld_err *err);

/* A name and its slug, for navigation (sections, topics). */
struct mld_named {
    char *name;
    char *slug;
};

/* Sections that have visible articles at now, by slug (so "Börse" sorts as
 * "boerse"), each named as its newest article names it. *out is an array
 * of *n entries; free with mld_named_free(). */
int mld_store_sections(struct mld_store *st, mld_time_t now, struct mld_named **out, int *n,
                       struct mld_err *err);

/* Looks up the display name of a section (as its newest article names it)
 * or topic slug. Returns a new string (mld_free), or NULL when no usable
 * article carries it (a held or withheld article reveals no name). */
char *mld_store_section_name(struct mld_store *st, const char *slug);
char *mld_store_topic_name(struct mld_store *st, const char *slug);

/* Frees an array from mld_store_sections(). */
void mld_named_free(struct mld_named *v, int n);

/* Receives one change key (see the top of this file). */
typedef void (*mld_change_fn)(void *ud, const char *key);

/* Hands every change key logged after sequence number since to fn, and
 * sets *last to the newest sequence number seen (since, when none). When
 * keys after since were pruned before the reader saw them, fn gets "*"
 * first. since 0 reads the whole log (a reader that starts empty).
 * Returns 0 or MLD_E_STORE. */
int mld_store_changes(struct mld_store *st, int64_t since, mld_change_fn fn, void *ud,
                      int64_t *last, struct mld_err *err);

/* Hands fn the change keys of every usable article whose embargo ends in
 * (from, to]: they become visible without any write to the store. */
int mld_store_released(struct mld_store *st, mld_time_t from, mld_time_t to, mld_change_fn fn,
                       void *ud, struct mld_err *err);

/* Number of versions kept for article id (its history), or -1 on error. */
int mld_store_history_count(struct mld_store *st, int64_t id);

/* The state of one source: struct mld_source_state (ingest.h). */

/* Loads the state of source name into out (zeroed first). Returns 0,
 * MLD_E_NOTFOUND for a source never seen, or MLD_E_STORE. */
int mld_store_source_get(struct mld_store *st, const char *name, struct mld_source_state *out,
                         struct mld_err *err);

/* Inserts or replaces the state of s->name. Returns 0 or MLD_E_STORE. */
int mld_store_source_set(struct mld_store *st, const struct mld_source_state *s,
                         struct mld_err *err);

/* Claims source name for this connection's poller (take), or gives it
 * up (!take). On PostgreSQL, where pollers on several nodes share one
 * database, a claim is a session advisory lock: one connection holds a
 * source at a time, and a connection that ends (its node died) lets it
 * go. *got says whether the claim was taken; giving up always succeeds.
 * On SQLite every claim is taken (one machine). Returns 0 or MLD_E_STORE. */
int mld_store_source_claim(struct mld_store *st, const char *name, bool take, bool *got,
                           struct mld_err *err);

/* All known sources by name; *out is an array of *n (free each with
 * mld_source_state_dispose, then the array with mld_free). */
int mld_store_sources(struct mld_store *st, struct mld_source_state **out, int *n,
                      struct mld_err *err);

/* Pipeline and operator queries ------------------------------------------ */

/* The version_created of the first version stored for urn, for dating a
 * re-delivery that has no date of its own (or only its feed's) the way its
 * first delivery was dated. Returns 0 with *out set, MLD_E_NOTFOUND for an
 * unknown urn, or MLD_E_STORE. */
int mld_store_first_date(struct mld_store *st, const char *urn, mld_time_t *out,
                         struct mld_err *err);

/* A name with counts, for store-wide totals. */
struct mld_named_count {
    char *name;    /* a section or hold reason; NULL = none given */
    int64_t n;     /* articles */
    int64_t shown; /* of them visible now (sections only) */
};

/* What the whole store holds, by current version. */
struct mld_store_totals {
    int64_t articles;  /* every article */
    int64_t visible;   /* usable and out of embargo at now */
    int64_t embargoed; /* usable, embargo after now */
    int64_t withheld;  /* MLD_PUB_WITHHELD */
    int64_t withdrawn; /* MLD_PUB_CANCELED */
    int64_t held;      /* MLD_PUB_HELD */
    struct mld_named_count *reasons; /* held articles by hold reason, most first */
    int nreasons;
    struct mld_named_count *sections; /* every article by section, by name; NULL name last */
    int nsections;
};

/* Counts the articles of the store at now into out (zeroed first).
 * Returns 0 or MLD_E_STORE; free with mld_store_totals_dispose(). */
int mld_store_totals(struct mld_store *st, mld_time_t now, struct mld_store_totals *out,
                     struct mld_err *err);

/* Frees the lists of t and zeroes it. */
void mld_store_totals_dispose(struct mld_store_totals *t);

/* Sections ------------------------------------------------------------ */

/* Receives one article whose section an agency's own classification
 * decided (section_by = MLD_SECTION_AGENCY): the section and its text
 * (each may be NULL but section), valid during the call. A non-zero
 * return stops the walk and is returned. */
typedef int (*mld_labelled_fn)(void *ud, const char *section, const char *headline,
                               const char *teaser, const char *text);

/* Calls fn for every stored article with section_by = MLD_SECTION_AGENCY
 * (the section classifier's training data), oldest first. Returns 0,
 * fn's non-zero return, or MLD_E_STORE with err set. */
int mld_store_each_labelled(struct mld_store *st, mld_labelled_fn fn, void *ud,
                            struct mld_err *err);

/* Live updates ----------------------------------------------------------- */

/* Receives one change-log entry: its sequence number, when it was logged
 * (seconds) and its key; or seq 0, at 0 and key "*" first when entries
 * after since were pruned before the reader saw them. */
typedef void (*mld_change_at_fn)(void *ud, int64_t seq, mld_time_t at, const char *key);

/* mld_store_changes() with each key's sequence number and time: hands fn
 * every entry after since, oldest first, and sets *last to the newest
 * sequence number seen (since, when none). Returns 0 or MLD_E_STORE. */
int mld_store_changes_at(struct mld_store *st, int64_t since, mld_change_at_fn fn, void *ud,
                         int64_t *last, struct mld_err *err);

/* What announcing article id needs beyond mld_store_get(). */
struct mld_store_live_facts {
    mld_time_t applied_at; /* when its current version was stored; 0: no such article */
    mld_time_t decided_at; /* when an editor last changed what readers see of it; 0: never */
    bool was_visible;      /* an applied version was usable with its embargo ended by
                              the time the newest applied version was stored */
};

/* Fills out (zeroed first) for article id. Returns 0 or MLD_E_STORE. */
int mld_store_live_facts(struct mld_store *st, int64_t id, struct mld_store_live_facts *out,
                         struct mld_err *err);

/* Sitemaps ----------------------------------------------------------------
 *
 * The sitemaps (src/web/sitemap.c) list every visible article once, in
 * one child sitemap per month of publication (UTC), and the last 48 hours
 * in the news sitemap. Both queries walk the article_published index over
 * the range asked for; they never scan the whole table.
 */

/* One month (UTC) with visible articles, for the sitemap index. */
struct mld_sitemap_month {
    int year, mon;       /* mon 1-12 */
    int64_t count;       /* visible articles published in it */
    mld_time_t lastmod;  /* newest change among them (see mld_sitemap_entry) */
};

/* One visible article as a sitemap lists it; the strings are valid during
 * the callback only. */
struct mld_sitemap_entry {
    int64_t id;
    const char *slug;     /* for the article's path */
    const char *headline; /* may be NULL */
    const char *lang;     /* the article's language ("de"), may be NULL */
    mld_time_t published; /* first publication */
    mld_time_t modified;  /* the current version: max(published, version_created) */
};

/* Receives one entry; a non-zero return stops the walk and is returned. */
typedef int (*mld_sitemap_fn)(void *ud, const struct mld_sitemap_entry *e);

/* The months (UTC) holding articles visible at now, newest first, at most
 * max of them, each with its count and newest change. *out is an array of
 * *n (mld_free; NULL when none). Returns 0 or MLD_E_STORE. */
int mld_store_sitemap_months(struct mld_store *st, mld_time_t now, int max,
                             struct mld_sitemap_month **out, int *n, struct mld_err *err);

/* Calls fn for the articles visible at now and published in [from, to),
 * newest first (ties by id), skipping offset and stopping after limit.
 * Returns 0, fn's non-zero return, MLD_E_INVAL for a bad range or limit,
 * or MLD_E_STORE. */
int mld_store_sitemap_entries(struct mld_store *st, mld_time_t from, mld_time_t to, mld_time_t now,
                              int limit, int64_t offset, mld_sitemap_fn fn, void *ud,
                              struct mld_err *err);

/* API ------------------------------------------------------------------
 *
 * The queries of the article API (src/web/api.c, docs/api.md). Lists
 * walk article_published, article_section or article_story (a topic's
 * articles come from article_topic_slug), the change feed walks the
 * version table by its primary key and article_visible_from. The
 * section and topic counts read each visible article's row once, like
 * mld_store_sections(); their answers live in the page cache until the
 * next change.
 */

/* One page of the API's article list: visible articles at now, newest
 * first by (published, id), after the cursor position when after_id > 0. */
struct mld_api_query {
    const char *section_slug;   /* only this section, or NULL */
    const char *topic_slug;     /* only this topic, or NULL */
    int64_t story_id;           /* only this story, or 0 */
    mld_time_t since, until;    /* published in [since, until); 0 = open */
    mld_time_t after_published; /* the cursor: items older than */
    int64_t after_id;           /* (after_published, after_id); 0 = none */
    mld_time_t now;
    int limit; /* 1..MLD_API_MAX_LIMIT */
};

struct mld_api_cursor;

/* Runs q into out (without story sections) and sets *more when items
 * follow; with head not NULL, also the change feed's position of the
 * same read snapshot (see mld_store_api_head), so a client that pages
 * the list and then follows the feed from head gets every later change
 * and none twice. Returns 0 or MLD_E_STORE. */
int mld_store_api_articles(struct mld_store *st, const struct mld_api_query *q,
                           struct mld_items *out, bool *more, struct mld_api_cursor *head,
                           struct mld_err *err);

/* One stored version of an article (the version table). */
struct mld_api_version {
    int64_t seq;                /* order of arrival in the store */
    int64_t version;            /* the wire's version number */
    mld_time_t version_created; /* the wire's times; 0 = unknown */
    mld_time_t updated;
    enum mld_pubstatus pubstatus;
    char *signal; /* "sig:update", ... or NULL */
    bool applied; /* it became the shown version */
};

/* The versions of article id in order of arrival into *out (*n of them;
 * free with mld_api_versions_free). Returns 0 or MLD_E_STORE. */
int mld_store_api_versions(struct mld_store *st, int64_t id, struct mld_api_version **out, int *n,
                           struct mld_err *err);

/* Frees an array from mld_store_api_versions(). */
void mld_api_versions_free(struct mld_api_version *v, int n);

/* A section or topic with its visible articles. */
struct mld_api_count {
    char *name;
    char *slug;
    int64_t n;
};

/* Sections (by slug) or topics (most articles first, at most max) of the
 * visible articles at now with their counts into *out (*n of them; free
 * with mld_api_counts_free). Returns 0 or MLD_E_STORE. */
int mld_store_api_sections(struct mld_store *st, mld_time_t now, struct mld_api_count **out, int *n,
                           struct mld_err *err);
int mld_store_api_topics(struct mld_store *st, mld_time_t now, int max, struct mld_api_count **out,
                         int *n, struct mld_err *err);

/* Frees an array from mld_store_api_sections() or _topics(). */
void mld_api_counts_free(struct mld_api_count *v, int n);

/* A position in the change feed: every applied version up to seq, every
 * embargo ending up to (released, released_id) - by time, then article
 * id - and every editor's change up to edit_seq (ed_change) has been
 * reported. */
struct mld_api_cursor {
    int64_t seq;
    mld_time_t released;
    int64_t released_id;
    int64_t edit_seq;
};

/* What happened to an article since a cursor, as a reader sees it. */
enum mld_api_change_kind {
    MLD_API_NEW,       /* visible now, not visible at the cursor */
    MLD_API_UPDATED,   /* visible now and at the cursor, with a newer version */
    MLD_API_WITHDRAWN, /* visible at the cursor, not now (withdrawn, held back) */
};

struct mld_api_change {
    enum mld_api_change_kind kind;
    struct mld_item item; /* the current version (for WITHDRAWN only id and
                             slug are meant to be shown) */
};

/* The cursor of the present at now: everything stored so far counts as
 * reported. Returns 0 or MLD_E_STORE. */
int mld_store_api_head(struct mld_store *st, mld_time_t now, struct mld_api_cursor *out,
                       struct mld_err *err);

/* The changes after cursor since, at now, at most limit of them, each
 * article once, in one read snapshot: first applied versions in order of
 * arrival, then embargoes that ended, then editors' changes (withdrawn,
 * hidden, unhidden, released, section or topics changed). Held, withheld and embargoed
 * articles are never reported until visible; a withdrawal only when the
 * article was visible at since. Sets *next to where the next call starts
 * and *more when changes are left. *out is an array of *n; free with
 * mld_api_changes_free. Returns 0, MLD_E_INVAL for a cursor past the
 * store's newest version, or MLD_E_STORE. */
int mld_store_api_changes(struct mld_store *st, const struct mld_api_cursor *since, mld_time_t now,
                          int limit, struct mld_api_change **out, int *n,
                          struct mld_api_cursor *next, bool *more, struct mld_err *err);

/* Frees an array from mld_store_api_changes(). */
void mld_api_changes_free(struct mld_api_change *v, int n);

/* Health (observability) ------------------------------------------------- */

/* What /healthz asks the store. */
struct mld_store_health {
    mld_time_t newest_stored; /* when the newest version was stored; 0: none */
    bool writable;            /* the store, its file and its folder take writes */
};

/* Asks the store one trivial query (the newest version's stored_at, by
 * its primary key: constant time) and whether it could be written,
 * without taking the write lock (a writer in another process must not
 * make a health check wait). Returns 0 or MLD_E_STORE. */
int mld_store_health(struct mld_store *st, struct mld_store_health *out, struct mld_err *err);

#endif
