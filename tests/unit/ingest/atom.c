/*
 * tests/unit/ingest/atom.c - the Atom reader (1.0 and 0.3) and
 * mld_format_atom.
 *
 * Checks: an Atom 1.0 entry mapped field by field; the text constructs
 * (text, html, xhtml with its div, MIME types, base64, src, sloppy markup
 * in text) for titles, summaries and content; links (alternate first,
 * enclosures as media, self, default rel); xml:base on content links;
 * author inheritance (entry, source, feed); categories by term or label;
 * media:group (YouTube style); Atom 0.3 (modified/issued/created, modes
 * escaped and base64, tagline); the id rules and duplicates; an Atom
 * Entry Document; persons without a name; base64 that gives no text,
 * escaped markup in XML types, content that sanitises to nothing; the
 * entry language from its content; the self link as the base without a
 * document URL (not for ids); the sniffer; and the German heise Atom feed of
 * rss-parser's tests against its expected JSON (title, link, date of all
 * entries), plus a no-crash pass over the Atom files of the corpus.
 */
#include "../../../src/ingest/atom.c"

#include <jansson.h>

#include "feed_test.h"

static int
parse(const char *doc, const char *url, struct mld_test_list *l, struct mld_err *err)
{
    mld_err_clear(err);
    struct mld_source src = {.name = "a.xml", .url = url};
    return mld_format_atom.parse(doc, strlen(doc), &src, mld_test_keep, l, err);
}

static struct mld_feed *
model(const char *doc, struct mld_err *err)
{
    struct mld_feed *f = NULL;
    struct mld_source src = {.name = "a.xml", .url = "https://a.example/feed.atom"};
    mld_err_clear(err);
    if (mld_feed_parse(doc, strlen(doc), &src, &f, err) != 0)
        return NULL;
    return f;
}

