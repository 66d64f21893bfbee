#!/usr/bin/env bash
# http.sh - meldung vs nginx on the reference article page, side by side in one run.
#
# Loads the demo wire into a fresh store, starts `meldung serve`, downloads the reference
# article page from it (plain and gzip) and gives nginx exactly those bytes as static files.
# Then wrk loads each server with the same command, plain and gzip, and a table compares
# requests per second and latency. Everything runs on 127.0.0.1 in a temporary directory
# that is removed on exit; both servers are stopped by PID.
#
#   bench/http.sh                 10 s per run
#   DURATION=30 bench/http.sh     30 s per run
#   MELDUNG=path/to/meldung ...   use that binary (default ./meldung, built with make)
#   NGINX=path/to/nginx ...       use that nginx (default /usr/sbin/nginx)
#   BENCH_PATH=/artikel/... ...   benchmark this path instead of searching for the article
set -euo pipefail

cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
NEEDLE=aussenminister-bereiten-gipfeltreffen

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

case $DURATION in '' | *[!0-9]*) die "DURATION must be whole seconds, got '$DURATION'" ;; esac
case $WARMUP in '' | *[!0-9]*) die "WARMUP must be whole seconds, got '$WARMUP'" ;; esac
for tool in curl gzip cmp "$WRK" "$NGINX"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done

if [ -z "${MELDUNG:-}" ]; then
    make -s meldung >&2 || die "make failed"
    MELDUNG=./meldung
fi
[ -x "$MELDUNG" ] || die "$MELDUNG is not an executable"

# --- temp dir, cleanup ---------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/meldung-bench.XXXXXX")
MPID=""
NPID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$MPID" ] && kill -0 "$MPID" 2>/dev/null; then
        kill "$MPID" 2>/dev/null || true
        wait "$MPID" 2>/dev/null || true
    fi
    if [ -n "$NPID" ] && kill -0 "$NPID" 2>/dev/null; then
        kill "$NPID" 2>/dev/null || true
        wait "$NPID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- two free ports on 127.0.0.1 -----------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_ports() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import socket
a = socket.socket(); a.bind(("127.0.0.1", 0))
b = socket.socket(); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
        return
    fi
    local p list="" n=0 tries=0
    while [ "$n" -lt 2 ] && [ "$tries" -lt 200 ]; do
        tries=$((tries + 1))
        p=$((20000 + RANDOM % 40000))
        port_busy "$p" && continue
        case " $list " in *" $p "*) continue ;; esac
        list="$list $p"
        n=$((n + 1))
    done
    [ "$n" -eq 2 ] || die "no free port found"
    echo "$list"
}
read -r PORT NGPORT <<<"$(free_ports)"
MBASE="http://127.0.0.1:$PORT"
NBASE="http://127.0.0.1:$NGPORT"

# Waits until URL answers (any HTTP status) while PID lives; at most 10 s.
wait_http() {
    local url=$1 pid=$2 log=$3
    for _ in $(seq 1 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            note "server exited early; its log:"
            tail -n 30 "$log" >&2 || true
            return 1
        fi
        if curl -s -o /dev/null --max-time 1 "$url"; then
            return 0
        fi
        sleep 0.1
    done
    note "no answer from $url after 10 s; log:"
    tail -n 30 "$log" >&2 || true
    return 1
}

# --- meldung: ingest the demo wire, serve it -----------------------------------------------
note "ingest demo/ into $TMP/bench.db"
if ! "$MELDUNG" ingest --db "$TMP/bench.db" demo/ >"$TMP/ingest.log" 2>&1; then
    tail -n 30 "$TMP/ingest.log" >&2
    die "meldung ingest failed"
fi
note "start meldung serve on 127.0.0.1:$PORT"
"$MELDUNG" serve --db "$TMP/bench.db" --listen "127.0.0.1:$PORT" >"$TMP/meldung.log" 2>&1 &
MPID=$!
wait_http "$MBASE/" "$MPID" "$TMP/meldung.log" || die "meldung serve did not come up"

# --- find the reference article's URL ------------------------------------------------------
# Prints the paths of same-site links in HTML or sitemap XML on stdin, one per line.
links() {
    grep -oiE "(href=(\"[^\"]*\"|'[^']*')|<loc>[^<]*</loc>)" |
        sed -E -e "s/^href=[\"']//I" -e "s/[\"']\$//" -e 's#^<loc>##I' -e 's#</loc>$##I' \
            -e 's/&amp;/\&/g' -e 's/#.*$//' |
        sed -E -e "s#^https?://(127\\.0\\.0\\.1|localhost)(:$PORT)?/#/#" |
        grep -E '^/' || true
}
find_article() {
    local queue=("/" "/sitemap.xml" "/suche?q=Gipfeltreffen" "/search?q=Gipfeltreffen") seen=" " n=0 path hit
    while [ "${#queue[@]}" -gt 0 ] && [ "$n" -lt 60 ]; do
        path=${queue[0]}
        queue=("${queue[@]:1}")
        case $seen in *" $path "*) continue ;; esac
        seen="$seen$path "
        n=$((n + 1))
        curl -s --max-time 5 -o "$TMP/crawl.html" "$MBASE$path" || continue
        hit=$(links <"$TMP/crawl.html" | grep -iF -- "$NEEDLE" | grep -viE '\.(css|js|xml|json)$' |
            head -n 1 || true)
        if [ -n "$hit" ]; then
            echo "$hit"
            return 0
        fi
        # Follow pages of the site (not assets, feeds or query variants) breadth-first.
        while IFS= read -r l; do
            queue+=("$l")
        done < <(links <"$TMP/crawl.html" | grep -vE '\.(css|js|png|svg|ico|jpg|webp)$' |
            grep -vE '^/(static|assets|api|feed|live|metrics|healthz)' | awk '!s[$0]++' | head -n 40)
    done
    return 1
}
if [ -n "${BENCH_PATH:-}" ]; then
    REF_PATH=$BENCH_PATH
