#!/usr/bin/env bash
# pg.sh - the same meldung on SQLite and on PostgreSQL, side by side in one run: ingest rate,
# database size, search latency by query class, uncached article renders, serve throughput
# with 1, 2 and 3 nodes on one PostgreSQL, and how long a change takes from one node's
# write to another node's page. Reported as ratios PostgreSQL/SQLite.
#
# Builds an archive of COUNT generated digitalwires entries (bench/gen_dw.c, as
# bench/ingest.sh does) plus WRITES more kept aside, starts a throwaway PostgreSQL cluster
# (tests/harness/pgtmp.sh) and:
#
#   1. ingest: `meldung ingest --quiet --db DB ARCHIVE` into a fresh SQLite file and into a
#      fresh PostgreSQL database, wall time of the whole command. PostgreSQL twice: once
#      with fsync, synchronous_commit and full_page_writes on (durable, as SQLite's
#      synchronous = FULL commits are), once as pgtmp.sh runs it (all three off: a test
#      cluster's settings, not a production one's). The rest runs on the second database,
#      after `VACUUM ANALYZE` (what autovacuum does soon after a bulk load);
#   2. size: the SQLite file after a WAL checkpoint, pg_database_size() after CHECKPOINT;
#   3. search: QUERIES queries of bench/search.c's classes (common, medium, rare noun, two
#      nouns, a phrase, a prefix*, an umlaut word as written and as ae/oe/ue), drawn from
#      the archive's own source texts with search.c's definitions, asked through
#      GET /suche?q=... of a `meldung serve` on each store (search answers are never
#      cached): one pass untimed, then REPEAT passes one at a time; p50/p99 per class;
#   4. renders: N distinct visible article URLs from a freshly started serve, each once
#      (every request a render with its "Weitere Meldungen"), one at a time and PARALLEL
#      at a time: req/s, p50, p99 (curl's time_total);
#   5. nodes: 1, 2 and 3 `meldung serve` on the one PostgreSQL database, freshly started,
#      the N URLs dealt round robin over them, PARALLEL at a time: req/s (and SQLite's one
#      node beside it);
#   6. propagation: node A takes pushes (POST /api/v1/push), node B serves /feed.xml; for
#      each of the WRITES entries kept aside, the time from sending the push to A until B's
#      /feed.xml (a cached page, dropped when B hears the change) links the new article,
#      polled every POLL_MS; p50 and max.
#
#   bench/pg.sh                          100,000 articles
#   COUNT=20000 N=2000 bench/pg.sh       smaller and quicker
#   QUERIES=300 REPEAT=3 PARALLEL=16 WRITES=20 POLL_MS=2 ...
#   DURABLE=0 ...                        skip the ingest with fsync on
#   MELDUNG=path/to/meldung ...          another binary (default ./meldung, built with make)
#   MLD_CORPUS=/path/to/corpus ...       the shared corpus (default ../shared/corpus)
#
# Needs curl (with --parallel), sqlite3, psql, python3 (query set, propagation timing),
# a C compiler with jansson (gen_dw) and a PostgreSQL server (pgtmp.sh). Everything runs
# on loopback and a Unix socket in a temp directory, removed on exit with the servers.
set -euo pipefail

cd "$(dirname "$0")/.."

COUNT=${COUNT:-100000}
N=${N:-2000}
QUERIES=${QUERIES:-300}
REPEAT=${REPEAT:-3}
PARALLEL=${PARALLEL:-16}
WRITES=${WRITES:-20}
POLL_MS=${POLL_MS:-2}
DURABLE=${DURABLE:-1}
CORPUS=${MLD_CORPUS:-../shared/corpus}
PGTMP=tests/harness/pgtmp.sh

# shellcheck source=bench/lib.sh
. bench/lib.sh

for v in COUNT N QUERIES REPEAT PARALLEL WRITES POLL_MS DURABLE; do
    case ${!v} in '' | *[!0-9]*) die "$v must be a number, got '${!v}'" ;; esac
done
for tool in curl sqlite3 psql python3 pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
curl --help all 2>/dev/null | grep -q -- '--parallel-max' || die "curl has no --parallel"
bench_meldung

