/*
 * tests/unit/store/search.c - full-text search in the SQLite store.
 *
 * Twenty small German articles written for these tests exercise what a
 * reader relies on: stems, umlaut spellings and compounds find each other,
 * phrases, prefixes, NOT and OR work, filters and paging, recency breaks
 * ties, one hit per story, snippets are escaped HTML. The index must
 * follow every change of the article table (update, withdrawal, embargo
 * release, a rebuild after the analyzer changed, a store from before
 * search): after each, the index is compared term by term with what a
 * fresh 'rebuild' makes of the articles. With the shared corpus, the dpa
 * NewsML-G2 sample is ingested and searched for known items.
 */
#include "../../../src/store/sqlite_search.c"

#include <unistd.h>

#include "../../../src/enrich/enrich.h"
#include "ingest_test.h"
#include "store_test.h"

static mld_time_t
iso(const char *s)
{
    mld_time_t t = 0;
    if (mld_time_parse_iso(s, strlen(s), &t) != 0)
        diag("bad time %s", s);
    return t;
}

/* "Now" of the tests: the fixtures are from the days before. */
#define NOW "2026-03-10T12:00:00Z"

/* One fixture article. */
struct fix {
    const char *urn;
    const char *when; /* version_created */
    const char *section;
    const char *topic;
    const char *kicker;
    const char *headline;
    const char *text;
};

/* clang-format off */
static const struct fix fixtures[] = {
    {"urn:t:genf", "2026-03-09T08:00:00Z", "Ausland", "Ukraine", "Diplomatie",
     "Verhandlungen über eine Waffenruhe beginnen in Genf",
     "Die Delegationen verhandelten bis in die Nacht. Eine weitere Verhandlungsrunde ist geplant."},
    {"urn:t:osten", "2026-03-08T09:00:00Z", "Ausland", "Ukraine", "Osteuropa",
     "Ukrainekrieg: Neue Angriffe im Osten",
     "Die Armee meldet schwere Kämpfe an der Front."},
    {"urn:t:industrie", "2026-03-07T10:00:00Z", "Wirtschaft", "Energie", "Konjunktur",
     "Ukraine-Krieg belastet die Industrie",
     "Hohe Energiepreise drücken die Produktion."},
    {"urn:t:hamburg", "2026-03-06T11:00:00Z", "Politik", NULL, "Staatsbesuch",
     "Praesident besucht Hamburg",
     "Im Rathaus sprach der Praesident über den Hafen."},
    {"urn:t:landtag", "2026-03-05T12:00:00Z", "Politik", "Landtagswahl", "Wahl",
     "Mecklenburg-Vorpommern wählt einen neuen Landtag",
     "In Schwerin öffnen die Wahllokale um acht Uhr."},
    {"urn:t:speyer", "2026-03-04T13:00:00Z", "Politik", NULL, "Nachruf",
     "Trauerfeier für Helmut Kohl in Speyer",
     "Die Trauerfeier für den Altkanzler Helmut Kohl wird live übertragen."},
    {"urn:t:garten", "2026-03-04T14:00:00Z", "Panorama", NULL, "Garten",
     "Kohl, Möhren und Rüben: Helmut erntet",
     "Der Gärtner Helmut erntet im Herbst Kohl und Möhren."},
    {"urn:t:schalke", "2026-03-03T15:00:00Z", "Sport", "Fußball", "Bundesliga",
     "Schalke verpflichtet einen neuen Trainer",
     "Der Fußball-Bundesligist stellte den Trainer am Montag vor."},
    {"urn:t:derby", "2026-03-02T16:00:00Z", "Sport", "Fußball", "Bundesliga",
     "Hoffenheim gewinnt das Derby",
     "Zwei Tore in der Schlussphase entschieden das Spiel."},
    {"urn:t:luecke", "2026-03-09T17:00:00Z", "Digitales", NULL, "Sicherheit",
     "<script>alert(1)</script> & Co: Lücke im Browser",
     "Die Lücke erlaubt fremden <script>-Code & mehr, warnt das Amt."},
    {"urn:t:rueckruf", "2026-03-08T18:00:00Z", "Panorama", NULL, "Verbraucher",
     "Rückruf: Schokolade mit Glassplittern",
     "Der Hersteller ruft die Schokolade zurück."},
    {"urn:t:brand", "2026-03-07T19:00:00Z", "Panorama", NULL, "Feuer",
     "Brand in einer Lagerhalle",
     "Die Feuerwehr löschte den Brand in der Lagerhalle."},
    {"urn:t:nobel", "2026-03-10T06:00:00Z", "Wissenschaft", NULL, "Auszeichnung",
     "Nobelpreis für Chemie vergeben",
     "Die Akademie ehrt zwei Forscherinnen."},
    {"urn:t:beben1", "2026-03-09T10:00:00Z", "Ausland", NULL, "Türkei",
     "Erdbeben erschüttert Istanbul",
     "Ein Erdbeben der Stärke 6 erschütterte Istanbul am Morgen."},
    {"urn:t:beben2", "2026-03-09T11:00:00Z", "Ausland", NULL, "Türkei",
     "Erdbeben erschüttert Istanbul",
     "Ein Erdbeben der Stärke 6 erschütterte Istanbul am Morgen, Häuser stürzten ein."},
    {"urn:t:zug-alt", "2026-02-01T10:00:00Z", "Panorama", NULL, "Tourismus",
     "Rekord auf der Zugspitze",
     "So viele Besucher wie nie kamen auf den Gipfel."},
    {"urn:t:zug-neu", "2026-03-01T10:00:00Z", "Panorama", NULL, "Tourismus",
     "Rekord auf der Zugspitze",
     "So viele Besucher wie nie kamen auf den Gipfel."},
    {"urn:t:stahl", "2026-03-01T09:00:00Z", "Wirtschaft", NULL, "Industrie",
     "Stahlsparte vor dem Verkauf",
     "Der Konzern verhandelt mit einem Investor."},
    {"urn:t:elbe", "2026-02-20T09:00:00Z", "Wetter", NULL, "Unwetter",
     "Hochwasser in Sachsen",
     "Die Elbe steigt weiter."},
    {"urn:t:koeln", "2026-02-15T09:00:00Z", "Kultur", NULL, "Feste",
     "Straßenfest in Köln",
     "Tausende feierten auf der Straße."},
};
/* clang-format on */

#define NFIX ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

/* Version v of fixture f with its status and embargo, as an article. */
static struct mld_article *
fix_article(const struct fix *f, int v, enum mld_pubstatus status, mld_time_t embargo)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(f->urn);
    a->version = v;
    a->version_created = iso(f->when) + v;
    a->updated = a->version_created;
    a->pubstatus = status;
    a->embargo = embargo;
    a->section = f->section ? mld_strdup(f->section) : NULL;
    a->kicker = mld_strdup(f->kicker);
    a->headline = mld_strdup(f->headline);
    a->text = mld_strdup(f->text);
    if (f->topic != NULL)
        mld_article_add_topic(a, f->topic);
    return a;
}

/* Stores version v of fixture f with its status and embargo. Returns the
 * article id. */
static int64_t
put_fix(struct mld_store *st, const struct fix *f, int v, enum mld_pubstatus status,
        mld_time_t embargo)
{
    struct mld_article *a = fix_article(f, v, status, embargo);
    enum mld_put_result res;
    int64_t id = 0;
    struct mld_err err = {0};
    /* One transaction per article, as ingest stores a document. */
    if (mld_store_begin(st, &err) != 0 || mld_store_put(st, a, &res, &id, &err) != 0 ||
        mld_store_commit(st, &err) != 0) {
        diag("put %s: %s", f->urn, err.msg);
        mld_store_rollback(st);
    }
    mld_article_free(a);
    return id;
}

/* Returns the fixture with this urn. */
static const struct fix *
fix_of(const char *urn)
{
    for (int i = 0; i < NFIX; i++)
        if (strcmp(fixtures[i].urn, urn) == 0)
            return &fixtures[i];
    return NULL;
}

/* Runs q (limit 10 and now NOW unless set). Returns the store's code. */
static int
run(struct mld_store *st, struct mld_search q, struct mld_hits *h)
{
    struct mld_err err = {0};
    if (q.limit == 0)
        q.limit = 10;
    if (q.now == 0)
        q.now = iso(NOW);
    int rc = mld_store_search(st, &q, h, &err);
    if (rc != 0 && rc != MLD_E_PARSE)
        diag("search \"%s\": %s", q.text, err.msg);
    return rc;
}

/* The hits' urns, " "-joined in rank order, into a static buffer. */
static const char *
urns(const struct mld_hits *h)
{
    static char buf[4096];
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < h->n && at < sizeof(buf); i++)
        at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? " " : "",
                               h->v[i].item.a->urn);
    return buf;
}

/* True when urn is among the hits. */
static bool
has(const struct mld_hits *h, const char *urn)
{
    for (int i = 0; i < h->n; i++)
        if (strcmp(h->v[i].item.a->urn, urn) == 0)
            return true;
    return false;
}

/* Checks that search text finds exactly the urns in want (" "-joined, in
 * any order; "" for none). */
static void
finds(struct mld_store *st, const char *text, const char *want)
{
    struct mld_hits h;
    int rc = run(st, (struct mld_search){.text = text}, &h);
    int expect = 0, found = 0;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", want);
    for (char *save = NULL, *u = strtok_r(copy, " ", &save); u; u = strtok_r(NULL, " ", &save)) {
        expect++;
        found += has(&h, u);
    }
    ok(rc == 0 && found == expect && h.n == expect, "\"%s\" finds %s", text,
       *want ? want : "nothing");
    if (rc != 0 || found != expect || h.n != expect)
        diag("got: %s", urns(&h));
    mld_hits_dispose(&h);
}

