/*
 * sse_client.c - many live-update clients on one epoll loop, for bench/sse.sh.
 *
 *     sse_client [options] -- INGEST_CMD... -- FILE...
 *
 * Opens N Server-Sent-Events streams (GET PATH, HTTP/1.1, chunked, as a
 * browser's EventSource does) to 127.0.0.1:PORT from non-blocking sockets
 * bound to the source addresses 127.0.0.2, 127.0.0.3, ... (PER_ADDR
 * streams each, below the server's per-address limit). Once every stream
 * has its opening `id:` block, it reads the server's VmRSS (with -P), then
 * for each FILE runs `INGEST_CMD... FILE` (which must print "FILE:
 * committed" on stderr once its COMMIT returned, as `meldung ingest
 * --verbose` does), and waits until every stream got an `article` event
 * (or TIMEOUT ms), then GAP ms more plus a random 0 to JITTER ms: the
 * server looks for changes on a fixed tick (100 ms), and rounds a fixed
 * time apart would each meet the tick at the same phase, measuring one
 * point of its range instead of all of it. The time of a round's COMMIT
 * is when the "committed" line is read; the time an event reached a client is
 * when its last bytes are read. Both are taken once per epoll_wait()
 * return, from CLOCK_MONOTONIC, so an event read in the same wake-up as
 * the line counts 0 ms, and an event waiting behind others in one
 * wake-up counts from when the wake-up began.
 *
 * Prints "key value" lines for the script to format:
 * clients, failures, RSS, and the delay percentiles over every client and
 * round. Exit status 0 when every stream connected and every event came.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Streams connecting (SYN sent, answer not yet complete) at once: more
 * would overflow the server's listen queue. */
#define MAX_CONNECTING 256

/* epoll events taken per wake-up. */
#define MAX_EVENTS 512

/* Longest SSE line kept for matching ("event: article"). */
#define LINE_KEEP 32

enum cstate { C_CONNECT, C_HEAD, C_SIZE, C_DATA, C_CRLF, C_DONE };

struct client {
    int fd;
    enum cstate st;
    bool connecting;      /* counted in nconnecting */
    bool ready;           /* the opening id: block was read */
    bool is_article;      /* the event being read is `event: article` */
    int crlf;             /* consecutive bytes of "\r\n\r\n" seen in the head */
    int head_len;         /* bytes of the status line kept */
    char head[16];        /* "HTTP/1.1 200" */
    uint64_t chunk_left;  /* bytes left in the current chunk */
    int line_len;         /* bytes of the current line (capped at LINE_KEEP) */
    char line[LINE_KEEP]; /* its start */
    int last_round;       /* last round whose article event was counted */
};

static struct client *clients;
static int nclients, nready, nfailed, nconnecting, next_connect;
static int epfd;
static double *recv_at; /* [client * rounds + round], 0 = not received */
static int nrounds, cur_round = -1, got_round, extra_events;
static double wake;     /* CLOCK_MONOTONIC at the last epoll_wait return, ms */

static const char *host = "127.0.0.1";
static int port, per_addr = 500, server_pid;
static const char *path = "/api/v1/stream";

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
    fprintf(stderr, "sse_client: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* The server's resident set in kB (VmRSS of /proc/PID/status), or -1. */
static long
server_rss_kb(void)
{
    char name[64], line[256];
    snprintf(name, sizeof(name), "/proc/%d/status", server_pid);
    FILE *f = fopen(name, "r");
    if (f == NULL)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static void
client_fail(struct client *c, const char *why)
{
    if (c->st == C_DONE)
        return;
    if (nfailed < 5)
        fprintf(stderr, "sse_client: stream %d: %s\n", (int)(c - clients), why);
    if (c->connecting)
        nconnecting--;
    c->connecting = false;
    if (c->ready)
        nready--;
    c->ready = false;
    c->st = C_DONE;
    nfailed++;
    close(c->fd);
    c->fd = -1;
}

/* Starts the next stream's connect, from its source address. */
static void
start_connect(void)
{
    int i = next_connect++;
    struct client *c = &clients[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket");
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i / per_addr));
    if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)) != 0)
        die("bind to a 127.0.0.x source address");
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &dst.sin_addr) != 1)
        die("host");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS)
        die("connect");
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        die("epoll_ctl");
    c->st = C_CONNECT;
    c->connecting = true;
    c->last_round = -1;
    nconnecting++;
}

