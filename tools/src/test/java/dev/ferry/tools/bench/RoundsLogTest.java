package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.Decision;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundsLogTest {
    private static RoundRecord live(int number, double seconds, long bytes, long zero, long pages, long left, int throttle, Decision d) {
        return new RoundRecord(number, RoundRecord.Kind.LIVE, pages, bytes, zero, 0, left, seconds, 1e8, left, left * 4096, 0,
                throttle, null, d);
    }

    @Test
    void whatTheSuiteWritesIsReadBackMoveByMoveAndRoundByRound() {
        var first = new MigrationResult(MigrationResult.Outcome.SUCCEEDED, List.of(
                live(1, 1.5, 156202326, 25048, 63054, 14096, 0, Decision.proceed(0, "pending 57737216 bytes > bandwidth x downtime-limit")),
                live(2, 0.3, 28799580, 184, 7201, 6616, 45, Decision.stop("QEMU's rule: pending bytes fit bandwidth x downtime-limit"))),
                null, 17, 2012, 185001906, "fits");
        var second = new MigrationResult(MigrationResult.Outcome.CANCELLED, List.of(
                live(1, 1.5, 150000000, 25000, 62000, 30000, 0, Decision.proceed(20, "above the target"))), null, 0, 31000,
                150000000, "cancelled");

        String log = RoundsLog.move("uniform, 50 MiB/s over 100 MiB/s", "qemu-default", 1, first, 2.012, "")
                + RoundsLog.move("seq, 200 MiB/s over 100 MiB/s", "ferry", 3, second, 31.0, " NOT VERIFIED: differs");

        var moves = RoundsLog.parse(log);
        assertThat(moves).hasSize(2);
        assertThat(moves.get(0).guest()).isEqualTo("uniform, 50 MiB/s over 100 MiB/s");
        assertThat(moves.get(0).policy()).isEqualTo("qemu-default");
        assertThat(moves.get(0).outcome()).isEqualTo("SUCCEEDED");
        assertThat(moves.get(0).totalSeconds()).isEqualTo(2.0);
        assertThat(moves.get(0).downtimeMillis()).isEqualTo(17);
        assertThat(moves.get(0).rounds()).containsExactly(
                new RoundsLog.Round(1, 1.5, 156202326, 25048, 63054, 14096, 0, "CONTINUE", "pending 57737216 bytes > bandwidth x downtime-limit"),
                new RoundsLog.Round(2, 0.3, 28799580, 184, 7201, 6616, 45, "STOP_AND_COPY",
                        "QEMU's rule: pending bytes fit bandwidth x downtime-limit"));
        assertThat(moves.get(0).rounds().get(1).endedByQemusRule()).isTrue();
        assertThat(moves.get(1).repeat()).isEqualTo(3);
        assertThat(moves.get(1).outcome()).isEqualTo("CANCELLED");
        assertThat(moves.get(1).rounds()).singleElement().extracting(RoundsLog.Round::action).isEqualTo("CONTINUE");
    }
}
