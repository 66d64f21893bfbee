/*
 * nitf.c - NITF 3.x documents to articles (mld_format_nitf).
 *
 * One document is one article. The root is nitf, without a namespace
 * (DTD-era files) or in the 3.4+ namespace http://iptc.org/std/NITF/2006-10-18/;
 * elements are matched by local name. The document goes through
 * mld_xml_parse() (no network, no DTD loading, depth and size limits), and
 * a document that declares entities is refused before anything is read.
 *
 *   head/docdata/doc-id@id-string   -> urn (required, see below)
 *   docdata/du-key@version          -> version (digits >= 1; else 1)
 *   docdata@management-status       -> pubstatus: usable (or absent),
 *                                      withheld, canceled/cancelled; embargoed
 *                                      is usable with embargo = date.release
 *                                      (an unreadable release is an error)
 *   docdata/urgency@ed-urg          -> urgency 1-9 (also head/urgency)
 *   docdata/date.issue@norm, else the latest revision-history@norm,
 *   else pubdata@date.publication, story.date@norm, date.release@norm
 *                                   -> version_created, date_source, updated
 *   tobject@tobject.type Advisory   -> hold_reason
 *   body.head/hedline/hl1, head/title -> headline (hl1 first)
 *   hedline/hl2 class="ShortHeadLine" -> kicker (dpa's Dachzeile)
 *   body.head/abstract              -> teaser
 *   body.head/byline                -> byline (without byttl, unless that
 *                                      is all there is)
 *   body.head/dateline              -> dateline (without story.date)
 *   body.head/distributor           -> credit
 *   nitf@baselang                   -> lang
 *   tobject.subject refnum NNNNNNNN -> category "subject:subj:NNNNNNNN"
 *   key-list/keyword (@key or text) -> "keyword:X", split at '/' (dpa)
 *   fixture@fix-id "/infoline_rs/boulevard/kultur/"
 *                                   -> "rubric:weblines.infoline_rs.boulevard.kultur"
 *                                      when it is a dpa rubric path
 *   doc-scope@scope (dpa only)      -> "desk:ku"
 *   body.content                    -> body_html via mld_nitf_body_markup(),
 *                                      with media (sizes, caption, producer
 *                                      as credit, alternate-text) and dpa's
 *                                      link box as aside_html
 *   teaser + "\n" + body text       -> text
 *
 * Identity. dpa's NITF writes the URN with ':' and '.' turned into '-' and
 * a millisecond stamp appended ("urn-newsml-dpa-com-20090101-190710-99-
 * 999121:1562753522000"); it is turned back into the URN the same article
 * has in digitalwires and NewsML-G2 (urn:newsml:dpa.com:20090101:190710-99-
 * 999121), so all three formats update one article. Without an id-string,
 * du-key@key names the item; without that either, the urn is made from the
 * headline and date.issue ("urn:meldung:nitf:REGSRC:<64-bit hash>"), so
 * that a redelivery lands on the same article. No headline either is
 * MLD_E_MISSING.
 *
 * Repair: dpa's NITF writes signed image URLs with a bare '&' in
 * attribute values, which is not well-formed XML. Before parsing, an '&'
 * that starts no character or entity reference (outside comments and
 * CDATA) is written as "&amp;"; nothing else is ever changed.
 *
 * Never read: ed-msg (messages to editors), docdata notes, body.end and
 * rights. Dates that do not parse ("YYYYMMDD000000-HHMM" placeholders)
 * count as absent. A document with media but no text is held.
 */
#include "nitf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "ingest.h"
#include "xml.h"

/* What the parse of one document carries along. */
struct ctx {
    struct mld_ingest_at at; /* the source (no units: one article); err never NULL */
    mld_time_t story_date;   /* body.head/dateline/story.date@norm; 0 = none */
};

/* Sets err to "source: message" and returns code. */
#define fail(c, ...) mld_ingest_fail(&(c)->at, __VA_ARGS__)

