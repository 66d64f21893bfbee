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

/* Longest HTML body or summary of a feed item (RSS, Atom, JSON Feed), in
 * bytes. A long-form article is 50-200 KB; 4 MiB keeps any real one whole.
 * A longer one is not cut silently: the pipeline refuses its document
 * (or keeps it marked incomplete, `ingest --keep-incomplete`). XML text
 * nodes may be as long as the document (libxml2's own 10 MB cap on a
 * text node is lifted with XML_PARSE_HUGE; MLD_MAX_DOC_BYTES bounds it). */
#define MLD_MAX_BODY_BYTES (4u * 1024 * 1024)

/* Most categories (topics, subjects, keywords) read per article. */
#define MLD_MAX_CATEGORIES 256

/* Most topics kept per article after ranking. */
#define MLD_MAX_TOPICS 16

/* Most attributes per HTML/XML element kept by the sanitiser. */
#define MLD_MAX_ATTRS 32

/* Most media objects (enclosures, images) kept per article. */
#define MLD_MAX_MEDIA 32

/* Most renditions (sizes) kept per picture, for srcset. dpa sends 5-8. */
#define MLD_MAX_RENDITIONS 16

/* The default size of a picture with several: the narrowest at least this
 * wide (pixels), else the widest. Article pages show pictures up to about
 * 800 CSS pixels wide, so 1000 and more stays sharp on most screens while
 * the 2048+ originals are left to srcset. */
#define MLD_MEDIA_DEFAULT_MIN_WIDTH 1000

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

/* Longest URL read from one srcset candidate by the sanitiser; longer
 * candidates void the srcset (the src stays). Browsers and CDNs cap URLs
 * near 2 KiB; real image URLs stay under 500 bytes. */
#define MLD_MAX_URL_BYTES 2048

/* Earliest date a feed may give an item (1991-01-01T00:00:00Z, the year
 * the Web began): an earlier one, above all the "Thu, 01 Jan 1970" of a
 * CMS that had no date, counts as absent rather than dating an article
 * to 1970. */
#define MLD_FEED_DATE_MIN 662688000LL

/* Smallest width or height (pixels, where the HTML says) of an <img> in a
 * feed item's HTML to become the article's lead picture: smaller ones are
 * icons and emoji (16-72 px); Golem's teaser pictures are 140 px. */
#define MLD_FEED_LEAD_MIN_PIXELS 100

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

/* How far `meldung ingest` reads and parses ahead of the store (a thread
 * of its own, src/cli/cmd_ingest.c): documents queued, and bytes of their
 * text (a larger document is still queued alone). */
#define MLD_INGEST_AHEAD_DOCS 64
#define MLD_INGEST_AHEAD_BYTES (64u << 20)

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

/* Rows per transaction of `meldung migrate` (src/store/copy.c): an
 * interrupted copy loses at most one chunk's work, and a PostgreSQL
 * source hands over one chunk's rows at a time. */
#define MLD_COPY_CHUNK_ROWS 5000

/* Seconds before a poller asks again for a source another node was
 * fetching (or that could not be claimed): a node that died mid-fetch is
 * taken over after about this long. */
#define MLD_POLL_CLAIM_RETRY_SECS 5

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

/* Page cache per store connection (KiB). A put touches the full-text
 * index, the term index and related lists: 64 MiB took a put at 50k
 * articles from 1.12 to 1.00 ms; a server's connections each get one. */
#define MLD_STORE_CACHE_KIB 65536

/* Change-log keys kept (src/store/sqlite.c prunes the rest at each
 * commit). A put logs about 8; a server reads the log every
 * MLD_SERVE_REFRESH_MS, so 100,000 keys (about 12,000 puts, minutes of
 * the fastest bulk ingest) are far more than it falls behind. A reader
 * that falls further behind is told to drop every page ("*"). */
#define MLD_CHANGE_LOG_KEEP 100000

/* FTS5 leaf pages (about 4 KB each) one step of `meldung optimize`
 * merges, in one transaction that holds the store's write lock: 100,000
 * articles' index (175 MB in 11 segments) is merged into one in about 25
 * steps of a tenth of a second or so. */
#define MLD_SEARCH_MERGE_PAGES 2000

/* Page size of a new SQLite store (bytes; a file keeps the size it was
 * made with). An article row, about 1.5 KB since migration 0022, shares
 * a 4 KB page with one other and leaves a fifth of it empty; a 16 KB
 * page holds ten. 100,000 generated articles, VACUUMed: 584 -> 548 MB,
 * renders and searches 1 % fewer instructions, batched ingest 7 %
 * faster, one commit per file 6 % slower (more log bytes per commit):
 * bench/README.md, "Page size". */
#define MLD_STORE_PAGE_BYTES 16384

/* Bytes of the store file each connection reads through a memory map
 * instead of read() calls (address space, not memory: the pages are the
 * kernel's page cache). A common search word at 100k articles reads
 * megabytes of index: mapped, 76 ms took 41. Debian's SQLite caps it at
 * just under 2 GiB; past that, reads are read() calls as before. */
#define MLD_STORE_MMAP_BYTES 2147418112LL

/* Page cache of a read-only connection (KiB; mld_store_open_reader): the
 * pages it reads come from the memory map (file-backed, the kernel's), so
 * its own cache holds only what lies beyond the map or in the WAL. Small,
 * since a server keeps up to MLD_SITE_READERS of them. */
#define MLD_STORE_READER_CACHE_KIB 4096

