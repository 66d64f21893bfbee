/*
 * cmd_topics.c - `meldung topics eval`: the topic finder measured against
 * the agency's own tags.
 *
 *   meldung topics eval [--config FILE] [--verbose] PATH...
 *       reads the wire files under each PATH (folders recursively, files
 *       no parser recognises skipped and counted) and, for every German
 *       article, takes the agency's tags (geo subjects: places; person
 *       categories and keywords naming a gazetteer person: people;
 *       organisations and parties named by either: organisations), strips
 *       them from the article, lets the topic finder tag the text alone
 *       (mld_enrich_topics) and compares. Prints one table: per class the
 *       articles the agency tagged with it, its tags, how many the
 *       gazetteer does not know, what the finder found on those articles,
 *       how much of it is right, precision and recall. --verbose adds one
 *       block per article (what was missed, what was found wrongly).
 *
 * Places are compared at the agency's granularity: dpa's geo subjects
 * are countries and states (dpacountry, dpaarea), never cities, and an
 * article tagged with a state is tagged with its country as well. So a
 * place the finder names counts as the country or state at or above it
 * and those above that ("Köln": Nordrhein-Westfalen, Deutschland), and an
 * agency place as the nearest one at or above it (docs/internals/topics.md).
 * The row "countries" compares the same places at the level of countries
 * alone ("Köln", "Hessen": Deutschland), where the agency's two habits for
 * German news (a state alone for regional items, Deutschland alone for
 * national ones) no longer count against the finder.
 * People the gazetteer lacks count as known when their name starts with
 * a first name the finder knows (mld_topics_person_name).
 * An article whose urn was seen before (the same item in another format
 * or version) is counted once. --config names the configuration whose
 * [enrich] gazetteer and dictionary the finder uses.
 */
#include "cli.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "../enrich/enrich.h"
#include "../ingest/ingest.h"

static const char usage_text[] = "meldung topics eval [--config FILE] [--verbose] PATH...";

/* Names per class and article: each topic stands for up to
 * MLD_TOPIC_MAX_PARENT_DEPTH + 1 places. */
#define MAX_NAMES (MLD_MAX_TOPICS * (MLD_TOPIC_MAX_PARENT_DEPTH + 1))

enum { C_PLACE, C_COUNTRY, C_PERSON, C_ORG, NCLASS };
static const char *const class_names[NCLASS] = {"places", "countries", "people", "orgs"};

/* A set of names (pointers to gazetteer or article strings). */
struct names {
    const char *v[MAX_NAMES];
    int n;
};

struct score {
    int items;   /* articles the agency tagged with the class */
    int tags;    /* the agency's tags of the class, known or not */
    int unknown; /* of them, unknown to the gazetteer */
    int known;   /* distinct known ones, at the compared granularity */
    int found;   /* what the finder gave on those articles */
    int right;   /* found and tagged */
};

struct eval {
    struct score s[NCLASS];
    int files, not_wire, failed, articles, other_lang, repeats, keywords, keywords_known;
    bool verbose;
    char **urns;
    int nurns, curns;
};

/* Adds name to s unless there or s is full. */
static void
names_add(struct names *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return;
    if (s->n < MAX_NAMES)
        s->v[s->n++] = name;
}

static bool
names_has(const struct names *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return true;
    return false;
}

/* True, after noting it, when urn was evaluated before. */
static bool
seen(struct eval *ev, const char *urn)
{
    if (urn == NULL)
        return false;
    for (int i = 0; i < ev->nurns; i++)
        if (strcmp(ev->urns[i], urn) == 0)
            return true;
    if (ev->nurns == ev->curns) {
        ev->curns = ev->curns ? 2 * ev->curns : 64;
        ev->urns = mld_reallocarray(ev->urns, (size_t)ev->curns, sizeof(*ev->urns));
    }
    ev->urns[ev->nurns++] = mld_strdup(urn);
    return false;
}

/* The topmost place above the place called name (its country, or a
 * region above none), or NULL for a name that is no place. */
static const char *
country_of(const char *name)
{
    const char *levels[MLD_TOPIC_MAX_PARENT_DEPTH + 1];
    int n = mld_topic_geo_levels(name, levels, MLD_TOPIC_MAX_PARENT_DEPTH + 1);
    return n > 0 ? levels[n - 1] : NULL;
}

/* One article's tags and what the finder found. */
struct item {
    struct names gold[NCLASS], unknown[NCLASS], found[NCLASS];
    struct score s[NCLASS];
    bool tagged[NCLASS];
};

/* Puts the agency tag name of class c (the class the tag's field gives;
 * the gazetteer may say otherwise) into it, counting it. */
