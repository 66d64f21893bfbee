#!/usr/bin/env bash
# ingest.sh - `meldung ingest` end to end on 100,000+ digitalwires articles, next to a bare
# SQLite insert of the same rows, in one run.
#
# Builds an archive of COUNT entries (bench/gen_dw.c: the corpus's real digitalwires
# entries, recombined under new urns and entry ids, one entry per file) in a temp directory,
# ingests it into a fresh store with `meldung ingest` (default batching, then --batch 1: one
# transaction per file), then inserts the rows meldung stored into a fresh database with
# bench/bare_insert.c (one transaction per article, and 256 per transaction), and puts the
# same articles' headline and text into a plain FTS5 table (unicode61, 256 per transaction;
# `bare_insert --fts`), the reference of issue 13. Prints articles per second for each, the
# CPU seconds of the ingest, the database sizes (MB per 10,000 articles), the ratios, the
# command lines and the machine. The archive holds agency texts: it lives only in the temp
# directory, removed on exit.
#
#   bench/ingest.sh                   100,000 articles
#   COUNT=20000 bench/ingest.sh       fewer
#   PER_FILE=100 bench/ingest.sh      {"entries": [...]} batches of 100 per file
#   BATCH1=0 bench/ingest.sh          skip the --batch 1 run
#   MELDUNG=path/to/meldung ...       use that binary (default ./meldung, built with make)
#   MLD_CORPUS=/path/to/corpus ...    the shared corpus (default ../shared/corpus)
#   KEEP_DB=path/to/store.db ...      keep the store meldung ingested there (e.g. for
#                                     bench/crawl.sh's CRAWL_DB; it holds agency text:
#                                     delete it when done)
set -euo pipefail

cd "$(dirname "$0")/.."

COUNT=${COUNT:-100000}
PER_FILE=${PER_FILE:-1}
BATCH1=${BATCH1:-1}
BARE_BATCH=256
CORPUS=${MLD_CORPUS:-../shared/corpus}
CC=${CC:-cc}

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

case $COUNT in '' | *[!0-9]*) die "COUNT must be a number, got '$COUNT'" ;; esac
case $PER_FILE in '' | *[!0-9]*) die "PER_FILE must be a number, got '$PER_FILE'" ;; esac
command -v pkg-config >/dev/null 2>&1 || die "pkg-config not found (scripts/deps.sh installs it)"

if [ -z "${MELDUNG:-}" ]; then
    make -s meldung >&2 || die "make failed"
    MELDUNG=./meldung
fi
[ -x "$MELDUNG" ] || die "$MELDUNG is not an executable"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/meldung-ingest-bench.XXXXXX")
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools --------------------------------------------------------------------------------
FLAGS="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra"
# shellcheck disable=SC2046,SC2086
$CC $FLAGS -o "$TMP/gen_dw" bench/gen_dw.c $(pkg-config --cflags --libs jansson) ||
    die "cannot build bench/gen_dw.c"
# Linked against the library (build/rel/libmeldung.a): it unpacks the store's text.
make -s build/rel/bench/bare_insert >&2 || die "cannot build bench/bare_insert.c"
cp build/rel/bench/bare_insert "$TMP/bare_insert"

# --- the archive ------------------------------------------------------------------------
inputs=()
for f in "$CORPUS"/dpa-digitalwires/to-newsmlg2/input/*.json \
    "$CORPUS"/dpa-digitalwires/s3push-example/input-*.json demo/*.json; do
    [ -f "$f" ] && inputs+=("$f")
done
[ "${#inputs[@]}" -gt 0 ] || die "no digitalwires entries found (corpus or demo/)"
[ -d "$CORPUS/dpa-digitalwires" ] ||
    note "$CORPUS/dpa-digitalwires not present: recombining demo/ only"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

note "generating $COUNT entries ($PER_FILE per file) from ${#inputs[@]} inputs"
t0=$(now)
gen_out=$("$TMP/gen_dw" "$TMP/archive" "$COUNT" "$PER_FILE" "${inputs[@]}")
t1=$(now)
note "$gen_out in $(secs "$t0" "$t1") s, $(du -sh "$TMP/archive" | cut -f1) on disk"

# --- meldung ------------------------------------------------------------------------------
# Runs `meldung ingest ARGS` into a fresh store DB; prints the wall seconds and the CPU
# seconds (user + system, from /usr/bin/time when present, else "-"), checks that every entry
# was stored.
TIMER=()
[ -x /usr/bin/time ] && TIMER=(/usr/bin/time -o "$TMP/cpu" -f "%U %S")
run_meldung() {
    local db=$1
    shift
    local a b out cpu=-
    # Dirty pages of the archive or of an earlier run would be written back during the timed
    # run and stall SQLite's fsyncs: flush them first.
    sync
    a=$(now)
    out=$("${TIMER[@]}" "$MELDUNG" ingest --quiet --db "$db" "$@" "$TMP/archive" 2>"$TMP/ingest.err") || {
        cat "$TMP/ingest.err" >&2
        die "meldung ingest failed: $out"
    }
    b=$(now)
    # Every entry is stored: new, or held (the corpus has agency advisories, which are
    # stored held), and no file failed.
    local new held
    new=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) new,.*/\1/p')
    held=$(printf '%s\n' "$out" | sed -n 's/.*, \([0-9][0-9]*\) held.*/\1/p')
    case $out in
    *" 0 failed"*) [ $((${new:-0} + ${held:-0})) = "$COUNT" ] ||
        die "meldung did not store all $COUNT entries: $out" ;;
    *) die "meldung did not store all $COUNT entries: $out" ;;
    esac
    [ -s "$TMP/cpu" ] && cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$TMP/cpu")
    echo "$(secs "$a" "$b") $cpu"
}

