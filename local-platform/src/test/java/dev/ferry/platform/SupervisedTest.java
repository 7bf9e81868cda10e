package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, finding and stopping the platform's processes by pid, as ./ferry does. */
class SupervisedTest {

    @TempDir
    Path dir;

    @Test
    void aDetachedProcessIsFoundAgainByItsPidFileAndStoppedByThatPid() {
        Supervised sleeper = Supervised.start("sleeper", List.of("sleep", "300"), Map.of(), dir.resolve("sleeper.log"), true, "sleep 300");
        sleeper.writePid(dir.resolve("sleeper.pid"));

        var found = Supervised.find("sleeper", dir.resolve("sleeper.pid"), dir.resolve("sleeper.log"), "sleep 300");
        assertThat(found).hasValueSatisfying(p -> assertThat(p.pid()).isEqualTo(sleeper.pid()));
        assertThat(found.get().stop(Duration.ofSeconds(5))).isFalse(); // stopped by SIGTERM, not killed
        assertThat(sleeper.alive()).isFalse();
        assertThat(Supervised.find("sleeper", dir.resolve("sleeper.pid"), dir.resolve("sleeper.log"), "sleep 300")).isEmpty();
    }

    @Test
    void aJvmWritingItsClassDataAtExitIsWaitedForNotKilledAtTheUsualTimeout() {
        // stands for a JVM that takes 3 s to exit after SIGTERM, as Java 25 does while it assembles its AOT cache
        Supervised writing = Supervised.start("writing", List.of("sh", "-c", "trap 'sleep 3; exit 0' TERM; sleep 300 & wait", "service",
                "-XX:AOTCacheOutput=" + dir.resolve("ferry-classes.aot.x.part")), Map.of(), dir.resolve("writing.log"), false, "service");
        Supervised plain = Supervised.start("plain", List.of("sh", "-c", "trap 'sleep 3; exit 0' TERM; sleep 300 & wait", "service"),
                Map.of(), dir.resolve("plain.log"), false, "service");
        sleep(500); // the traps set

        assertThat(writing.writesClassDataAtExit()).isTrue();
        assertThat(plain.writesClassDataAtExit()).isFalse();
        assertThat(writing.stop(Duration.ofSeconds(1))).as("killed").isFalse();
        assertThat(plain.stop(Duration.ofSeconds(1))).as("killed").isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aPidFileNamingSomeoneElsesProcessIsNeverTakenForOurs() throws IOException {
        // this JVM's pid, as if the system had given a stopped service's pid to another process
        Files.writeString(dir.resolve("worker.pid"), Long.toString(ProcessHandle.current().pid()));

        assertThat(Supervised.find("worker", dir.resolve("worker.pid"), dir.resolve("worker.log"), "migration-worker/target/quarkus-app")).isEmpty();
    }

    @Test
    void aProcessThatDiesDuringStartUpFailsAtOnceWithItsLog() {
        Supervised failing = Supervised.start("failing", List.of("sh", "-c", "echo cannot bind port 9092; exit 3"), Map.of(),
                dir.resolve("failing.log"), false, "exit 3");

        assertThatThrownBy(() -> failing.awaitReady(() -> false, Duration.ofSeconds(30)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("failing exited during start-up")
                .hasMessageContaining("cannot bind port 9092");
    }

    @Test
    void aTakenPortIsRefusedNamingTheVariableThatMovesOurs() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> Ports.requireFree("Kafka", taken.getLocalPort(), "FERRY_KAFKA_PORT"))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " for Kafka is already in use")
                    .hasMessageContaining("FERRY_KAFKA_PORT=<port>");
        }
    }

    @Test
    void postgresqlsPidFileNamesThePostmasterItselfSoThatStoppingItStopsTheServer() {
        int port = Ports.free();
        Supervised pg = PostgresServer.start(dir.resolve("data/postgres"), port, dir.resolve("postgres.log"), Duration.ofSeconds(60));
        try {
            PostgresServer.createDatabases(port);
            assertThat(Ports.open(port)).isTrue();
            // before ./ferry wrote a pid file (a start cut short), the server is still found by its own
            assertThat(PostgresServer.running(dir.resolve("data/postgres"), pg.log())).map(Supervised::pid).contains(pg.pid());
            pg.writePid(dir.resolve("postgres.pid"));
            var found = Supervised.find("postgres", dir.resolve("postgres.pid"), pg.log(), dir.resolve("data/postgres").toString());
            assertThat(found).isPresent();

            boolean killed = found.get().stop(Supervised.Signal.INT, Duration.ofSeconds(30));

            assertThat(killed).as("a fast shutdown (SIGINT) needs no SIGKILL").isFalse();
            assertThat(Ports.open(port)).isFalse();
            assertThat(dir.resolve("data/postgres/postmaster.pid")).doesNotExist();
            assertThat(PostgresServer.running(dir.resolve("data/postgres"), pg.log())).isEmpty();
        } finally {
            pg.kill();
        }
    }
}
