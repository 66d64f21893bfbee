/*
 * tests/conformance/rssparser.c - rss-parser's (Node) test inputs run
 * against meldung's RSS and Atom readers.
 *
 * The corpus (../shared/corpus/rss-parser/test) has input/NAME.rss or
 * NAME.atom and output/NAME.json, {"feed": {...}} as rss-parser returns
 * it. encoding.json is stored in ISO-8859-1 and is read as such (its
 * input declares ISO-8859-1 itself). unrecognized.rss, an HTML page, has
 * no output and must be refused. One area; fields are compared where the
 * expected JSON has them:
 *
 *   feed title, link, feedUrl, description, language, lastBuildDate
 *       -> f->title, f->link, f->self, f->subtitle, f->lang, f->updated
 *   items[].title              -> article headline (the text of it)
 *   items[].link               -> article link
 *   items[].pubDate            -> the item's published date, else updated
 *                                 (rss-parser takes Atom's published or
 *                                 updated here; read as a feed date)
 *   items[].isoDate            -> the same instant (RFC 3339)
 *   items[].content            -> the text of the item's summary or body
 *                                 (rss-parser puts RSS's description and
 *                                 Atom's content or summary there)
 *   items[].content:encoded    -> the text of the article body
 *   items[].guid, items[].id   -> the item's id
 */
#include "test.h"

#include "feedcheck.h"

static const char *root;

/* Differences explained: rss-parser (xml2js) reorders the text of an RSS
 * description that mixes inline elements with text ("submitted byto<a>...");
 * rss-parser keeps relative links as they are, where meldung, without the
 * document's URL, resolves them against the feed's self link; and it takes
 * the last rel="self" of the feed, where meldung takes the first at channel
 * level. */
static const struct fc_known known[] = {
    {"reddit-atom.rss", "items[*].content", "<div><table>", "rss-parser reorders mixed content"},
    {"reddit-atom.rss", "items[*].content", "submitted byto", "rss-parser reorders mixed content"},
    {"gulp-atom.atom", "items[*].link", NULL,
     "no document URL: meldung resolves the relative link against the feed's self link "
     "(RFC 3986 5.1.4), rss-parser keeps it relative"},
    {"feedburner.atom", "feedUrl", NULL,
     "rss-parser takes an entry's rel=\"self\", meldung the feed's"},
    {NULL, NULL, NULL, NULL},
};

/* The item's date as rss-parser reports it: published, else updated. */
static mld_time_t
item_date(const struct mld_feed_item *it)
{
    if (it == NULL)
        return 0;
    return it->published ? it->published : it->updated ? it->updated : it->created;
}

static void
item(struct fc_area *a, const char *file, const json_t *e, size_t i, const struct mld_feed_item *it)
{
    const struct mld_article *art = it ? it->article : NULL;
    char f[64];
#define FIELD(name) (snprintf(f, sizeof(f), "items[%zu].%s", i, name), f)
    if (fc_jstr(e, "title"))
        fc_text(a, file, FIELD("title"), fc_jstr(e, "title"), art ? art->headline : NULL);
    if (fc_jstr(e, "link"))
        fc_url(a, file, FIELD("link"), fc_jstr(e, "link"), art ? art->link : NULL);
    if (fc_jstr(e, "pubDate"))
        fc_date(a, file, FIELD("pubDate"), fc_jstr(e, "pubDate"), false, item_date(it));
    if (fc_jstr(e, "isoDate"))
        fc_date(a, file, FIELD("isoDate"), fc_jstr(e, "isoDate"), true, item_date(it));
    const char *content = fc_jstr(e, "content");
    if (content != NULL) {
        /* Either of meldung's two texts may hold it. */
        const char *summary = it ? it->summary.text : NULL;
        const char *body = it ? it->content.text : NULL;
        bool agree = fc_text_eq(content, summary) || fc_text_eq(content, body);
        fc_result(a, file, FIELD("content"), agree, content, summary ? summary : body);
    }
    /* content:encoded is the model's content; the article's body is that
     * less its first picture when the item has no media (the picture
     * moves to art->media, tests/unit/ingest/rss.c checks how). */
    if (fc_jstr(e, "content:encoded"))
        fc_html(a, file, FIELD("content:encoded"), fc_jstr(e, "content:encoded"),
                it && it->content.html ? it->content.html
                : art                  ? art->body_html
                                       : NULL);
    if (fc_jstr(e, "guid"))
        fc_exact(a, file, FIELD("guid"), fc_jstr(e, "guid"), it ? it->id : NULL);
    if (fc_jstr(e, "id"))
        fc_exact(a, file, FIELD("id"), fc_jstr(e, "id"), it ? it->id : NULL);
#undef FIELD
}

