/* rng.h - independent random streams by (seed, replication, purpose[, entity]).
 *
 * Each purpose (arrivals, locations, service, ...; the model numbers them)
 * gets its own generator seeded from a 64-bit hash of the key.  Changing how
 * many numbers one purpose draws never shifts another purpose's stream, so
 * two layouts run on the same seed and replication see the same incidents
 * (common random numbers).  A stream that belongs to an entity (a unit's
 * patrol points) adds the entity's key (rng_key_str of its id), so it
 * follows the entity when tables are reordered.
 *
 * The generator is xoshiro256** (Blackman and Vigna 2018: 256-bit state,
 * period 2^256 - 1, passes BigCrush and PractRand), registered as a GSL
 * gsl_rng_type (rng_xoshiro256ss) so every gsl_ran_* distribution works
 * with it.  The whole 64-bit key is expanded into the state by splitmix64,
 * so distinct keys give distinct states (splitmix64 is a bijection), not
 * the 2^32 seeds a 32-bit-seeded generator can take.  The draws used for
 * every incident are also provided inline (rng_u01, rng_exponential) so the
 * hot path pays neither GSL's two indirect calls nor a function call; they
 * return exactly what gsl_rng_uniform and gsl_ran_exponential return on the
 * same stream.
 */
#ifndef PATROLSIM_RNG_H
#define PATROLSIM_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* 64-bit mix of the triple; exposed for tests and for seeding sub-streams. */
uint64_t rng_mix(uint64_t seed, uint64_t rep, uint64_t purpose);
/* The same with an entity key: (seed, rep, purpose, entity) -> 64 bits. */
uint64_t rng_mix4(uint64_t seed, uint64_t rep, uint64_t purpose, uint64_t entity);
/* 64-bit key of an entity's stable identity (its id string), so streams
 * keyed by entity follow the entity when tables are reordered. */
uint64_t rng_key_str(const char *id);

/* The xoshiro256** generator type.  gsl_rng_set(r, s) seeds it from s
 * through splitmix64 (all bits of an unsigned long are used). */
extern const gsl_rng_type *const rng_xoshiro256ss;

/* A new generator for the triple; gsl_rng_free releases it. */
gsl_rng *rng_stream_new(uint64_t seed, uint64_t rep, uint64_t purpose);
/* Reseeds an existing rng_xoshiro256ss generator for the triple. */
void rng_stream_seed(gsl_rng *r, uint64_t seed, uint64_t rep, uint64_t purpose);
/* Seeds r from a full 64-bit key (e.g. rng_mix4), without folding it. */
void rng_stream_seed_key(gsl_rng *r, uint64_t key);

/* Generator state, visible only so the inline draws below can step it. */
struct rng_state {
    uint64_t s[4];
};

/* Makes r a generator of this type over caller-owned state st (no
 * allocation: for arrays of per-entity streams).  Seed it before use; do
 * not gsl_rng_free it. */
void rng_stream_bind(gsl_rng *r, struct rng_state *st);

static inline uint64_t rng__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 raw bits of r, which must be an rng_xoshiro256ss generator. */
static inline uint64_t rng_next64(gsl_rng *r)
{
    uint64_t *s = ((struct rng_state *)r->state)->s;
    uint64_t out = rng__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng__rotl(s[3], 45);
    return out;
}

/* Uniform on [0, 1) with 53 random bits: gsl_rng_uniform(r), inlined. */
static inline double rng_u01(gsl_rng *r)
{
    return (double)(rng_next64(r) >> 11) * 0x1.0p-53;
}

/* Exponential of mean mu: gsl_ran_exponential(r, mu), inlined (GSL's
 * formula, -mu log1p(-u), on the same draw). */
static inline double rng_exponential(gsl_rng *r, double mu)
{
    return -mu * log1p(-rng_u01(r));
}

#endif
