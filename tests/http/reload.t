# reload.t - SIGHUP: `meldung serve` re-reads templates, static files and
# [site] without dropping connections (a keep-alive connection and a live
# stream opened before the signal still answer after it), keeps what it
# has when a template is broken (and logs file and line); it makes [push]
# (a rotated token), the [webhook NAME] sections and [metrics] anew, and
# names every changed key that needs a restart ([server], [log], [enrich],
# [ingest], [site] base_url ...) in one warning line; `meldung poll`
# re-reads its sources; `meldung watch` survives the signal.
use strict;
use warnings;
use utf8;
use IO::Select;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my $db = store_db($tmp, 'reload');
my $out = `$bin ingest --db $db demo/inland-1-buergeraemter.json 2>&1`;
is($?, 0, 'store made') or diag($out);
system('cp', '-r', 'templates', 'static', $tmp) == 0 or die 'cp';

sub write_file {
    my ($path, $text) = @_;
    open(my $f, '>:raw', $path) or die "$path: $!";
    print $f $text;
    close $f;
}
write_file("$tmp/site.conf", "[site]\nname = Erstblatt\nbase_url = https://a.example.de\n");

my $log = "$tmp/serve.log";
my $pid = open(my $sout, '-|', "exec $bin serve --db $db --templates $tmp/templates "
    . "--static $tmp/static --config $tmp/site.conf --listen 127.0.0.1:0 2>$log") or die;
my ($base) = (<$sout> // '') =~ m{(http://127\.0\.0\.1:\d+)/};
ok($base, 'server starts') or BAIL_OUT('no URL: ' . slurp($log));
my ($port) = $base =~ /:(\d+)$/;
my $http = HTTP::Tiny->new(timeout => 10);
sub page { my $r = $http->get("$base$_[0]"); return $r->{status} == 200 ? $r->{content} : '' }

# Raw connections: one HTTP/1.1 keep-alive connection, one live stream.
sub connect_to {
    return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 5)
        or die "connect: $!";
}

# Reads one whole response (Content-Length framed) from a keep-alive socket.
sub read_response {
    my ($s) = @_;
    my ($buf, $sel) = ('', IO::Select->new($s));
    my $end = time() + 10;
    while (time() < $end) {
        if ($buf =~ /\A(.*?\r\n\r\n)/s) {
            my $head = $1;
            my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
            return ($head, substr($buf, length($head))) if defined $len
                && length($buf) >= length($head) + $len;
        }
        last unless $sel->can_read($end - time());
        my $n = sysread($s, my $chunk, 65536);
        last unless $n;
        $buf .= $chunk;
    }
    return ('', $buf);
}

my $ka = connect_to();
print $ka "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
my ($head, $body) = read_response($ka);
like($head, qr{^HTTP/1\.1 200}, 'keep-alive connection: first answer');
like($body, qr/Erstblatt/, '... from the configured name');

my $sse = connect_to();
print $sse "GET /api/v1/stream HTTP/1.0\r\nHost: t\r\n\r\n";
my $sse_buf = '';
sub pump_sse {
    my ($until, $secs) = @_;
    my $sel = IO::Select->new($sse);
    my $end = time() + $secs;
    while (!$until->() && time() < $end) {
        next unless $sel->can_read(0.2);
        my $n = sysread($sse, my $chunk, 65536);
        return 0 unless $n;
        $sse_buf .= $chunk;
    }
    return $until->();
}
ok(pump_sse(sub { $sse_buf =~ /\r\n\r\n/ }, 5), 'live stream open before the reload');

