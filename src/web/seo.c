/*
 * seo.c - meta description, robots, OpenGraph, Twitter card and JSON-LD
 * of a page (see seo.h).
 *
 * Rules followed, per document type:
 *   - meta description: every page; an article's teaser (else the start of
 *     its text), a sentence naming the list, story or page otherwise; cut
 *     before MLD_META_DESCRIPTION_CHARS at a word boundary.
 *   - OpenGraph (ogp.me): og:type (article on article pages, else
 *     website), og:title, og:description, og:url (the absolute canonical
 *     URL), og:image with og:image:width/height when known, og:site_name,
 *     og:locale; on articles article:published_time, modified_time,
 *     section and one article:tag per topic.
 *   - Twitter: summary_large_image when the page has a picture, else
 *     summary (title, description and image come from the og: tags).
 *   - schema.org NewsArticle (Google's article structured data): headline,
 *     description, datePublished, dateModified, author (Person per name of
 *     the byline or author; the credit or the site as Organization when
 *     there is none), publisher (Organization: the site's name and URL,
 *     its logo when static/ holds one), image (absolute URLs of every
 *     picture, widest size), articleSection, keywords (the topics),
 *     inLanguage, isAccessibleForFree, mainEntityOfPage, url; and a
 *     BreadcrumbList: home > section > article (section pages: home >
 *     section).
 *   - noindex: the search page (each query would be its own thin page),
 *     /status, and error pages.
 *
 * All URLs are made absolute with the site's base URL (site.c puts the
 * request's host there when none is configured); without one they stay
 * site-relative and the JSON-LD keeps them so.
 */
#include "seo.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"

/* String value of key in o, or NULL. */
static const char *
str_of(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The site's name. */
static const char *
site_name_of(const struct mld_page_site *site)
{
    return site != NULL && site->name != NULL ? site->name : "meldung";
}

/* A new string: path made absolute on the site's base URL when it is a
 * site path ("/x"), "https:" added to a scheme-relative one ("//host/x"),
 * anything else as it is. */
static char *
absolute(const struct mld_page_site *site, const char *path)
{
    const char *base = site != NULL && site->base_url != NULL ? site->base_url : "";
    struct mld_buf b;
    mld_buf_init(&b, 16384);
    if (path[0] == '/' && path[1] == '/')
        mld_buf_printf(&b, "https:%s", path);
    else if (path[0] == '/')
        mld_buf_printf(&b, "%s%s", base, path);
    else
        mld_buf_puts(&b, path);
    char *s = mld_buf_steal(&b, NULL);
    mld_buf_dispose(&b);
    return s;
}

/* Sets key of o to the absolute form of path (left out for NULL). */
static void
set_absolute(json_t *o, const char *key, const struct mld_page_site *site, const char *path)
{
    if (path == NULL || path[0] == '\0')
        return;
    char *u = absolute(site, path);
    json_object_set_new(o, key, mld_page_str(u));
    mld_free(u);
}

char *
mld_seo_cut(const char *text, size_t max)
{
    if (text == NULL)
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, 4 * max + 16);
    size_t chars = 0, last_space = 0, cut_at = 0;
    bool space = true, cut = false; /* space: drop leading and repeated blanks */
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (blank && space)
            continue;
        if ((c & 0xC0) != 0x80) { /* a character starts */
            if (chars == max - 1) {
                cut = true;
                break;
            }
            chars++;
        }
        if (blank) {
            last_space = b.len;
            mld_buf_putc(&b, ' ');
        } else {
            mld_buf_putc(&b, (char)c);
        }
        space = blank;
    }
    cut_at = b.len;
    if (cut && last_space > 0)
        cut_at = last_space;
    while (cut_at > 0 && b.p[cut_at - 1] == ' ')
        cut_at--;
    if (cut_at == 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    char *s = mld_strndup(b.p, cut_at);
    mld_buf_dispose(&b);
    if (cut) {
        size_t n = strlen(s);
        char *t = mld_malloc(n + 4);
        memcpy(t, s, n);
        memcpy(t + n, "\xE2\x80\xA6", 4); /* … */
        mld_free(s);
        s = t;
    }
    return s;
}

