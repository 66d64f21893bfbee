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

#include <jansson.h>

#include "ingest_test.h"

/* The golden cases: tests/golden/dpa/NAME.json against NAME.expected, articles
 * separated by "--- entry N", a media line; 5 cases at least. */
static const struct mld_test_golden golden = {
    &mld_format_dpa, "tests/golden/dpa", ".json", "entry", true, 5};

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
    int found = mld_test_scan_secrets(html, secrets, 0, max), n = 0;
    for (int i = 0; i < found; i++) {
        bool public = pub != NULL && strstr(pub, secrets[i]) != NULL;
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]) && !public; f++) {
            const char *v = json_string_value(json_object_get(entry, fields[f]));
            public = v != NULL && strstr(v, secrets[i]) != NULL;
        }
        if (!public)
            memmove(secrets[n++], secrets[i], 96);
    }
    free(pub);
    return n;
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
spot_checks(const char *file, const struct mld_article *a)
{
    if (strcmp(file, "with_dateline.json") == 0) {
        is_str(a->urn, "urn:newsml:dpa.com:20090101:250128-930-357319", "with_dateline: urn");
        is_int(a->version, 2, "with_dateline: version");
        is_str(a->headline, "DeepSeek-Schock aus China: Zeichen für KI-Zeitenwende?",
               "with_dateline: headline");
        ok(a->ntopics == 1 && strcmp(a->topics[0], "USA") == 0, "with_dateline: topics [USA]");
        is_str(a->signal, "sig:update", "with_dateline: signal");
        mld_test_time_is(a->version_created, "2025-01-28T08:18:34Z",
                         "with_dateline: version_created");
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
        ok(mld_test_has_category(a, "desk:wi"), "with_dateline: category desk:wi");
    } else if (strcmp(file, "embargoed.json") == 0) {
        mld_test_time_is(a->embargo, "2025-01-23T18:00:00Z", "embargoed: embargo");
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
        is_str(a->hold_reason, "Bildmeldung ohne Text", "image: held as a picture without text");
        ok(a->nmedia == 1 && a->media[0].kind == MLD_MEDIA_PICTURE && a->media[0].width == 2048 &&
               a->media[0].height == 1365,
           "image: one picture, 2048x1365");
        ok(a->nmedia == 1 && a->media[0].credit != NULL &&
               strcmp(a->media[0].credit, "Steve Helber/AP/dpa") == 0,
           "image: picture credit as dpa writes it");
        mld_test_time_is(a->version_created, "2025-01-29T06:36:58Z",
                         "image: dated by version_created, not the 2019 content_created");
    } else if (strcmp(file, "dw-1.json") == 0) {
        is_str(a->byline, "Von Marco Krefting und Sunrita Sen, dpa", "dw-1: byline");
        is_str(a->dateline, "Waghäusel (dpa) - ", "dw-1: dateline");
        is_str(a->kicker, "Frauenrechte", "dw-1: kicker");
        is_str(a->lang, "de", "dw-1: lang");
        ok(a->aside_html != NULL &&
               strncmp(a->aside_html, "<aside class=\"linkbox\"><ul><li><a ", 34) == 0 &&
               strstr(a->aside_html, "https://dpaq.de/") != NULL &&
               strstr(a->aside_html, "</aside>") != NULL &&
               strstr(a->aside_html, "<section") == NULL,
           "dw-1: link box as a sanitised aside");
        ok(a->hold_reason == NULL, "dw-1: a correction is not held");
    } else if (strcmp(file, "rubix_multimedia_real.json") == 0) {
        ok(a->nmedia == 2, "rubix real: two pictures");
        ok(a->nmedia == 2 && a->media[0].alt != NULL &&
               strcmp(a->media[0].alt, "Nahostkonflikt - Beirut") == 0 &&
               a->media[0].caption != NULL && a->media[1].credit != NULL &&
               strcmp(a->media[1].credit, "Ammar Safarjalani/XinHua/dpa") == 0 &&
               mld_ingest_is_web_url(a->media[1].url),
           "rubix real: alt, caption, credit and URL of the pictures");
    } else if (strcmp(file, "empty_paragraph.json") == 0) {
        ok(a->nmedia == 1 && a->media[0].width == 0 && a->hold_reason == NULL,
           "empty_paragraph: a picture of unknown size, the article not held");
        is_str(a->lang, "es", "empty_paragraph: lang es");
    } else if (strcmp(file, "eil.json") == 0) {
        is_int(a->urgency, 2, "eil: urgency 2");
    } else if (strcmp(file, "input-infoline.json") == 0) {
        is_str(a->kicker, "In Real Life", "infoline (0.5.3): kicker");
        ok(mld_test_has_category(a, "rubric:weblines.infoline_rs.boulevard.kultur"),
           "infoline (0.5.3): rubric category without the dnlpath: prefix");
        is_str(a->topics[0], "Großbritannien", "infoline (0.5.3): first topic");
    }
}

