/*
 * sitemap.c - robots.txt, the sitemaps and the Google News sitemap (see
 * sitemap.h).
 *
 * The rules each document follows:
 *
 *   robots.txt        everything allowed but the search page and the API
 *                     (search results are no landing pages); names both
 *                     sitemaps with absolute URLs.
 *   /sitemap.xml      a <sitemapindex> (sitemaps.org 0.9): the section
 *                     sitemap, then one child per month with visible
 *                     articles, newest first, each with the newest
 *                     <lastmod> of its articles. A month of more than
 *                     MLD_SITEMAP_MAX_URLS articles is named as parts
 *                     YYYY-MM-1.xml, YYYY-MM-2.xml, ...
 *   child sitemaps    a <urlset>: per article <loc> (absolute canonical
 *                     URL) and <lastmod> (W3C datetime, UTC, of the
 *                     current version: max(published, version_created)).
 *                     YYYY-MM.xml is the month's first part.
 *   /sitemap-news.xml a <urlset> with Google's news extension: the
 *                     articles published in the last 48 hours, at most
 *                     1,000, each with news:publication (name: the site's
 *                     name; language: the article's, else "de"),
 *                     news:publication_date and news:title.
 *
 * Months are UTC months. Cache tags: a monthly child carries its month's
 * key "m:YYYY-MM", which the store logs for every change of an article
 * published in that month (and an embargo release), so old months stay
 * cached while new articles arrive; the index and the section sitemap
 * carry "all", which every change logs. The news sitemap also ages:
 * an article drops out 48 hours after publication with no store change,
 * so it is not kept in the page cache (it reads at most 1,000 rows of the
 * index; a CDN may keep it for the minute Cache-Control allows).
 */
#include "sitemap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../text/slug.h"

#define XML_TYPE "application/xml; charset=utf-8"
#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"
#define SECTIONS_NAME "ressorts"

/* The base of absolute URLs: the configured or request base URL. Without
 * either (a page rendered outside a request), a placeholder that says so. */
static const char *
base_of(const struct mld_page *out)
{
    if (out->site != NULL && out->site->base_url != NULL)
        return out->site->base_url;
    return "http://localhost";
}

/* Appends s as XML character data: the five markup characters escaped,
 * and control characters XML 1.0 forbids (all below 0x20 but tab, line
 * feed and carriage return) left out, so no stored text can make the
 * document ill-formed. */
static void
xml_text(struct mld_buf *b, const char *s)
{
    size_t run = 0, i = 0;
    for (; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
            continue;
        mld_buf_append_html(b, s + run, i - run);
        run = i + 1;
    }
    mld_buf_append_html(b, s + run, i - run);
}

/* Appends <lastmod>, <news:publication_date> etc.: t as W3C datetime. */
static void
w3c_time(struct mld_buf *b, mld_time_t t)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(t, iso);
    mld_buf_puts(b, iso);
}

/* Appends the absolute URL of article id with slug. */
static void
article_loc(struct mld_buf *b, const char *base, const char *slug, int64_t id)
{
    char path[MLD_SLUG_MAX + 64];
    mld_page_article_path(slug != NULL ? slug : "", id, path, sizeof(path));
    xml_text(b, base);
    xml_text(b, path);
}

/* The answer for a sitemap that does not exist: 404, plain text, not
 * cached. */
static int
no_sitemap(struct mld_page *out)
{
    out->status = 404;
    out->content_type = "text/plain; charset=utf-8";
    out->cacheable = 0;
    mld_buf_reset(&out->body);
    mld_buf_puts(&out->body, "Diese Sitemap gibt es nicht.\n");
    return 0;
}

/* Finishes a rendered XML document: status 200, or MLD_E_TOOBIG when the
 * body passed its limit. */
static int
finish_xml(struct mld_page *out, const char *what, struct mld_err *err)
{
    if (mld_buf_error(&out->body) != 0)
        return mld_err_set(err, MLD_E_TOOBIG, "%s exceeds %u bytes", what,
                           (unsigned)MLD_SITEMAP_MAX_BYTES);
    out->status = 200;
    out->content_type = XML_TYPE;
    return 0;
}

