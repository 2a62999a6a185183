/* report.h - what a run shows: the printed summary and the result files
 * (summary.csv, by_unit.csv, by_grid.csv, summary.json). */
#ifndef PATROLSIM_REPORT_H
#define PATROLSIM_REPORT_H

#include <stdio.h>
#include "res.h"
#include "scn.h"

struct report_meta {
    uint64_t seed;
    int reps;
    double horizon_days, warmup_days;
};

void report_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                  const struct res_summary *S, const struct report_meta *m);
/* Writes the result files into dir, all or nothing; 0, or -1 with e set. */
int report_write(const char *dir, const struct scn *s, const struct res_layout *L,
                 const struct res_summary *S, const struct report_meta *m,
                 struct perr *e);

#endif