/* The rank function's statistics on a raw connection. */
static struct sq_rank raw_stats;

/* The one raw connection open at a time: its connection state. */
static struct sq raw_sq;

/* A raw connection to the store with the tokenizer, the index queue, the
 * rank function and mld_unpack (the index's view and triggers unpack the
 * text) registered; raw_close() closes it. */
static sqlite3 *
raw_open(void)
{
    sqlite3 *db;
    struct mld_err err = {0};
    sqlite3_open(mld_test_dbpath, &db);
    raw_sq = (struct sq){.db = {.lite = db}, .path = mld_test_dbpath};
    if (sq_search_register(&raw_sq, &err) != 0 || sq_pack_register(&raw_sq, &err) != 0)
        diag("register: %s", err.msg);
    fts5_api *api = fts5_of(&raw_sq, &err);
    if (api != NULL)
        api->xCreateFunction(api, "mld_rank", &raw_stats, rank_fn, NULL);
    return db;
}

static void
raw_close(sqlite3 *db)
{
    sq_search_close(&raw_sq);
    sq_pack_close(&raw_sq);
    sqlite3_close(db);
}

/* mld_rank() computes FTS5's bm25() with meldung's column weights, with
 * the statistics counted once per search instead of once per statement;
 * a query of one phrase skips its idf, so its scores are bm25's divided
 * by one constant. */
static void
test_rank(void)
{
    static const struct {
        const char *match;
        bool one_phrase;
    } queries[] = {
        {"\"krieg\"", true},
        {"\"helmut kohl\"", true},
        {"(\"schalke\" OR \"hoffenheim\") AND \"bundesliga\"", false},
        {"\"verhandl\" *", true},
        {"\"erdbeben\" NOT \"kohl\"", false},
        {"\"die\"", true},
        {"\"krieg\" \"ukrain\"", false},
    };
    sqlite3 *db = raw_open();
    double worst = 0;
    int rows = 0;
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        raw_stats.ready = false;
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db,
                           "SELECT mld_rank(article_fts), bm25(article_fts, 8.0, 3.0, 1.0) "
                           "FROM article_fts WHERE article_fts MATCH ?1",
                           -1, &st, NULL);
        sqlite3_bind_text(st, 1, queries[i].match, -1, SQLITE_STATIC);
        double scale = queries[i].one_phrase ? 0 : 1; /* rank / -bm25 */
        while (sqlite3_step(st) == SQLITE_ROW) {
            double rank = sqlite3_column_double(st, 0), bm25 = -sqlite3_column_double(st, 1);
            if (scale == 0)
                scale = rank / bm25;
            double d = fabs(rank - scale * bm25) / (fabs(rank) + 1e-12);
            worst = d > worst ? d : worst;
            rows++;
        }
        sqlite3_finalize(st);
    }
    /* The row's length from article_fts_docsize, as the search joins it:
     * the same scores as through xColumnSize(). */
    int same = 0, sized = 0;
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        raw_stats.ready = false;
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db,
                           "SELECT mld_rank(article_fts), mld_rank(article_fts, d.sz) "
                           "FROM article_fts LEFT JOIN article_fts_docsize d "
                           "ON d.id = article_fts.rowid WHERE article_fts MATCH ?1",
                           -1, &st, NULL);
        sqlite3_bind_text(st, 1, queries[i].match, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            same += sqlite3_column_double(st, 0) == sqlite3_column_double(st, 1);
            sized++;
        }
        sqlite3_finalize(st);
    }
    raw_close(db);
    ok(rows > 10 && worst < 1e-9,
       "mld_rank is -bm25, up to one factor for one phrase (%d rows, largest relative "
       "difference %g)",
       rows, worst);
    ok(sized == rows && same == rows,
       "mld_rank with the row's docsize record scores as without (%d of %d rows)", same, sized);
}

/* Appends every row of sql (text columns, '|'-joined) to b. */
static void
dump_rows(sqlite3 *db, const char *sql, struct mld_buf *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        diag("%s: %s", sql, sqlite3_errmsg(db));
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++)
            mld_buf_printf(b, "%s|", (const char *)sqlite3_column_text(st, i));
        mld_buf_putc(b, '\n');
    }
    sqlite3_finalize(st);
}

/* Checks that the index holds exactly what a rebuild from the usable
 * articles gives: every (term, article, column, position), and the
 * documents' sizes bm25 reads. */
static void pg_store_index_is_exact(const char *when);

static void
index_is_exact(const char *when)
{
    if (mld_test_pg() != NULL) { /* FTS5's own records are SQLite's */
        pg_store_index_is_exact(when);
        return;
    }
    sqlite3 *db = raw_open();
    sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.inst USING fts5vocab(main, article_fts, "
                     "'instance')",
                 NULL, NULL, NULL);
    static const char dump[] = "SELECT term, doc, col, offset FROM temp.inst";
    static const char sizes[] = "SELECT id, sz FROM article_fts_docsize ORDER BY id";
    struct mld_buf live, rebuilt;
    mld_buf_init(&live, 64u << 20);
    mld_buf_init(&rebuilt, 64u << 20);
    dump_rows(db, dump, &live);
    dump_rows(db, sizes, &live);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    int rc = sqlite3_exec(db, "INSERT INTO article_fts(article_fts) VALUES ('rebuild')", NULL,
                          NULL, NULL);
    dump_rows(db, dump, &rebuilt);
    dump_rows(db, sizes, &rebuilt);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    ok(rc == SQLITE_OK && live.len > 0 && live.len == rebuilt.len &&
           memcmp(live.p, rebuilt.p, live.len) == 0,
       "%s: the index equals a rebuild (%zu bytes of postings)", when, live.len);
    /* The vocabulary kept beside it: every term with its count of
     * articles, as the index has them. */
    sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.row USING fts5vocab(main, article_fts, 'row')",
                 NULL, NULL, NULL);
    struct mld_buf kept, counted;
    mld_buf_init(&kept, 64u << 20);
    mld_buf_init(&counted, 64u << 20);
    dump_rows(db, "SELECT term, docs FROM search_vocab ORDER BY term", &kept);
    dump_rows(db, "SELECT term, doc FROM temp.row ORDER BY term", &counted);
    ok(kept.len > 0 && kept.len == counted.len && memcmp(kept.p, counted.p, kept.len) == 0,
       "%s: the vocabulary equals the index's (%zu bytes)", when, kept.len);
    mld_buf_dispose(&kept);
    mld_buf_dispose(&counted);
    mld_buf_dispose(&live);
    mld_buf_dispose(&rebuilt);
    raw_close(db);
}

/* Stores every fixture (the embargoed one with its embargo) and returns
 * the store. */
static struct mld_store *
fixture_store(void)
{
    struct mld_store *st = mld_test_store_fresh("search");
    for (int i = 0; i < NFIX; i++) {
        const struct fix *f = &fixtures[i];
        mld_time_t embargo = strcmp(f->urn, "urn:t:nobel") == 0 ? iso(NOW) + 3600 : 0;
        put_fix(st, f, 1, MLD_PUB_USABLE, embargo);
    }
    return st;
}

static void
test_language(struct mld_store *st)
{
    /* Snowball stems "Verhandlungen" and "Verhandlung" alike ("verhandl"),
     * the verb's "verhandelt" and "verhandelten" as another stem: the
     * noun does not find the verb (urn:t:stahl). */
    finds(st, "Verhandlungen", "urn:t:genf");
    finds(st, "Verhandlung", "urn:t:genf");
    finds(st, "verhandelt", "urn:t:genf urn:t:stahl");
    finds(st, "Präsident", "urn:t:hamburg");
    finds(st, "praesident", "urn:t:hamburg");
    finds(st, "PRÄSIDENT", "urn:t:hamburg");
    finds(st, "Strasse", "urn:t:koeln");
    finds(st, "Straße", "urn:t:koeln");
    finds(st, "Krieg", "urn:t:osten urn:t:industrie");
    finds(st, "Ukrainekrieg", "urn:t:osten urn:t:industrie");
    finds(st, "Ukraine-Krieg", "urn:t:osten urn:t:industrie");
    finds(st, "Mecklenburg-Vorpommern", "urn:t:landtag");
    finds(st, "Vorpommern", "urn:t:landtag");
    finds(st, "der die das", "");
}

static void
test_syntax(struct mld_store *st)
{
    finds(st, "\"Helmut Kohl\"", "urn:t:speyer");
    finds(st, "Helmut Kohl", "urn:t:speyer urn:t:garten");
    finds(st, "Verhandl*", "urn:t:genf");
    finds(st, "Stahl*", "urn:t:stahl");
    finds(st, "Bundesliga -Hoffenheim", "urn:t:schalke");
    finds(st, "Bundesliga NOT Hoffenheim", "urn:t:schalke");
    finds(st, "Schalke OR Hoffenheim", "urn:t:schalke urn:t:derby");
    finds(st, "Schalke OR Hoffenheim Derby", "urn:t:derby");
    /* What FTS5 would read as syntax is text (or refused for the reader),
     * never a store error. */
    static const char *const odd[] = {
        "NEAR(Helmut Kohl)", "Wahl:", "(Schalke", "\"Helmut", "a^b", "Kohl*", "-", "OR",
        "*", "\"\"", "headline:Kohl", "Kohl AND", "{Kohl}", "Kohl\\", "'Kohl'", "K*",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        struct mld_hits h;
        int rc = run(st, (struct mld_search){.text = odd[i]}, &h);
        bad += rc != 0 && rc != MLD_E_PARSE;
        mld_hits_dispose(&h);
    }
    is_int(bad, 0, "FTS5 syntax typed by a reader is never a store error");
    struct mld_hits h;
    struct mld_err err = {0};
    struct mld_search q = {.text = "  --  ", .limit = 10, .now = iso(NOW)};
    is_int(mld_store_search(st, &q, &h, &err), MLD_E_PARSE, "a query without words: MLD_E_PARSE");
    ok(strstr(err.msg, "Wort") != NULL, "  with a message for the reader: %s", err.msg);
}

