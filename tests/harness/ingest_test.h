/*
 * ingest_test.h - what the unit tests of the wire parsers share,
 * header-only.
 *
 * A sink that keeps every article in a list; a parse call naming its
 * source; the golden runner (NAME.EXT parsed and dumped field by field
 * against NAME.expected, MLD_GOLDEN_UPDATE=1 rewrites the .expected files
 * instead, for review); corpus walks (every file of a folder read, parsed
 * and handed to a callback); the error checks (code, "source: " prefix,
 * a piece of the message), one case at a time or as a table; predicates on
 * articles and bodies; small file helpers for tests that write files.
 *
 * Include it after the .c under test, like test.h, which it includes.
 * Every function is static and marked unused, so a test takes what it
 * calls and nothing else.
 */
#ifndef MLD_INGEST_TEST_H
#define MLD_INGEST_TEST_H

#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../src/base/buf.h"
#include "../../src/base/limits.h"
#include "../../src/base/mem.h"
#include "../../src/base/time.h"
#include "../../src/ingest/ingest.h"
#include "../../src/ingest/sanitize.h"
#include "test.h"

/* Collecting sink -------------------------------------------------------- */

/* The articles a parse handed over, in order. */
struct mld_test_list {
    struct mld_article **v;
    int n;
    int stop_after; /* > 0: the sink answers MLD_E_STORE once this many were taken */
};

/* The sink (an mld_article_sink_fn): appends a to the struct mld_test_list
 * ud, and stops the parse once stop_after articles were taken. */
static __attribute__((unused)) int
mld_test_keep(void *ud, struct mld_article *a)
{
    struct mld_test_list *l = ud;
    l->v = realloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = a;
    if (l->stop_after > 0 && l->n >= l->stop_after)
        return MLD_E_STORE;
    return 0;
}

/* Frees the articles of l and empties it (stop_after stays). */
static __attribute__((unused)) void
mld_test_list_free(struct mld_test_list *l)
{
    for (int i = 0; i < l->n; i++)
        mld_article_free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Parses doc[0..len) with f as a document called source, adding the
 * articles to l. Clears err first; returns the parser's result. */
static __attribute__((unused)) int
mld_test_parse(const struct mld_format *f, const char *doc, size_t len, const char *source,
               struct mld_test_list *l, struct mld_err *err)
{
    mld_err_clear(err);
    struct mld_source src = {.name = source};
    return f->parse(doc, len, &src, mld_test_keep, l, err);
}

/* The enum name of an error code, "MLD_E_PARSE", or "MLD_OK". */
static __attribute__((unused)) const char *
mld_test_code_name(int code)
{
    switch (code) {
#define MLD_TEST_CODE_(name, num, str) \
    case num: return "MLD_E_" #name;
        MLD_ERR_MAP(MLD_TEST_CODE_)
#undef MLD_TEST_CODE_
    }
    return "MLD_OK";
}

/* Files and folders ---------------------------------------------------------- */

/* True when name ends in ext (".xml") after at least one other byte; any
 * name when ext is NULL. */
static __attribute__((unused)) bool
mld_test_has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = ext ? strlen(ext) : 0;
    return ext == NULL || (n > e && strcmp(name + n - e, ext) == 0);
}

static __attribute__((unused)) int
mld_test_cmp_names_(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir ending in ext (see mld_test_has_ext), sorted, without
 * those starting with '.'. Sets *names (free with mld_test_names_free) and
 * returns the count, or -1 when dir cannot be opened. */
static __attribute__((unused)) int
mld_test_names(const char *dir, const char *ext, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !mld_test_has_ext(e->d_name, ext))
            continue;
        *names = realloc(*names, (size_t)(n + 1) * sizeof(**names));
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(*names, (size_t)n, sizeof(**names), mld_test_cmp_names_);
    return n;
}

/* Frees what mld_test_names returned. */
static __attribute__((unused)) void
mld_test_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* True when the file at the printf-style path exists. */
static __attribute__((format(printf, 1, 2), unused)) bool
mld_test_exists(const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    struct stat st;
    return stat(path, &st) == 0;
}

