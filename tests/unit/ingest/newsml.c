/*
 * tests/unit/ingest/newsml.c - the NewsML-G2 parser.
 *
 * Checks: the golden fixtures in tests/golden/newsml (NAME.xml parsed and
 * dumped field by field against NAME.expected; MLD_GOLDEN_UPDATE=1 in the
 * environment rewrites the .expected files instead, for review); all 75
 * dpa sample items (usable, German, headline and body, sanitised, no
 * non-public notepad text in any field); the Superdesk fixtures with the
 * spot checks of Superdesk's own tests for dpa.xml; the Reuters pair (a
 * usable and a canceled version) replayed through a temporary store in
 * both orders, which must leave the article canceled; the 15
 * digitalwires/NewsML-G2 twins of dpa's converter compared field by field
 * with the digitalwires parser, with each tolerated difference listed and
 * justified; every IPTC example and schema unit-test file read without a
 * crash (counts reported); malformed and hostile input (truncated, XXE,
 * billion laughs, deep nesting, missing guid, bad values); the sniffer and
 * format detection.
 */
#include "../../../src/ingest/newsml.c"

#include <unistd.h>

#include "../../../src/store/store.h"

#include "ingest_test.h"

/* The golden cases: tests/golden/newsml/NAME.xml against NAME.expected, articles
 * separated by "--- item N", a media line; 8 cases at least. */
static const struct mld_test_golden golden = {
    &mld_format_newsml, "tests/golden/newsml", ".xml", "item", true, 8};

/* dpa sample items --------------------------------------------------------- */

/* Collects the non-public pieces of a G2 document: e-mail addresses and
 * phone numbers in any edNote and in the public/nonpublic inlineData
 * renditions, unless the public content (contentMeta, inlineXML) holds
 * them too. Returns the count. */
static int
secrets_of(const char *doc, size_t len, char secrets[][96], int max)
{
    xmlDocPtr d = xmlReadMemory(doc, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (d == NULL)
        return 0;
    struct mld_buf pub;
    mld_buf_init(&pub, MLD_MAX_DOC_BYTES);
    int n = 0;
    /* Iterative walk over every element. */
    xmlNode *root = xmlDocGetRootElement(d), *x = root;
    while (x != NULL) {
        bool descend = true;
        if (x->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)x->name;
            char *rendition = mld_xml_attr(x, "rendition");
            bool secret =
                strcmp(name, "edNote") == 0 || (strcmp(name, "inlineData") == 0 && rendition &&
                                                strstr(rendition, "public") != NULL);
            mld_free(rendition);
            if (secret || strcmp(name, "contentMeta") == 0 || strcmp(name, "inlineXML") == 0) {
                xmlChar *t = xmlNodeGetContent(x);
                if (secret)
                    n = mld_test_scan_secrets((const char *)t, secrets, n, max);
                else
                    mld_buf_puts(&pub, (const char *)t);
                xmlFree(t);
                descend = false;
            }
        }
        if (descend && x->children != NULL) {
            x = x->children;
            continue;
        }
        while (x != NULL && x->next == NULL)
            x = x->parent == (xmlNode *)d ? NULL : x->parent;
        if (x != NULL)
            x = x->next;
    }
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (pub.p == NULL || strstr(pub.p, secrets[i]) == NULL)
            memmove(secrets[kept++], secrets[i], 96);
    mld_buf_dispose(&pub);
    xmlFreeDoc(d);
    return kept;
}

/* What the dpa sample walk counts. */
struct sample {
    int good, secrets_checked, leaked, desks, topics;
};

static void
sample_item(struct mld_test_doc *d, void *ud)
{
    struct sample *c = ud;
    bool detected = mld_format_detect(d->doc, d->len) == &mld_format_newsml;
    if (d->rc != 0)
        diag("%s: %s", d->name, d->err.msg);
    if (d->rc != 0 || d->l.n != 1 || !detected)
        return;
    const struct mld_article *a = d->l.v[0];
    bool fine = a->pubstatus == MLD_PUB_USABLE && a->lang && strcmp(a->lang, "de") == 0 &&
                a->headline && *a->headline && a->body_html && *a->body_html && a->text && a->urn &&
                strncmp(a->urn, "urn:newsml:dpa.com:", 19) == 0 && a->version >= 1 &&
                a->version <= 24 && a->version_created != 0 && a->urgency >= 1 &&
                mld_test_tags_safe(a->body_html) &&
                !mld_test_article_holds(a, "nicht zur Veröffentlichung") &&
                !mld_test_article_holds(a, "Notizblock") && !strstr(a->body_html, "<h1");
    if (!fine)
        diag("%s: a field is missing or wrong", d->name);
    c->good += fine;
    char secrets[64][96];
    int ns = secrets_of(d->doc, d->len, secrets, 64);
    for (int s = 0; s < ns; s++)
        if (mld_test_article_holds(a, secrets[s])) {
            c->leaked++;
            diag("%s: non-public \"%s\" reached the article", d->name, secrets[s]);
        }
    c->secrets_checked += ns;
    for (int i = 0; i < a->ncategories; i++)
        c->desks += strncmp(a->categories[i], "desk:", 5) == 0;
    c->topics += a->ntopics > 0;
}

