/* trv_priv.h - travel-model internals shared by trv.c and road.c only. */
#ifndef PATROLSIM_TRV_PRIV_H
#define PATROLSIM_TRV_PRIV_H

#include <stddef.h>
#include "scn.h"

/* Index of the mode named name, or -1. */
int trv__mode_find(const struct scn *s, const char *name);
/* "'car', 'foot'" into buf, for messages. */
void trv__mode_list(const struct scn *s, char *buf, size_t n);

/* The road model's time to one destination from many origins (the
 * nearest-unit search): the destination snapped once.  trv__road_time_to
 * returns exactly what the free-flow road time gives. */
struct trv;
struct trv__dest {
    double x, y;
    double km;             /* to its node */
    int node;
};
void trv__road_dest(const struct trv *t, double x, double y, struct trv__dest *d);
double trv__road_time_to(const struct trv *t, int mode, double x0, double y0,
                         const struct trv__dest *d);

#endif
