/*
 * tests/fuzz/tmpl.c - libFuzzer driver for the Mustache compiler and
 * renderer.
 *
 * The input is split at its first NUL byte: the bytes before it compile as
 * template "main", the bytes after it (if any) as partial "p". Both may
 * name themselves or each other, so recursion, inheritance and indentation
 * all get exercised. "main" is rendered against a small fixed context with
 * strings, numbers, nested objects and lists, into a buffer capped at
 * 1 MiB. Compile errors are expected; crashes, leaks and sanitizer
 * reports are the bugs.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/base/buf.h"
#include "../../src/base/err.h"
#include "../../src/web/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {"mustache-spec", NULL};

static const char context_json[] =
    "{\"title\": \"A & <B>\", \"n\": 3, \"r\": 1.21, \"t\": true, \"f\": false, \"z\": null,"
    " \"e\": \"\", \"o\": {\"a\": {\"b\": \"deep\"}, \"title\": \"inner\"},"
    " \"l\": [1, \"two\", {\"title\": \"x\", \"l\": [3, 4]}, [5, 6], null],"
    " \"empty\": []}";

static json_t *
context(void)
{
    /* Loaded once: libFuzzer runs one input at a time. */
    static json_t *ctx;
    if (ctx == NULL)
        ctx = json_loads(context_json, 0, NULL);
    return ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    const char *nul = memchr(src, '\0', size);
    size_t main_len = nul ? (size_t)(nul - src) : size;

    struct mld_tmpl_set *set = mld_tmpl_set_new();
    struct mld_err err = {0};
    mld_tmpl_set_add(set, "main", src, main_len, &err);
    if (nul != NULL)
        mld_tmpl_set_add(set, "p", nul + 1, size - main_len - 1, &err);
    if (mld_tmpl_set_has(set, "main")) {
        struct mld_buf out;
        mld_buf_init(&out, 1u << 20);
        mld_tmpl_render(set, "main", context(), &out, &err);
        mld_buf_dispose(&out);
    }
    mld_tmpl_set_free(set);
    return 0;
}
