package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.requestMigration;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Hosts 500-599 of the fake inventory allow 2 inbound and 2 outbound migrations. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class QueueTest {
    /** Metrics answer on the management interface, not on the API's port. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true) // under the management root, /q
    java.net.URL metricsUrl;

    static final long GIB = 1L << 30;

    static void succeed(UUID id) {
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 1, null, new MigrationOutcome(2, 5 * GIB, 20, 5000, null, "simulated")));
    }

    static String phase(UUID id) {
        return migration(id).getString("phase");
    }

    @Test
    void migrationsOverAHostsInboundLimitWaitQueuedAndStartAsSlotsFree() throws InterruptedException {
        UUID first = requestMigration(501, 500, "USER", "SCHEDULED");
        requestMigration(502, 500, "USER", "SCHEDULED");
        UUID third = requestMigration(503, 500, "USER", "QUEUED");
        Thread.sleep(1500); // a couple of dispatcher passes
        assertThat(phase(third)).isEqualTo("QUEUED");

        succeed(first);

        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(phase(third)));
        assertThat(migration(third).getList("history.to", String.class)).containsExactly("QUEUED", "SCHEDULED");
    }

    @Test
    void whenASlotFreesAnEvacuationStartsBeforeAnOlderUserRequest() throws InterruptedException {
        UUID first = requestMigration(511, 510, "USER", "SCHEDULED");
        UUID second = requestMigration(512, 510, "USER", "SCHEDULED");
        UUID user = requestMigration(513, 510, "USER", "QUEUED");
        UUID evacuation = requestMigration(514, 510, "EVACUATION", "QUEUED");

        succeed(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(phase(evacuation)));
        assertThat(phase(user)).isEqualTo("QUEUED");

        succeed(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(phase(user)));
    }

    @Test
    void twoMigrationsIntoOneHostShareItsLinkAndTheOneLeftGetsItAllBack() {
        // hv-530 takes the migration stream at 1 GbE (125 MB/s); each VM leaves a 10 GbE host of its own
        UUID first = requestMigration(531, 530, "USER", "SCHEDULED");
        publish(event(first, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null)); // running: no timeout meanwhile
        assertThat(OperatorRequestsTest.commands(first, 1).get(0).bandwidthCapBytesPerSecond()).isNull(); // alone: the whole link
        UUID second = requestMigration(532, 530, "USER", "SCHEDULED");

        assertThat(OperatorRequestsTest.commands(second, 1).get(0).bandwidthCapBytesPerSecond()).isEqualTo(62_500_000L);
        // its forecast follows the share it starts with: the same 4 GiB guest at half the link takes longer
        assertThat(migration(second).getString("prediction.basis")).contains("at its share of the links, 62 MB/s");
        assertThat(migration(second).getLong("prediction.totalTimeMillis"))
                .isGreaterThan(migration(first).getLong("prediction.totalTimeMillis") * 3 / 2);
        var halved = OperatorRequestsTest.allCommands(first, seen -> seen.size() >= 2);
        assertThat(halved.get(1).type()).isEqualTo(CommandType.LIMIT_BANDWIDTH);
        assertThat(halved.get(1).bandwidthCapBytesPerSecond()).isEqualTo(62_500_000L);

        publish(event(first, EventType.ROUND_COMPLETED, 2, round(2, GIB, GIB / 2), null));
        succeed(second);
        var restored = OperatorRequestsTest.allCommands(first, seen -> seen.size() >= 3);
        assertThat(restored.get(2).type()).isEqualTo(CommandType.LIMIT_BANDWIDTH);
        assertThat(restored.get(2).bandwidthCapBytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(given().get("/migrations/" + first + "/events").then().extract().jsonPath().getList("type", String.class))
                .containsSubsequence("START", "LIMIT_BANDWIDTH", "LIMIT_BANDWIDTH");
    }

    /** What a migration's shares let it send is kept as they change: the mean share it ran at is what its ETA judges it by. */
    @Test
    void whatItsSharesLetAMigrationSendIsKeptWhenItsShareChanges() throws Exception {
        UUID first = requestMigration(571, 570, "USER", "SCHEDULED"); // hv-570: 1 GbE (125 MB/s), two at a time
        // as if it had waited 30 s for its worker: counted from when it runs, as its time running is
        dev.ferry.testsupport.TestDatabase.update("scheduler_test", "UPDATE migration SET share_from = now() - interval '30 seconds', "
                + "share_since = now() - interval '30 seconds', share_capacity_bytes = 30 * 125e6 WHERE id = ?", first);
        publish(event(first, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(phase(first)));
        assertThat(dev.ferry.testsupport.TestDatabase.number("scheduler_test", "SELECT round(share_capacity_bytes + "
                + "extract(epoch FROM share_since - share_from)) FROM migration WHERE id = ?", first)).isZero();
        // as if it had run alone for 100 s, at the whole link
        dev.ferry.testsupport.TestDatabase.update("scheduler_test", "UPDATE migration SET share_from = now() - interval '100 seconds', "
                + "share_since = now() - interval '100 seconds' WHERE id = ?", first);

        requestMigration(572, 570, "USER", "SCHEDULED");
        var halved = OperatorRequestsTest.allCommands(first, seen -> seen.size() >= 2);
        assertThat(halved.get(1).bandwidthCapBytesPerSecond()).isEqualTo(62_500_000L);
        // the 100 s at the whole link are kept (12.5 GB), from the start of the attempt; half the link counts from now
        long kept = dev.ferry.testsupport.TestDatabase.number("scheduler_test",
                "SELECT round(share_capacity_bytes) FROM migration WHERE id = ?", first);
        assertThat(kept).isBetween(12_500_000_000L, 13_000_000_000L);
        assertThat(dev.ferry.testsupport.TestDatabase.number("scheduler_test",
                "SELECT round(extract(epoch FROM share_since - share_from)) FROM migration WHERE id = ?", first)).isBetween(100L, 104L);
    }

    /**
     * An operator's cancel holds a migration's row, then takes the outbox's lock for its commands. A share given
     * meanwhile must not take those locks the other way round (that deadlocked: one of the two failed with a 503) nor
     * wait for the row: the other migration starts at once, and the held one gets its share once it is free.
     */
    @Test
    void aShareNeverWaitsForAMigrationAnotherTransactionHolds() throws Exception {
        UUID first = requestMigration(541, 540, "USER", "SCHEDULED"); // hv-540: 1 GbE, two at a time
        publish(event(first, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(phase(first)));
        try (java.sql.Connection db = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            db.setAutoCommit(false);
            try (java.sql.Statement st = db.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '5s'");
                st.execute("SELECT id FROM migration WHERE id = '" + first + "' FOR UPDATE");

                UUID second = requestMigration(542, 540, "USER", "SCHEDULED");
                assertThat(OperatorRequestsTest.commands(second, 1).get(0).bandwidthCapBytesPerSecond()).isEqualTo(62_500_000L);
                // the cancel's second lock is free: nobody took it while waiting for the row
                st.execute("SELECT pg_advisory_xact_lock(hashtextextended('" + dev.ferry.events.Topics.MIGRATION_COMMANDS + "/" + first + "', 0))");
            }
            db.rollback();
        }
        var halved = OperatorRequestsTest.allCommands(first, seen -> seen.size() >= 2);
        assertThat(halved.get(1).type()).isEqualTo(CommandType.LIMIT_BANDWIDTH);
        assertThat(halved.get(1).bandwidthCapBytesPerSecond()).isEqualTo(62_500_000L);
    }

    @Test
    void aQueuedMigrationCancelledNeverStarts() {
        requestMigration(521, 520, "USER", "SCHEDULED");
        requestMigration(522, 520, "USER", "SCHEDULED");
        UUID queued = requestMigration(523, 520, "USER", "QUEUED");

        given().post("/migrations/" + queued + "/cancel").then().statusCode(202);

        assertThat(phase(queued)).isEqualTo("CANCELLED");
        // no command ever went to a worker; the requests (with who made them) and the outcome, for inventory
        assertThat(given().get("/migrations/" + queued + "/events").then().extract().jsonPath().getList("type", String.class))
                .containsExactly("MIGRATION_REQUESTED", "CANCEL_REQUESTED", "MIGRATION_CANCELLED");
        assertThat(given().get("/migrations/" + queued).then().extract().jsonPath().getString("cancelRequestedBy.name"))
                .isEqualTo("tester");
        given().post("/migrations/" + queued + "/force-complete").then().statusCode(409);
    }

    @Test
    void aMigrationQueuedTooLongFailsWithTheReason() {
        UUID a = requestMigration(531, 530, "USER", "SCHEDULED");
        UUID b = requestMigration(532, 530, "USER", "SCHEDULED");
        // keep both slots busy: a round each makes them RUNNING with fresh progress
        publish(event(a, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        publish(event(b, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        UUID waiting = requestMigration(533, 530, "USER", "QUEUED");

        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(phase(waiting)));
        assertThat(migration(waiting).getString("failureReason")).contains("without a free migration slot");
    }

    @Test
    void aMigrationTheWatchdogCannotEndDoesNotHoldBackTheOthers() throws Exception {
        FakeInventory.reserveAnswers(503, "{}"); // inventory holds nothing: what is queued stays queued
        try {
            // the database refuses to change the phase of one of them, as it would refuse a change that breaks its data:
            // the one the watchdog comes to first (its pass goes in id order)
            dev.ferry.testsupport.TestDatabase.update("scheduler_test", "CREATE FUNCTION test_refuse_phase() RETURNS trigger"
                    + " LANGUAGE plpgsql AS $$ BEGIN IF NEW.vm_id IN (8001, 8002) AND NEW.phase <> OLD.phase AND NEW.id ="
                    + " (SELECT id FROM migration WHERE vm_id IN (8001, 8002) ORDER BY id LIMIT 1) THEN"
                    + " RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$");
            dev.ferry.testsupport.TestDatabase.update("scheduler_test", "CREATE TRIGGER test_refuse_phase BEFORE UPDATE ON migration"
                    + " FOR EACH ROW EXECUTE FUNCTION test_refuse_phase()");
            UUID a = queued(8001);
            UUID b = queued(8002);
            boolean aFirst = dev.ferry.testsupport.TestDatabase.number("scheduler_test",
                    "SELECT count(*) FROM migration WHERE id = ? AND id < ?", a, b) == 1;
            UUID refused = aFirst ? a : b;
            UUID other = aFirst ? b : a;
            // both queued an hour ago, far past the queue's timeout
            dev.ferry.testsupport.TestDatabase.update("scheduler_test",
                    "UPDATE migration SET created_at = created_at - interval '1 hour' WHERE id IN (?, ?)", refused, other);

            // the other one ends in its own pass, though the first cannot
            await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(phase(other)));
            assertThat(migration(other).getString("failureReason")).contains("without a free migration slot");
            assertThat(phase(refused)).isEqualTo("QUEUED");
            // what an alert watches: the one the watchdog cannot act on, counted
            await().atMost(Duration.ofSeconds(10)).until(() -> watchdogCannotAct() == 1);

            // and once the database takes it, the one refused ends at the next pass, and is no longer counted
            dropRefusal();
            await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(phase(refused)));
            await().atMost(Duration.ofSeconds(10)).until(() -> watchdogCannotAct() == 0);
        } finally {
            dropRefusal();
            FakeInventory.reserveSucceeds();
        }
    }

    long watchdogCannotAct() {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return (long) dev.ferry.testsupport.PrometheusText.value(metrics, "ferry_watchdog_cannot_act_migrations").orElse(-1);
    }

    private static UUID queued(long vmId) {
        return UUID.fromString(given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("vmId", vmId, "targetHostId", 3)).post("/migrations").then().statusCode(202)
                .extract().jsonPath().getString("id"));
    }

    private static void dropRefusal() throws java.sql.SQLException {
        dev.ferry.testsupport.TestDatabase.update("scheduler_test", "DROP TRIGGER IF EXISTS test_refuse_phase ON migration");
        dev.ferry.testsupport.TestDatabase.update("scheduler_test", "DROP FUNCTION IF EXISTS test_refuse_phase()");
    }

    @Test
    void pastTheOperatorsDeadlineTheMigrationEndsAndTheVmStaysOnTheSource() {
        FakeInventory.reserveSucceeds();
        String id = given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("vmId", 541, "targetHostId", 2, "deadline", java.time.Instant.now().plusSeconds(3).toString()))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");

        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(phase(UUID.fromString(id))));
        assertThat(migration(UUID.fromString(id)).getString("failureReason")).contains("past the operator's deadline");
    }

    @Test
    void aDeadlineInThePastIsRejected() {
        given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("vmId", 542, "deadline", "2020-01-01T00:00:00Z"))
                .post("/migrations").then().statusCode(400)
                .body("violations.field", org.hamcrest.Matchers.hasItem("deadline"));
    }

    @Test
    void aRunningMigrationThatStopsReportingFailsAndIsCancelled() {
        UUID id = requestMigration(551);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(phase(id)));

        // no further round: after the progress timeout (6 s in tests) the watchdog ends it
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(phase(id)));
        assertThat(migration(id).getString("failureReason")).contains("no progress from worker").contains("last round 1");
        assertThat(OperatorRequestsTest.commandsSent(id, 2)).containsExactly(
                dev.ferry.events.CommandType.START, dev.ferry.events.CommandType.CANCEL);
    }
}
