/*
 * cmd_stories.c - `meldung stories eval`: how well the story grouping
 * matches a labelled set of same-event groups (docs/internals/stories.md).
 *
 *   meldung stories eval FILE [--corpus DIR] [--noise CSV] [--verbose]
 *
 * FILE lists wire files, one a line: GROUP<TAB>PATH<TAB>REASON, PATH
 * relative to --corpus (default ../shared/corpus), PATH#N for the Nth
 * entry of a file holding several, '#' starting a comment line. Lines of one GROUP report one event; every other pair is two
 * events. Each file is parsed, checked and enriched as `meldung ingest`
 * does (mld_pipeline_parse) and stored into a throwaway store; every
 * article of a file belongs to its line's group. A pair of lines is
 * judged "same story" when the store gave their articles one story (the
 * two files of a twin - one article in two formats under one URN - are
 * one article, and so trivially one story).
 *
 * The same set is stored several times, each into a fresh store: in the
 * file's order, reversed, shuffled (a fixed seed), and, with --noise,
 * after the articles of a 10kGNAD-style archive (LABEL;'TEXT' lines, the
 * first sentence the headline) dated among the set's items. For each run
 * it prints the pairwise precision and recall, and how many pairs were
 * decided otherwise than in the first run: a grouping whose decisions
 * depend on the order or on what else is stored is not stable.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../enrich/enrich.h"
#include "../pipeline/pipeline.h"
#include "../store/store.h"
#include "../text/similar.h"

static const char usage_text[] =
    "meldung stories eval FILE [--corpus DIR] [--noise CSV] [--verbose]";

/* Noise articles stored at most (10kGNAD test-part-a holds 828). */
#define NOISE_MAX 1000

/* One line of the labelled set: its file, parsed once, stored per run;
 * its articles are parsed.v[from..to). */
struct line {
    char *group, *path, *reason;
    struct mld_parsed parsed;
    int from, to;
    int64_t *id; /* per article of parsed, this run */
    int64_t *story;
};

struct evalset {
    struct line *v;
    int n;
    struct mld_article **noise;
    struct mld_sim_features *noise_f;
    int nnoise;
};

/* Reads the whole file at path into a NUL-terminated string (*len its
 * length; a struct mld_buf always ends its bytes with a NUL), or NULL with
 * err set. */
static char *
slurp(const char *path, size_t *len, struct mld_err *err)
{
    struct mld_buf b;
    mld_buf_init(&b, (size_t)MLD_MAX_DOC_BYTES * 8);
    char *p = mld_buf_read_file(&b, path, err) == 0 ? mld_buf_steal(&b, len) : NULL;
    mld_buf_dispose(&b);
    return p;
}

/* Parses the labelled set in text (read from path) into set, reading
 * each named file under corpus. */
