/*
 * tests/unit/ingest/rss.c - the RSS reader (RSS 0.9x, 1.0, 2.0) and
 * mld_format_rss.
 *
 * Checks: a full RSS 2.0 item mapped field by field (headline, teaser,
 * body with resolved links, link, author without e-mail, categories,
 * media from enclosure and media:content, dates, lang, credit, urn,
 * version); RSS 1.0 with items beside the channel and dc: elements; RSS
 * 0.91 with HTML entities and a Netscape DOCTYPE; titles with markup; the
 * guid and isPermaLink rules; duplicate guids keeping the newest; a huge
 * description cut to the teaser and kept as the body; zero items;
 * every <link> in the links (also <link href>); RSS 0.90 under both
 * Netscape namespaces; undeclared atom:link; core elements winning over
 * iTunes and Dublin Core fallbacks in any order; webMaster as the last
 * author; itunes:keywords, atom:category, atom:content; a control
 * character dropped from a title; author lists once;
 * malformed XML with line and column; a non-feed; the item cap; the
 * sniffer and format detection; and the German feeds of the shared corpus
 * (Golem in ISO-8859-1 with its umlauts, heise's RSS 0.90 RDF), plus a
 * no-crash pass over every RSS file of the feed-rs and miniflux corpora;
 * the date chain with its date_source (pubDate, dc:date, dcterms:modified,
 * atom:updated, the channel's dates, none; unreadable and 1970 dates as
 * absent); media kinds, sizes, captions, credits and media:group
 * renditions; the lead picture from the item's HTML; the inherited
 * author, link, lang, credit and the headline of an item without one.
 */
#include "../../../src/ingest/rss.c"

#include "../../../src/base/buf.h"

#include "feed_test.h"

static int
parse(const char *doc, const char *url, struct mld_test_list *l, struct mld_err *err)
{
    mld_err_clear(err);
    struct mld_source src = {.name = "t.xml", .url = url};
    return mld_format_rss.parse(doc, strlen(doc), &src, mld_test_keep, l, err);
}

static void
test_rss20(void)
{
    const char *doc =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
        "     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
        "xmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
        "     xmlns:media=\"http://search.yahoo.com/mrss/\">\n"
        "<channel>\n"
        "  <title>Beispiel-Nachrichten</title>\n"
        "  <link>https://www.beispiel.de/</link>\n"
        "  <description>Alles aus der Welt</description>\n"
        "  <language>de-de</language>\n"
        "  <atom:link rel=\"self\" href=\"https://www.beispiel.de/rss.xml\"/>\n"
        "  <item>\n"
        "    <title>Stra&#223;enbahn f&#228;hrt wieder &amp; p&#252;nktlich</title>\n"
        "    <link>https://www.beispiel.de/a/1.html</link>\n"
        "    <guid isPermaLink=\"false\">beispiel-1</guid>\n"
        "    <description>&lt;p&gt;Die &lt;b&gt;Bahn&lt;/b&gt; "
        "f&#228;hrt.&lt;/p&gt;</description>\n"
        "    <content:encoded><![CDATA[<p>Text mit <a href=\"/b/2.html\">Link</a>.</p>"
        "<script>alert(1)</script>]]></content:encoded>\n"
        "    <author>redaktion@beispiel.de (Eva Muster)</author>\n"
        "    <dc:creator>Max Muster</dc:creator>\n"
        "    <category>Verkehr</category><category domain=\"x\">Berlin</category>\n"
        "    <enclosure url=\"https://cdn.beispiel.de/bahn.jpg\" type=\"image/jpeg\" "
        "length=\"1234\"/>\n"
        "    <media:content url=\"https://cdn.beispiel.de/bahn2.jpg\" type=\"image/jpeg\">"
        "<media:description>Eine Bahn</media:description></media:content>\n"
        "    <pubDate>Tue, 03 Oct 2023 10:00:00 +0200</pubDate>\n"
        "    <dc:date>2023-10-03T09:30:00Z</dc:date>\n"
        "  </item>\n"
        "</channel>\n"
        "</rss>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, "https://feeds.beispiel.de/rss.xml", &l, &err);
    ok(rc == 0 && l.n == 1, "rss 2.0: one article (%s)", err.msg);
    if (l.n != 1) {
        mld_test_list_free(&l);
        return;
    }
    struct mld_article *a = l.v[0];
    is_str(a->headline,
           "Stra\xc3\x9f"
           "enbahn f\xc3\xa4hrt wieder & p\xc3\xbcnktlich",
           "headline: entities decoded, plain text");
    is_str(a->teaser, "Die Bahn f\xc3\xa4hrt.", "teaser: text of the description");
    ok(a->body_html != NULL && strstr(a->body_html, "<script") == NULL &&
           strstr(a->body_html, "href=\"https://www.beispiel.de/b/2.html\"") != NULL,
       "body sanitised, link resolved against the item link: %s", a->body_html);
    is_str(a->text, "Die Bahn f\xc3\xa4hrt.\nText mit Link.", "text = teaser + body text");
    is_str(a->link, "https://www.beispiel.de/a/1.html", "link");
    is_str(a->author, "Eva Muster, Max Muster", "authors: names only");
    is_int(a->ncategories, 2, "two categories");
    if (a->ncategories == 2) {
        is_str(a->categories[0], "tag:Verkehr", "category 1");
        is_str(a->categories[1], "tag:Berlin", "category 2");
    }
    is_int(a->ntopics, 0, "no topics");
    is_int(a->nmedia, 2, "two media");
    if (a->nmedia == 2) {
        ok(strcmp(a->media[0].url, "https://cdn.beispiel.de/bahn.jpg") == 0 &&
               strcmp(a->media[0].type, "image/jpeg") == 0 && a->media[0].length == 1234,
           "enclosure");
        is_str(a->media[1].caption, "Eine Bahn", "media:content caption");
    }
    mld_test_time_is(a->version_created, "2023-10-03T08:00:00Z",
                     "version_created = pubDate, before dc:date");
    is_int(a->date_source, MLD_DATE_VERSION, "date source: pubDate is the version date");
    mld_test_time_is(a->updated, "2023-10-03T09:30:00Z", "updated = the later dc:date");
    is_int(a->version, 1, "version 1");
    is_str(a->lang, "de-de", "lang from the channel");
    is_str(a->credit, "Beispiel-Nachrichten", "credit = feed title");
    is_str(a->format, "rss", "format");
    is_str(a->urn, "https://www.beispiel.de/#beispiel-1", "urn = feed link # guid");
    ok(a->pubstatus == MLD_PUB_USABLE && a->entry_id == NULL, "usable, no entry id");
    mld_test_list_free(&l);

    /* The model around it. */
    struct mld_feed *f = NULL;
    struct mld_source src = {.name = "t.xml"};
    rc = mld_feed_parse(doc, strlen(doc), &src, &f, &err);
    ok(rc == 0 && strcmp(f->version, "rss20") == 0 && strcmp(f->format, "rss") == 0,
       "version rss20");
    if (rc == 0) {
        is_str(f->self, "https://www.beispiel.de/rss.xml", "self link");
        is_str(f->subtitle.text, "Alles aus der Welt", "subtitle");
        mld_test_time_is(f->items[0].published, "2023-10-03T08:00:00Z", "published from pubDate");
        is_str(f->items[0].id, "beispiel-1", "raw guid kept");
        is_int(f->items[0].nlinks, 2, "item links: link and enclosure");
    }
    mld_feed_free(f);
}

