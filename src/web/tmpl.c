/*
 * tmpl.c - Mustache templates compiled to flat op lists (see tmpl.h).
 *
 * Compiling makes three passes over the source:
 *
 *   1. lex: cut the source into tokens, text and tags. Text is cut after
 *      every newline, so a source line is a run of tokens ending with a
 *      text token that ends in '\n' (or with the last token). Set-delimiter
 *      tags take effect here; later passes never see delimiters.
 *   2. lines: a line holding only spaces and tabs plus at least one tag
 *      that prints nothing itself (section, inverted, close, partial,
 *      parent, block, comment, delimiter), and no section or block that
 *      both opens and closes on it, is standalone: its whitespace and
 *      newline are dropped, and its leading whitespace becomes the
 *      indentation of a partial or parent on it. On every other line the
 *      first token is marked "beginning of line" (bol).
 *   3. ops: tokens become an array of ops. An op with a body (section,
 *      inverted section, parent, block) holds the index of its END op, so
 *      rendering jumps over a body without scanning it. Adjacent text
 *      merges into one op.
 *
 * The ops (struct op):
 *
 *   TEXT      text = the bytes to copy
 *   VAR, RAW  seg/nseg = the dotted name (nseg 0 means "."); VAR escapes
 *   SECTION   seg/nseg, end = index of its END op; body = (op, end]
 *   INVERTED  as SECTION
 *   END       prints nothing; bol on it writes indentation inside the body
 *   PARTIAL   slot = the partial's slot in the set, text = indentation
 *   PARENT    slot, text, end; the BLOCKs directly in its body override
 *             the parent's blocks, everything else in the body is ignored
 *   BLOCK     name, end, text = indentation; the body is the default
 *
 * Partials are named, not linked: every distinct name, defined or only
 * referenced, has a slot in the set, and a PARTIAL op holds the slot's
 * number. Adding or replacing a template fills its slot, so templates may
 * be added in any order and nothing is patched afterwards.
 *
 * Indentation of standalone partials is applied while rendering, never by
 * recompiling: the render state carries the current indentation and
 * writes it before every op marked bol and after every newline inside a
 * text op, except a newline that ends the op (the op after it, if there is
 * one, is bol). That equals prefixing each line of the partial's source,
 * as the spec says, and interpolated values are never indented. Block
 * bodies are stored with their own indentation removed and get the
 * indentation of the block they fill, so an override lands at the depth of
 * the block it replaces.
 *
 * Every render is bounded: nesting by MLD_MAX_TEMPLATE_DEPTH (recursive
 * partials end there), work by MLD_MAX_TEMPLATE_STEPS ops, output by the
 * caller's buffer.
 *
 * Rendering only reads the set, the templates and the context; it writes
 * to its own stack frame and to the caller's buffer. A built set is
 * therefore shared by any number of rendering threads without locks.
 */
#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/str.h"

/* Longest name quoted in an error message. */
#define NAME_QUOTE_MAX 64

enum op_kind {
    OP_TEXT,
    OP_VAR,
    OP_RAW,
    OP_SECTION,
    OP_INVERTED,
    OP_END,
    OP_PARTIAL,
    OP_PARENT,
    OP_BLOCK,
};

struct op {
    uint8_t kind;        /* enum op_kind */
    uint8_t bol;         /* 1: starts a source line; write the indentation first */
    uint8_t standalone;  /* PARTIAL/PARENT/BLOCK on a standalone line */
    uint32_t line;       /* source line of the tag or text, from 1 */
    uint32_t end;        /* SECTION/INVERTED/PARENT/BLOCK: index of the END op */
    uint32_t slot;       /* PARTIAL/PARENT: slot number in the set */
    uint32_t seg;        /* VAR/RAW/SECTION/INVERTED: first name part in segs */
    uint32_t nseg;       /* number of name parts; 0 for "." */
    struct mld_str text; /* TEXT: the bytes; PARTIAL/PARENT/BLOCK: indentation */
    struct mld_str name; /* tag name as written, trimmed (not for TEXT) */
};

struct mld_tmpl {
    char *name;           /* name in the set, NUL-terminated */
    char *src;            /* own copy of the source; all slices point here */
    size_t src_len;       /* bytes in src, not counting the NUL */
    struct op *ops;       /* the program */
    uint32_t nops;        /* ops used */
    struct mld_str *segs; /* parts of dotted names, referenced by ops */
    uint32_t nsegs;       /* parts used */
};

struct slot {
    char *name;            /* NUL-terminated */
    size_t name_len;       /* bytes in name */
    struct mld_tmpl *tmpl; /* NULL while the name is only referenced */
};

struct mld_tmpl_set {
    struct slot *slots; /* by slot number; never shrinks */
    uint32_t nslots;    /* slots used */
    uint32_t cap;       /* slots allocated */
    uint32_t *index;    /* open addressing over names: slot number + 1, 0 = free */
    uint32_t index_cap; /* power of two, at least twice nslots */
};

/* Set and slots -------------------------------------------------------- */

