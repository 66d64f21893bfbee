/*
 * tests/unit/store/story.c - story clustering and related news.
 *
 * Small fixtures for each rule, reason, bound and read-time filter; the
 * demo wire (the JSON files of demo/), whose reference page needs the two
 * "Moskau sagt befristete Waffenruhe für Energieanlagen zu" items as one
 * story and its related items in its related list; and, when the shared corpus is
 * there, the 75 dpa items of dpa-newsmlg2-sample through the real
 * pipeline (parse, enrich, put) against the clusters its README names:
 * pairwise precision and recall of "same story", printed and held to
 * floors a little below what was measured.
 */
#include "../../../src/store/sqlite_story.c"

#include <unistd.h>

#include "../../../src/enrich/enrich.h"
#include "ingest_test.h"
#include "store_test.h"

/* Far in the future: every article is visible. */
#define LATER ((mld_time_t)4102444800) /* 2100-01-01 */

/* Stores a, frees it, returns its id (0 on failure, with a note). */
static int64_t
put(struct mld_store *st, struct mld_article *a)
{
    int64_t id = 0;
    enum mld_put_result res;
    struct mld_err err = {0};
    if (mld_store_put(st, a, &res, &id, &err) != 0)
        diag("put %s: %s", a->urn, err.msg);
    mld_article_free(a);
    return id;
}

/* An article made for the fixtures; t is seconds after a fixed instant. */
static struct mld_article *
art(const char *urn, int64_t version, mld_time_t t, const char *headline, const char *text,
    const char *topic1, const char *topic2)
{
    struct mld_article *a = mld_article_new();
    a->urn = mld_strdup(urn);
    a->version = version;
    a->version_created = 1769774400 + t; /* 2026-01-30 12:00 UTC */
    a->updated = a->version_created;
    a->headline = mld_strdup(headline);
    a->text = text ? mld_strdup(text) : NULL;
    mld_article_add_topic(a, topic1);
    mld_article_add_topic(a, topic2);
    return a;
}

/* The stored item id (story, reason); exits the test on failure. */
static struct mld_item
get(struct mld_store *st, int64_t id)
{
    struct mld_item it = {0};
    struct mld_err err = {0};
    if (mld_store_get(st, id, &it, &err) != 0) {
        diag("get %lld: %s", (long long)id, err.msg);
        exit(1);
    }
    return it;
}

static int64_t
story_of(struct mld_store *st, int64_t id)
{
    struct mld_item it = get(st, id);
    int64_t story = it.story_id;
    mld_item_dispose(&it);
    return story;
}

/* Runs sql (with ?1 = arg) on a connection of its own to the test
 * database and returns the first column of the first row, -1 on error. */
static int64_t
raw(const char *sql, int64_t arg)
{
    struct sql_db db;
    struct sql_stmt *q;
    int64_t v = -1;
    mld_test_sql_open(&db);
    if (sql_prepare(&db, sql, false, &q) == SQLITE_OK) {
        if (sql_bind_count(q) > 0)
            sql_bind_int64(q, 1, arg);
        int rc = sql_step(q);
        v = rc == SQLITE_ROW ? sql_column_int64(q, 0) : rc == SQLITE_DONE ? 0 : -1;
        sql_finalize(q);
    }
    mld_test_sql_close(&db);
    return v;
}

/* Reads the stored headline stems and term vector of article id into g,
 * on a connection of its own; false when it has none. */
static bool
sig_raw(int64_t id, struct mld_story_sig *g)
{
    struct sql_db db;
    struct sql_stmt *q;
    bool found = false;
    memset(g, 0, sizeof(*g));
    mld_test_sql_open(&db);
    if (sql_prepare(&db, "SELECT headline, terms FROM story_sig WHERE article_id = ?1", false,
                    &q) == SQLITE_OK) {
        sql_bind_int64(q, 1, id);
        if (sql_step(q) == SQLITE_ROW) {
            const unsigned char *p = sql_column_blob(q, 0);
            int len = sql_column_bytes(q, 0);
            for (int i = 0; p != NULL && i < len / 4 && i < MLD_SIM_HEADLINE_TERMS; i++)
                g->headline[g->nheadline++] = get_u32(p + 4 * i);
            vec_decode(&g->terms, sql_column_blob(q, 1), sql_column_bytes(q, 1));
            found = true;
        }
        sql_finalize(q);
    }
    mld_test_sql_close(&db);
    return found;
}

/* A change key and how often the change log names it. */
struct key_count {
    const char *key;
    int n;
};

/* mld_change_fn: counts the changes naming the key of ud. */
static void
count_key(void *ud, const char *key)
{
    struct key_count *k = ud;
    k->n += strcmp(key, k->key) == 0;
}

/* True when l holds id. */
static bool
holds(const struct mld_items *l, int64_t id)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return true;
    return false;
}

static const char *raser =
    "Der Bundestag hat am Donnerstag deutlich schärfere Strafen für Raser beschlossen. Wer "
    "bei illegalen Autorennen erwischt wird, muss künftig mit bis zu zehn Jahren Haft rechnen, "
    "wenn dabei ein Mensch getötet oder schwer verletzt wird. Bislang galten solche Rennen "
    "nur als Ordnungswidrigkeit. Die Polizei soll außerdem die Autos der Raser leichter "
    "einziehen können. Verkehrsverbände begrüßten den Beschluss, Juristen zweifeln an der "
    "Wirkung.";

static const char *gipfel =
    "Die Stadt Hamburg bereitet sich auf den Gipfel der zwanzig wichtigsten Industrie- und "
    "Schwellenländer vor. Tausende Polizisten aus dem ganzen Land sollen die Staats- und "
    "Regierungschefs schützen. Anwohner müssen mit Sperrungen rechnen, mehrere "
    "Demonstrationen sind angemeldet. Der Senat rechnet mit Kosten in Millionenhöhe.";

/* The rules on fixtures: near-duplicate, same headline, a new story,
 * the window, the reasons, withdrawal at read time. */
