/*
 * tests/fuzz/sanitize.c - libFuzzer driver for the HTML sanitiser.
 *
 * The input is an HTML fragment. It goes through mld_sanitize_html() and
 * mld_html_to_text(); a refusal must be a limit (MLD_E_DEPTH, MLD_E_TOOBIG).
 * mld_sanitize_html_text() must give the same two results from its one
 * parse (no text when the sanitiser refuses).
 * The sanitised output is then checked for the safety property: no
 * script, style, iframe, form, object or embed element, no on* attribute,
 * no style attribute, no href/cite whose scheme (read as a browser
 * would, ignoring whitespace and control characters) is anything but
 * http, https or mailto, and no img whose src or srcset names anything
 * but absolute http(s) URLs. A violation aborts. The pre-scan's time guard is
 * exercised along the way: libFuzzer's -timeout catches a slow input.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/err.h"
#include "../../src/base/mem.h"
#include "../../src/ingest/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"feedparser/tests/wellformed/sanitize", NULL};

/* True when the attribute value starting at v (after the opening quote)
 * has a scheme other than http, https and mailto. */
static int
bad_url(const char *v)
{
    char scheme[16];
    size_t n = 0;
    for (; *v != '"' && *v != '\0'; v++) {
        unsigned char c = (unsigned char)*v;
        if (c <= 0x20 || c == 0x7f)
            continue;
        if (c == ':')
            break;
        if (c == '/' || c == '\\' || c == '?' || c == '#')
            return 0;
        if (n < sizeof(scheme))
            scheme[n++] = (char)tolower(c);
    }
    if (*v != ':')
        return 0;
    return !((n == 4 && memcmp(scheme, "http", 4) == 0) ||
             (n == 5 && memcmp(scheme, "https", 5) == 0) ||
             (n == 6 && memcmp(scheme, "mailto", 6) == 0));
}

/* True when the attribute value at v starts with http:// or https://
 * (no junk before it: the sanitiser trims it). */
static bool
web_url(const char *v)
{
    return strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0;
}

/* True when every candidate URL of the srcset value v..end is web_url():
 * a URL runs to whitespace (commas inside belong to it), a descriptor
 * to the next comma, as browsers read it. */
static bool
srcset_web(const char *v, const char *end)
{
    const char *p = v;
    for (;;) {
        while (p < end && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (p >= end)
            return true;
        if (!web_url(p))
            return false;
        const char *u = p;
        while (p < end && !isspace((unsigned char)*p))
            p++;
        if (p > u && p[-1] == ',')
            continue; /* no descriptor */
        while (p < end && *p != ',')
            p++;
    }
}

/* Reads the output's tags strictly as the sanitiser writes them,
 * <name( attr="value")*> and </name>, and aborts on anything else or on
 * an unsafe element, attribute or URL. Text is escaped, so every '<'
 * starts a tag. */
static void
check_safe(const char *out)
{
    static const char *const banned[] = {"script", "style", "iframe", "form", "object",
                                         "embed",  "svg",   "math",   "input"};
    for (const char *p = out; (p = strchr(p, '<')) != NULL;) {
        p++;
        bool end = *p == '/';
        p += end;
        const char *name = p;
        while (islower((unsigned char)*p) || isdigit((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - name);
        if (n == 0)
            abort();
        for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
            if (strlen(banned[i]) == n && memcmp(banned[i], name, n) == 0)
                abort();
        bool img = !end && n == 3 && memcmp(name, "img", 3) == 0;
        while (!end && *p == ' ') {
            const char *attr = ++p;
            while (islower((unsigned char)*p))
                p++;
            size_t an = (size_t)(p - attr);
            if (an == 0 || p[0] != '=' || p[1] != '"')
                abort();
            if ((an >= 2 && attr[0] == 'o' && attr[1] == 'n') ||
                (an == 5 && memcmp(attr, "style", 5) == 0))
                abort();
            const char *value = p + 2;
            const char *close = strchr(value, '"');
            if (close == NULL || memchr(value, '<', (size_t)(close - value)) != NULL)
                abort();
            if (((an == 4 && memcmp(attr, "href", 4) == 0) ||
                 (an == 4 && memcmp(attr, "cite", 4) == 0)) &&
                bad_url(value))
                abort();
            /* An image loads its src and srcset: absolute http(s) only. */
            if (img && an == 3 && memcmp(attr, "src", 3) == 0 && !web_url(value))
                abort();
            if (img && an == 6 && memcmp(attr, "srcset", 6) == 0 && !srcset_web(value, close))
                abort();
            p = close + 1;
        }
        if (*p != '>')
            abort();
    }
}

/* True when a and b are both NULL or the same string. */
static bool
same(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *html = (const char *)data;
    struct mld_err err = {0};
    char *out = mld_sanitize_html(html, size, &err);
    if (out == NULL && err.code != MLD_E_DEPTH && err.code != MLD_E_TOOBIG)
        abort();
    if (out != NULL)
        check_safe(out);
    mld_err_clear(&err);
    char *text = mld_html_to_text(html, size, &err);
    if (text == NULL && err.code != MLD_E_DEPTH && err.code != MLD_E_TOOBIG)
        abort();
    /* One parse for both must give what the two calls give. */
    char *both_text;
    mld_err_clear(&err);
    char *both = mld_sanitize_html_text(html, size, &both_text, &err);
    if (!same(both, out) || !same(both_text, out != NULL ? text : NULL))
        abort();
    mld_free(out);
    mld_free(text);
    mld_free(both);
    mld_free(both_text);
    return 0;
}