/* FNV-1a: names are short and few; no need for anything stronger. */
static uint32_t
hash_name(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

/* Returns the slot number of name p[0..n), or -1. */
static long
slot_find(const struct mld_tmpl_set *set, const char *p, size_t n)
{
    if (set->index_cap == 0)
        return -1;
    uint32_t mask = set->index_cap - 1;
    for (uint32_t i = hash_name(p, n) & mask;; i = (i + 1) & mask) {
        uint32_t k = set->index[i];
        if (k == 0)
            return -1;
        const struct slot *s = &set->slots[k - 1];
        if (s->name_len == n && memcmp(s->name, p, n) == 0)
            return (long)(k - 1);
    }
}

static void
index_put(struct mld_tmpl_set *set, uint32_t k)
{
    uint32_t mask = set->index_cap - 1;
    const struct slot *s = &set->slots[k];
    uint32_t i = hash_name(s->name, s->name_len) & mask;
    while (set->index[i] != 0)
        i = (i + 1) & mask;
    set->index[i] = k + 1;
}

/* Returns the slot number of name p[0..n), creating an empty slot. */
static uint32_t
slot_get(struct mld_tmpl_set *set, const char *p, size_t n)
{
    long found = slot_find(set, p, n);
    if (found >= 0)
        return (uint32_t)found;
    if (set->nslots == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->slots = mld_reallocarray(set->slots, set->cap, sizeof(*set->slots));
    }
    uint32_t k = set->nslots++;
    set->slots[k].name = mld_strndup(p, n);
    set->slots[k].name_len = n;
    set->slots[k].tmpl = NULL;
    if ((size_t)set->nslots * 2 <= set->index_cap) {
        index_put(set, k);
        return k;
    }
    mld_free(set->index);
    set->index_cap = set->index_cap ? set->index_cap * 2 : 32;
    set->index = mld_calloc(set->index_cap, sizeof(*set->index));
    for (uint32_t i = 0; i < set->nslots; i++)
        index_put(set, i);
    return k;
}

static void
tmpl_free(struct mld_tmpl *t)
{
    if (t == NULL)
        return;
    mld_free(t->name);
    mld_free(t->src);
    mld_free(t->ops);
    mld_free(t->segs);
    mld_free(t);
}

struct mld_tmpl_set *
mld_tmpl_set_new(void)
{
    return MLD_NEW(struct mld_tmpl_set);
}

void
mld_tmpl_set_free(struct mld_tmpl_set *set)
{
    if (set == NULL)
        return;
    for (uint32_t i = 0; i < set->nslots; i++) {
        mld_free(set->slots[i].name);
        tmpl_free(set->slots[i].tmpl);
    }
    mld_free(set->slots);
    mld_free(set->index);
    mld_free(set);
}

int
mld_tmpl_set_has(const struct mld_tmpl_set *set, const char *name)
{
    long k = slot_find(set, name, strlen(name));
    return k >= 0 && set->slots[k].tmpl != NULL;
}

/* Compiler ------------------------------------------------------------- */

enum tok_kind {
    TK_TEXT,
    TK_VAR,
    TK_RAW,
    TK_SECTION,
    TK_INVERTED,
    TK_CLOSE,
    TK_PARTIAL,
    TK_PARENT,
    TK_BLOCK,
    TK_COMMENT,
    TK_DELIM,
};

struct tok {
    uint8_t kind;          /* enum tok_kind */
    uint8_t drop;          /* TEXT on a standalone line: not output */
    uint8_t standalone;    /* tag on a standalone line */
    uint8_t bol;           /* first token of a line that is not standalone */
    uint8_t first;         /* first token of its line */
    uint32_t line;         /* source line where the token starts */
    struct mld_str s;      /* TEXT: the bytes; tags: the trimmed name */
    struct mld_str lead;   /* the blanks that begin the token's line */
    struct mld_str indent; /* tag on a standalone line: the line's leading blanks */
};

struct compiler {
    const char *label;        /* file or template name for messages */
    struct mld_tmpl_set *set; /* partial names become slots here */
    struct mld_tmpl *t;       /* the template being built */
    struct tok *toks;         /* pass 1 output */
    uint32_t ntoks, toks_cap; /* used, allocated */
    uint32_t ops_cap;         /* ops allocated in t */
    uint32_t segs_cap;        /* segs allocated in t */
    struct mld_err *err;      /* receives the first error */
};

static int
quote_len(struct mld_str s)
{
    return (int)(s.len < NAME_QUOTE_MAX ? s.len : NAME_QUOTE_MAX);
}

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static struct tok *
tok_push(struct compiler *c, int kind, uint32_t line, struct mld_str s)
{
    if (c->ntoks == c->toks_cap) {
        c->toks_cap = c->toks_cap ? c->toks_cap * 2 : 64;
        c->toks = mld_reallocarray(c->toks, c->toks_cap, sizeof(*c->toks));
    }
    struct tok *tk = &c->toks[c->ntoks++];
    memset(tk, 0, sizeof(*tk));
    tk->kind = (uint8_t)kind;
    tk->line = line;
    tk->s = s;
    return tk;
}

/* Adds src[from..to) as text tokens cut after each newline; returns the
 * line number at to. */
static uint32_t
push_text(struct compiler *c, size_t from, size_t to, uint32_t line)
{
    const char *src = c->t->src;
    while (from < to) {
        const char *nl = memchr(src + from, '\n', to - from);
        size_t stop = nl ? (size_t)(nl - src) + 1 : to;
        tok_push(c, TK_TEXT, line, (struct mld_str){src + from, stop - from});
        if (nl)
            line++;
        from = stop;
    }
    return line;
}

/* Returns the offset of the next ctag at or after from whose preceding
 * byte (after from) is before, or any ctag when before is 0; SIZE_MAX when
 * there is none. */
static size_t
find_close(const char *src, size_t len, size_t from, struct mld_str ctag, char before)
{
    size_t at = from;
    while (at < len) {
        const char *q = memmem(src + at, len - at, ctag.p, ctag.len);
        if (q == NULL)
            return SIZE_MAX;
        size_t i = (size_t)(q - src);
        if (before == 0)
            return i;
        if (i > from && src[i - 1] == before)
            return i;
        at = i + 1;
    }
    return SIZE_MAX;
}

static struct mld_str
trim(const char *p, size_t n)
{
    while (n > 0 && is_blank(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    return (struct mld_str){p, n};
}

/* Parses the body of a {{=open close=}} tag into *otag and *ctag. */
static int
parse_delims(struct compiler *c, uint32_t line, struct mld_str body, struct mld_str *otag,
             struct mld_str *ctag)
{
    struct mld_str b = trim(body.p, body.len);
    size_t i = 0;
    while (i < b.len && !is_blank(b.p[i]))
        i++;
    struct mld_str o = {b.p, i};
    while (i < b.len && is_blank(b.p[i]))
        i++;
    struct mld_str k = {b.p + i, b.len - i};
    bool bad = o.len == 0 || k.len == 0 || memchr(o.p, '=', o.len) || memchr(k.p, '=', k.len);
    for (size_t j = 0; !bad && j < k.len; j++)
        bad = is_blank(k.p[j]);
    if (bad)
        return mld_err_set(c->err, MLD_E_TEMPLATE,
                           "%s: line %u: bad delimiters '%.*s' (want two words without "
                           "'=' or blanks)",
                           c->label, line, quote_len(body), body.p);
    *otag = o;
    *ctag = k;
    return 0;
}

/* Pass 1: source -> tokens. */
static int
lex(struct compiler *c)
{
    const char *src = c->t->src;
    size_t len = c->t->src_len;
    struct mld_str otag = MLD_STR_LIT("{{"), ctag = MLD_STR_LIT("}}");
    size_t pos = 0;
    uint32_t line = 1;

    while (pos < len) {
        const char *o = memmem(src + pos, len - pos, otag.p, otag.len);
        size_t tpos = o ? (size_t)(o - src) : len;
        line = push_text(c, pos, tpos, line);
        if (o == NULL)
            break;

        size_t p = tpos + otag.len;
        char sigil = p < len ? src[p] : '\0';
        int kind;
        char before = '\0';
        switch (sigil) {
        case '#': kind = TK_SECTION; break;
        case '^': kind = TK_INVERTED; break;
        case '/': kind = TK_CLOSE; break;
        case '>': kind = TK_PARTIAL; break;
        case '<': kind = TK_PARENT; break;
        case '$': kind = TK_BLOCK; break;
        case '&': kind = TK_RAW; break;
        case '!': kind = TK_COMMENT; break;
        case '{':
            kind = TK_RAW;
            before = '}';
            break;
        case '=':
            kind = TK_DELIM;
            before = '=';
            break;
        default: kind = TK_VAR; break;
        }
        size_t cstart = kind == TK_VAR ? p : p + 1;
        size_t cend = find_close(src, len, cstart, ctag, before);
        if (cend == SIZE_MAX)
            return mld_err_set(c->err, MLD_E_TEMPLATE, "%s: line %u: unclosed tag", c->label, line);
        size_t after = cend + ctag.len;
        if (before != '\0')
            cend--;
        struct mld_str body = {src + cstart, cend - cstart};

        if (kind == TK_DELIM) {
            int rc = parse_delims(c, line, body, &otag, &ctag);
            if (rc != 0)
                return rc;
            tok_push(c, kind, line, body);
        } else if (kind == TK_COMMENT) {
            tok_push(c, kind, line, body);
        } else {
            struct mld_str name = trim(body.p, body.len);
            if (name.len == 0)
                return mld_err_set(c->err, MLD_E_TEMPLATE, "%s: line %u: empty tag", c->label,
                                   line);
            for (size_t i = 0; i < name.len; i++)
                if (is_blank(name.p[i]))
                    return mld_err_set(c->err, MLD_E_TEMPLATE,
                                       "%s: line %u: blank inside tag name '%.*s'", c->label, line,
                                       quote_len(name), name.p);
            tok_push(c, kind, line, name);
        }
        for (size_t i = tpos; i < after; i++)
            if (src[i] == '\n')
                line++;
        pos = after;
    }
    return 0;
}

/* True for text that may sit on a standalone line: blanks, then at most a
 * line end. */
static bool
is_blank_text(struct mld_str s)
{
    size_t n = s.len;
    if (n > 0 && s.p[n - 1] == '\n') {
        n--;
        if (n > 0 && s.p[n - 1] == '\r')
            n--;
    }
    for (size_t i = 0; i < n; i++)
        if (s.p[i] != ' ' && s.p[i] != '\t')
            return false;
    return true;
}

/* Pass 2: find standalone lines; mark bol on the others.
 *
 * A line is standalone when it holds blanks and tags that print nothing,
 * and no section or block both opens and closes on it: that body is
 * inline content ("{{$b}}{{/b}}" keeps its line, "{{<p}}{{/p}}" does not,
 * since a parent's body is never printed). */
static void
mark_lines(struct compiler *c)
{
    uint32_t a = 0;
    while (a < c->ntoks) {
        uint32_t b = a;
        while (b < c->ntoks) {
            const struct tok *tk = &c->toks[b++];
            if (tk->kind == TK_TEXT && tk->s.p[tk->s.len - 1] == '\n')
                break;
        }
        struct mld_str lead = {c->toks[a].s.p, 0};
        if (c->toks[a].kind == TK_TEXT)
            while (lead.len < c->toks[a].s.len &&
                   (lead.p[lead.len] == ' ' || lead.p[lead.len] == '\t'))
                lead.len++;
        bool has_tag = false, standalone = true;
        uint8_t opened[16]; /* kinds opened on this line and not yet closed */
        int nopened = 0;
        for (uint32_t i = a; i < b; i++) {
            struct tok *tk = &c->toks[i];
            tk->lead = lead;
            switch (tk->kind) {
            case TK_TEXT: standalone = standalone && is_blank_text(tk->s); break;
            case TK_VAR:
            case TK_RAW: standalone = false; break;
            case TK_SECTION:
            case TK_INVERTED:
            case TK_BLOCK:
            case TK_PARENT:
                has_tag = true;
                if (nopened < (int)sizeof(opened))
                    opened[nopened++] = tk->kind;
                else
                    standalone = false;
                break;
            case TK_CLOSE:
                has_tag = true;
                if (nopened > 0 && opened[--nopened] != TK_PARENT)
                    standalone = false;
                break;
            default: has_tag = true; break;
            }
        }
        c->toks[a].first = 1;
        if (standalone && has_tag) {
            struct mld_str indent = {c->t->src, 0};
            if (c->toks[a].kind == TK_TEXT && c->toks[a].s.p[c->toks[a].s.len - 1] != '\n')
                indent = c->toks[a].s;
            for (uint32_t i = a; i < b; i++) {
                if (c->toks[i].kind == TK_TEXT) {
                    c->toks[i].drop = 1;
                } else {
                    c->toks[i].standalone = 1;
                    c->toks[i].indent = indent;
                }
            }
        } else {
            c->toks[a].bol = 1;
        }
        a = b;
    }
}

static struct op *
op_push(struct compiler *c, int kind, const struct tok *tk, bool bol)
{
    struct mld_tmpl *t = c->t;
    if (t->nops == c->ops_cap) {
        c->ops_cap = c->ops_cap ? c->ops_cap * 2 : 32;
        t->ops = mld_reallocarray(t->ops, c->ops_cap, sizeof(*t->ops));
    }
    struct op *op = &t->ops[t->nops++];
    memset(op, 0, sizeof(*op));
    op->kind = (uint8_t)kind;
    op->bol = bol;
    op->line = tk->line;
    if (kind == OP_TEXT)
        op->text = tk->s;
    else
        op->name = tk->s;
    return op;
}

/* Splits op's name at dots into segs ("." alone has no parts). */
static int
split_name(struct compiler *c, struct op *op)
{
    struct mld_tmpl *t = c->t;
    struct mld_str n = op->name;
    op->seg = t->nsegs;
    op->nseg = 0;
    if (n.len == 1 && n.p[0] == '.')
        return 0;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n.len && n.p[j] != '.')
            j++;
        if (j == i)
            return mld_err_set(c->err, MLD_E_TEMPLATE, "%s: line %u: bad name '%.*s'", c->label,
                               op->line, quote_len(n), n.p);
        if (t->nsegs == c->segs_cap) {
            c->segs_cap = c->segs_cap ? c->segs_cap * 2 : 32;
            t->segs = mld_reallocarray(t->segs, c->segs_cap, sizeof(*t->segs));
        }
        t->segs[t->nsegs++] = (struct mld_str){n.p + i, j - i};
        op->nseg++;
        if (j == n.len)
            return 0;
        i = j + 1;
    }
}

static const char *
section_word(int kind)
{
    switch (kind) {
    case OP_PARENT: return "parent";
    case OP_BLOCK: return "block";
    default: return "section";
    }
}

/* Drops up to n leading blanks of s. */
static struct mld_str
dedent(struct mld_str s, size_t n)
{
    while (n > 0 && s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
        n--;
    }
    return s;
}

/* The indentation of block token i: the blanks that begin the first line
 * of its body (the next line when the tag is standalone), less the
 * indentation already removed by enclosing blocks. */
static struct mld_str
block_indent(const struct compiler *c, uint32_t i, size_t removed)
{
    struct mld_str lead = c->toks[i].lead;
    if (c->toks[i].standalone) {
        uint32_t j = i + 1;
        while (j < c->ntoks && !c->toks[j].first)
            j++;
        lead = j < c->ntoks ? c->toks[j].lead : (struct mld_str){lead.p, 0};
    }
    size_t skip = lead.len < removed ? lead.len : removed;
    return (struct mld_str){lead.p + skip, lead.len - skip};
}

/* Pass 3: tokens -> ops.
 *
 * Block bodies are stored dedented: each line loses the block's own
 * indentation, which the renderer adds back at the block's site (or at
 * the site of the block it overrides). So an override written at one
 * indentation lands at the indentation of the block it replaces. */
static int
build_ops(struct compiler *c)
{
    uint32_t open[MLD_MAX_TEMPLATE_DEPTH];     /* ops waiting for their END */
    size_t removed_at[MLD_MAX_TEMPLATE_DEPTH]; /* removed before each opened */
    int nopen = 0;
    size_t removed = 0; /* blanks dropped from each line by enclosing blocks */
    bool bol = false;   /* the next op starts a line */

    for (uint32_t i = 0; i < c->ntoks; i++) {
        const struct tok *tk = &c->toks[i];
        struct mld_tmpl *t = c->t;
        struct op *op;
        int rc;
        if (tk->bol)
            bol = true;
        switch (tk->kind) {
        case TK_TEXT: {
            if (tk->drop)
                break;
            struct mld_str text = tk->first ? dedent(tk->s, removed) : tk->s;
            if (text.len == 0)
                break;
            op = t->nops ? &t->ops[t->nops - 1] : NULL;
            if (op && op->kind == OP_TEXT && op->text.p + op->text.len == text.p) {
                /* A newline inside the op stands for the bol. */
                op->text.len += text.len;
            } else {
                op_push(c, OP_TEXT, tk, bol)->text = text;
            }
            bol = false;
            break;
        }
        case TK_VAR:
        case TK_RAW:
            op = op_push(c, tk->kind == TK_VAR ? OP_VAR : OP_RAW, tk, bol);
            bol = false;
            rc = split_name(c, op);
            if (rc != 0)
                return rc;
            break;
        case TK_SECTION:
        case TK_INVERTED:
        case TK_PARENT:
        case TK_BLOCK:
            if (nopen == MLD_MAX_TEMPLATE_DEPTH)
                return mld_err_set(c->err, MLD_E_DEPTH, "%s: line %u: sections nest deeper than %d",
                                   c->label, tk->line, MLD_MAX_TEMPLATE_DEPTH);
            op = op_push(c,
                         tk->kind == TK_SECTION    ? OP_SECTION
                         : tk->kind == TK_INVERTED ? OP_INVERTED
                         : tk->kind == TK_PARENT   ? OP_PARENT
                                                   : OP_BLOCK,
                         tk, bol);
            bol = false;
            op->standalone = tk->standalone;
            removed_at[nopen] = removed;
            open[nopen++] = t->nops - 1;
            if (op->kind == OP_PARENT) {
                op->text = dedent(tk->indent, removed);
                op->slot = slot_get(c->set, tk->s.p, tk->s.len);
            } else if (op->kind == OP_BLOCK) {
                op->text = block_indent(c, i, removed);
                removed += op->text.len;
            } else {
                rc = split_name(c, op);
                if (rc != 0)
                    return rc;
            }
            break;
        case TK_CLOSE: {
            if (nopen == 0)
                return mld_err_set(c->err, MLD_E_TEMPLATE,
                                   "%s: line %u: close tag '%.*s' without an open section",
                                   c->label, tk->line, quote_len(tk->s), tk->s.p);
            const struct op *top = &t->ops[open[nopen - 1]];
            if (!mld_str_eq(top->name, tk->s))
                return mld_err_set(c->err, MLD_E_TEMPLATE,
                                   "%s: line %u: close tag '%.*s' does not match %s '%.*s' "
                                   "opened on line %u",
                                   c->label, tk->line, quote_len(tk->s), tk->s.p,
                                   section_word(top->kind), quote_len(top->name), top->name.p,
                                   top->line);
            op_push(c, OP_END, tk, bol);
            bol = false;
            nopen--;
            t->ops[open[nopen]].end = t->nops - 1;
            removed = removed_at[nopen];
            break;
        }
        case TK_PARTIAL:
            op = op_push(c, OP_PARTIAL, tk, bol);
            bol = false;
            op->standalone = tk->standalone;
            op->text = dedent(tk->indent, removed);
            op->slot = slot_get(c->set, tk->s.p, tk->s.len);
            break;
        default:
            /* Comments and delimiters print nothing; a bol passes to the
             * next op on the line. */
            break;
        }
    }
    if (nopen > 0) {
        const struct op *top = &c->t->ops[open[nopen - 1]];
        return mld_err_set(c->err, MLD_E_TEMPLATE, "%s: line %u: unclosed %s '%.*s'", c->label,
                           top->line, section_word(top->kind), quote_len(top->name), top->name.p);
    }
    return 0;
}

/* Compiles src[0..len) into set under name; label names it in messages. */
static int
add_labeled(struct mld_tmpl_set *set, const char *name, const char *label, const char *src,
            size_t len, struct mld_err *err)
{
    if (len > MLD_MAX_TEMPLATE_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: template has %zu bytes, more than %u", label,
                           len, MLD_MAX_TEMPLATE_BYTES);
    struct mld_tmpl *t = MLD_NEW(struct mld_tmpl);
    t->name = mld_strdup(name);
    t->src = mld_malloc(len + 1);
    if (len > 0)
        memcpy(t->src, src, len);
    t->src[len] = '\0';
    t->src_len = len;

    struct compiler c = {.label = label, .set = set, .t = t, .err = err};
    int rc = lex(&c);
    if (rc != 0)
        goto fail;
    mark_lines(&c);
    rc = build_ops(&c);
    if (rc != 0)
        goto fail;
    mld_free(c.toks);

    uint32_t k = slot_get(set, name, strlen(name));
    tmpl_free(set->slots[k].tmpl);
    set->slots[k].tmpl = t;
    return 0;

fail:
    mld_free(c.toks);
    tmpl_free(t);
    return rc;
}

int
mld_tmpl_set_add(struct mld_tmpl_set *set, const char *name, const char *src, size_t len,
                 struct mld_err *err)
{
    return add_labeled(set, name, name, src, len, err);
}

/* Reads path into a new buffer (free with mld_free), at most the template
 * limit. */
static int
read_file(const char *path, char **data, size_t *len, struct mld_err *err)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_TEMPLATE_BYTES);
    int rc = mld_buf_read_file(&b, path, err);
    if (rc != 0) {
        mld_buf_dispose(&b);
        return rc;
    }
    *data = mld_buf_steal(&b, len);
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mld_tmpl_set_load_dir(struct mld_tmpl_set *set, const char *dir, struct mld_err *err)
{
    static const char ext[] = ".mustache";
    const size_t ext_len = sizeof(ext) - 1;
    DIR *d = opendir(dir);
    if (d == NULL)
        return mld_err_set(err, MLD_E_IO, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        struct dirent *e = readdir(d);
        if (e == NULL)
            break;
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= ext_len || strcmp(e->d_name + l - ext_len, ext) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = mld_reallocarray(names, cap, sizeof(*names));
        }
        names[n++] = mld_strdup(e->d_name);
    }
    closedir(d);
    /* Sorted, so "the first error" is the same on every machine. */
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_names);

    int rc = 0;
    struct mld_buf path;
    mld_buf_init(&path, 4096);
    for (size_t i = 0; i < n && rc == 0; i++) {
        mld_buf_reset(&path);
        mld_buf_printf(&path, "%s/%s", dir, names[i]);
        if (mld_buf_error(&path) != 0) {
            rc = mld_err_set(err, MLD_E_TOOBIG, "%s: path too long", dir);
            break;
        }
        struct stat st;
        if (stat(path.p, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        char *data = NULL;
        size_t len = 0;
        rc = read_file(path.p, &data, &len, err);
        if (rc != 0)
            break;
        names[i][strlen(names[i]) - ext_len] = '\0';
        rc = add_labeled(set, names[i], path.p, data, len, err);
        mld_free(data);
    }
    mld_buf_dispose(&path);
    for (size_t i = 0; i < n; i++)
        mld_free(names[i]);
    mld_free(names);
    return rc;
}

/* Renderer ------------------------------------------------------------- */

/* A parent being rendered: the BLOCKs in its body override the ones met
 * while rendering the parent template. */
struct frame {
    const struct mld_tmpl *t; /* template holding the PARENT op */
    uint32_t op;              /* index of the PARENT op */
};

struct render {
    const struct mld_tmpl_set *set;
    const char *top;                             /* name of the rendered template */
    struct mld_buf *out;                         /* output; its error is sticky */
    struct mld_err *err;                         /* receives depth and step errors */
    json_t *stack[MLD_MAX_TEMPLATE_DEPTH + 1];   /* context stack, innermost last */
    uint32_t nstack;                             /* entries used */
    uint32_t depth;                              /* sections, partials, blocks entered */
    size_t steps;                                /* ops run so far */
    struct mld_str indent;                       /* written at the start of each line */
    struct frame frames[MLD_MAX_TEMPLATE_DEPTH]; /* parents, outermost first */
    uint32_t nframes;                            /* frames used */
    bool skip_bol; /* the next op continues a line: no indentation even if bol */
};

static int render_ops(struct render *r, const struct mld_tmpl *t, uint32_t from, uint32_t to);

/* Mustache truthiness for sections: missing, null, false, "" and [] are
 * false; everything else, 0 and {} included, is true. */
static bool
is_truthy(const json_t *v)
{
    if (v == NULL)
        return false;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE: return false;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_ARRAY: return json_array_size(v) > 0;
    default: return true;
    }
}

