/*
 * Tests for packed texts (src/store/sqlite_pack.c): mld_pack() and
 * mld_unpack() in SQL, what stays plain text, damaged values; bodies a
 * put stores packed (article and version) and reads back unchanged, also
 * through an editor's version list; a store of an older schema whose
 * plain bodies migration 0019 packs, and whose article rows 0020 rebuilds
 * (big columns last, the plain text packed) with the search index still
 * handed the text it indexed.
 */
#include "../../../src/store/sqlite_int.h"

#include <string.h>

#include "../../../src/base/buf.h"
#include "../../../src/base/mem.h"
#include "../../../src/ingest/article.h"
#include "../../../src/store/editor.h"
#include "store_test.h"

/* A body of about n bytes of HTML, German words in varying order. */
static char *
body(size_t n, unsigned seed)
{
    static const char *const words[] = {"Regierung", "Verhandlungen", "über", "die",
                                        "Zukunft", "des", "Hafens", "gehen", "weiter",
                                        "Bürgermeisterin", "sagte", "am", "Dienstag"};
    struct mld_buf b;
    mld_buf_init(&b, n + 64);
    mld_buf_puts(&b, "<p>");
    while (b.len < n) {
        seed = seed * 1103515245u + 12345u;
        mld_buf_printf(&b, "%s ", words[(seed >> 16) % 13]);
    }
    mld_buf_puts(&b, "</p>");
    char *out = mld_strndup(b.p, b.len);
    mld_buf_dispose(&b);
    return out;
}

/* Runs a one-value query with text arguments a1 (and a2 when not NULL);
 * returns column 0 as a string (mld_free), "(null)" for NULL. */
static char *
q1(sqlite3 *db, const char *sql, const char *a1)
{
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        diag("%s: %s", sql, sqlite3_errmsg(db));
        return mld_strdup("(error)");
    }
    if (a1 != NULL)
        sqlite3_bind_text(st, 1, a1, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        out = sqlite3_column_type(st, 0) == SQLITE_NULL
                  ? mld_strdup("(null)")
                  : mld_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out != NULL ? out : mld_strdup("(no row)");
}

/* Checks that q1(db, sql, arg) is want, and frees the answer. */
static void
is_q(sqlite3 *db, const char *sql, const char *arg, const char *want, const char *name)
{
    char *got = q1(db, sql, arg);
    is_str(got, want, "%s", name);
    mld_free(got);
}

static void
test_sql_functions(void)
{
    sqlite3 *db;
    sqlite3_open(":memory:", &db);
    struct sq s = {.db = {.lite = db}, .path = ":memory:"};
    struct mld_err err = {0};
    is_int(sq_pack_register(&s, &err), 0, "the functions register");
    char *long_text = body(3000, 1);
    is_q(db, "SELECT typeof(mld_pack(?1))", long_text, "blob", "a long text packs to a BLOB");
    is_q(db, "SELECT length(mld_pack(?1)) < length(?1)", long_text, "1", "... smaller");
    is_q(db, "SELECT mld_unpack(mld_pack(?1)) = ?1", long_text, "1", "... and unpacks to itself");
    is_q(db, "SELECT typeof(mld_pack(?1))", "<p>Kurz.</p>", "text", "a short text stays text");
    is_q(db, "SELECT mld_unpack(?1)", "<p>Kurz.</p>", "<p>Kurz.</p>", "... which unpacks as is");
    is_q(db, "SELECT typeof(mld_pack(NULL))", NULL, "null", "NULL stays NULL");
    is_q(db, "SELECT hex(mld_unpack(x'0102'))", NULL, "0102", "a BLOB of another kind unpacks as is");
    is_q(db, "SELECT mld_unpack(substr(mld_pack(?1), 1, 40)) = substr(mld_pack(?1), 1, 40)",
         long_text, "1", "a cut packed value does not unpack (returned as is)");
    /* A packed value cut short: sq_unpack says so. */
    size_t n = 0;
    ok(sq_unpack("\0mz\x05\0\0\0xx", 9, NULL, &n) == NULL, "a damaged stream is no text");
    ok(sq_unpack("plain text", 10, NULL, &n) == NULL, "text without the magic is not packed");
    /* A text packed against a dictionary (0022: the plain text against
     * the HTML body it repeats): smaller than packed alone, unpacked only
     * against that same dictionary, given packed or not. */
    char *html = mld_test_prose(3000, 8);
    char *text = mld_strndup(html + 3, strlen(html) - 7); /* no <p></p> */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT length(mld_pack(?2, ?1)) * 4 < length(mld_pack(?2)), "
                       "mld_unpack(mld_pack(?2, ?1), ?1) = ?2, "
                       "mld_unpack(mld_pack(?2, ?1), mld_pack(?1)) = ?2, "
                       "mld_unpack(mld_pack(?2, mld_pack(?1)), ?1) = ?2, "
                       "typeof(mld_unpack(mld_pack(?2, ?1))), "
                       "typeof(mld_unpack(mld_pack(?2, ?1), ?3)), "
                       "mld_unpack(mld_pack(?2), ?1) = ?2",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, html, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, long_text, -1, SQLITE_STATIC);
    if (ok(sqlite3_step(st) == SQLITE_ROW, "pack against a dictionary")) {
        is_int(sqlite3_column_int(st, 0), 1, "... under a quarter of the size packed alone");
        is_int(sqlite3_column_int(st, 1), 1, "... unpacks against it");
        is_int(sqlite3_column_int(st, 2), 1, "... also given it packed");
        is_int(sqlite3_column_int(st, 3), 1, "... packed against it given packed");
        is_str((const char *)sqlite3_column_text(st, 4), "blob",
               "... without it: not unpacked (returned as is)");
        is_str((const char *)sqlite3_column_text(st, 5), "blob", "... against another: neither");
        is_int(sqlite3_column_int(st, 6), 1, "a text packed alone unpacks whatever is offered");
    }
    sqlite3_finalize(st);
    mld_free(html);
    mld_free(text);
    mld_free(long_text);
    sq_pack_close(&s);
    sqlite3_close(db);
}

