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

    public static DirtyModel model(DirtyMeasurement measured, long memoryBytes) {
        return DirtyModel.measured(measured.windows().stream().map(w -> new RoundRecord.Sample(w.millis() / 1000.0, w.pages()))
                .toList(), Math.max(1, memoryBytes / PreCopyEngine.PAGE_SIZE), measured.method());
    }
}
