/*
 * sqlite.c - the SQLite store backend (see store.h for the contract).
 *
 * One database file in WAL mode, so a serving process reads while an
 * ingest process writes. The schema lives in src/store/sql/NNNN_name.sql,
 * compiled in (tools/embed.sh), and PRAGMA user_version records the last
 * migration applied; open() applies the missing ones in one transaction.
 * Statements are prepared once per connection and reset after use.
 *
 * Version order, duplicates and stories are decided here, inside the
 * caller's transaction, so that "stored" means durably stored: a crash
 * loses only what was not yet committed, and a re-run stores nothing twice
 * (entry ids and version order make put() idempotent).
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../text/slug.h"
#include "store_int.h"
#include "pg_int.h"
#include "sqlite_int.h"

struct mld_migration {
    int number;      /* NNNN of the file name */
    const char *name;
    const char *sql;
};
#include "migrations.h"

/* The usable articles p whose embargo has not ended at ?1: read from the
 * article_visible_from index (partial: the "> 0" lets SQLite use it; other
 * indexes would read a whole section or story),
 * so the cost is the number of embargoes pending, not the store's size.
 * Subtracted from the tallies of migration 0012, which count them. The
 * "> 0" comes first: SQLite checks the WHERE terms in order for one that
 * implies the index's own condition, and comparing "> ?1" with it marks
 * the statement to be compiled again at every new binding of ?1 (on each
 * run: a tenth of a search's time went into re-preparing STORY_SECTIONS). */
#define PENDING                                                                              \
    "FROM article p INDEXED BY article_visible_from "                                        \
    "WHERE p.visible_from > 0 AND p.visible_from > ?1 AND p.pubstatus = 0 "

/* An article's columns as pages read them (struct mld_item and its
 * article); a list entry's (ENTRY_COLS) leave out the body, its text and
 * the aside, so no body is read or unpacked. */
#define ARTICLE_COLS                                                                         \
    "id, urn, version, version_created, updated, entry_id, format, pubstatus, embargo, "     \
    "urgency, signal, lang, kicker, headline, teaser, byline, dateline, body_html, "         \
    "body_text, credit, section, section_slug, slug, published, story_id, link, author, "    \
    "story_reason, hold_reason, date_source, section_by, aside_html"
/* An article page's (GET_PAGE): the whole article but the plain text,
 * which a page shows only as its description when there is no teaser,
 * and which would otherwise be unpacked for every page (0020). */
#define PAGE_COLS                                                                            \
    "id, urn, version, version_created, updated, entry_id, format, pubstatus, embargo, "     \
    "urgency, signal, lang, kicker, headline, teaser, byline, dateline, body_html, "         \
    "CASE WHEN teaser IS NULL OR teaser = '' THEN body_text END, credit, section, "          \
    "section_slug, slug, published, story_id, link, author, story_reason, hold_reason, "     \
    "date_source, section_by, aside_html"
#define ENTRY_COLS                                                                           \
    "id, urn, version, version_created, updated, entry_id, format, pubstatus, embargo, "     \
    "urgency, signal, lang, kicker, headline, teaser, byline, dateline, NULL, NULL, credit, "\
    "section, section_slug, slug, published, story_id, link, author, story_reason, "         \
    "hold_reason, date_source, section_by, NULL"

/* The reads of the items of a page by kind (sq_read_items): the
 * article, its topics, categories and media, its story's sections and
 * size. Each names its items in one parameter (ONE: ?1, TWO: ?2). They
 * come in two forms: for one item ("= ?1", the SQL read before there were
 * two: SQLite runs them once per item, a few microseconds each,
 * in-process), and for all of a page's items at once (_ALL, the ids as an
 * array literal '{1,2,3}': PostgreSQL, where each statement is a round
 * trip; docs/internals/postgres.md), whose last column (KEY) says which
 * item a row is of. Each item's rows come in the order a page shows them. */
