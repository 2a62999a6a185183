/* rng.c - random streams keyed by (seed, replication, purpose[, entity]).
 *
 * The key is mixed with splitmix64 finalisers (a bijection on 64 bits
 * applied in sequence), so neighbouring replications or purposes get
 * unrelated keys; the 64-bit key then fills xoshiro256**'s 256-bit state
 * through the splitmix64 sequence, as its authors recommend.
 *
 * Why not one of GSL's own generators: mt19937 takes a 32-bit seed (two
 * keys out of ~77k collide with even odds at 2^32 seeds, which a large
 * sweep reaches), keeps 2.5 KB of state per stream and yields 32 bits per
 * call, so a double carries 32 random bits; GSL's fast ones (taus2) are
 * 32-bit too and its 48-bit ranlxd is several times slower; and every GSL
 * draw costs two indirect calls.  xoshiro256** is 32 bytes of state and a handful of
 * instructions, and rng.h inlines it.
 */
#include <limits.h>
#include <stdlib.h>
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

uint64_t rng_mix4(uint64_t seed, uint64_t rep, uint64_t purpose, uint64_t entity)
{
    return splitmix(rng_mix(seed, rep, purpose) ^ splitmix(entity ^ 0xd1b54a32d192ed03ULL));
}

uint64_t rng_key_str(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ULL;          /* FNV-1a, then a finaliser */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return splitmix(h);
}

/* ---- xoshiro256** as a gsl_rng_type --------------------------------------- */

/* State from the splitmix64 sequence started at key: never all zero, since
 * the four outputs of a bijection on consecutive inputs cannot all be 0. */
static void xo_seed(struct rng_state *st, uint64_t key)
{
    for (int i = 0; i < 4; i++) {
        st->s[i] = splitmix(key);
        key += 0x9e3779b97f4a7c15ULL;
    }
}

static void xo_set(void *state, unsigned long s)
{
    xo_seed(state, (uint64_t)s);
}

/* GSL's get() returns an unsigned long in [min, max]: all 64 bits where
 * unsigned long has them, the top 32 otherwise. */
#if ULONG_MAX >= 0xffffffffffffffffULL
#define XO_MAX ULONG_MAX
#define XO_SHIFT 0
#else
#define XO_MAX 0xffffffffUL
#define XO_SHIFT 32
#endif

static unsigned long xo_get(void *state)
{
    gsl_rng r = { NULL, state };
    return (unsigned long)(rng_next64(&r) >> XO_SHIFT);
}

static double xo_get_double(void *state)
{
    gsl_rng r = { NULL, state };
    return rng_u01(&r);
}

static const gsl_rng_type xo_type = {
    "xoshiro256**", XO_MAX, 0, sizeof(struct rng_state), xo_set, xo_get, xo_get_double,
};

const gsl_rng_type *const rng_xoshiro256ss = &xo_type;

void rng_stream_seed_key(gsl_rng *r, uint64_t key)
{
    PS_ASSERT(r->type == &xo_type);
    xo_seed(r->state, key);
}

void rng_stream_seed(gsl_rng *r, uint64_t seed, uint64_t rep, uint64_t purpose)
{
    rng_stream_seed_key(r, rng_mix(seed, rep, purpose));
}

gsl_rng *rng_stream_new(uint64_t seed, uint64_t rep, uint64_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(&xo_type);
    PS_ASSERT(r != NULL);   /* only fails when out of memory */
    rng_stream_seed(r, seed, rep, purpose);
    return r;
}

void rng_stream_bind(gsl_rng *r, struct rng_state *st)
{
    r->type = &xo_type;
    r->state = st;
}
