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

struct mld_format {
    const char *name; /* "digitalwires", ... */

    /* True when the first bytes of a document look like this format. */
    bool (*sniff)(const char *doc, size_t len);

    /* Parses doc, handing each article to sink. source names the input in
     * messages ("demo/ref.json"). Returns 0, or a negative code with err
     * set to "source: position: reason"; articles already handed to the
     * sink stay with it. */
    int (*parse)(const char *doc, size_t len, const char *source, mld_article_sink_fn sink,
                 void *ud, struct mld_err *err);
};

/* dpa digitalwires JSON (formats 0.5.x and 0.9.x): one entry, or a
 * {"entries": [...]} batch as the wireq API returns it. */
extern const struct mld_format mld_format_dpa;

/* Returns the format whose sniffer accepts doc, or NULL when none does. */
const struct mld_format *mld_format_detect(const char *doc, size_t len);

#endif
