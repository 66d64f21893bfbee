/*
 * page.h - the site's pages: routes a path to a page and renders it.
 *
 * Pages are built from the store and rendered through the operator's
 * Mustache templates (templates/NAME.mustache):
 *
 *     /                           home: latest stories per section   (home)
 *     /artikel/SLUG-ID            one article + "Weitere Meldungen"  (article)
 *     /ressort/SLUG[?seite=N]     a section's stories                (list)
 *     /thema/SLUG[?seite=N]       a topic's stories by day           (topic)
 *     /geschichte/ID              one story's articles, oldest first (story)
 *     /suche?q=...                search with filters (search.c)     (search)
 *     /api/v1/search?q=...        the same as JSON (search.c, docs/api.md)
 *     .../feed.xml|atom.xml|feed.json  the feeds of /, sections, topics,
 *                                 stories and searches (feed_out.h)
 *     /robots.txt, /sitemap.xml,  for crawlers (sitemap.c,
 *     /sitemaps/YYYY-MM.xml,      docs/internals/seo.md)
 *     /sitemap-news.xml
 *     /api/v1/...                 the article API in JSON (api.c, docs/api.md)
 *     anything else               404                                (error)
 *
 * A withdrawn article answers 410 with a short notice (gone); an article
 * under embargo or withheld does not exist for readers (404). Invalid
 * query parameters answer 400. Each rendered page names the change keys
 * it depends on (see store.h), so the page cache can drop exactly the
 * pages a store change affects.
 */
#ifndef MLD_PAGE_H
#define MLD_PAGE_H

#include <stdbool.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/limits.h"
#include "../base/time.h"
#include "../store/changekey.h"
#include "../store/store.h"
#include "tmpl.h"

/* The most change keys one page records: as many as the cache keeps on an
 * entry. A page that depends on more is rendered but not cached. */
#define MLD_PAGE_MAX_TAGS MLD_CACHE_MAX_TAGS

/* Content type of the JSON API's answers. */
#define MLD_PAGE_JSON_TYPE "application/json; charset=utf-8"

/* What the operator says about the site ([site] in the config file, read
 * by site.c; docs/internals/site.md). Every page shows the name and the
 * footer links. Strings are owned by whoever made the struct. */
struct mld_page_site {
    const char *name;        /* the site's name: header, titles; NULL = "meldung" */
    const char *base_url;    /* "https://news.example.de" (no trailing "/") for
                                canonical links, or NULL: site-relative links */
    const char *impressum;   /* footer link URLs; NULL = not configured */
    const char *datenschutz;
    const char *kontakt;
    const char *const *sections; /* section order of the home page and the
                                    navigation (display names); none: the
                                    default order (page.c) */
    int nsections;
    bool show_story_reasons; /* story pages say why an article joined */
    /* seo: site paths of files found under static/ at start (site.c), or
     * NULL: the publisher logo of the JSON-LD ("/static/logo.png") and the
     * favicon ("/static/favicon.svg"). */
    const char *logo;
    const char *favicon;
    /* The navigation's sections kept between renders (site.c owns it and
     * says when they may have changed), or NULL: read per render. */
    struct mld_page_nav *nav;
};

/* The navigation (the sections of the store, in the site's order) kept
 * between renders: read from the store on the first render after
 * mld_page_nav_changed(), then built from memory. Thread-safe. */
struct mld_page_nav *mld_page_nav_new(void);
void mld_page_nav_free(struct mld_page_nav *nav);

/* The sections may have changed (the change log or an embargo release had
 * a key, or the settings were reloaded): the next render reads them. */
void mld_page_nav_changed(struct mld_page_nav *nav);

/* A rendered page. */
struct mld_page {
    int status;                    /* 200, 301, 400, 404, 410 */
    const char *content_type;      /* NULL: text/html; charset=utf-8 */
    struct mld_buf body;           /* the HTML or JSON (empty for 301) */
    char location[512];            /* 301 only: where to */
    mld_time_t last_modified;      /* 0 = unknown */
    int cacheable;                 /* 1 when the page may be kept in the cache */
    char *tags[MLD_PAGE_MAX_TAGS]; /* change keys it depends on (owned) */
    int ntags;
    bool tags_full; /* a tag did not fit: never cache the page */
    bool nav_ordered; /* its context's nav[] is in the site's order already */
    const struct mld_page_site *site; /* the operator's settings (never NULL
                                         while rendering) */
};

