#include "scn.h"
int scn_inputs(const struct scn *s, const char *const **paths)
{
    *paths = (const char *const *)&s->ini_path;
    return 1;
}
