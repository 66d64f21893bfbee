/*
 * Tests for the article API's store queries (store.h, "API"): the change
 * feed's rules at exact instants (new, updated, withdrawn; held, withheld
 * and embargoed articles unseen until visible; an article never visible
 * never reported withdrawn; stale versions silent; paging by limit
 * without repeats; a cursor from elsewhere refused), the cursor list with
 * ties of published, and the version table.
 */
#include "../../../src/store/store.c"

#include "store_test.h"

/* Base instant: 2026-01-10 12:00:00 UTC. */
#define T0 1768046400

static struct mld_store *st;

/* Stores version v of article "urn:api:NAME" created at T0 + at with
 * status s and embargo (0: none); returns its id. */
static int64_t
put(const char *name, int64_t v, long at, enum mld_pubstatus s, mld_time_t embargo)
{
    struct mld_article *a = mld_article_new();
    char urn[64], head[96];
    snprintf(urn, sizeof(urn), "urn:api:%s", name);
    snprintf(head, sizeof(head), "Meldung %s in Fassung %lld", name, (long long)v);
    a->urn = mld_strdup(urn);
    a->version = v;
    a->version_created = T0 + at;
    a->updated = a->version_created;
    a->pubstatus = s;
    a->embargo = embargo;
    a->headline = mld_strdup(head);
    a->section = mld_strdup(name[0] == 's' ? "Sport" : "Politik");
    enum mld_put_result res;
    int64_t id = 0;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &res, &id, &err) != 0)
        diag("put %s: %s", name, err.msg);
    mld_article_free(a);
    return id;
}

/* Reads the feed from *c at now (limit) and writes "new:ID updated:ID
 * withdrawn:ID" to out; moves *c on. Returns more. */
static bool
feed(struct mld_api_cursor *c, mld_time_t now, int limit, char *out, size_t size)
{
    struct mld_api_change *v;
    int n;
    bool more;
    struct mld_api_cursor next;
    struct mld_err err = {0};
    out[0] = '\0';
    if (mld_store_api_changes(st, c, now, limit, &v, &n, &next, &more, &err) != 0) {
        diag("changes: %s", err.msg);
        return false;
    }
    size_t at = 0;
    static const char *const kind[] = {"new", "updated", "withdrawn"};
    for (int i = 0; i < n && at < size; i++)
        at += (size_t)snprintf(out + at, size - at, "%s%s:%lld", i ? " " : "", kind[v[i].kind],
                               (long long)v[i].item.id);
    mld_api_changes_free(v, n);
    *c = next;
    return more;
}

