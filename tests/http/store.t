#!/usr/bin/env perl
# End to end: the store under repetition, concurrency and bad dates, on the
# real binary.
#
# - Eight processes (`ingest` and `stats`) opening one new, empty store at
#   once all succeed: one migrates it, the others find it done.
# - 100 more ingests of an unchanged 50-item feed without guids
#   (tests/http/data/ohne-guid.xml) store nothing: every item is a
#   duplicate, the version table and the store's size stay as they were;
#   a changed item still makes a version.
# - An item dated more than [ingest] future_skew (default a day) after its
#   receipt is dated by first sight with a warning and counted, ingested or
#   pushed; delivered again it keeps that date. A version above
#   MLD_MAX_VERSION (INT64_MAX) is refused with a warning, so that its
#   correction can be stored.
# - 100 pushes of one digitalwires entry without entry_id: the first is
#   new, the others duplicates, the store does not grow; the same entry
#   under a new entry_id is a duplicate too, a correction an update.
#
# On SQLite or PostgreSQL (store_db: `make check PG=1`); the sizes are
# those of SQLite's file and checked there only.
#
# Needs: MELDUNG (path to the binary; default ./meldung), the sqlite3 shell
# (scripts/deps.sh) or psql, run from the repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode decode);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(600, utf8 => 1);
my $feed = "$FindBin::Bin/data/ohne-guid.xml";

sub run {
    my $out = `@_ 2>&1`;
    return (decode('UTF-8', $out), $? >> 8);
}

# One value from the store (its rows as lines), read with its shell.
sub sql {
    my ($db, $q) = @_;
    my $v = store_sql($db, $q);
    chomp $v;
    return $v;
}

# The store's size in bytes once its write-ahead log is checkpointed into
# it. A PostgreSQL database keeps dead rows until VACUUM and is no file:
# undef there (the row counts say what was stored).
sub store_size {
    my ($db) = @_;
    return undef if store_pg($db);
    sql($db, 'PRAGMA wal_checkpoint(TRUNCATE)');
    return -s $db;
}

# An empty store at a new name: an empty file is an empty SQLite database
# (stats refuses a path that does not exist); a PostgreSQL database is
# made empty by pg_db.
sub new_store {
    my ($name) = @_;
    my $db = store_db($tmp, $name);
    unless (store_pg($db)) {
        open(my $fh, '>', $db) or die "$db: $!";
        close($fh);
    }
    return $db;
}

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>:encoding(UTF-8)', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

# --- Concurrent first open ----------------------------------------------------
# Three rounds of four ingests and four stats started at once on a new,
# empty store (stats refuses a path that does not exist; an empty file is
# an empty database).
my $small = "$FindBin::Bin/data/technik-ticker.xml";
my $failed = 0;
for my $round (1 .. 3) {
    my $db = new_store("concurrent_$round");
    my %pids;
    for my $i (1 .. 8) {
        my @cmd = $i % 2 ? ($bin, 'ingest', '--db', $db, $small) : ($bin, 'stats', '--db', $db);
        my $pid = fork() // die "fork: $!";
        if ($pid == 0) {
            open(STDOUT, '>', "$tmp/concurrent-$round-$i.out") or die;
            open(STDERR, '>&', \*STDOUT) or die;
            exec(@cmd) or die "exec: $!";
        }
        $pids{$pid} = $i;
    }
    for my $pid (keys %pids) {
        waitpid($pid, 0);
        next if $? == 0;
        $failed++;
        diag("round $round, process $pids{$pid}: exit $?: "
            . slurp("$tmp/concurrent-$round-$pids{$pid}.out"));
    }
    is(sql($db, 'SELECT count(*) FROM article'), 4, "round $round: the store holds the feed once");
    is(sql($db, 'SELECT count(*) FROM version'), 4, "... one version per article");
}
is($failed, 0, 'eight processes opening one new store at once all succeed (3 rounds)');

# --- A feed without guids, polled again and again --------------------------------
my $db = store_db($tmp, 'feed');
my ($out, $rc) = run("$bin ingest --db $db $feed");
is($rc, 0, 'the feed without guids ingests') or diag($out);
like($out, qr/ingest: 1 files, 50 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 0 failed; 10 dated by first sight\n/,
    '... 50 new, 10 of them dated by first sight');
my $versions = sql($db, 'SELECT count(*) FROM version');
is($versions, 50, '... one version each');
my $size = store_size($db);

my $unchanged = 0;
for my $i (1 .. 100) {
    ($out, $rc) = run("$bin ingest --db $db $feed");
    $unchanged++ if $rc == 0 && $out =~ /ingest: 1 files, 0 new, 0 updated, 0 older versions kept, 50 duplicates skipped, 0 failed\n/;
}
is($unchanged, 100, '100 more ingests: every item a duplicate each time') or diag($out);
is(sql($db, 'SELECT count(*) FROM version'), $versions, '... the version table did not grow');
is(sql($db, 'SELECT count(*) FROM article'), 50, '... nor the articles');
SKIP: {
    skip 'the size of a SQLite file', 1 if store_pg($db);
    is(store_size($db), $size, "... nor the store ($size bytes)");
}

