/*
 * Ferry's test guest: the whole userland of a tiny Linux VM, run as /init from an initramfs.
 *
 * It dirties memory at a rate given on the kernel command line, keeps a shadow table of what every page of its
 * region must hold, checks the region against it every second, and prints a heartbeat on the serial console:
 *
 *   ferry-heartbeat <n> dirtied=<pages> bad=<pages> checks=<k>
 *
 * Command line (all optional): ferry.dirty_mib_s=<MiB written per second, 0 = idle> ferry.region_mib=<region size>
 * ferry.beat_ms=<heartbeat period>. After a live migration the destination continues the heartbeat where the
 * source stopped, and bad= stays 0 unless a page was lost or went stale.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define WORDS (PAGE / 8)

static long param(const char *cmdline, const char *key, long fallback) {
    const char *p = strstr(cmdline, key);
    return p ? strtol(p + strlen(key), NULL, 10) : fallback;
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

    uint64_t *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    uint32_t *shadow = calloc(pages, sizeof *shadow); /* the version every page must hold */
    if (region == MAP_FAILED || shadow == NULL) {
        printf("ferry-guest: cannot allocate %ld MiB\n", region_mib);
        for (;;) pause();
    }
    for (size_t i = 0; i < pages; i++) {
        stamp(region + i * WORDS, i, 0);
    }
    printf("ferry-guest: ready, region %ld MiB, dirtying %ld MiB/s\n", region_mib, rate_mib);

    double pages_per_second = rate_mib * 1024.0 * 1024.0 / PAGE;
    double start = now(), last_beat = start, last_check = start;
    double due = 0;
    uint64_t written = 0, beat = 0, bad = 0, checks = 0;
    size_t next = 0;
    for (;;) {
        double t = now();
        double target = (t - start) * pages_per_second;
        if (target - due > pages_per_second * 0.003) {
            /* Like a CPU-bound program, a throttled or descheduled vCPU loses the writes it had no time for; it does
             * not catch up afterwards (which would defeat a throttle that runs the vCPU 10 ms in every 20 ms). */
            due = target - pages_per_second * 0.003;
        }
        /* Sequential over the region, so that the set dirtied in a window is what the rate says. */
        while (due < target) {
            uint32_t v = ++shadow[next];
            stamp(region + next * WORDS, next, v);
            next = (next + 1) % pages;
            due += 1;
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
