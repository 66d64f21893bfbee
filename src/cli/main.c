/*
 * main.c - the meldung binary: dispatches to one subcommand.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/config.h"
#include "../base/err.h"
#include "../base/log.h"
#include "../enrich/enrich.h"
#include "../pipeline/pipeline.h"
#include "../store/store.h"

#define MLD_VERSION "0.1.0"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"ingest", mld_cmd_ingest, "load wire files or folders into the store"},
    {"serve", mld_cmd_serve, "serve the news site over HTTP"},
    {"poll", mld_cmd_poll, "poll the HTTP(S) sources of the configuration"},
    {"watch", mld_cmd_watch, "ingest files as they arrive in a drop folder"},
    {"stats", mld_cmd_stats, "show each source's health and the article counts"},
    {"search", mld_cmd_search, "search the stored articles"},
    {"token", mld_cmd_token, "make a token for the push endpoint"},
    {"sections", mld_cmd_sections, "train or measure the section classifier"},
    {"topics", mld_cmd_topics, "measure the topic finder against the agency's own tags"},
    {"user", mld_cmd_user, "add, list, change or delete editors' accounts"},
    {"article", mld_cmd_article, "an editor's decision on an article (withdraw, hold, correct, ...)"},
    {"story", mld_cmd_article, "split or merge stories (as an editor)"},
    {"stories", mld_cmd_stories, "measure the story grouping against a labelled set"},
    {"optimize", mld_cmd_optimize, "merge the search index into one piece, for faster searches"},
    {"backup", mld_cmd_backup, "copy the store consistently while it is in use"},
    {"restore", mld_cmd_restore, "put a backup in place of the store"},
    {"migrate", mld_cmd_migrate, "copy a store to another (SQLite to PostgreSQL and back)"},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: meldung COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nEvery command that reads the store takes --db FILE (default %s);\n"
               "poll reads --config FILE (default %s when it exists, else\n"
               "%s); the others read one only when given one.\n"
               "`meldung COMMAND --help` (or `meldung help COMMAND`) lists a command's\n"
               "options with their defaults.\n",
            MLD_DEFAULT_DB, MLD_DEFAULT_CONFIG, mld_cli_installed_config());
    fprintf(f, "\nenvironment (an option given on the command line wins):\n"
               "  %-16s the store, instead of %s\n"
               "  %-16s the configuration file, for every command that reads one\n"
               "  %-16s serve's HOST:PORT, instead of 127.0.0.1:8080\n"
               "  %-16s the folder holding templates/ and static/ for serve\n"
               "\nserve reads templates/ and static/ from --templates and --static, else\n"
               "$%s, else [site] templates and static, else the working directory\n"
               "when it has them, else %s.\n"
               "SIGHUP: serve re-reads templates, static files and [site]; poll its sources.\n",
            MLD_ENV_DB, MLD_DEFAULT_DB, MLD_ENV_CONFIG, MLD_ENV_LISTEN, MLD_ENV_DATADIR,
            MLD_ENV_DATADIR, mld_cli_datadir());
}

int
mld_cli_usage(const char *name, const char *usage_text, const char *fmt, ...)
{
    fprintf(stderr, "meldung %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\n", usage_text);
    return 2;
}

int
mld_cli_bad_option(const char *name, const char *usage_text, const char *optstring, char **argv)
{
    const char *arg = optind > 0 && argv[optind - 1] != NULL ? argv[optind - 1] : "";
    if (optopt == 0) /* an unknown long option */
        return mld_cli_usage(name, usage_text, "unknown option '%.*s'",
                             (int)strcspn(arg, "="), arg);
    if (optopt == ':' || strchr(optstring, optopt) == NULL)
        return mld_cli_usage(name, usage_text, "unknown option '-%c'", optopt);
    if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL)
        return mld_cli_usage(name, usage_text, "option '%.*s' takes no value",
                             (int)strcspn(arg, "="), arg);
    if (strncmp(arg, "--", 2) == 0)
        return mld_cli_usage(name, usage_text, "option '%s' needs a value", arg);
    return mld_cli_usage(name, usage_text, "option '-%c' needs a value", optopt);
}

int
mld_cli_parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int
mld_cli_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return MLD_E_IO;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return MLD_E_IO;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return MLD_E_IO;
    return 0;
}

int
mld_cli_make_parent(const char *path)
{
    if (mld_store_is_url(path))
        return 0;
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return 0;
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir))
        return MLD_E_IO;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return mld_cli_mkdirs(dir);
}

int
mld_cli_enrich_config(const char *path)
{
    struct mld_err err = {0};
    struct mld_config *cfg = NULL;
    if (mld_cli_env_config(&path) != 0)
        return 1;
    int rc = path != NULL && (mld_config_load(&cfg, path, &err) != 0 ||
                              mld_log_configure(cfg, &err) != 0 ||
                              mld_enrich_configure(cfg, &err) != 0 ||
                              mld_pipeline_configure(cfg, &err) != 0);
    if (rc)
        mld_log_error("%s", err.msg);
    mld_config_free(cfg);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    opterr = 0; /* the commands report bad options themselves (mld_cli_bad_option) */
    struct mld_err err = {0};
    if (mld_log_from_env(&err) != 0) { /* MELDUNG_LOG_FORMAT=text|json */
        fprintf(stderr, "meldung: %s\n", err.msg);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 && argc > 2) { /* `meldung help ingest` */
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
            if (strcmp(argv[2], commands[i].name) == 0) {
                char *args[] = {argv[2], "--help", NULL};
                return commands[i].run(2, args);
            }
        }
        fprintf(stderr, "meldung: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("meldung %s\n", MLD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "meldung: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
