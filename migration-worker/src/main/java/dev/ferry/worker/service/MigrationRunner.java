package dev.ferry.worker.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.RoundRecord;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes commands from migration-commands (one consumer group for the whole pool) and runs each START through the
 * pre-copy engine on the simulated hypervisor, steered by the configured policy, publishing one event per round,
 * heartbeats while it runs, and the outcome. A START for a migration already seen is ignored; CANCEL stops a running
 * migration mid-round (the VM stays on the source) or, when it arrives first, keeps a later START from running;
 * FORCE_COMPLETE stops and copies after the current round.
 */
@ApplicationScoped
public class MigrationRunner {
    private static final Logger LOG = Logger.getLogger(MigrationRunner.class);
    private static final int REMEMBERED = 10_000;

    @Inject
    WorkerConfig config;

    @Inject
    EventPublisher publisher;

    private final Map<UUID, Control> running = new ConcurrentHashMap<>();

    /** What an operator asked of one running migration, and its event stream (for heartbeats). */
    static final class Control {
        final AtomicBoolean cancel = new AtomicBoolean();
        final AtomicBoolean forceComplete = new AtomicBoolean();
        volatile EventPublisher.Stream events;
    }

    /** Migrations already started or cancelled here, bounded so that a long-lived worker does not grow. */
    private final Set<UUID> seen = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));
    private HypervisorDriver hypervisor;
    private ExecutorService pool;
    private ScheduledExecutorService heartbeats;
    private Semaphore slots;
    private String workerId;

    synchronized void init() {
        if (pool == null) {
            Policies.create(config.policy(), 1L << 30); // an unknown policy or driver name fails the start
            hypervisor = HypervisorDriver.named(config.driver(), config);
            if (SimulatedDriver.NAME.equals(hypervisor.name())) {
                MigrationPlan.workload(config.simulatedWorkload(), 0); // an unknown workload name fails the start too
            }
            pool = Executors.newFixedThreadPool(config.maxConcurrentMigrations(), r -> new Thread(r, "migration-run"));
            slots = new Semaphore(config.maxConcurrentMigrations());
            workerId = "auto".equals(config.id()) ? ManagementFactory.getRuntimeMXBean().getName() : config.id();
            heartbeats = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "migration-heartbeat"));
            long every = Math.max(50, config.heartbeatInterval().toMillis());
            heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStart(@Observes StartupEvent event) {
        init();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (pool != null) {
            running.values().forEach(control -> control.cancel.set(true));
            heartbeats.shutdownNow();
            pool.shutdown();
        }
    }

    /** Every running migration says it is alive; a failed heartbeat is only logged (the next one may pass). */
    private void beat() {
        for (Map.Entry<UUID, Control> e : running.entrySet()) {
            EventPublisher.Stream events = e.getValue().events;
            if (events == null) {
                continue;
            }
            try {
                events.heartbeat();
            } catch (RuntimeException failed) {
                LOG.warnf("heartbeat of migration %s not published: %s", e.getKey(), failed.getMessage());
            }
        }
    }

    /**
     * Acknowledged once accepted: a migration runs for minutes, longer than a consumer may hold a record.
     * If this worker dies mid-run, the heartbeats stop and the scheduler's progress timeout ends the migration.
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
                cancelOrphan(command);
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

    private void cancelOrphan(MigrationCommand command) {
        try {
            String found = hypervisor.cancelOrphan(command);
            if (found != null) {
                LOG.warnf("migration %s: %s", command.migrationId(), found);
            }
        } catch (IOException | RuntimeException e) {
            LOG.infof("migration %s: no orphan to cancel on the source (%s)", command.migrationId(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(MigrationCommand command, Control control) {
        String driver = hypervisor.name();
        EventPublisher.Stream events = publisher.streamFor(command, workerId);
        Paced paced = new Paced(control, events, driver);
        try {
            if (command.deadline() != null && !command.deadline().isAfter(Instant.now())) {
                failed(command, paced, events, driver, "the operator's deadline " + command.deadline()
                        + " had passed when worker " + workerId + " took the migration; nothing was sent");
                return;
            }
            var limits = MigrationPlan.limits(command, config.throttleCeilingPercent(), Instant.now());
            var policy = Policies.create(config.policy(), command.memoryBytes());
            events.started();
            control.events = events;
            MigrationResult result = hypervisor.migrate(command, policy, limits, paced);
            control.events = null;
            report(command, result, paced, events, driver);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.events = null;
            failed(command, paced, events, driver, "worker shutting down");
        } catch (IOException | RuntimeException e) {
            control.events = null;
            LOG.errorf(e, "migration %s failed", command.migrationId());
            failed(command, paced, events, driver, e.getMessage());
        }
    }

    private void failed(MigrationCommand command, Paced paced, EventPublisher.Stream events, String driver, String why) {
        try {
            events.outcome(EventType.MIGRATION_FAILED, new MigrationOutcome(paced.published.get(), paced.bytes, 0, 0,
                    why + "; the VM keeps running on the source", driver));
        } catch (RuntimeException unreported) {
            LOG.errorf("failure of migration %s could not be reported; the scheduler's timeout will end it", command.migrationId());
        }
    }

    private void report(MigrationCommand command, MigrationResult result, Paced paced, EventPublisher.Stream events,
            String driver) {
        MigrationMode mode = result.postCopy() ? MigrationMode.POST_COPY : MigrationMode.PRE_COPY;
        boolean cancelAsked = paced.control.cancel.get();
        switch (result.outcome()) {
            case SUCCEEDED -> {
                // a cancel that arrived after the switch-over (or during post-copy) could not take the VM back
                events.outcome(EventType.MIGRATION_SUCCEEDED, new MigrationOutcome(paced.published.get(), result.bytesSent(),
                        result.downtimeMillis(), result.totalTimeMillis(), null, driver, mode,
                        cancelAsked ? AbortStatus.FAILED : AbortStatus.NONE));
                LOG.infof("migration %s done: %d rounds, downtime %d ms%s (%s): %s", command.migrationId(),
                        result.roundCount(), result.downtimeMillis(), result.postCopy() ? ", post-copy" : "", driver, result.reason());
            }
            case CANCELLED -> events.outcome(EventType.MIGRATION_CANCELLED, new MigrationOutcome(paced.published.get(), paced.bytes,
                    0, result.totalTimeMillis(), "cancelled by the operator during round " + (paced.published.get() + 1)
                            + "; the VM keeps running on the source", driver, mode, AbortStatus.SUCCEEDED));
            case ABORTED -> events.outcome(EventType.MIGRATION_FAILED, new MigrationOutcome(paced.published.get(), paced.bytes, 0,
                    result.totalTimeMillis(), "policy " + config.policy() + " gave up: " + result.reason()
                            + " (the VM keeps running on the source)", driver, mode,
                    cancelAsked ? AbortStatus.SUCCEEDED : AbortStatus.NONE));
        }
    }

    /**
     * The engine's controls for a service run: each round takes its simulated time, scaled (0 runs in virtual
     * time), slept in short slices so that a cancel lands mid-round; a round cut short by a cancel never finished
     * on the destination and is not reported.
     */
    private final class Paced implements Controls {
        final Control control;
        final EventPublisher.Stream events;
        final AtomicInteger published = new AtomicInteger();
        final String driver;
        long bytes;
        private boolean interrupted;
        private String lastReason = "";

        Paced(Control control, EventPublisher.Stream events, String driver) {
            this.control = control;
            this.events = events;
            this.driver = driver;
        }

        @Override
        public boolean cancelRequested() {
            return control.cancel.get();
        }

        @Override
        public boolean forceCompleteRequested() {
            return control.forceComplete.get();
        }

        @Override
        public void pace(RoundRecord round) {
            boolean cancellable = round.kind() == RoundRecord.Kind.LIVE;
            long deadline = System.nanoTime() + Math.round(round.seconds() * 1000 * config.simulationTimeScale()) * 1_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    if (cancellable && control.cancel.get()) {
                        interrupted = true;
                        return;
                    }
                    Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000L)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                control.cancel.set(true); // shutting down: leave the VM where it was
                interrupted = true;
            }
        }

        @Override
        public void roundCompleted(RoundRecord round) {
            if (interrupted) {
                return;
            }
            events.round(RoundEvents.of(round, lastReason, driver));
            if (round.decision() != null) {
                lastReason = round.decision().reason();
            }
            published.incrementAndGet();
            bytes += round.bytesSent();
        }
    }
}
