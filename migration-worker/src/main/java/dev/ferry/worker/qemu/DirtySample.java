package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;
import java.util.Map;

/**
 * A short window of the guest's dirty curve, measured while the first pass runs, for either way QEMU is reached (QMP
 * directly, or libvirt's monitor passthrough): QEMU's calc-dirty-rate, sampling pages (it needs no KVM and runs beside
 * the migration). The first round's own window is seconds long and, for a guest that rewrites its working set
 * faster, saturated; a quarter of a second tells a fast writer of a small set from a slow writer of a large one.
 * QEMU's dirty-pages-rate of a pass is no such window: it averages over the seconds since its last update, which for a
 * long round is the round itself. Pure.
 */
public final class DirtySample {
    /** The window, the simulator's too ({@link PreCopyEngine#EARLY_SAMPLE_SECONDS}). */
    static final int MILLIS = (int) Math.round(PreCopyEngine.EARLY_SAMPLE_SECONDS * 1000);
    /** Pages sampled per GiB of guest memory (QEMU's default is 512; more make a small guest's figure less coarse). */
    static final int PAGES_PER_GIB = 4096;

    private DirtySample() {
    }

    /** calc-dirty-rate's arguments. */
    public static Map<String, Object> start() {
        return Map.of("calc-time", MILLIS, "calc-time-unit", "millisecond", "sample-pages", PAGES_PER_GIB, "mode", "page-sampling");
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
