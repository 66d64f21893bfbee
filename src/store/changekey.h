/*
 * changekey.h - the change keys, built and read in one place.
 *
 * Every change the store commits logs keys naming what it touched, and
 * every cacheable answer carries the keys it was built from (store.h has
 * the list). Writers (the store backends), readers (the page cache, live
 * updates, the API's change feed, CDN purges) and page builders all spell
 * them through these functions, so a backend never writes a key by hand
 * and a new kind of key is added here once.
 */
#ifndef MLD_CHANGEKEY_H
#define MLD_CHANGEKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "../text/slug.h"

enum mld_key_kind {
    MLD_KEY_NONE,    /* not a key this file builds */
    MLD_KEY_ALL,     /* "all": pages that show every section (home) */
    MLD_KEY_ARTICLE, /* "a:ID" */
    MLD_KEY_STORY,   /* "g:ID" */
    MLD_KEY_SECTION, /* "s:SLUG" */
    MLD_KEY_TOPIC,   /* "t:SLUG" */
    MLD_KEY_MONTH,   /* "m:YYYY-MM" */
};

/* One key as a string; .s is "" when the name it was built from was NULL
 * or too long (callers skip empty keys). */
struct mld_key {
    char s[MLD_SLUG_MAX + 8];
};

/* The keys, one constructor a kind (the names are slugs or "YYYY-MM"). */
struct mld_key mld_key_all(void);
struct mld_key mld_key_article(int64_t id);
struct mld_key mld_key_story(int64_t id);
struct mld_key mld_key_section(const char *slug);
struct mld_key mld_key_topic(const char *slug);
struct mld_key mld_key_month(const char *yyyy_mm);

/* The kind of key, with *id set for an article or story key (a positive
 * id, else MLD_KEY_NONE) and *name (pointing into key) for a section,
 * topic or month key. id and name may be NULL. */
enum mld_key_kind mld_key_parse(const char *key, int64_t *id, const char **name);

#endif
