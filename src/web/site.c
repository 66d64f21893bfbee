/*
 * site.c - request handling, page cache and invalidation (see site.h).
 *
 * The fast path is a cache hit: one hash lookup returns a prepared,
 * tagged response, and the HTTP layer does conditional GET and gzip
 * negotiation on it (the gzip copy made on the first request that asks
 * for gzip, MLD_HTTP_GZIP_LAZY). A miss renders on a read-only store
 * connection of its own (struct readers: up to MLD_SITE_READERS, opened
 * when first needed, each used by one render at a time; SQLite's WAL lets
 * them read side by side while a writer writes), so renders on different
 * threads do not wait for each other, and stores the result under the
 * cache generation read before rendering, so a render that raced an
 * invalidation is not kept. The writes (push, editors) and the refresh
 * keep the one read-write handle under the store lock.
 *
 * Reload (mld_site_reload, on SIGHUP): the templates, the static files,
 * the reloadable [site] settings, [metrics], [health], and - when they
 * changed - [push] and the [webhook NAME] sections are read in full
 * first; then, under the write side of conf_lock, they replace the ones
 * in use and the cache is cleared. Every request that reads them (a
 * render, /status, /metrics, /healthz, a push, a static file) holds the
 * read side, so none sees half of each; a cache hit needs none of them
 * and takes no lock. Keys read only at the start ([server], [enrich],
 * [ingest], [log], some of [site]) are compared with the file the server
 * started from, and one warning names each that changed. Lock order:
 * conf_lock, then lock.
 */
#include "site.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/config.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../ingest/json.h"
#include "../store/store.h"
#include "api.h"
#include "cache.h"
#include "editor.h"
#include "feed_out.h"
#include "live.h"
#include "metrics.h"
#include "observe.h"
#include "page.h"
#include "ratelimit.h"
#include "static.h"
#include "status.h"
#include "purge.h"
#include "push.h"
#include "tmpl.h"
#include "webhook.h"

/* The renders' read-only store connections: a stack of idle ones, and
 * how many are open (idle or in use). */
struct readers {
    pthread_mutex_t lock;
    pthread_cond_t freed;        /* signalled when one goes back on the stack */
    struct mld_store *idle[MLD_SITE_READERS];
    int nidle;                   /* idle connections on the stack */
    int open;                    /* connections open, idle or in use */
    bool failed;                 /* opening one failed: renders use st */
    char *path;                  /* the store's file, or the replica's URL */
};

struct mld_site {
    struct mld_store *st;        /* guarded by lock */
    struct mld_store *replica;   /* a hot standby's change log, whose pages the
                                    readers render: the refresh follows it, not
                                    st's (--replica); NULL: none. Guarded by lock */
    struct readers readers;      /* the renders' connections (readers_take) */
    pthread_mutex_t lock;        /* the store handle and the refresh state */
    pthread_rwlock_t conf_lock;  /* tmpl, files, settings (but base_url), the
                                    owned strings: read side to use, write
                                    side to replace (mld_site_reload) */
    struct mld_tmpl_set *tmpl;   /* replaced only by a reload */
    struct mld_cache *cache;     /* thread-safe itself */
    struct mld_static *files;    /* static/, prepared at open and reload */
    char *templates_dir, *static_dir, *config_path; /* what a reload reads */
    char *db_path;               /* the store's path: [push] quarantine */
    int64_t last_seq;            /* newest change-log entry applied */
    mld_time_t last_release;     /* embargoes ending up to here are applied */
    const struct mld_push *push; /* the push endpoint's settings, or NULL;
                                    replaced by a reload (conf_lock) */
    struct mld_push *push_owned; /* a push a reload made (the first is the
                                    caller's), freed by the site */
    struct mld_config *start_conf; /* the config file as the site started */
    struct mld_config *conf;     /* as last reloaded; NULL: start_conf */
    struct mld_page_site settings; /* [site] of the config; read-only after open */
    char *owned[5];              /* the settings' strings: name, base_url, links */
    char **sections;             /* settings.sections, owned */
    struct mld_live *live;       /* live updates (live.h); fed by refresh */
    int live_streams;            /* [site] live_streams: most open live streams */
    char logo[32], favicon[32];  /* settings.logo, settings.favicon (seo) */
    char *purge_url, *purge_token; /* [site] purge_url, purge_token, or NULL */
    struct mld_purge *purge;     /* the CDN purge worker, or NULL (purge.h) */
    struct mld_webhooks *hooks;  /* [webhook NAME] sections (webhook.h), or NULL */
    struct mld_ratelimit *logins; /* editors: failed logins by client address */
    struct mld_observe_config obs; /* [metrics], [health] (observe.h) */
    struct mld_metrics *metrics; /* request counters, fed by mld_site_request_done */
    char *quarantine_dir;        /* quarantine/ beside the store, counted on /metrics */
};

/* Keys of [site] this file reads; db is `meldung poll`'s (cmd_poll.c). */
static const char *const site_keys[] = {"name",    "base_url",    "impressum",
                                        "datenschutz", "kontakt", "sections",
                                        "show_story_reasons", "db", "live_streams",
                                        "purge_url", "purge_token", "templates", "static"};

/* True when v is an absolute http(s) URL, a mailto: address or a site
 * path ("/impressum"), with no space, quote or angle bracket. */
static bool
link_ok(const char *v)
{
    if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0 &&
        strncmp(v, "mailto:", 7) != 0 && !(v[0] == '/' && v[1] != '/'))
        return false;
    return strpbrk(v, " \t\"'<>") == NULL;
}

