package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.platform.LibvirtHost;
import dev.ferry.platform.Trees;
import dev.ferry.testsupport.TestGuest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The libvirt driver through the whole service path: REST -> scheduler -> Kafka -> worker -> two libvirt daemons on
 * this machine standing for two hosts (LibvirtHost) -> events -> scheduler and inventory. Each host is registered in
 * inventory by its libvirt URI only and discovered through a worker; the VM is a persistent libvirt domain of the same
 * name running the test guest, defined on hv-a before inventory knew of it. In order: the move to hv-b, then the way
 * back with the worker steering it killed mid-way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtEndToEndIT {
    static final String NAME = "lv-guest";
    /** What the first scenario registered: the VM, and the hosts hv-a and hv-b. */
    static long vm;
    static long[] hosts = new long[2];
    static final long MIB = 1L << 20;
    static final Path ROOT = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    static Platform platform;
    static LibvirtHost a;
    static LibvirtHost b;

    @BeforeAll
    static void start() {
        Path dir = ROOT.resolve("e2e-tests/target/libvirt-hosts");
        Trees.delete(dir);
        a = LibvirtHost.start(dir.resolve("a"), "hv-a", 2, false);
        b = LibvirtHost.start(dir.resolve("b"), "hv-b", 3, false);
        // a claim lapses after 3 missed 1 s heartbeats: a killed worker is replaced within a test
        platform = Platform.start("e2elibvirt", Map.of("FERRY_WORKER_DRIVER", "libvirt", "FERRY_SCHEDULER_WORKER_HEARTBEAT", "PT1S"));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    static long create(String path, Object body) {
        return given().baseUri(platform.inventory.url()).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** One rule of the VM's pre-check verdict for one target: its code, passed and message. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> rule(long vm, long target, String code) {
        List<Map<String, Object>> rules = given().baseUri(platform.inventory.url()).contentType(ContentType.JSON)
                .body(Map.of("hostIds", List.of(target))).post("/vms/" + vm + "/compatibility").then().statusCode(200)
                .extract().jsonPath().getList("[0].rules");
        return rules.stream().filter(r -> code.equals(r.get("code"))).findFirst().orElseThrow();
    }

    static String cpuinfoField(String cpuinfo, String field) {
        return cpuinfo.lines().filter(l -> l.startsWith(field)).findFirst().orElseThrow().split(":")[1].trim();
    }

    static Path serial(LibvirtHost host, String name) {
        return host.logDir().resolve("qemu").resolve(name + ".serial");
    }

    @Test
    @Order(1)
    void aRealGuestMovesBetweenTwoLibvirtHostsThroughTheWholeServicePath() throws Exception {
        String name = NAME;
        // the guest itself, as the host's operator defined it in libvirt, before Ferry knows of it
        TestGuest.Spec spec = TestGuest.Spec.built(ROOT.resolve(".ferry/guest"), null, 256, 20, 96);
        Path xml = ROOT.resolve("e2e-tests/target/libvirt-hosts/" + name + ".xml");
        Files.writeString(xml, TestGuest.domainXml(spec, name, "/var/log/libvirt/qemu/" + name + ".serial"));
        a.virsh("define", xml.toString());
        a.virsh("start", name);

        // both hosts registered by their URI only: what they are comes from their libvirtd, through a worker
        long cluster = create("/clusters", Map.of("name", "libvirt"));
        LibvirtHost[] daemons = {a, b};
        for (int i = 0; i < 2; i++) {
            hosts[i] = create("/hosts/discover", Map.of("name", daemons[i].name(), "clusterId", cluster, "libvirtUri", daemons[i].uri(),
                    "migrationAddress", "127.0.0.1", "linkBandwidthBytesPerSecond", 32 * MIB));
        }
        for (long host : hosts) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> "UP".equals(
                    given().baseUri(platform.inventory.url()).get("/hosts/" + host).jsonPath().getString("state")));
        }
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        var discovered = given().baseUri(platform.inventory.url()).get("/hosts/" + hosts[0]).jsonPath();
        assertThat(discovered.getInt("cpuFamily")).isEqualTo(Integer.parseInt(cpuinfoField(cpuinfo, "cpu family")));
        assertThat(discovered.getString("cpuVendor")).isEqualTo(cpuinfoField(cpuinfo, "vendor_id"));
        assertThat(discovered.getLong("memoryBytes")).isPositive();
        assertThat(discovered.getString("hypervisorVersion")).startsWith("QEMU 10.");
        // a guest runs on hv-a that inventory does not know yet: raised, not adopted into the records
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(platform.scheduler.url())
                .get("/discrepancies?hostId=" + hosts[0]).jsonPath().getList("kind").contains("GUEST_UNREGISTERED"));

        long pool = create("/storage-pools", Map.of("name", "lv-nfs", "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 64 * 1024 * MIB, "hostIds", List.of(hosts[0], hosts[1])));
        long net = create("/networks", Map.of("name", "lv-net", "vlan", 30, "hostIds", List.of(hosts[0], hosts[1])));
        vm = create("/vms", Map.of("name", name, "memoryBytes", 256 * MIB, "vcpus", 1, "hostId", hosts[0],
                "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 16 * MIB)), "networkIds", List.of(net)));
        // asked again now that hv-b is known: libvirt compares the guest's CPU with what hv-b's hypervisor runs
        given().baseUri(platform.inventory.url()).post("/hosts/" + hosts[0] + "/probe").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> rule(vm, hosts[1], "LIBVIRT_CPU")
                .get("message").toString().startsWith("libvirt on hv-b can run"));
        assertThat(rule(vm, hosts[1], "LIBVIRT_CPU")).containsEntry("passed", true);
        assertThat(rule(vm, hosts[1], "GUEST_ON_SOURCE")).containsEntry("passed", true);
        // hv-b's libvirtd was asked about the guest's devices (it has none): confirmed, not merely assumed
        assertThat(rule(vm, hosts[1], "STORAGE_REACHABLE").get("message").toString()).contains("libvirt on hv-b finds every disk");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> TestGuest.heartbeats(serial(a, name)).size() >= 5);

        String id = given().baseUri(platform.scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("vmId", vm, "targetHostId", hosts[1], "maxDowntimeMillis", 300))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String phase = given().baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath().getString("phase");
            assertThat(phase).isNotIn("FAILED", "CANCELLED", "OUTCOME_UNKNOWN");
            return "SUCCEEDED".equals(phase);
        });

        var m = given().baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath();
        assertThat(m.getString("driver")).isEqualTo("libvirt");
        assertThat(m.getInt("roundCount")).isGreaterThanOrEqualTo(2);
        assertThat(m.getList("rounds.reason", String.class)).allSatisfy(r -> assertThat(r).endsWith("[libvirt]"));
        assertThat(b.virsh("domstate", name)).isEqualTo("running");
        assertThat(b.virsh("dominfo", name)).containsPattern("Persistent:\\s+yes");
        assertThat(a.virsh("list", "--all", "--name")).doesNotContain(name); // undefined on the source
        TestGuest.awaitContinuation(serial(a, name), serial(b, name), 10, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(given().baseUri(platform.inventory.url())
                .get("/vms/" + vm).jsonPath().getLong("hostId")).isEqualTo(hosts[1]));
        // the guest's host record moved with it: moving it back is checked against hv-b at once, not after a sync
        assertThat(rule(vm, hosts[0], "GUEST_ON_SOURCE").get("message").toString()).startsWith("libvirt on hv-b runs guest " + name);
        assertThat(rule(vm, hosts[0], "LIBVIRT_CPU")).containsEntry("passed", true);
    }

    /**
     * The libvirt half of the fault tests: the worker steering the way back is killed with -9 mid-way. A peer-to-peer
     * job is the source's libvirtd's, so it goes on without its worker; the claim lapses, and the other worker finds
     * the job running in libvirt and adopts it to its end as the same attempt (run 2) instead of starting another.
     */
    @Test
    @Order(2)
    void aWorkerKilledMidMigrationIsReplacedByOneThatAdoptsTheJobStillRunningInLibvirt() throws Exception {
        assertThat(vm).as("the first scenario placed the VM on hv-b").isPositive();
        Platform.Service spare = platform.addWorker();
        spare.awaitReady(Duration.ofSeconds(120));
        Files.deleteIfExists(serial(a, NAME)); // the guest's console on hv-a starts afresh with this move

        String id = given().baseUri(platform.scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("vmId", vm, "targetHostId", hosts[0], "maxDowntimeMillis", 300))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");
        var m = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                .baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath(), j -> j.getString("ownerId") != null);
        Platform.Service owner = platform.worker(m.getString("ownerId")).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> memoryProcessed(b) > 16 * MIB);
        platform.kill(owner);
        assertThat(b.virsh("domjobinfo", NAME)).as("the job goes on in hv-b's libvirtd").containsPattern("Job type:\\s+Unbounded");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            var now = given().baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath();
            return now.getString("ownerId") != null && !now.getString("ownerId").equals(m.getString("ownerId"));
        });

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String phase = given().baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath().getString("phase");
            assertThat(phase).isNotIn("FAILED", "CANCELLED", "OUTCOME_UNKNOWN");
            return "SUCCEEDED".equals(phase);
        });
        var done = given().baseUri(platform.scheduler.url()).get("/migrations/" + id).jsonPath();
        assertThat(done.getInt("attempt")).isEqualTo(1); // not started again: the same job, with a new owner
        assertThat(done.getInt("run")).isEqualTo(2);
        assertThat(done.getString("workerId")).isNotEqualTo(m.getString("ownerId"));
        assertThat(a.virsh("domstate", NAME)).isEqualTo("running");
        assertThat(b.virsh("list", "--all", "--name")).doesNotContain(NAME);
        TestGuest.awaitContinuation(serial(b, NAME), serial(a, NAME), 10, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(given().baseUri(platform.inventory.url())
                .get("/vms/" + vm).jsonPath().getLong("hostId")).isEqualTo(hosts[0]));
    }

    /** The bytes of memory the guest's migration job on the host has sent so far ({@code virsh domjobinfo}). */
    static long memoryProcessed(LibvirtHost host) throws java.io.IOException {
        for (String line : host.virsh("domjobinfo", NAME).lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Memory processed:\\s+([0-9.]+) (\\w)iB").matcher(line);
            if (m.find()) {
                return (long) (Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                    case "K" -> 1L << 10;
                    case "M" -> 1L << 20;
                    case "G" -> 1L << 30;
                    default -> 1L;
                });
            }
        }
        return 0;
    }
}
