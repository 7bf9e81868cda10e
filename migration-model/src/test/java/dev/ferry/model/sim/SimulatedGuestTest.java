package dev.ferry.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The simulator's memory check must catch a page the engine failed to send, or sent before its last write. */
class SimulatedGuestTest {
    static final int PAGES = 1_000;

    static void copyAll(SimulatedGuest guest) {
        for (int p = 0; p < guest.pages(); p++) {
            guest.copyToDestination(p);
        }
    }

    @Test
    void nothingCopiedIsNoMatchEverythingCopiedIs() {
        SimulatedGuest guest = new SimulatedGuest(PAGES, 0.3, GuestWorkload.idle(), 1);
        assertThat(guest.destinationMatchesSource()).isFalse();
        copyAll(guest);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void aPageWrittenAfterItsCopyAndNotSentAgainIsCaught() {
        SimulatedGuest guest = new SimulatedGuest(PAGES, 0.0, GuestWorkload.uniform(1.0, 50), 2);
        copyAll(guest);
        guest.runGuest(1, 0);
        BitSet written = guest.syncDirtyBitmap();
        assertThat(written.cardinality()).isPositive();
        assertThat(guest.destinationMatchesSource()).isFalse();

        int last = written.length() - 1;
        written.stream().filter(p -> p != last).forEach(guest::copyToDestination);
        assertThat(guest.destinationMatchesSource()).as("one written page still unsent").isFalse();
        guest.copyToDestination(last);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }
}
