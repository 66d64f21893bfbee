/*
 * page.c - routes a path to a page, builds its data, renders it (see page.h).
 *
 * Every page is a JSON context handed to one template; the context's shape
 * is the contract with template authors and is documented in
 * docs/internals/templates.md. Dates are formatted here (Europe/Berlin),
 * text is escaped by the template engine, and only the sanitised body HTML
 * (and search snippets, see search.c) is inserted raw.
 *
 * Cache tags follow what a page shows: an article page carries its own
 * "a:ID", its topics' "t:" keys (a new article on the topic may enter its
 * related list), the "a:ID" of each related article (a withdrawal changes
 * the list) and its story's "g:ID" (a member joining, changing or leaving
 * changes the story link). A story page carries its "g:ID"; a section or
 * topic page its "s:" or "t:" key and the "g:ID" of each entry's story
 * (whose size and sections the entry shows).
 */
#include "page.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "../ingest/json.h"
#include "../store/editor.h"
#include "../text/slug.h"
#include "feed_out.h"
#include "seo.h"
#include "sitemap.h"
#include "api.h"

/* Routes that take part in the cache key (page.h). */
#define SEARCH_PATH "/suche"

void
mld_page_article_path(const char *slug, int64_t id, char *out, size_t size)
{
    snprintf(out, size, "/artikel/%s-%" PRId64, slug, id);
}

/* Writes the path of story id, "/geschichte/ID". */
static void
story_path(int64_t id, char *out, size_t size)
{
    snprintf(out, size, "/geschichte/%" PRId64, id);
}

void
mld_page_dispose(struct mld_page *out)
{
    mld_buf_dispose(&out->body);
    for (int i = 0; i < out->ntags; i++)
        mld_free(out->tags[i]);
    out->ntags = 0;
}

void
mld_page_add_key(struct mld_page *out, const char *key)
{
    if (key[0] == '\0')
        return;
    for (int i = 0; i < out->ntags; i++)
        if (strcmp(out->tags[i], key) == 0)
            return;
    if (out->ntags == MLD_PAGE_MAX_TAGS) {
        out->tags_full = true;
        return;
    }
    out->tags[out->ntags++] = mld_strdup(key);
}

json_t *
mld_page_str(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    return mld_utf8_valid(s, n) ? json_stringn_nocheck(s, n) : NULL;
}

void
mld_page_set_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL && v[0] != '\0')
        json_object_set_new_nocheck(o, key, mld_page_str(v)); /* keys: ASCII of the code */
}

/* Sets key of o to t formatted by fmt; leaves it out for t 0 (no date:
 * better nothing than "01.01.1970"). */
static void
set_date(json_t *o, const char *key, mld_time_t t, void (*fmt)(mld_time_t, char *))
{
    if (t <= 0)
        return;
    char buf[32];
    fmt(t, buf);
    json_object_set_new_nocheck(o, key, mld_page_str(buf));
}

/* Sets "section" and "section_url" of o from it, when it has a section. */
static void
set_section(json_t *o, const struct mld_item *it)
{
    mld_page_set_str(o, "section", it->a->section);
    if (it->section_slug != NULL) {
        char url[MLD_SLUG_MAX + 16];
        snprintf(url, sizeof(url), "/ressort/%s", it->section_slug);
        mld_page_set_str(o, "section_url", url);
    }
}

/* The site a credit line points readers to, as the reference page shows
 * it ("@ dpa.de"): the agency's domain when known, else the credit. */
static const char *
credit_site(const char *credit)
{
    static const struct {
        const char *credit, *site;
    } sites[] = {
        {"dpa", "dpa.de"},    {"AFP", "afp.com"}, {"Reuters", "reuters.com"},
        {"AP", "apnews.com"}, {"epd", "epd.de"},  {"KNA", "kna.de"},
    };
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
        if (strcmp(credit, sites[i].credit) == 0)
            return sites[i].site;
    return credit;
}

json_t *
mld_page_topics_json(const struct mld_article *a, int max)
{
    json_t *v = json_array();
    int n = a->ntopics < max ? a->ntopics : max;
    for (int i = 0; i < n; i++) {
        char slug[MLD_SLUG_MAX + 1], url[MLD_SLUG_MAX + 16];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) == 0)
            continue;
        snprintf(url, sizeof(url), "/thema/%s", slug);
        json_t *t = json_object();
        mld_page_set_str(t, "name", a->topics[i]);
        mld_page_set_str(t, "slug", slug);
        mld_page_set_str(t, "url", url);
        json_object_set_new_nocheck(t, "last", json_boolean(i == n - 1));
        json_array_append_new(v, t);
    }
    return v;
}

void
mld_page_count_noun(char *out, size_t size, long count, const char *one, const char *many)
{
    snprintf(out, size, "%ld %s", count, count == 1 ? one : many);
}

/* Sets key of o to "N Meldung(en)". */
static void
set_count(json_t *o, const char *key, long count)
{
    char buf[48];
    mld_page_count_noun(buf, sizeof(buf), count, "Meldung", "Meldungen");
    mld_page_set_str(o, key, buf);
}

/* Pictures ------------------------------------------------------------------
 *
 * A picture shows in its main size (m->url, or the widest rendition when
 * the main size is unknown) with every known size in srcset, so the
 * browser fetches what the layout needs; alt falls back to the caption.
 */

/* One size of a picture. */
struct size {
    const char *url;
    int w, h;
};

/* True when url can stand in a srcset list (no space, no comma). */
static bool
srcset_safe(const char *url)
{
    return strpbrk(url, " ,\t\n") == NULL;
}

/* Collects the sizes of m with a known width into v (room for
 * MLD_MAX_RENDITIONS + 1), narrowest first, one per width. Returns the
 * count. */
static int
picture_sizes(const struct mld_media *m, struct size *v)
{
    int n = 0;
    for (int i = -1; i < m->nrenditions; i++) {
        struct size x = i < 0 ? (struct size){m->url, m->width, m->height}
                              : (struct size){m->renditions[i].url, m->renditions[i].width,
                                              m->renditions[i].height};
        if (x.w <= 0 || n > MLD_MAX_RENDITIONS)
            continue;
        int j = n, dup = 0;
        for (int k = 0; k < n && !dup; k++)
            dup = v[k].w == x.w;
        if (dup)
            continue;
        while (j > 0 && v[j - 1].w > x.w) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
        n++;
    }
    return n;
}

/* Sets src, width and height of o to size x (no width/height when 0). */
static void
set_size(json_t *o, const struct size *x)
{
    mld_page_set_str(o, "src", x->url);
    if (x->w > 0 && x->h > 0) {
        json_object_set_new_nocheck(o, "width", json_integer(x->w));
        json_object_set_new_nocheck(o, "height", json_integer(x->h));
    }
}

/* A picture of the article page or the lead: {src, width, height, alt,
 * srcset, sizes, lazy, caption, credit}. */
