/* cmd_validate.c - `patrolsim validate`: load and check, run nothing. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char help[] =
"usage: patrolsim validate SCENARIO [--strict] [--set S.K=V ...]\n"
"\n"
"Loads the scenario folder and checks every file: sections, keys, columns,\n"
"numbers, references between tables and grid geometry (overlaps, holes),\n"
"then what parses but makes no sense (docs/scenario-format.md, \"Validation\"):\n"
"errors (nobody can ever serve a type, nobody on duty, physically impossible\n"
"numbers, ids that look identical) and warnings (degrees in km columns,\n"
"facilities far outside the grids, offered load above 1, hours without\n"
"anyone on duty, settings that apply to nothing, ...).\n"
"Prints the offered load, every warning ('warning: file:line: ...') and a\n"
"one-line description on success; on the first error prints\n"
"'file:line: ...' and exits with status 2.\n"
"\n"
"  --strict     warnings are errors: exit 2 if there is any\n";

int cmd_validate(int argc, char **argv, const struct model_type *mt)
{
    struct cli_ov ov = { 0 };
    const char *dir = NULL;
    int rc = EXIT_USAGE, strict = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(argv[i], "--strict")) {
            strict = 1;
        } else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
            if (cli_ov_set(&ov, argv[++i]) < 0)
                goto done;
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "patrolsim validate: unexpected argument '%s'; see --help\n", argv[i]);
            goto done;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fputs("patrolsim validate: expected one SCENARIO folder; see --help\n", stderr);
        goto done;
    }
    struct model *m = cli_load(mt, dir, &ov);
    if (!m)
        goto done;
    int nw = mt->n_warnings ? mt->n_warnings(m) : 0;
    if (strict && nw > 0) {
        fprintf(stderr, "patrolsim validate: %s: %d warning%s, errors under --strict\n", dir, nw,
                nw > 1 ? "s" : "");
        mt->free(m);
        goto done;
    }
    printf("%s: ok%s: ", dir, nw ? " with warnings" : "");
    mt->describe(m, stdout);
    putchar('\n');
    mt->free(m);
    rc = EXIT_OK;
done:
    cli_ov_release(&ov);
    return rc;
}
