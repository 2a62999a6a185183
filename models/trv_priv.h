/* trv_priv.h - travel-model internals shared by trv.c and road.c only. */
#ifndef PATROLSIM_TRV_PRIV_H
#define PATROLSIM_TRV_PRIV_H

#include <stddef.h>
#include "scn.h"

/* Index of the mode named name, or -1. */
int trv__mode_find(const struct scn *s, const char *name);
/* "'car', 'foot'" into buf, for messages. */
void trv__mode_list(const struct scn *s, char *buf, size_t n);

#endif
