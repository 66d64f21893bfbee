#!/usr/bin/env perl
# `meldung backup` and `meldung restore` (docs/operating.md, "Back up and
# restore"), through the real binary, with a server serving and an ingest
# writing the store:
#
#   - a commit made just before the backup is in it, while a copy of the
#     database file alone (what `cp` of a WAL store gives) lacks it;
#   - a backup taken while an ingest stores 600 files one COMMIT each
#     holds every file reported committed before it started, and no more
#     than the store held after the ingest; it passes integrity_check;
#   - OUT exists: refused without --force, replaced with it; a missing
#     folder and '-' are refused; no temporary file is left behind;
#   - --gzip: a compressed backup restores as it is; a cut one is refused;
#   - restore: refused while serve has the store open, refused for a
#     damaged file or a newer schema (the store untouched); an older
#     schema is migrated; a round trip gives `stats` equal to the
#     backup's, the old store is kept whole.
#
# SQLite only, also under `make check PG=1`: its subject is SQLite's file
# and its write-ahead log (PostgreSQL is backed up with pg_dump,
# docs/operating.md).
#
# Needs: MELDUNG (default ./meldung), run from the repository root (demo/).
# The sqlite3 shell (scripts/deps.sh) for the independent checks; they are
# skipped without it.
use strict;
use warnings;
use Test::More;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300);
my $sqlite3 = `command -v sqlite3 2>/dev/null`;
chomp $sqlite3;

my $db = "$tmp/store.db";
my $out = `$bin ingest --quiet --db $db demo 2>&1`;
is($?, 0, 'the demo is stored') or diag($out);

# Demo entries under new urns and entry ids, one file each.
my @texts = map { slurp($_) } sort glob('demo/*.json');
sub entry_file {
    my ($path, $name) = @_;
    my $t = $texts[length($name) % @texts];
    $t =~ s/"urn":\s*"[^"]*"/"urn": "urn:newsml:dpa.com:20090101:backup-$name"/ or die 'no urn';
    $t =~ s/"entry_id":\s*"[^"]*"/"entry_id": "backup-entry-$name"/ or die 'no entry_id';
    open(my $f, '>', $path) or die "$path: $!";
    print $f $t;
    close $f;
}
my $N = 600;
mkdir "$tmp/batch" or die;
entry_file(sprintf('%s/batch/%04d.json', $tmp, $_), sprintf('b%04d', $_)) for 1 .. $N;
entry_file("$tmp/one.json", 'single');

# The article count `meldung stats --db FILE` prints.
sub articles {
    my ($file) = @_;
    my ($n) = `$bin stats --db $file 2>&1` =~ /^articles: (\d+)/m;
    return $n // -1;
}

# The summary line of a backup: (articles, versions, bytes), or ().
sub summary {
    my ($text, $file) = @_;
    return $text =~ /^\Q$file\E: (\d+) articles, (\d+) versions, (\d+) bytes in [\d.]+ s$/m;
}

my ($srv) = serve($bin, 'serve runs on the store', '--db', $db);
my $before = articles($db);
ok($before > 0, "the store holds $before articles");

# --- a commit made just before the backup is in it -------------------------
$out = `$bin ingest --quiet --db $db $tmp/one.json 2>&1`;
is($?, 0, 'one more article is stored while serve has the store open') or diag($out);
system('cp', $db, "$tmp/plain-copy.db") == 0 or die 'cp';
$out = `$bin backup --db $db $tmp/first.db 2>&1`;
is($?, 0, 'backup succeeds while serving') or diag($out);
my ($n, $versions, $bytes) = summary($out, "$tmp/first.db");
ok(defined $n, '... and prints one summary line') or diag($out);
is($n, $before + 1, '... counting the article committed just before');
is($bytes, -s "$tmp/first.db", '... and the size of the file');
is(articles("$tmp/first.db"), $before + 1, 'the backup opens as a store and holds that article');
# serve keeps the store open, so the commit is still only in the -wal
# (SQLite moves the log into the file at 1,000 pages; this is a few dozen).
is(articles("$tmp/plain-copy.db"), $before,
    'a copy of the database file alone lacks it (its -wal was not copied)');
