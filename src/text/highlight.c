/*
 * highlight.c - search snippets as HTML from match offsets (highlight.h).
 */
#include "highlight.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"

/* Returns i moved back to the start of the UTF-8 sequence it falls in. */
static size_t
char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

int
mld_highlight_clean(const char *text, size_t len, struct mld_span *marks, int n)
{
    int o = 0;
    size_t done = 0; /* end of the last range kept */
    for (int i = 0; i < n; i++) {
        if (marks[i].end > len || marks[i].start >= marks[i].end)
            continue;
        struct mld_span m = {char_start(text, marks[i].start), char_start(text, marks[i].end)};
        if (m.start < done || m.start >= m.end)
            continue;
        marks[o++] = m;
        done = m.end;
    }
    return o;
}

char *
mld_highlight_html(const char *text, const struct mld_span *marks, int n)
{
    if (text == NULL)
        text = "";
    size_t len = strlen(text);
    struct mld_span *m = n > 0 ? mld_calloc((size_t)n, sizeof(*m)) : NULL;
    if (n > 0)
        memcpy(m, marks, (size_t)n * sizeof(*m));
    n = mld_highlight_clean(text, len, m, n);
    struct mld_buf b;
    mld_buf_init(&b, 8 * MLD_MAX_FIELD_BYTES);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        mld_buf_append_html(&b, text + at, m[i].start - at);
        mld_buf_puts(&b, "<mark>");
        mld_buf_append_html(&b, text + m[i].start, m[i].end - m[i].start);
        mld_buf_puts(&b, "</mark>");
        at = m[i].end;
    }
    mld_buf_append_html(&b, text + at, len - at);
    mld_free(m);
    char *html = mld_buf_steal(&b, NULL);
    mld_buf_dispose(&b);
    return html;
}