static void
test_dpa_sample(void)
{
    struct sample c = {0};
    int files = mld_test_walk_corpus(&mld_format_newsml, "dpa-newsmlg2-sample/items", ".xml", 0,
                                     sample_item, &c);
    if (files < 0)
        return;
    diag("dpa sample: %d files, %d good, %d non-public items checked, %d desks, %d with topics",
         files, c.good, c.secrets_checked, c.desks, c.topics);
    is_int(files, 75, "dpa sample: 75 items");
    is_int(c.good, 75, "dpa sample: every item usable, de, with urn, headline and body, sanitised");
    ok(c.secrets_checked >= 100, "dpa sample: %d non-public contacts checked", c.secrets_checked);
    is_int(c.leaked, 0, "dpa sample: no non-public contact reached an article");
    /* The corpus README counts 79 desks: 75 are the items' own desk
     * subjects, 4 are "broader" links of topic subjects (Umwelt, Wetter)
     * to the desk they belong under, which say nothing about the item. */
    is_int(c.desks, 75, "dpa sample: 75 desk categories, one per item");
}

/* Superdesk fixtures --------------------------------------------------------- */

static void
superdesk_checks(const char *file, const struct mld_test_list *l)
{
    if (strcmp(file, "dpa.xml") == 0) {
        /* The assertions of Superdesk's dpanewsml_test.py. */
        is_int(l->n, 1, "dpa.xml: one article");
        if (l->n != 1)
            return;
        const struct mld_article *a = l->v[0];
        is_str(a->headline, "Eintracht in London: Hintereggers Tränen und Attacke auf Reporter",
               "dpa.xml: headline");
        is_str(a->urn, "urn:newsml:dpa.com:20090101:221011-930-4303", "dpa.xml: urn");
        is_int(a->version, 1, "dpa.xml: version");
        is_int(a->urgency, 4, "dpa.xml: urgency");
        mld_test_time_is(a->version_created, "2022-10-11T09:14:42Z", "dpa.xml: versionCreated");
        is_int(a->pubstatus, MLD_PUB_USABLE, "dpa.xml: usable");
        is_str(a->lang, "de", "dpa.xml: lang");
        ok(mld_test_has_category(a, "keyword:Champions League") &&
               mld_test_has_category(a, "keyword:Frankfurt") &&
               mld_test_has_category(a, "keyword:London"),
           "dpa.xml: keywords");
        ok(mld_test_has_category(a, "desk:sp"), "dpa.xml: desk sp");
        ok(a->ntopics == 4 && strcmp(a->topics[0], "Deutschland") == 0 &&
               strcmp(a->topics[2], "Großbritannien") == 0,
           "dpa.xml: topics in rank order, German names");
        ok(a->body_html && strncmp(a->body_html, "<p>London (dpa) - 2019 gab es", 29) == 0,
           "dpa.xml: body starts with the dateline paragraph");
        ok(!mld_test_article_holds(a, "reichardt.patrick@dpa.com") &&
               !mld_test_article_holds(a, "030285232232"),
           "dpa.xml: notepad contacts stay out");
        /* Superdesk counts 226 words; so do we, give or take the dateline. */
        int words = 0;
        char *t = mld_test_paragraphs(a->body_html);
        for (char *p = t; *p != '\0'; p++)
            words += (p == t || p[-1] == ' ' || p[-1] == '\n') && *p != ' ' && *p != '\n';
        free(t);
        ok(words >= 220 && words <= 232, "dpa.xml: about 226 words in the body (%d)", words);
    } else if (strcmp(file, "ansa-newsmlg2-text.xml") == 0 && l->n == 1) {
        ok(l->v[0]->body_html && strncmp(l->v[0]->body_html, "<p>", 3) == 0 &&
               strstr(l->v[0]->body_html, "&lt;p&gt;") == NULL,
           "ansa: an HTML fragment sent as text/plain is read as HTML");
        is_str(l->v[0]->headline, "Catalan independence declaration unacceptable - Alfano",
               "ansa: headline without role, not the subHeadline");
        is_str(l->v[0]->lang, "it", "ansa: language tag");
    } else if (strcmp(file, "ap.xml") == 0) {
        is_int(l->n, 3, "ap.xml: three items in one message");
        if (l->n == 3)
            ok(l->v[0]->body_html && strstr(l->v[0]->body_html, "<p>FORT WASHINGTON, Pa. (AP)") &&
                   !strstr(l->v[0]->body_html, "<h2>Nutrisystem"),
               "ap.xml: NITF body.content in inlineXML");
    } else if (strcmp(file, "stt1.xml") == 0 && l->n == 1) {
        is_str(l->v[0]->signal, "sig:update", "stt1: signal");
        ok(l->v[0]->body_html && strstr(l->v[0]->body_html, "Revenio Groupin ja"),
           "stt1: unknown inline elements keep their text");
    } else if (strcmp(file, "snep.xml") == 0) {
        is_int(l->n, 0, "snep.xml: a package is not an article");
    } else if (strcmp(file, "scoop.xml") == 0 && l->n == 1) {
        mld_test_time_is(l->v[0]->version_created, "2016-01-12T12:35:40Z",
                         "scoop: date with a space");
        is_int(l->v[0]->embargo, 0, "scoop: empty embargoed is no embargo");
    }
}

