/*
 * Tests for highlight.c: a snippet's text and match ranges as HTML -
 * escaped, marked, and balanced whatever ranges a backend hands over.
 */
#include "../../../src/text/highlight.c"

#include "test.h"

/* Compares the HTML of text with the n ranges in m with want. */
static void
html_is(const char *text, const struct mld_span *m, int n, const char *want, const char *name)
{
    char *got = mld_highlight_html(text, m, n);
    is_str(got, want, "%s", name);
    mld_free(got);
}

int
main(void)
{
    html_is("der Kreml stimmt zu", (struct mld_span[]){{4, 9}}, 1,
            "der <mark>Kreml</mark> stimmt zu", "a range is marked");
    html_is("a b c", (struct mld_span[]){{0, 1}, {4, 5}}, 2, "<mark>a</mark> b <mark>c</mark>",
            "at both ends");
    html_is("<b>x & \"y\" 'z'</b>", (struct mld_span[]){{3, 4}}, 1,
            "&lt;b&gt;<mark>x</mark> &amp; &quot;y&quot; &#39;z&#39;&lt;/b&gt;",
            "text is escaped, inside a mark too");
    html_is("<mark>", (struct mld_span[]){{1, 5}}, 1, "&lt;<mark>mark</mark>&gt;",
            "a <mark> in the text stays text");
    html_is("abcdef", (struct mld_span[]){{0, 3}, {2, 5}}, 2, "<mark>abc</mark>def",
            "an overlapping range is skipped: marks never nest");
    html_is("abcdef", (struct mld_span[]){{3, 4}, {0, 1}}, 2, "abc<mark>d</mark>ef",
            "a range before the last is skipped");
    html_is("abc", (struct mld_span[]){{1, 9}, {2, 2}, {3, 1}}, 3, "abc",
            "ranges past the end, empty or reversed are skipped");
    html_is("Grüße", (struct mld_span[]){{3, 6}}, 1, "Gr<mark>üß</mark>e",
            "ends inside a UTF-8 sequence move to its start");
    html_is("ü", (struct mld_span[]){{0, 1}}, 1, "ü", "a range inside one character is none");
    html_is("ü", (struct mld_span[]){{1, 2}}, 1, "<mark>ü</mark>",
            "a start inside a character takes all of it");
    html_is(NULL, NULL, 0, "", "no text");
    html_is("x", NULL, 0, "x", "no ranges");
    return mld_test_done();
}
