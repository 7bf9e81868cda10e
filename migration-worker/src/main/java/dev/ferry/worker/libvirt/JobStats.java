package dev.ferry.worker.libvirt;

import dev.ferry.model.engine.RoundRecord;
import java.util.Map;

/**
 * One reading of libvirt's migration job statistics (virDomainGetJobStats), by libvirt's field names, and the round
 * record two readings make: libvirt counts its pre-copy passes in {@code memory_iteration}, so the reading that shows
 * the next iteration closes the round before it. Pure: the numbers come from libvirt, the arithmetic is here.
 */
public record JobStats(Map<String, Double> values) {
    /** Every counter at zero, as a job starts: what a job's first pass is counted from. */
    public static final JobStats AT_START = new JobStats(Map.of());

    public double get(String field) {
        return values.getOrDefault(field, 0.0);
    }

    public long iteration() {
        return (long) get("memory_iteration");
    }

    public long processed() {
        return (long) get("memory_processed");
    }

    public long remaining() {
        return (long) get("memory_remaining");
    }

    public long pageSize() {
        long size = (long) get("memory_page_size");
        return size > 0 ? size : 4096;
    }

    /** A job is under way (libvirt reports type NONE, no statistics, before and after). */
    public boolean active() {
        return values.containsKey("memory_iteration") || values.containsKey("time_elapsed");
    }

    /**
     * The live round that ended between {@code before} and {@code after}, {@code seconds} apart, numbered
     * {@code number}, with the short window the driver sampled, if any ({@code DirtySample}; libvirt's memory_dirty_rate
     * is QEMU's average over the round, no second window). A short or nearly empty round says little about the link:
     * then libvirt's own rate, or the cap.
     */
    public static RoundRecord round(int number, JobStats before, JobStats after, double seconds, double capBytesPerSecond,
            RoundRecord.Sample sample) {
        long bytes = Math.max(0, after.processed() - before.processed());
        long zero = Math.max(0, (long) (after.get("memory_constant") - before.get("memory_constant")));
        long normal = Math.max(0, (long) (after.get("memory_normal") - before.get("memory_normal")));
        long remaining = after.remaining();
        long dirtyPages = remaining / after.pageSize();
        double libvirtRate = after.get("memory_bps");
        double bandwidth = bytes >= (4 << 20) && seconds >= 0.2 ? bytes / seconds : libvirtRate > 0 ? libvirtRate : capBytesPerSecond;
        long expected = after.values().containsKey("downtime") ? (long) after.get("downtime")
                : Math.round(remaining * 1000.0 / Math.max(1, bandwidth));
        return new RoundRecord(number, RoundRecord.Kind.LIVE, normal + zero, bytes, zero, 0, dirtyPages, seconds, bandwidth,
                dirtyPages, remaining, expected, (int) after.get("auto_converge_throttle"), sample, null);
    }

    /**
     * A post-copy's last phase with the bytes the source counted while it watched the pull, and their rate over that
     * time: the completed job's statistics, which the destination keeps, do not tell the pull's own bytes.
     */
    public static RoundRecord pulled(RoundRecord phase, long bytes, double watchedSeconds) {
        return new RoundRecord(phase.round(), phase.kind(), phase.pagesSent(), Math.max(phase.bytesSent(), bytes), phase.zeroPages(),
                phase.pagesSkipped(), phase.pagesDirtied(), phase.seconds(), Math.max(0, bytes) / watchedSeconds, phase.remainingPages(),
                phase.remainingBytes(), phase.expectedDowntimeMillis(), phase.throttlePercent(), phase.earlySample(), phase.decision());
    }

    /**
     * The final phase from the completed job's statistics (the destination keeps them: the source's guest is gone): the
     * paused copy, or with {@code pullSeconds} >= 0 the post-copy pull, which lasts that long while the guest runs on the
     * destination (its pause is libvirt's downtime).
     */
    public static RoundRecord finalPhase(int number, JobStats before, JobStats completed, double pullSeconds) {
        boolean postCopy = pullSeconds >= 0;
        long bytes = Math.max(0, completed.processed() - (before == null ? 0 : before.processed()));
        long downtime = (long) completed.get("downtime");
        double seconds = postCopy ? pullSeconds : downtime / 1000.0;
        return new RoundRecord(number, postCopy ? RoundRecord.Kind.POST_COPY : RoundRecord.Kind.STOP_AND_COPY, 0, bytes, 0, 0, 0,
                seconds, seconds > 0 ? bytes / seconds : 0, 0, 0, downtime, 0, null, null);
    }
}
