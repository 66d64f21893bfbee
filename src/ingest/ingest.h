/*
 * ingest.h - wire format parsers behind one interface.
 *
 * A format is a struct of function pointers (like curl's TLS backends): a
 * sniffer that says whether a document looks like this format, and a parser
 * that turns the whole document into article versions, handing each to a
 * sink. One document may hold several entries (a digitalwires
 * {"entries": [...]} batch, a feed); each is handed over separately.
 * Parsers never read past len and stop at the limits of limits.h.
 */
#ifndef MLD_INGEST_H
#define MLD_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "article.h"

/* Receives one parsed article and takes ownership of it. Returns 0 to go
 * on, or a negative code to stop the parse (which then returns that code). */
typedef int (*mld_article_sink_fn)(void *ud, struct mld_article *a);

/* Where a document came from: what a parser needs beyond its bytes. */
struct mld_source {
    const char *name;         /* names the input in messages: a path or URL; never NULL */
    const char *url;          /* where it was fetched, to resolve relative links; or NULL */
    const char *content_type; /* the HTTP Content-Type (charset!) if fetched, or NULL */
    const char *section;      /* the section its configuration gives its items
                                 ([source NAME] section = ...), or NULL */
    bool keep_incomplete;     /* store an entry whose body was refused or cut
                                 (article.incomplete) with a warning, rather than
                                 refusing the document (pipeline.h, rule 0) */
};

/* The health and HTTP state of one source (a polled feed, the drop
 * folder, the push endpoint), kept across runs: what the poller works
 * with and the store keeps (store.h, mld_store_source_get). Strings are
 * owned (NULL = none). */
struct mld_source_state {
    char *name;               /* the source's name in the config */
    char *url;                /* polled URL, or NULL */
    char *etag;               /* last ETag sent by the server, or NULL */
    char *last_modified;      /* last Last-Modified sent by the server, or NULL */
    mld_time_t last_attempt;  /* 0 = never */
    mld_time_t last_success;
    mld_time_t last_error_at;
    char *last_error;         /* message of the last failure, or NULL */
    int failures;             /* consecutive failures (back-off) */
    mld_time_t next_attempt;  /* not before this instant */
    int64_t items;            /* articles stored from it, ever */
    mld_time_t newest_item;   /* version_created of the newest: now - this = lag */
    /* observability: by outcome, ever (store migration 0011) */
    int64_t new_items;        /* articles first stored from it */
    int64_t updated_items;    /* newer versions of known articles */
    int64_t duplicates;       /* deliveries seen before, skipped */
    int64_t failed;           /* attempts that failed (fetch, parse, store) */
};

/* Frees the strings of s (not s itself) and zeroes it. */
void mld_source_state_dispose(struct mld_source_state *s);

/* Sets *to to a copy of *from with strings of its own. */
void mld_source_state_copy(struct mld_source_state *to, const struct mld_source_state *from);

struct mld_format {
    const char *name; /* "digitalwires", "newsml-g2", "nitf", "rss", "atom", "jsonfeed" */

    /* True when the first bytes of a document look like this format. */
    bool (*sniff)(const char *doc, size_t len);

    /* Parses doc, handing each article to sink. Returns 0, or a negative
     * code with err set to "src->name: position: reason"; articles already
     * handed to the sink stay with it. */
    int (*parse)(const char *doc, size_t len, const struct mld_source *src,
                 mld_article_sink_fn sink, void *ud, struct mld_err *err);
};

/* dpa digitalwires JSON (formats 0.5.x and 0.9.x): one entry, or a
 * {"entries": [...]} batch as the wireq API returns it. */
extern const struct mld_format mld_format_dpa;

/* IPTC NewsML-G2: newsItem, or newsMessage with an itemSet of them. */
extern const struct mld_format mld_format_newsml;

/* NITF 3.x, with or without the 2006 namespace. */
extern const struct mld_format mld_format_nitf;

/* RSS 0.9x, 1.0 (RDF) and 2.0. */
extern const struct mld_format mld_format_rss;

/* Atom 1.0 (and 0.3). */
extern const struct mld_format mld_format_atom;

/* JSON Feed 1.0 and 1.1. */
extern const struct mld_format mld_format_jsonfeed;

/* Returns the format whose sniffer accepts doc, or NULL when none does. */
const struct mld_format *mld_format_detect(const char *doc, size_t len);

/* Returns the format called name (struct mld_format.name, e.g. "rss"),
 * or NULL when there is none: for configurations that force a format. */
const struct mld_format *mld_format_find(const char *name);

/* Helpers for parsers ------------------------------------------------------- */

/* Sanitises the HTML fragment html[0..len) into a->body_html and sets
 * a->text to the plain text for search: a->teaser and the text of the
 * body (one parse, see mld_sanitize_html_text), a newline between them,
 * either alone when the other is empty, NULL when both are. html NULL
 * means no body (text from the teaser alone). Returns 0, or a negative
 * code with err set to the sanitiser's reason (the caller puts the source
 * and field in front) and a unchanged. a->body_html and a->text must be
 * NULL before. */
int mld_article_set_body(struct mld_article *a, const char *html, size_t len, struct mld_err *err);

/* Sets a->text as mld_article_set_body() does, from a->teaser and
 * body_text (plain text, or NULL), which it takes over (mld_free). */
