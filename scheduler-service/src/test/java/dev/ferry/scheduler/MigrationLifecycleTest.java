package dev.ferry.scheduler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.ferry.events.CommandType;
import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.events.Topics;
import dev.ferry.inventory.api.Rule;
import dev.ferry.inventory.api.RuleResult;
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
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class MigrationLifecycleTest {
    static final long GIB = 1L << 30;

    /** Requests a migration to host 2 and waits until the dispatcher has reserved it and sent the start. */
    /**
     * Not a bandwidth cap: those follow from other migrations that happen to share a link with this one (many tests
     * send to hv-2), not from what a test does.
     */
    static boolean notACap(String command) {
        return dev.ferry.events.EventCodec.command(command).type() != CommandType.LIMIT_BANDWIDTH;
    }

    static UUID requestMigration(long vmId) {
        return requestMigration(vmId, 2, "USER", "SCHEDULED");
    }

    static UUID requestMigration(long vmId, long target, String priority, String awaitPhase) {
        FakeInventory.reserveSucceeds();
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("vmId", vmId, "targetHostId", target, "priority", priority))
                .post("/migrations").then().statusCode(202)
                .body("phase", equalTo("QUEUED"))
                .extract().jsonPath().getString("id");
        UUID uuid = UUID.fromString(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> awaitPhase.equals(migration(uuid).getString("phase")));
        return uuid;
    }

    static MigrationEvent event(UUID migration, EventType type, long seq, DirtyPageRound round, MigrationOutcome outcome) {
        return new MigrationEvent(UUID.randomUUID().toString(), type, migration, 1, seq, Instant.now(), 7, 1, 2, 101,
                "worker-test", round, outcome);
    }

    static DirtyPageRound round(int n, long bytes, long remaining) {
        return new DirtyPageRound(n, bytes / 4096, bytes, remaining / 4096, 1000, 1.25e9, 800, remaining / 4096,
                remaining, remaining * 1000 / 1_250_000_000L, 0, "CONTINUE", "expected downtime above target", false);
    }

    static void publish(MigrationEvent e) {
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, e.migrationId().toString(), EventCodec.toJson(e));
    }

    /** Worker {@code worker} claims attempt {@code attempt} of the migration, as a real worker does before it acts. */
    static io.restassured.response.ValidatableResponse claim(UUID id, String worker, int attempt) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("attempt", attempt, "workerId", worker, "driver", "simulated", "jobsOutliveWorker", false))
                .post("/migrations/" + id + "/claims").then();
    }

    static JsonPath migration(UUID id) {
        return given().get("/migrations/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void requestReservesTheTargetAndSendsTheStartCommandThroughTheOutbox() {
        UUID id = requestMigration(7);

        var commands = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS,
                r -> id.toString().equals(r.key()) && notACap(r.value()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(commands).hasSize(1);
        MigrationCommand start = EventCodec.command(commands.get(0).value());
        assertThat(start.type()).isEqualTo(CommandType.START);
        assertThat(start.memoryBytes()).isEqualTo(4 * GIB);
        // the slower of the two links: the source has 10 GbE, hv-2 1 GbE
        assertThat(start.linkBandwidthBytesPerSecond()).isEqualTo(125_000_000L);
        // the trail opens with the request and who made it, then the command that carries it out, naming them too
        assertThat(start.requestedBy().name()).isEqualTo("tester");
        given().get("/migrations/" + id + "/events").then().statusCode(200)
                .body("[0].direction", equalTo("REQUEST_RECEIVED"))
                .body("[0].type", equalTo("MIGRATION_REQUESTED"))
                .body("[0].principal.name", equalTo("tester"))
                .body("[0].record.targetHostId", equalTo(2))
                .body("[1].direction", equalTo("COMMAND_SENT"))
                .body("[1].type", equalTo("START"))
                .body("[1].recordId", equalTo(start.commandId()));
    }

    static Map.Entry<String, String> record(MigrationEvent e) {
        return Map.entry(e.migrationId().toString(), EventCodec.toJson(e));
    }

    /** Every round of the migration in the order the scheduler kept them (GET /migrations/{id}/rounds). */
    static List<Integer> roundsKept(UUID id) {
        return given().get("/migrations/" + id + "/rounds").then().statusCode(200).extract().jsonPath().getList("round", Integer.class);
    }

    @Test
    void oneBatchOfTwoMigrationsEventsAppliesInOrderOnceAndDeadLettersOnlyItsGarbage() {
        UUID a = requestMigration(81);
        UUID b = requestMigration(82);
        MigrationEvent aRound1 = event(a, EventType.ROUND_COMPLETED, 2, round(1, 4 * GIB, GIB / 2), null);
        MigrationEvent aRound2 = event(a, EventType.ROUND_COMPLETED, 3, round(2, GIB / 2, GIB / 16), null);
        MigrationEvent aStarted = event(a, EventType.MIGRATION_STARTED, 1, null, null);
        String garbage = "{\"not\": \"an event " + UUID.randomUUID() + "\"}";
        List<Map.Entry<String, String>> batch = List.of(record(aStarted),
                record(event(b, EventType.MIGRATION_STARTED, 1, null, null)),
                Map.entry(a.toString(), garbage),
                record(aRound1),
                record(aRound1), // the same event twice in one batch: applied once
                record(event(b, EventType.ROUND_COMPLETED, 2, round(1, 4 * GIB, GIB / 2), null)),
                record(aRound2),
                record(event(b, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(1, 4 * GIB, 40, 4000, null, "simulated"))),
                Map.entry(b.toString(), garbage + " ")); // the newest record of its partition: its offset is the batch's last

        KafkaProbe.sendAll(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, 0, batch);

        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(b).getString("phase"))
                && migration(a).getInt("currentRound") == 2);
        // at once (a has no worker's claim, and the test's progress timeout is short): the same records again, as after a
        // crash before the offsets were committed; nothing applies twice
        KafkaProbe.sendAll(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, 0, List.of(record(aStarted), record(aRound1),
                record(aRound2), record(event(a, EventType.HEARTBEAT, 4, null, null))));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/migrations/" + a + "/events").then().extract().jsonPath()
                .getList("type", String.class).contains("HEARTBEAT"));
        assertThat(roundsKept(a)).containsExactly(1, 2);
        assertThat(roundsKept(b)).containsExactly(1);
        var dead = KafkaProbe.readToEnd(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ, r -> r.value().startsWith(garbage));
        assertThat(dead).as("each garbage record, dead-lettered once").extracting(r -> r.value()).containsExactlyInAnyOrder(garbage, garbage + " ");
        assertThat(given().get("/migrations/" + a + "/events").then().extract().jsonPath().getList("type", String.class)
                .stream().filter(t -> !t.equals("LIMIT_BANDWIDTH")).toList()) // a and b share hv-2's link
                .containsExactly("MIGRATION_REQUESTED", "START", "MIGRATION_STARTED", "ROUND_COMPLETED", "ROUND_COMPLETED", "HEARTBEAT");
    }

    @Test
    void withinOneBatchAnOutcomeIsDecidedFirstAndAContradictingOneAfterItIsRaisedNotApplied() {
        UUID d = requestMigration(84);
        MigrationEvent failedAfter = event(d, EventType.MIGRATION_FAILED, 4, null,
                new MigrationOutcome(1, GIB, 0, 3000, "link lost", "simulated"));
        // text that an array literal would have to quote: it must come back as sent
        String reason = "dirty rate \"high\", {bursty}; back\\slash, ünïcode";
        DirtyPageRound r = round(1, 4 * GIB, GIB / 2);
        DirtyPageRound awkward = new DirtyPageRound(r.round(), r.pagesSent(), r.bytesSent(), r.pagesDirtied(), r.dirtyRatePagesPerSecond(),
                r.bandwidthBytesPerSecond(), r.durationMillis(), r.remainingPages(), r.remainingBytes(), r.expectedDowntimeMillis(),
                r.throttlePercent(), r.decision(), reason, r.stopAndCopy());

        KafkaProbe.sendAll(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, 0, List.of(
                record(event(d, EventType.MIGRATION_STARTED, 1, null, null)),
                record(event(d, EventType.ROUND_COMPLETED, 2, awkward, null)),
                record(event(d, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(1, 4 * GIB, 40, 4000, null, "simulated"))),
                record(failedAfter)));

        // the second outcome is judged against the first, applied earlier in the same transaction
        await().atMost(Duration.ofSeconds(20)).until(() -> given().queryParam("migrationId", d).get("/discrepancies").then()
                .extract().jsonPath().getList("kind").size() == 1);
        assertThat(migration(d).getString("phase")).isEqualTo("SUCCEEDED");
        given().queryParam("migrationId", d).get("/discrepancies").then()
                .body("kind", org.hamcrest.Matchers.contains("CONTRADICTS_OUTCOME"))
                .body("[0].detail", containsString("reports MIGRATION_FAILED but the migration was decided SUCCEEDED"));
        // the batch's audit entries and round, written together at its end, sit in the order things happened: the
        // scheduler's decision after the report it rests on, and the contradicting report after that
        JsonPath trail = given().get("/migrations/" + d + "/events").then().extract().jsonPath();
        List<String> kinds = new java.util.ArrayList<>();
        for (int i = 0; i < trail.getList("$").size(); i++) {
            if (!trail.getString("[" + i + "].type").equals("LIMIT_BANDWIDTH")) {
                kinds.add(trail.getString("[" + i + "].type") + " " + trail.getString("[" + i + "].direction"));
            }
        }
        assertThat(kinds).containsExactly("MIGRATION_REQUESTED REQUEST_RECEIVED", "START COMMAND_SENT",
                "MIGRATION_STARTED EVENT_RECEIVED", "ROUND_COMPLETED EVENT_RECEIVED", "MIGRATION_SUCCEEDED EVENT_RECEIVED",
                "MIGRATION_SUCCEEDED COMMAND_SENT", "MIGRATION_FAILED EVENT_RECEIVED");
        JsonPath kept = given().get("/migrations/" + d + "/rounds").then().statusCode(200).extract().jsonPath();
        assertThat(kept.getList("round", Integer.class)).containsExactly(1);
        assertThat(kept.getLong("[0].bytesSent")).isEqualTo(4 * GIB);
        assertThat(kept.getString("[0].mode")).isEqualTo("PRE_COPY");
        assertThat(kept.getString("[0].decision")).isEqualTo("CONTINUE");
        assertThat(kept.getString("[0].reason")).isEqualTo(reason);
        assertThat(trail.getString("find { it.type == 'ROUND_COMPLETED' }.record.round.reason")).isEqualTo(reason);
    }

    @Test
    void aBatchWithAnEventThatCannotApplyStillAppliesTheRestAndDeadLettersThatOneAlone() {
        UUID c = requestMigration(83);
        MigrationEvent orphan = event(UUID.randomUUID(), EventType.ROUND_COMPLETED, 1, round(1, GIB, GIB / 4), null);

        KafkaProbe.sendAll(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, 0, List.of(
                record(event(c, EventType.MIGRATION_STARTED, 1, null, null)), record(orphan),
                record(event(c, EventType.ROUND_COMPLETED, 2, round(1, 4 * GIB, GIB / 2), null)),
                record(event(c, EventType.ROUND_COMPLETED, 3, round(2, GIB / 2, GIB / 16), null))));

        await().atMost(Duration.ofSeconds(20)).until(() -> migration(c).getInt("currentRound") == 2);
        assertThat(roundsKept(c)).containsExactly(1, 2);
        var dead = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ,
                r -> r.value().contains(orphan.eventId()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
        assertThat(KafkaProbe.readToEnd(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS_DLQ, r -> r.value().contains(c.toString())))
                .as("nothing of the migration that exists is dead-lettered").isEmpty();
    }

    @Test
    void roundsAndOutcomeDriveThePhaseAndTheAuditTrailKeepsThemInOrder() {
        UUID id = requestMigration(8);
        publish(event(id, EventType.MIGRATION_STARTED, 1, null, null));
        publish(event(id, EventType.ROUND_COMPLETED, 2, round(1, 4 * GIB, GIB / 2), null));
        publish(event(id, EventType.ROUND_COMPLETED, 3, round(2, GIB / 2, GIB / 16), null));
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 4, null, new MigrationOutcome(3, 4 * GIB + GIB / 2 + GIB / 16, 45, 9000, null, "simulated")));

        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        JsonPath m = migration(id);
        assertThat(m.getInt("currentRound")).isEqualTo(3);
        assertThat(m.getLong("downtimeMillis")).isEqualTo(45);
        assertThat(m.getDouble("progressPercent")).isEqualTo(100.0);
        assertThat(m.getList("rounds")).hasSize(2);
        assertThat(m.getList("history.to", String.class)).containsExactly("QUEUED", "SCHEDULED", "RUNNING", "SUCCEEDED");
        JsonPath trail = given().get("/migrations/" + id + "/events").then().extract().jsonPath();
        assertThat(trail.getList("type", String.class)).containsExactly("MIGRATION_REQUESTED", "START", "MIGRATION_STARTED",
                "ROUND_COMPLETED", "ROUND_COMPLETED", "MIGRATION_SUCCEEDED", "MIGRATION_SUCCEEDED");
        // the worker's report, then the scheduler's decision that inventory follows
        assertThat(trail.getList("direction", String.class).subList(5, 7)).containsExactly("EVENT_RECEIVED", "COMMAND_SENT");
        assertThat(trail.getString("[6].note")).startsWith("decision: worker worker-test reported MIGRATION_SUCCEEDED");
    }

    @Test
    void aFinishedMigrationTeachesTheNextForecastAndItsErrorIsShown() {
        UUID first = requestMigration(16);
        publish(event(first, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB / 8), null));
        publish(event(first, EventType.ROUND_COMPLETED, 2, round(2, GIB / 8, GIB / 64), null));
        publish(event(first, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(3, 4 * GIB + GIB / 8 + GIB / 64, 30, 36000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(first).getString("phase")));

        UUID second = requestMigration(16);
        assertThat(migration(second).getString("prediction.basis")).startsWith("learned from this VM's last migration");
        JsonPath accuracy = given().get("/migrations/prediction-accuracy").then().statusCode(200).extract().jsonPath();
        assertThat(accuracy.getInt("migrations")).isGreaterThanOrEqualTo(1);
        assertThat(accuracy.getList("recent.migrationId", String.class)).contains(first.toString());
        assertThat(accuracy.getDouble("totalTimeMeanAbsolutePercentError")).isNotNull();
    }

    @Test
    void theWritingMeasuredBeforeTheStartIsForecastAgainAndTheRequestsForecastStaysInTheTrail() {
        UUID id = requestMigration(18);
        var commands = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS,
                r -> id.toString().equals(r.key()) && notACap(r.value()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(EventCodec.command(commands.get(0).value()).measuresFirst()).as("the start asks for a measurement").isTrue();
        JsonPath requested = migration(id);
        assertThat(requested.getString("prediction.basis")).startsWith("assumed typical");

        // a writer heavier than the 1 GbE link: far slower than the typical VM the request was forecast as
        publish(event(id, EventType.MIGRATION_STARTED, 1, null, null));
        publish(new MigrationEvent(UUID.randomUUID().toString(), EventType.DIRTY_RATE_MEASURED, id, 1, 2, Instant.now(), 7, 1,
                2, 101, "worker-test", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 12_000),
                new DirtyMeasurement.Window(1_000, 40_000)), "calc-dirty-rate page-sampling")));

        await().atMost(Duration.ofSeconds(20)).until(() -> migration(id).getString("prediction.basis").startsWith("measured"));
        JsonPath measured = migration(id);
        assertThat(measured.getString("prediction.basis")).startsWith("measured just before the start (calc-dirty-rate "
                + "page-sampling: 12000 pages in 250 ms, 40000 pages in 1000 ms)");
        assertThat(measured.getLong("prediction.totalTimeMillis")).isGreaterThan(requested.getLong("prediction.totalTimeMillis"));
        JsonPath trail = given().get("/migrations/" + id + "/events").then().extract().jsonPath();
        assertThat(trail.getList("type", String.class)).contains("DIRTY_RATE_MEASURED");
        String note = trail.getString("find { it.type == 'DIRTY_RATE_MEASURED' }.note");
        assertThat(note).startsWith("applied: forecast again from the measured writing: now "
                + measured.getLong("prediction.totalTimeMillis") + " ms").contains(requested.getString("prediction.basis"));

        // a measurement delivered again, or after rounds, changes nothing
        publish(event(id, EventType.ROUND_COMPLETED, 3, round(1, 4 * GIB, GIB / 2), null));
        publish(new MigrationEvent(UUID.randomUUID().toString(), EventType.DIRTY_RATE_MEASURED, id, 1, 4, Instant.now(), 7, 1,
                2, 101, "worker-test", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 0),
                new DirtyMeasurement.Window(1_000, 0)), "calc-dirty-rate page-sampling")));
        // ends, so that it holds no share of hv-2's link in the tests that follow
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 5, null, new MigrationOutcome(1, 4 * GIB, 30, 40000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        assertThat(migration(id).getLong("prediction.totalTimeMillis")).isEqualTo(measured.getLong("prediction.totalTimeMillis"));
        assertThat(given().get("/migrations/" + id + "/events").then().extract().jsonPath()
                .getString("findAll { it.type == 'DIRTY_RATE_MEASURED' }[1].note"))
                .isEqualTo("applied: the forecast stands; the attempt had already run 1 rounds");
    }

    @Test
    void zeroPagesSampledBeforeTheStartOfAVmNeverMovedShortenItsForecast() {
        UUID id = requestMigration(20);
        assertThat(migration(id).getString("prediction.basis")).startsWith("assumed typical").doesNotContain("zero pages");
        publish(event(id, EventType.MIGRATION_STARTED, 1, null, null));
        publish(new MigrationEvent(UUID.randomUUID().toString(), EventType.DIRTY_RATE_MEASURED, id, 1, 2, Instant.now(), 20,
                1, 2, 101, "worker-test", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 0),
                new DirtyMeasurement.Window(1_000, 0)), "calc-dirty-rate page-sampling", 0.75)));

        await().atMost(Duration.ofSeconds(20)).until(() -> migration(id).getString("prediction.basis").startsWith("measured"));
        JsonPath m = migration(id);
        assertThat(m.getString("prediction.basis")).contains("; 75 % of memory zero pages (sampled from the guest's memory "
                + "just before the start)");
        // an idle guest of 4 GiB, three quarters zero: 1 GiB over the 1 GbE link or over this one's share of it
        assertForecastSends(m, GIB);
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(1, GIB, 30, 9000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
    }

    @Test
    void theZeroPagesOfTheVmsLastFirstPassShortenTheForecastsThatFollow() {
        // half of the 4 GiB went over the wire in the first pass: the other half was zero pages
        UUID first = requestMigration(19);
        publish(event(first, EventType.ROUND_COMPLETED, 1, round(1, 2 * GIB, GIB / 8), null));
        publish(event(first, EventType.ROUND_COMPLETED, 2, round(2, GIB / 8, GIB / 64), null));
        publish(event(first, EventType.MIGRATION_SUCCEEDED, 3, null, new MigrationOutcome(3, 2 * GIB + GIB / 8 + GIB / 64, 30, 20000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(first).getString("phase")));

        UUID second = requestMigration(19);
        assertThat(migration(second).getString("prediction.basis")).startsWith("learned from this VM's last migration")
                .contains("; 50 % of memory zero pages (counted in the first pass of this VM's last migration)");
        publish(event(second, EventType.MIGRATION_STARTED, 1, null, null));
        publish(new MigrationEvent(UUID.randomUUID().toString(), EventType.DIRTY_RATE_MEASURED, second, 1, 2, Instant.now(), 19,
                1, 2, 101, "worker-test", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 0),
                new DirtyMeasurement.Window(1_000, 0)), "calc-dirty-rate page-sampling")));

        await().atMost(Duration.ofSeconds(20)).until(() -> migration(second).getString("prediction.basis").startsWith("measured"));
        JsonPath m = migration(second);
        assertThat(m.getString("prediction.basis")).contains("; 50 % of memory zero pages (counted in the first pass of this "
                + "VM's last migration)");
        // an idle guest: half of 4 GiB over the 1 GbE link, where the whole of it would take twice as long
        assertForecastSends(m, 2 * GIB);
    }

    /**
     * The migration's forecast total time is that of {@code bytes} over the 1 GbE link, or over the share of it that
     * other tests' migrations to hv-2 leave this one (the basis says which, in whole MB/s).
     */
    static void assertForecastSends(JsonPath m, long bytes) {
        var share = java.util.regex.Pattern.compile("at its share of the links, (\\d+) MB/s").matcher(m.getString("prediction.basis"));
        boolean shared = share.find();
        double atLeast = shared ? Long.parseLong(share.group(1)) * 1e6 : 125e6;
        double below = shared ? atLeast + 1e6 : atLeast;
        assertThat((double) m.getLong("prediction.totalTimeMillis")).isBetween(bytes / below * 1000 * 0.99,
                bytes / atLeast * 1000 * 1.01 + 100);
    }

    @Test
    void duplicateLateAndOutOfOrderEventsNeverMoveTheMigrationBackwards() {
        UUID id = requestMigration(9);
        MigrationEvent second = event(id, EventType.ROUND_COMPLETED, 3, round(2, GIB, GIB / 8), null);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        publish(second);
        publish(second); // redelivered: must be applied once
        publish(event(id, EventType.ROUND_COMPLETED, 2, round(9, GIB, 3 * GIB), null)); // older sequence, late
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 4, null, new MigrationOutcome(3, 5 * GIB, 30, 8000, null, "simulated")));
        publish(event(id, EventType.MIGRATION_FAILED, 5, null, new MigrationOutcome(3, 5 * GIB, 0, 8000, "late failure", "simulated")));

        // the request, START, 4 rounds and reports received, the decision, the late failure
        await().atMost(Duration.ofSeconds(20)).until(() ->
                given().get("/migrations/" + id + "/events").then().extract().jsonPath().getList("$").size() == 8);
        JsonPath m = migration(id);
        assertThat(m.getString("phase")).isEqualTo("SUCCEEDED");
        assertThat(m.getList("rounds.round", Integer.class)).containsExactly(1, 2);
        assertThat(m.getLong("bytesSent")).isEqualTo(5 * GIB);
        List<String> notes = given().get("/migrations/" + id + "/events").then().extract().jsonPath().getList("note", String.class);
        assertThat(notes).contains("ignored: sequence 2 arrived after 3");
        assertThat(notes).anyMatch(n -> n != null && n.startsWith("ignored: worker worker-test reports MIGRATION_FAILED but the "
                + "migration was decided SUCCEEDED"));
        // a report that contradicts the decision is raised, not applied
        given().queryParam("migrationId", id).get("/discrepancies").then().statusCode(200)
                .body("kind", org.hamcrest.Matchers.contains("CONTRADICTS_OUTCOME"));
    }

    @Test
    void progressNeverRunsBackwardsWhenRemainingGrows() {
        UUID id = requestMigration(10);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB / 8), null));
        await().atMost(Duration.ofSeconds(20)).until(() -> migration(id).getInt("currentRound") == 1);
        double before = migration(id).getDouble("progressPercent");
        publish(event(id, EventType.ROUND_COMPLETED, 2, round(2, GIB / 8, 3 * GIB), null));
        await().atMost(Duration.ofSeconds(20)).until(() -> migration(id).getInt("currentRound") == 2);

        assertThat(migration(id).getDouble("progressPercent")).isGreaterThanOrEqualTo(before);
    }

    @Test
    void refusedPreChecksComeBackWithEveryFailedRuleAndNothingIsRecorded() {
        FakeInventory.COMPAT_FAILURES.set(List.of(RuleResult.fail(Rule.CPU_VENDOR, "vendor differs"),
                RuleResult.fail(Rule.STORAGE_REACHABLE, "no NFS")));
        given().contentType(ContentType.JSON).body(Map.of("vmId", 11, "targetHostId", 2))
                .post("/migrations").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/migration-not-possible"))
                .body("failedRules.code", hasItem("CPU_VENDOR"))
                .body("failedRules.code", hasItem("STORAGE_REACHABLE"))
                .body("detail", containsString("CPU_VENDOR: vendor differs; STORAGE_REACHABLE: no NFS"));
        FakeInventory.reserveSucceeds();
        given().queryParam("vmId", 11).get("/migrations").then().body("size()", equalTo(0));
    }

    @Test
    void unknownVmIsTheCallersMistakeNamingTheField() {
        given().contentType(ContentType.JSON).body(Map.of("vmId", 404))
                .post("/migrations").then().statusCode(422)
                .body("field", equalTo("vmId"))
                .body("detail", containsString("does not exist"));
    }

    @Test
    void missingVmIdIsRejected() {
        given().contentType(ContentType.JSON).body(Map.of("targetHostId", 2))
                .post("/migrations").then().statusCode(400)
                .body("violations.field", hasItem("vmId"));
    }

    @Test
    void aVmIdOfTheWrongTypeIsRejectedNamingTheField() {
        given().contentType(ContentType.JSON).body("{\"vmId\": \"abc\"}")
                .post("/migrations").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/unreadable-body"))
                .body("field", equalTo("vmId"));
    }

    @Test
    void aDestinationThatFilledUpWhileQueuedFailsTheMigrationWithTheRootCause() {
        FakeInventory.reserveSucceeds();
        FakeInventory.reserveAnswers(422, "{\"type\":\"https://ferry.dev/problems/migration-not-possible\",\"status\":422,"
                + "\"detail\":\"VM vm-15 cannot migrate to hv-2: 1 rule(s) failed\",\"failedRules\":[{\"code\":\"MEMORY_CAPACITY\","
                + "\"message\":\"hv-2 has 1024 MiB free, needs 4096 MiB\"}]}");
        String id = given().contentType(ContentType.JSON).body(Map.of("vmId", 15, "targetHostId", 2))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");

        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(UUID.fromString(id)).getString("phase")));
        assertThat(migration(UUID.fromString(id)).getString("failureReason"))
                .contains("could not be reserved").contains("1 rule(s) failed")
                .as("the rule and its sentence, not only a count").contains("MEMORY_CAPACITY: hv-2 has 1024 MiB free, needs 4096 MiB");
        FakeInventory.reserveSucceeds();
    }

    @Test
    void withoutATargetTheBestCompatibleHostIsChosenAndTheReasonShown() {
        FakeInventory.reserveSucceeds();
        given().contentType(ContentType.JSON).body(Map.of("vmId", 12))
                .post("/migrations").then().statusCode(202)
                .body("targetHostId", equalTo(3))
                .body("targetReason", containsString("lowest predicted cost of 1 compatible host(s): hv-3"))
                .body("prediction.totalTimeMillis", org.hamcrest.Matchers.greaterThan(0))
                .body("prediction.basis", containsString("assumed typical"));
    }

    @Test
    void placementReadsTheClustersHostsInOnePageNotEachCandidateByItself() {
        FakeInventory.reserveSucceeds();
        int before3 = reads(3);
        int before4 = reads(4);
        // VM 650 may go to hv-3 or hv-4: both are ranked, both taken from the cluster's list
        given().contentType(ContentType.JSON).body(Map.of("vmId", 650, "maxDowntimeMillis", 300)).queryParam("dryRun", true)
                .post("/migrations").then().statusCode(200)
                .body("targetHostId", equalTo(3))
                .body("targetReason", containsString("2 compatible host(s)"));
        assertThat(reads(3) - before3).as("GET /hosts/3").isZero();
        assertThat(reads(4) - before4).as("GET /hosts/4").isZero();
    }

    private static int reads(long hostId) {
        return FakeInventory.HOST_READS.computeIfAbsent(hostId, k -> new java.util.concurrent.atomic.AtomicInteger()).get();
    }

    @Test
    void aDryRunShowsTheTargetAndForecastAndStartsNothing() {
        FakeInventory.reserveSucceeds();
        given().contentType(ContentType.JSON).body(Map.of("vmId", 4711, "maxDowntimeMillis", 300)).queryParam("dryRun", true)
                .post("/migrations").then().statusCode(200)
                .body("vmId", equalTo(4711))
                .body("targetHostId", equalTo(3))
                .body("targetReason", containsString("lowest predicted cost"))
                .body("maxDowntimeMillis", equalTo(300))
                .body("prediction.totalTimeMillis", org.hamcrest.Matchers.greaterThan(0));
        // nothing recorded, so nothing the dispatcher could reserve or start
        given().queryParam("vmId", 4711).get("/migrations").then().body("size()", equalTo(0));
        FakeInventory.COMPAT_FAILURES.set(List.of(RuleResult.fail(Rule.CPU_VENDOR, "vendor differs")));
        given().contentType(ContentType.JSON).body(Map.of("vmId", 4711, "targetHostId", 2)).queryParam("dryRun", true)
                .post("/migrations").then().statusCode(422).body("failedRules.code", hasItem("CPU_VENDOR"));
        FakeInventory.reserveSucceeds();
    }

    @Test
    void thePolicyARequestChoosesIsForecastRecordedAndSentToTheWorker() {
        FakeInventory.reserveSucceeds();
        given().contentType(ContentType.JSON).body(Map.of("vmId", 4712, "targetHostId", 2, "policy", "xen")).queryParam("dryRun", true)
                .post("/migrations").then().statusCode(200)
                .body("policy", equalTo("xen"))
                .body("prediction.basis", containsString("running policy xen"));
        String id = given().contentType(ContentType.JSON).body(Map.of("vmId", 4712, "targetHostId", 2, "policy", "xen"))
                .post("/migrations").then().statusCode(202).body("policy", equalTo("xen")).extract().jsonPath().getString("id");
        var commands = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS,
                r -> id.equals(r.key()) && notACap(r.value()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(EventCodec.command(commands.get(0).value()).policy()).isEqualTo("xen");
        // none chosen: the workers' default, said as such
        given().contentType(ContentType.JSON).body(Map.of("vmId", 4713, "targetHostId", 2)).queryParam("dryRun", true)
                .post("/migrations").then().statusCode(200).body("policy", org.hamcrest.Matchers.nullValue());
        given().contentType(ContentType.JSON).body(Map.of("vmId", 4714, "policy", "fastest")).post("/migrations")
                .then().statusCode(400).body("detail", containsString("no convergence policy named 'fastest'"))
                .body("detail", containsString("qemu-auto-converge"));
        given().queryParam("vmId", 4714).get("/migrations").then().body("size()", equalTo(0));
        given().get("/policies").then().statusCode(200).body("name", hasItem("xen"))
                .body("findAll { it.isDefault }.name", org.hamcrest.Matchers.contains("ferry"));
    }

    /** A round of a VM rewriting a 1 GiB working set at 1.3x a 1 GbE link: it stays 1 GiB behind. */
    static DirtyPageRound hotRound(int n, long bytes) {
        return new DirtyPageRound(n, bytes / 4096, bytes, GIB / 4096, 1.3 * 125_000_000 / 4096, 1.25e8, bytes / 125_000,
                GIB / 4096, GIB, 8590, 0, "CONTINUE", "expected downtime above target", false);
    }

    @Test
    void aMigrationPredictedNotToConvergeIsRefusedWithTheChangesThatWouldHelpUnlessForced() {
        UUID first = requestMigration(731, 3, "USER", "SCHEDULED");
        publish(event(first, EventType.ROUND_COMPLETED, 1, hotRound(1, 4 * GIB), null));
        publish(event(first, EventType.ROUND_COMPLETED, 2, hotRound(2, GIB), null));
        publish(event(first, EventType.ROUND_COMPLETED, 3, hotRound(3, GIB), null));
        publish(event(first, EventType.MIGRATION_SUCCEEDED, 4, null, new MigrationOutcome(4, 6 * GIB, 900, 60000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(first).getString("phase")));

        // back to hv-3 without any throttling: the policy is predicted to give up
        Map<String, Object> noThrottle = Map.of("vmId", 731, "targetHostId", 3, "throttleCeilingPercent", 0);
        for (boolean dryRun : List.of(false, true)) {
            given().contentType(ContentType.JSON).body(noThrottle).queryParam("dryRun", dryRun).post("/migrations").then()
                    .statusCode(422).contentType("application/problem+json")
                    .body("type", org.hamcrest.Matchers.endsWith("/predicted-not-to-converge"))
                    .body("detail", containsString("vm-731 to hv-3 is predicted not to converge within its limits: policy ferry "
                            + "would give up"))
                    .body("detail", containsString("learned from this VM's last migration"))
                    .body("detail", containsString("force=true"))
                    .body("forecast.converges", equalTo(false))
                    .body("suggestions.field", org.hamcrest.Matchers.contains("targetHostId", "throttleCeilingPercent", "allowPostCopy"))
                    .body("suggestions[0].value", equalTo(900))
                    .body("suggestions[0].change", containsString("hv-900"));
        }
        given().queryParam("vmId", 731).get("/migrations").then().body("size()", equalTo(1));

        // each suggestion, taken, is admitted
        JsonPath refusal = given().contentType(ContentType.JSON).body(noThrottle).post("/migrations").then().extract().jsonPath();
        for (Map<String, Object> suggestion : refusal.<Map<String, Object>>getList("suggestions")) {
            Map<String, Object> changed = new java.util.HashMap<>(noThrottle);
            changed.put((String) suggestion.get("field"), suggestion.get("value"));
            given().contentType(ContentType.JSON).body(changed).queryParam("dryRun", true).post("/migrations").then()
                    .statusCode(200).body("prediction.basis", org.hamcrest.Matchers.not(containsString("not to converge")));
        }

        // forced: queued, the forecast says what to expect and the trail says who forced it
        String forced = given().contentType(ContentType.JSON).body(noThrottle).queryParam("force", true).post("/migrations")
                .then().statusCode(202).body("prediction.basis", containsString("predicted not to converge"))
                .extract().jsonPath().getString("id");
        given().get("/migrations/" + forced + "/events").then()
                .body("[0].type", equalTo("MIGRATION_REQUESTED"))
                .body("[0].note", containsString("forced (force=true) although predicted not to converge"));
        UUID forcedId = UUID.fromString(forced);
        assertThat(migration(forcedId).getList("history.reason", String.class).get(0))
                .contains("forced although predicted not to converge");
        assertThat(migration(forcedId).getBoolean("prediction.converges")).isFalse();

        // and so it went: the policy gave up. The accuracy report counts that as a convergence prediction come true.
        await().atMost(Duration.ofSeconds(20)).until(() -> "SCHEDULED".equals(migration(forcedId).getString("phase")));
        publish(event(forcedId, EventType.ROUND_COMPLETED, 1, hotRound(1, 4 * GIB), null));
        DirtyPageRound last = hotRound(2, GIB);
        publish(event(forcedId, EventType.ROUND_COMPLETED, 2, new DirtyPageRound(2, last.pagesSent(), last.bytesSent(),
                last.pagesDirtied(), last.dirtyRatePagesPerSecond(), last.bandwidthBytesPerSecond(), last.durationMillis(),
                last.remainingPages(), last.remainingBytes(), last.expectedDowntimeMillis(), 0, "ABORT", "stall; no throttle allowed",
                false), null));
        publish(event(forcedId, EventType.MIGRATION_FAILED, 3, null,
                new MigrationOutcome(2, 5 * GIB, 0, 42_000, "the policy gave up: stall; no throttle allowed", "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(forcedId).getString("phase")));
        assertThat(migration(forcedId).getLong("totalTimeMillis")).isEqualTo(42_000);
        JsonPath accuracy = given().get("/migrations/prediction-accuracy").then().statusCode(200).extract().jsonPath();
        assertThat(accuracy.getInt("convergence.gaveUpAsPredicted")).isGreaterThanOrEqualTo(1);
        assertThat(accuracy.getInt("byOutcome.GAVE_UP.migrations")).isGreaterThanOrEqualTo(1);
        assertThat(accuracy.getString("recent.find { it.migrationId == '" + forced + "' }.outcome")).isEqualTo("GAVE_UP");
        assertThat(accuracy.getBoolean("recent.find { it.migrationId == '" + forced + "' }.predictedToConverge")).isFalse();
    }

    @Test
    void theRoomQueuedMigrationsClaimOnTheirDestinationIsCountedBeforeAnotherIsAccepted() {
        // hv-590 takes two migrations at a time and keeps room for one 4 GiB, 2-vCPU VM besides the one asked about
        requestMigration(741, 590, "USER", "SCHEDULED");
        requestMigration(742, 590, "USER", "SCHEDULED");
        for (long vm : List.of(743L, 744L)) { // no slot: they wait, each claiming 4 GiB and 2 vCPUs of hv-590
            given().contentType(ContentType.JSON).body(Map.of("vmId", vm)).post("/migrations").then().statusCode(202)
                    .body("targetHostId", equalTo(590)).body("phase", equalTo("QUEUED"));
        }

        given().contentType(ContentType.JSON).body(Map.of("vmId", 745)).post("/migrations").then().statusCode(422)
                .body("type", org.hamcrest.Matchers.endsWith("/no-room-left"))
                .body("detail", containsString("hv-590 would be short of 2048 MiB of memory once the 2 queued migration(s) "
                        + "heading there (8192 MiB, 4 vCPUs) are placed"));
        given().contentType(ContentType.JSON).body(Map.of("vmId", 745, "targetHostId", 590)).post("/migrations").then()
                .statusCode(422).body("type", org.hamcrest.Matchers.endsWith("/destination-claimed"))
                .body("detail", containsString("it would fail when a slot frees up"))
                .body("claimed.migrations", equalTo(2));
        given().queryParam("vmId", 745).get("/migrations").then().body("size()", equalTo(0));
    }

    @Test
    void twoRequestsAtOnceForTheLastRoomOnAHostAreNotBothQueued() throws Exception {
        // hv-591 has room for one more 4 GiB VM; no hold is granted, so what is accepted stays QUEUED, claiming that room
        FakeInventory.reserveAnswers(503, "{}");
        List<String> accepted = new java.util.ArrayList<>();
        try (var holder = dev.ferry.testsupport.TestDatabase.connect("scheduler_test");
                var watcher = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            // another request is being queued for hv-591 (it holds the destination's lock)
            holdDestinationLock(holder, 591);
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                    .body(Map.of("vmId", 751)).post("/migrations"));
            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                    .body(Map.of("vmId", 752)).post("/migrations"));

            // both were judged to fit, and both wait to queue: neither has seen the other's claim yet
            awaitWaitingForTheLock(watcher, 2);
            holder.commit();

            var answers = List.of(first.get(), second.get());
            assertThat(answers).extracting(io.restassured.response.Response::statusCode).containsExactlyInAnyOrder(202, 422);
            var refused = answers.stream().filter(r -> r.statusCode() == 422).findFirst().orElseThrow();
            // placed again once the other's claim counted: no other host, and it says why
            assertThat(refused.jsonPath().getString("type")).endsWith("/no-room-left");
            assertThat(refused.jsonPath().getString("detail")).contains("hv-591 would be short of 2048 MiB of memory once the 1 "
                    + "queued migration(s)");
            answers.stream().filter(r -> r.statusCode() == 202).forEach(r -> accepted.add(r.jsonPath().getString("id")));
        } finally {
            FakeInventory.reserveSucceeds();
            accepted.forEach(id -> given().post("/migrations/" + id + "/cancel"));
        }
        assertThat(given().queryParam("vmId", 751).get("/migrations").jsonPath().getList("$").size()
                + given().queryParam("vmId", 752).get("/migrations").jsonPath().getList("$").size()).isEqualTo(1);
    }

    @Test
    void aMigrationDispatchedToTheHostWhileARequestWaitsToQueueTakesTheRoomItWasJudgedOn() throws Exception {
        // a migration to hv-591 that no longer claims anything: queued (no hold is granted), then cancelled
        FakeInventory.reserveAnswers(503, "{}");
        UUID dispatched;
        try {
            dispatched = UUID.fromString(given().contentType(ContentType.JSON).body(Map.of("vmId", 753, "targetHostId", 591))
                    .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id"));
            given().post("/migrations/" + dispatched + "/cancel");
            await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(dispatched).getString("phase")));
        } finally {
            FakeInventory.reserveSucceeds();
        }
        UUID[] later = new UUID[1];
        try (var holder = dev.ferry.testsupport.TestDatabase.connect("scheduler_test");
                var watcher = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            holdDestinationLock(holder, 591);
            // the operator asks for hv-591: inventory's room there is read with nothing queued, so it fits, and waits to queue
            var request = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                    .body(Map.of("vmId", 754, "targetHostId", 591)).post("/migrations"));
            awaitWaitingForTheLock(watcher, 1);
            // meanwhile the dispatcher starts the other migration there: it leaves QUEUED, and the room inventory showed
            // the request is now held by that migration's reservation
            TestDatabase.update(holder, "UPDATE migration SET phase = 'SCHEDULED' WHERE id = ?", dispatched);
            TestDatabase.update(holder, "INSERT INTO phase_transition (migration_id, from_phase, to_phase, at, reason) "
                    + "VALUES (?, 'QUEUED', 'SCHEDULED', clock_timestamp(), 'dispatched while the request waited')", dispatched);
            holder.commit();

            var answer = request.get();
            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(422);
            assertThat(answer.jsonPath().getString("type")).endsWith("/destination-claimed");
            assertThat(answer.jsonPath().getString("detail")).contains("VM vm-754 cannot be queued for hv-591");

            // a request read after that dispatch finds its reservation in inventory's room (the fake's room is the same
            // every time): it is not counted twice, and the request is queued
            later[0] = UUID.fromString(given().contentType(ContentType.JSON).body(Map.of("vmId", 755, "targetHostId", 591))
                    .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id"));
        } finally {
            // ended by hand: neither has a worker to confirm a cancel, and hv-591 is other tests' destination too
            TestDatabase.update("scheduler_test", "UPDATE migration SET phase = 'CANCELLED' WHERE id = ? OR id = ?", dispatched,
                    later[0] != null ? later[0] : dispatched);
        }
        given().queryParam("vmId", 754).get("/migrations").then().body("size()", equalTo(0));
    }

    /** Takes the destination's queueing lock in the connection's transaction, as another request being queued would. */
    static void holdDestinationLock(java.sql.Connection holder, long hostId) throws java.sql.SQLException {
        holder.setAutoCommit(false);
        try (var lock = holder.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, dev.ferry.scheduler.service.DestinationLocks.DESTINATION_LOCK + hostId);
            lock.executeQuery().close();
        }
    }

    /** Until {@code requests} sessions wait for an advisory lock: judged, and about to queue. */
    static void awaitWaitingForTheLock(java.sql.Connection watcher, int requests) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (var st = watcher.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity "
                    + "WHERE wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'")) {
                rs.next();
                return rs.getInt(1) == requests;
            }
        });
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyReturnsTheSameMigration() {
        FakeInventory.reserveSucceeds();
        String key = UUID.randomUUID().toString();
        String first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(Map.of("vmId", 13, "targetHostId", 2))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");
        String second = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(Map.of("vmId", 13, "targetHostId", 2))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");
        assertThat(second).isEqualTo(first);
        given().queryParam("vmId", 13).get("/migrations").then().body("size()", equalTo(1));
    }

    @Test
    void theOperatorsLimitsReachTheWorkerInTheStartCommand() {
        FakeInventory.reserveSucceeds();
        Instant deadline = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("vmId", 16, "targetHostId", 2, "maxDowntimeMillis", 120, "throttleCeilingPercent", 30,
                        "allowPostCopy", true, "deadline", deadline.toString()))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");

        var commands = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS,
                r -> id.equals(r.key()) && notACap(r.value()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        MigrationCommand start = EventCodec.command(commands.get(0).value());
        assertThat(start.maxDowntimeMillis()).isEqualTo(120);
        assertThat(start.throttleCeilingPercent()).isEqualTo(30);
        assertThat(start.allowPostCopy()).isTrue();
        assertThat(start.deadline()).isEqualTo(deadline);
    }

    @Test
    void aHeartbeatWaitsBrieflyForARowABatchHoldsAndLeavesOneHeldLongerForTheNextRenewal() throws Exception {
        UUID free = requestMigration(31);
        UUID held = requestMigration(32);
        claim(free, "worker-test", 1).statusCode(200);
        claim(held, "worker-test", 1).statusCode(200);
        List<Map<String, Object>> both = List.of(Map.of("migrationId", free.toString(), "attempt", 1),
                Map.of("migrationId", held.toString(), "attempt", 1));
        Instant heldLease;
        try (java.sql.Connection db = dev.ferry.testsupport.TestDatabase.connect("scheduler_test");
                java.sql.Connection watcher = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            db.setAutoCommit(false);
            // an event batch holds one of the rows for a moment: the renewal waits for it and renews both in one call
            lock(db, held);
            var renewal = java.util.concurrent.CompletableFuture.supplyAsync(() -> renew(both));
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
                assertThat(renewal).as("the renewal answered before it was seen waiting for the held row").isNotDone();
                try (var st = watcher.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE pid <> pg_backend_pid() AND datname = current_database() AND wait_event_type = 'Lock' "
                        + "AND query LIKE '%FROM migration%FOR UPDATE'")) {
                    rs.next();
                    return rs.getInt(1) == 1; // the renewal's last pass, waiting for the held row (the free one is renewed)
                }
            });
            db.commit(); // within the renewal's wait for a row (1 s): a batch lets go sooner than that
            JsonPath r = renewal.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.getList("renewed", String.class)).containsExactlyInAnyOrder(free.toString(), held.toString());
            assertThat(r.getList("refused")).isEmpty();

            // another transaction holds it past the wait (any long one): the answer does not wait for it
            Instant freeLease = Instant.parse(migration(free).getString("leaseExpiresAt"));
            heldLease = Instant.parse(migration(held).getString("leaseExpiresAt"));
            lock(db, held);
            long asked = System.nanoTime();
            r = java.util.concurrent.CompletableFuture.supplyAsync(() -> renew(both)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            Duration answeredIn = Duration.ofNanos(System.nanoTime() - asked);
            assertThat(r.getList("renewed", String.class)).containsExactly(free.toString());
            assertThat(r.getList("refused")).isEmpty(); // not refused: the worker keeps acting for it, and asks again
            assertThat(Instant.parse(migration(free).getString("leaseExpiresAt"))).isAfter(freeLease);
            // within a worker's patience (5 s by default), whatever the other transaction does
            assertThat(answeredIn).isGreaterThanOrEqualTo(dev.ferry.scheduler.service.ClaimService.HELD_ROW_WAIT)
                    .isLessThan(Duration.ofSeconds(5));
            db.commit();
        }
        assertThat(Instant.parse(migration(held).getString("leaseExpiresAt"))).isEqualTo(heldLease);
        // the worker's next renewal, once the row is free, renews it
        assertThat(renew(both).getList("renewed", String.class)).containsExactlyInAnyOrder(free.toString(), held.toString());
        assertThat(Instant.parse(migration(held).getString("leaseExpiresAt"))).isAfter(heldLease);
        for (UUID id : List.of(free, held)) {
            publish(event(id, EventType.MIGRATION_FAILED, 1, null, new MigrationOutcome(0, 0, 0, 10, "test over", "simulated")));
            await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(id).getString("phase")));
        }
    }

    private static void lock(java.sql.Connection db, UUID id) throws java.sql.SQLException {
        try (var lock = db.prepareStatement("SELECT 1 FROM migration WHERE id = ? FOR UPDATE")) {
            lock.setObject(1, id);
            lock.executeQuery();
        }
    }

    private static JsonPath renew(List<Map<String, Object>> claims) {
        return given().contentType(ContentType.JSON).body(Map.of("workerId", "worker-test", "claims", claims))
                .post("/claims/renewals").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void onceAWorkerHoldsTheClaimAnotherWorkersReportsAreKeptButNeverApplied() {
        UUID id = requestMigration(17);
        claim(id, "worker-test", 1).statusCode(200).body("leaseMillis", equalTo(6000)).body("renewEveryMillis", equalTo(2000));
        assertThat(migration(id).getString("phase")).isEqualTo("RUNNING");
        assertThat(migration(id).getString("ownerId")).isEqualTo("worker-test");
        claim(id, "worker-b", 1).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/claimed"));

        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        // the START delivered to another worker as well: it has no claim, its words count for nothing
        publish(byWorker(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB / 8), null), "worker-b"));
        publish(byWorker(event(id, EventType.MIGRATION_SUCCEEDED, 2, null,
                new MigrationOutcome(2, 4 * GIB + GIB / 8, 30, 4000, null, "simulated")), "worker-b"));
        publish(event(id, EventType.MIGRATION_FAILED, 2, null, new MigrationOutcome(1, 4 * GIB, 0, 4000, "link down", "simulated")));

        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(id).getString("phase")));
        JsonPath m = migration(id);
        assertThat(m.getList("rounds.workerId", String.class)).containsExactly("worker-test");
        assertThat(m.getString("failureReason")).isEqualTo("link down");
        List<String> notes = given().get("/migrations/" + id + "/events").then().extract().jsonPath().getList("note", String.class);
        assertThat(notes).anyMatch(n -> n != null && n.startsWith("ignored: worker worker-b holds no claim on the migration"));
        // worker-b said the VM moved: that is raised for an operator to check
        given().queryParam("migrationId", id).get("/discrepancies").then()
                .body("kind", org.hamcrest.Matchers.contains("CONTRADICTS_OUTCOME"))
                .body("[0].detail", containsString("worker-b"));
        // the START replayed later (a restart, offset 0) is refused: nothing runs again
        claim(id, "worker-c", 1).statusCode(409).body("type", equalTo("https://ferry.dev/problems/migration-ended"));
    }

    static MigrationEvent byWorker(MigrationEvent e, String worker) {
        return new MigrationEvent(e.eventId(), e.type(), e.migrationId(), e.attempt(), e.sequence(), e.timestamp(), e.vmId(),
                e.sourceHostId(), e.targetHostId(), e.reservationId(), worker, e.round(), e.outcome());
    }

    @Test
    void heartbeatsKeepALongRoundAliveAndTheirSilenceFailsTheMigration() throws InterruptedException {
        UUID id = requestMigration(15);
        publish(event(id, EventType.MIGRATION_STARTED, 1, null, null));
        long seq = 2;
        for (int i = 0; i < 6; i++) { // 12 s of heartbeats, twice the 6 s progress timeout, and not a single round
            Thread.sleep(2000);
            publish(event(id, EventType.HEARTBEAT, seq++, null, null));
        }
        assertThat(migration(id).getString("phase")).isEqualTo("RUNNING");

        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(migration(id).getString("phase")));
        assertThat(migration(id).getString("failureReason")).contains("no progress from worker worker-test for 6 s");
    }

    @Test
    void aMigrationNoWorkerPicksUpFailsWithTheReasonAndIsCancelled() throws Exception {
        // both requested before either is waited for: each fails 6 s after it is SCHEDULED, and the lock below must
        // be taken before that
        FakeInventory.reserveSucceeds();
        UUID one = UUID.fromString(given().contentType(ContentType.JSON).body(Map.of("vmId", 14, "targetHostId", 2))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id"));
        UUID other = UUID.fromString(given().contentType(ContentType.JSON).body(Map.of("vmId", 141, "targetHostId", 2))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id"));
        for (UUID m : List.of(one, other)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> "SCHEDULED".equals(migration(m).getString("phase")));
        }
        // the watchdog locks what it judges in id order: the first row, held by another transaction (an event batch,
        // say), must not keep it from the one after
        UUID held = one.toString().compareTo(other.toString()) < 0 ? one : other; // PostgreSQL's order, not Java's signed one
        UUID id = held == one ? other : one;
        try (java.sql.Connection db = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            db.setAutoCommit(false);
            try (var lock = db.prepareStatement("SELECT 1 FROM migration WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, held);
                lock.executeQuery();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(migration(id).getString("phase")));
            assertThat(migration(held).getString("phase")).isEqualTo("SCHEDULED");
            db.commit();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(migration(held).getString("phase")));
        assertThat(migration(id).getString("failureReason")).contains("no worker picked the migration up within 6 s");
        var commands = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS,
                r -> id.toString().equals(r.key()) && notACap(r.value()), seen -> seen.size() >= 2, Duration.ofSeconds(20));
        assertThat(commands).extracting(r -> EventCodec.command(r.value()).type())
                .containsExactly(CommandType.START, CommandType.CANCEL);
        var events = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                r -> id.toString().equals(r.key()), seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(EventCodec.event(events.get(0).value()).type()).isEqualTo(EventType.MIGRATION_FAILED);
    }

    @Test
    void unknownMigrationIsA404Problem() {
        given().get("/migrations/" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://ferry.dev/problems/migration-not-found"));
    }
}
