package dev.ferry.worker.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.platform.identity.LocalIdentity;
import dev.ferry.platform.identity.LocalRealm;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.RoleMatrix;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who may do what, over real HTTP with real tokens from the test's OpenID provider (no test identity shortcut). */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@QuarkusTestResource(ClaimDesk.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-commands-dlq,host-probes,host-reports,host-probes-dlq")})
class AccessControlTest {

    @TestHTTPResource
    URL url;

    /** Health answers on the management interface, without a token. */
    @TestHTTPResource(value = "/health/ready", management = true) // under the management root, /q
    URL ready;

    @Test
    void everyOperationNamesItsRolesAndRefusesOthersWith401Or403() {
        LocalIdentity idp = TestIdentity.provider();
        List<String> tokens = List.of(idp.tokenFor("viewer"), idp.tokenFor("operator"), idp.tokenFor("admin"),
                idp.tokenForClient("scheduler-service"), idp.tokenForClient("migration-worker"));
        String base = url.toString().replaceAll("/$", "");
        var result = RoleMatrix.check(base, given().queryParam("format", "json").get("/q/openapi").asString(), tokens,
                Roles::withIncluded);

        assertThat(result.operations()).hasSizeGreaterThanOrEqualTo(1);
        assertThat(result.violations()).isEmpty();
        assertThat(result.operations()).extracting(RoleMatrix.Operation::roles).containsOnly(java.util.Set.of("viewer"));
    }

    @Test
    void aTokenFromAnotherIssuerOrKeyIsRefused() {
        try (LocalIdentity stranger = LocalIdentity.start(LocalRealm.generate(), "127.0.0.1", 0, Duration.ofMinutes(5))) {
            given().header("Authorization", "Bearer " + stranger.tokenFor("admin")).get("/simulation/dirty-rate?vmId=1&memoryBytes=1073741824&seconds=0.1")
                    .then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"));
        }
        given().header("Authorization", "Bearer not-a-token").get("/simulation/dirty-rate?vmId=1&memoryBytes=1073741824&seconds=0.1").then().statusCode(401);
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/simulation/dirty-rate?vmId=1&memoryBytes=1073741824&seconds=0.1").then().statusCode(200);
    }

    @Test
    void healthNeedsNoTokenAndAnswersOnlyOnTheManagementPort() {
        given().get(ready).then().statusCode(200).body("status", equalTo("UP"));
        assertThat(ready.getPort()).isNotEqualTo(url.getPort());
        // not on the API's port: the ingress that exposes the API exposes no health or metrics
        given().header("Authorization", TestIdentity.bearer("admin")).get("/q/health/ready").then().statusCode(404);
        given().header("Authorization", TestIdentity.bearer("admin")).get("/q/metrics").then().statusCode(404);
    }
}
