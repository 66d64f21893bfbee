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
};

/* A media object attached to an article: a feed enclosure, an image. */
struct mld_media {
    char *url;      /* absolute URL */
    char *type;     /* MIME type, or NULL */
    int64_t length; /* bytes, 0 = unknown */
    char *caption;  /* or NULL */
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
    char *lang;           /* "de", ... */

    /* Text. */
    char *kicker;   /* Dachzeile */
    char *headline;
    char *teaser;   /* lead */
    char *byline;
    char *dateline;
    char *body_html; /* sanitised HTML fragment: p, h2, ul, ... */
    char *text;      /* plain text of teaser and body, for search */
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
 * caption (may be NULL), up to MLD_MAX_MEDIA; url NULL or "" is ignored. */
void mld_article_add_media(struct mld_article *a, const char *url, const char *type,
                           int64_t length, const char *caption);

/* True when a is visible to readers at instant now: usable and out of
 * embargo. */
bool mld_article_is_visible(const struct mld_article *a, mld_time_t now);

/* Compares the version order of a and b under the digitalwires rule:
 * greater version wins; on a tie the later version_created; on a tie the
 * later updated. Returns <0, 0 or >0 as a is older, equal or newer. */
int mld_article_version_cmp(const struct mld_article *a, const struct mld_article *b);

#endif
