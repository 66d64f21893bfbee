#!/usr/bin/env bash
# http.sh - meldung vs nginx on the reference article page and two feeds, side by side in
# one run.
#
# Loads the demo wire into a fresh store, starts `meldung serve`, downloads from it the
# reference article page, the home page's RSS feed (/feed.xml) and one section's Atom feed
# (/ressort/SLUG/atom.xml), each plain and gzip, and gives nginx exactly those bytes as
# static files. Then wrk loads each server with the same command, plain and gzip, and a
# table compares requests per second and latency. Everything runs on 127.0.0.1 in a
# temporary directory that is removed on exit; both servers are stopped by PID.
#
#   bench/http.sh                 10 s per run
#   DURATION=30 bench/http.sh     30 s per run
#   TARGETS="page rss" ...        only these of page, rss and atom
#   MELDUNG=path/to/meldung ...   use that binary (default ./meldung, built with make)
#   NGINX=path/to/nginx ...       use that nginx (default /usr/sbin/nginx)
#   BENCH_PATH=/artikel/... ...   benchmark this path instead of searching for the article
#   FEED_SECTION=SLUG ...         this section's Atom feed (default: the home page's first)
#   CRAWL=0 ...                   skip bench/crawl.sh (run after the table by default:
#                                 distinct article pages of a generated store, every one a
#                                 render, then cached, beside nginx; its variables apply)
set -euo pipefail

cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
TARGETS=${TARGETS:-page rss atom}
NEEDLE=aussenminister-bereiten-gipfeltreffen

# shellcheck source=bench/lib.sh
. bench/lib.sh

case $DURATION in '' | *[!0-9]*) die "DURATION must be whole seconds, got '$DURATION'" ;; esac
case $WARMUP in '' | *[!0-9]*) die "WARMUP must be whole seconds, got '$WARMUP'" ;; esac
for t in $TARGETS; do
    case $t in page | rss | atom) ;; *) die "TARGETS takes page, rss and atom, got '$t'" ;; esac
done
for tool in curl gzip cmp "$WRK" "$NGINX"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done

bench_meldung

# --- temp dir, ports -----------------------------------------------------------------------
bench_tmp meldung-bench
read -r PORT NGPORT <<<"$(free_ports 2)"
MBASE="http://127.0.0.1:$PORT"
NBASE="http://127.0.0.1:$NGPORT"

# --- meldung: ingest the demo wire, serve it -----------------------------------------------
note "ingest demo/ into $TMP/bench.db"
if ! "$MELDUNG" ingest --db "$TMP/bench.db" demo/ >"$TMP/ingest.log" 2>&1; then
    tail -n 30 "$TMP/ingest.log" >&2
    die "meldung ingest failed"
fi
note "start meldung serve on 127.0.0.1:$PORT"
"$MELDUNG" serve --db "$TMP/bench.db" --listen "127.0.0.1:$PORT" >"$TMP/meldung.log" 2>&1 &
MPID=$!
BENCH_PIDS+=("$MPID")
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
note "reference article: $MBASE$REF_PATH"
# The section of the Atom feed: FEED_SECTION, else the first section the home page links to.
SECTION=${FEED_SECTION:-}
if [ -z "$SECTION" ]; then
    SECTION=$(curl -s --max-time 5 "$MBASE/" | grep -oE 'href="/ressort/[a-z0-9-]+"' | head -n 1 |
        sed -E 's#href="/ressort/##; s#"$##' || true)
fi

# What is measured: NAME -> meldung's path and the file nginx serves with the same bytes.
declare -A MPATH NFILE
MPATH[page]=$REF_PATH
NFILE[page]=ref.html
MPATH[rss]=/feed.xml
NFILE[rss]=home.rss
MPATH[atom]=/ressort/$SECTION/atom.xml
NFILE[atom]=section.atom
case " $TARGETS " in
*" atom "*) [ -n "$SECTION" ] || die "no /ressort/ link on $MBASE/ (set FEED_SECTION)" ;;
esac

