# tests/http/Mld.pm - what the end-to-end tests share: the binary under
# test with a time limit and a temporary folder (start), `meldung serve`
# on a free port of 127.0.0.1 (serve, stop), requests to it (get,
# request), UTF-8 bodies (text_of), waiting for a condition (eventually),
# reading a file (slurp) and finding the shared corpus (corpus); editors'
# accounts and sessions (user_add, login, admin_get for /status, form,
# set_cookies); a webhook receiver (hook_receiver); a fresh PostgreSQL
# database when the tests run with one (pg_db); the store a test uses on
# either engine (store_db) and SQL run on it (store_sql).
#
# A test in tests/http, run from the repository root, says
#
#   use FindBin;
#   use lib $FindBin::Bin;
#   use Mld;
#   my ($bin, $tmp) = start(120);
package Mld;

use strict;
use warnings;
use Encode qw(decode encode);
use IO::Socket::INET;
use POSIX ();
use Exporter qw(import);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use Test::More;
use Time::HiRes qw(sleep);

our @EXPORT = qw(start serve stop get request text_of eventually slurp corpus user_add login
                 admin_get admin_cookie form set_cookies hook_receiver pg_db store_db store_pg
                 store_shell store_sql $TS);

# The time stamp that starts every log line (src/base/log.c): "^$TS meldung: warning: ...".
our $TS = qr/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 10);
my $base = '';    # the URL of the server serve() started last

