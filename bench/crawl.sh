#!/usr/bin/env bash
# crawl.sh - what a crawler sees: N distinct article pages, each asked for once, from a
# freshly started `meldung serve` (so every request is a page cache miss: a render), next
# to nginx serving the same pages saved as static files, in one run.
#
# Builds a store of COUNT generated digitalwires articles (bench/gen_dw.c, as
# bench/ingest.sh does) unless CRAWL_DB names one, picks N visible articles at random,
# downloads their pages from meldung into nginx's document root (same paths), restarts
# meldung (empty page cache) and crawls the N URLs with curl, each once: first one at a time
# (the time of one render), then PARALLEL at a time (the throughput), meldung restarted
# before each crawl; nginx gets the same two crawls. Prints requests/s and latency
# percentiles (curl's time_total per transfer) for both, and the ratios.
#
#   bench/crawl.sh                      20,000 articles, 10,000 URLs, 16 at a time
#   COUNT=100000 N=10000 bench/crawl.sh
#   CRAWL_DB=path/to/store.db ...       crawl this store (it is copied, not changed)
#   PARALLEL=4 ...                      transfers at a time in the parallel crawl
#   MELDUNG=path/to/meldung ...         use that binary (default ./meldung, built with make)
#   NGINX=path/to/nginx ...             use that nginx (default /usr/sbin/nginx)
#   MLD_CORPUS=/path/to/corpus ...      the shared corpus (default ../shared/corpus)
#
# bench/http.sh runs it after its own table when CRAWL=1.
set -euo pipefail

cd "$(dirname "$0")/.."

COUNT=${COUNT:-20000}
N=${N:-10000}
PARALLEL=${PARALLEL:-16}
NGINX=${NGINX:-/usr/sbin/nginx}
CORPUS=${MLD_CORPUS:-../shared/corpus}
CC=${CC:-cc}

# shellcheck source=bench/lib.sh
. bench/lib.sh

for v in COUNT N PARALLEL; do
    case ${!v} in '' | *[!0-9]*) die "$v must be a number, got '${!v}'" ;; esac
done
for tool in curl sqlite3 pkg-config "$NGINX"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
curl --help all 2>/dev/null | grep -q -- '--parallel-max' || die "curl has no --parallel"
bench_meldung

bench_tmp meldung-crawl
read -r PORT NGPORT <<<"$(free_ports 2)"
MBASE="http://127.0.0.1:$PORT"
NBASE="http://127.0.0.1:$NGPORT"

# --- the store -------------------------------------------------------------------------------
DB="$TMP/crawl.db"
if [ -n "${CRAWL_DB:-}" ]; then
    [ -f "$CRAWL_DB" ] || die "CRAWL_DB $CRAWL_DB not found"
    sqlite3 "$CRAWL_DB" ".backup '$DB'" || die "cannot copy $CRAWL_DB"
    STORE_NOTE="$CRAWL_DB"
else
    bench_wire_inputs
    note "generating and ingesting $COUNT articles (bench/gen_dw.c)"
    bench_gen_dw "$TMP/archive" "$COUNT" 1 "${inputs[@]}" >/dev/null
    "$MELDUNG" ingest --quiet --db "$DB" "$TMP/archive" >"$TMP/ingest.log" 2>&1 || {
        tail -n 20 "$TMP/ingest.log" >&2
        die "meldung ingest failed"
    }
    rm -rf "$TMP/archive"
    STORE_NOTE="$COUNT generated digitalwires articles (bench/gen_dw.c)"
fi
ARTICLES=$(sqlite3 "$DB" "SELECT count(*) FROM article")
sqlite3 "$DB" "SELECT '/artikel/' || slug || '-' || id FROM article WHERE pubstatus = 0 \
    AND visible_from <= strftime('%s', 'now') ORDER BY random() LIMIT $N" >"$TMP/paths"
N=$(wc -l <"$TMP/paths")
[ "$N" -gt 0 ] || die "no visible article in the store"

# --- meldung, restarted for every crawl ------------------------------------------------------
MPID=""
start_meldung() {
    bench_stop "$MPID"
    "$MELDUNG" serve --db "$DB" --listen "127.0.0.1:$PORT" >>"$TMP/meldung.log" 2>&1 &
    MPID=$!
    BENCH_PIDS+=("$MPID")
    wait_http "$MBASE/healthz" "$MPID" "$TMP/meldung.log" || die "meldung serve did not come up"
}

# curl_config BASE: a curl config asking for every path once, bodies discarded.
curl_config() {
    awk -v base="$1" '{ printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", base, $0 }' \
        "$TMP/paths"
}

