#!/bin/sh
# Installs the Debian packages meldung builds, tests and benchmarks with,
# and the npm packages of the browser tests (tests/browser: puppeteer-core,
# axe-core; pinned in its package-lock.json, run against Debian's chromium,
# no browser is downloaded).
# Idempotent: packages already present are left alone; it prints what it installs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# Build and link (pkg-config names in the Makefile), test, benchmark; the feed
# readers tests/http/feeds_out.t reads the site's feeds with; the PostgreSQL
# server the PostgreSQL backend's tests start throwaway clusters of
# (tests/harness/pgtmp.sh; no cluster of the package's own is used).
PKGS="build-essential pkg-config clang
libmicrohttpd-dev libsqlite3-dev libjansson-dev zlib1g-dev libxxhash-dev
libxml2-dev libgumbo-dev libcurl4-openssl-dev libstemmer-dev libutf8proc-dev libpq-dev libssl-dev
libargon2-dev
wngerman
tzdata perl curl sqlite3 postgresql nginx-light wrk
python3-feedparser newsboat
libxml-libxml-perl
chromium"

# node and npm: Debian's (nodejs, npm) unless some node is there already
# (NodeSource's nodejs brings its own npm and conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1; then PKGS="$PKGS nodejs npm"; fi

# browser_modules: npm ci in tests/browser when node_modules is missing or
# older than the lock file.
browser_modules() {
    dir="$ROOT/tests/browser"
    if [ -f "$dir/node_modules/.package-lock.json" ] &&
       [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        echo "deps: tests/browser node_modules present"
        return 0
    fi
    echo "deps: npm ci --prefix tests/browser"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund
}

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    browser_modules
    exit 0
fi

echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
browser_modules
echo "deps: done"
