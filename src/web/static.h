/*
 * static.h - the files under static/ (stylesheet, icons, the demo's
 * pictures), read once at start and served as prepared responses.
 *
 * mld_static_load() walks the folder (regular files only: no links, no
 * names starting with '.'), up to the MLD_STATIC_* limits, and prepares
 * each file as a response with its type from the file name, an ETag, a
 * Last-Modified from the file, Cache-Control and, where it saves bytes, a
 * gzip copy. A request for /static/NAME finds its file by binary search:
 * no file system access, no path to sanitise at request time. Files
 * changed on disk are picked up at the next start.
 */
#ifndef MLD_STATIC_H
#define MLD_STATIC_H

#include "../base/err.h"
#include "http.h"

struct mld_static;

/* Reads every file below dir into a new table. Returns 0 and *out, or
 * MLD_E_IO / MLD_E_TOOBIG with err naming the file and the reason (a
 * folder that cannot be read, more files or bytes than the limits). */
int mld_static_load(struct mld_static **out, const char *dir, struct mld_err *err);

/* Frees t; NULL is fine. */
void mld_static_free(struct mld_static *t);

/* The prepared response for name, a path relative to the folder
 * ("style.css", "demo/x.jpg"), with a new reference (mld_http_resp_unref),
 * or NULL when there is no such file. */
struct mld_http_resp *mld_static_get(const struct mld_static *t, const char *name);

/* The number of files in t. */
int mld_static_count(const struct mld_static *t);

#endif
