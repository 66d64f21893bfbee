/*
 * feed.c - what RSS and Atom share (see feed.h): charsets, entities,
 * dates, URLs, text constructs, the item identity rule and handing the
 * articles over.
 *
 * Charsets. A feed's bytes are turned into UTF-8 before libxml2 sees
 * them, and libxml2 is told to ignore the declaration: the decision is
 * made here, once, with the repairs real feeds need. Candidates are tried
 * in order until one decodes: the BOM alone when there is one, else the
 * HTTP charset, a UTF-16/32 pattern at the start, the XML declaration, and
 * finally UTF-8 (if valid) or windows-1252 (always decodes). The Latin-1
 * family decodes as windows-1252, as every browser does (feeds labelled
 * ISO-8859-1 carry curly quotes and euros at 0x80-0x9f); and a Latin-1
 * label loses to bytes that are valid UTF-8 with non-ASCII characters,
 * since such bytes almost never are Latin-1 text (Golem's and heise's
 * feeds have been seen either way). Other charsets go through iconv.
 *
 * Entities. RSS 0.91 declared HTML's entities through a DTD nobody loads,
 * and feeds still write &nbsp; or &hellip; without declaring them. Before
 * parsing, a reference to an undeclared name that HTML 4 defines becomes a
 * numeric character reference (outside comments, CDATA and processing
 * instructions); anything else undeclared stays an XML error. In the same
 * pass a bare '&' that starts no reference ("Fish & Chips", a URL's query)
 * becomes "&amp;": the commonest way a feed fails to be XML. Nothing else
 * that is not well-formed is repaired.
 *
 * Control characters. XML forbids most C0 controls; they are dropped
 * (vertical tab and form feed become spaces), in the document and in any
 * text that did not come through it (base64, JSON), as is invalid UTF-8:
 * no field holds either.
 *
 * Dates. One tokenising parser reads the RFC 822 family and its sloppy
 * relatives; ISO 8601 goes to mld_time_parse_iso, partial W3CDTF dates
 * are handled here.
 *
 * Links in HTML. Text constructs with markup are sanitised; the canonical
 * output (attributes always double-quoted and escaped) is then scanned for
 * href and cite values, relative ones are resolved against the base of the
 * element, and the result is sanitised once more so that the now absolute
 * links get rel="noopener nofollow" and pass the URL check again. The
 * plain text is that of the sanitised copy, read from it without a parser
 * (the output is canonical) and checked against the text of the input,
 * which the first parse gives too: a body costs one gumbo parse, two when
 * it has relative links.
 */
#include "feed.h"

#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "sanitize.h"
#include "xml.h"

#define XML_NS "http://www.w3.org/XML/1998/namespace"

/* ASCII helpers (locale-independent) ---------------------------------- */

static bool
starts_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (mld_ascii_lower(s[i]) != mld_ascii_lower(prefix[i]))
            return false;
    return true;
}

static int
hexval(char c)
{
    if (mld_ascii_digit(c))
        return c - '0';
    c = mld_ascii_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A copy of s[0..len) without surrounding whitespace; NULL when empty. */
static char *
trimmed(const char *s, size_t len)
{
    while (len > 0 && mld_ascii_space(*s))
        s++, len--;
    while (len > 0 && mld_ascii_space(s[len - 1]))
        len--;
    return len > 0 ? mld_strndup(s, len) : NULL;
}

/* A copy of s with whitespace runs folded to one space, trimmed, at most
 * MLD_MAX_FIELD_BYTES (cut at a UTF-8 boundary); NULL when empty. */
static char *
fold(const char *s)
{
    if (s == NULL)
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_FIELD_BYTES);
    bool space = false;
    for (; *s != '\0' && b.len < MLD_MAX_FIELD_BYTES - 8; s++) {
        if (mld_ascii_space(*s)) {
            space = b.len > 0;
            continue;
        }
        if ((unsigned char)*s < 0x20)
            continue; /* a control character XML forbids (JSON may carry them) */
        if (space)
            mld_buf_putc(&b, ' ');
        space = false;
        mld_buf_putc(&b, *s);
    }
    /* Do not end inside a UTF-8 sequence cut by the cap. */
    if (*s != '\0') {
        while (b.len > 0 && ((unsigned char)b.p[b.len - 1] & 0xc0) == 0x80)
            b.len--;
        if (b.len > 0 && (unsigned char)b.p[b.len - 1] >= 0xc0)
            b.len--;
        if (b.p != NULL)
            b.p[b.len] = '\0';
    }
    if (b.len == 0 || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, NULL);
}

/* UTF-8 ------------------------------------------------------------------ */

static void
put_utf8(struct mld_buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        mld_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        mld_buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        mld_buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        mld_buf_append(b, u, 4);
    }
}

/* True when s[0..n) has a byte above 0x7f. */
static bool
any_high(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* windows-1252 at 0x80-0x9f; the five holes map to the C1 controls, as
 * the WHATWG Encoding Standard says. */
static const unsigned short cp1252_high[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static void
decode_cp1252(const char *s, size_t n, struct mld_buf *b)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            continue;
        mld_buf_append(b, s + run, i - run);
        put_utf8(b, c < 0xa0 ? cp1252_high[c - 0x80] : c);
        run = i + 1;
    }
    mld_buf_append(b, s + run, n - run);
}

/* UTF-8 with each invalid byte replaced by U+FFFD. */
static void
decode_utf8_lossy(const char *s, size_t n, struct mld_buf *b)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        size_t k = mld_utf8_seq(s + i, n - i);
        if (k > 0) {
            i += k;
            continue;
        }
        mld_buf_append(b, s + run, i - run);
        put_utf8(b, 0xfffd);
        run = ++i;
    }
    mld_buf_append(b, s + run, n - run);
}

/* Converts with iconv; false when the charset is unknown or the bytes are
 * not valid in it (b then holds garbage and is reset by the caller). */
static bool
decode_iconv(const char *charset, const char *s, size_t n, struct mld_buf *b)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return false;
    char *in = (char *)(uintptr_t)s;
    size_t inleft = n;
    char chunk[4096];
    bool ok = true;
    while (inleft > 0 && ok) {
        char *out = chunk;
        size_t outleft = sizeof(chunk);
        size_t r = iconv(cd, &in, &inleft, &out, &outleft);
        mld_buf_append(b, chunk, sizeof(chunk) - outleft);
        if (r == (size_t)-1 && out == chunk)
            ok = false; /* EILSEQ or EINVAL with no progress */
        if (mld_buf_error(b) != 0)
            ok = false;
    }
    iconv_close(cd);
    return ok;
}

/* The charset of a label, for decoding. */
enum cs_kind {
    CS_UTF8,
    CS_LATIN, /* ISO-8859-1, US-ASCII, windows-1252: decoded as windows-1252 */
    CS_WIDE,  /* UTF-16/32: needs the bytes to look so */
    CS_ICONV,
};

/* Normalises label in place (lower case, canonical name for the common
 * aliases) and returns its kind; *iconv_name gets the name for iconv. */
static enum cs_kind
classify(char *label, const char **iconv_name)
{
    static const char *const utf8[] = {"utf-8", "utf8", "unicode-1-1-utf-8", NULL};
    static const char *const latin1[] = {
        "iso-8859-1", "iso8859-1", "iso_8859-1",      "latin1",      "latin-1", "l1", "iso-ir-100",
        "cp819",      "ibm819",    "iso_8859-1:1987", "csisolatin1", "8859-1",  NULL};
    static const char *const ascii[] = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us",
                                        "csascii",  NULL};
    static const char *const w1252[] = {"windows-1252", "cp1252", "x-cp1252", "win-1252", NULL};
    static const char *const gbk[] = {"gb2312",  "gbk",       "x-gbk",      "csgb2312",
                                      "chinese", "iso-ir-58", "gb_2312-80", NULL};
    for (char *p = label; *p; p++)
        *p = mld_ascii_lower(*p);
    *iconv_name = label;
    for (int i = 0; utf8[i]; i++)
        if (strcmp(label, utf8[i]) == 0) {
            snprintf(label, 32, "%s", "utf-8");
            return CS_UTF8;
        }
    const char *const *lists[] = {latin1, ascii, w1252};
    const char *canon[] = {"iso-8859-1", "us-ascii", "windows-1252"};
    for (int l = 0; l < 3; l++)
        for (int i = 0; lists[l][i]; i++)
            if (strcmp(label, lists[l][i]) == 0) {
                snprintf(label, 32, "%s", canon[l]);
                return CS_LATIN;
            }
    for (int i = 0; gbk[i]; i++)
        if (strcmp(label, gbk[i]) == 0) {
            /* GB18030 is a superset and decodes what GB2312 feeds really hold. */
            snprintf(label, 32, "gb18030");
            *iconv_name = "GB18030";
            return CS_ICONV;
        }
    if (strncmp(label, "utf-16", 6) == 0 || strncmp(label, "utf-32", 6) == 0 ||
        strncmp(label, "ucs-2", 5) == 0 || strncmp(label, "ucs-4", 5) == 0 ||
        strcmp(label, "utf16") == 0 || strcmp(label, "utf32") == 0)
        return CS_WIDE;
    if (strcmp(label, "euc-kr") == 0)
        *iconv_name = "CP949";
    else if (strcmp(label, "shift_jis") == 0 || strcmp(label, "sjis") == 0)
        *iconv_name = "CP932";
    else if (strcmp(label, "big5") == 0)
        *iconv_name = "BIG5-HKSCS";
    return CS_ICONV;
}

bool
mld_feed_charset_param(const char *content_type, char *out, size_t n)
{
    if (content_type == NULL || n == 0)
        return false;
    const char *p = strchr(content_type, ';');
    while (p != NULL) {
        p++;
        while (mld_ascii_space(*p))
            p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ';' && !mld_ascii_space(*p))
            p++;
        size_t klen = (size_t)(p - key);
        while (mld_ascii_space(*p))
            p++;
        if (*p != '=') {
            p = strchr(p, ';');
            continue;
        }
        p++;
        while (mld_ascii_space(*p))
            p++;
        char q = (*p == '"' || *p == '\'') ? *p++ : 0;
        const char *v = p;
        while (*p && (q ? *p != q : (*p != ';' && !mld_ascii_space(*p))))
            p++;
        size_t vlen = (size_t)(p - v);
        if (klen == 7 && starts_nocase(key, klen, "charset")) {
            if (vlen == 0 || vlen >= n)
                return false;
            for (size_t i = 0; i < vlen; i++)
                out[i] = mld_ascii_lower(v[i]);
            out[vlen] = '\0';
            return true;
        }
        p = strchr(p, ';');
    }
    return false;
}

/* The encoding of the XML declaration at the start of s (ASCII-compatible
 * bytes), into out; false when there is none. */
static bool
xml_decl_encoding(const char *s, size_t n, char *out, size_t outn)
{
    size_t i = 0;
    while (i < n && mld_ascii_space(s[i]))
        i++;
    if (n - i < 6 || memcmp(s + i, "<?xml", 5) != 0)
        return false;
    size_t end = i;
    while (end + 1 < n && end < i + 1024 && !(s[end] == '?' && s[end + 1] == '>'))
        end++;
    const char *enc = memmem(s + i, end - i, "encoding", 8);
    if (enc == NULL)
        return false;
    const char *p = enc + 8, *lim = s + end;
    while (p < lim && mld_ascii_space(*p))
        p++;
    if (p >= lim || *p != '=')
        return false;
    p++;
    while (p < lim && mld_ascii_space(*p))
        p++;
    if (p >= lim || (*p != '"' && *p != '\''))
        return false;
    char q = *p++;
    const char *v = p;
    while (p < lim && *p != q)
        p++;
    size_t vlen = (size_t)(p - v);
    if (p >= lim || vlen == 0 || vlen >= outn)
        return false;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return true;
}

/* "UTF-16LE" etc. when the first bytes are "<" in UTF-16/32 without a
 * BOM; NULL otherwise. */
static const char *
wide_pattern(const unsigned char *s, size_t n)
{
    if (n < 4)
        return NULL;
    if (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == '<')
        return "UTF-32BE";
    if (s[0] == '<' && s[1] == 0 && s[2] == 0 && s[3] == 0)
        return "UTF-32LE";
    if (s[0] == 0 && s[1] == '<' && s[2] == 0 && s[3] != 0)
        return "UTF-16BE";
    if (s[0] == '<' && s[1] == 0 && s[2] != 0 && s[3] == 0)
        return "UTF-16LE";
    return NULL;
}

