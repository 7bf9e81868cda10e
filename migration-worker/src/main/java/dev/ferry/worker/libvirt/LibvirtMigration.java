package dev.ferry.worker.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Decision;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.engine.SteeredThrottle;
import dev.ferry.worker.qemu.AutoConverge;
import dev.ferry.worker.qemu.DirtySample;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;
import org.jboss.logging.Logger;

/**
 * Moves one running guest between two hosts' libvirt daemons: a peer-to-peer live migration
 * (virDomainMigrateToURI3) run by the source's libvirtd, the guest's definition persisted on the destination and
 * removed from the source on success. libvirt runs the pre-copy passes; this follows its job statistics (one round
 * record per {@code memory_iteration}) and applies the convergence policy's decisions through libvirt: the downtime
 * limit (virDomainMigrateSetMaxDowntime; stop-and-copy lifts it), the bandwidth cap given at the start, the throttle
 * of each round through auto-converge (enabled at the start, steered through QEMU's monitor: {@link #armThrottle}),
 * post-copy (allowed at the start, switched to with virDomainMigrateStartPostCopy), abort and cancel with
 * virDomainAbortJob (the guest keeps running on the source). The same policy code runs
 * here as on the simulator and the QEMU driver.
 *
 * <p>The source's libvirtd, not the worker, runs a peer-to-peer migration: a worker that dies leaves the job running.
 * The worker that takes the migration over finds it there and adopts it: it follows and steers the same job to its
 * end (rounds numbered by libvirt's iteration, as the first worker numbered them) instead of starting another.
 */
public final class LibvirtMigration {
    /** QEMU's largest downtime limit (2000 s): "stop now, whatever remains". */
    static final long STOP_NOW_MILLIS = 2_000_000;
    private static final long POLL_MILLIS = 200;
    private static final int JOB_STATS_COMPLETED = 1;
    private static final Logger LOG = Logger.getLogger(LibvirtMigration.class);
    private static final ObjectMapper QMP = new ObjectMapper();

    static {
        try {
            // the binding prints every libvirt error to stderr by default; they surface as exceptions here
            Connect.setErrorCallback((data, error) -> { });
        } catch (LibvirtException | RuntimeException | LinkageError e) {
            // without libvirt.so nothing below works either, and says so where it is used
        }
    }

    /**
     * Where the guest is and goes: the two hosts' libvirt URIs (for example {@code qemu+tls://hv-01/system}), and the
     * address the destination's QEMU listens on for the migration stream ({@code tcp://10.0.0.2}, or null for
     * libvirt's choice).
     */
    public record Endpoints(String sourceUri, String destinationUri, String migrationUri, String domain) {
    }

    private final Endpoints ep;
    private final ConvergencePolicy policy;
    /** The migration with the link to itself; {@link #context} is held to the share the scheduler gives it. */
    private final MigrationContext planned;
    private MigrationContext context;
    /** Whether libvirt's migration speed is known to be {@link #context}'s: not for a job taken over. */
    private boolean shareApplied;
    /** Whether the share was said again once memory flowed (see where it is set). */
    private boolean shareSaidOnceFlowing;
    private final Duration progressTimeout;
    /** calc-dirty-rate was started as the first pass began and its window is not yet taken. */
    private boolean sampling;
    /**
     * The throttle: armed once memory flows; steered while QEMU's monitor answers; the policy's last figure; and
     * whether a step is still on its way there (QEMU's trigger then fires at any dirtying: until the hold, QEMU would
     * go on raising it).
     */
    private boolean throttleArmed;
    private boolean throttleSteered;
    private int throttleSet;
    private boolean throttleStepping;

    /**
     * Who drives convergence: the policy through libvirt ({@code STEERED}, what the worker does), or libvirt alone with
     * its defaults, with or without its own auto-converge, the policy's verdicts only recorded (the benchmark's
     * baselines). A deadline still ends a run in every mode.
     */
    public enum Mode { STEERED, LIBVIRT_DEFAULTS, LIBVIRT_AUTO_CONVERGE }

    private final Mode mode;

    public LibvirtMigration(Endpoints ep, ConvergencePolicy policy, MigrationContext context, Duration progressTimeout) {
        this(ep, policy, Mode.STEERED, context, progressTimeout);
    }

