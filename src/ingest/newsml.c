/*
 * newsml.c - IPTC NewsML-G2 news items to articles (mld_format_newsml).
 *
 * A document is a newsItem, or a newsMessage whose itemSet holds several
 * items; each text item becomes one article handed to the sink. G2
 * elements are matched by local name in the document's G2 namespace
 * (http://iptc.org/std/nar/2006-10-01/ under any prefix: dpa writes it as
 * the default namespace, Reuters as ns0:), so an XHTML header or link in
 * the content is never taken for a G2 one. A document without any
 * namespace is read the same way. The document goes through
 * mld_xml_parse() (no network, no DTD loading, depth and size limits); a
 * document that declares entities is refused before anything is read.
 *
 * Per item:
 *
 *   @guid (required)                -> urn
 *   @version (absent = 1)           -> version (digits, >= 1)
 *   itemMeta/versionCreated         -> version_created
 *   newsMessage header/sent         -> updated (else versionCreated)
 *   itemMeta/pubStatus @qcode       -> pubstatus: stat:usable (or absent),
 *                                      stat:withheld, stat:canceled
 *   itemMeta/embargoed              -> embargo (empty = none)
 *   itemMeta/signal @qcode sig:*    -> signal (the first sig: one)
 *   contentMeta/urgency             -> urgency 1-9
 *   contentMeta/headline            -> headline: without role (or role
 *                                      *:main), lowest rank first; role
 *                                      *:kicker, and in dpa items (guid
 *                                      urn:newsml:dpa.com:...) an unroled
 *                                      headline of rank 3 -> kicker
 *   contentMeta/description role *:summary, *:teaser, *:abstract -> teaser
 *   contentMeta/by, creditline, dateline -> byline, credit, dateline
 *   contentMeta/language @tag, else @xml:lang of the item -> lang
 *   contentMeta/subject             -> geographic ones (type cpnat:geoArea,
 *                                      or a dpa geo alias dpacountry,
 *                                      dpaarea, dpacity, dpageo, ...) are
 *                                      topics by their name (xml:lang de
 *                                      first; no short/mnemonic names),
 *                                      in rank order; dpa desks (type
 *                                      dpatype:category or alias dpacat)
 *                                      are "desk:pl"; others
 *                                      "subject:<qcode>"
 *   contentMeta/genre, keyword      -> "genre:<qcode>", "keyword:<text>"
 *   contentSet                      -> body_html, see below
 *   remoteContent @href (http/s)    -> media, with @contenttype
 *   teaser + "\n" + body text       -> text
 *
 * The body comes from the first inlineXML: for XHTML the element with
 * class "main" inside body (dpa), else body without its header; paragraphs
 * of class "teaser" are taken out (the teaser is its own field, and fills
 * it when no description did). NITF inside inlineXML gives its
 * body.content (mld_nitf_body_html), and its hl1, abstract and byline
 * stand in for a missing headline, teaser and by. Prefixes are dropped, the markup is
 * serialised and goes through mld_sanitize_html(). Without inlineXML, the
 * first plain-text inlineData whose rendition is absent or a main text
 * rendition (*:text, *:body, *:original, *:web, *:print; never dpa's
 * notepad, public/nonpublic or headline renditions) is wrapped into <p>
 * paragraphs at blank lines (escaped); text that is itself an HTML
 * fragment (ANSA) goes to the sanitiser as HTML.
 *
 * Never read: edNote (dpa's notepad with its non-public contacts, any
 * editorial note), rightsInfo, assert, link, the other inlineData
 * renditions.
 *
 * Items that are not text (itemClass other than *:text: pictures, videos,
 * composites) and the other G2 items (packageItem, conceptItem,
 * knowledgeItem, planningItem, catalogItem, catalog) are skipped, as is a
 * document made only of them: that is not an error (nothing to publish),
 * and a debug line names each skipped item. The first bad text item stops
 * the parse; items before it have gone to the sink. Errors read
 * "source: item N: why".
 */
#include "ingest.h"

#include <libxml/tree.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "nitf.h"
#include "sanitize.h"
#include "xml.h"

/* The NewsML-G2 namespace (NAR, "news architecture"). */
#define G2_NS "http://iptc.org/std/nar/2006-10-01/"