static void
test_filters(struct mld_store *st)
{
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Bundesliga", .section_slug = "sport"}, &h);
    is_int(h.n, 2, "section filter: both Bundesliga articles are in Sport");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Bundesliga", .section_slug = "politik"}, &h);
    is_int(h.n, 0, "section filter: none in Politik");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Krieg", .topic_slug = "ukraine"}, &h);
    is_str(urns(&h), "urn:t:osten", "topic filter");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Krieg", .from = iso("2026-03-08T00:00:00Z")}, &h);
    is_str(urns(&h), "urn:t:osten", "from filter");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Krieg", .to = iso("2026-03-08T00:00:00Z")}, &h);
    is_str(urns(&h), "urn:t:industrie", "to filter");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Krieg", .from = iso("2026-03-07T00:00:00Z"),
                                .to = iso("2026-03-08T00:00:00Z")}, &h);
    is_str(urns(&h), "urn:t:industrie", "from and to");
    mld_hits_dispose(&h);
}

static void
test_ranking_paging(struct mld_store *st)
{
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Zugspitze"}, &h);
    is_str(urns(&h), "urn:t:zug-neu urn:t:zug-alt", "same text: the newer ranks first");
    if (h.n == 2)
        ok(h.v[0].score > h.v[1].score && h.v[1].score > 0, "  by score (%g > %g)",
           h.v[0].score, h.v[1].score);
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Bundesliga", .limit = 1}, &h);
    ok(h.n == 1 && h.more, "page 1 of 2: one hit, more follow");
    char first[64];
    snprintf(first, sizeof(first), "%s", urns(&h));
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Bundesliga", .limit = 1, .offset = 1}, &h);
    ok(h.n == 1 && !h.more && strcmp(urns(&h), first) != 0, "page 2 of 2: the other, no more");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Bundesliga", .limit = 1, .offset = 2}, &h);
    ok(h.n == 0 && !h.more, "past the end: nothing");
    mld_hits_dispose(&h);
}

static void
test_hits(struct mld_store *st)
{
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Lücke"}, &h);
    is_int(h.n, 1, "the headline with <script> is found");
    if (h.n == 1) {
        const struct mld_hit *t = &h.v[0];
        ok(t->snippet != NULL && strchr(t->snippet, '<') != NULL &&
               strstr(t->snippet, "<mark>") == NULL,
           "the store's snippet is the text, without markup: %s", t->snippet);
        ok(t->nmarks >= 1 && t->marks[0].end - t->marks[0].start == strlen("Lücke") &&
               memcmp(t->snippet + t->marks[0].start, "Lücke", strlen("Lücke")) == 0,
           "and the match is a byte range of it");
        char *s = mld_highlight_html(t->snippet, t->marks, t->nmarks);
        ok(strstr(s, "<mark>Lücke</mark>") != NULL, "snippet marks the match: %s", s);
        ok(strstr(s, "&lt;script&gt;-Code &amp; mehr") != NULL, "snippet escapes the text");
        ok(strstr(s, "<script") == NULL, "snippet has no markup but <mark>");
        mld_free(s);
        is_str(h.v[0].item.a->headline, fix_of("urn:t:luecke")->headline,
               "the item carries the article");
        is_str(h.v[0].item.section_slug, "digitales", "and its section");
    }
    mld_hits_dispose(&h);
    /* Markup in the query is text too. */
    run(st, (struct mld_search){.text = "<script>"}, &h);
    char *marked =
        h.n == 1 ? mld_highlight_html(h.v[0].snippet, h.v[0].marks, h.v[0].nmarks) : mld_strdup("");
    ok(h.n == 1 && strstr(marked, "<mark>script</mark>") != NULL,
       "\"<script>\" finds the word, marked: %s", marked);
    mld_free(marked);
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Erdbeben Istanbul"}, &h);
    struct mld_item a;
    struct mld_err err = {0};
    int64_t story = 0;
    if (h.n > 0 && mld_store_get(st, h.v[0].item.id, &a, &err) == 0) {
        story = a.story_id;
        mld_item_dispose(&a);
    }
    is_int(h.n, 1, "two articles of one story: one hit");
    for (int i = 0; i < h.n; i++)
        is_int(h.v[i].item.story_id, story, "  the story's best");
    mld_hits_dispose(&h);
}

/* Hits as list entries (the page and the API): the same hits, snippets
 * and topics as whole articles, without the text to unpack. */
static void
test_entries(struct mld_store *st)
{
    struct mld_hits full, lean;
    run(st, (struct mld_search){.text = "Ukraine"}, &full);
    run(st, (struct mld_search){.text = "Ukraine", .entries = true}, &lean);
    is_int(lean.n, full.n, "entries: as many hits as whole articles (%d)", full.n);
    ok(full.n >= 2, "  the query finds several");
    bool same = lean.n == full.n, topics = true, text = true, body = true;
    for (int i = 0; same && i < full.n; i++) {
        const struct mld_hit *f = &full.v[i], *l = &lean.v[i];
        same = f->item.id == l->item.id && f->score == l->score &&
               strcmp(f->snippet, l->snippet) == 0 && f->nmarks == l->nmarks &&
               f->item.story_size == l->item.story_size &&
               strcmp(f->item.a->headline, l->item.a->headline) == 0;
        topics = topics && f->item.a->ntopics == l->item.a->ntopics;
        for (int t = 0; topics && t < f->item.a->ntopics; t++)
            topics = strcmp(f->item.a->topics[t], l->item.a->topics[t]) == 0;
        text = text && f->item.a->text != NULL;
        body = body && l->item.a->text == NULL && l->item.a->body_html == NULL;
    }
    ok(same, "  the same hits, scores, snippets and headlines");
    ok(topics && full.n > 0 && full.v[0].item.a->ntopics == 1, "  and the same topics");
    ok(text, "  whole articles carry their text");
    ok(body, "  entries carry neither text nor body");
    mld_hits_dispose(&full);
    mld_hits_dispose(&lean);
}

/* Updates, withdrawals and embargoes reach the index. */
static void
test_changes(struct mld_store *st)
{
    finds(st, "Schokolade", "urn:t:rueckruf");
    put_fix(st, fix_of("urn:t:rueckruf"), 2, MLD_PUB_CANCELED, 0);
    finds(st, "Schokolade", "");
    finds(st, "Glassplittern", "");
    index_is_exact("after a withdrawal");

    struct fix brand = *fix_of("urn:t:brand");
    brand.headline = "Explosion in einem Chemiewerk";
    brand.text = "Nach der Explosion im Chemiewerk wurden Anwohner gewarnt.";
    put_fix(st, &brand, 2, MLD_PUB_USABLE, 0);
    finds(st, "Chemiewerk", "urn:t:brand");
    finds(st, "Lagerhalle", "");
    index_is_exact("after an update");
    /* A withheld version hides it, a usable one brings it back. */
    put_fix(st, &brand, 3, MLD_PUB_WITHHELD, 0);
    finds(st, "Chemiewerk", "");
    put_fix(st, &brand, 4, MLD_PUB_USABLE, 0);
    finds(st, "Chemiewerk", "urn:t:brand");
    index_is_exact("after withholding and release");

    finds(st, "Nobelpreis", "");
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Nobelpreis", .now = iso(NOW) + 7200}, &h);
    is_str(urns(&h), "urn:t:nobel", "embargoed article is found once its embargo ends");
    mld_hits_dispose(&h);
}

/* The triggers queue index changes until COMMIT: a batch of files, one
 * of them rolled back, leaves exactly the others in the index, and a
 * change of text outside a transaction is refused. */
static void pg_outside_txn(struct mld_store *st);

static void
test_queue(struct mld_store *st)
{
    struct mld_err err = {0};
    struct fix brand = *fix_of("urn:t:brand");
    brand.headline = "Großbrand im Hafen";
    struct fix pipe = brand;
    pipe.headline = "Wasserrohrbruch im Hafen";
    ok(mld_store_begin(st, &err) == 0, "batch: begin");
    put_fix(st, &brand, 5, MLD_PUB_USABLE, 0); /* a savepoint of its own */
    struct mld_article *a = fix_article(&pipe, 6, MLD_PUB_USABLE, 0);
    enum mld_put_result res;
    int64_t id;
    ok(mld_store_begin(st, &err) == 0 && mld_store_put(st, a, &res, &id, &err) == 0,
       "batch: the second file is stored");
    mld_store_rollback(st); /* and taken back */
    mld_article_free(a);
    ok(mld_store_commit(st, &err) == 0, "batch: commit %s", err.msg);
    finds(st, "Großbrand", "urn:t:brand");
    finds(st, "Wasserrohrbruch", "");
    index_is_exact("after a batch with a file rolled back");

    if (mld_test_pg() != NULL) {
        pg_outside_txn(st);
        return;
    }
    sqlite3 *db = raw_open();
    int rc = sqlite3_exec(db, "UPDATE article SET headline = 'Ohne Transaktion' "
                              "WHERE urn = 'urn:t:brand'", NULL, NULL, NULL);
    ok(rc != SQLITE_OK && strstr(sqlite3_errmsg(db), "outside a transaction") != NULL,
       "a text change outside a transaction is refused: %s", sqlite3_errmsg(db));
    raw_close(db);
    finds(st, "Großbrand", "urn:t:brand");
}

