package dev.ferry.model.forecast;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Forecasts a migration by running it: the very pre-copy engine and convergence policy a worker runs, over a
 * simulated guest that writes uniformly over the dirty model's working set, in virtual time. A forecast and a
 * migration therefore share every constant and every decision rule.
 *
 * <p>The guest is scaled down to at most {@value #MODEL_PAGES} pages, with its working set, write rate and link
 * scaled by the same factor: every duration (pages over pages per second) and every dirty share stays the same, so
 * only the bytes are scaled back. A 64 GiB forecast costs what a 256 MiB one does.
 */
public final class Forecaster {
    /** 256 MiB of 4 KiB pages: large enough for stable statistics, small enough for thousands of forecasts. */
    static final int MODEL_PAGES = 1 << 16;
    /** Forecasts are deterministic: placement and planning ask the same question for many hosts of one link speed. */
    private static final int CACHED = 4096;
    private static final Map<Key, Forecast> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Forecast> eldest) {
            return size() > CACHED;
        }
    };

    private record Key(long memoryBytes, double bandwidth, MigrationLimits limits, DirtyModel dirty, String policy) {
    }

    private Forecaster() {
    }

    /**
     * A forecast under QEMU's default limits but the downtime target: how hosts compare, whatever else a request says.
     *
     * @param policy a name of {@link Policies#NAMES}: the one the workers run
     */
    public static Forecast forecast(long memoryBytes, double bandwidthBytesPerSecond, long maxDowntimeMillis, DirtyModel dirty,
            String policy) {
        if (maxDowntimeMillis <= 0) {
            throw new IllegalArgumentException("a forecast needs a downtime target > 0, was " + maxDowntimeMillis);
        }
        return forecast(memoryBytes, bandwidthBytesPerSecond, MigrationLimits.defaults(maxDowntimeMillis), dirty, policy);
    }

    /**
     * A forecast under everything the request allows (throttle ceiling, post-copy, deadline): whether the migration
     * converges within its limits.
     *
     * @param policy a name of {@link Policies#NAMES}: the one the workers run
     */
    public static Forecast forecast(long memoryBytes, double bandwidthBytesPerSecond, MigrationLimits limits, DirtyModel dirty,
            String policy) {
        if (memoryBytes < PreCopyEngine.PAGE_SIZE || !(bandwidthBytesPerSecond > 0)) {
            throw new IllegalArgumentException("a forecast needs at least one page of memory and a bandwidth > 0 (memory "
                    + memoryBytes + ", bandwidth " + bandwidthBytesPerSecond + ")");
        }
        Key key = new Key(memoryBytes, bandwidthBytesPerSecond, limits, dirty, policy);
        synchronized (CACHE) {
            Forecast known = CACHE.get(key);
            if (known != null) {
                return known;
            }
        }
        Forecast f = run(key);
        synchronized (CACHE) {
            CACHE.put(key, f);
        }
        return f;
    }

    /** A bandwidth cap shrinks with the link it caps; every other limit is a time or a share and stays. */
    private static MigrationLimits scaled(MigrationLimits limits, double scale) {
        long cap = limits.maxBandwidthBytesPerSecond();
        return cap == 0 ? limits : limits.withBandwidthCap(Math.max(1, Math.round(cap / scale)));
    }

    /**
     * A run that would go on past the deadline (a policy that does not keep it, such as QEMU's, or one past it by its
     * last round) is cancelled there by its worker: the forecast is what ran until then.
     */
    private static Forecast cancelledAtDeadline(Key k, MigrationResult r, double deadline, double scale) {
        int rounds = 0;
        double seconds = 0;
        long bytes = 0;
        double throttle = 0;
        for (var round : r.rounds()) {
            if (seconds + round.seconds() > deadline) {
                break;
            }
            rounds++;
            seconds += round.seconds();
            bytes += round.bytesSent();
            throttle += round.seconds() * round.throttlePercent() / 100.0;
        }
        return new Forecast(rounds, Math.round(deadline * 1000), 0, Math.round(bytes * scale), false, k.policy(),
                k.dirty().basis(), String.format(java.util.Locale.ROOT, "past the %.0f s deadline, where its worker cancels it",
                        deadline), throttle);
    }

    /** The worker cancels a move still running at its deadline: the forecast's run stops there too, and costs no more. */
    private static Controls cancelledPast(double deadlineSeconds) {
        return new Controls() {
            private double elapsed;

            @Override
            public void roundCompleted(RoundRecord round) {
                elapsed += round.seconds();
            }

            @Override
            public boolean cancelRequested() {
                return elapsed > deadlineSeconds;
            }
        };
    }

    private static Forecast run(Key k) {
        long pages = k.memoryBytes() / PreCopyEngine.PAGE_SIZE;
        double scale = Math.max(1.0, (double) pages / MODEL_PAGES);
        int modelPages = (int) Math.max(1, Math.round(pages / scale));
        double hotShare = Math.min(1.0, k.dirty().hotPages() / (double) pages);
        GuestWorkload writes = k.dirty().dirtyPagesPerSecond() <= 0 ? GuestWorkload.idle()
                : GuestWorkload.uniform(hotShare, k.dirty().dirtyPagesPerSecond() / scale);
        // zero pages as a past first pass counted them; none when no pass was seen (every page carries data)
        var guest = new SimulatedGuest(modelPages, k.dirty().zeroShare(), writes, 1);
        var policy = Policies.create(k.policy(), k.memoryBytes());
        Link link = Link.of(k.bandwidth() / scale);
        MigrationLimits limits = scaled(k.limits(), scale);
        // QEMU measured: QEMU runs the move; the forecasts from history or the typical assumption run the policy alone
        double lag = k.dirty().throttleLagSeconds();
        PreCopyEngine engine = lag > 0 ? QemuRun.engine(guest, policy, link, limits, lag)
                : new PreCopyEngine(new LateThrottle(guest, 0), policy, link, limits);
        double deadline = k.limits().deadlineSeconds();
        MigrationResult r = engine.run(cancelledPast(deadline));
        if (r.totalTimeMillis() > deadline * 1000) {
            return cancelledAtDeadline(k, r, deadline, scale);
        }
        return new Forecast(r.roundCount(), r.totalTimeMillis(), r.downtimeMillis(), Math.round(r.bytesSent() * scale),
                r.outcome() == MigrationResult.Outcome.SUCCEEDED, k.policy(), k.dirty().basis(), r.reason(), r.throttleSeconds());
    }
}
