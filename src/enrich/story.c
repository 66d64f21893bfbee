/*
 * story.c - the story and related-news policy (story.h). The reasons for
 * each rule and threshold are in docs/internals/stories.md.
 */
#include "story.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "../text/analyze.h"
#include "../text/similar.h"
#include "../text/slug.h"
#include "enrich.h"

/* The rules (docs/internals/stories.md has the numbers behind them). A
 * new article joins a candidate's story when, within the story window:
 *   - their texts are near-duplicates (MinHash Jaccard >= MLD_SIM_NEAR_DUP),
 *   - or their headlines are the same (same slug),
 *   - or their texts are similar (cosine >= MLD_STORY_TEXT_SIMILAR) and they share
 *     a topic - unless the headlines are alike (stem Jaccard >=
 *     MLD_STORY_SERIES_HEADLINE) but not the same. Such headlines are a series
 *     (Teil 1 / Teil 2 of a list, DAX / MDAX closing prices, the 17 and
 *     18 o'clock radio programme), whose texts share their form, not
 *     their subject, or a new turn of one subject told in the same words,
 *     where the words that differ are the news ("Kreml vermeidet
 *     Festlegung zu begrenzter Waffenruhe" at noon, "Kreml stimmt
 *     begrenzter Waffenruhe bis Sonntag zu" two hours later: two reports,
 *     headline Jaccard 0.56, text cosine 0.54). The joined pairs of the
 *     dpa sample have headline Jaccard 0.06-0.38. */

/* Related news. A shared topic alone is no evidence: where most articles
 * carry "Österreich" or "USA", any two share one (10kGNAD: pairs without
 * text in common share their category no more often than chance). So the
 * text decides, or a subject both articles lead with. A candidate is
 * related when
 *   - its text cosine reaches MLD_STORY_RELATED_TEXT with at least
 *     MLD_STORY_RELATED_TEXT_TERMS terms of the two vectors in common (one rare
 *     word in common, "EU-Kommission" or "Hand", can carry a cosine of
 *     0.15 between short texts; 10kGNAD: 4 of 13 such pairs share their
 *     category, 3 in 4 of those with two or more terms), or
 *   - both articles lead with the same two topics (ranks 0 and 1, in
 *     either order) and that pair names a subject: it is specific - at
 *     most MLD_STORY_RELATED_LEAD_SHARE of the stored articles lead with it,
 *     counted as if the store held MLD_STORY_RELATED_LEAD_PRIOR articles more (a
 *     young store cannot tell a common pair from the subject of the day)
 *     - and cohesive: at least MLD_STORY_RELATED_LEAD_COHESION of the articles
 *     carrying the commoner of the two lead with the pair. Ukraine and
 *     Russland leading together are the war and its diplomacy (the
 *     reference page's list: text cosine 0-0.1); Wien and Österreich are
 *     a city and its country, Österreich mostly comes without Wien
 *     (10kGNAD: 99 of its 318 articles lead with both) and the pair is
 *     the place of any local report, not a subject.
 * Its relevance is then text cosine + MLD_STORY_RELATED_TOPIC_WEIGHT x topic
 * cosine. The score of a list entry adds recency, published /
 * MLD_STORY_RECENCY_SECS: among related articles one a week newer may be e (2.7)
 * times less relevant and still rank level; within a day recency moves
 * relevance by at most 15%. It never makes an article related. */

enum mld_story_rule
mld_story_judge(const struct mld_story_pair *p, double *strength)
{
    if (p->jaccard >= MLD_SIM_NEAR_DUP) {
        *strength = p->jaccard;
        return MLD_STORY_NEAR_DUP;
    }
    if (p->same_headline) {
        *strength = p->tf;
        return MLD_STORY_HEADLINE;
    }
    /* A shared person or place alone never joins: the whole text must be
     * alike, and the topic only confirms it. */
    bool form = p->headline < MLD_STORY_SERIES_HEADLINE && p->jaccard < MLD_STORY_TEMPLATE;
    if (p->tf >= MLD_STORY_TEXT_SIMILAR && p->shared_topics > 0 && p->headline > 0 && form) {
        *strength = p->tf;
        return MLD_STORY_TEXT;
    }
    if (p->shared_people > 0 && p->tf >= MLD_STORY_PERSON_TEXT &&
        p->shared_topics >= MLD_STORY_PERSON_TOPICS && form) {
        *strength = p->tf;
        return MLD_STORY_PERSON;
    }
    return MLD_STORY_NONE;
}

const char *
mld_story_rule_code(enum mld_story_rule r)
{
    switch (r) {
    case MLD_STORY_NEAR_DUP: return "dup";
    case MLD_STORY_HEADLINE: return "head";
    case MLD_STORY_TEXT: return "text";
    case MLD_STORY_PERSON: return "name";
    case MLD_STORY_NONE: break;
    }
    return "";
}

/* Writes v as a German decimal with two places ("0,91"). */
static void
put_num(struct mld_buf *b, double v)
{
    char num[32];
    snprintf(num, sizeof(num), "%.2f", v);
    char *dot = strchr(num, '.');
    if (dot != NULL)
        *dot = ',';
    mld_buf_puts(b, num);
}