/* What the Superdesk walk counts. */
struct superdesk {
    int parsed, articles;
};

static void
superdesk_file(struct mld_test_doc *d, void *ud)
{
    struct superdesk *c = ud;
    ok(mld_format_detect(d->doc, d->len) == &mld_format_newsml, "%s: detected as NewsML-G2",
       d->name);
    if (!ok(d->rc == 0, "%s: parses (%d articles)", d->name, d->l.n))
        diag("%s", d->err.msg);
    c->parsed += d->rc == 0;
    c->articles += d->l.n;
    for (int k = 0; k < d->l.n; k++)
        ok(mld_test_tags_safe(d->l.v[k]->body_html) && d->l.v[k]->urn &&
               strcmp(d->l.v[k]->format, "newsml-g2") == 0,
           "%s: item %d sanitised, with urn and format", d->name, k + 1);
    superdesk_checks(d->name, &d->l);
}

static void
test_superdesk(void)
{
    struct superdesk c = {0};
    int files = mld_test_walk_corpus(&mld_format_newsml, "superdesk-fixtures/newsml-g2", ".xml", 0,
                                     superdesk_file, &c);
    if (files < 0)
        return;
    diag("superdesk NewsML-G2: %d files, %d parsed, %d articles", files, c.parsed, c.articles);
    ok(files == 14 && c.parsed == 14, "all 14 superdesk NewsML-G2 files parse");
}

/* The Reuters pair: a usable version, then a canceled one. */
static void
test_reuters(void)
{
    const char *root = mld_test_corpus("superdesk-fixtures/newsml-g2");
    if (root == NULL)
        return;
    static const char *const names[] = {
        "tag_reuters.com_2016_newsml_L1N14N0FF_version_978556838.xml",
        "tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538.xml"};
    struct mld_test_list l = {0};
    for (int i = 0; i < 2; i++) {
        char path[4600];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", root, names[i]);
        char *doc = mld_test_slurp(path, &len);
        struct mld_err err;
        int rc = doc ? mld_test_parse(&mld_format_newsml, doc, len, names[i], &l, &err) : -1;
        ok(rc == 0 && l.n == i + 1, "reuters %d: parses", i);
        free(doc);
    }
    is_int(l.n, 2, "reuters: two versions");
    if (l.n != 2)
        goto out_free;
    struct mld_article *usable = l.v[0], *canceled = l.v[1];
    is_str(usable->urn, "tag:reuters.com,0000:newsml_L1N14N0FF", "reuters: one guid");
    is_str(canceled->urn, usable->urn, "reuters: same guid in both");
    is_int(usable->version, 978556838, "reuters: first version");
    is_int(usable->pubstatus, MLD_PUB_USABLE, "reuters: first version usable");
    is_int(canceled->version, 1542761538, "reuters: second version");
    is_int(canceled->pubstatus, MLD_PUB_CANCELED, "reuters: second version canceled");
    ok(usable->body_html && strlen(usable->body_html) > 1000, "reuters: the usable one has a body");
    /* Replay through a store, in delivery order and the other way round:
     * the canceled version is newer, so it wins either way. */
    for (int order = 0; order < 2; order++) {
        char dbpath[64];
        snprintf(dbpath, sizeof(dbpath), "/tmp/mld-newsml-test-%d-%d.db", (int)getpid(), order);
        unlink(dbpath);
        struct mld_store *st = NULL;
        struct mld_err err = {0};
        if (!ok(mld_store_open(&st, dbpath, &err) == 0, "store opens (%s)", err.msg))
            break;
        int64_t id = 0, id2 = 0;
        enum mld_put_result r1, r2;
        struct mld_article *first = order ? canceled : usable, *second = order ? usable : canceled;
        int rc = mld_store_put(st, first, &r1, &id, &err);
        rc |= mld_store_put(st, second, &r2, &id2, &err);
        ok(rc == 0 && id == id2 && id > 0, "store %d: both versions stored under one article",
           order);
        is_int(r2, order ? MLD_PUT_STALE : MLD_PUT_UPDATED, "store %d: the second put %s", order,
               order ? "is older" : "updates");
        struct mld_item it = {0};
        if (ok(mld_store_get(st, id, &it, &err) == 0, "store %d: article loads", order)) {
            is_int(it.a->pubstatus, MLD_PUB_CANCELED, "store %d: the article ends canceled", order);
            is_int(it.a->version, 1542761538, "store %d: current version is the canceled one",
                   order);
            ok(!mld_article_is_visible(it.a, mld_time_now()), "store %d: not visible", order);
        }
        is_int(mld_store_history_count(st, id), 2, "store %d: both versions in the history", order);
        mld_item_dispose(&it);
        mld_store_close(st);
        unlink(dbpath);
    }
out_free:
    mld_test_list_free(&l);
}

