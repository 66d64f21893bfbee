#!/usr/bin/env perl
# hardening.pl - the hostile clients of bench/hardening.sh, against a
# running `meldung serve` (PID and port given), on 127.0.0.x only.
#
#   perl bench/hardening.pl PID PORT TOKEN
#
# Prints one line per measurement, "name: value":
#
#   1. upload: 30 clients at once (from 127.0.0.101-130, so that no
#      back-off applies) each POST 15 MB to /api/v1/push with a wrong token (headers, then the body in 64 KB writes until the
#      server answers or closes); the server's peak RSS (VmHWM) before and
#      after, and the answers the clients got.
#   2. slowloris: 2,000 connections spread over 127.0.0.10-17 (250 per
#      address, under the default 512 per address) send a request line and
#      then one header line every 2 s; one that is closed is reopened (as
#      an attacker would). After 12 s, a normal client on 127.0.0.1 makes
#      200 GET / requests, one connection each; their latency p50/p99 and
#      how many failed, plus how many slow connections the server closed.
#   3. smuggling: each malformed framing case followed by a well-formed
#      GET /healthz on the same connection; which answers came and
#      whether the connection was closed.
#   4. (run before 3) a proxy: 600 slow-header connections from one
#      address listed as a trusted proxy, then 20 requests of other
#      visitors through it; how many were served.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(MSG_NOSIGNAL);
use Time::HiRes qw(time sleep);
use POSIX qw(:sys_wait_h);

my ($pid, $port, $token) = @ARGV;
die "usage: hardening.pl PID PORT TOKEN\n" unless $token;
$SIG{PIPE} = 'IGNORE';

sub status_kb {
    my ($field) = @_;
    open(my $f, '<', "/proc/$pid/status") or return -1;
    while (<$f>) { return $1 if /^$field:\s+(\d+) kB/; }
    return -1;
}

sub conn {
    my ($from, $blocking) = @_;
    return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                 LocalAddr => $from // '127.0.0.1', Proto => 'tcp',
                                 Blocking => $blocking // 1);
}

# 1. Uploads with a wrong token --------------------------------------------------
{
    my $size = 15_000_000;
    my ($hwm0, $rss0) = (status_kb('VmHWM'), status_kb('VmRSS'));
    my $t0 = time;
    my @kids;
    for my $i (1 .. 30) {
        my $k = fork() // die "fork: $!";
        if ($k == 0) {
            my $s = conn("127.0.0." . (100 + $i)) or exit 2;    # 30 addresses: no back-off
            print $s "POST /api/v1/push HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer falsch\r\n"
                . "Content-Type: application/json\r\nContent-Length: $size\r\n\r\n";
            my $sel = IO::Select->new($s);
            my $chunk = '{' . (' ' x 65535);
            my $sent = 0;
            while ($sent < $size) {
                last if $sel->can_read(0);    # answered (or closed) early
                my $n = send($s, substr($chunk, 0, $size - $sent < 65536 ? $size - $sent : 65536),
                             MSG_NOSIGNAL);
                last unless defined $n && $n > 0;
                $sent += $n;
            }
            my $buf = '';
            while ($sel->can_read(30)) {
                my $n = sysread($s, my $b, 4096);
                last unless $n;
                $buf .= $b;
                last if $buf =~ /\r\n\r\n/;
            }
            my ($code) = $buf =~ m{^HTTP/1\.1 (\d+)};
            exit(defined $code ? $code - 300 : 2);    # 401 -> 101, 429 -> 129
        }
        push @kids, $k;
    }
    my %how;
    for (@kids) {
        waitpid($_, 0);
        my $x = $? >> 8;
        $how{ $x == 2 ? 'no answer' : 'HTTP ' . ($x + 300) }++;
    }
    my $secs = time - $t0;
    printf "upload: 30 x 15 MB, wrong token: %s in %.1f s\n",
        join(', ', map { "$how{$_} $_" } sort keys %how), $secs;
    printf "upload: server VmHWM %d MB before, %d MB after (VmRSS %d MB before, %d MB after)\n",
        $hwm0 / 1024, status_kb('VmHWM') / 1024, $rss0 / 1024, status_kb('VmRSS') / 1024;
}

