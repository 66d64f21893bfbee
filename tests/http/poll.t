#!/usr/bin/env perl
# End to end: `meldung poll` against a small HTTP server written below
# (IO::Socket::INET, on 127.0.0.1) that serves a digitalwires batch from a
# temporary folder with an ETag and 304s, and a source that is down (503
# with Retry-After). Checks the poll summary, `meldung stats`, that a
# second run does nothing (not due), that a forced run sends If-None-Match
# and stores nothing on the 304, that a changed file is picked up,
# `meldung ingest URL`, and the /status page of `meldung serve`.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use Digest::MD5 qw(md5_hex);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120);
my $db = store_db($tmp, 'poll');
my $wire = "$tmp/wire.json";
my $log = "$tmp/requests.log";

sub entry {
    my ($n) = @_;
    return qq({"urn": "urn:newsml:example.com:20250128:poll$n", "version": 1, )
         . qq("version_created": "2025-01-28T0$n:00:00Z", "headline": "Abfrage Nummer $n", )
         . qq("article_html": "<section><p>Text $n</p></section>"});
}
sub write_wire {
    my @n = @_;
    open(my $fh, '>', "$wire.tmp") or die;
    print $fh '{"entries": [' . join(', ', map { entry($_) } @n) . "]}\n";
    close($fh);
    rename("$wire.tmp", $wire) or die;
}
write_wire(1, 2);

