/*
 * cmd_search.c - `meldung search QUERY`: the site's search from a shell.
 *
 * Runs mld_store_search() on the store as the site would, at the current
 * time (embargoed and withdrawn articles stay hidden), and prints one
 * block per hit: date (Berlin time), section, headline and the article's
 * path, then the snippet with the matches bold on a terminal or in
 * [brackets] otherwise. --json prints the same as one JSON object
 * (snippets as the HTML the site shows). A query without a searchable
 * word is a usage error with the reader's message. --config names the
 * configuration whose [enrich] dictionary the store's index was built
 * with (the analyzer must match it, see docs/internals/search.md).
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

static const char usage_text[] =
    "meldung search [--config FILE] [--db FILE] [--section SLUG] [--topic SLUG] [--from YYYY-MM-DD] "
    "[--to YYYY-MM-DD] [--limit N] [--page N] [--json] QUERY...";

/* Hits per page unless --limit says otherwise. */
#define DEFAULT_LIMIT 10

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

/* Parses a whole number in [min, max]. Returns 0, or -1. */
static int
parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* Writes the snippet's HTML as terminal text on one line: entities
 * decoded, <mark> as bold (tty) or '[', </mark> as its end or ']'. */
static void
print_snippet(const char *html, bool tty)
{
    static const struct {
        const char *from, *to;
    } entities[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
    for (const char *p = html; *p != '\0';) {
        if (strncmp(p, "<mark>", 6) == 0) {
            fputs(tty ? "\033[1m" : "[", stdout);
            p += 6;
            continue;
        }
        if (strncmp(p, "</mark>", 7) == 0) {
            fputs(tty ? "\033[0m" : "]", stdout);
            p += 7;
            continue;
        }
        size_t i = 0, n = sizeof(entities) / sizeof(entities[0]);
        while (i < n && strncmp(p, entities[i].from, strlen(entities[i].from)) != 0)
            i++;
        if (i < n) {
            fputs(entities[i].to, stdout);
            p += strlen(entities[i].from);
        } else {
            putchar(*p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p); /* one line */
            p++;
        }
    }
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
            print_snippet(h->v[i].snippet, tty);
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

/* Prints the hits as one JSON object. */
static void
print_json(const struct mld_hits *h)
{
    json_t *hits = json_array();
    for (int i = 0; i < h->n; i++) {
        const struct mld_item *it = &h->v[i].item;
        char when[MLD_TIME_ISO_LEN + 1], path[MLD_MAX_ID_BYTES + 128];
        mld_time_format_iso(it->published, when);
        snprintf(path, sizeof(path), "/artikel/%s-%lld", it->slug, (long long)it->id);
        json_array_append_new(
            hits, json_pack("{s:I, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:f}", "id",
                            (json_int_t)it->id, "urn", it->a->urn, "url", path, "published",
                            when, "section", it->a->section, "kicker", it->a->kicker,
                            "headline", it->a->headline, "snippet",
                            h->v[i].snippet ? h->v[i].snippet : "", "score", h->v[i].score));
    }
    json_t *root = json_pack("{s:o, s:b, s:s?}", "hits", hits, "more", h->more, "suggestion",
                             h->suggestion);
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
    const char *db = MLD_DEFAULT_DB, *config = NULL;
    struct mld_search q = {.limit = DEFAULT_LIMIT};
    int page = 1, c;
    bool json = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 's': q.section_slug = optarg; break;
        case 't': q.topic_slug = optarg; break;
        case 'f':
            if (parse_day(optarg, false, &q.from) != 0)
                return mld_cli_usage("search", usage_text, "--from wants YYYY-MM-DD");
            break;
        case 'u':
            if (parse_day(optarg, true, &q.to) != 0)
                return mld_cli_usage("search", usage_text, "--to wants YYYY-MM-DD");
            break;
        case 'l':
            if (parse_int(optarg, 1, MLD_SEARCH_MAX_LIMIT, &q.limit) != 0)
                return mld_cli_usage("search", usage_text, "--limit wants 1 to %d",
                                     MLD_SEARCH_MAX_LIMIT);
            break;
        case 'p':
            if (parse_int(optarg, 1, MLD_SEARCH_MAX_OFFSET + 1, &page) != 0)
                return mld_cli_usage("search", usage_text, "--page wants a number from 1");
            break;
        case 'j': json = true; break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: return mld_cli_usage("search", usage_text, "unknown option");
        }
    }
    if (optind == argc)
        return mld_cli_usage("search", usage_text, "what to search for?");
    if ((long)(page - 1) * q.limit > MLD_SEARCH_MAX_OFFSET)
        return mld_cli_usage("search", usage_text, "pages end after %d hits",
                             MLD_SEARCH_MAX_OFFSET);
    q.offset = (page - 1) * q.limit;
    if (mld_cli_enrich_config(config) != 0) /* the word list the index was built with */
        return 1;

    if (access(db, F_OK) != 0) {
        fprintf(stderr, "meldung: error: %s: no store there\n", db);
        return 1;
    }
    struct mld_err err = {0};
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        return 1;
    }
    char *text = join_args(argc, argv, optind);
    q.text = text;
    q.now = mld_time_now();
    struct mld_hits hits;
    int rc = mld_store_search(st, &q, &hits, &err);
    mld_store_close(st);
    mld_free(text);
    if (rc == MLD_E_PARSE)
        return mld_cli_usage("search", usage_text, "%s", err.msg);
    if (rc != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        return 1;
    }
    if (json)
        print_json(&hits);
    else
        print_text(&hits, page);
    mld_hits_dispose(&hits);
    return 0;
}