/* Most read-only store connections a server opens for its renders (one
 * per render running at once, opened when first needed). SQLite in WAL
 * mode lets them read side by side while one writer writes; more renders
 * at once than this wait for a free connection. */
#define MLD_SITE_READERS 16

/* How long a store operation waits for another process's lock before it
 * fails with "database is locked" (SQLite's busy timeout), in ms; also the
 * budget for converting a new store to WAL, retried every
 * MLD_STORE_WAL_RETRY_MS (SQLite runs no busy handler for that). */
#define MLD_STORE_BUSY_MS 5000
#define MLD_STORE_WAL_RETRY_MS 20

/* `meldung backup` (src/store/sqlite_backup.c) copies this many bytes
 * of pages (the store's page size decides how many) per step of SQLite's
 * backup API and pauses MLD_BACKUP_STEP_SLEEP_MS between steps, so that
 * on a small machine the copy leaves disk and CPU time to serve and
 * ingest. All steps read one snapshot, so writers never wait for the
 * backup (WAL). */
#define MLD_BACKUP_STEP_BYTES (16 * 1024 * 1024)
#define MLD_BACKUP_STEP_SLEEP_MS 5

/* zlib level of `meldung backup --gzip`: 1 took a 205 MB store to 61 MB
 * in 2.3 s of one core, 6 (zlib's default) to 55 MB in 6.7 s. */
#define MLD_BACKUP_GZIP_LEVEL 1

/* How long `meldung restore` waits for the store's exclusive lock before
 * it says another process (serve, poll, watch, ingest) has the store open. */
#define MLD_RESTORE_LOCK_MS 1000

/* Longest source id (URN/GUID) accepted; longer ids are malformed input. */
#define MLD_MAX_ID_BYTES 512

/* Articles published this close together (seconds) may be one story
 * (src/store/sqlite_story.c); farther apart they never are. Agencies
 * re-send a developing story for a day or two. */
#define MLD_STORY_WINDOW_SECS (48 * 3600)

/* Most section names a list entry gives for its story ("Politik, Ausland"):
 * a story spans few sections; more would crowd the entry's meta line. */
#define MLD_STORY_SECTIONS_MAX 16

/* Search: most hits one request returns, and the deepest page offset
 * (past a few hundred hits nobody reads on; deep offsets cost bm25 work). */
#define MLD_SEARCH_MAX_LIMIT 100
#define MLD_SEARCH_MAX_OFFSET 1000

/* Search queries (src/text/query.c): terms kept, the rest ignored (as
 * is text past MLD_SEARCH_MAX_QUERY_BYTES). Readers type 1-5 words;
 * every term is one more doclist FTS5 walks. */
#define MLD_SEARCH_MAX_TERMS 16

/* Fewest letters before a prefix '*' (shorter: an exact word). Without a
 * prefix index FTS5 merges the doclist of every term with the prefix;
 * "Verk*" is already thousands of terms at a million articles. */
#define MLD_SEARCH_MIN_PREFIX 4

/* A prefix is searched as its most frequent completions in the index's
 * vocabulary (search_vocab, by number of articles), at most this many:
 * FTS5 seeks each one's postings to the window searched, where the
 * prefix itself made it merge every completion's postings over the whole
 * index first (640 ms at a million articles). An article that holds only
 * rarer completions is not found: at 10k articles the 32 most frequent
 * completions hold 89 % of "Regier*"'s postings (68 completions), 68 % of
 * "Bundes*"'s (145), all of "Verhandl*"'s (20). */
#define MLD_SEARCH_PREFIX_TERMS 32
/* ... but only when they hold more than this many articles per
 * completion written: below it FTS5's own prefix merge costs less (it
 * is proportional to the postings; each completion is a seek in every
 * segment of the index, ~0.4 M instructions at 10k articles against ~2 k
 * per posting merged). */
#define MLD_SEARCH_PREFIX_EXPAND 256

/* Search work (src/store/sqlite_search.c): article ids searched first,
 * newest first, and the factor by which each further window grows.
 * bm25 costs per matching article: a common word matches nearly every
 * article of a window, so the first one is small (2,000 ids, a day or
 * two of a full wire; "die" at 100k articles took 5 ms where a window
 * of 20,000 took 41), and a rare word widens quickly to older ones. */
#define MLD_SEARCH_WINDOW 2000
#define MLD_SEARCH_WINDOW_GROWTH 4
/* ... and the factor after a window without a single match. */
#define MLD_SEARCH_WINDOW_JUMP 64

/* A search filter (topic, section, dates) holding at most this many
 * articles drives the ranking: each of them is one FTS5 lookup by id
 * (~10 us), cheaper than checking every match of a common word. */
#define MLD_SEARCH_FILTER_DRIVE 2000

/* Text of search-index changes queued in one transaction before a batch
 * writes them early (src/store/sqlite_search.c, "The write queue"): a
 * default ingest batch of 256 articles queues under 1 MiB. */
#define MLD_SEARCH_QUEUE_BYTES (32u << 20)

/* Document-frequency keys a store connection keeps in memory before it
 * forgets them (src/store/sqlite_story.c, "Document frequencies"): about
 * 32 bytes a key, 8 MiB in all; the 400 generated files of a
 * bench/ingest.sh archive count 3,304 keys, a large store has more. */
#define MLD_STORY_DF_CACHE (1 << 18)

/* Words of text around the matches in a search hit's snippet. */
#define MLD_SEARCH_SNIPPET_WORDS 24

