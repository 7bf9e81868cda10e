package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.requestMigration;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationMode;
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
import io.quarkus.test.security.TestSecurity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class OperatorRequestsTest {
    static final long GIB = 1L << 30;

    @TestHTTPResource("/")
    URL base;

    /** The commands sent for the migration, but the bandwidth caps that other migrations sharing its links cause. */
    static List<CommandType> commandsSent(UUID id, int atLeast) {
        return commands(id, atLeast).stream().map(MigrationCommand::type).toList();
    }

    static List<MigrationCommand> commands(UUID id, int atLeast) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS, r -> id.toString().equals(r.key())
                                && EventCodec.command(r.value()).type() != CommandType.LIMIT_BANDWIDTH,
                        seen -> seen.size() >= atLeast, Duration.ofSeconds(20))
                .stream().map(r -> EventCodec.command(r.value())).toList();
    }

    /** Every command sent for the migration, bandwidth caps included, once {@code until} holds of them. */
    static List<MigrationCommand> allCommands(UUID id, java.util.function.Predicate<List<MigrationCommand>> until) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS, r -> id.toString().equals(r.key()),
                        seen -> until.test(seen.stream().map(r -> EventCodec.command(r.value())).toList()), Duration.ofSeconds(20))
                .stream().map(r -> EventCodec.command(r.value())).toList();
    }

    @Test
    void cancelOfAClaimedMigrationSendsCancelAndTheWorkersConfirmationEndsIt() {
        UUID id = requestMigration(21);
        MigrationLifecycleTest.claim(id, "worker-test", 1).statusCode(200);
        given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("cancelRequestedAt", org.hamcrest.Matchers.notNullValue());
        given().post("/migrations/" + id + "/cancel").then().statusCode(202); // asking twice is harmless

        assertThat(commandsSent(id, 2)).containsExactly(CommandType.START, CommandType.CANCEL);
        publish(event(id, EventType.MIGRATION_CANCELLED, 1, null,
                new MigrationOutcome(0, 0, 0, 0, "cancelled by the operator during round 1", "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(id).getString("phase")));
        assertThat(migration(id).getString("failureReason")).contains("cancelled by the operator");
    }

    @Test
    void cancelWhileRunningIsSentToTheWorker() {
        UUID id = requestMigration(22);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(migration(id).getString("phase")));

        given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("phase", equalTo("RUNNING"));
        assertThat(commandsSent(id, 2)).containsExactly(CommandType.START, CommandType.CANCEL);
        List<String> trail = given().get("/migrations/" + id + "/events").then().extract().jsonPath().getList("type", String.class);
        assertThat(trail).containsSubsequence("MIGRATION_REQUESTED", "START", "ROUND_COMPLETED", "CANCEL_REQUESTED", "CANCEL");
    }

    @Test
    void aCancelBeforeAnyWorkerTookTheMigrationEndsItAtOnceAndNoWorkerMayTakeItThen() {
        UUID id = requestMigration(23);
        given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("phase", equalTo("CANCELLED"))
                .body("abortStatus", equalTo("SUCCEEDED"));

        assertThat(migration(id).getString("failureReason")).contains("before any worker took it");
        var outcome = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(EventCodec.event(outcome.get(0).value()).type()).isEqualTo(EventType.MIGRATION_CANCELLED);
        assertThat(EventCodec.event(outcome.get(0).value()).isDecision()).isTrue();
        MigrationLifecycleTest.claim(id, "worker-test", 1).statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/migration-ended"));
    }

    @Test
    void aFinishedMigrationCannotBeCancelledOrForced() {
        UUID id = requestMigration(24);
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 1, null, new MigrationOutcome(2, 5 * GIB, 20, 5000, null, "simulated")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));

        given().post("/migrations/" + id + "/cancel").then().statusCode(409)
                .body("type", equalTo("https://ferry.dev/problems/migration-finished"));
        given().post("/migrations/" + id + "/force-complete").then().statusCode(409);
        given().post("/migrations/" + UUID.randomUUID() + "/cancel").then().statusCode(404);
    }

    @Test
    void forceCompleteIsSentToTheWorker() {
        UUID id = requestMigration(25);
        given().post("/migrations/" + id + "/force-complete").then().statusCode(202)
                .body("forceCompleteRequestedAt", org.hamcrest.Matchers.notNullValue());
        assertThat(commandsSent(id, 2)).containsExactly(CommandType.START, CommandType.FORCE_COMPLETE);
    }

    @Test
    void theStreamShowsEachChangeAndEndsWithTheOutcome() throws Exception {
        UUID id = requestMigration(26);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "migrations/" + id + "/stream"))
                .header("Accept", "text/event-stream").build();
        CompletableFuture<List<String>> lines = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(r -> {
                    List<String> data = new ArrayList<>();
                    try (var reader = new BufferedReader(new InputStreamReader(r.body()))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            if (line.startsWith("data:")) {
                                data.add(line.substring(5));
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return data;
                });
        Thread.sleep(1200);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB / 4), null));
        Thread.sleep(1200);
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 2, null, new MigrationOutcome(2, 5 * GIB, 20, 5000, null, "simulated")));

        List<String> data = lines.get(30, TimeUnit.SECONDS); // the stream ends by itself after the outcome
        assertThat(data.get(0)).contains("\"phase\":\"SCHEDULED\"");
        assertThat(data).anySatisfy(d -> assertThat(d).contains("\"phase\":\"RUNNING\"").contains("\"currentRound\":1"));
        assertThat(data.get(data.size() - 1)).contains("\"phase\":\"SUCCEEDED\"");
    }

    @Test
    void aCancelThatComesTooLateForAPostCopyIsShownAsSuchBesideThePhase() {
        UUID id = requestMigration(27);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(migration(id).getString("phase")));
        given().post("/migrations/" + id + "/cancel").then().statusCode(202).body("abortStatus", equalTo("REQUESTED"))
                .body("mode", equalTo("PRE_COPY"));

        // the worker had already switched to post-copy: the VM runs on the destination and cannot come back
        var pull = new dev.ferry.events.DirtyPageRound(2, 1000, 4096000, 0, 0, 1.25e9, 30, 0, 0, 15, 0, "COMPLETE",
                "post-copy pull", true, MigrationMode.POST_COPY);
        publish(event(id, EventType.ROUND_COMPLETED, 2, pull, null));
        publish(event(id, EventType.MIGRATION_SUCCEEDED, 3, null,
                new MigrationOutcome(2, 5 * GIB, 15, 6000, null, "simulated", MigrationMode.POST_COPY, AbortStatus.FAILED)));

        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(migration(id).getString("phase")));
        var m = migration(id);
        assertThat(m.getString("mode")).isEqualTo("POST_COPY");
        assertThat(m.getString("abortStatus")).isEqualTo("FAILED");
        assertThat(m.getList("rounds.mode", String.class)).containsExactly("PRE_COPY", "POST_COPY");
        assertThat(m.getList("history.reason", String.class)).last().asString().contains("post-copy").contains("the cancel came too late");
        var trail = given().get("/migrations/" + id + "/events").then().extract().jsonPath();
        assertThat(trail.getList("type", String.class)).containsSubsequence("CANCEL", "MIGRATION_SUCCEEDED");
        assertThat(trail.getString("find { it.type == 'MIGRATION_SUCCEEDED' }.record.outcome.abortStatus")).isEqualTo("FAILED");
    }

    @Test
    void aConfirmedCancelSucceeds() {
        UUID id = requestMigration(28);
        MigrationLifecycleTest.claim(id, "worker-test", 1).statusCode(200);
        given().post("/migrations/" + id + "/cancel").then().statusCode(202);
        publish(event(id, EventType.MIGRATION_CANCELLED, 1, null, new MigrationOutcome(0, 0, 0, 0,
                "cancelled by the operator during round 1", "simulated", MigrationMode.PRE_COPY, AbortStatus.SUCCEEDED)));

        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(id).getString("phase")));
        assertThat(migration(id).getString("abortStatus")).isEqualTo("SUCCEEDED");
        // the worker's confirmation ended it, not the scheduler's cancel timeout
        assertThat(migration(id).getString("failureReason")).isEqualTo("cancelled by the operator during round 1");
    }
}