/* Parses a yes/no value of [site]; -1 when it is neither. */
static int
parse_bool(const char *v)
{
    static const char *const yes[] = {"yes", "ja", "true", "on", "1"};
    static const char *const no[] = {"no", "nein", "false", "off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Splits the comma-separated section names of v into site->sections. */
static int
read_sections(struct mld_site *site, const struct mld_config *conf, int sec, const char *v,
              struct mld_err *err)
{
    int n = 0;
    site->sections = mld_calloc(MLD_SITE_MAX_SECTIONS, sizeof(*site->sections));
    for (const char *p = v; *p != '\0';) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > b) {
            if (n == MLD_SITE_MAX_SECTIONS)
                return mld_err_set(err, MLD_E_PARSE, "%s: [site] sections: more than %d names",
                                   mld_config_where(conf, sec, "sections"),
                                   MLD_SITE_MAX_SECTIONS);
            site->sections[n++] = mld_strndup(b, (size_t)(e - b));
        }
        p += len;
        if (*p == ',')
            p++;
    }
    site->settings.sections = (const char *const *)site->sections;
    site->settings.nsections = n;
    return 0;
}

/* headers: [site] purge_url (an http(s) URL) and purge_token (sent as a
 * bearer token: printable ASCII, no space). */
static int
read_purge_settings(struct mld_site *site, const struct mld_config *conf, int sec,
                    struct mld_err *err)
{
    const char *url = mld_config_get(conf, sec, "purge_url");
    const char *token = mld_config_get(conf, sec, "purge_token");
    if (url != NULL && url[0] != '\0') {
        if (strncmp(url, "http", 4) != 0 || !link_ok(url))
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [site] purge_url must be an absolute http(s) URL, got '%s'",
                               mld_config_where(conf, sec, "purge_url"), url);
        site->purge_url = mld_strdup(url);
    }
    if (token != NULL && token[0] != '\0') {
        for (const char *p = token; *p != '\0'; p++)
            if (*p <= ' ' || *p == 0x7f)
                return mld_err_set(err, MLD_E_PARSE,
                                   "%s: [site] purge_token must be printable ASCII without "
                                   "spaces",
                                   mld_config_where(conf, sec, "purge_token"));
        if (site->purge_url == NULL)
            mld_log_warn("%s: [site] purge_token without purge_url: no purge calls are made",
                         mld_config_where(conf, sec, "purge_token"));
        site->purge_token = mld_strdup(token);
    }
    return 0;
}

/* Reads the [site] section of the config file at path into site's
 * settings; a missing file is an error, a missing section the defaults. */
static int
read_settings(struct mld_site *site, const char *path, struct mld_err *err)
{
    if (path == NULL)
        return 0;
    struct mld_config *conf;
    int rc = mld_config_load(&conf, path, err);
    if (rc != 0)
        return rc;
    int sec = mld_config_find(conf, "site", NULL);
    for (int k = 0; sec >= 0 && k < mld_config_nkeys(conf, sec); k++) {
        const char *key = mld_config_key(conf, sec, k);
        bool known = false;
        for (size_t i = 0; i < sizeof(site_keys) / sizeof(site_keys[0]) && !known; i++)
            known = strcmp(key, site_keys[i]) == 0;
        if (!known) /* another command's key, or a typo: say so, go on */
            mld_log_warn("%s: [site]: unknown key '%s' (the site reads name, base_url, "
                         "impressum, datenschutz, kontakt, sections, show_story_reasons, "
                         "live_streams, purge_url, purge_token, templates, static)",
                         mld_config_where(conf, sec, key), key);
    }
    static const char *const str_keys[] = {"name", "base_url", "impressum", "datenschutz",
                                           "kontakt"};
    for (int i = 0; sec >= 0 && i < 5 && rc == 0; i++) {
        const char *v = mld_config_get(conf, sec, str_keys[i]);
        if (v == NULL || v[0] == '\0')
            continue;
        if (i == 1 && (strncmp(v, "http", 4) != 0 || !link_ok(v)))
            rc = mld_err_set(err, MLD_E_PARSE,
                             "%s: [site] base_url must be an absolute http(s) URL, got '%s'",
                             mld_config_where(conf, sec, "base_url"), v);
        else if (i >= 2 && !link_ok(v))
            rc = mld_err_set(err, MLD_E_PARSE,
                             "%s: [site] %s must be an http(s) or mailto: URL or a path "
                             "starting with /, got '%s'",
                             mld_config_where(conf, sec, str_keys[i]), str_keys[i], v);
        else
            site->owned[i] = mld_strdup(v);
    }
    if (site->owned[1] != NULL) { /* "https://x.de/" and "https://x.de" are one */
        size_t n = strlen(site->owned[1]);
        while (n > 0 && site->owned[1][n - 1] == '/')
            site->owned[1][--n] = '\0';
    }
    site->settings.name = site->owned[0];
    site->settings.base_url = site->owned[1];
    site->settings.impressum = site->owned[2];
    site->settings.datenschutz = site->owned[3];
    site->settings.kontakt = site->owned[4];
    const char *v = sec >= 0 ? mld_config_get(conf, sec, "sections") : NULL;
    if (rc == 0 && v != NULL && v[0] != '\0')
        rc = read_sections(site, conf, sec, v, err);
    v = sec >= 0 ? mld_config_get(conf, sec, "show_story_reasons") : NULL;
    if (rc == 0 && v != NULL) {
        int b = parse_bool(v);
        if (b < 0)
            rc = mld_err_set(err, MLD_E_PARSE,
                             "%s: [site] show_story_reasons wants yes or no, got '%s'",
                             mld_config_where(conf, sec, "show_story_reasons"), v);
        site->settings.show_story_reasons = b == 1;
    }
    /* Live updates: how many streams may be open at once. */
    v = sec >= 0 ? mld_config_get(conf, sec, "live_streams") : NULL;
    if (rc == 0 && v != NULL) {
        char *end;
        long n = strtol(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || *end != '\0' || n > MLD_LIVE_MAX_STREAMS_CAP)
            rc = mld_err_set(err, MLD_E_PARSE,
                             "%s: [site] live_streams wants a number from 0 to %d, got '%s'",
                             mld_config_where(conf, sec, "live_streams"),
                             MLD_LIVE_MAX_STREAMS_CAP, v);
        else
            site->live_streams = (int)n;
    }
    if (rc == 0 && sec >= 0)
        rc = read_purge_settings(site, conf, sec, err);
    if (rc == 0) /* observability: [metrics], [health] */
        rc = mld_observe_configure(&site->obs, conf, err);
    if (rc == 0) /* what the next reload compares with */
        site->conf = conf;
    else
        mld_config_free(conf);
    return rc;
}

