/*
 * feed.h - what the RSS, Atom and JSON Feed parsers share: reading a feed
 * document into a channel summary plus items, feed dates, URLs, charsets
 * and the identity rule for feed items.
 *
 * A feed document goes through four steps (mld_feed_parse):
 *
 *   bytes   -> UTF-8      mld_feed_to_utf8: the charset is chosen as a
 *                         browser would (BOM, then the HTTP charset, then
 *                         the XML declaration), with the real-world repairs
 *                         described there
 *   UTF-8   -> XML tree   mld_xml_parse (xml.h); HTML named entities that
 *                         the document uses without declaring them are
 *                         first turned into character references, and a
 *                         bare '&' into "&amp;"
 *   tree    -> model      the RSS reader (rss.c) or the Atom reader (atom.c)
 *                         by the root element, filling struct mld_feed
 *   model   -> articles   identity, versions and dates of each item
 *                         (mld_feed_urn), then mld_feed_emit hands the
 *                         articles to a sink, one per identity
 *
 * The model keeps what feedparser's test suite asks about (types, bases,
 * languages of text constructs, links, raw ids, the three dates) next to
 * the article, so tests/conformance/feedparser.c can check both.
 * docs/internals/feeds.md has the whole mapping.
 */
#ifndef MLD_FEED_H
#define MLD_FEED_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/time.h"
#include "article.h"
#include "ingest.h"

/* What a text construct held, in feedparser's terms. */
enum mld_feed_type {
    MLD_FEED_PLAIN = 0, /* text/plain: characters, no markup */
    MLD_FEED_HTML = 1,  /* text/html: escaped (or sloppy inline) HTML */
    MLD_FEED_XHTML = 2, /* application/xhtml+xml: inline XHTML */
};

/* One text construct (a title, summary, content, subtitle). */
struct mld_feed_text {
    bool present;            /* the element was there, even if empty */
    enum mld_feed_type type; /* what it held */
    char *text;              /* plain text, whitespace folded; NULL if empty */
    char *html;              /* sanitised HTML with absolute links (summaries and
                                content only; plain text comes escaped), or NULL */
    char *base;              /* base URL in effect at the element, or NULL */
    char *lang;              /* xml:lang (or channel language) in effect, or NULL */
    char *lost;              /* why text and html are not all the element held (the
                                sanitiser refused it, or it was cut at its limit), or
                                NULL when whole */
    int lost_code;           /* MLD_E_DEPTH or MLD_E_TOOBIG with lost */
};

/* A link of a feed or an item. */
struct mld_feed_link {
    char *href;     /* resolved against the base; never NULL */
    char *rel;      /* "alternate" when not given */
    char *type;     /* MIME type, or NULL */
    char *title;    /* or NULL */
    int64_t length; /* bytes, 0 = not given */
};

/* One item (RSS) or entry (Atom). */
struct mld_feed_item {
    struct mld_article *article; /* the article; NULL once handed over */
    char *id;                    /* guid / id / rdf:about as given, trimmed (Atom ids and
                                    permalink guids resolved against the base), or NULL */
    bool id_permalink;           /* RSS guid with isPermaLink="true" */
    struct mld_feed_text title, summary, content;
    struct mld_feed_link *links; /* in document order */
    int nlinks;
    mld_time_t published; /* pubDate, published, issued; 0 = none */
    mld_time_t updated;   /* atom:updated, modified, dc:date, dcterms:modified; 0 = none */
    mld_time_t created;   /* Atom 0.3 created, dcterms:created; 0 = none */
    /* RSS: what updated came from: MLD_DATE_CREATED (dc:date), else MLD_DATE_MODIFIED. */
    enum mld_date_source updated_source;
    char *lang; /* the item's own language (xml:lang, dc:language), or NULL */
};

