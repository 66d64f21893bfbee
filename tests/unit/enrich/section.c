/*
 * Tests for the section mapping: the rule parser and its errors, matching
 * and priority (exact and folded patterns), operator files ahead of the
 * defaults, the order of authority of mld_enrich_section() (operator,
 * source, default rules, classifier, fallback), and (with the shared
 * corpus) how often the default rules agree with dpa's own choice of one
 * rubric among the several its editors gave an article.
 */
#include "../../../src/enrich/section.c"

#include <jansson.h>
#include <unistd.h>

#include "test.h"

/* Agreement floors (percent), a little under the measured values (see
 * docs/internals/sections.md), so that a rule change that makes the
 * mapping disagree with dpa more often fails here. */
#define FLOOR_AGREE 99.0
#define FLOOR_COVERED 99.0
#define FLOOR_FAMILY 99.0

/* The section the rules in force give a (no source, no classifier), or
 * NULL; owned by the rules. */
static const char *
mapped(const struct mld_article *a)
{
    bool op;
    const struct rule *r = find_rule(active(), a->categories, a->ncategories, &op);
    return r != NULL ? r->section : NULL;
}

/* The section the rules in force give an article with these categories
 * (NULL-terminated), or NULL. The result is a static copy. */
static const char *
section_of(const char *cat, ...)
{
    static char out[MLD_MAX_SECTION_NAME_BYTES + 1];
    struct mld_article *a = mld_article_new();
    va_list ap;
    va_start(ap, cat);
    for (const char *c = cat; c != NULL; c = va_arg(ap, const char *))
        mld_article_add_category(a, c);
    va_end(ap);
    const char *s = mapped(a);
    snprintf(out, sizeof(out), "%s", s ? s : "");
    mld_article_free(a);
    return s ? out : NULL;
}

/* Parses text as a file named "t.txt"; returns the code, and the layer
 * in *out when it parsed (free with layer_free). */
static int
parse(const char *text, struct layer **out, struct mld_err *err)
{
    mld_err_clear(err);
    return parse_rules("t.txt", text, strlen(text), out, err);
}

/* Checks that text fails to parse with code and a message containing want. */
static void
parse_fails(const char *text, int code, const char *want, const char *name)
{
    struct layer *l = NULL;
    struct mld_err err = {0};
    int rc = parse(text, &l, &err);
    is_int(rc, code, "%s: error code", name);
    if (!ok(strstr(err.msg, want) != NULL && l == NULL, "%s: message names the reason", name))
        diag("message: %s (want %s)", err.msg, want);
    layer_free(l);
}

