#!/usr/bin/env bash
# search.sh - meldung's search and "Weitere Meldungen" against plain FTS5 (unicode61), on the
# same recombined German texts, at 10k, 100k and 1M articles, in one run.
#
# Builds bench/search.c (linked against build/rel/libmeldung.a) and runs it in a fresh temp
# directory: it makes the articles from the shared corpus's real texts, loads them into a
# meldung store (mld_enrich + mld_store_put) and into a plain FTS5 table, growing both to each
# size, and at each size prints build rates, database sizes, query and related-list latency
# (p50/p95/p99/max) for both and the ratios plain/meldung, as markdown. The databases hold the
# agencies' and DER STANDARD's texts: they live only in the temp directory, removed on exit.
#
#   bench/search.sh                          10k, 100k and 1M articles (1M takes long)
#   SIZES=10000,100000 bench/search.sh       sizes to measure at, increasing
#   QUERIES=300 RELATED=300 REPEAT=3 ...     queries, related articles, timed passes
#   SIDES=plain bench/search.sh              plain FTS5 only (or SIDES=meldung)
#   MELDUNG_UPTO=100000 ...                  meldung grows only to 100k; larger sizes: plain only
#   BATCH=500 ...                            articles per transaction while loading
#   OPTIMIZE=1 ...                           merge both full-text indexes into one piece at
#                                            each size before measuring (`meldung optimize`)
#   MLD_CORPUS=/path/to/corpus ...           the shared corpus (default ../shared/corpus)
#   TMPDIR=/big/disk ...                     where the databases go (1M: about 22 GB)
#   KEEP=/tmp/sb100k ...                     keep the databases in this directory (not removed:
#                                            they hold corpus text, delete it when done); a later
#                                            run with the same KEEP grows them on instead of
#                                            building again (to compare two builds of meldung)
set -euo pipefail

cd "$(dirname "$0")/.."

CORPUS=${MLD_CORPUS:-../shared/corpus}
BIN=build/rel/bench/search

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

for v in QUERIES RELATED REPEAT BATCH MELDUNG_UPTO; do
    case ${!v:-} in *[!0-9]*) die "$v must be a number, got '${!v}'" ;; esac
done
case ${SIZES:-} in *[!0-9,]*) die "SIZES must be numbers separated by commas, got '$SIZES'" ;; esac

missing=()
for f in 10kGNAD/test-part-a.csv dpa-newsmlg2-sample/items dpa-digitalwires/to-newsmlg2/input; do
    [ -e "$CORPUS/$f" ] || missing+=("$CORPUS/$f")
done
if [ "${#missing[@]}" -gt 0 ]; then
    die "the shared corpus is needed (set MLD_CORPUS); not found: ${missing[*]}"
fi

make -s "$BIN" >&2 || die "make $BIN failed"

if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP" || die "cannot make $KEEP"
    TMP=$KEEP
else
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/meldung-search-bench.XXXXXX")
fi
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "${KEEP:-}" ] || rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cmd="bench/search.sh"
for v in KEEP SIZES QUERIES RELATED REPEAT BATCH SIDES MELDUNG_UPTO OPTIMIZE; do
    if [ -n "${!v:-}" ]; then
        cmd="$v=${!v} $cmd"
    fi
done
note "databases in $TMP ($(df -h "$TMP" | awk 'NR == 2 { print $4 }') free)"
MLD_CORPUS=$CORPUS BENCH_CMD=$cmd "$BIN" "$TMP"
