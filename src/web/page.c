/*
 * page.c - routes a path to a page, builds its data, renders it (see page.h).
 *
 * Every page is a JSON context handed to one template; the context's shape
 * is the contract with template authors and is documented in
 * docs/internals/templates.md. Dates are formatted here (Europe/Berlin),
 * text is escaped by the template engine, and only the sanitised body HTML
 * is inserted raw.
 */
#include "page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../text/slug.h"

void
mld_page_article_path(const char *slug, int64_t id, char *out, size_t size)
{
    snprintf(out, size, "/artikel/%s-%" PRId64, slug, id);
}

void
mld_page_dispose(struct mld_page *out)
{
    mld_buf_dispose(&out->body);
    for (int i = 0; i < out->ntags; i++)
        mld_free(out->tags[i]);
    out->ntags = 0;
}

static void
add_tag(struct mld_page *out, const char *prefix, const char *val)
{
    if (out->ntags == MLD_PAGE_MAX_TAGS)
        return;
    size_t n = strlen(prefix) + strlen(val) + 1;
    char *t = mld_malloc(n);
    snprintf(t, n, "%s%s", prefix, val);
    out->tags[out->ntags++] = t;
}

void
mld_page_set_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL && v[0] != '\0')
        json_object_set_new(o, key, json_string(v));
}

static void
set_date(json_t *o, const char *key, mld_time_t t, void (*fmt)(mld_time_t, char *))
{
    char buf[32];
    fmt(t, buf);
    json_object_set_new(o, key, json_string(buf));
}

/* The site a credit line points readers to, as the reference page shows
 * it ("@ dpa.de"): the agency's domain when known, else the credit. */
static const char *
credit_site(const char *credit)
{
    static const struct {
        const char *credit, *site;
    } sites[] = {
        {"dpa", "dpa.de"},   {"AFP", "afp.com"}, {"Reuters", "reuters.com"},
        {"AP", "apnews.com"}, {"epd", "epd.de"},  {"KNA", "kna.de"},
    };
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
        if (strcmp(credit, sites[i].credit) == 0)
            return sites[i].site;
    return credit;
}

static json_t *
topic_list(const struct mld_article *a)
{
    json_t *v = json_array();
    for (int i = 0; i < a->ntopics; i++) {
        char slug[MLD_SLUG_MAX + 1], url[MLD_SLUG_MAX + 16];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        snprintf(url, sizeof(url), "/thema/%s", slug);
        json_t *t = json_object();
        mld_page_set_str(t, "name", a->topics[i]);
        mld_page_set_str(t, "url", url);
        json_object_set_new(t, "last", json_boolean(i == a->ntopics - 1));
        json_array_append_new(v, t);
    }
    return v;
}

/* One entry of a list: a story's newest article. */
static json_t *
item_json(const struct mld_item *it)
{
    json_t *o = json_object();
    char url[MLD_SLUG_MAX + 64];
    mld_page_article_path(it->slug, it->id, url, sizeof(url));
    mld_page_set_str(o, "url", url);
    mld_page_set_str(o, "headline", it->a->headline);
    mld_page_set_str(o, "kicker", it->a->kicker);
    mld_page_set_str(o, "teaser", it->a->teaser);
    mld_page_set_str(o, "sections", it->story_sections ? it->story_sections : it->a->section);
    set_date(o, "date_short", it->published, mld_time_format_short);
    set_date(o, "date_iso", it->published, mld_time_format_iso);
    if (it->story_size > 1)
        json_object_set_new(o, "story_size", json_integer(it->story_size));
    return o;
}

static json_t *
items_json(const struct mld_items *l)
{
    json_t *v = json_array();
    for (int i = 0; i < l->n; i++)
        json_array_append_new(v, item_json(&l->v[i]));
    return v;
}

int
mld_page_base_context(struct mld_store *st, json_t *ctx, const char *title, const char *current,
                      mld_time_t now, struct mld_err *err)
{
    struct mld_named *secs;
    int n;
    int rc = mld_store_sections(st, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    json_t *nav = json_array();
    for (int i = 0; i < n; i++) {
        char url[MLD_SLUG_MAX + 16];
        snprintf(url, sizeof(url), "/ressort/%s", secs[i].slug);
        json_t *s = json_object();
        mld_page_set_str(s, "name", secs[i].name);
        mld_page_set_str(s, "url", url);
        json_object_set_new(s, "current",
                            json_boolean(current != NULL && strcmp(current, secs[i].slug) == 0));
        json_array_append_new(nav, s);
    }
    mld_named_free(secs, n);
    json_object_set_new(ctx, "nav", nav);
    mld_page_set_str(ctx, "site_name", "meldung");
    mld_page_set_str(ctx, "title", title);
    return 0;
}

/* Renders template name with ctx into out->body (consumes ctx). */
static int
render(const struct mld_tmpl_set *tmpl, const char *name, json_t *ctx, struct mld_page *out,
       struct mld_err *err)
{
    int rc = mld_tmpl_render(tmpl, name, ctx, &out->body, err);
    json_decref(ctx);
    if (rc == 0 && mld_buf_error(&out->body) != 0)
        rc = mld_err_set(err, MLD_E_TOOBIG, "page %s exceeds %u bytes", name,
                         (unsigned)MLD_MAX_PAGE_BYTES);
    return rc;
}

static int
error_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, int status, const char *message,
           mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    json_t *ctx = json_object();
    int rc = mld_page_base_context(st, ctx, message, NULL, now, err);
    if (rc != 0) {
        json_decref(ctx);
        return rc;
    }
    json_object_set_new(ctx, "status", json_integer(status));
    mld_page_set_str(ctx, "message", message);
    out->status = status;
    return render(tmpl, status == 410 ? "gone" : "error", ctx, out, err);
}

