/*
 * live.c - the live-updates hub: Server-Sent Events at MLD_LIVE_PATH
 * (see live.h and docs/internals/live.md).
 *
 * Which change keys are news. The change log names what a commit touched
 * for the page cache; an "a:ID" key is logged for article ID itself (a
 * new version, a withdrawal) and also for an article whose "Weitere
 * Meldungen" list changed. So a key is turned into an event by the
 * article's state and two facts of its history (mld_store_live_facts):
 *
 *   - news at all: the article's current version was stored when the key
 *     was logged (applied_at >= at - SAME_COMMIT_SECS), or an editor
 *     changed what readers see of it then (decided_at, the same way: a
 *     withdrawal, hiding, unhiding, release, new section or topics), or
 *     the key comes from an embargo release of this very article (embargo
 *     in (from, now]). A related-list touch of an older article is no news.
 *   - visible now (usable, out of embargo): event `article`.
 *   - not visible now, and some version was visible before: `withdrawn`
 *     (canceled, withheld, or an embargo moved into the future).
 *   - otherwise nothing: held items, embargoed ones and articles that
 *     were withdrawn before anyone saw them are never announced.
 *
 * The rule reads only the store, so a resuming client (Last-Event-ID)
 * gets the same events a connected one got, each article once, in its
 * current state.
 */
#include "live.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/changekey.h"
#include "../store/store.h"
#include "../text/slug.h"
#include "page.h"

/* The change key and the version row of one put are written in the same
 * transaction by one process, so their times (whole seconds, from two
 * clocks read a few milliseconds apart) differ by at most one second. A
 * related-list touch within that second of the article's own change is
 * announced again, with the same content: harmless. */
#define SAME_COMMIT_SECS 1

/* Largest formatted event: a headline is at most a few hundred bytes. */
#define EVENT_MAX_BYTES (16u * 1024)

/* One open stream and its filters. */
struct client {
    struct mld_http_stream *st; /* our reference */
    char *section;              /* only this section slug, or NULL */
    char *topic;                /* only this topic slug, or NULL */
};

/* A change key noted for the next flush. */
struct pending {
    int64_t id;      /* article id of an "a:ID" key */
    int64_t seq;     /* change-log sequence number (0 for a release) */
    mld_time_t at;   /* when the key was logged */
    bool released;   /* from an embargo release, not the log */
};

/* A decided event. */
struct event {
    int64_t seq;             /* its id: line */
    const char *kind;        /* "article" or "withdrawn" */
    char *section;           /* the article's section slug, or NULL */
    char **topics;           /* its topic slugs */
    int ntopics;
    struct mld_buf text;     /* the formatted event */
    struct mld_item it;      /* the article, kept for the news listener */
    bool has_it;
};

struct mld_live {
    pthread_mutex_t lock;     /* guards clients and nclients */
    struct client *clients;   /* max_streams entries allocated */
    int nclients;
    int max_streams;
    char *base_url;           /* without trailing '/', or NULL */
    /* Noted since the last flush; touched only by the site's refresh. */
    struct pending *pend;
    int npend, pend_cap;
    bool reset;               /* the log was pruned unread, or too much at once */
    mld_time_t last_beat;     /* last heartbeat */
    mld_live_news_fn news;    /* the news listener (webhooks), or NULL */
    void *news_ud;
};

struct mld_live *
mld_live_new(int max_streams, const char *base_url)
{
    struct mld_live *lv = MLD_NEW(struct mld_live);
    pthread_mutex_init(&lv->lock, NULL);
    lv->max_streams = max_streams < 0 ? 0 : max_streams;
    lv->base_url = base_url != NULL ? mld_strdup(base_url) : NULL;
    lv->last_beat = mld_time_now();
    return lv;
}

/* Ends client c's stream and frees its fields. */
static void
client_dispose(struct client *c)
{
    mld_http_stream_close(c->st);
    mld_http_stream_unref(c->st);
    mld_free(c->section);
    mld_free(c->topic);
    memset(c, 0, sizeof(*c));
}

void
mld_live_free(struct mld_live *lv)
{
    if (lv == NULL)
        return;
    for (int i = 0; i < lv->nclients; i++)
        client_dispose(&lv->clients[i]);
    mld_free(lv->clients);
    mld_free(lv->pend);
    mld_free(lv->base_url);
    pthread_mutex_destroy(&lv->lock);
    mld_free(lv);
}