/* A whole feed: the channel summary and its items. */
struct mld_feed {
    const char *format;  /* "rss" or "atom" (static) */
    const char *version; /* "rss20", "rss091u", "rss092", "rss10", "rss090",
                            "atom10", "atom03", "rss", "atom" (static) */
    char charset[32];    /* the charset label followed, lower case, e.g. "utf-8",
                            "iso-8859-1" (decoded as windows-1252) */
    struct mld_feed_text title, subtitle;
    char *link;                    /* the site: the alternate link, or NULL */
    char *self;                    /* the feed's own URL (atom:link rel="self"), or NULL */
    char *id;                      /* Atom feed id, or NULL */
    char *lang;                    /* channel language / root xml:lang, or NULL */
    char *author;                  /* feed-level author names, or NULL */
    char *item_author;             /* RSS: the channel's author that items without one
                                      inherit (not the webMaster), or NULL */
    mld_time_t published, updated; /* 0 = none */
    struct mld_feed_link *links;
    int nlinks;
    struct mld_feed_item *items; /* in document order */
    int nitems;
    int dropped; /* items past MLD_MAX_FEED_ITEMS, not read */
};

/* Parses a feed document (RSS 0.9x/1.0/2.0 or Atom 0.3/1.0, chosen by the
 * root element) into *out, articles included: headline, teaser, body,
 * link, author, categories, media, lang, credit, urn, version, dates.
 * src->url resolves relative links, src->content_type may carry the
 * charset. Returns 0 (a feed without items is fine), or a negative code
 * with err set to "name: where: why": MLD_E_PARSE (not well-formed XML,
 * with line and column), MLD_E_UNSUPPORTED (neither RSS nor Atom),
 * MLD_E_TOOBIG, MLD_E_DEPTH. Free the result with mld_feed_free(). */
int mld_feed_parse(const char *doc, size_t len, const struct mld_source *src, struct mld_feed **out,
                   struct mld_err *err);

/* Frees f with its items and the articles still in them; NULL is fine. */
void mld_feed_free(struct mld_feed *f);

/* The parse function of the RSS and Atom formats (struct mld_format):
 * mld_feed_parse() then mld_feed_emit() under src's name. */
int mld_feed_format_parse(const char *doc, size_t len, const struct mld_source *src,
                          mld_article_sink_fn sink, void *ud, struct mld_err *err);

/* Hands the articles of f to sink in document order, one per urn: of
 * items sharing a urn only the one with the latest version_created goes
 * (the first of them on a tie); the others are freed. Each handed article
 * leaves f (item->article becomes NULL). Returns 0, or the sink's negative
 * code with err set to "name: item N: stopped: ...". */
int mld_feed_emit(struct mld_feed *f, const char *name, mld_article_sink_fn sink, void *ud,
                  struct mld_err *err);

/* The same rule for any list of articles (the JSON Feed parser uses it):
 * hands v[0..n) to sink, one per urn, newest version_created first found;
 * takes ownership of every article (sets v[i] to NULL). */
int mld_feed_hand_over(struct mld_article **v, int n, const char *name, mld_article_sink_fn sink,
                       void *ud, struct mld_err *err);

/* Parses a feed date: RFC 822/1123/2822 ("Sat, 07 Sep 2002 00:00:01 GMT")
 * with or without weekday (a wrong weekday is ignored), seconds or zone,
 * two-digit (00-49 = 20xx, 50-99 = 19xx) and three-digit years, named
 * zones (UT, GMT, UTC, Z, EST/EDT, CST/CDT, MST/MDT, PST/PDT, AST/ADT,
 * CET/CEST, MEZ/MESZ, BST, ...; the military letters count as UTC, as
 * RFC 2822 says), numeric zones "+0100", "+01:00", "+1", English and
 * German month names in any case, RFC 850 "Saturday, 07-Sep-02", asctime;
 * and ISO 8601 / W3CDTF incl. partial dates ("2003", "2003-12",
 * "2003-12-31", "2003-12-31T10:14Z") and fractions. No zone means UTC.
 * Returns 0 and *out, or MLD_E_PARSE (*out untouched). Reads s[0..len). */
int mld_feed_parse_date(const char *s, size_t len, mld_time_t *out);

/* Resolves ref against base (RFC 3986, with libxml2's xmlBuildURI);
 * surrounding whitespace of ref is dropped, IRIs (non-ASCII) survive.
 * base may be NULL. Returns a new string (mld_free): absolute when either
 * side was, else ref itself; NULL when ref is NULL. */