static void
test_atom10(void)
{
    const char *doc =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\"\n"
        "      xmlns:media=\"http://search.yahoo.com/mrss/\">\n"
        "  <title type=\"html\">Beispiel &lt;em&gt;Atom&lt;/em&gt;</title>\n"
        "  <subtitle>Alles \xc3\xbc"
        "ber Atom</subtitle>\n"
        "  <link href=\"https://a.example/\"/>\n"
        "  <link rel=\"self\" href=\"https://a.example/feed.atom\"/>\n"
        "  <id>tag:a.example,2024:feed</id>\n"
        "  <updated>2024-05-01T12:00:00Z</updated>\n"
        "  <author><name>Feed-Redaktion</name><email>r@a.example</email></author>\n"
        "  <entry>\n"
        "    <title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">Gro\xc3\x9f"
        "e <b>Neuigkeit</b></div></title>\n"
        "    <link rel=\"alternate\" type=\"text/html\" href=\"/artikel/1\"/>\n"
        "    <link rel=\"enclosure\" type=\"audio/mpeg\" length=\"4242\" "
        "href=\"https://cdn.a.example/1.mp3\"/>\n"
        "    <link rel=\"related\" href=\"https://other.example/\"/>\n"
        "    <id>tag:a.example,2024:1</id>\n"
        "    <published>2024-05-01T10:00:00+02:00</published>\n"
        "    <updated>2024-05-01T11:30:00+02:00</updated>\n"
        "    <summary type=\"html\">&lt;p&gt;Kurz &amp;amp; knapp&lt;/p&gt;</summary>\n"
        "    <content type=\"html\" xml:base=\"https://a.example/artikel/\">&lt;p&gt;Lang, mit "
        "&lt;a href=\"2\"&gt;Link&lt;/a&gt;&lt;/p&gt;&lt;iframe "
        "src=\"x\"&gt;&lt;/iframe&gt;</content>\n"
        "    <author><name>Eva Muster</name></author><author><name>Max Muster</name></author>\n"
        "    <category term=\"politik\" label=\"Politik\"/><category term=\"\" label=\"Nur "
        "Label\"/>\n"
        "  </entry>\n"
        "</feed>\n";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, "https://a.example/feed.atom", &l, &err);
    ok(rc == 0 && l.n == 1, "atom 1.0: one article (%s)", err.msg);
    if (l.n == 1) {
        struct mld_article *a = l.v[0];
        is_str(a->headline,
               "Gro\xc3\x9f"
               "e Neuigkeit",
               "headline: text of XHTML");
        is_str(a->teaser, "Kurz & knapp", "teaser: text of the HTML summary");
        ok(a->body_html && strstr(a->body_html, "href=\"https://a.example/artikel/2\"") &&
               !strstr(a->body_html, "iframe"),
           "body: sanitised, link against xml:base: %s", a->body_html);
        is_str(a->link, "https://a.example/artikel/1", "link: alternate, resolved");
        is_str(a->author, "Eva Muster, Max Muster", "authors");
        ok(a->ncategories == 2 && strcmp(a->categories[0], "tag:politik") == 0 &&
               strcmp(a->categories[1], "tag:Nur Label") == 0,
           "categories: term, else label");
        ok(a->nmedia == 1 && strcmp(a->media[0].url, "https://cdn.a.example/1.mp3") == 0 &&
               a->media[0].length == 4242 && strcmp(a->media[0].type, "audio/mpeg") == 0,
           "enclosure link as media");
        mld_test_time_is(a->version_created, "2024-05-01T09:30:00Z", "version_created = updated");
        is_str(a->urn, "tag:a.example,2024:1", "urn = the tag: id");
        is_str(a->lang, "de", "lang from xml:lang");
        is_str(a->credit, "Beispiel Atom", "credit: the feed title as text");
        is_str(a->format, "atom", "format");
    }
    mld_test_list_free(&l);

    struct mld_feed *f = model(doc, &err);
    ok(f != NULL, "model");
    if (f != NULL) {
        is_str(f->version, "atom10", "version atom10");
        is_str(f->link, "https://a.example/", "feed link (no rel = alternate)");
        is_str(f->self, "https://a.example/feed.atom", "self");
        is_str(f->subtitle.text,
               "Alles \xc3\xbc"
               "ber Atom",
               "subtitle");
        is_int(f->title.type, MLD_FEED_HTML, "title type html");
        is_str(f->id, "tag:a.example,2024:feed", "feed id");
        mld_test_time_is(f->updated, "2024-05-01T12:00:00Z", "feed updated");
        const struct mld_feed_item *it = &f->items[0];
        is_int(it->title.type, MLD_FEED_XHTML, "entry title xhtml");
        is_str(it->content.base, "https://a.example/artikel/", "content base");
        mld_test_time_is(it->published, "2024-05-01T08:00:00Z", "published");
        ok(it->nlinks == 3 && strcmp(it->links[2].rel, "related") == 0, "all links kept");
        is_str(f->author, "Feed-Redaktion", "feed author");
    }
    mld_feed_free(f);
}