void
mld_live_on_news(struct mld_live *lv, mld_live_news_fn fn, void *ud)
{
    lv->news = fn;
    lv->news_ud = ud;
}

int
mld_live_streams(struct mld_live *lv)
{
    pthread_mutex_lock(&lv->lock);
    int n = lv->nclients;
    pthread_mutex_unlock(&lv->lock);
    return n;
}

/* Drops the clients whose streams ended (gone, overflowed); with probe,
 * asks the sockets of waiting streams too (mld_http_stream_alive). With
 * lv->lock held. */
static void
sweep(struct mld_live *lv, bool probe)
{
    int j = 0;
    for (int i = 0; i < lv->nclients; i++) {
        struct mld_http_stream *st = lv->clients[i].st;
        if (probe ? !mld_http_stream_alive(st) : mld_http_stream_ended(st))
            client_dispose(&lv->clients[i]);
        else
            lv->clients[j++] = lv->clients[i];
    }
    lv->nclients = j;
}

/* Formatting ----------------------------------------------------------- */

int
mld_live_format(struct mld_buf *out, int64_t id, const char *event, const char *data)
{
    if (id >= 0)
        mld_buf_printf(out, "id: %" PRId64 "\n", id);
    if (event != NULL)
        mld_buf_printf(out, "event: %s\n", event);
    /* A line break inside data would end the field: each line becomes
     * a data: line of its own, which the client joins with LF. */
    const char *p = data;
    for (;;) {
        size_t n = strcspn(p, "\r\n");
        mld_buf_puts(out, "data: ");
        mld_buf_append(out, p, n);
        mld_buf_putc(out, '\n');
        p += n;
        if (*p == '\0')
            break;
        p += p[0] == '\r' && p[1] == '\n' ? 2 : 1;
    }
    mld_buf_putc(out, '\n');
    return mld_buf_error(out);
}

static int
dump_to_buf(const char *s, size_t n, void *ud)
{
    return mld_buf_append(ud, s, n) == 0 ? 0 : -1;
}

/* Formats event kind with JSON data v (consumed) and id seq into ev. */
static void
format_json(struct event *ev, int64_t seq, const char *kind, json_t *v)
{
    struct mld_buf data;
    mld_buf_init(&data, EVENT_MAX_BYTES);
    json_dump_callback(v, dump_to_buf, &data, JSON_COMPACT);
    json_decref(v);
    mld_buf_init(&ev->text, EVENT_MAX_BYTES + 256);
    ev->seq = seq;
    ev->kind = kind;
    mld_live_format(&ev->text, seq, kind, data.p != NULL ? data.p : "{}");
    mld_buf_dispose(&data);
}

static void
event_dispose(struct event *ev)
{
    mld_free(ev->section);
    for (int i = 0; i < ev->ntopics; i++)
        mld_free(ev->topics[i]);
    mld_free(ev->topics);
    mld_buf_dispose(&ev->text);
    if (ev->has_it)
        mld_item_dispose(&ev->it);
    memset(ev, 0, sizeof(*ev));
}

/* Deciding ------------------------------------------------------------- */

/* Decides what pending p is (see the top of this file) into ev: 0 with
 * ev->kind NULL for no event, 0 with an event, or MLD_E_STORE. With
 * keep, an event keeps the article (ev->it) for the news listener. */
