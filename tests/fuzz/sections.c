/*
 * tests/fuzz/sections.c - libFuzzer driver for the section-rules parser.
 *
 * The input is a rules file (data/sections.txt's format). The driver
 * compiles its own copy of src/enrich/section.c, with the two public
 * functions renamed so they do not clash with the library's, to reach the
 * parser directly: no temporary file, and no layer left behind per input.
 * A refused file must report its code with a message naming the source
 * ("fuzz:"); an accepted one must hold rules as the format promises
 * (a scheme, '*' never inside a pattern, a folded pattern in lower case
 * without umlauts, section names within the limit
 * and free of control characters, no rule hidden by an earlier one).
 * Then every line of the input, taken as a category, is matched against
 * the rules, for crashes only.
 */
#define mld_enrich_section fuzz_enrich_section
#define mld_sections_load fuzz_sections_load
#include "../../src/enrich/section.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* Aborts unless rule i of l keeps the format's promises. */
static void
check_rule(const struct layer *l, int i)
{
    const struct rule *r = &l->rules[i];
    const char *colon = strchr(r->pattern, ':');
    if (colon == NULL || colon == r->pattern || strchr(r->pattern, '*') != NULL ||
        strlen(r->pattern) != r->len || (size_t)(colon - r->pattern) + 1 != r->scheme)
        abort();
    if (r->folded) {
        char *again = fold_name(r->pattern + r->scheme, r->len - r->scheme);
        if (again == NULL || strcmp(again, r->pattern + r->scheme) != 0 || r->prefix)
            abort();
        mld_free(again);
    }
    if (r->section != NULL &&
        (r->section[0] == '\0' || strlen(r->section) > MLD_MAX_SECTION_NAME_BYTES ||
         bad_text(r->section, strlen(r->section)) != NULL || strcmp(r->section, "-") == 0))
        abort();
    for (int k = 0; k < i; k++)
        if (rule_covers(&l->rules[k], r))
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct layer *l = NULL;
    struct mld_err err = {0};
    int rc = parse_rules("fuzz", text, size, &l, &err);
    if (rc != 0) {
        if (rc > 0 || err.code != rc || strncmp(err.msg, "fuzz", 4) != 0 || l != NULL)
            abort();
        return 0;
    }
    if (l == NULL || l->n > MLD_MAX_SECTION_RULES)
        abort();
    for (int i = 0; i < l->n; i++)
        check_rule(l, i);
    /* The input's lines as categories (at most MLD_MAX_CATEGORIES). */
    char *copy = mld_strndup(text, size);
    char *cats[MLD_MAX_CATEGORIES];
    int n = 0;
    for (char *p = copy; p != NULL && n < MLD_MAX_CATEGORIES;) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        cats[n++] = p;
        p = nl != NULL ? nl + 1 : NULL;
    }
    bool by_operator;
    const struct rule *r = find_rule(l, cats, n, &by_operator);
    if (r != NULL && r->section == NULL)
        abort();
    mld_free(copy);
    layer_free(l);
    return 0;
}
