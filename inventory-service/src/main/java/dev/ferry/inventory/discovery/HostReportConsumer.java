package dev.ferry.inventory.discovery;

import dev.ferry.events.EventCodec;
import dev.ferry.messaging.IdempotentConsumer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies the workers' host reports once each (by probe id; a replayed report changes nothing), with the database away
 * waited out; a record that cannot be parsed goes to the dead-letter topic.
 */
@ApplicationScoped
public class HostReportConsumer {

    @Inject
    HostDiscovery discovery;

    @Inject
    IdempotentConsumer consumer;

    @Incoming("host-reports")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.hostReport(payload))
                .flatMap(report -> consumer.applyOnce("host-report-" + report.probeId(), () -> discovery.apply(report)))
                .replaceWithVoid();
    }
}
