/*
 * cmd_user.c - `meldung user`: the accounts of the editors' interface
 * (docs/internals/editors.md).
 *
 *   user add NAME --role editor|admin   a new account
 *   user list                           name, role, created, last login, failed logins
 *   user passwd NAME                    a new password (ends its sessions)
 *   user del NAME                       deletes it with its sessions
 *
 * A password is never an argument (argv is visible to every user of the
 * machine): it is read from a terminal without echo, twice, or as one
 * line from standard input when that is not a terminal. Every change is
 * written to the audit log as done by "cli".
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/time.h"
#include "../store/editor.h"
#include "../web/accounts.h"
#include "../web/auth.h"

static const char usage_text[] =
    "meldung user add NAME --role editor|admin | list | passwd NAME | del NAME [--db FILE]";

static const char help_text[] =
    "Manages the accounts of the editors' interface (/redaktion/). An editor may\n"
    "withdraw, hold, release and correct articles; an admin also reads /status and\n"
    "the audit log and manages the accounts (also at /redaktion/konten). The password is read from the terminal without echo (twice),\n"
    "or as one line from standard input; never from the command line.\n"
    "\n"
    "  add NAME --role R  a new account (R: editor or admin)\n"
    "  list               every account: name, role, created, last login, failed logins\n"
    "                     in a row (locked: refused for now)\n"
    "  passwd NAME        sets a new password and ends the account's sessions\n"
    "  del NAME           deletes the account and its sessions\n"
    "  --db FILE          the store (default " MLD_DEFAULT_DB ")\n"
    "  --help             this text\n";

/* Reads one line into buf (size bytes) from fd 0, echo off on a terminal,
 * after printing prompt there. Returns 0, or -1 at EOF / too long. */
static int
read_line(const char *prompt, bool tty, char *buf, size_t size)
{
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (got == NULL)
        return -1;
    size_t n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n + 1 == size && !feof(stdin))
        return -1; /* no newline in size - 1 bytes: too long */
    buf[n] = '\0';
    return 0;
}

/* Reads and checks a new password into pw. Returns 0 or 1 (reported). */
static int
read_password(const char *name, char pw[MLD_PASSWORD_MAX + 2])
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[96];
    snprintf(prompt, sizeof(prompt), "password for %s: ", name);
    if (read_line(prompt, tty, pw, MLD_PASSWORD_MAX + 2) != 0) {
        mld_log_error("user: no password on standard input (or longer than %d bytes)",
                      MLD_PASSWORD_MAX);
        return 1;
    }
    struct mld_err err = {0};
    if (mld_auth_password_ok(pw, &err) != 0) {
        mld_log_error("user: %s", err.msg);
        return 1;
    }
    if (tty) {
        char again[MLD_PASSWORD_MAX + 2];
        int rc = read_line("again: ", tty, again, sizeof(again));
        bool same = rc == 0 && strcmp(again, pw) == 0;
        memset(again, 0, sizeof(again));
        if (!same) {
            mld_log_error("user: the passwords differ");
            return 1;
        }
    }
    return 0;
}

/* `user add NAME --role R`. */
static int
user_add(struct mld_store *st, const char *name, const char *role_s)
{
    struct mld_err err = {0};
    enum mld_role role = role_s != NULL ? mld_auth_parse_role(role_s) : 0;
    if (role == 0) {
        mld_log_error("user add: --role wants editor or admin, got '%s'",
                      role_s != NULL ? role_s : "(none)");
        return 2;
    }
    if (mld_auth_user_name_ok(name, &err) != 0) {
        mld_log_error("user add: %s", err.msg);
        return 1;
    }
    char pw[MLD_PASSWORD_MAX + 2], hash[MLD_ARGON2_ENCODED_MAX];
    if (read_password(name, pw) != 0)
        return 1;
    int rc = mld_auth_hash_password(pw, hash, &err);
    memset(pw, 0, sizeof(pw));
    if (rc == 0)
        rc = mld_account_change(st, MLD_ACCOUNT_ADD, "cli", name, role, hash, mld_time_now(),
                                &err);
    if (rc != 0) {
        mld_log_error("user add: %s", err.msg);
        return 1;
    }
    printf("user %s added (%s)\n", name, mld_auth_role_name(role));
    return 0;
}