/* Checks one corpus entry; ud counts the non-public items checked. */
static void
corpus_entry(struct mld_test_doc *d, void *ud)
{
    int *secrets_checked = ud;
    ok(mld_format_detect(d->doc, d->len) == &mld_format_dpa, "%s: detected as digitalwires",
       d->name);
    if (!ok(d->rc == 0 && d->l.n == 1, "%s: parses (%d entry)", d->name, d->l.n))
        diag("%s", d->err.msg);
    json_t *root = json_loadb(d->doc, d->len, 0, NULL);
    for (int k = 0; k < d->l.n; k++) {
        const struct mld_article *a = d->l.v[k];
        ok(body_safe(a->body_html), "%s: body sanitised", d->name);
        char secrets[32][96];
        int ns = secrets_of(root, secrets, 32);
        int leaked = 0;
        for (int s = 0; s < ns; s++)
            if (mld_test_article_holds(a, secrets[s])) {
                leaked++;
                diag("%s: non-public \"%s\" reached the article", d->name, secrets[s]);
            }
        *secrets_checked += ns;
        if (ns > 0)
            is_int(leaked, 0, "%s: none of %d non-public notepad items leaked", d->name, ns);
        spot_checks(d->name, a);
    }
    json_decref(root);
}

static void
test_corpus(void)
{
    static const char *const subs[] = {"dpa-digitalwires/to-newsmlg2/input",
                                       "dpa-digitalwires/s3push-example"};
    int files = 0, secrets = 0;
    if (mld_test_corpus("dpa-digitalwires") == NULL)
        return;
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        int n = mld_test_walk_corpus(&mld_format_dpa, subs[i], ".json", 0, corpus_entry, &secrets);
        files += n > 0 ? n : 0;
    }
    diag("corpus: %d files, %d non-public items checked", files, secrets);
    ok(files == 17, "all 17 corpus entries read (%d)", files);
    ok(secrets >= 10, "non-public notepad items checked: %d", secrets);
}

/* The wire rules on the whole corpus ------------------------------------------ */

/* What the census counts over the corpus items of the three agency
 * formats: per folder and in all. */
struct census {
    int files, failed, articles, held, unheld;
    const char *reasons[16]; /* distinct hold reasons (borrowed from the table below) */
    int by_reason[16];
    int date_source[MLD_DATE_SOURCES];
    int media_kind[4], with_media, renditions, credits, alts, asides, bylines, datelines, langs;
};

/* The hold reasons the parsers write; a reason not in here fails the
 * census (a new rule must be counted, and documented). */
static const char *const census_reasons[] = {
    "dpa-Textgattung Achtung (Hinweis an Redaktionen)",
    "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)",
    "NITF-Objekttyp Advisory (Hinweis an Redaktionen)",
    "NewsML-G2 pubconstraint dpapconstraint:nonpublic (nicht zur Veröffentlichung)",
    "NewsML-G2 pubconstraint audience:internal (nicht zur Veröffentlichung)",
    "Bildmeldung ohne Text",
    "Audiomeldung ohne Text",
    "Videomeldung ohne Text",
    "Medienmeldung ohne Text",
};

