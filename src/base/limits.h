/*
 * limits.h - every size, depth and count meldung enforces, in one place.
 *
 * Each limit names the reason for its value. Input beyond a limit is not an
 * out-of-memory condition: the code that meets it returns MLD_E_TOOBIG (or
 * MLD_E_DEPTH) with a message naming the source, and the rest of the batch
 * goes on. Change a value here, never at the point of use.
 */
#ifndef MLD_LIMITS_H
#define MLD_LIMITS_H

/* Ingest --------------------------------------------------------------- */

/* Largest wire document read from disk or the network. dpa entries are
 * 5-60 KB; 16 MiB leaves room for agency packages with inline tables. */
#define MLD_MAX_DOC_BYTES (16u * 1024 * 1024)

/* Deepest JSON/XML/HTML nesting accepted. Real wire content stays under 20;
 * anything deeper is hostile or broken and would cost stack in recursion. */
#define MLD_MAX_DEPTH 64

/* Longest single text field (headline, teaser, ...) kept, in bytes. */
#define MLD_MAX_FIELD_BYTES (256u * 1024)

/* Most categories (topics, subjects, keywords) read per article. */
#define MLD_MAX_CATEGORIES 256

/* Most topics kept per article after ranking. */
#define MLD_MAX_TOPICS 16

/* Most attributes per HTML/XML element kept by the sanitiser. */
#define MLD_MAX_ATTRS 32

/* Most media objects (enclosures, images) kept per article. */
#define MLD_MAX_MEDIA 32

/* Most items read from one feed document (RSS, Atom, JSON Feed). Real
 * feeds carry 10-100; archives rarely pass a few thousand. */
#define MLD_MAX_FEED_ITEMS 10000

/* Most links kept per feed or item (Atom allows any number; real feeds
 * have under ten). */
#define MLD_MAX_FEED_LINKS 64

/* Longest teaser taken from a feed summary (bytes): longer summaries are
 * cut at a word boundary, and a summary that long with no separate
 * content becomes the body. A headline made from text for an item
 * without a title is cut at MLD_FEED_TITLE_BYTES. */
#define MLD_FEED_TEASER_BYTES 1000
#define MLD_FEED_TITLE_BYTES 160

/* Longest author line (", "-joined names) kept from a feed item; further
 * names are dropped. Real bylines stay under 200 bytes. */
#define MLD_FEED_AUTHOR_BYTES 1024

/* Most files one `meldung ingest` walk visits below a directory. */
#define MLD_MAX_WALK_FILES 1000000

/* Deepest directory recursion of an ingest walk. */
#define MLD_MAX_WALK_DEPTH 16

/* Files `meldung ingest` puts into one COMMIT by default (each file its own
 * savepoint), and the most --batch accepts. Past a few hundred files the
 * gain is flat (bench/README.md) while a failed COMMIT has more to redo. */
#define MLD_INGEST_BATCH_FILES 256
#define MLD_INGEST_BATCH_FILES_MAX 100000

/* Longest an ingest batch stays open (ms): a serving process shows new
 * articles and another writer gets the store's write lock this soon. */
#define MLD_INGEST_BATCH_MS 250

/* Most copies of one file name kept in the quarantine folder ("x.json",
 * "x.json.1", ...); a source failing more often than this is refused. */
#define MLD_MAX_QUARANTINE_COPIES 10000

/* Transports: polling, drop folder ------------------------------------- */

/* Fetches one poller keeps in flight at once by default, and the most a
 * configuration may ask for (each is a socket and a body buffer of up to
 * MLD_MAX_DOC_BYTES). */
#define MLD_POLL_CONCURRENCY 8
#define MLD_POLL_MAX_CONCURRENCY 64

/* Fetches in flight to one host (host:port) at once, by default and at
 * most: agencies and CMSs rate-limit per client, two is polite. */
#define MLD_POLL_PER_HOST 2
#define MLD_POLL_MAX_PER_HOST 16

/* Seconds between two polls of a source: default, least and most a
 * configuration may set. Under 10 s is abuse of someone else's server;
 * over a day is not news. */
#define MLD_POLL_INTERVAL_SECS 300
#define MLD_POLL_MIN_INTERVAL_SECS 10
#define MLD_POLL_MAX_INTERVAL_SECS 86400

/* Longest back-off after failures (2^failures * interval, with jitter). */
#define MLD_POLL_BACKOFF_MAX_SECS 3600

