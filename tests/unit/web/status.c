/*
 * Tests for status.c: URL and folder masking for the public page, the
 * template context built from source states, and a render through the
 * bundled templates/status.mustache.
 */
#include "../../../src/web/status.c"

#include "test.h"

static void
test_mask(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"http://127.0.0.1:8080/down: HTTP 503", "http://127.0.0.1:8080/…: HTTP 503"},
        {"https://user:pw@wireq.example/SECRET/dequeue.json: timed out",
         "https://wireq.example/…: timed out"},
        {"http://host/: HTTP 500", "http://host/: HTTP 500"},
        {"http://host: refused", "http://host: refused"},
        {"http://host", "http://host"},
        {"see http://a.b/c?d=e and HTTPS://x/y", "see http://a.b/… and HTTPS://x/…"},
        {"http://a.b?token=1 x", "http://a.b/… x"},
        {"no address here: HTTP 404", "no address here: HTTP 404"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[256];
        mld_status_mask_urls(cases[i].in, out, sizeof(out));
        is_str(out, cases[i].want, "mask %zu", i);
    }
    char small[12];
    mld_status_mask_urls("http://example.org/secret: x", small, sizeof(small));
    is_str(small, "http://exam", "a small buffer truncates, NUL-terminated");

    char msg[128] = "/srv/wire/in/bad.json: line 1; /srv/wire/in/x.json";
    mask_folder(msg, "drop:/srv/wire/in");
    is_str(msg, "in/bad.json: line 1; in/x.json", "a drop folder's path is cut to its name");
    char host[64];
    host_of("https://u:p@Example.org:8443/a/b?c", host, sizeof(host));
    is_str(host, "Example.org:8443", "host without user:password, with port");
}

static void
test_context(void)
{
    mld_time_t now = 1760974093; /* 2025-10-20T15:28:13Z */
    struct mld_source_state v[3] = {
        {.name = "heise",
         .url = "https://www.heise.de/rss/atom.xml?key=s3cret",
         .items = 12,
         .newest_item = now - 300,
         .last_success = now - 60,
         .next_attempt = now + 240,
         .last_error = "https://www.heise.de/rss/atom.xml?key=s3cret: HTTP 502",
         .last_error_at = now - 3600},
        {.name = "dpa",
         .url = "http://wire.example/x",
         .failures = 3,
         .last_error_at = now - 10,
         .last_error = "http://wire.example/x: timed out",
         .next_attempt = now - 5},
        {.name = "drop:/srv/in", .items = 2, .last_success = now - 7200},
    };
    json_t *ctx = mld_status_context(v, 3, now);
    char *js = json_dumps(ctx, JSON_SORT_KEYS | JSON_COMPACT);
    ok(js && !strstr(js, "s3cret") && !strstr(js, "/rss/"), "no URL path or token in the context");
    json_t *s = json_array_get(json_object_get(ctx, "sources"), 0);
    is_str(json_string_value(json_object_get(s, "host")), "www.heise.de", "heise: host");
    is_str(json_string_value(json_object_get(s, "state")), "in Ordnung", "heise: state");
    is_str(json_string_value(json_object_get(s, "lag")), "5 min", "heise: lag");
    is_str(json_string_value(json_object_get(s, "next_attempt")), "in 4 min",
           "heise: next attempt");
    ok(json_object_get(s, "failures") == NULL, "heise: no failures key (sections test presence)");
    ok(json_is_true(json_object_get(s, "error_resolved")), "heise: its old error is resolved");
    is_str(json_string_value(json_object_get(s, "last_error")), "https://www.heise.de/…: HTTP 502",
           "heise: error masked");
    s = json_array_get(json_object_get(ctx, "sources"), 1);
    is_str(json_string_value(json_object_get(s, "state")), "gestört", "dpa: failing");
    is_int(json_integer_value(json_object_get(s, "failures")), 3, "dpa: 3 failures");
    is_str(json_string_value(json_object_get(s, "next_attempt")), "fällig", "dpa: due");
    ok(json_is_false(json_object_get(s, "error_resolved")), "dpa: error not resolved");
    s = json_array_get(json_object_get(ctx, "sources"), 2);
    is_str(json_string_value(json_object_get(s, "name")), "drop:in", "drop: last component");
    is_str(json_string_value(json_object_get(s, "kind")), "Ablageordner", "drop: kind");
    ok(json_object_get(s, "next_attempt") == NULL, "drop: no schedule");
    is_int(json_integer_value(json_object_get(ctx, "count")), 3, "count");
    is_int(json_integer_value(json_object_get(ctx, "failing")), 1, "failing");
    is_int(json_integer_value(json_object_get(ctx, "items")), 14, "items");
    is_str(json_string_value(json_object_get(ctx, "generated")), "20.10.2025 - 17:28:13",
           "generated, Berlin time");

    /* Through the bundled template and partials. */
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    int rc = mld_tmpl_set_load_dir(set, "templates", &err);
    if (rc != 0) {
        diag("templates/ not readable (%s): run from the repository root", err.msg);
    } else {
        json_object_set_new(ctx, "title", json_string("Quellenstatus"));
        json_object_set_new(ctx, "site_name", json_string("meldung"));
        struct mld_buf out;
        mld_buf_init(&out, MLD_MAX_PAGE_BYTES);
        rc = mld_tmpl_render(set, "status", ctx, &out, &err);
        is_int(rc, 0, "status.mustache renders: %s", err.msg);
        ok(out.p && strstr(out.p, "<th scope=\"row\">heise<br><small>Feed · www.heise.de</small>"),
           "... a feed row");
        ok(out.p && strstr(out.p, "gestört (3× in Folge)"), "... a failing source");
        ok(out.p && strstr(out.p, "Letzter Fehler (behoben)"), "... a resolved error");
        ok(out.p && strstr(out.p, "</html>"), "... with the foot partial");
        mld_buf_dispose(&out);
    }
    mld_tmpl_set_free(set);
    free(js); /* jansson's allocator may be mld_malloc: both sit on malloc */
    json_decref(ctx);
}

