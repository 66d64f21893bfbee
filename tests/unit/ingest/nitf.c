/*
 * tests/unit/ingest/nitf.c - the NITF parser.
 *
 * Checks: the golden fixtures in tests/golden/nitf (NAME.xml parsed and
 * dumped field by field against NAME.expected; MLD_GOLDEN_UPDATE=1 in the
 * environment rewrites the .expected files instead, for review); every NITF file of the
 * shared corpus parses, with spot checks (nitf-fishing is canceled, AP's
 * id-less file gets a made-up urn, ...); the s3push pair: the digitalwires
 * JSON (through mld_format_dpa) and dpa's NITF of the same article give
 * the same urn, headline, kicker, teaser, urgency and body paragraphs,
 * tolerating the one documented difference (the dateline merged into the
 * first NITF paragraph); malformed and hostile input (truncated, XXE,
 * billion laughs, deep nesting, wrong root); the sniffer and detection.
 */
#include "../../../src/ingest/nitf.c"

#include <dirent.h>
#include <time.h>

#include "../../../src/base/buf.h"

#include "test.h"

/* A sink that keeps every article in a growing list. */
struct list {
    struct mld_article **v;
    int n;
    int stop_after; /* > 0: return MLD_E_STORE once this many were taken */
};

static int
keep(void *ud, struct mld_article *a)
{
    struct list *l = ud;
    l->v = realloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = a;
    if (l->stop_after > 0 && l->n >= l->stop_after)
        return MLD_E_STORE;
    return 0;
}

static void
list_free(struct list *l)
{
    for (int i = 0; i < l->n; i++)
        mld_article_free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int
parse_with(const struct mld_format *f, const char *doc, size_t len, const char *source,
           struct list *l, struct mld_err *err)
{
    mld_err_clear(err);
    struct mld_source src = {.name = source};
    return f->parse(doc, len, &src, keep, l, err);
}

static int
parse_str(const char *doc, size_t len, const char *source, struct list *l, struct mld_err *err)
{
    return parse_with(&mld_format_nitf, doc, len, source, l, err);
}

static const char *
code_name_of(int code)
{
    switch (code) {
#define X_(name, num, str) \
    case num: return "MLD_E_" #name;
        MLD_ERR_MAP(X_)
#undef X_
    }
    return "MLD_OK";
}

/* Golden dumps --------------------------------------------------------------- */

static void
put_time(struct mld_buf *b, const char *name, mld_time_t t)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    if (t == 0) {
        mld_buf_printf(b, "%s: -\n", name);
        return;
    }
    mld_time_format_iso(t, iso);
    mld_buf_printf(b, "%s: %s\n", name, iso);
}

static void
put_str(struct mld_buf *b, const char *name, const char *s)
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

static void
put_list(struct mld_buf *b, const char *name, char **v, int n)
{
    mld_buf_printf(b, "%s: ", name);
    for (int i = 0; i < n; i++)
        mld_buf_printf(b, "%s%s", i ? " | " : "", v[i]);
    mld_buf_putc(b, '\n');
}

static void
dump(struct mld_buf *b, const struct mld_article *a)
{
    static const char *const status[] = {"usable", "withheld", "canceled"};
    put_str(b, "urn", a->urn);
    mld_buf_printf(b, "version: %lld\n", (long long)a->version);
    put_time(b, "version_created", a->version_created);
    put_time(b, "updated", a->updated);
    put_str(b, "entry_id", a->entry_id);
    put_str(b, "format", a->format);
    put_str(b, "pubstatus", status[a->pubstatus]);
    put_time(b, "embargo", a->embargo);
    mld_buf_printf(b, "urgency: %d\n", a->urgency);
    put_str(b, "signal", a->signal);
    put_str(b, "lang", a->lang);
    put_str(b, "kicker", a->kicker);
    put_str(b, "headline", a->headline);
    put_str(b, "teaser", a->teaser);
    put_str(b, "byline", a->byline);
    put_str(b, "dateline", a->dateline);
    put_str(b, "credit", a->credit);
    put_str(b, "body_html", a->body_html);
    put_str(b, "text", a->text);
    put_list(b, "categories", a->categories, a->ncategories);
    put_list(b, "topics", a->topics, a->ntopics);
    mld_buf_puts(b, "media: ");
    for (int i = 0; i < a->nmedia; i++)
        mld_buf_printf(b, "%s%s (%s) %s", i ? " | " : "", a->media[i].url,
                       a->media[i].type ? a->media[i].type : "-",
                       a->media[i].caption ? a->media[i].caption : "-");
    mld_buf_putc(b, '\n');
}

