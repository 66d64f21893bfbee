#!/usr/bin/env perl
# End to end: the real meldung binary ingests the demo wire, serves it on
# 127.0.0.1, and the reference page comes out with its structure and order;
# then HTTP caching, errors, a withdrawal, an embargo release and a
# malformed file in a batch, each while the server runs.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root. Uses ../shared/corpus/seed/reference-page.txt when
# present (the text comparison is skipped otherwise).
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Uncompress::Gunzip qw(gunzip);
use POSIX qw(strftime);
use Time::HiRes qw(sleep time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my $db = "$tmp/site.db";

# Ingest the demo wire.
my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);
like($out, qr/ingest: 15 files, 15 new/, 'summary line counts 15 new articles');

# Serve on a free port; the first line printed names the URL.
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);

# Home.
my $r = get('/');
is($r->{status}, 200, 'home page answers 200');
my $home = text_of($r->{content});
like($home, qr{<a href="/ressort/ausland"}, 'home links the Ausland section');
my ($ref_path) = $home =~ m{href="(/artikel/lawrow-und-rubio-bereiten-praesidententreffen-vor-\d+)"};
ok($ref_path, 'home links the reference article') or BAIL_OUT('reference article not on home');

# The reference page.
$r = get($ref_path);
is($r->{status}, 200, 'article page answers 200');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'HTML in UTF-8');
my $page = text_of($r->{content});
my @order = (
    qr{<p class="topics"><a href="/thema/ukraine">Ukraine</a>, <a href="/thema/russland">Russland</a></p>},
    qr{<h1>Lawrow und Rubio bereiten Präsidententreffen vor</h1>},
    qr{<time datetime="2025-10-20T15:28:13Z">20\.10\.2025 - 17:28:13</time>},
    qr{<p class="lead">US-Präsident Trump will Kremlchef Putin bald in Budapest treffen},
    qr{<p>Die Außenminister Russlands und der USA, Sergej Lawrow und Marco Rubio},
    qr{<h2>Erst treffen sich die Minister, dann die Präsidenten</h2>},
    qr{territorialen Forderungen Russlands zuzustimmen\.},
    qr{<p class="credit">@ dpa\.de</p>},
    qr{<h2 id="weitere">Weitere Meldungen</h2>},
    qr{>Ukrainer und Russen setzen Gespräche in Abu Dhabi fort</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>01\.02\.2026 - 03:58</time>\)}s,
    qr{>Russland greift ukrainische Ziele vor neuen Verhandlungen an</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>31\.01\.2026 - 11:15</time>\)}s,
    qr{>Angriffspause für das kalte Kiew\? Kreml folgt Trumps Bitte</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>30\.01\.2026 - 16:31</time>\)}s,
    qr{>Kreml stimmt begrenzter Waffenruhe bis Sonntag zu</a>.*?\(<span class="sections">Börse, Ausland</span>, <time[^>]*>30\.01\.2026 - 13:51</time>\)}s,
    qr{>Kreml vermeidet Festlegung zu begrenzter Waffenruhe</a>.*?\(<span class="sections">Börse</span>, <time[^>]*>30\.01\.2026 - 12:00</time>\)}s,
);
my $pos = 0;
for my $i (0 .. $#order) {
    my $rest = substr($page, $pos);
    if ($rest =~ $order[$i]) {
        pass("reference page part $i in order");
        $pos += $+[0];
    } else {
        fail("reference page part $i in order: $order[$i]");
    }
}
my @more = $page =~ /weiterlesen\.\.\./g;
is(scalar @more, 5, 'five related entries: the two Kreml items are one story');
my @kreml = $page =~ />Kreml stimmt begrenzter Waffenruhe bis Sonntag zu</g;
is(scalar @kreml, 1, 'the duplicate story is listed once');
unlike($page, qr/ausland-demo\@example\.invalid|2852 0000/, 'the non-public notepad is never published');
unlike($page, qr/<script/i, 'no script on the page');
like($page, qr{<link rel="canonical" href="\Q$ref_path\E">}, 'canonical link');

