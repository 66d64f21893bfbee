/*
 * section.c - every article's section, in order of authority.
 *
 * mld_enrich_section() asks, in this order, and the first to answer
 * decides (a->section_by records which):
 *
 *   1. the operator's rules ([enrich] sections = FILE)      OPERATOR
 *   2. the section the source is configured with             SOURCE
 *   3. the default rules (data/sections.txt, compiled in)    AGENCY
 *   4. the text classifier (classify.c), when confident      CLASSIFIER
 *   5. else the fallback section MLD_SECTION_FALLBACK        NONE
 *
 * Rules map categories to sections. Parsers put the agency's
 * classification into article categories as "scheme:code" strings: dpa
 * rubrics ("rubric:weblines.infoline_rs.politik.ausland"), dpa desks
 * ("desk:pl"), IPTC codes ("subject:medtop:11000000"), and a feed's own
 * categories as "tag:NAME". Rules map them to the site's sections, in
 * priority order: the first rule that matches any of the article's
 * categories wins, so a rule's place in the list, not the order of the
 * categories, decides. A rule is one line "PATTERN = SECTION" (format in
 * data/sections.txt and docs/internals/sections.md); a pattern
 * "scheme:code" matches a category equal to it or continuing with '.',
 * or, written with a trailing '*', any category it begins. A pattern
 * "scheme~name" matches a category of that scheme whose text, or one of
 * its parts between '/', '>' or '|', is name when both are case-folded
 * and umlaut-folded ("tag~Börse" matches "tag:BOERSE" and
 * "tag:News / Börse"): feeds spell their categories every way. The
 * section "-" marks a category that says nothing (dpa's "topthemen"
 * aggregate): it is skipped and later rules see the others.
 *
 * The rules live in layers: the defaults (data/sections.txt, compiled in
 * and parsed once, on first use) at the bottom, and each operator file
 * (mld_sections_load) on top of what was there, so an operator's rule
 * beats every default one. A layer is immutable once built; loading
 * publishes a new top layer with one atomic store, so enrichment on other
 * threads never takes a lock. Layers are never freed: the process keeps
 * them until it exits (they are few and small).
 *
 * Within one file a rule that an earlier rule always beats (the earlier
 * pattern matches every category the later one does) is an error, not a
 * silent no-op: the order is the whole meaning of the file.
 */
#include "enrich.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "classify.h"
#include "data.h"

/* The name the default rules carry in messages. */
#define DEFAULTS_NAME "data/sections.txt"

struct rule {
    char *pattern; /* "scheme:code", without the trailing '*'; for a
                      folded rule "scheme:" and the folded name */
    size_t len;    /* strlen(pattern) */
    size_t scheme; /* length of "scheme:" */
    bool prefix;   /* written with a trailing '*': matches any continuation */
    bool folded;   /* written "scheme~name": matches folded names and parts */
    char *section; /* NULL for "-": the category is skipped */
    int line;      /* in its file, for messages */
};

struct layer {
    struct rule *rules; /* in priority order */
    int n;
    struct layer *next; /* the rules this layer goes ahead of; NULL at the bottom */
    bool operator;      /* an operator's file (else the defaults) */
};