/* Compares got and want line by line; each line is "field: value", so a
 * mismatch names its field. */
static void
compare_lines(const char *name, const char *got, const char *want)
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

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every NAME.xml of dir through f and compares the dump with
 * NAME.expected. Returns the number of cases. */
static size_t
run_golden(const struct mld_format *f, const char *dir)
{
    DIR *d = opendir(dir);
    if (!ok(d != NULL, "open %s", dir))
        return 0;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".xml") == 0) {
            names = realloc(names, (n + 1) * sizeof(*names));
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        size_t doc_len;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *doc = mld_test_slurp(path, &doc_len);
        snprintf(path + strlen(path) - 4, 16, ".expected");
        char *want = mld_test_slurp(path, NULL);
        if (!ok(doc != NULL && want != NULL, "golden %s: input and expected present", names[i])) {
            free(doc);
            free(want);
            free(names[i]);
            continue;
        }
        struct list l = {0};
        struct mld_err err;
        int rc = parse_with(f, doc, doc_len, names[i], &l, &err);
        struct mld_buf got;
        mld_buf_init(&got, MLD_MAX_DOC_BYTES);
        for (int k = 0; k < l.n; k++) {
            if (l.n > 1 || rc != 0)
                mld_buf_printf(&got, "--- item %d\n", k + 1);
            dump(&got, l.v[k]);
        }
        if (rc != 0)
            mld_buf_printf(&got, "error: %s\nmessage: %s\n", code_name_of(rc), err.msg);
        if (getenv("MLD_GOLDEN_UPDATE") != NULL) {
            /* Rewrites NAME.expected from the parser: review the diff. */
            FILE *out = fopen(path, "w");
            if (out != NULL) {
                fputs(got.p ? got.p : "", out);
                fclose(out);
            }
        } else {
            compare_lines(names[i], got.p ? got.p : "", want);
        }
        mld_buf_dispose(&got);
        list_free(&l);
        free(doc);
        free(want);
        free(names[i]);
    }
    free(names);
    return n;
}

static void
test_golden(void)
{
    size_t n = run_golden(&mld_format_nitf, "tests/golden/nitf");
    ok(n >= 6, "%zu golden cases", n);
}

/* Helpers for the corpus ----------------------------------------------------- */

/* True when no tag of html is one the sanitiser drops or carries an
 * attribute it drops (escaped text may say anything). */
static bool
body_safe(const char *html)
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
static char *
paragraphs_of(const char *html)
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

static bool
has_category(const struct mld_article *a, const char *c)
{
    for (int i = 0; i < a->ncategories; i++)
        if (strcmp(a->categories[i], c) == 0)
            return true;
    return false;
}

static void
time_is(mld_time_t got, const char *want, const char *name)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(got, iso);
    is_str(iso, want, "%s", name);
}

/* The shared corpus --------------------------------------------------------- */

