/*
 * tests/unit/web/tmpl.c - the Mustache engine.
 *
 * Runs every case of the Mustache spec files in the shared corpus
 * (mustache-spec/, skipped when absent): each case's template and partials
 * go into a fresh set, the template is rendered with the case's data and
 * compared with its expected output, one check per case named
 * "<file>: <test name>". Then meldung's own cases: truthiness, numbers,
 * escaping, indentation, error messages, limits (size, depth, steps,
 * output), replacing templates, load_dir on a temporary directory and
 * concurrent rendering from several threads.
 */
#include "../../../src/web/tmpl.c"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../src/base/mem.h"
#include "test.h"

static const char *const spec_files[] = {
    "comments.json", "delimiters.json", "interpolation.json", "inverted.json",
    "partials.json", "sections.json",   "~inheritance.json",  NULL,
};

/* Name of the case's template in its set; no spec partial uses it. */
#define SPEC_MAIN "spec:template"

static int
run_spec_case(const char *file, json_t *tc)
{
    const char *name = json_string_value(json_object_get(tc, "name"));
    const char *tmpl = json_string_value(json_object_get(tc, "template"));
    const char *want = json_string_value(json_object_get(tc, "expected"));
    json_t *partials = json_object_get(tc, "partials");
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    struct mld_buf out;
    mld_buf_init(&out, MLD_MAX_PAGE_BYTES);
    int rc = 0;
    const char *pname;
    json_t *pval;
    json_object_foreach(partials, pname, pval)
    {
        if (rc == 0)
            rc = mld_tmpl_set_add(set, pname, json_string_value(pval), json_string_length(pval),
                                  &err);
    }
    if (rc == 0)
        rc = mld_tmpl_set_add(set, SPEC_MAIN, tmpl, strlen(tmpl), &err);
    if (rc == 0)
        rc = mld_tmpl_render(set, SPEC_MAIN, json_object_get(tc, "data"), &out, &err);
    const char *got = rc == 0 ? (out.p ? out.p : "") : err.msg;
    int pass = rc == 0 && strcmp(got, want) == 0;
    is_str(got, want, "%s: %s", file, name);
    mld_buf_dispose(&out);
    mld_tmpl_set_free(set);
    return pass;
}

static void
test_spec(void)
{
    const char *dir = mld_test_corpus("mustache-spec");
    if (dir == NULL)
        return;
    char base[4096];
    snprintf(base, sizeof(base), "%s", dir);
    int total = 0, passed = 0;
    for (int f = 0; spec_files[f] != NULL; f++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", base, spec_files[f]);
        json_error_t jerr;
        size_t len = 0;
        char *text = mld_test_slurp(path, &len);
        json_t *doc = text ? json_loadb(text, len, 0, &jerr) : NULL;
        free(text);
        if (!ok(doc != NULL, "%s: loads", spec_files[f])) {
            diag("%s", text ? jerr.text : "cannot read");
            continue;
        }
        size_t i;
        json_t *tc;
        json_array_foreach(json_object_get(doc, "tests"), i, tc)
        {
            total++;
            passed += run_spec_case(spec_files[f], tc);
        }
        json_decref(doc);
    }
    diag("mustache spec: %d of %d cases pass", passed, total);
}

/* Compiles src as "t" in a fresh set (plus partials given as name, source
 * pairs ending in NULL), renders it with the JSON text ctx, and returns
 * the output or the error message in a static buffer. */