/* seo: the publisher logo and the favicon, when static/ holds them. */
static void
find_site_files(struct mld_site *site)
{
    static const char *const logos[] = {"logo.svg", "logo.png", "logo.jpg", "logo.webp"};
    static const char *const icons[] = {"favicon.svg", "favicon.png", "favicon.ico"};
    for (int k = 0; k < 2; k++) {
        const char *const *v = k == 0 ? logos : icons;
        size_t n = k == 0 ? sizeof(logos) / sizeof(logos[0]) : sizeof(icons) / sizeof(icons[0]);
        for (size_t i = 0; i < n; i++) {
            struct mld_http_resp *r = mld_static_get(site->files, v[i]);
            if (r == NULL)
                continue;
            mld_http_resp_unref(r);
            char *path = k == 0 ? site->logo : site->favicon;
            snprintf(path, sizeof(site->logo), "/static/%s", v[i]);
            if (k == 0)
                site->settings.logo = path;
            else
                site->settings.favicon = path;
            break;
        }
    }
}

/* seo: writes "http://HOST" of the request's Host header to out (size
 * bytes), lower-cased, when it is a plausible host name or address with
 * an optional port; false otherwise. */
static bool
request_base(const struct mld_http_req *req, char *out, size_t size)
{
    const char *host = mld_http_req_header(req, "Host");
    if (host == NULL || host[0] == '\0' || strlen(host) > MLD_HOST_MAX_BYTES)
        return false;
    for (const char *p = host; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    }
    int n = snprintf(out, size, "http://%s", host);
    if (n < 0 || (size_t)n >= size)
        return false;
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return true;
}

static void
skip_key(void *ud, const char *key)
{
    (void)ud;
    (void)key;
}

/* headers: what every answer of the site says to browsers (see
 * docs/internals/http.md, "Headers for a public site and a CDN"). The
 * pages run no inline script and carry no inline style: scripts and the
 * style sheet come from /static/ ('self'); the JSON-LD block is data
 * (type application/ld+json), which script-src does not govern. Article
 * pictures, audio and video may come from the agencies' https hosts. */
static const struct mld_http_default_header site_default_headers[] = {
    {"X-Content-Type-Options", "nosniff", NULL},
    {"Referrer-Policy", "strict-origin-when-cross-origin", NULL},
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
     "media-src 'self' https:; font-src 'self'; connect-src 'self'; manifest-src 'self'; "
     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
     NULL},
    {"Permissions-Policy",
     "camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=(), "
     "payment=(), usb=(), serial=(), hid=(), magnetometer=(), gyroscope=(), "
     "accelerometer=()",
     NULL},
    {NULL, NULL, NULL},
};

void
mld_site_request_done(void *ud, const struct mld_http_done *d)
{
    struct mld_site *site = ud;
    mld_metrics_request(site->metrics, d);
}

/* The parts /metrics and /healthz read (observe.h). */
static struct mld_observe_parts
observe_parts(struct mld_site *site)
{
    struct mld_observe_parts p = {
        .st = site->st,
        .lock = &site->lock,
        .cache = site->cache,
        .live = site->live,
        .hooks = site->hooks,
        .metrics = site->metrics,
        .quarantine_dir = site->quarantine_dir,
    };
    return p;
}

/* Takes an idle reader connection, opening one while fewer than
 * MLD_SITE_READERS are open, else waits for one. NULL when a connection
 * could not be opened (logged once): the caller renders on the
 * read-write handle under the store lock, as before readers existed. */
static struct mld_store *
readers_take(struct readers *rd)
{
    struct mld_store *st = NULL;
    pthread_mutex_lock(&rd->lock);
    while (!rd->failed && rd->nidle == 0 && rd->open == MLD_SITE_READERS)
        pthread_cond_wait(&rd->freed, &rd->lock);
    bool opening = false;
    if (rd->nidle > 0) {
        st = rd->idle[--rd->nidle];
    } else if (!rd->failed) {
        opening = true; /* counted now, opened outside the lock */
        rd->open++;
    }
    pthread_mutex_unlock(&rd->lock);
    if (!opening)
        return st;
    struct mld_err err = {0};
    if (mld_store_open_reader(&st, rd->path, &err) == 0)
        return st;
    pthread_mutex_lock(&rd->lock);
    if (!rd->failed)
        mld_log_error("%s; pages are rendered one at a time on the server's own connection",
                      err.msg);
    rd->failed = true;
    rd->open--;
    pthread_cond_broadcast(&rd->freed);
    pthread_mutex_unlock(&rd->lock);
    return NULL;
}

/* Puts st, taken with readers_take(), back on the idle stack. */
static void
readers_give(struct readers *rd, struct mld_store *st)
{
    pthread_mutex_lock(&rd->lock);
    rd->idle[rd->nidle++] = st;
    pthread_cond_signal(&rd->freed);
    pthread_mutex_unlock(&rd->lock);
}

/* Closes the idle connections (at close, every one is idle). */
static void
readers_close(struct readers *rd)
{
    while (rd->nidle > 0)
        mld_store_close(rd->idle[--rd->nidle]);
    mld_free(rd->path);
    pthread_cond_destroy(&rd->freed);
    pthread_mutex_destroy(&rd->lock);
}

/* Compiles every template of dir into a new *out and checks that the
 * pages' templates are there. On error *out is NULL and err names the
 * file (and for a compile error its line). */