/* The digitalwires / NewsML-G2 twins ------------------------------------------ */

/* The differences the comparison accepts, per twin. dpa's converter
 * README calls its output an approximation; each entry says why. */
static const struct {
    const char *name;
    const char *field;
    const char *why;
} tolerated[] = {
    /* dpa's converter writes the dateline into the first paragraph
     * (<span class="dateline">) when article_html has none, or into an
     * empty first paragraph; digitalwires keeps it in its own field. The
     * rest of the body must still agree exactly. */
    {"dw-1", "body-dateline", "dateline merged into the first paragraph"},
    {"eil", "body-dateline", "dateline merged into the first paragraph"},
    {"embargoed", "body-dateline", "dateline merged into the first paragraph"},
    {"rubix_multimedia_real", "body-dateline", "dateline merged into the first paragraph"},
    {"rubix_multimedia_testartikel", "body-dateline", "dateline merged into the first paragraph"},
    {"empty_paragraph", "body-dateline", "dateline written into the empty first paragraph"},
};

static bool
is_tolerated(const char *name, const char *field)
{
    for (size_t i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]); i++)
        if (strcmp(tolerated[i].name, name) == 0 && strcmp(tolerated[i].field, field) == 0)
            return true;
    return false;
}

static bool
eq_str(const char *a, const char *b)
{
    return (a == NULL || *a == '\0') ? (b == NULL || *b == '\0') : (b != NULL && strcmp(a, b) == 0);
}

/* Compares one twin; returns the number of differences not tolerated, and
 * counts all differences in *diffs. */
static int
compare_twin(const char *name, const struct mld_article *j, const struct mld_article *x, int *diffs)
{
    int bad = 0;
    char *jp = mld_test_paragraphs(j->body_html), *xp = mld_test_paragraphs(x->body_html);
    struct {
        const char *field;
        bool same;
        const char *got, *want;
    } f[] = {
        {"urn", eq_str(x->urn, j->urn), x->urn, j->urn},
        {"version", x->version == j->version, NULL, NULL},
        {"pubstatus", x->pubstatus == j->pubstatus, NULL, NULL},
        {"embargo", x->embargo == j->embargo, NULL, NULL},
        {"urgency", x->urgency == j->urgency, NULL, NULL},
        {"version_created", x->version_created == j->version_created, NULL, NULL},
        {"lang", eq_str(x->lang, j->lang), x->lang, j->lang},
        {"kicker", eq_str(x->kicker, j->kicker), x->kicker, j->kicker},
        {"headline", eq_str(x->headline, j->headline), x->headline, j->headline},
        {"teaser", eq_str(x->teaser, j->teaser), x->teaser, j->teaser},
        {"body", eq_str(xp, jp), xp, jp},
        {"hold_reason", eq_str(x->hold_reason, j->hold_reason), x->hold_reason, j->hold_reason},
        {"date_source", x->date_source == j->date_source, NULL, NULL},
        {"media", x->nmedia == j->nmedia, NULL, NULL},
        {"media-url",
         x->nmedia == j->nmedia && (x->nmedia == 0 || eq_str(x->media[0].url, j->media[0].url)),
         x->nmedia ? x->media[0].url : NULL, j->nmedia ? j->media[0].url : NULL},
        {"media-alt",
         x->nmedia == j->nmedia && (x->nmedia == 0 || eq_str(x->media[0].alt, j->media[0].alt)),
         x->nmedia ? x->media[0].alt : NULL, j->nmedia ? j->media[0].alt : NULL},
    };
    /* The body once the dateline the converter put in front is taken
     * off: the paragraphs must then be the same. */
    if (!f[10].same && j->dateline != NULL) {
        char *dl = mld_test_paragraphs(j->dateline);
        size_t dn = strlen(dl);
        if (dn > 0 && strncmp(xp, dl, dn) == 0 && (xp[dn] == ' ' || xp[dn] == '\n') &&
            strcmp(xp + dn + 1, jp) == 0) {
            f[10].field = "body-dateline";
            f[10].got = "dateline + the same paragraphs";
        }
        free(dl);
    }
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (f[i].same)
            continue;
        (*diffs)++;
        bool tol = is_tolerated(name, f[i].field);
        bad += !tol;
        char got[121], want[121];
        snprintf(got, sizeof(got), "%s", f[i].got ? f[i].got : "-");
        snprintf(want, sizeof(want), "%s", f[i].want ? f[i].want : "-");
        for (char *p = got; *p != '\0'; p++)
            *p = *p == '\n' ? '|' : *p;
        for (char *p = want; *p != '\0'; p++)
            *p = *p == '\n' ? '|' : *p;
        diag("twin %s: %s differs%s: xml \"%s\" json \"%s\"", name, f[i].field,
             tol ? " (tolerated)" : "", got, want);
    }
    free(jp);
    free(xp);
    return bad;
}

/* What the twin walk counts. */
struct twins {
    int full, accepted;
};

/* Compares the digitalwires entry j (input/NAME.json) with its NewsML-G2
 * twin, ../output/NAME.xml from there. */
