package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fake inventory's host 777 runs VMs 771-773; the whole path with 20 VMs is in the end-to-end test. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class EvacuationTest {

    @Test
    void cancellingAnEvacuationCancelsEveryMigrationNotYetFinished() {
        FakeInventory.reserveSucceeds();
        JsonPath plan = given().post("/hosts/777/evacuate").then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        assertThat(plan.getList("moves")).hasSize(3);
        assertThat(plan.getList("moves.phase", String.class)).allMatch(p -> p.equals("QUEUED") || p.equals("SCHEDULED"));
        // asking again while it runs returns the same evacuation
        assertThat(given().post("/hosts/777/evacuate").then().statusCode(202).extract().jsonPath().getString("id")).isEqualTo(id);

        given().post("/evacuations/" + id + "/cancel").then().statusCode(202);

        List<String> migrations = plan.getList("moves.migrationId", String.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> migrations.stream()
                .allMatch(m -> "CANCELLED".equals(migration(UUID.fromString(m)).getString("phase"))));
        JsonPath after = given().get("/evacuations/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(after.getString("state")).isEqualTo("CANCELLED");
        assertThat(after.getInt("progress.cancelled")).isEqualTo(3);
    }

    @Test
    void aClusterWithOneLoadedHostIsRebalancedAtRebalancePriorityAfterADryRunThatChangesNothing() {
        FakeInventory.reserveSucceeds();
        // cluster 88: hv-881 runs six 4 GiB VMs, hv-882 one, hv-883 none, hv-884 is in maintenance and left out
        JsonPath dry = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(dry.getDouble("imbalanceBefore")).isGreaterThan(0.2);
        assertThat(dry.getDouble("imbalanceAfter")).isLessThan(dry.getDouble("imbalanceBefore") / 4);
        assertThat(dry.getList("moves.fromHostId", Long.class)).isNotEmpty().allMatch(h -> h == 881);
        assertThat(dry.getList("moves.toHostId", Long.class)).allMatch(h -> h == 882 || h == 883);
        assertThat(dry.getList("moves.migrationId")).allMatch(java.util.Objects::isNull);
        assertThat(dry.getLong("cost.totalTimeMillis")).isEqualTo(dry.getList("moves.predictedTotalTimeMillis", Long.class)
                .stream().mapToLong(Long::longValue).sum());
        assertThat(given().queryParam("vmId", 8811).get("/migrations").then().extract().jsonPath().getList("$")).isEmpty();

        JsonPath done = given().post("/clusters/88/rebalance").then().log().ifValidationFails().statusCode(202).extract().jsonPath();
        List<String> ids = done.getList("moves.migrationId", String.class);
        assertThat(ids).hasSameSizeAs(dry.getList("moves")).doesNotContainNull();
        for (String id : ids) {
            JsonPath m = migration(UUID.fromString(id));
            assertThat(m.getString("priority")).isEqualTo("REBALANCE");
            assertThat(m.getString("targetReason")).contains("rebalance of cluster 88");
        }
        // its moves are not done: no second plan over the first
        given().post("/clusters/88/rebalance").then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("rebalance-running"));
        given().post("/clusters/8899/rebalance").then().statusCode(404);
        // a plan made meanwhile leaves alone the VMs those migrations move, and counts where they are going
        JsonPath meanwhile = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
        assertThat(meanwhile.getList("moves.vmId", Long.class)).doesNotContainAnyElementsOf(done.getList("moves.vmId", Long.class));
        assertThat(meanwhile.getDouble("imbalanceBefore")).isLessThan(dry.getDouble("imbalanceBefore"));
        ids.forEach(id -> given().post("/migrations/" + id + "/cancel").then().statusCode(202));
    }

    @Test
    void aRebalancePlanKeepsTheOperatorsApartRule() {
        FakeInventory.RULES.set(List.of(new dev.ferry.inventory.api.Views.PlacementRuleView(1, "db-apart",
                dev.ferry.inventory.api.PlacementKind.APART, java.util.Set.of(8811L, 8812L, 8813L, 8814L, 8815L, 8816L), java.util.Set.of(), 0)));
        try {
            JsonPath dry = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
            // without the rule, hv-882 and hv-883 would each take more than one of hv-881's VMs
            assertThat(dry.getList("moves.toHostId", Long.class)).isNotEmpty().doesNotHaveDuplicates();
        } finally {
            FakeInventory.RULES.set(List.of());
        }
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() {
        int stateChanges = FakeInventory.STATE_CHANGES.get();
        int evacuations = given().get("/evacuations").then().statusCode(200).extract().jsonPath().getList("$").size();
        JsonPath plan = given().queryParam("dryRun", true).post("/hosts/777/evacuate").then().statusCode(200).extract().jsonPath();
        assertThat(plan.getLong("hostId")).isEqualTo(777);
        assertThat(plan.getList("moves.vmId", Long.class)).containsExactlyInAnyOrder(771L, 772L, 773L);
        assertThat(plan.getList("moves.targetHostId", Long.class)).allMatch(h -> h == 3);
        assertThat(plan.getLong("predictedMakespanMillis")).isPositive();
        assertThat(FakeInventory.STATE_CHANGES.get()).as("the host kept its state").isEqualTo(stateChanges);
        assertThat(given().get("/evacuations").then().extract().jsonPath().getList("$")).as("nothing queued").hasSize(evacuations);
    }

    @Test
    void anUnknownEvacuationIsA404() {
        given().get("/evacuations/" + UUID.randomUUID()).then().statusCode(404);
    }
}