char *mld_feed_resolve_url(const char *base, const char *ref);

/* True when url is an absolute http: or https: URL. */
bool mld_feed_url_is_web(const char *url);

/* Writes the charset parameter of an HTTP Content-Type (lower case,
 * quotes removed) into out[0..n) and returns true; false when there is
 * none (or it does not fit). content_type may be NULL. */
bool mld_feed_charset_param(const char *content_type, char *out, size_t n);

/* Converts a feed document to UTF-8 (no BOM). The charset is, in order:
 * a byte-order mark (UTF-8/16/32); the charset of content_type; UTF-16/32
 * recognised from "<?xml" without a BOM; the XML declaration's encoding;
 * else UTF-8. Repairs: ISO-8859-1, US-ASCII and windows-1252 are decoded
 * as windows-1252 (as browsers do), but bytes that are valid UTF-8 with
 * non-ASCII characters win over such a label (a wrong prolog); a label
 * that is unknown or whose decoding fails is dropped; UTF-8 that is not
 * valid is read as windows-1252; C0 control characters XML forbids are
 * dropped, except vertical tab and form feed, which become spaces (they
 * separate words: Word writes a line break as a vertical tab). *charset
 * gets the label followed (lower case, at most 31 bytes). Returns 0 and a new buffer *out (mld_free) of *out_len
 * bytes, or MLD_E_TOOBIG with err set ("name: ..."). */
int mld_feed_to_utf8(const char *doc, size_t len, const char *content_type, const char *name,
                     char **out, size_t *out_len, char charset[32], struct mld_err *err);

/* The identity rule for feed items, version 1. Returns a new urn:
 *   1. id, when it looks globally unique: "urn:", "tag:", an absolute
 *      http(s) URL, or permalink is true (RSS isPermaLink="true");
 *   2. else, when id is given: "<feed_key>#<id>", feed_key being the
 *      feed's link, else its self URL, else the document URL;
 *   3. else the item link (absolute http(s));
 *   4. else "urn:meldung:feed:" + 16 hex digits of XXH3-64 over feed_key,
 *      title and date (ISO UTC), NUL-separated.
 * A urn longer than MLD_MAX_ID_BYTES becomes "urn:meldung:feed:" + the
 * hash of it. Arguments may be NULL (date 0 = none). */
char *mld_feed_urn(const char *id, bool permalink, const char *feed_key, const char *link,
                   const char *title, mld_time_t date);

/* The plain text of an HTML fragment folded to one line, or NULL when it
 * is empty. Used for titles and summaries. */
char *mld_feed_html_text(const char *html, size_t len);

/* Shortens plain text to at most max bytes at a word boundary, adding
 * " …"; s is freed and the result returned (s itself when short enough). */
char *mld_feed_cut(char *s, size_t max);

/* True when s[0..n) is valid UTF-8 without NUL bytes: text that may go
 * into a field (for what base64 decoding gives). */
bool mld_feed_is_text(const char *s, size_t n);

/* Makes the article of it from the item model, as every feed format
 * does (the JSON Feed parser too): format, version 1, version_created
 * and date_source (mld_feed_item_date), updated (the latest of the
 * item's own dates, else version_created), pubstatus usable, headline
 * (the title, else the summary's or the content's text cut at a word
 * boundary within MLD_FEED_TITLE_BYTES; NULL, never "", when the item has
 * no text at all), teaser (the summary cut at MLD_FEED_TEASER_BYTES),
 * body_html (the content; else a summary longer than the teaser limit,
 * which then is no teaser), text, lang (the item's, else the feed's),
 * credit (unless set: the feed title, else the host of its site), the
 * lead picture (when the item has no media: the first <img> of the body
 * that is no icon, taken out of the body with the link, paragraph or
 * figure that only wrapped it, figcaption becoming the caption, srcset
 * the renditions; else the first of the summary) and urn (mld_feed_urn
 * with feed_key and the article link, which must already be set; a link
 * that is not http(s) is dropped).
 * Fields it sets must be NULL before. */
void mld_feed_finish_item(struct mld_feed *f, struct mld_feed_item *it, const char *feed_key);