# The size of store DB once its write-ahead log is checkpointed into it (bytes).
db_bytes() {
    sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1 || true
    stat -c %s "$1"
}
mb10k() { awk -v b="$1" -v n="$COUNT" 'BEGIN { printf "%.1f", b / 1e6 * 10000 / n }'; }

note "meldung ingest (default batching)"
m_out=$(run_meldung "$TMP/meldung.db")
m_secs=${m_out% *} m_cpu=${m_out#* }
m_bytes=$(db_bytes "$TMP/meldung.db")
m1_secs=""
m1_cpu=""
if [ "$BATCH1" = 1 ]; then
    note "meldung ingest --batch 1 (one transaction per file)"
    m_out=$(run_meldung "$TMP/meldung1.db" --batch 1)
    m1_secs=${m_out% *} m1_cpu=${m_out#* }
fi

# --- bare SQLite --------------------------------------------------------------------------
note "bare insert of the same rows"
sync
bare1=$("$TMP/bare_insert" "$TMP/meldung.db" "$TMP/bare1.db" 1)
sync
bareN=$("$TMP/bare_insert" "$TMP/meldung.db" "$TMP/bareN.db" "$BARE_BATCH")
note "plain FTS5 insert of the same articles"
sync
fts=$("$TMP/bare_insert" --fts "$TMP/meldung.db" "$TMP/fts.db" "$BARE_BATCH")
if [ -n "${KEEP_DB:-}" ]; then
    mv "$TMP/meldung.db" "$KEEP_DB" || die "cannot keep the store as $KEEP_DB"
    note "the store is kept as $KEEP_DB"
fi
bare_field() { echo "$1" | awk -v u="$2" '{ for (i = 1; i <= NF; i++) if ($(i + 1) == u) print $i }'; }
b1_secs=$(bare_field "$bare1" s)
bN_secs=$(bare_field "$bareN" s)
f_secs=$(bare_field "$fts" s)
bN_bytes=$(bare_field "$bareN" bytes)
f_bytes=$(bare_field "$fts" bytes)
rows=$(echo "$bareN" | awk '{ print $4 }')

# --- report -------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo
echo "machine:  $(uname -srm), $(nproc) CPUs, $cpu"
echo "versions: $("$MELDUNG" --version), SQLite $(pkg-config --modversion sqlite3)"
echo "archive:  $COUNT digitalwires entries, $PER_FILE per file, $(du -sh "$TMP/archive" | cut -f1)," \
    "from ${#inputs[@]} inputs; $rows rows in the store's article tables"
echo "commands: $MELDUNG ingest --quiet --db DB ARCHIVE"
[ -n "$m1_secs" ] && echo "          $MELDUNG ingest --quiet --db DB --batch 1 ARCHIVE"
echo "          bare_insert MELDUNG.db BARE.db 1    (and $BARE_BATCH)"
echo "          bare_insert --fts MELDUNG.db FTS.db $BARE_BATCH"
echo "          (wall time of the whole command; bare and fts: the insert loop, rows preloaded;"
echo "          the archive is in the page cache and synced before each run; cpu: user + system"
echo "          seconds of the ingest; MB: after a WAL checkpoint, per 10,000 articles)"
echo
row() { printf '%-44s %10s %9s %7s %12s %10s\n' "$@"; }
row case articles seconds cpu articles/s "MB/10k"
row "meldung ingest (default: batched COMMITs)" "$COUNT" "$m_secs" "$m_cpu" \
    "$(rate "$COUNT" "$m_secs")" "$(mb10k "$m_bytes")"
[ -n "$m1_secs" ] && row "meldung ingest --batch 1 (1 txn per file)" "$COUNT" "$m1_secs" \
    "$m1_cpu" "$(rate "$COUNT" "$m1_secs")" ""
row "bare SQLite insert, $BARE_BATCH articles per txn" "$COUNT" "$bN_secs" "" \
    "$(rate "$COUNT" "$bN_secs")" "$(mb10k "$bN_bytes")"
row "bare SQLite insert, 1 article per txn" "$COUNT" "$b1_secs" "" "$(rate "$COUNT" "$b1_secs")" ""
row "plain FTS5 (unicode61), $BARE_BATCH per txn" "$COUNT" "$f_secs" "" \
    "$(rate "$COUNT" "$f_secs")" "$(mb10k "$f_bytes")"
echo
awk -v m="$m_secs" -v b="$bN_secs" \
    'BEGIN { printf "ratio meldung/bare (articles/s), batched vs %s per txn: %.2f\n", '"$BARE_BATCH"', b / m }'
awk -v m="$m_secs" -v f="$f_secs" \
    'BEGIN { printf "ratio meldung/plain FTS5 (articles/s): %.3f   (goal >= 1.0)\n", f / m }'
awk -v m="$m_bytes" -v f="$f_bytes" \
    'BEGIN { printf "ratio meldung/plain FTS5 (store size): %.2f   (goal <= 1.5)\n", m / f }'
if [ -n "$m1_secs" ]; then
    awk -v m="$m1_secs" -v b="$b1_secs" \
        'BEGIN { printf "ratio meldung/bare (articles/s), 1 txn per file vs 1 per txn: %.2f\n", b / m }'
fi