static void
test_rss10(void)
{
    const char *doc =
        "<?xml version=\"1.0\"?>\n"
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
        "  xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
        "  <channel rdf:about=\"https://www.beispiel.de/\">\n"
        "    <title>RDF-Kanal</title><link>https://www.beispiel.de/</link>\n"
        "    <dc:language>de</dc:language>\n"
        "    <items><rdf:Seq><rdf:li "
        "rdf:resource=\"https://www.beispiel.de/1\"/></rdf:Seq></items>\n"
        "  </channel>\n"
        "  <item rdf:about=\"https://www.beispiel.de/1\">\n"
        "    <title>Erste Meldung</title><link>https://www.beispiel.de/1</link>\n"
        "    <description>Kurz.</description><dc:subject>Politik</dc:subject>\n"
        "    <dc:creator>Ada</dc:creator><dc:date>2024-01-02T03:04:05+01:00</dc:date>\n"
        "  </item>\n"
        "  <item rdf:about=\"local-2\"><title>Zweite</title></item>\n"
        "  <textinput rdf:about=\"x\"><title>Suche</title></textinput>\n"
        "</rdf:RDF>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, NULL, &l, &err);
    ok(rc == 0 && l.n == 2, "rss 1.0: items outside the channel, textinput ignored (%s)", err.msg);
    if (l.n == 2) {
        is_str(l.v[0]->headline, "Erste Meldung", "headline");
        is_str(l.v[0]->urn, "https://www.beispiel.de/1", "urn = rdf:about (a URL)");
        is_str(l.v[0]->author, "Ada", "dc:creator");
        is_str(l.v[0]->categories ? l.v[0]->categories[0] : NULL, "tag:Politik", "dc:subject");
        mld_test_time_is(l.v[0]->version_created, "2024-01-02T02:04:05Z", "dc:date");
        is_str(l.v[0]->lang, "de", "dc:language of the channel");
        is_str(l.v[1]->urn, "https://www.beispiel.de/#local-2",
               "local rdf:about under the feed key");
    }
    mld_test_list_free(&l);
    struct mld_feed *f = NULL;
    struct mld_source src = {.name = "t.xml"};
    rc = mld_feed_parse(doc, strlen(doc), &src, &f, &err);
    ok(rc == 0 && strcmp(f->version, "rss10") == 0, "version rss10");
    mld_feed_free(f);
}

static void
test_rss091(void)
{
    const char *doc =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
        "  \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
        "<rss version=\"0.91\"><channel><title>Alt&nbsp;aber gut</title>\n"
        "<link>http://alt.example/</link><language>de</language>\n"
        "<item><title>M\xfcller &amp; S\xf6hne &mdash; \x84Zitat\x93</title>\n"
        "<link>http://alt.example/1</link><description>Text &eacute;</description></item>\n"
        "</channel></rss>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, NULL, &l, &err);
    ok(rc == 0 && l.n == 1, "rss 0.91 with HTML entities and a DOCTYPE (%s)", err.msg);
    if (l.n == 1) {
        is_str(l.v[0]->headline,
               "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 \xe2\x80\x9eZitat\xe2\x80\x9c",
               "ISO-8859-1 read as windows-1252, entities");
        is_str(l.v[0]->credit,
               "Alt\xc2\xa0"
               "aber gut",
               "&nbsp; in the channel title");
        is_str(l.v[0]->teaser, "Text \xc3\xa9", "teaser");
        is_str(l.v[0]->urn, "http://alt.example/1", "no guid: the link");
        ok(l.v[0]->version_created == 0, "no date: version_created 0");
    }
    mld_test_list_free(&l);
    struct mld_feed *f = NULL;
    struct mld_source src = {.name = "t.xml"};
    rc = mld_feed_parse(doc, strlen(doc), &src, &f, &err);
    ok(rc == 0 && strcmp(f->version, "rss091n") == 0, "version rss091n (Netscape DOCTYPE)");
    mld_feed_free(f);
}

static void
test_titles_and_guids(void)
{
    const char *doc =
        "<rss version=\"2.0\"><channel><link>https://k.example/</link>\n"
        "<item><title>&lt;b&gt;Fett&lt;/b&gt; &amp;amp; "
        "mager</title><guid>https://k.example/p/1</guid></item>\n"
        "<item><title>a &lt; b</title><guid isPermaLink=\"true\">/p/2</guid></item>\n"
        "<item><title>Naked <b>markup</b></title><guid>tag:k.example,2024:3</guid></item>\n"
        "<item><title>Kein Link</title><guid "
        "isPermaLink=\"false\">https://k.example/p/4</guid></item>\n"
        "<item><title>Nur Titel</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>\n"
        "<item><description>Ohne Titel, aber mit Text, der als Schlagzeile dient.</description>"
        "<guid>x</guid></item>\n"
        "</channel></rss>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, "https://k.example/feed", &l, &err);
    ok(rc == 0 && l.n == 6, "six items (%s)", err.msg);
    if (l.n != 6) {
        mld_test_list_free(&l);
        return;
    }
    is_str(l.v[0]->headline, "Fett & mager", "escaped markup in a title becomes text");
    is_str(l.v[0]->urn, "https://k.example/p/1", "URL guid is the urn");
    is_str(l.v[0]->link, "https://k.example/p/1", "permalink guid is the link");
    is_str(l.v[1]->headline, "a < b", "a bracket that is no markup stays");
    is_str(l.v[1]->urn, "https://k.example/p/2", "isPermaLink=true resolved against the base");
    is_str(l.v[2]->headline, "Naked markup", "inline markup becomes text");
    is_str(l.v[2]->urn, "tag:k.example,2024:3", "tag: guid");
    is_str(l.v[3]->link, NULL, "isPermaLink=false: not a link");
    is_str(l.v[3]->urn, "https://k.example/p/4", "but still a global id");
    ok(strncmp(l.v[4]->urn, "urn:meldung:feed:", 17) == 0, "no guid, no link: hashed urn %s",
       l.v[4]->urn);
    is_str(l.v[5]->headline, "Ohne Titel, aber mit Text, der als Schlagzeile dient.",
           "no title: the headline comes from the description");
    mld_test_list_free(&l);
}

