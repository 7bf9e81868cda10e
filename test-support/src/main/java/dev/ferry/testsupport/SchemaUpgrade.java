package dev.ferry.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * A service's database as the release before the messaging module left it (its own scripts up to
 * {@code lastVersionBefore}, one record waiting in its outbox), then upgraded in place with today's scripts, as the
 * service's Flyway settings run them (its scripts and the messaging module's, out of order).
 */
public final class SchemaUpgrade {

    /** What the upgrade did: whether it ran, whether the history still validates, and the outbox afterwards. */
    public record Result(boolean migrated, boolean validates, long unpublishedAfterOneMoreWrite) {
    }

    private SchemaUpgrade() {
    }

    public static Result run(String database, String lastVersionBefore, String topic) throws SQLException {
        String url = TestDatabase.jdbcUrl(database);
        flyway(url, lastVersionBefore).migrate();
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO outbox_message (topic, record_key, payload, created_at) VALUES ('" + topic + "', 'k', '{}', now())");
        }
        boolean migrated = flyway(url, null).migrate().success;
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeQuery("SELECT outbox_write('" + topic + "', 'k', '{}')").close();
            c.commit();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM outbox_message WHERE published_at IS NULL")) {
                rs.next();
                return new Result(migrated, flyway(url, null).validateWithResult().validationSuccessful, rs.getLong(1));
            }
        }
    }

    /** With a target: the service's own scripts up to it, as the release before had them; else all of today's. */
    private static Flyway flyway(String url, String target) {
        var config = Flyway.configure().dataSource(url, "postgres", "postgres").outOfOrder(true);
        return target == null ? config.locations("classpath:db/migration", "classpath:db/messaging").load()
                : config.locations("classpath:db/migration").target(target).load();
    }
}