static int
decide(struct mld_live *lv, struct mld_store *st, const struct pending *p, int64_t seq,
       mld_time_t from, mld_time_t now, bool keep, struct event *ev, struct mld_err *err)
{
    memset(ev, 0, sizeof(*ev));
    struct mld_item it;
    int rc = mld_store_get(st, p->id, &it, err);
    if (rc == MLD_E_NOTFOUND) {
        mld_err_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    struct mld_store_live_facts facts;
    rc = mld_store_live_facts(st, p->id, &facts, err);
    if (rc != 0) {
        mld_item_dispose(&it);
        return rc;
    }
    bool visible = mld_article_is_visible(it.a, now);
    bool news = p->released ? visible && it.a->embargo > from && it.a->embargo <= now
                            : facts.applied_at >= p->at - SAME_COMMIT_SECS ||
                                  facts.decided_at >= p->at - SAME_COMMIT_SECS;
    if (news && visible) {
        char path[MLD_SLUG_MAX + 64], iso_pub[MLD_TIME_ISO_LEN + 1],
            iso_upd[MLD_TIME_ISO_LEN + 1];
        mld_page_article_path(it.slug, it.id, path, sizeof(path));
        char url[sizeof(path) + 512];
        snprintf(url, sizeof(url), "%s%s", lv->base_url != NULL ? lv->base_url : "", path);
        mld_time_format_iso(it.published, iso_pub);
        mld_time_t upd = it.a->version_created ? it.a->version_created : it.a->updated;
        mld_time_format_iso(upd > it.published ? upd : it.published, iso_upd);
        json_t *v = json_object();
        json_object_set_new(v, "id", json_integer(it.id));
        json_object_set_new(v, "url", json_string(url));
        json_object_set_new(v, "headline", json_string(it.a->headline ? it.a->headline : ""));
        json_object_set_new(v, "section",
                            it.a->section ? json_string(it.a->section) : json_null());
        json_object_set_new(v, "section_slug",
                            it.section_slug ? json_string(it.section_slug) : json_null());
        json_object_set_new(v, "published", json_string(iso_pub));
        json_object_set_new(v, "updated", json_string(iso_upd));
        format_json(ev, seq, "article", v);
    } else if (news && facts.was_visible) {
        json_t *v = json_object();
        json_object_set_new(v, "id", json_integer(it.id));
        format_json(ev, seq, "withdrawn", v);
    }
    if (ev->kind != NULL) {
        ev->section = it.section_slug != NULL ? mld_strdup(it.section_slug) : NULL;
        ev->topics = mld_calloc((size_t)it.a->ntopics + 1, sizeof(*ev->topics));
        for (int i = 0; i < it.a->ntopics; i++) {
            char slug[MLD_SLUG_MAX + 1];
            if (mld_slug(it.a->topics[i], strlen(it.a->topics[i]), slug) > 0)
                ev->topics[ev->ntopics++] = mld_strdup(slug);
        }
    }
    if (ev->kind != NULL && keep) {
        ev->it = it;
        ev->has_it = true;
    } else {
        mld_item_dispose(&it);
    }
    return 0;
}

/* True when client c's filters take ev. */
static bool
wants(const struct client *c, const struct event *ev)
{
    if (c->section != NULL && (ev->section == NULL || strcmp(c->section, ev->section) != 0))
        return false;
    if (c->topic == NULL)
        return true;
    for (int i = 0; i < ev->ntopics; i++)
        if (strcmp(c->topic, ev->topics[i]) == 0)
            return true;
    return false;
}

/* Orders pending keys by article, then sequence number. */
static int
cmp_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Orders events by sequence number. */
static int
cmp_event(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Keeps one entry per article of v[0..n) (its newest key; a release
 * counts over a log key, which would call it no news); returns the new n. */
static int
dedupe(struct pending *v, int n)
{
    if (n > 1) /* v may be NULL when n is 0, which qsort() must not see */
        qsort(v, (size_t)n, sizeof(*v), cmp_pending);
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (j > 0 && v[j - 1].id == v[i].id) {
            bool rel = v[j - 1].released || v[i].released;
            v[j - 1] = v[i];
            v[j - 1].released = rel;
        } else {
            v[j++] = v[i];
        }
    }
    return j;
}

/* Decides the events of v[0..n) (deduped) into *out, sorted by sequence
 * number; a release's id is seq_of_release; keep as for decide(). Returns
 * 0 or MLD_E_STORE. */
static int
decide_all(struct mld_live *lv, struct mld_store *st, const struct pending *v, int n,
           int64_t seq_of_release, mld_time_t from, mld_time_t now, bool keep,
           struct event **out, int *nout, struct mld_err *err)
{
    *out = mld_calloc((size_t)n + 1, sizeof(**out));
    *nout = 0;
    for (int i = 0; i < n; i++) {
        struct event *ev = &(*out)[*nout];
        int64_t seq = v[i].released || v[i].seq == 0 ? seq_of_release : v[i].seq;
        int rc = decide(lv, st, &v[i], seq, from, now, keep, ev, err);
        if (rc != 0)
            return rc;
        if (ev->kind != NULL)
            (*nout)++;
    }
    if (*nout > 1)
        qsort(*out, (size_t)*nout, sizeof(**out), cmp_event);
    return 0;
}

static void
events_dispose(struct event *v, int n)
{
    for (int i = 0; i < n; i++)
        event_dispose(&v[i]);
    mld_free(v);
}

/* The `reset` event: the client missed more than the log can tell (it
 * should reload what it shows); id is the position to resume from. */
static void
format_reset(struct mld_buf *out, int64_t id, const char *reason)
{
    json_t *v = json_object();
    json_object_set_new(v, "reason", json_string(reason));
    struct mld_buf data;
    mld_buf_init(&data, 1024);
    json_dump_callback(v, dump_to_buf, &data, JSON_COMPACT);
    json_decref(v);
    mld_live_format(out, id, "reset", data.p != NULL ? data.p : "{}");
    mld_buf_dispose(&data);
}

/* Feeding -------------------------------------------------------------- */

/* Notes article id's key. */
static void
note(struct mld_live *lv, int64_t id, int64_t seq, mld_time_t at, bool released)
{
    if (lv->npend >= MLD_LIVE_MAX_BATCH) {
        lv->reset = true;
        return;
    }
    if (lv->npend == lv->pend_cap) {
        lv->pend_cap = lv->pend_cap ? lv->pend_cap * 2 : 16;
        lv->pend = mld_reallocarray(lv->pend, (size_t)lv->pend_cap, sizeof(*lv->pend));
    }
    lv->pend[lv->npend++] = (struct pending){id, seq, at, released};
}

/* The article id of key "a:ID", or 0. */
static int64_t
article_of(const char *key)
{
    int64_t id = 0;
    return mld_key_parse(key, &id, NULL) == MLD_KEY_ARTICLE ? id : 0;
}

void
mld_live_key(struct mld_live *lv, int64_t seq, mld_time_t at, const char *key)
{
    if (strcmp(key, "*") == 0) {
        lv->reset = true;
        return;
    }
    int64_t id = article_of(key);
    if (id > 0)
        note(lv, id, seq, at, false);
}

void
mld_live_released_key(struct mld_live *lv, const char *key)
{
    int64_t id = article_of(key);
    if (id > 0)
        note(lv, id, 0, 0, true);
}

int
mld_live_flush(struct mld_live *lv, struct mld_store *st, int64_t last_seq, mld_time_t from,
               mld_time_t now, struct mld_err *err)
{
    pthread_mutex_lock(&lv->lock);
    sweep(lv, false);
    int nclients = lv->nclients;
    pthread_mutex_unlock(&lv->lock);
    int n = dedupe(lv->pend, lv->npend);
    bool reset = lv->reset;
    lv->npend = 0;
    lv->reset = false;
    struct event *evs = NULL;
    int nev = 0, rc = 0;
    /* Nobody listens: nothing to decide (the store is not read). */
    bool keep = lv->news != NULL;
    if ((nclients > 0 || keep) && !reset && n > 0) {
        rc = decide_all(lv, st, lv->pend, n, last_seq, from, now, keep, &evs, &nev, err);
        if (rc != 0)
            reset = true;
    }
    /* The news listener hears the same events, in the same order; a
     * reset is news it missed. */
    if (keep && reset)
        lv->news(lv->news_ud, last_seq, NULL, NULL);
    for (int i = 0; keep && !reset && i < nev; i++)
        lv->news(lv->news_ud, evs[i].seq, evs[i].kind, &evs[i].it);
    bool beat = now - lv->last_beat >= MLD_LIVE_HEARTBEAT_SECS;
    if (beat)
        lv->last_beat = now;
    struct mld_buf rs;
    mld_buf_init(&rs, 1024);
    if (reset)
        format_reset(&rs, last_seq, rc != 0 ? "store" : "pruned");
    if (nclients > 0 && (nev > 0 || reset || beat)) {
        pthread_mutex_lock(&lv->lock);
        for (int c = 0; c < lv->nclients; c++) {
            struct client *cl = &lv->clients[c];
            int w = 0;
            if (reset)
                w = mld_http_stream_write(cl->st, rs.p, rs.len);
            for (int i = 0; i < nev && w == 0 && !reset; i++)
                if (wants(cl, &evs[i]))
                    w = mld_http_stream_write(cl->st, evs[i].text.p, evs[i].text.len);
            if (w == 0 && beat)
                w = mld_http_stream_write(cl->st, ": ping\n\n", 8);
            if (w != 0)
                mld_log_debug("live: a client left or fell %u bytes behind; dropped",
                              MLD_LIVE_CLIENT_BUFFER_BYTES);
        }
        sweep(lv, false);
        pthread_mutex_unlock(&lv->lock);
    }
    if (nev > 0)
        mld_log_debug("live: %d event(s) to %d stream(s)", nev, nclients);
    mld_buf_dispose(&rs);
    events_dispose(evs, nev);
    return rc;
}

/* Answering ------------------------------------------------------------ */

/* A live answer that is not a stream: status with a JSON error. */
static struct mld_http_resp *
json_answer(int status, const char *msg)
{
    json_t *v = json_object();
    json_object_set_new(v, "error", json_string(msg));
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    json_dump_callback(v, dump_to_buf, &b, JSON_COMPACT);
    json_decref(v);
    mld_buf_putc(&b, '\n');
    struct mld_http_resp *r =
        mld_http_resp_new(status, MLD_PAGE_JSON_TYPE, b.p ? b.p : "", b.len, 0);
    mld_buf_dispose(&b);
    mld_http_resp_header(r, "Cache-Control", "no-store");
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*");
    if (status == 503) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", MLD_LIVE_RETRY_AFTER_SECS);
        mld_http_resp_header(r, "Retry-After", secs);
    }
    return mld_http_resp_finish(r, 0);
}

