package dev.ferry.events;

import java.util.List;

/**
 * The guest's writing, measured by the worker just before round 1 because the start command asked for it: distinct
 * pages written in each of a few windows of different length (QEMU's calc-dirty-rate, or the simulator's sample). The
 * scheduler fits its dirty model to them and forecasts the migration again; the windows, not a fitted model, travel,
 * so that a better fit later reads the same records.
 *
 * @param windows   the windows, shortest first
 * @param method    how they were measured, in words ("calc-dirty-rate page-sampling", "simulated sample")
 * @param zeroShare the share of the guest's pages that held only zeros, from a sample of its memory taken after the
 *                  windows (a zero page crosses the link as a header, so the first pass is that much shorter); null
 *                  when the worker could not read the guest's memory, or wrote the record before the field existed
 */
public record DirtyMeasurement(List<Window> windows, String method, Double zeroShare) {

    /** Windows without a sample of the guest's memory. */
    public DirtyMeasurement(List<Window> windows, String method) {
        this(windows, method, null);
    }

    /**
     * One window.
     *
     * @param millis how long the guest was watched
     * @param pages  distinct pages it wrote meanwhile
     */
    public record Window(long millis, long pages) {
    }

    /** Checks what the scheduler's fit relies on. */
    boolean valid() {
        return windows != null && !windows.isEmpty() && windows.stream().allMatch(w -> w != null && w.millis() > 0 && w.pages() >= 0)
                && (zeroShare == null || (zeroShare >= 0 && zeroShare <= 1));
    }
}
