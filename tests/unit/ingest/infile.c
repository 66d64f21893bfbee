/*
 * tests/unit/ingest/infile.c - opening files of an ingest folder without
 * trusting them (src/ingest/infile.c). Names in log lines are escaped
 * by log.c (tests/unit/base/log.c, tests/http/ingest_files.t).
 *
 * In a temporary folder: a regular file, a FIFO (never opened, so the
 * test cannot block on it), a socket, a symbolic link inside, one out,
 * one dangling, a hard link; each with and without follow, and named
 * directly (no root). Reading up to a cap. Escaping of control bytes.
 */
#include "../../../src/ingest/infile.c"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../../../src/base/log.h"
#include "test.h"

static char tmp[] = "/tmp/mld-infile-XXXXXX";
static char root[PATH_MAX];

static void
put(const char *name, const char *text)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        diag("cannot write %s", path);
}

/* Opens tmp/in/name against the folder tmp/in; returns what it found and
 * closes what it opened. */
static enum mld_infile
try_open(const char *name, bool follow, bool named, char *why, size_t n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/in/%s", tmp, name);
    int fd;
    struct stat st;
    enum mld_infile r = mld_infile_open(path, named ? NULL : root, follow, &fd, &st, why, n);
    if (r == MLD_INFILE_OK && !S_ISREG(st.st_mode))
        diag("%s: opened, but not a regular file", name);
    if (fd >= 0)
        close(fd);
    else if (r == MLD_INFILE_OK)
        diag("%s: OK without a descriptor", name);
    return r;
}

int
main(void)
{
    if (!ok(mkdtemp(tmp) != NULL, "temp dir"))
        return mld_test_done();
    char in[PATH_MAX + 8], path[PATH_MAX + 64], target[PATH_MAX + 64];
    snprintf(in, sizeof(in), "%s/in", tmp);
    mkdir(in, 0755);
    if (realpath(in, root) == NULL)
        diag("realpath %s failed", in);
    put("secret", "root:x:0:0");
    put("in/good.json", "{}");

    snprintf(path, sizeof(path), "%s/fifo", in);
    ok(mkfifo(path, 0644) == 0, "a FIFO made");
    snprintf(path, sizeof(path), "%s/sock", in);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t plen = strlen(path);
    if (plen >= sizeof(sa.sun_path))
        plen = sizeof(sa.sun_path) - 1; /* a temp path is far shorter */
    memcpy(sa.sun_path, path, plen);
    ok(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0, "a socket made");
    snprintf(path, sizeof(path), "%s/in-link", in);
    ok(symlink("good.json", path) == 0, "a link inside made");
    snprintf(path, sizeof(path), "%s/out-link", in);
    snprintf(target, sizeof(target), "%s/secret", tmp);
    ok(symlink(target, path) == 0, "a link out made");
    snprintf(path, sizeof(path), "%s/dangling", in);
    ok(symlink("nowhere", path) == 0, "a dangling link made");
    snprintf(path, sizeof(path), "%s/hard", in);
    ok(link(target, path) == 0, "a hard link made");

    char why[PATH_MAX + 64];
    is_int(try_open("good.json", false, false, why, sizeof(why)), MLD_INFILE_OK, "a file: opened");
    is_int(try_open("fifo", false, false, why, sizeof(why)), MLD_INFILE_SKIP, "a FIFO: skipped");
    is_str(why, "a FIFO", "... saying what it is");
    is_int(try_open("fifo", true, false, why, sizeof(why)), MLD_INFILE_SKIP,
           "... with follow too");
    is_int(try_open("fifo", false, true, why, sizeof(why)), MLD_INFILE_SKIP,
           "... and named directly");
    is_int(try_open("sock", false, false, why, sizeof(why)), MLD_INFILE_SKIP, "a socket: skipped");
    is_str(why, "a socket", "... saying so");
    is_int(try_open("in-link", false, false, why, sizeof(why)), MLD_INFILE_OK,
           "a link to a file inside: read");
    is_int(try_open("out-link", false, false, why, sizeof(why)), MLD_INFILE_SKIP,
           "a link out: skipped");
    ok(strstr(why, "/secret, outside the folder") != NULL, "... naming its target (%s)", why);
    is_int(try_open("out-link", true, false, why, sizeof(why)), MLD_INFILE_OK,
           "... read with follow");
    is_int(try_open("out-link", false, true, why, sizeof(why)), MLD_INFILE_OK,
           "... read when named directly");
    is_int(try_open("dangling", false, false, why, sizeof(why)), MLD_INFILE_SKIP,
           "a dangling link: skipped");
    is_int(try_open("hard", false, false, why, sizeof(why)), MLD_INFILE_SKIP,
           "a hard link: skipped");
    is_str(why, "2 hard links (it may belong elsewhere)", "... saying why");
    is_int(try_open("hard", true, false, why, sizeof(why)), MLD_INFILE_OK, "... read with follow");
    is_int(try_open("gone", false, false, why, sizeof(why)), MLD_INFILE_GONE, "no such file: gone");

    /* Reading, up to the cap. */
    snprintf(path, sizeof(path), "%s/good.json", in);
    int fd = open(path, O_RDONLY);
    struct mld_buf b;
    mld_buf_init(&b, 16);
    is_int(mld_infile_read(fd, &b), 0, "read");
    ok(b.len == 2 && memcmp(b.p, "{}", 2) == 0, "... all of it");
    close(fd);
    mld_buf_dispose(&b);
    fd = open(path, O_RDONLY);
    mld_buf_init(&b, 1);
    is_int(mld_infile_read(fd, &b), MLD_E_TOOBIG, "over the cap: MLD_E_TOOBIG");
    close(fd);
    mld_buf_dispose(&b);

    close(s);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        diag("could not remove %s", tmp);
    return mld_test_done();
}