#define IDS_AT_1 "= ANY(CAST(?1 AS BIGINT[]))"
#define IDS_AT_2 "= ANY(CAST(?2 AS BIGINT[]))"
#define NO_KEY(col) ""
#define KEY(col) ", " col
#define ITEM_READS(X, SFX, ONE, TWO, STORY, KEY)                                            \
    X(GET##SFX, "SELECT " ARTICLE_COLS KEY("id") " FROM article WHERE id " ONE)             \
    X(GET_PAGE##SFX, "SELECT " PAGE_COLS KEY("id") " FROM article WHERE id " ONE)           \
    X(GET_ENTRY##SFX, "SELECT " ENTRY_COLS KEY("id") " FROM article WHERE id " ONE)         \
    X(GET_TOPICS##SFX, "SELECT name" KEY("article_id") " FROM article_topic "               \
                       "WHERE article_id " ONE " ORDER BY rank")                            \
    X(GET_CATS##SFX, "SELECT code" KEY("article_id") " FROM article_category "              \
                     "WHERE article_id " ONE " ORDER BY code")                              \
    X(GET_MEDIA##SFX, "SELECT url, type, length, caption, kind, width, height, credit, "    \
                      "alt, renditions" KEY("article_id") " FROM article_media "            \
                      "WHERE article_id " ONE " ORDER BY rank")                             \
    X(STORY_SECTIONS##SFX, "SELECT nullif(t.section, ''), t.n - (SELECT count(*) " PENDING  \
                           "AND p.story_id = " STORY " AND p.section IS NOT DISTINCT FROM " \
                           "nullif(t.section, ''))" KEY("t.story_id") " FROM story_tally t " \
                           "WHERE t.story_id " TWO " ORDER BY t.newest DESC, t.section")

/* The class of the PostgreSQL advisory locks that claim sources for a
 * poller (sq_source_claim): "mlds". */
#define PG_SOURCE_LOCKS "1835820147"

/* Every statement the backend runs, prepared on first use. */
/* A new article's id, the one SQLite would choose (the largest plus
 * one), given explicitly so that the row starts as a story of its own
 * (story_id = id): the story is decided after the insert
 * (sq_story_put()), and an article that joins no other story - most -
 * then needs no second write of its row, whose update would rewrite
 * the text's overflow pages and run the tally triggers twice. */
#define NEXT_ID "(SELECT coalesce(max(id), 0) + 1 FROM article)"

#define STMT_MAP(X)                                                                          \
    X(SEEN_ADD, "INSERT INTO entry_seen(entry_id) VALUES (?1) ON CONFLICT DO NOTHING")       \
    X(FIND_URN, "SELECT id, version, version_created, updated, published, story_id "         \
                "FROM article WHERE urn = ?1")                                               \
    X(INSERT, "INSERT INTO article (id, urn, version, version_created, updated, entry_id, "  \
              "format, pubstatus, embargo, visible_from, urgency, signal, lang, kicker, "     \
              "headline, teaser, byline, dateline, body_html, body_text, credit, section, "  \
              "section_slug, slug, published, first_stored, story_id, story_key, link, "      \
              "author, hold_reason, date_source, section_by, aside_html) VALUES "            \
              "(" NEXT_ID ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "   \
              "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?32, " NEXT_ID ", ?25, ?26, "\
              "?27, ?28, ?29, ?30, ?31) RETURNING id")                                       \
    X(UPDATE, "UPDATE article SET urn = ?1, version = ?2, version_created = ?3, "            \
              "updated = ?4, entry_id = ?5, format = ?6, pubstatus = ?7, embargo = ?8, "     \
              "visible_from = ?9, urgency = ?10, signal = ?11, lang = ?12, kicker = ?13, "   \
              "headline = ?14, teaser = ?15, byline = ?16, dateline = ?17, body_html = ?18, "\
              "body_text = ?19, credit = ?20, section = ?21, section_slug = ?22, slug = ?23, "\
              "published = ?24, story_key = ?25, link = ?26, author = ?27, "                 \
              "hold_reason = ?28, date_source = ?29, section_by = ?30, aside_html = ?31 "    \
              "WHERE id = ?32")                                                              \
    X(DEL_TOPICS, "DELETE FROM article_topic WHERE article_id = ?1")                         \
    X(ADD_TOPIC, "INSERT INTO article_topic(article_id, rank, name, slug) "                  \
                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING")                           \
    X(ADD_TOPICS_ALL, "INSERT INTO article_topic(article_id, rank, name, slug) "            \
                      "SELECT ?1, u.r, u.n, u.s FROM unnest(CAST(?2 AS BIGINT[]), "         \
                      "CAST(?3 AS TEXT[]), CAST(?4 AS TEXT[])) AS u(r, n, s) "              \
                      "ON CONFLICT DO NOTHING")                                             \
    X(DEL_CATS, "DELETE FROM article_category WHERE article_id = ?1")                        \
    X(ADD_CATS_ALL, "INSERT INTO article_category(article_id, code) SELECT ?1, u.c "         \
                    "FROM unnest(CAST(?2 AS TEXT[])) AS u(c) ON CONFLICT DO NOTHING")        \
    X(ADD_CAT, "INSERT INTO article_category(article_id, code) VALUES (?1, ?2) "             \
               "ON CONFLICT DO NOTHING")                                                     \
    X(DEL_MEDIA, "DELETE FROM article_media WHERE article_id = ?1")                          \
    X(ADD_MEDIA, "INSERT INTO article_media(article_id, rank, url, type, length, caption, "  \
                 "kind, width, height, credit, alt, renditions) "                            \
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")               \
    X(ADD_VERSION, "INSERT INTO version (article_id, version, version_created, updated, "    \
                   "entry_id, pubstatus, embargo, signal, headline, teaser, body_html, "     \
                   "applied, stored_at, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "\
                   "?10, ?11, ?12, ?14, ?13)")                                               \
    X(VERSION_SAME, "SELECT 1 FROM version WHERE article_id = ?1 AND digest = ?2 LIMIT 1")   \
    X(VERSION_KEEP, "UPDATE version SET body_html = (SELECT body_html FROM article "          \
                    "WHERE id = ?1) WHERE id = " SQ_VERSION_SHOWN " AND body_html IS NULL")   \
    X(KEYS, "SELECT section_slug, story_id, published FROM article WHERE id = ?1")           \
    X(KEY_TOPICS, "SELECT slug FROM article_topic WHERE article_id = ?1 ORDER BY rank")      \
    X(ADD_CHANGE, "INSERT INTO change(at, key) VALUES (?2, ?1)")                             \
    X(ADD_CHANGES_ALL, "INSERT INTO change(at, key) SELECT ?2, u.k FROM "                    \
                       "unnest(CAST(?1 AS TEXT[])) WITH ORDINALITY AS u(k, n) ORDER BY u.n") \
    ITEM_READS(X, , "= ?1", "= ?2", "?2", NO_KEY)                                                     \
    ITEM_READS(X, _ALL, IDS_AT_1, IDS_AT_2, "t.story_id", KEY)                                                 \
    X(SECTIONS, "SELECT a.section, t.slug, t.n - (SELECT count(*) " PENDING                  \
                "AND p.section_slug = t.slug) FROM (SELECT section_slug AS slug, "           \
                "sum(n) AS n FROM article_tally WHERE pubstatus = 0 AND section_slug != '' " \
                "GROUP BY section_slug) t JOIN article a ON a.id = (SELECT id FROM article " \
                "WHERE section_slug = t.slug AND pubstatus = 0 AND visible_from <= ?1 "      \
                "ORDER BY published DESC LIMIT 1) WHERE t.n > 0 ORDER BY t.slug")            \
    X(STORY_SIZE, "SELECT coalesce((SELECT sum(n) FROM story_tally WHERE story_id = ?2), 0) "\
                  "- (SELECT count(*) " PENDING "AND p.story_id = ?2)")                      \
    X(SECTION_NAME, "SELECT section FROM article WHERE section_slug = ?1 AND pubstatus = 0 " \
                    "ORDER BY published DESC LIMIT 1")                                       \
    X(TOPIC_NAME, "SELECT t.name FROM article_topic t JOIN article a ON a.id = t.article_id "\
                  "WHERE t.slug = ?1 AND a.pubstatus = 0 LIMIT 1")                           \
    X(CHANGES, "SELECT seq, key FROM change WHERE seq > ?1 ORDER BY seq")                    \
    X(CHANGES_OLDEST, "SELECT min(seq) FROM change")                                          \
    X(RELATED_OF, "SELECT related_id FROM story_related WHERE article_id = ?1")               \
    X(CHANGES_PRUNE, "DELETE FROM change WHERE seq <= (SELECT max(seq) FROM change) - ?1")   \
    X(RELEASED, "SELECT id FROM article WHERE pubstatus = 0 AND visible_from > ?1 "          \
                "AND visible_from <= ?2 AND visible_from > 0")                               \
    X(ED_REAPPLY, "UPDATE article SET pubstatus = (SELECT CASE e.state WHEN 1 THEN 1 "      \
                  "WHEN 2 THEN 2 ELSE (CASE article.pubstatus WHEN 2 THEN 2 ELSE 0 END) END " \
                  "FROM editorial e WHERE e.article_id = ?1) WHERE id = ?1 AND EXISTS "      \
                  "(SELECT 1 FROM editorial WHERE article_id = ?1)")                         \
    X(HISTORY, "SELECT count(*) FROM version WHERE article_id = ?1")                         \
    X(SOURCE_GET, "SELECT name, url, etag, last_modified, last_attempt, last_success, "      \
                  "last_error_at, last_error, failures, next_attempt, items, newest_item, "  \
                  "new_items, updated_items, duplicates, failed "                            \
                  "FROM source WHERE name = ?1")                                             \
    X(SOURCE_SET, "INSERT INTO source (name, url, etag, last_modified, "                     \
                  "last_attempt, last_success, last_error_at, last_error, failures, "        \
                  "next_attempt, items, newest_item, new_items, updated_items, duplicates, "  \
                  "failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "  \
                  "?14, ?15, ?16) ON CONFLICT (name) DO UPDATE SET url = excluded.url, "     \
                  "etag = excluded.etag, last_modified = excluded.last_modified, "           \
                  "last_attempt = excluded.last_attempt, "                                   \
                  "last_success = excluded.last_success, "                                   \
                  "last_error_at = excluded.last_error_at, last_error = excluded.last_error, "\
                  "failures = excluded.failures, next_attempt = excluded.next_attempt, "     \
                  "items = excluded.items, newest_item = excluded.newest_item, "             \
                  "new_items = excluded.new_items, updated_items = excluded.updated_items, " \
                  "duplicates = excluded.duplicates, failed = excluded.failed")              \
    X(SOURCE_CLAIM, "SELECT pg_try_advisory_lock(" PG_SOURCE_LOCKS ", hashtext(CAST(?1 AS TEXT)))") \
    X(SOURCE_UNCLAIM, "SELECT pg_advisory_unlock(" PG_SOURCE_LOCKS ", hashtext(CAST(?1 AS TEXT)))") \
    X(SOURCES, "SELECT name, url, etag, last_modified, last_attempt, last_success, "         \
               "last_error_at, last_error, failures, next_attempt, items, newest_item, "     \
               "new_items, updated_items, duplicates, failed FROM source ORDER BY name")

enum stmt_id {
#define STMT_ENUM_(name, sql) S_##name,
    STMT_MAP(STMT_ENUM_)
#undef STMT_ENUM_
    S_COUNT_
};

static const char *const stmt_sql[] = {
#define STMT_SQL_(name, sql) sql,
    STMT_MAP(STMT_SQL_)
#undef STMT_SQL_
};

struct sq_stmts {
    struct sql_stmt *v[S_COUNT_]; /* prepared on first use */
};

/* True when the connection's last error says the database or its disk is
 * full: SQLITE_FULL (also max_page_count), or an I/O error whose system
 * error is ENOSPC or EDQUOT. */
static bool
sq_out_of_space(struct sq *s)
{
    if (sql_pg(&s->db))
        return s->db.pg->full;
    int code = sqlite3_errcode(s->db.lite);
    if (code == SQLITE_FULL)
        return true;
    int sys = sqlite3_system_errno(s->db.lite);
    return (code & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT);
}

static bool
sq_full(void *impl)
{
    struct sq *s = impl;
    return s->full || sq_out_of_space(s);
}

int
sq_error(struct sq *s, struct mld_err *err, const char *what)
{
    s->full = s->full || sq_out_of_space(s);
    return mld_err_set(err, MLD_E_STORE, "%s: %s: %s", s->path, what, sql_errmsg(&s->db));
}

struct sql_stmt *
sq_prepare(struct sq *s, struct sql_stmt **slot, const char *sql, struct mld_err *err)
{
    struct sql_stmt *st = *slot;
    if (st == NULL) {
        if (sql_prepare(&s->db, sql, true, &st) !=
            SQLITE_OK) {
            sq_error(s, err, "prepare");
            return NULL;
        }
        *slot = st;
        s->slots = mld_reallocarray(s->slots, (size_t)s->nslots + 1, sizeof(*s->slots));
        s->slots[s->nslots++] = slot;
    }
    sql_reset(st);
    sql_clear_bindings(st);
    return st;
}

/* Returns statement id, prepared and reset, or NULL with err set. */
static struct sql_stmt *
stmt(struct sq *s, enum stmt_id id, struct mld_err *err)
{
    return sq_prepare(s, &s->stmts->v[id], stmt_sql[id], err);
}

/* Resets every statement still stepping. An unfinished statement keeps
 * its read snapshot open, and in WAL mode that hides every later commit
 * from this connection; store.c calls this after each operation. */
static void
sq_idle(void *impl)
{
    struct sq *s = impl;
    if (sql_pg(&s->db)) { /* a result holds no snapshot: only the transaction does */
        for (int i = 0; i < s->nslots; i++)
            if (*s->slots[i] != NULL && sql_busy(*s->slots[i]))
                sql_reset(*s->slots[i]);
        return;
    }
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db.lite, NULL); st != NULL;
         st = sqlite3_next_stmt(s->db.lite, st))
        if (sqlite3_stmt_busy(st))
            sqlite3_reset(st);
}

int
sq_exec(struct sq *s, const char *sql, struct mld_err *err)
{
    char *msg = NULL;
    if (sql_pg(&s->db) ? sql_exec(&s->db, sql) != SQLITE_OK
                       : sqlite3_exec(s->db.lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
        s->full = s->full || sq_out_of_space(s);
        mld_err_set(err, MLD_E_STORE, "%s: %s", s->path, msg ? msg : sql_errmsg(&s->db));
        sqlite3_free(msg);
        return MLD_E_STORE;
    }
    return 0;
}

void
sq_bind_text(struct sql_stmt *st, int i, const char *v)
{
    if (v == NULL)
        sql_bind_null(st, i);
    else
        sql_bind_text(st, i, v, -1);
}

char *
sq_col_text(struct sql_stmt *st, int i)
{
    return sq_col_text_with(st, i, NULL);
}

char *
sq_col_text_with(struct sql_stmt *st, int i, const char *dict)
{
    if (sql_column_type(st, i) == SQL_BLOB) {
        const void *b = sql_column_blob(st, i);
        size_t n = (size_t)sql_column_bytes(st, i);
        if (sq_packed(b, n)) {
            char *t = sq_unpack(b, n, dict, NULL);
            if (t == NULL)
                mld_log_warn("store: a packed %s does not unpack (damaged): read as empty",
                             sql_column_name(st, i));
            return t;
        }
    }
    const char *v = sql_column_text(st, i);
    if (v == NULL)
        return NULL;
    return mld_strndup(v, (size_t)sql_column_bytes(st, i));
}

int
sq_one(struct sq *s, const char *sql, const char *param, int64_t *n, char **text,
       struct mld_err *err)
{
    struct sql_stmt *st = NULL;
    if (sql_prepare(&s->db, sql, false, &st) != SQLITE_OK)
        return sq_error(s, err, sql);
    if (param != NULL)
        sq_bind_text(st, 1, param);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW) {
        if (n != NULL)
            *n = sql_column_int64(st, 0);
        if (text != NULL)
            *text = sq_col_text(st, 0);
    }
    sql_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_error(s, err, sql);
}

/* Reads PRAGMA user_version, the last migration applied, into *out. */
static int
schema_version(struct sq *s, int *out, struct mld_err *err)
{
    int64_t v = 0;
    int rc = sq_one(s, "PRAGMA user_version", NULL, &v, NULL, err);
    *out = (int)v;
    return rc;
}

int
sq_schema_newest(void)
{
    return mld_migrations[sizeof(mld_migrations) / sizeof(mld_migrations[0]) - 1].number;
}

/* Applies the migrations newer than the database's user_version. The
 * check is a read; migrating takes the write lock (BEGIN IMMEDIATE, which
 * waits out the busy timeout) and reads the version again under it, so
 * processes opening a new store at once migrate it once: the others find
 * it done. */
static int
migrate(struct sq *s, struct mld_err *err)
{
    int n = (int)(sizeof(mld_migrations) / sizeof(mld_migrations[0]));
    int newest = sq_schema_newest();
    int have;
    int rc = schema_version(s, &have, err);
    if (rc == 0 && have < newest) {
        /* A migration that rebuilds a table (0020) drops the old one: with
         * foreign keys on, that would delete the rows referring to it. The
         * pragma is a no-op inside a transaction, so it is set around it. */
        rc = sq_exec(s, "PRAGMA foreign_keys = OFF", err);
        if (rc != 0)
            return rc;
        rc = sq_txn_begin(s, err);
        if (rc != 0) {
            sq_exec(s, "PRAGMA foreign_keys = ON", NULL);
            return rc;
        }
        rc = schema_version(s, &have, err); /* another process may have migrated */
        for (int i = 0; i < n && rc == 0; i++) {
            if (mld_migrations[i].number <= have)
                continue;
            rc = sq_exec(s, mld_migrations[i].sql, err);
            if (rc != 0) {
                mld_err_prefix(err, "migration %s", mld_migrations[i].name);
                break;
            }
            char sql[64];
            snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", mld_migrations[i].number);
            rc = sq_exec(s, sql, err);
        }
        if (rc == 0)
            rc = sq_txn_commit(s, err);
        if (rc != 0)
            sq_txn_rollback(s);
        int on = sq_exec(s, "PRAGMA foreign_keys = ON", rc != 0 ? NULL : err);
        if (rc == 0)
            rc = on;
        if (rc != 0)
            return rc;
    }
    if (rc == 0 && have > newest)
        rc = mld_err_set(err, MLD_E_STORE,
                         "%s: schema version %d is newer than this meldung knows (%d)", s->path,
                         have, newest);
    return rc;
}

static void sq_close(void *impl);

/* Puts the store in WAL mode. WAL is a property of the file, so after the
 * first open this only reads the mode and takes no lock. Converting a new
 * file needs an exclusive lock, and SQLite does not run the busy handler
 * for that: processes opening a new store at once would get "database is
 * locked" at once. So a busy conversion is retried (every
 * MLD_STORE_WAL_RETRY_MS, within the busy timeout), and one that another
 * process finished meanwhile counts as done. */
static int
set_wal(struct sq *s, struct mld_err *err)
{
    for (int waited = 0;; waited += MLD_STORE_WAL_RETRY_MS) {
        struct sql_stmt *st;
        int rc = sql_prepare(&s->db, "PRAGMA journal_mode", false, &st);
        bool wal = rc == SQLITE_OK && sql_step(st) == SQLITE_ROW &&
                   sqlite3_stricmp(sql_column_text(st, 0), "wal") == 0;
        sql_finalize(st);
        if (wal)
            return 0;
        rc = sql_exec(&s->db, "PRAGMA journal_mode = WAL");
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            return rc == SQLITE_OK ? 0 : sq_error(s, err, "journal_mode = WAL");
        if (waited >= MLD_STORE_BUSY_MS)
            return sq_error(s, err, "journal_mode = WAL");
        struct timespec ts = {0, MLD_STORE_WAL_RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}


/* Opens the PostgreSQL database at url (pg_connect brings its schema up
 * to date). Messages name it as pg_where() does: never the password. */
static int
open_pg(struct sq *s, const char *url, bool reader, struct mld_err *err)
{
    char where[256];
    pg_where(url, where, sizeof(where));
    s->path = mld_strdup(where);
    struct pg *p = MLD_NEW(struct pg);
    /* A reader's transactions are snapshots (sq_read_begin), and it
     * writes nothing (its session says so, also after a reconnection). */
    int rc = pg_connect(p, url, reader, err);
    if (rc != 0) {
        mld_free(p);
        return rc;
    }
    s->db.pg = p;
    return 0;
}

/* SQLite counts its memory under a process-wide mutex at every
 * allocation and free unless told not to (8 % of ingest's storing
 * thread); meldung never reads the count. The call fails harmlessly when
 * something opened a database before. */
static void
sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Opens the SQLite file at path, in WAL mode, and brings its schema up
 * to date. A reader (mld_store_open_reader) is opened without SQLite's
 * connection mutex. */
static int
open_sqlite(struct sq *s, const char *path, bool reader, struct mld_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    s->path = mld_strdup(path);
    /* A reader serves one render at a time (site.c, struct readers): it
     * needs no mutex of its own, which SQLite would take at every call. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | (reader ? SQLITE_OPEN_NOMUTEX : 0);
    if (sqlite3_open_v2(path, &s->db.lite, flags, NULL) != SQLITE_OK)
        return sq_error(s, err, "open");
    sqlite3_busy_timeout(s->db.lite, MLD_STORE_BUSY_MS);
    /* Plans must not depend on bound values. Otherwise a statement that
     * binds "now" where the planner checks the partial index
     * article_visible_from (PENDING: "visible_from > ?1 AND visible_from
     * > 0") is marked to be prepared again whenever "now" changes: every
     * second, for the navigation and each list entry's story sections, a
     * third of an article page's instructions (callgrind, 100k articles).
     * Every use of that index states "> 0" itself, so plans stay. */
    sqlite3_db_config(s->db.lite, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    /* A new file's page size is set before its first write (turning on
     * WAL is one); an existing file keeps its own. */
    char pragmas[256];
    snprintf(pragmas, sizeof(pragmas), "PRAGMA page_size = %d", MLD_STORE_PAGE_BYTES);
    int rc = sq_exec(s, pragmas, err);
    /* WAL lets pages be read while ingest writes. FULL sync makes every
     * COMMIT wait for the write-ahead log to reach the disk (fsync), so a
     * commit that returned survives a power loss, not only a crash of the
     * process (NORMAL): a 202 to a push, ingest's "committed" line and a
     * source's saved state promise that (docs/internals/push.md). */
    if (rc == 0)
        rc = set_wal(s, err);
    /* The page cache (SQLite's default is 2 MB) holds the hot parts of the
     * full-text index and the story tables an ingest touches per article;
     * the memory map saves searches the copies of read(). */
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA synchronous = FULL; "
             "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -%d; "
             "PRAGMA mmap_size = %lld",
             MLD_STORE_CACHE_KIB, (long long)MLD_STORE_MMAP_BYTES);
    if (rc == 0)
        rc = sq_exec(s, pragmas, err);
    if (rc == 0)
        rc = sq_search_register(s, err); /* FTS5 needs it to create the index */
    if (rc == 0)
        rc = sq_pack_register(s, err); /* migration 0019 packs old versions */
    if (rc == 0)
        rc = migrate(s, err);
    return rc;
}

static int
sq_open_as(void **impl, const char *path, bool reader, struct mld_err *err)
{
    struct sq *s = MLD_NEW(struct sq);
    s->stmts = MLD_NEW(struct sq_stmts);
    int rc = pg_is_url(path) ? open_pg(s, path, reader, err) : open_sqlite(s, path, reader, err);
    if (rc == 0)
        rc = sq_search_open(s, err);
    if (rc == 0)
        rc = sq_story_open(s, err);
    if (rc != 0) {
        sq_close(s);
        return rc;
    }
    *impl = s;
    return 0;
}

static int
sq_open(void **impl, const char *path, struct mld_err *err)
{
    return sq_open_as(impl, path, false, err);
}

/* A read-only connection (mld_store_open_reader): opened as any other
 * (the schema is current, so the checks only read), then with a small
 * page cache and query_only, so that a write through it fails. */
static int
sq_open_reader(void **impl, const char *path, struct mld_err *err)
{
    int rc = sq_open_as(impl, path, true, err);
    if (rc != 0 || sql_pg(&((struct sq *)*impl)->db))
        return rc;
    char pragmas[128];
    snprintf(pragmas, sizeof(pragmas), "PRAGMA cache_size = -%d; PRAGMA query_only = 1",
             MLD_STORE_READER_CACHE_KIB);
    rc = sq_exec(*impl, pragmas, err);
    if (rc != 0) {
        sq_close(*impl);
        *impl = NULL;
    }
    return rc;
}

/* A read transaction: BEGIN takes no lock; the first read takes the
 * snapshot (and SQLite's read lock) that every later one shares. On
 * PostgreSQL a REPEATABLE READ transaction does the same (its default,
 * READ COMMITTED, takes a new snapshot at every statement: one page could
 * show two states of the store). */
static int
sq_read_begin(void *impl, struct mld_err *err)
{
    struct sq *s = impl;
    if (sql_in_txn(&s->db))
        return 0;
    if (sql_pg(&s->db))
        return sq_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", err);
    /* Every render begins one: parsed once, not per page (bench/README.md,
     * "crawl.sh", parsing BEGIN and COMMIT was 3 % of an article render). */
    struct sql_stmt *st = sq_prepare(s, &s->read_begin, "BEGIN", err);
    return st == NULL ? MLD_E_STORE : sq_step_done(s, st, err, "begin read");
}

static void
sq_read_end(void *impl)
{
    struct sq *s = impl;
    sq_idle(s); /* statements still stepping would keep the snapshot */
    if (!sql_in_txn(&s->db) || s->in_txn != 0)
        return;
    struct mld_err err = {0};
    struct sql_stmt *st = sql_pg(&s->db) ? NULL : sq_prepare(s, &s->read_commit, "COMMIT", &err);
    if (st == NULL) {
        sql_exec(&s->db, "COMMIT");
        return;
    }
    sql_step(st);
    sql_reset(st);
}

static void
sq_close(void *impl)
{
    struct sq *s = impl;
    if (s == NULL)
        return;
    /* Every statement sq_prepare() made, the modules' included, while
     * their slots still exist. Not every statement of the connection:
     * virtual tables (the FTS5 index) keep statements of their own and
     * finalize them when sqlite3_close() disconnects them; finalizing
     * those here would free them twice. */
    for (int i = 0; i < s->nslots; i++) {
        sql_finalize(*s->slots[i]);
        *s->slots[i] = NULL;
    }
    mld_free(s->slots);
    sq_search_close(s);
    sq_story_close(s);
    sq_pack_close(s);
    if (s->db.pg != NULL) {
        pg_disconnect(s->db.pg);
        mld_free(s->db.pg);
    }
    sqlite3_close(s->db.lite);
    mld_free(s->stmts);
    mld_free(s->path);
    mld_free(s);
}

/* Transactions ------------------------------------------------------------ */

/* The advisory lock every write transaction on PostgreSQL takes first:
 * writes are one at a time, as SQLite's BEGIN IMMEDIATE makes them, so
 * put()'s decisions (new id, version order, duplicates) read what the
 * last writer committed, whichever node it ran on. "mldw". */
#define PG_WRITE_LOCK "1835820151"

int
sq_txn_begin(struct sq *s, struct mld_err *err)
{
    s->full = false;
    if (sql_pg(&s->db))
        s->db.pg->full = false;
    int rc = sq_exec(s, sql_pg(&s->db) ? "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"
                                       : "BEGIN IMMEDIATE", err);
    if (rc == 0 && (rc = sq_story_begin(s, err)) != 0)
        sql_exec(&s->db, "ROLLBACK");
    return rc;
}

/* Change-log entries kept; a variable so that tests can shrink it. */
static int64_t change_log_keep = MLD_CHANGE_LOG_KEEP;

/* Deletes all but the newest change_log_keep change keys. */
static int
prune_changes(struct sq *s, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_CHANGES_PRUNE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, change_log_keep);
    return sq_step_done(s, st, err, "prune the change log");
}

int
sq_txn_commit(struct sq *s, struct mld_err *err)
{
    if (!sql_txn_usable(&s->db)) {
        sq_story_discard(s);
        return mld_err_set(err, MLD_E_STORE, "%s: commit: the transaction was rolled back",
                           s->path);
    }
    int rc = sq_story_flush(s, err);
    if (rc == 0)
        rc = sq_search_flush(s, err);
    if (rc == 0)
        rc = prune_changes(s, err);
    /* PostgreSQL delivers the notice at COMMIT, to every listener
     * (mld_store_listen_wait). */
    if (rc == 0 && s->logged && sql_pg(&s->db))
        rc = sq_exec(s, "NOTIFY " MLD_STORE_CHANNEL, err);
    s->logged = false;
    if (rc == 0)
        rc = sq_exec(s, "COMMIT", err);
    if (rc != 0)
        sq_story_discard(s); /* what it counted may not be in the table */
    return rc;
}

void
sq_txn_rollback(struct sq *s)
{
    s->logged = false;
    sql_exec(&s->db, "ROLLBACK");
    sq_search_discard(s);
    sq_story_discard(s);
}

int
sq_in_txn(struct sq *s, int (*fn)(struct sq *, void *, struct mld_err *), void *ud,
          struct mld_err *err)
{
    if (s->in_txn)
        return fn(s, ud, err);
    int rc = sq_txn_begin(s, err);
    if (rc == 0)
        rc = fn(s, ud, err);
    if (rc == 0)
        rc = sq_txn_commit(s, err);
    if (rc != 0)
        sq_txn_rollback(s);
    return rc;
}

/* Inside a transaction begin() opens a savepoint, so a caller can batch
 * many all-or-nothing units (one per file) into one COMMIT. SQLite may
 * roll back the whole transaction by itself on some errors (disk full,
 * I/O); the nested calls then fail instead of opening a transaction of
 * their own behind the caller's back. */
static int
sq_begin(void *impl, struct mld_err *err)
{
    struct sq *s = impl;
    if (s->in_txn > 0 && !sql_txn_usable(&s->db))
        return mld_err_set(err, MLD_E_STORE, "%s: the enclosing transaction was rolled back",
                           s->path);
    int rc = s->in_txn > 0 ? sq_exec(s, "SAVEPOINT mld", err) : sq_txn_begin(s, err);
    if (rc != 0)
        return rc;
    if (s->in_txn > 0) {
        sq_search_savepoint(s);
        sq_story_savepoint(s);
    }
    s->in_txn++;
    return 0;
}

static int
sq_commit(void *impl, struct mld_err *err)
{
    struct sq *s = impl;
    if (s->in_txn <= 1) {
        s->in_txn = 0;
        return sq_txn_commit(s, err);
    }
    /* A failed release leaves the savepoint to the caller's rollback(). */
    if (!sql_txn_usable(&s->db))
        return mld_err_set(err, MLD_E_STORE, "%s: the enclosing transaction was rolled back",
                           s->path);
    int rc = sq_exec(s, "RELEASE mld", err);
    if (rc != 0)
        return rc;
    s->in_txn--;
    sq_search_release(s, false);
    sq_story_release(s, false);
    /* A long batch writes its queue of search changes early, once no
     * savepoint is left that could take back part of it. Should that
     * fail, the caller's rollback() ends the whole transaction: the
     * savepoint is gone, and a batch that fails is stored again file by
     * file (cmd_ingest.c). */
    if (s->in_txn == 1 && sq_search_queued(s) > MLD_SEARCH_QUEUE_BYTES)
        rc = sq_search_flush(s, err);
    return rc;
}

static void
sq_rollback(void *impl)
{
    struct sq *s = impl;
    if (s->in_txn <= 1) {
        s->in_txn = 0;
        sq_txn_rollback(s);
        return;
    }
    s->in_txn--;
    /* ROLLBACK TO keeps the savepoint open; RELEASE ends it. Both fail
     * harmlessly when SQLite already rolled everything back. */
    sql_exec(&s->db, "ROLLBACK TO mld; RELEASE mld");
    sq_search_release(s, true);
    sq_story_release(s, true);
}

/* A small set of change keys, written to the change log at the end of a put. */
struct keyset {
    char **v;
    int n;
};

static void
keyset_add(struct keyset *k, struct mld_key key)
{
    if (key.s[0] == '\0')
        return;
    for (int i = 0; i < k->n; i++)
        if (strcmp(k->v[i], key.s) == 0)
            return;
    k->v = mld_reallocarray(k->v, (size_t)k->n + 1, sizeof(*k->v));
    k->v[k->n++] = mld_strdup(key.s);
}

static void
keyset_dispose(struct keyset *k)
{
    for (int i = 0; i < k->n; i++)
        mld_free(k->v[i]);
    mld_free(k->v);
    k->v = NULL;
    k->n = 0;
}

/* Adds the change keys of stored article id: itself, its section, its
 * story, its topics, the UTC month of its publication, and "all". */
static int
article_keys(struct sq *s, int64_t id, struct keyset *k, struct mld_err *err)
{
    keyset_add(k, mld_key_article(id));
    keyset_add(k, mld_key_all());
    struct sql_stmt *st = stmt(s, S_KEYS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    if (sql_step(st) == SQLITE_ROW) {
        keyset_add(k, mld_key_section(sql_column_text(st, 0)));
        keyset_add(k, mld_key_story(sql_column_int64(st, 1)));
        struct mld_tm tm; /* its sitemap: the UTC month of its publication */
        mld_time_civil(sql_column_int64(st, 2), 0, &tm);
        char month[16];
        snprintf(month, sizeof(month), "%04d-%02d", tm.year, tm.mon);
        keyset_add(k, mld_key_month(month));
    }
    st = stmt(s, S_KEY_TOPICS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW)
        keyset_add(k, mld_key_topic(sql_column_text(st, 0)));
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read change keys");
}

int
sq_log_key(struct sq *s, const char *key, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_ADD_CHANGE, err);
    if (st == NULL)
        return MLD_E_STORE;
    s->logged = true;
    sq_bind_text(st, 1, key);
    sql_bind_int64(st, 2, mld_time_now());
    return sq_step_done(s, st, err, "log change");
}

void
sq_list_int(struct mld_buf *b, int64_t v)
{
    mld_buf_printf(b, b->len > 1 ? ",%" PRId64 : "%" PRId64, v);
}

void
sq_bind_ints(struct sql_stmt *st, int at, struct mld_buf *b, const int64_t *v, int n)
{
    mld_buf_init(b, SIZE_MAX);
    mld_buf_putc(b, '{');
    for (int i = 0; i < n; i++)
        sq_list_int(b, v[i]);
    mld_buf_putc(b, '}');
    sql_bind_text(st, at, b->p, (int)b->len);
}

void
sq_list_text(struct mld_buf *b, const char *v)
{
    mld_buf_puts(b, b->len > 1 ? ",\"" : "\"");
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            mld_buf_putc(b, '\\');
        mld_buf_putc(b, *c);
    }
    mld_buf_putc(b, '"');
}

/* PostgreSQL: runs statement sid (no rows) with texts v[0..n) as an
 * array at parameter at and the number other at the other of ?1, ?2. */
static int
pg_run_texts(struct sq *s, enum stmt_id sid, int at, const char *const *v, int n,
             int64_t other, const char *what, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, sid, err);
    if (st == NULL)
        return MLD_E_STORE;
    struct mld_buf list;
    mld_buf_init(&list, SIZE_MAX);
    mld_buf_putc(&list, '{');
    for (int i = 0; i < n; i++)
        sq_list_text(&list, v[i]);
    mld_buf_putc(&list, '}');
    sql_bind_text(st, at, list.p, (int)list.len);
    sql_bind_int64(st, 3 - at, other);
    int rc = sq_step_done(s, st, err, what);
    sql_reset(st);
    mld_buf_dispose(&list);
    return rc;
}

