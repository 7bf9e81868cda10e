package dev.ferry.tools.bench;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.scheduler.plan.MeasuredWriting;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The scheduler's forecast of every move of the real-guest suite, made as the scheduler makes it once a worker has
 * measured the guest just before the start (the windows, the fit, the engine in virtual time, the move's own limits and
 * policy), against what the move then did. A forecast of a move that did not converge predicts when it gives up, so
 * every outcome is judged. Pure.
 */
final class QemuForecasts {
    /** The goal of the issue: the median absolute error of total time, on the real-guest suite. */
    static final double GOAL_PERCENT = 10;

    private QemuForecasts() {
    }

    /**
     * One move, forecast and done.
     *
     * @param measured the windows before the start; null when QEMU could not measure (then there is no forecast)
     */
    record Forecasted(QemuRuns.Measured actual, DirtyMeasurement measured, DirtyModel model, Forecast forecast,
            ZeroPagesFrom zeroPages) {
        /** |predicted - actual| / actual of the total time, in percent. */
        double totalErrorPercent() {
            return 100.0 * Math.abs(forecast.totalTimeMillis() / 1000.0 - actual.totalSeconds()) / actual.totalSeconds();
        }

        boolean convergenceRight() {
            return forecast.converges() == actual.moved();
        }
    }

    /**
     * The forecast the scheduler makes from {@code measured} for a move of {@code cell} under {@code policy}.
     *
     * @param lastFirstPassBytes the bytes of the first pass of the guest's last completed move, whose zero pages the
     *                           scheduler takes from its history (null for a guest's first move: then every page is
     *                           taken to carry data)
     */
    static Forecasted of(QemuRuns.Measured actual, DirtyMeasurement measured, Long lastFirstPassBytes) {
        if (measured == null) {
            return new Forecasted(actual, null, null, null, ZeroPagesFrom.NONE);
        }
        Cell cell = actual.cell();
        var context = QemuBenchmark.context(cell);
        DirtyModel model = MeasuredWriting.model(measured, context.memoryBytes(), lastFirstPassBytes == null ? null
                : DirtyModel.zeroShareOfFirstPass(context.memoryBytes(), lastFirstPassBytes), LAST_MOVE);
        Forecast f = Forecaster.forecast(context.memoryBytes(), QemuBenchmark.LOOPBACK_BYTES_PER_SECOND, context.limits(), model,
                actual.policy());
        // which the scheduler's choice took, as the basis says
        ZeroPagesFrom from = model.basis().contains(MeasuredWriting.SAMPLED_ZERO_PAGES) ? ZeroPagesFrom.SAMPLED
                : model.basis().contains(LAST_MOVE) ? ZeroPagesFrom.LAST_MOVE : ZeroPagesFrom.NONE;
        return new Forecasted(actual, measured, model, f, from);
    }

    private static final String LAST_MOVE = "the guest's last move";

    /** Where a forecast's zero pages came from, as the scheduler chooses ({@link MeasuredWriting#model}). */
    enum ZeroPagesFrom {
        SAMPLED("sampled from the guest's memory with the windows"),
        LAST_MOVE("none sampled; those the guest's last completed move counted in its first pass"),
        NONE("none sampled, and the guest's first move: every page taken to carry data");

        final String words;

        ZeroPagesFrom(String words) {
            this.words = words;
        }
    }

    /** The columns of the runs before the zero pages were sampled; a recorded run of them is still read. */
    static final String HEADER_BEFORE_ZERO_PAGES = "pattern\tdirty_mib_s\tcap_mib_s\tpolicy\trepeat\toutcome\ttotal_s"
            + "\tdowntime_ms\trounds\twindows\tfit_hot_pages\tfit_pages_s\tpredicted_total_s\tpredicted_downtime_ms"
            + "\tpredicted_rounds\tpredicted_converges";
    static final String HEADER = HEADER_BEFORE_ZERO_PAGES + "\tzero_share";

