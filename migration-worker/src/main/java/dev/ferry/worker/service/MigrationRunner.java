package dev.ferry.worker.service;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.FencedException;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.support.MigrationLogContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * pre-copy engine on the hypervisor driver, steered by the configured policy, publishing one event per round,
 * heartbeats while it runs, and the outcome. Before it acts on the hypervisor it claims the migration's attempt from
 * the scheduler, and it renews the claim twice per heartbeat: a START the scheduler no longer wants run (ended, an
 * old attempt, held by another live worker) is refused and dropped, and a worker whose claim lapsed (paused, cut off)
 * stops acting at once and reports nothing more. CANCEL stops a running migration mid-round (the VM stays on the
 * source); FORCE_COMPLETE stops and copies after the current round. At SIGTERM it takes no new work, lets running
 * migrations finish within the grace period and gives the claims of the others back, so that they are taken over.
 */
@ApplicationScoped
public class MigrationRunner {
    private static final Logger LOG = Logger.getLogger(MigrationRunner.class);

    @Inject
    WorkerConfig config;

    @Inject
    EventPublisher publisher;

    @Inject
    Tracer tracer;

    @Inject
    ServiceToken serviceToken;

    private final Map<UUID, Control> running = new ConcurrentHashMap<>();

    /** What an operator asked of one running migration, its claim, and its event stream (for heartbeats). */
    static final class Control {
        final MigrationCommand command;
        final AtomicBoolean cancel = new AtomicBoolean();
        final AtomicBoolean forceComplete = new AtomicBoolean();
        /** The migration's share of the links, from START and each LIMIT_BANDWIDTH; 0: the whole link. */
        final java.util.concurrent.atomic.AtomicLong bandwidthCap = new java.util.concurrent.atomic.AtomicLong();
        volatile EventPublisher.Stream events;
        /** This worker acts for the migration only until then (System.nanoTime), unless the claim is renewed. */
        volatile long claimValidUntil;
        /** The scheduler refused a renewal, or the worker gave the claim back: never act again. */
        volatile boolean claimLost;
        /**
         * When the run ended with its outcome published (System.nanoTime), or 0 while it runs. The claim is still
         * renewed until the scheduler has decided (a renewal refused as ended): a worker that merely finished must not
         * look dead while its outcome waits in a consumer's lag, or the migration would be run again.
         */
        volatile long reportedAt;

        Control(MigrationCommand command) {
            this.command = command;
            this.bandwidthCap.set(command.bandwidthCapBytesPerSecond() == null ? 0 : command.bandwidthCapBytesPerSecond());
        }

        boolean fenced() {
            return claimLost || System.nanoTime() - claimValidUntil > 0;
        }

        /**
         * Counts the grant from when it was asked for, and gives it up one heartbeat before the scheduler would: the
         * worker stops acting before anyone else may start.
         */
        void granted(long askedAtNanos, ClaimClient.Grant grant) {
            long margin = Math.min(grant.renewEveryMillis(), grant.leaseMillis() / 2);
            claimValidUntil = askedAtNanos + (grant.leaseMillis() - margin) * 1_000_000L;
        }
    }

    /**
     * How often the claims are renewed: twice per heartbeat. A claim is this worker's for one heartbeat less than the
     * lease (10 s of 15 by default), counted from when the last answered renewal was asked for; renewing only once per heartbeat left a single
     * renewal 5 s to be answered, and one answer a little late (a scheduler busy with a thousand migrations) fenced
     * every migration the worker ran, though the scheduler had renewed them all. Asked half a heartbeat after the last,
     * a renewal may take up to 7.5 s, and one that fails at once is asked again 2.5 s later, while the claims still
     * hold. Renewals go one at a time, so a scheduler slow to answer every one of them must still answer within 5 s.
     */
    static long renewEveryMillis(Duration heartbeat) {
        return Math.max(25, heartbeat.toMillis() / 2);
    }

    /**
     * A run the fixed rate owed while a slow renewal waited, when a renewal asked less than half a period ago has already
     * been answered: it would only ask again what was just granted. After a renewal that went unanswered, every run asks.
     */
    static boolean owedAndDone(long nowNanos, long lastAnsweredAskNanos, long renewEveryNanos) {
        return nowNanos - lastAnsweredAskNanos < renewEveryNanos / 2;
    }

