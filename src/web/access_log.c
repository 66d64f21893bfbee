/*
 * access_log.c - the access log and its writer thread (see access_log.h).
 *
 * Two buffers of MLD_ACCESS_LOG_BUFFER_BYTES: request threads append to
 * the front one under the mutex (a memcpy); the writer swaps front and
 * back under the mutex and writes the back one with the mutex released.
 * So the only wait a request thread can meet is another thread's memcpy
 * or the swap, never the disk.
 */
#include "access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/config.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/mem.h"

struct mld_access_log {
    enum mld_access_format format;
    int fd;                /* the file, or STDERR_FILENO */
    bool own_fd;           /* fd is ours to close */
    char *path;            /* for messages: the file, or "stderr" */
    pthread_mutex_t lock;  /* guards everything below */
    pthread_cond_t cond;   /* wakes the writer: half full, or stop */
    char *front, *back;    /* the buffers; requests append to front */
    size_t len;            /* bytes in front */
    int64_t dropped;       /* lines dropped (buffer full), ever */
    int64_t reported;      /* of them, warned about */
    bool stop;             /* close() began */
    bool reopen;           /* mld_access_log_reopen() asked; the writer reopens */
    pthread_t thread;
};

/* Opens al's file anew (log rotation moved the old one away) and, when
 * that worked, closes the old descriptor. Only the writer uses al->fd. */
static void
reopen_file(struct mld_access_log *al)
{
    if (!al->own_fd)
        return;
    int fd = open(al->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        mld_log_warn("access log: %s: cannot reopen: %s (writing on to the old file)", al->path,
                     strerror(errno));
        return;
    }
    close(al->fd);
    al->fd = fd;
    mld_log_info("access log: %s reopened", al->path);
}

/* The writer: every MLD_ACCESS_LOG_FLUSH_MS, or sooner when kicked,
 * swaps the buffers and writes what requests appended. */
static void *
writer(void *arg)
{
    struct mld_access_log *al = arg;
    int last_error = 0;
    int64_t lost = 0;      /* dropped lines not yet warned about */
    time_t last_warn = 0;  /* warnings about drops: one per MLD_ACCESS_LOG_WARN_SECS */
    pthread_mutex_lock(&al->lock);
    for (;;) {
        if (!al->stop && al->len < MLD_ACCESS_LOG_BUFFER_BYTES / 2) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += (long)MLD_ACCESS_LOG_FLUSH_MS * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&al->cond, &al->lock, &until);
        }
        char *out = al->front;
        size_t n = al->len;
        al->front = al->back;
        al->back = out;
        al->len = 0;
        lost += al->dropped - al->reported;
        al->reported = al->dropped;
        bool stopping = al->stop;
        bool reopen = al->reopen;
        al->reopen = false;
        pthread_mutex_unlock(&al->lock);
        int e = n > 0 ? mld_write_all(al->fd, out, n) : 0;
        if (e != 0 && e != last_error)
            mld_log_warn("access log: %s: %s (lines are lost until it works again)", al->path,
                         strerror(e));
        last_error = e;
        if (reopen)
            reopen_file(al); /* after the lines meant for the old file */
        time_t now = time(NULL);
        if (lost > 0 && (stopping || now - last_warn >= MLD_ACCESS_LOG_WARN_SECS)) {
            mld_log_warn("access log: %s: %" PRId64 " line(s) dropped, the file was slower "
                         "than the requests",
                         al->path, lost);
            lost = 0;
            last_warn = now;
        }
        pthread_mutex_lock(&al->lock);
        if (stopping && al->len == 0)
            break;
    }
    pthread_mutex_unlock(&al->lock);
    return NULL;
}

