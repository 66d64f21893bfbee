# install.t - `make install` and `make uninstall` into a DESTDIR, the
# installed binary serving pages from its installed data, the environment
# variables (MELDUNG_DB, MELDUNG_CONFIG, MELDUNG_LISTEN, MELDUNG_DATADIR)
# and the systemd units and the backup timer (systemd-analyze verify, when
# systemd is there). SQLite only, also under `make check PG=1`: its
# subject is the installed files, the default store file among them.
use strict;
use warnings;
use Cwd qw(getcwd);
use File::Find;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use Mld;

my ($bin, $tmp) = start(300);
my $repo = getcwd();

# make in the repository with a clean make environment (this test may run
# under `make check`, whose jobserver is not ours); the same build folder
# as the binary under test, so only src/cli/paths.c is compiled.
sub mk {
    my (@args) = @_;
    my @san = ($ENV{BUILD} // '') =~ m{build/san} ? ('SAN=1') : ();
    local $ENV{MAKEFLAGS};
    local $ENV{MAKELEVEL};
    delete $ENV{MAKEFLAGS};
    delete $ENV{MAKELEVEL};
    my $cmd = join(' ', 'make', '-s', '-C', $repo, @san, map { "'$_'" } @args);
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

# Every path below ROOT (files; folders with a trailing /), sorted.
sub tree {
    my ($root) = @_;
    my @all;
    find({ no_chdir => 1, wanted => sub {
        return if $_ eq $root;
        (my $rel = $_) =~ s{^\Q$root\E/}{};
        push @all, -d $_ ? "$rel/" : $rel;
    } }, $root);
    return [sort @all];
}

# --- make install DESTDIR=... PREFIX=/usr -------------------------------
my $root = "$tmp/root";
my ($rc, $out) = mk('install', "DESTDIR=$root", 'PREFIX=/usr');
is($rc, 0, 'make install DESTDIR PREFIX=/usr succeeds') or diag($out);

my @want = qw(etc/ etc/meldung/ etc/meldung/meldung.conf usr/ usr/bin/ usr/bin/meldung
    usr/lib/ usr/lib/systemd/ usr/lib/systemd/system/
    usr/lib/systemd/system/meldung-backup.service usr/lib/systemd/system/meldung-backup.timer
    usr/lib/systemd/system/meldung-optimize.service usr/lib/systemd/system/meldung-optimize.timer
    usr/lib/systemd/system/meldung-poll.service usr/lib/systemd/system/meldung-serve.service
    usr/lib/systemd/system/meldung-watch.service usr/lib/sysusers.d/
    usr/lib/sysusers.d/meldung.conf usr/share/ usr/share/meldung/
    usr/share/meldung/meldung.conf.example usr/share/meldung/static/
    usr/share/meldung/templates/ var/ var/lib/ var/lib/meldung/);
push @want, map { "usr/share/meldung/$_" } grep { !m{^static/$} } @{ tree_rel("static") };
push @want, map { s{^templates/}{usr/share/meldung/templates/}r } glob('templates/*.mustache');
is_deeply(tree($root), [sort @want], 'the installed files are exactly the FHS list');

sub write_conf {
    my ($path, $text) = @_;
    open(my $f, '>', $path) or die "$path: $!";
    print $f $text;
    close $f;
}

sub tree_rel {
    my ($dir) = @_;
    return [map { "$dir/$_" } @{ tree($dir) }];
}

ok(-x "$root/usr/bin/meldung", 'the binary is executable');
is(slurp("$root/usr/share/meldung/static/style.css"), slurp('static/style.css'),
    'the style sheet is installed as it is');
my $serve_unit = slurp("$root/usr/lib/systemd/system/meldung-serve.service");
like($serve_unit, qr{^ExecStart=/usr/bin/meldung serve$}m, 'the serve unit runs the installed binary');
like($serve_unit, qr{^ExecReload=/bin/kill -HUP \$MAINPID$}m, '... reloads with SIGHUP');
like($serve_unit, qr{^Environment=MELDUNG_CONFIG=/etc/meldung/meldung.conf$}m,
    '... names the installed configuration');
like($serve_unit, qr{^Environment=MELDUNG_DB=/var/lib/meldung/meldung.db$}m, '... and the store');
for my $u (qw(serve poll watch backup)) {
    my $text = slurp("$root/usr/lib/systemd/system/meldung-$u.service");
    unlike($text, qr/@[A-Z]+@/, "meldung-$u.service: every placeholder replaced");
    like($text, qr/^$_$/m, "meldung-$u.service: $_")
        for ('NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
             'CapabilityBoundingSet=', 'SystemCallFilter=@system-service',
             'StateDirectory=meldung.*', 'User=meldung');
}
like(slurp("$root/usr/lib/systemd/system/meldung-backup.service"),
    qr{^ExecStart=/bin/sh -c 'exec /usr/bin/meldung backup --force "/var/lib/meldung/backup/meldung-\$\(date \+%%u\)\.db"'$}m,
    'the backup unit runs `meldung backup` into one file per weekday');
like(slurp("$root/usr/lib/systemd/system/meldung-backup.timer"), qr{^OnCalendar=\S+}m,
    '... and its timer starts it on a calendar');
like(slurp("$root/usr/lib/systemd/system/meldung-optimize.service"),
    qr{^ExecStart=/usr/bin/meldung optimize --seconds \d+$}m,
    'the optimize unit merges the search index for a bounded time');
like(slurp("$root/usr/lib/systemd/system/meldung-optimize.timer"), qr{^OnCalendar=\S+}m,
    '... and its timer starts it on a calendar');
like(slurp("$root/etc/meldung/meldung.conf"), qr{^db = /var/lib/meldung/meldung.db$}m,
    'the default configuration names the installed store');
like(`$root/usr/bin/meldung help 2>&1`, qr{else /usr/share/meldung\.}, 'the installed binary '
    . 'says it reads /usr/share/meldung (the compiled-in data folder)');

# An operator's configuration is never overwritten.
open(my $cf, '>', "$root/etc/meldung/meldung.conf") or die;
print $cf "[site]\nname = Eigene Konfiguration\n";
close $cf;
($rc, $out) = mk('install', "DESTDIR=$root", 'PREFIX=/usr');
is($rc, 0, 'a second make install succeeds') or diag($out);
like($out, qr{meldung\.conf exists, left as it is}, '... and says it leaves the configuration');
is(slurp("$root/etc/meldung/meldung.conf"), "[site]\nname = Eigene Konfiguration\n",
    '... which is unchanged');

# --- the installed binary serves pages from its installed data ------------
my $db = "$tmp/store.db";
{
    local $ENV{MELDUNG_DB} = $db;
    $out = `cd $tmp && $root/usr/bin/meldung ingest $repo/demo 2>&1`;
    is($?, 0, 'MELDUNG_DB: ingest without --db stores there') or diag($out);
    ok(-s $db, '... the store exists');
    my $stats = `$root/usr/bin/meldung stats --db $db 2>&1`;
    like($stats, qr/^articles: [1-9]/m, '... stats --db counts what was stored');
    is(`cd $tmp && $root/usr/bin/meldung stats 2>&1`, $stats,
        'MELDUNG_DB: stats without --db reads the same store');
}
mkdir "$tmp/empty";    # a working directory without templates/ or static/
{
    local $ENV{MELDUNG_DATADIR} = "$root/usr/share/meldung";
    local $ENV{MELDUNG_DB} = $db;
    my $pid = open(my $fh, '-|', "cd $tmp/empty && exec $root/usr/bin/meldung serve "
        . "--listen 127.0.0.1:0 2>$tmp/serve.log") or die;
    my $first = <$fh> // '';
    my ($base) = $first =~ m{(http://127\.0\.0\.1:\d+)/};
    ok($base, 'the installed binary serves with MELDUNG_DATADIR') or diag(slurp("$tmp/serve.log"));
    my $http = HTTP::Tiny->new(timeout => 10);
    my $r = $http->get("$base/");
    is($r->{status}, 200, '... the home page');
    like($r->{content}, qr/<html/i, '... is a page rendered from the installed templates');
    $r = $http->get("$base/static/style.css");
    is($r->{content}, slurp('static/style.css'), '... the installed style sheet');
    kill 'TERM', $pid;
    waitpid($pid, 0);
    like(slurp("$tmp/serve.log"), qr{templates from \Q$root\E/usr/share/meldung/templates},
        '... and it logs where the templates come from');
}

# --- the compiled-in data folder, without any variable ---------------------
# An install without DESTDIR into a PREFIX below $tmp: that binary finds
# PREFIX/share/meldung by itself.
my $prefix = "$tmp/prefix";
($rc, $out) = mk('install', "PREFIX=$prefix", "SYSCONFDIR=$prefix/etc",
    "STATEDIR=$prefix/var/lib/meldung");
is($rc, 0, 'make install PREFIX=tmp succeeds') or diag($out);
{
    local $ENV{MELDUNG_DB} = $db;
    delete local $ENV{MELDUNG_DATADIR};
    my $pid = open(my $fh, '-|', "cd $tmp/empty && exec $prefix/bin/meldung serve "
        . "--listen 127.0.0.1:0 2>$tmp/serve2.log") or die;
    my $first = <$fh> // '';
    my ($base) = $first =~ m{(http://127\.0\.0\.1:\d+)/};
    ok($base, 'without flags or variables the binary starts') or diag(slurp("$tmp/serve2.log"));
    my $r = HTTP::Tiny->new(timeout => 10)->get(($base // '') . '/');
    is($r->{status}, 200, '... and serves the home page');
    kill 'TERM', $pid;
    waitpid($pid, 0);
    like(slurp("$tmp/serve2.log"), qr{templates from \Q$prefix\E/share/meldung/templates},
        '... from its compiled-in data folder');
}
# In the repository, the working directory's templates/ still come first.
{
    my $pid = open(my $fh, '-|', "exec $prefix/bin/meldung serve --db $db "
        . "--listen 127.0.0.1:0 2>$tmp/serve3.log") or die;
    my $first = <$fh> // '';
    ok($first =~ m{http://}, 'started in the repository');
    kill 'TERM', $pid;
    waitpid($pid, 0);
    like(slurp("$tmp/serve3.log"), qr{templates from templates, static files from static,},
        '... it reads ./templates and ./static (development stays as it was)');
}
# [site] templates and static come after MELDUNG_DATADIR, before the
# working directory.
write_conf("$tmp/dirs.conf", "[site]\ntemplates = $root/usr/share/meldung/templates\n"
    . "static = $root/usr/share/meldung/static\n");
for my $case (['', "$root/usr/share/meldung", '[site] templates and static are read'],
              ["$prefix/share/meldung", "$prefix/share/meldung", 'MELDUNG_DATADIR beats them']) {
    my ($env, $want, $name) = @$case;
    local $ENV{MELDUNG_DATADIR} = $env;
    my $pid = open(my $fh, '-|', "exec $bin serve --db $db --config $tmp/dirs.conf "
        . "--listen 127.0.0.1:0 2>$tmp/serve4.log") or die;
    my $first = <$fh> // '';
    kill 'TERM', $pid;
    waitpid($pid, 0);
    like(slurp("$tmp/serve4.log"), qr{templates from \Q$want\E/templates, static files from \Q$want\E/static,},
        $name) or diag($first);
}

# The per-PREFIX build of that install is the test's own: remove it.
my $build = $ENV{BUILD} // 'build/rel';
system('rm', '-rf', "$build/paths$tmp");

# --- environment variables ------------------------------------------------
{
    local $ENV{MELDUNG_CONFIG} = "$tmp/nowhere.conf";
    $out = `$bin serve --db $db --listen 127.0.0.1:0 2>&1`;
    is($? >> 8, 1, 'MELDUNG_CONFIG naming a missing file: serve exits 1');
    like($out, qr{MELDUNG_CONFIG=\Q$tmp\E/nowhere\.conf: No such file or directory},
        '... naming the variable, the file and the reason');
    $out = `$bin ingest --db $tmp/x.db $repo/demo 2>&1`;
    like($out, qr{MELDUNG_CONFIG=\Q$tmp\E/nowhere\.conf: No such file}, '... ingest says so too');
    is($? >> 8, 1, '... and stores nothing');
    $out = `$bin poll --once 2>&1`;
    like($out, qr{MELDUNG_CONFIG=}, '... and poll');
    open(my $gc, '>', "$tmp/good.conf") or die;
    print $gc "[site]\nname = Flaggenblatt\n";
    close $gc;
    my ($srv, $base) = serve($bin, '--config overrides MELDUNG_CONFIG', '--db', $db,
        '--config', "$tmp/good.conf");
    like(get('/')->{content}, qr/Flaggenblatt/, '... the flag\'s file is the one read');
    stop($srv);
}
{
    open(my $ec, '>', "$tmp/env.conf") or die;
    print $ec "[site]\nname = Umweltblatt\n";
    close $ec;
    local $ENV{MELDUNG_CONFIG} = "$tmp/env.conf";
    my ($srv, $base) = serve($bin, 'MELDUNG_CONFIG: serve starts', '--db', $db);
    like(get('/')->{content}, qr/Umweltblatt/, '... with the [site] of that file');
    stop($srv);
    $out = `$bin poll --once 2>&1`;
    like($out, qr{\Q$tmp\E/env\.conf: no \[source NAME\] sections}, 'poll reads MELDUNG_CONFIG');
}
{
    local $ENV{MELDUNG_LISTEN} = '127.0.0.1:0';
    my $pid = open(my $fh, '-|', $bin, 'serve', '--db', $db) or die;
    my $first = <$fh> // '';
    my ($port) = $first =~ m{http://127\.0\.0\.1:(\d+)/};
    ok($port && $port != 8080, 'MELDUNG_LISTEN: serve listens where it says (a free port)');
    kill 'TERM', $pid;
    waitpid($pid, 0);
    local $ENV{MELDUNG_LISTEN} = 'kein-port';
    my ($srv) = serve($bin, '--listen overrides MELDUNG_LISTEN', '--db', $db);
    stop($srv);
    $out = `$bin serve --db $db 2>&1`;
    like($out, qr{--listen wants HOST:PORT, got 'kein-port'}, 'a bad MELDUNG_LISTEN is refused');
}
{
    local $ENV{MELDUNG_DB} = "$tmp/nirgends.db";
    my ($srv) = serve($bin, '--db overrides MELDUNG_DB', '--db', $db);
    stop($srv);
    $out = `$bin serve --listen 127.0.0.1:0 2>&1`;
    like($out, qr{\Q$tmp\E/nirgends\.db: no store there}, 'serve without --db uses MELDUNG_DB');
}

{
    local $ENV{MELDUNG_CONFIG} = '';
    $out = `$bin serve --db $tmp/nirgends.db 2>&1`;
    unlike($out, qr/MELDUNG_CONFIG/, 'an empty MELDUNG_CONFIG counts as unset');
}

# --- a backup while serving (docs/operating.md, "Back up and restore") ------
SKIP: {
    skip 'sqlite3 not installed (scripts/deps.sh installs it)', 3
        unless `command -v sqlite3 2>/dev/null`;
    my ($srv) = serve($bin, 'serving while backing up', '--db', $db);
    system('sqlite3', $db, ".backup $tmp/backup.db");
    system('sqlite3', $db, "VACUUM INTO '$tmp/vacuum.db'");
    stop($srv);
    my $stats = `$bin stats --db $db 2>&1`;
    is(`$bin stats --db $tmp/backup.db 2>&1`, $stats, '.backup: the copy has the same counts');
    is(`$bin stats --db $tmp/vacuum.db 2>&1`, $stats, 'VACUUM INTO: the same');
}

# --- the systemd units -----------------------------------------------------
SKIP: {
    my $sa = `command -v systemd-analyze 2>/dev/null`;
    chomp $sa;
    skip 'systemd-analyze not installed (Debian package systemd)', 7 unless $sa;
    mkdir "$tmp/units";
    for my $u (qw(serve.service poll.service watch.service backup.service backup.timer
                  optimize.service optimize.timer)) {
        my $text = slurp("$root/usr/lib/systemd/system/meldung-$u");
        $text =~ s{/usr/bin/meldung}{$root/usr/bin/meldung}g;    # verify wants the binary
        open(my $f, '>', "$tmp/units/meldung-$u") or die;
        print $f $text;
        close $f;
    }
    $out = `$sa verify $tmp/units/*.service $tmp/units/*.timer 2>&1`;
    is($?, 0, 'systemd-analyze verify accepts the units and the timer');
    is($out, '', '... without a warning') or diag($out);
    for my $u (qw(serve poll watch backup optimize)) {
        my $sec = `$sa security --offline=yes $tmp/units/meldung-$u.service 2>&1`;
        my ($level) = $sec =~ /Overall exposure level for \S+: ([\d.]+)/;
        ok(defined $level && $level <= 2.0,
            "meldung-$u.service: exposure " . ($level // '?') . ' (at most 2.0, "OK")')
            or diag($sec);
    }
}

# --- make uninstall ----------------------------------------------------------
($rc, $out) = mk('uninstall', "DESTDIR=$root", 'PREFIX=/usr');
is($rc, 0, 'make uninstall succeeds') or diag($out);
my @left = grep { !-d "$root/$_" } @{ tree($root) };
is_deeply(\@left, ['etc/meldung/meldung.conf'],
    '... leaving only the operator\'s configuration (and the store folder)');
ok(-d "$root/var/lib/meldung", '... the store folder stays');

done_testing();