/* "Did you mean": longest word (bytes) for which spelling variants are
 * looked up (each letter costs ~54 index lookups). */
#define MLD_SEARCH_SUGGEST_MAX_WORD 32

/* Most related articles kept per article ("Weitere Meldungen"). */
#define MLD_RELATED_MAX 12

/* Stories and related news (src/text/similar.c, src/store/sqlite_story.c).
 * Per article: MinHash minima (64 x 16 bits: near-duplicates of 1-5
 * changed words found >= 95% of the time, tests/unit/text/similar.c),
 * most significant terms kept as its vector, headline stems compared;
 * K top terms posted in the term index, for each of them the N newest
 * articles carrying it read back as candidates, and the M best of those
 * (plus topic neighbours) scored in full. K*N index rows and about M+16
 * signature reads bound the work of one put at any store size: 0.47 ms
 * at 100k articles (docs/internals/stories.md); larger vectors (48, 96
 * terms) did not separate stories better in the dpa sample. */
#define MLD_SIM_MINHASH 64
#define MLD_SIM_VECTOR_TERMS 24
#define MLD_SIM_HEADLINE_TERMS 24
#define MLD_STORY_TOP_TERMS 10
#define MLD_STORY_TERM_POSTINGS 24
#define MLD_STORY_SCORED 24

/* Articles of one topic read as candidates (for each of an article's
 * first MLD_STORY_TOPICS topics): related news that shares a topic but
 * few words. */
#define MLD_STORY_TOPICS 2
#define MLD_STORY_TOPIC_POSTINGS 8

/* Related lists a new article is offered to (its most relevant
 * candidates'): each offer may rewrite a list and drop a cached page. */
#define MLD_STORY_OFFERS 8

/* A story takes no article published this long after its first one:
 * recurring headlines (daily market reports) would otherwise chain into
 * one story forever. */
#define MLD_STORY_SPAN_SECS (7 * 86400)

/* A new article that links several stories (a rule joins it to
 * candidates of each) merges them, so that the grouping does not depend
 * on the order articles arrive in: at most this many stories a put, of at
 * most this many articles each (a larger one, or one an editor split or
 * merged, is joined but never merged). */
#define MLD_STORY_MERGE_STORIES 4
#define MLD_STORY_MERGE_MEMBERS 64

/* Persons of a headline kept in a story signature (src/enrich/story.c);
 * the longest headline or topic name read as folded stems, in bytes, and
 * the longest word compared, in code points. */
#define MLD_STORY_PEOPLE 4
#define MLD_STORY_STEMS_MAX 4096
#define MLD_STORY_WORD_MAX 64

/* Enrich: section mapping (src/enrich/section.c) ----------------------- */

/* Largest section-rules file, most rules in one, and longest section
 * name. The default mapping is ~130 rules in 8 KB; every rule is tried
 * against every category of every article, so a file mapping all 1,200
 * IPTC media topics still fits, a runaway generated one does not. A
 * section name is a navigation label (and a URL slug). */
#define MLD_MAX_SECTIONS_FILE_BYTES (256u * 1024)
#define MLD_MAX_SECTION_RULES 4096
#define MLD_MAX_SECTION_NAME_BYTES 64

/* Enrich: section classifier (src/enrich/classify.c) ------------------- */

/* Largest model file, most sections and distinct stems in one model,
 * longest stem, and the tokens of one article that are scored. A model
 * learnt from 100,000 articles has ~150,000 stems seen twice or more;
 * its counts take 4 bytes per stem and section (12 sections: ~7 MB). An
 * article's first 4,000 words say what it is about; more only costs. */
#define MLD_MAX_SECTION_MODEL_BYTES (64u * 1024 * 1024)
#define MLD_CLASSIFY_MAX_SECTIONS 64
#define MLD_CLASSIFY_MAX_STEMS 262144
#define MLD_CLASSIFY_MAX_STEM_BYTES 64
#define MLD_CLASSIFY_MAX_TOKENS 4000

/* Most labelled articles `meldung sections eval` keeps in memory for
 * cross-validation (each is a bag of ~200 stems, ~8 KB). */
#define MLD_CLASSIFY_MAX_EVAL_DOCS 50000

/* The least posterior probability with which the classifier's section
 * is taken; below it the article gets the fallback section. Naive Bayes
 * is overconfident on long texts, so this mostly turns away short items
 * with few known words (a headline alone). */
#define MLD_CLASSIFY_MIN_CONFIDENCE 0.5

/* Enrich: topics (src/enrich/topics.c) ---------------------------------- */

/* Largest gazetteer file an operator may load. The default is ~40 KB for
 * ~730 topics; a list of every German municipality (11,000) fits with
 * room to spare, a runaway generated file does not. */
#define MLD_GAZETTEER_MAX_BYTES (4u * 1024 * 1024)

/* Longest topic name (bytes): a display label and a URL slug. */
#define MLD_TOPIC_MAX_NAME_BYTES 128

/* Most words in one gazetteer form: "Organisation für Sicherheit und
 * Zusammenarbeit in Europa" has seven; longer names are not written out in
 * news text, so a longer form is a mistake (a missing ';'). */
#define MLD_TOPIC_MAX_FORM_WORDS 8

/* Longest chain of parents: Köln -> Nordrhein-Westfalen -> Deutschland is
 * two; a deeper chain is a mistake in the file, or a cycle. */
#define MLD_TOPIC_MAX_PARENT_DEPTH 6