static void
census_add(struct census *c, const struct mld_article *a)
{
    c->articles++;
    c->date_source[a->date_source]++;
    if (a->hold_reason != NULL) {
        c->held++;
        size_t k = 0;
        while (k < sizeof(census_reasons) / sizeof(census_reasons[0]) &&
               strcmp(census_reasons[k], a->hold_reason) != 0)
            k++;
        if (!ok(k < sizeof(census_reasons) / sizeof(census_reasons[0]), "%s: known hold reason",
                a->urn))
            diag("unknown hold reason \"%s\"", a->hold_reason);
        else
            c->by_reason[k]++;
    } else {
        c->unheld++;
    }
    c->with_media += a->nmedia > 0;
    for (int i = 0; i < a->nmedia; i++) {
        c->media_kind[a->media[i].kind]++;
        c->renditions += a->media[i].nrenditions;
        c->credits += a->media[i].credit != NULL;
        c->alts += a->media[i].alt != NULL;
    }
    c->asides += a->aside_html != NULL;
    c->bylines += a->byline != NULL;
    c->datelines += a->dateline != NULL;
    c->langs += a->lang != NULL;
}

static void
census_merge(struct census *all, const struct census *c)
{
    all->files += c->files;
    all->failed += c->failed;
    all->articles += c->articles;
    all->held += c->held;
    all->unheld += c->unheld;
    for (size_t k = 0; k < 16; k++)
        all->by_reason[k] += c->by_reason[k];
    for (int k = 0; k < MLD_DATE_SOURCES; k++)
        all->date_source[k] += c->date_source[k];
    for (int k = 0; k < 4; k++)
        all->media_kind[k] += c->media_kind[k];
    all->with_media += c->with_media;
    all->renditions += c->renditions;
    all->credits += c->credits;
    all->alts += c->alts;
    all->asides += c->asides;
    all->bylines += c->bylines;
    all->datelines += c->datelines;
    all->langs += c->langs;
}

static void
census_print(const char *name, const struct census *c)
{
    diag("census %s: %d files (%d refused), %d articles, %d held, %d unheld", name, c->files,
         c->failed, c->articles, c->held, c->unheld);
    for (size_t k = 0; k < sizeof(census_reasons) / sizeof(census_reasons[0]); k++)
        if (c->by_reason[k] > 0)
            diag("census %s:   held %d x \"%s\"", name, c->by_reason[k], census_reasons[k]);
    diag("census %s:   dates: version %d, modified %d, created %d, seen %d", name,
         c->date_source[MLD_DATE_VERSION], c->date_source[MLD_DATE_MODIFIED],
         c->date_source[MLD_DATE_CREATED], c->date_source[MLD_DATE_SEEN]);
    diag("census %s:   media: %d articles with media; %d pictures, %d audio, %d video, %d other; "
         "%d more renditions, %d credits, %d alt texts; %d with asides",
         name, c->with_media, c->media_kind[MLD_MEDIA_PICTURE], c->media_kind[MLD_MEDIA_AUDIO],
         c->media_kind[MLD_MEDIA_VIDEO], c->media_kind[MLD_MEDIA_OTHER], c->renditions, c->credits,
         c->alts, c->asides);
    diag("census %s:   text: %d bylines, %d datelines, %d with lang", name, c->bylines,
         c->datelines, c->langs);
}

/* The known cases: file name -> the hold reason wanted (NULL: unheld),
 * for every digitalwires entry and the dpa items this folder knows. */
static const struct {
    const char *file;
    const char *reason;
} census_known[] = {
    {"lesestuecke.json", "dpa-Textgattung Achtung (Hinweis an Redaktionen)"},
    {"tvo_pol.json", "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)"},
    {"hoerfunk.json", "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)"},
    {"image.json", "Bildmeldung ohne Text"},
    {"no_content.json", "Bildmeldung ohne Text"},
    {"dw-1.json", NULL},
    {"eil.json", NULL},
    {"embargoed.json", NULL},
    {"empty_paragraph.json", NULL},
    {"no_notepad.json", NULL},
    {"rubix_multimedia_real.json", NULL},
    {"rubix_multimedia_testartikel.json", NULL},
    {"spe2.json", NULL},
    {"spe_tab.json", NULL},
    {"with_dateline.json", NULL},
    {"input-infoline.json", NULL},
    {"input-starline.json", NULL},
    /* The two dpa/audio programmes of the NewsML-G2 sample (genre Vorschau). */
    {"urn_newsml_dpa.com_20090101_170629-99-48625.xml",
     "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)"},
    {"urn_newsml_dpa.com_20090101_170629-99-49511.xml",
     "dpa-Textgattung Vorschau (Termin- oder Programmvorschau für Redaktionen)"},
};