static void
spot_checks(const char *file, const struct mld_article *a)
{
    if (strcmp(file, "nitf-fishing.xml") == 0) {
        is_int(a->pubstatus, MLD_PUB_CANCELED, "nitf-fishing: canceled");
        is_str(a->urn, "iptc.321656141.b", "nitf-fishing: urn from doc-id");
        is_int(a->urgency, 3, "nitf-fishing: urgency");
        time_is(a->version_created, "2002-02-25T19:30:00Z", "nitf-fishing: date.issue");
        is_int(a->embargo, 0, "nitf-fishing: no embargo (not embargoed)");
        ok(a->body_html && strstr(a->body_html, "<h2>The Tides are High</h2>"),
           "nitf-fishing: hl2 in the body is a subheading");
        ok(a->body_html && strstr(a->body_html, "<ul>") &&
               strstr(a->body_html, "<li><em>Deer Creek:</em>"),
           "nitf-fishing: lists and emphasis kept");
        ok(a->body_html && !strstr(a->body_html, "captured on film"),
           "nitf-fishing: media caption not in the body");
        ok(a->text && !strstr(a->text, "Stewart Klometers"), "nitf-fishing: body.end not read");
    } else if (strcmp(file, "ap-nitf.xml") == 0) {
        ok(a->urn && strncmp(a->urn, "urn:meldung:nitf:AP:", 20) == 0,
           "ap-nitf: no id-string, made-up urn %s", a->urn);
        is_str(a->headline, "Can trading pollution like stocks help fight climate change?",
               "ap-nitf: headline");
        is_str(a->byline, "By BERNARD CONDON", "ap-nitf: byline without byttl");
        is_str(a->dateline, "NEW YORK", "ap-nitf: dateline");
        is_str(a->credit, "The Associated Press", "ap-nitf: credit from distributor");
    } else if (strcmp(file, "efe_nitf.xml") == 0) {
        is_str(a->lang, "en-US", "efe: lang from baselang");
        is_str(a->urn, "22751909", "efe: urn");
        is_int(a->urgency, 5, "efe: urgency");
        ok(has_category(a, "subject:subj:11006005"), "efe: IPTC subject code");
        ok(has_category(a, "keyword:HONDURAS GOVERNMENT"), "efe: keyword");
        ok(a->dateline == NULL, "efe: a dateline of only story.date is no dateline");
    } else if (strcmp(file, "mapping_test.xml") == 0) {
        is_int(a->version, 4, "mapping_test: du-key version \"04\"");
        time_is(a->version_created, "2016-05-11T22:05:13Z", "mapping_test: ISO date.issue");
        is_int(a->urgency, 3, "mapping_test: urgency");
    } else if (strcmp(file, "nitf-ntb.xml") == 0) {
        is_int(a->version, 48, "ntb: du-key version");
        ok(a->body_html && strstr(a->body_html, "<h2>Påstand</h2>"),
           "ntb: hl2 -> h2 (Latin-1 read)");
    } else if (strcmp(file, "handle_invalid_fields.xml") == 0) {
        is_int(a->urgency, 2, "invalid fields: urgency from head/urgency");
        is_int(a->embargo, 0, "invalid fields: placeholder date.release ignored (usable)");
        is_str(a->byline, "Mia Rabson and Jordan Press", "invalid fields: byline person");
        ok(a->teaser == NULL, "invalid fields: abstract holding only media is no teaser");
        is_str(a->dateline, "Ottawa Ontario Canada", "invalid fields: dateline location");
    } else if (strcmp(file, "pa2.xml") == 0) {
        ok(a->body_html && strncmp(a->body_html, "<pre>International Match", 24) == 0,
           "pa2: pre kept");
        is_str(a->headline, "1 SOCCER INT-Teams", "pa2: headline from head/title");
    } else if (strcmp(file, "aap.xml") == 0) {
        is_str(a->urn, "AAP.115314987.5417374", "aap: urn");
        ok(a->teaser != NULL, "aap: abstract without p is a teaser");
    }
}