/* Most bytes of an article's plain text searched for topics. Salience
 * after a dozen paragraphs is small, and long texts (tables, transcripts,
 * documentation) would cost time on every ingest: 32 KB is 12 pages. */
#define MLD_TOPIC_MAX_TEXT_BYTES (32u * 1024)

/* Most topics the text adds to the agency's: the topic line is read at a
 * glance, and the first topics choose related news. A dense article (the
 * reference names two countries, four politicians and a venue) reaches
 * six; a news digest would reach the MLD_MAX_TOPICS cap. */
#define MLD_TOPIC_MAX_FOUND 6

/* Text analysis (src/text/analyze.c) ---------------------------------- */

/* Longest run of letters and digits analysed as one word, in input bytes.
 * The longest German words in print have 40-65 letters (the Debian word
 * list's longest: 39); a longer run is data (base64, hashes, glued URLs),
 * so its first MLD_AN_MAX_WORD_BYTES bytes (whole code points) stand for
 * the whole run and the rest of it is not analysed. */
#define MLD_AN_MAX_WORD_BYTES 128

/* Most words one hyphenated compound joins. Real ones have 2-4
 * ("Nord-Ostsee-Kanal"); a longer chain is a list, and the hyphen after
 * the last joined word separates like a space. */
#define MLD_AN_MAX_HYPHEN_PARTS 6

/* Closed-compound splitting: the fewest letters a word needs to be split,
 * the fewest letters of each part, and the most parts. Shorter words and
 * parts give nonsense splits ("Bundestag" into "Bund" + "estag"); past three
 * parts the list's coverage makes wrong splits likelier than right ones. */
#define MLD_AN_SPLIT_MIN_LETTERS 8
#define MLD_AN_SPLIT_MIN_PART 4
#define MLD_AN_SPLIT_MAX_PARTS 3

/* Largest word list read (Debian's ngerman is 4.7 MB), and its longest
 * line in bytes: a line longer than any word analysed is not a word, and
 * such a list is malformed. */
#define MLD_AN_MAX_DICT_BYTES (64u * 1024 * 1024)

/* Largest token stream recorded ahead for the search index
 * (mld_analyze_record): about 6 KB for a news item; a longer text is
 * analysed when the index is written instead. */
#define MLD_AN_MAX_RECORD_BYTES (4u * 1024 * 1024)
#define MLD_AN_MAX_DICT_LINE MLD_AN_MAX_WORD_BYTES

/* Stems each thread keeps in its cache (68 bytes each, 1.1 MB, touched
 * only as far as used), and the longest word cached. News text repeats
 * its words: 4096 entries hit 75% of the words of `bench/ingest.sh`'s
 * archive, 16384 entries 88%, and a miss (libstemmer) costs about 4,000
 * instructions, a hit outside L2 a few hundred cycles at most. */
#define MLD_AN_STEM_CACHE 16384
#define MLD_AN_STEM_CACHE_WORD 30

/* Configuration -------------------------------------------------------- */

/* Largest configuration file, and most [sections] in it (sources etc.). */
#define MLD_MAX_CONFIG_BYTES (1024u * 1024)
#define MLD_MAX_CONFIG_SECTIONS 4096

/* Web ------------------------------------------------------------------ */

/* Largest request header block accepted (bytes); beyond it 431. */
#define MLD_HTTP_MAX_HEADER_BYTES 8192

/* Largest request body any route may take (the push endpoint's); each
 * route declares its own limit at the admit step (http.h), and routes
 * that take none refuse a body before reading it. */
#define MLD_HTTP_MAX_BODY_BYTES (16u * 1024 * 1024)

/* Body limit for a route that takes a small HTML form (login, an action
 * button): ample for application/x-www-form-urlencoded fields. */
#define MLD_HTTP_FORM_MAX_BYTES (64u * 1024)

/* Longest URL path accepted (bytes); beyond it 414. */
#define MLD_HTTP_MAX_PATH_BYTES 2048

/* Seconds a connection may sit idle while its answer is sent (MHD's
 * timeout, reset by every byte; the header and body deadlines below are
 * the slowloris guard). */
#define MLD_HTTP_TIMEOUT_SECS 30

/* Most concurrent connections; beyond it the listener refuses. Live
 * streams hold one each for as long as a reader keeps a page open, and
 * issue 9 asks for 5,000 of them on one server beside the page traffic
 * (bench/sse.sh); a waiting one costs about 15 KB (docs/internals/live.md). */
#define MLD_HTTP_MAX_CONNECTIONS 8192

/* Most connections from one IP address; from a trusted proxy, most
 * requests in flight per forwarded client ([server]
 * max_connections_per_client). */
#define MLD_HTTP_MAX_PER_IP 512

/* Seconds a connection has to deliver a request's complete header block,
 * counted from its accept or from its previous answer (so also the
 * keep-alive idle limit); not reset by bytes that trickle in (slowloris).
 * [server] header_timeout. */
#define MLD_HTTP_HEADER_TIMEOUT_SECS 10

/* Seconds an admitted request body may take to arrive, counted from the
 * end of its headers. 16 MiB in 120 s needs 140 KB/s. [server]
 * body_timeout. */
#define MLD_HTTP_BODY_TIMEOUT_SECS 120

/* Largest header_timeout and body_timeout a configuration may set. */
#define MLD_HTTP_MAX_DEADLINE_SECS 3600

/* How often the deadline sweep looks at the open connections (ms). */
#define MLD_HTTP_SWEEP_MS 250