/* hooks: the webhooks' part of the context. */
static void
test_webhooks(void)
{
    mld_time_t now = 1767225600;
    struct mld_webhook_state v[2] = {
        {.name = "archiv", .host = "hooks.example.com", .delivered = 12, .last_success = now - 60},
        {.name = "cms", .host = "127.0.0.1:9000", .delivered = 3, .failed = 1, .dropped = 2,
         .missed = 1, .queued = 4, .failures = 3,
         .last_error = "Failed to connect to http://127.0.0.1:9000/hook/token: refused",
         .last_error_at = now - 5, .next_retry = now + 125},
    };
    json_t *ctx = json_object();
    mld_status_add_webhooks(ctx, v, 2, now);
    json_t *a = json_object_get(ctx, "webhooks");
    is_int((int)json_array_size(a), 2, "two webhooks listed");
    is_int((int)json_integer_value(json_object_get(ctx, "webhooks_failing")), 1, "one failing");
    is_str(json_string_value(json_object_get(ctx, "webhooks_label")), "2 Webhooks", "label");
    json_t *ok0 = json_array_get(a, 0), *bad = json_array_get(a, 1);
    is_str(json_string_value(json_object_get(ok0, "state")), "in Ordnung", "a working one");
    ok(json_object_get(ok0, "next_retry") == NULL, "... has no retry time");
    is_str(json_string_value(json_object_get(bad, "state")), "gestört", "a failing one");
    is_str(json_string_value(json_object_get(bad, "class")), "error", "... marked");
    is_str(json_string_value(json_object_get(bad, "next_retry")), "in 2 min", "... next retry");
    is_int((int)json_integer_value(json_object_get(bad, "dropped")), 3,
           "... dropped counts the misses too");
    is_str(json_string_value(json_object_get(bad, "last_error")),
           "Failed to connect to http://127.0.0.1:9000/…: refused", "... its error, URL cut");
    json_decref(ctx);
    ctx = json_object();
    mld_status_add_webhooks(ctx, NULL, 0, now);
    ok(json_is_false(json_object_get(ctx, "has_webhooks")), "none: has_webhooks false");
    json_decref(ctx);
}

int
main(void)
{
    test_mask();
    test_context();
    test_webhooks();
    return mld_test_done();
}
