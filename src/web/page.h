/*
 * page.h - the site's pages: routes a path to a page and renders it.
 *
 * Pages are built from the store and rendered through the operator's
 * Mustache templates (templates/NAME.mustache):
 *
 *     /                           home: latest stories per section   (home)
 *     /artikel/SLUG-ID            one article + "Weitere Meldungen"  (article)
 *     /ressort/SLUG[?seite=N]     a section's stories                (list)
 *     /thema/SLUG[?seite=N]       a topic's stories                  (list)
 *     anything else               404                                (error)
 *
 * A withdrawn article answers 410 with a short notice (gone); an article
 * under embargo or withheld does not exist for readers (404). Each
 * rendered page names the change keys it depends on (see store.h), so the
 * page cache can drop exactly the pages a store change affects.
 */
#ifndef MLD_PAGE_H
#define MLD_PAGE_H

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/limits.h"
#include "../base/time.h"
#include "../store/store.h"
#include "tmpl.h"

/* The most change keys one page records. */
#define MLD_PAGE_MAX_TAGS (4 + 2 * MLD_MAX_TOPICS)

/* A rendered page. */
struct mld_page {
    int status;                /* 200, 301, 404, 410 */
    struct mld_buf body;       /* the HTML (empty for 301) */
    char location[512];        /* 301 only: where to */
    mld_time_t last_modified;  /* 0 = unknown */
    int cacheable;             /* 1 when the page may be kept in the cache */
    char *tags[MLD_PAGE_MAX_TAGS]; /* change keys it depends on (owned) */
    int ntags;
};

/* Renders the page for path (decoded, "/...") with query parameter seite
 * (page number, 1-based; 0 or 1 for the first page) at instant now.
 * Returns 0 with out filled (out->status may be 404), or an error
 * (MLD_E_STORE, MLD_E_TEMPLATE) with err set; the caller answers 500.
 * Dispose out with mld_page_dispose() in every case. */
int mld_page_render(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
                    int seite, mld_time_t now, struct mld_page *out, struct mld_err *err);

/* Frees what out holds. */
void mld_page_dispose(struct mld_page *out);

/* Sets key in o to the string v, or leaves it out when v is NULL or empty
 * (so that {{#key}} sections test presence). */
void mld_page_set_str(json_t *o, const char *key, const char *v);

/* Adds what every page has to ctx: site_name, title, and nav[] (the
 * sections with visible articles at now; the one whose slug is current,
 * when not NULL, marked). Returns 0 or the store's error. */
int mld_page_base_context(struct mld_store *st, json_t *ctx, const char *title,
                          const char *current, mld_time_t now, struct mld_err *err);

/* Writes the canonical path of an article, "/artikel/SLUG-ID", to out
 * (size bytes). */
void mld_page_article_path(const char *slug, int64_t id, char *out, size_t size);

#endif
