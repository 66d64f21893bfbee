/*
 * status.c - the status page at /status (see status.h).
 *
 * The store is read under the site's lock (its one handle is shared by
 * the server's threads); the page is built and rendered after the lock is
 * dropped. Times are Europe/Berlin like the rest of the site; durations
 * are written the German way ("5 min", "2 h 05 min").
 */
#include "status.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../text/slug.h"
#include "page.h"
#include "seo.h"
#include "webhook.h"

/* A bounded writer into a caller's array. */
struct out {
    char *p;
    size_t size, len;
};

static void
put(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->len + 1 < o->size; i++)
        o->p[o->len++] = s[i];
    if (o->size > 0)
        o->p[o->len] = '\0';
}

static bool
url_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' ||
           c == '<' || c == '>';
}

void
mld_status_mask_urls(const char *msg, char *out, size_t size)
{
    struct out o = {out, size, 0};
    if (size > 0)
        out[0] = '\0';
    size_t i = 0;
    while (msg[i] != '\0') {
        size_t scheme = strncasecmp(msg + i, "http://", 7) == 0    ? 7
                        : strncasecmp(msg + i, "https://", 8) == 0 ? 8
                                                                   : 0;
        if (scheme == 0) {
            put(&o, msg + i, 1);
            i++;
            continue;
        }
        put(&o, msg + i, scheme);
        size_t a = i + scheme, e = a;
        while (!url_end(msg[e]) && msg[e] != '/' && msg[e] != '?' && msg[e] != '#')
            e++;
        size_t host = a;
        for (size_t k = a; k < e; k++)
            if (msg[k] == '@')
                host = k + 1;
        size_t k = e;
        while (!url_end(msg[k]))
            k++;
        /* "URL: reason": the colon belongs to the sentence. */
        bool colon = k > host && msg[k - 1] == ':';
        size_t host_end = colon && k == e ? e - 1 : e;
        size_t path_end = colon && k > e ? k - 1 : k;
        put(&o, msg + host, host_end - host);
        if (path_end > e + 1 || (path_end == e + 1 && msg[e] != '/'))
            put(&o, "/\xe2\x80\xa6", 4); /* "/…" */
        else if (path_end == e + 1)
            put(&o, "/", 1);
        if (colon)
            put(&o, ":", 1);
        i = k;
    }
}

/* Writes the host (and port) of url to out, without user:password@. */
static void
host_of(const char *url, char *out, size_t size)
{
    const char *a = strstr(url, "://");
    a = a ? a + 3 : url;
    size_t e = 0;
    while (a[e] != '\0' && a[e] != '/' && a[e] != '?' && a[e] != '#')
        e++;
    size_t h = 0;
    for (size_t k = 0; k < e; k++)
        if (a[k] == '@')
            h = k + 1;
    snprintf(out, size, "%.*s", (int)(e - h), a + h);
}

/* Replaces the folder path of a drop source ("drop:/srv/wire/in") in
 * msg (NUL-terminated, in place) with its last component ("in"): a public
 * page has no business showing the server's file system. */
static void
mask_folder(char *msg, const char *name)
{
    if (strncmp(name, "drop:", 5) != 0)
        return;
    const char *dir = name + 5;
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    size_t dn = strlen(dir), bn = strlen(base);
    if (dn == 0 || bn >= dn)
        return;
    char *at;
    while ((at = strstr(msg, dir)) != NULL) {
        memmove(at, base, bn);
        memmove(at + bn, at + dn, strlen(at + dn) + 1);
    }
}

/* Writes a duration: "45 s", "12 min", "3 h 05 min", "2 d 04 h". */
static void
duration_de(mld_time_t secs, char *out, size_t size)
{
    long long s = secs < 0 ? 0 : (long long)secs;
    if (s < 60)
        snprintf(out, size, "%lld s", s);
    else if (s < 3600)
        snprintf(out, size, "%lld min", s / 60);
    else if (s < 86400)
        snprintf(out, size, "%lld h %02lld min", s / 3600, s % 3600 / 60);
    else
        snprintf(out, size, "%lld d %02lld h", s / 86400, s % 86400 / 3600);
}

static void
set_time(json_t *o, const char *key, mld_time_t t)
{
    char s[MLD_TIME_SHORT_LEN + 1], iso[MLD_TIME_ISO_LEN + 1], k[64];
    mld_time_format_short(t, s);
    mld_time_format_iso(t, iso);
    mld_page_set_str(o, key, s);
    snprintf(k, sizeof(k), "%s_iso", key);
    mld_page_set_str(o, k, iso);
}

