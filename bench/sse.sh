#!/usr/bin/env bash
# sse.sh - live updates at scale: thousands of Server-Sent-Events clients of the real
# `meldung serve`, the delay from an ingest's COMMIT to each client, and the server's memory
# per client.
#
# For each client count N (CLIENTS, default "1000 5000"): a fresh store with the demo wire, a
# fresh `meldung serve` with `[site] live_streams = N`, then bench/sse_client.c opens N streams
# of /api/v1/stream (HTTP/1.1, chunked, from 127.0.0.2, 127.0.0.3, ... so that no source
# address passes the server's MLD_HTTP_MAX_PER_IP), reads the server's VmRSS before and after,
# and ingests ROUNDS new articles one at a time (`meldung ingest --verbose`, one file each,
# GAP_MS plus 0 to JITTER_MS apart, so that commits meet the server's 100 ms refresh at
# every phase), timing each article event at each client from the moment the ingest printed
# "FILE: committed". Everything runs on 127.0.0.x in a temporary directory that is removed on
# exit; the server is stopped by PID.
#
#   bench/sse.sh                        1,000 then 5,000 clients, 20 articles each
#   CLIENTS=5000 ROUNDS=10 bench/sse.sh
#   MELDUNG=path/to/meldung ...         use that binary (default ./meldung, built with make)
set -euo pipefail

cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-1000 5000}
ROUNDS=${ROUNDS:-20}
GAP_MS=${GAP_MS:-1500}
JITTER_MS=${JITTER_MS:-250}
PER_ADDR=${PER_ADDR:-500}
CC=${CC:-cc}
CLIENT=build/rel/bench/sse_client

# shellcheck source=bench/lib.sh
. bench/lib.sh

for v in ROUNDS GAP_MS JITTER_MS PER_ADDR; do
    case ${!v} in '' | *[!0-9]*) die "$v must be a number, got '${!v}'" ;; esac
done
for n in $CLIENTS; do
    case $n in '' | *[!0-9]*) die "CLIENTS must be numbers, got '$CLIENTS'" ;; esac
done
command -v pkg-config >/dev/null 2>&1 || die "pkg-config not found (scripts/deps.sh installs it)"
command -v curl >/dev/null 2>&1 || die "curl not found (scripts/deps.sh installs it)"

if [ -z "${MELDUNG:-}" ]; then
    make -s meldung >&2 || die "make failed"
    MELDUNG=./meldung
fi
[ -x "$MELDUNG" ] || die "$MELDUNG is not an executable"
make -s "$CLIENT" >&2 || die "make $CLIENT failed"

# Each stream is a socket at both ends, and the client and the server inherit this limit.
MAXN=0
for n in $CLIENTS; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done
WANT=$((MAXN + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$WANT" ]; then
    ulimit -n "$WANT" 2>/dev/null || ulimit -n "$(ulimit -Hn)" ||
        die "cannot raise the open-file limit to $WANT (hard limit $(ulimit -Hn))"
fi

bench_tmp meldung-sse-bench

# --- the articles of the rounds: demo entries under new urns (bench/gen_dw.c) -------------
inputs=()
for f in demo/*.json; do
    # An "Achtung" advisory is stored held and never announced: no event to time.
    case $(basename "$f") in achtung-*) continue ;; esac
    inputs+=("$f")
done
bench_gen_dw "$TMP/articles" "$ROUNDS" 1 "${inputs[@]}" >/dev/null || die "gen_dw failed"
mapfile -t FILES < <(find "$TMP/articles" -name '*.json' | LC_ALL=C sort)
[ "${#FILES[@]}" -eq "$ROUNDS" ] || die "expected $ROUNDS article files, got ${#FILES[@]}"

declare -A OUT
for n in $CLIENTS; do
    run="$TMP/n$n"
    mkdir -p "$run"
    "$MELDUNG" ingest --quiet --db "$run/bench.db" demo/ >"$run/ingest.log" 2>&1 ||
        { tail -n 20 "$run/ingest.log" >&2; die "meldung ingest demo/ failed"; }
    printf '[site]\nlive_streams = %d\n' "$n" >"$run/site.conf"
    port=$(free_ports 1)
    "$MELDUNG" serve --db "$run/bench.db" --listen "127.0.0.1:$port" --config "$run/site.conf" \
        >"$run/serve.log" 2>&1 &
    MPID=$!
    BENCH_PIDS=("$MPID")
    wait_http "http://127.0.0.1:$port/" "$MPID" "$run/serve.log" || die "meldung serve did not come up"
    note "$n clients, $ROUNDS articles, ${GAP_MS} to $((GAP_MS + JITTER_MS)) ms apart"
    rc=0
    "$CLIENT" -p "$port" -n "$n" -a "$PER_ADDR" -P "$MPID" -g "$GAP_MS" -j "$JITTER_MS" \
        -- "$MELDUNG" ingest --verbose --db "$run/bench.db" -- "${FILES[@]}" >"$run/client.out" || rc=$?
    cat "$run/client.out" >&2
    [ "$rc" -eq 0 ] || note "sse_client: exit $rc (failed streams or missing events; see above)"
    bench_stop "$MPID"
    OUT[$n]=$(cat "$run/client.out")
done

val() { awk -v k="$2" '$1 == k { print $2 }' <<<"${OUT[$1]}"; }

echo
echo "live updates: /api/v1/stream, $ROUNDS articles ingested one at a time,\
 ${GAP_MS} to $((GAP_MS + JITTER_MS)) ms apart"
echo "machine:  nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null |
    sed 's/.*: //' || echo 'cpu unknown'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: meldung $(git rev-parse --short HEAD 2>/dev/null || echo '(no commit)'),\
 libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?')"
echo "command:  $CLIENT -p PORT -n N -a $PER_ADDR -P SERVER_PID -g $GAP_MS -j $JITTER_MS \\"
echo "              -- $MELDUNG ingest --verbose --db DB -- ARTICLE_1.json ... ARTICLE_$ROUNDS.json"
echo "delay:    from the ingest's 'FILE: committed' line to the end of the article event at a"
echo "          client, over all clients x articles; memory: (VmRSS with N streams - VmRSS"
echo "          before) / N, and the same after the articles"
echo
printf '%-8s %9s %8s %8s %8s %8s %8s %8s %13s %13s\n' clients connected events missing \
    p50_ms p90_ms p99_ms max_ms bytes/client after_events
for n in $CLIENTS; do
    printf '%-8s %9s %8s %8s %8s %8s %8s %8s %13s %13s\n' "$n" "$(val "$n" connected)" \
        "$(val "$n" events)" "$(val "$n" missing)" "$(val "$n" delay_p50_ms)" \
        "$(val "$n" delay_p90_ms)" "$(val "$n" delay_p99_ms)" "$(val "$n" delay_max_ms)" \
        "$(val "$n" per_client_bytes)" "$(val "$n" per_client_after_bytes)"
done
