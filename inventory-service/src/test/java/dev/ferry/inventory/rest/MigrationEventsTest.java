package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.events.Topics;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events")})
class MigrationEventsTest {

    static MigrationEvent outcome(String eventId, EventType type, UUID migration, long vm, long source, long target, long seq) {
        return new MigrationEvent(eventId, type, migration, 1, seq, Instant.now(), vm, source, target, 0, "test-worker", null,
                new MigrationOutcome(3, 1L << 30, 20, 4000, type == EventType.MIGRATION_FAILED ? "link down" : null, "simulated"));
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
}