/* Chooses the date of item it of f by the chain of f's format, the
 * first date at or after MLD_FEED_DATE_MIN winning:
 *   rss:      pubDate/dcterms:issued/atom:published (VERSION), dc:date
 *             (CREATED) or dcterms:modified/atom:updated (MODIFIED),
 *             dcterms:created (CREATED), then the channel's
 *             lastBuildDate/dc:date/dcterms:modified, pubDate (CHANNEL);
 *   atom:     updated (VERSION), published (MODIFIED), created (CREATED),
 *             then the feed's updated, published (CHANNEL);
 *   jsonfeed: date_modified (VERSION), date_published (CREATED).
 * Returns the date and sets *src; with none returns 0 and MLD_DATE_SEEN
 * (the pipeline dates the item when it first sees it). */
mld_time_t mld_feed_item_date(const struct mld_feed *f, const struct mld_feed_item *it,
                              enum mld_date_source *src);

/* For rss.c and atom.c only ------------------------------------------ */

/* The vocabularies an element may come from. */
enum mld_feed_ns {
    MLD_NS_CORE,    /* none, RSS 0.9/1.0, Userland: the format's own */
    MLD_NS_ATOM,    /* Atom 1.0 */
    MLD_NS_ATOM03,  /* Atom 0.3 */
    MLD_NS_DC,      /* Dublin Core elements */
    MLD_NS_DCTERMS, /* Dublin Core terms */
    MLD_NS_CONTENT, /* RSS 1.0 content module */
    MLD_NS_MEDIA,   /* Media RSS */
    MLD_NS_XHTML,   /* XHTML */
    MLD_NS_RDF,     /* RDF syntax */
    MLD_NS_ITUNES,  /* Apple's podcast tags */
    MLD_NS_OTHER,   /* anything else: ignored */
};

/* The element names the readers act on, as tokens. A reader looks an
 * element's local name up once (mld_feed_tok) and switches on
 * MLD_FEED_EL(vocabulary, token), as h2o looks header names up in a
 * token table, instead of walking a chain of strcmp() per element. */
enum mld_feed_tok {
    MLD_TOK_OTHER, /* a name no reader acts on */
    MLD_TOK_AUTHOR,
    MLD_TOK_BODY,
    MLD_TOK_CATEGORY,
    MLD_TOK_CONTENT,
    MLD_TOK_CREATED,
    MLD_TOK_CREATOR,
    MLD_TOK_DATE,
    MLD_TOK_DESCRIPTION,
    MLD_TOK_DIV,
    MLD_TOK_ENCLOSURE,
    MLD_TOK_ENCODED,
    MLD_TOK_FULLITEM,
    MLD_TOK_GROUP,
    MLD_TOK_GUID,
    MLD_TOK_ID,
    MLD_TOK_IDENTIFIER,
    MLD_TOK_ISSUED,
    MLD_TOK_KEYWORDS,
    MLD_TOK_LANGUAGE,
    MLD_TOK_LASTBUILDDATE,
    MLD_TOK_LINK,
    MLD_TOK_MANAGINGEDITOR,
    MLD_TOK_MODIFIED,
    MLD_TOK_PUBDATE,
    MLD_TOK_PUBLISHED,
    MLD_TOK_SOURCE,
    MLD_TOK_SUBJECT,
    MLD_TOK_SUBTITLE,
    MLD_TOK_SUMMARY,
    MLD_TOK_TAGLINE,
    MLD_TOK_THUMBNAIL,
    MLD_TOK_TITLE,
    MLD_TOK_UPDATED,
    MLD_TOK_WEBMASTER,
    MLD_TOK_N, /* the number of tokens, not one */
};

/* The token of element n's local name (mld_feed_name()). */
enum mld_feed_tok mld_feed_tok(const xmlNode *n);

/* One switch label for an element of vocabulary ns with name token tok. */
#define MLD_FEED_EL(ns, tok) ((unsigned)(ns) << 8 | (unsigned)(tok))

/* What a reader works with. */
struct mld_feed_reader {
    struct mld_feed *feed;
    const struct mld_source *src;
    xmlDocPtr doc;
    const char *item_link;    /* while an item's text is read: its link, the base for
                                 relative links in its HTML where no xml:base is set */
    const char *name;         /* for messages */
    const char *default_base; /* the base when src has no URL: the feed's own self
                                 link (absolute http(s)), or NULL */
};

