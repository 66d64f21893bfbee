/*
 * dpa.c - dpa digitalwires JSON entries to articles (mld_format_dpa).
 *
 * A document is one entry object, or {"entries": [...]} as dpa's wireq
 * API returns a batch. Both the 0.5.x and the 0.9.x entry formats are read;
 * they differ in fields meldung does not use. The whole document is loaded
 * with jansson through mld_json_load() (after checking its size and, with a
 * byte scan, its nesting depth, since jansson's own limit is 2048), then
 * each entry is mapped:
 *
 *   urn (required), version (default 1), updated, entry_id, pubstatus
 *   (usable/null, withheld, canceled), embargoed, urgency, signal,
 *   language                        -> identity and status
 *   version_created, else updated, else content_created
 *                                   -> version_created and date_source
 *                                      (an unreadable date is no date)
 *   kicker, headline, teaser, byline, dateline, creditline
 *                                   -> plain text, kept as given
 *   article_html                    -> body_html through the sanitiser
 *   teaser + "\n" + text of body    -> text (for search)
 *   categories: dnltype:geosubject  -> topics (names, by rank)
 *               dnltype:rubric      -> "rubric:weblines.infoline_rs.politik"
 *               dnltype:desk        -> "desk:pl"
 *               dnltype:dpasubject  -> "subject:dpasubject:377"
 *               dnltype:keyword     -> "keyword:Brücke" (by name)
 *               dnltype:person      -> "person:Narendra Modi" (by name)
 *   rubric_names, desk_names        -> the same, when categories lack them
 *   categories: dnltype:genre (else genre_names) dpatextgenre:27, :32
 *                                   -> hold_reason (advisory, schedule)
 *   infobox_html, linkbox_html      -> aside_html, sanitised, each in an
 *                                      <aside class="infobox|linkbox">
 *   associations                    -> media: renditions (the default size
 *                                      and the rest for srcset), caption,
 *                                      creditline as credit, headline as alt
 *   media but no body nor teaser    -> hold_reason "Bildmeldung ohne Text"
 *
 * The notepad (above all notepad.nonpublic_html, with contact names and
 * phone numbers) and the ednotes are never read: nothing in them can reach
 * an article field. Every text field is capped at MLD_MAX_FIELD_BYTES and
 * the ids at MLD_MAX_ID_BYTES (MLD_E_TOOBIG); a field of the wrong JSON
 * type is MLD_E_PARSE naming the field. The first bad entry stops the
 * parse; entries before it have already gone to the sink.
 */
#include "ingest.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "json.h"

/* How far into a document the sniffer looks for "urn" or "entries". */
#define SNIFF_BYTES 4096

/* What the parse of one document carries along. */
struct ctx {
    struct mld_ingest_at at; /* the source and the entry being read (unit "entry") */
};

/* Sets err to "source: entry N: message" and returns code. */
#define fail(c, ...) mld_ingest_fail(&(c)->at, __VA_ARGS__)

/* Reads string field key of obj (named name in messages) into *out: NULL
 * when missing or null, else a copy. */
static int
get_string(struct ctx *c, const json_t *obj, const char *key, const char *name, size_t max,
           char **out)
{
    *out = NULL;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(c, MLD_E_PARSE, "field \"%s\": expected a string, got %s", name,
                    mld_json_type_name(v));
    size_t n = json_string_length(v);
    if (n > max)
        return fail(c, MLD_E_TOOBIG, "field \"%s\": %zu bytes, more than %zu", name, n, max);
    *out = mld_strndup(json_string_value(v), n);
    return 0;
}

/* Reads array field key of obj (named name in messages) into *out: NULL
 * when missing or null, else the array (borrowed from obj). */
static int
get_array(struct ctx *c, const json_t *obj, const char *key, const char *name,
          const json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out == NULL || json_is_null(*out)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_array(*out))
        return fail(c, MLD_E_PARSE, "field \"%s\": expected an array, got %s", name,
                    mld_json_type_name(*out));
    return 0;
}

/* Reads integer field key into *out; *present tells whether it was there
 * (and not null). */