/* True when the file at the printf-style path holds exactly want[0..len). */
static __attribute__((format(printf, 3, 4), unused)) bool
mld_test_file_is(const char *want, size_t want_len, const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    size_t len;
    char *got = mld_test_slurp(path, &len);
    bool same = got != NULL && len == want_len && memcmp(got, want, len) == 0;
    free(got);
    return same;
}

static __attribute__((unused)) int
mld_test_rm_one_(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes path and everything below it (rm -rf); 0 or -1. */
static __attribute__((unused)) int
mld_test_rmtree(const char *path)
{
    return nftw(path, mld_test_rm_one_, 16, FTW_DEPTH | FTW_PHYS);
}

/* One document read from a file and parsed ------------------------------ */

struct mld_test_doc {
    const char *name;       /* the file name, also the source name of the parse */
    const char *path;       /* where it was read */
    char *doc;              /* the bytes, NUL-terminated; NULL when unreadable */
    size_t len;             /* their count */
    int rc;                 /* the parse's result (0 when not parsed) */
    struct mld_err err;     /* its error */
    struct mld_test_list l; /* its articles */
};

/* Reads path into d and, when f is not NULL, parses it with f as a
 * document called name. An unreadable file gives rc MLD_E_IO. Returns
 * d->rc; free with mld_test_doc_dispose. */
static __attribute__((unused)) int
mld_test_doc_load(struct mld_test_doc *d, const struct mld_format *f, const char *path,
                  const char *name)
{
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->path = path;
    d->doc = mld_test_slurp(path, &d->len);
    if (d->doc == NULL)
        d->rc = mld_err_set(&d->err, MLD_E_IO, "%s: cannot be read", path);
    else if (f != NULL)
        d->rc = mld_test_parse(f, d->doc, d->len, name, &d->l, &d->err);
    return d->rc;
}

/* Frees the bytes and articles of d. */
static __attribute__((unused)) void
mld_test_doc_dispose(struct mld_test_doc *d)
{
    mld_test_list_free(&d->l);
    free(d->doc);
    d->doc = NULL;
}

/* Calls each(d, ud) for every file of dir whose name ends in ext, in name
 * order, read and (f not NULL) parsed by mld_test_doc_load; goes down
 * depth levels of subfolders. Names starting with '.' are passed over.
 * Returns the number of files, or -1 when dir cannot be opened. */
static __attribute__((unused)) int
mld_test_walk(const struct mld_format *f, const char *dir, const char *ext, int depth,
              void (*each)(struct mld_test_doc *d, void *ud), void *ud)
{
    char **names;
    int n = mld_test_names(dir, depth > 0 ? NULL : ext, &names);
    if (n < 0)
        return -1;
    int files = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat st;
        if (depth > 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            int sub = mld_test_walk(f, path, ext, depth - 1, each, ud);
            files += sub > 0 ? sub : 0;
        } else if (mld_test_has_ext(names[i], ext)) {
            struct mld_test_doc d;
            mld_test_doc_load(&d, f, path, names[i]);
            each(&d, ud);
            mld_test_doc_dispose(&d);
            files++;
        }
    }
    mld_test_names_free(names, n);
    return files;
}

/* mld_test_walk over the shared corpus folder sub (see mld_test_corpus),
 * with one check that it opens. Returns the number of files, or -1 when
 * the corpus is absent (nothing checked) or the folder does not open. */
static __attribute__((unused)) int
mld_test_walk_corpus(const struct mld_format *f, const char *sub, const char *ext, int depth,
                     void (*each)(struct mld_test_doc *d, void *ud), void *ud)
{
    const char *root = mld_test_corpus(sub);
    if (root == NULL)
        return -1;
    char dir[4096]; /* each may call mld_test_corpus, which reuses its buffer */
    snprintf(dir, sizeof(dir), "%s", root);
    int n = mld_test_walk(f, dir, ext, depth, each, ud);
    return ok(n >= 0, "open %s", dir) ? n : -1;
}

/* Golden dumps --------------------------------------------------------------- */

static __attribute__((unused)) void
mld_test_put_time_(struct mld_buf *b, const char *name, mld_time_t t)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    if (t == 0) {
        mld_buf_printf(b, "%s: -\n", name);
        return;
    }
    mld_time_format_iso(t, iso);
    mld_buf_printf(b, "%s: %s\n", name, iso);
}

