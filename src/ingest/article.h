/*
 * article.h - one version of one news item, as every parser produces it.
 *
 * This is the normal form between parsing and storing: a parser fills a
 * struct mld_article from its wire format; enrich adds the section, topics
 * and story key; the store keeps it (with all earlier versions) and the web
 * layer reads it back. All strings are heap-allocated, NUL-terminated UTF-8
 * owned by the article (NULL where the source has no such field), freed by
 * mld_article_free(). HTML fields hold sanitised HTML only.
 */
#ifndef MLD_ARTICLE_H
#define MLD_ARTICLE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/time.h"

/* Publication status of a version (IPTC pubStatus). */
enum mld_pubstatus {
    MLD_PUB_USABLE = 0,   /* publishable (also when the wire says nothing) */
    MLD_PUB_WITHHELD = 1, /* held back: not shown, may return */
    MLD_PUB_CANCELED = 2, /* withdrawn: the article answers 410 */
    MLD_PUB_HELD = 3,     /* not for publication (an agency advisory, a media
                             item no article uses): stored, listed for the
                             operator, never on a page; hold_reason says why */
};

/* Where version_created came from: the first field of the format's date
 * chain that the item had (docs/internals/ingest.md lists each chain).
 * MLD_DATE_SEEN means none did: the pipeline dated the item by the time
 * meldung first saw it. Counted in the ingest summary. */
enum mld_date_source {
    MLD_DATE_VERSION = 0,    /* the format's own version date (versionCreated,
                                digitalwires version_created, RSS pubDate,
                                Atom updated, JSON Feed date_modified) */
    MLD_DATE_MODIFIED = 1,   /* a modification date (contentModified, Atom
                                published when updated is absent, ...) */
    MLD_DATE_CREATED = 2,    /* a creation date (contentCreated, firstCreated,
                                dc:date, date_published) */
    MLD_DATE_CHANNEL = 3,    /* the feed's own date (lastBuildDate, channel
                                pubDate, feed updated) */
    MLD_DATE_SEEN = 4,       /* none: the time meldung first saw the item */
};
#define MLD_DATE_SOURCES 5

/* What a media object is. */
enum mld_media_kind {
    MLD_MEDIA_OTHER = 0, /* a download: PDF, unknown type */
    MLD_MEDIA_PICTURE = 1,
    MLD_MEDIA_AUDIO = 2,
    MLD_MEDIA_VIDEO = 3,
};

/* One size of a picture, for srcset. */
struct mld_rendition {
    char *url;  /* absolute URL */
    int width;  /* pixels, 0 = unknown */
    int height;
};

/* A media object attached to an article: a feed enclosure, an image. */
struct mld_media {
    char *url;      /* absolute URL (the largest or default rendition) */
    char *type;     /* MIME type, or NULL */
    int64_t length; /* bytes, 0 = unknown */
    char *caption;  /* plain text, or NULL */
    enum mld_media_kind kind;
    int width;      /* of url, pixels; 0 = unknown */
    int height;
    char *credit;   /* photographer/agency as the wire writes it ("Name/dpa"), or NULL */
    char *alt;      /* alternative text, or NULL (pages fall back to the caption) */
    struct mld_rendition *renditions; /* other sizes, any order; may be NULL */
    int nrenditions;
};

/* Who decided an article's section, in order of authority. The
 * classifier learns from MLD_SECTION_AGENCY articles only. */
enum mld_section_by {
    MLD_SECTION_NONE = 0,
    MLD_SECTION_OPERATOR = 1,   /* an operator's rule ([enrich] sections) */
    MLD_SECTION_SOURCE = 2,     /* the source's configured section */
    MLD_SECTION_AGENCY = 3,     /* the default mapping of the agency's or feed's own categories */
    MLD_SECTION_CLASSIFIER = 4, /* the text classifier */
};

struct mld_article {
    /* Identity and version ordering. */
    char *urn;                  /* the source's id, same for all versions */
    int64_t version;            /* grows with each version; >= 1 */
    mld_time_t version_created; /* when the source made this version */
    mld_time_t updated;         /* when this version was (re)delivered */
    char *entry_id;             /* unique per delivery; NULL if none */
    char *format;               /* "digitalwires", "newsml-g2", ... */

