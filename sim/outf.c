/* outf.c - temporary-then-rename output sets (see outf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outf.h"

void outf_init(struct outf *o)
{
    memset(o, 0, sizeof *o);
}

int outf_mkdir(const char *dir, struct perr *e)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1; ; s++) {
        char c = *s;
        if (c == '/' || c == '\0') {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                err_sys(e, "%s: cannot create directory", p);
                free(p);
                return -1;
            }
            *s = c;
        }
        if (c == '\0')
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, "%s: not a directory", dir);
    return 0;
}

FILE *outf_open(struct outf *o, const char *dir, const char *name, struct perr *e)
{
    PS_ASSERT(o->n < OUTF_MAX);
    size_t n = strlen(dir) + strlen(name) + 32;
    char *final = xmalloc(n), *tmp = xmalloc(n);
    snprintf(final, n, "%s/%s", dir, name);
    snprintf(tmp, n, "%s/.%s.tmp%ld", dir, name, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        err_sys(e, "%s: cannot write", final);
        free(final);
        free(tmp);
        return NULL;
    }
    o->final[o->n] = final;
    o->tmp[o->n] = tmp;
    o->fp[o->n++] = fp;
    return fp;
}

static void release(struct outf *o, int remove_tmp)
{
    for (int i = 0; i < o->n; i++) {
        if (o->fp[i])
            fclose(o->fp[i]);
        if (remove_tmp)
            unlink(o->tmp[i]);
        free(o->final[i]);
        free(o->tmp[i]);
    }
    outf_init(o);
}

void outf_abort(struct outf *o)
{
    release(o, 1);
}

int outf_commit(struct outf *o, struct perr *e)
{
    for (int i = 0; i < o->n; i++) {
        FILE *fp = o->fp[i];
        o->fp[i] = NULL;
        int bad = ferror(fp);
        if (fclose(fp) != 0 || bad) {
            err_sys(e, "%s: write failed", o->final[i]);
            release(o, 1);
            return -1;
        }
    }
    for (int i = 0; i < o->n; i++)
        if (rename(o->tmp[i], o->final[i]) != 0) {
            err_sys(e, "%s: cannot rename into place", o->final[i]);
            release(o, 1);
            return -1;
        }
    release(o, 0);
    return 0;
}
