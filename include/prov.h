/* prov.h - provenance: what produced a set of results.
 *
 * Every output (CSV sidecar, JSON field, result-store table) records the
 * program version, the model, the scenario, seed, replications, horizon, all
 * overrides in the order given, and the SHA-256 of every input file (the same
 * digest `sha256sum` prints).  `hash` digests all of that except the number
 * of replications: it names the resolved scenario, so tasks of a sweep are
 * keyed by (hash, replication) and more replications extend a stored sweep.
 */
#ifndef PATROLSIM_PROV_H
#define PATROLSIM_PROV_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "model.h"

#define PROV_HEX 65            /* 64 hex digits + NUL */

struct prov {
    const char *version;       /* PATROLSIM_VERSION */
    const char *model;         /* model type name */
    char *scenario_dir;
    char *scenario_name;
    uint64_t seed;
    int reps;
    double horizon_days, warmup_days;
    int n_ov;
    char **ov;                 /* "section.key=value", as given */
    int n_inputs;
    char **input;              /* paths as the model opened them */
    char (*sha256)[PROV_HEX];  /* per input */
    char hash[PROV_HEX];       /* the resolved scenario */
};

/* Fills pv for a loaded model: checksums every input.  0, or -1 with e set. */
int prov_init(struct prov *pv, const struct model_type *mt, const struct model *m,
              const char *dir, const struct model_override *ov, int n_ov, struct perr *e);
void prov_release(struct prov *pv);
/* SHA-256 of a file, as hex.  0, or -1 with e set. */
int prov_sha256_file(const char *path, char out[PROV_HEX], struct perr *e);
/* SHA-256 of a byte string, as hex. */
void prov_sha256(const void *data, size_t n, char out[PROV_HEX]);
/* The provenance as a JSON object (jansson json_t *; caller decrefs). */
void *prov_json(const struct prov *pv);
/* Writes provenance.json into the output set o (dir/provenance.json). */
int prov_write(const struct prov *pv, struct outf *o, const char *dir, struct perr *e);

#endif