static _Atomic(struct layer *) top;    /* the rules in force, highest priority first */
static struct layer *defaults;         /* the bottom layer (or NULL when it failed) */
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Frees l and its rules (not the layers below it). */
static void
layer_free(struct layer *l)
{
    if (l == NULL)
        return;
    for (int i = 0; i < l->n; i++) {
        mld_free(l->rules[i].pattern);
        mld_free(l->rules[i].section);
    }
    mld_free(l->rules);
    mld_free(l);
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* True for the bytes that separate the parts of a folded category's
 * name ("News/Politik", "Nachrichten > Welt", "Sport | Fußball"). */
static bool
is_part_sep(char c)
{
    return c == '/' || c == '>' || c == '|';
}

/* s[0..n) in lower case (Unicode), with umlauts and "ß" written out
 * ("ä" as "ae", so "Börse", "BOERSE" and "boerse" agree; a combining
 * diaeresis after a, o, u counts as the umlaut) and runs of blanks as one
 * space, trimmed; a new string (mld_free), or NULL when s is not UTF-8. */
static char *
fold_name(const char *s, size_t n)
{
    struct mld_buf b;
    mld_buf_init(&b, 4 * n + 16);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            mld_buf_dispose(&b);
            return NULL;
        }
        i += (size_t)k;
        cp = utf8proc_tolower(cp);
        if (cp == 0xe4 || cp == 0xf6 || cp == 0xfc) {
            mld_buf_putc(&b, cp == 0xe4 ? 'a' : cp == 0xf6 ? 'o' : 'u');
            mld_buf_putc(&b, 'e');
        } else if (cp == 0x308 && b.len > 0 && strchr("aou", b.p[b.len - 1]) != NULL) {
            mld_buf_putc(&b, 'e');
        } else if (cp == 0xdf || cp == 0x1e9e) {
            mld_buf_puts(&b, "ss");
        } else if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xa0) {
            if (b.len > 0 && b.p[b.len - 1] != ' ')
                mld_buf_putc(&b, ' ');
        } else {
            utf8proc_uint8_t enc[4];
            mld_buf_append(&b, enc, (size_t)utf8proc_encode_char(cp, enc));
        }
    }
    while (b.len > 0 && b.p[b.len - 1] == ' ')
        b.len--;
    if (b.p != NULL)
        b.p[b.len] = '\0';
    return mld_buf_steal(&b, NULL);
}

/* True when folded name rule r (its folded name f[0..fn)) is folded
 * category text t, or one of t's parts. */
static bool
folded_matches(const char *f, size_t fn, const char *t)
{
    for (const char *p = t;;) {
        const char *e = p;
        while (*e != '\0' && !is_part_sep(*e))
            e++;
        const char *b = p, *end = e;
        while (b < end && *b == ' ')
            b++;
        while (end > b && end[-1] == ' ')
            end--;
        if ((size_t)(end - b) == fn && memcmp(b, f, fn) == 0)
            return true;
        if (*e == '\0')
            return false;
        p = e + 1;
    }
}

/* True when rule r matches category cat; folded is cat's text folded
 * (fold_name of what follows the scheme), or NULL when not yet made:
 * then it is made for a folded rule, into *folded for the caller to free. */
static bool
rule_matches(const struct rule *r, const char *cat, char **folded)
{
    if (!r->folded)
        return strncmp(cat, r->pattern, r->len) == 0 &&
               (r->prefix || cat[r->len] == '\0' || cat[r->len] == '.');
    if (strncmp(cat, r->pattern, r->scheme) != 0)
        return false;
    if (*folded == NULL)
        *folded = fold_name(cat + r->scheme, strlen(cat + r->scheme));
    return *folded != NULL && folded_matches(r->pattern + r->scheme, r->len - r->scheme, *folded);
}

/* True when every category b matches is matched by a too, so that b can
 * never apply when a comes first. */
static bool
rule_covers(const struct rule *a, const struct rule *b)
{
    if (a->folded || b->folded)
        return a->folded && b->folded && a->len == b->len &&
               memcmp(a->pattern, b->pattern, a->len) == 0;
    if (b->len < a->len || memcmp(b->pattern, a->pattern, a->len) != 0)
        return false;
    if (a->prefix)
        return true;
    if (b->len == a->len)
        return !b->prefix;
    return b->pattern[a->len] == '.';
}

/* The first rule, from layer l down, that matches one of cats[0..n) not
 * skipped by a "-" rule before it, or NULL; *by_operator says whether it
 * is an operator's rule. */
static const struct rule *
find_rule(const struct layer *l, char *const *cats, int n, bool *by_operator)
{
    bool *skipped = NULL; /* allocated at the first "-" match */
    char **folded = NULL; /* the categories' folded names, made on demand */
    const struct rule *found = NULL;
    *by_operator = false;
    for (; l != NULL && found == NULL; l = l->next)
        for (int r = 0; r < l->n && found == NULL; r++)
            for (int i = 0; i < n && found == NULL; i++) {
                const struct rule *rule = &l->rules[r];
                if (rule->folded && folded == NULL)
                    folded = mld_calloc((size_t)n, sizeof(*folded));
                if ((skipped != NULL && skipped[i]) ||
                    !rule_matches(rule, cats[i], folded != NULL ? &folded[i] : NULL))
                    continue;
                if (rule->section != NULL) {
                    found = rule;
                    *by_operator = l->operator;
                } else {
                    if (skipped == NULL)
                        skipped = mld_calloc((size_t)n, sizeof(*skipped));
                    skipped[i] = true;
                }
            }
    for (int i = 0; folded != NULL && i < n; i++)
        mld_free(folded[i]);
    mld_free(folded);
    mld_free(skipped);
    return found;
}