/* Most [server] trusted_proxies entries (addresses or CIDR blocks). */
#define MLD_HTTP_MAX_TRUSTED_PROXIES 64

/* Most X-Forwarded-For / Forwarded entries walked from the right when
 * looking for the client behind trusted proxies. */
#define MLD_HTTP_MAX_FORWARDED_HOPS 16

/* Rate limits (src/web/ratelimit.h) ------------------------------------ */

/* Most keys (client addresses, account names) a rate limiter remembers;
 * past that the least recently failed of a few candidates is forgotten. */
#define MLD_RATELIMIT_MAX_KEYS 4096

/* Longest key kept; longer keys are cut (addresses and names are short). */
#define MLD_RATELIMIT_MAX_KEY_BYTES 64

/* Seconds after its last failure that a key is forgotten. */
#define MLD_RATELIMIT_FORGET_SECS 3600

/* Push endpoint: failed tokens from one client before back-off starts,
 * the first wait (doubled by each further failure) and the longest. */
#define MLD_PUSH_FREE_FAILS 5
#define MLD_PUSH_BACKOFF_SECS 4
#define MLD_PUSH_BACKOFF_MAX_SECS 900

/* Most rendered responses kept in the page cache. */
#define MLD_CACHE_MAX_ENTRIES 65536

/* Most bytes of rendered responses (bodies plus gzip copies) kept in the
 * page cache: its memory is bounded by bytes, not only by entries (65,536
 * article pages of 10 KB plus 3 KB gzip would be 850 MB). 64 MiB keep
 * about 5,000 article pages, every list and feed page of a busy site; a
 * crawl of older articles evicts them (CLOCK) instead of growing the
 * server (issue 13, "Memory"). */
#define MLD_CACHE_MAX_BYTES (64u * 1024 * 1024)

/* Most tags one cached response carries (article, section, topics, story,
 * lists); a page with more is not cached, since dropping a tag could keep
 * it stale. */
#define MLD_CACHE_MAX_TAGS 64

/* Longest page-cache key (path plus normalised query); longer ones are not
 * cached. */
#define MLD_CACHE_MAX_KEY_BYTES 4096

/* Largest rendered page (bytes). A page beyond it is a template bug. */
#define MLD_MAX_PAGE_BYTES (8u * 1024 * 1024)

/* A render's jansson values come from an arena per HTTP thread (page.c,
 * src/base/arena.h): its first chunk, and the most it keeps between
 * renders (one chunk; a larger one, of a long story or topic page, is
 * freed at the render's end). */
#define MLD_ARENA_CHUNK_BYTES (64u * 1024)
#define MLD_RENDER_ARENA_KEEP (1024u * 1024)

/* Items on a list page (home per section, section, topic), and in
 * "Weitere Meldungen". */
#define MLD_LIST_PAGE_SIZE 20
#define MLD_RELATED_COUNT 6
#define MLD_HOME_PER_SECTION 5

/* The portal front page (page.c): the newest stories it picks the lead
 * and "Neueste Meldungen" from (enough for a lead with a picture among a
 * morning's wire), the stories "Neueste Meldungen" shows, and the lead
 * rule: a story of urgency <= MLD_HOME_LEAD_URGENCY (dpa: 1 flash, 2
 * urgent, 3 priority) no older than MLD_HOME_LEAD_SECS leads; else the
 * newest with a picture. Section blocks skip stories shown above them, so
 * each block reads up to MLD_HOME_BLOCK_READ stories to fill its
 * MLD_HOME_PER_SECTION. */
#define MLD_HOME_POOL 40
#define MLD_HOME_LATEST 8
#define MLD_HOME_TOP 3 /* under the lead, with teasers */
#define MLD_HOME_LEAD_URGENCY 3
#define MLD_HOME_LEAD_SECS (6 * 3600)
#define MLD_HOME_BLOCK_READ (MLD_HOME_PER_SECTION + MLD_HOME_LATEST + 1)

/* Pictures on pages: a list thumbnail is the smallest rendition at least
 * this wide (CSS pixels x 2 for sharp thumbnails of ~80 px would be 160). */
#define MLD_THUMB_MIN_WIDTH 160

/* Sections the operator may order on the home page ([site] sections). */
#define MLD_SITE_MAX_SECTIONS 64

/* Topics named in the line above an article's headline (the reference
 * page shows two: "Ukraine, Russland"); the article's foot lists all. */
#define MLD_TOPIC_LINE_COUNT 2

/* Deepest page number of a section or topic list (?seite=N): 20,000
 * stories back is an archive's job, and each number is a cache entry. */
#define MLD_LIST_MAX_PAGES 1000

/* Search requests (/suche, /api/v1/search): the longest query text
 * accepted (bytes; readers type a few words, 500 bytes is a paragraph,
 * and every word costs index work), hits on one result page, and topics
 * offered to narrow a search down (more is a wall of links). */
#define MLD_SEARCH_MAX_QUERY_BYTES 500
#define MLD_SEARCH_PAGE_SIZE 20
#define MLD_SEARCH_TOPIC_FACETS 8

/* Templates ------------------------------------------------------------ */

/* Largest template file, and deepest nesting of sections and partials. */
#define MLD_MAX_TEMPLATE_BYTES (1024u * 1024)
#define MLD_MAX_TEMPLATE_DEPTH 32

/* Most template ops one render may execute. A page with a list of 20
 * items runs a few thousand; a sitemap of 50,000 URLs about a million.
 * Nested sections over long lists multiply (three lists of 1,000 nested
 * are 10^9 steps with little output), so work is capped, not just bytes. */
