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
 *   itemMeta/versionCreated, else contentMeta/contentModified, else
 *   contentCreated, else itemMeta/firstCreated
 *                                   -> version_created, date_source (empty
 *                                      or unreadable = absent)
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
 *   remoteContent @href (http/s)    -> one media object, its sizes from
 *                                      @width/@height, the default and the
 *                                      rest as renditions
 *   itemMeta/link to a picture      -> media (title as alt)
 *   genre dpatextgenre:27/32, item pubconstraint nonpublic/internal
 *                                   -> hold_reason
 *   teaser + "\n" + body text       -> text
 *
 * The body comes from the first inlineXML: for XHTML the element with
 * class "main" inside body (dpa), else body without its header; paragraphs
 * of class "teaser" are taken out (the teaser is its own field, and fills
 * it when no description did). NITF inside inlineXML gives its
 * body.content (mld_nitf_body_markup), and its hl1, abstract and byline
 * stand in for a missing headline, teaser and by. Prefixes are dropped, the markup is
 * serialised and goes through the sanitiser (mld_nitf_set_body), whose one
 * parse also gives the body's text. Without inlineXML, the
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
 * Picture, graphic, audio and video items become articles holding their
 * media (caption, creditline, headline as alt) with a hold reason
 * ("Bildmeldung ohne Text", ...). Other non-text items (composites) and
 * the other G2 items (packageItem, conceptItem,
 * knowledgeItem, planningItem, catalogItem, catalog) are skipped, as is a
 * document made only of them: that is not an error (nothing to publish),
 * and a debug line names each skipped item. The first bad text item stops
 * the parse; items before it have gone to the sink. Errors read
 * "source: item N: why".
 */
#include "ingest.h"

#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "feed.h"
#include "nitf.h"
#include "xml.h"

/* The NewsML-G2 namespace (NAR, "news architecture"). */
#define G2_NS "http://iptc.org/std/nar/2006-10-01/"

/* What the parse of one document carries along. */
struct ctx {
    struct mld_ingest_at at; /* the source and the item read (unit "item"); err never NULL */
    const xmlChar *ns;       /* the document's G2 namespace, or NULL when it uses none */
    mld_time_t sent;         /* header/sent of a newsMessage; 0 = none */
    const char *base;        /* where the document was fetched (http/s), for relative
                                hrefs (a photo's binary beside it); or NULL */
};

/* Sets err to "source: item N: message" (outside items "source:
 * message") and returns code. */
#define fail(c, ...) mld_ingest_fail(&(c)->at, __VA_ARGS__)

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

/* Reads the timestamp in the text of n into *out (untouched when n is
 * absent or empty); MLD_E_PARSE naming field when it is not one. */
static int
get_time(struct ctx *c, const xmlNode *n, const char *field, mld_time_t *out)
{
    char *s;
    int rc = mld_nitf_text(&c->at, n, field, MLD_MAX_ID_BYTES, &s);
    if (rc == 0 && s != NULL && mld_time_parse_iso(s, strlen(s), out) != 0)
        rc = fail(c, MLD_E_PARSE, "%s: not a timestamp: \"%.40s\"", field, s);
    mld_free(s);
    return rc;
}

/* Reads the date in the text of n into *out: 0 when n is absent or empty,
 * or when its text is not a timestamp (no date: the caller falls through
 * its date chain; a debug line names the field). */
static int
get_date(struct ctx *c, const xmlNode *n, const char *field, mld_time_t *out)
{
    char *s;
    *out = 0;
    int rc = mld_nitf_text(&c->at, n, field, MLD_MAX_ID_BYTES, &s);
    if (rc == 0 && s != NULL && mld_time_parse_iso(s, strlen(s), out) != 0) {
        mld_log_debug("%s: item %d: %s: not a timestamp: \"%.40s\", ignored (item 0: the "
                      "message header)",
                      c->at.source, c->at.n, field, s);
        *out = 0;
    }
    mld_free(s);
    return rc;
}

