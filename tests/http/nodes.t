#!/usr/bin/env perl
# meldung on several nodes sharing one PostgreSQL database (issue 11),
# through the real binary on loopback: three `meldung serve` nodes and
# two `meldung poll` nodes on one throwaway cluster.
#
#   - an article stored through one node is on the pages of all three
#     (each drops its cached pages when the change log says so; the
#     delay is printed as a diagnostic, not asserted);
#   - the two pollers fetch the feed once per round between them, never
#     both (a source is claimed by one node at a time);
#   - the poller that fetched is killed with SIGKILL; the other one takes
#     the source over and stores the next entry; nothing is lost and
#     nothing is stored twice (the API's article count, one version of
#     each).
#
# Needs a PostgreSQL server: runs under `make check PG=1`
# (MELDUNG_TEST_PG), skipped otherwise. Run from the repository root.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use HTTP::Tiny;
use Time::HiRes qw(sleep time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(240);
my $pg = pg_db('nodes');
plan skip_all => 'no PostgreSQL server (make check PG=1)' unless $pg;

my $http = HTTP::Tiny->new(timeout => 10);
my $out = `$bin ingest --quiet --db '$pg' demo 2>&1`;
is($?, 0, 'the demo is stored in PostgreSQL') or diag($out);

# Three serving nodes.
my (@srv, @base);
for my $i (1 .. 3) {
    my ($s, $b) = serve($bin, "serve node $i", '--db', $pg);
    push @srv, $s;
    push @base, $b;
}
sub page { my ($i, $path) = @_; my $r = $http->get("$base[$i]$path"); return "$r->{status} $r->{content}" }
like(page($_, '/'), qr/^200 /, "node $_ serves the home page") for 0 .. 2;
my $demo = () = $http->get("$base[0]/api/v1/articles?limit=100")->{content} =~ /"urn":/g;
ok($demo > 0, "the API lists the demo ($demo articles)");

# The feed, served by a child that logs each request.
my $wire = "$tmp/wire.json";
my $log = "$tmp/requests.log";
sub write_wire {
    my @n = @_;
    open(my $fh, '>', "$wire.tmp") or die;
    print $fh '{"entries": [' . join(', ', map {
        qq({"urn": "urn:newsml:example.com:20260101:node$_", "version": 1, )
        . qq("version_created": "2026-01-01T0$_:00:00Z", "headline": "Knotenmeldung Nummer $_", )
        . qq("article_html": "<section><p>Text der Meldung $_ aus dem Feed.</p></section>"})
    } @n) . "]}\n";
    close($fh);
    rename("$wire.tmp", $wire) or die;
}
write_wire(1);
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                   ReuseAddr => 1) or die "listen: $!";
my $port = $listen->sockport;
my $feed = fork() // die "fork: $!";
if ($feed == 0) {
    while (my $c = $listen->accept) {
        my $head = '';
        while (my $line = <$c>) { $head .= $line; last if $line eq "\r\n" }
        open(my $l, '>>', $log) or die;
        print $l time() . "\n";
        close($l);
        my $doc = slurp($wire);
        print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            . length($doc) . "\r\nConnection: close\r\n\r\n$doc";
        close($c);
    }
    exit 0;
}
close($listen);
sub fetches { return -e $log ? scalar(() = slurp($log) =~ /\n/g) : 0 }

my $conf = "$tmp/meldung.conf";
open(my $cf, '>', $conf) or die;
print $cf "[source wire]\nurl = http://127.0.0.1:$port/wire.json\ninterval = 10\n";
close($cf);

# Two pollers, started at the same moment.
my @poller;
for my $i (1 .. 2) {
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDERR, '>', "$tmp/poll$i.log") or die;
        exec($bin, 'poll', '--config', $conf, '--db', $pg) or exit 127;
    }
    push @poller, $pid;
}
my $t0 = time();
ok(eventually(sub { fetches() >= 1 }, within => 15), 'the feed is fetched');
my $seen = 0;
for my $i (0 .. 2) {
    $seen++ if eventually(sub { page($i, '/') =~ /Knotenmeldung Nummer 1/ }, within => 10);
}
is($seen, 3, 'the new article is on the home page of all three nodes');
diag(sprintf('fetched to shown on all three nodes: %.2f s (poll every 10 s; serve '
             . 'refreshes on notice or every 0.1 s)', time() - $t0));
sleep 3;
is(fetches(), 1, 'one fetch for the round: the other poller did not fetch too');

# Which poller stored it?
my ($leader) = grep { slurp("$tmp/poll" . ($_ + 1) . '.log') =~ /poll: wire: .*stored/ } 0 .. 1;
ok(defined $leader, 'one poller logged the fetch');
$leader //= 0;
my $survivor = 1 - $leader;
kill 'KILL', $poller[$leader];
waitpid($poller[$leader], 0);
write_wire(1, 2);
my $t1 = time();
ok(eventually(sub { fetches() >= 2 }, within => 40, every => 0.5),
   'after SIGKILL of the fetching poller, the other fetches the feed');
diag(sprintf('taken over %.1f s after the kill', time() - $t1));
ok(eventually(sub { page(0, '/') =~ /Knotenmeldung Nummer 2/ }, within => 10),
   '... and its next entry is stored and shown');
like(slurp("$tmp/poll" . ($survivor + 1) . '.log'), qr/poll: wire: .*stored/,
     '... by the surviving poller');
kill 'TERM', $poller[$survivor];
waitpid($poller[$survivor], 0);

# Nothing lost, nothing twice.
my $api = $http->get("$base[1]/api/v1/articles?limit=100")->{content};
my $n = () = $api =~ /"urn":/g;
is($n, $demo + 2, 'the API lists the demo and the two feed entries, once each');
for my $k (1, 2) {
    my $c = () = $api =~ /urn:newsml:example\.com:20260101:node$k"/g;
    is($c, 1, "feed entry $k is one article");
}

stop($_) for @srv;
kill 'TERM', $feed;
waitpid($feed, 0);
done_testing();
