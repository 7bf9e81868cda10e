package dev.ferry.scheduler;

import static dev.ferry.scheduler.EvacuationTest.evacuation;
import static dev.ferry.scheduler.EvacuationTest.measured;
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

/**
 * An evacuation re-plans its destinations from what its migrations measure. Its moves wait in the queue while that is
 * measured, longer than the test profile's 4 s queue timeout: the long-queue profile of {@link QueueReactionsTest}.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@io.quarkus.test.junit.TestProfile(QueueReactionsTest.LongQueue.class)
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class EvacuationReplanTest {

    @Test
    void waitingMovesLeaveADestinationMeasuredFarSlowerThanPlanned() {
        FakeInventory.reserveSucceeds();
        // hv-576 runs four 4 GiB VMs that may go to hv-3 or hv-4, all 1 GbE; at most two leave it at once, and the plan
        // sends at least two to one of them
        JsonPath plan = given().post("/hosts/576/evacuate").then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        List<UUID> moves = plan.getList("moves.migrationId", String.class).stream().map(UUID::fromString).toList();
        List<Long> targets = plan.getList("moves.targetHostId", Long.class);
        // the host the last move goes to, measured on the first move there; the moves before that one end quickly
        long slow = targets.get(moves.size() - 1);
        int measuredAt = targets.indexOf(slow);
        assertThat(measuredAt).as("moves planned: %s", targets).isLessThan(moves.size() - 1);
        for (int i = 0; i < measuredAt; i++) {
            UUID m = moves.get(i);
            await().atMost(Duration.ofSeconds(3)).until(() -> "SCHEDULED".equals(migration(m).getString("phase")));
            QueueTest.succeed(m);
        }
        UUID measured = moves.get(measuredAt);
        long forecast = migration(measured).getLong("prediction.totalTimeMillis");
        await().atMost(Duration.ofSeconds(3)).until(() -> "SCHEDULED".equals(migration(measured).getString("phase")));
        // a tenth of it went in as long as the whole was forecast to take: its destination is far slower than declared
        MigrationLifecycleTest.publish(MigrationLifecycleTest.event(measured, dev.ferry.events.EventType.ROUND_COMPLETED, 1,
                measured(410L << 20, 3686L << 20, forecast), null));

        // the moves still waiting for it go to the other host and say why (one may have started first: the slow sending
        // also lets a second leave at once)
        List<UUID> waiting = moves.subList(measuredAt + 1, moves.size()).stream()
                .filter(m -> targets.get(moves.indexOf(m)) == slow).toList();
        await().atMost(Duration.ofSeconds(15)).until(() -> waiting.stream().allMatch(m -> migration(m).getLong("targetHostId") != slow
                || !"QUEUED".equals(migration(m).getString("phase"))));
        List<UUID> replanned = waiting.stream().filter(m -> migration(m).getLong("targetHostId") != slow).toList();
        assertThat(replanned).isNotEmpty();
        for (UUID m : replanned) {
            JsonPath moved = migration(m);
            assertThat(moved.getString("targetReason")).contains("evacuation re-planned from what its migrations measured: host "
                    + slow + " is believed at");
            assertThat(moved.getString("phase")).isIn("QUEUED", "SCHEDULED");
            assertThat(moved.getLong("targetHostId")).isIn(3L, 4L);
            // the evacuation shows the move where it now goes
            assertThat(evacuation(id).getList("moves.targetHostId", Long.class).get(moves.indexOf(m))).isNotEqualTo(slow);
        }
        finish(id, moves);
    }

    /** Ends an evacuation whose moves no worker runs: those under way succeed (a cancel would leave their outcome unknown). */
    static void finish(String evacuation, List<UUID> moves) {
        given().post("/evacuations/" + evacuation + "/cancel").then().statusCode(202);
        for (UUID m : moves) {
            if (List.of("SCHEDULED", "RUNNING").contains(migration(m).getString("phase"))) {
                QueueTest.succeed(m);
                await().atMost(Duration.ofSeconds(10)).until(() -> migration(m).getString("phase").equals("SUCCEEDED"));
            }
        }
    }

}
