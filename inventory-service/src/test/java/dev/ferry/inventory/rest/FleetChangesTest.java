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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class FleetChangesTest {

    static Map<String, Object> withVersion(Map<String, Object> body, long version) {
        Map<String, Object> b = new HashMap<>(body);
        b.put("version", version);
        return b;
    }

    @Test
    void anUpdateWithTheVersionReadSucceedsAndAStaleOneIsA409() {
        Fleet fleet = new Fleet(2, 64);
        long version = given().get("/hosts/" + fleet.hosts[0]).jsonPath().getLong("version");
        var body = fleet.hostBody("hv0", "GenuineIntel", 6, 128, List.of("sse4_2", "avx", "avx2"));

        given().contentType(ContentType.JSON).body(withVersion(body, version)).put("/hosts/" + fleet.hosts[0])
                .then().statusCode(200).body("memoryBytes", equalTo(128 * Fleet.GIB)).body("cpuFlags", hasItem("avx2"));
        given().contentType(ContentType.JSON).body(withVersion(body, version)).put("/hosts/" + fleet.hosts[0])
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/concurrent-update"))
                .body("currentVersion", equalTo(given().get("/hosts/" + fleet.hosts[0]).jsonPath().getInt("version")));
    }

    @Test
    void twoConcurrentUpdatesOfTheSameVersionNeverBothWin() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        var pool = Executors.newFixedThreadPool(6);
        try {
            for (int attempt = 0; attempt < 5; attempt++) { // a race: try it several times
                long version = given().get("/hosts/" + fleet.hosts[1]).jsonPath().getLong("version");
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    var body = withVersion(fleet.hostBody("hv1", "GenuineIntel", 6, 64 + i, List.of()), version);
                    calls.add(() -> given().contentType(ContentType.JSON).body(body).put("/hosts/" + fleet.hosts[1]).statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    statuses.add(f.get());
                }
                assertThat(statuses).containsOnly(200, 409);
                assertThat(statuses.stream().filter(s -> s == 200)).as("winners of version " + version).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deletingAHostThatRunsVmsIsRefusedAndAnEmptyOneGoes() {
        Fleet fleet = new Fleet(3, 64);
        fleet.vm("busy", fleet.hosts[0], 2);

        given().delete("/hosts/" + fleet.hosts[0]).then().statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/still-in-use"))
                .body("detail", containsString("1 VMs"));
        given().delete("/hosts/" + fleet.hosts[2]).then().statusCode(204);
        given().get("/hosts/" + fleet.hosts[2]).then().statusCode(404);
    }

    @Test
    void aVmsRequiredCpuFeaturesDecideItsTargets() {
        Fleet fleet = new Fleet(2, 64);
        long avx512 = Fleet.post("/hosts", fleet.hostBody("avx512", "GenuineIntel", 6, 64, List.of("sse4_2", "avx", "avx512f")));
        long vm = Fleet.post("/vms", Map.of("name", "hpc-" + fleet.tag, "memoryBytes", Fleet.GIB, "vcpus", 1,
                "hostId", fleet.hosts[0], "volumes", List.of(), "networkIds", List.of(),
                "cpu", Map.of("modelName", "Skylake-Server", "features", List.of("avx512f"))));

        given().contentType(ContentType.JSON).body(Map.of("hostIds", List.of(fleet.hosts[1], avx512)))
                .post("/vms/" + vm + "/compatibility").then().statusCode(200)
                .body("[0].failed.code", hasItem("CPU_FEATURES"))
                .body("[0].failed[0].message", containsString("avx512f"))
                .body("[1].compatible", equalTo(true));
    }

    @Test
    void aVmAndTheHostsItMovedBetweenCanBeDeletedOnceTheMoveIsOverAndTheMoveStaysOnRecord() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("moved", fleet.hosts[0], 2);
        long hold = ReservationTest.reserve(java.util.UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(201)
                .extract().jsonPath().getLong("id");
        given().post("/reservations/" + hold + "/commit").then().statusCode(200);

        // the committed hold names host 0 as source and host 1 as destination: history, not a user
        given().delete("/hosts/" + fleet.hosts[0]).then().statusCode(204);
        given().delete("/vms/" + vm).then().statusCode(204);
        given().delete("/hosts/" + fleet.hosts[1]).then().statusCode(204);
        given().get("/reservations/" + hold).then().statusCode(200)
                .body("state", equalTo("COMMITTED")).body("vmId", equalTo((int) vm));
    }

    @Test
    void textWithANulCharacterIsRefusedAsBadInputNamingTheField() {
        given().contentType(ContentType.JSON).body("{\"name\": \"rack\\u0000-7\"}").post("/clusters").then().statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("name"))
                .body("detail", org.hamcrest.Matchers.containsString("NUL"));
    }

    @Test
    void aCompatibilityQueryForMoreHostsThanAPageIsRefusedClearly() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("asks", fleet.hosts[0], 2);
        List<Long> many = java.util.stream.LongStream.rangeClosed(1, dev.ferry.inventory.api.InventoryApi.MAX_PAGE_SIZE + 1).boxed().toList();

        given().contentType(ContentType.JSON).body(Map.of("hostIds", many)).post("/vms/" + vm + "/compatibility")
                .then().statusCode(400).body("type", equalTo("https://ferry.dev/problems/validation-failed"));
    }

    @Test
    void movingAVmByHandIsRefusedWhileItMigrates() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("moving", fleet.hosts[0], 2);
        ReservationTest.reserve(java.util.UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(201);
        var body = given().get("/vms/" + vm).jsonPath();
        Map<String, Object> update = Map.of("name", body.getString("name"), "memoryBytes", 2 * Fleet.GIB, "vcpus", 1,
                "hostId", fleet.hosts[2], "volumes", List.of(Map.of("poolId", fleet.poolId, "sizeBytes", 10 * Fleet.GIB)),
                "networkIds", List.of(fleet.networkId), "version", body.getLong("version"));

        given().contentType(ContentType.JSON).body(update).put("/vms/" + vm).then().statusCode(409)
                .body("detail", containsString("migration in progress"));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[0]));
    }

    @Test
    void listsFilterByHostAndState() {
        Fleet fleet = new Fleet(2, 64);
        fleet.vm("alpha", fleet.hosts[1], 1);
        given().queryParam("hostId", fleet.hosts[1]).queryParam("name", "ALPHA").get("/vms").then()
                .body("size()", equalTo(1));
        given().queryParam("hostId", fleet.hosts[1]).get("/storage-pools").then().body("id", hasItem((int) fleet.poolId));
        given().queryParam("clusterId", fleet.clusterId).queryParam("state", "MAINTENANCE").get("/hosts").then()
                .body("size()", equalTo(0));
    }
}
