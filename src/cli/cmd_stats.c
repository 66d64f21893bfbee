/*
 * cmd_stats.c - `meldung stats`: what the store holds, and each source's
 * health, as one table.
 *
 * First the store-wide totals (mld_store_totals): articles, how many are
 * visible, embargoed, withheld, withdrawn and held (held ones grouped by
 * reason), and the articles of each section (visible ones beside them).
 * Then the sources:
 *
 * One row per source the store knows (polled feeds, drop folders), by
 * name: URL (without user:password), articles stored from it, lag (now minus the creation time of
 * its newest article), last success, next attempt, failures in a row,
 * and the last error with its time. Columns are aligned; the error comes
 * last and unpadded, since it may be long. A total line follows.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../base/mem.h"
#include "../base/time.h"
#include "../ingest/fetch.h"
#include "../store/store.h"

static const char usage_text[] = "meldung stats [--db FILE]";

static const char help_text[] =
    "Prints what the store holds (articles by status, held ones by reason, articles\n"
    "per section, the pieces of the search index) and each source's health (polled\n"
    "feeds, drop folders).\n"
    "\n"
    "  --db FILE          the store (default $" MLD_ENV_DB ", else " MLD_DEFAULT_DB ")\n"
    "  --help             this text\n";

/* Prints the store-wide totals of t. */
static void
print_totals(const struct mld_store_totals *t)
{
    printf("articles: %lld (%lld visible, %lld embargoed, %lld withheld, %lld withdrawn, "
           "%lld held)\n",
           (long long)t->articles, (long long)t->visible, (long long)t->embargoed,
           (long long)t->withheld, (long long)t->withdrawn, (long long)t->held);
    if (t->nreasons > 0)
        printf("held, by reason:\n");
    for (int i = 0; i < t->nreasons; i++)
        printf("  %6lld  %s\n", (long long)t->reasons[i].n,
               t->reasons[i].name != NULL ? t->reasons[i].name : "(no reason kept)");
    if (t->nsections > 0)
        printf("sections (articles, visible):\n");
    for (int i = 0; i < t->nsections; i++)
        printf("  %6lld %6lld  %s\n", (long long)t->sections[i].n,
               (long long)t->sections[i].shown,
               t->sections[i].name != NULL ? t->sections[i].name : "(no section)");
}

/* Prints the pieces the search index is in (SQLite's segments; nothing
 * where the engine does not count them), and that `meldung optimize`
 * merges them when there is more than one. */
static void
print_pieces(int64_t n)
{
    if (n == 1)
        printf("search index: 1 piece\n");
    else if (n >= 0)
        printf("search index: %lld pieces%s\n", (long long)n,
               n > 1 ? " (`meldung optimize` merges them into one, for faster searches)" : "");
}

/* Writes a duration as "45s", "12m", "3h05m" or "2d04h". */
static void
format_duration(mld_time_t secs, char *out, size_t size)
{
    if (secs < 0)
        secs = 0;
    if (secs < 60)
        snprintf(out, size, "%llds", (long long)secs);
    else if (secs < 3600)
        snprintf(out, size, "%lldm", (long long)(secs / 60));
    else if (secs < 86400)
        snprintf(out, size, "%lldh%02lldm", (long long)(secs / 3600),
                 (long long)(secs % 3600 / 60));
    else
        snprintf(out, size, "%lldd%02lldh", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600));
}

enum { COL_NAME, COL_URL, COL_ITEMS, COL_LAG, COL_SUCCESS, COL_NEXT, COL_FAIL, COL_ERROR, NCOLS };

static const char *const headers[NCOLS] = {
    "SOURCE", "URL", "ITEMS", "LAG", "LAST SUCCESS", "NEXT ATTEMPT", "FAILURES", "LAST ERROR",
};

/* Numbers are right-aligned. */
static const int right[NCOLS] = {[COL_ITEMS] = 1, [COL_FAIL] = 1};

