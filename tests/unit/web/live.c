/*
 * Tests for live.c: the text/event-stream format (line breaks in data,
 * ids, event names), the parsers of keys and Last-Event-ID, and which
 * change keys of a real store become which events: new, updated, held,
 * a related-list touch, a withdrawal after and before anyone saw the
 * article, an embargo release, and the section/topic filters; then what
 * a flush writes to which stream: events by filter, a heartbeat, reset.
 */
#include "../../../src/web/live.c"
/* The streams' insides, to see what the hub wrote to them. */
#include "../../../src/web/http_mhd.c"

#include <sqlite3.h>
#include <unistd.h>

#include "store_test.h"

/* Formats one event and compares the text. */
static void
check_format(int64_t id, const char *event, const char *data, const char *want, const char *name)
{
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    is_int(mld_live_format(&b, id, event, data), 0, "%s: no error", name);
    is_str(b.p, want, "%s", name);
    mld_buf_dispose(&b);
}

static void
test_format(void)
{
    check_format(7, "article", "{\"id\":1}", "id: 7\nevent: article\ndata: {\"id\":1}\n\n",
                 "one line of data");
    check_format(-1, NULL, "x", "data: x\n\n", "no id, no event name");
    check_format(3, "article", "a\nb", "id: 3\nevent: article\ndata: a\ndata: b\n\n",
                 "LF splits data into two data lines");
    check_format(3, NULL, "a\r\nb\rc", "id: 3\ndata: a\ndata: b\ndata: c\n\n",
                 "CR LF and a lone CR split too (one line each)");
    check_format(3, NULL, "a\n\nb", "id: 3\ndata: a\ndata: \ndata: b\n\n",
                 "an empty line inside data stays an empty data line");
    check_format(3, NULL, "a\n", "id: 3\ndata: a\ndata: \n\n",
                 "a trailing line break is kept (the client sees \"a\\n\")");
    check_format(0, NULL, "", "id: 0\ndata: \n\n", "empty data still dispatches");
    /* No line of the output may start a field the data did not mean. */
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    mld_live_format(&b, 1, "article", "x\nid: 99\nevent: withdrawn");
    ok(strstr(b.p, "\nid: 99") == NULL && strstr(b.p, "\nevent: withdrawn") == NULL,
       "data that looks like fields stays inside data lines");
    mld_buf_dispose(&b);
    mld_buf_init(&b, 20);
    ok(mld_live_format(&b, 1, "article", "far too long for twenty bytes") != 0,
       "an event past the buffer's maximum is an error, not cut short silently");
    mld_buf_dispose(&b);
}

static void
test_parsers(void)
{
    is_int(article_of("a:42"), 42, "a:42 is article 42");
    is_int(article_of("a:"), 0, "a: without id");
    is_int(article_of("a:4x"), 0, "a:4x");
    is_int(article_of("s:politik"), 0, "section key");
    is_int(article_of("all"), 0, "all");
    is_int(parse_last_id("17"), 17, "Last-Event-ID 17");
    is_int(parse_last_id(" 17 "), 17, "with blanks");
    is_int(parse_last_id("0"), 0, "0");
    is_int(parse_last_id("-3"), -1, "negative refused");
    is_int(parse_last_id("x"), -1, "not a number");
    is_int(parse_last_id("99999999999999999999999"), -1, "overflow refused");
    is_int(parse_last_id(NULL), -1, "absent");

    struct pending v[] = {{5, 10, 0, false}, {3, 11, 0, false}, {5, 12, 0, false},
                          {3, 0, 0, true},   {7, 9, 0, false}};
    int n = dedupe(v, 5);
    is_int(n, 3, "dedupe keeps one entry per article");
    ok(v[0].id == 3 && v[0].released && v[0].seq == 11,
       "article 3: newest key, and a release counts");
    ok(v[1].id == 5 && v[1].seq == 12 && !v[1].released, "article 5: its newest key");
    ok(v[2].id == 7, "article 7");
}

static mld_time_t t0;

static struct mld_article *
art(const char *urn, int64_t version, const char *headline, const char *section,
    const char *topic)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = t0 - 600 + version;
    a->updated = a->version_created;
    a->headline = mld_strdup(headline);
    a->section = section ? mld_strdup(section) : NULL;
    if (topic != NULL)
        mld_article_add_topic(a, topic);
    return a;
}

