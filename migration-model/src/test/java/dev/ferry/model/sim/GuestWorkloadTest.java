package dev.ferry.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GuestWorkloadTest {
    static final int PAGES = 100_000;

    static long writes(GuestWorkload w, double seconds, int slices) {
        long[] n = {0};
        var random = new SplittableRandom(1);
        for (int i = 0; i < slices; i++) {
            w.write(seconds / slices, PAGES, random, p -> n[0]++);
        }
        return n[0];
    }

    static BitSet distinct(GuestWorkload w, double seconds) {
        BitSet pages = new BitSet();
        w.write(seconds, PAGES, new SplittableRandom(2), pages::set);
        return pages;
    }

    @Test
    void slicingTimeFinelyLosesNoWrites() {
        assertThat(writes(GuestWorkload.uniform(0.5, 1000), 1, 1)).isEqualTo(1000);
        assertThat(writes(GuestWorkload.uniform(0.5, 1000), 1, 10_000)).isEqualTo(1000); // 0.1 write per slice
    }

    @Test
    void aUniformWriterSaturatesAtItsRegion() {
        assertThat(distinct(GuestWorkload.uniform(0.1, 100_000), 10).cardinality()).isEqualTo(10_000);
        assertThat(distinct(GuestWorkload.uniform(0.1, 100_000), 10).nextSetBit(10_000)).isEqualTo(-1);
    }

    @Test
    void aSequentialRewriterDirtiesDistinctPagesUntilItWraps() {
        assertThat(distinct(GuestWorkload.sequential(0.5, 10_000), 2).cardinality()).isEqualTo(20_000);
        assertThat(distinct(GuestWorkload.sequential(0.5, 10_000), 20).cardinality()).isEqualTo(50_000);
    }

    @Test
    void aHotSetTakesNineOutOfTenWrites() {
        long[] hot = {0};
        long[] all = {0};
        GuestWorkload.hotSet(0.01, 0.2, 100_000).write(1, PAGES, new SplittableRandom(3), p -> {
            all[0]++;
            if (p < 1000) {
                hot[0]++;
            }
        });
        assertThat(hot[0] / (double) all[0]).isBetween(0.88, 0.92);
    }

    @Test
    void oltpAppendsItsLogAndSkewsItsUpdates() {
        long[] low = {0};
        long[] all = {0};
        GuestWorkload.oltp(0.01, 0.4, 60_000).write(1, PAGES, new SplittableRandom(4), p -> {
            all[0]++;
            if (p >= 1000 && p < 1000 + 4000) { // the first tenth of the pool
                low[0]++;
            }
        });
        // (1/10)^(1/4) = 56 % of pool updates land in its first tenth; pool updates are 2/3 of writes
        assertThat(low[0] / (double) all[0]).isBetween(0.33, 0.42);
    }

    @Test
    void phasesAlternateBetweenQuietAndBusy() {
        var w = GuestWorkload.phases(GuestWorkload.idle(), GuestWorkload.uniform(1.0, 1000), 2.0, 0);
        long[] n = {0};
        var random = new SplittableRandom(5);
        w.write(2, PAGES, random, p -> n[0]++);
        assertThat(n[0]).isZero(); // quiet first
        w.write(2, PAGES, random, p -> n[0]++);
        assertThat(n[0]).isEqualTo(2000); // then busy
    }

    @Test
    void calcDirtyRateSamplesWithoutLosingTheBitmap() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.sequential(0.5, 10_000), 6);
        guest.runGuest(0.1, 0); // 1000 pages dirty before sampling

        double rate = guest.sampleDirtyRate(1.0);

        assertThat(rate).isEqualTo(10_000);
        assertThat(guest.syncDirtyBitmap().cardinality()).isEqualTo(11_000);
    }

    @Test
    void everyNamedWorkloadBuildsAndWrites() {
        for (var spec : WorkloadSuite.all()) {
            long n = writes(spec.create(10_000, 1), 5, 50);
            assertThat(n).as(spec.name()).isGreaterThanOrEqualTo(spec.name().equals("idle") ? 0 : 1);
        }
    }
}
