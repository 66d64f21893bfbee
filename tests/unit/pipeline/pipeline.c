/*
 * Tests for pipeline.c: made headlines (first sentence, abbreviations,
 * numbers, the cut at a word boundary with "…"), the rules applied to each
 * entry (hold from hold_reason, media-only held, refusal, headline made
 * with a note, undated marked for first sight, the source's section),
 * whole documents (every entry refused fails, one refused of two does
 * not), storing (first-sight dating, kept for a later version; counts of
 * held, withdrawn and date sources) and the summary's extra counts.
 */
#include "../../../src/pipeline/pipeline.c"

#include <stdlib.h>
#include <unistd.h>

#include "test.h"

static void
test_headline(void)
{
    char h[512];
    mld_pipeline_headline("Die Fähre fährt wieder. Sie war zwei Tage gesperrt.", h, sizeof(h));
    is_str(h, "Die Fähre fährt wieder", "first sentence, without its full stop");
    mld_pipeline_headline("Wer zahlt? Die Stadt will nicht.", h, sizeof(h));
    is_str(h, "Wer zahlt?", "a question keeps its mark");
    mld_pipeline_headline("Dr. Weber eröffnet am 3. Februar die Messe. Sie dauert.", h, sizeof(h));
    is_str(h, "Dr. Weber eröffnet am 3. Februar die Messe", "abbreviations and ordinals do not end it");
    mld_pipeline_headline("Das gilt z. B. für Busse. Auch für Bahnen.", h, sizeof(h));
    is_str(h, "Das gilt z. B. für Busse", "single letters do not end it");
    mld_pipeline_headline("  Zeile eins ohne Punkt\nZeile zwei", h, sizeof(h));
    is_str(h, "Zeile eins ohne Punkt", "a line break ends it; leading space goes");
    mld_pipeline_headline("Version 2.5 ist da. Mehr folgt.", h, sizeof(h));
    is_str(h, "Version 2.5 ist da", "a point inside a number does not end it");
    mld_pipeline_headline("   ", h, sizeof(h));
    is_str(h, "", "blank text makes no headline");
    mld_pipeline_headline(NULL, h, sizeof(h));
    is_str(h, "", "NULL makes no headline");

    const char *longtext = "Nach monatelangen Verhandlungen über die künftige Finanzierung der "
                           "städtischen Bäder haben sich Stadtrat und Verwaltung am späten Abend "
                           "auf einen Kompromiss geeinigt. Details folgen.";
    size_t n = mld_pipeline_headline(longtext, h, sizeof(h));
    ok(n == strlen(h), "the length is returned");
    ok(n > 3 && strcmp(h + n - 3, "\xe2\x80\xa6") == 0, "a cut headline ends in an ellipsis: %s", h);
    size_t chars = 0;
    for (const char *p = h; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    ok(chars <= MLD_HEADLINE_MADE_CHARS, "at most MLD_HEADLINE_MADE_CHARS characters (%zu)", chars);
    ok(h[n - 4] != ' ', "no space before the ellipsis");
    char word[512];
    snprintf(word, sizeof(word), "%.*s", (int)(n - 3), h);
    const char *at = strstr(longtext, word);
    ok(at == longtext && (longtext[strlen(word)] == ' ' || longtext[strlen(word)] == ','),
       "cut at a word boundary");

    char small[8];
    mld_pipeline_headline("Überall Änderungen.", small, sizeof(small));
    ok(strlen(small) < sizeof(small), "a small buffer is never overrun");
    mld_pipeline_headline("Überall.", small, 3);
    is_str(small, "Ü", "a small buffer ends after a whole character");
    mld_pipeline_headline("Überall.", small, 2);
    is_str(small, "", "... never inside one");
    char one[1] = {'x'};
    is_int((int)mld_pipeline_headline("Text.", one, 1), 0, "size 1: only the NUL");
    is_str(one, "", "... which is written");
}

/* A new article with urn and headline (NULL for none). */
static struct mld_article *
article(const char *urn, const char *headline, const char *text)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = 1;
    a->version_created = 1769990400; /* 2026-02-02 */
    a->headline = headline ? mld_strdup(headline) : NULL;
    a->text = text ? mld_strdup(text) : NULL;
    return a;
}

