/*
 * Tests for the editors' store (sqlite_editor.c, editor.h) and the
 * actions on top of it (src/web/editorial.c): decisions that win over
 * later agency versions and never touch the versions, unhide restoring
 * the agency's status, change keys, the rules of each action, accounts,
 * sessions (expiry, deleted with their account) and the audit log's
 * paging.
 */
#include "../../../src/store/sqlite_editor.c"
#include "../../../src/web/editorial.c"

#include "../../../src/base/mem.h"
#include "store_test.h"

#include "pg_migrations.h" /* beside store_test.h's SQLite ones */

static struct mld_article *
art(const char *urn, int64_t version, mld_time_t created, const char *headline,
    enum mld_pubstatus status)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = created;
    a->updated = created;
    a->headline = mld_strdup(headline);
    a->section = mld_strdup("Politik");
    a->pubstatus = status;
    return a;
}

/* The shown status of article id. */
static int
shown(struct mld_store *st, int64_t id)
{
    struct mld_item it;
    struct mld_err err = {0};
    if (mld_store_get(st, id, &it, &err) != 0)
        return -1;
    int s = (int)it.a->pubstatus;
    mld_item_dispose(&it);
    return s;
}

/* Collects change keys into a ", "-joined string. */
static void
collect_key(void *ud, const char *key)
{
    char *s = ud;
    size_t n = strlen(s);
    snprintf(s + n, 1024 - n, "%s%s", n ? ", " : "", key);
}

