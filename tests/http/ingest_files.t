#!/usr/bin/env perl
# End to end: what `meldung ingest DIR` and `meldung watch DIR` do with
# files that are no plain documents of the folder. In the folder: a FIFO
# (must not hang: every run has a time limit, so a regression fails), a
# socket, a symbolic link to a passwd-like file outside the folder, a hard
# link to it, a symbolic link to a good file inside the folder, a good
# file, and a broken file of mode 0600. Each skipped file gets one warning
# naming it and what it is; the secret is never stored; --follow-links
# reads the links; the quarantine copy keeps mode 0600. A file named
# with a newline and an ESC byte never reaches the output raw.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use IO::Socket::UNIX;
use POSIX qw(mkfifo);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120);

sub put {
    my ($path, $text, $mode) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
    chmod($mode, $path) if defined $mode;
}

sub entry {
    my ($n, $headline) = @_;
    return qq({"urn": "urn:newsml:example.com:20250128:files$n", "version": 1, )
         . qq("version_created": "2025-01-28T08:00:00Z", "headline": "$headline"}\n);
}

# Runs the binary with a time limit of its own (a FIFO opened for reading
# would block it forever); returns exit status and output (both streams).
sub run {
    my (@args) = @_;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if ($pid == 0) {
        open(STDERR, '>&', \*STDOUT) or die;
        exec('timeout', '20', $bin, @args) or die "exec: $!";
    }
    local $/;
    my $text = <$out>;
    close($out);
    return ($? >> 8, $text // '');
}

my $outside = "$tmp/outside";
mkdir $outside;
put("$outside/passwd", entry(99, 'Geheim: root:x:0:0'));

my $dir = "$tmp/in";
mkdir $dir;
mkfifo("$dir/a-fifo", 0644) or die "mkfifo: $!";
my $sock = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => "$dir/b-socket", Listen => 1)
    or die "socket: $!";
symlink("$outside/passwd", "$dir/c-link-out.json") or die "symlink: $!";
link("$outside/passwd", "$dir/d-hard.json") or die "link: $!";
put("$dir/e-good.json", entry(1, 'Eine gute Meldung'));
symlink("e-good.json", "$dir/f-link-in.json") or die "symlink: $!";
put("$dir/g-secret-broken.json", '{"urn": "urn:x", "headline": ', 0600);

my $db = store_db($tmp, 'a');
my ($status, $out) = run('ingest', '--quiet', '--db', $db, '--quarantine', "$tmp/q", $dir);
isnt($status, 124, 'ingest does not hang on a FIFO');
is($status, 1, 'exit status 1: one file failed') or diag($out);
like($out, qr{^$TS meldung: warning: \Q$dir\E/a-fifo: a FIFO, skipped$}m, 'the FIFO: one warning naming it');
like($out, qr{^$TS meldung: warning: \Q$dir\E/b-socket: a socket, skipped$}m, 'the socket: one warning');
like($out, qr{^$TS meldung: warning: \Q$dir\E/c-link-out\.json: a symbolic link to \Q$outside\E/passwd, outside the folder, skipped$}m,
    'the symbolic link out: one warning naming its target');
like($out, qr{^$TS meldung: warning: \Q$dir\E/d-hard\.json: 2 hard links \(it may belong elsewhere\), skipped$}m,
    'the hard link: one warning');
is(scalar(() = $out =~ /warning/g), 4, 'four warnings, no more');
like($out, qr/ingest: 3 files, 1 new, 0 updated, 0 older versions kept, 1 duplicates skipped, 1 failed.*, 4 skipped/,
    'the good file and its link inside the folder are read (the link: a duplicate), four skipped') or diag($out);
my $found = `$bin search --db $db --json Geheim 2>&1`;
like($found, qr/"hits": \[\]/, 'the file outside the folder is not stored') or diag($found);
ok(-f "$tmp/q/g-secret-broken.json", 'the broken file is quarantined');
is(sprintf('%04o', (stat("$tmp/q/g-secret-broken.json"))[2] & 07777), '0600',
    '... with the mode of the original, 0600');
is(sprintf('%04o', (stat("$tmp/q/g-secret-broken.json.reason"))[2] & 07777), '0600',
    '... its reason file too');

# The operator may ask for the links.
my $fdb = store_db($tmp, 'f');
($status, $out) = run('ingest', '--quiet', '--follow-links', '--db', $fdb,
    '--quarantine', "$tmp/fq", $dir);
is($status, 1, '--follow-links: exit status 1 (the broken file)');
like($out, qr/ingest: 5 files, 2 new, .*, 2 skipped/, '... the links read, FIFO and socket still skipped')
    or diag($out);
$found = `$bin search --db $fdb --json Geheim 2>&1`;
like($found, qr/"headline": "Geheim: root/, '... and the linked file stored') or diag($found);

# A name with a newline and an ESC byte: no raw control byte in the output.
my $ctl = "$tmp/ctl";
mkdir $ctl;
put("$ctl/x\n\e[31mrot.json", '{"urn": ');
mkfifo("$ctl/y\n\e]0;titel\afifo", 0644) or die "mkfifo: $!";
($status, $out) = run('ingest', '--quiet', '--db', store_db($tmp, 'c'), '--quarantine', "$tmp/cq", $ctl);
is($status, 1, 'names with control characters: the broken file fails');
unlike($out, qr/[\x00-\x08\x0b-\x1f\x7f]/, 'no raw control byte in the output');
my @lines = split /\n/, $out;
is(scalar @lines, 3, 'one line each for the error, the FIFO and the summary') or diag($out);
like($out, qr/x\\n\\x1b\[31mrot\.json: line 1/, 'the name is shown with its bytes escaped');

# watch: the same rules for its folder.
my $wdir = "$tmp/w";
mkdir $wdir;
mkfifo("$wdir/a-fifo", 0644) or die "mkfifo: $!";
symlink("$outside/passwd", "$wdir/c-link-out.json") or die "symlink: $!";
link("$outside/passwd", "$wdir/d-hard.json") or die "link: $!";
put("$wdir/e-good.json", entry(2, 'Im Ablageordner'));
put("$wdir/g-broken.json", '{"urn": ', 0600);
my $wdb = store_db($tmp, 'w');
my $pid = open(my $w, '-|') // die "fork: $!";
if ($pid == 0) {
    open(STDERR, '>&', \*STDOUT) or die;
    exec('timeout', '20', $bin, 'watch', '--db', $wdb, $wdir) or die "exec: $!";
}
ok(eventually(sub { -e "$wdir/done/e-good.json" && -e "$wdir/quarantine/g-broken.json.reason" },
        within => 15),
    'watch stores the good file and quarantines the broken one, not stopped by the FIFO');
kill 'TERM', $pid;
my $wout = do { local $/; <$w> } // '';
close($w);
isnt($? >> 8, 124, 'watch did not hang');
like($wout, qr{warning: \Q$wdir\E/a-fifo: a FIFO, skipped}, 'watch: the FIFO named');
like($wout, qr{warning: \Q$wdir\E/c-link-out\.json: a symbolic link to \Q$outside\E/passwd, outside the folder, skipped},
    'watch: the link out named');
like($wout, qr{warning: \Q$wdir\E/d-hard\.json: \d+ hard links}, 'watch: the hard link named');
ok(-e "$wdir/c-link-out.json" && -e "$wdir/d-hard.json", 'watch leaves the links where they are');
is(sprintf('%04o', (stat("$wdir/quarantine/g-broken.json"))[2] & 07777), '0600',
    'watch: the quarantine copy keeps mode 0600');

done_testing();