/* Trims blanks off both ends of [*b, *e). */
static void
trim(const char **b, const char **e)
{
    while (*b < *e && is_blank(**b))
        (*b)++;
    while (*e > *b && is_blank((*e)[-1]))
        (*e)--;
}

/* Why s[0..n) cannot be part of a rule (invalid UTF-8, a control
 * character), or NULL when it can. */
static const char *
bad_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return "invalid UTF-8";
        if (cp < 0x20 || cp == 0x7f)
            return "a control character";
        i += (size_t)k;
    }
    return NULL;
}

/* Checks pattern p[0..n) and fills r's pattern fields. */
static int
parse_pattern(const char *where, const char *p, size_t n, struct rule *r, struct mld_err *err)
{
    size_t scheme = 0; /* p is a slice: no strcspn */
    while (scheme < n && p[scheme] != ':' && p[scheme] != '~')
        scheme++;
    if (scheme >= n || scheme == 0 ||
        strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") < scheme)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: pattern \"%.*s\" has no scheme (write scheme:code, e.g. "
                           "rubric:weblines.sportsline or desk:pl, or scheme~name, e.g. "
                           "tag~Politik)",
                           where, (int)(n > 80 ? 80 : n), p);
    r->scheme = scheme + 1;
    const char *star = memchr(p, '*', n);
    if (p[scheme] == '~') {
        if (star != NULL)
            return mld_err_set(err, MLD_E_PARSE, "%s: a scheme~name pattern takes no '*'", where);
        char *name = fold_name(p + scheme + 1, n - scheme - 1);
        if (name == NULL || name[0] == '\0') {
            mld_free(name);
            return mld_err_set(err, MLD_E_PARSE, "%s: pattern \"%.*s\" has no name after '~'",
                               where, (int)(n > 80 ? 80 : n), p);
        }
        struct mld_buf b;
        mld_buf_init(&b, 4 * n + 16);
        mld_buf_printf(&b, "%.*s:%s", (int)scheme, p, name);
        mld_free(name);
        r->folded = true;
        r->len = b.len;
        r->pattern = mld_buf_steal(&b, NULL);
        return 0;
    }
    if (star != NULL && star != p + n - 1)
        return mld_err_set(err, MLD_E_PARSE, "%s: '*' may only end a pattern", where);
    r->prefix = star != NULL;
    r->len = r->prefix ? n - 1 : n;
    r->pattern = mld_strndup(p, r->len);
    return 0;
}

/* Parses one "PATTERN = SECTION" line s[0..n) (trimmed, not a comment)
 * into r. */
