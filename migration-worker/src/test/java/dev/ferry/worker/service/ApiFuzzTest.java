package dev.ferry.worker.service;

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
import org.junit.jupiter.api.Test;

/** Every operation of the worker's OpenAPI document, 1,000 requests mostly wrong on purpose: no 5xx, every error a problem. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(ClaimDesk.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-commands-dlq,host-probes,host-reports,host-probes-dlq")})
class ApiFuzzTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void aThousandRequestsOfEveryKindNeverGetA5xxAndEveryErrorIsAProblem() {
        Map<String, List<Object>> known = Map.of("vmId", List.of(7), "memoryBytes", List.of(1L << 30), "seconds", List.of(0.5));
        String doc = given().queryParam("format", "json").get("/q/openapi").asString();
        long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());

        var report = OpenApiFuzz.run(url.toString(), doc, seed, 1_000, Set.of(), known);

        System.out.println("worker fuzz: " + OpenApiFuzz.describe(report));
        assertThat(report.findings()).as(OpenApiFuzz.describe(report)).isEmpty();
        assertThat(report.statuses().keySet()).as("some requests must get through").anyMatch(s -> s < 300);
    }
}