/* What the parse of one document carries along. */
struct ctx {
    const char *source;  /* names the input in messages */
    const xmlChar *ns;   /* the document's G2 namespace, or NULL when it uses none */
    int item;            /* 1-based position of the item read; 0 outside items */
    mld_time_t sent;     /* header/sent of a newsMessage; 0 = none */
    struct mld_err *err; /* never NULL */
};

static int fail(struct ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets err to "source: item N: message" and returns code. */
static int
fail(struct ctx *c, int code, const char *fmt, ...)
{
    char msg[MLD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->item > 0)
        return mld_err_set(c->err, code, "%s: item %d: %s", c->source, c->item, msg);
    return mld_err_set(c->err, code, "%s: %s", c->source, msg);
}

/* True when n is the G2 element local of this document. */
static bool
is_g2(const struct ctx *c, const xmlNode *n, const char *local)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(mld_xml_name(n), local) != 0)
        return false;
    const xmlChar *href = n->ns != NULL ? n->ns->href : NULL;
    if (c->ns == NULL || href == NULL)
        return c->ns == NULL && href == NULL;
    return xmlStrEqual(href, c->ns);
}

/* The first G2 element local at n or after it among its siblings. */
static xmlNode *
g2_from(const struct ctx *c, xmlNode *n, const char *local)
{
    for (; n != NULL; n = n->next)
        if (is_g2(c, n, local))
            return n;
    return NULL;
}

static xmlNode *
g2_child(const struct ctx *c, const xmlNode *n, const char *local)
{
    return n != NULL ? g2_from(c, n->children, local) : NULL;
}

static xmlNode *
g2_next(const struct ctx *c, const xmlNode *n, const char *local)
{
    return g2_from(c, n->next, local);
}

/* The code of a QCode ("text" of "ninat:text"); all of q without alias. */
static const char *
qcode_code(const char *q)
{
    const char *colon = strchr(q, ':');
    return colon != NULL ? colon + 1 : q;
}

/* True when QCode q has alias alias ("dpacat" of "dpacat:pl"). */
static bool
qcode_alias_is(const char *q, const char *alias)
{
    size_t n = strlen(alias);
    return strncmp(q, alias, n) == 0 && q[n] == ':';
}

/* True when role (may be NULL) has one of the codes in the NULL-ended
 * list, ignoring case and alias. */
static bool
role_is(const char *role, const char *const *codes)
{
    if (role == NULL)
        return false;
    for (; *codes != NULL; codes++)
        if (strcasecmp(qcode_code(role), *codes) == 0)
            return true;
    return false;
}

/* True when the class attribute of n holds the word token, or, with
 * prefix set, a word starting with token. */
static bool
has_class(const xmlNode *n, const char *token, bool prefix)
{
    char *cls = mld_xml_attr(n, "class");
    bool found = false;
    size_t tn = strlen(token);
    for (const char *p = cls; p != NULL && *p != '\0' && !found;) {
        p += strspn(p, " \t\r\n");
        size_t wn = strcspn(p, " \t\r\n");
        found = wn > 0 && (prefix ? wn >= tn : wn == tn) && memcmp(p, token, tn) == 0;
        p += wn;
    }
    mld_free(cls);
    return found;
}

/* Reads the folded text of n into *out (NULL when n is NULL or holds no
 * text); MLD_E_TOOBIG naming field when the text is longer than max. */
static int
get_text(struct ctx *c, const xmlNode *n, const char *field, size_t max, char **out)
{
    *out = NULL;
    if (n == NULL)
        return 0;
    xmlChar *raw = xmlNodeGetContent(n);
    size_t len = raw != NULL ? strlen((const char *)raw) : 0;
    xmlFree(raw);
    if (len > max)
        return fail(c, MLD_E_TOOBIG, "%s: %zu bytes, more than %zu", field, len, max);
    *out = mld_xml_text(n);
    return 0;
}

/* Reads the timestamp in the text of n into *out (untouched when n is
 * absent or empty); MLD_E_PARSE naming field when it is not one. */
static int
get_time(struct ctx *c, const xmlNode *n, const char *field, mld_time_t *out)
{
    char *s;
    int rc = get_text(c, n, field, MLD_MAX_ID_BYTES, &s);
    if (rc == 0 && s != NULL && mld_time_parse_iso(s, strlen(s), out) != 0)
        rc = fail(c, MLD_E_PARSE, "%s: not a timestamp: \"%.40s\"", field, s);
    mld_free(s);
    return rc;
}

