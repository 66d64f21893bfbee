#!/usr/bin/env perl
# End to end: the real meldung binary ingests the demo wire, serves it on
# 127.0.0.1, and the reference page comes out with its structure and order;
# then HTTP caching, errors, a withdrawal, an embargo release and a
# malformed file in a batch, each while the server runs.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root. (The comparison with the reference page itself is
# tests/http/reference.t.)
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
my $db = store_db($tmp, 'site');

# Ingest the demo wire.
my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);
like($out, qr/ingest: 16 files, 15 new, .*, 1 held/, 'summary line counts 15 new articles and the held advisory');

# Serve on a free port; the first line printed names the URL.
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);

# Home.
my $r = get('/');
is($r->{status}, 200, 'home page answers 200');
my $home = text_of($r->{content});
like($home, qr{<a href="/ressort/ausland"}, 'home links the Ausland section');
my ($ref_path) = $home =~ m{href="(/artikel/aussenminister-bereiten-gipfeltreffen-in-genf-vor-\d+)"};
ok($ref_path, 'home links the reference article') or BAIL_OUT('reference article not on home');

# The reference page.
$r = get($ref_path);
is($r->{status}, 200, 'article page answers 200');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'HTML in UTF-8');
my $page = text_of($r->{content});
my @order = (
    qr{<p class="topics"><a href="/thema/ukraine">Ukraine</a>, <a href="/thema/russland">Russland</a></p>},
    qr{<h1>Außenminister bereiten Gipfeltreffen in Genf vor</h1>},
    qr{<time datetime="2025-10-20T15:28:13Z">20\.10\.2025 - 17:28:13</time>},
    qr{<p class="lead">Die Schweiz will Gastgeberin für Gespräche zwischen Russland und der Ukraine sein\.},
    qr{<p>Fachleute aus den Außenministerien Russlands und der Ukraine},
    qr{<h2>Erst die Tagesordnung, dann der Gipfel</h2>},
    qr{die beide Länder seit Jahren beobachtet\.},
    qr{<p class="credit">@ dpa\.de</p>},
    qr{<h2 id="weitere">Weitere Meldungen</h2>},
    qr{>Unterhändler setzen Gespräche in Wien fort</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>01\.02\.2026 - 03:58</time>\)}s,
    qr{>Luftalarm in vielen Regionen vor neuen Verhandlungen</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>31\.01\.2026 - 11:15</time>\)}s,
    qr{>Frost und Stromausfälle: Kiew richtet Wärmestuben ein</a>.*?\(<span class="sections">Ausland</span>, <time[^>]*>30\.01\.2026 - 16:31</time>\)}s,
    qr{>Moskau sagt befristete Waffenruhe für Energieanlagen zu</a>.*?\(<span class="sections">B(?:oe|ö)rse, Ausland</span>, <time[^>]*>30\.01\.2026 - 13:(?:45|51)</time>\)}s,
    qr{>Ölpreise sinken nach Berichten über mögliche Waffenruhe</a>.*?\(<span class="sections">B(?:oe|ö)rse</span>, <time[^>]*>30\.01\.2026 - 12:00</time>\)}s,
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
is(scalar @more, 5, 'five related entries: the two Waffenruhe items are one story');
my @kreml = $page =~ />Moskau sagt befristete Waffenruhe für Energieanlagen zu</g;
is(scalar @kreml, 1, 'the duplicate story is listed once');
unlike($page, qr/ausland-demo\@example\.invalid|2852 0000/, 'the non-public notepad is never published');
unlike($page, qr/<script(?! type="application\/ld\+json")/i, 'no script on the page (but the JSON-LD data)');
like($page, qr{<link rel="canonical" href="http://127\.0\.0\.1:\d+\Q$ref_path\E">},
    'canonical link, absolute on the request host');

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
# Every file under static/ is served, prepared at start; nothing else.
my $pic = get('/static/demo/roter-panda-600.jpg');
is($pic->{status}, 200, 'a picture under static/demo/ is served');
is($pic->{headers}{'content-type'}, 'image/jpeg', '... as image/jpeg');
is(length($pic->{content}), -s 'static/demo/roter-panda-600.jpg', '... whole');
is(get('/static/../Makefile')->{status}, 404, 'no path out of static/');
is(get('/static/demo/')->{status}, 404, 'a folder is no file');
like(text_of(get('/artikel/doppelter-nachwuchs-bei-den-roten-pandas-5')->{content}),
    qr{<figure class="picture">\s*<img src="/static/demo/roter-panda-1200\.jpg"[^>]*srcset="[^"]*roter-panda-300\.jpg 300w},
    'the demo picture (a path on the site) is on its article page, with srcset');