static void
test_parser(void)
{
    struct layer *l = NULL;
    struct mld_err err = {0};
    ok(parse("# only a comment\n\n   \n", &l, &err) == 0 && l != NULL && l->n == 0,
         "comments and blank lines: no rules");
    layer_free(l);
    ok(parse("  rubric:a.b   =  Welt und Leute \r\n# x\ndesk:pl=-\ntag:Angela Merkel = Politik\n"
             "subject:subj:15* = Sport",
             &l, &err) == 0 && l != NULL && l->n == 4,
       "four rules (CRLF, no blanks around '=', no final newline)");
    if (l != NULL && l->n == 4) {
        is_str(l->rules[0].pattern, "rubric:a.b", "pattern trimmed");
        is_str(l->rules[0].section, "Welt und Leute", "section keeps inner spaces");
        is_int(l->rules[0].line, 1, "line of rule 1");
        ok(l->rules[1].section == NULL && l->rules[1].line == 3, "\"-\" is no section");
        is_str(l->rules[2].pattern, "tag:Angela Merkel", "a pattern may hold spaces");
        ok(l->rules[3].prefix && strcmp(l->rules[3].pattern, "subject:subj:15") == 0,
           "a trailing '*' makes a prefix pattern");
    }
    layer_free(l);
    ok(parse("rubric:a = A\nrubric:ab = B\nrubric:a* = C\n", &l, &err) == 0,
       "\"a\" does not hide \"ab\" or \"a*\"");
    layer_free(l);

    parse_fails("rubric:x = A\nno equals sign here\n", MLD_E_PARSE,
                "t.txt:2: expected \"PATTERN = SECTION\", got \"no equals sign here\"", "bad line");
    parse_fails(" = A\n", MLD_E_PARSE, "t.txt:1: expected", "no pattern");
    parse_fails("\n# c\nrubric:x =  \n", MLD_E_PARSE, "t.txt:3: empty section name",
                "empty section");
    parse_fails("weblines.sportsline = Sport\n", MLD_E_PARSE,
                "t.txt:1: pattern \"weblines.sportsline\" has no scheme", "no scheme");
    parse_fails(":pl = Politik\n", MLD_E_PARSE, "has no scheme", "empty scheme");
    parse_fails("rubric x:y = A\n", MLD_E_PARSE, "has no scheme", "space in the scheme");
    parse_fails("rubric:a*b = A\n", MLD_E_PARSE, "t.txt:1: '*' may only end a pattern",
                "inner star");
    parse_fails("rubric:a = A\nrubric:a.b = B\n", MLD_E_PARSE,
                "t.txt:2: rule never applies: line 1 (\"rubric:a\")", "shadowed by a parent");
    parse_fails("rubric:a* = A\n\nrubric:ab = B\n", MLD_E_PARSE,
                "t.txt:3: rule never applies: line 1 (\"rubric:a*\")", "shadowed by a prefix");
    parse_fails("desk:pl = A\ndesk:pl = B\n", MLD_E_PARSE, "t.txt:2: rule never applies",
                "a duplicate");
    parse_fails("rubric:x = \xff\n", MLD_E_PARSE, "t.txt:1: invalid UTF-8", "bad UTF-8");
    parse_fails("rubric:x = A\tB\n", MLD_E_PARSE, "t.txt:1: a control character",
                "control character");
    char name[MLD_MAX_SECTION_NAME_BYTES + 32];
    snprintf(name, sizeof(name), "rubric:x = %0*d\n", MLD_MAX_SECTION_NAME_BYTES + 1, 0);
    parse_fails(name, MLD_E_TOOBIG, "t.txt:1: section name longer than", "long section name");

    struct mld_buf b;
    mld_buf_init(&b, 2 * MLD_MAX_SECTIONS_FILE_BYTES);
    for (int i = 0; i <= MLD_MAX_SECTION_RULES; i++)
        mld_buf_printf(&b, "t:%d = S\n", i);
    parse_fails(b.p, MLD_E_TOOBIG, "more than 4096 rules", "too many rules");
    while (b.len <= MLD_MAX_SECTIONS_FILE_BYTES)
        mld_buf_puts(&b, "# padding padding padding padding padding padding padding\n");
    parse_fails(b.p, MLD_E_TOOBIG, "t.txt: larger than", "file too big");
    mld_buf_dispose(&b);
    ok(parse_rules("t.txt", "a:b = c\0", 8, &l, &err) == MLD_E_PARSE &&
           strstr(err.msg, "NUL") != NULL,
       "a NUL byte is refused");
}