/* Where the census walks. */
struct census_walk {
    struct census c;
    int known_checked;
    bool dpa_items; /* the dpa NewsML-G2 sample: every item not listed must stay unheld */
};

static void
census_doc(struct mld_test_doc *d, void *ud)
{
    struct census_walk *w = ud;
    w->c.files++;
    if (d->rc != 0) {
        w->c.failed++;
        diag("census: %s refused: %s", d->name, d->err.msg);
    }
    for (int i = 0; i < d->l.n; i++)
        census_add(&w->c, d->l.v[i]);
    bool listed = false;
    for (size_t k = 0; k < sizeof(census_known) / sizeof(census_known[0]); k++) {
        if (strcmp(census_known[k].file, d->name) != 0)
            continue;
        listed = true;
        w->known_checked++;
        const char *got = d->l.n == 1 ? d->l.v[0]->hold_reason : "(not one article)";
        const char *want = census_known[k].reason;
        ok(want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0, "census %s: %s",
           d->name, want ? want : "not held");
    }
    if (w->dpa_items && !listed && d->l.n == 1 &&
        !ok(d->l.v[0]->hold_reason == NULL, "census %s: ordinary dpa item not held", d->name))
        diag("held as \"%s\"", d->l.v[0]->hold_reason);
}

static void
test_census(void)
{
    static const struct {
        const char *name;
        const struct mld_format *format;
        const char *sub, *ext;
        int depth;
        bool dpa_items;
    } folders[] = {
        {"digitalwires", &mld_format_dpa, "dpa-digitalwires/to-newsmlg2/input", ".json", 0, false},
        {"digitalwires 0.5", &mld_format_dpa, "dpa-digitalwires/s3push-example", ".json", 0, false},
        {"dpa G2 (converted)", &mld_format_newsml, "dpa-digitalwires/to-newsmlg2/output", ".xml", 0,
         false},
        {"dpa G2 sample items", &mld_format_newsml, "dpa-newsmlg2-sample/items", ".xml", 0, true},
        {"dpa G2 sample images", &mld_format_newsml, "dpa-newsmlg2-sample/images", ".xml", 0,
         false},
        {"superdesk G2", &mld_format_newsml, "superdesk-fixtures/newsml-g2", ".xml", 0, false},
        {"IPTC G2 examples", &mld_format_newsml, "iptc-newsml-g2/examples", ".xml", 0, false},
        {"IPTC G2 unit tests", &mld_format_newsml, "iptc-newsml-g2/unit_test_files", ".xml", 3,
         false},
        {"dpa NITF", &mld_format_nitf, "dpa-digitalwires/s3push-example", ".xml", 0, false},
        {"superdesk NITF", &mld_format_nitf, "superdesk-fixtures/nitf", ".xml", 0, false},
    };
    if (mld_test_corpus("dpa-digitalwires") == NULL)
        return;
    struct census all = {0};
    int known = 0;
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        struct census_walk w = {.dpa_items = folders[i].dpa_items};
        int n = mld_test_walk_corpus(folders[i].format, folders[i].sub, folders[i].ext,
                                     folders[i].depth, census_doc, &w);
        if (n < 0)
            continue;
        census_print(folders[i].name, &w.c);
        census_merge(&all, &w.c);
        known += w.known_checked;
        if (strcmp(folders[i].name, "dpa G2 sample images") == 0)
            is_int(w.c.by_reason[5], 3, "census: the 3 dpa photo items are held as Bildmeldung");
        if (strcmp(folders[i].name, "dpa G2 sample items") == 0) {
            is_int(w.c.held, 2, "census: 2 of the 75 dpa G2 items held (the audio programmes)");
            is_int(w.c.date_source[MLD_DATE_VERSION], 75, "census: all 75 dated by versionCreated");
            ok(w.c.bylines == 5 && w.c.datelines == 64 && w.c.langs == 75,
               "census: dpa G2 bylines 5, datelines 64 (as <by>, <dateline>), lang 75");
        }
        if (strcmp(folders[i].name, "digitalwires") == 0) {
            is_int(w.c.held, 5, "census: 5 of 15 digitalwires entries held");
            is_int(w.c.date_source[MLD_DATE_VERSION], 15, "census: all 15 by version_created");
            is_int(w.c.media_kind[MLD_MEDIA_PICTURE], 12, "census: 12 pictures in associations");
            is_int(w.c.credits, 12, "census: every picture has a credit");
            is_int(w.c.asides, 3, "census: 3 entries with a link box");
            ok(w.c.langs == 15, "census: every digitalwires entry has its lang");
        }
    }
    census_print("all", &all);
    is_int(known, (int)(sizeof(census_known) / sizeof(census_known[0])),
           "census: every known case met");
    is_int(all.date_source[MLD_DATE_SEEN] + all.date_source[MLD_DATE_VERSION] +
               all.date_source[MLD_DATE_MODIFIED] + all.date_source[MLD_DATE_CREATED],
           all.articles, "census: every article has a date source");
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
parse_json(const json_t *v, const char *source, struct mld_test_list *l)
{
    char *s = json_dumps(v, JSON_COMPACT);
    struct mld_err err;
    int rc = mld_test_parse(&mld_format_dpa, s, strlen(s), source, l, &err);
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
        struct mld_test_list l = {0};
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
        struct mld_test_list l = {0};
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
        struct mld_test_list l = {0};
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
        mld_test_list_free(&l);
    }
    is_int(mismatches, 0, "wireq (%s): final store as expected_final_database", what);
    store_free(&s);
}

