package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Requests one live migration of a demo VM and draws it in the terminal as it runs: one progress bar per
 * round with bytes sent, dirty pages and what remains, then the downtime and total time.
 *
 * <p>Usage: {@code DemoMigration <inventoryUrl> <schedulerUrl> [vmName] [maxDowntimeMillis]}
 */
public final class DemoMigration {
    private static final long POLL_MILLIS = 200;
    /** The demo never waits forever: a simulated 8 GiB VM over 10 GbE takes about 10 s. */
    private static final long GIVE_UP_MILLIS = 180_000;

    private DemoMigration() {
    }

    static final String SIMULATED = "simulated pre-copy; a simulation, not a real hypervisor";

    /** @param driver what the worker runs on, in words, for the header line */
    static int run(String inventory, String scheduler, String vmName, long maxDowntime, String driver) throws InterruptedException {
        JsonNode vm = findVm(inventory, vmName);
        if (vm == null) {
            System.err.println("no VM named " + vmName + " in the inventory; run ./ferry up first (it loads the demo inventory)");
            return 1;
        }
        Map<Long, String> hostNames = new HashMap<>();
        for (JsonNode h : Http.get(inventory + "/hosts")) {
            hostNames.put(h.path("id").asLong(), h.path("name").asText());
        }
        JsonNode m;
        try {
            m = Http.post(scheduler + "/migrations", Map.of("vmId", vm.path("id").asLong(), "maxDowntimeMillis", maxDowntime));
        } catch (Http.Failure refused) {
            System.err.println("migration refused: " + refused.body.path("detail").asText());
            refused.body.path("failedRules").forEach(r -> System.err.println("  - " + r.path("code").asText() + ": " + r.path("message").asText()));
            for (JsonNode excluded : refused.body.path("excludedHosts")) {
                JsonNode verdict = excluded.path("verdict");
                System.err.println("  - " + verdict.path("hostName").asText() + ":");
                verdict.path("failed").forEach(r -> System.err.println("      " + r.path("code").asText() + ": " + r.path("message").asText()));
            }
            return 1;
        }
        String id = m.path("id").asText();
        System.out.printf("Migrating %s (%s) from %s to %s, downtime target %d ms%n", vmName, Format.bytes(m.path("memoryBytes").asLong()),
                hostNames.get(m.path("sourceHostId").asLong()), hostNames.get(m.path("targetHostId").asLong()), maxDowntime);
        System.out.println("  target: " + m.path("targetReason").asText());
        System.out.println("  migration " + id + "  (driver: " + driver + ")");
        System.out.println();
        int shownRounds = 0;
        long started = System.currentTimeMillis();
        while (true) {
            m = Http.get(scheduler + "/migrations/" + id);
            JsonNode rounds = m.path("rounds");
            for (; shownRounds < rounds.size(); shownRounds++) {
                System.out.print("\r\033[K");
                System.out.println(Format.roundLine(rounds.get(shownRounds), m.path("memoryBytes").asLong()));
            }
            String phase = m.path("phase").asText();
            if (phase.equals("SUCCEEDED") || phase.equals("FAILED") || phase.equals("CANCELLED")) {
                System.out.print("\r\033[K");
                break;
            }
            long elapsed = System.currentTimeMillis() - started;
            if (elapsed > GIVE_UP_MILLIS) {
                System.out.println();
                System.err.println("no outcome after " + GIVE_UP_MILLIS / 1000 + " s; the migration is still " + phase
                        + ": see ./ferry logs and GET " + scheduler + "/migrations/" + id);
                return 1;
            }
            System.out.printf("\r\033[K  %-9s round %d running ... %.1f s", phase, shownRounds + 1, elapsed / 1000.0);
            Thread.sleep(POLL_MILLIS);
        }
        return finish(inventory, scheduler, m, hostNames);
    }

    private static int finish(String inventory, String scheduler, JsonNode m, Map<Long, String> hostNames) {
        String phase = m.path("phase").asText();
        System.out.println();
        if (!phase.equals("SUCCEEDED")) {
            System.out.println(phase + ": " + m.path("failureReason").asText());
            return 1;
        }
        long memory = m.path("memoryBytes").asLong();
        long sent = m.path("bytesSent").asLong();
        System.out.printf("SUCCEEDED after %d rounds: downtime %d ms, total time %.2f s, sent %s (%.2fx memory)  [%s]%n",
                m.path("currentRound").asInt(), m.path("downtimeMillis").asLong(), m.path("totalTimeMillis").asLong() / 1000.0,
                Format.bytes(sent), (double) sent / memory, m.path("driver").asText("?"));
        // inventory applies the decision from Kafka, a moment after the scheduler made it: wait for it (bounded)
        long target = m.path("targetHostId").asLong();
        JsonNode vm = Http.get(inventory + "/vms/" + m.path("vmId").asLong());
        for (int i = 0; i < 50 && vm.path("hostId").asLong() != target; i++) {
            sleep(200);
            vm = Http.get(inventory + "/vms/" + m.path("vmId").asLong());
        }
        System.out.println("inventory: " + vm.path("name").asText() + " now runs on " + hostNames.get(vm.path("hostId").asLong()));
        int trail = Http.get(scheduler + "/migrations/" + m.path("id").asText() + "/events").size();
        System.out.println("audit trail: " + trail + " records at " + scheduler + "/migrations/" + m.path("id").asText() + "/events");
        return 0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode findVm(String inventory, String name) {
        for (JsonNode vm : Http.get(inventory + "/vms")) {
            if (name.equals(vm.path("name").asText())) {
                return vm;
            }
        }
        return null;
    }
}
