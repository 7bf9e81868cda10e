package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.Topics;
import dev.ferry.platform.KafkaNode;
import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.PostgresServer;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.Trees;
import dev.ferry.testsupport.KafkaProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Outages of what Ferry stands on, with Kafka and PostgreSQL as processes of their own (./ferry's, from
 * local-platform) so that a test can stop them and start them again on the same data and ports: the broker away for
 * 20 s, the database for 30 s, each during 20 concurrent migrations. The services are not restarted; afterwards every
 * migration has ended where its hypervisor outcome says, inventory agrees, no hold is left, nothing was dead-lettered.
 */
class OutagesIT {
    static final long GIB = Fleet.GIB;
    static final List<String> DEAD_LETTERS = List.of(Topics.MIGRATION_EVENTS_DLQ, Topics.MIGRATION_COMMANDS_DLQ,
            Topics.INVENTORY_EVENTS_DLQ);
    static Layout layout;
    static Path pgData;
    static Supervised postgres;
    static Supervised kafka;
    static Platform platform;
    static Fleet fleet;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
        Path state = root.resolve("e2e-tests/target/outages");
        Trees.delete(state);
        layout = new Layout(root, state, Map.of("FERRY_KAFKA_PORT", Integer.toString(Ports.free()),
                "FERRY_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.free()), "FERRY_DB_PORT", Integer.toString(Ports.free())));
        pgData = layout.data().resolve("postgres");
        postgres = PostgresServer.start(pgData, layout.dbPort(), layout.log("postgres"), Duration.ofSeconds(60));
        PostgresServer.createDatabases(layout.dbPort());
        kafka = startKafka();
        bootstrap = "127.0.0.1:" + layout.kafkaPort();
        KafkaProbe.createTopics(bootstrap, Topics.MIGRATION_COMMANDS, Topics.MIGRATION_EVENTS, Topics.MIGRATION_EVENTS_DLQ,
                Topics.MIGRATION_COMMANDS_DLQ, Topics.INVENTORY_EVENTS, Topics.INVENTORY_EVENTS_DLQ);
        platform = Platform.start("outages", new Platform.Infrastructure(bootstrap, layout.dbPort(), "ferry", "ferry",
                "ferry_inventory", "ferry_scheduler"), Map.of(
                "FERRY_SIMULATION_TIME_SCALE", "0.05",
                "FERRY_SCHEDULER_MAX_CONCURRENT_MIGRATIONS", "20",
                // no progress timeout may end a migration whose worker merely waits out the outage
                "FERRY_SCHEDULER_PROGRESS_TIMEOUT", "PT2M"));
        platform.addWorker().awaitReady(Duration.ofSeconds(120));
        fleet = new Fleet(platform, bootstrap, "outage", 6);
    }

    static Supervised startKafka() {
        Supervised k = KafkaNode.start(layout, false);
        k.awaitReady(() -> Ports.open(layout.kafkaPort()), Duration.ofSeconds(90));
        return k;
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        if (kafka != null) {
            kafka.stop(Duration.ofSeconds(20));
        }
        if (postgres != null) {
            postgres.stop(Supervised.Signal.INT, Duration.ofSeconds(20));
        }
    }

    /** 20 migrations of 4 GiB VMs from three hosts to the other three: each takes a few seconds. */
    Map<String, long[]> twentyMigrations(String name) {
        Map<String, long[]> moves = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            long source = fleet.hosts.get(i % 3);
            long target = fleet.hosts.get(3 + i % 3);
            long vm = fleet.vm(name + "-" + i, source, 4 * GIB);
            moves.put(fleet.migrate(vm, target, 1), new long[] {vm, source, target});
        }
        return moves;
    }

    int deadLetters() {
        return DEAD_LETTERS.stream().mapToInt(t -> KafkaProbe.readToEnd(bootstrap, t, r -> true).size()).sum();
    }

    /** Every migration ended, each where its outcome says, one decision each; returns the phases for the log. */
    Map<String, Integer> settled(Map<String, long[]> moves, String what) {
        for (String id : moves.keySet()) {
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> fleet.ended(id));
        }
        Map<String, Integer> phases = new java.util.TreeMap<>();
        int retried = 0;
        Map<String, List<dev.ferry.events.MigrationEvent>> decisions = fleet.finalDecisions(moves.keySet());
        for (Map.Entry<String, long[]> e : moves.entrySet()) {
            var m = fleet.migration(e.getKey());
            phases.merge(m.getString("phase"), 1, Integer::sum);
            retried += m.getInt("attempt") > 1 ? 1 : 0;
            fleet.agree(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]);
            assertThat(decisions.get(e.getKey())).as("decisions of %s", e.getKey()).hasSize(1);
        }
        System.out.println("OutagesIT " + what + ": " + phases + ", " + retried + " retried as a new attempt");
        return phases;
    }

    @Test
    void theBrokerAwayFor20sDuringTwentyMigrationsIsWaitedOut() throws Exception {
        int deadBefore = deadLetters();
        Map<String, long[]> moves = twentyMigrations("kafka");
        Thread.sleep(2_000);

        Instant stopped = Instant.now();
        kafka.stop(Duration.ofSeconds(20));
        Thread.sleep(Math.max(0, 20_000 - Duration.between(stopped, Instant.now()).toMillis()));
        kafka = startKafka();
        System.out.println("OutagesIT: Kafka away for " + Duration.between(stopped, Instant.now()).toMillis() + " ms");

        Map<String, Integer> phases = settled(moves, "Kafka stopped 20 s");
        // workers wait the broker out (ferry.worker.publish-patience, 2 min) while their claims, renewed over HTTP, hold
        assertThat(phases).containsExactly(Map.entry("SUCCEEDED", 20));
        assertThat(deadLetters()).isEqualTo(deadBefore);
        assertThat(platform.services).allSatisfy(s -> assertThat(s.process().alive()).isTrue());
    }

    @Test
    void theDatabaseAwayFor30sDuringTwentyMigrationsIsWaitedOutAndNothingIsDeadLettered() throws Exception {
        int deadBefore = deadLetters();
        Map<String, long[]> moves = twentyMigrations("pg");
        Thread.sleep(2_000);

        Instant stopped = Instant.now();
        postgres.stop(Supervised.Signal.INT, Duration.ofSeconds(20));
        Thread.sleep(Math.max(0, 30_000 - Duration.between(stopped, Instant.now()).toMillis()));
        postgres = PostgresServer.restart(pgData, layout.log("postgres"), Duration.ofSeconds(60));
        System.out.println("OutagesIT: PostgreSQL away for " + Duration.between(stopped, Instant.now()).toMillis() + " ms");

        Map<String, Integer> phases = settled(moves, "PostgreSQL stopped 30 s");
        // claims cannot be renewed without the database: workers stop acting within their lease, and what they held is
        // retried as a new attempt once it is back (one retry each by default)
        assertThat(phases.getOrDefault("SUCCEEDED", 0)).isPositive();
        assertThat(phases.keySet()).isSubsetOf("SUCCEEDED", "FAILED");
        assertThat(deadLetters()).isEqualTo(deadBefore);
        assertThat(platform.services).allSatisfy(s -> assertThat(s.process().alive()).isTrue());
    }
}