static int64_t
put(struct mld_store *st, struct mld_article *a)
{
    int64_t id = 0;
    struct mld_err err = {0};
    enum mld_put_result r;
    if (mld_store_put(st, a, &r, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_article_free(a);
    return id;
}

/* The events the hub makes of the change log after *since (moved on),
 * for releases in (from, now]; their kinds and ids into kinds ("article:3
 * withdrawn:4 "). Returns the number of events. */
static int
events(struct mld_live *lv, struct mld_store *st, int64_t *since, mld_time_t from, mld_time_t now,
       const char **released, char *kinds, size_t size, struct event **keep)
{
    struct mld_err err = {0};
    int64_t last;
    if (mld_store_changes_at(st, *since, (mld_change_at_fn)mld_live_key, lv, &last, &err) != 0)
        diag("changes: %s", err.msg);
    *since = last;
    for (int i = 0; released != NULL && released[i] != NULL; i++)
        mld_live_released_key(lv, released[i]);
    int n = dedupe(lv->pend, lv->npend);
    lv->npend = 0;
    struct event *evs;
    int nev;
    if (decide_all(lv, st, lv->pend, n, last, from, now, false, &evs, &nev, &err) != 0)
        diag("decide: %s", err.msg);
    kinds[0] = '\0';
    for (int i = 0; i < nev; i++) {
        size_t len = strlen(kinds);
        const char *idp = strstr(evs[i].text.p, "\"id\":");
        snprintf(kinds + len, size - len, "%s:%lld ", evs[i].kind,
                 idp ? strtoll(idp + 5, NULL, 10) : -1LL);
    }
    if (keep != NULL)
        *keep = evs;
    else
        events_dispose(evs, nev);
    return nev;
}

/* Logs key at time at, as another writer (the related lists) would. */
static void
log_key(const char *key, mld_time_t at)
{
    sqlite3 *db;
    if (sqlite3_open(mld_test_dbpath, &db) != SQLITE_OK)
        diag("open: %s", sqlite3_errmsg(db));
    char sql[1024];
    snprintf(sql, sizeof(sql), "INSERT INTO change(at, key) VALUES (%lld, '%s')", (long long)at,
             key);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        diag("log %s: %s", key, msg);
    sqlite3_free(msg);
    sqlite3_close(db);
}

static void
test_rules(void)
{
    t0 = mld_time_now();
    struct mld_store *st = mld_test_store_fresh("live");
    struct mld_live *lv = mld_live_new(4, "https://news.example.de");
    int64_t since = 0;
    char kinds[512], want[512];

    int64_t a = put(st, art("urn:live:a", 1, "Erste Meldung", "Politik", "Berlin"));
    is_int(events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), NULL), 1,
           "a new visible article: one event");
    snprintf(want, sizeof(want), "article:%lld ", (long long)a);
    is_str(kinds, want, "... `article` with its id");

    struct event *evs = NULL;
    int64_t before = since;
    put(st, art("urn:live:a", 2, "Erste Meldung, neu", "Politik", "Berlin"));
    events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), &evs);
    is_str(kinds, want, "an update: `article` again");
    if (evs != NULL && evs[0].kind != NULL) {
        const char *p = evs[0].text.p;
        ok(strstr(p, "\"headline\":\"Erste Meldung, neu\"") != NULL, "... with the new headline");
        ok(strstr(p, "\"url\":\"https://news.example.de/artikel/erste-meldung-neu-") != NULL,
           "... and the absolute URL from the base URL");
        ok(strstr(p, "\"section\":\"Politik\"") != NULL, "... and its section");
        int64_t id = strncmp(p, "id: ", 4) == 0 ? strtoll(p + 4, NULL, 10) : -1;
        ok(id > before && id <= since, "... and its key's change-log position as its id");
        struct client pol = {.section = "politik"}, sport = {.section = "sport"},
                      berlin = {.topic = "berlin"}, none = {0};
        ok(wants(&pol, &evs[0]) && !wants(&sport, &evs[0]), "section filter");
        ok(wants(&berlin, &evs[0]) && wants(&none, &evs[0]), "topic filter; no filter");
    }
    events_dispose(evs, 1);

    struct mld_article *h = art("urn:live:held", 1, "Hinweis an die Redaktion", "Politik", NULL);
    h->pubstatus = MLD_PUB_HELD;
    h->hold_reason = mld_strdup("Redaktionshinweis");
    put(st, h);
    is_int(events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), NULL), 0,
           "a held item: no event");

    snprintf(want, sizeof(want), "a:%lld", (long long)a);
    log_key(want, t0 + 30);
    is_int(events(lv, st, &since, t0, t0 + 30, NULL, kinds, sizeof(kinds), NULL), 0,
           "a key logged long after the article's version (a related list): no event");

    struct mld_article *w = art("urn:live:a", 3, "Erste Meldung, neu", "Politik", NULL);
    w->pubstatus = MLD_PUB_CANCELED;
    put(st, w);
    events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), NULL);
    snprintf(want, sizeof(want), "withdrawn:%lld ", (long long)a);
    is_str(kinds, want, "a withdrawal of a visible article: `withdrawn`");

    struct mld_article *e = art("urn:live:e", 1, "Sperrfrist", "Politik", NULL);
    e->embargo = t0 + 100;
    int64_t eid = put(st, e);
    is_int(events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), NULL), 0,
           "an embargoed article: no event yet");
    snprintf(want, sizeof(want), "a:%lld", (long long)eid);
    const char *rel[] = {want, NULL};
    events(lv, st, &since, t0 + 50, t0 + 150, rel, kinds, sizeof(kinds), NULL);
    char want2[64];
    snprintf(want2, sizeof(want2), "article:%lld ", (long long)eid);
    is_str(kinds, want2, "its embargo ends: `article`");
    is_int(events(lv, st, &since, t0 + 150, t0 + 250, rel, kinds, sizeof(kinds), NULL), 0,
           "a release key of an article released before: no event");

    struct mld_article *e2 = art("urn:live:e2", 1, "Sperrfrist zwei", "Politik", NULL);
    e2->embargo = t0 + 1000;
    put(st, e2);
    e2 = art("urn:live:e2", 2, "Sperrfrist zwei", "Politik", NULL);
    e2->embargo = t0 + 1000;
    e2->pubstatus = MLD_PUB_CANCELED;
    put(st, e2);
    is_int(events(lv, st, &since, t0, t0, NULL, kinds, sizeof(kinds), NULL), 0,
           "withdrawn before its embargo ended (nobody saw it): no event");

    mld_live_free(lv);
    mld_store_close(st);
    mld_test_store_remove();
}