static void
test_rules(void)
{
    struct mld_source src = {.name = "feed.xml", .section = "Digital"};
    struct mld_parsed p = {.src = &src};

    struct mld_article *a = article("urn:held", "Hinweis an die Redaktionen", "Nicht senden.");
    a->hold_reason = mld_strdup("dpa-Hinweis: nicht zur Veröffentlichung bestimmt");
    keep_article(&p, a);
    is_int(p.n, 1, "a held entry is kept");
    is_int(p.v[0]->pubstatus, MLD_PUB_HELD, "... as MLD_PUB_HELD");
    is_str(p.v[0]->hold_reason, "dpa-Hinweis: nicht zur Veröffentlichung bestimmt",
           "... with its reason");
    is_str(p.v[0]->section, "Digital", "the source's section applies");

    a = article("urn:kill", "Zurückgezogen", "Bitte nicht verwenden.");
    a->pubstatus = MLD_PUB_CANCELED;
    a->hold_reason = mld_strdup("Hinweis");
    keep_article(&p, a);
    is_int(p.v[1]->pubstatus, MLD_PUB_CANCELED, "a withdrawal stays a withdrawal");

    a = article("urn:pic", NULL, NULL);
    struct mld_media *m = mld_article_add_media(a, "https://x.example/a.jpg", "image/jpeg", 0,
                                                "Der neue Mast am Waldrand. Foto: Stadt");
    ok(m != NULL, "media added");
    keep_article(&p, a);
    is_int(p.n, 3, "a media-only entry is kept");
    is_int(p.v[2]->pubstatus, MLD_PUB_HELD, "... held");
    ok(p.v[2]->hold_reason != NULL, "... with a reason");
    is_str(p.v[2]->headline, "Der neue Mast am Waldrand", "... headline from its caption");

    a = article("urn:pic2", NULL, NULL);
    mld_article_add_media(a, "https://x.example/b.mp4", "video/mp4", 0, NULL);
    keep_article(&p, a);
    is_str(p.v[3]->headline, "Video", "no caption: the kind of media");

    a = article("urn:empty", "  ", NULL);
    keep_article(&p, a);
    is_int(p.n, 4, "an entry with neither headline nor text nor media is refused");
    is_int((int)p.refused, 1, "... and counted");

    a = article("urn:nohead", NULL, "Der Markt zieht um. Ab Montag auf den Domplatz.");
    a->version_created = 0;
    keep_article(&p, a);
    is_str(p.v[4]->headline, "Der Markt zieht um", "no headline: made from the text");
    is_int(p.v[4]->date_source, MLD_DATE_SEEN, "no date: marked for first sight");
    is_int((int)p.v[4]->version_created, 0, "... dated only when stored");

    int refused_notes = 0, made_notes = 0;
    for (int i = 0; i < p.nnotes; i++) {
        refused_notes += strstr(p.notes[i], "feed.xml: entry 5 (urn:empty): refused: ") != NULL;
        made_notes += strstr(p.notes[i], "feed.xml: entry 6 (urn:nohead): no headline; made "
                                         "\"Der Markt zieht um\" from the text") != NULL;
    }
    is_int(refused_notes, 1, "the refusal is noted with source, entry and urn");
    is_int(made_notes, 1, "the made headline is noted with source, entry and urn");
    mld_parsed_dispose(&p);
    is_int(p.n, 0, "dispose empties");
}

/* A feed of many empty items reports the first MLD_PIPELINE_MAX_NOTES. */
static void
test_many_notes(void)
{
    struct mld_source src = {.name = "many.xml"};
    struct mld_parsed p = {.src = &src};
    for (int i = 0; i < MLD_PIPELINE_MAX_NOTES + 5; i++)
        keep_article(&p, article("urn:e", NULL, NULL));
    keep_article(&p, article("urn:ok", "Gut", NULL));
    is_int(p.nnotes, MLD_PIPELINE_MAX_NOTES, "notes stop at MLD_PIPELINE_MAX_NOTES");
    is_int((int)p.notes_dropped, 5, "... the rest are counted");
    is_int((int)p.refused, MLD_PIPELINE_MAX_NOTES + 5, "every refusal is counted");
    is_int(p.n, 1, "the good entry is kept");
    mld_parsed_dispose(&p);
}