/* Tries one candidate label; true when it decoded into b. */
static bool
try_label(const char *label_in, const char *doc, size_t len, struct mld_buf *b, char cs[32])
{
    char label[32];
    snprintf(label, sizeof(label), "%s", label_in);
    const char *iconv_name;
    enum cs_kind kind = classify(label, &iconv_name);
    switch (kind) {
    case CS_UTF8:
        if (!mld_utf8_valid(doc, len))
            return false;
        mld_buf_append(b, doc, len);
        break;
    case CS_LATIN:
        if (any_high(doc, len) && mld_utf8_valid(doc, len)) {
            mld_buf_append(b, doc, len);
            snprintf(label, sizeof(label), "utf-8");
        } else {
            decode_cp1252(doc, len, b);
        }
        break;
    case CS_WIDE: {
        const char *w = wide_pattern((const unsigned char *)doc, len);
        if (w == NULL)
            return false;
        if (!decode_iconv(w, doc, len, b)) {
            mld_buf_reset(b);
            return false;
        }
        snprintf(label, sizeof(label), "%s", w);
        for (char *p = label; *p; p++)
            *p = mld_ascii_lower(*p);
        break;
    }
    case CS_ICONV:
        if (!decode_iconv(iconv_name, doc, len, b)) {
            mld_buf_reset(b);
            return false;
        }
        break;
    }
    memcpy(cs, label, sizeof(label));
    return true;
}

/* What becomes of a C0 control character XML 1.0 forbids: vertical tab
 * and form feed separate words (Word writes a line break as a vertical
 * tab) and become a space; the others (NUL, backspace, escape, ...) are
 * noise a feed picked up on its way, and dropped: "ab\bcd" is "abcd". */
static bool
is_control(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

static char
control_to(unsigned char c)
{
    return c == '\v' || c == '\f' ? ' ' : '\0';
}

/* Repairs in place what XML 1.0 cannot carry: C0 controls as
 * control_to() says, U+FFFE and U+FFFF become U+FFFD. Returns the new
 * length. */
static size_t
scrub(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_control(c)) {
            if (control_to(c) != '\0')
                s[o++] = control_to(c);
            continue;
        }
        if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbf &&
            ((unsigned char)s[i + 2] == 0xbe || (unsigned char)s[i + 2] == 0xbf))
            s[i + 2] = (char)0xbd;
        s[o++] = s[i];
    }
    if (o < n)
        s[o] = '\0';
    return o;
}

/* Returns a copy of s with the C1 controls U+0080-U+009F replaced by
 * the windows-1252 characters at those bytes, or NULL when there are
 * none. They are never meant: text that went through ISO-8859-1 on its
 * way from windows-1252 carries them instead of curly quotes and dashes. */
static char *
demoronize(const char *s, size_t n, size_t *out_n)
{
    struct mld_buf b;
    size_t run = 0;
    bool changed = false;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i], d = (unsigned char)s[i + 1];
        if (c != 0xc2 || d < 0x80 || d > 0x9f || cp1252_high[d - 0x80] < 0x100)
            continue;
        mld_buf_append(&b, s + run, i - run);
        put_utf8(&b, cp1252_high[d - 0x80]);
        run = i + 2;
        i++;
        changed = true;
    }
    if (!changed || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    mld_buf_append(&b, s + run, n - run);
    return mld_buf_steal(&b, out_n);
}

int
mld_feed_to_utf8(const char *doc, size_t len, const char *content_type, const char *name,
                 char **out, size_t *out_len, char charset[32], struct mld_err *err)
{
    if (name == NULL)
        name = "(input)";
    if (len > MLD_MAX_DOC_BYTES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: %zu bytes, more than the limit of %u", name, len,
                           (unsigned)MLD_MAX_DOC_BYTES);
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    const unsigned char *u = (const unsigned char *)doc;
    bool done = false;

    /* A byte-order mark decides alone. */
    static const struct {
        const char *bom;
        size_t n;
        const char *cs;
    } boms[] = {
        {"\x00\x00\xfe\xff", 4, "UTF-32BE"}, {"\xff\xfe\x00\x00", 4, "UTF-32LE"},
        {"\xef\xbb\xbf", 3, "UTF-8"},        {"\xfe\xff", 2, "UTF-16BE"},
        {"\xff\xfe", 2, "UTF-16LE"},
    };
    for (size_t i = 0; i < sizeof(boms) / sizeof(boms[0]) && !done; i++) {
        if (len < boms[i].n || memcmp(u, boms[i].bom, boms[i].n) != 0)
            continue;
        const char *rest = doc + boms[i].n;
        size_t rn = len - boms[i].n;
        if (boms[i].n == 3) {
            decode_utf8_lossy(rest, rn, &b);
            done = true;
        } else {
            done = decode_iconv(boms[i].cs, rest, rn, &b);
            if (!done)
                mld_buf_reset(&b);
        }
        if (done) {
            snprintf(charset, 32, "%s", boms[i].cs);
            for (char *p = charset; *p; p++)
                *p = mld_ascii_lower(*p);
        }
        break;
    }

    char label[32];
    if (!done && mld_feed_charset_param(content_type, label, sizeof(label)))
        done = try_label(label, doc, len, &b, charset);
    if (!done) {
        const char *w = wide_pattern(u, len);
        if (w != NULL)
            done = try_label(w, doc, len, &b, charset);
    }
    if (!done && xml_decl_encoding(doc, len, label, sizeof(label)))
        done = try_label(label, doc, len, &b, charset);
    if (!done)
        done = try_label("utf-8", doc, len, &b, charset);
    if (!done) {
        decode_cp1252(doc, len, &b);
        snprintf(charset, 32, "windows-1252");
    }
    if (mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return mld_err_set(err, MLD_E_TOOBIG,
                           "%s: more than %u bytes once converted to UTF-8 from %s", name,
                           (unsigned)MLD_MAX_DOC_BYTES, charset);
    }
    size_t n, dn;
    char *s = mld_buf_steal(&b, &n);
    char *d = demoronize(s, n, &dn);
    if (d != NULL) {
        mld_free(s);
        s = d;
        n = dn;
    }
    n = scrub(s, n);
    *out = s;
    *out_len = n;
    return 0;
}

/* Entities ---------------------------------------------------------------- */

/* True when the internal subset subset[0..n) declares entity name. */
static bool
declared(const char *subset, size_t n, const char *name, size_t nlen)
{
    const char *p = subset, *end = subset + n;
    while (p < end) {
        const char *e = memmem(p, (size_t)(end - p), "<!ENTITY", 8);
        if (e == NULL)
            return false;
        e += 8;
        while (e < end && mld_ascii_space(*e))
            e++;
        if ((size_t)(end - e) > nlen && memcmp(e, name, nlen) == 0 && mld_ascii_space(e[nlen]))
            return true;
        p = e;
    }
    return false;
}

/* Skips from s[i] (at "<!DOCTYPE") past its end; *subset and *subset_n get the
 * internal subset. */
static size_t
skip_doctype(const char *s, size_t n, size_t i, const char **subset, size_t *subset_n)
{
    char q = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '[') {
            const char *end = memmem(s + i, n - i, "]", 1);
            /* The subset ends at "]" followed by optional space and ">". */
            size_t j = i + 1;
            while (end != NULL) {
                size_t k = (size_t)(end - s) + 1;
                while (k < n && mld_ascii_space(s[k]))
                    k++;
                if (k < n && s[k] == '>') {
                    *subset = s + i + 1;
                    *subset_n = (size_t)(end - s) - i - 1;
                    return k + 1;
                }
                j = (size_t)(end - s) + 1;
                end = memmem(s + j, n - j, "]", 1);
            }
            return n;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return n;
}

/* Returns a copy of s with undeclared HTML entity references replaced by
 * numeric ones, references to 128-159 by the windows-1252 characters and
 * each bare '&' (one that starts no reference) by "&amp;"; or NULL when
 * nothing needs replacing. */
static char *
fix_entities(const char *s, size_t n, size_t *out_n)
{
    const char *subset = NULL;
    size_t subset_n = 0;
    struct mld_buf b;
    bool changed = false;
    size_t run = 0;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '<' && i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
            const char *close;
            size_t skip;
            if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
                close = "-->", skip = 4;
            else if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0)
                close = "]]>", skip = 9;
            else if (s[i + 1] == '?')
                close = "?>", skip = 2;
            else if (n - i >= 9 && memcmp(s + i, "<!DOCTYPE", 9) == 0) {
                i = skip_doctype(s, n, i, &subset, &subset_n);
                /* A big internal subset declares its own entities; looking
                 * each reference up in it could take long, so leave the
                 * document to libxml2 as it is. */
                if (subset_n > 65536) {
                    mld_buf_dispose(&b);
                    return NULL;
                }
                continue;
            } else {
                i++;
                continue;
            }
            const char *e = memmem(s + i + skip, n - i - skip, close, strlen(close));
            i = e ? (size_t)(e - s) + strlen(close) : n;
            continue;
        }
        if (c != '&') {
            i++;
            continue;
        }
        if (i + 3 < n && s[i + 1] == '#' && s[i + 2] == 'X') {
            /* "&#X41;": HTML reads the upper-case X, XML does not. */
            size_t j = i + 3;
            while (j < n && hexval(s[j]) >= 0)
                j++;
            if (j > i + 3 && j < n && s[j] == ';') {
                mld_buf_append(&b, s + run, i - run);
                mld_buf_puts(&b, "&#x");
                run = i + 3;
                changed = true;
                i = j + 1;
                continue;
            }
        }
        size_t k = mld_xml_ref_len(s + i, n - i);
        if (k == 0) {
            /* A bare '&' ("Fish & Chips", a URL's query "?a=1&copy=2") is
             * the commonest way a feed fails to be XML; it means itself. */
            mld_buf_append(&b, s + run, i - run);
            mld_buf_puts(&b, "&amp;");
            run = i + 1;
            changed = true;
            i++;
            continue;
        }
        if (s[i + 1] == '#') {
            /* &#146; means what windows-1252 puts at 146, as in HTML. */
            bool hex = s[i + 2] == 'x';
            size_t j = i + 2 + hex;
            unsigned v = 0;
            for (; j < i + k - 1 && v <= 0x9f; j++)
                v = v * (hex ? 16 : 10) + (unsigned)(hex ? hexval(s[j]) : s[j] - '0');
            if (v >= 0x80 && v <= 0x9f && cp1252_high[v - 0x80] >= 0x100) {
                mld_buf_append(&b, s + run, i - run);
                mld_buf_printf(&b, "&#%u;", cp1252_high[v - 0x80]);
                run = i + k;
                changed = true;
            }
            i += k;
            continue;
        }
        /* HTML 4's names are 2 to 8 letters and digits. */
        size_t nlen = k - 2;
        char name[16];
        bool html_like = nlen <= 8;
        for (size_t j = 0; j < nlen && html_like; j++)
            html_like = mld_ascii_alpha(s[i + 1 + j]) || mld_ascii_digit(s[i + 1 + j]);
        if (!html_like) {
            i += k;
            continue;
        }
        memcpy(name, s + i + 1, nlen);
        name[nlen] = '\0';
        static const char *const xml[] = {"amp", "lt", "gt", "quot", "apos"};
        bool predefined = false;
        for (int x = 0; x < 5; x++)
            predefined |= strcmp(name, xml[x]) == 0;
        const htmlEntityDesc *ent = NULL;
        if (!predefined)
            ent = htmlEntityLookup((const xmlChar *)name);
        if (ent != NULL && subset != NULL && declared(subset, subset_n, name, nlen))
            ent = NULL;
        if (ent != NULL) {
            mld_buf_append(&b, s + run, i - run);
            mld_buf_printf(&b, "&#%u;", ent->value);
            run = i + k;
            changed = true;
        }
        i += k;
    }
    if (!changed || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    mld_buf_append(&b, s + run, n - run);
    return mld_buf_steal(&b, out_n);
}

/* Dates ------------------------------------------------------------------- */

static const char *const months_en[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};

/* Month 1-12 of a (lower-case) word: English and German names and
 * abbreviations; 0 when it is none. */
static int
month_of(const char *w, size_t n)
{
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (memcmp(w, months_en[m], 3) == 0)
            return m + 1;
    static const struct {
        const char *w;
        int m;
    } de[] = {{"mär", 3},  {"mrz", 3},  {"mae", 3}, {"mai", 5},
              {"okt", 10}, {"dez", 12}, {"jän", 1}, {"jaen", 1}}; /* Austrian: Jänner */
    for (size_t i = 0; i < sizeof(de) / sizeof(de[0]); i++)
        if (n >= strlen(de[i].w) && memcmp(w, de[i].w, strlen(de[i].w)) == 0)
            return de[i].m;
    return 0;
}