/* Reads doc into the model (no document URL); NULL with a diagnostic on
 * failure. */
static struct mld_feed *
model(const char *doc)
{
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = "m.xml"};
    if (mld_feed_parse(doc, strlen(doc), &src, &f, &err) != 0)
        diag("m.xml: %s", err.msg);
    return f;
}

static void
test_links_and_versions(void)
{
    const char *doc = "<rss version='2.0'><channel>\n"
                      "<link>http://example.org</link><link>http://example2.org</link>\n"
                      "<link href='http://example3.org'/>\n"
                      "<item><link>http://example.org/1</link><link>http://example2.org/1</link>"
                      "<link href='http://example3.org/1'/></item>\n"
                      "<item><link href='http://example.org/only-href'/></item>\n"
                      "</channel></rss>";
    struct mld_feed *f = model(doc);
    ok(f != NULL && f->nlinks == 3 && f->nitems == 2, "every channel <link> is a link");
    if (f != NULL && f->nlinks == 3 && f->nitems == 2) {
        is_str(f->link, "http://example.org", "the first is the feed link");
        is_str(f->links[1].href, "http://example2.org", "the second");
        is_str(f->links[2].href, "http://example3.org", "<link href> as Atom would write it");
        is_int(f->items[0].nlinks, 3, "every item <link> is a link");
        is_str(f->items[0].article->link, "http://example.org/1", "the first is the item link");
        is_str(f->items[0].nlinks == 3 ? f->items[0].links[2].href : NULL, "http://example3.org/1",
               "item <link href>");
        is_str(f->items[1].article->link, "http://example.org/only-href", "a lone <link href>");
    }
    mld_feed_free(f);

    doc = "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
          " xmlns='http://channel.netscape.com/rdf/simple/0.9/'></rdf:RDF>";
    f = model(doc);
    is_str(f ? f->version : NULL, "rss090", "RSS 0.90 under channel.netscape.com");
    mld_feed_free(f);
    doc = "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
          " xmlns='http://channel.netscape.com/rdf/simple/0.9/'><channel><title>T</title>"
          "</channel><item><title>I</title><link>http://n.example/1</link></item></rdf:RDF>";
    f = model(doc);
    ok(f != NULL && strcmp(f->version, "rss090") == 0 && f->nitems == 1 &&
           strcmp(f->title.text, "T") == 0,
       "RSS 0.90 elements in that namespace are read");
    mld_feed_free(f);

    /* atom:link without xmlns:atom: the prefix says what it is. */
    doc = "<rss version='2.0'><channel>"
          "<atom:link href='http://example.org/feed' rel='self' type='application/rss+xml'/>"
          "<atom:link href='http://example.org/' rel='alternate' type='text/html'/>"
          "<item><atom:link href='http://example.org/1'/></item>"
          "</channel></rss>";
    f = model(doc);
    ok(f != NULL, "an undeclared atom: prefix is no error");
    if (f != NULL) {
        is_str(f->self, "http://example.org/feed", "undeclared atom:link rel=self");
        is_str(f->link, "http://example.org/", "undeclared atom:link rel=alternate");
        is_str(f->nitems == 1 ? f->items[0].article->link : NULL, "http://example.org/1",
               "undeclared atom:link in an item");
    }
    mld_feed_free(f);
}

static void
test_fallbacks(void)
{
    const char *doc =
        "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"
        " xmlns:dc='http://purl.org/dc/elements/1.1/'"
        " xmlns:atom='http://www.w3.org/2005/Atom'><channel>\n"
        "<title>Kanal</title>\n"
        "<itunes:summary>Podcast-Zusammenfassung</itunes:summary><itunes:subtitle/>\n"
        "<description>Die Beschreibung</description>\n"
        "<webMaster>web@example.org (Web Meister)</webMaster>\n"
        "<item><title>a\bb\x01"
        "c</title>\n"
        "  <itunes:summary>iTunes</itunes:summary><description>Beschreibung</description>\n"
        "  <dc:creator>Anna, Bert</dc:creator><itunes:author>Anna, Bert</itunes:author>\n"
        "  <itunes:keywords>eins, zwei,,drei</itunes:keywords>\n"
        "  <atom:category term='atomterm'/><atom:category label='Nur Label'/>\n"
        "  <atom:content type='html'>&lt;p&gt;Rumpf&lt;/p&gt;</atom:content></item>\n"
        "<item><itunes:summary>Nur iTunes</itunes:summary>\n"
        "  <dc:title>DC-Titel</dc:title><title>Titel</title></item>\n"
        "<item><description/><itunes:summary>Leere Beschreibung</itunes:summary></item>\n"
        "<item><content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        "&lt;p&gt;Encoded&lt;/p&gt;</content:encoded>"
        "<atom:content type='html'>&lt;p&gt;Atom&lt;/p&gt;</atom:content></item>\n"
        "</channel></rss>";
    struct mld_feed *f = model(doc);
    ok(f != NULL && f->nitems == 4, "four items");
    if (f == NULL || f->nitems != 4) {
        mld_feed_free(f);
        return;
    }
    is_str(f->subtitle.text, "Die Beschreibung", "channel: description over an earlier iTunes one");
    is_str(f->author, "Web Meister", "channel: webMaster when no other author");
    struct mld_article *a = f->items[0].article;
    is_str(a->headline, "abc", "a control character in a title is dropped, not a space");
    is_str(f->items[0].summary.text, "Beschreibung", "item: description over itunes:summary");
    is_str(a->author, "Anna, Bert", "dc:creator and itunes:author list the same names once");
    is_int(a->ncategories, 5, "itunes:keywords and atom:category are categories");
    if (a->ncategories == 5) {
        is_str(a->categories[0], "tag:eins", "keyword 1");
        is_str(a->categories[1], "tag:zwei", "keyword 2 (trimmed)");
        is_str(a->categories[2], "tag:drei", "keyword 3 (empty one skipped)");
        is_str(a->categories[3], "tag:atomterm", "atom:category term");
        is_str(a->categories[4], "tag:Nur Label", "atom:category label");
    }
    is_str(a->body_html, "<p>Rumpf</p>", "atom:content in an RSS item is the body");
    is_str(f->items[1].summary.text, "Nur iTunes", "itunes:summary alone");
    is_str(f->items[1].article->headline, "Titel", "title over an earlier dc:title");
    is_str(f->items[2].summary.text, "Leere Beschreibung", "a fallback fills an empty description");
    is_str(f->items[3].article->body_html, "<p>Encoded</p>", "content:encoded before atom:content");
    mld_feed_free(f);

    doc = "<rss version='2.0'><channel>"
          "<managingEditor>info@example.org (info@example.org)</managingEditor>"
          "<itunes:author xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'>"
          "Night Vale Presents</itunes:author>"
          "<webMaster>help@example.org (PRX)</webMaster></channel></rss>";
    f = model(doc);
    is_str(f ? f->author : NULL, "Night Vale Presents",
           "no address as a name; webMaster only when no other author");
    mld_feed_free(f);
}

