/*
 * sanitize.c - agency HTML to safe HTML, and HTML to plain text (see
 * sanitize.h).
 *
 * How it works, in three steps:
 *
 * 1. A pre-scan (prescan()) reads the fragment once, without building a
 *    tree, and rejects input nested deeper than MLD_MAX_DEPTH. It exists
 *    because gumbo's tree builder walks the stack of open elements for
 *    nearly every start tag ("is there a p in button scope?"): 30,000
 *    nested <div>s take a second, 100,000 take half a minute, and a
 *    16 MiB document of them would take hours. The scan keeps a small
 *    model of that stack which errs on the deep side: it pops an element
 *    only where the HTML5 tree builder certainly pops it too (a matching
 *    end tag with no scope boundary in between; the implied closes of p,
 *    li, dd, dt, option, tr, td, th and table), and it models the list of
 *    active formatting elements, whose reconstruction re-opens <b>, <i> ...
 *    after a misnested end tag. Void elements, comments, and the contents
 *    of raw-text elements (script, style, textarea ...) do not nest. The
 *    model does not honour "<x/>" inside svg and math, so an inline SVG
 *    with more than MLD_MAX_DEPTH self-closed children is rejected too
 *    (its content would be dropped anyway).
 *
 * 2. gumbo parses the fragment as a whole document (Debian's gumbo 0.10.1
 *    has no fragment entry point, and its fragment_context option mishandles
 *    foreign content), with error recording off: gumbo copies the open
 *    element stack into every parse error, which costs memory quadratic in
 *    the depth. The children of <body> are the fragment.
 *
 * 3. A recursive walk over the tree writes the result. Each element is
 *    kept (allow-list), dropped with its content (script, style, forms,
 *    embedded content, svg, math, metadata), or unwrapped (content kept,
 *    tag dropped: section, div, span, font, ...). h1 becomes h2: the page
 *    has its own h1, the headline, and agency bodies put their own title
 *    there at most. Attributes are kept only from a short per-element list
 *    (a@href, a@title, abbr@title, td/th@colspan/rowspan, time@datetime,
 *    q/blockquote@cite, img@src/alt/width/height/srcset/loading); URLs
 *    must be relative or http, https, mailto. An <img> is kept only with
 *    an absolute http(s) src (a relative one too under
 *    MLD_SANITIZE_RELATIVE_IMG) and without the marks of a tracking pixel
 *    (width or height 0 or 1); a srcset survives only when every
 *    candidate is an absolute http(s) URL with a w or x descriptor.
 *    Paragraphs with neither text nor a kept image are dropped. The plain text is
 *    a second walk over the same tree (block elements end lines,
 *    whitespace folds), so mld_sanitize_html_text() gets both outputs of
 *    one parse: parsing is nearly all of the cost.
 *
 * The allow-list, the drop list and the tree-builder classes the pre-scan
 * needs are one table, tag_flags[], indexed by gumbo's tag enum.
 */
#include "sanitize.h"

#include <gumbo.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/text.h"

/* Tag classes -------------------------------------------------------------- */

enum {
    T_ALLOW = 1 << 0,    /* kept by the sanitiser */
    T_DROP = 1 << 1,     /* dropped with everything inside */
    T_BLOCK = 1 << 2,    /* a line break before and after in plain text */
    T_VOID = 1 << 3,     /* no content, no end tag */
    T_SPECIAL = 1 << 4,  /* "special" in the HTML5 tree builder */
    T_FORMAT = 1 << 5,   /* a formatting element (reconstructed after misnesting) */
    T_CLOSEP = 1 << 6,   /* its start tag closes an open p */
    T_NORECON = 1 << 7,  /* its start tag does not reconstruct formatting */
    T_SCOPE = 1 << 8,    /* a boundary of the default element scope */
    T_TABLEEND = 1 << 9, /* its end tag pops through anything but a table */
    T_RAW = 1 << 10,     /* its content is text up to its own end tag */
    T_CELLISH = 1 << 11, /* td, th */
};

#define BLOCKP (T_SPECIAL | T_CLOSEP | T_NORECON | T_BLOCK)

