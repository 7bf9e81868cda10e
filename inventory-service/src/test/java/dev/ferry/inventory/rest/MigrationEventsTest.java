package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class MigrationEventsTest {

    /** The scheduler's decision: the only event inventory applies. */
    static MigrationEvent outcome(String eventId, EventType type, UUID migration, long vm, long source, long target, long seq) {
        return reported(MigrationEvent.SCHEDULER, eventId, type, migration, vm, source, target, seq);
    }

    static MigrationEvent reported(String by, String eventId, EventType type, UUID migration, long vm, long source, long target,
            long seq) {
        return new MigrationEvent(eventId, type, migration, 1, seq, Instant.now(), vm, source, target, 0, by, null,
                new MigrationOutcome(3, 1L << 30, 20, 4000, type == EventType.MIGRATION_FAILED ? "link down" : null, "simulated"));
    }

    /** Publishes a decision on a fresh migration of the same key and waits until it took effect: what came before did too. */
    static void drained(Fleet fleet, UUID key) {
        UUID marker = UUID.randomUUID();
        long markerVm = fleet.vm("marker-" + marker.toString().substring(0, 8), fleet.hosts[0], 1);
        long markerHold = reservation(marker, markerVm, fleet.hosts[1]);
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, key.toString(), EventCodec.toJson(
                outcome("m-" + marker, EventType.MIGRATION_CANCELLED, marker, markerVm, fleet.hosts[0], fleet.hosts[1], 1)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + markerHold).then().body("state", equalTo("RELEASED")));
    }

    @Test
    void onlyTheSchedulersDecisionMovesAVmAndAReleasedHoldIsNeverCommitted() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("decided", fleet.hosts[0], 4);
        UUID migration = UUID.randomUUID();
        long hold = reservation(migration, vm, fleet.hosts[1]);

        // a worker's own report, however final it sounds, is the scheduler's to judge
        publish(reported("worker-1", "w-" + migration, EventType.MIGRATION_SUCCEEDED, migration, vm, fleet.hosts[0], fleet.hosts[1], 9));
        drained(fleet, migration);
        given().get("/reservations/" + hold).then().body("state", equalTo("ACTIVE"));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[0]));

        publish(outcome("c-" + migration, EventType.MIGRATION_CANCELLED, migration, vm, fleet.hosts[0], fleet.hosts[1], 10));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + hold).then().body("state", equalTo("RELEASED")));
        // a success after the cancel was decided (forged, or replayed out of order) changes nothing
        publish(outcome("s-" + migration, EventType.MIGRATION_SUCCEEDED, migration, vm, fleet.hosts[0], fleet.hosts[1], 11));
        drained(fleet, migration);
        given().get("/reservations/" + hold).then().body("state", equalTo("RELEASED"));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[0]));
    }

    @Test
    void anUnknownOutcomeKeepsTheHoldPastItsTimeUntilTheDecisionComes() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("in-doubt", fleet.hosts[0], 4);
        UUID migration = UUID.randomUUID();
        long hold = given().contentType(ContentType.JSON)
                .body(Map.of("migrationId", migration.toString(), "vmId", vm, "hostId", fleet.hosts[1], "ttlSeconds", 10))
                .post("/reservations").then().statusCode(201).extract().jsonPath().getLong("id");

        publish(new MigrationEvent("u-" + migration, EventType.OUTCOME_UNKNOWN, migration, 1, 3, Instant.now(), vm, fleet.hosts[0],
                fleet.hosts[1], hold, MigrationEvent.SCHEDULER, null, new MigrationOutcome(2, 1L << 29, 0, 0,
                        "a cancel nobody confirmed", "qemu")));
        drained(fleet, migration);
        // held until someone decides: far past its 10 s, which the sweeper (every second in tests) would have ended
        Instant kept = Instant.parse(given().get("/reservations/" + hold).then().body("state", equalTo("ACTIVE"))
                .extract().jsonPath().getString("expiresAt"));
        org.assertj.core.api.Assertions.assertThat(kept).isAfter(Instant.now().plus(Duration.ofDays(300)));

        publish(outcome("r-" + migration, EventType.MIGRATION_SUCCEEDED, migration, vm, fleet.hosts[0], fleet.hosts[1], 4));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + hold).then().body("state", equalTo("COMMITTED")));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[1]));
    }

    static void publish(MigrationEvent e) {
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, e.migrationId().toString(), EventCodec.toJson(e));
    }

    static long reservation(UUID migration, long vm, long host) {
        return ReservationTest.reserve(migration, vm, host).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void successCommitsTheReservationAndMovesTheVmExactlyOnce() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("web", fleet.hosts[0], 4);
        UUID migration = UUID.randomUUID();
        long hold = reservation(migration, vm, fleet.hosts[1]);

        MigrationEvent success = outcome("ok-" + migration, EventType.MIGRATION_SUCCEEDED, migration, vm, fleet.hosts[0], fleet.hosts[1], 5);
        publish(success);
        publish(success); // redelivered

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[1])));
        given().get("/reservations/" + hold).then().body("state", equalTo("COMMITTED"));

        // A late failure of the same migration must not undo the move.
        publish(outcome("late-" + migration, EventType.MIGRATION_FAILED, migration, vm, fleet.hosts[0], fleet.hosts[1], 6));
        // A marker event on the same key proves the late one was processed before we look.
        UUID marker = UUID.randomUUID();
        long markerVm = fleet.vm("marker", fleet.hosts[0], 1);
        long markerHold = reservation(marker, markerVm, fleet.hosts[1]);
        publish(outcome("m-" + marker, EventType.MIGRATION_CANCELLED, marker, markerVm, fleet.hosts[0], fleet.hosts[1], 1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + markerHold).then().body("state", equalTo("RELEASED")));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[1]));
        given().get("/reservations/" + hold).then().body("state", equalTo("COMMITTED"));
    }

    @Test
    void failureReleasesTheHoldAndTheVmStaysOnTheSource() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("db", fleet.hosts[0], 4);
        UUID migration = UUID.randomUUID();
        long hold = reservation(migration, vm, fleet.hosts[1]);

        publish(outcome("f-" + migration, EventType.MIGRATION_FAILED, migration, vm, fleet.hosts[0], fleet.hosts[1], 4));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + hold).then().body("state", equalTo("RELEASED"))
                        .body("endReason", equalTo("migration failed: link down")));
        given().get("/vms/" + vm).then().body("hostId", equalTo((int) fleet.hosts[0]));
    }

    @Test
    void aBadRecordGoesToTheDeadLetterTopicAndConsumptionGoesOn() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("after-bad", fleet.hosts[0], 2);
        UUID migration = UUID.randomUUID();
        long hold = reservation(migration, vm, fleet.hosts[1]);
        String garbage = "{\"eventId\": \"bad-" + migration + "\", \"type\": \"NO_SUCH_TYPE\"}";

        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, migration.toString(), garbage);
        publish(outcome("g-" + migration, EventType.MIGRATION_SUCCEEDED, migration, vm, fleet.hosts[0], fleet.hosts[1], 5));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + hold).then().body("state", equalTo("COMMITTED")));
        var dead = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ,
                r -> r.value().equals(garbage), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        org.assertj.core.api.Assertions.assertThat(dead).hasSize(1);
    }

    @Test
    void oneBatchSkipsTheWorkersReportsAppliesEachDecisionOnceInOrderAndDeadLettersOnlyItsGarbage() {
        Fleet fleet = new Fleet(2, 64);
        long moves = fleet.vm("batch-moves", fleet.hosts[0], 2);
        long stays = fleet.vm("batch-stays", fleet.hosts[0], 2);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        long holdA = reservation(a, moves, fleet.hosts[1]);
        long holdB = reservation(b, stays, fleet.hosts[1]);
        UUID last = UUID.randomUUID();
        long lastVm = fleet.vm("batch-last", fleet.hosts[0], 1);
        long lastHold = reservation(last, lastVm, fleet.hosts[1]);
        String garbage = "{\"eventId\": \"bad-" + a + "\", \"type\": \"NO_SUCH_TYPE\"}";
        MigrationEvent aDecided = outcome("ok-" + a, EventType.MIGRATION_SUCCEEDED, a, moves, fleet.hosts[0], fleet.hosts[1], 5);

        // one partition, one poll: the worker's own word on b, garbage, a's decision twice, then b's failure and a
        // success for b replayed after it, which must find the hold already released
        KafkaProbe.sendAll(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, 0, List.of(
                record(reported("worker-1", "w-" + b, EventType.MIGRATION_SUCCEEDED, b, stays, fleet.hosts[0], fleet.hosts[1], 4)),
                Map.entry(a.toString(), garbage),
                record(aDecided), record(aDecided),
                record(outcome("f-" + b, EventType.MIGRATION_FAILED, b, stays, fleet.hosts[0], fleet.hosts[1], 5)),
                record(outcome("s-" + b, EventType.MIGRATION_SUCCEEDED, b, stays, fleet.hosts[0], fleet.hosts[1], 6)),
                record(outcome("c-" + last, EventType.MIGRATION_CANCELLED, last, lastVm, fleet.hosts[0], fleet.hosts[1], 1))));

        // the batch's last decision has applied, so has everything before it
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/reservations/" + lastHold).then().body("state", equalTo("RELEASED")));
        given().get("/reservations/" + holdA).then().body("state", equalTo("COMMITTED"));
        given().get("/reservations/" + holdB).then().body("state", equalTo("RELEASED"))
                .body("endReason", equalTo("migration failed: link down"));
        given().get("/vms/" + moves).then().body("hostId", equalTo((int) fleet.hosts[1]));
        given().get("/vms/" + stays).then().body("hostId", equalTo((int) fleet.hosts[0]));
        given().get("/reservations/" + holdB).then().body("state", equalTo("RELEASED"));
        var dead = KafkaProbe.readToEnd(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ, r -> r.value().equals(garbage));
        org.assertj.core.api.Assertions.assertThat(dead).as("the garbage, dead-lettered once").hasSize(1);
    }

    static Map.Entry<String, String> record(MigrationEvent e) {
        return Map.entry(e.migrationId().toString(), EventCodec.toJson(e));
    }
}
