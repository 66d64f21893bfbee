/*
 * editorial.c - the editors' actions on articles (see editorial.h).
 */
#include "editorial.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/mem.h"
#include "auth.h"

static const char *const action_names[] = {"withdraw", "hold",    "correct", "release",
                                           "pin",      "unpin",   "section", "topics",
                                           "split",    "merge"};

const char *
mld_ed_action_name(enum mld_ed_action act)
{
    return action_names[act];
}

int
mld_ed_parse_action(const char *s)
{
    for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
        if (strcmp(s, action_names[i]) == 0)
            return (int)i;
    /* Hiding and holding were two names for one state (editorial.h). */
    if (strcmp(s, "hide") == 0)
        return MLD_ACT_HOLD;
    if (strcmp(s, "unhide") == 0)
        return MLD_ACT_RELEASE;
    return -1;
}

const char *
mld_ed_state_de(enum mld_ed_state state)
{
    switch (state) {
    case MLD_ED_HELD: return "zurückgehalten";
    case MLD_ED_WITHDRAWN: return "zurückgezogen";
    case MLD_ED_RELEASED: return "freigegeben";
    default: return "sichtbar";
    }
}

const char *
mld_ed_shown_de(int pubstatus, enum mld_ed_state state)
{
    switch (state) {
    case MLD_ED_HELD: return "zurückgehalten (Redaktion)";
    case MLD_ED_WITHDRAWN: return "zurückgezogen (Redaktion)";
    case MLD_ED_RELEASED:
        if (pubstatus == MLD_PUB_USABLE)
            return "freigegeben (Redaktion)";
        break;
    case MLD_ED_NONE: break;
    }
    switch (pubstatus) {
    case MLD_PUB_USABLE: return "veröffentlicht";
    case MLD_PUB_WITHHELD: return "zurückgehalten (Agentur)";
    case MLD_PUB_CANCELED: return "zurückgezogen (Agentur)";
    default: return "nicht zur Veröffentlichung (Agentur)";
    }
}

int
mld_editorial_pin_pos(struct mld_store *st, int64_t id, int *pos, struct mld_err *err)
{
    int64_t *ids;
    int n;
    int rc = mld_store_pins(st, &ids, &n, err);
    *pos = 0;
    for (int i = 0; rc == 0 && i < n && *pos == 0; i++)
        if (ids[i] == id)
            *pos = i + 1;
    mld_free(ids);
    return rc;
}

/* The audit log's words for place pos among the pins: "kein Aufmacher",
 * "Aufmacher", "angeheftet an Stelle N". */
static void
pin_text(int pos, char *out, size_t size)
{
    if (pos > 1)
        snprintf(out, size, "angeheftet an Stelle %d", pos);
    else
        snprintf(out, size, "%s", pos == 1 ? "Aufmacher" : "kein Aufmacher");
}

/* Refuses act when the article's state ed (and its shown status
 * pubstatus, its place pinned among the pins, the place want to pin it
 * at) does not allow it. */
static int
allowed(enum mld_ed_action act, const struct mld_editorial *ed, int pubstatus, int pinned,
        int want, int64_t id, struct mld_err *err)
{
    switch (act) {
    case MLD_ACT_WITHDRAW:
        if (ed->state == MLD_ED_WITHDRAWN)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is withdrawn already", id);
        return 0;
    case MLD_ACT_HOLD:
        if (ed->state != MLD_ED_NONE && ed->state != MLD_ED_RELEASED)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is %s already", id,
                               ed->state == MLD_ED_HELD ? "held" : "withdrawn");
        if (pubstatus != MLD_PUB_USABLE)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is not shown to readers",
                               id);
        return 0;
    case MLD_ACT_CORRECT:
    case MLD_ACT_SECTION:
    case MLD_ACT_TOPICS:
    case MLD_ACT_SPLIT:
    case MLD_ACT_MERGE: return 0;
    case MLD_ACT_PIN:
        if (pubstatus != MLD_PUB_USABLE)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is not shown to readers",
                               id);
        if (pinned == want)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is pinned there already",
                               id);
        return 0;
    case MLD_ACT_UNPIN:
        if (pinned == 0)
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is not pinned", id);
        return 0;
    case MLD_ACT_RELEASE:
        if (ed->state != MLD_ED_HELD &&
            (ed->state != MLD_ED_NONE ||
             (pubstatus != MLD_PUB_HELD && pubstatus != MLD_PUB_WITHHELD)))
            return mld_err_set(err, MLD_E_INVAL, "article %" PRId64 " is not held", id);
        return 0;
    }
    return mld_err_set(err, MLD_E_INVAL, "unknown action");
}

