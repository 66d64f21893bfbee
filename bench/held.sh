#!/usr/bin/env bash
# held.sh - the editors' held queue (/redaktion/zurueckgehalten) on a COUNT-article store:
# its query through the partial index article_held (0014_account_login.sql) next to the same
# query made to walk the articles by date (INDEXED BY article_published, what it did before
# the index), in one run on the same store.
#
# Builds COUNT digitalwires entries (bench/gen_dw.c, as bench/ingest.sh does), ingests them,
# holds HELD more of them (`meldung article hold`; the generated wire holds some back itself,
# as agencies do), then times the first and the last page of the queue (30 rows + 1) each way:
# REPEAT runs of the query in one sqlite3 process, RUNS times; prints the medians per query
# and their ratio. (Process start is in both sides' time: the small numbers are upper bounds.)
#
#   bench/held.sh                     50,000 articles, 5 held, 7 runs
#   COUNT=200000 bench/held.sh
#   MELDUNG=path/to/meldung ...       use that binary (default ./meldung, built with make)
#   MLD_CORPUS=/path/to/corpus ...    the shared corpus (default ../shared/corpus)
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

COUNT=${COUNT:-50000}
HELD=${HELD:-5}
RUNS=${RUNS:-7}
REPEAT=${REPEAT:-20}
CORPUS=${MLD_CORPUS:-../shared/corpus}
case $COUNT$HELD$RUNS$REPEAT in '' | *[!0-9]*) die "COUNT, HELD and RUNS must be numbers" ;; esac
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found"
bench_meldung
bench_tmp meldung-held-bench
bench_wire_inputs
bench_gen_dw "$TMP/in" "$COUNT" 1000 "${inputs[@]}" >&2
"$MELDUNG" ingest --quiet --db "$TMP/store.db" "$TMP/in" >&2
rm -rf "$TMP/in"
for id in $(sqlite3 "$TMP/store.db" "SELECT id FROM article WHERE pubstatus = 0 ORDER BY random() LIMIT $HELD"); do
    "$MELDUNG" article hold "$id" --reason bench --db "$TMP/store.db" >/dev/null
done
articles=$(sqlite3 "$TMP/store.db" "SELECT count(*) FROM article")
held=$(sqlite3 "$TMP/store.db" "SELECT count(*) FROM article WHERE pubstatus IN (1, 3)")

# The query of sq_ed_latest (sqlite_editor.c) for the held queue; $1: an INDEXED BY clause,
# $2: the offset (a page of 30 rows and one more that says whether more follow).
query() {
    echo "SELECT count(*) FROM (SELECT a.id, a.headline, a.section, a.published, a.pubstatus," \
        "coalesce(e.state, 0), coalesce(e.reason, a.hold_reason), e.by FROM article a $1" \
        "LEFT JOIN editorial e ON e.article_id = a.id WHERE a.pubstatus IN (1, 3)" \
        "ORDER BY a.published DESC, a.id DESC LIMIT 31 OFFSET $2);"
}
# median_ms SQL: the median over RUNS runs of the wall time of REPEAT runs of SQL in one
# sqlite3 process, per run of SQL, in milliseconds.
median_ms() {
    local i
    for ((i = 0; i < RUNS; i++)); do
        local t0 t1
        t0=$(date +%s%N)
        for ((r = 0; r < REPEAT; r++)); do echo "$1"; done | sqlite3 "$TMP/store.db" >/dev/null
        t1=$(date +%s%N)
        awk -v a="$t0" -v b="$t1" -v n="$REPEAT" 'BEGIN { printf "%.3f\n", (b - a) / n / 1e6 }'
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}
last=$((held > 31 ? held - 31 : 0))
echo "held queue, $articles articles, $held held, per query, median of $RUNS x $REPEAT:"
for page in first last; do
    off=0
    [ $page = last ] && off=$last
    with=$(median_ms "$(query 'INDEXED BY article_held' $off)")
    without=$(median_ms "$(query 'INDEXED BY article_published' $off)")
    echo "  $page page (offset $off): partial index article_held $with ms," \
        "by date (article_published) $without ms," \
        "$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1fx", (a > 0 ? b / a : 0) }')"
done