static const uint16_t tag_flags[GUMBO_TAG_LAST + 1] = {
    [GUMBO_TAG_HTML] = T_SPECIAL | T_SCOPE,
    [GUMBO_TAG_HEAD] = T_DROP | T_SPECIAL,
    [GUMBO_TAG_TITLE] = T_DROP | T_SPECIAL | T_RAW | T_SCOPE,
    [GUMBO_TAG_BASE] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_LINK] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_META] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_STYLE] = T_DROP | T_SPECIAL | T_RAW,
    [GUMBO_TAG_SCRIPT] = T_DROP | T_SPECIAL | T_RAW,
    [GUMBO_TAG_NOSCRIPT] = T_DROP | T_SPECIAL,
    [GUMBO_TAG_TEMPLATE] = T_DROP | T_SPECIAL | T_SCOPE,
    [GUMBO_TAG_BODY] = T_SPECIAL,
    [GUMBO_TAG_ARTICLE] = BLOCKP,
    [GUMBO_TAG_SECTION] = BLOCKP,
    [GUMBO_TAG_NAV] = BLOCKP,
    [GUMBO_TAG_ASIDE] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_H1] = BLOCKP,
    [GUMBO_TAG_H2] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_H3] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_H4] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_H5] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_H6] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_HGROUP] = BLOCKP,
    [GUMBO_TAG_HEADER] = BLOCKP,
    [GUMBO_TAG_FOOTER] = BLOCKP,
    [GUMBO_TAG_ADDRESS] = BLOCKP,
    [GUMBO_TAG_P] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_HR] = BLOCKP | T_ALLOW | T_VOID,
    [GUMBO_TAG_PRE] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_BLOCKQUOTE] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_OL] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_UL] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_LI] = T_SPECIAL | T_NORECON | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_DL] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_DT] = T_SPECIAL | T_NORECON | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_DD] = T_SPECIAL | T_NORECON | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_FIGURE] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_FIGCAPTION] = BLOCKP | T_ALLOW,
    [GUMBO_TAG_MAIN] = BLOCKP,
    [GUMBO_TAG_DIV] = BLOCKP,
    [GUMBO_TAG_A] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_EM] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_STRONG] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_SMALL] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_S] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_CITE] = T_ALLOW,
    [GUMBO_TAG_Q] = T_ALLOW,
    [GUMBO_TAG_ABBR] = T_ALLOW,
    [GUMBO_TAG_TIME] = T_ALLOW,
    [GUMBO_TAG_CODE] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_SUB] = T_ALLOW,
    [GUMBO_TAG_SUP] = T_ALLOW,
    [GUMBO_TAG_I] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_B] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_U] = T_FORMAT | T_ALLOW,
    [GUMBO_TAG_MARK] = T_ALLOW,
    [GUMBO_TAG_BR] = T_SPECIAL | T_VOID | T_ALLOW,
    [GUMBO_TAG_WBR] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_INS] = T_ALLOW,
    [GUMBO_TAG_DEL] = T_ALLOW,
    [GUMBO_TAG_IMAGE] = T_VOID,
    [GUMBO_TAG_IMG] = T_SPECIAL | T_VOID | T_ALLOW,
    [GUMBO_TAG_IFRAME] = T_DROP | T_SPECIAL | T_RAW,
    [GUMBO_TAG_EMBED] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_OBJECT] = T_DROP | T_SPECIAL | T_SCOPE,
    [GUMBO_TAG_PARAM] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_SOURCE] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_TRACK] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_AREA] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_MATH] = T_DROP,
    [GUMBO_TAG_MI] = T_SCOPE,
    [GUMBO_TAG_MO] = T_SCOPE,
    [GUMBO_TAG_MN] = T_SCOPE,
    [GUMBO_TAG_MS] = T_SCOPE,
    [GUMBO_TAG_MTEXT] = T_SCOPE,
    [GUMBO_TAG_ANNOTATION_XML] = T_SCOPE,
    [GUMBO_TAG_SVG] = T_DROP,
    [GUMBO_TAG_FOREIGNOBJECT] = T_SCOPE,
    [GUMBO_TAG_DESC] = T_SCOPE,
    [GUMBO_TAG_TABLE] = T_SPECIAL | T_NORECON | T_SCOPE | T_TABLEEND | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_CAPTION] = T_SPECIAL | T_NORECON | T_SCOPE | T_TABLEEND | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_COLGROUP] = T_SPECIAL | T_NORECON,
    [GUMBO_TAG_COL] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_TBODY] = T_SPECIAL | T_NORECON | T_TABLEEND | T_ALLOW,
    [GUMBO_TAG_THEAD] = T_SPECIAL | T_NORECON | T_TABLEEND | T_ALLOW,
    [GUMBO_TAG_TFOOT] = T_SPECIAL | T_NORECON | T_TABLEEND | T_ALLOW,
    [GUMBO_TAG_TR] = T_SPECIAL | T_NORECON | T_TABLEEND | T_BLOCK | T_ALLOW,
    [GUMBO_TAG_TD] = T_SPECIAL | T_NORECON | T_SCOPE | T_TABLEEND | T_CELLISH | T_ALLOW,
    [GUMBO_TAG_TH] = T_SPECIAL | T_NORECON | T_SCOPE | T_TABLEEND | T_CELLISH | T_ALLOW,
    [GUMBO_TAG_FORM] = T_DROP | BLOCKP,
    [GUMBO_TAG_FIELDSET] = BLOCKP,
    [GUMBO_TAG_INPUT] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_BUTTON] = T_DROP | T_SPECIAL,
    [GUMBO_TAG_SELECT] = T_DROP | T_SPECIAL,
    [GUMBO_TAG_TEXTAREA] = T_DROP | T_SPECIAL | T_RAW,
    [GUMBO_TAG_KEYGEN] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_DETAILS] = BLOCKP,
    [GUMBO_TAG_SUMMARY] = BLOCKP,
    [GUMBO_TAG_MENU] = BLOCKP,
    [GUMBO_TAG_APPLET] = T_DROP | T_SPECIAL | T_SCOPE,
    [GUMBO_TAG_BGSOUND] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_DIR] = BLOCKP,
    [GUMBO_TAG_FRAME] = T_DROP | T_SPECIAL | T_VOID,
    [GUMBO_TAG_FRAMESET] = T_DROP | T_SPECIAL,
    [GUMBO_TAG_NOFRAMES] = T_SPECIAL | T_RAW,
    [GUMBO_TAG_ISINDEX] = T_SPECIAL,
    [GUMBO_TAG_LISTING] = BLOCKP,
    [GUMBO_TAG_XMP] = T_SPECIAL | T_CLOSEP | T_RAW | T_BLOCK,
    [GUMBO_TAG_NOEMBED] = T_SPECIAL | T_RAW,
    [GUMBO_TAG_PLAINTEXT] = BLOCKP,
    [GUMBO_TAG_STRIKE] = T_FORMAT,
    [GUMBO_TAG_BASEFONT] = T_SPECIAL | T_VOID,
    [GUMBO_TAG_BIG] = T_FORMAT,
    [GUMBO_TAG_CENTER] = BLOCKP,
    [GUMBO_TAG_FONT] = T_FORMAT,
    [GUMBO_TAG_MARQUEE] = T_SPECIAL | T_SCOPE,
    [GUMBO_TAG_NOBR] = T_FORMAT,
    [GUMBO_TAG_TT] = T_FORMAT,
};

static unsigned
flags_of(GumboTag tag)
{
    return (unsigned)tag <= GUMBO_TAG_LAST ? tag_flags[tag] : 0;
}

/* Step 1: the nesting pre-scan --------------------------------------------- */

/* One open element in the model. Unknown tags are told apart by a hash of
 * their lower-cased name. */
struct scan_el {
    GumboTag tag;
    uint32_t name_hash;
    int afe; /* index into the formatting list, or -1 */
};

/* One entry of the list of active formatting elements. */
struct scan_fmt {
    GumboTag tag;
    uint32_t attr_hash; /* order-independent hash of the raw attributes */
    int el;             /* index in the open-element stack, or -1 when closed */
};

struct scan {
    const char *p, *end;
    struct scan_el st[MLD_MAX_DEPTH + 1]; /* open elements, bottom first */
    int depth;
    int deepest;                            /* most open elements seen at once */
    struct scan_fmt fmt[2 * MLD_MAX_DEPTH]; /* active formatting elements */
    int nfmt;
    int nmodal;   /* open select, template, frameset: see is_modal() */
    int nforeign; /* open svg/math: their void names nest */
    bool careful; /* svg, math or a modal element appeared: see prescan() */
    bool too_deep;
};

