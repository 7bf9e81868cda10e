package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.scheduler.plan.MoveTimeline;
import dev.ferry.scheduler.plan.MoveTimeline.Host;
import dev.ferry.scheduler.plan.MoveTimeline.Move;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MoveTimelineTest {
    static final long GIB = 1L << 30;
    static final double TEN_GBE = 1.25e9;
    static final DirtyModel IDLE = new DirtyModel(1, 0, "idle");
    static final MigrationLimits LIMITS = MigrationLimits.defaults(300);

    /** One idle 4 GiB VM over a whole 10 GbE link, alone. */
    static long alone() {
        return Forecaster.forecast(4 * GIB, TEN_GBE, LIMITS, IDLE, "ferry").totalTimeMillis();
    }

    static Map<Long, Host> hosts(int maxOutbound, int maxInbound) {
        return Map.of(1L, new Host(TEN_GBE, maxOutbound, maxInbound), 2L, new Host(TEN_GBE, maxOutbound, maxInbound),
                3L, new Host(TEN_GBE, maxOutbound, maxInbound), 4L, new Host(TEN_GBE, maxOutbound, maxInbound));
    }

    @Test
    void twoMovesOutOfOneHostShareItsLinkAndEndTogetherAtTwiceTheTimeOfOne() {
        var r = MoveTimeline.play(List.of(new Move(1, 1, 2, 4 * GIB, IDLE), new Move(2, 1, 3, 4 * GIB, IDLE)), hosts(2, 2), 5,
                LIMITS, "ferry");

        // each at half the source's link: both end at about twice one alone (the switch-over is not shared)
        assertThat(r.makespanMillis()).isBetween(2 * alone() - 200, 2 * alone() + 50);
        assertThat(r.endMillis().get(1L)).isEqualTo(r.endMillis().get(2L));
        assertThat(r.meanShareBytesPerSecond().get(1L)).isCloseTo(TEN_GBE / 2, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void aMoveThatSharesItsLinkOnlyAtFirstHadOnAverageAShareBetweenHalfAndAll() {
        var r = MoveTimeline.play(List.of(new Move(1, 1, 2, 4 * GIB, IDLE), new Move(2, 1, 3, GIB, IDLE)), hosts(2, 2), 5,
                LIMITS, "ferry");

        // the small move ends first, at half the link all along; the big one then has the whole link to itself
        assertThat(r.endMillis().get(2L)).isLessThan(r.endMillis().get(1L));
        assertThat(r.meanShareBytesPerSecond().get(2L)).isCloseTo(TEN_GBE / 2, org.assertj.core.data.Offset.offset(1.0));
        assertThat(r.meanShareBytesPerSecond().get(1L)).isStrictlyBetween(TEN_GBE / 2 * 1.1, TEN_GBE * 0.9);
    }

    @Test
    void movesBetweenDifferentHostsRunSideBySideAtTheirWholeLinks() {
        var r = MoveTimeline.play(List.of(new Move(1, 1, 2, 4 * GIB, IDLE), new Move(2, 3, 4, 4 * GIB, IDLE)), hosts(2, 2), 5,
                LIMITS, "ferry");

        assertThat(r.makespanMillis()).isEqualTo(alone());
    }

    @Test
    void aHostsOutboundLimitAndTheSlotsMakeMovesWaitTheirTurnInOrder() {
        List<Move> two = List.of(new Move(1, 1, 2, 4 * GIB, IDLE), new Move(2, 1, 3, 4 * GIB, IDLE));

        for (var r : List.of(MoveTimeline.play(two, hosts(1, 2), 5, LIMITS, "ferry"),
                MoveTimeline.play(two, hosts(2, 2), 1, LIMITS, "ferry"))) {
            assertThat(r.endMillis().get(1L)).isEqualTo(alone());
            assertThat(r.makespanMillis()).isEqualTo(2 * alone());
        }
        // a move whose hosts are busy lets the next one go: 3 -> 4 does not wait behind 1 -> 3
        var r = MoveTimeline.play(List.of(new Move(1, 1, 2, 4 * GIB, IDLE), new Move(2, 1, 3, 4 * GIB, IDLE),
                new Move(3, 3, 4, 4 * GIB, IDLE)), hosts(1, 1), 5, LIMITS, "ferry");
        assertThat(r.endMillis().get(3L)).isEqualTo(alone());
        assertThat(r.makespanMillis()).isEqualTo(2 * alone());
        // each ran alone on its links: its whole link throughout
        assertThat(r.meanShareBytesPerSecond()).containsOnlyKeys(1L, 2L, 3L).allSatisfy((vm, share) -> assertThat(share).isEqualTo(TEN_GBE));
    }

    @Test
    void aWritingGuestCostsMoreWhenItSharesTheLink() {
        DirtyModel writing = new DirtyModel(4 * GIB / 4096 / 8, 200e6 / 4096, "measured");
        long one = Forecaster.forecast(4 * GIB, TEN_GBE, LIMITS, writing, "ferry").totalTimeMillis();

        var r = MoveTimeline.play(List.of(new Move(1, 1, 2, 4 * GIB, writing), new Move(2, 1, 3, 4 * GIB, writing)),
                hosts(2, 2), 5, LIMITS, "ferry");

        // at half the link each round is longer and more is written again meanwhile: more than two in a row
        assertThat(r.makespanMillis()).isGreaterThan(2 * one);
    }

    @Test
    void aMoveBetweenHostsItWasNotToldOfIsRefused() {
        assertThatThrownBy(() -> MoveTimeline.play(List.of(new Move(1, 1, 9, 4 * GIB, IDLE)), hosts(1, 1), 5, LIMITS, "ferry"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VM 1").hasMessageContaining("9");
    }
}