static void
test_corpus(void)
{
    const char *root = mld_test_corpus("superdesk-fixtures/nitf");
    if (root == NULL)
        return;
    char dirpath[4200];
    snprintf(dirpath, sizeof(dirpath), "%s", root);
    DIR *d = opendir(dirpath);
    if (!ok(d != NULL, "open %s", dirpath))
        return;
    int files = 0, parsed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
            continue;
        char path[4600];
        snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
        size_t len;
        char *doc = mld_test_slurp(path, &len);
        struct list l = {0};
        struct mld_err err;
        files++;
        ok(mld_format_detect(doc, len) == &mld_format_nitf, "%s: detected as NITF", e->d_name);
        int rc = parse_str(doc, len, e->d_name, &l, &err);
        if (!ok(rc == 0 && l.n == 1, "%s: parses", e->d_name))
            diag("%s", err.msg);
        for (int k = 0; k < l.n; k++) {
            const struct mld_article *a = l.v[k];
            parsed++;
            ok(a->urn && *a->urn && a->headline && *a->headline && a->version >= 1 &&
                   strcmp(a->format, "nitf") == 0,
               "%s: urn, headline, version, format", e->d_name);
            ok(body_safe(a->body_html), "%s: body sanitised", e->d_name);
            spot_checks(e->d_name, a);
        }
        list_free(&l);
        free(doc);
    }
    closedir(d);
    diag("superdesk NITF: %d files, %d parsed", files, parsed);
    ok(files == 9 && parsed == 9, "all 9 superdesk NITF files parse (%d of %d)", parsed, files);
}

/* Compares the digitalwires JSON and dpa's NITF of one article. */
static void
s3push_pair(const char *dir, const char *name)
{
    char path[4600];
    size_t jlen, xlen;
    snprintf(path, sizeof(path), "%s/input-%s.json", dir, name);
    char *json = mld_test_slurp(path, &jlen);
    snprintf(path, sizeof(path), "%s/nitf-%s.xml", dir, name);
    char *xml = mld_test_slurp(path, &xlen);
    struct list lj = {0}, lx = {0};
    struct mld_err err;
    int rj = json ? parse_with(&mld_format_dpa, json, jlen, "json", &lj, &err) : -1;
    int rx = xml ? parse_str(xml, xlen, "nitf", &lx, &err) : -1;
    if (!ok(rj == 0 && rx == 0 && lj.n == 1 && lx.n == 1, "s3push %s: both parse", name)) {
        diag("%s", err.msg);
        goto out_free;
    }
    const struct mld_article *j = lj.v[0], *x = lx.v[0];
    is_str(x->urn, j->urn, "s3push %s: dpa's NITF doc-id gives the digitalwires urn", name);
    is_str(x->headline, j->headline, "s3push %s: headline", name);
    is_str(x->kicker, j->kicker, "s3push %s: kicker (hl2 ShortHeadLine)", name);
    is_str(x->teaser, j->teaser, "s3push %s: teaser (abstract)", name);
    is_int(x->urgency, j->urgency, "s3push %s: urgency", name);
    /* Documented difference: dpa's NITF merges the dateline into the first
     * paragraph ("Emden (dpa) - Die ..."); digitalwires 0.5 keeps it in
     * its own field. So the JSON body gets its dateline put in front. */
    char *jp = paragraphs_of(j->body_html), *xp = paragraphs_of(x->body_html);
    size_t dn = j->dateline ? strlen(j->dateline) : 0;
    char *jd = malloc(strlen(jp) + dn + 1);
    snprintf(jd, strlen(jp) + dn + 1, "%s%s", j->dateline ? j->dateline : "", jp);
    is_str(xp, jd, "s3push %s: same body paragraphs once the dateline is put in front", name);
    ok(j->dateline && strncmp(xp, j->dateline, strlen(j->dateline) - 1) == 0,
       "s3push %s: the NITF body starts with the dateline", name);
    bool rubric = false;
    for (int i = 0; i < x->ncategories; i++)
        if (strncmp(x->categories[i], "rubric:", 7) == 0)
            rubric = has_category(j, x->categories[i]);
    ok(rubric, "s3push %s: the fixture is one of the digitalwires rubrics", name);
    ok(has_category(x, "desk:ku") && has_category(j, "desk:ku"), "s3push %s: desk from doc-scope",
       name);
    is_int(x->nmedia, 3 - (strcmp(name, "starline") == 0) * 2,
           "s3push %s: one media per NITF media element", name);
    free(jp);
    free(xp);
    free(jd);
out_free:
    list_free(&lj);
    list_free(&lx);
    free(json);
    free(xml);
}

