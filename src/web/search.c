/*
 * search.c - the search page (/suche) and the search API (/api/v1/search).
 *
 * Both take the same parameters - with German names on the page, where
 * readers see them in the address bar, and English ones in the API - and
 * check all of them before the store is asked: a query over
 * MLD_SEARCH_MAX_QUERY_BYTES or not UTF-8, a bad date, page, limit or
 * offset, an empty date range, a section or topic no article carries all
 * answer 400 with a message naming the parameter and what it should be.
 * A valid request runs one mld_store_search(); a query without a
 * searchable word (MLD_E_PARSE) is the reader's mistake, not a failure:
 * the page shows the store's explanation, the API answers 400 with it.
 *
 * Dates: "YYYY-MM-DD" is a whole day in Europe/Berlin, so von=bis=a day
 * finds that day's articles; the API also takes ISO 8601 timestamps.
 *
 * Snippets come from the store as text and the byte ranges of the
 * matches; mld_api_hit_snippet_json() (api.c) writes them as HTML
 * (escaped text, <mark> around the matches: mld_highlight_html) and goes
 * into the page raw, after mld_api_snippet_json() has let through only
 * that shape, so no bug can put other markup on the page. A hit of the API is the article API's item
 * shape plus snippet and score (mld_api_hit_json), as in `meldung search
 * --json`.
 *
 * Neither answer goes into the page cache (page.c, mld_page_cache_key):
 * the key would be the reader's free text, so random queries could evict
 * the article pages that the cache is for, and every new article (the
 * store's "all" key) would drop all of them anyway. Responses carry
 * Cache-Control, so a CDN in front may keep popular queries briefly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "../text/slug.h"
#include "feed_out.h"
#include "api.h"
#include "page.h"

#define PAGE_PATH "/suche"

/* Longest URL a search links to: the query percent-encoded (3 bytes per
 * byte at most) plus slugs, dates and numbers. */
#define URL_MAX (3 * MLD_SEARCH_MAX_QUERY_BYTES + 1024)

/* The names of a request's filter parameters. */
struct names {
    const char *section, *topic, *from, *to;
};

static const struct names page_names = {"ressort", "thema", "von", "bis"};
static const struct names api_names = {"section", "topic", "from", "to"};

/* A search request. The strings point into the request's parameters. */
struct sreq {
    bool api;                      /* the JSON API (else the page) */
    const struct names *names;     /* its parameter names */
    const char *q;                 /* the query, "" when absent */
    const char *section, *topic;   /* slugs, or NULL */
    const char *from_arg, *to_arg; /* as given, or NULL */
    mld_time_t from, to;           /* [from, to), 0 = open */
    int limit, offset;
    char *section_name; /* display names (owned), once checked */
    char *topic_name;
    char msg[320]; /* why the request is invalid */
};

static void
sreq_dispose(struct sreq *r)
{
    mld_free(r->section_name);
    mld_free(r->topic_name);
}

/* Parameter name, or NULL when absent or empty (a form sends empty
 * fields for filters left open). */
