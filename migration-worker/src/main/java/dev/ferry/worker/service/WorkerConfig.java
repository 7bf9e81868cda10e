package dev.ferry.worker.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Worker settings. */
@ConfigMapping(prefix = "ferry.worker")
public interface WorkerConfig {

    /** This worker's name in events; defaults to the host name and process id. */
    @WithDefault("auto")
    String id();

    /** Migrations one worker runs at once; more commands wait in Kafka (back-pressure). */
    @WithDefault("4")
    int maxConcurrentMigrations();

    /**
     * Simulated time to wall-clock time: 1.0 runs a round as long as the link would take (the demo),
     * 0.0 runs in virtual time (tests and benchmarks).
     */
    @WithDefault("1.0")
    double simulationTimeScale();

    /** Upper bound on publishing one event; a dead broker must not hang a migration forever. */
    @WithDefault("PT10S")
    Duration publishTimeout();

    /** Tries per event before the migration is given up as failed (the VM stays on the source). */
    @WithDefault("3")
    int publishAttempts();
}
