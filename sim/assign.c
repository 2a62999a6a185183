/* assign.c - bottleneck assignment by bisection over the distinct times with
 * a Hopcroft-Karp matching, then optionally the Hungarian method for the
 * smallest sum at that bottleneck (include/assign.h).
 *
 * Points are the left side of the bipartite graph, units the right; an edge
 * (p, u) exists at threshold T when t[u][p] <= T.  The adjacency is not
 * built: each scan walks the units of a point in index order and tests the
 * threshold, which keeps the memory at O(n_units + n_points) beyond the
 * matrix and makes the scan order (hence the result) fixed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "assign.h"

struct hk {
    const double *t;
    int m, n;              /* units, points */
    double thr;
    int *mp, *mu;          /* point -> unit, unit -> point, -1 free */
    int *dist, *it, *queue;
};

#define HK_INF 0x3fffffff

static int hk_edge(const struct hk *h, int p, int u)
{
    return h->t[(size_t)u * (size_t)h->n + (size_t)p] <= h->thr;
}

/* Layers from the free points; 1 if some free unit is reachable. */
static int hk_bfs(struct hk *h)
{
    int qh = 0, qt = 0, found = 0;
    for (int p = 0; p < h->n; p++) {
        if (h->mp[p] < 0) {
            h->dist[p] = 0;
            h->queue[qt++] = p;
        } else {
            h->dist[p] = HK_INF;
        }
    }
    while (qh < qt) {
        int p = h->queue[qh++];
        for (int u = 0; u < h->m; u++) {
            if (!hk_edge(h, p, u))
                continue;
            int q = h->mu[u];
            if (q < 0)
                found = 1;
            else if (h->dist[q] == HK_INF) {
                h->dist[q] = h->dist[p] + 1;
                h->queue[qt++] = q;
            }
        }
    }
    return found;
}

/* An augmenting path along the layers; recursion depth <= n_points. */
static int hk_dfs(struct hk *h, int p)
{
    for (; h->it[p] < h->m; h->it[p]++) {
        int u = h->it[p];
        if (!hk_edge(h, p, u))
            continue;
        int q = h->mu[u];
        if (q < 0 || (h->dist[q] == h->dist[p] + 1 && hk_dfs(h, q))) {
            h->mp[p] = u;
            h->mu[u] = p;
            h->it[p]++;
            return 1;
        }
    }
    h->dist[p] = HK_INF;
    return 0;
}

