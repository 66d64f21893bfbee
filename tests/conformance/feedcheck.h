/*
 * tests/conformance/feedcheck.h - what the gofeed, feed-rs and rss-parser
 * conformance runners share: reading an input through meldung, and
 * comparing fields with an expected JSON document, area by area.
 *
 * Each input is read twice: through mld_format_detect() and the format's
 * parse() with a sink that keeps the articles (what `meldung ingest` does),
 * and into the feed model of feed.h (mld_feed_parse() for RSS and Atom,
 * jsonfeed_read() for JSON Feed), which carries the channel summary and,
 * per item, the raw id, links and dates next to the very articles parse()
 * hands over. Items are matched with the expected items by position
 * through the model, since parse() hands over one article per identity.
 *
 * A comparison is one field of one file: it agrees or it does not, and a
 * disagreement becomes a diagnostic line "file: field: want ... got ...".
 * Text is compared after folding whitespace, and, failing that, by the
 * text of both sides read as HTML (meldung keeps titles and summaries as
 * plain text and bodies as sanitised HTML, so markup and entities are not
 * what it promises to keep). An area prints one TAP line "N/M fields
 * agree (K files, S skipped)" and fails only below its threshold;
 * disagreements that are explained (struct fc_known) are listed apart and
 * not counted in M.
 *
 * This header is included by exactly one runner per program, after
 * test.h, so everything in it is static (and marked unused, since no
 * runner needs all of it). It #includes src/ingest/jsonfeed.c, as unit
 * tests include the file they test, for jsonfeed_read(), the JSON Feed
 * model.
 */
#ifndef MLD_FEEDCHECK_H
#define MLD_FEEDCHECK_H

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../../src/base/buf.h"
#include "../../src/base/mem.h"
#include "../../src/base/time.h"
#include "../../src/ingest/feed.h"
#include "../../src/ingest/ingest.h"
#include "../../src/ingest/jsonfeed.c"
#include "../../src/ingest/sanitize.h"

/* Reading inputs ---------------------------------------------------------- */

/* One input as meldung reads it. */
struct fc_input {
    char *doc; /* the bytes (malloc) */
    size_t len;
    const struct mld_format *fmt; /* detected, or NULL */
    int rc;                       /* parse()'s result; MLD_E_UNSUPPORTED when not detected */
    struct mld_err err;
    int narticles;         /* articles parse() handed over */
    struct mld_feed *feed; /* the model, or NULL when it could not be read */
    int feed_rc;
    struct mld_err feed_err;
};

static __attribute__((unused)) int
fc_count_sink(void *ud, struct mld_article *a)
{
    (*(int *)ud)++;
    mld_article_free(a);
    return 0;
}

/* Reads path through meldung; url, when not NULL, is the document URL and
 * content_type the HTTP Content-Type it came with. Returns false when the
 * file cannot be read. */
static __attribute__((unused)) bool
fc_read(const char *path, const char *url, const char *content_type, struct fc_input *in)
{
    memset(in, 0, sizeof(*in));
    in->doc = mld_test_slurp(path, &in->len);
    if (in->doc == NULL)
        return false;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct mld_source src = {.name = name, .url = url, .content_type = content_type};
    in->fmt = mld_format_detect(in->doc, in->len);
    if (in->fmt == NULL) {
        in->rc = mld_err_set(&in->err, MLD_E_UNSUPPORTED, "%s: no format recognised", name);
    } else {
        in->rc = in->fmt->parse(in->doc, in->len, &src, fc_count_sink, &in->narticles, &in->err);
    }
    if (in->fmt == &mld_format_jsonfeed)
        in->feed_rc = jsonfeed_read(in->doc, in->len, &src, &in->feed, &in->feed_err);
    else if (in->fmt == &mld_format_rss || in->fmt == &mld_format_atom)
        in->feed_rc = mld_feed_parse(in->doc, in->len, &src, &in->feed, &in->feed_err);
    return true;
}

static __attribute__((unused)) void
fc_input_free(struct fc_input *in)
{
    free(in->doc);
    mld_feed_free(in->feed);
    memset(in, 0, sizeof(*in));
}

/* Loads a JSON file (NULL with a note on stderr when it is not JSON).
 * latin1: the file is ISO-8859-1, not UTF-8. */
