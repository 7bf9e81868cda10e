package dev.ferry.inventory.rest;

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
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
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

        assertThat(result.operations()).hasSizeGreaterThanOrEqualTo(25);
        assertThat(result.violations()).isEmpty();
        assertThat(result.operations()).contains(new RoleMatrix.Operation("POST", "/clusters", java.util.Set.of("admin")),
                new RoleMatrix.Operation("GET", "/hosts", java.util.Set.of("viewer")),
                new RoleMatrix.Operation("POST", "/reservations", java.util.Set.of("admin", "scheduler")),
                new RoleMatrix.Operation("PUT", "/hosts/{id}/state", java.util.Set.of("admin", "scheduler")));
    }

    @Test
    void aTokenFromAnotherIssuerOrKeyIsRefused() {
        try (LocalIdentity stranger = LocalIdentity.start(LocalRealm.generate(), "127.0.0.1", 0, Duration.ofMinutes(5))) {
            given().header("Authorization", "Bearer " + stranger.tokenFor("admin")).get("/hosts")
                    .then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"));
        }
        given().header("Authorization", "Bearer not-a-token").get("/hosts").then().statusCode(401);
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/hosts").then().statusCode(200);
    }

    @Test
    void everyFleetChangeIsKeptWithWhoMadeItAndTheEventsItCausesNameThem() {
        String admin = TestIdentity.token("admin");
        String subject = (String) dev.ferry.platform.identity.Jwt.claims(admin).get("sub");
        String name = "audited-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        long cluster = given().header("Authorization", "Bearer " + admin).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", name)).post("/clusters").then().statusCode(201).extract().jsonPath().getLong("id");
        given().header("Authorization", "Bearer " + admin).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", name + "-renamed")).put("/clusters/" + cluster).then().statusCode(200);
        given().header("Authorization", "Bearer " + admin).delete("/clusters/" + cluster).then().statusCode(204);

        var trail = given().header("Authorization", TestIdentity.bearer("viewer")).queryParam("entity", "cluster")
                .queryParam("entityId", cluster).get("/fleet-changes").then().statusCode(200).extract().jsonPath();
        assertThat(trail.getList("action", String.class)).containsExactly("deleted", "changed", "created");
        assertThat(trail.getList("changedBy.name", String.class)).containsOnly("admin");
        assertThat(trail.getList("changedBy.subject", String.class)).containsOnly(subject);
        assertThat(trail.getList("detail", String.class)).containsExactly(null, name + "-renamed", name);
        given().header("Authorization", TestIdentity.bearer("viewer")).queryParam("changedBy", subject).get("/fleet-changes")
                .then().statusCode(200).body("entityId", org.hamcrest.Matchers.hasItem((int) cluster));
        // a refused change leaves no trace
        given().header("Authorization", TestIdentity.bearer("operator")).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", name + "-x")).post("/clusters").then().statusCode(403);
        given().header("Authorization", TestIdentity.bearer("viewer")).queryParam("changedBy", "operator").get("/fleet-changes")
                .then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void noOtherOriginIsAllowedAndTheSwaggerUiIsOffUnlessAsked() {
        // CORS closed: a browser page of another origin gets no allowance, preflight or not
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/clusters").then().header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
        given().header("Origin", "https://evil.example").header("Authorization", TestIdentity.bearer("viewer"))
                .get("/hosts").then().statusCode(200).header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
        // production profile's default (FERRY_SWAGGER_UI unset): no Swagger UI
        given().get("/q/swagger-ui/").then().statusCode(404);
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        // Quarkus's limit (quarkus.http.limits.max-body-size, 10 MiB), judged on the declared length: a client that
        // asks first (Expect: 100-continue, as curl does for large bodies) hears 413 before sending a byte of it
        byte[] huge = ("{\"name\": \"" + "x".repeat(11 << 20) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var r = http.send(java.net.http.HttpRequest.newBuilder(url.toURI().resolve("/clusters")).expectContinue(true)
                .header("Authorization", TestIdentity.bearer("admin")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(huge)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
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
