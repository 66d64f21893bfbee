/*
 * tests/fuzz/topics.c - libFuzzer driver for the topic tagger and the
 * gazetteer reader.
 *
 * The driver compiles its own copy of src/enrich/topics.c, with the two
 * public functions renamed so they do not clash with the library's, to
 * reach the reader and the tables directly. Each input is used twice:
 *
 *   1. as an article (headline: its first line; agency topics: its next
 *      three lines; text: all of it) tagged with the compiled-in
 *      gazetteer: at most MLD_MAX_TOPICS topics, none empty, none twice;
 *   2. as a gazetteer file read into empty tables (the defaults are put
 *      aside meanwhile): refused with its code and a message naming the
 *      source ("fuzz:"), or accepted with every parent defined and no
 *      chain deeper than MLD_TOPIC_MAX_PARENT_DEPTH, names within
 *      MLD_TOPIC_MAX_NAME_BYTES; then the input is tagged against it.
 */
#define mld_enrich_topics fuzz_enrich_topics
#define mld_topics_load fuzz_topics_load
#include "../../src/enrich/topics.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *const mld_fuzz_shared[] = {NULL};

/* Frees the tables of gz and empties them. */
static void
gz_free(void)
{
    for (int i = 0; i < gz.nentries; i++) {
        mld_free(gz.entries[i].name);
        mld_free(gz.entries[i].key);
    }
    for (int i = 0; i < gz.nforms; i++)
        form_dispose(&gz.forms[i]);
    mld_free(gz.entries);
    mld_free(gz.forms);
    mld_free(gz.nodes);
    table_free(&gz.by_stem);
    table_free(&gz.by_name);
    table_free(&gz.by_alias);
    memset(&gz, 0, sizeof(gz));
}

/* Tags the input as an article; aborts when the topics break a promise. */
static void
tag(const char *text, size_t size)
{
    struct mld_article *a = mld_article_new();
    a->text = mld_strndup(text, size);
    char *line = a->text;
    for (int i = 0; i < 4 && line != NULL; i++) {
        char *nl = strchr(line, '\n');
        char *one = nl ? mld_strndup(line, (size_t)(nl - line)) : mld_strdup(line);
        if (i == 0)
            a->headline = one;
        else {
            mld_article_add_topic(a, one);
            mld_free(one);
        }
        line = nl ? nl + 1 : NULL;
    }
    fuzz_enrich_topics(a);
    if (a->ntopics > MLD_MAX_TOPICS)
        abort();
    for (int i = 0; i < a->ntopics; i++) {
        if (a->topics[i] == NULL || a->topics[i][0] == '\0')
            abort();
        for (int k = 0; k < i; k++)
            if (strcmp(a->topics[k], a->topics[i]) == 0)
                abort();
    }
    mld_article_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    pthread_once(&gz_once, load_defaults);
    tag(text, size);

    __typeof__(gz) defaults = gz;
    memset(&gz, 0, sizeof(gz));
    struct mld_err err = {0};
    int rc = load_text("fuzz", text, size, &err);
    if (rc > 0 || (rc < 0 && (err.code != rc || strncmp(err.msg, "fuzz:", 5) != 0)))
        abort();
    if (rc < 0 && gz.nentries != 0)
        abort();
    for (int i = 0; i < gz.nentries; i++) {
        const struct entry *e = &gz.entries[i];
        if (e->name == NULL || e->name[0] == '\0' || strlen(e->name) > MLD_TOPIC_MAX_NAME_BYTES)
            abort();
        int depth = 0;
        for (int p = e->parent; p >= 0; p = gz.entries[p].parent)
            if (p >= gz.nentries || ++depth > MLD_TOPIC_MAX_PARENT_DEPTH)
                abort();
    }
    for (int i = 0; i < gz.nforms; i++)
        if (gz.forms[i].entry < 0 || gz.forms[i].entry >= gz.nentries || gz.forms[i].nwords < 1 ||
            gz.forms[i].nwords > MLD_TOPIC_MAX_FORM_WORDS)
            abort();
    if (rc == 0)
        tag(text, size);
    gz_free();
    gz = defaults;
    return 0;
}