# Errors.
$r = get('/gibt-es-nicht');
is($r->{status}, 404, 'unknown path: 404');
like(text_of($r->{content}), qr/Seite nicht gefunden/, '404 page in German');
is(get('/artikel/nichts-999999')->{status}, 404, 'unknown article: 404');
is(get('/ressort/gibt-es-nicht')->{status}, 404, 'unknown section: 404');
(my $wrong = $ref_path) =~ s/aussenminister/falsch/;
$r = get($wrong);
is($r->{status}, 301, 'wrong slug redirects');
is($r->{headers}{location}, $ref_path, '... to the canonical URL');
is(request('POST', '/')->{status}, 405, 'POST: 405');
is(get('/ressort/ausland?seite=abc')->{status}, 400, 'bad page number: 400');
is(get('/ressort/ausland')->{status}, 200, 'section page');
like(text_of(get('/thema/ukraine')->{content}), qr/Außenminister bereiten Gipfeltreffen/, 'topic page lists the article');

# A withdrawal while serving: 410, and gone from every list.
my ($abu_path) = $page =~ m{href="(/artikel/unterhaendler-setzen-gespraeche[^"]+)"};
ok($abu_path, 'related item has a link');
is(get($abu_path)->{status}, 200, 'related article is up');
open(my $fh, '>:encoding(UTF-8)', "$tmp/cancel.json") or die;
print $fh '{"urn": "urn:newsml:dpa.com:20090101:260201-99-000002", "version": 2, '
    . '"version_created": "2026-02-01T05:00:00+01:00", "updated": "2026-02-01T04:00:05Z", '
    . '"entry_id": "e2e-cancel-1", "pubstatus": "canceled", "headline": "Unterhändler setzen Gespräche in Wien fort"}';
close $fh;
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'cancellation ingests') or diag($out);
ok(eventually(sub { get($abu_path)->{status} == 410 }), 'withdrawn article answers 410');
like(text_of(get($abu_path)->{content}), qr/zurückgezogen/, '410 page says so in German');
ok(eventually(sub { text_of(get($ref_path)->{content}) !~ /Gespräche in Wien/ }), 'withdrawn article leaves the related list');
unlike(text_of(get('/ressort/ausland')->{content}), qr/Gespräche in Wien/, '... and the section list');
unlike(text_of(get('/')->{content}), qr/Gespräche in Wien/, '... and the home page');

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

# Without [site] settings the footer still shows where the legal links go.
my $plain_home = text_of(get('/')->{content});
like($plain_home, qr{<footer class="site">.*Impressum.*Datenschutz.*Kontakt.*Hinweis für den Betreiber}s,
    'unconfigured footer names the links and tells the operator where to set them');
like($plain_home, qr{<h2 id="neueste">Neueste Meldungen</h2>}, 'home has Neueste Meldungen');
like($plain_home, qr{2 Meldungen zu dieser Geschichte}, 'a story of two: plural');
is(stop($srv) >> 8, 0, 'serve stops cleanly on SIGTERM');

# The portal with fixtures of our own (tests/http/site/): a fresh urgent
# digitalwires item with a picture in four sizes, an RSS item with an
# image enclosure and its link, and an item held back from publication;
# served with a [site] configuration.
POSIX::setlocale(POSIX::LC_TIME(), 'C');
my $now = time();
my %when = (
    CREATED => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($now - 600)),
    UPDATED => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($now - 590)),
    RFC822  => strftime('%a, %d %b %Y %H:%M:%S +0000', gmtime($now - 1200)),
);
mkdir "$tmp/fx";
for my $name (qw(picture.json held.json feed.rss)) {
    my $text = slurp("tests/http/site/$name");
    ok(length $text, "fixture $name readable") or next;
    $text =~ s/\@(\w+)\@/$when{$1}/g;
    open(my $f, '>', "$tmp/fx/$name") or die;
    print $f $text;
    close $f;
}
$out = `$bin ingest --verbose --db $db $tmp/fx 2>&1`;
is($?, 0, 'fixtures ingest') or diag($out);