/* Appends the JSON string of the n bytes at s (valid UTF-8, as every
 * jansson string is) in double quotes: escaped as jansson's compact dump
 * escapes ('"', '\\', the named control characters, other controls as
 * \u00XX), and besides < > & and U+2028/U+2029 as \u escapes so that no
 * text can end the script element or, in older parsers, the line. Runs
 * that need no escape are copied whole. */
static void
put_json_string(struct mld_buf *b, const char *s, size_t n)
{
    /* The bytes to look at: controls, '"', '\\', < > & and 0xE2, the
     * lead byte of U+2028 and U+2029; one table lookup per byte. */
    static const bool look[256] = {
        ['"'] = true, ['\\'] = true, ['<'] = true, ['>'] = true, ['&'] = true, [0xE2] = true,
    };
    mld_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && !look[c])
            continue;
        bool sep = c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9);
        if (c == 0xE2 && !sep)
            continue;
        mld_buf_append(b, s + run, i - run);
        const char *named = c == '"'    ? "\\\""
                            : c == '\\' ? "\\\\"
                            : c == '\b' ? "\\b"
                            : c == '\f' ? "\\f"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                                        : NULL;
        if (named != NULL) {
            mld_buf_puts(b, named);
        } else if (sep) {
            mld_buf_printf(b, "\\u%04x", (unsigned)(0x2000 | (unsigned char)s[i + 2]) - 0x80);
            i += 2;
        } else if (c < 0x20) {
            mld_buf_printf(b, "\\u%04X", c); /* jansson's case */
        } else {
            mld_buf_printf(b, "\\u%04x", c); /* < > & */
        }
        run = i + 1;
    }
    mld_buf_append(b, s + run, n - run);
    mld_buf_putc(b, '"');
}

/* Appends v as compact JSON (no blanks; keys in the order they were set,
 * as jansson keeps them). Returns -1 for what JSON-LD never holds (a
 * real number, nesting deeper than MLD_SEO_JSON_DEPTH). */
static int
put_json(struct mld_buf *b, json_t *v, int depth)
{
    if (depth > MLD_SEO_JSON_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        bool first = true;
        mld_buf_putc(b, '{');
        json_object_foreach (v, key, x) {
            if (!first)
                mld_buf_putc(b, ',');
            first = false;
            put_json_string(b, key, strlen(key));
            mld_buf_putc(b, ':');
            if (put_json(b, x, depth + 1) != 0)
                return -1;
        }
        mld_buf_putc(b, '}');
        return 0;
    }
    case JSON_ARRAY:
        mld_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                mld_buf_putc(b, ',');
            if (put_json(b, json_array_get(v, i), depth + 1) != 0)
                return -1;
        }
        mld_buf_putc(b, ']');
        return 0;
    case JSON_STRING:
        put_json_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
        mld_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return 0;
    case JSON_TRUE:
        mld_buf_puts(b, "true");
        return 0;
    case JSON_FALSE:
        mld_buf_puts(b, "false");
        return 0;
    case JSON_NULL:
        mld_buf_puts(b, "null");
        return 0;
    default:
        return -1;
    }
}

/* Written in one pass, not dumped by jansson and escaped again: the dump
 * and the second pass were 8 % of an article render (bench/README.md,
 * "crawl.sh"). */
char *
mld_seo_json_script(json_t *v)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_PAGE_BYTES);
    if (put_json(&b, v, 0) != 0 || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    char *s = mld_buf_steal(&b, NULL);
    mld_buf_dispose(&b);
    return s;
}