static __attribute__((unused)) json_t *
fc_load_json(const char *path, bool latin1)
{
    size_t len;
    char *raw = mld_test_slurp(path, &len);
    if (raw == NULL)
        return NULL;
    if (latin1) {
        char *u = malloc(2 * len + 1);
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)raw[i];
            if (c < 0x80) {
                u[o++] = (char)c;
            } else {
                u[o++] = (char)(0xc0 | (c >> 6));
                u[o++] = (char)(0x80 | (c & 0x3f));
            }
        }
        free(raw);
        raw = u;
        len = o;
    }
    json_error_t e;
    json_t *j = json_loadb(raw, len, JSON_DECODE_ANY, &e);
    if (j == NULL)
        fprintf(stderr, "%s: line %d: %s\n", path, e.line, e.text);
    free(raw);
    return j;
}

/* A string member of a JSON object, or NULL. */
static __attribute__((unused)) const char *
fc_jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Areas ------------------------------------------------------------------- */

/* A disagreement known and explained: meldung differs on purpose, or the
 * expected value is an artefact of the other parser. field may hold "*"
 * for an index ("items[*].content"), or be NULL for every field of the
 * file (one that meldung refuses); want_has, when set, must occur in the
 * expected value. Such fields count apart, not in N/M. */
struct fc_known {
    const char *file;
    const char *field;
    const char *want_has;
    const char *why;
};

/* One area of a suite: a folder or a model, with its threshold. */
struct fc_area {
    const char *name;
    double threshold;             /* least share of agreeing fields */
    const char *unmodelled;       /* the expected fields not compared, for the report */
    const struct fc_known *known; /* {NULL}-terminated, or NULL */
    long agree, total, explained;
    int files, skipped;
    struct mld_buf diag;  /* one line per disagreement */
    struct mld_buf notes; /* one line per explained difference */
    int ndiag;
};

static __attribute__((unused)) void
fc_area_init(struct fc_area *a, const char *name, double threshold, const char *unmodelled,
             const struct fc_known *known)
{
    memset(a, 0, sizeof(*a));
    a->name = name;
    a->threshold = threshold;
    a->unmodelled = unmodelled;
    a->known = known;
    mld_buf_init(&a->diag, 64u * 1024 * 1024);
    mld_buf_init(&a->notes, 64u * 1024 * 1024);
}

/* True when field matches pattern, "*" standing for a run of digits. */
static __attribute__((unused)) bool
fc_field_match(const char *pattern, const char *field)
{
    while (*pattern != '\0') {
        if (*pattern == '*') {
            if (*field < '0' || *field > '9')
                return false;
            while (*field >= '0' && *field <= '9')
                field++;
            pattern++;
        } else if (*pattern++ != *field++) {
            return false;
        }
    }
    return *field == '\0';
}

