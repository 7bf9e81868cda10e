package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testsupport.TestBroker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two scheduler replicas on one database; the one that dispatches is killed with kill -9 while it starts a burst of
 * migrations. The other takes the dispatcher's lease, the outbox and the watchdog over: nothing is lost, nothing is
 * started twice (one granted claim per attempt, one hold per migration), every VM ends where its outcome says.
 */
class ReplicasIT {
    static Platform platform;
    static Platform.Service first;
    static Platform.Service second;
    static Fleet fleet;

    @BeforeAll
    static void start() {
        platform = Platform.start("replicas", Map.of(
                "FERRY_SIMULATION_TIME_SCALE", "0.05",
                "FERRY_WORKER_HEARTBEAT_INTERVAL", "PT1S",
                "FERRY_SCHEDULER_WORKER_HEARTBEAT", "PT1S",
                "FERRY_SCHEDULER_DISPATCHER_LEASE", "PT6S",
                // a fail-over stalls the consumers for a while: no progress timeout may ask a worker to stop meanwhile
                "FERRY_SCHEDULER_PROGRESS_TIMEOUT", "PT60S",
                "FERRY_SCHEDULER_MAX_CONCURRENT_MIGRATIONS", "12"));
        first = platform.scheduler;
        second = platform.addScheduler();
        second.awaitReady(Duration.ofSeconds(120));
        // workers reach every replica (as through a Kubernetes Service): the first worker knew only the first one
        Platform.Service onlyFirst = platform.worker;
        platform.addWorker(first, second).awaitReady(Duration.ofSeconds(120));
        platform.addWorker(second, first).awaitReady(Duration.ofSeconds(120));
        platform.kill(onlyFirst);
        fleet = new Fleet(platform, TestBroker.bootstrapServers(), "replicas", 4);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void theDispatchingReplicaKilledMidBurstLosesNothingAndStartsNothingTwice() {
        Map<String, long[]> moves = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            long source = fleet.hosts.get(i % 2);
            long target = fleet.hosts.get(2 + i % 2);
            long vm = fleet.vm("burst-" + i, source, 4 * Fleet.GIB);
            moves.put(fleet.migrate(vm, target, 2), new long[] {vm, source, target});
        }
        // the first replica started first and holds the dispatcher's lease: kill it while it works through the burst
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> moves.keySet().stream().anyMatch(id -> !"QUEUED".equals(fleet.phase(id))));
        platform.kill(first);
        Fleet survivor = fleet.on(second);

        for (String id : moves.keySet()) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> survivor.ended(id));
        }
        Map<String, List<dev.ferry.events.MigrationEvent>> outcomes = survivor.finalDecisions(moves.keySet());
        for (Map.Entry<String, long[]> e : moves.entrySet()) {
            String id = e.getKey();
            assertThat(survivor.phase(id)).as("migration %s: %s", id, survivor.migration(id).getString("failureReason"))
                    .isEqualTo("SUCCEEDED");
            survivor.agree(id, e.getValue()[0], e.getValue()[1], e.getValue()[2]);
            assertThat(outcomes.get(id)).as("final decisions about %s", id).hasSize(1);
            // one worker per attempt: exactly one granted claim for each attempt that was claimed
            List<Map<String, Object>> trail = given().baseUri(second.url()).queryParam("limit", 5000)
                    .get("/migrations/" + id + "/events").jsonPath().getList("$");
            Map<Object, Long> grants = trail.stream().filter(a -> "CLAIM".equals(a.get("type"))
                            && String.valueOf(a.get("note")).startsWith("granted"))
                    .collect(java.util.stream.Collectors.groupingBy(a -> a.get("attempt"), java.util.stream.Collectors.counting()));
            assertThat(grants.values()).as("grants per attempt of %s", id).allMatch(n -> n == 1);
            assertThat(given().baseUri(fleet.inventory).queryParam("migrationId", id).get("/reservations").jsonPath().getList("$"))
                    .as("holds of %s", id).hasSize(1);
        }
    }
}