# Compare with the reference text itself: each line of the article part
# appears, in order, in the page text.
SKIP: {
    my $reffile = ($ENV{MLD_CORPUS} || '../shared/corpus') . '/seed/reference-page.txt';
    skip "$reffile not present (the shared corpus is needed)", 1 unless -r $reffile;
    open(my $fh, '<:encoding(UTF-8)', $reffile) or die;
    my @lines;
    while (my $l = <$fh>) {
        $l =~ s/\s+$//;
        last if $l eq 'Weitere Meldungen';
        push @lines, $l if length $l;
    }
    my $plain = $page;
    $plain =~ s{</?(?:a|span|time|strong|em|b|i)\b[^>]*>}{}g;  # inline: no break
    $plain =~ s/<[^>]+>/ /g;
    $plain =~ s/&#39;/'/g; $plain =~ s/&quot;/"/g; $plain =~ s/&amp;/&/g;
    $plain =~ s/\s+/ /g;
    my ($p, @missing) = (0);
    for my $l (@lines) {
        (my $want = $l) =~ s/\s+/ /g;
        my $at = index($plain, $want, $p);
        if ($at < 0) { push @missing, $l } else { $p = $at + length $want }
    }
    is(scalar @missing, 0, scalar(@lines) . ' reference lines appear in order') or diag("missing: @missing");
}

# HTTP caching.
my $etag = $r->{headers}{etag};
my $lm = $r->{headers}{'last-modified'};
ok($etag && $lm, 'ETag and Last-Modified are sent');
is(get($ref_path, 'If-None-Match' => $etag)->{status}, 304, 'If-None-Match gives 304');
is(get($ref_path, 'If-Modified-Since' => $lm)->{status}, 304, 'If-Modified-Since gives 304');
my $h = request('HEAD', $ref_path);
is($h->{status}, 200, 'HEAD answers 200');
is(length($h->{content} // ''), 0, 'HEAD has no body');
my $g = get($ref_path, 'Accept-Encoding' => 'gzip');
is($g->{headers}{'content-encoding'}, 'gzip', 'gzip when asked');
my $plain;
gunzip(\$g->{content} => \$plain);
is($plain, $r->{content}, 'gzip body decodes to the same page');
like($g->{headers}{vary} // '', qr/Accept-Encoding/i, 'Vary: Accept-Encoding');
is(get('/static/style.css')->{status}, 200, 'stylesheet served');

# Errors.
$r = get('/gibt-es-nicht');
is($r->{status}, 404, 'unknown path: 404');
like(text_of($r->{content}), qr/Seite nicht gefunden/, '404 page in German');
is(get('/artikel/nichts-999999')->{status}, 404, 'unknown article: 404');
is(get('/ressort/gibt-es-nicht')->{status}, 404, 'unknown section: 404');
(my $wrong = $ref_path) =~ s/lawrow/falsch/;
$r = get($wrong);
is($r->{status}, 301, 'wrong slug redirects');
is($r->{headers}{location}, $ref_path, '... to the canonical URL');
is(request('POST', '/')->{status}, 405, 'POST: 405');
is(get('/ressort/ausland?seite=abc')->{status}, 400, 'bad page number: 400');
is(get('/ressort/ausland')->{status}, 200, 'section page');
like(text_of(get('/thema/ukraine')->{content}), qr/Lawrow und Rubio/, 'topic page lists the article');

# A withdrawal while serving: 410, and gone from every list.
my ($abu_path) = $page =~ m{href="(/artikel/ukrainer-und-russen[^"]+)"};
ok($abu_path, 'related item has a link');
is(get($abu_path)->{status}, 200, 'related article is up');
open(my $fh, '>:encoding(UTF-8)', "$tmp/cancel.json") or die;
print $fh '{"urn": "urn:newsml:dpa.com:20090101:260201-99-000002", "version": 2, '
    . '"version_created": "2026-02-01T05:00:00+01:00", "updated": "2026-02-01T04:00:05Z", '
    . '"entry_id": "e2e-cancel-1", "pubstatus": "canceled", "headline": "Ukrainer und Russen setzen Gespräche in Abu Dhabi fort"}';
close $fh;
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'cancellation ingests') or diag($out);
ok(eventually(sub { get($abu_path)->{status} == 410 }), 'withdrawn article answers 410');
like(text_of(get($abu_path)->{content}), qr/zurückgezogen/, '410 page says so in German');
ok(eventually(sub { text_of(get($ref_path)->{content}) !~ /Abu Dhabi/ }), 'withdrawn article leaves the related list');
unlike(text_of(get('/ressort/ausland')->{content}), qr/Abu Dhabi/, '... and the section list');
unlike(text_of(get('/')->{content}), qr/Abu Dhabi/, '... and the home page');

# An embargo: invisible until it ends, then published without a restart.
my $embargo = time() + 3;
my $stamp = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($embargo));
my $created = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($embargo - 60));
open($fh, '>:encoding(UTF-8)', "$tmp/embargo.json") or die;
print $fh qq({"urn": "urn:newsml:dpa.com:20090101:e2e-embargo", "version": 1, "version_created": "$created", )
    . qq("updated": "$created", "entry_id": "e2e-embargo-1", "pubstatus": "usable", "embargoed": "$stamp", )
    . q("headline": "Sperrfrist bis gleich: Waffenruhe verlängert", "teaser": "Die Waffenruhe gilt weiter.", )
    . q("article_html": "<section class=\"main\"><p>Text nach der Sperrfrist.</p></section>", )
    . q("categories": [{"type": "dnltype:geosubject", "name": "Ukraine", "qcode": "dpacountry:181", "rank": 1}, )
    . q({"type": "dnltype:rubric", "name": "ausland", "qcode": "dnlpath:weblines.infoline_rs.politik.ausland"}]});
