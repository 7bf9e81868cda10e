package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.plan.PlacementRanking;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementRankingTest {
    static final long GIB = 1L << 30;
    static final DirtyModel DIRTY = new DirtyModel(50_000, 40_000, "test");

    @Test
    void aFasterLinkBeatsMoreFreeMemory() {
        var slow = new Option(1, "slow", 1.25e8, 60 * GIB, 0);
        var fast = new Option(2, "fast", 1.25e9, 20 * GIB, 0);

        var ranked = PlacementRanking.rank(List.of(slow, fast), 8 * GIB, 300, DIRTY, "ferry");

        assertThat(ranked.get(0).option().hostName()).isEqualTo("fast");
        assertThat(PlacementRanking.reason(ranked)).startsWith("lowest predicted cost of 2 compatible host(s): fast");
    }

    @Test
    void migrationsAlreadyHeadingToAHostMakeItCostlier() {
        var busy = new Option(1, "busy", 1.25e9, 60 * GIB, 2);
        var idle = new Option(2, "idle", 1.25e9, 20 * GIB, 0);

        assertThat(PlacementRanking.rank(List.of(busy, idle), 8 * GIB, 300, DIRTY, "ferry").get(0).option().hostName()).isEqualTo("idle");
    }

    @Test
    void underTheRequestsLimitsAHostWhereItConvergesBeatsACheaperOneWhereItWouldGiveUp() {
        // a 1 GiB working set rewritten at 1.3x a 1 GbE link, and no throttling allowed: over 1 GbE the policy gives up
        var hot = new DirtyModel(GIB / 4096, 1.3 * 1.25e8 / 4096, "learned");
        var near = new Option(1, "near", 1.25e8, 60 * GIB, 0);
        // 10 GbE but so busy that its stretched cost is far higher
        var busy = new Option(2, "busy", 1.25e9, 20 * GIB, 40);
        var noThrottle = MigrationLimits.defaults(300).withMaxThrottle(0);

        var ranked = PlacementRanking.rank(List.of(near, busy), 8 * GIB, noThrottle, hot, "ferry");

        assertThat(ranked.get(0).option().hostName()).isEqualTo("busy");
        assertThat(ranked.get(0).costSeconds()).as("not won on cost").isGreaterThan(ranked.get(1).costSeconds());
        assertThat(ranked.get(0).forecast().converges()).isTrue();
        assertThat(ranked.get(1).forecast().converges()).isFalse();
        // with throttling allowed both converge, and cost decides
        assertThat(PlacementRanking.rank(List.of(near, busy), 8 * GIB, MigrationLimits.defaults(300), hot, "ferry").get(0)
                .option().hostName()).isEqualTo("near");
    }

    @Test
    void betweenEqualCostsTheHostKeepingMoreMemoryFreeWins() {
        var tight = new Option(1, "tight", 1.25e9, 4 * GIB, 0);
        var roomy = new Option(2, "roomy", 1.25e9, 40 * GIB, 0);

        assertThat(PlacementRanking.rank(List.of(tight, roomy), 8 * GIB, 300, DIRTY, "ferry").get(0).option().hostName()).isEqualTo("roomy");
    }
}
