/* outf.c - temporary-then-rename output sets and folder sets (see outf.h).
 *
 * Names beside a target folder DIR (parent P, base name B):
 *   P/.B.patrolsim-tmp.PID   the new set while it is written
 *   P/.B.patrolsim-old.PID   the old set after the exchange, until removed
 * and beside a target file F in folder D: D/.F.tmpPID.  A temporary whose
 * PID is not a running process is stale and removed by the next set opened
 * beside it.  Stale folders lose only their regular files: a folder set
 * never contains subfolders, so one found there is the user's (carried over
 * when a crash hit between the exchange and the move back) and is kept,
 * with a message.
 *
 * Signals: the handler may run at any moment, so it only unlinks and rmdirs
 * paths registered in fixed slots (a slot is cleared before its string is
 * freed); the folder exchange and the carry-over run with SIGINT, SIGTERM
 * and SIGHUP blocked so the handler never sees a half-moved folder.
 *
 * Test hook: PATROLSIM_TEST_CRASH=before-swap|after-swap kills the process
 * (SIGKILL) at that point of a folder commit, for tests/test_robust.sh.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outf.h"

#define REG_MAX 256
static char *volatile reg[REG_MAX];       /* temporary files */
#define REG_DIRS 8
static char *volatile reg_dirs[REG_DIRS]; /* temporary folders, removed after their files */
static unsigned default_flags;

static void reg_add_in(char *volatile *r, int n, char *path)
{
    for (int i = 0; i < n; i++)
        if (__sync_bool_compare_and_swap(&r[i], NULL, path))
            return;
    /* Full: the path is left for the stale-temporary cleanup of a later run. */
}

static void reg_del_in(char *volatile *r, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (r[i] == path)
            r[i] = NULL;
}

static void reg_add(char *path) { reg_add_in(reg, REG_MAX, path); }
static void reg_del(const char *path) { reg_del_in(reg, REG_MAX, path); }

static void on_signal(int sig)
{
    static const char msg[] = "\npatrolsim: interrupted; no partial output kept\n";
    static const char xfsz[] = "\npatrolsim: file size limit reached (ulimit -f) while writing; "
                               "no partial output kept\n";
    for (int i = 0; i < REG_MAX; i++)
        if (reg[i])
            unlink(reg[i]);
    for (int i = 0; i < REG_DIRS; i++)
        if (reg_dirs[i])
            rmdir(reg_dirs[i]);
    ssize_t w = sig == SIGXFSZ ? write(STDERR_FILENO, xfsz, sizeof xfsz - 1)
                               : write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    if (sig == SIGXFSZ)
        _exit(EXIT_FAIL);   /* a failure, not a core dump */
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
    sigaction(SIGXFSZ, &sa, NULL);
}

void outf_set_default_flags(unsigned flags)
{
    default_flags = flags;
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

/* ---- stale temporaries ------------------------------------------------------ */

static int pid_alive(long pid)
{
    if (pid <= 0 || pid > INT32_MAX)
        return 0;
    if (pid == (long)getpid())
        return 1;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The PID at the end of name after prefix, or -1 when name does not match. */
static long tail_pid(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) || !name[n])
        return -1;
    char *end;
    long pid = strtol(name + n, &end, 10);
    return *end || pid <= 0 ? -1 : pid;
}