int
sq_log_keys(struct sq *s, const char *const *keys, int n, struct mld_err *err)
{
    int rc = 0;
    if (!sql_pg(&s->db) || n < 2) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = sq_log_key(s, keys[i], err);
        return rc;
    }
    s->logged = true;
    return pg_run_texts(s, S_ADD_CHANGES_ALL, 1, keys, n, mld_time_now(), "log changes", err);
}

/* Logs the keys of k (sq_log_keys). */
static int
log_keys(struct sq *s, const struct keyset *k, struct mld_err *err)
{
    return sq_log_keys(s, (const char *const *)k->v, k->n, err);
}

/* editors: hidden reads as withheld (404, in no list), withdrawn as
 * canceled (410), released as usable unless the agency withdrew it;
 * prepared once, as put() runs it on every update. */
int
sq_ed_reapply(struct sq *s, int64_t id, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_ED_REAPPLY, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    return sq_step_done(s, st, err, "apply editorial state");
}

int
sq_log_article_keys(struct sq *s, int64_t id, struct mld_err *err)
{
    struct keyset keys = {0};
    int rc = article_keys(s, id, &keys, err);
    if (rc == 0)
        rc = log_keys(s, &keys, err);
    keyset_dispose(&keys);
    return rc;
}

int
sq_step_done(struct sq *s, struct sql_stmt *st, struct mld_err *err, const char *what)
{
    if (sql_step(st) != SQLITE_DONE)
        return sq_error(s, err, what);
    return 0;
}

/* Binds the article columns shared by INSERT and UPDATE (?1..?31; ?32
 * is the insert's first_stored, the update's id). */
static void
bind_article(struct sq *s, struct sql_stmt *st, const struct mld_article *a, const char *section_slug,
             const char *slug, const char *story_key, mld_time_t published)
{
    sq_bind_text(st, 1, a->urn);
    sql_bind_int64(st, 2, a->version);
    sql_bind_int64(st, 3, a->version_created);
    sql_bind_int64(st, 4, a->updated);
    sq_bind_text(st, 5, a->entry_id);
    sq_bind_text(st, 6, a->format);
    sql_bind_int(st, 7, (int)a->pubstatus);
    sql_bind_int64(st, 8, a->embargo);
    sql_bind_int64(st, 9, a->embargo > 0 ? a->embargo : 0);
    sql_bind_int(st, 10, a->urgency);
    sq_bind_text(st, 11, a->signal);
    sq_bind_text(st, 12, a->lang);
    sq_bind_text(st, 13, a->kicker);
    sq_bind_text(st, 14, a->headline);
    sq_bind_text(st, 15, a->teaser);
    sq_bind_text(st, 16, a->byline);
    sq_bind_text(st, 17, a->dateline);
    sq_bind_packed(s, st, 18, a->body_html); /* sq_get() unpacks both */
    sq_bind_packed_text(s, st, 19, a->text, a->body_html);
    sq_bind_text(st, 20, a->credit);
    sq_bind_text(st, 21, a->section);
    sq_bind_text(st, 22, section_slug);
    sq_bind_text(st, 23, slug);
    sql_bind_int64(st, 24, published);
    sq_bind_text(st, 25, story_key);
    sq_bind_text(st, 26, a->link);
    sq_bind_text(st, 27, a->author);
    sq_bind_text(st, 28, a->hold_reason);
    sql_bind_int(st, 29, (int)a->date_source);
    sql_bind_int(st, 30, (int)a->section_by);
    sq_bind_text(st, 31, a->aside_html);
}

/* The renditions of m as the JSON text of article_media.renditions
 * (0006_article_media_detail.sql), or NULL when it has none; mld_free. */
static char *
renditions_json(const struct mld_media *m)
{
    if (m->nrenditions == 0)
        return NULL;
    json_t *v = json_array();
    for (int i = 0; i < m->nrenditions; i++)
        json_array_append_new(v, json_pack("{s:s, s:i, s:i}", "url", m->renditions[i].url, "w",
                                           m->renditions[i].width, "h",
                                           m->renditions[i].height));
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
    if (n == 0) { /* cannot happen for an array of well-formed objects */
        json_decref(v);
        return NULL;
    }
    char *out = mld_malloc(n + 1);
    json_dumpb(v, out, n, JSON_COMPACT);
    out[n] = '\0';
    json_decref(v);
    return out;
}

/* Adds the renditions stored as JSON text to m. Text that is not such an
 * array (a damaged row) adds nothing: the media object still shows in its
 * main size. */
