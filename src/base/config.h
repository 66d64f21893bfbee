/*
 * config.h - meldung's configuration file: sections of key = value lines.
 *
 *     # comment
 *     [site]
 *     db = var/meldung.db
 *
 *     [source heise]
 *     url = https://www.heise.de/rss/heise-atom.xml
 *     interval = 300
 *
 * A section header is "[kind]" or "[kind name]"; keys and values are
 * trimmed; a value may be quoted with "..." to keep outer spaces. The
 * reader only parses: each consumer (poll, push, drop folder) checks the
 * keys it knows and reports unknown ones with mld_config_where().
 */
#ifndef MLD_CONFIG_H
#define MLD_CONFIG_H

#include "err.h"

struct mld_config;

/* Reads the file at path. Returns 0 and *out, or MLD_E_IO / MLD_E_PARSE
 * with err saying "path:line: reason". */
int mld_config_load(struct mld_config **out, const char *path, struct mld_err *err);

/* Parses text[0..len) as if read from a file called name. */
int mld_config_parse(struct mld_config **out, const char *name, const char *text, size_t len,
                     struct mld_err *err);

/* Frees cfg; NULL is fine. */
void mld_config_free(struct mld_config *cfg);

/* Number of sections, in file order. */
int mld_config_count(const struct mld_config *cfg);

/* Kind ("source") and name ("heise", or NULL) of section i. */
const char *mld_config_kind(const struct mld_config *cfg, int i);
const char *mld_config_name(const struct mld_config *cfg, int i);

/* Index of the first section of kind (and name, when not NULL), or -1. */
int mld_config_find(const struct mld_config *cfg, const char *kind, const char *name);

/* Value of key in section i, or NULL. */
const char *mld_config_get(const struct mld_config *cfg, int i, const char *key);

/* Number of keys in section i, and the key at position k (for checking
 * unknown keys). */
int mld_config_nkeys(const struct mld_config *cfg, int i);
const char *mld_config_key(const struct mld_config *cfg, int i, int k);

/* Calls fn(ud, kind, name, key) once for each key whose value differs
 * between a and b (set in one only, or to another value), section by
 * section matched on kind and name (a section in one only: each of its
 * keys); sections of a first, then those only in b. a or b may be NULL
 * (no file: no sections). What a reload (SIGHUP) compares. */
void mld_config_diff(const struct mld_config *a, const struct mld_config *b,
                     void (*fn)(void *ud, const char *kind, const char *name, const char *key),
                     void *ud);

/* Parses a duration: "300", "300s", "5m", "1h" or "1d" into *out seconds
 * within [lo, hi]. Returns 0, or -1 (nothing set) for anything else. */
int mld_config_secs(const char *s, long lo, long hi, int *out);

/* "path:line" of key in section i (of the section header when key is
 * NULL), for messages; a static buffer per thread. */
const char *mld_config_where(const struct mld_config *cfg, int i, const char *key);

#endif