# 2. Slowloris ---------------------------------------------------------------------
{
    my $n = 2000;
    my @from = map { "127.0.0.$_" } 10 .. 17;
    my @slow;
    my ($opened, $reopened, $failed_open) = (0, 0, 0);
    my $open = sub {
        my ($i) = @_;
        my $s = conn($from[$i % @from], 0);
        if (!$s) { $failed_open++; return; }
        send($s, "GET / HTTP/1.1\r\nHost: bench\r\n", MSG_NOSIGNAL);
        $slow[$i] = $s;
    };
    $open->($_) for 0 .. $n - 1;
    $opened = grep { defined } @slow;
    my $measure_at = time + 12;
    my ($lat_kid, $rd);
    pipe($rd, my $wr) or die;
    my $line = 0;
    my $end = $measure_at + 30;
    while (time < $end) {
        if (!defined $lat_kid && time >= $measure_at) {
            $lat_kid = fork() // die;
            if ($lat_kid == 0) {
                close $rd;
                my (@ms, $fail);
                $fail = 0;
                for (1 .. 200) {
                    my $t = time;
                    my $c = conn('127.0.0.1');
                    if (!$c) { $fail++; next; }
                    print $c "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
                    my $got = '';
                    my $sel = IO::Select->new($c);
                    while ($sel->can_read(10)) { sysread($c, my $b, 65536) or last; $got .= $b; }
                    if ($got =~ m{^HTTP/1\.1 200}) { push @ms, (time - $t) * 1000; } else { $fail++; }
                    close $c;
                }
                @ms = sort { $a <=> $b } @ms;
                my $p = sub { @ms ? $ms[int($_[0] * $#ms + 0.5)] : -1 };
                printf $wr "normal client: 200 GET / while %d slow connections are held: p50 %.2f ms, "
                    . "p99 %.2f ms, max %.2f ms, %d failed\n", $n, $p->(0.5), $p->(0.99),
                    $p->(1), $fail;
                close $wr;
                POSIX::_exit(0);
            }
            close $wr;
        }
        last if defined $lat_kid && waitpid($lat_kid, WNOHANG) > 0;
        $line++;
        for my $i (0 .. $n - 1) {
            my $s = $slow[$i];
            my $ok = defined $s && defined send($s, "X-Langsam-$line: a\r\n", MSG_NOSIGNAL);
            if (!$ok) {    # the server closed it: an attacker reconnects
                close $s if defined $s;
                $open->($i);
                $reopened++;
            }
        }
        sleep 2;
    }
    waitpid($lat_kid, 0) if defined $lat_kid && kill(0, $lat_kid);
    print while <$rd>;
    printf "slowloris: %d connections opened from 8 addresses (%d refused), %d closed by the "
        . "server and reopened during %d header lines (one per 2 s)\n",
        $opened, $failed_open, $reopened, $line;
    close $_ for grep { defined } @slow;
}

# 4. Behind a proxy -------------------------------------------------------------------
# 127.0.0.20 plays a reverse proxy (listed in [server] trusted_proxies; a
# binary without that key ignores it): 600 slow-header connections come
# through it, then 20 other visitors' requests (X-Forwarded-For).
{
    my @slow;
    for (1 .. 600) {
        my $s = conn('127.0.0.20', 0) or next;
        send($s, "GET / HTTP/1.1\r\nHost: bench\r\n", MSG_NOSIGNAL);
        push @slow, $s;
    }
    sleep 0.5;
    my $served = 0;
    for my $i (1 .. 20) {
        my $c = conn('127.0.0.20') or next;
        print $c "GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Forwarded-For: 198.51.100.$i\r\n"
            . "Connection: close\r\n\r\n";
        my $got = '';
        my $sel = IO::Select->new($c);
        while ($sel->can_read(5)) { sysread($c, my $b, 4096) or last; $got .= $b; }
        $served++ if $got =~ m{^HTTP/1\.1 200};
        close $c;
    }
    printf "proxy: 600 slow connections through one proxy address, then 20 other visitors: "
        . "%d of 20 served\n", $served;
    close $_ for @slow;
}

# 3. Smuggling ---------------------------------------------------------------------
{
    my $tail = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
    my @cases = (
        ['CL+TE', "POST /api/v1/push HTTP/1.1\r\nHost: bench\r\nContent-Length: 5\r\n"
                  . "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
        ['CL 0 + CL 37', "GET / HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\n"],
        ['"Transfer-Encoding :"', "POST /api/v1/push HTTP/1.1\r\nHost: bench\r\n"
                  . "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"],
        ['HTTP/1.1 no Host', "GET / HTTP/1.1\r\n\r\n"],
    );
    for my $c (@cases) {
        my $s = conn();
        print $s $c->[1] . $tail;
        my ($buf, $closed) = ('', 0);
        my $sel = IO::Select->new($s);
        while ($sel->can_read(3)) {
            my $n = sysread($s, my $b, 65536);
            if (!$n) { $closed = 1; last; }
            $buf .= $b;
        }
        my @codes = $buf =~ m{^HTTP/1\.1 (\d{3})}mg;
        printf "smuggling: %-22s answers: %-8s trailing GET answered: %-3s connection %s\n",
            $c->[0], join(',', @codes) || 'none', (grep { $_ == 200 } @codes) ? 'YES' : 'no',
            $closed ? 'closed' : 'left open';
        close $s;
    }
}