static int
get_int(struct ctx *c, const json_t *obj, const char *key, const char *name, json_int_t *out,
        bool *present)
{
    *present = false;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return fail(c, MLD_E_PARSE, "field \"%s\": expected an integer, got %s", name,
                    mld_json_type_name(v));
    *out = json_integer_value(v);
    *present = true;
    return 0;
}

/* Reads timestamp field key into *out (0 when missing or null). */
static int
get_time(struct ctx *c, const json_t *obj, const char *key, mld_time_t *out)
{
    *out = 0;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(c, MLD_E_PARSE, "field \"%s\": expected a timestamp string, got %s", key,
                    mld_json_type_name(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (mld_time_parse_iso(s, n, out) != 0)
        return fail(c, MLD_E_PARSE, "field \"%s\": not a timestamp: \"%.40s\"", key, s);
    return 0;
}

/* Reads the date field key into *out: 0 when missing, null or not a
 * readable timestamp (a date that cannot be read is no date: the caller
 * falls through its date chain, and a debug line names the field); a
 * value of another JSON type is MLD_E_PARSE. */
static int
get_date(struct ctx *c, const json_t *obj, const char *key, mld_time_t *out)
{
    *out = 0;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(c, MLD_E_PARSE, "field \"%s\": expected a timestamp string, got %s", key,
                    mld_json_type_name(v));
    const char *s = json_string_value(v);
    if (json_string_length(v) > 0 && mld_time_parse_iso(s, json_string_length(v), out) != 0) {
        mld_log_debug("%s: entry %d: field \"%s\": not a timestamp: \"%.40s\", ignored",
                      c->at.source, c->at.n, key, s);
        *out = 0;
    }
    return 0;
}

/* Dates version_created, then updated (when dpa delivered the version:
 * it was made by then), then content_created: the first one present
 * dates the version (a->date_source says which); none leaves it 0 and
 * MLD_DATE_SEEN for the pipeline. */
static int
read_dates(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    mld_time_t created, content;
    int rc = get_date(c, entry, "version_created", &created);
    if (rc == 0)
        rc = get_date(c, entry, "updated", &a->updated);
    if (!mld_ingest_is_date(a->updated))
        a->updated = 0;
    if (rc == 0)
        rc = get_date(c, entry, "content_created", &content);
    if (rc != 0)
        return rc;
    if (!mld_ingest_set_date(a, created, MLD_DATE_VERSION) &&
        !mld_ingest_set_date(a, a->updated, MLD_DATE_MODIFIED) &&
        !mld_ingest_set_date(a, content, MLD_DATE_CREATED))
        a->date_source = MLD_DATE_SEEN;
    return 0;
}

static int
read_pubstatus(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    char *s;
    int rc = get_string(c, entry, "pubstatus", "pubstatus", MLD_MAX_ID_BYTES, &s);
    if (rc != 0)
        return rc;
    const char *v = s;
    if (v != NULL && strncmp(v, "stat:", 5) == 0)
        v += 5;
    if (v == NULL || strcmp(v, "usable") == 0)
        a->pubstatus = MLD_PUB_USABLE;
    else if (strcmp(v, "withheld") == 0)
        a->pubstatus = MLD_PUB_WITHHELD;
    else if (strcmp(v, "canceled") == 0 || strcmp(v, "cancelled") == 0)
        a->pubstatus = MLD_PUB_CANCELED;
    else
        rc = fail(c, MLD_E_PARSE, "field \"pubstatus\": unknown value \"%.40s\"", v);
    mld_free(s);
    return rc;
}

/* Adds prefix + code to a's categories. */
static void
add_category(struct mld_article *a, const char *prefix, const char *code)
{
    size_t pn = strlen(prefix), cn = strlen(code);
    char *s = mld_malloc(pn + cn + 1);
    memcpy(s, prefix, pn);
    memcpy(s + pn, code, cn + 1);
    mld_article_add_category(a, s);
    mld_free(s);
}

/* Adds prefix + each name of the string list key (a convenience list such
 * as rubric_names). */
static int
read_name_list(struct ctx *c, const json_t *entry, const char *key, const char *prefix,
               struct mld_article *a)
{
    const json_t *list;
    int rc = get_array(c, entry, key, key, &list);
    if (rc != 0 || list == NULL)
        return rc;
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n && i < MLD_MAX_CATEGORIES; i++) {
        const json_t *v = json_array_get(list, i);
        if (!json_is_string(v))
            return fail(c, MLD_E_PARSE, "field \"%s[%zu]\": expected a string, got %s", key, i,
                        mld_json_type_name(v));
        if (json_string_length(v) > MLD_MAX_ID_BYTES)
            return fail(c, MLD_E_TOOBIG, "field \"%s[%zu]\": longer than %d bytes", key, i,
                        MLD_MAX_ID_BYTES);
        add_category(a, prefix, json_string_value(v));
    }
    return 0;
}

/* Sets the hold reason from genre_names (German genre names) when the
 * categories carry no genre. */
static int
read_genre_names(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    const json_t *list;
    int rc = get_array(c, entry, "genre_names", "genre_names", &list);
    if (rc != 0 || list == NULL)
        return rc;
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *why =
            json_is_string(v) ? mld_ingest_genre_hold(NULL, json_string_value(v)) : NULL;
        if (why != NULL && a->hold_reason == NULL)
            a->hold_reason = mld_strdup(why);
    }
    return 0;
}