    static String tsv(List<Forecasted> moves) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (Forecasted m : moves) {
            var a = m.actual();
            s.append(String.format(Locale.ROOT, "%s\t%d\t%d\t%s\t%d\t%s\t%.3f\t%d\t%d\t", a.cell().pattern(),
                    a.cell().load().dirtyMibPerSecond(), a.cell().load().capMibPerSecond(), a.policy(), a.repeat(), a.outcome(),
                    a.totalSeconds(), a.downtimeMillis(), a.rounds()));
            if (m.forecast() == null) {
                s.append("-\t-\t-\t-\t-\t-\t-\t-\n");
                continue;
            }
            s.append(m.measured().windows().stream().map(w -> w.pages() + "@" + w.millis() + "ms").collect(Collectors.joining(",")))
                    .append(String.format(Locale.ROOT, "\t%d\t%.0f\t%.3f\t%d\t%d\t%s\t%s%n", m.model().hotPages(),
                            m.model().dirtyPagesPerSecond(), m.forecast().totalTimeMillis() / 1000.0,
                            m.forecast().downtimeMillis(), m.forecast().rounds(), m.forecast().converges(),
                            m.measured().zeroShare() == null ? "-" : Double.toString(m.measured().zeroShare())));
        }
        return s.toString();
    }

    /** The accuracy, per policy and outcome, per guest, and against the goal. */
    static String markdown(List<Forecasted> all, String setup) {
        List<Forecasted> judged = all.stream().filter(m -> m.forecast() != null && m.actual().totalSeconds() > 0).toList();
        StringBuilder s = new StringBuilder("# Forecasts from the measured writing, against the real-guest suite\n\n");
        s.append(setup).append("\n\n");
        s.append("Before every move the guest's writing was measured as a worker measures it when its start command asks "
                + "(calc-dirty-rate page-sampling: a 50 ms window thrown away, then 250 ms and 1 s); the scheduler's fit "
                + "and forecast (the policy's own engine in virtual time, over a uniform writer of the fitted working set, "
                + "with the guest's zero pages as the worker sampled them after the windows (1,024 pages of its memory read "
                + "through the monitor), or, in a run recorded before that sample existed, as the guest's last completed move "
                + "counted them in its first pass, and none for a guest's first move) were then made with the move's limits, "
                + "link cap and policy; a forecast past the deadline ends there, where the worker cancels. ")
                .append(all.size() - judged.size()).append(" of ").append(all.size())
                .append(" moves had no measurement and are not judged.\n\n");
        List<Forecasted> ferry = judged.stream().filter(m -> m.actual().policy().equals("ferry")).toList();
        double goal = median(judged);
        s.append(String.format(Locale.ROOT, "**Goal: median absolute error of total time <= %.0f %%, every policy and outcome: "
                + "%s (%.0f %% over %d moves; Ferry's moves alone %.0f %%).**%n%n", GOAL_PERCENT,
                goal <= GOAL_PERCENT ? "PASS" : "FAIL", goal, judged.size(), median(ferry)));
        s.append("## Total time: absolute error, median (min-max), per policy and outcome\n\n");
        s.append("| policy | moves | all | moved | not moved | within 10 % | convergence predicted right |\n|---|---|---|---|---|---|---|\n");
        for (String policy : QemuReport.POLICIES) {
            List<Forecasted> of = judged.stream().filter(m -> m.actual().policy().equals(policy)).toList();
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %d | %d of %d |%n", policy, of.size(), range(of),
                    range(of.stream().filter(m -> m.actual().moved()).toList()),
                    range(of.stream().filter(m -> !m.actual().moved()).toList()),
                    of.stream().filter(m -> m.totalErrorPercent() <= GOAL_PERCENT).count(),
                    of.stream().filter(Forecasted::convergenceRight).count(), of.size()));
        }
        s.append("\n## Total time: absolute error, median (min-max), by what the forecast knew of the guest\n\n");
        s.append("| moves | how many | error | within 10 % |\n|---|---|---|---|\n");
        for (ZeroPagesFrom from : ZeroPagesFrom.values()) {
            row(s, "zero pages: " + from.words, judged.stream().filter(m -> m.zeroPages() == from).toList());
        }
        java.util.Set<Forecasted> first = firstMoves(all);
        row(s, "a guest's first moves (up to its first that completed: no move of it before to learn from)",
                judged.stream().filter(first::contains).toList());
        row(s, "its later moves", judged.stream().filter(m -> !first.contains(m)).toList());
        s.append("\n## Per guest: what was measured, what was forecast, what happened (medians of the repeats)\n\n");
        s.append("| guest | policy | windows (pages in 250 ms / 1 s) | fitted set, rate (pages, pages/s) | forecast | actual | error |\n"
                + "|---|---|---|---|---|---|---|\n");
        List<String> guests = new ArrayList<>();
        judged.forEach(m -> {
            if (!guests.contains(m.actual().cell().name())) {
                guests.add(m.actual().cell().name());
            }
        });
        for (String guest : guests) {
            for (String policy : QemuReport.POLICIES) {
                List<Forecasted> of = judged.stream().filter(m -> m.actual().cell().name().equals(guest)
                        && m.actual().policy().equals(policy)).toList();
                if (of.isEmpty()) {
                    continue;
                }
                s.append(String.format(Locale.ROOT, "| %s | %s | %s / %s | %s, %s | %s s%s | %s s (%d of %d moved) | %s |%n", guest,
                        policy, Report.medianRange(of, m -> m.measured().windows().get(0).pages(), "%.0f"),
                        Report.medianRange(of, m -> m.measured().windows().get(m.measured().windows().size() - 1).pages(), "%.0f"),
                        Report.medianRange(of, m -> m.model().hotPages(), "%.0f"),
                        Report.medianRange(of, m -> m.model().dirtyPagesPerSecond(), "%.0f"),
                        Report.medianRange(of, m -> m.forecast().totalTimeMillis() / 1000.0, "%.1f"),
                        of.stream().allMatch(m -> m.forecast().converges()) ? "" : " (gives up " + of.stream()
                                .filter(m -> !m.forecast().converges()).count() + "x)",
                        Report.medianRange(of, m -> m.actual().totalSeconds(), "%.1f"),
                        of.stream().filter(m -> m.actual().moved()).count(), of.size(), range(of)));
            }
        }
        return s.toString();
    }

    /** The median absolute error of total time in percent; NaN for none. */
    private static void row(StringBuilder s, String moves, List<Forecasted> of) {
        if (!of.isEmpty()) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %d |%n", moves, of.size(), range(of),
                    of.stream().filter(m -> m.totalErrorPercent() <= GOAL_PERCENT).count()));
        }
    }

    /** Each guest's moves, in the run's order, up to and with its first that completed (by identity, not value). */
    static java.util.Set<Forecasted> firstMoves(List<Forecasted> all) {
        java.util.Set<Forecasted> first = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.Set<String> moved = new java.util.HashSet<>();
        for (Forecasted m : all) {
            if (!moved.contains(m.actual().cell().name())) {
                first.add(m);
            }
            if (m.actual().moved()) {
                moved.add(m.actual().cell().name());
            }
        }
        return first;
    }

    static double median(List<Forecasted> of) {
        return Report.median(of, Forecasted::totalErrorPercent);
    }

    private static String range(List<Forecasted> of) {
        return of.isEmpty() ? "-" : Report.medianRange(of, Forecasted::totalErrorPercent, "%.0f %%");
    }
}