static int
load_templates(struct mld_tmpl_set **out, const char *dir, struct mld_err *err)
{
    static const char *const needed[] = {
        "home",  "article", "list",         "topic",       "story",          "search",
        "error", "gone",    "editor_login", "editor_home", "editor_article", "editor_audit"};
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    int rc = mld_tmpl_set_load_dir(set, dir, err);
    for (size_t i = 0; rc == 0 && i < sizeof(needed) / sizeof(needed[0]); i++)
        if (!mld_tmpl_set_has(set, needed[i]))
            rc = mld_err_set(err, MLD_E_TEMPLATE, "%s/%s.mustache: missing", dir, needed[i]);
    if (rc != 0) {
        mld_tmpl_set_free(set);
        set = NULL;
    }
    *out = set;
    return rc;
}

/* Prepares every file under dir into *out and checks for style.css. */
static int
load_static(struct mld_static **out, const char *dir, struct mld_err *err)
{
    int rc = mld_static_load(out, dir, err);
    if (rc != 0)
        return rc;
    struct mld_http_resp *css = mld_static_get(*out, "style.css");
    if (css == NULL) {
        mld_static_free(*out);
        *out = NULL;
        return mld_err_set(err, MLD_E_IO, "%s/style.css: missing", dir);
    }
    mld_http_resp_unref(css);
    return 0;
}

/* Frees the strings read_settings() gave site. */
static void
settings_dispose(struct mld_site *site)
{
    mld_free(site->purge_url);
    mld_free(site->purge_token);
    for (int i = 0; i < 5; i++)
        mld_free(site->owned[i]);
    for (int i = 0; site->sections != NULL && i < MLD_SITE_MAX_SECTIONS; i++)
        mld_free(site->sections[i]);
    mld_free(site->sections);
}

/* The store whose change log says which cached pages to drop: the one
 * the pages are rendered from. With a replica that is the standby, which
 * shows a change only once it has replayed it: a page dropped at the
 * primary's word could be rendered again from the standby, still old,
 * and kept. */
static struct mld_store *
changes_of(struct mld_site *site)
{
    return site->replica != NULL ? site->replica : site->st;
}

int
mld_site_open(struct mld_site **out, const struct mld_site_config *cfg, struct mld_err *err)
{
    *out = NULL;
    mld_http_set_default_headers(site_default_headers); /* headers: before any response */
    struct mld_site *site = MLD_NEW(struct mld_site);
    pthread_mutex_init(&site->lock, NULL);
    pthread_mutex_init(&site->readers.lock, NULL);
    pthread_cond_init(&site->readers.freed, NULL);
    site->readers.path = mld_strdup(cfg->replica != NULL ? cfg->replica : cfg->db_path);
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    /* A reload must not wait behind a steady stream of readers. */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&site->conf_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    site->templates_dir = mld_strdup(cfg->templates_dir);
    site->static_dir = mld_strdup(cfg->static_dir);
    site->config_path = cfg->config_path != NULL ? mld_strdup(cfg->config_path) : NULL;
    site->push = cfg->push;
    site->live_streams = MLD_LIVE_MAX_STREAMS;
    site->metrics = mld_metrics_new();
    site->logins = mld_ratelimit_new(MLD_LOGIN_ADDR_FREE_FAILS, MLD_LOGIN_ADDR_BACKOFF_SECS,
                                     MLD_LOGIN_ADDR_MAX_SECS);
    char qdir[4096]; /* counted on /metrics */
    mld_store_quarantine_dir(cfg->db_path, qdir, sizeof(qdir));
    site->quarantine_dir = mld_strdup(qdir);
    site->db_path = mld_strdup(cfg->db_path);
    int rc = read_settings(site, cfg->config_path, err);
    site->start_conf = site->conf; /* restart-only keys stay as they are here */
    site->conf = NULL;
    if (rc == 0)
        rc = mld_store_open(&site->st, cfg->db_path, err);
    if (rc == 0 && cfg->replica != NULL)
        rc = mld_store_open_reader(&site->replica, cfg->replica, err);
    if (rc != 0)
        goto out_close;
    struct mld_store_health health;
    if (cfg->push != NULL && mld_store_health(site->st, &health, err) == 0 && !health.writable) {
        char where[256];
        mld_store_where(cfg->db_path, where, sizeof(where));
        mld_log_warn("push: %s takes no writes (a hot standby, or a file this user may not "
                     "write): every push will fail; a standby's primary goes to --db, the "
                     "standby to --replica",
                     where);
    }
    mld_err_clear(err);
    rc = load_templates(&site->tmpl, cfg->templates_dir, err);
    if (rc == 0)
        rc = load_static(&site->files, cfg->static_dir, err);
    if (rc != 0)
        goto out_close;
    find_site_files(site);
    site->cache = mld_cache_new(MLD_CACHE_MAX_ENTRIES);
    site->settings.nav = mld_page_nav_new();
    mld_json_setup(); /* jansson's allocator, before the webhook and HTTP threads */
    site->live = mld_live_new(site->live_streams, site->settings.base_url);
    /* hooks: webhooks hear the live hub's events, delivered off-thread. */
    if (site->start_conf != NULL) /* the file a reload compares with */
        rc = mld_webhooks_configure(&site->hooks, site->start_conf, site->settings.base_url, err);
    if (rc == 0 && site->hooks != NULL) {
        mld_live_on_news(site->live, mld_webhooks_news, site->hooks);
        rc = mld_webhooks_start(site->hooks, err);
    }
    if (rc != 0)
        goto out_close;
    /* Start from the present: the cache is empty, older changes are moot. */
    rc = mld_store_changes(changes_of(site), 0, skip_key, NULL, &site->last_seq, err);
    if (rc != 0)
        goto out_close;
    site->last_release = mld_time_now();
    if (site->purge_url != NULL) {
        rc = mld_purge_new(&site->purge, site->purge_url, site->purge_token, err);
        if (rc != 0)
            goto out_close;
        /* Changes made while no server ran were never purged: start
         * exact, as the local cache does, from the present. */
        mld_purge_add(site->purge, "*");
        mld_purge_kick(site->purge);
    }
    *out = site;
    return 0;

out_close:
    mld_site_close(site);
    return rc;
}