/* A request's query parameters: get(ud, name) returns the decoded value
 * of parameter name, or NULL when it is absent. */
struct mld_page_args {
    const char *(*get)(const void *ud, const char *name);
    const void *ud;
};

/* A getter for mld_page_args over ud, a NULL-terminated array of name,
 * value string pairs: arguments that do not come from a request (tests,
 * tools). */
const char *mld_page_kv_get(const void *ud, const char *name);

/* Writes to key (size bytes) the page-cache key of the page for path and
 * args: the path, plus "?seite=N" beyond the first page. Returns false
 * when the page is not to be looked up in the cache: search pages (their
 * keys are the reader's free text) and invalid parameters (answered 400). */
bool mld_page_cache_key(const char *path, const struct mld_page_args *args, char *key, size_t size);

/* Renders the page for path (decoded, "/...") with query parameters args
 * at instant now, for the site site (NULL: the defaults). Returns 0 with
 * out filled (out->status may be 400 or 404), or an error (MLD_E_STORE,
 * MLD_E_TEMPLATE) with err set; the caller answers 500. Dispose out with
 * mld_page_dispose() in every case. */
int mld_page_render(struct mld_store *st, const struct mld_tmpl_set *tmpl,
                    const struct mld_page_site *site, const char *path,
                    const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                    struct mld_err *err);

/* Adds the operator's settings every page shows to ctx: site_name, and
 * footer {impressum, datenschutz, kontakt, configured} (see
 * docs/internals/templates.md), and puts ctx's nav[] in the site's
 * section order; site NULL means the defaults. */
void mld_page_site_context(json_t *ctx, const struct mld_page_site *site);

/* Orders v (n named sections) for the home page and the navigation: the
 * names in site's sections (or the default order: Politik, Ausland,
 * Inland, Wirtschaft, Börse, Sport, ...) first, in that order (compared by
 * slug, so "Börse" and "Boerse" are one), then the rest by slug. */
void mld_page_order_sections(struct mld_named *v, int n, const struct mld_page_site *site);

/* "1 Meldung", "2 Meldungen": writes count and the German noun in its
 * number (singular one, plural otherwise) to out (size bytes). */
void mld_page_count_noun(char *out, size_t size, long count, const char *one, const char *many);

/* Renders the 410 page of a withdrawn article into out: the agency's
 * withdrawal, or with reason (not NULL) an editor's, whose reason it
 * shows. Returns 0 or the store's or template's error. */
int mld_page_gone(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *reason,
                  mld_time_t now, struct mld_page *out, struct mld_err *err);

/* Adds the pager links of page seite of base to ctx: prev_url (base
 * itself for page 2) and, when more, next_url ("base?seite=N"). */
void mld_page_set_pager(json_t *ctx, const char *base, int seite, int more);

/* Frees what out holds. */
void mld_page_dispose(struct mld_page *out);

/* Sets key in o to the string v, or leaves it out when v is NULL or empty
 * (so that {{#key}} sections test presence). key is ASCII of the code:
 * jansson does not check it again. */
void mld_page_set_str(json_t *o, const char *key, const char *v);

/* A JSON string of s, or NULL for NULL or text that is not UTF-8: what
 * json_string() gives, checked by mld_utf8_valid() (ASCII eight bytes at
 * a time) instead of jansson's check, a code point at a time, which was
 * a tenth of an article render. */
json_t *mld_page_str(const char *s);

/* Adds what every page has to ctx: site_name, title, and nav[] (the
 * sections with visible articles at now; the one whose slug is current,
 * when not NULL, marked). Returns 0 or the store's error. */
int mld_page_base_context(struct mld_store *st, json_t *ctx, const char *title, const char *current,
                          mld_time_t now, struct mld_err *err);

/* Writes the canonical path of an article, "/artikel/SLUG-ID", to out
 * (size bytes). */
