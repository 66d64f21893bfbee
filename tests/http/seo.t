#!/usr/bin/env perl
# End to end: what search engines and social networks read, through the
# real binary. The demo wire (dated 2025 and January 2026) plus fresh
# items written here (for the 48 hours of the news sitemap): a picture,
# an English item, one from three days ago, one withdrawn, one under
# embargo and one whose headline tries to break out of the JSON-LD
# script element. Each document is checked against its published rules:
#
#   robots.txt      (RFC 9309): the groups, the Disallow lines, absolute
#                   Sitemap lines
#   sitemaps        (sitemaps.org 0.9): well-formed XML in the namespace,
#                   valid against a schema of the protocol (tests/http/seo/),
#                   <loc> absolute and at most 2,048 characters, <lastmod>
#                   a W3C datetime, at most 50,000 URLs per child and
#                   50,000 children, every visible article exactly once,
#                   in the child of its month; gzip and 304 like pages
#   news sitemap    (Google News): news:publication with name and
#                   language, news:publication_date, news:title; only the
#                   last 48 hours, at most 1,000 URLs
#   JSON-LD         parses as JSON; NewsArticle with Google's required and
#                   recommended properties, BreadcrumbList
#   OpenGraph, Twitter card, meta description, canonical, favicon
#
# Withdrawn, held and embargoed items are in no sitemap.
#
# Needs: MELDUNG (default ./meldung), XML::LibXML (Debian:
# libxml-libxml-perl, installed by scripts/deps.sh), sqlite3 (deps.sh),
# run from the repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(decode);
use IO::Socket::INET;
use IO::Uncompress::Gunzip qw(gunzip);
use JSON::PP;
use POSIX qw(strftime);
use Time::Local qw(timegm);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(180, utf8 => 1);
eval { require XML::LibXML; 1 }
    or plan skip_all => 'XML::LibXML missing (scripts/deps.sh installs libxml-libxml-perl)';
my $db = store_db($tmp, 'seo');
plan skip_all => 'no sqlite3 or psql command for the store (scripts/deps.sh installs it)'
    unless store_shell($db);
my $BASE = 'https://news.example.de';
my $SITE = 'Testblatt Nord';
my $W3C = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
my $SM = 'http://www.sitemaps.org/schemas/sitemap/0.9';
my $NEWS = 'http://www.google.com/schemas/sitemap-news/0.9';
my $json = JSON::PP->new->utf8;

my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);

