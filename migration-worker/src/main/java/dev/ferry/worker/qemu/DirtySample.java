package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Short windows of the guest's dirty curve, for either way QEMU is reached (QMP directly, or libvirt's monitor
 * passthrough): QEMU's calc-dirty-rate, sampling pages (it needs no KVM and runs beside a migration). One is taken as
 * the first pass begins, for the policy; two are taken before the start when the START asks, for the scheduler's
 * forecast ({@link #beforeStart}), followed by a sample of the guest's zero pages ({@link ZeroPages}). The first round's
 * own window is seconds long and, for a guest that rewrites its working set faster, saturated; a quarter of a second
 * tells a fast writer of a small set from a slow writer of a large one.
 * QEMU's dirty-pages-rate of a pass is no such window: it averages over the seconds since its last update, which for a
 * long round is the round itself. Talks to QEMU only through the {@link Monitor} it is given.
 */
public final class DirtySample {
    /** The window, the simulator's too ({@link PreCopyEngine#EARLY_SAMPLE_SECONDS}). */
    static final int MILLIS = (int) Math.round(PreCopyEngine.EARLY_SAMPLE_SECONDS * 1000);
    /** Pages sampled per GiB of guest memory (QEMU's default is 512; more make a small guest's figure less coarse). */
    static final int PAGES_PER_GIB = 4096;

    /**
     * The windows measured before the start, one after the other (QEMU measures one at a time): the short one the
     * policy reads in round 1, and one four times as long, whose ratio to it tells how soon the guest rewrites pages.
     */
    public static final List<Integer> BEFORE_START_MILLIS = List.of(MILLIS, 4 * MILLIS);
    /** How long QEMU may take beyond a window to say it measured it, before the measurement is given up. */
    static final int ANSWER_MILLIS = 3_000;
    /**
     * A QEMU process's first calc-dirty-rate counts far fewer pages than the guest writes (on this machine, 1,024
     * pages where the next ones count 3,900 to 5,000 in 250 ms): its first window is thrown away. QEMU's shortest.
     */
    static final int WARM_UP_MILLIS = 50;
    static final int POLL_MILLIS = 25;
    /** How long after calc-dirty-rate starts its window is worth asking for: the window and one poll. */
    static final long MEASURED_AFTER_NANOS = (MILLIS + POLL_MILLIS) * 1_000_000L;
    public static final String METHOD = "calc-dirty-rate page-sampling";

    /** QEMU's monitor, however it is reached: a QMP command and its answer's "return", or IOException when refused. */
    @FunctionalInterface
    public interface Monitor {
        JsonNode call(String command, Map<String, Object> arguments) throws IOException;
    }

    private DirtySample() {
    }

    /** calc-dirty-rate's arguments. */
    public static Map<String, Object> start() {
        return start(MILLIS);
    }

    static Map<String, Object> start(int millis) {
        return Map.of("calc-time", millis, "calc-time-unit", "millisecond", "sample-pages", PAGES_PER_GIB, "mode", "page-sampling");
    }

    /**
     * Watches the guest write before the migration starts, as a start command may ask: each window of
     * {@link #BEFORE_START_MILLIS} in turn, about 1.4 s in all, then a sample of its memory for its zero pages (at most
     * {@link ZeroPages#BUDGET}; 1.2 to 2.5 s on this machine under TCG with the guest writing 200 MiB/s). 4 KiB pages: no migration runs yet to say the guest's page size, and x86's
     * is that.
     *
     * @throws IOException when QEMU refuses or does not finish a window in time: the migration goes on without
     */
    public static DirtyMeasurement beforeStart(Monitor monitor) throws IOException, InterruptedException {
        window(monitor, WARM_UP_MILLIS);
        List<DirtyMeasurement.Window> windows = new ArrayList<>();
        for (int millis : BEFORE_START_MILLIS) {
            RoundRecord.Sample window = window(monitor, millis);
            windows.add(new DirtyMeasurement.Window(Math.round(window.seconds() * 1000), window.pages()));
        }
        return new DirtyMeasurement(windows, METHOD, zeroShare(monitor));
    }

    /**
     * The guest's zero pages, sampled after the windows ({@link ZeroPages}); null when QEMU will not show its memory:
     * the windows still make a forecast, with the zero pages of the VM's last migration if it had one.
     */
    private static Double zeroShare(Monitor monitor) throws InterruptedException {
        try {
            return ZeroPages.sample(monitor);
        } catch (IOException | RuntimeException e) {
            org.jboss.logging.Logger.getLogger(DirtySample.class).warn("the guest's zero pages could not be sampled; the "
                    + "forecast goes without: " + e.getMessage());
            return null;
        }
    }

    private static RoundRecord.Sample window(Monitor monitor, int millis) throws IOException, InterruptedException {
        monitor.call("calc-dirty-rate", start(millis));
        Thread.sleep(millis);
        long until = System.nanoTime() + ANSWER_MILLIS * 1_000_000L;
        RoundRecord.Sample window;
        while ((window = of(monitor.call("query-dirty-rate", query()), PreCopyEngine.PAGE_SIZE)) == null) {
            if (System.nanoTime() - until > 0) {
                throw new IOException("QEMU did not finish measuring a " + millis + " ms window within " + ANSWER_MILLIS
                        + " ms more");
            }
            Thread.sleep(POLL_MILLIS);
        }
        return window;
    }

    /** query-dirty-rate's arguments: the window in milliseconds, as it was asked for. */
    public static Map<String, Object> query() {
        return Map.of("calc-time-unit", "millisecond");
    }

    /**
     * The window from query-dirty-rate's answer: distinct pages written in it (QEMU reports MiB/s); null while QEMU
     * is still measuring, or when the measurement failed.
     */
    public static RoundRecord.Sample of(JsonNode answer, long pageSize) {
        if (!answer.path("status").asText().equals("measured") || !answer.has("dirty-rate")) {
            return null;
        }
        double millis = answer.path("calc-time").asDouble(MILLIS);
        double pages = answer.path("dirty-rate").asDouble() * (1 << 20) / pageSize * millis / 1000;
        return new RoundRecord.Sample(millis / 1000, Math.round(pages));
    }
}
