package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Decision;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.engine.SteeredThrottle;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one live migration between two QEMU processes over QMP. QEMU runs the pre-copy rounds itself; each
 * MIGRATION_PASS event (one per dirty-bitmap sync, so round = ram.dirty-sync-count) plus query-migrate becomes a
 * round record, and the convergence policy's decision is applied through QEMU's parameters: a throttle through
 * auto-converge's ceiling, stop-and-copy by lifting downtime-limit, post-copy with migrate-start-postcopy, abort and
 * cancel with migrate_cancel (the source keeps running). The pass that follows the source's STOP is the
 * stop-and-copy, not a live round. The same policy code runs here as on the simulator, fed by QEMU's numbers.
 */
public final class QemuMigration {
    private static final Duration CALL = Duration.ofSeconds(10);

    /** QEMU's largest downtime-limit (2000 s): "stop now, whatever remains". */
    static final long STOP_NOW_MILLIS = 2_000_000;

    /** How much QEMU is left to itself. */
    public enum Mode {
        /** Ferry (or a reference policy) steers through QEMU's parameters. */
        STEERED,
        /** QEMU's defaults alone: the policy's verdicts are recorded, nothing is applied. */
        QEMU_DEFAULTS,
        /** QEMU's own auto-converge with its default parameters; nothing else is applied. */
        QEMU_AUTO_CONVERGE;

        /** QEMU's two reference behaviours are QEMU's own ({@link Policies#LEFT_TO_QEMU}); every other policy steers. */
        public static Mode forPolicy(String policy) {
            if (!Policies.LEFT_TO_QEMU.contains(policy)) {
                return STEERED;
            }
            return switch (policy) {
                case "qemu-default" -> QEMU_DEFAULTS;
                case "qemu-auto-converge" -> QEMU_AUTO_CONVERGE;
                default -> STEERED;
            };
        }
    }

