package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventCodec;
import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Discovery through inventory's side of the wire, with a real broker and database: registering by URI sends a probe
 * on host-probes, and a worker's report on host-reports (played here; the worker's own side is tested against real
 * libvirt daemons in migration-worker) fills the host in, feeds the libvirt-answered pre-checks and raises what it
 * contradicts, without moving any VM.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class HostDiscoveryTest {

    static HostProbe probeFor(long hostId) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.HOST_PROBES, r -> ("host-" + hostId).equals(r.key()),
                        seen -> !seen.isEmpty(), Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.hostProbe(r.value())).reduce((a, b) -> b).orElseThrow();
    }

    static void report(HostReport r) {
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.HOST_REPORTS, r.key(), EventCodec.toJson(r));
    }

    static long discover(Fleet fleet, String name) {
        return given().contentType(ContentType.JSON).body(Map.of("name", name + "-" + fleet.tag, "clusterId", fleet.clusterId,
                        "libvirtUri", "qemu+tls://" + name + ".example/system", "migrationAddress", "10.0.0.9",
                        "linkBandwidthBytesPerSecond", 1_250_000_000L))
                .post("/hosts/discover").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    static HostReport.Cpu cpu() {
        return new HostReport.Cpu("Intel", "Skylake-Server-IBRS", 6, 85, 2, 8, 2, 2400, List.of("avx2", "vmx", "sse4_2"));
    }

    @Test
    void aHostRegisteredByItsUriIsFilledInFromWhatItSaysAndItsGuestsAreCheckedAgainstInventory() {
        Fleet fleet = new Fleet(2, 64);
        long peer = discover(fleet, "peer");
        long host = discover(fleet, "hv-new");
        assertThat(given().get("/hosts/" + host).jsonPath().getString("state")).isEqualTo("DISCOVERING");
        HostProbe probe = probeFor(host);
        assertThat(probe.libvirtUri()).isEqualTo("qemu+tls://hv-new.example/system");
        assertThat(probe.peers()).extracting(HostProbe.Peer::hostId).containsExactly(peer); // the typed-in hosts have no URI

        long vm = fleet.vm("known", fleet.hosts[0], 2);     // inventory says: on hosts[0]
        long missing = fleet.vm("missing", host, 1);         // inventory says: on the new host, which does not run it
        String known = "known-" + fleet.tag;
        report(new HostReport(probe.probeId(), host, Instant.now(), true, null, "hv-new", cpu(), 256L << 30, "QEMU 10.0.2, libvirt 11.3.0",
                List.of("default"), List.of(), List.of(
                        new HostReport.Guest(known, "u-1", true, 2L << 30, 1, List.of(peer), List.of()),
                        new HostReport.Guest("stray-" + fleet.tag, "u-2", true, 1L << 30, 1, List.of(), List.of()))));

        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(given().get("/hosts/" + host).jsonPath().getString("state")));
        JsonPath h = given().get("/hosts/" + host).jsonPath();
        assertThat(h.getString("cpuVendor")).isEqualTo("GenuineIntel"); // libvirt's "Intel", in CPUID's words like typed hosts
        assertThat(h.getInt("cpuFamily")).isEqualTo(6);
        assertThat(h.getInt("cpuModel")).isEqualTo(85);
        assertThat(h.getString("cpuModelName")).isEqualTo("Skylake-Server-IBRS");
        assertThat(h.getList("cpuFlags", String.class)).contains("avx2", "vmx");
        assertThat(h.getLong("memoryBytes")).isEqualTo(256L << 30);
        assertThat(h.getInt("cpuCores")).isEqualTo(16); // 8 cores of 2 threads
        assertThat(h.getString("hypervisorVersion")).isEqualTo("QEMU 10.0.2, libvirt 11.3.0");
        assertThat(h.getString("lastReportAt")).isNotNull();

        List<InventoryEvent> raised = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS,
                        r -> ("host-" + host).equals(r.key()), seen -> seen.stream().filter(r -> r.value().contains("HOST_DISCREPANCY")
                                && !r.value().contains("PROBE_UNANSWERED")).count() >= 3,
                        Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.inventoryEvent(r.value())).filter(e -> e.type() == InventoryEventType.HOST_DISCREPANCY).toList();
        // what the host runs against inventory (a slow answer may also be raised as PROBE_UNANSWERED: another test's)
        assertThat(raised).extracting(InventoryEvent::state).filteredOn(kind -> !kind.equals("PROBE_UNANSWERED"))
                .containsExactlyInAnyOrder("GUEST_ELSEWHERE", "GUEST_UNREGISTERED", "VM_NOT_ON_HOST");
        assertThat(raised).filteredOn(e -> e.state().equals("GUEST_ELSEWHERE")).singleElement()
                .satisfies(e -> assertThat(e.vmId()).isEqualTo(vm));
        assertThat(raised).filteredOn(e -> e.state().equals("VM_NOT_ON_HOST")).singleElement()
                .satisfies(e -> assertThat(e.vmId()).isEqualTo(missing));
        // reported, never applied: inventory still places the VM where it did
        assertThat(given().get("/vms/" + vm).jsonPath().getLong("hostId")).isEqualTo(fleet.hosts[0]);
    }

    @Test
    void aGuestsLoadBetweenTwoReportsIsTheVmsUntilReportsFindItAgain() {
        Fleet fleet = new Fleet(2, 64);
        long host = discover(fleet, "busy");
        long vm = fleet.vm("cruncher", host, 4);
        long elsewhere = fleet.vm("twin", fleet.hosts[0], 1); // a guest of its name runs here: not this VM's load
        String probe = probeFor(host).probeId();
        Instant first = Instant.parse("2026-12-04T21:00:00Z");
        long second = 1_000_000_000L;
        report(cpuTimes(probe + "-1", host, first, fleet, 100 * second, 20 * second));
        awaitReport(host, first);
        assertThat(given().get("/vms/" + vm).jsonPath().getString("cpuCoresUsed")).as("one reading: no load yet").isNull();

        // five minutes later: 1,050 CPU seconds more, 3.5 cores
        Instant later = first.plusSeconds(300);
        report(cpuTimes(probe + "-2", host, later, fleet, 1_150 * second, 290 * second));
        awaitReport(host, later);
        JsonPath measured = given().get("/vms/" + vm).jsonPath();
        assertThat(measured.getDouble("cpuCoresUsed")).isEqualTo(3.5);
        assertThat(Instant.parse(measured.getString("cpuMeasuredAt"))).isEqualTo(later);
        assertThat(given().get("/vms/" + elsewhere).jsonPath().getString("cpuCoresUsed")).isNull();

        // the guest restarted (its CPU time began again): no load from that report, and the VM keeps its last one
        report(cpuTimes(probe + "-3", host, first.plusSeconds(600), fleet, 30 * second, 300 * second));
        awaitReport(host, first.plusSeconds(600));
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(3.5);

        // an operator's edit of the VM leaves its load alone; the next window replaces it
        JsonPath now = given().get("/vms/" + vm).jsonPath();
        Map<String, Object> edit = Map.of("name", now.getString("name"), "memoryBytes", now.getLong("memoryBytes"), "vcpus", 2,
                "hostId", host, "volumes", now.getList("volumes"), "networkIds", now.getList("networkIds"));
        given().contentType(ContentType.JSON).body(edit).put("/vms/" + vm).then().statusCode(200);
        assertThat(given().get("/vms/" + vm).jsonPath().getInt("vcpus")).isEqualTo(2);
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(3.5);
        report(cpuTimes(probe + "-4", host, first.plusSeconds(900), fleet, 105 * second, 400 * second));
        awaitReport(host, first.plusSeconds(900));
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(0.25);
        assertThat(Instant.parse(given().get("/vms/" + vm).jsonPath().getString("cpuMeasuredAt"))).isEqualTo(first.plusSeconds(900));

        // destroyed and started again as domain 3, and busy since: its 500 CPU seconds are not 395 over 5 minutes
        report(cpuTimes(probe + "-5", host, first.plusSeconds(1200), fleet, 500 * second, 500 * second, 3));
        awaitReport(host, first.plusSeconds(1200));
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(0.25);
        report(cpuTimes(probe + "-6", host, first.plusSeconds(1500), fleet, 800 * second, 600 * second, 3));
        awaitReport(host, first.plusSeconds(1500));
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(1.0);
    }

    @Test
    void aReportDoesNotWaitForAVmRowAMigrationHolds() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        long host = discover(fleet, "held");
        long vm = fleet.vm("cruncher", host, 4);
        String probe = probeFor(host).probeId();
        Instant first = Instant.parse("2026-12-04T21:00:00Z");
        report(cpuTimes(probe + "-1", host, first, fleet, 100_000_000_000L, 0));
        awaitReport(host, first);
        // a migration's commit holds the VM's row (and would next take the guest rows a report holds)
        try (var c = dev.ferry.testsupport.TestDatabase.connect("inventory_test")) {
            c.setAutoCommit(false);
            try (var st = c.prepareStatement("SELECT id FROM vm WHERE id = ? FOR UPDATE")) {
                st.setLong(1, vm);
                st.executeQuery().close();
            }
            report(cpuTimes(probe + "-2", host, first.plusSeconds(300), fleet, 400_000_000_000L, 0));
            awaitReport(host, first.plusSeconds(300)); // applied without waiting for the row
            c.rollback();
        }
        assertThat(given().get("/vms/" + vm).jsonPath().getString("cpuCoresUsed")).as("skipped this time").isNull();
        report(cpuTimes(probe + "-3", host, first.plusSeconds(600), fleet, 700_000_000_000L, 0));
        awaitReport(host, first.plusSeconds(600));
        assertThat(given().get("/vms/" + vm).jsonPath().getDouble("cpuCoresUsed")).isEqualTo(1.0);
    }

    static void awaitReport(long host, Instant observedAt) {
        await().atMost(Duration.ofSeconds(30)).until(() -> observedAt.toString()
                .equals(given().get("/hosts/" + host).jsonPath().getString("lastReportAt")));
    }

    /** A report of the host running the fleet's cruncher and twin guests with these CPU times so far, as domains 1 and 2. */
    static HostReport cpuTimes(String probeId, long host, Instant at, Fleet fleet, long cruncherNanos, long twinNanos) {
        return cpuTimes(probeId, host, at, fleet, cruncherNanos, twinNanos, 1);
    }

    static HostReport cpuTimes(String probeId, long host, Instant at, Fleet fleet, long cruncherNanos, long twinNanos,
            int cruncherDomain) {
        return new HostReport(probeId, host, at, true, null, "busy", cpu(), 64L << 30, "QEMU 10", List.of(), List.of(), List.of(
                new HostReport.Guest("cruncher-" + fleet.tag, "u-c", true, 2L << 30, 4, List.of(), List.of(), null, cruncherNanos,
                        cruncherDomain),
                new HostReport.Guest("twin-" + fleet.tag, "u-t", true, 1L << 30, 1, List.of(), List.of(), null, twinNanos, 2)));
    }

    @Test
    void libvirtsAnswersDecideTheGuestCpuAndReachRulesOnTheHostsItNamed() {
        Fleet fleet = new Fleet(2, 64);
        long a = discover(fleet, "lv-a");
        long b = discover(fleet, "lv-b");
        long c = discover(fleet, "lv-c");
        long guestVm = fleet.vm("picky", a, 1);
        long ghostVm = fleet.vm("ghost", a, 1);
        String name = "picky-" + fleet.tag;
        // b and c report the fleet's NFS pool and network by name: inventory links them, as an operator would have
        for (long h : new long[] {b, c}) {
            report(new HostReport(probeFor(h).probeId(), h, Instant.now(), true, null, "x", cpu(), 64L << 30, "QEMU 10",
                    List.of("net-" + fleet.tag), List.of(new HostReport.Pool("nfs-" + fleet.tag, "netfs", 1L << 40)), List.of()));
        }
        HostProbe probe = probeFor(a);
        report(new HostReport(probe.probeId(), a, Instant.now(), true, null, "lv-a", cpu(), 64L << 30, "QEMU 10", List.of(), List.of(),
                List.of(new HostReport.Guest(name, "u-3", true, 1L << 30, 1, List.of(b),
                        List.of(new HostReport.Refusal(c, "the CPU is incompatible with host CPU: Host CPU does not provide required features: avx512f")),
                        new HostReport.Reach(List.of(b), List.of(new HostReport.Refusal(c, "no active storage pool holds disk /srv/picky.qcow2")),
                                List.of(b, c), List.of())))));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/hosts/" + a).jsonPath().getString("lastReportAt") != null
                && given().get("/hosts/" + b).jsonPath().getString("lastReportAt") != null
                && given().get("/hosts/" + c).jsonPath().getString("lastReportAt") != null);
        for (long h : new long[] {b, c}) {
            assertThat(given().get("/storage-pools?hostId=" + h).jsonPath().getList("name", String.class)).containsExactly("nfs-" + fleet.tag);
            assertThat(given().get("/networks?hostId=" + h).jsonPath().getList("name", String.class)).containsExactly("net-" + fleet.tag);
        }

        List<Map<String, Object>> verdicts = given().contentType(ContentType.JSON).body(Map.of("hostIds", List.of(b, c)))
                .post("/vms/" + guestVm + "/compatibility").then().statusCode(200).extract().jsonPath().getList("$");

        assertThat(verdicts.get(0)).containsEntry("compatible", true);
        assertThat(rule(verdicts.get(0), "GUEST_ON_SOURCE")).containsEntry("passed", true);
        assertThat((String) rule(verdicts.get(0), "STORAGE_REACHABLE").get("message")).contains("libvirt on lv-b-" + fleet.tag);
        assertThat(rule(verdicts.get(1), "LIBVIRT_CPU")).containsEntry("passed", false);
        assertThat((String) rule(verdicts.get(1), "LIBVIRT_CPU").get("message")).contains("avx512f");
        assertThat(rule(verdicts.get(1), "CPU_FAMILY")).containsEntry("passed", true); // same family: only libvirt knew
        assertThat(rule(verdicts.get(1), "STORAGE_REACHABLE")).containsEntry("passed", false);
        assertThat((String) rule(verdicts.get(1), "STORAGE_REACHABLE").get("message")).contains("/srv/picky.qcow2");
        assertThat(rule(verdicts.get(1), "NETWORKS_CARRIED")).containsEntry("passed", true);
        // a VM inventory places on lv-a that lv-a's libvirtd does not run cannot be moved off it
        Map<String, Object> ghost = given().contentType(ContentType.JSON).body(Map.of("hostIds", List.of(b)))
                .post("/vms/" + ghostVm + "/compatibility").then().statusCode(200).extract().jsonPath().getMap("[0]");
        assertThat(rule(ghost, "GUEST_ON_SOURCE")).containsEntry("passed", false);
        assertThat((String) rule(ghost, "GUEST_ON_SOURCE").get("message")).contains("no guest named ghost-" + fleet.tag);
    }

    @Test
    void aProbeNoWorkerAnswersIsRaisedAndSentAgain() {
        Fleet fleet = new Fleet(2, 64);
        long host = discover(fleet, "silent");
        String first = probeFor(host).probeId();

        // no worker in this test: after the answer timeout (3 s here, 2 min by default) it is raised, and asked again
        List<InventoryEvent> raised = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS,
                        r -> ("host-" + host).equals(r.key()), seen -> seen.stream().anyMatch(r -> r.value().contains("PROBE_UNANSWERED")),
                        Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.inventoryEvent(r.value())).filter(e -> e.type() == InventoryEventType.HOST_DISCREPANCY).toList();
        assertThat(raised).anySatisfy(e -> {
            assertThat(e.state()).isEqualTo("PROBE_UNANSWERED");
            assertThat(e.reason()).contains("no worker answered").contains("silent-" + fleet.tag);
        });
        assertThat(probeFor(host).probeId()).isNotEqualTo(first);
        assertThat(given().get("/hosts/" + host).jsonPath().getString("state")).isEqualTo("DISCOVERING"); // nothing invented
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> rule(Map<String, Object> verdict, String code) {
        return ((List<Map<String, Object>>) verdict.get("rules")).stream().filter(r -> code.equals(r.get("code"))).findFirst().orElseThrow();
    }

    @Test
    void anUnreachableHostIsReportedAndItsDiscrepancyRaisedOnce() {
        Fleet fleet = new Fleet(2, 64);
        long host = discover(fleet, "flaky");
        report(new HostReport(probeFor(host).probeId(), host, Instant.now(), true, null, "flaky", cpu(), 64L << 30, "QEMU 10", List.of(),
                List.of(), List.of()));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(given().get("/hosts/" + host).jsonPath().getString("state")));
        given().post("/hosts/" + host + "/probe").then().statusCode(202);
        HostProbe again = probeFor(host);
        report(HostReport.unreachable(again, Instant.now(), "cannot reach libvirt at qemu+tls://flaky.example/system: connection refused"));

        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/hosts/" + host).jsonPath().getString("unreachableReason") != null);
        assertThat(given().get("/hosts/" + host).jsonPath().getString("unreachableReason")).contains("connection refused");
        List<InventoryEvent> raised = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS,
                        r -> ("host-" + host).equals(r.key()), seen -> seen.stream().anyMatch(r -> r.value().contains("HOST_UNREACHABLE")),
                        Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.inventoryEvent(r.value())).filter(e -> e.type() == InventoryEventType.HOST_DISCREPANCY)
                .filter(e -> !e.state().equals("PROBE_UNANSWERED")).toList(); // a slow answer may be raised too: another test's
        assertThat(raised).singleElement().satisfies(e -> assertThat(e.reason()).contains("connection refused"));
        // a host without a URI cannot be asked; a bad URI or a taken name is refused before anything is written
        given().post("/hosts/" + fleet.hosts[0] + "/probe").then().statusCode(409);
        given().contentType(ContentType.JSON).body(Map.of("name", "bad-" + fleet.tag, "clusterId", fleet.clusterId,
                        "libvirtUri", "http://hv.example/", "migrationAddress", "10.0.0.9", "linkBandwidthBytesPerSecond", 1))
                .post("/hosts/discover").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("name", "flaky-" + fleet.tag, "clusterId", fleet.clusterId,
                        "libvirtUri", "qemu+tls://other.example/system", "migrationAddress", "10.0.0.9", "linkBandwidthBytesPerSecond", 1))
                .post("/hosts/discover").then().statusCode(409);
    }
}
