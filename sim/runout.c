/* runout.c - replications.csv, provenance.json and the model's files as one
 * output set. */
#include <math.h>
#include <string.h>
#include "outf.h"
#include "runout.h"

void runout_csv_str(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

void runout_csv_num(FILE *fp, double v)
{
    if (!isnan(v))
        fprintf(fp, "%.10g", v);
}

void runout_replications_csv(FILE *fp, const struct res_layout *L, const double *x, int reps,
                             uint64_t seed)
{
    char name[512];
    fputs("replication,seed", fp);
    for (size_t j = 0; j < L->n; j++) {
        fputc(',', fp);
        runout_csv_str(fp, res_name(&L->slot[j], name, sizeof name));
    }
    fputc('\n', fp);
    for (int r = 0; r < reps; r++) {
        /* Replications are numbered from 1 in files, as in the summary. */
        fprintf(fp, "%d,%llu", r + 1, (unsigned long long)seed);
        for (size_t j = 0; j < L->n; j++) {
            fputc(',', fp);
            runout_csv_num(fp, x[(size_t)r * L->n + j]);
        }
        fputc('\n', fp);
    }
}

int runout_write(const struct model_type *mt, const struct model *m, const char *dir,
                 const struct res_layout *L, const double *x, const struct res_summary *S,
                 const struct prov *pv, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    /* One folder set: readers see the whole old or the whole new results. */
    if (outf_set_dir(&o, dir, 0, e) < 0)
        return -1;
    FILE *fp = outf_open(&o, dir, "replications.csv", e);
    if (!fp || mt->write(m, &o, dir, L, S, pv, e) < 0 || prov_write(pv, &o, dir, e) < 0) {
        outf_abort(&o);
        return -1;
    }
    runout_replications_csv(fp, L, x, pv->reps, pv->seed);
    return outf_commit(&o, e);
}