/* A temporary file of ours: ".NAME.tmpPID". */
static int is_our_temp(const char *name)
{
    const char *t = name[0] == '.' ? strstr(name, ".tmp") : NULL, *last = NULL;
    for (; t; t = strstr(t + 1, ".tmp"))
        last = t;
    if (!last || !last[4])
        return 0;
    for (const char *p = last + 4; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* Removes the regular files of folder path and the folder; keeps (and
 * names) anything else.  0 when the folder is gone. */
static int remove_stale_folder(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *de;
    int kept = 0;
    size_t n = strlen(path) + 2;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *p = xmalloc(n + strlen(de->d_name));
        sprintf(p, "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode))
            unlink(p);
        else
            kept = 1;
        free(p);
    }
    closedir(d);
    if (kept) {
        fprintf(stderr, "patrolsim: %s: left by a run that crashed; it holds a folder that is "
                        "not output (kept; move it back by hand)\n", path);
        return -1;
    }
    return rmdir(path);
}

/* In folder dir: removes temporaries named prefix + PID of processes that
 * are gone (folders when folders != 0, files otherwise). */
static void remove_stale(const char *dir, const char *prefix, int folders)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    size_t n = strlen(dir) + 2;
    while ((de = readdir(d)) != NULL) {
        long pid = tail_pid(de->d_name, prefix);
        if (pid < 0 || pid_alive(pid))
            continue;
        char *p = xmalloc(n + strlen(de->d_name));
        sprintf(p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (folders && S_ISDIR(st.st_mode))
                remove_stale_folder(p);
            else if (!folders && S_ISREG(st.st_mode))
                unlink(p);
        }
        free(p);
    }
    closedir(d);
}

/* ---- files ------------------------------------------------------------------ */

FILE *outf_open(struct outf *o, const char *dir, const char *name, struct perr *e)
{
    PS_ASSERT(o->n < OUTF_MAX);
    const char *wdir = o->dir && !strcmp(dir, o->dir) ? o->tmpdir : dir;
    size_t n = strlen(dir) + strlen(wdir) + strlen(name) + 32;
    char *final = xmalloc(n), *tmp = xmalloc(n);
    snprintf(final, n, "%s/%s", dir, name);
    if (o->dir && wdir == o->tmpdir) {
        /* Inside the set's own temporary folder the file has its final name. */
        snprintf(tmp, n, "%s/%s", wdir, name);
    } else {
        char prefix[300];
        snprintf(prefix, sizeof prefix, ".%s.tmp", name);
        remove_stale(dir, prefix, 0);
        snprintf(tmp, n, "%s/.%s.tmp%ld", dir, name, (long)getpid());
    }
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
    for (int i = 0; i < o->n_carried; i++) {
        if (remove_tmp)
            unlink(o->carried[i]);
        reg_del(o->carried[i]);
        free(o->carried[i]);
    }
    free(o->carried);
    if (o->tmpdir) {
        if (remove_tmp)
            remove_stale_folder(o->tmpdir);
        reg_del_in(reg_dirs, REG_DIRS, o->tmpdir);
    }
    free(o->tmpdir);
    free(o->dir);
    outf_init(o);
}

void outf_abort(struct outf *o)
{
    release(o, 1);
}

/* Flushes fp to disk and closes it; 0, or -1 with errno set. */
static int close_synced(FILE *fp)
{
    int bad = fflush(fp) != 0 || ferror(fp);
    int err = errno;
    if (!bad && fsync(fileno(fp)) != 0 && errno != EINVAL && errno != EROFS) {
        bad = 1;
        err = errno;
    }
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    errno = err;
    return bad ? -1 : 0;
}

static void crash_hook(const char *point)
{
    const char *h = getenv("PATROLSIM_TEST_CRASH");
    if (h && !strcmp(h, point))
        raise(SIGKILL);
}

static int commit_folder(struct outf *o, struct perr *e);

int outf_commit(struct outf *o, struct perr *e)
{
    for (int i = 0; i < o->n; i++) {
        FILE *fp = o->fp[i];
        o->fp[i] = NULL;
        if (close_synced(fp) != 0) {
            err_sys(e, "%s: write failed", o->final[i]);
            release(o, 1);
            return -1;
        }
    }
    if (o->dir)
        return commit_folder(o, e);
    for (int i = 0; i < o->n; i++)
        if (rename(o->tmp[i], o->final[i]) != 0) {
            err_sys(e, "%s: cannot rename into place", o->final[i]);
            release(o, 1);
            return -1;
        }
    release(o, 0);
    return 0;
}

/* ---- folder sets -------------------------------------------------------------- */

/* The parent folder and base name of dir (trailing slashes ignored). */
static void split_dir(const char *dir, char **parent, char **base)
{
    char *p = xstrdup(dir);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    char *slash = strrchr(p, '/');
    if (!slash) {
        *base = xstrdup(p);
        strcpy(p, ".");
    } else {
        *base = xstrdup(slash + 1);
        if (slash == p)
            p[1] = '\0';
        else
            *slash = '\0';
    }
    *parent = p;
}

#define MANIFEST_HEAD "patrolsim output set"

static char *read_small(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char *buf = xmalloc(65536);
    size_t k = fread(buf, 1, 65535, fp);
    buf[k] = '\0';
    fclose(fp);
    return buf;
}

/* 1 if folder dir has a manifest, 0 if not; *empty says whether it holds
 * nothing but stale temporaries of ours. */
static int has_manifest(const char *dir, int *empty)
{
    *empty = 1;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!strcmp(de->d_name, OUTF_MANIFEST)) {
            /* Ours only if it says so: a user's manifest.txt is not. */
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, OUTF_MANIFEST);
            char *m = read_small(path);
            found = m && !strncmp(m, MANIFEST_HEAD, strlen(MANIFEST_HEAD));
            free(m);
            if (!found)
                *empty = 0;
        }
        else if (!is_our_temp(de->d_name))
            *empty = 0;
    }
    closedir(d);
    return found;
}