/* The description of a page that did not set one. */
static char *
default_description(const json_t *ctx, const char *name, const struct mld_page_site *site)
{
    const char *sn = site_name_of(site);
    const char *heading = str_of(ctx, "heading");
    char buf[1024];
    if (strcmp(name, "list") == 0 && heading != NULL) {
        snprintf(buf, sizeof(buf),
                 "Nachrichten aus dem Ressort %s bei %s: die neuesten Meldungen, laufend "
                 "aktualisiert.",
                 heading, sn);
    } else if (strcmp(name, "topic") == 0 && heading != NULL) {
        snprintf(buf, sizeof(buf), "Alle Meldungen zum Thema %s bei %s, nach Tagen geordnet.",
                 heading, sn);
    } else if (strcmp(name, "story") == 0) {
        const json_t *story = json_object_get(ctx, "story");
        const char *h = str_of(story, "headline"), *label = str_of(story, "label");
        snprintf(buf, sizeof(buf), "%s: die Geschichte in %s bei %s.", h ? h : "Geschichte",
                 label ? label : "Meldungen", sn);
    } else if (strcmp(name, "home") == 0) {
        snprintf(buf, sizeof(buf),
                 "Aktuelle Nachrichten bei %s: die neuesten Meldungen aus Politik, Wirtschaft, "
                 "Sport, Kultur und Panorama.",
                 sn);
    } else if (strcmp(name, "search") == 0) {
        snprintf(buf, sizeof(buf), "Suche in allen Meldungen von %s.", sn);
    } else if (strcmp(name, "status") == 0) {
        snprintf(buf, sizeof(buf), "Der Zustand der Nachrichtenquellen von %s.", sn);
    } else if (str_of(ctx, "message") != NULL && json_object_get(ctx, "status") != NULL) {
        snprintf(buf, sizeof(buf), "%s – %s.", str_of(ctx, "message"), sn);
    } else {
        snprintf(buf, sizeof(buf), "%s – Nachrichten aus dem Agenturdienst.", sn);
    }
    return mld_seo_cut(buf, MLD_META_DESCRIPTION_CHARS);
}

/* An Organization: name, and url when given. */
static json_t *
organization(const char *name, const char *url)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "@type", mld_page_str("Organization"));
    json_object_set_new_nocheck(o, "name", mld_page_str(name));
    if (url != NULL)
        json_object_set_new_nocheck(o, "url", mld_page_str(url));
    return o;
}

/* Appends the author of one name: an Organization when it is the credit
 * (an agency), else a Person. */
static void
add_author(json_t *authors, const char *name, size_t len, const char *credit)
{
    while (len > 0 && (*name == ' ' || *name == ','))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == ',' || name[len - 1] == '.'))
        len--;
    if (len == 0)
        return;
    char *n = mld_strndup(name, len);
    if (credit != NULL && strcasecmp(n, credit) == 0) {
        json_array_append_new(authors, organization(n, NULL));
    } else {
        json_t *p = json_object();
        json_object_set_new_nocheck(p, "@type", mld_page_str("Person"));
        json_object_set_new_nocheck(p, "name", mld_page_str(n));
        json_array_append_new(authors, p);
    }
    mld_free(n);
}

/* The NewsArticle's author: each name of the byline or author ("Von A
 * und B", "A, B"), else the credit as Organization, else the site. */
static json_t *
authors_json(const json_t *art, const struct mld_page_site *site, const char *home)
{
    const char *by = str_of(art, "author_name"), *credit = str_of(art, "credit");
    json_t *authors = json_array();
    if (by != NULL) {
        if (strncasecmp(by, "von ", 4) == 0)
            by += 4;
        while (*by != '\0') {
            const char *comma = strchr(by, ','), *und = strstr(by, " und ");
            const char *end = comma;
            if (und != NULL && (end == NULL || und < end))
                end = und;
            if (end == NULL)
                end = by + strlen(by);
            add_author(authors, by, (size_t)(end - by), credit);
            by = *end == ',' ? end + 1 : *end != '\0' ? end + 5 : end;
        }
    }
    if (json_array_size(authors) == 0)
        json_array_append_new(authors, credit != NULL ? organization(credit, NULL)
                                                      : organization(site_name_of(site), home));
    return authors;
}

/* One ListItem of a BreadcrumbList. */
static void
crumb(json_t *items, const char *name, const char *url)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "@type", mld_page_str("ListItem"));
    json_object_set_new_nocheck(o, "position", json_integer((json_int_t)json_array_size(items) + 1));
    json_object_set_new_nocheck(o, "name", mld_page_str(name));
    if (url != NULL)
        json_object_set_new_nocheck(o, "item", mld_page_str(url));
    json_array_append_new(items, o);
}

static json_t *
breadcrumbs(json_t *items)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "@context", mld_page_str("https://schema.org"));
    json_object_set_new_nocheck(o, "@type", mld_page_str("BreadcrumbList"));
    json_object_set_new_nocheck(o, "itemListElement", items);
    return o;
}

