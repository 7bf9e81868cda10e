package dev.ferry.worker.qemu;

import dev.ferry.testsupport.TestGuest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the tests find QEMU's test guest: built by guest/build into .ferry/guest (what .ci/run does first).
 * Missing prerequisites fail the tests: a QEMU test that skips itself proves nothing.
 */
final class QemuGuests {
    static final Path ROOT = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    static final Path GUEST = ROOT.resolve(".ferry/guest");

    private QemuGuests() {
    }

    static TestGuest.Spec spec(Path dir, int memoryMib, int dirtyMibPerSecond, int regionMib) throws IOException {
        return TestGuest.Spec.built(GUEST, TestGuest.sharedDisk(dir.resolve("shared-disk.img")), memoryMib, dirtyMibPerSecond,
                regionMib);
    }
}
