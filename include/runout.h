/* runout.h - the result files of a set of replications, for any model:
 * the model's own files plus replications.csv and provenance.json, written
 * as one output set (all or nothing). */
#ifndef PATROLSIM_RUNOUT_H
#define PATROLSIM_RUNOUT_H

#include <stdio.h>
#include "model.h"
#include "prov.h"
#include "res.h"

/* x: pv->reps rows of L->n values.  0, or -1 with e set. */
int runout_write(const struct model_type *mt, const struct model *m, const char *dir,
                 const struct res_layout *L, const double *x, const struct res_summary *S,
                 const struct prov *pv, struct perr *e);
/* One row per replication: rep, seed, then every slot (named by res_name). */
void runout_replications_csv(FILE *fp, const struct res_layout *L, const double *x, int reps,
                             uint64_t seed);
/* A CSV field, quoted when it needs to be. */
void runout_csv_str(FILE *fp, const char *s);
/* A number as every result file writes it (%.10g; empty for NAN). */
void runout_csv_num(FILE *fp, double v);

#endif
