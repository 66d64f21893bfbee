/*
 * copy.h - copying a whole store to another: SQLite to PostgreSQL and
 * back (`meldung migrate`).
 *
 * Both stores are opened as meldung opens them (so both schemas are
 * current), then every table that holds what was stored - articles and
 * all their versions, media, topics, held items, stories and related
 * lists, sources, entry ids seen, the change log, editors' accounts,
 * decisions and audit - is copied in the order of its primary key, in
 * chunks of MLD_COPY_CHUNK_ROWS rows, each chunk one transaction of the
 * target. What the target derives itself (the search index and its
 * vocabulary, the tallies) is built there as the rows arrive, by the
 * target's own triggers and commit.
 *
 * An interrupted copy resumes where it stopped: each table continues
 * after the largest key the target holds (a chunk is all or nothing).
 * The target must be empty, or a copy of the same source (recorded in its
 * meta table as "copy.from"). At the end the rows of every table are
 * counted on both sides; a difference fails the copy.
 */
#ifndef MLD_COPY_H
#define MLD_COPY_H

#include <stdint.h>

#include "../base/err.h"

struct mld_copy_info {
    int tables;    /* tables copied */
    int64_t rows;  /* rows written by this run */
    int64_t total; /* rows in the target at the end, every table */
    double secs;
};

/* Called after each chunk: the table, the rows of it in the target so
 * far. */
typedef void (*mld_copy_progress_fn)(void *ud, const char *table, int64_t rows);

/* Copies the store at from into the store at to (each a SQLite file or a
 * PostgreSQL URL). Returns 0 with *info, or MLD_E_INVAL (to is another
 * store's, or the same as from), MLD_E_STORE (either failed; err names
 * which, the table and the reason) or MLD_E_PARSE (the counts differ). */
int mld_store_copy(const char *from, const char *to, mld_copy_progress_fn progress, void *ud,
                   struct mld_copy_info *info, struct mld_err *err);

#endif
