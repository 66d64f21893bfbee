#!/usr/bin/env perl
# End to end: running meldung as a service (docs/internals/observability.md).
#
#   * log lines: RFC 3339 timestamps, text and JSON (MELDUNG_LOG_FORMAT,
#     [log] format), control characters in a file name escaped;
#   * the access log of `meldung serve`, JSON and combined, with what a
#     client sent (target, user agent, referer) escaped;
#   * /metrics parsed whole with the exposition format's rules, counters
#     that move after requests, and who may read it;
#   * /healthz: ok, stale ingest, an empty store;
#   * configuration errors naming file, line and reason.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;
use IO::Socket::INET;
use JSON::PP;

my ($bin, $tmp) = start(120);

# run(ENV, ARGS...): runs the binary with ENV added to the environment;
# returns its exit status and what it wrote to standard error.
sub run {
    my ($env, @args) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        $ENV{$_} = $env->{$_} for keys %$env;
        open(STDERR, '>', "$tmp/stderr") or die;
        open(STDOUT, '>', "$tmp/stdout") or die;
        exec($bin, @args) or exit 127;
    }
    waitpid($pid, 0);
    return ($? >> 8, slurp("$tmp/stderr"));
}

sub write_file {
    my ($path, $text) = @_;
    open(my $f, '>', $path) or die "$path: $!";
    print $f $text;
    close($f);
}

# --- log lines ------------------------------------------------------------

my $evil = "$tmp/no\nsuch\x1b[31mfile";
my ($rc, $err) = run({}, 'ingest', '--db', "$tmp/log.db", $evil);
is($rc, 1, 'ingest of a missing file fails');
my @lines = split /\n/, $err;
my @errs = grep { /meldung: error:/ } @lines;
is(scalar(@errs), 1, 'one error line for the file, though its name holds a newline') or diag($err);
like($errs[0] // '', qr/^$TS meldung: error: \Q$tmp\E\/no\\nsuch\\x1b\[31mfile: /,
     'text line: timestamp, level, the name with \n and \x1b escaped');
unlike($err, qr/\x1b/, 'no raw escape byte reaches standard error');

($rc, $err) = run({MELDUNG_LOG_FORMAT => 'json'}, 'ingest', '--db', "$tmp/log.db", $evil);
my @objs = map { my $o = eval { decode_json($_) }; $o } split /\n/, $err;
ok(@objs && !grep({ !defined } @objs), 'MELDUNG_LOG_FORMAT=json: every line is a JSON object')
    or diag($err);
