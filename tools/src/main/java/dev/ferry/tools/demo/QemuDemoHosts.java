package dev.ferry.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.LocalLogin;
import dev.ferry.platform.Http;
import dev.ferry.testsupport.TestGuest;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Plays the host agents for {@code ./ferry demo-qemu}: puts a small VM into the demo inventory (next to web-1),
 * boots the test guest in QEMU on its host, and starts a QEMU waiting for an incoming migration on every other host
 * of its cluster, each at {@code <run-dir>/host-<hostId>/vm-<vmId>.qmp} where the worker's qemu driver looks.
 * Leftovers of an earlier demo (a source in postmigrate, destinations still waiting) are shut down first. The QEMU
 * processes outlive this command; {@code ./ferry down} stops them.
 *
 * <p>Usage: {@code QemuDemoHosts <inventoryUrl> <runDir> <guestDir> <vmName> <dirtyMiBPerSecond> [pidDir]}
 */
public final class QemuDemoHosts {
    private static final Duration CALL = Duration.ofSeconds(5);
    private static final long MIB = 1L << 20;

    public static void main(String[] args) throws Exception {
        String inventory = args[0];
        Http.signIn(LocalLogin.token("admin")); // registers hosts and VMs: a fleet change
        Path runDir = Path.of(args[1]).toAbsolutePath();
        Path guestDir = Path.of(args[2]).toAbsolutePath();
        String name = args[3];
        int dirty = Integer.parseInt(args[4]);
        // ./ferry down stops the guests by these pids, with the platform's own processes
        Path pids = args.length > 5 ? Path.of(args[5]).toAbsolutePath() : runDir;
        JsonNode vm = vm(inventory, name);
        if (vm == null) {
            JsonNode template = vm(inventory, "web-1");
            if (template == null) {
                throw new IllegalStateException("no web-1 in the inventory to place the demo VM next to: run ./ferry up first");
            }
            vm = Http.post(inventory + "/vms", Map.of("name", name, "memoryBytes", 256 * MIB, "vcpus", 1,
                    "hostId", template.path("hostId").asLong(),
                    "volumes", List.of(Map.of("poolId", template.path("volumes").get(0).path("poolId").asLong(), "sizeBytes", 16 * MIB)),
                    "networkIds", Http.JSON.convertValue(template.path("networkIds"), List.class)));
        }
        long vmId = vm.path("id").asLong();
        long source = vm.path("hostId").asLong();
        long cluster = Http.get(inventory + "/hosts/" + source).path("clusterId").asLong();
        Path disk = TestGuest.sharedDisk(runDir.resolve("vm-" + vmId + ".img"));
        var spec = TestGuest.Spec.built(guestDir, disk, 256, dirty, 96);
        for (JsonNode host : Http.get(inventory + "/hosts")) {
            long id = host.path("id").asLong();
            if (host.path("clusterId").asLong() != cluster) {
                continue;
            }
            Path qmp = QemuMigration.socket(runDir, id, vmId);
            String status = statusOf(qmp);
            boolean isSource = id == source;
            if (isSource && "running".equals(status)) {
                System.out.println("  host " + host.path("name").asText() + ": " + name + " runs here (QEMU, status running)");
                continue;
            }
            if (status != null) {
                quit(qmp); // a source that already moved away (postmigrate) or a destination left waiting
            }
            // detached: the guests outlive this command and a Ctrl-C of the demo that follows; ./ferry down stops them
            TestGuest guest = TestGuest.start(spec, qmp, qmp.resolveSibling("vm-" + vmId + ".serial"), !isSource, true);
            guest.process().writePid(pids.resolve("qemu-host-" + id + "-vm-" + vmId + ".pid"));
            if (isSource) {
                guest.awaitHeartbeat(3, Duration.ofSeconds(90));
                System.out.println("  host " + host.path("name").asText() + ": booted " + name + " in QEMU (TCG), dirtying "
                        + dirty + " MiB/s; serial console " + guest.serial);
            } else {
                System.out.println("  host " + host.path("name").asText() + ": QEMU waiting for an incoming migration");
            }
        }
    }

    private static String statusOf(Path qmp) {
        if (!Files.exists(qmp)) {
            return null;
        }
        try (QmpClient c = QmpClient.connect(qmp, CALL)) {
            return c.execute("query-status", null, CALL).path("status").asText();
        } catch (IOException gone) {
            return null;
        }
    }

    private static void quit(Path qmp) {
        try (QmpClient c = QmpClient.connect(qmp, CALL)) {
            c.execute("quit", null, CALL);
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static JsonNode vm(String inventory, String name) throws Exception {
        for (JsonNode vm : Http.get(inventory + "/vms?name=" + name)) {
            if (name.equals(vm.path("name").asText())) {
                return vm;
            }
        }
        return null;
    }
}
