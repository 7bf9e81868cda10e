package dev.ferry.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether QEMU's pause grows with what was left to copy, from the rounds logs of the real-guest suite: for each move
 * that succeeded without a throttle in force when it stopped, the bytes pending at the first stop-and-copy decision
 * and the downtime QEMU reported. A pause copied at the cap would grow by 1,000 / cap ms per MB (10 ms per MB at
 * 100 MiB/s); QEMU lifts its rate limit as it completes, so on a fast link it barely grows. The evidence for the
 * engine's pause at the link's own speed ({@code ./ferry pause-vs-pending ROUNDS.txt...}).
 */
public final class PauseVsPending {
    static final long PAGE = 4096;

    private PauseVsPending() {
    }

    /** One move: MB pending at its stop (10^6 bytes), its pause in ms. */
    record Stop(double pendingMb, long downtimeMillis) {
    }

    /** The least-squares line of pause over pending, and the median pause of nearly empty and of full stops. */
    record Fit(int moves, double millisPerMb, double interceptMillis, double medianEmpty, int empty, double medianFull, int full,
            double meanFullMb) {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            fail("usage: PauseVsPending ROUNDS.txt...");
        }
        try {
            List<String> rows = new ArrayList<>();
            for (String file : args) {
                Fit f = fit(stops(ForecastReplay.read(file)));
                rows.add(String.format(Locale.ROOT, "| %s | %d | %+.2f | %.1f | %.0f ms (%d moves) | %.0f ms (%d moves, %.1f MB) |",
                        file, f.moves(), f.millisPerMb(), f.interceptMillis(), f.medianEmpty(), f.empty(), f.medianFull(),
                        f.full(), f.meanFullMb()));
            }
            System.out.println("| rounds log | moves | slope (ms per MB) | intercept (ms) | median pause, < 1 MB pending | "
                    + "median pause, >= 20 MB pending (mean MB) |");
            System.out.println("|---|---:|---:|---:|---|---|");
            rows.forEach(System.out::println);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
    }

    private static void fail(String message) {
        System.err.println("pause-vs-pending: " + message);
        System.exit(2);
    }

    /**
     * The stops of a rounds log: moves that succeeded and whose first stop-and-copy came with no throttle in force, each
     * with what was pending then. Where QEMU's own rule ended a pass, the driver logs the paused final pass itself as
     * that line (nothing left after it): then its pages are what the pause copied.
     */
    static List<Stop> stops(String log) {
        List<Stop> out = new ArrayList<>();
        for (RoundsLog.Move m : RoundsLog.parse(log)) {
            if (!m.outcome().equals("SUCCEEDED")) {
                continue;
            }
            m.rounds().stream().filter(r -> "STOP_AND_COPY".equals(r.action())).findFirst()
                    .filter(r -> r.throttlePercent() == 0)
                    .ifPresent(r -> out.add(new Stop((r.endedByQemusRule() ? r.pages() : r.left()) * PAGE / 1e6, m.downtimeMillis())));
        }
        return out;
    }

    static Fit fit(List<Stop> stops) {
        int n = stops.size();
        if (n < 2) {
            throw new IllegalArgumentException("fewer than two stops to fit a line through: " + n);
        }
        double mx = stops.stream().mapToDouble(Stop::pendingMb).average().orElse(0);
        double my = stops.stream().mapToDouble(Stop::downtimeMillis).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (Stop s : stops) {
            sxy += (s.pendingMb() - mx) * (s.downtimeMillis() - my);
            sxx += (s.pendingMb() - mx) * (s.pendingMb() - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        List<Stop> empty = stops.stream().filter(s -> s.pendingMb() < 1).toList();
        List<Stop> full = stops.stream().filter(s -> s.pendingMb() >= 20).toList();
        return new Fit(n, slope, my - slope * mx, median(empty), empty.size(), median(full), full.size(),
                full.stream().mapToDouble(Stop::pendingMb).average().orElse(Double.NaN));
    }

    private static double median(List<Stop> stops) {
        double[] d = stops.stream().mapToDouble(Stop::downtimeMillis).sorted().toArray();
        if (d.length == 0) {
            return Double.NaN;
        }
        return d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
    }
}