static void
test_defaults(void)
{
    struct layer *l = NULL;
    struct mld_err err = {0};
    int rc = parse_rules(DEFAULTS_NAME, mld_data_sections, strlen(mld_data_sections), &l, &err);
    if (!ok(rc == 0 && l != NULL && l->n > 100, "data/sections.txt parses (%d rules)",
            l ? l->n : 0))
        diag("%s", err.msg);
    layer_free(l);
    ok(active() == defaults && defaults != NULL, "the defaults are the rules in force");

    is_str(section_of("rubric:weblines.infoline_rs.politik.ausland", NULL), "Ausland", "ausland");
    is_str(section_of("rubric:weblines.infoline_rs.politik.inland.x", NULL), "Inland",
           "a category continuing with '.' matches");
    is_str(section_of("rubric:weblines.infoline_rs.politik.auslandx", NULL), "Politik",
           "a longer word is no match: the parent rule takes it");
    is_str(section_of("rubric:weblines.newsscreen.boerse", NULL), "Börse",
           "boerse: the name keeps its umlaut");
    is_str(section_of("rubric:weblines.regiolinegeo.bayern", NULL), "Regional", "regional");
    is_str(section_of("rubric:weblines.sportsline.golf.news", NULL), "Sport", "sportsline");
    is_str(section_of("rubric:weblines.starline.kino", NULL), "Kultur", "starline");
    is_str(section_of("rubric:weblines.serviceline.digitales.topapps", NULL), "Digital",
           "serviceline digital");
    is_str(section_of("rubric:weblines.serviceline.garten", NULL), "Ratgeber", "serviceline");
    /* Priority is the rules' order, not the categories'. */
    is_str(section_of("rubric:weblines.infoline_rs.wissenschaft",
                      "rubric:weblines.infoline_rs.panorama", NULL),
           "Panorama", "panorama beats wissenschaft, listed second");
    is_str(section_of("rubric:weblines.infoline_rs.panorama",
                      "rubric:weblines.infoline_rs.wissenschaft", NULL),
           "Panorama", "panorama beats wissenschaft, listed first");
    is_str(section_of("rubric:weblines.starline.kino", "rubric:weblines.infoline_rs.boulevard.kultur",
                      "desk:vm", NULL),
           "Kultur", "a rubric beats the desk");
    /* Aggregates say nothing: the desk decides. */
    is_str(section_of("rubric:weblines.infoline_rs.topthemen", "desk:wi", NULL), "Wirtschaft",
           "topthemen is skipped for the desk");
    ok(section_of("rubric:weblines.infoline_rs.topthemen.hintergruende", NULL) == NULL,
       "topthemen alone: no section");
    ok(section_of("rubric:weblines.juniorline.tiere", NULL) == NULL, "juniorline: no rule");
    is_str(section_of("desk:sp", NULL), "Sport", "desk");
    ok(section_of("desk:spx", "desk:rs", NULL) == NULL, "unknown desks");
    is_str(section_of("subject:medtop:20000394", "subject:medtop:04000000", NULL), "Wirtschaft",
           "IPTC media topic, top level");
    is_str(section_of("subject:subj:15054000", NULL), "Sport", "IPTC subject code by prefix");
    is_str(section_of("subject:subj:04009003", "subject:subj:15000000", NULL), "Sport",
           "sport beats economy among subject codes");
    is_str(section_of("subject:dpasrs:13000000", NULL), "Wissenschaft", "dpa subject ressort");
    ok(section_of("keyword:Politik", "subject:dpasubject:377", NULL) == NULL,
       "keywords and dpa subjects map to nothing");
    ok(section_of(NULL) == NULL, "no categories: no section");

    struct mld_article *a = mld_article_new();
    a->section = mld_strdup("Eigene");
    mld_article_add_category(a, "desk:pl");
    is_str(mld_enrich_section(a, NULL), "Eigene", "a section already set is kept");
    mld_article_free(a);
}

