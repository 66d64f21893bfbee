/*
 * Tests for the configuration file reader.
 */
#include "../../../src/base/config.c"

#include "test.h"

static int
parse(const char *text, struct mld_config **cfg, struct mld_err *err)
{
    mld_err_clear(err);
    return mld_config_parse(cfg, "t.conf", text, strlen(text), err);
}

int
main(void)
{
    struct mld_config *cfg;
    struct mld_err err = {0};
    const char *good = "# sources\n"
                       "[site]\n"
                       "db = var/meldung.db\n"
                       "\n"
                       "[source heise]\n"
                       "  url = https://example.org/feed.xml  \n"
                       "interval=300\n"
                       "; another comment\n"
                       "[source dpa]\n"
                       "url = \"  spaced  \"\n";
    ok(parse(good, &cfg, &err) == 0, "a good file parses");
    is_int(mld_config_count(cfg), 3, "three sections");
    is_str(mld_config_kind(cfg, 1), "source", "kind");
    is_str(mld_config_name(cfg, 1), "heise", "name");
    ok(mld_config_name(cfg, 0) == NULL, "a section without a name");
    int i = mld_config_find(cfg, "source", "heise");
    is_int(i, 1, "find by kind and name");
    is_str(mld_config_get(cfg, i, "url"), "https://example.org/feed.xml", "value trimmed");
    is_str(mld_config_get(cfg, i, "interval"), "300", "no spaces around '='");
    ok(mld_config_get(cfg, i, "nope") == NULL, "missing key is NULL");
    is_str(mld_config_get(cfg, 2, "url"), "  spaced  ", "quotes keep outer spaces");
    is_int(mld_config_find(cfg, "source", NULL), 1, "find the first of a kind");
    is_int(mld_config_find(cfg, "push", NULL), -1, "absent kind");
    is_int(mld_config_nkeys(cfg, 1), 2, "key count");
    is_str(mld_config_key(cfg, 1, 1), "interval", "key by position");
    is_str(mld_config_where(cfg, 1, "interval"), "t.conf:7", "where a key stands");
    is_str(mld_config_where(cfg, 1, NULL), "t.conf:5", "where a section starts");
    mld_config_free(cfg);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"url = x\n", "t.conf:1: a key before any [section]"},
        {"[site\n", "t.conf:1: section header without ']'"},
        {"[site]\njunk\n", "t.conf:2: expected 'key = value'"},
        {"[site]\na = 1\na = 2\n", "t.conf:3: key 'a' repeats line 2"},
        {"[source x]\n[source x]\n", "t.conf:2: section [source x] repeats line 1"},
        {"[so urce x]\n", "t.conf:1: a section is [kind] or [kind name]"},
        {"[site]\nb@d = 1\n", "t.conf:2: a key is letters"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        int rc = parse(bad[k].text, &cfg, &err);
        ok(rc == MLD_E_PARSE && strncmp(err.msg, bad[k].msg, strlen(bad[k].msg)) == 0,
           "rejected with a clear message: %s", err.msg);
        ok(cfg == NULL, "nothing returned on error");
    }
    char nul[] = "[site]\na = 1\0\n";
    ok(mld_config_parse(&cfg, "t.conf", nul, sizeof(nul) - 1, &err) == MLD_E_PARSE &&
           strstr(err.msg, "NUL") != NULL,
       "NUL byte rejected");
    /* Durations. */
    int secs = -1;
    ok(mld_config_secs("300", 0, 86400, &secs) == 0 && secs == 300, "300: seconds");
    ok(mld_config_secs("5m", 0, 86400, &secs) == 0 && secs == 300, "5m: minutes");
    ok(mld_config_secs("36h", 0, 3 * 86400, &secs) == 0 && secs == 129600, "36h: hours");
    ok(mld_config_secs("2d", 0, 3 * 86400, &secs) == 0 && secs == 172800, "2d: days");
    ok(mld_config_secs("40d", 0, 30 * 86400, &secs) == -1 && secs == 172800,
       "40d over a 30-day limit: refused, nothing set");
    ok(mld_config_secs("1w", 0, 30 * 86400, &secs) == -1, "an unknown unit: refused");
    ok(mld_config_secs("-1", 0, 30 * 86400, &secs) == -1, "a negative duration: refused");
    ok(mld_config_secs("", 0, 30 * 86400, &secs) == -1, "nothing: refused");
    ok(mld_config_load(&cfg, "/nonexistent/meldung.conf", &err) == MLD_E_IO &&
           strstr(err.msg, "/nonexistent/meldung.conf") != NULL,
       "missing file named: %s", err.msg);
    return mld_test_done();
}