/* The publisher: the site as Organization, with its logo when there is one. */
static json_t *
publisher(const struct mld_page_site *site, const char *home)
{
    json_t *o = organization(site_name_of(site), home);
    if (site != NULL && site->logo != NULL) {
        json_t *logo = json_object();
        json_object_set_new_nocheck(logo, "@type", mld_page_str("ImageObject"));
        set_absolute(logo, "url", site, site->logo);
        json_object_set_new_nocheck(o, "logo", logo);
    }
    return o;
}

/* The JSON-LD of an article page: [NewsArticle, BreadcrumbList]. */
static json_t *
article_ld(const json_t *ctx, const json_t *art, const struct mld_page_site *site)
{
    const char *canonical = str_of(ctx, "canonical");
    char *home = absolute(site, "/");
    json_t *na = json_object();
    json_object_set_new_nocheck(na, "@context", mld_page_str("https://schema.org"));
    json_object_set_new_nocheck(na, "@type", mld_page_str("NewsArticle"));
    json_t *page = json_object();
    json_object_set_new_nocheck(page, "@type", mld_page_str("WebPage"));
    if (canonical != NULL) {
        json_object_set_new_nocheck(page, "@id", mld_page_str(canonical));
        json_object_set_new_nocheck(na, "url", mld_page_str(canonical));
    }
    json_object_set_new_nocheck(na, "mainEntityOfPage", page);
    const char *headline = str_of(art, "headline");
    json_object_set_new_nocheck(na, "headline", mld_page_str(headline ? headline : ""));
    if (str_of(art, "description") != NULL)
        json_object_set_new_nocheck(na, "description", mld_page_str(str_of(art, "description")));
    if (str_of(art, "date_iso") != NULL)
        json_object_set_new_nocheck(na, "datePublished", mld_page_str(str_of(art, "date_iso")));
    if (str_of(art, "modified_iso") != NULL)
        json_object_set_new_nocheck(na, "dateModified", mld_page_str(str_of(art, "modified_iso")));
    json_object_set_new_nocheck(na, "author", authors_json(art, site, home));
    json_object_set_new_nocheck(na, "publisher", publisher(site, home));
    json_t *images = json_array();
    const json_t *shared = json_object_get(art, "share_images");
    for (size_t i = 0; i < json_array_size(shared); i++) {
        const char *u = str_of(json_array_get(shared, i), "url");
        if (u != NULL) {
            char *a = absolute(site, u);
            json_array_append_new(images, mld_page_str(a));
            mld_free(a);
        }
    }
    if (json_array_size(images) > 0)
        json_object_set_new_nocheck(na, "image", images);
    else
        json_decref(images);
    const char *section = str_of(art, "section");
    if (section != NULL)
        json_object_set_new_nocheck(na, "articleSection", mld_page_str(section));
    const json_t *topics = json_object_get(art, "all_topics");
    if (json_array_size(topics) > 0) {
        struct mld_buf kw;
        mld_buf_init(&kw, 16384);
        for (size_t i = 0; i < json_array_size(topics); i++) {
            const char *t = str_of(json_array_get(topics, i), "name");
            if (t != NULL)
                mld_buf_printf(&kw, "%s%s", kw.len > 0 ? ", " : "", t);
        }
        if (kw.len > 0 && mld_buf_error(&kw) == 0) {
            char *s = mld_buf_steal(&kw, NULL);
            json_object_set_new_nocheck(na, "keywords", mld_page_str(s));
            mld_free(s);
        }
        mld_buf_dispose(&kw);
    }
    const char *lang = str_of(art, "lang_code");
    json_object_set_new_nocheck(na, "inLanguage", mld_page_str(lang ? lang : "de"));
    json_object_set_new_nocheck(na, "isAccessibleForFree", json_true());

    json_t *items = json_array();
    crumb(items, site_name_of(site), home);
    if (section != NULL && str_of(art, "section_url") != NULL) {
        char *u = absolute(site, str_of(art, "section_url"));
        crumb(items, section, u);
        mld_free(u);
    }
    crumb(items, headline ? headline : "", canonical);
    mld_free(home);
    json_t *all = json_array();
    json_array_append_new(all, na);
    json_array_append_new(all, breadcrumbs(items));
    return all;
}

