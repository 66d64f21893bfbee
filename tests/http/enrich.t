#!/usr/bin/env perl
# End to end: the [enrich] section of the configuration in every command
# that stores articles. An operator's section rules given to `meldung
# ingest --config` go ahead of the built-in ones (the demo's Panorama item
# lands in "Vermischtes", the Inland item keeps its default section), the
# same rules reach articles pushed to `meldung serve --config`; a bad
# rules file or an unknown [enrich] key stops ingest, watch, poll and
# serve with the file, line and reason, before anything is stored.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(60, utf8 => 1);
my $db = store_db($tmp, 'enrich');

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

put("$tmp/sections.txt", "# our site calls Panorama Vermischtes\n"
    . "rubric:weblines.infoline_rs.panorama = Vermischtes\n");
my $token = `$bin token`;
my ($hash) = $token =~ /^token_sha256 = ([0-9a-f]{64})$/m;
my ($secret) = $token =~ /\A([0-9a-f]{64})\n/;
put("$tmp/good.conf", "[enrich]\nsections = $tmp/sections.txt\n\n[push]\ntoken_sha256 = $hash\n");

# ingest --config: the operator's rule wins, the defaults still apply.
my $out = `$bin ingest --config $tmp/good.conf --db $db demo/panorama-1-sturm-norden.json demo/inland-1-buergeraemter.json 2>&1`;
is($?, 0, 'ingest --config stores the files') or diag($out);
my ($srv) = serve($bin, 'serve --config prints its URL', '--db', $db, '--config', "$tmp/good.conf");
my $r = get('/ressort/vermischtes');
is($r->{status}, 200, "the operator's section has a page");
like(text_of($r->{content}), qr/Sturmtief legt Teile des Verkehrs im Norden lahm/,
    '... with the Panorama item in it');
is(get('/ressort/panorama')->{status}, 404, 'no Panorama section any more');
is(get('/ressort/inland')->{status}, 200, 'a default rule still applies');

# serve --config: pushed articles go through the same rules.
my $entry = encode('UTF-8',
    q({"urn": "urn:newsml:dpa.com:20090101:e2e-enrich-1", "version": 1, )
    . q("version_created": "2026-02-02T10:00:00+01:00", "entry_id": "e2e-enrich-1", )
    . q("headline": "Gepushte Meldung aus dem Panorama", )
    . q("article_html": "<section class=\"main\"><p>Text.</p></section>", )
    . q("categories": [{"type": "dnltype:rubric", "qcode": "dnlpath:weblines.infoline_rs.panorama"}]}));
$r = request('POST', '/api/v1/push', content => $entry,
    headers => { 'Content-Type' => 'application/json', Authorization => "Bearer $secret" });
is($r->{status}, 202, 'push accepted') or diag($r->{content});
ok(eventually(sub { text_of(get('/ressort/vermischtes')->{content}) =~ /Gepushte Meldung/ }),
    "a pushed article lands in the operator's section");
stop($srv);

# Bad files stop every command before it stores anything.
put("$tmp/bad.txt", "desk:pl = Politik\nweblines.infoline_rs.panorama = Vermischtes\n");
put("$tmp/bad.conf", "[enrich]\n\nsections = $tmp/bad.txt\n");
put("$tmp/typo.conf", "[enrich]\nsection = $tmp/sections.txt\n");
put("$tmp/missing.conf", "[enrich]\nsections = $tmp/nothing.txt\n");
my $fresh = store_db($tmp, 'fresh');
(my $fresh_fmt = $fresh) =~ s/%/%%/g;    # a URL's %2F in a sprintf format
my %cmd = (
    ingest => "$bin ingest --db $fresh_fmt --config %s demo/",
    watch  => "$bin watch --db $fresh_fmt --config %s $tmp",
    poll   => "$bin poll --db $fresh_fmt --once --config %s",
    serve  => "$bin serve --db $fresh_fmt --listen 127.0.0.1:0 --config %s",
);
for my $name (sort keys %cmd) {
    my $err = `@{[sprintf($cmd{$name}, "$tmp/bad.conf")]} 2>&1`;
    is($? >> 8, 1, "$name: a bad rules file fails");
    like($err, qr/\Q$tmp\E\/bad\.conf:3: sections: \Q$tmp\E\/bad\.txt:2: pattern "weblines\.infoline_rs\.panorama" has no scheme/,
        "$name: the message names both files, the lines and the reason");
}
my $err = `$bin ingest --db $fresh --config $tmp/typo.conf demo/ 2>&1`;
is($? >> 8, 1, 'an unknown [enrich] key fails');
like($err, qr/typo\.conf:2: \[enrich\]: unknown key "section"/, '... naming it and its line');
$err = `$bin ingest --db $fresh --config $tmp/missing.conf demo/ 2>&1`;
is($? >> 8, 1, 'a missing rules file fails');
like($err, qr/missing\.conf:2: sections: \Q$tmp\E\/nothing\.txt: /, '... naming it');
if (store_pg($fresh)) {
    is(store_sql($fresh, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") + 0, 0,
       'nothing was stored (the database has no table)');
} else {
    ok(!-e $fresh, 'nothing was stored');
}

done_testing();