static int
parse_line(const char *where, const char *s, size_t n, struct rule *r, struct mld_err *err)
{
    const char *why = bad_text(s, n);
    if (why != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: %s", where, why);
    const char *eq = memchr(s, '=', n);
    const char *pb = s, *pe = eq, *sb = eq + 1, *se = s + n;
    if (eq != NULL) {
        trim(&pb, &pe);
        trim(&sb, &se);
    }
    if (eq == NULL || pb == pe)
        return mld_err_set(err, MLD_E_PARSE, "%s: expected \"PATTERN = SECTION\", got \"%.*s\"",
                           where, (int)(n > 80 ? 80 : n), s);
    if (sb == se)
        return mld_err_set(err, MLD_E_PARSE, "%s: empty section name (write \"-\" for none)",
                           where);
    if ((size_t)(se - sb) > MLD_MAX_SECTION_NAME_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: section name longer than %d bytes", where,
                           MLD_MAX_SECTION_NAME_BYTES);
    int rc = parse_pattern(where, pb, (size_t)(pe - pb), r, err);
    if (rc == 0 && !(se - sb == 1 && *sb == '-'))
        r->section = mld_strndup(sb, (size_t)(se - sb));
    return rc;
}

/* Parses the rules in text[0..len), read from a file called name, into a
 * new layer *out (next NULL). Returns 0, or MLD_E_PARSE / MLD_E_TOOBIG
 * with err saying "name:line: reason". */
static int
parse_rules(const char *name, const char *text, size_t len, struct layer **out,
            struct mld_err *err)
{
    *out = NULL;
    if (len > MLD_MAX_SECTIONS_FILE_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: larger than %u bytes", name,
                           MLD_MAX_SECTIONS_FILE_BYTES);
    if (memchr(text, '\0', len) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: holds a NUL byte (not a text file)", name);
    struct layer *l = MLD_NEW(struct layer);
    int cap = 0, rc = 0, lineno = 0;
    for (const char *p = text, *end = text + len; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *b = p, *e = nl != NULL ? nl : end;
        p = nl != NULL ? nl + 1 : end;
        lineno++;
        trim(&b, &e);
        if (b == e || *b == '#')
            continue;
        char where[1100];
        snprintf(where, sizeof(where), "%.1024s:%d", name, lineno);
        if (l->n == MLD_MAX_SECTION_RULES) {
            rc = mld_err_set(err, MLD_E_TOOBIG, "%s: more than %d rules", where,
                             MLD_MAX_SECTION_RULES);
            break;
        }
        if (l->n == cap) {
            cap = cap ? 2 * cap : 64;
            l->rules = mld_reallocarray(l->rules, (size_t)cap, sizeof(*l->rules));
        }
        struct rule *r = &l->rules[l->n];
        *r = (struct rule){.line = lineno};
        rc = parse_line(where, b, (size_t)(e - b), r, err);
        if (rc == 0)
            l->n++;
        else
            mld_free(r->pattern);
        for (int i = 0; i < l->n - 1 && rc == 0; i++)
            if (rule_covers(&l->rules[i], r))
                rc = mld_err_set(err, MLD_E_PARSE,
                                 "%s: rule never applies: line %d (\"%s%s\") comes first and "
                                 "matches every category this one does",
                                 where, l->rules[i].line, l->rules[i].pattern,
                                 l->rules[i].prefix ? "*" : "");
    }
    if (rc != 0) {
        layer_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* Parses the compiled-in defaults into the bottom layer (once). */
static void
load_defaults(void)
{
    struct mld_err err = {0};
    if (parse_rules(DEFAULTS_NAME, mld_data_sections, sizeof(mld_data_sections) - 1, &defaults,
                    &err) != 0)
        mld_log_error("built-in section rules: %s; no default sections", err.msg);
    atomic_store(&top, defaults);
}

/* The rules in force, highest priority first. */
static const struct layer *
active(void)
{
    pthread_once(&defaults_once, load_defaults);
    return atomic_load(&top);
}

int
mld_sections_load(const char *path, struct mld_err *err)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_SECTIONS_FILE_BYTES);
    struct layer *l = NULL;
    int rc = mld_buf_read_file(&b, path, err);
    if (rc == 0)
        rc = parse_rules(path, b.p != NULL ? b.p : "", b.len, &l, err);
    mld_buf_dispose(&b);
    if (rc != 0)
        return rc;
    pthread_once(&defaults_once, load_defaults);
    l->operator = true;
    pthread_mutex_lock(&load_lock);
    l->next = atomic_load(&top);
    atomic_store(&top, l);
    pthread_mutex_unlock(&load_lock);
    mld_log_debug("%s: %d section rules ahead of the defaults", path, l->n);
    return 0;
}

const char *
mld_enrich_section(struct mld_article *a, const char *source_section)
{
    if (a->section != NULL)
        return a->section;
    bool by_operator = false;
    const struct rule *r = find_rule(active(), a->categories, a->ncategories, &by_operator);
    const char *classified = NULL;
    if (r != NULL && by_operator) {
        a->section = mld_strdup(r->section);
        a->section_by = MLD_SECTION_OPERATOR;
    } else if (source_section != NULL && source_section[0] != '\0') {
        a->section = mld_strdup(source_section);
        a->section_by = MLD_SECTION_SOURCE;
    } else if (r != NULL) {
        a->section = mld_strdup(r->section);
        a->section_by = MLD_SECTION_AGENCY;
    } else if ((classified = mld_classify_article(a, NULL)) != NULL) {
        a->section = mld_strdup(classified);
        a->section_by = MLD_SECTION_CLASSIFIER;
    } else {
        a->section = mld_strdup(MLD_SECTION_FALLBACK);
        a->section_by = MLD_SECTION_NONE;
    }
    return a->section;
}