/* The audit log's words for a state: "sichtbar", "zurückgehalten[: REASON]",
 * "zurückgezogen: REASON", "freigegeben"; without a decision on an item
 * the agency holds back, what readers see of it (pubstatus; -1: never). */
static void
state_text(enum mld_ed_state state, const char *reason, int pubstatus, char *out, size_t size)
{
    if (state == MLD_ED_NONE && pubstatus > 0)
        snprintf(out, size, "%s", mld_ed_shown_de(pubstatus, state));
    else if ((state == MLD_ED_WITHDRAWN || state == MLD_ED_HELD) && reason != NULL)
        snprintf(out, size, "%s: %s", mld_ed_state_de(state), reason);
    else
        snprintf(out, size, "%s", mld_ed_state_de(state));
}

/* "Ressort: NAME", "Themen: A, B" or "Geschichte: ID" of article it into
 * out (size bytes). */
static void
fields_text(const struct mld_item *it, enum mld_ed_action act, char *out, size_t size)
{
    if (act == MLD_ACT_SPLIT || act == MLD_ACT_MERGE) {
        snprintf(out, size, "Geschichte: %" PRId64, it->story_id);
        return;
    }
    if (act == MLD_ACT_SECTION) {
        snprintf(out, size, "Ressort: %s", it->a->section ? it->a->section : "keins");
        return;
    }
    size_t o = (size_t)snprintf(out, size, "Themen:");
    for (int i = 0; i < it->a->ntopics && o < size; i++)
        o += (size_t)snprintf(out + o, size - o, "%s %s", i > 0 ? "," : "", it->a->topics[i]);
    if (it->a->ntopics == 0)
        snprintf(out + o, size - o, " keine");
}

/* Turns "Ukraine, Russland" into "Ukraine\nRussland" (out, size bytes),
 * refusing empty names between commas, too many or too long ones. */
static int
topics_lines(const char *text, char *out, size_t size, struct mld_err *err)
{
    size_t o = 0;
    int n = 0;
    out[0] = '\0';
    if (text[strspn(text, " \t")] == '\0')
        return 0; /* no topics */
    for (const char *p = text;;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0)
            return mld_err_set(err, MLD_E_INVAL, "topics: an empty name between commas");
        if (len > MLD_EDITOR_TOPIC_MAX)
            return mld_err_set(err, MLD_E_INVAL, "topics: a name longer than %d bytes",
                               MLD_EDITOR_TOPIC_MAX);
        if (++n > MLD_EDITOR_TOPICS)
            return mld_err_set(err, MLD_E_INVAL, "topics: more than %d", MLD_EDITOR_TOPICS);
        o += (size_t)snprintf(out + o, size - o, "%s%.*s", n > 1 ? "\n" : "", (int)len, p);
        p += strcspn(p, ",");
        if (*p++ == '\0')
            return 0;
    }
}