bench_tmp meldung-pg
# The cluster's folder is not under $TMP: as root, pgtmp.sh runs the cluster as "postgres",
# which may not enter $TMP (mode 700).
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/meldung-pgc.XXXXXX")
PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
# On exit the servers first, then the cluster, then bench_cleanup removes $TMP.
# (set +e: under set -e the "(exit rc)" that hands bench_cleanup the status would end
# the shell before it.)
pg_cleanup() {
    local rc=$? pid
    set +e
    for pid in "${BENCH_PIDS[@]}"; do bench_stop "$pid"; done
    BENCH_PIDS=()
    sh "$PGTMP" stop "$PGDIR"
    (exit "$rc")
    bench_cleanup
}
trap pg_cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), (b > 0 ? a / b : 0) }'; }

# --- the archive ---------------------------------------------------------------------------
bench_wire_inputs
[ "${#inputs[@]}" -gt 0 ] || die "no digitalwires entries found (corpus or demo/)"
[ -d "$CORPUS/dpa-digitalwires" ] || note "$CORPUS/dpa-digitalwires not present: demo/ only"
note "generating $COUNT + $((3 * WRITES)) entries (bench/gen_dw.c)"
bench_gen_dw "$TMP/archive" $((COUNT + 3 * WRITES)) 1 "${inputs[@]}" >/dev/null
# The last 3 x WRITES entries (the newest) are pushed to a node in step 6, not ingested;
# the first WRITES of them that are stored visible (not held: the wire's advisories are)
# are timed.
mkdir -p "$TMP/writes"
find "$TMP/archive" -name '*.json' | sort | tail -n $((3 * WRITES)) | while read -r f; do
    mv "$f" "$TMP/writes/"
done

# --- PostgreSQL --------------------------------------------------------------------------------
PGURL=$(sh "$PGTMP" start "$PGDIR") || die "cannot start a PostgreSQL cluster ($PGTMP)"
# pg_as CMD...: as the cluster's owner (pgtmp.sh runs it as "postgres" when we are root).
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# pg_restart on|off: the cluster again with fsync, synchronous_commit and full_page_writes so.
pg_restart() {
    pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
    pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
        -o "-k $PGDIR -c listen_addresses= -c fsync=$1 -c synchronous_commit=$1 -c full_page_writes=$1" \
        start >/dev/null || die "PostgreSQL did not restart: $(tail -n 5 "$PGDIR/server.log")"
}
pgsql() { psql -X -q -At -v ON_ERROR_STOP=1 "$PGURL" -c "$1"; }
# pg_fresh: an empty database "meldung" again.
pg_fresh() {
    psql -X -q -v ON_ERROR_STOP=1 "postgresql:///postgres?host=$PGDIR&user=meldung" \
        -c 'DROP DATABASE IF EXISTS meldung' -c 'CREATE DATABASE meldung' >/dev/null
}

# --- 1. ingest -----------------------------------------------------------------------------------
# ingest DB: `meldung ingest` of the archive into DB; prints the wall seconds; checks that
# every entry was stored (new or held) and no file failed.
ingest() {
    local a b out new held
    sync
    a=$(now)
    out=$("$MELDUNG" ingest --quiet --db "$1" "$TMP/archive" 2>"$TMP/ingest.err") || {
        cat "$TMP/ingest.err" >&2
        die "meldung ingest --db $1 failed: $out"
    }
    b=$(now)
    new=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) new,.*/\1/p')
    held=$(printf '%s\n' "$out" | sed -n 's/.*, \([0-9][0-9]*\) held.*/\1/p')
    case $out in
    *" 0 failed"*) [ $((${new:-0} + ${held:-0})) = "$COUNT" ] || die "not all $COUNT stored: $out" ;;
    *) die "not all $COUNT entries stored: $out" ;;
    esac
    secs "$a" "$b"
}

SDB="$TMP/s.db"
note "ingest into SQLite"
s_ing=$(ingest "$SDB")
pd_ing=""
if [ "$DURABLE" = 1 ]; then
    note "ingest into PostgreSQL (fsync, synchronous_commit, full_page_writes on)"
    pg_restart on
    pd_ing=$(ingest "$PGURL")
    pg_fresh
    pg_restart off
fi
note "ingest into PostgreSQL (pgtmp.sh: fsync, synchronous_commit, full_page_writes off)"
p_ing=$(ingest "$PGURL")
pgsql 'VACUUM ANALYZE' >/dev/null

# --- 2. size -------------------------------------------------------------------------------------
sqlite3 "$SDB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
s_bytes=$(stat -c %s "$SDB")
pgsql 'CHECKPOINT' >/dev/null
p_bytes=$(pgsql 'SELECT pg_database_size(current_database())')
ARTICLES=$(sqlite3 "$SDB" 'SELECT count(*) FROM article')
p_articles=$(pgsql 'SELECT count(*) FROM article')
[ "$ARTICLES" = "$p_articles" ] || die "SQLite holds $ARTICLES articles, PostgreSQL $p_articles"

