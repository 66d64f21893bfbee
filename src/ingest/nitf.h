/*
 * nitf.h - the part of the NITF parser that the NewsML-G2 parser shares.
 *
 * NewsML-G2 items may carry their text as NITF inside inlineXML; its
 * body.content is turned into an article body exactly as in a NITF
 * document of its own (see nitf.c for the mapping).
 */
#ifndef MLD_NITF_H
#define MLD_NITF_H

#include <libxml/tree.h>

#include "../base/err.h"
#include "article.h"

/* Turns the NITF element content (a body.content) into sanitised HTML:
 * hl1/hl2 become h2, bq becomes blockquote, media elements are removed
 * from the text and added to a's media (the widest http(s) reference,
 * with its caption), notes and dpa's link box (block style
 * "EXTERNAL-LINKS") are dropped, namespaces are ignored. Changes the tree
 * below content. Returns a new string (mld_free; "" when sanitising leaves
 * nothing), or NULL: with err->code 0 when content holds nothing at all,
 * or with err set when the HTML breaks a limit (MLD_E_TOOBIG,
 * MLD_E_DEPTH). */
char *mld_nitf_body_html(xmlNode *content, struct mld_article *a, struct mld_err *err);

#endif
