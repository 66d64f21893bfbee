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
# Then the cached case: the first CACHED_N (2,000) of the URLs, asked for once to fill the
# page cache and then crawled again PARALLEL at a time (every request a hit), beside nginx on
# the same URLs. During the parallel crawls the server's memory is sampled every 0.5 s
# (/proc/PID/status: RssAnon, RssFile; the store's own mapping from /proc/PID/smaps), and
# the page cache's hits, misses, entries and bytes are read from /metrics.
#
#   CACHED_N=1000 ...                   URLs of the cached crawl (at most N)
#
# bench/http.sh runs it after its own table (CRAWL=0 skips it).
set -euo pipefail

cd "$(dirname "$0")/.."

COUNT=${COUNT:-20000}
N=${N:-10000}
PARALLEL=${PARALLEL:-16}
CACHED_N=${CACHED_N:-2000}
NGINX=${NGINX:-/usr/sbin/nginx}
CORPUS=${MLD_CORPUS:-../shared/corpus}
CC=${CC:-cc}

# shellcheck source=bench/lib.sh
. bench/lib.sh

for v in COUNT N PARALLEL CACHED_N; do
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
# crawl NAME BASE PAR [PATHS]: every path of PATHS (default all) once, PAR at a time; prints
# "req/s p50 p99 max" (ms) and checks that every answer was 200.
crawl() {
    local name=$1 base=$2 par=$3 paths=${4:-$TMP/paths} a b n
    n=$(wc -l <"$paths")
    awk -v base="$base" '{ printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", base, $0 }' \
        "$paths" >"$TMP/$name.cfg"
    a=$(now)
    curl -s --no-progress-meter -Z --parallel-max "$par" -K "$TMP/$name.cfg" \
        -w '%{http_code} %{time_total}\n' >"$TMP/$name.times"
    b=$(now)
    local bad
    bad=$(awk '$1 != 200' "$TMP/$name.times" | wc -l)
    [ "$bad" -eq 0 ] || die "$name: $bad answers were not 200"
    awk '{ print $2 * 1000 }' "$TMP/$name.times" | sort -n | awk -v n="$n" -v a="$a" -v b="$b" '
        { v[NR] = $1 }
        END { printf "%.0f %.2f %.2f %.2f\n", n / (b - a), v[int(NR * 0.5) + (NR == 1)],
              v[int(NR * 0.99) + (NR < 100)], v[NR] }'
}