/* Resolves op's name against the context stack: the first part from the
 * innermost context that has it, the rest only inside that value. */
static json_t *
lookup(const struct render *r, const struct mld_tmpl *t, const struct op *op)
{
    if (op->nseg == 0)
        return r->nstack ? r->stack[r->nstack - 1] : NULL;
    const struct mld_str *seg = &t->segs[op->seg];
    json_t *v = NULL;
    for (uint32_t k = r->nstack; k-- > 0 && v == NULL;)
        if (json_is_object(r->stack[k]))
            v = json_object_getn(r->stack[k], seg[0].p, seg[0].len);
    for (uint32_t k = 1; v != NULL && k < op->nseg; k++)
        v = json_is_object(v) ? json_object_getn(v, seg[k].p, seg[k].len) : NULL;
    return v;
}

/* Writes a real in the shortest form that reads back the same (1.21, not
 * 1.2099999999999999), as JavaScript and the spec print it. */
static void
put_real(struct mld_buf *out, double v)
{
    char s[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(s, sizeof(s), "%.*g", prec, v);
        if (strtod(s, NULL) == v)
            break;
    }
    /* A locale with a decimal comma must not reach HTML. */
    for (int i = 0; i < n; i++)
        if (s[i] == ',')
            s[i] = '.';
    mld_buf_append(out, s, (size_t)n);
}

