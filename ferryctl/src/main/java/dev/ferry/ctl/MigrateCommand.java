package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * ferryctl migrate VM: asks the scheduler for a live migration (it checks and reserves the destination), and with
 * --wait draws each round until the end, exiting with the outcome's status.
 */
@Command(name = "migrate", description = "Live-migrate a VM; with --wait, follow it round by round to its end.")
final class MigrateCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "VM", description = "the VM, by name or id")
    String vm;

    @Option(names = "--to", paramLabel = "HOST", description = "the destination (default: the scheduler picks the best compatible host)")
    String to;

    @Option(names = "--max-downtime", paramLabel = "DURATION", converter = Durations.class,
            description = "the downtime target, e.g. 300ms (default: the scheduler's)")
    Duration maxDowntime;

    @Option(names = "--deadline", paramLabel = "DURATION", converter = Durations.class,
            description = "the migration must be over within this, e.g. 10m; then it is aborted or switched to post-copy")
    Duration deadline;

    @Option(names = "--allow-post-copy", description = "the policy may switch to post-copy to finish")
    boolean allowPostCopy;

    @Option(names = "--policy", paramLabel = "NAME", description = "the convergence policy: ferry, qemu-default, "
            + "qemu-auto-converge, xen, xen-legacy, nova or kubevirt (default: the workers')")
    String policy;

    @Option(names = "--throttle-ceiling", paramLabel = "PERCENT", description = "the highest vCPU throttle the policy may "
            + "apply, 0 to 99 (default: the workers')")
    Integer throttleCeiling;

    @Option(names = "--force", description = "start it even when the scheduler predicts it will not converge within its limits")
    boolean force;

    @Option(names = "--max-retries", description = "how many times a failed attempt is retried (default: the scheduler's)")
    Integer maxRetries;

    @Option(names = "--dry-run", description = "only show what would happen: the pre-checks, the target and the forecast")
    boolean dryRun;

    @Option(names = "--wait", description = "follow the migration to its end; the exit status is its outcome")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    Duration timeout = Duration.ofMinutes(30);

    @Override
    public Integer call() throws InterruptedException {
        Api api = root.api();
        PrintWriter out = spec.commandLine().getOut();
        JsonNode v = Names.vm(api, vm);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("vmId", v.path("id").asLong());
        if (to != null) {
            request.put("targetHostId", Names.host(api, to).path("id").asLong());
        }
        if (maxDowntime != null) {
            request.put("maxDowntimeMillis", maxDowntime.toMillis());
        }
        if (deadline != null) {
            request.put("deadline", Instant.now().plus(deadline).toString());
        }
        if (allowPostCopy) {
            request.put("allowPostCopy", true);
        }
        if (maxRetries != null) {
            request.put("maxRetries", maxRetries);
        }
        if (policy != null) {
            request.put("policy", policy);
        }
        if (throttleCeiling != null) {
            request.put("throttleCeilingPercent", throttleCeiling);
        }
        String forced = force ? "force=true" : "";
        if (dryRun) {
            JsonNode plan = api.scheduler("POST", "/migrations?dryRun=true" + (force ? "&" + forced : ""), request);
            JsonNode p = plan.path("prediction");
            out.printf(Locale.ROOT, "Would migrate %s (%s) from %s to %s, downtime target %d ms%n", v.path("name").asText(),
                    Output.bytes(plan.path("memoryBytes").asLong()), hostName(api, plan.path("sourceHostId").asLong()),
                    hostName(api, plan.path("targetHostId").asLong()), plan.path("maxDowntimeMillis").asLong());
            out.println("  target: " + plan.path("targetReason").asText());
            out.printf(Locale.ROOT, "  forecast: %d rounds, %.1f s, downtime %d ms (%s)%n", p.path("rounds").asInt(),
                    p.path("totalTimeMillis").asLong() / 1000.0, p.path("downtimeMillis").asLong(), p.path("basis").asText());
            out.println("  dry run: nothing was started");
            out.flush();
            return ExitCodes.OK;
        }
        JsonNode m = api.scheduler("POST", "/migrations" + (force ? "?" + forced : ""), request);
        String id = m.path("id").asText();
        root.migrated(id);
        out.printf("Migrating %s (%s) from %s to %s, downtime target %d ms%n", v.path("name").asText(),
                Output.bytes(m.path("memoryBytes").asLong()), hostName(api, m.path("sourceHostId").asLong()),
                hostName(api, m.path("targetHostId").asLong()), m.path("maxDowntimeMillis").asLong());
        out.println("  target: " + m.path("targetReason").asText());
        out.println("  migration " + id + (m.hasNonNull("policy") ? ", policy " + m.get("policy").asText() : ""));
        out.flush();
        if (!await) {
            return ExitCodes.OK;
        }
        out.println();
        return new MigrationWatch(api, out, spec.commandLine().getErr(), root.terminal()).follow(id, timeout);
    }

    /** A change the scheduler suggests, in words and as the option that makes it. */
    static String suggestion(JsonNode s) {
        JsonNode value = s.path("value");
        String option = switch (s.path("field").asText()) {
            case "maxDowntimeMillis" -> "--max-downtime " + value.asLong() + "ms";
            case "targetHostId" -> "--to " + value.asLong();
            case "throttleCeilingPercent" -> "--throttle-ceiling " + value.asInt();
            case "allowPostCopy" -> "--allow-post-copy";
            case "policy" -> "--policy " + value.asText();
            default -> s.path("field").asText() + "=" + value;
        };
        JsonNode f = s.path("forecast");
        return String.format(Locale.ROOT, "%s: %s (forecast: %d rounds, %.1f s, downtime %d ms)", option,
                s.path("change").asText(), f.path("rounds").asInt(), f.path("totalTimeMillis").asLong() / 1000.0,
                f.path("downtimeMillis").asLong());
    }

    private static String hostName(Api api, long id) {
        return api.inventory("GET", "/hosts/" + id, null).path("name").asText(String.valueOf(id));
    }
}