void
mld_site_close(struct mld_site *site)
{
    if (site == NULL)
        return;
    mld_purge_free(site->purge);
    mld_observe_config_dispose(&site->obs);
    mld_metrics_free(site->metrics);
    mld_free(site->quarantine_dir);
    mld_live_free(site->live);
    mld_webhooks_free(site->hooks); /* hooks */
    mld_ratelimit_free(site->logins);
    mld_cache_free(site->cache);
    mld_page_nav_free(site->settings.nav);
    mld_static_free(site->files);
    mld_tmpl_set_free(site->tmpl);
    readers_close(&site->readers);
    mld_store_close(site->replica);
    mld_store_close(site->st);
    settings_dispose(site);
    mld_free(site->templates_dir);
    mld_free(site->static_dir);
    mld_free(site->config_path);
    mld_free(site->db_path);
    mld_push_free(site->push_owned);
    mld_config_free(site->start_conf);
    mld_config_free(site->conf);
    pthread_rwlock_destroy(&site->conf_lock);
    pthread_mutex_destroy(&site->lock);
    mld_free(site);
}

/* Keys of [site] read only at the start: the cache keys, live hub and
 * webhooks use base_url; the hub is sized once; the purge worker and the
 * paths are made once. */
static const char *const site_restart_keys[] = {"base_url", "live_streams", "purge_url",
                                                "purge_token", "db", "templates", "static"};

/* Sections whose every key is read only at the start of `meldung serve`:
 * the listening socket and its limits, and the settings the ingest path
 * keeps in globals that the server's threads read without a lock. */
static const char *const restart_sections[] = {"server", "enrich", "ingest", "log"};

/* What a reload found changed between two config files. */
struct conf_changes {
    struct mld_buf restart; /* "[server] listen, [site] base_url" */
    bool push, webhooks;    /* a key of [push], of some [webhook NAME] */
};

/* An mld_config_diff callback for the keys that need a restart. */
static void
note_restart(void *ud, const char *kind, const char *name, const char *key)
{
    struct conf_changes *c = ud;
    bool restart = false;
    for (size_t i = 0; i < sizeof(restart_sections) / sizeof(restart_sections[0]); i++)
        restart = restart || strcmp(kind, restart_sections[i]) == 0;
    for (size_t i = 0; strcmp(kind, "site") == 0 && i < sizeof(site_restart_keys) /
                                                            sizeof(site_restart_keys[0]);
         i++)
        restart = restart || strcmp(key, site_restart_keys[i]) == 0;
    if (!restart)
        return;
    mld_buf_printf(&c->restart, "%s[%s%s%s] %s", c->restart.len > 0 ? ", " : "", kind,
                   name != NULL ? " " : "", name != NULL ? name : "", key);
}

/* An mld_config_diff callback for the sections a reload replaces whole. */
static void
note_replaced(void *ud, const char *kind, const char *name, const char *key)
{
    struct conf_changes *c = ud;
    c->push = c->push || strcmp(kind, "push") == 0;
    c->webhooks = c->webhooks || strcmp(kind, "webhook") == 0;
}

/* Reads what the reload of next replaces whole when it changed from the
 * config in use: [push] into *push (NULL: off), the [webhook NAME]
 * sections into *hooks (started). */
static int
read_replaced(const struct mld_site *site, const struct mld_site *next,
              const struct conf_changes *c, struct mld_push **push,
              struct mld_webhooks **hooks, struct mld_err *err)
{
    int rc = 0;
    if (c->push)
        rc = mld_push_new(push, next->conf, site->db_path, err);
    if (rc == 0 && c->webhooks && next->conf != NULL) {
        rc = mld_webhooks_configure(hooks, next->conf, site->settings.base_url, err);
        if (rc == 0 && *hooks != NULL)
            rc = mld_webhooks_start(*hooks, err);
    }
    return rc;
}

/* Swaps next's reloadable parts into site (next then holds the old ones),
 * with the write side of conf_lock held. */
static void
swap_in(struct mld_site *site, struct mld_site *next)
{
    struct mld_tmpl_set *t = site->tmpl;
    site->tmpl = next->tmpl;
    next->tmpl = t;
    struct mld_static *f = site->files;
    site->files = next->files;
    next->files = f;
    for (int i = 0; i < 5; i++) {
        if (i == 1) /* base_url: the cache keys, live hub and webhooks use it */
            continue;
        char *str = site->owned[i];
        site->owned[i] = next->owned[i];
        next->owned[i] = str;
    }
    char **secs = site->sections;
    site->sections = next->sections;
    next->sections = secs;
    struct mld_observe_config obs = site->obs; /* [metrics], [health] */
    site->obs = next->obs;
    next->obs = obs;
    struct mld_config *conf = site->conf;
    site->conf = next->conf;
    next->conf = conf;
    /* Field by field: base_url is read without the lock. */
    site->settings.sections = next->settings.sections;
    site->settings.nsections = next->settings.nsections;
    site->settings.show_story_reasons = next->settings.show_story_reasons;
    site->settings.name = site->owned[0];
    site->settings.impressum = site->owned[2];
    site->settings.datenschutz = site->owned[3];
    site->settings.kontakt = site->owned[4];
    site->settings.logo = NULL;
    site->settings.favicon = NULL;
    find_site_files(site);
}

