/*
 * tests/fuzz/wire.h - the promises the agency parsers (digitalwires,
 * NewsML-G2, NITF) make beyond check.h: dates, holds, media sizes and
 * info/link boxes. Header-only, included by their drivers after check.h.
 */
#ifndef MLD_FUZZ_WIRE_H
#define MLD_FUZZ_WIRE_H

#include <string.h>
#include <strings.h>

#include "check.h"

/* True when s (may be NULL) is an http(s) URL. */
static inline bool
fuzz_wire_web(const char *s)
{
    return s != NULL && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
}

/* True when a keeps the wire promises: a known date source, 0 exactly
 * when it is MLD_DATE_SEEN, never a date in 1970 (nor updated); a hold reason
 * that is not empty; every media object and rendition an http(s) URL
 * with sizes of 0 or more, at most MLD_MAX_RENDITIONS; asides made of
 * <aside class=...> boxes without scripts. */
static inline bool
fuzz_wire_ok(const struct mld_article *a)
{
    if ((int)a->date_source < 0 || a->date_source >= MLD_DATE_SOURCES ||
        (a->version_created == 0) != (a->date_source == MLD_DATE_SEEN) ||
        (a->version_created != 0 && !mld_ingest_is_date(a->version_created)) ||
        (a->updated != 0 && !mld_ingest_is_date(a->updated)))
        return false;
    if (a->hold_reason != NULL && a->hold_reason[0] == '\0')
        return false;
    for (int i = 0; i < a->nmedia; i++) {
        const struct mld_media *m = &a->media[i];
        if (!fuzz_wire_web(m->url) || m->width < 0 || m->height < 0 ||
            m->nrenditions > MLD_MAX_RENDITIONS || (int)m->kind < 0 || m->kind > MLD_MEDIA_VIDEO)
            return false;
        for (int r = 0; r < m->nrenditions; r++)
            if (!fuzz_wire_web(m->renditions[r].url) || m->renditions[r].width < 0 ||
                m->renditions[r].height < 0)
                return false;
    }
    if (a->aside_html != NULL && (strncmp(a->aside_html, "<aside class=\"", 14) != 0 ||
                                  strstr(a->aside_html, "<script") != NULL))
        return false;
    return true;
}

#endif