/* Gives article it the section whose slug text is, or the topics of text. */
static int
set_fields(struct mld_store *st, const struct mld_item *it, enum mld_ed_action act,
           const char *text, const char *actor, mld_time_t now, struct mld_err *err)
{
    if (act == MLD_ACT_SPLIT)
        return mld_store_ed_story_set(st, it->id, 0, actor, now, err);
    if (act == MLD_ACT_MERGE) {
        char *end;
        long long into = strtoll(text, &end, 10);
        if (*text < '0' || *text > '9' || *end != '\0' || into <= 0)
            return mld_err_set(err, MLD_E_INVAL, "merge: '%s' is no article number", text);
        return mld_store_ed_story_set(st, it->id, (int64_t)into, actor, now, err);
    }
    if (act == MLD_ACT_TOPICS) {
        char lines[MLD_EDITOR_TOPICS * (MLD_EDITOR_TOPIC_MAX + 1) + 1];
        int rc = topics_lines(text, lines, sizeof(lines), err);
        return rc != 0 ? rc : mld_store_ed_fields_set(st, it->id, NULL, lines, actor, now, err);
    }
    char *name = mld_store_section_name(st, text);
    if (name == NULL)
        return mld_err_set(err, MLD_E_INVAL, "no section '%s' (a slug such as 'inland')", text);
    int rc = mld_store_ed_fields_set(st, it->id, name, NULL, actor, now, err);
    mld_free(name);
    return rc;
}

/* Releases article id, held by an editor (held) or by the agency: it
 * shows as the agency's version says when that is usable (or a
 * withdrawal), else as released; what readers see now into after. */
static int
release(struct mld_store *st, int64_t id, bool held, const char *actor, mld_time_t now,
        char *after, size_t size, struct mld_err *err)
{
    struct mld_item it;
    int rc = 0, shown = -1;
    if (held) { /* the agency's status again; released if that holds it back */
        rc = mld_store_editorial_set(st, id, MLD_ED_NONE, NULL, actor, now, err);
        if (rc == 0)
            rc = mld_store_get(st, id, &it, err);
        if (rc != 0)
            return rc;
        shown = (int)it.a->pubstatus;
        mld_item_dispose(&it);
    }
    if (!held || shown == MLD_PUB_HELD || shown == MLD_PUB_WITHHELD) {
        rc = mld_store_editorial_set(st, id, MLD_ED_RELEASED, NULL, actor, now, err);
        state_text(MLD_ED_RELEASED, NULL, -1, after, size);
    } else {
        state_text(MLD_ED_NONE, NULL, shown, after, size);
    }
    return rc;
}