/* A parsed tag: name class and the facts the model needs. */
struct scan_tag {
    GumboTag tag;
    uint32_t name_hash;
    uint32_t attr_hash;
    bool end;
};

static uint32_t
fnv1a(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Elements inside which the tree builder ignores most tags (select,
 * frameset) or switches modes (template): the model neither pops through
 * them nor trusts raw-text start tags inside them. */
static bool
is_modal(GumboTag tag)
{
    return tag == GUMBO_TAG_SELECT || tag == GUMBO_TAG_TEMPLATE || tag == GUMBO_TAG_FRAMESET;
}

static bool
same_el(const struct scan_el *e, const struct scan_tag *t)
{
    return e->tag == t->tag && (t->tag != GUMBO_TAG_UNKNOWN || e->name_hash == t->name_hash);
}

static void
scan_push(struct scan *s, GumboTag tag, uint32_t name_hash, int afe)
{
    if (s->depth >= MLD_MAX_DEPTH) {
        s->too_deep = true;
        return;
    }
    s->st[s->depth] = (struct scan_el){tag, name_hash, afe};
    s->depth++;
    if (s->depth > s->deepest)
        s->deepest = s->depth;
    if (afe >= 0)
        s->fmt[afe].el = s->depth - 1;
    if (is_modal(tag)) {
        s->nmodal++;
        s->careful = true;
    }
    if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH)
        s->nforeign++;
}

/* Pops open elements until depth is n. Formatting elements stay in the
 * formatting list (closed), to be reconstructed later, as in HTML5. */
static void
scan_pop_to(struct scan *s, int n)
{
    while (s->depth > n) {
        struct scan_el *e = &s->st[--s->depth];
        if (e->afe >= 0)
            s->fmt[e->afe].el = -1;
        if (is_modal(e->tag))
            s->nmodal--;
        if (e->tag == GUMBO_TAG_SVG || e->tag == GUMBO_TAG_MATH)
            s->nforeign--;
    }
}

static void
fmt_remove(struct scan *s, int i)
{
    if (s->fmt[i].el >= 0)
        s->st[s->fmt[i].el].afe = -1;
    for (int j = i + 1; j < s->nfmt; j++) {
        s->fmt[j - 1] = s->fmt[j];
        if (s->fmt[j - 1].el >= 0)
            s->st[s->fmt[j - 1].el].afe = j - 1;
    }
    s->nfmt--;
}

/* Re-opens every closed formatting element, as the tree builder does before
 * text and most start tags. */
static void
scan_reconstruct(struct scan *s)
{
    for (int i = 0; i < s->nfmt && !s->too_deep; i++)
        if (s->fmt[i].el < 0)
            scan_push(s, s->fmt[i].tag, 0, i);
}

/* Finds the open element matching t, walking down from the top. Stops
 * (returns -1) at a modal element (an option may leave a select), and at
 * any element whose flags meet stop. */
static int
scan_find(const struct scan *s, const struct scan_tag *t, unsigned stop)
{
    for (int i = s->depth - 1; i >= 0; i--) {
        const struct scan_el *e = &s->st[i];
        if (same_el(e, t))
            return i;
        if (is_modal(e->tag) && !(e->tag == GUMBO_TAG_SELECT &&
                                  (t->tag == GUMBO_TAG_OPTION || t->tag == GUMBO_TAG_OPTGROUP)))
            return -1;
        if (flags_of(e->tag) & stop)
            return -1;
    }
    return -1;
}

/* Start tags that close an open element of their own kind first. */
static void
scan_implied_close(struct scan *s, GumboTag tag)
{
    unsigned f = flags_of(tag);
    int top = s->depth - 1;
    if (top < 0)
        return;
    GumboTag cur = s->st[top].tag;
    if ((f & T_CLOSEP) && cur == GUMBO_TAG_P) {
        scan_pop_to(s, top);
        return;
    }
    if (tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6 && cur >= GUMBO_TAG_H1 && cur <= GUMBO_TAG_H6) {
        scan_pop_to(s, top);
        return;
    }
    if ((tag == GUMBO_TAG_OPTION || tag == GUMBO_TAG_OPTGROUP) && cur == GUMBO_TAG_OPTION) {
        scan_pop_to(s, top);
        return;
    }
    if (tag == GUMBO_TAG_OPTGROUP && cur == GUMBO_TAG_OPTGROUP) {
        scan_pop_to(s, top);
        return;
    }
    if (tag == GUMBO_TAG_LI || tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT) {
        for (int i = top; i >= 0; i--) {
            GumboTag t = s->st[i].tag;
            bool hit =
                tag == GUMBO_TAG_LI ? t == GUMBO_TAG_LI : (t == GUMBO_TAG_DD || t == GUMBO_TAG_DT);
            if (hit) {
                scan_pop_to(s, i);
                return;
            }
            if (t == GUMBO_TAG_SVG || t == GUMBO_TAG_MATH || is_modal(t))
                return;
            if ((flags_of(t) & T_SPECIAL) && t != GUMBO_TAG_ADDRESS && t != GUMBO_TAG_DIV &&
                t != GUMBO_TAG_P)
                return;
        }
        return;
    }
    /* Table parts: a new cell closes the open cell, a new row the open
     * row, a new section everything down to the table, a new table (not
     * inside a cell) the open table. */
    GumboTag want1 = GUMBO_TAG_LAST, want2 = GUMBO_TAG_LAST;
    bool keep = false; /* pop down to the hit, but keep it open */
    unsigned pass = 0; /* what the walk may pass */
    switch (tag) {
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH: want1 = GUMBO_TAG_TD, want2 = GUMBO_TAG_TH; break;
    case GUMBO_TAG_TR: want1 = GUMBO_TAG_TR; break;
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT: want1 = GUMBO_TAG_TABLE, keep = true; break;
    case GUMBO_TAG_TABLE: want1 = GUMBO_TAG_TABLE, pass = 1; break;
    default: return;
    }
    for (int i = top; i >= 0; i--) {
        GumboTag t = s->st[i].tag;
        if (t == want1 || t == want2) {
            scan_pop_to(s, keep ? i + 1 : i);
            return;
        }
        if (t == GUMBO_TAG_TABLE || t == GUMBO_TAG_HTML || t == GUMBO_TAG_SVG ||
            t == GUMBO_TAG_MATH || is_modal(t))
            return;
        if (pass && t != GUMBO_TAG_TBODY && t != GUMBO_TAG_THEAD && t != GUMBO_TAG_TFOOT &&
            t != GUMBO_TAG_TR && t != GUMBO_TAG_CAPTION && t != GUMBO_TAG_COLGROUP)
            return;
    }
}

