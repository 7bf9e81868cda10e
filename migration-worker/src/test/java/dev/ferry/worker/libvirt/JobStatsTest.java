package dev.ferry.worker.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.RoundRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** libvirt's job statistics, two readings apart, make one round record. */
class JobStatsTest {
    static final long MIB = 1 << 20;

    @Test
    void twoReadingsMakeTheRoundBetweenThem() {
        JobStats before = new JobStats(Map.of("memory_iteration", 1.0, "memory_processed", 10.0 * MIB, "memory_constant", 100.0,
                "memory_normal", 2000.0));
        JobStats after = new JobStats(Map.of("memory_iteration", 2.0, "memory_processed", 74.0 * MIB, "memory_constant", 300.0,
                "memory_normal", 18000.0, "memory_remaining", 8.0 * MIB, "memory_page_size", 4096.0, "downtime", 250.0,
                "memory_dirty_rate", 5000.0, "auto_converge_throttle", 20.0));

        RoundRecord r = JobStats.round(1, before, after, 2.0, 32.0 * MIB, new RoundRecord.Sample(0.25, 3000));

        assertThat(r.round()).isEqualTo(1);
        assertThat(r.kind()).isEqualTo(RoundRecord.Kind.LIVE);
        assertThat(r.bytesSent()).isEqualTo(64 * MIB);
        assertThat(r.bandwidthBytesPerSecond()).isEqualTo(32.0 * MIB); // 64 MiB in 2 s
        assertThat(r.pagesSent()).isEqualTo(16200); // normal and zero pages sent in the round
        assertThat(r.remainingPages()).isEqualTo(2048);
        assertThat(r.expectedDowntimeMillis()).isEqualTo(250); // libvirt's own expected downtime
        assertThat(r.throttlePercent()).isEqualTo(20);
        // the driver's sampled window, not libvirt's dirty rate, which averages over the whole round
        assertThat(r.earlySample()).isEqualTo(new RoundRecord.Sample(0.25, 3000));
    }

    @Test
    void aShortRoundTakesLibvirtsRateOrTheCapAndWithoutLibvirtsFigureTheDowntimeIsComputed() {
        JobStats before = new JobStats(Map.of("memory_processed", 0.0));
        JobStats after = new JobStats(Map.of("memory_processed", 1.0 * MIB, "memory_remaining", 16.0 * MIB));

        RoundRecord r = JobStats.round(3, before, after, 0.1, 32.0 * MIB, null);

        assertThat(r.bandwidthBytesPerSecond()).isEqualTo(32.0 * MIB);
        assertThat(r.expectedDowntimeMillis()).isEqualTo(500); // 16 MiB at 32 MiB/s
        assertThat(r.earlySample()).isNull();
        assertThat(new JobStats(Map.of()).active()).isFalse();
    }
}