/* The known difference for this disagreement, or NULL. */
static __attribute__((unused)) const struct fc_known *
fc_find_known(const struct fc_area *a, const char *file, const char *field, const char *want)
{
    for (const struct fc_known *k = a->known; k != NULL && k->file != NULL; k++)
        if (strcmp(k->file, file) == 0 && (k->field == NULL || fc_field_match(k->field, field)) &&
            (k->want_has == NULL || (want != NULL && strstr(want, k->want_has) != NULL)))
            return k;
    return NULL;
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static __attribute__((unused)) size_t
fc_utf8_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* Appends s to b shortened to about 100 bytes; newlines, control
 * characters and bytes that are not UTF-8 are escaped. */
static __attribute__((unused)) void
fc_put_value(struct mld_buf *b, const char *s)
{
    if (s == NULL) {
        mld_buf_puts(b, "(none)");
        return;
    }
    mld_buf_putc(b, '"');
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (u[i] != '\0' && i < 100) {
        size_t n = fc_utf8_len(u + i);
        if (u[i] == '\n') {
            mld_buf_puts(b, "\\n");
            i++;
        } else if (n == 0 || u[i] < 0x20 || u[i] == 0x7f) {
            mld_buf_printf(b, "\\x%02x", u[i]);
            i++;
        } else {
            mld_buf_append(b, u + i, n);
            i += n;
        }
    }
    if (u[i] != '\0')
        mld_buf_puts(b, "...");
    mld_buf_putc(b, '"');
}

/* Counts one compared field; a disagreement is noted with both values. */
static __attribute__((unused)) bool
fc_result(struct fc_area *a, const char *file, const char *field, bool agree, const char *want,
          const char *got)
{
    if (!agree) {
        const struct fc_known *k = fc_find_known(a, file, field, want);
        if (k != NULL) {
            a->explained++;
            mld_buf_printf(&a->notes, "# %s: %s: %s\n", file, field, k->why);
            return false;
        }
    }
    a->total++;
    if (agree) {
        a->agree++;
        return true;
    }
    a->ndiag++;
    mld_buf_printf(&a->diag, "# %s: %s: want ", file, field);
    fc_put_value(&a->diag, want);
    mld_buf_puts(&a->diag, " got ");
    fc_put_value(&a->diag, got);
    mld_buf_putc(&a->diag, '\n');
    return false;
}

/* Prints the area's TAP line and its diagnostics. */
static __attribute__((unused)) void
fc_area_report(struct fc_area *a)
{
    double share = a->total ? (double)a->agree / (double)a->total : 1.0;
    ok(share >= a->threshold, "%s: %ld/%ld fields agree (%d files, %d skipped)", a->name, a->agree,
       a->total, a->files, a->skipped);
    if (share < a->threshold)
        diag("%s: %.1f%% agree, the threshold is %.1f%%", a->name, 100.0 * share,
             100.0 * a->threshold);
    if (a->unmodelled != NULL)
        diag("%s: not compared (meldung does not model them): %s", a->name, a->unmodelled);
    if (a->explained > 0) {
        diag("%s: %ld differences explained (on purpose, or artefacts of the other parser):",
             a->name, a->explained);
        fputs(a->notes.p, stdout);
    }
    if (a->diag.len > 0) {
        diag("%s: %d disagreements:", a->name, a->ndiag);
        fputs(a->diag.p, stdout);
    }
    fflush(stdout);
    mld_buf_dispose(&a->diag);
    mld_buf_dispose(&a->notes);
}

/* Comparisons ------------------------------------------------------------- */

/* s with whitespace runs (also no-break spaces) folded to one space and
 * trimmed; a new string, "" for NULL. */
static __attribute__((unused)) char *
fc_fold(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *r = malloc(n + 1);
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (c == 0xc2 && (unsigned char)s[i + 1] == 0xa0) {
            ws = true;
            i++;
        }
        if (ws) {
            space = o > 0;
            continue;
        }
        if (space)
            r[o++] = ' ';
        space = false;
        r[o++] = (char)c;
    }
    r[o] = '\0';
    return r;
}

/* The folded text of s read as HTML; a new string. */
static __attribute__((unused)) char *
fc_html_text(const char *s)
{
    if (s == NULL)
        return fc_fold("");
    struct mld_err e = {0};
    char *t = mld_html_to_text(s, strlen(s), &e);
    char *r = fc_fold(t ? t : s);
    mld_free(t);
    return r;
}

/* True when the expected text want and meldung's plain text got agree:
 * equal after folding whitespace, or equal to want read as HTML (markup
 * dropped, entities decoded), since meldung keeps the text a reader sees
 * where the expected value keeps the markup. */
static __attribute__((unused)) bool
fc_text_eq(const char *want, const char *got)
{
    char *w = fc_fold(want), *g = fc_fold(got);
    bool eq = strcmp(w, g) == 0;
    free(w);
    if (!eq) {
        w = fc_html_text(want);
        eq = strcmp(w, g) == 0;
        free(w);
    }
    free(g);
    return eq;
}

/* Compares a text field (NULL and "" are both "none"). */
static __attribute__((unused)) bool
fc_text(struct fc_area *a, const char *file, const char *field, const char *want, const char *got)
{
    return fc_result(a, file, field, fc_text_eq(want, got), want, got);
}

/* Compares HTML by its text: meldung sanitises bodies, so markup differs. */
static __attribute__((unused)) bool
fc_html(struct fc_area *a, const char *file, const char *field, const char *want, const char *got)
{
    char *w = fc_html_text(want), *g = fc_html_text(got);
    bool eq = strcmp(w, g) == 0;
    free(w);
    free(g);
    return fc_result(a, file, field, eq, want, got);
}

/* Compares strings exactly after trimming (URLs, ids, codes). */
static __attribute__((unused)) bool
fc_exact(struct fc_area *a, const char *file, const char *field, const char *want, const char *got)
{
    char *w = fc_fold(want), *g = fc_fold(got);
    bool eq = strcmp(w, g) == 0;
    free(w);
    free(g);
    return fc_result(a, file, field, eq, want, got);
}

