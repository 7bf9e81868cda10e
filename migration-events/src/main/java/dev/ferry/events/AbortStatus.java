package dev.ferry.events;

/** Whether an operator's cancel was asked for and what came of it, beside the phase (KubeVirt's abortStatus). */
public enum AbortStatus {
    /** Nobody asked to cancel. */
    NONE,
    /** A cancel was asked for and sent; the worker has not confirmed yet. */
    REQUESTED,
    /** The cancel took effect: the VM runs on the source. */
    SUCCEEDED,
    /** The cancel came too late: the migration had switched over (or gone post-copy) and the VM runs on the destination. */
    FAILED;

    /** An older producer sent no status: nobody asked. */
    public static AbortStatus orDefault(AbortStatus s) {
        return s == null ? NONE : s;
    }
}
