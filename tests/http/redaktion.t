#!/usr/bin/perl
# tests/http/redaktion.t - the editors' overview pages, end to end through
# the real binary on 127.0.0.1 (docs/internals/editors.md, "Pages"):
#
#   - hold: an editor puts a published article on hold (web and
#     `meldung article hold ID --reason`); it leaves every page, feed,
#     sitemap, search and API list, answers 404 like an item the agency
#     holds back, waits in the held list (/redaktion/zurueckgehalten)
#     with its reason, and is released from there;
#   - the pins overview (/redaktion/aufmacher): the pinned stories in
#     order, moved up and down and unpinned by plain forms, audit-logged;
#   - accounts (/redaktion/konten): admins only (editors 403), add,
#     change role, reset password, delete, never one's own; Argon2id
#     hashes; last login and the lock shown; audit-logged;
#   - every new form carries the CSRF token (a POST without it changes
#     nothing), every new page the security headers, and what editors or
#     agencies typed is HTML-escaped.
use strict;
use warnings;
use utf8;
use JSON::PP;
use POSIX qw(strftime);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(150, utf8 => 1);
my $db = store_db($tmp, 'redaktion');
my $json = JSON::PP->new->utf8;
my $FORM = 'application/x-www-form-urlencoded';

my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);
# An article whose headline would be markup if it were not escaped.
my $evil = 'Streit um <b>Zölle</b> & "Quoten"';
my $t = time() - 60;
open(my $fh, '>', "$tmp/evil.json") or die;
print $fh $json->encode({ urn => 'urn:test:redaktion:evil', version => 1, entry_id => 'redaktion-evil-1',
    pubstatus => 'usable', version_created => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)),
    updated => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)), headline => $evil, section => 'Wirtschaft',
    article_html => '<section class="main"><p>Ein Text über Zölle.</p></section>' });
close $fh;
$out = `$bin ingest --db $db $tmp/evil.json 2>&1`;
is($?, 0, 'an article with markup characters in its headline') or diag($out);
my $sq = sub { my $v = store_sql($db, "$_[0]"); chomp $v; $v };
my $evil_id = $sq->("SELECT id FROM article WHERE urn = 'urn:test:redaktion:evil'");
ok($evil_id, '... is stored');
my ($rc, $o) = user_add($bin, $db, 'anna', 'editor', 'anna-passwort-1');
is($rc, 0, 'an editor') or diag($o);
($rc, $o) = user_add($bin, $db, 'boss', 'admin', 'boss-passwort-1');
is($rc, 0, 'an admin') or diag($o);