static void
test_duplicates_and_limits(void)
{
    const char *doc = "<rss version=\"2.0\"><channel><link>https://d.example/</link>\n"
                      "<item><title>alt</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 "
                      "GMT</pubDate></item>\n"
                      "<item><title>andere</title><guid>g2</guid></item>\n"
                      "<item><title>neu</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 12:00:00 "
                      "GMT</pubDate></item>\n"
                      "<item><title>noch \xc3\xa4lter</title><guid>g1</guid><pubDate>Mon, 01 Jan "
                      "2024 08:00:00 GMT</pubDate></item>\n"
                      "</channel></rss>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, NULL, &l, &err);
    ok(rc == 0 && l.n == 2, "duplicate guids: one article each (%d)", l.n);
    if (l.n == 2) {
        is_str(l.v[0]->headline, "andere", "document order kept");
        is_str(l.v[1]->headline, "neu", "the newest of the duplicates");
    }
    mld_test_list_free(&l);

    const char *empty = "<rss version=\"2.0\"><channel><title>Leer</title></channel></rss>";
    rc = parse(empty, NULL, &l, &err);
    ok(rc == 0 && l.n == 0, "zero items: no articles, no error");
    mld_test_list_free(&l);

    /* A huge description: cut teaser, full body. */
    struct mld_buf b;
    mld_buf_init(&b, 1 << 20);
    mld_buf_puts(&b, "<rss><channel><item><title>Lang</title><description>&lt;p&gt;");
    for (int i = 0; i < 400; i++)
        mld_buf_puts(&b, "Wort ");
    mld_buf_puts(&b, "&lt;/p&gt;</description></item></channel></rss>");
    rc = parse(b.p, NULL, &l, &err);
    ok(rc == 0 && l.n == 1, "huge description parses");
    if (l.n == 1) {
        ok(l.v[0]->teaser == NULL && l.v[0]->body_html != NULL && strlen(l.v[0]->body_html) > 1900,
           "a whole article in the description becomes the body");
    }
    mld_test_list_free(&l);
    mld_buf_reset(&b);
    mld_buf_puts(&b, "<rss><channel><item><title>Lang</title><description>");
    for (int i = 0; i < 300; i++)
        mld_buf_puts(&b, "Wort ");
    mld_buf_puts(&b, "</description><content:encoded xmlns:content="
                     "\"http://purl.org/rss/1.0/modules/content/\">Body</content:encoded>"
                     "</item></channel></rss>");
    rc = parse(b.p, NULL, &l, &err);
    if (rc == 0 && l.n == 1)
        ok(strlen(l.v[0]->teaser) <= MLD_FEED_TEASER_BYTES + 4 &&
               strstr(l.v[0]->teaser, "\xe2\x80\xa6") != NULL &&
               strcmp(l.v[0]->body_html, "Body") == 0,
           "a long summary beside content is cut at a word: %zu bytes", strlen(l.v[0]->teaser));
    else
        ok(0, "long summary parses");
    mld_test_list_free(&l);

    /* The item cap. */
    mld_buf_dispose(&b);
    mld_buf_init(&b, 8u << 20);
    mld_buf_puts(&b, "<rss><channel>");
    for (int i = 0; i < MLD_MAX_FEED_ITEMS + 5; i++)
        mld_buf_printf(&b, "<item><guid>https://c.example/%d</guid></item>", i);
    mld_buf_puts(&b, "</channel></rss>");
    struct mld_feed *f = NULL;
    struct mld_source src = {.name = "cap.xml"};
    rc = mld_feed_parse(b.p, b.len, &src, &f, &err);
    ok(rc == 0 && f->nitems == MLD_MAX_FEED_ITEMS && f->dropped == 5,
       "items past MLD_MAX_FEED_ITEMS are dropped");
    mld_feed_free(f);
    mld_buf_dispose(&b);
}

static void
test_errors(void)
{
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    const char *bad = "<rss version=\"2.0\">\n<channel>\n<title>x</titel>\n</channel></rss>";
    int rc = parse(bad, NULL, &l, &err);
    ok(rc == MLD_E_PARSE && strncmp(err.msg, "t.xml: line 3, column", 21) == 0,
       "malformed XML: MLD_E_PARSE with line and column: %s", err.msg);
    rc = parse("<rss version=\"2.0\"><channel><item><title>a</title>", NULL, &l, &err);
    ok(rc == MLD_E_PARSE, "truncated document rejected: %s", err.msg);
    rc = parse("", NULL, &l, &err);
    ok(rc == MLD_E_PARSE, "empty document: %s", err.msg);
    rc = parse("<html><body>Not found</body></html>", NULL, &l, &err);
    ok(rc == MLD_E_UNSUPPORTED && strstr(err.msg, "<html>") != NULL, "not a feed: %s", err.msg);
    rc = parse("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;"
               "&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d "
               "'&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]><rss><channel><title>&d;&d;&d;</title>"
               "</channel></rss>",
               NULL, &l, &err);
    ok(rc == 0 || rc == MLD_E_PARSE, "entity expansion stays bounded (%d)", rc);
    ok(l.n == 0, "no articles from errors");
    mld_test_list_free(&l);
}

static void
test_sniff(void)
{
    ok(mld_format_rss.sniff("<rss version=\"2.0\">", 19), "sniff rss");
    ok(mld_format_rss.sniff("<?xml version=\"1.0\"?>\n<rdf:RDF>", 31), "sniff rdf:RDF");
    ok(!mld_format_rss.sniff("<feed xmlns=\"http://www.w3.org/2005/Atom\">", 42), "not atom");
    ok(!mld_format_rss.sniff("{\"urn\": 1}", 10), "not json");
    const char *d = "\n\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>";
    ok(mld_format_detect(d, strlen(d)) == &mld_format_rss, "detected as rss");
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    ok(parse(d, NULL, &l, &err) == 0, "blank lines before the XML declaration are fine");
}

/* The shared corpus -------------------------------------------------------- */

static struct mld_feed *
corpus_feed(const char *sub, const char *file)
{
    const char *dir = mld_test_corpus(sub);
    if (dir == NULL)
        return NULL;
    char path[8400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    size_t len;
    char *doc = mld_test_slurp(path, &len);
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = file};
    int rc = doc ? mld_feed_parse(doc, len, &src, &f, &err) : MLD_E_IO;
    ok(rc == 0, "%s parses: %s", file, err.msg);
    free(doc);
    return f;
}

