#!/usr/bin/env perl
# End to end: `meldung topics eval` measures the topic finder against the
# agency's own tags. On hand-written digitalwires entries: the tags are
# taken off before the text is tagged (a country the text never names is
# missed), places are compared at the agency's granularity (a city counts
# as its state and country), people tagged by the agency and named in the
# text are found, tags the gazetteer lacks are counted apart, a repeated
# urn and an English entry are left out. On the shared corpus's dpa items
# (NewsML-G2 sample and digitalwires), precision and recall must stay at
# the floors below (docs/internals/topics.md has the figures).
#
# Needs: MELDUNG (default ./meldung), run from the repository root; the
# corpus part skips without the shared corpus
# (${MLD_CORPUS:-../shared/corpus}) and fails without it when CI=true.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(decode encode);
use JSON::PP;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);

# entry(N, HEADLINE, BODY, CATEGORIES...): a digitalwires entry.
sub entry {
    my ($n, $lang, $headline, $body, @cats) = @_;
    return JSON::PP->new->canonical->utf8->encode({
        urn => "urn:newsml:dpa.com:20090101:260101-99-$n", version => 1,
        version_created => '2026-01-01T10:00:00+01:00', updated => '2026-01-01T09:00:00Z',
        pubstatus => 'usable', language => $lang, urgency => 3, headline => $headline,
        article_html => "<section class=\"main\"><p>$body</p></section>",
        categories => [map { { type => "dnltype:$_->[0]", name => $_->[1], rank => 1 } } @cats],
    });
}

sub put {
    my ($path, $bytes) = @_;
    open(my $fh, '>:raw', $path) or die "$path: $!";
    print $fh $bytes;
    close($fh);
}

# run(ARGS...): exit status, standard output, standard error (decoded).
sub run {
    my (@args) = @_;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if ($pid == 0) {
        open(STDERR, '>', "$tmp/err") or die;
        exec($bin, @args) or die "exec: $!";
    }
    local $/;
    my $text = <$out> // '';
    close($out);
    my $status = $? >> 8;
    open(my $e, '<:raw', "$tmp/err") or die;
    my $err = <$e> // '';
    return ($status, decode('UTF-8', $text), decode('UTF-8', $err));
}

# row(OUTPUT, CLASS): the numbers of one row of the table, by column name.
sub row {
    my ($out, $class) = @_;
    my ($line) = $out =~ /^\Q$class\E +([\d. ]+)$/m or return {};
    my @v = split ' ', $line;
    my %r;
    @r{qw(items tags unknown known found right precision recall)} = @v;
    return \%r;
}

mkdir "$tmp/in" or die;
put("$tmp/in/1.json", entry(1, 'de', 'Hochwasser in Regensburg',
    'In Regensburg steht die Donau in der Altstadt. Die Feuerwehr in Regensburg pumpt Keller leer.',
    [geosubject => 'Bayern'], [geosubject => 'Frankreich']));
put("$tmp/in/2.json", entry(2, 'de', 'Gustavo Petro besucht Berlin',
    'Gustavo Petro trifft den Kanzler. Petro spricht über Kaffee und Handel. Petro fliegt am '
    . 'Abend nach Paris weiter.',
    [person => 'Gustavo Petro'], [person => 'Niemand Bekanntes'], [keyword => 'Nato'],
    [keyword => 'Kaffeehandel']));
put("$tmp/in/3.json", entry(3, 'de', 'Biergarten im Schweizerhaus öffnet',
    'Im Schweizerhaus gibt es wieder Stelzen und Bier, wie jedes Jahr in Wien.',
    [geosubject => 'Österreich']));
put("$tmp/in/4.json", entry(4, 'en', 'Floods in Regensburg', 'The Danube rose.',
    [geosubject => 'Deutschland']));
mkdir "$tmp/in/again" or die;
put("$tmp/in/again/1.json", entry(1, 'de', 'Hochwasser in Regensburg', 'Noch einmal.',
    [geosubject => 'Bayern']));
put("$tmp/in/README.txt", "no wire document\n");

my ($st, $out, $err) = run('topics', 'eval', "$tmp/in");
is($st, 0, 'topics eval runs') or diag($err);
like($out, qr/^topics eval: 6 files \(1 not wire documents, 0 failed\), 3 German articles \(1 in other languages, 1 repeats skipped\)$/m,
     'files, languages and repeats counted');
my $p = row($out, 'places');
is_deeply([@$p{qw(items tags unknown known)}], [2, 3, 0, 3], 'places: the agency tagged two articles with three places');
# Found: Regensburg (Bayern, Deutschland), Wien (Österreich); not
# Schweiz for the Schweizerhaus, not Frankreich, which the text never names.
is_deeply([@$p{qw(found right)}], [3, 2], 'places: Bayern and Österreich right, Deutschland extra, Frankreich missed')
    or diag($out);
my $c = row($out, 'countries');
is_deeply([@$c{qw(known found right)}], [3, 2, 2], 'countries: Deutschland, Österreich of three');
my $h = row($out, 'people');
is_deeply([@$h{qw(items tags unknown known found right)}], [1, 2, 1, 1, 1, 1],
          'people: the one the gazetteer knows is found, the other counted as unknown') or diag($out);
my $o = row($out, 'orgs');
is_deeply([@$o{qw(items tags known)}], [1, 1, 1], 'a keyword naming an organisation is an org tag');
like($out, qr/^keywords: 2, 1 of them gazetteer topics$/m, 'keywords counted');

($st, $out) = run('topics', 'eval', '--verbose', "$tmp/in/1.json");
like($out, qr/^  found: Regensburg/m, '--verbose lists what the finder found');
like($out, qr/^    missed +Frankreich$/m, '... and what it missed');

($st, undef, $err) = run('topics', 'eval');
is($st, 2, 'no path: usage error');
($st, undef, $err) = run('topics', 'eval', "$tmp/nothing");
is($st, 1, 'a missing path fails');
like($err, qr/\Q$tmp\E\/nothing: cannot read/, '... naming it');
($st, undef, $err) = run('topics', 'eval', "$tmp/in/README.txt");
is($st, 1, 'no German wire article: fails');
like($err, qr/no German wire articles/, '... saying so');

# The shared corpus ---------------------------------------------------------------

my $root = $ENV{MLD_CORPUS} || '../shared/corpus';
SKIP: {
    unless (-d "$root/dpa-newsmlg2-sample/items") {
        fail("corpus missing: $root (CI=true requires it)") if ($ENV{CI} // '') eq 'true';
        skip("$root not present (the shared corpus is needed)", 6);
    }
    my @dirs = map { "$root/$_" } qw(dpa-newsmlg2-sample/items dpa-digitalwires/to-newsmlg2/input
                                      dpa-digitalwires/s3push-example);
    ($st, $out, $err) = run('topics', 'eval', @dirs);
    is($st, 0, 'topics eval on the dpa corpus') or diag($err);
    diag($_) for split /\n/, $out;
    my $pl = row($out, 'places');
    my $co = row($out, 'countries');
    # Floors just under the figures of docs/internals/topics.md.
    cmp_ok($pl->{precision}, '>=', 0.59, 'places: precision >= 0.59');
    cmp_ok($pl->{recall}, '>=', 0.88, 'places: recall >= 0.88');
    cmp_ok($co->{precision}, '>=', 0.82, 'countries: precision >= 0.82');
    cmp_ok($co->{recall}, '>=', 0.88, 'countries: recall >= 0.88');
    cmp_ok($pl->{known}, '>=', 100, 'the agency tags 100 places or more the gazetteer knows');
}

done_testing();
