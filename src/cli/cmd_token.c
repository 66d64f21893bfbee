/*
 * cmd_token.c - `meldung token`: a new secret for the push endpoint.
 *
 * Draws MLD_TOKEN_BYTES from the kernel's random source (getrandom),
 * prints them as hex - the token, shown this once - and then the lines
 * to put in the file `meldung serve --config FILE` reads: a [push]
 * section with the token's SHA-256. meldung keeps only the hash, so a
 * leaked config file does not leak the token.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../base/log.h"
#include "../web/auth.h"
#include "../web/push.h"

/* 256 bits: guessing is out of reach, and the hex form (64 characters)
 * fits any header. */
#define MLD_TOKEN_BYTES 32

static const char usage_text[] = "meldung token";

static const char help_text[] =
    "Prints a new random token for POST /api/v1/push and the [push] lines for the\n"
    "file of `meldung serve --config FILE` (only the token's SHA-256 is kept there).\n"
    "Takes no options but --help.\n";

int
mld_cmd_token(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    static const char optstring[] = "h";
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'h': printf("usage: %s\n\n%s", usage_text, help_text); return 0;
        default: return mld_cli_bad_option("token", usage_text, optstring, argv);
        }
    }
    if (optind != argc)
        return mld_cli_usage("token", usage_text, "unexpected argument '%s'", argv[optind]);

    unsigned char raw[MLD_TOKEN_BYTES];
    if (mld_auth_random(raw, sizeof(raw)) != 0) {
        mld_log_error("token: no random bytes: %s", strerror(errno));
        return 1;
    }
    char token[2 * MLD_TOKEN_BYTES + 1];
    mld_auth_hex(raw, sizeof(raw), token);
    char hash[MLD_PUSH_HASH_HEX + 1];
    mld_push_token_hash(token, strlen(token), hash);
    printf("%s\n"
           "# The line above is the token, shown only this once: give it to the pushing\n"
           "# client (Authorization: Bearer TOKEN). Put the lines below in the file of\n"
           "# `meldung serve --config FILE`; meldung keeps only the token's SHA-256.\n"
           "[push]\n"
           "token_sha256 = %s\n",
           token, hash);
    memset(raw, 0, sizeof(raw));
    memset(token, 0, sizeof(token));
    return fflush(stdout) == 0 ? 0 : 1;
}