static void
test_decisions(struct mld_store *st)
{
    const mld_time_t t0 = 1769900000;
    struct mld_err err = {0};
    int64_t id = mld_test_put(st, art("urn:test:1", 1, t0, "Erste Fassung", MLD_PUB_USABLE));
    int64_t other = mld_test_put(st, art("urn:test:2", 1, t0, "Eine andere", MLD_PUB_USABLE));
    int64_t seq;
    char keys[1024] = "";
    mld_store_changes(st, 0, collect_key, keys, &seq, &err);

    is_int(mld_editorial_act(st, id, MLD_ACT_WITHDRAW, "Gericht", "anna", t0 + 10, &err), 0,
           "withdraw");
    is_int(shown(st, id), MLD_PUB_CANCELED, "withdrawn: the shown row reads canceled");
    keys[0] = '\0';
    mld_store_changes(st, seq, collect_key, keys, &seq, &err);
    ok(strstr(keys, "a:1") && strstr(keys, "s:politik") && strstr(keys, "all"),
       "withdraw logs the article's change keys (%s)", keys);

    /* A later agency version is stored but does not bring the article back. */
    mld_test_put(st, art("urn:test:1", 2, t0 + 100, "Zweite Fassung", MLD_PUB_USABLE));
    is_int(shown(st, id), MLD_PUB_CANCELED, "a later agency version: still withdrawn");
    struct mld_ed_version *v;
    int n;
    ok(mld_store_ed_versions(st, id, &v, &n, &err) == 0 && n == 2, "both versions kept");
    ok(n == 2 && v[0].pubstatus == MLD_PUB_USABLE && v[1].pubstatus == MLD_PUB_USABLE &&
           strcmp(v[1].headline, "Zweite Fassung") == 0 && v[1].applied,
       "the versions are the agency's, unaltered");
    mld_ed_versions_free(v, n);
    struct mld_items l = {0};
    struct mld_query q = {.now = t0 + 1000, .limit = 10};
    mld_store_list(st, &q, &l, &err);
    ok(l.n == 1 && l.v[0].id == other, "the withdrawn article is in no list");
    mld_items_dispose(&l);

    is_int(mld_editorial_act(st, id, MLD_ACT_WITHDRAW, "noch mal", "anna", t0, &err),
           MLD_E_INVAL, "a second withdrawal is refused");
    is_int(mld_editorial_act(st, id, MLD_ACT_HOLD, NULL, "anna", t0, &err), MLD_E_INVAL,
           "holding a withdrawn article is refused");
    is_int(mld_editorial_act(st, other, MLD_ACT_WITHDRAW, " \n", "anna", t0, &err), MLD_E_INVAL,
           "a blank reason is refused");
    ok(strstr(err.msg, "reason missing") != NULL, "... saying so (%s)", err.msg);
    is_int(mld_editorial_act(st, 999, MLD_ACT_HOLD, NULL, "anna", t0, &err), MLD_E_NOTFOUND,
           "an unknown article");

    /* Held, then the agency withdraws, then released: the agency's status. */
    is_int(mld_editorial_act(st, other, MLD_ACT_RELEASE, NULL, "anna", t0, &err), MLD_E_INVAL,
           "release of a shown article is refused");
    is_int(mld_editorial_act(st, other, MLD_ACT_HOLD, "", "anna", t0, &err), 0, "hold");
    is_int(shown(st, other), MLD_PUB_WITHHELD, "held: the shown row reads withheld");
    bool more = false;
    struct mld_ed_row *rows = NULL;
    int nrows = 0;
    is_int(mld_store_ed_latest(st, true, 10, 0, &rows, &nrows, &more, &err), 0, "the held queue");
    ok(nrows == 1 && rows[0].id == other && rows[0].state == MLD_ED_HELD &&
           strcmp(rows[0].by, "anna") == 0 && rows[0].reason == NULL,
       "... lists the held article, by whom, without a reason");
    mld_ed_rows_free(rows, nrows);
    is_int(mld_editorial_act(st, other, MLD_ACT_HOLD, NULL, "anna", t0, &err), MLD_E_INVAL,
           "holding it again is refused");
    mld_test_put(st, art("urn:test:2", 2, t0 + 200, "Eine andere, zurückgezogen", MLD_PUB_CANCELED));
    is_int(shown(st, other), MLD_PUB_WITHHELD, "an agency version while held: still held");
    is_int(mld_editorial_act(st, other, MLD_ACT_RELEASE, NULL, "anna", t0, &err), 0, "release");
    is_int(shown(st, other), MLD_PUB_CANCELED, "released: the agency's newest status (canceled)");

    /* A held item released; the agency's later withdrawal still withdraws it. */
    struct mld_article *h = art("urn:test:4", 1, t0, "Achtung: Termin", MLD_PUB_HELD);
    int64_t hid = mld_test_put(st, h);
    is_int(shown(st, hid), MLD_PUB_HELD, "a held item");
    is_int(mld_editorial_act(st, other, MLD_ACT_RELEASE, NULL, "anna", t0, &err), MLD_E_INVAL,
           "release of an item the agency does not hold back is refused");
    is_int(mld_editorial_act(st, hid, MLD_ACT_RELEASE, NULL, "anna", t0, &err), 0, "release");
    is_int(shown(st, hid), MLD_PUB_USABLE, "released: shown");
    mld_test_put(st, art("urn:test:4", 2, t0 + 50, "Achtung: Termin verschoben", MLD_PUB_HELD));
    is_int(shown(st, hid), MLD_PUB_USABLE, "a later held version: still released");
    mld_test_put(st, art("urn:test:4", 3, t0 + 60, "Achtung: abgesagt", MLD_PUB_CANCELED));
    is_int(shown(st, hid), MLD_PUB_CANCELED, "the agency's withdrawal withdraws a released item");

    /* The pins, in order. */
    int64_t *pins = NULL;
    int npins = -1;
    ok(mld_store_pins(st, &pins, &npins, &err) == 0 && npins == 0, "no pin at first");
    is_int(mld_editorial_act(st, other, MLD_ACT_PIN, NULL, "anna", t0, &err), MLD_E_INVAL,
           "a withdrawn article cannot be pinned");
    is_int(mld_editorial_act(st, hid, MLD_ACT_UNPIN, NULL, "anna", t0, &err), MLD_E_INVAL,
           "unpin of an article not pinned is refused");
    mld_store_changes(st, 0, collect_key, keys, &seq, &err);
    is_int(mld_store_pin_set(st, id, 1, "anna", t0, &err), 0, "pin");
    keys[0] = '\0';
    mld_store_changes(st, seq, collect_key, keys, &seq, &err);
    is_str(keys, "all", "a pin logs the home page's key");
    int64_t p2 = mld_test_put(st, art("urn:test:5", 1, t0, "Zweiter", MLD_PUB_USABLE));
    int64_t p3 = mld_test_put(st, art("urn:test:6", 1, t0, "Dritter", MLD_PUB_USABLE));
    is_int(mld_store_pin_set(st, p2, 9, "anna", t0, &err), 0, "pin past the end");
    is_int(mld_store_pin_set(st, p3, 1, "anna", t0, &err), 0, "pin at place 1");
    int place = 0;
    ok(mld_editorial_pin_pos(st, p2, &place, &err) == 0 && place == 3,
       "past the end lands last, moved down by the new lead");
    is_int(mld_store_pin_set(st, p2, 1, "anna", t0, &err), 0, "a pinned one moves to place 1");
    ok(mld_store_pins(st, &pins, &npins, &err) == 0 && npins == 3 && pins[0] == p2 &&
           pins[1] == p3 && pins[2] == id,
       "the order: moved one, then the others in theirs");
    mld_free(pins);
    is_int(mld_store_pin_set(st, 999, 1, "anna", t0, &err), MLD_E_NOTFOUND, "pinning no article");
    is_int(mld_store_pin_set(st, p3, 0, "anna", t0, &err), 0, "unpin");
    ok(mld_store_pins(st, &pins, &npins, &err) == 0 && npins == 2 && pins[0] == p2 &&
           pins[1] == id,
       "the others close up");
    mld_free(pins);
    ok(mld_editorial_pin_pos(st, p3, &place, &err) == 0 && place == 0, "unpinned: no place");

    /* Correction notes outlive updates. */
    int64_t c = mld_test_put(st, art("urn:test:3", 1, t0, "Korrigiert", MLD_PUB_USABLE));
    is_int(mld_editorial_act(st, c, MLD_ACT_CORRECT, "Name falsch", "cli", t0 + 5, &err), 0,
           "correct");
    mld_test_put(st, art("urn:test:3", 2, t0 + 300, "Korrigiert, neu", MLD_PUB_USABLE));
    struct mld_editorial ed;
    ok(mld_store_editorial_get(st, c, &ed, &err) == 0 && ed.nnotes == 1 &&
           strcmp(ed.notes[0].note, "Name falsch") == 0 && ed.notes[0].at == t0 + 5 &&
           ed.state == MLD_ED_NONE,
       "the note outlives an agency update, the article stays shown");
    mld_editorial_dispose(&ed);
    is_int(shown(st, c), MLD_PUB_USABLE, "a corrected article is shown");
}

