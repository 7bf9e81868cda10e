package dev.ferry.worker.qemu;

import static dev.ferry.model.engine.GuestLocation.DESTINATION;
import static dev.ferry.model.engine.GuestLocation.SOURCE;
import static dev.ferry.model.engine.GuestLocation.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.GuestLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the guest runs, from what the two QEMUs say: every state a run can end in (null: unreachable). */
class QemuLocationTest {

    @ParameterizedTest(name = "source {0} (migration {2}), destination {1}: {3}")
    @CsvSource(nullValues = "-", value = {
        "running,      inmigrate, none,            SOURCE",      // nothing ever started
        "running,      -,         cancelled,       SOURCE",      // cancelled: the destination exited
        "running,      -,         failed,          SOURCE",      // failed: the destination exited
        "paused,       inmigrate, none,            SOURCE",      // paused by someone, but still the source's guest
        "postmigrate,  running,   completed,       DESTINATION", // moved
        "-,            running,   -,               DESTINATION", // moved, and the source QEMU is gone since
        "running,      inmigrate, active,          UNKNOWN",     // still migrating: the answer may change any moment
        "postmigrate,  running,   postcopy-active, UNKNOWN",     // post-copy: the guest's memory is split
        "finish-migrate, inmigrate, completed,     UNKNOWN",     // switching over
        "postmigrate,  -,         completed,       UNKNOWN",     // left the source, runs nowhere
        "running,      running,   completed,       UNKNOWN",     // two copies running: never guessed at
        "-,            inmigrate, -,               UNKNOWN",     // the source is gone and the destination never got it
        "-,            -,         -,               UNKNOWN",
    })
    void theTwoQemusSayWhereTheGuestRuns(String source, String destination, String migration, GuestLocation expected) {
        QemuLocation.Answer answer = QemuLocation.of(source, destination, migration);
        assertThat(answer.where()).as(answer.why()).isEqualTo(expected);
        assertThat(answer.why()).contains(source == null ? "source QEMU unreachable" : "source QEMU " + source);
    }
}