static void
test_documents(void)
{
    struct mld_source src = {.name = "in/leer.json"};
    struct mld_parsed p;
    struct mld_err err = {0};
    const char *one = "{\"urn\": \"urn:newsml:dpa.com:20090101:leer\", \"version\": 1, "
                      "\"version_created\": \"2026-02-02T10:00:00Z\", \"pubstatus\": \"usable\"}";
    int rc = mld_pipeline_parse(one, strlen(one), &src, NULL, &p, &err);
    is_int(rc, MLD_E_PARSE, "a document of refused entries fails");
    ok(strstr(err.msg, "in/leer.json: entry 1 (urn:newsml:dpa.com:20090101:leer): refused: "
                       "neither headline nor text nor media") == err.msg,
       "... with the reason, naming source and entry: %s", err.msg);
    is_int(p.n, 0, "... nothing kept");

    const char *two = "{\"entries\": [{\"urn\": \"urn:newsml:dpa.com:20090101:a\", "
                      "\"version\": 1, \"version_created\": \"2026-02-02T10:00:00Z\", "
                      "\"headline\": \"Eins\"}, {\"urn\": \"urn:newsml:dpa.com:20090101:b\", "
                      "\"version\": 1, \"version_created\": \"2026-02-02T10:00:00Z\"}]}";
    mld_err_clear(&err);
    rc = mld_pipeline_parse(two, strlen(two), &src, NULL, &p, &err);
    is_int(rc, 0, "a document with one good entry of two is stored");
    is_int(p.n, 1, "... the good one");
    is_int((int)p.refused, 1, "... the other refused");
    mld_parsed_dispose(&p);

    mld_err_clear(&err);
    rc = mld_pipeline_parse("hello", 5, &src, NULL, &p, &err);
    is_int(rc, MLD_E_UNSUPPORTED, "an unknown format fails");
    is_str(err.msg, "in/leer.json: not a format meldung reads", "... naming the source");
}

