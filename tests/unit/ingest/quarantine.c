/*
 * tests/unit/ingest/quarantine.c - keeping failed documents with their
 * reason, in a temporary folder.
 */
#include "../../../src/ingest/quarantine.c"

#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>

#include "test.h"

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static bool
file_is(const char *path, const char *want, size_t want_len)
{
    size_t len;
    char *got = mld_test_slurp(path, &len);
    bool same = got != NULL && len == want_len && memcmp(got, want, len) == 0;
    free(got);
    return same;
}

static bool
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int
main(void)
{
    char tmp[] = "/tmp/mld-quarantine-XXXXXX";
    if (!ok(mkdtemp(tmp) != NULL, "temp dir"))
        return mld_test_done();
    char qdir[256], path[512];
    snprintf(qdir, sizeof(qdir), "%s/var/quarantine", tmp); /* parents missing */

    struct mld_err why = {0}, err = {0};
    mld_err_set(&why, MLD_E_PARSE, "in/dw-1.json: line 3, column 7: unexpected token");
    const char doc[] = "{\"urn\": broken\n\0binary";
    int rc = mld_quarantine_put(qdir, "in/dw-1.json", doc, sizeof(doc) - 1, &why, &err);
    is_int(rc, 0, "first put");
    snprintf(path, sizeof(path), "%s/dw-1.json", qdir);
    ok(file_is(path, doc, sizeof(doc) - 1), "document copied byte for byte");
    snprintf(path, sizeof(path), "%s/dw-1.json.reason", qdir);
    char *reason = mld_test_slurp(path, NULL);
    ok(reason != NULL && strncmp(reason,
                                 "source: in/dw-1.json\ncode: MLD_E_PARSE\n"
                                 "message: in/dw-1.json: line 3, column 7: unexpected token\n"
                                 "time: ",
                                 strlen("source: in/dw-1.json\ncode: MLD_E_PARSE\n"
                                        "message: in/dw-1.json: line 3, column 7: "
                                        "unexpected token\ntime: ")) == 0,
       "reason file: source, code, message");
    ok(reason != NULL && strlen(reason) > 20 && strcmp(reason + strlen(reason) - 2, "Z\n") == 0,
       "reason file ends with an ISO time");
    free(reason);

    /* The same name again: .1, then .2; nothing overwritten. */
    rc = mld_quarantine_put(qdir, "other/dw-1.json", "second", 6, &why, &err);
    is_int(rc, 0, "second put");
    snprintf(path, sizeof(path), "%s/dw-1.json.1", qdir);
    ok(file_is(path, "second", 6), "second copy is dw-1.json.1");
    snprintf(path, sizeof(path), "%s/dw-1.json.1.reason", qdir);
    ok(exists(path), "with dw-1.json.1.reason");
    snprintf(path, sizeof(path), "%s/dw-1.json", qdir);
    ok(file_is(path, doc, sizeof(doc) - 1), "first copy untouched");
    rc = mld_quarantine_put(qdir, "dw-1.json", "third", 5, &why, &err);
    snprintf(path, sizeof(path), "%s/dw-1.json.2", qdir);
    ok(rc == 0 && file_is(path, "third", 5), "third copy is dw-1.json.2");

    /* A stray reason file without its document is skipped over. */
    snprintf(path, sizeof(path), "%s/x.xml.reason", qdir);
    FILE *f = fopen(path, "w");
    fclose(f);
    rc = mld_quarantine_put(qdir, "x.xml", "x", 1, &why, &err);
    snprintf(path, sizeof(path), "%s/x.xml.1", qdir);
    ok(rc == 0 && file_is(path, "x", 1), "a taken .reason name moves on to .1");
    snprintf(path, sizeof(path), "%s/x.xml", qdir);
    ok(!exists(path), "no document left without its reason");

    /* Odd source names. */
    rc = mld_quarantine_put(qdir, NULL, "n", 1, NULL, &err);
    snprintf(path, sizeof(path), "%s/document", qdir);
    ok(rc == 0 && file_is(path, "n", 1), "no source name: \"document\"");
    rc = mld_quarantine_put(qdir, "in/feeds/", "d", 1, &why, &err);
    snprintf(path, sizeof(path), "%s/feeds", qdir);
    ok(rc == 0 && file_is(path, "d", 1), "trailing slash: last component");
    rc = mld_quarantine_put(qdir, "..", "p", 1, &why, &err);
    snprintf(path, sizeof(path), "%s/document.1", qdir);
    ok(rc == 0 && file_is(path, "p", 1), "\"..\" is not used as a name");
    rc = mld_quarantine_put(qdir, "empty.json", "", 0, &why, &err);
    snprintf(path, sizeof(path), "%s/empty.json", qdir);
    ok(rc == 0 && file_is(path, "", 0), "empty document");

    /* A quarantine "folder" that is a file. */
    snprintf(path, sizeof(path), "%s/dw-1.json", qdir);
    mld_err_clear(&err);
    rc = mld_quarantine_put(path, "a.json", "a", 1, &why, &err);
    ok(rc == MLD_E_IO && err.code == MLD_E_IO && strstr(err.msg, "quarantine") != NULL,
       "a file in the way: MLD_E_IO (%s)", err.msg);
    mld_err_clear(&err);
    rc = mld_quarantine_put("", "a.json", "a", 1, &why, &err);
    ok(rc == MLD_E_IO, "empty folder name: MLD_E_IO");

    nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    ok(!exists(tmp), "temp dir removed");
    return mld_test_done();
}
