package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.Topics;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.OutboxMessage;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.UUID;

/** Commands to workers: built from the migration, audited and queued in the outbox in the caller's transaction. */
final class Commands {
    private Commands() {
    }

    static MigrationCommand of(Migration m, CommandType type) {
        return new MigrationCommand(UUID.randomUUID().toString(), type, m.id, m.attempt, m.vmId, m.vmName,
                m.sourceHostId, m.targetHostId, m.reservationId == null ? 0 : m.reservationId, m.memoryBytes,
                m.linkBandwidthBytesPerSecond, m.maxDowntimeMillis, Instant.now(), m.throttleCeilingPercent, m.allowPostCopy,
                m.deadline);
    }

    static Uni<Void> send(Migration m, CommandType type) {
        MigrationCommand command = of(m, type);
        String json = EventCodec.toJson(command);
        return AuditEntry.of(m.id, AuditEntry.SENT, type.name(), command.commandId(), m.attempt, null, json).persist()
                .call(() -> OutboxMessage.of(Topics.MIGRATION_COMMANDS, m.id.toString(), json).persist())
                .replaceWithVoid();
    }
}
