package dev.ferry.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A command on {@link Topics#MIGRATION_COMMANDS}, keyed by {@code migrationId}.
 *
 * @param commandId   unique id of this command, for idempotent consumers and the audit trail
 * @param type        start or cancel
 * @param migrationId the migration this command belongs to
 * @param attempt     attempt (epoch) of the migration; a worker ignores commands of older attempts
 * @param vmId        inventory id of the VM that moves
 * @param vmName      the VM's name, for logs and progress
 * @param sourceHostId inventory id of the host the VM runs on
 * @param targetHostId inventory id of the reserved destination
 * @param reservationId inventory id of the destination reservation
 * @param memoryBytes the VM's memory
 * @param linkBandwidthBytesPerSecond migration link bandwidth between the two hosts
 * @param maxDowntimeMillis the operator's downtime target
 * @param issuedAt    when the scheduler issued the command
 * @param throttleCeilingPercent the highest vCPU throttle the worker's policy may apply; null: the worker's default
 * @param allowPostCopy whether the policy may switch to post-copy
 * @param deadline    when the migration must be over; null: none given. The worker ends it by then (abort or
 *                    post-copy), the scheduler's watchdog enforces it too
 * @param sourceLibvirtUri where the libvirt driver reaches the source's libvirtd (qemu+tls://hv-01/system); null for
 *                    a host without one (simulated, QMP)
 * @param targetLibvirtUri the same for the destination
 * @param targetMigrationAddress the address the destination takes the migration stream on
 * @param requestedBy who asked for what this command carries out: the migration's requester for START, the operator
 *                    who cancelled or forced it for CANCEL and FORCE_COMPLETE; null from a scheduler before 0.2
 * @param policy      the convergence policy the request chose (ferry or a reference policy); null: the worker's default
 * @param bandwidthCapBytesPerSecond the migration's share of the links it crosses, which it shares with other migrations
 *                    (set on START and by LIMIT_BANDWIDTH when the share changes); null: the whole link
 * @param measureDirtyRate START only: measure how the guest writes just before round 1 and report it
 *                    ({@link EventType#DIRTY_RATE_MEASURED}), for the scheduler's forecast; null: do not
 */
public record MigrationCommand(
        String commandId,
        CommandType type,
        UUID migrationId,
        int attempt,
        long vmId,
        String vmName,
        long sourceHostId,
        long targetHostId,
        long reservationId,
        long memoryBytes,
        long linkBandwidthBytesPerSecond,
        long maxDowntimeMillis,
        Instant issuedAt,
        Integer throttleCeilingPercent,
        boolean allowPostCopy,
        Instant deadline,
        String sourceLibvirtUri,
        String targetLibvirtUri,
        String targetMigrationAddress,
        Principal requestedBy,
        String policy,
        Long bandwidthCapBytesPerSecond,
        Boolean measureDirtyRate) {

    /** A command that asks for no measurement before the start. */
    public MigrationCommand(String commandId, CommandType type, UUID migrationId, int attempt, long vmId, String vmName,
            long sourceHostId, long targetHostId, long reservationId, long memoryBytes, long linkBandwidthBytesPerSecond,
            long maxDowntimeMillis, Instant issuedAt, Integer throttleCeilingPercent, boolean allowPostCopy, Instant deadline,
            String sourceLibvirtUri, String targetLibvirtUri, String targetMigrationAddress, Principal requestedBy,
            String policy, Long bandwidthCapBytesPerSecond) {
        this(commandId, type, migrationId, attempt, vmId, vmName, sourceHostId, targetHostId, reservationId, memoryBytes,
                linkBandwidthBytesPerSecond, maxDowntimeMillis, issuedAt, throttleCeilingPercent, allowPostCopy, deadline,
                sourceLibvirtUri, targetLibvirtUri, targetMigrationAddress, requestedBy, policy, bandwidthCapBytesPerSecond, null);
    }

    /** Whether the worker should measure the guest's writing before round 1. */
    public boolean measuresFirst() {
        return Boolean.TRUE.equals(measureDirtyRate);
    }

    /** Checks what a worker cannot do without; a command failing this goes to the dead-letter topic. */
    public MigrationCommand validate() {
        require(commandId != null && !commandId.isBlank(), "commandId is missing");
        require(type != null, "type is missing");
        require(migrationId != null, "migrationId is missing");
        require(attempt >= 1, "attempt must be >= 1");
        if (type == CommandType.START) {
            require(memoryBytes > 0, "memoryBytes must be > 0");
            require(linkBandwidthBytesPerSecond > 0, "linkBandwidthBytesPerSecond must be > 0");
            require(maxDowntimeMillis > 0, "maxDowntimeMillis must be > 0");
            require(throttleCeilingPercent == null || (throttleCeilingPercent >= 0 && throttleCeilingPercent <= 99),
                    "throttleCeilingPercent must be 0..99");
        }
        if (type == CommandType.LIMIT_BANDWIDTH) {
            require(bandwidthCapBytesPerSecond != null && bandwidthCapBytesPerSecond > 0,
                    "bandwidthCapBytesPerSecond must be > 0 for LIMIT_BANDWIDTH");
        }
        require(bandwidthCapBytesPerSecond == null || bandwidthCapBytesPerSecond > 0, "bandwidthCapBytesPerSecond must be > 0");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidRecordException("invalid migration command: " + message);
        }
    }
}
