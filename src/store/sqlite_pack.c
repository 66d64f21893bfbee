/*
 * sqlite_pack.c - texts the store keeps deflated (see sqlite_int.h).
 *
 * Every version of an article keeps what it said (store.md, "Versions"):
 * the shown version's HTML body in `article` (migration 0021), every
 * other version's in its `version` row. Bodies were a third of a
 * store. HTML bodies (`article.body_html` and
 * `version.body_html`) are stored packed: a BLOB of PACK_MAGIC, the
 * text's length (u32, little-endian) and the zlib stream of the text. A
 * text column holding a packed value is told apart by its type (text
 * stays TEXT) and the magic (its first byte is NUL, which no stored text
 * holds), so old rows and short texts stay plain text and every reader
 * goes through sq_col_text(), which unpacks. The plain text the search
 * index, snippets and the story features read (`article.body_text`) is
 * packed too since migration 0020, on SQLite only, and since 0022
 * against the row's HTML body as zlib's preset dictionary: the text
 * repeats the body without its tags, so it packs to a sixth of its size
 * alone. The stream names its dictionary (Adler-32), so a text unpacked
 * against another body fails instead of reading wrong. The full-text
 * index is handed it unpacked by the triggers and the view
 * article_search_src (mld_unpack(body_text, body_html)), and PostgreSQL
 * keeps it TEXT (sq_bind_packed_text; its TOAST compresses little of it,
 * but packing it there would save 3 % of the database:
 * docs/internals/postgres.md, "Schema").
 *
 * Migration 0019 packs the versions stored before it with the SQL
 * function mld_pack(x); mld_unpack(x) gives the text back in SQL, and
 * mld_pack(x, dict) and mld_unpack(x, dict) pack against a dictionary.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "sqlite_int.h"

/* The first bytes of a packed value; NUL first: no text starts so. */
static const unsigned char PACK_MAGIC[3] = {0x00, 'm', 'z'};
#define PACK_HEAD (sizeof(PACK_MAGIC) + 4)

/* Shorter texts are kept as they are: deflate gains little on them, and
 * headlines and teasers stay readable in the sqlite3 shell. */
#define PACK_MIN_BYTES 256

/* A connection's packing state: one deflate stream, reset for each text
 * (compress2() would set up and clear 256 KB of state per call, more than
 * deflating a news item takes), and one output buffer, grown to the
 * longest text packed and reused (a put packs a body once: the version
 * the article shows keeps none of its own). */
struct pack_state {
    z_stream z;
    unsigned char *buf; /* the packed form of the text last packed */
    size_t cap;
};

/* Packs text[0..n) into ps->buf, against dictionary dict (NULL: none),
 * and returns its packed size, or 0 when packing would not make it
 * smaller. */
static size_t
deflate_text(struct pack_state *ps, const char *text, size_t n, const char *dict)
{
    if (deflateReset(&ps->z) != Z_OK)
        return 0;
    if (dict != NULL && *dict != '\0' &&
        deflateSetDictionary(&ps->z, (const Bytef *)dict, (uInt)strlen(dict)) != Z_OK)
        return 0;
    if (ps->cap < n) {
        mld_free(ps->buf);
        ps->buf = mld_malloc(n);
        ps->cap = n;
    }
    unsigned char *p = ps->buf;
    memcpy(p, PACK_MAGIC, sizeof(PACK_MAGIC));
    for (int i = 0; i < 4; i++)
        p[sizeof(PACK_MAGIC) + i] = (unsigned char)(n >> (8 * i));
    ps->z.next_in = (Bytef *)(uintptr_t)text;
    ps->z.avail_in = (uInt)n;
    ps->z.next_out = p + PACK_HEAD;
    ps->z.avail_out = (uInt)(n - PACK_HEAD); /* no gain unless it fits */
    if (deflate(&ps->z, Z_FINISH) != Z_STREAM_END) /* no room: it would not shrink */
        return 0;
    return PACK_HEAD + (size_t)ps->z.total_out;
}

/* Returns the packed form of text[0..n) against dict (NULL: none; owned
 * by the connection, valid until its next pack) and its size in *out_n,
 * or NULL when packing would not make it smaller or it is too short or
 * too long. */
static const unsigned char *
pack(struct sq *s, const char *text, size_t n, const char *dict, size_t *out_n)
{
    if (n < PACK_MIN_BYTES || n > MLD_MAX_DOC_BYTES)
        return NULL;
    struct pack_state *ps = s->pack;
    if (ps == NULL) {
        ps = mld_calloc(1, sizeof(*ps));
        /* Level 1: on news items as small as level 9 within 2 %, at a
         * fraction of the time (bench/README.md, ingest.sh). */
        if (deflateInit(&ps->z, Z_BEST_SPEED) != Z_OK) {
            mld_free(ps);
            return NULL;
        }
        s->pack = ps;
    }
    *out_n = deflate_text(ps, text, n, dict);
    return *out_n > 0 ? ps->buf : NULL;
}

void
sq_pack_close(struct sq *s)
{
    struct pack_state *ps = s->pack;
    if (ps == NULL)
        return;
    deflateEnd(&ps->z);
    mld_free(ps->buf);
    mld_free(ps);
    s->pack = NULL;
}