# Fresh items, digitalwires JSON written here. Times relative to now.
my $now = time();
sub iso { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($_[0])) }
my $HOSTILE = 'Streit um </script><script>alert(1)</script> und <!-- Kommentare';
my %items = (
    picture => {
        ago => 3600, headline => 'Hochwasser erreicht den Hafen von Beispielstadt',
        byline => 'Von Erika Muster und Max Beispiel',
        picture => 1,
    },
    hostile => { ago => 7200, headline => $HOSTILE, byline => undef },
    english => { ago => 5 * 3600, headline => 'Harbour flood reaches the old town', lang => 'en' },
    older => { ago => 30 * 3600, headline => 'Deichbau beginnt im Frühjahr' },
    three_days => { ago => 72 * 3600, headline => 'Bürgerversammlung zum Deich vertagt' },
    withdrawn => { ago => 4 * 3600, headline => 'Falschmeldung über Hafensperrung' },
    embargo => { ago => -3600, headline => 'Sperrfrist: Hafenbericht kommt morgen', embargo => 1 },
);
mkdir "$tmp/fresh";
for my $key (sort keys %items) {
    my $it = $items{$key};
    my $t = $now - $it->{ago};
    my %doc = (
        format => 'digitalwires@0.9.1', type => 'text', entry_id => "seo-t-$key-1",
        urn => "urn:newsml:dpa.com:20090101:seo-t-$key", version => 1,
        version_created => iso($it->{embargo} ? $now - 60 : $t),
        updated => iso($it->{embargo} ? $now - 60 : $t),
        pubstatus => 'usable', language => $it->{lang} // 'de', urgency => 3,
        headline => $it->{headline},
        teaser => "Kurzfassung zu $key: Das Wasser steigt, die Stadt reagiert.",
        article_html => "<section class=\"main\"><p>Text zu $key, eigens für diesen Test geschrieben.</p></section>",
        creditline => 'dpa',
        categories => [
            { type => 'dnltype:rubric', name => 'panorama', qcode => 'dnlpath:weblines.infoline_rs.panorama' },
            { type => 'dnltype:geosubject', name => 'Beispielstadt', qcode => 'dpacity:9001', rank => 1 },
            { type => 'dnltype:geosubject', name => 'Nordsee', qcode => 'dpageo:9002', rank => 2 },
        ],
    );
    $doc{byline} = $it->{byline} if exists $it->{byline} && defined $it->{byline};
    $doc{embargoed} = iso($now + 3600) if $it->{embargo};
    if ($it->{picture}) {
        $doc{associations} = [{
            type => 'image', urn => 'urn:newsml:dpa.com:20090101:seo-t-img', version => 1, rank => 1,
            is_featureimage => JSON::PP::true, caption => 'Der Hafen unter Wasser.',
            creditline => 'Erika Muster/dpa',
            renditions => [
                { width => 1200, height => 800, mimetype => 'image/jpeg', url => '/static/demo/roter-panda-1200.jpg' },
                { width => 600, height => 400, mimetype => 'image/jpeg', url => '/static/demo/roter-panda-600.jpg' },
            ],
        }];
    }
    open(my $f, '>', "$tmp/fresh/$key.json") or die;
    print $f $json->encode(\%doc);
    close $f;
}
$out = `$bin ingest --db $db $tmp/fresh 2>&1`;
is($?, 0, 'fresh items ingest') or diag($out);
open(my $f, '>', "$tmp/cancel.json") or die;
print $f $json->encode({
    urn => 'urn:newsml:dpa.com:20090101:seo-t-withdrawn', version => 2,
    version_created => iso($now - 3000), updated => iso($now - 3000),
    entry_id => 'seo-t-withdrawn-2', pubstatus => 'canceled',
    headline => $items{withdrawn}{headline},
});
close $f;
$out = `$bin ingest --db $db $tmp/cancel.json 2>&1`;
is($?, 0, 'the withdrawal ingests') or diag($out);

# What the store holds, to compare the documents with.
sub sql { my ($q) = @_; my @r = store_sql($db, $q); chomp @r; return @r }
my %visible = map { my ($id, $slug, $t) = split /\|/; ($id => { slug => $slug, month => strftime('%Y-%m', gmtime($t)) }) }
    sql("SELECT id, slug, published FROM article "
        . "WHERE pubstatus = 0 AND visible_from <= $now");
my %hidden = map { my ($id, $slug, $st) = split /\|/; ($id => { slug => $slug, status => $st }) }
    sql("SELECT id, slug, pubstatus FROM article WHERE pubstatus != 0 OR visible_from > $now");
my %by_urn = map { my ($u, $id, $slug) = split /\|/; ($u => "/artikel/$slug-$id") }
    sql("SELECT urn, id, slug FROM article");
sub path_of { $by_urn{"urn:newsml:dpa.com:20090101:seo-t-$_[0]"} }
ok(keys(%visible) >= 20, scalar(keys %visible) . ' visible articles');
ok((grep { $_->{status} == 3 } values %hidden), 'a held item (the demo advisory) is stored');
ok((grep { $_->{status} == 2 } values %hidden), 'a withdrawn item is stored');
ok(path_of('embargo') && exists $hidden{(path_of('embargo') =~ /-(\d+)$/)[0]}, 'the embargoed item is not visible yet');

open($f, '>', "$tmp/site.conf") or die;
print $f "[site]\nname = $SITE\nbase_url = $BASE/\n";
close $f;
my ($srv, $url) = serve($bin, 'serve with base_url', '--db', $db, '--config', "$tmp/site.conf");

