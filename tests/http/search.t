#!/usr/bin/env perl
# End to end: search, stories and topic timelines on the real binary.
#
# Ingests the demo wire plus fixtures written here (a ferry article with
# markup characters in its text, and 25 articles of made-up words that
# share one keyword, for paging), serves them on 127.0.0.1 and checks the
# search page (/suche) and API (/api/v1/search): stems, compounds, umlaut
# spellings, <mark> snippets that stay escaped, filters, paging, the
# messages for empty and unsearchable queries, 400s for bad parameters,
# and a withdrawal ingested while serving. Then the story page of the two
# "Kreml stimmt ..." items, the topic page as a timeline by day, and a
# third Kreml item ingested while serving, which every cached page that
# shows the story must show.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(120, utf8 => 1);
my $db = store_db($tmp, 'search');
my $json = JSON::PP->new->utf8;

# A digitalwires entry: urn suffix, version, time (Berlin), headline,
# teaser, body paragraphs, rubric, geosubjects; pubstatus "canceled" for
# a withdrawal.
sub entry {
    my (%e) = @_;
    my @cats = ({ type => 'dnltype:rubric', name => $e{rubric},
                  qcode => "dnlpath:weblines.infoline_rs.$e{rubric}" });
    push @cats, map { { type => 'dnltype:geosubject', name => $_, qcode => "x:$_", rank => 1 } }
        @{ $e{geo} // [] };
    return {
        urn => "urn:newsml:dpa.com:20090101:search-$e{id}",
        version => $e{version} // 1,
        version_created => $e{at},
        updated => $e{at},
        entry_id => "search-$e{id}-" . ($e{version} // 1),
        pubstatus => $e{pubstatus} // 'usable',
        headline => $e{headline},
        teaser => $e{teaser},
        article_html => '<section class="main">'
            . join('', map { "<p>$_</p>" } @{ $e{body} // [] }) . '</section>',
        creditline => 'dpa',
        categories => \@cats,
    };
}

sub write_entry {
    my ($path, %e) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $json->encode(entry(%e));
    close $fh;
}

# A made-up word from syllables, different for each seed: no dictionary,
# stemmer or gazetteer knows it, so the fixtures share nothing but the
# word they are meant to share.
my @syl = qw(ka lo mi ne ru ta be do fi gu ho ja ke li mo nu pe ri so tu wa ze);
sub word {
    my ($seed) = @_;
    my $w = '';
    for (1 .. 3) {
        $w .= $syl[$seed % @syl];
        $seed = int($seed / @syl) + 7 * $_ + 3;
    }
    return ucfirst($w) . 'x';
}

mkdir "$tmp/wire";
write_entry("$tmp/wire/faehre.json", id => 'faehre', at => '2026-01-29T10:00:00+01:00',
    rubric => 'panorama', geo => ['Deutschland'],
    headline => 'Fährverbindung nach Helgoland wieder aufgenommen',
    teaser => 'Nach dem Sturm fahren die Schiffe wieder.',
    body => ['Die Reederei Müller &amp; Söhne &lt;Nordsee&gt; meldet den Neustart der Fährverbindung.',
             'Die Fahrgäste nahmen die Nachricht erleichtert auf.']);
for my $i (1 .. 25) {
    my @w = map { word($i * 1000 + $_) } 1 .. 30;
    write_entry(sprintf("$tmp/wire/fest-%02d.json", $i), id => "fest-$i",
        at => sprintf('2026-01-%02dT12:00:00+01:00', $i), rubric => 'panorama',
        headline => "@w[0 .. 3]",
        body => ["@w[4 .. 17] Leuchtturmfest @w[18 .. 29]."]);
}

my $out = `$bin ingest --db $db demo/ $tmp/wire 2>&1`;
is($?, 0, 'demo wire and fixtures ingest') or diag($out);
like($out, qr/41 new, .*, 1 held/, '15 demo articles and 26 fixtures are new, the demo advisory held');

my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
# A test that dies or bails out still stops the server, which would keep
# prove's pipe open.
my $stopped = 0;
END { local $?; stop($srv) if $srv && !$stopped }

# The API's hits for a query string (without "?"), with the response.
sub api {
    my ($qs) = @_;
    my $r = get("/api/v1/search?$qs");
    my $doc = eval { $json->decode($r->{content}) };
    return ($doc, $r);
}

sub headlines {
    my ($doc) = @_;
    return [map { $_->{headline} } @{ $doc->{hits} // [] }];
}

sub finds {
    my ($qs, $headline, $name) = @_;
    my ($doc) = api($qs);
    ok((grep { $_ eq $headline } @{ headlines($doc) }), $name)
        or diag("hits for $qs: @{ headlines($doc) }");
}

# Every page has the search box in its header.
like(text_of(get('/')->{content}), qr{<form class="site-search" action="/suche" method="get" role="search">},
    'the home page has the search box');

# Words: stems, compounds, umlaut spellings.
finds('q=Verhandlung', 'Luftalarm in vielen Regionen vor neuen Verhandlungen',
    'a stem finds its inflected form');
finds('q=Ukrainekrieg', 'Außenminister bereiten Gipfeltreffen in Genf vor',
    'the closed compound finds "Ukraine-Krieg"');
finds('q=Gespraeche', 'Unterhändler setzen Gespräche in Wien fort',
    '"ae" finds "ä"');
finds('q=F%C3%A4hrverbindung', 'Fährverbindung nach Helgoland wieder aufgenommen',
    'a word with an umlaut finds itself');
finds('q=Faehrverbindung', 'Fährverbindung nach Helgoland wieder aufgenommen',
    'and written with "ae"');

# The API's shape.
my ($doc, $r) = api('q=Waffenruhe');
is($r->{status}, 200, 'API answers 200');
like($r->{headers}{'content-type'}, qr{^application/json; charset=utf-8}, 'API answers JSON in UTF-8');
ok($doc, 'API body is JSON') or diag($r->{content});
is($doc->{query}, 'Waffenruhe', 'query is echoed');
ok(JSON::PP::is_bool($doc->{more}), 'more is a boolean');
ok(exists $doc->{next} && exists $doc->{suggestion}, 'next and suggestion are present');
ok(@{ $doc->{hits} } >= 2, 'several stories mention the Waffenruhe');
my @stories = map { $_->{story_id} } @{ $doc->{hits} };
my %seen;
is(scalar(grep { defined && !$seen{$_}++ } @stories), scalar @stories, 'one hit per story');
my @kreml = grep { $_ eq 'Moskau sagt befristete Waffenruhe für Energieanlagen zu' } @{ headlines($doc) };
ok(@kreml <= 1, 'the two Kreml items are one story: at most one hit');
my $h = $doc->{hits}[0];
like($h->{id}, qr/^\d+$/, 'hit id is a number');
like($h->{url}, qr{^/artikel/[a-z0-9-]+-$h->{id}$}, 'hit url is the article path');
like($h->{published}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'published is ISO 8601 UTC');
like($h->{snippet}, qr{<mark>[^<]+</mark>}, 'snippet marks the match');
ok(defined $h->{score} && $h->{score} =~ /^-?[\d.e+-]+$/i, 'score is a number');
is(ref $h->{topics}, 'ARRAY', 'topics is a list');
ok(!@{ $h->{topics} } || ($h->{topics}[0]{name} && $h->{topics}[0]{slug}), 'topics have name and slug');
ok(!defined $h->{section} || ($h->{section}{name} && $h->{section}{slug}), 'section has name and slug');
ok(exists $h->{kicker} && exists $h->{teaser} && exists $h->{headline}, 'text fields are present');

# Snippets: the wire's "&" and "<...>" text stays text.
($doc) = api('q=Reederei');
my ($ferry) = grep { $_->{headline} =~ /Helgoland/ } @{ $doc->{hits} // [] };
ok($ferry, 'the ferry article is found by a body word') or BAIL_OUT('no ferry hit');
like($ferry->{snippet}, qr{<mark>Reederei</mark>}, 'its snippet marks the word');
unlike($ferry->{snippet}, qr{<(?!/?mark>)}, 'no markup but <mark> in the snippet');
unlike($ferry->{snippet}, qr{&(?![a-z]+;|#\d+;)}, 'every & in the snippet is a reference');
$r = get('/suche?q=Reederei');
is($r->{status}, 200, 'search page answers 200');
my $page = text_of($r->{content});
like($page, qr{<p class="snippet">[^<]*<mark>Reederei</mark> Müller &amp; Söhne &lt;Nordsee&gt;},
    'the page shows the marked snippet, escaped');
like($page, qr{<input type="search" id="q" name="q" value="Reederei"}, 'the query box is prefilled');
like($page, qr{Treffer 1–\d+}, 'the page says which hits it shows');
like($page, qr{<a href="/artikel/faehrverbindung-nach-helgoland-wieder-aufgenommen-\d+">Fährverbindung},
    'the hit links its article');
unlike($page, qr{<form class="site-search"}, 'no second search box in the header of the search page');

# A form sends spaces as "+", and empty fields for open filters.
$r = get('/suche?q=Kreml+Waffenruhe&ressort=&thema=&von=&bis=');
is($r->{status}, 200, 'empty filter fields are no filters');
like(text_of($r->{content}), qr{value="Kreml Waffenruhe"}, '"+" in the query is a space');

# Filters.
my $sturm = sub { headlines((api($_[0]))[0]) };
my $both = $sturm->('q=Sturm');
ok((grep { /Sturmtief/ } @$both) && (grep { /Weltcup/ } @$both), 'Sturm: panorama and sport');
my $sport = $sturm->('q=Sturm&section=sport');
ok(@$sport && !(grep { !/Weltcup/ } @$sport), 'section=sport keeps the sport item only') or diag("@$sport");
my $fr = $sturm->('q=Sturm&topic=frankreich');
ok(@$fr && !(grep { !/Weltcup/ } @$fr), 'topic=frankreich keeps the French item only') or diag("@$fr");
my $day = $sturm->('q=Sturm&from=2026-01-30&to=2026-01-30');
ok((grep { /Sturmtief/ } @$day) && !(grep { /Weltcup/ } @$day), 'one day (Berlin) by from and to')
    or diag("@$day");
$day = $sturm->('q=Sturm&from=2026-01-31');
ok(!(grep { /Sturmtief/ } @$day) && (grep { /Weltcup/ } @$day), 'an open-ended range') or diag("@$day");
$page = text_of(get('/suche?q=Sturm&ressort=sport&von=2026-01-31&bis=2026-01-31')->{content});
like($page, qr{Weltcup-Abfahrt}, 'the page filters by ressort, von and bis');
unlike($page, qr{Sturmtief legt}, '... and leaves the rest out');
like($page, qr{<option value="sport" selected>}, 'the chosen section is selected');
like($page, qr{<input type="date" id="von" name="von" value="2026-01-31">}, 'the dates are kept');
$page = text_of(get('/suche?q=Waffenruhe')->{content});
my ($facet) = $page =~ m{<li><a href="(/suche\?q=Waffenruhe&amp;thema=[a-z-]+)">};
ok($facet, 'topics of the hits narrow the search') or diag($page);
$facet =~ s/&amp;/&/g if $facet;
like(text_of(get($facet // '/')->{content}), qr{Nur Thema <strong>}, 'a topic link filters by it');

# Paging: 25 made-up articles share one word.
($doc) = api('q=Leuchtturmfest&limit=10');
is(scalar @{ $doc->{hits} }, 10, 'limit=10: ten hits');
ok($doc->{more}, 'more after them');
like($doc->{next} // '', qr{^/api/v1/search\?q=Leuchtturmfest&limit=10&offset=10$}, 'next names the next offset');
my ($doc2) = api(($doc->{next} // '') =~ s{^/api/v1/search\?}{}r);
is(scalar @{ $doc2->{hits} }, 10, 'the next ten');
my %first = map { $_->{id} => 1 } @{ $doc->{hits} };
ok(!(grep { $first{$_->{id}} } @{ $doc2->{hits} }), 'no hit twice across pages');
($doc) = api('q=Leuchtturmfest&limit=10&offset=20');
is(scalar @{ $doc->{hits} }, 5, 'the last five');
ok(!$doc->{more}, 'more is false at the end');
ok(!defined $doc->{next}, 'next is null at the end');
$page = text_of(get('/suche?q=Leuchtturmfest')->{content});
like($page, qr{Treffer 1–20, weitere}, 'page 1 shows hits 1 to 20');
like($page, qr{<a href="/suche\?q=Leuchtturmfest&amp;seite=2" rel="next">}, 'page 1 links page 2');
unlike($page, qr{rel="prev"}, 'page 1 has no previous page');
my @hits = $page =~ /<article class="hit">/g;
is(scalar @hits, 20, '20 hits on page 1');
$page = text_of(get('/suche?q=Leuchtturmfest&seite=2')->{content});
like($page, qr{Treffer 21–25}, 'page 2 shows hits 21 to 25');
like($page, qr{<a href="/suche\?q=Leuchtturmfest" rel="prev">}, 'page 2 links page 1');
unlike($page, qr{rel="next"}, 'page 2 is the last');
like($page, qr{<ol class="hits" start="21">}, 'numbering goes on');

# Empty, unsearchable and fruitless queries.
for my $qs ('', '?q=', '?q=+++') {
    $r = get("/suche$qs");
    is($r->{status}, 200, "/suche$qs answers 200");
    like(text_of($r->{content}), qr{Bitte geben Sie einen Suchbegriff ein}, "/suche$qs asks for a query");
}
$r = get('/suche?q=%2C%2C%2C');
is($r->{status}, 200, 'a query without a word answers 200');
$page = text_of($r->{content});
like($page, qr{<p class="notice">[^<]+</p>}, '... with the reason');
unlike($page, qr{Treffer 1}, '... and no hits');
($doc, $r) = api('q=%2C%2C%2C');
is($r->{status}, 400, 'API: a query without a word is a 400');
ok($doc && length($doc->{error} // ''), '... with the reason') or diag($r->{content});
$page = text_of(get('/suche?q=Waffenruhr')->{content});
like($page, qr{Meinten Sie <a href="/suche\?q=Waffenruhe">Waffenruhe</a>\?}, 'a typo gets "Meinten Sie ...?"');
is((api('q=Waffenruhr'))[0]{suggestion}, 'Waffenruhe', 'and the API its suggestion');
$page = text_of(get('/suche?q=Quorxelbrunft')->{content});
like($page, qr{Keine Treffer für „Quorxelbrunft“}, 'no hits: says so');

# Bad parameters: 400 with a message, never a crash.
my @bad_page = (
    ['seite=0', qr/„seite“/], ['seite=99999', qr/„seite“/], ['seite=x', qr/„seite“/],
    ['von=2026-13-01', qr/„von“/], ['von=2026-02-30', qr/„von“/], ['bis=gestern', qr/„bis“/],
    ['von=2026-02-01&bis=2026-01-01', qr/Zeitraum ist leer/],
    ['ressort=Sport!', qr/„ressort“/], ['ressort=gibtsnicht', qr/Unbekanntes Ressort/],
    ['thema=gibtsnicht', qr/Unbekanntes Thema/],
    ['q=' . ('a' x 501), qr/zu lang/], ['q=%FF%FE', qr/UTF-8/],
);
for my $b (@bad_page) {
    my ($qs, $why) = @$b;
    $qs = "q=Sturm&$qs" unless $qs =~ /^q=/;
    $r = get("/suche?$qs");
    is($r->{status}, 400, "/suche $qs: 400");
    like(text_of($r->{content}), qr{<p class="notice error" role="alert">[^<]*$why}, "... saying why");
}
is(get('/suche?q=' . ('a' x 500))->{status}, 200, 'a query of the longest length is fine');
for my $qs ('limit=0', 'limit=101', 'offset=-1', 'offset=1001', 'from=2026-1-1', 'to=morgen',
            'section=gibtsnicht', 'q=' . ('a' x 501)) {
    ($doc, $r) = api($qs =~ /^q=/ ? $qs : "q=Sturm&$qs");
    is($r->{status}, 400, "API $qs: 400");
    ok($doc && length($doc->{error} // ''), "... with an error message") or diag($r->{content});
    like($r->{headers}{'content-type'} // '', qr{^application/json}, '... as JSON');
}
($doc, $r) = api('');
is($r->{status}, 400, 'API without q: 400');
like($doc->{error} // '', qr/„q“/, '... naming q');
($doc, $r) = api('q=Sturm&from=2026-01-31T00:00:00%2B01:00');
is($r->{status}, 200, 'API takes an ISO 8601 timestamp for from');

# A withdrawal ingested while serving leaves the results.
write_entry("$tmp/cancel.json", id => 'faehre', version => 2, pubstatus => 'canceled',
    at => '2026-01-29T11:00:00+01:00', rubric => 'panorama',
    headline => 'Fährverbindung nach Helgoland wieder aufgenommen');
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'the withdrawal ingests') or diag($out);
ok(eventually(sub { !(grep { /Helgoland/ } @{ headlines((api('q=Reederei'))[0]) }) }),
    'the withdrawn article leaves the API results');
unlike(text_of(get('/suche?q=Helgoland')->{content}), qr{<article class="hit">},
    'and the search page');

# The story of the two Kreml items.
$page = text_of(get('/thema/ukraine')->{content});
my ($kreml_entry) = $page =~ m{(>Moskau sagt befristete Waffenruhe für Energieanlagen zu</a>.*?</article>)}s;
my ($story_url, $size) = ($kreml_entry // '') =~ m{<p class="story"><a href="(/geschichte/\d+)">(\d+) Meldungen zu dieser Geschichte</a>};
ok($story_url && $size >= 2, 'the topic page links the Kreml story') or BAIL_OUT('no story link');
$r = get($story_url);
is($r->{status}, 200, 'story page answers 200');
$page = text_of($r->{content});
my @entries = $page =~ m{<h2><a href="/artikel/[^"]+">([^<]+)</a></h2>}g;
is(scalar @entries, $size, "it lists its $size articles");
is(scalar(grep { $_ eq 'Moskau sagt befristete Waffenruhe für Energieanlagen zu' } @entries), 2,
    'both Kreml items among them');
my @times = $page =~ m{<time datetime="([^"]+)">\d\d\.\d\d\.\d{4} - \d\d:\d\d:\d\d</time>}g;
is_deeply(\@times, [sort @times], 'oldest first');
like($page, qr{30\.01\.2026 - 13:45:00</time> · <a href="/ressort/ausland">Ausland</a>.*30\.01\.2026 - 13:51:00</time> · <a href="/ressort/boerse">Börse</a>}s,
    'each with time and section');
my @founders = $page =~ /Ausgangsmeldung der Geschichte/g;
is(scalar @founders, 1, 'one article started the story');
# Why each joined is for the operator ([site] show_story_reasons), not
# for readers; nor are article ids.
unlike($page, qr{Zugeordnet|<details class="reason">|#\d}, 'no join reasons or ids for readers');
my ($member) = $page =~ m{<h2><a href="(/artikel/[^"]+)">};
like(text_of(get($member)->{content}), qr{<a href="\Q$story_url\E">$size Meldungen zu dieser Geschichte</a>},
    'the article page links its story');
is(get('/geschichte/999999')->{status}, 404, 'unknown story: 404');
is(get('/geschichte/abc')->{status}, 404, 'story id that is no number: 404');
my ($story_id) = $story_url =~ /(\d+)$/;
my ($other_id) = grep { $_ != $story_id } $page =~ m{<li id="m(\d+)">}g;
$r = get("/geschichte/" . ($other_id // 0));
is($r->{status}, 301, 'a member id that is not the story id redirects');
is($r->{headers}{location}, $story_url, '... to the story');

# The topic page is a timeline by day, newest first.
$page = text_of(get('/thema/ukraine')->{content});
my @days = $page =~ m{<h2 id="tag-[\d-]+"><time datetime="[\d-]+">([^<]+)</time></h2>}g;
is_deeply([@days[0 .. 2]], ['Sonntag, 1. Februar 2026', 'Samstag, 31. Januar 2026', 'Freitag, 30. Januar 2026'],
    'day headings in German, newest first') or diag("@days");
is($days[-1], 'Montag, 20. Oktober 2025', 'the oldest day last');
my ($friday) = $page =~ m{Freitag, 30\. Januar 2026</time></h2>(.*?)</section>}s;
like($friday // '', qr{<time datetime="2026-01-30T12:51:00Z">13:51</time> · <span class="sections">Börse, Ausland</span>},
    'a story entry has its time and sections');
my @on_friday = ($friday // '') =~ />Moskau sagt befristete Waffenruhe für Energieanlagen zu</g;
is(scalar @on_friday, 1, 'the Kreml pair is one entry');

# A new member ingested while serving reaches every cached page that shows
# the story: the story page, a member's story link, a section list entry.
like(text_of(get('/ressort/boerse')->{content}), qr{<span class="sections">Börse, Ausland</span>},
    'the Boerse list shows the story with its two sections');
write_entry("$tmp/kreml-3.json", id => 'kreml-3', at => '2026-01-30T14:30:00+01:00',
    rubric => 'politik', geo => ['Russland'],
    headline => 'Moskau sagt befristete Waffenruhe für Energieanlagen zu',
    body => ['Moskau bestätigt die Zusage an Washington.']);
$out = `$bin ingest --db $db $tmp/kreml-3.json 2>&1`;
is($?, 0, 'a third Kreml item ingests') or diag($out);
my $grown = $size + 1;
ok(eventually(sub { my @e = text_of(get($story_url)->{content}) =~ m{<h2><a href="/artikel/}g; @e == $grown }),
    "the story page lists $grown articles");
ok(eventually(sub { text_of(get($member)->{content}) =~ m{>$grown Meldungen zu dieser Geschichte</a>} }),
    'the member\'s story link counts it');
ok(eventually(sub { text_of(get('/ressort/boerse')->{content}) =~ m{<span class="sections">[^<]*Politik} }),
    'the Boerse list entry shows the new section');

$stopped = 1;
is(stop($srv) >> 8, 0, 'serve stops cleanly');
done_testing();