/* The unsent bytes of stream st, as a string (static buffer). */
static const char *
pending_text(struct mld_http_stream *st)
{
    static char out[65536];
    pthread_mutex_lock(&st->lock);
    size_t n = st->len < sizeof(out) - 1 ? st->len : sizeof(out) - 1;
    memcpy(out, st->buf != NULL ? st->buf + st->off : "", n);
    out[n] = '\0';
    st->off = st->len = 0; /* as if sent */
    pthread_mutex_unlock(&st->lock);
    return out;
}

/* Adds a client with filters to lv, as mld_live_handle does. */
static struct mld_http_stream *
add_client(struct mld_live *lv, const char *section, const char *topic)
{
    struct mld_http_stream *st = mld_http_stream_new(MLD_LIVE_CLIENT_BUFFER_BYTES);
    if (lv->clients == NULL)
        lv->clients = mld_calloc((size_t)lv->max_streams, sizeof(*lv->clients));
    lv->clients[lv->nclients++] =
        (struct client){mld_http_stream_ref(st), section ? mld_strdup(section) : NULL,
                        topic ? mld_strdup(topic) : NULL};
    return st;
}

static void
test_flush(void)
{
    struct mld_store *st = mld_test_store_fresh("live-flush");
    struct mld_live *lv = mld_live_new(8, NULL);
    /* After the hub's own clock start, so t0 + the period is a full one
     * however long the store took to make. */
    t0 = mld_time_now();
    struct mld_http_stream *all = add_client(lv, NULL, NULL);
    struct mld_http_stream *sport = add_client(lv, "sport", NULL);
    struct mld_http_stream *berlin = add_client(lv, NULL, "berlin");
    struct mld_err err = {0};
    int64_t since = 0;

    put(st, art("urn:live:f1", 1, "Wahl in Berlin", "Politik", "Berlin"));
    mld_store_changes_at(st, since, (mld_change_at_fn)mld_live_key, lv, &since, &err);
    is_int(mld_live_flush(lv, st, since, t0, t0, &err), 0, "flush");
    const char *p = pending_text(all);
    ok(strstr(p, "event: article\n") && strstr(p, "Wahl in Berlin"), "flush: to the open stream");
    ok(strstr(p, "\"url\":\"/artikel/wahl-in-berlin-") != NULL,
       "flush: a site-relative URL without base_url");
    is_str(pending_text(sport), "", "flush: not to another section's stream");
    ok(strstr(pending_text(berlin), "Wahl in Berlin") != NULL, "flush: to the topic's stream");

    is_int(mld_live_flush(lv, st, since, t0, t0 + MLD_LIVE_HEARTBEAT_SECS, &err), 0, "idle flush");
    is_str(pending_text(all), ": ping\n\n", "a heartbeat comment after the heartbeat period");
    is_str(pending_text(sport), ": ping\n\n", "... to every stream");
    mld_live_flush(lv, st, since, t0, t0 + MLD_LIVE_HEARTBEAT_SECS + 1, &err);
    is_str(pending_text(all), "", "... and not on the next tick");

    mld_live_key(lv, 0, 0, "*");
    mld_live_flush(lv, st, since, t0, t0 + MLD_LIVE_HEARTBEAT_SECS + 2, &err);
    p = pending_text(sport);
    ok(strstr(p, "event: reset\n") != NULL, "a pruned log: `reset` to every stream");
    char idline[64];
    snprintf(idline, sizeof(idline), "id: %lld\n", (long long)since);
    ok(strstr(p, idline) != NULL, "... with the position to go on from");

    mld_http_stream_close(berlin);
    mld_live_flush(lv, st, since, t0, t0 + MLD_LIVE_HEARTBEAT_SECS + 3, &err);
    is_int(mld_live_streams(lv), 2, "an ended stream is dropped at the next flush");

    mld_http_stream_unref(all);
    mld_http_stream_unref(sport);
    mld_http_stream_unref(berlin);
    mld_live_free(lv);
    mld_store_close(st);
    mld_test_store_remove();
}

