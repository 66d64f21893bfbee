/*
 * tests/unit/store/pg_schema.c - the PostgreSQL schema (src/store/pg/)
 * against the SQLite one, and the store's SQL against PostgreSQL, on a
 * throwaway cluster (tests/harness/pgtmp.sh; skipped without a server):
 *
 * - the migrations load, and every table, column (in order), index and
 *   trigger of a new SQLite store exists on PostgreSQL under its name;
 * - every statement of src/store/sqlite.c and sqlite_editor.c prepares
 *   on PostgreSQL: those the files spell out are read from the source
 *   (string literals and the string macros they use), the list queries
 *   built for every combination of their filters, and each of those runs;
 * - the triggers (tallies, topics' publication time) leave the same rows
 *   on both engines after the same writes.
 *
 * The story tables and the search index come in PostgreSQL migrations
 * 0003 and 0004; until a build has them, what needs them is a skip.
 */
#include "../../../src/store/sqlite.c"

#include <ctype.h>

#define MLD_TEST_HAVE_MIGRATIONS
#include "store_test.h"
#include "pg_test.h"

/* True when name is a table (or trigger) of PostgreSQL migration 0003
 * (stories) or 0004 (search) and this tree has not that migration yet. */
static bool
later_table(const char *name)
{
    if (strncmp(name, "story_", 6) == 0)
        return mld_test_pg_lacks(3);
    return (strncmp(name, "search_", 7) == 0 || strncmp(name, "article_fts", 11) == 0) &&
           mld_test_pg_lacks(4);
}

/* True when failure msg names a table of a migration this tree lacks. */
static bool
later_missing(const char *msg)
{
    const char *rel = strstr(msg, "relation \"");
    return rel != NULL && later_table(rel + 10);
}

/* ---- the statements the source spells out ---- */

struct strs {
    char **v;
    int *line;
    int n;
};

static void
strs_add(struct strs *l, const char *s, int line)
{
    l->v = mld_reallocarray(l->v, (size_t)l->n + 1, sizeof(*l->v));
    l->line = mld_reallocarray(l->line, (size_t)l->n + 1, sizeof(*l->line));
    l->v[l->n] = mld_strdup(s);
    l->line[l->n++] = line;
}

static void
strs_free(struct strs *l)
{
    for (int i = 0; i < l->n; i++)
        mld_free(l->v[i]);
    mld_free(l->v);
    mld_free(l->line);
}

/* The C source being read: the text, where we are, the line. */
struct src {
    const char *p;
    int line;
};

/* Appends the string literal at s->p (at its '"') to b, unescaped. */
static void
literal(struct src *s, struct mld_buf *b)
{
    for (s->p++; *s->p != '\0' && *s->p != '"'; s->p++) {
        if (*s->p == '\\' && s->p[1] != '\0') {
            s->p++;
            mld_buf_putc(b, *s->p == 'n' ? '\n' : *s->p == 't' ? '\t' : *s->p);
        } else {
            mld_buf_putc(b, *s->p);
        }
    }
    if (*s->p == '"')
        s->p++;
}

/* Skips blanks, comments and line continuations; counts lines. */
static void
blanks(struct src *s, bool in_define)
{
    for (;;) {
        if (*s->p == '\n' && in_define)
            return;
        if (*s->p == '\\' && s->p[1] == '\n')
            s->p++;
        if (*s->p == '\n')
            s->line++;
        if (isspace((unsigned char)*s->p)) {
            s->p++;
        } else if (s->p[0] == '/' && s->p[1] == '*') {
            const char *end = strstr(s->p + 2, "*/");
            for (const char *c = s->p; c < (end != NULL ? end : s->p + strlen(s->p)); c++)
                s->line += *c == '\n';
            s->p = end != NULL ? end + 2 : s->p + strlen(s->p);
        } else if (s->p[0] == '/' && s->p[1] == '/') {
            s->p += strcspn(s->p, "\n");
        } else {
            return;
        }
    }
}

/* The length of the identifier at p (0: none). */
static size_t
ident(const char *p)
{
    size_t n = 0;
    if (isalpha((unsigned char)*p) || *p == '_')
        while (isalnum((unsigned char)p[n]) || p[n] == '_')
            n++;
    return n;
}

