/*
 * xml.h - reading untrusted XML with libxml2, safely, and walking it.
 *
 * Every XML format (NewsML-G2, NITF, RSS, Atom) parses through
 * mld_xml_parse(): no network access, no DTD loading, no external
 * entities, entity expansion bounded by libxml2's own amplification
 * checks (XML_PARSE_HUGE stays off), document size and nesting depth
 * bounded by limits.h. Errors name the source, line and column.
 *
 * The walking helpers match elements by local name, ignoring namespace
 * prefixes (NewsML-G2 arrives with default namespaces and with ns0:), or
 * by namespace URI where two vocabularies share names.
 */
#ifndef MLD_XML_H
#define MLD_XML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"
#include "ingest.h"

/* Parses doc[0..len). encoding, when not NULL, overrides what the
 * document declares (a charset from HTTP, or a fallback such as
 * "windows-1252" for undeclared Latin bytes). Returns the tree (free with
 * xmlFreeDoc) or NULL with err set: MLD_E_TOOBIG, MLD_E_DEPTH, or
 * MLD_E_PARSE "name: line L, column C: reason". */
xmlDocPtr mld_xml_parse(const char *doc, size_t len, const char *encoding,
                        const struct mld_source *src, struct mld_err *err);

/* The local name of element n ("newsItem" for ns0:newsItem). */
const char *mld_xml_name(const xmlNode *n);

/* True when n is an element with local name local, and, when ns is not
 * NULL, in namespace ns. */
bool mld_xml_is(const xmlNode *n, const char *ns, const char *local);

/* The first element child of n with local name local (any namespace), or
 * NULL. mld_xml_next() continues after child with the same name. */
xmlNode *mld_xml_child(const xmlNode *n, const char *local);
xmlNode *mld_xml_next(const xmlNode *child, const char *local);

/* True when n has an element among its children (any name). */
bool mld_xml_has_element_child(const xmlNode *n);

/* Follows a non-empty path of local names ("contentMeta/headline"): the
 * first match at each step, or NULL. */
xmlNode *mld_xml_path(const xmlNode *n, const char *path);

/* The text content of n with whitespace runs folded to one space and
 * trimmed; a new string (mld_free), NULL when n is NULL or the text is
 * empty. */
char *mld_xml_text(const xmlNode *n);

/* The value of attribute name (local name, any namespace) of n; a new
 * string (mld_free), or NULL when absent. */
char *mld_xml_attr(const xmlNode *n, const char *name);

/* The children of n serialised as XML (for inline XHTML bodies that then
 * go through the sanitiser); a new string (mld_free), or NULL. */
char *mld_xml_inner(const xmlNode *n);

/* Drops the namespace of n, its attributes and all its descendants, so
 * that mld_xml_inner() writes bare local names ("p", not "html:p") that
 * an HTML parser understands. Changes the tree. */
void mld_xml_strip_ns(xmlNode *n);

/* True when the document's internal DTD subset declares entities. Wire
 * formats never need them; parsers refuse such documents, so nothing is
 * ever expanded (billion laughs) or looked up (external entities). */
bool mld_xml_declares_entities(const xmlDoc *d);

/* True when the root element of doc, found within its first 4 KiB after
 * a BOM, the XML declaration, comments, processing instructions and a
 * DOCTYPE, has local name local under any prefix ("ns0:newsItem").
 * Reads only doc[0..len); for sniffers. */
bool mld_xml_sniff_root(const char *doc, size_t len, const char *local);

/* The length of the character or entity reference that s[0..n) starts
 * with ("&amp;" 5, "&#233;" 6, "&#xE9;" 6), or 0 when s does not start
 * one: a '&' that is not followed by a name (or '#' and digits, '#x' and
 * hex digits) and ';'. For the repairs that turn such a bare '&' into
 * "&amp;" before parsing (feeds, dpa's NITF). Reads only s[0..n). */
size_t mld_xml_ref_len(const char *s, size_t n);

#endif
