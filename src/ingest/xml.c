/*
 * xml.c - safe libxml2 parsing and tree helpers (see xml.h).
 */
#include "xml.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"

/* No network, no DTD, no entity substitution from outside; parser
 * warnings go to the error record, not to stderr. Blank text is kept (no
 * XML_PARSE_NOBLANKS): in mixed content such as inline XHTML,
 * "<b>a</b> <i>b</i>" would otherwise lose its space and read "ab".
 * Huge mode lifts libxml2's own 10 MB cap on one text node, which it
 * enforced by stopping the parse without marking the document malformed:
 * a long body was stored cut or empty. meldung's limits apply instead:
 * the document's size (MLD_MAX_DOC_BYTES, checked before parsing), the
 * depth (MLD_MAX_DEPTH, after) and entity declarations (refused by every
 * caller, mld_xml_declares_entities; libxml2's amplification check does
 * not depend on this mode). */
#define XML_SAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
                          XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_HUGE)

/* Depth of the element tree below n (n itself counts 1); stops counting
 * past limit. Iterative, so a deep tree cannot exhaust the stack. */
static int
tree_depth(const xmlNode *root, int limit)
{
    int depth = 0, max = 0;
    const xmlNode *n = root;
    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE && depth + 1 > max) {
            max = depth + 1;
            if (max > limit)
                return max;
        }
        if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            depth++;
            continue;
        }
        while (n != NULL && n->next == NULL && n != root) {
            n = n->parent;
            depth--;
        }
        if (n == NULL || n == root)
            break;
        n = n->next;
    }
    return max;
}

xmlDocPtr
mld_xml_parse(const char *doc, size_t len, const char *encoding, const struct mld_source *src,
              struct mld_err *err)
{
    const char *name = src && src->name ? src->name : "(input)";
    if (len > MLD_MAX_DOC_BYTES || len > (size_t)0x7fffffff) {
        mld_err_set(err, MLD_E_TOOBIG, "%s: %zu bytes, more than the limit of %u", name, len,
                    (unsigned)MLD_MAX_DOC_BYTES);
        return NULL;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        mld_err_set(err, MLD_E_NOMEM, "%s: cannot create an XML parser", name);
        return NULL;
    }
    /* Never fetch or load anything the document points to. */
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    ctxt->replaceEntities = 0;
    xmlDocPtr d = xmlCtxtReadMemory(ctxt, doc, (int)len, src && src->url ? src->url : NULL,
                                    encoding,
                                    XML_SAFE_OPTIONS | (encoding ? XML_PARSE_IGNORE_ENC : 0));
    if (d == NULL || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        if (e != NULL && e->message != NULL) {
            char msg[256];
            snprintf(msg, sizeof(msg), "%s", e->message);
            size_t n = strlen(msg);
            while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                msg[--n] = '\0';
            mld_err_set(err, MLD_E_PARSE, "%s: line %d, column %d: %s", name, e->line,
                        e->int2, msg);
        } else {
            mld_err_set(err, MLD_E_PARSE, "%s: not well-formed XML", name);
        }
        xmlFreeDoc(d);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xmlNode *root = xmlDocGetRootElement(d);
    if (root == NULL) {
        xmlFreeDoc(d);
        mld_err_set(err, MLD_E_PARSE, "%s: no root element", name);
        return NULL;
    }
    if (tree_depth(root, MLD_MAX_DEPTH) > MLD_MAX_DEPTH) {
        xmlFreeDoc(d);
        mld_err_set(err, MLD_E_DEPTH, "%s: elements nested deeper than %d", name, MLD_MAX_DEPTH);
        return NULL;
    }
    return d;
}

const char *
mld_xml_name(const xmlNode *n)
{
    return n != NULL && n->name != NULL ? (const char *)n->name : "";
}

bool
mld_xml_is(const xmlNode *n, const char *ns, const char *local)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(mld_xml_name(n), local) != 0)
        return false;
    if (ns == NULL)
        return true;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNode *
find_from(xmlNode *n, const char *local)
{
    for (; n != NULL; n = n->next)
        if (mld_xml_is(n, NULL, local))
            return n;
    return NULL;
}

xmlNode *
mld_xml_child(const xmlNode *n, const char *local)
{
    return n != NULL ? find_from(n->children, local) : NULL;
}

xmlNode *
mld_xml_next(const xmlNode *child, const char *local)
{
    return child != NULL ? find_from(child->next, local) : NULL;
}

bool
mld_xml_has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

xmlNode *
mld_xml_path(const xmlNode *from, const char *path)
{
    char step[128];
    xmlNode *n = NULL;
    for (const xmlNode *at = from; at != NULL && *path != '\0'; at = n) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        if (len >= sizeof(step))
            return NULL;
        memcpy(step, path, len);
        step[len] = '\0';
        n = mld_xml_child(at, step);
        path += len + (slash ? 1 : 0);
    }
    return *path == '\0' ? n : NULL;
}

