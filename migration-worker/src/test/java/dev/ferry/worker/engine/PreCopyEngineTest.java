package dev.ferry.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.sim.GuestWorkload;
import dev.ferry.worker.sim.SimulatedGuest;
import org.junit.jupiter.api.Test;

class PreCopyEngineTest {
    static final int PAGES = 4096; // 16 MiB
    static final double LINK = 16.0 * 1024 * 1024; // 16 MiB/s: round 1 takes a second

    @Test
    void anIdleGuestNeedsOneLiveRoundAndAnEmptyStopAndCopy() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.idle(), 1);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(() -> false);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds()).hasSize(1);
        assertThat(result.stopAndCopy().pagesSent()).isZero();
        assertThat(result.downtimeMillis()).isEqualTo(PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void zeroPagesAreAnnouncedNotSent() {
        var guest = new SimulatedGuest(PAGES, 0.5, GuestWorkload.idle(), 2);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(() -> false);

        assertThat(result.rounds().get(0).zeroPagesSkipped()).isBetween(1800L, 2300L);
        assertThat(result.rounds().get(0).bytesSent()).isLessThan((long) PAGES * PreCopyEngine.PAGE_SIZE * 6 / 10);
    }

    @Test
    void eachRoundSendsWhatThePreviousOneLeftDirty() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.05, 0.2, 800), 3);
        var result = new PreCopyEngine(guest, new XenPolicy(), LINK, 300).run(() -> false);

        for (int i = 1; i < result.rounds().size(); i++) {
            assertThat(result.rounds().get(i).pagesSent()).isEqualTo(result.rounds().get(i - 1).remainingPages());
        }
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void xenStopsAfterFiveRoundsOnAGuestThatNeverSettles() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 4);
        var result = new PreCopyEngine(guest, new XenPolicy(), LINK, 300).run(() -> false);

        assertThat(result.rounds()).hasSize(5);
        assertThat(result.reason()).contains("cap of 5");
        assertThat(result.downtimeMillis()).isGreaterThan(300);
    }

    @Test
    void qemusDefaultNeverConvergesOnAGuestDirtyingFasterThanTheLink() {
        // 8000 pages/s is about twice the link's 4096 pages/s
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 5);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(() -> false);

        assertThat(result.rounds()).hasSize(PreCopyEngine.ROUND_CAP);
        assertThat(result.reason()).contains("engine round cap");
    }

    @Test
    void cancelLeavesTheGuestRunningOnTheSource() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 6);
        int[] checks = {0};
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(() -> ++checks[0] > 3);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.CANCELLED);
        assertThat(result.rounds()).hasSize(3);
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }
}
