package dev.ferry.model.forecast;

/**
 * How a VM dirties memory, as far as it is known before it migrates: a writable working set of {@code hotPages}
 * written at {@code dirtyPagesPerSecond}. The distinct pages dirtied in a window of t seconds then follow
 * H (1 - e^(-r t / H)), the saturating curve of REFERENCE.md, which is what uniform writes over H pages produce.
 *
 * @param basis where the numbers came from (measured, learned from the VM's last migration, or assumed), in words
 */
public record DirtyModel(long hotPages, double dirtyPagesPerSecond, String basis) {
    /** With nothing known of a VM: a hot set of 5 % of memory written at 40 % of the link's page rate. */
    static final double TYPICAL_HOT_SHARE = 0.05;
    static final double TYPICAL_RATE_SHARE = 0.4;
    private static final String ASSUMED = "assumed typical";

    public DirtyModel {
        if (hotPages < 1 || dirtyPagesPerSecond < 0) {
            throw new IllegalArgumentException("a dirty model needs a working set of at least one page and a rate >= 0");
        }
    }

    /** The assumption when a VM has no history: stated as one wherever it is shown. */
    public static DirtyModel typical(long memoryBytes, double bandwidthBytesPerSecond) {
        long pages = memoryBytes / dev.ferry.model.engine.PreCopyEngine.PAGE_SIZE;
        return new DirtyModel(Math.max(1, Math.round(pages * TYPICAL_HOT_SHARE)),
                bandwidthBytesPerSecond / dev.ferry.model.engine.PreCopyEngine.PAGE_SIZE * TYPICAL_RATE_SHARE,
                ASSUMED + ": hot set 5 % of memory dirtied at 40 % of the link rate (no history for this VM)");
    }

    /** True for {@link #typical}: nothing was measured or learned of this VM, so nothing should be refused on it. */
    public boolean assumed() {
        return basis != null && basis.startsWith(ASSUMED);
    }
}
