package dev.ferry.worker.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.GuestLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the guest runs, from what the two hosts' libvirt say (null: the host cannot be asked). */
class LibvirtLocationTest {

    @ParameterizedTest(name = "source {0}, destination {1}: {2}")
    @CsvSource(nullValues = "-", value = {
        "running,     not running, SOURCE",       // cancelled, failed, never started
        "not running, running,     DESTINATION",  // moved (the source's definition is gone or shut off)
        "running,     running,     UNKNOWN",      // post-copy, or a split: never guessed at
        "not running, not running, UNKNOWN",      // runs nowhere
        "running,     -,           UNKNOWN",      // the destination cannot be asked: it might run it too
        "-,           running,     UNKNOWN",
        "-,           -,           UNKNOWN",
    })
    void theTwoHostsSayWhereTheGuestRuns(String source, String destination, GuestLocation expected) {
        LibvirtLocation.Answer answer = LibvirtLocation.of(source, destination);
        assertThat(answer.where()).as(answer.why()).isEqualTo(expected);
        assertThat(answer.why()).contains("source libvirt: " + (source == null ? "unreachable" : source));
    }
}