/* One complete SSE line of c's stream (or its first LINE_KEEP bytes). */
static void
sse_line(struct client *c)
{
    if (c->line_len == 0) { /* blank: the event is complete */
        if (c->is_article) {
            if (cur_round >= 0 && c->last_round < cur_round) {
                c->last_round = cur_round;
                recv_at[(size_t)(c - clients) * (size_t)nrounds + (size_t)cur_round] = wake;
                got_round++;
            } else {
                extra_events++;
            }
        } else if (!c->ready) {
            c->ready = true; /* the opening block(s): the stream is live */
            c->connecting = false;
            nready++;
            nconnecting--;
        }
        c->is_article = false;
        return;
    }
    if (c->line_len == 14 && memcmp(c->line, "event: article", 14) == 0)
        c->is_article = true;
}

/* Feeds n body bytes (chunk data) of c's stream to the SSE parser. */
static void
sse_bytes(struct client *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            sse_line(c);
            c->line_len = 0;
        } else if (p[i] != '\r' && c->line_len < LINE_KEEP) {
            c->line[c->line_len++] = p[i];
        } else if (p[i] != '\r') {
            c->line_len = LINE_KEEP; /* long line: kept as its start */
        }
    }
}

/* Feeds n bytes read from c's socket through the HTTP head and the
 * chunked framing. */
static void
feed(struct client *c, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && c->st != C_DONE) {
        switch (c->st) {
        case C_HEAD:
            if (c->head_len < (int)sizeof(c->head) - 1)
                c->head[c->head_len++] = p[i];
            c->crlf = p[i] == "\r\n\r\n"[c->crlf] ? c->crlf + 1 : (p[i] == '\r' ? 1 : 0);
            i++;
            if (c->crlf == 4) {
                if (strncmp(c->head, "HTTP/1.1 200", 12) != 0) {
                    client_fail(c, c->head);
                    return;
                }
                c->st = C_SIZE;
                c->chunk_left = 0;
            }
            break;
        case C_SIZE: {
            char ch = p[i++];
            if (ch == '\n') {
                if (c->chunk_left == 0) {
                    client_fail(c, "the server ended the stream");
                    return;
                }
                c->st = C_DATA;
            } else if (ch >= '0' && ch <= '9') {
                c->chunk_left = c->chunk_left * 16 + (uint64_t)(ch - '0');
            } else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') {
                c->chunk_left = c->chunk_left * 16 + (uint64_t)((ch | 0x20) - 'a' + 10);
            }
            break;
        }
        case C_DATA: {
            size_t k = n - i < c->chunk_left ? n - i : (size_t)c->chunk_left;
            sse_bytes(c, p + i, k);
            i += k;
            c->chunk_left -= k;
            if (c->chunk_left == 0) {
                c->st = C_CRLF;
                c->crlf = 0;
            }
            break;
        }
        case C_CRLF:
            if (p[i++] == '\n') {
                c->st = C_SIZE;
                c->chunk_left = 0;
            }
            break;
        default:
            return;
        }
    }
}

static void
on_socket(struct client *c, uint32_t events)
{
    if (c->st == C_DONE)
        return;
    if (c->st == C_CONNECT) {
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        if (soerr != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
            errno = soerr;
            client_fail(c, strerror(soerr));
            return;
        }
        char req[256];
        int n = snprintf(req, sizeof(req),
                         "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                         "Cache-Control: no-cache\r\n\r\n",
                         path, host, port);
        if (write(c->fd, req, (size_t)n) != n) {
            client_fail(c, "short write of the request");
            return;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - clients)};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->st = C_HEAD;
        return;
    }
    char buf[16384];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n > 0) {
            feed(c, buf, (size_t)n);
            if (c->st == C_DONE || (size_t)n < sizeof(buf))
                return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        client_fail(c, n == 0 ? "the server closed the connection" : strerror(errno));
        return;
    }
}

/* The running ingest: its pid, the read end of its stderr, and what of
 * the current line was read. */