static void
test_rules(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    struct mld_err err = {0};
    int64_t a = put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland",
                            "Verkehr"));
    /* The same text with two words changed, another headline. */
    char *copy = mld_strdup(raser);
    memcpy(strstr(copy, "zehn"), "acht", 4);
    memcpy(strstr(copy, "Donnerstag"), "Mittwoch  ", 10);
    int64_t b = put(st, art("urn:b", 1, 600, "Bundestag beschließt Raser-Gesetz", copy,
                            "Deutschland", NULL));
    mld_free(copy);
    int64_t c = put(st, art("urn:c", 1, 900, "Härtere Strafen für Raser", "Kurz gemeldet.",
                            NULL, NULL));
    int64_t d = put(st, art("urn:d", 1, 1200, "Hamburg rüstet sich für den Gipfel", gipfel,
                            "Deutschland", "Hamburg"));
    /* The same headline three days later: outside the window. */
    int64_t e = put(st, art("urn:e", 1, 3 * 86400, "Härtere Strafen für Raser",
                            "Eine ganz andere Meldung über etwas anderes.", NULL, NULL));
    ok(a && b && c && d && e, "five articles stored");

    struct mld_item it = get(st, a);
    is_int(it.story_id, a, "the first article starts its story");
    ok(it.story_reason == NULL, "and has no reason");
    mld_item_dispose(&it);
    it = get(st, b);
    is_int(it.story_id, a, "a near-duplicate joins it");
    char want[128];
    snprintf(want, sizeof(want), "fast gleicher Text wie #%lld (Jaccard ", (long long)a);
    ok(it.story_reason && strncmp(it.story_reason, want, strlen(want)) == 0 &&
           strchr(it.story_reason, ',') != NULL,
       "reason names the article and the Jaccard value with a decimal comma: %s",
       it.story_reason ? it.story_reason : "(null)");
    mld_item_dispose(&it);
    it = get(st, c);
    is_int(it.story_id, a, "the same headline joins it");
    snprintf(want, sizeof(want), "gleiche Überschrift wie #%lld [head]", (long long)a);
    is_str(it.story_reason, want, "reason: the same headline, with the rule's code");
    mld_item_dispose(&it);
    is_int(story_of(st, d), d, "another event is a story of its own");
    is_int(story_of(st, e), e, "the same headline outside the window is not joined");

    struct mld_items l = {0};
    ok(mld_store_story(st, a, LATER, &l, &err) == 0, "story reads");
    ok(l.n == 3 && l.v[0].id == a && l.v[1].id == b && l.v[2].id == c,
       "story: its visible members, oldest first (%d)", l.n);
    ok(l.n == 3 && l.v[0].story_reason == NULL && l.v[1].story_reason != NULL,
       "story: members carry their reasons");
    mld_items_dispose(&l);

    /* Withdrawal: the canceled version leaves the story at read time. */
    struct mld_article *w = art("urn:b", 2, 700, "Bundestag beschließt Raser-Gesetz", raser,
                                "Deutschland", NULL);
    w->pubstatus = MLD_PUB_CANCELED;
    put(st, w);
    mld_store_story(st, a, LATER, &l, &err);
    ok(l.n == 2 && !holds(&l, b), "a withdrawn article leaves its story");
    mld_items_dispose(&l);
    is_int(story_of(st, b), a, "and keeps its story id");
    is_int(raw("SELECT count(*) FROM story_sig WHERE article_id = ?1", b), 0,
           "and is no candidate any more");

    /* A newer version keeps the story and replaces the signature. */
    put(st, art("urn:d", 2, 1300, "Hamburg rüstet sich für den G20-Gipfel", gipfel, "Hamburg",
                NULL));
    is_int(story_of(st, d), d, "a newer version keeps its story");
    is_int(raw("SELECT count(*) FROM story_term WHERE article_id = ?1", d), MLD_STORY_TOP_TERMS,
           "and posts its top terms once");
    mld_store_close(st);
    mld_test_store_remove();
}

/* Related lists: bounded, one per story, never the own story, best
 * first, withdrawn and embargoed ones filtered, filled up from the own
 * section and marked so. */
