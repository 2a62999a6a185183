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
#include <stdint.h>

/* What a slot holds, for intervals and plain-language comparisons.
 * res_add infers them from the metric name by a convention every model
 * follows: "..._share", "..._rate" are proportions in [0, 1]; names ending
 * "_min", "_hours", "_per_day", "_per_shift", "incidents", "units" or
 * containing "utilisation" are non-negative.  res_set_flags overrides. */
enum {
    RES_PROPORTION = 1u << 0,  /* in [0, 1]; interval clipped, shown in points */
    RES_NONNEG = 1u << 1,      /* >= 0; interval clipped at 0 */
};

struct res_slot {
    const char *section;   /* static string */
    const char *metric;    /* static string */
    const char *key;       /* in the layout's key store; "" when the section has no keys */
    unsigned flags;        /* RES_* */
};

enum { RES_PEND = 8 };

struct res_layout {
    struct res_slot *slot;
    size_t n, cap;
    /* Open-addressing index by (section, metric, key) for res_find: the
     * first slot of each name (index + 1, 0 empty) and its name's hash,
     * so that a probe reads no slot whose hash differs and growing the
     * index reads no name (on bench-city S = 128, 330,000 slots, a probe
     * into the names was a cache miss or three); ht_mask + 1 entries, at
     * least 2n.  Kept by res_add, so res_find only reads (concurrent
     * readers are safe) and costs O(1), not a scan: compare matches every
     * slot of every variant, 90,000 a replication on bench-city S = 64. */
    struct res_ht {
        uint32_t i1, hash;
    } *ht;
    size_t ht_mask;
    /* The last RES_PEND slots (all, when fewer) are not in ht yet: res_add
     * prefetches a slot's entry and files it RES_PEND slots later, when the
     * line has come (a miss each, 15% of a one-day S = 128 bench run, had
     * it waited).  Their hashes, slot j's at pend_hash[j % RES_PEND]. */
    uint32_t pend_hash[RES_PEND];
    /* The keys' copies, packed in blocks freed with the layout: a large
     * city adds a slot per grid or unit and metric (330,000 at bench-city
     * S = 128), and one allocation each was a third of res_add. */
    struct res_keys *keys;
    size_t keys_left;      /* bytes free at the end of keys->text */
};

void res_layout_init(struct res_layout *L);
void res_layout_release(struct res_layout *L);
/* Appends a slot and returns its index. */
size_t res_add(struct res_layout *L, const char *section, const char *metric, const char *key);

void res_set_flags(struct res_layout *L, size_t i, unsigned flags);
unsigned res_infer_flags(const char *metric);
/* Index of the slot (section, metric, key); key NULL means "". -1 if absent;
 * the first such slot if the layout has two. */
long res_find(const struct res_layout *L, const char *section, const char *metric,
              const char *key);
/* Parses "metric", "section.metric" or "section.metric.key" (section
 * defaults to "all") and finds the slot; -1 if absent. */
long res_lookup(const struct res_layout *L, const char *name);

/* The slot's name as res_lookup reads it: "metric" in section "all",
 * "section.metric" without a key, else "section.metric.key". */
const char *res_name(const struct res_slot *sl, char *buf, size_t n);

/* Across-replication summary of every slot: x is n_reps rows of L->n. */
struct res_summary {
    double *mean, *half;   /* half-width of the `level` Student-t interval */
    double *lo, *hi;       /* the interval, clipped to the slot's range */
    double level;
    int reps;
};

void res_summarise(const struct res_layout *L, const double *x, int n_reps,
                   double level, struct res_summary *out);
void res_summary_release(struct res_summary *s);
/* mean +- half clipped to the range the flags allow (NAN half: NAN bounds). */
void res_interval(unsigned flags, double mean, double half, double *lo, double *hi);

#endif
