#!/usr/bin/env perl
# End to end: webhooks out with the real binary. Receivers are small HTTP
# servers on 127.0.0.1 (child processes of this test) that log every
# request they get. While `meldung serve` runs, `meldung ingest` writes
# the store from another process; then:
#   - a receiver gets an `article` event for the new article, signed with
#     its secret (checked here with Digest::SHA), with the payload fields;
#   - a receiver answering 503 twice then 200 gets the event on the third
#     attempt, after waits, with the same delivery id each time;
#   - a receiver answering 410 gets it once (not retried), counted failed;
#   - a receiver filtered to one section gets only that section;
#   - a held item makes no event; a withdrawal makes `withdrawn`;
#   - a refused URL and one that never answers do not slow pages down, and
#     /status shows both as failing, by host only;
#   - SIGTERM stops the server promptly while a delivery hangs;
#   - bad [webhook] sections stop `serve` with file:line and the reason.
#
# Waits are upper bounds for a slow machine, not performance checks.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Digest::SHA qw(hmac_sha256_hex);
use Encode qw(encode);
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(_exit);
use Test::More;
use Time::HiRes qw(time sleep);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(150, utf8 => 1);
my $db = store_db($tmp, 'hooks');
my $out = `$bin ingest --db $db demo/inland-1-buergeraemter.json 2>&1`;
is($?, 0, 'store made') or diag($out);

# receiver(NAME, STATUS...): a server on a free port that answers the
# n-th request with the n-th STATUS (the last one from then on) and logs
# each request as one JSON line to $tmp/NAME.log. Returns its port.
my @children;
sub receiver {
    my ($name, @statuses) = @_;
    my $l = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1', LocalPort => 0,
        ReuseAddr => 1) or die "listen: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid) {
        push @children, $pid;
        my $port = $l->sockport;
        close($l);
        return $port;
    }
    my $n = 0;
    while (my $c = $l->accept) {
        my $buf = '';
        while ($buf !~ /\r\n\r\n/) {
            my $k = sysread($c, $buf, 65536, length $buf) or last;
        }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        $body //= '';
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        while (defined $len && length($body) < $len) {
            sysread($c, $body, $len - length $body, length $body) or last;
        }
        my %h;
        my ($line, @hl) = split /\r\n/, $head;
        for (@hl) { my ($k, $v) = /^([^:]+):\s*(.*)$/ or next; $h{ lc $k } = $v }
        my $status = $statuses[$n < @statuses ? $n : $#statuses];
        $n++;
        open(my $log, '>>', "$tmp/$name.log") or die;
        print $log encode_json({ line => $line, headers => \%h, body => $body,
                                 status => $status, at => time() }), "\n";
        close($log);
        print $c "HTTP/1.1 $status X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        close($c);
    }
    _exit(0);
}

# The requests NAME's receiver logged so far.
sub got {
    my ($name) = @_;
    open(my $f, '<', "$tmp/$name.log") or return ();
    return map { decode_json($_) } <$f>;
}

# The requests of NAME whose payload matches cond.
sub events {
    my ($name, $cond) = @_;
    return grep { my $p = eval { decode_json($_->{body}) }; $p && $cond->($p) } got($name);
}

my $secret = 'geheim-für-den-test-0123456789';
my $secret_bytes = encode('UTF-8', $secret); # what the file holds, and what is signed with
my $env_secret = 'aus-der-umgebung-9876543210';
my $ok_port = receiver('ok', 200);
my $flaky_port = receiver('flaky', 503, 503, 200);
my $sport_port = receiver('sport', 204);
my $gone_port = receiver('gone', 410);
# A refused port: bound, then closed again.
my $dead = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die;
my $dead_port = $dead->sockport;
close($dead);
# A port that takes connections (the kernel's backlog) and never answers.
my $hang = IO::Socket::INET->new(Listen => 64, LocalAddr => '127.0.0.1', LocalPort => 0) or die;
my $hang_port = $hang->sockport;

open(my $cf, '>:encoding(UTF-8)', "$tmp/site.conf") or die;
print $cf <<"EOF";
[site]
name = Haken-Test
base_url = https://hooks.example.de

[webhook ok]
url = http://127.0.0.1:$ok_port/in/geheimer-pfad-token
secret = $secret

[webhook flaky]
url = http://127.0.0.1:$flaky_port/in
secret_env = MLD_TEST_HOOK_SECRET

[webhook sport]
url = http://127.0.0.1:$sport_port/in
secret = $secret
events = article
section = sport

[webhook gone]
url = http://127.0.0.1:$gone_port/in
secret = $secret

[webhook dead]
url = http://127.0.0.1:$dead_port/weg
secret = $secret
timeout = 2

[webhook hang]
url = http://127.0.0.1:$hang_port/haengt
secret = $secret
timeout = 2
EOF
close $cf;
$ENV{MLD_TEST_HOOK_SECRET} = $env_secret;
my ($srv, $base) = serve($bin, 'server starts', '--db', $db, '--config', "$tmp/site.conf");

