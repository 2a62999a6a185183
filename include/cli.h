/* cli.h - the generic command line: commands that drive any model through
 * the model seam (model.h), and the option parsing they share.
 *
 * Each command returns an enum exit_code; --help prints to stdout and
 * returns 0; a usage error goes to stderr and returns EXIT_USAGE.
 */
#ifndef PATROLSIM_CLI_H
#define PATROLSIM_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "model.h"

#define PATROLSIM_VERSION "0.2.0"

/* Overrides collected from the command line, in the order given (a later
 * one wins).  Strings are owned. */
struct cli_ov {
    struct model_override *ov;
    char **owned;
    int n, cap;
};
/* Adds "section.key=value" (from --set); 0, or -1 with a message printed. */
int cli_ov_set(struct cli_ov *c, const char *spec);
/* Adds an override with a value given separately. */
void cli_ov_add(struct cli_ov *c, const char *section, const char *key, const char *value);
void cli_ov_release(struct cli_ov *c);
/* Loads a scenario through the model, prints its notes once; on failure
 * prints "prog: message" and returns NULL. */
struct model *cli_load(const struct model_type *mt, const char *dir, const struct cli_ov *c);

/* Parses a positive integer option value in [lo, hi]; -1 with a message. */
int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, int *out);
/* Checks that dir can hold results (creatable, writable, not a file)
 * before any simulation starts; -1 with a message printed. */
int cli_check_out(const char *cmd, const char *dir);

/* Options every experiment command (run, compare, sweep) shares. */
struct cli_common {
    struct cli_ov ov;          /* --seed, --reps, --horizon-days, --warmup-days,
                                  --set and the model's aliases, in order */
    int jobs;                  /* --jobs (default: CPUs) */
    const char *out;           /* --out DIR or NULL */
    int progress;              /* enum prog_mode from --progress */
    int quiet;                 /* --quiet */
    int force;                 /* --force: replace an --out folder patrolsim did not write */
};
void cli_common_init(struct cli_common *c);
void cli_common_release(struct cli_common *c);
/* Consumes argv[*i] (and its value, as the next word or after '=') when it
 * is a common option: 1 consumed, 0 not a common option, -1 bad value
 * (message printed). */
int cli_common_opt(struct cli_common *c, const struct model_type *mt, const char *cmd,
                   int argc, char **argv, int *i);
/* The help text of the common options (for a command's --help). */
void cli_common_help(FILE *fp, const struct model_type *mt);

/* For --report DIR, before anything runs: gnuplot is installed (else the
 * one-line install hint) and DIR can be written.  -1 with a message. */
int cli_check_report(const char *cmd, const char *dir);

int cmd_run(int argc, char **argv, const struct model_type *mt);
int cmd_validate(int argc, char **argv, const struct model_type *mt);
int cmd_compare(int argc, char **argv, const struct model_type *mt);
int cmd_sweep(int argc, char **argv, const struct model_type *mt);
int cmd_merge(int argc, char **argv, const struct model_type *mt);

#endif