# --- the same pages for nginx ----------------------------------------------------------------
start_meldung
note "saving $N pages for nginx"
WWW="$TMP/www"
mkdir -p "$WWW/artikel" "$TMP/nginx"
awk -v base="$MBASE" -v www="$WWW" \
    '{ printf "url = \"%s%s\"\noutput = \"%s%s\"\n", base, $0, www, $0 }' "$TMP/paths" \
    >"$TMP/save.cfg"
curl -sS --no-progress-meter --fail -Z --parallel-max 4 -K "$TMP/save.cfg" || die "saving the pages failed"
chmod -R a+rX "$TMP"
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
cat >"$TMP/nginx.conf" <<EOF
$USER_LINE
worker_processes $(nproc);
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    default_type text/html;
    charset utf-8;
    server { listen 127.0.0.1:$NGPORT; root $WWW; }
}
EOF
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx/stdout.log" 2>&1 &
NPID=$!
BENCH_PIDS+=("$NPID")
wait_http "$NBASE/" "$NPID" "$TMP/nginx/error.log" || die "nginx did not come up"
first=$(head -n 1 "$TMP/paths")
cmp -s <(curl -s "$MBASE$first") <(curl -s "$NBASE$first") ||
    die "$first: meldung and nginx send different bodies"

# --- the crawls --------------------------------------------------------------------------------
now() { date +%s.%N; }
# crawl NAME BASE PAR: every path once, PAR at a time; prints "req/s p50 p99 max" (ms) and
# checks that every answer was 200.
crawl() {
    local name=$1 base=$2 par=$3 a b
    curl_config "$base" >"$TMP/$name.cfg"
    a=$(now)
    curl -s --no-progress-meter -Z --parallel-max "$par" -K "$TMP/$name.cfg" \
        -w '%{http_code} %{time_total}\n' >"$TMP/$name.times"
    b=$(now)
    local bad
    bad=$(awk '$1 != 200' "$TMP/$name.times" | wc -l)
    [ "$bad" -eq 0 ] || die "$name: $bad answers were not 200"
    awk '{ print $2 * 1000 }' "$TMP/$name.times" | sort -n | awk -v n="$N" -v a="$a" -v b="$b" '
        { v[NR] = $1 }
        END { printf "%.0f %.2f %.2f %.2f\n", n / (b - a), v[int(NR * 0.5) + (NR == 1)],
              v[int(NR * 0.99) + (NR < 100)], v[NR] }'
}
note "crawling $N URLs one at a time, then $PARALLEL at a time"
start_meldung
read -r m1_rps m1_p50 m1_p99 m1_max <<<"$(crawl m1 "$MBASE" 1)"
start_meldung
read -r mp_rps mp_p50 mp_p99 mp_max <<<"$(crawl mp "$MBASE" "$PARALLEL")"
read -r n1_rps n1_p50 n1_p99 n1_max <<<"$(crawl n1 "$NBASE" 1)"
read -r np_rps np_p50 np_p99 np_max <<<"$(crawl np "$NBASE" "$PARALLEL")"

# --- report ----------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo
echo "machine:  $(uname -srm), $(nproc) CPUs, $cpu"
echo "versions: $("$MELDUNG" --version), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(curl --version | head -n 1 | cut -d' ' -f1-2)"
echo "store:    $ARTICLES articles ($STORE_NOTE); $N distinct article URLs, each once"
echo "commands: curl -s -Z --parallel-max P -K URLS -w '%{http_code} %{time_total}\\n'"
echo "          (P = 1 and $PARALLEL; meldung restarted before each crawl: every request a render)"
echo
printf '%-30s %10s %9s %9s %9s\n' case req/s p50_ms p99_ms max_ms
printf '%-30s %10s %9s %9s %9s\n' "meldung, 1 at a time" "$m1_rps" "$m1_p50" "$m1_p99" "$m1_max"
printf '%-30s %10s %9s %9s %9s\n' "nginx static, 1 at a time" "$n1_rps" "$n1_p50" "$n1_p99" "$n1_max"
printf '%-30s %10s %9s %9s %9s\n' "meldung, $PARALLEL at a time" "$mp_rps" "$mp_p50" "$mp_p99" "$mp_max"
printf '%-30s %10s %9s %9s %9s\n' "nginx static, $PARALLEL at a time" "$np_rps" "$np_p50" "$np_p99" "$np_max"
echo
awk -v a="$m1_rps" -v b="$n1_rps" 'BEGIN { printf "ratio meldung/nginx (req/s), 1 at a time: %.2f\n", a / b }'
awk -v a="$mp_rps" -v b="$np_rps" -v p="$PARALLEL" \
    'BEGIN { printf "ratio meldung/nginx (req/s), %s at a time: %.2f\n", p, a / b }'
echo "meldung cache-miss render (1 at a time, curl time_total): p50 $m1_p50 ms, p99 $m1_p99 ms"