int
mld_site_reload(struct mld_site *site)
{
    /* Read everything first, without a lock: a reload that fails anywhere
     * changes nothing. */
    struct mld_site *next = MLD_NEW(struct mld_site);
    struct mld_err err = {0};
    struct conf_changes c = {0};
    mld_buf_init(&c.restart, 4096); /* a line of key names */
    struct mld_push *push = NULL;
    struct mld_webhooks *hooks = NULL;
    next->live_streams = MLD_LIVE_MAX_STREAMS;
    int rc = read_settings(next, site->config_path, &err);
    if (rc == 0 && site->config_path != NULL) {
        mld_config_diff(site->start_conf, next->conf, note_restart, &c);
        mld_config_diff(site->conf != NULL ? site->conf : site->start_conf, next->conf,
                        note_replaced, &c);
        rc = read_replaced(site, next, &c, &push, &hooks, &err);
    }
    if (rc == 0)
        rc = load_templates(&next->tmpl, site->templates_dir, &err);
    if (rc == 0)
        rc = load_static(&next->files, site->static_dir, &err);
    if (rc != 0) {
        mld_log_error("reload: %s; the templates, static files and settings in use stay",
                      err.msg);
        mld_push_free(push);
        mld_webhooks_free(hooks);
    } else {
        if (c.restart.len > 0) /* one line, every key: what the operator must do */
            mld_log_warn("reload: %s: changed, but read only at the start - restart to "
                         "apply (the old values stay in use): %s",
                         site->config_path, c.restart.p);
        struct mld_webhooks *old_hooks = NULL;
        struct mld_push *old_push = NULL;
        pthread_rwlock_wrlock(&site->conf_lock);
        swap_in(site, next);
        pthread_mutex_lock(&site->lock);
        if (c.push) {
            site->push = push;
            old_push = site->push_owned; /* the first one is the caller's */
            site->push_owned = push;
        }
        if (c.webhooks) { /* the hub's news listener runs under lock */
            old_hooks = site->hooks;
            site->hooks = hooks;
            mld_live_on_news(site->live, hooks != NULL ? mld_webhooks_news : NULL, hooks);
        }
        mld_cache_clear(site->cache);
        mld_page_nav_changed(site->settings.nav); /* the sections' order may differ */
        mld_purge_add(site->purge, "*"); /* headers: the CDN's copies too */
        mld_purge_kick(site->purge);
        pthread_mutex_unlock(&site->lock);
        pthread_rwlock_unlock(&site->conf_lock);
        mld_push_free(old_push);
        mld_webhooks_free(old_hooks); /* events still queued there are logged as lost */
        mld_log_info("reload: templates from %s, static files from %s%s%s%s%s in use, every "
                     "cached page dropped",
                     site->templates_dir, site->static_dir,
                     site->config_path != NULL ? ", [site], [metrics], [health] of " : "",
                     site->config_path != NULL ? site->config_path : "",
                     c.push ? ", [push] anew" : "", c.webhooks ? ", [webhook] sections anew" : "");
    }
    mld_buf_dispose(&c.restart);
    mld_tmpl_set_free(next->tmpl);
    mld_static_free(next->files);
    mld_observe_config_dispose(&next->obs);
    mld_config_free(next->conf);
    settings_dispose(next);
    mld_free(next);
    return rc;
}

static void
drop_key(void *ud, const char *key)
{
    struct mld_site *site = ud;
    /* Any change may add or empty a section (a put, a withdrawal, a
     * release): the navigation is read again, at most once per refresh
     * with changes, instead of once per render. */
    mld_page_nav_changed(site->settings.nav);
    mld_purge_add(site->purge, key); /* headers: the CDN drops them too */
    if (strcmp(key, "*") == 0) {
        mld_log_info("cache: change log pruned past what was read: every page dropped");
        mld_cache_clear(site->cache);
        return;
    }
    int n = mld_cache_invalidate(site->cache, key);
    if (n > 0)
        mld_log_debug("cache: %s dropped %d page(s)", key, n);
}

/* A change-log entry: drops the pages it names and tells the live hub. */
static void
drop_key_at(void *ud, int64_t seq, mld_time_t at, const char *key)
{
    struct mld_site *site = ud;
    drop_key(site, key);
    mld_live_key(site->live, seq, at, key);
}

/* A key of an embargo release: the same, for the hub as a release. */
static void
drop_released_key(void *ud, const char *key)
{
    struct mld_site *site = ud;
    drop_key(site, key);
    mld_live_released_key(site->live, key);
}

int
mld_site_refresh(struct mld_site *site, struct mld_err *err)
{
    pthread_mutex_lock(&site->lock);
    mld_time_t now = mld_time_now();
    mld_time_t from = site->last_release;
    int rc = mld_store_changes_at(changes_of(site), site->last_seq, drop_key_at, site,
                                  &site->last_seq, err);
    if (rc == 0)
        rc = mld_store_released(changes_of(site), site->last_release, now, drop_released_key,
                                site, err);
    if (rc == 0)
        site->last_release = now;
    else
        mld_cache_clear(site->cache);
    if (rc != 0) {
        mld_page_nav_changed(site->settings.nav);
        mld_purge_add(site->purge, "*"); /* headers: the local clear, at the CDN */
    }
    mld_purge_kick(site->purge);
    /* Live events go out after the pages they link to were dropped. */
    struct mld_err lerr = {0};
    if (mld_live_flush(site->live, site->st, site->last_seq, from, now, &lerr) != 0)
        mld_log_error("live: %s", lerr.msg);
    pthread_mutex_unlock(&site->lock);
    return rc;
}

/* headers: Cache-Control for a CDN, and the page's change keys as
 * Surrogate-Key (Fastly, space-separated) and Cache-Tag (Cloudflare,
 * comma-separated), plus "site", so a purge of the keys the change log
 * names drops exactly the pages the local cache drops. A page whose keys
 * are not all known (tags_full) or not cacheable gets no keys and the
 * short shared lifetime. An API answer keeps the Cache-Control api.c set
 * (no-store for /changes). */