/* The vocabulary of element n (the root element's namespace counts as
 * MLD_NS_CORE, whatever it is). An element whose prefix was never
 * declared ("atom:link" in a feed that forgot xmlns:atom; libxml2 keeps
 * the whole name and no namespace) belongs to the vocabulary that prefix
 * conventionally names: atom, dc, dcterms, content, media, itunes, rdf,
 * xhtml; other prefixes are MLD_NS_OTHER. */
enum mld_feed_ns mld_feed_ns(const xmlNode *n);

/* The local name of element n: "link" for atom:link, also when the
 * prefix was never declared. */
const char *mld_feed_name(const xmlNode *n);

/* The first element child of n whose mld_feed_name() is local, or NULL. */
xmlNode *mld_feed_child(const xmlNode *n, const char *local);

/* The base URL in effect at n (xml:base stacked on the document URL,
 * bases with schemes other than http(s) ignored); new string or NULL. */
char *mld_feed_base(const struct mld_feed_reader *r, const xmlNode *n);

/* ref resolved against the base in effect at n (mld_feed_base()); a new
 * string (mld_free), or NULL as mld_feed_resolve_url() gives it. */
char *mld_feed_resolve_at(const struct mld_feed_reader *r, const xmlNode *n, const char *ref);

/* The xml:lang in effect at n; new string or NULL. mld_feed_node_lang()
 * reads a language element's text instead. Both write "en_US" as "en-US". */
char *mld_feed_xml_lang(const xmlNode *n);
char *mld_feed_node_lang(const xmlNode *n);

/* Reads text construct n of the given type into t (freeing what t held).
 * with_html also keeps sanitised HTML (summaries, content), its relative
 * links resolved against r->item_link or the base. For MLD_FEED_XHTML n's
 * children are the markup (a single xhtml:div wrapper is unwrapped); for
 * MLD_FEED_HTML its text is (or its children, when there are elements;
 * or the text of a lone xhtml:div without elements). MLD_FEED_PLAIN with
 * element children is read as MLD_FEED_HTML. n may be NULL (no base, no
 * language) in mld_feed_text_set. */
void mld_feed_text_read(const struct mld_feed_reader *r, const xmlNode *n, enum mld_feed_type type,
                        bool with_html, struct mld_feed_text *t);

/* Sets t from a string that is already decoded (base64 content, JSON).
 * Invalid UTF-8 becomes U+FFFD and control characters are dropped as in
 * mld_feed_to_utf8, so no field ever holds either. */
void mld_feed_text_set(const struct mld_feed_reader *r, const xmlNode *n, const char *s, size_t len,
                       enum mld_feed_type type, bool with_html, struct mld_feed_text *t);

/* Reads text construct n as mld_feed_text_read() does, but keeps it only
 * when t has no text yet, or when it has text and ranks above what t
 * holds (*t_rank, 0 for nothing yet; set to rank when taken). So the
 * element a fallback stands in for wins whatever the document order
 * (an RSS description over an itunes:summary before it), and an empty
 * element never replaces text. */
void mld_feed_text_offer(const struct mld_feed_reader *r, const xmlNode *n, enum mld_feed_type type,
                         bool with_html, int rank, int *t_rank, struct mld_feed_text *t);

/* True when plain text s looks like HTML (a tag or an entity reference). */
bool mld_feed_looks_like_html(const char *s);

/* The trimmed text of n (no folding inside), new string or NULL. */
char *mld_feed_node_string(const xmlNode *n);

/* Parses the date in n's text; 0 when absent or unreadable. */
mld_time_t mld_feed_node_date(const xmlNode *n);

/* Appends a link (href resolved against the base at n) to *v. */
void mld_feed_link_add(const struct mld_feed_reader *r, const xmlNode *n, const char *href,
                       const char *rel, const char *type, const char *title, int64_t length,
                       struct mld_feed_link **v, int *nv);

/* A new item at the end of the feed, or NULL past MLD_MAX_FEED_ITEMS
 * (counted in feed->dropped). */
