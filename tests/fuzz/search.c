/*
 * tests/fuzz/search.c - libFuzzer driver for the search requests of the
 * site: the query parameters of /api/v1/search and /suche.
 *
 * The input is a query string as it reaches the handler, already decoded:
 * "name=value" pairs split at '&' (any bytes, NULs end the input). Both
 * search.c entry points run it against one small store that holds two
 * articles, so parameters, the store's query parser, snippets and the
 * answer's serialisation all get exercised. Promises checked (a broken
 * one aborts): a request never fails but with a store error; the API
 * answers 200 with {"query", "hits", "more", "next", "suggestion"} or 400
 * with {"error"}, always valid JSON; the page answers 200 or 400, and the
 * page's snippets hold no tag but <mark>.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/err.h"
#include "../../src/ingest/article.h"
#include "../../src/store/store.h"
#include "../../src/web/page.h"
#include "../../src/web/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* The instant every request runs at: after both articles. */
#define NOW 1769900000 /* 2026-01-31T23:33:20Z */

/* Stores one usable article. */
static void
put(struct mld_store *st, const char *urn, const char *headline, const char *text,
    const char *section, const char *topic, mld_time_t at)
{
    struct mld_article *a = mld_article_new();
    a->urn = strdup(urn);
    a->version = 1;
    a->version_created = a->updated = at;
    a->headline = strdup(headline);
    a->teaser = strdup(text);
    a->text = strdup(text);
    a->body_html = strdup("<p>x</p>");
    a->section = strdup(section);
    mld_article_add_topic(a, topic);
    enum mld_put_result res;
    int64_t id;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &res, &id, &err) != 0)
        abort();
    mld_article_free(a);
}

/* The store and the page template, made once (libFuzzer runs one input
 * at a time). */
static struct mld_store *
store(const struct mld_tmpl_set **tmpl)
{
    static struct mld_store *st;
    static struct mld_tmpl_set *set;
    if (st == NULL) {
        struct mld_err err = {0};
        if (mld_store_open(&st, ":memory:", &err) != 0)
            abort();
        put(st, "urn:fuzz:1", "Kreml stimmt begrenzter Waffenruhe zu",
            "Müller & Söhne <b> melden: Die Waffenruhe in der Ukraine gilt bis Sonntag.", "Ausland",
            "Ukraine", NOW - 86400);
        put(st, "urn:fuzz:2", "Sturm verhindert Weltcup-Abfahrt",
            "Die Abfahrt fällt wegen Sturms aus; Fahrgäste warten auf Züge.", "Sport", "Frankreich",
            NOW - 3600);
        static const char page[] = "{{#hits}}[{{{snippet}}}]{{/hits}}{{error}}{{message}}";
        set = mld_tmpl_set_new();
        if (mld_tmpl_set_add(set, "search", page, sizeof(page) - 1, &err) != 0)
            abort();
    }
    *tmpl = set;
    return st;
}

/* Aborts unless the API's answer keeps its promises. */
static void
check_api(const struct mld_page *pg)
{
    json_error_t jerr;
    json_t *v = json_loadb(pg->body.p ? pg->body.p : "", pg->body.len, 0, &jerr);
    if (v == NULL || pg->content_type == NULL)
        abort();
    if (pg->status == 400) {
        if (!json_is_string(json_object_get(v, "error")))
            abort();
    } else if (pg->status != 200 || !json_is_string(json_object_get(v, "query")) ||
               !json_is_array(json_object_get(v, "hits")) ||
               !json_is_boolean(json_object_get(v, "more")) || json_object_get(v, "next") == NULL ||
               json_object_get(v, "suggestion") == NULL) {
        abort();
    }
    json_decref(v);
}

/* Aborts unless the page's snippets hold no tag but <mark>. */
static void
check_page(const struct mld_page *pg)
{
    if (pg->status != 200 && pg->status != 400)
        abort();
    const char *body = pg->body.p ? pg->body.p : "";
    for (const char *p = strchr(body, '<'); p != NULL; p = strchr(p + 1, '<'))
        if (strncmp(p, "<mark>", 6) != 0 && strncmp(p, "</mark>", 7) != 0)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = strndup((const char *)data, size);
    char *kv[2 * 16 + 1];
    int n = 0;
    for (char *pair = s; pair != NULL && n < 2 * 16;) {
        char *amp = strchr(pair, '&');
        if (amp != NULL)
            *amp = '\0';
        char *eq = strchr(pair, '=');
        if (eq != NULL)
            *eq = '\0';
        kv[n++] = pair;
        kv[n++] = eq != NULL ? eq + 1 : pair + strlen(pair);
        pair = amp != NULL ? amp + 1 : NULL;
    }
    kv[n] = NULL;
    const struct mld_tmpl_set *tmpl;
    struct mld_store *st = store(&tmpl);
    struct mld_page_args args = {mld_page_kv_get, kv};
    struct mld_page pg;
    struct mld_err err = {0};

    memset(&pg, 0, sizeof(pg));
    mld_buf_init(&pg.body, 1u << 20);
    if (mld_page_search_api(st, &args, NOW, &pg, &err) != 0)
        abort();
    check_api(&pg);
    mld_page_dispose(&pg);

    memset(&pg, 0, sizeof(pg));
    mld_buf_init(&pg.body, 1u << 20);
    if (mld_page_search(st, tmpl, &args, NOW, &pg, &err) != 0)
        abort();
    check_page(&pg);
    mld_page_dispose(&pg);
    free(s);
    return 0;
}