static void
twin(struct mld_test_doc *j, void *ud)
{
    struct twins *c = ud;
    char name[256], path[4600];
    snprintf(name, sizeof(name), "%.*s", (int)(strlen(j->name) - 5), j->name);
    snprintf(path, sizeof(path), "%.*s/../output/%s.xml",
             (int)(strlen(j->path) - strlen(j->name) - 1), j->path, name);
    struct mld_test_doc x;
    mld_test_doc_load(&x, &mld_format_newsml, path, name);
    if (!ok(j->rc == 0 && x.rc == 0 && j->l.n == 1, "twin %s: both parse", name)) {
        diag("%s", j->rc ? j->err.msg : x.err.msg);
    } else if (x.l.n == 0) {
        /* The converter made a ninat:picture item of it: not an article. */
        bool tol = is_tolerated(name, "picture");
        ok(tol, "twin %s: the G2 side is a picture item, skipped (tolerated)", name);
        c->accepted += tol;
    } else {
        int diffs = 0;
        int bad = compare_twin(name, j->l.v[0], x.l.v[0], &diffs);
        ok(bad == 0, "twin %s: agrees (%d differences, all tolerated)", name, diffs);
        c->full += diffs == 0;
        c->accepted += bad == 0;
    }
    mld_test_doc_dispose(&x);
}

static void
test_twins(void)
{
    struct twins c = {0};
    int twins = mld_test_walk_corpus(&mld_format_dpa, "dpa-digitalwires/to-newsmlg2/input", ".json",
                                     0, twin, &c);
    if (twins < 0)
        return;
    diag("twins: %d pairs, %d agree fully, %d agree up to tolerated differences", twins, c.full,
         c.accepted);
    is_int(twins, 15, "15 twins");
    is_int(c.accepted, 15, "every twin agrees up to the listed differences");
}

/* IPTC examples and schema unit tests ---------------------------------------- */

/* What a walk over IPTC files counts. */
struct tree {
    int files, accepted, articles;
};

/* Counts one IPTC file; notes rejections and unsafe bodies. */
static void
tree_file(struct mld_test_doc *d, void *ud)
{
    struct tree *c = ud;
    c->files++;
    c->accepted += d->rc == 0;
    c->articles += d->l.n;
    if (d->rc != 0 && (d->err.code != d->rc || strncmp(d->err.msg, d->name, strlen(d->name)) != 0))
        diag("%s: error without a message naming the file: %s", d->name, d->err.msg);
    if (d->rc != 0)
        diag("rejected %s: %s", d->name, d->err.msg);
    for (int k = 0; k < d->l.n; k++)
        if (!mld_test_tags_safe(d->l.v[k]->body_html))
            diag("%s: unsafe body", d->name);
}

/* Parses every .xml below dir, four folder levels deep at most. */
static void
read_tree(const char *dir, struct tree *c)
{
    mld_test_walk(&mld_format_newsml, dir, ".xml", 4, tree_file, c);
}

static void
test_iptc(void)
{
    const char *root = mld_test_corpus("iptc-newsml-g2");
    if (root == NULL)
        return;
    char dir[4200];
    struct tree ex = {0};
    snprintf(dir, sizeof(dir), "%s/examples", root);
    read_tree(dir, &ex);
    diag("IPTC examples: %d files, %d accepted, %d articles", ex.files, ex.accepted, ex.articles);
    /* Rejected: LISTING_7/8/9 (root groupSet), 25 (contentSet) and 28
     * (contentMeta) are fragments of an item, not documents. */
    ok(ex.files == 35 && ex.accepted == 30, "IPTC examples read without a crash");
    static const struct {
        const char *file, *headline, *body;
    } listings[] = {
        {"LISTING_2_NewsML-G2_Text_Document.xml", "Fed to halt QE to avert \"bubble\"",
         "<p>(New York, NY - October 21) Et, sent luptat"},
        {"LISTING_22_Sports_story_in_NewsML-G2NITF.xml", NULL, "<p>"},
    };
    for (size_t i = 0; i < sizeof(listings) / sizeof(listings[0]); i++) {
        char path[4600];
        snprintf(path, sizeof(path), "%s/examples/%s", root, listings[i].file);
        struct mld_test_doc d;
        mld_test_doc_load(&d, &mld_format_newsml, path, listings[i].file);
        const struct mld_article *a = d.l.n == 1 ? d.l.v[0] : NULL;
        ok(d.rc == 0 && a && a->body_html &&
               strncmp(a->body_html, listings[i].body, strlen(listings[i].body)) == 0 &&
               (listings[i].headline == NULL ||
                (a->headline && strcmp(a->headline, listings[i].headline) == 0)),
           "%s: NITF in inlineXML gives the body", listings[i].file);
        mld_test_doc_dispose(&d);
    }
    /* should_pass and should_fail files, every schema version. */
    struct tree pass = {0}, fail = {0};
    char **versions;
    snprintf(dir, sizeof(dir), "%s/unit_test_files", root);
    int nv = mld_test_names(dir, NULL, &versions);
    for (int i = 0; i < nv; i++) {
        char sub[4600];
        snprintf(sub, sizeof(sub), "%s/%s/should_pass", dir, versions[i]);
        read_tree(sub, &pass);
        snprintf(sub, sizeof(sub), "%s/%s/should_fail", dir, versions[i]);
        read_tree(sub, &fail);
    }
    mld_test_names_free(versions, nv);
    diag("IPTC should_pass: %d files, %d accepted, %d articles", pass.files, pass.accepted,
         pass.articles);
    diag("IPTC should_fail: %d files, %d accepted, %d rejected, %d articles", fail.files,
         fail.accepted, fail.files - fail.accepted, fail.articles);
    is_int(pass.files + fail.files, 161, "IPTC unit test files: all 161 read without a crash");
    is_int(pass.accepted, pass.files, "IPTC should_pass: every file accepted");
}

