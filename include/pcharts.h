/* pcharts.h - the police model's charts and labels for report.html: the
 * model_type.report hook (model.h) of police_model. */
#ifndef PATROLSIM_PCHARTS_H
#define PATROLSIM_PCHARTS_H

#include "report_html.h"

int pcharts_report(struct rpt *r, struct perr *e);

#endif
