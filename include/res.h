/* res.h - named result slots: the shape of one replication's results.
 *
 * A replication produces a flat vector of doubles; the layout names each
 * slot (section, metric, key), e.g. ("priority", "response_p90_min", "1")
 * or ("unit", "utilisation", "U07").  Keeping results flat makes them cheap
 * to gather from workers in a fixed order, to aggregate across replications,
 * and to difference between two layouts run on the same seeds.  A slot whose
 * value is undefined in a replication (no incidents of that priority) holds
 * NAN and is skipped by the aggregation.
 */
#ifndef PATROLSIM_RES_H
#define PATROLSIM_RES_H

#include <stddef.h>

struct res_slot {
    const char *section;   /* static string */
    const char *metric;    /* static string */
    char *key;             /* owned; "" when the section has no keys */
};

struct res_layout {
    struct res_slot *slot;
    size_t n, cap;
};

void res_layout_init(struct res_layout *L);
void res_layout_release(struct res_layout *L);
/* Appends a slot and returns its index. */
size_t res_add(struct res_layout *L, const char *section, const char *metric, const char *key);

/* Across-replication summary of every slot: x is n_reps rows of L->n. */
struct res_summary {
    double *mean, *half;   /* half-width of the `level` Student-t interval */
    double level;
    int reps;
};

void res_summarise(const struct res_layout *L, const double *x, int n_reps,
                   double level, struct res_summary *out);
void res_summary_release(struct res_summary *s);

#endif