static json_t *
source_json(const struct mld_source_state *s, mld_time_t now)
{
    json_t *o = json_object();
    char buf[MLD_ERR_MSG_MAX + 64];
    bool polled = s->url != NULL && s->url[0] != '\0';
    if (polled) {
        mld_page_set_str(o, "name", s->name);
        mld_page_set_str(o, "kind", "Feed");
        host_of(s->url, buf, sizeof(buf));
        mld_page_set_str(o, "host", buf);
    } else {
        /* A drop folder is "drop:PATH": show its last component only. */
        const char *base = strrchr(s->name, '/');
        if (base != NULL)
            base++;
        else
            base = strncmp(s->name, "drop:", 5) == 0 ? s->name + 5 : s->name;
        snprintf(buf, sizeof(buf), "drop:%s", base);
        mld_page_set_str(o, "name", buf);
        mld_page_set_str(o, "kind", "Ablageordner");
    }
    bool never = s->last_success == 0 && s->last_error_at == 0;
    const char *state = never ? "noch nie abgefragt" : s->failures > 0 ? "gestört" : "in Ordnung";
    mld_page_set_str(o, "state", state);
    mld_page_set_str(o, "class", never ? "new" : s->failures > 0 ? "error" : "ok");
    json_object_set_new(o, "ok", json_boolean(!never && s->failures == 0));
    if (s->failures > 0)
        json_object_set_new(o, "failures", json_integer(s->failures));
    json_object_set_new(o, "items", json_integer(s->items));
    if (s->newest_item > 0) {
        duration_de(now - s->newest_item, buf, sizeof(buf));
        mld_page_set_str(o, "lag", buf);
        set_time(o, "newest_item", s->newest_item);
    }
    if (s->last_success > 0)
        set_time(o, "last_success", s->last_success);
    if (polled) {
        if (s->next_attempt <= now) {
            mld_page_set_str(o, "next_attempt", "fällig");
        } else {
            char d[48];
            duration_de(s->next_attempt - now, d, sizeof(d));
            snprintf(buf, sizeof(buf), "in %s", d);
            mld_page_set_str(o, "next_attempt", buf);
        }
    }
    if (s->last_error != NULL && s->last_error[0] != '\0') {
        mld_status_mask_urls(s->last_error, buf, sizeof(buf));
        if (!polled)
            mask_folder(buf, s->name);
        mld_page_set_str(o, "last_error", buf);
        set_time(o, "last_error_at", s->last_error_at);
        json_object_set_new(o, "error_resolved", json_boolean(s->last_success > s->last_error_at));
    }
    return o;
}

json_t *
mld_status_context(const struct mld_source_state *v, int n, mld_time_t now)
{
    json_t *ctx = json_object();
    json_t *list = json_array();
    int failing = 0;
    json_int_t items = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(list, source_json(&v[i], now));
        if (v[i].failures > 0)
            failing++;
        items += v[i].items;
    }
    json_object_set_new(ctx, "sources", list);
    json_object_set_new(ctx, "has_sources", json_boolean(n > 0));
    json_object_set_new(ctx, "count", json_integer(n));
    json_object_set_new(ctx, "failing", json_integer(failing));
    json_object_set_new(ctx, "items", json_integer(items));
    char label[64];
    mld_page_count_noun(label, sizeof(label), n, "Quelle", "Quellen");
    mld_page_set_str(ctx, "count_label", label);
    mld_page_count_noun(label, sizeof(label), (long)items, "Meldung", "Meldungen");
    mld_page_set_str(ctx, "items_label", label);
    char when[MLD_TIME_LONG_LEN + 1], iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_long(now, when);
    mld_time_format_iso(now, iso);
    mld_page_set_str(ctx, "generated", when);
    mld_page_set_str(ctx, "generated_iso", iso);
    return ctx;
}

void
mld_status_add_totals(json_t *ctx, const struct mld_store_totals *t)
{
    char label[64];
    mld_page_count_noun(label, sizeof(label), (long)t->articles, "Meldung", "Meldungen");
    mld_page_set_str(ctx, "articles_label", label);
    json_object_set_new(ctx, "visible", json_integer(t->visible));
    json_object_set_new(ctx, "embargoed", json_integer(t->embargoed));
    json_object_set_new(ctx, "withdrawn", json_integer(t->withdrawn + t->withheld));
    json_object_set_new(ctx, "held", json_integer(t->held));
    json_t *reasons = json_array();
    for (int i = 0; i < t->nreasons; i++) {
        json_t *o = json_object();
        mld_page_set_str(o, "reason",
                         t->reasons[i].name != NULL ? t->reasons[i].name : "ohne Angabe");
        json_object_set_new(o, "n", json_integer(t->reasons[i].n));
        json_array_append_new(reasons, o);
    }
    json_object_set_new(ctx, "held_reasons", reasons);
}

