package dev.ferry.model.sim;

import dev.ferry.model.engine.Hypervisor;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * A simulated hypervisor: the guest's memory as one version number per page on the source and on the
 * destination, a real dirty bitmap, and a {@link GuestWorkload} that writes pages while the guest runs.
 * A simulation, in virtual time: nothing here touches a real VM. After a successful switch-over every
 * destination page must carry the source page's version ({@link #destinationMatchesSource()}).
 */
public final class SimulatedGuest implements Hypervisor {
    private final int[] source;
    private final int[] destination;
    private final BitSet zero;
    private final BitSet dirty;
    private final GuestWorkload workload;
    private final SplittableRandom random;
    private GuestLocation location = GuestLocation.RUNNING_ON_SOURCE;

    /**
     * @param pages       guest memory in pages
     * @param zeroShare   share of pages that start as zero pages (never written yet)
     * @param workload    how the guest writes memory
     * @param seed        makes the run repeatable
     */
    public SimulatedGuest(int pages, double zeroShare, GuestWorkload workload, long seed) {
        this.source = new int[pages];
        this.destination = new int[pages];
        this.zero = new BitSet(pages);
        this.dirty = new BitSet(pages);
        this.workload = workload;
        this.random = new SplittableRandom(seed);
        for (int p = 0; p < pages; p++) {
            source[p] = 1;
            destination[p] = -1; // nothing copied yet
            if (random.nextDouble() < zeroShare) {
                zero.set(p);
            }
        }
    }

    @Override
    public int pages() {
        return source.length;
    }

    @Override
    public boolean isZeroPage(int page) {
        return zero.get(page);
    }

    @Override
    public void runGuest(double seconds, int throttlePercent) {
        if (location != GuestLocation.RUNNING_ON_SOURCE) {
            throw new IllegalStateException("the guest runs only on the source during pre-copy, it is " + location);
        }
        workload.write(seconds * (100 - throttlePercent) / 100.0, source.length, random, this::write);
    }

    private void write(int page) {
        source[page]++;
        zero.clear(page);
        dirty.set(page);
    }

    @Override
    public long dirtyCount() {
        return dirty.cardinality();
    }

    @Override
    public boolean isDirty(int page) {
        return dirty.get(page);
    }

    /**
     * Like QEMU's calc-dirty-rate in bitmap mode: lets the guest run for {@code seconds} before any migration and
     * counts the distinct pages it wrote, per second. Time passes for the guest; nothing is copied.
     */
    public double sampleDirtyRate(double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("the sampling period must be > 0 s");
        }
        BitSet before = (BitSet) dirty.clone();
        dirty.clear();
        runGuest(seconds, 0);
        double rate = dirty.cardinality() / seconds;
        dirty.or(before);
        return rate;
    }

    @Override
    public BitSet syncDirtyBitmap() {
        BitSet snapshot = (BitSet) dirty.clone();
        dirty.clear();
        return snapshot;
    }

    @Override
    public void copyToDestination(int page) {
        destination[page] = source[page];
    }

    @Override
    public void pauseOnSource() {
        location = GuestLocation.PAUSED;
    }

    @Override
    public void resumeOnDestination() {
        location = GuestLocation.RUNNING_ON_DESTINATION;
    }

    @Override
    public void resumeOnSource() {
        location = GuestLocation.RUNNING_ON_SOURCE;
    }

    @Override
    public GuestLocation location() {
        return location;
    }

    /** No page lost: every destination page holds what the source page holds. */
    public boolean destinationMatchesSource() {
        return java.util.Arrays.equals(source, destination);
    }
}
