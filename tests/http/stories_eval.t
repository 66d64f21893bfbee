#!/usr/bin/perl
# tests/http/stories_eval.t - `meldung stories eval` on the labelled
# same-event set tests/data/story_eval.tsv (identifiers of the shared
# corpus, ${MLD_CORPUS:-../shared/corpus}; skips without it, fails without
# it when CI=true). Guards pairwise precision and recall of "same story"
# at floors a little below what was measured (docs/internals/stories.md),
# that reordering the set changes no decision, and that the command
# reports the run with 10kGNAD noise and whether decisions held.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my $bin = $ENV{MELDUNG} || "$FindBin::Bin/../../meldung";
my $set = "$FindBin::Bin/../data/story_eval.tsv";
my $noise = corpus('10kGNAD/test-part-a.csv');
my $root = $noise =~ s{/10kGNAD/test-part-a\.csv$}{}r;

my $out = `$bin stories eval $set --corpus $root --noise $noise 2>&1`;
is($?, 0, 'meldung stories eval runs') or diag($out);
diag($out);
my %run;
for (split /\n/, $out) {
    $run{$1} = [$2, $3, $4] if /^(\S.*?)\s+(\d\.\d+)\s+(\d\.\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)$/;
}
like($out, qr/^126 files, 96 groups, 7875 pairs$/m, 'every line of the set was read');
is(scalar(keys %run), 4, 'four runs: file order, reversed, shuffled, after noise');
# Measured: precision 1.000, recall 0.974 in every run (the press review
# of the racing law stays apart).
my ($p, $r) = @{ $run{'file order'} // [0, 0] };
cmp_ok($p, '>=', 0.95, "precision $p >= 0.95");
cmp_ok($r, '>=', 0.95, "recall $r >= 0.95");
for my $o ('reversed', 'shuffled', 'file order after noise') {
    is($run{$o}[2], 0, "$o: no pair decided otherwise");
}
like($out, qr/^stable: yes \(0 pair decisions changed\)$/m, 'stable: the same decisions in every run');

# A line that is not GROUP<TAB>PATH names file and line.
use File::Temp qw(tempdir);
my $tmp = tempdir(CLEANUP => 1);
open(my $fh, '>', "$tmp/bad.tsv") or die;
print $fh "# comment\nonly-a-group\n";
close $fh;
$out = `$bin stories eval $tmp/bad.tsv --corpus $root 2>&1`;
isnt($?, 0, 'a malformed set fails');
like($out, qr{bad\.tsv:2: want GROUP<TAB>PATH<TAB>REASON}, '... naming file, line and the form wanted');

done_testing();