static void
test_related(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    struct mld_err err = {0};
    int64_t ids[MLD_RELATED_MAX + 4];
    int n = MLD_RELATED_MAX + 4;
    /* Articles about different votes of the Bundestag, one hour apart,
     * told alike but for the subject (not near-duplicates: each names
     * its subject in every sentence). */
    static const char *subjects[] = {"Raser",    "Einbrecher", "Mieten",    "Renten",
                                     "Pflege",   "Schulen",    "Bahn",      "Strom",
                                     "Wohngeld", "Bafög",      "Kitas",     "Polizei",
                                     "Gerichte", "Zoll",       "Forschung", "Hafen"};
    for (int i = 0; i < n; i++) {
        char urn[32], head[128], text[512];
        snprintf(urn, sizeof(urn), "urn:r%d", i);
        snprintf(head, sizeof(head), "Bundestag beschließt Gesetz zu %s", subjects[i]);
        snprintf(text, sizeof(text),
                 "Der Bundestag hat am Donnerstag ein Gesetz zu %s beschlossen. Die Koalition "
                 "stimmte für %s, die Opposition dagegen. Der Bundesrat muss %s noch "
                 "zustimmen. Das Gesetz über %s soll im kommenden Jahr in Kraft treten.",
                 subjects[i], subjects[i], subjects[i], subjects[i]);
        struct mld_article *a = art(urn, 1, 3600 * i, head, text, "Bundestag", "Deutschland");
        a->section = mld_strdup("Inland");
        ids[i] = put(st, a);
    }
    int64_t other = put(st, art("urn:x", 1, 100, "Hamburg rüstet sich für den Gipfel", gipfel,
                                "Hamburg", NULL));
    /* The last one was offered to the first one's list, which logged it. */
    char key[32];
    snprintf(key, sizeof(key), "a:%lld", (long long)ids[0]);
    struct key_count k = {key, 0};
    int64_t last;
    mld_store_changes(st, 0, count_key, &k, &last, &err);
    ok(k.n > 1, "offers that change a list log the owner's change key (%d times)", k.n);
    struct mld_items l = {0};
    ok(mld_store_related(st, ids[0], LATER, MLD_RELATED_MAX, &l, &err) == 0, "related reads");
    is_int(l.n, MLD_RELATED_MAX, "a full list: MLD_RELATED_MAX entries");
    bool own = false, dup = false;
    for (int i = 0; i < l.n; i++) {
        own |= l.v[i].story_id == story_of(st, ids[0]);
        for (int j = 0; j < i; j++)
            dup |= l.v[i].story_id == l.v[j].story_id;
    }
    ok(!own && !dup, "never the own story, one entry per story");
    ok(!holds(&l, other), "an unrelated article is not listed");
    bool fill = false;
    for (int i = 0; i < l.n; i++)
        fill |= l.v[i].related_fill;
    ok(!fill, "all of them related, none fill");
    ok(l.n > 0 && l.v[0].story_sections && strcmp(l.v[0].story_sections, "Inland") == 0 &&
           l.v[0].story_size == 1,
       "entries carry their story's sections and size");
    mld_items_dispose(&l);

    /* The stored list is bounded for the old articles the new ones were
     * offered to. */
    is_int(raw("SELECT max(c) FROM (SELECT count(*) AS c FROM story_related "
               "GROUP BY article_id) AS n", 0),
           MLD_RELATED_MAX, "no stored list exceeds MLD_RELATED_MAX");

    /* Withdrawn and embargoed: gone at read time; the list is refilled. */
    mld_store_related(st, ids[0], LATER, MLD_RELATED_MAX, &l, &err);
    int gone = 0; /* the index of a listed one, withdrawn */
    while (gone < n - 1 && !holds(&l, ids[gone]))
        gone++;
    mld_items_dispose(&l);
    char gone_urn[32];
    snprintf(gone_urn, sizeof(gone_urn), "urn:r%d", gone);
    struct mld_article *w = art(gone_urn, 2, 3600 * gone, "x", "x", "Bundestag", NULL);
    w->pubstatus = MLD_PUB_CANCELED;
    put(st, w);
    mld_store_related(st, ids[0], LATER, MLD_RELATED_MAX, &l, &err);
    ok(gone < n - 1 && !holds(&l, ids[gone]), "a withdrawn article leaves related lists");
    is_int(l.n, MLD_RELATED_MAX, "the list is filled up");
    ok(l.n == MLD_RELATED_MAX && !l.v[l.n - 2].related_fill && l.v[l.n - 1].related_fill &&
           l.v[l.n - 1].section_slug && strcmp(l.v[l.n - 1].section_slug, "inland") == 0,
       "after the related ones, by one from the own section, marked as fill");
    mld_items_dispose(&l);
    struct mld_article *emb = art("urn:emb", 1, 3600 * 20, "Bundestag beschließt Gesetz zu Häfen",
                                  "Der Bundestag hat am Donnerstag ein Gesetz zu Häfen "
                                  "beschlossen. Die Koalition stimmte dafür.",
                                  "Bundestag", "Deutschland");
    emb->embargo = LATER + 3600;
    int64_t e = put(st, emb);
    mld_store_related(st, ids[0], LATER, MLD_RELATED_MAX, &l, &err);
    ok(!holds(&l, e), "an embargoed article is not listed before its embargo");
    mld_items_dispose(&l);
    mld_store_related(st, ids[0], LATER + 7200, MLD_RELATED_MAX, &l, &err);
    ok(holds(&l, e), "and is listed after it");
    mld_items_dispose(&l);

    /* An article nothing is related to: the newest of its section, one
     * per story, all marked; a shared topic does not make "other"
     * related. */
    struct mld_article *la = art("urn:lone", 1, 50, "Kita-Streik beendet",
                                 "Die Erzieherinnen kehren am Montag zurück.", "Hamburg", NULL);
    la->section = mld_strdup("Inland");
    int64_t lone = put(st, la);
    mld_store_related(st, lone, LATER, 6, &l, &err);
    fill = l.n == 6;
    for (int i = 0; i < l.n; i++)
        fill &= l.v[i].related_fill && l.v[i].id != lone && l.v[i].id != other;
    ok(fill, "nothing related: six of the own section, marked as fill (%d)", l.n);
    ok(l.n > 0 && l.v[0].id == ids[n - 1], "the newest visible first (%lld)",
       l.n > 0 ? (long long)l.v[0].id : 0);
    mld_items_dispose(&l);
    /* Without a section there is nothing to fill with. */
    int64_t bare = put(st, art("urn:bare", 1, 60, "Neue Brücke über die Elbe eröffnet",
                               "Der Verkehr rollt wieder.", "Hamburg", NULL));
    mld_store_related(st, bare, LATER, 6, &l, &err);
    is_int(l.n, 0, "no section, nothing related: an empty list");
    mld_items_dispose(&l);
    mld_store_close(st);
    mld_test_store_remove();
}

/* What makes an article related: its text, not a shared topic alone;
 * relevance decides before recency; the fill comes after, marked. */
static void
test_relevance(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    struct mld_err err = {0};
    struct mld_article *x = art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland",
                                "Verkehr");
    x->section = mld_strdup("Inland");
    int64_t a = put(st, x);
    /* The same subject in other words, no topic in common. */
    x = art("urn:r", 1, 600, "Rennen auf der Straße werden teuer",
            "Illegale Autorennen sollen künftig härter bestraft werden. Raser, die bei einem "
            "Rennen einen Menschen töten, müssen mit langer Haft rechnen. Die Polizei darf "
            "ihre Autos leichter einziehen.",
            "Köln", NULL);
    x->section = mld_strdup("Panorama");
    int64_t r = put(st, x);
    /* Newer, of the same section, sharing the first topic: not related. */
    x = art("urn:u", 1, 1200, "Hamburg rüstet sich für den Gipfel", gipfel, "Deutschland",
            "Hamburg");
    x->section = mld_strdup("Inland");
    int64_t u = put(st, x);
    ok(a && r && u && story_of(st, r) == r, "three articles, three stories");
    struct mld_items l = {0};
    ok(mld_store_related(st, a, LATER, 6, &l, &err) == 0, "related reads");
    ok(l.n == 2 && l.v[0].id == r && !l.v[0].related_fill,
       "the older article with similar text is related, and first");
    ok(l.n == 2 && l.v[1].id == u && l.v[1].related_fill,
       "the newer one sharing a topic only is not: it comes after, as fill of the section");
    mld_items_dispose(&l);
    is_int(raw("SELECT count(*) FROM story_related WHERE related_id = ?1", u), 0,
           "and is in no stored list");
    mld_store_related(st, r, LATER, 6, &l, &err);
    ok(l.n == 1 && l.v[0].id == a && !l.v[0].related_fill,
       "related both ways; no fill from a section without other articles");
    mld_items_dispose(&l);
    mld_store_close(st);
    mld_test_store_remove();
}

