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
 * hot path pays neither GSL's two indirect calls nor a function call.
 * rng_u01 returns exactly what gsl_rng_uniform returns on the same stream.
 *
 * rng_exponential is NOT gsl_ran_exponential: it draws by the ziggurat
 * (Marsaglia and Tsang 2000, "The ziggurat method for generating random
 * variables", J. Stat. Softw. 5(8)), an exact method (no approximation of
 * the distribution beyond the doubles' rounding), with 256 layers, the
 * layer from the low 8 bits of one 64-bit draw and the abscissa from its
 * top 53 (disjoint bits, so unlike the original 32-bit version the layer
 * and the value are independent).  97.8% of draws take one 64-bit output,
 * a table compare and a multiply (about 12 instructions besides the
 * generator's step); the rest test a wedge with one more uniform and
 * exp(), or draw the tail beyond r = 7.697 as r + Exp(1) by inversion.
 * Why: inversion, -mu log1p(-u), spent ~70 instructions per draw in log1p;
 * with two draws per incident (inter-arrival gap, on-scene time) that was
 * 138 of the 2572 instructions per incident of bench-city S=64, and the
 * ziggurat removes 133 of them.  The price: the values differ from GSL's
 * for the same key (same distribution, other numbers), and a draw may take
 * more than one 64-bit output; results are reproducible with this code,
 * not with gsl_ran_exponential.  The tables are constants in rng.c (no
 * initialisation, so no race between threads); tests/test_rng.c checks the
 * distribution.
 */
#ifndef PATROLSIM_RNG_H
#define PATROLSIM_RNG_H

#include <math.h>
#include <stddef.h>
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

/* One xoshiro256** step of the state words s[0..4). */
static inline uint64_t rng__step(uint64_t *s)
{
    uint64_t out = rng__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng__rotl(s[3], 45);
    return out;
}

/* Next 64 raw bits of r, which must be an rng_xoshiro256ss generator. */
static inline uint64_t rng_next64(gsl_rng *r)
{
    return rng__step(((struct rng_state *)r->state)->s);
}

/* Uniform on [0, 1) with 53 random bits: gsl_rng_uniform(r), inlined. */
static inline double rng_u01(gsl_rng *r)
{
    return (double)(rng_next64(r) >> 11) * 0x1.0p-53;
}

/* Ziggurat tables (rng.c): per layer the acceptance bound of the 53-bit
 * magnitude and its scale to the abscissa. */
extern const uint64_t rng__zke[256];
extern const double rng__zwe[256];
/* The ziggurat's wedge and tail, for magnitude m in layer i (rng.c). */
double rng__exp_slow(gsl_rng *r, uint64_t m, unsigned i);

/* Standard exponential (mean 1) of an rng_xoshiro256ss generator by the
 * ziggurat (see the top of this file). */
static inline double rng_exp1(gsl_rng *r)
{
    uint64_t b = rng_next64(r);
    unsigned i = (unsigned)(b & 255);
    uint64_t m = b >> 11;
    if (m < rng__zke[i])
        return (double)(int64_t)m * rng__zwe[i];     /* m < 2^53: exact */
    return rng__exp_slow(r, m, i);
}

/* Exponential of mean mu, by the ziggurat: mu times rng_exp1. */
static inline double rng_exponential(gsl_rng *r, double mu)
{
    return mu * rng_exp1(r);
}

/* Batches for hot sources: out[0..n) receives the next n values that n
 * calls of rng_exponential(r, mu), or of rng_u01(r), would return, in that
 * order (a slow-path draw of the ziggurat takes its extra outputs in its
 * turn), and r is left where those calls would leave it.  The state stays
 * in registers for the whole batch instead of being loaded and stored by
 * every draw.  r must be an rng_xoshiro256ss generator. */
void rng_exponential_fill(gsl_rng *r, double mu, double *out, size_t n);
void rng_u01_fill(gsl_rng *r, double *out, size_t n);

#endif
