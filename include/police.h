/* police.h - the policing model registered on the model seam, and the
 * police-only commands (fit, gen, bench, keys) built on it. */
#ifndef PATROLSIM_POLICE_H
#define PATROLSIM_POLICE_H

#include "cli.h"
#include "scn.h"

extern const struct model_type police_model;

/* The scenario behind a loaded police model. */
const struct scn *police_scn(const struct model *m);
/* Loads a scenario for a police-only command; prints the error and returns
 * NULL on failure. */
struct scn *police_load(const char *dir, const struct cli_ov *c);

int cmd_bench(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_coverage(int argc, char **argv);
int cmd_blockade(int argc, char **argv);

#endif
