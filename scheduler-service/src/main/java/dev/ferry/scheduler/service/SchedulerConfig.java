package dev.ferry.scheduler.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Scheduler settings; every waiting phase has its timeout here. */
@ConfigMapping(prefix = "ferry.scheduler")
public interface SchedulerConfig {

    /** Where inventory-service answers. */
    @WithDefault("http://localhost:8081")
    String inventoryUrl();

    /** Upper bound on connecting to inventory-service. */
    @WithDefault("PT2S")
    Duration inventoryConnectTimeout();

    /** Upper bound on one inventory-service answer, so that a slow inventory never hangs a request. */
    @WithDefault("PT10S")
    Duration inventoryReadTimeout();

    /**
     * The convergence policy the forecasts run: the one the workers run (ferry.worker.policy), so that a forecast
     * runs the same code as the migration it predicts.
     */
    @WithDefault("ferry")
    String forecastPolicy();

    /**
     * Whether each start command asks its worker to measure how the guest writes just before round 1 (about 1.4 s on
     * a real hypervisor), so that the migration is forecast again from that measurement rather than only from its last
     * migration. Off: the forecast made at the request stands.
     */
    @WithDefault("true")
    boolean measureDirtyRate();

    /**
     * The vCPU throttle ceiling the forecasts assume when a request names none: the workers' own
     * (ferry.worker.throttle-ceiling-percent), QEMU's ceiling unless configured otherwise.
     */
    @WithDefault("99")
    int defaultThrottleCeilingPercent();

    /**
     * The longest downtime target admission control may suggest to a request predicted not to converge: the longest
     * pause the fleet's operators accept for a VM. A request may still ask for more.
     */
    @WithDefault("1000")
    long admissionLongestDowntimeMillis();

    /** Downtime target when a request names none: QEMU's default downtime-limit. */
    @WithDefault("300")
    long defaultMaxDowntimeMillis();

    /** How long inventory holds the destination before it frees it on its own; outlives any sane migration. */
    @WithDefault("PT1H")
    Duration reservationTtl();

    /**
     * SCHEDULED without any event from a worker for this long fails the migration: the command is
     * in Kafka, so only a missing or stuck worker pool explains the silence.
     */
    @WithDefault("PT2M")
    Duration scheduledTimeout();

    /** RUNNING without a new round for this long fails the migration: the worker died or hangs. */
    @WithDefault("PT5M")
    Duration progressTimeout();

    /**
     * A requested cancel that no worker confirms within this time is completed by the scheduler: the
     * worker that had the migration is gone, so the VM still runs on the source.
     */
    @WithDefault("PT30S")
    Duration cancelTimeout();

    /** Migrations running at once in the whole fleet: KubeVirt's default of 5 per cluster. */
    @WithDefault("5")
    int maxConcurrentMigrations();

    /**
     * A migration QUEUED for this long without a free slot fails, so that no request waits in vain. A move of an
     * evacuation counts from when a move of its evacuation that started was last SCHEDULED or RUNNING, or last
     * changed after (MigrationTimeouts#evacuationMovedAt): its moves wait their turn in plan order, and an evacuation that keeps
     * moving is not cut short. While one of its moves runs, the tail waits as long as that move does: it ends by its
     * own timeouts, the operator's deadline, or a cancel.
     */
    @WithDefault("PT30M")
    Duration queuedTimeout();

    /** How often the dispatcher looks at the queue besides the nudges it gets when slots free up. */
    @WithDefault("1s")
    String dispatchInterval();

    /** How often an evacuation under way has its ETA followed and its concurrency re-planned (EvacuationTracker). */
    @WithDefault("5s")
    String evacuationTrackInterval();

    /**
     * Whether an evacuation under way may send a waiting move to another destination when its own was measured far
     * slower than the evacuation as a whole (SlowDestinations); off: destinations stay as planned.
     */
    @WithDefault("true")
    boolean evacuationReplanDestinations();

    /**
     * A migration that ended (SUCCEEDED, FAILED or CANCELLED, with no open discrepancy) this long ago is deleted with
     * its rounds, phase transitions, resolved discrepancies and audit trail; an evacuation once none of its migrations
     * is left. At least {@code ferry.messaging.consumed-retention}: a replayed event must still find its migration.
     */
    @WithDefault("P30D")
    Duration historyRetention();

    /**
     * The audit trail's entries are kept this long (oVirt keeps its events 30 days), never while their migration is
     * still under way, and never beyond the migration itself (see {@link #historyRetention()}).
     */
    @WithDefault("P30D")
    Duration auditRetention();

    /**
     * Of the replicas, only the holder of the dispatcher lease starts migrations; another takes over this long after
     * the holder died (at once when it shut down). Half of it bounds one start (a reservation call and a transaction).
     */
    @WithDefault("PT30S")
    Duration dispatcherLease();

    /** How often the watchdog looks for overdue migrations (read by its @Scheduled expression). */
    @WithDefault("5s")
    String watchdogInterval();

    /**
     * How often the gauges counted from the database (open discrepancies, migrations by phase) are counted again
     * (read by the @Scheduled expressions).
     */
    @WithDefault("15s")
    String gaugeInterval();

    /**
     * A worker's heartbeat: a claim lasts {@link #missedHeartbeats()} of them, and the worker gives it up one heartbeat
     * before the scheduler would (it renews twice per heartbeat, so that one late answer does not cost the claim).
     */
    @WithDefault("PT5S")
    Duration workerHeartbeat();

    /**
     * Heartbeats a worker may miss before its claim lapses and its migrations are taken over: 3 at 5 s declares a
     * worker dead after 15 s.
     */
    @WithDefault("3")
    int missedHeartbeats();

    /** How long a claim lasts unless renewed. */
    default Duration claimLease() {
        return workerHeartbeat().multipliedBy(missedHeartbeats());
    }

    /** Rebalancing clusters (RebalanceService). */
    Rebalance rebalance();

    interface Rebalance {
        /** How often the configured clusters are looked at (read by its @Scheduled expression); off by default. */
        @WithDefault("off")
        String every();

        /** The clusters the schedule rebalances. */
        java.util.Optional<java.util.List<Long>> clusters();

        /** The schedule rebalances a cluster only when its imbalance is over this. */
        @WithDefault("0.1")
        double threshold();

        /** At most this many moves per plan. */
        @WithDefault("10")
        int maxMoves();

        /** A move must remove at least this much imbalance to be worth its cost. */
        @WithDefault("0.005")
        double minGain();

        /**
         * A guest's measured CPU use older than this is not used (the guest is estimated like one never measured):
         * inventory's host sync measures every 5 minutes by default, so this spans a few missed syncs.
         */
        @WithDefault("30m")
        java.time.Duration loadMaxAge();
    }
}