/* The text of string macro name[0..n) (defined so far), or NULL. */
static const char *
macro(const struct strs *m, const char *name, size_t n)
{
    for (int i = 0; i + 1 < m->n; i += 2)
        if (strlen(m->v[i]) == n && strncmp(m->v[i], name, n) == 0)
            return m->v[i + 1];
    return NULL;
}

/* Reads a run of string literals and string macros at s->p into b;
 * returns how many it read. */
static int
run(struct src *s, const struct strs *macros, bool in_define, struct mld_buf *b)
{
    int parts = 0;
    for (;;) {
        blanks(s, in_define);
        size_t n = ident(s->p);
        const char *m = n > 0 ? macro(macros, s->p, n) : NULL;
        if (*s->p == '"') {
            literal(s, b);
        } else if (m != NULL) {
            mld_buf_puts(b, m);
            s->p += n;
        } else {
            return parts;
        }
        parts++;
    }
}

/* True when sql is a whole statement meant for sql_prepare(): it starts
 * as one and is no format (those are built by list_sql and friends). */
static bool
is_statement(const char *sql)
{
    static const char *const verbs[] = {"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH "};
    if (strchr(sql, '%') != NULL)
        return false;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strncmp(sql, verbs[i], strlen(verbs[i])) == 0)
            return true;
    return false;
}

/* Collects the statements of C file path into out: the runs of
 * adjacent string literals and string macros ("#define NAME" followed by
 * string literals only) that form one. The string macros known (name,
 * text, name, text, ...: those of a header the file includes) are
 * *macros, to which the file's own are added. */
static void
scan(const char *path, struct strs *macros, struct strs *out)
{
    size_t len;
    char *text = mld_test_slurp(path, &len);
    if (text == NULL) {
        ok(false, "read %s", path);
        return;
    }
    struct src s = {text, 1};
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    while (blanks(&s, false), *s.p != '\0') {
        int line = s.line;
        mld_buf_reset(&b);
        if (*s.p == '#') {
            s.p++;
            blanks(&s, true);
            size_t n = ident(s.p);
            bool define = n == 6 && strncmp(s.p, "define", 6) == 0;
            s.p += n;
            blanks(&s, true);
            n = ident(s.p);
            const char *name = s.p;
            s.p += n;
            if (define && n > 0 && *s.p != '(' && run(&s, macros, true, &b) > 0 &&
                (*s.p == '\n' || *s.p == '\0')) {
                char *nm = mld_strndup(name, n);
                strs_add(macros, nm, line);
                strs_add(macros, b.len > 0 ? b.p : "", line);
                mld_free(nm);
            }
            for (; *s.p != '\0' && *s.p != '\n'; s.p++) /* the rest of the directive */
                if (*s.p == '\\' && s.p[1] == '\n')
                    s.line++, s.p++;
        } else if (*s.p == '\'') {
            s.p++;
            while (*s.p != '\0' && *s.p != '\'')
                s.p += *s.p == '\\' ? 2 : 1;
            s.p += *s.p == '\'';
        } else if (run(&s, macros, false, &b) > 0) {
            if (b.len > 0 && is_statement(b.p))
                strs_add(out, b.p, line);
        } else {
            s.p += ident(s.p) > 0 ? ident(s.p) : 1;
        }
    }
    mld_buf_dispose(&b);
    free(text);
}

/* Prepares sql on db; ok when it prepares, skipped when it needs a
 * table of a later migration. */
static void
prepares(struct sql_db *db, const char *sql, const char *where)
{
    struct sql_stmt *st = NULL;
    int rc = sql_prepare(db, sql, false, &st);
    const char *msg = rc == SQLITE_OK ? "" : sql_errmsg(db);
    if (rc != SQLITE_OK && later_missing(msg))
        mld_test_skip(where, "needs a table of PostgreSQL migration 0003/0004, not here yet");
    else if (!ok(rc == SQLITE_OK, "%s prepares on PostgreSQL", where))
        diag("%s\n#   %s", sql, msg);
    sql_finalize(st);
}

