#!/usr/bin/perl
# tests/http/editors.t - the editors' interface end to end, through the
# real binary on 127.0.0.1 (docs/internals/editors.md):
#
#   - `meldung user add|list|passwd|del`: password from stdin only,
#     Argon2id hashes in the store, clear refusals;
#   - login (form token, wrong password, unknown name, throttle), the
#     session cookie's attributes, logout, the session stored hashed;
#   - CSRF: a POST without the token, with a wrong one or another
#     session's is refused and changes nothing;
#   - withdraw, hold, release and correct through the web and through
#     `meldung article`, each with its effect on the public pages (410
#     with the reason, 404 and gone from lists, the correction note),
#     feeds, sitemap, search and API;
#   - an editor's decision survives a later agency version, and the
#     editor's page shows what the agency changed since;
#   - the audit log, for admins only; /status for admins only.
use strict;
use warnings;
use utf8;
use Digest::SHA qw(sha256_hex);
use Encode qw(encode);
use JSON::PP;
use POSIX qw(strftime);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(180, utf8 => 1);
my $db = store_db($tmp, 'editors');
my $json = JSON::PP->new->utf8;
my $FORM = 'application/x-www-form-urlencoded';

my $out = `$bin ingest --db $db demo/ 2>&1`;
is($?, 0, 'demo wire ingests') or diag($out);

# Accounts from the command line ------------------------------------------------
my ($rc, $o) = user_add($bin, $db, 'anna', 'editor', 'anna-passwort-1');
is($rc, 0, 'user add: an editor') or diag($o);
like($o, qr/user anna added \(editor\)/, '... says so');
($rc, $o) = user_add($bin, $db, 'boss', 'admin', 'boss-passwort-1');
is($rc, 0, 'user add: an admin') or diag($o);
($rc, $o) = user_add($bin, $db, 'kurt', 'editor', 'kurz');
is($rc, 1, 'a short password is refused');
like($o, qr/password too short: at least 10 characters/, '... naming the reason');
($rc, $o) = user_add($bin, $db, 'anna', 'editor', 'anna-passwort-2');
is($rc, 1, 'a taken name is refused');
like($o, qr/user 'anna' exists already/, '... naming it');
($rc, $o) = user_add($bin, $db, 'eva', 'chef', 'eva-passwort-1');
is($rc, 2, 'an unknown role is a usage error');
like($o, qr/--role wants editor or admin, got 'chef'/, '... naming the roles');
($rc, $o) = user_add($bin, $db, 'Eva!', 'editor', 'eva-passwort-1');
is($rc, 1, 'a bad name is refused');
like($o, qr/only a-z, 0-9/, '... saying what a name may hold');
$o = `$bin user add eva --role editor --password geheim123456 --db $db 2>&1 </dev/null`;
is($? >> 8, 2, 'no password on the command line: --password is no option');
like($o, qr/unknown option '--password'/, '... and the message says so');
my $list = `$bin user list --db $db 2>&1`;
like($list, qr/^anna\s+editor\s/m, 'user list: anna is an editor');
like($list, qr/^boss\s+admin\s/m, 'user list: boss is an admin');
unlike($list, qr/argon2|passwort/i, 'user list shows no hash and no password');
my $hash = store_sql($db, "SELECT pw_hash FROM account WHERE name = 'anna'");
like($hash, qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+\/]{22}\$[A-Za-z0-9+\/]{43}$/,
     'the store keeps an Argon2id encoded hash with salt and parameters');
unlike($hash, qr/anna-passwort/, '... not the password');
($rc, $o) = user_add($bin, $db, 'wegdamit', 'editor', 'weg-passwort-1');
$o = `$bin user del wegdamit --db $db 2>&1`;
is($?, 0, 'user del') or diag($o);
unlike(`$bin user list --db $db`, qr/wegdamit/, '... the account is gone');
$o = `$bin user del niemand --db $db 2>&1`;
is($? >> 8, 1, 'user del of an unknown name fails');
like($o, qr/no user 'niemand'/, '... naming it');