static const struct mld_article *
find_headline(const struct mld_feed *f, const char *h)
{
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].article->headline && strcmp(f->items[i].article->headline, h) == 0)
            return f->items[i].article;
    return NULL;
}

static void
test_german(void)
{
    struct mld_feed *f = corpus_feed("miniflux/parser/testdata", "encoding_ISO-8859-1.xml");
    if (f != NULL) {
        is_str(f->charset, "iso-8859-1", "Golem: charset");
        is_int(f->nitems, 40, "Golem: 40 items");
        is_str(f->title.text, "Golem.de", "Golem: title");
        const struct mld_article *a =
            find_headline(f, "Machine Learning: Von KI erstelltes Portr\xc3\xa4t f\xc3\xbcr "
                             "432.500 US.Dollar versteigert");
        ok(a != NULL, "Golem: headline with \xc3\xa4 and \xc3\xbc decoded");
        a = find_headline(f, "Wochenr\xc3\xbc"
                             "ckblick: Wilder Westen, buntes Handy, nutzloses "
                             "Siegel");
        ok(a != NULL, "Golem: Wochenr\xc3\xbc"
                      "ckblick");
        if (a != NULL)
            ok(a->link != NULL && strncmp(a->link, "https://www.golem.de/news/", 26) == 0 &&
                   strcmp(a->lang, "de") == 0 && strcmp(a->credit, "Golem.de") == 0 &&
                   a->version_created != 0,
               "Golem: link, lang, credit, date");
        a = f->nitems ? f->items[0].article : NULL;
        ok(a && a->teaser && strstr(a->teaser, "w\xc3\xbcnschen") != NULL,
           "Golem: teaser umlauts (w\xc3\xbcnschen)");
        ok(a && strcmp(a->urn, "https://www.golem.de/1810/137358-rss.html") == 0,
           "Golem: guid as urn");
        ok(a && a->nmedia == 1 && a->media[0].kind == MLD_MEDIA_PICTURE &&
               strcmp(a->media[0].url, "https://www.golem.de/1810/137358-177541-177538_rc.jpg") ==
                   0 &&
               a->media[0].width == 140,
           "Golem: the first picture of content:encoded is the lead picture");
        ok(a && a->body_html && strstr(a->body_html, "<img") == NULL &&
               strstr(a->body_html, "cpx.golem.de") == NULL,
           "Golem: neither the picture nor the tracking pixel stay in the body");
        ok(a && a->date_source == MLD_DATE_VERSION, "Golem: dated by pubDate");
    }
    mld_feed_free(f);

    f = corpus_feed("miniflux/parser/testdata", "rdf_UTF8.xml");
    if (f != NULL) {
        is_str(f->version, "rss090", "heise RDF: RSS 0.90");
        is_int(f->nitems, 60, "heise RDF: 60 items");
        is_str(f->title.text, "heise online News", "heise RDF: title");
        ok(find_headline(f, "Mega-Deal: IBM \xc3\xbc"
                            "bernimmt Red Hat") != NULL,
           "heise RDF: IBM \xc3\xbc"
           "bernimmt Red Hat");
        ok(find_headline(f, "OLED-TVs: Vorsichtsma\xc3\x9fnahmen gegen Einbrennen") != NULL,
           "heise RDF: Vorsichtsma\xc3\x9fnahmen");
        const struct mld_article *a = f->items[0].article;
        ok(a->urn && strncmp(a->urn, "https://www.heise.de/newsticker/meldung/", 40) == 0,
           "heise RDF: the link is the urn");
        ok(a->version_created == 0 && a->date_source == MLD_DATE_SEEN,
           "heise RDF: no date anywhere, none invented");
    }
    mld_feed_free(f);

    f = corpus_feed("miniflux/parser/testdata", "encoding_WINDOWS-1251.xml");
    if (f != NULL)
        ok(strcmp(f->charset, "windows-1251") == 0 && f->nitems > 0, "windows-1251 via iconv");
    mld_feed_free(f);
    f = corpus_feed("miniflux/parser/testdata", "no_encoding_ISO-8859-1.xml");
    if (f != NULL)
        ok(strcmp(f->charset, "windows-1252") == 0 && f->nitems > 0,
           "undeclared Latin-1: windows-1252 (%s)", f->charset);
    mld_feed_free(f);
}

static void
test_smoke(void)
{
    static const char *const dirs[] = {"feed-rs/fixture/rss0", "feed-rs/fixture/rss1",
                                       "feed-rs/fixture/rss2", "miniflux/parser/testdata",
                                       "rss-parser/test/input"};
    struct mld_test_smoke c = mld_test_smoke(&mld_format_rss, dirs, sizeof(dirs) / sizeof(dirs[0]));
    if (c.files > 0)
        ok(c.read >= c.files - 2, "corpus RSS feeds: %d of %d read, %d items", c.read, c.files,
           c.items);
}

/* Issue 12: dates, media, lead pictures, item fields ------------------------ */

/* An RSS 2.0 document around items (and channel elements before them). */
static char *
rss_doc(const char *channel, const char *items)
{
    struct mld_buf b;
    mld_buf_init(&b, 1 << 20);
    mld_buf_printf(&b,
                   "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                   "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                   "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
                   "xmlns:media=\"http://search.yahoo.com/mrss/\" "
                   "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                   "<channel><title>Stadtanzeiger</title><link>https://anzeiger.example/</link>"
                   "<language>de</language>%s%s</channel></rss>",
                   channel, items);
    return mld_buf_steal(&b, NULL);
}

/* Parses one item under channel and returns its article (NULL when the
 * parse fails or gives no single article); l keeps it. */
static const struct mld_article *
one_item(const char *channel, const char *item, struct mld_test_list *l)
{
    struct mld_err err = {0};
    char *doc = rss_doc(channel, item);
    int rc = parse(doc, "https://anzeiger.example/feed.rss", l, &err);
    mld_free(doc);
    if (rc != 0)
        diag("parse: %s", err.msg);
    return rc == 0 && l->n == 1 ? l->v[0] : NULL;
}

static void
date_case(const char *name, const char *channel, const char *item, const char *want,
          enum mld_date_source src)
{
    struct mld_test_list l = {0};
    const struct mld_article *a = one_item(channel, item, &l);
    if (!ok(a != NULL, "dates %s: parsed", name)) {
        mld_test_list_free(&l);
        return;
    }
    if (want == NULL)
        ok(a->version_created == 0 && a->updated == 0, "dates %s: no date invented", name);
    else {
        char what[96];
        snprintf(what, sizeof(what), "dates %s: version_created", name);
        mld_test_time_is(a->version_created, want, what);
    }
    is_int(a->date_source, src, "dates %s: date_source", name);
    mld_test_list_free(&l);
}