static void
test_text_constructs(void)
{
    const char *doc =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\n"
        "<entry><id>urn:x:1</id><title>a &lt;b&gt; c</title>"
        "<content type=\"text\">Zeile 1\nZeile 2\n\nAbsatz &lt;2&gt;</content></entry>\n"
        "<entry><id>urn:x:2</id><title type=\"text\">Naked <b>markup</b></title>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Eins</p>"
        "<p onclick=\"x()\">Zwei <img src=\"a.png\"/></p></div></content></entry>\n"
        "<entry><id>urn:x:3</id><title type=\"text/html\">H&amp;amp;M</title>"
        "<content type=\"text/html\">&lt;p&gt;Drei&lt;/p&gt;</content></entry>\n"
        "<entry><id>urn:x:4</id><title>Basis64</title>"
        "<content type=\"application/octet-stream\">PHA+VmllcjwvcD4=</content></entry>\n"
        "<entry><id>urn:x:5</id><title>Extern</title>"
        "<content type=\"video/mp4\" src=\"https://v.example/5.mp4\"/></entry>\n"
        "<entry><id>urn:x:6</id><title type=\"\">Leerer Typ</title>"
        "<content type=\"application/xhtml+xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<xh:p xmlns:xh=\"http://www.w3.org/1999/xhtml\">Pr\xc3\xa4"
        "fix</xh:p></div></content></entry>\n"
        "<entry><id>urn:x:7</id><title>Escaped div</title>"
        "<content type=\"html\"><div xmlns=\"http://www.w3.org/1999/xhtml\">Ein &lt;b&gt;fetter"
        "&lt;/b&gt; Satz</div></content></entry>\n"
        "</feed>";
    struct mld_err err = {0};
    struct mld_feed *f = model(doc, &err);
    ok(f != NULL && f->nitems == 7, "text constructs document: %s", err.msg);
    if (f == NULL || f->nitems != 7) {
        mld_feed_free(f);
        return;
    }
    is_str(f->items[0].title.text, "a <b> c", "type text: brackets are text");
    is_str(f->items[0].content.html, "<p>Zeile 1<br>Zeile 2</p><p>Absatz &lt;2&gt;</p>",
           "plain content becomes escaped paragraphs");
    is_str(f->items[1].title.text, "Naked markup", "markup inside type text read as HTML");
    is_str(f->items[1].content.html, "<p>Eins</p><p>Zwei <img src=\"https://a.example/a.png\"></p>",
           "xhtml: div dropped, sanitised, the image's URL resolved");
    is_str(f->items[2].title.text, "H&M", "MIME text/html title");
    is_str(f->items[2].content.html, "<p>Drei</p>", "MIME text/html content");
    is_str(f->items[3].content.html, "<p>Vier</p>", "base64 content");
    ok(!f->items[4].content.present && f->items[4].article->body_html == NULL,
       "content with src: no body");
    is_str(f->items[5].title.text, "Leerer Typ", "type=\"\" is text");
    is_str(f->items[5].content.html,
           "<p>Pr\xc3\xa4"
           "fix</p>",
           "prefixed XHTML elements");
    is_str(f->items[6].content.html, "Ein <b>fetter</b> Satz",
           "type html with escaped markup inside a div");
    mld_feed_free(f);
}

static void
test_inheritance_and_ids(void)
{
    const char *doc =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
        "<title>Kanal</title><link rel=\"alternate\" href=\"https://k.example/\"/>"
        "<author><name>Kanal-Autor</name></author>\n"
        "<entry><id>lokal-1</id><title>Erbt den Kanal-Autor</title>"
        "<updated>2024-01-01T00:00:00Z</updated></entry>\n"
        "<entry><id>lokal-2</id><title>Erbt die Quelle</title>"
        "<source><author><name>Quellen-Autor</name></author></source></entry>\n"
        "<entry><id>lokal-1</id><title>Neuer</title><updated>2024-01-02T00:00:00Z</updated></"
        "entry>\n"
        "<entry><title>Ohne id</title><link href=\"https://k.example/x\"/></entry>\n"
        "<entry><id>https://k.example/yt</id><title>Video</title><media:group>"
        "<media:title>Video</media:title><media:content url=\"https://v.example/v.mp4\" "
        "type=\"video/mp4\" fileSize=\"99\"/><media:thumbnail url=\"https://v.example/t.jpg\"/>"
        "<media:description>Beschreibung des Videos</media:description></media:group></entry>\n"
        "</feed>";
    struct mld_test_list l = {0};
    struct mld_err err = {0};
    int rc = parse(doc, NULL, &l, &err);
    ok(rc == 0 && l.n == 4, "four articles after the duplicate (%s, %d)", err.msg, l.n);
    if (l.n == 4) {
        is_str(l.v[0]->author, "Quellen-Autor", "author from the source");
        is_str(l.v[0]->urn, "https://k.example/#lokal-2", "local id under the feed link");
        is_str(l.v[1]->headline, "Neuer", "the newer duplicate kept");
        is_str(l.v[1]->author, "Kanal-Autor", "author from the feed");
        is_str(l.v[2]->urn, "https://k.example/x", "no id: the link");
        is_str(l.v[3]->teaser, "Beschreibung des Videos", "media:description as teaser");
        ok(l.v[3]->nmedia == 2 && strcmp(l.v[3]->media[0].url, "https://v.example/v.mp4") == 0 &&
               l.v[3]->media[0].length == 99 && l.v[3]->media[0].kind == MLD_MEDIA_VIDEO,
           "media:content in media:group");
        ok(l.v[3]->nmedia == 2 && strcmp(l.v[3]->media[1].url, "https://v.example/t.jpg") == 0 &&
               l.v[3]->media[1].kind == MLD_MEDIA_PICTURE,
           "the thumbnail is the picture of a video without one");
    }
    mld_test_list_free(&l);
}