/* Compares the length of the expected list want (items, entries) with
 * the number of items of fd (NULL: none) as field. */
static __attribute__((unused)) bool
fc_count(struct fc_area *a, const char *file, const char *field, const json_t *want,
         const struct mld_feed *fd)
{
    char want_n[16], got_n[16];
    snprintf(want_n, sizeof(want_n), "%zu", json_array_size(want));
    snprintf(got_n, sizeof(got_n), "%d", fd ? fd->nitems : 0);
    return fc_exact(a, file, field, want_n, got_n);
}

/* Item i of fd, or NULL when fd is NULL or has fewer items. */
static __attribute__((unused)) const struct mld_feed_item *
fc_item_at(const struct mld_feed *fd, size_t i)
{
    return fd && (int)i < fd->nitems ? &fd->items[i] : NULL;
}

/* A URL in the form URL parsers give it: scheme and host in lower case,
 * "/" for an empty path ("http://a.example" -> "http://a.example/"); a
 * new string. Anything that is not http(s) is only folded. */
static __attribute__((unused)) char *
fc_url_norm(const char *u)
{
    char *r = fc_fold(u);
    char *p = strstr(r, "://");
    if (p == NULL || (strncasecmp(r, "http", 4) != 0))
        return r;
    for (char *q = r; q < p; q++)
        *q = (char)tolower((unsigned char)*q);
    char *host = p + 3, *end = host + strcspn(host, "/?#");
    for (char *q = host; q < end; q++)
        *q = (char)tolower((unsigned char)*q);
    if (*end != '/') {
        size_t n = strlen(r);
        char *t = malloc(n + 2);
        size_t at = (size_t)(end - r);
        memcpy(t, r, at);
        t[at] = '/';
        memcpy(t + at + 1, r + at, n - at + 1);
        free(r);
        r = t;
    }
    return r;
}

/* True when two URLs are the same after fc_url_norm. */
static __attribute__((unused)) bool
fc_url_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    char *x = fc_url_norm(a), *y = fc_url_norm(b);
    bool eq = strcmp(x, y) == 0;
    free(x);
    free(y);
    return eq;
}

/* Compares URLs (see fc_url_norm). */
static __attribute__((unused)) bool
fc_url(struct fc_area *a, const char *file, const char *field, const char *want, const char *got)
{
    return fc_result(a, file, field, fc_url_eq(want, got), want, got);
}

/* Compares language tags, ignoring case ("en-us" is "en-US"). */
static __attribute__((unused)) bool
fc_lang(struct fc_area *a, const char *file, const char *field, const char *want, const char *got)
{
    bool eq = want && got ? strcasecmp(want, got) == 0 : want == got;
    return fc_result(a, file, field, eq, want, got);
}

/* Compares a date given as text with an instant (0 = none). iso: the
 * expected text is RFC 3339 (read with mld_time_parse_iso, independent of
 * the feed date parser); else it is the feed's raw date, read as meldung's
 * feed reader does. A raw date meldung cannot read counts as a
 * disagreement when it should have given one. */
static __attribute__((unused)) bool
fc_date(struct fc_area *a, const char *file, const char *field, const char *want, bool iso,
        mld_time_t got)
{
    char gots[MLD_TIME_ISO_LEN + 1] = "";
    if (got != 0)
        mld_time_format_iso(got, gots);
    mld_time_t w = 0;
    bool read = want != NULL && (iso ? mld_time_parse_iso(want, strlen(want), &w) == 0
                                     : mld_feed_parse_date(want, strlen(want), &w) == 0);
    if (want == NULL || *want == '\0')
        return fc_result(a, file, field, got == 0, want, got ? gots : NULL);
    return fc_result(a, file, field, read && w == got, want, got ? gots : NULL);
}

/* The names of a JSON array of person objects ({"name": ...}), ", "-joined
 * in order without duplicates; a new string (malloc), NULL when none has a
 * name. */
static __attribute__((unused)) char *
fc_names(const json_t *people)
{
    struct mld_buf b;
    mld_buf_init(&b, 1u << 20);
    size_t i;
    const json_t *p;
    json_array_foreach(people, i, p)
    {
        const char *n = fc_jstr(p, "name");
        if (n == NULL)
            continue;
        char *f = fc_fold(n);
        if (*f != '\0' && (b.p == NULL || strstr(b.p, f) == NULL)) {
            if (b.len > 0)
                mld_buf_puts(&b, ", ");
            mld_buf_puts(&b, f);
        }
        free(f);
    }
    char *r = b.len ? strdup(b.p) : NULL;
    mld_buf_dispose(&b);
    return r;
}

