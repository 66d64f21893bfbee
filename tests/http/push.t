#!/usr/bin/env perl
# End to end: POST /api/v1/push on the real binary. `meldung token` makes a
# token and its config line, `meldung serve --config` takes it, a pushed
# digitalwires entry answers 202 and its article page appears; wrong and
# missing tokens answer 401, a malformed document 422 (and is quarantined),
# an unknown format 415, an oversized body 413, GET 405; without [push]
# the endpoint answers 404, and a bad [push] section stops serve.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use Encode qw(encode);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my $db = store_db($tmp, 'push');

# A token and its config line.
my $out = `$bin token`;
is($?, 0, 'meldung token runs');
my ($token) = $out =~ /\A([0-9a-f]{64})\n/;
my ($hash) = $out =~ /^token_sha256 = ([0-9a-f]{64})$/m;
ok($token, 'the first line is the token');
ok($hash, 'a token_sha256 line follows');
like($out, qr/^\[push\]$/m, 'under a [push] section');
my $again = `$bin token`;
my ($token2) = $again =~ /\A([0-9a-f]{64})\n/;
isnt($token2, $token, 'a second run makes another token');

open(my $fh, '>', "$tmp/meldung.conf") or die;
(my $conf = $out) =~ s/\A[^\n]*\n//;    # all but the token line is a config file
print $fh $conf;
print $fh "quarantine = $tmp/q\n";
print $fh "section = Digital\n";
close $fh;

