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
    void aRequestsOwnCapBelowTheShareStillHolds() {
        var capped = MigrationLimits.defaults(300).withBandwidthCap((long) (TEN_GBE / 10));

        assertThat(ShareForecast.cappedAt(capped, TEN_GBE / 4).maxBandwidthBytesPerSecond()).isEqualTo((long) (TEN_GBE / 10));
        assertThat(ShareForecast.cappedAt(MigrationLimits.defaults(300), TEN_GBE / 4).maxBandwidthBytesPerSecond())
                .isEqualTo((long) (TEN_GBE / 4));
    }
}