/* Folded patterns: feed categories in every spelling. */
static void
test_folded(void)
{
    struct layer *l = NULL;
    struct mld_err err = {0};
    ok(parse("tag~ Börse  Frankfurt = Börse\ntag~STRASSE = S\n", &l, &err) == 0 && l != NULL &&
           l->n == 2,
       "folded patterns parse: %s", err.msg);
    if (l != NULL && l->n == 2) {
        is_str(l->rules[0].pattern, "tag:boerse frankfurt", "stored folded, blanks collapsed");
        ok(l->rules[0].folded && l->rules[0].scheme == 4, "folded, scheme \"tag:\"");
        is_str(l->rules[1].pattern, "tag:strasse", "upper case folded");
    }
    layer_free(l);
    parse_fails("tag~ = X\n", MLD_E_PARSE, "t.txt:1: pattern \"tag~\" has no name after '~'",
                "folded pattern without a name");
    parse_fails("tag~Sport* = X\n", MLD_E_PARSE, "takes no '*'", "folded pattern with a star");
    parse_fails("tag~Börse = A\ntag~BOERSE = B\n", MLD_E_PARSE, "t.txt:2: rule never applies",
                "folded duplicate");
    ok(parse("tag~Sport = A\ntag:Sport = B\n", &l, &err) == 0, "folded and exact: no cover check");
    layer_free(l);

    const char *raw = "  Ä Ö Ü  a\xcc\x88 o\xcc\x88 STRAẞE ß\t X ";
    char *f = fold_name(raw, strlen(raw));
    is_str(f, "ae oe ue ae oe strasse ss x", "fold_name: umlauts, combining, sharp s, blanks");
    mld_free(f);
    ok(fold_name("a\xff", 2) == NULL, "fold_name: invalid UTF-8 is NULL");
    ok(folded_matches("politik", 7, "news / politik"), "a part after '/'");
    ok(folded_matches("politik", 7, "nachrichten > politik | heute"), "a part between '>' and '|'");
    ok(!folded_matches("politik", 7, "weltpolitik"), "no substring match");
    ok(!folded_matches("politik", 7, "politik heute"), "no word match");

    is_str(section_of("tag:Politik", NULL), "Politik", "tag:Politik");
    is_str(section_of("tag:POLITIK", NULL), "Politik", "upper case");
    is_str(section_of("tag:Boerse", NULL), "Börse", "Boerse is Börse");
    is_str(section_of("tag:börse", NULL), "Börse", "börse is Börse");
    is_str(section_of("tag:Fussball", NULL), "Sport", "Fussball");
    is_str(section_of("tag:Fußball", NULL), "Sport", "Fußball");
    is_str(section_of("tag:News/Politik", NULL), "Politik", "a path");
    is_str(section_of("tag:Politik/Ausland", NULL), "Ausland", "narrower before broader");
    is_str(section_of("tag:Politik", "tag:Ausland", NULL), "Ausland", "... in two categories too");
    is_str(section_of("tag:World news", NULL), "Ausland", "the Guardian's world news");
    is_str(section_of("tag:Technology", NULL), "Digital", "Technology");
    is_str(section_of("tag:Mobilität", NULL), "Mobilität", "a section keeps its umlaut");
    is_str(section_of("tag:Donald Trump", "tag:Wirtschaft", NULL), "Wirtschaft",
           "a keyword tag beside a section tag");
    ok(section_of("tag:Donald Trump", "tag:Sportwagen", NULL) == NULL, "keywords map to nothing");
    ok(section_of("keyword:Politik", NULL) == NULL, "another scheme does not match tag~");
    is_str(section_of("tag:Sport", "rubric:weblines.infoline_rs.wirtschaft", NULL), "Wirtschaft",
           "agency codes come before feed tags");
}

/* The section and who decided for an article with headline h, text t,
 * categories cats (NULL-terminated list, may be NULL) and source section
 * src. */
static void
decide(const char *h, const char *t, const char *const *cats, const char *src,
       const char *want, enum mld_section_by want_by, const char *name)
{
    struct mld_article *a = mld_article_new();
    a->headline = h != NULL ? mld_strdup(h) : NULL;
    a->text = t != NULL ? mld_strdup(t) : NULL;
    for (int i = 0; cats != NULL && cats[i] != NULL; i++)
        mld_article_add_category(a, cats[i]);
    const char *got = mld_enrich_section(a, src);
    is_str(got, want, "%s: section", name);
    is_int(a->section_by, want_by, "%s: decided by", name);
    mld_article_free(a);
}

/* The order of authority without operator rules: source, then the
 * default rules, then the classifier, then the fallback. */
