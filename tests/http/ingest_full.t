#!/usr/bin/env perl
# End to end: `meldung ingest` when the disk is full. The store lives on a
# small tmpfs (16 MiB) filled up but for 256 KiB (so it needs root, and is skipped
# with the reason otherwise); 600 good files and a broken one go in, the
# quarantine folder on another disk. The run must stop with one error
# line saying what and where and how many files were not stored, exit 3,
# and quarantine only the broken file. Once there is room again the same
# command stores the rest. Then a full quarantine folder: reported once,
# not once per failed file, and the good files are still stored.
#
# SQLite only, also under `make check PG=1`: the full disk is the one
# SQLite's file is on.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root, as root (mount).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(240);
plan skip_all => 'needs root to mount a small tmpfs (the disk that fills up)' if $> != 0;
my $mnt = "$tmp/mnt";
mkdir $mnt or die;
if (system('mount', '-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', $mnt) != 0) {
    plan skip_all => 'cannot mount a tmpfs here (no CAP_SYS_ADMIN?)';
}
END { system('umount', $mnt) if defined $mnt && -d $mnt }

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close($fh) or die "$path: $!";
}

sub entry {
    my ($n) = @_;
    return qq({"urn": "urn:newsml:example.com:20250128:full$n", "version": 1, )
         . qq("version_created": "2025-01-28T08:00:00Z", "headline": "Volle Platte $n", )
         . qq("article_html": "<p>Meldung $n: ) . ("Wort$n " x 150) . qq(</p>"}\n);
}

# Fills the file system of $mnt but for $spare KiB.
sub fill {
    my ($spare) = @_;
    my $buf = "\0" x 4096;
    open(my $s, '>', "$mnt/spare") or die;
    print $s $buf for 1 .. $spare / 4;
    close($s);
    open(my $f, '>', "$mnt/filler") or die;
    1 while print $f $buf;
    close($f);    # may fail: the disk is full
    unlink "$mnt/spare";
}

my $N = 600;
mkdir "$tmp/wire";
put("$tmp/wire/000-broken.json", '{"urn": "urn:x", "headline": ');
put(sprintf("$tmp/wire/%04d.json", $_), entry($_)) for 1 .. $N;

my $db = "$mnt/m.db";
my $out = `$bin ingest --quiet --db $db --quarantine $tmp/q $tmp/wire/0001.json 2>&1`;
is($? >> 8, 0, 'a store on the small disk') or diag($out);
fill(1024);    # room for some batches: a commit logs whole pages (16 KiB)

$out = `$bin ingest --quiet --db $db --quarantine $tmp/q $tmp/wire 2>&1`;
is($? >> 8, 3, 'a full store: exit status 3') or diag($out);
my @errors = grep { /^$TS meldung: error:/ } split /\n/, $out;
is(scalar @errors, 2, 'two error lines: the broken file, and the full store once') or diag($out);
like($errors[0] // '', qr{000-broken\.json: line 1}, 'the broken file');
like($errors[1] // '', qr{^$TS meldung: error: \Q$db\E: database or disk is full: stopped, (\d+) files not stored and none of them quarantined},
    'the full store: what, where, and how many files were not stored');
my ($lost) = ($errors[1] // '') =~ /stopped, (\d+) files not stored/;
my ($done, $new) = $out =~ /ingest: (\d+) files, (\d+) new/;
ok(defined $lost && $lost > 0, "files were left ($lost)");
ok(($new // 0) > 0, "what fitted was stored ($new new)");
is(($done // 0) + ($lost // 0), $N + 1, '... files done and not stored add up to all files')
    or diag($out);
like($out, qr/, \d+ not stored: the store is full$/m, 'the summary says so');
opendir(my $qd, "$tmp/q") or die;
my @q = sort grep { !/^\./ } readdir $qd;
closedir $qd;
is_deeply(\@q, ['000-broken.json', '000-broken.json.reason'], 'only the broken file is quarantined');

# Room again: the same command stores the rest, nothing twice.
unlink "$mnt/filler";
$out = `$bin ingest --quiet --db $db --quarantine $tmp/q $tmp/wire 2>&1`;
is($? >> 8, 1, 'room again: exit status 1 (the broken file still fails)') or diag($out);
my ($files, $new2, $older, $dups) = $out =~ /ingest: (\d+) files, (\d+) new, 0 updated, (\d+) older versions kept, (\d+) duplicates skipped, 1 failed/;
is($files, $N + 1, '... every file done') or diag($out);
is(($new2 // 0) + ($older // 0) + ($dups // 0), $N, '... each good file stored or recognised as stored');
ok(($new2 // 0) >= ($lost // 0) - 1, '... the ones not stored before are new now (but the one stored first)');

# A full quarantine folder: said once, the good files still stored.
unlink $db, "$db-wal", "$db-shm";
mkdir "$mnt/q";
fill(0);
mkdir "$tmp/mixed";
put("$tmp/mixed/b$_.json", '{"urn": ') for 1 .. 3;
put("$tmp/mixed/g$_.json", entry(1000 + $_)) for 1 .. 3;
$out = `$bin ingest --quiet --db $tmp/other.db --quarantine $mnt/q $tmp/mixed 2>&1`;
is($? >> 8, 1, 'a full quarantine folder: exit status 1');
like($out, qr/ingest: 6 files, 3 new, .* 3 failed \(3 not quarantined\)/, '... the good files stored')
    or diag($out);
my @full = grep { /No space left on device/ } split /\n/, $out;
is(scalar @full, 1, '... the failed copy reported once') or diag($out);
is(scalar(() = $out =~ /no further failed files are copied/g), 1, '... and that no more are tried');
is(scalar(() = $out =~ /^$TS meldung: error: .*b\d\.json: line 1/mg), 3, '... each failed file still named');

done_testing();