/* Reads one category object: its type, qcode, name (each NULL when absent)
 * and rank. */
static int
read_category(struct ctx *c, const json_t *cat, size_t i, char **type, char **qcode, char **name,
              json_int_t *rank, bool *has_rank)
{
    char field[64];
    *type = *qcode = *name = NULL;
    if (!json_is_object(cat))
        return fail(c, MLD_E_PARSE, "field \"categories[%zu]\": expected an object, got %s", i,
                    mld_json_type_name(cat));
    static const char *const keys[] = {"type", "qcode", "name"};
    char **outs[] = {type, qcode, name};
    for (size_t k = 0; k < 3; k++) {
        snprintf(field, sizeof(field), "categories[%zu].%s", i, keys[k]);
        int rc = get_string(c, cat, keys[k], field, MLD_MAX_ID_BYTES, outs[k]);
        if (rc != 0)
            return rc;
    }
    snprintf(field, sizeof(field), "categories[%zu].rank", i);
    return get_int(c, cat, "rank", field, rank, has_rank);
}

static int
read_categories(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    const json_t *cats;
    bool have_rubric = false, have_desk = false, have_genre = false;
    int rc = get_array(c, entry, "categories", "categories", &cats);
    if (rc != 0)
        return rc;
    size_t n = cats ? json_array_size(cats) : 0;
    if (n > MLD_MAX_CATEGORIES)
        n = MLD_MAX_CATEGORIES;
    struct mld_ingest_topic *topics = mld_calloc(n ? n : 1, sizeof(*topics)); /* geosubjects */
    size_t ntopics = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *type, *qcode, *name;
        json_int_t rank = 0;
        bool has_rank;
        rc = read_category(c, json_array_get(cats, i), i, &type, &qcode, &name, &rank, &has_rank);
        if (rc == 0 && type != NULL) {
            if (strcmp(type, "dnltype:geosubject") == 0 && name != NULL && *name != '\0') {
                topics[ntopics++] = (struct mld_ingest_topic){name, has_rank ? rank : INT64_MAX, i};
                name = NULL;
            } else if (strcmp(type, "dnltype:rubric") == 0 && (qcode || name)) {
                const char *code = qcode ? qcode : name;
                if (strncmp(code, "dnlpath:", 8) == 0)
                    code += 8;
                add_category(a, "rubric:", code);
                have_rubric = true;
            } else if (strcmp(type, "dnltype:desk") == 0 && (qcode || name)) {
                const char *code = qcode ? qcode : name;
                if (strncmp(code, "dpacat:", 7) == 0)
                    code += 7;
                add_category(a, "desk:", code);
                have_desk = true;
            } else if (strcmp(type, "dnltype:dpasubject") == 0 && qcode != NULL) {
                add_category(a, "subject:", qcode);
            } else if (strcmp(type, "dnltype:keyword") == 0 && name != NULL && *name != '\0') {
                add_category(a, "keyword:", name); /* the tagger's hint (enrich/topics.c) */
            } else if (strcmp(type, "dnltype:person") == 0 && name != NULL && *name != '\0') {
                add_category(a, "person:", name);
            } else if (strcmp(type, "dnltype:genre") == 0 && (qcode || name)) {
                const char *why = mld_ingest_genre_hold(qcode, name);
                if (why != NULL && a->hold_reason == NULL)
                    a->hold_reason = mld_strdup(why);
                have_genre = true;
            } else if (strcmp(type, "dnltype:provider") == 0 && qcode != NULL &&
                       strcmp(qcode, "dnlprov:dpa") == 0 && a->credit == NULL) {
                a->credit = mld_strdup("dpa");
            }
        }
        mld_free(type);
        mld_free(qcode);
        mld_free(name);
    }
    mld_ingest_add_topics(rc == 0 ? a : NULL, topics, ntopics);
    mld_free(topics);
    if (rc == 0 && !have_rubric)
        rc = read_name_list(c, entry, "rubric_names", "rubric:", a);
    if (rc == 0 && !have_desk)
        rc = read_name_list(c, entry, "desk_names", "desk:", a);
    if (rc == 0 && !have_genre)
        rc = read_genre_names(c, entry, a);
    return rc;
}