my ($fail) = grep { defined && $_->{level} eq 'error' } @objs;
like($fail->{ts} // '', qr/^$TS$/, 'json: ts in RFC 3339 UTC with milliseconds');
like($fail->{msg} // '', qr/^\Q$evil\E: /, 'json: msg decodes to the name as it was');
unlike($err, qr/[\x00-\x09\x0b-\x1f]/, 'json: no raw control character in the lines');

write_file("$tmp/json.conf", "[log]\nformat = json\n");
($rc, $err) = run({}, 'ingest', '--config', "$tmp/json.conf", '--db', "$tmp/log.db", $evil);
like($err, qr/^\{"ts":"$TS","level":"error","msg":"/m, '[log] format = json in the config');
($rc, $err) = run({MELDUNG_LOG_FORMAT => 'text'}, 'ingest', '--config', "$tmp/json.conf",
                  '--db', "$tmp/log.db", $evil);
like($err, qr/^$TS meldung: error: /m, 'MELDUNG_LOG_FORMAT wins over [log] format');

($rc, $err) = run({MELDUNG_LOG_FORMAT => 'xml'}, 'stats', '--db', "$tmp/log.db");
is($rc, 2, 'an unknown MELDUNG_LOG_FORMAT stops the command');
like($err, qr/MELDUNG_LOG_FORMAT: wants text or json, got "xml"/, '... naming the variable and value');

# --- a store with a source, a held item and a quarantined document ---------

my $db = store_db($tmp, 'site');
my $out = `$bin ingest --quiet --db $db demo/ 2>&1`;
is($? >> 8, 0, 'demo ingested') or diag($out);
write_file("$tmp/broken.json", "{ not json");
# A PostgreSQL store has no folder to keep quarantine/ beside (ingest
# would use var/ of the working directory): there it is named.
my $qopt = store_pg($db) ? "--quarantine $tmp/quarantine" : '';
`$bin ingest --quiet --db $db $qopt $tmp/broken.json 2>&1`;
ok(-e "$tmp/quarantine/broken.json.reason", 'a broken file was quarantined beside the store');

my $drop = "$tmp/drop";
mkdir $drop or die;
# One new article, its second delivery (a duplicate: same entry id), a
# newer version and a broken file: one of each outcome for the source.
sub wire {
    my ($v, $entry) = @_;
    return qq({"urn": "urn:newsml:example.com:20250128:obs1", "version": $v, )
         . qq("entry_id": "$entry", "version_created": "2025-01-28T0$v:00:00Z", )
         . qq("headline": "Aus der Ablage $v"}\n);
}
write_file("$drop/a1.json", wire(1, 'e1'));
write_file("$drop/a2.json", wire(1, 'e1'));
write_file("$drop/a3.json", wire(2, 'e2'));
write_file("$drop/a4.json", "{ broken");
my $wpid = open(my $wout, '-|', $bin, 'watch', '--db', $db, $drop) or die "watch: $!";
ok(eventually(sub { -e "$drop/done/a3.json" && -e "$drop/quarantine/a4.json" }),
   'watch took the files (the source row)');
kill 'TERM', $wpid;
waitpid($wpid, 0);
close($wout);

# --- /metrics, parsed strictly ----------------------------------------------

my $NAME = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
my $LABEL = qr/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"/;
my $VALUE = qr/[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN/;

# parse(TEXT): checks TEXT against the text exposition format 0.0.4 and
# returns (errors, series): series maps "name{labels}" to its value.
sub parse {
    my ($text) = @_;
    my (@errors, %help, %type, %series, %done, @hist);
    my $current = '';
    push @errors, 'the text does not end in a newline' unless $text =~ /\n\z/;
    for my $line (split /\n/, $text) {
        if ($line =~ /^# HELP ($NAME) \S/) {
            push @errors, "HELP twice for $1" if $help{$1}++;
            next;
        }
        if ($line =~ /^# TYPE ($NAME) (counter|gauge|histogram|summary|untyped)$/) {
            push @errors, "TYPE twice for $1" if exists $type{$1};
            $type{$1} = $2;
            next;
        }
        if ($line !~ /^($NAME)(?:\{($LABEL(?:,$LABEL)*)?\})? ($VALUE)$/) {
            push @errors, "not an exposition line: $line";
            next;
        }
        my ($name, $labels, $v) = ($1, $2 // '', $3);
        my $fam = $name;
        if (!exists $type{$name} && $name =~ /^(.*)_(bucket|sum|count)$/
            && ($type{$1} // '') eq 'histogram') {
            $fam = $1;
        }
        push @errors, "$name: no TYPE line before it" unless exists $type{$fam};
        push @errors, "$name: no HELP line" unless $help{$fam};
        push @errors, "$fam: counter not named *_total"
            if ($type{$fam} // '') eq 'counter' && $fam !~ /_total$/;
        push @errors, "$fam: its samples are split up" if $fam ne $current && $done{$fam};
        $done{$current} = 1 if $fam ne $current;
        $current = $fam;
        my $key = "$name\{$labels\}";
        push @errors, "series twice: $key" if exists $series{$key};
        $series{$key} = $v;
        push @hist, [$fam, $name, $labels, $v] if ($type{$fam} // '') eq 'histogram';
    }
    for my $f (keys %type) {
        push @errors, "$f: TYPE without HELP" unless $help{$f};
    }
    for my $f (keys %help) {
        push @errors, "$f: HELP without TYPE" unless exists $type{$f};
    }
    # Histograms: per label set, le ascending to +Inf, cumulative,
    # _count equal to the +Inf bucket, a _sum.
    my %by;
    for my $h (@hist) {
        my ($fam, $name, $labels, $v) = @$h;
        my $le;
        (my $rest = $labels) =~ s/(?:^|,)le="([^"]*)"/$le = $1, ''/e;
        $rest =~ s/^,//;
        my $g = $by{"$fam\{$rest\}"} //= { buckets => [] };
        if ($name eq "${fam}_bucket") {
            push @{ $g->{buckets} }, [$le, $v];
        } elsif ($name eq "${fam}_count") {
            $g->{count} = $v;
        } elsif ($name eq "${fam}_sum") {
            $g->{sum} = $v;
        }
    }
    for my $k (sort keys %by) {
        my $g = $by{$k};
        my @b = @{ $g->{buckets} };
        push @errors, "$k: no buckets" unless @b;
        push @errors, "$k: last bucket is not +Inf" unless @b && $b[-1][0] eq '+Inf';
        for my $i (1 .. $#b) {
            my $prev = $b[$i - 1][0] eq '+Inf' ? 9**9**9 : $b[$i - 1][0];
            my $le = $b[$i][0] eq '+Inf' ? 9**9**9 : $b[$i][0];
            push @errors, "$k: le not ascending" unless $le > $prev;
            push @errors, "$k: buckets not cumulative" unless $b[$i][1] >= $b[$i - 1][1];
        }
        push @errors, "$k: _count differs from the +Inf bucket"
            unless @b && defined $g->{count} && $g->{count} == $b[-1][1];
        push @errors, "$k: no _sum" unless defined $g->{sum};
    }
    return (\@errors, \%series);
}

write_file("$tmp/a.conf", "[log]\naccess = json\naccess_file = $tmp/access.json\n"
    . "[health]\nmax_ingest_age = 1d\n");
my ($srv, $base) = serve($bin, 'serve with a JSON access log', '--db', $db, '--config',
                         "$tmp/a.conf");

# scrape(): the parsed /metrics, checked; dies on a refused answer.
sub scrape {
    my $r = get('/metrics');
    die "metrics: $r->{status}" unless $r->{status} == 200;
    return parse($r->{content});
}

my $r = get('/metrics');
is($r->{status}, 200, '/metrics from loopback without a token');
like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, '... exposition format 0.0.4');
is($r->{headers}{'cache-control'}, 'no-store', '... never cached');
my ($errors, $m1) = parse($r->{content});
is_deeply($errors, [], 'every line follows the exposition format, every family has HELP and TYPE')
    or diag(join("\n", @$errors));
ok(scalar(keys %$m1) > 100, 'the whole set: ' . scalar(keys %$m1) . ' series');
is($m1->{'meldung_articles{state="held"}'}, 1, 'held items: the demo holds one');
SKIP: {
    skip 'a PostgreSQL store has no folder: serve counts var/quarantine (MLD_STORE_URL_QUARANTINE), not this one', 1
        if store_pg($db);
    is($m1->{'meldung_quarantined_documents{}'}, 1, 'quarantined documents: one');
}
my $src = qq(source="drop:$drop");
is($m1->{"meldung_source_articles_total{$src}"}, 2, 'articles stored from the drop folder');
is($m1->{"meldung_source_new_articles_total{$src}"}, 1, '... new: 1');
is($m1->{"meldung_source_updated_articles_total{$src}"}, 1, '... updated: 1');
is($m1->{"meldung_source_duplicates_total{$src}"}, 1, '... duplicates: 1');
is($m1->{"meldung_source_failed_total{$src}"}, 1, '... failed: 1');
ok(defined $m1->{"meldung_source_failures{$src}"}, '... failures in a row');
ok(defined $m1->{"meldung_source_lag_seconds{$src}"}, '... its lag');
ok(defined $m1->{"meldung_source_last_success_age_seconds{$src}"}, '... its last success');
ok(defined $m1->{'meldung_ingest_age_seconds{}'}, 'the age of the newest stored version');
is($m1->{'meldung_store_up{}'}, 1, 'the store answered');
ok(exists $m1->{'meldung_cache_hits_total{}'} && exists $m1->{'meldung_cache_misses_total{}'},
   'cache hits and misses');
for my $class (qw(home article section topic story search feed api static stream status other)) {
    ok(exists $m1->{qq(meldung_http_request_duration_seconds_count{route="$class"})},
       "a latency histogram for route class $class");
}

# Requests move the counters (counted when the answer is out: waited for).
my $home = 'meldung_http_responses_total{route="home",code="2xx"}';
my $art404 = 'meldung_http_responses_total{route="article",code="4xx"}';
my $homecount = 'meldung_http_request_duration_seconds_count{route="home"}';
is(get('/')->{status}, 200, 'GET /');
is(get('/')->{status}, 200, 'GET / again (a cache hit)');
is(get('/artikel/gibt-es-nicht-999999')->{status}, 404, 'GET a missing article');
my $m2;
ok(eventually(sub { (undef, $m2) = scrape(); $m2->{$home} >= $m1->{$home} + 2 }),
   'home 2xx counted twice more');
ok(eventually(sub { (undef, $m2) = scrape(); $m2->{$art404} >= $m1->{$art404} + 1 }),
   'article 4xx counted');
ok($m2->{$homecount} >= $m1->{$homecount} + 2, 'the home latency histogram counted them');
ok($m2->{'meldung_cache_hits_total{}'} > $m1->{'meldung_cache_hits_total{}'},
   'a cache hit counted');
ok($m2->{'meldung_cache_entries{}'} >= 1 && $m2->{'meldung_cache_bytes{}'} > 0,
   'cache size: entries and bytes');
ok($m2->{'meldung_http_responses_total{route="status",code="2xx"}'}
   > $m1->{'meldung_http_responses_total{route="status",code="2xx"}'}, 'scrapes count as status');

# A live stream is counted while it is open.
my $sse = IO::Socket::INET->new(PeerAddr => $base =~ s{^http://}{}r, Timeout => 5) or die;
print $sse "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n";
ok(eventually(sub { (undef, $m2) = scrape(); $m2->{'meldung_live_streams{}'} == 1 }),
   'an open live stream is counted');
close($sse);

$r = get('/metrics', 'X-Forwarded-For' => '203.0.113.9');
is($r->{status}, 403, 'a proxied request gets no /metrics without a token');

is(get('/healthz')->{content}, "ok\n", '/healthz: ok with a fresh store');

# raw(REQUEST): sends REQUEST on a new connection, returns the answer.
sub raw {
    my ($req) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $base =~ s{^http://}{}r, Timeout => 5) or die;
    print $s $req;
    my $answer = do { local $/; <$s> };
    close($s);
    return $answer // '';
}

# The JSON access log: one object per request, what the client sent.
like(raw("GET /?seite=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: Bot \x1b[2J\"quoted\"\r\n"
         . "Referer: http://example.com/a\"b\r\nConnection: close\r\n\r\n"),
     qr{^HTTP/1\.1 200 }, 'a request with an escape sequence in its user agent');
my @acc;
ok(eventually(sub {
    @acc = map { decode_json($_) } split /\n/, slurp("$tmp/access.json");
    grep { $_->{target} eq '/?seite=1' } @acc;
}), 'the access log has the request');
my ($one) = grep { $_->{target} eq '/?seite=1' } @acc;
is($one->{client}, '127.0.0.1', 'access: client address');
is($one->{method}, 'GET', 'access: method');
is($one->{protocol}, 'HTTP/1.1', 'access: protocol');
is($one->{status}, 200, 'access: status');
ok($one->{bytes} > 1000, 'access: body bytes');
ok($one->{duration_s} >= 0, 'access: duration');
is($one->{user_agent}, "Bot \x1b[2J\"quoted\"", 'access: user agent (escaped in the file, whole in JSON)');
is($one->{referer}, 'http://example.com/a"b', 'access: referer');
like($one->{ts}, qr/^$TS$/, 'access: timestamp');
unlike(slurp("$tmp/access.json"), qr/\x1b/, 'no raw escape byte in the access log');
my ($notmod) = grep { $_->{status} == 304 } @acc;
my $etag = get('/')->{headers}{etag};
is(get('/', 'If-None-Match' => $etag)->{status}, 304, 'a conditional GET');
ok(eventually(sub {
    ($notmod) = grep { $_->{status} == 304 } map { decode_json($_) } split /\n/,
        slurp("$tmp/access.json");
}), 'the 304 is logged');
is($notmod->{bytes}, 0, 'access: a 304 sends no body bytes');
is(stop($srv), 0, 'serve stops cleanly');

# --- a token, the combined format, a stale store ------------------------------

my $token = 'metrics-token-0123456789abcdef';
write_file("$tmp/b.conf", "[log]\naccess = combined\naccess_file = $tmp/access.log\n"
    . "[metrics]\ntoken = $token\n[health]\nmax_ingest_age = 1s\n");
($srv, $base) = serve($bin, 'serve with a token and the combined log', '--db', $db, '--config',
                      "$tmp/b.conf");
$r = get('/metrics');
is($r->{status}, 401, '/metrics without the token: 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/, '... asking for a bearer token');
is(get('/metrics', Authorization => 'Bearer wrong-token-0123456789abcde')->{status}, 401,
   'a wrong token: 401');
$r = get('/metrics', Authorization => "Bearer $token");
is($r->{status}, 200, 'the right token: 200');
($errors) = parse($r->{content});
is_deeply($errors, [], '... a valid exposition') or diag(join("\n", @$errors));

# A raw request whose target holds an escape sequence and a user agent
# with quotes: neither can forge a line.
like(raw("GET /x\x1b[31my?q=\x01 HTTP/1.1\r\nHost: x\r\nUser-Agent: a\"b c\r\n"
         . "Connection: close\r\n\r\n"),
     qr{^HTTP/1\.1 \d{3}}, 'the raw request got an answer');
my $log;
ok(eventually(sub { $log = slurp("$tmp/access.log"); $log =~ /\/x/ }), 'the combined log has it');
my ($raw) = grep { m{/x} } split /\n/, $log;
like($raw, qr{^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /x\\x1b\[31my\?q=\\x01 HTTP/1\.1" \d{3} (?:\d+|-) "-" "a\\"b c" \d+\.\d{6}$},
     'combined: client, time, request with \x1b and \x01 escaped, status, bytes, referer, '
     . 'user agent with its quote escaped, duration');
unlike($log, qr/[\x00-\x09\x0b-\x1f]/, 'no raw control character in the combined log');

# Log rotation: the file moved away, SIGHUP, and later lines go to a new
# file of the old name.
rename("$tmp/access.log", "$tmp/access.log.1") or die;
kill 'HUP', $srv->{pid};
ok(eventually(sub { get('/?rotated=1'); slurp("$tmp/access.log") =~ m{"GET /\?rotated=1 } }),
   'after SIGHUP the access log is written to a new file of its name');
like(slurp("$tmp/access.log.1"), qr{/x\\x1b}, '... the rotated file keeps the earlier lines');

my $health;
ok(eventually(sub { $health = get('/healthz'); $health->{status} == 503 }),
   '/healthz: 503 once nothing was stored or polled within max_ingest_age (1 s)');
like($health->{content}, qr/^unhealthy\ningest: last article stored or source polled .* ago, more than max_ingest_age 1 s\n\z/,
     '... naming the failed check');
is(stop($srv), 0, 'serve stops');

# --- an empty store -------------------------------------------------------------

mkdir "$tmp/nothing" or die;
`$bin ingest --quiet --db $tmp/empty.db $tmp/nothing 2>&1`;
write_file("$tmp/c.conf", "[health]\nmax_ingest_age = 2h\n");
($srv, $base) = serve($bin, 'serve an empty store', '--db', "$tmp/empty.db", '--config',
                      "$tmp/c.conf");
$health = get('/healthz');
is($health->{status}, 503, '/healthz of an empty store with max_ingest_age: 503');
like($health->{content}, qr/^ingest: nothing stored or polled yet \(max_ingest_age 2 h 00 min\)$/m,
     '... saying nothing was stored');
($errors, $m1) = scrape();
is_deeply($errors, [], 'the empty store\'s /metrics is valid too') or diag(join("\n", @$errors));
ok(!exists $m1->{'meldung_ingest_age_seconds{}'}, '... without an ingest age');
is(stop($srv), 0, 'serve stops');

# --- configuration errors ---------------------------------------------------------

my %bad = (
    "[health]\nmax_ingest_age = soon\n" => qr/bad\.conf:2: \[health\] max_ingest_age wants an age/,
    "[metrics]\ntoken = short\n"          => qr/bad\.conf:2: \[metrics\] token must be 16 or more/,
    "[log]\naccess = loud\n"             => qr/bad\.conf:2: \[log\] access wants off, combined or json, got 'loud'/,
    "[log]\nformat = xml\n"              => qr/bad\.conf:2: \[log\] format wants text or json, got 'xml'/,
    "[log]\nacess = json\n"             => qr/bad\.conf:2: \[log\]: unknown key 'acess'/,
    "[health]\nmax_age = 2h\n"          => qr/bad\.conf:2: \[health\]: unknown key 'max_age' \(max_ingest_age\)/,
    "[log]\naccess = json\naccess_file = $tmp/no/such/dir/a.log\n"
        => qr/bad\.conf:3: \[log\] access_file \Q$tmp\E\/no\/such\/dir\/a\.log: No such file/,
);
for my $text (sort keys %bad) {
    write_file("$tmp/bad.conf", $text);
    ($rc, $err) = run({}, 'serve', '--db', $db, '--config', "$tmp/bad.conf", '--listen',
                      '127.0.0.1:0');
    is($rc, 1, 'serve refuses: ' . ($text =~ s/\n/ /gr));
    like($err, $bad{$text}, '... naming file, line and reason');
}

done_testing();