is_deeply([glob("$tmp/first.db.tmp-*")], [], 'no temporary file is left');

# --- a backup while an ingest writes ----------------------------------------
my $log = "$tmp/ingest.log";
my $start = articles($db);    # before the ingest starts
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    open(STDOUT, '>', "$tmp/ingest.out") or die;
    open(STDERR, '>', $log) or die;
    exec($bin, 'ingest', '--verbose', '--batch', '1', '--db', $db, "$tmp/batch") or die "exec: $!";
}
my @done;
ok(eventually(sub { @done = slurp($log) =~ /: committed$/mg; @done >= 20 }, within => 60,
    every => 0.01), 'the ingest has committed files') or diag(slurp($log));
my $committed = () = slurp($log) =~ /: committed$/mg;    # reported before the backup starts
$out = `$bin backup --db $db $tmp/during.db 2>&1`;
my $rc = $?;
waitpid($pid, 0);
is($?, 0, 'the ingest succeeds alongside') or diag(substr(slurp($log), -1000));
is($rc, 0, 'backup succeeds while an ingest writes and serve serves') or diag($out);
my $after = articles($db);
is($after, $start + $N, "the ingest stored all $N files");
($n) = summary($out, "$tmp/during.db");
$n //= -1;
ok($n >= $start + $committed, "the backup ($n articles) holds the $committed files reported "
    . "committed before it started (at least " . ($start + $committed) . ')');
ok($n <= $after, "... and no more than the store after the ingest ($after)");
note($n < $after ? 'the backup was taken mid-way through the ingest'
                 : 'the ingest had finished when the backup read its snapshot');
SKIP: {
    skip 'sqlite3 not installed (scripts/deps.sh installs it)', 2 unless $sqlite3;
    is(`$sqlite3 $tmp/during.db 'PRAGMA integrity_check'`, "ok\n", 'sqlite3: integrity_check ok');
    is(`$sqlite3 $tmp/during.db 'PRAGMA journal_mode'`, "delete\n",
        '... one self-contained file (not in WAL mode until meldung opens it)');
}
is(articles("$tmp/during.db"), $n, 'the backup opens with the count it printed');

# --- OUT exists, missing folder, '-' ---------------------------------------
my $first = slurp("$tmp/first.db");
$out = `$bin backup --db $db $tmp/first.db 2>&1`;
is($? >> 8, 1, 'an existing OUT is refused');
like($out, qr{\Q$tmp\E/first\.db: exists \(--force replaces it\)}, '... naming it and --force');
ok(slurp("$tmp/first.db") eq $first, '... and left as it was');
$out = `$bin backup --force --db $db $tmp/first.db 2>&1`;
is($?, 0, '--force replaces it') or diag($out);
is(articles("$tmp/first.db"), $after, '... with the store as it is now');
$out = `$bin backup --db $db $tmp/nowhere/b.db 2>&1`;
is($? >> 8, 1, 'a missing folder is an error');
like($out, qr{\Q$tmp\E/nowhere/b\.db: cannot create a file in \Q$tmp\E/nowhere: No such file or directory},
    '... naming the path and the reason');
ok(!-e "$tmp/nowhere", '... and makes no folder');
$out = `$bin backup --db $db - 2>&1`;
is($? >> 8, 2, "'-' is a usage error");
like($out, qr{'-' is no file}, '... saying a store needs a file');
$out = `$bin backup --db $tmp/missing.db $tmp/x.db 2>&1`;
is($? >> 8, 1, 'a missing store is an error');
like($out, qr{\Q$tmp\E/missing\.db: no store there}, '... naming it');
ok(!-e "$tmp/missing.db" && !-e "$tmp/x.db", '... and creates neither file');

