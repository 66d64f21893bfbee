/*
 * gen_dw.c - makes a large archive of dpa digitalwires entries for the
 * ingest benchmark (bench/ingest.sh), by recombining real ones.
 *
 *     gen_dw OUTDIR COUNT PER_FILE INPUT.json...
 *
 * Every INPUT is a digitalwires entry (the corpus's and demo/'s). Entry i
 * of the archive is a copy of input i mod n, with:
 *
 *   - a new urn ("urn:newsml:dpa.com:20090101:bench-NNNNNNN"), entry_id,
 *     version 1, status usable, no embargo, and times one minute apart;
 *   - the headline of another input plus a running number (headlines name
 *     stories, so they are kept distinct), the teaser of a third;
 *   - a body of 3 to 8 paragraphs drawn from the pool of every input's
 *     paragraphs (article_html split at <p>), so texts differ per entry.
 *
 * Categories, keywords and the other metadata stay those of the copied
 * input: sections and topics are realistic, with the skew of a real wire.
 * The archive is written as OUTDIR/BBB/NNNNNNN.json, 1,000 files per
 * folder; with PER_FILE > 1 each file is a {"entries": [...]} batch of
 * PER_FILE entries. Nothing here is meant to be committed: the texts are
 * the agencies'. Prints the number of entries and files written.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Most inputs and paragraphs kept. */
#define MAX_INPUTS 4096
#define MAX_PARAS 65536

static json_t *inputs[MAX_INPUTS];
static int ninputs;
static char *paras[MAX_PARAS];
static int nparas;

static void
die(const char *what)
{
    fprintf(stderr, "gen_dw: %s\n", what);
    exit(1);
}

/* Adds every non-empty <p>...</p> of html to the paragraph pool. */
static void
collect_paragraphs(const char *html)
{
    const char *p = html;
    while (nparas < MAX_PARAS && (p = strstr(p, "<p")) != NULL) {
        if (p[2] != '>' && p[2] != ' ') {
            p += 2;
            continue;
        }
        const char *e = strstr(p, "</p>");
        if (e == NULL)
            break;
        e += 4;
        size_t n = (size_t)(e - p);
        if (n > 12) { /* not "<p></p>" or a lone tag */
            char *s = malloc(n + 1);
            if (s == NULL)
                die("out of memory");
            memcpy(s, p, n);
            s[n] = '\0';
            paras[nparas++] = s;
        }
        p = e;
    }
}

static void
load(const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (j == NULL) {
        fprintf(stderr, "gen_dw: %s: line %d: %s (skipped)\n", path, jerr.line, jerr.text);
        return;
    }
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "urn")) ||
        !json_is_string(json_object_get(j, "headline")) || ninputs == MAX_INPUTS) {
        json_decref(j);
        return;
    }
    const char *html = json_string_value(json_object_get(j, "article_html"));
    if (html != NULL)
        collect_paragraphs(html);
    inputs[ninputs++] = j;
}

/* Formats t (seconds since the epoch) as ISO 8601 UTC. */
static void
iso(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A small LCG: the archive is the same on every run. */
static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned
next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 33);
}

/* Entry i of the archive (a new reference). */
static json_t *
make_entry(long i)
{
    json_t *e = json_deep_copy(inputs[i % ninputs]);
    char buf[128], t[32];
    snprintf(buf, sizeof(buf), "urn:newsml:dpa.com:20090101:bench-%07ld", i);
    json_object_set_new(e, "urn", json_string(buf));
    snprintf(buf, sizeof(buf), "bench-%07ld-v1", i);
    json_object_set_new(e, "entry_id", json_string(buf));
    json_object_set_new(e, "version", json_integer(1));
    json_object_set_new(e, "pubstatus", json_string("usable"));
    json_object_set_new(e, "embargoed", json_null());
    /* One entry a minute, starting 2025-03-01 06:00 UTC. */
    iso(1740808800LL + 60LL * i, t);
    json_object_set_new(e, "version_created", json_string(t));
    json_object_set_new(e, "updated", json_string(t));

    const json_t *h = json_object_get(inputs[(i * 7 + 3) % ninputs], "headline");
    char head[1024];
    snprintf(head, sizeof(head), "%s (%ld)", json_string_value(h), i);
    json_object_set_new(e, "headline", json_string(head));
    json_t *teaser = json_object_get(inputs[(i * 11 + 5) % ninputs], "teaser");
    json_object_set(e, "teaser", teaser != NULL ? teaser : json_null());

    if (nparas > 0) {
        size_t cap = 1 << 16, len = 0;
        char *body = malloc(cap);
        if (body == NULL)
            die("out of memory");
        len += (size_t)snprintf(body, cap, "<section class=\"main\">");
        int k = 3 + (int)(next_rand() % 6);
        for (int j = 0; j < k; j++) {
            const char *p = paras[next_rand() % (unsigned)nparas];
            size_t n = strlen(p);
            if (len + n + 16 > cap) {
                while (len + n + 16 > cap)
                    cap *= 2;
                body = realloc(body, cap);
                if (body == NULL)
                    die("out of memory");
            }
            memcpy(body + len, p, n);
            len += n;
        }
        memcpy(body + len, "</section>", 11);
        json_object_set_new(e, "article_html", json_string(body));
        free(body);
    }
    return e;
}

int
main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: gen_dw OUTDIR COUNT PER_FILE INPUT.json...\n");
        return 2;
    }
    const char *out = argv[1];
    char *end;
    long count = strtol(argv[2], &end, 10);
    if (*end != '\0' || count < 1 || count > 100000000)
        die("COUNT wants a number from 1 to 100000000");
    long per = strtol(argv[3], &end, 10);
    if (*end != '\0' || per < 1 || per > 100000)
        die("PER_FILE wants a number from 1 to 100000");
    for (int a = 4; a < argc; a++)
        load(argv[a]);
    if (ninputs == 0)
        die("no usable input entries");
    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        die("cannot create OUTDIR");

    long files = 0;
    for (long i = 0; i < count; i += per, files++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%03ld", out, files / 1000);
        if (files % 1000 == 0 && mkdir(path, 0755) != 0 && errno != EEXIST)
            die("cannot create a folder in OUTDIR");
        snprintf(path, sizeof(path), "%s/%03ld/%07ld.json", out, files / 1000, files);
        json_t *doc;
        if (per == 1) {
            doc = make_entry(i);
        } else {
            json_t *arr = json_array();
            for (long k = i; k < i + per && k < count; k++)
                json_array_append_new(arr, make_entry(k));
            doc = json_pack("{s:o}", "entries", arr);
        }
        if (json_dump_file(doc, path, JSON_COMPACT) != 0)
            die("cannot write a file in OUTDIR");
        json_decref(doc);
    }
    printf("%ld entries in %ld files from %d inputs and %d paragraphs\n", count, files, ninputs,
           nparas);
    for (int k = 0; k < ninputs; k++)
        json_decref(inputs[k]);
    for (int k = 0; k < nparas; k++)
        free(paras[k]);
    return 0;
}