static void
test_s3push(void)
{
    const char *root = mld_test_corpus("dpa-digitalwires/s3push-example");
    if (root == NULL)
        return;
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s", root);
    s3push_pair(dir, "infoline");
    s3push_pair(dir, "starline");
    /* The example converter's own NITF (not a dpa product) reads too. */
    for (int i = 0; i < 2; i++) {
        char path[4600];
        size_t len;
        snprintf(path, sizeof(path), "%s/transformed-%s.xml", dir, i ? "starline" : "infoline");
        char *doc = mld_test_slurp(path, &len);
        struct list l = {0};
        struct mld_err err;
        int rc = doc ? parse_str(doc, len, "transformed", &l, &err) : -1;
        ok(rc == 0 && l.n == 1, "s3push transformed-%s: parses (%s)", i ? "starline" : "infoline",
           rc ? err.msg : "ok");
        list_free(&l);
        free(doc);
    }
}

/* Malformed and hostile input --------------------------------------------- */

static void
expect_error(const char *doc, size_t len, int code, const char *needle, const char *name)
{
    struct list l = {0};
    struct mld_err err;
    int rc = parse_str(doc, len, "bad.xml", &l, &err);
    bool good = rc == code && err.code == code && strncmp(err.msg, "bad.xml: ", 9) == 0 &&
                (needle == NULL || strstr(err.msg, needle) != NULL) && l.n == 0;
    if (!ok(good, "%s: %s", name, code_name_of(code)))
        diag("rc %d (%s), message: %s", rc, code_name_of(rc), err.msg);
    list_free(&l);
}

#define EXPECT_ERROR(doc, code, needle, name) expect_error(doc, strlen(doc), code, needle, name)

static void
test_malformed(void)
{
    EXPECT_ERROR("<nitf><head><docdata><doc-id id-string=\"a\"/></docdata></head><body>",
                 MLD_E_PARSE, "line 1, column", "truncated XML");
    EXPECT_ERROR("", MLD_E_PARSE, NULL, "empty document");
    EXPECT_ERROR("<rss version=\"2.0\"><channel/></rss>", MLD_E_PARSE, "not NITF", "wrong root");
    EXPECT_ERROR(
        "<?xml version=\"1.0\"?><!DOCTYPE nitf [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
        "<body><body.head><hedline><hl1>&e;</hl1></hedline></body.head></body></nitf>",
        MLD_E_PARSE, "declares entities", "XXE: external entity refused");
    /* Billion laughs: refused at once, nothing expanded. */
    struct mld_buf b;
    mld_buf_init(&b, 1 << 16);
    mld_buf_puts(&b, "<?xml version=\"1.0\"?><!DOCTYPE nitf [<!ENTITY l0 \"lol\">");
    for (int i = 1; i <= 9; i++) {
        mld_buf_printf(&b, "<!ENTITY l%d \"", i);
        for (int k = 0; k < 10; k++)
            mld_buf_printf(&b, "&l%d;", i - 1);
        mld_buf_puts(&b, "\">");
    }
    mld_buf_puts(&b, "]><nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
                     "<body><body.content><p>&l9;</p></body.content></body></nitf>");
    clock_t t0 = clock();
    struct list l = {0};
    struct mld_err err;
    int rc = parse_str(b.p, b.len, "bad.xml", &l, &err);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ok(rc == MLD_E_PARSE && l.n == 0 && secs < 0.5, "billion laughs: refused in %.3f s (%s)", secs,
       err.msg);
    list_free(&l);
    /* A small declared entity is refused as well: nothing is expanded. */
    EXPECT_ERROR("<!DOCTYPE nitf [<!ENTITY a \"x\">]><nitf><head><docdata>"
                 "<doc-id id-string=\"x\"/></docdata></head></nitf>",
                 MLD_E_PARSE, "declares entities", "internal entity refused");
    /* 100-deep nesting. */
    mld_buf_reset(&b);
    mld_buf_puts(&b, "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head><body>"
                     "<body.content>");
    for (int i = 0; i < 100; i++)
        mld_buf_puts(&b, "<block>");
    for (int i = 0; i < 100; i++)
        mld_buf_puts(&b, "</block>");
    mld_buf_puts(&b, "</body.content></body></nitf>");
    expect_error(b.p, b.len, MLD_E_DEPTH, "nested deeper", "100-deep nesting");
    mld_buf_dispose(&b);
    /* Oversized headline. */
    size_t big = MLD_MAX_FIELD_BYTES + 200;
    char *doc = malloc(big + 256);
    size_t n = (size_t)snprintf(doc, big + 256,
                                "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
                                "<body><body.head><hedline><hl1>");
    memset(doc + n, 'x', MLD_MAX_FIELD_BYTES + 1);
    n += MLD_MAX_FIELD_BYTES + 1;
    n += (size_t)snprintf(doc + n, big + 256 - n, "</hl1></hedline></body.head></body></nitf>");
    expect_error(doc, n, MLD_E_TOOBIG, "hl1", "oversized headline");
    free(doc);
    expect_error("<nitf/>", MLD_MAX_DOC_BYTES + 1, MLD_E_TOOBIG, NULL, "oversized document");
    /* Invalid UTF-8 is not well-formed. */
    EXPECT_ERROR("<?xml version=\"1.0\" encoding=\"UTF-8\"?><nitf><head><title>\xff\xfe</title>"
                 "</head></nitf>",
                 MLD_E_PARSE, "line 1", "invalid UTF-8");
}