static void
gold_add(struct item *it, int c, const char *name)
{
    const char *canon, *level;
    enum mld_topic_class k = mld_topic_class(name, &canon);
    if (k == MLD_TOPIC_UNKNOWN && c == C_PERSON && mld_topics_person_name(name))
        k = MLD_TOPIC_PERSON; /* one the finder knows by the first name */
    int kc = k == MLD_TOPIC_PLACE    ? C_PLACE
             : k == MLD_TOPIC_PERSON ? C_PERSON
             : k == MLD_TOPIC_ORG    ? C_ORG
                                     : c;
    it->tagged[kc] = true;
    it->s[kc].tags++;
    if (k == MLD_TOPIC_UNKNOWN) {
        it->s[kc].unknown++;
        names_add(&it->unknown[kc], name);
    } else if (kc != C_PLACE) {
        names_add(&it->gold[kc], canon);
    } else if (mld_topic_geo_levels(canon, &level, 1) == 1) {
        names_add(&it->gold[kc], level); /* "Berlin" the state, "Kiew": Ukraine */
    }
    if (kc == C_PLACE) {
        it->tagged[C_COUNTRY] = true;
        it->s[C_COUNTRY].tags++;
        it->s[C_COUNTRY].unknown += k == MLD_TOPIC_UNKNOWN;
        const char *top = country_of(canon);
        if (k != MLD_TOPIC_UNKNOWN && top != NULL)
            names_add(&it->gold[C_COUNTRY], top);
    }
}

/* Takes the agency's keywords, people and tags off a's categories into
 * held (room for a->ncategories); returns how many (the caller frees
 * them: the names of the tags point into them). */
static int
strip_tags(struct mld_article *a, char **held)
{
    int n = 0, nheld = 0;
    for (int i = 0; i < a->ncategories; i++) {
        char *c = a->categories[i];
        if (strncmp(c, "keyword:", 8) == 0 || strncmp(c, "person:", 7) == 0 ||
            strncmp(c, "tag:", 4) == 0)
            held[nheld++] = c;
        else
            a->categories[n++] = c;
    }
    a->ncategories = n;
    return nheld;
}

/* Prints the names of s, or "-". */
static void
print_names(const char *label, const struct names *s, const struct names *other, bool in_other)
{
    printf("    %-8s", label);
    int k = 0;
    for (int i = 0; i < s->n; i++)
        if (other == NULL || names_has(other, s->v[i]) == in_other)
            printf("%s%s", k++ ? ", " : "", s->v[i]);
    printf("%s\n", k ? "" : "-");
}

/* Evaluates one article: the agency's tags against the text alone. */
static void
eval_article(struct eval *ev, struct mld_article *a)
{
    if (!mld_topics_lang_tagged(a->lang)) {
        ev->other_lang++;
        return;
    }
    if (seen(ev, a->urn)) {
        ev->repeats++;
        return;
    }
    ev->articles++;
    struct item it = {0}, *in = &it;
    struct names *gold = it.gold, *found = it.found;
    struct score *s = it.s;
    bool *tagged = it.tagged;
    char *agency[MLD_MAX_TOPICS];
    int nagency = a->ntopics;
    for (int i = 0; i < nagency; i++)
        agency[i] = a->topics[i]; /* kept alive until the end: gold points into them */
    for (int i = 0; i < nagency; i++)
        gold_add(in, C_PLACE, agency[i]);
    for (int i = 0; i < a->ncategories; i++) {
        const char *c = a->categories[i];
        if (strncmp(c, "person:", 7) == 0) {
            gold_add(in, C_PERSON, c + 7);
        } else if (strncmp(c, "keyword:", 8) == 0) {
            enum mld_topic_class k = mld_topic_class(c + 8, NULL);
            ev->keywords++;
            ev->keywords_known += k != MLD_TOPIC_UNKNOWN;
            /* A keyword is no claim about places ("Hoffenheim" is the
             * club), and most are no names at all ("Aktienkurse"). */
            if (k == MLD_TOPIC_PERSON || k == MLD_TOPIC_ORG)
                gold_add(in, C_PERSON, c + 8);
        }
    }
    a->ntopics = 0; /* the strings stay in agency[] */
    char **held = mld_calloc(a->ncategories ? (size_t)a->ncategories : 1, sizeof(char *));
    int nheld = strip_tags(a, held);
    mld_enrich_topics(a);
    for (int i = 0; i < a->ntopics; i++) {
        const char *canon, *levels[MLD_TOPIC_MAX_PARENT_DEPTH + 1];
        enum mld_topic_class k = mld_topic_class(a->topics[i], &canon);
        if (k == MLD_TOPIC_PERSON || k == MLD_TOPIC_UNKNOWN)
            names_add(&found[C_PERSON], canon); /* the agency's are gone: a name it found */
        else if (k == MLD_TOPIC_ORG)
            names_add(&found[C_ORG], canon);
        for (int j = 0, n = mld_topic_geo_levels(canon, levels, MLD_TOPIC_MAX_PARENT_DEPTH + 1);
             j < n; j++)
            names_add(&found[C_PLACE], levels[j]);
        if (k == MLD_TOPIC_PLACE)
            names_add(&found[C_COUNTRY], country_of(canon));
    }
    for (int c = 0; c < NCLASS; c++) {
        if (!tagged[c])
            continue;
        struct score *t = &ev->s[c];
        t->items++;
        t->tags += s[c].tags;
        t->unknown += s[c].unknown;
        t->known += gold[c].n;
        t->found += found[c].n;
        for (int i = 0; i < found[c].n; i++)
            t->right += names_has(&gold[c], found[c].v[i]);
    }
    if (ev->verbose) {
        printf("%s: %s\n  found:", a->urn ? a->urn : "(no urn)", a->headline ? a->headline : "");
        for (int i = 0; i < a->ntopics; i++)
            printf("%s %s", i ? "," : "", a->topics[i]);
        printf("\n");
        for (int c = 0; c < NCLASS; c++) {
            if (!tagged[c] && found[c].n == 0)
                continue;
            printf("  %s\n", class_names[c]);
            print_names("agency", &gold[c], NULL, false);
            print_names("missed", &gold[c], &found[c], false);
            print_names(tagged[c] ? "wrong" : "untagged", &found[c], &gold[c], false);
            if (it.unknown[c].n > 0)
                print_names("unknown", &it.unknown[c], NULL, false);
        }
    }
    for (int i = 0; i < nagency; i++)
        mld_free(agency[i]);
    for (int i = 0; i < nheld; i++)
        mld_free(held[i]);
    mld_free(held);
}