static void
test_source_statements(struct sql_db *db)
{
    static const char *const files[] = {"src/store/sqlite.c", "src/store/sqlite_editor.c"};
    static const int least[] = {20, 40}; /* about what they had when this was written */
    struct strs shared = {0}, none = {0}; /* sqlite_int.h's macros (SQ_VERSION_BODY) */
    scan("src/store/sqlite_int.h", &shared, &none);
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        struct strs l = {0}, macros = {0};
        for (int i = 0; i < shared.n; i++)
            strs_add(&macros, shared.v[i], shared.line[i]);
        scan(files[f], &macros, &l);
        strs_free(&macros);
        ok(l.n >= least[f], "%s: %d statements found (at least %d)", files[f], l.n, least[f]);
        for (int i = 0; i < l.n; i++) {
            char where[128];
            snprintf(where, sizeof(where), "%s:%d", files[f], l.line[i]);
            prepares(db, l.v[i], where);
        }
        strs_free(&l);
    }
    strs_free(&shared);
    strs_free(&none);
    /* STMT_MAP lies inside a macro the scan does not read */
#define STMT_NAME_(name, sql) #name,
    static const char *const names[] = {STMT_MAP(STMT_NAME_)};
#undef STMT_NAME_
    for (int i = 0; i < S_COUNT_; i++) {
        char where[64];
        snprintf(where, sizeof(where), "sqlite.c statement %s", names[i]);
        prepares(db, stmt_sql[i], where);
    }
}

/* ---- the list queries, built ---- */

/* Prepares, binds and runs list query l on db. */
static void
list_runs(struct sql_db *db, struct list_q *l, const char *what)
{
    struct sql_stmt *st = NULL;
    bool good = sql_prepare(db, l->sql.p, false, &st) == SQLITE_OK;
    if (good) {
        list_bind(l, st);
        good = sql_step(st) == SQLITE_DONE;
    }
    if (!ok(good, "%s runs on PostgreSQL", what))
        diag("%s\n#   %s", l->sql.p, sql_errmsg(db));
    sql_finalize(st);
    mld_buf_dispose(&l->sql);
}

static void
test_lists(struct sql_db *db)
{
    for (int bits = 0; bits < 8; bits++) {
        struct mld_query q = {.now = 1, .limit = 10, .offset = 1,
                              .topic_slug = bits & 1 ? "wahl" : NULL,
                              .section_slug = bits & 2 ? "politik" : NULL,
                              .every_article = (bits & 4) != 0};
        struct list_q l;
        list_sql(&l, &q);
        char what[64];
        snprintf(what, sizeof(what), "list (filters %d)", bits);
        list_runs(db, &l, what);
    }
    for (int bits = 0; bits < 64; bits++) {
        struct mld_api_query q = {.now = 1, .limit = 10,
                                  .topic_slug = bits & 1 ? "wahl" : NULL,
                                  .section_slug = bits & 2 ? "politik" : NULL,
                                  .story_id = bits & 4 ? 7 : 0,
                                  .since = bits & 8 ? 5 : 0,
                                  .until = bits & 16 ? 9 : 0,
                                  .after_published = 8,
                                  .after_id = bits & 32 ? 3 : 0};
        struct list_q l;
        api_list_sql(&l, &q);
        char what[64];
        snprintf(what, sizeof(what), "api list (filters %d)", bits);
        list_runs(db, &l, what);
    }
}

/* ---- the schema, compared ---- */

/* Rows of sql on db, one line each: its columns joined by "|". */
static char *
rows_of(struct sql_db *db, const char *sql)
{
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    struct sql_stmt *st = NULL;
    if (sql_prepare(db, sql, false, &st) != SQLITE_OK) {
        diag("%s: %s", sql, sql_errmsg(db));
        mld_buf_puts(&b, "(error)");
    }
    while (st != NULL && sql_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sql_column_count(st); i++) {
            const char *v = sql_column_text(st, i);
            mld_buf_printf(&b, "%s%s", i > 0 ? "|" : "", v != NULL ? v : "NULL");
        }
        mld_buf_putc(&b, '\n');
    }
    sql_finalize(st);
    return mld_buf_steal(&b, NULL);
}

/* The line of lines that starts with key and "|", or NULL; its length
 * in *n. */
static const char *
line_of(const char *lines, const char *key, size_t *n)
{
    size_t k = strlen(key);
    for (const char *p = lines; *p != '\0'; p += strcspn(p, "\n") + 1) {
        *n = strcspn(p, "\n");
        if (strncmp(p, key, k) == 0 && p[k] == '|')
            return p;
        if (p[*n] == '\0')
            break;
    }
    return NULL;
}

/* Checks that every line of lite ("name|rest") is on pg too, the same;
 * kind names what the lines are. */
