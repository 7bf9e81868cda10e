package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationEta.Model;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.EvacuationTimeline;
import dev.ferry.scheduler.plan.EvacuationEta.MoveNow;
import dev.ferry.scheduler.plan.EvacuationEta.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvacuationEtaTest {
    static final long GIB = 1L << 30;
    static final double GBE = 1.25e8;
    /** A guest that writes nothing: its forecast is its memory over the bandwidth and the switch-over, nothing more. */
    static final DirtyModel IDLE = new DirtyModel(1, 0, "writes nothing");
    static final MigrationLimits LIMITS = MigrationLimits.defaults(300);

    /** The evacuation of {@code n} idle 1 GiB VMs from a 10 GbE host to 1 GbE hosts 3, 4 and 5, four inbound each. */
    static Model model(int n) {
        List<VmToMove> vms = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new VmToMove(i, "vm-" + i, GIB, IDLE, List.of(), null)).toList();
        Map<Long, Double> links = Map.of(3L, GBE, 4L, GBE, 5L, GBE);
        return new Model(new EvacuationTimeline.Links(10 * GBE, links, Map.of(3L, 4, 4L, 4, 5L, 4)), LIMITS, "ferry", vms);
    }

    /** The engine's forecast of one of those VMs at a bandwidth, in milliseconds. */
    static double f(double bandwidth) {
        return Forecaster.forecast(GIB, bandwidth, LIMITS, IDLE, "ferry").totalTimeMillis();
    }

    static final double F = f(GBE);

    static MoveNow waiting(long target) {
        return MoveNow.waiting(target);
    }

    /** A move done: its rounds took {@code tookMillis}, where their bytes would have taken {@code atShareMillis} at its shares. */
    static MoveNow done(long target, double tookMillis, double atShareMillis) {
        return new MoveNow(target, State.DONE, Math.round(tookMillis), GIB, 0, Math.round(tookMillis), Math.round(atShareMillis), GBE,
                Math.round(tookMillis), GBE);
    }

    /** A move running for {@code runningMillis}, whose rounds so far took {@code workedMillis} and left {@code dirtyBytes}. */
    static MoveNow running(long target, double workedMillis, double atShareMillis, long dirtyBytes, double runningMillis) {
        return new MoveNow(target, State.RUNNING, Math.round(workedMillis), Math.round(atShareMillis / 1000 * GBE), dirtyBytes,
                Math.round(workedMillis), Math.round(atShareMillis), GBE, Math.round(runningMillis), atShareMillis > 0 ? GBE : 0);
    }

    @Test
    void withNothingMeasuredTheRestIsThePlansModelPlayedOutUnderSharedLinks() {
        var moves = List.of(waiting(3), waiting(3), waiting(4));
        assertThat(EvacuationEta.estimate(moves, 1, model(3)).remainingMillis()).isCloseTo(Math.round(3 * F), within(3L));
        // two at once: both first moves enter hv-3 and share its link, then hv-4's runs alone; not two forecasts' time
        long two = EvacuationEta.estimate(moves, 2, model(3)).remainingMillis();
        assertThat(two).isCloseTo(Math.round(f(GBE / 2) + F), within(3L)).isGreaterThan(Math.round(2 * F));
        // to two destinations, two at once run side by side
        assertThat(EvacuationEta.estimate(List.of(waiting(3), waiting(4)), 2, model(2)).remainingMillis()).isCloseTo(Math.round(F), within(2L));
        assertThat(EvacuationEta.estimate(moves, 1, model(3)).slowdown()).isEqualTo(1);
    }

    @Test
    void aMoveWhoseShareFellWhenAnotherJoinedItsLinkKeepsTheProgressItMadeAtTheLargerShare() {
        // hv-3's first move sent 80 % of its guest at the whole link; then a second move entered hv-3, and each has half
        long dirty = GIB / 5;
        MoveNow first = new MoveNow(3, State.RUNNING, Math.round(0.8 * F), 4 * GIB / 5, dirty, Math.round(0.8 * F),
                Math.round(0.8 * F), GBE / 2, Math.round(0.8 * F), GBE);
        MoveNow second = new MoveNow(3, State.RUNNING, 0, 0, GIB, 0, 0, GBE / 2, 0, 0);
        long left = EvacuationEta.estimate(List.of(first, second), 2, model(2)).remainingMillis();

        // the first is a fifth from its end: a fifth of its time at half the link, while the second does as much of its
        // own; then the second alone at the whole link. Judged by its time at half the link, the first would seem 60 %
        // from its end, and the rest about a third longer
        double half = f(GBE / 2);
        assertThat(left).isCloseTo(Math.round(0.2 * half + 0.8 * F), within(Math.round(0.02 * F)));
        double asIfAtHalf = (1 - 0.8 * F / half) * half + (0.8 * F / half) * F;
        assertThat((double) left).isLessThan(0.85 * asIfAtHalf);
    }

    @Test
    void aDestinationSlowerThanForecastMakesWhatIsLeftForItSlowerThanElsewhereAndThePlanWeighsAsOneMove() {
        // hv-3's rounds took 1.2 times what their bytes take at its share, hv-4's and hv-5's as long (over all the
        // moves sent at more than 80 % of their shares: their links, not something of their own, are what is slow)
        var moves = List.of(done(3, 1.2 * F, F), done(4, F, F), done(5, F, F), waiting(3), waiting(4));
        var estimate = EvacuationEta.estimate(moves, 1, model(5));
        // over all: (3.2F measured + F of the plan's belief) / (3F at the shares + F) = 1.05
        assertThat(estimate.slowdown()).isCloseTo(1.05, offset(1e-3));
        // hv-3: (1.2F + F x 1.05) / (F + F) = 1.125, not the 1.2 its one move showed; hv-4: 1.025
        assertThat(estimate.slowdownByTarget().get(3L)).isCloseTo(1.125, offset(1e-3));
        assertThat(estimate.slowdownByTarget().get(4L)).isCloseTo(1.025, offset(1e-3));
        assertThat(estimate.remainingMillis()).isCloseTo(Math.round(F * (1.125 + 1.025)), within(5L));
        // a destination without evidence takes the evacuation's slowdown over all: (1.2F + F) / (F + F)
        assertThat(EvacuationEta.estimate(List.of(done(3, 1.2 * F, F), waiting(4)), 1, model(2)).remainingMillis())
                .isCloseTo(Math.round(1.1 * F), within(3L));
    }

    @Test
    void aGuestThatSentLittleSaysNothingOfTheNextButALinkSlowerThanItsShareDoes() {
        // a guest of zero pages done in a third of its forecast, its few bytes at its share: the next one is as forecast
        var quick = EvacuationEta.estimate(List.of(done(3, F / 3, F / 3), waiting(3)), 1, model(2));
        assertThat(quick.slowdownOf(3)).isCloseTo(1, offset(1e-3));
        assertThat(quick.remainingMillis()).isCloseTo(Math.round(F), within(2L));
        // its bytes took 1.2 times what its share allows: over all (1.2F + F) / (F + F) = 1.1; hv-3 (1.2F + 1.1F) / 2F
        // = 1.15 for the next one
        var slow = EvacuationEta.estimate(List.of(done(3, 1.2 * F, F), waiting(3)), 1, model(2));
        assertThat(slow.slowdown()).isCloseTo(1.1, offset(1e-3));
        assertThat(slow.slowdownOf(3)).isCloseTo(1.15, offset(1e-3));
        assertThat(slow.remainingMillis()).isCloseTo(Math.round(1.15 * F), within(3L));
    }

    @Test
    void aWaitingMoveLeavesOnlyForAHostPredictedAQuarterFasterWithWhatWasMeasured() {
        var moves = List.of(done(3, 3 * F, F), done(4, F, F), waiting(3));
        var estimate = EvacuationEta.estimate(moves, 1, model(3));
        // over all (3F + F + F) / (2F + F) = 5/3; hv-3 (3F + F x 5/3) / 2F = 7/3, 1.4 times that; hv-4 4/3;
        // hv-5, unmeasured, is believed at 5/3
        assertThat(estimate.slowdownOf(3)).isCloseTo(7.0 / 3, offset(1e-3));
        assertThat(estimate.slowdownOf(4)).isCloseTo(4.0 / 3, offset(1e-3));
        assertThat(estimate.slowdownOf(5)).isCloseTo(5.0 / 3, offset(1e-3));
        assertThat(estimate.markedlySlower()).containsExactly(3L);
        assertThat(estimate.asSlowAs(4)).containsExactlyInAnyOrder(3L, 4L);
        assertThat(estimate.asSlowAs(3)).containsExactly(3L);
        // same forecast: hv-4 (1.75 times faster) and hv-5 (1.4 times) are both worth it
        assertThat(EvacuationEta.worthLeaving(10_000, estimate.slowdownOf(3), 10_000, estimate.slowdownOf(4))).isTrue();
        assertThat(EvacuationEta.worthLeaving(10_000, estimate.slowdownOf(3), 10_000, estimate.slowdownOf(5))).isTrue();
        // a forecast 1.2 times longer there: hv-4 still is (1.46 times), hv-5 no longer (1.17 times)
        assertThat(EvacuationEta.worthLeaving(10_000, estimate.slowdownOf(3), 12_000, estimate.slowdownOf(4))).isTrue();
        assertThat(EvacuationEta.worthLeaving(10_000, estimate.slowdownOf(3), 12_000, estimate.slowdownOf(5))).isFalse();
        assertThat(EvacuationEta.worthLeaving(10_000, 2, 0, 1)).as("no forecast there").isFalse();
    }

    @Test
    void aRunningMoveGoesOnFromTheShareOfItsForecastLeftEvenInItsFirstRound() {
        // a large guest's first round tells nothing until it ends: 70 % of its forecast has passed, 30 % is left
        var first = List.of(running(3, 0, 0, GIB, 0.7 * F));
        assertThat(EvacuationEta.estimate(first, 1, model(1)).remainingMillis()).isCloseTo(Math.round(0.3 * F), within(2L));
        // past its forecast it has not ended yet: a little is left, not a negative time nor a whole forecast
        var late = List.of(running(3, 0, 0, GIB, 1.5 * F));
        assertThat(EvacuationEta.estimate(late, 1, model(1)).remainingMillis())
                .isCloseTo(Math.round(EvacuationEta.LEAST_LEFT * F), within(2L));
        // its rounds took 0.6F where its share allowed 0.5F: hv-3 is believed (0.6F + 16/15 F) / (0.5F + F) = 10/9
        // slower than forecast (over all (0.6F + F) / (0.5F + F) = 16/15), for its own rest and the move after it:
        // (1 - 0.6F / (10/9 F)) + 1 = 1.46 of 10/9 F
        var half = List.of(running(3, 0.6 * F, 0.5 * F, 0, 0.6 * F), waiting(3));
        assertThat(EvacuationEta.estimate(half, 1, model(2)).remainingMillis()).isCloseTo(Math.round(1.46 * 10 / 9 * F), within(3L));
    }

    @Test
    void aRunningMoveHasAtLeastOneMoreCopyOfWhatItsLastRoundLeftDirty() {
        // 80 % of its forecast has passed, but its last round left half a GiB dirty: that takes 0.5 GiB at 1 GbE more
        var dirty = List.of(running(3, 0.8 * F, 0.8 * F, GIB / 2, 0.8 * F));
        assertThat(EvacuationEta.estimate(dirty, 1, model(1)).remainingMillis()).isCloseTo(Math.round(GIB / 2 * 1000.0 / GBE), within(2L));
        // in its first round the memory not yet sent is no such floor: the time it has run counts
        var first = List.of(running(3, 0, 0, GIB, 0.8 * F));
        assertThat(EvacuationEta.estimate(first, 1, model(1)).remainingMillis()).isCloseTo(Math.round(0.2 * F), within(2L));
    }

    @Test
    void migrationsSendingWellBelowTheirShareLetMoreLeaveAtOnceUpToWhatTheLinksCarry() {
        MoveNow waiting = MoveNow.waiting(3);
        // one running at 25 MB/s of a 125 MB/s share (250 MB in 10 s, 2 s at its share), three waiting for one 1 GbE
        // destination: five would fill its link at that rate, four are left
        var slow = List.of(new MoveNow(3, State.RUNNING, 10_000, 250_000_000L, 0, 10_000, 2_000, 1.25e8, 10_000, 1.25e8), waiting, waiting, waiting);
        assertThat(EvacuationEta.concurrency(slow, 1, 8, 1.25e9, Map.of(3L, 1.25e8))).isEqualTo(4);
        assertThat(EvacuationEta.concurrency(slow, 1, 2, 1.25e9, Map.of(3L, 1.25e8))).isEqualTo(2); // the host's limit
        // at its share the links are what limits it: the plan stands
        var full = List.of(new MoveNow(3, State.RUNNING, 10_000, 1_200_000_000L, 0, 10_000, 9_600, 1.25e8, 10_000, 1.25e8), waiting, waiting);
        assertThat(EvacuationEta.concurrency(full, 1, 8, 1.25e9, Map.of(3L, 1.25e8))).isEqualTo(1);
        // nothing measured yet
        assertThat(EvacuationEta.concurrency(List.of(waiting, waiting), 1, 8, 1.25e9, Map.of(3L, 1.25e8))).isEqualTo(1);
    }

    @Test
    void migrationsHeldBackByThemselvesAreFasterTogetherAndTheEtaSaysSo() {
        // one done at 25 MB/s where its share allowed 125 (its rounds took 10 s, 2 s at its share): something of its
        // own limits it, and four at once into the 1 GbE hv-3 each still send at 25 MB/s, not a quarter of that
        MoveNow slow = new MoveNow(3, State.DONE, 10_000, 250_000_000L, 0, 10_000, 2_000, GBE, 10_000, GBE);
        var moves = List.of(slow, waiting(3), waiting(3), waiting(3), waiting(3));
        long one = EvacuationEta.estimate(moves, 1, model(5)).remainingMillis();
        long four = EvacuationEta.estimate(moves, 4, model(5)).remainingMillis();
        assertThat(one).isCloseTo(Math.round(4 * f(25e6)), within(5L));
        assertThat(four).isCloseTo(Math.round(f(25e6)), within(5L));
        // held back everywhere, and hv-4 twice as slow as hv-3 besides: its link is, by as much as the rest shows
        MoveNow slower = new MoveNow(4, State.DONE, 20_000, 250_000_000L, 0, 20_000, 2_000, GBE, 20_000, GBE);
        long toThree = EvacuationEta.estimate(List.of(slow, slower, waiting(3)), 1, model(3)).remainingMillis();
        long toFour = EvacuationEta.estimate(List.of(slow, slower, waiting(4)), 1, model(3)).remainingMillis();
        assertThat(toFour).isGreaterThan(toThree * 6 / 5);
    }

    @Test
    void theErrorAtAShareOfTheWayIsWhatTheEtaInForceThenSaidAgainstTheRealEnd() {
        // the plan said 100 s; at 30 s the ETA said 80 s, at 60 s 85 s; it ended at 80 s
        List<long[]> etas = List.of(new long[] {0, 100_000}, new long[] {30_000, 80_000}, new long[] {60_000, 85_000});
        assertThat(EvacuationEta.errorAt(0.25, etas, 80_000)).isCloseTo(0.25, offset(1e-9)); // at 20 s: the plan's 100 s
        assertThat(EvacuationEta.errorAt(0.5, etas, 80_000)).isCloseTo(0.0, offset(1e-9)); // at 40 s: 80 s
        assertThat(EvacuationEta.errorAt(0.75, etas, 80_000)).isCloseTo(0.0625, offset(1e-9)); // at 60 s: 85 s
        assertThat(EvacuationEta.errorAt(0.5, List.of(), 80_000)).isNull();
    }
}
