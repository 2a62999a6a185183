/* res.c - result layouts and their across-replication summaries. */
#include <stdlib.h>
#include "err.h"
#include "res.h"
#include "stats.h"

void res_layout_init(struct res_layout *L)
{
    *L = (struct res_layout){ 0 };
}

void res_layout_release(struct res_layout *L)
{
    for (size_t i = 0; i < L->n; i++)
        free(L->slot[i].key);
    free(L->slot);
    *L = (struct res_layout){ 0 };
}

size_t res_add(struct res_layout *L, const char *section, const char *metric, const char *key)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 64;
        L->slot = xrealloc(L->slot, L->cap * sizeof *L->slot);
    }
    L->slot[L->n] = (struct res_slot){ section, metric, xstrdup(key ? key : "") };
    return L->n++;
}

void res_summarise(const struct res_layout *L, const double *x, int n_reps,
                   double level, struct res_summary *out)
{
    out->mean = xmalloc((L->n ? L->n : 1) * sizeof(double));
    out->half = xmalloc((L->n ? L->n : 1) * sizeof(double));
    out->level = level;
    out->reps = n_reps;
    double *col = xmalloc((size_t)(n_reps ? n_reps : 1) * sizeof(double));
    for (size_t j = 0; j < L->n; j++) {
        for (int r = 0; r < n_reps; r++)
            col[r] = x[(size_t)r * L->n + j];
        stat_ci(col, (size_t)n_reps, level, &out->mean[j], &out->half[j]);
    }
    free(col);
}

void res_summary_release(struct res_summary *s)
{
    free(s->mean);
    free(s->half);
    s->mean = s->half = NULL;
}