/* What the news listener heard: "KIND:ID " per event, "missed " per miss. */
static char heard[512];

static void
hear(void *ud, int64_t seq, const char *kind, const struct mld_item *it)
{
    (void)ud;
    size_t len = strlen(heard);
    if (kind == NULL || it == NULL)
        snprintf(heard + len, sizeof(heard) - len, "missed ");
    else
        snprintf(heard + len, sizeof(heard) - len, "%s:%lld@%s ", kind, (long long)it->id,
                 seq > 0 ? "seq" : "0");
}

/* hooks: the news listener hears the flush's events with no stream open,
 * and a reset as a miss. */
static void
test_listener(void)
{
    struct mld_store *st = mld_test_store_fresh("live-news");
    struct mld_live *lv = mld_live_new(8, NULL);
    mld_live_on_news(lv, hear, NULL);
    t0 = mld_time_now();
    struct mld_err err = {0};
    int64_t since = 0;
    int64_t a = put(st, art("urn:live:n1", 1, "Neu im Netz", "Digital", NULL));
    struct mld_article *h = art("urn:live:n2", 1, "Nur intern", "Digital", NULL);
    h->pubstatus = MLD_PUB_HELD;
    h->hold_reason = mld_strdup("Redaktionshinweis");
    put(st, h);
    mld_store_changes_at(st, since, (mld_change_at_fn)mld_live_key, lv, &since, &err);
    heard[0] = '\0';
    is_int(mld_live_flush(lv, st, since, t0, t0, &err), 0, "flush with a listener, no stream");
    char want[64];
    snprintf(want, sizeof(want), "article:%lld@seq ", (long long)a);
    is_str(heard, want, "the listener hears the new article and not the held one");
    struct mld_article *w = art("urn:live:n1", 2, "Neu im Netz", "Digital", NULL);
    w->pubstatus = MLD_PUB_CANCELED;
    put(st, w);
    mld_store_changes_at(st, since, (mld_change_at_fn)mld_live_key, lv, &since, &err);
    heard[0] = '\0';
    mld_live_flush(lv, st, since, t0, t0, &err);
    snprintf(want, sizeof(want), "withdrawn:%lld@seq ", (long long)a);
    is_str(heard, want, "... and the withdrawal");
    heard[0] = '\0';
    mld_live_key(lv, 0, 0, "*");
    mld_live_flush(lv, st, since, t0, t0, &err);
    is_str(heard, "missed ", "a pruned log: one miss");
    heard[0] = '\0';
    mld_live_flush(lv, st, since, t0, t0 + 1, &err);
    is_str(heard, "", "an idle flush: nothing");
    mld_live_free(lv);
    mld_store_close(st);
    mld_test_store_remove();
}

int
main(void)
{
    test_format();
    test_parsers();
    test_rules();
    test_flush();
    test_listener();
    is_int(mld_http_stream_live(), 0, "every stream freed");
    return mld_test_done();
}