/* `user list`. */
static int
user_list(struct mld_store *st)
{
    struct mld_err err = {0};
    struct mld_account *v;
    int n;
    if (mld_store_accounts(st, &v, &n, &err) != 0) {
        mld_log_error("user list: %s", err.msg);
        return 1;
    }
    printf("%-*s  %-6s  %-16s  %-16s  %s\n", MLD_USER_NAME_MAX, "NAME", "ROLE", "CREATED (UTC)",
           "LAST LOGIN (UTC)", "FAILED LOGINS");
    mld_time_t now = mld_time_now();
    for (int i = 0; i < n; i++) {
        char when[32], last[32] = "never";
        mld_time_format_iso(v[i].created, when);
        if (v[i].last_login > 0)
            mld_time_format_iso(v[i].last_login, last);
        printf("%-*s  %-6s  %.16s  %-16.16s  %d%s\n", MLD_USER_NAME_MAX, v[i].name,
               mld_auth_role_name(v[i].role), when, last, v[i].failures,
               mld_account_locked(&v[i], now) ? " (locked)" : "");
        mld_account_dispose(&v[i]);
    }
    mld_free(v);
    return 0;
}

/* `user passwd NAME` and `user del NAME`. */
static int
user_change(struct mld_store *st, const char *sub, const char *name)
{
    struct mld_err err = {0};
    struct mld_account a;
    if (mld_store_account_get(st, name, &a, &err) != 0) {
        mld_log_error("user %s: %s", sub, err.msg);
        return 1;
    }
    mld_account_dispose(&a);
    char pw[MLD_PASSWORD_MAX + 2], hash[MLD_ARGON2_ENCODED_MAX];
    bool passwd = strcmp(sub, "passwd") == 0;
    if (passwd) {
        if (read_password(name, pw) != 0)
            return 1;
        int rc = mld_auth_hash_password(pw, hash, &err);
        memset(pw, 0, sizeof(pw));
        if (rc != 0) {
            mld_log_error("user passwd: %s", err.msg);
            return 1;
        }
    }
    int rc = mld_account_change(st, passwd ? MLD_ACCOUNT_PASSWD : MLD_ACCOUNT_DEL, "cli", name, 0,
                                hash, mld_time_now(), &err);
    if (rc != 0) {
        mld_log_error("user %s: %s", sub, err.msg);
        return 1;
    }
    printf(passwd ? "password of %s changed, its sessions ended\n" : "user %s deleted\n", name);
    return 0;
}

int
mld_cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"role", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = MLD_DEFAULT_DB, *role = NULL;
    int c;
    optind = 1;
    static const char optstring[] = "d:r:h";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': role = optarg; break;
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("user", usage_text, optstring, argv);
        }
    }
    if (optind >= argc)
        return mld_cli_usage("user", usage_text, "missing subcommand (add, list, passwd, del)");
    const char *sub = argv[optind];
    bool list = strcmp(sub, "list") == 0;
    bool named = strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0 || strcmp(sub, "del") == 0;
    if (!list && !named)
        return mld_cli_usage("user", usage_text, "unknown subcommand '%s'", sub);
    if (named && optind + 1 >= argc)
        return mld_cli_usage("user", usage_text, "%s needs a user NAME", sub);
    int want = optind + (named ? 2 : 1);
    if (argc > want)
        return mld_cli_usage("user", usage_text, "unexpected argument '%s'", argv[want]);
    if (role != NULL && strcmp(sub, "add") != 0)
        return mld_cli_usage("user", usage_text, "--role is for add only");
    if (strcmp(sub, "add") == 0 && role == NULL)
        return mld_cli_usage("user", usage_text, "add needs --role editor|admin");
    if (mld_cli_make_parent(db) != 0) {
        mld_log_error("user: cannot create the folder of %s", db);
        return 1;
    }
    struct mld_err err = {0};
    struct mld_store *st;
    if (mld_store_open(&st, db, &err) != 0) {
        mld_log_error("%s", err.msg);
        return 1;
    }
    int rc = list                        ? user_list(st)
             : strcmp(sub, "add") == 0   ? user_add(st, argv[optind + 1], role)
                                         : user_change(st, sub, argv[optind + 1]);
    mld_store_close(st);
    return rc;
}