/* Sanitises article_html into body_html and builds text from the teaser
 * and the body (mld_article_set_body). */
static int
read_body(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    char *html;
    int rc = get_string(c, entry, "article_html", "article_html", MLD_MAX_FIELD_BYTES, &html);
    if (rc != 0)
        return rc;
    struct mld_err e = {0};
    rc = mld_article_set_body(a, html, html != NULL ? strlen(html) : 0, &e);
    mld_free(html);
    if (rc != 0)
        return fail(c, rc, "field \"article_html\": %s", e.msg);
    return 0;
}

/* The kind an association's type names ("image", "audio", "video"), or
 * -1 for another or none (then the MIME type decides). */
static int
association_kind(const char *type)
{
    if (type == NULL)
        return -1;
    if (strcmp(type, "image") == 0 || strcmp(type, "graphic") == 0)
        return MLD_MEDIA_PICTURE;
    if (strcmp(type, "audio") == 0)
        return MLD_MEDIA_AUDIO;
    if (strcmp(type, "video") == 0)
        return MLD_MEDIA_VIDEO;
    return -1;
}

/* Reads the renditions of association i into r (up to MLD_MAX_RENDITIONS;
 * strings borrowed from the JSON) and their count into *n. */
static int
read_renditions(struct ctx *c, const json_t *assoc, size_t i, struct mld_ingest_rendition *r,
                size_t *n)
{
    char field[80];
    *n = 0;
    const json_t *list;
    snprintf(field, sizeof(field), "associations[%zu].renditions", i);
    int rc = get_array(c, assoc, "renditions", field, &list);
    if (rc != 0 || list == NULL)
        return rc;
    size_t k;
    const json_t *v;
    json_array_foreach(list, k, v)
    {
        if (*n >= MLD_MAX_RENDITIONS)
            break;
        if (!json_is_object(v))
            return fail(c, MLD_E_PARSE,
                        "field \"associations[%zu].renditions[%zu]\": expected an object, got %s",
                        i, k, mld_json_type_name(v));
        const json_t *url = json_object_get(v, "url"), *type = json_object_get(v, "mimetype");
        json_int_t w = 0, h = 0;
        bool has;
        snprintf(field, sizeof(field), "associations[%zu].renditions[%zu].width", i, k);
        rc = get_int(c, v, "width", field, &w, &has);
        snprintf(field, sizeof(field), "associations[%zu].renditions[%zu].height", i, k);
        if (rc == 0)
            rc = get_int(c, v, "height", field, &h, &has);
        if (rc != 0)
            return rc;
        if (!json_is_string(url))
            continue;
        r[(*n)++] = (struct mld_ingest_rendition){
            json_string_value(url), json_is_string(type) ? json_string_value(type) : NULL,
            w > 0 && w < 1000000 ? (int)w : 0, h > 0 && h < 1000000 ? (int)h : 0};
    }
    return 0;
}

