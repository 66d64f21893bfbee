/*
 * cmd_serve.c - `meldung serve`: the news site over HTTP.
 *
 * Starts the HTTP server on the listen address, prints the URL readers
 * can open, then refreshes the page cache from the store's change log
 * every MLD_SERVE_REFRESH_MS until SIGINT or SIGTERM. --config FILE
 * reads the [push] section that turns on POST /api/v1/push (push.h), the
 * [enrich] section that pushed articles are enriched by (enrich.h) and
 * [log], whose access log (access_log.h) hears every finished request,
 * as the site's /metrics counters do (observe.h).
 * A store that does not exist is refused (with the hint to ingest first)
 * rather than created empty: a mistyped --db would serve an empty site.
 * SIGHUP sets a flag; the loop below then reloads the site (templates,
 * static files, [site], [push], [webhook NAME], [metrics], [health];
 * mld_site_reload) outside the signal handler,
 * while the HTTP threads keep serving every open connection, and reopens
 * the access log's file (log rotation).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/config.h"
#include "../base/log.h"
#include "../enrich/enrich.h"
#include "../pipeline/pipeline.h"
#include "../web/access_log.h"
#include "../web/http.h"
#include "../web/push.h"
#include "../web/site.h"

/* How often the cache learns of store changes and ended embargoes. */
#define MLD_SERVE_REFRESH_MS 100

static const char usage_text[] =
    "meldung serve [--db FILE] [--replica URL] [--listen HOST:PORT] [--templates DIR] "
    "[--static DIR] [--threads N] [--config FILE] [--verbose]";

static const char help_text[] =
    "Serves the news site over HTTP until SIGINT/SIGTERM; SIGHUP re-reads the templates,\n"
    "the static files, [site], [push], [webhook NAME], [metrics] and [health] and names\n"
    "the changed keys that need a restart (docs/operating.md, \"Reload\"). With a [push] section in\n"
    "the configuration, also POST /api/v1/push; with [webhook NAME] sections, POSTs\n"
    "each new and withdrawn article, signed, to their URLs. /metrics and /healthz\n"
    "report on it; [log] access writes an access log, which SIGHUP reopens.\n"
    "\n"
    "  --db FILE          the store, which must exist (default $" MLD_ENV_DB ", else\n"
    "                     " MLD_DEFAULT_DB "; `meldung ingest` makes it)\n"
    "  --replica URL      a PostgreSQL hot standby of the --db database: pages are read\n"
    "                     from it, writes (push, editors) go to --db; the cache follows\n"
    "                     the standby's change log (docs/operating.md, \"Several nodes\")\n"
    "  --listen HOST:PORT where to listen (default $" MLD_ENV_LISTEN ", else 127.0.0.1:8080;\n"
    "                     port 0: any free one)\n"
    "  --templates DIR    the page templates (default: $" MLD_ENV_DATADIR "/templates, else\n"
    "                     [site] templates, else templates/ when it has home.mustache,\n"
    "                     else the installed ones)\n"
    "  --static DIR       style sheet and other static files (default: the same order,\n"
    "                     with static/ and style.css)\n"
    "  --threads N        HTTP worker threads, 0 to 256 (default 0: one per core)\n"
    "  --config FILE      the [site], [server], [push], [enrich], [webhook NAME], [log]\n"
    "                     (format, access log), [metrics] and [health] sections of\n"
    "                     FILE (default $" MLD_ENV_CONFIG ", else none)\n"
    "  --verbose          a line per request and per article\n"
    "  --help             this text\n";

static volatile sig_atomic_t stopping, reloading;

/* What each finished request goes to: the site's counters (/metrics) and
 * the access log, when one is on. */
struct observers {
    struct mld_site *site;
    struct mld_access_log *access; /* NULL: off */
};

/* An mld_http_done_fn: hands d to both observers. */
static void
request_done(void *ud, const struct mld_http_done *d)
{
    const struct observers *o = ud;
    mld_site_request_done(o->site, d);
    if (o->access != NULL)
        mld_access_log_request(o->access, d);
}

static void
on_signal(int sig)
{
    if (sig == SIGHUP)
        reloading = 1;
    else
        stopping = 1;
}

/* Splits "HOST:PORT" (host may be empty for 127.0.0.1). */
static int
parse_listen(const char *s, char *host, size_t hostsz, int *port)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL)
        return -1;
    size_t n = (size_t)(colon - s);
    if (n >= hostsz)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    if (n == 0)
        snprintf(host, hostsz, "127.0.0.1");
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || colon[1] == '\0' || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

