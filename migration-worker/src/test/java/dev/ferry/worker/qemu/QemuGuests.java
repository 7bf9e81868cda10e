package dev.ferry.worker.qemu;

import java.io.IOException;
import java.nio.file.Files;
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
        Path kernel = GUEST.resolve("vmlinuz");
        Path initrd = GUEST.resolve("initrd.img");
        if (!Files.exists(kernel) || !Files.exists(initrd)) {
            throw new IllegalStateException("the test guest is missing under " + GUEST + ": run guest/setup-host and guest/build "
                    + "(.ci/run does)");
        }
        Path disk = TestGuest.sharedDisk(dir.resolve("shared-disk.img"));
        return new TestGuest.Spec(kernel, initrd, disk, memoryMib, dirtyMibPerSecond, regionMib);
    }
}
