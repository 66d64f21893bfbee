#!/usr/bin/env bash
# backup.sh - `meldung backup` of a COUNT-article store, idle and while `serve` answers
# searches and an ingest stores 2,000 more files, next to the same run without a backup.
#
# Builds COUNT + 2,000 digitalwires entries (bench/gen_dw.c, as bench/ingest.sh does), ingests
# COUNT into a store, then per RUNS round: copies that store, starts `serve` on it and a loop of
# uncached searches against it (curl, one at a time), starts an ingest of the 2,000 further
# files, and two seconds in runs `meldung backup` (or nothing, for the baseline). Prints the
# backup's seconds and bytes, the ingest's wall time and the searches' p50 and maximum.
#
#   bench/backup.sh                   20,000 articles, 2 rounds
#   COUNT=5000 RUNS=1 bench/backup.sh
#   MELDUNG=path/to/meldung ...       use that binary (default ./meldung, built with make)
#   MLD_CORPUS=/path/to/corpus ...    the shared corpus (default ../shared/corpus)
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

COUNT=${COUNT:-20000}
RUNS=${RUNS:-2}
EXTRA=2000
CORPUS=${MLD_CORPUS:-../shared/corpus}
case $COUNT in '' | *[!0-9]*) die "COUNT must be a number, got '$COUNT'" ;; esac
case $RUNS in '' | *[!0-9]*) die "RUNS must be a number, got '$RUNS'" ;; esac
command -v curl >/dev/null 2>&1 || die "curl not found"
if [ -z "${MELDUNG:-}" ]; then
    make -s meldung >&2 || die "make failed"
    MELDUNG=./meldung
fi

bench_tmp meldung-backup-bench
bench_wire_inputs
# One file per entry; the store gets the first COUNT, the ingest during the backup the rest.
bench_gen_dw "$TMP/all" $((COUNT + EXTRA)) 1 "${inputs[@]}" >&2
mkdir "$TMP/base" "$TMP/extra"
for d in "$TMP"/all/*/; do
    n=$(basename "$d")
    if [ $((10#$n * 1000)) -lt "$COUNT" ]; then mv "$d" "$TMP/base/"; else mv "$d" "$TMP/extra/"; fi
done
"$MELDUNG" ingest --quiet --db "$TMP/store.db" "$TMP/base" >&2
rm -rf "$TMP/all" "$TMP/base"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

sync
"$MELDUNG" backup --db "$TMP/store.db" "$TMP/idle.db" | sed 's/^/idle: /'
rm -f "$TMP/idle.db"

# round MODE: MODE is "backup" or "none".
round() {
    local m=$TMP/m.db url sp rp ip t0 t1 i0 i1 size
    rm -f "$m" "$m-wal" "$m-shm" "$TMP/out.db" "$TMP/lat"
    cp "$TMP/store.db" "$m"
    sync
    "$MELDUNG" serve --db "$m" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>/dev/null &
    sp=$!
    BENCH_PIDS+=("$sp")
    for _ in $(seq 50); do grep -q http "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[^ ]*' "$TMP/serve.out")
    (for i in $(seq 100000); do
        curl -s -o /dev/null -w '%{time_total}\n' "${url}suche?q=Berlin$((i % 50))"
    done) >"$TMP/lat" &
    rp=$!
    BENCH_PIDS+=("$rp")
    i0=$(now)
    "$MELDUNG" ingest --quiet --db "$m" "$TMP/extra" >/dev/null 2>&1 &
    ip=$!
    sleep 2
    t0=$(now)
    [ "$1" = backup ] && "$MELDUNG" backup --db "$m" "$TMP/out.db" >/dev/null
    t1=$(now)
    wait "$ip"
    i1=$(now)
    bench_stop "$rp"
    bench_stop "$sp"
    size=$([ -f "$TMP/out.db" ] && stat -c %s "$TMP/out.db" || echo 0)
    echo "$1: backup $(secs "$t0" "$t1") s, $size bytes; ingest of $EXTRA files" \
        "$(secs "$i0" "$i1") s; search p50/max $(sort -n "$TMP/lat" |
            awk '{ a[NR] = $1 } END { printf "%.3f/%.3f s of %d", a[int(NR / 2) + 1], a[NR], NR }')"
}

for _ in $(seq "$RUNS"); do
    round none
    round backup
done
echo "command: COUNT=$COUNT RUNS=$RUNS bench/backup.sh; $(nproc) cores, $(uname -sr)"