# --- servers ---------------------------------------------------------------------------------------
# serve NAME DB [CONFIG]: starts `meldung serve` on a free port (killed on exit); sets
# SPID and SBASE.
serve() {
    local port log="$TMP/$1.log" conf=()
    [ -n "${3:-}" ] && conf=(--config "$3")
    read -r port <<<"$(free_ports 1)"
    "$MELDUNG" serve --db "$2" "${conf[@]}" --listen "127.0.0.1:$port" >>"$log" 2>&1 &
    SPID=$!
    BENCH_PIDS+=("$SPID")
    SBASE="http://127.0.0.1:$port"
    wait_http "$SBASE/healthz" "$SPID" "$log" || die "meldung serve --db $2 did not come up"
}
# fetch NAME PAR URLS: every URL of the file URLS once, PAR at a time; writes
# "code seconds" per transfer to $TMP/NAME.times, prints the wall seconds; dies unless all 200.
fetch() {
    local a b bad
    awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$3" >"$TMP/$1.cfg"
    a=$(now)
    curl -s --no-progress-meter -Z --parallel-max "$2" -K "$TMP/$1.cfg" \
        -w '%{http_code} %{time_total}\n' >"$TMP/$1.times"
    b=$(now)
    bad=$(awk '$1 != 200' "$TMP/$1.times" | wc -l)
    [ "$bad" -eq 0 ] || die "$1: $bad of $(wc -l <"$3") answers were not 200"
    secs "$a" "$b"
}
# pct FILE: "p50 p99" (ms) of the second column (seconds).
pct() {
    awk '{ print $2 * 1000 }' "$1" | sort -n | awk '{ v[NR] = $1 }
        END { printf "%.2f %.2f\n", v[int(NR * 0.5) + (NR == 1)], v[int(NR * 0.99) + (NR < 100)] }'
}
stop_all() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do bench_stop "$pid"; done
    BENCH_PIDS=()
}

# --- 3. search -------------------------------------------------------------------------------------
note "drawing $QUERIES queries"
cat >"$TMP/queries.py" <<'EOF'
# The query classes of bench/search.c, drawn from the texts gen_dw recombines: each input's
# headline, teaser and body paragraphs are the source texts (df counts them). Prints
# "class<TAB>urlencoded query" lines, the same set on every run.
import html, json, random, re, sys, urllib.parse
total = int(sys.argv[1])
docs = []
for path in sys.argv[2:]:
    e = json.load(open(path, encoding="utf-8"))
    docs.append(e.get("headline") or "")
    docs.append(e.get("teaser") or "")
    for p in re.split(r"<p\b", e.get("article_html") or ""):
        docs.append(html.unescape(re.sub(r"<[^>]*>", " ", "<p" + p)))
docs = [d for d in docs if d.strip()]
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
n, df, cap_mid = {}, {}, {}
sents = []
for d in docs:
    seen = set()
    for s in re.split(r"(?<=[.!?:])\s+", d):
        words = [m.group(0) for m in WORD.finditer(s)]
        sents.append((len(docs), words))
        for i, w in enumerate(words):
            n[w] = n.get(w, 0) + 1
            if i > 0 and w[0].isupper():
                cap_mid[w] = cap_mid.get(w, 0) + 1
            seen.add(w)
    for w in seen:
        df[w] = df.get(w, 0) + 1
def lower(w): return w[0].lower() + w[1:]
def is_noun(w):
    b = len(w.encode())
    if b < 4 or b > 40 or not w[0].isupper() or cap_mid.get(w, 0) * 2 < n[w]:
        return False
    return n.get(lower(w), 0) * 4 < n[w]
STOP = set("""aber alle allen aller alles als auch beim bereits damit dann dass denn diese diesem
diesen dieser dieses doch durch eine einem einen einer eines etwa gegen habe haben hatte hatten
immer jedoch kann keine keinen mehr nach nicht noch oder ohne schon sein seine seinem seinen
seiner sich sind soll sollen sowie über unter vom wegen weil wenn werden wird wollen worden
wurde wurden zwischen ihre ihrem ihren ihrer unsere viele vielen sagte zudem sowohl einmal rund
seit bisher derzeit jetzt""".split())
UML = re.compile("[ÄÖÜäöüß]")
def translit(w):
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        w = w.replace(a, b)
    return w