#define MLD_MAX_TEMPLATE_STEPS (16u * 1024 * 1024)

/* The pipeline (src/pipeline/) ---------------------------------------- */

/* A headline the pipeline makes for an item without one (the first
 * sentence of its teaser or text) is cut at a word boundary before this
 * many characters: a long dpa headline has about 80, and list pages wrap
 * more than two lines beyond 100. */
#define MLD_HEADLINE_MADE_CHARS 100

/* Warning lines kept per document (generated headlines, refused entries);
 * a feed of 10,000 bad items reports the first ones and a count. */
#define MLD_PIPELINE_MAX_NOTES 20

/* How far after its receipt an item may be dated (version_created or
 * updated) before the pipeline treats the date as wrong and dates the
 * item by first sight, with a warning: a year-9999 item would otherwise
 * top its section for good. Clocks and time zones err by hours; a day is
 * the default ([ingest] future_skew), 30 days the most it may be set to. */
#define MLD_FUTURE_SKEW_SECS (24 * 3600)
#define MLD_FUTURE_SKEW_MAX_SECS (30 * 24 * 3600)

/* Highest version number accepted; an entry above it is refused with a
 * warning. A version of INT64_MAX would leave no room for the correction
 * that must replace it. dpa's versions are below 100; 2^53 - 1 leaves
 * room for counters and time stamps used as versions and is the largest
 * integer JSON clients (the article API's version table) read exactly. */
#define MLD_MAX_VERSION 9007199254740991LL

/* Static files (static/: stylesheet, icons, the operator's pictures),
 * read into memory at start. A site's own assets are a few dozen files
 * of a few hundred KB; more is a misplaced media archive, which belongs
 * behind the front proxy. Deeper folders than this are not walked. */
#define MLD_STATIC_MAX_FILES 512
#define MLD_STATIC_MAX_BYTES (32u * 1024 * 1024)
#define MLD_STATIC_MAX_DEPTH 4

/* Feeds out (src/web/feed_out.c) -------------------------------------- */

/* Items in each of the site's feeds (home, section, topic, story,
 * search). Readers poll every few minutes and keep what they saw, so a
 * feed needs to cover the articles of a busy hour or two; 50 full
 * articles are about 250 KB of RSS, and more makes every poll of the
 * home feed heavier (Tagesschau and Spiegel send 40 to 60). At most four
 * list pages (sq_list's id buffer). */
#define MLD_FEED_OUT_ITEMS 50

/* Live updates (src/web/live.c) -------------------------------------- */

/* Default most open live streams (SSE clients) of one server; [site]
 * live_streams sets another, up to MLD_LIVE_MAX_STREAMS_CAP. Each holds
 * one connection; the cap leaves 256 of MLD_HTTP_MAX_CONNECTIONS for
 * pages, the default three quarters of them. */
#define MLD_LIVE_MAX_STREAMS 2048
#define MLD_LIVE_MAX_STREAMS_CAP (MLD_HTTP_MAX_CONNECTIONS - 256)

/* Unsent bytes held for one live client. An event is about 300 bytes, so
 * this is some 200 events: a burst of a large ingest, or a resume; a
 * client further behind is dropped (it resumes with Last-Event-ID). */
#define MLD_LIVE_CLIENT_BUFFER_BYTES (64u * 1024)

/* Seconds between heartbeat comments on an idle stream: below the 30 to
 * 60 s after which proxies and load balancers close a quiet connection,
 * and how soon a client that went away is noticed. */
#define MLD_LIVE_HEARTBEAT_SECS 15

/* Most articles a resuming client is sent from the change log; a client
 * further behind gets `reset` (reload) instead of a flood. */
#define MLD_LIVE_MAX_REPLAY 200

/* Retry-After (seconds) of the 503 when every live stream is taken, and
 * the reconnection delay (ms) the stream asks of EventSource clients. */
#define MLD_LIVE_RETRY_AFTER_SECS 30
#define MLD_LIVE_RETRY_MS 3000

/* Articles one flush announces at most; more (a bulk import) is `reset`. */
#define MLD_LIVE_MAX_BATCH 1000

/* Largest filter value (section or topic slug) a client may send. */
#define MLD_LIVE_MAX_FILTER_BYTES 128

/* Sitemaps and sharing (src/web/sitemap.c, seo.c) ---------------------- */

/* URLs in one child sitemap and its size: the sitemap protocol's limits
 * (sitemaps.org: 50,000 URLs, 50 MB uncompressed). A month with more
 * visible articles is split into parts of this many. */
#define MLD_SITEMAP_MAX_URLS 50000
#define MLD_SITEMAP_MAX_BYTES (50u * 1024 * 1024)

/* Child sitemaps one index names: the protocol's limit for an index. At
 * one per month (and a part per 50,000 articles) that is far beyond any
 * archive. */
#define MLD_SITEMAP_MAX_CHILDREN 50000

/* The Google News sitemap: articles of the last 48 hours, at most 1,000
 * (Google's rules for news sitemaps). */
#define MLD_NEWS_SITEMAP_SECS (48 * 3600)
#define MLD_NEWS_SITEMAP_MAX_URLS 1000

/* A meta description is cut at a word boundary before this many
 * characters: search engines show about 155 and cut the rest. */
#define MLD_META_DESCRIPTION_CHARS 160

