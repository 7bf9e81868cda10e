package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestDatabase;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue follows the inventory: a destination leaving service, a source going down, a VM removed, each acted on
 * when inventory says so. Reservations answer 503 here, so that the migrations stay queued while the events arrive.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@io.quarkus.test.junit.TestProfile(QueueReactionsTest.LongQueue.class)
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class QueueReactionsTest {

    /** Migrations here wait in the queue on purpose: the test profile's 4 s queue timeout would end them first. */
    public static class LongQueue implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ferry.scheduler.queued-timeout", "PT2M");
        }
    }

    @BeforeEach
    void reservationsStall() {
        FakeInventory.reserveSucceeds();
        FakeInventory.reserveAnswers(503, "{\"type\":\"https://ferry.dev/problems/internal-error\",\"status\":503}");
    }

    @AfterEach
    void reservationsWork() {
        FakeInventory.DOWN_HOSTS.clear();
        FakeInventory.FULL_HOSTS.clear();
        FakeInventory.STALE_HOLD.set(0);
        FakeInventory.reserveSucceeds();
    }

    static UUID queue(long vmId, Long target) {
        Map<String, Object> body = new HashMap<>(Map.of("vmId", vmId));
        if (target != null) {
            body.put("targetHostId", target);
        }
        String id = given().contentType(ContentType.JSON).body(body).post("/migrations").then().statusCode(202)
                .extract().jsonPath().getString("id");
        return UUID.fromString(id);
    }

    static void inventorySays(InventoryEventType type, Long hostId, Long vmId, String state) {
        var e = new InventoryEvent(UUID.randomUUID().toString(), type, Instant.now(), hostId, vmId, null, null, null, null, state, "test");
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, e.key(), EventCodec.toJson(e));
    }

    static List<String> notes(UUID id) {
        return given().get("/migrations/" + id + "/events").then().extract().jsonPath().getList("note", String.class);
    }

    @Test
    void aDestinationGoingIntoMaintenanceMovesTheSchedulersChoiceElsewhereAndFailsTheOperatorsChoice() {
        UUID placed = queue(601, null);
        // hv-3 and hv-4 both fit VM 601; which one won depends on what else heads there
        long first = migration(placed).getLong("targetHostId");
        long other = first == 3 ? 4 : 3;
        assertThat(migration(placed).getString("targetChoice")).isEqualTo("PLACEMENT");
        UUID chosen = queue(602, first);

        FakeInventory.DOWN_HOSTS.add(first);
        inventorySays(InventoryEventType.HOST_STATE_CHANGED, first, null, "MAINTENANCE");

        await().atMost(Duration.ofSeconds(20)).until(() -> migration(placed).getLong("targetHostId") == other);
        assertThat(migration(placed).getString("phase")).isEqualTo("QUEUED");
        assertThat(migration(placed).getString("targetReason")).contains("went MAINTENANCE").contains("re-placed").contains("hv-" + other);
        assertThat(notes(placed)).anyMatch(n -> n != null && n.startsWith("applied: destination changed from host " + first + " to hv-" + other));

        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(chosen).getString("phase")));
        assertThat(migration(chosen).getString("failureReason")).contains("the destination the operator chose").contains("MAINTENANCE");
    }

    @Test
    void aDestinationThatFilledUpByTheTimeASlotFreedIsReplacedWhenTheSchedulerChoseIt() {
        UUID placed = queue(631, null);
        long first = migration(placed).getLong("targetHostId");
        long other = first == 3 ? 4 : 3;
        FakeInventory.FULL_HOSTS.add(first);

        FakeInventory.reserveSucceeds(); // slots free up: the dispatcher reserves, and the first choice refuses
        await().atMost(Duration.ofSeconds(20)).until(() -> "SCHEDULED".equals(migration(placed).getString("phase")));

        assertThat(migration(placed).getLong("targetHostId")).isEqualTo(other);
        assertThat(migration(placed).getString("targetReason")).contains("could not be reserved").contains("re-placed");
        assertThat(notes(placed)).anyMatch(n -> n != null && n.startsWith("applied: destination changed from host " + first
                + " to hv-" + other));
    }

    /**
     * A re-placement is chosen outside any transaction, so a request may claim the chosen host's last room before it is
     * applied. The choice is judged again under the host's lock: here the lock is held while the re-placement waits for
     * it, and a migration claiming more than the host's room is queued for it meanwhile.
     */
    @Test
    void aReplacementAtDispatchDoesNotTakeRoomClaimedWhileItWasChosen() throws Exception {
        UUID placed = queue(632, null);
        long first = migration(placed).getLong("targetHostId");
        long other = first == 3 ? 4 : 3;
        UUID claim = claimingNothingYet(633, other);
        FakeInventory.FULL_HOSTS.add(first);
        try (var holder = TestDatabase.connect("scheduler_test"); var watcher = TestDatabase.connect("scheduler_test")) {
            MigrationLifecycleTest.holdDestinationLock(holder, other);
            FakeInventory.reserveSucceeds(); // the first choice refuses; the re-placement chooses the other, and waits for it
            MigrationLifecycleTest.awaitWaitingForTheLock(watcher, 1);
            claimAll(holder, claim);

            await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(placed).getString("phase")));
            assertThat(migration(placed).getString("failureReason")).contains("could not be reserved")
                    .contains("already claimed by queued migrations").contains("hv-" + other + " would be short of");
            assertThat(notes(placed)).noneMatch(n -> n != null && n.contains("destination changed"));
        } finally {
            TestDatabase.update("scheduler_test", "UPDATE migration SET phase = 'CANCELLED' WHERE id = ?", claim);
        }
    }

    @Test
    void aDestinationLeavingServiceDoesNotMoveItsQueueOntoRoomClaimedWhileTheNewHostWasChosen() throws Exception {
        UUID placed = queue(634, null);
        long first = migration(placed).getLong("targetHostId");
        long other = first == 3 ? 4 : 3;
        UUID claim = claimingNothingYet(635, other);
        FakeInventory.DOWN_HOSTS.add(first);
        try (var holder = TestDatabase.connect("scheduler_test"); var watcher = TestDatabase.connect("scheduler_test")) {
            MigrationLifecycleTest.holdDestinationLock(holder, other);
            inventorySays(InventoryEventType.HOST_STATE_CHANGED, first, null, "MAINTENANCE");
            MigrationLifecycleTest.awaitWaitingForTheLock(watcher, 1);
            claimAll(holder, claim);

            // not moved onto the claimed room; decided on again at once, counting the claim: no host is left, and it
            // fails with the reason instead of waiting on a host in maintenance for a slot there
            await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(placed).getString("phase")));
            assertThat(notes(placed)).anyMatch(n -> n != null && n.startsWith("applied: not re-placed yet")
                    && n.contains("hv-" + other + " would be short of"));
            assertThat(migration(placed).getString("failureReason")).contains("went MAINTENANCE")
                    .contains("already claimed by queued migrations");
            assertThat(migration(placed).getLong("targetHostId")).isEqualTo(first);
            assertThat(notes(placed)).noneMatch(n -> n != null && n.contains("destination changed"));
        } finally {
            TestDatabase.update("scheduler_test", "UPDATE migration SET phase = 'CANCELLED' WHERE id = ?", claim);
        }
    }

    /** A migration for {@code host} that claims nothing: queued (reservations stall here), then cancelled. */
    private static UUID claimingNothingYet(long vmId, long host) {
        UUID claim = queue(vmId, host);
        given().post("/migrations/" + claim + "/cancel").then().statusCode(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(claim).getString("phase")));
        return claim;
    }

    /**
     * In the lock holder's transaction: the migration queued again, claiming 1 TiB (more than any host here has), and
     * held back at its source so that it stays queued; then the lock is let go.
     */
    private static void claimAll(java.sql.Connection holder, UUID claim) throws java.sql.SQLException {
        TestDatabase.update(holder, "UPDATE migration SET phase = 'QUEUED', memory_bytes = 1024 * 1073741824::bigint, "
                + "source_max_outbound = 0, created_at = clock_timestamp() WHERE id = ?", claim);
        holder.commit();
    }

    @Test
    void anEventAboutAHostThatIsUpAgainChangesNothing() throws Exception {
        UUID chosen = queue(641, 3L);

        // read late: by now inventory says hv-3 is UP again (it is not among the down hosts)
        var late = new InventoryEvent(UUID.randomUUID().toString(), InventoryEventType.HOST_STATE_CHANGED, Instant.now(), 3L, null,
                null, null, null, null, "MAINTENANCE", "test");
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, late.key(), EventCodec.toJson(late));
        // a second event on the same partition, after it: once that one is applied, the first one was judged
        UUID later = queue(642, null);
        var removed = new InventoryEvent(UUID.randomUUID().toString(), InventoryEventType.VM_REMOVED, Instant.now(), 1642L, 642L,
                null, null, null, null, null, "test");
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, late.key(), EventCodec.toJson(removed));
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(later).getString("phase")));

        assertThat(migration(chosen).getString("phase")).isEqualTo("QUEUED");
        assertThat(migration(chosen).getLong("targetHostId")).isEqualTo(3);
    }

    @Test
    void aHoldLeftOnAnEarlierDestinationIsGivenBackAndTheNewOneHeld() {
        FakeInventory.STALE_HOLD.set(777);
        UUID id = queue(651, null);

        FakeInventory.reserveSucceeds();
        await().atMost(Duration.ofSeconds(20)).until(() -> "SCHEDULED".equals(migration(id).getString("phase")));

        assertThat(FakeInventory.RELEASED_IDS).contains(777L);
    }

    @Test
    void endingAQueuedMigrationTellsInventorySoThatAnyHoldForItIsFreed() {
        UUID cancelled = queue(661, 3L);
        given().post("/migrations/" + cancelled + "/cancel").then().statusCode(202);

        var outcome = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                r -> r.value().contains(cancelled.toString()) && r.value().contains("MIGRATION_CANCELLED"),
                seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(outcome).hasSize(1);
        assertThat(outcome.get(0).value()).contains("\"workerId\":\"scheduler\"");
    }

    @Test
    void aSourceGoingDownOrAVmRemovedEndsItsQueuedMigration() {
        UUID fromDownHost = queue(611, 3L);
        UUID removedVm = queue(612, 3L);

        FakeInventory.DOWN_HOSTS.add(1611L);
        inventorySays(InventoryEventType.HOST_STATE_CHANGED, 1611L, null, "DOWN");
        inventorySays(InventoryEventType.VM_REMOVED, 1612L, 612L, null);

        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(fromDownHost).getString("phase")));
        assertThat(migration(fromDownHost).getString("failureReason")).contains("the source host 1611 went DOWN");
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(removedVm).getString("phase")));
        assertThat(migration(removedVm).getString("failureReason")).contains("VM vm-612 was removed");
    }

    @Test
    void aRoundForAMigrationNoWorkerWasGivenIsAnIllegalTransitionAndIsDeadLettered() {
        UUID queued = queue(621, 3L);
        var bogus = event(queued, EventType.ROUND_COMPLETED, 1, round(1, 1L << 30, 1L << 20), null);

        publish(bogus);

        var dead = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ,
                r -> r.value().contains(bogus.eventId()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
        assertThat(migration(queued).getString("phase")).isEqualTo("QUEUED");
        assertThat(migration(queued).getList("rounds")).isEmpty();
    }

    @Test
    void whatAHostsReportContradictsJoinsTheDiscrepancyListOnceWhileOpen() {
        long host = 4100 + (System.nanoTime() % 1000);
        for (int sync = 0; sync < 2; sync++) { // the next sync sees the same difference: still one discrepancy
            var e = new InventoryEvent(UUID.randomUUID().toString(), InventoryEventType.HOST_DISCREPANCY, Instant.now(), host, 77L, null,
                    null, null, null, "GUEST_ELSEWHERE", "VM web-77 runs on hv-" + host + " (its libvirtd says so), but inventory places it on hv-1");
            KafkaProbe.send(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, e.key(), EventCodec.toJson(e));
        }
        var unregistered = new InventoryEvent(UUID.randomUUID().toString(), InventoryEventType.HOST_DISCREPANCY, Instant.now(), host, null,
                null, null, null, null, "GUEST_UNREGISTERED", "guest stray (uuid u-2) runs on hv-" + host + ", but no VM in inventory has that name");
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.INVENTORY_EVENTS, unregistered.key(), EventCodec.toJson(unregistered));

        await().atMost(Duration.ofSeconds(20)).until(() ->
                given().get("/discrepancies?hostId=" + host).jsonPath().getList("$").size() == 2);
        List<Map<String, Object>> open = given().get("/discrepancies?hostId=" + host).jsonPath().getList("$");
        assertThat(open).extracting(d -> d.get("kind")).containsExactlyInAnyOrder("GUEST_ELSEWHERE", "GUEST_UNREGISTERED");
        assertThat(open).allSatisfy(d -> assertThat(d.get("migrationId")).isNull());
        assertThat(open).filteredOn(d -> "GUEST_ELSEWHERE".equals(d.get("kind"))).singleElement()
                .satisfies(d -> assertThat(((Number) d.get("vmId")).longValue()).isEqualTo(77L));
        // acknowledged after checking: closed, with the note
        long id = ((Number) open.get(0).get("id")).longValue();
        given().contentType(ContentType.JSON).body(Map.of("note", "virsh list on both hosts: fixed the record"))
                .post("/discrepancies/" + id + "/acknowledge").then().statusCode(200);
        assertThat(given().get("/discrepancies?hostId=" + host).jsonPath().getList("$")).hasSize(1);
    }
}