static void
test_accounts(struct mld_store *st)
{
    struct mld_err err = {0};
    const mld_time_t now = 1769900000;
    is_int(mld_store_account_add(st, "anna", MLD_ROLE_EDITOR, "$h1", now, &err), 0, "add");
    is_int(mld_store_account_add(st, "anna", MLD_ROLE_ADMIN, "$h2", now, &err), MLD_E_INVAL,
           "a taken name");
    struct mld_account a;
    ok(mld_store_account_get(st, "anna", &a, &err) == 0 && a.role == MLD_ROLE_EDITOR &&
           strcmp(a.pw_hash, "$h1") == 0,
       "get");
    mld_store_account_attempt(st, a.id, true, now + 1, &err);
    mld_store_account_attempt(st, a.id, true, now + 2, &err);
    int64_t aid = a.id;
    mld_account_dispose(&a);
    ok(mld_store_account_get(st, "anna", &a, &err) == 0 && a.failures == 2 &&
           a.last_failure == now + 2,
       "failures counted");
    mld_account_dispose(&a);
    mld_store_account_attempt(st, aid, false, now + 3, &err);
    ok(mld_store_account_get(st, "anna", &a, &err) == 0 && a.failures == 0, "a success resets");
    mld_account_dispose(&a);

    is_int(mld_store_session_add(st, "h-live", aid, "csrf1", now, now + 100, &err), 0,
           "session added");
    struct mld_session s;
    ok(mld_store_session_get(st, "h-live", now + 50, &s, &err) == 0 &&
           strcmp(s.name, "anna") == 0 && strcmp(s.csrf, "csrf1") == 0,
       "session found while alive");
    mld_session_dispose(&s);
    is_int(mld_store_session_get(st, "h-live", now + 100, &s, &err), MLD_E_NOTFOUND,
           "an expired session is not found");
    mld_store_session_add(st, "h-2", aid, "csrf2", now, now + 1000, &err);
    is_int(mld_store_account_passwd(st, "anna", "$h3", &err), 0, "passwd");
    is_int(mld_store_session_get(st, "h-2", now, &s, &err), MLD_E_NOTFOUND,
           "passwd ends the sessions");
    mld_store_session_add(st, "h-3", aid, "csrf3", now, now + 1000, &err);
    is_int(mld_store_account_del(st, "anna", &err), 0, "del");
    is_int(mld_store_session_get(st, "h-3", now, &s, &err), MLD_E_NOTFOUND,
           "del takes the sessions along");
    is_int(mld_store_account_del(st, "anna", &err), MLD_E_NOTFOUND, "del of an unknown name");
    is_int(mld_store_account_passwd(st, "niemand", "$x", &err), MLD_E_NOTFOUND,
           "passwd of an unknown name");
}

