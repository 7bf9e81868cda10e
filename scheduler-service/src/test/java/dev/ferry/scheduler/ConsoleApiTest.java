package dev.ferry.scheduler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * What the web console stands on: its pages and chart library served by the scheduler, where to sign in, and
 * inventory's reads relayed with the caller's own token (same resources as AccessControlTest: one application).
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class ConsoleApiTest {

    @Test
    void theConsoleAndItsChartLibraryAreServedWithoutANetworkBeyondTheScheduler() {
        given().get("/console/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("/webjars/uplot/dist/uPlot.iife.min.js"), containsString("js/app.js"));
        given().get("/webjars/uplot/dist/uPlot.iife.min.js").then().statusCode(200).body(containsString("uPlot"));
        given().get("/console/js/pages/migration.js").then().statusCode(200).body(containsString("/stream"));
    }

    @Test
    void beforeSigningInTheConsoleLearnsWhereToSignIn() {
        given().get("/console-settings").then().statusCode(200)
                .body("issuer", equalTo(TestIdentity.provider().issuer())).body("clientId", equalTo("ferry-console"));
    }

    @Test
    void inventoryReadsAreRelayedUnchangedWithTheCallersOwnToken() {
        FakeInventory.RELAYED.clear();
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/inventory/hosts/3")
                .then().statusCode(200).body("name", equalTo("hv-3")).body("state", equalTo("UP"));
        given().header("Authorization", TestIdentity.bearer("operator")).queryParam("hostId", 777).queryParam("size", 5)
                .get("/inventory/vms").then().statusCode(200).body("$", hasSize(3));
        assertThat(FakeInventory.RELAYED).contains("GET /hosts/3 as viewer", "GET /vms?hostId=777&size=5 as operator");
    }

    @Test
    void inventorysRefusalsReachTheCallerAsInventoryWroteThem() {
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/inventory/vms/404")
                .then().statusCode(404).contentType(containsString("application/problem+json"))
                .body("detail", equalTo("VM 404 does not exist"));
    }

    @Test
    void anErrorInventoryDidNotWriteAsAProblemReachesTheCallerAsOneWithItsWords() {
        given().header("Authorization", TestIdentity.bearer("viewer")).get("/inventory/hosts/4040")
                .then().statusCode(503).contentType(containsString("application/problem+json"))
                .body("detail", containsString("upstream connect error"));
    }

    @Test
    void onlyAnAdminChangesAHostsStateThroughTheRelayAndInventoryRecordsThatPerson() {
        FakeInventory.RELAYED.clear();
        int before = FakeInventory.STATE_CHANGES.get();
        given().header("Authorization", TestIdentity.bearer("operator")).contentType("application/json")
                .body("{\"state\": \"MAINTENANCE\"}").put("/inventory/hosts/3/state").then().statusCode(403);
        given().header("Authorization", TestIdentity.bearer("admin")).contentType("application/json")
                .body("{\"state\": \"MAINTENANCE\"}").put("/inventory/hosts/3/state").then().statusCode(200)
                .body("state", equalTo("MAINTENANCE"));
        assertThat(FakeInventory.RELAYED).containsExactly("PUT /hosts/3/state as admin");
        assertThat(FakeInventory.STATE_CHANGES.get()).as("not counted as the scheduler's own change").isEqualTo(before);
    }

    @Test
    void withoutATokenNothingIsRelayed() {
        FakeInventory.RELAYED.clear();
        given().get("/inventory/hosts").then().statusCode(401);
        assertThat(FakeInventory.RELAYED).isEmpty();
    }
}
