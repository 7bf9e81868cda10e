package dev.ferry.tools.bench;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.worker.qemu.DirtySample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scheduler's forecasts of a past run of the real-guest suite, made again by today's code from what that run
 * recorded: each move's windows measured before its start (qemu-forecasts.tsv), what the move did (qemu-runs.tsv) and
 * the first pass of the guest's last completed move (the rounds log, as the scheduler takes a VM's zero pages from its
 * last migration when its worker sampled none; a run recorded since the worker samples them has them in its forecasts
 * file). A change to the forecast is judged against real guests in seconds, not in an hour of QEMU; the
 * same run replayed by unchanged code gives the run's own forecast.md back.
 */
public final class ForecastReplay {
    private ForecastReplay() {
    }

    /** One move of the rounds log: its policy, repeat, outcome and first pass's bytes (-1 when it had no round). */
    record Logged(String guest, String policy, int repeat, String outcome, long firstPassBytes) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            fail("usage: ForecastReplay RUNS.tsv FORECASTS.tsv ROUNDS.txt [OUT.md]");
        }
        List<QemuForecasts.Forecasted> forecasts;
        try {
            List<QemuRuns.Measured> runs = QemuRuns.parse(read(args[0]));
            List<DirtyMeasurement> measured = windows(read(args[1]));
            List<Logged> logged = rounds(read(args[2]));
            forecasts = replay(runs, measured, logged);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        String md = QemuForecasts.markdown(forecasts, String.format(Locale.ROOT, "`./ferry forecast-replay %s %s %s`: the "
                + "forecasts of that run made again by today's code from what the run recorded (ForecastReplay).", args[0],
                args[1], args[2]));
        if (args.length > 3) {
            Files.writeString(Path.of(args[3]), md);
            System.err.println("wrote " + args[3]);
        } else {
            System.out.print(md);
        }
        System.err.printf(Locale.ROOT, "median absolute error of total time: %.1f %% over %d moves (ferry: %.1f %%)%n",
                QemuForecasts.median(judged(forecasts)), judged(forecasts).size(),
                QemuForecasts.median(judged(forecasts).stream().filter(f -> f.actual().policy().equals("ferry")).toList()));
    }

    /** A recorded file's text; one that cannot be read is a one-line error naming it, not a stack trace. */
    static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file" : e.getMessage()));
        }
    }

    private static void fail(String message) {
        System.err.println("forecast-replay: " + message);
        System.exit(2);
    }

    static List<QemuForecasts.Forecasted> judged(List<QemuForecasts.Forecasted> all) {
        return all.stream().filter(m -> m.forecast() != null && m.actual().totalSeconds() > 0).toList();
    }

    /**
     * The forecasts again, move by move in the run's order: each guest (a cell) forecast from its measurement and the
     * first pass of its last completed move, as the suite did.
     */
    static List<QemuForecasts.Forecasted> replay(List<QemuRuns.Measured> runs, List<DirtyMeasurement> measured, List<Logged> logged) {
        if (runs.size() != measured.size() || runs.size() != logged.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "not one run: %d moves in the runs file, %d in the "
                    + "forecasts file, %d in the rounds log", runs.size(), measured.size(), logged.size()));
        }
        List<QemuForecasts.Forecasted> out = new ArrayList<>();
        java.util.Map<String, Long> lastFirstPass = new java.util.HashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            QemuRuns.Measured run = runs.get(i);
            Logged log = logged.get(i);
            if (!log.policy().equals(run.policy()) || log.repeat() != run.repeat() || !log.outcome().equals(run.outcome())) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "move %d: the runs file says %s #%d %s, the "
                        + "rounds log %s #%d %s", i + 1, run.policy(), run.repeat(), run.outcome(), log.policy(), log.repeat(),
                        log.outcome()));
            }
            String guest = run.cell().name();
            out.add(QemuForecasts.of(run, measured.get(i), lastFirstPass.get(guest)));
            if (run.moved() && log.firstPassBytes() >= 0) {
                lastFirstPass.put(guest, log.firstPassBytes());
            }
        }
        return out;
    }

    /** The windows column of qemu-forecasts.tsv ("3663@251ms,12544@1000ms"), a null for a move without ("-"). */
    static List<DirtyMeasurement> windows(String tsv) {
        List<String> lines = tsv.lines().toList();
        if (lines.isEmpty() || !(lines.get(0).equals(QemuForecasts.HEADER) || lines.get(0).equals(QemuForecasts.HEADER_BEFORE_ZERO_PAGES))) {
            throw new IllegalArgumentException("not a forecasts file of the real-guest suite: the first line must be\n"
                    + QemuForecasts.HEADER + "\nor, in a run recorded before the zero pages were sampled,\n"
                    + QemuForecasts.HEADER_BEFORE_ZERO_PAGES);
        }
        List<DirtyMeasurement> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] fields = lines.get(i).split("\t");
            if (fields.length < 10) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the forecasts file: " + fields.length
                        + " fields, the windows are the 10th");
            }
            String column = fields[9];
            if (column.equals("-")) {
                out.add(null);
                continue;
            }
            List<DirtyMeasurement.Window> windows = new ArrayList<>();
            for (String w : column.split(",")) {
                String[] pm = w.replace("ms", "").split("@");
                if (pm.length != 2) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of the forecasts file: a window is pages@millis, not " + w);
                }
                try {
                    windows.add(new DirtyMeasurement.Window(Long.parseLong(pm[1]), Long.parseLong(pm[0])));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of the forecasts file: a window is pages@millis, "
                            + "not " + w, e);
                }
            }
            out.add(new DirtyMeasurement(windows, DirtySample.METHOD, zeroShare(fields, i + 1)));
        }
        return out;
    }

    /** The zero pages sampled with the windows (the 17th column), null where none were or the run predates them. */
    private static Double zeroShare(String[] fields, int line) {
        if (fields.length < 17 || fields[16].equals("-")) {
            return null;
        }
        try {
            return Double.parseDouble(fields[16]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line + " of the forecasts file: the zero share is a number or -, not "
                    + fields[16], e);
        }
    }

    /** Every move of a rounds log, in order, with its first pass's bytes (-1 when its first line is not round 1). */
    static List<Logged> rounds(String log) {
        return RoundsLog.parse(log).stream().map(m -> new Logged(m.guest(), m.policy(), m.repeat(), m.outcome(),
                !m.rounds().isEmpty() && m.rounds().get(0).number() == 1 ? m.rounds().get(0).bytes() : -1)).toList();
    }
}