static void
test_audit(struct mld_store *st)
{
    struct mld_err err = {0};
    struct mld_audit *v;
    int n;
    bool more;
    int before = 0;
    while (mld_store_audit(st, 1, before, &v, &n, &more, &err) == 0 && n == 1) {
        mld_audit_free(v, n);
        before++;
    }
    mld_audit_free(v, n);
    ok(before >= 4, "the actions above are in the audit log (%d lines)", before);
    for (int i = 0; i < 5; i++) {
        char t[16];
        snprintf(t, sizeof(t), "t%d", i);
        mld_store_audit_add(st, "x", "test", t, NULL, NULL, 100 + i, &err);
    }
    ok(mld_store_audit(st, 3, 0, &v, &n, &more, &err) == 0 && n == 3 && more &&
           strcmp(v[0].target, "t4") == 0 && strcmp(v[2].target, "t2") == 0,
       "newest first, a page of 3, more follow");
    mld_audit_free(v, n);
    ok(mld_store_audit(st, 3, 3 + before - 1, &v, &n, &more, &err) == 0 && n == 3 && !more,
       "the last page");
    mld_audit_free(v, n);
    is_int(mld_store_audit(st, 0, 0, &v, &n, &more, &err), MLD_E_INVAL, "a bad page");
}

/* A body of about n bytes (long ones are stored packed), saying word. */
static char *
long_body(const char *word, size_t n)
{
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    mld_buf_puts(&b, "<p>");
    for (unsigned i = 0; b.len < n; i++)
        mld_buf_printf(&b, "%s %u, Satz %u. ", word, i * 7919u % 1000u, i);
    mld_buf_puts(&b, "</p>");
    char *out = mld_strndup(b.p, b.len);
    mld_buf_dispose(&b);
    return out;
}

/* Checks that the versions of article id say want[0..n) (NULL: no body)
 * in order of arrival, their headlines and applied flags too. */
static void
check_versions(struct mld_store *st, int64_t id, char *const *want, const int *applied, int n,
               const char *when)
{
    struct mld_ed_version *v = NULL;
    int got = 0;
    struct mld_err err = {0};
    if (!ok(mld_store_ed_versions(st, id, &v, &got, &err) == 0 && got == n,
            "%s: %d versions (%d) %s", when, n, got, err.msg))
        n = got < n ? got : n;
    bool same = true;
    for (int i = 0; i < n; i++) {
        bool body = want[i] == NULL ? v[i].body_html == NULL
                                    : v[i].body_html != NULL && strcmp(v[i].body_html, want[i]) == 0;
        if (!body || v[i].applied != (applied[i] != 0)) {
            diag("version %d: body %s, applied %d", i + 1, body ? "as sent" : "differs",
                 v[i].applied);
            same = false;
        }
    }
    ok(same, "%s: every version's body as it was sent", when);
    mld_ed_versions_free(v, got);
}

/* The store's count of version rows whose body is NULL. */
static int64_t
bodiless(struct mld_store *st)
{
    const struct mld_store_backend *be;
    struct sq *s = mld_store_impl(st, &be);
    int64_t n = -1;
    struct mld_err err = {0};
    if (sq_one(s, "SELECT count(*) FROM version WHERE body_html IS NULL", NULL, &n, NULL, &err))
        diag("count: %s", err.msg);
    return n;
}

/* The shown version's body is stored once, in the article row: every
 * version still reads as sent, after each arrival, an older one, a
 * withdrawal without body, an embargo, a re-delivery and an editor's
 * withdrawal. */