int outf_check_dir(const char *dir, unsigned flags, struct perr *e)
{
    flags |= default_flags;
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;               /* created at commit; cli_check_out vets the parents */
    if (!S_ISDIR(st.st_mode))
        return err_set(e, "%s: exists and is not a folder", dir);
    int empty;
    if (!has_manifest(dir, &empty) && !empty && !(flags & OUTF_FORCE))
        return err_set(e, "%s: the folder exists and was not written by patrolsim (no %s); "
                          "choose another --out or add --force to replace its result files",
                       dir, OUTF_MANIFEST);
    return 0;
}

int outf_set_dir(struct outf *o, const char *dir, unsigned flags, struct perr *e)
{
    PS_ASSERT(o->n == 0 && !o->dir);
    if (outf_check_dir(dir, flags, e) < 0)
        return -1;
    char *parent, *base;
    split_dir(dir, &parent, &base);
    int rc = -1;
    if (outf_mkdir(parent, e) < 0)
        goto out;
    char prefix[512];
    snprintf(prefix, sizeof prefix, ".%s.patrolsim-tmp.", base);
    remove_stale(parent, prefix, 1);
    snprintf(prefix, sizeof prefix, ".%s.patrolsim-old.", base);
    remove_stale(parent, prefix, 1);
    size_t n = strlen(parent) + strlen(base) + 64;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s/.%s.patrolsim-tmp.%ld", parent, base, (long)getpid());
    if (mkdir(tmp, 0777) != 0) {
        err_sys(e, "%s: cannot create a temporary folder beside it (%s)", dir, tmp);
        free(tmp);
        goto out;
    }
    o->dir = xstrdup(dir);
    o->tmpdir = tmp;
    o->flags = flags;
    reg_add_in(reg_dirs, REG_DIRS, tmp);
    rc = 0;
out:
    free(parent);
    free(base);
    return rc;
}

/* The name of file i of folder set o inside its folder, or NULL when the
 * file lies elsewhere (renamed on its own). */
static const char *set_name(const struct outf *o, int i)
{
    size_t n = strlen(o->tmpdir);
    return !strncmp(o->tmp[i], o->tmpdir, n) && o->tmp[i][n] == '/' ? o->tmp[i] + n + 1 : NULL;
}

static int in_set(const struct outf *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (set_name(o, i) && !strcmp(set_name(o, i), name))
            return 1;
    return 0;
}

/* Whether name is listed in the manifest text m (one name a line after
 * the first). */
static int in_manifest(const char *m, const char *name)
{
    if (!m)
        return 0;
    size_t n = strlen(name);
    for (const char *p = strchr(m, '\n'); p; p = strchr(p + 1, '\n'))
        if (!strncmp(p + 1, name, n) && (p[1 + n] == '\n' || p[1 + n] == '\0'))
            return 1;
    return 0;
}


/* Hard-links every regular file of the old folder that belongs to neither
 * set into the new one; the old folder stays whole.  Subfolders are
 * listed in *subs for moving after the exchange. */
static int carry_over(struct outf *o, char ***subs, int *n_subs, struct perr *e)
{
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/%s", o->dir, OUTF_MANIFEST);
    char *old_m = read_small(mpath);
    if (old_m && strncmp(old_m, MANIFEST_HEAD, strlen(MANIFEST_HEAD))) {
        free(old_m);        /* the user's file of that name: replaced, not trusted */
        old_m = NULL;
    }
    DIR *d = opendir(o->dir);
    if (!d) {
        free(old_m);
        return errno == ENOENT ? 0 : err_sys(e, "%s: cannot read the folder", o->dir);
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strcmp(nm, OUTF_MANIFEST) ||
            in_set(o, nm) || in_manifest(old_m, nm) || is_our_temp(nm))
            continue;
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s", o->dir, nm);
        snprintf(dst, sizeof dst, "%s/%s", o->tmpdir, nm);
        struct stat st;
        if (lstat(src, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            *subs = xrealloc(*subs, (size_t)(*n_subs + 1) * sizeof **subs);
            (*subs)[(*n_subs)++] = xstrdup(nm);
        } else if (link(src, dst) == 0) {
            o->carried = xrealloc(o->carried, (size_t)(o->n_carried + 1) * sizeof *o->carried);
            o->carried[o->n_carried] = xstrdup(dst);
            reg_add(o->carried[o->n_carried++]);
        } else {
            rc = err_sys(e, "%s: cannot keep it in the new results (link)", src);
        }
    }
    closedir(d);
    free(old_m);
    return rc;
}