/* Offset in minutes of a named zone (lower case); false when unknown. */
static bool
zone_of(const char *w, size_t n, int *minutes)
{
    static const struct {
        const char *name;
        int min;
    } zones[] = {
        {"ut", 0},     {"utc", 0},    {"gmt", 0},    {"z", 0},       {"wet", 0},     {"est", -300},
        {"edt", -240}, {"cst", -360}, {"cdt", -300}, {"mst", -420},  {"mdt", -360},  {"pst", -480},
        {"pdt", -420}, {"ast", -240}, {"adt", -180}, {"akst", -540}, {"akdt", -480}, {"hst", -600},
        {"et", -300},  {"ct", -360},  {"mt", -420},  {"pt", -480},   {"cet", 60},    {"met", 60},
        {"mez", 60},   {"cest", 120}, {"mest", 120}, {"mesz", 120},  {"bst", 60},    {"west", 60},
        {"eet", 120},  {"eest", 180}, {"msk", 180},  {"jst", 540},   {"kst", 540},   {"hkt", 480},
        {"sgt", 480},  {"aest", 600}, {"aedt", 660}, {"acst", 570},  {"awst", 480},  {"nzst", 720},
        {"nzdt", 780}, {"ist", 330},
    };
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        if (strlen(zones[i].name) == n && memcmp(zones[i].name, w, n) == 0) {
            *minutes = zones[i].min;
            return true;
        }
    /* RFC 822's military letters had their signs reversed; RFC 2822 says
     * to read them as UTC. */
    if (n == 1 && w[0] >= 'a' && w[0] <= 'z' && w[0] != 'j') {
        *minutes = 0;
        return true;
    }
    return false;
}

/* Parses "YYYY", "YYYY-MM", "YYYY-MM-DD" exactly; false otherwise. */
static bool
partial_iso(const char *s, size_t n, mld_time_t *out)
{
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !mld_ascii_digit(s[i]))
            return false;
    }
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = n >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 1;
    int d = n >= 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 1;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    *out = mld_time_from_civil(y, m, d, 0, 0, 0);
    return true;
}

/* Reads a number of up to 9 digits at s[*i]; returns digits read. */
static int
read_num(const char *s, size_t n, size_t *i, long *v)
{
    int k = 0;
    *v = 0;
    while (*i < n && mld_ascii_digit(s[*i]) && k < 9) {
        *v = *v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    return k;
}

/* The tolerant RFC 822 family parser. */
static int
parse_loose(const char *s, size_t n, mld_time_t *out)
{
    long year = -1, day = -1, hh = 0, mm = 0, ss = 0;
    int month = 0, year_digits = 0, zone = 0;
    bool have_time = false, have_zone = false;
    long nums[4];
    int nnum = 0, numdig[4];
    bool year_first = false;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (mld_ascii_space(c) || c == ',' || c == '/' || c == '.' || c == '(' || c == ')') {
            i++;
            continue;
        }
        if (c == '-' && !have_time) {
            i++;
            continue;
        }
        if (c == '+' || c == '-') {
            /* A numeric zone: +HHMM, +HH:MM, +HH, +H. */
            int sign = c == '-' ? -1 : 1;
            i++;
            long v;
            int k = read_num(s, n, &i, &v);
            if (k == 0)
                return MLD_E_PARSE;
            long h, m = 0;
            if (k <= 2) {
                h = v;
                if (i + 2 < n && s[i] == ':' && mld_ascii_digit(s[i + 1])) {
                    i++;
                    if (read_num(s, n, &i, &m) != 2)
                        return MLD_E_PARSE;
                }
            } else if (k == 4) {
                h = v / 100, m = v % 100;
            } else {
                return MLD_E_PARSE;
            }
            if (h > 14 || m > 59)
                return MLD_E_PARSE;
            zone += sign * (int)(h * 60 + m);
            have_zone = true;
            continue;
        }
        if (mld_ascii_digit(c)) {
            long v;
            int k = read_num(s, n, &i, &v);
            if (i < n && s[i] == ':' && !have_time && k <= 2) {
                /* HH:MM[:SS[.fff]] */
                hh = v;
                i++;
                if (read_num(s, n, &i, &mm) != 2)
                    return MLD_E_PARSE;
                if (i < n && s[i] == ':') {
                    i++;
                    if (read_num(s, n, &i, &ss) != 2)
                        return MLD_E_PARSE;
                    if (i < n && (s[i] == '.' || s[i] == ',')) {
                        i++;
                        long frac;
                        read_num(s, n, &i, &frac);
                        while (i < n && mld_ascii_digit(s[i]))
                            i++;
                    }
                }
                have_time = true;
                continue;
            }
            if (i < n && mld_ascii_digit(s[i]))
                return MLD_E_PARSE; /* more than 9 digits */
            if (nnum >= 4)
                return MLD_E_PARSE;
            if (nnum == 0 && k == 4 && month == 0)
                year_first = true;
            numdig[nnum] = k;
            nums[nnum++] = v;
            continue;
        }
        if (mld_ascii_alpha(c) || (unsigned char)c >= 0x80) {
            char w[16];
            size_t k = 0;
            while (i < n && (mld_ascii_alpha(s[i]) || (unsigned char)s[i] >= 0x80)) {
                if (k < sizeof(w) - 1)
                    w[k++] = mld_ascii_lower(s[i]);
                i++;
            }
            w[k] = '\0';
            int m, z;
            if (k == 2 && (strcmp(w, "am") == 0 || strcmp(w, "pm") == 0)) {
                if (!have_time || hh < 1 || hh > 12)
                    return MLD_E_PARSE;
                if (w[0] == 'p' && hh < 12)
                    hh += 12;
                else if (w[0] == 'a' && hh == 12)
                    hh = 0;
            } else if (k == 1 && w[0] == 't' && !have_time) {
                continue; /* an ISO 'T' between date and time */
            } else if (!have_time && month == 0 && k >= 3 && (m = month_of(w, k)) != 0) {
                month = m;
            } else if ((have_time || nnum >= 2) && zone_of(w, k, &z)) {
                zone += z;
                have_zone = true;
            } else if (month == 0 || k < 3) {
                /* A weekday (right or wrong) or other word before the date:
                 * skipped. */
                if (k == 1 && month != 0)
                    return MLD_E_PARSE;
            } else {
                return MLD_E_PARSE;
            }
            continue;
        }
        return MLD_E_PARSE;
    }
    (void)have_zone;
    /* Assign the numbers: with a month name, D Y or Y D or (asctime) D ... Y;
     * without, Y M D. */
    if (month != 0) {
        if (nnum != 2)
            return MLD_E_PARSE;
        if (numdig[0] == 4 || numdig[0] == 3 || nums[0] > 31)
            year = nums[0], year_digits = numdig[0], day = nums[1];
        else
            day = nums[0], year = nums[1], year_digits = numdig[1];
    } else if (year_first && nnum == 3) {
        year = nums[0], year_digits = 4, month = (int)nums[1], day = nums[2];
    } else {
        return MLD_E_PARSE;
    }
    if (year_digits <= 2)
        year += year < 50 ? 2000 : 1900;
    else if (year_digits == 3)
        year += 1900;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1] || year > 9999)
        return MLD_E_PARSE;
    if (month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return MLD_E_PARSE;
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm != 0 || ss != 0)))
        return MLD_E_PARSE;
    *out = mld_time_from_civil((int)year, month, (int)day, (int)hh, (int)mm, (int)ss) -
           (mld_time_t)zone * 60;
    return 0;
}

int
mld_feed_parse_date(const char *s, size_t len, mld_time_t *out)
{
    if (s == NULL)
        return MLD_E_PARSE;
    while (len > 0 && mld_ascii_space(*s))
        s++, len--;
    while (len > 0 && mld_ascii_space(s[len - 1]))
        len--;
    if (len == 0 || len > 128)
        return MLD_E_PARSE;
    if (partial_iso(s, len, out))
        return 0;
    if (len >= 8 && mld_ascii_digit(s[0]) && mld_ascii_digit(s[1]) && mld_ascii_digit(s[2]) &&
        mld_ascii_digit(s[3])) {
        /* ISO 8601 with lower-case t/z too. */
        char tmp[129];
        for (size_t i = 0; i < len; i++)
            tmp[i] = s[i] == 't' ? 'T' : s[i] == 'z' ? 'Z' : s[i];
        if (mld_time_parse_iso(tmp, len, out) == 0)
            return 0;
    }
    return parse_loose(s, len, out);
}

/* URLs -------------------------------------------------------------------- */

/* Length of the scheme of s ("http" -> 4), 0 when s has none. */
static size_t
scheme_len(const char *s)
{
    if (!mld_ascii_alpha(s[0]))
        return 0;
    size_t i = 1;
    while (mld_ascii_alpha(s[i]) || mld_ascii_digit(s[i]) || s[i] == '+' || s[i] == '-' ||
           s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

bool
mld_feed_url_is_web(const char *url)
{
    if (url == NULL)
        return false;
    size_t n = strlen(url);
    return (starts_nocase(url, n, "http://") && n > 7) ||
           (starts_nocase(url, n, "https://") && n > 8);
}

/* Copies s percent-encoding what libxml2's URI parser refuses: bytes above
 * 0x7f, spaces, controls and a few ASCII characters. */
static char *
escape_uri(const char *s)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_FIELD_BYTES * 3);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c > 0x7e || c <= 0x20 || strchr("\"<>\\^`{|}", c) != NULL)
            mld_buf_printf(&b, "%%%02X", c);
        else
            mld_buf_putc(&b, (char)c);
    }
    return mld_buf_steal(&b, NULL);
}

/* True when s has a percent-escape of a byte above 0x7f. */
static bool
has_high_escape(const char *s)
{
    for (; *s; s++)
        if (s[0] == '%' && hexval(s[1]) >= 8 && hexval(s[2]) >= 0)
            return true;
    return false;
}

/* Turns %XX escapes of bytes above 0x7f back into bytes, in place. */
static void
unescape_high(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (p[0] == '%' && hexval(p[1]) >= 8 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
}

char *
mld_feed_resolve_url(const char *base, const char *ref)
{
    if (ref == NULL)
        return NULL;
    size_t n = strlen(ref);
    while (n > 0 && mld_ascii_space(*ref))
        ref++, n--;
    while (n > 0 && mld_ascii_space(ref[n - 1]))
        n--;
    char *r = mld_strndup(ref, n);
    if (base == NULL || *base == '\0' || scheme_len(r) > 0)
        return r;
    bool high = has_high_escape(r) || has_high_escape(base);
    char *er = escape_uri(r), *eb = escape_uri(base);
    xmlChar *built = xmlBuildURI((const xmlChar *)er, (const xmlChar *)eb);
    mld_free(er);
    mld_free(eb);
    if (built == NULL)
        return r;
    mld_free(r);
    r = mld_strdup((const char *)built);
    xmlFree(built);
    if (!high)
        unescape_high(r);
    return r;
}

/* True when n or an ancestor carries xml:base. */
static bool
has_xml_base(const xmlNode *n)
{
    for (const xmlNode *p = n; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent)
        if (xmlHasNsProp(p, (const xmlChar *)"base", (const xmlChar *)XML_NS) != NULL)
            return true;
    return false;
}

/* Finds the base URL in effect at n. */
char *
mld_feed_base(const struct mld_feed_reader *r, const xmlNode *n)
{
    const xmlNode *chain[MLD_MAX_DEPTH * 2 + 2];
    int depth = 0;
    for (const xmlNode *p = n; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent)
        if (depth < (int)(sizeof(chain) / sizeof(chain[0])))
            chain[depth++] = p;
    char *base = r->src && r->src->url && *r->src->url ? mld_strdup(r->src->url)
                 : r->default_base != NULL             ? mld_strdup(r->default_base)
                                                       : NULL;
    for (int i = depth - 1; i >= 0; i--) {
        xmlChar *v = xmlGetNsProp(chain[i], (const xmlChar *)"base", (const xmlChar *)XML_NS);
        if (v == NULL)
            continue;
        char *cand = mld_feed_resolve_url(base, (const char *)v);
        xmlFree(v);
        /* "http:///host/" is a slip for "http://host/". */
        char *slashes = strstr(cand, ":///");
        if (slashes != NULL && mld_feed_url_is_web(cand) && (size_t)(slashes - cand) <= 5)
            memmove(slashes + 3, slashes + 4, strlen(slashes + 4) + 1);
        if (mld_feed_url_is_web(cand) ||
            (base == NULL && cand[0] != '\0' && scheme_len(cand) == 0)) {
            mld_free(base);
            base = cand;
        } else {
            mld_free(cand); /* javascript:, data:, ... never become a base */
        }
    }
    return base;
}

char *
mld_feed_resolve_at(const struct mld_feed_reader *r, const xmlNode *n, const char *ref)
{
    char *base = mld_feed_base(r, n);
    char *abs = mld_feed_resolve_url(base, ref);
    mld_free(base);
    return abs;
}

/* Language tags are written with "-" (BCP 47); "en_US" is a locale. */
static char *
lang_norm(char *s)
{
    for (char *p = s; p != NULL && *p; p++)
        if (*p == '_')
            *p = '-';
    return s;
}

char *
mld_feed_xml_lang(const xmlNode *n)
{
    xmlChar *v = xmlNodeGetLang(n);
    if (v == NULL)
        return NULL;
    char *r = trimmed((const char *)v, strlen((const char *)v));
    xmlFree(v);
    return lang_norm(r);
}

char *
mld_feed_node_lang(const xmlNode *n)
{
    return lang_norm(mld_feed_node_string(n));
}

/* Text constructs --------------------------------------------------------- */

char *
mld_feed_html_text(const char *html, size_t len)
{
    struct mld_err e = {0};
    char *t = mld_html_to_text(html, len, &e);
    char *r = fold(t);
    mld_free(t);
    return r;
}

bool
mld_feed_looks_like_html(const char *s)
{
    for (const char *p = s; p != NULL && *p; p++) {
        if (p[0] == '<' &&
            (mld_ascii_alpha(p[1]) || (p[1] == '/' && mld_ascii_alpha(p[2])) || p[1] == '!'))
            return true;
        if (p[0] == '&') {
            const char *q = p + 1;
            if (*q == '#')
                q++;
            const char *start = q;
            while (mld_ascii_alpha(*q) || mld_ascii_digit(*q))
                q++;
            if (q > start && *q == ';')
                return true;
        }
    }
    return false;
}

char *
mld_feed_cut(char *s, size_t max)
{
    if (s == NULL || strlen(s) <= max)
        return s;
    size_t n = max;
    /* Back to a word boundary, but not so far that little is left. */
    size_t k = n;
    while (k > max / 2 && s[k] != ' ')
        k--;
    if (s[k] == ' ')
        n = k;
    else
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == ',' || s[n - 1] == ';'))
        n--;
    char *r = mld_malloc(n + 5);
    memcpy(r, s, n);
    memcpy(r + n, " \xe2\x80\xa6", 5);
    mld_free(s);
    return r;
}