static void
test_version_bodies(struct mld_store *st)
{
    const mld_time_t t0 = 1769990000;
    struct mld_err err = {0};
    char *b[6] = {long_body("Erste", 3000), long_body("Zweite", 3000), "<p>Kurz, dritte.</p>",
                  NULL, long_body("Fünfte", 4000), long_body("Ältere", 3000)};
    char *want[8];
    int applied[8];
    int n = 0;
    int64_t before = bodiless(st);
    struct mld_article *a = art("urn:test:bodies", 1, t0, "Fassung", MLD_PUB_USABLE);
    a->body_html = mld_strdup(b[0]);
    int64_t id = mld_test_put(st, a);
    want[n] = b[0], applied[n++] = 1;
    check_versions(st, id, want, applied, n, "first");
    is_int(bodiless(st) - before, 1, "... its body stored once, in the article");

    a = art("urn:test:bodies", 3, t0 + 60, "Fassung", MLD_PUB_USABLE);
    a->body_html = mld_strdup(b[1]);
    mld_test_put(st, a);
    want[n] = b[1], applied[n++] = 1;
    check_versions(st, id, want, applied, n, "second");

    a = art("urn:test:bodies", 2, t0 + 30, "Fassung", MLD_PUB_USABLE); /* arrives late */
    a->body_html = mld_strdup(b[5]);
    mld_test_put(st, a);
    want[n] = b[5], applied[n++] = 0;
    check_versions(st, id, want, applied, n, "an older version");

    a = art("urn:test:bodies", 4, t0 + 90, "Fassung", MLD_PUB_USABLE);
    a->body_html = mld_strdup(b[2]);
    a->embargo = t0 + 3600;
    mld_test_put(st, a);
    want[n] = b[2], applied[n++] = 1;
    check_versions(st, id, want, applied, n, "an embargoed short body");

    a = art("urn:test:bodies", 5, t0 + 120, "Fassung", MLD_PUB_CANCELED); /* no body */
    mld_test_put(st, a);
    want[n] = NULL, applied[n++] = 1;
    check_versions(st, id, want, applied, n, "a withdrawal without body");

    a = art("urn:test:bodies", 1, t0 - 60, "Fassung", MLD_PUB_USABLE); /* older, no body */
    mld_test_put(st, a);
    want[n] = NULL, applied[n++] = 0;
    check_versions(st, id, want, applied, n, "an older version without body");

    a = art("urn:test:bodies", 6, t0 + 180, "Fassung", MLD_PUB_USABLE);
    a->body_html = mld_strdup(b[4]);
    mld_test_put(st, a);
    want[n] = b[4], applied[n++] = 1;
    check_versions(st, id, want, applied, n, "usable again");
    struct mld_item it;
    if (ok(mld_store_get(st, id, &it, &err) == 0, "the article reads")) {
        is_str(it.a->body_html, b[4], "... with the newest body");
        mld_item_dispose(&it);
    }

    a = art("urn:test:bodies", 6, t0 + 180, "Fassung", MLD_PUB_USABLE);
    a->body_html = mld_strdup(b[4]);
    enum mld_put_result r;
    int64_t got_id;
    is_int(mld_store_put(st, a, &r, &got_id, &err), 0, "the same version again");
    mld_article_free(a);
    is_int(r, MLD_PUT_DUPLICATE, "... is a duplicate");
    is_int(mld_editorial_act(st, id, MLD_ACT_WITHDRAW, "Rechte", "anna", t0 + 200, &err), 0,
           "an editor withdraws it");
    check_versions(st, id, want, applied, n, "re-delivered, withdrawn by an editor");
    /* Stored once: the shown version's row and the two without body. */
    is_int(bodiless(st) - before, 3, "only the shown version's body is the article's");

    /* A store of before SQLite's 0021 (PostgreSQL's 0006) kept a copy in
     * the shown version's row: the migration clears it, and only it. */
    const struct mld_store_backend *be;
    struct sq *s = mld_store_impl(st, &be);
    is_int(sq_exec(s,
                   "UPDATE version SET body_html = (SELECT body_html FROM article "
                   "WHERE article.id = version.article_id) WHERE body_html IS NULL AND id = "
                   "(SELECT max(w.id) FROM version w WHERE w.article_id = version.article_id "
                   "AND w.applied = 1)",
                   &err),
           0, "as an older store: the shown version's body copied into its row");
    is_int(bodiless(st) - before, 2, "... which keeps a body again");
    check_versions(st, id, want, applied, n, "a copy in the shown version's row");
    const struct mld_migration *m = sql_pg(&s->db) ? pg_migrations : mld_migrations;
    size_t nm = sql_pg(&s->db) ? sizeof(pg_migrations) / sizeof(pg_migrations[0])
                               : sizeof(mld_migrations) / sizeof(mld_migrations[0]);
    const char *name = sql_pg(&s->db) ? "0006_version_body" : "0021_version_body";
    while (nm > 0 && strcmp(m[nm - 1].name, name) != 0)
        nm--;
    if (ok(nm > 0, "migration %s", name))
        is_int(sq_exec(s, m[nm - 1].sql, &err), 0, "... runs %s", err.msg);
    is_int(bodiless(st) - before, 3, "it clears the copy");
    check_versions(st, id, want, applied, n, "after the migration");
    for (int i = 0; i < 6; i++)
        if (i != 2)
            mld_free(b[i]);
}

int
main(void)
{
    mld_test_pg_store_ready();
    struct mld_store *st = mld_test_store_fresh("editor");
    test_decisions(st);
    test_accounts(st);
    test_audit(st);
    test_version_bodies(st);
    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