static const char *
arg(const struct mld_page_args *args, const char *name)
{
    const char *v = args != NULL ? args->get(args->ud, name) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Records in r->msg that parameter name has a bad value and what it
 * should be. The value is quoted when it is short printable ASCII, so
 * the message stays readable and valid UTF-8. Returns false. */
static bool
bad_value(struct sreq *r, const char *name, const char *value, const char *expect)
{
    mld_api_bad_value(r->msg, sizeof(r->msg), name, value, expect);
    return false;
}

/* Checks filter slug value of parameter name and looks up its display
 * name with lookup. Returns false with r->msg set when it is not a slug
 * or no article carries it. */
static bool
check_filter(struct mld_store *st, struct sreq *r, const char *name, const char *value,
             char *(*lookup)(struct mld_store *, const char *), char **display, const char *what)
{
    if (!mld_page_is_slug(value, MLD_SLUG_MAX))
        return bad_value(r, name, value, "ein Kürzel aus Kleinbuchstaben, Ziffern und „-“");
    *display = lookup(st, value);
    if (*display == NULL) {
        snprintf(r->msg, sizeof(r->msg), "Unbekanntes %s „%s“.", what, value);
        return false;
    }
    return true;
}

/* Reads the paging parameters: seite on the page, limit and offset in
 * the API. */
static bool
parse_paging(const struct mld_page_args *args, struct sreq *r)
{
    const char *v;
    r->limit = MLD_SEARCH_PAGE_SIZE;
    if (!r->api) {
        int seite = 1, max = MLD_SEARCH_MAX_OFFSET / MLD_SEARCH_PAGE_SIZE + 1;
        char expect[64];
        snprintf(expect, sizeof(expect), "eine Seitenzahl von 1 bis %d", max);
        if ((v = arg(args, "seite")) != NULL && !mld_api_parse_count(v, 1, max, &seite))
            return bad_value(r, "seite", v, expect);
        r->offset = (seite - 1) * MLD_SEARCH_PAGE_SIZE;
        return true;
    }
    char expect[64];
    snprintf(expect, sizeof(expect), "eine Zahl von 1 bis %d", MLD_SEARCH_MAX_LIMIT);
    if ((v = arg(args, "limit")) != NULL &&
        !mld_api_parse_count(v, 1, MLD_SEARCH_MAX_LIMIT, &r->limit))
        return bad_value(r, "limit", v, expect);
    snprintf(expect, sizeof(expect), "eine Zahl von 0 bis %d", MLD_SEARCH_MAX_OFFSET);
    if ((v = arg(args, "offset")) != NULL &&
        !mld_api_parse_count(v, 0, MLD_SEARCH_MAX_OFFSET, &r->offset))
        return bad_value(r, "offset", v, expect);
    return true;
}

/* Reads and checks the request's parameters into r (which the caller
 * disposes in any case). Returns false with r->msg saying why when one
 * is invalid; the fields read so far stay set for the form. */
static bool
parse_request(struct mld_store *st, const struct mld_page_args *args, bool api, struct sreq *r)
{
    memset(r, 0, sizeof(*r));
    r->api = api;
    r->names = api ? &api_names : &page_names;
    const char *q = args != NULL ? args->get(args->ud, "q") : NULL;
    r->q = q != NULL ? q : "";
    r->section = arg(args, r->names->section);
    r->topic = arg(args, r->names->topic);
    r->from_arg = arg(args, r->names->from);
    r->to_arg = arg(args, r->names->to);
    size_t qlen = strlen(r->q);
    if (qlen > MLD_SEARCH_MAX_QUERY_BYTES) {
        snprintf(r->msg, sizeof(r->msg), "Der Suchbegriff ist zu lang: %zu Bytes, höchstens %d.",
                 qlen, MLD_SEARCH_MAX_QUERY_BYTES);
        r->q = "";
        return false;
    }
    if (!mld_utf8_valid(r->q, qlen)) {
        snprintf(r->msg, sizeof(r->msg), "Der Suchbegriff ist kein gültiger UTF-8-Text.");
        r->q = "";
        return false;
    }
    if (!parse_paging(args, r))
        return false;
    const char *expect = api ? "ein Datum JJJJ-MM-TT (etwa 2026-01-30) oder einen Zeitpunkt "
                               "nach ISO 8601"
                             : "ein Datum JJJJ-MM-TT, etwa 2026-01-30";
    if (r->from_arg != NULL && !mld_api_parse_when(r->from_arg, false, &r->from))
        return bad_value(r, r->names->from, r->from_arg, expect);
    if (r->to_arg != NULL && !mld_api_parse_when(r->to_arg, true, &r->to))
        return bad_value(r, r->names->to, r->to_arg, expect);
    if (r->from_arg != NULL && r->to_arg != NULL && r->from >= r->to) {
        snprintf(r->msg, sizeof(r->msg), "Der Zeitraum ist leer: „%s“ liegt nach „%s“.",
                 r->names->from, r->names->to);
        return false;
    }
    if (r->section != NULL && !check_filter(st, r, r->names->section, r->section,
                                            mld_store_section_name, &r->section_name, "Ressort"))
        return false;
    if (r->topic != NULL && !check_filter(st, r, r->names->topic, r->topic, mld_store_topic_name,
                                          &r->topic_name, "Thema"))
        return false;
    return true;
}

/* True when q has nothing but white space. */
static bool
is_blank(const char *q)
{
    for (; *q; q++)
        if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '\f' && *q != '\v')
            return false;
    return true;
}