    public LibvirtMigration(Endpoints ep, ConvergencePolicy policy, Mode mode, MigrationContext context, Duration progressTimeout) {
        this.ep = ep;
        this.policy = policy;
        this.mode = mode;
        this.planned = context;
        this.context = context;
        this.progressTimeout = progressTimeout;
    }

    /** libvirt said no (the guest, a host, the migration): nothing moved unless {@link #locate} says otherwise. */
    public static final class Failed extends IOException {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public MigrationResult run(Controls controls) throws IOException, InterruptedException {
        controls.requireClaim("touching libvirt");
        Connect source = connect(ep.sourceUri());
        Connect steering = null;
        try {
            Domain guest = domain(source, ep.domain(), "the source");
            if (guest.isActive() != 1) {
                throw new Failed("guest " + ep.domain() + " does not run on " + ep.sourceUri(), null);
            }
            steering = connect(ep.sourceUri()); // the migrate call blocks its connection's caller: steer over another
            Domain steered = domain(steering, ep.domain(), "the source");
            AtomicReference<Throwable> ended = new AtomicReference<>();
            pullCapped = postCopyAllowed() && libVersion(source) >= POSTCOPY_SPEED_SINCE;
            JobStats running = stats(guest, 0);
            if (running.active()) {
                // a worker that died left this job: follow it to its end rather than send the memory again
                Thread job = new Thread(() -> awaitEnd(steered, ended), "libvirt-adopted-" + ep.domain());
                job.setDaemon(true);
                job.start();
                return follow(controls, job, ended, steered, Math.max(0, running.iteration() - 1), false);
            }
            controls.requireClaim("starting the migration");
            context = planned.sharing(controls.bandwidthCapBytesPerSecond());
            shareApplied = true; // the migrate call's bandwidth parameter
            Thread migrate = new Thread(() -> {
                try {
                    guest.migrateToURI(ep.destinationUri(), parameters(), flags());
                } catch (LibvirtException | RuntimeException e) {
                    ended.set(e);
                }
            }, "libvirt-migrate-" + ep.domain());
            migrate.setDaemon(true);
            migrate.start();
            return follow(controls, migrate, ended, steered, 0, true);
        } catch (LibvirtException e) {
            throw new Failed("libvirt: " + e.getMessage(), e);
        } finally {
            close(steering);
            close(source);
        }
    }

    private TypedParameter[] parameters() {
        List<TypedParameter> p = new ArrayList<>();
        if (ep.migrationUri() != null) {
            p.add(new TypedStringParameter("migrate_uri", ep.migrationUri()));
        }
        p.add(new TypedUlongParameter("bandwidth", mebibytes(context.bandwidthBytesPerSecond())));
        if (pullCapped) {
            // QEMU ignores the bandwidth once in post-copy; the pull has a cap of its own, unlimited unless set
            p.add(new TypedUlongParameter("bandwidth.postcopy", mebibytes(context.bandwidthBytesPerSecond())));
        }
        if (autoConverge() && mode == Mode.STEERED) {
            // auto-converge is the means for the policy's throttle: libvirt takes its steps only at the start
            p.add(new TypedIntParameter("auto_converge.initial", Math.max(1, Math.min(99, context.limits().maxThrottlePercent() / 3))));
            p.add(new TypedIntParameter("auto_converge.increment", 10));
        }
        return p.toArray(TypedParameter[]::new);
    }

    private int flags() {
        int f = Domain.MigrateFlags.LIVE | Domain.MigrateFlags.PEER2PEER | Domain.MigrateFlags.PERSIST_DEST
                | Domain.MigrateFlags.UNDEFINE_SOURCE | Domain.MigrateFlags.ABORT_ON_ERROR;
        if (postCopyAllowed()) {
            f |= Domain.MigrateFlags.POSTCOPY; // allowed, not started: the policy decides when (LibvirtNative)
        }
        return autoConverge() ? f | Domain.MigrateFlags.AUTO_CONVERGE : f;
    }

    /** libvirt 5.1: the first to cap a post-copy's pull (bandwidth.postcopy, the post-copy speed flag). */
    static final long POSTCOPY_SPEED_SINCE = 5_001_000;
    /** Whether the pull's own cap is set and followed: post-copy allowed and a libvirt that takes it. */
    private boolean pullCapped;