/* Writes n's children as HTML: local names, text escaped, comments and
 * processing instructions dropped. */
static void
serialize(struct mld_buf *b, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content != NULL)
                mld_buf_append_html(b, (const char *)c->content, strlen((const char *)c->content));
        } else if (c->type == XML_ENTITY_REF_NODE) {
            xmlChar *t = xmlNodeGetContent(c);
            if (t != NULL)
                mld_buf_append_html(b, (const char *)t, strlen((const char *)t));
            xmlFree(t);
        } else if (c->type == XML_ELEMENT_NODE && depth < MLD_MAX_DEPTH * 2) {
            const char *name = mld_xml_name(c);
            mld_buf_printf(b, "<%s", name);
            for (const xmlAttr *a = c->properties; a != NULL; a = a->next) {
                xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
                mld_buf_printf(b, " %s=\"", (const char *)a->name);
                if (v != NULL)
                    mld_buf_append_html(b, (const char *)v, strlen((const char *)v));
                mld_buf_putc(b, '"');
                xmlFree(v);
            }
            mld_buf_putc(b, '>');
            serialize(b, c, depth + 1);
            mld_buf_printf(b, "</%s>", name);
        }
    }
}

/* Unescapes the five escapes the sanitiser writes in attribute values. */
static char *
attr_unescape(const char *s, size_t n)
{
    static const struct {
        const char *e;
        char c;
    } esc[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    char *r = mld_malloc(n + 1), *o = r;
    for (size_t i = 0; i < n;) {
        size_t k;
        for (k = 0; k < 5; k++) {
            size_t el = strlen(esc[k].e);
            if (n - i >= el && memcmp(s + i, esc[k].e, el) == 0) {
                *o++ = esc[k].c;
                i += el;
                break;
            }
        }
        if (k == 5)
            *o++ = s[i++];
    }
    *o = '\0';
    return r;
}

/* Resolves the relative href, cite and (img) src values of sanitised HTML
 * against base; NULL when nothing changed. */
static char *
resolve_links(const char *html, const char *base)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    bool changed = false;
    size_t run = 0, n = strlen(html);
    for (size_t i = 0; i < n; i++) {
        if (html[i] != '<' || !mld_ascii_alpha(html[i + 1]))
            continue;
        size_t end = i;
        while (end < n && html[end] != '>')
            end++;
        for (size_t j = i; j < end; j++) {
            const char *attr = html + j;
            size_t alen;
            if (strncmp(attr, " href=\"", 7) == 0)
                alen = 7;
            else if (strncmp(attr, " cite=\"", 7) == 0)
                alen = 7;
            else if (strncmp(attr, " src=\"", 6) == 0)
                alen = 6;
            else
                continue;
            size_t vs = j + alen, ve = vs;
            while (ve < end && html[ve] != '"')
                ve++;
            char *v = attr_unescape(html + vs, ve - vs);
            if (scheme_len(v) == 0) {
                char *abs = mld_feed_resolve_url(base, v);
                if (strcmp(abs, v) != 0) {
                    mld_buf_append(&b, html + run, vs - run);
                    mld_buf_append_html(&b, abs, strlen(abs));
                    run = ve;
                    changed = true;
                }
                mld_free(abs);
            }
            mld_free(v);
            j = ve;
        }
        i = end;
    }
    if (!changed || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    mld_buf_append(&b, html + run, n - run);
    return mld_buf_steal(&b, NULL);
}

/* Drops the whitespace around s, in place. */
static char *
trim_in_place(char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s), k = 0;
    while (k < n && mld_ascii_space(s[k]))
        k++;
    while (n > k && mld_ascii_space(s[n - 1]))
        n--;
    memmove(s, s + k, n - k);
    s[n - k] = '\0';
    return s;
}

/* s trimmed in place, or NULL (s freed) when nothing is left. */
static char *
nonempty(char *s)
{
    trim_in_place(s);
    if (s != NULL && s[0] == '\0') {
        mld_free(s);
        return NULL;
    }
    return s;
}

/* True when the sanitiser's tag name[0..n) is one the plain text breaks
 * a line at (sanitize.c's block elements that it keeps, and br). */
static bool
clean_tag_is_block(const char *name, size_t n)
{
    static const char *const block[] = {
        "p",  "h2", "h3", "h4", "h5", "h6",     "hr",         "pre",   "blockquote", "ol", "ul",
        "li", "dl", "dt", "dd", "br", "figure", "figcaption", "table", "caption",    "tr", NULL};
    for (int i = 0; block[i]; i++)
        if (strlen(block[i]) == n && memcmp(block[i], name, n) == 0)
            return true;
    return false;
}

/* The folded plain text of sanitised HTML s, as mld_feed_html_text(s)
 * gives it, read without a parser: the sanitiser's output is canonical
 * (known tags only, attribute values and text escaped with the five
 * entities of mld_buf_append_html). NULL when s holds something else. */
static char *
clean_text(const char *s)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    bool ok = true;
    for (const char *p = s; *p != '\0' && ok; p++) {
        if (*p == '<') {
            const char *name = p + 1 + (p[1] == '/');
            size_t n = 0;
            while (mld_ascii_alpha(name[n]) || mld_ascii_digit(name[n]))
                n++;
            const char *end = strchr(name, '>');
            if (n == 0 || end == NULL) {
                ok = false;
                break;
            }
            if (clean_tag_is_block(name, n))
                mld_buf_putc(&b, '\n');
            else if (n == 2 && (memcmp(name, "td", 2) == 0 || memcmp(name, "th", 2) == 0))
                mld_buf_putc(&b, ' ');
            p = end;
        } else if (*p == '&') {
            static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", NULL};
            static const char chr[] = "&<>\"'";
            int k = 0;
            while (ent[k] != NULL && strncmp(p, ent[k], strlen(ent[k])) != 0)
                k++;
            if (ent[k] == NULL) {
                ok = false;
                break;
            }
            mld_buf_putc(&b, chr[k]);
            p += strlen(ent[k]) - 1;
        } else if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
            mld_buf_putc(&b, ' ');
            p++;
        } else {
            mld_buf_putc(&b, *p);
        }
    }
    if (!ok || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    char *raw = mld_buf_steal(&b, NULL);
    char *r = fold(raw);
    mld_free(raw);
    return r;
}

/* True when a and b hold the same characters other than spaces. */
static bool
same_ink(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (*a != *b)
            return false;
        if (*a == '\0')
            return true;
        a++, b++;
    }
}

/* Sanitises html and makes its links absolute against base; NULL when
 * nothing survives the sanitiser, or when it refuses html (then with e
 * set). *text gets the plain text of the result
 * as mld_feed_html_text() gives it (NULL when the result is NULL or has no
 * text), mostly without a second parse. */
static char *
clean_html(const char *html, size_t len, const char *base, char **text, struct mld_err *e)
{
    char *raw_text = NULL;
    /* With a base, relative images survive the first pass to be resolved;
     * the second pass (without the flag) then drops any that stayed
     * relative. */
    unsigned flags = base != NULL ? MLD_SANITIZE_RELATIVE_IMG : 0;
    char *s = mld_sanitize_html_flags(html, len, flags, &raw_text, e);
    if (s != NULL && base != NULL) {
        char *resolved = resolve_links(s, base);
        if (resolved != NULL || strstr(s, "<img") != NULL) {
            const char *from = resolved != NULL ? resolved : s;
            struct mld_err e2 = {0}; /* the first pass kept it: a second keeps it too */
            char *again = mld_sanitize_html(from, strlen(from), &e2);
            mld_free(resolved);
            if (again != NULL) {
                mld_free(s);
                s = again;
            }
        }
    }
    s = nonempty(s);
    *text = NULL;
    if (s != NULL) {
        /* The text of the sanitised copy, which lacks the line breaks of
         * the block elements the sanitiser unwraps (div, section ...) and
         * of the empty paragraphs it drops. It is read from the copy
         * without parsing it again; the text of the input, from the one
         * parse, checks that reading, and a disagreement (never seen)
         * falls back to parsing the copy. */
        char *ink = fold(raw_text);
        *text = clean_text(s);
        if (*text == NULL ? ink != NULL : !same_ink(*text, ink)) {
            mld_free(*text);
            *text = mld_feed_html_text(s, strlen(s));
        }
        mld_free(ink);
    }
    mld_free(raw_text);
    return s;
}

/* HTML for plain text: escaped, blank lines separating paragraphs, single
 * line breaks kept as <br>. */
static char *
plain_to_html(const char *s)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    const char *p = s;
    while (*p) {
        while (mld_ascii_space(*p))
            p++;
        if (*p == '\0')
            break;
        const char *end = strstr(p, "\n\n");
        const char *crlf = strstr(p, "\r\n\r\n");
        if (crlf != NULL && (end == NULL || crlf < end))
            end = crlf;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && mld_ascii_space(p[n - 1]))
            n--;
        mld_buf_puts(&b, "<p>");
        size_t run = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && p[i] != '\n')
                continue;
            size_t a = run, z = i;
            while (a < z && mld_ascii_space(p[a]))
                a++;
            while (z > a && mld_ascii_space(p[z - 1]))
                z--;
            if (run > 0)
                mld_buf_puts(&b, "<br>");
            mld_buf_append_html(&b, p + a, z - a);
            run = i + 1;
        }
        mld_buf_puts(&b, "</p>");
        p += n;
    }
    if (b.len == 0 || mld_buf_error(&b) != 0) {
        mld_buf_dispose(&b);
        return NULL;
    }
    return mld_buf_steal(&b, NULL);
}

static void
text_clear(struct mld_feed_text *t)
{
    mld_free(t->text);
    mld_free(t->html);
    mld_free(t->base);
    mld_free(t->lang);
    mld_free(t->lost);
    memset(t, 0, sizeof(*t));
}

bool
mld_feed_is_text(const char *s, size_t n)
{
    return s != NULL && memchr(s, '\0', n) == NULL && mld_utf8_valid(s, n);
}

/* A copy of s[0..n) as a field may hold it (invalid UTF-8 as U+FFFD,
 * control characters as scrub() does), or NULL when s is fine as it is. */
static char *
field_clean(const char *s, size_t n, size_t *out_n)
{
    bool dirty = !mld_feed_is_text(s, n);
    for (size_t i = 0; i < n && !dirty; i++)
        dirty = is_control((unsigned char)s[i]);
    if (!dirty)
        return NULL;
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    decode_utf8_lossy(s, n, &b);
    size_t len;
    char *r = mld_buf_steal(&b, &len);
    *out_n = scrub(r, len);
    return r;
}