void
mld_status_add_webhooks(json_t *ctx, const struct mld_webhook_state *v, int n, mld_time_t now)
{
    json_t *list = json_array();
    int failing = 0;
    char buf[MLD_ERR_MSG_MAX + 64];
    for (int i = 0; i < n; i++) {
        const struct mld_webhook_state *s = &v[i];
        json_t *o = json_object();
        mld_page_set_str(o, "name", s->name);
        mld_page_set_str(o, "host", s->host);
        json_object_set_new(o, "delivered", json_integer(s->delivered));
        json_object_set_new(o, "failed", json_integer(s->failed));
        json_object_set_new(o, "queued", json_integer(s->queued));
        json_object_set_new(o, "dropped", json_integer(s->dropped + s->missed));
        bool bad = s->failures > 0;
        failing += bad;
        json_object_set_new(o, "failing", json_boolean(bad));
        bool never = s->delivered == 0 && s->failures == 0 && s->last_error_at == 0;
        mld_page_set_str(o, "state",
                         bad ? "gestört" : never ? "noch nichts gesendet" : "in Ordnung");
        mld_page_set_str(o, "class", bad ? "error" : never ? "new" : "ok");
        if (bad)
            json_object_set_new(o, "failures", json_integer(s->failures));
        if (s->last_success > 0)
            set_time(o, "last_success", s->last_success);
        if (s->last_error != NULL) {
            mld_status_mask_urls(s->last_error, buf, sizeof(buf));
            mld_page_set_str(o, "last_error", buf);
            set_time(o, "last_error_at", s->last_error_at);
            json_object_set_new(o, "error_resolved", json_boolean(!bad));
        }
        if (s->next_retry > 0) {
            char d[48];
            duration_de(s->next_retry - now, d, sizeof(d));
            snprintf(buf, sizeof(buf), "in %s", d);
            mld_page_set_str(o, "next_retry", buf);
        }
        json_array_append_new(list, o);
    }
    json_object_set_new(ctx, "webhooks", list);
    json_object_set_new(ctx, "has_webhooks", json_boolean(n > 0));
    json_object_set_new(ctx, "webhooks_failing", json_integer(failing));
    char label[64];
    mld_page_count_noun(label, sizeof(label), n, "Webhook", "Webhooks");
    mld_page_set_str(ctx, "webhooks_label", label);
}

struct mld_http_resp *
mld_status_handle(const struct mld_http_req *req, struct mld_store *st, pthread_mutex_t *lock,
                  const struct mld_tmpl_set *tmpl, const struct mld_page_site *site,
                  struct mld_webhooks *hooks)
{
    (void)req;
    struct mld_err err = {0};
    struct mld_source_state *v = NULL;
    int n = 0;
    mld_time_t now = mld_time_now();
    pthread_mutex_lock(lock);
    json_t *ctx = NULL;
    struct mld_store_totals totals;
    int rc = mld_store_sources(st, &v, &n, &err);
    if (rc == 0 && (rc = mld_store_totals(st, now, &totals, &err)) == 0) {
        ctx = mld_status_context(v, n, now);
        mld_status_add_totals(ctx, &totals);
        mld_store_totals_dispose(&totals);
        rc = mld_page_base_context(st, ctx, "Quellenstatus", NULL, now, &err);
        mld_page_site_context(ctx, site);
        mld_page_set_str(ctx, "template", "status");
        mld_seo_context(ctx, "status", site); /* seo: description, noindex */
    }
    pthread_mutex_unlock(lock);
    if (ctx != NULL) { /* hooks: the webhooks' state, under their own lock */
        struct mld_webhook_state *hv;
        int hn;
        mld_webhooks_state(hooks, now, &hv, &hn);
        mld_status_add_webhooks(ctx, hv, hn, now);
        mld_webhooks_state_free(hv, hn);
    }
    struct mld_http_resp *r = NULL;
    if (rc != 0) {
        json_decref(ctx);
        mld_log_error("%s: %s", MLD_STATUS_PATH, err.msg);
        r = mld_http_resp_text(500, "Interner Fehler\n", NULL);
        goto out_free;
    }
    struct mld_buf out;
    mld_buf_init(&out, MLD_MAX_PAGE_BYTES);
    rc = mld_tmpl_render(tmpl, "status", ctx, &out, &err);
    json_decref(ctx);
    if (rc == 0 && mld_buf_error(&out) != 0)
        rc = mld_err_set(&err, MLD_E_TOOBIG, "status page exceeds %u bytes",
                         (unsigned)MLD_MAX_PAGE_BYTES);
    if (rc != 0) {
        mld_log_error("%s: %s", MLD_STATUS_PATH, err.msg);
        r = mld_http_resp_text(500, "Interner Fehler\n", NULL);
    } else {
        r = mld_http_resp_new(200, "text/html; charset=utf-8", out.p ? out.p : "", out.len, 0);
        mld_http_resp_header(r, "Cache-Control", "no-store");
        r = mld_http_resp_finish(r, MLD_HTTP_GZIP);
    }
    mld_buf_dispose(&out);
out_free:
    for (int i = 0; i < n; i++)
        mld_source_state_dispose(&v[i]);
    mld_free(v);
    return r;
}