static void
renditions_read(struct mld_media *m, const char *text)
{
    if (text == NULL)
        return;
    json_t *v = json_loads(text, 0, NULL);
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r) {
        const char *url = json_string_value(json_object_get(r, "url"));
        mld_media_add_rendition(m, url, (int)json_integer_value(json_object_get(r, "w")),
                                (int)json_integer_value(json_object_get(r, "h")));
    }
    json_decref(v);
}

/* Adds a's topics (those with a slug; rank: their place in a) to
 * article id: on PostgreSQL in one statement, the columns as arrays. */
static int
add_topics(struct sq *s, int64_t id, const struct mld_article *a, struct mld_err *err)
{
    bool pg = sql_pg(&s->db);
    struct mld_buf ranks, names, slugs;
    mld_buf_init(&ranks, SIZE_MAX);
    mld_buf_init(&names, SIZE_MAX);
    mld_buf_init(&slugs, SIZE_MAX);
    if (pg) {
        mld_buf_putc(&ranks, '{');
        mld_buf_putc(&names, '{');
        mld_buf_putc(&slugs, '{');
    }
    int rc = 0;
    for (int i = 0; i < a->ntopics && rc == 0; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        if (pg) {
            sq_list_int(&ranks, i);
            sq_list_text(&names, a->topics[i]);
            sq_list_text(&slugs, slug);
            continue;
        }
        struct sql_stmt *st = stmt(s, S_ADD_TOPIC, err);
        if (st == NULL) {
            rc = MLD_E_STORE;
            break;
        }
        sql_bind_int64(st, 1, id);
        sql_bind_int(st, 2, i);
        sq_bind_text(st, 3, a->topics[i]);
        sq_bind_text(st, 4, slug);
        rc = sq_step_done(s, st, err, "add topic");
    }
    if (pg && ranks.len > 1) {
        mld_buf_putc(&ranks, '}');
        mld_buf_putc(&names, '}');
        mld_buf_putc(&slugs, '}');
        struct sql_stmt *st = stmt(s, S_ADD_TOPICS_ALL, err);
        if (st == NULL) {
            rc = MLD_E_STORE;
        } else {
            sql_bind_int64(st, 1, id);
            sql_bind_text(st, 2, ranks.p, (int)ranks.len);
            sql_bind_text(st, 3, names.p, (int)names.len);
            sql_bind_text(st, 4, slugs.p, (int)slugs.len);
            rc = sq_step_done(s, st, err, "add topics");
            sql_reset(st);
        }
    }
    mld_buf_dispose(&ranks);
    mld_buf_dispose(&names);
    mld_buf_dispose(&slugs);
    return rc;
}

/* Adds a's categories to article id: on PostgreSQL in one statement. */
static int
add_categories(struct sq *s, int64_t id, const struct mld_article *a, struct mld_err *err)
{
    int rc = 0;
    if (!sql_pg(&s->db) || a->ncategories < 2) {
        for (int i = 0; rc == 0 && i < a->ncategories; i++) {
            struct sql_stmt *st = stmt(s, S_ADD_CAT, err);
            if (st == NULL)
                return MLD_E_STORE;
            sql_bind_int64(st, 1, id);
            sq_bind_text(st, 2, a->categories[i]);
            rc = sq_step_done(s, st, err, "add category");
        }
        return rc;
    }
    return pg_run_texts(s, S_ADD_CATS_ALL, 2, (const char *const *)a->categories,
                        a->ncategories, id, "add categories", err);
}

/* Replaces the topics, categories and media of article id with a's. */
static int
put_lists(struct sq *s, int64_t id, const struct mld_article *a, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_DEL_TOPICS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    int rc = sq_step_done(s, st, err, "replace topics");
    if (rc != 0)
        return rc;
    rc = add_topics(s, id, a, err);
    if (rc != 0)
        return rc;
    st = stmt(s, S_DEL_CATS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    rc = sq_step_done(s, st, err, "replace categories");
    if (rc == 0)
        rc = add_categories(s, id, a, err);
    if (rc != 0)
        return rc;
    st = stmt(s, S_DEL_MEDIA, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    rc = sq_step_done(s, st, err, "replace media");
    for (int i = 0; rc == 0 && i < a->nmedia; i++) {
        st = stmt(s, S_ADD_MEDIA, err);
        if (st == NULL)
            return MLD_E_STORE;
        sql_bind_int64(st, 1, id);
        sql_bind_int(st, 2, i);
        sq_bind_text(st, 3, a->media[i].url);
        sq_bind_text(st, 4, a->media[i].type);
        sql_bind_int64(st, 5, a->media[i].length);
        sq_bind_text(st, 6, a->media[i].caption);
        sql_bind_int(st, 7, (int)a->media[i].kind);
        sql_bind_int(st, 8, a->media[i].width);
        sql_bind_int(st, 9, a->media[i].height);
        sq_bind_text(st, 10, a->media[i].credit);
        sq_bind_text(st, 11, a->media[i].alt);
        char *r = renditions_json(&a->media[i]);
        sq_bind_text(st, 12, r);
        rc = sq_step_done(s, st, err, "add media");
        mld_free(r);
    }
    return rc;
}

static int
add_version(struct sq *s, int64_t id, const struct mld_article *a, uint64_t digest, int applied,
            struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_ADD_VERSION, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, a->version);
    sql_bind_int64(st, 3, a->version_created);
    sql_bind_int64(st, 4, a->updated);
    sq_bind_text(st, 5, a->entry_id);
    sql_bind_int(st, 6, (int)a->pubstatus);
    sql_bind_int64(st, 7, a->embargo);
    sq_bind_text(st, 8, a->signal);
    sq_bind_text(st, 9, a->headline);
    sq_bind_text(st, 10, a->teaser);
    /* The version the article row shows has its body there (see
     * SQ_VERSION_SHOWN): stored once, until keep_shown_body(). */
    if (applied)
        sql_bind_null(st, 11);
    else
        sq_bind_packed(s, st, 11, a->body_html); /* history: read when an editor opens it */
    sql_bind_int(st, 12, applied);
    sql_bind_int64(st, 13, (int64_t)digest);
    sql_bind_int64(st, 14, mld_time_now()); /* stored_at */
    return sq_step_done(s, st, err, "add version");
}

/* Before the article row of id shows a newer version: the body of the
 * one it shows now moves into that version's row (as it is, packed),
 * which kept none while the article row had it. */
static int
keep_shown_body(struct sq *s, int64_t id, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_VERSION_KEEP, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    return sq_step_done(s, st, err, "keep version body");
}

/* Sets *same when article id has a version with digest. */
static int
has_version(struct sq *s, int64_t id, uint64_t digest, bool *same, struct mld_err *err)
{
    struct sql_stmt *st = stmt(s, S_VERSION_SAME, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, id);
    sql_bind_int64(st, 2, (int64_t)digest);
    int rc = sql_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_error(s, err, "find version");
    *same = rc == SQLITE_ROW;
    return 0;
}

/* The body of put, inside a transaction. */
static int
put_txn(struct sq *s, const struct mld_article *a, const struct mld_sim_features *f,
        enum mld_put_result *res, int64_t *id_out, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc;
    *id_out = 0;
    if (a->entry_id != NULL) {
        st = stmt(s, S_SEEN_ADD, err);
        if (st == NULL)
            return MLD_E_STORE;
        sq_bind_text(st, 1, a->entry_id);
        rc = sq_step_done(s, st, err, "record entry id");
        if (rc != 0)
            return rc;
        if (sql_changes(&s->db) == 0) {
            *res = MLD_PUT_DUPLICATE;
            return 0;
        }
    }

    char slug[MLD_SLUG_MAX + 1], section_slug[MLD_SLUG_MAX + 1];
    const char *headline = a->headline ? a->headline : "";
    if (mld_slug(headline, strlen(headline), slug) == 0)
        memcpy(slug, "meldung", sizeof("meldung"));
    const char *sec = NULL;
    if (a->section != NULL && mld_slug(a->section, strlen(a->section), section_slug) > 0)
        sec = section_slug;
    /* The story key is the headline slug: identical headlines within
     * MLD_STORY_WINDOW_SECS are one story (sqlite_story.c). */
    const char *story_key = slug;

    uint64_t digest = mld_article_digest(a);
    st = stmt(s, S_FIND_URN, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, a->urn);
    rc = sql_step(st);
    struct keyset keys = {0};
    if (rc == SQLITE_DONE) {
        mld_time_t created = a->version_created ? a->version_created : a->updated;
        mld_time_t published = a->embargo > created ? a->embargo : created;
        st = stmt(s, S_INSERT, err);
        if (st == NULL)
            return MLD_E_STORE;
        bind_article(s, st, a, sec, slug, story_key, published);
        sql_bind_int64(st, 32, mld_time_now());
        /* story_id: its own (NEXT_ID) until sq_story_put() decides. The
         * row is written at the first step, which returns its id. */
        if (sql_step(st) != SQLITE_ROW)
            return sq_error(s, err, "insert article");
        int64_t id = sql_column_int64(st, 0);
        sql_reset(st);
        rc = put_lists(s, id, a, err);
        if (rc == 0)
            rc = sq_story_put(s, id, a, f, true, err);
        if (rc == 0)
            rc = add_version(s, id, a, digest, 1, err);
        if (rc == 0)
            rc = article_keys(s, id, &keys, err);
        if (rc == 0)
            rc = log_keys(s, &keys, err);
        keyset_dispose(&keys);
        *res = MLD_PUT_INSERTED;
        *id_out = id;
        return rc;
    }
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "find article");

    int64_t id = sql_column_int64(st, 0);
    struct mld_article old = {
        .version = sql_column_int64(st, 1),
        .version_created = sql_column_int64(st, 2),
        .updated = sql_column_int64(st, 3),
    };
    mld_time_t published = sql_column_int64(st, 4);
    /* A version already kept, delivered again (under any entry id or
     * none): nothing to store. */
    bool same = false;
    rc = has_version(s, id, digest, &same, err);
    if (rc != 0)
        return rc;
    if (same) {
        *res = MLD_PUT_DUPLICATE;
        return 0;
    }
    *id_out = id;
    if (mld_article_version_cmp(a, &old) <= 0) {
        *res = MLD_PUT_STALE;
        rc = add_version(s, id, a, digest, 0, err);
        if (rc == 0) /* api: the article's version table shows it */
            rc = sq_log_key(s, mld_key_article(id).s, err);
        return rc;
    }
    /* An embargo that moved later delays first publication with it. */
    if (a->embargo > published)
        published = a->embargo;
    rc = article_keys(s, id, &keys, err); /* what showed the old version */
    if (rc == 0)
        rc = keep_shown_body(s, id, err);
    if (rc != 0)
        goto out_keys;
    st = stmt(s, S_UPDATE, err);
    if (st == NULL) {
        rc = MLD_E_STORE;
        goto out_keys;
    }
    bind_article(s, st, a, sec, slug, story_key, published);
    sql_bind_int64(st, 32, id);
    rc = sq_step_done(s, st, err, "update article");
    if (rc == 0) /* editors: their decision wins over the agency's version */
        rc = sq_ed_reapply(s, id, err);
    if (rc == 0)
        rc = put_lists(s, id, a, err);
    if (rc == 0) /* editors: their section and topics win too */
        rc = sq_ed_apply_fields(s, id, err);
    if (rc == 0)
        rc = sq_story_put(s, id, a, f, false, err);
    if (rc == 0)
        rc = add_version(s, id, a, digest, 1, err);
    if (rc == 0)
        rc = article_keys(s, id, &keys, err); /* and what shows the new one */
    if (rc == 0)
        rc = log_keys(s, &keys, err);
    *res = MLD_PUT_UPDATED;
out_keys:
    keyset_dispose(&keys);
    return rc;
}

/* put()'s arguments, for sq_in_txn(). */
struct put_args {
    const struct mld_article *a;
    const struct mld_sim_features *f;
    enum mld_put_result *res;
    int64_t *id;
};

static int
put_in_txn(struct sq *s, void *ud, struct mld_err *err)
{
    const struct put_args *p = ud;
    return put_txn(s, p->a, p->f, p->res, p->id, err);
}

static int
sq_put(void *impl, const struct mld_article *a, const struct mld_sim_features *f,
       enum mld_put_result *res, int64_t *id, struct mld_err *err)
{
    struct put_args p = {a, f, res, id};
    return sq_in_txn(impl, put_in_txn, &p, err);
}

/* Reading a page's items ------------------------------------------------------ */

/* The items sq_read_items() fills: each names its article (ids[i]) and
 * is filled in place (its[i]). A read's keys are the distinct articles
 * (or stories) of the items, and the items of key k are first[k],
 * next[first[k]], ... (-1 ends). The sections of each item's story are
 * gathered in secs[i]. */
struct reading {
    struct sq *s;
    const int64_t *ids;
    struct mld_item **its;
    int n;
    int64_t *keys;        /* [n] */
    struct mld_buf *secs; /* [n] */
    int *first, *next;    /* [n] */
    int *listed;          /* [n]: sections in secs[i] */
};

/* Sets r's keys to the distinct values of v(r, 0..n) (each item's
 * article or story) and their chains of items; returns how many. */
static int
distinct_keys(struct reading *r, int64_t (*v)(const struct reading *, int))
{
    int nk = 0;
    for (int i = r->n - 1; i >= 0; i--) { /* backwards: each chain in item order */
        int64_t key = v(r, i);
        int k = 0;
        while (k < nk && r->keys[k] != key)
            k++;
        if (k == nk) {
            r->keys[nk++] = key;
            r->first[k] = -1;
        }
        r->next[i] = r->first[k];
        r->first[k] = i;
    }
    return nk;
}

static void article_row(struct reading *r, int i, struct sql_stmt *st);

/* Runs item read `one` (stmt ITEM_READS) with its items at parameter
 * at, on r->keys[0..nk), now at the other parameter when it has two;
 * calls row(r, i, st) for each of its rows and each item i of the row's
 * key (distinct_keys). On PostgreSQL, for two keys or more, the read's
 * _ALL form, once, with the keys as an array literal; else the one-item
 * form, once per key. */