    /** The host's libvirt version (major * 1,000,000 + minor * 1,000 + release), 0 when it will not say. */
    private long libVersion(Connect c) {
        try {
            return c.getLibVersion();
        } catch (LibvirtException e) {
            LOG.debugf("migration of %s: libvirt's version unknown (%s)", ep.domain(), e.getMessage());
            return 0;
        }
    }

    private boolean postCopyAllowed() {
        return context.limits().postCopyAllowed() && mode == Mode.STEERED;
    }

    private boolean autoConverge() {
        return mode == Mode.LIBVIRT_AUTO_CONVERGE || (mode == Mode.STEERED && context.limits().maxThrottlePercent() > 0);
    }

    /**
     * Takes auto-converge from libvirt's fixed steps to the policy's: armed idle through QEMU's monitor, so that the
     * throttle is what the policy decides each round ({@link AutoConverge}), as the QEMU driver does over QMP. libvirt's
     * API sets auto-converge's steps only when a migration starts; the monitor passthrough is the one way to change
     * them mid-run. Where it is refused (not a QEMU guest, or a libvirt that forbids it), libvirt's own steps stay
     * and the rounds say so. {@code adoptedThrottle}: the throttle a dead worker's job already runs at (its worker armed
     * it), or -1 for a job this worker started.
     */
    private void armThrottle(Domain guest, int adoptedThrottle) {
        if (!autoConverge() || mode != Mode.STEERED) {
            return;
        }
        if (adoptedThrottle >= 0) {
            throttleSteered = true;
            throttleSet = adoptedThrottle;
            throttleStepping = true; // its worker may have died mid-step: hold it where it is
            return;
        }
        throttleSteered = setQemuParameters(guest, AutoConverge.idleUnderLibvirt());
    }

    /**
     * Sets the figure {@code p} ({@link SteeredThrottle}) where the throttle is steered; {@code current}: what libvirt
     * reports in force. Nothing: auto-converge idle again. At or below what is in force: held there. Above: a step.
     */
    private void steerThrottle(Domain guest, int p, int current) {
        if (!throttleSteered || p == throttleSet) {
            return;
        }
        Map<String, Object> params = p == 0 ? AutoConverge.idleUnderLibvirt()
                : p <= current ? AutoConverge.holdUnderLibvirt() : AutoConverge.stepUnderLibvirt(p, current);
        if (setQemuParameters(guest, params)) {
            throttleSet = p;
            throttleStepping = p > current;
        }
    }

    /** Once the throttle reached the policy's figure, the step that took it there is taken back: it is held there. */
    private void holdThrottle(Domain guest, int current) {
        if (throttleStepping && current >= throttleSet) {
            throttleStepping = false;
            setQemuParameters(guest, AutoConverge.holdUnderLibvirt());
        }
    }

    /**
     * The window calc-dirty-rate measured as the first pass began ({@link DirtySample}), for round 1 only (unthrottled,
     * as the policy reads it); null otherwise (libvirt forbids the monitor, or QEMU had not finished measuring).
     */
    private RoundRecord.Sample sampled(Domain guest, long pageSize) {
        if (!sampling) {
            return null;
        }
        sampling = false;
        JsonNode answer = monitor(guest, "query-dirty-rate", DirtySample.query());
        return answer == null ? null : DirtySample.of(answer.path("return"), pageSize);
    }

    /** A QMP command through libvirt's monitor passthrough; null where it is refused (a measurement, not the migration). */
    private JsonNode monitor(Domain guest, String command, Map<String, Object> arguments) {
        try {
            return qmp(guest, command, arguments);
        } catch (IOException e) {
            LOG.debugf("migration of %s: %s refused (%s)", ep.domain(), command, e.getMessage());
            return null;
        }
    }

    /** A QMP command through libvirt's monitor passthrough: QEMU's whole reply, or IOException when it is an error. */
    private static JsonNode qmp(Domain guest, String command, Map<String, Object> arguments) throws IOException {
        JsonNode reply = QMP.readTree(LibvirtNative.qemuMonitorCommand(guest, QMP.writeValueAsString(Map.of("execute", command,
                "arguments", arguments))));
        if (reply.has("error")) {
            throw new IOException(reply.path("error").path("desc").asText("QEMU refused it"));
        }
        return reply;
    }

