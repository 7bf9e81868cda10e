package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.GIB;
import static dev.ferry.scheduler.MigrationLifecycleTest.byWorker;
import static dev.ferry.scheduler.MigrationLifecycleTest.claim;
import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.requestMigration;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
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
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler as the one authority on how a migration ends: claims fence workers, a worker that stops renewing is
 * taken over, what contradicts a decision is raised and never applied, and an outcome nobody can confirm stays unknown
 * until the driver or an operator says. With a short claim (1.5 s) so that takeovers happen within a test.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@TestProfile(TruthUnderFaultsTest.ShortClaims.class)
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class TruthUnderFaultsTest {
    /** Metrics answer on the management interface, not on the API's port. */
    @TestHTTPResource(value = "/metrics", management = true) // under the management root, /q
    URL metricsUrl;


    /** A claim lapses 1.5 s after its last renewal (3 missed heartbeats of 0.5 s). */
    public static class ShortClaims implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ferry.scheduler.worker-heartbeat", "PT0.5S", "ferry.scheduler.missed-heartbeats", "3",
                    "ferry.scheduler.gauge-interval", "1s");
        }
    }

    /** Renews a claim every 300 ms, as a live worker does, until closed. */
    static AutoCloseable renewing(UUID id, String worker, int attempt) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        timer.scheduleAtFixedRate(() -> claim(id, worker, attempt), 0, 300, TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    static List<MigrationEvent> decisions(UUID id, int atLeast) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                        seen -> seen.stream().filter(r -> EventCodec.event(r.value()).isDecision()).count() >= atLeast,
                        Duration.ofSeconds(20))
                .stream().map(r -> EventCodec.event(r.value())).filter(MigrationEvent::isDecision).toList();
    }

    static List<MigrationCommand> commands(UUID id, int atLeast) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS, r -> id.toString().equals(r.key())
                        && MigrationLifecycleTest.notACap(r.value()), seen -> seen.size() >= atLeast, Duration.ofSeconds(20)).stream().map(r -> EventCodec.command(r.value())).toList();
    }

    static MigrationEvent ofAttempt(MigrationEvent e, int attempt) {
        return new MigrationEvent(e.eventId(), e.type(), e.migrationId(), attempt, e.sequence(), e.timestamp(), e.vmId(),
                e.sourceHostId(), e.targetHostId(), e.reservationId(), e.workerId(), e.round(), e.outcome());
    }

    @Test
    void aWorkerThatStopsRenewingIsTakenOverAsANewAttemptAndItsLateWordIsOnlyRaised() throws Exception {
        UUID id = requestMigration(41);
        long takeovers = takeoversCounted();
        claim(id, "worker-a", 1).statusCode(200);
        publish(byWorker(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null), "worker-a"));
        Instant killed = Instant.now(); // worker-a goes silent: no renewal from here on

        await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getInt("attempt") == 2);
        // what the on-call dashboard shows, counted once the watchdog's transaction for it committed
        await().atMost(Duration.ofSeconds(5)).until(() -> takeoversCounted() >= takeovers + 1);
        long detectedMillis = Duration.between(killed, Instant.now()).toMillis();
        JsonPath m = migration(id);
        assertThat(m.getString("phase")).isEqualTo("SCHEDULED");
        assertThat(m.getString("ownerId")).isNull();
        assertThat(m.getList("history.reason", String.class)).anyMatch(r -> r.contains("worker worker-a stopped renewing its claim")
                && r.contains("retried as attempt 2 (retry 1 of 1)"));
        // within the claim (1.5 s) and a watchdog pass (1 s), with room for a slow machine
        assertThat(detectedMillis).isLessThan(6_000);
        List<MigrationCommand> starts = commands(id, 2);
        assertThat(starts).extracting(MigrationCommand::type).containsExactly(CommandType.START, CommandType.START);
        assertThat(starts).extracting(MigrationCommand::attempt).containsExactly(1, 2);

        // the old worker wakes up: it may not act, and what it says is kept, not applied
        claim(id, "worker-a", 1).statusCode(409).body("type", equalTo("https://ferry.dev/problems/stale-attempt"));
        try (AutoCloseable b = renewing(id, "worker-b", 2)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
            publish(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 2, null,
                    new MigrationOutcome(2, 5 * GIB, 40, 6000, null, "simulated")), "worker-a"));
            publish(ofAttempt(byWorker(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB / 8), null), "worker-b"), 2));
            publish(ofAttempt(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 2, null,
                    new MigrationOutcome(2, 4 * GIB + GIB / 8, 30, 4000, null, "simulated")), "worker-b"), 2));
            await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        }
        assertThat(migration(id).getList("rounds.workerId", String.class)).containsExactly("worker-a", "worker-b");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_SUCCEEDED);
        given().queryParam("migrationId", id).get("/discrepancies").then()
                .body("kind", org.hamcrest.Matchers.contains("CONTRADICTS_OUTCOME"))
                .body("[0].detail", containsString("attempt 1 is older than the current attempt 2"));
    }

    static io.restassured.response.ValidatableResponse claimQemu(UUID id, String worker, int attempt) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("attempt", attempt, "workerId", worker, "driver", "qemu", "jobsOutliveWorker", true))
                .post("/migrations/" + id + "/claims").then();
    }

    @Test
    void aJobThatOutlivesItsWorkerIsTakenOverAsTheSameAttemptByTheNextWorker() throws Exception {
        UUID id = requestMigration(51);
        claimQemu(id, "worker-a", 1).statusCode(200);
        publish(byWorker(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null), "worker-a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getInt("currentRound") == 1);
        // worker-a dies; QEMU goes on migrating without it

        await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getInt("run") == 2);
        JsonPath m = migration(id);
        assertThat(m.getString("phase")).isEqualTo("SCHEDULED");
        assertThat(m.getInt("attempt")).isEqualTo(1);
        assertThat(m.getList("history.reason", String.class)).anyMatch(r -> r.contains("another worker takes it over as run 2 of attempt 1"));
        List<MigrationCommand> starts = commands(id, 2);
        assertThat(starts).extracting(MigrationCommand::attempt).containsExactly(1, 1);
        // an operator cancels while nobody holds it: the worker that takes the job over learns it with its claim
        given().post("/migrations/" + id + "/cancel").then().statusCode(202);
        assertThat(migration(id).getString("phase")).isEqualTo("SCHEDULED");

        // the paused worker wakes up and renews: its claim is gone (a fresh claim, as after a restart, would take over)
        given().contentType(ContentType.JSON).body(Map.of("workerId", "worker-a", "claims", List.of(
                        Map.of("migrationId", id.toString(), "attempt", 1))))
                .post("/claims/renewals").then().statusCode(200).body("renewed.size()", equalTo(0));
        try (AutoCloseable b = renewing(id, "worker-b", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
            given().contentType(ContentType.JSON).body(Map.of("attempt", 1, "workerId", "worker-c", "driver", "qemu",
                    "jobsOutliveWorker", true)).post("/migrations/" + id + "/claims").then().statusCode(409);
            // worker-b's own sequence starts at 1 again: QEMU's round 2 is its first word
            publish(byWorker(event(id, EventType.ROUND_COMPLETED, 1, round(2, GIB, GIB / 8), null), "worker-b"));
            publish(byWorker(event(id, EventType.ROUND_COMPLETED, 3, round(3, GIB, GIB / 8), null), "worker-a")); // late, from the dead
            // the cancel came too late: the job had switched over, and the hypervisor's word wins
            publish(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 2, null, new MigrationOutcome(3, 5 * GIB, 40, 6000,
                    "cancelled by the operator during round 3, yet the guest runs on the destination (destination QEMU running)",
                    "qemu", dev.ferry.events.MigrationMode.PRE_COPY, dev.ferry.events.AbortStatus.FAILED)), "worker-b"));
            await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        }
        JsonPath done = migration(id);
        assertThat(done.getList("rounds.workerId", String.class)).containsExactly("worker-a", "worker-b");
        assertThat(done.getList("rounds.run", Integer.class)).containsExactly(1, 2);
        assertThat(done.getString("abortStatus")).isEqualTo("FAILED");
        assertThat(done.getList("history.reason", String.class)).anyMatch(r -> r.contains("yet the guest runs on the destination"));
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_SUCCEEDED);
    }

    @Test
    void aWorkerWhoseHypervisorCannotSayWhereTheGuestRunsLeavesTheOutcomeUnknown() {
        UUID id = requestMigration(52);
        claimQemu(id, "worker-a", 1).statusCode(200);
        publish(byWorker(event(id, EventType.OUTCOME_UNKNOWN, 1, null, new MigrationOutcome(0, 0, 0, 0,
                "no pass from QEMU for 30 s, and the hypervisor cannot tell where the guest runs (source QEMU unreachable, "
                        + "destination QEMU inmigrate); check both hosts", "qemu")), "worker-a"));

        await().atMost(Duration.ofSeconds(10)).until(() -> "OUTCOME_UNKNOWN".equals(migration(id).getString("phase")));
        assertThat(migration(id).getString("failureReason")).startsWith("worker worker-a: no pass from QEMU");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.OUTCOME_UNKNOWN);
        given().queryParam("migrationId", id).get("/discrepancies").then()
                .body("kind", org.hamcrest.Matchers.contains("OUTCOME_UNKNOWN"));
        // what an alert watches: the open discrepancies, counted from the table
        await().atMost(Duration.ofSeconds(10)).until(() -> openDiscrepanciesGauge() >= 1);
        long before = openDiscrepanciesGauge();
        given().contentType(ContentType.JSON).body(Map.of("vmRunsOnHostId", migration(id).getLong("sourceHostId"),
                        "note", "virsh list: running on the source"))
                .post("/migrations/" + id + "/resolve").then().statusCode(200).body("phase", equalTo("FAILED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> openDiscrepanciesGauge() == before - 1);
    }

    long takeoversCounted() {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return (long) dev.ferry.testsupport.PrometheusText.value(metrics, "ferry_migration_takeovers_total").orElse(0);
    }

    long openDiscrepanciesGauge() {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return (long) dev.ferry.testsupport.PrometheusText.value(metrics, "ferry_discrepancies_open").orElse(-2);
    }

    @Test
    void aStopTheSchedulerAskedForEndsFailedWithItsReasonNotAsAnOperatorsCancel() throws Exception {
        UUID id = requestMigration(53);
        try (AutoCloseable alive = renewing(id, "worker-a", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
            // the worker renews its claim but reports no round: after the progress timeout it is asked to stop
            await().atMost(Duration.ofSeconds(20)).until(() -> "REQUESTED".equals(migration(id).getString("abortStatus")));
            publish(byWorker(event(id, EventType.MIGRATION_CANCELLED, 1, null, new MigrationOutcome(0, 0, 0, 7000,
                    "cancelled by the operator during round 1; the VM keeps running on the source", "simulated",
                    dev.ferry.events.MigrationMode.PRE_COPY, dev.ferry.events.AbortStatus.SUCCEEDED)), "worker-a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getString("phase").equals("FAILED"));
        }
        assertThat(migration(id).getString("failureReason")).contains("no progress from worker")
                .contains("worker worker-a stopped it, the VM runs on the source").doesNotContain("by the operator");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_FAILED);
    }

    @Test
    void withNoRetryLeftAWorkerWhoseJobDiedWithItFailsTheMigrationAndTheHoldIsFreed() {
        FakeInventory.reserveSucceeds();
        UUID id = UUID.fromString(given().contentType(ContentType.JSON).body(Map.of("vmId", 42, "targetHostId", 2, "maxRetries", 0))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SCHEDULED".equals(migration(id).getString("phase")));
        claim(id, "worker-a", 1).statusCode(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(migration(id).getString("phase")));
        assertThat(migration(id).getString("failureReason")).contains("its job died with it, so the VM runs on the source; no retry left");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_FAILED);
    }

    @Test
    void aWorkerRenewsAllItsClaimsInOneCallAndLearnsWhichItMayNoLongerActFor() {
        UUID ended = requestMigration(48);
        claim(ended, "worker-r", 1).statusCode(200);
        publish(byWorker(event(ended, EventType.MIGRATION_FAILED, 1, null, new MigrationOutcome(0, 0, 0, 10, "link down",
                "simulated")), "worker-r"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(migration(ended).getString("phase")));
        UUID kept = requestMigration(49);
        UUID unknown = UUID.randomUUID();
        claim(kept, "worker-r", 1).statusCode(200);

        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("workerId", "worker-r", "claims", List.of(
                        Map.of("migrationId", kept.toString(), "attempt", 1), Map.of("migrationId", ended.toString(), "attempt", 1),
                        Map.of("migrationId", unknown.toString(), "attempt", 1))))
                .post("/claims/renewals").then().statusCode(200).extract().jsonPath();

        assertThat(r.getList("renewed", String.class)).containsExactly(kept.toString());
        assertThat(r.getLong("leaseMillis")).isEqualTo(1500);
        assertThat(r.getList("refused.migrationId", String.class)).containsExactlyInAnyOrder(ended.toString(), unknown.toString());
        assertThat(r.getList("refused.slug", String.class)).containsExactlyInAnyOrder("migration-ended", "migration-not-found");
        // someone else's claim is not renewed by naming it
        given().contentType(ContentType.JSON).body(Map.of("workerId", "worker-x", "claims", List.of(
                        Map.of("migrationId", kept.toString(), "attempt", 1))))
                .post("/claims/renewals").then().statusCode(200).body("renewed.size()", equalTo(0))
                .body("refused[0].slug", equalTo("claimed"));
    }

    @Test
    void aCancelNobodyConfirmsLeavesTheOutcomeUnknownUntilAnOperatorSaysWhereTheVmRuns() throws Exception {
        UUID id = requestMigration(43);
        try (AutoCloseable alive = renewing(id, "worker-a", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
            given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("abortStatus", equalTo("REQUESTED"));
            // worker-a renews but never confirms: the switch-over may have happened meanwhile
            await().atMost(Duration.ofSeconds(15)).until(() -> "OUTCOME_UNKNOWN".equals(migration(id).getString("phase")));
        }
        assertThat(migration(id).getString("failureReason")).contains("did not confirm it within 3 s");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.OUTCOME_UNKNOWN);
        given().queryParam("migrationId", id).get("/discrepancies").then()
                .body("kind", org.hamcrest.Matchers.contains("OUTCOME_UNKNOWN"))
                .body("[0].detail", containsString("POST /migrations/" + id + "/resolve"));

        given().contentType(ContentType.JSON).body(Map.of("vmRunsOnHostId", 9)).post("/migrations/" + id + "/resolve")
                .then().statusCode(422).body("type", equalTo("https://ferry.dev/problems/not-a-host-of-the-migration"));
        given().contentType(ContentType.JSON).body(Map.of("vmRunsOnHostId", 2, "note", "virsh list on hv-2 shows it running"))
                .post("/migrations/" + id + "/resolve").then().statusCode(200)
                .body("phase", equalTo("SUCCEEDED")).body("abortStatus", equalTo("FAILED"));
        assertThat(decisions(id, 2)).extracting(MigrationEvent::type)
                .containsExactly(EventType.OUTCOME_UNKNOWN, EventType.MIGRATION_SUCCEEDED);
        given().queryParam("migrationId", id).get("/discrepancies").then().body("size()", equalTo(0));
        given().queryParam("migrationId", id).queryParam("open", false).get("/discrepancies").then()
                .body("[0].resolution", containsString("virsh list on hv-2"));
        given().contentType(ContentType.JSON).body(Map.of("vmRunsOnHostId", 1)).post("/migrations/" + id + "/resolve")
                .then().statusCode(409).body("type", equalTo("https://ferry.dev/problems/outcome-known"));
    }

    @Test
    void theDriversLateAnswerSettlesAnUnknownOutcome() throws Exception {
        UUID id = requestMigration(44);
        try (AutoCloseable alive = renewing(id, "worker-a", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
            given().post("/migrations/" + id + "/cancel").then().statusCode(202);
            await().atMost(Duration.ofSeconds(15)).until(() -> "OUTCOME_UNKNOWN".equals(migration(id).getString("phase")));
            // the switch-over had completed: the hypervisor's word wins
            publish(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 1, null, new MigrationOutcome(3, 5 * GIB, 40, 6000, null,
                    "simulated", dev.ferry.events.MigrationMode.PRE_COPY, dev.ferry.events.AbortStatus.FAILED)), "worker-a"));
            await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        }
        assertThat(migration(id).getString("abortStatus")).isEqualTo("FAILED");
        assertThat(decisions(id, 2)).extracting(MigrationEvent::type)
                .containsExactly(EventType.OUTCOME_UNKNOWN, EventType.MIGRATION_SUCCEEDED);
        given().queryParam("migrationId", id).get("/discrepancies").then().body("size()", equalTo(0));
    }

    @Test
    void aSuccessReportedAfterTheCancelWasDecidedIsRaisedAndInventoryIsNeverToldTheVmMoved() {
        UUID id = requestMigration(45);
        given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("phase", equalTo("CANCELLED"));
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(2, 5 * GIB, 20, 5000, null, "simulated")));

        await().atMost(Duration.ofSeconds(20)).until(() -> given().queryParam("migrationId", id).get("/discrepancies")
                .then().extract().jsonPath().getList("$").size() == 1);
        assertThat(migration(id).getString("phase")).isEqualTo("CANCELLED");
        assertThat(decisions(id, 1)).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_CANCELLED);
    }

    @Test
    void aDecisionTheSchedulerNeverMadeIsRaisedAsForged() {
        UUID id = requestMigration(46);
        publish(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 9, null, new MigrationOutcome(2, 5 * GIB, 20, 5000, null,
                "simulated")), MigrationEvent.SCHEDULER));

        await().atMost(Duration.ofSeconds(20)).until(() -> given().queryParam("migrationId", id).get("/discrepancies")
                .then().extract().jsonPath().getList("kind", String.class).contains("FORGED_DECISION"));
        assertThat(migration(id).getString("phase")).isEqualTo("SCHEDULED");
    }

    @Test
    void anEventForAMigrationThisSchedulerNeverHadIsDeadLettered() {
        MigrationEvent stray = event(UUID.randomUUID(), EventType.ROUND_COMPLETED, 1, round(1, GIB, GIB / 2), null);
        publish(stray);
        var dead = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ,
                r -> r.value().contains(stray.eventId()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
    }

    @Test
    void roundsAndTheAuditTrailArePagedByCursorAndTheViewCarriesOnlyTheLatestRounds() throws Exception {
        UUID id = requestMigration(47);
        try (AutoCloseable alive = renewing(id, "worker-test", 1)) {
            for (int r = 1; r <= 7; r++) {
                publish(event(id, EventType.ROUND_COMPLETED, r, round(r, GIB, GIB / (r + 1)), null));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> migration(id).getInt("currentRound") == 7);
        }
        assertThat(migration(id).getLong("roundCount")).isEqualTo(7);
        var first = given().queryParam("limit", 3).get("/migrations/" + id + "/rounds").then().statusCode(200).extract();
        assertThat(first.jsonPath().getList("round", Integer.class)).containsExactly(1, 2, 3);
        String next = first.header("Link");
        assertThat(next).contains("rel=\"next\"");
        long cursor = first.jsonPath().getLong("[2].position");
        given().queryParam("after", cursor).queryParam("limit", 3).get("/migrations/" + id + "/rounds").then()
                .body("round", org.hamcrest.Matchers.contains(4, 5, 6));
        given().queryParam("after", cursor).queryParam("limit", 5000).get("/migrations/" + id + "/rounds").then()
                .header("Link", org.hamcrest.Matchers.nullValue()).body("size()", equalTo(4));
        given().queryParam("limit", 5001).get("/migrations/" + id + "/rounds").then().statusCode(400);
        var trail = given().queryParam("limit", 2).get("/migrations/" + id + "/events").then().statusCode(200).extract();
        assertThat(trail.jsonPath().getList("type", String.class)).containsExactly("MIGRATION_REQUESTED", "START");
        assertThat(trail.header("Link")).contains("after=" + trail.jsonPath().getLong("[1].position"));
    }
}