/* Returns the digits of s as a positive number, 0 when s is not one. */
static int64_t
positive(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 18 || s[strspn(s, "0123456789")] != '\0')
        return 0;
    return (int64_t)strtoll(s, NULL, 10);
}

/* Adds prefix + s to a's categories (nothing when longer than an id). */
static void
add_category(struct mld_article *a, const char *prefix, const char *s)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_ID_BYTES);
    mld_buf_puts(&b, prefix);
    mld_buf_puts(&b, s);
    if (mld_buf_error(&b) == 0)
        mld_article_add_category(a, b.p);
    mld_buf_dispose(&b);
}

static bool
is_web_url(const char *s)
{
    return s != NULL && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
}

/* Identity --------------------------------------------------------------- */

static int
read_identity(struct ctx *c, const xmlNode *item, struct mld_article *a)
{
    char *guid = mld_xml_attr(item, "guid");
    if (guid == NULL || guid[0] == '\0') {
        mld_free(guid);
        return fail(c, MLD_E_MISSING, "no guid");
    }
    if (strlen(guid) > MLD_MAX_ID_BYTES) {
        mld_free(guid);
        return fail(c, MLD_E_TOOBIG, "guid: longer than %d bytes", MLD_MAX_ID_BYTES);
    }
    a->urn = guid;
    char *v = mld_xml_attr(item, "version");
    a->version = v != NULL ? positive(v) : 1;
    int rc = 0;
    if (a->version < 1)
        rc = fail(c, MLD_E_PARSE, "version \"%.40s\": not a number of 1 or more", v);
    mld_free(v);
    return rc;
}

static int
read_status(struct ctx *c, const xmlNode *meta, struct mld_article *a)
{
    int rc =
        get_time(c, g2_child(c, meta, "versionCreated"), "versionCreated", &a->version_created);
    if (rc != 0)
        return rc;
    a->updated = c->sent != 0 ? c->sent : a->version_created;
    char *st = mld_xml_attr(g2_child(c, meta, "pubStatus"), "qcode");
    const char *code = st != NULL ? qcode_code(st) : NULL;
    if (code == NULL || code[0] == '\0' || strcmp(code, "usable") == 0)
        a->pubstatus = MLD_PUB_USABLE;
    else if (strcmp(code, "withheld") == 0)
        a->pubstatus = MLD_PUB_WITHHELD;
    else if (strcmp(code, "canceled") == 0 || strcmp(code, "cancelled") == 0)
        a->pubstatus = MLD_PUB_CANCELED;
    else
        rc = fail(c, MLD_E_PARSE, "pubStatus: unknown qcode \"%.40s\"", st);
    mld_free(st);
    /* An embargo that cannot be read is an error, never "no embargo". */
    if (rc == 0)
        rc = get_time(c, g2_child(c, meta, "embargoed"), "embargoed", &a->embargo);
    for (xmlNode *s = g2_child(c, meta, "signal"); rc == 0 && s != NULL && a->signal == NULL;
         s = g2_next(c, s, "signal")) {
        char *q = mld_xml_attr(s, "qcode");
        if (q != NULL && qcode_alias_is(q, "sig") && strlen(q) <= MLD_MAX_ID_BYTES)
            a->signal = q;
        else
            mld_free(q);
    }
    return rc;
}

/* Text fields ------------------------------------------------------------ */

static int
read_headlines(struct ctx *c, const xmlNode *cmeta, struct mld_article *a)
{
    static const char *const kicker_roles[] = {"kicker", "overline", NULL};
    static const char *const main_roles[] = {"main", NULL};
    bool dpa = strncmp(a->urn, "urn:newsml:dpa.com:", 19) == 0;
    char *main = NULL, *other = NULL;
    int64_t main_rank = INT64_MAX;
    int rc = 0;
    for (xmlNode *h = g2_child(c, cmeta, "headline"); rc == 0 && h != NULL;
         h = g2_next(c, h, "headline")) {
        char *t;
        if ((rc = get_text(c, h, "headline", MLD_MAX_FIELD_BYTES, &t)) != 0 || t == NULL)
            continue;
        char *role = mld_xml_attr(h, "role");
        char *r = mld_xml_attr(h, "rank");
        int64_t rank = r != NULL && positive(r) > 0 ? positive(r) : INT64_MAX;
        mld_free(r);
        char **dst = NULL;
        if (role_is(role, kicker_roles) || (dpa && role == NULL && rank == 3)) {
            dst = a->kicker == NULL ? &a->kicker : NULL;
        } else if (role == NULL || role_is(role, main_roles)) {
            if (main == NULL || rank < main_rank) {
                mld_free(main);
                main = t;
                t = NULL;
                main_rank = rank;
            }
        } else if (other == NULL) {
            dst = &other;
        }
        if (dst != NULL) {
            *dst = t;
            t = NULL;
        }
        mld_free(t);
        mld_free(role);
    }
    a->headline = main != NULL ? main : other;
    if (main != NULL)
        mld_free(other);
    return rc;
}

