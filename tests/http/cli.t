#!/usr/bin/env perl
# End to end: the operator's first hour with the real binary. `meldung
# help`, `meldung --help` and every subcommand's --help list the options
# with their defaults; an unknown option or one missing its value is a
# clear error with the usage line and exit status 2; `meldung search
# Russland -Waffenruhe` takes the '-' word as a NOT term, `--` ends the
# options; serve, stats and search on a store that does not exist fail
# with the hint to ingest first, and create nothing.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(60);
my @commands = qw(ingest serve poll watch stats search token);

sub run {
    my $out = `@_ 2>&1`;
    return ($out, $? >> 8);
}

for my $help ('help', '--help') {
    my ($out, $rc) = run("$bin $help");
    is($rc, 0, "meldung $help exits 0");
    like($out, qr/^  \Q$_\E\s+\S/m, "meldung $help lists $_") for @commands;
    like($out, qr/--db FILE \(default var\/meldung\.db\)/, "meldung $help names the default store");
}

my %options = (
    ingest => [qw(--db --section --config --quarantine --batch --quiet --verbose)],
    serve  => [qw(--db --listen --templates --static --threads --config)],
    poll   => [qw(--config --db --once --force --quarantine)],
    watch  => [qw(--db --section --config)],
    stats  => [qw(--db)],
    search => [qw(--db --section --topic --from --to --limit --page --json --config)],
    token  => [],
);
for my $cmd (@commands) {
    my ($out, $rc) = run("$bin $cmd --help");
    is($rc, 0, "$cmd --help exits 0");
    like($out, qr/^usage: meldung \Q$cmd\E/, "$cmd --help starts with the usage line");
    like($out, qr/^  \Q$_\E\b/m, "$cmd --help describes $_") for @{ $options{$cmd} };
    like($out, qr/default/, "$cmd --help gives defaults") if @{ $options{$cmd} };
    is((run("$bin help $cmd"))[0], $out, "meldung help $cmd is $cmd --help");

    ($out, $rc) = run("$bin $cmd --no-such-option x");
    is($rc, 2, "$cmd: an unknown option exits 2");
    like($out, qr/^meldung \Q$cmd\E: unknown option '--no-such-option'\nusage: meldung \Q$cmd\E/,
        "$cmd: ... naming it, with the usage line");
}
my ($out, $rc) = run("$bin ingest x --db");
is($rc, 2, 'an option without its value exits 2');
like($out, qr/^meldung ingest: option '--db' needs a value\nusage:/, '... saying so');
($out, $rc) = run("$bin poll --once=yes");
is($rc, 2, 'a value for an option that takes none exits 2');
like($out, qr/^meldung poll: option '--once' takes no value\nusage:/, '... saying so');
($out, $rc) = run("$bin stats -x");
is($rc, 2, 'an unknown short option exits 2');
like($out, qr/^meldung stats: unknown option '-x'\nusage:/, '... naming it');

# serve, stats and search refuse a store that is not there.
for my $cmd ("serve --listen 127.0.0.1:0", 'stats', 'search Kreml') {
    my ($name) = $cmd =~ /^(\w+)/;
    ($out, $rc) = run("$bin $cmd --db $tmp/none.db");
    is($rc, 1, "$name: a missing store fails");
    like($out, qr{\Q$tmp\E/none\.db: no store there.*meldung ingest}, "$name: ... with the hint to ingest");
}
ok(!-e "$tmp/none.db", '... and none of them creates it');

# search: '-word' is a NOT term, not an option.
my $db = store_db($tmp, 'demo');
($out, $rc) = run("$bin ingest --db $db demo/");
is($rc, 0, 'the demo wire ingests') or diag($out);
sub hits {
    my $out = `$bin search --db $db --json @_ 2>&1`;
    my $h = eval { decode_json($out) } or return undef;
    return [map { $_->{headline} } @{ $h->{hits} }];
}
my $all = hits('Russland');
my $not = hits('Russland', '-Waffenruhe');
ok($all && @$all >= 2, 'search Russland finds several') or diag(explain($all));
ok($not && @$not >= 1 && @$not < @$all, 'search Russland -Waffenruhe finds fewer') or diag(explain($not));
ok(!(grep { /Waffenruhe/ } @{ $not // [] }), '... none of them about the Waffenruhe');
is_deeply(hits('--', 'Russland', '-Waffenruhe'), $not, '-- ends the options');
is_deeply(hits('Russland', '-Waffenruhe', '--limit', '5'), $not, 'options may follow the query');
($out, $rc) = run("$bin search --db $db");
is($rc, 2, 'search without a query is a usage error');

done_testing();
