package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Admission control: a migration is admitted when its forecast, run under everything the request allows, converges
 * within the request's limits. One that is predicted not to is refused before it takes a slot, with every single
 * change that is predicted to make it converge, least disruptive first: a longer downtime target (up to what the
 * fleet's operators allow), another host with a faster link, a higher throttle ceiling, post-copy, Ferry's policy.
 * Plain Java: each answer is a handful of forecasts in virtual time.
 */
public final class Admission {
    /** Suggested downtime targets are rounded up to this, so that an operator reads 460 ms, not 453 ms. */
    static final long DOWNTIME_STEP_MILLIS = 10;
    /** Suggested throttle ceilings are multiples of this, the granularity Ferry's policy steps in. */
    static final int THROTTLE_STEP = 5;
    /** QEMU's own ceiling: nothing higher can be asked. */
    static final int MAX_THROTTLE = 99;
    static final String FERRY = "ferry";

    /** What is asked: the VM's memory over the chosen destination's link, under the request's limits and policy. */
    public record Case(long memoryBytes, double bandwidthBytesPerSecond, MigrationLimits limits, DirtyModel dirty,
            String policy) {
        public Forecast forecast() {
            return with(limits, bandwidthBytesPerSecond, policy);
        }

        Forecast with(MigrationLimits l, double bandwidth, String p) {
            return Forecaster.forecast(memoryBytes, bandwidth, l, dirty, p);
        }
    }

    /** Another compatible host of the VM's cluster, with the link the migration would get there. */
    public record Alternative(long hostId, String hostName, double bandwidthBytesPerSecond) {
    }

    /**
     * One change to the request predicted to make the migration converge.
     *
     * @param field    the request's field to change
     * @param value    its new value
     * @param change   the change in words
     * @param forecast the forecast with the change made
     */
    public record Suggestion(String field, Object value, String change, Forecast forecast) {
    }

    /**
     * The verdict on a request.
     *
     * @param forecast    the forecast under the request's limits
     * @param why         why it is refused, in words (null when admitted)
     * @param suggestions the changes predicted to make it converge, least disruptive first (empty when admitted)
     */
    public record Verdict(boolean admitted, Forecast forecast, String why, List<Suggestion> suggestions) {
    }

    private Admission() {
    }

    /** Converged, and with a pause within the target: some policies stop above it (Xen after its last iteration). */
    public static boolean withinLimits(Forecast f, MigrationLimits limits) {
        return f.converges() && f.downtimeMillis() <= limits.maxDowntimeMillis();
    }

    /**
     * Whether a request with this forecast is admitted. Only a forecast from evidence (the VM's own history) refuses:
     * the typical assumption for a VM never seen says too little of that VM to turn it away.
     */
    public static boolean admits(Case c, Forecast f) {
        return withinLimits(f, c.limits()) || c.dirty().assumed();
    }

    /**
     * @param others                other compatible hosts (the chosen one may be among them; it is skipped)
     * @param longestDowntimeMillis the longest downtime target a suggestion may name: what the operators allow
     */
    public static Verdict judge(Case c, List<Alternative> others, long longestDowntimeMillis) {
        Forecast f = c.forecast();
        if (admits(c, f)) {
            return new Verdict(true, f, null, List.of());
        }
        return new Verdict(false, f, why(c, f), suggest(c, others, longestDowntimeMillis));
    }

    static String why(Case c, Forecast f) {
        String load = String.format(Locale.ROOT, "dirtying %.0f MiB/s over a %.0f MiB working set against a %.0f MiB/s link",
                c.dirty().dirtyPagesPerSecond() * 4096 / (1 << 20), c.dirty().hotPages() * 4096.0 / (1 << 20),
                c.bandwidthBytesPerSecond() / (1 << 20));
        String end = f.converges()
                ? String.format(Locale.ROOT, "policy %s would switch over with %d ms downtime against the %d ms target",
                        c.policy(), f.downtimeMillis(), c.limits().maxDowntimeMillis())
                : String.format(Locale.ROOT, "policy %s would give up after %d rounds (%s)", c.policy(), f.rounds(), f.reason());
        return end + "; " + load + "; " + f.basis();
    }

    static List<Suggestion> suggest(Case c, List<Alternative> others, long longestDowntimeMillis) {
        List<Suggestion> out = new ArrayList<>();
        downtime(c, longestDowntimeMillis).ifPresent(out::add);
        fasterHost(c, others).ifPresent(out::add);
        throttle(c).ifPresent(out::add);
        if (!c.limits().postCopyAllowed()) {
            Forecast f = c.with(c.limits().withPostCopy(true), c.bandwidthBytesPerSecond(), c.policy());
            if (withinLimits(f, c.limits())) {
                out.add(new Suggestion("allowPostCopy", true, "allow post-copy (the guest runs on the destination before all "
                        + "memory has arrived; if the link fails then, the guest is lost)", f));
            }
        }
        if (!FERRY.equals(c.policy())) {
            Forecast f = c.with(c.limits(), c.bandwidthBytesPerSecond(), FERRY);
            if (withinLimits(f, c.limits())) {
                out.add(new Suggestion("policy", FERRY, "steer with Ferry's policy instead of " + c.policy(), f));
            }
        }
        return out;
    }

    /** The shortest downtime target, above the asked one and within the longest allowed, that converges. */
    static Optional<Suggestion> downtime(Case c, long longestDowntimeMillis) {
        long asked = c.limits().maxDowntimeMillis();
        int from = (int) (asked / DOWNTIME_STEP_MILLIS + 1);
        int to = (int) (longestDowntimeMillis / DOWNTIME_STEP_MILLIS);
        return smallest(c, from, to, step -> c.limits().withMaxDowntime(step * DOWNTIME_STEP_MILLIS)).map(found -> {
            long target = found.limits().maxDowntimeMillis();
            return new Suggestion("maxDowntimeMillis", target, String.format(Locale.ROOT,
                    "a downtime target of %d ms (asked %d ms; operators allow up to %d ms)", target, asked, longestDowntimeMillis),
                    found.forecast());
        });
    }

    /** Of the hosts with a faster link than the chosen one, the one predicted to finish first. */
    static Optional<Suggestion> fasterHost(Case c, List<Alternative> others) {
        return others.stream().filter(o -> o.bandwidthBytesPerSecond() > c.bandwidthBytesPerSecond())
                .map(o -> new Suggestion("targetHostId", o.hostId(), String.format(Locale.ROOT,
                        "host %s, whose link carries %.0f MiB/s against %.0f MiB/s", o.hostName(),
                        o.bandwidthBytesPerSecond() / (1 << 20), c.bandwidthBytesPerSecond() / (1 << 20)),
                        c.with(c.limits(), o.bandwidthBytesPerSecond(), c.policy())))
                .filter(s -> withinLimits(s.forecast(), c.limits()))
                .min(Comparator.comparingLong(s -> s.forecast().totalTimeMillis()));
    }

    /** The lowest throttle ceiling above the asked one that converges: steps of 5 %, the last one QEMU's 99. */
    static Optional<Suggestion> throttle(Case c) {
        int asked = c.limits().maxThrottlePercent();
        int from = asked / THROTTLE_STEP + 1;
        int to = MAX_THROTTLE / THROTTLE_STEP + 1;
        return smallest(c, from, to, step -> c.limits().withMaxThrottle(Math.min(MAX_THROTTLE, step * THROTTLE_STEP)))
                .map(found -> new Suggestion("throttleCeilingPercent", found.limits().maxThrottlePercent(), String.format(Locale.ROOT,
                        "a throttle ceiling of %d %% (asked %d %%): the guest's vCPUs are slowed while memory is copied",
                        found.limits().maxThrottlePercent(), asked), found.forecast()));
    }

    private record Trial(MigrationLimits limits, Forecast forecast) {
        boolean converges() {
            return withinLimits(forecast, limits);
        }
    }

    /**
     * The tightest limit that converges: the smallest step in [from, to] whose forecast converges within its own
     * limits, by bisection. A looser limit does not make a migration that converged fail, so convergence is taken as monotone in
     * the step. Empty when even {@code to} does not converge.
     */
    private static Optional<Trial> smallest(Case c, int from, int to, IntFunction<MigrationLimits> limitsAt) {
        if (from > to) {
            return Optional.empty();
        }
        IntFunction<Trial> trial = step -> {
            MigrationLimits l = limitsAt.apply(step);
            return new Trial(l, c.with(l, c.bandwidthBytesPerSecond(), c.policy()));
        };
        Trial best = trial.apply(to);
        if (!best.converges()) {
            return Optional.empty();
        }
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Trial t = trial.apply(mid);
            if (t.converges()) {
                hi = mid;
                best = t;
            } else {
                lo = mid + 1;
            }
        }
        return Optional.of(best);
    }
}
