#!/usr/bin/env perl
# End to end: the article API (/api/v1/articles, /articles/ID, /sections,
# /topics, /stories/ID, /changes, /openapi.json) on the real binary.
#
# Ingests wire entries written here (made-up news, no corpus), serves
# them on 127.0.0.1 and checks: cursor paging while new, older-dated and
# updated articles are ingested between pages (no item twice, none of the
# first listing missing, order kept); the filters and their 400s; ETag and
# 304 (also on cursor pages that the server does not cache); CORS headers
# and the OPTIONS preflight; JSON errors 400/404/410; the versions of an
# updated article; /changes reporting new, updated and withdrawn articles
# across pages of a small limit, an embargo when it ends, and nothing
# twice; held items in no answer at all. Every answer is validated against
# its schema in the served openapi.json (a validator of the subset used:
# type, nullable, required, properties, items, enum, $ref, allOf,
# minimum, maximum, format date-time), and the items of the search API and
# of `meldung search --json` have exactly the shape of the article API's.
#
# Needs: MELDUNG (path to the binary; default ./meldung), run from the
# repository root.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use MIME::Base64 qw(encode_base64url);
use POSIX qw(strftime);
use Time::HiRes qw(sleep);
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(180, utf8 => 1);
my $db = store_db($tmp, 'api');
my $json = JSON::PP->new->utf8->canonical;