static struct mld_article *
art(const char *urn, int64_t version, char *html)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = 1769774400 + version;
    a->updated = a->version_created;
    a->headline = mld_strdup("Hafen bleibt offen");
    a->body_html = html;
    a->text = mld_strdup("Hafen bleibt offen");
    return a;
}

static void
test_put(void)
{
    struct mld_store *st = mld_test_store_fresh("pack");
    char *b1 = body(4000, 2), *b2 = mld_test_prose(5000, 3);
    char *keep1 = mld_strdup(b1), *keep2 = mld_strdup(b2);
    int64_t id = mld_test_put(st, art("urn:p:1", 1, b1));
    struct mld_article *v2 = art("urn:p:1", 2, b2);
    mld_free(v2->text);
    v2->text = mld_strndup(b2 + 3, strlen(b2) - 7); /* the body's words */
    char *text2 = mld_strdup(v2->text);
    mld_test_put(st, v2);
    struct mld_item it;
    struct mld_err err = {0};
    if (ok(mld_store_get(st, id, &it, &err) == 0, "the article reads")) {
        is_str(it.a->body_html, keep2, "its body as put (the newer version)");
        is_str(it.a->text, text2, "its text as put");
        mld_item_dispose(&it);
    }
    struct mld_ed_version *v = NULL;
    int n = 0;
    if (ok(mld_store_ed_versions(st, id, &v, &n, &err) == 0 && n == 2, "two versions: %s", err.msg)) {
        is_str(v[0].body_html, keep1, "the first version's body, unpacked");
        is_str(v[1].body_html, keep2, "the second's");
    }
    mld_ed_versions_free(v, n);
    /* An article page reads the plain text only to describe an article
     * without a teaser. */
    if (ok(mld_store_get_page(st, id, &it, &err) == 0, "the page read")) {
        is_str(it.a->text, text2, "without a teaser: with the text");
        is_str(it.a->body_html, keep2, "... and the body");
        mld_item_dispose(&it);
    }
    struct mld_article *t = art("urn:p:2", 1, body(3000, 7));
    t->teaser = mld_strdup("Der Hafen bleibt offen, sagt die Bürgermeisterin.");
    int64_t id2 = mld_test_put(st, t);
    if (ok(mld_store_get_page(st, id2, &it, &err) == 0, "the page read of one with a teaser")) {
        ok(it.a->text == NULL, "... leaves the text out");
        ok(it.a->body_html != NULL && strlen(it.a->body_html) > 3000, "... not the body");
        mld_item_dispose(&it);
    }
    if (ok(mld_store_get(st, id2, &it, &err) == 0, "the whole read of it")) {
        is_str(it.a->text, "Hafen bleibt offen", "... has the text");
        mld_item_dispose(&it);
    }
    mld_store_close(st);
    /* The file as it is, with the packing functions and no triggers (the
     * damage below is no edit for the index to follow). */
    sqlite3 *db;
    sqlite3_open(mld_test_dbpath, &db);
    struct sq raw = {.db = {.lite = db}, .path = mld_test_dbpath};
    is_int(sq_pack_register(&raw, &err), 0, "the packing functions on the file");
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    is_q(db, "SELECT group_concat(typeof(body_html)) FROM article", NULL, "blob,blob",
         "the articles' bodies are stored packed");
    is_q(db, "SELECT group_concat(typeof(body_html)) FROM version", NULL, "blob,null,null",
         "so is the older version's; the shown ones' are the articles' (0021)");
    is_q(db, "SELECT length(body_text) < 300 AND mld_unpack(body_text, body_html) = ?1 "
             "FROM article WHERE id = 1",
         text2, "1", "the text is stored packed against the body (0022)");
    /* Damaged on the disk: read as no body, never as its bytes. */
    is_int(sqlite3_exec(db, "UPDATE article SET body_html = substr(body_html, 1, 40) WHERE id = 1",
                        NULL, NULL, NULL),
           SQLITE_OK, "damage the body");
    sq_pack_close(&raw);
    sqlite3_close(db);
    st = mld_test_store_open();
    if (ok(mld_store_get(st, id, &it, &err) == 0, "a damaged body still reads")) {
        ok(it.a->body_html == NULL, "... as no body");
        ok(it.a->text == NULL, "... and no text, which was packed against it");
        mld_item_dispose(&it);
    }
    mld_store_close(st);
    mld_free(keep1);
    mld_free(keep2);
    mld_free(text2);
    mld_test_store_remove();
}