/* Runs r's search at now; entries: the hits as list entries (store.h). */
static int
run_search(struct mld_store *st, const struct sreq *r, mld_time_t now, bool entries,
           struct mld_hits *hits, struct mld_err *err)
{
    struct mld_search q = {
        .text = r->q,
        .section_slug = r->section,
        .topic_slug = r->topic,
        .from = r->from,
        .to = r->to,
        .now = now,
        .limit = r->limit,
        .offset = r->offset,
        .entries = entries,
    };
    return mld_store_search(st, &q, hits, err);
}

/* Appends "?name=value" or "&name=value", value percent-encoded (the
 * RFC 3986 unreserved bytes stay), to the URL in b; nothing for NULL. */
static void
put_param(struct mld_buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (value == NULL || value[0] == '\0')
        return;
    mld_buf_putc(b, memchr(b->p, '?', b->len) != NULL ? '&' : '?');
    mld_buf_puts(b, name);
    mld_buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            mld_buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            mld_buf_append(b, e, 3);
        }
    }
}

/* The URL of r's search with query q and topic filter topic (facets and
 * the suggestion change them) at offset. Free with mld_free. */
static char *
search_url(const struct sreq *r, const char *q, const char *topic, int offset)
{
    struct mld_buf b;
    mld_buf_init(&b, URL_MAX);
    mld_buf_puts(&b, r->api ? MLD_PAGE_SEARCH_API_PATH : PAGE_PATH);
    put_param(&b, "q", q);
    put_param(&b, r->names->section, r->section);
    put_param(&b, r->names->topic, topic);
    put_param(&b, r->names->from, r->from_arg);
    put_param(&b, r->names->to, r->to_arg);
    char num[16];
    if (r->api && r->limit != MLD_SEARCH_PAGE_SIZE) {
        snprintf(num, sizeof(num), "%d", r->limit);
        put_param(&b, "limit", num);
    }
    if (offset > 0) {
        snprintf(num, sizeof(num), "%d", r->api ? offset : offset / r->limit + 1);
        put_param(&b, r->api ? "offset" : "seite", num);
    }
    return mld_buf_steal(&b, NULL);
}

/* Sets key of o to r's search URL (see search_url). */
static void
set_url(json_t *o, const char *key, const struct sreq *r, const char *q, const char *topic,
        int offset)
{
    char *url = search_url(r, q, topic, offset);
    json_object_set_new(o, key, json_string(url));
    mld_free(url);
}

/* The page ------------------------------------------------------------- */

/* A topic offered to narrow the search: slug, name, hits on this page. */
struct facet {
    char slug[MLD_SLUG_MAX + 1];
    const char *name;
    int count;
    int order; /* first appearance */
};

/* Orders facets by count, most first; ties keep their first appearance. */
static int
facet_cmp(const void *a, const void *b)
{
    const struct facet *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return x->order - y->order;
}

/* The topics of the hits, most frequent first, as [{name, url, count}]
 * of searches narrowed to each; the topic already filtered on is left
 * out. */
static json_t *
facets_json(const struct sreq *r, const struct mld_hits *hits)
{
    struct facet *f = mld_reallocarray(NULL, (size_t)hits->n * MLD_MAX_TOPICS + 1, sizeof(*f));
    int nf = 0;
    for (int i = 0; i < hits->n; i++) {
        const struct mld_article *a = hits->v[i].item.a;
        for (int t = 0; t < a->ntopics && t < MLD_MAX_TOPICS; t++) {
            char slug[MLD_SLUG_MAX + 1];
            if (mld_slug(a->topics[t], strlen(a->topics[t]), slug) == 0 ||
                (r->topic != NULL && strcmp(slug, r->topic) == 0))
                continue;
            int k = 0;
            while (k < nf && strcmp(f[k].slug, slug) != 0)
                k++;
            if (k == nf) {
                memcpy(f[nf].slug, slug, sizeof(slug));
                f[nf].name = a->topics[t];
                f[nf].order = nf;
                f[nf++].count = 0;
            }
            f[k].count++;
        }
    }
    qsort(f, (size_t)nf, sizeof(*f), facet_cmp);
    json_t *v = json_array();
    for (int k = 0; k < nf && k < MLD_SEARCH_TOPIC_FACETS; k++) {
        json_t *o = json_object();
        mld_page_set_str(o, "name", f[k].name);
        json_object_set_new(o, "count", json_integer(f[k].count));
        set_url(o, "url", r, r->q, f[k].slug, 0);
        json_array_append_new(v, o);
    }
    mld_free(f);
    return v;
}