static void
test_changes(void)
{
    struct mld_err err = {0};
    struct mld_api_cursor c;
    char got[512], want[512];
    ok(mld_store_api_head(st, T0, &c, &err) == 0 && c.seq == 0, "head of an empty store");
    feed(&c, T0, 20, got, sizeof(got));
    is_str(got, "", "nothing yet");

    int64_t a = put("a", 1, 0, MLD_PUB_USABLE, 0);
    feed(&c, T0 + 10, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)a);
    is_str(got, want, "a new article");

    put("a", 2, 20, MLD_PUB_USABLE, 0);
    feed(&c, T0 + 30, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "updated:%lld", (long long)a);
    is_str(got, want, "its update");

    int64_t b = put("b", 1, 40, MLD_PUB_HELD, 0);
    feed(&c, T0 + 50, 20, got, sizeof(got));
    is_str(got, "", "a held article: nothing");
    put("b", 2, 60, MLD_PUB_USABLE, 0);
    feed(&c, T0 + 70, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)b);
    is_str(got, want, "held, then usable: new");

    put("c", 1, 80, MLD_PUB_USABLE, 0);
    put("c", 2, 90, MLD_PUB_CANCELED, 0);
    feed(&c, T0 + 100, 20, got, sizeof(got));
    is_str(got, "", "stored and withdrawn between two polls: nothing");

    int64_t d = put("d", 1, 110, MLD_PUB_USABLE, T0 + 500);
    feed(&c, T0 + 120, 20, got, sizeof(got));
    is_str(got, "", "under embargo: nothing");
    feed(&c, T0 + 499, 20, got, sizeof(got));
    is_str(got, "", "still under embargo: nothing");
    feed(&c, T0 + 500, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)d);
    is_str(got, want, "the embargo ends: new");
    feed(&c, T0 + 600, 20, got, sizeof(got));
    is_str(got, "", "once");

    put("a", 3, 610, MLD_PUB_WITHHELD, 0);
    put("b", 1, 30, MLD_PUB_USABLE, 0); /* stale: older than version 2 */
    feed(&c, T0 + 620, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "withdrawn:%lld", (long long)a);
    is_str(got, want, "withheld after being visible: withdrawn; a stale version: nothing");

    /* An embargoed article stored after the cursor whose embargo already
     * ended is new from its version; an embargo ending later, from the
     * release part - and never both. */
    int64_t e = put("e", 1, 630, MLD_PUB_USABLE, T0 + 625);
    int64_t f = put("f", 1, 640, MLD_PUB_USABLE, T0 + 700);
    feed(&c, T0 + 650, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)e);
    is_str(got, want, "an embargo over before it was stored: new at once");
    feed(&c, T0 + 710, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)f);
    is_str(got, want, "the other when it ends");

    /* Paging: five new articles at limit 2. */
    int64_t g[5];
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "g%d", i);
        g[i] = put(name, 1, 720 + i, MLD_PUB_USABLE, 0);
    }
    put("g1", 2, 730, MLD_PUB_USABLE, 0); /* g1 twice: one change */
    char all[1024] = "";
    int pages = 0;
    bool more;
    do {
        more = feed(&c, T0 + 800, 2, got, sizeof(got));
        if (got[0] != '\0')
            snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", all[0] ? " " : "", got);
        pages++;
    } while (more && pages < 10);
    /* The first page ends at g1's first version and shows g1 as it is now
     * (version 2); the page that reaches version 2 says updated, for the
     * client has it. */
    snprintf(want, sizeof(want), "new:%lld new:%lld new:%lld new:%lld new:%lld updated:%lld",
             (long long)g[0], (long long)g[1], (long long)g[2], (long long)g[3], (long long)g[4],
             (long long)g[1]);
    is_str(all, want, "five new articles in order of arrival, a later version as updated");
    ok(pages >= 3, "in pages of two (%d pages)", pages);

    /* Both versions within one page: one change. */
    int64_t h = put("h", 1, 740, MLD_PUB_USABLE, 0);
    put("h", 2, 741, MLD_PUB_USABLE, 0);
    feed(&c, T0 + 800, 20, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)h);
    is_str(got, want, "two versions in one answer: one change");

    /* Shown, then held back by a version past the page's end: nothing
     * shown now, the withdrawal on the page that reaches it. */
    int64_t k = put("k", 1, 750, MLD_PUB_USABLE, 0);
    int64_t k2 = put("k2", 1, 751, MLD_PUB_USABLE, 0);
    put("k", 2, 752, MLD_PUB_HELD, 0);
    feed(&c, T0 + 800, 1, got, sizeof(got));
    is_str(got, "", "an article held back since is not shown");
    feed(&c, T0 + 800, 1, got, sizeof(got));
    snprintf(want, sizeof(want), "new:%lld", (long long)k2);
    is_str(got, want, "the next page goes on");
    feed(&c, T0 + 800, 1, got, sizeof(got));
    snprintf(want, sizeof(want), "withdrawn:%lld", (long long)k);
    is_str(got, want, "and the held one ends as a withdrawal, never with its text");

    /* The head moves only when the store changes, not with the clock. */
    struct mld_api_cursor h1, h2;
    ok(mld_store_api_head(st, T0 + 800, &h1, &err) == 0 &&
           mld_store_api_head(st, T0 + 900, &h2, &err) == 0 && h1.seq == h2.seq &&
           h1.released == h2.released && h1.released_id == h2.released_id,
       "the head is the same at two instants");
    ok(h1.released == T0 + 700 && h1.released_id == f, "its release mark is the last embargo");
    feed(&h1, T0 + 950, 20, got, sizeof(got));
    is_str(got, "", "nothing after the head");

    struct mld_api_cursor bad = {c.seq + 100, T0, 0, 0};
    struct mld_api_change *v;
    int n;
    struct mld_api_cursor next;
    ok(mld_store_api_changes(st, &bad, T0 + 800, 20, &v, &n, &next, &more, &err) == MLD_E_INVAL,
       "a cursor past the newest version is refused");
    mld_err_clear(&err);
}

static void
test_list(void)
{
    struct mld_err err = {0};
    /* Three at one instant: the cursor orders them by id. */
    int64_t x = put("sx", 1, 2000, MLD_PUB_USABLE, 0);
    int64_t y = put("sy", 1, 2000, MLD_PUB_USABLE, 0);
    int64_t z = put("sz", 1, 2000, MLD_PUB_USABLE, 0);
    struct mld_api_query q = {.section_slug = "sport", .now = T0 + 3000, .limit = 2};
    struct mld_items l;
    bool more;
    ok(mld_store_api_articles(st, &q, &l, &more, NULL, &err) == 0, "sport, two");
    ok(l.n == 2 && l.v[0].id == z && l.v[1].id == y && more, "the newest two, highest id first");
    q.after_published = l.v[1].published;
    q.after_id = l.v[1].id;
    mld_items_dispose(&l);
    put("sw", 1, 2500, MLD_PUB_USABLE, 0); /* arrives between the pages */
    ok(mld_store_api_articles(st, &q, &l, &more, NULL, &err) == 0, "the next page");
    ok(l.n == 1 && l.v[0].id == x && !more, "the third of the tie, and the end");
    mld_items_dispose(&l);
    struct mld_api_cursor with, head;
    q.after_id = 0;
    ok(mld_store_api_articles(st, &q, &l, &more, &with, &err) == 0 &&
           mld_store_api_head(st, q.now, &head, &err) == 0 && with.seq == head.seq &&
           with.released == head.released && with.released_id == head.released_id,
       "a list gives the feed's head of its snapshot");
    mld_items_dispose(&l);

    struct mld_api_version *vs;
    int nv;
    int64_t b = put("b", 3, 3000, MLD_PUB_USABLE, 0);
    ok(mld_store_api_versions(st, b, &vs, &nv, &err) == 0 && nv == 4, "b has four versions");
    ok(nv == 4 && vs[0].pubstatus == MLD_PUB_HELD && vs[1].applied && !vs[2].applied &&
           vs[2].version == 1 && vs[3].version == 3,
       "held, usable, stale copy, version 3 - in order of arrival");
    mld_api_versions_free(vs, nv);
}

int
main(void)
{
    mld_test_pg_store_ready();
    st = mld_test_store_fresh("api");
    test_changes();
    test_list();
    mld_store_close(st);
    mld_test_store_remove();
    return mld_test_done();
}
