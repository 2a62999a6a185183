/* analytic.h - `patrolsim analytic`: the hypercube queueing model of a
 * scenario (an instant first answer) and, with --check, the simulation run
 * under the model's conditions beside it. */
#ifndef PATROLSIM_ANALYTIC_H
#define PATROLSIM_ANALYTIC_H

int cmd_analytic(int argc, char **argv);

#endif
