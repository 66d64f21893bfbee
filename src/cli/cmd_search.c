/*
 * cmd_search.c - `meldung search QUERY`: the site's search from a shell.
 *
 * Runs mld_store_search() on the store as the site would, at the current
 * time (embargoed and withdrawn articles stay hidden), and prints one
 * block per hit: date (Berlin time), section, headline and the article's
 * path, then the snippet with the matches bold on a terminal or in
 * [brackets] otherwise. --json prints the same as one JSON object, each
 * hit in the item shape of the JSON API (src/web/api.c, docs/api.md) with
 * the snippet as the HTML the site shows. A query without a searchable
 * word is a usage error with the reader's message. --config names the
 * configuration whose [enrich] dictionary the store's index was built
 * with (the analyzer must match it, see docs/internals/search.md).
 *
 * Query words may start with '-' (a NOT term: `meldung search Kreml
 * -Boerse`): an argument is an option only when it is one of the options
 * below (or an unknown "--name", which is an error); any other "-word" is
 * query text, and "--" makes every later argument query text.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "../store/store.h"
#include "../web/api.h"

static const char usage_text[] =
    "meldung search [--config FILE] [--db FILE] [--section SLUG] [--topic SLUG] [--from YYYY-MM-DD] "
    "[--to YYYY-MM-DD] [--limit N] [--page N] [--json] QUERY...";

/* Hits per page unless --limit says otherwise. */
#define DEFAULT_LIMIT 10

#define STR_(x) #x
#define STR(x) STR_(x)

static const char help_text[] =
    "Searches the stored articles as the site does: visible ones only, best first,\n"
    "one per story. QUERY: words, \"a phrase\", prefix*, -not, a OR b.\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ")\n"
    "  --section SLUG     only this section (default: all)\n"
    "  --topic SLUG       only this topic (default: all)\n"
    "  --from YYYY-MM-DD  published on or after that day, Berlin time (default: open)\n"
    "  --to YYYY-MM-DD    published on or before that day (default: open)\n"
    "  --limit N          hits per page, 1 to " STR(MLD_SEARCH_MAX_LIMIT) " (default "
    STR(DEFAULT_LIMIT) ")\n"
    "  --page N           which page of hits (default 1)\n"
    "  --json             print JSON instead of text\n"
    "  --config FILE      the configuration whose [enrich] dictionary built the index\n"
    "                     (default $" MLD_ENV_CONFIG ", else none)\n"
    "  --help             this text\n"
    "  --                 every later argument is query text\n";

/* Parses a YYYY-MM-DD date as the start of that day in Berlin; with
 * next_day, as the start of the following day (so --to is inclusive).
 * Returns 0, or -1 when s is not such a date. */
static int
parse_day(const char *s, bool next_day, mld_time_t *out)
{
    mld_time_t t;
    if (strlen(s) != 10 || mld_time_parse_iso(s, 10, &t) != 0)
        return -1;
    if (next_day)
        t += 86400;
    *out = t - mld_time_berlin_offset(t);
    return 0;
}

/* Writes a hit's snippet as terminal text on one line: the matches
 * bold (tty) or in '[' and ']'. */
static void
print_snippet(const struct mld_hit *h, bool tty)
{
    const char *t = h->snippet;
    size_t len = strlen(t), at = 0;
    struct mld_span *m = mld_calloc(h->nmarks > 0 ? (size_t)h->nmarks : 1, sizeof(*m));
    if (h->nmarks > 0)
        memcpy(m, h->marks, (size_t)h->nmarks * sizeof(*m));
    int n = mld_highlight_clean(t, len, m, h->nmarks), k = 0;
    for (; at < len; at++) {
        if (k < n && at == m[k].start)
            fputs(tty ? "\033[1m" : "[", stdout);
        putchar(t[at] == '\n' || t[at] == '\t' || t[at] == '\r' ? ' ' : t[at]); /* one line */
        if (k < n && at + 1 == m[k].end) {
            fputs(tty ? "\033[0m" : "]", stdout);
            k++;
        }
    }
    mld_free(m);
}

/* Prints the hits as text blocks. */
static void
print_text(const struct mld_hits *h, int page)
{
    bool tty = isatty(STDOUT_FILENO);
    for (int i = 0; i < h->n; i++) {
        const struct mld_item *it = &h->v[i].item;
        char when[MLD_TIME_SHORT_LEN + 1];
        mld_time_format_short(it->published, when);
        printf("%s  %s  %s  /artikel/%s-%lld\n", when, it->a->section ? it->a->section : "-",
               it->a->headline ? it->a->headline : "", it->slug, (long long)it->id);
        if (h->v[i].snippet != NULL && h->v[i].snippet[0] != '\0') {
            fputs("    ", stdout);
            print_snippet(&h->v[i], tty);
            putchar('\n');
        }
    }
    if (h->n == 0)
        printf("no hits\n");
    if (h->suggestion != NULL)
        printf("did you mean: %s\n", h->suggestion);
    if (h->more)
        printf("more hits: --page %d\n", page + 1);
}

/* Prints the hits as one JSON object: the search API's answer without
 * its URLs, each hit in the shape every JSON answer of meldung shares
 * (mld_api_hit_json, docs/api.md). */