void mld_page_article_path(const char *slug, int64_t id, char *out, size_t size);

/* Shared by the page builders (page.c, search.c) -------------------------- */

/* Records change key key (changekey.h; an empty one is skipped) on out;
 * when out has no room left, marks it tags_full, which keeps it out of
 * the cache. */
void mld_page_add_key(struct mld_page *out, const char *key);

/* A list entry for it (url, headline, kicker, teaser, sections, dates,
 * story_size and story_url for a story of several articles); see
 * docs/internals/templates.md. */
json_t *mld_page_item_json(const struct mld_item *it);

/* The first max topics of a as [{name, slug, url, last}]. */
json_t *mld_page_topics_json(const struct mld_article *a, int max);

/* Renders template name with ctx (consumed) into out->body, with the
 * site's settings of out->site added (mld_page_site_context). Returns 0,
 * the engine's error, or MLD_E_TOOBIG past MLD_MAX_PAGE_BYTES. */
int mld_page_render_tmpl(const struct mld_tmpl_set *tmpl, const char *name, json_t *ctx,
                         struct mld_page *out, struct mld_err *err);

/* Parses a decimal id of 1 to 18 digits (a path's article or story id);
 * 0 when s is not one. */
int64_t mld_page_parse_id(const char *s);

/* For a story id that is not (or no longer) a visible story: a 301 to the
 * story of the article with that id plus suffix ("" for the page,
 * "/feed.xml" for a feed) when that article is visible, else the 404
 * page. Returns 0 or the store's error. */
int mld_page_story_elsewhere(struct mld_store *st, const struct mld_tmpl_set *tmpl, int64_t id,
                             const char *suffix, mld_time_t now, struct mld_page *out,
                             struct mld_err *err);

/* Renders the error page: status 400 or 404 (template error) or 410
 * (template gone), with message as its heading. */
int mld_page_error(struct mld_store *st, const struct mld_tmpl_set *tmpl, int status,
                   const char *message, mld_time_t now, struct mld_page *out, struct mld_err *err);

/* True when s is a plausible slug (what mld_slug() can produce, plus an
 * article's "-ID") of at most max bytes. */
bool mld_page_is_slug(const char *s, size_t max);

/* Search (search.c) --------------------------------------------------------- */

/* The search API's path. */
#define MLD_PAGE_SEARCH_API_PATH "/api/v1/search"

/* /suche: the search page for parameters q, ressort, thema, von, bis and
 * seite (see docs/internals/templates.md). Invalid parameters render the
 * page with status 400 and a message saying which and why. */
int mld_page_search(struct mld_store *st, const struct mld_tmpl_set *tmpl,
                    const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                    struct mld_err *err);

/* /api/v1/search: the same search as JSON for parameters q, section,
 * topic, from, to, limit and offset (docs/api.md); invalid parameters
 * answer 400 with {"error": "..."}. */
int mld_page_search_api(struct mld_store *st, const struct mld_page_args *args, mld_time_t now,
                        struct mld_page *out, struct mld_err *err);

/* The search feeds (feed_out.c): the search of /suche's parameters q,
 * ressort, thema, von and bis, checked as the page checks them. */
struct mld_page_search_result {
    bool ok;                /* the search ran: hits are its first results */
    struct mld_hits hits;   /* best first, at most the limit asked for */
    char *page_url;         /* the search page's URL, "/suche?q=..." (owned) */
    char title[MLD_SEARCH_MAX_QUERY_BYTES + 32]; /* "Suche: QUERY" */
    char msg[MLD_ERR_MSG_MAX]; /* !ok: why no search ran (answer 400) */
};

/* Runs the search args name with at most limit hits at now into res.
 * Returns 0 (res->ok false with res->msg for an invalid or empty query)
 * or the store's error; dispose res with mld_page_search_result_dispose()
 * in every case. */
int mld_page_search_feed(struct mld_store *st, const struct mld_page_args *args, int limit,
                         mld_time_t now, struct mld_page_search_result *res,
                         struct mld_err *err);

/* Frees what res holds. */
void mld_page_search_result_dispose(struct mld_page_search_result *res);

#endif
