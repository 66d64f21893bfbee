/*
 * feed_out.h - the site's own feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1
 * of the home page, every section, topic and story, and any search.
 *
 *     /feed.xml  /atom.xml  /feed.json                 home (every section)
 *     /ressort/SLUG/feed.xml|atom.xml|feed.json        a section
 *     /thema/SLUG/feed.xml|atom.xml|feed.json          a topic
 *     /geschichte/ID/feed.xml|atom.xml|feed.json       a story
 *     /suche/feed.xml|atom.xml|feed.json?q=...         a search (/suche's
 *                                                      q, ressort, thema,
 *                                                      von, bis)
 *     /rss.xml, /rss, /feed, /feed/                    301 to /feed.xml
 *
 * A feed lists the newest MLD_FEED_OUT_ITEMS visible articles of its page,
 * one item per article (not per story as the HTML lists), newest first,
 * with full sanitised content, teaser, pictures, section and topics, the
 * article's URN as its id, and absolute links made from [site] base_url.
 * Feeds are pages (struct mld_page) like any other: cached, tagged with
 * the change keys of their HTML page, answered with ETag and 304 by the
 * HTTP layer. docs/internals/feeds_out.md has the mapping per format.
 */
#ifndef MLD_FEED_OUT_H
#define MLD_FEED_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"
#include "../base/time.h"
#include "../store/store.h"
#include "page.h"

/* Content types of the three formats. */
#define MLD_FEED_OUT_RSS_TYPE "application/rss+xml; charset=utf-8"
#define MLD_FEED_OUT_ATOM_TYPE "application/atom+xml; charset=utf-8"
#define MLD_FEED_OUT_JSON_TYPE "application/feed+json; charset=utf-8"

/* True when path (decoded) names a feed or one of its aliases. */
bool mld_feed_out_is_feed(const char *path);

/* True when path names a search feed (/suche/...): its answer depends on
 * the query string and is not cached, as the search page is not. */
bool mld_feed_out_is_search(const char *path);

/* Renders the feed at path (mld_feed_out_is_feed() true) with query
 * parameters args at now into out, whose site gives the base URL (a
 * feed needs absolute URLs: the caller puts one there, see site.c).
 * Unknown sections, topics and stories answer 404, an invalid search 400,
 * an alias or a story merged into another 301. Returns 0 or the store's
 * error with err set. */
int mld_feed_out_render(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
                        const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                        struct mld_err *err);

/* Adds feeds[] ({url, type, title}: the <link rel="alternate"> lines of
 * templates/head.mustache) to ctx, the context of the page at page_url
 * ("/", "/ressort/SLUG?seite=2", "/suche?q=...", "/artikel/..."): the
 * page's own feeds in the three formats, then the home page's. The page's
 * name comes from ctx's title (an article page offers its section's
 * feeds, from article.section and article.section_url). URLs are absolute
 * when the site has a base_url. */
void mld_feed_out_links(json_t *ctx, const struct mld_page_site *site, const char *page_url);

#endif
