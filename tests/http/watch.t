#!/usr/bin/env perl
# End to end: `meldung watch DIR` with the real binary. A file already in
# the folder, a good file and a broken one written under .tmp names and
# renamed, a partial file that must wait; then done/, quarantine/, the
# folder's row in `meldung stats`, the section its --section gave the
# items, and the articles on the site.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(60);
my $db = store_db($tmp, 'watch');
my $dir = "$tmp/in";
mkdir $dir or die;

sub entry {
    my ($n) = @_;
    return qq({"urn": "urn:newsml:example.com:20250128:watch$n", "version": 1, )
         . qq("version_created": "2025-01-28T0$n:00:00Z", "headline": "Ablage Nummer $n"}\n);
}
sub put {
    my ($name, $text) = @_;
    open(my $fh, '>', "$dir/$name") or die "$name: $!";
    print $fh $text;
    close($fh);
}
sub drop {
    my ($name, $text) = @_;
    put("$name.tmp", $text);
    rename("$dir/$name.tmp", "$dir/$name") or die;
}
sub wait_for {
    my ($path) = @_;
    return eventually(sub { -e $path }, every => 0.01);
}

put('early.json', entry(1));
put('later.json.part', entry(2));

my $pid = open(my $w, '-|', $bin, 'watch', '--db', $db, '--section', 'Ablage', $dir)
    or die "watch: $!";
my $first = <$w>;
like($first // '', qr/^meldung: watching \Q$dir\E$/, 'watch says what it watches');

ok(wait_for("$dir/done/early.json"), 'a file there before the start is stored');
drop('good.json', entry(3));
ok(wait_for("$dir/done/good.json"), 'a file renamed into the folder is stored');
drop('bad.json', '{"urn": "urn:x", "headline": ');
ok(wait_for("$dir/quarantine/bad.json.reason"), 'a broken file is quarantined');
ok(-e "$dir/quarantine/bad.json", '... the file itself too');
# The original goes only after its quarantine copy and reason are written.
ok(eventually(sub { !-e "$dir/bad.json" && !-e "$dir/good.json" && !-e "$dir/early.json" },
        every => 0.01),
    'nothing left in the folder');
ok(-e "$dir/later.json.part", 'a .part file waits');
rename("$dir/later.json.part", "$dir/later.json") or die;
ok(wait_for("$dir/done/later.json"), '... and is stored once renamed');

kill 'TERM', $pid;
my @rest = <$w>;
close($w);
is($? >> 8, 0, 'watch stops cleanly on SIGTERM');

my $reason = slurp("$dir/quarantine/bad.json.reason");
like($reason, qr/^code: MLD_E_PARSE$/m, 'reason: the code');
like($reason, qr/^message: \Q$dir\E\/bad\.json: line 1, column \d+: /m, 'reason: file and position');

my $stats = `$bin stats --db $db`;
like($stats, qr{^drop:\Q$dir\E\s+-\s+3\s+\S+\s+\d{4}-\S+Z\s+-\s+0\s+\S+Z \Q$dir\E/bad\.json: line 1}m,
     'stats: the folder as a source: 3 items, no failure since, the last error') or diag($stats);
like($stats, qr/^\s+3\s+3  Ablage$/m, 'stats: the items are in the --section the folder was given')
    or diag($stats);

# The site shows what the folder brought.
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
my $r = admin_get($bin, $db, '/status'); # editors: admins only
like($r->{content}, qr{<th scope="row">drop:in<br><small>Ablageordner</small></th>},
     '/status lists the folder by its last name only');
like($r->{content}, qr{in/bad\.json: line 1}, '... with its last error');
unlike($r->{content}, qr{\Q$tmp\E}, '... but never its full path');
stop($srv);

done_testing();