static void
compare(struct fc_area *a, const char *file, const json_t *exp, const struct fc_input *in)
{
    const json_t *feed = json_object_get(exp, "feed");
    const struct mld_feed *fd = in->feed;
    fc_result(a, file, "detected", in->fmt == &mld_format_rss || in->fmt == &mld_format_atom,
              "rss or atom", in->fmt ? in->fmt->name : NULL);
    fc_result(a, file, "parsed", in->rc == 0, NULL, in->rc ? in->err.msg : NULL);
    if (fc_jstr(feed, "title"))
        fc_text(a, file, "title", fc_jstr(feed, "title"), fd ? fd->title.text : NULL);
    if (fc_jstr(feed, "link"))
        fc_url(a, file, "link", fc_jstr(feed, "link"), fd ? fd->link : NULL);
    if (fc_jstr(feed, "feedUrl"))
        fc_url(a, file, "feedUrl", fc_jstr(feed, "feedUrl"), fd ? fd->self : NULL);
    if (fc_jstr(feed, "description"))
        fc_text(a, file, "description", fc_jstr(feed, "description"),
                fd ? fd->subtitle.text : NULL);
    if (fc_jstr(feed, "language"))
        fc_lang(a, file, "language", fc_jstr(feed, "language"), fd ? fd->lang : NULL);
    if (fc_jstr(feed, "lastBuildDate"))
        fc_date(a, file, "lastBuildDate", fc_jstr(feed, "lastBuildDate"), false,
                fd ? fd->updated : 0);
    const json_t *items = json_object_get(feed, "items");
    fc_count(a, file, "items", items, fd);
    size_t i;
    const json_t *e;
    json_array_foreach(items, i, e)
    {
        item(a, file, e, i, fc_item_at(fd, i));
    }
}

int
main(void)
{
    root = mld_test_corpus("rss-parser/test");
    if (root == NULL)
        return mld_test_done();
    static char root_copy[4096];
    snprintf(root_copy, sizeof(root_copy), "%s", root);
    root = root_copy;

    struct fc_area a;
    /* Just under the 100% meldung reaches, so that one regression (of
     * ~1,500 fields) fails the run. */
    fc_area_init(&a, "rss-parser", 0.9995,
                 "contentSnippet, summary (Atom; compared through content), creator, author, "
                 "categories, enclosure, image, itunes, paginationLinks, generator, copyright, "
                 "webMaster, managingEditor, ttl, rdf:about, dc:* copies, media:content",
                 known);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/input", root);
    char **names = fc_list(dir, "");
    for (int i = 0; names[i] != NULL; i++) {
        const char *name = names[i];
        const char *dot = strrchr(name, '.');
        size_t base = dot ? (size_t)(dot - name) : strlen(name);
        char in_path[8192], exp_path[8192];
        snprintf(in_path, sizeof(in_path), "%s/%s", dir, name);
        snprintf(exp_path, sizeof(exp_path), "%s/output/%.*s.json", root, (int)base, name);
        struct fc_input in;
        if (!fc_exists(exp_path)) {
            /* No output: rss-parser refuses it, and so must meldung. */
            if (!fc_read(in_path, NULL, NULL, &in)) {
                a.skipped++;
                continue;
            }
            a.files++;
            fc_result(&a, name, "refused", in.fmt == NULL || in.rc != 0, "an error",
                      in.fmt ? in.fmt->name : NULL);
            fc_input_free(&in);
            continue;
        }
        bool latin1 = strncmp(name, "encoding.", 9) == 0;
        json_t *exp = fc_load_json(exp_path, latin1);
        /* Upstream serves encoding.rss as text/xml; charset=latin1. */
        const char *ctype = latin1 ? "text/xml; charset=latin1" : NULL;
        if (exp == NULL || !fc_read(in_path, NULL, ctype, &in)) {
            a.skipped++;
            json_decref(exp);
            continue;
        }
        a.files++;
        compare(&a, name, exp, &in);
        fc_input_free(&in);
        json_decref(exp);
    }
    fc_list_free(names);
    fc_area_report(&a);
    return mld_test_done();
}
