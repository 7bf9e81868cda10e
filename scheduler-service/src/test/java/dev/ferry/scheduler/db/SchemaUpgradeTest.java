package dev.ferry.scheduler.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A database made by Ferry before the messaging module (scripts up to V4; V1 made the outbox itself) upgrades in
 * place with the scripts of today, as the service's Flyway settings run them, and keeps its unpublished records.
 */
class SchemaUpgradeTest {

    /** With a target: the service's own scripts up to it, as the release before had them; else all of today's. */
    static Flyway flyway(String url, String target) {
        var config = Flyway.configure().dataSource(url, "postgres", "postgres").outOfOrder(true);
        return target == null ? config.locations("classpath:db/migration", "classpath:db/messaging").load()
                : config.locations("classpath:db/migration").target(target).load();
    }

    @Test
    void aDatabaseOfTheReleaseBeforeUpgradesInPlaceAndKeepsItsUnpublishedRecords() throws Exception {
        String url = TestDatabase.jdbcUrl("scheduler_upgrade");
        flyway(url, "4").migrate(); // what the release before this module had
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO outbox_message (topic, record_key, payload, created_at) VALUES ('migration-commands', 'm-1', '{}', now())");
        }

        var result = flyway(url, null).migrate();

        assertThat(result.success).isTrue();
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            try (ResultSet rs = s.executeQuery("SELECT outbox_write('migration-commands', 'm-1', '{}')")) {
                assertThat(rs.next()).isTrue();
            }
            s.execute("COMMIT");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM outbox_message WHERE published_at IS NULL")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the record written before the upgrade, and one after").isEqualTo(2);
            }
        }
        assertThat(flyway(url, null).validateWithResult().validationSuccessful).isTrue();
    }
}