static void
cdn_headers(const struct mld_site *site, struct mld_http_resp *r, const struct mld_page *pg)
{
    bool keyed = pg->cacheable && !pg->tags_full && pg->ntags > 0;
    struct mld_buf sk, ct;
    mld_buf_init(&sk, MLD_CDN_KEY_HEADER_BYTES);
    mld_buf_init(&ct, MLD_CDN_KEY_HEADER_BYTES);
    char k[MLD_PURGE_MAX_KEY_BYTES + 1];
    for (int i = 0; keyed && i < pg->ntags; i++) {
        keyed = mld_purge_header_key(pg->tags[i], k, sizeof(k));
        if (keyed) { /* puts, not printf: a dozen keys per page */
            mld_buf_puts(&sk, k);
            mld_buf_putc(&sk, ' ');
            mld_buf_puts(&ct, k);
            mld_buf_putc(&ct, ',');
        }
    }
    if (keyed) {
        mld_buf_puts(&sk, MLD_PURGE_SITE_KEY);
        mld_buf_puts(&ct, MLD_PURGE_SITE_KEY);
        keyed = mld_buf_error(&sk) == 0 && mld_buf_error(&ct) == 0;
    }
    if (keyed) {
        mld_http_resp_header(r, "Surrogate-Key", sk.p);
        mld_http_resp_header(r, "Cache-Tag", ct.p);
    }
    mld_buf_dispose(&sk);
    mld_buf_dispose(&ct);
    if (mld_http_resp_get_header(r, "Cache-Control") != NULL)
        return;
    char cc[128];
    if (pg->status == 404 || pg->status == 400)
        snprintf(cc, sizeof(cc), "public, max-age=%d, s-maxage=%d", MLD_CDN_ERROR_MAX_AGE,
                 MLD_CDN_ERROR_MAX_AGE);
    else
        snprintf(cc, sizeof(cc), "public, max-age=%d, s-maxage=%d, stale-while-revalidate=%d",
                 MLD_CDN_MAX_AGE,
                 keyed && site->purge != NULL ? MLD_CDN_S_MAXAGE_PURGED : MLD_CDN_S_MAXAGE,
                 MLD_CDN_SWR);
    mld_http_resp_header(r, "Cache-Control", cc);
}

/* Turns a rendered page for path into a prepared response. */
static struct mld_http_resp *
page_resp(const struct mld_site *site, struct mld_page *pg, const char *path)
{
    const char *type = pg->content_type ? pg->content_type : "text/html; charset=utf-8";
    /* A copy of the exact size, not the render's buffer handed over: a
     * grown buffer shrunk in place left the page cache's bodies apart in
     * the heap (anonymous memory 92 -> 130 MB after 10,000 misses). */
    struct mld_http_resp *r = mld_http_resp_new(pg->status, type, pg->body.p ? pg->body.p : "",
                                                 pg->body.len, pg->last_modified);
    if (pg->status == 301)
        mld_http_resp_header(r, "Location", pg->location);
    if (mld_api_path(path)) /* api: CORS, and no-store for /changes */
        mld_api_resp_headers(r, path, pg->status);
    cdn_headers(site, r, pg);
    return mld_http_resp_finish(r, MLD_HTTP_GZIP_LAZY | MLD_HTTP_ETAG);
}

/* The value of query parameter name of the request ud (mld_page_args). */
static const char *
req_arg(const void *ud, const char *name)
{
    return mld_http_req_arg(ud, name);
}

/* The API's answer to a failed render: 500 with a JSON error. */
static struct mld_http_resp *
json_error_500(void)
{
    static const char body[] = "{\"error\":\"Interner Fehler\"}\n";
    struct mld_http_resp *r = mld_http_resp_new(500, MLD_PAGE_JSON_TYPE, body,
                                                 sizeof(body) - 1, 0);
    mld_http_resp_header(r, "Access-Control-Allow-Origin", "*"); /* api */
    mld_http_resp_header(r, "Cache-Control", "no-store");
    return mld_http_resp_finish(r, 0);
}

/* The routes that take a request body, and how large (the admit step,
 * http.h). Every other route refuses a body before it is read. */
static const struct mld_http_body_route site_body_routes[] = {
    {MLD_PUSH_PATH, MLD_HTTP_MAX_BODY_BYTES},
    {MLD_EDITOR_PREFIX "/login", MLD_EDITOR_LOGIN_BODY_MAX}, /* editors: forms */
    {MLD_EDITOR_PREFIX "/logout", MLD_EDITOR_LOGOUT_BODY_MAX},
    {MLD_EDITOR_PREFIX "/artikel/", MLD_EDITOR_ACTION_BODY_MAX},
    {MLD_EDITOR_PREFIX "/konten", MLD_EDITOR_ACCOUNT_BODY_MAX},
    {NULL, 0},
};

/* The 405 for a method path does not take: JSON under the API. */
static struct mld_http_resp *
not_allowed(const char *path)
{
    if (mld_api_path(path))
        return mld_api_not_allowed(); /* api: in JSON */
    return mld_http_resp_text(405, "Methode nicht erlaubt\n", "GET, HEAD");
}

void
mld_site_admit(void *ud, const struct mld_http_req *req, struct mld_http_admit *a)
{
    struct mld_site *site = ud;
    if (req->method == MLD_HTTP_POST)
        a->max_body = mld_http_body_limit(site_body_routes, req->path);
    if (strcmp(req->path, MLD_PUSH_PATH) == 0) {
        pthread_rwlock_rdlock(&site->conf_lock); /* a reload may replace [push] */
        mld_push_admit(site->push, req, a); /* the token, before the body */
        pthread_rwlock_unlock(&site->conf_lock);
    }
    else if (req->method == MLD_HTTP_POST && a->max_body == 0)
        a->resp = not_allowed(req->path);
}