void
mld_story_reason(struct mld_buf *b, enum mld_story_rule r, const struct mld_story_pair *p)
{
    if (r == MLD_STORY_HEADLINE) {
        mld_buf_printf(b, "gleiche Überschrift wie #%" PRId64, p->id);
        return;
    }
    if (r == MLD_STORY_NONE)
        return;
    if (r == MLD_STORY_PERSON) {
        mld_buf_printf(b, "dieselbe Person in der Überschrift wie #%" PRId64 " (Kosinus ", p->id);
        put_num(b, p->tf);
        mld_buf_putc(b, ')');
        return;
    }
    bool dup = r == MLD_STORY_NEAR_DUP;
    mld_buf_printf(b, "%s wie #%" PRId64 " (%s ", dup ? "fast gleicher Text" : "ähnlicher Text",
                   p->id, dup ? "Jaccard" : "Kosinus");
    put_num(b, dup ? p->jaccard : p->tf);
    mld_buf_putc(b, ')');
}

void
mld_story_reason_end(struct mld_buf *b, enum mld_story_rule r)
{
    mld_buf_printf(b, " [%s]", mld_story_rule_code(r));
}

bool
mld_story_lead_subject(int64_t lead_df, int64_t docs, int64_t broad_df)
{
    /* An update whose pair was never counted says nothing. */
    return lead_df > 0 &&
           lead_df <= MLD_STORY_RELATED_LEAD_SHARE * (double)(docs + MLD_STORY_RELATED_LEAD_PRIOR) &&
           lead_df >= MLD_STORY_RELATED_LEAD_COHESION * (double)broad_df;
}

double
mld_story_relevance(const struct mld_story_pair *p)
{
    bool by_text = p->cosine >= MLD_STORY_RELATED_TEXT &&
                   p->shared_terms >= MLD_STORY_RELATED_TEXT_TERMS;
    if (!by_text && !p->subject)
        return 0;
    return p->cosine + MLD_STORY_RELATED_TOPIC_WEIGHT * p->topics;
}

double
mld_story_related_score(double r, mld_time_t t)
{
    return log(r) + (double)t / MLD_STORY_RECENCY_SECS;
}

uint32_t
mld_story_topic_id(const char *name)
{
    char slug[MLD_SLUG_MAX + 1];
    size_t n = mld_slug(name, strlen(name), slug);
    return n > 0 ? mld_sim_term_id(slug, n) : 0;
}

/* The stems of a text, folded (case, diacritics: "Erdoğan" and
 * "Erdogan" are one), as one string of " stem " entries. */
struct stems {
    struct mld_buf b;
};

/* The analyzer's callback: appends one word's folded stem. */
static int
stem_word(void *ud, const struct mld_token *t)
{
    struct stems *x = ud;
    if (t->stop || t->kind != MLD_TOK_WORD || t->len < 3)
        return 0;
    /* Decomposed into code points, marks dropped, re-encoded in place:
     * no allocation. A longer word is no name. */
    utf8proc_int32_t cps[MLD_STORY_WORD_MAX];
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD;
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)t->term,
                                            (utf8proc_ssize_t)t->len, cps, MLD_STORY_WORD_MAX, opt);
    if (n <= 0 || n > MLD_STORY_WORD_MAX)
        return 0;
    n = utf8proc_reencode(cps, n, opt);
    if (n > 0) {
        mld_buf_append(&x->b, cps, (size_t)n);
        mld_buf_putc(&x->b, ' ');
    }
    return 0;
}

/* Fills x with the folded stems of text, " a b c ". */
static void
stems_of(struct stems *x, const char *text)
{
    mld_buf_init(&x->b, MLD_STORY_STEMS_MAX);
    mld_buf_putc(&x->b, ' ');
    if (text != NULL)
        mld_analyze(mld_analyzer(), text, strlen(text), MLD_AN_TERMS, stem_word, x);
    mld_buf_putc(&x->b, '\0');
}

int
mld_story_headline_people(const struct mld_article *a, uint32_t *out, int max)
{
    struct stems head;
    stems_of(&head, a->headline);
    int n = 0;
    for (int i = 0; i < a->ntopics && n < max && head.b.p != NULL; i++) {
        if (!mld_topic_is_person(a->topics[i]))
            continue;
        /* Named when a word of the name (its surname, mostly) is a word
         * of the headline. */
        struct stems name;
        stems_of(&name, a->topics[i]);
        bool found = false;
        for (char *w = name.b.p ? name.b.p + 1 : NULL, *end; w && *w && !found; w = end + 1) {
            end = strchr(w, ' ');
            if (end == NULL)
                break;
            char key[MLD_STORY_STEMS_MAX + 2];
            snprintf(key, sizeof(key), " %.*s ", (int)(end - w), w);
            found = strstr(head.b.p, key) != NULL;
        }
        mld_buf_dispose(&name.b);
        uint32_t id = mld_story_topic_id(a->topics[i]);
        if (found && id != 0)
            out[n++] = id;
    }
    mld_buf_dispose(&head.b);
    return n;
}
