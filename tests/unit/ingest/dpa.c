/*
 * tests/unit/ingest/dpa.c - the dpa digitalwires parser and format
 * detection.
 *
 * Checks: the golden fixtures in tests/golden/dpa (NAME.json parsed and
 * dumped field by field against NAME.expected); every digitalwires entry of
 * the shared corpus parses, with spot checks, safe bodies and no trace of
 * the non-public notepad; the wireq version-ordering vectors replayed
 * against an in-memory store under both strategies of the upstream
 * example; malformed inputs give the right code and a message naming
 * source and field; the sniffer and mld_format_detect.
 */
#include "../../../src/ingest/dpa.c"
#include "../../../src/ingest/ingest.c"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>

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
parse_str(const char *doc, size_t len, const char *source, struct list *l, struct mld_err *err)
{
    mld_err_clear(err);
    struct mld_source src = {.name = source};
    return mld_format_dpa.parse(doc, len, &src, keep, l, err);
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

static void
test_golden(void)
{
    const char *dir = "tests/golden/dpa";
    DIR *d = opendir(dir);
    if (!ok(d != NULL, "open %s", dir))
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
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
        snprintf(path + strlen(path) - 5, 16, ".expected");
        char *want = mld_test_slurp(path, NULL);
        if (!ok(doc != NULL && want != NULL, "golden %s: input and expected present", names[i])) {
            free(doc);
            free(want);
            continue;
        }
        struct list l = {0};
        struct mld_err err;
        int rc = parse_str(doc, doc_len, names[i], &l, &err);
        struct mld_buf got;
        mld_buf_init(&got, MLD_MAX_DOC_BYTES);
        for (int k = 0; k < l.n; k++) {
            if (l.n > 1 || rc != 0)
                mld_buf_printf(&got, "--- entry %d\n", k + 1);
            dump(&got, l.v[k]);
        }
        if (rc != 0)
            mld_buf_printf(&got, "error: %s\nmessage: %s\n", code_name_of(rc), err.msg);
        if (rc != 0 && l.n == 0) {
            /* An error before any entry needs no entry separator. */
            mld_buf_reset(&got);
            mld_buf_printf(&got, "error: %s\nmessage: %s\n", code_name_of(rc), err.msg);
        }
        compare_lines(names[i], got.p ? got.p : "", want);
        mld_buf_dispose(&got);
        list_free(&l);
        free(doc);
        free(want);
        free(names[i]);
    }
    free(names);
    ok(n >= 5, "%zu golden cases", n);
}

/* The shared corpus --------------------------------------------------------- */

/* Collects distinctive pieces of the non-public notepad: e-mail addresses
 * and phone numbers ("+49 ..."), kept only when the public fields of the
 * input do not hold them anyway. */
static int
secrets_of(const json_t *entry, char secrets[][96], int max)
{
    const json_t *np = json_object_get(entry, "notepad");
    const char *html = json_string_value(json_object_get(np, "nonpublic_html"));
    if (html == NULL)
        return 0;
    char *pub = json_dumps(json_object_get(entry, "article_html"), JSON_ENCODE_ANY);
    const char *fields[] = {"teaser", "headline", "byline", "kicker", "dateline", "creditline"};
    int n = 0;
    for (const char *p = html; *p != '\0' && n < max; p++) {
        const char *start = NULL, *end = NULL;
        if (*p == '@') {
            start = p;
            while (start > html && (isalnum((unsigned char)start[-1]) || start[-1] == '.' ||
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
        if (len >= 96)
            continue;
        memcpy(secrets[n], start, len);
        secrets[n][len] = '\0';
        bool public = pub != NULL && strstr(pub, secrets[n]) != NULL;
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]) && !public; f++) {
            const char *v = json_string_value(json_object_get(entry, fields[f]));
            public = v != NULL && strstr(v, secrets[n]) != NULL;
        }
        if (!public)
            n++;
        p = end - 1;
    }
    free(pub);
    return n;
}

