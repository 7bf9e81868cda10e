package dev.ferry.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the running list's slow reads in a run of many at once coincide with in the scheduler: its event loops' stalls
 * (EventLoopStalls at debug level) and its collector's pauses (-Xlog:gc). A read counts as in one when at least half of
 * its time falls inside it; a read that overlaps neither at all waited somewhere else (the client, the kernel, the
 * database, a CPU). Lines in, counts out: {@code ./ferry slow-reads BENCH-OUTPUT SCHEDULER-LOG [SCHEDULER-GC-LOG]}
 * (the scheduler's log is tools/target/bench-control-plane-logs/scheduler.log until the next run replaces it), after
 * {@code FERRY_JVM_OPTIONS='-XX:+UseSerialGC -Xms32m -XX:TrimNativeHeapInterval=1000 -Dquarkus.log.category."dev.ferry.support.loops".level=DEBUG
 * -Xlog:gc:file=DIR/gc-%p.log:time,uptime' ./ferry bench-control-plane 1 1 1000 > BENCH-OUTPUT}.
 */
public final class SlowReads {
    private static final Pattern READ = Pattern.compile("slow running list: (\\d+) ms, asked at (\\S+)");
    private static final Pattern STALL = Pattern.compile("event loop \\S+ stalled (\\d+) ms from (\\S+);");
    private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final Pattern PAUSE = Pattern.compile("^\\[(\\S+?)\\]\\[\\S+\\] GC\\(\\d+\\) Pause .* ([\\d.]+)ms$");

    /** A stretch of time, in epoch milliseconds. */
    record Span(double from, double to) {
        double overlap(Span o) {
            return Math.max(0, Math.min(to, o.to) - Math.max(from, o.from));
        }

        double length() {
            return to - from;
        }
    }

    /** How many slow reads fell mostly in a stall, mostly in a pause, in either, and touched neither. */
    record Counts(int reads, int inStall, int inPause, int inEither, int neither) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("usage: SlowReads BENCH-OUTPUT SCHEDULER-LOG [SCHEDULER-GC-LOG]");
        }
        List<String> output = Files.readAllLines(Path.of(args[0]));
        List<Span> reads = reads(output);
        if (reads.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " has no slow reads of the running list");
        }
        List<Span> stalls = stalls(Files.readAllLines(Path.of(args[1])));
        List<Span> pauses = args.length > 2 ? pauses(Files.readAllLines(Path.of(args[2]))) : List.of();
        long failed = output.stream().filter(l -> l.startsWith("failed running list:")).count();
        Counts c = classify(reads, stalls, pauses);
        Span window = new Span(reads.get(0).from(), reads.get(reads.size() - 1).to());
        List<Span> stallsInWindow = stalls.stream().filter(s -> s.overlap(window) > 0).toList();
        System.out.printf(Locale.ROOT, "%d slow reads (100 ms or more) over %.0f s; the scheduler's event loops stalled 100 ms or more "
                + "%d times in that time (%.1f s in all), its collector paused %d times; %d reads failed%n", c.reads(), window.length() / 1000,
                stallsInWindow.size(), stallsInWindow.stream().mapToDouble(Span::length).sum() / 1000,
                pauses.stream().filter(p -> p.overlap(window) > 0).count(), failed);
        System.out.printf(Locale.ROOT, "| slow reads | mostly in a loop stall | mostly in a GC pause | in either | touching neither |%n"
                + "|---:|---:|---:|---:|---:|%n| %d | %d | %d | %d | %d |%n", c.reads(), c.inStall(), c.inPause(), c.inEither(), c.neither());
    }

    static Counts classify(List<Span> reads, List<Span> stalls, List<Span> pauses) {
        int stall = 0;
        int pause = 0;
        int either = 0;
        int neither = 0;
        for (Span r : reads) {
            double s = covered(r, stalls);
            double p = covered(r, pauses);
            boolean inStall = s >= r.length() / 2;
            boolean inPause = p >= r.length() / 2;
            stall += inStall ? 1 : 0;
            pause += inPause ? 1 : 0;
            either += inStall || inPause ? 1 : 0;
            neither += s == 0 && p == 0 ? 1 : 0;
        }
        return new Counts(reads.size(), stall, pause, either, neither);
    }

    /** How much of {@code read} the spans cover, overlaps among them counted once (two loops may stall at once). */
    static double covered(Span read, List<Span> spans) {
        List<Span> inside = spans.stream().filter(s -> s.overlap(read) > 0)
                .map(s -> new Span(Math.max(s.from(), read.from()), Math.min(s.to(), read.to())))
                .sorted(java.util.Comparator.comparingDouble(Span::from)).toList();
        double total = 0;
        double reached = read.from();
        for (Span s : inside) {
            double from = Math.max(s.from(), reached);
            if (s.to() > from) {
                total += s.to() - from;
                reached = s.to();
            }
        }
        return total;
    }

    private static double millis(Instant t) {
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
    }

    static List<Span> reads(List<String> lines) {
        return startingAt(lines, READ);
    }

    static List<Span> stalls(List<String> lines) {
        return startingAt(lines, STALL);
    }

    /** Lines that say how long something took (group 1, ms) from when (group 2, an instant): a read, a stall. */
    private static List<Span> startingAt(List<String> lines, Pattern pattern) {
        List<Span> spans = new ArrayList<>();
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                double from = millis(Instant.parse(m.group(2)));
                spans.add(new Span(from, from + Integer.parseInt(m.group(1))));
            }
        }
        return spans;
    }

    /** The collector's pauses from {@code -Xlog:gc:...:time,uptime}: each line's time is the pause's end. */
    static List<Span> pauses(List<String> lines) {
        List<Span> pauses = new ArrayList<>();
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                double end = OffsetDateTime.parse(m.group(1), GC_TIME)
                        .toInstant().toEpochMilli();
                pauses.add(new Span(end - Double.parseDouble(m.group(2)), end));
            }
        }
        return pauses;
    }
}