/* A store of schema 2 with plain bodies: 0019 packs them, reads give them
 * back unchanged. */
static void
test_migrate(void)
{
    sqlite3 *db = mld_test_store_schema("pack", 2);
    if (!ok(db != NULL, "create a schema 2 store"))
        return;
    char *html = body(3000, 4);
    char *sql = sqlite3_mprintf(
        "INSERT INTO article (urn, version, version_created, updated, pubstatus, embargo, "
        "visible_from, urgency, headline, slug, published, first_stored, story_id, story_key, "
        "body_html) VALUES ('urn:old', 1, 1769774400, 1769774400, 0, 0, 0, 3, 'Alt', 'alt', "
        "1769774400, 1769774400, 1, 'alt', %Q);"
        "INSERT INTO version (article_id, version, version_created, updated, pubstatus, embargo, "
        "headline, body_html, applied, stored_at) VALUES (1, 1, 1769774400, 1769774400, 0, 0, "
        "'Alt', %Q, 1, 1769774400);",
        html, html);
    struct mld_store *st = mld_test_store_upgrade(db, sql);
    sqlite3_free(sql);
    if (st == NULL)
        return;
    struct mld_err err = {0};
    struct mld_item it;
    if (ok(mld_store_get(st, 1, &it, &err) == 0, "the old article reads")) {
        is_str(it.a->body_html, html, "its body unchanged");
        mld_item_dispose(&it);
    }
    mld_store_close(st);
    sqlite3_open(mld_test_dbpath, &db);
    is_q(db, "SELECT typeof(body_html) || ',' || (SELECT typeof(body_html) FROM version) FROM article",
         NULL, "blob,null", "0019 packed the article's body, 0021 dropped the version's copy");
    sqlite3_close(db);
    mld_free(html);
    mld_test_store_remove();
}

/* Returns the number of hits of a search for text in st (-1 on error),
 * and the first one's snippet in *snippet (mld_free) when asked. */
static int
hits(struct mld_store *st, const char *text, char **snippet)
{
    struct mld_search q = {.text = text, .now = 1769774400 + 86400, .limit = 10};
    struct mld_hits h = {0};
    struct mld_err err = {0};
    if (mld_store_search(st, &q, &h, &err) != 0) {
        diag("search %s: %s", text, err.msg);
        return -1;
    }
    int n = h.n;
    if (snippet != NULL)
        *snippet = n > 0 && h.v[0].snippet != NULL ? mld_strdup(h.v[0].snippet) : NULL;
    mld_hits_dispose(&h);
    return n;
}