static json_t *
picture_json(const struct mld_media *m, bool lazy, const char *sizes)
{
    struct size v[MLD_MAX_RENDITIONS + 1];
    int n = picture_sizes(m, v);
    json_t *o = json_object();
    struct size main = {m->url, m->width, m->height};
    if (m->width <= 0 && n > 0)
        main = v[n - 1];
    set_size(o, &main);
    mld_page_set_str(o, "alt", m->alt ? m->alt : m->caption);
    if (n > 1) {
        struct mld_buf b;
        mld_buf_init(&b, 16384);
        for (int i = 0; i < n; i++) {
            if (!srcset_safe(v[i].url))
                continue;
            mld_buf_printf(&b, "%s%s %dw", b.len > 0 ? ", " : "", v[i].url, v[i].w);
        }
        if (b.len > 0 && mld_buf_error(&b) == 0) {
            char *set = mld_buf_steal(&b, NULL);
            mld_page_set_str(o, "srcset", set);
            mld_page_set_str(o, "sizes", sizes);
            mld_free(set);
        }
        mld_buf_dispose(&b);
    }
    json_object_set_new_nocheck(o, "lazy", json_boolean(lazy));
    mld_page_set_str(o, "caption", m->caption);
    /* Not "credit": a picture without one would show the article's. */
    mld_page_set_str(o, "photo_credit", m->credit);
    return o;
}

/* A list thumbnail of m: the narrowest size at least MLD_THUMB_MIN_WIDTH
 * wide (else the widest known; else the main URL), {src, width, height,
 * alt}. */
static json_t *
thumb_json(const struct mld_media *m)
{
    struct size v[MLD_MAX_RENDITIONS + 1];
    int n = picture_sizes(m, v);
    struct size pick = {m->url, m->width, m->height};
    if (n > 0) {
        pick = v[n - 1];
        for (int i = 0; i < n; i++)
            if (v[i].w >= MLD_THUMB_MIN_WIDTH) {
                pick = v[i];
                break;
            }
    }
    json_t *o = json_object();
    set_size(o, &pick);
    mld_page_set_str(o, "alt", m->alt ? m->alt : m->caption);
    return o;
}

json_t *
mld_page_item_json(const struct mld_item *it)
{
    json_t *o = json_object();
    char url[MLD_SLUG_MAX + 64];
    mld_page_article_path(it->slug, it->id, url, sizeof(url));
    mld_page_set_str(o, "url", url);
    mld_page_set_str(o, "headline", it->a->headline);
    mld_page_set_str(o, "kicker", it->a->kicker);
    mld_page_set_str(o, "teaser", it->a->teaser);
    mld_page_set_str(o, "sections", it->story_sections ? it->story_sections : it->a->section);
    set_section(o, it);
    set_date(o, "date_short", it->published, mld_time_format_short);
    set_date(o, "date_iso", it->published, mld_time_format_iso);
    if (it->story_size > 1) {
        story_path(it->story_id, url, sizeof(url));
        json_object_set_new_nocheck(o, "story_size", json_integer(it->story_size));
        set_count(o, "story_label", it->story_size);
        mld_page_set_str(o, "story_url", url);
    }
    const struct mld_media *pic = mld_article_first_picture(it->a);
    if (pic != NULL)
        json_object_set_new_nocheck(o, "thumb", thumb_json(pic));
    return o;
}

static json_t *
items_json(const struct mld_items *l)
{
    json_t *v = json_array();
    for (int i = 0; i < l->n; i++)
        json_array_append_new(v, mld_page_item_json(&l->v[i]));
    return v;
}

/* Moves out's Last-Modified up to the newest publication in l. */
static void
bump_modified(struct mld_page *out, const struct mld_items *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].published > out->last_modified)
            out->last_modified = l->v[i].published;
}

static json_t *nav_json(const struct mld_named *v, int n, const char *current);