struct mld_feed_item *mld_feed_item_add(struct mld_feed *f);

/* Adds author names to a->author (", "-joined, no duplicates, at most
 * MLD_FEED_AUTHOR_BYTES in all). An RSS "mail@example.com (Name)" or
 * "Name <mail@example.com>" gives Name; an e-mail address alone, also in
 * the name's place ("mail (mail)"), gives nothing. A value that lists
 * several names ("A, B") is skipped when each of them is there already,
 * else added whole (so that "Lu, A., Simon, A." keeps both "A."). */
void mld_feed_add_author(struct mld_article *a, const char *s);

/* Adds "tag:" + s (trimmed, non-empty) to a's categories. */
void mld_feed_add_tag(struct mld_article *a, const char *s);

/* Adds a media object unless its URL (resolved at n) is already there,
 * as a media object or a rendition; its kind from type, else from the
 * URL's extension (mld_feed_media_kind). Returns the new object for the
 * caller to fill in further, or NULL when nothing was added. */
struct mld_media *mld_feed_add_media(const struct mld_feed_reader *r, const xmlNode *n,
                                     struct mld_article *a, const char *url, const char *type,
                                     int64_t length, const char *caption);

/* What a media object is: by Media RSS medium ("image", "audio",
 * "video"; other values are OTHER), else by MIME type's major part
 * (application/octet-stream counts as no type), else by the extension
 * of url's path (.jpg .jpeg .png .gif .webp .avif, .mp3 .m4a .aac .ogg
 * .oga .opus .wav, .mp4 .m4v .webm .mov .ogv). Any argument may be NULL. */
enum mld_media_kind mld_feed_media_kind(const char *medium, const char *type, const char *url);

/* Adds Media RSS media:content n as a media object (see
 * mld_feed_add_media) with kind (medium), width, height, caption
 * (media:description, else media:title, of n, else of group) and credit
 * (media:credit of n, else of group, else of item). A picture whose URL
 * differs from an earlier picture's only in the query is another size of
 * it and becomes a rendition (the wider size the URL). group and item
 * may be NULL. Returns the object (or the picture it joined) or NULL. */
struct mld_media *mld_feed_media_content(const struct mld_feed_reader *r, const xmlNode *n,
                                         const xmlNode *group, const xmlNode *item,
                                         struct mld_article *a);

/* Adds the media:content elements of media:group group: when it holds
 * several pictures, they are sizes of one picture, which becomes one
 * media object (the isDefault one, else the widest) with the others as
 * renditions; everything else is added one by one. */
void mld_feed_media_group(const struct mld_feed_reader *r, const xmlNode *group,
                          const xmlNode *item, struct mld_article *a);

/* True when a has a picture among its media. */
bool mld_feed_has_picture(const struct mld_article *a);

/* Adds media:thumbnail n as a picture with its width and height, unless
 * it is smaller than MLD_FEED_LEAD_MIN_PIXELS either way (an avatar);
 * returns the object or NULL. */
struct mld_media *mld_feed_media_thumbnail(const struct mld_feed_reader *r, const xmlNode *n,
                                           struct mld_article *a);

/* Decodes base64 (whitespace ignored); new buffer and *len, or NULL. */
char *mld_feed_base64(const char *s, size_t *len);

/* The readers: fill r->feed from the root element. */
int mld_feed_read_rss(struct mld_feed_reader *r, xmlNode *root);
int mld_feed_read_atom(struct mld_feed_reader *r, xmlNode *root);

/* Reads an Atom text construct (type and Atom 0.3 mode; base64 decoded,
 * falling back to the element's text when that gives no UTF-8 text) into
 * t; for atom:content in an RSS item too (atom.c). */
void mld_feed_read_atom_text(const struct mld_feed_reader *r, const xmlNode *n, bool with_html,
                             struct mld_feed_text *t);

/* Writes the local name of the root element of doc into out (at most
 * n - 1 bytes, "" when none is found in the first bytes). Reads UTF-16/32
 * documents too. For the sniffers. */
void mld_feed_sniff_root(const char *doc, size_t len, char *out, size_t n);

#endif
