/*
 * sqlite_search.c - SCAFFOLD, replaced by the search work (issue 4).
 */
#include "sqlite_int.h"

int
sq_search_open(struct sq *s, struct mld_err *err)
{
    return 0;
}

void
sq_search_close(struct sq *s)
{
}

int
sq_search(void *impl, const struct mld_search *q, struct mld_hits *out, struct mld_err *err)
{
    return mld_err_set(err, MLD_E_UNSUPPORTED, "search is not built yet");
}
