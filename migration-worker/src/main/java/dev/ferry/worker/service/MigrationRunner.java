package dev.ferry.worker.service;

import dev.ferry.events.CommandType;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.worker.sim.PreCopySimulation;
import dev.ferry.worker.sim.Workload;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes commands from migration-commands (one consumer group for the whole pool) and runs each START on
 * the simulated hypervisor, publishing one event per round and the outcome. A START for a migration
 * already seen is ignored; CANCEL stops a running migration between rounds (the VM stays on the source)
 * or, when it arrives first, keeps a later START from running.
 */
@ApplicationScoped
public class MigrationRunner {
    private static final Logger LOG = Logger.getLogger(MigrationRunner.class);
    private static final int REMEMBERED = 10_000;
    static final String DRIVER = "simulated";

    @Inject
    WorkerConfig config;

    @Inject
    EventPublisher publisher;

    private final Map<UUID, Control> running = new ConcurrentHashMap<>();

    /** What an operator asked of one running migration. */
    static final class Control {
        final AtomicBoolean cancel = new AtomicBoolean();
        final AtomicBoolean forceComplete = new AtomicBoolean();
    }
    /** Migrations already started or cancelled here, bounded so that a long-lived worker does not grow. */
    private final Set<UUID> seen = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));
    private ExecutorService pool;
    private Semaphore slots;
    private String workerId;

    void init() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(config.maxConcurrentMigrations(), r -> new Thread(r, "migration-run"));
            slots = new Semaphore(config.maxConcurrentMigrations());
            workerId = "auto".equals(config.id()) ? ManagementFactory.getRuntimeMXBean().getName() : config.id();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (pool != null) {
            running.values().forEach(control -> control.cancel.set(true));
            pool.shutdown();
        }
    }

    /**
     * Acknowledged once accepted: a migration runs for minutes, longer than a consumer may hold a record.
     * If this worker dies mid-run, the scheduler's progress timeout ends the migration.
     */
    @Incoming("migration-commands")
    @Blocking
    public void accept(String payload) throws InterruptedException {
        init();
        MigrationCommand command = EventCodec.command(payload);
        if (command.type() == CommandType.CANCEL) {
            Control control = running.get(command.migrationId());
            if (control != null) {
                control.cancel.set(true);
                LOG.infof("cancel requested for running migration %s", command.migrationId());
            } else {
                seen.add(command.migrationId());
                LOG.infof("cancel for migration %s that does not run here: a later start will be ignored", command.migrationId());
            }
            return;
        }
        if (command.type() == CommandType.FORCE_COMPLETE) {
            Control control = running.get(command.migrationId());
            if (control != null) {
                control.forceComplete.set(true);
                LOG.infof("force-complete requested for running migration %s", command.migrationId());
            } else {
                LOG.infof("force-complete for migration %s that does not run here: ignored", command.migrationId());
            }
            return;
        }
        if (!seen.add(command.migrationId())) {
            LOG.infof("migration %s already started, finished or cancelled here; start ignored", command.migrationId());
            return;
        }
        slots.acquire(); // back-pressure: wait for a free slot before taking more commands
        Control control = new Control();
        running.put(command.migrationId(), control);
        pool.submit(() -> {
            try {
                run(command, control);
            } finally {
                running.remove(command.migrationId());
                slots.release();
            }
        });
    }

    private void run(MigrationCommand command, Control control) {
        EventPublisher.Stream events = publisher.streamFor(command, workerId);
        long totalPages = command.memoryBytes() / PreCopySimulation.PAGE_SIZE;
        double linkPagesPerSecond = (double) command.linkBandwidthBytesPerSecond() / PreCopySimulation.PAGE_SIZE;
        Workload workload = Workload.typical(command.vmId(), totalPages, linkPagesPerSecond);
        PreCopySimulation sim = new PreCopySimulation(command.memoryBytes(), command.linkBandwidthBytesPerSecond(),
                command.maxDowntimeMillis(), workload);
        long bytes = 0;
        long simulatedMillis = 0;
        DirtyPageRound last = null;
        try {
            LOG.infof("migration %s of VM %s: %d MiB over %d MB/s (simulated)", command.migrationId(), command.vmName(),
                    command.memoryBytes() >> 20, command.linkBandwidthBytesPerSecond() / 1_000_000);
            events.started();
            while (!sim.finished()) {
                // Round 1 always runs live: forcing before it would pause the VM for a copy of all its memory.
                if (control.forceComplete.get() && last != null) {
                    sim.forceStopAndCopy();
                }
                DirtyPageRound round = sim.nextRound();
                boolean paced = pace(round.durationMillis(), control.cancel);
                if (!paced || control.cancel.get()) {
                    // The round never finished on the destination: nothing switched over, the source runs on.
                    events.outcome(EventType.MIGRATION_CANCELLED, new MigrationOutcome(last == null ? 0 : last.round(),
                            bytes, 0, simulatedMillis, "cancelled by the operator during round " + round.round()
                                    + "; the VM keeps running on the source", DRIVER));
                    return;
                }
                bytes += round.bytesSent();
                simulatedMillis += round.durationMillis();
                events.round(round);
                last = round;
            }
            long downtime = last.expectedDowntimeMillis();
            events.outcome(EventType.MIGRATION_SUCCEEDED, new MigrationOutcome(last.round(), bytes, downtime,
                    simulatedMillis + PreCopySimulation.SWITCHOVER_MILLIS, null, DRIVER));
            LOG.infof("migration %s done: %d rounds, downtime %d ms (simulated)", command.migrationId(), last.round(), downtime);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "migration %s failed", command.migrationId());
            try {
                events.outcome(EventType.MIGRATION_FAILED, new MigrationOutcome(last == null ? 0 : last.round(), bytes, 0,
                        simulatedMillis, "worker error: " + e.getMessage() + "; the VM keeps running on the source", DRIVER));
            } catch (RuntimeException unreported) {
                LOG.errorf("failure of migration %s could not be reported; the scheduler's timeout will end it", command.migrationId());
            }
        }
    }

    /**
     * Sleeps for the round's simulated duration, scaled (0 runs in virtual time), in short slices so that a
     * cancel lands mid-round. Returns false when cancelled.
     */
    private boolean pace(long simulatedMillis, AtomicBoolean cancel) throws InterruptedException {
        long deadline = System.nanoTime() + Math.round(simulatedMillis * config.simulationTimeScale()) * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (cancel.get()) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000L)));
        }
        return true;
    }
}
