/*
 * editorial.h - the editors' actions on articles, one implementation for
 * the web interface (editor.c) and the command line (cmd_article.c).
 *
 * An action checks its input and the article's editorial state, applies
 * the decision through the store (editor.h: the shown row and the change
 * keys) and writes the audit log line, all in one transaction. The rules:
 *
 *   withdraw  needs a reason; not for an article already withdrawn by an
 *             editor. The article answers 410 everywhere, with the reason.
 *   hold      for an article readers see (no decision or a released
 *             one), with an optional reason: it answers 404 like an item
 *             the agency holds back, leaves every list and waits in the
 *             held queue until released. (Hiding was the same state under
 *             another name; "hide" is still read as "hold".)
 *   release   for an item held back - by an editor, or by the agency
 *             (not for publication, withheld) with no decision: it is
 *             shown like any other (an agency's withdrawal still
 *             withdraws it). "unhide" is still read as "release".
 *   pin       pins a visible article on the home page at place text
 *             (1, the default, leads; 2..MLD_EDITOR_PINS come first beside
 *             it), moving the others down; a pinned one moves there.
 *   unpin     only for a pinned article: the others move up.
 *   correct   adds a correction note ("Korrekturhinweis", dated) shown
 *             under the article; any state.
 *   section   moves the article to the section whose slug text is (one
 *             that readers can see articles of); any state.
 *   topics    replaces its topics by the comma-separated names in text
 *             ("" for none); any state.
 *   split     takes the article out of its story into one of its own.
 *   merge     moves every article of its story into the story of the
 *             article whose id text is.
 *
 * A decision outlives later agency versions (the store re-applies it).
 */
#ifndef MLD_EDITORIAL_H
#define MLD_EDITORIAL_H

#include <stdint.h>

#include "../base/err.h"
#include "../base/time.h"
#include "../store/editor.h"

enum mld_ed_action {
    MLD_ACT_WITHDRAW,
    MLD_ACT_HOLD,
    MLD_ACT_CORRECT,
    MLD_ACT_RELEASE,
    MLD_ACT_PIN,
    MLD_ACT_UNPIN,
    MLD_ACT_SECTION,
    MLD_ACT_TOPICS,
    MLD_ACT_SPLIT,
    MLD_ACT_MERGE,
};

/* "withdraw", "hold", "correct", "release", "pin", "unpin",
 * "section", "topics", "split", "merge" (the audit log's and the command line's words). */
const char *mld_ed_action_name(enum mld_ed_action act);

/* The action named s (the words above, and the older "hide" for hold,
 * "unhide" for release), or -1. */
int mld_ed_parse_action(const char *s);

/* Does act on article id as actor (a user name, or "cli") at now; text is
 * the reason (withdraw; hold, where NULL or "" gives none), the note (correct), the section's slug (section)
 * the topics (topics), the other article's id (merge) or the place (pin;
 * NULL or "": 1), else ignored. Returns 0,
 * MLD_E_NOTFOUND (no such article), MLD_E_INVAL (missing or bad text, an
 * action the state does not allow; err says which) or MLD_E_STORE. */
int mld_editorial_act(struct mld_store *st, int64_t id, enum mld_ed_action act, const char *text,
                      const char *actor, mld_time_t now, struct mld_err *err);

/* The place of article id among the home page's pins into *pos (1 leads;
 * 0: not pinned). Returns 0 or MLD_E_STORE. */
int mld_editorial_pin_pos(struct mld_store *st, int64_t id, int *pos, struct mld_err *err);

/* What readers see of an article with shown status pubstatus and
 * editorial state, in German: "veröffentlicht", "zurückgehalten (Redaktion)",
 * "nicht zur Veröffentlichung (Agentur)", ... */
const char *mld_ed_shown_de(int pubstatus, enum mld_ed_state state);

/* German name of a state: "sichtbar", "zurückgehalten", "zurückgezogen",
 * "freigegeben". */
const char *mld_ed_state_de(enum mld_ed_state state);

#endif
