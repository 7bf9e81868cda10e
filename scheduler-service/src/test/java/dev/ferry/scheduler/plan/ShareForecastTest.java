package dev.ferry.scheduler.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecaster;
import org.junit.jupiter.api.Test;

class ShareForecastTest {
    static final long GIB = 1L << 30;
    static final double TEN_GBE = 1.25e9;
    /** 40,000 pages a second over 50,000 pages: a pause worth forecasting. */
    static final DirtyModel WRITING = new DirtyModel(50_000, 40_000, "measured");

    @Test
    void aMoveAtAShareOfTheLinkCopiesItsRoundsAtTheShareAndPausesAtTheLinksOwnSpeed() {
        var limits = MigrationLimits.defaults(300);
        var atShare = ShareForecast.at(4 * GIB, WRITING, TEN_GBE / 4, TEN_GBE, limits, "qemu-default");
        // QEMU's default stops once the pause at the rounds' rate fits the target: the same rounds over a link only as
        // fast as the share pause at the share
        var shareAsLink = Forecaster.forecast(4 * GIB, TEN_GBE / 4, limits, WRITING, "qemu-default");

        assertThat(atShare.converges()).isTrue();
        assertThat(atShare.rounds()).isEqualTo(shareAsLink.rounds());
        assertThat(shareAsLink.downtimeMillis()).isGreaterThan(100);
        // the pause a quarter as long, less the switch-over no bandwidth shortens (within rounding)
        long copy = shareAsLink.downtimeMillis() - 15;
        assertThat(atShare.downtimeMillis() - 15).isBetween(copy / 4 - 2, copy / 4 + 2);
        // and the move ends sooner by what the pause saved, no more (within rounding)
        assertThat(atShare.totalTimeMillis()).isCloseTo(shareAsLink.totalTimeMillis() - (shareAsLink.downtimeMillis()
                - atShare.downtimeMillis()), org.assertj.core.data.Offset.offset(2L));
    }

    @Test
    void anEvacuationsMoveIntoASlowerDestinationPausesAtThatDestinationsLink() {
        var links = new EvacuationTimeline.Links(TEN_GBE, java.util.Map.of(2L, TEN_GBE / 10, 3L, TEN_GBE),
                java.util.Map.of(2L, 4, 3L, 4));
        // 10,000 pages a second: below the share, so that QEMU's default converges on either path
        var vm = new EvacuationPlanner.VmToMove(1, "db-1", 4 * GIB, new DirtyModel(50_000, 10_000, "measured"), java.util.List.of(), null);
        var limits = MigrationLimits.defaults(300);
        double share = TEN_GBE / 20; // the same share on either path

        var intoSlow = EvacuationTimeline.forecast(vm, share, links.path(2), limits, "qemu-default");
        var intoFast = EvacuationTimeline.forecast(vm, share, links.path(3), limits, "qemu-default");

        assertThat(links.path(2)).isEqualTo(TEN_GBE / 10);
        assertThat(intoSlow.rounds()).isEqualTo(intoFast.rounds());
        // the same bytes paused over 1 GbE take ten times what they take over 10 GbE (the switch-over aside)
        assertThat((double) (intoSlow.downtimeMillis() - 15)).isCloseTo(10.0 * (intoFast.downtimeMillis() - 15),
                org.assertj.core.data.Offset.offset(20.0));
        assertThat(intoSlow.downtimeMillis()).isGreaterThan(100);
    }

    @Test
    void aRequestsOwnCapBelowTheShareStillHolds() {
        var capped = MigrationLimits.defaults(300).withBandwidthCap((long) (TEN_GBE / 10));

        assertThat(capped.heldTo(TEN_GBE / 4).maxBandwidthBytesPerSecond()).isEqualTo((long) (TEN_GBE / 10));
        assertThat(MigrationLimits.defaults(300).heldTo(TEN_GBE / 4).maxBandwidthBytesPerSecond()).isEqualTo((long) (TEN_GBE / 4));
    }
}
