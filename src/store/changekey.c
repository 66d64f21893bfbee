/*
 * changekey.c - the change keys (changekey.h).
 */
#include "changekey.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One letter a kind, in the order of enum mld_key_kind. */
static const char letter[] = {0, 0, 'a', 'g', 's', 't', 'm'};

static struct mld_key
of_id(enum mld_key_kind kind, int64_t id)
{
    struct mld_key k;
    snprintf(k.s, sizeof(k.s), "%c:%" PRId64, letter[kind], id);
    return k;
}

static struct mld_key
of_name(enum mld_key_kind kind, const char *name)
{
    struct mld_key k = {{0}};
    if (name != NULL && strlen(name) + 3 <= sizeof(k.s))
        snprintf(k.s, sizeof(k.s), "%c:%s", letter[kind], name);
    return k;
}

struct mld_key
mld_key_all(void)
{
    return (struct mld_key){"all"};
}

struct mld_key
mld_key_article(int64_t id)
{
    return of_id(MLD_KEY_ARTICLE, id);
}

struct mld_key
mld_key_story(int64_t id)
{
    return of_id(MLD_KEY_STORY, id);
}

struct mld_key
mld_key_section(const char *slug)
{
    return of_name(MLD_KEY_SECTION, slug);
}

struct mld_key
mld_key_topic(const char *slug)
{
    return of_name(MLD_KEY_TOPIC, slug);
}

struct mld_key
mld_key_month(const char *yyyy_mm)
{
    return of_name(MLD_KEY_MONTH, yyyy_mm);
}

enum mld_key_kind
mld_key_parse(const char *key, int64_t *id, const char **name)
{
    if (strcmp(key, "all") == 0)
        return MLD_KEY_ALL;
    enum mld_key_kind kind = MLD_KEY_NONE;
    for (size_t i = MLD_KEY_ARTICLE; i < sizeof(letter); i++)
        if (key[0] == letter[i] && key[1] == ':')
            kind = (enum mld_key_kind)i;
    if (kind == MLD_KEY_NONE || key[2] == '\0')
        return MLD_KEY_NONE;
    if (kind == MLD_KEY_ARTICLE || kind == MLD_KEY_STORY) {
        char *end;
        errno = 0;
        long long v = strtoll(key + 2, &end, 10);
        if (errno != 0 || *end != '\0' || v <= 0)
            return MLD_KEY_NONE;
        if (id != NULL)
            *id = (int64_t)v;
    } else if (name != NULL) {
        *name = key + 2;
    }
    return kind;
}
