package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

class MigrationLogContextTest {
    static final UUID ONE = UUID.fromString("1a2b3c4d-0000-0000-0000-000000000001");
    static final UUID TWO = UUID.fromString("5e6f7a8b-0000-0000-0000-000000000002");

    @Test
    void aLineWrittenInsideCarriesTheMigrationAndNothingIsLeftBehindAfterwards() {
        try (MigrationLogContext ignored = MigrationLogContext.of(ONE, 2, 7, "web-1")) {
            assertThat(MDC.get("migrationId")).isEqualTo(ONE.toString());
            assertThat(MDC.get("attempt")).isEqualTo(2);
            assertThat(MDC.get("vmId")).isEqualTo(7L);
            assertThat(MDC.get("migrationTag")).isEqualTo("[1a2b3c4d #2 web-1] ");
        }
        assertThat(MDC.getMap()).doesNotContainKeys("migrationId", "attempt", "vmId", "migrationTag");
    }

    @Test
    void anotherMigrationHandledMeanwhileGivesTheFirstBackWhenItIsDone() {
        try (MigrationLogContext outer = MigrationLogContext.of(ONE, 1, 7, "web-1")) {
            try (MigrationLogContext inner = MigrationLogContext.of(TWO, 3, 9, null)) {
                assertThat(MDC.get("migrationTag")).isEqualTo("[5e6f7a8b #3 vm 9] ");
            }
            assertThat(MDC.get("migrationId")).isEqualTo(ONE.toString());
            assertThat(MDC.get("migrationTag")).isEqualTo("[1a2b3c4d #1 web-1] ");
        }
    }
}
