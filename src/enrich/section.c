/*
 * section.c - sections from agency categories.
 *
 * Parsers put the agency's classification into article categories as
 * "scheme:code" strings: dpa rubrics ("rubric:weblines.infoline_rs.politik.ausland"),
 * dpa desks ("desk:pl"). One table maps them to the site's sections, in
 * priority order: the first rule any category matches wins. Rubrics say
 * where dpa's editors placed the item and come first; the desk (the dpa
 * department that wrote it) is the fallback.
 */
#include "enrich.h"

#include <string.h>

#include "../base/mem.h"

/* X(pattern, section): pattern matches a category equal to it or
 * continuing with '.'. */
#define SECTION_RULES(X)                                   \
    X("rubric:weblines.infoline_rs.politik.ausland", "Ausland") \
    X("rubric:weblines.infoline_rs.politik.inland", "Inland")   \
    X("rubric:weblines.infoline_rs.politik", "Politik")         \
    X("rubric:weblines.newsscreen.boerse", "Boerse")            \
    X("rubric:weblines.newsscreen.wirtschaft", "Wirtschaft")    \
    X("rubric:weblines.infoline_rs.wirtschaft", "Wirtschaft")   \
    X("rubric:weblines.infoline_rs.sport", "Sport")             \
    X("rubric:weblines.sportsline", "Sport")                    \
    X("rubric:weblines.newsscreen.sport", "Sport")              \
    X("rubric:weblines.infoline_rs.panorama", "Panorama")       \
    X("rubric:weblines.newsscreen.vermischtes", "Panorama")     \
    X("rubric:weblines.infoline_rs.boulevard", "Panorama")      \
    X("rubric:weblines.infoline_rs.wissenschaft", "Wissenschaft") \
    X("rubric:weblines.infoline_rs.netzwelt", "Digital")        \
    X("rubric:weblines.serviceline.digitales", "Digital")       \
    X("rubric:weblines.starline", "Kultur")                     \
    X("rubric:weblines.regiolinegeo", "Regional")               \
    X("rubric:weblines.newsscreen.politik", "Politik")          \
    X("desk:pl", "Politik")                                     \
    X("desk:wi", "Wirtschaft")                                  \
    X("desk:sp", "Sport")                                       \
    X("desk:ku", "Kultur")                                      \
    X("desk:vm", "Panorama")                                    \
    X("desk:wss", "Wissenschaft")

struct rule {
    const char *pattern;
    const char *section;
};

static const struct rule rules[] = {
#define RULE_(p, s) {p, s},
    SECTION_RULES(RULE_)
#undef RULE_
};

static int
matches(const char *category, const char *pattern)
{
    size_t n = strlen(pattern);
    return strncmp(category, pattern, n) == 0 && (category[n] == '\0' || category[n] == '.');
}

const char *
mld_enrich_section(struct mld_article *a)
{
    if (a->section != NULL)
        return a->section;
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
        for (int i = 0; i < a->ncategories; i++)
            if (matches(a->categories[i], rules[r].pattern)) {
                a->section = mld_strdup(rules[r].section);
                return a->section;
            }
    return NULL;
}

void
mld_enrich(struct mld_article *a)
{
    mld_enrich_section(a);
}