/* Reads filter name of req into *out (NULL when absent); false when it
 * is there but no slug. */
static bool
filter_arg(const struct mld_http_req *req, const char *name, char **out)
{
    *out = NULL;
    const char *v = mld_http_req_arg(req, name);
    if (v == NULL || v[0] == '\0')
        return true;
    if (!mld_page_is_slug(v, MLD_LIVE_MAX_FILTER_BYTES))
        return false;
    *out = mld_strdup(v);
    return true;
}

/* Parses a Last-Event-ID value: a sequence number >= 0, or -1. */
static int64_t
parse_last_id(const char *v)
{
    if (v == NULL)
        return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v < '0' || *v > '9')
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    return errno == 0 && *end == '\0' ? (int64_t)n : -1;
}

/* Collects the "a:ID" keys after a resuming client's id up to the hub's
 * position (later ones come with the next flush). */
struct replay {
    struct mld_live *lv;
    int64_t upto;
    struct pending *v;
    int n, cap;
    bool gap;      /* pruned past the client's id */
    bool too_many; /* more than MLD_LIVE_MAX_REPLAY keys of articles */
};

static void
replay_key(void *ud, int64_t seq, mld_time_t at, const char *key)
{
    struct replay *r = ud;
    if (strcmp(key, "*") == 0) {
        r->gap = true;
        return;
    }
    int64_t id = article_of(key);
    if (id <= 0 || seq > r->upto || r->gap || r->too_many)
        return;
    /* Keys of one article repeat (each change, each related touch); the
     * cap is on keys, so a long absence is cut short early. */
    if (r->n == 4 * MLD_LIVE_MAX_REPLAY) {
        r->too_many = true;
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = mld_reallocarray(r->v, (size_t)r->cap, sizeof(*r->v));
    }
    r->v[r->n++] = (struct pending){id, seq, at, false};
}