void
mld_feed_text_set(const struct mld_feed_reader *r, const xmlNode *n, const char *s, size_t len,
                  enum mld_feed_type type, bool with_html, struct mld_feed_text *t)
{
    text_clear(t);
    t->present = true;
    t->type = type;
    t->base = mld_feed_base(r, n);
    t->lang = mld_feed_xml_lang(n);
    if (s == NULL || len == 0)
        return;
    size_t clean_n = 0;
    char *clean = field_clean(s, len, &clean_n);
    if (clean != NULL) {
        mld_feed_text_set(r, n, clean, clean_n, type, with_html, t);
        mld_free(clean);
        return;
    }
    /* A field past the cap is cut, and says so (lost); the sanitiser
     * closes what the cut left open. */
    size_t cap = with_html ? MLD_MAX_BODY_BYTES : MLD_MAX_FIELD_BYTES;
    if (len > cap) {
        char why[96];
        snprintf(why, sizeof(why), "%zu bytes, more than the limit of %zu", len, cap);
        t->lost = mld_strdup(why);
        t->lost_code = MLD_E_TOOBIG;
        len = cap;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;
    }
    if (type == MLD_FEED_PLAIN) {
        char *raw = mld_strndup(s, len);
        t->text = fold(raw);
        if (with_html && t->text != NULL)
            t->html = plain_to_html(raw);
        mld_free(raw);
        return;
    }
    if (with_html) {
        /* Links in an item's HTML are relative to the item's own page,
         * unless xml:base says otherwise. */
        const char *base = t->base;
        if (mld_feed_url_is_web(r->item_link) && !has_xml_base(n))
            base = r->item_link;
        struct mld_err e = {0};
        t->html = clean_html(s, len, base, &t->text, &e);
        if (e.code != 0 && t->lost == NULL) {
            t->lost = mld_strdup(e.msg);
            t->lost_code = e.code;
        }
    } else {
        t->text = mld_feed_html_text(s, len);
    }
}

/* The single xhtml:div that wraps inline XHTML, or NULL. */
static const xmlNode *
xhtml_wrapper(const xmlNode *n)
{
    const xmlNode *div = NULL;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (div != NULL || strcmp(mld_xml_name(c), "div") != 0)
                return NULL;
            div = c;
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = c->content; p && *p; p++)
                if (!mld_ascii_space((char)*p))
                    return NULL;
        }
    }
    return div;
}

void
mld_feed_text_read(const struct mld_feed_reader *r, const xmlNode *n, enum mld_feed_type type,
                   bool with_html, struct mld_feed_text *t)
{
    struct mld_buf b;
    mld_buf_init(&b, MLD_MAX_DOC_BYTES);
    const xmlNode *div = mld_xml_has_element_child(n) ? xhtml_wrapper(n) : NULL;
    /* Markup where text was announced: read it as HTML. */
    if (type == MLD_FEED_PLAIN && mld_xml_has_element_child(n))
        type = MLD_FEED_HTML;
    if (!mld_xml_has_element_child(n) ||
        (type == MLD_FEED_HTML && div && !mld_xml_has_element_child(div))) {
        /* Plain or escaped text; for type="html", also escaped HTML
         * inside an XHTML div that did not belong there. */
        xmlChar *c = xmlNodeGetContent(n);
        if (c != NULL)
            mld_buf_puts(&b, (const char *)c);
        xmlFree(c);
    } else {
        serialize(&b, type == MLD_FEED_XHTML && div ? div : n, 0);
    }
    mld_feed_text_set(r, n, b.p, mld_buf_error(&b) ? 0 : b.len, type, with_html, t);
    mld_buf_dispose(&b);
}

void
mld_feed_text_offer(const struct mld_feed_reader *r, const xmlNode *n, enum mld_feed_type type,
                    bool with_html, int rank, int *t_rank, struct mld_feed_text *t)
{
    if (t->present && t->text != NULL && rank <= *t_rank)
        return;
    struct mld_feed_text cand = {0};
    mld_feed_text_read(r, n, type, with_html, &cand);
    if (t->present && (cand.text == NULL || (t->text != NULL && rank <= *t_rank))) {
        text_clear(&cand);
        return;
    }
    text_clear(t);
    *t = cand;
    *t_rank = rank;
}

/* Model helpers ----------------------------------------------------------- */

/* The vocabulary a prefix conventionally names, for prefixes a feed used
 * without declaring them; MLD_NS_OTHER for the rest. */
static enum mld_feed_ns
ns_of_prefix(const char *name, size_t n)
{
    static const struct {
        const char *prefix;
        enum mld_feed_ns ns;
    } map[] = {
        {"atom", MLD_NS_ATOM},       {"dc", MLD_NS_DC},       {"dcterms", MLD_NS_DCTERMS},
        {"content", MLD_NS_CONTENT}, {"media", MLD_NS_MEDIA}, {"itunes", MLD_NS_ITUNES},
        {"rdf", MLD_NS_RDF},         {"xhtml", MLD_NS_XHTML},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strlen(map[i].prefix) == n && memcmp(map[i].prefix, name, n) == 0)
            return map[i].ns;
    return MLD_NS_OTHER;
}

const char *
mld_feed_name(const xmlNode *n)
{
    const char *name = mld_xml_name(n);
    const char *colon = n != NULL && n->ns == NULL ? strrchr(name, ':') : NULL;
    return colon != NULL ? colon + 1 : name;
}

/* Sorted by strcmp() for bsearch(); tests/unit/ingest/feed.c looks every
 * row up. */
static const struct feed_tok {
    const char *name;
    enum mld_feed_tok tok;
} feed_toks[] = {
    {"author", MLD_TOK_AUTHOR},
    {"body", MLD_TOK_BODY},
    {"category", MLD_TOK_CATEGORY},
    {"content", MLD_TOK_CONTENT},
    {"created", MLD_TOK_CREATED},
    {"creator", MLD_TOK_CREATOR},
    {"date", MLD_TOK_DATE},
    {"description", MLD_TOK_DESCRIPTION},
    {"div", MLD_TOK_DIV},
    {"enclosure", MLD_TOK_ENCLOSURE},
    {"encoded", MLD_TOK_ENCODED},
    {"fullitem", MLD_TOK_FULLITEM},
    {"group", MLD_TOK_GROUP},
    {"guid", MLD_TOK_GUID},
    {"id", MLD_TOK_ID},
    {"identifier", MLD_TOK_IDENTIFIER},
    {"issued", MLD_TOK_ISSUED},
    {"keywords", MLD_TOK_KEYWORDS},
    {"language", MLD_TOK_LANGUAGE},
    {"lastBuildDate", MLD_TOK_LASTBUILDDATE},
    {"link", MLD_TOK_LINK},
    {"managingEditor", MLD_TOK_MANAGINGEDITOR},
    {"modified", MLD_TOK_MODIFIED},
    {"pubDate", MLD_TOK_PUBDATE},
    {"published", MLD_TOK_PUBLISHED},
    {"source", MLD_TOK_SOURCE},
    {"subject", MLD_TOK_SUBJECT},
    {"subtitle", MLD_TOK_SUBTITLE},
    {"summary", MLD_TOK_SUMMARY},
    {"tagline", MLD_TOK_TAGLINE},
    {"thumbnail", MLD_TOK_THUMBNAIL},
    {"title", MLD_TOK_TITLE},
    {"updated", MLD_TOK_UPDATED},
    {"webMaster", MLD_TOK_WEBMASTER},
};

static int
cmp_tok(const void *key, const void *row)
{
    return strcmp(key, ((const struct feed_tok *)row)->name);
}

enum mld_feed_tok
mld_feed_tok(const xmlNode *n)
{
    const struct feed_tok *t =
        bsearch(mld_feed_name(n), feed_toks, sizeof(feed_toks) / sizeof(*feed_toks),
                sizeof(*feed_toks), cmp_tok);
    return t != NULL ? t->tok : MLD_TOK_OTHER;
}

xmlNode *
mld_feed_child(const xmlNode *n, const char *local)
{
    for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp(mld_feed_name(c), local) == 0)
            return c;
    return NULL;
}

