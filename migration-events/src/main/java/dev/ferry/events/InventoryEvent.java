package dev.ferry.events;

import java.time.Instant;
import java.util.UUID;

/**
 * An event on {@link Topics#INVENTORY_EVENTS}, keyed by host id for host events and by VM id otherwise.
 * Fields that do not apply to the type are null.
 *
 * @param eventId       unique id, the dedup key of every consumer
 * @param type          what changed
 * @param timestamp     when it changed (the commit that wrote it)
 * @param hostId        the host concerned: the host whose state changed, or the reservation's destination
 * @param vmId          the VM concerned
 * @param reservationId the reservation concerned
 * @param migrationId   the migration a reservation belongs to
 * @param fromHostId    for placement: where the VM ran before
 * @param toHostId      for placement: where it runs now
 * @param state         the new state (host state or reservation state)
 * @param reason        why, in words
 * @param changedBy     who made the change through inventory's API (a host's state, a removal); null for what
 *                      inventory decided itself and for events of an inventory before 0.2
 */
public record InventoryEvent(
        String eventId,
        InventoryEventType type,
        Instant timestamp,
        Long hostId,
        Long vmId,
        Long reservationId,
        UUID migrationId,
        Long fromHostId,
        Long toHostId,
        String state,
        String reason,
        Principal changedBy) {

    /** An event nobody asked for through the API (a reservation, a placement, a host report). */
    public InventoryEvent(String eventId, InventoryEventType type, Instant timestamp, Long hostId, Long vmId, Long reservationId,
            UUID migrationId, Long fromHostId, Long toHostId, String state, String reason) {
        this(eventId, type, timestamp, hostId, vmId, reservationId, migrationId, fromHostId, toHostId, state, reason, null);
    }

    /** Checks what consumers rely on; an event failing this goes to the dead-letter topic. */
    public InventoryEvent validate() {
        if (eventId == null || eventId.isBlank() || type == null) {
            throw new InvalidRecordException("invalid inventory event: eventId and type are required");
        }
        if (type.aboutHost() ? hostId == null : vmId == null) {
            throw new InvalidRecordException("invalid inventory event: " + type + " without " + (type.aboutHost() ? "hostId" : "vmId"));
        }
        return this;
    }

    /** The Kafka key: events about one VM (or one host) stay in order on one partition. */
    public String key() {
        return type.aboutHost() ? "host-" + hostId : "vm-" + vmId;
    }
}
