package dev.ferry.model.engine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Runs one pre-copy migration over a {@link Hypervisor}, in the hypervisor's time. Round 1 sends every page;
 * each later round sends the pages the dirty bitmap collected while the previous one ran (or, passing as QEMU does,
 * stops with some unsent: {@link Passes}); zero pages are
 * announced, not sent. The guest runs while pages are copied (in slices, so a page written before its turn
 * goes out fresh and is still dirty for the next round). After every live round the policy decides: another
 * round at some throttle, stop-and-copy, post-copy or abort. A cancel, checked before and after every round,
 * leaves the guest running on the source; a force-complete stops and copies after the current round.
 */
public final class PreCopyEngine {
    public static final int PAGE_SIZE = 4096;
    /** A zero page costs a header on the wire, not 4 KiB. */
    static final int ZERO_PAGE_BYTES = 8;
    /** Resume on the destination plus network announce, after the last byte (Clark et al.: 9-40 ms). */
    public static final long SWITCHOVER_MILLIS = 15;
    /** Whatever the policy says, no run goes on forever: QEMU's default alone never stops a hot guest. */
    public static final int ROUND_CAP = 100;
    /** The guest runs between slices of at most this many pages (and at least 64 slices a full round). */
    static final int SLICE_PAGES = 2048;
    /**
     * The short window of the dirty curve the real drivers measure as the first pass begins (QEMU's calc-dirty-rate):
     * the simulated first round takes the same look at its bitmap, so that a policy sees here what it sees there.
     */
    public static final double EARLY_SAMPLE_SECONDS = 0.25;
    /** QEMU's rate limit counts the bytes of each 100 ms (BUFFER_DELAY): it sends a window's worth, then looks. */
    static final double QEMU_RATE_WINDOW_SECONDS = 0.1;

    private final Hypervisor hv;
    private final ConvergencePolicy policy;
    /** The link under the operator's own cap: what the migration may use when it has the link to itself. */
    private final MigrationContext planned;
    private MigrationContext context;
    private double bandwidth;
    /**
     * The link's own speed, which the paused final copy gets: a hypervisor lifts its rate limit while the guest is
     * paused (QEMU sets it to unlimited as it completes a migration), so neither the operator's cap nor the share the
     * scheduler gave this migration slows the pause. On the real-guest suite's loopback link the pause did not grow with
     * the bytes left at all (docs/benchmarks/README.md, "The pause at the link's own speed").
     */
    private final double pauseBandwidth;
    private final Passes passes;
    private final int roundCap;

    /**
     * Where a live round ends. The simulator's rounds send every page the last sync found, and the policy looks at the
     * end of each ({@link #WHOLE}). QEMU sends a rate-limit window at a time and looks between windows; it syncs its
     * bitmap only once the pages it has still to send fall under what the downtime limit allows (bandwidth x
     * downtime-limit; migration_iteration_run asks for the exact pending then), and decides there. Its walk of the
     * bitmap goes on from where it stopped: the pages it had not reached come next, in address order with those the sync
     * found ({@link #QEMU}). A forecast of a move QEMU runs passes as QEMU does: in whole passes everything written during
     * a pass is pending at its end, where QEMU would have switched over mid-pass, and a guest near the link was forecast
     * a quarter too slow (docs/benchmarks/README.md, "QEMU's rounds end under the threshold").
     */
    public enum Passes { WHOLE, QEMU }

    public PreCopyEngine(Hypervisor hv, ConvergencePolicy policy, Link link, MigrationLimits limits) {
        this(hv, policy, link, limits, Passes.WHOLE);
    }

    public PreCopyEngine(Hypervisor hv, ConvergencePolicy policy, Link link, MigrationLimits limits, Passes passes) {
        this(hv, policy, link, limits, passes, ROUND_CAP);
    }

