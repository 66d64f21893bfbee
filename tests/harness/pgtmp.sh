#!/bin/sh
# pgtmp.sh - a throwaway PostgreSQL cluster for the tests and benches.
#
#   pgtmp.sh start DIR   initdb in DIR, start the server, print its URL
#   pgtmp.sh standby PRIMARY DIR
#                        a hot standby of the cluster in PRIMARY (started
#                        with `start`), streaming from it: copy its data
#                        (pg_basebackup), start it in DIR, print its URL
#   pgtmp.sh stop DIR    stop it at once and remove DIR
#
# The server listens on a Unix socket in DIR only (no TCP port to collide
# with), trusts local connections (the socket is in a private folder), and
# runs without fsync: the tests kill meldung, never the database, and a
# test cluster is thrown away anyway. PostgreSQL refuses to run as root;
# as root the cluster belongs to the unprivileged user "postgres" (made by
# Debian's postgresql package, which scripts/deps.sh installs).
# Exit status 2 with a message when no PostgreSQL server is installed, so a
# caller can skip.
set -eu

usage() { echo "usage: pgtmp.sh start|stop DIR, pgtmp.sh standby PRIMARY DIR" >&2; exit 64; }
[ $# -ge 2 ] || usage
cmd=$1
if [ "$cmd" = standby ]; then
    [ $# -eq 3 ] || usage
    primary=$(cd "$2" && pwd)
    dir=$3
else
    [ $# -eq 2 ] || usage
    dir=$2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "pgtmp: no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb)" >&2
    exit 2
fi

# as_owner CMD...: runs CMD as the cluster's owner.
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    as_owner() { runuser -u "$owner" -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

# make_dir: DIR, made private to the cluster's owner; dir becomes absolute.
make_dir() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 700 "$dir"
    [ "$owner" = "$(id -un)" ] || chown "$owner" "$dir"
}

# start_server: starts the cluster in DIR/data on the socket in DIR.
start_server() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
}

case $cmd in
start)
    make_dir
    as_owner "$bindir/initdb" -D "$dir/data" -U meldung -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    start_server
    as_owner "$bindir/createdb" -h "$dir" -U meldung meldung
    echo "postgresql:///meldung?host=$dir&user=meldung"
    ;;
standby)
    make_dir
    # -R writes the standby's settings (primary_conninfo, standby.signal);
    # initdb's trust rules let the local user replicate.
    as_owner "$bindir/pg_basebackup" -h "$primary" -U meldung -D "$dir/data" -R -X stream \
        --no-sync >"$dir/basebackup.log" 2>&1 ||
        { cat "$dir/basebackup.log" >&2; exit 1; }
    start_server
    echo "postgresql:///meldung?host=$dir&user=meldung"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
        >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
