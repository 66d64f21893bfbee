/*
 * tests/unit/web/metrics.c - route classes, request counting and the
 * exposition writers (src/web/metrics.c).
 */
#include "../../../src/web/metrics.c"

#include <string.h>

#include "test.h"

static void
test_route_classes(void)
{
    static const struct {
        const char *target, *class;
    } cases[] = {
        {"/", "home"},
        {"/?seite=2", "home"},
        {"/artikel/sturm-im-norden-5", "article"},
        {"/ressort/sport?seite=3", "section"},
        {"/thema/bayern", "topic"},
        {"/geschichte/12", "story"},
        {"/suche?q=x", "search"},
        {"/api/v1/search?q=x", "search"},
        {"/api/v1/articles", "api"},
        {"/api/v1/stream", "stream"},
        {"/feed.xml", "feed"},
        {"/sitemap.xml", "feed"},
        {"/robots.txt", "feed"},
        {"/static/style.css", "static"},
        {"/favicon.ico", "static"},
        {"/status", "status"},
        {"/healthz", "status"},
        {"/metrics", "status"},
        {"/wp-login.php", "other"},
        {"/artikel", "other"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_str(mld_route_class_name(mld_route_class_of(cases[i].target)), cases[i].class,
               "route class of %s", cases[i].target);
    char longpath[600];
    memset(longpath, 'a', sizeof(longpath) - 1);
    memcpy(longpath, "/artikel/", 9);
    longpath[sizeof(longpath) - 1] = '\0';
    is_str(mld_route_class_name(mld_route_class_of(longpath)), "article",
           "a long path is classed by its prefix");
}

/* Value of the sample line that starts with prefix in text, or -1. */
static double
sample(const char *text, const char *prefix)
{
    const char *p = text;
    size_t n = strlen(prefix);
    while ((p = strstr(p, prefix)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p += n;
    }
    return -1;
}

static void
test_counting(void)
{
    struct mld_metrics *m = mld_metrics_new();
    struct mld_http_done d = {.client = "127.0.0.1", .method = "GET", .target = "/",
                              .version = "HTTP/1.1", .status = 200, .bytes = 10,
                              .duration_us = 700, .completed = true};
    mld_metrics_request(m, &d);
    d.duration_us = 30000000; /* 30 s: only +Inf */
    mld_metrics_request(m, &d);
    d.status = 404;
    d.target = "/artikel/x-1";
    d.duration_us = 100;
    mld_metrics_request(m, &d);
    d.completed = false;
    mld_metrics_request(m, &d);
    struct mld_buf b;
    mld_buf_init(&b, 1 << 20);
    mld_metrics_write_http(m, &b, 1000);
    const char *t = b.p;
    ok(sample(t, "meldung_http_responses_total{route=\"home\",code=\"2xx\"}") == 2, "home 2xx: 2");
    ok(sample(t, "meldung_http_responses_total{route=\"article\",code=\"4xx\"}") == 1,
       "article 4xx: 1 (the aborted one is not a response)");
    ok(sample(t, "meldung_http_requests_aborted_total") == 1, "aborted: 1");
    ok(sample(t, "meldung_http_request_duration_seconds_bucket{route=\"home\",le=\"0.0005\"}") == 0,
       "0.7 ms is not under 0.5 ms");
    ok(sample(t, "meldung_http_request_duration_seconds_bucket{route=\"home\",le=\"0.001\"}") == 1,
       "0.7 ms is under 1 ms");
    ok(sample(t, "meldung_http_request_duration_seconds_bucket{route=\"home\",le=\"10\"}") == 1,
       "30 s is over the last bound");
    ok(sample(t, "meldung_http_request_duration_seconds_bucket{route=\"home\",le=\"+Inf\"}") == 2,
       "+Inf holds both");
    ok(sample(t, "meldung_http_request_duration_seconds_count{route=\"home\"}") == 2,
       "_count equals +Inf");
    double sum = sample(t, "meldung_http_request_duration_seconds_sum{route=\"home\"}");
    ok(sum > 30.0006 && sum < 30.0008, "_sum in seconds: %f", sum);
    ok(sample(t, "meldung_scrape_time_seconds") == 1000, "the scrape time as given");
    mld_buf_dispose(&b);
    mld_metrics_free(m);
}

static void
test_label_escaping(void)
{
    struct mld_buf b;
    mld_buf_init(&b, 4096);
    mld_prom_sample(&b, "x_total", "source", "a\"b\\c\nd", 3);
    mld_prom_sample(&b, "y", NULL, NULL, 0.25);
    is_str(b.p, "x_total{source=\"a\\\"b\\\\c\\nd\"} 3\ny 0.25\n",
           "label values escaped; integers without a point");
    mld_buf_dispose(&b);
}

int
main(void)
{
    test_route_classes();
    test_counting();
    test_label_escaping();
    return mld_test_done();
}
