/*
 * pipeline.c - one wire document into the store (see pipeline.h).
 *
 * Parsing (mld_pipeline_parse) touches no store, so `meldung ingest` runs
 * it ahead of the writer in a thread of its own; the rules that need the
 * store (dating by first sight) run in mld_pipeline_store, inside the
 * document's transaction.
 */
#include "pipeline.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../base/config.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/text.h"
#include "../enrich/enrich.h"
#include "../ingest/quarantine.h"
#include "../text/similar.h"

/* Why a media-only item is held, for the operator. */
#define HOLD_MEDIA_ONLY "Nur Medien, kein Text: nicht zur Veröffentlichung bestimmt"

/* Headlines ----------------------------------------------------------------- */

/* True when s is NULL or only white space. */
static bool
blank(const char *s)
{
    if (s == NULL)
        return true;
    for (; *s != '\0'; s++)
        if (!mld_ascii_space(*s))
            return false;
    return true;
}

/* Words that end in a full stop without ending a sentence (German wire
 * usage); single letters ("z. B.", "U. S.") and numbers ("3. Oktober")
 * are caught before this list. */
static const char *const abbreviations[] = {
    "Abs", "bzw",  "ca",   "Chr", "Dr",  "etc", "evtl", "ggf",  "Hr",  "inkl", "Jh",  "Mio",  "Mrd",
    "Nr",  "Prof", "St",   "Str", "Tel", "usw", "vgl",  "zzgl", "Jan", "Feb",  "Aug", "Sept", "Okt",
    "Nov", "Dez",  "bzgl", "sog", "Mr",  "Mrs", "Ms",   "Inc",  "Ltd", "Co",   "vs",
};

/* True when the full stop at text[dot] ends a sentence: followed by white
 * space or the end, and not closing a number, a single letter or a known
 * abbreviation. */
static bool
sentence_end(const char *text, size_t dot, size_t len)
{
    if (dot + 1 < len && !mld_ascii_space(text[dot + 1]))
        return false;
    if (text[dot] != '.')
        return true;
    size_t start = dot;
    while (start > 0 && !mld_ascii_space(text[start - 1]) && text[start - 1] != '(')
        start--;
    size_t n = dot - start;
    if (n == 0)
        return true;
    bool digits = true;
    for (size_t i = start; i < dot; i++)
        if (text[i] < '0' || text[i] > '9')
            digits = false;
    if (digits || n == 1)
        return false;
    for (size_t i = 0; i < sizeof(abbreviations) / sizeof(abbreviations[0]); i++)
        if (strlen(abbreviations[i]) == n && strncmp(abbreviations[i], text + start, n) == 0)
            return false;
    return true;
}

