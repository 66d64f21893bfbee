#!/usr/bin/env perl
# `meldung optimize` (store.h, "Search index upkeep"), through the real
# binary, on SQLite and (make check PG=1) on PostgreSQL:
#
#   - a store fed one commit per file holds its search index in several
#     pieces (SQLite: FTS5 segments); optimize merges them into one, and
#     every search answers as before, hit for hit;
#   - a second run finds nothing to do;
#   - an ingest running beside it stores every file, and searches find
#     them afterwards (each step is a transaction of its own);
#   - `meldung stats` says how many pieces, and what merges them;
#   - --seconds stops early and says so; bad options exit 2.
#
# PostgreSQL has no segments: its line says "? -> ?" and its step merges
# the GIN index's pending list.
#
# Needs: MELDUNG (default ./meldung), run from the repository root (demo/).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300);
my $db = store_db($tmp, 'optimize');
my $pg = store_pg($db);

# The demo's entries under new urns and entry ids, one file each.
my @texts = map { slurp($_) } sort glob('demo/*.json');
sub entries {
    my ($dir, $prefix, $n) = @_;
    mkdir $dir or die "$dir: $!";
    for my $i (1 .. $n) {
        my $t = $texts[$i % @texts];
        $t =~ s/"urn":\s*"[^"]*"/"urn": "urn:newsml:dpa.com:20090101:$prefix-$i"/ or die 'no urn';
        $t =~ s/"entry_id":\s*"[^"]*"/"entry_id": "$prefix-entry-$i"/ or die 'no entry_id';
        $t =~ s/"headline":\s*"/"headline": "\u$prefix /;
        open(my $f, '>', sprintf('%s/%04d.json', $dir, $i)) or die $!;
        print $f $t;
        close $f;
    }
}
entries("$tmp/a", 'hafenkran', 60);
my $out = `$bin ingest --quiet --batch 1 --db $db demo $tmp/a 2>&1`;
is($?, 0, 'the demo and 60 more stored, one commit per file') or diag($out);

my @queries = ('Waffenruhe', 'Genf*', 'Hafenkran Gipfeltreffen', '"Waffenruhe für"', 'Tierpark -Sturm');
# The answer to a search: hits, order, snippets and scores (to 6 digits:
# a score summed over pieces and over one differs in the last bits).
sub answer {
    my $json = `$bin search --db $db --limit 100 --json '$_[0]' 2>&1`;
    $json =~ s/("score": )(-?[\d.]+(?:e-?\d+)?)/$1 . sprintf('%.6g', $2)/ge;
    return $json;
}
sub answers { return join("\n", map { answer($_) } @queries) }
my $before = answers();
like($before, qr/"id"/, 'the searches find articles');

my $stats = `$bin stats --db $db 2>&1`;
if ($pg) {
    unlike($stats, qr/^search index/m, 'stats: PostgreSQL has no pieces to count');
} else {
    like($stats, qr/^search index: \d+ pieces \(`meldung optimize` merges them into one/m,
        'stats: the pieces, and what merges them');
}
$out = `$bin optimize --db $db 2>&1`;
is($?, 0, 'optimize succeeds') or diag($out);
my ($from, $to, $steps) = $out =~ /: search index pieces: (\d+|\?) -> (\d+|\?); (\d+) steps in [\d.]+ s$/m;
ok(defined $steps, 'it says the pieces before and after, and the steps') or diag($out);
if ($pg) {
    is("$from -> $to", '? -> ?', 'PostgreSQL: no segments to count');
} else {
    cmp_ok($from // 0, '>', 1, "the index was in pieces ($from)");
    is($to, 1, '... and is one now');
}
is(answers(), $before, 'every search answers as before');

$out = `$bin optimize --db $db 2>&1`;
like($out, qr/pieces: (1 -> 1|\? -> \?); 1 steps/, 'a second run finds nothing to merge') or diag($out);
like(scalar `$bin stats --db $db 2>&1`, $pg ? qr/^articles: /m : qr/^search index: 1 piece$/m,
    'stats: one piece');

# An ingest beside it: each step commits on its own, the ingest's files
# between them.
entries("$tmp/b", 'zwischenlager', 80);
my $ing = fork();
die "fork: $!" unless defined $ing;
if ($ing == 0) {
    exec($bin, 'ingest', '--quiet', '--batch', '1', '--db', $db, "$tmp/b") or die "exec: $!";
}
my $opt = `$bin optimize --db $db 2>&1`;
is($?, 0, 'optimize beside an ingest succeeds') or diag($opt);
waitpid($ing, 0);
is($?, 0, '... and so does the ingest');
$out = `$bin stats --db $db 2>&1`;
my ($articles) = $out =~ /^articles: (\d+)/m;
is($articles, 16 + 60 + 80, 'every file is stored') or diag($out);
my $new = answer('Zwischenlager');
like($new, qr/zwischenlager-\d+"/, 'searches find the articles ingested meanwhile');
$out = `$bin optimize --db $db 2>&1`;
like($out, qr/pieces: (\d+|\?) -> (1|\?);/, 'merged into one again') or diag($out);
is(answer('Zwischenlager'), $new, '... finding the same');

# Usage.
$out = `$bin optimize --db $db --seconds 0 2>&1`;
is($? >> 8, 2, '--seconds 0: usage error');
like($out, qr/--seconds takes 1 to 86400, not '0'/, '... saying what it takes');
$out = `$bin optimize --db $db extra 2>&1`;
is($? >> 8, 2, 'an argument: usage error');
like($out, qr/unexpected argument 'extra'/, '... named');
$out = `$bin optimize --db $db --seconds 5 2>&1`;
is($?, 0, '--seconds 5 on a merged index: done at once') or diag($out);

done_testing();
