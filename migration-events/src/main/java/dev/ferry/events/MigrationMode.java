package dev.ferry.events;

/** How memory moves: the VM runs on the source until the switch-over, or on the destination while the rest is pulled. */
public enum MigrationMode {
    /** Rounds copy memory while the VM runs on the source; a short pause at the end (the downtime). */
    PRE_COPY,
    /** The VM already runs on the destination and faults in the pages still on the source: it cannot be undone. */
    POST_COPY;

    /** An older producer sent no mode: it only knew pre-copy. */
    public static MigrationMode orDefault(MigrationMode m) {
        return m == null ? PRE_COPY : m;
    }
}
