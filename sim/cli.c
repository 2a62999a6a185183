/* cli.c - option helpers shared by the commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "inc.h"

void cli_ov_add(struct cli_ov *c, const char *section, const char *key, const char *value)
{
    PS_ASSERT(c->n < 64);
    size_t ls = strlen(section), lk = strlen(key), lv = strlen(value);
    char *buf = xmalloc(ls + lk + lv + 3);
    memcpy(buf, section, ls + 1);
    memcpy(buf + ls + 1, key, lk + 1);
    memcpy(buf + ls + lk + 2, value, lv + 1);
    c->owned[c->n] = buf;
    c->ov[c->n++] = (struct scn_override){ buf, buf + ls + 1, buf + ls + lk + 2 };
}

int cli_ov_set(struct cli_ov *c, const char *spec)
{
    const char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
    if (!dot || !eq || dot > eq || dot == spec || eq == dot + 1) {
        fprintf(stderr, "patrolsim: --set: expected section.key=value, got '%s'\n", spec);
        return -1;
    }
    if (c->n >= 64) {
        fprintf(stderr, "patrolsim: --set: at most 64 overrides\n");
        return -1;
    }
    char sec[128], key[128];
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - spec), spec);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    cli_ov_add(c, sec, key, eq + 1);
    return 0;
}

void cli_ov_release(struct cli_ov *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->owned[i]);
    c->n = 0;
}

struct scn *cli_load(const char *dir, const struct cli_ov *c)
{
    struct perr e;
    struct scn *s = scn_load(dir, c->ov, c->n, &e);
    if (!s)
        fprintf(stderr, "patrolsim: %s\n", e.msg);
    else
        inc_source_report(s, stderr);   /* a replay's row counts, once per command */
    return s;
}