# --- a reload with changed templates, style sheet and [site] ----------------
my $headt = slurp("$tmp/templates/head.mustache");
write_file("$tmp/templates/head.mustache", $headt . "<!-- neue-vorlage -->\n");
write_file("$tmp/static/style.css", slurp('static/style.css') . "/* neues-css */\n");
write_file("$tmp/site.conf", "[site]\nname = Zweitblatt\nbase_url = https://b.example.de\n");
unlike(page('/'), qr/neue-vorlage/, 'before SIGHUP the cached page is the old one');
kill 'HUP', $pid;
ok(eventually(sub { page('/') =~ /neue-vorlage/ }), 'after SIGHUP the page shows the new template');
my $home = page('/');
like($home, qr/Zweitblatt/, '... and the new [site] name');
like($home, qr{https://a\.example\.de/}, '... base_url stays until a restart');
like(page('/static/style.css'), qr/neues-css/, '... and the new style sheet');
my $l = slurp($log);
like($l, qr{warning: reload: \Q$tmp\E/site\.conf: changed, but read only at the start - restart to apply \(the old values stay in use\): \[site\] base_url\n},
    'the log says base_url needs a restart');
like($l, qr{reload: templates from \Q$tmp\E/templates, static files from \Q$tmp\E/static, \[site\], \[metrics\], \[health\] of },
    'the log says what was reloaded');

print $ka "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
($head, $body) = read_response($ka);
like($head, qr{^HTTP/1\.1 200}, 'the keep-alive connection opened before SIGHUP still answers');
like($body, qr/neue-vorlage/, '... with the new page');

# The live stream stays up: an article stored after the reload arrives on it.
$out = `$bin ingest --db $db demo/sport-1-handball.json 2>&1`;
is($?, 0, 'an article stored after the reload') or diag($out);
ok(pump_sse(sub { $sse_buf =~ /^event: article$/m }, 10),
    'the live stream opened before SIGHUP delivers its event');

# --- a broken template keeps the old set -------------------------------------
my $homet = slurp("$tmp/templates/home.mustache");
my $lines = () = $homet =~ /\n/g;
write_file("$tmp/templates/home.mustache", $homet . "{{#kaputt}}\n");
write_file("$tmp/templates/head.mustache", $headt . "<!-- dritte -->\n");
kill 'HUP', $pid;
ok(eventually(sub { slurp($log) =~ /home\.mustache: line \d+: unclosed section 'kaputt'/ }),
    'a broken template: the log names the file, the line and the reason');
like(slurp($log), qr{reload: \Q$tmp\E/templates/home\.mustache: line \d+: unclosed section 'kaputt'; the templates, static files and settings in use stay},
    '... and says the ones in use stay');
$home = page('/');
like($home, qr/neue-vorlage/, '... the page still comes from the previous templates');
unlike($home, qr/dritte/, '... none of the new set is used (all or nothing)');

# A [site] error on reload is reported the same way.
write_file("$tmp/templates/home.mustache", $homet);
write_file("$tmp/site.conf", "[site]\nname = Drittblatt\nkontakt = javascript:x\n");
kill 'HUP', $pid;
ok(eventually(sub { slurp($log) =~ /reload: \Q$tmp\E\/site\.conf:3: \[site\] kontakt must be/ }),
    'a bad [site] value: file, line and reason logged');
unlike(page('/'), qr/Drittblatt/, '... and the settings in use stay');

# Repaired: the next SIGHUP applies everything.
write_file("$tmp/site.conf", "[site]\nname = Viertblatt\nbase_url = https://a.example.de\n");
kill 'HUP', $pid;
ok(eventually(sub { page('/') =~ /Viertblatt/ }), 'repaired files: the next SIGHUP applies them');
like(page('/'), qr/dritte/, '... templates included');

print $ka "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
($head, $body) = read_response($ka);
is($body, "ok\n", 'the keep-alive connection survived three reloads');
close $ka;
close $sse;
kill 'TERM', $pid;
waitpid($pid, 0);
is($? >> 8, 0, 'serve stops cleanly on SIGTERM after reloads');

# --- [push], [webhook NAME], [metrics] anew; restart-only keys named -----------
# A webhook receiver (Mld.pm): each request's path and body, a line each.
my $hook_port = hook_receiver("$tmp/hook.log");

my $tout = `$bin token`;
my ($tok2) = $tout =~ /\A([0-9a-f]{64})\n/;
my ($hash2) = $tout =~ /^token_sha256 = ([0-9a-f]{64})$/m;
my $tout1 = `$bin token`;
my ($tok1) = $tout1 =~ /\A([0-9a-f]{64})\n/;
my ($hash1) = $tout1 =~ /^token_sha256 = ([0-9a-f]{64})$/m;
ok($tok1 && $tok2 && $tok1 ne $tok2, 'two push tokens');
my $conf1 = "[site]\nname = Dienstblatt\nbase_url = https://a.example.de\n"
    . "[server]\nheader_timeout = 10\n[log]\nformat = text\n"
    . "[push]\ntoken_sha256 = $hash1\nquarantine = $tmp/pq\n"
    . "[webhook eins]\nurl = http://127.0.0.1:$hook_port/eins\nsecret = geheim-0123456789abcdef\n"
    . "[metrics]\ntoken = metrik-eins-0123456789\n";
write_file("$tmp/dienst.conf", $conf1);
$log = "$tmp/serve2.log";
$pid = open(my $sout2, '-|', "exec $bin serve --db $db --templates $tmp/templates "
    . "--static $tmp/static --config $tmp/dienst.conf --listen 127.0.0.1:0 2>$log") or die;
($base) = (<$sout2> // '') =~ m{(http://127\.0\.0\.1:\d+)/};
ok($base, 'a server with [push], [webhook eins], [metrics]') or BAIL_OUT('no URL: ' . slurp($log));
($port) = $base =~ /:(\d+)$/;
my $doc = slurp('demo/panorama-1-sturm-norden.json');
sub push_with {
    my ($tok, $entry) = @_;
    (my $d = $doc) =~ s/"entry_id"\s*:\s*"[^"]*"/"entry_id": "$entry"/;
    return $http->request('POST', "$base/api/v1/push", { headers => { Authorization => "Bearer $tok",
        'Content-Type' => 'application/json' }, content => $d })->{status};
}
sub metrics { my $r = $http->get("$base/metrics", { headers => { Authorization => "Bearer $_[0]" } }); $r->{status} == 200 ? $r->{content} : "status $r->{status}" }
is(push_with($tok1, 'reload-1'), 202, 'a push with the first token is taken');
is(push_with($tok2, 'reload-2'), 401, '... the second token is refused');
like(metrics('metrik-eins-0123456789'), qr/meldung_webhook_queued\{webhook="eins"\}/, '/metrics with its token lists webhook eins');
$ka = connect_to();
print $ka "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
($head, $body) = read_response($ka);
is($body, "ok\n", 'a keep-alive connection before the reload');

(my $conf2 = $conf1) =~ s/\Q$hash1\E/$hash2/;
$conf2 =~ s/\[webhook eins\]\nurl = [^\n]*\/eins/[webhook zwei]\nurl = http:\/\/127.0.0.1:$hook_port\/zwei/;
$conf2 =~ s/metrik-eins-0123456789/metrik-zwei-0123456789/;
$conf2 =~ s/header_timeout = 10/header_timeout = 20/;
$conf2 =~ s/format = text/format = json/;
$conf2 =~ s/a\.example\.de/b.example.de/;
$conf2 .= "[enrich]\nplaces = no\n";
write_file("$tmp/dienst.conf", $conf2);
kill 'HUP', $pid;
ok(eventually(sub { slurp($log) =~ /\[webhook\] sections anew/ }), 'SIGHUP: the reload says it made [push] and the webhooks anew')
    or diag(slurp($log));
$l = slurp($log);
my @warn = $l =~ /^.*restart to apply.*$/mg;
is(scalar(@warn), 1, 'one warning line for the keys that need a restart');
like($warn[0], qr{\Q$tmp\E/dienst\.conf: changed, but read only at the start - restart to apply \(the old values stay in use\): (.*)$},
     '... naming the file');
my ($keys) = $warn[0] =~ /stay in use\): (.*)$/;
is(join(', ', sort split /, /, $keys // ''), '[enrich] places, [log] format, [server] header_timeout, [site] base_url',
   '... and each changed key that needs one, nothing else');
like($l, qr/\[push\] anew/, '... [push] is made anew');
is(push_with($tok2, 'reload-3'), 202, 'the rotated token is taken now');
is(push_with($tok1, 'reload-4'), 401, '... the old one refused');
is(metrics('metrik-eins-0123456789'), 'status 401', '/metrics: the old token refused');
my $m = metrics('metrik-zwei-0123456789');
like($m, qr/meldung_webhook_queued\{webhook="zwei"\}/, '... the new one reads it: webhook zwei');
unlike($m, qr/webhook="eins"/, '... and webhook eins is gone');
$out = `$bin ingest --db $db demo/wirtschaft-1-mittelstand.json 2>&1`;
is($?, 0, 'an article stored after the reload') or diag($out);
ok(eventually(sub { slurp("$tmp/hook.log") =~ m{^/zwei \{}m }, within => 15),
   'an article after the reload goes to the new webhook') or diag(slurp("$tmp/hook.log"));
print $ka "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
($head, $body) = read_response($ka);
is($body, "ok\n", 'the keep-alive connection survived the reload');
close $ka;
kill 'HUP', $pid;
ok(eventually(sub { my @w = slurp($log) =~ /restart to apply/g; @w == 2 }),
   'a second SIGHUP still names the keys waiting for a restart');
unlike((split /SIGHUP: reloading/, slurp($log))[-1], qr/anew/, '... and makes nothing anew that did not change');
kill 'TERM', $pid;
waitpid($pid, 0);
is($? >> 8, 0, 'serve stops cleanly on SIGTERM after reloads');

# --- poll: SIGHUP re-reads the sources ----------------------------------------
# The sources point at a closed port: polls fail, which is fine here.
write_file("$tmp/poll.conf", "[source eins]\nurl = http://127.0.0.1:9/eins.xml\ninterval = 3600\n");
my $plog = "$tmp/poll.log";
my $pdb = store_db($tmp, 'poll');
my $ppid = fork() // die;
if ($ppid == 0) {
    open(STDERR, '>', $plog) or die;
    exec($bin, 'poll', '--config', "$tmp/poll.conf", '--db', $pdb) or die;
}
ok(eventually(sub { slurp($plog) =~ /polling 1 source/ }), 'poll starts with one source');
write_file("$tmp/poll.conf", "[source eins]\nurl = http://127.0.0.1:9/eins.xml\ninterval = 3600\n"
    . "[source zwei]\nurl = http://127.0.0.1:9/zwei.xml\ninterval = 3600\n");
kill 'HUP', $ppid;
ok(eventually(sub { slurp($plog) =~ /reload: polling 2 source\(s\) from \Q$tmp\E\/poll\.conf/ }),
    'SIGHUP: poll re-reads the configuration and polls both sources');
write_file("$tmp/poll.conf", "[source eins]\nurl = ftp://nein\n");
kill 'HUP', $ppid;
ok(eventually(sub { slurp($plog) =~ /reload: \Q$tmp\E\/poll\.conf:2: .*still polling the 2 source\(s\)/ }),
    'a bad configuration on SIGHUP: logged with file and line, the sources in use stay')
    or diag(slurp($plog));
ok(kill(0, $ppid), '... and poll keeps running');
kill 'TERM', $ppid;
waitpid($ppid, 0);
is($? >> 8, 0, 'poll stops cleanly on SIGTERM');

# --- watch: SIGHUP does not stop it --------------------------------------------
mkdir "$tmp/drop";
my $wlog = "$tmp/watch.log";
my $wdb = store_db($tmp, 'watch');
my $wpid = open(my $wout, '-|', "exec $bin watch --db $wdb $tmp/drop 2>$wlog") or die;
like(<$wout> // '', qr/watching/, 'watch starts');
kill 'HUP', $wpid;
ok(eventually(sub { slurp($wlog) =~ /SIGHUP: watch keeps running as started/ }),
    'SIGHUP: watch says there is nothing to re-read');
system('cp', 'demo/inland-1-buergeraemter.json', "$tmp/drop/.eins.json") == 0 or die;
rename("$tmp/drop/.eins.json", "$tmp/drop/eins.json") or die;
ok(eventually(sub { -e "$tmp/drop/done/eins.json" }), '... and still ingests a dropped file');
kill 'TERM', $wpid;
waitpid($wpid, 0);
is($? >> 8, 0, 'watch stops cleanly on SIGTERM');

done_testing();