/* A store of schema 2 with a plain text, a topic and a version: 0020
 * rebuilds the row, packs the text (0022: against the body), keeps the
 * rows that refer to it, and the index (rebuilt through the view, then
 * updated through the triggers) finds what the text says, no more. */
static void
test_row(void)
{
    sqlite3 *db = mld_test_store_schema("row", 2);
    if (!ok(db != NULL, "create a schema 2 store"))
        return;
    char *text = body(2000, 5);
    text[strlen(text) - 4] = '\0'; /* no "</p>": the plain text */
    char *old = sqlite3_mprintf("%s Leuchtturmwärter", text + 3);
    char *sql = sqlite3_mprintf(
        "INSERT INTO article (urn, version, version_created, updated, pubstatus, embargo, "
        "visible_from, urgency, headline, slug, published, first_stored, story_id, story_key, "
        "body_text, body_html) VALUES ('urn:row', 1, 1769774400, 1769774400, 0, 0, 0, 3, "
        "'Hafen', 'hafen', 1769774400, 1769774400, 1, 'hafen', %Q, '<p>' || %Q || '</p>');"
        "INSERT INTO article_topic (article_id, rank, name, slug) VALUES (1, 0, 'Hamburg', "
        "'hamburg');"
        "INSERT INTO version (article_id, version, version_created, updated, pubstatus, embargo, "
        "headline, applied, stored_at) VALUES (1, 1, 1769774400, 1769774400, 0, 0, 'Hafen', 1, "
        "1769774400);",
        old, old);
    struct mld_store *st = mld_test_store_upgrade(db, sql);
    sqlite3_free(sql);
    if (st == NULL) {
        sqlite3_free(old);
        mld_free(text);
        return;
    }
    struct mld_err err = {0};
    struct mld_item it;
    if (ok(mld_store_get(st, 1, &it, &err) == 0, "the old article reads")) {
        is_str(it.a->text, old, "its text unchanged");
        ok(it.a->ntopics == 1 && strcmp(it.a->topics[0], "Hamburg") == 0, "its topic kept");
        mld_item_dispose(&it);
    }
    char *snip = NULL;
    is_int(hits(st, "Leuchtturmwärter", &snip), 1, "the index, rebuilt from the view, finds it");
    ok(snip != NULL && strstr(snip, "Leuchtturmwärter") != NULL, "... with the text as snippet: %s",
       snip != NULL ? snip : "(none)");
    mld_free(snip);
    /* A new version: the triggers hand FTS5 the old text to delete (as it
     * was indexed) and the new one. */
    char *fresh = sqlite3_mprintf("%s Seenotretter", text + 3);
    struct mld_article *a = art("urn:row", 2, body(1500, 6));
    mld_free(a->text);
    a->text = mld_strdup(fresh);
    mld_test_put(st, a);
    is_int(hits(st, "Leuchtturmwärter", NULL), 0, "the old text's word is gone from the index");
    is_int(hits(st, "Seenotretter", NULL), 1, "the new one's is in it");
    if (ok(mld_store_get(st, 1, &it, &err) == 0, "the article reads")) {
        is_str(it.a->text, fresh, "its new text");
        mld_item_dispose(&it);
    }
    mld_store_close(st);
    sqlite3_open(mld_test_dbpath, &db);
    is_q(db, "SELECT typeof(body_text) FROM article", NULL, "blob", "the text is stored packed");
    is_q(db, "SELECT count(*) FROM version WHERE article_id = 1", NULL, "2", "the versions kept");
    is_q(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('article') "
             "ORDER BY cid DESC LIMIT 3)",
         NULL, "body_text,body_html,aside_html", "the big columns come last");
    is_q(db, "SELECT count(*) FROM pragma_foreign_key_check", NULL, "0",
         "every reference to an article holds");
    is_q(db, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'article' AND type = 'trigger'",
         NULL, "7", "the article's triggers are back");
    sqlite3_close(db);
    sqlite3_free(old);
    sqlite3_free(fresh);
    mld_free(text);
    mld_test_store_remove();
}

/* Checks that the versions of article id have the bodies want[0..n)
 * (NULL: none), in order. */
