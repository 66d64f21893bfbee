/*
 * tests/fuzz/analyze.c - libFuzzer driver for the German analyzer.
 *
 * The input is text. It is analysed under all 32 combinations of the
 * MLD_AN_* flags by the process-wide analyzer (with Debian's word list
 * when installed, so compound splitting is fuzzed too), and every token
 * must keep the promises of analyze.h:
 *
 *   - a non-empty term; start <= end <= the input's length;
 *   - RAW tokens, and only they, begin with MLD_RAW_MARK; PART tokens
 *     only with MLD_AN_PARTS, JOINED only with MLD_AN_JOINED or
 *     MLD_AN_QUERY; only RAW tokens with MLD_AN_PREFIX;
 *   - the first token is never colocated, and PART tokens always are;
 *   - the term is what the single-word functions make of the token's
 *     source range: a WORD or JOINED term is mld_stem_word() of it, a RAW
 *     term (after the mark) mld_fold_word() of it.
 *
 * MLD_AN_SPANS must give exactly the positions and byte ranges of the
 * tokens MLD_AN_INDEX does not colocate (FTS5's snippets rely on it).
 *
 * The whole input also goes through mld_stem_word() and mld_fold_word()
 * with small and large buffers. A broken promise aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* One analysis being checked. */
struct fuzz_run {
    const char *text;
    size_t len;
    unsigned flags;
    int n; /* tokens so far */
};

/* Checks one token; aborts when it breaks a promise. */
static int
check(void *ud, const struct mld_token *t)
{
    struct fuzz_run *r = ud;
    bool raw = t->kind == MLD_TOK_RAW;
    if (t->term == NULL || t->len == 0 || t->start > t->end || t->end > r->len ||
        raw != (t->term[0] == MLD_RAW_MARK) || (r->n == 0 && t->colocated))
        abort();
    if ((t->kind == MLD_TOK_PART && (!(r->flags & MLD_AN_PARTS) || !t->colocated)) ||
        (t->kind == MLD_TOK_JOINED && !(r->flags & (MLD_AN_JOINED | MLD_AN_QUERY))) ||
        ((r->flags & MLD_AN_PREFIX) && !raw))
        abort();
    char out[4096];
    const char *src = r->text + t->start;
    size_t srclen = t->end - t->start;
    if (t->kind == MLD_TOK_WORD || t->kind == MLD_TOK_JOINED) {
        size_t n = mld_stem_word(mld_analyzer(), src, srclen, out, sizeof(out));
        if (n != t->len || memcmp(out, t->term, n) != 0)
            abort();
    } else if (raw) {
        size_t n = mld_fold_word(src, srclen, out, sizeof(out));
        if (n != t->len - 1 || memcmp(out, t->term + 1, n) != 0)
            abort();
    }
    r->n++;
    return 0;
}

/* The byte ranges of the tokens that take a position, in order. */
struct spans {
    size_t *v; /* start, end pairs */
    size_t n, cap;
};

static int
add_span(void *ud, const struct mld_token *t)
{
    struct spans *sp = ud;
    if (t->colocated)
        return 0;
    if (sp->n + 2 > sp->cap) {
        sp->cap = sp->cap ? 2 * sp->cap : 64;
        sp->v = realloc(sp->v, sp->cap * sizeof(*sp->v));
        if (sp->v == NULL)
            abort();
    }
    sp->v[sp->n++] = t->start;
    sp->v[sp->n++] = t->end;
    return 0;
}

static void
check_spans(const char *text, size_t size)
{
    struct spans index = {0}, spans = {0};
    mld_analyze(mld_analyzer(), text, size, MLD_AN_INDEX, add_span, &index);
    mld_analyze(mld_analyzer(), text, size, MLD_AN_SPANS, add_span, &spans);
    if (index.n != spans.n ||
        (index.n > 0 && memcmp(index.v, spans.v, index.n * sizeof(*index.v)) != 0))
        abort();
    free(index.v);
    free(spans.v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    for (unsigned flags = 0; flags < 32; flags++) {
        struct fuzz_run r = {text, size, flags, 0};
        if (mld_analyze(mld_analyzer(), text, size, flags, check, &r) != 0)
            abort();
    }
    check_spans(text, size);
    char small[4], big[4096];
    size_t n = mld_stem_word(mld_analyzer(), text, size, small, sizeof(small));
    if (n >= sizeof(small) || (n > 0 && small[n] != '\0'))
        abort();
    n = mld_fold_word(text, size, small, sizeof(small));
    if (n >= sizeof(small) || (n > 0 && small[n] != '\0'))
        abort();
    n = mld_stem_word(NULL, text, size, big, sizeof(big));
    if (n >= sizeof(big) || big[n] != '\0' || strlen(big) != n)
        abort();
    n = mld_fold_word(text, size, big, sizeof(big));
    if (n >= sizeof(big) || big[n] != '\0' || strlen(big) != n)
        abort();
    return 0;
}