static void
scan_start(struct scan *s, const struct scan_tag *t)
{
    GumboTag tag = t->tag;
    unsigned f = flags_of(tag);
    if (tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HEAD)
        return; /* merged into the existing ones, or ignored */
    if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH)
        s->careful = true;
    scan_implied_close(s, tag);
    if (!(f & T_NORECON))
        scan_reconstruct(s);
    if ((f & T_VOID) && s->nforeign == 0)
        return;
    int afe = -1;
    if (f & T_FORMAT) {
        /* At most three equal entries (the "Noah's Ark" clause). */
        int same = 0, first = -1;
        for (int i = s->nfmt - 1; i >= 0; i--)
            if (s->fmt[i].tag == tag && s->fmt[i].attr_hash == t->attr_hash) {
                same++;
                first = i;
            }
        if (same >= 3)
            fmt_remove(s, first);
        if (s->nfmt >= (int)(sizeof(s->fmt) / sizeof(s->fmt[0]))) {
            s->too_deep = true;
            return;
        }
        afe = s->nfmt++;
        s->fmt[afe] = (struct scan_fmt){tag, t->attr_hash, -1};
    }
    scan_push(s, tag, t->name_hash, afe);
}

static void
scan_end(struct scan *s, const struct scan_tag *t)
{
    GumboTag tag = t->tag;
    unsigned f = flags_of(tag);
    if (tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HEAD)
        return;
    if (tag == GUMBO_TAG_BR) {
        scan_reconstruct(s); /* </br> is read as <br> */
        return;
    }
    int i;
    if (f & T_FORMAT) {
        i = scan_find(s, t, T_SPECIAL);
        if (i >= 0) {
            int afe = s->st[i].afe;
            scan_pop_to(s, i);
            if (afe >= 0)
                fmt_remove(s, afe);
            return;
        }
        /* Closed already: the end tag only takes it off the list. */
        for (int j = s->nfmt - 1; j >= 0; j--)
            if (s->fmt[j].tag == tag) {
                if (s->fmt[j].el < 0)
                    fmt_remove(s, j);
                break;
            }
        return;
    }
    if (f & T_TABLEEND) {
        i = scan_find(s, t, 0);
        for (int j = s->depth - 1; i >= 0 && j > i; j--) {
            GumboTag u = s->st[j].tag;
            if (u == GUMBO_TAG_TABLE || u == GUMBO_TAG_HTML || u == GUMBO_TAG_TEMPLATE)
                i = -1;
        }
    } else if (f & T_SPECIAL) {
        if (tag == GUMBO_TAG_FORM) {
            /* </form> takes the form out of the middle of the stack. */
            if (s->depth > 0 && s->st[s->depth - 1].tag == GUMBO_TAG_FORM)
                scan_pop_to(s, s->depth - 1);
            return;
        }
        i = scan_find(s, t, T_SCOPE);
        if (i >= 0 && tag == GUMBO_TAG_LI)
            for (int j = s->depth - 1; j > i; j--)
                if (s->st[j].tag == GUMBO_TAG_OL || s->st[j].tag == GUMBO_TAG_UL)
                    i = -1;
        if (i >= 0 && tag == GUMBO_TAG_P)
            for (int j = s->depth - 1; j > i; j--)
                if (s->st[j].tag == GUMBO_TAG_BUTTON)
                    i = -1;
    } else {
        i = scan_find(s, t, T_SPECIAL);
    }
    if (i >= 0)
        scan_pop_to(s, i);
}

/* Skips a quoted or unquoted attribute value; p is after the '='. */
static const char *
skip_value(const char *p, const char *end, uint32_t *h)
{
    while (p < end && is_space(*p))
        p++;
    if (p < end && (*p == '"' || *p == '\'')) {
        char q = *p++;
        while (p < end && *p != q)
            *h = fnv1a(*h, (unsigned char)*p++);
        return p < end ? p + 1 : p;
    }
    while (p < end && !is_space(*p) && *p != '>')
        *h = fnv1a(*h, (unsigned char)*p++);
    return p;
}

/* Reads a tag starting after "<" or "</" at p. Returns the position after
 * its '>', or NULL when the input ends inside it (the tag is then dropped,
 * as the tokenizer drops it). */
static const char *
read_tag(const char *p, const char *end, struct scan_tag *t)
{
    char name[24];
    size_t n = 0;
    uint32_t nh = 2166136261u;
    while (p < end && !is_space(*p) && *p != '/' && *p != '>') {
        char c = mld_ascii_lower(*p++);
        nh = fnv1a(nh, (unsigned char)c);
        if (n < sizeof(name))
            name[n] = c;
        n++;
    }
    t->tag = n <= sizeof(name) ? gumbo_tagn_enum(name, (unsigned)n) : GUMBO_TAG_UNKNOWN;
    t->name_hash = nh;
    t->attr_hash = 0;
    for (;;) {
        while (p < end && (is_space(*p) || *p == '/'))
            p++;
        if (p >= end)
            return NULL;
        if (*p == '>')
            return p + 1;
        uint32_t h = 2166136261u;
        /* An attribute name; a leading '=' belongs to it. */
        h = fnv1a(h, (unsigned char)mld_ascii_lower(*p++));
        while (p < end && !is_space(*p) && *p != '/' && *p != '>' && *p != '=')
            h = fnv1a(h, (unsigned char)mld_ascii_lower(*p++));
        const char *q = p;
        while (q < end && is_space(*q))
            q++;
        if (q < end && *q == '=') {
            h = fnv1a(h, '=');
            p = skip_value(q + 1, end, &h);
        }
        t->attr_hash += h;
    }
}

/* True when p starts with name (lower case, any case in p) followed by
 * whitespace, '/', '>' or the end, as an end tag must be to end raw text. */
