package dev.ferry.inventory.service;

import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.ReservationState;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.model.Vm;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the whole fleet in the current session; called inside a transaction when it backs a reservation. */
@ApplicationScoped
public class FleetReader {

    public Uni<FleetView> read() {
        // One query after another: a reactive session runs one statement at a time.
        return Vm.<Vm>listAll()
                .flatMap(vms -> StoragePool.<StoragePool>listAll()
                        .flatMap(pools -> Network.<Network>listAll()
                                .flatMap(networks -> Reservation.<Reservation>list("state", ReservationState.ACTIVE)
                                        .map(reservations -> new FleetView(vms, pools, networks, reservations)))));
    }
}