static void
test_misc(void)
{
    static const struct {
        const char *doc;
        bool want;
    } sniffs[] = {
        {"<nitf>", true},
        {"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE nitf SYSTEM \"x.dtd\">\n"
         "<nitf version=\"3.2\">",
         true},
        {"<!DOCTYPE nitf [ <!ELEMENT nitf ANY> ]><n:nitf xmlns:n=\"x\">", true},
        {"<?xml version=\"1.0\"?><newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\">", false},
        {"<rss><channel><description>&lt;nitf&gt;</description></channel></rss>", false},
        {"{\"urn\": \"<nitf>\"}", false},
        {"<nitfx>", false},
        {"<nit", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof(sniffs) / sizeof(sniffs[0]); i++)
        ok(mld_format_nitf.sniff(sniffs[i].doc, strlen(sniffs[i].doc)) == sniffs[i].want,
           "sniff %zu: %s", i, sniffs[i].want ? "NITF" : "not NITF");
    const char *doc = "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head></nitf>";
    ok(mld_format_detect(doc, strlen(doc)) == &mld_format_nitf, "detect: NITF");

    /* The sink stops the parse. */
    struct list l = {.stop_after = 1};
    struct mld_err err;
    int rc = parse_str(doc, strlen(doc), "s.xml", &l, &err);
    ok(rc == MLD_E_STORE && l.n == 1 && strncmp(err.msg, "s.xml: stopped", 14) == 0,
       "a sink error stops the parse: %s", err.msg);
    list_free(&l);

    /* NULL err is fine. */
    struct mld_source src = {.name = "n.xml"};
    ok(mld_format_nitf.parse("<x/>", 4, &src, keep, &l, NULL) == MLD_E_PARSE,
       "parse without an error record");
    list_free(&l);

    l.stop_after = 0;
    /* ed-msg never reaches the article. */
    const char *ed = "<nitf><head><docdata><doc-id id-string=\"x\"/>"
                     "<ed-msg info=\"Geheim 0171 99999\"/></docdata></head><body><body.head>"
                     "<hedline><hl1>H</hl1></hedline></body.head><body.content><p>B</p>"
                     "<note><p>Intern 0171 88888</p></note></body.content></body></nitf>";
    rc = parse_str(ed, strlen(ed), "ed.xml", &l, &err);
    ok(rc == 0 && l.n == 1 && !strstr(l.v[0]->text, "0171") && !strstr(l.v[0]->body_html, "0171"),
       "ed-msg and notes stay out");
    list_free(&l);
}

int
main(void)
{
    test_golden();
    test_corpus();
    test_s3push();
    test_malformed();
    test_misc();
    return mld_test_done();
}
