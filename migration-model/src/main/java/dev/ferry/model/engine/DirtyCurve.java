package dev.ferry.model.engine;

import java.util.List;

/**
 * The guest's dirty curve: distinct pages written in a window of t seconds of (unthrottled) guest time,
 * d(t) = W (1 - e^(-r t / W)), where r is the rate at which it writes new pages and W its writable working set.
 * Real workloads saturate like this (REFERENCE.md: "the bytes dirtied in a window follow a concave curve capped
 * by the writable working set"); the geometric textbook model is the special case of an infinite W. Fitted from
 * the latest rounds, each a window (its duration x the share of time the throttle left the vCPUs) and the pages
 * the bitmap collected in it.
 */
public record DirtyCurve(double ratePagesPerSecond, double workingSetPages) {
    /** Only the latest rounds: a guest that changes phase must not be judged by its past. */
    static final int RECENT = 3;
    private static final int GRID = 60;

    public double pagesIn(double guestSeconds) {
        if (ratePagesPerSecond <= 0 || guestSeconds <= 0) {
            return 0;
        }
        return workingSetPages * -Math.expm1(-ratePagesPerSecond * guestSeconds / workingSetPages);
    }

    /** Fits W and r to the latest rounds; W ranges from the largest observation up to all of memory. */
    public static DirtyCurve fit(List<RoundRecord> rounds, long totalPages) {
        List<Window> recent = windows(rounds.subList(Math.max(0, rounds.size() - RECENT), rounds.size()));
        double maxSeen = recent.stream().mapToDouble(Window::pages).max().orElse(0);
        if (maxSeen == 0) {
            return new DirtyCurve(0, Math.max(1, totalPages));
        }
        double lowest = Math.min(totalPages, maxSeen * 1.0001 + 1);
        DirtyCurve best = null;
        double bestError = Double.MAX_VALUE;
        for (int i = 0; i <= GRID; i++) {
            double w = lowest * Math.pow(Math.max(1.0, totalPages / lowest), i / (double) GRID);
            double rate = rateFor(recent, w);
            DirtyCurve candidate = new DirtyCurve(rate, w);
            double error = 0;
            for (Window r : recent) {
                double predicted = candidate.pagesIn(r.guestSeconds());
                double diff = Math.log1p(predicted) - Math.log1p(r.pages());
                error += diff * diff;
            }
            if (error < bestError - 1e-12) {
                bestError = error;
                best = candidate;
            }
        }
        return best;
    }

    /** The write rate each round implies for a working set of w pages, averaged in log space. */
    private static double rateFor(List<Window> recent, double w) {
        double logSum = 0;
        int n = 0;
        for (Window r : recent) {
            double t = r.guestSeconds();
            if (t <= 0 || r.pages() <= 0) {
                continue;
            }
            double share = Math.min(r.pages() / w, 0.999999);
            logSum += Math.log(-w * Math.log1p(-share) / t);
            n++;
        }
        return n == 0 ? 0 : Math.exp(logSum / n);
    }

    /** One observation: so many distinct pages written in so many seconds of unthrottled guest time. */
    record Window(double guestSeconds, double pages) {
    }

    /** Each round is a window; a round's early sample is a second, shorter one. */
    static List<Window> windows(List<RoundRecord> rounds) {
        List<Window> windows = new java.util.ArrayList<>();
        for (RoundRecord r : rounds) {
            double share = (100 - r.throttlePercent()) / 100.0;
            if (r.earlySample() != null) {
                windows.add(new Window(r.earlySample().seconds() * share, r.earlySample().pages()));
            }
            windows.add(new Window(r.seconds() * share, r.pagesDirtied()));
        }
        return windows;
    }
}