bool
sq_packed(const void *blob, size_t n)
{
    return blob != NULL && n > PACK_HEAD && memcmp(blob, PACK_MAGIC, sizeof(PACK_MAGIC)) == 0;
}

char *
sq_unpack(const void *blob, size_t n, const char *dict, size_t *out_n)
{
    const unsigned char *p = blob;
    if (!sq_packed(blob, n))
        return NULL;
    size_t len = 0;
    for (int i = 0; i < 4; i++)
        len |= (size_t)p[sizeof(PACK_MAGIC) + i] << (8 * i);
    if (len > MLD_MAX_DOC_BYTES)
        return NULL;
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return NULL;
    /* A byte more room than the text takes: the stream must end in it. */
    char *out = mld_malloc(len + 1);
    z.next_in = (Bytef *)(uintptr_t)(p + PACK_HEAD);
    z.avail_in = (uInt)(n - PACK_HEAD);
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)len + 1;
    int zr = inflate(&z, Z_FINISH);
    /* A stream packed against a dictionary names it (its Adler-32):
     * another dictionary than the one it was packed against is refused. */
    if (zr == Z_NEED_DICT && dict != NULL &&
        inflateSetDictionary(&z, (const Bytef *)dict, (uInt)strlen(dict)) == Z_OK)
        zr = inflate(&z, Z_FINISH);
    bool whole = zr == Z_STREAM_END && z.total_out == len;
    inflateEnd(&z);
    if (!whole) {
        mld_free(out);
        return NULL;
    }
    out[len] = '\0';
    if (out_n != NULL)
        *out_n = len;
    return out;
}

/* Binds v packed against dict (NULL: none), as sq_bind_packed() says. */
static void
bind_packed(struct sq *s, struct sql_stmt *st, int i, const char *v, const char *dict)
{
    size_t n = 0;
    const unsigned char *p = v != NULL ? pack(s, v, strlen(v), dict, &n) : NULL;
    if (p == NULL && v != NULL && sql_pg(&s->db))
        sql_bind_blob(st, i, v, (int)strlen(v)); /* a BYTEA column on PostgreSQL */
    else if (p == NULL)
        sq_bind_text(st, i, v);
    else
        sql_bind_blob_copy(st, i, p, (int)n);
}

void
sq_bind_packed(struct sq *s, struct sql_stmt *st, int i, const char *v)
{
    bind_packed(s, st, i, v, NULL);
}

void
sq_bind_packed_text(struct sq *s, struct sql_stmt *st, int i, const char *v, const char *html)
{
    if (sql_pg(&s->db)) /* TEXT there: docs/internals/postgres.md, "Schema" */
        sq_bind_text(st, i, v);
    else
        bind_packed(s, st, i, v, html);
}

/* The text of SQL value v (unpacked when packed; NULL for NULL or a
 * damaged value) in *out, to be freed with mld_free when *owned. */
static const char *
value_text(sqlite3_value *v, bool *owned)
{
    *owned = false;
    if (sqlite3_value_type(v) == SQL_BLOB) {
        char *t = sq_unpack(sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v), NULL, NULL);
        *owned = t != NULL;
        return t;
    }
    return (const char *)sqlite3_value_text(v);
}

/* mld_pack(x [, dict]): x packed (against the text of dict, packed or
 * not) when that makes it smaller, else x as it is. */
static void
pack_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    size_t n = 0;
    const unsigned char *p = NULL;
    bool owned = false;
    const char *dict = argc > 1 ? value_text(argv[1], &owned) : NULL;
    if (sqlite3_value_type(argv[0]) == SQL_TEXT)
        p = pack(sqlite3_user_data(ctx), (const char *)sqlite3_value_text(argv[0]),
                 (size_t)sqlite3_value_bytes(argv[0]), dict, &n);
    if (p == NULL)
        sqlite3_result_value(ctx, argv[0]);
    else
        sqlite3_result_blob(ctx, p, (int)n, SQLITE_TRANSIENT);
    if (owned)
        mld_free((char *)(uintptr_t)dict);
}

/* mld_unpack(x [, dict]): the text of a packed x (against the text of
 * dict, packed or not, when x was packed against it), else x as it is. */
static void
unpack_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    size_t n = 0;
    char *t = NULL;
    bool owned = false;
    if (sqlite3_value_type(argv[0]) == SQL_BLOB) {
        const char *dict = argc > 1 ? value_text(argv[1], &owned) : NULL;
        t = sq_unpack(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), dict,
                      &n);
        if (owned)
            mld_free((char *)(uintptr_t)dict);
    }
    if (t == NULL)
        sqlite3_result_value(ctx, argv[0]);
    else
        sqlite3_result_text(ctx, t, (int)n, mld_free);
}

int
sq_pack_register(struct sq *s, struct mld_err *err)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(s->db.lite, "mld_pack", 1, flags, s, pack_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(s->db.lite, "mld_pack", 2, flags, s, pack_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(s->db.lite, "mld_unpack", 1, flags, NULL, unpack_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(s->db.lite, "mld_unpack", 2, flags, NULL, unpack_fn, NULL, NULL) !=
            SQLITE_OK)
        return sq_error(s, err, "register the text packing functions");
    return 0;
}
