package dev.ferry.tools.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./ferry bench-ingest [rate]}: {@link IngestRun} on a platform of its own; rewrites the event ingest's section of
 * docs/benchmarks/control-plane.md and leaves the other sections as {@code ./ferry bench-control-plane} wrote them.
 */
public final class IngestBenchmark {
    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int migrations = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        long runStart = System.nanoTime();
        try (BenchPlatform platform = new BenchPlatform("bench-ingest-logs")) {
            long upStart = System.nanoTime();
            platform.launcher.up();
            double upSeconds = (System.nanoTime() - upStart) / 1e9;
            platform.stopServices();
            IngestRun.Result r = IngestRun.run(platform.launcher, platform.layout, migrations, rate);
            String section = IngestReport.markdown(r, upSeconds, (System.nanoTime() - runStart) / 60e9);
            Files.createDirectories(out);
            Path file = out.resolve("control-plane.md");
            Files.writeString(file, ReportSections.replace(Files.exists(file) ? Files.readString(file) : "", IngestReport.HEADING, section));
            System.out.print(section);
            Path times = platform.layout.root().resolve("tools/target/bench-ingest-events.tsv");
            Files.createDirectories(times.getParent());
            Files.write(times, IngestRun.EVENT_TIMES);
            System.err.println("ingest: each followed event's timings in " + times);
        }
    }
}
