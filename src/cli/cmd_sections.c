/*
 * cmd_sections.c - `meldung sections`: the section classifier's model.
 *
 *   meldung sections train (--db STORE | --csv FILE) [--out FILE] ...
 *       learns a model from labelled articles and writes it (to stdout
 *       without --out): from the store, the articles whose section an
 *       agency's classification decided (section_by = agency), or from an
 *       operator's labelled archive (LABEL;'TEXT' or LABEL<TAB>TEXT lines,
 *       --map renaming labels). A logistic regression, or with --bayes
 *       naive Bayes counts (added to the hand-written prior when loaded).
 *       Load it with [enrich] section_model.
 *   meldung sections eval (--db STORE | --csv FILE) [--folds K] ...
 *       k-fold cross-validation on the same data: prints the accuracy and
 *       the confusion matrix. --bayes measures naive Bayes on top of the
 *       prior (--no-prior: without it), --prior-only the hand-written
 *       prior (data/section_words.txt) alone.
 *
 * --config names the configuration whose [enrich] dictionary the analyzer
 * uses (the stems must be those of the site that loads the model).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../enrich/classify.h"
#include "../store/store.h"

static const char usage_text[] =
    "meldung sections train|eval [--config FILE] (--db FILE | --csv FILE [--map FROM=TO,...]) "
    "[--out FILE] [--min-count N] [--folds K] [--bayes] [--no-prior] [--prior-only]";

/* Stems seen fewer times in all the articles are left out of a written
 * naive Bayes model: most are typing errors and names seen once, half
 * the stems. */
#define DEFAULT_MIN_COUNT 2

/* One labelled article of the store: headline, teaser and text as one. */
static int
add_stored(void *ud, const char *section, const char *headline, const char *teaser,
           const char *text)
{
    struct mld_labelled *set = ud;
    struct mld_buf b;
    mld_buf_init(&b, 4u * 1024 * 1024);
    const char *parts[] = {headline, teaser, text};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (parts[i] != NULL) {
            mld_buf_puts(&b, parts[i]);
            mld_buf_putc(&b, '\n');
        }
    struct mld_err err = {0};
    int rc = mld_labelled_add(set, section, b.p != NULL ? b.p : "", b.len, &err);
    mld_buf_dispose(&b);
    if (rc == MLD_E_TOOBIG) {
        mld_log_info("sections: %s; the rest of the store is left out", err.msg);
        return 1;
    }
    return 0;
}

/* Reads the labelled articles of the store at db into set. */
static int
read_store(struct mld_labelled *set, const char *db, struct mld_err *err)
{
    struct mld_store *st = NULL;
    int rc = mld_store_open(&st, db, err);
    if (rc == 0) {
        rc = mld_store_each_labelled(st, add_stored, set, err);
        rc = rc == 1 ? 0 : rc; /* the set is full */
    }
    mld_store_close(st);
    return rc;
}

/* Learns set (naive Bayes counts with bayes, else logistic regression)
 * and writes the model to out (stdout when NULL). */
static int
train(const struct mld_labelled *set, bool bayes, const char *out, int min_count,
      struct mld_err *err)
{
    struct mld_classifier *c = mld_classifier_new();
    int rc = bayes ? mld_labelled_learn(set, c, err) : mld_classifier_fit(c, set, 0, 0, err);
    FILE *f = stdout;
    if (rc == 0 && out != NULL && (f = fopen(out, "w")) == NULL)
        rc = mld_err_set(err, MLD_E_IO, "%s: cannot write", out);
    if (rc == 0)
        rc = mld_classifier_write(c, f, out != NULL ? out : "stdout", min_count, err);
    if (f != NULL && f != stdout && fclose(f) != 0 && rc == 0)
        rc = mld_err_set(err, MLD_E_IO, "%s: write failed", out);
    if (rc == 0)
        fprintf(stderr, "sections: learnt %d articles in %d sections%s%s\n", set->n, set->nsections,
                out != NULL ? "; model written to " : "", out != NULL ? out : "");
    mld_classifier_free(c);
    return rc;
}

int
mld_cmd_sections(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"csv", required_argument, NULL, 'v'},    {"map", required_argument, NULL, 'm'},
        {"out", required_argument, NULL, 'o'},    {"min-count", required_argument, NULL, 'n'},
        {"folds", required_argument, NULL, 'k'},  {"prior-only", no_argument, NULL, 'P'},
        {"no-prior", no_argument, NULL, 'N'},     {"bayes", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *db = NULL, *csv = NULL, *map = NULL, *out = NULL;
    int min_count = DEFAULT_MIN_COUNT, folds = 10, opt;
    unsigned flags = MLD_CV_PRIOR;
    bool bayes = false, prior_only = false;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'v': csv = optarg; break;
        case 'm': map = optarg; break;
        case 'o': out = optarg; break;
        case 'n':
            if (mld_cli_parse_int(optarg, 0, 1000000, &min_count) != 0)
                return mld_cli_usage("sections", usage_text, "--min-count wants a count");
            break;
        case 'k':
            if (mld_cli_parse_int(optarg, 2, 100, &folds) != 0)
                return mld_cli_usage("sections", usage_text, "--folds wants 2 to 100");
            break;
        case 'P': prior_only = true; break;
        case 'N': flags = 0; break;
        case 'b': bayes = true; break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: return mld_cli_usage("sections", usage_text, "unknown option");
        }
    }
    const char *what = optind + 1 == argc ? argv[optind] : "";
    if (strcmp(what, "train") != 0 && strcmp(what, "eval") != 0)
        return mld_cli_usage("sections", usage_text, "say train or eval");
    if ((db == NULL) == (csv == NULL))
        return mld_cli_usage("sections", usage_text, "give one of --db and --csv");
    if (prior_only)
        flags = MLD_CV_PRIOR_ONLY;
    else if (bayes)
        flags |= MLD_CV_BAYES;
    if (map != NULL && csv == NULL)
        return mld_cli_usage("sections", usage_text, "--map goes with --csv");
    if (mld_cli_enrich_config(config) != 0)
        return 1;
    struct mld_err err = {0};
    struct mld_labelled set = {0};
    int rc = csv != NULL ? mld_labelled_read(&set, csv, map, &err) : read_store(&set, db, &err);
    if (rc == 0 && set.n == 0)
        rc = mld_err_set(&err, MLD_E_NOTFOUND,
                         "%s: no labelled articles (in a store: none whose section an agency's "
                         "categories decided)",
                         csv != NULL ? csv : db);
    if (rc == 0 && strcmp(what, "train") == 0) {
        rc = train(&set, bayes, out, min_count, &err);
    } else if (rc == 0) {
        struct mld_crossval cv;
        rc = mld_crossval(&set, folds < set.n ? folds : set.n, flags, &cv, &err);
        if (rc == 0) {
            printf("%s: %d articles, %s\n", csv != NULL ? csv : db, set.n,
                   prior_only ? "the hand-written prior alone"
                   : bayes    ? (flags & MLD_CV_PRIOR ? "naive Bayes on the prior, cross-validation"
                                                      : "naive Bayes, cross-validation")
                              : "logistic regression, cross-validation");
            mld_crossval_print(&set, &cv, stdout);
        }
        mld_free(cv.confusion);
    }
    mld_labelled_dispose(&set);
    if (rc != 0)
        fprintf(stderr, "meldung sections: %s\n", err.msg);
    return rc != 0;
}