/* Offers a's indexed texts (headline, kicker, text) recorded ahead, as
 * the pipeline does, and stores a in a batch of one. */
static void
put_offered(struct mld_store *st, struct mld_article *a, struct mld_token_rec rec[3])
{
    struct mld_err err = {0};
    enum mld_put_result res;
    int64_t id;
    mld_store_offer_tokens(st, rec, 3);
    for (int k = 0; k < 3; k++)
        ok(rec[k].len == 0 && rec[k].p == NULL, "the store took offer %d", k);
    if (mld_store_begin(st, &err) != 0 || mld_store_put(st, a, &res, &id, &err) != 0 ||
        mld_store_commit(st, &err) != 0) {
        diag("put %s: %s", a->urn, err.msg);
        mld_store_rollback(st);
    }
    mld_article_free(a);
}

/* Token streams offered ahead (mld_store_offer_tokens) give the index
 * exactly what analysing the texts gives; and they are what is indexed:
 * a stream offered under another text's hash puts its own tokens in. */
static void
test_offered(struct mld_store *st)
{
    struct fix brand = *fix_of("urn:t:brand");
    brand.headline = "Feuerwehr löscht Großbrand im Containerhafen";
    brand.text = "Die Löscharbeiten am Containerhafen dauerten bis in den Abend.";
    struct mld_article *a = fix_article(&brand, 7, MLD_PUB_USABLE, 0);
    struct mld_token_rec rec[3];
    const char *col[3] = {a->headline, a->kicker, a->text};
    for (int k = 0; k < 3; k++)
        is_int(mld_analyze_record(mld_analyzer(), col[k], strlen(col[k]), MLD_AN_INDEX, &rec[k]),
               0, "record column %d", k);
    put_offered(st, a, rec);
    finds(st, "Containerhafen", "urn:t:brand");
    finds(st, "Löscharbeiten", "urn:t:brand");
    index_is_exact("after a put with its tokens offered");

    /* A second store: a forged offer must not damage the first one's index. */
    char first[sizeof(mld_test_dbpath)];
    memcpy(first, mld_test_dbpath, sizeof(first));
    struct mld_store *st2 = mld_test_store_fresh("search-offer");
    struct fix f = brand;
    f.urn = "urn:t:forged";
    f.text = "Ein Text über Schafe.";
    a = fix_article(&f, 1, MLD_PUB_USABLE, 0);
    const char *other = "Ein Text über Ziegen.";
    struct mld_token_rec forged[3] = {{0}};
    mld_analyze_record(mld_analyzer(), other, strlen(other), MLD_AN_INDEX, &forged[2]);
    struct mld_token_rec real;
    mld_analyze_record(mld_analyzer(), a->text, strlen(a->text), MLD_AN_INDEX, &real);
    memcpy(forged[2].hash, real.hash, sizeof(real.hash)); /* Ziegen's tokens, Schafe's hash */
    forged[2].text_len = real.text_len;
    mld_token_rec_dispose(&real);
    put_offered(st2, a, forged);
    finds(st2, "Ziegen", "urn:t:forged");
    finds(st2, "Schafe", "");
    mld_store_close(st2);
    mld_test_store_remove();
    memcpy(mld_test_dbpath, first, sizeof(first));
}

static void
test_suggestion(struct mld_store *st)
{
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Hochwaser Sachsen"}, &h);
    is_int(h.n, 0, "a misspelled word: no hits");
    is_str(h.suggestion, "Hochwasser Sachsen", "did you mean: the corrected query");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Instanbul"}, &h);
    is_str(h.suggestion, "Istanbul", "did you mean: a letter too many");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Kohl Elbe"}, &h);
    ok(h.n == 0 && h.suggestion == NULL, "known words without a common hit: no suggestion");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Strasenfest"}, &h);
    is_str(h.suggestion, "Straßenfest", "did you mean: spelled as in the article");
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Xylophon"}, &h);
    ok(h.n == 0 && h.suggestion == NULL, "nothing close: no suggestion");
    mld_hits_dispose(&h);
}

/* A changed analyzer signature rebuilds the index on the next open. */
static void pg_wreck_index(void);
static void pg_signature(struct mld_buf *b);
static void skip_on_pg(const char *why);

static void
test_rebuild(struct mld_store *st)
{
    bool pg = mld_test_pg() != NULL;
    mld_store_close(st);
    sqlite3 *db;
    if (pg) {
        pg_wreck_index();
    } else {
        /* Wreck the index, as an analyzer that tokenizes differently would. */
        db = raw_open();
        sqlite3_exec(db,
                     "UPDATE meta SET value = 'old-analyzer' WHERE key = '" META_SIGNATURE "';"
                     "INSERT INTO article_fts(article_fts, rowid, headline, kicker, body_text) "
                     "SELECT 'delete', id, headline, kicker, body_text FROM article_search_src",
                     NULL, NULL, NULL);
        raw_close(db);
    }
    st = mld_test_store_open();
    finds(st, "Zugspitze", "urn:t:zug-neu urn:t:zug-alt");
    index_is_exact("after a signature change");
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    if (pg) {
        pg_signature(&b);
    } else {
        db = raw_open();
        dump_rows(db, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'", &b);
        raw_close(db);
    }
    char want[256];
    snprintf(want, sizeof(want), "%s|\n", mld_analyzer_signature(mld_analyzer()));
    is_str(b.p, want, "the new signature is recorded");
    mld_buf_dispose(&b);
    mld_store_close(st);
    if (pg) {
        skip_on_pg("a store from before search (schema 2) is SQLite's");
        return;
    }

    /* A store from before search (schema 2, with articles): the
     * migration creates the index, the open fills it. */
    db = mld_test_store_schema("search", 2);
    for (int i = 0; i < NFIX; i++) {
        char *sql = sqlite3_mprintf(
            "INSERT INTO article (urn, version, version_created, updated, pubstatus, embargo, "
            "visible_from, urgency, kicker, headline, body_text, section, slug, published, "
            "first_stored, story_id, story_key) VALUES (%Q, 1, %lld, %lld, %d, 0, 0, 3, %Q, %Q, "
            "%Q, %Q, 'slug-%d', %lld, %lld, %d, 'key-%d')",
            fixtures[i].urn, (long long)iso(fixtures[i].when), (long long)iso(fixtures[i].when),
            strcmp(fixtures[i].urn, "urn:t:rueckruf") == 0 ? MLD_PUB_CANCELED : MLD_PUB_USABLE,
            fixtures[i].kicker, fixtures[i].headline, fixtures[i].text, fixtures[i].section, i,
            (long long)iso(fixtures[i].when), (long long)iso(fixtures[i].when), i + 1, i);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            diag("schema 2 insert: %s", sqlite3_errmsg(db));
        sqlite3_free(sql);
    }
    sqlite3_close(db);
    st = mld_test_store_open();
    finds(st, "Zugspitze", "urn:t:zug-neu urn:t:zug-alt");
    finds(st, "Schokolade", "");
    index_is_exact("after the migration of a store from before search");
    mld_store_close(st);
}

/* Windows: the newest articles are searched first, older ones only when
 * the page is not full, or with a date filter. */
static void
test_windows(void)
{
    struct mld_store *st = mld_test_store_fresh("search");
    struct fix f = {"urn:w:0", "2026-03-01T10:00:00Z", "Panorama", NULL, "Luftfahrt",
                    "Zeppelin landet in Friedrichshafen", "Das Luftschiff kam sicher an."};
    put_fix(st, &f, 1, MLD_PUB_USABLE, 0);
    /* Four newer articles with the word in the text only, each a story
     * of its own. */
    static const struct fix others[] = {
        {"urn:w:1", "2026-03-01T11:00:00Z", "Panorama", NULL, "Konstanz", "Seefest am Hafen",
         "Tausende sahen beim Seefest einen Zeppelin über dem Wasser."},
        {"urn:w:2", "2026-03-01T12:00:00Z", "Verkehr", NULL, "Lindau", "Fähre fällt aus",
         "Die Fähre nach Bregenz fuhr nicht, ein Zeppelin kreiste über der Insel."},
        {"urn:w:3", "2026-03-01T11:30:00Z", "Wirtschaft", NULL, "Meersburg",
         "Winzer beginnen früh mit der Lese", "Über den Reben flog am Morgen ein Zeppelin."},
        {"urn:w:4", "2026-03-01T12:30:00Z", "Politik", NULL, "Überlingen",
         "Stadtrat streitet um Parkplätze", "Draußen zog während der Sitzung ein Zeppelin vorbei."},
    };
    for (int i = 0; i < 4; i++)
        put_fix(st, &others[i], 1, MLD_PUB_USABLE, 0);
    int64_t saved = search_window;
    search_window = 2;
    struct mld_hits h;
    run(st, (struct mld_search){.text = "Zeppelin", .limit = 1}, &h);
    ok(h.n == 1 && strcmp(urns(&h), "urn:w:0") != 0 && h.more,
       "a full first window: the older headline match is not reached (%s)", urns(&h));
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Zeppelin", .limit = 10}, &h);
    ok(h.n == 5 && strcmp(h.v[0].item.a->urn, "urn:w:0") == 0,
       "a page the windows do not fill widens them to all, best first (%s)", urns(&h));
    mld_hits_dispose(&h);
    run(st, (struct mld_search){.text = "Zeppelin", .limit = 1, .from = iso("2026-01-01T00:00:00Z")},
        &h);
    ok(h.n == 1 && strcmp(urns(&h), "urn:w:0") == 0,
       "a date filter searches all ids at once: the headline match wins");
    mld_hits_dispose(&h);
    search_window = saved;
    mld_store_close(st);
}

/* A search's plan (each word's document count from the vocabulary, a
 * prefix as its completions) changes no hit and no score against
 * counting every phrase by walking its postings and FTS5's own prefix
 * merge. A prefix beside other words takes the sum of its completions'
 * counts as its document count (an upper bound): its hits stay, scores
 * may differ a little. */
static void
test_plan(struct mld_store *st)
{
    static const struct {
        const char *text;
        bool exact_scores;
    } queries[] = {
        {"Krieg", true},
        {"Krieg Ukraine", true},
        {"\"Helmut Kohl\"", true},
        {"Schalke OR Hoffenheim Bundesliga", true},
        {"Erdbeben -Kohl", true},
        {"Verhandl*", true},
        {"Verhandl* -Kohl", false},
        {"Verhandl* Genf", false},
        {"Bundesl* OR Krieg", false},
    };
    int64_t saved = prefix_expand;
    prefix_expand = 0; /* every prefix with completions is written as them */
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        struct mld_hits planned, walked;
        search_plan = true;
        run(st, (struct mld_search){.text = queries[i].text}, &planned);
        search_plan = false;
        run(st, (struct mld_search){.text = queries[i].text}, &walked);
        search_plan = true;
        bool same = planned.n == walked.n && planned.n > 0, close = same;
        for (int k = 0; same && k < planned.n; k++) {
            double a = planned.v[k].score, b = walked.v[k].score;
            same = planned.v[k].item.id == walked.v[k].item.id;
            close = same && fabs(a - b) <= 1e-9 * fabs(b);
        }
        if (queries[i].exact_scores)
            ok(close, "%s: the plan finds the same hits with the same scores (%d hits)",
               queries[i].text, planned.n);
        else {
            bool found = planned.n == walked.n && planned.n > 0;
            for (int k = 0; found && k < walked.n; k++) {
                bool in = false;
                for (int j = 0; j < planned.n; j++)
                    in |= planned.v[j].item.id == walked.v[k].item.id;
                found = in;
            }
            ok(found, "%s: the plan finds the same hits (%d)", queries[i].text, planned.n);
        }
        mld_hits_dispose(&planned);
        mld_hits_dispose(&walked);
    }
    is_int(plan_mismatches, 0, "every plan matched FTS5's phrases");
    prefix_expand = saved;
}

