package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.OpenApiFuzz;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every operation of inventory's OpenAPI document, 1,000 requests mostly wrong on purpose: no 5xx, every error a problem. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class ApiFuzzTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void aThousandRequestsOfEveryKindNeverGetA5xxAndEveryErrorIsAProblem() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("fuzzed", fleet.hosts[0], 2);
        long hold = ReservationTest.reserve(UUID.randomUUID(), vm, fleet.hosts[1]).then().statusCode(201).extract().jsonPath().getLong("id");
        List<Object> hosts = List.of(fleet.hosts[0], fleet.hosts[1], fleet.hosts[2]);
        Map<String, List<Object>> known = Map.of("id", List.of(fleet.hosts[0], fleet.hosts[2], vm, hold, fleet.clusterId, fleet.poolId),
                "vmId", List.of(vm), "hostId", hosts, "hostIds", hosts, "clusterId", List.of(fleet.clusterId),
                "poolId", List.of(fleet.poolId));
        String doc = given().queryParam("format", "json").get("/q/openapi").asString();
        long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());

        var report = OpenApiFuzz.run(url.toString(), doc, seed, 1_000, Set.of(), known);

        System.out.println("inventory fuzz: " + OpenApiFuzz.describe(report));
        assertThat(report.findings()).as(OpenApiFuzz.describe(report)).isEmpty();
        assertThat(report.statuses().keySet()).as("some requests must get through").anyMatch(s -> s < 300);
    }
}
