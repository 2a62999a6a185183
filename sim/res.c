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

/* A block of key copies, the newest first. */
struct res_keys {
    struct res_keys *next;
    size_t used;
    char text[];
};
#define RES_KEYS_BLOCK 65536

void res_layout_release(struct res_layout *L)
{
    for (struct res_keys *k = L->keys, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    free(L->slot);
    free(L->ht);
    *L = (struct res_layout){ 0 };
}

/* A copy of key in L's key store. */
static const char *key_copy(struct res_layout *L, const char *key, size_t len)
{
    size_t n = len + 1;
    if (n > L->keys_left) {
        size_t cap = n > RES_KEYS_BLOCK ? n : RES_KEYS_BLOCK;
        struct res_keys *k = xmalloc(sizeof *k + cap);
        k->next = L->keys;
        k->used = 0;
        L->keys = k;
        L->keys_left = cap;
    }
    char *c = L->keys->text + L->keys->used;
    memcpy(c, key, n);
    L->keys->used += n;
    L->keys_left -= n;
    return c;
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

/* Files slot j, of hash h, in the index unless an earlier slot has its
 * name (res_find gives that one). */
static void index_slot(struct res_layout *L, size_t j, uint32_t h)
{
    const struct res_slot *sl = &L->slot[j];
    struct res_ht *x = ht_entry(L, h, sl->section, sl->metric, sl->key);
    if (!x->i1)
        *x = (struct res_ht){ (uint32_t)(j + 1), h };
}

static unsigned infer_flags(const char *m, size_t n);

size_t res_add(struct res_layout *L, const char *section, const char *metric, const char *key)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 64;
        L->slot = xrealloc(L->slot, L->cap * sizeof *L->slot);
    }
    PS_ASSERT(L->n < UINT32_MAX);
    key = key ? key : "";
    size_t nm = strlen(metric), nk = strlen(key);
    L->slot[L->n] = (struct res_slot){ section, metric, key_copy(L, key, nk),
                                       infer_flags(metric, nm) };
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
    /* The slot's entry is a random line of an index of megabytes on a
     * large city: fetched now, filed RES_PEND slots later (res_find looks
     * through the slots not yet filed). */
    uint32_t h = name_hash(section, metric, L->slot[i].key);
    __builtin_prefetch(&L->ht[h & L->ht_mask], 1);
    if (i >= RES_PEND) {
        size_t j = i - RES_PEND;
        index_slot(L, j, L->pend_hash[j % RES_PEND]);
    }
    L->pend_hash[i % RES_PEND] = h;
    return i;
}

/* Whether s, of length n, ends with the string literal suffix (its length
 * known at compile time: the name's length is taken once, not per suffix). */
#define ENDS_WITH(s, n, suffix) \
    ((n) >= sizeof suffix - 1 && !memcmp((s) + (n) - (sizeof suffix - 1), suffix, sizeof suffix - 1))

unsigned res_infer_flags(const char *m)
{
    return infer_flags(m, strlen(m));
}

static unsigned infer_flags(const char *m, size_t n)
{
    if (ENDS_WITH(m, n, "_share") || ENDS_WITH(m, n, "_rate"))
        return RES_PROPORTION | RES_NONNEG;
    if (ENDS_WITH(m, n, "_min") || ENDS_WITH(m, n, "_hours") || ENDS_WITH(m, n, "_per_day") ||
        ENDS_WITH(m, n, "_per_shift") || ENDS_WITH(m, n, "incidents") ||
        ENDS_WITH(m, n, "units") || strstr(m, "utilisation"))
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
    uint32_t h = name_hash(section, metric, key);
    uint32_t i1 = ht_entry(L, h, section, metric, key)->i1;
    if (i1)             /* every filed slot comes before every pending one */
        return (long)i1 - 1;
    for (size_t j = L->n > RES_PEND ? L->n - RES_PEND : 0; j < L->n; j++)
        if (L->pend_hash[j % RES_PEND] == h && same_name(&L->slot[j], section, metric, key))
            return (long)j;
    return -1;
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