/* The sections to filter by, from the navigation in ctx, with the one
 * filtered on selected. */
static json_t *
sections_json(json_t *ctx, const char *selected)
{
    json_t *v = json_array(), *s;
    size_t i;
    json_array_foreach(json_object_get(ctx, "nav"), i, s)
    {
        const char *slug = json_string_value(json_object_get(s, "slug"));
        json_t *o = json_object();
        json_object_set(o, "name", json_object_get(s, "name"));
        json_object_set(o, "slug", json_object_get(s, "slug"));
        json_object_set_new(
            o, "selected",
            json_boolean(selected != NULL && slug != NULL && strcmp(slug, selected) == 0));
        json_array_append_new(v, o);
    }
    return v;
}

/* The form part of the page context: the query and filters as given. */
static void
form_json(json_t *ctx, const struct sreq *r)
{
    json_object_set_new(ctx, "is_search", json_true());
    json_object_set_new(ctx, "query", mld_api_str(r->q));
    json_object_set_new(ctx, "max_query", json_integer(MLD_SEARCH_MAX_QUERY_BYTES));
    json_object_set_new(ctx, "sections", sections_json(ctx, r->section));
    json_object_set_new(ctx, "von", mld_api_str(r->from_arg));
    json_object_set_new(ctx, "bis", mld_api_str(r->to_arg));
    if (r->topic != NULL) {
        json_t *t = json_object();
        json_object_set_new(t, "slug", mld_api_str(r->topic));
        json_object_set_new(t, "name",
                            mld_api_str(r->topic_name != NULL ? r->topic_name : r->topic));
        set_url(t, "remove_url", r, r->q, NULL, 0);
        json_object_set_new(ctx, "topic", t);
    }
}

/* The results part of the page context. */
static void
results_json(json_t *ctx, const struct sreq *r, const struct mld_hits *hits)
{
    json_t *v = json_array();
    for (int i = 0; i < hits->n; i++) {
        json_t *o = mld_page_item_json(&hits->v[i].item);
        json_object_set_new(o, "snippet", mld_api_hit_snippet_json(&hits->v[i]));
        json_array_append_new(v, o);
    }
    json_object_set_new(ctx, "searched", json_true());
    json_object_set_new(ctx, "hits", v);
    json_object_set_new(ctx, "has_hits", json_boolean(hits->n > 0));
    json_object_set_new(ctx, "first", json_integer(r->offset + 1));
    json_object_set_new(ctx, "last", json_integer(r->offset + hits->n));
    json_object_set_new(ctx, "more", json_boolean(hits->more));
    if (r->offset > 0)
        set_url(ctx, "prev_url", r, r->q, r->topic,
                r->offset > r->limit ? r->offset - r->limit : 0);
    if (hits->more && r->offset + r->limit <= MLD_SEARCH_MAX_OFFSET)
        set_url(ctx, "next_url", r, r->q, r->topic, r->offset + r->limit);
    if (hits->suggestion != NULL && hits->suggestion[0] != '\0') {
        json_t *s = json_object();
        json_object_set_new(s, "text", mld_api_str(hits->suggestion));
        set_url(s, "url", r, hits->suggestion, r->topic, 0);
        json_object_set_new(ctx, "suggestion", s);
    }
    json_t *facets = facets_json(r, hits);
    json_object_set_new(ctx, "has_facets", json_boolean(json_array_size(facets) > 0));
    json_object_set_new(ctx, "facets", facets);
}

