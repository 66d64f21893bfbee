#!/usr/bin/env perl
# Serving from a PostgreSQL hot standby (issue 11), through the real
# binary on loopback, on a primary and a streaming standby of its own
# (tests/harness/pgtmp.sh start and standby):
#
#   - `serve --db STANDBY` serves the site read-only; a push to it fails
#     with the database's reason, and nothing is stored;
#   - `serve --db PRIMARY --replica STANDBY` reads its pages from the
#     standby and writes to the primary: an article pushed to it reaches
#     its pages, and the standby-only node's, once the standby has it
#     (the delay is printed, not asserted);
#   - with the standby's replay paused, the pushed article is on the
#     primary but not on the pages, and a page rendered meanwhile is not
#     kept once replay goes on: the cache follows the standby's change log,
#     not the primary's;
#   - a standby whose primary has no store yet is refused with the reason;
#   - failover: once the standby is promoted, the node on it takes pushes.
#
# Needs a PostgreSQL server: runs under `make check PG=1`
# (MELDUNG_TEST_PG), skipped otherwise. Run from the repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use HTTP::Tiny;
use Encode qw(encode);
use Time::HiRes qw(sleep time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(240, utf8 => 1);
plan skip_all => 'no PostgreSQL server (make check PG=1)' unless $ENV{MELDUNG_TEST_PG};

my $pgtmp = "$FindBin::Bin/../harness/pgtmp.sh";
my @clusters;
END { system($pgtmp, 'stop', $_) for reverse @clusters }
sub cluster {
    my ($dir, @from) = @_;
    my $url = @from ? `$pgtmp standby @from $dir` : `$pgtmp start $dir`;
    push @clusters, $dir;
    chomp $url;
    die "pgtmp.sh: no cluster in $dir\n" if $? || !$url;
    return $url;
}
# The clusters' folders belong to their owner (as root: postgres), who
# must be able to reach them.
chmod(0711, $tmp) or die "$tmp: $!";
my $primary = cluster("$tmp/primary");
my $standby = cluster("$tmp/standby", "$tmp/primary");
my $psql = sub { my ($url, $sql) = @_; my $o = `psql -X -q -A -t '$url' -c "$sql" 2>&1`; chomp $o; $o };
is($psql->($standby, 'SELECT pg_is_in_recovery()'), 't', 'a hot standby of the primary');

# Before the primary has a store, the standby has none either.
my $refused = `$bin search --db '$standby' Panda 2>&1`;
isnt($?, 0, 'the standby of an empty primary is refused');
like($refused, qr/no meldung store in this database yet; a hot standby follows its primary/,
     '... with the reason and what to do') or diag($refused);
is($psql->($primary, "SELECT to_regclass('meta') IS NULL"), 't', '... and the primary was left alone');

my $out = `$bin ingest --quiet --db '$primary' demo 2>&1`;
is($?, 0, 'the demo is stored on the primary') or diag($out);
ok(eventually(sub { $psql->($standby, 'SELECT count(*) FROM article') =~ /^[1-9]/ }, within => 10),
   'the standby has it');

# A node on the standby alone, and one reading the standby, writing the primary.
my $tok = `$bin token`;
my ($token) = $tok =~ /\A([0-9a-f]{64})\n/;
(my $conf = $tok) =~ s/\A[^\n]*\n//;
open(my $fh, '>', "$tmp/meldung.conf") or die;
print $fh $conf, "quarantine = $tmp/q\n";
close $fh;
my $ro_log = "$tmp/standby-node.log";
open(my $save, '>&', \*STDERR) or die;
open(STDERR, '>', $ro_log) or die;
my ($ro, $ro_url) = serve($bin, 'serve --db STANDBY starts', '--db', $standby, '--config',
                          "$tmp/meldung.conf");
open(STDERR, '>&', $save) or die;
ok(eventually(sub { slurp($ro_log) =~ /push: .* takes no writes \(a hot standby/ }),
   'with [push], it warns that pushes will fail') or diag(slurp($ro_log));
my ($rw, $rw_url) = serve($bin, 'serve --db PRIMARY --replica STANDBY starts', '--db', $primary,
                          '--replica', $standby, '--config', "$tmp/meldung.conf");
my $http = HTTP::Tiny->new(timeout => 10);
sub page {
    my ($base, $path) = @_;
    my $r = $http->get("$base$path");
    return "$r->{status} " . text_of($r->{content});
}
like(page($ro_url, '/'), qr/^200 /, 'the standby node serves the home page');
like(page($rw_url, '/'), qr/^200 /, 'the replica node serves the home page');
like(page($_, '/suche?q=Pandas'), qr/^200 .*<mark>/s, "search works on $_") for $ro_url, $rw_url;

sub push_entry {
    my ($base, $n, $headline) = @_;
    my $body = encode('UTF-8',
        qq({"urn": "urn:newsml:example.com:20260301:standby$n", "version": 1, )
        . qq("version_created": "2026-03-01T10:0$n:00Z", "headline": "$headline", )
        . qq("article_html": "<section><p>Text der Meldung $n über die Reserve.</p></section>"}));
    return $http->request('POST', "$base/api/v1/push",
        { headers => { Authorization => "Bearer $token", 'Content-Type' => 'application/json' },
          content => $body });
}
my $count = sub { $psql->($primary, 'SELECT count(*) FROM article') };
my $before = $count->();

# Writes to a standby-only node fail with the database's reason.
my $r = push_entry($ro_url, 1, 'Schreibversuch auf der Reserve');
ok($r->{status} >= 500, "a push to the standby node fails ($r->{status})");
is($count->(), $before, '... and stores nothing');

# Writes through the replica node go to the primary; both nodes show them.
my $t0 = time;
$r = push_entry($rw_url, 2, 'Meldung über den Primärserver');
is($r->{status}, 202, 'a push to the replica node is taken') or diag($r->{content});
is($count->(), $before + 1, '... and stored on the primary');
my %seen;
ok(eventually(sub {
       for my $b ($rw_url, $ro_url) {
           $seen{$b} //= time - $t0 if page($b, '/') =~ /Meldung über den Primärserver/;
       }
       return keys %seen == 2;
   }, within => 10, every => 0.01), 'the article reaches both nodes\' home pages');
diag(sprintf('pushed -> on the page: replica node %.0f ms, standby node %.0f ms',
             map { 1000 * ($seen{$_} // -1) } $rw_url, $ro_url));

# Replay paused: the primary has the next article, the standby not.
is($psql->($standby, 'SELECT pg_wal_replay_pause()'), '', 'the standby\'s replay is paused');
$r = push_entry($rw_url, 3, 'Angehaltene Meldung');
is($r->{status}, 202, 'another push is taken');
sleep(0.5);    # five refreshes
unlike(page($rw_url, '/'), qr/Angehaltene Meldung/, 'while paused, the page does not show it');
unlike(page($rw_url, '/'), qr/Angehaltene Meldung/, '... nor from the cache');
is($psql->($standby, 'SELECT pg_wal_replay_resume()'), '', 'replay goes on');
ok(eventually(sub { page($rw_url, '/') =~ /Angehaltene Meldung/ }, within => 10),
   'then the page shows it: the cached page was dropped at the standby\'s word');

# Failover: the standby is promoted; the node on it now takes pushes.
is(stop($rw), 0, 'the replica node stops cleanly');
is($psql->($standby, 'SELECT pg_promote()'), 't', 'the standby is promoted');
$r = push_entry($ro_url, 4, 'Meldung nach dem Umschalten');
is($r->{status}, 202, 'the node on the former standby takes a push') or diag($r->{content});
ok(eventually(sub { page($ro_url, '/') =~ /Meldung nach dem Umschalten/ }, within => 10),
   '... and shows it');

is(stop($ro), 0, 'the standby node stops cleanly');
done_testing();