size_t
mld_pipeline_headline(const char *text, char *out, size_t size)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    if (text == NULL)
        return 0;
    while (mld_ascii_space(*text))
        text++;
    size_t len = strlen(text);
    /* The first sentence: up to its end mark ('.', '!', '?' or "…"),
     * or the first line break, or the whole text. */
    size_t keep = len;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            keep = i;
            break;
        }
        if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && sentence_end(text, i, len)) {
            keep = text[i] == '.' ? i : i + 1; /* headlines drop the full stop */
            break;
        }
        if (i + 2 < len && memcmp(text + i, "\xe2\x80\xa6", 3) == 0 &&
            sentence_end(text, i + 2, len)) {
            keep = i + 3;
            break;
        }
    }
    /* Cut at MLD_HEADLINE_MADE_CHARS characters, at the last space before
     * the cut (or the cut itself when a word is longer). */
    size_t chars = 0, cut = keep;
    bool cutting = false;
    for (size_t i = 0; i < keep; i++) {
        if (((unsigned char)text[i] & 0xc0) != 0x80) {
            if (chars == MLD_HEADLINE_MADE_CHARS - 1) { /* room for the "…" */
                cut = i;
                cutting = true;
                break;
            }
            chars++;
        }
    }
    if (cutting) {
        size_t sp = cut;
        while (sp > 0 && !mld_ascii_space(text[sp]))
            sp--;
        if (sp > 0)
            cut = sp;
        while (cut > 0 && (mld_ascii_space(text[cut - 1]) || text[cut - 1] == ',' ||
                           text[cut - 1] == ';' || text[cut - 1] == ':' || text[cut - 1] == '-'))
            cut--;
        keep = cut;
    }
    /* Copy, folding runs of white space into one space. */
    size_t o = 0;
    size_t room = size - 1;
    if (cutting)
        room = room > 3 ? room - 3 : 0;
    for (size_t i = 0; i < keep && o < room; i++) {
        if (mld_ascii_space(text[i])) {
            if (o > 0 && out[o - 1] != ' ')
                out[o++] = ' ';
            continue;
        }
        out[o++] = text[i];
    }
    /* Never end inside a UTF-8 sequence when out was too small. */
    if (o > 0) {
        size_t lead = o - 1;
        while (lead > 0 && ((unsigned char)out[lead] & 0xc0) == 0x80)
            lead--;
        unsigned char c = (unsigned char)out[lead];
        size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (o - lead < need)
            o = lead;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    if (cutting && o > 0 && size - o > 3) {
        memcpy(out + o, "\xe2\x80\xa6", 3);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

/* Parsing --------------------------------------------------------------- */

/* Keeps one warning line for p (up to MLD_PIPELINE_MAX_NOTES). */
static void note(struct mld_parsed *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct mld_parsed *p, const char *fmt, ...)
{
    if (p->nnotes >= MLD_PIPELINE_MAX_NOTES) {
        p->notes_dropped++;
        return;
    }
    char line[MLD_ERR_MSG_MAX]; /* a longer line is cut, like an error message */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    p->notes = mld_reallocarray(p->notes, (size_t)p->nnotes + 1, sizeof(*p->notes));
    p->notes[p->nnotes++] = mld_strdup(line);
}

/* The word for a media object's kind, as a headline of last resort. */
static const char *
media_word(const struct mld_media *m)
{
    switch (m->kind) {
    case MLD_MEDIA_PICTURE: return "Bild";
    case MLD_MEDIA_AUDIO: return "Audio";
    case MLD_MEDIA_VIDEO: return "Video";
    case MLD_MEDIA_OTHER: break;
    }
    return "Medium";
}

/* Rules 2 and 3 for an article without a headline: make one from its
 * teaser or text, or (media only) from its first caption, and hold a
 * media-only item. */
static void
make_headline(struct mld_parsed *p, struct mld_article *a, int entry)
{
    char h[MLD_HEADLINE_MADE_CHARS * 4 + 4] = "";
    const char *from = !blank(a->teaser) ? a->teaser : a->text;
    bool text = !blank(from);
    if (!text) {
        for (int i = 0; i < a->nmedia && h[0] == '\0'; i++) {
            const char *c = !blank(a->media[i].caption) ? a->media[i].caption : a->media[i].alt;
            if (!blank(c))
                mld_pipeline_headline(c, h, sizeof(h));
        }
        if (blank(h))
            snprintf(h, sizeof(h), "%s", media_word(&a->media[0]));
        if (a->hold_reason == NULL)
            a->hold_reason = mld_strdup(HOLD_MEDIA_ONLY);
    } else {
        mld_pipeline_headline(from, h, sizeof(h));
    }
    if (blank(h)) /* text of white space and marks only */
        snprintf(h, sizeof(h), "Meldung");
    mld_free(a->headline);
    a->headline = mld_strdup(h);
    note(p, "%s: entry %d (%s): no headline; made \"%s\" from %s", p->src->name, entry,
         a->urn ? a->urn : "no urn", h,
         !text               ? "its media"
         : from == a->teaser ? "the teaser"
                             : "the text");
}

/* Seconds an item may be dated after its receipt ([ingest] future_skew). */
static int future_skew = MLD_FUTURE_SKEW_SECS;

int
mld_pipeline_configure(const struct mld_config *cfg, struct mld_err *err)
{
    future_skew = MLD_FUTURE_SKEW_SECS;
    int sec = cfg != NULL ? mld_config_find(cfg, "ingest", NULL) : -1;
    if (sec < 0)
        return 0;
    if (mld_config_name(cfg, sec) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: [ingest] takes no name",
                           mld_config_where(cfg, sec, NULL));
    for (int k = 0; k < mld_config_nkeys(cfg, sec); k++) {
        const char *key = mld_config_key(cfg, sec, k);
        if (strcmp(key, "future_skew") != 0)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [ingest]: unknown key \"%s\" (known: future_skew)",
                               mld_config_where(cfg, sec, key), key);
    }
    const char *v = mld_config_get(cfg, sec, "future_skew");
    if (v != NULL && mld_config_secs(v, 0, MLD_FUTURE_SKEW_MAX_SECS, &future_skew) != 0)
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: future_skew wants 0 to %d seconds (or with s, m, h, d), got '%s'",
                           mld_config_where(cfg, sec, "future_skew"), MLD_FUTURE_SKEW_MAX_SECS,
                           v);
    return 0;
}