int
mld_page_search(struct mld_store *st, const struct mld_tmpl_set *tmpl,
                const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                struct mld_err *err)
{
    struct sreq r;
    bool valid = parse_request(st, args, false, &r);
    char title[MLD_SEARCH_MAX_QUERY_BYTES + 32];
    if (valid && !is_blank(r.q))
        snprintf(title, sizeof(title), "Suche: %s", r.q);
    else
        snprintf(title, sizeof(title), "Suche");
    json_t *ctx = json_object();
    int rc = mld_page_base_context(st, ctx, title, NULL, now, err);
    if (rc != 0)
        goto out;
    form_json(ctx, &r);
    out->status = 200;
    if (!valid) {
        out->status = 400;
        mld_page_set_str(ctx, "error", r.msg);
    } else if (is_blank(r.q)) {
        mld_page_set_str(ctx, "message", "Bitte geben Sie einen Suchbegriff ein.");
    } else {
        struct mld_hits hits = {0};
        rc = run_search(st, &r, now, true, &hits, err);
        if (rc == MLD_E_PARSE) {
            json_object_set_new(ctx, "message", mld_api_str(err->msg));
            mld_err_clear(err);
            rc = 0;
        } else if (rc == 0) {
            results_json(ctx, &r, &hits);
            char *url = search_url(&r, r.q, r.topic, 0); /* feedsout: the search's feeds */
            mld_feed_out_links(ctx, out->site, url);
            mld_free(url);
        }
        mld_hits_dispose(&hits);
        if (rc != 0)
            goto out;
    }
    if (json_object_get(ctx, "feeds") == NULL) /* feedsout: no search ran: the site's feeds */
        mld_feed_out_links(ctx, out->site, PAGE_PATH);
    rc = mld_page_render_tmpl(tmpl, "search", ctx, out, err);
    ctx = NULL;
out:
    json_decref(ctx);
    sreq_dispose(&r);
    return rc;
}

/* The API ---------------------------------------------------------------- */

int
mld_page_search_api(struct mld_store *st, const struct mld_page_args *args, mld_time_t now,
                    struct mld_page *out, struct mld_err *err)
{
    struct sreq r;
    struct mld_hits hits = {0};
    int rc;
    out->content_type = MLD_PAGE_JSON_TYPE;
    if (!parse_request(st, args, true, &r))
        rc = mld_api_error(out, 400, r.msg, err);
    else if (is_blank(r.q))
        rc = mld_api_error(out, 400, "Parameter „q“ fehlt: ein Suchbegriff ist nötig.", err);
    else
        rc = run_search(st, &r, now, true, &hits, err);
    if (rc == MLD_E_PARSE) {
        char msg[MLD_ERR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        mld_err_clear(err);
        rc = mld_api_error(out, 400, msg, err);
    } else if (rc == 0 && out->status == 0) {
        json_t *v = json_object(), *list = json_array();
        json_object_set_new(v, "query", mld_api_str(r.q));
        for (int i = 0; i < hits.n; i++)
            json_array_append_new(list, mld_api_hit_json(&hits.v[i]));
        json_object_set_new(v, "hits", list);
        json_object_set_new(v, "offset", json_integer(r.offset));
        json_object_set_new(v, "limit", json_integer(r.limit));
        json_object_set_new(v, "more", json_boolean(hits.more));
        if (hits.more && r.offset + r.limit <= MLD_SEARCH_MAX_OFFSET)
            set_url(v, "next", &r, r.q, r.topic, r.offset + r.limit);
        else
            json_object_set_new(v, "next", json_null());
        json_object_set_new(v, "suggestion",
                            hits.suggestion != NULL && hits.suggestion[0]
                                ? mld_api_str(hits.suggestion)
                                : json_null());
        rc = mld_api_answer(out, 200, v, err);
    }
    mld_hits_dispose(&hits);
    sreq_dispose(&r);
    return rc;
}

/* Feeds out (feed_out.c) --------------------------------------------------- */

int
mld_page_search_feed(struct mld_store *st, const struct mld_page_args *args, int limit,
                     mld_time_t now, struct mld_page_search_result *res, struct mld_err *err)
{
    struct sreq r;
    memset(res, 0, sizeof(*res));
    int rc = 0;
    if (!parse_request(st, args, false, &r)) {
        snprintf(res->msg, sizeof(res->msg), "%s", r.msg);
    } else if (is_blank(r.q)) {
        snprintf(res->msg, sizeof(res->msg), "Parameter „q“ fehlt: ein Suchbegriff ist nötig.");
    } else {
        r.limit = limit;
        r.offset = 0;
        rc = run_search(st, &r, now, false, &res->hits, err); /* the body */
        if (rc == MLD_E_PARSE) {
            snprintf(res->msg, sizeof(res->msg), "%s", err->msg);
            mld_err_clear(err);
            rc = 0;
        } else if (rc == 0) {
            res->ok = true;
            res->page_url = search_url(&r, r.q, r.topic, 0);
            snprintf(res->title, sizeof(res->title), "Suche: %s", r.q);
        }
    }
    sreq_dispose(&r);
    return rc;
}

void
mld_page_search_result_dispose(struct mld_page_search_result *res)
{
    mld_hits_dispose(&res->hits);
    mld_free(res->page_url);
    res->page_url = NULL;
}