nouns = sorted((w for w in n if is_noun(w)), key=lambda w: (-df[w], w))
fits = {
    "common word": lambda w, r: r < 150,
    "medium word": lambda w, r: 8 <= df[w] <= 30,
    "rare word": lambda w, r: df[w] == 1 and len(w.encode()) >= 6,
    "prefix*": lambda w, r: df[w] >= 3 and len(w.encode()) >= 9 and w[:7].isascii(),
    "umlaut word": lambda w, r: df[w] >= 3 and UML.search(w),
    "umlaut as ae/oe/ue": lambda w, r: df[w] >= 3 and UML.search(w),
}
share = [("common word", 60), ("medium word", 60), ("rare word", 40), ("two words (AND)", 40),
         ("phrase", 30), ("prefix*", 40), ("umlaut word", 20), ("umlaut as ae/oe/ue", 10)]
rng = random.Random(20261207)
out, have = [], set()
for cls, sh in share:
    want = max(1, (sh * total + 150) // 300)
    cand = [w for r, w in enumerate(nouns) if cls in fits and fits[cls](w, r)]
    got = 0
    for _ in range(want * 50):
        if got == want:
            break
        q = None
        if cls == "two words (AND)":
            _, ws = rng.choice(sents)
            ns = [w for w in ws if w in df and is_noun(w) and df[w] >= 8]
            if len(set(ns)) >= 2:
                a = rng.choice(ns)
                b = rng.choice([w for w in ns if w != a])
                q = a + " " + b
        elif cls == "phrase":
            _, ws = rng.choice(sents)
            for i in range(1, len(ws) - 1):
                p, w = ws[i], ws[i + 1]
                if (len(p) >= 4 and p[0].islower() and p not in STOP and is_noun(w) and df[w] >= 3):
                    q = '"%s %s"' % (p, w)
                    break
        elif cand:
            w = rng.choice(cand)
            if cls == "prefix*":
                k = rng.randint(5, 7)
                q = w[:k] + "*" if w[:k].isalpha() else None
            elif cls == "umlaut as ae/oe/ue":
                q = translit(w)
            else:
                q = w
        if q and q not in have:
            have.add(q)
            out.append((cls, q))
            got += 1
    if got < want:
        print("bench: only %d of %d %s queries" % (got, want, cls), file=sys.stderr)
for cls, q in out:
    print("%s\t%s\t%s" % (cls, urllib.parse.quote(q), q))
EOF
python3 "$TMP/queries.py" "$QUERIES" "${inputs[@]}" >"$TMP/queries"
NQ=$(wc -l <"$TMP/queries")
[ "$NQ" -gt 0 ] || die "no queries drawn"

CLASSES=("common word" "medium word" "rare word" "two words (AND)" "phrase" "prefix*"
    "umlaut word" "umlaut as ae/oe/ue")
# search NAME DB: the queries through /suche on a fresh serve of DB, one untimed pass, then
# REPEAT timed passes one at a time; leaves "class<TAB>ms" lines in $TMP/NAME.search.
search() {
    serve "$1-search" "$2"
    awk -F'\t' -v b="$SBASE" '{ print b "/suche?q=" $2 }' "$TMP/queries" >"$TMP/q.urls"
    fetch "$1-warm" 1 "$TMP/q.urls" >/dev/null
    : >"$TMP/$1.search"
    for _ in $(seq 1 "$REPEAT"); do
        fetch "$1-q" 1 "$TMP/q.urls" >/dev/null
        paste -d'\t' <(cut -f1 "$TMP/queries") <(awk '{ print $2 * 1000 }' "$TMP/$1-q.times") \
            >>"$TMP/$1.search"
    done
    # Hits per query (the first pass's page): how many queries found nothing.
    stop_all
}
note "search on SQLite, then PostgreSQL ($NQ queries x $REPEAT)"
search s "$SDB"
search p "$PGURL"
# cls_pct NAME CLASS: "p50 p99" of CLASS ("" = all).
cls_pct() {
    awk -F'\t' -v c="$2" 'c == "" || $1 == c { print "x", $2 / 1000 }' "$TMP/$1.search" >"$TMP/cls"
    pct "$TMP/cls"
}

# --- 4. renders -------------------------------------------------------------------------------------
sqlite3 "$SDB" "SELECT '/artikel/' || slug || '-' || id FROM article WHERE pubstatus = 0 \
    AND visible_from <= strftime('%s', 'now') ORDER BY random() LIMIT $N" >"$TMP/s.paths"
pgsql "SELECT '/artikel/' || slug || '-' || id FROM article WHERE pubstatus = 0 \
    AND visible_from <= extract(epoch FROM now()) ORDER BY random() LIMIT $N" >"$TMP/p.paths"
N=$(wc -l <"$TMP/s.paths")
if [ "$N" -eq 0 ] || [ "$(wc -l <"$TMP/p.paths")" != "$N" ]; then
    die "not $N visible articles in both stores"
fi
# crawl NAME DB PAR: the N paths once each, PAR at a time, from a fresh serve of DB;
# prints "req/s p50 p99".
crawl() {
    local w
    serve "$1" "$2"
    sed "s|^|$SBASE|" "$TMP/${1:0:1}.paths" >"$TMP/$1.urls"
    w=$(fetch "$1" "$3" "$TMP/$1.urls")
    stop_all
    echo "$(rate "$N" "$w") $(pct "$TMP/$1.times")"
}
note "crawling $N article pages on each store, 1 then $PARALLEL at a time"
read -r s1_rps s1_p50 s1_p99 <<<"$(crawl s1 "$SDB" 1)"
read -r p1_rps p1_p50 p1_p99 <<<"$(crawl p1 "$PGURL" 1)"
read -r sp_rps sp_p50 sp_p99 <<<"$(crawl sp "$SDB" "$PARALLEL")"
read -r pp_rps pp_p50 pp_p99 <<<"$(crawl pp "$PGURL" "$PARALLEL")"

# --- 5. nodes ---------------------------------------------------------------------------------------
# nodes K: K fresh serves on the PostgreSQL database, the N paths dealt round robin,
# PARALLEL at a time; prints "req/s p50 p99".
nodes() {
    local k bases=() w
    for k in $(seq 1 "$1"); do
        serve "node$k" "$PGURL"
        bases+=("$SBASE")
    done
    awk -v b="${bases[*]}" 'BEGIN { n = split(b, base, " ") } { print base[(NR - 1) % n + 1] $0 }' \
        "$TMP/p.paths" >"$TMP/nodes.urls"
    w=$(fetch "nodes$1" "$PARALLEL" "$TMP/nodes.urls")
    stop_all
    echo "$(rate "$N" "$w") $(pct "$TMP/nodes$1.times")"
}
note "1, 2 and 3 serve nodes on PostgreSQL"
node_rows=()
for k in 1 2 3; do
    node_rows+=("$(nodes "$k")")
done

# --- 6. propagation ---------------------------------------------------------------------------------
note "propagation: $WRITES pushes to node A, seen on node B's /feed.xml"
"$MELDUNG" token >"$TMP/token"
TOKEN=$(head -n 1 "$TMP/token")
tail -n +2 "$TMP/token" >"$TMP/push.conf"
echo "quarantine = $TMP/quarantine" >>"$TMP/push.conf"
serve nodeA "$PGURL" "$TMP/push.conf"
ABASE=$SBASE
serve nodeB "$PGURL"
BBASE=$SBASE
curl -s -o /dev/null "$BBASE/feed.xml"
cat >"$TMP/prop.py" <<'EOF'
# Pushes each file to node A; the delay is from sending the push until node B's /feed.xml
# links the new article (its id: the largest id before the push plus one, read with psql).
# Entries the push stores held (advisories) are not timed; stops after `want` timed ones.
import json, re, subprocess, sys, time, urllib.request
a, b, token, url, poll = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]) / 1000
want_n = int(sys.argv[6])
delays = []
for path in sys.argv[7:]:
    if len(delays) == want_n:
        break
    last = int(subprocess.check_output(["psql", "-X", "-At", url, "-c", "SELECT max(id) FROM article"]))
    want = re.compile(r'/artikel/[^"<]*-%d[<"]' % (last + 1))
    body = open(path, "rb").read()
    req = urllib.request.Request(a + "/api/v1/push", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req) as r:
        if r.status // 100 != 2:
            sys.exit("push of %s: HTTP %d" % (path, r.status))
        if json.load(r).get("new") != 1:
            continue
    while True:
        page = urllib.request.urlopen(b + "/feed.xml").read().decode("utf-8")
        if want.search(page):
            break
        if time.monotonic() - t0 > 10:
            sys.exit("article %d not on node B's /feed.xml after 10 s" % (last + 1))
        time.sleep(poll)
    delays.append((time.monotonic() - t0) * 1000)
    time.sleep(0.3)
