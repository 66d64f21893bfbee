#!/usr/bin/env perl
# The demo wire is meldung's own: no prose of demo/*.json shares a run of
# six words with the reference page (corpus/seed/reference-page.txt, (c)
# dpa) or with the German news texts of the shared corpus (dpa
# digitalwires and NewsML-G2 items, superdesk's dpa fixture, 10kGNAD).
#
# Prose is every text field a reader or an editor sees: kicker, headline,
# subhead, teaser, byline, dateline, the HTML bodies and boxes (tags
# removed), the notepad, the ednotes, the picture captions and credits,
# the copyright and usage notes. Codes (categories, rubric paths, URNs)
# are not prose and are not compared. Words are runs of letters and
# digits, compared in lower case.
#
# Needs the shared corpus (${MLD_CORPUS:-../shared/corpus}); skips
# without it (fails when CI=true, see Mld.pm corpus()). Run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(decode);
use File::Find;
use JSON::PP;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my $N = 6;    # words in a run
my $ref = corpus('seed/reference-page.txt');
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

# The lower-case words of a text, tags removed.
sub words {
    my ($text) = @_;
    $text =~ s/<[^>]*>/ /g;
    return map { lc } $text =~ /(\w+)/g;
}

# Adds every run of $N words of text to the set, with where it came from.
sub add_runs {
    my ($set, $text, $from) = @_;
    my @w = words($text);
    $set->{ join(' ', @w[$_ .. $_ + $N - 1]) } //= $from for 0 .. $#w - $N + 1;
}

# The prose of one digitalwires entry, field by field.
sub prose {
    my ($e) = @_;
    my @out;
    for my $k (qw(kicker headline subhead teaser byline dateline article_html infobox_html
                  linkbox_html copyrightnotice usageterms autopublishnotice)) {
        push @out, [$k, $e->{$k}] if defined $e->{$k} && !ref $e->{$k};
    }
    my $np = $e->{notepad} // {};
    push @out, map { ["notepad.$_", $np->{$_}] } grep { defined $np->{$_} } sort keys %$np;
    push @out, map { ['ednote', $_->{ednote}] } grep { defined $_->{ednote} } @{ $e->{ednotes} // [] };
    for my $a (@{ $e->{associations} // [] }) {
        push @out, map { ["association $_", $a->{$_}] } grep { defined $a->{$_} } qw(headline caption creditline);
    }
    return @out;
}

# The demo's runs.
my %demo;
my @files = sort glob('demo/*.json');
ok(@files >= 15, scalar(@files) . ' demo entries') or BAIL_OUT('no demo/');
my $json = JSON::PP->new->utf8;
for my $f (@files) {
    my $e = eval { $json->decode(slurp($f)) };
    ok($e, "$f is JSON") or next;
    add_runs(\%demo, $_->[1], "$f $_->[0]") for prose($e);
}
ok(keys %demo > 1000, scalar(keys %demo) . " runs of $N words in the demo");

# Compares one source text with the demo; one check per source given.
sub shares_none {
    my ($label, @paths) = @_;
    my (%hit, $n);
    for my $p (@paths) {
        my $text = decode('UTF-8', slurp($p));
        $n++;
        my @w = words($text);
        for my $i (0 .. $#w - $N + 1) {
            my $run = join(' ', @w[$i .. $i + $N - 1]);
            $hit{$run} //= "$demo{$run} <- $p" if exists $demo{$run};
        }
    }
    ok(!%hit, "no run of $N words shared with $label ($n files)")
        or diag(join("\n", map { "\"$_\": $hit{$_}" } sort keys %hit));
}

shares_none('the reference page', $ref);
my $root = $ref =~ s{/seed/reference-page\.txt$}{}r;
my @german;
find({ no_chdir => 1, wanted => sub { push @german, $_ if -f && /\.(?:json|xml|csv|txt)$/ } },
    grep { -d } map { "$root/$_" } qw(dpa-digitalwires dpa-newsmlg2-sample superdesk-fixtures 10kGNAD));
@german = sort @german;
shares_none('the German news texts of the corpus', @german);

done_testing();
