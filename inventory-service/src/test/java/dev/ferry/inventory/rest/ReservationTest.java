package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class ReservationTest {

    static Response reserve(UUID migrationId, long vm, long host) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("migrationId", migrationId.toString(), "vmId", vm, "hostId", host))
                .post("/reservations");
    }

    @Test
    void reservesAndRepeatsIdempotentlyForTheSameMigration() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("web", fleet.hosts[0], 4);
        UUID migration = UUID.randomUUID();

        long first = reserve(migration, vm, fleet.hosts[1]).then().statusCode(201)
                .body("state", equalTo("ACTIVE")).extract().jsonPath().getLong("id");
        long again = reserve(migration, vm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");

        assertThat(again).isEqualTo(first);
    }

    @Test
    void aMigrationWhoseHoldWasReleasedHoldsItsNewDestinationInTheSameRow() {
        Fleet fleet = new Fleet(3, 64);
        List<Long> all = List.of(fleet.hosts[0], fleet.hosts[1], fleet.hosts[2]);
        long pool = Fleet.post("/storage-pools", Map.of("name", "shared-" + fleet.tag, "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 1000 * Fleet.GIB, "hostIds", all));
        long network = Fleet.post("/networks", Map.of("name", "shared-" + fleet.tag, "vlan", 200, "hostIds", all));
        long vm = Fleet.post("/vms", Map.of("name", "web-" + fleet.tag, "memoryBytes", 4 * Fleet.GIB, "vcpus", 1,
                "hostId", fleet.hosts[0], "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 10 * Fleet.GIB)),
                "networkIds", List.of(network)));
        UUID migration = UUID.randomUUID();
        long hold = reserve(migration, vm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");

        // while it holds host 1 it cannot hold another
        reserve(migration, vm, fleet.hosts[2]).then().statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/reservation-exists"))
                .body("reservationId", equalTo((int) hold));

        // the scheduler gives host 1 back (the destination changed while the migration waited) and holds host 2
        given().contentType(ContentType.JSON).body(Map.of("reason", "destination changed")).post("/reservations/" + hold + "/release")
                .then().statusCode(200);
        reserve(migration, vm, fleet.hosts[2]).then().statusCode(201)
                .body("id", equalTo((int) hold)).body("hostId", equalTo((int) fleet.hosts[2])).body("state", equalTo("ACTIVE"));
        given().queryParam("hostId", fleet.hosts[1]).queryParam("state", "ACTIVE").get("/reservations")
                .then().body("size()", equalTo(0));

        // once the migration moved the VM, its hold is spent
        given().post("/reservations/" + hold + "/commit").then().statusCode(200);
        reserve(migration, vm, fleet.hosts[1]).then().statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/reservation-committed"));
    }

    static void overdue(long reservationId) throws java.sql.SQLException {
        try (var c = dev.ferry.testsupport.TestDatabase.connect("inventory_test");
                var s = c.createStatement()) {
            s.execute("UPDATE reservation SET expires_at = now() - interval '1 second' WHERE id = " + reservationId);
        }
    }

    @jakarta.inject.Inject
    dev.ferry.inventory.InventoryRetention retention;

    @Test
    void anEndedHoldAndAnOldFleetChangeGoOnceTheirRetentionIsPastButAnActiveHoldNever() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        long oldVm = fleet.vm("old", fleet.hosts[0], 4);
        long heldVm = fleet.vm("held", fleet.hosts[0], 4);
        long recentVm = fleet.vm("recent", fleet.hosts[0], 4);
        long ended = reserve(UUID.randomUUID(), oldVm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        long endedRecently = reserve(UUID.randomUUID(), recentVm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        for (long hold : List.of(ended, endedRecently)) {
            given().contentType(ContentType.JSON).body(Map.of("reason", "test")).post("/reservations/" + hold + "/release")
                    .then().statusCode(200);
        }
        long active = reserve(UUID.randomUUID(), heldVm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        try (var c = dev.ferry.testsupport.TestDatabase.connect("inventory_test"); var s = c.createStatement()) {
            // a month and a day ago, as far as retention can tell: one ended hold, one still held, one VM's creation
            s.execute("UPDATE reservation SET created_at = now() - interval '31 days', ended_at = now() - interval '31 days' WHERE id = " + ended);
            s.execute("UPDATE reservation SET created_at = now() - interval '31 days' WHERE id = " + active);
            s.execute("UPDATE fleet_change SET changed_at = now() - interval '31 days' WHERE entity = 'VM' AND entity_id = " + oldVm);
        }
        assertThat(given().queryParam("entity", "VM").queryParam("entityId", oldVm).get("/fleet-changes").jsonPath().getList("$")).isNotEmpty();

        // one row per statement: the slices go on until nothing past its time is left
        long deleted = retention.prune(java.time.Duration.ofDays(30), java.time.Duration.ofDays(30), 1)
                .await().atMost(java.time.Duration.ofSeconds(20));

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        given().get("/reservations/" + ended).then().statusCode(404);
        given().get("/reservations/" + endedRecently).then().statusCode(200).body("state", equalTo("RELEASED"));
        given().get("/reservations/" + active).then().statusCode(200).body("state", equalTo("ACTIVE"));
        given().queryParam("entity", "VM").queryParam("entityId", oldVm).get("/fleet-changes").then().body("size()", equalTo(0));
        given().queryParam("entity", "VM").queryParam("entityId", heldVm).get("/fleet-changes").then().body("size()", equalTo(1));
    }

    @Test
    void anOverdueHoldIsSweptButOneItsMigrationHeldAgainIsNot() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        long lost = reserve(UUID.randomUUID(), fleet.vm("lost", fleet.hosts[0], 2), fleet.hosts[1]).then().statusCode(201)
                .extract().jsonPath().getLong("id");
        UUID back = UUID.randomUUID();
        long vm = fleet.vm("back", fleet.hosts[0], 2);
        long renewed = reserve(back, vm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        overdue(lost);
        overdue(renewed);
        // the migration of "back" asks again before the sweep: its hold is checked and held anew, in the same row
        reserve(back, vm, fleet.hosts[1]).then().statusCode(201).body("id", equalTo((int) renewed)).body("state", equalTo("ACTIVE"));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() ->
                "RELEASED".equals(given().get("/reservations/" + lost).jsonPath().getString("state")));
        given().get("/reservations/" + lost).then().body("endReason", equalTo("expired"));
        Thread.sleep(2500); // two sweeps
        given().get("/reservations/" + renewed).then().body("state", equalTo("ACTIVE"));
    }

    @Test
    void aHeldAgainDestinationIsCheckedAgain() {
        Fleet fleet = new Fleet(2, 8);
        long vm = fleet.vm("web", fleet.hosts[0], 6);
        UUID migration = UUID.randomUUID();
        long hold = reserve(migration, vm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("reason", "test")).post("/reservations/" + hold + "/release")
                .then().statusCode(200);
        reserve(UUID.randomUUID(), fleet.vm("other", fleet.hosts[0], 6), fleet.hosts[1]).then().statusCode(201);

        reserve(migration, vm, fleet.hosts[1]).then().statusCode(422).body("failedRules.code", hasItem("MEMORY_CAPACITY"));
    }

    @Test
    void refusesAnIncompatibleTargetListingEveryFailedRule() {
        Fleet fleet = new Fleet(2, 64);
        long amd = fleet.host("amd", "AuthenticAMD", 15, 64);
        long vm = fleet.vm("web", fleet.hosts[0], 4);

        reserve(UUID.randomUUID(), vm, amd).then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/migration-not-possible"))
                .body("failedRules.code", hasItem("CPU_VENDOR"))
                .body("failedRules.code", hasItem("STORAGE_REACHABLE"))
                // the sentence itself names the rules, for whoever reads only the detail (a failed migration's reason)
                .body("detail", org.hamcrest.Matchers.matchesPattern("VM web-\\S+ cannot migrate to amd-\\S+: CPU_VENDOR: CPU vendor differs.*"))
                .body("detail", containsString("STORAGE_REACHABLE: "));
        given().queryParam("hostId", amd).get("/reservations").then().body("size()", equalTo(0));
    }

    @Test
    void aXeon5120HostIsACandidateAndAHoldForAVmOnAXeon5130() {
        // the seed's two CPUs: one family and model, another model name and speed
        Fleet fleet = new Fleet(2, 64, List.of("Intel Xeon 5130", "Intel Xeon 5120"));
        long vm = fleet.vm("web", fleet.hosts[0], 4);

        // what every planner places from (requests, evacuations, rebalances): inventory's candidates
        var candidates = given().get("/vms/" + vm + "/candidates").then().statusCode(200).extract().jsonPath();
        assertThat(candidates.getList("verdict.hostId", Long.class)).contains(fleet.hosts[1]);
        int i = candidates.getList("verdict.hostId", Long.class).indexOf(fleet.hosts[1]);
        assertThat(candidates.getBoolean("verdict[" + i + "].compatible")).isTrue();
        assertThat(candidates.getList("verdict[" + i + "].rules.code", String.class)).contains("CPU_VENDOR", "CPU_FAMILY");
        reserve(UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(201);
    }

    @Test
    void reservingTheHostTheVmRunsOnIsRefusedByItsRuleNotAnError() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("home", fleet.hosts[0], 4);

        reserve(UUID.randomUUID(), vm, fleet.hosts[0]).then().statusCode(422)
                .body("failedRules.code", hasItem("NOT_CURRENT_HOST"));
    }

    @Test
    void reservationsCrossingBetweenTwoHostsNeverDeadlock() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        List<Long> fromA = new ArrayList<>();
        List<Long> fromB = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fromA.add(fleet.vm("a" + i, fleet.hosts[0], 1));
            fromB.add(fleet.vm("b" + i, fleet.hosts[1], 1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long a = fromA.get(i);
                long b = fromB.get(i);
                calls.add(() -> reserve(UUID.randomUUID(), a, fleet.hosts[1]).statusCode());
                calls.add(() -> reserve(UUID.randomUUID(), b, fleet.hosts[0]).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(201);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneVmCannotHoldTwoDestinations() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("web", fleet.hosts[0], 4);
        reserve(UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(201);

        reserve(UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/vm-already-migrating"));
    }

    @Test
    void releaseFreesCapacityAndIsHarmlessTwice() {
        Fleet fleet = new Fleet(2, 8);
        long big = fleet.vm("big", fleet.hosts[0], 6);
        long other = fleet.vm("other", fleet.hosts[0], 6);
        long hold = reserve(UUID.randomUUID(), big, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        reserve(UUID.randomUUID(), other, fleet.hosts[1]).then().statusCode(422).body("failedRules.code", hasItem("MEMORY_CAPACITY"));

        given().contentType(ContentType.JSON).body(Map.of("reason", "test")).post("/reservations/" + hold + "/release")
                .then().statusCode(200).body("state", equalTo("RELEASED"));
        given().contentType(ContentType.JSON).body(Map.of()).post("/reservations/" + hold + "/release")
                .then().statusCode(200).body("endReason", equalTo("test"));
        reserve(UUID.randomUUID(), other, fleet.hosts[1]).then().statusCode(201);
    }

    @Test
    void parallelReservationsNeverOvercommitAHost() throws Exception {
        // 16 GiB target, 24 VMs of 1 GiB each racing for it: at most 16 may win, and the sum must fit.
        Fleet fleet = new Fleet(2, 16);
        List<Long> vms = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            vms.add(fleet.vm("p" + i, fleet.hosts[0], 1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Callable<Integer>> calls = vms.stream()
                    .map(vm -> (Callable<Integer>) () -> reserve(UUID.randomUUID(), vm, fleet.hosts[1]).statusCode())
                    .toList();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(201, 422);
            List<Long> held = given().queryParam("hostId", fleet.hosts[1]).queryParam("state", "ACTIVE")
                    .get("/reservations").then().statusCode(200).extract().jsonPath().getList("memoryBytes", Long.class);
            long sum = held.stream().mapToLong(Long::longValue).sum();
            assertThat(sum).isLessThanOrEqualTo(16 * Fleet.GIB);
            assertThat(held).hasSize(16);
            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(16);
        } finally {
            pool.shutdownNow();
        }
    }
}
