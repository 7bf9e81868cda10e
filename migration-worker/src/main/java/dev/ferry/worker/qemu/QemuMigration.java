package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Decision;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
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

        /** QEMU's two reference behaviours are QEMU's own; every other policy steers. */
        public static Mode forPolicy(String policy) {
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
    private final MigrationContext context;
    private final Duration progressTimeout;

    public QemuMigration(Endpoints ep, ConvergencePolicy policy, Mode mode, MigrationContext context, Duration progressTimeout) {
        this.ep = ep;
        this.policy = policy;
        this.mode = mode;
        this.context = context;
        this.progressTimeout = progressTimeout;
    }

    public MigrationResult run(Controls controls) throws IOException, InterruptedException {
        controls.requireClaim("touching QEMU");
        String orphan = cancelOrphan(ep.source());
        if (orphan != null) {
            // Its destination gave up with it: starting over needs a fresh destination, so this attempt ends here.
            throw new PrecheckFailed(List.of(orphan));
        }
        List<String> failed = QemuPrechecks.failures(ep.source(), ep.destination());
        if (!failed.isEmpty()) {
            throw new PrecheckFailed(failed);
        }
        controls.requireClaim("starting the migration");
        configure();
        ep.destination().execute("migrate-incoming", Map.of("uri", ep.uri()), CALL);
        ep.source().execute("migrate", Map.of("uri", ep.uri()), CALL);
        return follow(controls);
    }

    /**
     * A worker that dies mid-migration leaves QEMU migrating on its own, and it could switch the guest over while the
     * scheduler has already failed the migration and inventory keeps the VM on the source. Whoever meets such an
     * orphan (a new START, or a CANCEL for a migration this worker does not run) cancels it, so the guest stays on the
     * source. Returns what was found and done, or null when no migration was running.
     */
    public static String cancelOrphan(QmpClient source) throws IOException, InterruptedException {
        String status = source.execute("query-migrate", null, CALL).path("status").asText("none");
        if (!List.of("setup", "active", "pre-switchover", "device", "wait-unplug").contains(status)) {
            return null; // none, completed, failed, cancelled; postcopy-active cannot be undone: the guest lives there
        }
        source.execute("migrate_cancel", null, CALL);
        long deadline = System.nanoTime() + CALL.toNanos();
        String now = status;
        while (System.nanoTime() < deadline && !List.of("cancelled", "completed", "failed").contains(now)) {
            Thread.sleep(100);
            now = source.execute("query-migrate", null, CALL).path("status").asText();
        }
        return "a migration left by a worker that stopped was still " + status + " on the source; migrate_cancel ended it ("
                + now + "), the VM runs on the source";
    }

    private void configure() throws IOException {
        boolean postCopy = context.limits().postCopyAllowed() && mode == Mode.STEERED;
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
        if (mode == Mode.STEERED && autoConverge) {
            // Auto-converge is only the means: it may not throttle past 1 % and only on a real stall until the
            // policy sets the ceiling; then it goes straight to the policy's figure.
            params.put("throttle-trigger-threshold", 100);
            params.put("cpu-throttle-initial", 1);
            params.put("cpu-throttle-increment", 99);
            params.put("max-cpu-throttle", 1);
        }
        ep.source().execute("migrate-set-parameters", params, CALL);
    }

    private MigrationResult follow(Controls controls) throws IOException, InterruptedException {
        List<RoundRecord> rounds = new ArrayList<>();
        long startNanos = System.nanoTime();
        long lastProgress = startNanos;
        double passSeconds = 0;
        JsonNode passRam = null;
        boolean stopped = false;
        boolean cancelSent = false;
        boolean policyAborted = false;
        boolean postCopy = false;
        int throttleSet = 0;
        String stopReason = "QEMU's rule: pending bytes fit bandwidth x downtime-limit";
        String abortReason = null;
        while (true) {
            // A worker that lost its claim stops here, whatever QEMU does: the migration's new owner steers it.
            controls.requireClaim("steering QEMU");
            if (controls.cancelRequested() && !cancelSent) {
                ep.source().execute("migrate_cancel", null, CALL);
                cancelSent = true;
            }
            JsonNode ev = ep.source().nextEvent(Duration.ofMillis(200));
            long now = System.nanoTime();
            if (ev == null) {
                if (now - lastProgress > progressTimeout.toNanos()) {
                    ep.source().execute("migrate_cancel", null, CALL);
                    throw new IOException("no migration pass from QEMU for " + progressTimeout.toSeconds() + " s; cancelled");
                }
                continue;
            }
            if (now - startNanos > context.limits().deadlineSeconds() * 1e9 && !cancelSent && !stopped) {
                abortReason = String.format("past the %.0f s deadline", context.limits().deadlineSeconds());
                policyAborted = true;
                cancelSent = true;
                ep.source().execute("migrate_cancel", null, CALL);
            }
            lastProgress = now;
            String name = ev.path("event").asText();
            if (name.equals("STOP")) {
                stopped = true;
            } else if (name.equals("MIGRATION_PASS")) {
                JsonNode q = ep.source().execute("query-migrate", null, CALL);
                double t = (now - startNanos) / 1e9;
                if (passRam != null) {
                    RoundRecord round = liveRound(rounds.size() + 1, passRam, q, t - passSeconds);
                    // The operator's force-complete is applied even when QEMU is otherwise left to its own rules.
                    boolean forced = !stopped && controls.forceCompleteRequested();
                    Decision decision = stopped ? Decision.stop(stopReason)
                            : PreCopyEngine.decide(policy, rounds, round, controls, context);
                    round = round.decided(decision);
                    rounds.add(round);
                    controls.roundCompleted(round);
                    if (!stopped && (mode == Mode.STEERED || forced)) {
                        switch (decision.action()) {
                            case CONTINUE -> throttleSet = applyThrottle(decision.throttlePercent(), throttleSet);
                            case STOP_AND_COPY -> {
                                stopReason = decision.reason();
                                ep.source().execute("migrate-set-parameters", Map.of("downtime-limit", STOP_NOW_MILLIS), CALL);
                            }
                            case POST_COPY -> {
                                stopReason = decision.reason();
                                ep.source().execute("migrate-start-postcopy", null, CALL);
                            }
                            case ABORT -> {
                                abortReason = decision.reason();
                                policyAborted = true;
                                ep.source().execute("migrate_cancel", null, CALL);
                            }
                        }
                    }
                }
                passRam = q.path("ram");
                passSeconds = t;
            } else if (name.equals("MIGRATION")) {
                String status = ev.path("data").path("status").asText();
                switch (status) {
                    case "postcopy-active" -> postCopy = true;
                    case "completed" -> {
                        JsonNode q = ep.source().execute("query-migrate", null, CALL);
                        RoundRecord last = finalPhase(rounds.size() + 1, passRam, q, postCopy);
                        controls.roundCompleted(last);
                        String why = policyAborted ? "QEMU completed before the abort took effect (" + abortReason + ")" : stopReason;
                        return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, last, q.path("downtime").asLong(),
                                q.path("total-time").asLong(), q.path("ram").path("transferred").asLong(), why);
                    }
                    case "failed" -> {
                        JsonNode q = ep.source().execute("query-migrate", null, CALL);
                        throw new IOException("QEMU failed the migration: " + q.path("error-desc").asText("no reason given"));
                    }
                    case "cancelled" -> {
                        // after a cancel QEMU no longer reports ram statistics: the last pass's figure is what was sent
                        long sent = Math.max(passRam == null ? 0 : passRam.path("transferred").asLong(),
                                ep.source().execute("query-migrate", null, CALL).path("ram").path("transferred").asLong());
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

    /** Auto-converge's ceiling becomes the policy's throttle; it acts at QEMU's next check (about a second). */
    private int applyThrottle(int percent, int current) throws IOException {
        if (percent <= current || percent <= 0) {
            return current;
        }
        int p = Math.min(99, percent);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", 1);
        params.put("cpu-throttle-initial", p);
        params.put("max-cpu-throttle", p);
        ep.source().execute("migrate-set-parameters", params, CALL);
        return p;
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
        double rate = ram.path("dirty-pages-rate").asDouble();
        RoundRecord.Sample sample = seconds > 1.5 && rate > 0 ? new RoundRecord.Sample(1.0, Math.round(rate)) : null;
        return new RoundRecord(number, RoundRecord.Kind.LIVE, normal + zero, bytes, zero, 0, dirtyPages, seconds, bandwidth,
                dirtyPages, remaining, q.path("expected-downtime").asLong(Math.round(remaining * 1000.0 / bandwidth)),
                q.path("cpu-throttle-percentage").asInt(0), sample, null);
    }

    private RoundRecord finalPhase(int number, JsonNode before, JsonNode q, boolean postCopy) {
        JsonNode ram = q.path("ram");
        long bytes = ram.path("transferred").asLong() - (before == null ? 0 : before.path("transferred").asLong());
        long zero = ram.path("duplicate").asLong() - (before == null ? 0 : before.path("duplicate").asLong());
        long normal = ram.path("normal").asLong() - (before == null ? 0 : before.path("normal").asLong());
        long downtime = q.path("downtime").asLong();
        double seconds = downtime / 1000.0;
        return new RoundRecord(number, postCopy ? RoundRecord.Kind.POST_COPY : RoundRecord.Kind.STOP_AND_COPY, normal + zero,
                bytes, zero, 0, 0, seconds, seconds > 0 ? bytes / seconds : 0, 0, 0, downtime, 0, null, null);
    }
}