static void
same_lines(const char *lite, const char *pg, const char *kind)
{
    if (!ok(lite[0] != '\0', "SQLite has %ss", kind))
        return;
    for (const char *p = lite; *p != '\0'; p += strcspn(p, "\n") + 1) {
        size_t n = strcspn(p, "\n"), k = strcspn(p, "|");
        char *line = mld_strndup(p, n), *name = mld_strndup(p, k);
        size_t m = 0;
        const char *there = line_of(pg, name, &m);
        char *got = there != NULL ? mld_strndup(there, m) : NULL;
        char what[160];
        snprintf(what, sizeof(what), "%s %s on PostgreSQL", kind, name);
        if (got == NULL && later_table(name))
            mld_test_skip(what, "PostgreSQL migration 0003/0004 is not here yet");
        else
            is_str(got, line, "%s", what);
        mld_free(got);
        mld_free(line);
        mld_free(name);
        if (p[n] == '\0')
            break;
    }
}

/* Checks that pg has no line whose name lite lacks. */
static void
no_more(const char *pg, const char *lite, const char *kind)
{
    struct mld_buf more;
    mld_buf_init(&more, SIZE_MAX);
    for (const char *p = pg; *p != '\0'; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
        char *name = mld_strndup(p, strcspn(p, "|\n"));
        size_t n;
        if (line_of(lite, name, &n) == NULL)
            mld_buf_printf(&more, " %s", name);
        mld_free(name);
    }
    is_str(more.len > 0 ? more.p : "", "", "no %s on PostgreSQL that SQLite has not", kind);
    mld_buf_dispose(&more);
}

/* Tables (with their columns in order, but article's by name: SQLite's
 * order of it is its row's layout since migration 0020, the columns a
 * list entry reads first, which PostgreSQL's heap does not need, see
 * docs/internals/postgres.md), indexes (but those of primary keys and
 * UNIQUE) and triggers (with their tables), as each engine's catalogue
 * lists them. FTS5's own tables are SQLite's, and PostgreSQL's full-text
 * index (search_doc, its queue and totals: 0004) is its own. */
static const struct {
    const char *kind, *lite, *pg;
} catalogue[] = {
    {"table",
     "SELECT name, group_concat(col, ',') FROM (SELECT m.name, c.name AS col FROM sqlite_master m "
     "JOIN pragma_table_info(m.name) c WHERE m.type = 'table' "
     "AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
     "AND m.name NOT LIKE 'article\\_fts%' ESCAPE '\\' "
     "ORDER BY m.name, CASE WHEN m.name = 'article' THEN c.name END, c.cid) "
     "GROUP BY name ORDER BY name",
     "SELECT table_name, string_agg(column_name, ',' ORDER BY CASE WHEN table_name = 'article' "
     "THEN column_name END, ordinal_position) "
     "FROM information_schema.columns WHERE table_schema = current_schema() "
     "AND table_name NOT IN ('search_doc', 'search_queue', 'search_total') "
     "GROUP BY table_name ORDER BY table_name"},
    {"index",
     "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
     "ORDER BY name",
     "SELECT i.indexname, i.tablename FROM pg_indexes i WHERE i.schemaname = current_schema() "
     "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
     "AND i.tablename <> 'search_doc' ORDER BY 1"},
    {"trigger", "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
     "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
     "WHERE NOT t.tgisinternal ORDER BY 1"},
};

static void
test_schema(struct sql_db *pg, struct sql_db *lite)
{
    for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++) {
        char *l = rows_of(lite, catalogue[i].lite), *p = rows_of(pg, catalogue[i].pg);
        same_lines(l, p, catalogue[i].kind);
        no_more(p, l, catalogue[i].kind);
        mld_free(l);
        mld_free(p);
    }
}

/* ---- the triggers, compared ---- */

/* Writes that move articles between sections, statuses, stories and
 * publication times, then delete some (ids 1-5; topics on 2 and 4). */
