package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.ctl.Api;
import dev.ferry.ctl.ExitCodes;
import dev.ferry.ctl.Ferryctl;
import java.io.PrintWriter;

/**
 * ./ferry demo: one live migration of a demo VM, through ferryctl ({@code ferryctl migrate VM --wait}), which draws a
 * progress bar per round and the outcome; then where inventory places the VM and how long its audit trail is.
 */
public final class DemoMigration {
    static final String SIMULATED = "simulated pre-copy; a simulation, not a real hypervisor";

    private DemoMigration() {
    }

    /** @param driver what the worker runs on, in words, for the header line */
    static int run(String inventory, String scheduler, String token, String vmName, long maxDowntime, String driver)
            throws InterruptedException {
        Api api = new Api(inventory, scheduler, () -> token);
        System.out.println("Driver: " + driver);
        Ferryctl ferryctl = Ferryctl.with(api);
        int status = ferryctl.execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                "migrate", vmName, "--max-downtime", maxDowntime + "ms", "--wait", "--timeout", "3m");
        if (status != ExitCodes.OK) {
            return status;
        }
        // inventory applies the scheduler's decision from Kafka, a moment after it was made: wait for it (bounded)
        JsonNode m = api.scheduler("GET", "/migrations/" + ferryctl.lastMigration(), null);
        long target = m.path("targetHostId").asLong();
        JsonNode vm = api.inventory("GET", "/vms/" + m.path("vmId").asLong(), null);
        for (int i = 0; i < 50 && vm.path("hostId").asLong() != target; i++) {
            Thread.sleep(200);
            vm = api.inventory("GET", "/vms/" + m.path("vmId").asLong(), null);
        }
        System.out.println("inventory: " + vm.path("name").asText() + " now runs on "
                + api.inventory("GET", "/hosts/" + vm.path("hostId").asLong(), null).path("name").asText());
        int trail = api.scheduler("GET", "/migrations/" + m.path("id").asText() + "/events?limit=5000", null).size();
        System.out.println("audit trail: " + trail + " records at " + scheduler + "/migrations/" + m.path("id").asText() + "/events");
        return ExitCodes.OK;
    }
}
