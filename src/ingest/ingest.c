/*
 * ingest.c - format detection over the table of wire formats (see
 * ingest.h).
 *
 * Each format's sniffer looks only at the first bytes of a document; the
 * first format in the table whose sniffer accepts wins, so put the more
 * specific formats first when more arrive (NewsML-G2, NITF, RSS, Atom,
 * JSON Feed).
 */
#include "ingest.h"

#include <stddef.h>
#include <string.h>

static const struct mld_format *const formats[] = {
    &mld_format_newsml, &mld_format_nitf,
    &mld_format_jsonfeed, &mld_format_rss, &mld_format_atom,
    &mld_format_dpa,
};

const struct mld_format *
mld_format_detect(const char *doc, size_t len)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (formats[i]->sniff(doc, len))
            return formats[i];
    return NULL;
}

const struct mld_format *
mld_format_find(const char *name)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}
