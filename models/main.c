/* main.c - the patrolsim binary: the generic command line over the policing
 * model (the only model registered today). */
#include "police.h"

int main(int argc, char **argv)
{
    static const struct model_type *const models[] = { &police_model };
    return cli_main(argc, argv, models, 1);
}