# --- the same bytes for nginx --------------------------------------------------------------
WWW="$TMP/www"
mkdir -p "$WWW" "$TMP/nginx"
declare -A PLAIN_BYTES GZIP_BYTES
GZIP_NOTE=""
# Downloads target t from meldung, plain and gzip, into the document root.
fetch_target() {
    local t=$1 url="$MBASE${MPATH[$1]}" f="$WWW/${NFILE[$1]}"
    curl -sS --fail --max-time 10 -D "$TMP/plain.hdr" -o "$f" "$url" || die "GET $url failed"
    if grep -qi '^content-encoding:' "$TMP/plain.hdr"; then
        die "meldung sent Content-Encoding without Accept-Encoding: $(grep -i '^content-encoding:' "$TMP/plain.hdr")"
    fi
    curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/gzip.hdr" \
        -o "$TMP/meldung.gz" "$url" || die "GET $url (gzip) failed"
    if grep -qiE '^content-encoding:[[:space:]]*gzip' "$TMP/gzip.hdr"; then
        gzip -dc "$TMP/meldung.gz" | cmp -s - "$f" ||
            die "meldung's gzip body of $url does not decompress to its plain body"
        cp "$TMP/meldung.gz" "$f.gz"
    else
        GZIP_NOTE="${GZIP_NOTE:+$GZIP_NOTE; }meldung answered $t without gzip: nginx serves gzip -9 of it"
        note "$url: no gzip from meldung"
        gzip -9 -n -c "$f" >"$f.gz"
    fi
    # The nginx workers may run as nobody: let them read the document root.
    chmod 644 "$f" "$f.gz"
    PLAIN_BYTES[$t]=$(wc -c <"$f")
    GZIP_BYTES[$t]=$(wc -c <"$f.gz")
}
for t in $TARGETS; do
    fetch_target "$t"
done
chmod 755 "$TMP" "$WWW"

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
        runuser -u nobody -g nogroup -- test -r "$WWW/${NFILE[${TARGETS%% *}]}" 2>/dev/null; then
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
        application/rss+xml rss;
        application/atom+xml atom;
    }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html application/rss+xml application/atom+xml;
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
BENCH_PIDS+=("$NPID")
wait_http "$NBASE/" "$NPID" "$TMP/nginx/error.log" || die "nginx did not come up"

# --- both servers must send the same bytes -------------------------------------------------
declare -A SAME
# Compares target t's bodies from both servers, plain and gzip, into SAME[t].
check_target() {
    local t=$1 murl="$MBASE${MPATH[$1]}" nurl="$NBASE/${NFILE[$1]}"
    curl -sS --fail --max-time 10 -o "$TMP/check-m" "$murl"
    curl -sS --fail --max-time 10 -o "$TMP/check-n" "$nurl"
    cmp -s "$TMP/check-m" "$TMP/check-n" || die "$t: plain bodies differ between meldung and nginx"
    SAME[$t]="plain: identical (${PLAIN_BYTES[$t]} bytes)"
    curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/check-m.hdr" \
        -o "$TMP/check-m.gz" "$murl"
    curl -sS --fail --max-time 10 -H 'Accept-Encoding: gzip' -D "$TMP/check-n.hdr" \
        -o "$TMP/check-n.gz" "$nurl"
    [ "$GZIP_STATIC" -eq 1 ] || return 0
    grep -qiE '^content-encoding:[[:space:]]*gzip' "$TMP/check-n.hdr" ||
        die "nginx did not serve the .gz file of $t (gzip_static)"
    if cmp -s "$TMP/check-m.gz" "$TMP/check-n.gz"; then
        SAME[$t]="${SAME[$t]}; gzip: identical (${GZIP_BYTES[$t]} bytes)"
    else
        SAME[$t]="${SAME[$t]}; gzip: DIFFERENT bodies (meldung $(wc -c <"$TMP/check-m.gz"),\
 nginx ${GZIP_BYTES[$t]} bytes)"
    fi
}
for t in $TARGETS; do
    check_target "$t"
    note "bodies of $t: ${SAME[$t]}"
