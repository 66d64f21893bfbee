/*
 * configure.c - the enrich step as a whole: its configuration and its order.
 *
 * The [enrich] section of the configuration names an operator's files:
 *
 *     [enrich]
 *     sections = etc/sections.txt      # rules ahead of data/sections.txt
 *     gazetteer = etc/gazetteer.txt    # entries added to data/gazetteer.txt
 *     section_model = etc/sections.model    # the section classifier's
 *                                           # counts (meldung sections train)
 *     dictionary = /usr/share/dict/ngerman   # the analyzer's word list
 *
 * Every command that enriches articles (ingest, poll, watch, serve with
 * push) applies it before the first article, because the tables are
 * process-wide and fixed once in use. The word list goes first: loading
 * the gazetteer or the model may build the analyzer, which reads the list
 * only once.
 * Paths are taken as written (relative ones from the working directory,
 * like the store's path in [site]).
 */
#include "enrich.h"

#include <string.h>

#include "../base/config.h"
#include "../text/analyze.h"
#include "classify.h"

/* One key of [enrich]: the loader of the file it names. */
static const struct {
    const char *key;
    int (*load)(const char *path, struct mld_err *err);
} keys[] = {
    {"dictionary", mld_analyzer_set_dict},
    {"gazetteer", mld_topics_load},
    {"sections", mld_sections_load},
    {"section_model", mld_sections_model_load},
};

#define NKEYS ((int)(sizeof(keys) / sizeof(keys[0])))

/* Index in keys of key, or -1. */
static int
key_index(const char *key)
{
    for (int k = 0; k < NKEYS; k++)
        if (strcmp(keys[k].key, key) == 0)
            return k;
    return -1;
}

/* Checks that section sec has no name and only known keys, each with a
 * value. (A second [enrich] the configuration reader refuses itself.) */
static int
check_section(const struct mld_config *cfg, int sec, struct mld_err *err)
{
    if (mld_config_name(cfg, sec) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: [enrich] takes no name",
                           mld_config_where(cfg, sec, NULL));
    for (int k = 0; k < mld_config_nkeys(cfg, sec); k++) {
        const char *key = mld_config_key(cfg, sec, k);
        if (key_index(key) < 0)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [enrich]: unknown key \"%s\" (known: sections, "
                               "section_model, gazetteer, dictionary)",
                               mld_config_where(cfg, sec, key), key);
        const char *v = mld_config_get(cfg, sec, key);
        if (v == NULL || v[0] == '\0')
            return mld_err_set(err, MLD_E_PARSE, "%s: %s wants a file name",
                               mld_config_where(cfg, sec, key), key);
    }
    return 0;
}

int
mld_enrich_configure(const struct mld_config *cfg, struct mld_err *err)
{
    int sec = cfg != NULL ? mld_config_find(cfg, "enrich", NULL) : -1;
    if (sec < 0)
        return 0;
    int rc = check_section(cfg, sec, err);
    for (int k = 0; k < NKEYS && rc == 0; k++) {
        const char *path = mld_config_get(cfg, sec, keys[k].key);
        if (path != NULL && (rc = keys[k].load(path, err)) != 0)
            mld_err_prefix(err, "%s: %s", mld_config_where(cfg, sec, keys[k].key), keys[k].key);
    }
    return rc;
}

void
mld_enrich(struct mld_article *a, const char *source_section)
{
    mld_enrich_rec(a, source_section, NULL);
}

void
mld_enrich_rec(struct mld_article *a, const char *source_section, const struct mld_token_rec *rec)
{
    mld_enrich_section(a, source_section);
    mld_enrich_topics_rec(a, rec);
}
