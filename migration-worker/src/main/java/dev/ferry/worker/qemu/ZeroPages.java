package dev.ferry.worker.qemu;

import dev.ferry.model.engine.PreCopyEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The share of a guest's pages that hold only zeros, from a sample of its memory, for the forecast made just before a
 * start. A zero page crosses the link as an 8-byte header, so the share sets how long the first pass takes: with none
 * known (a VM never moved by Ferry) every page was taken to carry data, and the real-guest suite's first moves were
 * forecast 54 % off (median), against 10 % for moves whose zero pages came from the guest's last move.
 * <p>
 * Through the monitor QEMU is reached by, either way (QMP, or libvirt's passthrough): the guest's RAM as QEMU maps it
 * into the system address space ({@code info mtree -f}: every machine type and size lays it out differently, holes
 * included), then {@value #PAGES} pages drawn uniformly from it, each read whole ({@code xp}). The share's standard
 * error is at most 1.6 points ({@code sqrt(0.25 / 1024)}), whatever the guest's size. Reading them took 1.2 to 2.5 s
 * under TCG on this machine with two guests writing 200 MiB/s each (two runs of GuestPatternsTest), through QMP; about
 * 2.7 s through libvirt's passthrough on a local socket (two runs of LibvirtMigrationTest: the whole measurement 4.1 s,
 * the windows about 1.4 of it), over TLS not measured. The sampling is plain Java ({@link #share}), shared with the simulated driver.
 */
public final class ZeroPages {
    /** Pages read: enough for the share to within about 3 points (two standard errors). */
    public static final int PAGES = 1024;
    /** Fewer pages read than this, and the sample says nothing (6 points at two standard errors). */
    static final int FEWEST = 256;
    /**
     * How long the sample may delay round 1: twice the slowest through QMP here (2.5 s), and past libvirt's on a local
     * socket (2.7 s), so that only a slower link cuts a sample short. Past it the pages read so far make the
     * share, if there are enough; a hung monitor costs this and one call's own timeout, never the migration.
     */
    static final Duration BUDGET = Duration.ofSeconds(5);
    static final long PAGE = PreCopyEngine.PAGE_SIZE;
    /** One line of a flat view: a range, what backs it ("ram", "rom", "i/o", ...) and the region's name. */
    private static final Pattern RANGE = Pattern.compile("^\\s+([0-9a-f]+)-([0-9a-f]+) \\(prio -?\\d+, ([a-z/]+)\\): (\\S+)");
    /**
     * Devices' memory that QEMU maps as RAM but is not the guest's (video memory, shared memory): not what a first
     * pass of the guest's memory sends, and on a small guest a large share of what the flat view calls RAM.
     */
    private static final Pattern DEVICE_RAM = Pattern.compile("vga|vram|qxl|bochs|cirrus|ivshmem");

    /** A page of the sample: whether it holds only zeros; null when it cannot be read (then it does not count). */
    @FunctionalInterface
    public interface Page {
        Boolean zero(long page) throws InterruptedException;
    }

    private ZeroPages() {
    }

    /**
     * The guest's share of zero pages, read through {@code monitor}.
     *
     * @throws IOException when QEMU refuses the commands, maps no RAM, or too few sampled pages could be read in time
     */
    public static double sample(DirtySample.Monitor monitor) throws IOException, InterruptedException {
        List<long[]> ram = ram(hmp(monitor, "info mtree -f"));
        if (ram.isEmpty()) {
            throw new IOException("QEMU's system address space maps no RAM");
        }
        long pages = ram.stream().mapToLong(r -> (r[1] - r[0]) / PAGE).sum();
        long begun = System.nanoTime();
        Counted counted = count(pages, page -> {
            try {
                return zero(hmp(monitor, String.format("xp /%dxg 0x%x", PAGE / 8, address(ram, page))));
            } catch (IOException e) {
                return null; // a page QEMU would not show: not counted, as one outside its RAM is not
            }
        }, new SplittableRandom(), System::nanoTime);
        // how sure the share is: a sample the budget cut short is less so (a busy machine, a slow monitor)
        org.jboss.logging.Logger.getLogger(ZeroPages.class).infof("the guest's zero pages: %.3f of %d pages read (%d drawn) in %d ms",
                counted.share(), counted.read(), counted.drawn(), (System.nanoTime() - begun) / 1_000_000);
        return counted.share();
    }

    /** What a sample read: pages drawn, pages read of them, and how many of those held only zeros. */
    record Counted(int drawn, int read, int zero) {
        double share() {
            return (double) zero / read;
        }
    }

    /**
     * The share of zero pages among {@value #PAGES} drawn uniformly (with replacement) from {@code pages}, or among
     * those read before {@link #BUDGET} ran out.
     *
     * @param clock nanoseconds, for the budget
     * @throws IOException when fewer than {@value #FEWEST} of the drawn pages could be read in time
     */
    public static double share(long pages, Page page, SplittableRandom random, java.util.function.LongSupplier clock)
            throws IOException, InterruptedException {
        return count(pages, page, random, clock).share();
    }

    private static Counted count(long pages, Page page, SplittableRandom random, java.util.function.LongSupplier clock)
            throws IOException, InterruptedException {
        long until = clock.getAsLong() + BUDGET.toNanos();
        int read = 0;
        int zero = 0;
        int drawn = 0;
        while (drawn < PAGES && clock.getAsLong() - until < 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException("sampling the guest's zero pages");
            }
            drawn++;
            Boolean z = page.zero(random.nextLong(pages));
            if (z != null) {
                read++;
                zero += z ? 1 : 0;
            }
        }
        if (read < FEWEST) {
            throw new IOException(read + " of " + drawn + " sampled pages of the guest's memory could be read"
                    + (drawn < PAGES ? " within " + BUDGET.toMillis() + " ms" : "") + "; " + FEWEST + " are needed");
        }
        return new Counted(drawn, read, zero);
    }

    /**
     * The RAM ranges, [start, end) in guest-physical bytes, of the flat view of the address space "memory" (the
     * system's) in {@code info mtree -f}'s answer; ROM, devices and devices' own RAM left out.
     */
    static List<long[]> ram(String mtree) {
        List<long[]> ranges = new ArrayList<>();
        boolean system = false;
        for (String line : mtree.split("\r?\n")) {
            if (line.startsWith("FlatView")) {
                system = false;
            } else if (line.startsWith(" AS \"memory\"")) {
                system = true;
            } else if (system) {
                Matcher m = RANGE.matcher(line);
                if (m.find() && m.group(3).equals("ram") && !DEVICE_RAM.matcher(m.group(4)).find()) {
                    long start = Long.parseUnsignedLong(m.group(1), 16);
                    long end = Long.parseUnsignedLong(m.group(2), 16) + 1;
                    // whole pages only: a range that starts or ends within a page gives up that page
                    long first = (start + PAGE - 1) / PAGE * PAGE;
                    long last = end / PAGE * PAGE;
                    if (last > first) {
                        ranges.add(new long[] {first, last});
                    }
                }
            }
        }
        return ranges;
    }

    /** The guest-physical address of the {@code page}-th page of the ranges, counted across them. */
    static long address(List<long[]> ranges, long page) {
        long left = page;
        for (long[] r : ranges) {
            long n = (r[1] - r[0]) / PAGE;
            if (left < n) {
                return r[0] + left * PAGE;
            }
            left -= n;
        }
        throw new IllegalArgumentException("page " + page + " is beyond the guest's RAM");
    }

    /**
     * Whether {@code xp}'s dump of a page ("0000000000100000: 0x0000000000000000 0x...", two words a line) is all
     * zeros; null when QEMU could not access the address.
     */
    static Boolean zero(String dump) throws IOException {
        if (dump.contains("Cannot access memory")) {
            return null;
        }
        int words = 0;
        for (String line : dump.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            for (String word : line.substring(colon + 1).trim().split("\\s+")) {
                if (!word.startsWith("0x")) {
                    throw new IOException("not a dump of guest memory: " + line);
                }
                words++;
                if (Long.parseUnsignedLong(word.substring(2), 16) != 0) {
                    return false;
                }
            }
        }
        if (words == 0) {
            throw new IOException("not a dump of guest memory: " + dump);
        }
        return true;
    }

    private static String hmp(DirtySample.Monitor monitor, String command) throws IOException {
        return monitor.call("human-monitor-command", Map.of("command-line", command)).asText();
    }
}