/* Parse sink: evaluates and frees each article. */
static int
eval_sink(void *ud, struct mld_article *a)
{
    eval_article(ud, a);
    mld_article_free(a);
    return 0;
}

/* Evaluates the wire file at path. */
static void
eval_file(struct eval *ev, const char *path)
{
    struct mld_buf doc;
    struct mld_err err = {0};
    mld_buf_init(&doc, MLD_MAX_DOC_BYTES);
    if (mld_buf_read_file(&doc, path, &err) != 0) {
        fprintf(stderr, "meldung topics: %s\n", err.msg);
        ev->failed++;
    } else {
        const struct mld_format *f = mld_format_detect(doc.p ? doc.p : "", doc.len);
        struct mld_source src = {.name = path};
        ev->files++;
        if (f == NULL)
            ev->not_wire++;
        else if (f->parse(doc.p, doc.len, &src, eval_sink, ev, &err) != 0) {
            fprintf(stderr, "meldung topics: %s\n", err.msg);
            ev->failed++;
        }
    }
    mld_buf_dispose(&doc);
}

/* Sorts folder entries by name, so that the first of two copies of an
 * item is always the same one. */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Evaluates the file at path, or the files in the folder at path.
 * Returns 0, or -1 when path cannot be read (said on stderr). */
static int
walk(struct eval *ev, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "meldung topics: %s: cannot read\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISREG(st.st_mode))
            eval_file(ev, path);
        return 0;
    }
    if (depth > MLD_MAX_WALK_DEPTH)
        return 0;
    struct dirent **list;
    int n = scandir(path, &list, NULL, by_name), rc = 0;
    if (n < 0) {
        fprintf(stderr, "meldung topics: %s: cannot list\n", path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
            rc |= walk(ev, sub, depth + 1);
        }
        free(list[i]); /* checksrc:ok scandir(3) allocates */
    }
    free(list); /* checksrc:ok scandir(3) allocates */
    return rc;
}

/* Prints the table. */
static void
print_table(const struct eval *ev)
{
    printf("topics eval: %d files (%d not wire documents, %d failed), %d German articles "
           "(%d in other languages, %d repeats skipped)\n",
           ev->files, ev->not_wire, ev->failed, ev->articles, ev->other_lang, ev->repeats);
    printf("%-9s %6s %6s %8s %6s %6s %6s %10s %7s\n", "class", "items", "tags", "unknown", "known",
           "found", "right", "precision", "recall");
    for (int c = 0; c < NCLASS; c++) {
        const struct score *s = &ev->s[c];
        printf("%-9s %6d %6d %8d %6d %6d %6d %10.3f %7.3f\n", class_names[c], s->items, s->tags,
               s->unknown, s->known, s->found, s->right,
               s->found ? (double)s->right / s->found : 0.0,
               s->known ? (double)s->right / s->known : 0.0);
    }
    printf("keywords: %d, %d of them gazetteer topics\n", ev->keywords, ev->keywords_known);
}

int
mld_cmd_topics(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    struct eval ev = {0};
    static const char optstring[] = "c:vh";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (opt) {
        case 'c': config = optarg; break;
        case 'v': ev.verbose = true; break;
        case 'h': printf("usage: %s\n", usage_text); return 0;
        default: return mld_cli_bad_option("topics", usage_text, optstring, argv);
        }
    }
    if (optind >= argc || strcmp(argv[optind], "eval") != 0)
        return mld_cli_usage("topics", usage_text, "say eval");
    if (optind + 1 == argc)
        return mld_cli_usage("topics", usage_text, "name the wire files or folders to read");
    if (mld_cli_enrich_config(config) != 0)
        return 1;
    int rc = 0;
    for (int i = optind + 1; i < argc; i++)
        rc |= walk(&ev, argv[i], 0);
    if (ev.articles == 0) {
        fprintf(stderr, "meldung topics: no German wire articles in the paths given\n");
        rc = -1;
    } else {
        print_table(&ev);
    }
    for (int i = 0; i < ev.nurns; i++)
        mld_free(ev.urns[i]);
    mld_free(ev.urns);
    return rc != 0;
}