/* The body of mld_editorial_act inside its transaction. */
static int
act_txn(struct mld_store *st, int64_t id, enum mld_ed_action act, const char *text,
        const char *actor, mld_time_t now, struct mld_err *err)
{
    struct mld_item it;
    int rc = mld_store_get(st, id, &it, err);
    if (rc != 0)
        return rc;
    int pubstatus = (int)it.a->pubstatus;
    char before[MLD_EDITOR_TEXT_MAX + 64], after[MLD_EDITOR_TEXT_MAX + 64];
    if (act >= MLD_ACT_SECTION) { /* section, topics, split, merge */
        fields_text(&it, act, before, sizeof(before));
        rc = set_fields(st, &it, act, text, actor, now, err);
        mld_item_dispose(&it);
        if (rc == 0)
            rc = mld_store_get(st, id, &it, err);
        if (rc != 0)
            return rc;
        fields_text(&it, act, after, sizeof(after));
        mld_item_dispose(&it);
        char target[32];
        snprintf(target, sizeof(target), "article:%" PRId64, id);
        return mld_store_audit_add(st, actor, mld_ed_action_name(act), target, before, after, now,
                                   err);
    }
    mld_item_dispose(&it);
    struct mld_editorial ed;
    rc = mld_store_editorial_get(st, id, &ed, err);
    if (rc != 0)
        return rc;
    int pinned = 0, want = 1; /* id's place among the pins; where to pin it */
    rc = mld_editorial_pin_pos(st, id, &pinned, err);
    if (rc == 0 && act == MLD_ACT_PIN && text != NULL && text[0] != '\0') {
        char *end;
        long v = strtol(text, &end, 10);
        if (*text < '0' || *text > '9' || *end != '\0' || v < 1 || v > MLD_EDITOR_PINS)
            rc = mld_err_set(err, MLD_E_INVAL, "pin: place '%s' is no number from 1 to %d", text,
                             MLD_EDITOR_PINS);
        want = (int)v;
    }
    if (rc == 0)
        rc = allowed(act, &ed, pubstatus, pinned, want, id, err);
    bool held = ed.state == MLD_ED_HELD;
    state_text(ed.state, ed.reason, pubstatus, before, sizeof(before));
    mld_editorial_dispose(&ed);
    if (rc != 0)
        return rc;
    char target[32];
    snprintf(target, sizeof(target), "article:%" PRId64, id);
    switch (act) {
    case MLD_ACT_WITHDRAW:
        rc = mld_store_editorial_set(st, id, MLD_ED_WITHDRAWN, text, actor, now, err);
        state_text(MLD_ED_WITHDRAWN, text, -1, after, sizeof(after));
        break;
    case MLD_ACT_HOLD:
        if (text != NULL && text[0] == '\0')
            text = NULL;
        rc = mld_store_editorial_set(st, id, MLD_ED_HELD, text, actor, now, err);
        state_text(MLD_ED_HELD, text, -1, after, sizeof(after));
        break;
    case MLD_ACT_RELEASE:
        rc = release(st, id, held, actor, now, after, sizeof(after), err);
        break;
    case MLD_ACT_PIN:
    case MLD_ACT_UNPIN:
        rc = mld_store_pin_set(st, id, act == MLD_ACT_PIN ? want : 0, actor, now, err);
        pin_text(pinned, before, sizeof(before));
        if (rc == 0) /* past the end it lands last */
            rc = mld_editorial_pin_pos(st, id, &pinned, err);
        pin_text(pinned, after, sizeof(after));
        break;
    case MLD_ACT_CORRECT:
        rc = mld_store_correction_add(st, id, text, actor, now, err);
        snprintf(after, sizeof(after), "Korrekturhinweis: %s", text);
        break;
    case MLD_ACT_SECTION:
    case MLD_ACT_TOPICS:
    case MLD_ACT_SPLIT:
    case MLD_ACT_MERGE: break; /* done above */
    }
    if (rc == 0)
        rc = mld_store_audit_add(st, actor, mld_ed_action_name(act), target,
                                 act == MLD_ACT_CORRECT ? NULL : before, after, now, err);
    return rc;
}

int
mld_editorial_act(struct mld_store *st, int64_t id, enum mld_ed_action act, const char *text,
                  const char *actor, mld_time_t now, struct mld_err *err)
{
    if ((act == MLD_ACT_SECTION || act == MLD_ACT_TOPICS || act == MLD_ACT_MERGE) && text == NULL)
        return mld_err_set(err, MLD_E_INVAL, "%s missing", mld_ed_action_name(act));
    if (act == MLD_ACT_TOPICS || (act == MLD_ACT_HOLD && text != NULL)) {
        bool hold = act == MLD_ACT_HOLD;
        int rc = mld_auth_text_ok(text, 0, MLD_EDITOR_TEXT_MAX, hold, hold ? "reason" : "topics",
                                  err);
        if (rc != 0)
            return rc;
    }
    if (act == MLD_ACT_WITHDRAW || act == MLD_ACT_CORRECT || act == MLD_ACT_SECTION) {
        const char *what = act == MLD_ACT_WITHDRAW  ? "reason"
                           : act == MLD_ACT_SECTION ? "section"
                                                    : "correction note";
        if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
            return mld_err_set(err, MLD_E_INVAL, "%s missing: %s needs one", what,
                               mld_ed_action_name(act));
        int rc = mld_auth_text_ok(text, 1, MLD_EDITOR_TEXT_MAX, true, what, err);
        if (rc != 0)
            return rc;
    }
    int rc = mld_store_begin(st, err);
    if (rc != 0)
        return rc;
    rc = act_txn(st, id, act, text, actor, now, err);
    if (rc == 0)
        rc = mld_store_commit(st, err);
    if (rc != 0)
        mld_store_rollback(st);
    return rc;
}
