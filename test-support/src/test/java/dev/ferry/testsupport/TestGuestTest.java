package dev.ferry.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The continuity check that every real-guest test and benchmark relies on, on consoles written by hand. */
class TestGuestTest {

    static String beats(long from, long to) {
        StringBuilder out = new StringBuilder();
        for (long n = from; n <= to; n++) {
            out.append("ferry-heartbeat ").append(n).append(" dirtied=").append(n * 10).append(" bad=0 checks=").append(n / 5).append("\r\n");
        }
        return out.toString();
    }

    @Test
    void aLineCutByTheSwitchOverCountsAsTheSourcesLastBeat(@TempDir Path dir) throws IOException {
        // seen in the libvirt benchmark: "checks=" ended on the source's console, "494" began the destination's
        Path source = Files.writeString(dir.resolve("src"), beats(2410, 2413) + "ferry-heartbeat 2414 dirtied=24140 bad=0 checks=");
        Path destination = Files.writeString(dir.resolve("dst"), "482\r\n" + beats(2415, 2425));

        var onDestination = TestGuest.awaitContinuation(source, destination, 10, Duration.ofSeconds(1));
        assertEquals(2414, onDestination.get(0).count());
        assertEquals(2425, onDestination.get(onDestination.size() - 1).count());
    }

    @Test
    void aLineCutInsideItsFirstWordIsJoinedAgain(@TempDir Path dir) throws IOException {
        // seen in CI: "fe" ended the source's console, "rry-heartbeat 425 ..." began the destination's
        Path source = Files.writeString(dir.resolve("src"), beats(420, 424) + "fe");
        Path destination = Files.writeString(dir.resolve("dst"), "rry-heartbeat 425 dirtied=4250 bad=0 checks=85\r\n" + beats(426, 436));

        assertEquals(425, TestGuest.awaitContinuation(source, destination, 10, Duration.ofSeconds(1)).get(0).count());
    }

    @Test
    void aLineCutInsideItsLastNumberIsTheDestinationsFirstBeat(@TempDir Path dir) throws IOException {
        // the source's unfinished line already matches a beat ("checks=48" of "checks=482"): still not the source's
        Path source = Files.writeString(dir.resolve("src"), beats(2410, 2413) + "ferry-heartbeat 2414 dirtied=24140 bad=0 checks=48");
        Path destination = Files.writeString(dir.resolve("dst"), "2\r\n" + beats(2415, 2425));

        assertEquals(2414, TestGuest.awaitContinuation(source, destination, 10, Duration.ofSeconds(1)).get(0).count());
    }

    @Test
    void aBeatMissingBetweenTheConsolesIsStillRefused(@TempDir Path dir) throws IOException {
        Path source = Files.writeString(dir.resolve("src"), beats(2410, 2413));
        Path destination = Files.writeString(dir.resolve("dst"), beats(2415, 2425));

        IOException e = assertThrows(IOException.class, () -> TestGuest.awaitContinuation(source, destination, 10, Duration.ofSeconds(1)));
        assertEquals("the guest restarted or lost time: last beat on the source 2413, first on the destination 2415", e.getMessage());
    }
}