/* Malformed and hostile input --------------------------------------------- */

static const struct mld_test_refuse refuse = {&mld_format_newsml, "bad.xml", true};

#define G2 "xmlns=\"http://iptc.org/std/nar/2006-10-01/\""
#define TEXT "<itemMeta><itemClass qcode=\"ninat:text\"/>"

static void
test_malformed(void)
{
    static const struct mld_test_bad bad[] = {
        {"<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentMeta><headline>H", MLD_E_PARSE,
         "line 1, column", "truncated XML"},
        {"", MLD_E_PARSE, NULL, "empty document"},
        {"<newsItem " G2 ">" TEXT "</itemMeta></newsItem>", MLD_E_MISSING,
         "bad.xml: item 1: no guid", "missing guid"},
        {"<newsItem " G2 " guid=\"\">" TEXT "</itemMeta></newsItem>", MLD_E_MISSING, "no guid",
         "empty guid"},
        {"<newsItem " G2 " guid=\"u\" version=\"0\">" TEXT "</itemMeta></newsItem>", MLD_E_PARSE,
         "version \"0\"", "version 0"},
        {"<newsItem " G2 " guid=\"u\" version=\"2b\">" TEXT "</itemMeta></newsItem>", MLD_E_PARSE,
         "version \"2b\"", "version not a number"},
        {"<newsItem " G2 " guid=\"u\">" TEXT
         "<embargoed>2025-13-45T99:00:00Z</embargoed></itemMeta></newsItem>",
         MLD_E_PARSE, "embargoed: not a timestamp", "unreadable embargo"},
        {"<newsItem " G2 " guid=\"u\">" TEXT
         "<pubStatus qcode=\"stat:gone\"/></itemMeta></newsItem>",
         MLD_E_PARSE, "pubStatus: unknown qcode \"stat:gone\"", "unknown pubStatus"},
        {"<newsItem xmlns=\"http://example.com/other\" guid=\"u\"/>", MLD_E_PARSE, "not NewsML-G2",
         "foreign namespace"},
        {"<contentSet " G2 "><inlineXML/></contentSet>", MLD_E_PARSE,
         "root element is <contentSet>", "a fragment is not a document"},
        {"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
         "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentMeta><headline>&e;"
         "</headline></contentMeta></newsItem>",
         MLD_E_PARSE, "declares entities", "XXE: external entity refused"},
        {"<!DOCTYPE newsItem [<!ENTITY a \"x\">]><newsItem " G2 " guid=\"u\">" TEXT
         "</itemMeta></newsItem>",
         MLD_E_PARSE, "declares entities", "internal entity refused"},
    };
    mld_test_refused_all(&refuse, bad, sizeof(bad) / sizeof(bad[0]));
    /* Billion laughs: refused at once, nothing expanded. */
    mld_test_laughs(&refuse, "newsItem",
                    "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentMeta>"
                    "<headline>&l9;</headline></contentMeta></newsItem>");
    /* 100-deep nesting. */
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    mld_test_build(&b, "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentSet><inlineXML>",
                   "<div>", "</div>", 100, "</inlineXML></contentSet></newsItem>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_DEPTH, "nested deeper", "100-deep nesting");
    /* Oversized fields. */
    mld_test_build(&b, "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentMeta><headline>",
                   "x", "", MLD_MAX_FIELD_BYTES + 1, "</headline></contentMeta></newsItem>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_TOOBIG, "item 1: headline", "oversized headline");
    mld_test_build(&b, "<newsItem " G2 " guid=\"", "u", "", MLD_MAX_ID_BYTES + 1,
                   "\">" TEXT "</itemMeta></newsItem>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_TOOBIG, "guid", "oversized guid");
    mld_test_refused(&refuse, "<newsItem/>", MLD_MAX_DOC_BYTES + 1, MLD_E_TOOBIG, NULL,
                     "oversized document");
    /* A body nested too deeply for the sanitiser's model is its error. */
    mld_test_build(&b,
                   "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta><contentSet>"
                   "<inlineData contenttype=\"text/plain\">",
                   "&lt;b&gt;", "", 100, "x&lt;/b&gt;</inlineData></contentSet></newsItem>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_DEPTH, "inlineData: HTML nested deeper",
                     "HTML in inlineData nested too deeply");
    mld_buf_dispose(&b);
}

static void
test_misc(void)
{
    static const struct mld_test_sniff sniffs[] = {
        {"<newsItem " G2 ">", true},
        {"<newsMessage>", true},
        {"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!--BusinessDesk NewsML-->\n<newsMessage " G2 ">",
         true},
        {"<?xml version='1.0' encoding='utf8'?>\n<ns0:newsMessage xmlns:ns0=\"x\">", true},
        {"<!DOCTYPE newsItem [ <!ELEMENT x ANY> ]>\n<g2:newsItem>", true},
        {"<packageItem " G2 ">", false},
        {"<nitf><head/><body><newsItem/></body></nitf>", false},
        {"<rss><channel><description>&lt;newsItem&gt;</description></channel></rss>", false},
        {"{\"urn\": \"<newsItem>\"}", false},
        {"<newsItemX>", false},
        {"<newsIt", false},
        {"", false},
    };
    mld_test_sniffs(&mld_format_newsml, "NewsML-G2", sniffs, sizeof(sniffs) / sizeof(sniffs[0]));
    /* A long comment pushes the root out of the sniffer's window. */
    char *longdoc = malloc(9000);
    size_t n = (size_t)snprintf(longdoc, 9000, "<!--");
    memset(longdoc + n, 'c', 5000);
    n += 5000;
    n += (size_t)snprintf(longdoc + n, 9000 - n, "--><newsItem " G2 ">");
    ok(!mld_format_newsml.sniff(longdoc, n), "sniff: looks at the first 4 KiB only");
    free(longdoc);
    const char *doc = "<newsItem " G2 " guid=\"u\">" TEXT "</itemMeta></newsItem>";
    ok(mld_format_detect(doc, strlen(doc)) == &mld_format_newsml, "detect: NewsML-G2");

    /* Other G2 items at the root: nothing, and no error. */
    struct mld_test_list l = {0};
    struct mld_err err;
    const char *concept = "<conceptItem " G2 " guid=\"c\"/>";
    ok(mld_test_parse(&mld_format_newsml, concept, strlen(concept), "c.xml", &l, &err) == 0 &&
           l.n == 0,
       "a conceptItem is not an article, and not an error");
    mld_test_list_free(&l);

    /* No namespace at all is read the same way. */
    const char *bare = "<newsItem guid=\"b\" version=\"2\">" TEXT "</itemMeta><contentMeta>"
                       "<headline>Ohne Namensraum</headline></contentMeta></newsItem>";
    ok(mld_test_parse(&mld_format_newsml, bare, strlen(bare), "b.xml", &l, &err) == 0 && l.n == 1 &&
           strcmp(l.v[0]->headline, "Ohne Namensraum") == 0 && l.v[0]->version == 2,
       "a document without namespace");
    mld_test_list_free(&l);

    /* A foreign element with a G2 name is not G2. */
    const char *foreign = "<newsItem " G2 " guid=\"f\">" TEXT "</itemMeta><contentMeta>"
                          "<x:headline xmlns:x=\"urn:other\">Falsch</x:headline>"
                          "<headline>Richtig</headline></contentMeta></newsItem>";
    ok(mld_test_parse(&mld_format_newsml, foreign, strlen(foreign), "f.xml", &l, &err) == 0 &&
           l.n == 1 && strcmp(l.v[0]->headline, "Richtig") == 0,
       "elements match by namespace, not by name alone");
    mld_test_list_free(&l);

    /* The sink stops the parse. */
    const char *two = "<newsMessage " G2 "><itemSet>"
                      "<newsItem guid=\"a\">" TEXT "</itemMeta></newsItem>"
                      "<newsItem guid=\"b\">" TEXT "</itemMeta></newsItem>"
                      "<newsItem guid=\"c\">" TEXT "</itemMeta></newsItem></itemSet></newsMessage>";
    l.stop_after = 2;
    int rc = mld_test_parse(&mld_format_newsml, two, strlen(two), "two.xml", &l, &err);
    ok(rc == MLD_E_STORE && l.n == 2 && strstr(err.msg, "two.xml: item 2: stopped") != NULL,
       "a sink error stops the parse: %s", err.msg);
    mld_test_list_free(&l);
    l.stop_after = 0;

    /* NULL err is fine. */
    struct mld_source src = {.name = "n.xml"};
    ok(mld_format_newsml.parse("<x/>", 4, &src, mld_test_keep, &l, NULL) == MLD_E_PARSE,
       "parse without an error record");
    mld_test_list_free(&l);

    /* A teaser paragraph fills an empty teaser; header and notepad stay out. */
    const char *xh = "<newsItem " G2 " guid=\"x\">" TEXT "</itemMeta><contentSet><inlineXML>"
                     "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><header><h1>H</h1>"
                     "</header><p class=\"teaser lead\">Vorspann</p><p>Text</p>"
                     "<section class=\"np-nonpublic\"><p>0171 99999</p></section></body></html>"
                     "</inlineXML></contentSet></newsItem>";
    rc = mld_test_parse(&mld_format_newsml, xh, strlen(xh), "x.xml", &l, &err);
    ok(rc == 0 && l.n == 1 && l.v[0]->teaser && strcmp(l.v[0]->teaser, "Vorspann") == 0 &&
           strcmp(l.v[0]->body_html, "<p>Text</p>") == 0 &&
           strcmp(l.v[0]->text, "Vorspann\nText") == 0,
       "XHTML without section.main: header, teaser paragraph and notepad taken out");
    mld_test_list_free(&l);
}

/* Version order by the date chain ---------------------------------------------- */

/* Two deliveries of one item with the same version number: the later one
 * is dated only by contentModified (versionCreated empty), and must still
 * compare newer; a version without any date compares older than a dated
 * one of the same number only through the pipeline's first-seen time, so
 * the parser leaves it at 0 and says MLD_DATE_SEEN. */
static void
test_version_order(void)
{
    static const char early[] =
        "<newsItem xmlns=\"" G2_NS "\" guid=\"urn:example:order-1\" version=\"5\">"
        "<itemMeta><itemClass qcode=\"ninat:text\"/>"
        "<versionCreated>2024-07-05T10:00:00+02:00</versionCreated></itemMeta>"
        "<contentMeta><headline>Erste Fassung</headline></contentMeta></newsItem>";
    static const char later[] =
        "<newsItem xmlns=\"" G2_NS "\" guid=\"urn:example:order-1\" version=\"5\">"
        "<itemMeta><itemClass qcode=\"ninat:text\"/><versionCreated></versionCreated></itemMeta>"
        "<contentMeta><contentCreated>2024-07-05T09:00:00+02:00</contentCreated>"
        "<contentModified>2024-07-05T11:30:00+02:00</contentModified>"
        "<headline>Überarbeitete Fassung</headline></contentMeta></newsItem>";
    static const char undated[] =
        "<newsItem xmlns=\"" G2_NS "\" guid=\"urn:example:order-1\" version=\"5\">"
        "<itemMeta><itemClass qcode=\"ninat:text\"/><versionCreated>morgen</versionCreated>"
        "</itemMeta><contentMeta><headline>Ohne Datum</headline></contentMeta></newsItem>";
    struct mld_test_list a = {0}, b = {0}, u = {0};
    struct mld_err err;
    int rc = mld_test_parse(&mld_format_newsml, early, sizeof(early) - 1, "early.xml", &a, &err);
    rc |= mld_test_parse(&mld_format_newsml, later, sizeof(later) - 1, "later.xml", &b, &err);
    rc |= mld_test_parse(&mld_format_newsml, undated, sizeof(undated) - 1, "undated.xml", &u, &err);
    if (ok(rc == 0 && a.n == 1 && b.n == 1 && u.n == 1, "order: the three versions parse")) {
        is_int(b.v[0]->date_source, MLD_DATE_MODIFIED, "order: later dated by contentModified");
        mld_test_time_is(b.v[0]->version_created, "2024-07-05T09:30:00Z",
                         "order: contentModified, not contentCreated");
        ok(mld_article_version_cmp(b.v[0], a.v[0]) > 0 &&
               mld_article_version_cmp(a.v[0], b.v[0]) < 0,
           "order: the contentModified version compares newer");
        ok(u.v[0]->version_created == 0 && u.v[0]->date_source == MLD_DATE_SEEN,
           "order: an unreadable versionCreated alone leaves no date (first seen)");
    }
    mld_test_list_free(&a);
    mld_test_list_free(&b);
    mld_test_list_free(&u);
}

/* A picture item fetched from a web address: its relative remoteContent
 * (the binary beside the XML, as in dpa's photo deliveries) resolves
 * against that address and becomes one more size. */
static void
test_relative_picture(void)
{
    size_t len;
    char *doc = mld_test_slurp("tests/golden/newsml/picture_item.xml", &len);
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    struct mld_source src = {.name = "pic.xml", .url = "https://wire.example.com/photos/pic.xml"};
    int rc = doc ? mld_format_newsml.parse(doc, len, &src, mld_test_keep, &l, &err) : MLD_E_IO;
    if (ok(rc == 0 && l.n == 1 && l.v[0]->nmedia == 1, "relative: the picture item parses")) {
        const struct mld_media *m = &l.v[0]->media[0];
        is_str(m->url, "https://img.example.com/pic-1-s1600.jpeg", "relative: default 1600 wide");
        bool found = false;
        for (int i = 0; i < m->nrenditions; i++)
            found |=
                strcmp(m->renditions[i].url, "https://wire.example.com/photos/pic-1.jpeg") == 0 &&
                m->renditions[i].width == 5000;
        ok(found && m->nrenditions == 2, "relative: pic-1.jpeg resolved, a 5000 px rendition");
        is_str(l.v[0]->hold_reason, "Bildmeldung ohne Text", "relative: held");
    }
    mld_test_list_free(&l);
    free(doc);
}

int
main(void)
{
    mld_test_golden_run(&golden);
    test_version_order();
    test_relative_picture();
    test_dpa_sample();
    test_superdesk();
    test_reuters();
    test_twins();
    test_iptc();
    test_malformed();
    test_misc();
    return mld_test_done();
}
