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

#include "ingest_test.h"

/* The golden cases: tests/golden/nitf/NAME.xml against NAME.expected, articles
 * separated by "--- item N", a media line; 6 cases at least. */
static const struct mld_test_golden golden = {
    &mld_format_nitf, "tests/golden/nitf", ".xml", "item", true, 6};

/* The shared corpus --------------------------------------------------------- */

static void
spot_checks(const char *file, const struct mld_article *a)
{
    if (strcmp(file, "nitf-fishing.xml") == 0) {
        is_int(a->pubstatus, MLD_PUB_CANCELED, "nitf-fishing: canceled");
        is_str(a->urn, "iptc.321656141.b", "nitf-fishing: urn from doc-id");
        is_int(a->urgency, 3, "nitf-fishing: urgency");
        mld_test_time_is(a->version_created, "2002-02-25T19:30:00Z", "nitf-fishing: date.issue");
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
        ok(mld_test_has_category(a, "subject:subj:11006005"), "efe: IPTC subject code");
        ok(mld_test_has_category(a, "keyword:HONDURAS GOVERNMENT"), "efe: keyword");
        ok(a->dateline == NULL, "efe: a dateline of only story.date is no dateline");
    } else if (strcmp(file, "mapping_test.xml") == 0) {
        is_int(a->version, 4, "mapping_test: du-key version \"04\"");
        mld_test_time_is(a->version_created, "2016-05-11T22:05:13Z",
                         "mapping_test: ISO date.issue");
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
corpus_file(struct mld_test_doc *d, void *ud)
{
    int *parsed = ud;
    ok(mld_format_detect(d->doc, d->len) == &mld_format_nitf, "%s: detected as NITF", d->name);
    if (!ok(d->rc == 0 && d->l.n == 1, "%s: parses", d->name))
        diag("%s", d->err.msg);
    for (int k = 0; k < d->l.n; k++) {
        const struct mld_article *a = d->l.v[k];
        (*parsed)++;
        ok(a->urn && *a->urn && a->headline && *a->headline && a->version >= 1 &&
               strcmp(a->format, "nitf") == 0,
           "%s: urn, headline, version, format", d->name);
        ok(mld_test_tags_safe(a->body_html), "%s: body sanitised", d->name);
        spot_checks(d->name, a);
    }
}

static void
test_corpus(void)
{
    int parsed = 0;
    int files = mld_test_walk_corpus(&mld_format_nitf, "superdesk-fixtures/nitf", ".xml", 0,
                                     corpus_file, &parsed);
    if (files < 0)
        return;
    diag("superdesk NITF: %d files, %d parsed", files, parsed);
    ok(files == 9 && parsed == 9, "all 9 superdesk NITF files parse (%d of %d)", parsed, files);
}

/* Compares the digitalwires JSON and dpa's NITF of one article. */
static void
s3push_pair(const char *dir, const char *name)
{
    char path[4600];
    struct mld_test_doc jd, xd;
    snprintf(path, sizeof(path), "%s/input-%s.json", dir, name);
    mld_test_doc_load(&jd, &mld_format_dpa, path, "json");
    snprintf(path, sizeof(path), "%s/nitf-%s.xml", dir, name);
    mld_test_doc_load(&xd, &mld_format_nitf, path, "nitf");
    if (!ok(jd.rc == 0 && xd.rc == 0 && jd.l.n == 1 && xd.l.n == 1, "s3push %s: both parse",
            name)) {
        diag("%s", jd.rc ? jd.err.msg : xd.err.msg);
        goto out_free;
    }
    const struct mld_article *j = jd.l.v[0], *x = xd.l.v[0];
    is_str(x->urn, j->urn, "s3push %s: dpa's NITF doc-id gives the digitalwires urn", name);
    is_str(x->headline, j->headline, "s3push %s: headline", name);
    is_str(x->kicker, j->kicker, "s3push %s: kicker (hl2 ShortHeadLine)", name);
    is_str(x->teaser, j->teaser, "s3push %s: teaser (abstract)", name);
    is_int(x->urgency, j->urgency, "s3push %s: urgency", name);
    /* Documented difference: dpa's NITF merges the dateline into the first
     * paragraph ("Emden (dpa) - Die ..."); digitalwires 0.5 keeps it in
     * its own field. So the JSON body gets its dateline put in front. */
    char *jp = mld_test_paragraphs(j->body_html), *xp = mld_test_paragraphs(x->body_html);
    size_t dn = j->dateline ? strlen(j->dateline) : 0;
    char *jdl = malloc(strlen(jp) + dn + 1);
    snprintf(jdl, strlen(jp) + dn + 1, "%s%s", j->dateline ? j->dateline : "", jp);
    is_str(xp, jdl, "s3push %s: same body paragraphs once the dateline is put in front", name);
    ok(j->dateline && strncmp(xp, j->dateline, strlen(j->dateline) - 1) == 0,
       "s3push %s: the NITF body starts with the dateline", name);
    bool rubric = false;
    for (int i = 0; i < x->ncategories; i++)
        if (strncmp(x->categories[i], "rubric:", 7) == 0)
            rubric = mld_test_has_category(j, x->categories[i]);
    ok(rubric, "s3push %s: the fixture is one of the digitalwires rubrics", name);
    ok(mld_test_has_category(x, "desk:ku") && mld_test_has_category(j, "desk:ku"),
       "s3push %s: desk from doc-scope", name);
    is_int(x->nmedia, 3 - (strcmp(name, "starline") == 0) * 2,
           "s3push %s: one media per NITF media element", name);
    is_int(x->nmedia, j->nmedia, "s3push %s: as many pictures as digitalwires associations", name);
    int same_alt = 0, sized = 0;
    for (int i = 0; i < x->nmedia && i < j->nmedia; i++) {
        const struct mld_media *xm = &x->media[i], *jm = &j->media[i];
        same_alt += xm->alt != NULL && jm->alt != NULL && strcmp(xm->alt, jm->alt) == 0;
        sized += xm->kind == MLD_MEDIA_PICTURE && xm->width == 800 && xm->nrenditions == 7 &&
                 xm->credit != NULL;
    }
    is_int(same_alt, x->nmedia, "s3push %s: alt-text of every picture as the JSON headline", name);
    is_int(sized, x->nmedia,
           "s3push %s: every picture 800 px wide (the widest), 7 more sizes, a producer", name);
    ok((x->aside_html == NULL) == (j->aside_html == NULL) &&
           (x->aside_html == NULL ||
            (strncmp(x->aside_html, "<aside class=\"linkbox\">", 23) == 0 &&
             strncmp(j->aside_html, "<aside class=\"linkbox\">", 23) == 0 &&
             strstr(x->aside_html, "<a href=") != NULL)),
       "s3push %s: the link box is an aside in both formats", name);
    free(jp);
    free(xp);
    free(jdl);
out_free:
    mld_test_doc_dispose(&jd);
    mld_test_doc_dispose(&xd);
}

static void
test_s3push(void)
{
    const char *root = mld_test_corpus("dpa-digitalwires/s3push-example");
    if (root == NULL)
        return;
    s3push_pair(root, "infoline");
    s3push_pair(root, "starline");
    /* The example converter's own NITF (not a dpa product) reads too. */
    for (int i = 0; i < 2; i++) {
        const char *which = i ? "starline" : "infoline";
        char path[4600];
        snprintf(path, sizeof(path), "%s/transformed-%s.xml", root, which);
        struct mld_test_doc d;
        mld_test_doc_load(&d, &mld_format_nitf, path, "transformed");
        ok(d.rc == 0 && d.l.n == 1, "s3push transformed-%s: parses (%s)", which,
           d.rc ? d.err.msg : "ok");
        mld_test_doc_dispose(&d);
    }
}

/* Malformed and hostile input --------------------------------------------- */

static const struct mld_test_refuse refuse = {&mld_format_nitf, "bad.xml", true};

static void
test_malformed(void)
{
    static const struct mld_test_bad bad[] = {
        {"<nitf><head><docdata><doc-id id-string=\"a\"/></docdata></head><body>", MLD_E_PARSE,
         "line 1, column", "truncated XML"},
        {"", MLD_E_PARSE, NULL, "empty document"},
        {"<rss version=\"2.0\"><channel/></rss>", MLD_E_PARSE, "not NITF", "wrong root"},
        {"<?xml version=\"1.0\"?><!DOCTYPE nitf [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
         "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
         "<body><body.head><hedline><hl1>&e;</hl1></hedline></body.head></body></nitf>",
         MLD_E_PARSE, "declares entities", "XXE: external entity refused"},
        /* A small declared entity is refused as well: nothing is expanded. */
        {"<!DOCTYPE nitf [<!ENTITY a \"x\">]><nitf><head><docdata>"
         "<doc-id id-string=\"x\"/></docdata></head></nitf>",
         MLD_E_PARSE, "declares entities", "internal entity refused"},
        /* Invalid UTF-8 is not well-formed. */
        {"<?xml version=\"1.0\" encoding=\"UTF-8\"?><nitf><head><title>\xff\xfe</title>"
         "</head></nitf>",
         MLD_E_PARSE, "line 1", "invalid UTF-8"},
    };
    mld_test_refused_all(&refuse, bad, sizeof(bad) / sizeof(bad[0]));
    /* Billion laughs: refused at once, nothing expanded. */
    mld_test_laughs(&refuse, "nitf",
                    "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
                    "<body><body.content><p>&l9;</p></body.content></body></nitf>");
    /* 100-deep nesting. */
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    mld_test_build(&b,
                   "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head><body>"
                   "<body.content>",
                   "<block>", "</block>", 100, "</body.content></body></nitf>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_DEPTH, "nested deeper", "100-deep nesting");
    /* Oversized headline. */
    mld_test_build(&b,
                   "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head>"
                   "<body><body.head><hedline><hl1>",
                   "x", "", MLD_MAX_FIELD_BYTES + 1, "</hl1></hedline></body.head></body></nitf>");
    mld_test_refused(&refuse, b.p, b.len, MLD_E_TOOBIG, "hl1", "oversized headline");
    mld_buf_dispose(&b);
    mld_test_refused(&refuse, "<nitf/>", MLD_MAX_DOC_BYTES + 1, MLD_E_TOOBIG, NULL,
                     "oversized document");
}

static void
test_misc(void)
{
    static const struct mld_test_sniff sniffs[] = {
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
    mld_test_sniffs(&mld_format_nitf, "NITF", sniffs, sizeof(sniffs) / sizeof(sniffs[0]));
    const char *doc = "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head></nitf>";
    ok(mld_format_detect(doc, strlen(doc)) == &mld_format_nitf, "detect: NITF");

    /* The sink stops the parse. */
    struct mld_test_list l = {.stop_after = 1};
    struct mld_err err;
    int rc = mld_test_parse(&mld_format_nitf, doc, strlen(doc), "s.xml", &l, &err);
    ok(rc == MLD_E_STORE && l.n == 1 && strncmp(err.msg, "s.xml: stopped", 14) == 0,
       "a sink error stops the parse: %s", err.msg);
    mld_test_list_free(&l);

    /* NULL err is fine. */
    struct mld_source src = {.name = "n.xml"};
    ok(mld_format_nitf.parse("<x/>", 4, &src, mld_test_keep, &l, NULL) == MLD_E_PARSE,
       "parse without an error record");
    mld_test_list_free(&l);

    l.stop_after = 0;
    /* ed-msg never reaches the article. */
    const char *ed = "<nitf><head><docdata><doc-id id-string=\"x\"/>"
                     "<ed-msg info=\"Geheim 0171 99999\"/></docdata></head><body><body.head>"
                     "<hedline><hl1>H</hl1></hedline></body.head><body.content><p>B</p>"
                     "<note><p>Intern 0171 88888</p></note></body.content></body></nitf>";
    rc = mld_test_parse(&mld_format_nitf, ed, strlen(ed), "ed.xml", &l, &err);
    ok(rc == 0 && l.n == 1 && !strstr(l.v[0]->text, "0171") && !strstr(l.v[0]->body_html, "0171"),
       "ed-msg and notes stay out");
    mld_test_list_free(&l);
}

int
main(void)
{
    mld_test_golden_run(&golden);
    test_corpus();
    test_s3push();
    test_malformed();
    test_misc();
    return mld_test_done();
}
