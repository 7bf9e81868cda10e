package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.Principal;
import dev.ferry.events.Topics;
import dev.ferry.messaging.Outbox;
import dev.ferry.support.tracing.TraceParents;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;

/**
 * Commands to workers: built from the migration, audited and queued in the outbox in the caller's transaction, in the
 * trace of the migration's attempt (AttemptTraces), whoever sends them.
 */
@ApplicationScoped
public class Commands {

    @Inject
    Outbox outbox;

    @Inject
    SchedulerConfig config;

    static MigrationCommand of(Migration m, CommandType type) {
        return of(m, type, null, false);
    }

    /**
     * @param share   the migration's share of the links it crosses (START, LIMIT_BANDWIDTH); null: the whole link
     * @param measure START only: ask the worker to measure the guest's writing before round 1
     */
    static MigrationCommand of(Migration m, CommandType type, Long share, boolean measure) {
        return new MigrationCommand(UUID.randomUUID().toString(), type, m.id, m.attempt, m.vmId, m.vmName,
                m.sourceHostId, m.targetHostId, m.reservationId == null ? 0 : m.reservationId, m.memoryBytes,
                m.linkBandwidthBytesPerSecond, m.maxDowntimeMillis, Instant.now(), m.throttleCeilingPercent, m.allowPostCopy,
                m.deadline, m.sourceLibvirtUri, m.targetLibvirtUri, m.targetMigrationAddress, requestedBy(m, type), m.policy, share,
                type == CommandType.START && measure ? Boolean.TRUE : null);
    }

    /** Who asked for what the command carries out: the requester for a start, the operator for a cancel or a force. */
    public static Principal requestedBy(Migration m, CommandType type) {
        return switch (type) {
            case START -> m.requester();
            case CANCEL -> m.cancelRequestedBy == null ? null : new Principal(m.cancelRequestedBySubject, m.cancelRequestedBy);
            case FORCE_COMPLETE -> m.forceCompleteRequestedBy == null ? null
                    : new Principal(m.forceCompleteRequestedBySubject, m.forceCompleteRequestedBy);
            case LIMIT_BANDWIDTH -> null; // the scheduler's own doing
        };
    }

    Uni<Void> send(Migration m, CommandType type) {
        return send(m, type, null);
    }

    Uni<Void> send(Migration m, CommandType type, Long share) {
        // a run after the first takes over a job that already runs: nothing to measure before it
        MigrationCommand command = of(m, type, share, config.measureDirtyRate() && m.run <= 1);
        String json = EventCodec.toJson(command);
        return AuditEntry.of(m.id, AuditEntry.SENT, type.name(), command.commandId(), m.attempt, null, json).persist()
                .call(() -> outbox.write(Topics.MIGRATION_COMMANDS, m.id.toString(), json, trace(m)))
                .replaceWithVoid();
    }

    /** The attempt's trace; for a migration that began while tracing was off, whatever is being traced here. */
    private static String trace(Migration m) {
        return m.traceParent != null ? m.traceParent : TraceParents.current();
    }

    /** An event on the workers' topic in the scheduler's name (the outcome of {@code m}, which it ended), in the outbox. */
    Uni<Void> publish(Migration m, dev.ferry.events.MigrationEvent event) {
        return outbox.write(Topics.MIGRATION_EVENTS, event.migrationId().toString(), EventCodec.toJson(event), trace(m));
    }
}