static void
put_value(struct mld_buf *out, const json_t *v, bool escape)
{
    char num[32];
    int n;
    if (v == NULL)
        return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (escape)
            mld_buf_append_html(out, json_string_value(v), json_string_length(v));
        else
            mld_buf_append(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        mld_buf_append(out, num, (size_t)n);
        break;
    case JSON_REAL: put_real(out, json_real_value(v)); break;
    case JSON_TRUE: mld_buf_append(out, "true", 4); break;
    case JSON_FALSE: mld_buf_append(out, "false", 5); break;
    default: break; /* null, objects and arrays print nothing */
    }
}

/* Copies text, writing the indentation after each newline that has more
 * text behind it in this op. */
static void
put_text(struct render *r, struct mld_str text)
{
    if (r->indent.len == 0) {
        mld_buf_append(r->out, text.p, text.len);
        return;
    }
    const char *p = text.p, *end = text.p + text.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL || nl + 1 == end) {
            mld_buf_append(r->out, p, (size_t)(end - p));
            return;
        }
        mld_buf_append(r->out, p, (size_t)(nl + 1 - p));
        mld_buf_append(r->out, r->indent.p, r->indent.len);
        p = nl + 1;
    }
}

/* Counts one level of nesting; fails beyond MLD_MAX_TEMPLATE_DEPTH. */
static int
enter(struct render *r, const struct mld_tmpl *t, const struct op *op)
{
    if (r->depth >= MLD_MAX_TEMPLATE_DEPTH)
        return mld_err_set(r->err, MLD_E_DEPTH,
                           "%s: line %u: sections and partials nest deeper than %d "
                           "(rendering '%s')",
                           t->name, op->line, MLD_MAX_TEMPLATE_DEPTH, r->top);
    r->depth++;
    return 0;
}

