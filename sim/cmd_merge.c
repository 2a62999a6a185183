/* cmd_merge.c - `patrolsim merge`: combines the stores of a sharded sweep
 * (`sweep --shard I/N`) into DIR/sweep.sqlite and writes its export.
 *
 * Every store must hold the same sweep (store_same_sweep: version, model,
 * replications, specification, points and scenario hashes); all are checked
 * before anything is written.  Tasks are copied by key, so merging a shard
 * twice, or into a DIR that already holds some of them, adds nothing twice.
 * When the merged store is complete, DIR/sweep.csv and DIR/replications.csv
 * are written exactly as a sweep writes them, so they equal the export of
 * the same sweep run unsharded; otherwise the store is kept (a sweep on DIR
 * completes it) and no CSV is written.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "outf.h"
#include "store.h"

static void help(void)
{
    fputs("usage: patrolsim merge STORE... --out DIR [--metrics A,B] [--quiet]\n"
          "\n"
          "Combines the result stores of a sharded sweep ('patrolsim sweep ... --shard\n"
          "I/N', one per shard; STORE is a sweep.sqlite file or its folder) into\n"
          "DIR/sweep.sqlite and, when every task of the sweep is there, writes\n"
          "DIR/sweep.csv and DIR/replications.csv: the same bytes as the unsharded\n"
          "sweep.  Stores of different sweeps or program versions are refused.\n"
          "\n"
          "  --out DIR           the merged sweep's folder (required); a store already\n"
          "                      there must hold the same sweep, and is extended\n"
          "  --metrics A,B       export only these metrics\n"
          "  --quiet             do not print the summary\n"
          "  -h, --help          show this help\n"
          "\n"
          "Exit status: 0 merged and exported, 1 system failure or tasks missing (no CSV;\n"
          "the message says how many), 2 bad usage or stores that do not match.\n", stdout);
}

static char *store_file(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path) + sizeof "/sweep.sqlite";
        char *p = xmalloc(n);
        snprintf(p, n, "%s/sweep.sqlite", path);
        return p;
    }
    return xstrdup(path);
}

/* The same file (hard links and different spellings of one path included). */
static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int cmd_merge(int argc, char **argv, const struct model_type *mt)
{
    (void)mt;
    const char *out = NULL, *metrics = NULL;
    int quiet = 0, n_src = 0, rc = EXIT_USAGE;
    char **path = xcalloc((size_t)argc, sizeof *path);
    struct store **src = xcalloc((size_t)argc, sizeof *src);
    struct store *dst = NULL;
    char *dpath = NULL;
    struct perr e;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help();
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--metrics")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "patrolsim merge: %s needs a value\n", a);
                goto done;
            }
            *(!strcmp(a, "--out") ? &out : &metrics) = argv[++i];
        } else if (!strncmp(a, "--out=", 6)) {
            out = a + 6;
        } else if (!strncmp(a, "--metrics=", 10)) {
            metrics = a + 10;
        } else if (a[0] == '-') {
            fprintf(stderr, "patrolsim merge: unexpected argument '%s'; see 'patrolsim merge "
                            "--help'\n", a);
            goto done;
        } else {
            path[n_src++] = store_file(a);
        }
    }
    if (!n_src || !out) {
        fputs(!n_src ? "patrolsim merge: expected the shard stores to merge; see 'patrolsim "
                       "merge --help'\n"
                     : "patrolsim merge: --out DIR is required: the merged store is "
                       "DIR/sweep.sqlite\n", stderr);
        goto done;
    }
    if (cli_check_out("merge", out) < 0)
        goto done;
    /* Every source is checked against the first before anything is written. */
    for (int i = 0; i < n_src; i++) {
        if (!(src[i] = store_open(path[i], 0, &e)))
            goto bad;
        if (i > 0 && store_same_sweep(src[0], src[i], &e) < 0)
            goto bad;
    }
    if (outf_mkdir(out, &e) < 0)
        goto fail;
    size_t n = strlen(out) + sizeof "/sweep.sqlite";
    dpath = xmalloc(n);
    snprintf(dpath, n, "%s/sweep.sqlite", out);
    if (!(dst = store_open(dpath, STORE_CREATE, &e)))
        goto fail;
    long total = 0, added;
    for (int i = 0; i < n_src; i++) {
        if (same_file(path[i], dpath))
            continue;          /* merging DIR's own store into itself */
        if (store_merge(dst, src[i], &added, &e) < 0)
            goto bad;
        total += added;
        if (!quiet)
            fprintf(stderr, "patrolsim merge: %s: %ld task%s added\n", path[i], added,
                    added == 1 ? "" : "s");
    }
    long stored, expected;
    if (store_progress(dst, &stored, &expected, &e) < 0)
        goto fail;
    if (stored < expected) {
        fprintf(stderr, "patrolsim merge: %s holds %ld of the sweep's %ld tasks: a shard is "
                        "missing or incomplete; merge it too, or run the sweep with --out %s to "
                        "complete it; no CSV written\n", dpath, stored, expected, out);
        rc = EXIT_FAIL;
        goto done;
    }
    outf_catch_signals();
    if (store_export_dir(dst, out, metrics, &e) < 0)
        goto fail;
    if (!quiet)
        fprintf(stderr, "patrolsim merge: %d store%s, %ld tasks added, %ld of %ld stored; "
                        "results in %s/ (sweep.csv, replications.csv, sweep.sqlite)\n", n_src,
                n_src == 1 ? "" : "s", total, stored, expected, out);
    rc = EXIT_OK;
    goto done;
bad:
    fprintf(stderr, "patrolsim merge: %s\n", e.msg);
    rc = EXIT_USAGE;
    goto done;
fail:
    fprintf(stderr, "patrolsim merge: %s\n", e.msg);
    rc = EXIT_FAIL;
done:
    store_close(dst);
    for (int i = 0; i < n_src; i++) {
        store_close(src[i]);
        free(path[i]);
    }
    free(src);
    free(path);
    free(dpath);
    return rc;
}