/* Fills the cells of one row (each cell mld_free'd by the caller). */
static void
row_cells(const struct mld_source_state *s, mld_time_t now, char *cells[NCOLS])
{
    char buf[64];
    cells[COL_NAME] = mld_strdup(s->name);
    if (s->url != NULL && s->url[0] != '\0') {
        char url[1024];
        mld_fetch_display_url(s->url, url, sizeof(url)); /* no user:password */
        cells[COL_URL] = mld_strdup(url);
    } else {
        cells[COL_URL] = mld_strdup("-");
    }
    snprintf(buf, sizeof(buf), "%lld", (long long)s->items);
    cells[COL_ITEMS] = mld_strdup(buf);
    if (s->newest_item > 0)
        format_duration(now - s->newest_item, buf, sizeof(buf));
    else
        snprintf(buf, sizeof(buf), "-");
    cells[COL_LAG] = mld_strdup(buf);
    if (s->last_success > 0)
        mld_time_format_iso(s->last_success, buf);
    else
        snprintf(buf, sizeof(buf), "never");
    cells[COL_SUCCESS] = mld_strdup(buf);
    if (s->url == NULL || s->url[0] == '\0') {
        snprintf(buf, sizeof(buf), "-"); /* a drop folder: no schedule */
    } else if (s->next_attempt <= now) {
        snprintf(buf, sizeof(buf), "due");
    } else {
        char d[32];
        format_duration(s->next_attempt - now, d, sizeof(d));
        snprintf(buf, sizeof(buf), "in %s", d);
    }
    cells[COL_NEXT] = mld_strdup(buf);
    snprintf(buf, sizeof(buf), "%d", s->failures);
    cells[COL_FAIL] = mld_strdup(buf);
    if (s->last_error != NULL && s->last_error[0] != '\0') {
        char when[MLD_TIME_ISO_LEN + 1];
        mld_time_format_iso(s->last_error_at, when);
        size_t n = strlen(when) + strlen(s->last_error) + 2;
        cells[COL_ERROR] = mld_malloc(n);
        snprintf(cells[COL_ERROR], n, "%s %s", when, s->last_error);
    } else {
        cells[COL_ERROR] = mld_strdup("-");
    }
}

static void
print_row(const char *const *cells, const size_t width[NCOLS])
{
    for (int c = 0; c < NCOLS; c++) {
        const char *sep = c + 1 < NCOLS ? "  " : "\n";
        if (c + 1 == NCOLS)
            printf("%s%s", cells[c], sep);
        else if (right[c])
            printf("%*s%s", (int)width[c], cells[c], sep);
        else
            printf("%-*s%s", (int)width[c], cells[c], sep);
    }
}

int
mld_cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = mld_cli_default_db();
    int c;
    optind = 1;
    static const char optstring[] = "d:h";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("stats", usage_text, optstring, argv);
        }
    }
    if (optind != argc)
        return mld_cli_usage("stats", usage_text, "unexpected argument '%s'", argv[optind]);

    struct mld_err err = {0};
    struct mld_store *st;
    if (!mld_store_exists(db)) {
        fprintf(stderr,
                "meldung: error: %s: no store there (`meldung ingest --db %s FILE...` "
                "makes one)\n",
                db, db);
        return 1;
    }
    if (mld_store_open(&st, db, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        return 1;
    }
    struct mld_store_totals totals;
    if (mld_store_totals(st, mld_time_now(), &totals, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        mld_store_close(st);
        return 1;
    }
    print_totals(&totals);
    mld_store_totals_dispose(&totals);
    int64_t pieces = -1;
    if (mld_store_search_pieces(st, &pieces, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        mld_store_close(st);
        return 1;
    }
    print_pieces(pieces);
    printf("\n");
    struct mld_source_state *v = NULL;
    int n = 0;
    if (mld_store_sources(st, &v, &n, &err) != 0) {
        fprintf(stderr, "meldung: error: %s\n", err.msg);
        mld_store_close(st);
        return 1;
    }
    mld_store_close(st);

    mld_time_t now = mld_time_now();
    char *(*cells)[NCOLS] = mld_calloc(n > 0 ? (size_t)n : 1, sizeof(*cells));
    size_t width[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        width[k] = strlen(headers[k]);
    int64_t items = 0;
    int failing = 0;
    for (int i = 0; i < n; i++) {
        row_cells(&v[i], now, cells[i]);
        for (int k = 0; k < NCOLS; k++)
            if (strlen(cells[i][k]) > width[k])
                width[k] = strlen(cells[i][k]);
        items += v[i].items;
        if (v[i].failures > 0)
            failing++;
    }
    print_row(headers, width);
    for (int i = 0; i < n; i++)
        print_row((const char *const *)cells[i], width);
    printf("%d source%s, %d failing; %lld articles stored from them\n", n, n == 1 ? "" : "s",
           failing, (long long)items);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < NCOLS; k++)
            mld_free(cells[i][k]);
        mld_source_state_dispose(&v[i]);
    }
    mld_free(cells);
    mld_free(v);
    return 0;
}