    /**
     * Watches the guest on the source write before its migration starts ({@link DirtySample#beforeStart}), through
     * libvirt's monitor passthrough.
     *
     * @throws IOException when the source cannot be reached, has no such guest, or QEMU refuses to measure
     */
    public static DirtyMeasurement measureBeforeStart(String sourceUri, String domain) throws IOException, InterruptedException {
        Connect c = connect(sourceUri);
        try {
            Domain guest = domain(c, domain, sourceUri);
            return DirtySample.beforeStart((command, arguments) -> qmp(guest, command, arguments).path("return"));
        } finally {
            close(c);
        }
    }

    private boolean setQemuParameters(Domain guest, Map<String, Object> params) {
        try {
            qmp(guest, "migrate-set-parameters", params);
            return true;
        } catch (IOException e) {
            LOG.warnf("migration of %s: the throttle stays libvirt's auto-converge steps (%s)", ep.domain(), e.getMessage());
            throttleSteered = false;
            return false;
        }
    }

    /**
     * Waits for an adopted job to end, as the migrate call would have: the guest gone from the source (it moved), or
     * running there again (the job failed or was aborted; {@code ended} says so). A guest paused on the source is
     * still switching over, or in post-copy.
     */
    private void awaitEnd(Domain guest, AtomicReference<Throwable> ended) {
        try {
            while (true) {
                boolean active;
                try {
                    active = stats(guest, 0).active();
                } catch (LibvirtException gone) {
                    return; // the source no longer has the guest: it moved
                }
                if (!active) {
                    try {
                        if (guest.isActive() != 1) {
                            return;
                        }
                        if (guest.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_RUNNING) {
                            ended.set(new Failed("the adopted job ended with the guest running on the source", null));
                            return;
                        }
                    } catch (LibvirtException gone) {
                        return;
                    }
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            ended.set(e);
        }
    }

    /**
     * Lets the guest switch over now. Libvirt may have switched it over by its own rule between the stats just read
     * and this call ("domain is not running"): then there is nothing to do, and the migrate call answers shortly.
     */
    private static void stopNow(Domain guest) throws LibvirtException {
        try {
            guest.migrateSetMaxDowntime(STOP_NOW_MILLIS);
        } catch (LibvirtException e) {
            boolean stillRunning;
            try {
                stillRunning = guest.isActive() == 1 && guest.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_RUNNING;
            } catch (LibvirtException gone) {
                stillRunning = false;
            }
            if (stillRunning) {
                throw e;
            }
        }
    }

    /**
     * A new share of the links from the scheduler applies at once (virDomainMigrateSetMaxSpeed), to a post-copy's pull
     * too where libvirt can cap it. The pull's cap is worth having, not worth a migration: a refusal is logged and the
     * pull goes on at the speed it has. Once past the switch-over ({@code pastSwitch}) the guest may no longer run
     * here, and a refused speed is no failure either.
     */
    private void followShare(Controls controls, Domain guest, boolean pastSwitch) throws IOException {
        MigrationContext now = planned.sharing(controls.bandwidthCapBytesPerSecond());
        if (!shareApplied || now.bandwidthBytesPerSecond() != context.bandwidthBytesPerSecond()) {
            try {
                LibvirtNative.setMaxSpeed(guest, mebibytes(now.bandwidthBytesPerSecond()), false);
            } catch (IOException refused) {
                if (!pastSwitch) {
                    throw refused;
                }
                // the guest runs on the destination by now: what is left to send keeps the speed it has
                LOG.debugf("migration of %s: a new share after the switch-over refused (%s)", ep.domain(), refused.getMessage());
            }
            if (pullCapped) {
                try {
                    LibvirtNative.setMaxSpeed(guest, mebibytes(now.bandwidthBytesPerSecond()), true);
                } catch (IOException refused) {
                    LOG.warnf("migration of %s: a post-copy pull would not keep to the share (%s)", ep.domain(), refused.getMessage());
                    pullCapped = false;
                }
            }
            context = now;
            shareApplied = true;
        }
    }

    private static long mebibytes(double bytesPerSecond) {
        return Math.max(1, Math.round(bytesPerSecond / (1 << 20)));
    }

    /**
     * Follows the job until {@code migrate} ends, one round record per libvirt iteration. {@code roundsBefore}: the
     * rounds another worker reported before this one adopted the job (0 for a job this worker started, and for one
     * taken over in its first pass); {@code startedHere}: this worker started the job, and saw it from its start.
     */
    private MigrationResult follow(Controls controls, Thread migrate, AtomicReference<Throwable> ended, Domain guest,
            long roundsBefore, boolean startedHere) throws IOException, InterruptedException, LibvirtException {
        List<RoundRecord> rounds = new ArrayList<>();
        long startNanos = System.nanoTime();
        long lastChange = startNanos;
        JobStats passStart = null;
        double passSeconds = 0;
        long iteration = 0;
        boolean downtimeSet = false;
        boolean stopping = false;
        boolean abortSent = false;
        boolean policyAborted = false;
        boolean postCopy = false;
        // when the guest began running on the destination (or, for a job taken over past it, when this worker saw it),
        // and the source's count of bytes sent then and at its latest look: the pull's own bytes and rate
        long postCopySince = 0;
        JobStats pullFrom = null;
        long pullFromNanos = 0;
        JobStats pullTo = null;
        long pullToNanos = 0;
        String stopReason = "libvirt's rule: what remains fits the downtime limit";
        String abortReason = null;
        JobStats last = null;
        while (migrate.isAlive()) {
            // a worker that lost its claim stops here, whatever libvirt does: the migration's new owner steers it
            controls.requireClaim("steering libvirt");
            followShare(controls, guest, stopping || postCopy);
            migrate.join(POLL_MILLIS);
            if (!migrate.isAlive()) {
                break;
            }
            JobStats now;
            long polledNanos;
            try {
                now = stats(guest, 0);
                polledNanos = System.nanoTime();
            } catch (LibvirtException switchedOver) {
                // the guest stopped running here (the switch-over): the migrate call answers once the source's QEMU
                // exits, a second or two later
                if (System.nanoTime() - lastChange > progressTimeout.toNanos()) {
                    throw switchedOver;
                }
                continue;
            }
            double t = (System.nanoTime() - startNanos) / 1e9;
            if (!now.active()) {
                if (System.nanoTime() - lastChange > progressTimeout.toNanos()) {
                    abort(guest);
                    throw new Failed("no migration job in libvirt for " + progressTimeout.toSeconds() + " s; aborted", null);
                }
                continue;
            }
            if (!downtimeSet) {
                guest.migrateSetMaxDowntime(context.maxDowntimeMillis());
                downtimeSet = true;
            }
            if (!shareSaidOnceFlowing && now.processed() > 0) {
                // A share sent while libvirt was still in its begin and prepare phases is overwritten when QEMU's
                // migration starts, with the migrate call's own bandwidth parameter (measured: a LIMIT_BANDWIDTH half a
                // second in left the job at the planned rate): say it again, once, now that memory flows.
                shareApplied = false;
                shareSaidOnceFlowing = true;
            }
            if (!throttleArmed && now.processed() > 0) {
                // once memory flows: libvirt sets auto-converge's first step as it starts the stream, after the job began
                throttleArmed = true;
                armThrottle(guest, roundsBefore > 0 ? (int) now.get("auto_converge_throttle") : -1);
                sampling = mode == Mode.STEERED && roundsBefore == 0 && monitor(guest, "calc-dirty-rate", DirtySample.start()) != null;
            }
            holdThrottle(guest, (int) now.get("auto_converge_throttle"));
            if (last == null || now.processed() != last.processed()) {
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > progressTimeout.toNanos()) {
                abort(guest);
                throw new Failed("libvirt's migration made no progress for " + progressTimeout.toSeconds() + " s; aborted", null);
            }
            last = now;
            // post-copy pages the destination asked for: set when an adopted job was already past its switch-over
            if (!postCopy && now.get("memory_postcopy_requests") > 0) {
                postCopy = true;
                stopping = true; // past the switch-over: its passes are no rounds to judge
                postCopySince = System.nanoTime();
            }
            if (postCopy && pullFrom == null) {
                pullFrom = now;
                pullFromNanos = polledNanos;
            } else if (postCopy) {
                pullTo = now;
                pullToNanos = polledNanos;
            }
            if (controls.cancelRequested() && !abortSent) {
                abort(guest);
                abortSent = true;
            }
            if (t > context.limits().deadlineSeconds() && !abortSent && !stopping) {
                abortReason = String.format("past the %.0f s deadline", context.limits().deadlineSeconds());
                policyAborted = true;
                abortSent = true;
                abort(guest);
            }
            if (now.iteration() > iteration) {
                // once stopping or aborting, a pass is no round to judge (a stop sent into an abort, as the QMP driver
                // guards against too): the final phase counts from the decision, whatever passes follow it
                boolean judged = !stopping && !abortSent;
                if (passStart != null && iteration >= 1 && judged) {
                    RoundRecord round = JobStats.round((int) roundsBefore + rounds.size() + 1, passStart, now, t - passSeconds,
                            context.bandwidthBytesPerSecond(), sampled(guest, now.pageSize()));
                    Decision decision = PreCopyEngine.decide(policy, rounds, round, controls, context);
                    round = round.decided(decision);
                    rounds.add(round);
                    controls.roundCompleted(round);
                    switch (mode == Mode.STEERED ? decision.action() : Decision.Action.CONTINUE) { // baselines: recorded only
                        case CONTINUE -> {
                            int current = (int) now.get("auto_converge_throttle");
                            steerThrottle(guest, SteeredThrottle.next(decision.throttlePercent(), throttleSet, current), current);
                        }
                        case STOP_AND_COPY -> {
                            stopReason = decision.reason();
                            stopping = true;
                            // a raise still waiting would land on the pass QEMU runs before it switches over
                            int current = (int) now.get("auto_converge_throttle");
                            steerThrottle(guest, SteeredThrottle.atStop(throttleSet, current), current);
                            stopNow(guest);
                        }
                        case POST_COPY -> {
                            stopReason = decision.reason();
                            stopping = true;
                            postCopy = true;
                            postCopySince = System.nanoTime();
                            pullFrom = now;
                            pullFromNanos = polledNanos;
                            LibvirtNative.startPostCopy(guest);
                        }
                        case ABORT -> {
                            abortReason = decision.reason();
                            policyAborted = true;
                            abortSent = true;
                            abort(guest);
                        }
                    }
                }
                if (iteration == 0 && startedHere && now.iteration() == 1) {
                    // a job this worker started is first seen in its first pass with part of it sent (up to a poll's
                    // worth): round 1 counts from the start, where QEMU's counters begin, so that every byte sent is in
                    // a round, and its time from when what was already sent began, at libvirt's own rate (from when
                    // this worker began to follow the job, just before the memory flowed, if libvirt has no rate yet).
                    // A first look past pass 1 (a guest too small for a poll) keeps the old count: pass 1 in no round,
                    // rather than two passes read as one first pass, whose zero pages the forecasts read
                    double rate = now.get("memory_bps");
                    passStart = JobStats.AT_START;
                    passSeconds = rate > 0 ? Math.max(0, t - now.processed() / rate) : 0;
                } else if (judged || passStart == null) { // (a job taken over past its switch-over: from the first look)
                    passStart = now;
                    passSeconds = t;
                }
                iteration = now.iteration();
            }
        }
        long endNanos = System.nanoTime();
        long total = (endNanos - startNanos) / 1_000_000;
        Throwable failure = ended.get();
        if (failure == null) {
            JobStats completed = completedOnDestination();
            RoundRecord finalPhase = JobStats.finalPhase((int) roundsBefore + rounds.size() + 1, passStart, completed,
                    postCopy ? (endNanos - postCopySince) / 1e9 : -1);
            if (postCopy && pullTo != null && pullToNanos > pullFromNanos) {
                finalPhase = JobStats.pulled(finalPhase, pullTo.processed() - pullFrom.processed(), (pullToNanos - pullFromNanos) / 1e9);
            }
            controls.roundCompleted(finalPhase);
            String why = policyAborted ? "libvirt completed before the abort took effect (" + abortReason + ")"
                    : abortSent ? "libvirt completed before the cancel took effect" : stopReason;
            return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, finalPhase, (long) completed.get("downtime"),
                    completed.get("time_elapsed") > 0 ? (long) completed.get("time_elapsed") : total, completed.processed(), why);
        }
        long sent = last == null ? 0 : last.processed();
        if (policyAborted) {
            return new MigrationResult(MigrationResult.Outcome.ABORTED, rounds, null, 0, total, sent, abortReason);
        }
        if (abortSent) {
            return new MigrationResult(MigrationResult.Outcome.CANCELLED, rounds, null, 0, total, sent, "cancelled; the guest runs on the source");
        }
        throw new Failed("libvirt failed the migration: " + failure.getMessage(), failure);
    }

    /** The completed job's figures, as the destination keeps them (the source forgets a guest that left). */
    private JobStats completedOnDestination() {
        Connect destination = null;
        try {
            destination = connect(ep.destinationUri());
            return stats(domain(destination, ep.domain(), "the destination"), JOB_STATS_COMPLETED);
        } catch (IOException | LibvirtException e) {
            return new JobStats(Map.of());
        } finally {
            close(destination);
        }
    }

    private static void abort(Domain guest) {
        try {
            guest.abortJob();
        } catch (LibvirtException e) {
            // the job ended meanwhile: the migrate call's own answer says how
        }
    }

    static JobStats stats(Domain guest, int flags) throws LibvirtException {
        Map<String, Double> values = new HashMap<>();
        for (TypedParameter p : guest.getJobStats(flags).stats) {
            try {
                values.put(p.field, Double.parseDouble(p.getValueAsString()));
            } catch (NumberFormatException notANumber) {
                // strings and booleans say nothing a round needs
            }
        }
        return new JobStats(values);
    }

    /**
     * Leaves no migration job running unsteered on the source: one under way (a worker that died left it) is aborted
     * and waited for, so the guest stays there. Returns what was found and done, or null when none was running or the
     * source cannot be asked.
     */
    public static String settle(String sourceUri, String domain) throws InterruptedException {
        Connect c = null;
        try {
            c = connect(sourceUri);
            Domain guest = c.domainLookupByName(domain);
            if (!stats(guest, 0).active()) {
                return null;
            }
            abort(guest);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            boolean active = true;
            while (active && System.nanoTime() < deadline) {
                Thread.sleep(POLL_MILLIS);
                try {
                    active = stats(guest, 0).active();
                } catch (LibvirtException gone) {
                    active = false; // it switched over meanwhile: where the guest runs is asked next
                }
            }
            return "a migration job left running on the source was aborted" + (active ? " (still ending after 15 s)" : "");
        } catch (IOException | LibvirtException e) {
            return null;
        } finally {
            close(c);
        }
    }

    /**
     * Asks both hosts where the guest runs: running on exactly one of them, that one; otherwise (on neither, on both,
     * a host unreachable while the other does not run it) nobody can tell.
     */
    public static LibvirtLocation.Answer locate(String sourceUri, String destinationUri, String domain) {
        return LibvirtLocation.of(running(sourceUri, domain), running(destinationUri, domain));
    }

    /** "running", "not running" (defined or not there at all), or null when the host cannot be asked. */
    private static String running(String uri, String domain) {
        Connect c = null;
        try {
            c = connect(uri);
        } catch (IOException unreachable) {
            return null;
        }
        try {
            return c.domainLookupByName(domain).isActive() == 1 ? "running" : "not running";
        } catch (LibvirtException notThere) {
            return "not running";
        } finally {
            close(c);
        }
    }

    static Connect connect(String uri) throws IOException {
        try {
            return new Connect(uri);
        } catch (LibvirtException | RuntimeException | LinkageError e) {
            throw new Failed("cannot reach libvirt at " + uri + ": " + e.getMessage(), e);
        }
    }

    private static Domain domain(Connect c, String name, String where) throws Failed {
        try {
            return c.domainLookupByName(name);
        } catch (LibvirtException e) {
            throw new Failed("no guest " + name + " on " + where + ": " + e.getMessage(), e);
        }
    }

    private static void close(Connect c) {
        if (c != null) {
            try {
                c.close();
            } catch (LibvirtException ignored) {
                // closing anyway
            }
        }
    }
}