/* Counts the rows of query match where mld_snippet() differs from
 * FTS5's snippet() it stands in for; *rows gets the rows compared. */
static int
snippet_differences(sqlite3 *db, const char *match, int *rows)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT snippet(article_fts, 2, char(1), char(2), '\u2026', %d), "
             "mld_snippet(article_fts) FROM article_fts WHERE article_fts MATCH ?1",
             MLD_SEARCH_SNIPPET_WORDS);
    sqlite3_stmt *st;
    int differ = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        diag("%s", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        const char *b = (const char *)sqlite3_column_text(st, 1);
        (*rows)++;
        if (strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0) {
            if (differ++ == 0)
                diag("%s:\n  fts5:    %s\n  meldung: %s", match, a ? a : "", b ? b : "");
        }
    }
    sqlite3_finalize(st);
    return differ;
}

/* mld_snippet() writes what FTS5's snippet() would, on every row of
 * single words, phrases, prefixes, ORs and words found only in the
 * headline. */
static void
test_snippet_fn(void)
{
    static const char *const matches[] = {
        "\"krieg\"",          "\"helmut kohl\"", "(\"schalke\" OR \"hoffenheim\") AND \"bundesliga\"",
        "\"verhandl\" *",     "\"die\"",         "\"krieg\" \"ukrain\"",
        "\"erdbeben\" NOT \"kohl\"", "\"luecke\"",     "\"der\" \"und\" \"in\"",
    };
    sqlite3 *db = raw_open();
    struct mld_err err = {0};
    fts5_api *api = fts5_of(&raw_sq, &err);
    if (api != NULL)
        api->xCreateFunction(api, "mld_snippet", NULL, snippet_fn, NULL);
    int rows = 0, differ = 0;
    for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
        differ += snippet_differences(db, matches[i], &rows);
    ok(rows > 10 && differ == 0, "mld_snippet equals FTS5's snippet on %d rows (%d differ)", rows,
       differ);
    raw_close(db);
}

/* The dpa NewsML-G2 sample, ingested as `meldung ingest` would. */
struct corpus {
    struct mld_store *st;
    int stored;
    char *urn[256]; /* what was stored, under which id */
    int64_t id[256];
};

static void
corpus_item(struct mld_test_doc *d, void *ud)
{
    struct corpus *c = ud;
    for (int i = 0; i < d->l.n && c->stored < 256; i++) {
        struct mld_article *a = d->l.v[i];
        mld_enrich(a, NULL);
        enum mld_put_result res;
        struct mld_err err = {0};
        if (mld_store_begin(c->st, &err) != 0 ||
            mld_store_put(c->st, a, &res, &c->id[c->stored], &err) != 0 ||
            mld_store_commit(c->st, &err) != 0) {
            diag("%s: %s", d->name, err.msg);
            mld_store_rollback(c->st);
            continue;
        }
        c->urn[c->stored++] = mld_strdup(a->urn);
    }
}

/* Returns the story of the stored article urn, or 0. */
static int64_t
corpus_story(const struct corpus *c, const char *urn)
{
    int64_t story = 0;
    for (int i = 0; i < c->stored; i++) {
        struct mld_item it;
        struct mld_err err = {0};
        if (strcmp(c->urn[i], urn) == 0 && mld_store_get(c->st, c->id[i], &it, &err) == 0) {
            story = it.story_id;
            mld_item_dispose(&it);
        }
    }
    return story;
}

/* Checks that search text reaches each urn of want: it is a hit, or
 * another article of its story is (one hit per story). */
static void
corpus_finds(const struct corpus *c, const char *text, const char *const *want)
{
    struct mld_hits h;
    int rc = run(c->st, (struct mld_search){.text = text, .now = mld_time_now(), .limit = 50}, &h);
    int missing = 0;
    for (int i = 0; want[i] != NULL; i++) {
        int64_t story = corpus_story(c, want[i]);
        bool found = false;
        for (int k = 0; k < h.n && !found; k++)
            found = h.v[k].item.story_id == story;
        if (story == 0 || !found) {
            missing++;
            diag("\"%s\" misses %s; got %s", text, want[i], urns(&h));
        }
    }
    ok(rc == 0 && missing == 0, "dpa sample: \"%s\" finds the expected items (%d hits)", text,
       h.n);
    mld_hits_dispose(&h);
}

static void
test_corpus(void)
{
    struct corpus c = {.st = mld_test_store_fresh("search")};
    int files = mld_test_walk_corpus(&mld_format_newsml, "dpa-newsmlg2-sample/items", ".xml", 0,
                                     corpus_item, &c);
    if (files >= 0) {
        is_int(c.stored, files, "dpa sample: every item stored (%d)", files);
        static const char *const thyssen[] = {"urn:newsml:dpa.com:20090101:170626-99-998860",
                                              "urn:newsml:dpa.com:20090101:170629-99-45365", NULL};
        corpus_finds(&c, "Thyssenkrupp", thyssen);
        corpus_finds(&c, "thyssenkrupp ex-manager", thyssen);
        static const char *const kohl[] = {"urn:newsml:dpa.com:20090101:170629-99-48078", NULL};
        corpus_finds(&c, "\"Helmut Kohl\" Trauerfeier", kohl);
        static const char *const malm[] = {"urn:newsml:dpa.com:20090101:170627-99-11003",
                                           "urn:newsml:dpa.com:20090101:170629-99-49437", NULL};
        corpus_finds(&c, "Ikea Malm", malm);
        static const char *const raser[] = {"urn:newsml:dpa.com:20090101:170629-99-43475", NULL};
        corpus_finds(&c, "Raser Strafen", raser);
        index_is_exact("dpa sample");
    }
    for (int i = 0; i < c.stored; i++)
        mld_free(c.urn[i]);
    mld_store_close(c.st);
}

/* PostgreSQL ------------------------------------------------------------
 *
 * The same fixtures on PostgreSQL (src/store/pg_search.c), in a database
 * of its own on the server MELDUNG_TEST_PG names (`make check PG=1`,
 * tests/harness/pgcheck.sh): the articles of
 * the SQLite store are copied row by row, the queue's flush indexes them,
 * and every query must give what SQLite gives - the same hits in the same
 * order with the same scores, snippets and marks, "more" and
 * suggestions - and the index the same (term, article, column, position)
 * as FTS5's, and the same vocabulary. The fixture store stays SQLite's,
 * and the search runs below the item loading (search_ranked, the
 * snippets, suggest): the store's other tables on PostgreSQL (migration
 * 0002) are not there yet, so article and article_topic come from a
 * stand-in schema, shadowed by the real tables once migrations make
 * them. */

#include "../../../src/store/copy.h"
#include "../../../src/store/pg_int.h"
#include "pg_migrations.h"

/* True when this build's PostgreSQL schema holds the store's tables and
 * the story's (migrations 0002 and 0003), so that stores open there. */
static bool
pg_store_schema(void)
{
    int have = 0;
    for (size_t i = 0; i < sizeof(pg_migrations) / sizeof(*pg_migrations); i++)
        have += pg_migrations[i].number == 2 || pg_migrations[i].number == 3;
    return have == 2;
}

/* Says that a check of SQLite's own is skipped on PostgreSQL. */
static void
skip_on_pg(const char *why)
{
    printf("ok %d # SKIP on PostgreSQL: %s\n", ++mld_test_n_, why);
}

/* The stand-in for the tables of migration 0002 (search reads these
 * columns); migrations that make the real ones shadow it (search_path). */
