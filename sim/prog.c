/* prog.c - progress on stderr: a bar on terminals, lines for logs.
 *
 * Redraws at most every 0.2 s (bar) or 10 s (plain lines), and only once the
 * command has run for a second, so short commands print nothing.  The clock
 * is CLOCK_MONOTONIC; the rate is the average since the start.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "err.h"
#include "prog.h"

struct prog {
    enum prog_mode mode;
    char label[48];
    long total, done;
    double t0, last;
    int drawn;
    pthread_mutex_t lock;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int prog_mode_parse(const char *s, enum prog_mode *out)
{
    static const char *names[] = { "auto", "plain", "none" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum prog_mode)i;
            return 0;
        }
    return -1;
}

struct prog *prog_new(enum prog_mode mode, const char *label, long total)
{
    struct prog *p = xcalloc(1, sizeof *p);
    if (mode == PROG_AUTO && !isatty(STDERR_FILENO))
        mode = PROG_NONE;
    p->mode = mode;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->t0 = p->last = now_s();
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void fmt_dur(char *buf, size_t n, double s)
{
    if (s < 0 || s != s)
        snprintf(buf, n, "?");
    else if (s < 60)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

static void draw(struct prog *p, double t)
{
    double el = t - p->t0, rate = el > 0 ? (double)p->done / el : 0;
    char eta[32], elapsed[32];
    fmt_dur(eta, sizeof eta, rate > 0 ? (double)(p->total - p->done) / rate : -1);
    fmt_dur(elapsed, sizeof elapsed, el);
    double frac = p->total > 0 ? (double)p->done / (double)p->total : 0;
    if (p->mode == PROG_AUTO) {
        char bar[31];
        int k = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < k ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %ld/%ld  %.3g/s  ETA %s ", p->label, bar, p->done,
                p->total, rate, eta);
    } else {
        fprintf(stderr, "%s: %ld/%ld done (%.0f%%), %.3g/s, elapsed %s, ETA %s\n", p->label,
                p->done, p->total, 100 * frac, rate, elapsed, eta);
    }
    fflush(stderr);
    p->drawn = 1;
    p->last = t;
}

void prog_add(struct prog *p, long n)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->done += n;
    if (p->mode != PROG_NONE) {
        double t = now_s();
        double every = p->mode == PROG_AUTO ? 0.2 : 10.0;
        if (t - p->t0 >= 1.0 && (t - p->last >= every || !p->drawn || p->done == p->total))
            draw(p, t);
    }
    pthread_mutex_unlock(&p->lock);
}

void prog_free(struct prog *p)
{
    if (!p)
        return;
    if (p->drawn && p->mode == PROG_AUTO)
        fprintf(stderr, "\r%*s\r", 78, "");
    pthread_mutex_destroy(&p->lock);
    free(p);
}