static void
test_atom03(void)
{
    const char *doc =
        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
        "<title mode=\"escaped\" type=\"text/html\">Alt &amp;amp; bew\xc3\xa4hrt</title>\n"
        "<tagline>Unterzeile</tagline><link rel=\"alternate\" type=\"text/html\" "
        "href=\"https://alt.example/\"/><modified>2004-01-01T00:00:00Z</modified>\n"
        "<entry><title>Eintrag</title><id>tag:alt.example,2004:1</id>"
        "<link rel=\"alternate\" type=\"text/html\" href=\"https://alt.example/1\"/>"
        "<issued>2004-01-01T10:00:00+01:00</issued><modified>2004-01-02T10:00:00Z</modified>"
        "<created>2003-12-31T10:00:00Z</created><dc:subject>Alt</dc:subject>"
        "<summary type=\"text/html\" mode=\"escaped\">&lt;b&gt;Fett&lt;/b&gt;</summary>"
        "<content type=\"text/html\" mode=\"base64\">PHA+QmFzZTwvcD4=</content></entry>\n"
        "<entry><title>Zwei</title><id>tag:alt.example,2004:2</id>"
        "<content type=\"application/xhtml+xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>Inline</p></div></content></entry>\n"
        "</feed>";
    struct mld_err err = {0};
    struct mld_feed *f = model(doc, &err);
    ok(f != NULL && f->nitems == 2, "atom 0.3: %s", err.msg);
    if (f == NULL || f->nitems != 2) {
        mld_feed_free(f);
        return;
    }
    is_str(f->version, "atom03", "version atom03");
    is_str(f->title.text, "Alt & bew\xc3\xa4hrt", "escaped title");
    is_str(f->subtitle.text, "Unterzeile", "tagline");
    mld_test_time_is(f->updated, "2004-01-01T00:00:00Z", "feed modified");
    const struct mld_feed_item *it = &f->items[0];
    mld_test_time_is(it->published, "2004-01-01T09:00:00Z", "issued");
    mld_test_time_is(it->updated, "2004-01-02T10:00:00Z", "modified");
    mld_test_time_is(it->created, "2003-12-31T10:00:00Z", "created");
    is_str(it->summary.text, "Fett", "escaped summary");
    is_str(it->content.html, "<p>Base</p>", "base64 content");
    is_str(it->article->categories ? it->article->categories[0] : NULL, "tag:Alt", "dc:subject");
    mld_test_time_is(it->article->version_created, "2004-01-02T10:00:00Z",
                     "version_created = modified");
    is_str(f->items[1].content.html, "<p>Inline</p>", "inline XHTML");
    mld_feed_free(f);
}