/* Maximum matching at threshold thr, from scratch; returns its size. */
static int hk_match(struct hk *h, double thr)
{
    h->thr = thr;
    for (int p = 0; p < h->n; p++)
        h->mp[p] = -1;
    for (int u = 0; u < h->m; u++)
        h->mu[u] = -1;
    int size = 0;
    while (hk_bfs(h)) {
        for (int p = 0; p < h->n; p++)
            h->it[p] = 0;
        for (int p = 0; p < h->n; p++)
            if (h->mp[p] < 0 && hk_dfs(h, p))
                size++;
    }
    return size;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Minimum-sum assignment of the points to distinct units using only entries
 * <= B (the Hungarian method with potentials, rows = points, columns =
 * units, 1-based with column 0 as the sentinel).  Entries above B cost BIG,
 * more than any assignment within B can cost (n * B), so they are never
 * chosen when a bottleneck-B assignment exists, which the caller has shown. */
static void hungarian(const double *t, int m, int n, double B, int *unit_of)
{
    double big = (double)n * B + B + 1;
    double *pu = xcalloc((size_t)n + 1, sizeof *pu), *pv = xcalloc((size_t)m + 1, sizeof *pv);
    double *minv = xmalloc(((size_t)m + 1) * sizeof *minv);
    int *row = xcalloc((size_t)m + 1, sizeof *row), *way = xcalloc((size_t)m + 1, sizeof *way);
    char *used = xmalloc((size_t)m + 1);
    for (int i = 1; i <= n; i++) {
        row[0] = i;
        int j0 = 0;
        for (int j = 0; j <= m; j++)
            minv[j] = INFINITY;
        memset(used, 0, (size_t)m + 1);
        do {
            used[j0] = 1;
            int i0 = row[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= m; j++) {
                if (used[j])
                    continue;
                double a = t[(size_t)(j - 1) * (size_t)n + (size_t)(i0 - 1)];
                double cur = (a <= B ? a : big) - pu[i0] - pv[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            PS_ASSERT(j1 > 0);
            for (int j = 0; j <= m; j++) {
                if (used[j]) {
                    pu[row[j]] += delta;
                    pv[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (row[j0] != 0);
        do {
            int j1 = way[j0];
            row[j0] = row[j1];
            j0 = j1;
        } while (j0);
    }
    for (int j = 1; j <= m; j++)
        if (row[j])
            unit_of[row[j] - 1] = j - 1;
    free(pu); free(pv); free(minv); free(row); free(way); free(used);
}

int assign_bottleneck(const double *t, int n_units, int n_points, unsigned flags,
                      int *unit_of, struct assign_result *res, struct perr *e)
{
    int m = n_units, n = n_points;
    *res = (struct assign_result){ 0, 0, -1 };
    if (n < 0 || m < 0)
        return err_set(e, "assignment: negative size (%d units, %d points)", m, n);
    if (n > m)
        return err_set(e, "assignment: %d points but only %d units; one unit per point "
                       "needs at least as many units as points", n, m);
    if (n == 0)
        return 0;
    size_t ne = (size_t)m * (size_t)n;
    double *vals = xmalloc(ne * sizeof *vals);
    size_t nv = 0;
    for (int u = 0; u < m; u++)
        for (int p = 0; p < n; p++) {
            double x = t[(size_t)u * (size_t)n + (size_t)p];
            if (isnan(x) || x < 0) {
                free(vals);
                return err_set(e, "assignment: time of unit %d to point %d is %g; "
                               "expected a time >= 0 (or infinity: unreachable)", u, p, x);
            }
            if (isfinite(x))
                vals[nv++] = x;
        }
    for (int p = 0; p < n; p++) {
        int any = 0;
        for (int u = 0; u < m && !any; u++)
            any = isfinite(t[(size_t)u * (size_t)n + (size_t)p]);
        if (!any) {
            free(vals);
            res->unserved = p;
            return err_set(e, "assignment: no unit can reach point %d", p);
        }
    }
    qsort(vals, nv, sizeof *vals, cmp_double);
    size_t nd = 0;
    for (size_t i = 0; i < nv; i++)
        if (nd == 0 || vals[i] != vals[nd - 1])
            vals[nd++] = vals[i];

    struct hk h = { t, m, n, 0, xmalloc((size_t)n * sizeof(int)), xmalloc((size_t)m * sizeof(int)),
                    xmalloc((size_t)n * sizeof(int)), xmalloc((size_t)n * sizeof(int)),
                    xmalloc((size_t)n * sizeof(int)) };
    int rc = 0;
    if (hk_match(&h, vals[nd - 1]) < n) {
        int bad = 0;
        while (bad < n && h.mp[bad] >= 0)
            bad++;
        res->unserved = bad;
        rc = err_set(e, "assignment: the points cannot all get their own unit within finite "
                     "times (point %d is left over: its reachable units are all needed "
                     "elsewhere)", bad);
        goto out;
    }
    /* Smallest index whose threshold admits a perfect matching. */
    size_t lo = 0, hi = nd - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hk_match(&h, vals[mid]) == n)
            hi = mid;
        else
            lo = mid + 1;
    }
    double B = vals[lo];
    if (flags & ASSIGN_MIN_SUM) {
        hungarian(t, m, n, B, unit_of);
    } else {
        int size = hk_match(&h, B);
        PS_ASSERT(size == n);
        memcpy(unit_of, h.mp, (size_t)n * sizeof *unit_of);
    }
    res->bottleneck = 0;
    for (int p = 0; p < n; p++) {
        double x = t[(size_t)unit_of[p] * (size_t)n + (size_t)p];
        PS_ASSERT(x <= B);
        res->sum += x;
        res->bottleneck = fmax(res->bottleneck, x);
    }
    PS_ASSERT(res->bottleneck == B);
out:
    free(vals); free(h.mp); free(h.mu); free(h.dist); free(h.it); free(h.queue);
    return rc;
}
