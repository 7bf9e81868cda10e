package dev.ferry.support.loops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the event loops are watched (EventLoopStalls). */
@ConfigMapping(prefix = "ferry.event-loop")
public interface EventLoopConfig {
    /** How often a probe goes onto each event loop: the finest stall the metric can see. */
    @WithDefault("PT0.02S")
    Duration probeInterval();

    /** A stall at least this long is logged (at debug level) with what the loop was running. */
    @WithDefault("PT0.1S")
    Duration stallThreshold();
}