# A digitalwires entry: id, version, time, headline, rubric, geo topics;
# pubstatus "canceled" for a withdrawal, genre "Achtung" for an advisory
# (held), embargo for an embargoed item.
sub entry {
    my (%e) = @_;
    my @cats = ({ type => 'dnltype:rubric', name => $e{rubric},
                  qcode => "dnlpath:weblines.infoline_rs.$e{rubric}" });
    push @cats, map { { type => 'dnltype:geosubject', name => $_, qcode => "x:$_", rank => 1 } }
        @{ $e{geo} // [] };
    my $v = $e{version} // 1;
    return {
        urn => "urn:newsml:dpa.com:20090101:api-$e{id}",
        version => $v,
        version_created => $e{at},
        updated => $e{at},
        entry_id => "api-$e{id}-$v" . ($e{entry} // ''),
        pubstatus => $e{pubstatus} // 'usable',
        headline => $e{headline},
        teaser => $e{teaser} // "Kurzfassung zu $e{headline}.",
        article_html => '<section class="main"><p>' . ($e{body} // "Text zu $e{headline}.")
            . '</p></section>',
        creditline => 'dpa',
        categories => \@cats,
        ($e{genre} ? (genre_names => [$e{genre}]) : ()),
        ($e{embargo} ? (embargoed => $e{embargo}) : ()),
    };
}

sub write_entry {
    my ($dir, %e) = @_;
    mkdir $dir;
    my $path = "$dir/$e{id}-" . ($e{version} // 1) . ($e{entry} // '') . '.json';
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $json->encode(entry(%e));
    close $fh;
}

sub ingest {
    my ($dir, $what) = @_;
    my $out = `$bin ingest --db $db $dir 2>&1`;
    is($?, 0, "$what ingests") or diag($out);
    return $out;
}

# Words that make each headline distinct without sharing stems.
my @place = qw(Aachen Bremen Celle Dessau Erfurt Fulda Gotha Hameln Itzehoe Jena Kassel Lingen
               Minden Nauen Olpe Passau Quedlinburg Rostock Suhl Trier Ulm Verden Weimar Xanten
               Zwickau Bautzen Coburg Detmold Emden Forst Goslar Husum);
my @thing = qw(Brücke Schwimmbad Bahnhof Rathaus Marktplatz Museum Stadion Bibliothek Hafen Kino
               Theater Zoo Flughafen Schule Klinik Kirche Mühle Turm Park Brunnen Deich Kaserne
               Sternwarte Therme Messe Halle Werft Burg Schleuse Kaufhaus Sportplatz Wasserwerk);

# The first wire: 24 articles, an hour apart on 2 and 3 January, two of
# them at the same minute (the cursor must order ties by id); sections
# alternate, every third is about Norwegen; two pairs share a headline
# (one story each). One advisory is held.
my $wire1 = "$tmp/wire1";
my $held_headline = 'Achtung: Hinweis zur Sitzung des Verkehrsausschusses';
for my $i (1 .. 24) {
    my $h = $i == 14 ? 13 : $i; # 13 and 14: the same minute
    my $at = sprintf('2026-01-%02dT%02d:30:00+01:00', 2 + int($h / 24), $h % 24);
    my $headline = "$place[$i] eröffnet neues $thing[$i]";
    $headline = "$place[5] eröffnet neues $thing[5]" if $i == 6; # 5 and 6: one story
    write_entry($wire1, id => "a$i", at => $at, headline => $headline,
        rubric => $i % 2 ? 'politik' : 'sport', geo => [$i % 3 == 0 ? 'Norwegen' : 'Portugal']);
}
write_entry($wire1, id => 'held1', at => '2026-01-02T09:00:00+01:00',
    headline => $held_headline, rubric => 'politik', genre => 'Achtung');
ingest($wire1, 'the first wire');

my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
my $stopped = 0;
END { local $?; stop($srv) if $srv && !$stopped }

# Every body the test sees, to check no held item shows anywhere.
my @bodies;

# GET path: (decoded JSON or undef, response).
sub api {
    my ($path, %h) = @_;
    my $r = get($path, %h);
    push @bodies, text_of($r->{content} // '');
    my $doc = eval { $json->decode($r->{content}) };
    return ($doc, $r);
}

# The schema validator ------------------------------------------------------

my ($spec) = api('/api/v1/openapi.json');
ok($spec && $spec->{openapi} =~ /^3\./, 'openapi.json is an OpenAPI 3 document');

# Resolves a local $ref.
sub deref {
    my ($s) = @_;
    while ($s->{'$ref'}) {
        my @p = split m{/}, substr($s->{'$ref'}, 2);
        my $t = $spec;
        $t = $t->{$_} for @p;
        die "unresolved $s->{'$ref'}" unless $t;
        $s = $t;
    }
    return $s;
}

# Errors of value v against schema s at path at (a list of strings).
sub validate {
    my ($v, $s, $at) = @_;
    $s = deref($s);
    my @e;
    if ($s->{allOf}) {
        push @e, validate($v, $_, $at) for @{ $s->{allOf} };
        return @e;
    }
    return () if !defined $v && $s->{nullable};
    return ("$at: null where not nullable") unless defined $v;
    my $t = $s->{type} // '';
    if ($t eq 'object') {
        return ("$at: not an object") unless ref $v eq 'HASH';
        for my $k (@{ $s->{required} // [] }) {
            push @e, "$at: missing $k" unless exists $v->{$k};
        }
        for my $k (sort keys %{ $s->{properties} // {} }) {
            push @e, validate($v->{$k}, $s->{properties}{$k}, "$at.$k") if exists $v->{$k};
        }
    } elsif ($t eq 'array') {
        return ("$at: not an array") unless ref $v eq 'ARRAY';
        my $i = 0;
        push @e, validate($_, $s->{items}, $at . '[' . $i++ . ']') for @$v;
    } elsif ($t eq 'string') {
        return ("$at: not a string") if ref $v || JSON::PP::is_bool($v) || !_is_string($v);
        push @e, "$at: '$v' not in enum" if $s->{enum} && !grep { $_ eq $v } @{ $s->{enum} };
        push @e, "$at: '$v' not a date-time"
            if ($s->{format} // '') eq 'date-time'
            && $v !~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
    } elsif ($t eq 'integer' || $t eq 'number') {
        return ("$at: not a number") if ref $v || JSON::PP::is_bool($v) || _is_string($v);
        return ("$at: not an integer") if $t eq 'integer' && $v != int($v);
        push @e, "$at: below minimum" if defined $s->{minimum} && $v < $s->{minimum};
        push @e, "$at: above maximum" if defined $s->{maximum} && $v > $s->{maximum};
    } elsif ($t eq 'boolean') {
        push @e, "$at: not a boolean" unless JSON::PP::is_bool($v);
    }
    return @e;
}

# True when the scalar came from a JSON string (JSON::PP keeps numbers
# as numbers: their flags say so).
sub _is_string {
    my ($v) = @_;
    require B;
    my $f = B::svref_2object(\$v)->FLAGS;
    return ($f & B::SVp_POK()) && !($f & (B::SVp_IOK() | B::SVp_NOK()));
}

# Checks the answer r (status code) of path against its schema in the
# spec; template is the spec's path ("/api/v1/articles/{id}").
sub conforms {
    my ($doc, $r, $template, $name) = @_;
    my $op = $spec->{paths}{$template}{get};
    my $resp = $op && $op->{responses}{ $r->{status} };
    ok($resp, "$name: status $r->{status} is described for $template") or return;
    $resp = deref($resp);
    my $schema = $resp->{content}{'application/json'}{schema};
    my @e = validate($doc, $schema, '$');
    ok(!@e, "$name: the answer matches the schema") or diag(join("\n", @e[0 .. ($#e < 9 ? $#e : 9)]));
}

my @item_keys = sort keys %{ deref({ '$ref' => '#/components/schemas/Item' })->{properties} };

# The validator can fail: a list item with the CLI's old flat section and
# without its story is refused for both.
{
    my %broken = (id => 1, urn => 'u', url => '/artikel/x-1', headline => 'x', kicker => undef,
                  teaser => undef, published => '2026-01-02T03:04:05Z', updated => undef,
                  version => 1, section => 'Sport', topics => [], credit => undef, image => undef);
    my @e = validate(\%broken, { '$ref' => '#/components/schemas/Item' }, '$');
    is_deeply([sort @e], ['$.section: not an object', '$: missing story_id'],
              'the validator refuses a flat section and a missing field');
}

# Checks that the object has exactly the item keys (plus extra ones).
sub item_shape {
    my ($o, $extra, $name) = @_;
    my %want = map { $_ => 1 } @item_keys, @$extra;
    is_deeply([sort keys %$o], [sort keys %want], "$name: exactly the item shape");
}

# Lists ------------------------------------------------------------------------

my ($all, $r) = api('/api/v1/articles?limit=100');
is($r->{status}, 200, 'the list answers 200');
like($r->{headers}{'content-type'}, qr{^application/json; charset=utf-8}, 'as JSON in UTF-8');
conforms($all, $r, '/api/v1/articles', 'list');
is(scalar @{ $all->{items} }, 24, 'all 24 visible articles, the held one not');
item_shape($all->{items}[0], [], 'a list item');
ok(!$all->{more} && !defined $all->{next}, 'no more after all of them');
my @order = map { [$_->{published}, $_->{id}] } @{ $all->{items} };
ok(!(grep { $order[$_ - 1][0] lt $order[$_][0]
            || ($order[$_ - 1][0] eq $order[$_][0] && $order[$_ - 1][1] < $order[$_][1]) } 1 .. $#order),
   'newest first, ties by id, highest first');
my %by_head = map { $_->{headline} => $_ } @{ $all->{items} };
my $first_ids = [map { $_->{id} } @{ $all->{items} }];
my ($changes0) = $all->{changes} =~ /since=([^&]+)/;
ok($changes0, 'the list says where its change feed starts');

# Paging while articles arrive: page 1, then a second wire (three newer
# articles, two dated inside the range already paged past and one not yet
# paged, an update of an article on page 1, a withdrawal, an embargoed
# article and a second held one), then the rest of the pages.
my ($p, $pr) = api('/api/v1/articles?limit=7');
my @paged = map { $_->{id} } @{ $p->{items} };
is(scalar @paged, 7, 'page 1 has 7 items');
ok($p->{more} && $p->{next} && $p->{next_cursor}, 'page 1 links the next');
like($p->{next}, qr{^/api/v1/articles\?limit=7&cursor=[A-Za-z0-9_-]+$}, 'next keeps the limit');

my $wire2 = "$tmp/wire2";
write_entry($wire2, id => "n$_", at => "2026-01-04T0$_:00:00+01:00",
    headline => "$place[24 + $_] bekommt eine $thing[24 + $_]", rubric => 'politik',
    geo => ['Portugal']) for 1 .. 3;
write_entry($wire2, id => 'old1', at => '2026-01-02T20:45:00+01:00', # within page 1
    headline => 'Nachzügler aus Oldenburg erreicht die Redaktion', rubric => 'sport',
    geo => ['Portugal']);
write_entry($wire2, id => 'old2', at => '2026-01-02T01:45:00+01:00', # far back
    headline => 'Spätmeldung aus Lübeck zum Jahresanfang', rubric => 'sport', geo => ['Portugal']);
my $upd = $all->{items}[1]; # on page 1
my ($upd_n) = $upd->{urn} =~ /api-a(\d+)$/;
my $upd_headline = "$upd->{headline}: Zahlen korrigiert";
write_entry($wire2, id => "a$upd_n", version => 2, at => '2026-01-05T10:00:00+01:00',
    headline => $upd_headline, rubric => $upd_n % 2 ? 'politik' : 'sport',
    geo => [$upd_n % 3 == 0 ? 'Norwegen' : 'Portugal']);
my $gone = $all->{items}[20];
my ($gone_n) = $gone->{urn} =~ /api-a(\d+)$/;
write_entry($wire2, id => "a$gone_n", version => 2, at => '2026-01-05T11:00:00+01:00',
    headline => $gone->{headline}, rubric => 'politik', pubstatus => 'canceled');
my $embargo = time + 12; # ends while the test runs
write_entry($wire2, id => 'emb1', at => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time - 60)),
    embargo => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($embargo)),
    headline => 'Sperrfrist: Jahresbericht der Landesbank', rubric => 'wirtschaft',
    geo => ['Portugal']);
write_entry($wire2, id => 'held2', at => '2026-01-04T08:00:00+01:00',
    headline => 'Achtung: Terminänderung beim Pressegespräch', rubric => 'politik',
    genre => 'Achtung');
ingest($wire2, 'the second wire');

my $next = $p->{next};
my $pages = 1;
while ($next && $pages < 20) {
    ($p, $pr) = api($next);
    conforms($p, $pr, '/api/v1/articles', 'page ' . ($pages + 1));
    push @paged, map { $_->{id} } @{ $p->{items} };
    $next = $p->{next};
    $pages++;
}
my %count;
$count{$_}++ for @paged;
ok(!(grep { $count{$_} > 1 } keys %count), 'no article twice across the pages')
    or diag("paged: @paged");
my @missing = grep { !$count{$_} && $_ != $gone->{id} } @$first_ids;
ok(!@missing, 'no article of the first listing missing (but the withdrawn one)')
    or diag("missing: @missing");
# The list's head is cached until the server reads the change log.
my %now_ids;
ok(eventually(sub {
    my ($after) = api('/api/v1/articles?limit=100');
    %now_ids = map { $_->{headline} => $_->{id} } @{ $after->{items} // [] };
    return $now_ids{'Spätmeldung aus Lübeck zum Jahresanfang'};
}), 'the cached list head shows the second wire once the server has read the change log');
ok(!(grep { $count{ $now_ids{$_} // 0 } } grep { /bekommt eine/ } keys %now_ids),
   'the newer articles stay before the cursor');
ok($count{ $now_ids{'Spätmeldung aus Lübeck zum Jahresanfang'} // 0 },
   'an older-dated article stored meanwhile is met on a later page');
ok($now_ids{'Nachzügler aus Oldenburg erreicht die Redaktion'}
   && !$count{ $now_ids{'Nachzügler aus Oldenburg erreicht die Redaktion'} },
   'one dated within the range already paged past is left to /changes');

# The change feed, read at once (before the embargo of the second wire
# ends) from the cursor the first listing gave, in pages of two.
my (%kind, %seen_change, @feed);
my $since = $changes0;
my $cpages = 0;
while ($cpages < 50) {
    my ($c, $cr) = api("/api/v1/changes?since=$since&limit=2");
    conforms($c, $cr, '/api/v1/changes', 'change page ' . ($cpages + 1));
    is($cr->{headers}{'cache-control'}, 'no-store', 'changes are not stored') if $cpages == 0;
    ok(@{ $c->{changes} } <= 2, 'at most limit changes') if $cpages == 0;
    for my $ch (@{ $c->{changes} }) {
        push @feed, "$ch->{type}:$ch->{id}";
        $seen_change{ $ch->{id} }++;
        $kind{ $ch->{type} }{ $ch->{id} } = $ch;
    }
    $since = $c->{next_cursor};
    $cpages++;
    last unless $c->{more};
}
ok($cpages > 2, "the feed came in pages ($cpages)");
ok(!(grep { $seen_change{$_} > 1 } keys %seen_change), 'no article twice in the feed')
    or diag("@feed");
my @new_heads = sort map { $_->{item}{headline} } values %{ $kind{new} // {} };
is_deeply(\@new_heads, [sort(
    (map { "$place[24 + $_] bekommt eine $thing[24 + $_]" } 1 .. 3),
    'Nachzügler aus Oldenburg erreicht die Redaktion', 'Spätmeldung aus Lübeck zum Jahresanfang')],
    'new: the five articles of the second wire that are visible');
ok($kind{updated}{ $upd->{id} }, 'updated: the article with version 2');
is($kind{updated}{ $upd->{id} }{item}{headline}, $upd_headline, 'with its new headline');
ok($kind{withdrawn}{ $gone->{id} }, 'withdrawn: the canceled article');
ok($kind{withdrawn}{ $gone->{id} } && !defined $kind{withdrawn}{ $gone->{id} }{item},
   'a withdrawal carries no item');
is(scalar(keys %seen_change), 7, 'nothing else: no held, no embargoed article');

my ($c, $cr) = api("/api/v1/changes?since=$since");
is(scalar @{ $c->{changes} }, 0, 'polling again: nothing new');

# Filters.
my ($f) = api('/api/v1/articles?section=sport&limit=100');
ok(@{ $f->{items} } && !(grep { ($_->{section}{slug} // '') ne 'sport' } @{ $f->{items} }),
   'section=sport: only sport');
($f) = api('/api/v1/articles?topic=norwegen&limit=100');
ok(@{ $f->{items} } == 8 && !(grep { !grep { $_->{slug} eq 'norwegen' } @{ $_->{topics} } } @{ $f->{items} }),
   'topic=norwegen: the eight Norwegen articles');
($f) = api('/api/v1/articles?section=politik&topic=norwegen&limit=100');
ok(@{ $f->{items} } && !(grep { $_->{section}{slug} ne 'politik' } @{ $f->{items} }),
   'section and topic combine');
my $pair = $by_head{"$place[5] eröffnet neues $thing[5]"};
($f) = api("/api/v1/articles?story=$pair->{story_id}");
is(scalar @{ $f->{items} }, 2, 'story=ID: the two articles of the story');
($f) = api('/api/v1/articles?since=2026-01-03&until=2026-01-03&limit=100');
ok(@{ $f->{items} } && !(grep { $_->{published} lt '2026-01-02T23:00:00Z'
                                || $_->{published} ge '2026-01-03T23:00:00Z' } @{ $f->{items} }),
   'since/until: one Berlin day');
($f) = api('/api/v1/articles?since=2026-01-03T12:00:00Z&limit=100');
ok(@{ $f->{items} } && !(grep { $_->{published} lt '2026-01-03T12:00:00Z' } @{ $f->{items} }),
   'since takes a timestamp');
($f) = api('/api/v1/articles?limit=3&section=sport');
like($f->{next} // '', qr{^/api/v1/articles\?section=sport&limit=3&cursor=}, 'next keeps the filters');

# Errors: 400 with the parameter named, 404, 410.
for my $bad (['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=x', 'limit'],
             ['since=2026-02-30', 'since'], ['until=gestern', 'until'], ['cursor=xyz', 'cursor'],
             ['cursor=YS4x', 'cursor'], ['story=abc', 'story'], ['section=Sport!', 'section']) {
    my ($d, $e) = api("/api/v1/articles?$bad->[0]");
    is($e->{status}, 400, "$bad->[0]: 400");
    like($d->{error} // '', qr/„$bad->[1]“/, "$bad->[0]: the message names $bad->[1]");
}
my ($d, $e) = api('/api/v1/articles?since=2026-01-05&until=2026-01-04');
is($e->{status}, 400, 'an empty range: 400');
like($d->{error}, qr/Zeitraum ist leer/, 'says the range is empty');
conforms($d, $e, '/api/v1/articles', 'a 400');
($d, $e) = api('/api/v1/articles?section=kultur');
is($e->{status}, 400, 'a section no article has: 400');
like($d->{error}, qr/Unbekanntes Ressort „kultur“/, 'says the section is unknown');
($d, $e) = api('/api/v1/articles/999999');
is($e->{status}, 404, 'an unknown article: 404');
like($d->{error}, qr/Keine Meldung mit der Nummer 999999/, 'in JSON');
conforms($d, $e, '/api/v1/articles/{id}', 'a 404');
($d, $e) = api("/api/v1/articles/$gone->{id}");
is($e->{status}, 410, 'a withdrawn article: 410');
like($d->{error}, qr/zurückgezogen/, 'says it was withdrawn');
conforms($d, $e, '/api/v1/articles/{id}', 'a 410');
($d, $e) = api('/api/v1/nichts');
is($e->{status}, 404, 'an unknown API path: 404');
ok($d && $d->{error}, 'in JSON too');
($d, $e) = api('/api/v1/stories/999999');
is($e->{status}, 404, 'an unknown story: 404');

# One article with its versions.
($d, $e) = api("/api/v1/articles/$upd->{id}");
is($e->{status}, 200, 'the updated article answers 200');
conforms($d, $e, '/api/v1/articles/{id}', 'an article');
is($d->{headline}, $upd_headline, 'it shows version 2');
is($d->{version}, 2, 'version is 2');
is_deeply([map { [$_->{number}, $_->{applied} ? 1 : 0, $_->{pubstatus}] } @{ $d->{versions} }],
          [[1, 1, 'usable'], [2, 1, 'usable']], 'its versions: 1 and 2, both applied');
is($d->{versions}[1]{version_created}, '2026-01-05T09:00:00Z', 'version 2 with its time');
like($d->{body_html}, qr{<p>Text zu }, 'with its text');

# An older version delivered late is history, not applied.
write_entry("$tmp/wire3", id => "a$upd_n", version => 1, entry => 'late',
    at => '2026-01-02T06:00:00+01:00', headline => $upd->{headline},
    rubric => $upd_n % 2 ? 'politik' : 'sport');
ingest("$tmp/wire3", 'a late copy of version 1');
ok(eventually(sub {
    my ($x) = api("/api/v1/articles/$upd->{id}");
    return $x && @{ $x->{versions} } == 3;
}), 'the late copy joins the versions') ;
($d) = api("/api/v1/articles/$upd->{id}");
is_deeply([map { $_->{applied} ? 1 : 0 } @{ $d->{versions} }], [1, 1, 0],
          'applied: false for the late copy');
is($d->{headline}, $upd_headline, 'the article still shows version 2');

# Sections, topics, stories.
($d, $e) = api('/api/v1/sections');
conforms($d, $e, '/api/v1/sections', 'sections');
my %sec = map { $_->{slug} => $_->{count} } @{ $d->{sections} };
my ($sport_all) = api('/api/v1/articles?section=sport&limit=100');
is($sec{sport}, scalar @{ $sport_all->{items} }, 'the sport count is the number of sport articles');
ok(!exists $sec{wirtschaft} || time >= $embargo,
   'no count for a section whose only article is under embargo');
($d, $e) = api('/api/v1/topics');
conforms($d, $e, '/api/v1/topics', 'topics');
my %top = map { $_->{slug} => $_->{count} } @{ $d->{topics} };
is($top{norwegen}, 8, 'Norwegen: 8 articles');
ok($d->{topics}[0]{count} >= $d->{topics}[-1]{count}, 'most articles first');
($d, $e) = api("/api/v1/stories/$pair->{story_id}");
conforms($d, $e, '/api/v1/stories/{id}', 'a story');
is(scalar @{ $d->{items} }, 2, 'the story has its two articles');
ok($d->{items}[0]{published} le $d->{items}[1]{published}, 'oldest first');
item_shape($d->{items}[0], ['reason'], 'a story item');

# The embargo ends while the test runs.
my $wait = $embargo - time + 1;
sleep $wait if $wait > 0;
($c) = api("/api/v1/changes?since=$since");
is_deeply([map { "$_->{type}:" . ($_->{item}{headline} // '') } @{ $c->{changes} }],
          ['new:Sperrfrist: Jahresbericht der Landesbank'], 'the embargo ends: reported as new');
my $since2 = $c->{next_cursor};
($c) = api("/api/v1/changes?since=$since2");
is(scalar @{ $c->{changes} }, 0, 'and only once');
($c, $cr) = api('/api/v1/changes?since=' . encode_base64url('c.9999999.0.0'));
is($cr->{status}, 400, 'a cursor past the store: 400');
($c, $cr) = api('/api/v1/changes?since=abc');
is($cr->{status}, 400, 'a bad cursor: 400');
like($c->{error}, qr/„since“/, 'names since');
($c, $cr) = api('/api/v1/changes');
ok($cr->{status} == 200 && !@{ $c->{changes} } && $c->{next_cursor}, 'no since: starts now');

# ETag, 304, CORS.
for my $path ('/api/v1/articles', "/api/v1/articles/$upd->{id}", '/api/v1/sections', '/api/v1/topics',
              "/api/v1/stories/$pair->{story_id}", '/api/v1/openapi.json') {
    my $g = get($path);
    my $etag = $g->{headers}{etag};
    ok($etag, "$path: ETag");
    is($g->{headers}{'access-control-allow-origin'}, '*', "$path: CORS for GET");
    my $n = get($path, 'If-None-Match' => $etag);
    is($n->{status}, 304, "$path: 304 for its ETag");
    is($n->{headers}{'access-control-allow-origin'}, '*', "$path: the 304 carries CORS");
}
my $cur_page = get('/api/v1/articles?limit=3&cursor=' . $all->{items}[2]{id});
is($cur_page->{status}, 400, 'a raw id is no cursor');
my ($third) = api('/api/v1/articles?limit=3');
my $cp = get($third->{next});
sleep 1.1; # the answer does not change with the clock
my $n304 = get($third->{next}, 'If-None-Match' => $cp->{headers}{etag});
is($n304->{status}, 304, 'a cursor page (not kept by the server) answers 304 too');
my $o = request('OPTIONS', '/api/v1/articles', headers => {
    Origin => 'https://leser.example', 'Access-Control-Request-Method' => 'GET' });
is($o->{status}, 204, 'OPTIONS: a 204 preflight');
is($o->{headers}{'access-control-allow-origin'}, '*', 'allowing any origin');
like($o->{headers}{'access-control-allow-methods'}, qr/^GET, HEAD$/, 'for GET and HEAD');
is(request('OPTIONS', '/artikel/x-1')->{status}, 405, 'OPTIONS elsewhere: 405');
my $post = request('POST', '/api/v1/articles');
is($post->{status}, 405, 'POST to the API: 405');
like($post->{content}, qr/^\{"error":"Methode nicht erlaubt/, '... with a JSON error');

# One shape: the search API and `meldung search --json` give the same
# items, plus snippet and score.
($d, $e) = api('/api/v1/search?q=Nachz%C3%BCgler');
conforms($d, $e, '/api/v1/search', 'the search API');
ok(@{ $d->{hits} } == 1, 'the search finds the article');
item_shape($d->{hits}[0], ['snippet', 'score'], 'a search hit');
my ($one) = api("/api/v1/articles/$d->{hits}[0]{id}");
my %as_item = map { $_ => $one->{$_} } @item_keys;
my %hit = %{ $d->{hits}[0] };
delete @hit{qw(snippet score)};
is_deeply(\%hit, \%as_item, 'the hit is the article as the article API shows it');
my $cli = `$bin search --db $db --json Nachzügler 2>&1`;
my $cj = eval { $json->decode($cli) };
ok($cj && @{ $cj->{hits} } == 1, 'meldung search --json finds it') or diag($cli);
item_shape($cj->{hits}[0], ['snippet', 'score'], 'a CLI hit');
my %cli_hit = %{ $cj->{hits}[0] };
delete @cli_hit{qw(snippet score)};
is_deeply(\%cli_hit, \%as_item, 'the CLI hit is the same item');
my @ce = validate($cj->{hits}[0], { '$ref' => '#/components/schemas/Hit' }, '$');
ok(!@ce, 'the CLI hit matches the schema of a hit') or diag("@ce");

# Held items: in no answer at all.
ok(!(grep { /Achtung: |Terminänderung|Verkehrsausschuss/ } @bodies),
   'no answer shows a held item (' . scalar(@bodies) . ' answers)');
my @visible;
for my $id (1 .. 40) {
    my $g = get("/api/v1/articles/$id");
    push @visible, $id if $g->{status} == 200;
    fail("article $id shows a held item") if $g->{content} =~ /Achtung: /;
}
my ($every) = api('/api/v1/articles?limit=100');
is_deeply([sort { $a <=> $b } @visible], [sort { $a <=> $b } map { $_->{id} } @{ $every->{items} }],
          'every id that answers 200 is in the list, and no other');

$stopped = 1;
stop($srv);
done_testing();