static const char standin_sql[] =
    "CREATE SCHEMA standin; "
    "CREATE TABLE standin.article (id BIGINT PRIMARY KEY, headline TEXT, kicker TEXT, "
    "body_text TEXT, pubstatus BIGINT NOT NULL, visible_from BIGINT NOT NULL, "
    "published BIGINT NOT NULL, story_id BIGINT NOT NULL, section_slug TEXT COLLATE \"C\"); "
    "CREATE TABLE standin.article_topic (article_id BIGINT NOT NULL, slug TEXT COLLATE \"C\" "
    "NOT NULL)";

/* Queries whose answers PostgreSQL must give as SQLite does. */
static const char *const pg_queries[] = {
    "Verhandlungen",
    "praesident",
    "Strasse",
    "Krieg",
    "Ukraine-Krieg",
    "Mecklenburg-Vorpommern",
    "\"Helmut Kohl\"",
    "Helmut Kohl",
    "Kohl -Trauerfeier",
    "Schalke OR Hoffenheim Bundesliga",
    "Verhandl*",
    "Verhandl* Genf",
    "Bundesl* OR Krieg",
    "\"Helmut Kohl\"*",
    "Erdbeben Istanbul",
    "Rekord Zugspitze",
    "Lücke",
    "script",
    "die",
    "Strasenfest",
    "Erdbebn Istanbul",
    "Gipfel -\"viele Besucher\"",
};
#define NPGQ (sizeof(pg_queries) / sizeof(*pg_queries))

/* Appends every row of sql (text columns, '|'-joined) to b, on either
 * engine. */
static void
dump_sql(struct sql_db *db, const char *sql, struct mld_buf *b)
{
    struct sql_stmt *st;
    if (sql_prepare(db, sql, false, &st) != SQLITE_OK) {
        diag("%s: %s", sql, sql_errmsg(db));
        return;
    }
    while (sql_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sql_column_count(st); i++)
            mld_buf_printf(b, "%s|", sql_column_text(st, i));
        mld_buf_putc(b, '\n');
    }
    sql_finalize(st);
}

/* Copies table's rows from the SQLite store to PostgreSQL, the columns
 * PostgreSQL's table has. */
static int
pg_copy(struct sq *pgs, sqlite3 *lite, const char *table)
{
    struct mld_err err = {0};
    struct mld_buf names, sql;
    mld_buf_init(&names, 4096);
    mld_buf_init(&sql, 8192);
    char q[256];
    snprintf(q, sizeof(q),
             "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass('%s') "
             "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
             table);
    PGresult *r = pg_exec(pgs->db.pg, q, 0, NULL, "columns", &err);
    int n = r != NULL ? PQntuples(r) : 0;
    for (int i = 0; i < n; i++)
        mld_buf_printf(&names, "%s%s", i ? ", " : "", PQgetvalue(r, i, 0));
    PQclear(r);
    mld_buf_printf(&sql, "INSERT INTO %s (%s) VALUES (", table, names.p);
    for (int i = 0; i < n; i++)
        mld_buf_printf(&sql, "%s?%d", i ? ", " : "", i + 1);
    mld_buf_putc(&sql, ')');
    struct mld_buf sel;
    mld_buf_init(&sel, 8192);
    mld_buf_printf(&sel, "SELECT %s FROM %s", names.p, table);
    sqlite3_stmt *from;
    struct sql_stmt *to;
    int copied = 0;
    int prc = sqlite3_prepare_v2(lite, sel.p, -1, &from, NULL);
    mld_buf_dispose(&sel);
    if (n == 0 || prc != SQLITE_OK || sql_prepare(&pgs->db, sql.p, false, &to) != SQLITE_OK) {
        diag("copy %s: %s / %s", table, sqlite3_errmsg(lite), sql_errmsg(&pgs->db));
        return -1;
    }
    while (sqlite3_step(from) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            sqlite3_value *v = sqlite3_column_value(from, i);
            switch (sqlite3_value_type(v)) {
            case SQLITE_INTEGER: sql_bind_int64(to, i + 1, sqlite3_value_int64(v)); break;
            case SQLITE_FLOAT: sql_bind_double(to, i + 1, sqlite3_value_double(v)); break;
            case SQLITE_TEXT:
                sql_bind_text_copy(to, i + 1, (const char *)sqlite3_value_text(v), -1);
                break;
            case SQLITE_BLOB:
                sql_bind_blob_copy(to, i + 1, sqlite3_value_blob(v), sqlite3_value_bytes(v));
                break;
            default: sql_bind_null(to, i + 1);
            }
        }
        if (sql_step(to) != SQLITE_DONE) {
            diag("copy %s: %s", table, sql_errmsg(&pgs->db));
            copied = -1;
            break;
        }
        sql_reset(to);
        copied++;
    }
    sqlite3_finalize(from);
    sql_finalize(to);
    mld_buf_dispose(&names);
    mld_buf_dispose(&sql);
    return copied;
}

/* The index as (term, article, column, position) rows and the
 * vocabulary, on either engine, into b. */
static void
pg_dump_index(struct sq *s, struct mld_buf *b)
{
    if (sql_pg(&s->db)) {
        dump_sql(&s->db,
                 "SELECT u.lexeme, d.id, c.col, p - CASE c.col WHEN 2 THEN d.hlen + d.klen + 3 "
                 "WHEN 1 THEN d.hlen + 2 ELSE 1 END "
                 "FROM search_doc d, unnest(d.terms) u, unnest(u.positions) p, "
                 "LATERAL (SELECT CASE WHEN p >= d.hlen + d.klen + 3 THEN 2 "
                 "WHEN p >= d.hlen + 2 THEN 1 ELSE 0 END AS col) c "
                 "ORDER BY u.lexeme COLLATE \"C\", d.id, c.col, 4",
                 b);
        dump_sql(&s->db, "SELECT id, hlen + klen + tlen FROM search_doc ORDER BY id", b);
        dump_sql(&s->db, "SELECT docs FROM search_total", b);
    } else {
        sqlite3_exec(s->db.lite,
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.pginst USING "
                     "fts5vocab(main, article_fts, 'instance')",
                     NULL, NULL, NULL);
        dump_sql(&s->db,
                 "SELECT term, doc, CASE col WHEN 'headline' THEN 0 WHEN 'kicker' THEN 1 "
                 "ELSE 2 END, offset FROM temp.pginst ORDER BY term, doc, 3, offset",
                 b);
        sqlite3_stmt *st;
        int n = 0;
        sqlite3_prepare_v2(s->db.lite, "SELECT id, sz FROM article_fts_docsize ORDER BY id", -1,
                           &st, NULL);
        for (; sqlite3_step(st) == SQLITE_ROW; n++)
            mld_buf_printf(b, "%lld|%lld|\n", (long long)sqlite3_column_int64(st, 0),
                           (long long)docsize_sum(sqlite3_column_value(st, 1)));
        sqlite3_finalize(st);
        mld_buf_printf(b, "%d|\n", n);
    }
    dump_sql(&s->db, "SELECT term, docs FROM search_vocab ORDER BY term", b);
}

/* What a search gives below its items: ids and scores in order, "more",
 * snippets with their marks, the suggestion; as text into b. */
static int
pg_search_dump(struct sq *s, struct mld_search q, struct mld_buf *b)
{
    struct mld_err err = {0};
    struct mld_fts_query fq;
    struct cands c = {NULL, 0};
    if (q.limit == 0)
        q.limit = 10;
    q.now = iso(NOW);
    int rc = search_ranked(s, &q, &fq, &c, &err);
    struct mld_hits h = {0};
    int n = c.n - q.offset;
    n = n < 0 ? 0 : n > q.limit ? q.limit : n;
    h.v = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*h.v));
    for (int i = 0; rc == 0 && i < n; i++)
        h.v[h.n++].item.id = c.v[q.offset + i].id;
    if (rc == 0 && h.n > 0)
        rc = snippets(s, fq.match, &h, &err);
    char *sug = rc == 0 && c.n == 0 && q.offset == 0 ? suggest(s, q.text, &fq) : NULL;
    mld_buf_printf(b, "rc %d more %d suggestion %s\n", rc, c.n > q.offset + q.limit,
                   sug ? sug : "-");
    for (int i = 0; i < h.n; i++) {
        mld_buf_printf(b, "%lld %.12g %s", (long long)h.v[i].item.id, c.v[q.offset + i].score,
                       h.v[i].snippet ? h.v[i].snippet : "(none)");
        for (int k = 0; k < h.v[i].nmarks; k++)
            mld_buf_printf(b, " [%zu,%zu)", h.v[i].marks[k].start, h.v[i].marks[k].end);
        mld_buf_putc(b, '\n');
        mld_free(h.v[i].snippet);
        mld_free(h.v[i].marks);
    }
    if (rc != 0)
        diag("search \"%s\": %s", q.text, err.msg);
    mld_free(sug);
    mld_free(h.v);
    mld_free(c.v);
    mld_fts_query_dispose(&fq);
    return rc;
}

/* Checks that q gives on PostgreSQL what it gives on SQLite. */
static void
pg_same(struct sq *pgs, struct sq *lite, struct mld_search q, const char *what)
{
    struct mld_buf a, b;
    mld_buf_init(&a, 1u << 20);
    mld_buf_init(&b, 1u << 20);
    pg_search_dump(lite, q, &a);
    pg_search_dump(pgs, q, &b);
    bool same = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
    ok(same && a.len > 0, "PostgreSQL: %s gives what SQLite gives", what);
    if (!same)
        diag("SQLite:\n%s\nPostgreSQL:\n%s", a.p, b.p);
    mld_buf_dispose(&a);
    mld_buf_dispose(&b);
}

/* The URL of test_pg's database. */
static const char *pg_test_url;

static void sq_raw_close(struct sq *s);

