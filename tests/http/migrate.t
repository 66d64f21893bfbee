#!/usr/bin/env perl
# `meldung migrate` (src/store/copy.c), through the real binary: a store
# copied table by table into a new one serves the same pages, search
# hits and API answers as the original; a copy cut short goes on where
# it stopped; a target that holds other data is refused. With a
# PostgreSQL server (`make check PG=1`) the same round trip runs SQLite ->
# PostgreSQL -> SQLite.
#
# Needs: MELDUNG (default ./meldung), run from the repository root (demo/);
# the sqlite3 shell for the interrupted copy (skipped without it).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300);
my $sqlite3 = `command -v sqlite3 2>/dev/null`;
chomp $sqlite3;

my $a = "$tmp/a.db";
my $out = `$bin ingest --quiet --db $a demo 2>&1`;
is($?, 0, 'the demo is stored') or diag($out);
# an editor's decision and an account travel too
my $held = 0;
for my $id (1 .. 20) {
    `$bin article hold $id --reason 'Bildrechte klären' --db $a 2>&1`;
    if ($? == 0) { $held = $id; last }
}
ok($held, "an article is held ($held)");
# a newer version of another article: its first version's body moves into
# that version's row, the newer one's stands in the article row only
my $upd_id = $held == 1 ? 2 : 1;
my $upd_urn = store_sql($a, "SELECT urn FROM article WHERE id = $upd_id");
chomp $upd_urn;
open(my $uf, '>', "$tmp/update.json") or die "$tmp/update.json: $!";
print $uf qq({"urn": "$upd_urn", "version": 9, "entry_id": "migrate-update", "pubstatus": "usable",
 "version_created": "2030-01-01T10:00:00Z", "updated": "2030-01-01T10:00:00Z", "headline": "Neue Fassung",
 "article_html": "<section class=\\"main\\"><p>Die neue Fassung.</p></section>"});
close $uf;
$out = `$bin ingest --db $a $tmp/update.json 2>&1`;
like($out, qr/1 updated/, 'an article gets a newer version') or diag($out);

# The versions' bodies as stored (the shown version's: none, the article's).
sub versions {
    my ($db) = @_;
    return scalar store_sql($db, 'SELECT id, article_id, applied, hex(body_html) FROM version ORDER BY id');
}
my $versions = versions($a);
like($versions, qr/^\d+\|$upd_id\|1\|[0-9A-F]+\n(?:.*\n)*\d+\|$upd_id\|1\|\n/m,
     '... its first version keeps its body, the shown one none');

# What a reader and the API see of a store, page by page.
my @paths = ('/', '/ausland/', '/suche?q=Waffenruhe', '/suche?q=wirtschaft*',
             '/api/v1/articles?limit=50', '/sitemap.xml', '/feed.xml');
