#!/usr/bin/env perl
# End to end: the site's own feeds (src/web/feed_out.c) read by real
# clients. The real meldung binary ingests the demo wire plus an article
# of awkward text in two versions, serves it on 127.0.0.1, and then
#
#   - python3-feedparser (tests/http/feeds_out.py) reads the RSS and Atom
#     feed of the home page, a section, a topic, a story and a search:
#     well-formed, bozo false, and each entry's title, link and dates are
#     those of the article page the entry links to; the JSON Feeds are
#     checked against the JSON Feed 1.1 rules by the same script
#     (feedparser 6.0 has no JSON Feed reader);
#   - newsboat, run headless with its own cache and config, lists every
#     item of the RSS and Atom feeds;
#   - meldung's own ingest reads each of its home feeds back into a fresh
#     store, whose feed has the same ids, headlines, links and dates;
#   - the feeds answer 304 to If-None-Match, come from the page cache,
#     and a withdrawn article leaves every feed after its re-ingest.
#
# A missing client skips its checks, unless CI=true: then it fails.
# Needs: MELDUNG (default ./meldung), run from the repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use HTTP::Tiny;
use JSON::PP;
use Time::Local qw(timegm);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(240, utf8 => 1);
my $ci = ($ENV{CI} // '') eq 'true';
my $base_url = 'https://feeds.example.test';
my $db = store_db($tmp, 'feeds');

# client_missing(NAME, WHY): a reader that is not installed. Skips the
# checks that need it (returns true), except under CI=true, where it is
# a failure.
sub client_missing {
    my ($name, $why) = @_;
    if ($ci) {
        fail("$name is required with CI=true: $why (scripts/deps.sh installs it)");
        return 1;
    }
    diag("skipping the $name checks: $why");
    return 1;
}

# write_file(PATH, TEXT): TEXT as UTF-8.
sub write_file {
    my ($path, $text) = @_;
    open(my $fh, '>:encoding(UTF-8)', $path) or die "$path: $!";
    print $fh $text;
    close $fh;
}

# An article of our own whose text has every character XML and HTML treat
# specially, an info box, a picture known only by its renditions, and a
# control character in the teaser; then a second version of it.
my $urn = 'urn:newsml:dpa.com:20090101:feeds-out-1';
sub awkward {
    my ($version, $created, $status) = @_;
    return <<"JSON";
{
  "format": "digitalwires\@0.9.1",
  "type": "composite",
  "entry_id": "feeds-out-1-v$version-$status",
  "urn": "$urn",
  "version": $version,
  "version_created": "$created",
  "updated": "$created",
  "pubstatus": "$status",
  "language": "de",
  "kicker": "Prüfstand",
  "headline": "Zeichen & <Marken>: \\"]]>\\" im Feed, Version $version",
  "teaser": "Kaufmanns-Und & spitze Klammern <b> bleiben Text.\\u0001 Ein Steuerzeichen fällt weg.",
  "byline": "Von Gerda Prüfer, dpa",
  "dateline": "Beispielstadt (dpa) - ",
  "article_html": "<section class=\\"main\\"><p>Beispielstadt (dpa) - Ein Absatz mit ]]&gt; und &amp; und &lt;b&gt; als Text.</p><p>Zweiter Absatz der Version $version.</p></section>",
  "infobox_html": "<p>Ein Kasten mit Hintergrund.</p>",
  "creditline": "dpa",
  "associations": [
    {
      "type": "image",
      "urn": "urn:newsml:dpa.com:20090101:feeds-out-1-img",
      "version": 1,
      "rank": 1,
      "is_featureimage": true,
      "caption": "Ein Bild mit & und <Klammern> in der Unterschrift.",
      "creditline": "Foto: Beispiel/dpa",
      "renditions": [
        {"width": 1600, "height": 900, "mimetype": "image/jpeg", "url": "https://img.example.invalid/pruefstand-1600.jpg"},
        {"width": 400, "height": 225, "mimetype": "image/jpeg", "url": "https://img.example.invalid/pruefstand-400.jpg"}
      ]
    }
  ],
  "categories": [
    {"type": "dnltype:geosubject", "name": "Beispielstadt", "qcode": "dpaarea:999", "rank": 1},
    {"type": "dnltype:rubric", "name": "weblines.infoline_rs.panorama", "qcode": "dnlpath:weblines.infoline_rs.panorama"}
  ]
}
JSON
}
write_file("$tmp/awkward-1.json", awkward(1, '2026-02-02T08:00:00Z', 'usable'));
write_file("$tmp/awkward-2.json", awkward(2, '2026-02-02T09:30:00Z', 'usable'));
# An item of another site's RSS feed, whose guid is no IRI: meldung's
# URN for it has a space, so the feeds give it a tag: id.
write_file("$tmp/quelle.xml", <<'RSS');
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Quellenblatt</title><link>https://quelle.example/</link>
<description>Ein Blatt, das meldung liest</description>
<item><title>Gemeinderat beschließt neuen Radweg</title><link>https://quelle.example/artikel-1</link>
<guid isPermaLink="false">eintrag 1</guid><pubDate>Sun, 01 Feb 2026 18:00:00 GMT</pubDate>
<description>Der Weg soll im Sommer fertig sein.</description></item>
</channel></rss>
RSS
my $tag_id = 'tag:feeds.example.test,2026:meldung/https://quelle.example/%23eintrag%201';
write_file("$tmp/site.conf", "[site]\nname = Feedblatt\nbase_url = $base_url\n");

