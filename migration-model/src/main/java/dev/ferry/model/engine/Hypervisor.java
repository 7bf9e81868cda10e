package dev.ferry.model.engine;

import java.util.BitSet;

/**
 * What the pre-copy engine needs from a hypervisor: run the guest, read and reset its dirty bitmap, copy
 * pages, and switch over. The simulator implements it in virtual time; a QEMU driver would map it onto QMP.
 */
public interface Hypervisor {

    /** Guest memory in pages. */
    int pages();

    /** True when the page holds only zeros: it can be announced instead of sent. */
    boolean isZeroPage(int page);

    /** Lets the guest run on the source for {@code seconds}, its vCPUs throttled by {@code throttlePercent}. */
    void runGuest(double seconds, int throttlePercent);

    /**
     * The throttle the guest runs under now, the engine having last asked for {@code asked}: the same, on a hypervisor
     * that applies a throttle at once (the simulator's); what a driver would report, on one that applies it later.
     */
    default int throttleInForce(int asked) {
        return asked;
    }

    /** True when the page was written since the last bitmap sync (a peek: the bitmap stays as it is). */
    boolean isDirty(int page);

    /** How many pages were written since the last bitmap sync (a peek, like QEMU's dirty-pages-rate). */
    long dirtyCount();

    /** The pages written since the last call (the dirty bitmap sync), and clears the bitmap. */
    BitSet syncDirtyBitmap();

    /** Copies one page, as it is now, to the destination. */
    void copyToDestination(int page);

    /** Pauses the guest on the source for the stop-and-copy. */
    void pauseOnSource();

    /** Switch-over: the guest runs on the destination from now on. */
    void resumeOnDestination();

    /** Abandon: the guest keeps (or goes back to) running on the source. */
    void resumeOnSource();

    /** Where the guest runs now. */
    GuestLocation location();

    /** Where a guest can be during a migration. */
    enum GuestLocation { RUNNING_ON_SOURCE, PAUSED, RUNNING_ON_DESTINATION }
}
