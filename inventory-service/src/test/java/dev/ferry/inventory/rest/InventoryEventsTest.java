package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import java.net.URL;
import java.time.Duration;
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
class InventoryEventsTest {
    /** Metrics answer on the management interface, not on the API's port. */
    @TestHTTPResource(value = "/metrics", management = true) // under the management root, /q
    URL metricsUrl;


    /** Read as every consumer reads them: the contract's codec. */
    static List<InventoryEvent> read(String key, int atLeast) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, r -> key.equals(r.key()),
                        seen -> seen.size() >= atLeast, Duration.ofSeconds(30))
                .stream().map(r -> dev.ferry.events.EventCodec.inventoryEvent(r.value())).toList();
    }

    @Test
    void aHostStateChangeIsPublished() {
        Fleet fleet = new Fleet(2, 64);
        given().contentType(ContentType.JSON).body(Map.of("state", "MAINTENANCE"))
                .put("/hosts/" + fleet.hosts[0] + "/state").then().statusCode(200);

        List<InventoryEvent> events = read("host-" + fleet.hosts[0], 1);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).type()).isEqualTo(InventoryEventType.HOST_STATE_CHANGED);
        assertThat(events.get(0).state()).isEqualTo("MAINTENANCE");
        assertThat(events.get(0).changedBy().name()).isEqualTo("tester");
        given().queryParam("entity", "host").queryParam("entityId", fleet.hosts[0]).get("/fleet-changes").then().statusCode(200)
                .body("[0].action", org.hamcrest.Matchers.equalTo("state"))
                .body("[0].detail", org.hamcrest.Matchers.equalTo("UP -> MAINTENANCE"))
                .body("[0].changedBy.name", org.hamcrest.Matchers.equalTo("tester"));
    }

    @Test
    void aSuccessfulMigrationPublishesTheHoldItsCommitAndTheNewPlacementInOrder() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("evented", fleet.hosts[0], 2);
        UUID migration = UUID.randomUUID();
        ReservationTest.reserve(migration, vm, fleet.hosts[1]).then().statusCode(201);
        MigrationEventsTest.publish(MigrationEventsTest.outcome("s-" + migration, EventType.MIGRATION_SUCCEEDED, migration,
                vm, fleet.hosts[0], fleet.hosts[1], 5));

        List<InventoryEvent> events = read("vm-" + vm, 3);

        assertThat(events).extracting(InventoryEvent::type).containsExactly(InventoryEventType.RESERVATION_CREATED,
                InventoryEventType.RESERVATION_COMMITTED, InventoryEventType.VM_PLACEMENT_CHANGED);
        assertThat(events.get(2).fromHostId()).isEqualTo(fleet.hosts[0]);
        assertThat(events.get(2).toHostId()).isEqualTo(fleet.hosts[1]);
        assertThat(events).allSatisfy(e -> assertThat(e.eventId()).isNotBlank());
    }

    @Test
    void aReleaseIsPublished() {
        Fleet fleet = new Fleet(2, 64);
        long vm = fleet.vm("released", fleet.hosts[0], 2);
        long hold = ReservationTest.reserve(UUID.randomUUID(), vm, fleet.hosts[1]).then().extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("reason", "operator changed their mind"))
                .post("/reservations/" + hold + "/release").then().statusCode(200);

        List<InventoryEvent> events = read("vm-" + vm, 2);
        assertThat(events).extracting(InventoryEvent::type)
                .containsExactly(InventoryEventType.RESERVATION_CREATED, InventoryEventType.RESERVATION_RELEASED);
        assertThat(events.get(1).reason()).isEqualTo("operator changed their mind");
    }

    @Test
    void removingAVmOrAHostIsPublishedSoThatQueuedMigrationsCanBeEnded() {
        Fleet fleet = new Fleet(3, 64);
        long vm = fleet.vm("leaving", fleet.hosts[0], 1);
        given().delete("/vms/" + vm).then().statusCode(204);
        given().delete("/hosts/" + fleet.hosts[2]).then().statusCode(204);

        List<InventoryEvent> vmEvents = read("vm-" + vm, 1);
        assertThat(vmEvents).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(InventoryEventType.VM_REMOVED);
            assertThat(e.hostId()).isEqualTo(fleet.hosts[0]);
        });
        assertThat(read("host-" + fleet.hosts[2], 1)).extracting(InventoryEvent::type).containsExactly(InventoryEventType.HOST_REMOVED);
    }

    @Test
    void theOutboxBacklogAndItsAgeAreMetrics() {
        Fleet fleet = new Fleet(2, 64);
        given().contentType(ContentType.JSON).body(Map.of("state", "DOWN")).put("/hosts/" + fleet.hosts[1] + "/state")
                .then().statusCode(200);
        read("host-" + fleet.hosts[1], 1); // published: the backlog drains

        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ferry_outbox_backlog ").contains("ferry_outbox_oldest_age_seconds ")
                .contains("ferry_outbox_published ");
        assertThat(metrics.lines().filter(l -> l.startsWith("ferry_outbox_published ")).findFirst().orElseThrow())
                .doesNotEndWith(" 0.0");
    }
}