static void
test_store(void)
{
    char dir[] = "/tmp/mld-pipeline-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return;
    }
    char path[64];
    snprintf(path, sizeof(path), "%s/p.db", dir);
    struct mld_store *st;
    struct mld_err err = {0};
    if (mld_store_open(&st, path, &err) != 0) {
        ok(0, "open: %s", err.msg);
        return;
    }
    struct mld_source src = {.name = "x"};
    struct mld_parsed p = {.src = &src};
    struct mld_article *a = article("urn:undated", "Ohne Datum", "Text.");
    a->version_created = 0;
    a->entry_id = mld_strdup("undated-1");
    keep_article(&p, a);
    a = article("urn:held", "Redaktionshinweis Tunnelbohrung", "Tunnelbohrung beginnt.");
    a->hold_reason = mld_strdup("Hinweis");
    keep_article(&p, a);
    a = article("urn:kill", "Weg", "Text.");
    a->pubstatus = MLD_PUB_CANCELED;
    a->date_source = MLD_DATE_CREATED;
    keep_article(&p, a);

    mld_time_t before = mld_time_now();
    struct mld_pipeline_counts c = {0};
    struct mld_source_state state = {.name = "x"};
    int rc = mld_pipeline_store(st, &p, &c, &state, &err);
    is_int(rc, 0, "stored: %s", err.msg);
    is_int((int)c.inserted, 1, "one new");
    is_int((int)c.held, 1, "one held");
    is_int((int)c.withdrawn, 1, "one withdrawn, not new");
    is_int((int)c.dated[MLD_DATE_SEEN], 1, "one dated by first sight");
    is_int((int)c.dated[MLD_DATE_CREATED], 1, "one by its creation date");
    is_int((int)state.items, 3, "the source's items count every article written");
    mld_time_t first = p.v[0]->version_created;
    ok(first >= before && first <= mld_time_now(), "dated now, by first sight");
    mld_parsed_dispose(&p);

    mld_time_t seen = 0;
    is_int(mld_store_first_date(st, "urn:undated", &seen, &err), 0, "first seen is kept");
    ok(seen == first, "... the time the article was first stored");
    is_int(mld_store_first_date(st, "urn:none", &seen, &err), MLD_E_NOTFOUND,
           "an unknown urn: MLD_E_NOTFOUND");

    sleep(1);
    p = (struct mld_parsed){.src = &src};
    a = article("urn:undated", "Ohne Datum, neu", "Text.");
    a->version = 2;
    a->version_created = 0;
    a->entry_id = mld_strdup("undated-2");
    keep_article(&p, a);
    c = (struct mld_pipeline_counts){0};
    rc = mld_pipeline_store(st, &p, &c, NULL, &err);
    is_int(rc, 0, "the next undated version is stored");
    is_int((int)c.updated, 1, "... as an update");
    ok(p.v[0]->version_created == first, "... dated by the first sight, not now");
    mld_parsed_dispose(&p);


    struct mld_search q = {.text = "Tunnelbohrung", .now = mld_time_now(), .limit = 10};
    struct mld_hits hits;
    rc = mld_store_search(st, &q, &hits, &err);
    is_int(rc, 0, "search runs");
    is_int(hits.n, 0, "a held article is not found by search");
    mld_hits_dispose(&hits);
    struct mld_query lq = {.now = mld_time_now(), .limit = 20};
    struct mld_items list;
    rc = mld_store_list(st, &lq, &list, &err);
    is_int(rc, 0, "list runs");
    int listed_held = 0;
    for (int i = 0; i < list.n; i++)
        listed_held += strcmp(list.v[i].a->urn, "urn:held") == 0;
    is_int(listed_held, 0, "... nor listed");
    is_int(list.n, 1, "only the visible article is listed");
    mld_items_dispose(&list);

    struct mld_store_totals t;
    rc = mld_store_totals(st, mld_time_now(), &t, &err);
    is_int(rc, 0, "totals");
    is_int((int)t.articles, 3, "... three articles");
    is_int((int)t.visible, 1, "... one visible");
    is_int((int)t.held, 1, "... one held");
    is_int((int)t.withdrawn, 1, "... one withdrawn");
    is_int(t.nreasons, 1, "... one group of held ones");
    /* Every article gets a section (the classifier or the fallback
     * places these), so the groups add up to the totals. */
    int64_t in_sections = 0, shown = 0;
    for (int i = 0; i < t.nsections; i++) {
        ok(t.sections[i].name != NULL, "section group %d has a name", i);
        in_sections += t.sections[i].n;
        shown += t.sections[i].shown;
    }
    ok(in_sections == 3 && shown == 1, "... the section groups hold three, one of them visible");
    mld_store_totals_dispose(&t);

    /* Dated by the feed only: the feed's date moves with every rebuild,
     * the item's stays that of its first delivery. */
    mld_time_t channel = 1767225600; /* 2026-01-01 */
    for (int round = 0; round < 2; round++) {
        p = (struct mld_parsed){.src = &src};
        a = article("urn:channel-dated", "Nur der Kanal hat ein Datum", "Text.");
        a->version_created = channel + round * 3600;
        a->date_source = MLD_DATE_CHANNEL;
        keep_article(&p, a);
        c = (struct mld_pipeline_counts){0};
        rc = mld_pipeline_store(st, &p, &c, NULL, &err);
        is_int(rc, 0, round == 0 ? "a channel-dated item is stored" : "... and polled again");
        ok(p.v[0]->version_created == channel,
           round == 0 ? "... with the channel's date" : "... keeping its first date");
        is_int((int)(round == 0 ? c.inserted : c.duplicate), 1,
               round == 0 ? "... as new" : "... as a duplicate, not an update");
        mld_parsed_dispose(&p);
    }
    mld_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
}

static void
test_extra(void)
{
    struct mld_pipeline_counts c = {0};
    struct mld_buf b;
    mld_buf_init(&b, 1024);
    mld_pipeline_counts_extra(&c, &b);
    ok(b.len == 0, "nothing when all are zero");
    c.held = 2;
    c.refused = 1;
    c.dated[MLD_DATE_VERSION] = 9;
    c.dated[MLD_DATE_SEEN] = 3;
    c.dated[MLD_DATE_CHANNEL] = 1;
    mld_pipeline_counts_extra(&c, &b);
    is_str(b.p, ", 2 held, 1 refused; 1 dated by the feed's date, 3 dated by first sight",
           "only the non-zero counts, and only the date fallbacks");
    mld_buf_dispose(&b);
    struct mld_pipeline_counts sum = {.newest = 5};
    c.newest = 7;
    mld_pipeline_counts_add(&sum, &c);
    mld_pipeline_counts_add(&sum, &c);
    ok(sum.held == 4 && sum.dated[MLD_DATE_SEEN] == 6 && sum.newest == 7, "counts add up");
}