enum mld_feed_ns
mld_feed_ns(const xmlNode *n)
{
    if (n->ns == NULL || n->ns->href == NULL) {
        /* libxml2 keeps an undeclared prefix in the name ("atom:link"). */
        const char *name = mld_xml_name(n);
        const char *colon = n->ns == NULL ? strchr(name, ':') : NULL;
        return colon != NULL ? ns_of_prefix(name, (size_t)(colon - name)) : MLD_NS_CORE;
    }
    const char *h = (const char *)n->ns->href;
    static const struct {
        const char *href;
        enum mld_feed_ns ns;
    } map[] = {
        {"http://purl.org/rss/1.0/", MLD_NS_CORE},
        {"http://my.netscape.com/rdf/simple/0.9/", MLD_NS_CORE},
        {"http://channel.netscape.com/rdf/simple/0.9/", MLD_NS_CORE},
        {"http://backend.userland.com/rss2", MLD_NS_CORE},
        {"http://backend.userland.com/rss", MLD_NS_CORE},
        {"http://blogs.law.harvard.edu/tech/rss", MLD_NS_CORE},
        {"http://purl.org/net/rss1.1#", MLD_NS_CORE},
        {"http://www.w3.org/2005/Atom", MLD_NS_ATOM},
        {"http://purl.org/atom/ns#", MLD_NS_ATOM03},
        {"http://purl.org/dc/elements/1.1/", MLD_NS_DC},
        {"http://purl.org/dc/elements/1.0/", MLD_NS_DC},
        {"http://purl.org/dc/terms/", MLD_NS_DCTERMS},
        {"http://purl.org/rss/1.0/modules/content/", MLD_NS_CONTENT},
        {"http://search.yahoo.com/mrss/", MLD_NS_MEDIA},
        {"http://search.yahoo.com/mrss", MLD_NS_MEDIA},
        {"http://www.w3.org/1999/xhtml", MLD_NS_XHTML},
        {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", MLD_NS_RDF},
        {"http://www.itunes.com/dtds/podcast-1.0.dtd", MLD_NS_ITUNES},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(h, map[i].href) == 0 ||
            (map[i].ns == MLD_NS_ITUNES && strcasecmp(h, map[i].href) == 0))
            return map[i].ns;
    /* The root's own namespace is the format's, whatever it is called
     * (RSS 2.1 drafts, Atom pre-releases). */
    const xmlNode *root = n->doc ? xmlDocGetRootElement(n->doc) : NULL;
    if (root != NULL && root->ns != NULL && root->ns->href != NULL &&
        strcmp((const char *)root->ns->href, h) == 0)
        return MLD_NS_CORE;
    return MLD_NS_OTHER;
}

char *
mld_feed_node_string(const xmlNode *n)
{
    if (n == NULL)
        return NULL;
    xmlChar *c = xmlNodeGetContent(n);
    if (c == NULL)
        return NULL;
    char *r = trimmed((const char *)c, strlen((const char *)c));
    xmlFree(c);
    return r;
}

mld_time_t
mld_feed_node_date(const xmlNode *n)
{
    char *s = mld_feed_node_string(n);
    mld_time_t t = 0;
    if (s != NULL && mld_feed_parse_date(s, strlen(s), &t) != 0)
        t = 0;
    mld_free(s);
    return t;
}

void
mld_feed_link_add(const struct mld_feed_reader *r, const xmlNode *n, const char *href,
                  const char *rel, const char *type, const char *title, int64_t length,
                  struct mld_feed_link **v, int *nv)
{
    if (href == NULL || *nv >= MLD_MAX_FEED_LINKS)
        return;
    char *abs = mld_feed_resolve_at(r, n, href);
    *v = mld_reallocarray(*v, (size_t)*nv + 1, sizeof(**v));
    struct mld_feed_link *l = &(*v)[(*nv)++];
    l->href = abs;
    l->rel = trimmed(rel ? rel : "alternate", strlen(rel ? rel : "alternate"));
    if (l->rel == NULL)
        l->rel = mld_strdup("alternate");
    l->type = type ? trimmed(type, strlen(type)) : NULL;
    l->title = title ? mld_strdup(title) : NULL;
    l->length = length;
}

struct mld_feed_item *
mld_feed_item_add(struct mld_feed *f)
{
    if (f->nitems >= MLD_MAX_FEED_ITEMS) {
        f->dropped++;
        return NULL;
    }
    f->items = mld_reallocarray(f->items, (size_t)f->nitems + 1, sizeof(*f->items));
    struct mld_feed_item *it = &f->items[f->nitems++];
    memset(it, 0, sizeof(*it));
    it->article = mld_article_new();
    return it;
}

/* True when s[0..n) looks like an e-mail address. */
static bool
is_email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (at == NULL || at == s || at == s + n - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (mld_ascii_space(s[i]))
            return false;
    return true;
}

/* True when list (names joined with ", ") has the name s[0..n). */
static bool
has_name(const char *list, const char *s, size_t n)
{
    for (const char *p = list; p != NULL;) {
        const char *e = strstr(p, ", ");
        size_t pl = e ? (size_t)(e - p) : strlen(p);
        if (pl == n && memcmp(p, s, n) == 0)
            return true;
        p = e ? e + 2 : NULL;
    }
    return false;
}

/* True when each of the ", "-separated names in s[0..n) is in list. */
static bool
has_names(const char *list, const char *s, size_t n)
{
    if (list == NULL)
        return false;
    const char *end = s + n;
    while (s < end) {
        const char *comma = memmem(s, (size_t)(end - s), ", ", 2);
        size_t k = comma ? (size_t)(comma - s) : (size_t)(end - s);
        if (!has_name(list, s, k))
            return false;
        s = comma ? comma + 2 : end;
    }
    return true;
}

/* Appends name s[0..n) to a->author unless it is there already, an
 * e-mail address, too long, or would pass MLD_FEED_AUTHOR_BYTES. */
static void
append_name(struct mld_article *a, const char *s, size_t n)
{
    while (n > 0 && mld_ascii_space(*s))
        s++, n--;
    while (n > 0 && mld_ascii_space(s[n - 1]))
        n--;
    if (n == 0 || n > MLD_MAX_ID_BYTES || is_email(s, n) || has_name(a->author, s, n))
        return;
    size_t old = a->author ? strlen(a->author) : 0;
    if (old + n + 2 > MLD_FEED_AUTHOR_BYTES)
        return;
    char *r = mld_malloc(old + (old ? 2 : 0) + n + 1);
    if (old) {
        memcpy(r, a->author, old);
        memcpy(r + old, ", ", 2);
        old += 2;
    }
    memcpy(r + old, s, n);
    r[old + n] = '\0';
    mld_free(a->author);
    a->author = r;
}

void
mld_feed_add_author(struct mld_article *a, const char *s)
{
    /* Checked first, so that a flood of author elements costs little. */
    if (s == NULL || (a->author != NULL && strlen(a->author) >= MLD_FEED_AUTHOR_BYTES))
        return;
    char *t = fold(s);
    if (t == NULL)
        return;
    const char *name = t;
    size_t n = strlen(t);
    char *open = strchr(t, '(');
    char *lt = strchr(t, '<');
    if (open != NULL && t[n - 1] == ')' && is_email(t, (size_t)(open - t) - (open > t))) {
        /* "mail@example.com (Name)" */
        name = open + 1;
        n = (size_t)(t + n - 1 - name);
    } else if (open != NULL && t[n - 1] == ')' && is_email(open + 1, n - (size_t)(open - t) - 2)) {
        /* "Name (mail@example.com)" */
        n = (size_t)(open - t);
    } else if (lt != NULL && t[n - 1] == '>' && is_email(lt + 1, n - (size_t)(lt - t) - 2)) {
        /* "Name <mail@example.com>" */
        n = (size_t)(lt - t);
    } else if (is_email(t, n)) {
        n = 0;
    }
    /* A list of names ("A, B", as a podcast's itunes:author repeats its
     * dc:creators) is skipped when each of its names is there already,
     * else added whole: split, "Lu, A., Simon, A." would lose an "A.". An
     * address in a name's place ("mail (mail)") is no name either. */
    if (!has_names(a->author, name, n))
        append_name(a, name, n);
    mld_free(t);
}

void
mld_feed_add_tag(struct mld_article *a, const char *s)
{
    char *t = fold(s);
    if (t == NULL)
        return;
    if (strlen(t) <= MLD_MAX_ID_BYTES) {
        size_t n = strlen(t);
        char *c = mld_malloc(n + 5);
        memcpy(c, "tag:", 4);
        memcpy(c + 4, t, n + 1);
        mld_article_add_category(a, c);
        mld_free(c);
    }
    mld_free(t);
}

enum mld_media_kind
mld_feed_media_kind(const char *medium, const char *type, const char *url)
{
    static const struct {
        const char *word;
        enum mld_media_kind kind;
    } media[] = {{"image", MLD_MEDIA_PICTURE},
                 {"audio", MLD_MEDIA_AUDIO},
                 {"video", MLD_MEDIA_VIDEO}},
      ext[] = {{"jpg", MLD_MEDIA_PICTURE}, {"jpeg", MLD_MEDIA_PICTURE}, {"png", MLD_MEDIA_PICTURE},
               {"gif", MLD_MEDIA_PICTURE}, {"webp", MLD_MEDIA_PICTURE}, {"avif", MLD_MEDIA_PICTURE},
               {"mp3", MLD_MEDIA_AUDIO},   {"m4a", MLD_MEDIA_AUDIO},    {"aac", MLD_MEDIA_AUDIO},
               {"ogg", MLD_MEDIA_AUDIO},   {"oga", MLD_MEDIA_AUDIO},    {"opus", MLD_MEDIA_AUDIO},
               {"wav", MLD_MEDIA_AUDIO},   {"mp4", MLD_MEDIA_VIDEO},    {"m4v", MLD_MEDIA_VIDEO},
               {"webm", MLD_MEDIA_VIDEO},  {"mov", MLD_MEDIA_VIDEO},    {"ogv", MLD_MEDIA_VIDEO}};
    for (size_t i = 0; medium != NULL && i < sizeof(media) / sizeof(media[0]); i++)
        if (strcasecmp(medium, media[i].word) == 0)
            return media[i].kind;
    if (medium != NULL && medium[0] != '\0')
        return MLD_MEDIA_OTHER; /* "document", "executable" */
    if (type != NULL) {
        while (mld_ascii_space(*type))
            type++;
        size_t major = strcspn(type, "/");
        for (size_t i = 0; type[major] == '/' && i < sizeof(media) / sizeof(media[0]); i++)
            if (major == strlen(media[i].word) && strncasecmp(type, media[i].word, major) == 0)
                return media[i].kind;
        if (type[0] != '\0' && strncasecmp(type, "application/octet-stream", 24) != 0)
            return MLD_MEDIA_OTHER;
    }
    if (url == NULL)
        return MLD_MEDIA_OTHER;
    /* The extension of the URL's path. */
    size_t path = strcspn(url, "?#");
    size_t dot = path;
    while (dot > 0 && url[dot - 1] != '.' && url[dot - 1] != '/')
        dot--;
    if (dot == 0 || url[dot - 1] != '.')
        return MLD_MEDIA_OTHER;
    size_t n = path - dot;
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (n == strlen(ext[i].word) && strncasecmp(url + dot, ext[i].word, n) == 0)
            return ext[i].kind;
    return MLD_MEDIA_OTHER;
}

struct mld_media *
mld_feed_add_media(const struct mld_feed_reader *r, const xmlNode *n, struct mld_article *a,
                   const char *url, const char *type, int64_t length, const char *caption)
{
    if (url == NULL)
        return NULL;
    char *abs = mld_feed_resolve_at(r, n, url);
    bool dup = false;
    for (int i = 0; i < a->nmedia && !dup; i++) {
        dup = strcmp(a->media[i].url, abs) == 0;
        for (int k = 0; k < a->media[i].nrenditions && !dup; k++)
            dup = strcmp(a->media[i].renditions[k].url, abs) == 0;
    }
    struct mld_media *m = NULL;
    if (!dup && mld_feed_url_is_web(abs)) {
        char *t = type ? trimmed(type, strlen(type)) : NULL;
        char *c = caption ? fold(caption) : NULL;
        m = mld_article_add_media(a, abs, t, length > 0 ? length : 0, c);
        if (m != NULL)
            m->kind = mld_feed_media_kind(NULL, t, abs);
        mld_free(t);
        mld_free(c);
    }
    mld_free(abs);
    return m;
}

/* The pixel size v writes (a number from 0 to 100000, what may follow
 * it ignored), 0 when v is NULL or no such number. Frees v. */
static int
take_dim(char *v)
{
    long x = 0;
    if (v != NULL) {
        char *end;
        x = strtol(v, &end, 10);
        if (end == v || x < 0 || x > 100000)
            x = 0;
    }
    mld_free(v);
    return (int)x;
}

/* A pixel size attribute of n, 0 when absent or not a number. */
static int
dim_attr(const xmlNode *n, const char *name)
{
    return take_dim(mld_xml_attr(n, name));
}

/* The folded text of the first Media RSS child local of n, or NULL. */
static char *
media_child_text(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && mld_feed_ns(c) == MLD_NS_MEDIA &&
            strcmp(mld_feed_name(c), local) == 0) {
            char *t = mld_xml_text(c);
            char *f = fold(t);
            mld_free(t);
            if (f != NULL)
                return f;
        }
    return NULL;
}

/* The caption of Media RSS element n: its media:description, else its
 * media:title; or NULL. */
static char *
media_caption_of(const xmlNode *n)
{
    char *c = media_child_text(n, "description");
    return c != NULL ? c : media_child_text(n, "title");
}

/* True when URLs a and b differ only in their query: one picture in
 * two sizes ("...jpg?w=140", "...jpg?w=460", as the Guardian writes
 * them without a media:group). */
static bool
same_but_query(const char *a, const char *b)
{
    const char *qa = strchr(a, '?'), *qb = strchr(b, '?');
    return qa != NULL && qb != NULL && qa - a == qb - b && memcmp(a, b, (size_t)(qa - a)) == 0;
}

/* The last media object of a, a picture just added, when it is another
 * size of an earlier picture: folded into that one as a rendition (the
 * wider size becoming the picture's URL) and dropped. Returns the
 * picture that holds it. */
static struct mld_media *
merge_sizes(struct mld_article *a)
{
    struct mld_media *m = &a->media[a->nmedia - 1];
    for (int i = 0; i < a->nmedia - 1; i++) {
        struct mld_media *p = &a->media[i];
        if (p->kind != MLD_MEDIA_PICTURE || !same_but_query(p->url, m->url))
            continue;
        if (m->width > p->width) {
            mld_media_add_rendition(p, p->url, p->width, p->height);
            char *u = p->url;
            p->url = m->url;
            m->url = u;
            p->width = m->width;
            p->height = m->height;
        } else {
            mld_media_add_rendition(p, m->url, m->width, m->height);
        }
        if (p->caption == NULL) {
            p->caption = m->caption;
            m->caption = NULL;
        }
        if (p->credit == NULL) {
            p->credit = m->credit;
            m->credit = NULL;
        }
        mld_free(m->url);
        mld_free(m->type);
        mld_free(m->caption);
        mld_free(m->credit);
        mld_free(m->alt);
        for (int k = 0; k < m->nrenditions; k++)
            mld_free(m->renditions[k].url);
        mld_free(m->renditions);
        a->nmedia--;
        return p;
    }
    return m;
}

struct mld_media *
mld_feed_media_content(const struct mld_feed_reader *r, const xmlNode *n, const xmlNode *group,
                       const xmlNode *item, struct mld_article *a)
{
    char *url = mld_xml_attr(n, "url");
    char *type = mld_xml_attr(n, "type");
    char *medium = mld_xml_attr(n, "medium");
    char *cap = media_caption_of(n);
    if (cap == NULL)
        cap = media_caption_of(group);
    char *size = mld_xml_attr(n, "fileSize");
    int64_t length = 0;
    if (size != NULL) {
        char *end;
        long long x = strtoll(size, &end, 10);
        length = end != size && x > 0 ? (int64_t)x : 0;
    }
    mld_free(size);
    struct mld_media *m = mld_feed_add_media(r, n, a, url, type, length, cap);
    if (m != NULL) {
        m->kind = mld_feed_media_kind(medium, m->type, m->url);
        m->width = dim_attr(n, "width");
        m->height = dim_attr(n, "height");
        const xmlNode *from[] = {n, group, item};
        for (size_t i = 0; i < 3 && m->credit == NULL; i++)
            m->credit = media_child_text(from[i], "credit");
        if (m->kind == MLD_MEDIA_PICTURE)
            m = merge_sizes(a);
    }
    mld_free(url);
    mld_free(type);
    mld_free(medium);
    mld_free(cap);
    return m;
}

/* True when media:content n is a picture (by medium, type or extension). */
static bool
media_is_picture(const xmlNode *n)
{
    char *url = mld_xml_attr(n, "url");
    char *type = mld_xml_attr(n, "type");
    char *medium = mld_xml_attr(n, "medium");
    bool pic = mld_feed_media_kind(medium, type, url) == MLD_MEDIA_PICTURE;
    mld_free(url);
    mld_free(type);
    mld_free(medium);
    return pic;
}