static int
read_texts(struct ctx *c, const xmlNode *item, const xmlNode *cmeta, struct mld_article *a)
{
    static const char *const teaser_roles[] = {"summary", "teaser", "abstract", NULL};
    char *u;
    int rc = get_text(c, g2_child(c, cmeta, "urgency"), "urgency", MLD_MAX_ID_BYTES, &u);
    int64_t urgency = positive(u);
    mld_free(u);
    a->urgency = urgency >= 1 && urgency <= 9 ? (int)urgency : 0;
    if (rc == 0)
        rc = read_headlines(c, cmeta, a);
    for (xmlNode *d = g2_child(c, cmeta, "description"); rc == 0 && d != NULL && a->teaser == NULL;
         d = g2_next(c, d, "description")) {
        char *role = mld_xml_attr(d, "role");
        if (role_is(role, teaser_roles))
            rc = get_text(c, d, "description", MLD_MAX_FIELD_BYTES, &a->teaser);
        mld_free(role);
    }
    if (rc == 0)
        rc = get_text(c, g2_child(c, cmeta, "by"), "by", MLD_MAX_FIELD_BYTES, &a->byline);
    if (rc == 0)
        rc = get_text(c, g2_child(c, cmeta, "creditline"), "creditline", MLD_MAX_FIELD_BYTES,
                      &a->credit);
    if (rc == 0)
        rc = get_text(c, g2_child(c, cmeta, "dateline"), "dateline", MLD_MAX_FIELD_BYTES,
                      &a->dateline);
    if (rc == 0) {
        a->lang = mld_xml_attr(g2_child(c, cmeta, "language"), "tag");
        if (a->lang == NULL || a->lang[0] == '\0') {
            mld_free(a->lang);
            a->lang = mld_xml_attr(item, "lang");
        }
        if (a->lang != NULL && (a->lang[0] == '\0' || strlen(a->lang) > 64)) {
            mld_free(a->lang);
            a->lang = NULL;
        }
    }
    return rc;
}

/* Subjects --------------------------------------------------------------- */

/* A geographic subject on its way to the topics. */
struct topic {
    char *name;
    int64_t rank; /* missing ranks sort last */
    int order;    /* position among the subjects, for a stable sort */
};

