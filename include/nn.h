/* nn.h - nearest available item among fixed positions (units at their base).
 *
 * Items have fixed positions given at creation and are switched in and out of
 * the searchable set (a unit becomes idle at its base, or is dispatched).
 * Positions are bucketed in a uniform cell grid of about two items a cell
 * with an occupancy bitmap per cell row; a query visits occupied cells
 * outward from the query point (a diamond for Manhattan, a disc for
 * Euclidean), each bounded by the extent of its own items, and stops once no
 * closer item can exist, so it costs O(cells near the answer), not O(n),
 * and empty cells cost a bit each.
 *
 * Ties in distance go to the lowest item index, exactly.  Insert and remove
 * are O(1) and never allocate (each cell's capacity is its item count).
 */
#ifndef PATROLSIM_NN_H
#define PATROLSIM_NN_H

#include <stdint.h>
#include "scn.h"

struct nn;

/* Where an item's presence is kept in its index, fixed at creation: for a
 * caller that keeps it beside its own record of the item (nn_ref_of), so
 * that switching the item in or out (nn_priv.h nn__insert_ref,
 * nn__take_ref) reads nothing of the index but two bitmap words.  Its
 * fields are the index's own (nn_priv.h). */
struct nn_ref {
    uint32_t pos;           /* its slot */
    uint32_t wb;            /* its cell's occupancy bit */
    uint64_t mask;          /* its cell's slots, in the slot's bitmap word */
};

/* n items at (x[i], y[i]), all initially absent; metric for distances. */
struct nn *nn_new(const double *x, const double *y, int n, enum trv_metric metric);
void nn_free(struct nn *t);
void nn_insert(struct nn *t, int item);
void nn_remove(struct nn *t, int item);
/* Removes item if present; returns whether it was (one call for the
 * nn_contains + nn_remove pair of a caller that does not know). */
int nn_take(struct nn *t, int item);
int nn_contains(const struct nn *t, int item);
int nn_count(const struct nn *t);
/* item's struct nn_ref, the same for as long as the index lives. */
struct nn_ref nn_ref_of(const struct nn *t, int item);
/* Names item by the caller's id (its item index until set), which a
 * search's slot carries (nn_priv.h struct nn_slot). */
void nn_set_id(struct nn *t, int item, int id);
/* Names the caller's records by id (record of id k at base + k * stride,
 * every item's id set and >= 0), so that a search starts fetching the
 * record of each item that becomes its best so far: the answer's record,
 * which the caller reads at once, is then on its way while the search
 * goes on.  A hint only; base NULL (the default) turns it off. */
void nn_prefetch_ids(struct nn *t, const void *base, size_t stride);
/* Present item nearest to (x, y), ties to the lowest index; -1 when empty.
 * *dist receives the metric distance (no circuity factor). */
int nn_nearest(const struct nn *t, double x, double y, double *dist);
/* The next present item in (distance, index) order after an item at
 * distance d0 with index i0: the nearest whose distance exceeds d0, or
 * equals it with an index above i0; -1 when none.  Calling it with the
 * previous answer walks the items nearest first (each call a new search;
 * for the few candidates a lower-bound search looks at). */
int nn_nearest_after(const struct nn *t, double x, double y, double d0, int i0, double *dist);
/* The (up to) k next present items after (d0, i0) in that order, into
 * items[] and dist[]: one search for a batch.  Returns how many. */
int nn_nearest_k(const struct nn *t, double x, double y, double d0, int i0, int k, int *items,
                 double *dist);

#endif
