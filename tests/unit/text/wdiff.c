/*
 * Tests for wdiff.c: removed and added words marked, runs grouped, the
 * common start and end kept, HTML escaped, the size bound.
 */
#include "../../../src/text/wdiff.c"

#include "../../../src/base/limits.h"
#include "test.h"

/* The diff of a and b as a string (static), "TOOBIG" when refused. */
static const char *
diff(const char *a, const char *b, bool *changed)
{
    static char s[4096];
    struct mld_buf out;
    mld_buf_init(&out, sizeof(s) - 1);
    int rc = mld_wdiff_html(a, b, &out, changed);
    snprintf(s, sizeof(s), "%s", rc == MLD_E_TOOBIG ? "TOOBIG" : out.p ? out.p : "");
    mld_buf_dispose(&out);
    return s;
}

int
main(void)
{
    bool ch;
    is_str(diff("Der Hund bellt laut", "Der Hund bellt laut", &ch), "Der Hund bellt laut",
           "same text: no marks");
    ok(!ch, "... and nothing changed");
    is_str(diff("Der Hund bellt laut", "Der Kater bellt laut", &ch),
           "Der <del>Hund</del> <ins>Kater</ins> bellt laut", "one word replaced");
    ok(ch, "... changed");
    is_str(diff("a b c d", "a c d e f", &ch), "a <del>b</del> c d <ins>e f</ins>",
           "a removal and a run of additions");
    is_str(diff("", "neu hier", &ch), "<ins>neu hier</ins>", "all new");
    is_str(diff("alles  weg", "", &ch), "<del>alles weg</del>", "all gone, whitespace folded");
    is_str(diff("x <b> & y", "x <b> &amp; y", &ch), "x &lt;b&gt; <del>&amp;</del> <ins>&amp;amp;</ins> y",
           "escaped");
    is_str(diff("eins zwei drei vier", "eins drei zwei vier", &ch),
           "eins <del>zwei</del> drei <ins>zwei</ins> vier", "a moved word: removed and added");
    /* 1001 different words on each side: 1002 x 1002 cells > the bound. */
    static char big1[1001 * 3 + 1], big2[1001 * 3 + 1];
    for (int i = 0; i < 1001; i++) {
        memcpy(big1 + 3 * i, "aa ", 3);
        memcpy(big2 + 3 * i, "bb ", 3);
    }
    is_str(diff(big1, big2, &ch), "TOOBIG", "too large a middle is refused");
    ok(strcmp(diff(big1, big1, &ch), "TOOBIG") != 0 && !ch,
       "the same large text is compared: the common start leaves no middle");
    return mld_test_done();
}