static int write_manifest(struct outf *o, struct perr *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->tmpdir, OUTF_MANIFEST);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return err_sys(e, "%s: cannot write", path);
    fputs(MANIFEST_HEAD ": these files were written together\n", fp);
    for (int i = 0; i < o->n; i++)
        if (set_name(o, i))
            fprintf(fp, "%s\n", set_name(o, i));
    if (close_synced(fp) != 0) {
        unlink(path);
        return err_sys(e, "%s/%s: write failed", o->dir, OUTF_MANIFEST);
    }
    return 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Puts the temporary folder in place of o->dir: one exchange when the
 * folder exists (renameat2 RENAME_EXCHANGE), else one rename.  Where the
 * file system has no exchange (EINVAL), two renames with a short window in
 * which the folder is absent, never mixed. */
static int commit_folder(struct outf *o, struct perr *e)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    char **subs = NULL;
    int n_subs = 0, rc = -1;
    char *parent, *base;
    split_dir(o->dir, &parent, &base);
    size_t n = strlen(parent) + strlen(base) + 64;
    char *olddir = xmalloc(n);
    snprintf(olddir, n, "%s/.%s.patrolsim-old.%ld", parent, base, (long)getpid());

    struct stat st;
    int exists = stat(o->dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
        err_set(e, "%s: exists and is not a folder", o->dir);
        goto fail;
    }
    if (exists && outf_check_dir(o->dir, o->flags, e) < 0)
        goto fail;
    if (carry_over(o, &subs, &n_subs, e) < 0 || write_manifest(o, e) < 0)
        goto fail;
    sync_dir(o->tmpdir);
    crash_hook("before-swap");
    if (!exists) {
        if (rename(o->tmpdir, o->dir) != 0) {
            err_sys(e, "%s: cannot move the results into place", o->dir);
            goto fail;
        }
    } else if (renameat2(AT_FDCWD, o->tmpdir, AT_FDCWD, o->dir, RENAME_EXCHANGE) == 0) {
        /* o->tmpdir now names the old set. */
        crash_hook("after-swap");
        if (rename(o->tmpdir, olddir) != 0) {
            err_sys(e, "%s: cannot move the old results aside", o->dir);
            goto fail_swapped;
        }
    } else if (errno == EINVAL || errno == ENOSYS) {
        if (rename(o->dir, olddir) != 0) {
            err_sys(e, "%s: cannot move the old results aside", o->dir);
            goto fail;
        }
        if (rename(o->tmpdir, o->dir) != 0) {
            err_sys(e, "%s: cannot move the results into place", o->dir);
            rename(olddir, o->dir);
            goto fail;
        }
    } else {
        err_sys(e, "%s: cannot exchange the old and new results", o->dir);
        goto fail;
    }
    /* From here o->dir holds the new set. */
    for (int i = 0; i < n_subs; i++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s", olddir, subs[i]);
        snprintf(dst, sizeof dst, "%s/%s", o->dir, subs[i]);
        if (rename(src, dst) != 0)
            fprintf(stderr, "patrolsim: %s: could not move it back into %s (%s); it is in %s\n",
                    subs[i], o->dir, strerror(errno), olddir);
    }
    if (exists)
        remove_stale_folder(olddir);
    sync_dir(parent);
    for (int i = 0; i < o->n; i++)
        if (!set_name(o, i) && rename(o->tmp[i], o->final[i]) != 0) {
            err_sys(e, "%s: cannot rename into place", o->final[i]);
            goto fail;
        }
    /* The temporary paths now name nothing of ours. */
    release(o, 0);
    rc = 0;
    goto out;
fail_swapped:
    /* Undo the exchange so the old set stays in place. */
    renameat2(AT_FDCWD, o->tmpdir, AT_FDCWD, o->dir, RENAME_EXCHANGE);
fail:
    release(o, 1);
out:
    for (int i = 0; i < n_subs; i++)
        free(subs[i]);
    free(subs);
    free(olddir);
    free(parent);
    free(base);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