void mld_article_set_text(struct mld_article *a, char *body_text);

/* Where a parser is in a document, for its messages. */
struct mld_ingest_at {
    const char *source;  /* names the input (the source's name); never NULL */
    const char *unit;    /* what the document holds several of: "entry", "item"; or NULL */
    int n;               /* 1-based number of the unit being read; 0 outside units */
    struct mld_err *err; /* receives the message; may be NULL */
};

/* Sets at->err to "source: unit N: message", or to "source: message"
 * when at->unit is NULL or at->n is 0, with message made from fmt, and
 * returns code: how every wire parser words its errors. */
int mld_ingest_fail(const struct mld_ingest_at *at, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Hands a to sink, which takes it over. Returns 0 to go on (also for a
 * positive answer), or the sink's negative code to stop, with at's err set
 * to "source: [unit N: ]stopped: reason" unless the sink set it. */
int mld_ingest_hand_over(const struct mld_ingest_at *at, mld_article_sink_fn sink, void *ud,
                         struct mld_article *a);

/* A topic on its way into an article: a parser collects them, then adds
 * them in rank order with mld_ingest_add_topics(). */
struct mld_ingest_topic {
    char *name;   /* owned until added */
    int64_t rank; /* the source's rank; INT64_MAX when it has none (sorts last) */
    size_t order; /* position in the source, which breaks ties */
};

/* Adds the names of topics[0..n) to a's topics (mld_article_add_topic)
 * by rank, ties in source order, and frees the names; with a NULL it only
 * frees them. The array itself stays the caller's. */
void mld_ingest_add_topics(struct mld_article *a, struct mld_ingest_topic *topics, size_t n);

/* Adds prefix + s[0..n) to a's categories, unless that is longer than
 * MLD_MAX_ID_BYTES. */
void mld_ingest_add_category(struct mld_article *a, const char *prefix, const char *s, size_t n);

/* The number that s writes in ASCII digits only (at most 18 of them), or
 * 0 when s is NULL, empty or anything else: for versions, urgencies and
 * ranks, where 0 means "none". */
int64_t mld_ingest_digits(const char *s);

/* True when s (may be NULL) starts with "http://" or "https://", in any
 * case. */
bool mld_ingest_is_web_url(const char *s);

/* True when s may stand as a picture's or sound's address on a page: an
 * http(s) URL, or a path on the site itself ("/static/demo/x.jpg": an
 * operator's own pictures, the demo's) - one "/" first, never "//" and no
 * backslash, which browsers read as another host. */
bool mld_ingest_is_media_url(const char *s);

/* Wire helpers: dates, media, asides, holds ---------------------------------- */

/* True when t can date a wire item: 1971-01-01T00:00:00Z or later (a zero
 * written as a timestamp, with any offset, is no date). */
bool mld_ingest_is_date(mld_time_t t);

/* Sets a->version_created to t and a->date_source to source, unless a
 * date was set already or t is before 1971 (a zero written as a date, with
 * any offset, is no date: nothing is ever dated 1970). Returns true when
 * it set them: parsers call it down their date chain, first field first. */
bool mld_ingest_set_date(struct mld_article *a, mld_time_t t, enum mld_date_source source);

/* One size of a media object as the wire lists it (strings borrowed). */
struct mld_ingest_rendition {
    const char *url;  /* any string; only mld_ingest_is_media_url() ones are used */
    const char *type; /* MIME type, or NULL */
    int width;        /* pixels, 0 or less = unknown */
    int height;
};

/* Adds one media object made of the n sizes r to a: the default size (the
 * narrowest at least MLD_MEDIA_DEFAULT_MIN_WIDTH wide, else the widest;
 * sizes without an http(s) URL are passed over) gives url, type, width
 * and height, every other size becomes a rendition. caption (may be NULL)
 * is copied. Returns the object for the caller to fill in (kind, credit,
 * alt), or NULL when no size has a URL or a is full. */
struct mld_media *mld_ingest_add_renditions(struct mld_article *a,
                                            const struct mld_ingest_rendition *r, size_t n,
                                            const char *caption);

/* Sanitises the HTML fragment html[0..len) (an agency's info or link box)
 * and appends it to a->aside_html as <aside class="cls">...</aside>;
 * nothing when the sanitised box is empty. Returns 0, or the sanitiser's
 * code with err set (MLD_E_TOOBIG, MLD_E_DEPTH), a unchanged. */
int mld_ingest_add_aside(struct mld_article *a, const char *cls, const char *html, size_t len,
                         struct mld_err *err);

/* The German hold reason of an item that is nothing but a media object of
 * kind: "Bildmeldung ohne Text", "Audiomeldung ohne Text", ... Never NULL. */
const char *mld_ingest_media_only_reason(enum mld_media_kind kind);

/* Sets a->hold_reason to mld_ingest_media_only_reason() of its first media
 * object when a has media but neither body nor teaser, and no hold reason
 * yet; otherwise does nothing. */
void mld_ingest_hold_media_only(struct mld_article *a);

/* The hold reason for a dpa text genre that is not for publication
 * (dpatextgenre:27 "Achtung", an advisory; dpatextgenre:32 "Vorschau", a
 * schedule or programme for editors), matched by qcode, or by the German
 * name when qcode is NULL; NULL for every other genre. */
const char *mld_ingest_genre_hold(const char *qcode, const char *name);

#endif
