#!/usr/bin/env perl
# End to end: `meldung ingest` over a folder tree, with its reader thread
# parsing ahead of the store. 300 files, each the next version of one
# article, must reach the store in the order named (1 new, 299 updated,
# none older: any reordering would keep versions as older), with the
# default batching and with --batch 1. Beside them: a broken file and one
# of no known format (failed, quarantined with the reason, the run goes
# on), a dot file (skipped), a missing path and a folder nested too deep
# (each one error line), and the exit status and summary that say so.
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

my ($bin, $tmp) = start(120);
my $json = JSON::PP->new->canonical;
my $N = 300;

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

mkdir "$tmp/wire";
for my $v (1 .. $N) {
    put(sprintf("$tmp/wire/%04d.json", $v), $json->encode({
        urn => 'urn:newsml:dpa.com:20090101:ingest-order',
        version => $v,
        version_created => sprintf('2026-01-30T%02d:%02d:00+01:00', int($v / 60), $v % 60),
        entry_id => "ingest-order-$v",
        pubstatus => 'usable',
        headline => "Fassung $v",
        article_html => "<section class=\"main\"><p>Text der Fassung $v.</p></section>",
    }));
}
put("$tmp/wire/zz-broken.json", '{"urn": "urn:x", "headline": ');
put("$tmp/wire/zz-other.xml", "<kein><wire/></kein>\n");
put("$tmp/wire/.hidden.json", 'not even JSON');
my $deep = "$tmp/wire/deep";
$deep .= "/d$_" for 1 .. 17;
system('mkdir', '-p', $deep) == 0 or die "mkdir $deep";
put("$deep/lost.json", '{}');

for my $run (['default batching'], ['--batch 1', '--batch', '1']) {
    my ($name, @opts) = @$run;
    my $db = store_db($tmp, 'ingest-' . ($opts[1] // 'n'));
    # A PostgreSQL store has no folder to keep quarantine/ beside: named.
    my $q = store_pg($db) ? "--quarantine $tmp/quarantine" : '';
    my $out = `$bin ingest --db $db $q @opts $tmp/wire $tmp/missing.json 2>&1`;
    is($? >> 8, 1, "$name: exit status 1 when anything failed");
    like($out, qr/ingest: 302 files, 1 new, 299 updated, 0 older versions kept, 0 duplicates skipped, 4 failed/,
        "$name: every version stored in order; 2 bad files and 2 bad paths failed") or diag($out);
    like($out, qr{zz-broken\.json: [^\n]*unexpected}, "$name: the broken file's reason");
    like($out, qr{zz-other\.xml: not a format meldung reads}, "$name: the unknown format's reason");
    like($out, qr{missing\.json: No such file or directory}, "$name: the missing path");
    like($out, qr{d15: folders nested deeper than 16, skipped}, "$name: the folder too deep");
    unlike($out, qr{hidden}, "$name: dot files are skipped");
    my @lines = grep { /error/ } split /\n/, $out;
    is(scalar @lines, 4, "$name: one error line each");
    ok(-f "$tmp/quarantine/zz-broken.json" || -f "$tmp/quarantine/zz-broken.json.1",
        "$name: the broken file is quarantined");

    my $search = `$bin search --db $db --json Fassung 2>&1`;
    my $hits = eval { decode_json($search) } // {};
    my @headlines = map { $_->{headline} } @{ $hits->{hits} // [] };
    is_deeply(\@headlines, ["Fassung $N"], "$name: the article holds its last version")
        or diag($search);
}
done_testing();