/* Longest Retry-After honoured (seconds); a server asking for more is
 * asked again after this. */
#define MLD_POLL_MAX_RETRY_AFTER_SECS 86400

/* Redirects followed per fetch (a loop stops here). */
#define MLD_POLL_MAX_REDIRECTS 5

/* Seconds allowed to connect (DNS and TLS included), and for the whole
 * fetch by default and at most (a 16 MiB body over a slow link). */
#define MLD_POLL_CONNECT_TIMEOUT_SECS 10
#define MLD_POLL_TIMEOUT_SECS 60
#define MLD_POLL_MAX_TIMEOUT_SECS 600

/* Longest ETag, Last-Modified, Content-Type or Retry-After value kept
 * from a response; longer ones are ignored (real ones are under 100). */
#define MLD_POLL_MAX_HEADER_BYTES 1024

/* Most copies of one file name kept in a drop folder's done/ folder
 * ("x.json", "x.json.1", ...); beyond it the file stays where it is. */
#define MLD_DROP_MAX_DONE_COPIES 10000

/* Store ---------------------------------------------------------------- */

/* Longest source id (URN/GUID) accepted; longer ids are malformed input. */
#define MLD_MAX_ID_BYTES 512

/* Two items with the same normalised headline published this close together
 * are one story (seconds). */
#define MLD_STORY_WINDOW_SECS (48 * 3600)

/* Search: most hits one request returns, and the deepest page offset
 * (past a few hundred hits nobody reads on; deep offsets cost bm25 work). */
#define MLD_SEARCH_MAX_LIMIT 100
#define MLD_SEARCH_MAX_OFFSET 1000

/* Most related articles kept per article ("Weitere Meldungen"). */
#define MLD_RELATED_MAX 12

/* Configuration -------------------------------------------------------- */

/* Largest configuration file, and most [sections] in it (sources etc.). */
#define MLD_MAX_CONFIG_BYTES (1024u * 1024)
#define MLD_MAX_CONFIG_SECTIONS 4096

/* Web ------------------------------------------------------------------ */

/* Largest request header block accepted (bytes); beyond it 431. */
#define MLD_HTTP_MAX_HEADER_BYTES 8192

/* Request bodies: meldung's pages are GET-only until the push endpoint. */
#define MLD_HTTP_MAX_BODY_BYTES (16u * 1024 * 1024)

/* Longest URL path accepted (bytes); beyond it 414. */
#define MLD_HTTP_MAX_PATH_BYTES 2048

/* Seconds a connection may sit idle (slowloris guard, keep-alive reuse). */
#define MLD_HTTP_TIMEOUT_SECS 30

/* Most concurrent connections; beyond it the listener refuses. */
#define MLD_HTTP_MAX_CONNECTIONS 4096

/* Most connections from one IP address. */
#define MLD_HTTP_MAX_PER_IP 512

/* Most rendered responses kept in the page cache. */
#define MLD_CACHE_MAX_ENTRIES 65536

/* Most tags one cached response carries (article, section, topics, story,
 * lists); a page with more is not cached, since dropping a tag could keep
 * it stale. */
#define MLD_CACHE_MAX_TAGS 64

/* Longest page-cache key (path plus normalised query); longer ones are not
 * cached. */
#define MLD_CACHE_MAX_KEY_BYTES 4096

/* Largest rendered page (bytes). A page beyond it is a template bug. */
#define MLD_MAX_PAGE_BYTES (8u * 1024 * 1024)

/* Items on a list page (home per section, section, topic), and in
 * "Weitere Meldungen". */
#define MLD_LIST_PAGE_SIZE 20
#define MLD_RELATED_COUNT 6
#define MLD_HOME_PER_SECTION 5

/* Templates ------------------------------------------------------------ */

/* Largest template file, and deepest nesting of sections and partials. */
#define MLD_MAX_TEMPLATE_BYTES (1024u * 1024)
#define MLD_MAX_TEMPLATE_DEPTH 32

/* Most template ops one render may execute. A page with a list of 20
 * items runs a few thousand; a sitemap of 50,000 URLs about a million.
 * Nested sections over long lists multiply (three lists of 1,000 nested
 * are 10^9 steps with little output), so work is capped, not just bytes. */
#define MLD_MAX_TEMPLATE_STEPS (16u * 1024 * 1024)

#endif
