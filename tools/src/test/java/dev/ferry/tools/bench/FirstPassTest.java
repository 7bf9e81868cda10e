package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstPassTest {
    static final long MIB = 1 << 20;

    static MigrationResult move(double totalSeconds, RoundRecord... live) {
        return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, List.of(live), null, 12, (long) (totalSeconds * 1000), 0, "");
    }

    static RoundRecord round(int n, long bytes, double seconds, long zeroPages) {
        return new RoundRecord(n, RoundRecord.Kind.LIVE, 0, bytes, zeroPages, 0, 0, seconds, 0, 0, 0, 0, 0, null, null);
    }

    @Test
    void anIdleGuestSentFasterThanItsCapStillTakesAtLeastItsFirstPass() {
        // the idle 256 MiB guest of the suite: 40,536 pages of data and 25,000 zero pages in 1.45 s, QEMU 9 % over its cap
        var idle = move(1.52, round(1, 166_300_000, 1.45, 25_000), round(2, 4_000_000, 0.05, 0));

        double bound = FirstPass.seconds(idle, 256, 100);

        // over the cap alone (1.59 s of data and headers at 100 MiB/s) the 1.52 s move would have beaten it
        assertThat(bound).isLessThanOrEqualTo(1.52).isGreaterThan(1.4);
    }

    @Test
    void aMoveSlowerThanItsCapIsBoundByTheCapAndZeroPagesCountAsHeaders() {
        var slow = move(10, round(1, 100 * MIB, 5, 65_536 - 25_600), round(2, 20 * MIB, 5, 0));

        // 100 MiB of data and 156 MiB of zero pages as 8-byte headers over 100 MiB/s
        assertThat(FirstPass.seconds(slow, 256, 100)).isCloseTo((100 * MIB + 39_936 * 8.0) / (100 * MIB), org.assertj.core.data.Offset.offset(1e-9));
    }
}