delays.sort()
print("%.1f %.1f %d" % (delays[len(delays) // 2], delays[-1], len(delays)))
EOF
prop=$(python3 "$TMP/prop.py" "$ABASE" "$BBASE" "$TOKEN" "$PGURL" "$POLL_MS" "$WRITES" \
    "$TMP"/writes/*.json) || die "propagation: $prop"
read -r prop_p50 prop_max prop_n <<<"$prop"
stop_all

# --- report -------------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo
echo "machine:  $(uname -srm), $(nproc) CPUs, $cpu; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $("$MELDUNG" --version), SQLite $(sqlite3 --version | cut -d' ' -f1)," \
    "$(pgsql 'SHOW server_version')"
echo "store:    $COUNT generated digitalwires entries (bench/gen_dw.c), $ARTICLES articles"
echo "commands: meldung ingest --quiet --db DB ARCHIVE   (DB = s.db, postgresql:///meldung?host=...)"
echo "          curl -s -Z --parallel-max P -K URLS -w '%{http_code} %{time_total}\\n'"
echo "          search: GET /suche?q=Q, $NQ queries x $REPEAT passes, one at a time, after one untimed pass"
echo "          renders: $N distinct /artikel/SLUG-ID each once from a fresh serve, P = 1 and $PARALLEL"
echo "PostgreSQL as tests/harness/pgtmp.sh runs it: fsync, synchronous_commit, full_page_writes off;"
echo "          'durable': the same cluster restarted with the three on; VACUUM ANALYZE after the ingest"
echo
row() { printf '%-34s %12s %12s %8s\n' "$@"; }
row figure SQLite PostgreSQL PG/SQLite
row "ingest articles/s" "$(rate "$COUNT" "$s_ing")" "$(rate "$COUNT" "$p_ing")" \
    "$(ratio "$(rate "$COUNT" "$p_ing")" "$(rate "$COUNT" "$s_ing")")"
[ -n "$pd_ing" ] && row "ingest articles/s (durable PG)" "$(rate "$COUNT" "$s_ing")" \
    "$(rate "$COUNT" "$pd_ing")" "$(ratio "$(rate "$COUNT" "$pd_ing")" "$(rate "$COUNT" "$s_ing")")"
row "database MB" "$(awk -v b="$s_bytes" 'BEGIN { printf "%.0f", b / 1e6 }')" \
    "$(awk -v b="$p_bytes" 'BEGIN { printf "%.0f", b / 1e6 }')" "$(ratio "$p_bytes" "$s_bytes")"
for c in "" "${CLASSES[@]}"; do
    read -r a50 a99 <<<"$(cls_pct s "$c")"
    read -r b50 b99 <<<"$(cls_pct p "$c")"
    row "search ${c:-all} p50 ms" "$a50" "$b50" "$(ratio "$b50" "$a50")"
    row "search ${c:-all} p99 ms" "$a99" "$b99" "$(ratio "$b99" "$a99")"
done
row "render 1 at a time p50 ms" "$s1_p50" "$p1_p50" "$(ratio "$p1_p50" "$s1_p50")"
row "render 1 at a time p99 ms" "$s1_p99" "$p1_p99" "$(ratio "$p1_p99" "$s1_p99")"
row "render 1 at a time req/s" "$s1_rps" "$p1_rps" "$(ratio "$p1_rps" "$s1_rps")"
row "render $PARALLEL at a time req/s" "$sp_rps" "$pp_rps" "$(ratio "$pp_rps" "$sp_rps")"
row "render $PARALLEL at a time p50 ms" "$sp_p50" "$pp_p50" "$(ratio "$pp_p50" "$sp_p50")"
row "render $PARALLEL at a time p99 ms" "$sp_p99" "$pp_p99" "$(ratio "$pp_p99" "$sp_p99")"
echo
printf '%-34s %12s %9s %9s %14s\n' "serve nodes on PostgreSQL" req/s p50_ms p99_ms "vs SQLite 1"
for k in 1 2 3; do
    read -r r a b <<<"${node_rows[$((k - 1))]}"
    printf '%-34s %12s %9s %9s %14s\n' "$k node(s), $PARALLEL at a time" "$r" "$a" "$b" \
        "$(ratio "$r" "$sp_rps")"
done
echo
echo "propagation (push to node A -> node B's /feed.xml, polled every $POLL_MS ms, $prop_n writes):" \
    "p50 $prop_p50 ms, max $prop_max ms"
