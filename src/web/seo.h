/*
 * seo.h - what a page tells search engines and social networks in its
 * head: a meta description, robots noindex where a page is no landing
 * page, the favicon, OpenGraph and Twitter card tags, and on article pages
 * schema.org NewsArticle and BreadcrumbList as JSON-LD
 * (docs/internals/seo.md; the keys are listed in templates.md).
 *
 * Everything is added to the page's template context; the bundled
 * head.mustache writes it. The JSON-LD is the one value inserted raw: it
 * is built with jansson and escaped so that no stored text can end the
 * script element (mld_seo_json_script).
 */
#ifndef MLD_SEO_H
#define MLD_SEO_H

#include <jansson.h>
#include <stddef.h>

#include "page.h"

/* Adds to ctx, the context of template name, the keys description (when
 * the page builder set none), noindex, favicon, og_* and twitter_card, and
 * json_ld (article and section pages), using site's name, base URL and
 * logo (site may be NULL: the defaults). Call after
 * mld_page_site_context(). */
void mld_seo_context(json_t *ctx, const char *name, const struct mld_page_site *site);

/* A new string (mld_free) of v as JSON for a <script type=
 * "application/ld+json"> element: compact, and with "<", ">", "&", U+2028
 * and U+2029 written as \u escapes, so it can neither close the element
 * ("</script>"), open a comment ("<!--") nor break a JavaScript reader.
 * NULL when v cannot be encoded. */
char *mld_seo_json_script(json_t *v);

/* A new string (mld_free): text with runs of white space made one space,
 * cut at a word boundary before max characters with "…" appended when it
 * was longer; NULL for NULL or empty text. For meta descriptions. */
char *mld_seo_cut(const char *text, size_t max);

#endif
