#!/bin/sh
# Installs the Debian packages meldung builds, tests and benchmarks with.
# Idempotent: packages already present are left alone; it prints what it installs.
set -eu

# Build and link (pkg-config names in the Makefile), test, benchmark; the feed
# readers tests/http/feeds_out.t reads the site's feeds with.
PKGS="build-essential pkg-config clang
libmicrohttpd-dev libsqlite3-dev libjansson-dev zlib1g-dev libxxhash-dev
libxml2-dev libgumbo-dev libcurl4-openssl-dev libstemmer-dev libutf8proc-dev libpq-dev libssl-dev
wngerman
tzdata perl curl sqlite3 nginx-light wrk
python3-feedparser newsboat
libxml-libxml-perl"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