int
mld_access_log_open(struct mld_access_log **out, const struct mld_config *conf,
                    struct mld_err *err)
{
    *out = NULL;
    int sec = conf != NULL ? mld_config_find(conf, "log", NULL) : -1;
    const char *fmt = sec >= 0 ? mld_config_get(conf, sec, "access") : NULL;
    const char *file = sec >= 0 ? mld_config_get(conf, sec, "access_file") : NULL;
    enum mld_access_format f;
    if (fmt == NULL || strcmp(fmt, "off") == 0)
        f = MLD_ACCESS_OFF;
    else if (strcmp(fmt, "combined") == 0)
        f = MLD_ACCESS_COMBINED;
    else if (strcmp(fmt, "json") == 0)
        f = MLD_ACCESS_JSON;
    else
        return mld_err_set(err, MLD_E_PARSE,
                           "%s: [log] access wants off, combined or json, got '%s'",
                           mld_config_where(conf, sec, "access"), fmt);
    if (f == MLD_ACCESS_OFF)
        return 0;
    if (file != NULL && file[0] == '\0')
        return mld_err_set(err, MLD_E_PARSE, "%s: [log] access_file is empty (a path, or stderr)",
                           mld_config_where(conf, sec, "access_file"));
    bool to_stderr = file == NULL || strcmp(file, "stderr") == 0;
    int fd = STDERR_FILENO;
    if (!to_stderr) {
        fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            return mld_err_set(err, MLD_E_IO, "%s: [log] access_file %s: %s",
                               mld_config_where(conf, sec, "access_file"), file, strerror(errno));
    }
    struct mld_access_log *al = MLD_NEW(struct mld_access_log);
    al->format = f;
    al->fd = fd;
    al->own_fd = !to_stderr;
    al->path = mld_strdup(to_stderr ? "stderr" : file);
    al->front = mld_malloc(MLD_ACCESS_LOG_BUFFER_BYTES);
    al->back = mld_malloc(MLD_ACCESS_LOG_BUFFER_BYTES);
    pthread_mutex_init(&al->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&al->cond, &ca);
    pthread_condattr_destroy(&ca);
    int e = pthread_create(&al->thread, NULL, writer, al);
    if (e != 0) {
        mld_err_set(err, MLD_E_IO, "access log: cannot start its writer: %s", strerror(e));
        pthread_cond_destroy(&al->cond);
        pthread_mutex_destroy(&al->lock);
        if (al->own_fd)
            close(al->fd);
        mld_free(al->front);
        mld_free(al->back);
        mld_free(al->path);
        mld_free(al);
        return MLD_E_IO;
    }
    *out = al;
    return 0;
}

/* Appends s escaped for mode, or "-" (text) or null (JSON) for NULL,
 * with the quotes the format wants around it. Returns the new length. */
static size_t
put_field(char *line, size_t len, size_t size, const char *s, size_t max, bool json)
{
    if (s == NULL) {
        int n = snprintf(line + len, size - len, "%s", json ? "null" : "\"-\"");
        return n > 0 && (size_t)n < size - len ? len + (size_t)n : len;
    }
    if (len + 2 >= size)
        return len;
    line[len++] = '"';
    size_t n = strlen(s);
    size_t room = size - len - 1 < max ? size - len - 1 : max;
    len += mld_log_escape(line + len, room, s, n, json ? MLD_ESC_JSON : MLD_ESC_QUOTED, NULL);
    line[len++] = '"';
    line[len] = '\0';
    return len;
}

/* Writes d as one combined-format line into line (size bytes). */
static size_t
format_combined(char *line, size_t size, const struct mld_http_done *d)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char bytes[24] = "-";
    if (d->bytes >= 0)
        snprintf(bytes, sizeof(bytes), "%" PRId64, d->bytes);
    int h = snprintf(line, size, "%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] ", d->client,
                     tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
    size_t len = (size_t)h;
    /* "METHOD TARGET VERSION", each part escaped. */
    char req[MLD_LOG_LINE_BYTES];
    size_t r = mld_log_escape(req, 32, d->method, strlen(d->method), MLD_ESC_QUOTED, NULL);
    req[r++] = ' ';
    r += mld_log_escape(req + r, sizeof(req) - r - 40, d->target, strlen(d->target),
                        MLD_ESC_QUOTED, NULL);
    req[r++] = ' ';
    r += mld_log_escape(req + r, sizeof(req) - r, d->version, strlen(d->version), MLD_ESC_QUOTED,
                        NULL);
    int n = snprintf(line + len, size - len, "\"%s\" %d %s ", req, d->status, bytes);
    len += (size_t)n;
    len = put_field(line, len, size, d->referer, MLD_ACCESS_LOG_FIELD_BYTES, false);
    if (len + 1 < size)
        line[len++] = ' ';
    len = put_field(line, len, size, d->user_agent, MLD_ACCESS_LOG_FIELD_BYTES, false);
    n = snprintf(line + len, size - len, " %.6f\n", (double)d->duration_us / 1e6);
    return len + (size_t)n;
}