/* Writes to out what a client at last_id missed up to upto: events, or
 * one `reset`. Returns 0 or MLD_E_STORE. */
static int
replay(struct mld_live *lv, struct mld_store *st, int64_t last_id, int64_t upto, mld_time_t now,
       struct mld_buf *out, struct mld_err *err)
{
    if (last_id > upto) { /* another store's id, or a restored older store */
        format_reset(out, upto, "unknown id");
        return 0;
    }
    if (last_id == upto)
        return 0;
    struct replay r = {.lv = lv, .upto = upto};
    int64_t last;
    int rc = mld_store_changes_at(st, last_id, replay_key, &r, &last, err);
    if (rc == 0 && !r.gap && !r.too_many) {
        int n = dedupe(r.v, r.n);
        if (n > MLD_LIVE_MAX_REPLAY) {
            r.too_many = true;
        } else {
            struct event *evs = NULL;
            int nev = 0;
            rc = decide_all(lv, st, r.v, n, upto, now, now, false, &evs, &nev, err);
            for (int i = 0; i < nev && rc == 0; i++)
                mld_buf_append(out, evs[i].text.p, evs[i].text.len);
            events_dispose(evs, nev);
        }
    }
    if (rc == 0 && (r.gap || r.too_many)) {
        mld_buf_reset(out);
        format_reset(out, upto, r.gap ? "pruned" : "too far behind");
    }
    mld_free(r.v);
    return rc;
}

