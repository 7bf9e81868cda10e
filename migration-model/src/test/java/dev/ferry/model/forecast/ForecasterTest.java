package dev.ferry.model.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import org.junit.jupiter.api.Test;

class ForecasterTest {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    @Test
    void anIdleVmTakesOneCopyOfItsMemoryAndTheSwitchOverPause() {
        Forecast f = Forecaster.forecast(8 * GIB, 1.25e9, 300, new DirtyModel(1, 0, "idle"), "ferry");

        assertThat(f.rounds()).isEqualTo(2);
        assertThat(f.totalTimeMillis()).isBetween(6_870L, 6_900L); // 8 GiB at 1.25 GB/s = 6.87 s, plus overhead and switch-over
        assertThat(f.downtimeMillis()).isEqualTo(PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(f.bytesSent()).isEqualTo(8 * GIB);
        assertThat(f.converges()).isTrue();
        assertThat(f.policy()).isEqualTo("ferry");
    }

    @Test
    void aFasterLinkIsForecastFaster() {
        var dirty = new DirtyModel(50_000, 40_000, "test");
        assertThat(Forecaster.forecast(8 * GIB, 1.25e9, 300, dirty, "ferry").totalTimeMillis())
                .isLessThan(Forecaster.forecast(8 * GIB, 1.25e8, 300, dirty, "ferry").totalTimeMillis());
    }

    @Test
    void aVmDirtyingFasterThanTheLinkNeverConvergesUnderQemusDefaultsButDoesUnderFerry() {
        long pages = 4 * GIB / 4096;
        var hot = new DirtyModel(pages / 4, 3 * 1.25e8 / 4096, "hot");

        Forecast qemu = Forecaster.forecast(4 * GIB, 1.25e8, 300, hot, "qemu-default");
        Forecast ferry = Forecaster.forecast(4 * GIB, 1.25e8, 300, hot, "ferry");

        assertThat(qemu.converges()).isFalse();
        assertThat(ferry.converges()).isTrue();
        assertThat(ferry.downtimeMillis()).isLessThanOrEqualTo(300);
        // what converging cost the guest: Ferry throttles it; QEMU's default never does
        assertThat(ferry.throttleSeconds()).isPositive();
        assertThat(qemu.throttleSeconds()).isZero();
    }

    @Test
    void throttleSecondsLieBetweenNothingAndTheLongestThrottleHeldThroughout() {
        long pages = 4 * GIB / 4096;
        var hot = new DirtyModel(pages / 4, 3 * 1.25e8 / 4096, "hot");

        Forecast auto = Forecaster.forecast(4 * GIB, 1.25e8, 300, hot, "qemu-auto-converge");

        // auto-converge raises its throttle step by step: it costs the guest something, less than the top step all along
        assertThat(auto.converges()).isTrue();
        assertThat(auto.throttleSeconds()).isPositive()
                .isLessThan(auto.totalTimeMillis() / 1000.0 * MigrationLimits.defaults(300).maxThrottlePercent() / 100.0);
        // an idle guest is never throttled
        assertThat(Forecaster.forecast(4 * GIB, 1.25e8, 300, new DirtyModel(1, 0, "idle"), "qemu-auto-converge").throttleSeconds())
                .isZero();
    }

    @Test
    void theRequestsLimitsDecideWhetherItConverges() {
        long pages = 4 * GIB / 4096;
        var hot = new DirtyModel(pages / 4, 3 * 1.25e8 / 4096, "hot");
        var asked = MigrationLimits.defaults(300);

        Forecast noThrottle = Forecaster.forecast(4 * GIB, 1.25e8, asked.withMaxThrottle(0), hot, "ferry");
        Forecast postCopy = Forecaster.forecast(4 * GIB, 1.25e8, asked.withMaxThrottle(0).withPostCopy(true), hot, "ferry");
        Forecast tooSoon = Forecaster.forecast(4 * GIB, 1.25e8, asked.withDeadline(5), hot, "ferry");

        assertThat(noThrottle.converges()).isFalse();
        assertThat(noThrottle.reason()).contains("ceiling");
        assertThat(postCopy.converges()).isTrue();
        // 4 GiB cannot cross 125 MB/s in 5 s, whatever the policy does
        assertThat(tooSoon.converges()).isFalse();
        assertThat(Forecaster.forecast(4 * GIB, 1.25e8, asked, hot, "ferry"))
                .isEqualTo(Forecaster.forecast(4 * GIB, 1.25e8, 300, hot, "ferry"));
    }

    @Test
    void aBandwidthCapIsScaledWithTheLink() {
        var idle = new DirtyModel(1, 0, "idle");
        // 8 GiB is scaled down 32-fold: a cap of half the link must still halve the speed
        Forecast capped = Forecaster.forecast(8 * GIB, 1.25e9, MigrationLimits.defaults(300).withBandwidthCap(625_000_000L), idle, "ferry");
        assertThat(capped.totalTimeMillis()).isBetween(13_700L, 13_800L);
    }

    @Test
    void aForecastIsTheEngineRunOnTheModelsGuest() {
        // 256 MiB is not scaled: the forecast must be exactly the engine's run of a guest writing uniformly over the set
        var dirty = new DirtyModel(8192, 20_000, "test");
        Forecast f = Forecaster.forecast(256 * MIB, 1.25e8, 100, dirty, "ferry");

        int pages = (int) (256 * MIB / 4096);
        var guest = new SimulatedGuest(pages, 0, GuestWorkload.uniform(8192.0 / pages, 20_000), 1);
        MigrationResult run = new PreCopyEngine(guest, Policies.create("ferry", 256 * MIB), Link.of(1.25e8),
                MigrationLimits.defaults(100)).run(Controls.NONE);

        assertThat(f.rounds()).isEqualTo(run.roundCount());
        assertThat(f.totalTimeMillis()).isEqualTo(run.totalTimeMillis());
        assertThat(f.downtimeMillis()).isEqualTo(run.downtimeMillis());
        assertThat(f.bytesSent()).isEqualTo(run.bytesSent());
    }

    @Test
    void onQemuAFerryForecastStopsWhereQemusOwnRuleSwitchesOverAsQemusDefaultsDo() {
        // a 24 MiB working set at a third of a 100 MiB/s link: Ferry's policy alone goes on to shorten the pause
        var sampled = new DirtyModel(6_000, 8_000, "simulated sample", 0, 0);
        var qemu = new DirtyModel(6_000, 8_000, "calc-dirty-rate", 0, DirtyModel.QEMU_THROTTLE_LAG_SECONDS);
        Forecast alone = Forecaster.forecast(256 * MIB, 1.048e8, 300, sampled, "ferry");
        Forecast onQemu = Forecaster.forecast(256 * MIB, 1.048e8, 300, qemu, "ferry");

        assertThat(alone.reason()).contains("meets the 300 ms target"); // after rounds that cut the pause
        assertThat(onQemu.reason()).startsWith("QEMU's rule: pending");
        assertThat(onQemu.rounds()).isLessThan(alone.rounds());
        assertThat(onQemu.totalTimeMillis()).isLessThan(alone.totalTimeMillis());
        // QEMU's rule fits the pending bytes to the target; the switch-over comes on top
        assertThat(onQemu.downtimeMillis()).isGreaterThan(alone.downtimeMillis())
                .isLessThanOrEqualTo(300 + PreCopyEngine.SWITCHOVER_MILLIS);
        // QEMU's defaults are that rule already: the same time, but for where QEMU's passes end (it syncs once under its
        // threshold, so it counts a round or two more for the same pages)
        Forecast defaults = Forecaster.forecast(256 * MIB, 1.048e8, 300, sampled, "qemu-default");
        Forecast defaultsOnQemu = Forecaster.forecast(256 * MIB, 1.048e8, 300, qemu, "qemu-default");
        assertThat(defaultsOnQemu.totalTimeMillis()).isCloseTo(defaults.totalTimeMillis(), org.assertj.core.data.Offset.offset(50L));
        assertThat(defaultsOnQemu.rounds()).isBetween(defaults.rounds(), defaults.rounds() + 2);
    }

    @Test
    void aForecastOfAMoveQemuRunsIsTheEngineAsQemuRunsIt() {
        var measured = new DirtyModel(8192, 20_000, "calc-dirty-rate", 0.3, DirtyModel.QEMU_THROTTLE_LAG_SECONDS);
        Forecast f = Forecaster.forecast(256 * MIB, 1.25e8, 100, measured, "ferry");

        int pages = (int) (256 * MIB / 4096);
        var guest = new SimulatedGuest(pages, 0.3, GuestWorkload.uniform(8192.0 / pages, 20_000), 1);
        MigrationResult run = QemuRun.engine(guest, Policies.create("ferry", 256 * MIB), Link.of(1.25e8), MigrationLimits.defaults(100),
                DirtyModel.QEMU_THROTTLE_LAG_SECONDS).run(Controls.NONE);
        assertThat(f.rounds()).isEqualTo(run.roundCount());
        assertThat(f.totalTimeMillis()).isEqualTo(run.totalTimeMillis());
        assertThat(f.downtimeMillis()).isEqualTo(run.downtimeMillis());
    }

    @Test
    void qemusDefaultsOnAGuestAtTheLinkRunPastTheEnginesCapToTheDeadline() {
        // QEMU passes a window at a time and has no cap of its own: its worker cancels it at the deadline. A guest
        // writing four times as fast as the link over a set above the threshold takes a window or two a pass.
        var measured = new DirtyModel(12_000, 100_000, "calc-dirty-rate", 0.3, DirtyModel.QEMU_THROTTLE_LAG_SECONDS);
        Forecast f = Forecaster.forecast(256 * MIB, 1.048e8, MigrationLimits.defaults(300).withDeadline(31), measured, "qemu-default");

        assertThat(f.converges()).isFalse();
        assertThat(f.totalTimeMillis()).isEqualTo(31_000);
        assertThat(f.rounds()).isGreaterThan(PreCopyEngine.ROUND_CAP);
        assertThat(f.reason()).isEqualTo("past the 31 s deadline, where its worker cancels it");
    }

    @Test
    void aForecastThatNeverConvergesWithoutADeadlineStillCostsLittle() {
        var measured = new DirtyModel(60_000, 40_000, "calc-dirty-rate", 0.3, DirtyModel.QEMU_THROTTLE_LAG_SECONDS);
        long begun = System.nanoTime();
        Forecast f = Forecaster.forecast(256 * MIB, 1.048e8, 300, measured, "qemu-default");

        assertThat(f.converges()).isFalse();
        // a bound on the work, loose for a loaded CI machine: a forecast is made as a migration starts
        assertThat((System.nanoTime() - begun) / 1e9).isLessThan(2.0);
    }

    @Test
    void scalingTheGuestDownKeepsItsTimes() {
        // four times the memory, working set, write rate and link: the same migration in time, four times the bytes
        Forecast small = Forecaster.forecast(8 * GIB, 1.25e9, 300, new DirtyModel(100_000, 60_000, "x"), "ferry");
        Forecast large = Forecaster.forecast(32 * GIB, 5e9, 300, new DirtyModel(400_000, 240_000, "x"), "ferry");

        assertThat((double) large.totalTimeMillis()).isCloseTo(small.totalTimeMillis(), within(small.totalTimeMillis() * 0.05));
        assertThat((double) large.bytesSent()).isCloseTo(4.0 * small.bytesSent(), within(small.bytesSent() * 0.2));
    }

    @Test
    void theTypicalModelSaysItIsAnAssumption() {
        assertThat(DirtyModel.typical(4 * GIB, 1.25e9).basis()).contains("assumed");
        assertThat(DirtyModel.typical(4 * GIB, 1.25e9).assumed()).isTrue();
        assertThat(new DirtyModel(1, 0, "learned from this VM's last migration").assumed()).isFalse();
    }

    @Test
    void nonsenseInputIsRefusedWithTheValues() {
        assertThatThrownBy(() -> Forecaster.forecast(0, 1.25e9, 300, new DirtyModel(1, 0, "x"), "ferry"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory 0");
        assertThatThrownBy(() -> Forecaster.forecast(GIB, 1.25e9, 300, new DirtyModel(1, 0, "x"), "no-such"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("known");
    }

    @Test
    void zeroPagesAFirstPassCountedAreAnnouncedNotSent() {
        var dirty = new DirtyModel(1, 0, "idle");
        var half = dirty.withZeroShare(DirtyModel.zeroShareOfFirstPass(8 * GIB, 4 * GIB), "a past first pass");

        assertThat(half.zeroShare()).isEqualTo(0.5);
        assertThat(half.basis()).isEqualTo("idle; 50 % of memory zero pages (a past first pass)");
        assertThat(Forecaster.forecast(8 * GIB, 1.25e9, 300, half, "ferry").totalTimeMillis())
                .as("half of 8 GiB at 1.25 GB/s, and the switch-over").isBetween(3_430L, 3_800L);
        assertThat(DirtyModel.zeroShareOfFirstPass(100 * 4096, 0)).as("never all of memory").isEqualTo(0.95);
        assertThat(DirtyModel.zeroShareOfFirstPass(100 * 4096, 200 * 4096)).as("headers beyond the pages").isZero();
    }

    @Test
    void aPolicyThatKeepsNoDeadlineIsForecastCancelledAtIt() {
        // rewriting all of 1 GiB at twice the link: QEMU's default never converges, and its worker cancels it at 60 s
        var dirty = new DirtyModel(262_144, 2 * 1.25e8 / 4096, "test");
        var limits = MigrationLimits.defaults(300).withDeadline(60);

        Forecast f = Forecaster.forecast(GIB, 1.25e8, limits, dirty, "qemu-default");

        assertThat(f.converges()).isFalse();
        assertThat(f.totalTimeMillis()).isEqualTo(60_000);
        assertThat(f.reason()).isEqualTo("past the 60 s deadline, where its worker cancels it");
        // what ran until then: a first pass of 8.6 s, then rounds of most of the set, not the engine's run to its own give-up
        assertThat(f.rounds()).isBetween(5, 9);
        assertThat(f.bytesSent()).isBetween(5 * GIB, (long) (60 * 1.25e8));
    }
}