static void
test_date_chain(void)
{
    const char *pub = "<pubDate>Mon, 07 Dec 2026 10:00:00 +0100</pubDate>";
    const char *dc = "<dc:date>2026-12-07T11:30:00+01:00</dc:date>";
    const char *mod = "<dcterms:modified>2026-12-07T12:00:00Z</dcterms:modified>";
    const char *build = "<lastBuildDate>Mon, 07 Dec 2026 14:00 GMT</lastBuildDate>";
    const char *cpub = "<pubDate>Mon, 07 Dec 2026 13:00:00 +0100</pubDate>";
    char item[512];

    snprintf(item, sizeof(item), "<item><title>A</title>%s%s%s</item>", mod, dc, pub);
    date_case("pubDate first", build, item, "2026-12-07T09:00:00Z", MLD_DATE_VERSION);
    snprintf(item, sizeof(item), "<item><title>A</title>%s</item>", dc);
    date_case("dc:date", build, item, "2026-12-07T10:30:00Z", MLD_DATE_CREATED);
    snprintf(item, sizeof(item), "<item><title>A</title>%s</item>", mod);
    date_case("dcterms:modified", build, item, "2026-12-07T12:00:00Z", MLD_DATE_MODIFIED);
    date_case("atom:updated", "",
              "<item><title>A</title><atom:updated>2026-12-07T08:15:00Z</atom:updated></item>",
              "2026-12-07T08:15:00Z", MLD_DATE_MODIFIED);
    date_case("lastBuildDate", build, "<item><title>A</title></item>", "2026-12-07T14:00:00Z",
              MLD_DATE_CHANNEL);
    date_case("channel pubDate", cpub, "<item><title>A</title></item>", "2026-12-07T12:00:00Z",
              MLD_DATE_CHANNEL);
    date_case("channel dc:date", "<dc:date>2026-12-06</dc:date>", "<item><title>A</title></item>",
              "2026-12-06T00:00:00Z", MLD_DATE_CHANNEL);
    date_case("nothing", "", "<item><title>A</title></item>", NULL, MLD_DATE_SEEN);
    date_case("unreadable pubDate", "",
              "<item><title>A</title><pubDate>gestern Abend</pubDate></item>", NULL, MLD_DATE_SEEN);
    date_case("unreadable pubDate, channel", build,
              "<item><title>A</title><pubDate>bald</pubDate></item>", "2026-12-07T14:00:00Z",
              MLD_DATE_CHANNEL);
    date_case("1970 is no date", "",
              "<item><title>A</title><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>", NULL,
              MLD_DATE_SEEN);
    snprintf(item, sizeof(item),
             "<item><title>A</title><pubDate>Thu, 01 Jan 1970 01:00:00 +0100</pubDate>%s</item>",
             dc);
    date_case("1970 pubDate, dc:date", "", item, "2026-12-07T10:30:00Z", MLD_DATE_CREATED);
    date_case("German names", "",
              "<item><title>A</title><pubDate>Mo, 07 Dez 2026 10:00 MEZ</pubDate></item>",
              "2026-12-07T09:00:00Z", MLD_DATE_VERSION);

    /* A later modification orders re-deliveries under the same pubDate,
     * and a channel date never changes the identity. */
    struct mld_test_list l1 = {0}, l2 = {0};
    snprintf(item, sizeof(item), "<item><title>A</title>%s%s</item>", pub, mod);
    const struct mld_article *a1 = one_item(build, "<item><title>Ohne Kennung</title></item>", &l1);
    const struct mld_article *a2 = one_item(cpub, "<item><title>Ohne Kennung</title></item>", &l2);
    ok(a1 && a2 && strcmp(a1->urn, a2->urn) == 0,
       "dates: a channel-dated item keeps its urn when the channel date moves");
    mld_test_list_free(&l1);
    mld_test_list_free(&l2);
    const struct mld_article *a = one_item("", item, &l1);
    ok(a && a->version_created < a->updated && a->date_source == MLD_DATE_VERSION,
       "dates: updated is the later modification, version_created the pubDate");
    mld_test_list_free(&l1);
}

