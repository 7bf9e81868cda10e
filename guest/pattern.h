/*
 * The test guest's write patterns (see init.c): which page is written next, and at what share of the rate. One home
 * for the generator: init.c runs it in the guest, pattern-dump.c prints its choices on the host, and the simulator's
 * GuestPattern (migration-model) is checked against that output draw for draw (GuestPatternTest).
 */
#ifndef FERRY_PATTERN_H
#define FERRY_PATTERN_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: the same sequence of draws on every boot (which write takes which draw depends on timing). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double unit(void) {
    return (rng() >> 11) * (1.0 / 9007199254740992.0);
}

enum pattern { SEQ, UNIFORM, ZIPF, BURSTS, PHASE, GROW };

struct writer {
    enum pattern pattern;
    size_t pages;
    size_t next;        /* seq and bursts: the next page */
    double *zipf_cdf;   /* zipf: P(rank <= i) */
    double burst_s, phase_s, grow_s;
};

/* The share of the rate the pattern writes at at time t (seconds since start): bursts rest half the time, and the
 * quiet phase writes a tenth. */
static double pace(const struct writer *w, double t) {
    if (w->pattern == BURSTS) {
        return (long) (t / w->burst_s) % 2 == 0 ? 1 : 0;
    }
    if (w->pattern == PHASE) {
        return (long) (t / w->phase_s) % 2 == 0 ? 0.1 : 1;
    }
    return 1;
}

static size_t below(size_t n) {
    return n <= 1 ? 0 : (size_t) (rng() % n);
}

/* The page the pattern writes next at time t. */
static size_t next_page(struct writer *w, double t) {
    switch (w->pattern) {
    case UNIFORM:
        return below(w->pages);
    case ZIPF: {
        double u = unit();
        size_t lo = 0, hi = w->pages - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (w->zipf_cdf[mid] < u) lo = mid + 1; else hi = mid;
        }
        /* 7919 is prime: ranks map to distinct pages spread over the region unless the page count is a multiple of it */
        return (lo * 7919) % w->pages;
    }
    case PHASE:
        return (long) (t / w->phase_s) % 2 == 0 ? below(w->pages / 8 > 0 ? w->pages / 8 : 1) : below(w->pages);
    case GROW: {
        double f = 0.125 + 0.875 * (t - w->grow_s * (long) (t / w->grow_s)) / w->grow_s;
        size_t set = (size_t) (w->pages * f);
        return below(set > 0 ? set : 1);
    }
    default: { /* SEQ, BURSTS */
        size_t p = w->next;
        w->next = (w->next + 1) % w->pages;
        return p;
    }
    }
}

/* The pattern named, or -1. */
static int pattern_named(const char *name) {
    static const char *names[] = {"seq", "uniform", "zipf", "bursts", "phase", "grow"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(name, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* zipf's table of P(rank <= i) for exponent s; 0 when it cannot be allocated. */
static int zipf_init(struct writer *w, double s) {
    double sum = 0;
    w->zipf_cdf = malloc(w->pages * sizeof *w->zipf_cdf);
    for (size_t i = 0; w->zipf_cdf && i < w->pages; i++) {
        sum += 1.0 / pow((double) (i + 1), s);
        w->zipf_cdf[i] = sum;
    }
    for (size_t i = 0; w->zipf_cdf && i < w->pages; i++) {
        w->zipf_cdf[i] /= sum;
    }
    return w->zipf_cdf != NULL;
}

#endif