# The server; the articles the test acts on ------------------------------------------
my ($srv) = serve($bin, 'serve prints its URL', '--db', $db);
my $items = $json->decode(get('/api/v1/articles?limit=100')->{content})->{items};
my %art;
for my $it (@$items) {
    $art{web_withdraw} = $it if $it->{headline} =~ /Pilotprojekt für digitale Bürgerämter/;
    $art{web_hide} = $it if $it->{headline} =~ /Sturmtief legt Teile/;
    $art{web_correct} = $it if $it->{headline} =~ /Doppelter Nachwuchs/;
    $art{cli_withdraw} = $it if $it->{headline} =~ /Batteriewerk im Elsass/;
    $art{cli_hide} = $it if $it->{headline} =~ /Weltcup-Abfahrt/;
    $art{cli_correct} = $it if $it->{headline} =~ /Sanierung von Schulgebäuden/;
}
is(scalar(keys %art), 6, 'the six articles of the test are listed') or BAIL_OUT('demo changed');
my %path = map { $_ => ($art{$_}{url} =~ m{^https?://[^/]+(/.*)$})[0] // $art{$_}{url} } keys %art;
is(get($path{$_})->{status}, 200, "$_: the article is up") for sort keys %path;

# Login ----------------------------------------------------------------------------------
my $r = get('/redaktion/login');
is($r->{status}, 200, 'the login form answers 200');
my ($pre) = join(' ', set_cookies($r)) =~ /mld_anmeldung=([0-9a-f]{64})/;
ok($pre, '... with a pre-login token in a cookie');
like(join(' ', set_cookies($r)), qr/mld_anmeldung=[0-9a-f]+; Max-Age=\d+; Path=\/redaktion\/login; HttpOnly; Secure; SameSite=Strict/,
     '... HttpOnly, Secure, SameSite=Strict, for the login path only');
like(text_of($r->{content}), qr/<input type="hidden" name="csrf" value="$pre">/, '... and the same token in the form');
like(text_of($r->{content}), qr/<label for="passwort">Passwort<\/label>.*type="password"/s, '... a labelled password field');
is($r->{headers}{'cache-control'}, 'no-store', '... never cached');

# Posts the login form with the pre-login token tok (cookie and field).
sub login_post {
    my ($tok, %f) = @_;
    return request('POST', '/redaktion/login',
        headers => { Cookie => "mld_anmeldung=$tok", 'Content-Type' => $FORM },
        content => form(csrf => $tok, %f));
}
$r = login_post($pre, name => 'anna', passwort => 'falsches-passwort');
is($r->{status}, 401, 'a wrong password: 401');
like(text_of($r->{content}), qr/Name oder Passwort ist falsch/, '... saying so in German');
unlike(join(' ', set_cookies($r)), qr/mld_sitzung=[0-9a-f]/, '... and no session');
$r = login_post($pre, name => 'niemand', passwort => 'irgendein-passwort');
is($r->{status}, 401, 'an unknown name: the same 401');
$r = request('POST', '/redaktion/login', headers => { 'Content-Type' => $FORM },
             content => form(csrf => $pre, name => 'anna', passwort => 'anna-passwort-1'));
is($r->{status}, 403, 'a login without the pre-login cookie is refused (CSRF)');
$r = login_post($pre, name => 'anna', passwort => 'anna-passwort-1');
is($r->{status}, 303, 'the right password: 303');
is($r->{headers}{location}, '/redaktion/', '... to the start page');
my $sc = join(' ', set_cookies($r));
my ($sid) = $sc =~ /mld_sitzung=([0-9a-f]{64})/;
ok($sid, '... with a session cookie of 256 random bits');
like($sc, qr/mld_sitzung=$sid; Max-Age=28800; Path=\/redaktion; HttpOnly; Secure; SameSite=Strict/,
     '... HttpOnly, Secure, SameSite=Strict, Path=/redaktion, 8 hours');
my $anna = "mld_sitzung=$sid";
my $stored = store_sql($db, "SELECT id_hash FROM session");
unlike($stored, qr/$sid/, 'the store does not hold the session id');
like($stored, qr/^\Q${\ sha256_hex($sid)}\E$/m, '... only its SHA-256');
$r = login_post($pre, name => 'boss', passwort => 'boss-passwort-1', weiter => '/redaktion/audit');
is($r->{headers}{location}, '/redaktion/audit', 'login goes on to the page it was asked for');
my ($bsid) = join(' ', set_cookies($r)) =~ /mld_sitzung=([0-9a-f]{64})/;
my $boss = "mld_sitzung=$bsid";
$r = login_post($pre, name => 'boss', passwort => 'boss-passwort-1', weiter => 'https://evil.example/');
is($r->{headers}{location}, '/redaktion/', '... but never off the editors\' pages');

$r = get('/redaktion/');
is($r->{status}, 303, 'the start page without a session: 303');
is($r->{headers}{location}, '/redaktion/login?weiter=/redaktion/', '... to the login form');
$r = get('/redaktion/', Cookie => $anna);
is($r->{status}, 200, 'the start page with a session: 200');
my $home = text_of($r->{content});
like($home, qr/Angemeldet als <strong>anna<\/strong> \(editor\)/, '... says who is logged in');
like($home, qr{<a href="/redaktion/artikel/$art{web_hide}{id}">Sturmtief legt Teile}, '... lists the latest articles');
like($home, qr{<form class="search-form" action="/redaktion/" method="get"}, '... with a search box');
unlike($home, qr{href="/redaktion/audit"}, '... an editor sees no link to the audit log');
like(text_of(get('/redaktion/?q=Pandas', Cookie => $anna)->{content}),
     qr{<a href="/redaktion/artikel/$art{web_correct}{id}">Doppelter Nachwuchs}, 'the search finds an article');
is(get("/redaktion/?q=$art{web_hide}{id}", Cookie => $anna)->{headers}{location},
   "/redaktion/artikel/$art{web_hide}{id}", 'a number in the search box opens that article');

# The editor's article page, and its CSRF token.
$r = get("/redaktion/artikel/$art{web_withdraw}{id}", Cookie => $anna);
is($r->{status}, 200, 'the editors\' article page: 200');
my $page = text_of($r->{content});
my ($csrf) = $page =~ /name="csrf" value="([0-9a-f]{64})"/;
ok($csrf, '... its forms carry the session\'s CSRF token');
like($page, qr/Für Leser: <strong class="shown">veröffentlicht<\/strong>/, '... shows the state');
like($page, qr/<strong>Version 1<\/strong>.*erste Fassung/s, '... and the versions');
my ($bcsrf) = text_of(get('/redaktion/', Cookie => $boss)->{content}) =~ /name="csrf" value="([0-9a-f]{64})"/;

# Posts an action on article id as session cookie with the form fields.
sub act {
    my ($cookie, $id, %f) = @_;
    return request('POST', "/redaktion/artikel/$id",
        headers => { Cookie => $cookie, 'Content-Type' => $FORM }, content => form(%f));
}

# CSRF ---------------------------------------------------------------------------------
my $hid = $art{web_hide}{id};
is(act($anna, $hid, aktion => 'hide')->{status}, 403, 'an action without the CSRF token: 403');
is(act($anna, $hid, aktion => 'hide', csrf => 'f' x 64)->{status}, 403, '... with a wrong token: 403');
is(act($anna, $hid, aktion => 'hide', csrf => $bcsrf)->{status}, 403, '... with another session\'s token: 403');
is(act('', $hid, aktion => 'hide', csrf => $csrf)->{status}, 403, '... without a session: 403');
like(text_of(act($anna, $hid, aktion => 'hide')->{content}), qr/Sicherheitszeichen \(CSRF\)/, '... saying why');
is(get($path{web_hide})->{status}, 200, '... and the article is still up');
$r = request('POST', '/redaktion/logout', headers => { Cookie => $anna, 'Content-Type' => $FORM },
             content => form(csrf => 'x'));
is($r->{status}, 403, 'a logout without the right token is refused');
is(get('/redaktion/', Cookie => $anna)->{status}, 200, '... the session lives on');

# Actions through the web ----------------------------------------------------------------
my $wid = $art{web_withdraw}{id};
my $reason = 'Einstweilige Verfügung des Landgerichts Hamburg';
$r = act($anna, $wid, aktion => 'withdraw', csrf => $csrf, text => '   ');
is($r->{status}, 422, 'withdraw without a reason: 422');
like(text_of($r->{content}), qr/reason missing/, '... naming the reason');
$r = act($anna, $wid, aktion => 'withdraw', csrf => $csrf, text => $reason);
is($r->{status}, 303, 'withdraw through the web: 303');
is($r->{headers}{location}, "/redaktion/artikel/$wid?erledigt=withdraw", '... back to the article');
ok(eventually(sub { get($path{web_withdraw})->{status} == 410 }), 'the withdrawn article answers 410');
like(text_of(get($path{web_withdraw})->{content}), qr/Grund: \Q$reason\E/, '... showing the reason');
is(get("/api/v1/articles/$wid")->{status}, 410, '... the API answers 410');
my $head = $art{web_withdraw}{headline};
unlike(text_of(get('/')->{content}), qr/\Q$head\E/, '... gone from the home page');
unlike(text_of(get('/ressort/inland')->{content}), qr/\Q$head\E/, '... from its section');
unlike(text_of(get('/feed.xml')->{content}), qr/\Q$head\E/, '... from the feed');
unlike(text_of(get('/sitemap-news.xml')->{content} . get('/sitemap.xml')->{content}),
       qr/\Q$path{web_withdraw}\E/, '... from the sitemaps');
my $sm = text_of(get('/sitemap.xml')->{content});
my $all_sm = join('', map { text_of(get($_)->{content}) } $sm =~ m{<loc>https?://[^/]+(/sitemaps/[^<]+)</loc>}g);
unlike($all_sm, qr/\Q$path{web_withdraw}\E/, '... from the monthly sitemaps');
unlike(text_of(get('/suche?q=Pilotprojekt')->{content}), qr/\Q$head\E/, '... and from search');
like(text_of(get("/redaktion/artikel/$wid?erledigt=withdraw", Cookie => $anna)->{content}),
     qr/Die Meldung ist zurückgezogen\..*Entscheidung der Redaktion: <strong>zurückgezogen<\/strong> von anna/s,
     'the editors\' page confirms and shows the decision');
$r = act($anna, $wid, aktion => 'withdraw', csrf => $csrf, text => 'noch einmal');
is($r->{status}, 422, 'a second withdrawal is refused');

is(act($anna, $hid, aktion => 'release', csrf => $csrf)->{status}, 422, 'release of a shown article is refused');
is(act($anna, $hid, aktion => 'hold', csrf => $csrf, text => 'Rechtslage <prüfen>')->{status}, 303,
   'hold through the web, with a reason');
ok(eventually(sub { get($path{web_hide})->{status} == 404 }), 'the held article answers 404');
unlike(text_of(get('/ressort/panorama')->{content}), qr/Sturmtief legt Teile/, '... and leaves its section');
is(get("/api/v1/articles/$hid")->{status}, 404, '... the API does not know it');
is(act($anna, $hid, aktion => 'hold', csrf => $csrf)->{status}, 422, 'holding it again is refused');
is(act($anna, $hid, aktion => 'release', csrf => $csrf)->{status}, 303, 'release through the web');
ok(eventually(sub { get($path{web_hide})->{status} == 200 }), 'the article is back');
ok(eventually(sub { text_of(get('/ressort/panorama')->{content}) =~ /Sturmtief legt Teile/ }),
   '... in its section too');

my $cid = $art{web_correct}{id};
my $note = 'In einer früheren Fassung hieß der Tierpark falsch.';
is(act($anna, $cid, aktion => 'correct', csrf => $csrf, text => $note)->{status}, 303, 'correct through the web');
my $corr;
ok(eventually(sub { ($corr = text_of(get($path{web_correct})->{content})) =~ /Korrekturhinweis/ }),
   'the article shows a correction note');
like($corr, qr{<h2 id="korrektur">Korrekturhinweis</h2>\s*<p><time datetime="\d{4}-\d\d-\d\dT[\d:]+Z">\d\d\.\d\d\.\d{4} - [\d:]+</time>: \Q$note\E</p>},
     '... dated, with its text');
is(act($anna, $cid, aktion => 'zaubern', csrf => $csrf)->{status}, 400, 'an unknown action: 400');
is(act($anna, 999999, aktion => 'hold', csrf => $csrf)->{status}, 404, 'an unknown article: 404');

# Releasing an item the agency holds back (the demo's advisory) ------------------------------
my ($held_id, $held_slug, $held_head) =
    split /\|/, text_of(store_sql($db, "SELECT id, slug, headline FROM article WHERE pubstatus = 3 LIMIT 1"));
chomp($held_head);
my $held_path = "/artikel/$held_slug-$held_id";
is(get($held_path)->{status}, 404, 'a held item answers 404');
$page = text_of(get("/redaktion/artikel/$held_id", Cookie => $anna)->{content});
like($page, qr/Für Leser: <strong class="shown">nicht zur Veröffentlichung \(Agentur\)<\/strong>/,
     'the editors\' page says the agency holds it back');
like($page, qr/name="aktion" value="release">/, '... and offers to release it');
is(act($anna, $cid, aktion => 'release', csrf => $csrf)->{status}, 422, 'release of a shown article is refused');
is(act($anna, $held_id, aktion => 'release', csrf => $csrf)->{status}, 303, 'release through the web');
ok(eventually(sub { get($held_path)->{status} == 200 }), 'the released item answers 200');
ok(eventually(sub { text_of(get('/ressort/inland')->{content}) =~ /\Q$held_head\E/ }), '... and is in its section');
is(act($anna, $held_id, aktion => 'hide', csrf => $csrf)->{status}, 303, 'hide (the older name of hold) puts it away again');
ok(eventually(sub { get($held_path)->{status} == 404 }), '... 404');
is(act($anna, $held_id, aktion => 'release', csrf => $csrf)->{status}, 303, 'release');
ok(eventually(sub { get($held_path)->{status} == 200 }), '... it is shown again: released, though the agency holds it back');
$o = `$bin article hold $held_id --reason 'erst nach Rücksprache' --db $db 2>&1`;
is($?, 0, 'article hold --reason from the command line') or diag($o);
ok(eventually(sub { get($held_path)->{status} == 404 }), '... 404');
$o = `$bin article release $held_id --db $db 2>&1`;
is($?, 0, 'article release from the command line') or diag($o);
ok(eventually(sub { get($held_path)->{status} == 200 }), '... the item answers 200');

# Actions from the command line ------------------------------------------------------------
my $did = $art{cli_withdraw}{id};
$o = `$bin article withdraw $did --reason 'Auf Wunsch der Agentur vorab' --db $db 2>&1`;
is($?, 0, 'article withdraw from the command line') or diag($o);
ok(eventually(sub { get($path{cli_withdraw})->{status} == 410 }), '... the article answers 410');
like(text_of(get($path{cli_withdraw})->{content}), qr/Grund: Auf Wunsch der Agentur vorab/, '... with the reason');
my $eid = $art{cli_hide}{id};
$o = `$bin article hide $eid --as anna --db $db 2>&1`;
is($?, 0, 'article hide --as anna') or diag($o);
ok(eventually(sub { get($path{cli_hide})->{status} == 404 }), '... the article answers 404');
$o = `$bin article unhide $eid --db $db 2>&1`;
is($?, 0, 'article unhide (the older name of release)') or diag($o);
ok(eventually(sub { get($path{cli_hide})->{status} == 200 }), '... the article is back');
my $fid = $art{cli_correct}{id};
$o = `$bin article correct $fid --note 'Die Zahl der Länder war falsch.' --db $db 2>&1`;
is($?, 0, 'article correct') or diag($o);
ok(eventually(sub { text_of(get($path{cli_correct})->{content}) =~ /Die Zahl der Länder war falsch\./ }),
   '... the note is on the article page');
$o = `$bin article withdraw 999999 --reason x --db $db 2>&1`;
is($? >> 8, 1, 'an unknown article fails');
like($o, qr/no article 999999/, '... naming it');
$o = `$bin article correct $fid --db $db 2>&1`;
is($? >> 8, 2, 'correct without --note is a usage error');
like($o, qr/correct needs --note TEXT/, '... saying so');
$o = `$bin article hide $fid --as niemand --db $db 2>&1`;
is($? >> 8, 1, '--as an unknown account fails');
like($o, qr/no user 'niemand'/, '... naming it');
$o = `$bin article release $fid --db $db 2>&1`;
like($o, qr/article $fid is not held/, 'release of a shown article is refused with the reason');
$o = `$bin article correct $fid --reason x --note y --db $db 2>&1`;
is($? >> 8, 2, '--reason with correct is a usage error');

# Pinning the home page's lead -------------------------------------------------------------------
my $lead_of = sub {
    (text_of(get('/')->{content}) =~ m{<article class="lead-story">.*?<h2><a href="[^"]*">([^<]+)</a></h2>}s)[0] // '';
};
my $auto = $lead_of->();
my $pin_head = $art{cli_correct}{headline};
isnt($auto, $pin_head, 'the article to pin is not the lead the home page picks');
is(act($anna, $fid, aktion => 'pin', csrf => $csrf)->{status}, 303, 'pin through the web');
ok(eventually(sub { $lead_of->() eq $pin_head }), 'the pinned article leads the home page');
like(text_of(get("/redaktion/artikel/$fid", Cookie => $anna)->{content}), qr/Als Aufmacher der Startseite angeheftet/,
     '... the editors\' page says so');
is(act($anna, $fid, aktion => 'pin', csrf => $csrf)->{status}, 422, 'pinning it again is refused');
is(act($anna, $wid, aktion => 'pin', csrf => $csrf)->{status}, 422, 'a withdrawn article cannot be pinned');
$o = `$bin article unpin $fid --db $db 2>&1`;
is($?, 0, 'unpin from the command line') or diag($o);
ok(eventually(sub { $lead_of->() eq $auto }), 'the home page picks its lead again');

# The decision wins over later agency versions ------------------------------------------------
# Writes a newer version of the article with urn to a file and ingests it.
my $seq = 0;
sub agency_update {
    my ($urn, $headline, $text) = @_;
    $text //= 'Die Agentur hat die Meldung überarbeitet.';
    my $t = time() + 1;
    my $f = "$tmp/update-" . ++$seq . '.json';
    open(my $fh, '>', $f) or die "$f: $!";
    print $fh $json->encode({
        urn => $urn, version => 5 + $seq, entry_id => "editors-update-$seq", pubstatus => 'usable',
        version_created => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)),
        updated => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)), headline => $headline,
        article_html => "<section class=\"main\"><p>$text</p></section>" });
    close $fh;
    my $out = `$bin ingest --db $db $f 2>&1`;
    is($?, 0, "the agency sends a newer version: $headline") or diag($out);
}
my %urn = map { $_ => scalar store_sql($db, "SELECT urn FROM article WHERE id = $art{$_}{id}") } qw(web_withdraw web_correct);
chomp(%urn);
agency_update($urn{web_withdraw}, 'Bürgerämter: Pilotprojekt ausgeweitet');
agency_update($urn{web_correct}, $art{web_correct}{headline}); # the same path
# Once the server has read the second update it has read the first.
ok(eventually(sub { text_of(get($path{web_correct})->{content}) =~ /Die Agentur hat die Meldung überarbeitet/ }),
   'a corrected article takes the agency\'s update');
like(text_of(get($path{web_correct})->{content}), qr/Korrekturhinweis.*\Q$note\E/s, '... and keeps its correction note');
is(get($path{web_withdraw})->{status}, 410, 'the withdrawn article stays withdrawn (410)');
like(text_of(get($path{web_withdraw})->{content}), qr/Grund: \Q$reason\E/, '... with the editor\'s reason');
is(get("/api/v1/articles/$wid")->{status}, 410, '... in the API too');
unlike(text_of(get('/suche?q=ausgeweitet')->{content}), qr/Pilotprojekt ausgeweitet/, '... and search');
$page = text_of(get("/redaktion/artikel/$wid", Cookie => $anna)->{content});
like($page, qr/Seit der Entscheidung hat die Agentur 1 neue Fassung/, 'the editors\' page says the agency sent a version since');
like($page, qr/<li class="after-decision">.*Geändert: Überschrift, Vorspann, Text.*<ins>Bürgerämter: Pilotprojekt ausgeweitet<\/ins>/s,
     '... and what it changed');
like($page, qr{<p class="diff">Vorspann: <del>[^<]+</del> → \(keiner\)</p>}, '... a teaser it dropped shown as dropped');
like($page, qr{<summary>Text: Änderungen Wort für Wort</summary>\s*<p><del>München \(dpa/lby\) - Das bayerische Innenministerium</del> <ins>Die Agentur</ins> hat <del>ein Pilotprojekt},
     '... the text word by word: removed and added words marked');
is(store_sql($db, "SELECT count(*) FROM version WHERE article_id = $wid") + 0, 2,
   'the agency\'s versions are all kept, unaltered');
# A third version: the shown body is stored once, in the article row, and
# moves into its version's row when the next arrives; every version's text
# still reads as sent (docs/internals/store.md, "Versions").
is(store_sql($db, "SELECT count(*) FROM version WHERE article_id = $wid AND body_html IS NULL") + 0, 1,
   'the shown version\'s body is the article\'s: its row keeps none');
agency_update($urn{web_withdraw}, 'Bürgerämter: Pilotprojekt ausgeweitet',
              'Die Agentur hat die Meldung erneut überarbeitet.');
ok(eventually(sub { text_of(get("/redaktion/artikel/$wid", Cookie => $anna)->{content}) =~ /<ins>erneut<\/ins>/ }),
   'a third version: the editors\' page shows its text against the second\'s');
$page = text_of(get("/redaktion/artikel/$wid", Cookie => $anna)->{content});
like($page, qr{<p><del>München \(dpa/lby\) - Das bayerische Innenministerium</del> <ins>Die Agentur</ins> hat <del>ein Pilotprojekt},
     '... and still the second\'s against the first\'s');
is(store_sql($db, "SELECT count(*) FROM version WHERE article_id = $wid") + 0, 3, '... three versions');
is(store_sql($db, "SELECT id FROM version WHERE article_id = $wid AND body_html IS NULL") + 0,
   store_sql($db, "SELECT max(id) FROM version WHERE article_id = $wid") + 0,
   '... only the newest one\'s body stored once, in the article');

# Logout ----------------------------------------------------------------------------------
$r = request('POST', '/redaktion/logout', headers => { Cookie => $anna, 'Content-Type' => $FORM },
             content => form(csrf => $csrf));
is($r->{status}, 303, 'logout: 303');
is($r->{headers}{location}, '/redaktion/login', '... to the login form');
like(join(' ', set_cookies($r)), qr/mld_sitzung=; Max-Age=0; Path=\/redaktion/, '... dropping the cookie');
is(get('/redaktion/', Cookie => $anna)->{status}, 303, 'the old session is gone');
is(store_sql($db, "SELECT count(*) FROM session WHERE id_hash = '${\ sha256_hex($sid)}'") + 0, 0,
   '... from the store too');

# The audit log and /status: admins only --------------------------------------------------------
$anna = login('anna', 'anna-passwort-1');
ok($anna, 'login() of Mld.pm logs in');
is(get('/redaktion/audit', Cookie => $anna)->{status}, 403, 'the audit log: an editor gets 403');
is(get('/status', Cookie => $anna)->{status}, 403, '/status: an editor gets 403');
is(get('/redaktion/status', Cookie => $anna)->{status}, 403, '/redaktion/status: an editor gets 403');
$r = get('/status');
is($r->{status}, 303, '/status without a session: 303');
is($r->{headers}{location}, '/redaktion/status', '... to the editors\' copy (the cookie\'s path)');
is(get('/redaktion/status')->{headers}{location}, '/redaktion/login?weiter=/redaktion/status',
   '... which asks for a login');
like(text_of(get('/status', Cookie => $boss)->{content}), qr/<h1>Quellenstatus<\/h1>/, '/status: an admin reads it');
like(text_of(get('/redaktion/status', Cookie => $boss)->{content}), qr/<h1>Quellenstatus<\/h1>/,
     '/redaktion/status: an admin reads it');
$r = get('/redaktion/audit', Cookie => $boss);
is($r->{status}, 200, 'the audit log: an admin reads it');
my $audit = text_of($r->{content});
my @rows = $audit =~ m{<tr>\s*<th scope="row"><time[^>]*>[^<]+</time></th>\s*(.*?)</tr>}gs;
my @lines = map { join('|', map { my $c = $_; $c =~ s/<[^>]+>//g; $c } m{<td data-label="[^"]+">(.*?)</td>}g) } @rows;
my $has = sub { my ($re, $name) = @_; ok(scalar(grep { /$re/ } @lines), "audit: $name") or diag(join("\n", @lines)) };
$has->(qr/^cli\|user-add\|anna\|\|editor$/, 'user added, by cli');
$has->(qr/^cli\|user-del\|wegdamit\|editor\|$/, 'user deleted, with its role before');
$has->(qr/^anna\|login-failed\|\|\|$/, 'a failed login');
$has->(qr/^-\|login-failed\|niemand\|\|unbekannter Name$/, 'a failed login of an unknown name');
$has->(qr/^anna\|login\|\|\|editor$/, 'a login');
$has->(qr/^anna\|logout\|\|\|$/, 'a logout');
$has->(qr/^anna\|withdraw\|article:$wid\|sichtbar\|zurückgezogen: \Q$reason\E$/, 'withdraw, before and after');
$has->(qr/^anna\|hold\|article:$hid\|sichtbar\|zurückgehalten: Rechtslage &lt;prüfen&gt;$/, 'hold, with the reason');
$has->(qr/^anna\|release\|article:$hid\|zurückgehalten: Rechtslage &lt;prüfen&gt;\|sichtbar$/, 'release of a held article');
$has->(qr/^anna\|correct\|article:$cid\|\|Korrekturhinweis: \Q$note\E$/, 'correct');
$has->(qr/^cli\|withdraw\|article:$did\|/, 'withdraw from the command line, as cli');
$has->(qr/^anna\|hold\|article:$eid\|/, '... as the account --as names');
$has->(qr/^anna\|pin\|article:$fid\|kein Aufmacher\|Aufmacher$/, 'pin');
$has->(qr/^cli\|unpin\|article:$fid\|Aufmacher\|kein Aufmacher$/, 'unpin');
$has->(qr/^anna\|release\|article:$held_id\|nicht zur Veröffentlichung \(Agentur\)\|freigegeben$/, 'release');
$has->(qr/^anna\|release\|article:$held_id\|zurückgehalten\|freigegeben$/,
       'release of an item the editor held that the agency holds back: released again');
$has->(qr/^cli\|hold\|article:$held_id\|freigegeben\|zurückgehalten: erst nach Rücksprache$/,
       'hold from the command line, with the reason');
like($audit, qr{<a href="/redaktion/artikel/$wid">article:$wid</a>}, 'audit: article lines link to the article');
is(get('/redaktion/audit?seite=0', Cookie => $boss)->{status}, 400, 'audit: a bad page number: 400');

# user passwd ends the sessions; the throttle -----------------------------------------------------
($rc, $o) = (0, `printf '%s\\n' 'anna-passwort-2' | $bin user passwd anna --db $db 2>&1`);
is($?, 0, 'user passwd') or diag($o);
is(get('/redaktion/', Cookie => $anna)->{status}, 303, '... ends the account\'s sessions');
ok(!login('anna', 'anna-passwort-1'), '... the old password no longer works');
ok(login('anna', 'anna-passwort-2'), '... the new one does');
($rc, $o) = user_add($bin, $db, 'carl', 'editor', 'carl-passwort-1');
my ($tok) = join(' ', set_cookies(get('/redaktion/login'))) =~ /mld_anmeldung=([0-9a-f]+)/;
is(login_post($tok, name => 'carl', passwort => "falsch-$_")->{status}, 401, "failed login $_ of 5: 401") for 1 .. 5;
$r = login_post($tok, name => 'carl', passwort => 'carl-passwort-1');
is($r->{status}, 429, 'after 5 failures even the right password is refused: 429');
like($r->{headers}{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
like(text_of($r->{content}), qr/Zu viele Fehlversuche/, '... saying why');
unlike(join(' ', set_cookies($r)), qr/mld_sitzung=[0-9a-f]/, '... and no session');
like(text_of(get('/redaktion/audit', Cookie => $boss)->{content}), qr/login-throttled/, 'audit: the refusal is logged');

# Guessing across names from one address: after MLD_LOGIN_ADDR_FREE_FAILS
# (20) failures since its last good login the address waits, whatever the
# name (ratelimit.h, keyed by the client address).
my ($fails, $throttled) = (0, undef);
for my $i (1 .. 30) {
    $r = login_post($tok, name => "rate$i", passwort => 'irgendein-passwort');
    if ($r->{status} == 429) { $throttled = $r; last }
    $fails++ if $r->{status} == 401;
}
ok($throttled, 'unknown names from one address: 429 in the end');
cmp_ok($fails, '>=', 14, "... after $fails more failures (20 free since the last good login, 5 of them carl's)");
like($throttled->{headers}{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
is(login_post($tok, name => 'boss', passwort => 'boss-passwort-1')->{status}, 429,
   '... and then even another account\'s right password waits');

# The admit step (http.h): form bodies only where a form is posted, and small.
$r = request('POST', '/redaktion/login', headers => { 'Content-Type' => $FORM },
             content => 'x' x 5000);
is($r->{status}, 413, 'a login body over 1 KiB: 413 before it is read');
is(request('POST', '/redaktion/audit', headers => { 'Content-Type' => $FORM },
           content => 'a=b')->{status}, 405, 'a POST to a page without a form: 405');

is(stop($srv), 0, 'server stops cleanly');
done_testing();