static void
test_media_fields(void)
{
    struct mld_test_list l = {0};
    const struct mld_article *a = one_item(
        "",
        "<item><title>Bilder</title><link>https://anzeiger.example/b</link>"
        "<enclosure url=\"https://cdn.example/ton/folge7.mp3\" length=\"1200\"/>"
        "<enclosure url=\"https://cdn.example/film.bin\" type=\"video/mp4\"/>"
        "<media:content url=\"https://cdn.example/hafen.jpg\" medium=\"image\" width=\"1200\" "
        "height=\"800\"><media:description>Der Hafen am Morgen</media:description>"
        "<media:credit role=\"photographer\">Foto: Ada Beispiel</media:credit>"
        "</media:content>"
        "<media:group><media:title>Markt</media:title>"
        "<media:credit>Bildagentur Beispiel</media:credit>"
        "<media:content url=\"https://cdn.example/markt-320.webp\" type=\"image/webp\" "
        "width=\"320\" height=\"180\"/>"
        "<media:content url=\"https://cdn.example/markt-1280.webp\" type=\"image/webp\" "
        "width=\"1280\" height=\"720\"/>"
        "<media:content url=\"https://cdn.example/markt-640.webp\" type=\"image/webp\" "
        "width=\"640\" height=\"360\"/></media:group>"
        "<media:content url=\"https://cdn.example/clip\" medium=\"video\"/>"
        "</item>",
        &l);
    ok(a != NULL && a->nmedia == 5, "media: five objects (%d)", a ? a->nmedia : -1);
    if (a != NULL && a->nmedia == 5) {
        const struct mld_media *m = a->media;
        ok(m[0].kind == MLD_MEDIA_AUDIO && m[0].length == 1200,
           "media: enclosure without type is audio by its .mp3");
        ok(m[1].kind == MLD_MEDIA_VIDEO, "media: enclosure type video/mp4");
        ok(m[2].kind == MLD_MEDIA_PICTURE && m[2].width == 1200 && m[2].height == 800,
           "media:content medium=image with width and height");
        is_str(m[2].caption, "Der Hafen am Morgen", "media:description is the caption");
        is_str(m[2].credit, "Foto: Ada Beispiel", "media:credit is the credit");
        is_str(m[3].url, "https://cdn.example/markt-1280.webp",
               "media:group: the widest size is the picture");
        ok(m[3].kind == MLD_MEDIA_PICTURE && m[3].width == 1280 && m[3].nrenditions == 2,
           "media:group: the other sizes are renditions");
        if (m[3].nrenditions == 2)
            ok(m[3].renditions[0].width == 320 && m[3].renditions[1].width == 640 &&
                   strcmp(m[3].renditions[1].url, "https://cdn.example/markt-640.webp") == 0,
               "media:group: renditions with their widths");
        is_str(m[3].caption, "Markt", "media:group: the group's media:title as caption");
        is_str(m[3].credit, "Bildagentur Beispiel", "media:group: the group's credit");
        ok(m[4].kind == MLD_MEDIA_VIDEO, "media:content medium=video without extension");
    }
    mld_test_list_free(&l);

    /* isDefault wins over width; a thumbnail only without other media. */
    a = one_item("",
                 "<item><title>T</title><media:group>"
                 "<media:content url=\"https://cdn.example/g.jpg\" width=\"2000\"/>"
                 "<media:content url=\"https://cdn.example/s.jpg\" width=\"600\" "
                 "isDefault=\"true\"/></media:group></item>",
                 &l);
    ok(a && a->nmedia == 1 && strcmp(a->media[0].url, "https://cdn.example/s.jpg") == 0 &&
           a->media[0].nrenditions == 1,
       "media:group: isDefault is the picture");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>T</title><media:thumbnail url=\"https://cdn.example/t.png\" "
                 "width=\"150\" height=\"100\"/></item>",
                 &l);
    ok(a && a->nmedia == 1 && a->media[0].kind == MLD_MEDIA_PICTURE && a->media[0].width == 150 &&
           a->media[0].height == 100,
       "media:thumbnail as the picture, with its size");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>T</title><media:thumbnail url=\"https://cdn.example/avatar.png\" "
                 "width=\"30\" height=\"30\"/></item>",
                 &l);
    ok(a && a->nmedia == 0, "media:thumbnail of 30 px: an avatar, no picture");
    mld_test_list_free(&l);
    /* Two sizes of one picture without a media:group (the Guardian's way). */
    a = one_item("",
                 "<item><title>T</title>"
                 "<media:content url=\"https://cdn.example/p/1.jpg?w=140&amp;s=a\" width=\"140\">"
                 "<media:credit>Foto: Gerd Beispiel</media:credit></media:content>"
                 "<media:content url=\"https://cdn.example/p/1.jpg?w=460&amp;s=b\" width=\"460\">"
                 "<media:credit>Foto: Gerd Beispiel</media:credit></media:content>"
                 "<media:content url=\"https://cdn.example/p/2.jpg?w=460\" width=\"460\"/></item>",
                 &l);
    ok(a && a->nmedia == 2 &&
           strcmp(a->media[0].url, "https://cdn.example/p/1.jpg?w=460&s=b") == 0 &&
           a->media[0].width == 460 && a->media[0].nrenditions == 1 &&
           a->media[0].renditions[0].width == 140 && a->media[0].credit &&
           strcmp(a->media[0].credit, "Foto: Gerd Beispiel") == 0,
       "media:content: sizes of one picture differing in the query become renditions");
    ok(a && a->nmedia == 2 && a->media[1].nrenditions == 0, "media:content: another picture stays");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>T</title><media:thumbnail url=\"https://cdn.example/t.png\"/>"
                 "<enclosure url=\"https://cdn.example/f.mp3\" type=\"audio/mpeg\"/></item>",
                 &l);
    ok(a && a->nmedia == 2 && a->media[0].kind == MLD_MEDIA_AUDIO &&
           a->media[1].kind == MLD_MEDIA_PICTURE,
       "media:thumbnail: the picture of a podcast episode");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>T</title><media:thumbnail url=\"https://cdn.example/t.png\"/>"
                 "<enclosure url=\"https://cdn.example/b.jpg\" type=\"image/jpeg\"/></item>",
                 &l);
    ok(a && a->nmedia == 1 && strcmp(a->media[0].url, "https://cdn.example/b.jpg") == 0,
       "media:thumbnail: not beside a picture");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>T</title><media:credit>Foto: Bea Beispiel</media:credit>"
                 "<media:content url=\"https://cdn.example/x.jpg\"/></item>",
                 &l);
    ok(a && a->nmedia == 1 && a->media[0].credit &&
           strcmp(a->media[0].credit, "Foto: Bea Beispiel") == 0,
       "media:credit of the item applies to its media:content");
    mld_test_list_free(&l);
}