/* Rule 1 for versions, rule 6 and the [ingest] section. */
static void
test_future_and_versions(void)
{
    struct mld_source src = {.name = "zukunft.json"};
    struct mld_parsed p = {.src = &src};
    struct mld_article *a = article("urn:f:1", "Aus dem Jahr 9999", "Text.");
    a->version_created = 253402297200; /* 9999-12-31T23:00:00Z */
    a->updated = a->version_created;
    keep_article(&p, a);
    is_int(p.n, 1, "an item dated 9999 is kept");
    ok(p.v[0]->version_created == 0 && p.v[0]->updated == 0 &&
           p.v[0]->date_source == MLD_DATE_SEEN,
       "... without its dates, to be dated by first sight");
    is_int((int)p.future, 1, "... counted as dated in the future");
    ok(p.nnotes == 1 && strstr(p.notes[0], "zukunft.json: entry 1 (urn:f:1): dated "
                                           "9999-12-31T23:00:00Z, more than 86400 s") != NULL,
       "... with a warning naming source, entry and date: %s", p.nnotes ? p.notes[0] : "");
    a = article("urn:f:2", "Morgen", "Text.");
    a->version_created = mld_time_now() + 36 * 3600;
    keep_article(&p, a);
    is_int((int)p.future, 2, "36 hours ahead: in the future by default");
    a = article("urn:f:3", "Gleich", "Text.");
    a->version_created = mld_time_now() + 3600;
    keep_article(&p, a);
    is_int((int)p.future, 2, "an hour ahead: a clock's error, kept");
    a = article("urn:f:4", "Ohne Ende", "Text.");
    a->version = INT64_MAX;
    keep_article(&p, a);
    is_int(p.n, 3, "a version of INT64_MAX is not kept");
    is_int((int)p.refused, 1, "... but refused");
    ok(strstr(p.notes[p.nnotes - 1], "urn:f:4): refused: version 9223372036854775807 is not "
                                     "within 1 to 9007199254740991") != NULL,
       "... saying why");
    a = article("urn:f:5", "Grenze", "Text.");
    a->version = MLD_MAX_VERSION;
    keep_article(&p, a);
    is_int(p.n, 4, "a version of MLD_MAX_VERSION is kept");
    mld_parsed_dispose(&p);

    struct mld_config *cfg = NULL;
    struct mld_err err = {0};
    const char *two_days = "[ingest]\nfuture_skew = 2d\n";
    mld_config_parse(&cfg, "t.conf", two_days, strlen(two_days), &err);
    is_int(mld_pipeline_configure(cfg, &err), 0, "future_skew = 2d is taken");
    mld_config_free(cfg);
    p = (struct mld_parsed){.src = &src};
    a = article("urn:f:6", "Morgen", "Text.");
    a->version_created = mld_time_now() + 36 * 3600;
    keep_article(&p, a);
    is_int((int)p.future, 0, "... and 36 hours ahead is kept then");
    mld_parsed_dispose(&p);
    const char *bad[][2] = {
        {"[ingest]\nfuture_skew = 31d\n", "t.conf:2: future_skew wants 0 to 2592000 seconds"},
        {"[ingest]\nskew = 1d\n", "t.conf:2: [ingest]: unknown key \"skew\""},
        {"[ingest feeds]\n", "t.conf:1: [ingest] takes no name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mld_config_parse(&cfg, "t.conf", bad[i][0], strlen(bad[i][0]), &err);
        ok(mld_pipeline_configure(cfg, &err) == MLD_E_PARSE && strstr(err.msg, bad[i][1]),
           "refused: %s", err.msg);
        mld_config_free(cfg);
    }
    ok(mld_pipeline_configure(NULL, &err) == 0 && future_skew == MLD_FUTURE_SKEW_SECS,
       "no configuration: the default again");
}

int
main(void)
{
    test_headline();
    test_rules();
    test_many_notes();
    test_documents();
    test_store();
    test_extra();
    test_future_and_versions();
    return mld_test_done();
}