/* Reads the associations (pictures, audio, video) into a's media: the
 * default rendition and the others for srcset, the caption, the
 * creditline as credit and the headline as alternative text (dpa's NITF
 * writes the same headline as the picture's alternate-text). */
static int
read_associations(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    const json_t *list;
    int rc = get_array(c, entry, "associations", "associations", &list);
    if (rc != 0 || list == NULL)
        return rc;
    struct mld_ingest_rendition r[MLD_MAX_RENDITIONS];
    size_t i;
    const json_t *assoc;
    json_array_foreach(list, i, assoc)
    {
        if (!json_is_object(assoc))
            return fail(c, MLD_E_PARSE, "field \"associations[%zu]\": expected an object, got %s",
                        i, mld_json_type_name(assoc));
        char field[64], *strs[4] = {NULL, NULL, NULL, NULL};
        static const char *const keys[] = {"type", "caption", "creditline", "headline"};
        size_t nr = 0;
        for (size_t k = 0; k < 4 && rc == 0; k++) {
            snprintf(field, sizeof(field), "associations[%zu].%s", i, keys[k]);
            rc = get_string(c, assoc, keys[k], field,
                            k == 0 ? MLD_MAX_ID_BYTES : MLD_MAX_FIELD_BYTES, &strs[k]);
        }
        if (rc == 0)
            rc = read_renditions(c, assoc, i, r, &nr);
        struct mld_media *m = rc == 0 ? mld_ingest_add_renditions(a, r, nr, strs[1]) : NULL;
        if (m != NULL) {
            int kind = association_kind(strs[0]);
            if (kind >= 0)
                m->kind = (enum mld_media_kind)kind;
            m->credit = strs[2];
            m->alt = strs[3];
            strs[2] = strs[3] = NULL;
        }
        for (size_t k = 0; k < 4; k++)
            mld_free(strs[k]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Puts infobox_html and linkbox_html, sanitised, into a->aside_html. */
static int
read_asides(struct ctx *c, const json_t *entry, struct mld_article *a)
{
    static const char *const keys[][2] = {{"infobox_html", "infobox"}, {"linkbox_html", "linkbox"}};
    for (size_t i = 0; i < 2; i++) {
        char *html;
        int rc = get_string(c, entry, keys[i][0], keys[i][0], MLD_MAX_FIELD_BYTES, &html);
        if (rc != 0)
            return rc;
        struct mld_err e = {0};
        if (html != NULL)
            rc = mld_ingest_add_aside(a, keys[i][1], html, strlen(html), &e);
        mld_free(html);
        if (rc != 0)
            return fail(c, rc, "field \"%s\": %s", keys[i][0], e.msg);
    }
    return 0;
}

/* Maps one entry object to a new article in *out. */
static int
read_entry(struct ctx *c, const json_t *entry, struct mld_article **out)
{
    *out = NULL;
    if (!json_is_object(entry))
        return fail(c, MLD_E_PARSE, "expected an object, got %s", mld_json_type_name(entry));
    struct mld_article *a = mld_article_new();
    int rc = get_string(c, entry, "urn", "urn", MLD_MAX_ID_BYTES, &a->urn);
    if (rc != 0)
        goto fail_free;
    if (a->urn == NULL || *a->urn == '\0') {
        rc = fail(c, MLD_E_MISSING, "no urn");
        goto fail_free;
    }
    json_int_t version = 1;
    bool present;
    rc = get_int(c, entry, "version", "version", &version, &present);
    if (rc != 0)
        goto fail_free;
    if (present && version < 1) {
        rc = fail(c, MLD_E_PARSE, "field \"version\": %lld, must be 1 or more", (long long)version);
        goto fail_free;
    }
    a->version = present ? (int64_t)version : 1;
    a->format = mld_strdup("digitalwires");

    json_int_t urgency = 0;
    rc = get_int(c, entry, "urgency", "urgency", &urgency, &present);
    if (rc != 0)
        goto fail_free;
    a->urgency = present && urgency >= 1 && urgency <= 9 ? (int)urgency : 0;

    if ((rc = read_dates(c, entry, a)) != 0 ||
        (rc = get_time(c, entry, "embargoed", &a->embargo)) != 0 ||
        (rc = read_pubstatus(c, entry, a)) != 0)
        goto fail_free;

    const struct {
        const char *key;
        char **dst;
        size_t max;
    } strings[] = {
        {"entry_id", &a->entry_id, MLD_MAX_ID_BYTES},
        {"signal", &a->signal, MLD_MAX_ID_BYTES},
        {"language", &a->lang, MLD_MAX_ID_BYTES},
        {"kicker", &a->kicker, MLD_MAX_FIELD_BYTES},
        {"headline", &a->headline, MLD_MAX_FIELD_BYTES},
        {"teaser", &a->teaser, MLD_MAX_FIELD_BYTES},
        {"byline", &a->byline, MLD_MAX_FIELD_BYTES},
        {"dateline", &a->dateline, MLD_MAX_FIELD_BYTES},
        {"creditline", &a->credit, MLD_MAX_FIELD_BYTES},
    };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        rc = get_string(c, entry, strings[i].key, strings[i].key, strings[i].max, strings[i].dst);
        if (rc != 0)
            goto fail_free;
    }
    if ((rc = read_categories(c, entry, a)) != 0 || (rc = read_body(c, entry, a)) != 0 ||
        (rc = read_asides(c, entry, a)) != 0 || (rc = read_associations(c, entry, a)) != 0)
        goto fail_free;
    mld_ingest_hold_media_only(a);
    *out = a;
    return 0;

fail_free:
    mld_article_free(a);
    return rc;
}

static size_t
skip_bom_space(const char *doc, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r'))
        i++;
    return i;
}

static bool
dpa_sniff(const char *doc, size_t len)
{
    size_t i = skip_bom_space(doc, len);
    if (i >= len || doc[i] != '{')
        return false;
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
    return memmem(doc, n, "\"urn\"", 5) != NULL || memmem(doc, n, "\"entries\"", 9) != NULL;
}

static int
dpa_parse(const char *doc, size_t len, const struct mld_source *src, mld_article_sink_fn sink,
          void *ud, struct mld_err *err)
{
    struct ctx c = {{src && src->name ? src->name : "(input)", "entry", 0, err}};
    json_t *root;
    /* The tree lives in an arena: jansson's thousands of small values
     * are not freed one by one, the arena goes as a whole. */
    struct mld_arena arena = {0};
    int rc = mld_json_load_arena(doc, len, c.at.source, &arena, &root, err);
    if (rc != 0) {
        mld_arena_dispose(&arena);
        return rc;
    }
    const json_t *entries = NULL;
    size_t n = 1;
    if (!json_is_object(root)) {
        rc = mld_err_set(err, MLD_E_PARSE, "%s: expected a JSON object, got %s", c.at.source,
                         mld_json_type_name(root));
        goto out_free;
    }
    entries = json_object_get(root, "entries");
    if (entries != NULL && !json_is_array(entries)) {
        rc = mld_err_set(err, MLD_E_PARSE, "%s: field \"entries\": expected an array, got %s",
                         c.at.source, mld_json_type_name(entries));
        goto out_free;
    }
    if (entries != NULL)
        n = json_array_size(entries);
    for (size_t i = 0; i < n; i++) {
        c.at.n = (int)i + 1;
        struct mld_article *a;
        rc = read_entry(&c, entries ? json_array_get(entries, i) : root, &a);
        if (rc != 0)
            goto out_free;
        if ((rc = mld_ingest_hand_over(&c.at, sink, ud, a)) != 0)
            goto out_free;
    }
out_free:
    mld_arena_dispose(&arena); /* root with it */
    return rc;
}

const struct mld_format mld_format_dpa = {
    .name = "digitalwires",
    .sniff = dpa_sniff,
    .parse = dpa_parse,
};