# A changed item is no duplicate: item 1 (identified by its link) with a
# later date is an update; item 30 (no link: title and date) with another
# text under the same date is kept in its history.
my $text = decode('UTF-8', slurp($feed));
$text =~ s{(<link>https://stadtticker\.example/meldung-1</link>\n<pubDate>Mon, 02 Feb 2026) 06:07:00}{$1 12:07:00}
    or die 'item 1 not found';
$text =~ s{(Die Arbeiten zu Meldung 30 sollen) bis zum Sommer dauern}{$1 schon im Mai enden}
    or die 'item 30 not found';
put("$tmp/changed.xml", $text);
($out, $rc) = run("$bin ingest --db $db $tmp/changed.xml");
like($out, qr/ingest: 1 files, 0 new, 1 updated, 1 older versions kept, 48 duplicates skipped, 0 failed\n/,
    'a changed feed: one update, one changed item kept in history, 48 duplicates') or diag($out);
is(sql($db, 'SELECT count(*) FROM version'), $versions + 2, '... two versions more');
like(join('|', split /\n/, sql($db, "SELECT teaser FROM version WHERE teaser LIKE '%Meldung 30 %' ORDER BY id")),
    qr/bis zum Sommer dauern.*\|.*schon im Mai enden/, '... the changed text of item 30 is kept');
($out, $rc) = run("$bin ingest --db $db $tmp/changed.xml");
like($out, qr/0 new, 0 updated, 0 older versions kept, 50 duplicates skipped/,
    '... and delivered again, it is all duplicates') or diag($out);

# --- Dates after now, absurd versions: ingest ----------------------------------
sub dw {
    my ($urn, $version, $created, $headline) = @_;
    return qq({"urn": "urn:newsml:dpa.com:20090101:$urn", "version": $version, )
        . qq("version_created": "$created", "pubstatus": "usable", "language": "de", )
        . qq("headline": "$headline", )
        . q("article_html": "<section class=\"main\"><p>Ein Text für den Test der Daten.</p></section>"});
}
my $year = (gmtime)[5] + 1900;
my $fdb = store_db($tmp, 'future');
put("$tmp/future.json", '{"entries": [' . dw('future-1', 1, '9999-12-31T23:00:00Z', 'Aus dem Jahr 9999')
    . ', ' . dw('future-2', '9223372036854775807', '2026-02-03T10:00:00Z', 'Version ohne Ende') . ']}');
($out, $rc) = run("$bin ingest --db $fdb $tmp/future.json");
is($rc, 0, 'a document with a year-9999 date and a version of INT64_MAX ingests') or diag($out);
like($out, qr/warning: \S*future\.json: entry 1 \(urn:newsml:dpa\.com:20090101:future-1\): dated 9999-12-31T23:00:00Z, more than 86400 s after its receipt: dated by first sight/,
    '... the future date: a warning naming source, entry and date');
like($out, qr/warning: \S*future\.json: entry 2 \(urn:newsml:dpa\.com:20090101:future-2\): refused: version 9223372036854775807 is not within 1 to 9007199254740991/,
    '... the absurd version: refused, naming source and entry');
like($out, qr/ingest: 1 files, 1 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 0 failed, 1 refused, 1 dated in the future; 1 dated by first sight\n/,
    '... both counted in the summary') or diag($out);
is((gmtime(sql($fdb, "SELECT published FROM article WHERE urn LIKE '%future-1'")))[5] + 1900,
    $year, '... the future item is published this year, not 9999');
($out, $rc) = run("$bin ingest --db $fdb $tmp/future.json");
like($out, qr/0 new, 0 updated, 0 older versions kept, 1 duplicates skipped, 0 failed, 1 refused, 1 dated in the future/,
    'delivered again: the future item keeps its date and is a duplicate') or diag($out);
put("$tmp/fix.json", dw('future-2', 2, '2026-02-03T11:00:00Z', 'Version zwei'));
($out, $rc) = run("$bin ingest --db $fdb $tmp/fix.json");
like($out, qr/1 new, 0 updated/, 'the article of the refused version comes with a sane version');
put("$tmp/fix.json", dw('future-2', 3, '2026-02-03T12:00:00Z', 'Version drei, berichtigt'));
($out, $rc) = run("$bin ingest --db $fdb $tmp/fix.json");
like($out, qr/0 new, 1 updated/, '... and a correction replaces it');

# The skew is configurable: 36 hours ahead is wrong by default, fine with 2d.
my @soon = gmtime(time + 36 * 3600);
my $soon = sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $soon[5] + 1900, $soon[4] + 1, @soon[3, 2, 1, 0]);
put("$tmp/soon.json", dw('soon-1', 1, $soon, 'Schon morgen'));
($out, $rc) = run("$bin ingest --db $fdb $tmp/soon.json");
like($out, qr/1 dated in the future/, "dated 36 hours ahead ($soon): in the future by default");
put("$tmp/skew.conf", "[ingest]\nfuture_skew = 2d\n");
put("$tmp/soon.json", dw('soon-2', 1, $soon, 'Schon morgen, mit Erlaubnis'));
($out, $rc) = run("$bin ingest --config $tmp/skew.conf --db $fdb $tmp/soon.json");
like($out, qr/1 new, 0 updated, 0 older versions kept, 0 duplicates skipped, 0 failed\n/,
    '... not with future_skew = 2d') or diag($out);
unlike($out, qr/dated in the future|warning/, '... no warning');
put("$tmp/skew.conf", "[ingest]\nfuture_skew = 40d\n");
($out, $rc) = run("$bin ingest --config $tmp/skew.conf --db $fdb $tmp/soon.json");
isnt($rc, 0, 'future_skew = 40d stops ingest');
like($out, qr/\Q$tmp\E\/skew\.conf:2: future_skew wants 0 to 2592000 seconds \(or with s, m, h, d\), got '40d'/,
    '... naming file, line and the allowed range');

# --- Push without entry_id, again and again -----------------------------------
my $tok = `$bin token`;
my ($token) = $tok =~ /\A([0-9a-f]{64})\n/;
(my $conf = $tok) =~ s/\A[^\n]*\n//;
put("$tmp/push.conf", $conf . "quarantine = $tmp/q\n");
my $pdb = new_store('push');
my ($srv) = serve($bin, 'serve with [push] prints its URL', '--db', $pdb, '--config', "$tmp/push.conf");

sub push_doc {
    my ($body) = @_;
    return request('POST', '/api/v1/push',
        headers => {Authorization => "Bearer $token", 'Content-Type' => 'application/json'},
        content => encode('UTF-8', $body));
}

sub dw_entry {
    my (%f) = @_;
    my $eid = defined $f{entry_id} ? qq("entry_id": "$f{entry_id}", ) : '';
    return qq({"urn": "urn:newsml:dpa.com:20090101:store-push-1", "version": $f{version}, )
        . qq("version_created": "2026-02-03T08:0$f{version}:00+01:00", )
        . qq("updated": "2026-02-03T07:0$f{version}:05Z", $eid"pubstatus": "usable", )
        . qq("language": "de", "headline": "$f{headline}", )
        . q("article_html": "<section class=\"main\"><p>Der Deich am Fluss hält, sagt das Amt.</p></section>"});
}

my $first = dw_entry(version => 1, headline => 'Deich hält dem Hochwasser stand');
# Absurd dates and versions, pushed: 202 with the count, 422 when nothing is left.
my $r = push_doc(dw_entry(version => 1, headline => 'Fahrplan für das Jahr 9999')
    =~ s/store-push-1/store-push-future/r =~ s/2026-02-03T08:01:00\+01:00/9999-12-31T23:00:00Z/r);
is($r->{status}, 202, 'a push dated 9999: 202') or diag($r->{content});
like($r->{content}, qr/"new": 1, .*"dated_by_first_sight": 1, "dated_in_the_future": 1\}/,
    '... counted as dated in the future, dated by first sight');
