package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.Topics;
import dev.ferry.testsupport.KafkaProbe;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fleet on a running platform, for the fault tests: hosts on 1 GbE sharing one pool and one network, VMs, migrations,
 * and the checks that hold after any fault: the VM where the scheduler's outcome says and on no other host, no hold
 * left active, one decision per migration.
 */
final class Fleet {
    static final long GIB = 1L << 30;
    final String inventory;
    final String scheduler;
    final String kafka;
    final List<Long> hosts = new ArrayList<>();
    final long pool;
    final long net;

    private Fleet(Fleet of, String scheduler) {
        this.inventory = of.inventory;
        this.scheduler = scheduler;
        this.kafka = of.kafka;
        this.hosts.addAll(of.hosts);
        this.pool = of.pool;
        this.net = of.net;
    }

    /** The same fleet, asked through another scheduler replica. */
    Fleet on(Platform.Service schedulerReplica) {
        return new Fleet(this, schedulerReplica.url());
    }

    Fleet(Platform platform, String kafka, String name, int hostCount) {
        this(platform, kafka, name, hostCount, 125_000_000L);
    }

    /** @param firstHostLink the first host's link (the others have 1 GbE) */
    Fleet(Platform platform, String kafka, String name, int hostCount, long firstHostLink) {
        this.inventory = platform.inventory.url();
        this.scheduler = platform.scheduler.url();
        this.kafka = kafka;
        long cluster = create("/clusters", Map.of("name", name));
        for (int i = 1; i <= hostCount; i++) {
            // 1 GbE: round 1 of 4 GiB is 34 s simulated; up to 8 migrations in and out of each host
            hosts.add(create("/hosts", Map.of("name", name + "-hv-" + i, "clusterId", cluster,
                    "cpu", Map.of("vendor", "GenuineIntel", "family", 6, "model", 15, "modelName", "Intel Xeon 5130",
                            "mhz", 2000, "sockets", 2, "cores", 16),
                    "memoryBytes", 512 * GIB, "hypervisorType", "KVM", "hypervisorVersion", "QEMU 10.0.2",
                    "migrationAddress", "192.0.2." + i, "linkBandwidthBytesPerSecond", i == 1 ? firstHostLink : 125_000_000L,
                    "maxInboundMigrations", 8, "maxOutboundMigrations", 8)));
        }
        pool = create("/storage-pools", Map.of("name", name + "-nfs", "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 8192 * GIB, "hostIds", hosts));
        net = create("/networks", Map.of("name", name + "-net", "vlan", 30, "hostIds", hosts));
    }

    long create(String path, Object body) {
        return given().baseUri(inventory).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    long vm(String name, long host, long memory) {
        return create("/vms", Map.of("name", name, "memoryBytes", memory, "vcpus", 2, "hostId", host,
                "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 20 * GIB)), "networkIds", List.of(net)));
    }

    String migrate(long vm, long target, int maxRetries) {
        return given().baseUri(scheduler).contentType(ContentType.JSON)
                .body(Map.of("vmId", vm, "targetHostId", target, "maxRetries", maxRetries))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");
    }

    JsonPath migration(String id) {
        return given().baseUri(scheduler).get("/migrations/" + id).then().statusCode(200).extract().jsonPath();
    }

    String phase(String id) {
        return migration(id).getString("phase");
    }

    boolean ended(String id) {
        return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(phase(id));
    }

    /** One migration seen from both sides: the VM where the scheduler's outcome says, and no hold left behind. */
    void agree(String id, long vm, long source, long target) {
        String phase = phase(id);
        long expected = "SUCCEEDED".equals(phase) ? target : source;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(given().baseUri(inventory).get("/vms/" + vm).jsonPath().getLong("hostId"))
                    .as("VM %d after migration %s ended %s", vm, id, phase).isEqualTo(expected);
            assertThat(given().baseUri(inventory).queryParam("migrationId", id).get("/reservations").jsonPath()
                    .getList("state", String.class)).as("holds of migration %s", id).doesNotContain("ACTIVE");
        });
        assertThat(given().baseUri(inventory).queryParam("hostId", expected == target ? source : target).get("/vms").jsonPath()
                .getList("id", Long.class)).as("VM %d on one host only", vm).doesNotContain(vm);
    }

    /** The scheduler's final decisions about one migration (an OUTCOME_UNKNOWN on the way is not final), as published. */
    List<MigrationEvent> finalDecisions(String id) {
        return decisions(id).stream().filter(e -> e.type().isOutcome()).toList();
    }

    /** The final decisions about each of many migrations, read in one pass over the topic. */
    java.util.Map<String, List<MigrationEvent>> finalDecisions(java.util.Collection<String> ids) {
        java.util.Set<String> wanted = new java.util.HashSet<>(ids);
        java.util.Map<String, List<MigrationEvent>> byId = new java.util.HashMap<>();
        ids.forEach(id -> byId.put(id, new java.util.ArrayList<>()));
        KafkaProbe.readToEnd(kafka, Topics.MIGRATION_EVENTS, r -> wanted.contains(r.key()))
                .stream().map(r -> EventCodec.event(r.value())).filter(e -> e.isDecision() && e.type().isOutcome())
                .filter(distinctEvents())
                .forEach(e -> byId.get(e.migrationId().toString()).add(e));
        return byId;
    }

    /** The scheduler's decisions about one migration, as published, each once. */
    List<MigrationEvent> decisions(String id) {
        return KafkaProbe.readToEnd(kafka, Topics.MIGRATION_EVENTS, r -> id.equals(r.key()))
                .stream().map(r -> EventCodec.event(r.value())).filter(MigrationEvent::isDecision).filter(distinctEvents()).toList();
    }

    /**
     * Delivery is at least once: when the broker comes back, the outbox relay sends again what it saw no
     * acknowledgement for, so one decision can be on the topic several times with one event id (consumers apply it once).
     * A second decision is a second event id; that is what the tests count.
     */
    private static java.util.function.Predicate<MigrationEvent> distinctEvents() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return e -> seen.add(e.eventId());
    }
}