    /**
     * How long a renewal asked at {@code nowNanos} may wait for its answer: until the last of the claims it renews stops
     * being this worker's (an answer after that saves nothing), and at least {@code least}, the wait of any call to the
     * scheduler (a claim whose run already reported is still renewed until the scheduler decides, and needs an answer too).
     */
    static Duration renewalWait(java.util.Collection<Control> held, long nowNanos, Duration least) {
        long longest = held.stream().mapToLong(c -> c.claimValidUntil - nowNanos).max().orElse(0);
        return longest > least.toNanos() ? Duration.ofNanos(longest) : least;
    }

    private volatile boolean draining;
    private long renewEveryNanos;
    /** When the last answered renewal was asked (System.nanoTime; only the renewal thread reads and writes it). */
    private long lastRenewalAnswered = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private ClaimClient claims;
    private HypervisorDriver hypervisor;
    private ExecutorService pool;
    private ScheduledExecutorService heartbeats;
    private ScheduledExecutorService renewals;
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
            claims = new ClaimClient(config.schedulerUrl(), config.schedulerTimeout(), serviceToken);
            heartbeats = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "migration-heartbeat"));
            long every = Math.max(50, config.heartbeatInterval().toMillis());
            heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
            // claims on a thread of their own: a heartbeat waiting on Kafka must never delay a renewal
            renewals = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "claim-renewal"));
            // at a fixed rate: a grant counts from its ask, so a slow answer must not push the next ask later too
            long renewEvery = renewEveryMillis(config.heartbeatInterval());
            renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(renewEvery);
            renewals.scheduleAtFixedRate(this::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        }
    }

    void onStart(@Observes StartupEvent event) {
        init();
    }

    /**
     * SIGTERM (a rollout): no new work; running migrations get the grace period to finish; the claims of those still
     * running then are given back, and this worker stops acting for them, so that another takes them over at once.
     * Nothing is cancelled.
     */
    void onStop(@Observes ShutdownEvent event) {
        if (pool == null) {
            return;
        }
        draining = true;
        long until = System.nanoTime() + config.shutdownGrace().toNanos();
        try {
            while (running.values().stream().anyMatch(c -> c.reportedAt == 0) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Control control : running.values()) {
            if (control.reportedAt != 0) {
                continue; // reported: the scheduler decides on its outcome, nothing to hand over
            }
            control.claimLost = true;
            try {
                claims.release(control.command, workerId, "worker " + workerId + " shutting down");
                LOG.infof("migration %s handed over: claim given back at shutdown", control.command.migrationId());
            } catch (IOException | InterruptedException e) {
                LOG.warnf("claim on migration %s not given back (%s); it lapses on its own", control.command.migrationId(), e.getMessage());
            }
        }
        heartbeats.shutdownNow();
        renewals.shutdownNow();
        pool.shutdownNow();
    }

    /**
     * Renews every claim this worker holds, in one call. A refused renewal fences that migration here; when the call
     * goes unanswered it is made again on the next pass, and each claim's own end fences it if none gets through.
     */
    private void renew() {
        long now = System.nanoTime();
        if (owedAndDone(now, lastRenewalAnswered, renewEveryNanos)) {
            return;
        }
        running.values().removeIf(c -> c.reportedAt != 0 && now - c.reportedAt > config.publishPatience().toNanos());
        List<Control> held = running.values().stream().filter(c -> !c.claimLost).toList();
        if (held.isEmpty()) {
            return;
        }
        long asked = System.nanoTime();
        try {
            ClaimClient.Renewal r = claims.renewAll(workerId, held.stream().map(c -> c.command).toList(),
                    renewalWait(held, asked, config.schedulerTimeout()));
            lastRenewalAnswered = asked;
            for (Control control : held) {
                UUID id = control.command.migrationId();
                if (r.renewed().contains(id)) {
                    control.granted(asked, r.grant());
                } else if (r.refused().containsKey(id)) {
                    control.claimLost = true;
                    if (control.reportedAt != 0) {
                        running.remove(id, control); // decided: the claim has done its work
                    } else {
                        LOG.warnf("claim on migration %s lost (%s): this worker stops acting for it", id, r.refused().get(id));
                    }
                } else {
                    LOG.debugf("claim on migration %s not renewed this time (its row was held elsewhere); asked again next", id);
                }
            }
        } catch (ClaimClient.Unanswered unanswered) {
            LOG.warnf("%d claim(s) not renewed: %s", held.size(), unanswered.getMessage());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException unreadable) {
            // an answer that cannot be read: logged, and the schedule goes on (an exception would end it for good)
            LOG.warnf(unreadable, "%d claim(s) not renewed: the scheduler's answer could not be read", held.size());
        }
    }

    /** Every migration this worker still holds says it is alive; a failed heartbeat is only logged (the next may pass). */
    private void beat() {
        for (Map.Entry<UUID, Control> e : running.entrySet()) {
            EventPublisher.Stream events = e.getValue().events;
            if (events == null || e.getValue().fenced() || e.getValue().reportedAt != 0) {
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
     * Acknowledged once claimed (or refused): a migration runs for minutes, longer than a consumer may hold a record.
     * If this worker dies mid-run, its claim lapses and the scheduler takes the migration over.
     */
    @Incoming("migration-commands")
    @Blocking
    public void accept(String payload) throws InterruptedException {
        init();
        MigrationCommand command = EventCodec.command(payload);
        try (MigrationLogContext ignored = logContext(command)) {
            accept(command);
        }
    }

    /** Every line logged about a migration names it, its attempt and its VM (MDC; docs/DEPLOY.md, "Logs"). */
    static MigrationLogContext logContext(MigrationCommand command) {
        return MigrationLogContext.of(command.migrationId(), command.attempt(), command.vmId(), command.vmName());
    }

    private void accept(MigrationCommand command) throws InterruptedException {
        if (draining) {
            holdUntilStopped(command);
        }
        Control control = running.get(command.migrationId());
        switch (command.type()) {
            case CANCEL -> {
                if (control != null && control.command.attempt() == command.attempt()) {
                    control.cancel.set(true);
                    LOG.infof("cancel requested for running migration %s", command.migrationId());
                } else {
                    LOG.infof("cancel for migration %s (attempt %d), which does not run here", command.migrationId(), command.attempt());
                }
            }
            case FORCE_COMPLETE -> {
                if (control != null && control.command.attempt() == command.attempt()) {
                    control.forceComplete.set(true);
                    LOG.infof("force-complete requested for running migration %s", command.migrationId());
                } else {
                    LOG.infof("force-complete for migration %s that does not run here: ignored", command.migrationId());
                }
            }
            case LIMIT_BANDWIDTH -> {
                if (control != null && control.command.attempt() == command.attempt()) {
                    control.bandwidthCap.set(command.bandwidthCapBytesPerSecond());
                    LOG.infof("migration %s now shares its links: capped at %d MB/s", command.migrationId(),
                            command.bandwidthCapBytesPerSecond() / 1_000_000);
                } else {
                    LOG.infof("bandwidth cap for migration %s that does not run here: ignored", command.migrationId());
                }
            }
            case START -> start(command, control);
        }
    }

    private void start(MigrationCommand command, Control runningHere) throws InterruptedException {
        if (runningHere != null && runningHere.command.attempt() >= command.attempt()) {
            LOG.infof("migration %s attempt %d already runs here (or awaits its decision); start delivered again, ignored",
                    command.migrationId(), command.attempt());
            return;
        }
        slots.acquire(); // back-pressure: wait for a free slot before taking more commands
        Control control = new Control(command);
        if (!claim(command, control)) {
            slots.release();
            return;
        }
        running.put(command.migrationId(), control);
        // the run goes on in the command's trace (the connector's consumer span is current here), on the pool's thread
        pool.submit(Context.current().wrap(() -> {
            boolean reported = false;
            try (MigrationLogContext ignored = logContext(command); RunSpan span = RunSpan.start(tracer, command, workerId)) {
                reported = run(command, control);
                span.reported(reported);
            } catch (Throwable broke) {
                // a task of the pool that throws is dropped silently with its Future: never let a run vanish unlogged
                LOG.errorf(broke, "migration %s attempt %d: the run broke before reporting; its claim lapses and the "
                        + "scheduler takes it over", command.migrationId(), command.attempt());
            } finally {
                slots.release();
                if (reported && !control.claimLost) {
                    control.reportedAt = System.nanoTime(); // held (renewed) until the scheduler decides
                } else {
                    running.remove(command.migrationId(), control);
                }
            }
        }));
    }

    /**
     * Asks the scheduler for the migration's attempt, waiting out a scheduler that does not answer (growing pauses, up
     * to {@code claimWait}). False when refused or never answered: then nothing was done on the hypervisor.
     */
    private boolean claim(MigrationCommand command, Control control) throws InterruptedException {
        long until = System.nanoTime() + config.claimWait().toNanos();
        long pause = 200;
        while (true) {
            long asked = System.nanoTime();
            try {
                ClaimClient.Grant grant = claims.claim(command, workerId, hypervisor.name(), hypervisor.jobsOutliveWorker());
                control.granted(asked, grant);
                // asked while nobody held the migration (its CANCEL went to no one): this worker carries it out
                control.cancel.compareAndSet(false, grant.cancelRequested());
                control.forceComplete.compareAndSet(false, grant.forceCompleteRequested());
                return true;
            } catch (ClaimClient.Refused refused) {
                LOG.infof("start of migration %s attempt %d refused by the scheduler: %s", command.migrationId(), command.attempt(),
                        refused.getMessage());
                return false;
            } catch (ClaimClient.Unanswered unanswered) {
                if (System.nanoTime() + pause * 1_000_000L - until > 0) {
                    LOG.warnf("start of migration %s dropped: the scheduler did not answer its claim within %d s (%s)",
                            command.migrationId(), config.claimWait().toSeconds(), unanswered.getMessage());
                    return false;
                }
                LOG.warnf("claim on migration %s not answered yet, asking again in %d ms: %s", command.migrationId(), pause,
                        unanswered.getMessage());
                Thread.sleep(pause);
                pause = Math.min(5_000, pause * 2);
            }
        }
    }

    /**
     * A command that arrives while the worker shuts down is neither run nor acknowledged: left uncommitted, it goes to
     * the worker that takes this one's partitions. Bounded, in case the shutdown never comes.
     */
    private void holdUntilStopped(MigrationCommand command) throws InterruptedException {
        LOG.infof("%s of migration %s left to another worker: shutting down", command.type(), command.migrationId());
        Thread.sleep(config.shutdownGrace().toMillis() + 30_000);
        throw new IllegalStateException("worker still shutting down; " + command.type() + " of migration " + command.migrationId()
                + " not taken");
    }

    /**
     * Watches the guest write before round 1 and reports it, as the start command asked. A measurement is not the
     * migration: one that fails is logged and the migration starts all the same, on the forecast made at the request.
     */
    private void measure(MigrationCommand command, EventPublisher.Stream events, Controls controls) throws InterruptedException {
        controls.requireClaim("measuring the guest's writing");
        try {
            events.measured(hypervisor.measure(command));
        } catch (IOException | RuntimeException e) {
            if (e instanceof FencedException fenced) {
                throw fenced;
            }
            LOG.warnf("migration %s: the guest's writing could not be measured before the start (%s); it starts on the "
                    + "forecast made at the request", command.migrationId(), e.getMessage());
        }
    }

    /** Runs the migration; true when its outcome was published (the scheduler's decision is still to come). */
    private boolean run(MigrationCommand command, Control control) {
        String driver = hypervisor.name();
        EventPublisher.Stream events = publisher.streamFor(command, workerId);
        events.giveUpWhen(control::fenced);
        Paced paced = new Paced(control, events, driver);
        try {
            if (command.deadline() != null && !command.deadline().isAfter(Instant.now())) {
                return report(command, hypervisor.abandon(command, "the operator's deadline " + command.deadline()
                        + " had passed when worker " + workerId + " took the migration", paced), paced, events, driver);
            }
            var policy = Policies.create(MigrationPlan.policy(command, config.policy()), command.memoryBytes());
            events.started();
            control.events = events; // heartbeats from here, through the measurement too
            if (command.measuresFirst() && !paced.cancelRequested()) {
                measure(command, events, paced);
            }
            // after the measurement: the deadline counts down from now, as the engine's clock does from round 1
            var limits = MigrationPlan.limits(command, config.throttleCeilingPercent(), Instant.now());
            HypervisorDriver.Finished finished = hypervisor.migrate(command, policy, limits, paced);
            control.events = null;
            return report(command, finished, paced, events, driver);
        } catch (FencedException e) {
            control.events = null;
            LOG.warnf("migration %s attempt %d: %s; stopped without touching the hypervisor again, nothing reported",
                    command.migrationId(), command.attempt(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.events = null;
            if (control.fenced()) {
                return false; // handed over at shutdown: the new owner reports
            }
            return report(command, unexpected("worker shutting down"), paced, events, driver);
        } catch (RuntimeException e) {
            control.events = null;
            LOG.errorf(e, "migration %s failed", command.migrationId());
            return report(command, unexpected(e.getMessage()), paced, events, driver);
        } catch (OutOfMemoryError e) {
            // a run's own allocation (the simulator's guest) failed: the others go on, this one says why it ended
            control.events = null;
            LOG.errorf("migration %s failed: worker %s ran out of memory (%s)", command.migrationId(), workerId, e.getMessage());
            return report(command, unexpected("worker " + workerId + " ran out of memory: " + e.getMessage()), paced, events, driver);
        }
    }

    /** A run that broke in the worker: its job died with it, unless the driver's jobs outlive their worker. */
    private HypervisorDriver.Finished unexpected(String why) {
        return hypervisor.jobsOutliveWorker()
                ? HypervisorDriver.Finished.failed(why, GuestLocation.UNKNOWN, "the " + hypervisor.name() + " job was not asked")
                : HypervisorDriver.Finished.failed(why, GuestLocation.SOURCE, "the job ended with the run");
    }

    /**
     * Reports how the run ended, following where the hypervisor says the guest runs ({@link OutcomeReport}); true
     * when the report went out.
     */
    private boolean report(MigrationCommand command, HypervisorDriver.Finished finished, Paced paced,
            EventPublisher.Stream events, String driver) {
        OutcomeReport.Report r = OutcomeReport.of(finished, paced.control.cancel.get(), MigrationPlan.policy(command, config.policy()),
                new OutcomeReport.Published(paced.published.get(), paced.bytes), driver);
        try {
            events.outcome(r.type(), r.outcome());
        } catch (RuntimeException unreported) {
            LOG.errorf("outcome of migration %s could not be reported; its claim lapses and the scheduler takes it over",
                    command.migrationId());
            return false;
        }
        MigrationResult result = finished.result();
        if (r.type() == EventType.MIGRATION_SUCCEEDED && result != null) {
            LOG.infof("migration %s done: %d rounds, downtime %d ms%s (%s): %s", command.migrationId(), result.roundCount(),
                    result.downtimeMillis(), result.postCopy() ? ", post-copy" : "", driver, result.reason());
        } else {
            LOG.infof("migration %s ended %s: %s", command.migrationId(), r.type(), r.outcome().failureReason());
        }
        return true;
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
        public boolean fenced() {
            return control.fenced();
        }

        @Override
        public long bandwidthCapBytesPerSecond() {
            return control.bandwidthCap.get();
        }

        @Override
        public void pace(RoundRecord round) {
            boolean cancellable = round.kind() == RoundRecord.Kind.LIVE;
            long deadline = System.nanoTime() + Math.round(round.seconds() * 1000 * config.simulationTimeScale()) * 1_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    if (control.fenced()) {
                        interrupted = true; // the engine stops at its next check; this round is not reported
                        return;
                    }
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
            if (interrupted || control.fenced()) {
                return; // cut short, or reported by a worker that no longer holds the migration
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
