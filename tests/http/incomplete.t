#!/usr/bin/env perl
# End to end: a feed body that cannot be kept whole is never stored short
# without a word. Fixtures made here: RSS whose description nests 100
# <div>s (the sanitiser's limit is 64), a JSON Feed whose content_html
# does the same, an RSS item with a 12 MB content:encoded (over libxml2's
# own 10 MB text node limit and meldung's 4 MiB feed body limit), and one
# of 1 MB (over the old silent 256 KiB cut, under the limit). Through
# `meldung ingest`: the first three fail with file, entry and reason and
# are quarantined; with --keep-incomplete they are stored with a warning
# and counted; the 1 MB body is stored whole. `meldung poll` keeps a
# feed's broken item (stored incomplete, with a warning). Through POST /api/v1/push:
# 422 naming entry and reason, quarantined with mode 0600; an undated
# JSON Feed item is dated by first sight, its version never 1970.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use IO::Socket::INET;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(240);
my $json = JSON::PP->new->canonical;

sub put {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

sub esc {
    my ($s) = @_;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    return $s;
}

sub rss {
    my ($id, $title, $inner) = @_;
    return qq(<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" )
        . qq(xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>)
        . qq(<title>Testfeed</title><link>https://feed.example/</link><item>)
        . qq(<title>$title</title><link>https://feed.example/$id</link>)
        . qq(<guid>https://feed.example/$id</guid>)
        . qq(<pubDate>Mon, 07 Dec 2026 10:00:00 GMT</pubDate>$inner</item></channel></rss>\n);
}

my $deep = ('<div>' x 100) . 'ganz tief' . ('</div>' x 100);
my $big = '<p>' . ('Wort ' x (12 * 1024 * 1024 / 5)) . '</p>';
my $mega = '<p>' . ('Satz ' x (1024 * 1024 / 5)) . 'Ende des langen Textes.</p>';

mkdir "$tmp/in";
put("$tmp/in/deep.xml", rss('deep', 'Tief verschachtelt', '<description>' . esc($deep) . '</description>'));
put("$tmp/in/deep.json", $json->encode({
    version => 'https://jsonfeed.org/version/1.1', title => 'JF',
    items => [{ id => 'https://feed.example/jdeep', url => 'https://feed.example/jdeep',
                title => 'JSON tief', date_published => '2026-12-07T10:00:00Z',
                content_html => $deep }] }));
put("$tmp/in/big.xml", rss('big', 'Zwoelf Megabyte',
    '<description>kurz</description><content:encoded>' . esc($big) . '</content:encoded>'));
ok(-s "$tmp/in/big.xml" > 12 * 1024 * 1024, 'the big fixture holds a content element over 12 MB');

# Refused by default: one error line each, naming file, entry and reason.
my $db = store_db($tmp, 'a');
my $out = `$bin ingest --quiet --db $db --quarantine $tmp/q $tmp/in 2>&1`;
is($? >> 8, 1, 'ingest: exit status 1');
like($out, qr/ingest: 3 files, 0 new, .* 3 failed/, 'ingest: all three failed, nothing stored')
    or diag($out);
like($out, qr{error: \Q$tmp\E/in/deep\.xml: entry 1 \(https://feed\.example/deep\): incomplete: summary: HTML nested deeper than 64 elements},
    'deep RSS: file, entry, urn and reason');
like($out, qr{error: \Q$tmp\E/in/deep\.json: entry 1 \(https://feed\.example/jdeep\): incomplete: content: HTML nested deeper than 64},
    'deep JSON Feed: file, entry, urn and reason');
like($out, qr{error: \Q$tmp\E/in/big\.xml: entry 1 \(https://feed\.example/big\): incomplete: content: \d+ bytes, more than the limit of 4194304},
    'the 12 MB content: over meldung\'s limit, not libxml2\'s silent cut');
unlike($out, qr/huge text node/, 'libxml2 prints nothing of its own');
for my $f (qw(deep.xml deep.json big.xml)) {
    ok(-f "$tmp/q/$f" && -s "$tmp/q/$f" == -s "$tmp/in/$f", "$f quarantined whole");
    like(slurp("$tmp/q/$f.reason"), qr/^message: .*incomplete: /m, "... with the reason");
}
my $stats = `$bin stats --db $db 2>&1`;
like($stats, qr/^articles: 0 /m, 'nothing stored') or diag($stats);
like(slurp("$tmp/q/deep.json.reason"), qr/^code: MLD_E_DEPTH$/m, 'the reason file gives the depth code');
like(slurp("$tmp/q/big.xml.reason"), qr/^code: MLD_E_TOOBIG$/m, '... and the size code');

# --keep-incomplete: stored with a visible, counted warning.
my $kdb = store_db($tmp, 'k');
$out = `$bin ingest --quiet --keep-incomplete --db $kdb --quarantine $tmp/kq $tmp/in 2>&1`;
is($? >> 8, 0, '--keep-incomplete: exit status 0');
like($out, qr/ingest: 3 files, 3 new, .*0 failed, 3 stored incomplete/,
    '... three new, counted as stored incomplete') or diag($out);
my @warn = $out =~ /^$TS meldung: warning: [^\n]*: entry 1 \([^)]*\): stored incomplete: [^\n]+$/mg;
is(scalar @warn, 3, '... one warning line each, naming entry and reason');
ok(!-e "$tmp/kq", '... nothing quarantined');

# A body over the old 256 KiB cut but under the limit is stored whole.
mkdir "$tmp/mega";
put("$tmp/mega/mega.xml", rss('mega', 'Ein Megabyte', '<content:encoded>' . esc($mega) . '</content:encoded>'));
my $mdb = store_db($tmp, 'm');
$out = `$bin ingest --quiet --db $mdb $tmp/mega 2>&1`;
is($? >> 8, 0, 'a 1 MB body: stored') or diag($out);
my ($srv) = serve($bin, 'serve prints its URL', '--db', $mdb);
my $r = get('/api/v1/articles?limit=1');
my $id = eval { decode_json($r->{content})->{items}[0]{id} } // 0;
$r = get("/api/v1/articles/$id");
my $art = eval { decode_json($r->{content}) } // {};
like($art->{body_html} // '', qr/Ende des langen Textes\.<\/p>\s*\z/, '... whole, to its last sentence');
ok(length($art->{body_html} // '') > 1024 * 1024, '... all of its 1 MB');
stop($srv);

# poll: a feed cannot be resent, so its broken item is stored incomplete
# with a warning and the feed's other news are not kept out.
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 4,
                                   Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
my $port = $listen->sockport;
my $feed = rss('deep', 'Tief verschachtelt', '<description>' . esc($deep) . '</description>');
$feed =~ s{</channel>}{<item><title>Zweite Meldung</title><link>https://feed.example/ok</link><guid>https://feed.example/ok</guid><description>Alles gut.</description></item></channel>};
my $server = fork() // die "fork: $!";
if ($server == 0) {
    while (my $c = $listen->accept) {
        while (my $line = <$c>) { last if $line eq "\r\n" }
        print $c "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: "
            . length($feed) . "\r\nConnection: close\r\n\r\n$feed";
        close($c);
    }
    exit 0;
}
close($listen);
put("$tmp/poll.conf", "[source deep]\nurl = http://127.0.0.1:$port/feed.xml\n");
my $polldb = store_db($tmp, 'poll');
$out = `$bin poll --once --config $tmp/poll.conf --db $polldb 2>&1`;
my $poll_status = $? >> 8;
kill 'TERM', $server;
waitpid($server, 0);
is($poll_status, 0, 'poll: the feed with a broken item is no failure') or diag($out);
like($out, qr/poll: 1 of 1 sources polled, 1 changed, 0 unchanged, 0 failed, 2 articles stored/,
    '... both items stored') or diag($out);
like($out, qr/warning: [^\n]*entry 1 \(https:\/\/feed\.example\/deep\): stored incomplete: summary: HTML nested deeper than 64/,
    '... the broken one with a warning naming entry and reason');

# Push: 422 naming entry and reason; quarantined 0600.
my $tok = `$bin token`;
my ($token) = $tok =~ /\A([0-9a-f]{64})\n/;
(my $conf = $tok) =~ s/\A[^\n]*\n//;
put("$tmp/push.conf", $conf . "quarantine = $tmp/pq\n");
my $pdb = store_db($tmp, 'p');
put($pdb, '') unless store_pg($pdb);    # an empty file is an empty SQLite store
($srv) = serve($bin, 'serve with [push]', '--db', $pdb, '--config', "$tmp/push.conf");
sub push_doc {
    my ($body) = @_;
    return request('POST', '/api/v1/push', content => $body,
        headers => { 'Content-Type' => 'application/json', Authorization => "Bearer $token" });
}
$r = push_doc(slurp("$tmp/in/deep.json"));
is($r->{status}, 422, 'push of a deeply nested JSON Feed body: 422, not 202');
like($r->{content}, qr/"error": "push-[^"]*: entry 1 \(https:\/\/feed\.example\/jdeep\): incomplete: content: HTML nested deeper than 64/,
    '... naming entry and reason') or diag($r->{content});
my ($qname) = $r->{content} =~ /"error": "(push-[^":]+):/;
my $qfile = "$tmp/pq/" . ($qname // 'none');
ok(-f $qfile && -f "$qfile.reason", '... quarantined with its reason');
is(sprintf('%04o', (stat($qfile))[2] & 07777), '0600', '... readable by its owner only');

# The version first: the sniffer looks at the first bytes only.
my $bigjf = '{"version": "https://jsonfeed.org/version/1.1", "title": "JF", "items": ['
    . $json->encode({ id => 'https://feed.example/jbig', title => 'JSON gross',
                      date_published => '2026-12-07T10:00:00Z', content_html => $big }) . ']}';
$r = push_doc($bigjf);
is($r->{status}, 422, 'push of a 12 MB content_html: 422');
like($r->{content}, qr/entry 1 \(https:\/\/feed\.example\/jbig\): incomplete: content: \d+ bytes, more than the limit/,
    '... naming entry and reason');

# An undated item is dated by first sight; its version too, never 1970.
$r = push_doc($json->encode({ version => 'https://jsonfeed.org/version/1.1', title => 'JF',
    items => [{ id => 'https://feed.example/undated', title => 'Ohne Datum',
                content_html => '<p>Kein Datum weit und breit.</p>' }] }));
is($r->{status}, 202, 'an undated JSON Feed item: 202');
like($r->{content}, qr/"dated_by_first_sight": 1/, '... dated by first sight');
$r = get('/api/v1/articles?limit=5');
my $items = eval { decode_json($r->{content})->{items} } // [];
my ($item) = grep { $_->{headline} eq 'Ohne Datum' } @$items;
ok($item, 'it is listed');
$r = get('/api/v1/articles/' . ($item // {})->{id});
$art = eval { decode_json($r->{content}) } // {};
my ($year) = ($art->{published} // '') =~ /^(\d{4})-/;
ok(($year // 0) >= 2026, "published in this era ($art->{published})");
my @v = @{ $art->{versions} // [] };
is(scalar @v, 1, 'one version');
unlike(join(' ', map { ($_->{version_created} // '') . ' ' . ($_->{updated} // '') } @v),
    qr/1970/, '... and neither its date nor its update time says 1970');
stop($srv);

done_testing();