/* Parses "SLUG-ID" into the id; 0 when it has no valid id. */
static int64_t
parse_article_ref(const char *ref)
{
    const char *dash = strrchr(ref, '-');
    const char *digits = dash ? dash + 1 : ref;
    if (*digits == '\0' || strlen(digits) > 18)
        return 0;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(digits, NULL, 10);
}

static int
article_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *ref,
             mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    int64_t id = parse_article_ref(ref);
    if (id <= 0)
        return error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    struct mld_item it;
    int rc = mld_store_get(st, id, &it, err);
    if (rc == MLD_E_NOTFOUND) {
        mld_err_clear(err);
        return error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    }
    if (rc != 0)
        return rc;
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
    add_tag(out, "a:", idbuf);
    out->cacheable = 1;

    if (it.a->pubstatus == MLD_PUB_CANCELED) {
        rc = error_page(st, tmpl, 410, "Diese Meldung wurde zurückgezogen.", now, out, err);
        goto out_item;
    }
    if (!mld_article_is_visible(it.a, now)) {
        /* Embargoed or withheld: readers cannot tell it from a missing page. */
        rc = error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
        goto out_item;
    }
    char canonical[MLD_SLUG_MAX + 64];
    mld_page_article_path(it.slug, id, canonical, sizeof(canonical));
    if (strcmp(ref, canonical + strlen("/artikel/")) != 0) {
        out->status = 301;
        snprintf(out->location, sizeof(out->location), "%s", canonical);
        goto out_item;
    }

    struct mld_items related = {0};
    struct mld_query q = {.related_to = id, .now = now, .limit = MLD_RELATED_COUNT};
    rc = mld_store_list(st, &q, &related, err);
    if (rc != 0)
        goto out_item;

    json_t *ctx = json_object();
    rc = mld_page_base_context(st, ctx, it.a->headline, it.section_slug, now, err);
    if (rc != 0) {
        json_decref(ctx);
        mld_items_dispose(&related);
        goto out_item;
    }
    const struct mld_article *a = it.a;
    json_t *art = json_object();
    mld_page_set_str(art, "url", canonical);
    mld_page_set_str(art, "headline", a->headline);
    mld_page_set_str(art, "kicker", a->kicker);
    mld_page_set_str(art, "teaser", a->teaser);
    mld_page_set_str(art, "byline", a->byline);
    mld_page_set_str(art, "body_html", a->body_html);
    mld_page_set_str(art, "section", a->section);
    if (it.section_slug != NULL) {
        char url[MLD_SLUG_MAX + 16];
        snprintf(url, sizeof(url), "/ressort/%s", it.section_slug);
        mld_page_set_str(art, "section_url", url);
    }
    set_date(art, "date_long", it.published, mld_time_format_long);
    set_date(art, "date_iso", it.published, mld_time_format_iso);
    if (a->version > 1 && a->version_created > it.published) {
        set_date(art, "updated_long", a->version_created, mld_time_format_long);
        set_date(art, "updated_iso", a->version_created, mld_time_format_iso);
    }
    if (a->credit != NULL) {
        mld_page_set_str(art, "credit", a->credit);
        mld_page_set_str(art, "credit_site", credit_site(a->credit));
    }
    json_object_set_new(art, "topics", topic_list(a));
    json_object_set_new(art, "has_topics", json_boolean(a->ntopics > 0));
    json_object_set_new(ctx, "article", art);
    json_object_set_new(ctx, "related", items_json(&related));
    json_object_set_new(ctx, "has_related", json_boolean(related.n > 0));
    for (int i = 0; i < a->ntopics; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) > 0)
            add_tag(out, "t:", slug);
    }
    out->last_modified = a->updated > it.published ? a->updated : it.published;
    for (int i = 0; i < related.n; i++)
        if (related.v[i].published > out->last_modified)
            out->last_modified = related.v[i].published;
    mld_items_dispose(&related);
    out->status = 200;
    rc = render(tmpl, "article", ctx, out, err);
out_item:
    mld_item_dispose(&it);
    return rc;
}