# pg_db(NAME): the URL of a new, empty database on the PostgreSQL server
# of $MELDUNG_TEST_PG (set by `make check PG=1`, tests/harness/
# pgcheck.sh), named NAME with the test's pid; undef when there is none.
# The socket folder and the user go into the URL's authority
# (postgresql://USER@%2Fsocket%2Fdir/DB), so that the URL has no '&' nor
# '?' and a test may put it into a shell command unquoted, like a path.
sub pg_db {
    my ($name) = @_;
    my $url = $ENV{MELDUNG_TEST_PG};
    return undef unless defined $url && $url ne '';
    my $db = "t_${name}_$$";
    $db =~ s/[^A-Za-z0-9_]/_/g;
    for my $sql ("DROP DATABASE IF EXISTS $db WITH (FORCE)", "CREATE DATABASE $db") {
        my $out = `psql -X -q -v ON_ERROR_STOP=1 '$url' -c '$sql' 2>&1`;
        die "pg_db: $sql: $out" if $?;
    }
    my ($query) = $url =~ /\?(.*)\z/;
    my %p = map { split /=/, $_, 2 } split /&/, $query // '';
    my ($host, $user) = (delete $p{host}, delete $p{user});
    (my $new = $url) =~ s{:///[^?]*.*}{:///$db};
    if (defined $host) {
        $host =~ s{([^A-Za-z0-9_.~-])}{sprintf('%%%02X', ord($1))}ge;
        $new = "postgresql://" . (defined $user ? "$user\@" : '') . "$host/$db";
    }
    $new .= '?' . join('&', map { "$_=$p{$_}" } sort keys %p) if %p;
    return $new;
}

# store_db(TMP, NAME): the store a test uses: a fresh PostgreSQL database
# (pg_db) when the tests run with one, else the SQLite file TMP/NAME.db.
# Tests whose subject is SQLite's file (backups, WAL, a full disk, file
# modes) use a path of their own instead.
sub store_db {
    my ($tmp, $name) = @_;
    return pg_db($name) // "$tmp/$name.db";
}

# store_pg(DB): true when the store DB is a PostgreSQL database.
sub store_pg {
    return $_[0] =~ m{\Apostgres(?:ql)?://};
}

# store_shell(DB): true when the shell store_sql needs for DB is installed.
sub store_shell {
    my $shell = store_pg($_[0]) ? 'psql' : 'sqlite3';
    return system("$shell --version >/dev/null 2>&1") == 0;
}

# store_sql(DB, SQL): runs SQL on the store DB with its engine's shell
# (sqlite3 for a file, psql for a database; both print a row as one line,
# columns separated by '|', NULL as nothing). In list context the lines,
# in scalar context the whole output, as backticks give them. Dies when
# the shell fails. SQL may be a text string (use utf8): it goes out as
# UTF-8; the output comes back as bytes (text_of decodes them).
sub store_sql {
    my ($db, $sql) = @_;
    $sql = encode('UTF-8', $sql) if utf8::is_utf8($sql);
    my @cmd = store_pg($db)
        ? ('psql', '-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', $db, '-c', $sql)
        : ('sqlite3', '-separator', '|', $db, $sql);
    open(my $fh, '-|', @cmd) or die "store_sql: $cmd[0]: $!";
    my @lines = <$fh>;
    close($fh) or die "store_sql: $cmd[0] failed on: $sql\n";
    return wantarray ? @lines : join('', @lines);
}

# start(SECONDS, utf8 => 1): skips the whole test when there is no binary
# at $MELDUNG (default ./meldung), dies after SECONDS, and returns the
# binary and a temporary folder removed at exit. With utf8, the test's
# output is UTF-8 (for check names written with `use utf8`).
sub start {
    my ($secs, %opt) = @_;
    if ($opt{utf8}) {
        binmode(Test::More->builder->$_, ':encoding(UTF-8)')
            for qw(output failure_output todo_output);
    }
    my $bin = $ENV{MELDUNG} || './meldung';
    plan skip_all => "no binary at $bin" unless -x $bin;
    $SIG{ALRM} = sub { die "timed out\n" };
    alarm $secs;
    return ($bin, tempdir(CLEANUP => 1));
}

# serve(BIN, NAME, ARGS...): starts `BIN serve ARGS --listen 127.0.0.1:0`
# and reads its URL from the first line it prints. With a NAME that is one
# check, and the test bails out when there is no URL. Returns a handle for
# stop() and the URL, which get() and request() use from then on.
sub serve {
    my ($bin, $name, @args) = @_;
    my $pid = open(my $out, '-|', $bin, 'serve', @args, '--listen', '127.0.0.1:0')
        or die "serve: $!";
    my $first = <$out>;
    ($base) = ($first // '') =~ m{(http://127\.0\.0\.1:\d+)/};
    ok($base, $name) or BAIL_OUT('no URL from serve: ' . ($first // '')) if defined $name;
    return ({ pid => $pid, out => $out }, $base);
}

# stop(HANDLE): sends SIGTERM to the server serve() started and waits for
# it. Returns its wait status ($?).
sub stop {
    my ($srv) = @_;
    kill 'TERM', $srv->{pid};
    waitpid($srv->{pid}, 0);
    my $status = $?;
    close($srv->{out});
    return $status;
}

# corpus(REL): the path of REL below the shared corpus
# (${MLD_CORPUS:-../shared/corpus}). When it is not there the whole test
# is skipped - unless the environment says CI=true: then a missing corpus
# is one failed check and the test ends with exit status 1, so that CI
# never passes with the corpus tests silently skipped. Call it before any
# other check.
sub corpus {
    my ($rel) = @_;
    my $root = $ENV{MLD_CORPUS} || '../shared/corpus';
    my $path = "$root/$rel";
    return $path if -e $path;
    plan skip_all => "$path not present (the shared corpus is needed)"
        unless ($ENV{CI} // '') eq 'true';
    if (-d $root) {
        fail("corpus incomplete: $path missing (CI=true requires it)");
    } else {
        fail("corpus missing: $root (CI=true requires it)");
    }
    done_testing();
    exit 1;
}

# user_add(BIN, DB, NAME, ROLE, PASSWORD): `meldung user add NAME --role
# ROLE --db DB` with the password on standard input. Returns the exit
# status and the output (stdout and stderr).
sub user_add {
    my ($bin, $db, $name, $role, $pw) = @_;
    my $out = `printf '%s\n' '$pw' | $bin user add $name --role $role --db $db 2>&1`;
    return ($? >> 8, $out);
}

# set_cookies(RESPONSE): the Set-Cookie headers of an HTTP::Tiny response
# as a list.
sub set_cookies {
    my $h = $_[0]{headers}{'set-cookie'} // [];
    return ref $h ? @$h : ($h);
}

# form(PAIRS...): an application/x-www-form-urlencoded body (text as UTF-8).
sub form {
    my @kv = @_;
    my @parts;
    while (my ($k, $v) = splice(@kv, 0, 2)) {
        $v = encode('UTF-8', $v) if utf8::is_utf8($v);
        $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord($1))/ge;
        push @parts, "$k=$v";
    }
    return join('&', @parts);
}

# login(NAME, PASSWORD): logs in at the server serve() started last (the
# form's token from GET /redaktion/login, then the POST). Returns the
# Cookie header value of the session ("mld_sitzung=..."), or undef.
sub login {
    my ($name, $pw) = @_;
    my ($tok) = join(' ', set_cookies(get('/redaktion/login'))) =~ /mld_anmeldung=([0-9a-f]+)/;
    return undef unless $tok;
    my $r = request('POST', '/redaktion/login',
        headers => { Cookie => "mld_anmeldung=$tok",
                     'Content-Type' => 'application/x-www-form-urlencoded' },
        content => form(csrf => $tok, name => $name, passwort => $pw));
    my ($sid) = join(' ', set_cookies($r)) =~ /mld_sitzung=([0-9a-f]{64})/;
    return $sid ? "mld_sitzung=$sid" : undef;
}

# admin_cookie(BIN, DB): the Cookie header value of an admin session at
# the server serve() started last: makes the account "status-admin" in
# DB once and logs in once per server. /status needs it.
my %admin_cookie;
sub admin_cookie {
    my ($bin, $db) = @_;
    my $pw = 'status-admin-passwort';
    unless ($admin_cookie{$base}) {
        user_add($bin, $db, 'status-admin', 'admin', $pw);
        $admin_cookie{$base} = login('status-admin', $pw);
    }
    return $admin_cookie{$base} // '';
}

# admin_get(BIN, DB, PATH, HEADER => VALUE ...): GET PATH as that admin.
sub admin_get {
    my ($bin, $db, $path, %h) = @_;
    return get($path, %h, Cookie => admin_cookie($bin, $db));
}

# request(METHOD, PATH, OPTION => VALUE ...): METHOD on the server's PATH
# (HTTP::Tiny options: headers, content; redirects are not followed, 10 s
# timeout). Returns HTTP::Tiny's response.
sub request {
    my ($method, $path, %opt) = @_;
    return $http->request($method, "$base$path", \%opt);
}

# get(PATH, HEADER => VALUE ...): a GET with those request headers.
sub get {
    my ($path, %h) = @_;
    return request('GET', $path, headers => \%h);
}

# text_of(BYTES): the UTF-8 bytes of a body as a string.
sub text_of {
    return decode('UTF-8', $_[0]);
}

# eventually(COND, within => SECONDS, every => SECONDS): calls COND until
# it returns true, every 0.1 s for 5 s unless told otherwise. Returns
# whether it did in time.
sub eventually {
    my ($cond, %opt) = @_;
    my ($within, $every) = ($opt{within} // 5, $opt{every} // 0.1);
    for (1 .. int($within / $every + 0.5)) {
        return 1 if $cond->();
        sleep $every;
    }
    return 0;
}

# hook_receiver(LOG): a webhook receiver on 127.0.0.1 - one child that
# answers each request 200 and appends "PATH BODY" to the file LOG as a
# line (newlines in the body become spaces). Returns its port; the child
# ends with the test.
my @hook_pids;
sub hook_receiver {
    my ($log) = @_;
    my $hook = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1', LocalPort => 0,
                                     ReuseAddr => 1) or die "listen: $!";
    my $port = $hook->sockport;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        while (my $c = $hook->accept) {
            my $buf = '';
            while ($buf !~ /\r\n\r\n/) { sysread($c, $buf, 65536, length $buf) or last }
            my ($head, $body) = split /\r\n\r\n/, $buf, 2;
            my ($path) = $head =~ /\A\S+ (\S+)/;
            my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
            $body //= '';
            while (defined $len && length($body) < $len) {
                sysread($c, $body, $len - length $body, length $body) or last;
            }
            open(my $f, '>>', $log) or die "$log: $!";
            $body =~ s/\n/ /g;
            print $f ($path // '-') . " $body\n";
            close $f;
            print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            close $c;
        }
        POSIX::_exit(0);
    }
    close $hook;
    push @hook_pids, $pid;
    return $port;
}
END { kill 'TERM', @hook_pids if @hook_pids }

# slurp(PATH): the whole file, or '' when it cannot be read.
sub slurp {
    my ($path) = @_;
    open(my $f, '<', $path) or return '';
    local $/;
    return scalar <$f>;
}

1;
