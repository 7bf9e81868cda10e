/*
 * Ferry's test guest: the whole userland of a tiny Linux VM, run as /init from an initramfs.
 *
 * It dirties memory at a rate given on the kernel command line, keeps a shadow table of what every page of its
 * region must hold, checks the region against it every second, and prints a heartbeat on the serial console:
 *
 *   ferry-heartbeat <n> dirtied=<pages> bad=<pages> checks=<k>
 *
 * Command line (all optional): ferry.dirty_mib_s=<MiB written per second, 0 = idle> ferry.region_mib=<region size>
 * ferry.beat_ms=<heartbeat period> ferry.pattern=<which pages are written, below>. After a live migration the
 * destination continues the heartbeat where the source stopped, and bad= stays 0 unless a page was lost or went stale.
 *
 * Patterns (the rate is pages written, not distinct pages dirtied: how many distinct pages a window dirties is the
 * pattern's business, which is the point: none of them is the saturating curve Ferry's policy fits):
 *   seq      rewrite the region page after page (the default)
 *   uniform  uniformly random pages of the region
 *   zipf     a skewed hot set: page ranks drawn from Zipf(ferry.zipf_s/100, default 0.99), ranks scattered over the region
 *   bursts   seq, on for ferry.burst_ms (default 1000) then idle as long, again and again; the rate is the one while on
 *   phase    quiet then busy, each for ferry.phase_s (default 1), again and again: quiet writes uniformly random pages of
 *            an eighth of the region at a tenth of the rate, busy writes uniformly random pages of the whole region at
 *            the rate; a migration longer than a phase sees the guest change under it
 *   grow     uniformly random in a working set that grows from an eighth of the region to all of it over
 *            ferry.grow_s (default 30), then starts small again
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"

#define PAGE 4096
#define WORDS (PAGE / 8)

static long param(const char *cmdline, const char *key, long fallback) {
    const char *p = strstr(cmdline, key);
    return p ? strtol(p + strlen(key), NULL, 10) : fallback;
}

/* The pattern's name: the word after ferry.pattern=, or "seq". */
static void word(const char *cmdline, const char *key, char *out, size_t size) {
    const char *p = strstr(cmdline, key);
    snprintf(out, size, "%s", "seq");
    if (p) {
        p += strlen(key);
        size_t n = strcspn(p, " \n");
        if (n >= size) {
            snprintf(out, size, "%s", "(too long)"); /* refused below, never read as seq */
        } else if (n > 0) {
            memcpy(out, p, n);
            out[n] = 0;
        }
    }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A page holds its index and version in three places: first, middle and last word. */
static void stamp(uint64_t *page, uint64_t index, uint64_t version) {
    uint64_t v = (index << 32) ^ version;
    page[0] = v;
    page[WORDS / 2] = v;
    page[WORDS - 1] = v;
}

static int intact(const uint64_t *page, uint64_t index, uint64_t version) {
    uint64_t v = (index << 32) ^ version;
    return page[0] == v && page[WORDS / 2] == v && page[WORDS - 1] == v;
}

int main(void) {
    mkdir("/proc", 0555);
    mkdir("/dev", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int tty = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
    if (tty >= 0) {
        dup2(tty, 1);
        dup2(tty, 2);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    char cmdline[4096] = {0};
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
        (void) n;
        close(fd);
    }
    long rate_mib = param(cmdline, "ferry.dirty_mib_s=", 50);
    long region_mib = param(cmdline, "ferry.region_mib=", 64);
    long beat_ms = param(cmdline, "ferry.beat_ms=", 200);
    size_t pages = (size_t) region_mib * 1024 * 1024 / PAGE;
    char name[32];
    word(cmdline, "ferry.pattern=", name, sizeof name);
    struct writer w = {SEQ, pages, 0, NULL, 0, 0, 0};
    int known = pattern_named(name) >= 0;
    if (known) {
        w.pattern = (enum pattern) pattern_named(name);
    }
    w.burst_s = param(cmdline, "ferry.burst_ms=", 1000) / 1000.0;
    w.phase_s = (double) param(cmdline, "ferry.phase_s=", 1);
    w.grow_s = (double) param(cmdline, "ferry.grow_s=", 30);
    if (!known || pages == 0 || w.burst_s <= 0 || w.phase_s <= 0 || w.grow_s <= 0) {
        printf("ferry-guest: bad command line (pattern %s, region %ld MiB): writing nothing\n", name, region_mib);
        for (;;) pause();
    }
    if (w.pattern == ZIPF) {
        zipf_init(&w, param(cmdline, "ferry.zipf_s=", 99) / 100.0);
    }

    uint64_t *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    uint32_t *shadow = calloc(pages, sizeof *shadow); /* the version every page must hold */
    if (region == MAP_FAILED || shadow == NULL || (w.pattern == ZIPF && w.zipf_cdf == NULL)) {
        printf("ferry-guest: cannot allocate %ld MiB\n", region_mib);
        for (;;) pause();
    }
    for (size_t i = 0; i < pages; i++) {
        stamp(region + i * WORDS, i, 0);
    }
    printf("ferry-guest: ready, region %ld MiB, writing %ld MiB/s, pattern %s\n", region_mib, rate_mib, name);

    double pages_per_second = rate_mib * 1024.0 * 1024.0 / PAGE;
    double start = now(), last_beat = start, last_check = start, last = start;
    double owed = 0; /* pages the rate asks for and not yet written */
    uint64_t written = 0, beat = 0, bad = 0, checks = 0;
    for (;;) {
        double t = now();
        owed += (t - last) * pages_per_second * pace(&w, t - start);
        last = t;
        double most = pages_per_second * 0.003 > 1 ? pages_per_second * 0.003 : 1;
        if (owed > most) {
            /* Like a CPU-bound program, a throttled or descheduled vCPU loses the writes it had no time for; it does
             * not catch up afterwards (which would defeat a throttle that runs the vCPU 10 ms in every 20 ms). */
            owed = most;
        }
        while (owed >= 1) {
            size_t next = next_page(&w, t - start);
            uint32_t v = ++shadow[next];
            stamp(region + next * WORDS, next, v);
            owed -= 1;
            written++;
            if ((written & 1023) == 0 && now() - t > 0.01) {
                break; /* keep the heartbeat on time even when the CPU cannot keep up */
            }
        }
        if (t - last_check >= 1.0) {
            for (size_t i = 0; i < pages; i++) {
                if (!intact(region + i * WORDS, i, shadow[i])) {
                    bad++;
                    stamp(region + i * WORDS, i, shadow[i]); /* count each loss once */
                }
            }
            checks++;
            last_check = t;
        }
        if (t - last_beat >= beat_ms / 1000.0) {
            printf("ferry-heartbeat %llu dirtied=%llu bad=%llu checks=%llu\n", (unsigned long long) ++beat,
                   (unsigned long long) written, (unsigned long long) bad, (unsigned long long) checks);
            last_beat = t;
        }
        usleep(1000);
    }
}