static void
test_authority(void)
{
    const char *desk[] = {"desk:sp", NULL};
    const char *tag[] = {"tag:Kultur", NULL};
    const char *none[] = {"tag:Donald Trump", NULL};
    decide("x", NULL, desk, NULL, "Sport", MLD_SECTION_AGENCY, "an agency code");
    decide("x", NULL, desk, "Digital", "Digital", MLD_SECTION_SOURCE,
           "the source's section beats the default rules");
    decide("x", NULL, desk, "", "Sport", MLD_SECTION_AGENCY, "an empty source section is none");
    decide("x", NULL, tag, NULL, "Kultur", MLD_SECTION_AGENCY, "a feed's category");
    decide("Bayern gewinnt das Spiel", "Der Trainer lobte die Mannschaft nach dem Sieg: "
           "zwei Tore in der zweiten Halbzeit, Tabellenführer in der Bundesliga.",
           none, NULL, "Sport", MLD_SECTION_CLASSIFIER, "the classifier");
    decide("Forscher entdecken Planeten", "Astronomen fanden mit einem Teleskop einen Planeten "
           "bei einem fernen Stern, schreiben die Wissenschaftler im Fachjournal Nature.",
           NULL, NULL, "Wissenschaft", MLD_SECTION_CLASSIFIER, "the classifier, no categories");
    decide("Xyzzy", NULL, none, NULL, MLD_SECTION_FALLBACK, MLD_SECTION_NONE,
           "no known word: the fallback");
    decide(NULL, NULL, NULL, NULL, MLD_SECTION_FALLBACK, MLD_SECTION_NONE,
           "nothing at all: the fallback");
}

static void
test_operator(void)
{
    struct mld_err err = {0};
    is_int(mld_sections_load("/nonexistent/sections.txt", &err), MLD_E_IO, "missing file: IO");
    ok(strstr(err.msg, "/nonexistent/sections.txt") != NULL, "names the file: %s", err.msg);

    const char *bad = mld_test_temp_file("sections", "desk:pl = Politik\nrubric = X\n");
    mld_err_clear(&err);
    is_int(mld_sections_load(bad, &err), MLD_E_PARSE, "bad file: parse error");
    char want[128];
    snprintf(want, sizeof(want), "%s:2: pattern \"rubric\" has no scheme", bad);
    ok(strncmp(err.msg, want, strlen(want)) == 0, "names file and line: %s", err.msg);
    ok(active() == defaults, "a bad file changes nothing");
    unlink(bad);

    const char *op = mld_test_temp_file("sections", "# my site\n"
                               "rubric:weblines.infoline_rs.politik.ausland = Welt\n"
                               "rubric:weblines.infoline_rs.topthemen = Topthemen\n"
                               "desk:pl = -\n");
    mld_err_clear(&err);
    ok(mld_sections_load(op, &err) == 0, "operator file loads: %s", err.msg);
    unlink(op);
    is_str(section_of("rubric:weblines.infoline_rs.politik.ausland", NULL), "Welt",
           "an operator rule overrides a default");
    is_str(section_of("rubric:weblines.infoline_rs.panorama", "rubric:weblines.infoline_rs.topthemen",
                      NULL),
           "Topthemen", "an operator rule goes ahead of every default");
    ok(section_of("desk:pl", NULL) == NULL, "an operator's \"-\" hides a default");
    is_str(section_of("desk:pl", "desk:wi", NULL), "Wirtschaft", "... and only that category");
    const char *aus[] = {"rubric:weblines.infoline_rs.politik.ausland", NULL};
    const char *wi[] = {"desk:wi", NULL};
    const char *pl[] = {"desk:pl", "tag:Xyzzy", NULL};
    decide("x", NULL, aus, "Digital", "Welt", MLD_SECTION_OPERATOR,
           "an operator's rule beats the source's section");
    decide("x", NULL, wi, "Digital", "Digital", MLD_SECTION_SOURCE,
           "the source's section beats a default rule below an operator file");
    decide("x", NULL, wi, NULL, "Wirtschaft", MLD_SECTION_AGENCY,
           "a default rule below an operator file is the agency's");
    decide("Xyzzy", NULL, pl, NULL, MLD_SECTION_FALLBACK, MLD_SECTION_NONE,
           "an operator's \"-\" leaves the article to the fallback");
    is_str(section_of("rubric:weblines.infoline_rs.politik.inland", NULL), "Inland",
           "other defaults still apply");

    const char *op2 = mld_test_temp_file("sections", "rubric:weblines.infoline_rs.politik = Politik\n");
    ok(mld_sections_load(op2, &err) == 0, "a second file loads");
    unlink(op2);
    is_str(section_of("rubric:weblines.infoline_rs.politik.ausland", NULL), "Politik",
           "the later file goes ahead of the earlier");

    /* Back to the defaults for the corpus measurement. */
    while (atomic_load(&top) != defaults) {
        struct layer *l = atomic_load(&top);
        atomic_store(&top, l->next);
        layer_free(l);
    }
}

