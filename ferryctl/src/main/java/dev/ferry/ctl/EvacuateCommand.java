package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ferryctl evacuate HOST: move every VM off a host (for maintenance), printing the plan; --wait follows it to its end. */
@Command(name = "evacuate", description = "Move every VM off a host: the plan, its predicted makespan, and with --wait its progress.")
final class EvacuateCommand extends Subcommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofSeconds(1);

    @Parameters(paramLabel = "HOST", description = "the host, by name or id")
    String host;

    @Option(names = "--dry-run", description = "only show the plan: the host keeps its state, nothing is queued")
    boolean dryRun;

    @Option(names = "--wait", description = "follow the evacuation until every migration has ended")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    Duration timeout = Duration.ofHours(2);

    @Override
    public Integer call() throws InterruptedException {
        Api api = root.api();
        PrintWriter out = spec.commandLine().getOut();
        JsonNode h = Names.host(api, host);
        JsonNode e = api.scheduler("POST", "/hosts/" + h.path("id").asLong() + "/evacuate" + (dryRun ? "?dryRun=true" : ""), null);
        out.printf(Locale.ROOT, "%s %s: %d VM(s), %d at a time, predicted makespan %.1f s%s%n", dryRun ? "Would evacuate" : "Evacuating",
                h.path("name").asText(), e.path("moves").size(), e.path("concurrency").asInt(),
                e.path("predictedMakespanMillis").asLong() / 1000.0, dryRun ? "" : " (evacuation " + e.path("id").asText() + ")");
        for (JsonNode move : e.path("moves")) {
            out.printf(Locale.ROOT, "  %2d. %-20s -> host %-6d%s predicted %.1f s%n", move.path("order").asInt(), move.path("vmName").asText(),
                    move.path("targetHostId").asLong(), move.has("plannedStartMillis") ? String.format(Locale.ROOT, " starts at %.1f s,",
                            move.get("plannedStartMillis").asLong() / 1000.0) : "", move.path("predictedTotalTimeMillis").asLong() / 1000.0);
        }
        for (JsonNode stuck : e.path("unplaceable")) {
            out.println("  cannot move: " + stuck.path("vmName").asText(stuck.toString()) + (stuck.has("reason") ? ": "
                    + stuck.get("reason").asText() : ""));
        }
        for (JsonNode around : e.path("plannedAround")) {
            out.printf(Locale.ROOT, "  planned around: VM %s (migration %s, %s) for %.0f s more: %s%n", around.path("vmName").asText(),
                    around.path("migrationId").asText(), around.path("phase").asText(), around.path("untilMillis").asLong() / 1000.0,
                    around.path("why").asText());
        }
        if (dryRun) {
            out.println("  dry run: the host keeps its state, nothing was queued");
        }
        out.flush();
        if (dryRun || !await) {
            return e.path("unplaceable").isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
        }
        long started = System.nanoTime();
        Outage outage = new Outage(spec.commandLine().getErr()); // the evacuation goes on through a scheduler outage
        String last = "";
        while (true) {
            String evacuation = e.path("id").asText();
            e = outage.retry(() -> api.scheduler("GET", "/evacuations/" + evacuation, null), started + timeout.toNanos());
            JsonNode p = e.path("progress");
            String line = String.format(Locale.ROOT, "%s: %d succeeded, %d failed, %d cancelled, %d running, %d queued of %d%s",
                    e.path("state").asText(), p.path("succeeded").asInt(), p.path("failed").asInt(), p.path("cancelled").asInt(),
                    p.path("inFlight").asInt(), p.path("queued").asInt(), p.path("total").asInt(),
                    e.hasNonNull("etaMillis") ? String.format(Locale.ROOT, ", ETA %.0f s", e.get("etaMillis").asLong() / 1000.0) : "");
            if (!line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
            if (!"RUNNING".equals(e.path("state").asText())) {
                if ("CANCELLED".equals(e.path("state").asText())) {
                    return ExitCodes.CANCELLED;
                }
                return p.path("failed").asInt() > 0 || !e.path("unplaceable").isEmpty() ? ExitCodes.FAILED
                        : p.path("cancelled").asInt() > 0 ? ExitCodes.CANCELLED : ExitCodes.OK;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(timeout) > 0) {
                out.println("still running after " + timeout.toSeconds() + " s; it goes on");
                out.flush();
                return ExitCodes.TIMED_OUT;
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