/* Headlines that repeat most of another's words but differ are a new
 * report, not the same story, however alike the texts: the words that
 * differ are the news. */
static void
test_new_turn(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    static const char *before =
        "Der Stadtrat von Lindenhain hat die Entscheidung über die neue Straßenbahnlinie zum "
        "Bahnhof vertagt. Die Fraktionen wollen zuerst die Kosten der Trasse prüfen lassen. Die "
        "Straßenbahnlinie soll den Bahnhof mit dem Neubaugebiet im Norden verbinden. Anwohner "
        "hatten gegen die Trasse durch die Allee protestiert.";
    static const char *after =
        "Der Stadtrat von Lindenhain hat der neuen Straßenbahnlinie zum Bahnhof zugestimmt. "
        "Die Fraktionen einigten sich auf eine Trasse ohne die Allee. Die Straßenbahnlinie soll "
        "den Bahnhof mit dem Neubaugebiet im Norden verbinden. Anwohner hatten gegen die Trasse "
        "durch die Allee protestiert.";
    int64_t a = put(st, art("urn:t1", 1, 0, "Stadtrat vertagt Entscheidung über neue "
                            "Straßenbahnlinie", before, "Lindenhain", NULL));
    int64_t b = put(st, art("urn:t2", 1, 7200, "Stadtrat stimmt neuer Straßenbahnlinie im Norden zu",
                            after, "Lindenhain", NULL));
    struct mld_story_sig ga, gb;
    double cos = 0, head = 0;
    if (sig_raw(a, &ga) && sig_raw(b, &gb)) {
        cos = mld_sim_cosine(&ga.terms, &gb.terms);
        head = mld_sim_jaccard(ga.headline, ga.nheadline, gb.headline, gb.nheadline, NULL);
    }
    ok(cos >= MLD_STORY_TEXT_SIMILAR && head >= MLD_STORY_SERIES_HEADLINE && head < 1,
       "similar texts (cosine %.2f), alike headlines (Jaccard %.2f)", cos, head);
    ok(a && b && story_of(st, b) == b, "a new turn told in the same words is a story of its own");
    struct mld_items l = {0};
    struct mld_err err = {0};
    mld_store_related(st, b, LATER, 6, &l, &err);
    ok(l.n == 1 && l.v[0].id == a && !l.v[0].related_fill, "and related to the report before");
    mld_items_dispose(&l);
    mld_store_close(st);
    mld_test_store_remove();
}

/* A person named in two headlines joins a commentary to the report it
 * comments (a few words and several topics in common); the same person
 * in the headlines of two other events does not. */
static void
test_person(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    static const char *ban =
        "Die Bundesregierung hat einen Auftritt des russischen Präsidenten Wladimir Putin vor "
        "Anhängern in Berlin untersagt. Außenminister und Kanzleramt begründeten das Verbot mit "
        "der Sicherheitslage. Moskau nannte die Entscheidung einen unfreundlichen Akt und "
        "kündigte eine Antwort an. Die Opposition im Bundestag begrüßte das Verbot.";
    static const char *comment =
        "Richtig so. Wer einem Präsidenten, der seine Nachbarn überfällt, eine Bühne gibt, "
        "macht sich mit ihm gemein. Putin wird sich über das Verbot beschweren; die Republik "
        "sollte gelassen bleiben und Kurs halten.";
    static const char *gas =
        "Russland liefert von Oktober an weniger Erdgas über die Ostsee. Der Staatskonzern "
        "verwies auf Wartungsarbeiten an einer Turbine. Händler erwarten steigende Preise im "
        "Winter, die Speicher sind zu zwei Dritteln gefüllt.";
    struct mld_article *x[3] = {
        art("urn:p1", 1, 0, "Verbot: Putin darf in Berlin nicht auftreten", ban, "Wladimir Putin",
            "Deutschland"),
        art("urn:p2", 1, 900, "«Die Zeitung» zu Putin", comment, "Wladimir Putin", "Deutschland"),
        art("urn:p3", 1, 1800, "Putin drosselt Gaslieferungen", gas, "Wladimir Putin",
            "Deutschland"),
    };
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        mld_article_add_topic(x[i], "Russland");
        mld_article_add_topic(x[i], "Berlin");
        ids[i] = put(st, x[i]);
    }
    struct mld_item it = get(st, ids[1]);
    ok(it.story_id == ids[0] && it.story_reason && strstr(it.story_reason, "[name]"),
       "a commentary naming the person joins the report: %s",
       it.story_reason ? it.story_reason : "(null)");
    mld_item_dispose(&it);
    is_int(story_of(st, ids[2]), ids[2],
           "another event with the person in its headline and the same topics stays apart");
    mld_store_close(st);
    mld_test_store_remove();
}

/* An article that links two stories (the headline of one, the text of
 * the other) merges them into the older, whichever arrives first: the
 * grouping does not depend on the order. */