static const char *
render_with(const char *src, const char *ctx, ...)
{
    static char result[4096];
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    struct mld_buf out;
    mld_buf_init(&out, 1 << 20);
    json_t *data = json_loads(ctx, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    int rc = 0;
    va_list ap;
    va_start(ap, ctx);
    for (;;) {
        const char *pn = va_arg(ap, const char *);
        if (pn == NULL)
            break;
        const char *ps = va_arg(ap, const char *);
        if (rc == 0)
            rc = mld_tmpl_set_add(set, pn, ps, strlen(ps), &err);
    }
    va_end(ap);
    if (rc == 0)
        rc = mld_tmpl_set_add(set, "t", src, strlen(src), &err);
    if (rc == 0)
        rc = mld_tmpl_render(set, "t", data, &out, &err);
    snprintf(result, sizeof(result), "%s", rc == 0 ? (out.p ? out.p : "") : err.msg);
    json_decref(data);
    mld_buf_dispose(&out);
    mld_tmpl_set_free(set);
    return result;
}

/* Compiles src as name and returns the error code; *msg gets the message. */
static int
compile_err(const char *name, const char *src, size_t len, char *msg, size_t msg_len)
{
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    int rc = mld_tmpl_set_add(set, name, src, len, &err);
    snprintf(msg, msg_len, "%s", err.msg);
    mld_tmpl_set_free(set);
    return rc;
}

static void
test_values(void)
{
    is_str(render_with("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": \"\"}", NULL), "no",
           "empty string is falsey");
    is_str(render_with("{{#s}}[{{s}}]{{/s}}", "{\"s\": \"x\"}", NULL), "[x]",
           "string section pushes the string");
    is_str(render_with("{{#n}}zero{{/n}}", "{\"n\": 0}", NULL), "zero", "0 is truthy");
    is_str(render_with("{{#o}}obj{{/o}}", "{\"o\": {}}", NULL), "obj", "{} is truthy");
    is_str(render_with("{{^l}}none{{/l}}", "{\"l\": []}", NULL), "none", "[] is falsey");
    is_str(render_with("{{a}}|{{b}}|{{c}}|{{d}}|{{e}}",
                       "{\"a\": -42, \"b\": 0.1, \"c\": 1e300, "
                       "\"d\": 2.5e-7, \"e\": 1.0}",
                       NULL),
           "-42|0.1|1e+300|2.5e-07|1", "numbers print in shortest form");
    is_str(render_with("{{t}} {{f}} {{o}} {{l}}",
                       "{\"t\": true, \"f\": false, \"o\": {\"x\": 1}, \"l\": [1]}", NULL),
           "true false  ", "booleans print, objects and lists do not");
    is_str(render_with("{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"<a href='u'>&\\\"</a>\"}", NULL),
           "&lt;a href=&#39;u&#39;&gt;&amp;&quot;&lt;/a&gt;|<a href='u'>&\"</a>|"
           "<a href='u'>&\"</a>",
           "escaping: & < > \" ' escaped, triple and & raw");
    is_str(render_with("{{#a}}{{#b}}{{c}}{{/b}}{{/a}}", "{\"a\": {\"b\": [1, 2]}, \"c\": \"C\"}",
                       NULL),
           "CC", "lookup walks up to the root");
    is_str(render_with("{{x}}", "null", NULL), "", "null context");
    is_str(render_with("[{{x}}]", "{\"x\": \"a\\u0000b\"}", NULL), "[a", "NUL in a value");
}

static void
test_indent(void)
{
    is_str(render_with("<ul>\n  {{>item}}\n</ul>\n", "{\"l\": [1, 2]}", "item",
                       "{{#l}}\n<li>{{.}}</li>\n{{/l}}\n", NULL),
           "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n", "standalone partial indents a loop");
    is_str(render_with("x\n  {{>a}}\n", "{}", "a", "A\n  {{>b}}\n", "b", "B1\nB2\n", NULL),
           "x\n  A\n    B1\n    B2\n", "nested standalone partials add indentation");
    is_str(render_with("  {{>a}}\n", "{\"v\": \"1\\n2\"}", "a", "<{{v}}>\n", NULL), "  <1\n2>\n",
           "interpolated newlines are not indented");
    is_str(render_with("  {{>a}}\n", "{}", "a", "p {{>b}} q\n", "b", "B1\nB2", NULL),
           "  p B1\nB2 q\n", "an inline partial is not indented");
    is_str(render_with("  {{>a}}\n", "{\"s\": [1, 2]}", "a", "{{#s}}\n{{/s}} e\n", NULL),
           "     e\n", "indentation before an inline close tag repeats with the body");
    is_str(render_with("  {{>a}}\n", "{\"s\": []}", "a", "{{#s}}\n{{/s}} e\n", NULL), " e\n",
           "indentation before an inline close tag of a skipped body");
}

static void
test_errors(void)
{
    char msg[MLD_ERR_MSG_MAX];
    int rc;

    rc = compile_err("page", "<p>\n{{#items}}\n<li>{{name}}</li>\n", 33, msg, sizeof(msg));
    is_int(rc, MLD_E_TEMPLATE, "unclosed section: code");
    is_str(msg, "page: line 2: unclosed section 'items'", "unclosed section: message");

    const char *mm = "{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}\n";
    rc = compile_err("page", mm, strlen(mm), msg, sizeof(msg));
    is_int(rc, MLD_E_TEMPLATE, "mismatched close: code");
    is_str(msg, "page: line 3: close tag 'a' does not match section 'b' opened on line 2",
           "mismatched close: message");

    rc = compile_err("page", "x\n{{/a}}", 8, msg, sizeof(msg));
    is_str(msg, "page: line 2: close tag 'a' without an open section", "stray close tag");

    rc = compile_err("page", "a\nb {{name", 10, msg, sizeof(msg));
    is_int(rc, MLD_E_TEMPLATE, "unclosed tag: code");
    is_str(msg, "page: line 2: unclosed tag", "unclosed tag: message");

    rc = compile_err("page", "{{= a =}}", 9, msg, sizeof(msg));
    is_str(msg, "page: line 1: bad delimiters ' a ' (want two words without '=' or blanks)",
           "bad delimiters");

    rc = compile_err("page", "{{#}}", 5, msg, sizeof(msg));
    is_str(msg, "page: line 1: empty tag", "empty tag");
    rc = compile_err("page", "{{a b}}", 7, msg, sizeof(msg));
    is_str(msg, "page: line 1: blank inside tag name 'a b'", "blank inside a name");
    rc = compile_err("page", "{{a..b}}", 8, msg, sizeof(msg));
    is_str(msg, "page: line 1: bad name 'a..b'", "empty dotted part");
    rc = compile_err("page", "{{<p}}{{$b}}{{/p}}", 18, msg, sizeof(msg));
    is_str(msg, "page: line 1: close tag 'p' does not match block 'b' opened on line 1",
           "unclosed block inside parent");

    /* Size limit: one byte over is refused, exactly at the limit is fine. */
    size_t big = MLD_MAX_TEMPLATE_BYTES + 1;
    char *src = mld_malloc(big);
    memset(src, 'x', big);
    rc = compile_err("big", src, big, msg, sizeof(msg));
    is_int(rc, MLD_E_TOOBIG, "template over the size limit");
    rc = compile_err("big", src, big - 1, msg, sizeof(msg));
    is_int(rc, 0, "template at the size limit");
    mld_free(src);

    /* Section nesting beyond the depth limit fails at compile time. */
    struct mld_buf b;
    mld_buf_init(&b, 1 << 16);
    for (int i = 0; i <= MLD_MAX_TEMPLATE_DEPTH; i++)
        mld_buf_printf(&b, "{{#s%d}}", i);
    rc = compile_err("deep", b.p, b.len, msg, sizeof(msg));
    is_int(rc, MLD_E_DEPTH, "sections nested too deep: code");
    is_str(msg, "deep: line 1: sections nest deeper than 32", "sections nested too deep: message");
    mld_buf_dispose(&b);
}

static void
test_limits(void)
{
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    struct mld_buf out;
    mld_buf_init(&out, 1 << 20);
    int rc;

    /* A partial that includes itself unconditionally. */
    rc = mld_tmpl_set_add(set, "self", "x{{>self}}", 10, &err);
    is_int(rc, 0, "self-recursive partial compiles");
    rc = mld_tmpl_render(set, "self", NULL, &out, &err);
    is_int(rc, MLD_E_DEPTH, "self-recursive partial: MLD_E_DEPTH");
    is_str(err.msg, "self: line 1: sections and partials nest deeper than 32 (rendering 'self')",
           "self-recursive partial: message");

    /* Recursion through a block override that contains the same block. */
    const char *bl = "{{<p}}{{$a}}{{$a}}x{{/a}}{{/a}}{{/p}}";
    mld_tmpl_set_add(set, "p", "{{$a}}{{/a}}", 12, &err);
    rc = mld_tmpl_set_add(set, "blk", bl, strlen(bl), &err);
    mld_buf_reset(&out);
    rc = mld_tmpl_render(set, "blk", NULL, &out, &err);
    is_int(rc, MLD_E_DEPTH, "self-overriding block: MLD_E_DEPTH");

    /* Nested loops with no output: the step limit ends them. */
    const char *loops = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
                        "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
    rc = mld_tmpl_set_add(set, "loops", loops, strlen(loops), &err);
    json_t *ctx = json_pack("{s:[iiiiiiiiiiiiiiii]}", "l", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                            13, 14, 15);
    mld_buf_reset(&out);
    rc = mld_tmpl_render(set, "loops", ctx, &out, &err);
    is_int(rc, MLD_E_TOOBIG, "16^8 iterations hit the step limit");
    is_str(err.msg, "loops: rendering takes more than 16777216 steps", "step limit: message");
    json_decref(ctx);

    /* Output beyond the buffer's maximum. */
    struct mld_buf small;
    mld_buf_init(&small, 8);
    rc = mld_tmpl_set_add(set, "long", "0123456789", 10, &err);
    rc = mld_tmpl_render(set, "long", NULL, &small, &err);
    is_int(rc, MLD_E_TOOBIG, "output over the buffer maximum");
    is_str(err.msg, "long: output exceeds 8 bytes", "output limit: message");
    mld_buf_dispose(&small);

    rc = mld_tmpl_render(set, "nope", NULL, &out, &err);
    is_int(rc, MLD_E_NOTFOUND, "unknown template");
    ok(!mld_tmpl_set_has(set, "nope"), "has: unknown name");
    rc = mld_tmpl_set_add(set, "page", "{{>later}}", 10, &err);
    ok(!mld_tmpl_set_has(set, "later"), "has: a name only referenced is not a template");

    /* A partial added after the template that uses it; then replaced. */
    mld_tmpl_set_add(set, "later", "one", 3, &err);
    mld_buf_reset(&out);
    mld_tmpl_render(set, "page", NULL, &out, &err);
    is_str(out.p, "one", "partial added after its user");
    mld_tmpl_set_add(set, "later", "two", 3, &err);
    mld_buf_reset(&out);
    mld_tmpl_render(set, "page", NULL, &out, &err);
    is_str(out.p, "two", "replaced partial");
    rc = mld_tmpl_set_add(set, "later", "{{#x}}", 6, &err);
    (void)ok(rc != 0, "a failed add keeps the old template");
    mld_buf_reset(&out);
    mld_tmpl_render(set, "page", NULL, &out, &err);
    is_str(out.p, "two", "old template still renders");

    /* Many names: the index grows. */
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        mld_tmpl_set_add(set, name, name, strlen(name), &err);
    }
    int all = 1;
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        mld_buf_reset(&out);
        all &= mld_tmpl_render(set, name, NULL, &out, &err) == 0 && strcmp(out.p, name) == 0;
    }
    (void)ok(all, "300 templates in one set");

    mld_buf_dispose(&out);
    mld_tmpl_set_free(set);
    mld_tmpl_set_free(NULL);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return;
    fputs(text, f);
    fclose(f);
}