/* robots.txt ------------------------------------------------------------- */

static int
robots(struct mld_page *out)
{
    const char *base = base_of(out);
    struct mld_buf *b = &out->body;
    mld_buf_printf(b,
                   "# %s: search result pages and the API are no landing pages.\n"
                   "User-agent: *\n"
                   "Allow: /\n"
                   "Disallow: /suche\n"
                   "Disallow: /api/\n"
                   "\n"
                   "Sitemap: %s%s\n"
                   "Sitemap: %s%s\n",
                   out->site != NULL && out->site->name ? out->site->name : "meldung", base,
                   MLD_SITEMAP_PATH, base, MLD_NEWS_SITEMAP_PATH);
    out->status = 200;
    out->content_type = "text/plain; charset=utf-8";
    out->cacheable = 1; /* depends on the settings only */
    return 0;
}

/* The sitemap index -------------------------------------------------------- */

/* Appends one <sitemap> of the index. */
static void
index_entry(struct mld_buf *b, const char *base, const char *name, mld_time_t lastmod)
{
    mld_buf_puts(b, "<sitemap><loc>");
    xml_text(b, base);
    mld_buf_printf(b, "%s%s.xml</loc>", MLD_SITEMAP_DIR, name);
    if (lastmod > 0) {
        mld_buf_puts(b, "<lastmod>");
        w3c_time(b, lastmod);
        mld_buf_puts(b, "</lastmod>");
    }
    mld_buf_puts(b, "</sitemap>\n");
}

static int
sitemap_index(struct mld_store *st, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    struct mld_sitemap_month *months;
    int n;
    int rc = mld_store_sitemap_months(st, now, MLD_SITEMAP_MAX_CHILDREN - 1, &months, &n, err);
    if (rc != 0)
        return rc;
    const char *base = base_of(out);
    struct mld_buf *b = &out->body;
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<sitemapindex xmlns=\"" SITEMAP_NS "\">\n");
    index_entry(b, base, SECTIONS_NAME, 0);
    int children = 1;
    for (int i = 0; i < n && children < MLD_SITEMAP_MAX_CHILDREN; i++) {
        const struct mld_sitemap_month *m = &months[i];
        if (m->count <= 0)
            continue;
        int64_t parts = (m->count + MLD_SITEMAP_MAX_URLS - 1) / MLD_SITEMAP_MAX_URLS;
        for (int64_t k = 1; k <= parts && children < MLD_SITEMAP_MAX_CHILDREN; k++) {
            char name[48];
            if (parts == 1)
                snprintf(name, sizeof(name), "%04d-%02d", m->year, m->mon);
            else
                snprintf(name, sizeof(name), "%04d-%02d-%" PRId64, m->year, m->mon, k);
            index_entry(b, base, name, m->lastmod);
            children++;
        }
        if (m->lastmod > out->last_modified)
            out->last_modified = m->lastmod;
    }
    mld_buf_puts(b, "</sitemapindex>\n");
    mld_free(months);
    out->cacheable = 1;
    mld_page_add_key(out, mld_key_all().s);
    return finish_xml(out, MLD_SITEMAP_PATH, err);
}

/* Child sitemaps ----------------------------------------------------------- */

/* State of a child sitemap or the news sitemap while entries arrive. */
struct writer {
    struct mld_page *out;
    const char *base;
    const char *site_name; /* news only; NULL for a plain child */
    int count;
};

/* The news sitemap's language of an article: its ISO 639 code ("de",
 * "en"; Google's "zh-cn" and "zh-tw" for Chinese), "de" when it has none
 * or an unusable one. Writes to out (8 bytes). */