static void
test_links(void)
{
    for (int order = 0; order < 2; order++) {
        struct mld_store *st = mld_test_store_fresh("story");
        int64_t ids[3];
        struct mld_article *x[3] = {
            art("urn:la", 1, 0, "Härtere Strafen für Raser", "Kurz gemeldet.", NULL, NULL),
            art("urn:lc", 1, 600, "Hamburg rüstet sich für den Gipfel", gipfel, "Hamburg", NULL),
            art("urn:lb", 1, 1200, "Härtere Strafen für Raser", gipfel, "Hamburg", NULL),
        };
        for (int i = 0; i < 3; i++) {
            int k = order == 0 ? i : 2 - i;
            ids[k] = put(st, x[k]);
        }
        int64_t first = order == 0 ? ids[0] : ids[2];
        ok(story_of(st, ids[0]) == first && story_of(st, ids[1]) == first &&
               story_of(st, ids[2]) == first,
           "%s: the three are one story, the oldest stored's",
           order == 0 ? "linking article last" : "linking article first");
        if (order == 0) {
            struct mld_item it = get(st, ids[1]);
            char want[64];
            snprintf(want, sizeof(want), "verbunden über #%lld [link]", (long long)ids[2]);
            is_str(it.story_reason, want, "the merged story's first article says through whom");
            mld_item_dispose(&it);
        }
        mld_store_close(st);
        mld_test_store_remove();
    }
}

/* Two articles without words in common are related when both lead with
 * the same pair of topics and that pair is a subject: specific and
 * cohesive (the commoner topic mostly comes with the other). A city
 * leading with its country is no subject when the country mostly comes
 * without the city. */
static void
test_subject(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    static const char *texts[] = {
        "Die Delegationen trafen sich am Morgen in einem Hotel am Hafen. Über die Inhalte "
        "wurde Stillschweigen vereinbart.",
        "Ein Frachter mit Kupfererz lief vor der Küste auf Grund. Die Besatzung blieb "
        "unverletzt, Taucher prüfen den Rumpf.",
        "Nach dem Erdbeben öffneten die Behörden Notunterkünfte in mehreren Turnhallen. "
        "Freiwillige verteilen Decken und Suppe.",
        "Die Zentralbank senkte den Leitzins überraschend um einen halben Punkt. Sparer "
        "reagierten verärgert.",
        "Der Museumsneubau wird teurer als geplant. Der Architekt verweist auf gestiegene "
        "Preise für Stahl.",
        "Ein Radrennen durch die Weinberge lockte Tausende Zuschauer an die Strecke. Der "
        "Sieger kam aus Belgien.",
        "Bei einer Kunstauktion wechselte ein Gemälde für eine Rekordsumme den Besitzer. "
        "Der Käufer blieb anonym.",
        "Die Gewerkschaft kündigte Warnstreiks im Nahverkehr an. Pendler müssen mit "
        "Ausfällen rechnen.",
    };
    /* Chile and Peru lead together every time; Frankreich comes mostly
     * without Lyon. */
    int64_t cp1 = put(st, art("urn:s1", 1, 0, "Gespräche am Hafen", texts[0], "Chile", "Peru"));
    int64_t cp2 = put(st, art("urn:s2", 1, 600, "Frachter auf Grund", texts[1], "Peru",
                              "Chile"));
    int64_t fr[4];
    for (int i = 0; i < 4; i++) {
        char urn[32];
        snprintf(urn, sizeof(urn), "urn:f%d", i);
        static const char *seconds[] = {"Paris", "Marseille", "Bordeaux", "Nizza"};
        fr[i] = put(st, art(urn, 1, 1200 + 60 * i, "Aus Frankreich", texts[2 + i], "Frankreich",
                            seconds[i]));
    }
    int64_t ly1 = put(st, art("urn:l1", 1, 1800, "Auktion in Lyon", texts[6], "Lyon",
                              "Frankreich"));
    int64_t ly2 = put(st, art("urn:l2", 1, 1900, "Streik in Lyon", texts[7], "Lyon",
                              "Frankreich"));
    ok(cp1 && cp2 && fr[3] && ly1 && ly2, "eight articles stored");
    struct mld_items l = {0};
    struct mld_err err = {0};
    mld_store_related(st, cp1, LATER, 6, &l, &err);
    ok(l.n == 1 && l.v[0].id == cp2 && !l.v[0].related_fill,
       "the same two leading topics, always together: related without words in common");
    mld_items_dispose(&l);
    mld_store_related(st, ly2, LATER, 6, &l, &err);
    is_int(l.n, 0, "a city and its country, the country mostly without the city: not related");
    mld_items_dispose(&l);
    mld_store_close(st);
    mld_test_store_remove();
}

/* A store built before these tables: the first open fills them. */
static void
test_rebuild(void)
{
    struct mld_store *st = mld_test_store_fresh("story");
    int64_t a = put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland",
                            NULL));
    int64_t b = put(st, art("urn:b", 1, 60, "Raser müssen in Haft", raser, "Deutschland",
                            NULL));
    mld_store_close(st);
    raw("DELETE FROM story_sig", 0);
    raw("DELETE FROM story_term", 0);
    raw("DELETE FROM story_df", 0);
    raw("DELETE FROM story_related", 0);
    raw("DELETE FROM meta WHERE key = 'story_signature'", 0);
    is_int(raw("SELECT count(*) FROM story_sig", 0), 0, "derived tables emptied");
    struct mld_err err = {0};
    ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "reopen rebuilds: %s", err.msg);
    is_int(raw("SELECT count(*) FROM story_sig", 0), 2, "signatures backfilled");
    is_int(raw("SELECT count(*) FROM story_related WHERE article_id = ?1", b), 0,
           "related lists skip the own story");
    is_int(story_of(st, b), a, "stories are kept");
    int64_t c = put(st, art("urn:c", 1, 120, "Raser drohen zehn Jahre", raser, NULL, NULL));
    is_int(story_of(st, c), a, "a new copy finds the backfilled signatures");
    mld_store_close(st);

    /* Tables built under another signature (an older meldung's): a
     * reader opens the store and reads its stories as they are. On
     * PostgreSQL a reader may not write (nor may a hot standby): the
     * rebuild is left to the next writer. SQLite's reader rebuilds
     * before it is made query-only. */
    raw("UPDATE meta SET value = 'an older layout' WHERE key = 'story_signature'", 0);
    struct mld_store *r = NULL;
    if (ok(mld_store_open_reader(&r, mld_test_dbpath, &err) == 0,
           "a reader opens a store built under another signature: %s", err.msg)) {
        struct mld_items l = {0};
        ok(mld_store_story(r, a, LATER, &l, &err) == 0 && l.n == 3, "and reads its stories");
        mld_items_dispose(&l);
        mld_store_close(r);
    }
    const char *older = "SELECT count(*) FROM meta WHERE value = 'an older layout'";
    if (mld_test_pg() != NULL)
        is_int(raw(older, 0), 1, "PostgreSQL: the reader left the tables as they were");
    else
        is_int(raw(older, 0), 0, "SQLite: rebuilt before the reader is made query-only");
    ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "a writer opens it: %s", err.msg);
    mld_store_close(st);
    is_int(raw(older, 0), 0, "and the tables are built under this meldung's signature");
    mld_test_store_remove();
}