static pid_t child = -1;
static int child_fd = -1;
static char child_line[4096];
static size_t child_len;
static double commit_at[1024];

/* Reads the ingest's stderr; a "...: committed" line sets the round's
 * COMMIT time. */
static void
on_child(void)
{
    for (;;) {
        ssize_t n = read(child_fd, child_line + child_len, sizeof(child_line) - 1 - child_len);
        if (n > 0) {
            child_len += (size_t)n;
            child_line[child_len] = '\0';
            char *nl;
            while ((nl = strchr(child_line, '\n')) != NULL) {
                *nl = '\0';
                if (strstr(child_line, ": committed") != NULL && commit_at[cur_round] == 0)
                    commit_at[cur_round] = wake;
                size_t rest = child_len - (size_t)(nl + 1 - child_line);
                memmove(child_line, nl + 1, rest + 1);
                child_len = rest;
            }
            if (child_len == sizeof(child_line) - 1)
                child_len = 0; /* a line this long is no "committed" line */
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        epoll_ctl(epfd, EPOLL_CTL_DEL, child_fd, NULL);
        close(child_fd);
        child_fd = -1;
        return;
    }
}

/* Starts argv with file as its last argument, stderr to a pipe we read. */
static void
spawn(char **argv, int argc, char *file)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        die("pipe");
    child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        char **args = calloc((size_t)argc + 2, sizeof(*args));
        if (args == NULL)
            _exit(127);
        memcpy(args, argv, (size_t)argc * sizeof(*args));
        args[argc] = file;
        dup2(fds[1], STDERR_FILENO);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        execvp(args[0], args);
        _exit(127);
    }
    close(fds[1]);
    child_fd = fds[0];
    child_len = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, child_fd, &ev) != 0)
        die("epoll_ctl");
}

/* Runs the loop for up to ms milliseconds, or until done() says so. */
static void
loop(double ms, bool (*done)(void))
{
    struct epoll_event evs[MAX_EVENTS];
    double end = now_ms() + ms;
    while (!(done != NULL && done())) {
        while (nconnecting < MAX_CONNECTING && next_connect < nclients)
            start_connect();
        double left = end - now_ms();
        if (left <= 0)
            return;
        int n = epoll_wait(epfd, evs, MAX_EVENTS, left > 100 ? 100 : (int)left + 1);
        wake = now_ms();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u32 == UINT32_MAX)
                on_child();
            else
                on_socket(&clients[evs[i].data.u32], evs[i].events);
        }
        if (child > 0 && child_fd < 0) {
            int status;
            if (waitpid(child, &status, 0) == child &&
                (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                fprintf(stderr, "sse_client: the ingest of round %d failed\n", cur_round + 1);
            child = -1;
        }
    }
}

static bool
all_settled(void)
{
    return nready + nfailed == nclients;
}

