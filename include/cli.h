/* cli.h - `patrolsim <command>`: one function per subcommand.
 * Each returns an enum exit_code; --help prints to stdout and returns 0. */
#ifndef PATROLSIM_CLI_H
#define PATROLSIM_CLI_H

#include <stdint.h>
#include "scn.h"

#define PATROLSIM_VERSION "0.1.0"

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_gen(int argc, char **argv);

/* Shared option parsing: --seed/--reps/--horizon-days/--warmup-days/--set
 * become scenario overrides, validated like scenario.ini itself. */
struct cli_ov {
    struct scn_override ov[64];
    char *owned[64];
    int n;
};
/* Adds "section.key=value" (from --set); 0, or -1 with a message printed. */
int cli_ov_set(struct cli_ov *c, const char *spec);
/* Adds an override with a value given separately. */
void cli_ov_add(struct cli_ov *c, const char *section, const char *key, const char *value);
void cli_ov_release(struct cli_ov *c);
/* Loads the scenario with the overrides; prints the error and returns NULL. */
struct scn *cli_load(const char *dir, const struct cli_ov *c);

#endif