/* Refuses an entry (rule 1): a warning line naming source, entry and
 * why, and a count. */
static int refuse(struct mld_parsed *p, struct mld_article *a, int entry, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
refuse(struct mld_parsed *p, struct mld_article *a, int entry, const char *fmt, ...)
{
    char why[MLD_ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    note(p, "%s: entry %d (%s): refused: %s", p->src->name, entry, a->urn ? a->urn : "no urn",
         why);
    p->refused++;
    mld_article_free(a);
    return 0;
}

/* Rule 6: a date more than future_skew after now is a wrong date.
 * Such an item is dated as an undated one (by first sight) with a warning;
 * its later deliveries get the same date, so they stay duplicates. */
static void
future_dates(struct mld_parsed *p, struct mld_article *a, int entry)
{
    mld_time_t limit = mld_time_now() + future_skew;
    if (a->version_created <= limit && a->updated <= limit)
        return;
    char iso[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(a->version_created > limit ? a->version_created : a->updated, iso);
    note(p, "%s: entry %d (%s): dated %s, more than %d s after its receipt: dated by first sight",
         p->src->name, entry, a->urn ? a->urn : "no urn", iso, future_skew);
    p->future++;
    if (a->version_created > limit)
        a->version_created = 0;
    if (a->updated > limit)
        a->updated = 0;
}

/* Records the tokens of a's indexed texts into rec[MLD_RECS] under the
 * search index's flags: on ingest's reader thread, so that the storing
 * thread does not analyse them (mld_store_offer_tokens), and once for
 * the topic tagger, the story features and the index alike (whose flags
 * include theirs: mld_analyze_part). A text whose record fails (too long)
 * stays empty and is analysed where it is used. */
static void
record_tokens(const struct mld_article *a, struct mld_token_rec *rec)
{
    const char *col[MLD_RECS] = {a->headline, a->kicker, a->text};
    for (int k = 0; k < MLD_RECS; k++) {
        rec[k] = (struct mld_token_rec){0};
        if (col[k] != NULL && col[k][0] != '\0')
            mld_analyze_record(mld_analyzer(), col[k], strlen(col[k]), MLD_AN_INDEX, &rec[k]);
    }
}

/* The sink of the parsers: applies the rules to one article, enriches it,
 * computes its features and keeps both. */
static int
keep_article(void *ud, struct mld_article *a)
{
    struct mld_parsed *p = ud;
    int entry = ++p->entries;
    if (a->incomplete != NULL) {
        const char *urn = a->urn ? a->urn : "no urn";
        if (!p->src->keep_incomplete) {
            snprintf(p->fail_msg, sizeof(p->fail_msg), "%s: entry %d (%s): incomplete: %s",
                     p->src->name, entry, urn, a->incomplete);
            p->fail_code = a->incomplete_code != 0 ? a->incomplete_code : MLD_E_TOOBIG;
            mld_article_free(a);
            return p->fail_code;
        }
        note(p, "%s: entry %d (%s): stored incomplete: %s", p->src->name, entry, urn,
             a->incomplete);
        p->incomplete++;
    }
    bool has_text = !blank(a->text) || !blank(a->teaser);
    if (blank(a->headline) && !has_text && a->nmedia == 0)
        return refuse(p, a, entry, "neither headline nor text nor media");
    if (a->version < 1 || a->version > MLD_MAX_VERSION)
        return refuse(p, a, entry, "version %lld is not within 1 to %lld", (long long)a->version,
                      MLD_MAX_VERSION);
    if (blank(a->headline))
        make_headline(p, a, entry);
    if (a->hold_reason != NULL &&
        (a->pubstatus == MLD_PUB_USABLE || a->pubstatus == MLD_PUB_WITHHELD))
        a->pubstatus = MLD_PUB_HELD;
    future_dates(p, a, entry);
    if (a->version_created == 0)
        a->date_source = MLD_DATE_SEEN; /* dated when stored */
    p->tokens = mld_reallocarray(p->tokens, (size_t)(p->n + 1) * MLD_PIPELINE_INDEX_COLS,
                                 sizeof(*p->tokens));
    struct mld_token_rec *rec = &p->tokens[p->n * MLD_PIPELINE_INDEX_COLS];
    record_tokens(a, rec);
    mld_enrich_rec(a, p->src->section, rec);
    p->v = mld_reallocarray(p->v, (size_t)p->n + 1, sizeof(*p->v));
    p->features = mld_reallocarray(p->features, (size_t)p->n + 1, sizeof(*p->features));
    mld_sim_features_init_rec(&p->features[p->n], a, rec);
    if (a->pubstatus != MLD_PUB_USABLE) /* not indexed: nothing to offer */
        for (int k = 0; k < MLD_RECS; k++)
            mld_token_rec_dispose(&rec[k]);
    p->v[p->n++] = a;
    return 0;
}

int
mld_pipeline_parse(const char *doc, size_t len, const struct mld_source *src,
                   const struct mld_format *fmt, struct mld_parsed *out, struct mld_err *err)
{
    *out = (struct mld_parsed){.src = src};
    if (fmt == NULL)
        fmt = mld_format_detect(doc, len);
    if (fmt == NULL)
        return mld_err_set(err, MLD_E_UNSUPPORTED, "%s: not a format meldung reads", src->name);
    int rc = fmt->parse(doc, len, src, keep_article, out, err);
    if (rc != 0 && out->fail_code != 0)
        rc = mld_err_set(err, out->fail_code, "%s", out->fail_msg);
    if (rc == 0 && out->n == 0 && out->refused > 0) {
        /* Nothing left to store: the document fails, with the first reason. */
        rc = mld_err_set(err, MLD_E_PARSE, "%s%s", out->notes[0],
                         out->refused > 1 ? " (and every other entry)" : "");
    }
    if (rc != 0)
        mld_parsed_dispose(out);
    out->src = NULL;
    return rc;
}

void
mld_parsed_dispose(struct mld_parsed *p)
{
    for (int i = 0; i < p->n; i++) {
        mld_article_free(p->v[i]);
        mld_sim_features_dispose(&p->features[i]);
        for (int k = 0; k < MLD_PIPELINE_INDEX_COLS; k++)
            mld_token_rec_dispose(&p->tokens[i * MLD_PIPELINE_INDEX_COLS + k]);
    }
    for (int i = 0; i < p->nnotes; i++)
        mld_free(p->notes[i]);
    mld_free(p->notes);
    mld_free(p->v);
    mld_free(p->features);
    mld_free(p->tokens);
    *p = (struct mld_parsed){0};
}

/* Storing --------------------------------------------------------------- */

/* Rule 5: dates an article that has no date of its own (MLD_DATE_SEEN)
 * or only its feed's (MLD_DATE_CHANNEL) by the date its urn's first
 * delivery got; a new undated one by now, a new channel-dated one keeps
 * the channel's date. */
static int
date_by_sight(struct mld_store *st, struct mld_article *a, struct mld_err *err)
{
    mld_time_t first = 0;
    int rc = a->urn != NULL ? mld_store_first_date(st, a->urn, &first, err) : MLD_E_NOTFOUND;
    if (rc == MLD_E_NOTFOUND || (rc == 0 && first <= 0)) {
        mld_err_clear(err);
        if (a->date_source == MLD_DATE_CHANNEL && a->version_created > 0)
            return 0;
        first = mld_time_now();
        rc = 0;
    }
    if (rc != 0)
        return rc;
    a->version_created = first;
    if (a->date_source != MLD_DATE_CHANNEL)
        a->date_source = MLD_DATE_SEEN;
    return 0;
}

/* Stores one article with its features, counting it in c. */
static int
store_article(struct mld_store *st, struct mld_article *a, const struct mld_sim_features *f,
              struct mld_pipeline_counts *c, struct mld_err *err)
{
    if (a->version_created == 0 || a->date_source == MLD_DATE_SEEN ||
        a->date_source == MLD_DATE_CHANNEL) {
        int rc = date_by_sight(st, a, err);
        if (rc != 0)
            return rc;
    }
    if (a->updated <= 0)
        a->updated = a->version_created; /* a version never says 1970 */
    enum mld_put_result res;
    int64_t id;
    int rc = mld_store_put_features(st, a, f, &res, &id, err);
    if (rc != 0) {
        mld_err_prefix(err, "%s", a->urn ? a->urn : "no urn");
        return rc;
    }
    bool written = res == MLD_PUT_INSERTED || res == MLD_PUT_UPDATED;
    const char *what = "duplicate delivery, skipped";
    /* The log says "inserted" or "updated" first for every written
     * version, withdrawals and held items too: the crash test reads it. */
    if (written && a->pubstatus == MLD_PUB_CANCELED) {
        c->withdrawn++;
        what = res == MLD_PUT_INSERTED ? "inserted, withdrawn" : "updated, withdrawn";
    } else if (written && a->pubstatus == MLD_PUB_HELD) {
        c->held++;
        what = res == MLD_PUT_INSERTED ? "inserted, held" : "updated, held";
    } else if (res == MLD_PUT_INSERTED) {
        c->inserted++;
        what = "inserted";
    } else if (res == MLD_PUT_UPDATED) {
        c->updated++;
        what = "updated";
    } else if (res == MLD_PUT_STALE) {
        c->stale++;
        what = "older than stored, kept in history";
    } else {
        c->duplicate++;
    }
    if (written) {
        if ((unsigned)a->date_source < MLD_DATE_SOURCES)
            c->dated[a->date_source]++;
        if (a->version_created > c->newest)
            c->newest = a->version_created;
    }
    mld_log(MLD_LOG_DEBUG, "%s v%lld: article %lld %s", a->urn, (long long)a->version,
                (long long)id, what);
    return 0;
}

/* Articles written (they count in a source's items). */
static long
written(const struct mld_pipeline_counts *c)
{
    return c->inserted + c->updated + c->withdrawn + c->held;
}

int
mld_pipeline_store(struct mld_store *st, struct mld_parsed *p, struct mld_pipeline_counts *counts,
                   struct mld_source_state *state, struct mld_err *err)
{
    int rc = mld_store_begin(st, err);
    if (rc != 0)
        return rc;
    /* Of this document only. */
    struct mld_pipeline_counts c = {.refused = p->refused, .future = p->future, .incomplete = p->incomplete};
    for (int i = 0; i < p->n && rc == 0; i++) {
        mld_store_offer_tokens(st, &p->tokens[i * MLD_PIPELINE_INDEX_COLS],
                               MLD_PIPELINE_INDEX_COLS);
        rc = store_article(st, p->v[i], &p->features[i], &c, err);
    }
    if (rc == 0 && state != NULL) {
        state->items += written(&c);
        state->new_items += c.inserted;
        state->updated_items += c.updated;
        state->duplicates += c.duplicate;
        if (c.newest > state->newest_item)
            state->newest_item = c.newest;
        rc = mld_store_source_set(st, state, err);
    }
    if (rc == 0)
        rc = mld_store_commit(st, err);
    if (rc != 0) {
        mld_store_rollback(st);
        return rc;
    }
    for (int i = 0; i < p->nnotes; i++)
        mld_log(MLD_LOG_WARN, "%s", p->notes[i]);
    if (p->notes_dropped > 0)
        mld_log(MLD_LOG_WARN, "... and %ld more such lines for this document",
                    p->notes_dropped);
    if (counts != NULL)
        mld_pipeline_counts_add(counts, &c);
    return 0;
}

int
mld_pipeline_doc(struct mld_store *st, const char *doc, size_t len, const struct mld_source *src,
                 const struct mld_format *fmt, struct mld_pipeline_counts *counts,
                 struct mld_source_state *state, struct mld_err *err)
{
    struct mld_parsed p;
    int rc = mld_pipeline_parse(doc, len, src, fmt, &p, err);
    if (rc == 0)
        rc = mld_pipeline_store(st, &p, counts, state, err);
    mld_parsed_dispose(&p);
    if (rc != 0 && strncmp(err->msg, src->name, strlen(src->name)) != 0)
        mld_err_prefix(err, "%s", src->name);
    return rc;
}

void
mld_pipeline_counts_add(struct mld_pipeline_counts *to, const struct mld_pipeline_counts *from)
{
    to->inserted += from->inserted;
    to->updated += from->updated;
    to->stale += from->stale;
    to->duplicate += from->duplicate;
    to->withdrawn += from->withdrawn;
    to->held += from->held;
    to->refused += from->refused;
    to->future += from->future;
    to->incomplete += from->incomplete;
    for (int i = 0; i < MLD_DATE_SOURCES; i++)
        to->dated[i] += from->dated[i];
    if (from->newest > to->newest)
        to->newest = from->newest;
}

void
mld_pipeline_counts_extra(const struct mld_pipeline_counts *c, struct mld_buf *b)
{
    if (c->withdrawn)
        mld_buf_printf(b, ", %ld withdrawn", c->withdrawn);
    if (c->held)
        mld_buf_printf(b, ", %ld held", c->held);
    if (c->refused)
        mld_buf_printf(b, ", %ld refused", c->refused);
    if (c->future)
        mld_buf_printf(b, ", %ld dated in the future", c->future);
    if (c->incomplete)
        mld_buf_printf(b, ", %ld stored incomplete", c->incomplete);
    /* The date fallbacks: every source after the format's own version date. */
    static const char *const by[MLD_DATE_SOURCES] = {
        [MLD_DATE_MODIFIED] = "their modification date",
        [MLD_DATE_CREATED] = "their creation date",
        [MLD_DATE_CHANNEL] = "the feed's date",
        [MLD_DATE_SEEN] = "first sight",
    };
    const char *sep = "; ";
    for (int i = MLD_DATE_MODIFIED; i < MLD_DATE_SOURCES; i++) {
        if (c->dated[i] == 0)
            continue;
        mld_buf_printf(b, "%s%ld dated by %s", sep, c->dated[i], by[i]);
        sep = ", ";
    }
}

int
mld_pipeline_quarantine(const char *qdir, const char *name, const char *doc, size_t len,
                        unsigned mode, const struct mld_err *why)
{
    if (qdir == NULL)
        return 0;
    struct mld_err qerr = {0};
    int rc = mld_quarantine_put_mode(qdir, name, doc != NULL ? doc : "", doc != NULL ? len : 0,
                                     mode, why, &qerr);
    if (rc != 0)
        mld_log(MLD_LOG_ERROR, "%s: not quarantined: %s", name, qerr.msg);
    return rc;
}