struct mld_http_resp *
mld_live_handle(struct mld_live *lv, const struct mld_http_req *req, struct mld_store *st,
                int64_t upto, mld_time_t now)
{
    char *section, *topic;
    bool ok_section = filter_arg(req, "section", &section);
    bool ok_topic = filter_arg(req, "topic", &topic);
    const char *hdr = mld_http_req_header(req, "Last-Event-ID");
    const char *arg = mld_http_req_arg(req, "last_event_id");
    const char *idtext = hdr != NULL ? hdr : arg;
    int64_t last_id = parse_last_id(idtext);
    if (!ok_section || !ok_topic || (idtext != NULL && idtext[0] != '\0' && last_id < 0)) {
        mld_free(section);
        mld_free(topic);
        return json_answer(400, !ok_section ? "section: kein gültiger Ressort-Name"
                                : !ok_topic ? "topic: kein gültiger Themen-Name"
                                            : "Last-Event-ID: keine Ereignisnummer");
    }
    pthread_mutex_lock(&lv->lock);
    sweep(lv, false);
    /* Before refusing: clients that left while their stream waited. */
    if (lv->nclients >= lv->max_streams)
        sweep(lv, true);
    bool full = lv->nclients >= lv->max_streams;
    pthread_mutex_unlock(&lv->lock);
    if (full) {
        mld_free(section);
        mld_free(topic);
        return json_answer(503, "Zu viele Live-Verbindungen; bitte später erneut versuchen");
    }

    struct mld_buf pre;
    mld_buf_init(&pre, MLD_LIVE_CLIENT_BUFFER_BYTES);
    mld_buf_printf(&pre, ": meldung live\nretry: %d\n\n", MLD_LIVE_RETRY_MS);
    struct mld_err err = {0};
    if (last_id >= 0 && replay(lv, st, last_id, upto, now, &pre, &err) != 0) {
        mld_log_error("live: resume from %" PRId64 ": %s", last_id, err.msg);
        mld_buf_reset(&pre);
        format_reset(&pre, upto, "store");
    } else if (mld_buf_error(&pre) != 0 || pre.len > MLD_LIVE_CLIENT_BUFFER_BYTES / 2) {
        /* Half the client's buffer at most, so live events still fit. */
        mld_buf_dispose(&pre);
        mld_buf_init(&pre, MLD_LIVE_CLIENT_BUFFER_BYTES);
        format_reset(&pre, upto, "too far behind");
    }
    /* The position to resume from, whatever was sent (an id: line with
     * no data sets EventSource's lastEventId without an event). */
    mld_buf_printf(&pre, "id: %" PRId64 "\n\n", upto);

    struct mld_http_stream *s = mld_http_stream_new(MLD_LIVE_CLIENT_BUFFER_BYTES);
    mld_http_stream_write(s, pre.p, pre.len);
    mld_buf_dispose(&pre);
    struct mld_http_resp *r = mld_http_resp_new_stream(s, "text/event-stream; charset=utf-8");
    mld_http_resp_header(r, "Cache-Control", "no-store");
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*");
    /* nginx buffers proxied answers unless told not to. */
    mld_http_resp_header(r, "X-Accel-Buffering", "no");
    mld_http_resp_finish(r, 0);

    pthread_mutex_lock(&lv->lock);
    if (lv->clients == NULL)
        lv->clients = mld_calloc((size_t)lv->max_streams, sizeof(*lv->clients));
    full = lv->nclients >= lv->max_streams; /* callers are serialised; to be sure */
    if (!full)
        lv->clients[lv->nclients++] = (struct client){s, section, topic};
    pthread_mutex_unlock(&lv->lock);
    if (full) {
        mld_http_stream_close(s);
        mld_http_stream_unref(s);
        mld_http_resp_unref(r);
        mld_free(section);
        mld_free(topic);
        return json_answer(503, "Zu viele Live-Verbindungen; bitte später erneut versuchen");
    }
    return r;
}
