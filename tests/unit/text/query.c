/*
 * tests/unit/text/query.c - readers' search queries into FTS5 expressions.
 *
 * Fixed cases: each reader's text and the exact expression it must give
 * (or the error), and the plain words "did you mean" may correct. Every
 * expression is also handed to a real FTS5 table, which must accept it;
 * and so must the expression of every pseudo-random query built from
 * the characters that matter to the parser and to FTS5.
 */
#include "../../../src/text/query.c"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static sqlite3 *db;

/* True when FTS5 accepts expr as a MATCH expression (an empty table: only
 * the syntax is checked). */
static bool
fts5_accepts(const char *expr)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        diag("FTS5 refuses %s: %s", expr, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

/* Parses text[0..len) and checks the expression (want) and the plain
 * words (want_words: " "-joined, NULL for none). */
static void
check_n(const char *text, size_t len, const char *want, const char *want_words)
{
    struct mld_fts_query q;
    struct mld_err err = {0};
    int rc = mld_query_parse(text, len, &q, &err);
    if (!ok(rc == 0, "parse: %s", text)) {
        diag("error: %s", err.msg);
        return;
    }
    is_str(q.match, want, "  expression");
    ok(fts5_accepts(q.match), "  FTS5 accepts it");
    char words[512] = "";
    size_t at = 0;
    for (int i = 0; i < q.nwords; i++) {
        at += (size_t)snprintf(words + at, sizeof(words) - at, "%s%s", i ? " " : "",
                               q.words[i].word);
        /* The word stands where the query says it does. */
        if (q.words[i].start + q.words[i].len > len ||
            memcmp(text + q.words[i].start, q.words[i].word, q.words[i].len) != 0)
            ok(0, "  word %d is at its offset", i);
    }
    is_str(q.nwords ? words : NULL, want_words, "  plain words");
    mld_fts_query_dispose(&q);
}

static void
check(const char *text, const char *want, const char *want_words)
{
    check_n(text, strlen(text), want, want_words);
}

/* Checks that text is refused with MLD_E_PARSE and a message containing
 * want_msg. */
static void
check_refused(const char *text, const char *want_msg)
{
    struct mld_fts_query q;
    struct mld_err err = {0};
    int rc = mld_query_parse(text, strlen(text), &q, &err);
    is_int(rc, MLD_E_PARSE, "refused: \"%s\"", text);
    ok(strstr(err.msg, want_msg) != NULL, "  message: %s", err.msg);
    ok(q.match == NULL && q.nwords == 0, "  nothing to free");
}

static void
test_words(void)
{
    check("Merkel", "\"Merkel\"", "Merkel");
    check("  Merkel   Gipfel ", "\"Merkel\" AND \"Gipfel\"", "Merkel Gipfel");
    check("Präsident", "\"Präsident\"", "Präsident");
    check("Mecklenburg-Vorpommern", "\"Mecklenburg-Vorpommern\"", "Mecklenburg-Vorpommern");
    check("Mecklenburg-Vorpommern: Wahl", "\"Mecklenburg-Vorpommern\" AND \"Wahl\"",
          "Mecklenburg-Vorpommern Wahl");
    check("G20-Gipfel", "\"G20-Gipfel\"", "G20-Gipfel");
    check("or", "\"or\"", "or"); /* lower case: a word */
    check("U.S.-Wahl", "\"U.S.-Wahl\"", "U.S.-Wahl");
}

static void
test_phrases(void)
{
    check("\"Helmut Kohl\"", "\"Helmut Kohl\"", NULL);
    check("Trauerfeier \"Helmut Kohl\" live", "\"Trauerfeier\" AND \"Helmut Kohl\" AND \"live\"",
          "Trauerfeier live");
    check("\"Helmut Kohl", "\"Helmut Kohl\"", NULL); /* unbalanced: to the end */
    check("Kohl\"Merkel Scholz\"", "\"Kohl\" AND \"Merkel Scholz\"", "Kohl");
    check("\"die der das\"", "\"die der das\"", NULL); /* a phrase keeps stop words */
    check("\"(Merkel: NEAR Scholz)^\"", "\"(Merkel: NEAR Scholz)^\"", NULL);
    check("\"\" Merkel", "\"Merkel\"", "Merkel"); /* an empty phrase is nothing */
}

static void
test_prefixes(void)
{
    check("Verhandl*", "\"Verhandl\" *", NULL);
    check("Verhandl**", "\"Verhandl\" *", NULL);
    check("Verh*", "\"Verh\" *", NULL);
    check("Ver*", "\"Ver\"", "Ver"); /* below MLD_SEARCH_MIN_PREFIX: exact */
    check("Äpfe*", "\"Äpfe\" *", NULL);
    check("\"neue Verhandl\"*", "\"neue Verhandl\" *", NULL);
}

static void
test_operators(void)
{
    check("Merkel -Gipfel", "\"Merkel\" NOT \"Gipfel\"", "Merkel");
    check("Merkel NOT Gipfel", "\"Merkel\" NOT \"Gipfel\"", "Merkel");
    check("Merkel --Gipfel", "\"Merkel\" NOT \"Gipfel\"", "Merkel");
    check("Merkel - Gipfel", "\"Merkel\" AND \"Gipfel\"", "Merkel Gipfel");
    check("Merkel -\"Helmut Kohl\" -Verhandl*",
          "\"Merkel\" NOT \"Helmut Kohl\" NOT \"Verhandl\" *", "Merkel");
    check("Merkel OR Scholz", "(\"Merkel\" OR \"Scholz\")", "Merkel Scholz");
    check("Merkel OR Scholz Gipfel", "(\"Merkel\" OR \"Scholz\") AND \"Gipfel\"",
          "Merkel Scholz Gipfel");
    check("Gipfel Merkel OR Scholz OR Macron",
          "\"Gipfel\" AND (\"Merkel\" OR \"Scholz\" OR \"Macron\")", "Gipfel Merkel Scholz Macron");
    check("Merkel OR Scholz -Gipfel", "(\"Merkel\" OR \"Scholz\") NOT \"Gipfel\"",
          "Merkel Scholz");
    check("Merkel Scholz -Gipfel", "(\"Merkel\" AND \"Scholz\") NOT \"Gipfel\"",
          "Merkel Scholz");
    check("(Merkel OR Scholz) AND Gipfel", "(\"Merkel\" OR \"Scholz\") AND \"Gipfel\"",
          "Merkel Scholz Gipfel");
    check("Merkel OR", "\"Merkel\"", "Merkel");
    check("OR Merkel", "\"Merkel\"", "Merkel");
    check("Merkel OR OR Scholz", "(\"Merkel\" OR \"Scholz\")", "Merkel Scholz");
    check("Merkel OR -Scholz", "\"Merkel\" NOT \"Scholz\"", "Merkel");
    check("-Scholz OR Merkel", "\"Merkel\" NOT \"Scholz\"", "Merkel");
    check("NEAR(Merkel Scholz)", "\"Merkel\" AND \"Scholz\"", "Merkel Scholz");
    check("headline:Merkel +Scholz ^Gipfel", "\"headline\" AND \"Merkel\" AND \"Scholz\" AND \"Gipfel\"",
          "headline Merkel Scholz Gipfel");
    check("Merkel NOT", "\"Merkel\"", "Merkel");
}

static void
test_stop_words(void)
{
    check("der Krieg", "\"Krieg\"", "Krieg");
    check("Krieg und Frieden", "\"Krieg\" AND \"Frieden\"", "Krieg Frieden");
    check("der die das", "\"der\" AND \"die\" AND \"das\"", "der die das");
    check("Krieg -der", "\"Krieg\"", "Krieg");
    check("Krieg OR der", "\"Krieg\"", "Krieg");
}

static void
test_refused(void)
{
    check_refused("", "mindestens ein Wort");
    check_refused("   \t ", "mindestens ein Wort");
    check_refused("---", "mindestens ein Wort");
    check_refused("* **", "mindestens ein Wort");
    check_refused("!!! ??? ...", "mindestens ein Wort");
    check_refused("\"\"", "mindestens ein Wort");
    check_refused("OR AND NOT NEAR", "mindestens ein Wort");
    check_refused("()[]{}:^+,;", "mindestens ein Wort");
    check_refused("-Merkel", "ohne Minus");
    check_refused("NOT Merkel -\"Helmut Kohl\"", "ohne Minus");
}

static void
test_limits(void)
{
    /* Control characters are spaces, also a NUL inside the text. */
    check_n("Merkel\0Gipfel\x01Kohl", 19, "\"Merkel\" AND \"Gipfel\" AND \"Kohl\"",
            "Merkel Gipfel Kohl");
    /* At most MLD_SEARCH_MAX_TERMS terms. */
    char text[1024] = "", want[2048] = "";
    size_t t = 0, w = 0;
    for (int i = 0; i < MLD_SEARCH_MAX_TERMS + 4; i++) {
        t += (size_t)snprintf(text + t, sizeof(text) - t, "wort%c ", 'a' + i);
        if (i < MLD_SEARCH_MAX_TERMS)
            w += (size_t)snprintf(want + w, sizeof(want) - w, "%s\"wort%c\"", i ? " AND " : "",
                                  'a' + i);
    }
    struct mld_fts_query q;
    struct mld_err err = {0};
    ok(mld_query_parse(text, strlen(text), &q, &err) == 0, "a long query parses");
    is_str(q.match, want, "  its first %d terms are kept", MLD_SEARCH_MAX_TERMS);
    is_int(q.nwords, MLD_SEARCH_MAX_TERMS, "  and their words");
    mld_fts_query_dispose(&q);
    /* Text past MLD_SEARCH_MAX_QUERY_BYTES is ignored, and no word is cut. */
    char big[MLD_SEARCH_MAX_QUERY_BYTES + 64];
    memset(big, ' ', sizeof(big));
    memcpy(big, "Merkel", 6);
    memcpy(big + MLD_SEARCH_MAX_QUERY_BYTES - 3, "Scholz", 6);
    ok(mld_query_parse(big, sizeof(big), &q, &err) == 0, "an over-long query parses");
    is_str(q.match, "\"Merkel\"", "  the word across the limit is left out");
    mld_fts_query_dispose(&q);
}

/* Pseudo-random queries from characters that matter: every one parses
 * to an expression FTS5 accepts, or is refused with MLD_E_PARSE. */
static void
test_random(void)
{
    static const char *const bits[] = {
        "\"", "*", "-", "(", ")", ":", "^", "+", " ", "OR", "AND", "NOT", "NEAR", "Merkel",
        "Präsident", "der", "a", "Ukraine-Krieg", "{", "}", ",", "\\", "'", "\x01", "\xc3",
        "\xff", "NEAR(", "\t", "Verhandl", "ß", "1", "-\"", "\"*",
    };
    uint32_t seed = 12345;
    int parsed = 0, refused = 0, bad = 0;
    for (int i = 0; i < 3000; i++) {
        char text[256];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int parts = (int)(seed >> 16) % 12;
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *b = bits[(seed >> 16) % (sizeof(bits) / sizeof(bits[0]))];
            size_t bl = strlen(b);
            if (n + bl >= sizeof(text))
                break;
            memcpy(text + n, b, bl);
            n += bl;
        }
        struct mld_fts_query q;
        struct mld_err err = {0};
        int rc = mld_query_parse(text, n, &q, &err);
        if (rc == 0) {
            parsed++;
            if (!fts5_accepts(q.match)) {
                bad++;
                diag("query %.*s", (int)n, text);
            }
            mld_fts_query_dispose(&q);
        } else if (rc == MLD_E_PARSE && err.msg[0] != '\0') {
            refused++;
        } else {
            bad++;
        }
    }
    is_int(bad, 0, "random queries: %d parsed, %d refused, none broken", parsed, refused);
}

int
main(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x)", NULL, NULL, NULL) != SQLITE_OK) {
        printf("Bail out! no FTS5\n");
        return 1;
    }
    test_words();
    test_phrases();
    test_prefixes();
    test_operators();
    test_stop_words();
    test_refused();
    test_limits();
    test_random();
    sqlite3_close(db);
    return mld_test_done();
}
