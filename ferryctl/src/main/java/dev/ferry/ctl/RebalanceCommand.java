package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ferryctl rebalance CLUSTER: even out a cluster's hosts, printing each move, the imbalance it leaves and the cost. */
@Command(name = "rebalance", description = "Even out a cluster's hosts: the moves, the imbalance before and after, and what they cost.")
final class RebalanceCommand extends Subcommand implements Callable<Integer> {

    @Parameters(paramLabel = "CLUSTER", description = "the cluster, by name or id")
    String cluster;

    @Option(names = "--dry-run", description = "only show the plan: nothing is queued")
    boolean dryRun;

    @Override
    public Integer call() {
        Api api = root.api();
        PrintWriter out = spec.commandLine().getOut();
        JsonNode c = Names.cluster(api, cluster);
        JsonNode plan = api.scheduler("POST", "/clusters/" + c.path("id").asLong() + "/rebalance" + (dryRun ? "?dryRun=true" : ""), null);
        out.printf(Locale.ROOT, "%s %s: imbalance %.3f -> %.3f in %d move(s), done in %.1f s; predicted cost %.1f s of "
                        + "migration, %.1f GB sent, %d ms of downtime, %.1f throttle-seconds in all%n",
                dryRun ? "Would rebalance" : "Rebalancing", c.path("name").asText(),
                plan.path("imbalanceBefore").asDouble(), plan.path("imbalanceAfter").asDouble(), plan.path("moves").size(),
                plan.path("predictedMakespanMillis").asLong() / 1000.0,
                plan.path("cost").path("totalTimeMillis").asLong() / 1000.0, plan.path("cost").path("bytes").asLong() / 1e9,
                plan.path("cost").path("downtimeMillis").asLong(), plan.path("cost").path("throttleSeconds").asDouble());
        JsonNode cpu = plan.path("measuredCpu");
        if (cpu.hasNonNull("oldestMeasuredAt")) {
            out.printf(Locale.ROOT, "  CPU use: %d VM(s) measured by their hosts (oldest at %s), %d estimated at %.2f cores per vCPU%n",
                    cpu.path("vmsMeasured").asInt(), cpu.path("oldestMeasuredAt").asText(), cpu.path("vmsEstimated").asInt(),
                    cpu.path("estimatedCoresPerVcpu").asDouble());
        } else {
            out.printf(Locale.ROOT, "  CPU use: not measured recently for enough of the cluster (%.0f %% of running vCPUs; only "
                    + "libvirt hosts' reports measure it): allocation alone%n", 100 * cpu.path("vcpusMeasuredShare").asDouble());
        }
        for (JsonNode move : plan.path("moves")) {
            out.printf(Locale.ROOT, "  %2d. %-20s host %d -> %s, predicted %.1f s, leaves %.3f%s%n", move.path("order").asInt(),
                    move.path("vmName").asText(), move.path("fromHostId").asLong(), move.path("toHostName").asText(),
                    move.path("predictedTotalTimeMillis").asLong() / 1000.0, move.path("imbalanceAfter").asDouble(),
                    move.hasNonNull("migrationId") ? " (migration " + move.get("migrationId").asText() + ")" : "");
        }
        for (JsonNode vm : plan.path("notMoved")) {
            out.printf(Locale.ROOT, "  stays: %s, because %s%n", vm.path("vmName").asText(),
                    String.join("; ", java.util.stream.StreamSupport.stream(vm.path("reasons").spliterator(), false)
                            .map(JsonNode::asText).toList()));
        }
        if (dryRun) {
            out.println("  dry run: nothing was queued");
        } else if (plan.path("moves").isEmpty()) {
            out.println("  nothing worth its cost to move");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
