# shellcheck shell=bash
# lib.sh - what the bench scripts that start servers share (sourced by http.sh, sse.sh,
# crawl.sh and backup.sh):
# messages, a temp dir removed on exit together with the servers started (stopped by PID),
# a free port, and waiting for a server to answer.

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# bench_meldung: MELDUNG, else ./meldung built with make; dies when it is not an executable.
bench_meldung() {
    if [ -z "${MELDUNG:-}" ]; then
        make -s meldung >&2 || die "make failed"
        MELDUNG=./meldung
    fi
    [ -x "$MELDUNG" ] || die "$MELDUNG is not an executable"
}

# bench_gen_dw OUT COUNT PER_FILE INPUT...: runs bench/gen_dw.c (built into $TMP at the
# first call): COUNT digitalwires entries recombined from the INPUT files, under OUT.
bench_gen_dw() {
    if [ ! -x "$TMP/gen_dw" ]; then
        # shellcheck disable=SC2046
        ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$TMP/gen_dw" bench/gen_dw.c \
            $(pkg-config --cflags --libs jansson) || die "cannot build bench/gen_dw.c"
    fi
    "$TMP/gen_dw" "$@"
}

# bench_wire_inputs: sets the array inputs to the corpus's digitalwires samples ($CORPUS)
# and demo/*.json, what bench_gen_dw recombines.
bench_wire_inputs() {
    inputs=()
    local f
    for f in "$CORPUS"/dpa-digitalwires/to-newsmlg2/input/*.json \
        "$CORPUS"/dpa-digitalwires/s3push-example/input-*.json demo/*.json; do
        [ -f "$f" ] && inputs+=("$f")
    done
    return 0
}

# bench_tmp NAME: makes the temp dir $TMP; on exit (also on error or Ctrl-C) every PID in
# BENCH_PIDS is stopped and $TMP removed.
BENCH_PIDS=()
TMP=""
bench_tmp() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_stop PID: stops the server PID (a child of this shell) and waits for it.
bench_stop() {
    if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}

bench_cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${BENCH_PIDS[@]}"; do
        bench_stop "$pid"
    done
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}

# free_ports N: prints N free TCP ports of 127.0.0.1, space-separated.
free_ports() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
        return
    fi
    local p list="" n=0 tries=0
    while [ "$n" -lt "$1" ] && [ "$tries" -lt 200 ]; do
        tries=$((tries + 1))
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
        case " $list " in *" $p "*) continue ;; esac
        list="$list $p"
        n=$((n + 1))
    done
    [ "$n" -eq "$1" ] || die "no free port found"
    echo "$list"
}

# wait_http URL PID LOG: waits until URL answers (any HTTP status) while PID lives; at most
# 10 s. On failure prints the end of LOG.
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
