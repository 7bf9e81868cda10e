package dev.ferry.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.LocalLogin;
import dev.ferry.platform.Http;
import dev.ferry.platform.LibvirtHost;
import dev.ferry.platform.Pki;
import dev.ferry.testsupport.TestGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The two hosts of {@code FERRY_WORKER_DRIVER=libvirt ./ferry up}: two libvirt daemons on this machine (hv-a over TCP,
 * hv-b over TLS with throwaway certificates, as a fleet's hosts would be), registered in inventory by their URI only
 * and discovered through the worker, and the test guest running on hv-a as the libvirt domain {@code lv-1}, with its
 * VM record. {@code ./ferry demo lv-1} then moves it, with the same progress bars as the simulator. The daemons and the
 * guest outlive this command; {@code ./ferry down} destroys the guests and stops the daemons (pid files
 * {@code libvirt-<host>.pid}, each daemon's URI in {@code <state>/libvirt/<host>.uri}). Run again, it reuses what runs.
 *
 * <p>Usage: {@code LibvirtDemoHosts <inventoryUrl> <stateDir> <guestDir> <pidDir> [dirtyMiBPerSecond]}
 */
public final class LibvirtDemoHosts {
    static final String VM = "lv-1";
    static final String CLUSTER = "libvirt-demo";
    private static final long MIB = 1L << 20;
    /** Host indices for migration and display port ranges, clear of the tests' (0 to 4). */
    private static final int FIRST_INDEX = 10;

    public static void main(String[] args) throws Exception {
        String inventory = args[0];
        Http.signIn(LocalLogin.token("admin")); // registers hosts and VMs: a fleet change
        Path state = Path.of(args[1]).toAbsolutePath().resolve("libvirt");
        Path guestDir = Path.of(args[2]).toAbsolutePath();
        Path pids = Path.of(args[3]).toAbsolutePath();
        int dirty = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        Pki pki = Pki.create(state.resolve("pki"));
        String[] names = {"hv-a", "hv-b"};
        String[] uris = new String[2];
        for (int i = 0; i < 2; i++) {
            uris[i] = host(state, pids, names[i], FIRST_INDEX + i, i == 1 ? pki : null);
        }

        long cluster = cluster(inventory);
        long[] hosts = new long[2];
        for (int i = 0; i < 2; i++) {
            hosts[i] = discovered(inventory, cluster, names[i], uris[i]);
        }
        String where = runningOn(uris);
        if (where == null) {
            // where inventory places it (a later run, after a demo moved it), or hv-a
            JsonNode known = vm(inventory);
            int at = known != null && known.path("hostId").asLong() == hosts[1] ? 1 : 0;
            TestGuest.Spec spec = TestGuest.Spec.built(guestDir, null, 256, dirty, 96);
            Path xml = state.resolve(VM + ".xml");
            Files.writeString(xml, TestGuest.domainXml(spec, VM, "/var/log/libvirt/qemu/" + VM + ".serial"));
            if (LibvirtHost.virshAt(uris[at], "list", "--all", "--name").lines().noneMatch(l -> l.trim().equals(VM))) {
                LibvirtHost.virshAt(uris[at], "define", xml.toString()); // defined once; ./ferry down only stops it
            }
            LibvirtHost.virshAt(uris[at], "start", VM);
            where = uris[at];
            System.out.println("guest " + VM + " booted on " + names[at] + " (" + dirty + " MiB/s of writes)");
            reported(inventory, hosts[at], names[at]); // the pre-checks ask whether its host runs it
        }
        long onHost = where.equals(uris[0]) ? hosts[0] : hosts[1];
        if (vm(inventory) == null) {
            long pool = Http.post(inventory + "/storage-pools", Map.of("name", "libvirt-demo-shared", "type", "NFS", "scope",
                    "CLUSTER", "capacityBytes", 64L * 1024 * MIB, "hostIds", List.of(hosts[0], hosts[1]))).path("id").asLong();
            long net = Http.post(inventory + "/networks", Map.of("name", "libvirt-demo-net", "vlan", 40,
                    "hostIds", List.of(hosts[0], hosts[1]))).path("id").asLong();
            Http.post(inventory + "/vms", Map.of("name", VM, "memoryBytes", 256 * MIB, "vcpus", 1, "hostId", onHost,
                    "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 16 * MIB)), "networkIds", List.of(net)));
        }
        System.out.printf("libvirt hosts up: hv-a %s, hv-b %s (TLS); VM %s on %s.%nNext: ./ferry demo %s%n", uris[0], uris[1],
                VM, onHost == hosts[0] ? "hv-a" : "hv-b", VM);
    }

    /** Starts a host's libvirtd unless the one of an earlier run still runs; returns its URI. */
    private static String host(Path state, Path pids, String name, int index, Pki pki) throws IOException {
        Path uriFile = state.resolve(name + ".uri");
        Path pidFile = pids.resolve("libvirt-" + name + ".pid");
        if (Files.exists(uriFile) && Files.exists(pidFile) && alive(Long.parseLong(Files.readString(pidFile).trim()))) {
            return Files.readString(uriFile).trim();
        }
        LibvirtHost host = LibvirtHost.start(state.resolve(name), name, index, true, pki);
        Files.createDirectories(pids);
        host.daemon().writePid(pidFile);
        Files.writeString(uriFile, host.uri());
        System.out.println("libvirtd " + name + " ready at " + host.uri());
        return host.uri();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static long cluster(String inventory) {
        for (JsonNode c : Http.get(inventory + "/clusters")) {
            if (CLUSTER.equals(c.path("name").asText())) {
                return c.path("id").asLong();
            }
        }
        return Http.post(inventory + "/clusters", Map.of("name", CLUSTER)).path("id").asLong();
    }

    /** Registers the host by its URI (or asks it again), and waits until discovery has made it UP. */
    private static long discovered(String inventory, long cluster, String name, String uri) throws InterruptedException {
        long id = -1;
        for (JsonNode h : Http.get(inventory + "/hosts?clusterId=" + cluster)) {
            if (name.equals(h.path("name").asText())) {
                id = h.path("id").asLong();
            }
        }
        if (id < 0) {
            id = Http.post(inventory + "/hosts/discover", Map.of("name", name, "clusterId", cluster, "libvirtUri", uri,
                    "migrationAddress", "127.0.0.1", "linkBandwidthBytesPerSecond", 32 * MIB)).path("id").asLong();
        } else {
            JsonNode h = Http.get(inventory + "/hosts/" + id);
            if (!uri.equals(h.path("libvirtUri").asText())) {
                Http.put(inventory + "/hosts/" + id, withUri(h, uri)); // this run's daemon listens on another port
            }
            Http.post(inventory + "/hosts/" + id + "/probe", Map.of());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode h = Http.get(inventory + "/hosts/" + id);
            if ("UP".equals(h.path("state").asText()) && h.path("unreachableReason").isNull()) {
                System.out.printf("%s discovered: %s %s, %d MiB, %s%n", name, h.path("cpuVendor").asText(), h.path("cpuModelName").asText(),
                        h.path("memoryBytes").asLong() / MIB, h.path("hypervisorVersion").asText());
                return id;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " was not discovered within 60 s: " + h.path("unreachableReason").asText("no report"));
            }
            Thread.sleep(500);
        }
    }

    /** Asks the host again and waits for its report, so that inventory knows what it runs now. */
    private static void reported(String inventory, long id, String name) throws InterruptedException {
        String before = Http.get(inventory + "/hosts/" + id).path("lastReportAt").asText();
        Http.post(inventory + "/hosts/" + id + "/probe", Map.of());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (before.equals(Http.get(inventory + "/hosts/" + id).path("lastReportAt").asText())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not report within 60 s of a new probe");
            }
            Thread.sleep(300);
        }
    }

    /** The host as PUT /hosts/{id} takes it, at a new URI. */
    private static Map<String, Object> withUri(JsonNode h, String uri) {
        Map<String, Object> cpu = Map.of("vendor", h.path("cpuVendor").asText(), "family", h.path("cpuFamily").asInt(), "model",
                h.path("cpuModel").asInt(), "modelName", h.path("cpuModelName").asText(), "mhz", Math.max(1, h.path("cpuMhz").asInt()),
                "sockets", Math.max(1, h.path("cpuSockets").asInt()), "cores", Math.max(1, h.path("cpuCores").asInt()),
                "flags", Http.JSON.convertValue(h.path("cpuFlags"), List.class));
        Map<String, Object> body = new java.util.HashMap<>();
        for (String field : List.of("name", "clusterId", "state", "memoryBytes", "hypervisorType", "hypervisorVersion",
                "migrationAddress", "linkBandwidthBytesPerSecond", "version")) {
            body.put(field, Http.JSON.convertValue(h.path(field), Object.class));
        }
        body.put("cpu", cpu);
        body.put("libvirtUri", uri);
        return body;
    }

    private static JsonNode vm(String inventory) {
        for (JsonNode v : Http.get(inventory + "/vms?size=1000")) {
            if (VM.equals(v.path("name").asText())) {
                return v;
            }
        }
        return null;
    }

    /** The URI of the host whose libvirtd runs the demo guest, or null. */
    private static String runningOn(String[] uris) throws IOException {
        for (String uri : uris) {
            if (LibvirtHost.virshAt(uri, "list", "--name").lines().anyMatch(l -> l.trim().equals(VM))) {
                return uri;
            }
        }
        return null;
    }
}
