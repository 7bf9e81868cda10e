package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class FleetResourceTest {

    @Test
    void registersAFleetAndReadsItBack() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("web", fleet.hosts[0], 4);

        given().get("/vms/" + vm).then().statusCode(200)
                .body("hostId", equalTo((int) fleet.hosts[0]))
                .body("state", equalTo("RUNNING"))
                .body("volumes", hasSize(1));
        given().queryParam("clusterId", fleet.clusterId).get("/hosts").then().statusCode(200).body("$", hasSize(3));
        given().queryParam("hostId", fleet.hosts[0]).get("/vms").then().body("id", hasItem((int) vm));
    }

    @Test
    void rejectsAnInvalidHostWithTheFieldAtFault() {
        given().contentType(ContentType.JSON).body(Map.of("name", "", "clusterId", 1))
                .post("/hosts").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/validation-failed"))
                .body("violations.field", hasItem("name"));
    }

    @Test
    void rejectsMalformedJsonAsTheCallersMistake() {
        given().contentType(ContentType.JSON).body("{\"name\": ")
                .post("/clusters").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/unreadable-body"));
    }

    @Test
    void rejectsAVmOnAnUnknownPool() {
        Fleet fleet = new Fleet(2, 64);
        given().contentType(ContentType.JSON).body(Map.of("name", "orphan-" + fleet.tag, "memoryBytes", Fleet.GIB,
                        "vcpus", 1, "hostId", fleet.hosts[0], "volumes", List.of(Map.of("poolId", 999_999, "sizeBytes", 1)),
                        "networkIds", List.of()))
                .post("/vms").then().statusCode(422)
                .body("type", equalTo("https://ferry.dev/problems/unknown-reference"))
                .body("field", equalTo("volumes.poolId"));
        given().get("/vms?hostId=" + fleet.hosts[0]).then().body("$", hasSize(0));
    }

    /** ApiFuzzTest's seed 53913357014771 found the null volume a 500 (a NullPointerException) in CI. */
    @Test
    void rejectsANullInAVmsListsWithTheFieldAtFault() {
        Fleet fleet = new Fleet(2, 64);
        for (var lists : List.of(
                Map.of("volumes", Arrays.asList((Object) null), "networkIds", List.of()),
                Map.of("volumes", List.of(), "networkIds", Arrays.asList((Object) null)))) {
            var body = new HashMap<String, Object>(Map.of("name", "nulls-" + fleet.tag, "memoryBytes", Fleet.GIB,
                    "vcpus", 1, "hostId", fleet.hosts[0]));
            body.putAll(lists);
            given().contentType(ContentType.JSON).body(body)
                    .post("/vms").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://ferry.dev/problems/validation-failed"))
                    .body("violations.field", hasItem(containsString(lists.get("volumes").isEmpty() ? "networkIds" : "volumes")));
        }
        given().get("/vms?hostId=" + fleet.hosts[0]).then().body("$", hasSize(0));
        var network = new HashMap<String, Object>(Map.of("name", "nulls-" + fleet.tag));
        network.put("hostIds", Arrays.asList(fleet.hosts[0], null));
        given().contentType(ContentType.JSON).body(network)
                .post("/networks").then().statusCode(400)
                .body("type", equalTo("https://ferry.dev/problems/validation-failed"))
                .body("violations.field", hasItem(containsString("hostIds")));
    }

    @Test
    void refusesADuplicateName() {
        Fleet fleet = new Fleet(2, 64);
        given().contentType(ContentType.JSON).body(Map.of("name", "c-" + fleet.tag))
                .post("/clusters").then().statusCode(409)
                .body("detail", containsString("already exists"));
    }

    @Test
    void unknownVmIsA404Problem() {
        given().get("/vms/987654").then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/vm-not-found"));
    }

    @Test
    void compatibilityReportsEveryRulePerHost() {
        Fleet fleet = new Fleet(3, 64);
        long amd = fleet.host("amd", "AuthenticAMD", 15, 64);
        long vm = fleet.vm("db", fleet.hosts[0], 4);

        given().contentType(ContentType.JSON).body(Map.of("hostIds", List.of(fleet.hosts[1], amd)))
                .post("/vms/" + vm + "/compatibility").then().statusCode(200)
                .body("[0].compatible", equalTo(true))
                .body("[1].compatible", equalTo(false))
                .body("[1].failed.code", hasItem("CPU_VENDOR"))
                .body("[1].failed.code", hasItem("STORAGE_REACHABLE"))
                .body("[1].failed.code", hasItem("NETWORKS_CARRIED"));
    }

    @Test
    void candidatesRankCompatibleHostsFirstAndSayWhyOthersAreExcluded() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("app", fleet.hosts[0], 4);

        given().get("/vms/" + vm + "/candidates").then().statusCode(200)
                .body("$", hasSize(2))
                .body("[0].verdict.hostId", equalTo((int) fleet.hosts[1]))
                .body("[0].verdict.compatible", equalTo(true))
                // 8 cores at the default 4x CPU overcommit, less the VM's one vCPU
                .body("[0].freeVcpusAfter", equalTo(31))
                .body("[1].verdict.compatible", equalTo(false))
                .body("[1].verdict.failed.code", hasItem("STORAGE_REACHABLE"));
    }
}
