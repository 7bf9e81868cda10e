package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.ferry.testsupport.TestBroker;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test of CI (its name does not end in IT): {@code ./ferry bench-evacuation-eta [runs]}. Each run
 * empties a 10 GbE host of 12 VMs of 1 to 8 GiB (drawn with the run's seed) into four 1 GbE hosts, on the simulator in
 * real time (time scale 1, so that the scheduler's clock and the simulated migrations' agree), and keeps what the
 * evacuation said: the plan's makespan, its concurrency and the one it ended with, and, once done, the ETA's error a
 * quarter, half and three quarters of the way through beside the plan's own. The simulator's guests (oltp, hot-set,
 * zero-pages, phases, uniform-0.5, by VM id) write memory as the planner's model of a VM never migrated does not
 * assume, so the plan is off and the ETA has something to follow. Writes docs/benchmarks/evacuation-eta.md.
 */
class EvacuationEtaBench {
    static final long GIB = 1L << 30;

    @Test
    void evacuations() throws Exception {
        int runs = Integer.getInteger("ferry.bench.runs", 3);
        Path out = Path.of(System.getProperty("ferry.bench.out", "target/evacuation-eta.md")).toAbsolutePath();
        List<String> rows = new ArrayList<>();
        try (Platform platform = Platform.start("etabench", Map.of("FERRY_SIMULATION_TIME_SCALE", "1.0",
                "FERRY_SCHEDULER_MAX_CONCURRENT_MIGRATIONS", "20", "FERRY_WORKER_MAX_CONCURRENT_MIGRATIONS", "8"))) {
            for (int run = 1; run <= runs; run++) {
                rows.add(run(platform, run));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        String doc = """
                # An evacuation's ETA as it follows its migrations

                Command: `./ferry bench-evacuation-eta %d` (e2e-tests `EvacuationEtaBench`). Machine: %s, %d cores.
                Each run empties a 10 GbE host of 12 VMs of 1 to 8 GiB (seeded) into four 1 GbE hosts, through the real
                scheduler, inventory, Kafka and PostgreSQL, with simulated migrations in real time. The simulator's guests
                write memory unlike the model the planner assumes for a VM never migrated, so its plan is off by design; the
                point is how far the ETA, following what the migrations measure, is off a quarter, half and three quarters of
                the way through (`etaError` in `GET /evacuations/{id}`), beside the plan's own makespan. An error is (what
                the ETA said - the real end) / the real makespan: positive promised too late.

                | run (seed) | GiB | plan's makespan | real makespan | plan's error | ETA error at 25 %% | at 50 %% | at 75 %% | at once: planned -> last |
                |---|---|---|---|---|---|---|---|---|
                %s
                """.formatted(runs, System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), String.join("\n", rows));
        Files.createDirectories(out.getParent());
        Files.writeString(out, doc);
        System.out.println("written to " + out);
    }

    private static String run(Platform platform, int seed) {
        Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "eta" + seed, 5, 1_250_000_000L);
        Random random = new Random(seed);
        long total = 0;
        for (int i = 0; i < 12; i++) {
            long memory = (1 + random.nextInt(8)) * GIB;
            total += memory;
            fleet.vm("eta" + seed + "-vm" + i, fleet.hosts.get(0), memory);
        }
        JsonPath plan = given().baseUri(platform.scheduler.url()).post("/hosts/" + fleet.hosts.get(0) + "/evacuate")
                .then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(2)).until(() ->
                given().baseUri(platform.scheduler.url()).get("/evacuations/" + id).jsonPath().get("etaError") != null);
        JsonPath done = given().baseUri(platform.scheduler.url()).get("/evacuations/" + id).jsonPath();
        long real = Duration.between(java.time.Instant.parse(done.getString("createdAt")),
                java.time.Instant.parse(done.getString("finishedAt"))).toMillis();
        return String.format(Locale.ROOT, "| %d | %d | %.0f s | %.0f s | %+.0f %% | %s | %s | %s | %d -> %d |", seed, total / GIB,
                plan.getLong("predictedMakespanMillis") / 1000.0, real / 1000.0, 100 * done.getDouble("etaError.planAlone"),
                percent(done, "at25"), percent(done, "at50"), percent(done, "at75"), plan.getInt("concurrency"), done.getInt("concurrency"));
    }

    private static String percent(JsonPath done, String at) {
        Object v = done.get("etaError." + at);
        return v == null ? "-" : String.format(Locale.ROOT, "%+.0f %%", 100 * ((Number) v).doubleValue());
    }
}