static int
cmp_topic(const void *pa, const void *pb)
{
    const struct topic *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The display name of a subject: a name without role or with role
 * display/full, German first, then one without language, then any. */
static char *
subject_name(const struct ctx *c, const xmlNode *s)
{
    static const char *const display[] = {"display", "full", NULL};
    const xmlNode *best = NULL;
    int best_score = 0;
    for (xmlNode *n = g2_child(c, s, "name"); n != NULL; n = g2_next(c, n, "name")) {
        char *role = mld_xml_attr(n, "role");
        char *lang = mld_xml_attr(n, "lang");
        int score = 0;
        if (role == NULL || role_is(role, display)) {
            if (lang != NULL && strncasecmp(lang, "de", 2) == 0 &&
                (lang[2] == '\0' || lang[2] == '-'))
                score = 3;
            else
                score = lang == NULL ? 2 : 1;
        }
        mld_free(role);
        mld_free(lang);
        if (score > best_score) {
            best = n;
            best_score = score;
        }
    }
    return mld_xml_text(best);
}

/* True for the QCodes of a place: IPTC's geoArea type, or one of dpa's
 * geographic vocabularies. */
static bool
is_geo(const char *qcode, const char *type)
{
    static const char *const aliases[] = {"dpacountry", "dpaarea",    "dpacity",
                                          "dpageo",     "dpasubarea", "dpageosbj"};
    if (type != NULL && strcmp(qcode_code(type), "geoArea") == 0)
        return true;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (qcode_alias_is(qcode, aliases[i]))
            return true;
    return false;
}

static int
read_subjects(struct ctx *c, const xmlNode *cmeta, struct mld_article *a)
{
    struct topic *topics = mld_calloc(MLD_MAX_CATEGORIES, sizeof(*topics));
    int ntopics = 0, order = 0;
    for (xmlNode *s = g2_child(c, cmeta, "subject"); s != NULL; s = g2_next(c, s, "subject")) {
        char *qcode = mld_xml_attr(s, "qcode");
        char *type = mld_xml_attr(s, "type");
        if (qcode != NULL && qcode[0] != '\0' && strlen(qcode) <= MLD_MAX_ID_BYTES) {
            if (is_geo(qcode, type)) {
                char *name = subject_name(c, s);
                char *r = mld_xml_attr(s, "rank");
                int64_t rank = positive(r) > 0 ? positive(r) : INT64_MAX;
                mld_free(r);
                if (name != NULL && ntopics < MLD_MAX_CATEGORIES)
                    topics[ntopics++] = (struct topic){name, rank, order};
                else
                    mld_free(name);
            } else if ((type != NULL && strcmp(type, "dpatype:category") == 0) ||
                       qcode_alias_is(qcode, "dpacat")) {
                add_category(a, "desk:", qcode_code(qcode));
            } else {
                add_category(a, "subject:", qcode);
            }
        }
        order++;
        mld_free(qcode);
        mld_free(type);
    }
    qsort(topics, (size_t)ntopics, sizeof(*topics), cmp_topic);
    for (int i = 0; i < ntopics; i++) {
        mld_article_add_topic(a, topics[i].name);
        mld_free(topics[i].name);
    }
    mld_free(topics);
    for (xmlNode *g = g2_child(c, cmeta, "genre"); g != NULL; g = g2_next(c, g, "genre")) {
        char *qcode = mld_xml_attr(g, "qcode");
        if (qcode != NULL && qcode[0] != '\0')
            add_category(a, "genre:", qcode);
        mld_free(qcode);
    }
    for (xmlNode *k = g2_child(c, cmeta, "keyword"); k != NULL; k = g2_next(c, k, "keyword")) {
        char *kw = mld_xml_text(k);
        if (kw != NULL)
            add_category(a, "keyword:", kw);
        mld_free(kw);
    }
    return 0;
}

/* Content ---------------------------------------------------------------- */

/* The first element child of n, or NULL. */
static xmlNode *
first_element(const xmlNode *n)
{
    for (xmlNode *k = n != NULL ? n->children : NULL; k != NULL; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return k;
    return NULL;
}

/* The first element at or below n (document order) with class "main".
 * Recursion is bounded by MLD_MAX_DEPTH, which mld_xml_parse() enforced. */
static xmlNode *
find_main(xmlNode *n)
{
    for (xmlNode *k = n->children; k != NULL; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (has_class(k, "main", false))
            return k;
        xmlNode *m = find_main(k);
        if (m != NULL)
            return m;
    }
    return NULL;
}

/* Takes out of the XHTML below n what is not body text: teaser
 * paragraphs (their text fills a->teaser when it is empty) and anything
 * of a notepad. */
static int
clean_xhtml(struct ctx *c, xmlNode *n, struct mld_article *a)
{
    xmlNode *next;
    int rc = 0;
    for (xmlNode *k = n->children; k != NULL && rc == 0; k = next) {
        next = k->next;
        if (k->type != XML_ELEMENT_NODE)
            continue;
        bool teaser = has_class(k, "teaser", false);
        if (teaser && a->teaser == NULL)
            rc = get_text(c, k, "teaser", MLD_MAX_FIELD_BYTES, &a->teaser);
        if (teaser || has_class(k, "notepad", false) || has_class(k, "np-", true)) {
            xmlUnlinkNode(k);
            xmlFreeNode(k);
            continue;
        }
        rc = clean_xhtml(c, k, a);
    }
    return rc;
}

/* Trims ASCII whitespace around s in place (the sanitiser keeps the
 * indentation between the blocks of pretty-printed XML); returns s. */
static char *
trim(char *s)
{
    if (s == NULL)
        return NULL;
    size_t lead = strspn(s, " \t\r\n"), n = strlen(s + lead);
    while (n > 0 && strchr(" \t\r\n", s[lead + n - 1]) != NULL)
        n--;
    memmove(s, s + lead, n);
    s[n] = '\0';
    return s;
}

/* Serialises the children of n (namespaces dropped) and sanitises them
 * into a->body_html; leaves it NULL when n holds no markup or text. */
static int
body_of(struct ctx *c, xmlNode *n, struct mld_article *a)
{
    mld_xml_strip_ns(n);
    char *inner = mld_xml_inner(n);
    if (inner == NULL || inner[strspn(inner, " \t\r\n")] == '\0') {
        mld_free(inner);
        return 0;
    }
    struct mld_err e = {0};
    a->body_html = trim(mld_sanitize_html(inner, strlen(inner), &e));
    mld_free(inner);
    if (a->body_html == NULL)
        return fail(c, e.code ? e.code : MLD_E_PARSE, "inlineXML: %s", e.msg);
    return 0;
}

static int
body_from_xml(struct ctx *c, xmlNode *xml, struct mld_article *a)
{
    xmlNode *first = first_element(xml);
    int rc;
    if (mld_xml_is(first, NULL, "nitf")) {
        xmlNode *bhead = mld_xml_path(first, "body/body.head");
        if (a->headline == NULL && (rc = get_text(c, mld_xml_path(bhead, "hedline/hl1"), "hl1",
                                                  MLD_MAX_FIELD_BYTES, &a->headline)) != 0)
            return rc;
        xmlNode *byline = mld_xml_child(bhead, "byline");
        if (a->byline == NULL && byline != NULL) {
            char *all;
            if ((rc = get_text(c, byline, "byline", MLD_MAX_FIELD_BYTES, &all)) != 0)
                return rc;
            /* "By A. Writer, <byttl>Staff Reporter</byttl>": the title is
             * not part of the name, unless it is all there is. */
            for (xmlNode *k = byline->children, *next; k != NULL; k = next) {
                next = k->next;
                if (mld_xml_is(k, NULL, "byttl")) {
                    xmlUnlinkNode(k);
                    xmlFreeNode(k);
                }
            }
            a->byline = mld_xml_text(byline);
            if (a->byline == NULL)
                a->byline = all;
            else
                mld_free(all);
        }
        xmlNode *abstract = mld_xml_child(bhead, "abstract");
        if (a->teaser == NULL && mld_xml_child(abstract, "media") == NULL &&
            (rc = get_text(c, abstract, "abstract", MLD_MAX_FIELD_BYTES, &a->teaser)) != 0)
            return rc;
        struct mld_err e = {0};
        a->body_html = mld_nitf_body_html(mld_xml_path(first, "body/body.content"), a, &e);
        if (a->body_html == NULL && e.code != 0)
            return fail(c, e.code, "NITF body.content: %s", e.msg);
        return 0;
    }
    xmlNode *root = xml;
    if (mld_xml_is(first, NULL, "html")) {
        root = mld_xml_child(first, "body");
        if (root == NULL)
            return 0;
    }
    xmlNode *main = find_main(root);
    if (main != NULL) {
        root = main;
    } else {
        /* dpa's header repeats slugline, time and headline. */
        xmlNode *next;
        for (xmlNode *k = root->children; k != NULL; k = next) {
            next = k->next;
            if (mld_xml_is(k, NULL, "header")) {
                xmlUnlinkNode(k);
                xmlFreeNode(k);
            }
        }
    }
    if ((rc = clean_xhtml(c, root, a)) != 0)
        return rc;
    return body_of(c, root, a);
}

/* True when inlineData n is the plain text of the item itself. */
static bool
is_main_text(const xmlNode *n)
{
    static const char *const mains[] = {"text", "body", "original", "web", "print", NULL};
    char *type = mld_xml_attr(n, "contenttype");
    char *rendition = mld_xml_attr(n, "rendition");
    bool ok = (type == NULL || strncasecmp(type, "text/plain", 10) == 0) &&
              (rendition == NULL || role_is(rendition, mains));
    mld_free(type);
    mld_free(rendition);
    return ok;
}

/* Plain text to <p> paragraphs, split at blank lines, escaped. */
static int
paragraphs(struct mld_buf *b, const char *s)
{
    bool open = false;
    while (*s != '\0') {
        size_t n = strcspn(s, "\n");
        size_t lead = strspn(s, " \t\r");
        if (lead >= n) {
            if (open)
                mld_buf_puts(b, "</p>");
            open = false;
        } else {
            size_t m = n;
            while (m > lead && (s[m - 1] == ' ' || s[m - 1] == '\t' || s[m - 1] == '\r'))
                m--;
            mld_buf_puts(b, open ? " " : "<p>");
            open = true;
            mld_buf_append_html(b, s + lead, m - lead);
        }
        s += n + (s[n] == '\n');
    }
    if (open)
        mld_buf_puts(b, "</p>");
    return mld_buf_error(b);
}

static int
body_from_data(struct ctx *c, const xmlNode *data, struct mld_article *a)
{
    xmlChar *raw = xmlNodeGetContent(data);
    const char *s = raw != NULL ? (const char *)raw : "";
    s += strspn(s, " \t\r\n");
    size_t len = strlen(s);
    while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
        len--;
    int rc = 0;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    if (len == 0)
        goto out_free;
    /* ANSA sends an HTML fragment as text/plain. */
    if (s[0] == '<' && s[len - 1] == '>')
        mld_buf_append(&b, s, len);
    else
        paragraphs(&b, s);
    if (mld_buf_error(&b) != 0) {
        rc = fail(c, MLD_E_TOOBIG, "inlineData: more than %u bytes", MLD_MAX_DOC_BYTES);
        goto out_free;
    }
    struct mld_err e = {0};
    a->body_html = trim(mld_sanitize_html(b.p, b.len, &e));
    if (a->body_html == NULL)
        rc = fail(c, e.code ? e.code : MLD_E_PARSE, "inlineData: %s", e.msg);
out_free:
    mld_buf_dispose(&b);
    xmlFree(raw);
    return rc;
}

static int
read_content(struct ctx *c, const xmlNode *cset, struct mld_article *a)
{
    xmlNode *xml = NULL, *data = NULL;
    for (xmlNode *n = cset != NULL ? cset->children : NULL; n != NULL; n = n->next) {
        if (is_g2(c, n, "inlineXML") && xml == NULL) {
            xml = n;
        } else if (is_g2(c, n, "inlineData") && data == NULL && is_main_text(n)) {
            data = n;
        } else if (is_g2(c, n, "remoteContent")) {
            char *href = mld_xml_attr(n, "href");
            char *type = mld_xml_attr(n, "contenttype");
            if (is_web_url(href) && strlen(href) <= MLD_MAX_FIELD_BYTES)
                mld_article_add_media(a, href, type, 0, NULL);
            mld_free(href);
            mld_free(type);
        }
    }
    int rc = 0;
    if (xml != NULL)
        rc = body_from_xml(c, xml, a);
    if (rc == 0 && a->body_html == NULL && data != NULL)
        rc = body_from_data(c, data, a);
    return rc;
}

/* Sets text: the teaser and the body's text, a newline between them,
 * either alone when the other is empty, NULL when both are. */
static int
set_text(struct ctx *c, struct mld_article *a)
{
    char *body_text = NULL;
    if (a->body_html != NULL) {
        struct mld_err e = {0};
        body_text = mld_html_to_text(a->body_html, strlen(a->body_html), &e);
        if (body_text == NULL)
            return fail(c, e.code ? e.code : MLD_E_PARSE, "body: %s", e.msg);
    }
    bool has_teaser = a->teaser != NULL && *a->teaser != '\0';
    bool has_body = body_text != NULL && *body_text != '\0';
    if (has_teaser && has_body) {
        size_t tn = strlen(a->teaser), bn = strlen(body_text);
        a->text = mld_malloc(tn + 1 + bn + 1);
        memcpy(a->text, a->teaser, tn);
        a->text[tn] = '\n';
        memcpy(a->text + tn + 1, body_text, bn + 1);
    } else if (has_teaser) {
        a->text = mld_strdup(a->teaser);
    } else if (has_body) {
        a->text = body_text;
        body_text = NULL;
    }
    mld_free(body_text);
    return 0;
}

/* Items ------------------------------------------------------------------ */

/* Maps one newsItem to a new article in *out; *out stays NULL when the
 * item is not text. */
static int
read_item(struct ctx *c, xmlNode *item, struct mld_article **out)
{
    *out = NULL;
    xmlNode *meta = g2_child(c, item, "itemMeta");
    char *cls = mld_xml_attr(g2_child(c, meta, "itemClass"), "qcode");
    if (cls != NULL && cls[0] != '\0' && strcmp(qcode_code(cls), "text") != 0) {
        mld_log_debug("%s: item %d: %.40s, not an article, skipped", c->source, c->item, cls);
        mld_free(cls);
        return 0;
    }
    mld_free(cls);
    struct mld_article *a = mld_article_new();
    a->format = mld_strdup("newsml-g2");
    xmlNode *cmeta = g2_child(c, item, "contentMeta");
    int rc = read_identity(c, item, a);
    if (rc == 0)
        rc = read_status(c, meta, a);
    if (rc == 0)
        rc = read_texts(c, item, cmeta, a);
    if (rc == 0)
        rc = read_subjects(c, cmeta, a);
    if (rc == 0)
        rc = read_content(c, g2_child(c, item, "contentSet"), a);
    if (rc == 0)
        rc = set_text(c, a);
    if (rc != 0) {
        mld_article_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Reads one newsItem and hands it to the sink. */
static int
hand_over(struct ctx *c, xmlNode *item, mld_article_sink_fn sink, void *ud)
{
    struct mld_article *a;
    int rc = read_item(c, item, &a);
    if (rc != 0 || a == NULL)
        return rc;
    rc = sink(ud, a);
    if (rc > 0)
        rc = 0;
    if (rc != 0 && c->err->code == 0)
        fail(c, rc, "stopped: %s", mld_strerror(rc));
    return rc;
}

/* True for the roots of G2 documents that carry no news text. */
static bool
is_other_item(const char *name)
{
    static const char *const others[] = {"packageItem",  "conceptItem", "knowledgeItem",
                                         "planningItem", "catalogItem", "catalog"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        if (strcmp(name, others[i]) == 0)
            return true;
    return false;
}

static bool
newsml_sniff(const char *doc, size_t len)
{
    return mld_xml_sniff_root(doc, len, "newsMessage") || mld_xml_sniff_root(doc, len, "newsItem");
}

static int
newsml_parse(const char *doc, size_t len, const struct mld_source *src, mld_article_sink_fn sink,
             void *ud, struct mld_err *err)
{
    struct mld_err local = {0};
    struct ctx c = {src && src->name ? src->name : "(input)", NULL, 0, 0,
                    err != NULL ? err : &local};
    int rc = 0;
    xmlDocPtr d = mld_xml_parse(doc, len, NULL, src, c.err);
    if (d == NULL)
        return c.err->code != 0 ? c.err->code : MLD_E_PARSE;
    xmlNode *root = xmlDocGetRootElement(d);
    if (mld_xml_declares_entities(d)) {
        rc = fail(&c, MLD_E_PARSE, "the DOCTYPE declares entities, which are not accepted");
        goto out_free;
    }
    if (root->ns != NULL && !xmlStrEqual(root->ns->href, BAD_CAST G2_NS)) {
        rc = fail(&c, MLD_E_PARSE, "not NewsML-G2: <%.64s> in namespace %.100s", mld_xml_name(root),
                  (const char *)root->ns->href);
        goto out_free;
    }
    c.ns = root->ns != NULL ? root->ns->href : NULL;
    if (is_g2(&c, root, "newsItem")) {
        c.item = 1;
        rc = hand_over(&c, root, sink, ud);
    } else if (is_g2(&c, root, "newsMessage")) {
        xmlNode *sent = g2_child(&c, g2_child(&c, root, "header"), "sent");
        if ((rc = get_time(&c, sent, "header/sent", &c.sent)) != 0)
            goto out_free;
        for (xmlNode *set = g2_child(&c, root, "itemSet"); set != NULL && rc == 0;
             set = g2_next(&c, set, "itemSet"))
            for (xmlNode *n = set->children; n != NULL && rc == 0; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                    continue;
                c.item++;
                if (is_g2(&c, n, "newsItem"))
                    rc = hand_over(&c, n, sink, ud);
                else
                    mld_log_debug("%s: item %d: <%.64s>, not an article, skipped", c.source, c.item,
                                  mld_xml_name(n));
            }
    } else if (is_other_item(mld_xml_name(root))) {
        mld_log_debug("%s: <%.64s>, not an article, skipped", c.source, mld_xml_name(root));
    } else {
        rc =
            fail(&c, MLD_E_PARSE, "not NewsML-G2: the root element is <%.64s>", mld_xml_name(root));
    }
out_free:
    xmlFreeDoc(d);
    return rc;
}

const struct mld_format mld_format_newsml = {
    .name = "newsml-g2",
    .sniff = newsml_sniff,
    .parse = newsml_parse,
};
