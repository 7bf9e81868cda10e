package dev.ferry.scheduler;

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

/**
 * Every operation of the scheduler's OpenAPI document (the stream aside: it never ends), 1,000 requests mostly wrong
 * on purpose, with inventory answering: no 5xx, every error a problem.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class ApiFuzzTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void aThousandRequestsOfEveryKindNeverGetA5xxAndEveryErrorIsAProblem() {
        FakeInventory.reserveSucceeds();
        UUID migration = MigrationLifecycleTest.requestMigration(60);
        Map<String, List<Object>> known = Map.of("id", List.of(migration.toString()), "migrationId", List.of(migration.toString()),
                "vmId", List.of(7, 8, 60), "targetHostId", List.of(2, 3), "hostId", List.of(1, 2, 3), "workerId", List.of("worker-fuzz"),
                "attempt", List.of(1));
        String doc = given().queryParam("format", "json").get("/q/openapi").asString();
        long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());

        var report = OpenApiFuzz.run(url.toString(), doc, seed, 1_000, Set.of("/stream"), known);

        System.out.println("scheduler fuzz: " + OpenApiFuzz.describe(report));
        assertThat(report.findings()).as(OpenApiFuzz.describe(report)).isEmpty();
        assertThat(report.statuses().keySet()).as("some requests must get through").anyMatch(s -> s < 300);
    }
}
