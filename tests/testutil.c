#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn.h"
#include "testutil.h"

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char buf[512];
    snprintf(buf, sizeof buf, "%s/patrolsim-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(1);
    }
    return strdup(buf);
}

void tu_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
        perror(path);
        exit(1);
    }
}

void tu_rmrf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int tu_list(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    *names = NULL;
    if (!d)
        return -1;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            *names = realloc(*names, (size_t)cap * sizeof **names);
            if (!*names) {
                perror("realloc");
                exit(1);
            }
        }
        (*names)[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(*names, (size_t)n, sizeof **names, cmp_str);
    return n;
}

void tu_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int tu_expected(const char *dir, char *buf, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/expected", dir);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(buf, (int)n, f))
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return f != NULL;
}

int tu_overrides(const char *const *sets, struct scn_override *ov, char (*buf)[TU_SET_LEN])
{
    int n = 0;
    for (; sets && sets[n]; n++) {
        snprintf(buf[n], TU_SET_LEN, "%s", sets[n]);
        char *eq = strchr(buf[n], '=');
        *eq = '\0';
        char *dot = strchr(buf[n], '.');
        *dot = '\0';
        ov[n] = (struct scn_override){ buf[n], dot + 1, eq + 1 };
    }
    return n;
}
