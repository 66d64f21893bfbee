/*
 * static.c - the files under static/, prepared once (see static.h).
 */
#include "static.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/mem.h"

struct file {
    char *name;                /* relative to the folder: "demo/x.jpg" */
    struct mld_http_resp *resp; /* prepared */
};

struct mld_static {
    struct file *v; /* sorted by name */
    int n;
    size_t bytes; /* read so far, against MLD_STATIC_MAX_BYTES */
};

/* The content type of a file by the ending of its name. */
static const char *
type_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"html", "text/html; charset=utf-8"},
        {"xml", "application/xml"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"gif", "image/gif"},
        {"ico", "image/x-icon"},
        {"woff2", "font/woff2"},
        {"pdf", "application/pdf"},
        {"mp3", "audio/mpeg"},
        {"mp4", "video/mp4"},
        {"webm", "video/webm"},
    };
    const char *dot = strrchr(name, '.');
    if (dot != NULL && strchr(dot, '/') == NULL)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Reads the file at path (named name in the table) into a prepared
 * response appended to t. */
static int
add_file(struct mld_static *t, const char *path, const char *name, const struct stat *sb,
         struct mld_err *err)
{
    if (t->n >= MLD_STATIC_MAX_FILES)
        return mld_err_set(err, MLD_E_TOOBIG, "%s: more than %d static files", path,
                           MLD_STATIC_MAX_FILES);
    struct mld_buf b;
    mld_buf_init(&b, MLD_STATIC_MAX_BYTES - t->bytes);
    int rc = mld_buf_read_file(&b, path, err);
    if (rc != 0) {
        mld_buf_dispose(&b);
        if (rc == MLD_E_TOOBIG)
            mld_err_set(err, MLD_E_TOOBIG, "%s: the static files pass %u bytes", path,
                        (unsigned)MLD_STATIC_MAX_BYTES);
        return rc;
    }
    t->bytes += b.len;
    struct mld_http_resp *r =
        mld_http_resp_new(200, type_of(name), b.p ? b.p : "", b.len, (mld_time_t)sb->st_mtime);
    mld_buf_dispose(&b);
    mld_http_resp_header(r, "Cache-Control", "public, max-age=3600");
    t->v = mld_reallocarray(t->v, (size_t)t->n + 1, sizeof(*t->v));
    t->v[t->n++] = (struct file){mld_strdup(name), mld_http_resp_finish(r, MLD_HTTP_GZIP |
                                                                           MLD_HTTP_ETAG)};
    return 0;
}

/* Adds the files below dir/prefix (prefix "" or "sub/") to t. */
static int
walk(struct mld_static *t, const char *dir, const char *prefix, int depth, struct mld_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, prefix);
    DIR *d = opendir(path);
    if (d == NULL)
        return mld_err_set(err, MLD_E_IO, "%s: cannot read the static folder: %m", path);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char name[1024], full[4096 + 1024];
        if ((size_t)snprintf(name, sizeof(name), "%s%s", prefix, e->d_name) >= sizeof(name))
            continue;
        snprintf(full, sizeof(full), "%s/%s", dir, name);
        struct stat sb;
        if (lstat(full, &sb) != 0)
            continue;
        if (S_ISREG(sb.st_mode)) {
            rc = add_file(t, full, name, &sb, err);
        } else if (S_ISDIR(sb.st_mode) && depth < MLD_STATIC_MAX_DEPTH) {
            char sub[1024];
            if ((size_t)snprintf(sub, sizeof(sub), "%s/", name) < sizeof(sub))
                rc = walk(t, dir, sub, depth + 1, err);
        }
    }
    closedir(d);
    return rc;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

/* bsearch's comparison: a name against a file. */
static int
name_cmp(const void *key, const void *f)
{
    return strcmp(key, ((const struct file *)f)->name);
}

int
mld_static_load(struct mld_static **out, const char *dir, struct mld_err *err)
{
    struct mld_static *t = MLD_NEW(struct mld_static);
    int rc = walk(t, dir, "", 0, err);
    if (rc != 0) {
        mld_static_free(t);
        *out = NULL;
        return rc;
    }
    if (t->n > 1)
        qsort(t->v, (size_t)t->n, sizeof(*t->v), by_name);
    *out = t;
    return 0;
}

void
mld_static_free(struct mld_static *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->n; i++) {
        mld_free(t->v[i].name);
        mld_http_resp_unref(t->v[i].resp);
    }
    mld_free(t->v);
    mld_free(t);
}

struct mld_http_resp *
mld_static_get(const struct mld_static *t, const char *name)
{
    const struct file *f = bsearch(name, t->v, (size_t)t->n, sizeof(*t->v), name_cmp);
    return f != NULL ? mld_http_resp_ref(f->resp) : NULL;
}

int
mld_static_count(const struct mld_static *t)
{
    return t->n;
}