static void
test_misc(void)
{
    struct mld_err err = {0};
    struct mld_test_list l = {0};
    const char *entry_doc = "<entry xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:e:1</id>"
                            "<title>Allein</title></entry>";
    ok(mld_format_atom.sniff(entry_doc, strlen(entry_doc)), "sniff an entry document");
    int rc = parse(entry_doc, NULL, &l, &err);
    ok(rc == 0 && l.n == 1 && strcmp(l.v[0]->headline, "Allein") == 0 && l.v[0]->credit == NULL,
       "an Atom Entry Document is one article");
    mld_test_list_free(&l);
    ok(!mld_format_atom.sniff("<entry><id>1</id></entry>", 25), "a bare <entry> is not Atom");
    ok(mld_format_atom.sniff("<?xml version='1.0'?><feed>", 27), "sniff feed");
    ok(!mld_format_atom.sniff("<rss>", 5), "not rss");
    const char *d = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>";
    ok(mld_format_detect(d, strlen(d)) == &mld_format_atom, "detected as atom");
    rc = parse(d, NULL, &l, &err);
    ok(rc == 0 && l.n == 0, "a feed without entries: nothing, no error");
    rc = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry>\n</feed>", NULL, &l, &err);
    ok(rc == MLD_E_PARSE && strncmp(err.msg, "a.xml: line 3", 13) == 0, "mismatched tags: %s",
       err.msg);
    const char *ns = "<feed xmlns=\"http://example.com/newformat#\"><title>Vor-Atom</title>"
                     "<entry><title>e</title></entry></feed>";
    struct mld_feed *f = model(ns, &err);
    ok(f != NULL && f->title.text && strcmp(f->title.text, "Vor-Atom") == 0 && f->nitems == 1,
       "the root's namespace counts as Atom");
    mld_feed_free(f);
    mld_test_list_free(&l);
}

/* Reads doc into the model without a document URL. */
static struct mld_feed *
model_bare(const char *doc)
{
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = "b.xml"};
    if (mld_feed_parse(doc, strlen(doc), &src, &f, &err) != 0)
        diag("b.xml: %s", err.msg);
    return f;
}

static void
test_people_and_types(void)
{
    const char *doc =
        "<feed xmlns='http://www.w3.org/2005/Atom'>"
        "<author><url>http://example.org</url></author>\n"
        "<entry><author><uri>http://example.org/u</uri></author><title>1</title></entry>\n"
        "<entry><author><email>a@example.org</email></author>"
        "<author><name>Echt</name></author><title>2</title></entry>\n"
        "<entry><author>Nur Text</author><title>3</title></entry>\n"
        "<entry><title type='application/x-custom'>test</title>"
        "<content type='application/atom+xml'>&lt;x/&gt;</content></entry>\n"
        "<entry><title type='application/octet-stream'>PHA+SGk8L3A+</title>"
        "<content type='application/json'>{\"a\":1}</content></entry>\n"
        "<entry><title>6</title><content type='image/png'>tZ4=</content></entry>\n"
        "<entry><title>7</title><content type='html'>&lt;script&gt;x&lt;/script&gt;</content>"
        "</entry>\n"
        "<entry><title>8</title><content type='application/xml'><x>inline</x></content></entry>\n"
        "</feed>";
    struct mld_feed *f = model_bare(doc);
    ok(f != NULL && f->nitems == 8, "eight entries");
    if (f == NULL || f->nitems != 8) {
        mld_feed_free(f);
        return;
    }
    is_str(f->author, NULL, "a person with only a url has no name");
    is_str(f->items[0].article->author, NULL, "nor with only a uri (not the feed's either)");
    is_str(f->items[1].article->author, "Echt", "an e-mail alone is no name");
    is_str(f->items[2].article->author, "Nur Text", "a person as plain text");
    struct mld_feed_item *it = &f->items[3];
    is_str(it->article->headline, "test",
           "a title whose base64 gives no UTF-8 text is read as it stands");
    is_str(it->article->body_html, "<p>&lt;x/&gt;</p>",
           "escaped markup in an XML type is characters");
    it = &f->items[4];
    is_str(it->article->headline, "Hi", "a title that is base64 of text is decoded");
    is_str(it->content.text, "{\"a\":1}", "content that is not base64 is read as it stands");
    ok(f->items[5].content.text != NULL && strcmp(f->items[5].content.text, "tZ4=") == 0,
       "binary base64 content: never invalid UTF-8 in a field");
    ok(f->items[6].content.present && f->items[6].content.html == NULL &&
           f->items[6].article->body_html == NULL,
       "content that sanitises to nothing: no body (NULL, not \"\")");
    ok(f->items[7].content.text != NULL && strcmp(f->items[7].content.text, "inline") == 0,
       "inline XML content is still read");
    mld_feed_free(f);
}