/* Removes every direct child element of n called local. */
static void
drop_children(xmlNode *n, const char *local)
{
    xmlNode *next;
    for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = next) {
        next = c->next;
        if (mld_xml_is(c, NULL, local)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* The kind a NITF media element's media-type names. */
static enum mld_media_kind
media_kind(const char *type)
{
    if (type != NULL && (strcasecmp(type, "image") == 0 || strcasecmp(type, "graphic") == 0))
        return MLD_MEDIA_PICTURE;
    if (type != NULL && strcasecmp(type, "audio") == 0)
        return MLD_MEDIA_AUDIO;
    if (type != NULL && strcasecmp(type, "video") == 0)
        return MLD_MEDIA_VIDEO;
    return MLD_MEDIA_OTHER;
}

/* Adds a NITF media element to a: its http(s) media-references as one
 * object (the default size and the others as renditions, see
 * mld_ingest_add_renditions), the media-caption as caption, the
 * media-producer as credit, the first alternate-text as alt, and the kind
 * from media-type (else from the MIME type). */
static void
add_media(const xmlNode *media, struct mld_article *a)
{
    struct mld_ingest_rendition r[MLD_MAX_RENDITIONS];
    char *own[2 * MLD_MAX_RENDITIONS];
    size_t n = 0, nown = 0;
    char *alt = NULL;
    for (xmlNode *ref = mld_xml_child(media, "media-reference");
         ref != NULL && n < MLD_MAX_RENDITIONS; ref = mld_xml_next(ref, "media-reference")) {
        char *src = mld_xml_attr(ref, "source");
        if (!mld_ingest_is_web_url(src)) {
            mld_free(src);
            continue;
        }
        char *type = mld_xml_attr(ref, "mime-type");
        char *w = mld_xml_attr(ref, "width"), *h = mld_xml_attr(ref, "height");
        int64_t wn = mld_ingest_digits(w), hn = mld_ingest_digits(h);
        mld_free(w);
        mld_free(h);
        r[n++] = (struct mld_ingest_rendition){src, type, wn < 1000000 ? (int)wn : 0,
                                               hn < 1000000 ? (int)hn : 0};
        own[nown++] = src;
        own[nown++] = type;
        if (alt == NULL) {
            alt = mld_xml_attr(ref, "alternate-text");
            if (alt != NULL && alt[0] == '\0') {
                mld_free(alt);
                alt = NULL;
            }
        }
    }
    char *caption = mld_xml_text(mld_xml_child(media, "media-caption"));
    struct mld_media *m = mld_ingest_add_renditions(a, r, n, caption);
    if (m != NULL) {
        char *kind = mld_xml_attr(media, "media-type");
        if (kind != NULL && media_kind(kind) != MLD_MEDIA_OTHER)
            m->kind = media_kind(kind);
        mld_free(kind);
        m->credit = mld_xml_text(mld_xml_child(media, "media-producer"));
        m->alt = alt;
        alt = NULL;
    }
    mld_free(caption);
    mld_free(alt);
    for (size_t i = 0; i < nown; i++)
        mld_free(own[i]);
}

/* Puts the markup of dpa's link box (a block of style EXTERNAL-LINKS),
 * sanitised, into a->aside_html; a box the sanitiser refuses is left out
 * with a warning (the document passed the same limits, so this is rare). */
static void
add_linkbox(xmlNode *block, struct mld_article *a)
{
    char *inner = mld_nitf_inner(block);
    struct mld_err e = {0};
    if (inner != NULL && mld_ingest_add_aside(a, "linkbox", inner, strlen(inner), &e) != 0)
        mld_log_warn("%s: link box left out: %s", a->urn != NULL ? a->urn : "nitf", e.msg);
    mld_free(inner);
}

/* Rewrites the NITF markup below parent into what the sanitiser keeps
 * (see mld_nitf_body_markup). Recursion is bounded by MLD_MAX_DEPTH, which
 * mld_xml_parse() enforced. */
static void
prepare(xmlNode *parent, struct mld_article *a)
{
    xmlNode *next;
    for (xmlNode *n = parent->children; n != NULL; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = mld_xml_name(n);
        bool drop = false;
        if (strcmp(name, "media") == 0) {
            add_media(n, a);
            drop = true;
        } else if (strcmp(name, "note") == 0 || strcmp(name, "nitf-table-metadata") == 0 ||
                   strcmp(name, "ed-msg") == 0) {
            drop = true;
        } else if (strcmp(name, "block") == 0) {
            /* dpa's link box: an aside of its own, as digitalwires'
             * linkbox_html. */
            char *style = mld_xml_attr(n, "style");
            drop = style != NULL && strcasecmp(style, "EXTERNAL-LINKS") == 0;
            mld_free(style);
            if (drop)
                add_linkbox(n, a);
        } else if (strcmp(name, "hl1") == 0 || strcmp(name, "hl2") == 0) {
            xmlNodeSetName(n, BAD_CAST "h2");
        } else if (strcmp(name, "bq") == 0) {
            xmlNodeSetName(n, BAD_CAST "blockquote");
        }
        if (drop) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            continue;
        }
        prepare(n, a);
    }
}

/* The serialised children of n, or NULL when they are nothing but
 * whitespace. */
static char *
inner_markup(const xmlNode *n)
{
    char *inner = mld_xml_inner(n);
    if (inner == NULL || inner[strspn(inner, " \t\r\n")] == '\0') {
        mld_free(inner);
        return NULL;
    }
    return inner;
}

char *
mld_nitf_inner(xmlNode *n)
{
    if (n == NULL)
        return NULL;
    mld_xml_strip_ns(n);
    return inner_markup(n);
}

char *
mld_nitf_body_markup(xmlNode *content, struct mld_article *a)
{
    if (content == NULL)
        return NULL;
    mld_xml_strip_ns(content);
    prepare(content, a);
    return inner_markup(content);
}

int
mld_nitf_set_body(struct mld_article *a, const char *html, struct mld_err *err)
{
    int rc = mld_article_set_body(a, html, html != NULL ? strlen(html) : 0, err);
    char *s = a->body_html;
    if (rc != 0 || s == NULL)
        return rc;
    /* The sanitiser keeps the indentation between the blocks of
     * pretty-printed XML. */
    size_t lead = strspn(s, " \t\r\n"), n = strlen(s + lead);
    while (n > 0 && strchr(" \t\r\n", s[lead + n - 1]) != NULL)
        n--;
    memmove(s, s + lead, n);
    s[n] = '\0';
    return 0;
}

xmlDocPtr
mld_nitf_read_doc(const char *doc, size_t len, const struct mld_source *src,
                  const struct mld_ingest_at *at)
{
    xmlDocPtr d = mld_xml_parse(doc, len, NULL, src, at->err);
    if (d != NULL && mld_xml_declares_entities(d)) {
        mld_ingest_fail(at, MLD_E_PARSE, "the DOCTYPE declares entities, which are not accepted");
        xmlFreeDoc(d);
        return NULL;
    }
    return d;
}

int
mld_nitf_text(const struct mld_ingest_at *at, const xmlNode *n, const char *field, size_t max,
              char **out)
{
    *out = NULL;
    if (n == NULL)
        return 0;
    xmlChar *raw = xmlNodeGetContent(n);
    size_t len = raw != NULL ? strlen((const char *)raw) : 0;
    xmlFree(raw);
    if (len > max)
        return mld_ingest_fail(at, MLD_E_TOOBIG, "%s: %zu bytes, more than %zu", field, len, max);
    *out = mld_xml_text(n);
    return 0;
}

int
mld_nitf_byline(const struct mld_ingest_at *at, xmlNode *byline, char **out)
{
    char *all;
    int rc = mld_nitf_text(at, byline, "byline", MLD_MAX_FIELD_BYTES, &all);
    *out = NULL;
    if (rc != 0)
        return rc;
    drop_children(byline, "byttl");
    *out = mld_xml_text(byline);
    if (*out == NULL)
        *out = all;
    else
        mld_free(all);
    return 0;
}

/* Parses the norm attribute of n into *out; false when it is absent or
 * not a timestamp. */
static bool
norm_time(const xmlNode *n, mld_time_t *out)
{
    char *v = mld_xml_attr(n, "norm");
    bool ok = v != NULL && mld_time_parse_iso(v, strlen(v), out) == 0;
    mld_free(v);
    return ok;
}

/* dpa's "urn-newsml-dpa-com-20090101-190710-99-999121:1562753522000" back
 * to "urn:newsml:dpa.com:20090101:190710-99-999121"; NULL when id is not
 * of that form. */
static char *
dpa_urn(const char *id)
{
    static const char prefix[] = "urn-newsml-dpa-com-";
    size_t pn = sizeof(prefix) - 1;
    if (strncmp(id, prefix, pn) != 0 || strspn(id + pn, "0123456789") != 8 || id[pn + 8] != '-')
        return NULL;
    const char *rest = id + pn + 9;
    size_t rn = strcspn(rest, ":");
    if (rn == 0)
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_ID_BYTES);
    mld_buf_printf(&b, "urn:newsml:dpa.com:%.8s:%.*s", id + pn, (int)rn, rest);
    if (mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, NULL);
}