# --- restore ---------------------------------------------------------------
my $stats_now = `$bin stats --db $db 2>&1`;
$out = `$bin restore --db $db $tmp/during.db 2>&1`;
is($? >> 8, 1, 'restore is refused while serve has the store open');
like($out, qr{\Q$db\E: the store is in use by another process}, '... saying why');
is(`$bin stats --db $db 2>&1`, $stats_now, '... and the store is unchanged');
is_deeply([glob("$db.before-restore-*")], [], '... nothing moved aside');
stop($srv);

# A damaged backup: garbage over the b-tree pages after the first.
system('cp', "$tmp/during.db", "$tmp/damaged.db") == 0 or die;
open(my $dmg, '+<', "$tmp/damaged.db") or die;
for my $page (1 .. 8) {
    seek($dmg, $page * 4096, 0);
    print $dmg 'x' x 200;
}
close $dmg;
open(my $txt, '>', "$tmp/text.db") or die;
print $txt "kein Speicher\n" x 100;
close $txt;
for my $bad (['damaged.db', qr/fails the integrity check: /], ['text.db', qr/not a database/]) {
    my ($file, $why) = @$bad;
    $out = `$bin restore --db $db $tmp/$file 2>&1`;
    is($? >> 8, 1, "restore of $file is refused");
    like($out, qr{\Q$tmp/$file\E: .*$why.*; nothing was changed}, '... naming the file and the reason')
        or diag($out);
    is(`$bin stats --db $db 2>&1`, $stats_now, '... the store is unchanged');
}
SKIP: {
    skip 'sqlite3 not installed (scripts/deps.sh installs it)', 2 unless $sqlite3;
    system('cp', "$tmp/first.db", "$tmp/newer.db") == 0 or die;
    system($sqlite3, "$tmp/newer.db", 'PRAGMA user_version = 9999') == 0 or die;
    $out = `$bin restore --db $db $tmp/newer.db 2>&1`;
    is($? >> 8, 1, 'a backup from a newer meldung is refused');
    like($out, qr{schema version 9999 is newer than this meldung knows}, '... saying so');
}
is_deeply([glob("$db.before-restore-*")], [], 'no refusal moved the store aside');

# A backup from an older meldung is migrated: first.db with migration
# 0011 undone (its four columns dropped, user_version 8 as before it).
SKIP: {
    skip 'sqlite3 not installed (scripts/deps.sh installs it)', 4 unless $sqlite3;
    my $newest = `$sqlite3 $tmp/first.db 'PRAGMA user_version'`;
    chomp $newest;
    skip "this undoes migration 0011; the store is at $newest: undo the newest one here", 4
        unless $newest eq '11';
    system('cp', "$tmp/first.db", "$tmp/older.db") == 0 or die;
    system($sqlite3, "$tmp/older.db", join('; ', (map { "ALTER TABLE source DROP COLUMN $_" }
        qw(new_items updated_items duplicates failed)), 'PRAGMA user_version = 8')) == 0 or die;
    $out = `$bin restore --db $tmp/migrated.db $tmp/older.db 2>&1`;
    is($?, 0, 'restore of a backup from an older meldung') or diag($out);
    is(`$sqlite3 $tmp/migrated.db 'PRAGMA user_version'`, "11\n", '... migrates it');
    like(`$sqlite3 $tmp/migrated.db 'SELECT sql FROM sqlite_schema WHERE name = "source"'`,
        qr/failed\s+INTEGER/, '... with the columns of 0011');
    is(articles("$tmp/migrated.db"), articles("$tmp/first.db"), '... and its articles');
}

