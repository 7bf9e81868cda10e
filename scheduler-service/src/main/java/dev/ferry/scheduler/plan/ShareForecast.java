package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;

/**
 * The engine's forecast of a migration at its share of a link, as the fluid timelines ({@link EvacuationTimeline},
 * {@link MoveTimeline}) need it at every start and end. The share is rounded to a grid of 1/{@value #GRID} of the link:
 * the forecaster caches by the share (a cap in the limits), and shares computed again at every event are rarely equal to the last bit, so
 * without the grid every step would run the engine afresh. Half a step of 1/200 changes a forecast far less than the
 * dirty model's own uncertainty.
 */
final class ShareForecast {
    static final int GRID = 200;

    private ShareForecast() {
    }

    /**
     * The forecast at {@code share}, on the grid of {@code link} (at least one step, never above the link): the rounds
     * at the share, the paused final copy at the link's own speed, as a hypervisor runs them.
     */
    static Forecast at(long memoryBytes, DirtyModel dirty, double share, double link, MigrationLimits limits, String policy) {
        double step = link / GRID;
        double onGrid = Math.max(step, Math.min(link, Math.round(share / step) * step));
        return Forecaster.forecast(memoryBytes, link, onGrid >= link ? limits : limits.heldTo(onGrid), dirty, policy);
    }

    /** The forecast's total time in seconds, never 0: a timeline divides by it. */
    static double seconds(long memoryBytes, DirtyModel dirty, double share, double link, MigrationLimits limits, String policy) {
        return Math.max(0.001, at(memoryBytes, dirty, share, link, limits, policy).totalTimeMillis() / 1000.0);
    }
}