static int
render_section(struct render *r, const struct mld_tmpl *t, uint32_t i)
{
    const struct op *op = &t->ops[i];
    json_t *v = lookup(r, t, op);
    if (!is_truthy(v))
        return 0;
    int rc = enter(r, t, op);
    if (rc != 0)
        return rc;
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t k = 0; k < n && rc == 0; k++) {
            r->stack[r->nstack++] = json_array_get(v, k);
            rc = render_ops(r, t, i + 1, op->end + 1);
            r->nstack--;
        }
    } else {
        r->stack[r->nstack++] = v;
        rc = render_ops(r, t, i + 1, op->end + 1);
        r->nstack--;
    }
    r->depth--;
    return rc;
}

/* Sets the indentation to the current one plus extra; returns what to
 * pass to pop_indent(). */
static char *
push_indent(struct render *r, struct mld_str extra)
{
    if (extra.len == 0)
        return NULL;
    if (r->indent.len == 0) {
        r->indent = extra;
        return NULL;
    }
    /* Indentation inside indentation: the rare slow path. */
    char *joined = mld_malloc(r->indent.len + extra.len);
    memcpy(joined, r->indent.p, r->indent.len);
    memcpy(joined + r->indent.len, extra.p, extra.len);
    r->indent = (struct mld_str){joined, r->indent.len + extra.len};
    return joined;
}

