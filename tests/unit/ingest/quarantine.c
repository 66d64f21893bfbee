/*
 * tests/unit/ingest/quarantine.c - keeping failed documents with their
 * reason, in a temporary folder.
 */
#include "../../../src/ingest/quarantine.c"

#include "ingest_test.h"

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
    ok(mld_test_file_is(doc, sizeof(doc) - 1, "%s/dw-1.json", qdir),
       "document copied byte for byte");
    snprintf(path, sizeof(path), "%s/dw-1.json.reason", qdir);
    char *reason = mld_test_slurp(path, NULL);
    const char *head = "source: in/dw-1.json\ncode: MLD_E_PARSE\n"
                       "message: in/dw-1.json: line 3, column 7: unexpected token\ntime: ";
    ok(reason != NULL && strncmp(reason, head, strlen(head)) == 0,
       "reason file: source, code, message");
    ok(reason != NULL && strlen(reason) > 20 && strcmp(reason + strlen(reason) - 2, "Z\n") == 0,
       "reason file ends with an ISO time");
    free(reason);

    /* The same name again: .1, then .2; nothing overwritten. */
    rc = mld_quarantine_put(qdir, "other/dw-1.json", "second", 6, &why, &err);
    is_int(rc, 0, "second put");
    ok(mld_test_file_is("second", 6, "%s/dw-1.json.1", qdir), "second copy is dw-1.json.1");
    ok(mld_test_exists("%s/dw-1.json.1.reason", qdir), "with dw-1.json.1.reason");
    ok(mld_test_file_is(doc, sizeof(doc) - 1, "%s/dw-1.json", qdir), "first copy untouched");
    rc = mld_quarantine_put(qdir, "dw-1.json", "third", 5, &why, &err);
    ok(rc == 0 && mld_test_file_is("third", 5, "%s/dw-1.json.2", qdir),
       "third copy is dw-1.json.2");

    /* A stray reason file without its document is skipped over. */
    snprintf(path, sizeof(path), "%s/x.xml.reason", qdir);
    FILE *f = fopen(path, "w");
    fclose(f);
    rc = mld_quarantine_put(qdir, "x.xml", "x", 1, &why, &err);
    ok(rc == 0 && mld_test_file_is("x", 1, "%s/x.xml.1", qdir),
       "a taken .reason name moves on to .1");
    ok(!mld_test_exists("%s/x.xml", qdir), "no document left without its reason");

    /* Odd source names. */
    rc = mld_quarantine_put(qdir, NULL, "n", 1, NULL, &err);
    ok(rc == 0 && mld_test_file_is("n", 1, "%s/document", qdir), "no source name: \"document\"");
    rc = mld_quarantine_put(qdir, "in/feeds/", "d", 1, &why, &err);
    ok(rc == 0 && mld_test_file_is("d", 1, "%s/feeds", qdir), "trailing slash: last component");
    rc = mld_quarantine_put(qdir, "..", "p", 1, &why, &err);
    ok(rc == 0 && mld_test_file_is("p", 1, "%s/document.1", qdir), "\"..\" is not used as a name");
    rc = mld_quarantine_put(qdir, "empty.json", "", 0, &why, &err);
    ok(rc == 0 && mld_test_file_is("", 0, "%s/empty.json", qdir), "empty document");

    /* Permissions: the source's (less the umask), 0600 when unknown. */
    mode_t old_mask = umask(022);
    struct stat st;
    snprintf(path, sizeof(path), "%s/dw-1.json", qdir);
    ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "no mode given: 0600");
    rc = mld_quarantine_put_mode(qdir, "in/open.json", "o", 1, 0644, &why, &err);
    snprintf(path, sizeof(path), "%s/open.json", qdir);
    ok(rc == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "a 0644 source: 0644");
    rc = mld_quarantine_put_mode(qdir, "in/sec.json", "s", 1, 0640, &why, &err);
    snprintf(path, sizeof(path), "%s/sec.json.reason", qdir);
    ok(rc == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
       "a 0640 source: its reason file 0640 too");
    rc = mld_quarantine_put_mode(qdir, "in/x.json", "x", 1, 04777, &why, &err);
    snprintf(path, sizeof(path), "%s/x.json", qdir);
    ok(rc == 0 && stat(path, &st) == 0 && (st.st_mode & 07777) == 0755,
       "set-id bits never copied, the umask applies");
    umask(old_mask);

    /* A quarantine "folder" that is a file. */
    snprintf(path, sizeof(path), "%s/dw-1.json", qdir);
    mld_err_clear(&err);
    rc = mld_quarantine_put(path, "a.json", "a", 1, &why, &err);
    ok(rc == MLD_E_IO && err.code == MLD_E_IO && strstr(err.msg, "quarantine") != NULL,
       "a file in the way: MLD_E_IO (%s)", err.msg);
    mld_err_clear(&err);
    rc = mld_quarantine_put("", "a.json", "a", 1, &why, &err);
    ok(rc == MLD_E_IO, "empty folder name: MLD_E_IO");

    mld_test_rmtree(tmp);
    ok(!mld_test_exists("%s", tmp), "temp dir removed");
    return mld_test_done();
}