/* Commits on PostgreSQL as sq_txn_commit does: the queue first. */
static int
pg_commit_txn(struct sq *pgs)
{
    struct mld_err err = {0};
    int rc = sq_search_flush(pgs, &err);
    if (rc != 0) {
        diag("flush: %s", err.msg);
        pg_rollback(pgs->db.pg);
        return rc;
    }
    return pg_commit(pgs->db.pg, &err);
}

/* Checks that PostgreSQL's index equals a rebuild of it. */
static void
pg_index_is_exact(struct sq *pgs, const char *when)
{
    struct mld_err err = {0};
    struct mld_buf live, rebuilt;
    mld_buf_init(&live, 64u << 20);
    mld_buf_init(&rebuilt, 64u << 20);
    pg_dump_index(pgs, &live);
    int rc = pg_begin(pgs->db.pg, &err);
    if (rc == 0)
        rc = sq_pg_search_rebuild(pgs, &err);
    pg_dump_index(pgs, &rebuilt);
    pg_rollback(pgs->db.pg);
    ok(rc == 0 && live.len > 0 && live.len == rebuilt.len &&
           memcmp(live.p, rebuilt.p, live.len) == 0,
       "PostgreSQL, %s: the index equals a rebuild (%zu bytes)", when, live.len);
    mld_buf_dispose(&live);
    mld_buf_dispose(&rebuilt);
}

static void
test_pg_search(struct sq *pgs, struct sq *lite)
{
    struct mld_err err = {0};
    int rc = pg_begin(pgs->db.pg, &err);
    int arts = rc == 0 ? pg_copy(pgs, lite->db.lite, "article") : -1;
    int topics = arts > 0 ? pg_copy(pgs, lite->db.lite, "article_topic") : -1;
    rc = arts > 0 && topics > 0 ? pg_commit_txn(pgs) : -1;
    ok(rc == 0 && arts == NFIX, "PostgreSQL: %d articles copied and indexed", arts);
    struct mld_buf a, b;
    mld_buf_init(&a, 64u << 20);
    mld_buf_init(&b, 64u << 20);
    pg_dump_index(lite, &a);
    pg_dump_index(pgs, &b);
    bool same = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
    ok(same && a.len > 0,
       "PostgreSQL: every (term, article, column, position), length and vocabulary "
       "count as in FTS5 (%zu bytes)",
       a.len);
    if (!same)
        diag("SQLite:\n%.2000s\nPostgreSQL:\n%.2000s", a.p, b.p);
    mld_buf_dispose(&a);
    mld_buf_dispose(&b);
    pg_index_is_exact(pgs, "fixtures");

    int64_t saved = prefix_expand;
    for (int pass = 0; pass < 2; pass++) {
        prefix_expand = pass == 0 ? saved : 0; /* pass 1: prefixes as completions */
        for (size_t i = 0; i < NPGQ; i++) {
            char what[128];
            snprintf(what, sizeof(what), "\"%s\"%s", pg_queries[i], pass ? " (expanded)" : "");
            pg_same(pgs, lite, (struct mld_search){.text = pg_queries[i]}, what);
        }
    }
    prefix_expand = saved;
    pg_same(pgs, lite, (struct mld_search){.text = "Erdbeben OR Kohl OR Rekord", .limit = 2},
            "page 1 of 2");
    pg_same(pgs, lite,
            (struct mld_search){.text = "Erdbeben OR Kohl OR Rekord", .limit = 2, .offset = 2},
            "page 2");
    pg_same(pgs, lite, (struct mld_search){.text = "Bundesliga", .section_slug = "sport"},
            "a section");
    pg_same(pgs, lite, (struct mld_search){.text = "Krieg", .topic_slug = "ukraine"}, "a topic");
    pg_same(pgs, lite,
            (struct mld_search){.text = "Erdbeben OR Kohl",
                                .from = iso("2026-03-04T00:00:00Z"),
                                .to = iso("2026-03-05T00:00:00Z")},
            "a date range");
    int64_t window = search_window;
    search_window = 3; /* many windows */
    pg_same(pgs, lite, (struct mld_search){.text = "die"}, "\"die\" in windows of 3 ids");
    search_window = window;

    /* Changes: a withdrawal, a new headline, a savepoint rolled back. */
    rc = pg_begin(pgs->db.pg, &err);
    if (rc == 0)
        rc = pg_run(pgs->db.pg,
                    "UPDATE article SET pubstatus = 2 WHERE id = (SELECT min(id) FROM article); "
                    "UPDATE article SET headline = 'Zugspitze im Nebel' "
                    "WHERE id = (SELECT max(id) FROM article); "
                    "SAVEPOINT one; UPDATE article SET headline = 'Zebrastreifen' "
                    "WHERE id = (SELECT max(id) FROM article); ROLLBACK TO one",
                    "change", &err);
    rc = rc == 0 ? pg_commit_txn(pgs) : rc;
    ok(rc == 0, "PostgreSQL: articles changed %s", rc ? err.msg : "");
    pg_index_is_exact(pgs, "after changes");
    struct mld_buf v;
    mld_buf_init(&v, 1u << 20);
    dump_sql(&pgs->db,
             "SELECT term FROM search_vocab WHERE term IN ('nebel', 'zebrastreif', "
             "'zebrastreifen') ORDER BY term",
             &v);
    is_str(v.p != NULL ? v.p : "", "nebel|\n",
           "PostgreSQL: the new headline is indexed, the rolled back one not");
    mld_buf_dispose(&v);
    /* A text of more distinct words than a tsvector holds (1 MB of
     * terms): the commit succeeds, the article keeps its other words. */
    rc = pg_begin(pgs->db.pg, &err);
    if (rc == 0)
        rc = pg_run(pgs->db.pg,
                    "UPDATE article SET body_text = (SELECT string_agg(md5(CAST(g AS TEXT)), ' ') "
                    "FROM generate_series(1, 40000) g) WHERE headline LIKE 'Hochwasser%'",
                    "a long text", &err);
    rc = rc == 0 ? pg_commit_txn(pgs) : rc;
    ok(rc == 0, "PostgreSQL: a text past a tsvector's size is indexed %s", rc ? err.msg : "");
    struct mld_buf hw;
    mld_buf_init(&hw, 1u << 20);
    pg_search_dump(pgs, (struct mld_search){.text = "Hochwasser"}, &hw);
    ok(strstr(hw.p, "rc 0") == hw.p && strchr(hw.p, '\n')[1] != '\0',
       "  and found by its headline");
    mld_buf_dispose(&hw);
    pg_index_is_exact(pgs, "after a text past a tsvector's size");
    /* A reader's session (read-only) opening an index built for another
     * analyzer searches it as it is: the rebuild is left to a writer. */
    rc = pg_run(pgs->db.pg,
                "INSERT INTO meta (key, value) VALUES ('" META_SIGNATURE "', 'old-analyzer') "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                "signature", &err);
    struct pg ro;
    struct sq ros = {.db = {.pg = &ro}, .path = "reader"};
    rc = rc == 0 ? pg_connect(&ro, pg_test_url, true, &err) : rc;
    rc = rc == 0 ? sq_search_register(&ros, &err) : rc;
    rc = rc == 0 ? sq_search_open(&ros, &err) : rc;
    ok(rc == 0, "PostgreSQL: a reader opens an index of another analyzer %s", rc ? err.msg : "");
    struct mld_buf sig;
    mld_buf_init(&sig, 4096);
    dump_sql(&pgs->db, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'", &sig);
    is_str(sig.p, "old-analyzer|\n", "  and leaves its rebuild to a writer");
    mld_buf_dispose(&sig);
    sq_raw_close(&ros);
    pg_disconnect(&ro);
    /* An article changed outside a transaction waits for the next commit. */
    rc = pg_run(pgs->db.pg,
                "UPDATE article SET pubstatus = 2 WHERE id = (SELECT max(id) "
                "FROM article)",
                "withdraw", &err);
    rc = rc == 0 ? pg_begin(pgs->db.pg, &err) : rc;
    rc = rc == 0 ? pg_commit_txn(pgs) : rc;
    pg_index_is_exact(pgs, "after a change outside a transaction");
}

/* Finalizes the statements of a connection made in a test and frees its
 * search state (what sq_close does for a store's). */
static void
sq_raw_close(struct sq *s)
{
    for (int i = 0; i < s->nslots; i++)
        sql_finalize(*s->slots[i]);
    mld_free(s->slots);
    s->slots = NULL;
    s->nslots = 0;
    sq_search_close(s);
}

/* A connection of its own to the test's PostgreSQL store with the
 * search's state, as raw_open() is on SQLite; pg_raw_close() closes it. */
static struct sq *
pg_raw_open(void)
{
    struct mld_err err = {0};
    struct sq *s = MLD_NEW(struct sq);
    s->db.pg = MLD_NEW(struct pg);
    s->path = mld_test_dbpath;
    if (pg_connect(s->db.pg, mld_test_dbpath, false, &err) != 0 || sq_search_register(s, &err) != 0) {
        diag("%s", err.msg);
        exit(1);
    }
    return s;
}

static void
pg_raw_close(struct sq *s)
{
    sq_raw_close(s);
    pg_disconnect(s->db.pg);
    mld_free(s->db.pg);
    mld_free(s);
}

/* index_is_exact on PostgreSQL: the index equals a rebuild, and the
 * vocabulary holds each term with the articles that hold it. */
static void
pg_store_index_is_exact(const char *when)
{
    struct sq *s = pg_raw_open();
    pg_index_is_exact(s, when);
    struct mld_buf kept, counted;
    mld_buf_init(&kept, 64u << 20);
    mld_buf_init(&counted, 64u << 20);
    dump_sql(&s->db, "SELECT term, docs FROM search_vocab ORDER BY term", &kept);
    dump_sql(&s->db,
             "SELECT t COLLATE \"C\", count(*) FROM search_doc, "
             "unnest(tsvector_to_array(terms)) t GROUP BY 1 ORDER BY 1",
             &counted);
    ok(kept.len > 0 && kept.len == counted.len && memcmp(kept.p, counted.p, kept.len) == 0,
       "%s: the vocabulary equals the index's (%zu bytes)", when, kept.len);
    mld_buf_dispose(&kept);
    mld_buf_dispose(&counted);
    pg_raw_close(s);
}

/* On PostgreSQL a change of text outside a transaction is queued (the
 * server runs no meldung code to refuse it) and the next commit writes
 * it. */
static void
pg_outside_txn(struct mld_store *st)
{
    struct mld_err err = {0};
    struct sq *s = pg_raw_open();
    int rc = pg_run(s->db.pg,
                    "UPDATE article SET headline = 'Ohne Transaktion' WHERE urn = 'urn:t:brand'",
                    "update", &err);
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    dump_sql(&s->db, "SELECT count(*) FROM search_queue", &b);
    is_str(rc == 0 ? b.p : err.msg, "1|\n", "a text change outside a transaction is queued");
    mld_buf_dispose(&b);
    pg_raw_close(s);
    ok(mld_store_begin(st, &err) == 0 && mld_store_commit(st, &err) == 0, "the next commit %s",
       err.msg);
    finds(st, "Transaktion", "urn:t:brand");
    index_is_exact("after a change outside a transaction");
}

/* Wrecks the PostgreSQL index as an analyzer that tokenizes differently
 * would leave it (test_rebuild). */
static void
pg_wreck_index(void)
{
    struct mld_err err = {0};
    struct sq *s = pg_raw_open();
    int rc = pg_run(s->db.pg,
                    "UPDATE meta SET value = 'old-analyzer' WHERE key = '" META_SIGNATURE "'; "
                    "DELETE FROM search_doc WHERE id % 2 = 0; "
                    "UPDATE search_vocab SET docs = docs + 3",
                    "wreck the index", &err);
    pg_raw_close(s);
    ok(rc == 0, "an index of another analyzer %s", err.msg);
}

/* Appends the analyzer signature the test's store records to b. */
static void
pg_signature(struct mld_buf *b)
{
    struct sq *s = pg_raw_open();
    dump_sql(&s->db, "SELECT value FROM meta WHERE key = '" META_SIGNATURE "'", b);
    pg_raw_close(s);
}

/* What a search gives through the store, as text: hits (urn, score,
 * headline, snippet, marks), "more", the suggestion. */
static void
store_search_dump(struct mld_store *st, struct mld_search q, struct mld_buf *b)
{
    struct mld_hits h;
    int rc = run(st, q, &h);
    mld_buf_printf(b, "rc %d more %d suggestion %s\n", rc, rc == 0 && h.more,
                   rc == 0 && h.suggestion ? h.suggestion : "-");
    for (int i = 0; rc == 0 && i < h.n; i++) {
        mld_buf_printf(b, "%s %.12g %s | %s", h.v[i].item.a->urn, h.v[i].score,
                       h.v[i].item.a->headline, h.v[i].snippet);
        for (int k = 0; k < h.v[i].nmarks; k++)
            mld_buf_printf(b, " [%zu,%zu)", h.v[i].marks[k].start, h.v[i].marks[k].end);
        mld_buf_putc(b, '\n');
    }
    if (rc == 0)
        mld_hits_dispose(&h);
}

/* The fixture store (SQLite's, at mld_test_dbpath) copied to a new
 * database on the server of base (mld_store_copy: its index built by
 * PostgreSQL's own flush as the articles arrive) answers every query
 * as SQLite's does, through mld_store_search, entries and whole items. */
static void
test_pg_copied(const char *base)
{
    struct mld_err err = {0};
    char name[64], sql[256], url[1024];
    snprintf(name, sizeof(name), "t_search_copy_%d", (int)getpid());
    snprintf(url, sizeof(url), "%s%cdbname=%s", base, strchr(base, '?') ? '&' : '?', name);
    PGconn *admin = PQconnectdb(base);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    PQclear(PQexec(admin, sql));
    struct mld_copy_info info;
    int rc = mld_store_copy(mld_test_dbpath, url, NULL, NULL, &info, &err);
    struct mld_store *lite = NULL, *pg = NULL;
    rc = rc == 0 ? mld_store_open(&lite, mld_test_dbpath, &err) : rc;
    rc = rc == 0 ? mld_store_open(&pg, url, &err) : rc;
    ok(rc == 0, "PostgreSQL: the fixture store copied %s", rc ? err.msg : "");
    for (size_t i = 0; rc == 0 && i < NPGQ; i++) {
        struct mld_buf a, b;
        mld_buf_init(&a, 1u << 20);
        mld_buf_init(&b, 1u << 20);
        for (int entries = 0; entries < 2; entries++) {
            struct mld_search q = {.text = pg_queries[i], .entries = entries};
            store_search_dump(lite, q, &a);
            store_search_dump(pg, q, &b);
        }
        bool same = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
        ok(same, "PostgreSQL store: \"%s\" gives what SQLite's gives", pg_queries[i]);
        if (!same)
            diag("SQLite:\n%s\nPostgreSQL:\n%s", a.p, b.p);
        mld_buf_dispose(&a);
        mld_buf_dispose(&b);
    }
    if (lite != NULL)
        mld_store_close(lite);
    if (pg != NULL)
        mld_store_close(pg);
    snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name);
    PQclear(PQexec(admin, sql));
    PQfinish(admin);
}

