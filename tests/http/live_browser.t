#!/usr/bin/env perl
# In a real browser: the home page's live banner (static/live.js). Headless
# Chromium, driven over the DevTools protocol by live_browser.js (node),
# opens the home page; articles ingested by another process while it is
# open make the banner say how many arrived ("1 neue Meldung", "2 neue
# Meldungen"), and a withdrawn article leaves the page. Without
# JavaScript the page is complete (checked in site.t); here only that the
# page loads the script and marks where the banner goes.
#
# Skips when chromium or node (20 or later, for WebSocket) is missing.
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use IPC::Open2;
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my ($chrome) = grep { -x } map { "$_/chromium" } split /:/, $ENV{PATH};
plan skip_all => 'no chromium in PATH (scripts/deps.sh installs it)' unless $chrome;
my $ws = `node --experimental-websocket -e 'process.stdout.write(typeof WebSocket)' 2>/dev/null`;
plan skip_all => 'no node with WebSocket (node 20 or later)' unless ($ws // '') eq 'function';

my $db = store_db($tmp, 'browser');
my $out = `$bin ingest --db $db demo/inland-1-buergeraemter.json demo/panorama-2-tierpark.json 2>&1`;
is($?, 0, 'store made') or diag($out);
my ($srv, $base) = serve($bin, 'server starts', '--db', $db);

my $home = text_of(get('/')->{content});
like($home, qr{<main id="inhalt" data-live>}, 'the home page marks where the banner goes');
like($home, qr{<script src="/static/live\.js" defer></script>}, '... and loads the script from a file');
unlike($home, qr{<script>}, '... no inline script');
is(get('/static/live.js')->{status}, 200, 'the script is served');

my $pid = open2(my $from, my $to, 'node', '--experimental-websocket',
    "$FindBin::Bin/live_browser.js", $chrome, "$tmp/profile", "$base/");
my $ready = <$from>;
is($ready // '', "ready\n", 'Chromium has the home page open') or diag($ready);

# Evaluates a JavaScript expression in the page until it is truthy (10 s).
sub page {
    my ($expr) = @_;
    print $to "$expr\n";
    $to->flush;
    my $line = <$from> // '{}';
    my $r = eval { decode_json($line) } // {};
    diag($r->{error}) if $r->{error};
    return $r->{value};
}

is(page('document.querySelector(".live-banner") ? "x" : "none"'), 'none', 'no banner before anything arrives');
$out = `$bin ingest --db $db demo/sport-1-handball.json 2>&1`;
is($?, 0, 'an article arrives') or diag($out);
my $expr = 'var b = document.querySelector(".live-banner"); b && b.textContent';
is(page($expr), '1 neue Meldung – jetzt anzeigen', 'the banner says so (singular)');
$out = `$bin ingest --db $db demo/sport-2-ski-absage.json 2>&1`;
is(page('var b = document.querySelector(".live-banner"); b && /2 neue/.test(b.textContent) && b.textContent'),
    '2 neue Meldungen – jetzt anzeigen', 'a second one: plural');
is(page('document.querySelector(".live-banner a").getAttribute("href")'), '/',
    'its link reloads the page');
is(page('document.querySelector(".live-banner").getAttribute("role")'), 'status',
    'screen readers hear it (role=status)');

# A withdrawal: the article leaves the open page.
ok(page('document.querySelectorAll("main a[href*=roten-pandas]").length > 0'), 'the article is on the page');
open(my $f, '>:encoding(UTF-8)', "$tmp/cancel.json") or die;
print $f '{"urn": "urn:newsml:dpa.com:20090101:260124-99-000015", "version": 2, '
    . '"version_created": "2026-01-24T12:00:00+01:00", "updated": "2026-01-24T11:00:05Z", '
    . '"entry_id": "live-browser-cancel", "pubstatus": "canceled", "headline": "Doppelter Nachwuchs bei den Roten Pandas"}';
close $f;
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'it is withdrawn') or diag($out);
ok(page('document.querySelectorAll("main a[href*=roten-pandas]").length === 0'),
    'the withdrawn article left the open page');

close($to);
waitpid($pid, 0);
is(stop($srv), 0, 'server stops');
done_testing();