# Held: the advisory (dpa genre "Achtung") is stored, never public. Its
# page answers 404; its id comes from the store.
my $held_path;
SKIP: {
    skip 'no sqlite3 command to read the held item\'s id', 2 unless store_shell($db);
    my $urn = 'urn:newsml:dpa.com:20090101:site-t-held';
    my $id = store_sql($db, "SELECT id FROM article WHERE urn = '$urn' AND pubstatus = 3 AND hold_reason IS NOT NULL");
    chomp $id;
    ok($id, 'advisory stored, held with its reason');
    $held_path = "/artikel/hinweis-an-die-redaktionen-zum-unwetter-in-beispielhausen-$id";
}

open($fh, '>:encoding(UTF-8)', "$tmp/site.conf") or die;
print $fh "[site]\nname = Beispielbote\nbase_url = https://news.example.de/\n"
    . "impressum = https://news.example.de/impressum\ndatenschutz = /datenschutz\n"
    . "kontakt = mailto:redaktion\@news.example.de\nsections = Sport, Panorama, Inland\n";
close $fh;
($srv) = serve($bin, 'serve with a [site] configuration', '--db', $db, '--config', "$tmp/site.conf");

$r = get('/');
is($r->{status}, 200, 'portal home answers 200');
$home = text_of($r->{content});
my ($lead) = $home =~ m{<article class="lead-story">(.*?)</article>}s;
ok($lead, 'home has a lead story');
like($lead // '', qr{Starkregen setzt Altstadt von Beispielhausen unter Wasser},
    'the urgent story of the last hours leads');
like($lead, qr{<img src="https://img\.example\.invalid/beispielhausen-\d+\.jpg" width="\d+" height="\d+" srcset="[^"]*beispielhausen-320\.jpg 320w[^"]*" sizes="[^"]+" alt="Unwetter - Beispielhausen"}, 'the lead shows its picture big, with srcset');
like($lead, qr{Foto: Max Mustermann/dpa}, 'with the credit');
like($home, qr{<section class="latest".*?<h2 id="neueste">Neueste Meldungen</h2>.*?Brückensanierung in Beispielstadt}s,
    'the feed item is among Neueste Meldungen');
my @heads = $home =~ m{<h[23]><a href="(/artikel/[^"]+)">}g;
my %seen;
my @twice = grep { $seen{$_}++ } @heads;
ok(@heads > 10, scalar(@heads) . ' stories on the home page');
is("@twice", '', 'each story at most once on the home page');
my @blocks = $home =~ m{<section class="block" aria-labelledby="ressort-([a-z-]+)">}g;
my @named = grep { /^(sport|panorama|inland)$/ } @blocks;
# A block whose stories all stand higher up (lead, Neueste) is left out,
# so the named ones that remain keep the configured order.
my %rank = (sport => 0, panorama => 1, inland => 2);
ok(@named >= 2 && "@named" eq join(' ', sort { $rank{$a} <=> $rank{$b} } @named)
    && "@blocks[0 .. $#named]" eq "@named",
    "named sections first, in the configured order (@named)");
