/*
 * Tests for the [enrich] configuration: which sections and keys it takes,
 * that errors name the configuration's line and the loaded file's, and
 * that a sections file given there reaches the mapping.
 */
#include "../../../src/enrich/configure.c"

#include <stdio.h>
#include <unistd.h>

#include "../../../src/base/config.h"
#include "../../../src/base/mem.h"
#include "test.h"

/* Parses text as "t.conf" and applies it; returns the code of whichever
 * failed, with err set. */
static int
configure(const char *text, struct mld_err *err)
{
    struct mld_config *cfg = NULL;
    mld_err_clear(err);
    int rc = mld_config_parse(&cfg, "t.conf", text, strlen(text), err);
    if (rc == 0)
        rc = mld_enrich_configure(cfg, err);
    mld_config_free(cfg);
    return rc;
}

/* Checks that text fails with a message beginning with want. */
static void
fails(const char *text, const char *want, const char *name)
{
    struct mld_err err = {0};
    ok(configure(text, &err) != 0, "%s: refused", name);
    if (!ok(strncmp(err.msg, want, strlen(want)) == 0, "%s: message", name))
        diag("got:  %s\n# want: %s...", err.msg, want);
}

/* The section the rules in force give one category. */
static char *
section_of(const char *cat)
{
    struct mld_article *a = mld_article_new();
    mld_article_add_category(a, cat);
    char *s = mld_strdup(mld_enrich_section(a, NULL));
    mld_article_free(a);
    return s;
}

int
main(void)
{
    struct mld_err err = {0};
    ok(mld_enrich_configure(NULL, &err) == 0, "no configuration: nothing to do");
    ok(configure("[site]\ndb = x.db\n", &err) == 0, "no [enrich]: nothing to do");
    ok(configure("[enrich]\n", &err) == 0, "an empty [enrich] is fine");

    fails("[enrich]\nsection = x.txt\n", "t.conf:2: [enrich]: unknown key \"section\"",
          "unknown key");
    fails("[enrich main]\n", "t.conf:1: [enrich] takes no name", "named section");
    fails("[enrich]\n[site]\n[enrich]\n", "t.conf:3: ", "second section");
    fails("[enrich]\nsections =\n", "t.conf:2: sections wants a file name", "empty value");
    fails("[enrich]\n\nsections = /nonexistent/rules.txt\n",
          "t.conf:3: sections: /nonexistent/rules.txt: ", "missing sections file");
    fails("[enrich]\ngazetteer = /nonexistent/places.txt\n",
          "t.conf:2: gazetteer: ", "missing gazetteer file");
    fails("[enrich]\nsection_model = /nonexistent/model.txt\n",
          "t.conf:2: section_model: /nonexistent/model.txt", "missing section model");
    const char *model = mld_test_temp_file("configure", "meldung-section-model 1\nword\tX\n");
    char mtext[300], mwant[400];
    snprintf(mtext, sizeof(mtext), "[enrich]\nsection_model = %s\n", model);
    snprintf(mwant, sizeof(mwant), "t.conf:2: section_model: %s:2: expected a docs", model);
    fails(mtext, mwant, "bad section model");
    unlink(model);

    char text[300];
    const char *path = mld_test_temp_file("configure", "desk:pl = Staat\ndesk = X\n");
    snprintf(text, sizeof(text), "[enrich]\nsections = %s\n", path);
    char want[400];
    snprintf(want, sizeof(want), "t.conf:2: sections: %s:2: pattern \"desk\" has no scheme", path);
    fails(text, want, "bad sections file");

    char *before = section_of("desk:pl");
    is_str(before, "Politik", "the default rule before");
    unlink(path);
    path = mld_test_temp_file("configure", "desk:pl = Staat\n");
    snprintf(text, sizeof(text), "[enrich]\nsections = %s\n", path);
    ok(configure(text, &err) == 0, "a good sections file applies: %s", err.msg);
    char *after = section_of("desk:pl");
    is_str(after, "Staat", "the operator's rule after");
    unlink(path);
    mld_free(before);
    mld_free(after);
    return mld_test_done();
}