/* Dates the item: itemMeta/versionCreated, else contentMeta/
 * contentModified, else contentMeta/contentCreated, else itemMeta/
 * firstCreated; a->date_source says which, MLD_DATE_SEEN when none. */
static int
read_dates(struct ctx *c, const xmlNode *meta, const xmlNode *cmeta, struct mld_article *a)
{
    static const struct {
        bool content; /* in contentMeta, else itemMeta */
        const char *name;
        enum mld_date_source source;
    } chain[] = {
        {false, "versionCreated", MLD_DATE_VERSION},
        {true, "contentModified", MLD_DATE_MODIFIED},
        {true, "contentCreated", MLD_DATE_CREATED},
        {false, "firstCreated", MLD_DATE_CREATED},
    };
    a->date_source = MLD_DATE_SEEN;
    for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
        mld_time_t t;
        int rc = get_date(c, g2_child(c, chain[i].content ? cmeta : meta, chain[i].name),
                          chain[i].name, &t);
        if (rc != 0)
            return rc;
        if (mld_ingest_set_date(a, t, chain[i].source))
            break;
    }
    return 0;
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
    a->version = v != NULL ? mld_ingest_digits(v) : 1;
    int rc = 0;
    if (a->version < 1)
        rc = fail(c, MLD_E_PARSE, "version \"%.40s\": not a number of 1 or more", v);
    mld_free(v);
    return rc;
}

