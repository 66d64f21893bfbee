#!/usr/bin/env perl
# Every page type in a real browser: the demo wire and the picture fixture
# served by the real binary, then tests/browser/a11y.js (headless Chromium
# through puppeteer-core, axe-core in the page) loads home, an article
# with a picture, one with both side lists, a section, a topic, a story,
# the search (with hits, without, the empty form), /status, a 404, a
# withdrawn article (410) and the editors' pages (login, start, article,
# held list, pins, accounts, audit log) at 1280 and 390 px in light and dark mode and
# fails on any serious or critical accessibility violation; last it opens
# the home page, ingests an article, and checks that the live ticker
# announces it.
#
# Skips when Chromium, node or tests/browser/node_modules are missing
# (scripts/deps.sh installs them) - unless CI=true: then that is a
# failure.
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use JSON::PP;
use POSIX qw(strftime);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300, utf8 => 1);
my $chrome = $ENV{CHROMIUM} || '/usr/bin/chromium';
my @missing;
push @missing, "no Chromium at $chrome" unless -x $chrome;
push @missing, 'no node' unless system('node --version >/dev/null 2>&1') == 0;
push @missing, 'no tests/browser/node_modules' unless -d 'tests/browser/node_modules/puppeteer-core';
if (@missing) {
    my $why = join(', ', @missing) . ' (scripts/deps.sh installs Chromium, node and the npm packages)';
    plan skip_all => $why unless ($ENV{CI} // '') eq 'true';
    fail("browser tests cannot run: $why (CI=true requires them)");
    done_testing();
    exit 1;
}

# The demo wire, and an article with a picture (site.t's fixture, dated now
# so it is on the home page).
my $db = store_db($tmp, 'browser');
my $now = time();
my %when = (
    CREATED => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($now - 600)),
    UPDATED => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($now - 590)),
);
mkdir "$tmp/fx";
my $pic = slurp('tests/http/site/picture.json');
$pic =~ s/\@(\w+)\@/$when{$1}/g;
open(my $f, '>', "$tmp/fx/picture.json") or die "$tmp/fx/picture.json: $!";
print $f $pic;
close $f;
my @wire = grep { !/sport-1-handball/ } glob('demo/*.json');
my $out = `$bin ingest --db $db @wire $tmp/fx 2>&1`;
is($?, 0, 'store made: the demo wire and the picture fixture') or diag($out);

# One article withdrawn after publication: its page is the 410 one.
my ($srv, $base) = serve($bin, 'server starts', '--db', $db);
my $home = text_of(get('/')->{content});
my %path;
($path{gone}) = $home =~ m{href="(/artikel/mittelstand-blickt-[^"]+)"};
open($f, '>:encoding(UTF-8)', "$tmp/cancel.json") or die "$tmp/cancel.json: $!";
print $f '{"urn": "urn:newsml:dpa.com:20090101:260128-99-000010", "version": 2, '
    . '"version_created": "2026-01-28T12:00:00+01:00", "updated": "2026-01-28T11:00:05Z", '
    . '"entry_id": "browser-cancel", "pubstatus": "canceled", "headline": "Zurückgezogen"}';
close $f;
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'an article is withdrawn') or diag($out);
$home = text_of(get('/')->{content});
($path{article}) = $home =~ m{href="(/artikel/starkregen-setzt-altstadt[^"]+)"};
($path{related}) = $home =~ m{href="(/artikel/doppelter-nachwuchs-bei-den-roten-pandas-[^"]+)"};
($path{section}) = $home =~ m{href="(/ressort/ausland)"};
($path{story}) = $home =~ m{<p class="story"><a href="([^"]+)"};
my $ref = text_of(get('/ressort/ausland')->{content});
($path{topic}) = text_of(get(($ref =~ m{href="(/artikel/[^"]+)"})[0] // '/')->{content})
    =~ m{href="(/thema/[^"]+)"};
for (qw(gone article related section story topic)) {
    ok($path{$_}, "the $_ page is linked") or diag($home);
}

SKIP: {
    skip 'a page type is missing', 1 if grep { !$path{$_} } keys %path;
    my @pages = (
        'home=/', "article=$path{article}", "article-related=$path{related}",
        "section=$path{section}", "topic=$path{topic}",
        "story=$path{story}", 'search=/suche?q=Genf', 'search-form=/suche',
        'search-nothing=/suche?q=Xylophonwettbewerb', 'status=/redaktion/status', '404=/seite-gibt-es-nicht',
        "410=$path{gone}",
        # editors: the pages of /redaktion/, as an admin
        'editor-login=/redaktion/login', 'editor-home=/redaktion/', 'editor-audit=/redaktion/audit',
        'editor-held=/redaktion/zurueckgehalten', 'editor-pins=/redaktion/aufmacher',
        'editor-accounts=/redaktion/konten',
        'editor-article=/redaktion/artikel/' . ($path{article} =~ /-(\d+)$/)[0],
    );
    my $cookie = admin_cookie($bin, $db);
    # A pin, so the pins overview has its table and buttons to check.
    my $pin = `$bin article pin @{[ ($path{article} =~ /-(\d+)$/)[0] ]} --db $db 2>&1`;
    is($?, 0, 'an article pinned for the editors\' pages') or diag($pin);
    my $live = encode_json([$bin, 'ingest', '--db', $db, 'demo/sport-1-handball.json']);
    my @cmd = ('node', 'tests/browser/a11y.js', '--chromium', $chrome, '--live', $live, '--cookie', $cookie,
               $base, @pages);
    my $t0 = time();
    my $pid = open(my $from, '-|:encoding(UTF-8)', @cmd) or die "node: $!";
    my @tap = <$from>;
    close $from;
    my $status = $?;
    # Its TAP becomes a subtest of this test: indented, then one summary
    # check.
    my @not = grep { /^not ok/ } @tap;
    my @ok = grep { /^ok/ } @tap;
    my $fh = Test::More->builder->output;
    print $fh map { "    $_" } @tap;
    ok($status == 0 && !@not && @ok > 0,
        sprintf('a11y.js: %d browser checks, %d failed (%d s)', @ok + @not, scalar @not, time() - $t0))
        or diag(join '', map { s/^# //r } grep { /^(?:not ok|#|Bail)/ } @tap);
}

is(stop($srv), 0, 'server stops');
done_testing();