close $fh;
$out = `$bin ingest --verbose --db $db $tmp/embargo.json 2>&1`;
is($?, 0, 'embargoed entry ingests') or diag($out);
my ($eid) = $out =~ /article (\d+) inserted/;
ok($eid, 'ingest --verbose names the article id');
my $emb_path = "/artikel/sperrfrist-bis-gleich-waffenruhe-verlaengert-" . ($eid // 0);
is(get($emb_path)->{status}, 404, 'embargoed article: 404 before the embargo');
unlike(text_of(get($ref_path)->{content}), qr/Sperrfrist bis gleich/, 'not in the related list yet');
sleep(0.2) while time() < $embargo;
ok(eventually(sub { get($emb_path)->{status} == 200 }), 'published when the embargo ends');
ok(eventually(sub { text_of(get($ref_path)->{content}) =~ /Sperrfrist bis gleich/ }),
    'and appears in the related list');

# A malformed file in a batch: one clear error, quarantined, the rest stored.
mkdir "$tmp/batch";
open($fh, '>', "$tmp/batch/a-broken.json") or die;
print $fh qq({"urn": "urn:x:broken",\n "version": 1,\n "headline": "kaputt"\n);
close $fh;
open($fh, '>:encoding(UTF-8)', "$tmp/batch/b-good.json") or die;
print $fh q({"urn": "urn:newsml:dpa.com:20090101:e2e-good", "version": 1, "version_created": "2026-01-31T09:00:00+01:00", )
    . q("updated": "2026-01-31T08:00:01Z", "entry_id": "e2e-good-1", "headline": "Gute Meldung im Stapel", )
    . q("categories": [{"type": "dnltype:rubric", "name": "panorama", "qcode": "dnlpath:weblines.infoline_rs.panorama"}]});
close $fh;
$out = `$bin ingest --db $db --quarantine $tmp/q $tmp/batch 2>&1`;
is($? >> 8, 1, 'a failed file makes the exit status 1');
like($out, qr{error: \Q$tmp\E/batch/a-broken\.json: .*line \d+}, 'the error names the file and the position') or diag($out);
like($out, qr/1 new.*1 failed/s, 'the good file of the batch is stored');
ok(-f "$tmp/q/a-broken.json" && -f "$tmp/q/a-broken.json.reason", 'the broken file is quarantined with its reason');
ok(eventually(sub { text_of(get('/ressort/panorama')->{content}) =~ /Gute Meldung im Stapel/ }),
    'the good file is served');

is(stop($srv) >> 8, 0, 'serve stops cleanly on SIGTERM');
done_testing();