int
mld_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"replica", required_argument, NULL, 'r'},
        {"listen", required_argument, NULL, 'l'},
        {"templates", required_argument, NULL, 't'},
        {"static", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct mld_site_config cfg = {.db_path = mld_cli_default_db()};
    const char *listen = mld_cli_env(MLD_ENV_LISTEN);
    if (listen == NULL)
        listen = "127.0.0.1:8080";
    const char *config_path = NULL;
    int threads = 0;
    int c;
    optind = 1;
    static const char optstring[] = "d:r:l:t:s:n:c:vh";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'd': cfg.db_path = optarg; break;
        case 'r': cfg.replica = optarg; break;
        case 'l': listen = optarg; break;
        case 't': cfg.templates_dir = optarg; break;
        case 's': cfg.static_dir = optarg; break;
        case 'c': config_path = optarg; break;
        case 'n':
            if (mld_cli_parse_int(optarg, 0, 256, &threads) != 0)
                threads = -1;
            break;
        case 'v': mld_log_set_level(MLD_LOG_DEBUG); break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("serve", usage_text, optstring, argv);
        }
    }
    if (optind != argc)
        return mld_cli_usage("serve", usage_text, "unexpected argument '%s'", argv[optind]);
    char host[256];
    struct mld_http_config hc = {.host = host, .threads = threads};
    if (parse_listen(listen, host, sizeof(host), &hc.port) != 0)
        return mld_cli_usage("serve", usage_text, "--listen wants HOST:PORT, got '%s'", listen);
    if (threads < 0 || threads > 256)
        return mld_cli_usage("serve", usage_text, "--threads wants 0 to 256");
    if (cfg.replica != NULL && !(mld_store_is_url(cfg.replica) && mld_store_is_url(cfg.db_path)))
        return mld_cli_usage("serve", usage_text,
                             "--replica wants a PostgreSQL URL, with --db naming its primary");

    struct mld_err err = {0};
    struct mld_config *conf = NULL;
    struct mld_push *push = NULL;
    struct mld_access_log *access = NULL;
    if (mld_cli_env_config(&config_path) != 0)
        return 1;
    if (config_path != NULL && (mld_config_load(&conf, config_path, &err) != 0 ||
                                mld_log_configure(conf, &err) != 0 ||
                                mld_enrich_configure(conf, &err) != 0 ||
                                mld_http_config_read(&hc, conf, &err) != 0 ||
                                mld_pipeline_configure(conf, &err) != 0 ||
                                mld_push_new(&push, conf, cfg.db_path, &err) != 0)) {
        mld_log_error("%s", err.msg);
        mld_config_free(conf);
        mld_push_free(push);
        return 1;
    }
    hc.admit = mld_site_admit;
    /* Where templates and static files come from (paths.c has the order). */
    int sec = conf != NULL ? mld_config_find(conf, "site", NULL) : -1;
    char tdir[4096], sdir[4096];
    cfg.templates_dir =
        mld_cli_data_dir(tdir, sizeof(tdir), cfg.templates_dir,
                         sec >= 0 ? mld_config_get(conf, sec, "templates") : NULL, "templates",
                         "home.mustache");
    cfg.static_dir = mld_cli_data_dir(sdir, sizeof(sdir), cfg.static_dir,
                                      sec >= 0 ? mld_config_get(conf, sec, "static") : NULL,
                                      "static", "style.css");
    struct mld_site *site = NULL;
    struct stat dbst;
    int rc = mld_store_is_url(cfg.db_path) ? 0 : stat(cfg.db_path, &dbst);
    if (rc != 0 && errno == ENOENT)
        mld_log_error("%s: no store there; run `meldung ingest --db %s FILE...` first "
                      "(or name the store with --db)",
                      cfg.db_path, cfg.db_path);
    else if (rc != 0)
        mld_log_error("%s: %s", cfg.db_path, strerror(errno));
    cfg.push = push;
    cfg.config_path = config_path; /* [site]: name, footer links, section order */
    if (rc == 0 && mld_site_open(&site, &cfg, &err) != 0) { /* it copies the paths */
        mld_log_error("%s", err.msg);
        rc = 1;
    }
    /* [log] access: opened last, so that no writer thread outlives a
     * failed start. */
    if (rc == 0 && conf != NULL && mld_access_log_open(&access, conf, &err) != 0) {
        mld_log_error("%s", err.msg);
        rc = 1;
    }
    char where[256];
    mld_store_where(cfg.db_path, where, sizeof(where));
    char standby[256], replica[300] = "";
    if (cfg.replica != NULL) {
        mld_store_where(cfg.replica, standby, sizeof(standby));
        snprintf(replica, sizeof(replica), ", pages read from %s", standby);
    }
    if (rc == 0)
        mld_log_info("templates from %s, static files from %s, store %s%s", cfg.templates_dir,
                     cfg.static_dir, where, replica);
    struct observers obs = {site, access};
    hc.on_done = request_done;
    hc.done_ud = &obs;
    struct mld_http_server *srv = NULL;
    if (rc == 0 && mld_http_server_start(&srv, &hc, mld_site_handle, site, &err) != 0) {
        mld_log_error("%s", err.msg);
        rc = 1;
    }
    mld_config_free(conf); /* the start copied hc's strings */
    if (rc != 0) {
        mld_access_log_close(access);
        mld_site_close(site);
        mld_push_free(push);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("meldung: serving http://%s:%d/\n", host, mld_http_server_port(srv));
    fflush(stdout);
    if (push != NULL)
        mld_log_info("push: POST %s takes documents with a bearer token", MLD_PUSH_PATH);
    struct mld_store_listen *changes = NULL;
    /* A standby takes no LISTEN: with a replica the wait is a timer. */
    mld_store_listen_open(&changes, cfg.replica != NULL ? cfg.replica : cfg.db_path, &err);
    while (!stopping) {
        mld_store_listen_wait(changes, MLD_SERVE_REFRESH_MS);
        if (reloading) {
            reloading = 0;
            mld_log_info("SIGHUP: reloading");
            mld_site_reload(site); /* it logs what it did, or why not */
            mld_access_log_reopen(access); /* log rotation */
        }
        if (mld_site_refresh(site, &err) != 0) {
            mld_log_error("refresh: %s", err.msg);
            mld_err_clear(&err);
        }
    }
    mld_log_info("stopping");
    mld_store_listen_close(changes);
    mld_http_server_stop(srv);
    mld_access_log_close(access); /* after the server: every request is in it */
    mld_site_close(site);
    mld_push_free(push);
    return 0;
}
