#!/usr/bin/env bash
# hardening.sh - the HTTP server under hostile clients: memory under wrong-token
# uploads, a normal client's latency under slowloris, the request-smuggling cases.
#
# Loads the demo wire into a fresh store, makes a push token, starts `meldung serve`
# with a [push] section (and in [server] only trusted_proxies = 127.0.0.20) and runs
# bench/hardening.pl against it: 30 parallel 15 MB uploads with a wrong token (the
# server's VmHWM before and after), 2,000 slow-header connections from 127.0.0.10-17
# while a normal client makes 200 GETs (p50/p99), 600 slow connections through one
# trusted proxy address and 20 other visitors behind it, and the smuggling cases. Everything
# runs on 127.0.0.x in a temporary directory removed on exit; the server is stopped by
# PID. About a minute; the clients need ~2,100 descriptors (ulimit -n is raised).
#
#   bench/hardening.sh                       this tree's ./meldung (built with make)
#   MELDUNG=/tmp/base/meldung bench/hardening.sh   another binary (e.g. main's, to compare)
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "bench: $*" >&2; exit 1; }

if [ -z "${MELDUNG:-}" ]; then
    make -s meldung >&2 || die "make failed"
    MELDUNG=./meldung
fi
[ -x "$MELDUNG" ] || die "$MELDUNG is not an executable"
ulimit -n 8192 2>/dev/null || die "cannot raise the open-file limit to 8192 (ulimit -Hn)"

TMP=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$MELDUNG" ingest --quiet --db "$TMP/b.db" demo/ >/dev/null 2>&1 || die "ingest failed"
"$MELDUNG" token >"$TMP/token"
TOKEN=$(head -n 1 "$TMP/token")
tail -n +2 "$TMP/token" >"$TMP/b.conf"
echo "quarantine = $TMP/q" >>"$TMP/b.conf"
# Only the proxy of the 4th measurement; the deadlines and limits are the defaults.
printf '[server]\ntrusted_proxies = 127.0.0.20\n' >>"$TMP/b.conf"

"$MELDUNG" serve --db "$TMP/b.db" --config "$TMP/b.conf" --listen 127.0.0.1:0 \
    >"$TMP/out" 2>"$TMP/err" &
SERVER=$!
for _ in $(seq 50); do
    grep -q 'serving http' "$TMP/out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/out")
[ -n "$PORT" ] || die "serve did not start: $(cat "$TMP/err")"

echo "binary: $MELDUNG ($(git -C "$(dirname "$(readlink -f "$MELDUNG")")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
perl bench/hardening.pl "$SERVER" "$PORT" "$TOKEN"