/* Agreement counters for one family of rubrics (or all). */
struct tally {
    const char *family;
    long n, covered, agree;
    long first; /* baseline: agreement of the first rubric listed, alone */
};

static double
pct(long a, long b)
{
    return b > 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/* The family of a weblines rubric ("sportsline" of
 * "weblines.sportsline.golf.news"), or "" (static). */
static const char *
family_of(const char *rubric)
{
    static char fam[64];
    const char *p = strchr(rubric, '.');
    const char *e = p != NULL ? strchr(p + 1, '.') : NULL;
    snprintf(fam, sizeof(fam), "%.*s", p ? (int)((e ? e : p + strlen(p)) - p - 1) : 0,
             p ? p + 1 : "");
    return fam;
}

/* Adds "rubric:" + name to a. */
static void
add_rubric(struct mld_article *a, const char *name)
{
    char cat[600];
    snprintf(cat, sizeof(cat), "rubric:%s", name);
    mld_article_add_category(a, cat);
}

/* One record: the section from all the rubrics of names against the
 * section from dpa's pick alone. Counts into all and the record's family. */
static void
measure_record(const json_t *rec, struct tally *t, int nt, json_t *unmapped, json_t *disagree)
{
    const char *pick = json_string_value(json_object_get(rec, "rubric_name"));
    const json_t *names = json_object_get(rec, "names");
    if (pick == NULL || !json_is_array(names))
        return;
    struct mld_article *one = mld_article_new(), *all = mld_article_new();
    struct mld_article *first = mld_article_new();
    add_rubric(one, pick);
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v) add_rubric(all, json_string_value(v));
    if (all->ncategories > 0)
        mld_article_add_category(first, all->categories[0]);
    const char *want = mapped(one), *got = mapped(all), *got1 = mapped(first);
    for (int k = 0; k < nt; k++) {
        if (k > 0 && strcmp(t[k].family, family_of(pick)) != 0)
            continue;
        t[k].n++;
        t[k].covered += want != NULL;
        t[k].agree += want != NULL && got != NULL && strcmp(want, got) == 0;
        t[k].first += want != NULL && got1 != NULL && strcmp(want, got1) == 0;
    }
    if (want == NULL) {
        json_object_set_new(unmapped, pick,
                            json_integer(json_integer_value(json_object_get(unmapped, pick)) + 1));
    } else if (got == NULL || strcmp(want, got) != 0) {
        char key[1024];
        snprintf(key, sizeof(key), "%s (dpa's pick %s) got %s", want, pick, got ? got : "none");
        json_object_set_new(disagree, key,
                            json_integer(json_integer_value(json_object_get(disagree, key)) + 1));
    }
    mld_article_free(one);
    mld_article_free(all);
    mld_article_free(first);
}

/* The path of corpus file dpa-digitalwires/rubric-names/NAME (static), or
 * NULL after a skip note. */
