package dev.ferry.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.FerryPolicy;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.PreCopyEngine;
import org.junit.jupiter.api.Test;

/** A 64 GiB guest, page by page, in virtual time: the simulator must scale to real VM sizes. */
class LargeGuestTest {

    @Test
    void a64GibGuestMigratesWholeInVirtualTime() {
        int pages = (int) ((64L << 30) / PreCopyEngine.PAGE_SIZE);
        Link link = Link.tenGigabit();
        var spec = WorkloadSuite.named("oltp");
        var guest = new SimulatedGuest(pages, spec.zeroShare(), spec.create(link.bandwidthBytesPerSecond() / PreCopyEngine.PAGE_SIZE, 1), 1);
        long started = System.nanoTime();

        MigrationResult result = new PreCopyEngine(guest, new FerryPolicy(), link, MigrationLimits.defaults(300)).run(Controls.NONE);

        System.out.printf("64 GiB oltp: %d rounds, %.1f s simulated, %d ms downtime, in %.1f s of wall time%n",
                result.roundCount(), result.totalTimeMillis() / 1000.0, result.downtimeMillis(), (System.nanoTime() - started) / 1e9);
        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.totalTimeMillis()).isGreaterThan(50_000); // 64 GiB over 1.25 GB/s is 55 s at best
        assertThat(result.downtimeMillis()).isLessThanOrEqualTo(300);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }
}