done

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
# Loads url with wrk: row key (target.case.server), case plain or gzip.
run_wrk() {
    local key=$1 case=$2 url=$3 out="$TMP/wrk-$1.txt" hdr=()
    [ "$case" = gzip ] && hdr=(-H 'Accept-Encoding: gzip')
    if [ "$WARMUP" -gt 0 ]; then
        "$WRK" -t2 -c64 -d"${WARMUP}s" "${hdr[@]}" "$url" >/dev/null 2>&1 || true
    fi
    note "wrk $key ($DURATION s)"
    "$WRK" "${WRK_ARGS[@]}" "${hdr[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    RPS[$key]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    P50[$key]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    P99[$key]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    ERR[$key]=$(awk '
        /Non-2xx or 3xx responses:/ { e += $NF }
        /Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
        END { print e + 0 }' "$out")
}
CASES="plain gzip"
for t in $TARGETS; do
    for c in $CASES; do
        run_wrk "$t.$c.meldung" "$c" "$MBASE${MPATH[$t]}"
        run_wrk "$t.$c.nginx" "$c" "$NBASE/${NFILE[$t]}"
    done
done

# --- report ----------------------------------------------------------------------------------
echo
echo "meldung vs nginx: cached page and feeds ($TARGETS), $DURATION s per run, 127.0.0.1"
echo "machine:  nproc $NCPU, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null |
    sed 's/.*: //' || echo 'cpu unknown'), load $(cut -d' ' -f1-3 /proc/loadavg)"
NGV=$("$NGINX" -v 2>&1 | sed 's/.*: //')
WRKV=$("$WRK" -v 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
REV=$(git rev-parse --short HEAD 2>/dev/null || echo '(no commit)')
echo "versions: $NGV, $WRKV, meldung $REV"
GZS=n/a
[ "$GZIP_STATIC" -eq 1 ] && GZS=on
echo "nginx:    worker_processes $NCPU, ${USER_LINE:-(no user line)} sendfile, tcp_nopush,\
 open_file_cache, access_log off, gzip_static $GZS"
for t in $TARGETS; do
    printf '%-9s %s (nginx: /%s), %s bytes plain, %s bytes gzip\n' "$t:" "${MPATH[$t]}" \
        "${NFILE[$t]}" "${PLAIN_BYTES[$t]}" "${GZIP_BYTES[$t]}"
    printf '          bodies: %s\n' "${SAME[$t]}"
done
[ -n "$GZIP_NOTE" ] && echo "note:     $GZIP_NOTE"
[ -n "$NOGZ_NOTE" ] && echo "note:     $NOGZ_NOTE"
echo "command:  $WRK ${WRK_ARGS[*]} [-H 'Accept-Encoding: gzip'] URL   (after a ${WARMUP} s warm-up)"
echo "          meldung URL $MBASE/PATH, nginx URL $NBASE/FILE"
echo
printf '%-6s %-6s %-8s %12s %10s %10s %8s %8s\n' target case server req/s p50_ms p99_ms errors ratio
for t in $TARGETS; do
    for c in $CASES; do
        for s in meldung nginx; do
            k=$t.$c.$s
            [ -n "${RPS[$k]:-}" ] || continue
            ratio=""
            [ "$s" = meldung ] && ratio=$(awk -v m="${RPS[$k]}" -v n="${RPS[$t.$c.nginx]:-0}" \
                'BEGIN { printf "%.2f", (n > 0 ? m / n : 0) }')
            printf '%-6s %-6s %-8s %12s %10s %10s %8s %8s\n' "$t" "$c" "$s" "${RPS[$k]}" \
                "${P50[$k]}" "${P99[$k]}" "${ERR[$k]}" "$ratio"
        done
    done
done
echo
echo "ratio: meldung req/s / nginx req/s for the same bytes; >= 1.00 meets the bar"
for t in $TARGETS; do
    for c in $CASES; do
        for s in meldung nginx; do
            if [ "${ERR[$t.$c.$s]:-0}" != 0 ]; then
                echo "WARNING: $s $t $c had ${ERR[$t.$c.$s]} errors or non-2xx answers; see wrk output:"
                cat "$TMP/wrk-$t.$c.$s.txt"
            fi
        done
    done
done

# --- the crawl: every request a render --------------------------------------------------------
# bench/crawl.sh: N distinct article pages of a generated store, no cache hits, beside nginx.
if [ "${CRAWL:-1}" = 1 ]; then
    echo
    MELDUNG=$MELDUNG NGINX=$NGINX bench/crawl.sh
fi