sub pages {
    my ($db) = @_;
    my ($srv, $url) = serve($bin, undef, '--db', $db);
    my %got;
    for my $p (@paths) {
        my $r = get($p);
        $got{$p} = "$r->{status} $r->{content}";
    }
    # every article page the API lists
    my $list = get('/api/v1/articles?limit=50')->{content};
    for my $u ($list =~ m{"url":"[^"]*?(/artikel/[^"]+)"}g) {
        my $r = get($u);
        $got{$u} = "$r->{status} $r->{content}";
    }
    stop($srv);
    # the servers' own addresses differ
    s{http://127\.0\.0\.1:\d+}{BASE}g for values %got;
    return \%got;
}

sub same_pages {
    my ($want, $got, $name) = @_;
    is_deeply([sort keys %$got], [sort keys %$want], "$name: the same pages");
    my @differ = grep { ($got->{$_} // '') ne $want->{$_} } sort keys %$want;
    is_deeply(\@differ, [], "$name: every page the same");
}

# A store as meldung kept it before migration 0021: the shown version's
# body copied into its row too. Opening it clears the copies (only them).
SKIP: {
    skip 'no sqlite3 shell', 2 unless $sqlite3;
    my $old = "$tmp/old.db";
    system($sqlite3, $a, ".backup $old") == 0 or diag('could not copy the store');
    system($sqlite3, $old, 'UPDATE version SET body_html = (SELECT body_html FROM article '
           . 'WHERE article.id = version.article_id) WHERE body_html IS NULL; PRAGMA user_version = 20') == 0
        or diag('could not make it old');
    isnt(versions($old), $versions, 'an older store keeps a copy of each shown body');
    $out = `$bin stats --db $old 2>&1`;
    is(versions($old), $versions, '... which opening it clears, the other bodies kept') or diag($out);
}

my $orig = pages($a);
ok(keys(%$orig) > @paths, 'the original serves article pages');

# SQLite -> SQLite
my $b = "$tmp/b.db";
$out = `$bin migrate --from $a --to sqlite:$b 2>&1`;
is($?, 0, 'copied') or diag($out);
like($out, qr/counts agree/, '... and counted on both sides');
same_pages($orig, pages($b), 'copy');
is(versions($b), $versions, '... every version\'s body the same');
$out = `$bin migrate --from $a --to $b 2>&1`;
like($out, qr/: 0 rows of \d+ tables copied/, 'again: nothing left to copy');

# A copy cut short: the newest versions, media and sessions of the
# target gone (as if the copy stopped between chunks) are copied again.
SKIP: {
    skip 'no sqlite3 shell', 3 unless $sqlite3;
    system($sqlite3, $b, 'DELETE FROM version WHERE id > 5; DELETE FROM story_term WHERE term IN '
           . '(SELECT term FROM story_term ORDER BY term DESC LIMIT 5)') == 0
        or diag('could not cut the copy');
    $out = `$bin migrate --from $a --to $b 2>&1`;
    is($?, 0, 'the cut copy goes on') or diag($out);
    like($out, qr/: [1-9]\d* rows of/, '... copying what was missing');
    same_pages($orig, pages($b), 'resumed copy');
}

# Refusals
my $c = "$tmp/c.db";
`$bin ingest --quiet --db $c demo/inland-1-buergeraemter.json 2>&1`;
$out = `$bin migrate --from $a --to $c 2>&1`;
isnt($?, 0, 'a store with other articles is refused');
like($out, qr/not empty \(\d+ articles\)/, '... saying so');
$out = `$bin migrate --from $a --to $a 2>&1`;
like($out, qr/cannot be copied into itself/, 'a store into itself is refused');
$out = `$bin migrate --from $tmp/none.db --to $tmp/new.db 2>&1`;
like($out, qr/none\.db: no store there/, 'a missing source is named');
ok(!-e "$tmp/new.db", '... and nothing is made');
$out = `$bin migrate --from $a 2>&1`;
is($? >> 8, 2, 'no --to: a usage error');

# SQLite -> PostgreSQL -> SQLite
SKIP: {
    my $pg = pg_db('migrate');
    skip 'no PostgreSQL server (make check PG=1)', 10 unless $pg;
    $out = `$bin migrate --from $a --to '$pg' 2>&1`;
    is($?, 0, 'copied to PostgreSQL') or diag($out);
    unlike($out, qr/password/, 'no password in the output');
    same_pages($orig, pages($pg), 'PostgreSQL');
    my $back = "$tmp/back.db";
    $out = `$bin migrate --from '$pg' --to $back 2>&1`;
    is($?, 0, 'copied back to SQLite') or diag($out);
    same_pages($orig, pages($back), 'round trip');
    is(versions($back), $versions, '... every version\'s body the same');
    # The copy's identity columns go on after the rows copied: new
    # versions (version.id) do not collide with the copied ones.
    $out = `$bin ingest --db '$pg' $FindBin::Bin/data/technik-ticker.xml 2>&1`;
    is($?, 0, 'the PostgreSQL copy stores new articles') or diag($out);
    like($out, qr/ingest: 1 files, [1-9]\d* new/, '... as new ones') or diag($out);
}

done_testing();
