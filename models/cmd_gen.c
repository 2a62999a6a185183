/* cmd_gen.c - `patrolsim gen`: write a scenario's incident stream as CSV.
 *
 * The stream is exactly what `patrolsim run` would simulate in the given
 * replication (same source, same random streams), written in a format the
 * replay source reads back unchanged: creation times to the millisecond,
 * x/y in km and on-scene minutes with 6 decimals.  nhpp rounds its draws to
 * exactly that resolution, so its file replays to the same doubles; a
 * poisson or replay stream is rounded to it.  The [replay] lines that read
 * the file back are printed.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "police.h"
#include "inc.h"
#include "outf.h"
#include "ts.h"

static const char help[] =
"usage: patrolsim gen SCENARIO --days D --out FILE [options]\n"
"\n"
"Writes the incidents of SCENARIO's incident source (nhpp, poisson or\n"
"replay) over D days to FILE, one row per incident:\n"
"  id,received,type,priority,grid,x_km,y_km[,lat,lon],service_min\n"
"received is the local time [incidents] start + t (ISO 8601, milliseconds);\n"
"lat/lon appear when the scenario has a projection ([geo] or GeoJSON grids).\n"
"Prints the [replay] settings that replay FILE as the same incidents.\n"
"\n"
"options:\n"
"  --days D        length of the stream in days (required)\n"
"  --out FILE      output CSV, written whole or not at all (its folder is created)\n"
"  --seed N        random seed (default: the scenario's)\n"
"  --rep R         replication index whose stream to write (default 0)\n"
"  --set S.K=V     override key K of section [S] of scenario.ini (repeatable)\n"
"  -h, --help      show this help\n"
"\n"
"The stream depends only on the seed, the replication and the scenario's\n"
"incident settings, never on units or dispatch.\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad scenario.\n";

static int write_stream(const struct scn *s, int rep, FILE *fp, uint64_t *n, struct perr *e)
{
    const struct inc_source_type *src = inc_source_find(s->source);
    if (!src)
        return err_set(e, "%s: unknown incident source '%s'", s->ini_path, s->source);
    void *st = src->open(s, s->seed, rep, e);
    if (!st)
        return -1;
    fprintf(fp, "id,received,type,priority,grid,x_km,y_km,%sservice_min\n",
            s->has_proj ? "lat,lon," : "");
    struct inc in;
    int rc;
    while ((rc = src->next(st, &in, e)) == 1) {
        char ts[TS_ISO_MAX];
        ts_format(s->start_ms + llround(in.t * (double)TS_MS_MIN), 1, ts);
        fprintf(fp, "%llu,%s,%s,%d,%s,%.6f,%.6f,", (unsigned long long)in.seq + 1, ts,
                s->itypes[in.type].id, s->priorities[in.prio_idx],
                in.grid >= 0 ? s->grids[in.grid].id : "", in.x, in.y);
        if (s->has_proj) {
            double lat, lon;
            geo_unproject(&s->proj, in.x, in.y, &lat, &lon);
            fprintf(fp, "%.9f,%.9f,", lat, lon);
        }
        fprintf(fp, "%.6f\n", in.service_min);
        (*n)++;
    }
    src->close(st);
    return rc < 0 ? -1 : 0;
}

int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "days", required_argument, 0, 'd' },
        { "out", required_argument, 0, 'o' },
        { "seed", required_argument, 0, 's' },
        { "rep", required_argument, 0, 'r' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out = NULL, *days = NULL;
    int rep = 0, c, rc = EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': days = optarg; break;
        case 'o': out = optarg; break;
        case 's': cli_ov_add(&ov, "run", "seed", optarg); break;
        case 'r': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 100000) {
                fprintf(stderr, "patrolsim gen: --rep: expected an integer 0..100000, got "
                        "'%s'\n", optarg);
                goto done;
            }
            rep = (int)v;
            break;
        }
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim gen --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1 || !days || !out) {
        fputs("patrolsim gen: expected SCENARIO, --days D and --out FILE; see "
              "'patrolsim gen --help'\n", stderr);
        goto done;
    }
    cli_ov_add(&ov, "run", "horizon_days", days);
    cli_ov_add(&ov, "run", "warmup_days", "0");
    struct scn *s = police_load(argv[optind], &ov);
    if (!s)
        goto done;

    struct perr e;
    struct outf of;
    outf_init(&of);
    char *dir = xstrdup(out), *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : out;
    if (slash)
        *slash = '\0';
    uint64_t n = 0;
    rc = EXIT_FAIL;
    const char *odir = slash ? (*dir ? dir : "/") : ".";
    FILE *fp = outf_mkdir(odir, &e) < 0 ? NULL : outf_open(&of, odir, name, &e);
    int step = !fp ? 1 : write_stream(s, rep, fp, &n, &e) < 0 ? 2
                                                             : outf_commit(&of, &e) < 0 ? 3 : 0;
    if (step) {
        /* A failing source is bad input (a replay row); the rest is the system. */
        rc = step == 2 ? EXIT_USAGE : EXIT_FAIL;
        fprintf(stderr, "patrolsim gen: %s\n", e.msg);
        outf_abort(&of);
    } else {
        char st[TS_ISO_MAX];
        ts_format(s->start_ms, 0, st);
        printf("%llu incidents over %s days (seed %llu, replication %d) written to %s\n"
               "to replay them, in scenario.ini:\n"
               "[incidents]\nsource = replay\nstart = %s\n"
               "[replay]\nfile = %s\nreceived_column = received\nlocation = xy_km\n"
               "x_column = x_km\ny_column = y_km\ntype_column = type\n"
               "priority_column = priority\nservice = data\nservice_column = service_min\n",
               (unsigned long long)n, days, (unsigned long long)s->seed, rep, out, st, out);
        rc = EXIT_OK;
    }
    free(dir);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
