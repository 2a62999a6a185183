/* scn_arena.c - the arena every byte of a struct scn lives in.
 *
 * A list of 64 KiB blocks; big requests (over a quarter block) get a block
 * of their own behind the current one, so the current block keeps serving
 * small ones.  Nothing is freed before scn_free releases the whole list.
 * Growing arrays are re-allocated inside the arena; the abandoned copies
 * cost at most as much again as the final arrays, which is cheaper than
 * tracking them.  Cost: O(1) per allocation.
 */
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"

#define ARENA_BLK 65536

struct scn__blk {
    struct scn__blk *next;
    size_t used, cap;
    max_align_t data[];
};

void *scn__a_alloc(struct arena *a, size_t n)
{
    const size_t al = _Alignof(max_align_t);
    n = n ? (n + al - 1) / al * al : al;
    struct scn__blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        if (n > ARENA_BLK / 4) {
            b = xmalloc(sizeof *b + n);
            b->used = 0;
            b->cap = n;
            if (a->head) {
                b->next = a->head->next;
                a->head->next = b;
            } else {
                b->next = NULL;
                a->head = b;
            }
        } else {
            b = xmalloc(sizeof *b + ARENA_BLK);
            b->used = 0;
            b->cap = ARENA_BLK;
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += n;
    return p;
}

void *scn__a_zalloc(struct arena *a, size_t n)
{
    return memset(scn__a_alloc(a, n), 0, n);
}

char *scn__a_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(scn__a_alloc(a, n), s, n);
}

void *scn__a_grow(struct arena *a, void *old, size_t elem, int n, int *cap)
{
    if (n < *cap)
        return old;
    int nc = *cap ? 2 * *cap : 16;
    void *p = scn__a_alloc(a, (size_t)nc * elem);
    if (n)
        memcpy(p, old, (size_t)n * elem);
    *cap = nc;
    return p;
}

void scn__a_release(struct arena *a)
{
    struct scn__blk *b = a->head;
    while (b) {
        struct scn__blk *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

char *scn__join_path(struct arena *a, const char *dir, const char *file)
{
    if (file[0] == '/' || !*dir)
        return scn__a_strdup(a, file);
    size_t nd = strlen(dir), nf = strlen(file);
    int slash = dir[nd - 1] != '/';
    char *p = scn__a_alloc(a, nd + (size_t)slash + nf + 1);
    memcpy(p, dir, nd);
    if (slash)
        p[nd] = '/';
    memcpy(p + nd + (size_t)slash, file, nf + 1);
    return p;
}

void *scn__alloc(struct scn *s, size_t n)
{
    return scn__a_zalloc(&((struct priv *)s->priv_)->a, n);
}

char *scn__strdup(struct scn *s, const char *str)
{
    return scn__a_strdup(&((struct priv *)s->priv_)->a, str);
}

char *scn__path(struct scn *s, const char *file)
{
    return scn__join_path(&((struct priv *)s->priv_)->a, s->dir, file);
}

void scn__input_add(struct scn *s, const char *path)
{
    struct priv *pv = s->priv_;
    pv->inputs = scn__a_grow(&pv->a, pv->inputs, sizeof *pv->inputs, pv->n_inputs,
                             &pv->inputs_cap);
    pv->inputs[pv->n_inputs++] = scn__a_strdup(&pv->a, path);
}

int scn_inputs(const struct scn *s, const char *const **paths)
{
    const struct priv *pv = s->priv_;
    *paths = (const char *const *)pv->inputs;
    return pv->n_inputs;
}