static int
read_set(struct evalset *set, const char *path, char *text, const char *corpus,
         struct mld_err *err)
{
    int lineno = 0;
    for (char *l = text, *next; *l; l = next) {
        char *nl = strchr(l, '\n');
        next = nl ? nl + 1 : l + strlen(l);
        if (nl)
            *nl = '\0';
        lineno++;
        if (*l == '#' || *l == '\0')
            continue;
        char *tab = strchr(l, '\t'), *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
        if (tab == NULL || tab == l || tab2 == tab + 1)
            return mld_err_set(err, MLD_E_PARSE, "%s:%d: want GROUP<TAB>PATH<TAB>REASON", path,
                               lineno);
        *tab = '\0';
        if (tab2)
            *tab2 = '\0';
        set->v = mld_reallocarray(set->v, (size_t)set->n + 1, sizeof(*set->v));
        struct line *x = &set->v[set->n++];
        memset(x, 0, sizeof(*x));
        x->group = mld_strdup(l);
        x->path = mld_strdup(tab + 1);
        x->reason = mld_strdup(tab2 ? tab2 + 1 : "");
        /* PATH#N: the Nth entry of the file alone. */
        char file[4096];
        snprintf(file, sizeof(file), "%s/%s", corpus, x->path);
        char *hash = strrchr(file, '#');
        long entry = 0;
        if (hash != NULL) {
            *hash = '\0';
            char *end;
            errno = 0;
            entry = strtol(hash + 1, &end, 10);
            if (errno != 0 || *end != '\0' || entry < 1 || entry > INT_MAX)
                return mld_err_set(err, MLD_E_PARSE, "%s:%d: want PATH#N, N from 1", path,
                                   lineno);
        }
        size_t len;
        char *doc = slurp(file, &len, err);
        if (doc == NULL) {
            mld_err_prefix(err, "%s:%d", path, lineno);
            return err->code;
        }
        struct mld_source src = {.name = file};
        int rc = mld_pipeline_parse(doc, len, &src, NULL, &x->parsed, err);
        mld_free(doc);
        if (rc != 0) {
            mld_err_prefix(err, "%s:%d", path, lineno);
            return rc;
        }
        x->from = entry > 0 ? (int)entry - 1 : 0;
        x->to = entry > 0 ? (int)entry : x->parsed.n;
        if (x->to > x->parsed.n) {
            mld_err_set(err, MLD_E_PARSE, "%s:%d: %s holds %d entries", path, lineno, file,
                        x->parsed.n);
            return err->code;
        }
        x->id = mld_calloc((size_t)x->parsed.n + 1, sizeof(*x->id));
        x->story = mld_calloc((size_t)x->parsed.n + 1, sizeof(*x->story));
    }
    return 0;
}

/* The earliest and latest version_created of the set's articles. */
static void
set_span(const struct evalset *set, mld_time_t *lo, mld_time_t *hi)
{
    *lo = *hi = 0;
    for (int i = 0; i < set->n; i++)
        for (int k = set->v[i].from; k < set->v[i].to; k++) {
            mld_time_t t = set->v[i].parsed.v[k]->version_created;
            if (t > 0 && (*lo == 0 || t < *lo))
                *lo = t;
            if (t > *hi)
                *hi = t;
        }
}

/* Unquotes a 10kGNAD text ('...' with '' for ') in place. */
static char *
unquote(char *s)
{
    if (*s != '\'')
        return s;
    char *out = s, *r = s + 1;
    for (; *r; r++) {
        if (*r == '\'' && r[1] != '\'')
            break;
        *out++ = *r;
        r += *r == '\'';
    }
    *out = '\0';
    return s;
}

/* Reads the noise archive: each line's first sentence becomes a
 * headline, the rest a body, the articles dated evenly over the set's
 * busiest day (the first item's day) so that they fall within every
 * story window. */
static int
read_noise(struct evalset *set, const char *path, struct mld_err *err)
{
    size_t len;
    char *doc = slurp(path, &len, err);
    if (doc == NULL)
        return MLD_E_IO;
    mld_time_t lo, hi;
    set_span(set, &lo, &hi);
    set->noise = mld_calloc(NOISE_MAX, sizeof(*set->noise));
    set->noise_f = mld_calloc(NOISE_MAX, sizeof(*set->noise_f));
    for (char *l = doc, *next; *l && set->nnoise < NOISE_MAX; l = next) {
        char *nl = strchr(l, '\n');
        next = nl ? nl + 1 : l + strlen(l);
        if (nl)
            *nl = '\0';
        char *semi = strchr(l, ';');
        if (semi == NULL)
            continue;
        char *text = unquote(semi + 1), *end = NULL;
        for (char *p = text; p[0] && p[1] && end == NULL; p++)
            if ((p[0] == '.' || p[0] == '?' || p[0] == '!') && p[1] == ' ' && p - text >= 20)
                end = p + 1;
        if (end == NULL)
            continue;
        *end = '\0';
        struct mld_article *a = mld_article_new();
        char urn[48];
        snprintf(urn, sizeof(urn), "urn:meldung:noise:%d", set->nnoise);
        a->urn = mld_strdup(urn);
        a->version = 1;
        a->version_created = lo + (mld_time_t)set->nnoise * 86400 / NOISE_MAX;
        a->updated = a->version_created;
        a->headline = mld_strdup(text);
        a->text = mld_strdup(end + 1);
        mld_enrich(a, NULL);
        mld_sim_features_init(&set->noise_f[set->nnoise], a);
        set->noise[set->nnoise++] = a;
    }
    mld_free(doc);
    return 0;
}