static void
remove_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

static void
test_load_dir(void)
{
    char dir[] = "/tmp/mld-tmpl-XXXXXX";
    if (!ok(mkdtemp(dir) != NULL, "load_dir: temp dir"))
        return;
    write_file(dir, "page.mustache", "<h1>{{title}}</h1>\n{{>footer}}\n");
    write_file(dir, "footer.mustache", "<footer>{{year}}</footer>\n");
    write_file(dir, "notes.txt", "{{#broken");
    write_file(dir, ".hidden.mustache", "{{#broken");

    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    int rc = mld_tmpl_set_load_dir(set, dir, &err);
    is_int(rc, 0, "load_dir: loads");
    ok(mld_tmpl_set_has(set, "page") && mld_tmpl_set_has(set, "footer"),
       "load_dir: names without .mustache");
    ok(!mld_tmpl_set_has(set, "notes") && !mld_tmpl_set_has(set, ".hidden"),
       "load_dir: other and hidden files skipped");
    struct mld_buf out;
    mld_buf_init(&out, 4096);
    json_t *ctx = json_pack("{s:s, s:i}", "title", "A & B", "year", 2025);
    rc = mld_tmpl_render(set, "page", ctx, &out, &err);
    is_str(out.p, "<h1>A &amp; B</h1>\n<footer>2025</footer>\n", "load_dir: renders");
    json_decref(ctx);
    mld_buf_dispose(&out);
    mld_tmpl_set_free(set);

    write_file(dir, "zz.mustache", "ok\n{{#list}}\n");
    set = mld_tmpl_set_new();
    rc = mld_tmpl_set_load_dir(set, dir, &err);
    is_int(rc, MLD_E_TEMPLATE, "load_dir: broken file fails");
    char want[4200];
    snprintf(want, sizeof(want), "%s/zz.mustache: line 2: unclosed section 'list'", dir);
    is_str(err.msg, want, "load_dir: message names the file");
    mld_tmpl_set_free(set);

    set = mld_tmpl_set_new();
    rc = mld_tmpl_set_load_dir(set, "/nonexistent/mld-tmpl", &err);
    is_int(rc, MLD_E_IO, "load_dir: missing dir");
    mld_tmpl_set_free(set);

    remove_file(dir, "page.mustache");
    remove_file(dir, "footer.mustache");
    remove_file(dir, "notes.txt");
    remove_file(dir, ".hidden.mustache");
    remove_file(dir, "zz.mustache");
    rmdir(dir);
}