static bool
name_at(const char *p, const char *end, const char *name, size_t n)
{
    if ((size_t)(end - p) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (mld_ascii_lower(p[i]) != name[i])
            return false;
    return p + n == end || is_space(p[n]) || p[n] == '/' || p[n] == '>';
}

/* Finds the end tag "</name" closing a raw-text element; returns its '<',
 * or end. */
static const char *
skip_raw(const char *p, const char *end, GumboTag tag)
{
    const char *name = gumbo_normalized_tagname(tag);
    size_t n = strlen(name);
    for (; p < end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (p == NULL)
            return end;
        if (end - p >= 2 && p[1] == '/' && name_at(p + 2, end, name, n))
            return p;
    }
    return end;
}

/* Finds the "</script" that ends a script, with HTML5's escape states: in
 * "<!-- ... -->" a nested "<script>" hides the next "</script>". */
static const char *
skip_script(const char *p, const char *end)
{
    enum { DATA, ESCAPED, DOUBLE } st = DATA;
    for (; p < end; p++) {
        if (st != DATA && end - p >= 3 && memcmp(p, "-->", 3) == 0) {
            st = DATA;
            p += 2;
            continue;
        }
        if (*p != '<')
            continue;
        if (st == DATA && end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            st = ESCAPED;
            p += 3;
            if (p + 1 < end && p[1] == '>')
                st = DATA, p++; /* "<!-->" */
            continue;
        }
        bool close = end - p >= 2 && p[1] == '/' && name_at(p + 2, end, "script", 6);
        if (close && st != DOUBLE)
            return p;
        if (close)
            st = ESCAPED;
        else if (st == ESCAPED && name_at(p + 1, end, "script", 6))
            st = DOUBLE;
    }
    return end;
}

/* Returns the position after the "-->" (or "--!>") that ends a comment
 * whose text starts at p, or end. */
static const char *
comment_end(const char *p, const char *end)
{
    while (p < end) {
        const char *d = memmem(p, (size_t)(end - p), "--", 2);
        if (d == NULL)
            return end;
        if (end - d >= 3 && d[2] == '>')
            return d + 3;
        if (end - d >= 4 && d[2] == '!' && d[3] == '>')
            return d + 4;
        p = d + 1;
    }
    return end;
}

/* Returns 0, or MLD_E_DEPTH with err set when html nests deeper than
 * MLD_MAX_DEPTH (see the file comment). *deepest (if not NULL) gets the
 * most elements the model had open at once. */
static int
prescan(const char *html, size_t len, int *deepest, struct mld_err *err)
{
    struct scan *s = MLD_NEW(struct scan);
    const char *p = html, *end = html + len;
    while (p < end && !s->too_deep) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (lt == NULL)
            lt = end;
        if (lt > p)
            scan_reconstruct(s); /* text */
        p = lt;
        if (p >= end)
            break;
        const char *q = p + 1;
        struct scan_tag t;
        /* Once svg, math, select, template or frameset appeared, the model
         * cannot be sure whether the tree builder reads what follows as
         * text (CDATA, raw text, a comment) or as markup. From there on it
         * reads everything as markup and skips no comment or raw text,
         * which only errs on the deep side; short skips up to the next '>'
         * are safe either way, since text of either kind ends with one. */
        bool careful = s->careful;
        if (careful && q < end && *q == '!' && end - q >= 3 && q[1] == '-' && q[2] == '-') {
            p = q + 3;
        } else if (careful && q < end && *q == '!' && end - q >= 8 &&
                   memcmp(q, "![CDATA[", 8) == 0) {
            p = q + 8;
        } else if (q < end && *q == '!') {
            if (end - q >= 3 && q[1] == '-' && q[2] == '-') {
                const char *c = q + 3;
                if (c < end && *c == '>')
                    p = c + 1;
                else if (end - c >= 2 && c[0] == '-' && c[1] == '>')
                    p = c + 2;
                else
                    p = comment_end(c, end);
            } else {
                const char *c = memchr(q, '>', (size_t)(end - q));
                p = c ? c + 1 : end;
            }
        } else if (q < end && *q == '?') {
            const char *c = memchr(q, '>', (size_t)(end - q));
            p = c ? c + 1 : end;
        } else if (q < end && *q == '/') {
            q++;
            if (q < end && mld_ascii_alpha(*q)) {
                const char *r = read_tag(q, end, &t);
                if (r == NULL)
                    break;
                t.end = true;
                scan_end(s, &t);
                p = r;
            } else {
                const char *c = memchr(q, '>', (size_t)(end - q));
                p = c ? c + 1 : end;
            }
        } else if (q < end && mld_ascii_alpha(*q)) {
            const char *r = read_tag(q, end, &t);
            if (r == NULL)
                break;
            t.end = false;
            scan_start(s, &t);
            p = r;
            bool raw = !s->careful;
            if (t.tag == GUMBO_TAG_PLAINTEXT && raw)
                break; /* the rest is text */
            if (t.tag == GUMBO_TAG_SCRIPT && raw)
                p = skip_script(p, end);
            else if ((flags_of(t.tag) & T_RAW) && raw)
                p = skip_raw(p, end, t.tag);
        } else {
            scan_reconstruct(s); /* a lone '<' is text */
            p = q;
        }
    }
    int rc = 0;
    if (deepest != NULL)
        *deepest = s->deepest;
    if (s->too_deep)
        rc = mld_err_set(err, MLD_E_DEPTH, "HTML nested deeper than %d elements at byte %zu",
                         MLD_MAX_DEPTH, (size_t)(p - html));
    mld_free(s);
    return rc;
}

/* Step 2: parsing ------------------------------------------------------------ */

static void *
gumbo_alloc(void *ud, size_t n)
{
    (void)ud;
    return mld_malloc(n);
}

static void
gumbo_dealloc(void *ud, void *p)
{
    (void)ud;
    mld_free(p);
}

static void
parse_options(GumboOptions *o)
{
    *o = kGumboDefaultOptions;
    o->allocator = gumbo_alloc;
    o->deallocator = gumbo_dealloc;
    o->max_errors = 0; /* see the file comment */
}

/* Checks the limits and parses into *out (free with gumbo_destroy_output).
 * Returns 0, or a negative code with err set and *out NULL. */
static int
parse(const char *html, size_t len, const GumboOptions *o, GumboOutput **out, struct mld_err *err)
{
    *out = NULL;
    if (len > MLD_MAX_DOC_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "HTML of %zu bytes, more than %u", len,
                           MLD_MAX_DOC_BYTES);
    int rc = prescan(html, len, NULL, err);
    if (rc != 0)
        return rc;
    *out = gumbo_parse_with_options(o, html, len);
    return 0;
}