    /* Status. */
    enum mld_pubstatus pubstatus;
    mld_time_t embargo;   /* not visible before this instant; 0 = none */
    int urgency;          /* 1 (flash) .. 9; 0 = unknown */
    char *signal;         /* "sig:update", "sig:correction", ... or NULL */
    char *hold_reason;    /* why the item is not for publication, in German
                             for the operator ("dpa-Hinweis: nicht zur
                             Veröffentlichung bestimmt"), or NULL; a parser
                             sets it, the pipeline then sets MLD_PUB_HELD */
    enum mld_date_source date_source; /* where version_created came from */
    char *lang;           /* "de", ... */

    /* Text. */
    char *kicker;   /* Dachzeile */
    char *headline;
    char *teaser;   /* lead */
    char *byline;
    char *dateline;
    char *body_html; /* sanitised HTML fragment: p, h2, ul, ... */
    char *aside_html; /* sanitised HTML of the agency's info- and link boxes
                         (each in its own <aside>), shown after the body; or NULL */
    char *text;      /* plain text of teaser and body, for search */
    char *incomplete; /* why body or teaser is not all the source sent (the
                         sanitiser refused it, or it was cut at a limit), e.g.
                         "content: HTML nested deeper than 64 elements at byte
                         5"; NULL when whole. The pipeline refuses the document
                         unless its source keeps incomplete items (pipeline.h) */
    int incomplete_code; /* MLD_E_DEPTH or MLD_E_TOOBIG with incomplete */
    char *credit;    /* source credit, e.g. "dpa" */
    char *link;      /* the item's own page at the source (feeds): absolute URL, or NULL */
    char *author;    /* author names, ", "-joined, or NULL */
    struct mld_media *media; /* enclosures and images, in source order */
    int nmedia;

    /* Classification, as the source gives it. */
    char **categories;   /* source codes, e.g. "rubric:weblines.newsscreen.boerse",
                            "desk:pl"; used for the section mapping */
    int ncategories;
    char **topics;       /* display names in rank order: "Ukraine", "Russland" */
    int ntopics;

    /* Filled by enrich and the store. */
    char *section;           /* display name, e.g. "Ausland"; NULL = none */
    enum mld_section_by section_by; /* how section was decided */
    mld_time_t first_published; /* of the first stored version (store sets it) */
};

/* Returns a new, empty article (all fields zero). Never NULL. */
struct mld_article *mld_article_new(void);

/* Frees a and everything it owns; NULL is fine. */
void mld_article_free(struct mld_article *a);

/* Appends a copy of s to a's topics, unless it is already there or
 * MLD_MAX_TOPICS is reached. */
void mld_article_add_topic(struct mld_article *a, const char *s);

/* Appends a copy of s to a's categories (up to MLD_MAX_CATEGORIES). */
void mld_article_add_category(struct mld_article *a, const char *s);

/* Appends a media object with copies of url, type (may be NULL) and
 * caption (may be NULL), up to MLD_MAX_MEDIA; url NULL or "" is ignored.
 * Returns the new object (kind from type's major part, other fields
 * zero, for the caller to fill with mld_strdup'ed strings), or NULL when
 * nothing was added. */
struct mld_media *mld_article_add_media(struct mld_article *a, const char *url, const char *type,
                                        int64_t length, const char *caption);

/* Appends a rendition with a copy of url to m (up to MLD_MAX_RENDITIONS;
 * url NULL or "" is ignored). */
void mld_media_add_rendition(struct mld_media *m, const char *url, int width, int height);

/* The first picture among a's media, or NULL. */
const struct mld_media *mld_article_first_picture(const struct mld_article *a);

/* True when a is visible to readers at instant now: usable and out of
 * embargo. */
bool mld_article_is_visible(const struct mld_article *a, mld_time_t now);

/* Compares the version order of a and b under the digitalwires rule:
 * greater version wins; on a tie the later version_created; on a tie the
 * later updated. Returns <0, 0 or >0 as a is older, equal or newer. */
int mld_article_version_cmp(const struct mld_article *a, const struct mld_article *b);

/* A 64-bit digest (XXH3) of what version a says: urn, version,
 * version_created, updated, status, embargo, urgency, signal, hold
 * reason, every text, link, author, media (with renditions), categories,
 * topics and section - everything the store keeps of a version but the
 * delivery's own id, entry_id. Two deliveries with the same digest are
 * the same version, whatever ids the source gave them (or none): the
 * store keeps the first and skips the other as a duplicate. A NULL field
 * differs from an empty one. */
uint64_t mld_article_digest(const struct mld_article *a);

#endif