/* A request's Host header used for absolute URLs when [site] base_url is
 * not set: a DNS name has at most 253 bytes, plus ":port". */
#define MLD_HOST_MAX_BYTES 262

/* Pictures named in an article's JSON-LD (image) and OpenGraph tags. */
#define MLD_SEO_MAX_IMAGES 8

/* Nesting of the JSON-LD a page writes (seo.c, put_json): three levels
 * are used (list > item > author); more is a bug, written as no JSON-LD. */
#define MLD_SEO_JSON_DEPTH 8

/* The article API (src/web/api.c) ------------------------------------- */

/* Items on one page of /api/v1/articles and /api/v1/changes: the default
 * and the most a client may ask for (100 full items are about 100 KB of
 * JSON, one store read each). */
#define MLD_API_DEFAULT_LIMIT 20
#define MLD_API_MAX_LIMIT 100

/* Topics /api/v1/topics lists, most articles first: the gazetteer and the
 * agencies' keywords give a few hundred in use; the long tail of topics
 * carried by one article is noise to a client. */
#define MLD_API_MAX_TOPICS 500

/* Version rows one /api/v1/changes answer reads at most: rows that report
 * nothing (stale versions, a version a later one supersedes, held items)
 * are skipped, so a page may stop short of its limit and says "more". */
#define MLD_API_CHANGES_SCAN 1000

/* Longest opaque cursor accepted (base64 of three decimal numbers). */
#define MLD_API_MAX_CURSOR 128

/* Headers for a public site and a CDN (src/web/site.c, purge.c) ------- */

/* Cache-Control of cacheable pages, feeds, sitemaps and API answers:
 * browsers keep them MLD_CDN_MAX_AGE seconds (as before: short, so a
 * reader sees an update within a minute). A shared cache (CDN) keeps them
 * MLD_CDN_S_MAXAGE seconds, or MLD_CDN_S_MAXAGE_PURGED when [site]
 * purge_url is set: then the purge call drops a changed page at once and
 * a long lifetime only saves origin requests. For MLD_CDN_SWR seconds
 * past that a CDN may answer with the old copy while it fetches the new
 * one (stale-while-revalidate: no reader waits for a render). 400/404
 * answers are kept MLD_CDN_ERROR_MAX_AGE seconds by both. */
#define MLD_CDN_MAX_AGE 60
#define MLD_CDN_S_MAXAGE 60
#define MLD_CDN_S_MAXAGE_PURGED 3600
#define MLD_CDN_SWR 30
#define MLD_CDN_ERROR_MAX_AGE 10

/* Keys waiting for the purge worker: one refresh names a few (the
 * article, its section, topics, story, "all"); a thousand cover a burst
 * of hundreds of articles while the purge URL is slow. Past that the
 * queue collapses into one purge of every page (the "site" key), which
 * is exact, only costlier for the CDN. */
#define MLD_PURGE_QUEUE_KEYS 1024

/* Keys in one purge POST: Fastly takes 256 surrogate keys per batch
 * purge, Cloudflare 30 tags per call; an adapter splits further. */
#define MLD_PURGE_BATCH_KEYS 256

/* Attempts per batch, and the back-off between them: 1, 2, 4, 8 s
 * (doubling, at most MLD_PURGE_BACKOFF_MAX_SECS); then the batch is
 * given up, logged, and the CDN keeps the page at most s-maxage. */
#define MLD_PURGE_TRIES 5
#define MLD_PURGE_BACKOFF_MAX_SECS 30

/* One purge request may take this long (connect included) before it
 * counts as failed: a CDN API answers in well under a second. */
#define MLD_PURGE_TIMEOUT_SECS 10

/* At most one purge failure is logged per this many seconds; the next
 * message says how many failures it stood for. */
#define MLD_PURGE_LOG_SECS 60

/* Longest header-safe change key (Fastly and Cloudflare take 1024 bytes
 * per key); a longer one is left out of the headers (the page is then
 * kept by the CDN only s-maxage without purge, see site.c). */
#define MLD_PURGE_MAX_KEY_BYTES 1024

/* Longest Surrogate-Key or Cache-Tag header: Fastly and Cloudflare both
 * take 16 KB; 64 keys (MLD_CACHE_MAX_TAGS) of ordinary slugs need about
 * 2 KB. A page whose keys do not fit gets none (and the short s-maxage). */
#define MLD_CDN_KEY_HEADER_BYTES 16384

/* Webhooks out (src/web/webhook.c) ------------------------------------ */

/* [webhook NAME] sections one server reads: each is a queue and at most
 * one delivery in flight on the one worker thread. */
#define MLD_WEBHOOK_MAX 16

/* Events waiting for one webhook. An event is about 1 KB of JSON, so this
 * is 1 MB per webhook at most; a receiver down for longer than a busy
 * hour of a wire (a few hundred articles) loses its oldest events, which
 * are counted as dropped on /status. */
#define MLD_WEBHOOK_QUEUE 1000

/* Back-off after a failed delivery: attempt k waits base * 2^(k-1),
 * capped, with half of it random (jitter), so receivers that come back
 * are not hit by every sender at once. 1 s first lets a restarting
 * receiver miss nothing; 5 min cap is how long a dead one is left alone. */
#define MLD_WEBHOOK_RETRY_BASE_MS 1000
#define MLD_WEBHOOK_RETRY_MAX_MS (5 * 60 * 1000)

/* Attempts of one event before it counts as failed: with the schedule
 * above some 20 minutes of trying (1+2+...+256 s, then 5 min thrice). */
