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
};

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

#endif
