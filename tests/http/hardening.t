#!/usr/bin/env perl
# End to end: the HTTP server under hostile clients, through the real
# binary on 127.0.0.x, with raw sockets (IO::Socket::INET):
#
#   - bodies only where a route takes them, refused before they are read:
#     a wrong token on a 15 MB push is answered 401 while the client has
#     sent only its headers; a POST to a GET-only page or API path 405,
#     a body over the route's limit or on a GET 413, each at once and
#     with the connection closed;
#   - deadlines: a client trickling its headers, or its body, is cut off
#     after header_timeout / body_timeout while a normal client is served;
#   - connection limits: the (max_connections_per_client + 1)th connection
#     of one address is refused while another address is served; from a
#     trusted proxy the forwarded client is limited instead (requests in
#     flight), so one client behind the proxy does not lock out the rest,
#     and X-Forwarded-For from an untrusted peer changes nothing;
#   - back-off on wrong push tokens: 429 with Retry-After, per client;
#   - strict framing (request smuggling): Content-Length with
#     Transfer-Encoding, two Content-Lengths, "Transfer-Encoding :",
#     a header name that is no token, Transfer-Encoding other than
#     chunked, HTTP/1.1 without Host or with two: 400, the connection
#     closed, the request behind it never answered; HTTP/1.0 without Host
#     still served;
#   - security headers on the server's own answers (400, 405, 413, 414,
#     429, 503), on 304s, on /status and the API;
#   - a bad [server] section stops serve with file, line and reason.
#
# Deadlines are set small in the test configuration (2 and 3 s); every
# wait is bounded by a loop, nothing asserts how long anything took.
#
# Needs: MELDUNG (default ./meldung), run from the repository root.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(180);
$SIG{PIPE} = 'IGNORE';
my $db = store_db($tmp, 'h');
my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);

my $tok = `$bin token`;
my ($token) = $tok =~ /\A([0-9a-f]{64})\n/;
(my $push_conf = $tok) =~ s/\A[^\n]*\n//;
ok($token, 'a push token');

sub config {
    my ($name, $server) = @_;
    open(my $f, '>', "$tmp/$name.conf") or die;
    print $f $push_conf, "quarantine = $tmp/q\n[server]\n$server";
    close $f;
    return "$tmp/$name.conf";
}

# A bad [server] section stops serve with where and why.
for my $bad (["header_timeout = 0\n", qr/header_timeout wants a number from 1 to/],
             ["trusted_proxies = 10.0.0.0/33\n", qr{'10\.0\.0\.0/33' is no IPv4 or IPv6}],
             ["max_connections = 5\n", qr/unknown key "max_connections"/],
             ["[server edge]\n", qr/a second \[server\] section/]) {
    my $c = config('bad', $bad->[0]);
    my $o = `timeout 10 $bin serve --db $db --config $c --listen 127.0.0.1:0 2>&1`;
    isnt($?, 0, "serve refuses [server] $bad->[0]");
    like($o, qr/\Q$c\E:\d+: /, '... naming file and line');
    like($o, $bad->[1], '... and the reason');
}

# Raw requests ---------------------------------------------------------------

my $port;

# conn(FROM): a connection to the server from source address FROM
# (default 127.0.0.1).
sub conn {
    my ($from) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  LocalAddr => $from // '127.0.0.1', Proto => 'tcp')
        or die "connect: $!";
    return $s;
}

