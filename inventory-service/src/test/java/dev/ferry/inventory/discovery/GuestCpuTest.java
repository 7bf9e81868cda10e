package dev.ferry.inventory.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.ferry.inventory.discovery.GuestCpu.State;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GuestCpuTest {
    static final Instant T0 = Instant.parse("2026-12-04T21:00:00Z");
    static final long SECOND = 1_000_000_000L;

    @Test
    void twoReadingsOfOneProcessGiveTheCoresUsedBetweenThem() {
        State first = GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0);
        assertThat(first.coresUsed()).as("one reading: nothing to compare").isNull();

        // 450 CPU seconds over 5 minutes: 1.5 cores
        State second = GuestCpu.next(first, "u-1", 7, 550 * SECOND, T0.plusSeconds(300));
        assertThat(second.coresUsed()).isCloseTo(1.5, offset(1e-9));
        assertThat(second.coresAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(second.readAt()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void aReadingTooSoonAfterTheLastKeepsItsBaselineAndItsLoad() {
        State second = GuestCpu.next(GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0), "u-1", 7, 550 * SECOND, T0.plusSeconds(300));

        State quick = GuestCpu.next(second, "u-1", 7, 560 * SECOND, T0.plusSeconds(303));
        assertThat(quick).isEqualTo(second);
        // an operator's probe a minute later is not a window either; the next runs from the kept baseline: 270 s over 180 s
        assertThat(GuestCpu.next(quick, "u-1", 7, 640 * SECOND, T0.plusSeconds(360))).isEqualTo(second);
        assertThat(GuestCpu.next(quick, "u-1", 7, 820 * SECOND, T0.plusSeconds(480)).coresUsed()).isCloseTo(1.5, offset(1e-9));
    }

    @Test
    void anotherProcessIsNotComparedWithTheLast() {
        State second = GuestCpu.next(GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0), "u-1", 7, 550 * SECOND, T0.plusSeconds(300));

        // restarted: its CPU time began again from 0
        State restarted = GuestCpu.next(second, "u-1", 7, 5 * SECOND, T0.plusSeconds(600));
        assertThat(restarted.coresUsed()).isNull();
        assertThat(restarted.cpuNanos()).isEqualTo(5 * SECOND);
        // another guest of the same name
        assertThat(GuestCpu.next(second, "u-2", 7, 900 * SECOND, T0.plusSeconds(600)).coresUsed()).isNull();
        // moved here by a migration: the row kept its load but no reading (followMigration)
        State moved = new State("u-1", null, null, null, 1.5, T0.plusSeconds(300));
        assertThat(GuestCpu.next(moved, "u-1", 7, 2 * SECOND, T0.plusSeconds(600)).coresUsed()).isNull();
        // not running: nothing to compare with next time
        assertThat(GuestCpu.next(second, "u-1", 7, null, T0.plusSeconds(600))).isEqualTo(State.NONE);
    }

    @Test
    void aGuestStartedAgainIsAnotherProcessEvenWhenItsCpuTimeHasPassedTheLastReading() {
        State second = GuestCpu.next(GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0), "u-1", 7, 550 * SECOND, T0.plusSeconds(300));

        // destroyed and started again: libvirt gave it domain id 9; its 600 CPU seconds are not 50 s over 5 minutes
        State restarted = GuestCpu.next(second, "u-1", 9, 600 * SECOND, T0.plusSeconds(600));
        assertThat(restarted.coresUsed()).isNull();
        assertThat(restarted.domainId()).isEqualTo(9);
        // the next reading of that process is a load again
        assertThat(GuestCpu.next(restarted, "u-1", 9, 900 * SECOND, T0.plusSeconds(900)).coresUsed()).isCloseTo(1.0, offset(1e-9));
        // a worker that does not send the id is judged by the CPU time alone, as before
        assertThat(GuestCpu.next(second, "u-1", null, 850 * SECOND, T0.plusSeconds(600)).coresUsed()).isCloseTo(1.0, offset(1e-9));
    }

    @Test
    void readingsHoursApartGiveNoFreshLoad() {
        State second = GuestCpu.next(GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0), "u-1", 7, 550 * SECOND, T0.plusSeconds(300));

        // reports missed for three hours: the average over them is not the load now; the last load keeps its time
        State late = GuestCpu.next(second, "u-1", 7, 11_350 * SECOND, T0.plusSeconds(300 + 3 * 3600));
        assertThat(late.coresUsed()).isCloseTo(1.5, offset(1e-9));
        assertThat(late.coresAt()).isEqualTo(T0.plusSeconds(300));
        // and the next report, five minutes on, measures from there
        State next = GuestCpu.next(late, "u-1", 7, 11_950 * SECOND, T0.plusSeconds(600 + 3 * 3600));
        assertThat(next.coresUsed()).isCloseTo(2.0, offset(1e-9));
        assertThat(next.coresAt()).isEqualTo(T0.plusSeconds(600 + 3 * 3600));
    }

    @Test
    void aLongerSyncIntervalAllowsLongerWindows() {
        assertThat(GuestCpu.maxWindow(java.time.Duration.ofMinutes(5))).isEqualTo(GuestCpu.MAX_WINDOW);
        assertThat(GuestCpu.maxWindow(java.time.Duration.ofSeconds(30))).isEqualTo(GuestCpu.MAX_WINDOW);
        java.time.Duration hourly = GuestCpu.maxWindow(java.time.Duration.ofHours(1));
        assertThat(hourly).isEqualTo(java.time.Duration.ofHours(4));
        // reports an hour apart, as that interval makes them: a load, where the default window would give none
        State first = GuestCpu.next(State.NONE, "u-1", 7, 100 * SECOND, T0, hourly);
        assertThat(GuestCpu.next(first, "u-1", 7, 3_700 * SECOND, T0.plusSeconds(3600), hourly).coresUsed()).isCloseTo(1.0, offset(1e-9));
        assertThat(GuestCpu.next(first, "u-1", 7, 3_700 * SECOND, T0.plusSeconds(3600)).coresUsed()).isNull();
    }
}
