/*
 * cli.h - the subcommands of the meldung binary and what they share.
 *
 * Each subcommand is one cmd_<name>.c with an entry point taking the
 * arguments after its name and returning the process exit status
 * (0 success, 1 something failed, 2 usage error).
 */
#ifndef MLD_CLI_H
#define MLD_CLI_H

#include <stddef.h>

/* The default store, relative to the working directory. */
#define MLD_DEFAULT_DB "var/meldung.db"

/* The default configuration file, relative to the working directory. */
#define MLD_DEFAULT_CONFIG "etc/meldung.conf"

/* The environment variables the commands read (paths.c); an option given
 * on the command line overrides each, an empty one counts as unset. */
#define MLD_ENV_DB "MELDUNG_DB"           /* the store, for every command's --db */
#define MLD_ENV_CONFIG "MELDUNG_CONFIG"   /* the configuration file, for --config */
#define MLD_ENV_LISTEN "MELDUNG_LISTEN"   /* serve's --listen HOST:PORT */
#define MLD_ENV_DATADIR "MELDUNG_DATADIR" /* the folder holding templates/ and static/ */

/* `meldung ingest`: stores wire files and folders (cmd_ingest.c). */
int mld_cmd_ingest(int argc, char **argv);

/* `meldung serve`: serves the site until SIGINT/SIGTERM (cmd_serve.c). */
int mld_cmd_serve(int argc, char **argv);

/* `meldung poll`: polls the configured sources until SIGINT/SIGTERM, or
 * once (cmd_poll.c). */
int mld_cmd_poll(int argc, char **argv);

/* `meldung watch`: ingests files dropped into a folder until
 * SIGINT/SIGTERM (cmd_watch.c). */
int mld_cmd_watch(int argc, char **argv);

/* `meldung stats`: prints the sources' health and article counts
 * (cmd_stats.c). */
int mld_cmd_stats(int argc, char **argv);

/* `meldung search`: prints the hits of a full-text search (cmd_search.c). */
int mld_cmd_search(int argc, char **argv);

/* `meldung token`: prints a new push token and its config line (cmd_token.c). */
int mld_cmd_token(int argc, char **argv);

/* `meldung sections`: trains or measures the section classifier
 * (cmd_sections.c). */
int mld_cmd_sections(int argc, char **argv);

/* `meldung topics eval`: the topic finder against the agency's tags
 * (cmd_topics.c). */
int mld_cmd_topics(int argc, char **argv);

/* `meldung user`: the editors' accounts (cmd_user.c). */
int mld_cmd_user(int argc, char **argv);

/* `meldung stories eval`: the story grouping against a labelled set of
 * same-event groups (cmd_stories.c). */
int mld_cmd_stories(int argc, char **argv);

/* `meldung article`: an editor's decision on an article (cmd_article.c). */
int mld_cmd_article(int argc, char **argv);

/* `meldung backup` and `meldung restore`: a consistent copy of the store,
 * and putting one back (cmd_backup.c). */
int mld_cmd_backup(int argc, char **argv);

/* `meldung optimize`: merges the search index into one piece
 * (cmd_optimize.c). */
int mld_cmd_optimize(int argc, char **argv);
int mld_cmd_migrate(int argc, char **argv);
int mld_cmd_restore(int argc, char **argv);

/* Prints "meldung NAME: message" and the usage hint to stderr; returns 2. */
int mld_cli_usage(const char *name, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports the option getopt_long() just refused with '?' (unknown, or
 * missing its value; main() sets opterr to 0), given the optstring it was
 * called with, as "meldung NAME: unknown option '--x'" (or "option '--db'
 * needs a value") plus the usage line on stderr; returns 2. */
int mld_cli_bad_option(const char *name, const char *usage, const char *optstring, char **argv);

/* Creates the directory holding file path (mkdir -p of its dirname); a
 * database URL (mld_store_is_url) has none. Returns 0 or MLD_E_IO. */
int mld_cli_make_parent(const char *path);

/* Creates directory path and its parents. Returns 0 or MLD_E_IO. */
int mld_cli_mkdirs(const char *path);

/* Parses s as a whole number in [min, max] (an option's value). Returns 0
 * with *out set, or -1 (s empty, not a number, or out of range). */
int mld_cli_parse_int(const char *s, int min, int max, int *out);

/* Applies the [enrich] section of the configuration file at path (when
 * NULL: $MELDUNG_CONFIG, else none) before the first article is enriched; logs what is
 * wrong and returns 1 when the file or a file it names is bad, else 0. */
int mld_cli_enrich_config(const char *path);

/* The value of environment variable name, or NULL when unset or empty. */
const char *mld_cli_env(const char *name);

/* The store a command uses without --db: $MELDUNG_DB, else MLD_DEFAULT_DB. */
const char *mld_cli_default_db(void);

/* When *config is NULL (no --config) and $MELDUNG_CONFIG is set, points
 * *config at it. Returns 0, or 1 after logging "MELDUNG_CONFIG=PATH:
 * reason" when that file does not exist. */
int mld_cli_env_config(const char **config);

/* The installed configuration file (SYSCONFDIR/meldung/meldung.conf), and
 * the installed data folder (PREFIX/share/meldung), compiled in. */
const char *mld_cli_installed_config(void);
const char *mld_cli_datadir(void);

/* The folder called name ("templates", "static") that serve reads, in
 * this order: flag (the option, when not NULL); $MELDUNG_DATADIR/name;
 * conf_value (the [site] key, when not NULL or empty); name in the working
 * directory when name/probe is a file there; the installed DATADIR/name
 * when DATADIR/name/probe is; else name. buf (size bytes) may hold the
 * result. */
const char *mld_cli_data_dir(char *buf, size_t size, const char *flag, const char *conf_value,
                             const char *name, const char *probe);

#endif