/* Runs test_pg_search in a new database on the server of base (NULL:
 * none, a skip). */
static void
test_pg(const char *base)
{
    if (base == NULL) {
        printf("ok %d # SKIP PostgreSQL: no server (MELDUNG_TEST_PG; make check PG=1)\n",
               ++mld_test_n_);
        return;
    }
    struct mld_err err = {0};
    struct pg p;
    char name[64], sql[256], url[1100], rawurl[1024];
    snprintf(name, sizeof(name), "t_search_pg_%d", (int)getpid());
    snprintf(rawurl, sizeof(rawurl), "%s%cdbname=%s", base, strchr(base, '?') ? '&' : '?', name);
    snprintf(url, sizeof(url), "%s&options=-csearch_path%%3Dpublic,standin", rawurl);
    /* The database, and the stand-in in it before the migrations run. */
    PGconn *admin = PQconnectdb(base);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    PGresult *r = PQexec(admin, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0)
        diag("create database: %s", PQerrorMessage(admin));
    PQclear(r);
    if (rc == 0) {
        PGconn *c = PQconnectdb(rawurl);
        r = PQexec(c, standin_sql);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
        if (rc != 0)
            diag("stand-in: %s", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
    }
    rc = rc == 0 ? pg_connect(&p, url, false, &err) : rc;
    pg_test_url = url;
    ok(rc == 0, "PostgreSQL: a database of its own, migrated %s", rc ? err.msg : "");
    if (rc != 0) {
        PQfinish(admin);
        return;
    }
    struct sq pgs = {.db = {.pg = &p}, .path = name};
    struct sq lite = {.db = {.lite = NULL}, .path = mld_test_dbpath};
    sqlite3_open(mld_test_dbpath, &lite.db.lite);
    rc = sq_search_register(&pgs, &err);
    rc = rc == 0 ? sq_search_register(&lite, &err) : rc;
    rc = rc == 0 ? sq_pack_register(&lite, &err) : rc;
    rc = rc == 0 ? sq_search_open(&lite, &err) : rc;
    if (rc != 0)
        diag("open: %s", err.msg);
    test_pg_search(&pgs, &lite);
    sq_raw_close(&pgs);
    sq_raw_close(&lite);
    sqlite3_close(lite.db.lite);
    pg_disconnect(&p);
    snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name);
    PQclear(PQexec(admin, sql));
    PQfinish(admin);
}

int
main(void)
{
    mld_log_set_level(MLD_LOG_WARN); /* the rebuilds' info lines */
    /* make check PG=1: PostgreSQL's search is compared with SQLite's on
     * the fixtures first; then, when this build's PostgreSQL schema holds
     * the store's tables, every test runs again on a PostgreSQL store
     * (the checks of FTS5's own records skip). */
    char *pg = mld_test_pg() != NULL ? mld_strdup(mld_test_pg()) : NULL;
    bool on_pg = pg != NULL && pg_store_schema();
    unsetenv("MELDUNG_TEST_PG");
    struct mld_store *st = fixture_store();
    index_is_exact("fixtures");
    test_pg(pg);
    if (on_pg) {
        test_pg_copied(pg);
        mld_store_close(st);
        mld_test_store_remove();
        setenv("MELDUNG_TEST_PG", pg, 1);
        st = fixture_store();
        index_is_exact("fixtures on PostgreSQL");
    }
    mld_free(pg);
    if (on_pg)
        skip_on_pg("mld_rank is FTS5's function (PostgreSQL's scores are compared above)");
    else
        test_rank();
    test_language(st);
    test_syntax(st);
    test_filters(st);
    test_ranking_paging(st);
    test_hits(st);
    test_entries(st);
    if (on_pg)
        skip_on_pg("PostgreSQL always plans its terms (the plan writes its tsquery)");
    else
        test_plan(st);
    if (on_pg)
        skip_on_pg("mld_snippet stands in for FTS5's snippet() (compared above)");
    else
        test_snippet_fn();
    test_changes(st);
    test_queue(st);
    test_offered(st);
    test_suggestion(st);
    test_rebuild(st);
    test_windows();
    test_corpus();
    mld_test_store_remove();
    return mld_test_done();
}