/* 64-bit FNV-1a of s, continuing from h. */
static uint64_t
fnv1a(uint64_t h, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Reads the urn and version of the document into a (headline already
 * read, for the made-up id). */
static int
read_identity(struct ctx *c, const xmlNode *docdata, struct mld_article *a)
{
    xmlNode *docid = mld_xml_child(docdata, "doc-id");
    xmlNode *dukey = mld_xml_child(docdata, "du-key");
    char *id = mld_xml_attr(docid, "id-string");
    if (id != NULL && id[0] == '\0') {
        mld_free(id);
        id = NULL;
    }
    if (id == NULL) {
        id = mld_xml_attr(dukey, "key");
        if (id != NULL && id[0] == '\0') {
            mld_free(id);
            id = NULL;
        }
    }
    if (id != NULL && strlen(id) > MLD_MAX_ID_BYTES) {
        mld_free(id);
        return fail(c, MLD_E_TOOBIG, "doc-id: longer than %d bytes", MLD_MAX_ID_BYTES);
    }
    if (id != NULL) {
        a->urn = dpa_urn(id);
        if (a->urn == NULL)
            a->urn = id;
        else
            mld_free(id);
    } else if (a->headline != NULL) {
        char *regsrc = mld_xml_attr(docid, "regsrc");
        char *issue = mld_xml_attr(mld_xml_child(docdata, "date.issue"), "norm");
        uint64_t h = fnv1a(fnv1a(fnv1a(0xcbf29ce484222325ull, a->headline), "\n"), issue);
        struct mld_buf b;
        mld_buf_init(&b, MLD_MAX_ID_BYTES);
        mld_buf_printf(&b, "urn:meldung:nitf:%.64s:%016llx",
                       regsrc != NULL && regsrc[0] != '\0' ? regsrc : "nitf",
                       (unsigned long long)h);
        a->urn = mld_buf_steal(&b, NULL);
        mld_free(regsrc);
        mld_free(issue);
    } else {
        return fail(c, MLD_E_MISSING, "no doc-id id-string, no du-key and no headline");
    }
    char *v = mld_xml_attr(dukey, "version");
    int64_t version = mld_ingest_digits(v);
    mld_free(v);
    a->version = version >= 1 ? version : 1;
    return 0;
}

/* The latest readable revision-history@norm of head, or 0. */
static mld_time_t
last_revision(const xmlNode *head)
{
    mld_time_t last = 0, t;
    for (xmlNode *r = mld_xml_child(head, "revision-history"); r != NULL;
         r = mld_xml_next(r, "revision-history"))
        if (norm_time(r, &t) && t > last)
            last = t;
    return last;
}

/* Dates the document: docdata/date.issue, else the latest
 * head/revision-history (modified), else pubdata@date.publication,
 * dateline/story.date, docdata/date.release (created); a date that does
 * not parse is no date. None leaves 0 and MLD_DATE_SEEN. doc.copyright
 * gives a year only and is never used. */
static void
read_dates(struct ctx *c, const xmlNode *head, const xmlNode *docdata, struct mld_article *a)
{
    mld_time_t t;
    char *pub = mld_xml_attr(mld_xml_child(head, "pubdata"), "date.publication");
    bool pub_ok = pub != NULL && mld_time_parse_iso(pub, strlen(pub), &t) == 0;
    mld_time_t published = pub_ok ? t : 0;
    mld_free(pub);
    if (!(norm_time(mld_xml_child(docdata, "date.issue"), &t) &&
          mld_ingest_set_date(a, t, MLD_DATE_VERSION)) &&
        !mld_ingest_set_date(a, last_revision(head), MLD_DATE_MODIFIED) &&
        !mld_ingest_set_date(a, published, MLD_DATE_CREATED) &&
        !mld_ingest_set_date(a, c->story_date, MLD_DATE_CREATED) &&
        !(norm_time(mld_xml_child(docdata, "date.release"), &t) &&
          mld_ingest_set_date(a, t, MLD_DATE_CREATED)))
        a->date_source = MLD_DATE_SEEN;
}

/* Sets the hold reason of an advisory: NITF's tobject@tobject.type
 * "Advisory" (the NITF DTD's news object types are News, Data and
 * Advisory; an advisory is a note to editors). */
static void
read_hold(const xmlNode *head, struct mld_article *a)
{
    for (xmlNode *t = mld_xml_child(head, "tobject"); t != NULL && a->hold_reason == NULL;
         t = mld_xml_next(t, "tobject")) {
        char *type = mld_xml_attr(t, "tobject.type");
        if (type != NULL && strcasecmp(type, "advisory") == 0)
            a->hold_reason = mld_strdup("NITF-Objekttyp Advisory (Hinweis an Redaktionen)");
        mld_free(type);
    }
}

static int
read_status(struct ctx *c, const xmlNode *head, const xmlNode *docdata, struct mld_article *a)
{
    char *s = mld_xml_attr(docdata, "management-status");
    int rc = 0;
    bool embargoed = false;
    if (s == NULL || s[0] == '\0' || strcasecmp(s, "usable") == 0)
        a->pubstatus = MLD_PUB_USABLE;
    else if (strcasecmp(s, "withheld") == 0)
        a->pubstatus = MLD_PUB_WITHHELD;
    else if (strcasecmp(s, "canceled") == 0 || strcasecmp(s, "cancelled") == 0)
        a->pubstatus = MLD_PUB_CANCELED;
    else if (strcasecmp(s, "embargoed") == 0)
        embargoed = true;
    else
        rc = fail(c, MLD_E_PARSE, "docdata management-status: unknown value \"%.40s\"", s);
    mld_free(s);
    if (rc != 0)
        return rc;
    /* An embargo that cannot be read must not publish early. */
    if (embargoed && !norm_time(mld_xml_child(docdata, "date.release"), &a->embargo))
        return fail(c, MLD_E_PARSE, "management-status embargoed without a readable date.release");
    read_dates(c, head, docdata, a);
    a->updated = a->version_created;
    xmlNode *urg = mld_xml_child(docdata, "urgency");
    if (urg == NULL)
        urg = mld_xml_child(head, "urgency");
    char *u = mld_xml_attr(urg, "ed-urg");
    int64_t urgency = mld_ingest_digits(u);
    mld_free(u);
    a->urgency = urgency >= 1 && urgency <= 9 ? (int)urgency : 0;
    return 0;
}

/* "/infoline_rs/boulevard/kultur/" -> "weblines.infoline_rs.boulevard.kultur",
 * or NULL when fix is not a dpa rubric path (lower-case segments, the
 * first a dpa product line such as infoline_rs, sportsline, newsscreen). */
static char *
dpa_rubric(const char *fix)
{
    if (fix == NULL || fix[0] != '/')
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_ID_BYTES);
    mld_buf_puts(&b, "weblines");
    int segs = 0;
    for (const char *p = fix + 1; *p != '\0';) {
        size_t n = strcspn(p, "/");
        if (n == 0 || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
            goto fail_free;
        if (segs == 0) {
            static const char *const ends[] = {"line", "line_rs", "linegeo"};
            bool family = n == 10 && memcmp(p, "newsscreen", 10) == 0;
            for (size_t i = 0; i < 3 && !family; i++) {
                size_t en = strlen(ends[i]);
                family = n > en && memcmp(p + n - en, ends[i], en) == 0;
            }
            if (!family)
                goto fail_free;
        }
        mld_buf_putc(&b, '.');
        mld_buf_append(&b, p, n);
        segs++;
        p += n;
        if (*p == '/')
            p++;
    }
    if (segs == 0 || mld_buf_error(&b) != 0)
        goto fail_free;
    return mld_buf_steal(&b, NULL);

fail_free:
    mld_buf_dispose(&b);
    return NULL;
}

/* Adds "keyword:X" for each '/'-separated part of s, trimmed. */
static void
add_keywords(struct mld_article *a, const char *s)
{
    while (s != NULL && *s != '\0') {
        size_t n = strcspn(s, "/");
        const char *p = s;
        size_t m = n;
        while (m > 0 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++, m--;
        while (m > 0 &&
               (p[m - 1] == ' ' || p[m - 1] == '\t' || p[m - 1] == '\n' || p[m - 1] == '\r'))
            m--;
        if (m > 0)
            mld_ingest_add_category(a, "keyword:", p, m);
        s += n;
        if (*s == '/')
            s++;
    }
}

static void
read_categories(const xmlNode *head, const xmlNode *docdata, struct mld_article *a)
{
    for (xmlNode *t = mld_xml_child(head, "tobject"); t != NULL; t = mld_xml_next(t, "tobject"))
        for (xmlNode *s = mld_xml_child(t, "tobject.subject"); s != NULL;
             s = mld_xml_next(s, "tobject.subject")) {
            char *ref = mld_xml_attr(s, "tobject.subject.refnum");
            if (ref != NULL && strlen(ref) == 8 && strspn(ref, "0123456789") == 8)
                mld_ingest_add_category(a, "subject:subj:", ref, 8);
            mld_free(ref);
        }
    for (xmlNode *kl = mld_xml_child(docdata, "key-list"); kl != NULL;
         kl = mld_xml_next(kl, "key-list"))
        for (xmlNode *k = mld_xml_child(kl, "keyword"); k != NULL; k = mld_xml_next(k, "keyword")) {
            char *key = mld_xml_attr(k, "key");
            if (key == NULL)
                key = mld_xml_text(k);
            add_keywords(a, key);
            mld_free(key);
        }
    char *fix = mld_xml_attr(mld_xml_child(docdata, "fixture"), "fix-id");
    char *rubric = dpa_rubric(fix);
    if (rubric != NULL)
        mld_ingest_add_category(a, "rubric:", rubric, strlen(rubric));
    bool dpa =
        rubric != NULL || (a->urn != NULL && strncmp(a->urn, "urn:newsml:dpa.com:", 19) == 0);
    mld_free(fix);
    mld_free(rubric);
    /* dpa's doc-scope is the desk ("ku"); elsewhere it is a region or a
     * beat and says nothing about sections. */
    char *scope = mld_xml_attr(mld_xml_child(docdata, "doc-scope"), "scope");
    if (dpa && scope != NULL && strlen(scope) >= 2 && strlen(scope) <= 3 &&
        strspn(scope, "abcdefghijklmnopqrstuvwxyz") == strlen(scope))
        mld_ingest_add_category(a, "desk:", scope, strlen(scope));
    mld_free(scope);
}

/* Reads headline, kicker, teaser, byline, dateline and credit from the
 * heads. Changes the tree (drops parts that must not reach a field). */
static int
read_heads(struct ctx *c, const xmlNode *root, const xmlNode *head, xmlNode *bhead,
           struct mld_article *a)
{
    xmlNode *hedline = mld_xml_child(bhead, "hedline");
    int rc = mld_nitf_text(&c->at, mld_xml_child(hedline, "hl1"), "hl1", MLD_MAX_FIELD_BYTES,
                           &a->headline);
    if (rc == 0 && a->headline == NULL)
        rc = mld_nitf_text(&c->at, mld_xml_child(head, "title"), "title", MLD_MAX_FIELD_BYTES,
                           &a->headline);
    for (xmlNode *h = mld_xml_child(hedline, "hl2"); rc == 0 && h != NULL && a->kicker == NULL;
         h = mld_xml_next(h, "hl2")) {
        char *cls = mld_xml_attr(h, "class");
        if (cls != NULL && strcasecmp(cls, "ShortHeadLine") == 0)
            rc = mld_nitf_text(&c->at, h, "hl2", MLD_MAX_FIELD_BYTES, &a->kicker);
        mld_free(cls);
    }
    xmlNode *abstract = mld_xml_child(bhead, "abstract");
    drop_children(abstract, "media");
    if (rc == 0)
        rc = mld_nitf_text(&c->at, abstract, "abstract", MLD_MAX_FIELD_BYTES, &a->teaser);
    if (rc == 0)
        rc = mld_nitf_byline(&c->at, mld_xml_child(bhead, "byline"), &a->byline);
    xmlNode *dateline = mld_xml_child(bhead, "dateline");
    if (!norm_time(mld_xml_child(dateline, "story.date"), &c->story_date))
        c->story_date = 0;
    drop_children(dateline, "story.date");
    if (rc == 0)
        rc = mld_nitf_text(&c->at, dateline, "dateline", MLD_MAX_FIELD_BYTES, &a->dateline);
    if (rc == 0)
        rc = mld_nitf_text(&c->at, mld_xml_child(bhead, "distributor"), "distributor",
                           MLD_MAX_FIELD_BYTES, &a->credit);
    if (rc == 0) {
        a->lang = mld_xml_attr(root, "baselang");
        if (a->lang != NULL && (a->lang[0] == '\0' || strlen(a->lang) > 64)) {
            mld_free(a->lang);
            a->lang = NULL;
        }
    }
    return rc;
}

/* Maps the document below root to a new article in *out. */
static int
read_nitf(struct ctx *c, xmlNode *root, struct mld_article **out)
{
    *out = NULL;
    xmlNode *head = mld_xml_child(root, "head");
    xmlNode *docdata = mld_xml_child(head, "docdata");
    xmlNode *body = mld_xml_child(root, "body");
    xmlNode *bhead = mld_xml_child(body, "body.head");
    struct mld_article *a = mld_article_new();
    a->format = mld_strdup("nitf");
    int rc = read_heads(c, root, head, bhead, a);
    if (rc == 0)
        rc = read_identity(c, docdata, a);
    if (rc == 0)
        rc = read_status(c, head, docdata, a);
    if (rc != 0)
        goto fail_free;
    read_categories(head, docdata, a);
    read_hold(head, a);
    struct mld_err e = {0};
    char *html = mld_nitf_body_markup(mld_xml_child(body, "body.content"), a);
    rc = mld_nitf_set_body(a, html, &e);
    mld_free(html);
    if (rc != 0) {
        rc = fail(c, rc, "body.content: %s", e.msg);
        goto fail_free;
    }
    mld_ingest_hold_media_only(a);
    *out = a;
    return 0;

fail_free:
    mld_article_free(a);
    return rc;
}

/* dpa's NITF (generator service-wds) writes signed image URLs with a bare
 * '&' in attribute values, which makes the document not well-formed.
 * Returns a copy of doc in which every '&' that starts no reference
 * (outside comments and CDATA sections) reads "&amp;", with its length in
 * *out_len; or NULL when doc needs no repair (or the repair would pass
 * MLD_MAX_DOC_BYTES, which the parse then reports). */
static char *
repair_ampersands(const char *doc, size_t len, size_t *out_len)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    size_t done = 0; /* doc[0..done) is in b */
    bool repaired = false;
    for (size_t i = 0; i < len; i++) {
        const char *end = NULL;
        if (doc[i] == '<' && len - i >= 4 && memcmp(doc + i, "<!--", 4) == 0)
            end = "-->";
        else if (doc[i] == '<' && len - i >= 9 && memcmp(doc + i, "<![CDATA[", 9) == 0)
            end = "]]>";
        if (end != NULL) {
            const char *e = memmem(doc + i, len - i, end, 3);
            i = e != NULL ? (size_t)(e - doc) + 2 : len;
            continue;
        }
        if (doc[i] != '&' || mld_xml_ref_len(doc + i, len - i) > 0)
            continue;
        mld_buf_append(&b, doc + done, i - done);
        mld_buf_puts(&b, "&amp;");
        done = i + 1;
        repaired = true;
    }
    if (!repaired) {
        mld_buf_dispose(&b);
        return NULL;
    }
    mld_buf_append(&b, doc + done, len - done);
    if (mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, out_len);
}

static bool
nitf_sniff(const char *doc, size_t len)
{
    return mld_xml_sniff_root(doc, len, "nitf");
}

static int
nitf_parse(const char *doc, size_t len, const struct mld_source *src, mld_article_sink_fn sink,
           void *ud, struct mld_err *err)
{
    struct mld_err local = {0};
    struct ctx c = {
        .at = {src && src->name ? src->name : "(input)", NULL, 0, err != NULL ? err : &local}};
    struct mld_article *a = NULL;
    int rc;
    size_t fixed_len = 0;
    char *fixed = len <= MLD_MAX_DOC_BYTES ? repair_ampersands(doc, len, &fixed_len) : NULL;
    xmlDocPtr d = fixed != NULL ? mld_nitf_read_doc(fixed, fixed_len, src, &c.at)
                                : mld_nitf_read_doc(doc, len, src, &c.at);
    mld_free(fixed);
    if (d == NULL)
        return c.at.err->code != 0 ? c.at.err->code : MLD_E_PARSE;
    xmlNode *root = xmlDocGetRootElement(d);
    if (!mld_xml_is(root, NULL, "nitf")) {
        rc = fail(&c, MLD_E_PARSE, "not NITF: the root element is <%.64s>", mld_xml_name(root));
        goto out_free;
    }
    rc = read_nitf(&c, root, &a);
    if (rc != 0)
        goto out_free;
    rc = mld_ingest_hand_over(&c.at, sink, ud, a);
    a = NULL;
out_free:
    mld_article_free(a);
    xmlFreeDoc(d);
    return rc;
}

const struct mld_format mld_format_nitf = {
    .name = "nitf",
    .sniff = nitf_sniff,
    .parse = nitf_parse,
};