sub ingest {
    my (@files) = @_;
    my $o = `$bin ingest --db $db @files 2>&1`;
    is($?, 0, "ingest @files") or diag($o);
}

sub fixture {
    my ($name, $text) = @_;
    open(my $f, '>:encoding(UTF-8)', "$tmp/$name") or die;
    print $f $text;
    close $f;
    return "$tmp/$name";
}

# A new article while serving.
my $t_ingest = time();
ingest('demo/panorama-1-sturm-norden.json');
my $t_ingested = time();
my @storm;
ok(eventually(sub { @storm = events('ok', sub { ($_[0]{headline} // '') =~ /Sturmtief/ }) },
    within => 10), 'the receiver gets an event for an article ingested while serving');
my $req = $storm[0];
ok($req && $req->{at} - $t_ingest < 5,
    sprintf('... %.3f s after ingest started (%.3f s after it ended)',
        ($req ? $req->{at} : 0) - $t_ingest, ($req ? $req->{at} : 0) - $t_ingested));
my $p = $req ? decode_json($req->{body}) : {};
is($p->{event}, 'article', '... event article');
like($req->{line} // '', qr{^POST /in/geheimer-pfad-token HTTP/1\.1$}, '... POSTed to the URL');
is($req->{headers}{'content-type'}, 'application/json', '... as application/json');
is($req->{headers}{'x-meldung-event'}, 'article', '... X-Meldung-Event');
like($req->{headers}{'x-meldung-delivery'} // '',
    qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    '... X-Meldung-Delivery, a UUID');
my $ts = $req->{headers}{'x-meldung-timestamp'} // 0;
ok(abs($ts - time()) < 60, '... X-Meldung-Timestamp, the current time');
is($req->{headers}{'x-meldung-signature'},
    'sha256=' . hmac_sha256_hex("$ts.$req->{body}", $secret_bytes),
    '... X-Meldung-Signature verifies with the secret (its UTF-8 bytes)');
isnt($req->{headers}{'x-meldung-signature'},
    'sha256=' . hmac_sha256_hex("$ts.$req->{body}", 'ein-anderes-geheimnis-0123'),
    '... and not with another');
like($p->{id} // '', qr/^\d+$/, 'payload: id');
like($p->{urn} // '', qr/^urn:/, 'payload: urn');
like($p->{url} // '', qr{^https://hooks\.example\.de/artikel/sturmtief-[a-z0-9-]+-$p->{id}$},
    'payload: url, absolute');
is(ref $p->{section} eq 'HASH' && $p->{section}{slug}, 'panorama', 'payload: section');
like($p->{published} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'payload: published');
ok(exists $p->{updated}, 'payload: updated');
like($p->{seq} // '', qr/^\d+$/, 'payload: seq (the change-log position)');
is(scalar(@storm), 1, 'one request for one event');
my $storm_id = $p->{id};

# 503, 503, 200.
my @flaky;
ok(eventually(sub { (@flaky = events('flaky', sub { ($_[0]{headline} // '') =~ /Sturmtief/ })) >= 3 },
    within => 15), 'a receiver answering 503 twice gets the event on the third attempt');
if (@flaky >= 3) {
    is_deeply([map { $_->{status} } @flaky[0 .. 2]], [503, 503, 200], '... 503, 503, then 200');
    is(scalar(grep { $_->{headers}{'x-meldung-delivery'} eq $flaky[0]{headers}{'x-meldung-delivery'} } @flaky),
        scalar(@flaky), '... the same delivery id each time');
    ok(!grep({ $_->{headers}{'x-meldung-signature'} ne 'sha256='
                 . hmac_sha256_hex("$_->{headers}{'x-meldung-timestamp'}.$_->{body}", $env_secret) } @flaky),
        '... each attempt signed with the secret from secret_env');
    ok($flaky[1]{at} - $flaky[0]{at} >= 0.4 && $flaky[2]{at} - $flaky[1]{at} >= 0.9,
        sprintf('... after back-off waits (%.2f s, %.2f s)',
            $flaky[1]{at} - $flaky[0]{at}, $flaky[2]{at} - $flaky[1]{at}));
}
sleep 1.5;
is(scalar(events('flaky', sub { ($_[0]{headline} // '') =~ /Sturmtief/ })), 3, '... and no more after the 200');

# 410: refused for good, not retried.
ok(eventually(sub { events('gone', sub { ($_[0]{headline} // '') =~ /Sturmtief/ }) }, within => 10),
    'a receiver answering 410 gets the event');
sleep 1.2;
is(scalar(events('gone', sub { ($_[0]{headline} // '') =~ /Sturmtief/ })), 1,
    '... once: a 4xx other than 429 is not retried');

# Pages while two webhooks keep failing: as fast as ever.
my $t0 = time();
my $r = get('/');
my $took = time() - $t0;
is($r->{status}, 200, 'a page while deliveries fail and hang');
ok($took < 1.5, sprintf('... answers at once (%.3f s)', $took));

# /status: by host, failing ones marked.
my $st;
ok(eventually(sub {
        $st = text_of(admin_get($bin, $db, '/status')->{content});
        return $st =~ m{<tr class="error">\s*<th scope="row">dead<br><small>127\.0\.0\.1:$dead_port</small>}
            && $st =~ m{<tr class="error">\s*<th scope="row">hang<br><small>127\.0\.0\.1:$hang_port</small>};
    }, within => 10), '/status marks the refused and the hanging webhook as failing');
like($st, qr{<h2 id="webhooks">Webhooks</h2>}, '/status has a webhooks section');
like($st, qr{<th scope="row">ok<br><small>127\.0\.0\.1:$ok_port</small></th>\s*<td data-label="Zustand">in Ordnung}, '... the working one is in order');
unlike($st, qr{geheimer-pfad-token|/weg|/haengt}, '... no URL path shown');
unlike($st, qr{geheim-f}, '... no secret shown');
like($st, qr{Letzter Fehler[^<]*<time[^>]*>[^<]*</time>: [^<]*(?:connect|Couldn)}i,
    '... the refused one\'s last error');
like($st, qr{Nächster Versuch}, '... a next-retry column');
like($st, qr{<th scope="row">gone<br>.*?data-label="Fehlgeschlagen">1<.*?HTTP 410 \(not retried\)}s,
    '... the 410 counted as failed, with its answer');
like($st, qr{data-label="Nächster Versuch">in \d+ s}, '... with a time');

# A section filter; a held item makes no event.
ingest('demo/achtung-1-pressekonferenz.json');
ingest('demo/sport-1-handball.json');
ok(eventually(sub { events('ok', sub { ($_[0]{headline} // '') =~ /Tabellenführer/ }) }, within => 10),
    'the event of the article after a held item arrives');
ok(!events('ok', sub { ($_[0]{headline} // '') =~ /Pressekonferenz/ }), 'the held item made no webhook');
ok(eventually(sub { events('sport', sub { ($_[0]{headline} // '') =~ /Tabellenführer/ }) }, within => 10),
    'section = sport: the sport article arrives');
ok(!events('sport', sub { ($_[0]{headline} // '') =~ /Sturmtief/ }), '... the panorama one never did');

# A withdrawal.
ingest(fixture('cancel.json',
    '{"urn": "urn:newsml:dpa.com:20090101:260130-99-000014", "version": 2, '
    . '"version_created": "2026-01-30T09:00:00+01:00", "updated": "2026-01-30T09:00:05Z", '
    . '"entry_id": "hooks-t-cancel-1", "pubstatus": "canceled", "headline": "Sturmtief legt Teile des Verkehrs im Norden lahm"}'));
my @gone;
ok(eventually(sub { @gone = events('ok', sub { ($_[0]{event} // '') eq 'withdrawn' }) }, within => 10),
    'a withdrawal: a withdrawn event');
is(@gone ? decode_json($gone[0]{body})->{id} : 0, $storm_id, '... with the article\'s id');
is(@gone ? $gone[0]{headers}{'x-meldung-event'} : '', 'withdrawn', '... X-Meldung-Event withdrawn');
ok(!events('sport', sub { ($_[0]{event} // '') eq 'withdrawn' }), '... not to events = article');

$st = text_of(admin_get($bin, $db, '/status')->{content});
like($st, qr{<th scope="row">ok<br>.*?data-label="Zugestellt">(\d+)<}s, '/status counts deliveries');
my ($n_ok) = $st =~ m{<th scope="row">ok<br>.*?data-label="Zugestellt">(\d+)<}s;
ok(($n_ok // 0) >= 3, "... $n_ok delivered to ok");

# SIGTERM while a delivery hangs.
$t0 = time();
my $status = stop($srv);
$took = time() - $t0;
is($status, 0, 'SIGTERM with a hanging delivery: clean exit');
ok($took < 5, sprintf('... within a bounded time (%.2f s)', $took));

# Bad sections stop the server with file:line.
sub refused {
    my ($text, $want, $name) = @_;
    open(my $f, '>', "$tmp/bad.conf") or die;
    print $f $text;
    close $f;
    my $o = `$bin serve --db $db --config $tmp/bad.conf --listen 127.0.0.1:0 2>&1`;
    isnt($?, 0, "$name: serve refuses to start");
    like($o, $want, "$name: says where and why") or diag($o);
}
refused("[webhook x]\nurl = http://hooks.example.com/in\nsecret = 0123456789abcdef\n",
    qr{bad\.conf:2: \[webhook x\] url must be https://}, 'plain http to another host');
refused("[webhook x]\nurl = https://hooks.example.com/in\nsecret = kurz\n",
    qr{bad\.conf:3: \[webhook x\] secret: the secret has fewer than 16 bytes}, 'a short secret');
refused("[webhook x]\nurl = https://hooks.example.com/in\nsecret = 0123456789abcdef\nsektion = sport\n",
    qr{bad\.conf:4: \[webhook x\]: unknown key 'sektion'}, 'an unknown key');

kill 'TERM', @children;
waitpid($_, 0) for @children;
close($hang);
done_testing();