# drain(SOCK, SECS): what the server sends until it closes (closed => 1)
# or SECS pass without a byte (closed => 0): {bytes, codes => [...]}.
sub drain {
    my ($s, $secs) = @_;
    my $sel = IO::Select->new($s);
    my ($buf, $closed) = ('', 0);
    while ($sel->can_read($secs // 3)) {
        my $n = sysread($s, my $b, 65536);
        if (!$n) { $closed = 1; last; }
        $buf .= $b;
    }
    return { bytes => $buf, closed => $closed, codes => [$buf =~ m{^HTTP/1\.[01] (\d{3})}mg] };
}

# raw(REQ, FROM): sends REQ whole (without closing our side) and drains.
sub raw {
    my ($req, $from) = @_;
    my $s = conn($from);
    print $s $req;
    my $r = drain($s, 3);
    close $s;
    return $r;
}

# headers_of(BYTES): the first answer's headers, names lowercased.
sub headers_of {
    my ($bytes) = @_;
    my ($head) = split /\r\n\r\n/, $bytes, 2;
    my %h;
    for (split /\r\n/, $head // '') {
        $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }
    return \%h;
}

my $secure_ok = 0;
# secure(BYTES, NAME): the security headers are on the answer.
sub secure {
    my ($bytes, $name) = @_;
    my $h = headers_of($bytes);
    my $ok = ($h->{'x-content-type-options'} // '') eq 'nosniff'
        && ($h->{'referrer-policy'} // '') eq 'strict-origin-when-cross-origin'
        && ($h->{'content-security-policy'} // '') =~ /default-src 'none'/
        && ($h->{'permissions-policy'} // '') =~ /camera=\(\)/;
    ok($ok, "$name: nosniff, Referrer-Policy, CSP, Permissions-Policy")
        or diag(substr($bytes, 0, 800));
}

my $big = 15_000_000;

# Server 1: small deadlines ---------------------------------------------------
my ($srv, $base) = serve($bin, 'serve with [server] deadlines of 2 and 3 s', '--db', $db,
    '--config', config('dl', "header_timeout = 2\nbody_timeout = 3\n"));
($port) = $base =~ /:(\d+)$/;

# Bodies are refused before they are read.
{
    my $s = conn();
    print $s "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer falsch\r\n"
        . "Content-Type: application/json\r\nContent-Length: $big\r\n\r\n";
    my $r = drain($s, 5);
    is($r->{codes}[0], 401, 'wrong token, 15 MB announced, only headers sent: 401 at once');
    ok($r->{closed}, '... and the connection is closed (the body is never read)');
    like($r->{bytes}, qr/invalid token/, '... saying the token is invalid');
    secure($r->{bytes}, 'push 401');
    close $s;
}
{
    my $s = conn();
    print $s "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nContent-Length: $big\r\n\r\n";
    my $r = drain($s, 5);
    is($r->{codes}[0], 401, 'no token, 15 MB announced: 401 before the body');
    ok($r->{closed}, '... connection closed');
}
for my $path ('/', '/artikel/x-1', '/static/style.css') {
    my $s = conn();
    print $s "POST $path HTTP/1.1\r\nHost: t\r\nContent-Length: $big\r\n\r\n";
    my $r = drain($s, 5);
    is($r->{codes}[0], 405, "POST $path with a 15 MB body announced: 405 before the body");
    ok($r->{closed}, '... connection closed');
    secure($r->{bytes}, "POST $path 405") if $path eq '/';
}
{
    my $s = conn();
    print $s "POST /api/v1/articles HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    my $r = drain($s, 5);
    is($r->{codes}[0], 405, 'chunked POST to the API: 405 before the body');
    like($r->{bytes}, qr/application\/json/, '... in JSON');
}
{
    my $s = conn();
    my $over = 16 * 1024 * 1024 + 1;
    print $s "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\n"
        . "Content-Length: $over\r\n\r\n";
    my $r = drain($s, 5);
    is($r->{codes}[0], 413, 'right token, body over the route limit announced: 413 at once');
    ok($r->{closed}, '... connection closed');
    secure($r->{bytes}, '413');
}
{
    my $r = raw("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    is($r->{codes}[0], 413, 'GET with a body: 413');
    is(scalar @{$r->{codes}}, 1, '... one answer only');
}
{
    my $r = raw("GET /" . ('a' x 3000) . " HTTP/1.1\r\nHost: t\r\n\r\n");
    is($r->{codes}[0], 414, 'a path over the limit: 414');
    secure($r->{bytes}, '414');
}
# A push with the right token and a small body still works.
{
    my $doc = '{"urn": "urn:newsml:dpa.com:20090101:hard-1", "version": 1, '
        . '"version_created": "2026-02-02T10:00:00+01:00", "updated": "2026-02-02T09:00:01Z", '
        . '"entry_id": "hard-1-v1", "pubstatus": "usable", "language": "de", '
        . '"headline": "Gehärtet", "article_html": "<section class=\"main\"><p>Text.</p></section>"}';
    my $r = request('POST', '/api/v1/push',
        headers => { Authorization => "Bearer $token", 'Content-Type' => 'application/json' },
        content => $doc);
    is($r->{status}, 202, 'the right token and a small body: 202') or diag($r->{content});
}

# Slowloris: trickled headers are cut off at the deadline; others are served.
{
    my $slow = conn();
    print $slow "GET / HTTP/1.1\r\nHost: t\r\n";
    my ($closed, $served, $lines) = (0, 0, 0);
    for my $i (1 .. 60) {    # 0.25 s apart: at most 15 s
        last unless print $slow "X-Langsam-$i: a\r\n";
        $lines++;
        my $r = drain($slow, 0.25);
        if ($r->{closed}) { $closed = 1; last; }
        $served ||= (get('/healthz')->{status} // 0) == 200 if $i == 2;
    }
    ok($served, 'a normal client is served while headers trickle in');
    ok($closed, "trickled headers: the connection is closed at the header deadline ($lines lines sent)");
    close $slow;
}
{
    # An idle connection that never sends anything is closed too.
    my $idle = conn();
    my $r = drain($idle, 10);
    ok($r->{closed} && !@{$r->{codes}}, 'an idle connection is closed at the header deadline, unanswered');
    close $idle;
}
{
    # An admitted body that trickles is cut off at the body deadline.
    my $s = conn();
    print $s "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\n"
        . "Content-Length: 1000\r\n\r\n{";
    my $closed = 0;
    for (1 .. 60) {
        last unless print $s ' ';
        my $r = drain($s, 0.25);
        if ($r->{closed}) { $closed = 1; last; }
    }
    ok($closed, 'a trickling body: the connection is closed at the body deadline');
    close $s;
}

# Strict framing: each case 400, closed, the smuggled request unanswered.
my $tail = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
my @smuggle = (
    ['Content-Length with Transfer-Encoding',
     "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
     . "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ['two different Content-Lengths',
     "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\n"],
    ['two equal Content-Lengths',
     "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"],
    ['a Content-Length that is no number',
     "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: +0\r\n\r\n"],
    ['"Transfer-Encoding :" (space before the colon)',
     "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n"
     . "Content-Length: 5\r\n\r\n0\r\n\r\n"],
    ['a header name that is no token', "GET / HTTP/1.1\r\nHost: t\r\nX(y): z\r\n\r\n"],
    ['Transfer-Encoding other than chunked',
     "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"],
    ['Transfer-Encoding on HTTP/1.0',
     "POST /api/v1/push HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ['HTTP/1.1 without Host', "GET / HTTP/1.1\r\n\r\n"],
    ['HTTP/1.1 with two Host headers', "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"],
);
for my $case (@smuggle) {
    my ($name, $req) = @$case;
    my $r = raw($req . $tail);
    is($r->{codes}[0], 400, "$name: 400");
    # (MHD answers a Content-Length it cannot parse itself, and repeats
    # its status line; what counts is that /healthz's 200 never comes.)
    ok(!grep({ $_ != 400 } @{$r->{codes}}), '... the request behind it is not answered')
        or diag($r->{bytes});
    ok($r->{closed}, '... and the connection is closed');
}
secure(raw("GET / HTTP/1.1\r\n\r\n")->{bytes}, '400');
{
    my $r = raw("GET /healthz HTTP/1.0\r\n\r\n");
    is($r->{codes}[0], 200, 'HTTP/1.0 without Host is served');
    my $two = raw("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n$tail");
    is(scalar @{$two->{codes}}, 2, 'two well-formed pipelined requests are both answered');
}

# Security headers on 304, /status and the API.
{
    my $first = get('/');
    my $etag = $first->{headers}{etag};
    my $s = conn();
    print $s "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nIf-None-Match: $etag\r\n"
        . "Connection: close\r\n\r\n";
    my $r = drain($s, 3);
    is($r->{codes}[0], 304, 'revalidation: 304');
    secure($r->{bytes}, '304');
    for my $path ('/status', '/api/v1/articles', '/gibt-es-nicht') {
        my $g = raw("GET $path HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        secure($g->{bytes}, "$path ($g->{codes}[0])");
    }
}
is(stop($srv), 0, 'server 1 stops cleanly');

# Server 2: connection limits, trusted proxy, back-off -------------------------
($srv, $base) = serve($bin, 'serve with max_connections_per_client = 4, a trusted proxy',
    '--db', $db, '--config', config('lim', "header_timeout = 60\nbody_timeout = 60\n"
        . "max_connections_per_client = 4\ntrusted_proxies = 127.0.0.2, 10.0.0.0/8\n"));
($port) = $base =~ /:(\d+)$/;

# keepalive(FROM, EXTRA): a connection with one request answered on it
# (so the server has surely counted it), left open.
sub keepalive {
    my ($from, $extra) = @_;
    my $s = conn($from);
    print $s "GET /healthz HTTP/1.1\r\nHost: t\r\n" . ($extra // '') . "\r\n";
    my $buf = '';
    my $sel = IO::Select->new($s);
    while ($buf !~ /\r\n\r\nok\n/ && $sel->can_read(5)) {
        sysread($s, my $b, 4096) or last;
        $buf .= $b;
    }
    return ($s, $buf =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0);
}

# healthz(FROM, HEADER): GET /healthz from FROM with one more header line.
sub healthz {
    my ($from, $header) = @_;
    return raw("GET /healthz HTTP/1.1\r\nHost: t\r\n" . ($header // '') . "\r\n", $from);
}

# push_head(FORWARDED_FOR, TOKEN, LENGTH, FIRST): a push through the proxy
# 127.0.0.2 for that client: its headers and FIRST bytes of the body.
sub push_head {
    my ($for, $tok, $len, $first) = @_;
    my $s = conn('127.0.0.2');
    print $s "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: $for\r\n"
        . "Authorization: Bearer $tok\r\nContent-Length: $len\r\n\r\n" . ($first // '');
    return $s;
}

{
    my @held = map { (keepalive('127.0.0.3'))[0] } 1 .. 4;
    my $r = healthz('127.0.0.3');
    ok($r->{closed} && !@{$r->{codes}}, 'the 5th connection of one address is refused');
    my (undef, $code) = keepalive('127.0.0.4');
    is($code, 200, '... while another address is served');
    $r = healthz('127.0.0.3', "X-Forwarded-For: 192.0.2.1\r\n");
    ok($r->{closed} && !@{$r->{codes}},
       '... and X-Forwarded-For from an untrusted peer changes nothing');
    close $_ for @held;
    ok(eventually(sub { (healthz('127.0.0.3')->{codes}[0] // 0) == 200 }),
       'once they close, the address is served again');
}
{
    # A burst: 40 connections from one address opened before any request,
    # so MHD accepts several while none is counted yet. The limit must hold
    # all the same: the connections answered stay open (keep-alive), so at
    # most 4 are answered, the rest closed unanswered.
    my @burst = map { conn('127.0.0.5') } 1 .. 40;
    print $_ "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n" for @burst;
    my @codes = map { drain($_, 2)->{codes}[0] // 0 } @burst;
    my $served = grep { $_ == 200 } @codes;
    my $other = grep { $_ != 200 && $_ != 0 } @codes;
    ok($served >= 1 && $served <= 4, "a burst of 40 from one address: $served answered (1 to 4)");
    is($other, 0, '... and the others closed unanswered, not half served');
    close $_ for @burst;
    ok(eventually(sub { (healthz('127.0.0.5')->{codes}[0] // 0) == 200 }),
       '... after which the address is served again (no count left behind)');
}
{
    # Behind the trusted proxy 127.0.0.2: more than 4 connections are fine;
    # 4 requests in flight of one forwarded client are its limit.
    my @held = map { push_head('198.51.100.7', $token, 1000, '{') } 1 .. 4;
    my @more = map { (keepalive('127.0.0.2', "X-Forwarded-For: 198.51.100.8, 10.1.2.3\r\n"))[1] }
        1 .. 3;
    is("@more", '200 200 200',
       'the proxy holds 4 pushes in flight and 3 more connections (over 4 per address)');
    my $xff7 = "X-Forwarded-For: 198.51.100.7\r\n";
    ok(eventually(sub { (healthz('127.0.0.2', $xff7)->{codes}[0] // 0) == 503 }),
       'the forwarded client with 4 requests in flight gets 503 for a 5th');
    my $r = healthz('127.0.0.2', $xff7);
    secure($r->{bytes}, '503');
    like($r->{bytes}, qr/^Retry-After: \d+/mi, '... with Retry-After');
    $r = healthz('127.0.0.2', "Forwarded: for=198.51.100.9;proto=https\r\n");
    is($r->{codes}[0], 200, 'another client behind the same proxy is served (Forwarded)');
    $r = healthz('127.0.0.2', "X-Forwarded-For: 198.51.100.7, 10.9.9.9\r\n");
    is($r->{codes}[0], 503, 'a trusted hop (10.0.0.0/8) to the right is skipped: still 198.51.100.7');
    close $_ for @held;
    ok(eventually(sub { (healthz('127.0.0.2', $xff7)->{codes}[0] // 0) == 200 }),
       'when its requests end, the client is served again');
}
{
    # Back-off on wrong tokens, keyed by the forwarded client.
    my @codes;
    for (1 .. 6) {
        my $s = push_head('203.0.113.5', 'falsch', $big);
        push @codes, drain($s, 5)->{codes}[0] // 0;
        close $s;
    }
    is("@codes", '401 401 401 401 401 401', 'six wrong tokens: 401 each (five free, the sixth starts the wait)');
    my $s = push_head('203.0.113.5', $token, $big);
    my $r = drain($s, 5);
    is($r->{codes}[0], 429, 'then even the right token waits: 429 before the body');
    my ($after) = $r->{bytes} =~ /^Retry-After: (\d+)\r$/mi;
    ok(defined $after && $after >= 1, "... with Retry-After ($after)");
    like($r->{bytes}, qr/203\.0\.113\.5/, '... naming the forwarded client');
    secure($r->{bytes}, '429');
    close $s;
    my $other = request('POST', '/api/v1/push',
        headers => { Authorization => 'Bearer falsch', 'X-Forwarded-For' => '203.0.113.6' },
        content => '{}');
    is($other->{status}, 401, 'another client is not held back by it');
}
is(stop($srv), 0, 'server 2 stops cleanly');

done_testing();
