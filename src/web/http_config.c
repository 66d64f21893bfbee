/*
 * http_config.c - the [server] section of meldung's configuration file:
 * the HTTP server's deadlines, its per-client connection limit and the
 * proxies it trusts to name the client (see http.h, mld_http_config).
 */
#include "http.h"

#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"

/* Reads key of section sec as a whole number from 1 to max into *out;
 * leaves *out alone when the key is absent. */
static int
read_number(const struct mld_config *cfg, int sec, const char *key, int max, int *out,
            struct mld_err *err)
{
    const char *v = mld_config_get(cfg, sec, key);
    if (v == NULL)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1 || n > max)
        return mld_err_set(err, MLD_E_PARSE, "%s: [server] %s wants a number from 1 to %d, got '%s'",
                           mld_config_where(cfg, sec, key), key, max, v);
    *out = (int)n;
    return 0;
}

int
mld_http_config_read(struct mld_http_config *hc, const struct mld_config *cfg,
                     struct mld_err *err)
{
    static const char *const keys[] = {"header_timeout", "body_timeout",
                                       "max_connections_per_client", "trusted_proxies"};
    int sec = cfg != NULL ? mld_config_find(cfg, "server", NULL) : -1;
    if (sec < 0)
        return 0;
    for (int i = sec + 1; i < mld_config_count(cfg); i++)
        if (strcmp(mld_config_kind(cfg, i), "server") == 0)
            return mld_err_set(err, MLD_E_PARSE, "%s: a second [server] section",
                               mld_config_where(cfg, i, NULL));
    if (mld_config_name(cfg, sec) != NULL)
        return mld_err_set(err, MLD_E_PARSE, "%s: [server] takes no name",
                           mld_config_where(cfg, sec, NULL));
    for (int k = 0; k < mld_config_nkeys(cfg, sec); k++) {
        const char *key = mld_config_key(cfg, sec, k);
        bool known = false;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (!known)
            return mld_err_set(err, MLD_E_PARSE,
                               "%s: [server]: unknown key \"%s\" (known: header_timeout, "
                               "body_timeout, max_connections_per_client, trusted_proxies)",
                               mld_config_where(cfg, sec, key), key);
    }
    int rc = read_number(cfg, sec, "header_timeout", MLD_HTTP_MAX_DEADLINE_SECS,
                         &hc->header_secs, err);
    if (rc == 0)
        rc = read_number(cfg, sec, "body_timeout", MLD_HTTP_MAX_DEADLINE_SECS, &hc->body_secs,
                         err);
    if (rc == 0)
        rc = read_number(cfg, sec, "max_connections_per_client", MLD_HTTP_MAX_CONNECTIONS,
                         &hc->max_per_client, err);
    if (rc != 0)
        return rc;
    const char *tp = mld_config_get(cfg, sec, "trusted_proxies");
    if (tp != NULL && mld_http_check_proxies(tp, err) != 0) {
        mld_err_prefix(err, "%s: [server]", mld_config_where(cfg, sec, "trusted_proxies"));
        return MLD_E_PARSE;
    }
    hc->trusted_proxies = tp;
    return 0;
}