static void
is_versions(struct mld_store *st, int64_t id, char *const *want, int n, const char *name)
{
    struct mld_ed_version *v = NULL;
    int got = 0;
    struct mld_err err = {0};
    bool same = mld_store_ed_versions(st, id, &v, &got, &err) == 0 && got == n;
    for (int i = 0; same && i < n; i++)
        same = want[i] == NULL ? v[i].body_html == NULL
                               : v[i].body_html != NULL && strcmp(v[i].body_html, want[i]) == 0;
    ok(same, "%s (%d versions) %s", name, got, err.msg);
    mld_ed_versions_free(v, got);
}

/* A store of schema 2 whose versions all keep their bodies: 0021 clears
 * the shown versions' copies of the article's body, and only those;
 * every version reads as before, also after a newer one arrives. */
static void
test_migrate_versions(void)
{
    sqlite3 *db = mld_test_store_schema("packv", 2);
    if (!ok(db != NULL, "create a schema 2 store"))
        return;
    char *h[6];
    for (int i = 0; i < 6; i++)
        h[i] = body(2000 + 300 * (size_t)i, 10 + (unsigned)i);
    /* 1: one version. 2: two applied and an older one that came last. 3:
     * a version row that says other than its article (kept as it is). */
    char *sql = sqlite3_mprintf(
        "INSERT INTO article (id, urn, version, version_created, updated, pubstatus, embargo, "
        "visible_from, urgency, headline, slug, published, first_stored, story_id, story_key, "
        "body_html) VALUES "
        "(1, 'urn:v1', 1, 1769774400, 1769774400, 0, 0, 0, 3, 'Eins', 'eins', 1769774400, "
        "1769774400, 1, 'eins', %Q), "
        "(2, 'urn:v2', 2, 1769774500, 1769774500, 0, 0, 0, 3, 'Zwei', 'zwei', 1769774400, "
        "1769774400, 2, 'zwei', %Q), "
        "(3, 'urn:v3', 1, 1769774400, 1769774400, 0, 0, 0, 3, 'Drei', 'drei', 1769774400, "
        "1769774400, 3, 'drei', %Q);"
        "INSERT INTO version (id, article_id, version, version_created, updated, pubstatus, "
        "embargo, headline, body_html, applied, stored_at) VALUES "
        "(1, 1, 1, 1769774400, 1769774400, 0, 0, 'Eins', %Q, 1, 1769774400), "
        "(2, 2, 1, 1769774400, 1769774400, 0, 0, 'Zwei', %Q, 1, 1769774400), "
        "(3, 2, 2, 1769774500, 1769774500, 0, 0, 'Zwei', %Q, 1, 1769774500), "
        "(4, 2, 1, 1769774300, 1769774300, 0, 0, 'Zwei', %Q, 0, 1769774600), "
        "(5, 3, 1, 1769774400, 1769774400, 0, 0, 'Drei', %Q, 1, 1769774400);",
        h[0], h[2], h[5], h[0], h[1], h[2], h[3], h[4]);
    struct mld_store *st = mld_test_store_upgrade(db, sql);
    sqlite3_free(sql);
    if (st == NULL)
        return;
    char *want1[] = {h[0]}, *want2[] = {h[1], h[2], h[3]}, *want3[] = {h[4]};
    is_versions(st, 1, want1, 1, "one version: reads as before");
    is_versions(st, 2, want2, 3, "two shown and an older one: read as before");
    is_versions(st, 3, want3, 1, "a version unlike its article: reads as before");
    sqlite3 *raw;
    sqlite3_open(mld_test_dbpath, &raw);
    is_q(raw, "SELECT group_concat(id) FROM version WHERE body_html IS NULL", NULL, "1,3",
         "0021 cleared the shown versions' copies, and only those");
    sqlite3_close(raw);
    /* A newer version of 2: the body its article showed goes back into
     * version 3's row. */
    struct mld_article *a = art("urn:v2", 3, body(2500, 20));
    char *h3 = mld_strdup(a->body_html);
    mld_test_put(st, a);
    char *want2b[] = {h[1], h[2], h[3], h3};
    is_versions(st, 2, want2b, 4, "a newer version after the migration: all read as sent");
    mld_store_close(st);
    mld_free(h3);
    for (int i = 0; i < 6; i++)
        mld_free(h[i]);
    mld_test_store_remove();
}

int
main(void)
{
    test_sql_functions();
    test_put();
    test_migrate();
    test_row();
    test_migrate_versions();
    return mld_test_done();
}