static __attribute__((unused)) void
mld_test_put_str_(struct mld_buf *b, const char *name, const char *s)
{
    mld_buf_printf(b, "%s: ", name);
    if (s == NULL)
        mld_buf_puts(b, "(null)");
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '\n')
            mld_buf_puts(b, "\\n");
        else
            mld_buf_putc(b, *s);
    }
    mld_buf_putc(b, '\n');
}

static __attribute__((unused)) void
mld_test_put_list_(struct mld_buf *b, const char *name, char **v, int n)
{
    mld_buf_printf(b, "%s: ", name);
    for (int i = 0; i < n; i++)
        mld_buf_printf(b, "%s%s", i ? " | " : "", v[i]);
    mld_buf_putc(b, '\n');
}

/* Appends the fields of a to b, one "field: value" line each (newlines in
 * values as \n, NULL as (null), times in ISO form or -), then the date
 * source, hold reason and asides, and a "media:" line (each object with
 * kind, size, credit, alt and renditions) when media is true. */
static __attribute__((unused)) void
mld_test_dump(struct mld_buf *b, const struct mld_article *a, bool media)
{
    static const char *const status[] = {"usable", "withheld", "canceled", "held"};
    static const char *const sources[] = {"version", "modified", "created", "channel", "seen"};
    static const char *const kinds[] = {"other", "picture", "audio", "video"};
    mld_test_put_str_(b, "urn", a->urn);
    mld_buf_printf(b, "version: %lld\n", (long long)a->version);
    mld_test_put_time_(b, "version_created", a->version_created);
    mld_test_put_time_(b, "updated", a->updated);
    mld_test_put_str_(b, "entry_id", a->entry_id);
    mld_test_put_str_(b, "format", a->format);
    mld_test_put_str_(b, "pubstatus", status[a->pubstatus]);
    mld_test_put_time_(b, "embargo", a->embargo);
    mld_buf_printf(b, "urgency: %d\n", a->urgency);
    const char *const text[][2] = {
        {"signal", a->signal},     {"lang", a->lang},     {"kicker", a->kicker},
        {"headline", a->headline}, {"teaser", a->teaser}, {"byline", a->byline},
        {"dateline", a->dateline}, {"credit", a->credit}, {"body_html", a->body_html},
        {"text", a->text},
    };
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        mld_test_put_str_(b, text[i][0], text[i][1]);
    mld_test_put_list_(b, "categories", a->categories, a->ncategories);
    mld_test_put_list_(b, "topics", a->topics, a->ntopics);
    mld_buf_printf(b, "date_source: %s\n", sources[a->date_source]);
    mld_test_put_str_(b, "hold_reason", a->hold_reason);
    mld_test_put_str_(b, "aside_html", a->aside_html);
    if (!media)
        return;
    mld_buf_puts(b, "media: ");
    for (int i = 0; i < a->nmedia; i++) {
        const struct mld_media *m = &a->media[i];
        mld_buf_printf(b, "%s%s (%s) %s", i ? " | " : "", m->url, m->type ? m->type : "-",
                       m->caption ? m->caption : "-");
        mld_buf_printf(b, " [%s %dx%d credit=%s alt=%s", kinds[m->kind], m->width, m->height,
                       m->credit ? m->credit : "-", m->alt ? m->alt : "-");
        for (int r = 0; r < m->nrenditions; r++)
            mld_buf_printf(b, " %s %dx%d", m->renditions[r].url, m->renditions[r].width,
                           m->renditions[r].height);
        mld_buf_putc(b, ']');
    }
    mld_buf_putc(b, '\n');
}

/* One check: got and want agree line by line. Each line is "field: value",
 * so a mismatch names its field (the first six are printed). */
static __attribute__((unused)) void
mld_test_compare_lines(const char *name, const char *got, const char *want)
{
    int line = 0, bad = 0;
    const char *g = got, *w = want;
    while (*g != '\0' || *w != '\0') {
        line++;
        const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
        size_t gn = ge ? (size_t)(ge - g) : strlen(g), wn = we ? (size_t)(we - w) : strlen(w);
        if (gn != wn || memcmp(g, w, gn) != 0) {
            const char *colon = memchr(w, ':', wn);
            if (bad++ < 6)
                printf("# %s line %d (%.*s) differs\n#   got:  %.*s\n#   want: %.*s\n", name, line,
                       colon ? (int)(colon - w) : (int)wn, w, (int)gn, g, (int)wn, w);
        }
        g += gn + (ge != NULL);
        w += wn + (we != NULL);
    }
    ok(bad == 0, "golden %s: %d lines, %d differ", name, line, bad);
}