struct mld_http_resp *
mld_site_handle(void *ud, const struct mld_http_req *req)
{
    struct mld_site *site = ud;
    /* The one route that takes POST; it stores under the site's lock. */
    if (strcmp(req->path, MLD_PUSH_PATH) == 0) {
        pthread_rwlock_rdlock(&site->conf_lock); /* [push]; lock order: then lock */
        struct mld_http_resp *pr = mld_push_handle(site->push, req, site->st, &site->lock);
        pthread_rwlock_unlock(&site->conf_lock);
        return pr;
    }
    /* editors: /redaktion/ and the admin gate of /status (editor.h). The
     * POST routes and their body limits: /redaktion/login
     * (MLD_EDITOR_LOGIN_BODY_MAX), /redaktion/logout (..._LOGOUT_...),
     * /redaktion/artikel/ID (..._ACTION_...), /redaktion/konten
     * (..._ACCOUNT_...). */
    if (mld_editor_path(req->path)) {
        pthread_rwlock_rdlock(&site->conf_lock); /* templates and settings */
        const struct mld_editor_env env = {site->st,        &site->lock,  site->tmpl,
                                           &site->settings, site->hooks, site->logins};
        struct mld_http_resp *er = mld_editor_handle(&env, req);
        pthread_rwlock_unlock(&site->conf_lock);
        return er;
    }
    if (req->method == MLD_HTTP_OPTIONS) { /* api: CORS preflight */
        struct mld_http_resp *pre = mld_api_preflight(req->path);
        if (pre != NULL)
            return pre;
    }
    if (req->method != MLD_HTTP_GET && req->method != MLD_HTTP_HEAD)
        return not_allowed(req->path);
    const char *path = req->path;
    if (strncmp(path, "/static/", 8) == 0) {
        pthread_rwlock_rdlock(&site->conf_lock);
        struct mld_http_resp *file = mld_static_get(site->files, path + 8);
        pthread_rwlock_unlock(&site->conf_lock);
        if (file != NULL)
            return file;
    }
    if (strcmp(path, "/favicon.ico") == 0) {
        /* seo: browsers ask here first; the SVG is the icon (static.c
         * sends it with its own type), or an operator's favicon.ico. */
        struct mld_http_resp *icon = NULL;
        pthread_rwlock_rdlock(&site->conf_lock);
        if (site->settings.favicon != NULL)
            icon = mld_static_get(site->files, "favicon.ico");
        if (site->settings.favicon != NULL && icon == NULL)
            icon = mld_static_get(site->files, site->settings.favicon + 8);
        pthread_rwlock_unlock(&site->conf_lock);
        if (icon != NULL)
            return icon;
    }
    if (strcmp(path, MLD_HEALTH_PATH) == 0 || strcmp(path, MLD_METRICS_PATH) == 0) {
        /* observability; [metrics], [health] and the webhooks: a reload's */
        pthread_rwlock_rdlock(&site->conf_lock);
        struct mld_observe_parts parts = observe_parts(site);
        struct mld_http_resp *or = strcmp(path, MLD_HEALTH_PATH) == 0
                                       ? mld_observe_health(&site->obs, &parts)
                                       : mld_observe_metrics(&site->obs, &parts, req);
        pthread_rwlock_unlock(&site->conf_lock);
        return or;
    }
    /* Live updates (live.h): a stream, never cached. */
    if (strcmp(path, MLD_LIVE_PATH) == 0 || strcmp(path, MLD_LIVE_PATH_ALIAS) == 0) {
        pthread_mutex_lock(&site->lock);
        struct mld_http_resp *lr =
            mld_live_handle(site->live, req, site->st, site->last_seq, mld_time_now());
        pthread_mutex_unlock(&site->lock);
        return lr;
    }

    const struct mld_page_args args = {req_arg, req};
    /* seo: pages carry absolute URLs. Without [site] base_url they are on
     * the request's host, which then leads the cache key. base_url is
     * read once at the start (a reload keeps it), so no lock is needed. */
    char base[MLD_HOST_MAX_BYTES + 16];
    size_t hk = 0;
    if (site->settings.base_url == NULL && request_base(req, base, sizeof(base)))
        hk = strlen(base);
    char key[MLD_HTTP_MAX_PATH_BYTES + MLD_HOST_MAX_BYTES + 48];
    memcpy(key, base, hk);
    bool keyed = mld_page_cache_key(path, &args, key + hk, sizeof(key) - hk);
    struct mld_http_resp *r = keyed ? mld_cache_get(site->cache, key) : NULL;
    if (r != NULL)
        return r;

    uint64_t gen = mld_cache_gen(site->cache);
    struct mld_page pg;
    struct mld_err err = {0};
    pthread_rwlock_rdlock(&site->conf_lock);
    struct mld_page_site settings = site->settings;
    if (hk > 0)
        settings.base_url = base;
    struct mld_store *rd = readers_take(&site->readers);
    if (rd == NULL)
        pthread_mutex_lock(&site->lock);
    /* One snapshot for the whole render: SQLite's read lock is taken once,
     * not per statement, and the page is consistent. Without one (a
     * failed BEGIN) each statement still reads on its own. */
    struct mld_err rerr = {0};
    if (rd != NULL && mld_store_read_begin(rd, &rerr) != 0)
        mld_log_warn("%s", rerr.msg);
    int rc = mld_page_render(rd != NULL ? rd : site->st, site->tmpl, &settings, path, &args,
                             mld_time_now(), &pg, &err);
    if (rd != NULL) {
        mld_store_read_end(rd);
        readers_give(&site->readers, rd);
    } else {
        pthread_mutex_unlock(&site->lock);
    }
    pthread_rwlock_unlock(&site->conf_lock);
    if (rc != 0) {
        mld_log_error("%s: %s", path, err.msg);
        bool json = pg.content_type != NULL;
        mld_page_dispose(&pg);
        return json ? json_error_500() : mld_http_resp_text(500, "Interner Fehler\n", NULL);
    }
    r = page_resp(site, &pg, path);
    if (keyed && pg.cacheable)
        mld_cache_put(site->cache, key, r, (const char *const *)pg.tags, pg.ntags, gen);
    mld_page_dispose(&pg);
    return r;
}
