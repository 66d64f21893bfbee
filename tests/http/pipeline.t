#!/usr/bin/env perl
# End to end: the rules of the one pipeline (src/pipeline/pipeline.h) on
# the real binary. A German-style RSS feed without categories
# (tests/http/data/technik-ticker.xml, written for these tests) ingested
# with --section Digital: every stored item lands in Digital, the item
# without any date is dated by first sight, the empty item is refused with
# a line naming source and entry, the picture-only item is held (stored,
# counted, on no page). A digitalwires entry without a headline gets one
# from the first sentence of its teaser; one with neither headline nor
# text is refused and, being alone in its document, quarantined with the
# reason. An undated entry keeps its first-sight date when a new version
# comes, and a withdrawal counts as one. `meldung stats` shows the totals.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use Encode qw(encode decode);
use POSIX qw(strftime);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my $db = store_db($tmp, 'pipeline');
my $feed = "$FindBin::Bin/data/technik-ticker.xml";

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>:encoding(UTF-8)', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

sub run {
    my $out = `@_ 2>&1`;
    return (decode('UTF-8', $out), $? >> 8);
}

sub search_json {
    my ($query) = @_;
    my $out = `$bin search --db $db --json $query 2>&1`;
    return eval { decode_json($out) } // { hits => [], error => $out };
}

# The feed, with the section the operator gives it.
my ($out, $rc) = run("$bin ingest --db $db --section Digital $feed");
is($rc, 0, 'the feed ingests') or diag($out);
like($out, qr/ingest: 1 files, 3 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 0 failed, 1 held, 1 refused; 1 dated by first sight\n/,
    'summary: 3 new, 1 held, 1 refused, 1 dated by first sight') or diag($out);
