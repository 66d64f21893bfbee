#!/usr/bin/env perl
# Crash safety of `meldung ingest`: a batch of 3,000 files (the demo entries
# under new urns and entry ids) is ingested with --verbose and killed with
# SIGKILL once some files were reported committed. Then:
#
#   - nothing reported committed is lost: re-running the whole batch, each
#     of those urns comes back as a duplicate delivery (or an older
#     version), never as inserted;
#   - nothing is stored twice: in the re-run, new + duplicates = 3,000 with
#     every urn reported exactly once, and a third run finds 3,000
#     duplicates and nothing new.
#
# Runs once with the default batching (many files per COMMIT, a savepoint
# each) and once with --batch 1 (one transaction per file), on SQLite or,
# under `make check PG=1`, on PostgreSQL (store_db).
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root (it reads demo/).
use strict;
use warnings;
use Test::More;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300);

my $N = 3000;

# The batch: demo entries in turn, each under a new urn and entry id.
my @demo = sort glob('demo/*.json');
ok(@demo >= 10, 'demo entries found') or BAIL_OUT('no demo/');
my @texts = map { slurp($_) } @demo;
mkdir "$tmp/batch" or die;
my %urn_of;    # path -> urn
for my $i (0 .. $N - 1) {
    my $t = $texts[$i % @texts];
    my $urn = sprintf('urn:newsml:dpa.com:20090101:crash-%05d', $i);
    $t =~ s/"urn":\s*"[^"]*"/"urn": "$urn"/ or die 'no urn in a demo entry';
    $t =~ s/"entry_id":\s*"[^"]*"/"entry_id": "crash-entry-$i"/ or die 'no entry_id';
    my $path = sprintf('%s/batch/%05d.json', $tmp, $i);
    open(my $f, '>', $path) or die "$path: $!";
    print $f $t;
    close $f;
    $urn_of{$path} = $urn;
}

# The files a --verbose log reports committed.
sub committed_files {
    my ($log) = @_;
    return $log =~ /^\S+Z meldung: debug: (\S+): committed$/mg;
}

# urn -> what a --verbose run did with it ("inserted", "duplicate", ...).
sub outcomes {
    my ($log) = @_;
    my %did;
    while ($log =~ /^\S+Z meldung: debug: (\S+) v\d+: article -?\d+ (inserted|updated|older than stored|duplicate delivery)/mg) {
        push @{ $did{$1} }, $2;
    }
    return \%did;
}

# Runs ingest on $db in the background (its output in $out.out and
# $out.log), kills it with SIGKILL once at least $want files were reported
# committed. Returns (log, killed midway?).
sub ingest_and_kill {
    my ($db, $out, $want, @opts) = @_;
    my $err = "$out.log";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', "$out.out") or die;
        open(STDERR, '>', $err) or die;
        exec($bin, 'ingest', '--verbose', '--db', $db, @opts, "$tmp/batch") or die "exec: $!";
    }
    my ($killed, $t0) = (0, time());
    while (time() - $t0 < 120) {
        if (waitpid($pid, WNOHANG) == $pid) {
            $pid = 0;
            last;
        }
        my @done = committed_files(slurp($err));
        if (@done >= $want) {
            kill 'KILL', $pid;
            waitpid($pid, 0);
            $killed = ($? & 127) == 9;
            $pid = 0;
            last;
        }
        sleep 0.002;
    }
    if ($pid) { kill 'KILL', $pid; waitpid($pid, 0); }
    return (slurp($err), $killed);
}

# Kill after $want files were reported: for batches, past a few COMMITs.
for my $mode (['default batching', 600], ['--batch 1', 40, '--batch', '1']) {
    my ($name, $want, @opts) = @$mode;
    my $short = $name =~ /1/ ? 'one' : 'batched';
    my $db = store_db($tmp, $short);

    my ($log, $killed) = ingest_and_kill($db, "$tmp/$short", $want, @opts);
    ok($killed, "$name: ingest killed with SIGKILL midway");
    my @done = committed_files($log);
    my %reported = map { $urn_of{$_} => 1 } @done;
    ok(@done >= $want && @done < $N, "$name: " . scalar(@done) . " of $N files reported committed before the kill");
    is(scalar(grep { !defined $urn_of{$_} } @done), 0, "$name: committed lines name batch files");

    # Re-run the whole batch.
    my $out = `$bin ingest --verbose --db $db $tmp/batch 2>&1`;
    is($?, 0, "$name: the re-run succeeds") or diag(substr($out, -2000));
    my ($new, $dups, $failed) = $out =~ /ingest: $N files, (\d+) new, 0 updated, 0 older versions kept, (\d+) duplicates skipped, (\d+) failed/;
    ok(defined $new, "$name: re-run summary") or diag(substr($out, -500));
    $new //= -1;
    $dups //= -1;
    # The demo's advisory is held, not new: its copies count apart.
    my ($held) = $out =~ /ingest: $N files, .*?, (\d+) held/;
    $held //= 0;
    is($new + $dups + $held, $N, "$name: re-run: new ($new) + duplicates ($dups) + held ($held) = $N");
    is($failed, 0, "$name: re-run: nothing failed");
    my $did = outcomes($out);
    is(scalar(keys %$did), $N, "$name: re-run reports every urn");
    is(scalar(grep { @{ $did->{$_} } != 1 } keys %$did), 0, "$name: ... each exactly once");
    my @lost = grep { ($did->{$_}[0] // '') eq 'inserted' } keys %reported;
    is(scalar(@lost), 0, "$name: no urn reported committed is inserted again (lost: @lost[0 .. ($#lost < 4 ? $#lost : 4)])");
    my @odd = grep { my $o = $did->{$_}[0] // ''; $o ne 'duplicate delivery' && $o ne 'older than stored' }
        keys %reported;
    is(scalar(@odd), 0, "$name: every committed urn comes back as a duplicate or an older version");
    my $inserted = grep { $did->{$_}[0] eq 'inserted' } keys %$did;
    is($inserted, $new + $held, "$name: inserted lines (new and held) match the summary");
    ok($dups >= scalar(keys %reported), "$name: at least the " . scalar(keys %reported) . " committed urns are duplicates ($dups)");

    # A third run: everything is there once.
    $out = `$bin ingest --db $db $tmp/batch 2>&1`;
    like($out, qr/ingest: $N files, 0 new, 0 updated, 0 older versions kept, $N duplicates skipped, 0 failed/,
        "$name: third run: all $N are duplicates, nothing new");
}

done_testing();