/* Copies s with whitespace runs folded and trimmed; NULL when empty. */
static char *
fold(const char *s)
{
    if (s == NULL)
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_FIELD_BYTES);
    int space = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = b.len > 0;
            continue;
        }
        if (space)
            mld_buf_putc(&b, ' ');
        space = 0;
        mld_buf_putc(&b, *s);
    }
    if (b.len == 0 || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, NULL);
}

char *
mld_xml_text(const xmlNode *n)
{
    if (n == NULL)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    char *r = fold((const char *)t);
    xmlFree(t);
    return r;
}

char *
mld_xml_attr(const xmlNode *n, const char *name)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (xmlAttr *a = n->properties; a != NULL; a = a->next) {
        if (a->name == NULL || strcmp((const char *)a->name, name) != 0)
            continue;
        xmlChar *v = xmlNodeGetContent((xmlNode *)a);
        char *r = v ? mld_strdup((const char *)v) : NULL;
        xmlFree(v);
        return r;
    }
    return NULL;
}

char *
mld_xml_inner(const xmlNode *n)
{
    if (n == NULL)
        return NULL;
    xmlBufferPtr xb = xmlBufferCreate();
    if (xb == NULL)
        return NULL;
    for (xmlNode *c = n->children; c != NULL; c = c->next)
        xmlNodeDump(xb, n->doc, c, 0, 0);
    char *r = xmlBufferLength(xb) > 0
                  ? mld_strndup((const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb))
                  : NULL;
    xmlBufferFree(xb);
    return r;
}

void
mld_xml_strip_ns(xmlNode *n)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE)
        return;
    n->ns = NULL;
    for (xmlAttr *a = n->properties; a != NULL; a = a->next)
        a->ns = NULL;
    /* Recursion is bounded: mld_xml_parse() refused trees deeper than
     * MLD_MAX_DEPTH. */
    for (xmlNode *c = n->children; c != NULL; c = c->next)
        mld_xml_strip_ns(c);
}

bool
mld_xml_declares_entities(const xmlDoc *d)
{
    if (d == NULL || d->intSubset == NULL)
        return false;
    for (const xmlNode *n = d->intSubset->children; n != NULL; n = n->next)
        if (n->type == XML_ENTITY_DECL)
            return true;
    return false;
}

/* How far into a document mld_xml_sniff_root() looks. */
#define SNIFF_BYTES 4096

/* Returns the offset just past the first occurrence of end in doc[i..n),
 * or n when there is none. */
static size_t
skip_past(const char *doc, size_t i, size_t n, const char *end)
{
    size_t el = strlen(end);
    const char *p = i < n ? memmem(doc + i, n - i, end, el) : NULL;
    return p != NULL ? (size_t)(p - doc) + el : n;
}

bool
mld_xml_sniff_root(const char *doc, size_t len, const char *local)
{
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, i = 0;
    if (n >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    for (;;) {
        while (i < n && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n'))
            i++;
        if (i + 1 >= n || doc[i] != '<')
            return false;
        if (doc[i + 1] == '?') {
            i = skip_past(doc, i + 2, n, "?>");
        } else if (n - i >= 4 && memcmp(doc + i, "<!--", 4) == 0) {
            i = skip_past(doc, i + 4, n, "-->");
        } else if (doc[i + 1] == '!') {
            /* A DOCTYPE: ends at the first '>' outside its [internal subset]
             * and outside quotes. */
            int bracket = 0;
            char quote = 0;
            for (i += 2; i < n; i++) {
                char ch = doc[i];
                if (quote != 0) {
                    quote = ch == quote ? 0 : quote;
                } else if (ch == '"' || ch == '\'') {
                    quote = ch;
                } else if (ch == '[') {
                    bracket++;
                } else if (ch == ']') {
                    bracket--;
                } else if (ch == '>' && bracket <= 0) {
                    i++;
                    break;
                }
            }
        } else {
            break;
        }
    }
    size_t start = ++i;
    while (i < n && doc[i] != '>' && doc[i] != '/' && doc[i] != ' ' && doc[i] != '\t' &&
           doc[i] != '\r' && doc[i] != '\n')
        i++;
    if (i >= n)
        return false; /* the name runs past what we may look at */
    const char *name = doc + start;
    size_t nlen = i - start;
    const char *colon = memchr(name, ':', nlen);
    if (colon != NULL) {
        nlen -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    return nlen == strlen(local) && memcmp(name, local, nlen) == 0;
}

/* XML's NameStartChar and NameChar, with every byte of a multi-byte UTF-8
 * character taken as one (the parser judges the rest). */
static bool
ref_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static bool
ref_name_char(unsigned char c)
{
    return ref_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

size_t
mld_xml_ref_len(const char *s, size_t n)
{
    if (n < 3 || s[0] != '&')
        return 0;
    size_t i = 1;
    if (s[i] == '#') {
        i++;
        bool hex = i < n && s[i] == 'x';
        if (hex)
            i++;
        size_t start = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') ||
                         (hex && ((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))))
            i++;
        return i > start && i < n && s[i] == ';' ? i + 1 : 0;
    }
    if (!ref_name_start((unsigned char)s[i]))
        return 0;
    while (i < n && ref_name_char((unsigned char)s[i]))
        i++;
    return i < n && s[i] == ';' ? i + 1 : 0;
}