static void
news_language(const char *lang, char *out)
{
    size_t n = 0;
    while (lang != NULL && n < 3 && lang[n] >= 'A' && lang[n] <= 'z' &&
           (lang[n] <= 'Z' || lang[n] >= 'a'))
        n++;
    if (n < 2 || (lang[n] != '\0' && lang[n] != '-' && lang[n] != '_')) {
        snprintf(out, 8, "de");
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(lang[i] | 0x20);
    out[n] = '\0';
    if (strcmp(out, "zh") == 0 && lang[n] != '\0') {
        char r0 = (char)(lang[n + 1] | 0x20), r1 = lang[n + 1] ? (char)(lang[n + 2] | 0x20) : 0;
        if ((r0 == 'c' && r1 == 'n') || (r0 == 't' && r1 == 'w'))
            snprintf(out, 8, "zh-%c%c", r0, r1);
    }
}

/* Writes one <url>; for the news sitemap with its news:news. */
static int
write_url(void *ud, const struct mld_sitemap_entry *e)
{
    struct writer *w = ud;
    struct mld_buf *b = &w->out->body;
    mld_buf_puts(b, "<url><loc>");
    article_loc(b, w->base, e->slug, e->id);
    mld_buf_puts(b, "</loc><lastmod>");
    w3c_time(b, e->modified);
    mld_buf_puts(b, "</lastmod>");
    if (w->site_name != NULL) {
        char lang[8];
        news_language(e->lang, lang);
        mld_buf_puts(b, "<news:news><news:publication><news:name>");
        xml_text(b, w->site_name);
        mld_buf_printf(b,
                       "</news:name><news:language>%s</news:language></news:publication>"
                       "<news:publication_date>",
                       lang);
        w3c_time(b, e->published);
        mld_buf_puts(b, "</news:publication_date><news:title>");
        xml_text(b, e->headline != NULL ? e->headline : "");
        mld_buf_puts(b, "</news:title></news:news>");
    }
    mld_buf_puts(b, "</url>\n");
    if (e->modified > w->out->last_modified)
        w->out->last_modified = e->modified;
    w->count++;
    return mld_buf_error(b) != 0 ? MLD_E_TOOBIG : 0;
}

/* Parses a child's name, "YYYY-MM" or "YYYY-MM-N" (N from 1, no leading
 * zero) before ".xml". Returns false when it is neither. */
static bool
parse_child(const char *name, int *year, int *mon, int64_t *part)
{
    size_t len = strlen(name);
    if (len < 11 || strcmp(name + len - 4, ".xml") != 0)
        return false;
    len -= 4;
    for (int i = 0; i < 7; i++)
        if (i == 4 ? name[i] != '-' : (name[i] < '0' || name[i] > '9'))
            return false;
    *year = (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 + name[3] - '0';
    *mon = (name[5] - '0') * 10 + name[6] - '0';
    if (*mon < 1 || *mon > 12)
        return false;
    *part = 1;
    if (len == 7)
        return true;
    if (name[7] != '-' || len < 9 || len > 14 || name[8] == '0')
        return false;
    int64_t p = 0;
    for (size_t i = 8; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        p = p * 10 + (name[i] - '0');
    }
    *part = p;
    return true;
}

/* /sitemaps/YYYY-MM[-N].xml: the month's visible articles, part N. */
static int
month_sitemap(struct mld_store *st, const char *name, mld_time_t now, struct mld_page *out,
              struct mld_err *err)
{
    int year, mon;
    int64_t part;
    if (!parse_child(name, &year, &mon, &part))
        return no_sitemap(out);
    mld_time_t from = mld_time_from_civil(year, mon, 1, 0, 0, 0);
    mld_time_t to = mld_time_from_civil(year, mon + 1, 1, 0, 0, 0);
    struct writer w = {out, base_of(out), NULL, 0};
    struct mld_buf *b = &out->body;
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"" SITEMAP_NS "\">\n");
    int rc = mld_store_sitemap_entries(st, from, to, now, MLD_SITEMAP_MAX_URLS,
                                       (part - 1) * MLD_SITEMAP_MAX_URLS, write_url, &w, err);
    if (rc == MLD_E_TOOBIG)
        return mld_err_set(err, rc, "%s%s exceeds %u bytes", MLD_SITEMAP_DIR, name,
                           (unsigned)MLD_SITEMAP_MAX_BYTES);
    if (rc != 0)
        return rc;
    if (w.count == 0) /* no such month or part: nothing a crawler should keep */
        return no_sitemap(out);
    mld_buf_puts(b, "</urlset>\n");
    out->cacheable = 1;
    char month[16];
    snprintf(month, sizeof(month), "%04d-%02d", year, mon);
    mld_page_add_key(out, mld_key_month(month).s);
    return finish_xml(out, name, err);
}

/* /sitemaps/ressorts.xml: the home page and every section page with
 * visible articles. */
static int
sections_sitemap(struct mld_store *st, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    struct mld_named *secs;
    int n;
    int rc = mld_store_sections(st, now, &secs, &n, err);
    if (rc != 0)
        return rc;
    const char *base = base_of(out);
    struct mld_buf *b = &out->body;
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"" SITEMAP_NS "\">\n<url><loc>");
    xml_text(b, base);
    mld_buf_puts(b, "/</loc></url>\n");
    for (int i = 0; i < n; i++) {
        mld_buf_puts(b, "<url><loc>");
        xml_text(b, base);
        mld_buf_puts(b, "/ressort/");
        xml_text(b, secs[i].slug);
        mld_buf_puts(b, "</loc></url>\n");
    }
    mld_buf_puts(b, "</urlset>\n");
    mld_named_free(secs, n);
    out->cacheable = 1;
    mld_page_add_key(out, mld_key_all().s);
    return finish_xml(out, SECTIONS_NAME, err);
}