/* A folder of golden cases: NAME.EXT in, NAME.expected out. */
struct mld_test_golden {
    const struct mld_format *format; /* the parser under test */
    const char *dir;                 /* "tests/golden/nitf" */
    const char *ext;                 /* of the inputs: ".xml" */
    const char *entry;               /* "--- entry 2" or "--- item 2" between articles */
    bool media;                      /* the dump has a media line */
    size_t min;                      /* fewer cases than this fail a check */
};

/* Runs every case of g: parses NAME.EXT, dumps each article (a separator
 * line before each when there are several or an error), then "error:" and
 * "message:" lines for an error, and compares with NAME.expected (one
 * check per case, plus one when a file is missing), then checks that there
 * are g->min cases at least. With MLD_GOLDEN_UPDATE in the environment it
 * rewrites NAME.expected instead. Returns the number of cases (0 after a
 * failed check when the folder cannot be opened). */
static __attribute__((unused)) size_t
mld_test_golden_run(const struct mld_test_golden *g)
{
    char **names;
    int n = mld_test_names(g->dir, g->ext, &names);
    if (!ok(n >= 0, "open %s", g->dir))
        n = 0;
    size_t ext_len = strlen(g->ext);
    for (int i = 0; i < n; i++) {
        char path[512], expected[512];
        size_t doc_len;
        snprintf(path, sizeof(path), "%s/%s", g->dir, names[i]);
        snprintf(expected, sizeof(expected), "%s/%.*s.expected", g->dir,
                 (int)(strlen(names[i]) - ext_len), names[i]);
        char *doc = mld_test_slurp(path, &doc_len);
        char *want = mld_test_slurp(expected, NULL);
        if (!ok(doc != NULL && want != NULL, "golden %s: input and expected present", names[i])) {
            free(doc);
            free(want);
            continue;
        }
        struct mld_test_list l = {0};
        struct mld_err err;
        int rc = mld_test_parse(g->format, doc, doc_len, names[i], &l, &err);
        struct mld_buf got;
        mld_buf_init(&got, MLD_MAX_DOC_BYTES);
        for (int k = 0; k < l.n; k++) {
            if (l.n > 1 || rc != 0)
                mld_buf_printf(&got, "--- %s %d\n", g->entry, k + 1);
            mld_test_dump(&got, l.v[k], g->media);
        }
        if (rc != 0)
            mld_buf_printf(&got, "error: %s\nmessage: %s\n", mld_test_code_name(rc), err.msg);
        if (getenv("MLD_GOLDEN_UPDATE") != NULL) {
            /* Rewrites NAME.expected from the parser: review the diff. */
            FILE *out = fopen(expected, "w");
            if (out != NULL) {
                fputs(got.p ? got.p : "", out);
                fclose(out);
            }
        } else {
            mld_test_compare_lines(names[i], got.p ? got.p : "", want);
        }
        mld_buf_dispose(&got);
        mld_test_list_free(&l);
        free(doc);
        free(want);
    }
    mld_test_names_free(names, n);
    ok((size_t)n >= g->min, "%d golden cases", n);
    return (size_t)n;
}

/* Malformed input ------------------------------------------------------------ */

/* One document that must be refused. */
struct mld_test_bad {
    const char *doc;    /* NUL-terminated */
    int code;           /* the MLD_E_* code wanted */
    const char *needle; /* the message holds this, or NULL */
    const char *name;   /* names the check */
};

/* The parser under test, for the error checks. */
struct mld_test_refuse {
    const struct mld_format *format;
    const char *source; /* the document's name: every message starts "source: " */
    bool none;          /* true: a refused document hands over no article at all */
};

/* One check: parsing doc[0..len) with r gives code, in the return value
 * and in err, with a message starting "source: " that holds needle (when
 * not NULL), and no article when r->none. */