static const GumboNode *
find_body(const GumboOutput *out)
{
    const GumboNode *root = out->root;
    if (root == NULL || root->type != GUMBO_NODE_ELEMENT)
        return NULL;
    const GumboVector *kids = &root->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *n = kids->data[i];
        if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY)
            return n;
    }
    return NULL;
}

/* The action for an element node. */
enum action { KEEP, DROP, UNWRAP };

static enum action
action_of(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEMPLATE)
        return DROP;
    const GumboElement *e = &n->v.element;
    if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
        return DROP; /* only reachable below svg/math, which drop anyway */
    unsigned f = flags_of(e->tag);
    if (f & T_DROP)
        return DROP;
    if ((f & T_ALLOW) || e->tag == GUMBO_TAG_H1)
        return KEEP;
    return UNWRAP;
}

/* Step 3a: writing sanitised HTML ------------------------------------------ */

struct writer {
    struct mld_buf out;
    int err;        /* 0 or MLD_E_DEPTH */
    unsigned flags; /* MLD_SANITIZE_* */
};

/* Recursion guard for the walk: the pre-scan holds the tag nesting to
 * MLD_MAX_DEPTH; the tree adds implied elements (tbody, tr, reconstructed
 * formatting), so allow for them. */
#define TREE_DEPTH_MAX (4 * MLD_MAX_DEPTH)

/* Ends a walk that wrote into b: moves b's string to *out and returns 0,
 * or returns a negative code with err set (and *out NULL) when the walk
 * stopped at the depth guard (walk_err) or b overflowed (what names the
 * output in the message). */
static int
finish(struct mld_buf *b, int walk_err, const char *what, char **out, struct mld_err *err)
{
    *out = NULL;
    if (walk_err != 0) {
        mld_buf_dispose(b);
        return mld_err_set(err, walk_err, "HTML tree deeper than %d elements", TREE_DEPTH_MAX);
    }
    if (mld_buf_error(b) != 0) {
        mld_buf_dispose(b);
        return mld_err_set(err, MLD_E_TOOBIG, "%s longer than %u bytes", what, MLD_MAX_DOC_BYTES);
    }
    *out = mld_buf_steal(b, NULL);
    return 0;
}

static bool
is_url_junk(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* Decides whether a URL attribute value (entities already decoded by the
 * parser) may be kept: relative, or with scheme http, https or mailto.
 * Whitespace and control characters are ignored while reading the scheme,
 * as browsers ignore them, and case does not matter. Anything else before
 * a ':' that comes ahead of the first '/', '?' or '#' ("java\uFFFDscript:",
 * "a b:") makes the URL look scheme-like without being one we allow, so it
 * is refused. *external is set for absolute http(s) and scheme-relative
 * ("//host", "\\host") URLs. */
static bool
url_ok(const char *v, bool *external)
{
    char scheme[8];
    size_t n = 0;
    bool odd = false; /* a character that cannot be part of a scheme */
    *external = false;
    const char *p = v;
    while (*p != '\0' && is_url_junk((unsigned char)*p))
        p++;
    if (p[0] == '/' || p[0] == '\\') {
        const char *r = p + 1;
        while (*r != '\0' && is_url_junk((unsigned char)*r))
            r++;
        if (*r == '/' || *r == '\\')
            *external = true;
        return true;
    }
    for (; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '/' || c == '\\' || c == '?' || c == '#')
            return true; /* no scheme: a relative reference */
        if (c == ':')
            break;
        if (is_url_junk(c))
            continue;
        bool sch = mld_ascii_alpha((char)c) ||
                   (n > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!sch)
            odd = true;
        if (n < sizeof(scheme))
            scheme[n] = mld_ascii_lower((char)c);
        n++;
    }
    if (*p != ':')
        return true; /* a relative path */
    if (odd)
        return false;
    if (n == 4 && memcmp(scheme, "http", 4) == 0)
        return *external = true;
    if (n == 5 && memcmp(scheme, "https", 5) == 0)
        return *external = true;
    if (n == 6 && memcmp(scheme, "mailto", 6) == 0)
        return true;
    return false;
}

/* Writes ` name="value"` with the value's control characters removed and
 * its surrounding whitespace trimmed. */
static void
put_url_attr(struct mld_buf *b, const char *name, const char *v)
{
    size_t len = strlen(v);
    while (len > 0 && is_url_junk((unsigned char)v[len - 1]))
        len--;
    while (len > 0 && is_url_junk((unsigned char)*v))
        v++, len--;
    mld_buf_printf(b, " %s=\"", name);
    size_t run = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)v[i] : 0;
        if (i == len || c < 0x20 || c == 0x7f) {
            mld_buf_append_html(b, v + run, i - run);
            run = i + 1;
        }
    }
    mld_buf_putc(b, '"');
}

static void
put_attr(struct mld_buf *b, const char *name, const char *v)
{
    mld_buf_printf(b, " %s=\"", name);
    mld_buf_append_html(b, v, strlen(v));
    mld_buf_putc(b, '"');
}

static bool
all_digits(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static bool
datetime_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= '0' && c <= '9') || mld_ascii_alpha(c) || c == '-' || c == ':' || c == '+' ||
              c == '.' || c == ' '))
            return false;
    }
    return true;
}

/* The value of e's attribute name (no namespace), or NULL. */
static const char *
attr_of(const GumboElement *e, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);
    return a != NULL && a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE ? a->value : NULL;
}

/* True when v is an absolute http(s) URL as url_ok() reads it (not
 * scheme-relative "//host"). */
static bool
url_web(const char *v)
{
    bool ext;
    const char *p = v;
    while (*p != '\0' && is_url_junk((unsigned char)*p))
        p++;
    return *p != '/' && *p != '\\' && url_ok(v, &ext) && ext;
}

/* True when v is a relative reference without a scheme (not "", not
 * "mailto:"). */
static bool
url_relative(const char *v)
{
    bool ext;
    const char *p = v;
    while (*p != '\0' && is_url_junk((unsigned char)*p))
        p++;
    if (*p == '\0' || !url_ok(v, &ext) || ext)
        return false;
    size_t stop = strcspn(p, "/?#\\");
    return memchr(p, ':', stop) == NULL;
}

