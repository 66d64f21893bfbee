/*
 * nitf.h - the part of the NITF parser that the NewsML-G2 parser shares.
 *
 * NewsML-G2 items may carry their text as NITF inside inlineXML; its
 * body.content is turned into an article body exactly as in a NITF
 * document of its own (see nitf.c for the mapping), and its byline is read
 * the same way. Both parsers also load a document, set a body from
 * serialised XML markup and read element text under a size limit alike,
 * so those helpers live here too. They word their errors through the
 * parser's struct mld_ingest_at (ingest.h), except mld_nitf_set_body(),
 * which leaves the sanitiser's reason for the parser to place.
 */
#ifndef MLD_NITF_H
#define MLD_NITF_H

#include <libxml/tree.h>

#include "../base/err.h"
#include "article.h"
#include "ingest.h"

/* Parses doc[0..len) with mld_xml_parse() and refuses a document whose
 * DOCTYPE declares entities. Returns the tree (xmlFreeDoc), or NULL with
 * at's err set: mld_xml_parse()'s reason, or MLD_E_PARSE "source: the
 * DOCTYPE declares entities, which are not accepted". */
xmlDocPtr mld_nitf_read_doc(const char *doc, size_t len, const struct mld_source *src,
                            const struct mld_ingest_at *at);

/* Rewrites the NITF element content (a body.content) into the markup the
 * sanitiser keeps: hl1/hl2 become h2, bq becomes blockquote, media
 * elements are removed from the text and added to a's media (one object
 * per element: its http(s) references as sizes, see
 * mld_ingest_add_renditions, with caption, producer as credit and
 * alternate-text), notes are dropped, dpa's link box (block style
 * "EXTERNAL-LINKS") goes to a->aside_html, namespaces are ignored. Changes the
 * tree below content. Returns the serialised markup (mld_free), or NULL
 * when content is NULL or holds nothing but whitespace. */
char *mld_nitf_body_markup(xmlNode *content, struct mld_article *a);

/* Returns the children of n serialised with namespace prefixes dropped
 * (mld_free), or NULL when n is NULL or they are nothing but whitespace.
 * Changes the tree below n (namespaces stripped). */
char *mld_nitf_inner(xmlNode *n);

/* Sets a's body from the HTML html (NULL: none) as mld_article_set_body()
 * does (body_html sanitised, text from teaser and body), then trims the
 * whitespace around body_html: the sanitiser keeps the indentation between
 * the blocks of pretty-printed XML. Returns 0, or a negative code with err
 * set to the sanitiser's reason (MLD_E_TOOBIG, MLD_E_DEPTH). */
int mld_nitf_set_body(struct mld_article *a, const char *html, struct mld_err *err);

/* Reads the folded text of n (mld_xml_text) into *out: NULL when n is NULL
 * or holds no text. Returns 0, or MLD_E_TOOBIG with *out NULL and at's
 * err set to "source: [item N: ]field: N bytes, more than max" when the
 * text is longer than max. */
int mld_nitf_text(const struct mld_ingest_at *at, const xmlNode *n, const char *field, size_t max,
                  char **out);

/* Reads the NITF byline element (may be NULL) into *out: its text without
 * byttl ("By A. Writer, <byttl>Staff Reporter</byttl>": the title is not
 * part of the name), unless the title is all there is. Drops the byttl
 * elements from the tree. Returns 0, or MLD_E_TOOBIG as mld_nitf_text()
 * for a byline longer than MLD_MAX_FIELD_BYTES. */
int mld_nitf_byline(const struct mld_ingest_at *at, xmlNode *byline, char **out);

#endif