static __attribute__((unused)) void
mld_test_refused(const struct mld_test_refuse *r, const char *doc, size_t len, int code,
                 const char *needle, const char *name)
{
    struct mld_test_list l = {0};
    struct mld_err err;
    int rc = mld_test_parse(r->format, doc, len, r->source, &l, &err);
    size_t sn = strlen(r->source);
    bool good = rc == code && err.code == code && strncmp(err.msg, r->source, sn) == 0 &&
                strncmp(err.msg + sn, ": ", 2) == 0 &&
                (needle == NULL || strstr(err.msg, needle) != NULL) && (!r->none || l.n == 0);
    if (!ok(good, "%s: %s", name, mld_test_code_name(code)))
        diag("rc %d (%s), message: %s", rc, mld_test_code_name(rc), err.msg);
    mld_test_list_free(&l);
}

/* mld_test_refused for each of the n cases of a table. */
static __attribute__((unused)) void
mld_test_refused_all(const struct mld_test_refuse *r, const struct mld_test_bad *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mld_test_refused(r, cases[i].doc, strlen(cases[i].doc), cases[i].code, cases[i].needle,
                         cases[i].name);
}

/* Sets b (initialised by the caller) to head, n copies of open, n copies
 * of close, then tail: deep nesting ("<div>", "</div>") or an oversized
 * field ("x", ""). */
static __attribute__((unused)) void
mld_test_build(struct mld_buf *b, const char *head, const char *open, const char *close, int n,
               const char *tail)
{
    mld_buf_reset(b);
    mld_buf_puts(b, head);
    for (int i = 0; i < n; i++)
        mld_buf_puts(b, open);
    for (int i = 0; i < n; i++)
        mld_buf_puts(b, close);
    mld_buf_puts(b, tail);
}

/* One check: "billion laughs" (entities l1..l9 of ten references each to
 * the one before, declared for the root element root, &l9; used in body)
 * is refused with MLD_E_PARSE at once, nothing expanded, no article. */
static __attribute__((unused)) void
mld_test_laughs(const struct mld_test_refuse *r, const char *root, const char *body)
{
    struct mld_buf b;
    mld_buf_init(&b, 1 << 16);
    mld_buf_printf(&b, "<?xml version=\"1.0\"?><!DOCTYPE %s [<!ENTITY l0 \"lol\">", root);
    for (int i = 1; i <= 9; i++) {
        mld_buf_printf(&b, "<!ENTITY l%d \"", i);
        for (int k = 0; k < 10; k++)
            mld_buf_printf(&b, "&l%d;", i - 1);
        mld_buf_puts(&b, "\">");
    }
    mld_buf_printf(&b, "]>%s", body);
    clock_t t0 = clock();
    struct mld_test_list l = {0};
    struct mld_err err;
    int rc = mld_test_parse(r->format, b.p, b.len, r->source, &l, &err);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ok(rc == MLD_E_PARSE && l.n == 0 && secs < 0.5, "billion laughs: refused in %.3f s (%s)", secs,
       err.msg);
    mld_test_list_free(&l);
    mld_buf_dispose(&b);
}

/* Sniffing ------------------------------------------------------------------- */

/* A document and whether the sniffer should take it. */
struct mld_test_sniff {
    const char *doc; /* NUL-terminated */
    bool want;
};

/* One check per case: f's sniffer answers want; what names the format in
 * the checks ("sniff 3: not NITF"). */
static __attribute__((unused)) void
mld_test_sniffs(const struct mld_format *f, const char *what, const struct mld_test_sniff *cases,
                size_t n)
{
    for (size_t i = 0; i < n; i++)
        ok(f->sniff(cases[i].doc, strlen(cases[i].doc)) == cases[i].want, "sniff %zu: %s%s", i,
           cases[i].want ? "" : "not ", what);
}

/* Articles and bodies -------------------------------------------------------- */

/* One check: the ISO form of got is want. */
static __attribute__((unused)) void
mld_test_time_is(mld_time_t got, const char *want, const char *name)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(got, iso);
    is_str(iso, want, "%s", name);
}

/* True when a has the category c. */
static __attribute__((unused)) bool
mld_test_has_category(const struct mld_article *a, const char *c)
{
    for (int i = 0; i < a->ncategories; i++)
        if (strcmp(a->categories[i], c) == 0)
            return true;
    return false;
}

/* True when some text field of a holds s: the text fields, the ids,
 * categories, topics and media captions. */
