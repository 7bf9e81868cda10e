package dev.ferry.scheduler.plan;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.forecast.DirtyModel;

/**
 * The dirty model a worker's measurement before the start gives ({@link DirtyModel#measured}): what the scheduler
 * forecasts a started migration from, and what the real-guest suite judges that forecast by. Pure.
 */
public final class MeasuredWriting {
    private MeasuredWriting() {
    }

    /** What the forecast's zero pages say they came from, when the worker sampled them. */
    public static final String SAMPLED_ZERO_PAGES = "sampled from the guest's memory just before the start";

    /**
     * The model with the guest's zero pages: as the worker sampled them with the windows, or else those the VM's last
     * migration counted in its first pass (months ago, perhaps), or else none (a VM never moved: every page taken to
     * carry data).
     *
     * @param lastFirstPass the zero share of the VM's last migration's first pass, or null
     * @param lastFrom      how the basis names that migration
     */
    public static DirtyModel model(DirtyMeasurement measured, long memoryBytes, Double lastFirstPass, String lastFrom) {
        DirtyModel writing = model(measured, memoryBytes);
        if (measured.zeroShare() != null) {
            return writing.withZeroShare(measured.zeroShare(), SAMPLED_ZERO_PAGES);
        }
        return lastFirstPass != null ? writing.withZeroShare(lastFirstPass, lastFrom) : writing;
    }

    public static DirtyModel model(DirtyMeasurement measured, long memoryBytes) {
        return DirtyModel.measured(measured.windows().stream().map(w -> new RoundRecord.Sample(w.millis() / 1000.0, w.pages()))
                .toList(), Math.max(1, memoryBytes / PreCopyEngine.PAGE_SIZE), measured.method());
    }
}