struct job {
    const struct mld_tmpl_set *set;
    json_t *ctx;
    const char *want;
    int good; /* renders that matched */
};

static void *
render_many(void *arg)
{
    struct job *j = arg;
    struct mld_buf out;
    mld_buf_init(&out, 1 << 16);
    for (int i = 0; i < 200; i++) {
        mld_buf_reset(&out);
        struct mld_err err = {0};
        if (mld_tmpl_render(j->set, "list", j->ctx, &out, &err) == 0 && strcmp(out.p, j->want) == 0)
            j->good++;
    }
    mld_buf_dispose(&out);
    return NULL;
}

static void
test_threads(void)
{
    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    const char *list = "<ul>\n  {{>item}}\n</ul>\n";
    const char *item = "{{#items}}\n<li>{{title}}{{#n}} ({{.}}){{/n}}</li>\n{{/items}}\n";
    mld_tmpl_set_add(set, "list", list, strlen(list), &err);
    mld_tmpl_set_add(set, "item", item, strlen(item), &err);
    json_t *ctx = json_pack("{s:[{s:s,s:i},{s:s}]}", "items", "title", "a<b", "n", 3, "title", "c");
    const char *want = "<ul>\n  <li>a&lt;b (3)</li>\n  <li>c</li>\n</ul>\n";
    enum { NTHREADS = 4 };
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (struct job){set, ctx, want, 0};
        pthread_create(&th[i], NULL, render_many, &jobs[i]);
    }
    int good = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        good += jobs[i].good;
    }
    is_int(good, NTHREADS * 200, "concurrent renders of one set all match");
    json_decref(ctx);
    mld_tmpl_set_free(set);
}

int
main(void)
{
    test_spec();
    test_values();
    test_indent();
    test_errors();
    test_limits();
    test_load_dir();
    test_threads();
    return mld_test_done();
}
