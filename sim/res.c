/* res.c - result layouts and their across-replication summaries. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    free(L->ht);
    *L = (struct res_layout){ 0 };
}

/* FNV-1a over the three names, each ended by its NUL (so that "ab", "c"
 * and "a", "bc" differ). */
static uint32_t name_hash(const char *section, const char *metric, const char *key)
{
    uint64_t h = 0xcbf29ce484222325u;
    const char *part[3] = { section, metric, key };
    for (int i = 0; i < 3; i++) {
        const unsigned char *c = (const unsigned char *)part[i];
        do {
            h = (h ^ *c) * 0x100000001b3u;
        } while (*c++);
    }
    return (uint32_t)(h ^ h >> 32);
}

static int same_name(const struct res_slot *sl, const char *section, const char *metric,
                     const char *key)
{
    return !strcmp(sl->metric, metric) && !strcmp(sl->section, section) && !strcmp(sl->key, key);
}

/* The index entry for the name, of hash h: the one holding its first
 * slot, else the empty entry where it would go. */
static struct res_ht *ht_entry(const struct res_layout *L, uint32_t h, const char *section,
                               const char *metric, const char *key)
{
    for (size_t e = h;; e++) {
        struct res_ht *x = &L->ht[e & L->ht_mask];
        if (!x->i1 || (x->hash == h && same_name(&L->slot[x->i1 - 1], section, metric, key)))
            return x;
    }
}

/* The empty entry where hash h goes, in an index being rebuilt, whose
 * entries are distinct names. */
static struct res_ht *ht_free(const struct res_layout *L, uint32_t h)
{
    size_t e = h;
    while (L->ht[e & L->ht_mask].i1)
        e++;
    return &L->ht[e & L->ht_mask];
}

size_t res_add(struct res_layout *L, const char *section, const char *metric, const char *key)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 64;
        L->slot = xrealloc(L->slot, L->cap * sizeof *L->slot);
    }
    PS_ASSERT(L->n < UINT32_MAX);
    L->slot[L->n] = (struct res_slot){ section, metric, xstrdup(key ? key : ""),
                                       res_infer_flags(metric) };
    size_t i = L->n++;
    if (2 * L->n > (L->ht ? L->ht_mask + 1 : 0)) {  /* at most half full */
        struct res_ht *old = L->ht;
        size_t old_n = old ? L->ht_mask + 1 : 0;
        L->ht_mask = 2 * L->cap - 1;                /* cap: a power of 2 */
        L->ht = xcalloc(L->ht_mask + 1, sizeof *L->ht);
        for (size_t k = 0; k < old_n; k++)          /* by the stored hashes */
            if (old[k].i1)
                *ht_free(L, old[k].hash) = old[k];
        free(old);
    }
    const struct res_slot *sl = &L->slot[i];
    uint32_t h = name_hash(sl->section, sl->metric, sl->key);
    struct res_ht *x = ht_entry(L, h, sl->section, sl->metric, sl->key);
    if (!x->i1)                 /* else an earlier slot has the name: res_find gives it */
        *x = (struct res_ht){ (uint32_t)(i + 1), h };
    return i;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

unsigned res_infer_flags(const char *m)
{
    if (ends_with(m, "_share") || ends_with(m, "_rate"))
        return RES_PROPORTION | RES_NONNEG;
    if (ends_with(m, "_min") || ends_with(m, "_hours") || ends_with(m, "_per_day") ||
        ends_with(m, "_per_shift") || ends_with(m, "incidents") || ends_with(m, "units") ||
        strstr(m, "utilisation"))
        return RES_NONNEG;
    return 0;
}

const char *res_name(const struct res_slot *sl, char *buf, size_t n)
{
    if (!strcmp(sl->section, "all") && !*sl->key)
        snprintf(buf, n, "%s", sl->metric);
    else if (!*sl->key)
        snprintf(buf, n, "%s.%s", sl->section, sl->metric);
    else
        snprintf(buf, n, "%s.%s.%s", sl->section, sl->metric, sl->key);
    return buf;
}

void res_set_flags(struct res_layout *L, size_t i, unsigned flags)
{
    L->slot[i].flags = flags;
}

long res_find(const struct res_layout *L, const char *section, const char *metric,
              const char *key)
{
    if (!key)
        key = "";
    if (!L->n)
        return -1;
    uint32_t i1 = ht_entry(L, name_hash(section, metric, key), section, metric, key)->i1;
    return i1 ? (long)i1 - 1 : -1;
}

long res_lookup(const struct res_layout *L, const char *name)
{
    const char *d1 = strchr(name, '.');
    if (!d1)
        return res_find(L, "all", name, "");
    char sec[64], met[128];
    const char *d2 = strchr(d1 + 1, '.');
    snprintf(sec, sizeof sec, "%.*s", (int)(d1 - name), name);
    if (!d2)
        return res_find(L, sec, d1 + 1, "");
    snprintf(met, sizeof met, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
    return res_find(L, sec, met, d2 + 1);
}

void res_summarise(const struct res_layout *L, const double *x, int n_reps,
                   double level, struct res_summary *out)
{
    size_t n = L->n ? L->n : 1;
    out->mean = xmalloc(n * sizeof(double));
    out->half = xmalloc(n * sizeof(double));
    out->lo = xmalloc(n * sizeof(double));
    out->hi = xmalloc(n * sizeof(double));
    out->level = level;
    out->reps = n_reps;
    double *col = xmalloc((size_t)(n_reps ? n_reps : 1) * sizeof(double));
    for (size_t j = 0; j < L->n; j++) {
        for (int r = 0; r < n_reps; r++)
            col[r] = x[(size_t)r * L->n + j];
        stat_ci(col, (size_t)n_reps, level, &out->mean[j], &out->half[j]);
        res_interval(L->slot[j].flags, out->mean[j], out->half[j], &out->lo[j], &out->hi[j]);
    }
    free(col);
}

void res_interval(unsigned flags, double mean, double half, double *lo, double *hi)
{
    *lo = mean - half;
    *hi = mean + half;
    if (isnan(half))
        return;
    if ((flags & RES_NONNEG) && *lo < 0)
        *lo = 0;
    if ((flags & RES_PROPORTION) && *hi > 1)
        *hi = 1;
}

void res_summary_release(struct res_summary *s)
{
    free(s->mean);
    free(s->half);
    free(s->lo);
    free(s->hi);
    s->mean = s->half = s->lo = s->hi = NULL;
}