    /** @param roundCap the live rounds after which the engine gives up ({@link #ROUND_CAP} unless QEMU runs on alone) */
    public PreCopyEngine(Hypervisor hv, ConvergencePolicy policy, Link link, MigrationLimits limits, Passes passes, int roundCap) {
        this.passes = passes;
        this.roundCap = roundCap;
        this.hv = hv;
        this.policy = policy;
        this.planned = MigrationContext.of((long) hv.pages() * PAGE_SIZE, link, limits);
        this.context = planned;
        this.bandwidth = planned.bandwidthBytesPerSecond();
        this.pauseBandwidth = link.bandwidthBytesPerSecond();
    }

    /** Link without per-round overhead, QEMU-like defaults with the given downtime target: for short tests. */
    public PreCopyEngine(Hypervisor hv, ConvergencePolicy policy, double bandwidthBytesPerSecond, long maxDowntimeMillis) {
        this(hv, policy, new Link(bandwidthBytesPerSecond, 0), MigrationLimits.defaults(maxDowntimeMillis));
    }

    public MigrationContext context() {
        return context;
    }

    public MigrationResult run(Controls controls) {
        List<RoundRecord> rounds = new ArrayList<>();
        BitSet toSend = new BitSet(hv.pages());
        toSend.set(0, hv.pages());
        hv.syncDirtyBitmap(); // start with a clean bitmap: everything is in round 1 anyway
        cursor = 0;
        double seconds = 0;
        long bytes = 0;
        int throttle = 0;
        while (true) {
            controls.requireClaim("starting round " + (rounds.size() + 1));
            if (controls.cancelRequested()) {
                return cancelled(rounds, seconds, bytes);
            }
            followShare(controls);
            RoundRecord round = liveRound(rounds.size() + 1, toSend, throttle);
            controls.pace(round);
            seconds += round.seconds();
            bytes += round.bytesSent();
            toSend = dirtyAtRoundEnd;
            Decision decision = decide(policy, rounds, round, controls, context, roundCap);
            round = round.decided(decision);
            rounds.add(round);
            controls.roundCompleted(round);
            controls.requireClaim("acting on round " + round.round() + "'s decision");
            if (controls.cancelRequested()) {
                return cancelled(rounds, seconds, bytes);
            }
            switch (decision.action()) {
                case CONTINUE -> throttle = Math.min(decision.throttlePercent(), context.limits().maxThrottlePercent());
                case ABORT -> {
                    hv.resumeOnSource();
                    return new MigrationResult(MigrationResult.Outcome.ABORTED, rounds, null, 0, millis(seconds), bytes,
                            decision.reason() + "; the guest runs on the source");
                }
                case STOP_AND_COPY -> {
                    followShare(controls);
                    hv.pauseOnSource();
                    RoundRecord last = copy(rounds.size() + 1, RoundRecord.Kind.STOP_AND_COPY, toSend, 0, pauseBandwidth);
                    controls.pace(last);
                    controls.requireClaim("switching the guest over"); // a lost claim leaves it paused on the source: its new owner decides
                    hv.resumeOnDestination();
                    controls.roundCompleted(last);
                    long downtime = millis(last.seconds()) + SWITCHOVER_MILLIS;
                    return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, last, downtime,
                            millis(seconds + last.seconds()) + SWITCHOVER_MILLIS, bytes + last.bytesSent(), decision.reason());
                }
                case POST_COPY -> {
                    // Pause, hand over the CPU state, run on the destination; the rest is pulled in the background
                    // while the guest runs there (its page faults are what it pays instead of downtime).
                    hv.pauseOnSource();
                    hv.resumeOnDestination();
                    RoundRecord pull = copy(rounds.size() + 1, RoundRecord.Kind.POST_COPY, toSend, 0, bandwidth);
                    controls.pace(pull);
                    controls.roundCompleted(pull);
                    return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, pull, SWITCHOVER_MILLIS,
                            millis(seconds + pull.seconds()) + SWITCHOVER_MILLIS, bytes + pull.bytesSent(), decision.reason());
                }
            }
        }
    }

    /**
     * Takes the share of the links the scheduler gave this migration (never more than the link and the operator's
     * cap allow), so that the round about to start, the policy's view and its estimates all use it.
     */
    private void followShare(Controls controls) {
        context = planned.sharing(controls.bandwidthCapBytesPerSecond());
        bandwidth = context.bandwidthBytesPerSecond();
    }

    /**
     * What follows a live round, whichever driver ran it (this engine, or QEMU and libvirt running their own rounds):
     * the operator's force-complete first, then the engine's round cap, then the policy. One copy, so that a
     * simulated and a real migration are steered alike.
     *
     * @param earlier every live round before {@code latest}
     */
    public static Decision decide(ConvergencePolicy policy, List<RoundRecord> earlier, RoundRecord latest, Controls controls,
            MigrationContext context) {
        return decide(policy, earlier, latest, controls, context, ROUND_CAP);
    }

    private static Decision decide(ConvergencePolicy policy, List<RoundRecord> earlier, RoundRecord latest, Controls controls,
            MigrationContext context, int roundCap) {
        if (controls.forceCompleteRequested()) {
            return Decision.stop("stop-and-copy forced by the operator after round " + latest.round());
        }
        List<RoundRecord> withLatest = new ArrayList<>(earlier);
        withLatest.add(latest);
        if (withLatest.size() >= roundCap) {
            return Decision.abort("did not converge in the engine's cap of " + roundCap + " rounds");
        }
        return policy.decide(withLatest, context);
    }

    private MigrationResult cancelled(List<RoundRecord> rounds, double seconds, long bytes) {
        hv.resumeOnSource();
        return new MigrationResult(MigrationResult.Outcome.CANCELLED, rounds, null, 0, millis(seconds), bytes,
                "cancelled by the operator after round " + rounds.size() + "; the guest runs on the source");
    }

    /** Copies the pages in slices with the guest running (and dirtying) for as long as each slice takes. */
    private RoundRecord liveRound(int number, BitSet pages, int throttle) {
        hv.runGuest(context.roundOverheadSeconds(), throttle);
        RoundRecord r = copy(number, RoundRecord.Kind.LIVE, pages, throttle, bandwidth);
        dirtyAtRoundEnd = hv.syncDirtyBitmap();
        dirtyAtRoundEnd.or(unsent);
        long dirty = dirtyAtRoundEnd.cardinality();
        long remainingBytes = dirty * PAGE_SIZE;
        return new RoundRecord(number, RoundRecord.Kind.LIVE, r.pagesSent(), r.bytesSent(), r.zeroPages(), r.pagesSkipped(),
                dirty, r.seconds() + context.roundOverheadSeconds(), bandwidth, dirty, remainingBytes,
                expectedDowntimeMillis(remainingBytes), hv.throttleInForce(throttle), r.earlySample(), null);
    }

    /** @param bandwidth the round's rate: the share or cap while the guest runs, the link's own while it is paused */
    private RoundRecord copy(int number, RoundRecord.Kind kind, BitSet pages, int throttle, double bandwidth) {
        boolean live = kind == RoundRecord.Kind.LIVE;
        boolean skip = live && number > 1 && policy.skipsRedirtiedPages();
        long sent = 0;
        long zero = 0;
        long skipped = 0;
        long wireBytes = 0;
        long sliceBytes = 0;
        int inSlice = 0;
        int slicePages = Math.max(1, Math.min(SLICE_PAGES, hv.pages() / 64));
        // The first round takes the drivers' early look at the bitmap: a short window on the dirty curve.
        double expectedSeconds = (double) pages.cardinality() * PAGE_SIZE / bandwidth;
        double sampleAt = live && number == 1 && expectedSeconds > EARLY_SAMPLE_SECONDS ? EARLY_SAMPLE_SECONDS : Double.MAX_VALUE;
        RoundRecord.Sample sample = null;
        boolean qemu = live && passes == Passes.QEMU;
        long left = qemu ? pages.cardinality() : 0;
        // QEMU sends one rate-limit window's bytes at a time and looks at its pending between them
        double window = qemu ? bandwidth * QEMU_RATE_WINDOW_SECONDS : Double.MAX_VALUE;
        long syncBelow = qemu ? (long) (QemuDefaultPolicy.thresholdBytes(bandwidth, context.maxDowntimeMillis()) / PAGE_SIZE) : 0;
        long lookedAt = 0;
        unsent = new BitSet();
        // QEMU walks its bitmap on from where its last look stopped
        int start = qemu ? cursor : 0;
        for (int p = first(pages, start); p >= 0; p = after(pages, p, start)) {
            left--;
            if (qemu) {
                cursor = p + 1;
            }
            if (skip && hv.isDirty(p)) {
                skipped++; // written again since the round began: it goes out next round anyway
            } else {
                hv.copyToDestination(p);
                long cost = hv.isZeroPage(p) ? ZERO_PAGE_BYTES : PAGE_SIZE;
                if (cost == ZERO_PAGE_BYTES) {
                    zero++;
                } else {
                    sent++;
                }
                sliceBytes += cost;
            }
            // a slice ends at a window's end too, so that QEMU's looks come every window, not every few slices
            if (live && (++inSlice == slicePages || wireBytes + sliceBytes - lookedAt >= window)) {
                hv.runGuest(sliceBytes / bandwidth, throttle);
                wireBytes += sliceBytes;
                sliceBytes = 0;
                inSlice = 0;
                if (sample == null && wireBytes / bandwidth >= sampleAt) {
                    sample = new RoundRecord.Sample(wireBytes / bandwidth + context.roundOverheadSeconds(), hv.dirtyCount());
                }
                if (wireBytes - lookedAt >= window) {
                    lookedAt = wireBytes;
                    if (left > 0 && left < syncBelow) { // QEMU syncs now, with these pages still to send
                        unsent = (BitSet) pages.clone();
                        if (p >= start) {
                            unsent.clear(start, p + 1);
                        } else {
                            unsent.clear(start, Math.max(start, pages.length()));
                            unsent.clear(0, p + 1);
                        }
                        break;
                    }
                }
            }
        }
        if (live && sliceBytes > 0) {
            hv.runGuest(sliceBytes / bandwidth, throttle);
        }
        wireBytes += sliceBytes;
        return new RoundRecord(number, kind, sent + zero, wireBytes, zero, skipped, 0, wireBytes / bandwidth, bandwidth, 0, 0,
                live ? 0 : millis(wireBytes / bandwidth) + SWITCHOVER_MILLIS, throttle, sample, null);
    }

    /** The first page of {@code pages} from {@code start} on, wrapping round to the pages before it; -1 for none. */
    private static int first(BitSet pages, int start) {
        int p = pages.nextSetBit(start);
        if (p >= 0) {
            return p;
        }
        p = pages.nextSetBit(0);
        return p < start ? p : -1;
    }

    /** The page after {@code p} in a walk of {@code pages} that began at {@code start} and wraps round once; -1 at its end. */
    private static int after(BitSet pages, int p, int start) {
        int next = pages.nextSetBit(p + 1);
        if (p >= start) {
            if (next >= 0) {
                return next;
            }
            next = pages.nextSetBit(0); // wrapped: the pages before the start
        }
        return next >= 0 && next < start ? next : -1;
    }

    private long expectedDowntimeMillis(long remainingBytes) {
        return Math.round(remainingBytes * 1000.0 / bandwidth) + SWITCHOVER_MILLIS;
    }

    /** The bitmap synced at the end of the latest live round: what the next round sends. */
    private BitSet dirtyAtRoundEnd = new BitSet();
    /** The pages the latest live round left unsent (QEMU's passes only): they go in the next one, or the pause. */
    private BitSet unsent = new BitSet();
    /** Where QEMU's walk of its bitmap goes on (QEMU's passes only). */
    private int cursor;

    private static long millis(double seconds) {
        return Math.round(seconds * 1000);
    }
}