else
    REF_PATH=$(find_article) || die "no link containing '$NEEDLE' found from $MBASE/ (set BENCH_PATH)"
fi
MURL="$MBASE$REF_PATH"
NURL="$NBASE/ref.html"
note "reference article: $MURL"

# --- the same bytes for nginx --------------------------------------------------------------
WWW="$TMP/www"
mkdir -p "$WWW" "$TMP/nginx"
curl -sS --fail --max-time 10 -D "$TMP/plain.hdr" -o "$WWW/ref.html" "$MURL" ||
    die "GET $MURL failed"
if grep -qi '^content-encoding:' "$TMP/plain.hdr"; then
    die "meldung sent Content-Encoding without Accept-Encoding: $(grep -i '^content-encoding:' "$TMP/plain.hdr")"
fi
curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/gzip.hdr" \
    -o "$TMP/meldung.gz" "$MURL" || die "GET $MURL (gzip) failed"
GZIP_NOTE=""
if grep -qiE '^content-encoding:[[:space:]]*gzip' "$TMP/gzip.hdr"; then
    gzip -dc "$TMP/meldung.gz" | cmp -s - "$WWW/ref.html" ||
        die "meldung's gzip body does not decompress to its plain body"
    cp "$TMP/meldung.gz" "$WWW/ref.html.gz"
else
    GZIP_NOTE="meldung answered Accept-Encoding: gzip without gzip; nginx serves gzip -9 of the page"
    note "$GZIP_NOTE"
    gzip -9 -n -c "$WWW/ref.html" >"$WWW/ref.html.gz"
fi
# The nginx workers may run as nobody: let them read the document root.
chmod 755 "$TMP" "$WWW"
chmod 644 "$WWW/ref.html" "$WWW/ref.html.gz"
PLAIN_BYTES=$(wc -c <"$WWW/ref.html")
GZIP_BYTES=$(wc -c <"$WWW/ref.html.gz")

# --- nginx -----------------------------------------------------------------------------------
NCPU=$(nproc)
GZIP_STATIC=0
NOGZ_NOTE=""
if "$NGINX" -V 2>&1 | grep -q -- '--with-http_gzip_static_module'; then
    GZIP_STATIC=1
else
    NOGZ_NOTE="nginx has no http_gzip_static_module: in the gzip case it serves the plain file"
    note "$NOGZ_NOTE"
fi
USER_LINE=""
if [ "$(id -u)" -eq 0 ]; then
    # Root starts workers as nobody by default; keep that when nobody can read the files.
    if getent group nogroup >/dev/null && command -v runuser >/dev/null &&
        runuser -u nobody -g nogroup -- test -r "$WWW/ref.html" 2>/dev/null; then
        USER_LINE="user nobody nogroup;"
    else
        USER_LINE="user root;"
    fi
fi
GZ_LINE="gzip off;"
[ "$GZIP_STATIC" -eq 1 ] && GZ_LINE="gzip off; gzip_static on; gzip_vary on;"
cat >"$TMP/nginx.conf" <<EOF
$USER_LINE
worker_processes $NCPU;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 10000000;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_errors on;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    types {
        text/html html;
    }
    default_type application/octet-stream;
    charset utf-8;
    $GZ_LINE
    server {
        listen 127.0.0.1:$NGPORT;
        root $WWW;
    }
}
EOF
note "start nginx on 127.0.0.1:$NGPORT ($NCPU workers)"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx/stdout.log" 2>&1 &
NPID=$!
wait_http "$NURL" "$NPID" "$TMP/nginx/error.log" || die "nginx did not come up"

# --- both servers must send the same bytes -------------------------------------------------
curl -sS --fail --max-time 10 -o "$TMP/check-m.html" "$MURL"
curl -sS --fail --max-time 10 -o "$TMP/check-n.html" "$NURL"
cmp -s "$TMP/check-m.html" "$TMP/check-n.html" || die "plain bodies differ between meldung and nginx"
SAME="plain: identical ($PLAIN_BYTES bytes)"
curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/check-m.hdr" \
    -o "$TMP/check-m.gz" "$MURL"
curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/check-n.hdr" \
    -o "$TMP/check-n.gz" "$NURL"
if [ "$GZIP_STATIC" -eq 1 ]; then
    grep -qiE '^content-encoding:[[:space:]]*gzip' "$TMP/check-n.hdr" ||
        die "nginx did not serve the .gz file (gzip_static)"
    if cmp -s "$TMP/check-m.gz" "$TMP/check-n.gz"; then
        SAME="$SAME; gzip: identical ($GZIP_BYTES bytes)"
    else
        SAME="$SAME; gzip: DIFFERENT bodies (meldung $(wc -c <"$TMP/check-m.gz"), nginx $GZIP_BYTES bytes)"
    fi
fi
note "bodies: $SAME"

# --- load ------------------------------------------------------------------------------------
# Converts a wrk latency ("512.00us", "1.20ms", "2.00s") to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000;
        else if (v ~ /s$/) n *= 1000
        printf "%.3f", n }'
}
WRK_ARGS=(-t2 -c64 "-d${DURATION}s" --latency)
declare -A RPS P50 P99 ERR
run_wrk() {
    local case=$1 server=$2 url=$3 out="$TMP/wrk-$1-$2.txt" hdr=()
    [ "$case" = gzip ] && hdr=(-H 'Accept-Encoding: gzip')
    if [ "$WARMUP" -gt 0 ]; then
        "$WRK" -t2 -c64 -d"${WARMUP}s" "${hdr[@]}" "$url" >/dev/null 2>&1 || true
    fi
    note "wrk $case $server ($DURATION s)"
    "$WRK" "${WRK_ARGS[@]}" "${hdr[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    RPS[$case.$server]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    P50[$case.$server]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    P99[$case.$server]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    ERR[$case.$server]=$(awk '
        /Non-2xx or 3xx responses:/ { e += $NF }
        /Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
        END { print e + 0 }' "$out")
}
CASES="plain gzip"
for c in $CASES; do
    run_wrk "$c" meldung "$MURL"
    run_wrk "$c" nginx "$NURL"
done

# --- report ----------------------------------------------------------------------------------
echo
echo "meldung vs nginx: the reference article page, $DURATION s per run, 127.0.0.1"
echo "machine:  nproc $NCPU, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null |
    sed 's/.*: //' || echo 'cpu unknown')"
NGV=$("$NGINX" -v 2>&1 | sed 's/.*: //')
WRKV=$("$WRK" -v 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
REV=$(git rev-parse --short HEAD 2>/dev/null || echo '(no commit)')
echo "versions: $NGV, $WRKV, meldung $REV"
GZS=n/a
[ "$GZIP_STATIC" -eq 1 ] && GZS=on
echo "nginx:    worker_processes $NCPU, ${USER_LINE:-(no user line)} sendfile, tcp_nopush,\
 open_file_cache, access_log off, gzip_static $GZS"
echo "page:     $REF_PATH, $PLAIN_BYTES bytes plain, $GZIP_BYTES bytes gzip"
echo "bodies:   $SAME"
[ -n "$GZIP_NOTE" ] && echo "note:     $GZIP_NOTE"
[ -n "$NOGZ_NOTE" ] && echo "note:     $NOGZ_NOTE"
echo "command:  $WRK ${WRK_ARGS[*]} [-H 'Accept-Encoding: gzip'] URL   (after a ${WARMUP} s warm-up)"
echo "          meldung URL $MURL"
echo "          nginx   URL $NURL"
echo
printf '%-6s %-8s %12s %10s %10s %8s\n' case server req/s p50_ms p99_ms errors
for c in $CASES; do
    for s in meldung nginx; do
        [ -n "${RPS[$c.$s]:-}" ] || continue
        printf '%-6s %-8s %12s %10s %10s %8s\n' "$c" "$s" "${RPS[$c.$s]}" "${P50[$c.$s]}" \
            "${P99[$c.$s]}" "${ERR[$c.$s]}"
    done
done
echo
for c in $CASES; do
    if [ -n "${RPS[$c.nginx]:-}" ]; then
        awk -v c="$c" -v m="${RPS[$c.meldung]}" -v n="${RPS[$c.nginx]}" \
            'BEGIN { printf "ratio meldung/nginx (req/s), %-5s: %.2f\n", c, (n > 0 ? m / n : 0) }'
    fi
done
for c in $CASES; do
    for s in meldung nginx; do
        if [ "${ERR[$c.$s]:-0}" != 0 ]; then
            echo "WARNING: $s $c had ${ERR[$c.$s]} errors or non-2xx answers; see wrk output:"
            cat "$TMP/wrk-$c-$s.txt"
        fi
    done
done