$r = push_doc(dw_entry(version => 1, headline => 'Unersetzlich')
    =~ s/store-push-1/store-push-max/r =~ s/"version": 1/"version": 9223372036854775807/r);
is($r->{status}, 422, 'a push of version INT64_MAX alone: 422') or diag($r->{content});
like($r->{content}, qr/refused: version 9223372036854775807 is not within 1 to 9007199254740991/,
    '... saying why');

$r = push_doc($first);
is($r->{status}, 202, 'a push without entry_id: 202') or diag($r->{content});
like($r->{content}, qr/"stored": 1, "new": 1/, '... new');
my $psize = store_size($pdb);
my $dups = 0;
for my $i (1 .. 100) {
    $r = push_doc($first);
    $dups++ if $r->{status} == 202 && $r->{content} =~ /"stored": 0, "new": 0, "updated": 0, "older": 0, "duplicates": 1/;
}
is($dups, 100, '100 more pushes of it: each a duplicate, nothing stored') or diag($r->{content});
is(sql($pdb, "SELECT count(*) FROM version JOIN article a ON a.id = article_id WHERE a.urn LIKE '%store-push-1'"),
    1, '... one version of it in the store');
SKIP: {
    skip 'the size of a SQLite file', 1 if store_pg($pdb);
    is(store_size($pdb), $psize, "... which did not grow ($psize bytes)");
}

$r = push_doc(dw_entry(version => 1, headline => 'Deich hält dem Hochwasser stand',
    entry_id => 'store-push-1-again'));
like($r->{content}, qr/"duplicates": 1/, 'the same entry under a new entry_id: a duplicate');
$r = push_doc(dw_entry(version => 2, headline => 'Deich hält, Pegel sinkt'));
like($r->{content}, qr/"stored": 1, "new": 0, "updated": 1/, 'a correction: an update')
    or diag($r->{content});
is(sql($pdb, "SELECT count(*) FROM version JOIN article a ON a.id = article_id WHERE a.urn LIKE '%store-push-1'"),
    2, '... a second version');
stop($srv);

done_testing();