/* Writes d as one JSON object line into line (size bytes). */
static size_t
format_json(char *line, size_t size, const struct mld_http_done *d)
{
    char ts[25];
    mld_log_timestamp(ts);
    int n = snprintf(line, size, "{\"ts\":\"%s\",\"client\":\"%s\",\"method\":", ts, d->client);
    size_t len = put_field(line, (size_t)n, size, d->method, 32, true);
    len += (size_t)snprintf(line + len, size - len, ",\"target\":");
    len = put_field(line, len, size, d->target, MLD_LOG_LINE_BYTES / 2, true);
    len += (size_t)snprintf(line + len, size - len, ",\"protocol\":");
    len = put_field(line, len, size, d->version, 16, true);
    char bytes[24] = "null";
    if (d->bytes >= 0)
        snprintf(bytes, sizeof(bytes), "%" PRId64, d->bytes);
    len += (size_t)snprintf(line + len, size - len,
                            ",\"status\":%d,\"bytes\":%s,\"duration_s\":%.6f,\"completed\":%s,"
                            "\"referer\":",
                            d->status, bytes, (double)d->duration_us / 1e6,
                            d->completed ? "true" : "false");
    len = put_field(line, len, size, d->referer, MLD_ACCESS_LOG_FIELD_BYTES, true);
    len += (size_t)snprintf(line + len, size - len, ",\"user_agent\":");
    len = put_field(line, len, size, d->user_agent, MLD_ACCESS_LOG_FIELD_BYTES, true);
    len += (size_t)snprintf(line + len, size - len, "}\n");
    return len;
}

void
mld_access_log_request(void *ud, const struct mld_http_done *d)
{
    struct mld_access_log *al = ud;
    /* Room for every field at its most, escaped: nothing is cut. */
    char line[MLD_LOG_LINE_BYTES + 4 * MLD_ACCESS_LOG_FIELD_BYTES * 2 + 512];
    size_t n = al->format == MLD_ACCESS_JSON ? format_json(line, sizeof(line), d)
                                             : format_combined(line, sizeof(line), d);
    if (n >= sizeof(line)) { /* cannot happen with the room above; keep the line whole */
        n = sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    pthread_mutex_lock(&al->lock);
    if (al->len + n > MLD_ACCESS_LOG_BUFFER_BYTES) {
        al->dropped++;
    } else {
        memcpy(al->front + al->len, line, n);
        al->len += n;
        if (al->len >= MLD_ACCESS_LOG_BUFFER_BYTES / 2)
            pthread_cond_signal(&al->cond);
    }
    pthread_mutex_unlock(&al->lock);
}

/* Sets one of al's requests to the writer (*flag, guarded by the lock)
 * and wakes it. */
static void
tell_writer(struct mld_access_log *al, bool *flag)
{
    pthread_mutex_lock(&al->lock);
    *flag = true;
    pthread_cond_signal(&al->cond);
    pthread_mutex_unlock(&al->lock);
}

void
mld_access_log_reopen(struct mld_access_log *al)
{
    if (al != NULL)
        tell_writer(al, &al->reopen);
}

int64_t
mld_access_log_dropped(struct mld_access_log *al)
{
    pthread_mutex_lock(&al->lock);
    int64_t n = al->dropped;
    pthread_mutex_unlock(&al->lock);
    return n;
}

void
mld_access_log_close(struct mld_access_log *al)
{
    if (al == NULL)
        return;
    tell_writer(al, &al->stop);
    pthread_join(al->thread, NULL);
    if (al->own_fd)
        close(al->fd);
    pthread_cond_destroy(&al->cond);
    pthread_mutex_destroy(&al->lock);
    mld_free(al->front);
    mld_free(al->back);
    mld_free(al->path);
    mld_free(al);
}