#define MLD_WEBHOOK_MAX_ATTEMPTS 12

/* Seconds one delivery may take (connect included), default and most:
 * a receiver should answer at once and work later. */
#define MLD_WEBHOOK_TIMEOUT_SECS 10
#define MLD_WEBHOOK_TIMEOUT_MAX_SECS 60

/* A secret shorter than this is refused: HMAC-SHA256 wants a key of
 * some entropy, and 16 bytes is the least a random token has. */
#define MLD_WEBHOOK_MIN_SECRET 16

/* Bytes of a receiver's answer read (and ignored) at most. */
#define MLD_WEBHOOK_MAX_ANSWER 4096

/* Observability (docs/internals/observability.md) ------------------------ */

/* Bytes of one log line after escaping; a longer message is cut at a
 * whole escape and ends in "...". 8 KB holds a path of
 * MLD_HTTP_MAX_PATH_BYTES escaped four times over. */
#define MLD_LOG_LINE_BYTES 8192

/* The access log's buffer: lines wait here for the writer thread. A
 * request thread only copies its line in under a mutex; when the disk
 * is slower than the requests and the buffer is full, lines are dropped
 * and counted (the next line written says how many), never waited for. */
#define MLD_ACCESS_LOG_BUFFER_BYTES (1024 * 1024)

/* The writer flushes at least this often (milliseconds), so `tail -f`
 * shows a request within a fraction of a second. */
#define MLD_ACCESS_LOG_FLUSH_MS 200

/* Seconds between two warnings about dropped access-log lines: each
 * warning counts the lines dropped since the last one. */
#define MLD_ACCESS_LOG_WARN_SECS 10

/* Bytes of a User-Agent or Referer kept in one access-log line. */
#define MLD_ACCESS_LOG_FIELD_BYTES 512

/* Directory entries read in the quarantine folder per /metrics scrape at most: the
 * count is a readdir() on every scrape. */
#define MLD_METRICS_MAX_QUARANTINE_SCAN 100000

/* Bytes of a /metrics answer at most (a few hundred sources fit). */
#define MLD_METRICS_MAX_BYTES (1024 * 1024)

/* Editors (src/web/editor.c, src/web/auth.c) --------------------------- */

/* Argon2id for passwords (RFC 9106): 2 passes over 19 MiB, one lane -
 * the OWASP recommendation's floor; about 50 ms on one core, so a login
 * costs a moment and a stolen hash a fortune per guess. */
#define MLD_ARGON2_T_COST 2
#define MLD_ARGON2_M_COST_KIB 19456
#define MLD_ARGON2_LANES 1
#define MLD_ARGON2_SALT_BYTES 16
#define MLD_ARGON2_HASH_BYTES 32
/* Room for the encoded string ($argon2id$v=19$m=..,t=..,p=..$salt$hash). */
#define MLD_ARGON2_ENCODED_MAX 128

/* User names: 1..32 of [a-z0-9._-]; passwords: 10..256 bytes. */
#define MLD_USER_NAME_MAX 32
#define MLD_PASSWORD_MIN 10
#define MLD_PASSWORD_MAX 256

/* Session ids and CSRF tokens: 32 random bytes (hex in the cookie). */
#define MLD_SESSION_BYTES 32

/* A login lasts 8 hours (a shift), then the editor logs in again. */
#define MLD_SESSION_SECS (8 * 3600)

/* The pre-login token (double-submit cookie of the login form) lives
 * this long: the time to type a password. */
#define MLD_LOGIN_FORM_SECS 1800

/* After this many failed logins in a row an account is refused for
 * MLD_LOGIN_LOCK_SECS after the last failure (429, Retry-After). */
#define MLD_LOGIN_MAX_FAILURES 5
#define MLD_LOGIN_LOCK_SECS 300

/* Failed logins from one client address (any names) that pass before it
 * waits (ratelimit.h): then 4 s, doubling, at most 15 minutes. More than
 * an account's MLD_LOGIN_MAX_FAILURES, so an office behind one address is
 * not locked out by one editor's typos. */
#define MLD_LOGIN_ADDR_FREE_FAILS 20
#define MLD_LOGIN_ADDR_BACKOFF_SECS 4
#define MLD_LOGIN_ADDR_MAX_SECS 900

/* Largest form body each POST route of /redaktion takes: a login (name,
 * password, token) and an action (token, action, a reason or note). */
#define MLD_EDITOR_LOGIN_BODY_MAX 1024
#define MLD_EDITOR_LOGOUT_BODY_MAX 256
#define MLD_EDITOR_ACTION_BODY_MAX 8192
/* The admins' accounts form: a name, a role and a password of up to
 * MLD_PASSWORD_MAX bytes (each byte up to three when url-encoded). */
#define MLD_EDITOR_ACCOUNT_BODY_MAX 2048

/* A withdrawal's reason or a correction note: 1..2000 bytes of UTF-8. */
#define MLD_EDITOR_TEXT_MAX 2000
/* An editor's topics for an article: at most this many, each a name of at
 * most MLD_EDITOR_TOPIC_MAX bytes (editors.md). */
#define MLD_EDITOR_TOPICS 12
#define MLD_EDITOR_TOPIC_MAX 80
/* Stories an editor may pin on the home page (the lead and those beside it). */
#define MLD_EDITOR_PINS 8

/* Lines per page of the audit log and of the editors' article list. */
#define MLD_AUDIT_PAGE 50
#define MLD_EDITOR_LIST 30

#endif