static int
read_status(struct ctx *c, const xmlNode *meta, const xmlNode *cmeta, struct mld_article *a)
{
    int rc = read_dates(c, meta, cmeta, a);
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
        if ((rc = mld_nitf_text(&c->at, h, "headline", MLD_MAX_FIELD_BYTES, &t)) != 0 || t == NULL)
            continue;
        char *role = mld_xml_attr(h, "role");
        char *r = mld_xml_attr(h, "rank");
        int64_t rank = r != NULL && mld_ingest_digits(r) > 0 ? mld_ingest_digits(r) : INT64_MAX;
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
    int rc = mld_nitf_text(&c->at, g2_child(c, cmeta, "urgency"), "urgency", MLD_MAX_ID_BYTES, &u);
    int64_t urgency = mld_ingest_digits(u);
    mld_free(u);
    a->urgency = urgency >= 1 && urgency <= 9 ? (int)urgency : 0;
    if (rc == 0)
        rc = read_headlines(c, cmeta, a);
    for (xmlNode *d = g2_child(c, cmeta, "description"); rc == 0 && d != NULL && a->teaser == NULL;
         d = g2_next(c, d, "description")) {
        char *role = mld_xml_attr(d, "role");
        if (role_is(role, teaser_roles))
            rc = mld_nitf_text(&c->at, d, "description", MLD_MAX_FIELD_BYTES, &a->teaser);
        mld_free(role);
    }
    if (rc == 0)
        rc = mld_nitf_text(&c->at, g2_child(c, cmeta, "by"), "by", MLD_MAX_FIELD_BYTES, &a->byline);
    if (rc == 0)
        rc = mld_nitf_text(&c->at, g2_child(c, cmeta, "creditline"), "creditline",
                           MLD_MAX_FIELD_BYTES, &a->credit);
    if (rc == 0)
        rc = mld_nitf_text(&c->at, g2_child(c, cmeta, "dateline"), "dateline", MLD_MAX_FIELD_BYTES,
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
    struct mld_ingest_topic *topics = mld_calloc(MLD_MAX_CATEGORIES, sizeof(*topics));
    size_t ntopics = 0, order = 0;
    for (xmlNode *s = g2_child(c, cmeta, "subject"); s != NULL; s = g2_next(c, s, "subject")) {
        char *qcode = mld_xml_attr(s, "qcode");
        char *type = mld_xml_attr(s, "type");
        if (qcode != NULL && qcode[0] != '\0' && strlen(qcode) <= MLD_MAX_ID_BYTES) {
            if (is_geo(qcode, type)) {
                char *name = subject_name(c, s);
                char *r = mld_xml_attr(s, "rank");
                int64_t rank = mld_ingest_digits(r) > 0 ? mld_ingest_digits(r) : INT64_MAX;
                mld_free(r);
                if (name != NULL && ntopics < MLD_MAX_CATEGORIES)
                    topics[ntopics++] = (struct mld_ingest_topic){name, rank, order};
                else
                    mld_free(name);
            } else if ((type != NULL && strcmp(type, "dpatype:category") == 0) ||
                       qcode_alias_is(qcode, "dpacat")) {
                const char *desk = qcode_code(qcode);
                mld_ingest_add_category(a, "desk:", desk, strlen(desk));
            } else {
                mld_ingest_add_category(a, "subject:", qcode, strlen(qcode));
            }
        }
        order++;
        mld_free(qcode);
        mld_free(type);
    }
    mld_ingest_add_topics(a, topics, ntopics);
    mld_free(topics);
    for (xmlNode *g = g2_child(c, cmeta, "genre"); g != NULL; g = g2_next(c, g, "genre")) {
        char *qcode = mld_xml_attr(g, "qcode");
        const char *why = qcode != NULL ? mld_ingest_genre_hold(qcode, NULL) : NULL;
        if (why != NULL && a->hold_reason == NULL)
            a->hold_reason = mld_strdup(why);
        if (qcode != NULL && qcode[0] != '\0')
            mld_ingest_add_category(a, "genre:", qcode, strlen(qcode));
        mld_free(qcode);
    }
    for (xmlNode *k = g2_child(c, cmeta, "keyword"); k != NULL; k = g2_next(c, k, "keyword")) {
        char *kw = mld_xml_text(k);
        if (kw != NULL)
            mld_ingest_add_category(a, "keyword:", kw, strlen(kw));
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
            rc = mld_nitf_text(&c->at, k, "teaser", MLD_MAX_FIELD_BYTES, &a->teaser);
        if (teaser || has_class(k, "notepad", false) || has_class(k, "np-", true)) {
            xmlUnlinkNode(k);
            xmlFreeNode(k);
            continue;
        }
        rc = clean_xhtml(c, k, a);
    }
    return rc;
}

/* Reads inlineXML: headline, byline and teaser when the item lacks them
 * (NITF), teaser paragraphs (XHTML), and in *html the markup of the body,
 * NULL when there is none; *where names it for messages. */
static int
markup_from_xml(struct ctx *c, xmlNode *xml, struct mld_article *a, char **html, const char **where)
{
    xmlNode *first = first_element(xml);
    int rc;
    *html = NULL;
    if (mld_xml_is(first, NULL, "nitf")) {
        xmlNode *bhead = mld_xml_path(first, "body/body.head");
        if (a->headline == NULL &&
            (rc = mld_nitf_text(&c->at, mld_xml_path(bhead, "hedline/hl1"), "hl1",
                                MLD_MAX_FIELD_BYTES, &a->headline)) != 0)
            return rc;
        if (a->byline == NULL &&
            (rc = mld_nitf_byline(&c->at, mld_xml_child(bhead, "byline"), &a->byline)) != 0)
            return rc;
        xmlNode *abstract = mld_xml_child(bhead, "abstract");
        if (a->teaser == NULL && mld_xml_child(abstract, "media") == NULL &&
            (rc = mld_nitf_text(&c->at, abstract, "abstract", MLD_MAX_FIELD_BYTES, &a->teaser)) !=
                0)
            return rc;
        *html = mld_nitf_body_markup(mld_xml_path(first, "body/body.content"), a);
        *where = "NITF body.content";
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
    *html = mld_nitf_inner(root);
    *where = "inlineXML";
    return 0;
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

/* Reads the plain text of inlineData into *html as the markup of the
 * body (NULL when it is empty). */
static int
markup_from_data(struct ctx *c, const xmlNode *data, char **html)
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
    *html = NULL;
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
    *html = mld_buf_steal(&b, NULL);
out_free:
    mld_buf_dispose(&b);
    xmlFree(raw);
    return rc;
}

/* A number attribute of n (width, height): its digits, 0 when absent or
 * not a plain number of pixels. */
static int
pixels(const xmlNode *n, const char *name)
{
    char *v = mld_xml_attr(n, name);
    int64_t px = mld_ingest_digits(v);
    mld_free(v);
    return px > 0 && px < 1000000 ? (int)px : 0;
}

/* The remoteContent renditions of a contentSet, gathered into one media
 * object (in G2 they are renditions of one and the same content); r
 * borrows the strings in urls and types, which the struct owns. */
struct remotes {
    struct mld_ingest_rendition r[MLD_MAX_RENDITIONS];
    char *urls[MLD_MAX_RENDITIONS], *types[MLD_MAX_RENDITIONS];
    size_t n;
};

/* The href attribute of n as an absolute URL: resolved against the
 * document's own URL when relative and there is one; NULL when absent. */
static char *
absolute_href(const struct ctx *c, const xmlNode *n)
{
    char *href = mld_xml_attr(n, "href");
    if (href == NULL || c->base == NULL || mld_ingest_is_web_url(href))
        return href;
    char *abs = mld_feed_resolve_url(c->base, href);
    mld_free(href);
    return abs;
}

static void
remotes_add(const struct ctx *c, struct remotes *rs, const xmlNode *n)
{
    char *href = absolute_href(c, n);
    if (rs->n >= MLD_MAX_RENDITIONS || !mld_ingest_is_web_url(href)) {
        mld_free(href);
        return;
    }
    rs->urls[rs->n] = href;
    rs->types[rs->n] = mld_xml_attr(n, "contenttype");
    rs->r[rs->n] = (struct mld_ingest_rendition){href, rs->types[rs->n], pixels(n, "width"),
                                                 pixels(n, "height")};
    rs->n++;
}

static void
remotes_dispose(struct remotes *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        mld_free(rs->urls[i]);
        mld_free(rs->types[i]);
    }
    rs->n = 0;
}

/* Adds the pictures an item links to (itemMeta/link whose itemClass is
 * a picture or graphic, or whose contenttype is an image: dpa links the
 * pictures of a text this way) as media; the link's title, in dpa's
 * items the picture's headline, is their alternative text. */
static void
read_links(struct ctx *c, const xmlNode *meta, struct mld_article *a)
{
    for (xmlNode *l = g2_child(c, meta, "link"); l != NULL; l = g2_next(c, l, "link")) {
        char *cls = mld_xml_attr(g2_child(c, l, "itemClass"), "qcode");
        char *type = mld_xml_attr(l, "contenttype");
        bool picture = (cls != NULL && (strcmp(qcode_code(cls), "picture") == 0 ||
                                        strcmp(qcode_code(cls), "graphic") == 0)) ||
                       (type != NULL && strncasecmp(type, "image/", 6) == 0);
        char *href = picture ? absolute_href(c, l) : NULL;
        struct mld_ingest_rendition r = {href, type, pixels(l, "width"), pixels(l, "height")};
        struct mld_media *m = picture ? mld_ingest_add_renditions(a, &r, 1, NULL) : NULL;
        if (m != NULL) {
            m->kind = MLD_MEDIA_PICTURE;
            m->alt = mld_xml_text(g2_child(c, l, "title"));
        }
        mld_free(href);
        mld_free(type);
        mld_free(cls);
    }
}

/* Reads the contentSet: media, and the body (from the first inlineXML,
 * else the main inlineData) with the text for search. */
static int
read_content(struct ctx *c, const xmlNode *cset, struct mld_article *a)
{
    xmlNode *xml = NULL, *data = NULL;
    struct remotes rs = {.n = 0};
    for (xmlNode *n = cset != NULL ? cset->children : NULL; n != NULL; n = n->next) {
        if (is_g2(c, n, "inlineXML") && xml == NULL)
            xml = n;
        else if (is_g2(c, n, "inlineData") && data == NULL && is_main_text(n))
            data = n;
        else if (is_g2(c, n, "remoteContent"))
            remotes_add(c, &rs, n);
    }
    mld_ingest_add_renditions(a, rs.r, rs.n, NULL);
    remotes_dispose(&rs);
    char *html = NULL;
    const char *where = "inlineXML";
    int rc = 0;
    if (xml != NULL)
        rc = markup_from_xml(c, xml, a, &html, &where);
    if (rc == 0 && html == NULL && data != NULL) {
        rc = markup_from_data(c, data, &html);
        where = "inlineData";
    }
    if (rc == 0) {
        struct mld_err e = {0};
        rc = mld_nitf_set_body(a, html, &e);
        if (rc != 0)
            rc = fail(c, rc, "%s: %s", where, e.msg);
    }
    mld_free(html);
    return rc;
}

/* Items ------------------------------------------------------------------ */

/* The kind of media an item of class cls is (picture, graphic, audio,
 * video), -1 for text (also when cls is absent), -2 for anything else. */
static int
item_kind(const char *cls)
{
    if (cls == NULL || cls[0] == '\0' || strcmp(qcode_code(cls), "text") == 0)
        return -1;
    const char *code = qcode_code(cls);
    if (strcmp(code, "picture") == 0 || strcmp(code, "graphic") == 0)
        return MLD_MEDIA_PICTURE;
    if (strcmp(code, "audio") == 0)
        return MLD_MEDIA_AUDIO;
    if (strcmp(code, "video") == 0)
        return MLD_MEDIA_VIDEO;
    return -2;
}

/* The pubconstraint codes that withhold a whole item when they sit on the
 * item, its itemMeta, contentMeta or contentSet (on an edNote they only
 * withhold that note, which is never read anyway). */
static const char *
nonpublic_constraint(const struct ctx *c, const xmlNode *item)
{
    static const char *const codes[] = {"dpapconstraint:nonpublic", "audience:internal"};
    const xmlNode *where[] = {item, g2_child(c, item, "itemMeta"), g2_child(c, item, "contentMeta"),
                              g2_child(c, item, "contentSet")};
    for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        char *pc = mld_xml_attr(where[i], "pubconstraint");
        for (size_t k = 0; pc != NULL && k < sizeof(codes) / sizeof(codes[0]); k++) {
            const char *hit = strstr(pc, codes[k]);
            size_t n = strlen(codes[k]);
            if (hit != NULL && (hit == pc || hit[-1] == ' ') && (hit[n] == '\0' || hit[n] == ' ')) {
                mld_free(pc);
                return codes[k];
            }
        }
        mld_free(pc);
    }
    return NULL;
}

