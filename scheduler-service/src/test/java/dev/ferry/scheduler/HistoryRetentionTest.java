package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.requestMigration;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventType;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.service.HistoryRetention;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestDatabase;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class HistoryRetentionTest {
    static final long GIB = 1L << 30;

    @Inject
    HistoryRetention retention;

    @Test
    void anEndedMigrationGoesWithItsRoundsAndTrailOnceItsHistoryIsPastWhileWhatIsUnderWayOrDisputedStays() throws Exception {
        UUID old = succeeded(61);
        UUID recent = succeeded(62);
        UUID disputed = succeeded(63);
        UUID running = requestMigration(64);
        publish(event(running, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(running).getString("phase")));
        try (Connection db = TestDatabase.connect("scheduler_test")) {
            // a month and a day ago, as far as retention can tell; the running one only in its trail. The old one as a
            // replica of the version before V22 leaves it during a rolling upgrade: ended, without ended_at
            TestDatabase.update(db, "UPDATE migration SET ended_at = NULL, updated_at = now() - interval '31 days' WHERE id = ?", old);
            TestDatabase.update(db, "UPDATE migration SET ended_at = now() - interval '31 days' WHERE id = ?", disputed);
            TestDatabase.update(db, "UPDATE audit_entry SET recorded_at = now() - interval '31 days' WHERE migration_id IN (?, ?, ?)", old, disputed, running);
            TestDatabase.update(db, "INSERT INTO discrepancy (migration_id, kind, detail, raised_at) VALUES (?, 'CONTRADICTS_OUTCOME', 'retention test', now())", disputed);
            // what hosts' reports contradicted: one resolved a month and a day ago, one still open
            TestDatabase.update(db, "INSERT INTO discrepancy (kind, detail, raised_at, resolved_at, resolution, host_id) VALUES "
                    + "('GUEST_UNKNOWN', 'retention test', now() - interval '40 days', now() - interval '31 days', 'test', 4242),"
                    + " ('GUEST_UNKNOWN', 'retention test', now() - interval '40 days', NULL, NULL, 4243)");

            // one migration per statement: the slices go on until nothing is left
            long deleted = retention.prune(Duration.ofDays(30), Duration.ofDays(30), HistoryRetention.ROWS_PER_MIGRATION)
                    .await().atMost(Duration.ofSeconds(20));

            assertThat(deleted).isGreaterThanOrEqualTo(1);
            given().get("/migrations/" + old).then().statusCode(404);
            for (String table : List.of("migration_round", "phase_transition", "audit_entry", "discrepancy")) {
                assertThat(count(table, old)).as(table).isZero();
            }
            assertThat(migration(recent).getList("rounds")).hasSize(1);
            assertThat(migration(disputed).getString("phase")).isEqualTo("SUCCEEDED"); // an open discrepancy keeps it
            assertThat(count("audit_entry", disputed)).as("the trail the discrepancy rests on").isPositive();
            assertThat(hostDiscrepancies(4242)).isZero();
            assertThat(hostDiscrepancies(4243)).isEqualTo(1);
            // a month-old trail of a migration still under way is the evidence of what it does now
            assertThat(given().get("/migrations/" + running + "/events").then().statusCode(200).extract().jsonPath()
                    .getList("type", String.class)).contains("MIGRATION_REQUESTED", "START", "ROUND_COMPLETED");
            TestDatabase.update(db, "UPDATE discrepancy SET resolved_at = now(), resolution = 'retention test' WHERE migration_id = ?", disputed);
            TestDatabase.update(db, "UPDATE discrepancy SET resolved_at = now(), resolution = 'retention test' WHERE host_id = 4243");
        }
    }

    static UUID succeeded(long vm) {
        UUID id = requestMigration(vm);
        publish(event(id, EventType.MIGRATION_STARTED, 1, null, null));
        publish(event(id, EventType.ROUND_COMPLETED, 2, round(1, 4 * GIB, GIB / 16), null));
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(2, 4 * GIB + GIB / 16, 40, 5000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        return id;
    }


    static long hostDiscrepancies(long host) throws SQLException {
        return TestDatabase.number("scheduler_test", "SELECT count(*) FROM discrepancy WHERE host_id = ?", host);
    }

    static long count(String table, UUID migration) throws SQLException {
        return TestDatabase.number("scheduler_test", "SELECT count(*) FROM " + table + " WHERE migration_id = ?", migration);
    }
}
