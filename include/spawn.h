/* spawn.h - endogenous demand: incidents created by how earlier ones ended.
 *
 * consequences.csv (docs/policing-model.md, "Endogenous demand") says, per
 * incident type and outcome, with which probability an ended incident
 * spawns a repeat call (the same type) or an escalation (another type, e.g.
 * a dispute turning criminal, 民转刑) at the same place after a delay.
 *
 * Common random numbers: every draw of a consequence (whether it happens,
 * its delay, the new incident's on-scene time) comes from a stream keyed by
 * (seed, replication, SPAWN_RNG, originating incident's key, row), never
 * from a shared sequential stream.  The exogenous incident stream is not
 * touched, and two layouts in which an incident ends the same way spawn
 * exactly the same incidents.  An exogenous incident's key is spawn_key_exo
 * of its sequence number; a spawned one's is derived from its parent's key
 * and the row (spawn_key_child), so keys do not depend on event order.
 *
 * Spawned incidents wait in a heap ordered by (time, key) until the
 * operations model pulls them beside the exogenous stream.  Costs: a draw
 * is O(rows of the type); push and pop are O(log n) in pending spawns.
 */
#ifndef PATROLSIM_SPAWN_H
#define PATROLSIM_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include "inc.h"
#include "scn.h"

/* Stream purposes of the grid tier and the consequences.  Far from the
 * small numbers of enum rng_purpose (inc.h), so neither list can collide
 * with the other as both grow; never renumber. */
enum {
    SPAWN_RNG = 0x7370776e,     /* "spwn": consequence draws, per (incident key, row) */
    GRID_RNG = 0x67726964,      /* "grid": grid tier draws, per incident key */
};

/* A pending spawned incident. */
struct spawn_inc {
    struct inc inc;        /* seq = the exogenous ancestor's seq */
    uint64_t key;          /* its stream key */
    int depth;             /* generation: 1 = spawned by an exogenous incident */
    enum conseq_effect effect;
};

/* Min-heap of pending spawns by (inc.t, key); plain struct, caller owned. */
struct spawn_q {
    struct spawn_inc *h;
    int n, cap;
};

void spawn_q_init(struct spawn_q *q);
void spawn_q_release(struct spawn_q *q);
void spawn_q_push(struct spawn_q *q, const struct spawn_inc *x);
/* The earliest pending spawn (n > 0), and removing it into *out. */
static inline const struct spawn_inc *spawn_q_top(const struct spawn_q *q)
{
    return &q->h[0];
}
void spawn_q_pop(struct spawn_q *q, struct spawn_inc *out);

static inline uint64_t spawn_key_exo(uint64_t seq)
{
    return seq;
}
uint64_t spawn_key_child(uint64_t parent, int row);

/* What spawn_draw did, for the reports. */
struct spawn_counts {
    uint64_t drawn[2];     /* consequences that fired, by effect (CQ_REPEAT, CQ_ESCALATE) */
    uint64_t beyond;       /* of those, due at or after the horizon: not created */
    uint64_t capped;       /* ended incidents at max_spawn_depth: nothing drawn */
};

/* Draws the consequences of an incident (in, with key and depth) that
 * ended at `now` resolved on scene or not (handed over), and pushes those
 * due before horizon_min into q.  Counts into c when `counted`. */
void spawn_draw(const struct scn *s, uint64_t seed, int rep, const struct inc *in,
                uint64_t key, int depth, bool resolved, double now, double horizon_min,
                struct spawn_q *q, struct spawn_counts *c, bool counted);

/* Uniform on [0, 1) from the grid stream of an incident key, draw k:
 * order-independent (a hash), so layouts share it. */
double spawn_grid_u01(uint64_t seed, int rep, uint64_t key, int k);

#endif