/* The JSON-LD of a section page: its BreadcrumbList. */
static json_t *
section_ld(const json_t *ctx, const struct mld_page_site *site)
{
    const char *heading = str_of(ctx, "heading"), *canonical = str_of(ctx, "canonical");
    if (heading == NULL)
        return NULL;
    char *home = absolute(site, "/");
    json_t *items = json_array();
    crumb(items, site_name_of(site), home);
    crumb(items, heading, canonical);
    mld_free(home);
    return breadcrumbs(items);
}

/* Sets og_image (url, width, height, alt) from a picture object with src
 * or url; returns whether it did. */
static bool
set_og_image(json_t *ctx, const json_t *pic, const struct mld_page_site *site)
{
    const char *src = str_of(pic, "url") ? str_of(pic, "url") : str_of(pic, "src");
    if (src == NULL)
        return false;
    json_t *img = json_object();
    set_absolute(img, "url", site, src);
    json_t *w = json_object_get(pic, "width"), *h = json_object_get(pic, "height");
    if (json_integer_value(w) > 0 && json_integer_value(h) > 0) {
        json_object_set(img, "width", w);
        json_object_set(img, "height", h);
    }
    mld_page_set_str(img, "alt", str_of(pic, "alt"));
    json_object_set_new_nocheck(ctx, "og_image", img);
    return true;
}

/* The OpenGraph and Twitter keys. */
static void
set_og(json_t *ctx, const char *name, const json_t *art, const struct mld_page_site *site)
{
    const char *title = art != NULL ? str_of(art, "headline") : str_of(ctx, "title");
    mld_page_set_str(ctx, "og_type", art != NULL ? "article" : "website");
    mld_page_set_str(ctx, "og_title", title);
    mld_page_set_str(ctx, "og_description", str_of(ctx, "description"));
    mld_page_set_str(ctx, "og_url", str_of(ctx, "canonical"));
    mld_page_set_str(ctx, "og_locale", "de_DE");
    bool pic = false;
    if (art != NULL) {
        pic = set_og_image(ctx, json_array_get(json_object_get(art, "share_images"), 0), site);
        mld_page_set_str(ctx, "article_published", str_of(art, "date_iso"));
        mld_page_set_str(ctx, "article_modified", str_of(art, "modified_iso"));
        mld_page_set_str(ctx, "article_section", str_of(art, "section"));
        json_t *tags = json_array();
        const json_t *topics = json_object_get(art, "all_topics");
        for (size_t i = 0; i < json_array_size(topics); i++) {
            json_t *t = json_object();
            mld_page_set_str(t, "tag", str_of(json_array_get(topics, i), "name"));
            json_array_append_new(tags, t);
        }
        json_object_set_new_nocheck(ctx, "article_tags", tags);
    } else if (strcmp(name, "home") == 0) {
        pic = set_og_image(ctx, json_object_get(json_object_get(ctx, "lead"), "picture"), site);
    }
    mld_page_set_str(ctx, "twitter_card", pic ? "summary_large_image" : "summary");
}

void
mld_seo_context(json_t *ctx, const char *name, const struct mld_page_site *site)
{
    json_t *art = strcmp(name, "article") == 0 ? json_object_get(ctx, "article") : NULL;
    if (!json_is_object(art))
        art = NULL;
    if (str_of(ctx, "description") == NULL) {
        char *d = art != NULL && str_of(art, "description") != NULL
                      ? mld_strdup(str_of(art, "description"))
                      : default_description(ctx, name, site);
        mld_page_set_str(ctx, "description", d);
        mld_free(d);
    }
    static const char *const noindex[] = {"search", "status", "error", "gone"};
    for (size_t i = 0; i < sizeof(noindex) / sizeof(noindex[0]); i++)
        if (strcmp(name, noindex[i]) == 0)
            json_object_set_new_nocheck(ctx, "noindex", json_true());
    if (site != NULL)
        mld_page_set_str(ctx, "favicon", site->favicon);
    set_og(ctx, name, art, site);
    json_t *ld = art != NULL                 ? article_ld(ctx, art, site)
                 : strcmp(name, "list") == 0 ? section_ld(ctx, site)
                                             : NULL;
    if (ld != NULL) {
        char *s = mld_seo_json_script(ld);
        mld_page_set_str(ctx, "json_ld", s);
        mld_free(s);
        json_decref(ld);
    }
}
