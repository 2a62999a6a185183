/* main.c - `patrolsim <command> [options]`, git style. */
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "cli.h"
#include "err.h"

static const struct cmd {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} cmds[] = {
    { "run", cmd_run, "simulate a scenario and report response times, first contact and load" },
    { "validate", cmd_validate, "check a scenario's files without running it" },
    { "bench", cmd_bench, "run the reference benchmark model and print its figures" },
    { "fit", cmd_fit, "estimate arrival profile, grid shares and type mix from a CAD export" },
    { "gen", cmd_gen, "write a scenario's synthetic incident stream as a replayable CSV" },
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: patrolsim <command> [options]\n\n"
                "Discrete-event simulation of police stations, grids and staffing.\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        fprintf(fp, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(fp, "\n'patrolsim <command> --help' describes a command's options.\n"
                "Scenario format: docs/scenario-format.md\n");
}

int main(int argc, char **argv)
{
    /* GSL must report errors as statuses we check, never abort the run. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("patrolsim %s\n", PATROLSIM_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "patrolsim: '%s' is not a command; see 'patrolsim --help'\n", argv[1]);
    return EXIT_USAGE;
}