# The feed server: one request per connection.
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                   Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
my $port = $listen->sockport;
my $server = fork() // die "fork: $!";
if ($server == 0) {
    while (my $c = $listen->accept) {
        my $head = '';
        while (my $line = <$c>) {
            $head .= $line;
            last if $line eq "\r\n";
        }
        my ($path) = $head =~ m{^GET (\S+) HTTP/1\.[01]\r\n};
        my ($inm) = $head =~ m{\r\nIf-None-Match: ([^\r]*)\r\n}i;
        open(my $l, '>>', $log) or die;
        printf $l "%s %s\n", $path // '-', $inm // '-';
        close($l);
        my ($status, $hdrs, $body) = (404, '', "not found\n");
        if (($path // '') eq '/wire.json') {
            open(my $fh, '<', $wire) or die;
            local $/;
            my $doc = <$fh>;
            close($fh);
            my $etag = '"' . md5_hex($doc) . '"';
            if (defined $inm && $inm eq $etag) {
                ($status, $hdrs, $body) = (304, "ETag: $etag\r\n", '');
            } else {
                ($status, $hdrs, $body) = (200, "ETag: $etag\r\nContent-Type: application/json\r\n", $doc);
            }
        } elsif (($path // '') eq '/technik.xml') {
            open(my $fh, '<', "$FindBin::Bin/data/technik-ticker.xml") or die;
            local $/;
            $body = <$fh>;
            close($fh);
            ($status, $hdrs) = (200, "Content-Type: application/rss+xml; charset=utf-8\r\n");
        } elsif (($path // '') eq '/down') {
            ($status, $hdrs, $body) = (503, "Retry-After: 120\r\n", "down\n");
        }
        print $c "HTTP/1.1 $status X\r\n${hdrs}Content-Length: " . length($body)
            . "\r\nConnection: close\r\n\r\n$body";
        close($c);
    }
    exit 0;
}
close($listen);
END { if ($server) { local $?; kill 'TERM', $server; waitpid($server, 0); } }

sub requests {
    return split /\n/, slurp($log);
}

my $conf = "$tmp/meldung.conf";
open(my $cf, '>', $conf) or die;
print $cf <<"EOF";
# test configuration
[poll]
concurrency = 4
per_host = 2

[source wire]
url = http://127.0.0.1:$port/wire.json
interval = 60

[source down]
url = http://127.0.0.1:$port/down
EOF
close($cf);

# First round: both sources are new, so both are due.
my $out = `$bin poll --once --config $conf --db $db 2>&1`;
is($? >> 8, 1, 'poll --once exits 1 when a source failed') or diag($out);
like($out, qr/poll: 2 of 2 sources polled, 1 changed, 0 unchanged, 1 failed, 2 articles stored/,
     'summary: one feed stored two articles, one failed');
like($out, qr{error: poll: down: http://127\.0\.0\.1:$port/down: HTTP 503},
     'the failure is logged with name, URL and status');
my @req = requests();
is(scalar @req, 2, 'two requests made');
ok((grep { $_ eq '/wire.json -' } @req), 'the first fetch is not conditional');

# stats: an aligned table.
my $stats = `$bin stats --db $db 2>&1`;
is($?, 0, 'stats runs') or diag($stats);
# The store-wide totals come first; the source table starts at its header.
my @all = split /\n/, $stats;
my ($head) = grep { $all[$_] =~ /^SOURCE\s/ } 0 .. $#all;
my @lines = @all[($head // 0) .. $#all];
like($lines[0], qr/^SOURCE\s+URL\s+ITEMS\s+LAG\s+LAST SUCCESS\s+NEXT ATTEMPT\s+FAILURES\s+LAST ERROR$/,
     'stats header');
my ($down) = grep { /^down\s/ } @lines;
my ($wrow) = grep { /^wire\s/ } @lines;
like($wrow // '', qr{^wire\s+http://127\.0\.0\.1:$port/wire\.json\s+2\s+\S+\s+\d{4}-\d\d-\d\dT\S+Z\s+in \d+s?m?\s+0\s+-$},
     'wire: URL, 2 items, lag, last success, next attempt, no failures') or diag($stats);
like($down // '', qr{^down\s+\S+\s+0\s+-\s+never\s+in \d+m\s+1\s+\S+Z http://127\.0\.0\.1:$port/down: HTTP 503 \(Retry-After 120 s\)$},
     'down: no items, never succeeded, backing off, the error with its time') or diag($stats);
my $col = index($lines[0], 'URL');
is(index($wrow // '', 'http'), $col, 'URL column aligned (wire)');
is(index($down // '', 'http'), $col, 'URL column aligned (down)');
is(index($lines[0], 'ITEMS') + length('ITEMS'), index($wrow // '', '2 ') + 1,
   'ITEMS right-aligned under its header');
like($lines[-1], qr/^2 sources, 1 failing; 2 articles stored from them$/, 'total line');

# Again at once: nothing is due (interval 60 s, back-off >= 120 s).
$out = `$bin poll --once --config $conf --db $db 2>&1`;
is($?, 0, 'second run succeeds') or diag($out);
like($out, qr/poll: 0 of 2 sources polled/, 'nothing due, nothing polled');
is(scalar(requests()), 2, 'no request made');

# Forced: a conditional GET, answered 304, stores nothing.
$out = `$bin poll --once --force --config $conf --db $db 2>&1`;
like($out, qr/poll: 2 of 2 sources polled, 0 changed, 1 unchanged, 1 failed, 0 articles stored/,
     'forced run: 304 for the feed') or diag($out);
@req = requests();
my ($cond) = grep { m{^/wire\.json "} } @req;
ok($cond, 'the forced fetch sent If-None-Match with the stored ETag') or diag("@req");
like(`$bin stats --db $db`, qr{^wire\s+\S+\s+2\s}m, 'item count did not double');

# A new file on the server: a 200 again, one more article.
write_wire(1, 2, 3);
$out = `$bin poll --once --force --config $conf --db $db 2>&1`;
like($out, qr/1 changed, 0 unchanged, 1 failed, 1 articles stored/, 'a changed feed is stored') or diag($out);
$stats = `$bin stats --db $db`;
like($stats, qr{^wire\s+\S+\s+3\s}m, 'three items now');
like($stats, qr{^down\s+.*\s3\s+\S+Z http}m, 'down failed three times in a row');

# Continuous mode into a fresh store: polls at once, stops on SIGTERM.
my $db3 = store_db($tmp, 'loop');
my $lpid = fork() // die;
if ($lpid == 0) {
    open(STDERR, '>', "$tmp/loop.err");
    exec($bin, 'poll', '--config', $conf, '--db', $db3) or exit 127;
}
ok(eventually(sub { (store_pg($db3) || -e $db3) && `$bin stats --db $db3 2>/dev/null` =~ /^wire\s+\S+\s+3\s/m },
        within => 15, every => 0.05),
    'poll without --once polls a new source at once');
kill 'TERM', $lpid;
waitpid($lpid, 0);
is($?, 0, '... and exits 0 on SIGTERM');

# Usage errors.
`$bin poll --force --config $conf --db $db 2>&1`;
is($? >> 8, 2, '--force without --once is a usage error');
open($cf, '>', "$tmp/bad.conf") or die;
print $cf "[source x]\nurl = ftp://example.org/feed\n";
close($cf);
$out = `$bin poll --once --config $tmp/bad.conf --db $db 2>&1`;
is($? >> 8, 1, 'a bad configuration fails');
like($out, qr{bad\.conf:2: url must start with http:// or https://}, '... naming file and line');

# ingest URL: the same path as a file.
my $db2 = store_db($tmp, 'ingest');
$out = `$bin ingest --db $db2 http://127.0.0.1:$port/wire.json 2>&1`;
is($?, 0, 'ingest URL succeeds') or diag($out);
like($out, qr/ingest: 1 files, 3 new/, '... storing the three articles');
$out = `$bin ingest --db $db2 http://127.0.0.1:$port/missing.json 2>&1`;
is($? >> 8, 1, 'ingest of a 404 URL fails');
like($out, qr{error: http://127\.0\.0\.1:$port/missing\.json: HTTP 404}, '... naming URL and status');

# The status page.
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
my $r = admin_get($bin, $db, '/status'); # editors: admins only
is($r->{status}, 200, '/status answers 200');
is($r->{headers}{'cache-control'}, 'no-store', '... not to be cached');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, '... HTML');
my $page = $r->{content};
like($page, qr{<h1>Quellenstatus</h1>}, '... with its heading');
like($page, qr{<th scope="row">wire<br><small>Feed · 127\.0\.0\.1:$port</small></th>}, '... the feed and its host');
like($page, qr{gestört \(3× in Folge\)}, '... the failing source');
like($page, qr{http://127\.0\.0\.1:$port/…: HTTP 503}, '... its error, URL cut to the host');
unlike($page, qr{/wire\.json|/down\b}, '... and no URL path anywhere');
like($page, qr{<link rel="stylesheet" href="/static/style\.css">.*</html>}s, '... between head and foot');
is(request('HEAD', '/status', headers => { Cookie => admin_cookie($bin, $db) })->{status}, 200,
   'HEAD /status');
stop($srv);

# A feed without categories takes the section its [source] names, through
# the same pipeline as `meldung ingest` (refused and held items alike).
open($cf, '>', "$tmp/section.conf") or die;
print $cf "[source technik]\nurl = http://127.0.0.1:$port/technik.xml\nsection = Digital\n";
close($cf);
my $db4 = store_db($tmp, 'section');
$out = `$bin poll --once --config $tmp/section.conf --db $db4 2>&1`;
like($out, qr/poll: 1 of 1 sources polled, 1 changed, 0 unchanged, 0 failed, 4 articles stored, 1 held, 1 refused; 1 dated by first sight/,
     'a polled feed: held, refused and first-sight dates counted as in ingest') or diag($out);
like($out, qr{warning: \S+technik\.xml: entry 4 \(https://technik\.example/leer\): refused}, '... the refused entry named');
$stats = `$bin stats --db $db4`;
like($stats, qr/^\s+4\s+3  Digital$/m, '... every item in the configured section Digital') or diag($stats);
open($cf, '>', "$tmp/badsection.conf") or die;
print $cf "[source technik]\nurl = http://127.0.0.1:$port/technik.xml\nsection =\n";
close($cf);
$out = `$bin poll --once --config $tmp/badsection.conf --db $db4 2>&1`;
like($out, qr{badsection\.conf:3: section wants a name}, 'an empty section is a configuration error') or diag($out);

done_testing();
