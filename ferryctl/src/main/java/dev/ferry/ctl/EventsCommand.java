package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ferryctl events ID [--follow]: a migration's audit trail (every command, event and request, in order). */
@Command(name = "events", description = "A migration's audit trail: every command, event and operator request, in order.")
final class EventsCommand extends Subcommand implements Callable<Integer> {
    private static final int PAGE = 500;
    private static final Duration POLL = Duration.ofSeconds(1);

    @Parameters(paramLabel = "ID", description = "the migration's id")
    String id;

    @Option(names = {"-f", "--follow"}, description = "keep printing new entries until the migration ends")
    boolean follow;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "how long --follow follows (default: ${DEFAULT-VALUE})")
    Duration timeout = Duration.ofMinutes(30);

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table or json: one JSON object per line (default: ${DEFAULT-VALUE})")
    Output.Format output = Output.Format.table;

    @Override
    public Integer call() throws InterruptedException {
        Api api = root.api();
        PrintWriter out = spec.commandLine().getOut();
        long after = 0;
        long started = System.nanoTime();
        // --follow waits out a scheduler outage until the timeout; a single read fails fast
        Outage outage = new Outage(spec.commandLine().getErr());
        long deadline = follow ? started + timeout.toNanos() : started;
        while (true) {
            boolean ended = !follow || MigrationWatch.ended(outage.retry(() -> api.scheduler("GET", "/migrations/" + id, null), deadline)
                    .path("phase").asText());
            JsonNode page;
            do { // every page there is: the last read after the migration ended holds its last entries
                long from = after;
                page = outage.retry(() -> api.scheduler("GET", "/migrations/" + id + "/events?after=" + from + "&limit=" + PAGE, null),
                        deadline);
                for (JsonNode entry : page) {
                    out.println(output == Output.Format.table ? line(entry) : entry.toString());
                    after = entry.path("position").asLong();
                }
                out.flush();
            } while (page.size() == PAGE);
            if (ended) {
                return ExitCodes.OK;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(timeout) > 0) {
                return ExitCodes.TIMED_OUT;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    static String line(JsonNode a) {
        String who = a.path("principal").path("name").asText("");
        return String.format("%-27s %-16s %-24s attempt %d  %s%s", a.path("recordedAt").asText(), a.path("direction").asText(),
                a.path("type").asText(), a.path("attempt").asInt(), a.path("note").asText(""), who.isEmpty() ? "" : "  (by " + who + ")");
    }
}
