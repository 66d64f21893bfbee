#!/usr/bin/perl
# tests/http/editorial.t - what the editors decide beyond one article's
# visibility, end to end through the real binary on 127.0.0.1
# (docs/internals/editors.md):
#
#   - machines learn of the editors' decisions: /api/v1/changes lists a
#     withdrawal, a hold and releases by an editor (withdrawn /
#     updated / new) and its cursor moves past them; the live stream and
#     a webhook announce an editor's withdrawal as `withdrawn`; a story
#     split or merge is an update in all three;
#   - an editor's section and topics (web and `meldung article section` /
#     `topics`): the pages move, a later agency version keeps them, the
#     audit log has before and after.
#
# Waits are upper bounds for a slow machine, not performance checks.
use strict;
use warnings;
use utf8;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 qw(encode_base64url);
use POSIX qw(strftime);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(150, utf8 => 1);
my $db = store_db($tmp, 'editorial');
my $json = JSON::PP->new->utf8;
my $FORM = 'application/x-www-form-urlencoded';

my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);
my ($rc, $o) = user_add($bin, $db, 'anna', 'editor', 'anna-passwort-1');
is($rc, 0, 'an editor') or diag($o);

# A webhook receiver (Mld.pm): each request's path and body, a line each.
my $hook_port = hook_receiver("$tmp/hook.log");
sub hook_events {
    return map { eval { $json->decode((split / /, $_, 2)[1]) } // () } split /\n/, slurp("$tmp/hook.log");
}

open(my $cf, '>', "$tmp/site.conf") or die;
print $cf "[site]\nname = Redaktionstest\nbase_url = https://red.example.de\n\n"
        . "[webhook alle]\nurl = http://127.0.0.1:$hook_port/in\nsecret = geheim-0123456789abcdef\n";
close $cf;
my ($srv, $url) = serve($bin, 'serve prints its URL', '--db', $db, '--config', "$tmp/site.conf");
my $anna = login('anna', 'anna-passwort-1');
ok($anna, 'anna logs in');

my %art;
for my $it (@{ $json->decode(get('/api/v1/articles?limit=100')->{content})->{items} }) {
    $art{withdraw} = $it if $it->{headline} =~ /Pilotprojekt für digitale Bürgerämter/;
    $art{hide} = $it if $it->{headline} =~ /Sturmtief legt Teile/;
    $art{section} = $it if $it->{headline} =~ /Doppelter Nachwuchs/;
}
is(scalar(keys %art), 3, 'the articles of the test are listed') or BAIL_OUT('demo changed');
my ($held) = store_sql($db, "SELECT id FROM article WHERE pubstatus = 3 LIMIT 1") =~ /(\d+)/;
ok($held, 'the demo has an item the agency holds back');

my ($csrf) = text_of(get("/redaktion/artikel/$art{hide}{id}", Cookie => $anna)->{content})
    =~ /name="csrf" value="([0-9a-f]{64})"/;
sub act {
    my ($id, %f) = @_;
    return request('POST', "/redaktion/artikel/$id",
        headers => { Cookie => $anna, 'Content-Type' => $FORM }, content => form(csrf => $csrf, %f));
}

# The live stream, opened before the decisions: HTTP/1.0, no chunks.
my $sse = IO::Socket::INET->new(PeerAddr => ($url =~ m{//([^/]+)})[0], Timeout => 5)
    or die "connect: $!";
print $sse "GET /api/v1/stream HTTP/1.0\r\nHost: t\r\n\r\n";
my $sse_buf = '';
# Reads the stream until its text matches re (up to 10 s).
sub sse_until {
    my ($re) = @_;
    my $sel = IO::Select->new($sse);
    for (1 .. 100) {
        return 1 if $sse_buf =~ $re;
        next unless $sel->can_read(0.1);
        sysread($sse, $sse_buf, 65536, length $sse_buf) or return $sse_buf =~ $re;
    }
    return $sse_buf =~ $re;
}
ok(sse_until(qr/\r\n\r\n/), 'the live stream is open');

# Machines: the change feed, the live stream, webhooks -----------------------------------
my $feed = $json->decode(get('/api/v1/changes')->{content});
my $cursor = $feed->{next_cursor};
ok($cursor, 'the change feed gives a cursor for the present');
my $wid = $art{withdraw}{id};
is(act($wid, aktion => 'withdraw', text => 'Gerichtsbeschluss')->{status}, 303, 'an editor withdraws');
is(act($art{hide}{id}, aktion => 'hold', text => 'Rückfrage')->{status}, 303, 'an editor holds another');
is(act($held, aktion => 'release')->{status}, 303, 'an editor releases a held item');
my $ch = $json->decode(get("/api/v1/changes?since=$cursor")->{content});
my %kind = map { $_->{id} => $_->{type} } @{ $ch->{changes} };
is($kind{$wid}, 'withdrawn', 'changes: the editor\'s withdrawal is listed as withdrawn');
is($kind{ $art{hide}{id} }, 'withdrawn', '... the held article too');
is($kind{$held}, 'new', '... the released item as new');
is(scalar(@{ $ch->{changes} }), 3, '... and nothing else');
ok(!(grep { $_->{type} eq 'withdrawn' && defined $_->{item} } @{ $ch->{changes} }),
   '... a withdrawn entry shows no item');
is($ch->{more}, JSON::PP::false, '... all of it in one answer');
my $c2 = $ch->{next_cursor};
isnt($c2, $cursor, 'the cursor moved');
is(scalar(@{ $json->decode(get("/api/v1/changes?since=$c2")->{content})->{changes} }), 0,
   '... and from it nothing is listed again');
$ch = $json->decode(get("/api/v1/changes?since=$cursor&limit=1")->{content});
is(scalar(@{ $ch->{changes} }), 1, 'paging: one at a time');
my @paged = map { $_->{id} } @{ $ch->{changes} };
while ($ch->{more}) {
    $ch = $json->decode(get("/api/v1/changes?since=$ch->{next_cursor}&limit=1")->{content});
    push @paged, map { $_->{id} } @{ $ch->{changes} };
}
is(join(',', sort @paged), join(',', sort($wid, $art{hide}{id}, $held)),
   '... the pages list each change once');
# The stream and webhooks send an article's state as it is when they read the change log:
# a hold released before they read it would be sent as the release alone. So they are
# seen to announce the hold before it is released.
ok(sse_until(qr/event: withdrawn\r?\ndata: \{"id":$wid\}/), 'the live stream announces the withdrawal')
    or diag($sse_buf);
ok(sse_until(qr/event: withdrawn\r?\ndata: \{"id":$art{hide}{id}\}/), '... the hold as withdrawn')
    or diag($sse_buf);
ok(eventually(sub { grep { $_->{event} eq 'withdrawn' && $_->{id} == $wid } hook_events() }, within => 10),
   'the webhook gets a withdrawn event for the editor\'s withdrawal')
    or diag(slurp("$tmp/hook.log"));
ok(eventually(sub { grep { $_->{event} eq 'withdrawn' && $_->{id} == $art{hide}{id} } hook_events() }, within => 10),
   '... a withdrawn event for the held article') or diag(slurp("$tmp/hook.log"));
is(act($art{hide}{id}, aktion => 'release')->{status}, 303, 'the editor releases the held article');
$ch = $json->decode(get("/api/v1/changes?since=$c2")->{content});
is_deeply([map { "$_->{id}:$_->{type}" } @{ $ch->{changes} }], ["$art{hide}{id}:updated"],
          'changes: releasing a held article is listed as updated');
is($ch->{changes}[0]{item}{headline}, $art{hide}{headline}, '... with the item');
is(get("/api/v1/changes?since=$ch->{next_cursor}")->{status}, 200, 'the new cursor is good');
my $b64 = encode_base64url('c.0.0.0');
is(get("/api/v1/changes?since=$b64")->{status}, 200, 'a cursor of three numbers (before editors\' changes) is still good');

ok(sse_until(qr/event: article\r?\ndata: \{"id":$art{hide}{id},/), 'the live stream announces the released article')
    or diag($sse_buf);
ok(eventually(sub { grep { $_->{event} eq 'article' && $_->{id} == $held } hook_events() }, within => 10),
   'the webhook gets an article event for the released agency-held item');

# Section and topics ----------------------------------------------------------------------
my $sid = $art{section}{id};
my $shead = $art{section}{headline};
my $page = text_of(get("/redaktion/artikel/$sid", Cookie => $anna)->{content});
like($page, qr{<select id="ressort" name="text">.*<option value="panorama" selected>Panorama</option>}s,
     'the editors\' page offers the sections, the article\'s own chosen');
like($page, qr{<input type="text" id="themen" name="text"[^>]* value="[^"]*">}, '... and its topics to edit');
like(text_of(get('/ressort/panorama')->{content}), qr/\Q$shead\E/, 'the article is in Panorama');
my $feed2 = $json->decode(get('/api/v1/changes')->{content})->{next_cursor};
is(act($sid, aktion => 'section', text => 'inland')->{status}, 303, 'an editor moves it to Inland');
ok(eventually(sub { text_of(get('/ressort/inland')->{content}) =~ /\Q$shead\E/ }), '... the Inland page lists it');
ok(eventually(sub { text_of(get('/ressort/panorama')->{content}) !~ /\Q$shead\E/ }), '... Panorama no longer');
is($json->decode(get("/api/v1/articles/$sid")->{content})->{section}{name}, 'Inland', '... the API says Inland');
is(act($sid, aktion => 'section', text => 'gibtsnicht')->{status}, 422, 'an unknown section is refused');
$o = `$bin article topics $sid 'Zoo, Tierschutz ,Berlin' --as anna --db $db 2>&1`;
is($?, 0, 'meldung article topics') or diag($o);
ok(eventually(sub { text_of(get('/thema/tierschutz')->{content}) =~ /\Q$shead\E/ }), '... the topic page lists it');
ok(eventually(sub { join(',', map { $_->{name} } @{ $json->decode(get("/api/v1/articles/$sid")->{content})->{topics} })
                     eq 'Zoo,Tierschutz,Berlin' }), '... the API has the topics in the given order');
$o = `$bin article topics $sid 'Zoo,,Berlin' --db $db 2>&1`;
is($? >> 8, 1, 'an empty topic between commas is refused');
like($o, qr/empty name between commas/, '... saying so');
$o = `$bin article section $sid --db $db 2>&1`;
is($? >> 8, 2, 'section without a slug is a usage error');
$ch = $json->decode(get("/api/v1/changes?since=$feed2")->{content});
is_deeply([map { "$_->{id}:$_->{type}" } @{ $ch->{changes} }], ["$sid:updated"],
          'changes: the new section and topics are one update');
my $urn = store_sql($db, "SELECT urn FROM article WHERE id = $sid");
chomp $urn;
my $t = time() + 1;
# Ingests version 9 of urn (entry n) with the fields given; returns the output.
sub send_version {
    my ($n, %f) = @_;
    open(my $vf, '>', "$tmp/update$n.json") or die;
    print $vf $json->encode({ version => 9, entry_id => "editorial-update-$n", pubstatus => 'usable',
        version_created => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)),
        updated => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)), %f });
    close $vf;
    return `$bin ingest --db $db $tmp/update$n.json 2>&1`;
}
$o = send_version(1, urn => $urn, headline => $shead, section => 'Panorama', topics => ['Tiere'],
    article_html => '<section class="main"><p>Neue Fassung der Agentur.</p></section>');
is($?, 0, 'the agency sends a new version in Panorama') or diag($o);
ok(eventually(sub { text_of(get("/api/v1/articles/$sid")->{content}) =~ /Neue Fassung der Agentur/ }),
   '... it is shown');
my $api = $json->decode(get("/api/v1/articles/$sid")->{content});
is($api->{section}{name}, 'Inland', '... but the editor\'s section stays');
is_deeply([map { $_->{name} } @{ $api->{topics} }], ['Zoo', 'Tierschutz', 'Berlin'], '... and the editor\'s topics');
like(text_of(get('/ressort/inland')->{content}), qr/\Q$shead\E/, '... it stays in Inland');
my $audit = text_of(get('/redaktion/audit', Cookie => admin_cookie($bin, $db))->{content});
like($audit, qr{<td[^>]*>section</td>\s*<td[^>]*><a[^>]*>article:$sid</a></td>\s*<td[^>]*>Ressort: Panorama</td>\s*<td[^>]*>Ressort: Inland</td>},
     'audit: the section change, before and after');
like($audit, qr{<td[^>]*>topics</td>\s*<td[^>]*><a[^>]*>article:$sid</a></td>\s*<td[^>]*>Themen: [^<]*</td>\s*<td[^>]*>Themen: Zoo, Tierschutz, Berlin</td>},
     'audit: the topics change, before and after');

# Stories: split and merge (demo: the two reports of the truce share a headline) ------------------------------------------------------------------
my $sq = sub { my $v = store_sql($db, "$_[0]"); chomp $v; $v };
my ($lead, $twin) = split /\n/, $sq->("SELECT id FROM article WHERE headline LIKE 'Moskau sagt befristete Waffenruhe%' ORDER BY id");
my $talks = $sq->("SELECT id FROM article WHERE headline LIKE 'Unterhändler setzen%'");
is($sq->("SELECT story_id FROM article WHERE id = $twin"), $lead, 'the grouping put the twin into the lead\'s story');
like(text_of(get("/redaktion/artikel/$twin", Cookie => $anna)->{content}), qr/name="aktion" value="split">/,
     'the editors\' page offers to split');
my $split_cursor = $json->decode(get('/api/v1/changes')->{content})->{next_cursor};
$sse_buf = '';
is(act($twin, aktion => 'split')->{status}, 303, 'an editor splits the twin off');
$ch = $json->decode(get("/api/v1/changes?since=$split_cursor")->{content});
is_deeply([map { "$_->{id}:$_->{type}" } @{ $ch->{changes} }], ["$twin:updated"],
          'changes: the split is listed as an update of the article split off');
is($ch->{changes}[0]{item}{story}{id} // $ch->{changes}[0]{item}{story_id}, $twin, '... with its new story')
    or diag(explain($ch->{changes}[0]{item}));
ok(sse_until(qr/event: article\r?\ndata: \{"id":$twin,/), '... the live stream announces it') or diag($sse_buf);
ok(eventually(sub { grep { $_->{event} eq 'article' && $_->{id} == $twin } hook_events() }, within => 10),
   '... and the webhook gets it') or diag(slurp("$tmp/hook.log"));
is($sq->("SELECT story_id FROM article WHERE id = $twin"), $twin, '... it is a story of its own');
is($sq->("SELECT story_id FROM article WHERE id = $lead"), $lead, '... the lead keeps its story');
is(act($twin, aktion => 'split')->{status}, 422, 'splitting a lone article is refused');
$urn = $sq->("SELECT urn FROM article WHERE id = $twin");
$o = send_version(2, urn => $urn, headline => 'Moskau sagt befristete Waffenruhe für Energieanlagen zu',
    article_html => '<section class="main"><p>Die Agentur ergänzt die Meldung.</p></section>');
is($?, 0, 'the agency sends a new version of the twin') or diag($o);
is($sq->("SELECT story_id FROM article WHERE id = $twin"), $twin, '... it stays apart');
my $near = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($sq->("SELECT published FROM article WHERE id = $lead") + 600));
$o = send_version(4, urn => 'urn:newsml:dpa.com:20090101:260101-99-999999',
    version_created => $near, updated => $near,
    headline => 'Moskau sagt befristete Waffenruhe für Energieanlagen zu',
    article_html => '<section class="main"><p>Eine dritte Meldung zur Waffenruhe.</p></section>');
is($?, 0, 'a third report with the same headline arrives') or diag($o);
my $third = $sq->("SELECT story_id FROM article WHERE urn = 'urn:newsml:dpa.com:20090101:260101-99-999999'");
ok($third == $lead || $third == $twin, '... it joins one of them');
is($sq->("SELECT story_id FROM article WHERE id = $twin"), $twin,
   '... linking both stories, it does not merge the split back');
is($sq->("SELECT story_id FROM article WHERE id = $lead"), $lead, '... the lead keeps its story');
$o = `$bin story merge $talks $lead --as anna --db $db 2>&1`;
is($?, 0, 'meldung story merge') or diag($o);
$ch = $json->decode(get("/api/v1/changes?since=$ch->{next_cursor}")->{content});
my %moved = map { $_->{id} => $_->{type} } @{ $ch->{changes} };
is($moved{$talks}, 'updated', 'changes: the merge is listed as an update of the articles that moved');
my $third_id = $sq->("SELECT id FROM article WHERE urn = 'urn:newsml:dpa.com:20090101:260101-99-999999'");
is(join(',', sort grep { $_ != $twin && $_ != $third_id } keys %moved),
   join(',', sort split /\n/, $sq->("SELECT id FROM article WHERE story_id = $lead AND id NOT IN ($lead, $third_id)")),
   '... every one of them (besides the twin\'s agency update and the third report)');
ok(sse_until(qr/event: article\r?\ndata: \{"id":$talks,/), '... the live stream announces it') or diag($sse_buf);
ok(eventually(sub { grep { $_->{event} eq 'article' && $_->{id} == $talks } hook_events() }, within => 10),
   '... and the webhook gets it') or diag(slurp("$tmp/hook.log"));
is($sq->("SELECT story_id FROM article WHERE id = $talks"), $lead, '... the talks join the lead\'s story');
ok(eventually(sub { text_of(get("/geschichte/$lead")->{content}) =~ /Unterhändler setzen/ }),
   '... and its story page lists them');
my $turn = $sq->("SELECT urn FROM article WHERE id = $talks");
$o = send_version(3, urn => $turn, headline => 'Unterhändler setzen Gespräche fort',
    article_html => '<section class="main"><p>Die Agentur ergänzt die Meldung über die Gespräche.</p></section>');
is($?, 0, 'the agency sends a new version of the merged article') or diag($o);
is($sq->("SELECT story_id FROM article WHERE id = $talks"), $lead, '... it stays in the story it was merged into');
$o = `$bin story merge $talks $lead --db $db 2>&1`;
is($? >> 8, 1, 'merging the same story again fails');
like($o, qr/in the same story already/, '... saying why');
$o = `$bin story split $lead --db $db 2>&1`;
is($?, 0, 'splitting the story\'s first article') or diag($o);
is($sq->("SELECT story_id FROM article WHERE id = $talks"), $talks, '... the rest is renumbered after its first');
$o = `$bin story merge $talks --db $db 2>&1`;
is($? >> 8, 2, 'merge with one article is a usage error');
is(join(' ', split /\n/, $sq->("SELECT article_id || '>' || story_id FROM ed_story ORDER BY article_id")),
   join(' ', map { "$_->[0]>$_->[1]" } sort { $a->[0] <=> $b->[0] } ([$lead, $lead], [$talks, $talks], [$twin, $twin])),
   'the decisions are recorded, the newest for each article');
$audit = text_of(get('/redaktion/audit', Cookie => admin_cookie($bin, $db))->{content});
like($audit, qr{<td[^>]*>split</td>\s*<td[^>]*><a[^>]*>article:$twin</a></td>\s*<td[^>]*>Geschichte: $lead</td>\s*<td[^>]*>Geschichte: $twin</td>},
     'audit: the split, before and after');
like($audit, qr{<td[^>]*>merge</td>\s*<td[^>]*><a[^>]*>article:$talks</a></td>\s*<td[^>]*>Geschichte: $talks</td>\s*<td[^>]*>Geschichte: $lead</td>},
     'audit: the merge');

# The home page's order: pinned stories first ----------------------------------------------
my $front = sub { text_of(get('/')->{content}) };
my $lead_of = sub { ($front->() =~ m{<article class="lead-story">.*?<h2><a href="[^"]*">([^<]+)</a></h2>}s)[0] // '' };
my $pos = sub { my ($h) = @_; my $p = $front->(); my $i = index($p, $h); $i < 0 ? 1e9 : $i };
my ($p1, $p2, $p3) = ($art{hide}, $art{section}, $art{withdraw});
is(act($p2->{id}, aktion => 'pin', text => '2')->{status}, 303, 'pin one at place 2');
is(act($p1->{id}, aktion => 'pin')->{status}, 303, 'pin another at place 1 (the default)');
$o = `$bin article pin $talks 1 --db $db 2>&1`;
is($?, 0, 'pin a third from the command line: it leads') or diag($o);
my $talks_head = text_of($sq->("SELECT headline FROM article WHERE id = $talks"));
ok(eventually(sub { $lead_of->() eq $talks_head }), 'the newest pin at place 1 leads the home page');
ok(eventually(sub { $pos->($p1->{headline}) < $pos->($p2->{headline}) }), '... the others follow in order');
is(join(',', split /\n/, $sq->("SELECT article_id FROM pin ORDER BY slot")),
   "$talks,$p1->{id},$p2->{id}", '... the store holds the order 1..3');
like(text_of(get("/redaktion/artikel/$p2->{id}", Cookie => $anna)->{content}), qr/an Stelle 3 angeheftet/,
     'the editors\' page says its place');
is(act($p2->{id}, aktion => 'pin', text => '1')->{status}, 303, 'moving a pinned one to place 1');
ok(eventually(sub { $lead_of->() eq $p2->{headline} }), '... it leads now');
is(act($p2->{id}, aktion => 'pin', text => '1')->{status}, 422, 'pinning it at the same place again is refused');
is(act($p2->{id}, aktion => 'pin', text => '99')->{status}, 422, 'a place past the limit is refused');
is(act($p3->{id}, aktion => 'pin', text => '1')->{status}, 422, 'a withdrawn article cannot be pinned');
$o = `$bin article unpin $p2->{id} --db $db 2>&1`;
is($?, 0, 'unpin') or diag($o);
ok(eventually(sub { $lead_of->() eq $talks_head }), '... the next pinned story leads');
is(join(',', split /\n/, $sq->("SELECT slot || ':' || article_id FROM pin ORDER BY slot")),
   "1:$talks,2:$p1->{id}", '... and the places close up');
$audit = text_of(get('/redaktion/audit', Cookie => admin_cookie($bin, $db))->{content});
like($audit, qr{<td[^>]*>pin</td>\s*<td[^>]*><a[^>]*>article:$p2->{id}</a></td>\s*<td[^>]*>angeheftet an Stelle 3</td>\s*<td[^>]*>Aufmacher</td>},
     'audit: a pin moved, before and after');

close $sse;
is(stop($srv), 0, 'server stops cleanly');
done_testing();