/* True when a width or height value marks a tracking pixel: 0 or 1,
 * with or without "px". */
static bool
pixel_size(const char *v)
{
    while (is_space(*v))
        v++;
    size_t n = strspn(v, "0123456789");
    if (n == 0)
        return false;
    while (n > 1 && *v == '0')
        v++, n--;
    if (!(n == 1 && (*v == '0' || *v == '1')))
        return false;
    const char *rest = v + 1;
    return *rest == '\0' || strcmp(rest, "px") == 0;
}

/* True when img element e is kept: a src that is an absolute http(s) URL
 * (or, under MLD_SANITIZE_RELATIVE_IMG, relative), and not a tracking
 * pixel. */
static bool
img_kept(const GumboElement *e, unsigned flags)
{
    const char *src = attr_of(e, "src");
    if (src == NULL)
        return false;
    if (!url_web(src) && !((flags & MLD_SANITIZE_RELATIVE_IMG) && url_relative(src)))
        return false;
    const char *w = attr_of(e, "width"), *h = attr_of(e, "height");
    return !(w != NULL && pixel_size(w)) && !(h != NULL && pixel_size(h));
}

/* True when d (n bytes) is a srcset descriptor: a number followed by w
 * or x ("640w", "1.5x"). */
static bool
srcset_descriptor_ok(const char *d, size_t n)
{
    if (n < 2 || (d[n - 1] != 'w' && d[n - 1] != 'x'))
        return false;
    size_t digits = 0, dots = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (d[i] >= '0' && d[i] <= '9')
            digits++;
        else if (d[i] == '.' && d[n - 1] == 'x')
            dots++;
        else
            return false;
    }
    return digits > 0 && digits <= 6 && dots <= 1;
}

/* True when srcset value v lists only candidates "URL [descriptor]" whose
 * URLs are absolute http(s) and whose descriptors srcset_descriptor_ok()
 * accepts; at most MLD_MAX_RENDITIONS candidates, no control characters. */
static bool
srcset_ok(const char *v)
{
    char url[MLD_MAX_URL_BYTES + 1];
    int count = 0;
    for (const char *c = v; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 && !is_space(*c))
            return false;
    const char *p = v;
    for (;;) {
        while (is_space(*p) || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *u = p;
        while (*p != '\0' && !is_space(*p))
            p++;
        size_t un = (size_t)(p - u);
        bool ended = false; /* a URL that ends in ',' has no descriptor */
        while (un > 0 && u[un - 1] == ',')
            un--, ended = true;
        if (un == 0 || un > MLD_MAX_URL_BYTES)
            return false;
        memcpy(url, u, un);
        url[un] = '\0';
        if (!url_web(url))
            return false;
        if (!ended) {
            while (is_space(*p))
                p++;
            const char *d = p;
            while (*p != '\0' && *p != ',')
                p++;
            size_t dn = (size_t)(p - d);
            while (dn > 0 && is_space(d[dn - 1]))
                dn--;
            if (dn > 0 && !srcset_descriptor_ok(d, dn))
                return false;
        }
        if (++count > MLD_MAX_RENDITIONS)
            return false;
    }
    return count > 0;
}

static void
write_attrs(struct mld_buf *b, const GumboElement *e)
{
    bool external = false;
    unsigned n = e->attributes.length;
    if (n > MLD_MAX_ATTRS)
        n = MLD_MAX_ATTRS;
    for (unsigned i = 0; i < n; i++) {
        const GumboAttribute *a = e->attributes.data[i];
        if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
            continue;
        const char *name = a->name, *v = a->value;
        bool ext = false;
        switch (e->tag) {
        case GUMBO_TAG_A:
            if (strcmp(name, "href") == 0 && url_ok(v, &ext)) {
                put_url_attr(b, "href", v);
                external = ext;
            } else if (strcmp(name, "title") == 0)
                put_attr(b, name, v);
            break;
        case GUMBO_TAG_ABBR:
            if (strcmp(name, "title") == 0)
                put_attr(b, name, v);
            break;
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH:
            if ((strcmp(name, "colspan") == 0 || strcmp(name, "rowspan") == 0) && all_digits(v, 4))
                put_attr(b, name, v);
            break;
        case GUMBO_TAG_TIME:
            if (strcmp(name, "datetime") == 0 && datetime_ok(v))
                put_attr(b, name, v);
            break;
        case GUMBO_TAG_Q:
        case GUMBO_TAG_BLOCKQUOTE:
            if (strcmp(name, "cite") == 0 && url_ok(v, &ext))
                put_url_attr(b, "cite", v);
            break;
        case GUMBO_TAG_IMG:
            /* img_kept() has checked src. */
            if (strcmp(name, "src") == 0)
                put_url_attr(b, "src", v);
            else if (strcmp(name, "alt") == 0)
                put_attr(b, name, v);
            else if ((strcmp(name, "width") == 0 || strcmp(name, "height") == 0) &&
                     all_digits(v, 5))
                put_attr(b, name, v);
            else if (strcmp(name, "srcset") == 0 && srcset_ok(v))
                put_attr(b, name, v);
            else if (strcmp(name, "loading") == 0 &&
                     (strcmp(v, "lazy") == 0 || strcmp(v, "eager") == 0))
                put_attr(b, name, v);
            break;
        default: break;
        }
    }
    if (external)
        mld_buf_puts(b, " rel=\"noopener nofollow\"");
}

/* True when the UTF-8 text holds something besides whitespace and
 * no-break spaces. */
static bool
has_ink(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (is_space((char)*p))
            continue;
        if (p[0] == 0xc2 && p[1] == 0xa0) {
            p++;
            continue;
        }
        return true;
    }
    return false;
}

/* True when what the sanitiser keeps of n's content has visible text or
 * a kept image. */
static bool
has_content(const GumboNode *n, unsigned flags, int depth)
{
    if (depth > TREE_DEPTH_MAX)
        return true; /* the walk reports the depth */
    const GumboVector *kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *c = kids->data[i];
        if (c->type == GUMBO_NODE_TEXT && has_ink(c->v.text.text))
            return true;
        if (c->type != GUMBO_NODE_ELEMENT || action_of(c) == DROP)
            continue;
        if (c->v.element.tag == GUMBO_TAG_IMG ? img_kept(&c->v.element, flags)
                                              : has_content(c, flags, depth + 1))
            return true;
    }
    return false;
}

