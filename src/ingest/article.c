/*
 * article.c - the article model (see article.h).
 */
#include "article.h"

#include <string.h>
#include <strings.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "../base/limits.h"
#include "../base/mem.h"

struct mld_article *
mld_article_new(void)
{
    return MLD_NEW(struct mld_article);
}

static void
free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        mld_free(v[i]);
    mld_free(v);
}

void
mld_article_free(struct mld_article *a)
{
    if (a == NULL)
        return;
    char **strings[] = {&a->urn, &a->entry_id, &a->format, &a->signal, &a->lang,
                        &a->kicker, &a->headline, &a->teaser, &a->byline, &a->dateline,
                        &a->body_html, &a->text, &a->credit, &a->section, &a->link,
                        &a->author, &a->hold_reason, &a->aside_html, &a->incomplete};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        mld_free(*strings[i]);
    free_list(a->categories, a->ncategories);
    free_list(a->topics, a->ntopics);
    for (int i = 0; i < a->nmedia; i++) {
        mld_free(a->media[i].url);
        mld_free(a->media[i].type);
        mld_free(a->media[i].caption);
        mld_free(a->media[i].credit);
        mld_free(a->media[i].alt);
        for (int r = 0; r < a->media[i].nrenditions; r++)
            mld_free(a->media[i].renditions[r].url);
        mld_free(a->media[i].renditions);
    }
    mld_free(a->media);
    mld_free(a);
}

static void
push(char ***v, int *n, int max, const char *s, bool unique)
{
    if (s == NULL || *s == '\0' || *n >= max)
        return;
    if (unique)
        for (int i = 0; i < *n; i++)
            if (strcmp((*v)[i], s) == 0)
                return;
    *v = mld_reallocarray(*v, (size_t)*n + 1, sizeof(**v));
    (*v)[(*n)++] = mld_strdup(s);
}

void
mld_article_add_topic(struct mld_article *a, const char *s)
{
    push(&a->topics, &a->ntopics, MLD_MAX_TOPICS, s, true);
}

void
mld_article_add_category(struct mld_article *a, const char *s)
{
    push(&a->categories, &a->ncategories, MLD_MAX_CATEGORIES, s, true);
}

/* The kind a MIME type names by its major part ("image/jpeg"). */
static enum mld_media_kind
kind_of(const char *type)
{
    if (type == NULL)
        return MLD_MEDIA_OTHER;
    if (strncasecmp(type, "image/", 6) == 0)
        return MLD_MEDIA_PICTURE;
    if (strncasecmp(type, "audio/", 6) == 0)
        return MLD_MEDIA_AUDIO;
    if (strncasecmp(type, "video/", 6) == 0)
        return MLD_MEDIA_VIDEO;
    return MLD_MEDIA_OTHER;
}

struct mld_media *
mld_article_add_media(struct mld_article *a, const char *url, const char *type, int64_t length,
                      const char *caption)
{
    if (url == NULL || *url == '\0' || a->nmedia >= MLD_MAX_MEDIA)
        return NULL;
    a->media = mld_reallocarray(a->media, (size_t)a->nmedia + 1, sizeof(*a->media));
    struct mld_media *m = &a->media[a->nmedia++];
    *m = (struct mld_media){0};
    m->url = mld_strdup(url);
    m->type = mld_strdup(type);
    m->length = length;
    m->caption = mld_strdup(caption);
    m->kind = kind_of(type);
    return m;
}

void
mld_media_add_rendition(struct mld_media *m, const char *url, int width, int height)
{
    if (url == NULL || *url == '\0' || m->nrenditions >= MLD_MAX_RENDITIONS)
        return;
    m->renditions = mld_reallocarray(m->renditions, (size_t)m->nrenditions + 1,
                                     sizeof(*m->renditions));
    m->renditions[m->nrenditions++] =
        (struct mld_rendition){.url = mld_strdup(url), .width = width, .height = height};
}

const struct mld_media *
mld_article_first_picture(const struct mld_article *a)
{
    for (int i = 0; i < a->nmedia; i++)
        if (a->media[i].kind == MLD_MEDIA_PICTURE)
            return &a->media[i];
    return NULL;
}

bool
mld_article_is_visible(const struct mld_article *a, mld_time_t now)
{
    return a->pubstatus == MLD_PUB_USABLE && (a->embargo == 0 || a->embargo <= now);
}

int
mld_article_version_cmp(const struct mld_article *a, const struct mld_article *b)
{
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if (a->version_created != b->version_created)
        return a->version_created < b->version_created ? -1 : 1;
    if (a->updated != b->updated)
        return a->updated < b->updated ? -1 : 1;
    return 0;
}

/* Digest ------------------------------------------------------------------ */

/* Feeds a string to the digest: a tag byte (0 = NULL, 1 = present), the
 * length, the bytes, so that no two field lists run together alike. */
static void
digest_str(XXH3_state_t *st, const char *s)
{
    unsigned char tag = s != NULL;
    XXH3_64bits_update(st, &tag, 1);
    if (s == NULL)
        return;
    uint64_t n = strlen(s);
    XXH3_64bits_update(st, &n, sizeof(n));
    XXH3_64bits_update(st, s, n);
}

static void
digest_int(XXH3_state_t *st, int64_t v)
{
    XXH3_64bits_update(st, &v, sizeof(v));
}

uint64_t
mld_article_digest(const struct mld_article *a)
{
    XXH3_state_t state;
    XXH3_state_t *st = &state;
    XXH3_64bits_reset(st);
    const int64_t ints[] = {a->version, a->version_created, a->updated,     a->pubstatus,
                            a->embargo, a->urgency,         a->nmedia,      a->ncategories,
                            a->ntopics};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        digest_int(st, ints[i]);
    const char *strings[] = {a->urn,      a->format,    a->signal,    a->hold_reason,
                             a->lang,     a->kicker,    a->headline,  a->teaser,
                             a->byline,   a->dateline,  a->body_html, a->aside_html,
                             a->text,     a->credit,    a->link,      a->author,
                             a->section};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        digest_str(st, strings[i]);
    for (int i = 0; i < a->ncategories; i++)
        digest_str(st, a->categories[i]);
    for (int i = 0; i < a->ntopics; i++)
        digest_str(st, a->topics[i]);
    for (int i = 0; i < a->nmedia; i++) {
        const struct mld_media *m = &a->media[i];
        const char *ms[] = {m->url, m->type, m->caption, m->credit, m->alt};
        for (size_t k = 0; k < sizeof(ms) / sizeof(ms[0]); k++)
            digest_str(st, ms[k]);
        const int64_t mi[] = {m->length, m->kind, m->width, m->height, m->nrenditions};
        for (size_t k = 0; k < sizeof(mi) / sizeof(mi[0]); k++)
            digest_int(st, mi[k]);
        for (int r = 0; r < m->nrenditions; r++) {
            digest_str(st, m->renditions[r].url);
            digest_int(st, m->renditions[r].width);
            digest_int(st, m->renditions[r].height);
        }
    }
    return (uint64_t)XXH3_64bits_digest(st);
}
