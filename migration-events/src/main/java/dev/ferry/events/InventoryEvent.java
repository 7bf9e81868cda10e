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
        String reason) {

    /** The Kafka key: events about one VM (or one host) stay in order on one partition. */
    public String key() {
        return type == InventoryEventType.HOST_STATE_CHANGED ? "host-" + hostId : "vm-" + vmId;
    }
}