void
mld_feed_media_group(const struct mld_feed_reader *r, const xmlNode *group, const xmlNode *item,
                     struct mld_article *a)
{
    /* The picture shown: isDefault="true", else the widest. */
    const xmlNode *lead = NULL;
    int lead_width = -1, pictures = 0;
    for (const xmlNode *c = group->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || mld_feed_ns(c) != MLD_NS_MEDIA ||
            strcmp(mld_feed_name(c), "content") != 0 || !media_is_picture(c))
            continue;
        pictures++;
        char *def = mld_xml_attr(c, "isDefault");
        bool is_default = def != NULL && strcmp(def, "true") == 0;
        mld_free(def);
        int w = dim_attr(c, "width");
        if (is_default) {
            lead = c;
            lead_width = 1 << 30;
        } else if (w > lead_width) {
            lead = c;
            lead_width = w;
        }
    }
    struct mld_media *pic = NULL;
    if (pictures > 1)
        pic = mld_feed_media_content(r, lead, group, item, a);
    for (const xmlNode *c = group->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || mld_feed_ns(c) != MLD_NS_MEDIA ||
            strcmp(mld_feed_name(c), "content") != 0 || (pictures > 1 && c == lead))
            continue;
        if (pic != NULL && media_is_picture(c)) {
            /* Another size of the same picture. */
            char *url = mld_xml_attr(c, "url");
            char *abs = url != NULL ? mld_feed_resolve_at(r, c, url) : NULL;
            if (mld_feed_url_is_web(abs) && strcmp(abs, pic->url) != 0)
                mld_media_add_rendition(pic, abs, dim_attr(c, "width"), dim_attr(c, "height"));
            mld_free(url);
            mld_free(abs);
        } else {
            mld_feed_media_content(r, c, group, item, a);
        }
    }
}

bool
mld_feed_has_picture(const struct mld_article *a)
{
    return mld_article_first_picture(a) != NULL;
}

struct mld_media *
mld_feed_media_thumbnail(const struct mld_feed_reader *r, const xmlNode *n, struct mld_article *a)
{
    /* A thumbnail that small is an author's avatar (GitHub, Blogger). */
    int w = dim_attr(n, "width"), h = dim_attr(n, "height");
    if ((w > 0 && w < MLD_FEED_LEAD_MIN_PIXELS) || (h > 0 && h < MLD_FEED_LEAD_MIN_PIXELS))
        return NULL;
    char *url = mld_xml_attr(n, "url");
    struct mld_media *m = mld_feed_add_media(r, n, a, url, NULL, 0, NULL);
    if (m != NULL) {
        m->kind = MLD_MEDIA_PICTURE;
        m->width = w;
        m->height = h;
    }
    mld_free(url);
    return m;
}

char *
mld_feed_base64(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *out = mld_malloc(n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (mld_ascii_digit(c))
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=' || mld_ascii_space(c))
            continue;
        else {
            mld_free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* Identity ---------------------------------------------------------------- */

static char *
hash_urn(const char *const *parts, int n)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    for (int i = 0; i < n; i++) {
        const char *p = parts[i] ? parts[i] : "";
        XXH3_64bits_update(st, p, strlen(p) + 1);
    }
    unsigned long long h = (unsigned long long)XXH3_64bits_digest(st);
    XXH3_freeState(st);
    char buf[64];
    snprintf(buf, sizeof(buf), "urn:meldung:feed:%016llx", h);
    return mld_strdup(buf);
}

static bool
globally_unique(const char *id)
{
    size_t n = strlen(id);
    return starts_nocase(id, n, "urn:") || starts_nocase(id, n, "tag:") || mld_feed_url_is_web(id);
}

char *
mld_feed_urn(const char *id, bool permalink, const char *feed_key, const char *link,
             const char *title, mld_time_t date)
{
    char *urn;
    if (id != NULL && *id != '\0' && (globally_unique(id) || permalink)) {
        urn = mld_strdup(id);
    } else if (id != NULL && *id != '\0' && feed_key != NULL && *feed_key != '\0') {
        size_t a = strlen(feed_key), b = strlen(id);
        urn = mld_malloc(a + b + 2);
        memcpy(urn, feed_key, a);
        urn[a] = '#';
        memcpy(urn + a + 1, id, b + 1);
    } else if (id != NULL && *id != '\0') {
        urn = mld_strdup(id);
    } else if (mld_feed_url_is_web(link)) {
        urn = mld_strdup(link);
    } else {
        char iso[MLD_TIME_ISO_LEN + 1] = "";
        if (date != 0)
            mld_time_format_iso(date, iso);
        const char *parts[] = {feed_key, title, iso};
        return hash_urn(parts, 3);
    }
    if (strlen(urn) > MLD_MAX_ID_BYTES) {
        const char *parts[] = {urn};
        char *h = hash_urn(parts, 1);
        mld_free(urn);
        urn = h;
    }
    return urn;
}

/* Handing over ------------------------------------------------------------ */

int
mld_feed_hand_over(struct mld_article **v, int n, const char *name, mld_article_sink_fn sink,
                   void *ud, struct mld_err *err)
{
    if (name == NULL)
        name = "(input)";
    /* Open addressing over urn hashes: slot -> index of the best so far. */
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    int *slots = mld_malloc(cap * sizeof(*slots));
    for (size_t i = 0; i < cap; i++)
        slots[i] = -1;
    for (int i = 0; i < n; i++) {
        if (v[i] == NULL || v[i]->urn == NULL)
            continue;
        size_t h = (size_t)XXH3_64bits(v[i]->urn, strlen(v[i]->urn)) & (cap - 1);
        while (slots[h] >= 0 && strcmp(v[slots[h]]->urn, v[i]->urn) != 0)
            h = (h + 1) & (cap - 1);
        if (slots[h] < 0) {
            slots[h] = i;
        } else if (v[i]->version_created > v[slots[h]]->version_created) {
            mld_article_free(v[slots[h]]);
            v[slots[h]] = NULL;
            slots[h] = i;
        } else {
            mld_article_free(v[i]);
            v[i] = NULL;
        }
    }
    mld_free(slots);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] == NULL)
            continue;
        struct mld_article *a = v[i];
        v[i] = NULL;
        if (rc != 0) {
            mld_article_free(a);
            continue;
        }
        rc = sink(ud, a);
        if (rc > 0)
            rc = 0;
        if (rc != 0 && err != NULL && err->code == 0)
            mld_err_set(err, rc, "%s: item %d: stopped: %s", name, i + 1, mld_strerror(rc));
    }
    return rc;
}

int
mld_feed_emit(struct mld_feed *f, const char *name, mld_article_sink_fn sink, void *ud,
              struct mld_err *err)
{
    struct mld_article **v = mld_calloc(f->nitems ? (size_t)f->nitems : 1, sizeof(*v));
    for (int i = 0; i < f->nitems; i++) {
        v[i] = f->items[i].article;
        f->items[i].article = NULL;
    }
    int rc = mld_feed_hand_over(v, f->nitems, name, sink, ud, err);
    mld_free(v);
    return rc;
}

/* The whole document ------------------------------------------------------ */

static void
links_free(struct mld_feed_link *v, int n)
{
    for (int i = 0; i < n; i++) {
        mld_free(v[i].href);
        mld_free(v[i].rel);
        mld_free(v[i].type);
        mld_free(v[i].title);
    }
    mld_free(v);
}

void
mld_feed_free(struct mld_feed *f)
{
    if (f == NULL)
        return;
    for (int i = 0; i < f->nitems; i++) {
        struct mld_feed_item *it = &f->items[i];
        mld_article_free(it->article);
        mld_free(it->id);
        mld_free(it->lang);
        text_clear(&it->title);
        text_clear(&it->summary);
        text_clear(&it->content);
        links_free(it->links, it->nlinks);
    }
    mld_free(f->items);
    text_clear(&f->title);
    text_clear(&f->subtitle);
    mld_free(f->link);
    mld_free(f->self);
    mld_free(f->id);
    mld_free(f->lang);
    mld_free(f->author);
    mld_free(f->item_author);
    links_free(f->links, f->nlinks);
    mld_free(f);
}

mld_time_t
mld_feed_item_date(const struct mld_feed *f, const struct mld_feed_item *it,
                   enum mld_date_source *src)
{
    struct {
        mld_time_t t;
        enum mld_date_source src;
    } c[5];
    int n = 0;
    const char *fmt = f->format != NULL ? f->format : "";
    if (strcmp(fmt, "rss") == 0) {
        enum mld_date_source up =
            it->updated_source == MLD_DATE_CREATED ? MLD_DATE_CREATED : MLD_DATE_MODIFIED;
        c[n].t = it->published, c[n++].src = MLD_DATE_VERSION;
        c[n].t = it->updated, c[n++].src = up;
    } else if (strcmp(fmt, "atom") == 0) {
        c[n].t = it->updated, c[n++].src = MLD_DATE_VERSION;
        c[n].t = it->published, c[n++].src = MLD_DATE_MODIFIED;
    } else {
        c[n].t = it->updated, c[n++].src = MLD_DATE_VERSION;
        c[n].t = it->published, c[n++].src = MLD_DATE_CREATED;
    }
    if (strcmp(fmt, "rss") == 0 || strcmp(fmt, "atom") == 0) {
        c[n].t = it->created, c[n++].src = MLD_DATE_CREATED;
        c[n].t = f->updated, c[n++].src = MLD_DATE_CHANNEL;
        c[n].t = f->published, c[n++].src = MLD_DATE_CHANNEL;
    }
    for (int i = 0; i < n; i++)
        if (c[i].t >= MLD_FEED_DATE_MIN) {
            *src = c[i].src;
            return c[i].t;
        }
    *src = MLD_DATE_SEEN;
    return 0;
}

/* The value of attribute name in the sanitised tag tag[0..n) (the
 * sanitiser writes ` name="value"`, escaped); new string or NULL. */
static char *
tag_attr(const char *tag, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 3 <= n; i++) {
        if (tag[i] != ' ' || memcmp(tag + i + 1, name, nl) != 0 || tag[i + 1 + nl] != '=' ||
            tag[i + 2 + nl] != '"')
            continue;
        const char *v = tag + i + nl + 3;
        const char *e = memchr(v, '"', n - (size_t)(v - tag));
        return e != NULL ? attr_unescape(v, (size_t)(e - v)) : NULL;
    }
    return NULL;
}

/* A pixel size attribute of an HTML tag, 0 when absent or not a number. */
static int
tag_int(const char *tag, size_t n, const char *name)
{
    return take_dim(tag_attr(tag, n, name));
}

/* Adds the candidates of a (sanitised, so valid) srcset to m as
 * renditions, but not m's own URL. */
static void
srcset_renditions(struct mld_media *m, const char *srcset)
{
    const char *p = srcset;
    while (*p != '\0') {
        while (mld_ascii_space(*p) || *p == ',')
            p++;
        const char *u = p;
        while (*p != '\0' && !mld_ascii_space(*p))
            p++;
        size_t un = (size_t)(p - u);
        while (un > 0 && u[un - 1] == ',')
            un--;
        while (mld_ascii_space(*p))
            p++;
        const char *d = p;
        while (*p != '\0' && *p != ',')
            p++;
        int w = 0;
        if (p > d && mld_ascii_digit(*d)) {
            long x = strtol(d, NULL, 10);
            const char *q = d;
            while (q < p && mld_ascii_digit(*q))
                q++;
            if (q < p && *q == 'w' && x > 0 && x <= 100000)
                w = (int)x;
        }
        if (un > 0) {
            char *url = trimmed(u, un);
            if (url != NULL && strcmp(url, m->url) != 0)
                mld_media_add_rendition(m, url, w, 0);
            mld_free(url);
        }
    }
}

/* True when an image URL is known to be no picture of the article:
 * FeedBurner's share buttons and counters, WordPress's emoji and
 * statistics pixels (often without a size, so the icon rule misses them). */
static bool
not_a_picture(const char *url)
{
    static const char *const marks[] = {"feeds.feedburner.com/~", "/images/core/emoji/",
                                        "stats.wordpress.com/", "pixel.wp.com/"};
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
        if (strstr(url, marks[i]) != NULL)
            return true;
    return false;
}

/* Finds in sanitised html the first <img> that is no icon (narrower or
 * lower than MLD_FEED_LEAD_MIN_PIXELS, where it says) and adds it to a as
 * its picture. With cut, the image leaves html, together with the
 * elements that only wrapped it (a link, a paragraph, a figure, whose
 * figcaption becomes the caption); html becomes NULL when nothing is
 * left. Returns true when a picture was added. */
