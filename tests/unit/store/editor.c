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

int
main(void)
{
    mld_test_pg_store_ready();
    struct mld_store *st = mld_test_store_fresh("editor");
    test_decisions(st);
    test_accounts(st);
    test_audit(st);
    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
