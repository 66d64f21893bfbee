#!/usr/bin/env perl
# End to end: every article gets a section. A feed item without
# categories is placed by the built-in word list (the classifier's
# prior), one the classifier cannot place lands in "Nachrichten"; a feed
# category spelled any way ("BOERSE") maps through the folded default
# rules. `meldung sections train` writes a model from a labelled archive,
# `eval` measures it, and [enrich] section_model makes ingest use it.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(decode);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(60, utf8 => 1);

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>:encoding(UTF-8)', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

sub item {
    my ($n, $title, $text, $cat) = @_;
    my $c = defined $cat ? "<category>$cat</category>" : '';
    return "<item><guid>urn:test:sections:$n</guid><title>$title</title>"
        . "<description>$text</description>$c"
        . "<pubDate>Mon, 02 Feb 2026 10:0$n:00 +0100</pubDate></item>\n";
}

put("$tmp/feed.xml", qq(<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>)
    . "<title>Test</title><link>https://example.invalid/</link><description>t</description>\n"
    . item(1, 'Zwei Tore in der Nachspielzeit',
        'Der Trainer lobte seine Mannschaft nach dem Sieg im Pokal, der Stürmer traf zweimal.')
    . item(2, 'Xyzzy', 'Quux plugh.')
    . item(3, 'Kurse ziehen an', 'Kurz notiert.', 'BOERSE')
    . "</channel></rss>\n");

my $db = store_db($tmp, 'a');
my $out = `$bin ingest --db $db $tmp/feed.xml 2>&1`;
is($?, 0, 'ingest stores the feed') or diag($out);
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
like(text_of(get('/ressort/sport')->{content}), qr/Zwei Tore in der Nachspielzeit/,
    'an item without categories: the classifier places it');
like(text_of(get('/ressort/nachrichten')->{content}), qr/Xyzzy/,
    'an item nothing places: the fallback section');
my $boerse = get('/ressort/boerse');
is($boerse->{status}, 200, 'a feed category in capitals maps through the folded rules');
like(text_of($boerse->{content}), qr/Kurse ziehen an/, '... to Börse');
like(text_of($boerse->{content}), qr/Börse/, 'the section name keeps its umlaut');

