package dev.ferry.scheduler;

import static dev.ferry.scheduler.HistoryRetentionTest.succeeded;
import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventType;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What an on-call engineer's dashboard and alerts read, on the management port: the numbers follow what happened. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class MetricsTest {
    static final long GIB = 1L << 30;
    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsUrl;

    @Test
    void aSuccessCountsItsDecisionRoundsDowntimeTotalTimeAndBytes() {
        // The counters are the whole service's: a migration another test left under way can be decided meanwhile (its
        // claim lapses, and its bytes count then). A window in which anything else was decided proves nothing about this
        // one, so it is tried again with another VM; each try still asserts every counter.
        for (long vm : new long[] {65, 67, 68}) {
            double all = decisions();
            double decided = metric("ferry_migrations_decided_total{outcome=\"SUCCEEDED\"");
            double rounds = metric("ferry_migration_rounds_total");
            double downtimes = metric("ferry_migration_downtime_seconds_count");
            double underOneSecond = metric("ferry_migration_downtime_seconds_bucket{le=\"1.0\"");
            double totals = metric("ferry_migration_total_time_seconds_count");
            double bytes = metric("ferry_migration_bytes_sent_total");

            succeeded(vm); // one round, 40 ms pause, 5 s in all, 4 GiB + 256 MiB sent

            await().atMost(Duration.ofSeconds(10)).until(() -> metric("ferry_migrations_decided_total{outcome=\"SUCCEEDED\"") >= decided + 1);
            double bytesNow = metric("ferry_migration_bytes_sent_total");
            if (decisions() != all + 1) {
                continue; // something else was decided in the window
            }
            assertThat(metric("ferry_migrations_decided_total{outcome=\"SUCCEEDED\"")).isEqualTo(decided + 1);
            assertThat(metric("ferry_migration_rounds_total")).isEqualTo(rounds + 1);
            assertThat(metric("ferry_migration_downtime_seconds_count")).isEqualTo(downtimes + 1);
            assertThat(metric("ferry_migration_downtime_seconds_bucket{le=\"1.0\"")).isEqualTo(underOneSecond + 1);
            assertThat(metric("ferry_migration_total_time_seconds_count")).isEqualTo(totals + 1);
            assertThat(bytesNow - bytes).isEqualTo((double) ((4L << 30) + (1L << 26)));
            return;
        }
        throw new AssertionError("every window saw other migrations decided as well: nothing could be attributed");
    }

    /** Every decision the scheduler counted, whatever its outcome. */
    private double decisions() {
        return java.util.stream.Stream.of("SUCCEEDED", "FAILED", "CANCELLED", "OUTCOME_UNKNOWN")
                .mapToDouble(o -> metric("ferry_migrations_decided_total{outcome=\"" + o + "\"")).sum();
    }

    @Test
    void aRoundReportedAfterTheMigrationEndedIsRecordedButNotCounted() {
        UUID id = succeeded(66);
        double rounds = metric("ferry_migration_rounds_total");
        publish(event(id, EventType.ROUND_COMPLETED, 4, round(2, GIB, 0), null)); // late: the migration has ended

        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/migrations/" + id + "/events").jsonPath()
                .getList("type", String.class).stream().filter("ROUND_COMPLETED"::equals).count() == 2);
        assertThat(metric("ferry_migration_rounds_total")).isEqualTo(rounds);
    }

    @Test
    void migrationsUnderWayAreCountedByPhaseFromTheTable() {
        // both move while other migrations time out of the queue: they agree once a count has caught up
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("ferry_migrations{phase=\"QUEUED\"") == inPhase("QUEUED")
                && metric("ferry_migrations{phase=\"RUNNING\"") == inPhase("RUNNING"));
        assertThat(metric("ferry_migration_quietest_under_way_seconds")).isGreaterThanOrEqualTo(0);
        // consumer lag, for the worker autoscaler's sibling alert: the Kafka clients' own metrics
        assertThat(given().get(metricsUrl).then().statusCode(200).extract().asString()).contains("kafka_consumer_fetch_manager_records_lag");
    }

    static long inPhase(String phase) throws java.sql.SQLException {
        return dev.ferry.testsupport.TestDatabase.number("scheduler_test", "SELECT count(*) FROM migration WHERE phase = ?", phase);
    }

    /** The value of the first series starting with {@code prefix} (name and the labels up to some point), 0 if none. */
    double metric(String prefix) {
        String all = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return dev.ferry.testsupport.PrometheusText.value(all, prefix).orElse(0.0);
    }
}