static void
test_lang_and_base(void)
{
    const char *doc =
        "<feed xmlns='http://www.w3.org/2005/Atom'><id>local-feed</id>"
        "<link href='/blog/'/>"
        "<link rel='self' href='https://example.com/blog/feed.xml'/>\n"
        "<entry><id>t3_1</id><link href='/blog/2003/12/13/atom03'/>"
        "<content type='html' xml:lang='en-us'>&lt;a href='x.html'&gt;x&lt;/a&gt;</content>"
        "</entry>\n"
        "<entry xml:lang='de'><link href='rel' xml:base='https://other.example/dir/'/>"
        "<content type='text' xml:lang='fr'>Texte</content></entry>\n"
        "<entry><summary xml:lang='it'>Sommario</summary></entry>\n"
        "</feed>";
    struct mld_feed *f = model_bare(doc);
    ok(f != NULL && f->nitems == 3, "three entries");
    if (f == NULL || f->nitems != 3) {
        mld_feed_free(f);
        return;
    }
    is_str(f->link, "https://example.com/blog/", "no document URL: the self link is the base");
    is_str(f->items[0].article->link, "https://example.com/blog/2003/12/13/atom03",
           "entry links resolve against it");
    ok(f->items[0].article->body_html != NULL &&
           strstr(f->items[0].article->body_html, "https://example.com/blog/2003/12/13/x.html"),
       "so do links in the content (against the entry's link)");
    is_str(f->id, "local-feed", "an id is not resolved against the self link");
    is_str(f->items[0].id, "t3_1", "nor an entry's id");
    is_str(f->items[0].article->lang, "en-us", "the content's xml:lang as the entry's language");
    is_str(f->items[1].article->link, "https://other.example/dir/rel", "xml:base comes first");
    is_str(f->items[1].article->lang, "de", "the entry's own xml:lang wins over its content's");
    is_str(f->items[2].article->lang, "it", "else the summary's");
    mld_feed_free(f);

    struct mld_err err = {0};
    f = model(doc, &err);
    is_str(f ? f->link : err.msg, "https://a.example/blog/", "the document URL wins over self");
    mld_feed_free(f);
}

/* rss-parser's heise.atom against its expected output ------------------ */

