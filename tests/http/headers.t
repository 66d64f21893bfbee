#!/usr/bin/env perl
# End to end: the headers a public site sends, through the real binary.
#
#   - X-Content-Type-Options: nosniff and Referrer-Policy on every answer
#     (pages, feeds, sitemaps, robots.txt, API answers, static files,
#     /status, errors), and Content-Security-Policy on every answer too
#     (an API or feed answer opened in a browser runs nothing); on every
#     HTML answer CSP and Permissions-Policy parsed: no 'unsafe-inline', scripts only from the
#     site, camera, microphone, geolocation and interest-cohort denied.
#   - Cache-Control for a CDN: s-maxage and stale-while-revalidate on the
#     cacheable answers (3600 s with a purge URL), no-store kept on
#     /status and /api/v1/changes.
#   - Surrogate-Key (space-separated) and Cache-Tag (comma-separated)
#     name the same header-safe change keys; an article page lists its
#     own key, its section, story and topics, and "site".
#   - A purge receiver (a small HTTP server here, on 127.0.0.1) gets the
#     keys of an article re-ingested while the site serves, as
#     {"keys": [...]} with the bearer token.
#   - A purge URL that answers 503 only after a delay blocks nothing:
#     pages keep coming at once and the update still shows; the failure is
#     logged.
#   - In headless Chromium (when installed), home, article, section,
#     topic, story, search, error and status pages report no CSP
#     violation; a control page with an inline script under the same
#     policy does, so the check can fail.
#
# Needs: MELDUNG (default ./meldung), run from the repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(_exit);
use Time::HiRes qw(time sleep);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(180, utf8 => 1);
my $json = JSON::PP->new->utf8->canonical;
my $db = store_db($tmp, 'h');
my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);