/* True when some text field of a holds s. */
static bool
article_holds(const struct mld_article *a, const char *s)
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
    return false;
}

static bool
body_safe(const char *html)
{
    if (html == NULL)
        return true;
    static const char *const bad[] = {"<script", "<style", "<iframe", "<section", "<span",
                                      "<div",    "class=", "style=",  "onclick",  "javascript:"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strstr(html, bad[i]) != NULL)
            return false;
    return true;
}

static void
time_is(mld_time_t got, const char *want, const char *name)
{
    char iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(got, iso);
    is_str(iso, want, "%s", name);
}

static void
spot_checks(const char *file, const struct mld_article *a)
{
    if (strcmp(file, "with_dateline.json") == 0) {
        is_str(a->urn, "urn:newsml:dpa.com:20090101:250128-930-357319", "with_dateline: urn");
        is_int(a->version, 2, "with_dateline: version");
        is_str(a->headline, "DeepSeek-Schock aus China: Zeichen für KI-Zeitenwende?",
               "with_dateline: headline");
        ok(a->ntopics == 1 && strcmp(a->topics[0], "USA") == 0, "with_dateline: topics [USA]");
        is_str(a->signal, "sig:update", "with_dateline: signal");
        time_is(a->version_created, "2025-01-28T08:18:34Z", "with_dateline: version_created");
        is_str(a->kicker, "Künstliche Intelligenz", "with_dateline: kicker");
        is_str(a->dateline, "New York (dpa) - ", "with_dateline: dateline");
        is_str(a->credit, "dpa", "with_dateline: credit");
        is_int(a->urgency, 3, "with_dateline: urgency");
        ok(a->body_html != NULL &&
               strncmp(a->body_html, "<p>New York (dpa) - Ein Chatbot", 31) == 0,
           "with_dateline: body starts with the dateline paragraph");
        ok(a->body_html != NULL && strstr(a->body_html, "<h2>Kalte Füße an der Wall Street</h2>"),
           "with_dateline: h2 kept");
        ok(a->text != NULL && strncmp(a->text, a->teaser, strlen(a->teaser)) == 0 &&
               a->text[strlen(a->teaser)] == '\n',
           "with_dateline: text is teaser, newline, body");
        bool desk = false;
        for (int i = 0; i < a->ncategories; i++)
            desk |= strcmp(a->categories[i], "desk:wi") == 0;
        ok(desk, "with_dateline: category desk:wi");
    } else if (strcmp(file, "embargoed.json") == 0) {
        time_is(a->embargo, "2025-01-23T18:00:00Z", "embargoed: embargo");
        static const char *const want[] = {"Berlin", "Ukraine", "Deutschland", "Russland"};
        bool same = a->ntopics == 4;
        for (int i = 0; same && i < 4; i++)
            same = strcmp(a->topics[i], want[i]) == 0;
        ok(same, "embargoed: topics in rank order Berlin, Ukraine, Deutschland, Russland");
        ok(!mld_article_is_visible(a, a->embargo - 1) && mld_article_is_visible(a, a->embargo),
           "embargoed: invisible until the embargo");
    } else if (strcmp(file, "image.json") == 0) {
        ok(a->body_html == NULL, "image: no body (article_html null)");
        is_int(a->version, 4, "image: version 4");
    } else if (strcmp(file, "eil.json") == 0) {
        is_int(a->urgency, 2, "eil: urgency 2");
    } else if (strcmp(file, "input-infoline.json") == 0) {
        is_str(a->kicker, "In Real Life", "infoline (0.5.3): kicker");
        bool rubric = false;
        for (int i = 0; i < a->ncategories; i++)
            rubric |= strcmp(a->categories[i], "rubric:weblines.infoline_rs.boulevard.kultur") == 0;
        ok(rubric, "infoline (0.5.3): rubric category without the dnlpath: prefix");
        is_str(a->topics[0], "Großbritannien", "infoline (0.5.3): first topic");
    }
}