static void write_node(struct writer *w, const GumboNode *n, int depth);

static void
write_children(struct writer *w, const GumboNode *n, int depth)
{
    const GumboVector *kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length && w->err == 0; i++)
        write_node(w, kids->data[i], depth + 1);
}

static void
write_node(struct writer *w, const GumboNode *n, int depth)
{
    if (depth > TREE_DEPTH_MAX) {
        w->err = MLD_E_DEPTH;
        return;
    }
    switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
        mld_buf_append_html(&w->out, n->v.text.text, strlen(n->v.text.text));
        return;
    case GUMBO_NODE_ELEMENT: break;
    default: return; /* comments, CDATA (foreign content only), templates */
    }
    enum action act = action_of(n);
    if (act == DROP)
        return;
    if (act == UNWRAP) {
        write_children(w, n, depth);
        return;
    }
    const GumboElement *e = &n->v.element;
    if (e->tag == GUMBO_TAG_P && !has_content(n, w->flags, depth))
        return;
    if (e->tag == GUMBO_TAG_IMG && !img_kept(e, w->flags))
        return;
    const char *name = e->tag == GUMBO_TAG_H1 ? "h2" : gumbo_normalized_tagname(e->tag);
    mld_buf_putc(&w->out, '<');
    mld_buf_puts(&w->out, name);
    write_attrs(&w->out, e);
    mld_buf_putc(&w->out, '>');
    if (flags_of(e->tag) & T_VOID)
        return;
    write_children(w, n, depth);
    mld_buf_printf(&w->out, "</%s>", name);
}

/* Writes the sanitised children of body (NULL: none) into a new string in
 * *out; returns 0, or a negative code with err set on a limit. */
static int
sanitize_tree(const GumboNode *body, unsigned flags, char **out, struct mld_err *err)
{
    struct writer w = {.err = 0, .flags = flags};
    mld_buf_init(&w.out, MLD_MAX_DOC_BYTES);
    if (body != NULL)
        write_children(&w, body, 0);
    return finish(&w.out, w.err, "sanitised HTML", out, err);
}

/* Step 3b: plain text -------------------------------------------------------- */

struct text {
    struct mld_buf out;
    bool space;   /* whitespace seen since the last character written */
    bool newline; /* a block boundary seen since the last character written */
    int err;
};

/* True when p starts whitespace or a no-break space (U+00A0). */
static bool
text_space(const unsigned char *p)
{
    return is_space((char)*p) || (p[0] == 0xc2 && p[1] == 0xa0);
}

/* Appends the text s, its whitespace folded (struct text), a run of
 * other characters at a time. */
static void
text_chars(struct text *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        if (text_space(p)) {
            t->space = true;
            p += *p == 0xc2 ? 2 : 1;
            continue;
        }
        if (t->out.len > 0) {
            if (t->newline)
                mld_buf_putc(&t->out, '\n');
            else if (t->space)
                mld_buf_putc(&t->out, ' ');
        }
        t->space = t->newline = false;
        const unsigned char *run = p;
        while (*p != '\0' && !text_space(p))
            p++;
        mld_buf_append(&t->out, run, (size_t)(p - run));
    }
}

static void
text_node(struct text *t, const GumboNode *n, int depth)
{
    if (depth > TREE_DEPTH_MAX) {
        t->err = MLD_E_DEPTH;
        return;
    }
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
        text_chars(t, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || action_of(n) == DROP)
        return;
    GumboTag tag = n->v.element.tag;
    unsigned f = flags_of(tag);
    bool block = (f & T_BLOCK) || tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_BR;
    if (block)
        t->newline = true;
    if (f & T_CELLISH)
        t->space = true;
    const GumboVector *kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length && t->err == 0; i++)
        text_node(t, kids->data[i], depth + 1);
    if (block)
        t->newline = true;
    if (f & T_CELLISH)
        t->space = true;
}

/* Writes the plain text of the children of body (NULL: none) into a new
 * string in *out; returns 0, or a negative code with err set on a limit. */
static int
text_tree(const GumboNode *body, char **out, struct mld_err *err)
{
    struct text t = {.space = false};
    mld_buf_init(&t.out, MLD_MAX_DOC_BYTES);
    if (body != NULL) {
        const GumboVector *kids = &body->v.element.children;
        for (unsigned i = 0; i < kids->length && t.err == 0; i++)
            text_node(&t, kids->data[i], 1);
    }
    return finish(&t.out, t.err, "text", out, err);
}

/* The entry points ------------------------------------------------------------ */

/* Parses html[0..len) once and runs the walks asked for over the tree: the
 * sanitiser into *safe when safe is not NULL, the plain text into *text
 * when text is not NULL. Returns 0, or a negative code with err set and
 * both left NULL. */
static int
convert(const char *html, size_t len, unsigned flags, char **safe, char **text, struct mld_err *err)
{
    char *s = NULL, *t = NULL;
    GumboOptions o;
    GumboOutput *out;
    parse_options(&o);
    int rc = parse(html, len, &o, &out, err);
    if (rc == 0) {
        const GumboNode *body = find_body(out);
        if (safe != NULL)
            rc = sanitize_tree(body, flags, &s, err);
        if (rc == 0 && text != NULL)
            rc = text_tree(body, &t, err);
        gumbo_destroy_output(&o, out);
    }
    if (rc != 0) {
        mld_free(s);
        s = NULL;
    }
    if (safe != NULL)
        *safe = s;
    if (text != NULL)
        *text = t;
    return rc;
}

char *
mld_sanitize_html(const char *html, size_t len, struct mld_err *err)
{
    char *safe;
    convert(html, len, 0, &safe, NULL, err);
    return safe;
}

char *
mld_html_to_text(const char *html, size_t len, struct mld_err *err)
{
    char *text;
    convert(html, len, 0, NULL, &text, err);
    return text;
}

char *
mld_sanitize_html_text(const char *html, size_t len, char **text, struct mld_err *err)
{
    char *safe;
    convert(html, len, 0, &safe, text, err);
    return safe;
}

char *
mld_sanitize_html_flags(const char *html, size_t len, unsigned flags, char **text,
                        struct mld_err *err)
{
    char *safe;
    convert(html, len, flags, &safe, text, err);
    return safe;
}