static bool
lead_picture(struct mld_article *a, char **html, bool cut)
{
    char *h = *html;
    if (h == NULL)
        return false;
    for (char *p = h; (p = strstr(p, "<img ")) != NULL; p++) {
        char *gt = strchr(p, '>');
        if (gt == NULL)
            return false;
        size_t tn = (size_t)(gt - p);
        int w = tag_int(p, tn, "width"), hgt = tag_int(p, tn, "height");
        if ((w > 0 && w < MLD_FEED_LEAD_MIN_PIXELS) || (hgt > 0 && hgt < MLD_FEED_LEAD_MIN_PIXELS))
            continue;
        char *src = tag_attr(p, tn, "src");
        if (!mld_feed_url_is_web(src) || not_a_picture(src)) {
            mld_free(src);
            continue;
        }
        struct mld_media *m = mld_article_add_media(a, src, NULL, 0, NULL);
        mld_free(src);
        if (m == NULL)
            return false;
        m->kind = MLD_MEDIA_PICTURE;
        m->width = w;
        m->height = hgt;
        char *alt = tag_attr(p, tn, "alt");
        m->alt = fold(alt);
        mld_free(alt);
        char *srcset = tag_attr(p, tn, "srcset");
        if (srcset != NULL)
            srcset_renditions(m, srcset);
        mld_free(srcset);
        if (!cut)
            return true;
        /* Widen [s, e) over the elements that hold nothing but it. */
        size_t s = (size_t)(p - h), e = (size_t)(gt - h) + 1;
        for (;;) {
            size_t ps = s, ne = e;
            while (ps > 0 && mld_ascii_space(h[ps - 1]))
                ps--;
            while (mld_ascii_space(h[ne]))
                ne++;
            if (ps == 0 || h[ps - 1] != '>')
                break;
            size_t lt = ps - 1;
            while (lt > 0 && h[lt] != '<')
                lt--;
            const char *name = h + lt + 1;
            size_t nl = strcspn(name, " >");
            if (!((nl == 1 && (name[0] == 'a' || name[0] == 'p')) ||
                  (nl == 6 && memcmp(name, "figure", 6) == 0)))
                break;
            if (nl == 6 && strncmp(h + ne, "<figcaption>", 12) == 0) {
                const char *ce = strstr(h + ne, "</figcaption>");
                if (ce == NULL)
                    break;
                if (m->caption == NULL)
                    m->caption = mld_feed_html_text(h + ne + 12, (size_t)(ce - (h + ne + 12)));
                ne = (size_t)(ce - h) + 13;
                while (mld_ascii_space(h[ne]))
                    ne++;
            }
            char close[12];
            snprintf(close, sizeof(close), "</%.*s>", (int)nl, name);
            if (strncmp(h + ne, close, strlen(close)) != 0)
                break;
            s = lt;
            e = ne + strlen(close);
        }
        memmove(h + s, h + e, strlen(h + e) + 1);
        *html = nonempty(trim_in_place(h));
        return true;
    }
    return false;
}

/* The publisher of a feed without a title: the host of its site (else
 * of its own URL), without "www.", lower case; or NULL. */
static char *
publisher_host(const struct mld_feed *f)
{
    const char *url = mld_feed_url_is_web(f->link) ? f->link : f->self;
    if (!mld_feed_url_is_web(url))
        return NULL;
    const char *h = strstr(url, "://") + 3;
    const char *at = h + strcspn(h, "/?#");
    const char *user = memchr(h, '@', (size_t)(at - h));
    if (user != NULL)
        h = user + 1;
    size_t n = strcspn(h, ":/?#");
    if (n > 4 && strncasecmp(h, "www.", 4) == 0)
        h += 4, n -= 4;
    if (n == 0)
        return NULL;
    char *r = mld_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        r[i] = mld_ascii_lower(h[i]);
    r[n] = '\0';
    return r;
}

void
mld_feed_finish_item(struct mld_feed *f, struct mld_feed_item *it, const char *feed_key)
{
    struct mld_article *a = it->article;
    a->format = mld_strdup(f->format);
    a->version = 1;
    a->version_created = mld_feed_item_date(f, it, &a->date_source);
    /* Re-deliveries of one item order by the latest date it carries (a
     * later modification makes a newer version under the same pubDate). */
    a->updated = a->version_created;
    const mld_time_t own[] = {it->published, it->updated, it->created};
    for (size_t i = 0; i < 3; i++)
        if (own[i] > a->updated && a->version_created != 0 && a->date_source != MLD_DATE_CHANNEL)
            a->updated = own[i];
    a->pubstatus = MLD_PUB_USABLE;
    a->headline = mld_strdup(it->title.text);
    if (a->headline == NULL) {
        const char *from = it->summary.text ? it->summary.text : it->content.text;
        if (from != NULL)
            a->headline = mld_feed_cut(mld_strdup(from), MLD_FEED_TITLE_BYTES);
    }
    a->teaser = mld_feed_cut(mld_strdup(it->summary.text), MLD_FEED_TEASER_BYTES);
    const char *body_text = NULL;
    if (it->content.html != NULL) {
        a->body_html = mld_strdup(it->content.html);
        body_text = it->content.text;
    } else if (it->summary.text != NULL && strlen(it->summary.text) > MLD_FEED_TEASER_BYTES &&
               it->summary.html != NULL) {
        /* A whole article in the description: keep it as the body. */
        a->body_html = mld_strdup(it->summary.html);
        body_text = it->summary.text;
        mld_free(a->teaser);
        a->teaser = NULL;
    }
    mld_article_set_text(a, mld_strdup(body_text));
    /* What the sanitiser refused or a limit cut goes with the article:
     * the pipeline decides whether the rest is published. */
    const struct mld_feed_text *lost = it->content.lost != NULL   ? &it->content
                                       : it->summary.lost != NULL ? &it->summary
                                                                  : NULL;
    if (lost != NULL) {
        char why[MLD_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s: %s", lost == &it->content ? "content" : "summary",
                 lost->lost);
        a->incomplete = mld_strdup(why);
        a->incomplete_code = lost->lost_code;
    }
    /* Feeds that carry no media often show the picture as the first
     * image of the HTML (heise, Golem): it becomes the lead picture, and
     * leaves the body so that the page does not show it twice. */
    if (a->nmedia == 0 && !lead_picture(a, &a->body_html, true) && it->summary.html != NULL) {
        char *summary = it->summary.html;
        lead_picture(a, &summary, false);
    }
    if (a->link != NULL && !mld_feed_url_is_web(a->link)) {
        mld_free(a->link);
        a->link = NULL;
    }
    a->lang = mld_strdup(it->lang ? it->lang : f->lang);
    if (a->credit == NULL)
        a->credit = f->title.text != NULL ? mld_strdup(f->title.text) : publisher_host(f);
    /* The item's own date only: a channel date changes with every build
     * of the feed and would change the identity. */
    mld_time_t date = it->published ? it->published : it->updated ? it->updated : it->created;
    a->urn = mld_feed_urn(it->id, it->id_permalink, feed_key, a->link, it->title.text, date);
}

/* The first bytes of the document converted to ASCII (UTF-16/32 too). */
static size_t
ascii_view(const char *doc, size_t len, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)doc;
    size_t step = 1, off = 0, start = 0;
    if (len >= 4 && ((u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff) ||
                     (u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] != 0)))
        step = 4, off = 3, start = u[2] == 0xfe ? 4 : 0;
    else if (len >= 4 && ((u[0] == 0xff && u[1] == 0xfe && u[2] == 0 && u[3] == 0) ||
                          (u[0] != 0 && u[1] == 0 && u[2] == 0 && u[3] == 0)))
        step = 4, off = 0, start = u[0] == 0xff ? 4 : 0;
    else if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (len >= 3 && u[0] == 0 && u[1] != 0)))
        step = 2, off = 1, start = u[0] == 0xfe ? 2 : 0;
    else if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (len >= 3 && u[0] != 0 && u[1] == 0)))
        step = 2, off = 0, start = u[0] == 0xff ? 2 : 0;
    else if (len >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0)
        start = 3;
    size_t o = 0;
    for (size_t i = start + off; i < len && o + 1 < n; i += step)
        out[o++] = u[i] < 0x80 ? (char)u[i] : '?';
    out[o] = '\0';
    return o;
}

void
mld_feed_sniff_root(const char *doc, size_t len, char *out, size_t n)
{
    char view[4096];
    out[0] = '\0';
    /* Most documents tell at once that they are no XML (a JSON entry's
     * "{"): a short view decides that before the whole one is made. */
    size_t vn = ascii_view(doc, len, view, 64), i = 0;
    while (i < vn && mld_ascii_space(view[i]))
        i++;
    if (i < vn && view[i] != '<')
        return;
    vn = ascii_view(doc, len, view, sizeof(view));
    i = 0;
    while (i < vn) {
        if (mld_ascii_space(view[i])) {
            i++;
            continue;
        }
        if (view[i] != '<')
            return;
        if (strncmp(view + i, "<?", 2) == 0) {
            const char *e = strstr(view + i, "?>");
            if (e == NULL)
                return;
            i = (size_t)(e - view) + 2;
        } else if (strncmp(view + i, "<!--", 4) == 0) {
            const char *e = strstr(view + i, "-->");
            if (e == NULL)
                return;
            i = (size_t)(e - view) + 3;
        } else if (strncmp(view + i, "<!", 2) == 0) {
            const char *sub = NULL;
            size_t sn = 0;
            i = skip_doctype(view, vn, i, &sub, &sn);
        } else {
            i++;
            size_t s = i;
            while (i < vn && !mld_ascii_space(view[i]) && view[i] != '>' && view[i] != '/')
                i++;
            const char *name = view + s;
            size_t nl = i - s;
            const char *colon = memchr(name, ':', nl);
            if (colon != NULL) {
                nl -= (size_t)(colon + 1 - name);
                name = colon + 1;
            }
            if (nl + 1 > n)
                return;
            memcpy(out, name, nl);
            out[nl] = '\0';
            return;
        }
    }
}

int
mld_feed_parse(const char *doc, size_t len, const struct mld_source *src, struct mld_feed **out,
               struct mld_err *err)
{
    const char *name = src && src->name ? src->name : "(input)";
    *out = NULL;
    struct mld_feed *f = MLD_NEW(struct mld_feed);
    char *u8 = NULL;
    size_t n = 0;
    int rc =
        mld_feed_to_utf8(doc, len, src ? src->content_type : NULL, name, &u8, &n, f->charset, err);
    if (rc != 0)
        goto fail;
    size_t fixed_n;
    char *fixed = fix_entities(u8, n, &fixed_n);
    if (fixed != NULL) {
        mld_free(u8);
        u8 = fixed;
        n = fixed_n;
    }
    /* Blank lines before the XML declaration are a common slip. */
    size_t skip = 0;
    while (skip < n && mld_ascii_space(u8[skip]))
        skip++;
    if (n - skip < 5 || memcmp(u8 + skip, "<?xml", 5) != 0)
        skip = 0;
    struct mld_source xsrc = {.name = name, .url = src ? src->url : NULL};
    xmlDocPtr d = mld_xml_parse(u8 + skip, n - skip, "UTF-8", &xsrc, err);
    mld_free(u8);
    if (d == NULL) {
        rc = err && err->code ? err->code : MLD_E_PARSE;
        goto fail;
    }
    xmlNode *root = xmlDocGetRootElement(d);
    struct mld_feed_reader r = {.feed = f, .src = src, .doc = d, .name = name};
    const char *rn = mld_xml_name(root);
    if (strcmp(rn, "rss") == 0 || strcmp(rn, "RDF") == 0) {
        f->format = "rss";
        rc = mld_feed_read_rss(&r, root);
    } else if (strcmp(rn, "feed") == 0 ||
               (strcmp(rn, "entry") == 0 &&
                (mld_feed_ns(root) == MLD_NS_ATOM || mld_feed_ns(root) == MLD_NS_ATOM03))) {
        f->format = "atom";
        rc = mld_feed_read_atom(&r, root);
    } else {
        rc = mld_err_set(err, MLD_E_UNSUPPORTED,
                         "%s: not an RSS or Atom feed: the root element is <%.40s>", name, rn);
    }
    xmlFreeDoc(d);
    if (rc != 0)
        goto fail;
    const char *key = mld_feed_url_is_web(f->link)   ? f->link
                      : mld_feed_url_is_web(f->self) ? f->self
                      : src                          ? src->url
                                                     : NULL;
    for (int i = 0; i < f->nitems; i++)
        mld_feed_finish_item(f, &f->items[i], key);
    *out = f;
    return 0;

fail:
    mld_feed_free(f);
    return rc;
}

int
mld_feed_format_parse(const char *doc, size_t len, const struct mld_source *src,
                      mld_article_sink_fn sink, void *ud, struct mld_err *err)
{
    struct mld_feed *f;
    int rc = mld_feed_parse(doc, len, src, &f, err);
    if (rc != 0)
        return rc;
    rc = mld_feed_emit(f, src && src->name ? src->name : "(input)", sink, ud, err);
    mld_feed_free(f);
    return rc;
}