static void
print_json(const struct mld_hits *h, const char *text, const struct mld_search *q)
{
    json_t *hits = json_array();
    for (int i = 0; i < h->n; i++)
        json_array_append_new(hits, mld_api_hit_json(&h->v[i]));
    json_t *root = json_object();
    json_object_set_new(root, "query", mld_api_str(text));
    json_object_set_new(root, "hits", hits);
    json_object_set_new(root, "offset", json_integer(q->offset));
    json_object_set_new(root, "limit", json_integer(q->limit));
    json_object_set_new(root, "more", json_boolean(h->more));
    json_object_set_new(root, "suggestion", mld_api_str(h->suggestion));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
}

/* Joins the query words of argv[first..argc) with spaces (mld_free). */
static char *
join_args(int argc, char **argv, int first)
{
    size_t n = 1;
    for (int i = first; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = mld_malloc(n);
    s[0] = '\0';
    size_t at = 0;
    for (int i = first; i < argc; i++)
        at += (size_t)snprintf(s + at, n - at, "%s%s", i > first ? " " : "", argv[i]);
    return s;
}

int
mld_cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},      {"section", required_argument, NULL, 's'},
        {"topic", required_argument, NULL, 't'},   {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'u'},      {"limit", required_argument, NULL, 'l'},
        {"page", required_argument, NULL, 'p'},    {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = mld_cli_default_db(), *config = NULL;
    struct mld_search q = {.limit = DEFAULT_LIMIT, .entries = true}; /* no body shown */
    int page = 1, c;
    bool json = false;
    static const char optstring[] = "+d:h";
    /* Split the arguments: options go to getopt, the rest is the query. */
    char **optv = mld_reallocarray(NULL, (size_t)argc + 1, sizeof(*optv));
    char **words = mld_reallocarray(NULL, (size_t)argc + 1, sizeof(*words));
    int optc = 0, nwords = 0;
    optv[optc++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                words[nwords++] = argv[i];
            break;
        }
        if (strncmp(a, "--", 2) == 0) {
            size_t n = strcspn(a + 2, "=");
            const struct option *o = opts;
            while (o->name != NULL && (strlen(o->name) != n || strncmp(o->name, a + 2, n) != 0))
                o++;
            optv[optc++] = argv[i];
            if (o->name != NULL && o->has_arg == required_argument && a[2 + n] == '\0' &&
                i + 1 < argc)
                optv[optc++] = argv[++i];
        } else if (strcmp(a, "-h") == 0) {
            optv[optc++] = argv[i];
        } else if (strncmp(a, "-d", 2) == 0) {
            optv[optc++] = argv[i];
            if (a[2] == '\0' && i + 1 < argc)
                optv[optc++] = argv[++i];
        } else {
            words[nwords++] = argv[i]; /* a word, or a NOT term ("-Boerse") */
        }
    }
    optv[optc] = NULL;
    int status = -1;
    optind = 1;
    while (status < 0 && (c = getopt_long(optc, optv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 's': q.section_slug = optarg; break;
        case 't': q.topic_slug = optarg; break;
        case 'f':
            if (parse_day(optarg, false, &q.from) != 0)
                status = mld_cli_usage("search", usage_text, "--from wants YYYY-MM-DD");
            break;
        case 'u':
            if (parse_day(optarg, true, &q.to) != 0)
                status = mld_cli_usage("search", usage_text, "--to wants YYYY-MM-DD");
            break;
        case 'l':
            if (mld_cli_parse_int(optarg, 1, MLD_SEARCH_MAX_LIMIT, &q.limit) != 0)
                status = mld_cli_usage("search", usage_text, "--limit wants 1 to %d",
                                       MLD_SEARCH_MAX_LIMIT);
            break;
        case 'p':
            if (mld_cli_parse_int(optarg, 1, MLD_SEARCH_MAX_OFFSET + 1, &page) != 0)
                status = mld_cli_usage("search", usage_text, "--page wants a number from 1");
            break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: %s\n\n%s", usage_text, help_text);
            status = 0;
            break;
        default: status = mld_cli_bad_option("search", usage_text, optstring, optv);
        }
    }
    if (status < 0 && nwords == 0)
        status = mld_cli_usage("search", usage_text, "what to search for?");
    if (status < 0 && (long)(page - 1) * q.limit > MLD_SEARCH_MAX_OFFSET)
        status = mld_cli_usage("search", usage_text, "pages end after %d hits",
                               MLD_SEARCH_MAX_OFFSET);
    mld_free(optv);
    if (status < 0 && mld_cli_enrich_config(config) != 0) /* the index's word list */
        status = 1;
    if (status < 0 && !mld_store_exists(db)) {
        fprintf(stderr,
                "meldung: error: %s: no store there (`meldung ingest --db %s FILE...` "
                "makes one)\n",
                db, db);
        status = 1;
    }
    if (status >= 0) {
        mld_free(words);
        return status;
    }
    q.offset = (page - 1) * q.limit;
    struct mld_err err = {0};
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        mld_free(words);
        return 1;
    }
    char *text = join_args(nwords, words, 0);
    mld_free(words);
    q.text = text;
    q.now = mld_time_now();
    struct mld_hits hits;
    int rc = mld_store_search(st, &q, &hits, &err);
    mld_store_close(st);
    if (rc == MLD_E_PARSE) {
        mld_free(text);
        return mld_cli_usage("search", usage_text, "%s", err.msg);
    }
    if (rc != 0) {
        mld_free(text);
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        return 1;
    }
    if (json)
        print_json(&hits, text, &q);
    else
        print_text(&hits, page);
    mld_free(text);
    mld_hits_dispose(&hits);
    return 0;
}