# robots.txt ------------------------------------------------------------
my $r = get('/robots.txt');
is($r->{status}, 200, 'robots.txt answers 200');
like($r->{headers}{'content-type'}, qr{^text/plain}, '... as text/plain');
my @lines = grep { !/^\s*(#|$)/ } split /\r?\n/, $r->{content};
is($lines[0], 'User-agent: *', 'one group for every crawler');
ok((grep { $_ eq 'Disallow: /suche' } @lines), 'search pages disallowed');
ok((grep { $_ eq 'Disallow: /api/' } @lines), 'the API (search API included) disallowed');
ok((grep { $_ eq "Sitemap: $BASE/sitemap.xml" } @lines), 'the sitemap index, absolute');
ok((grep { $_ eq "Sitemap: $BASE/sitemap-news.xml" } @lines), 'the news sitemap, absolute');
is(scalar(grep { !/^(User-agent|Allow|Disallow|Sitemap): \S+$/ } @lines), 0, 'every line a known field');

# The sitemap index and its children ---------------------------------------
my $parser = XML::LibXML->new(no_network => 1, load_ext_dtd => 0);
# The protocol's rules as an XML schema of our own (tests/http/seo/): the
# elements, their order and counts, URL length, date formats, and the
# news extension.
my $schema = XML::LibXML::Schema->new(location => "$FindBin::Bin/seo/sitemap.xsd");
sub xml_of {
    my ($path, $what) = @_;
    my $res = get($path);
    is($res->{status}, 200, "$what answers 200") or return;
    like($res->{headers}{'content-type'} // '', qr{^application/xml}, "$what is XML");
    my $doc = eval { $parser->parse_string($res->{content}) };
    ok($doc, "$what is well-formed") or diag($@);
    return unless $doc;
    ok(eval { $schema->validate($doc); 1 }, "$what is valid against the sitemap schema") or diag($@);
    return $doc;
}
sub xpc {
    my $x = XML::LibXML::XPathContext->new($_[0]);
    $x->registerNs(s => $SM);
    $x->registerNs(n => $NEWS);
    return $x;
}
sub loc_ok {
    my ($loc) = @_;
    return $loc =~ m{^\Q$BASE\E/} && length($loc) <= 2048 && $loc !~ /[\s<>"]/;
}

my $index = xml_of('/sitemap.xml', 'sitemap index') or BAIL_OUT('no sitemap index');
my $x = xpc($index);
is($index->documentElement->namespaceURI, $SM, 'index root in the sitemap namespace');
is($index->documentElement->localName, 'sitemapindex', 'root is sitemapindex');
my @children = $x->findnodes('/s:sitemapindex/s:sitemap');
ok(@children >= 3 && @children <= 50000, scalar(@children) . ' child sitemaps');
is($x->findnodes('/s:sitemapindex/*[not(self::s:sitemap)]')->size, 0, 'nothing but <sitemap> in the index');
my (@child_locs, $bad_index);
for my $c (@children) {
    my @loc = $x->findnodes('s:loc', $c);
    my @lm = $x->findnodes('s:lastmod', $c);
    $bad_index .= $c->toString . "\n" unless @loc == 1 && loc_ok($loc[0]->textContent)
        && @lm <= 1 && (!@lm || $lm[0]->textContent =~ $W3C);
    push @child_locs, $loc[0]->textContent if @loc;
}
ok(!$bad_index, 'each <sitemap>: one absolute <loc>, at most one W3C <lastmod>') or diag($bad_index);
my @months = map { m{/sitemaps/(\d{4}-\d\d)(?:-\d+)?\.xml$} ? $1 : () } @child_locs;
my %want_months = map { $_->{month} => 1 } values %visible;
is(join(' ', sort(uniq(@months))), join(' ', sort keys %want_months), 'one child per month with visible articles');
ok((grep { m{/sitemaps/ressorts\.xml$} } @child_locs), 'the section pages have a child');
sub uniq { my %s; grep { !$s{$_}++ } @_ }

my (%listed, $bad_url, $total, %in_month);
for my $loc (@child_locs) {
    (my $path = $loc) =~ s{^\Q$BASE\E}{};
    my $doc = xml_of($path, "child $path") or next;
    my $cx = xpc($doc);
    is($doc->documentElement->localName . ' ' . $doc->documentElement->namespaceURI, "urlset $SM",
        "$path: urlset in the sitemap namespace");
    my @urls = $cx->findnodes('/s:urlset/s:url');
    ok(@urls >= 1 && @urls <= 50000, "$path: " . scalar(@urls) . ' URLs (1 to 50,000)');
    my ($month) = $path =~ m{(\d{4}-\d\d)};
    for my $u (@urls) {
        my @loc = $cx->findnodes('s:loc', $u);
        my @lm = $cx->findnodes('s:lastmod', $u);
        if (@loc != 1 || !loc_ok($loc[0]->textContent) || @lm > 1 || (@lm && $lm[0]->textContent !~ $W3C)) {
            $bad_url .= $u->toString . "\n";
            next;
        }
        my $l = $loc[0]->textContent;
        $listed{$l}++;
        next unless $month;
        $total++;
        $bad_url .= "no lastmod: $l\n" unless @lm;
        my ($id) = $l =~ m{/artikel/[a-z0-9-]+-(\d+)$};
        $bad_url .= "not an article: $l\n" unless $id;
        $in_month{$id} = $month if $id;
    }
}
ok(!$bad_url, 'each <url>: one absolute <loc>, one W3C <lastmod>') or diag($bad_url);
is($total, scalar(keys %visible), 'the monthly children list every visible article');
is(scalar(grep { $_ > 1 } values %listed), 0, 'no URL twice');
my @wrong = grep { !$visible{$_} || $visible{$_}{month} ne $in_month{$_} } keys %in_month;
is("@wrong", '', 'each article in the child of its publication month');
my @missing = grep { !$listed{"$BASE/artikel/$visible{$_}{slug}-$_"} } keys %visible;
is("@missing", '', 'every visible article at its canonical URL');
my @leaked = grep { $listed{"$BASE/artikel/$hidden{$_}{slug}-$_"} } keys %hidden;
is("@leaked", '', 'no held, withdrawn or embargoed article in any sitemap');
ok($listed{"$BASE/"} && $listed{"$BASE/ressort/panorama"}, 'home and section pages listed');
my $sample = (sort keys %listed)[0];
(my $sample_path = $sample) =~ s{^\Q$BASE\E}{};
is(get($sample_path)->{status}, 200, "a listed URL answers 200 ($sample_path)");
is(get('/sitemaps/1999-01.xml')->{status}, 404, 'a month without articles: 404');
is(get('/sitemaps/2026-01-2.xml')->{status}, 404, 'a part beyond the month: 404');
is(get('/sitemaps/2026-13.xml')->{status}, 404, 'no month 13');
is(get('/sitemaps/2026-01-1.xml')->{content}, get('/sitemaps/2026-01.xml')->{content},
    'YYYY-MM-1.xml is the month\'s first part');

# Served like pages: gzip, ETag, 304.
$r = get('/sitemap.xml');
my $g = get('/sitemap.xml', 'Accept-Encoding' => 'gzip');
is($g->{headers}{'content-encoding'}, 'gzip', 'the index is sent gzip-compressed when asked');
my $plain;
gunzip(\$g->{content} => \$plain);
is($plain, $r->{content}, '... and decodes to the same document');
is(get('/sitemap.xml', 'If-None-Match' => $r->{headers}{etag})->{status}, 304, 'If-None-Match: 304');
ok($r->{headers}{'last-modified'}, 'Last-Modified from the newest lastmod');

# The news sitemap -------------------------------------------------------------
my $news = xml_of('/sitemap-news.xml', 'news sitemap');
my $nx = xpc($news);
my @nurls = $nx->findnodes('/s:urlset/s:url');
ok(@nurls >= 1 && @nurls <= 1000, scalar(@nurls) . ' news URLs (1 to 1,000)');
my (%news, $bad_news);
for my $u (@nurls) {
    my $loc = $nx->findvalue('s:loc', $u);
    my @n = $nx->findnodes('n:news', $u);
    my $ok = @n == 1 && loc_ok($loc);
    if ($ok) {
        my $n = $n[0];
        my ($name, $lang) = ($nx->findvalue('n:publication/n:name', $n), $nx->findvalue('n:publication/n:language', $n));
        my ($date, $title) = ($nx->findvalue('n:publication_date', $n), $nx->findvalue('n:title', $n));
        $ok = $name eq $SITE && $lang =~ /^(?:[a-z]{2,3}|zh-cn|zh-tw)$/ && $date =~ $W3C && length $title
            && $nx->findnodes('n:publication', $n)->size == 1;
        my ($y, $mo, $d, $h, $mi, $s) = $date =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z$/;
        my $t = defined $s ? timegm($s, $mi, $h, $d, $mo - 1, $y) : 0;
        $ok &&= $t >= $now - 48 * 3600 - 5 && $t <= time() + 5;
        $news{substr($loc, length $BASE)} = { lang => $lang, title => $title };
    }
    $bad_news .= $u->toString . "\n" unless $ok;
}
ok(!$bad_news, 'each news URL: loc, publication name and language, W3C date in the last 48 h, title')
    or diag($bad_news);
my @fresh = qw(picture hostile english older);
is(join(' ', sort grep { $news{ path_of($_) } } @fresh), join(' ', sort @fresh), 'the fresh items are in it');
ok(!$news{ path_of('three_days') }, 'an item of three days ago is not');
ok(!$news{ path_of('withdrawn') }, 'a withdrawn item is not');
ok(!$news{ path_of('embargo') }, 'an embargoed item is not');
is(scalar(grep { my $p = $_; !grep { path_of($_) eq $p } @fresh } keys %news), 0,
    'nothing older than 48 hours (the demo items)');
is($news{ path_of('english') }{lang}, 'en', 'an English item has news:language en');
is($news{ path_of('picture') }{lang}, 'de', 'a German one de');
is($news{ path_of('hostile') }{title}, $HOSTILE, 'news:title is the headline, escaped as XML');

# Article pages: JSON-LD, OpenGraph, Twitter, description ----------------------
sub page_of { my $res = get($_[0]); return ($res->{status}, text_of($res->{content})) }
sub ld_of {
    my ($html) = @_;
    my @blocks = $html =~ m{<script type="application/ld\+json">(.*?)</script>}gs;
    return map { my $v = eval { JSON::PP->new->decode($_) }; ref $v eq 'ARRAY' ? @$v : $v ? ($v) : () } @blocks;
}
sub meta_of {
    my ($html, $attr, $name) = @_;
    return map { my $v = $_; $v =~ s/&amp;/&/g; $v =~ s/&quot;/"/g; $v =~ s/&lt;/</g; $v =~ s/&gt;/>/g; $v =~ s/&#39;/'/g; $v }
        $html =~ m{<meta $attr="\Q$name\E" content="([^"]*)">}g;
}

my ($st, $html) = page_of(path_of('picture'));
is($st, 200, 'the picture item\'s page');
my @ld = ld_of($html);
my ($na) = grep { ($_->{'@type'} // '') eq 'NewsArticle' } @ld;
my ($bc) = grep { ($_->{'@type'} // '') eq 'BreadcrumbList' } @ld;
ok($na, 'NewsArticle JSON-LD parses') or BAIL_OUT('no NewsArticle');
is($na->{'@context'}, 'https://schema.org', '@context schema.org');
is($na->{headline}, $items{picture}{headline}, 'headline');
like($na->{datePublished} // '', $W3C, 'datePublished W3C');
like($na->{dateModified} // '', $W3C, 'dateModified W3C');
is_deeply([map { "$_->{'@type'}:$_->{name}" } @{ $na->{author} || [] }],
    ['Person:Erika Muster', 'Person:Max Beispiel'], 'author: a Person per name of the byline');
is($na->{publisher}{'@type'}, 'Organization', 'publisher is an Organization');
is($na->{publisher}{name}, $SITE, '... named as the site');
is_deeply($na->{image}, ["$BASE/static/demo/roter-panda-1200.jpg"], 'image: absolute, the widest size');
is($na->{articleSection}, 'Panorama', 'articleSection');
like($na->{keywords} // '', qr/Beispielstadt.*Nordsee/, 'keywords from the topics');
ok(JSON::PP::is_bool($na->{isAccessibleForFree}) && $na->{isAccessibleForFree}, 'isAccessibleForFree true');
is($na->{mainEntityOfPage}{'@id'}, $BASE . path_of('picture'), 'mainEntityOfPage is the canonical URL');
ok($bc, 'BreadcrumbList JSON-LD');
is_deeply([map { "$_->{position}:$_->{name}" } @{ $bc->{itemListElement} || [] }],
    ['1:' . $SITE, '2:Panorama', "3:$items{picture}{headline}"], 'breadcrumb: home > section > article');
is_deeply([map { $_->{item} } @{ $bc->{itemListElement} || [] }],
    ["$BASE/", "$BASE/ressort/panorama", $BASE . path_of('picture')], '... with absolute URLs');
like($html, qr{<link rel="canonical" href="\Q$BASE\E/artikel/}, 'canonical absolute on base_url');

my %og = (
    'og:type' => 'article', 'og:title' => $items{picture}{headline}, 'og:url' => $BASE . path_of('picture'),
    'og:site_name' => $SITE, 'og:locale' => 'de_DE', 'og:image' => "$BASE/static/demo/roter-panda-1200.jpg",
    'og:image:width' => 1200, 'og:image:height' => 800, 'article:section' => 'Panorama',
);
for my $k (sort keys %og) {
    is((meta_of($html, 'property', $k))[0], $og{$k}, "$k");
}
like((meta_of($html, 'property', 'og:description'))[0] // '', qr/^Kurzfassung zu picture/, 'og:description is the teaser');
like((meta_of($html, 'property', 'article:published_time'))[0] // '', $W3C, 'article:published_time');
like((meta_of($html, 'property', 'article:modified_time'))[0] // '', $W3C, 'article:modified_time');
is(join(',', meta_of($html, 'property', 'article:tag')), 'Beispielstadt,Nordsee', 'article:tag per topic');
is((meta_of($html, 'name', 'twitter:card'))[0], 'summary_large_image', 'Twitter: large image card');
is((meta_of($html, 'name', 'twitter:image'))[0], "$BASE/static/demo/roter-panda-1200.jpg", 'twitter:image');
like((meta_of($html, 'name', 'description'))[0] // '', qr/^Kurzfassung zu picture/, 'meta description: the teaser');
unlike($html, qr{<meta name="robots"}, 'an article is indexable');
like($html, qr{<link rel="icon" href="/static/favicon\.svg">}, 'favicon linked');

# A hostile headline cannot leave the script element.
($st, $html) = page_of(path_of('hostile'));
is($st, 200, 'the hostile headline\'s page');
unlike($html, qr{<script>alert}, 'no injected script element');
my @scripts = $html =~ m{<script\b}g;
my @ends = $html =~ m{</script}gi;
is(scalar(@scripts) . '/' . scalar(@ends), '1/1', 'one script element (the JSON-LD), closed once');
unlike(($html =~ m{<script type="application/ld\+json">(.*?)</script>}s)[0] // '', qr{[<>]|\x{2028}|\x{2029}},
    'no < > U+2028 U+2029 raw in the JSON-LD');
($na) = grep { ($_->{'@type'} // '') eq 'NewsArticle' } ld_of($html);
is($na && $na->{headline}, $HOSTILE, 'the JSON-LD still holds the headline exactly');
is_deeply($na && [map { "$_->{'@type'}:$_->{name}" } @{ $na->{author} }], ['Organization:dpa'],
    'no byline: the credit is the author, as Organization');
is((meta_of($html, 'name', 'twitter:card'))[0], 'summary', 'no picture: summary card');
is((meta_of($html, 'property', 'og:title'))[0], $HOSTILE, 'og:title escaped as an attribute, intact');

# Other pages: description, OpenGraph website, noindex on search.
for my $p ('/', '/ressort/panorama', '/thema/nordsee', '/suche?q=Hafen', '/gibt-es-nicht') {
    my ($s, $h) = page_of($p);
    my ($d) = meta_of($h, 'name', 'description');
    ok(defined $d && length($d) >= 20 && length($d) <= 160, "$p: meta description (" . ($d // 'none') . ')');
    is((meta_of($h, 'property', 'og:type'))[0], 'website', "$p: og:type website");
}
($st, $html) = page_of('/suche?q=Hafen');
like($html, qr{<meta name="robots" content="noindex">}, 'search results: noindex');
($st, $html) = (200, text_of(admin_get($bin, $db, '/status')->{content})); # editors: admins only
like($html, qr{<meta name="robots" content="noindex">}, '/status: noindex');
like((meta_of($html, 'name', 'description'))[0] // '', qr/Nachrichtenquellen von \Q$SITE\E/, '/status: description');
($st, $html) = page_of('/ressort/panorama');
unlike($html, qr{<meta name="robots"}, 'a section page is indexable');
like($html, qr{<link rel="canonical" href="\Q$BASE\E/ressort/panorama">}, 'section canonical absolute');
($bc) = grep { ($_->{'@type'} // '') eq 'BreadcrumbList' } ld_of($html);
is_deeply($bc && [map { $_->{item} } @{ $bc->{itemListElement} }], ["$BASE/", "$BASE/ressort/panorama"],
    'section page: breadcrumb home > section');
like((meta_of(text_of(get('/')->{content}), 'property', 'og:url'))[0] // '', qr{^\Q$BASE\E/$}, 'home og:url');

# The favicon.
$r = get('/favicon.ico');
is($r->{status}, 200, '/favicon.ico answers');
is($r->{headers}{'content-type'}, 'image/svg+xml', '... with the SVG icon');
my $svg = eval { $parser->parse_string($r->{content}) };
ok($svg && $svg->documentElement->localName eq 'svg', 'the icon is well-formed SVG');

# A change reaches the cached sitemaps: a new article appears in its month
# and in the news sitemap without a restart.
get("/sitemaps/" . strftime('%Y-%m', gmtime($now)) . ".xml");
open($f, '>', "$tmp/late.json") or die;
print $f $json->encode({
    format => 'digitalwires@0.9.1', type => 'text', entry_id => 'seo-t-late-1',
    urn => 'urn:newsml:dpa.com:20090101:seo-t-late', version => 1,
    version_created => iso(time() - 10), updated => iso(time() - 10), pubstatus => 'usable',
    language => 'de', headline => 'Pegel sinkt am Abend wieder', article_html => '<p>Nachtrag.</p>',
    creditline => 'dpa',
});
close $f;
$out = `$bin ingest --db $db $tmp/late.json 2>&1`;
is($?, 0, 'a late item ingests while serving') or diag($out);
ok(eventually(sub { get("/sitemaps/" . strftime('%Y-%m', gmtime(time() - 10)) . ".xml")->{content} =~ /pegel-sinkt-am-abend-wieder/ }),
    'the cached month sitemap lists it');
ok(eventually(sub { get('/sitemap-news.xml')->{content} =~ /Pegel sinkt am Abend wieder/ }), 'the news sitemap too');
is(stop($srv) >> 8, 0, 'serve stops cleanly');

# Without base_url: absolute URLs on the request's host, cached per host.
# An operator's static folder with a logo: the publisher gets it.
mkdir "$tmp/static";
for my $name ('style.css', 'favicon.svg') {
    open(my $o, '>', "$tmp/static/$name") or die;
    print $o slurp("static/$name");
    close $o;
}
open($f, '>', "$tmp/static/logo.svg") or die;
print $f qq(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 60"><rect width="60" height="60"/></svg>\n);
close $f;
($srv, $url) = serve($bin, 'serve without base_url', '--db', $db, '--static', "$tmp/static");
$r = get('/robots.txt');
like($r->{content}, qr{^Sitemap: \Q$url\E/sitemap\.xml$}m, 'robots.txt names the sitemap on the request host');
like(text_of(get('/')->{content}), qr{<link rel="canonical" href="\Q$url\E/">}, 'canonical on the request host');
# HTTP::Tiny will not send another Host: a request by hand.
sub get_as_host {
    my ($host, $path) = @_;
    my ($port) = $url =~ /:(\d+)$/;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10) or return '';
    print $sock "GET $path HTTP/1.0\r\nHost: $host\r\n\r\n";
    local $/;
    my $res = <$sock> // '';
    close $sock;
    return decode('UTF-8', $res);
}
like(get_as_host('Zeitung.Example.test', '/'),
    qr{<link rel="canonical" href="http://zeitung\.example\.test/">}, 'another host gets its own page, not the cached one');
($na) = grep { ($_->{'@type'} // '') eq 'NewsArticle' } ld_of(text_of(get(path_of('picture'))->{content}));
is_deeply($na && $na->{publisher}{logo}, { '@type' => 'ImageObject', url => "$url/static/logo.svg" },
    'a static logo is the publisher\'s logo');
like(get_as_host('zeitung.example.test', '/sitemap.xml'), qr{<loc>http://zeitung\.example\.test/sitemaps/},
    'the sitemap follows the host');
is(stop($srv) >> 8, 0, 'serve stops cleanly');

done_testing();