static void
test_heise(void)
{
    const char *dir = mld_test_corpus("rss-parser/test");
    if (dir == NULL)
        return;
    char path[8400];
    snprintf(path, sizeof(path), "%s/input/heise.atom", dir);
    size_t len;
    char *doc = mld_test_slurp(path, &len);
    snprintf(path, sizeof(path), "%s/output/heise.json", dir);
    json_error_t jerr;
    json_t *want = json_load_file(path, 0, &jerr);
    struct mld_feed *f = NULL;
    struct mld_err err = {0};
    struct mld_source src = {.name = "heise.atom"};
    int rc = doc ? mld_feed_parse(doc, len, &src, &f, &err) : MLD_E_IO;
    ok(rc == 0 && want != NULL, "heise.atom parses: %s", err.msg);
    if (rc != 0 || want == NULL)
        goto out;
    const json_t *items = json_object_get(json_object_get(want, "feed"), "items");
    is_int(f->nitems, (long long)json_array_size(items), "heise: every entry");
    is_str(f->title.text, "heise developer neueste Meldungen", "heise: feed title");
    int same_title = 0, same_link = 0, same_date = 0;
    for (int i = 0; i < f->nitems && i < (int)json_array_size(items); i++) {
        const json_t *w = json_array_get(items, (size_t)i);
        const struct mld_feed_item *it = &f->items[i];
        const char *t = json_string_value(json_object_get(w, "title"));
        const char *lk = json_string_value(json_object_get(w, "link"));
        const char *pd = json_string_value(json_object_get(w, "pubDate"));
        mld_time_t wt = 0;
        /* rss-parser keeps a trailing space meldung trims. */
        size_t tl = t ? strlen(t) : 0;
        while (tl > 0 && t[tl - 1] == ' ')
            tl--;
        same_title += t && it->title.text && strlen(it->title.text) == tl &&
                      strncmp(t, it->title.text, tl) == 0;
        same_link += lk && it->article->link && strcmp(lk, it->article->link) == 0;
        same_date += pd && mld_time_parse_iso(pd, strlen(pd), &wt) == 0 && wt == it->published;
    }
    is_int(same_title, f->nitems, "heise: every title as rss-parser reads it");
    is_int(same_link, f->nitems, "heise: every link");
    is_int(same_date, f->nitems, "heise: every published date");
    const struct mld_article *a = f->items[0].article;
    is_str(a->headline, "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei", "heise: headline");
    ok(a->teaser &&
           strstr(a->teaser, "verf\xc3\xbc"
                             "gbare") &&
           strstr(a->teaser, "gr\xc3\xb6\xc3\x9f"
                             "ere"),
       "heise: teaser with umlauts and \xc3\x9f");
    ok(a->body_html &&
           strstr(a->body_html, "<p>Die nun verf\xc3\xbc"
                                "gbare") &&
           !strstr(a->body_html, "<img") && !strstr(a->body_html, "<a "),
       "heise: body sanitised, the picture and its link taken out");
    ok(a->nmedia == 1 && a->media[0].kind == MLD_MEDIA_PICTURE && a->media[0].alt &&
           strcmp(a->media[0].alt, "WildFly 10") == 0 &&
           strncmp(a->media[0].url, "http://www.heise.de/scale/geometry/264/", 39) == 0,
       "heise: the content's picture is the lead picture, with its alt");
    ok(a->date_source == MLD_DATE_VERSION, "heise: dated by updated");
    is_str(a->author, "heise online", "heise: author inherited from the feed");
    is_str(a->urn, "http://heise.de/-3088438", "heise: id as urn");
out:
    mld_feed_free(f);
    json_decref(want);
    free(doc);
}

static void
test_smoke(void)
{
    static const char *const dirs[] = {"feed-rs/fixture/atom", "miniflux/parser/testdata",
                                       "gofeed/testdata/parser/atom"};
    struct mld_test_smoke c =
        mld_test_smoke(&mld_format_atom, dirs, sizeof(dirs) / sizeof(dirs[0]));
    if (c.files > 0)
        ok(c.read >= c.files - 8, "corpus Atom feeds: %d of %d read, %d entries", c.read, c.files,
           c.items);
}

/* Issue 12: the date chain and media of entries ------------------------------ */

static const struct mld_article *
one_entry(const char *feed_extra, const char *entry, struct mld_test_list *l)
{
    char doc[4096];
    snprintf(doc, sizeof(doc),
             "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\" "
             "xmlns:media=\"http://search.yahoo.com/mrss/\"><title>Kreisblatt</title>"
             "<id>tag:kreisblatt.example,2026:feed</id>%s<entry><id>tag:kreisblatt.example,"
             "2026:1</id><title>Eintrag</title>%s</entry></feed>",
             feed_extra, entry);
    struct mld_err err = {0};
    int rc = parse(doc, "https://kreisblatt.example/atom.xml", l, &err);
    if (rc != 0)
        diag("parse: %s", err.msg);
    return rc == 0 && l->n == 1 ? l->v[0] : NULL;
}