static void
test_corpus_dir(const char *dir, int *files, int *secrets_checked)
{
    DIR *d = opendir(dir);
    if (!ok(d != NULL, "open %s", dir))
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[4600];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t len;
        char *doc = mld_test_slurp(path, &len);
        struct list l = {0};
        struct mld_err err;
        ok(mld_format_detect(doc, len) == &mld_format_dpa, "%s: detected as digitalwires",
           e->d_name);
        int rc = parse_str(doc, len, e->d_name, &l, &err);
        if (!ok(rc == 0 && l.n == 1, "%s: parses (%d entry)", e->d_name, l.n))
            diag("%s", err.msg);
        (*files)++;
        json_t *root = json_loadb(doc, len, 0, NULL);
        for (int k = 0; k < l.n; k++) {
            const struct mld_article *a = l.v[k];
            ok(body_safe(a->body_html), "%s: body sanitised", e->d_name);
            char secrets[32][96];
            int ns = secrets_of(root, secrets, 32);
            int leaked = 0;
            for (int s = 0; s < ns; s++)
                if (article_holds(a, secrets[s])) {
                    leaked++;
                    diag("%s: non-public \"%s\" reached the article", e->d_name, secrets[s]);
                }
            *secrets_checked += ns;
            if (ns > 0)
                is_int(leaked, 0, "%s: none of %d non-public notepad items leaked", e->d_name, ns);
            spot_checks(e->d_name, a);
        }
        json_decref(root);
        list_free(&l);
        free(doc);
    }
    closedir(d);
}

static void
test_corpus(void)
{
    const char *root = mld_test_corpus("dpa-digitalwires");
    if (root == NULL)
        return;
    char dir[4200];
    int files = 0, secrets = 0;
    snprintf(dir, sizeof(dir), "%s/to-newsmlg2/input", root);
    test_corpus_dir(dir, &files, &secrets);
    snprintf(dir, sizeof(dir), "%s/s3push-example", root);
    test_corpus_dir(dir, &files, &secrets);
    diag("corpus: %d files, %d non-public items checked", files, secrets);
    ok(files == 17, "all 17 corpus entries read (%d)", files);
    ok(secrets >= 10, "non-public notepad items checked: %d", secrets);
}

/* wireq version ordering ----------------------------------------------------- */

/* The in-memory store of the replay: urn -> newest article. */
struct store {
    struct mld_article **v;
    int n;
    char **seen; /* entry_ids received */
    int nseen;
    struct mld_buf events; /* one event per line */
};

static struct mld_article **
store_find(struct store *s, const char *urn)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->v[i]->urn, urn) == 0)
            return &s->v[i];
    return NULL;
}

