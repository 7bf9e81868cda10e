package dev.ferry.inventory.discovery;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The periodic sync: every host with a libvirt URI is probed again, so that its facts stay current, its guests are
 * compared with inventory (differences become discrepancies) and the LIBVIRT_CPU pre-check reads a recent answer.
 * Kafka or the database away: this tick is skipped and the next one tries again.
 */
@ApplicationScoped
public class HostSync {
    private static final Logger LOG = Logger.getLogger(HostSync.class);

    @Inject
    HostDiscovery discovery;

    @Scheduled(every = "${ferry.inventory.host-sync-interval:5m}", delayed = "${ferry.inventory.host-sync-interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sync() {
        return discovery.probeAll()
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("host sync: probed %d host(s)", n);
                    }
                })
                .onFailure().invoke(e -> LOG.warn("host sync failed; trying again on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