static bool
round_done(void)
{
    return got_round >= nready && child < 0 && commit_at[cur_round] != 0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of sorted v[0..n), nearest rank. */
static double
quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(q * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    return v[(k > n ? n : k) - 1];
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: sse_client -p PORT [-n CLIENTS] [-a PER_ADDR] [-P SERVER_PID]\n"
            "                  [-g GAP_MS] [-j JITTER_MS] [-t TIMEOUT_MS] [-u PATH]\n"
            "                  -- INGEST_CMD... -- FILE...\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    double gap = 1500, timeout = 10000, jitter = 250;
    int opt;
    nclients = 1000;
    while ((opt = getopt(argc, argv, "p:n:a:P:g:j:t:u:")) != -1) {
        if (opt == 'p')
            port = (int)strtol(optarg, NULL, 10);
        else if (opt == 'n')
            nclients = (int)strtol(optarg, NULL, 10);
        else if (opt == 'a')
            per_addr = (int)strtol(optarg, NULL, 10);
        else if (opt == 'P')
            server_pid = (int)strtol(optarg, NULL, 10);
        else if (opt == 'g')
            gap = strtod(optarg, NULL);
        else if (opt == 't')
            timeout = strtod(optarg, NULL);
        else if (opt == 'j')
            jitter = strtod(optarg, NULL);
        else if (opt == 'u')
            path = optarg;
        else
            usage();
    }
    char **cmd = argv + optind;
    int ncmd = 0;
    while (optind + ncmd < argc && strcmp(cmd[ncmd], "--") != 0)
        ncmd++;
    if (port <= 0 || nclients <= 0 || per_addr <= 0 || ncmd == 0 || optind + ncmd >= argc)
        usage();
    char **files = cmd + ncmd + 1;
    nrounds = argc - optind - ncmd - 1;
    if (nrounds <= 0 || nrounds > (int)(sizeof(commit_at) / sizeof(commit_at[0])))
        usage();
    if (nclients / per_addr > 250)
        usage();

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nclients + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    clients = calloc((size_t)nclients, sizeof(*clients));
    recv_at = calloc((size_t)nclients * (size_t)nrounds, sizeof(*recv_at));
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (clients == NULL || recv_at == NULL || epfd < 0)
        die("setup");

    long rss0 = server_pid > 0 ? server_rss_kb() : -1;
    double t0 = now_ms();
    loop(120000, all_settled);
    double t_conn = now_ms() - t0;
    loop(1000, NULL); /* let the server settle: every stream suspended */
    long rss1 = server_pid > 0 ? server_rss_kb() : -1;
    int connected = nready;
    printf("clients %d\nconnected %d\nconnect_failed %d\nconnect_ms %.0f\n", nclients, connected,
           nfailed, t_conn);
    if (rss0 >= 0 && rss1 >= 0 && connected > 0)
        printf("rss0_kb %ld\nrss_kb %ld\nper_client_bytes %.0f\n", rss0, rss1,
               (double)(rss1 - rss0) * 1024.0 / connected);
    fflush(stdout);

    for (cur_round = 0; cur_round < nrounds && nready > 0; cur_round++) {
        got_round = 0;
        spawn(cmd, ncmd, files[cur_round]);
        loop(timeout, round_done);
        if (commit_at[cur_round] == 0)
            fprintf(stderr, "sse_client: round %d: no committed line\n", cur_round + 1);
        loop(gap + jitter * rand() / RAND_MAX, NULL); /* the same phases each run (no srand) */
    }
    long rss2 = server_pid > 0 ? server_rss_kb() : -1;
    if (rss0 >= 0 && rss2 >= 0 && connected > 0)
        printf("rss_after_kb %ld\nper_client_after_bytes %.0f\n", rss2,
               (double)(rss2 - rss0) * 1024.0 / connected);

    size_t nd = 0, missing = 0;
    double *d = calloc((size_t)nclients * (size_t)nrounds + 1, sizeof(*d));
    for (int r = 0; r < nrounds; r++)
        for (int i = 0; i < nclients; i++) {
            double at = recv_at[(size_t)i * (size_t)nrounds + (size_t)r];
            if (at == 0 || commit_at[r] == 0)
                missing++;
            else
                d[nd++] = at - commit_at[r];
        }
    qsort(d, nd, sizeof(*d), cmp_double);
    printf("rounds %d\nstill_open %d\nevents %zu\nmissing %zu\nextra %d\n", nrounds, nready, nd,
           missing, extra_events);
    printf("delay_min_ms %.1f\ndelay_p50_ms %.1f\ndelay_p90_ms %.1f\ndelay_p99_ms %.1f\n"
           "delay_max_ms %.1f\n",
           nd ? d[0] : 0, quantile(d, nd, 0.50), quantile(d, nd, 0.90), quantile(d, nd, 0.99),
           nd ? d[nd - 1] : 0);
    for (int r = 0; r < nrounds; r++) {
        double lo = 0, hi = 0;
        int k = 0;
        for (int i = 0; i < nclients; i++) {
            double at = recv_at[(size_t)i * (size_t)nrounds + (size_t)r];
            if (at == 0 || commit_at[r] == 0)
                continue;
            lo = k == 0 || at - commit_at[r] < lo ? at - commit_at[r] : lo;
            hi = k == 0 || at - commit_at[r] > hi ? at - commit_at[r] : hi;
            k++;
        }
        printf("round %d clients %d first_ms %.1f last_ms %.1f\n", r + 1, k, lo, hi);
    }
    free(d);
    return nfailed == 0 && missing == 0 ? 0 : 1;
}
