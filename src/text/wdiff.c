/*
 * wdiff.c - word-level diff as HTML (see wdiff.h).
 */
#include "wdiff.h"

#include <stdint.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/text.h"

/* One word: a slice of its text. */
struct word {
    const char *p;
    size_t n;
};

/* Splits s into words; *out is an array of *n (mld_free). */
static void
split(const char *s, struct word **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (const char *p = s; *p != '\0';) {
        while (mld_ascii_space(*p))
            p++;
        if (*p == '\0')
            break;
        const char *w = p;
        while (*p != '\0' && !mld_ascii_space(*p))
            p++;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            *out = mld_reallocarray(*out, cap, sizeof(**out));
        }
        (*out)[(*n)++] = (struct word){w, (size_t)(p - w)};
    }
}

static bool
same(const struct word *x, const struct word *y)
{
    return x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

/* Appends word w, a space before it unless it is the first. */
static void
put_word(struct mld_buf *out, const struct word *w, bool *first)
{
    if (!*first)
        mld_buf_putc(out, ' ');
    *first = false;
    mld_buf_append_html(out, w->p, w->n);
}

/* The open markup run: none, <del> or <ins>. */
enum run { NONE, DEL, INS };

/* Switches the open run to want, closing and opening tags. */
static void
set_run(struct mld_buf *out, enum run *open, enum run want, bool *first)
{
    if (*open == want)
        return;
    if (*open != NONE)
        mld_buf_puts(out, *open == DEL ? "</del>" : "</ins>");
    if (want != NONE) {
        if (!*first)
            mld_buf_putc(out, ' ');
        *first = true; /* the run's first word takes no space inside the tag */
        mld_buf_puts(out, want == DEL ? "<del>" : "<ins>");
    }
    *open = want;
}

/* Appends one word of kind k. */
static void
emit(struct mld_buf *out, enum run *open, enum run k, const struct word *w, bool *first)
{
    set_run(out, open, k, first);
    put_word(out, w, first);
}

int
mld_wdiff_html(const char *a, const char *b, struct mld_buf *out, bool *changed)
{
    struct word *wa, *wb;
    size_t na, nb;
    split(a, &wa, &na);
    split(b, &wb, &nb);
    size_t pre = 0;
    while (pre < na && pre < nb && same(&wa[pre], &wb[pre]))
        pre++;
    size_t suf = 0;
    while (suf < na - pre && suf < nb - pre && same(&wa[na - 1 - suf], &wb[nb - 1 - suf]))
        suf++;
    size_t n = na - pre - suf, m = nb - pre - suf;
    *changed = n > 0 || m > 0;
    if ((n + 1) * (m + 1) > MLD_WDIFF_MAX_CELLS) {
        mld_free(wa);
        mld_free(wb);
        return MLD_E_TOOBIG;
    }
    /* L[i][j]: the longest common subsequence of the middles from i, j on;
     * at most min(n, m) <= 1000, so two bytes hold it. */
    uint16_t *L = mld_calloc((n + 1) * (m + 1), sizeof(*L));
    const struct word *x = wa + pre, *y = wb + pre;
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;) {
            uint16_t down = L[(i + 1) * (m + 1) + j], right = L[i * (m + 1) + j + 1];
            L[i * (m + 1) + j] = same(&x[i], &y[j]) ? (uint16_t)(L[(i + 1) * (m + 1) + j + 1] + 1)
                                 : down >= right    ? down
                                                    : right;
        }
    bool first = true;
    enum run open = NONE;
    for (size_t k = 0; k < pre; k++)
        emit(out, &open, NONE, &wa[k], &first);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same(&x[i], &y[j])) {
            emit(out, &open, NONE, &y[j], &first);
            i++;
            j++;
        } else if (j == m || (i < n && L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1])) {
            emit(out, &open, DEL, &x[i++], &first);
        } else {
            emit(out, &open, INS, &y[j++], &first);
        }
    }
    for (size_t k = nb - suf; k < nb; k++)
        emit(out, &open, NONE, &wb[k], &first);
    set_run(out, &open, NONE, &first);
    mld_free(L);
    mld_free(wa);
    mld_free(wb);
    return 0;
}
