package dev.ferry.inventory.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.events.Topics;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.Vm;
import dev.ferry.messaging.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes inventory-events as outbox rows in the caller's transaction, so that the database and Kafka
 * never disagree: the event exists exactly when the change committed.
 */
@ApplicationScoped
public class InventoryEventLog {

    @Inject
    Outbox outbox;

    @Inject
    FleetAudit audit;

    /** A host's state changed, by the caller's hand (who is named in the event). */
    public Uni<Void> hostStateChanged(Host host, String from) {
        return audit.caller().flatMap(by -> write(new InventoryEvent(id(), InventoryEventType.HOST_STATE_CHANGED, Instant.now(),
                host.id, null, null, null, null, null, host.state.name(),
                "host " + host.name + " went from " + from + " to " + host.state + " (by " + by.name() + ")", by)));
    }

    /** A host left the inventory: whatever was queued to go there must go elsewhere. */
    public Uni<Void> hostRemoved(Host host) {
        return audit.caller().flatMap(by -> write(new InventoryEvent(id(), InventoryEventType.HOST_REMOVED, Instant.now(), host.id,
                null, null, null, null, null, null, "host " + host.name + " was removed from the inventory (by " + by.name() + ")", by)));
    }

    /** A VM left the inventory: no migration of it can start any more. */
    public Uni<Void> vmRemoved(Vm vm) {
        return audit.caller().flatMap(by -> write(new InventoryEvent(id(), InventoryEventType.VM_REMOVED, Instant.now(), vm.hostId,
                vm.id, null, null, vm.hostId, null, null, "VM " + vm.name + " was removed from the inventory (by " + by.name() + ")", by)));
    }

    public Uni<Void> placementChanged(long vmId, long fromHostId, long toHostId, String reason) {
        return write(new InventoryEvent(id(), InventoryEventType.VM_PLACEMENT_CHANGED, Instant.now(), toHostId, vmId, null,
                null, fromHostId, toHostId, null, reason));
    }

    public Uni<Void> reservation(InventoryEventType type, Reservation r) {
        return write(new InventoryEvent(id(), type, Instant.now(), r.hostId, r.vmId, r.id, r.migrationId, r.sourceHostId,
                r.hostId, r.state.name(), r.endReason));
    }

    /** Asks the workers to probe a host (discovery and sync): a host-probes record, committed with the caller's change. */
    public Uni<Void> probe(dev.ferry.events.HostProbe probe) {
        return outbox.write(Topics.HOST_PROBES, probe.key(), EventCodec.toJson(probe));
    }

    /** A host's report disagrees with inventory: raised for an operator, nothing changed. */
    public Uni<Void> hostDiscrepancy(long hostId, Long vmId, String kind, String detail) {
        return write(new InventoryEvent(id(), InventoryEventType.HOST_DISCREPANCY, Instant.now(), hostId, vmId, null, null, null,
                null, kind, detail));
    }

    private Uni<Void> write(InventoryEvent event) {
        return outbox.write(Topics.INVENTORY_EVENTS, event.key(), EventCodec.toJson(event));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