static __attribute__((unused)) bool
mld_test_article_holds(const struct mld_article *a, const char *s)
{
    const char *fields[] = {a->kicker,   a->headline,  a->teaser, a->byline,
                            a->dateline, a->body_html, a->text,   a->credit,
                            a->signal,   a->entry_id,  a->urn};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i] != NULL && strstr(fields[i], s) != NULL)
            return true;
    for (int i = 0; i < a->ncategories; i++)
        if (strstr(a->categories[i], s) != NULL)
            return true;
    for (int i = 0; i < a->ntopics; i++)
        if (strstr(a->topics[i], s) != NULL)
            return true;
    for (int i = 0; i < a->nmedia; i++)
        if (a->media[i].caption != NULL && strstr(a->media[i].caption, s) != NULL)
            return true;
    return false;
}

/* Adds the e-mail addresses and phone numbers ("+49 30 ...") found in text
 * to secrets (pieces of up to 95 bytes), up to max in all; n is the count
 * already there. Returns the new count. */
static __attribute__((unused)) int
mld_test_scan_secrets(const char *text, char secrets[][96], int n, int max)
{
    for (const char *p = text; *p != '\0' && n < max; p++) {
        const char *start, *end;
        if (*p == '@') {
            start = p;
            while (start > text && (isalnum((unsigned char)start[-1]) || start[-1] == '.' ||
                                    start[-1] == '-' || start[-1] == '_'))
                start--;
            end = p + 1;
            while (isalnum((unsigned char)*end) || *end == '.' || *end == '-')
                end++;
            while (end > p + 1 && end[-1] == '.')
                end--;
            if (start == p || end == p + 1)
                continue;
        } else if (p[0] == '+' && isdigit((unsigned char)p[1])) {
            start = p;
            end = p + 1;
            while (isdigit((unsigned char)*end) || *end == ' ' || *end == '/' || *end == '-')
                end++;
            while (end > start && !isdigit((unsigned char)end[-1]))
                end--;
            if (end - start < 8)
                continue;
        } else {
            continue;
        }
        size_t len = (size_t)(end - start);
        if (len < 96) {
            memcpy(secrets[n], start, len);
            secrets[n][len] = '\0';
            n++;
        }
        p = end - 1;
    }
    return n;
}

/* True when no tag of html is one the sanitiser drops or carries an
 * attribute it drops (escaped text may say anything). */
static __attribute__((unused)) bool
mld_test_tags_safe(const char *html)
{
    static const char *const bad[] = {
        "<script", "<style",  "<iframe", "<section",    "<span",  "<div",
        "class=",  "style=",  " on",     "javascript:", "<media", "<block",
        "<hl",     "<person", "xmlns",   "<note",       ":"};
    for (const char *p = html ? strchr(html, '<') : NULL; p != NULL; p = strchr(p + 1, '<')) {
        const char *e = strchr(p, '>');
        if (e == NULL)
            return false;
        size_t n = (size_t)(e - p);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            const char *hit = memmem(p, n, bad[i], strlen(bad[i]));
            /* A colon is fine in a link's URL only. */
            if (hit != NULL && !(bad[i][0] == ':' && memmem(p, n, "href=", 5) != NULL))
                return false;
        }
    }
    return true;
}

/* The text of an HTML body as paragraphs: each line of mld_html_to_text
 * with whitespace runs folded, empty lines dropped, joined by "\n". A new
 * string (free()). */
static __attribute__((unused)) char *
mld_test_paragraphs(const char *html)
{
    struct mld_err e = {0};
    char *text = html ? mld_html_to_text(html, strlen(html), &e) : NULL;
    size_t n = text ? strlen(text) : 0, o = 0;
    char *out = malloc(n + 1);
    bool space = false, line_has = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        bool nbsp = ch == 0xc2 && (unsigned char)text[i + 1] == 0xa0;
        if (ch == '\n') {
            if (line_has)
                out[o++] = '\n';
            line_has = space = false;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || nbsp) {
            space = line_has;
            i += nbsp;
        } else {
            if (space)
                out[o++] = ' ';
            space = false;
            line_has = true;
            out[o++] = (char)ch;
        }
    }
    while (o > 0 && (out[o - 1] == '\n' || out[o - 1] == ' '))
        o--;
    out[o] = '\0';
    mld_free(text);
    return out;
}

#endif