static void
pop_indent(struct render *r, struct mld_str saved, char *joined)
{
    mld_free(joined);
    r->indent = saved;
}

/* Renders the template in op's slot (a partial or a parent). A standalone
 * tag indents every line of it; an inline one renders it unindented. */
static int
render_partial(struct render *r, const struct mld_tmpl *t, const struct op *op)
{
    const struct mld_tmpl *p = r->set->slots[op->slot].tmpl;
    if (p == NULL)
        return 0; /* missing partials render as nothing, as the spec says */
    int rc = enter(r, t, op);
    if (rc != 0)
        return rc;
    struct mld_str saved = r->indent;
    char *joined = NULL;
    if (op->standalone)
        joined = push_indent(r, op->text);
    else
        r->indent = (struct mld_str){NULL, 0};
    rc = render_ops(r, p, 0, p->nops);
    pop_indent(r, saved, joined);
    r->depth--;
    return rc;
}

/* Index of the op after i, skipping i's body. */
static uint32_t
next_op(const struct mld_tmpl *t, uint32_t i)
{
    switch (t->ops[i].kind) {
    case OP_SECTION:
    case OP_INVERTED:
    case OP_PARENT:
    case OP_BLOCK: return t->ops[i].end + 1;
    default: return i + 1;
    }
}