/* A store of schema 2 (before search and stories) with articles: the
 * migrations add the tables, the first open fills them, and the stories
 * the old rule made (the same headline) get their reason. */
static void
test_migration(void)
{
    if (mld_test_pg() != NULL) {
        mld_test_skip("a store of schema 2", "SQLite's: PostgreSQL stores begin with the tables");
        return;
    }
    struct mld_store *st;
    sqlite3 *db = mld_test_store_schema("story", 2);
    if (!ok(db != NULL, "create a schema 2 store"))
        return;
    static const char *const rows[][3] = {
        {"urn:m:1", "Härtere Strafen für Raser", "1"},
        {"urn:m:2", "Härtere Strafen für Raser", "1"},
        {"urn:m:3", "Hamburg rüstet sich für den Gipfel", "3"},
    };
    for (int i = 0; i < 3; i++) {
        char *sql = sqlite3_mprintf(
            "INSERT INTO article (urn, version, version_created, updated, pubstatus, embargo, "
            "visible_from, urgency, headline, body_text, slug, published, first_stored, "
            "story_id, story_key) VALUES (%Q, 1, %d, %d, 0, 0, 0, 3, %Q, %Q, 's', %d, %d, %s, "
            "'k')",
            rows[i][0], 1769774400 + i, 1769774400 + i, rows[i][1], i < 2 ? raser : gipfel,
            1769774400 + i, 1769774400 + i, rows[i][2]);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            diag("schema 2 insert: %s", sqlite3_errmsg(db));
        sqlite3_free(sql);
    }
    sqlite3_close(db);
    struct mld_err err = {0};
    ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "the old store opens: %s", err.msg);
    struct mld_item it = get(st, 2);
    is_str(it.story_reason, "gleiche Überschrift wie #1", "old stories get the old rule's reason");
    mld_item_dispose(&it);
    is_int(raw("SELECT count(*) FROM story_sig", 0), 3, "signatures of the old articles");
    is_int(raw("SELECT count(*) FROM story_related WHERE article_id = 3", 0), 0,
           "nothing related to the unrelated one");
    int64_t c = put(st, art("urn:m:4", 1, 60, "Raser drohen zehn Jahre Haft", raser, NULL, NULL));
    is_int(story_of(st, c), 1, "a new copy joins the old story");
    mld_store_close(st);
    mld_test_store_remove();
}

/* Articles of one ingest, by URN. */
struct loaded {
    struct mld_store *st;
    char *urn[128];
    int64_t id[128];
    int n;
};

/* mld_test_walk callback: enrich and store every article of d. */
static void
load_doc(struct mld_test_doc *d, void *ud)
{
    struct loaded *l = ud;
    if (d->rc != 0)
        diag("%s: %s", d->name, d->err.msg);
    for (int i = 0; i < d->l.n && l->n < 128; i++) {
        struct mld_article *a = d->l.v[i];
        mld_enrich(a, NULL);
        int64_t id = 0;
        enum mld_put_result res;
        struct mld_err err = {0};
        if (mld_store_put(l->st, a, &res, &id, &err) != 0)
            diag("put %s: %s", a->urn, err.msg);
        l->urn[l->n] = mld_strdup(a->urn);
        l->id[l->n++] = id;
    }
}

/* The id of the article whose URN ends in suffix, 0 when none. */
static int64_t
id_of(const struct loaded *l, const char *suffix)
{
    size_t n = strlen(suffix);
    for (int i = 0; i < l->n; i++) {
        size_t m = strlen(l->urn[i]);
        if (m >= n && strcmp(l->urn[i] + m - n, suffix) == 0)
            return l->id[i];
    }
    return 0;
}

static void
loaded_free(struct loaded *l)
{
    for (int i = 0; i < l->n; i++)
        mld_free(l->urn[i]);
    mld_store_close(l->st);
    mld_test_store_remove();
}

/* Prints every story of more than one article with its reasons. */
static void
show_stories(const struct loaded *l)
{
    for (int i = 0; i < l->n; i++) {
        struct mld_item it = get(l->st, l->id[i]);
        if (it.story_id != it.id) {
            struct mld_item first = get(l->st, it.story_id);
            diag("  %s -> %s: %s", it.a->headline, first.a->headline,
                 it.story_reason ? it.story_reason : "");
            mld_item_dispose(&first);
        }
        mld_item_dispose(&it);
    }
}