static void
test_lead_picture(void)
{
    struct mld_test_list l = {0};
    /* Golem's way: a picture first in content:encoded, a tracking pixel last. */
    const struct mld_article *a = one_item(
        "",
        "<item><title>Neue Kamera</title><link>https://anzeiger.example/k</link>"
        "<description>Kurz gesagt: eine neue Kamera.</description>"
        "<content:encoded><![CDATA[<img src=\"https://bilder.example/k-140.jpg\" width=\"140\" "
        "height=\"140\" vspace=\"3\" hspace=\"8\" align=\"left\">"
        "Die Kamera kommt im Fr\xc3\xbchjahr. "
        "<img src=\"https://zaehler.example/p.gif?x=1\" alt=\"\" width=\"1\" height=\"1\" />"
        "]]></content:encoded></item>",
        &l);
    ok(a && a->nmedia == 1, "lead picture: the first image of the body");
    if (a && a->nmedia == 1) {
        is_str(a->media[0].url, "https://bilder.example/k-140.jpg", "lead picture: its URL");
        ok(a->media[0].kind == MLD_MEDIA_PICTURE && a->media[0].width == 140 &&
               a->media[0].height == 140,
           "lead picture: a picture with its size");
        ok(a->body_html && strstr(a->body_html, "<img") == NULL &&
               strstr(a->body_html, "Fr\xc3\xbchjahr") != NULL,
           "lead picture: out of the body, tracking pixel gone, text kept");
    }
    mld_test_list_free(&l);

    /* heise's way: the picture inside a link to the article, then text. */
    a = one_item("",
                 "<item><title>Server</title><link>https://anzeiger.example/s</link>"
                 "<content:encoded><![CDATA[<a href=\"https://anzeiger.example/s\" title=\"S\">"
                 "\n  <img src=\"/bilder/s.jpeg\" alt=\"Ein Serverraum\" />\n</a>"
                 "<p>Ein neuer Server.</p>]]></content:encoded></item>",
                 &l);
    if (ok(a && a->nmedia == 1, "lead picture in a link: taken")) {
        is_str(a->media[0].url, "https://anzeiger.example/bilder/s.jpeg",
               "lead picture: relative URL resolved");
        is_str(a->media[0].alt, "Ein Serverraum", "lead picture: alt");
        is_str(a->body_html, "<p>Ein neuer Server.</p>", "lead picture: the link went with it");
    }
    mld_test_list_free(&l);

    /* A figure: its caption goes with the picture; srcset gives renditions. */
    a = one_item("",
                 "<item><title>F</title><content:encoded><![CDATA[<p>Vorweg.</p><figure>"
                 "<img src=\"https://bilder.example/f-800.jpg\" srcset=\"https://bilder.example/"
                 "f-400.jpg 400w, https://bilder.example/f-800.jpg 800w\" alt=\"F\">"
                 "<figcaption>Die Br\xc3\xbc"
                 "cke im Nebel (Foto: C. Beispiel)</figcaption></figure><p>Danach.</p>]]>"
                 "</content:encoded></item>",
                 &l);
    if (ok(a && a->nmedia == 1, "lead picture in a figure: taken")) {
        is_str(a->media[0].caption,
               "Die Br\xc3\xbc"
               "cke im Nebel (Foto: C. Beispiel)",
               "lead picture: figcaption is the caption");
        ok(a->media[0].nrenditions == 1 && a->media[0].renditions[0].width == 400,
           "lead picture: srcset gives the other size");
        is_str(a->body_html, "<p>Vorweg.</p><p>Danach.</p>", "lead picture: the figure left");
    }
    mld_test_list_free(&l);

    /* Icons are no lead picture; an enclosure makes the body keep its images. */
    a = one_item("",
                 "<item><title>I</title><content:encoded><![CDATA[<p><img src=\"https://"
                 "bilder.example/smiley.png\" width=\"16\" height=\"16\"> gut</p>]]>"
                 "</content:encoded></item>",
                 &l);
    ok(a && a->nmedia == 0 && a->body_html && strstr(a->body_html, "smiley.png"),
       "lead picture: a 16 px icon stays in the body");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>I</title><content:encoded><![CDATA[<p>Gut <img src=\"https://"
                 "s.w.example/images/core/emoji/14/svg/1f600.svg\" alt=\"x\"> <a href=\"https://"
                 "feeds.feedburner.com/~ff/Beispiel?a=1\"><img src=\"https://feeds.feedburner.com/"
                 "~ff/Beispiel?d=2\"></a></p>]]></content:encoded></item>",
                 &l);
    ok(a && a->nmedia == 0, "lead picture: neither an emoji nor a FeedBurner button");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><title>E</title><enclosure url=\"https://bilder.example/e.jpg\" "
                 "type=\"image/jpeg\"/><content:encoded><![CDATA[<p><img src=\"https://"
                 "bilder.example/i.jpg\"> Text</p>]]></content:encoded></item>",
                 &l);
    ok(a && a->nmedia == 1 && strcmp(a->media[0].url, "https://bilder.example/e.jpg") == 0 &&
           a->body_html && strstr(a->body_html, "i.jpg"),
       "lead picture: with an enclosure the body keeps its image");
    mld_test_list_free(&l);
    /* Only in the description (the teaser is text): taken, nothing cut. */
    a = one_item("",
                 "<item><title>D</title><description>&lt;img src=\"https://bilder.example/"
                 "d.jpg\"&gt; Kurzer Text.</description></item>",
                 &l);
    ok(a && a->nmedia == 1 && strcmp(a->media[0].url, "https://bilder.example/d.jpg") == 0 &&
           a->teaser && strcmp(a->teaser, "Kurzer Text.") == 0,
       "lead picture: from the description");
    mld_test_list_free(&l);
}

static void
test_item_fields(void)
{
    struct mld_test_list l = {0};
    const struct mld_article *a = one_item(
        "<managingEditor>redaktion@anzeiger.example (Anna Redakteurin)</managingEditor>",
        "<item><title>Mit Autorin</title><link>https://anzeiger.example/m</link></item>", &l);
    ok(a && a->author && strcmp(a->author, "Anna Redakteurin") == 0,
       "author: the channel's managingEditor for an item without one");
    ok(a && a->link && strcmp(a->link, "https://anzeiger.example/m") == 0, "link");
    ok(a && a->lang && strcmp(a->lang, "de") == 0, "lang from the channel");
    ok(a && a->credit && strcmp(a->credit, "Stadtanzeiger") == 0, "credit: the channel title");
    mld_test_list_free(&l);
    {
        struct mld_err err = {0};
        const char *doc = "<rss version=\"2.0\"><channel><link>https://www.Dorfblatt.example/"
                          "heute</link><item><title>Ohne Kanaltitel</title></item></channel></rss>";
        struct mld_test_list l2 = {0};
        int rc = parse(doc, NULL, &l2, &err);
        ok(rc == 0 && l2.n == 1 && l2.v[0]->credit &&
               strcmp(l2.v[0]->credit, "dorfblatt.example") == 0,
           "credit: the site's host when the channel has no title");
        mld_test_list_free(&l2);
    }
    a = one_item("<webMaster>technik@anzeiger.example (Technik)</webMaster>",
                 "<item><title>Ohne Autor</title></item>", &l);
    ok(a && a->author == NULL, "author: the webMaster is no item's author");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item xml:lang=\"en\"><title>  </title><link>https://anzeiger.example/"
                 "x</link></item>",
                 &l);
    ok(a && a->headline == NULL, "headline: NULL, not \"\", for an item without any text");
    ok(a && a->lang && strcmp(a->lang, "en") == 0, "lang: the item's xml:lang");
    mld_test_list_free(&l);
    a = one_item("",
                 "<item><description>Der Stadtrat hat am Montagabend nach langer Debatte "
                 "beschlossen, die Br\xc3\xbc"
                 "cke \xc3\xbc"
                 "ber den Fluss zu sanieren, und zwar schneller als bisher geplant, weil "
                 "Gutachter erhebliche Sch\xc3\xa4"
                 "den an den Pfeilern gefunden haben und der Verkehr sonst umgeleitet werden "
                 "m\xc3\xbcsste.</description></item>",
                 &l);
    ok(a && a->headline && strlen(a->headline) <= MLD_FEED_TITLE_BYTES + 4 &&
           strncmp(a->headline, "Der Stadtrat", 12) == 0 &&
           strcmp(a->headline + strlen(a->headline) - 4, " \xe2\x80\xa6") == 0,
       "headline: from the text, cut at a word boundary with an ellipsis");
    mld_test_list_free(&l);
}

int
main(void)
{
    test_rss20();
    test_rss10();
    test_rss091();
    test_titles_and_guids();
    test_links_and_versions();
    test_fallbacks();
    test_duplicates_and_limits();
    test_errors();
    test_sniff();
    test_german();
    test_smoke();
    test_date_chain();
    test_media_fields();
    test_lead_picture();
    test_item_fields();
    return mld_test_done();
}