static int
each_row(struct reading *r, enum stmt_id one, int at, int nk, mld_time_t now,
         void (*row)(struct reading *, int, struct sql_stmt *), struct mld_err *err)
{
    struct sq *s = r->s;
    /* PostgreSQL: one key reads as on SQLite. A statement whose plan
     * depends on its parameters' values (an array's length) is planned
     * again at every run, ~0.1 ms; one without such a parameter gets a
     * generic plan after five runs, and is then only executed. */
    bool all = sql_pg(&s->db) && nk > 1;
    struct sql_stmt *st = stmt(s, all ? one + (S_GET_ALL - S_GET) : one, err);
    if (st == NULL)
        return MLD_E_STORE;
    struct mld_buf list = {0};
    if (all)
        sq_bind_ints(st, at, &list, r->keys, nk);
    int rc = SQLITE_DONE;
    for (int k = 0; k < (all ? 1 : nk) && rc == SQLITE_DONE; k++) {
        if (k > 0)
            sql_reset(st);
        if (!all)
            sql_bind_int64(st, at, r->keys[k]);
        if (sql_bind_count(st) > 1)
            sql_bind_int64(st, 3 - at, now);
        while ((rc = sql_step(st)) == SQLITE_ROW) {
            int at_key = k;
            if (all) { /* the row says its key */
                int64_t key = sql_column_int64(st, sql_column_count(st) - 1);
                for (at_key = 0; at_key < nk && r->keys[at_key] != key; at_key++)
                    ;
            }
            for (int i = at_key < nk ? r->first[at_key] : -1; i >= 0; i = r->next[i])
                row(r, i, st);
            if (!all && row == article_row) {
                rc = SQLITE_DONE; /* an id's one row: no step to the end */
                break;
            }
        }
    }
    sql_reset(st); /* before the list it may point at goes */
    mld_buf_dispose(&list);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read articles");
}

static int64_t
item_id(const struct reading *r, int i)
{
    return r->ids[i];
}

static int64_t
item_story(const struct reading *r, int i)
{
    return r->its[i]->story_id;
}

/* A row of S_GET or S_GET_ENTRY into item i (unless an earlier row
 * filled it): the article, or what a teaser shows of it (headline,
 * teaser, dates, section), without the body, its text and the aside. An
 * article page's "Weitere Meldungen" then reads six small rows, not six
 * articles. */
static void
article_row(struct reading *r, int i, struct sql_stmt *st)
{
    struct mld_item *out = r->its[i];
    if (out->a != NULL)
        return;
    struct mld_article *a = mld_article_new();
    int c = 1;
    a->urn = sq_col_text(st, c++);
    a->version = sql_column_int64(st, c++);
    a->version_created = sql_column_int64(st, c++);
    a->updated = sql_column_int64(st, c++);
    a->entry_id = sq_col_text(st, c++);
    a->format = sq_col_text(st, c++);
    a->pubstatus = (enum mld_pubstatus)sql_column_int(st, c++);
    a->embargo = sql_column_int64(st, c++);
    a->urgency = sql_column_int(st, c++);
    a->signal = sq_col_text(st, c++);
    a->lang = sq_col_text(st, c++);
    a->kicker = sq_col_text(st, c++);
    a->headline = sq_col_text(st, c++);
    a->teaser = sq_col_text(st, c++);
    a->byline = sq_col_text(st, c++);
    a->dateline = sq_col_text(st, c++);
    a->body_html = sq_col_text(st, c++);
    a->text = sq_col_text_with(st, c++, a->body_html); /* packed against it */
    a->credit = sq_col_text(st, c++);
    a->section = sq_col_text(st, c++);
    out->section_slug = sq_col_text(st, c++);
    out->slug = sq_col_text(st, c++);
    out->published = sql_column_int64(st, c++);
    out->story_id = sql_column_int64(st, c++);
    a->link = sq_col_text(st, c++);
    a->author = sq_col_text(st, c++);
    out->story_reason = sq_col_text(st, c++);
    a->hold_reason = sq_col_text(st, c++);
    a->date_source = (enum mld_date_source)sql_column_int(st, c++);
    a->section_by = (enum mld_section_by)sql_column_int(st, c++);
    a->aside_html = sq_col_text(st, c++);
    out->id = r->ids[i];
    a->first_published = out->published;
    out->a = a;
}

static void
topic_row(struct reading *r, int i, struct sql_stmt *st)
{
    mld_article_add_topic(r->its[i]->a, sql_column_text(st, 0));
}

static void
category_row(struct reading *r, int i, struct sql_stmt *st)
{
    mld_article_add_category(r->its[i]->a, sql_column_text(st, 0));
}

static void
media_row(struct reading *r, int i, struct sql_stmt *st)
{
    struct mld_media *m = mld_article_add_media(r->its[i]->a, sql_column_text(st, 0),
                                                sql_column_text(st, 1),
                                                sql_column_int64(st, 2),
                                                sql_column_text(st, 3));
    if (m == NULL)
        return;
    m->kind = (enum mld_media_kind)sql_column_int(st, 4);
    m->width = sql_column_int(st, 5);
    m->height = sql_column_int(st, 6);
    m->credit = sq_col_text(st, 7);
    m->alt = sq_col_text(st, 8);
    renditions_read(m, sql_column_text(st, 9));
}

/* A row of STORY_SECTIONS (one section of the story of item i, newest
 * first, with its visible members as story_tally counts them: migration
 * 0012) into the item's story size and sections. */
static void
section_row(struct reading *r, int i, struct sql_stmt *st)
{
    int64_t n = sql_column_int64(st, 1);
    const char *sec = sql_column_text(st, 0);
    if (n <= 0)
        return;
    r->its[i]->story_size += (int)n;
    if (sec == NULL || r->listed[i]++ == MLD_STORY_SECTIONS_MAX)
        return;
    if (r->secs[i].len > 0)
        mld_buf_puts(&r->secs[i], ", ");
    mld_buf_puts(&r->secs[i], sec);
}

int
sq_read_items(struct sq *s, const int64_t *ids, struct mld_item **its, int n, mld_time_t now,
              unsigned what, struct mld_err *err)
{
    if (n <= 0)
        return 0;
    bool full = (what & SQ_READ_FULL) != 0;
    /* one allocation for the per-item arrays: a page's items are few */
    size_t each = sizeof(int64_t) + sizeof(struct mld_buf) + 3 * sizeof(int);
    char *mem = mld_calloc((size_t)n, each);
    struct reading r = {s, ids, its, n, (int64_t *)mem, NULL, NULL, NULL, NULL};
    r.secs = (struct mld_buf *)(r.keys + n);
    r.first = (int *)(r.secs + n);
    r.next = r.first + n;
    r.listed = r.next + n;
    int nk = distinct_keys(&r, item_id);
    enum stmt_id get = !full                      ? S_GET_ENTRY
                       : (what & SQ_READ_PAGE) != 0 ? S_GET_PAGE
                                                    : S_GET;
    int rc = each_row(&r, get, 1, nk, now, article_row, err);
    for (int i = 0; i < n && rc == 0; i++)
        if (its[i]->a == NULL)
            rc = mld_err_set(err, MLD_E_NOTFOUND, "no article %" PRId64, ids[i]);
    if (rc == 0 && (full || (what & SQ_READ_TOPICS)))
        rc = each_row(&r, S_GET_TOPICS, 1, nk, now, topic_row, err);
    if (rc == 0 && full)
        rc = each_row(&r, S_GET_CATS, 1, nk, now, category_row, err);
    if (rc == 0)
        rc = each_row(&r, S_GET_MEDIA, 1, nk, now, media_row, err);
    if (rc == 0 && (what & SQ_READ_SECTIONS)) {
        for (int i = 0; i < n; i++)
            mld_buf_init(&r.secs[i], 4096);
        rc = each_row(&r, S_STORY_SECTIONS, 2, distinct_keys(&r, item_story), now,
                      section_row, err);
        for (int i = 0; i < n; i++) {
            if (rc == 0 && r.secs[i].len > 0)
                its[i]->story_sections = mld_buf_steal(&r.secs[i], NULL);
            mld_buf_dispose(&r.secs[i]);
        }
    }
    mld_free(mem);
    return rc;
}

/* Reads article id as sq_read_items does with what. */
static int
get_one(void *impl, int64_t id, unsigned what, struct mld_item *out, struct mld_err *err)
{
    int rc = sq_read_items(impl, &id, &out, 1, 0, what, err);
    if (rc != 0)
        mld_item_dispose(out);
    return rc;
}

int
sq_get(void *impl, int64_t id, struct mld_item *out, struct mld_err *err)
{
    return get_one(impl, id, SQ_READ_FULL, out, err);
}

static int
sq_get_page(void *impl, int64_t id, struct mld_item *out, struct mld_err *err)
{
    return get_one(impl, id, SQ_READ_FULL | SQ_READ_PAGE, out, err);
}

/* Loads the items ids[0..n) into out (see sq_read_items). */
static int
load_items(struct sq *s, const int64_t *ids, int n, mld_time_t now, unsigned what,
           struct mld_items *out, struct mld_err *err)
{
    out->v = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*out->v));
    out->n = n;
    struct mld_item **its = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*its));
    for (int i = 0; i < n; i++)
        its[i] = &out->v[i];
    int rc = sq_read_items(s, ids, its, n, now, what, err);
    mld_free(its);
    if (rc != 0)
        mld_items_dispose(out);
    return rc;
}

int
sq_load_items(struct sq *s, const int64_t *ids, int n, mld_time_t now, bool sections,
              struct mld_items *out, struct mld_err *err)
{
    return load_items(s, ids, n, now, sections ? SQ_READ_SECTIONS : SQ_READ_FULL, out, err);
}

/* A list query as it is built: its SQL, and the values of its
 * parameters ?1..?n in order. A query numbers only the values it uses,
 * without a gap, as PostgreSQL must learn each parameter's type from
 * the SQL. */
struct list_q {
    struct mld_buf sql;
    int n;
    struct {
        const char *text; /* a text's value, or NULL for an integer */
        int64_t v;        /* an integer's value */
    } arg[12];
};

/* Adds integer parameter v (or text t when not NULL) to l; returns its
 * number, for the caller to write "?N" where it goes. */
static int
list_arg(struct list_q *l, int64_t v, const char *t)
{
    l->arg[l->n].v = v;
    l->arg[l->n].text = t;
    return ++l->n;
}

/* Binds l's parameters to st. */
static void
list_bind(const struct list_q *l, struct sql_stmt *st)
{
    for (int i = 0; i < l->n; i++)
        if (l->arg[i].text != NULL)
            sq_bind_text(st, i + 1, l->arg[i].text);
        else
            sql_bind_int64(st, i + 1, l->arg[i].v);
}

/* The start of a list query (columns cols) over the visible articles at
 * now, of topic `topic` when not NULL. A topic walks its rows of
 * article_topic_recent (migration 0017: slug, published, id) newest first
 * and joins each to its article (CROSS JOIN: in that order); the others
 * walk article itself. *pub and *idc name the columns to order and page
 * by: the index's, so that SQLite reads rows in index order and stops at
 * the page's end instead of sorting every row of the topic. */
static void
list_select(struct list_q *l, const char *cols, mld_time_t now, const char *topic,
            const char **pub, const char **idc)
{
    mld_buf_init(&l->sql, 4096);
    l->n = 0;
    if (topic != NULL)
        mld_buf_printf(&l->sql, "SELECT %s FROM article_topic t INDEXED BY article_topic_recent "
                                "CROSS JOIN article a WHERE t.slug = ?%d AND a.id = t.article_id "
                                "AND ",
                       cols, list_arg(l, 0, topic));
    else
        mld_buf_printf(&l->sql, "SELECT %s FROM article a WHERE ", cols);
    mld_buf_printf(&l->sql, "a.pubstatus = 0 AND a.visible_from <= ?%d ", list_arg(l, now, NULL));
    *pub = topic != NULL ? "t.published" : "a.published";
    *idc = topic != NULL ? "t.article_id" : "a.id";
}

/* Lists are read newest first from an index (article_published,
 * article_section, article_topic_recent) and,
 * unless every article is wanted, cut to one entry per story here: the
 * first row of a story is its newest visible article. So a page reads the
 * rows down to its last story, not every visible article of the store. */
/* List query q into l: fixed fragments, every value bound. */
static void
list_sql(struct list_q *l, const struct mld_query *q)
{
    const char *pub, *idc;
    list_select(l, "a.id, a.story_id", q->now, q->topic_slug, &pub, &idc);
    if (q->section_slug != NULL)
        mld_buf_printf(&l->sql, "AND a.section_slug = ?%d ", list_arg(l, 0, q->section_slug));
    mld_buf_printf(&l->sql, "ORDER BY %s DESC, %s DESC", pub, idc);
    if (q->every_article) {
        int limit = list_arg(l, q->limit, NULL);
        mld_buf_printf(&l->sql, " LIMIT ?%d OFFSET ?%d", limit, list_arg(l, q->offset, NULL));
    }
}

static int
sq_list(void *impl, const struct mld_query *q, struct mld_items *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct list_q l;
    list_sql(&l, q);
    struct sql_stmt *st = NULL;
    int64_t *stories = NULL; /* the stories met so far, to skip their older rows */
    int nstories = 0, rc = SQLITE_DONE;
    if (sql_prepare(&s->db, l.sql.p, false, &st) != SQLITE_OK) {
        rc = sq_error(s, err, "prepare list");
        goto out;
    }
    list_bind(&l, st);
    int64_t ids[MLD_LIST_PAGE_SIZE * 4];
    int n = 0, want = q->limit < (int)(sizeof(ids) / sizeof(ids[0]))
                          ? q->limit
                          : (int)(sizeof(ids) / sizeof(ids[0]));
    while (n < want && (rc = sql_step(st)) == SQLITE_ROW) {
        int64_t id = sql_column_int64(st, 0), story = sql_column_int64(st, 1);
        if (!q->every_article) {
            bool seen = false;
            for (int i = nstories - 1; i >= 0 && !seen; i--)
                seen = stories[i] == story;
            if (seen)
                continue;
            stories = mld_reallocarray(stories, (size_t)nstories + 1, sizeof(*stories));
            stories[nstories++] = story;
            if (nstories <= q->offset)
                continue;
        }
        ids[n++] = id;
    }
    if (n < want && rc != SQLITE_DONE) {
        rc = sq_error(s, err, "run list");
        goto out;
    }
    /* Pages show entries; feeds (every article) carry the whole text. */
    rc = load_items(s, ids, n, q->now,
                    SQ_READ_SECTIONS | (q->every_article ? SQ_READ_FULL : 0), out, err);
out:
    sql_finalize(st);
    mld_buf_dispose(&l.sql);
    mld_free(stories);
    return rc;
}

static int
sq_sections(void *impl, mld_time_t now, struct mld_named **out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_SECTIONS, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, now);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        (*out)[*n].name = sq_col_text(st, 0);
        (*out)[*n].slug = sq_col_text(st, 1);
        (*n)++;
    }
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "list sections");
}

/* Counted from story_tally (migration 0012), minus the members whose
 * embargo is pending: no member is read. */
static int
sq_story_size(void *impl, int64_t story_id, mld_time_t now, int64_t *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_STORY_SIZE, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, now);
    sql_bind_int64(st, 2, story_id);
    if (sql_step(st) != SQLITE_ROW)
        return sq_error(s, err, "count story");
    *out = sql_column_int64(st, 0);
    sql_reset(st);
    return 0;
}