# The navigation is kept between renders (page.c, "kept_nav") and read
# again when the change log has news: a section that appears while the
# server runs is in the next page's navigation, in the site's order.
sub nav_of {
    my ($html) = @_;
    my ($nav) = $html =~ m{<nav aria-label="Ressorts">(.*?)</nav>}s;
    return join(' ', ($nav // '') =~ m{href="/ressort/([^"]+)"}g);
}
my $nav0 = nav_of(get('/ressort/sport')->{content});
is($nav0, 'boerse sport nachrichten', 'navigation in the site order (Börse before Sport)');
is(nav_of(get('/ressort/boerse')->{content}), $nav0, 'the next render: the same navigation');
put("$tmp/more.xml", qq(<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>)
    . "<title>Test</title><link>https://example.invalid/</link><description>t</description>\n"
    . item(4, 'Ein neues Ressort', 'Kurz.', 'Politik')
    . "</channel></rss>\n");
$out = `$bin ingest --db $db $tmp/more.xml 2>&1`;
is($?, 0, 'a second feed with a new section, ingested while the server runs') or diag($out);
ok(eventually(sub { nav_of(get('/gibt-es-nicht')->{content}) eq "politik $nav0" }),
    'a page rendered then (a 404 is never cached) shows the new section, first as in the site order')
    or diag(nav_of(get('/gibt-es-nicht')->{content}));
stop($srv);

# Training from an archive of my own (label, tab, text).
my @lines;
for my $i (1 .. 4) {
    push @lines, "Bühne\tDie Premiere im Theater $i: das Ensemble spielt, die Regisseurin verbeugt sich.";
    push @lines, "Sport\tDas Spiel $i endet mit einem Sieg, der Trainer lobt die Mannschaft.";
    push @lines, "Geld\tDie Aktie $i steigt, der Konzern meldet Gewinn und Umsatz.";
}
put("$tmp/archive.tsv", join("\n", @lines) . "\n");
$out = `$bin sections train --csv $tmp/archive.tsv --out $tmp/model.txt 2>&1`;
is($?, 0, 'sections train writes a model') or diag($out);
like($out, qr/learnt 12 articles in 3 sections/, '... and says what it learnt');
open(my $fh, '<:encoding(UTF-8)', "$tmp/model.txt") or die;
my $model = do { local $/; <$fh> };
like($model, qr/^meldung-section-model 1$/m, 'the model file has its first record');
like($model, qr/^weight\tBühne\t/m, 'weights per section');
# (Article i is in fold i % K: with three sections in turn, K = 3 would
# leave each fold's section out of its training.)
$out = decode('UTF-8', `$bin sections eval --csv $tmp/archive.tsv --folds 4 2>&1`);
is($?, 0, 'sections eval runs') or diag($out);
like($out, qr/accuracy: (\d+) of 12/, 'eval prints the accuracy');
my ($right) = $out =~ /accuracy: (\d+) of 12/;
ok(($right // 0) >= 9, 'and places most of them (' . ($right // 0) . ' of 12)');
like($out, qr/Bühne .*recall/s, '... and the confusion matrix');
$out = `$bin sections eval --csv $tmp/missing.tsv 2>&1`;
is($? >> 8, 1, 'a missing archive fails');
like($out, qr/missing\.tsv/, '... naming it');
`$bin sections frobnicate --csv $tmp/archive.tsv 2>&1`;
is($? >> 8, 2, 'an unknown subcommand is a usage error');
# Training from a store: only what a category mapping placed teaches.
$out = decode('UTF-8', `$bin sections train --db $db 2>&1`);
is($?, 0, 'a store with an agency-placed article trains') or diag($out);
like($out, qr/^bias\tBörse\t/m, '... a model that knows its section');
put("$tmp/plain.xml", qq(<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>)
    . "<title>Test</title><link>https://example.invalid/</link><description>t</description>\n"
    . item(1, 'Zwei Tore in der Nachspielzeit', 'Der Trainer lobte seine Mannschaft.')
    . "</channel></rss>\n");
my $plain = store_db($tmp, 'plain');
`$bin ingest --db $plain $tmp/plain.xml 2>&1`;
$out = `$bin sections train --db $plain 2>&1`;
is($? >> 8, 1, 'a store without agency-placed articles has nothing to learn');
like($out, qr/no labelled articles/, '... and says so');

# The model in use: the theatre item lands in the model's own section.
put("$tmp/model.conf", "[enrich]\nsection_model = $tmp/model.txt\n");
put("$tmp/feed2.xml", qq(<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>)
    . "<title>Test</title><link>https://example.invalid/</link><description>t</description>\n"
    . item(4, 'Applaus', 'Nach der Premiere im Theater feiert das Publikum das Ensemble.')
    . "</channel></rss>\n");
my $bdb = store_db($tmp, 'b');
$out = `$bin ingest --config $tmp/model.conf --db $bdb $tmp/feed2.xml 2>&1`;
is($?, 0, 'ingest with section_model') or diag($out);
($srv) = serve($bin, 'serve prints its URL', '--db', $bdb);
like(text_of(get('/ressort/buehne')->{content}), qr/Applaus/, "the model's section decides");
stop($srv);

put("$tmp/bad.conf", "[enrich]\nsection_model = $tmp/archive.tsv\n");
$out = `$bin ingest --config $tmp/bad.conf --db ${\ store_db($tmp, 'c')} $tmp/feed2.xml 2>&1`;
isnt($?, 0, 'a file that is no model stops ingest');
like($out, qr/bad\.conf:2: section_model: .*archive\.tsv:1: not a section model/,
    '... naming the configuration, the file and the line');

done_testing();
