package dev.ferry.model.sim;

import dev.ferry.model.engine.Hypervisor;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * A simulated hypervisor: for each page of the guest's memory, whether the destination's copy is stale (never copied,
 * or written on the source since its last copy), a real dirty bitmap, and a {@link GuestWorkload} that writes pages
 * while the guest runs. A simulation, in virtual time: nothing here touches a real VM. After a successful switch-over
 * no destination page may be stale ({@link #destinationMatchesSource()}).
 *
 * <p>Bits, not a version number per page on each side: a worker runs hundreds of simulated migrations at once, and
 * two int arrays cost 8 MiB per 4 GiB guest (a worker's heap ran out at about a hundred), the bit 128 KiB. Versions only
 * grow, so "the destination holds the source's version" is exactly "copied since the last write".
 */
public final class SimulatedGuest implements Hypervisor {
    private final int pages;
    /** Pages whose destination copy differs from the source: all at first, set by a write, cleared by a copy. */
    private final BitSet stale;
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
        this.pages = pages;
        this.stale = new BitSet(pages);
        this.stale.set(0, pages); // nothing copied yet
        this.zero = new BitSet(pages);
        this.dirty = new BitSet(pages);
        this.workload = workload;
        this.random = new SplittableRandom(seed);
        for (int p = 0; p < pages; p++) {
            if (random.nextDouble() < zeroShare) {
                zero.set(p);
            }
        }
    }

    @Override
    public int pages() {
        return pages;
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
        workload.write(seconds * (100 - throttlePercent) / 100.0, pages, random, this::write);
    }

    private void write(int page) {
        stale.set(page);
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
        stale.clear(page);
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
        return stale.isEmpty();
    }
}
