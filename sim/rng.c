/* rng.c - random streams keyed by (seed, replication, purpose).
 *
 * The triple is mixed with splitmix64 finalisers (a bijection on 64 bits
 * applied in sequence), so neighbouring replications or purposes get
 * unrelated seeds.  mt19937 takes a 32-bit seed; we fold the 64-bit mix.
 */
#include "err.h"
#include "rng.h"

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t rng_mix(uint64_t seed, uint64_t rep, uint64_t purpose)
{
    return splitmix(splitmix(splitmix(seed) ^ rep) ^ (purpose * 0x632be59bd9b4e019ULL));
}

uint64_t rng_key_str(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ULL;          /* FNV-1a, then a finaliser */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return splitmix(h);
}

void rng_stream_seed(gsl_rng *r, uint64_t seed, uint64_t rep, uint64_t purpose)
{
    uint64_t m = rng_mix(seed, rep, purpose);
    unsigned long s = (unsigned long)((m ^ (m >> 32)) & 0xffffffffUL);
    gsl_rng_set(r, s ? s : 4357);   /* mt19937 treats seed 0 as its default */
}

gsl_rng *rng_stream_new(uint64_t seed, uint64_t rep, uint64_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    PS_ASSERT(r != NULL);   /* only fails when out of memory */
    rng_stream_seed(r, seed, rep, purpose);
    return r;
}