static const char *
rubric_file(const char *name)
{
    static char path[4200];
    const char *dir = mld_test_corpus("dpa-digitalwires/rubric-names");
    if (dir == NULL)
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

/* Replays corpus dpa-digitalwires/rubric-names/urn_rubric_single_rubric.json. */
static void
test_agreement(void)
{
    const char *path = rubric_file("urn_rubric_single_rubric.json");
    if (path == NULL)
        return;
    json_error_t jerr;
    json_t *recs = json_load_file(path, 0, &jerr);
    if (!ok(json_is_array(recs) && json_array_size(recs) > 2000, "%s: %zu records", path,
            json_array_size(recs)))
        diag("%s", jerr.text);
    struct tally t[] = {{.family = "all"},        {.family = "regiolinegeo"},
                        {.family = "sportsline"}, {.family = "infoline_rs"},
                        {.family = "serviceline"}, {.family = "starline"}};
    int nt = (int)(sizeof(t) / sizeof(t[0]));
    json_t *unmapped = json_object(), *disagree = json_object();
    size_t i;
    const json_t *rec;
    json_array_foreach(recs, i, rec) measure_record(rec, t, nt, unmapped, disagree);

    diag("agreement with dpa's pick: %ld of %ld records (%.1f%%); %.1f%% of the %ld covered",
         t[0].agree, t[0].n, pct(t[0].agree, t[0].n), pct(t[0].agree, t[0].covered),
         t[0].covered);
    diag("baseline, the first rubric listed alone: %.1f%%", pct(t[0].first, t[0].n));
    diag("coverage: %ld of %ld records (%.1f%%) have a pick that maps to a section",
         t[0].covered, t[0].n, pct(t[0].covered, t[0].n));
    for (int k = 1; k < nt; k++)
        diag("  %-13s %4ld records, agreement %5.1f%% (first listed %5.1f%%), covered %5.1f%%",
             t[k].family, t[k].n, pct(t[k].agree, t[k].n), pct(t[k].first, t[k].n),
             pct(t[k].covered, t[k].n));
    const char *key;
    json_t *cnt;
    json_object_foreach(unmapped, key, cnt)
        diag("unmapped pick: %s (%" JSON_INTEGER_FORMAT " records)", key, json_integer_value(cnt));
    json_object_foreach(disagree, key, cnt)
        diag("disagreement: %s (%" JSON_INTEGER_FORMAT " records)", key, json_integer_value(cnt));

    ok(pct(t[0].agree, t[0].n) >= FLOOR_AGREE, "agreement %.1f%% >= %.1f%%",
       pct(t[0].agree, t[0].n), FLOOR_AGREE);
    ok(pct(t[0].covered, t[0].n) >= FLOOR_COVERED, "coverage %.1f%% >= %.1f%%",
       pct(t[0].covered, t[0].n), FLOOR_COVERED);
    for (int k = 1; k < nt; k++)
        ok(t[k].n > 0 && pct(t[k].agree, t[k].covered) >= FLOOR_FAMILY,
           "%s: agreement on covered records %.1f%% >= %.1f%%", t[k].family,
           pct(t[k].agree, t[k].covered), FLOOR_FAMILY);
    json_decref(unmapped);
    json_decref(disagree);
    json_decref(recs);
}

/* How many of dpa's rubric codes (20220405_qcodes_rubric.csv) map. */
static void
test_rubric_list(void)
{
    const char *path = rubric_file("20220405_qcodes_rubric.csv");
    if (path == NULL)
        return;
    size_t len;
    char *csv = mld_test_slurp(path, &len);
    int codes = 0, mapped = 0;
    struct mld_buf none;
    mld_buf_init(&none, 64 * 1024);
    for (char *p = csv; p != NULL && *p != '\0';) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        char *comma = strchr(p, ',');
        if (strncmp(p, "dnlpath:", 8) == 0 && comma != NULL) {
            *comma = '\0';
            char cat[600];
            snprintf(cat, sizeof(cat), "rubric:%s", p + 8);
            codes++;
            if (section_of(cat, NULL) != NULL)
                mapped++;
            else
                mld_buf_printf(&none, " %s", p + 8 + strlen("weblines."));
        }
        p = nl != NULL ? nl + 1 : NULL;
    }
    free(csv);
    ok(codes > 100, "dpa's rubric list: %d codes, %d map to a section", codes, mapped);
    diag("rubric codes without a section:%s", none.p ? none.p : " none");
    mld_buf_dispose(&none);
}

int
main(void)
{
    test_parser();
    test_defaults();
    test_folded();
    test_authority();
    test_operator();
    test_agreement();
    test_rubric_list();
    return mld_test_done();
}
