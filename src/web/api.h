/*
 * api.h - the JSON article API under /api/v1/ (docs/api.md, docs/openapi.json).
 *
 *     /api/v1/articles            visible articles, newest first, cursor paging
 *     /api/v1/articles/ID         one article with its body and versions
 *     /api/v1/sections            sections with their visible articles' count
 *     /api/v1/topics              topics with counts, most articles first
 *     /api/v1/stories/ID          one story's visible articles, oldest first
 *     /api/v1/changes?since=C     new, updated and withdrawn articles since C
 *     /api/v1/openapi.json        the OpenAPI 3 description of all of them
 *     /api/v1/search              full-text search (search.c)
 *
 * Every article in every answer - here, in the search API and in
 * `meldung search --json` - is one JSON shape, made by mld_api_item_json().
 * Answers are built into a struct mld_page like the site's pages, so the
 * page cache keeps and invalidates them by the same change keys; errors
 * are {"error": "..."} in German with 400, 404 or 410.
 */
#ifndef MLD_API_H
#define MLD_API_H

#include <jansson.h>
#include <stdbool.h>

#include "../store/store.h"
#include "http.h"
#include "page.h"

/* The API's root; every path below it is answered in JSON. */
#define MLD_API_ROOT "/api/"

/* True when path is under /api/ (the API answers it, in JSON). */
bool mld_api_path(const char *path);

/* The one JSON shape of an article in a list: {id, urn, url, headline,
 * kicker, teaser, published, updated, version, section, topics, story_id,
 * credit, image}; absent text is null (docs/api.md, "The item"). */
json_t *mld_api_item_json(const struct mld_item *it);

/* A search hit: the item shape plus snippet (checked HTML, see
 * mld_api_snippet_json) and score. */
json_t *mld_api_hit_json(const struct mld_hit *h);

/* A search snippet as a JSON string of HTML that holds only text,
 * character references and unnested <mark> elements: anything else is
 * escaped, invalid UTF-8 dropped, an open mark closed. NULL is "". */
json_t *mld_api_snippet_json(const char *html);

/* A hit's snippet as that JSON string: its text escaped, <mark> around
 * the matches the store found (mld_highlight_html), through the filter
 * above. */
json_t *mld_api_hit_snippet_json(const struct mld_hit *h);

/* A JSON string of s cut before any invalid UTF-8, or null for NULL. */
json_t *mld_api_str(const char *s);

/* Serialises v (consumed) into out as a JSON answer with status (the
 * search API's and the article API's). Returns 0, or MLD_E_TOOBIG past
 * MLD_MAX_PAGE_BYTES. */
int mld_api_answer(struct mld_page *out, int status, json_t *v, struct mld_err *err);

/* An answer {"error": msg} with status, as mld_api_answer(). */
int mld_api_error(struct mld_page *out, int status, const char *msg, struct mld_err *err);

/* Parses a date bound: "YYYY-MM-DD" is a day in Europe/Berlin (its start,
 * or with end the start of the next day, so a range includes its last
 * day); anything else must be an ISO 8601 timestamp. */
bool mld_api_parse_when(const char *s, bool end, mld_time_t *out);

/* Parses decimal s from min to max into *out; false when it is not one. */
bool mld_api_parse_count(const char *s, long min, long max, int *out);

/* Writes to msg (size bytes) that parameter name has a bad value and what
 * it should be ("Ungültiger Wert für „limit“: „0“ – erwartet ..."); the
 * value is quoted only when it is short printable ASCII. */
void mld_api_bad_value(char *msg, size_t size, const char *name, const char *value,
                       const char *expect);

/* Writes to key (size bytes) the page-cache key of an API request: the
 * path plus its list parameters in a fixed order. Returns false when the
 * answer is not to be cached: paging and date windows (one entry per
 * client position would evict the site's pages), /changes, the search. */
bool mld_api_cache_key(const char *path, const struct mld_page_args *args, char *key, size_t size);

/* Answers API path (not /search, not /push) into out: 200 with the
 * document, 400, 404 or 410 with {"error": "..."}. Returns 0, or the
 * store's error (the caller answers 500). */
int mld_api_render(struct mld_store *st, const char *path, const struct mld_page_args *args,
                   mld_time_t now, struct mld_page *out, struct mld_err *err);

/* Adds the API's response headers to r (unfinished) for path and status:
 * CORS for GET (Access-Control-Allow-Origin: *, ETag exposed) and
 * Cache-Control: no-store for /changes; the other answers get the site's
 * (site.c, the same as pages). */
void mld_api_resp_headers(struct mld_http_resp *r, const char *path, int status);

/* The answer to an OPTIONS request for path: a CORS preflight (204, GET
 * and HEAD allowed) under /api/, else NULL. */
struct mld_http_resp *mld_api_preflight(const char *path);

/* The answer to a method other than GET, HEAD or OPTIONS under /api/
 * (but /api/v1/push): 405 with a JSON error. */
struct mld_http_resp *mld_api_not_allowed(void);

#endif
