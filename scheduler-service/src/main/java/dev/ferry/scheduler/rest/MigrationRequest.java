package dev.ferry.scheduler.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A request to move a running VM.
 *
 * @param vmId              the VM to move
 * @param targetHostId      the destination; omit it and the scheduler picks the best compatible host
 * @param maxDowntimeMillis the longest pause the VM may take at switch-over (QEMU's default target is 300 ms)
 */
@Schema(example = "{\"vmId\": 1, \"targetHostId\": 2, \"maxDowntimeMillis\": 300}")
public record MigrationRequest(
        @NotNull Long vmId,
        Long targetHostId,
        @Min(1) @Max(60_000) Long maxDowntimeMillis) {
}
