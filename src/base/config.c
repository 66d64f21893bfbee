/*
 * config.c - the configuration file reader (see config.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "mem.h"

struct entry {
    char *key, *value;
    int line;
};

struct section {
    char *kind, *name; /* name may be NULL */
    int line;
    struct entry *v;
    int n;
};

struct mld_config {
    char *path;
    struct section *s;
    int n;
};

void
mld_config_free(struct mld_config *cfg)
{
    if (cfg == NULL)
        return;
    for (int i = 0; i < cfg->n; i++) {
        struct section *sec = &cfg->s[i];
        for (int k = 0; k < sec->n; k++) {
            mld_free(sec->v[k].key);
            mld_free(sec->v[k].value);
        }
        mld_free(sec->v);
        mld_free(sec->kind);
        mld_free(sec->name);
    }
    mld_free(cfg->s);
    mld_free(cfg->path);
    mld_free(cfg);
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trims [*b, *e) in place. */
static void
trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

static int
valid_word(const char *b, const char *e)
{
    if (b == e)
        return 0;
    for (; b < e; b++)
        if (!((*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') || (*b >= '0' && *b <= '9') ||
              *b == '_' || *b == '-' || *b == '.'))
            return 0;
    return 1;
}

/* Parses one line into cfg. Returns 0 or MLD_E_PARSE with err set. */
static int
parse_line(struct mld_config *cfg, const char *b, const char *e, int line, struct mld_err *err)
{
    trim(&b, &e);
    if (b == e || *b == '#' || *b == ';')
        return 0;
    if (*b == '[') {
        if (e[-1] != ']')
            return mld_err_set(err, MLD_E_PARSE, "%s:%d: section header without ']'", cfg->path,
                               line);
        const char *kb = b + 1, *ke = e - 1;
        trim(&kb, &ke);
        const char *sp = kb;
        while (sp < ke && !is_space(*sp))
            sp++;
        const char *nb = sp, *ne = ke;
        trim(&nb, &ne);
        if (!valid_word(kb, sp) || (nb < ne && !valid_word(nb, ne)))
            return mld_err_set(err, MLD_E_PARSE,
                               "%s:%d: a section is [kind] or [kind name], in letters, digits, "
                               "'_', '-', '.'",
                               cfg->path, line);
        if (cfg->n >= MLD_MAX_CONFIG_SECTIONS)
            return mld_err_set(err, MLD_E_TOOBIG, "%s:%d: more than %d sections", cfg->path,
                               line, MLD_MAX_CONFIG_SECTIONS);
        cfg->s = mld_reallocarray(cfg->s, (size_t)cfg->n + 1, sizeof(*cfg->s));
        struct section *sec = &cfg->s[cfg->n++];
        memset(sec, 0, sizeof(*sec));
        sec->kind = mld_strndup(kb, (size_t)(sp - kb));
        sec->name = nb < ne ? mld_strndup(nb, (size_t)(ne - nb)) : NULL;
        sec->line = line;
        for (int i = 0; i < cfg->n - 1; i++)
            if (strcmp(cfg->s[i].kind, sec->kind) == 0 &&
                ((sec->name == NULL && cfg->s[i].name == NULL) ||
                 (sec->name != NULL && cfg->s[i].name != NULL &&
                  strcmp(cfg->s[i].name, sec->name) == 0)))
                return mld_err_set(err, MLD_E_PARSE, "%s:%d: section [%s%s%s] repeats line %d",
                                   cfg->path, line, sec->kind, sec->name ? " " : "",
                                   sec->name ? sec->name : "", cfg->s[i].line);
        return 0;
    }
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (eq == NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s:%d: expected 'key = value'", cfg->path, line);
    if (cfg->n == 0)
        return mld_err_set(err, MLD_E_PARSE, "%s:%d: a key before any [section]", cfg->path,
                           line);
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    if (!valid_word(kb, ke))
        return mld_err_set(err, MLD_E_PARSE, "%s:%d: a key is letters, digits, '_', '-', '.'",
                           cfg->path, line);
    if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
        vb++;
        ve--;
    }
    struct section *sec = &cfg->s[cfg->n - 1];
    for (int k = 0; k < sec->n; k++)
        if (strlen(sec->v[k].key) == (size_t)(ke - kb) &&
            memcmp(sec->v[k].key, kb, (size_t)(ke - kb)) == 0)
            return mld_err_set(err, MLD_E_PARSE, "%s:%d: key '%s' repeats line %d", cfg->path,
                               line, sec->v[k].key, sec->v[k].line);
    sec->v = mld_reallocarray(sec->v, (size_t)sec->n + 1, sizeof(*sec->v));
    sec->v[sec->n].key = mld_strndup(kb, (size_t)(ke - kb));
    sec->v[sec->n].value = mld_strndup(vb, (size_t)(ve - vb));
    sec->v[sec->n].line = line;
    sec->n++;
    return 0;
}

int
mld_config_parse(struct mld_config **out, const char *name, const char *text, size_t len,
                 struct mld_err *err)
{
    *out = NULL;
    struct mld_config *cfg = MLD_NEW(struct mld_config);
    cfg->path = mld_strdup(name);
    const char *p = text, *end = text + len;
    int line = 0, rc = 0;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        if (memchr(p, '\0', (size_t)(e - p)) != NULL)
            rc = mld_err_set(err, MLD_E_PARSE, "%s:%d: NUL byte", name, line);
        else
            rc = parse_line(cfg, p, e, line, err);
        p = nl ? nl + 1 : end;
    }
    if (rc != 0) {
        mld_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int
mld_config_load(struct mld_config **out, const char *path, struct mld_err *err)
{
    *out = NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_CONFIG_BYTES);
    int rc = mld_buf_read_file(&b, path, err);
    if (rc == 0)
        rc = mld_config_parse(out, path, b.p ? b.p : "", b.len, err);
    mld_buf_dispose(&b);
    return rc;
}

int
mld_config_count(const struct mld_config *cfg)
{
    return cfg->n;
}

const char *
mld_config_kind(const struct mld_config *cfg, int i)
{
    return cfg->s[i].kind;
}

const char *
mld_config_name(const struct mld_config *cfg, int i)
{
    return cfg->s[i].name;
}

int
mld_config_find(const struct mld_config *cfg, const char *kind, const char *name)
{
    for (int i = 0; i < cfg->n; i++)
        if (strcmp(cfg->s[i].kind, kind) == 0 &&
            (name == NULL || (cfg->s[i].name != NULL && strcmp(cfg->s[i].name, name) == 0)))
            return i;
    return -1;
}

static const struct entry *
find_key(const struct mld_config *cfg, int i, const char *key)
{
    for (int k = 0; k < cfg->s[i].n; k++)
        if (strcmp(cfg->s[i].v[k].key, key) == 0)
            return &cfg->s[i].v[k];
    return NULL;
}

const char *
mld_config_get(const struct mld_config *cfg, int i, const char *key)
{
    const struct entry *e = find_key(cfg, i, key);
    return e ? e->value : NULL;
}

int
mld_config_nkeys(const struct mld_config *cfg, int i)
{
    return cfg->s[i].n;
}

const char *
mld_config_key(const struct mld_config *cfg, int i, int k)
{
    return cfg->s[i].v[k].key;
}

/* The section of cfg (NULL: none) of exactly kind and name (NULL: none),
 * or -1. */
static int
find_exact(const struct mld_config *cfg, const char *kind, const char *name)
{
    for (int i = 0; cfg != NULL && i < cfg->n; i++)
        if (strcmp(cfg->s[i].kind, kind) == 0 &&
            (name == NULL ? cfg->s[i].name == NULL
                          : cfg->s[i].name != NULL && strcmp(cfg->s[i].name, name) == 0))
            return i;
    return -1;
}

/* Reports the keys of section i of a whose value in section j of b (-1:
 * none) differs; with both, also b's keys that a lacks. */
static void
diff_section(const struct mld_config *a, int i, const struct mld_config *b, int j,
             void (*fn)(void *, const char *, const char *, const char *), void *ud)
{
    for (int k = 0; k < a->s[i].n; k++) {
        const struct entry *e = &a->s[i].v[k];
        const struct entry *f = j >= 0 ? find_key(b, j, e->key) : NULL;
        if (f == NULL || strcmp(e->value, f->value) != 0)
            fn(ud, a->s[i].kind, a->s[i].name, e->key);
    }
    for (int k = 0; j >= 0 && k < b->s[j].n; k++)
        if (find_key(a, i, b->s[j].v[k].key) == NULL)
            fn(ud, b->s[j].kind, b->s[j].name, b->s[j].v[k].key);
}

void
mld_config_diff(const struct mld_config *a, const struct mld_config *b,
                void (*fn)(void *ud, const char *kind, const char *name, const char *key),
                void *ud)
{
    for (int i = 0; a != NULL && i < a->n; i++)
        if (find_exact(a, a->s[i].kind, a->s[i].name) == i) /* the first of a duplicate */
            diff_section(a, i, b, find_exact(b, a->s[i].kind, a->s[i].name), fn, ud);
    for (int j = 0; b != NULL && j < b->n; j++)
        if (find_exact(b, b->s[j].kind, b->s[j].name) == j &&
            find_exact(a, b->s[j].kind, b->s[j].name) < 0)
            diff_section(b, j, NULL, -1, fn, ud);
}

const char *
mld_config_where(const struct mld_config *cfg, int i, const char *key)
{
    static _Thread_local char where[512];
    const struct entry *e = key ? find_key(cfg, i, key) : NULL;
    snprintf(where, sizeof(where), "%s:%d", cfg->path, e ? e->line : cfg->s[i].line);
    return where;
}

int
mld_config_secs(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || v < 0 || v > 1000000)
        return -1;
    if (*end == 'm')
        v *= 60, end++;
    else if (*end == 'h')
        v *= 3600, end++;
    else if (*end == 'd')
        v *= 86400, end++;
    else if (*end == 's')
        end++;
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}