like($out, qr{warning: \S*technik-ticker\.xml: entry 4 \(https://technik\.example/leer\): refused: neither headline nor text nor media},
    'the empty item is refused, naming source and entry');

my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
my $r = get('/ressort/digital');
is($r->{status}, 200, 'the configured section has a page');
my $page = text_of($r->{content});
for my $h ('Glasfaser erreicht die Altstadt', 'Bibliothek verleiht jetzt Laptops', 'Funkloch') {
    like($page, qr/\Q$h\E/, "... listing '$h'");
}
is(get('/artikel/bild-4')->{status}, 404, 'the held picture item has no page');
unlike(text_of(get('/')->{content}), qr{/artikel/bild-}, '... and is on no list');
stop($srv);

my $hits = search_json('Laptop');
is(scalar @{ $hits->{hits} }, 1, 'the undated item is found');
my ($y) = ($hits->{hits}[0]{published} // '') =~ /^(\d{4})-/;
ok(defined $y && $y == (gmtime)[5] + 1900, '... dated by first sight, this year (never 1970)')
    or diag(explain($hits));
# The section is {name, slug} in the item shape all JSON answers share.
is($hits->{hits}[0]{section}{name}, 'Digital', '... in section Digital');

my ($stats) = run("$bin stats --db $db");
like($stats, qr/^articles: 4 \(3 visible, 0 embargoed, 0 withheld, 0 withdrawn, 1 held\)$/m,
    'stats: store-wide totals') or diag($stats);
like($stats, qr/^held, by reason:\n\s+1  \S/m, '... held ones grouped by reason');
like($stats, qr/^\s+4\s+3  Digital$/m, '... articles per section, visible beside them');

# digitalwires: no headline, no headline and no text, no date.
my $json = JSON::PP->new->canonical;
sub entry {
    my (%f) = @_;
    return $json->encode({ pubstatus => 'usable', language => 'de', %f });
}
put("$tmp/ohne-titel.json", entry(
    urn => 'urn:newsml:dpa.com:20090101:pl-ohne-titel', version => 1, entry_id => 'pl-ohne-titel-1',
    version_created => '2026-02-02T10:00:00+01:00',
    teaser => 'Der Bahnhof bekommt bis Ende März ein zweites Stellwerk. Die Arbeiten beginnen am 3. Februar.',
    article_html => '<section class="main"><p>Die Bahn baut ein zweites Stellwerk.</p></section>'));
put("$tmp/leer.json", entry(
    urn => 'urn:newsml:dpa.com:20090101:pl-leer', version => 1, entry_id => 'pl-leer-1',
    version_created => '2026-02-02T10:00:00+01:00'));
put("$tmp/undatiert-1.json", entry(
    urn => 'urn:newsml:dpa.com:20090101:pl-undatiert', version => 1, entry_id => 'pl-undatiert-1',
    headline => 'Ohne Datum geliefert',
    article_html => '<section class="main"><p>Diese Meldung trägt kein Datum.</p></section>'));
($out, $rc) = run("$bin ingest --db $db --quarantine $tmp/q $tmp/ohne-titel.json $tmp/leer.json $tmp/undatiert-1.json");
is($rc, 1, 'a refused single-entry document fails the run');
like($out, qr/ingest: 3 files, 2 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 1 failed; 1 dated by first sight/,
    'summary: 2 new, 1 failed, 1 dated by first sight') or diag($out);
like($out, qr{warning: \S*ohne-titel\.json: entry 1 \(urn:newsml:dpa\.com:20090101:pl-ohne-titel\): no headline; made "Der Bahnhof bekommt bis Ende März ein zweites Stellwerk" from the teaser},
    'a made headline is reported, naming source and entry');
like($out, qr{error: \S*leer\.json: entry 1 \(urn:newsml:dpa\.com:20090101:pl-leer\): refused: neither headline nor text nor media},
    'the entry with nothing is refused with a clear reason');
like(slurp("$tmp/q/leer.json.reason"), qr/refused: neither headline nor text nor media/,
    '... and its document quarantined with the reason');
is(search_json('Stellwerk')->{hits}[0]{headline}, 'Der Bahnhof bekommt bis Ende März ein zweites Stellwerk',
    'the made headline is the first sentence of the teaser');

my $first = search_json('Datum')->{hits}[0]{published} // '';
like($first, qr/^\d{4}-/, 'the undated entry is dated');
unlike($first, qr/^1970/, '... not 1970');
sleep 2;
put("$tmp/undatiert-2.json", entry(
    urn => 'urn:newsml:dpa.com:20090101:pl-undatiert', version => 2, entry_id => 'pl-undatiert-2',
    headline => 'Ohne Datum berichtigt',
    article_html => '<section class="main"><p>Diese Meldung trägt noch immer kein Datum.</p></section>'));
($out, $rc) = run("$bin ingest --db $db $tmp/undatiert-2.json");
like($out, qr/ingest: 1 files, 0 new, 1 updated, .*; 1 dated by first sight/, 'the next undated version updates')
    or diag($out);
my $second = search_json('Datum')->{hits}[0];
is($second->{headline}, 'Ohne Datum berichtigt', '... shows the new version');
is($second->{published}, $first, '... and keeps the date of first sight');

put("$tmp/undatiert-3.json", entry(
    urn => 'urn:newsml:dpa.com:20090101:pl-undatiert', version => 3, entry_id => 'pl-undatiert-3',
    pubstatus => 'canceled', headline => 'Ohne Datum berichtigt',
    article_html => '<section class="main"><p>Zurückgezogen.</p></section>'));
($out, $rc) = run("$bin ingest --db $db $tmp/undatiert-3.json");
like($out, qr/ingest: 1 files, 0 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 0 failed, 1 withdrawn/,
    'a withdrawal counts as withdrawn, not updated') or diag($out);
($stats) = run("$bin stats --db $db");
like($stats, qr/^articles: 6 \(4 visible, 0 embargoed, 0 withheld, 1 withdrawn, 1 held\)$/m,
    'stats counts the withdrawal') or diag($stats);

done_testing();