static void
atom_date_case(const char *name, const char *feed_extra, const char *entry, const char *want,
               enum mld_date_source src)
{
    struct mld_test_list l = {0};
    const struct mld_article *a = one_entry(feed_extra, entry, &l);
    char what[96];
    snprintf(what, sizeof(what), "atom dates %s: version_created", name);
    if (a == NULL)
        ok(false, "%s", what);
    else if (want == NULL)
        ok(a->version_created == 0, "%s: none invented", what);
    else
        mld_test_time_is(a->version_created, want, what);
    ok(a && a->date_source == src, "atom dates %s: date_source %d", name,
       a ? (int)a->date_source : -1);
    mld_test_list_free(&l);
}

static void
test_atom_dates_media(void)
{
    const char *fupd = "<updated>2026-12-07T15:00:00+01:00</updated>";
    atom_date_case("updated", fupd,
                   "<published>2026-12-07T08:00:00Z</published>"
                   "<updated>2026-12-07T09:00:00Z</updated>",
                   "2026-12-07T09:00:00Z", MLD_DATE_VERSION);
    atom_date_case("published", fupd, "<published>2026-12-07T08:00:00Z</published>",
                   "2026-12-07T08:00:00Z", MLD_DATE_MODIFIED);
    atom_date_case("feed updated", fupd, "", "2026-12-07T14:00:00Z", MLD_DATE_CHANNEL);
    atom_date_case("nothing", "", "", NULL, MLD_DATE_SEEN);
    atom_date_case("unreadable updated", "", "<updated>irgendwann</updated>", NULL, MLD_DATE_SEEN);
    atom_date_case("1970 updated", "",
                   "<updated>1970-01-01T00:00:00Z</updated>"
                   "<published>2026-12-07T08:00:00Z</published>",
                   "2026-12-07T08:00:00Z", MLD_DATE_MODIFIED);

    struct mld_test_list l = {0};
    const struct mld_article *a = one_entry(
        "",
        "<link rel=\"alternate\" href=\"/artikel/1\"/>"
        "<link rel=\"enclosure\" href=\"https://cdn.example/a/interview.m4a\" length=\"99\"/>"
        "<link rel=\"enclosure\" type=\"image/png\" href=\"https://cdn.example/a/karte\"/>"
        "<media:group><media:content url=\"https://cdn.example/a/v.jpg\" width=\"400\"/>"
        "<media:content url=\"https://cdn.example/a/v-big.jpg\" width=\"1600\"/>"
        "<media:credit>Foto: Dora Beispiel</media:credit></media:group>"
        "<author><name>Erik Beispiel</name></author>",
        &l);
    ok(a && a->nmedia == 3, "atom media: three objects");
    if (a && a->nmedia == 3) {
        ok(a->media[0].kind == MLD_MEDIA_AUDIO, "atom enclosure: audio by its .m4a");
        ok(a->media[1].kind == MLD_MEDIA_PICTURE, "atom enclosure: picture by its type");
        ok(a->media[2].width == 1600 && a->media[2].nrenditions == 1 && a->media[2].credit &&
               strcmp(a->media[2].credit, "Foto: Dora Beispiel") == 0,
           "atom media:group: one picture, a rendition, the group's credit");
    }
    ok(a && a->link && strcmp(a->link, "https://kreisblatt.example/artikel/1") == 0,
       "atom: link resolved");
    ok(a && a->author && strcmp(a->author, "Erik Beispiel") == 0, "atom: author");
    ok(a && a->lang && strcmp(a->lang, "de") == 0, "atom: lang from the feed's xml:lang");
    ok(a && a->credit && strcmp(a->credit, "Kreisblatt") == 0, "atom: credit the feed title");
    mld_test_list_free(&l);
}

int
main(void)
{
    test_atom10();
    test_text_constructs();
    test_inheritance_and_ids();
    test_atom03();
    test_misc();
    test_people_and_types();
    test_lang_and_base();
    test_heise();
    test_smoke();
    test_atom_dates_media();
    return mld_test_done();
}