/* A section or topic page: kind is "s" or "t". */
static int
list_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, char kind, const char *slug,
          int seite, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    char *name = kind == 's' ? mld_store_section_name(st, slug) : mld_store_topic_name(st, slug);
    if (name == NULL || seite > 1000) {
        mld_free(name);
        return error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
    }
    if (seite < 1)
        seite = 1;
    struct mld_query q = {
        .section_slug = kind == 's' ? slug : NULL,
        .topic_slug = kind == 't' ? slug : NULL,
        .now = now,
        .limit = MLD_LIST_PAGE_SIZE + 1, /* one more tells whether a next page exists */
        .offset = (seite - 1) * MLD_LIST_PAGE_SIZE,
    };
    struct mld_items items = {0};
    int rc = mld_store_list(st, &q, &items, err);
    if (rc != 0)
        goto out_name;
    int more = items.n > MLD_LIST_PAGE_SIZE;
    if (more)
        mld_item_dispose(&items.v[--items.n]);
    out->cacheable = 1;
    add_tag(out, kind == 's' ? "s:" : "t:", slug);
    if (items.n == 0 && seite > 1) {
        mld_items_dispose(&items);
        rc = error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
        goto out_name;
    }
    json_t *ctx = json_object();
    rc = mld_page_base_context(st, ctx, name, kind == 's' ? slug : NULL, now, err);
    if (rc != 0) {
        json_decref(ctx);
        mld_items_dispose(&items);
        goto out_name;
    }
    char base[MLD_SLUG_MAX + 16], url[MLD_SLUG_MAX + 48];
    snprintf(base, sizeof(base), "/%s/%s", kind == 's' ? "ressort" : "thema", slug);
    mld_page_set_str(ctx, "heading", name);
    mld_page_set_str(ctx, "kind", kind == 's' ? "Ressort" : "Thema");
    json_object_set_new(ctx, "items", items_json(&items));
    json_object_set_new(ctx, "page", json_integer(seite));
    if (seite > 1) {
        if (seite == 2)
            snprintf(url, sizeof(url), "%s", base);
        else
            snprintf(url, sizeof(url), "%s?seite=%d", base, seite - 1);
        mld_page_set_str(ctx, "prev_url", url);
    }
    if (more) {
        snprintf(url, sizeof(url), "%s?seite=%d", base, seite + 1);
        mld_page_set_str(ctx, "next_url", url);
    }
    for (int i = 0; i < items.n; i++)
        if (items.v[i].published > out->last_modified)
            out->last_modified = items.v[i].published;
    mld_items_dispose(&items);
    out->status = 200;
    rc = render(tmpl, "list", ctx, out, err);
out_name:
    mld_free(name);
    return rc;
}

static int
home_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, mld_time_t now,
          struct mld_page *out, struct mld_err *err)
{
    struct mld_named *secs;
    int n;
    int rc = mld_store_sections(st, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    json_t *ctx = json_object();
    json_t *blocks = json_array();
    for (int i = 0; i < n && rc == 0; i++) {
        struct mld_items items = {0};
        struct mld_query q = {.section_slug = secs[i].slug, .now = now,
                              .limit = MLD_HOME_PER_SECTION};
        rc = mld_store_list(st, &q, &items, err);
        if (rc != 0)
            break;
        char url[MLD_SLUG_MAX + 16];
        snprintf(url, sizeof(url), "/ressort/%s", secs[i].slug);
        json_t *b = json_object();
        mld_page_set_str(b, "name", secs[i].name);
        mld_page_set_str(b, "url", url);
        json_object_set_new(b, "items", items_json(&items));
        json_array_append_new(blocks, b);
        for (int k = 0; k < items.n; k++)
            if (items.v[k].published > out->last_modified)
                out->last_modified = items.v[k].published;
        mld_items_dispose(&items);
    }
    mld_named_free(secs, n);
    if (rc == 0)
        rc = mld_page_base_context(st, ctx, "Nachrichten", NULL, now, err);
    if (rc != 0) {
        json_decref(blocks);
        json_decref(ctx);
        return rc;
    }
    json_object_set_new(ctx, "sections", blocks);
    out->cacheable = 1;
    add_tag(out, "", "all");
    out->status = 200;
    return render(tmpl, "home", ctx, out, err);
}

/* True when s is a plausible slug (what mld_slug() can produce, plus an
 * article's "-ID") of at most max bytes. */
static int
is_slug(const char *s, size_t max)
{
    if (*s == '\0' || strlen(s) > max)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

int
mld_page_render(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
                int seite, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    mld_buf_init(&out->body, MLD_MAX_PAGE_BYTES);
    if (strcmp(path, "/") == 0)
        return home_page(st, tmpl, now, out, err);
    if (strncmp(path, "/artikel/", 9) == 0 && is_slug(path + 9, MLD_SLUG_MAX + 20))
        return article_page(st, tmpl, path + 9, now, out, err);
    if (strncmp(path, "/ressort/", 9) == 0 && is_slug(path + 9, MLD_SLUG_MAX))
        return list_page(st, tmpl, 's', path + 9, seite, now, out, err);
    if (strncmp(path, "/thema/", 7) == 0 && is_slug(path + 7, MLD_SLUG_MAX))
        return list_page(st, tmpl, 't', path + 7, seite, now, out, err);
    return error_page(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
}
