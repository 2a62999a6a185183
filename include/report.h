/* report.h - what a police run shows: the printed summary and the result
 * files (summary.csv, by_unit.csv, by_grid.csv, by_hour.csv, by_type.csv,
 * by_tier.csv, by_station.csv, summary.json). */
#ifndef PATROLSIM_REPORT_H
#define PATROLSIM_REPORT_H

#include <stdio.h>
#include "outf.h"
#include "prov.h"
#include "res.h"
#include "scn.h"

void report_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                  const struct res_summary *S, const struct prov *pv);
/* Adds the result files to the caller's output set o (under dir), which
 * commits them all or none; 0, or -1 with e set. */
int report_write(struct outf *o, const char *dir, const struct scn *s,
                 const struct res_layout *L, const struct res_summary *S,
                 const struct prov *pv, struct perr *e);

#endif
