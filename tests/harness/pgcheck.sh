#!/bin/sh
# pgcheck.sh CMD...: runs CMD with MELDUNG_TEST_PG set to the URL of a
# throwaway PostgreSQL cluster (pgtmp.sh), stopped and removed at the end,
# also when CMD fails or is interrupted. The tests that know both
# backends (tests/harness/store_test.h, tests/http/Mld.pm) then make their
# stores on it. Without a PostgreSQL server: a message and exit status 2.
set -u
here=$(dirname "$0")
dir=$(mktemp -d /tmp/mld-pgcheck-XXXXXX)
url=$("$here/pgtmp.sh" start "$dir") || { rc=$?; rm -rf "$dir"; exit "$rc"; }
trap '"$here/pgtmp.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM
MELDUNG_TEST_PG=$url "$@"
