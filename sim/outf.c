/* outf.c - temporary-then-rename output sets (see outf.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outf.h"

/* Temporary files of every open set, for the signal handler: it may run at
 * any moment, so a slot is cleared before its string is freed. */
#define REG_MAX 64
static char *volatile reg[REG_MAX];

static void reg_add(char *path)
{
    for (int i = 0; i < REG_MAX; i++)
        if (__sync_bool_compare_and_swap(&reg[i], NULL, path))
            return;
}

static void reg_del(const char *path)
{
    for (int i = 0; i < REG_MAX; i++)
        if (reg[i] == path)
            reg[i] = NULL;
}

static void on_signal(int sig)
{
    static const char msg[] = "\npatrolsim: interrupted; no partial output kept\n";
    for (int i = 0; i < REG_MAX; i++)
        if (reg[i])
            unlink(reg[i]);
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

void outf_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

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
    reg_add(tmp);
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
        reg_del(o->tmp[i]);
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
