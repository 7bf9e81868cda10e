package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationEta.MoveNow;
import dev.ferry.scheduler.plan.EvacuationEta.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvacuationEtaTest {

    @Test
    void withNothingMeasuredThePlanStands() {
        var moves = List.of(new MoveNow(3, State.WAITING, 10_000, 0, 0), new MoveNow(3, State.WAITING, 10_000, 0, 0),
                new MoveNow(4, State.WAITING, 6_000, 0, 0));
        assertThat(EvacuationEta.estimate(moves, 1).remainingMillis()).isEqualTo(26_000);
        assertThat(EvacuationEta.estimate(moves, 2).remainingMillis()).isEqualTo(16_000);
        assertThat(EvacuationEta.estimate(moves, 1).slowdown()).isEqualTo(1);
    }

    @Test
    void aDestinationSlowerThanForecastMakesWhatIsLeftForItSlowerThanElsewhereAndThePlanWeighsAsOneMove() {
        var moves = List.of(new MoveNow(3, State.DONE, 10_000, 20_000, 1), new MoveNow(4, State.DONE, 10_000, 10_000, 1),
                new MoveNow(3, State.WAITING, 10_000, 0, 0), new MoveNow(4, State.WAITING, 10_000, 0, 0));
        var estimate = EvacuationEta.estimate(moves, 1);
        // over all: (20 + 10 s measured + 10 s of the plan's belief) / (20 + 10 s forecast) = 4/3
        assertThat(estimate.slowdown()).isCloseTo(4.0 / 3, offset(1e-9));
        // hv-3: (20 s + 10 s x 4/3) / (10 + 10 s) = 5/3, not the 2 its one move showed; hv-4: 7/6
        assertThat(estimate.slowdownByTarget().get(3L)).isCloseTo(5.0 / 3, offset(1e-9));
        assertThat(estimate.slowdownByTarget().get(4L)).isCloseTo(7.0 / 6, offset(1e-9));
        assertThat(estimate.remainingMillis()).isEqualTo(28_333);
        // a destination without evidence takes the evacuation's slowdown over all
        assertThat(EvacuationEta.estimate(List.of(new MoveNow(3, State.DONE, 10_000, 20_000, 1),
                new MoveNow(5, State.WAITING, 10_000, 0, 0)), 1).remainingMillis()).isEqualTo(15_000);
    }

    @Test
    void aWaitingMoveLeavesOnlyForAHostPredictedAQuarterFasterWithWhatWasMeasured() {
        var moves = List.of(new MoveNow(3, State.DONE, 10_000, 30_000, 1), new MoveNow(4, State.DONE, 10_000, 10_000, 1),
                new MoveNow(3, State.WAITING, 10_000, 0, 0));
        var estimate = EvacuationEta.estimate(moves, 1);
        // over all (30 + 10 + 10) / (20 + 10) = 5/3; hv-3 (30 + 10 x 5/3) / 20 = 7/3, 1.4 times that; hv-4 4/3;
        // hv-5, unmeasured, is believed at 5/3
        assertThat(estimate.slowdownOf(3)).isCloseTo(7.0 / 3, offset(1e-9));
        assertThat(estimate.slowdownOf(4)).isCloseTo(4.0 / 3, offset(1e-9));
        assertThat(estimate.slowdownOf(5)).isCloseTo(5.0 / 3, offset(1e-9));
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
    void aRunningMoveIsJudgedByWhatItSentOnceATenthIsOut() {
        // half sent in 6 s: 6 s left; its 12 s against a 10 s forecast make the move after it 1.15x its forecast
        var running = List.of(new MoveNow(3, State.RUNNING, 10_000, 6_000, 0.5), new MoveNow(3, State.WAITING, 10_000, 0, 0));
        assertThat(EvacuationEta.estimate(running, 1).remainingMillis()).isEqualTo(17_500);
        // 5 % sent: too early to tell, the forecast stands
        var early = List.of(new MoveNow(3, State.RUNNING, 10_000, 1_000, 0.05));
        assertThat(EvacuationEta.estimate(early, 1).remainingMillis()).isEqualTo(9_000);
    }

    @Test
    void migrationsSendingWellBelowTheirShareLetMoreLeaveAtOnceUpToWhatTheLinksCarry() {
        MoveNow waiting = new MoveNow(3, State.WAITING, 40_000, 0, 0);
        // one running at 25 MB/s of a 125 MB/s share, three waiting for one 1 GbE destination: five would fill its
        // link at that rate, four are left
        var slow = List.of(new MoveNow(3, State.RUNNING, 40_000, 10_000, 0.1, 250_000_000L, 1.25e8), waiting, waiting, waiting);
        assertThat(EvacuationEta.concurrency(slow, 1, 8, 1.25e9, java.util.Map.of(3L, 1.25e8))).isEqualTo(4);
        assertThat(EvacuationEta.concurrency(slow, 1, 2, 1.25e9, java.util.Map.of(3L, 1.25e8))).isEqualTo(2); // the host's limit
        // at its share the links are what limits it: the plan stands
        var full = List.of(new MoveNow(3, State.RUNNING, 40_000, 10_000, 0.3, 1_200_000_000L, 1.25e8), waiting, waiting);
        assertThat(EvacuationEta.concurrency(full, 1, 8, 1.25e9, java.util.Map.of(3L, 1.25e8))).isEqualTo(1);
        // nothing measured yet
        assertThat(EvacuationEta.concurrency(List.of(waiting, waiting), 1, 8, 1.25e9, java.util.Map.of(3L, 1.25e8))).isEqualTo(1);
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