/* Renders block i: the override from the outermost parent that has one,
 * else the default body. The body (stored dedented) gets the site's
 * indentation; at an inline site its first line continues the site's
 * line and gets none. */
static int
render_block(struct render *r, const struct mld_tmpl *t, uint32_t i)
{
    const struct op *op = &t->ops[i];
    const struct mld_tmpl *bt = t;
    uint32_t bi = i;
    bool found = false;
    for (uint32_t f = 0; f < r->nframes && !found; f++) {
        const struct mld_tmpl *ft = r->frames[f].t;
        uint32_t end = ft->ops[r->frames[f].op].end;
        for (uint32_t j = r->frames[f].op + 1; j < end && !found; j = next_op(ft, j)) {
            if (ft->ops[j].kind == OP_BLOCK && mld_str_eq(ft->ops[j].name, op->name)) {
                bt = ft;
                bi = j;
                found = true;
            }
        }
    }
    int rc = enter(r, t, op);
    if (rc != 0)
        return rc;
    struct mld_str saved = r->indent;
    char *joined = push_indent(r, op->text);
    r->skip_bol = !op->standalone;
    rc = render_ops(r, bt, bi + 1, bt->ops[bi].end + 1);
    pop_indent(r, saved, joined);
    r->depth--;
    return rc;
}