my ($srv, $url) = serve($bin, 'serve prints its URL', '--db', $db);
my $anna = login('anna', 'anna-passwort-1');
my $boss = login('boss', 'boss-passwort-1');
ok($anna && $boss, 'both log in');
my %csrf;
for ([anna => $anna], [boss => $boss]) {
    ($csrf{ $_->[0] }) = text_of(get('/redaktion/', Cookie => $_->[1])->{content}) =~ /name="csrf" value="([0-9a-f]{64})"/;
}
sub post {
    my ($cookie, $path, %f) = @_;
    return request('POST', $path, headers => { Cookie => $cookie, 'Content-Type' => $FORM }, content => form(%f));
}
sub act { my ($id, %f) = @_; return post($anna, "/redaktion/artikel/$id", csrf => $csrf{anna}, %f) }
# secure(RESPONSE, NAME): the site's security headers are on an answer.
sub secure {
    my ($r, $name) = @_;
    my $h = $r->{headers};
    ok(($h->{'content-security-policy'} // '') =~ /default-src 'none'/ && ($h->{'x-content-type-options'} // '') eq 'nosniff'
       && ($h->{'cache-control'} // '') eq 'no-store' && defined $h->{'referrer-policy'},
       "$name: security headers, not cached") or diag(explain($h));
}

# Hold and the held list ------------------------------------------------------------------------
my $api = $json->decode(get("/api/v1/articles/$evil_id")->{content});
my $path = $api->{url} =~ s{^https?://[^/]+}{}r;
is(get($path)->{status}, 200, 'the article is published');
my $bar = text_of(get('/redaktion/', Cookie => $anna)->{content});
like($bar, qr{<a href="/redaktion/zurueckgehalten">Zurückgehalten</a>.*<a href="/redaktion/aufmacher">Aufmacher</a>}s,
     'the bar links the held list and the pins');
unlike($bar, qr{/redaktion/konten}, '... but not the accounts for an editor');
my $page = text_of(get("/redaktion/artikel/$evil_id", Cookie => $anna)->{content});
like($page, qr/name="aktion" value="hold">/, 'the article page offers to hold it');
unlike($page, qr/<b>Zölle/, '... its headline escaped');
is(act($evil_id, aktion => 'hold', text => 'Rechtsprüfung <script>')->{status}, 303, 'an editor holds it, with a reason');
ok(eventually(sub { get($path)->{status} == 404 }), '... it answers 404');
my $held_agency = $sq->("SELECT id FROM article WHERE pubstatus = 3 LIMIT 1");
my ($hp) = $json->decode(get("/api/v1/articles?limit=100")->{content});
ok(!(grep { $_->{id} == $evil_id } @{ $hp->{items} }), '... it leaves the API list');
is(get("/api/v1/articles/$evil_id")->{status}, 404, '... the API answers 404 as for a held item');
unlike(text_of(get('/ressort/wirtschaft')->{content}), qr/Zölle/, '... its section');
unlike(text_of(get('/feed.xml')->{content}), qr/Zölle/, '... the feed');
unlike(text_of(get('/sitemap-news.xml')->{content}), qr/-$evil_id\b/, '... the news sitemap');
unlike(text_of(get('/suche?q=Z%C3%B6lle')->{content}), qr/Quoten/, '... and search');
my $r = get('/redaktion/zurueckgehalten', Cookie => $anna);
is($r->{status}, 200, 'the held list');
secure($r, 'the held list');
my $held = text_of($r->{content});
like($held, qr{<a href="/redaktion/artikel/$evil_id">Streit um &lt;b&gt;Zölle&lt;/b&gt; &amp; &quot;Quoten&quot;</a>},
     '... lists the article, escaped');
like($held, qr{zurückgehalten \(Redaktion\) \(anna\)</td>\s*<td data-label="Grund">Rechtsprüfung &lt;script&gt;</td>},
     '... who held it and why, escaped');
like($held, qr{/redaktion/artikel/$held_agency">}, '... and the item the agency holds back');
like($held, qr{<input type="hidden" name="csrf" value="$csrf{anna}">\s*<input type="hidden" name="aktion" value="release">},
     '... each with a release form carrying the token');
unlike($held, qr{<td data-label="Zustand">(?:veröffentlicht|freigegeben)}, '... and nothing readers see');
is(act($evil_id, aktion => 'release', zurueck => '/redaktion/zurueckgehalten', csrf => 'falsch')->{status}, 403,
   'a release with a wrong token is refused');
is(get($path)->{status}, 404, '... the article stays held');
$r = act($evil_id, aktion => 'release', zurueck => '/redaktion/zurueckgehalten');
is($r->{status}, 303, 'released from the held list');
is($r->{headers}{location}, '/redaktion/zurueckgehalten?erledigt=release', '... back to the list');
ok(eventually(sub { get($path)->{status} == 200 }), '... the article is published again');
unlike(text_of(get('/redaktion/zurueckgehalten', Cookie => $anna)->{content}), qr{/redaktion/artikel/$evil_id"},
       '... and leaves the held list');
is(act($evil_id, aktion => 'release', zurueck => 'https://example.com/')->{status}, 422,
   'releasing a published article is refused');
$r = act($evil_id, aktion => 'correct', text => 'Tippfehler', zurueck => 'https://example.com/');
is($r->{headers}{location}, "/redaktion/artikel/$evil_id?erledigt=correct", 'an unknown way back goes to the article page');
$o = `$bin article hold $evil_id --reason 'vom Terminal' --as anna --db $db 2>&1`;
is($?, 0, 'meldung article hold --reason') or diag($o);
ok(eventually(sub { get($path)->{status} == 404 }), '... the article answers 404');
like(text_of(get('/redaktion/zurueckgehalten', Cookie => $anna)->{content}), qr{<td data-label="Grund">vom Terminal</td>},
     '... and is in the held list with its reason');
$o = `$bin article hold $evil_id --db $db 2>&1`;
is($? >> 8, 1, 'holding a held article fails');
like($o, qr/is held already/, '... saying why');
$o = `$bin article release $evil_id --db $db 2>&1`;
is($?, 0, 'meldung article release') or diag($o);
ok(eventually(sub { get($path)->{status} == 200 }), '... published again');

# The pins overview ---------------------------------------------------------------------------------
my @pin = map { $_->{id} } @{ $json->decode(get('/api/v1/articles?limit=3')->{content})->{items} };
is(scalar(@pin), 3, 'three articles to pin');
is(act($pin[$_], aktion => 'pin', text => $_ + 1)->{status}, 303, "pin at place " . ($_ + 1)) for 0 .. 2;
my $order = sub { join(',', split /\n/, $sq->("SELECT article_id FROM pin ORDER BY slot")) };
is($order->(), join(',', @pin), 'the store holds them in order');
$r = get('/redaktion/aufmacher', Cookie => $anna);
is($r->{status}, 200, 'the pins overview');
secure($r, 'the pins overview');
my $pins = text_of($r->{content});
my @listed = $pins =~ m{<td data-label="Stelle">\d+</td>\s*<th scope="row"><a href="/redaktion/artikel/(\d+)">}g;
is(join(',', @listed), join(',', @pin), '... lists them in order');
my @forms = $pins =~ m{(<form class="inline-form" action="/redaktion/artikel/\d+" method="post">.*?</form>)}gs;
is(scalar(@forms), 3 + 2 + 2, '... with unpin for each, up for all but the first, down for all but the last');
is(scalar(grep { /name="csrf" value="$csrf{anna}"/ && /name="zurueck" value="\/redaktion\/aufmacher"/ } @forms),
   scalar(@forms), '... every form with the token and the way back');
unlike($pins, qr{artikel/$pin[0]" method="post">\s*<input[^>]*>\s*<input type="hidden" name="aktion" value="pin">\s*<input type="hidden" name="text" value="0">},
       '... the first has no way up');
$r = act($pin[2], aktion => 'pin', text => '2', zurueck => '/redaktion/aufmacher');
is($r->{status}, 303, 'move the third up');
is($r->{headers}{location}, '/redaktion/aufmacher?erledigt=pin', '... back to the overview');
is($order->(), "$pin[0],$pin[2],$pin[1]", '... it is second now');
like(text_of(get('/redaktion/aufmacher?erledigt=pin', Cookie => $anna)->{content}), qr/class="notice" role="status">Die Meldung ist/,
     '... and the overview confirms');
is(act($pin[0], aktion => 'pin', text => '2', zurueck => '/redaktion/aufmacher')->{status}, 303, 'move the first down');
is($order->(), "$pin[2],$pin[0],$pin[1]", '... the lead changes');
ok(eventually(sub { my $p = text_of(get('/')->{content});
                    my ($lead) = $p =~ m{<article class="lead-story">.*?<h2><a href="[^"]*-(\d+)"}s; ($lead // 0) == $pin[2] }),
   '... on the home page too');
is(post($anna, "/redaktion/artikel/$pin[1]", aktion => 'unpin', zurueck => '/redaktion/aufmacher')->{status}, 403,
   'unpin without a token is refused');
is($order->(), "$pin[2],$pin[0],$pin[1]", '... nothing changed');
is(act($pin[1], aktion => 'unpin', zurueck => '/redaktion/aufmacher')->{status}, 303, 'unpin from the overview');
is($order->(), "$pin[2],$pin[0]", '... the others stay in order');
is(act($evil_id, aktion => 'pin', text => '3')->{status}, 303, 'pin the escaped headline');
like(text_of(get('/redaktion/aufmacher', Cookie => $anna)->{content}), qr{>Streit um &lt;b&gt;Zölle&lt;/b&gt; &amp; &quot;Quoten&quot;</a>},
     '... the overview escapes it');
is(act($evil_id, aktion => 'hold')->{status}, 303, 'hold a pinned article');
like(text_of(get('/redaktion/aufmacher', Cookie => $anna)->{content}), qr{zurückgehalten \(Redaktion\) \(übersprungen, solange nicht sichtbar\)},
     '... the overview says it is skipped');
is(act($evil_id, aktion => 'release')->{status}, 303, '... release it');

# Accounts -------------------------------------------------------------------------------------------
is(get('/redaktion/konten', Cookie => $anna)->{status}, 403, 'accounts: an editor gets 403');
is(post($anna, '/redaktion/konten', csrf => $csrf{anna}, aktion => 'del', name => 'boss')->{status}, 403,
   '... also for a POST');
is($sq->("SELECT count(*) FROM account WHERE name = 'boss'"), 1, '... which changes nothing');
is(get('/redaktion/konten')->{headers}{location}, '/redaktion/login?weiter=/redaktion/konten', 'without a session: the login');
$r = get('/redaktion/konten', Cookie => $boss);
is($r->{status}, 200, 'an admin reads the accounts');
secure($r, 'the accounts page');
my $acc = text_of($r->{content});
like(text_of(get('/redaktion/', Cookie => $boss)->{content}), qr{<a href="/redaktion/konten">Konten</a>}, '... linked in the admin\'s bar');
like($acc, qr{<th scope="row">anna</th>\s*<td data-label="Rolle">editor</td>\s*<td[^>]*>[^<]+</td>\s*<td data-label="Letzte Anmeldung">\d\d\.\d\d\.\d{4}},
     '... name, role, created, last login');
like($acc, qr{<th scope="row">boss \(Sie\)</th>}, '... the admin\'s own marked');
my ($own) = $acc =~ m{(<th scope="row">boss \(Sie\)</th>.*?</tr>)}s;
unlike($own, qr/value="del"|value="role"/, '... with no delete or role button for it');
like($acc, qr{<input type="hidden" name="aktion" value="add">}, '... a form to add one');
my $forms_ok = () = $acc =~ m{<form[^>]*action="/redaktion/konten" method="post"[^>]*>\s*<input type="hidden" name="csrf" value="$csrf{boss}">}g;
my $forms_all = () = $acc =~ m{<form[^>]*action="/redaktion/konten"}g;
is($forms_ok, $forms_all, '... every form with the token');

sub account { my (%f) = @_; return post($boss, '/redaktion/konten', csrf => $csrf{boss}, %f) }
is(post($boss, '/redaktion/konten', aktion => 'add', name => 'zoe', rolle => 'editor', passwort => 'zoe-passwort-1')->{status},
   403, 'add without a token is refused');
is($sq->("SELECT count(*) FROM account WHERE name = 'zoe'"), 0, '... nothing added');
$r = account(aktion => 'add', name => 'zoe', rolle => 'editor', passwort => 'zoe-passwort-1');
is($r->{status}, 303, 'an admin adds an account');
is($r->{headers}{location}, '/redaktion/konten?erledigt=add', '... back to the page');
like($sq->("SELECT pw_hash FROM account WHERE name = 'zoe'"), qr/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/, '... hashed with Argon2id');
like(text_of(get('/redaktion/konten?erledigt=add', Cookie => $boss)->{content}),
     qr{Das Konto ist angelegt\..*<th scope="row">zoe</th>\s*<td data-label="Rolle">editor</td>.*?<td data-label="Letzte Anmeldung">nie</td>}s,
     '... confirmed; listed, never logged in');
my $zoe = login('zoe', 'zoe-passwort-1');
ok($zoe, 'the new account logs in');
is(account(aktion => 'add', name => 'zoe', rolle => 'editor', passwort => 'zoe-passwort-1')->{status}, 422, 'a taken name is refused');
is(account(aktion => 'add', name => 'Zoe<', rolle => 'editor', passwort => 'zoe-passwort-1')->{status}, 422, 'a bad name is refused');
$r = account(aktion => 'add', name => 'kurz', rolle => 'editor', passwort => 'kurz');
is($r->{status}, 422, 'a short password is refused');
like(text_of($r->{content}), qr/class="notice error" role="alert">Abgelehnt: /, '... saying why');
is(account(aktion => 'add', name => 'rolle', rolle => 'chef', passwort => 'rolle-passwort-1')->{status}, 400, 'an unknown role is refused');
is(account(aktion => 'zaubern', name => 'zoe')->{status}, 400, 'an unknown action is refused');
is(get('/redaktion/konten', Cookie => $zoe)->{status}, 403, 'zoe, an editor, cannot read the accounts');
is(account(aktion => 'role', name => 'zoe', rolle => 'admin')->{status}, 303, 'the admin makes zoe an admin');
is(get('/redaktion/konten', Cookie => $zoe)->{status}, 200, '... her running session reads the accounts now');
is(account(aktion => 'role', name => 'boss', rolle => 'editor')->{status}, 422, 'an admin cannot change their own role');
is(account(aktion => 'del', name => 'boss')->{status}, 422, '... nor delete their own account');
is($sq->("SELECT role FROM account WHERE name = 'boss'"), 2, '... still an admin');
is(account(aktion => 'passwd', name => 'zoe', passwort => 'zoe-passwort-2')->{status}, 303, 'the admin resets zoe\'s password');
is(get('/redaktion/', Cookie => $zoe)->{status}, 303, '... which ends her sessions');
ok(!login('zoe', 'zoe-passwort-1'), '... the old password fails');
ok(login('zoe', 'zoe-passwort-2'), '... the new one works');
# Five failures in a row lock an account: the page says so.
login('anna', 'falsch-falsch-falsch') for 1 .. 5;
like(text_of(get('/redaktion/konten', Cookie => $boss)->{content}),
     qr{<th scope="row">anna</th>.*?<td data-label="Gesperrt">ja \(5 Fehlversuche\)</td>}s, 'a locked account shows as locked');
like(`$bin user list --db $db`, qr/^anna\s+editor\s+\S+\s+\d{4}-\d\d-\d\dT[\d:]{5}\s+5 \(locked\)$/m,
     'user list: the last login and the lock too');
like(`$bin user list --db $db`, qr/^zoe\s+admin\s+\S+\s+\d{4}-/m, '... and an account added on the web');
is(account(aktion => 'del', name => 'niemand')->{status}, 404, 'deleting an unknown account: 404');
is(account(aktion => 'del', name => 'zoe')->{status}, 303, 'the admin deletes zoe');
is($sq->("SELECT count(*) FROM account WHERE name = 'zoe'"), 0, '... gone');
is($sq->("SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.name = 'zoe'"), 0, '... with her sessions');
my $big = 'x' x 3000;
is(account(aktion => 'add', name => 'gross', rolle => 'editor', passwort => $big)->{status}, 413, 'a form over the limit: 413');

# The audit log ------------------------------------------------------------------------------------
my $audit = text_of(get('/redaktion/audit', Cookie => $boss)->{content});
my @rows = $audit =~ m{<tr>\s*<th scope="row"><time[^>]*>[^<]+</time></th>\s*(.*?)</tr>}gs;
my @lines = map { join('|', map { my $c = $_; $c =~ s/<[^>]+>//g; $c } m{<td data-label="[^"]+">(.*?)</td>}g) } @rows;
my $has = sub { my ($re, $name) = @_; ok(scalar(grep { /$re/ } @lines), "audit: $name") or diag(join("\n", @lines)) };
$has->(qr/^anna\|hold\|article:$evil_id\|sichtbar\|zurückgehalten: Rechtsprüfung &lt;script&gt;$/, 'hold with its reason, escaped');
$has->(qr/^anna\|release\|article:$evil_id\|zurückgehalten: Rechtsprüfung &lt;script&gt;\|sichtbar$/, 'release');
$has->(qr/^anna\|hold\|article:$evil_id\|sichtbar\|zurückgehalten: vom Terminal$/, 'hold from the command line');
$has->(qr/^anna\|pin\|article:$pin[2]\|angeheftet an Stelle 3\|angeheftet an Stelle 2$/, 'a pin moved up');
$has->(qr/^anna\|pin\|article:$pin[0]\|Aufmacher\|angeheftet an Stelle 2$/, 'a pin moved down');
$has->(qr/^anna\|unpin\|article:$pin[1]\|angeheftet an Stelle 3\|kein Aufmacher$/, 'an unpin from the overview');
$has->(qr/^boss\|user-add\|zoe\|\|editor$/, 'an account added by the admin');
$has->(qr/^boss\|user-role\|zoe\|editor\|admin$/, 'a role changed, before and after');
$has->(qr/^boss\|user-passwd\|zoe\|\|neues Passwort$/, 'a password reset');
$has->(qr/^boss\|user-del\|zoe\|admin\|$/, 'an account deleted, with its role before');

is(stop($srv), 0, 'server stops cleanly');
done_testing();