/* Fills the one media object of a picture, audio or video item: kind,
 * caption (a description of role caption, else any description), credit
 * (creditline) and alternative text (the headline). */
static void
finish_media_item(struct ctx *c, const xmlNode *cmeta, struct mld_article *a, int kind)
{
    if (a->nmedia == 0)
        return;
    struct mld_media *m = &a->media[0];
    m->kind = (enum mld_media_kind)kind;
    xmlNode *cap = NULL;
    for (xmlNode *d = g2_child(c, cmeta, "description"); d != NULL && cap == NULL;
         d = g2_next(c, d, "description")) {
        char *role = mld_xml_attr(d, "role");
        if (role != NULL && strcasecmp(qcode_code(role), "caption") == 0)
            cap = d;
        mld_free(role);
    }
    if (cap == NULL)
        cap = g2_child(c, cmeta, "description");
    if (m->caption == NULL)
        m->caption = mld_xml_text(cap);
    if (m->credit == NULL && a->credit != NULL)
        m->credit = mld_strdup(a->credit);
    if (m->alt == NULL && a->headline != NULL)
        m->alt = mld_strdup(a->headline);
}

/* Maps one newsItem to a new article in *out; *out stays NULL when the
 * item is neither text nor a picture, audio or video. */
static int
read_item(struct ctx *c, xmlNode *item, struct mld_article **out)
{
    *out = NULL;
    xmlNode *meta = g2_child(c, item, "itemMeta");
    char *cls = mld_xml_attr(g2_child(c, meta, "itemClass"), "qcode");
    int kind = item_kind(cls);
    if (kind == -2) {
        mld_log_debug("%s: item %d: %.40s, not an article, skipped", c->at.source, c->at.n, cls);
        mld_free(cls);
        return 0;
    }
    mld_free(cls);
    struct mld_article *a = mld_article_new();
    a->format = mld_strdup("newsml-g2");
    xmlNode *cmeta = g2_child(c, item, "contentMeta");
    int rc = read_identity(c, item, a);
    if (rc == 0)
        rc = read_status(c, meta, cmeta, a);
    if (rc == 0)
        rc = read_texts(c, item, cmeta, a);
    if (rc == 0)
        rc = read_subjects(c, cmeta, a);
    if (rc == 0)
        rc = read_content(c, g2_child(c, item, "contentSet"), a);
    if (rc == 0 && kind >= 0) {
        /* Not an article: stored with its media, held for the operator. */
        finish_media_item(c, cmeta, a, kind);
        mld_free(a->hold_reason);
        a->hold_reason = mld_strdup(mld_ingest_media_only_reason((enum mld_media_kind)kind));
    } else if (rc == 0) {
        read_links(c, meta, a);
        mld_ingest_hold_media_only(a);
    }
    const char *constraint = rc == 0 ? nonpublic_constraint(c, item) : NULL;
    if (constraint != NULL && a->hold_reason == NULL) {
        struct mld_buf b;
        mld_buf_init(&b, 256);
        mld_buf_printf(&b, "NewsML-G2 pubconstraint %s (nicht zur Veröffentlichung)", constraint);
        a->hold_reason = mld_buf_steal(&b, NULL);
    }
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
    return mld_ingest_hand_over(&c->at, sink, ud, a);
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
    struct ctx c = {
        .at = {src && src->name ? src->name : "(input)", "item", 0, err != NULL ? err : &local},
        .base = src != NULL && mld_ingest_is_web_url(src->url) ? src->url : NULL};
    int rc = 0;
    xmlDocPtr d = mld_nitf_read_doc(doc, len, src, &c.at);
    if (d == NULL)
        return c.at.err->code != 0 ? c.at.err->code : MLD_E_PARSE;
    xmlNode *root = xmlDocGetRootElement(d);
    if (root->ns != NULL && !xmlStrEqual(root->ns->href, BAD_CAST G2_NS)) {
        rc = fail(&c, MLD_E_PARSE, "not NewsML-G2: <%.64s> in namespace %.100s", mld_xml_name(root),
                  (const char *)root->ns->href);
        goto out_free;
    }
    c.ns = root->ns != NULL ? root->ns->href : NULL;
    if (is_g2(&c, root, "newsItem")) {
        c.at.n = 1;
        rc = hand_over(&c, root, sink, ud);
    } else if (is_g2(&c, root, "newsMessage")) {
        xmlNode *sent = g2_child(&c, g2_child(&c, root, "header"), "sent");
        if ((rc = get_date(&c, sent, "header/sent", &c.sent)) != 0)
            goto out_free;
        if (!mld_ingest_is_date(c.sent))
            c.sent = 0;
        for (xmlNode *set = g2_child(&c, root, "itemSet"); set != NULL && rc == 0;
             set = g2_next(&c, set, "itemSet"))
            for (xmlNode *n = set->children; n != NULL && rc == 0; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                    continue;
                c.at.n++;
                if (is_g2(&c, n, "newsItem"))
                    rc = hand_over(&c, n, sink, ud);
                else
                    mld_log_debug("%s: item %d: <%.64s>, not an article, skipped", c.at.source,
                                  c.at.n, mld_xml_name(n));
            }
    } else if (is_other_item(mld_xml_name(root))) {
        mld_log_debug("%s: <%.64s>, not an article, skipped", c.at.source, mld_xml_name(root));
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
