/*
 * sqlite_story.c - SCAFFOLD, replaced by the stories work (issue 4).
 */
#include "sqlite_int.h"

int
sq_story_open(struct sq *s, struct mld_err *err)
{
    return 0;
}

void
sq_story_close(struct sq *s)
{
}

int
sq_story_put(struct sq *s, int64_t id, const struct mld_article *a, bool inserted,
             struct mld_err *err)
{
    return 0;
}

int
sq_story(void *impl, int64_t story_id, mld_time_t now, struct mld_items *out,
         struct mld_err *err)
{
    return mld_err_set(err, MLD_E_UNSUPPORTED, "stories are not built yet");
}

int
sq_related(void *impl, int64_t id, mld_time_t now, int limit, struct mld_items *out,
           struct mld_err *err)
{
    return mld_err_set(err, MLD_E_UNSUPPORTED, "related lists are not built yet");
}