int
mld_page_base_context(struct mld_store *st, json_t *ctx, const char *title, const char *current,
                      mld_time_t now, struct mld_err *err)
{
    struct mld_named *secs;
    int n;
    int rc = mld_store_sections(st, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    json_object_set_new_nocheck(ctx, "nav", nav_json(secs, n, current));
    mld_named_free(secs, n);
    mld_page_set_str(ctx, "title", title);
    return 0;
}

/* The section order when [site] sections is not set: the order of a
 * German news portal's front page. */
static const char *const default_sections[] = {
    "Politik", "Ausland",  "Inland",       "Wirtschaft", "Börse",    "Sport",
    "Kultur",  "Panorama", "Wissenschaft", "Digital",    "Regional", "Ratgeber",
};

/* Position of the section with slug in the site's order (the default
 * order when the site names none), or the number of names when it is not
 * named there. */
static int
section_rank(const struct mld_page_site *site, const char *slug)
{
    const char *const *names = default_sections;
    int n = (int)(sizeof(default_sections) / sizeof(default_sections[0]));
    if (site != NULL && site->nsections > 0) {
        names = site->sections;
        n = site->nsections;
    }
    for (int i = 0; i < n; i++) {
        char want[MLD_SLUG_MAX + 1];
        if (mld_slug(names[i], strlen(names[i]), want) > 0 && strcmp(want, slug) == 0)
            return i;
    }
    return n;
}

/* The slug of nav entry o ("" when it has none). */
static const char *
nav_slug(const json_t *o)
{
    const char *v = json_string_value(json_object_get(o, "slug"));
    return v ? v : "";
}

/* Orders the nav[] of ctx as the home page orders its blocks. */
static void
order_nav(json_t *ctx, const struct mld_page_site *site)
{
    json_t *nav = json_object_get(ctx, "nav");
    size_t n = json_array_size(nav);
    if (n < 2)
        return;
    json_t **v = mld_calloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(nav, i);
        int rx = section_rank(site, nav_slug(x));
        size_t j = i;
        while (j > 0) {
            int rj = section_rank(site, nav_slug(v[j - 1]));
            if (rj < rx || (rj == rx && strcmp(nav_slug(v[j - 1]), nav_slug(x)) <= 0))
                break;
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(sorted, v[i]);
    json_object_set_new_nocheck(ctx, "nav", sorted); /* drops nav, which the copies outlive */
    mld_free(v);
}

/* The site's name and footer links in ctx. */
static void
site_footer(json_t *ctx, const struct mld_page_site *site)
{
    mld_page_set_str(ctx, "site_name", site->name ? site->name : "meldung");
    json_t *foot = json_object();
    mld_page_set_str(foot, "impressum", site->impressum);
    mld_page_set_str(foot, "datenschutz", site->datenschutz);
    mld_page_set_str(foot, "kontakt", site->kontakt);
    /* A demo site shows where the legally required links go. */
    json_object_set_new_nocheck(foot, "configured",
                        json_boolean(site->impressum && site->datenschutz && site->kontakt));
    json_object_set_new_nocheck(ctx, "footer", foot);
}

void
mld_page_site_context(json_t *ctx, const struct mld_page_site *site)
{
    static const struct mld_page_site defaults = {0};
    if (site == NULL)
        site = &defaults;
    order_nav(ctx, site);
    site_footer(ctx, site);
}

/* Sets "canonical" of ctx to the page's path, made absolute with the
 * site's base_url when the operator set one. */
static void
set_canonical(json_t *ctx, const struct mld_page *out, const char *path)
{
    char url[MLD_SLUG_MAX + 600];
    const char *base = out->site != NULL && out->site->base_url ? out->site->base_url : "";
    snprintf(url, sizeof(url), "%s%s", base, path);
    mld_page_set_str(ctx, "canonical", url);
    mld_feed_out_links(ctx, out->site, path); /* feedsout: <link rel="alternate"> */
}


void
mld_page_order_sections(struct mld_named *v, int n, const struct mld_page_site *site)
{
    /* Insertion sort: a site has a dozen sections. The store lists them by
     * name, which keeps the unnamed ones alphabetical. */
    for (int i = 1; i < n; i++) {
        struct mld_named x = v[i];
        int rx = section_rank(site, x.slug), j = i - 1;
        while (j >= 0) {
            int rj = section_rank(site, v[j].slug);
            if (rj < rx || (rj == rx && strcmp(v[j].slug, x.slug) <= 0))
                break;
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

/* The navigation kept between renders. A render that finds it stale reads
 * the sections on its own snapshot; it stores them only if no change was
 * announced since it read gen (before the store), the page cache's rule
 * (docs/internals/site.md), so a render on an older snapshot cannot leave
 * an old list behind. */
struct mld_page_nav {
    pthread_mutex_t lock;
    _Atomic uint64_t gen;  /* bumped by mld_page_nav_changed */
    bool valid;            /* v holds the sections of generation filled */
    uint64_t filled;       /* the generation v was read under */
    struct mld_named *v;   /* the sections, in the site's order */
    int n;
};

struct mld_page_nav *
mld_page_nav_new(void)
{
    struct mld_page_nav *nav = MLD_NEW(struct mld_page_nav);
    pthread_mutex_init(&nav->lock, NULL);
    return nav;
}

void
mld_page_nav_free(struct mld_page_nav *nav)
{
    if (nav == NULL)
        return;
    mld_named_free(nav->v, nav->n);
    pthread_mutex_destroy(&nav->lock);
    mld_free(nav);
}

void
mld_page_nav_changed(struct mld_page_nav *nav)
{
    if (nav != NULL)
        atomic_fetch_add(&nav->gen, 1);
}

/* {name, slug, url} of section sec: a nav[] entry, a home page block. */
static json_t *
section_json(const struct mld_named *sec)
{
    char url[MLD_SLUG_MAX + 16];
    snprintf(url, sizeof(url), "/ressort/%s", sec->slug);
    json_t *s = json_object();
    mld_page_set_str(s, "name", sec->name);
    mld_page_set_str(s, "slug", sec->slug);
    mld_page_set_str(s, "url", url);
    return s;
}

/* The store's sections at now, in the site's order. */
static int
ordered_sections(struct mld_store *st, const struct mld_page_site *site, mld_time_t now,
                 struct mld_named **secs, int *n, struct mld_err *err)
{
    int rc = mld_store_sections(st, now, secs, n, err);
    if (rc == 0)
        mld_page_order_sections(*secs, *n, site);
    return rc;
}

/* The nav[] of the sections v[0..n) with current marked. */
static json_t *
nav_json(const struct mld_named *v, int n, const char *current)
{
    json_t *nav = json_array();
    for (int i = 0; i < n; i++) {
        json_t *s = section_json(&v[i]);
        json_object_set_new_nocheck(s, "current",
                            json_boolean(current != NULL && strcmp(current, v[i].slug) == 0));
        json_array_append_new(nav, s);
    }
    return nav;
}

/* Sets nav[] of ctx from the site's kept navigation, reading the sections
 * first when they may have changed. */
static int
kept_nav(struct mld_store *st, struct mld_page_nav *nav, const struct mld_page_site *site,
         json_t *ctx, const char *current, mld_time_t now, struct mld_err *err)
{
    uint64_t gen = atomic_load(&nav->gen);
    pthread_mutex_lock(&nav->lock);
    if (nav->valid && nav->filled == gen) {
        json_object_set_new_nocheck(ctx, "nav", nav_json(nav->v, nav->n, current));
        pthread_mutex_unlock(&nav->lock);
        return 0;
    }
    pthread_mutex_unlock(&nav->lock);
    struct mld_named *secs;
    int n;
    int rc = ordered_sections(st, site, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    json_object_set_new_nocheck(ctx, "nav", nav_json(secs, n, current));
    pthread_mutex_lock(&nav->lock);
    if (atomic_load(&nav->gen) == gen && !(nav->valid && nav->filled == gen)) {
        mld_named_free(nav->v, nav->n);
        nav->v = secs;
        nav->n = n;
        nav->filled = gen;
        nav->valid = true;
        secs = NULL;
    }
    pthread_mutex_unlock(&nav->lock);
    if (secs != NULL)
        mld_named_free(secs, n);
    return 0;
}

/* A new context with the base keys; NULL with err set on a store error.
 * The navigation comes from the site's kept one when it has one. */
static json_t *
new_context(struct mld_store *st, struct mld_page *out, const char *title, const char *current,
            mld_time_t now, struct mld_err *err)
{
    json_t *ctx = json_object();
    struct mld_page_nav *nav = out->site != NULL ? out->site->nav : NULL;
    int rc = nav != NULL ? kept_nav(st, nav, out->site, ctx, current, now, err)
                         : mld_page_base_context(st, ctx, title, current, now, err);
    if (rc != 0) {
        json_decref(ctx);
        return NULL;
    }
    if (nav != NULL) {
        mld_page_set_str(ctx, "title", title);
        out->nav_ordered = true;
    }
    return ctx;
}

int
mld_page_render_tmpl(const struct mld_tmpl_set *tmpl, const char *name, json_t *ctx,
                     struct mld_page *out, struct mld_err *err)
{
    if (out->nav_ordered && out->site != NULL)
        site_footer(ctx, out->site); /* kept_nav() ordered it */
    else
        mld_page_site_context(ctx, out->site);
    mld_page_set_str(ctx, "template", name); /* for the stylesheet: body class */
    mld_seo_context(ctx, name, out->site);   /* seo: description, OpenGraph, JSON-LD */
    int rc = mld_tmpl_render(tmpl, name, ctx, &out->body, err);
    json_decref(ctx);
    if (rc == 0 && mld_buf_error(&out->body) != 0)
        rc = mld_err_set(err, MLD_E_TOOBIG, "page %s exceeds %u bytes", name,
                         (unsigned)MLD_MAX_PAGE_BYTES);
    return rc;
}

int
mld_page_error(struct mld_store *st, const struct mld_tmpl_set *tmpl, int status,
               const char *message, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    json_t *ctx = new_context(st, out, message, NULL, now, err);
    if (ctx == NULL)
        return err->code;
    json_object_set_new_nocheck(ctx, "status", json_integer(status));
    mld_page_set_str(ctx, "message", message);
    mld_page_set_str(ctx, "detail",
                     status == 400 ? "Die Anfrage ist ungültig"
                                   : "Die angeforderte Seite gibt es nicht");
    out->status = status;
    return mld_page_render_tmpl(tmpl, status == 410 ? "gone" : "error", ctx, out, err);
}

int
mld_page_gone(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *reason,
              mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    static const char message[] = "Diese Meldung wurde zurückgezogen.";
    json_t *ctx = new_context(st, out, message, NULL, now, err);
    if (ctx == NULL)
        return err->code;
    json_object_set_new_nocheck(ctx, "status", json_integer(410));
    mld_page_set_str(ctx, "message", message);
    mld_page_set_str(ctx, "reason", reason); /* editors: set by an editor's withdrawal */
    out->status = 410;
    return mld_page_render_tmpl(tmpl, "gone", ctx, out, err);
}

/* The 404 page every unknown path gets. */
static int
not_found(struct mld_store *st, const struct mld_tmpl_set *tmpl, mld_time_t now,
          struct mld_page *out, struct mld_err *err)
{
    return mld_page_error(st, tmpl, 404, "Seite nicht gefunden", now, out, err);
}

int64_t
mld_page_parse_id(const char *s)
{
    if (*s == '\0' || strlen(s) > 18)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(s, NULL, 10);
}

/* Parses "SLUG-ID" into the id; 0 when it has no valid id. */
static int64_t
parse_article_ref(const char *ref)
{
    const char *dash = strrchr(ref, '-');
    return mld_page_parse_id(dash ? dash + 1 : ref);
}

/* Adds the story link of an article page (story of more than one visible
 * article) to art, tagging out with the story. */
static int
article_story(struct mld_store *st, const struct mld_item *it, mld_time_t now, json_t *art,
              struct mld_page *out, struct mld_err *err)
{
    int64_t size;
    int rc = mld_store_story_size(st, it->story_id, now, &size, err);
    if (rc != 0)
        return rc;
    mld_page_add_key(out, mld_key_story(it->story_id).s);
    if (size > 1) {
        char url[64];
        story_path(it->story_id, url, sizeof(url));
        json_t *s = json_object();
        mld_page_set_str(s, "url", url);
        json_object_set_new_nocheck(s, "size", json_integer(size));
        set_count(s, "label", (long)size);
        json_object_set_new_nocheck(art, "story", s);
    }
    return 0;
}

/* Writes the host of an http(s) URL to out (size bytes), without a
 * leading "www."; false when url is not such a URL. */
static bool
url_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    if (p == NULL || (strncmp(url, "http", 4) != 0))
        return false;
    p += 3;
    const char *at = p + strcspn(p, "/?#");
    const char *cred = memchr(p, '@', (size_t)(at - p));
    if (cred != NULL)
        p = cred + 1;
    size_t n = strcspn(p, ":/?#");
    if (n >= 4 && strncmp(p, "www.", 4) == 0) {
        p += 4;
        n -= 4;
    }
    if (n == 0 || n >= size)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* The dateline as a line of its own ("München (dpa)"), or NULL when the
 * body already opens with it, as agency text does. The caller frees. */
static char *
dateline_text(const struct mld_article *a)
{
    if (a->dateline == NULL)
        return NULL;
    size_t n = strlen(a->dateline);
    while (n > 0 && (a->dateline[n - 1] == ' ' || a->dateline[n - 1] == '-'))
        n--;
    if (n == 0)
        return NULL;
    const char *body = a->body_html ? a->body_html : "";
    while (*body == '<') { /* the opening tags: "<p>", "<section ...><p>" */
        const char *gt = strchr(body, '>');
        if (gt == NULL)
            break;
        body = gt + 1;
        while (*body == '\n' || *body == ' ')
            body++;
    }
    if (strncmp(body, a->dateline, n) == 0)
        return NULL;
    return mld_strndup(a->dateline, n);
}

/* Pictures, audio and video, and downloads of a's page. */
static void
article_media_json(const struct mld_article *a, json_t *art)
{
    json_t *pics = json_array(), *av = json_array(), *files = json_array();
    for (int i = 0; i < a->nmedia; i++) {
        const struct mld_media *m = &a->media[i];
        if (m->kind == MLD_MEDIA_PICTURE) {
            /* The first picture is in view at once; the rest load lazily. */
            json_array_append_new(pics, picture_json(m, json_array_size(pics) > 0,
                                                     "(min-width: 48rem) 44rem, 100vw"));
            continue;
        }
        json_t *o = json_object();
        mld_page_set_str(o, "url", m->url);
        mld_page_set_str(o, "type", m->type);
        mld_page_set_str(o, "caption", m->caption);
        mld_page_set_str(o, "media_credit", m->credit);
        if (m->kind == MLD_MEDIA_OTHER) {
            char host[256];
            mld_page_set_str(o, "name", m->caption ? m->caption
                                        : url_host(m->url, host, sizeof(host)) ? host : m->url);
            json_array_append_new(files, o);
            continue;
        }
        json_object_set_new_nocheck(o, "audio", json_boolean(m->kind == MLD_MEDIA_AUDIO));
        json_object_set_new_nocheck(o, "video", json_boolean(m->kind == MLD_MEDIA_VIDEO));
        json_array_append_new(av, o);
    }
    json_object_set_new_nocheck(art, "pictures", pics);
    json_object_set_new_nocheck(art, "media", av);
    json_object_set_new_nocheck(art, "downloads", files);
}

/* True when lang names German ("de", "de-AT") or nothing. */
static bool
is_german(const char *lang)
{
    return lang == NULL || lang[0] == '\0' ||
           ((lang[0] == 'd' || lang[0] == 'D') && (lang[1] == 'e' || lang[1] == 'E') &&
            (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'));
}

/* seo: what the head's metadata needs of an article (seo.c): description
 * (the teaser, else the start of the text), modified_iso (the current
 * version: max(published, version_created)), author_name (byline or
 * author as given), lang_code, and share_images[] (each picture's widest
 * size: url, width, height, alt). */
static void
article_seo_json(const struct mld_item *it, json_t *art)
{
    const struct mld_article *a = it->a;
    char *d = mld_seo_cut(a->teaser != NULL && a->teaser[0] != '\0' ? a->teaser : a->text,
                          MLD_META_DESCRIPTION_CHARS);
    mld_page_set_str(art, "description", d);
    mld_free(d);
    mld_time_t modified = a->version_created > it->published ? a->version_created : it->published;
    set_date(art, "modified_iso", modified, mld_time_format_iso);
    mld_page_set_str(art, "author_name", a->byline ? a->byline : a->author);
    mld_page_set_str(art, "lang_code", a->lang);
    json_t *shared = json_array();
    for (int i = 0; i < a->nmedia && json_array_size(shared) < MLD_SEO_MAX_IMAGES; i++) {
        const struct mld_media *m = &a->media[i];
        if (m->kind != MLD_MEDIA_PICTURE)
            continue;
        struct size v[MLD_MAX_RENDITIONS + 1];
        int n = picture_sizes(m, v);
        struct size best = {m->url, m->width, m->height};
        if (n > 0 && v[n - 1].w > best.w)
            best = v[n - 1];
        json_t *o = json_object();
        mld_page_set_str(o, "url", best.url);
        if (best.w > 0 && best.h > 0) {
            json_object_set_new_nocheck(o, "width", json_integer(best.w));
            json_object_set_new_nocheck(o, "height", json_integer(best.h));
        }
        mld_page_set_str(o, "alt", m->alt ? m->alt : m->caption);
        json_array_append_new(shared, o);
    }
    json_object_set_new_nocheck(art, "share_images", shared);
}

/* The article part of an article page's context. */
static json_t *
article_json(const struct mld_item *it, const char *canonical)
{
    const struct mld_article *a = it->a;
    json_t *art = json_object();
    mld_page_set_str(art, "url", canonical);
    mld_page_set_str(art, "headline", a->headline);
    mld_page_set_str(art, "kicker", a->kicker);
    mld_page_set_str(art, "teaser", a->teaser);
    const char *by = a->byline ? a->byline : a->author;
    if (by != NULL) {
        char line[1024];
        bool von = strncmp(by, "Von ", 4) == 0 || strncmp(by, "von ", 4) == 0;
        snprintf(line, sizeof(line), "%s%s", von ? "" : "Von ", by);
        mld_page_set_str(art, "byline", line);
    }
    char *dl = dateline_text(a);
    mld_page_set_str(art, "dateline", dl);
    mld_free(dl);
    mld_page_set_str(art, "body_html", a->body_html);
    mld_page_set_str(art, "aside_html", a->aside_html);
    if (!is_german(a->lang))
        mld_page_set_str(art, "lang", a->lang);
    char host[256];
    if (a->link != NULL && url_host(a->link, host, sizeof(host))) {
        json_t *o = json_object();
        mld_page_set_str(o, "url", a->link);
        mld_page_set_str(o, "host", host);
        json_object_set_new_nocheck(art, "original", o);
    }
    article_media_json(a, art);
    set_section(art, it);
    set_date(art, "date_long", it->published, mld_time_format_long);
    set_date(art, "date_iso", it->published, mld_time_format_iso);
    if (a->version > 1 && a->version_created > it->published) {
        set_date(art, "updated_long", a->version_created, mld_time_format_long);
        set_date(art, "updated_iso", a->version_created, mld_time_format_iso);
    }
    if (a->credit != NULL) {
        mld_page_set_str(art, "credit", a->credit);
        mld_page_set_str(art, "credit_site", credit_site(a->credit));
    }
    /* The line above the headline names the leading topics, as the
     * reference page does; the foot of the article lists them all. */
    json_object_set_new_nocheck(art, "topics", mld_page_topics_json(a, MLD_TOPIC_LINE_COUNT));
    json_object_set_new_nocheck(art, "all_topics", mld_page_topics_json(a, MLD_MAX_TOPICS));
    json_object_set_new_nocheck(art, "has_topics", json_boolean(a->ntopics > 0));
    article_seo_json(it, art);
    return art;
}

/* Orders items newest first (qsort); equal times keep id order. */
static int
newest_first(const void *a, const void *b)
{
    const struct mld_item *x = a, *y = b;
    if (x->published != y->published)
        return x->published < y->published ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* The page of a visible article it at its canonical path. The store picks
 * the related articles, best first, then fills up with the newest of the
 * article's section (marked related_fill); the page lists the related
 * ones newest first under "Weitere Meldungen", as the reference page
 * does, and the fill newest first under "Mehr aus SECTION". */
/* editors: the correction notes of ed as art's "corrections" [{note,
 * date_long, date_iso}], oldest first. */
static void
corrections_json(const struct mld_editorial *ed, json_t *art)
{
    if (ed->nnotes == 0)
        return;
    json_t *v = json_array();
    for (int i = 0; i < ed->nnotes; i++) {
        json_t *o = json_object();
        mld_page_set_str(o, "note", ed->notes[i].note);
        set_date(o, "date_long", ed->notes[i].at, mld_time_format_long);
        set_date(o, "date_iso", ed->notes[i].at, mld_time_format_iso);
        json_array_append_new(v, o);
    }
    json_object_set_new_nocheck(art, "corrections", v);
    json_object_set_new_nocheck(art, "has_corrections", json_true());
}

static int
article_body(struct mld_store *st, const struct mld_tmpl_set *tmpl, const struct mld_item *it,
             const struct mld_editorial *ed, const char *canonical, mld_time_t now,
             struct mld_page *out, struct mld_err *err)
{
    const struct mld_article *a = it->a;
    struct mld_items related = {0};
    int rc = mld_store_related(st, it->id, now, MLD_RELATED_COUNT, &related, err);
    if (rc != 0)
        return rc;
    int nrel = 0;
    while (nrel < related.n && !related.v[nrel].related_fill)
        nrel++;
    struct mld_items rel = {related.v, nrel}, more = {related.v + nrel, related.n - nrel};
    if (rel.n > 1)
        qsort(rel.v, (size_t)rel.n, sizeof(*rel.v), newest_first);
    if (more.n > 1)
        qsort(more.v, (size_t)more.n, sizeof(*more.v), newest_first);
    json_t *art = article_json(it, canonical);
    corrections_json(ed, art);
    json_t *ctx = NULL;
    rc = article_story(st, it, now, art, out, err);
    if (rc == 0)
        ctx = new_context(st, out, a->headline, it->section_slug, now, err);
    if (ctx == NULL) {
        json_decref(art);
        mld_items_dispose(&related);
        return rc != 0 ? rc : err->code;
    }
    json_object_set_new_nocheck(ctx, "article", art);
    set_canonical(ctx, out, canonical);
    json_object_set_new_nocheck(ctx, "related", items_json(&rel));
    json_object_set_new_nocheck(ctx, "has_related", json_boolean(rel.n > 0));
    json_object_set_new_nocheck(ctx, "more", items_json(&more));
    json_object_set_new_nocheck(ctx, "has_more", json_boolean(more.n > 0 && a->section != NULL));
    if (a->section != NULL)
        mld_page_set_str(ctx, "more_section", a->section);
    /* The fill changes with every new article of the section. */
    if (rel.n < MLD_RELATED_COUNT && it->section_slug != NULL)
        mld_page_add_key(out, mld_key_section(it->section_slug).s);
    for (int i = 0; i < a->ntopics; i++) {
        char slug[MLD_SLUG_MAX + 1];
        if (mld_slug(a->topics[i], strlen(a->topics[i]), slug) > 0)
            mld_page_add_key(out, mld_key_topic(slug).s);
    }
    for (int i = 0; i < related.n; i++)
        mld_page_add_key(out, mld_key_article(related.v[i].id).s);
    out->last_modified = a->updated > it->published ? a->updated : it->published;
    bump_modified(out, &related);
    mld_items_dispose(&related);
    out->status = 200;
    return mld_page_render_tmpl(tmpl, "article", ctx, out, err);
}

static int
article_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *ref, mld_time_t now,
             struct mld_page *out, struct mld_err *err)
{
    int64_t id = parse_article_ref(ref);
    if (id <= 0)
        return not_found(st, tmpl, now, out, err);
    struct mld_item it;
    int rc = mld_store_get_page(st, id, &it, err); /* text: only without a teaser */
    if (rc == MLD_E_NOTFOUND) {
        mld_err_clear(err);
        return not_found(st, tmpl, now, out, err);
    }
    if (rc != 0)
        return rc;
    mld_page_add_key(out, mld_key_article(id).s);
    out->cacheable = 1;

    char canonical[MLD_SLUG_MAX + 64];
    mld_page_article_path(it.slug, id, canonical, sizeof(canonical));
    struct mld_editorial ed; /* editors: a withdrawal's reason, correction notes */
    rc = mld_store_editorial_get(st, id, &ed, err);
    if (rc != 0) {
        mld_item_dispose(&it);
        return rc;
    }
    if (it.a->pubstatus == MLD_PUB_CANCELED) {
        rc = mld_page_gone(st, tmpl, ed.state == MLD_ED_WITHDRAWN ? ed.reason : NULL, now, out,
                           err);
    } else if (!mld_article_is_visible(it.a, now)) {
        /* Embargoed or withheld: readers cannot tell it from a missing page. */
        rc = not_found(st, tmpl, now, out, err);
    } else if (strcmp(ref, canonical + strlen("/artikel/")) != 0) {
        out->status = 301;
        snprintf(out->location, sizeof(out->location), "%s", canonical);
    } else {
        rc = article_body(st, tmpl, &it, &ed, canonical, now, out, err);
    }
    mld_editorial_dispose(&ed);
    mld_item_dispose(&it);
    return rc;
}

/* German day heading of instant t, "Montag, 30. Januar 2026" (Europe/
 * Berlin), and the day as a number yyyymmdd for grouping. */
static int
day_heading(mld_time_t t, char *out, size_t size)
{
    static const char *const wdays[] = {"Sonntag",    "Montag",  "Dienstag", "Mittwoch",
                                        "Donnerstag", "Freitag", "Samstag"};
    static const char *const months[] = {"Januar",    "Februar", "März",     "April",
                                         "Mai",       "Juni",    "Juli",     "August",
                                         "September", "Oktober", "November", "Dezember"};
    struct mld_tm tm;
    mld_time_civil(t, mld_time_berlin_offset(t), &tm);
    snprintf(out, size, "%s, %d. %s %04d", wdays[tm.wday], tm.day, months[tm.mon - 1], tm.year);
    return tm.year * 10000 + tm.mon * 100 + tm.day;
}

/* A topic page's timeline: the items (newest first) grouped by day,
 * [{heading, date, items[{..., time}]}]. */
static json_t *
timeline_json(const struct mld_items *l)
{
    json_t *days = json_array(), *cur = NULL;
    int cur_day = -1;
    for (int i = 0; i < l->n; i++) {
        char heading[64], time_s[MLD_TIME_SHORT_LEN + 1], date[16];
        int day = day_heading(l->v[i].published, heading, sizeof(heading));
        if (day != cur_day) {
            snprintf(date, sizeof(date), "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
            json_t *d = json_object();
            mld_page_set_str(d, "heading", heading);
            mld_page_set_str(d, "date", date);
            cur = json_array();
            json_object_set_new_nocheck(d, "items", cur);
            json_array_append_new(days, d);
            cur_day = day;
        }
        json_t *o = mld_page_item_json(&l->v[i]);
        mld_time_format_short(l->v[i].published, time_s);
        mld_page_set_str(o, "time", time_s + MLD_TIME_SHORT_LEN - 5); /* "HH:MM" */
        json_array_append_new(cur, o);
    }
    return days;
}

/* The page number of a paged list: parameter seite, 1 when absent or
 * empty; -1 when it is not a number from 1 to max. */
static int
page_number(const struct mld_page_args *args, int max)
{
    const char *arg = args != NULL ? args->get(args->ud, "seite") : NULL;
    if (arg == NULL || arg[0] == '\0')
        return 1;
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end != '\0' || arg[0] < '0' || arg[0] > '9' || v < 1 || v > max)
        return -1;
    return (int)v;
}

/* Adds prev_url and next_url of page seite under base to ctx. */
static void
set_pager(json_t *ctx, const char *base, int seite, int more)
{
    char url[MLD_SLUG_MAX + 48];
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
}

void
mld_page_set_pager(json_t *ctx, const char *base, int seite, int more)
{
    set_pager(ctx, base, seite, more);
}

/* A section page (kind 's', template list) or a topic page (kind 't',
 * template topic: a timeline by day). */
static int
list_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, char kind, const char *slug,
          int seite, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    char *name = kind == 's' ? mld_store_section_name(st, slug) : mld_store_topic_name(st, slug);
    if (name == NULL)
        return not_found(st, tmpl, now, out, err);
    struct mld_query q = {
        .section_slug = kind == 's' ? slug : NULL,
        .topic_slug = kind == 't' ? slug : NULL,
        .now = now,
        .limit = MLD_LIST_PAGE_SIZE + 1, /* one more tells whether a next page exists */
        .offset = (seite - 1) * MLD_LIST_PAGE_SIZE,
    };
    struct mld_items items = {0};
    json_t *ctx = NULL;
    int rc = mld_store_list(st, &q, &items, err);
    if (rc != 0)
        goto out_name;
    int more = items.n > MLD_LIST_PAGE_SIZE;
    if (more)
        mld_item_dispose(&items.v[--items.n]);
    out->cacheable = 1;
    mld_page_add_key(out, (kind == 's' ? mld_key_section(slug) : mld_key_topic(slug)).s);
    if (items.n == 0 && seite > 1) {
        rc = not_found(st, tmpl, now, out, err);
        goto out_items;
    }
    ctx = new_context(st, out, name, kind == 's' ? slug : NULL, now, err);
    if (ctx == NULL) {
        rc = err->code;
        goto out_items;
    }
    char base[MLD_SLUG_MAX + 16];
    snprintf(base, sizeof(base), "/%s/%s", kind == 's' ? "ressort" : "thema", slug);
    mld_page_set_str(ctx, "heading", name);
    mld_page_set_str(ctx, "kind", kind == 's' ? "Ressort" : "Thema");
    json_object_set_new_nocheck(ctx, "items", items_json(&items));
    for (int i = 0; i < items.n; i++)
        mld_page_add_key(out, mld_key_story(items.v[i].story_id).s);
    if (kind == 't')
        json_object_set_new_nocheck(ctx, "days", timeline_json(&items));
    json_object_set_new_nocheck(ctx, "page", json_integer(seite));
    set_pager(ctx, base, seite, more);
    char here[MLD_SLUG_MAX + 48];
    if (seite > 1)
        snprintf(here, sizeof(here), "%s?seite=%d", base, seite);
    else
        snprintf(here, sizeof(here), "%s", base);
    set_canonical(ctx, out, here);
    bump_modified(out, &items);
    out->status = 200;
    rc = mld_page_render_tmpl(tmpl, kind == 's' ? "list" : "topic", ctx, out, err);
out_items:
    mld_items_dispose(&items);
out_name:
    mld_free(name);
    return rc;
}

/* One entry of a story's timeline; the reason it joined only when the
 * operator wants readers to see it (show_reason). */
static json_t *
story_entry_json(const struct mld_item *it, int index, bool show_reason)
{
    json_t *o = mld_page_item_json(it);
    json_object_del(o, "story_size");
    json_object_del(o, "story_url");
    set_date(o, "date_long", it->published, mld_time_format_long);
    char anchor[32];
    snprintf(anchor, sizeof(anchor), "m%" PRId64, it->id);
    mld_page_set_str(o, "anchor", anchor);
    json_object_set_new_nocheck(o, "number", json_integer(index + 1));
    json_object_set_new_nocheck(o, "first", json_boolean(index == 0));
    json_object_set_new_nocheck(o, "founder", json_boolean(it->id == it->story_id));
    if (show_reason)
        mld_page_set_str(o, "reason", it->story_reason);
    const struct mld_media *pic = mld_article_first_picture(it->a);
    if (pic != NULL)
        json_object_set_new_nocheck(o, "thumb", thumb_json(pic));
    return o;
}

int
mld_page_story_elsewhere(struct mld_store *st, const struct mld_tmpl_set *tmpl, int64_t id,
                         const char *suffix, mld_time_t now, struct mld_page *out,
                         struct mld_err *err)
{
    struct mld_item it;
    int rc = mld_store_get(st, id, &it, err);
    if (rc == MLD_E_NOTFOUND)
        mld_err_clear(err);
    else if (rc != 0)
        return rc;
    int moved = rc == 0 && it.story_id != id && mld_article_is_visible(it.a, now);
    if (moved) {
        out->status = 301;
        snprintf(out->location, sizeof(out->location), "/geschichte/%" PRId64 "%s", it.story_id,
                 suffix);
    }
    if (rc == 0)
        mld_item_dispose(&it);
    return moved ? 0 : not_found(st, tmpl, now, out, err);
}

/* /geschichte/ID: the story's visible articles, oldest first. */
static int
story_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *ref, mld_time_t now,
           struct mld_page *out, struct mld_err *err)
{
    int64_t id = mld_page_parse_id(ref);
    if (id <= 0)
        return not_found(st, tmpl, now, out, err);
    struct mld_items items = {0};
    int rc = mld_store_story(st, id, now, &items, err);
    if (rc != 0)
        return rc;
    if (items.n == 0) {
        mld_items_dispose(&items);
        return mld_page_story_elsewhere(st, tmpl, id, "", now, out, err);
    }
    const struct mld_item *first = &items.v[0], *last = &items.v[items.n - 1];
    json_t *ctx = new_context(st, out, first->a->headline, NULL, now, err);
    if (ctx == NULL) {
        mld_items_dispose(&items);
        return err->code;
    }
    json_t *entries = json_array();
    for (int i = 0; i < items.n; i++)
        json_array_append_new(entries, story_entry_json(&items.v[i], i,
                                                        out->site != NULL &&
                                                            out->site->show_story_reasons));
    json_t *story = json_object();
    json_object_set_new_nocheck(story, "id", json_integer(id));
    mld_page_set_str(story, "headline", first->a->headline);
    mld_page_set_str(story, "latest_headline", last->a->headline);
    json_object_set_new_nocheck(story, "size", json_integer(items.n));
    set_count(story, "label", items.n);
    set_date(story, "first_date", first->published, mld_time_format_short);
    set_date(story, "first_iso", first->published, mld_time_format_iso);
    set_date(story, "last_date", last->published, mld_time_format_short);
    set_date(story, "last_iso", last->published, mld_time_format_iso);
    json_object_set_new_nocheck(ctx, "story", story);
    json_object_set_new_nocheck(ctx, "entries", entries);
    char path[64];
    story_path(id, path, sizeof(path));
    set_canonical(ctx, out, path);
    mld_page_add_key(out, mld_key_story(id).s); /* every member's change logs it */
    out->cacheable = 1;
    bump_modified(out, &items);
    mld_items_dispose(&items);
    out->status = 200;
    return mld_page_render_tmpl(tmpl, "story", ctx, out, err);
}

/* The stories a page already shows: each appears once. */
struct shown {
    int64_t *v;
    int n;
};

static bool
shown_has(const struct shown *sh, int64_t story_id)
{
    for (int i = 0; i < sh->n; i++)
        if (sh->v[i] == story_id)
            return true;
    return false;
}

static void
shown_add(struct shown *sh, int64_t story_id)
{
    sh->v = mld_reallocarray(sh->v, (size_t)sh->n + 1, sizeof(*sh->v));
    sh->v[sh->n++] = story_id;
}

/* The home page's lead among pool (newest first): the most urgent story
 * (urgency 1 to MLD_HOME_LEAD_URGENCY, newest on a tie) of the last
 * MLD_HOME_LEAD_SECS; else the newest with a picture; else the newest.
 * Returns its index, or -1 for an empty pool. */
static int
pick_lead(const struct mld_items *pool, mld_time_t now)
{
    int best = -1;
    for (int i = 0; i < pool->n; i++) {
        const struct mld_item *it = &pool->v[i];
        int u = it->a->urgency;
        if (u < 1 || u > MLD_HOME_LEAD_URGENCY || now - it->published > MLD_HOME_LEAD_SECS)
            continue;
        if (best < 0 || u < pool->v[best].a->urgency)
            best = i;
    }
    for (int i = 0; best < 0 && i < pool->n; i++)
        if (mld_article_first_picture(pool->v[i].a) != NULL)
            best = i;
    return best < 0 && pool->n > 0 ? 0 : best;
}

/* The section blocks of the home page, in the site's order, each with up
 * to MLD_HOME_PER_SECTION stories not shown above it; sections left with
 * none are skipped. */
static int
home_blocks(struct mld_store *st, const struct mld_page_site *site, mld_time_t now,
            struct shown *sh, json_t *blocks, struct mld_page *out, struct mld_err *err)
{
    struct mld_named *secs;
    int n;
    int rc = ordered_sections(st, site, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < n && rc == 0; i++) {
        struct mld_items items = {0};
        struct mld_query q = {
            .section_slug = secs[i].slug, .now = now, .limit = MLD_HOME_BLOCK_READ};
        rc = mld_store_list(st, &q, &items, err);
        if (rc != 0)
            break;
        json_t *list = json_array();
        for (int k = 0; k < items.n && json_array_size(list) < MLD_HOME_PER_SECTION; k++) {
            if (shown_has(sh, items.v[k].story_id))
                continue;
            shown_add(sh, items.v[k].story_id);
            json_array_append_new(list, mld_page_item_json(&items.v[k]));
            if (items.v[k].published > out->last_modified)
                out->last_modified = items.v[k].published;
        }
        if (json_array_size(list) > 0) {
            json_t *b = section_json(&secs[i]);
            json_object_set_new_nocheck(b, "items", list);
            json_array_append_new(blocks, b);
        } else {
            json_decref(list);
        }
        mld_items_dispose(&items);
    }
    mld_named_free(secs, n);
    return rc;
}

/* The pinned articles visible at now, in their order, into pins (*n of
 * them; dispose each). */
static int
home_pins(struct mld_store *st, mld_time_t now, struct mld_item *pins, int *n,
          struct mld_err *err)
{
    int64_t *ids;
    int nids;
    int rc = mld_store_pins(st, &ids, &nids, err);
    for (int i = 0; rc == 0 && i < nids && *n < MLD_EDITOR_PINS; i++) {
        memset(&pins[*n], 0, sizeof(pins[*n]));
        rc = mld_store_get(st, ids[i], &pins[*n], err);
        if (rc == MLD_E_NOTFOUND) {
            mld_err_clear(err);
            rc = 0;
        } else if (rc == 0 && !mld_article_is_visible(pins[*n].a, now)) {
            mld_item_dispose(&pins[*n]);
        } else if (rc == 0) {
            (*n)++;
        }
    }
    mld_free(ids);
    for (int i = 0; rc != 0 && i < *n; i++)
        mld_item_dispose(&pins[i]);
    return rc;
}

/* The portal front page: a lead story with its picture and the next
 * stories of the day under it, "Neueste Meldungen" across all sections
 * beside them, then the section blocks; every story once
 * (docs/internals/site.md). */
static int
home_page(struct mld_store *st, const struct mld_tmpl_set *tmpl, mld_time_t now,
          struct mld_page *out, struct mld_err *err)
{
    struct mld_items pool = {0};
    struct mld_query q = {.now = now, .limit = MLD_HOME_POOL};
    int rc = mld_store_list(st, &q, &pool, err);
    if (rc != 0)
        return rc;
    /* editors: the pinned stories (editor.h) that are visible: the first
     * leads, the others come first beside it; else the home page picks. */
    struct mld_item pins[MLD_EDITOR_PINS];
    int npins = 0;
    rc = home_pins(st, now, pins, &npins, err);
    if (rc != 0) {
        mld_items_dispose(&pool);
        return rc;
    }
    struct shown sh = {0};
    json_t *lead = NULL, *latest = json_array(), *blocks = json_array(), *top = json_array();
    int li = npins > 0 ? -1 : pick_lead(&pool, now);
    if (li >= 0 || npins > 0) {
        const struct mld_item *it = npins > 0 ? &pins[0] : &pool.v[li];
        lead = mld_page_item_json(it);
        json_object_del(lead, "thumb");
        const struct mld_media *pic = mld_article_first_picture(it->a);
        if (pic != NULL)
            json_object_set_new_nocheck(lead, "picture",
                                picture_json(pic, false, "(min-width: 64rem) 38rem, 100vw"));
        shown_add(&sh, it->story_id);
        if (npins > 0) /* its changes reach the home page by its own key */
            json_object_set_new_nocheck(lead, "pinned", json_true());
    }
    for (int i = 0; i < npins; i++) {
        mld_page_add_key(out, mld_key_article(pins[i].id).s);
        if (i > 0 && !shown_has(&sh, pins[i].story_id)) {
            shown_add(&sh, pins[i].story_id);
            json_t *o = mld_page_item_json(&pins[i]);
            json_object_set_new_nocheck(o, "pinned", json_true());
            json_array_append_new(top, o);
        }
        mld_item_dispose(&pins[i]);
    }
    size_t top_max = json_array_size(top) + MLD_HOME_TOP;
    for (int i = 0; i < pool.n && json_array_size(latest) < MLD_HOME_LATEST; i++) {
        if (shown_has(&sh, pool.v[i].story_id))
            continue;
        shown_add(&sh, pool.v[i].story_id);
        json_array_append_new(latest, mld_page_item_json(&pool.v[i]));
    }
    /* Beside the lead, the next stories of the pool with their teasers:
     * those with a picture first, as a front page's second row has. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < pool.n && json_array_size(top) < top_max; i++) {
            if (shown_has(&sh, pool.v[i].story_id) ||
                (pass == 0) != (mld_article_first_picture(pool.v[i].a) != NULL))
                continue;
            shown_add(&sh, pool.v[i].story_id);
            json_array_append_new(top, mld_page_item_json(&pool.v[i]));
        }
    bump_modified(out, &pool);
    mld_items_dispose(&pool);
    rc = home_blocks(st, out->site, now, &sh, blocks, out, err);
    mld_free(sh.v);
    json_t *ctx = rc == 0 ? new_context(st, out, "Nachrichten", NULL, now, err) : NULL;
    if (ctx == NULL) {
        json_decref(lead);
        json_decref(latest);
        json_decref(blocks);
        json_decref(top);
        return rc != 0 ? rc : err->code;
    }
    if (lead != NULL)
        json_object_set_new_nocheck(ctx, "lead", lead);
    json_object_set_new_nocheck(ctx, "has_latest", json_boolean(json_array_size(latest) > 0));
    json_object_set_new_nocheck(ctx, "latest", latest);
    json_object_set_new_nocheck(ctx, "has_top", json_boolean(json_array_size(top) > 0));
    json_object_set_new_nocheck(ctx, "top", top);
    json_object_set_new_nocheck(ctx, "blocks", blocks);
    set_canonical(ctx, out, "/");
    out->cacheable = 1;
    mld_page_add_key(out, mld_key_all().s);
    out->status = 200;
    return mld_page_render_tmpl(tmpl, "home", ctx, out, err);
}

bool
mld_page_is_slug(const char *s, size_t max)
{
    if (*s == '\0' || strlen(s) > max)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

/* True for the paths rendered fresh for each request: search. */
static bool
is_search_path(const char *path)
{
    return strcmp(path, SEARCH_PATH) == 0 || strcmp(path, MLD_PAGE_SEARCH_API_PATH) == 0;
}

const char *
mld_page_kv_get(const void *ud, const char *name)
{
    const char *const *kv = ud;
    for (; kv[0] != NULL; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

bool
mld_page_cache_key(const char *path, const struct mld_page_args *args, char *key, size_t size)
{
    if (is_search_path(path))
        return false;
    if (mld_feed_out_is_feed(path)) { /* feedsout: no paging; search feeds not cached */
        int n = snprintf(key, size, "%s", path);
        return !mld_feed_out_is_search(path) && n >= 0 && (size_t)n < size;
    }
    if (mld_api_path(path)) /* api: its own parameters */
        return mld_api_cache_key(path, args, key, size);
    int seite = page_number(args, MLD_LIST_MAX_PAGES);
    if (seite < 0)
        return false;
    int n = seite > 1 ? snprintf(key, size, "%s?seite=%d", path, seite)
                      : snprintf(key, size, "%s", path);
    return n >= 0 && (size_t)n < size;
}

/* Routes path (the search pages are routed by the caller). */
static int
route(struct mld_store *st, const struct mld_tmpl_set *tmpl, const char *path,
      const struct mld_page_args *args, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    if (strcmp(path, SEARCH_PATH) == 0)
        return mld_page_search(st, tmpl, args, now, out, err);
    if (strcmp(path, MLD_PAGE_SEARCH_API_PATH) == 0)
        return mld_page_search_api(st, args, now, out, err);
    if (mld_feed_out_is_feed(path)) /* feedsout: RSS, Atom, JSON Feed (feed_out.h) */
        return mld_feed_out_render(st, tmpl, path, args, now, out, err);
    /* seo: robots.txt and the sitemaps (sitemap.c) */
    if (mld_sitemap_is_path(path))
        return mld_sitemap_render(st, path, now, out, err);
    if (mld_api_path(path)) /* api: the article API, JSON 404 for the rest */
        return mld_api_render(st, path, args, now, out, err);
    int seite = page_number(args, MLD_LIST_MAX_PAGES);
    if (seite < 0)
        return mld_page_error(st, tmpl, 400, "Ungültige Seitenzahl", now, out, err);
    if (strcmp(path, "/") == 0)
        return home_page(st, tmpl, now, out, err);
    if (strncmp(path, "/artikel/", 9) == 0 && mld_page_is_slug(path + 9, MLD_SLUG_MAX + 20))
        return article_page(st, tmpl, path + 9, now, out, err);
    if (strncmp(path, "/ressort/", 9) == 0 && mld_page_is_slug(path + 9, MLD_SLUG_MAX))
        return list_page(st, tmpl, 's', path + 9, seite, now, out, err);
    if (strncmp(path, "/thema/", 7) == 0 && mld_page_is_slug(path + 7, MLD_SLUG_MAX))
        return list_page(st, tmpl, 't', path + 7, seite, now, out, err);
    if (strncmp(path, "/geschichte/", 12) == 0)
        return story_page(st, tmpl, path + 12, now, out, err);
    return not_found(st, tmpl, now, out, err);
}

/* The render arena. A render builds its context as a jansson tree of a
 * few thousand small values and frees it whole at the end: through
 * malloc and free that was a fifth of an article render's instructions.
 * While a thread renders, jansson takes its memory from the thread's
 * arena (mld_json_use_arena), frees into it are nothing, and the
 * render's end resets it. Nothing a render builds with jansson outlives
 * it: the page leaves as bytes (out->body). */
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static pthread_key_t arena_key; /* the thread's arena, freed when it ends */

static void
arena_free(void *a)
{
    mld_arena_dispose(a);
    mld_free(a);
}

static void
arena_setup(void)
{
    pthread_key_create(&arena_key, arena_free);
}

/* This thread's arena, made on first use. */
static struct mld_arena *
thread_arena(void)
{
    pthread_once(&arena_once, arena_setup);
    struct mld_arena *a = pthread_getspecific(arena_key);
    if (a == NULL) {
        a = MLD_NEW(struct mld_arena);
        pthread_setspecific(arena_key, a);
    }
    return a;
}

int
mld_page_render(struct mld_store *st, const struct mld_tmpl_set *tmpl,
                const struct mld_page_site *site, const char *path,
                const struct mld_page_args *args, mld_time_t now, struct mld_page *out,
                struct mld_err *err)
{
    memset(out, 0, sizeof(*out));
    out->site = site;
    mld_buf_init(&out->body, MLD_MAX_PAGE_BYTES);
    struct mld_arena *arena = thread_arena();
    struct mld_arena *was = mld_json_use_arena(arena);
    int rc = route(st, tmpl, path, args, now, out, err);
    mld_json_use_arena(was);
    mld_arena_reset(arena, MLD_RENDER_ARENA_KEEP);
    if (out->tags_full)
        out->cacheable = 0; /* dropping a missing tag could not reach it */
    return rc;
}
