/* rng.h - independent random streams by (seed, replication, purpose).
 *
 * Each purpose (arrivals, locations, service, ...; the model numbers them)
 * gets its own GSL generator seeded from a hash of the triple.  Changing how
 * many numbers one purpose draws never shifts another purpose's stream, so
 * two layouts run on the same seed and replication see the same incidents
 * (common random numbers).
 */
#ifndef PATROLSIM_RNG_H
#define PATROLSIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* 64-bit mix of the triple; exposed for tests and for seeding sub-streams. */
uint64_t rng_mix(uint64_t seed, uint64_t rep, uint64_t purpose);
/* 64-bit key of an entity's stable identity (its id string), so streams
 * keyed by entity follow the entity when tables are reordered. */
uint64_t rng_key_str(const char *id);
/* A new generator (mt19937) for the triple; gsl_rng_free releases it. */
gsl_rng *rng_stream_new(uint64_t seed, uint64_t rep, uint64_t purpose);
/* Reseeds an existing generator for the triple (no allocation). */
void rng_stream_seed(gsl_rng *r, uint64_t seed, uint64_t rep, uint64_t purpose);

#endif
