package dev.ferry.worker.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A VM's dirty rate measured before a migration, like QEMU's calc-dirty-rate: distinct pages written per second
 * over the sampling period. Always from the simulator here, and labelled so.
 */
@Schema(example = "{\"vmId\": 7, \"workload\": \"oltp\", \"seconds\": 1.0, \"dirtyPagesPerSecond\": 141233.0, "
        + "\"dirtyBytesPerSecond\": 578490368.0, \"driver\": \"simulated\"}")
public record DirtyRateSample(long vmId, String workload, double seconds, double dirtyPagesPerSecond,
        double dirtyBytesPerSecond, String driver) {
}
