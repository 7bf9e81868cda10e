/*
 * Prints the test guest's write pattern on the host, so that the simulator's copy of it can be checked draw for draw.
 *
 *   pattern-dump <pattern> <pages> <zipf_s x 100> <burst_ms> <phase_s> <grow_s>
 *
 * then reads lines "<t> <n>" on stdin (seconds since the guest started, writes) and answers each with one line:
 * the pattern's pace at t, then the n pages it writes next at t, as init.c would.
 */
#include <stdio.h>

#include "pattern.h"

int main(int argc, char **argv) {
    if (argc != 7 || pattern_named(argv[1]) < 0) {
        fprintf(stderr, "usage: pattern-dump <seq|uniform|zipf|bursts|phase|grow> <pages> <zipf_s x 100> <burst_ms> <phase_s> <grow_s>\n");
        return 2;
    }
    struct writer w = {(enum pattern) pattern_named(argv[1]), (size_t) atol(argv[2]), 0, NULL, atol(argv[4]) / 1000.0,
                       (double) atol(argv[5]), (double) atol(argv[6])};
    if (w.pattern == ZIPF && !zipf_init(&w, atol(argv[3]) / 100.0)) {
        return 1;
    }
    double t;
    long n;
    while (scanf("%lf %ld", &t, &n) == 2) {
        printf("%.17g", pace(&w, t));
        for (long i = 0; i < n; i++) {
            printf(" %zu", next_page(&w, t));
        }
        printf("\n");
    }
    return 0;
}