my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);
$out = `$bin ingest --db $db $tmp/quelle.xml 2>&1`;
is($?, 0, 'an item of another site\'s feed ingests') or diag($out);
for my $v (1, 2) {
    $out = `$bin ingest --db $db $tmp/awkward-$v.json 2>&1`;
    is($?, 0, "awkward article version $v ingests") or diag($out);
}

my ($srv, $url) = serve($bin, 'serve prints its URL', '--db', $db, '--config', "$tmp/site.conf");

# URLs, formats, content types ---------------------------------------------

my %ctype = (
    'feed.xml' => 'application/rss+xml; charset=utf-8',
    'atom.xml' => 'application/atom+xml; charset=utf-8',
    'feed.json' => 'application/feed+json; charset=utf-8',
);
my $home = text_of(get('/')->{content});
my ($story) = $home =~ m{href="(/geschichte/\d+)"};
ok($story, 'the home page links a story of several articles') or BAIL_OUT('no story');
my @pages = ('', '/ressort/ausland', '/thema/ukraine', $story, '/suche');
my %query = ('/suche' => '?q=Waffenruhe');
my @feeds;
for my $page (@pages) {
    for my $file (sort keys %ctype) {
        my $path = "$page/$file" . ($query{$page} // '');
        my $r = get($path);
        is($r->{status}, 200, "$path answers 200");
        is($r->{headers}{'content-type'}, $ctype{$file}, "$path: $ctype{$file}");
        push @feeds, $path;
    }
}
for my $alias ('/rss.xml', '/feed', '/feed/', '/rss') {
    my $r = get($alias);
    is($r->{status}, 301, "$alias redirects");
    is($r->{headers}{location}, '/feed.xml', "... to /feed.xml");
}
is(get('/ressort/gibt-es-nicht/feed.xml')->{status}, 404, 'feed of an unknown section: 404');
is(get('/thema/gibt-es-nicht/atom.xml')->{status}, 404, 'feed of an unknown topic: 404');
is(get('/geschichte/999999/feed.json')->{status}, 404, 'feed of an unknown story: 404');
is(get('/suche/feed.xml')->{status}, 400, 'search feed without a query: 400');
is(get('/suche/feed.xml?von=kaputt&q=x')->{status}, 400, 'search feed with a bad date: 400');

# The page says which feeds belong to it.
my @links = $home =~ m{<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">}g;
is(scalar @links, 9, 'home page names three feeds');
is_deeply([@links[0, 2]], ['application/rss+xml', "$base_url/feed.xml"], '... RSS first, absolute');
my $sec = text_of(get('/ressort/ausland?seite=1')->{content});
like($sec,
    qr{<link rel="alternate" type="application/atom\+xml" title="Ausland – Feedblatt \(Atom\)" href="\Q$base_url\E/ressort/ausland/atom\.xml">},
    'a section page names its own Atom feed');
like($sec, qr{href="\Q$base_url\E/feed\.json">}, '... and the site\'s JSON Feed');
like(text_of(get('/suche?q=Waffenruhe&ressort=ausland')->{content}),
    qr{<link rel="alternate" type="application/rss\+xml" title="Suche: Waffenruhe – Feedblatt \(RSS\)" href="\Q$base_url\E/suche/feed\.xml\?q=Waffenruhe&amp;ressort=ausland">},
    'a search page names the feed of that search');
like(text_of(get($story)->{content}), qr{href="\Q$base_url$story\E/feed\.xml"}, 'a story page names its feed');

# What a reader sees: feedparser ---------------------------------------------

# The article page of a feed link: headline and dates as meldung shows them.
my %article;
sub article_of {
    my ($link) = @_;
    return $article{$link} if $article{$link};
    (my $path = $link) =~ s{^\Q$base_url\E}{};
    my $page = text_of(get($path)->{content});
    my ($h1) = $page =~ m{<h1>(.*?)</h1>}s;
    $h1 //= '';
    $h1 =~ s/&lt;/</g;
    $h1 =~ s/&gt;/>/g;
    $h1 =~ s/&quot;/"/g;
    $h1 =~ s/&#39;/'/g;
    $h1 =~ s/&amp;/&/g;
    my ($date) = $page =~ m{<p class="date">(.*?)</p>}s;
    my @times = ($date // '') =~ m{<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"}g;
    return $article{$link} = { path => $path, headline => $h1, published => iso($times[0]),
        updated => iso($times[1] // $times[0]) };
}

sub iso {
    my ($s) = @_;
    return undef unless defined $s && $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/;
    return timegm($6, $5, $4, $3, $2 - 1, $1);
}

my $python;
for my $p ('python3', '/usr/bin/python3') {
    system("$p -c 'import feedparser' >/dev/null 2>&1");
    if ($? == 0) { $python = $p; last }
}
my %read;
if (!$python) {
    client_missing('feedparser', 'no python3 with the feedparser module (python3-feedparser)');
} else {
    my $json = `$python $FindBin::Bin/feeds_out.py @{[map { "'$url$_'" } @feeds]}`;
    is($?, 0, 'feeds_out.py read every feed') or diag($json);
    %read = %{ JSON::PP->new->utf8->decode($json) };
    for my $path (@feeds) {
        my $f = $read{"$url$path"};
        my $items = scalar @{ $f->{entries} // [] };
        ok($items > 0, "$path: $items items");
        if ($path =~ /\.json/) {
            is_deeply($f->{errors}, [], "$path: a valid JSON Feed 1.1");
        } else {
            ok($f->{well_formed}, "$path: well-formed XML") or diag($f->{xml_error});
            ok(!$f->{bozo}, "$path: feedparser bozo false") or diag($f->{bozo_exception});
            is($f->{version}, $path =~ /atom/ ? 'atom10' : 'rss20', "$path: feedparser says $f->{version}");
        }
        # Each entry is the article its link shows: headline and dates.
        my ($bad, $order) = (0, 0);
        my $prev;
        for my $e (@{ $f->{entries} }) {
            my $a = article_of($e->{link});
            if (($e->{title} // '') ne $a->{headline}
                || ($e->{published} // -1) != ($a->{published} // -2)
                || ($e->{updated} // $e->{published} // -1) != ($a->{updated} // -2)) {
                diag("$path: $e->{link}: feed '$e->{title}' $e->{published}/"
                    . ($e->{updated} // '') . ", page '$a->{headline}' $a->{published}/$a->{updated}");
                $bad++;
            }
            $order++ if defined $prev && $prev < $e->{published};
            $prev = $e->{published};
        }
        is($bad, 0, "$path: titles, links and dates are the article pages'");
        is($order, 0, "$path: newest first") unless $path =~ /suche/;
    }
    # The home feeds, item by item.
    my %by = map { $_ => { map { $_->{id} => $_ } @{ $read{"$url/$_"}{entries} } } }
        qw(feed.xml atom.xml feed.json);
    for my $kind (qw(feed.xml atom.xml feed.json)) {
        my $e = $by{$kind}{$urn};
        ok($e, "$kind: the awkward article's id is its URN") or next;
        is($e->{title}, 'Zeichen & <Marken>: "]]>" im Feed, Version 2', "$kind: special characters survive in the title");
        like($e->{content} // '', qr{\]\]&gt; und &amp; und &lt;b&gt; als Text\.</p>.*<aside class="infobox"><p>Ein Kasten}s,
            "$kind: body and info box are the content, escaped once");
        unlike($e->{summary} // '', qr/\x01/, "$kind: the control character is gone");
        like($e->{summary} // '', qr/Steuerzeichen/, "$kind: the teaser is the summary");
        is_deeply([sort @{ $e->{tags} }], [sort 'Panorama', 'Beispielstadt'], "$kind: section and topic as categories");
        is($e->{author}, 'Gerda Prüfer, dpa', "$kind: the byline as author");
        is_deeply($e->{enclosures}, ['https://img.example.invalid/pruefstand-1600.jpg'], "$kind: the picture as enclosure");
        ok($e->{updated} > $e->{published}, "$kind: updated from the second version");
    }
    is_deeply($by{'feed.xml'}{$urn}{media},
        [{ url => 'https://img.example.invalid/pruefstand-1600.jpg', width => '1600', height => '900', medium => 'image' }],
        'RSS: media:content with width and height');
    is($by{'feed.json'}{$urn}{image}, 'https://img.example.invalid/pruefstand-1600.jpg', 'JSON Feed: image');
    my $panda = (grep { $_->{title} =~ /Roten Pandas/ } @{ $read{"$url/feed.xml"}{entries} })[0];
    is_deeply($panda->{enclosures}, ["$base_url/static/demo/roter-panda-1200.jpg"],
        'a picture on the site itself gets an absolute enclosure URL');
    my @ids = map { $_->{id} } @{ $read{"$url/atom.xml"}{entries} };
    is(scalar(grep { !/^(urn|tag|https?):/ } @ids), 0, 'every Atom id is an IRI');
    is(scalar @{ $read{"$url/feed.xml"}{entries} }, 17,
        'the home feed lists every visible article: 15 demo, 2 own');
    for my $kind (qw(feed.xml atom.xml feed.json)) {
        ok($by{$kind}{$tag_id}, "$kind: an article whose URN is no IRI has a tag: id");
    }
    is($by{'feed.json'}{$tag_id}{external_url}, 'https://quelle.example/artikel-1',
        'JSON Feed: the source\'s own page as external_url');
    my @story = @{ $read{"$url$story/feed.xml"}{entries} };
    ok(@story > 1, "the story feed lists each of its articles (" . scalar(@story) . ")");
    my ($sid) = $story =~ /(\d+)$/;
    my ($member) = grep { $_ != $sid } map { $_->{link} =~ /-(\d+)$/ } @story;
    my $r = get("/geschichte/$member/atom.xml");
    is($r->{status}, 301, 'the feed of a story id that is another story\'s article redirects');
    is($r->{headers}{location}, "$story/atom.xml", '... to that story\'s feed');
}

# What a reader sees: newsboat ----------------------------------------------

my $newsboat = `sh -c 'command -v newsboat' 2>/dev/null`;
chomp $newsboat;
if (!$newsboat) {
    client_missing('newsboat', 'newsboat is not installed');
} else {
    local $ENV{HOME} = $tmp; # newsboat writes nothing outside its files here
    write_file("$tmp/newsboat.conf", "auto-reload no\nshow-read-feeds yes\n");
    # One cache per feed: newsboat keeps one item per guid across feeds.
    for my $path (grep { !/\.json/ } @feeds) {
        (my $name = $path) =~ s/[^a-z0-9]+/-/g;
        my $cache = "$tmp/nb$name.db";
        write_file("$tmp/nb$name.urls", "$url$path\n");
        my $log = `newsboat -x reload -u $tmp/nb$name.urls -c $cache -C $tmp/newsboat.conf 2>&1`;
        is($?, 0, "newsboat reloads $path") or diag($log);
        my $unread = `newsboat -x print-unread -u $tmp/nb$name.urls -c $cache -C $tmp/newsboat.conf 2>&1`;
        my ($n) = $unread =~ /^(\d+) unread articles?/m;
        my $want = $python ? scalar @{ $read{"$url$path"}{entries} } : undef;
        ok(defined $n && $n > 0, "newsboat lists the items of $path: " . ($n // $unread));
        is($n, $want, "... as many as feedparser reads") if defined $want;
        my @titles = split /\n/, text_of(scalar `sqlite3 $cache 'SELECT title FROM rss_item ORDER BY pubDate DESC, id'`);
        if ($path eq '/feed.xml') {
            like($titles[0], qr/^Zeichen & <Marken>: "\]\]>" im Feed/, 'newsboat: the newest item first, its title whole');
        }
        if ($python && $path =~ m{^/(feed|atom)\.xml$}) {
            is_deeply([sort @titles], [sort map { $_->{title} } @{ $read{"$url$path"}{entries} }],
                "newsboat and feedparser read the same titles from $path");
        }
    }
}

# Cache, ETag and 304 --------------------------------------------------------

for my $path ('/feed.xml', '/ressort/ausland/atom.xml', "$story/feed.json") {
    my $r = get($path);
    my $etag = $r->{headers}{etag};
    ok($etag, "$path: ETag");
    ok($r->{headers}{'last-modified'}, "$path: Last-Modified");
    is(get($path, 'If-None-Match' => $etag)->{status}, 304, "$path: 304 with If-None-Match");
    is(get($path)->{headers}{etag}, $etag, "$path: the same bytes again (the cached page)");
}
my $gz = get('/feed.xml', 'Accept-Encoding' => 'gzip');
is($gz->{headers}{'content-encoding'}, 'gzip', 'a feed comes gzipped when asked');
like($gz->{headers}{vary} // '', qr/Accept-Encoding/i, '... with Vary: Accept-Encoding');
my $sr = get('/suche/feed.xml?q=Waffenruhe');
like($sr->{headers}{'cache-control'} // '', qr/max-age=60/, 'search feed: Cache-Control as the search page');

# The documents as they are now, for the round trip at the end.
my $http = HTTP::Tiny->new(timeout => 10);
my %orig = map { $_ => $http->get("$url/$_")->{content} } qw(feed.xml atom.xml feed.json);

# Served from the page cache: a change made behind the store's back (no
# change key logged) does not reach a cached feed, but does reach the
# search feed, which is rendered for every request.
SKIP: {
    skip 'no sqlite3 command to change the store behind the server\'s back', 3
        unless store_shell($db);
    my $feed = '/ressort/ausland/feed.xml';
    like(text_of(get($feed)->{content}), qr/Tagesordnung/, 'the Ausland feed has the reference article\'s text');
    # The teaser: the body and the text are the search index's (its triggers need
    # meldung's own functions), and the text is packed against the body.
    store_sql($db, "UPDATE article SET teaser = 'Die Hintertür bleibt offen.' "
        . "WHERE urn = 'urn:newsml:dpa.com:20090101:251020-99-000001'");
    like(text_of(get($feed)->{content}), qr/Tagesordnung/, 'a cached feed is served from the cache');
    like(text_of(get('/suche/feed.xml?q=Gipfeltreffen')->{content}), qr/Hintertür/,
        '... while the search feed is rendered afresh');
}

# A withdrawal leaves every feed ------------------------------------------------

my $etag = get('/feed.xml')->{headers}{etag};
my $topic_feed = '/thema/beispielstadt/feed.xml';
like(text_of(get($topic_feed)->{content}), qr/\Q$urn\E/, 'the topic feed has the awkward article');
write_file("$tmp/awkward-3.json", awkward(3, '2026-02-02T10:00:00Z', 'canceled'));
$out = `$bin ingest --db $db $tmp/awkward-3.json 2>&1`;
is($?, 0, 'the withdrawal ingests') or diag($out);
ok(eventually(sub { text_of(get('/feed.xml')->{content}) !~ /\Q$urn\E/ }), 'withdrawn: gone from the home RSS');
for my $path ('/atom.xml', '/feed.json', '/ressort/panorama/feed.xml', '/suche/feed.json?q=Zeichen') {
    unlike(text_of(get($path)->{content}), qr/\Q$urn\E/, "withdrawn: gone from $path");
}
is(get($topic_feed)->{status}, 404, 'the topic it alone carried has no feed any more');
is(get('/feed.xml', 'If-None-Match' => $etag)->{status}, 200, 'the old ETag no longer matches');
stop($srv);


# Round trip: meldung reads its own feeds back --------------------------------

for my $kind (qw(feed.xml atom.xml feed.json)) {
    my $file = "$tmp/roundtrip-$kind";
    open(my $fh, '>:raw', $file) or die;
    print $fh $orig{$kind};
    close $fh;
    my $fresh = store_db($tmp, "fresh-$kind");
    $out = `$bin ingest --db $fresh $file 2>&1`;
    is($?, 0, "$kind: meldung ingests its own feed") or diag($out);
    like($out, qr/ingest: 1 files, 17 new, .*0 failed/, "$kind: 17 new articles") or diag($out);
    my ($fsrv, $furl) = serve($bin, undef, '--db', $fresh);
    my $got = JSON::PP->new->utf8->decode($http->get("$furl/feed.json")->{content});
    stop($fsrv);
    my $src = JSON::PP->new->utf8->decode($orig{'feed.json'});
    my %src = map { $_->{id} => $_ } @{ $src->{items} };
    my %back = map { $_->{id} => $_ } @{ $got->{items} };
    is_deeply([sort keys %back], [sort keys %src], "$kind: the same ids (URNs) come back");
    # The date a format carries as its version date is the one read back:
    # RSS pubDate (first publication), Atom updated, JSON Feed date_modified.
    my $date = $kind eq 'feed.xml' ? 'date_published' : 'date_modified';
    my $bad = 0;
    for my $id (keys %src) {
        my ($s, $b) = ($src{$id}, $back{$id} // {});
        if ($kind eq 'feed.xml' && $id eq $urn) {
            TODO: {
                local $TODO = 'rss.c reads an RSS title with "<word>" in it as HTML (its '
                    . 'heuristic for titles), so the RSS round trip loses "<Marken>"';
                is($b->{title}, $s->{title}, 'RSS round trip: a title with "<" and ">"');
            }
            $b = {%$b, title => $s->{title}};
        }
        next if ($b->{title} // '') eq $s->{title}
            && ($b->{external_url} // '') eq $s->{url}
            && ($b->{date_published} // '') eq $s->{$date}
            && ($b->{summary} // '') eq ($s->{summary} // '');
        diag("$kind: $id: back '" . ($b->{title} // '') . "' " . ($b->{external_url} // '')
            . ' ' . ($b->{date_published} // '') . ", sent '$s->{title}' $s->{url} $s->{$date}");
        $bad++;
    }
    is($bad, 0, "$kind: same headlines, teasers, links (as the original link) and dates");
}

# Without base_url the request's host stands in ----------------------------------

my ($hsrv, $hurl) = serve($bin, undef, '--db', $db);
my $rss = text_of(get('/feed.xml')->{content});
like($rss, qr{<link>\Q$hurl\E/artikel/}, 'without [site] base_url, links use the request\'s Host');
like($rss, qr{<atom:link rel="self" type="application/rss\+xml" href="\Q$hurl\E/feed\.xml"/>}, '... the self link too');
stop($hsrv);

done_testing();