my @rest = @blocks[scalar(@named) .. $#blocks];
is("@rest", join(' ', sort @rest), 'the other sections after them, alphabetical');
is($blocks[0], 'sport', 'the first block is Sport') if @blocks;
my ($navhtml) = $home =~ m{<nav aria-label="Ressorts">(.*?)</nav>}s;
my @nav = ($navhtml // '') =~ m{<a href="/ressort/([a-z-]+)"}g;
is(join(' ', @nav[0 .. 2]), 'sport panorama inland', 'the navigation in the same order');
like($home, qr{<title>Nachrichten – Beispielbote</title>}, 'the site name from [site]');
like($home, qr{<link rel="canonical" href="https://news\.example\.de/">}, 'canonical on base_url');
like($home, qr{<a href="https://news\.example\.de/impressum">Impressum</a>.*<a href="/datenschutz">Datenschutz</a>.*<a href="mailto:redaktion\@news\.example\.de">Kontakt</a>}s,
    'footer links from [site]');
unlike($home, qr{Hinweis für den Betreiber}, 'no setup note once configured');
unlike($home, qr{Hinweis an die Redaktionen}, 'held item not on home');

# The article with the picture.
my ($pic_path) = $home =~ m{href="(/artikel/starkregen-setzt-altstadt[^"]+)"};
ok($pic_path, 'home links the picture story');
$page = text_of(get($pic_path // '/')->{content});
like($page, qr{<p class="byline">Von Erika Beispiel, dpa</p>}, 'byline on the article');
like($page, qr{<figure class="picture">\s*<img src="[^"]+" width="\d+" height="\d+" srcset="[^"]*beispielhausen-120\.jpg 120w, [^"]*beispielhausen-320\.jpg 320w, [^"]*beispielhausen-1024\.jpg 1024w, [^"]*beispielhausen-2048\.jpg 2048w" sizes="[^"]+" alt="Unwetter - Beispielhausen" decoding="async">}s,
    'figure with img, sizes and srcset in w descriptors; the first picture loads at once');
like($page, qr{<figcaption>Einsatzkräfte pumpen in der Altstadt von Beispielhausen einen Keller leer\. <span class="photo-credit">Foto: Max Mustermann/dpa</span></figcaption>},
    'figcaption with caption and credit');
unlike($page, qr{Foto: dpa}, 'no credit borrowed from the article');

# The feed item: its enclosure as a picture, the link to the original.
my ($feed_path) = $home =~ m{href="(/artikel/brueckensanierung[^"]+)"};
ok($feed_path, 'home links the feed item');
$page = text_of(get($feed_path // '/')->{content});
like($page, qr{<figure class="picture">\s*<img src="https://www\.beispielfunk\.example/bilder/bruecke-640\.jpg"}, 'the enclosure as a figure');
like($page, qr{<a href="https://www\.beispielfunk\.example/nachrichten/brueckensanierung-100\.html" rel="noopener">Zum Original bei beispielfunk\.example</a>},
    'Zum Original bei HOST');

SKIP: {
    skip 'no held item', 2 unless $held_path;
    is(get($held_path)->{status}, 404, 'held article answers 404');
    unlike(text_of(get('/ressort/panorama')->{content}), qr{Hinweis an die Redaktionen}, 'held item in no section list');
}
my $status = text_of(admin_get($bin, $db, '/status')->{content}); # editors: admins only
like($status, qr{<li>dpa-Textgattung Achtung[^<]*: 2</li>},
    '/status counts the held advisories by reason (the demo\'s and this one)') or diag($status);

# Everywhere: no epoch dates, German plurals, headings in order.
for my $path ('/', $pic_path // '/', $feed_path // '/', '/ressort/panorama', '/ressort/ausland', '/status') {
    my $t = text_of(admin_get($bin, $db, $path)->{content}); # editors: /status for admins
    unlike($t, qr{1970}, "$path: no 1970");
    unlike($t, qr{(?<![\d.,])1 (?:Meldungen|Quellen)\b}, "$path: no '1 Meldungen'");
}
$page = text_of(get('/ressort/panorama')->{content});
my @levels = $page =~ m{<h([1-6])[ >]}g;
my $skipped = 0;
for my $i (1 .. $#levels) { $skipped++ if $levels[$i] > $levels[$i - 1] + 1 }
is($levels[0], 1, 'section page opens with h1');
is($skipped, 0, 'section page skips no heading level');

is(stop($srv) >> 8, 0, 'the configured server stops cleanly');

# A bad [site] value stops serve with the file, the line and the reason.
open($fh, '>', "$tmp/bad.conf") or die;
print $fh "[site]\nname = Beispielbote\nimpressum = javascript:alert(1)\n";
close $fh;
$out = `$bin serve --db $db --config $tmp/bad.conf --listen 127.0.0.1:0 2>&1`;
is($? >> 8, 1, 'serve refuses a bad footer link');
like($out, qr{\Q$tmp\E/bad\.conf:3: \[site\] impressum must be}, '... naming file, line and key') or diag($out);
done_testing();