static void
store_put(struct store *s, struct mld_article *a)
{
    s->v = realloc(s->v, (size_t)(s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = a;
}

/* Handles one received entry as the upstream example does; takes a. */
static void
store_receive(struct store *s, struct mld_article *a)
{
    for (int i = 0; i < s->nseen; i++)
        if (strcmp(s->seen[i], a->entry_id) == 0) {
            mld_buf_printf(&s->events, "received duplicate entry, skipping %s\n", a->entry_id);
            mld_article_free(a);
            return;
        }
    s->seen = realloc(s->seen, (size_t)(s->nseen + 1) * sizeof(*s->seen));
    s->seen[s->nseen++] = strdup(a->entry_id);
    struct mld_article **old = store_find(s, a->urn);
    if (old == NULL) {
        mld_buf_printf(&s->events, "inserting new entry into database %s\n", a->urn);
        store_put(s, a);
    } else if (mld_article_version_cmp(a, *old) > 0) {
        mld_buf_printf(&s->events, "updating entry in database %s %s\n", a->urn, a->entry_id);
        mld_article_free(*old);
        *old = a;
    } else {
        mld_buf_printf(&s->events,
                       "entry in database for %s is more recent, skipping received entry %s\n",
                       a->urn, a->entry_id);
        mld_article_free(a);
    }
}

static void
store_free(struct store *s)
{
    for (int i = 0; i < s->n; i++)
        mld_article_free(s->v[i]);
    free(s->v);
    for (int i = 0; i < s->nseen; i++)
        free(s->seen[i]);
    free(s->seen);
    mld_buf_dispose(&s->events);
}

/* Parses a JSON value (an entry or an {"entries"} batch) through the
 * parser under test. */
static int
parse_json(const json_t *v, const char *source, struct list *l)
{
    char *s = json_dumps(v, JSON_COMPACT);
    struct mld_err err;
    int rc = parse_str(s, strlen(s), source, l, &err);
    if (rc != 0)
        diag("%s", err.msg);
    free(s);
    return rc;
}

static void
replay(json_t *cases, bool latest_only, const char *events_key)
{
    const char *what = latest_only ? "latest per urn" : "every entry";
    struct store s = {0};
    mld_buf_init(&s.events, 1 << 20);
    int bad = 0;
    const char *urn;
    const json_t *v;
    json_t *initial = json_object_get(cases, "initial_database");
    json_object_foreach(initial, urn, v)
    {
        struct list l = {0};
        bad += parse_json(v, "initial_database", &l) != 0 || l.n != 1;
        for (int i = 0; i < l.n; i++)
            store_put(&s, l.v[i]);
        free(l.v);
    }
    const json_t *batches = json_object_get(cases, "batches");
    size_t bi;
    const json_t *batch;
    json_array_foreach(batches, bi, batch)
    {
        struct list l = {0};
        bad += parse_json(batch, "batch", &l) != 0;
        mld_buf_puts(&s.events, "processing entries\n");
        if (latest_only) {
            /* Keep the newest entry per urn, in order of first appearance. */
            for (int i = 0; i < l.n; i++) {
                if (l.v[i] == NULL)
                    continue;
                for (int j = i + 1; j < l.n; j++) {
                    if (l.v[j] == NULL || strcmp(l.v[j]->urn, l.v[i]->urn) != 0)
                        continue;
                    if (mld_article_version_cmp(l.v[j], l.v[i]) > 0) {
                        mld_article_free(l.v[i]);
                        l.v[i] = l.v[j];
                    } else {
                        mld_article_free(l.v[j]);
                    }
                    l.v[j] = NULL;
                }
            }
        }
        for (int i = 0; i < l.n; i++)
            if (l.v[i] != NULL)
                store_receive(&s, l.v[i]);
        free(l.v);
    }
    is_int(bad, 0, "wireq (%s): every entry parses", what);

    struct mld_buf want;
    mld_buf_init(&want, 1 << 20);
    const json_t *events = json_object_get(cases, events_key);
    json_array_foreach(events, bi, v) mld_buf_printf(&want, "%s\n", json_string_value(v));
    is_str(s.events.p, want.p, "wireq (%s): events as %s", what, events_key);
    mld_buf_dispose(&want);

    json_t *final = json_object_get(cases, "expected_final_database");
    int mismatches = 0;
    is_int(s.n, (int)json_object_size(final), "wireq (%s): final store size", what);
    json_object_foreach(final, urn, v)
    {
        struct list l = {0};
        parse_json(v, "expected_final_database", &l);
        struct mld_article **got = store_find(&s, urn);
        if (l.n != 1 || got == NULL)
            mismatches++;
        else {
            const struct mld_article *a = *got, *w = l.v[0];
            bool same = a->version == w->version && a->version_created == w->version_created &&
                        a->updated == w->updated &&
                        ((a->entry_id == NULL && w->entry_id == NULL) ||
                         (a->entry_id && w->entry_id && strcmp(a->entry_id, w->entry_id) == 0));
            if (!same) {
                mismatches++;
                diag("%s: got version %lld entry %s", urn, (long long)a->version,
                     a->entry_id ? a->entry_id : "-");
            }
        }
        list_free(&l);
    }
    is_int(mismatches, 0, "wireq (%s): final store as expected_final_database", what);
    store_free(&s);
}

static void
test_wireq(void)
{
    const char *root = mld_test_corpus("dpa-digitalwires/wireq-version-ordering/cases.json");
    if (root == NULL)
        return;
    json_error_t jerr;
    json_t *cases = json_load_file(root, 0, &jerr);
    if (!ok(cases != NULL, "cases.json loads"))
        return;
    replay(cases, false, "expected_events_processing_every_entry");
    replay(cases, true, "expected_events_keeping_only_latest_per_urn_within_each_batch");
    json_decref(cases);
}

/* Malformed input ------------------------------------------------------------ */

static void
expect_error(const char *doc, size_t len, int code, const char *needle, const char *name)
{
    struct list l = {0};
    struct mld_err err;
    int rc = parse_str(doc, len, "bad.json", &l, &err);
    bool good = rc == code && err.code == code && strncmp(err.msg, "bad.json: ", 10) == 0 &&
                (needle == NULL || strstr(err.msg, needle) != NULL);
    if (!ok(good, "%s: %s", name, code_name_of(code)))
        diag("rc %d (%s), message: %s", rc, code_name_of(rc), err.msg);
    list_free(&l);
}

#define EXPECT_ERROR(doc, code, needle, name) expect_error(doc, strlen(doc), code, needle, name)

static void
test_malformed(void)
{
    EXPECT_ERROR("{\"urn\": \"u\", \"headline\": \"x\"", MLD_E_PARSE, "line 1, column",
                 "truncated JSON");
    EXPECT_ERROR("", MLD_E_PARSE, "line 1", "empty document");
    EXPECT_ERROR("{\"urn\": \"u\",, }", MLD_E_PARSE, "line 1, column", "syntax error");
    EXPECT_ERROR("{\n  \"urn\": \"u\",\n  \"headline\": tru\n}", MLD_E_PARSE, "line 3",
                 "syntax error on line 3");
    EXPECT_ERROR("{\"headline\": \"x\"}", MLD_E_MISSING, "entry 1: no urn", "missing urn");
    EXPECT_ERROR("{\"urn\": \"\"}", MLD_E_MISSING, "no urn", "empty urn");
    EXPECT_ERROR("{\"urn\": 5}", MLD_E_PARSE, "field \"urn\": expected a string, got an integer",
                 "urn of the wrong type");
    EXPECT_ERROR("{\"urn\": \"u\", \"headline\": 5}", MLD_E_PARSE,
                 "field \"headline\": expected a string, got an integer", "headline integer");
    EXPECT_ERROR("{\"urn\": \"u\", \"version\": \"2\"}", MLD_E_PARSE,
                 "field \"version\": expected an integer, got a string", "version string");
    EXPECT_ERROR("{\"urn\": \"u\", \"version\": 1.5}", MLD_E_PARSE,
                 "field \"version\": expected an integer, got a number", "version real");
    EXPECT_ERROR("{\"urn\": \"u\", \"version\": 0}", MLD_E_PARSE, "field \"version\"", "version 0");
    EXPECT_ERROR("{\"urn\": \"u\", \"urgency\": true}", MLD_E_PARSE, "field \"urgency\"",
                 "urgency boolean");
    EXPECT_ERROR("{\"urn\": \"u\", \"updated\": 17}", MLD_E_PARSE, "field \"updated\"",
                 "updated integer");
    EXPECT_ERROR("{\"urn\": \"u\", \"version_created\": \"gestern\"}", MLD_E_PARSE,
                 "field \"version_created\": not a timestamp", "bad timestamp");
    EXPECT_ERROR("{\"urn\": \"u\", \"embargoed\": \"2025-13-45T99:00:00Z\"}", MLD_E_PARSE,
                 "field \"embargoed\"", "impossible embargo");
    EXPECT_ERROR("{\"urn\": \"u\", \"pubstatus\": \"deleted\"}", MLD_E_PARSE,
                 "field \"pubstatus\": unknown value", "unknown pubstatus");
    EXPECT_ERROR("{\"urn\": \"u\", \"categories\": {}}", MLD_E_PARSE,
                 "field \"categories\": expected an array, got an object", "categories object");
    EXPECT_ERROR("{\"urn\": \"u\", \"categories\": [\"x\"]}", MLD_E_PARSE,
                 "field \"categories[0]\": expected an object", "category string");
    EXPECT_ERROR("{\"urn\": \"u\", \"categories\": [{\"type\": \"dnltype:geosubject\", "
                 "\"name\": \"A\", \"rank\": \"1\"}]}",
                 MLD_E_PARSE, "field \"categories[0].rank\"", "rank string");
    EXPECT_ERROR("{\"urn\": \"u\", \"categories\": [{}, {\"qcode\": 7}]}", MLD_E_PARSE,
                 "field \"categories[1].qcode\"", "qcode integer");
    EXPECT_ERROR("{\"urn\": \"u\", \"rubric_names\": [1]}", MLD_E_PARSE,
                 "field \"rubric_names[0]\"", "rubric name integer");
    EXPECT_ERROR("{\"urn\": \"u\", \"article_html\": {\"p\": 1}}", MLD_E_PARSE,
                 "field \"article_html\"", "article_html object");
    EXPECT_ERROR("[{\"urn\": \"u\"}]", MLD_E_PARSE, "expected a JSON object, got an array",
                 "top-level array");
    EXPECT_ERROR("{\"entries\": {\"urn\": \"u\"}}", MLD_E_PARSE, "field \"entries\"",
                 "entries object");
    EXPECT_ERROR("{\"entries\": [{\"urn\": \"u\"}, 5]}", MLD_E_PARSE,
                 "entry 2: expected an object, got an integer", "entry integer");
    EXPECT_ERROR("{\"urn\": \"u\", \"headline\": \"a\\u0000b\"}", MLD_E_PARSE, "line 1",
                 "NUL in a string");
    EXPECT_ERROR("{\"urn\": \"u\", \"headline\": \"\xff\xfe\"}", MLD_E_PARSE, "line 1",
                 "invalid UTF-8");

    /* 100-deep nested array. */
    char deep[512];
    size_t n = (size_t)snprintf(deep, sizeof(deep), "{\"urn\": \"u\", \"x\": ");
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    for (int i = 0; i < 100; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    EXPECT_ERROR(deep, MLD_E_DEPTH, "line 1, column", "100-deep nested array");
    /* Brackets inside strings do not count. */
    char flat[512];
    n = (size_t)snprintf(flat, sizeof(flat), "{\"urn\": \"u\", \"headline\": \"");
    for (int i = 0; i < 100; i++)
        flat[n++] = '[';
    n += (size_t)snprintf(flat + n, sizeof(flat) - n, "\\\" {\"}");
    struct list l = {0};
    struct mld_err err;
    ok(parse_str(flat, n, "flat.json", &l, &err) == 0 && l.n == 1,
       "brackets inside strings do not count as nesting");
    list_free(&l);

    /* Oversized fields. */
    size_t big = MLD_MAX_FIELD_BYTES + 100;
    char *doc = malloc(big + 64);
    n = (size_t)snprintf(doc, big + 64, "{\"urn\": \"u\", \"headline\": \"");
    memset(doc + n, 'x', MLD_MAX_FIELD_BYTES + 1);
    n += MLD_MAX_FIELD_BYTES + 1;
    n += (size_t)snprintf(doc + n, big + 64 - n, "\"}");
    expect_error(doc, n, MLD_E_TOOBIG, "field \"headline\"", "oversized headline");
    n = (size_t)snprintf(doc, big + 64, "{\"urn\": \"");
    memset(doc + n, 'u', MLD_MAX_ID_BYTES + 1);
    n += MLD_MAX_ID_BYTES + 1;
    n += (size_t)snprintf(doc + n, big + 64 - n, "\"}");
    expect_error(doc, n, MLD_E_TOOBIG, "field \"urn\"", "oversized urn");
    free(doc);
    expect_error("{}", MLD_MAX_DOC_BYTES + 1, MLD_E_TOOBIG, "more than", "oversized document");

    /* A body nested too deeply names the field. */
    char body[2048];
    n = (size_t)snprintf(body, sizeof(body), "{\"urn\": \"u\", \"article_html\": \"");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "<b>");
    n += (size_t)snprintf(body + n, sizeof(body) - n, "\"}");
    EXPECT_ERROR(body, MLD_E_DEPTH, "field \"article_html\": HTML nested deeper",
                 "deeply nested article_html");
}

static void
test_misc(void)
{
    /* A byte-order mark is fine. */
    const char *bom = "\xef\xbb\xbf  {\"urn\": \"u\", \"headline\": \"H\"}";
    struct list l = {0};
    struct mld_err err;
    ok(mld_format_dpa.sniff(bom, strlen(bom)), "sniff: BOM and spaces before '{'");
    ok(parse_str(bom, strlen(bom), "bom.json", &l, &err) == 0 && l.n == 1, "parse: BOM skipped");
    list_free(&l);

    ok(mld_format_dpa.sniff("{\"entries\": []}", 15), "sniff: empty batch");
    ok(!mld_format_dpa.sniff("<?xml version=\"1.0\"?><rss/>", 27), "sniff: not XML");
    ok(!mld_format_dpa.sniff("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}",
                             58),
       "sniff: not JSON Feed");
    ok(!mld_format_dpa.sniff("", 0), "sniff: empty");
    ok(mld_format_detect("{\"urn\": \"x\"}", 12) == &mld_format_dpa, "detect: digitalwires");
    ok(mld_format_detect("hello", 5) == NULL, "detect: unknown gives NULL");

    /* Empty batch: nothing, no error. */
    ok(parse_str("{\"entries\": []}", 15, "e.json", &l, &err) == 0 && l.n == 0,
       "empty batch parses to nothing");

    /* The sink stops the parse. */
    const char *two = "{\"entries\": [{\"urn\": \"a\"}, {\"urn\": \"b\"}, {\"urn\": \"c\"}]}";
    l.stop_after = 2;
    int rc = parse_str(two, strlen(two), "two.json", &l, &err);
    ok(rc == MLD_E_STORE && l.n == 2 && strstr(err.msg, "two.json: entry 2") != NULL,
       "a sink error stops the parse: %s", err.msg);
    list_free(&l);

    /* Notepad and ednotes never reach the article. */
    const char *np = "{\"urn\": \"u\", \"teaser\": \"T\", \"article_html\": \"<p>B</p>\", "
                     "\"notepad\": {\"nonpublic_html\": \"<p>Geheim 0171 99999</p>\", "
                     "\"public_html\": \"<p>Hinweis</p>\"}, "
                     "\"ednotes\": [{\"ednote\": \"Intern 0171 88888\"}]}";
    l.stop_after = 0;
    rc = parse_str(np, strlen(np), "np.json", &l, &err);
    ok(rc == 0 && l.n == 1 && !article_holds(l.v[0], "Geheim") &&
           !article_holds(l.v[0], "Intern") && !article_holds(l.v[0], "Hinweis"),
       "notepad and ednotes stay out");
    is_str(l.n ? l.v[0]->text : NULL, "T\nB", "text = teaser + newline + body text");
    list_free(&l);

    /* A body with no text leaves only the teaser in text. */
    const char *empty = "{\"urn\": \"u\", \"teaser\": \"T\", \"article_html\": \"<p> </p>\"}";
    rc = parse_str(empty, strlen(empty), "e.json", &l, &err);
    ok(rc == 0 && l.n == 1 && strcmp(l.v[0]->text, "T") == 0 && strcmp(l.v[0]->body_html, "") == 0,
       "empty body: text is the teaser");
    list_free(&l);
}

int
main(void)
{
    test_golden();
    test_corpus();
    test_wireq();
    test_malformed();
    test_misc();
    return mld_test_done();
}