/* Stores line x's articles, one transaction. */
static int
put_line(struct mld_store *st, struct line *x, struct mld_err *err)
{
    int rc = mld_store_begin(st, err);
    for (int k = x->from; k < x->to && rc == 0; k++) {
        enum mld_put_result res;
        rc = mld_store_put_features(st, x->parsed.v[k], &x->parsed.features[k], &res, &x->id[k],
                                    err);
    }
    if (rc == 0)
        return mld_store_commit(st, err);
    mld_store_rollback(st);
    mld_err_prefix(err, "%s", x->path);
    return rc;
}

/* Stores the noise, one transaction. */
static int
put_noise(struct mld_store *st, const struct evalset *set, struct mld_err *err)
{
    int rc = mld_store_begin(st, err);
    for (int i = 0; i < set->nnoise && rc == 0; i++) {
        enum mld_put_result res;
        int64_t id;
        rc = mld_store_put_features(st, set->noise[i], &set->noise_f[i], &res, &id, err);
    }
    if (rc == 0)
        return mld_store_commit(st, err);
    mld_store_rollback(st);
    return rc;
}

/* The runs: order of the lines and whether noise comes first. */
enum order { O_FILE, O_REVERSED, O_SHUFFLED, O_NOISE };

static const char *const order_name[] = {"file order", "reversed", "shuffled",
                                         "file order after noise"};

/* Stores set in a fresh store at dbpath in the order given, then reads
 * every article's story. */
static int
run_once(struct evalset *set, enum order o, const char *dbpath, struct mld_err *err)
{
    unlink(dbpath);
    struct mld_store *st;
    int rc = mld_store_open(&st, dbpath, err);
    if (rc != 0)
        return rc;
    int *order = mld_calloc((size_t)set->n + 1, sizeof(*order));
    for (int i = 0; i < set->n; i++)
        order[i] = o == O_REVERSED ? set->n - 1 - i : i;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int i = set->n - 1; o == O_SHUFFLED && i > 0; i--) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int j = (int)((seed >> 33) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    if (o == O_NOISE)
        rc = put_noise(st, set, err);
    for (int i = 0; i < set->n && rc == 0; i++)
        rc = put_line(st, &set->v[order[i]], err);
    for (int i = 0; i < set->n && rc == 0; i++) {
        struct line *x = &set->v[i];
        for (int k = x->from; k < x->to && rc == 0; k++) {
            struct mld_item it = {0};
            rc = mld_store_get(st, x->id[k], &it, err);
            x->story[k] = it.story_id;
            mld_item_dispose(&it);
        }
    }
    mld_free(order);
    mld_store_close(st);
    unlink(dbpath);
    return rc;
}

/* Whether the stores gave lines a and b one story: any article of a
 * with any of b (a file holds one article but for feeds). */
static bool
together(const struct line *a, const struct line *b)
{
    for (int i = a->from; i < a->to; i++)
        for (int j = b->from; j < b->to; j++)
            if (a->story[i] == b->story[j])
                return true;
    return false;
}

/* Pairwise counts of one run; got[] the decision per pair (i > j, in
 * row order). */
static void
judge_pairs(const struct evalset *set, bool *got, long *tp, long *fp, long *fn, bool verbose)
{
    *tp = *fp = *fn = 0;
    long k = 0;
    for (int i = 0; i < set->n; i++)
        for (int j = 0; j < i; j++, k++) {
            const struct line *a = &set->v[i], *b = &set->v[j];
            bool want = strcmp(a->group, b->group) == 0;
            got[k] = together(a, b);
            *tp += want && got[k];
            *fp += !want && got[k];
            *fn += want && !got[k];
            if (verbose && want != got[k])
                printf("  %s: %s (%s) / %s (%s)\n", want ? "missed" : "false", a->path, a->group,
                       b->path, b->group);
        }
}