static int
render_ops(struct render *r, const struct mld_tmpl *t, uint32_t from, uint32_t to)
{
    int rc = 0;
    for (uint32_t i = from; i < to && rc == 0; i++) {
        const struct op *op = &t->ops[i];
        if (++r->steps > MLD_MAX_TEMPLATE_STEPS)
            return mld_err_set(r->err, MLD_E_TOOBIG, "%s: rendering takes more than %u steps",
                               r->top, MLD_MAX_TEMPLATE_STEPS);
        if (r->out->err != 0)
            return r->out->err;
        bool skip = r->skip_bol;
        r->skip_bol = false;
        if (op->bol && r->indent.len > 0 && !skip)
            mld_buf_append(r->out, r->indent.p, r->indent.len);
        switch (op->kind) {
        case OP_TEXT: put_text(r, op->text); break;
        case OP_VAR: put_value(r->out, lookup(r, t, op), true); break;
        case OP_RAW: put_value(r->out, lookup(r, t, op), false); break;
        case OP_SECTION:
            rc = render_section(r, t, i);
            i = op->end;
            break;
        case OP_INVERTED:
            if (!is_truthy(lookup(r, t, op))) {
                rc = enter(r, t, op);
                if (rc == 0) {
                    rc = render_ops(r, t, i + 1, op->end + 1);
                    r->depth--;
                }
            }
            i = op->end;
            break;
        case OP_PARTIAL: rc = render_partial(r, t, op); break;
        case OP_PARENT:
            /* enter() in render_partial bounds nframes by the depth limit. */
            if (r->nframes < MLD_MAX_TEMPLATE_DEPTH) {
                r->frames[r->nframes++] = (struct frame){t, i};
                rc = render_partial(r, t, op);
                r->nframes--;
            } else {
                rc = enter(r, t, op);
            }
            i = op->end;
            break;
        case OP_BLOCK:
            rc = render_block(r, t, i);
            i = op->end;
            break;
        default: break; /* OP_END */
        }
    }
    return rc;
}

int
mld_tmpl_render(const struct mld_tmpl_set *set, const char *name, json_t *ctx, struct mld_buf *out,
                struct mld_err *err)
{
    long k = slot_find(set, name, strlen(name));
    if (k < 0 || set->slots[k].tmpl == NULL)
        return mld_err_set(err, MLD_E_NOTFOUND, "template '%s' not found", name);
    const struct mld_tmpl *t = set->slots[k].tmpl;
    struct render r;
    memset(&r, 0, sizeof(r));
    r.set = set;
    r.top = t->name;
    r.out = out;
    r.err = err;
    if (ctx != NULL)
        r.stack[r.nstack++] = ctx;
    int rc = render_ops(&r, t, 0, t->nops);
    if (rc == 0)
        rc = mld_buf_error(out);
    if (rc != 0 && rc == out->err)
        mld_err_set(err, rc, "%s: output exceeds %zu bytes", t->name, out->max);
    return rc;
}
