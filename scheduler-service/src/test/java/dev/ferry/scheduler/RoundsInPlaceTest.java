package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.event;
import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static dev.ferry.scheduler.MigrationLifecycleTest.publish;
import static dev.ferry.scheduler.MigrationLifecycleTest.requestMigration;
import static dev.ferry.scheduler.MigrationLifecycleTest.round;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventType;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestDatabase;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A round rewrites its migration's row thousands of times a second across a fleet; PostgreSQL does that in place,
 * without touching any index, only while no indexed column changes (V22). This reads which columns a real round after
 * the first changed (the first also moves the migration to RUNNING) and the table's indexes as PostgreSQL holds them,
 * so an index added on one of those columns fails here rather than in the ingest benchmark.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class RoundsInPlaceTest {
    static final long GIB = 1L << 30;

    @Test
    void aRoundChangesNoColumnThatAnIndexOfTheMigrationTableReads() throws Exception {
        UUID id = requestMigration(93);
        publish(event(id, EventType.ROUND_COMPLETED, 1, round(1, 4 * GIB, GIB), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getInt("currentRound") == 1);
        try (Connection db = TestDatabase.connect("scheduler_test")) {
            Map<String, Object> before = row(db, id);
            publish(event(id, EventType.ROUND_COMPLETED, 2, round(2, GIB, GIB / 4), null));
            await().atMost(Duration.ofSeconds(10)).until(() -> migration(id).getInt("currentRound") == 2);
            Map<String, Object> after = row(db, id);

            Set<String> changed = new TreeSet<>();
            before.forEach((column, value) -> {
                if (!Objects.equals(value, after.get(column))) {
                    changed.add(column);
                }
            });
            assertThat(after.get("phase")).as("still running: a phase change is no round's").isEqualTo("RUNNING");
            // what makes the row worth rewriting: the round's progress, and the clock the watchdog counts from
            assertThat(changed).contains("current_round", "bytes_sent", "remaining_bytes", "updated_at");

            List<String> indexes = indexes(db);
            assertThat(indexes).as("the table's indexes").isNotEmpty();
            for (String column : changed) {
                Pattern named = Pattern.compile("\\b" + column + "\\b");
                assertThat(indexes).as("indexes that read %s, which every round changes", column)
                        .noneMatch(definition -> named.matcher(definition).find());
            }
        }
    }

    private static Map<String, Object> row(Connection db, UUID id) throws SQLException {
        try (var q = db.prepareStatement("SELECT * FROM migration WHERE id = ?")) {
            q.setObject(1, id);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                ResultSetMetaData meta = rs.getMetaData();
                Map<String, Object> columns = new HashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.put(meta.getColumnName(i), rs.getObject(i));
                }
                return columns;
            }
        }
    }

    /** Every index's definition, its columns and expressions and its WHERE clause. */
    private static List<String> indexes(Connection db) throws SQLException {
        List<String> definitions = new ArrayList<>();
        try (var q = db.prepareStatement("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'migration'::regclass");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                definitions.add(rs.getString(1));
            }
        }
        return definitions;
    }
}