# Memory of meldung (PID MPID) while a crawl runs: a sampler in the background writes the
# peak RssAnon, RssFile (kB, /proc/PID/status) and the resident kB of the store's mapping
# (/proc/PID/smaps, the lines of the store file and its -shm) to $TMP/mem.peak.
mem_sample() {
    local pid=$1 anon file store peak_a=0 peak_f=0 peak_s=0
    while kill -0 "$pid" 2>/dev/null && [ ! -e "$TMP/mem.stop" ]; do
        read -r anon file < <(awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
            END { print a + 0, f + 0 }' "/proc/$pid/status" 2>/dev/null || echo "0 0")
        store=$(awk -v db="$DB" '/^[0-9a-f]+-[0-9a-f]+ / { on = index($0, db) > 0 }
            on && /^Rss:/ { s += $2 } END { print s + 0 }' "/proc/$pid/smaps" 2>/dev/null ||
            echo 0)
        [ "$anon" -gt "$peak_a" ] && peak_a=$anon
        [ "$file" -gt "$peak_f" ] && peak_f=$file
        [ "$store" -gt "$peak_s" ] && peak_s=$store
        echo "$peak_a $peak_f $peak_s" >"$TMP/mem.peak"
        sleep 0.5
    done
}
mem_start() {
    rm -f "$TMP/mem.stop" "$TMP/mem.peak"
    mem_sample "$MPID" &
    SPID=$!
}
mem_stop() {
    touch "$TMP/mem.stop"
    wait "$SPID" 2>/dev/null || true
    cat "$TMP/mem.peak" 2>/dev/null || echo "0 0 0"
}
# cache_stats: "hits misses entries bytes" of meldung's page cache, from /metrics.
cache_stats() {
    curl -s "$MBASE/metrics" | awk '
        $1 == "meldung_cache_hits_total" { h = $2 } $1 == "meldung_cache_misses_total" { m = $2 }
        $1 == "meldung_cache_entries" { e = $2 } $1 == "meldung_cache_bytes" { b = $2 }
        $1 == "meldung_cache_max_bytes" { x = $2 }
        END { printf "%d %d %d %d %d\n", h, m, e, b, x }'
}

note "crawling $N URLs one at a time, then $PARALLEL at a time"
start_meldung
read -r m1_rps m1_p50 m1_p99 m1_max <<<"$(crawl m1 "$MBASE" 1)"
start_meldung
mem_start
read -r mp_rps mp_p50 mp_p99 mp_max <<<"$(crawl mp "$MBASE" "$PARALLEL")"
read -r miss_anon miss_file miss_store <<<"$(mem_stop)"
read -r c1_hits c1_miss c1_ent c1_bytes c1_max <<<"$(cache_stats)"
read -r n1_rps n1_p50 n1_p99 n1_max <<<"$(crawl n1 "$NBASE" 1)"
read -r np_rps np_p50 np_p99 np_max <<<"$(crawl np "$NBASE" "$PARALLEL")"

# The cached case: CACHED_N URLs, asked for once (filling the cache), then crawled again.
head -n "$CACHED_N" "$TMP/paths" >"$TMP/cached.paths"
CN=$(wc -l <"$TMP/cached.paths")
note "crawling $CN URLs twice on the same server: the second crawl is served from the cache"
start_meldung
crawl mwarm "$MBASE" "$PARALLEL" "$TMP/cached.paths" >/dev/null
read -r w_hits w_miss _ <<<"$(cache_stats)"
mem_start
read -r mc_rps mc_p50 mc_p99 mc_max <<<"$(crawl mc "$MBASE" "$PARALLEL" "$TMP/cached.paths")"
read -r hit_anon hit_file hit_store <<<"$(mem_stop)"
read -r c2_hits c2_miss c2_ent c2_bytes _ <<<"$(cache_stats)"
read -r nc_rps nc_p50 nc_p99 nc_max <<<"$(crawl nc "$NBASE" "$PARALLEL" "$TMP/cached.paths")"

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
printf '%-30s %10s %9s %9s %9s\n' "meldung cached, $PARALLEL at a time" "$mc_rps" "$mc_p50" "$mc_p99" "$mc_max"
printf '%-30s %10s %9s %9s %9s\n' "nginx same $CN, $PARALLEL at a time" "$nc_rps" "$nc_p50" "$nc_p99" "$nc_max"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "ratio meldung/nginx (req/s), 1 at a time: $(ratio "$m1_rps" "$n1_rps")   (goal >= 0.5)"
echo "ratio meldung/nginx (req/s), $PARALLEL at a time: $(ratio "$mp_rps" "$np_rps")   (goal >= 0.5)"
echo "meldung cache-miss render (1 at a time, curl time_total): p50 $m1_p50 ms, p99 $m1_p99 ms   (goal p99 <= 2)"
echo "cached pages, $PARALLEL at a time: p99 meldung $mc_p99 ms, nginx $nc_p99 ms; ratio p99 meldung/nginx $(ratio "$mc_p99" "$nc_p99")   (goal <= 1); req/s ratio $(ratio "$mc_rps" "$nc_rps")"
echo
echo "memory of meldung serve, peak during the crawl ($PARALLEL at a time, /proc/PID/status, sampled every 0.5 s):"
echo "  $N misses:  anonymous $(mb "$miss_anon") MB (goal <= 200), file-backed $(mb "$miss_file") MB, of it the store's mapping $(mb "$miss_store") MB"
echo "  $CN hits:    anonymous $(mb "$hit_anon") MB, file-backed $(mb "$hit_file") MB, of it the store's mapping $(mb "$hit_store") MB"
echo "page cache (/metrics): after the $N misses: $c1_ent pages, $(mb $((c1_bytes / 1024))) MB of at most $(mb $((c1_max / 1024))) MB; hits $c1_hits, misses $c1_miss"
echo "  cached crawl: $((c2_hits - w_hits)) hits, $((c2_miss - w_miss)) misses of $CN: hit rate $(ratio $((c2_hits - w_hits)) "$CN"); $c2_ent pages, $(mb $((c2_bytes / 1024))) MB"
