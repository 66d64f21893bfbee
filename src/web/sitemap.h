/*
 * sitemap.h - the documents search engines read: /robots.txt, the sitemap
 * index /sitemap.xml with one child sitemap per month of publication
 * (/sitemaps/YYYY-MM.xml, split into /sitemaps/YYYY-MM-N.xml beyond
 * MLD_SITEMAP_MAX_URLS), the section pages (/sitemaps/ressorts.xml) and
 * the Google News sitemap of the last 48 hours (/sitemap-news.xml).
 *
 * They are pages like any other (struct mld_page): rendered under the
 * store lock, cached with their change keys, gzip-compressed and answered
 * with ETag/304 by site.c. Every URL in them is absolute, on the page's
 * base URL (site->base_url; site.c puts the request's host there when the
 * operator configured none). Only visible articles are listed: withheld,
 * held, withdrawn and embargoed ones never are (docs/internals/seo.md).
 */
#ifndef MLD_SITEMAP_H
#define MLD_SITEMAP_H

#include <stdbool.h>

#include "page.h"

/* Paths of the documents. */
#define MLD_ROBOTS_PATH "/robots.txt"
#define MLD_SITEMAP_PATH "/sitemap.xml"
#define MLD_NEWS_SITEMAP_PATH "/sitemap-news.xml"
#define MLD_SITEMAP_DIR "/sitemaps/"

/* True when path names a document of this module (it may still answer
 * 404, e.g. a month without articles). */
bool mld_sitemap_is_path(const char *path);

/* Renders the document at path for instant now into out (initialised by
 * mld_page_render: out->site and an empty body): status 200, or 404 with
 * a short text for a child sitemap that does not exist. Returns 0, or an
 * error with err set (MLD_E_STORE, MLD_E_TOOBIG past
 * MLD_SITEMAP_MAX_BYTES). */
int mld_sitemap_render(struct mld_store *st, const char *path, mld_time_t now, struct mld_page *out,
                       struct mld_err *err);

#endif
