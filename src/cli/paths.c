/*
 * paths.c - where the commands find their store, configuration and data
 * files when no option names them: the environment, then the working
 * directory, then the installed defaults.
 *
 * This is the one file compiled with the installation's paths
 * (-DMLD_DATADIR, -DMLD_SYSCONFDIR, set by the Makefile from PREFIX), so a
 * `make install PREFIX=/usr` relinks only it and leaves the development
 * binary alone.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/log.h"

#ifndef MLD_DATADIR
#error "MLD_DATADIR (the installed templates and static files) comes from the Makefile"
#endif
#ifndef MLD_SYSCONFDIR
#error "MLD_SYSCONFDIR (the folder of the installed meldung.conf) comes from the Makefile"
#endif

const char *
mld_cli_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *
mld_cli_default_db(void)
{
    const char *v = mld_cli_env(MLD_ENV_DB);
    return v != NULL ? v : MLD_DEFAULT_DB;
}

int
mld_cli_env_config(const char **config)
{
    const char *v = mld_cli_env(MLD_ENV_CONFIG);
    if (*config != NULL || v == NULL)
        return 0;
    struct stat sb;
    if (stat(v, &sb) != 0) {
        mld_log_error("%s=%s: %s (name an existing file, or unset %s)", MLD_ENV_CONFIG, v,
                      strerror(errno), MLD_ENV_CONFIG);
        return 1;
    }
    *config = v;
    return 0;
}

static int
is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

const char *
mld_cli_installed_config(void)
{
    return MLD_SYSCONFDIR "/meldung/meldung.conf";
}

const char *
mld_cli_datadir(void)
{
    return MLD_DATADIR;
}

const char *
mld_cli_data_dir(char *buf, size_t size, const char *flag, const char *conf_value,
                 const char *name, const char *probe)
{
    if (flag != NULL)
        return flag;
    const char *env = mld_cli_env(MLD_ENV_DATADIR);
    if (env != NULL) {
        snprintf(buf, size, "%s/%s", env, name);
        return buf;
    }
    if (conf_value != NULL && conf_value[0] != '\0')
        return conf_value;
    snprintf(buf, size, "%s/%s", name, probe);
    if (is_file(buf))
        return name;
    snprintf(buf, size, "%s/%s/%s", MLD_DATADIR, name, probe);
    if (!is_file(buf))
        return name; /* neither: the error names the working directory's */
    snprintf(buf, size, "%s/%s", MLD_DATADIR, name);
    return buf;
}