static char *
name_of(struct sq *s, enum stmt_id id, const char *slug)
{
    struct sql_stmt *st = stmt(s, id, NULL);
    if (st == NULL)
        return NULL;
    sq_bind_text(st, 1, slug);
    return sql_step(st) == SQLITE_ROW ? sq_col_text(st, 0) : NULL;
}

static char *
sq_section_name(void *impl, const char *slug)
{
    return name_of(impl, S_SECTION_NAME, slug);
}

static char *
sq_topic_name(void *impl, const char *slug)
{
    return name_of(impl, S_TOPIC_NAME, slug);
}

static int
sq_changes(void *impl, int64_t since, mld_change_fn fn, void *ud, int64_t *last,
           struct mld_err *err)
{
    struct sq *s = impl;
    int rc;
    if (since > 0) {
        /* Keys the reader has not seen may have been pruned: every key
         * after since is kept only while the oldest kept follows it. */
        struct sql_stmt *st = stmt(s, S_CHANGES_OLDEST, err);
        if (st == NULL)
            return MLD_E_STORE;
        if ((rc = sql_step(st)) != SQLITE_ROW)
            return sq_error(s, err, "read changes");
        bool gap = sql_column_type(st, 0) != SQL_NULL &&
                   sql_column_int64(st, 0) > since + 1;
        sql_reset(st);
        if (gap)
            fn(ud, "*");
    }
    struct sql_stmt *st = stmt(s, S_CHANGES, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, since);
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *last = sql_column_int64(st, 0);
        fn(ud, sql_column_text(st, 1));
    }
    sql_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read changes");
}

static int
sq_released(void *impl, mld_time_t from, mld_time_t to, mld_change_fn fn, void *ud,
            struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_RELEASED, err);
    if (st == NULL)
        return MLD_E_STORE;
    sql_bind_int64(st, 1, from);
    sql_bind_int64(st, 2, to);
    int64_t *ids = NULL;
    int n = 0, rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        ids = mld_reallocarray(ids, (size_t)n + 1, sizeof(*ids));
        ids[n++] = sql_column_int64(st, 0);
    }
    rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read embargo releases");
    struct keyset keys = {0};
    for (int i = 0; i < n && rc == 0; i++) {
        rc = article_keys(s, ids[i], &keys, err);
        /* The pages whose "Weitere Meldungen" may now show it: put()
         * offered it to the lists of the articles its own list holds. */
        if (rc == 0 && (st = stmt(s, S_RELATED_OF, err)) == NULL)
            rc = MLD_E_STORE;
        if (rc != 0)
            break;
        sql_bind_int64(st, 1, ids[i]);
        while ((rc = sql_step(st)) == SQLITE_ROW)
            keyset_add(&keys, mld_key_article(sql_column_int64(st, 0)));
        rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read related lists of releases");
    }
    for (int i = 0; rc == 0 && i < keys.n; i++)
        fn(ud, keys.v[i]);
    keyset_dispose(&keys);
    mld_free(ids);
    return rc;
}

static int
sq_history_count(void *impl, int64_t id)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_HISTORY, NULL);
    if (st == NULL)
        return -1;
    sql_bind_int64(st, 1, id);
    return sql_step(st) == SQLITE_ROW ? sql_column_int(st, 0) : -1;
}

/* Reads one source row (SOURCE_GET / SOURCES column order) into out. */
static void
read_source(struct sql_stmt *st, struct mld_source_state *out)
{
    out->name = sq_col_text(st, 0);
    out->url = sq_col_text(st, 1);
    out->etag = sq_col_text(st, 2);
    out->last_modified = sq_col_text(st, 3);
    out->last_attempt = sql_column_int64(st, 4);
    out->last_success = sql_column_int64(st, 5);
    out->last_error_at = sql_column_int64(st, 6);
    out->last_error = sq_col_text(st, 7);
    out->failures = sql_column_int(st, 8);
    out->next_attempt = sql_column_int64(st, 9);
    out->items = sql_column_int64(st, 10);
    out->newest_item = sql_column_int64(st, 11);
    out->new_items = sql_column_int64(st, 12);
    out->updated_items = sql_column_int64(st, 13);
    out->duplicates = sql_column_int64(st, 14);
    out->failed = sql_column_int64(st, 15);
}

static int
sq_source_get(void *impl, const char *name, struct mld_source_state *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_SOURCE_GET, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, name);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW) {
        read_source(st, out);
        return 0;
    }
    if (rc == SQLITE_DONE)
        return mld_err_set(err, MLD_E_NOTFOUND, "no source %s", name);
    return sq_error(s, err, "read source");
}

static int
sq_source_set(void *impl, const struct mld_source_state *src, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_SOURCE_SET, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, src->name);
    sq_bind_text(st, 2, src->url);
    sq_bind_text(st, 3, src->etag);
    sq_bind_text(st, 4, src->last_modified);
    sql_bind_int64(st, 5, src->last_attempt);
    sql_bind_int64(st, 6, src->last_success);
    sql_bind_int64(st, 7, src->last_error_at);
    sq_bind_text(st, 8, src->last_error);
    sql_bind_int(st, 9, src->failures);
    sql_bind_int64(st, 10, src->next_attempt);
    sql_bind_int64(st, 11, src->items);
    sql_bind_int64(st, 12, src->newest_item);
    sql_bind_int64(st, 13, src->new_items);
    sql_bind_int64(st, 14, src->updated_items);
    sql_bind_int64(st, 15, src->duplicates);
    sql_bind_int64(st, 16, src->failed);
    return sq_step_done(s, st, err, "write source");
}

int
sq_read_only(struct sq *s, struct mld_err *err)
{
    int64_t ro = 0;
    int rc = sq_one(s,
                    sql_pg(&s->db) ? "SELECT CASE WHEN current_setting('transaction_read_only') "
                                     "= 'on' THEN 1 ELSE 0 END"
                                   : "PRAGMA query_only",
                    NULL, &ro, NULL, err);
    return rc != 0 ? rc : ro != 0;
}

static int
sq_source_claim(void *impl, const char *name, bool take, bool *got, struct mld_err *err)
{
    struct sq *s = impl;
    *got = true;
    if (!sql_pg(&s->db))
        return 0;
    struct sql_stmt *st = stmt(s, take ? S_SOURCE_CLAIM : S_SOURCE_UNCLAIM, err);
    if (st == NULL)
        return MLD_E_STORE;
    sq_bind_text(st, 1, name);
    if (sql_step(st) != SQLITE_ROW)
        return sq_error(s, err, take ? "claim source" : "give up source");
    *got = !take || sql_column_int(st, 0) != 0;
    return 0;
}

static int
sq_sources(void *impl, struct mld_source_state **out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = stmt(s, S_SOURCES, err);
    if (st == NULL)
        return MLD_E_STORE;
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        memset(&(*out)[*n], 0, sizeof(**out));
        read_source(st, &(*out)[(*n)++]);
    }
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "list sources");
}

static int sq_first_date(void *impl, const char *urn, mld_time_t *out, struct mld_err *err);
static int sq_totals(void *impl, mld_time_t now, struct mld_store_totals *out, struct mld_err *err);
/* Live updates (store.h), at the end of this file. */
static int sq_changes_at(void *impl, int64_t since, mld_change_at_fn fn, void *ud, int64_t *last,
                         struct mld_err *err);
static int sq_live_facts(void *impl, int64_t id, struct mld_store_live_facts *out,
                         struct mld_err *err);
/* Sitemaps (store.h), at the end of this file. */
static int sq_sitemap_months(void *impl, mld_time_t now, int max, struct mld_sitemap_month **out,
                             int *n, struct mld_err *err);
static int sq_sitemap_entries(void *impl, mld_time_t from, mld_time_t to, mld_time_t now,
                              int limit, int64_t offset, mld_sitemap_fn fn, void *ud,
                              struct mld_err *err);
/* API --- (defined at the end of the file) */
static int sq_api_articles(void *impl, const struct mld_api_query *q, struct mld_items *out,
                           bool *more, struct mld_api_cursor *head, struct mld_err *err);
static int sq_api_versions(void *impl, int64_t id, struct mld_api_version **out, int *n,
                           struct mld_err *err);
static int sq_api_counts(void *impl, bool topics, mld_time_t now, int max,
                         struct mld_api_count **out, int *n, struct mld_err *err);
static int sq_api_head(void *impl, mld_time_t now, struct mld_api_cursor *out,
                       struct mld_err *err);
static int sq_api_changes(void *impl, const struct mld_api_cursor *since, mld_time_t now,
                          int limit, struct mld_api_change **out, int *n,
                          struct mld_api_cursor *next, bool *more, struct mld_err *err);

/* Sections ------------------------------------------------------------ */

/* mld_store_each_labelled(): the articles an agency's classification
 * placed (section_by 3 = MLD_SECTION_AGENCY), for the section classifier.
 * The statement runs once per training, so it is prepared here and
 * finalized at the end, not kept. */
static int
sq_each_labelled(void *impl, mld_labelled_fn fn, void *ud, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    if (sql_prepare(&s->db,
                    "SELECT section, headline, teaser, body_text, body_html FROM article "
                    "WHERE section_by = 3 AND section IS NOT NULL ORDER BY id",
                    false, &st) != SQLITE_OK)
        return sq_error(s, err, "list labelled articles (a store from before migration 0006?)");
    int rc = SQLITE_DONE, out = 0;
    while (out == 0 && (rc = sql_step(st)) == SQLITE_ROW) {
        char *html = sq_col_text(st, 4);
        char *text = sq_col_text_with(st, 3, html); /* packed against it (0022) */
        out = fn(ud, sql_column_text(st, 0), sql_column_text(st, 1), sql_column_text(st, 2),
                 text);
        mld_free(text);
        mld_free(html);
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = sq_error(s, err, "list labelled articles");
    sql_finalize(st);
    return out;
}

/* observability: the newest version by primary key (the last row), and
 * whether SQLite, the file and its folder (the journal) take writes. */
static int
sq_health(void *impl, struct mld_store_health *out, struct mld_err *err)
{
    struct sq *s = impl;
    int rc = sq_one(s, "SELECT stored_at FROM version ORDER BY id DESC LIMIT 1", NULL,
                    &out->newest_stored, NULL, err);
    if (rc != 0)
        return rc;
    if (sql_pg(&s->db)) { /* a hot standby takes no writes */
        int64_t primary = 0;
        rc = sq_one(s, "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END", NULL, &primary,
                    NULL, err);
        out->writable = primary != 0;
        return rc;
    }
    char dir[4096];
    const char *slash = strrchr(s->path, '/');
    size_t n = slash == NULL ? 1 : slash == s->path ? 1 : (size_t)(slash - s->path);
    if (n >= sizeof(dir))
        n = sizeof(dir) - 1;
    memcpy(dir, slash == NULL ? "." : s->path, n);
    dir[n] = '\0';
    out->writable = sqlite3_db_readonly(s->db.lite, "main") == 0 && access(s->path, W_OK) == 0 &&
                    access(dir, W_OK) == 0;
    return 0;
}

const struct mld_store_backend mld_store_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .open_reader = sq_open_reader,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put = sq_put,
    .offer_tokens = sq_search_offer_tokens,
    .get = sq_get,
    .get_page = sq_get_page,
    .list = sq_list,
    .sections = sq_sections,
    .section_name = sq_section_name,
    .topic_name = sq_topic_name,
    .changes = sq_changes,
    .released = sq_released,
    .history_count = sq_history_count,
    .source_get = sq_source_get,
    .source_set = sq_source_set,
    .sources = sq_sources,
    .source_claim = sq_source_claim,
    .search = sq_search,
    .story = sq_story,
    .story_size = sq_story_size,
    .related = sq_related,
    .each_labelled = sq_each_labelled,
    .idle = sq_idle,
    .full = sq_full,
    .first_date = sq_first_date,
    .totals = sq_totals,
    .changes_at = sq_changes_at,
    .live_facts = sq_live_facts,

    .sitemap_months = sq_sitemap_months,
    .sitemap_entries = sq_sitemap_entries,
    /* API --- */
    .api_articles = sq_api_articles,
    .api_versions = sq_api_versions,
    .api_counts = sq_api_counts,
    .api_head = sq_api_head,
    .api_changes = sq_api_changes,
    .health = sq_health,
    .search_merge = sq_search_merge,
    .search_pieces = sq_search_pieces,
    .editor = &mld_store_sqlite_editor, /* editors (sqlite_editor.c) */
};

/* Pipeline and operator queries (store.h) ---------------------------------
 *
 * Both run rarely (an undated item; `meldung stats`), so their statements
 * are prepared per call rather than kept in STMT_MAP. */