# serve refuses a store file that does not exist, with the hint to ingest
# first. (A PostgreSQL database is there once made: pg_db made it empty.)
SKIP: {
    skip 'a missing store is a missing SQLite file', 3 if store_pg($db);
    my $refused = `$bin serve --db $db --listen 127.0.0.1:0 2>&1`;
    isnt($?, 0, 'serve refuses a missing store');
    like($refused, qr{\Q$db\E: no store there; run `meldung ingest}, '... with the hint to ingest first');
    ok(!-e $db, '... and does not create it');

    # Serve with it, on a store made empty on purpose (an empty file is an
    # empty SQLite database; the schema is made on open).
    open(my $empty, '>', $db) or die "$db: $!";
    close($empty);
}
my ($srv, $base) = serve($bin, 'serve --config prints its URL', '--db', $db, '--config',
    "$tmp/meldung.conf");
my ($port) = $base =~ /:(\d+)$/;

sub post {
    my ($body, $auth, $type) = @_;
    my %h = ('Content-Type' => $type // 'application/json');
    $h{Authorization} = $auth if defined $auth;
    return request('POST', '/api/v1/push', headers => \%h, content => $body);
}

my $entry = encode('UTF-8',
    q({"urn": "urn:newsml:dpa.com:20090101:e2e-push-1", "version": 1, )
    . q("version_created": "2026-02-02T10:00:00+01:00", "updated": "2026-02-02T09:00:01Z", )
    . q("entry_id": "e2e-push-1-v1", "pubstatus": "usable", "language": "de", )
    . q("headline": "Per Push gemeldet: Fähre fährt wieder", )
    . q("teaser": "Nach der Sperrung verkehrt die Fähre wieder nach Fahrplan.", )
    . q("article_html": "<section class=\"main\"><p>Die Fähre über den Fluss fährt seit dem Morgen wieder.</p></section>", )
    . q("categories": [{"type": "dnltype:rubric", "name": "panorama", "qcode": "dnlpath:weblines.infoline_rs.panorama"}]}));

# The right token: 202 after COMMIT, and the page appears.
my $r = post($entry, "Bearer $token");
is($r->{status}, 202, 'push with the right token: 202') or diag($r->{content});
like($r->{headers}{'content-type'} // '', qr{^application/json}, 'answer is JSON');
like($r->{content}, qr/"stored": 1, "new": 1, "updated": 0, "older": 0, "duplicates": 0/,
    'counts: one new article');
my $listed;
ok(eventually(sub {
        # [push] section = Digital outranks the default rubric mapping.
        my $s = get('/ressort/digital');
        return 0 unless $s->{status} == 200;
        ($listed) = text_of($s->{content}) =~ m{href="(/artikel/per-push-gemeldet-faehre-faehrt-wieder-\d+)"};
        return defined $listed;
    }),
    'the pushed article appears in the [push] section');
$r = get($listed // '/none');
is($r->{status}, 200, 'its article page answers 200');
like(text_of($r->{content}), qr/Die Fähre über den Fluss fährt seit dem Morgen wieder/, 'with its text');

$r = post($entry, "Bearer $token");
is($r->{status}, 202, 'the same delivery again: 202');
like($r->{content}, qr/"stored": 0, .*"duplicates": 1/, '... counted as a duplicate');

# The [push] section's section places entries no category mapping does;
# the pipeline's rules hold for pushes as for files: an entry without a
# headline gets one, an empty entry is refused, the rest is stored.
my $batch = encode('UTF-8', '{"entries": ['
    . q({"urn": "urn:newsml:dpa.com:20090101:e2e-push-2", "version": 1, )
    . q("version_created": "2026-02-02T11:00:00+01:00", "entry_id": "e2e-push-2-v1", )
    . q("pubstatus": "usable", "language": "de", )
    . q("article_html": "<section class=\"main\"><p>Das Rathaus schaltet ein freies Funknetz frei. Es reicht bis zum Markt.</p></section>"}, )
    . q({"urn": "urn:newsml:dpa.com:20090101:e2e-push-3", "version": 1, )
    . q("version_created": "2026-02-02T11:00:00+01:00", "entry_id": "e2e-push-3-v1", )
    . q("pubstatus": "usable", "language": "de"}]}));
$r = post($batch, "Bearer $token");
is($r->{status}, 202, 'a batch with an empty entry: 202 for the rest') or diag($r->{content});
like($r->{content}, qr/"stored": 1, "new": 1, .*"refused": 1/, '... one stored, one refused');
ok(eventually(sub {
        my $s = get('/ressort/digital');
        return $s->{status} == 200
            && text_of($s->{content}) =~ /Das Rathaus schaltet ein freies Funknetz frei</;
    }),
    '... in the [push] section, with a headline made from its first sentence');

# Tokens.
$r = post($entry, "Bearer " . ('0' x 64));
is($r->{status}, 401, 'wrong token: 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/, 'WWW-Authenticate: Bearer');
$r = post($entry, undef);
is($r->{status}, 401, 'no token: 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/, '... with WWW-Authenticate: Bearer');
$r = post($entry, "Bearer $hash");
is($r->{status}, 401, 'the hash itself is not a token');

# Malformed: 422 with "source: line, column: reason", quarantined.
$r = post(qq({"urn": "urn:x:kaputt",\n "version": 1,\n "headline" "kaputt"}\n), "Bearer $token");
is($r->{status}, 422, 'malformed JSON: 422');
my ($name) = ($r->{content} // '') =~ /"error": "(push-[^":]+): line \d+, column \d+: /;
ok($name, 'the error says source: line, column: reason') or diag($r->{content});
ok(-f "$tmp/q/" . ($name // 'x') && -f "$tmp/q/" . ($name // 'x') . '.reason',
    'the document is quarantined with its reason');
if ($name && -r "$tmp/q/$name.reason") {
    like(slurp("$tmp/q/$name.reason"), qr/code: MLD_E_PARSE/, 'reason file gives the code');
}

# Not a format meldung reads: 415.
$r = post("Hallo, Welt\n", "Bearer $token", 'text/plain');
is($r->{status}, 415, 'unknown format: 415');

# Oversized: refused as soon as the headers announce it.
my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10)
    or die "connect: $!";
print $sock "POST /api/v1/push HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\n"
    . "Content-Type: application/json\r\nContent-Length: " . (16 * 1024 * 1024 + 1) . "\r\n\r\n";
my $status_line = <$sock> // '';
like($status_line, qr{^HTTP/1\.1 413 }, 'body over 16 MiB: 413');
close $sock;

# Methods.
$r = get('/api/v1/push');
is($r->{status}, 405, 'GET /api/v1/push: 405');
like($r->{headers}{allow} // '', qr/POST/, 'Allow: POST');
is(request('POST', '/')->{status}, 405, 'POST elsewhere is still 405');
is(get('/healthz')->{status}, 200, 'the site still answers');

is(stop($srv) >> 8, 0, 'serve stops cleanly on SIGTERM');

# Without [push]: 404.
($srv) = serve($bin, undef, '--db', $db);
is(post($entry, "Bearer $token")->{status}, 404, 'without [push]: 404');
stop($srv);

# A bad [push] section stops serve with a message naming the line.
open($fh, '>', "$tmp/bad.conf") or die;
print $fh "[push]\ntoken_sha256 = 1234\n";
close $fh;
$out = `$bin serve --db $db --listen 127.0.0.1:0 --config $tmp/bad.conf 2>&1`;
is($? >> 8, 1, 'a bad token_sha256: serve exits 1');
like($out, qr{bad\.conf:2: token_sha256 wants 64 hex digits}, '... naming the file and line');

done_testing();
