package dev.ferry.worker.qemu;

import dev.ferry.model.engine.RoundRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a convergence policy's throttle is applied through QEMU's auto-converge, whichever way the parameters reach QEMU
 * (QMP directly, or libvirt's QEMU monitor passthrough). Auto-converge is only the means: armed idle, it throttles at
 * most 1 % and only on a real stall; when the policy names a throttle, that figure becomes both its first step and its
 * ceiling, so that QEMU goes straight there and no further, at the second of its looks at the guest (at most one a
 * second, at the end of a pass) that finds it writing. Which figure to set: {@code SteeredThrottle}. Pure.
 */
public final class AutoConverge {
    /**
     * How much faster than the link a guest must write in the first pass's sampled window for that pass's look to be
     * counted ({@link #counting}). On the real-guest suite's eighth run the same quarter-second window taken before the
     * start (the first pass's own windows are not logged) read 1.39x-1.57x a 100 MiB/s link for a guest that outruns it
     * (uniform at 200 MiB/s) and 1.75x-1.9x (seq at 200); for guests at the link's pace at most 1.14x (seq and uniform
     * at 100): a thin margin, on the side of not counting.
     */
    static final double OUTRUNS_LINK = 1.3;
    /** What QEMU's auto-converge, armed idle, may apply by itself. */
    static final int IDLE_PERCENT = 1;

    private AutoConverge() {
    }

    /** migrate-set-parameters for auto-converge armed but idle until the policy asks. */
    public static Map<String, Object> idle() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", 100);
        params.put("cpu-throttle-initial", IDLE_PERCENT);
        params.put("cpu-throttle-increment", 99);
        params.put("max-cpu-throttle", IDLE_PERCENT);
        return params;
    }

    /**
     * Armed idle, but counting: the look QEMU takes at the end of the first pass counts as the first of the two that
     * must find the guest writing before it throttles, so that a throttle the policy asks after that pass lands at
     * QEMU's next look, about a second sooner (the second look after the request otherwise). For a guest whose sampled
     * window already outruns the link ({@link #countsFirstLook}); once the first pass is judged, {@link #idle} or a
     * figure must follow before QEMU's next look, or QEMU throttles by its idle 1 % at that look. Even idle again, QEMU
     * keeps the look counted (it forgets it only when it throttles): one later look finding the guest writing more than
     * the link sends then applies the idle 1 %, where two were needed before.
     */
    public static Map<String, Object> counting() {
        Map<String, Object> params = idle();
        params.put("throttle-trigger-threshold", 1);
        return params;
    }

    /** Whether a window sampled as the first pass began shows a guest writing {@value #OUTRUNS_LINK}x the link or more. */
    public static boolean countsFirstLook(RoundRecord.Sample window, long pageSize, double bandwidthBytesPerSecond) {
        return window != null && window.seconds() > 0
                && window.pages() * (double) pageSize / window.seconds() >= OUTRUNS_LINK * bandwidthBytesPerSecond;
    }

    /**
     * QEMU's own defaults for auto-converge (QEMU 10: throttle past half the link, first step 20 %, then 10 % more a
     * check, up to 99 %), set before a migration that is to run under QEMU's auto-converge: a process that served a
     * steered migration before (one that was cancelled, or a guest that moved here and back) keeps the parameters it
     * was given, and would otherwise run "QEMU's auto-converge" with a policy's idle settings.
     */
    public static Map<String, Object> qemuDefaults() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", 50);
        params.put("cpu-throttle-initial", 20);
        params.put("cpu-throttle-increment", 10);
        params.put("cpu-throttle-tailslow", false);
        params.put("max-cpu-throttle", 99);
        return params;
    }

    /** The parameters that make {@code percent} the figure QEMU applies at its next check: none is {@link #idle}. */
    public static Map<String, Object> figure(int percent) {
        return percent <= 0 ? idle() : ceiling(percent);
    }

    /**
     * The same under libvirt, which sets auto-converge's first step itself as the migration starts and restores it as
     * the job ends, while QEMU refuses a first step above the ceiling: the ceiling is left at QEMU's 99 %. Idle: a
     * first step of 1 %, and only on a real stall, by 1 % a check.
     */
    public static Map<String, Object> idleUnderLibvirt() {
        return step(100, 1, 1);
    }

    /**
     * Takes the throttle from {@code current} to the policy's {@code percent} at QEMU's next check without a ceiling:
     * QEMU throttles at any dirtying (a trigger threshold of 1 %), the first step is the figure (a throttle not yet
     * active starts there) and the increment is the difference (an active one moves there). Once there,
     * {@link #holdUnderLibvirt} must follow, or QEMU goes on adding the increment at every other check.
     */
    public static Map<String, Object> stepUnderLibvirt(int percent, int current) {
        return step(1, percent, Math.max(1, percent - current));
    }

    /**
     * Holds the throttle at the policy's figure once it is there (see {@link #stepUnderLibvirt}): QEMU raises it again
     * only when the guest dirtied more in a period than was sent in it (a trigger threshold of 100 %, at two checks in
     * a row), and then by 1 %. Without a ceiling (libvirt's), this is what keeps the policy's figure, its throttle
     * ceiling included, the throttle in force on a guest the throttle holds; one it cannot hold may still creep until
     * the policy gives it up.
     */
    public static Map<String, Object> holdUnderLibvirt() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", 100);
        params.put("cpu-throttle-increment", 1);
        return params;
    }

    private static Map<String, Object> step(int threshold, int initial, int increment) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", threshold);
        params.put("cpu-throttle-initial", initial);
        params.put("cpu-throttle-increment", increment);
        return params;
    }

    /** migrate-set-parameters that make {@code percent} auto-converge's step and ceiling, acting at the next check. */
    public static Map<String, Object> ceiling(int percent) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("throttle-trigger-threshold", 1);
        params.put("cpu-throttle-initial", percent);
        params.put("max-cpu-throttle", percent);
        return params;
    }
}