/* The demo wire: the reference page's stories and related list. */
static void
test_demo(void)
{
    struct loaded l = {.st = mld_test_store_fresh("story")};
    int files = mld_test_walk(&mld_format_dpa, "demo", ".json", 0, load_doc, &l);
    if (!ok(files == 16 && l.n == 16, "demo wire: 16 articles (%d)", l.n)) {
        loaded_free(&l);
        return;
    }
    show_stories(&l);
    /* The URNs of ref-gipfel-genf.json and rel-N-*.json end in
     * -99-000001 and -99-00000(N+1). */
    int64_t ref = id_of(&l, "-99-000001"), r[7];
    char suffix[32];
    for (int i = 1; i <= 6; i++) {
        snprintf(suffix, sizeof(suffix), "-99-00000%d", i + 1);
        r[i] = id_of(&l, suffix);
    }
    ok(ref && r[1] && r[6], "reference and related items found");
    is_int(story_of(l.st, r[4]), story_of(l.st, r[5]),
           "rel-4 and rel-5 (Moskau sagt befristete Waffenruhe für Energieanlagen zu): one story");
    int64_t stories[6] = {story_of(l.st, ref), story_of(l.st, r[1]), story_of(l.st, r[2]),
                          story_of(l.st, r[3]), story_of(l.st, r[4]), story_of(l.st, r[6])};
    bool apart = true;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < i; j++)
            apart &= stories[i] != stories[j];
    ok(apart, "the reference article, rel-1, rel-2, rel-3, rel-4/5 and rel-6: six stories");

    struct mld_items rel = {0};
    struct mld_err err = {0};
    ok(mld_store_related(l.st, ref, LATER, MLD_RELATED_COUNT, &rel, &err) == 0,
       "related of the reference article");
    diag("reference article's related list:");
    for (int i = 0; i < rel.n; i++)
        diag("  %s (%s)", rel.v[i].a->headline, rel.v[i].story_sections ? rel.v[i].story_sections : "");
    is_int(rel.n, 5, "five entries: rel-1, rel-2, rel-3, rel-4/5, rel-6");
    ok(holds(&rel, r[1]) && holds(&rel, r[2]) && holds(&rel, r[3]) && holds(&rel, r[6]) &&
           (holds(&rel, r[4]) != holds(&rel, r[5])),
       "all of them, the Kreml story once");
    bool fill = false;
    for (int i = 0; i < rel.n; i++)
        fill |= rel.v[i].related_fill;
    ok(!fill, "all of them related, none fill");
    mld_items_dispose(&rel);
    loaded_free(&l);
}

/* The gold clusters of dpa-newsmlg2-sample: the corpus README's, with the
 * press-review items of the Erdogan story, and three more the labelled set
 * tests/data/story_eval.tsv justifies (Mossul, Tudose, the racing law and
 * its press review). */
#define NGOLD 7
static const char *const gold[NGOLD][6] = {
    {"170627-99-11003", "170629-99-49437"},
    {"170626-99-998860", "170629-99-45365"},
    {"170629-99-45965", "170629-99-49823", "170629-99-49643", "170629-99-49762",
     "170629-99-49815"},
    {"170629-99-48560", "170629-99-48966", "170629-99-48596"},
    {"170629-99-44828", "170629-99-49320"},
    {"170629-99-48315", "170629-99-42210"},
    {"170629-99-43475", "170629-99-47719"},
};
static const char *const press[] = {"170629-99-49643", "170629-99-49762", "170629-99-49815"};
static const char *const lookalike[][2] = {
    {"170629-99-43475", "170629-99-48509"}, /* Bundestag beschließt ... */
    {"170629-99-49765", "170629-99-49612"}, /* heavy rain: Berlin, Czechia */
    {"170629-99-48625", "170629-99-49511"}, /* dpa/audio programmes */
};

/* The gold cluster of the article with URN urn, -1 for none. */
static int
gold_of(const char *urn)
{
    for (int c = 0; c < NGOLD; c++)
        for (int i = 0; i < 6 && gold[c][i]; i++) {
            size_t n = strlen(urn), m = strlen(gold[c][i]);
            if (n >= m && strcmp(urn + n - m, gold[c][i]) == 0)
                return c;
        }
    return -1;
}

static bool
is_press(const char *urn)
{
    for (int i = 0; i < 3; i++)
        if (strstr(urn, press[i]) != NULL)
            return true;
    return false;
}

/* Pairwise precision and recall over all pairs of the sample (items in
 * no gold cluster are stories of their own); without_press leaves the
 * press-review items out. */
static void
pairwise(const struct loaded *l, const int64_t *story, bool without_press, double *precision,
         double *recall)
{
    long tp = 0, fp = 0, fn = 0;
    for (int i = 0; i < l->n; i++)
        for (int j = 0; j < i; j++) {
            if (without_press && (is_press(l->urn[i]) || is_press(l->urn[j])))
                continue;
            int gi = gold_of(l->urn[i]), gj = gold_of(l->urn[j]);
            bool want = gi >= 0 && gi == gj, got = story[i] == story[j];
            tp += want && got;
            fp += !want && got;
            fn += want && !got;
            if (!want && got)
                diag("  false pair: %s / %s", l->urn[i] + strlen(l->urn[i]) - 15,
                     l->urn[j] + strlen(l->urn[j]) - 15);
        }
    *precision = tp + fp > 0 ? (double)tp / (double)(tp + fp) : 1;
    *recall = tp + fn > 0 ? (double)tp / (double)(tp + fn) : 1;
}

/* The dpa sample through parse, enrich and put. */
static void
test_corpus(void)
{
    struct loaded l = {.st = mld_test_store_fresh("story")};
    if (mld_test_walk_corpus(&mld_format_newsml, "dpa-newsmlg2-sample/items", ".xml", 0,
                             load_doc, &l) < 0) {
        loaded_free(&l);
        return;
    }
    is_int(l.n, 75, "75 dpa items stored");
    diag("dpa sample stories:");
    show_stories(&l);
    int64_t story[128];
    for (int i = 0; i < l.n; i++)
        story[i] = story_of(l.st, l.id[i]);
    double p, r, p2, r2;
    pairwise(&l, story, false, &p, &r);
    pairwise(&l, story, true, &p2, &r2);
    diag("pairwise same-story: precision %.2f, recall %.2f (with the press reviews)", p, r);
    diag("pairwise same-story: precision %.2f, recall %.2f (without them)", p2, r2);
    /* Measured: 1.00 / 0.94 with, 1.00 / 0.89 without the press reviews
     * (docs/internals/stories.md): the racing law's press review stays
     * apart. */
    ok(p >= 0.95 && r >= 0.9, "with press reviews: precision >= 0.95, recall >= 0.9");
    ok(p2 >= 0.95 && r2 >= 0.85, "without press reviews: precision >= 0.95, recall >= 0.85");
    for (int i = 0; i < 3; i++) {
        int64_t a = id_of(&l, lookalike[i][0]), b = id_of(&l, lookalike[i][1]);
        ok(a && b && story_of(l.st, a) != story_of(l.st, b), "look-alikes apart: %s / %s",
           lookalike[i][0], lookalike[i][1]);
    }
    loaded_free(&l);
}