static void
set_dispose(struct evalset *set)
{
    for (int i = 0; i < set->n; i++) {
        struct line *x = &set->v[i];
        mld_free(x->group);
        mld_free(x->path);
        mld_free(x->reason);
        mld_free(x->id);
        mld_free(x->story);
        mld_parsed_dispose(&x->parsed);
    }
    mld_free(set->v);
    for (int i = 0; i < set->nnoise; i++) {
        mld_article_free(set->noise[i]);
        mld_sim_features_dispose(&set->noise_f[i]);
    }
    mld_free(set->noise);
    mld_free(set->noise_f);
}

/* Runs every order and prints the table; returns the exit status. */
static int
evaluate(struct evalset *set, bool verbose)
{
    char dbpath[] = "/tmp/meldung-stories-XXXXXX";
    int fd = mkstemp(dbpath);
    if (fd < 0) {
        mld_log_error("stories eval: cannot make a temporary store: %s", strerror(errno));
        return 1;
    }
    close(fd);
    long pairs = (long)set->n * (set->n - 1) / 2, groups = 0;
    for (int i = 0; i < set->n; i++) {
        bool first = true;
        for (int j = 0; j < i && first; j++)
            first = strcmp(set->v[i].group, set->v[j].group) != 0;
        groups += first;
    }
    bool *base = mld_calloc((size_t)pairs + 1, sizeof(*base));
    bool *got = mld_calloc((size_t)pairs + 1, sizeof(*got));
    printf("%d files, %ld groups, %ld pairs\n", set->n, groups, pairs);
    printf("%-24s %9s %9s %5s %5s %5s %8s\n", "run", "precision", "recall", "tp", "fp", "fn",
           "changed");
    int status = 0, runs = set->nnoise > 0 ? 4 : 3;
    long changed_all = 0;
    for (int o = 0; o < runs && status == 0; o++) {
        struct mld_err err = {0};
        if (run_once(set, (enum order)o, dbpath, &err) != 0) {
            mld_log_error("stories eval: %s", err.msg);
            status = 1;
            break;
        }
        long tp, fp, fn, changed = 0;
        judge_pairs(set, o == 0 ? base : got, &tp, &fp, &fn, verbose && o == 0);
        for (long k = 0; o > 0 && k < pairs; k++)
            changed += base[k] != got[k];
        changed_all += changed;
        printf("%-24s %9.3f %9.3f %5ld %5ld %5ld %8ld\n", order_name[o],
               tp + fp > 0 ? (double)tp / (double)(tp + fp) : 1.0,
               tp + fn > 0 ? (double)tp / (double)(tp + fn) : 1.0, tp, fp, fn, changed);
    }
    if (status == 0)
        printf("stable: %s (%ld pair decisions changed)\n", changed_all == 0 ? "yes" : "no",
               changed_all);
    mld_free(base);
    mld_free(got);
    unlink(dbpath);
    return status;
}

int
mld_cmd_stories(int argc, char **argv)
{
    static const struct option opts[] = {
        {"corpus", required_argument, NULL, 'C'},
        {"noise", required_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *corpus = "../shared/corpus", *noise = NULL;
    bool verbose = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
        switch (c) {
        case 'C': corpus = optarg; break;
        case 'n': noise = optarg; break;
        case 'v': verbose = true; break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: fprintf(stderr, "usage: %s\n", usage_text); return 2;
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "eval") != 0) {
        fprintf(stderr, "usage: %s\n", usage_text);
        return 2;
    }
    const char *path = argv[optind + 1];
    struct mld_err err = {0};
    size_t len;
    char *text = slurp(path, &len, &err);
    struct evalset set = {0};
    int status = 1;
    if (text != NULL && read_set(&set, path, text, corpus, &err) == 0 &&
        (noise == NULL || read_noise(&set, noise, &err) == 0))
        status = evaluate(&set, verbose);
    else
        mld_log_error("stories eval: %s", err.msg);
    mld_free(text);
    set_dispose(&set);
    return status;
}
