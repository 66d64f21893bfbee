/*
 * cmd_article.c - `meldung article`: the editors' actions from the command
 * line, the same as the web interface's (src/web/editorial.h):
 *
 *   article withdraw ID --reason TEXT   410 everywhere, with the reason
 *   article hold ID [--reason TEXT]     404, out of every list, into the held queue
 *   article release ID                  shows a held item (by an editor or the agency)
 *   article pin ID [PLACE] / unpin ID   pinned on the home page (1 leads), and back
 *   article correct ID --note TEXT      a dated correction note on the page
 *   article section ID SLUG             moves it to another section
 *   article topics ID "A, B"            replaces its topics ("" for none)
 *   story split ID                      takes the article out of its story
 *   story merge ID OTHER                moves its story into OTHER's
 *
 * The audit log names the actor: --as NAME (an existing account) or "cli".
 * A running `meldung serve` on the same store drops the affected cached
 * pages at its next refresh (the change log, store.h).
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/time.h"
#include "../store/editor.h"
#include "../web/editorial.h"

static const char usage_text[] =
    "meldung article withdraw ID --reason TEXT | hold ID [--reason TEXT] | release ID |\n"
    "                pin ID [PLACE] | unpin ID | correct ID --note TEXT | section ID SLUG |\n"
    "                topics ID \"TOPIC, TOPIC\" | split ID | merge ID OTHER\n"
    "                (also: meldung story split ID | merge ID OTHER)"
    " [--as NAME] [--db FILE]";

static const char help_text[] =
    "An editor's decision on an article; it wins over later agency versions.\n"
    "\n"
    "  withdraw ID        the article answers 410 on every page, feed, sitemap, search\n"
    "                     and API, showing --reason TEXT on its page\n"
    "  hold ID            puts a shown article on hold (--reason TEXT optional): it\n"
    "                     answers 404, leaves every list and waits in the held queue\n"
    "                     (once called hide; `hide` is still understood)\n"
    "  release ID         shows a held item: one an editor held (`unhide` is still\n"
    "                     understood) or one the agency holds back (not for\n"
    "                     publication, withheld)\n"
    "  pin ID [PLACE]     pins the article on the home page at PLACE (1, the default,\n"
    "                     leads; 2.. beside it, before the picked ones) while shown\n"
    "  unpin ID           unpins it (the others move up)\n"
    "  correct ID         adds the correction note --note TEXT (\"Korrekturhinweis\",\n"
    "                     dated) under the article\n"
    "  section ID SLUG    moves the article to the section SLUG (e.g. inland)\n"
    "  topics ID \"A, B\"   replaces its topics by these names (\"\" for none)\n"
    "  split ID           takes the article out of its story into one of its own\n"
    "  merge ID OTHER     moves every article of its story into OTHER's story\n"
    "  --as NAME          the account named in the audit log (default: cli)\n"
    "  --db FILE          the store (default " MLD_DEFAULT_DB ")\n"
    "  --help             this text\n";

/* Parses an article id; 0 when s is not one. */
static int64_t
parse_id(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s >= '0' && *s <= '9' && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int
mld_cmd_article(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"reason", required_argument, NULL, 'r'},
        {"note", required_argument, NULL, 'n'},
        {"as", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = MLD_DEFAULT_DB, *reason = NULL, *note = NULL, *actor = "cli";
    int c;
    optind = 1;
    static const char optstring[] = "d:r:n:a:h";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': reason = optarg; break;
        case 'n': note = optarg; break;
        case 'a': actor = optarg; break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("article", usage_text, optstring, argv);
        }
    }
    if (optind >= argc)
        return mld_cli_usage("article", usage_text,
                             "missing action (withdraw, hold, release, pin, unpin, "
                             "correct, section, topics, split, merge)");
    int act = mld_ed_parse_action(argv[optind]);
    if (act < 0)
        return mld_cli_usage("article", usage_text, "unknown action '%s'", argv[optind]);
    if (optind + 1 >= argc)
        return mld_cli_usage("article", usage_text, "%s needs an article ID", argv[optind]);
    bool field = act == MLD_ACT_SECTION || act == MLD_ACT_TOPICS || act == MLD_ACT_MERGE ||
                 (act == MLD_ACT_PIN && optind + 2 < argc);
    if (field && optind + 2 >= argc)
        return mld_cli_usage("article", usage_text, "%s needs an article ID and %s", argv[optind],
                             act == MLD_ACT_SECTION  ? "a section SLUG"
                             : act == MLD_ACT_MERGE ? "the other article's ID"
                                                    : "the topics");
    if (optind + 2 + field < argc)
        return mld_cli_usage("article", usage_text, "unexpected argument '%s'",
                             argv[optind + 2 + field]);
    int64_t id = parse_id(argv[optind + 1]);
    if (id == 0)
        return mld_cli_usage("article", usage_text, "'%s' is no article ID (a number)",
                             argv[optind + 1]);
    if (reason != NULL && act != MLD_ACT_WITHDRAW && act != MLD_ACT_HOLD)
        return mld_cli_usage("article", usage_text, "--reason is for withdraw and hold only");
    if (note != NULL && act != MLD_ACT_CORRECT)
        return mld_cli_usage("article", usage_text, "--note is for correct only");
    if (act == MLD_ACT_WITHDRAW && reason == NULL)
        return mld_cli_usage("article", usage_text, "withdraw needs --reason TEXT");
    if (act == MLD_ACT_CORRECT && note == NULL)
        return mld_cli_usage("article", usage_text, "correct needs --note TEXT");

    struct mld_err err = {0};
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        mld_log_error("%s", err.msg);
        return 1;
    }
    int rc = 0;
    if (strcmp(actor, "cli") != 0) { /* --as names a real account */
        struct mld_account a;
        rc = mld_store_account_get(st, actor, &a, &err);
        mld_account_dispose(&a);
    }
    if (rc == 0)
        rc = mld_editorial_act(st, id, (enum mld_ed_action)act,
                               field                     ? argv[optind + 2]
                               : act == MLD_ACT_WITHDRAW || act == MLD_ACT_HOLD ? reason
                                                         : note,
                               actor, mld_time_now(), &err);
    mld_store_close(st);
    if (rc != 0) {
        mld_log_error("article %s %" PRId64 ": %s", argv[optind], id, err.msg);
        return 1;
    }
    printf("article %" PRId64 ": %s done\n", id, argv[optind]);
    return 0;
}