static int
sq_first_date(void *impl, const char *urn, mld_time_t *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    if (sql_prepare(&s->db, "SELECT v.version_created FROM article a JOIN version v ON v.article_id = a.id "
                           "WHERE a.urn = ?1 ORDER BY v.id LIMIT 1", false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare first date");
    sq_bind_text(st, 1, urn);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW)
        *out = sql_column_int64(st, 0);
    int ret = rc == SQLITE_ROW    ? 0
              : rc == SQLITE_DONE ? MLD_E_NOTFOUND
                                  : sq_error(s, err, "first date");
    sql_finalize(st);
    return ret;
}

/* Runs sql (two columns: a name or NULL, a count; a third, optional: a
 * second count) with ?1 = now into a new list. */
static int
sq_named_counts(struct sq *s, const char *sql, mld_time_t now, struct mld_named_count **out,
                int *n, struct mld_err *err)
{
    struct sql_stmt *st = NULL;
    if (sql_prepare(&s->db, sql, false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare totals");
    if (sql_bind_count(st) >= 1)
        sql_bind_int64(st, 1, now);
    int rc;
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        struct mld_named_count *c = &(*out)[(*n)++];
        c->name = sq_col_text(st, 0);
        c->n = sql_column_int64(st, 1);
        c->shown = sql_column_count(st) > 2 ? sql_column_int64(st, 2) : 0;
    }
    sql_finalize(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "totals");
}

static int
sq_totals(void *impl, mld_time_t now, struct mld_store_totals *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    /* From article_tally (migration 0012), minus the embargoes pending:
     * a few hundred rows, whatever the store's size. */
    if (sql_prepare(&s->db,
                           "SELECT coalesce(sum(n), 0), "
                           "coalesce(sum(CASE pubstatus WHEN 0 THEN n END), 0), "
                           "(SELECT count(*) " PENDING "), "
                           "coalesce(sum(CASE pubstatus WHEN 1 THEN n END), 0), "
                           "coalesce(sum(CASE pubstatus WHEN 2 THEN n END), 0), "
                           "coalesce(sum(CASE pubstatus WHEN 3 THEN n END), 0) "
                           "FROM article_tally", false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare totals");
    sql_bind_int64(st, 1, now);
    if (sql_step(st) != SQLITE_ROW) {
        sql_finalize(st);
        return sq_error(s, err, "totals");
    }
    out->articles = sql_column_int64(st, 0);
    out->embargoed = sql_column_int64(st, 2);
    out->visible = sql_column_int64(st, 1) - out->embargoed;
    out->withheld = sql_column_int64(st, 3);
    out->withdrawn = sql_column_int64(st, 4);
    out->held = sql_column_int64(st, 5);
    sql_finalize(st);
    int rc = sq_named_counts(s,
                             "SELECT nullif(hold_reason, ''), sum(n) AS c FROM article_tally "
                             "WHERE pubstatus = 3 GROUP BY hold_reason HAVING sum(n) > 0 "
                             "ORDER BY c DESC, hold_reason",
                             now, &out->reasons, &out->nreasons, err);
    if (rc == 0)
        rc = sq_named_counts(s,
                             "SELECT nullif(t.section, '') AS name, sum(t.n) AS c, "
                             "coalesce(sum(CASE t.pubstatus WHEN 0 THEN t.n END), 0) - "
                             "(SELECT count(*) " PENDING
                             "AND p.section IS NOT DISTINCT FROM nullif(t.section, '')) "
                             "FROM article_tally t GROUP BY t.section HAVING sum(t.n) > 0 "
                             "ORDER BY t.section = '', t.section", /* no section last */
                             now, &out->sections, &out->nsections, err);
    return rc;
}

/* Live updates (store.h) ---------------------------------------------------
 *
 * Read by the serving process's live hub (src/web/live.c) about every
 * 100 ms and when a client resumes; prepared per call like the queries
 * above: one prepare is a few microseconds beside the refresh period. */

static int
sq_changes_at(void *impl, int64_t since, mld_change_at_fn fn, void *ud, int64_t *last,
              struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    int rc;
    if (since > 0) {
        /* The same gap rule as sq_changes(). */
        if (sql_prepare(&s->db, "SELECT min(seq) FROM change", false, &st) != SQLITE_OK)
            return sq_error(s, err, "prepare changes");
        rc = sql_step(st);
        bool gap = rc == SQLITE_ROW && sql_column_type(st, 0) != SQL_NULL &&
                   sql_column_int64(st, 0) > since + 1;
        sql_finalize(st);
        if (rc != SQLITE_ROW)
            return sq_error(s, err, "read changes");
        if (gap)
            fn(ud, 0, 0, "*");
    }
    if (sql_prepare(&s->db, "SELECT seq, at, key FROM change WHERE seq > ?1 ORDER BY seq", false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare changes");
    sql_bind_int64(st, 1, since);
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *last = sql_column_int64(st, 0);
        fn(ud, *last, sql_column_int64(st, 1), sql_column_text(st, 2));
    }
    int ret = rc == SQLITE_DONE ? 0 : sq_error(s, err, "read changes");
    sql_finalize(st);
    return ret;
}

static int
sq_live_facts(void *impl, int64_t id, struct mld_store_live_facts *out, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    /* Visible once: a usable applied version whose embargo had ended by
     * the time the newest applied version was stored (a withdrawal before
     * the embargo ended leaves nothing readers saw). */
    if (sql_prepare(&s->db,
                           "WITH v AS (SELECT pubstatus, embargo, stored_at FROM version "
                           "WHERE article_id = ?1 AND applied = 1) "
                           "SELECT (SELECT max(stored_at) FROM v), "
                           "EXISTS (SELECT 1 FROM v WHERE pubstatus = 0 AND "
                           "embargo <= (SELECT max(stored_at) FROM v)), "
                           "(SELECT coalesce(max(at), 0) FROM ed_change WHERE article_id = ?1)", false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare live facts");
    sql_bind_int64(st, 1, id);
    int rc = sql_step(st);
    if (rc == SQLITE_ROW) {
        out->applied_at = sql_column_int64(st, 0);
        out->was_visible = sql_column_int(st, 1) != 0;
        out->decided_at = sql_column_int64(st, 2);
    }
    int ret = rc == SQLITE_ROW ? 0 : sq_error(s, err, "read live facts");
    sql_finalize(st);
    return ret;
}

/* Sitemaps ---------------------------------------------------------------
 *
 * Each document runs these once (and is then cached), so the statements
 * are prepared per call. Every query is a range of the article_published
 * index: the months walk hops from month to month (one index seek each)
 * and counts inside each month; the entries read one month or 48 hours.
 * The visibility test (pubstatus, visible_from) reads the row, so a
 * month's cost is its own articles. */

/* An article's last modification: the later of its publication and its
 * version's creation (SQLite's two-argument max(), which PostgreSQL has
 * not). */
#define MODIFIED "CASE WHEN published > version_created THEN published ELSE version_created END"

/* The newest published time before `before` of an article visible at now,
 * in *out; 1 when there is none, 0 when found, or MLD_E_STORE. */
static int
sq_newest_before(struct sq *s, struct sql_stmt *st, mld_time_t before, mld_time_t now,
                 mld_time_t *out, struct mld_err *err)
{
    sql_reset(st);
    sql_bind_int64(st, 1, before);
    sql_bind_int64(st, 2, now);
    int rc = sql_step(st);
    if (rc == SQLITE_DONE)
        return 1;
    if (rc != SQLITE_ROW)
        return sq_error(s, err, "sitemap months");
    *out = sql_column_int64(st, 0);
    return 0;
}

static int
sq_sitemap_months(void *impl, mld_time_t now, int max, struct mld_sitemap_month **out, int *n,
                  struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *seek = NULL, *count = NULL;
    int rc = 0;
    if (sql_prepare(&s->db,
                           "SELECT published FROM article INDEXED BY article_published "
                           "WHERE published < ?1 AND pubstatus = 0 AND visible_from <= ?2 "
                           "ORDER BY published DESC LIMIT 1", false, &seek) != SQLITE_OK ||
        sql_prepare(&s->db,
                           "SELECT count(*), max(" MODIFIED ") "
                           "FROM article INDEXED BY article_published "
                           "WHERE published >= ?1 AND published < ?2 AND pubstatus = 0 "
                           "AND visible_from <= ?3", false, &count) != SQLITE_OK) {
        rc = sq_error(s, err, "prepare sitemap months");
        goto out;
    }
    mld_time_t before = INT64_MAX, t = 0;
    while (*n < max && (rc = sq_newest_before(s, seek, before, now, &t, err)) == 0) {
        struct mld_tm tm;
        mld_time_civil(t, 0, &tm);
        mld_time_t start = mld_time_from_civil(tm.year, tm.mon, 1, 0, 0, 0);
        mld_time_t end = mld_time_from_civil(tm.year, tm.mon + 1, 1, 0, 0, 0);
        if (start >= before) /* a date clamped by mld_time_civil: stop rather than loop */
            break;
        sql_reset(count);
        sql_bind_int64(count, 1, start);
        sql_bind_int64(count, 2, end);
        sql_bind_int64(count, 3, now);
        if (sql_step(count) != SQLITE_ROW) {
            rc = sq_error(s, err, "sitemap month count");
            break;
        }
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        struct mld_sitemap_month *m = &(*out)[(*n)++];
        m->year = tm.year;
        m->mon = tm.mon;
        m->count = sql_column_int64(count, 0);
        m->lastmod = sql_column_int64(count, 1);
        before = start;
    }
    if (rc == 1)
        rc = 0;
out:
    sql_finalize(seek);
    sql_finalize(count);
    return rc;
}

static int
sq_sitemap_entries(void *impl, mld_time_t from, mld_time_t to, mld_time_t now, int limit,
                   int64_t offset, mld_sitemap_fn fn, void *ud, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st = NULL;
    if (sql_prepare(&s->db,
                           "SELECT id, slug, headline, lang, published, "
                           MODIFIED " "
                           "FROM article INDEXED BY article_published "
                           "WHERE published >= ?1 AND published < ?2 AND pubstatus = 0 "
                           "AND visible_from <= ?3 ORDER BY published DESC, id "
                           "LIMIT ?4 OFFSET ?5", false, &st) != SQLITE_OK)
        return sq_error(s, err, "prepare sitemap entries");
    sql_bind_int64(st, 1, from);
    sql_bind_int64(st, 2, to);
    sql_bind_int64(st, 3, now);
    sql_bind_int(st, 4, limit);
    sql_bind_int64(st, 5, offset);
    int rc, out = 0;
    while (out == 0 && (rc = sql_step(st)) == SQLITE_ROW) {
        struct mld_sitemap_entry e = {
            .id = sql_column_int64(st, 0),
            .slug = sql_column_text(st, 1),
            .headline = sql_column_text(st, 2),
            .lang = sql_column_text(st, 3),
            .published = sql_column_int64(st, 4),
            .modified = sql_column_int64(st, 5),
        };
        out = fn(ud, &e);
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = sq_error(s, err, "sitemap entries");
    sql_finalize(st);
    return out;
}

/* API ---------------------------------------------------------------------
 *
 * The article API's queries (store.h). They run rarely compared with
 * pages (answers are cached) and each prepares its statements per call,
 * as the operator queries above do.
 */

/* Prepares sql into *st; MLD_E_STORE naming what on failure. */
static int
api_prepare(struct sq *s, const char *sql, struct sql_stmt **st, const char *what, struct mld_err *err)
{
    *st = NULL;
    if (sql_prepare(&s->db, sql, false, st) != SQLITE_OK)
        return sq_error(s, err, what);
    return 0;
}

/* The API's list query q into l: fixed fragments, every value bound.
 * The order (published DESC, id DESC) is the cursor's: a page starts
 * strictly after the last item of the one before, so items stored
 * meanwhile shift nothing. */
static void
api_list_sql(struct list_q *l, const struct mld_api_query *q)
{
    const char *pub, *idc;
    list_select(l, "a.id", q->now, q->topic_slug, &pub, &idc);
    struct mld_buf *sql = &l->sql;
    if (q->section_slug != NULL)
        mld_buf_printf(sql, "AND a.section_slug = ?%d ", list_arg(l, 0, q->section_slug));
    if (q->story_id > 0)
        mld_buf_printf(sql, "AND a.story_id = ?%d ", list_arg(l, q->story_id, NULL));
    if (q->since > 0)
        mld_buf_printf(sql, "AND %s >= ?%d ", pub, list_arg(l, q->since, NULL));
    if (q->until > 0)
        mld_buf_printf(sql, "AND %s < ?%d ", pub, list_arg(l, q->until, NULL));
    if (q->after_id > 0) {
        int at = list_arg(l, q->after_published, NULL);
        mld_buf_printf(sql, "AND (%s < ?%d OR (%s = ?%d AND %s < ?%d)) ", pub, at, pub, at, idc,
                       list_arg(l, q->after_id, NULL));
    }
    /* one more than the page says whether more follow */
    mld_buf_printf(sql, "ORDER BY %s DESC, %s DESC LIMIT ?%d", pub, idc,
                   list_arg(l, q->limit + 1, NULL));
}

/* The list of sq_api_articles, in the caller's snapshot. */
static int
api_list(struct sq *s, const struct mld_api_query *q, struct mld_items *out, bool *more,
         struct mld_err *err)
{
    struct list_q l;
    api_list_sql(&l, q);
    struct sql_stmt *st = NULL;
    int rc = api_prepare(s, l.sql.p, &st, "prepare api list", err);
    mld_buf_dispose(&l.sql);
    if (rc != 0)
        return rc;
    list_bind(&l, st);
    int64_t ids[MLD_API_MAX_LIMIT + 1];
    int n = 0;
    while ((rc = sql_step(st)) == SQLITE_ROW && n < q->limit + 1)
        ids[n++] = sql_column_int64(st, 0);
    sql_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_error(s, err, "run api list");
    *more = n > q->limit;
    if (*more)
        n = q->limit;
    return sq_load_items(s, ids, n, q->now, false, out, err);
}

static int
sq_api_versions(void *impl, int64_t id, struct mld_api_version **out, int *n, struct mld_err *err)
{
    struct sq *s = impl;
    struct sql_stmt *st;
    int rc = api_prepare(s,
                         "SELECT id, version, version_created, updated, pubstatus, signal, "
                         "applied FROM version WHERE article_id = ?1 ORDER BY id",
                         &st, "prepare versions", err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, id);
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        struct mld_api_version *v = &(*out)[(*n)++];
        v->seq = sql_column_int64(st, 0);
        v->version = sql_column_int64(st, 1);
        v->version_created = sql_column_int64(st, 2);
        v->updated = sql_column_int64(st, 3);
        v->pubstatus = (enum mld_pubstatus)sql_column_int(st, 4);
        v->signal = sq_col_text(st, 5);
        v->applied = sql_column_int(st, 6) != 0;
    }
    sql_finalize(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "read versions");
}

static int
sq_api_counts(void *impl, bool topics, mld_time_t now, int max, struct mld_api_count **out, int *n,
              struct mld_err *err)
{
    struct sq *s = impl;
    /* Sections: the navigation's statement, from article_tally (named as
     * the newest article names them). Topics: article_topic_slug in slug
     * order, each topic row's article checked by primary key. */
    struct sql_stmt *st;
    int rc = 0;
    if (topics)
        rc = api_prepare(s,
                         "SELECT min(t.name), t.slug, count(*) AS c FROM article_topic t "
                         "JOIN article a ON a.id = t.article_id "
                         "WHERE a.pubstatus = 0 AND a.visible_from <= ?1 "
                         "GROUP BY t.slug ORDER BY c DESC, t.slug LIMIT ?2",
                         &st, "prepare api counts", err);
    else
        st = stmt(s, S_SECTIONS, err);
    if (rc != 0 || st == NULL)
        return rc != 0 ? rc : MLD_E_STORE;
    sql_bind_int64(st, 1, now);
    if (topics)
        sql_bind_int(st, 2, max);
    while ((rc = sql_step(st)) == SQLITE_ROW) {
        *out = mld_reallocarray(*out, (size_t)*n + 1, sizeof(**out));
        struct mld_api_count *c = &(*out)[(*n)++];
        c->name = sq_col_text(st, 0);
        c->slug = sq_col_text(st, 1);
        c->n = sql_column_int64(st, 2);
    }
    if (topics)
        sql_finalize(st);
    else
        sql_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(s, err, "count sections or topics");
}

/* The one number sql reads (0 when it reads NULL) into *seq. */
static int
api_max_of(struct sq *s, const char *sql, int64_t *seq, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = api_prepare(s, sql, &st, "prepare change head", err);
    if (rc != 0)
        return rc;
    rc = sql_step(st);
    *seq = rc == SQLITE_ROW ? sql_column_int64(st, 0) : 0;
    sql_finalize(st);
    return rc == SQLITE_ROW ? 0 : sq_error(s, err, "read change head");
}

/* The newest version row (0 when none) into *seq. */
static int
api_max_seq(struct sq *s, int64_t *seq, struct mld_err *err)
{
    return api_max_of(s, "SELECT coalesce(max(id), 0) FROM version", seq, err);
}

/* The newest editor's change (0 when none) into *seq. */
static int
api_max_edit(struct sq *s, int64_t *seq, struct mld_err *err)
{
    return api_max_of(s, "SELECT coalesce(max(id), 0) FROM ed_change", seq, err);
}

/* The release mark at now: the position (visible_from, id) of the last
 * embargo that ended up to now, or (0, INT64_MAX) when none did - so a
 * cursor stays the same while nothing changes (and answers keep their
 * ETag), and an article without embargo (visible_from 0) counts as
 * released. */
static int
api_release_mark(struct sq *s, mld_time_t now, mld_time_t *t, int64_t *id, struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = api_prepare(s,
                         "SELECT visible_from, id FROM article WHERE visible_from > 0 "
                         "AND visible_from <= ?1 AND pubstatus = 0 "
                         "ORDER BY visible_from DESC, id DESC LIMIT 1",
                         &st, "prepare release mark", err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, now);
    rc = sql_step(st);
    *t = rc == SQLITE_ROW ? sql_column_int64(st, 0) : 0;
    *id = rc == SQLITE_ROW ? sql_column_int64(st, 1) : INT64_MAX;
    sql_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_error(s, err, "read release mark");
}

/* Opens a read transaction unless one is open; returns whether it did
 * (*own) and 0 or MLD_E_STORE. api_end() ends it. */
static int
api_begin(struct sq *s, bool *own, struct mld_err *err)
{
    *own = !sql_in_txn(&s->db);
    return *own ? sq_exec(s, "BEGIN", err) : 0;
}

/* Ends what api_begin() opened; returns rc. */
static int
api_end(struct sq *s, bool own, int rc)
{
    if (own)
        sql_exec(&s->db, rc == 0 ? "COMMIT" : "ROLLBACK");
    return rc;
}

/* The head of the change feed at now, in the caller's snapshot. */
static int
api_head_read(struct sq *s, mld_time_t now, struct mld_api_cursor *out, struct mld_err *err)
{
    int rc = api_max_seq(s, &out->seq, err);
    if (rc == 0)
        rc = api_release_mark(s, now, &out->released, &out->released_id, err);
    if (rc == 0)
        rc = api_max_edit(s, &out->edit_seq, err);
    return rc;
}

static int
sq_api_head(void *impl, mld_time_t now, struct mld_api_cursor *out, struct mld_err *err)
{
    struct sq *s = impl;
    bool own;
    int rc = api_begin(s, &own, err); /* one snapshot for both halves */
    if (rc == 0)
        rc = api_head_read(s, now, out, err);
    return api_end(s, own, rc);
}

static int
sq_api_articles(void *impl, const struct mld_api_query *q, struct mld_items *out, bool *more,
                struct mld_api_cursor *head, struct mld_err *err)
{
    struct sq *s = impl;
    bool own;
    int rc = api_begin(s, &own, err); /* the list and the feed's head: one snapshot */
    if (rc == 0 && head != NULL)
        rc = api_head_read(s, q->now, head, err);
    if (rc == 0)
        rc = api_list(s, q, out, more, err);
    return api_end(s, own, rc);
}

/* The change feed (mld_store_api_changes) ----------------------------------
 *
 * A cursor stands for what a client was told: every applied version up to
 * seq, and every embargo that ended up to (released, released_id). One
 * answer reads, in one snapshot,
 *
 *   (a) the applied versions after seq in order of arrival. An article
 *       with several of them in the answer's range is decided once, by
 *       the state its last one set against the state the client had (the
 *       version current at seq): usable and out of embargo - new, or
 *       updated when it was visible; not usable - withdrawn when it was
 *       visible, else nothing (held, withheld, never shown). A version
 *       whose embargo the cursor has not passed is left to (b);
 *   (b) once (a) reached the newest version: the articles whose embargo
 *       ended after the cursor's release mark, up to now.
 *
 * The item shown is the article as it is now; when that is no longer
 * visible (a version past the answer's range held it back), the change
 * is left to the answer that reaches that version, which then reports a
 * withdrawal. So every visible article reaches a polling client, a
 * withdrawal of one it was shown is reported as such, and nothing held
 * is ever shown.
 */

/* What (a) decided for one article of the answer. */
struct api_seen {
    int64_t id;
    bool was; /* visible at the cursor */
    int kind; /* enum mld_api_change_kind, or -1: nothing to report */
};

/* The statements and state of one change-feed read. */
struct api_feed {
    struct sq *s;
    struct sql_stmt *at; /* the applied version of an article current at a seq */
    const struct mld_api_cursor *since;
    mld_time_t now;
    struct api_seen *seen; /* articles met in (a), in order */
    int nseen;
    struct mld_api_change *v; /* the answer */
    int n;
};

/* True when (t, id) lies within what cursor c has reported of embargoes. */
static bool
api_released_by(const struct mld_api_cursor *c, mld_time_t t, int64_t id)
{
    return t < c->released || (t == c->released && id <= c->released_id);
}

/* Whether article id was visible to a reader at cursor f->since: the
 * version current then was usable and its embargo, if any, had ended
 * within the cursor. Sets *was. */
static int
api_was_visible(struct api_feed *f, int64_t id, bool *was, struct mld_err *err)
{
    sql_reset(f->at);
    sql_bind_int64(f->at, 1, id);
    sql_bind_int64(f->at, 2, f->since->seq);
    int rc = sql_step(f->at);
    *was = false;
    if (rc == SQLITE_ROW) {
        mld_time_t embargo = sql_column_int64(f->at, 1);
        *was = sql_column_int(f->at, 0) == MLD_PUB_USABLE &&
               api_released_by(f->since, embargo > 0 ? embargo : 0, id);
    }
    sql_reset(f->at);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_error(f->s, err, "read past version");
}

/* True when article id is already in the answer. */
static bool
api_listed(const struct api_feed *f, int64_t id)
{
    for (int i = 0; i < f->n; i++)
        if (f->v[i].item.id == id)
            return true;
    return false;
}

/* Adds article id as a change of kind to the answer, unless a new or
 * updated article is not visible now (see above). */
static int
api_add_change(struct api_feed *f, int64_t id, enum mld_api_change_kind kind, struct mld_err *err)
{
    f->v = mld_reallocarray(f->v, (size_t)f->n + 1, sizeof(*f->v));
    struct mld_api_change *c = &f->v[f->n];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    int rc = sq_get(f->s, id, &c->item, err);
    if (rc == MLD_E_NOTFOUND) {
        mld_err_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (kind != MLD_API_WITHDRAWN && !mld_article_is_visible(c->item.a, f->now)) {
        mld_item_dispose(&c->item);
        return 0;
    }
    f->n++;
    return 0;
}

/* Decides article id of (a) by the state its applied version (status,
 * embargo) sets; returns the number of articles with a change so far
 * in *changes. */
static int
api_version_change(struct api_feed *f, int64_t id, int status, mld_time_t embargo, int *changes,
                   struct mld_err *err)
{
    struct api_seen *e = NULL;
    for (int i = 0; i < f->nseen && e == NULL; i++)
        if (f->seen[i].id == id)
            e = &f->seen[i];
    if (e == NULL) {
        f->seen = mld_reallocarray(f->seen, (size_t)f->nseen + 1, sizeof(*f->seen));
        e = &f->seen[f->nseen++];
        e->id = id;
        e->kind = -1;
        int rc = api_was_visible(f, id, &e->was, err);
        if (rc != 0)
            return rc;
    }
    if (e->kind >= 0)
        (*changes)--;
    if (status != MLD_PUB_USABLE)
        e->kind = e->was ? MLD_API_WITHDRAWN : -1;
    else if (!api_released_by(f->since, embargo > 0 ? embargo : 0, id))
        e->kind = -1; /* under embargo past the cursor: (b) reports it */
    else
        e->kind = e->was ? MLD_API_UPDATED : MLD_API_NEW;
    if (e->kind >= 0)
        (*changes)++;
    return 0;
}

/* (c) The editors' changes after the cursor's edit_seq, in order: an
 * article visible now is new or updated (by whether it was visible at
 * the cursor), one not visible now withdrawn when it was visible at the
 * cursor. Articles (a) or (b) listed are not listed again. */
static int
api_edit_changes(struct api_feed *f, int limit, struct mld_api_cursor *next, bool *more,
                 struct mld_err *err)
{
    struct sql_stmt *st;
    int rc = api_prepare(f->s, "SELECT id, article_id FROM ed_change WHERE id > ?1 ORDER BY id "
                         "LIMIT ?2", &st, "prepare editors' changes", err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, f->since->edit_seq);
    sql_bind_int(st, 2, MLD_API_CHANGES_SCAN);
    int rows = 0, step = SQLITE_ROW;
    while (rc == 0 && f->n < limit && (step = sql_step(st)) == SQLITE_ROW) {
        int64_t id = sql_column_int64(st, 1);
        struct mld_item it = {0};
        bool was = false;
        if (!api_listed(f, id))
            rc = sq_get(f->s, id, &it, err);
        else
            rc = MLD_E_NOTFOUND;
        if (rc == 0) {
            bool now_visible = mld_article_is_visible(it.a, f->now);
            mld_item_dispose(&it);
            rc = api_was_visible(f, id, &was, err);
            if (rc == 0 && (now_visible || was))
                rc = api_add_change(f, id,
                                    !now_visible ? MLD_API_WITHDRAWN
                                    : was        ? MLD_API_UPDATED
                                                 : MLD_API_NEW,
                                    err);
        } else if (rc == MLD_E_NOTFOUND) {
            mld_err_clear(err);
            rc = 0;
        }
        next->edit_seq = sql_column_int64(st, 0);
        rows++;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sq_error(f->s, err, "read editors' changes");
    sql_finalize(st);
    if (rc == 0 && (step != SQLITE_DONE || rows == MLD_API_CHANGES_SCAN))
        *more = true;
    return rc;
}

/* Reads the change feed inside the caller's read transaction. */
static int
api_changes_txn(struct api_feed *f, int limit, struct mld_api_cursor *next, bool *more,
                struct mld_err *err)
{
    struct sq *s = f->s;
    int64_t head;
    int rc = api_max_seq(s, &head, err);
    if (rc != 0)
        return rc;
    if (f->since->seq > head)
        return mld_err_set(err, MLD_E_INVAL,
                           "cursor %" PRId64 " is past the newest version %" PRId64, f->since->seq,
                           head);
    rc = api_prepare(s,
                     "SELECT pubstatus, embargo FROM version WHERE article_id = ?1 "
                     "AND applied = 1 AND id <= ?2 ORDER BY id DESC LIMIT 1",
                     &f->at, "prepare changes", err);
    struct sql_stmt *st = NULL;
    if (rc == 0)
        rc = api_prepare(s,
                         "SELECT id, article_id, pubstatus, embargo FROM version "
                         "WHERE id > ?1 AND applied = 1 ORDER BY id LIMIT ?2",
                         &st, "prepare changes", err);
    if (rc != 0)
        return rc;
    /* (a) Applied versions in order of arrival. */
    sql_bind_int64(st, 1, f->since->seq);
    sql_bind_int(st, 2, MLD_API_CHANGES_SCAN);
    int rows = 0, changes = 0, step = SQLITE_ROW;
    while (rc == 0 && changes < limit && (step = sql_step(st)) == SQLITE_ROW) {
        rc = api_version_change(f, sql_column_int64(st, 1), sql_column_int(st, 2),
                                sql_column_int64(st, 3), &changes, err);
        next->seq = sql_column_int64(st, 0);
        rows++;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sq_error(s, err, "read changes");
    sql_finalize(st);
    for (int i = 0; rc == 0 && i < f->nseen; i++)
        if (f->seen[i].kind >= 0)
            rc = api_add_change(f, f->seen[i].id, (enum mld_api_change_kind)f->seen[i].kind, err);
    if (rc != 0)
        return rc;
    if (step != SQLITE_DONE || rows == MLD_API_CHANGES_SCAN) {
        *more = true; /* the page or the scan filled up before the head */
        return 0;
    }
    next->seq = head; /* past the versions that were not applied, too */
    /* (b) Embargoes that ended since the cursor, by time then id. */
    rc = api_prepare(s,
                     "SELECT id, visible_from FROM article WHERE visible_from > 0 "
                     "AND pubstatus = 0 AND visible_from <= ?1 AND (visible_from > ?2 "
                     "OR (visible_from = ?2 AND id > ?3)) ORDER BY visible_from, id LIMIT ?4",
                     &st, "prepare releases", err);
    if (rc != 0)
        return rc;
    sql_bind_int64(st, 1, f->now);
    sql_bind_int64(st, 2, f->since->released);
    sql_bind_int64(st, 3, f->since->released_id);
    sql_bind_int(st, 4, MLD_API_CHANGES_SCAN);
    rows = 0;
    while (rc == 0 && f->n < limit && (step = sql_step(st)) == SQLITE_ROW) {
        int64_t id = sql_column_int64(st, 0);
        bool was = false;
        if (!api_listed(f, id)) {
            rc = api_was_visible(f, id, &was, err);
            if (rc == 0)
                rc = api_add_change(f, id, was ? MLD_API_UPDATED : MLD_API_NEW, err);
        }
        next->released = sql_column_int64(st, 1);
        next->released_id = id;
        rows++;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sq_error(s, err, "read releases");
    sql_finalize(st);
    if (rc != 0)
        return rc;
    if (step != SQLITE_DONE || rows == MLD_API_CHANGES_SCAN) {
        *more = true;
        return 0;
    }
    /* Every embargo up to now is reported: the mark, never behind the
     * cursor (the article at the mark may have been withdrawn since). */
    mld_time_t t;
    int64_t id;
    rc = api_release_mark(s, f->now, &t, &id, err);
    if (rc == 0 && !api_released_by(next, t, id)) {
        next->released = t;
        next->released_id = id;
    }
    return rc == 0 ? api_edit_changes(f, limit, next, more, err) : rc;
}

static int
sq_api_changes(void *impl, const struct mld_api_cursor *since, mld_time_t now, int limit,
               struct mld_api_change **out, int *n, struct mld_api_cursor *next, bool *more,
               struct mld_err *err)
{
    struct sq *s = impl;
    struct api_feed f = {.s = s, .since = since, .now = now};
    /* One snapshot: a version committed between the two parts would
     * otherwise be reported by one and skipped by the cursor of the other. */
    bool own;
    int rc = api_begin(s, &own, err);
    if (rc == 0)
        rc = api_changes_txn(&f, limit, next, more, err);
    sql_finalize(f.at);
    mld_free(f.seen);
    rc = api_end(s, own, rc);
    if (rc != 0) {
        mld_api_changes_free(f.v, f.n);
        *next = *since;
        *more = false;
        return rc;
    }
    *out = f.v;
    *n = f.n;
    return 0;
}