/* /sitemap-news.xml: the last 48 hours. */
static int
news_sitemap(struct mld_store *st, mld_time_t now, struct mld_page *out, struct mld_err *err)
{
    const char *name = out->site != NULL && out->site->name ? out->site->name : "meldung";
    struct writer w = {out, base_of(out), name, 0};
    struct mld_buf *b = &out->body;
    mld_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"" SITEMAP_NS "\" xmlns:news=\"" NEWS_NS "\">\n");
    int rc = mld_store_sitemap_entries(st, now - MLD_NEWS_SITEMAP_SECS, now + 1, now,
                                       MLD_NEWS_SITEMAP_MAX_URLS, 0, write_url, &w, err);
    if (rc == MLD_E_TOOBIG)
        return mld_err_set(err, rc, "%s exceeds %u bytes", MLD_NEWS_SITEMAP_PATH,
                           (unsigned)MLD_SITEMAP_MAX_BYTES);
    if (rc != 0)
        return rc;
    mld_buf_puts(b, "</urlset>\n");
    out->cacheable = 0; /* ages without a store change: see the top */
    return finish_xml(out, MLD_NEWS_SITEMAP_PATH, err);
}

bool
mld_sitemap_is_path(const char *path)
{
    return strcmp(path, MLD_ROBOTS_PATH) == 0 || strcmp(path, MLD_SITEMAP_PATH) == 0 ||
           strcmp(path, MLD_NEWS_SITEMAP_PATH) == 0 ||
           strncmp(path, MLD_SITEMAP_DIR, strlen(MLD_SITEMAP_DIR)) == 0;
}

int
mld_sitemap_render(struct mld_store *st, const char *path, mld_time_t now, struct mld_page *out,
                   struct mld_err *err)
{
    /* A child of 50,000 URLs is larger than any page. */
    mld_buf_dispose(&out->body);
    mld_buf_init(&out->body, MLD_SITEMAP_MAX_BYTES);
    if (strcmp(path, MLD_ROBOTS_PATH) == 0)
        return robots(out);
    if (strcmp(path, MLD_SITEMAP_PATH) == 0)
        return sitemap_index(st, now, out, err);
    if (strcmp(path, MLD_NEWS_SITEMAP_PATH) == 0)
        return news_sitemap(st, now, out, err);
    const char *name = path + strlen(MLD_SITEMAP_DIR);
    if (strcmp(name, SECTIONS_NAME ".xml") == 0)
        return sections_sitemap(st, now, out, err);
    return month_sitemap(st, name, now, out, err);
}