# The round trip: the backup taken during the ingest back in place.
my $want = `$bin stats --db $tmp/during.db 2>&1`;
$out = `$bin restore --db $db $tmp/during.db 2>&1`;
is($?, 0, 'restore succeeds once serve has stopped') or diag($out);
my ($kept) = $out =~ /the previous store is kept as (\S+)$/m;
like($kept // '', qr{^\Q$db\E\.before-restore-\d{8}T\d{6}Z$}, '... naming where the old store is');
is(`$bin stats --db $db 2>&1`, $want, 'the restored store has the backup\'s stats');
ok(!-e "$db-wal" && !-e "$db-shm", '... and no -wal or -shm from the old one');
is(`$bin stats --db $kept 2>&1`, $stats_now, 'the previous store is kept whole');
my ($srv2) = serve($bin, 'serve starts on the restored store', '--db', $db);
is(get('/')->{status}, 200, '... and serves the home page');
stop($srv2);

# --gzip: a compressed backup, restored as it is.
$out = `$bin backup --gzip --db $db $tmp/store.db.gz 2>&1`;
is($?, 0, 'backup --gzip') or diag($out);
($n, $versions, $bytes) = summary($out, "$tmp/store.db.gz");
is($bytes, -s "$tmp/store.db.gz", '... counts the bytes of the compressed file');
is(substr(slurp("$tmp/store.db.gz"), 0, 2), "\x1f\x8b", '... which is gzip');
ok($bytes < -s $db, '... and smaller than the store');
open(my $gz, '<', "$tmp/store.db.gz") or die;
binmode $gz;
read($gz, my $head, 4096);
close $gz;
open($gz, '>', "$tmp/cut.db.gz") or die;
print $gz $head;
close $gz;
my $stats_gz = `$bin stats --db $db 2>&1`;
$out = `$bin restore --db $db $tmp/cut.db.gz 2>&1`;
is($? >> 8, 1, 'a cut gzip backup is refused');
like($out, qr{\Q$tmp\E/cut\.db\.gz: not a whole gzip file: .*; nothing was changed}, '... saying so')
    or diag($out);
is_deeply([glob("$db.tmp-*")], [], '... leaving no temporary file');
$out = `$bin restore --db $tmp/from-gz.db $tmp/store.db.gz 2>&1`;
is($?, 0, 'restore of the gzip backup') or diag($out);
is(`$bin stats --db $tmp/from-gz.db 2>&1`, $stats_gz, '... gives the store\'s stats');

# A copy made by the sqlite3 shell (the fallback operating.md names) is
# in WAL mode; restore reads it and leaves nothing beside it.
SKIP: {
    skip 'sqlite3 not installed (scripts/deps.sh installs it)', 3 unless $sqlite3;
    system($sqlite3, $db, ".backup $tmp/shell.db") == 0 or die;
    $out = `$bin restore --db $tmp/from-shell.db $tmp/shell.db 2>&1`;
    is($?, 0, 'restore of a sqlite3 .backup copy') or diag($out);
    is(`$bin stats --db $tmp/from-shell.db 2>&1`, $stats_gz, '... gives the store\'s stats');
    ok(!-e "$tmp/shell.db-wal" && !-e "$tmp/shell.db-shm", '... and leaves no -wal or -shm beside it');
}

# Restore where no store is yet.
$out = `$bin restore --db $tmp/fresh.db $tmp/first.db 2>&1`;
is($?, 0, 'restore into a new place') or diag($out);
like($out, qr/there was no store before/, '... says there was none');
is(articles("$tmp/fresh.db"), $after, '... and the store is there');

# Usage.
$out = `$bin restore --db $db 2>&1`;
is($? >> 8, 2, 'restore without a file is a usage error');
$out = `$bin help backup 2>&1`;
like($out, qr/^usage: meldung backup \[--db FILE\] \[--force\] \[--gzip\] OUT$/m, 'meldung help backup');
$out = `$bin help restore 2>&1`;
like($out, qr/^usage: meldung restore \[--db FILE\] BACKUP$/m, 'meldung help restore');

done_testing();