# The purge receiver --------------------------------------------------------
# A forked HTTP/1.0 server: POSTs are written, one JSON line each, to
# $log; GET /control answers an HTML page with an inline script and style
# under the policy in $tmp/control-csp. Mode "ok" answers 204, "slow503"
# waits 3 s and answers 503.
sub receiver {
    my ($mode, $log) = @_;
    my $ls = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                   ReuseAddr => 1) or die "listen: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid) {
        my $port = $ls->sockport;
        close($ls);
        return ($pid, $port);
    }
    $SIG{ALRM} = 'DEFAULT';
    alarm 0;
    while (my $c = $ls->accept) {
        my ($head, $body) = ('', '');
        while (defined(my $line = <$c>)) {
            $head .= $line;
            last if $line =~ /^\r?\n$/;
        }
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        read($c, $body, $len) if $len;
        my ($method, $path) = $head =~ /^(\S+) (\S+)/;
        if (($method // '') eq 'GET' && ($path // '') eq '/control') {
            my $csp = slurp("$tmp/control-csp");
            my $html = '<!doctype html><html lang="de"><head><title>Kontrolle</title></head>'
                . '<body><p style="color:red">rot</p><script>document.title = "x";</script>'
                . "</body></html>";
            print $c "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                . "Content-Security-Policy: $csp\r\nContent-Length: " . length($html)
                . "\r\n\r\n$html";
            close($c);
            next;
        }
        my ($auth) = $head =~ /^Authorization:\s*(.*?)\r?$/mi;
        my ($ctype) = $head =~ /^Content-Type:\s*(.*?)\r?$/mi;
        open(my $f, '>>', $log) or die;
        print $f $json->encode({ method => $method, path => $path, auth => $auth // '',
                                 ctype => $ctype // '', body => $body }), "\n";
        close($f);
        if ($mode eq 'slow503') {
            sleep 3;
            print $c "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
        } else {
            print $c "HTTP/1.0 204 No Content\r\n\r\n";
        }
        close($c);
    }
    _exit(0);
}

sub purges {
    my ($log) = @_;
    return map { $json->decode($_) } grep { /\S/ } split /\n/, slurp($log);
}

my ($rpid, $rport) = receiver('ok', "$tmp/purges.log");
END { kill 'KILL', $rpid if $rpid; }

sub config {
    my ($name, $port) = @_;
    open(my $cf, '>', "$tmp/$name.conf") or die;
    print $cf "[site]\nname = Kopfzeilen-Test\nbase_url = https://kopf.example.de\n"
        . "purge_url = http://127.0.0.1:$port/purge\npurge_token = geheim-123\n";
    close $cf;
    return "$tmp/$name.conf";
}
# A purge URL that is no http(s) URL stops serve with file, line and reason.
open(my $bad, '>', "$tmp/bad.conf") or die;
print $bad "[site]\npurge_url = ftp://cdn.example.de/purge\n";
close $bad;
my $bo = `timeout 10 $bin serve --db $db --config $tmp/bad.conf --listen 127.0.0.1:0 2>&1`;
isnt($?, 0, 'a bad purge_url: serve refuses to start');
like($bo, qr{bad\.conf:2: \[site\] purge_url must be an absolute http\(s\) URL}, '... saying where and why')
    or diag($bo);

my ($srv, $base) = serve($bin, "server starts", '--db', $db, '--config', config('site', $rport));

# Which article to look at: the handball report of the demo wire.
my $list = $json->decode(get('/api/v1/articles?section=sport&limit=100')->{content});
my ($hb) = grep { $_->{headline} =~ /Aufsteiger entzaubert/ } @{ $list->{items} };
ok($hb, 'the demo handball article is listed') or BAIL_OUT('no demo article');
my $art = $hb->{url};
my $topic = $hb->{topics}[0]{slug};

# Every answer ------------------------------------------------------------
my %html = (
    home => '/', article => $art, section => '/ressort/sport', topic => "/thema/$topic",
    story => "/geschichte/$hb->{story_id}", search => '/suche?q=Handball',
    notfound => '/gibt-es-nicht', status => '/status',
);
my %other = (
    rss => '/feed.xml', atom => '/atom.xml', jsonfeed => '/feed.json',
    section_feed => '/ressort/sport/feed.xml', sitemap => '/sitemap.xml',
    news_sitemap => '/sitemap-news.xml', robots => '/robots.txt',
    api_list => '/api/v1/articles', api_article => "/api/v1/articles/$hb->{id}",
    api_sections => '/api/v1/sections', api_search => '/api/v1/search?q=Handball',
    api_changes => '/api/v1/changes', openapi => '/api/v1/openapi.json',
    css => '/static/style.css', script => '/static/live.js', healthz => '/healthz',
);
my %no_store = (status => 1, api_changes => 1, healthz => 1);
# Kept by the page cache with their change keys: a CDN may keep them an
# hour, since the purge call drops them on change. The others (searches,
# the news sitemap, which ages with the clock, robots.txt) carry no keys
# and a CDN keeps them a minute, as browsers do.
my %keyed = map { $_ => 1 } qw(home article section topic story rss atom jsonfeed section_feed
                               sitemap api_list api_article api_sections);
my %short = map { $_ => 1 } qw(search api_search news_sitemap robots);

# Parses a Content-Security-Policy into {directive => [sources]}.
sub csp {
    my %d;
    for my $part (split /;/, $_[0]) {
        my ($name, @src) = split ' ', $part;
        $d{lc $name} = \@src if defined $name;
    }
    return \%d;
}

my $csp_value;
for my $name (sort(keys %html), sort(keys %other)) {
    my $path = $html{$name} // $other{$name};
    my $r = $name eq 'status' ? admin_get($bin, $db, $path) : get($path); # editors: admins only
    my $h = $r->{headers};
    ok($r->{status} == 200 || ($name eq 'notfound' && $r->{status} == 404),
       "$name ($path): answers") or diag("status $r->{status}");
    is($h->{'x-content-type-options'}, 'nosniff', "$name: nosniff");
    is($h->{'referrer-policy'}, 'strict-origin-when-cross-origin', "$name: Referrer-Policy");
    if ($html{$name}) {
        like($h->{'content-type'}, qr{^text/html}, "$name: HTML");
        my $d = csp($h->{'content-security-policy'} // '');
        $csp_value //= $h->{'content-security-policy'};
        is_deeply($d->{'default-src'}, ["'none'"], "$name: CSP default-src 'none'");
        is_deeply($d->{'script-src'}, ["'self'"], "$name: CSP scripts only from the site");
        is_deeply($d->{'style-src'}, ["'self'"], "$name: CSP styles only from the site");
        ok($d->{'connect-src'} && grep({ $_ eq "'self'" } @{ $d->{'connect-src'} }),
           "$name: CSP lets live.js reach the stream");
        is_deeply($d->{'frame-ancestors'}, ["'none'"], "$name: CSP no framing");
        unlike($h->{'content-security-policy'} // '', qr/unsafe-(inline|eval)/,
               "$name: CSP without unsafe-inline/eval");
        my %pp;
        for (split /\s*,\s*/, $h->{'permissions-policy'} // '') {
            my ($k, $v) = /^([a-z-]+)=(.*)$/ or next;
            $pp{$k} = $v;
        }
        is($pp{$_}, '()', "$name: Permissions-Policy denies $_")
            for qw(camera microphone geolocation interest-cohort);
    } else {
        like($h->{'content-security-policy'} // '', qr/default-src 'none'/,
             "$name: CSP on a non-HTML answer too (hardening: every answer)");
    }
    my $cc = $h->{'cache-control'} // '';
    if ($no_store{$name}) {
        like($cc, qr/\bno-store\b/, "$name: no-store kept");
        next;
    }
    next unless $keyed{$name} || $short{$name};
    my %c = map { /^([a-z-]+)(?:=(\d+))?$/ ? ($1 => $2 // 1) : ('bad' => $_) } split /\s*,\s*/, $cc;
    ok(!$c{bad} && $c{public}, "$name: Cache-Control parses ($cc)");
    is($c{'max-age'}, 60, "$name: browsers keep it a minute");
    is($c{'stale-while-revalidate'}, 30, "$name: stale-while-revalidate");
    if ($short{$name}) {
        is($c{'s-maxage'}, 60, "$name: a CDN keeps it a minute (no change keys)");
        ok(!defined $h->{'surrogate-key'} && !defined $h->{'cache-tag'},
           "$name: no Surrogate-Key or Cache-Tag");
        next;
    }
    is($c{'s-maxage'}, 3600, "$name: a CDN keeps it an hour (purged on change)");
    my @sk = split / /, $h->{'surrogate-key'} // '';
    my @ct = split /,/, $h->{'cache-tag'} // '';
    ok(@sk > 1, "$name: Surrogate-Key names change keys");
    is_deeply([sort @ct], [sort @sk], "$name: Cache-Tag names the same keys");
    ok(!grep({ !/^[A-Za-z0-9._:%-]+$/ } @sk), "$name: keys are header-safe");
    ok(grep({ $_ eq 'site' } @sk), "$name: and carry the site key");
}
my $nf = get('/gibt-es-nicht')->{headers}{'cache-control'} // '';
like($nf, qr/^public, max-age=10, s-maxage=10$/, '404: kept briefly by browsers and the CDN');
my $r405 = request('DELETE', '/');
is($r405->{status}, 405, 'DELETE: 405');
is($r405->{headers}{'x-content-type-options'}, 'nosniff', '405 from the server: nosniff too');

# The article page's keys ---------------------------------------------------
my %keys = map { $_ => 1 } split / /, get($art)->{headers}{'surrogate-key'};
ok($keys{"a:$hb->{id}"}, "article: its own key a:$hb->{id}");
ok($keys{"s:$hb->{section}{slug}"}, "article: its section s:$hb->{section}{slug}");
ok($keys{"g:$hb->{story_id}"}, "article: its story g:$hb->{story_id}");
my %topics = map { ("t:$_->{slug}" => 1) } @{ $hb->{topics} };
ok($keys{"t:$topic"}, "article: its first topic t:$topic");
ok(!grep({ /^t:/ && !$topics{$_} } keys %keys), 'article: no topic key it does not have');
ok(!grep({ !/^(?:[asgtm]:[a-z0-9-]+|all|site)$/ } keys %keys), 'article: only known key kinds')
    or diag(join ' ', sort keys %keys);

# The purge call: re-ingest the article while the site serves ---------------
sub reingest {
    my ($headline, $version) = @_;
    open(my $f, '<:raw', 'demo/sport-1-handball.json') or die;
    my $doc = $json->decode(do { local $/; <$f> });
    close($f);
    $doc->{version} = $version;
    $doc->{headline} = $headline;
    $doc->{version_created} = sprintf('2026-01-25T18:%02d:00+01:00', 10 + $version);
    $doc->{updated} = sprintf('2026-01-25T17:%02d:00Z', 10 + $version);
    $doc->{entry_id} = "headers-test-v$version";
    my $file = "$tmp/handball-v$version.json";
    open(my $o, '>:raw', $file) or die;
    print $o $json->encode($doc);
    close($o);
    my $o2 = `$bin ingest --db $db $file 2>&1`;
    is($?, 0, "version $version ingested") or diag($o2);
}
ok(eventually(sub { grep { $_->{body} eq '{"keys":["site"]}' } purges("$tmp/purges.log") }),
   'the start purges every page (changes made while no server ran)');
unlink "$tmp/purges.log";
reingest('Aufsteiger entzaubert den Tabellenführer erneut', 2);
my $want = "a:$hb->{id}";
ok(eventually(sub { grep { index($_->{body}, "\"$want\"") >= 0 } purges("$tmp/purges.log") },
              within => 10),
   "the purge URL gets $want") or diag(slurp("$tmp/purges.log"));
my ($p) = grep { index($_->{body}, "\"$want\"") >= 0 } purges("$tmp/purges.log");
if ($p) {
    is($p->{method}, 'POST', 'purge: a POST');
    is($p->{path}, '/purge', 'purge: to the configured path');
    is($p->{auth}, 'Bearer geheim-123', 'purge: with the bearer token');
    like($p->{ctype}, qr{^application/json}, 'purge: JSON');
    my $k = eval { $json->decode($p->{body}) };
    ok($k && ref $k->{keys} eq 'ARRAY', 'purge body: {"keys": [...]}');
    my %got = map { $_ => 1 } @{ $k->{keys} // [] };
    ok($got{"s:sport"} && $got{all}, 'purge body: the section and "all" too')
        or diag($p->{body});
}
# The headline names the page: the new one shows under the new address.
sub headline { text_of(get("/api/v1/articles/$hb->{id}")->{content}) }
ok(eventually(sub { headline() =~ /erneut/ }), 'the site shows the update');
is(get($art)->{status}, 301, 'the old address moves to the new headline\'s');
$art = get($art)->{headers}{location};

# The headless browser: no CSP violation ----------------------------------
my ($chrome) = grep { -x } map { "$_/chromium" } split /:/, $ENV{PATH};
SKIP: {
    skip 'no chromium in PATH (scripts/deps.sh installs it)', 1 unless $chrome;
    # Console lines of one page load (fresh profile: nothing cached).
    my $run = 0;
    my $console = sub {
        my ($url) = @_;
        my $prof = "$tmp/chrome-" . $run++;
        my @cmd = ($chrome, '--headless=new', '--no-sandbox', '--disable-gpu',
                   '--enable-logging=stderr', '--v=0', "--user-data-dir=$prof",
                   '--timeout=3000', '--dump-dom', $url);
        my $pid = open(my $fh, '-|') // die "fork: $!";
        if (!$pid) {
            open(STDERR, '>&', \*STDOUT);
            open(STDOUT, '>', '/dev/null');
            exec(@cmd) or _exit(127);
        }
        my @lines = grep { /CONSOLE/ } <$fh>;
        close($fh);
        return @lines;
    };
    open(my $cf, '>', "$tmp/control-csp") or die;
    print $cf $csp_value;
    close($cf);
    my @ctl = $console->("http://127.0.0.1:$rport/control");
    ok(grep({ /Content Security Policy/ } @ctl),
       'control: an inline script under the site\'s policy is reported') or diag(@ctl);
    for my $name (sort keys %html) {
        my @v = grep { /Content Security Policy|Permissions-Policy/ } $console->("$base$html{$name}");
        is(scalar(@v), 0, "browser: $name reports no CSP or Permissions-Policy problem")
            or diag(@v);
    }
}
is(stop($srv), 0, 'server stops cleanly');

# A purge URL that answers slowly and refuses: nothing waits for it ----------
my ($spid, $sport) = receiver('slow503', "$tmp/slow.log");
END { kill 'KILL', $spid if $spid; }
open(my $saved, '>&', \*STDERR) or die;
open(STDERR, '>', "$tmp/serve.err") or die;
my ($srv2, $base2) = serve($bin, undef, '--db', $db, '--config', config('slow', $sport));
open(STDERR, '>&', $saved) or die;
ok($base2, 'second server starts (slow, refusing purge URL)');
reingest('Aufsteiger entzaubert den Tabellenführer zum dritten Mal', 3);
ok(eventually(sub { purges("$tmp/slow.log") >= 1 }, within => 10), 'the slow receiver is called');
my ($worst, $n) = (0, 0);
my $seen = 0;
my $t_end = time() + 2.5;
while (time() < $t_end) { # the receiver holds its answer 3 s meanwhile
    my $t0 = time();
    my $r = get($art);
    $r->{status} == 200 || $r->{status} == 301 or $worst = 99;
    my $dt = time() - $t0;
    $worst = $dt if $dt > $worst;
    $n++;
    $seen ||= headline() =~ /zum dritten Mal/;
    sleep 0.05;
}
ok($n >= 10, "pages keep coming while the purge waits ($n answers)");
ok($worst < 1, sprintf('... each within a second (slowest %.3f s)', $worst));
ok($seen || eventually(sub { headline() =~ /zum dritten Mal/ }),
   '... and the update shows');
ok(eventually(sub { slurp("$tmp/serve.err") =~ /purge: .*answered 503/ }, within => 8),
   'the refusal is logged') or diag(slurp("$tmp/serve.err"));
is(stop($srv2), 0, 'server stops promptly with a purge in back-off');
done_testing();