/* The document frequencies a transaction counts in memory are written at
 * COMMIT, and a file of a batch rolled back to its savepoint, or a whole
 * batch rolled back, takes its counts with it: the table ends as if the
 * kept articles had been stored one by one. */
static void
test_df_batch(void)
{
    struct mld_err err = {0};
    /* A and B, each in a transaction of its own. */
    struct mld_store *st = mld_test_store_fresh("story");
    put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland", NULL));
    put(st, art("urn:b", 1, 60, "Hamburg rüstet sich für den Gipfel", gipfel, "Hamburg",
                "G20"));
    mld_store_close(st);
    int64_t docs = raw("SELECT df FROM story_df WHERE term = -1", 0);
    int64_t keys = raw("SELECT count(*) FROM story_df", 0);
    int64_t sum = raw("SELECT sum(df) FROM story_df", 0);
    mld_test_store_remove();
    is_int(docs, 2, "two documents counted");

    /* A alone; then a batch: B kept, C rolled back to its savepoint;
     * then a batch rolled back whole (D). */
    st = mld_test_store_fresh("story");
    put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland", NULL));
    ok(mld_store_begin(st, &err) == 0, "batch: %s", err.msg);
    ok(mld_store_begin(st, &err) == 0, "file b: %s", err.msg);
    put(st, art("urn:b", 1, 60, "Hamburg rüstet sich für den Gipfel", gipfel, "Hamburg",
                "G20"));
    ok(mld_store_commit(st, &err) == 0, "file b released: %s", err.msg);
    is_int(raw("SELECT df FROM story_df WHERE term = -1", 0), 1,
           "counts of an open batch are not written yet");
    ok(mld_store_begin(st, &err) == 0, "file c: %s", err.msg);
    put(st, art("urn:c", 1, 120, "Wetterdienst warnt vor Sturm",
                "Der Wetterdienst warnt vor schweren Sturmböen an der Küste. Fähren bleiben "
                "im Hafen, Deiche werden kontrolliert, Schulen schließen früher.",
                "Niedersachsen", NULL));
    mld_store_rollback(st);
    ok(mld_store_commit(st, &err) == 0, "batch committed: %s", err.msg);
    ok(mld_store_begin(st, &err) == 0, "batch 2: %s", err.msg);
    put(st, art("urn:d", 1, 180, "Raser vor Gericht", raser, "Deutschland", NULL));
    mld_store_rollback(st);
    mld_store_close(st);
    is_int(raw("SELECT df FROM story_df WHERE term = -1", 0), docs,
           "documents: the rolled back ones not counted");
    is_int(raw("SELECT count(*) FROM story_df", 0), keys, "the same keys");
    is_int(raw("SELECT sum(df) FROM story_df", 0), sum, "the same counts");
    mld_test_store_remove();

    /* With room for 8 keys only: forgotten at each commit, written
     * early during a rebuild; the same counts. */
    df_cache_max = 8;
    st = mld_test_store_fresh("story");
    put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland", NULL));
    ok(mld_store_begin(st, &err) == 0, "small cache, batch: %s", err.msg);
    put(st, art("urn:b", 1, 60, "Hamburg rüstet sich für den Gipfel", gipfel, "Hamburg",
                "G20"));
    ok(mld_store_commit(st, &err) == 0, "small cache, committed: %s", err.msg);
    mld_store_close(st);
    is_int(raw("SELECT sum(df) FROM story_df", 0), sum, "small cache: the same counts");
    raw("DELETE FROM meta WHERE key = 'story_signature'", 0);
    ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "small cache, rebuild: %s", err.msg);
    mld_store_close(st);
    is_int(raw("SELECT count(*) FROM story_df", 0), keys, "rebuilt: the same keys");
    is_int(raw("SELECT sum(df) FROM story_df", 0), sum, "rebuilt: the same counts");
    df_cache_max = MLD_STORY_DF_CACHE;
    mld_test_store_remove();

    /* Counts kept between transactions are dropped when another
     * connection wrote in between. */
    st = mld_test_store_fresh("story");
    struct mld_store *other = NULL;
    ok(mld_store_open(&other, mld_test_dbpath, &err) == 0, "second connection: %s", err.msg);
    put(st, art("urn:a", 1, 0, "Härtere Strafen für Raser", raser, "Deutschland", NULL));
    put(other, art("urn:b", 1, 60, "Raser müssen in Haft", raser, "Deutschland", NULL));
    put(st, art("urn:c", 1, 120, "Raser vor Gericht", raser, "Deutschland", NULL));
    put(other, art("urn:d", 1, 180, "Hamburg rüstet sich für den Gipfel", gipfel, "Hamburg",
                   "G20"));
    put(st, art("urn:e", 1, 240, "Gipfel in Hamburg", gipfel, "Hamburg", "G20"));
    mld_store_close(other);
    mld_store_close(st);
    is_int(raw("SELECT df FROM story_df WHERE term = -1", 0), 5,
           "the other connection's documents counted");
    sum = raw("SELECT sum(df) FROM story_df", 0);
    raw("DELETE FROM meta WHERE key = 'story_signature'", 0);
    ok(mld_store_open(&st, mld_test_dbpath, &err) == 0, "two writers, rebuild: %s", err.msg);
    mld_store_close(st);
    is_int(raw("SELECT sum(df) FROM story_df", 0), sum,
           "two writers taking turns: every count as a recount gives it");
    mld_test_store_remove();
}

int
main(void)
{
    mld_test_pg_store_ready();
    test_rules();
    test_related();
    test_relevance();
    test_new_turn();
    test_links();
    test_person();
    test_subject();
    test_rebuild();
    test_df_batch();
    test_migration();
    test_demo();
    test_corpus();
    return mld_test_done();
}
