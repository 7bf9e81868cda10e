package dev.ferry.model.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The simulator's copy of the test guest's generator against the guest's own C code (guest/pattern.h, compiled here
 * with guest/pattern-dump.c): the same pace and the same pages, draw for draw, at times across every cycle.
 */
class GuestPatternTest {
    static final int PAGES = 24576; // the benchmark's 96 MiB region
    static Path dump;

    @BeforeAll
    static void compileTheGuestsGenerator() throws Exception {
        Path guest = Path.of("..", "guest").toAbsolutePath().normalize();
        Path out = Path.of("target", "pattern-dump").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Process cc = new ProcessBuilder("gcc", "-O2", "-Wall", "-I", guest.toString(), "-o", out.toString(),
                guest.resolve("pattern-dump.c").toString(), "-lm").redirectErrorStream(true).start();
        String said = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0)
                .as("gcc must compile guest/pattern-dump.c (guest/setup-host installs gcc): %s", said).isTrue();
        dump = out;
    }

    @ParameterizedTest
    @EnumSource(GuestPattern.Kind.class)
    void drawsTheSamePagesAsTheGuestAtEveryPointOfItsCycles(GuestPattern.Kind kind) throws Exception {
        // times across bursts (1 s), phases (1 s) and a whole growth cycle (30 s) and past it, 40 writes each
        List<double[]> asks = new ArrayList<>();
        for (double t = 0; t < 65; t += 0.37) {
            asks.add(new double[] {t, 40});
        }
        List<String> c = run(kind, asks);
        GuestPattern java = GuestPattern.booted(kind, PAGES, 1, GuestPattern.Settings.DEFAULTS);
        for (int i = 0; i < asks.size(); i++) {
            double t = asks.get(i)[0];
            String[] words = c.get(i).split(" ");
            assertThat(java.pace(t)).as("pace at %.2f s", t).isEqualTo(Double.parseDouble(words[0]));
            for (int w = 1; w < words.length; w++) {
                assertThat(java.nextPage(t)).as("%s write %d at %.2f s", kind, w, t).isEqualTo(Integer.parseInt(words[w]));
            }
        }
    }

    @Test
    void writesAtItsRateOverTheGuestsTimeAndKeepsToItsRegion() {
        var seq = GuestPattern.booted(GuestPattern.Kind.SEQ, 1000, 20_000, GuestPattern.Settings.DEFAULTS);
        BitSet seen = new BitSet();
        int[] writes = {0};
        for (int i = 0; i < 100; i++) { // a second in slices, as the engine hands it over
            seq.write(0.01, 65536, new SplittableRandom(1), p -> {
                writes[0]++;
                seen.set(p);
            });
        }
        assertThat(writes[0]).isBetween(19_999, 20_000);
        assertThat(seen.cardinality()).isEqualTo(1000);
        assertThat(seen.nextSetBit(1000)).isEqualTo(-1);

        var bursts = GuestPattern.booted(GuestPattern.Kind.BURSTS, 1000, 10_000, GuestPattern.Settings.DEFAULTS);
        int[] inTwoSeconds = {0};
        bursts.write(2.0, 65536, new SplittableRandom(1), p -> inTwoSeconds[0]++);
        assertThat(inTwoSeconds[0]).as("on for a second, off for a second").isBetween(9_999, 10_000);
    }

    @Test
    void anUnknownPatternIsRefusedByName() {
        assertThat(GuestPattern.Kind.named("zipf")).isEqualTo(GuestPattern.Kind.ZIPF);
        assertThatThrownBy(() -> GuestPattern.Kind.named("random")).hasMessageContaining("no guest pattern random");
    }

    /** The C generator's answer to each (t, writes), one line each. */
    private static List<String> run(GuestPattern.Kind kind, List<double[]> asks) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(dump.toString(), kind.name().toLowerCase(Locale.ROOT), String.valueOf(PAGES), "99", "1000",
                "1", "30").start();
        StringBuilder in = new StringBuilder();
        for (double[] a : asks) {
            in.append(String.format(Locale.ROOT, "%.17g %d%n", a[0], (long) a[1]));
        }
        p.getOutputStream().write(in.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("pattern-dump ran").isTrue();
        assertThat(lines).hasSize(asks.size());
        return lines;
    }
}
