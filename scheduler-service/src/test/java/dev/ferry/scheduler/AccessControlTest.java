package dev.ferry.scheduler;

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
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class AccessControlTest {

    @TestHTTPResource
    URL url;

    @Test
    void everyOperationNamesItsRolesAndRefusesOthersWith401Or403() {
        LocalIdentity idp = TestIdentity.provider();
        List<String> tokens = List.of(idp.tokenFor("viewer"), idp.tokenFor("operator"), idp.tokenFor("admin"),
                idp.tokenForClient("scheduler-service"), idp.tokenForClient("migration-worker"));
        String base = url.toString().replaceAll("/$", "");
        var result = RoleMatrix.check(base, given().queryParam("format", "json").get("/q/openapi").asString(), tokens,
                Roles::withIncluded);

        assertThat(result.operations()).hasSizeGreaterThanOrEqualTo(18);
        assertThat(result.violations()).isEmpty();
        assertThat(result.operations()).contains(new RoleMatrix.Operation("POST", "/migrations", java.util.Set.of("operator")),
                new RoleMatrix.Operation("GET", "/migrations", java.util.Set.of("viewer")),
                new RoleMatrix.Operation("POST", "/hosts/{id}/evacuate", java.util.Set.of("operator")),
                new RoleMatrix.Operation("POST", "/migrations/{id}/claims", java.util.Set.of("worker")));
    }

    @Test
    void aTokenFromAnotherIssuerOrKeyIsRefused() {
        try (LocalIdentity stranger = LocalIdentity.start(LocalRealm.generate(), "127.0.0.1", 0, Duration.ofMinutes(5))) {
            given().header("Authorization", "Bearer " + stranger.tokenFor("admin")).get("/migrations")
                    .then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"));
        }
        given().header("Authorization", "Bearer not-a-token").get("/migrations").then().statusCode(401);
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/migrations").then().statusCode(200);
    }

    @Test
    void healthNeedsNoToken() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