    /** A migration URI on a free local port: source and destination QEMU on this machine (tests, demo, benchmark). */
    public static String localUri() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return "tcp:127.0.0.1:" + s.getLocalPort();
        }
    }

    /**
     * Where a VM's QEMU listens for QMP on a host, by convention: {@code <runDir>/host-<hostId>/vm-<vmId>.qmp}. The
     * source host's socket serves the running guest, the destination's a QEMU started with -incoming defer.
     */
    public static java.nio.file.Path socket(java.nio.file.Path runDir, long hostId, long vmId) {
        return runDir.resolve("host-" + hostId).resolve("vm-" + vmId + ".qmp");
    }

    /** What the migration is told: where the two QMP sockets are and where the destination listens. */
    public record Endpoints(QmpClient source, QmpClient destination, String uri) {
    }

    /** The destination refused, or the two sides do not match: nothing was sent, the guest runs on the source. */
    public static final class PrecheckFailed extends IOException {
        public final List<String> failures;

        PrecheckFailed(List<String> failures) {
            super("pre-checks failed: " + String.join("; ", failures));
            this.failures = failures;
        }
    }

    private final Endpoints ep;
    private final ConvergencePolicy policy;
    private final Mode mode;
    /** The migration with the link to itself; {@link #context} is held to the share the scheduler gives it. */
    private final MigrationContext planned;
    private MigrationContext context;
    /** Whether QEMU's max-bandwidth is known to be {@link #context}'s: not for a job taken over from another worker. */
    private boolean shareApplied;
    private final Duration progressTimeout;
    /** calc-dirty-rate ({@link DirtySample}) was started with a steered migration and its figure is not yet taken. */
    private boolean sampling;
    /** The first pass's window, read while that pass still runs (see {@link #readFirstWindow}). */
    private RoundRecord.Sample firstWindow;
    /** QEMU counts the first pass's look ({@link AutoConverge#counting}) until the policy has judged that pass. */
    private boolean counting;
    /** When this worker asked QEMU to migrate (System.nanoTime); -1 for a job taken over, whose start it never saw. */
    private long migrateAskedNanos = -1;

    public QemuMigration(Endpoints ep, ConvergencePolicy policy, Mode mode, MigrationContext context, Duration progressTimeout) {
        this.ep = ep;
        this.policy = policy;
        this.mode = mode;
        this.planned = context;
        this.context = context;
        this.progressTimeout = progressTimeout;
    }

    /**
     * Runs the migration, or takes over the one QEMU is already running for it: a worker that died (or handed the
     * migration over) leaves QEMU migrating on its own, and the migration's next owner steers that job from where it is
     * (the same attempt with a new owner) instead of starting again; a job that completed unwatched is reported as it
     * ended. Only a source with no migration under way gets a new one.
     */
    public MigrationResult run(Controls controls) throws IOException, InterruptedException {
        controls.requireClaim("touching QEMU");
        JsonNode found = ep.source().execute("query-migrate", null, CALL);
        String status = found.path("status").asText("none");
        if (QemuLocation.MIGRATING.contains(status)) {
            return follow(controls, Adopted.of(ep.source(), found));
        }
        if (status.equals("completed") && isRunning(ep.destination())) {
            return completedUnwatched(found);
        }
        List<String> failed = QemuPrechecks.failures(ep.source(), ep.destination());
        if (!failed.isEmpty()) {
            throw new PrecheckFailed(failed);
        }
        controls.requireClaim("starting the migration");
        context = planned.sharing(controls.bandwidthCapBytesPerSecond());
        configure();
        shareApplied = true;
        ep.destination().execute("migrate-incoming", Map.of("uri", ep.uri()), CALL);
        migrateAskedNanos = System.nanoTime();
        ep.source().execute("migrate", Map.of("uri", ep.uri()), CALL);
        sampling = mode == Mode.STEERED && startSample();
        return follow(controls, Adopted.NOTHING);
    }

    /**
     * What a new owner finds of a job it takes over: the pass QEMU is in (rounds before it were reported by the worker
     * that ran them), the throttle already set, whether the guest already stopped or is to stop at QEMU's next check
     * (the last owner asked for it), and whether it pulls its pages in post-copy.
     */
    record Adopted(long passesBefore, JsonNode ram, int throttle, boolean stopping, boolean postCopy, boolean cancelling,
            boolean counting) {
        static final Adopted NOTHING = new Adopted(0, null, 0, false, false, false, false);

        static Adopted of(QmpClient source, JsonNode migrate) throws IOException {
            String status = migrate.path("status").asText();
            JsonNode params = source.execute("query-migrate-parameters", null, CALL);
            // the steered throttle is auto-converge's ceiling, armed only once a policy asked for one
            // (a ceiling of QEMU's idle 1 % with the trigger down is the first pass's look counted, no policy's figure)
            int ceiling = params.path("max-cpu-throttle").asInt(0);
            boolean triggered = params.path("throttle-trigger-threshold").asInt(100) <= 1;
            int throttle = triggered && ceiling > AutoConverge.IDLE_PERCENT ? ceiling : 0;
            String run = source.execute("query-status", null, CALL).path("status").asText();
            long passes = migrate.path("ram").path("dirty-sync-count").asLong();
            return new Adopted(passes, passes > 0 ? migrate.path("ram") : null, throttle,
                    run.equals("finish-migrate") || run.equals("postmigrate")
                            || params.path("downtime-limit").asLong() == STOP_NOW_MILLIS, status.startsWith("postcopy"),
                    status.equals("cancelling"), triggered && ceiling <= AutoConverge.IDLE_PERCENT);
        }
    }

    private static boolean isRunning(QmpClient qemu) {
        if (qemu == null) {
            return false;
        }
        try {
            return "running".equals(qemu.execute("query-status", null, CALL).path("status").asText());
        } catch (IOException unreachable) {
            return false;
        }
    }

    /** The job ended while nobody watched it (its worker died after the switch-over): QEMU's own figures. */
    private static MigrationResult completedUnwatched(JsonNode q) {
        RoundRecord last = new RoundRecord((int) q.path("ram").path("dirty-sync-count").asLong(), RoundRecord.Kind.STOP_AND_COPY,
                0, 0, 0, 0, 0, q.path("downtime").asLong() / 1000.0, 0, 0, 0, q.path("downtime").asLong(), 0, null, null);
        return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, List.of(), last, q.path("downtime").asLong(),
                q.path("total-time").asLong(), q.path("ram").path("transferred").asLong(),
                "QEMU completed the migration while no worker watched it");
    }

    /**
     * Leaves no job running unsteered: a pre-copy migration still under way on the source is cancelled (the guest keeps
     * running there) and waited for. Post-copy cannot be undone: the guest lives on the destination by then. Returns
     * what was found and done, or null when nothing was running.
     */
    public static String settle(QmpClient source) throws IOException, InterruptedException {
        String status = source.execute("query-migrate", null, CALL).path("status").asText("none");
        if (!QemuLocation.MIGRATING.contains(status) || status.startsWith("postcopy")) {
            return null;
        }
        if (!status.equals("cancelling")) {
            source.execute("migrate_cancel", null, CALL);
        }
        long deadline = System.nanoTime() + CALL.toNanos();
        String now = status;
        while (System.nanoTime() < deadline && QemuLocation.MIGRATING.contains(now)) {
            Thread.sleep(100);
            now = source.execute("query-migrate", null, CALL).path("status").asText();
        }
        return "a migration still " + status + " on the source was cancelled (" + now + ")";
    }

    /**
     * Asks both QEMUs where the guest runs, for up to {@code patience} while the answer is still changing (a
     * switch-over in progress). Either side may be null or unreachable.
     */
    public static QemuLocation.Answer locate(QmpClient source, QmpClient destination, Duration patience)
            throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (true) {
            String migration = status(source, "query-migrate");
            QemuLocation.Answer answer = QemuLocation.of(status(source, "query-status"), status(destination, "query-status"), migration);
            if (answer.where() != dev.ferry.model.engine.GuestLocation.UNKNOWN || System.nanoTime() > until) {
                return answer;
            }
            Thread.sleep(200);
        }
    }

    private static String status(QmpClient qemu, String command) {
        if (qemu == null) {
            return null;
        }
        try {
            return qemu.execute(command, null, CALL).path("status").asText("none");
        } catch (IOException unreachable) {
            return null;
        }
    }

    private boolean postCopyAllowed() {
        return context.limits().postCopyAllowed() && mode == Mode.STEERED;
    }

    private void configure() throws IOException {
        boolean postCopy = postCopyAllowed();
        boolean autoConverge = mode == Mode.QEMU_AUTO_CONVERGE || (mode == Mode.STEERED && context.limits().maxThrottlePercent() > 0);
        for (QmpClient side : List.of(ep.source(), ep.destination())) {
            List<Map<String, Object>> caps = new ArrayList<>();
            caps.add(Map.of("capability", "events", "state", true));
            caps.add(Map.of("capability", "postcopy-ram", "state", postCopy));
            caps.add(Map.of("capability", "auto-converge", "state", autoConverge));
            side.execute("migrate-set-capabilities", Map.of("capabilities", caps), CALL);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("downtime-limit", context.maxDowntimeMillis());
        params.put("max-bandwidth", (long) context.bandwidthBytesPerSecond());
        if (postCopy) {
            // QEMU ignores max-bandwidth once in post-copy; the pull has a cap of its own, unlimited unless set
            params.put("max-postcopy-bandwidth", (long) context.bandwidthBytesPerSecond());
        }
        if (mode == Mode.STEERED && autoConverge) {
            params.putAll(AutoConverge.idle()); // the policy sets the ceiling later (applyThrottle)
        } else if (mode == Mode.QEMU_AUTO_CONVERGE) {
            params.putAll(AutoConverge.qemuDefaults());
        }
        ep.source().execute("migrate-set-parameters", params, CALL);
    }

    /**
     * A new share of the links from the scheduler applies at once: QEMU paces the stream to max-bandwidth, and a
     * post-copy's pull to max-postcopy-bandwidth.
     */
    private void followShare(Controls controls) throws IOException {
        MigrationContext now = planned.sharing(controls.bandwidthCapBytesPerSecond());
        if (!shareApplied || now.bandwidthBytesPerSecond() != context.bandwidthBytesPerSecond()) {
            long cap = (long) now.bandwidthBytesPerSecond();
            ep.source().execute("migrate-set-parameters", postCopyAllowed()
                    ? Map.of("max-bandwidth", cap, "max-postcopy-bandwidth", cap) : Map.of("max-bandwidth", cap), CALL);
            context = now;
            shareApplied = true;
        }
    }

    private MigrationResult follow(Controls controls, Adopted adopted) throws IOException, InterruptedException {
        List<RoundRecord> rounds = new ArrayList<>();
        // A job taken over is followed from the middle of QEMU's current pass: that pass is reported from here on,
        // under QEMU's own number; the passes before it were reported by the worker that watched them.
        int firstRound = (int) Math.max(1, adopted.passesBefore());
        long startNanos = System.nanoTime();
        long lastProgress = startNanos;
        double passSeconds = 0;
        JsonNode passRam = adopted.ram();
        // the bytes QEMU had sent at the last look for progress (a pass's end, or a look between events: a long pass, or
        // a post-copy's pull, sends no event for as long as it lasts), so that one timeout without a byte is a stall
        long sentAtLook = passRam == null ? 0 : passRam.path("transferred").asLong(0);
        // Stopped, or asked to stop (or to post-copy) and waiting for QEMU to: QEMU syncs once more before it pauses the
        // guest, and that pass is no new round to judge (a policy asked again there once said ABORT, and sent a cancel
        // into a switch-over that QEMU happened to finish first).
        boolean stopping = adopted.stopping();
        boolean cancelSent = adopted.cancelling();
        boolean policyAborted = false;
        boolean postCopy = adopted.postCopy();
        boolean postCopyAsked = postCopy; // from migrate-start-postcopy on, before QEMU says it switched
        // when the guest began running on the destination: the pull's time runs from there (for a job taken over in
        // post-copy, from the takeover: what this worker saw of it)
        long postCopySince = System.nanoTime();
        int throttleSet = adopted.throttle();
        // a job taken over while its first pass's look was counted: idle again once the next pass is judged
        counting = adopted.counting();
        String stopReason = "QEMU's rule: pending bytes fit bandwidth x downtime-limit";
        String abortReason = null;
        while (true) {
            // A worker that lost its claim stops here, whatever QEMU does: the migration's new owner steers it.
            controls.requireClaim("steering QEMU");
            followShare(controls);
            if (sampling && passRam != null && rounds.isEmpty()
                    && System.nanoTime() - startNanos >= DirtySample.MEASURED_AFTER_NANOS) {
                readFirstWindow(passRam.path("page-size").asLong(PreCopyEngine.PAGE_SIZE));
            }
            if (controls.cancelRequested() && !cancelSent && !postCopy && !postCopyAsked) {
                // (once in post-copy the guest runs on the destination: there is nothing left to cancel)
                sentAtLook = sentSoFar(sentAtLook);
                ep.source().execute("migrate_cancel", null, CALL);
                cancelSent = true;
            }
            JsonNode ev = ep.source().nextEvent(Duration.ofMillis(200));
            long now = System.nanoTime();
            if (ev == null) {
                if (now - lastProgress > progressTimeout.toNanos()) {
                    // no event for that long: a stall only if QEMU sent nothing either (a first pass of many GiB at a
                    // share, or a post-copy's pull at its cap, runs longer than the timeout without a single event)
                    long sent = sent();
                    if (sent > sentAtLook) {
                        sentAtLook = sent;
                        lastProgress = now;
                        continue;
                    }
                    if (postCopy || postCopyAsked) {
                        throw new IOException("QEMU's post-copy sent nothing for " + progressTimeout.toSeconds() + " s; the guest "
                                + "runs on the destination, which waits for the rest of its memory: recover the post-copy, do not cancel it");
                    }
                    ep.source().execute("migrate_cancel", null, CALL);
                    throw new IOException("QEMU's migration sent nothing for " + progressTimeout.toSeconds() + " s; cancelled");
                }
                continue;
            }
            if (now - startNanos > context.limits().deadlineSeconds() * 1e9 && !cancelSent && !stopping) {
                abortReason = String.format("past the %.0f s deadline", context.limits().deadlineSeconds());
                policyAborted = true;
                cancelSent = true;
                sentAtLook = sentSoFar(sentAtLook);
                ep.source().execute("migrate_cancel", null, CALL);
            }
            lastProgress = now;
            String name = ev.path("event").asText();
            if (name.equals("STOP")) {
                stopping = true;
            } else if (name.equals("MIGRATION_PASS") && !cancelSent) {
                // a pass QEMU reports while it cancels is no round: its counters are already reset (seen as -3 GB "sent")
                JsonNode q = ep.source().execute("query-migrate", null, CALL);
                double t = (now - startNanos) / 1e9;
                if (passRam != null) {
                    RoundRecord round = liveRound(firstRound + rounds.size(), passRam, q, t - passSeconds);
                    // The operator's force-complete is applied even when QEMU is otherwise left to its own rules.
                    boolean forced = !stopping && controls.forceCompleteRequested();
                    Decision decision = stopping ? Decision.stop(stopReason)
                            : PreCopyEngine.decide(policy, rounds, round, controls, context);
                    round = round.decided(decision);
                    rounds.add(round);
                    controls.roundCompleted(round);
                    if (!stopping && (mode == Mode.STEERED || forced)) {
                        switch (decision.action()) {
                            case CONTINUE -> throttleSet = setThrottle(SteeredThrottle.next(decision.throttlePercent(), throttleSet,
                                    round.throttlePercent()), throttleSet);
                            case STOP_AND_COPY -> {
                                stopReason = decision.reason();
                                stopping = true;
                                // a raise still waiting would land on the pass QEMU runs before it switches over
                                throttleSet = setThrottle(SteeredThrottle.atStop(throttleSet, round.throttlePercent()), throttleSet);
                                ep.source().execute("migrate-set-parameters", Map.of("downtime-limit", STOP_NOW_MILLIS), CALL);
                            }
                            case POST_COPY -> {
                                stopReason = decision.reason();
                                stopping = true;
                                postCopyAsked = true;
                                ep.source().execute("migrate-start-postcopy", null, CALL);
                            }
                            case ABORT -> {
                                abortReason = decision.reason();
                                policyAborted = true;
                                cancelSent = true;
                                ep.source().execute("migrate_cancel", null, CALL);
                            }
                        }
                        if (counting) {
                            // the first look is counted: a guest the policy leaves unthrottled is idle again before the next
                            counting = false;
                            if (throttleSet == 0) {
                                ep.source().execute("migrate-set-parameters", AutoConverge.idle(), CALL);
                            }
                        }
                    }
                }
                if (passRam == null && migrateAskedNanos >= 0) {
                    // QEMU reports its first pass as it sets it up and has sent part of it by the time the worker looks
                    // (3.9 MB in one run of QemuMigrationTest here, more on a busy machine): round 1 counts from the
                    // migration's start, where QEMU's counters begin, so that every byte sent is in a round and the
                    // first pass's zero pages (what DirtyHistory reads from its bytes) are not overstated
                    // (its page size kept, which the first pass's window is read in)
                    passRam = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                            .put("page-size", q.path("ram").path("page-size").asLong(PreCopyEngine.PAGE_SIZE));
                    passSeconds = (migrateAskedNanos - startNanos) / 1e9;
                } else {
                    passRam = q.path("ram");
                    passSeconds = t;
                }
                // (QEMU 8.2 on counts transferred for the whole migration; a pass in setup has no ram yet)
                long transferred = q.path("ram").path("transferred").asLong(-1);
                if (transferred >= 0) {
                    sentAtLook = transferred;
                }
            } else if (name.equals("MIGRATION")) {
                String status = ev.path("data").path("status").asText();
                switch (status) {
                    case "postcopy-active" -> {
                        if (!postCopy) { // not again after a paused post-copy recovers: the pull began at the switch
                            postCopySince = System.nanoTime();
                        } else {
                            // recovered: a QEMU that counts per connection (8.1) starts its count again
                            sentAtLook = -1;
                        }
                        postCopy = true;
                    }
                    case "completed" -> {
                        JsonNode q = ep.source().execute("query-migrate", null, CALL);
                        RoundRecord last = finalPhase(firstRound + rounds.size(), passRam, q,
                                postCopy ? (System.nanoTime() - postCopySince) / 1e9 : -1);
                        controls.roundCompleted(last);
                        String why = policyAborted ? "QEMU completed before the abort took effect (" + abortReason + ")"
                                : controls.cancelRequested() && !cancelSent ? stopReason + "; the cancel came during post-copy, which cannot be undone"
                                : stopReason;
                        return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, last, q.path("downtime").asLong(),
                                q.path("total-time").asLong(), q.path("ram").path("transferred").asLong(), why);
                    }
                    case "failed" -> {
                        JsonNode q = ep.source().execute("query-migrate", null, CALL);
                        throw new IOException("QEMU failed the migration: " + q.path("error-desc").asText("no reason given"));
                    }
                    case "cancelled" -> {
                        // after a cancel QEMU no longer reports ram statistics: what was read just before it (or at
                        // the pass a policy's abort judged) is what was sent
                        long sent = Math.max(sentAtLook, sent());
                        long total = (System.nanoTime() - startNanos) / 1_000_000;
                        return policyAborted
                                ? new MigrationResult(MigrationResult.Outcome.ABORTED, rounds, null, 0, total, sent, abortReason)
                                : new MigrationResult(MigrationResult.Outcome.CANCELLED, rounds, null, 0, total, sent,
                                        "cancelled; the guest runs on the source");
                    }
                    default -> { }
                }
            }
        }
    }

    /** Auto-converge's ceiling becomes the figure {@code p} ({@link SteeredThrottle}), unless it is already. */
    private int setThrottle(int p, int set) throws IOException {
        if (p != set) {
            ep.source().execute("migrate-set-parameters", AutoConverge.figure(p), CALL);
        }
        return p;
    }

    /** Starts calc-dirty-rate; a QEMU that refuses it (one older than 8.2) leaves the policy its rounds alone. */
    private boolean startSample() {
        try {
            ep.source().execute("calc-dirty-rate", DirtySample.start(), CALL);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * Reads the first pass's window as soon as QEMU has measured it, while the pass still runs: a guest that outruns the
     * link has QEMU count the look at the end of the pass ({@link AutoConverge#counting}), when auto-converge is armed.
     */
    private void readFirstWindow(long pageSize) throws IOException {
        RoundRecord.Sample window = takeSample(pageSize);
        if (window == null) {
            return; // still measuring (or refused): the pass's end takes it, or goes without
        }
        firstWindow = window;
        sampling = false;
        if (context.limits().maxThrottlePercent() > 0
                && AutoConverge.countsFirstLook(window, pageSize, context.bandwidthBytesPerSecond())) {
            try {
                ep.source().execute("migrate-set-parameters", AutoConverge.counting(), CALL);
                counting = true;
            } catch (IOException refused) {
                // a throttle a second sooner is not worth the migration: it goes on with the idle settings
            }
        }
    }

    private RoundRecord.Sample takeSample(long pageSize) {
        try {
            return DirtySample.of(ep.source().execute("query-dirty-rate", DirtySample.query(), CALL), pageSize);
        } catch (IOException e) {
            return null; // a measurement, not the migration: the policy goes on with its rounds alone
        }
    }

    /** The bytes QEMU has sent so far in this migration; -1 when it shows none (in setup, or once cancelled). */
    private long sent() throws IOException {
        return ep.source().execute("query-migrate", null, CALL).path("ram").path("transferred").asLong(-1);
    }

    /**
     * What QEMU has sent, read just before a cancel (after it QEMU shows no ram); {@code known} if it cannot say: the
     * cancel is sent whatever this read does.
     */
    private long sentSoFar(long known) {
        try {
            return Math.max(known, sent());
        } catch (IOException e) {
            return known;
        }
    }

    private RoundRecord liveRound(int number, JsonNode before, JsonNode q, double seconds) {
        JsonNode ram = q.path("ram");
        long pageSize = ram.path("page-size").asLong(4096);
        long bytes = ram.path("transferred").asLong() - before.path("transferred").asLong();
        long zero = ram.path("duplicate").asLong() - before.path("duplicate").asLong();
        long normal = ram.path("normal").asLong() - before.path("normal").asLong();
        long remaining = ram.path("remaining").asLong();
        long dirtyPages = remaining / pageSize;
        // A short or nearly empty round says little about the link: then QEMU's own throughput figure, or the cap.
        double qemuRate = ram.path("mbps").asDouble() * 1e6 / 8;
        double bandwidth = bytes >= (4 << 20) && seconds >= 0.2 ? bytes / seconds
                : qemuRate > 0 ? qemuRate : context.bandwidthBytesPerSecond();
        // the sampled window belongs to round 1 (unthrottled, as the policy reads it); a first pass shorter than the
        // window goes without, as on the simulator
        RoundRecord.Sample sample = sampling ? takeSample(pageSize) : firstWindow;
        sampling = false;
        firstWindow = null;
        return new RoundRecord(number, RoundRecord.Kind.LIVE, normal + zero, bytes, zero, 0, dirtyPages, seconds, bandwidth,
                dirtyPages, remaining, q.path("expected-downtime").asLong(Math.round(remaining * 1000.0 / bandwidth)),
                q.path("cpu-throttle-percentage").asInt(0), sample, null);
    }

    /**
     * What followed the last pass: the paused copy, or with {@code pullSeconds} >= 0 the post-copy pull, which lasts
     * that long while the guest runs on the destination (its pause is QEMU's downtime, its own figure).
     */
    private RoundRecord finalPhase(int number, JsonNode before, JsonNode q, double pullSeconds) {
        boolean postCopy = pullSeconds >= 0;
        JsonNode ram = q.path("ram");
        long bytes = ram.path("transferred").asLong() - (before == null ? 0 : before.path("transferred").asLong());
        long zero = ram.path("duplicate").asLong() - (before == null ? 0 : before.path("duplicate").asLong());
        long normal = ram.path("normal").asLong() - (before == null ? 0 : before.path("normal").asLong());
        long downtime = q.path("downtime").asLong();
        double seconds = postCopy ? pullSeconds : downtime / 1000.0;
        return new RoundRecord(number, postCopy ? RoundRecord.Kind.POST_COPY : RoundRecord.Kind.STOP_AND_COPY, normal + zero,
                bytes, zero, 0, 0, seconds, seconds > 0 ? bytes / seconds : 0, 0, 0, downtime, 0, null, null);
    }
}
