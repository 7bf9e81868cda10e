package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.MigrationPriority;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A request to move a running VM.
 *
 * @param vmId              the VM to move
 * @param targetHostId      the destination; omit it and the scheduler picks the best compatible host
 * @param maxDowntimeMillis the longest pause the VM may take at switch-over (QEMU's default target is 300 ms)
 * @param deadline          when the migration must be over; past it, it is cancelled and the VM stays on the source
 * @param throttleCeilingPercent the highest vCPU throttle the policy may apply
 * @param allowPostCopy     whether the policy may switch to post-copy
 * @param priority          EVACUATION before USER before REBALANCE when slots are scarce (default USER)
 * @param maxRetries        how often the migration is run again as a new attempt after the worker running it died
 *                          (default 1)
 * @param policy            the convergence policy the worker steers with: ferry, qemu-default, qemu-auto-converge, xen,
 *                          xen-legacy, nova or kubevirt (default: the workers' own, ferry unless configured otherwise);
 *                          the forecast runs the same policy
 */
@Schema(example = "{\"vmId\": 1, \"targetHostId\": 2, \"maxDowntimeMillis\": 300, \"deadline\": \"2026-11-25T22:00:00Z\", "
        + "\"throttleCeilingPercent\": 50, \"allowPostCopy\": false, \"priority\": \"USER\", \"maxRetries\": 1, \"policy\": \"ferry\"}")
public record MigrationRequest(
        @NotNull Long vmId,
        Long targetHostId,
        @Min(1) @Max(60_000) Long maxDowntimeMillis,
        @Future Instant deadline,
        @Min(0) @Max(99) Integer throttleCeilingPercent,
        Boolean allowPostCopy,
        MigrationPriority priority,
        @Min(0) @Max(10) Integer maxRetries,
        @Size(max = 40) String policy) {

    /** The simple form: a VM, a target (or null), a downtime target (or null). */
    public MigrationRequest(Long vmId, Long targetHostId, Long maxDowntimeMillis) {
        this(vmId, targetHostId, maxDowntimeMillis, null, null, null, null, null, null);
    }
}
