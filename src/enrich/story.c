/*
 * story.c - the story and related-news policy (story.h). The reasons for
 * each rule and threshold are in docs/internals/stories.md.
 */
#include "story.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../text/similar.h"

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
    if (p->tf >= MLD_STORY_TEXT_SIMILAR && p->shared_topics > 0 && p->headline > 0 &&
        p->headline < MLD_STORY_SERIES_HEADLINE && p->jaccard < MLD_STORY_TEMPLATE) {
        *strength = p->tf;
        return MLD_STORY_TEXT;
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