/* Compares the categories of an article ("tag:X") with the list want of
 * terms (a JSON array of strings, possibly NULL), as sets. */
static __attribute__((unused)) bool
fc_tags(struct fc_area *a, const char *file, const char *field, const json_t *want,
        const struct mld_article *art)
{
    struct mld_buf w, g;
    mld_buf_init(&w, 1u << 20);
    mld_buf_init(&g, 1u << 20);
    int nw = 0, found = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(want, i, v)
    {
        if (!json_is_string(v))
            continue;
        char *f = fc_fold(json_string_value(v));
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const json_t *o = json_array_get(want, k);
            char *of = fc_fold(json_is_string(o) ? json_string_value(o) : NULL);
            seen = strcmp(of, f) == 0;
            free(of);
        }
        if (*f == '\0' || seen) {
            free(f);
            continue;
        }
        mld_buf_printf(&w, "%s%s", nw ? "|" : "", f);
        nw++;
        for (int k = 0; art != NULL && k < art->ncategories; k++)
            if (strncmp(art->categories[k], "tag:", 4) == 0 &&
                fc_text_eq(f, art->categories[k] + 4)) {
                found++;
                break;
            }
        free(f);
    }
    int ng = 0;
    for (int k = 0; art != NULL && k < art->ncategories; k++)
        if (strncmp(art->categories[k], "tag:", 4) == 0)
            mld_buf_printf(&g, "%s%s", ng++ ? "|" : "", art->categories[k] + 4);
    bool eq = found == nw && ng == found;
    bool r = fc_result(a, file, field, eq, w.p ? w.p : "", g.p ? g.p : "");
    mld_buf_dispose(&w);
    mld_buf_dispose(&g);
    return r;
}

/* The media object of art with URL url, or NULL. */
static __attribute__((unused)) const struct mld_media *
fc_media(const struct mld_article *art, const char *url)
{
    for (int i = 0; art != NULL && url != NULL && i < art->nmedia; i++) {
        if (fc_url_eq(art->media[i].url, url))
            return &art->media[i];
        /* Sizes of one picture are renditions of one media object. */
        for (int k = 0; k < art->media[i].nrenditions; k++)
            if (fc_url_eq(art->media[i].renditions[k].url, url))
                return &art->media[i];
    }
    return NULL;
}

/* The link of the model with rel (NULL: any), or NULL. */
static __attribute__((unused)) const struct mld_feed_link *
fc_link(const struct mld_feed_link *v, int n, const char *href, const char *rel)
{
    for (int i = 0; i < n; i++)
        if ((href == NULL || fc_url_eq(v[i].href, href)) &&
            (rel == NULL || strcmp(v[i].rel, rel) == 0))
            return &v[i];
    return NULL;
}

/* The name of the model's text type, in MIME terms. */
static __attribute__((unused)) const char *
fc_type_name(const struct mld_feed_text *t)
{
    if (!t->present)
        return NULL;
    switch (t->type) {
    case MLD_FEED_PLAIN: return "text/plain";
    case MLD_FEED_HTML: return "text/html";
    case MLD_FEED_XHTML: return "application/xhtml+xml";
    }
    return "?";
}

/* Walking a folder ---------------------------------------------------------- */

static __attribute__((unused)) int
fc_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the regular files in dir ending in suffix, sorted
 * (NULL-terminated; free with fc_names_free). */
static __attribute__((unused)) char **
fc_list(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    char **v = calloc(1, sizeof(*v));
    int n = 0;
    struct dirent *e;
    size_t sl = strlen(suffix);
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (e->d_name[0] == '.' || nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        v = realloc(v, (size_t)(n + 2) * sizeof(*v));
        v[n++] = strdup(e->d_name);
        v[n] = NULL;
    }
    if (d != NULL)
        closedir(d);
    qsort(v, (size_t)n, sizeof(*v), fc_cmp_names);
    return v;
}

static __attribute__((unused)) void
fc_list_free(char **v)
{
    for (int i = 0; v != NULL && v[i] != NULL; i++)
        free(v[i]);
    free(v);
}

/* True when path is an existing regular file. */
static __attribute__((unused)) bool
fc_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

#endif
