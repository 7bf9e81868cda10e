package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationEvent;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(ClaimDesk.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-commands-dlq,host-probes,host-reports,host-probes-dlq")})
class MigrationRunnerTest {
    static final long GIB = 1L << 30;

    @jakarta.inject.Inject
    WorkerConfig config;

    static MigrationCommand command(UUID id, CommandType type) {
        return new MigrationCommand(UUID.randomUUID().toString(), type, id, 1, 7, "web-1", 1, 2, 9, 4 * GIB,
                1_250_000_000L, 300, Instant.now(), null, false, null, null, null, null, null, null, null);
    }

    static void send(String key, Object command) {
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS, key, EventCodec.toJson(command));
    }

    static List<MigrationEvent> eventsUntilOutcome(UUID id) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                        seen -> seen.stream().anyMatch(r -> EventCodec.event(r.value()).type().isOutcome()), Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.event(r.value())).toList();
    }

    @Test
    void runsTheMigrationAndPublishesOneEventPerRoundInOrder() {
        UUID id = UUID.randomUUID();
        send(id.toString(), command(id, CommandType.START));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        assertThat(events.get(0).type()).isEqualTo(EventType.MIGRATION_STARTED);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        assertThat(events).extracting(MigrationEvent::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
        List<MigrationEvent> rounds = events.stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();
        assertThat(rounds).extracting(e -> e.round().round())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, rounds.size()).boxed().toList());
        assertThat(rounds.get(0).round().pagesSent()).isEqualTo(4 * GIB / 4096); // zero pages are announced, not sent
        assertThat(rounds).allSatisfy(e -> assertThat(e.round().reason()).endsWith("[simulated]"));
        assertThat(rounds.subList(0, rounds.size() - 2)).allSatisfy(e -> assertThat(e.round().decision()).isEqualTo("CONTINUE"));
        assertThat(rounds.get(rounds.size() - 2).round().decision()).isEqualTo("STOP_AND_COPY");
        assertThat(rounds.get(rounds.size() - 1).round().stopAndCopy()).isTrue();
        var outcome = events.get(events.size() - 1).outcome();
        assertThat(outcome.driver()).isEqualTo("simulated");
        assertThat(outcome.rounds()).isEqualTo(rounds.size());
        assertThat(outcome.totalBytesSent()).isEqualTo(rounds.stream().mapToLong(e -> e.round().bytesSent()).sum());
        assertThat(events).allSatisfy(e -> assertThat(e.targetHostId()).isEqualTo(2));
    }

    @Test
    void aStartThatAsksForAMeasurementReportsTheGuestsWritingBeforeRoundOne() {
        UUID id = UUID.randomUUID();
        MigrationCommand plain = command(id, CommandType.START);
        send(id.toString(), new MigrationCommand(plain.commandId(), plain.type(), id, 1, plain.vmId(), plain.vmName(), 1, 2, 9,
                plain.memoryBytes(), plain.linkBandwidthBytesPerSecond(), 300, Instant.now(), null, false, null, null, null,
                null, null, null, null, true));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        assertThat(events).extracting(MigrationEvent::type).filteredOn(t -> t != EventType.HEARTBEAT)
                .startsWith(EventType.MIGRATION_STARTED, EventType.DIRTY_RATE_MEASURED, EventType.ROUND_COMPLETED);
        assertThat(events).extracting(MigrationEvent::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
        var measured = events.stream().filter(e -> e.type() == EventType.DIRTY_RATE_MEASURED).findFirst().orElseThrow().measurement();
        assertThat(measured.method()).isEqualTo("simulated sample");
        assertThat(measured.windows()).extracting(w -> w.millis()).containsExactly(250L, 1_000L);
        // the guest writes: some pages in a quarter second, and no fewer in a whole one
        assertThat(measured.windows().get(0).pages()).isPositive();
        assertThat(measured.windows().get(1).pages()).isGreaterThanOrEqualTo(measured.windows().get(0).pages());
        // and its zero pages, sampled: the share its workload gives the simulated guest, within the sample's error
        double zeroShare = MigrationPlan.workload(config.simulatedWorkload(), plain.vmId()).zeroShare();
        assertThat(measured.zeroShare()).isCloseTo(zeroShare, org.assertj.core.data.Offset.offset(0.07));
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
    }

    @Test
    void aRepeatedStartIsIgnoredAndAStartTheSchedulerRefusesNeverRuns() {
        UUID repeated = UUID.randomUUID();
        MigrationCommand start = command(repeated, CommandType.START);
        send(repeated.toString(), start);
        send(repeated.toString(), start);
        UUID ended = UUID.randomUUID(); // decided long ago: its START replayed from offset 0
        ClaimDesk.end(ended);
        send(ended.toString(), command(ended, CommandType.START));
        // Same key, so the same partition: once this one finishes, the commands before it were handled.
        UUID marker = UUID.randomUUID();
        send(ended.toString(), command(marker, CommandType.START));

        List<MigrationEvent> first = eventsUntilOutcome(repeated);
        KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> marker.toString().equals(r.key()),
                seen -> seen.stream().anyMatch(r -> EventCodec.event(r.value()).type().isOutcome()), Duration.ofSeconds(30));

        assertThat(first.stream().filter(e -> e.type() == EventType.MIGRATION_STARTED)).hasSize(1);
        assertThat(ClaimDesk.claims(ended)).isEqualTo(1);
        assertThat(KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                r -> ended.toString().equals(r.key()), seen -> false, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aWorkerThatLosesItsClaimStopsAndReportsNothingMore() throws InterruptedException {
        UUID id = UUID.randomUUID();
        send(id.toString(), slowStart(id));
        KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                seen -> seen.stream().anyMatch(r -> r.value().contains("MIGRATION_STARTED")), Duration.ofSeconds(20));

        ClaimDesk.end(id); // the scheduler took it away (it ended, or another worker holds the next attempt)
        int claimsThen = ClaimDesk.claims(id);
        Thread.sleep(300); // a few renewals: the first refused one fences the worker
        List<MigrationEvent> atFence = all(id);
        Thread.sleep(1_500); // long enough for the slow round 1 (0.43 s) and more to have been reported

        assertThat(ClaimDesk.claims(id)).isGreaterThan(claimsThen);
        assertThat(all(id)).hasSameSizeAs(atFence);
        assertThat(all(id)).noneMatch(e -> e.type().isOutcome());
        assertThat(ClaimDesk.claims(id) - claimsThen).isLessThanOrEqualTo(2); // it stopped asking too
    }

    @Test
    void aStartWaitsForTheSchedulerToAnswerItsClaimAndThenRuns() throws InterruptedException {
        UUID id = UUID.randomUUID();
        ClaimDesk.AWAY.set(true);
        try {
            send(id.toString(), command(id, CommandType.START));
            Thread.sleep(1_000);
            assertThat(all(id)).isEmpty();
        } finally {
            ClaimDesk.AWAY.set(false);
        }
        List<MigrationEvent> events = eventsUntilOutcome(id);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
    }

    static List<MigrationEvent> all(UUID id) {
        return KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                seen -> false, Duration.ofMillis(500)).stream().map(r -> EventCodec.event(r.value())).toList();
    }

    /** 4 GiB over 10 MB/s: round 1 alone takes 430 s simulated, 0.43 s at the tests' time scale. */
    static MigrationCommand slowStart(UUID id) {
        return new MigrationCommand(UUID.randomUUID().toString(), CommandType.START, id, 1, 8, "slow-1", 1, 2, 9, 4 * GIB,
                10_000_000L, 300, Instant.now(), null, false, null, null, null, null, null, null, null);
    }

    @Test
    void cancelStopsARunningMigrationMidRoundAndTheVmStaysOnTheSource() {
        UUID id = UUID.randomUUID();
        send(id.toString(), slowStart(id));
        send(id.toString(), command(id, CommandType.CANCEL));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        MigrationEvent outcome = events.get(events.size() - 1);
        assertThat(outcome.type()).isEqualTo(EventType.MIGRATION_CANCELLED);
        assertThat(outcome.outcome().failureReason()).contains("keeps running on the source");
        assertThat(events).noneMatch(e -> e.type() == EventType.MIGRATION_SUCCEEDED);
        assertThat(events).noneMatch(e -> e.type() == EventType.ROUND_COMPLETED && e.round().stopAndCopy());
    }

    @Test
    void forceCompleteEndsTheLiveRoundsWithAStopAndCopy() {
        UUID id = UUID.randomUUID();
        send(id.toString(), slowStart(id));
        send(id.toString(), command(id, CommandType.FORCE_COMPLETE));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        List<MigrationEvent> rounds = events.stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();
        assertThat(rounds).hasSize(2);
        assertThat(rounds.get(1).round().stopAndCopy()).isTrue();
        assertThat(rounds.get(1).round().reason()).contains("forced by the operator");
    }

    @Test
    void theSchedulersShareOfTheLinksCapsTheRoundsAndANewShareAppliesFromTheNextRound() {
        UUID id = UUID.randomUUID();
        MigrationCommand start = slowStart(id);
        send(id.toString(), new MigrationCommand(start.commandId(), start.type(), id, 1, start.vmId(), start.vmName(), 1, 2, 9,
                start.memoryBytes(), start.linkBandwidthBytesPerSecond(), 300, Instant.now(), null, false, null, null, null, null,
                null, null, 5_000_000L));
        KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                seen -> seen.stream().anyMatch(r -> r.value().contains("ROUND_COMPLETED")), Duration.ofSeconds(20));
        // a second migration started on the same source: the scheduler halves this one's share
        MigrationCommand limit = command(id, CommandType.LIMIT_BANDWIDTH);
        send(id.toString(), new MigrationCommand(limit.commandId(), limit.type(), id, 1, 8, "slow-1", 1, 2, 9, 0, 0, 0,
                Instant.now(), null, false, null, null, null, null, null, null, 2_500_000L));
        // a live round at the new share, then the operator ends it
        var atShare = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS, r -> id.toString().equals(r.key()),
                seen -> seen.stream().map(r -> EventCodec.event(r.value())).anyMatch(e -> e.type() == EventType.ROUND_COMPLETED
                        && e.round().bandwidthBytesPerSecond() == 2_500_000.0), Duration.ofSeconds(30));
        assertThat(atShare).as("a round at the new share within 30 s").extracting(r -> EventCodec.event(r.value()))
                .anyMatch(e -> e.type() == EventType.ROUND_COMPLETED && e.round().bandwidthBytesPerSecond() == 2_500_000.0);
        send(id.toString(), command(id, CommandType.FORCE_COMPLETE));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        List<MigrationEvent> rounds = events.stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();
        assertThat(rounds.get(0).round().bandwidthBytesPerSecond()).isEqualTo(5_000_000.0);
        assertThat(rounds.stream().filter(e -> !e.round().stopAndCopy()).map(e -> e.round().bandwidthBytesPerSecond()))
                .containsOnly(5_000_000.0, 2_500_000.0).endsWith(2_500_000.0);
        // the paused final copy goes at the link's own 10 MB/s: the hypervisor lifts its rate limit while the guest is
        // paused, and the share is such a limit
        MigrationEvent last = rounds.get(rounds.size() - 1);
        assertThat(last.round().stopAndCopy()).isTrue();
        assertThat(last.round().bandwidthBytesPerSecond()).isEqualTo(10_000_000.0);
    }

    @Test
    void aLongRoundSendsHeartbeatsInSequenceAndNothingFollowsTheOutcome() throws InterruptedException {
        UUID id = UUID.randomUUID();
        send(id.toString(), slowStart(id));
        List<MigrationEvent> beforeCancel = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                        r -> id.toString().equals(r.key()),
                        seen -> seen.stream().filter(r -> r.value().contains("HEARTBEAT")).count() >= 2, Duration.ofSeconds(20))
                .stream().map(r -> EventCodec.event(r.value())).toList();
        send(id.toString(), command(id, CommandType.CANCEL));
        List<MigrationEvent> events = eventsUntilOutcome(id);
        Thread.sleep(500); // several heartbeat intervals: none may come after the outcome

        assertThat(beforeCancel.stream().filter(e -> e.type() == EventType.HEARTBEAT)).hasSizeGreaterThanOrEqualTo(2);
        List<MigrationEvent> all = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                r -> id.toString().equals(r.key()), seen -> false, Duration.ofSeconds(1)).stream().map(r -> EventCodec.event(r.value())).toList();
        assertThat(all).extracting(MigrationEvent::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, all.size()).boxed().toList());
        assertThat(all.get(all.size() - 1).type()).isEqualTo(EventType.MIGRATION_CANCELLED);
        assertThat(all).hasSameSizeAs(events);
    }

    @Test
    void samplesAVmsDirtyRateBeforeAMigrationAndRefusesNonsense() {
        io.restassured.RestAssured.given().queryParam("vmId", 7).queryParam("memoryBytes", GIB).queryParam("seconds", 0.5)
                .get("/simulation/dirty-rate").then().statusCode(200)
                .body("driver", org.hamcrest.Matchers.equalTo("simulated"))
                .body("workload", org.hamcrest.Matchers.equalTo("zero-pages"))
                .body("dirtyPagesPerSecond", org.hamcrest.Matchers.greaterThan(1000f));
        io.restassured.RestAssured.given().queryParam("vmId", 7).queryParam("memoryBytes", 12)
                .get("/simulation/dirty-rate").then().statusCode(400)
                .contentType("application/problem+json").body("field", org.hamcrest.Matchers.equalTo("memoryBytes"));
        io.restassured.RestAssured.given().queryParam("vmId", 7).queryParam("memoryBytes", GIB).queryParam("seconds", 100)
                .get("/simulation/dirty-rate").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("seconds"));
        io.restassured.RestAssured.given().queryParam("memoryBytes", GIB)
                .get("/simulation/dirty-rate").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("vmId"));
        // found by the fuzz test: an absurd link made the simulated guest dirty for minutes
        io.restassured.RestAssured.given().queryParam("vmId", 7).queryParam("memoryBytes", GIB)
                .queryParam("linkBandwidthBytesPerSecond", Long.MAX_VALUE).get("/simulation/dirty-rate").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("linkBandwidthBytesPerSecond"));
        long started = System.nanoTime();
        io.restassured.RestAssured.given().queryParam("vmId", 7).queryParam("memoryBytes", 256 * GIB).queryParam("seconds", 10)
                .queryParam("linkBandwidthBytesPerSecond", 50_000_000_000L).get("/simulation/dirty-rate").then().statusCode(200);
        org.assertj.core.api.Assertions.assertThat((System.nanoTime() - started) / 1e9).as("the largest sample allowed, seconds")
                .isLessThan(20);
    }

    @Test
    void aStartWhoseDeadlineHasPassedFailsWithoutSendingAnything() {
        UUID id = UUID.randomUUID();
        var late = new MigrationCommand(UUID.randomUUID().toString(), CommandType.START, id, 1, 9, "late-1", 1, 2, 9, 4 * GIB,
                1_250_000_000L, 300, Instant.now(), null, false, Instant.now().minusSeconds(1), null, null, null, null, null, null);
        send(id.toString(), late);

        List<MigrationEvent> events = eventsUntilOutcome(id);

        assertThat(events).extracting(MigrationEvent::type).containsExactly(EventType.MIGRATION_FAILED);
        assertThat(events.get(0).outcome().failureReason()).contains("had passed").contains("nothing was sent");
        assertThat(events.get(0).outcome().totalBytesSent()).isZero();
    }

    @Test
    void aBadCommandGoesToTheDeadLetterTopic() {
        String garbage = "{\"commandId\": \"x\", \"type\": \"START\"}";
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS, "bad-" + UUID.randomUUID(), garbage);

        var dead = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_COMMANDS_DLQ,
                r -> r.value().equals(garbage),
                seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
    }

    @Test
    void thePolicyTheRequestChoseSteersInsteadOfTheWorkersDefault() {
        UUID id = UUID.randomUUID();
        send(id.toString(), new MigrationCommand(UUID.randomUUID().toString(), CommandType.START, id, 1, 6, "app-1", 1, 2, 9,
                GIB, 1_250_000_000L, 300, Instant.now(), null, false, null, null, null, null, null, "qemu-default", null));

        List<MigrationEvent> rounds = eventsUntilOutcome(id).stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();

        assertThat(rounds).isNotEmpty().allSatisfy(e ->
                assertThat(e.round().reason()).as("QEMU's own rule, not Ferry's").contains("bandwidth x downtime-limit"));
    }

    @Test
    void aSwitchToPostCopyIsReportedAsTheModeOfTheLastRoundAndOfTheOutcome() {
        UUID id = UUID.randomUUID();
        // a downtime target below the switch-over itself cannot be met by pre-copy; throttling is forbidden, post-copy allowed
        send(id.toString(), new MigrationCommand(UUID.randomUUID().toString(), CommandType.START, id, 1, 5, "db-1", 1, 2, 9,
                4 * GIB, 1_250_000_000L, 5, Instant.now(), 0, true, null, null, null, null, null, null, null));

        List<MigrationEvent> events = eventsUntilOutcome(id);

        MigrationEvent outcome = events.get(events.size() - 1);
        assertThat(outcome.type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        assertThat(outcome.outcome().mode()).isEqualTo(dev.ferry.events.MigrationMode.POST_COPY);
        assertThat(outcome.outcome().abortStatus()).isEqualTo(dev.ferry.events.AbortStatus.NONE);
        List<MigrationEvent> rounds = events.stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();
        assertThat(rounds.get(rounds.size() - 1).round().mode()).isEqualTo(dev.ferry.events.MigrationMode.POST_COPY);
        assertThat(rounds.subList(0, rounds.size() - 1)).allSatisfy(e ->
                assertThat(e.round().mode()).isEqualTo(dev.ferry.events.MigrationMode.PRE_COPY));
        assertThat(rounds.get(rounds.size() - 2).round().decision()).isEqualTo("POST_COPY");
    }
}