static const char *const writes[] = {
    "INSERT INTO article (id, urn, version, version_created, updated, pubstatus, embargo, "
    "visible_from, urgency, section, section_slug, slug, published, first_stored, story_id, "
    "story_key, hold_reason) VALUES "
    "(1, 'u1', 1, 10, 10, 0, 0, 0, 3, 'Politik', 'politik', 'a', 100, 10, 1, 'a', NULL), "
    "(2, 'u2', 1, 20, 20, 0, 0, 0, 3, 'Politik', 'politik', 'b', 200, 20, 1, 'b', NULL), "
    "(3, 'u3', 1, 30, 30, 3, 0, 0, 3, NULL, NULL, 'c', 300, 30, 3, 'c', 'Termin'), "
    "(4, 'u4', 1, 40, 40, 0, 500, 500, 3, 'Sport', 'sport', 'd', 500, 40, 1, 'd', NULL), "
    "(5, 'u5', 1, 50, 50, 1, 0, 0, 3, 'Sport', 'sport', 'e', 150, 50, 5, 'e', NULL)",
    "INSERT INTO article_topic (article_id, rank, name, slug) VALUES (2, 0, 'Wahl', 'wahl'), "
    "(4, 0, 'Wahl', 'wahl'), (4, 1, 'Genf', 'genf')",
    "UPDATE article SET published = 250 WHERE id = 2",
    "UPDATE article SET section = 'Sport', section_slug = 'sport' WHERE id = 1",
    "UPDATE article SET pubstatus = 0, hold_reason = NULL WHERE id = 3",
    "UPDATE article SET story_id = 3 WHERE id = 2",
    "UPDATE article SET pubstatus = 2 WHERE id = 4",
    "UPDATE article SET urgency = 1 WHERE id = 1",
    "DELETE FROM article WHERE id = 5",
    "DELETE FROM article WHERE id = 1",
};

/* What the triggers left: the tallies and the topics' times. */
static char *
tallies(struct sql_db *db)
{
    char *a = rows_of(db, "SELECT section_slug, section, pubstatus, hold_reason, n "
                          "FROM article_tally ORDER BY 1, 2, 3, 4");
    char *s = rows_of(db, "SELECT story_id, section, n, newest FROM story_tally ORDER BY 1, 2");
    char *t = rows_of(db, "SELECT article_id, rank, published FROM article_topic ORDER BY 1, 2");
    struct mld_buf b;
    mld_buf_init(&b, SIZE_MAX);
    mld_buf_printf(&b, "article_tally:\n%sstory_tally:\n%sarticle_topic:\n%s", a, s, t);
    mld_free(a);
    mld_free(s);
    mld_free(t);
    return mld_buf_steal(&b, NULL);
}

/* Runs the writes on db in a transaction, returns tallies() before the
 * rollback. */
static char *
written(struct sql_db *db, const char *engine)
{
    int rc = sql_exec(db, "BEGIN");
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof(writes) / sizeof(writes[0]); i++)
        if ((rc = sql_exec(db, writes[i])) != SQLITE_OK)
            diag("%s: %s: %s", engine, writes[i], sql_errmsg(db));
    ok(rc == SQLITE_OK, "the writes run on %s", engine);
    char *t = tallies(db);
    sql_exec(db, "ROLLBACK");
    return t;
}

static void
test_triggers(struct sql_db *pg, struct sq *lite)
{
    char *want = written(&lite->db, "SQLite");
    sq_search_discard(lite); /* what the search triggers queued */
    char *got = written(pg, "PostgreSQL");
    is_str(got, want, "the triggers leave the same rows on both engines");
    ok(strstr(want, "3|Politik|1|250\n") != NULL && strstr(want, "4|0|500\n") != NULL,
       "tallies and topics' times as written");
    mld_free(want);
    mld_free(got);
}

int
main(void)
{
    /* SQLite's side is a store file, whatever server `make check PG=1`
     * offers: this test brings its own. */
    unsetenv("MELDUNG_TEST_PG");
    struct pg p;
    struct mld_err err = {0};
    if (!mld_test_pg_migrated(&p))
        return mld_test_done();
    struct sql_db pg = {.pg = &p};
    mld_test_store_path("pgschema");
    void *impl = NULL;
    if (!ok(sq_open(&impl, mld_test_dbpath, &err) == 0, "a new SQLite store: %s", err.msg))
        return mld_test_done();
    struct sq *lite = impl;
    test_schema(&pg, &lite->db);
    test_source_statements(&pg);
    test_lists(&pg);
    test_triggers(&pg, lite);
    sq_close(lite);
    mld_test_store_remove();
    pg_disconnect(&p);
    return mld_test_done();
}