static void
test_wireq(void)
{
    const char *path = mld_test_corpus("dpa-digitalwires/wireq-version-ordering/cases.json");
    json_error_t jerr;
    json_t *cases = path ? json_load_file(path, 0, &jerr) : NULL;
    if (path == NULL || !ok(cases != NULL, "cases.json loads"))
        return;
    replay(cases, false, "expected_events_processing_every_entry");
    replay(cases, true, "expected_events_keeping_only_latest_per_urn_within_each_batch");
    json_decref(cases);
}

/* Malformed input ------------------------------------------------------------ */

/* Entries handed over before the error stay with the sink, so the checks
 * do not ask for none. */
static const struct mld_test_refuse refuse = {&mld_format_dpa, "bad.json", false};

static void
test_malformed(void)
{
    static const struct mld_test_bad bad[] = {
        {"{\"urn\": \"u\", \"headline\": \"x\"", MLD_E_PARSE, "line 1, column", "truncated JSON"},
        {"", MLD_E_PARSE, "line 1", "empty document"},
        {"{\"urn\": \"u\",, }", MLD_E_PARSE, "line 1, column", "syntax error"},
        {"{\n  \"urn\": \"u\",\n  \"headline\": tru\n}", MLD_E_PARSE, "line 3",
         "syntax error on line 3"},
        {"{\"headline\": \"x\"}", MLD_E_MISSING, "entry 1: no urn", "missing urn"},
        {"{\"urn\": \"\"}", MLD_E_MISSING, "no urn", "empty urn"},
        {"{\"urn\": 5}", MLD_E_PARSE, "field \"urn\": expected a string, got an integer",
         "urn of the wrong type"},
        {"{\"urn\": \"u\", \"headline\": 5}", MLD_E_PARSE,
         "field \"headline\": expected a string, got an integer", "headline integer"},
        {"{\"urn\": \"u\", \"version\": \"2\"}", MLD_E_PARSE,
         "field \"version\": expected an integer, got a string", "version string"},
        {"{\"urn\": \"u\", \"version\": 1.5}", MLD_E_PARSE,
         "field \"version\": expected an integer, got a number", "version real"},
        {"{\"urn\": \"u\", \"version\": 0}", MLD_E_PARSE, "field \"version\"", "version 0"},
        {"{\"urn\": \"u\", \"urgency\": true}", MLD_E_PARSE, "field \"urgency\"",
         "urgency boolean"},
        {"{\"urn\": \"u\", \"updated\": 17}", MLD_E_PARSE, "field \"updated\"", "updated integer"},
        {"{\"urn\": \"u\", \"embargoed\": \"2025-13-45T99:00:00Z\"}", MLD_E_PARSE,
         "field \"embargoed\"", "impossible embargo"},
        {"{\"urn\": \"u\", \"pubstatus\": \"deleted\"}", MLD_E_PARSE,
         "field \"pubstatus\": unknown value", "unknown pubstatus"},
        {"{\"urn\": \"u\", \"categories\": {}}", MLD_E_PARSE,
         "field \"categories\": expected an array, got an object", "categories object"},
        {"{\"urn\": \"u\", \"categories\": [\"x\"]}", MLD_E_PARSE,
         "field \"categories[0]\": expected an object", "category string"},
        {"{\"urn\": \"u\", \"categories\": [{\"type\": \"dnltype:geosubject\", "
         "\"name\": \"A\", \"rank\": \"1\"}]}",
         MLD_E_PARSE, "field \"categories[0].rank\"", "rank string"},
        {"{\"urn\": \"u\", \"categories\": [{}, {\"qcode\": 7}]}", MLD_E_PARSE,
         "field \"categories[1].qcode\"", "qcode integer"},
        {"{\"urn\": \"u\", \"rubric_names\": [1]}", MLD_E_PARSE, "field \"rubric_names[0]\"",
         "rubric name integer"},
        {"{\"urn\": \"u\", \"article_html\": {\"p\": 1}}", MLD_E_PARSE, "field \"article_html\"",
         "article_html object"},
        {"[{\"urn\": \"u\"}]", MLD_E_PARSE, "expected a JSON object, got an array",
         "top-level array"},
        {"{\"entries\": {\"urn\": \"u\"}}", MLD_E_PARSE, "field \"entries\"", "entries object"},
        {"{\"entries\": [{\"urn\": \"u\"}, 5]}", MLD_E_PARSE,
         "entry 2: expected an object, got an integer", "entry integer"},
        {"{\"urn\": \"u\", \"headline\": \"a\\u0000b\"}", MLD_E_PARSE, "line 1", "NUL in a string"},
        {"{\"urn\": \"u\", \"headline\": \"\xff\xfe\"}", MLD_E_PARSE, "line 1", "invalid UTF-8"},
    };
    mld_test_refused_all(&refuse, bad, sizeof(bad) / sizeof(bad[0]));

    /* 100-deep nested array. */
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    mld_test_build(&b, "{\"urn\": \"u\", \"x\": ", "[", "]", 100, "}");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_DEPTH, "line 1, column", "100-deep nested array");
    /* Brackets inside strings do not count. */
    mld_test_build(&b, "{\"urn\": \"u\", \"headline\": \"", "[", "", 100, "\\\" {\"}");
    struct mld_test_list l = {0};
    struct mld_err err;
    ok(mld_test_parse(&mld_format_dpa, b.p, b.len, "flat.json", &l, &err) == 0 && l.n == 1,
       "brackets inside strings do not count as nesting");
    mld_test_list_free(&l);

    /* Oversized fields. */
    mld_test_build(&b, "{\"urn\": \"u\", \"headline\": \"", "x", "", MLD_MAX_FIELD_BYTES + 1,
                   "\"}");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_TOOBIG, "field \"headline\"", "oversized headline");
    mld_test_build(&b, "{\"urn\": \"", "u", "", MLD_MAX_ID_BYTES + 1, "\"}");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_TOOBIG, "field \"urn\"", "oversized urn");
    mld_test_refused(&refuse, "{}", MLD_MAX_DOC_BYTES + 1, MLD_E_TOOBIG, "more than",
                     "oversized document");

    /* A body nested too deeply names the field. */
    mld_test_build(&b, "{\"urn\": \"u\", \"article_html\": \"", "<b>", "", 100, "\"}");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_DEPTH, "field \"article_html\": HTML nested deeper",
                     "deeply nested article_html");
    mld_buf_dispose(&b);
}

