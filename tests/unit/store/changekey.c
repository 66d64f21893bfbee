/*
 * tests/unit/store/changekey.c - change keys are built and read in one
 * place: every kind round-trips, malformed keys are not mistaken for one,
 * and a name too long for a key gives the empty key callers skip.
 */
#include "../../../src/store/changekey.c"

#include <string.h>

#include "test.h"

int
main(void)
{
    int64_t id = 0;
    const char *name = NULL;

    is_str(mld_key_all().s, "all", "the key of every list");
    is_int(mld_key_parse("all", &id, &name), MLD_KEY_ALL, "all parses");

    is_str(mld_key_article(42).s, "a:42", "article key");
    is_int(mld_key_parse(mld_key_article(42).s, &id, &name), MLD_KEY_ARTICLE, "article parses");
    is_int(id, 42, "with its id");
    is_str(mld_key_story(INT64_MAX).s, "g:9223372036854775807", "story key, widest id");
    is_int(mld_key_parse("g:9223372036854775807", &id, NULL), MLD_KEY_STORY, "story parses");
    ok(id == INT64_MAX, "with its id");

    is_str(mld_key_section("ausland").s, "s:ausland", "section key");
    is_int(mld_key_parse("s:ausland", NULL, &name), MLD_KEY_SECTION, "section parses");
    is_str(name, "ausland", "with its slug");
    is_str(mld_key_topic("ukraine").s, "t:ukraine", "topic key");
    is_int(mld_key_parse("t:ukraine", NULL, &name), MLD_KEY_TOPIC, "topic parses");
    is_str(mld_key_month("2026-12").s, "m:2026-12", "month key");
    is_int(mld_key_parse("m:2026-12", NULL, &name), MLD_KEY_MONTH, "month parses");
    is_str(name, "2026-12", "with its month");

    is_str(mld_key_section(NULL).s, "", "no section: the empty key");
    char long_slug[MLD_SLUG_MAX + 16];
    memset(long_slug, 'x', sizeof(long_slug) - 1);
    long_slug[sizeof(long_slug) - 1] = '\0';
    is_str(mld_key_topic(long_slug).s, "", "a name longer than a slug: the empty key");
    long_slug[MLD_SLUG_MAX] = '\0';
    is_int((int)strlen(mld_key_topic(long_slug).s), MLD_SLUG_MAX + 2, "the longest slug fits");

    const char *bad[] = {"",    "a:", "a:0", "a:-3", "a:12x", "g:99999999999999999999",
                         "x:1", "a1", "*",   "site", "s:"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        is_int(mld_key_parse(bad[i], &id, &name), MLD_KEY_NONE, "'%s' is no key", bad[i]);
    return mld_test_done();
}
