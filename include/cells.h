/* cells.h - which cell of a 1-D partition holds a value, for the spatial
 * indexes (geo.c's point -> grid, nn.c's nearest idle).
 *
 * e[0..n] are the cells' edges (e[n] the upper end); the guess from the
 * uniform width is corrected against the stored edges, so the answer is the
 * last cell whose lower edge is <= v (0 if none) whatever the rounding of
 * the guess: for v in [e[c], e[c + 1]) exactly c, and monotone in v.
 * scale = n / (e[n] - e[0]).  Inline: it is on the event loop's path. */
#ifndef PATROLSIM_CELLS_H
#define PATROLSIM_CELLS_H

static inline int cells_find(double v, double lo, double scale, const double *e, int n)
{
    double g = (v - lo) * scale;   /* truncation is floor for g >= 0 */
    int c = !(g >= 0) ? 0 : g >= n ? n - 1 : (int)g;
    while (c > 0 && e[c] > v)
        c--;
    while (c + 1 < n && e[c + 1] <= v)
        c++;
    return c;
}

#endif