static void
test_misc(void)
{
    /* A byte-order mark is fine. */
    const char *bom = "\xef\xbb\xbf  {\"urn\": \"u\", \"headline\": \"H\"}";
    struct mld_test_list l = {0};
    struct mld_err err;
    ok(mld_format_dpa.sniff(bom, strlen(bom)), "sniff: BOM and spaces before '{'");
    ok(mld_test_parse(&mld_format_dpa, bom, strlen(bom), "bom.json", &l, &err) == 0 && l.n == 1,
       "parse: BOM skipped");
    mld_test_list_free(&l);

    ok(mld_format_dpa.sniff("{\"entries\": []}", 15), "sniff: empty batch");
    ok(!mld_format_dpa.sniff("<?xml version=\"1.0\"?><rss/>", 27), "sniff: not XML");
    ok(!mld_format_dpa.sniff("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}",
                             58),
       "sniff: not JSON Feed");
    ok(!mld_format_dpa.sniff("", 0), "sniff: empty");
    ok(mld_format_detect("{\"urn\": \"x\"}", 12) == &mld_format_dpa, "detect: digitalwires");
    ok(mld_format_detect("hello", 5) == NULL, "detect: unknown gives NULL");

    /* Empty batch: nothing, no error. */
    ok(mld_test_parse(&mld_format_dpa, "{\"entries\": []}", 15, "e.json", &l, &err) == 0 &&
           l.n == 0,
       "empty batch parses to nothing");

    /* The sink stops the parse. */
    const char *two = "{\"entries\": [{\"urn\": \"a\"}, {\"urn\": \"b\"}, {\"urn\": \"c\"}]}";
    l.stop_after = 2;
    int rc = mld_test_parse(&mld_format_dpa, two, strlen(two), "two.json", &l, &err);
    ok(rc == MLD_E_STORE && l.n == 2 && strstr(err.msg, "two.json: entry 2") != NULL,
       "a sink error stops the parse: %s", err.msg);
    mld_test_list_free(&l);

    /* A picture on the site itself ("/static/...") is kept; one that a
     * browser would fetch from another host ("//", "/\\") is not. */
    const char *pics = "{\"urn\": \"u\", \"headline\": \"H\", \"associations\": ["
                       "{\"type\": \"image\", \"renditions\": [{\"url\": \"/static/a-600.jpg\", "
                       "\"width\": 600}, {\"url\": \"//evil.example/b.jpg\", \"width\": 900}]}, "
                       "{\"type\": \"image\", \"renditions\": [{\"url\": \"/\\\\evil.example/c.jpg\"}, "
                       "{\"url\": \"javascript:alert(1)\"}]}]}";
    rc = mld_test_parse(&mld_format_dpa, pics, strlen(pics), "pics.json", &l, &err);
    ok(rc == 0 && l.n == 1 && l.v[0]->nmedia == 1 &&
           strcmp(l.v[0]->media[0].url, "/static/a-600.jpg") == 0 &&
           l.v[0]->media[0].nrenditions == 0,
       "a site path is a picture, another host's path is not");
    mld_test_list_free(&l);

    /* Notepad and ednotes never reach the article. */
    const char *np = "{\"urn\": \"u\", \"teaser\": \"T\", \"article_html\": \"<p>B</p>\", "
                     "\"notepad\": {\"nonpublic_html\": \"<p>Geheim 0171 99999</p>\", "
                     "\"public_html\": \"<p>Hinweis</p>\"}, "
                     "\"ednotes\": [{\"ednote\": \"Intern 0171 88888\"}]}";
    l.stop_after = 0;
    rc = mld_test_parse(&mld_format_dpa, np, strlen(np), "np.json", &l, &err);
    ok(rc == 0 && l.n == 1 && !mld_test_article_holds(l.v[0], "Geheim") &&
           !mld_test_article_holds(l.v[0], "Intern") && !mld_test_article_holds(l.v[0], "Hinweis"),
       "notepad and ednotes stay out");
    is_str(l.n ? l.v[0]->text : NULL, "T\nB", "text = teaser + newline + body text");
    mld_test_list_free(&l);

    /* A body with no text leaves only the teaser in text. */
    const char *empty = "{\"urn\": \"u\", \"teaser\": \"T\", \"article_html\": \"<p> </p>\"}";
    rc = mld_test_parse(&mld_format_dpa, empty, strlen(empty), "e.json", &l, &err);
    ok(rc == 0 && l.n == 1 && strcmp(l.v[0]->text, "T") == 0 && strcmp(l.v[0]->body_html, "") == 0,
       "empty body: text is the teaser");
    mld_test_list_free(&l);
}

int
main(void)
{
    mld_test_golden_run(&golden);
    test_corpus();
    test_census();
    test_wireq();
    test_malformed();
    test_misc();
    return mld_test_done();
}
