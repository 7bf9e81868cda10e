package dev.ferry.inventory.discovery;

import dev.ferry.inventory.InventoryConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The periodic sync: every host with a libvirt URI is probed again, so that its facts stay current, its guests are
 * compared with inventory (differences become discrepancies) and the pre-checks read a recent answer. Every replica
 * ticks; each host is probed by one of them per interval. A watch raises probes nobody answered. Kafka or the database
 * away: this tick is skipped and the next one tries again.
 */
@ApplicationScoped
public class HostSync {
    private static final Logger LOG = Logger.getLogger(HostSync.class);

    @Inject
    HostDiscovery discovery;

    @Inject
    InventoryConfig config;

    @Scheduled(every = "${ferry.inventory.host-sync-interval:5m}", delayed = "${ferry.inventory.host-sync-interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sync() {
        return discovery.probeDue(DurationConverter.parseDuration(config.hostSyncInterval()))
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("host sync: probed %d host(s)", n);
                    }
                })
                .onFailure().invoke(e -> LOG.warn("host sync failed; trying again on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    @Scheduled(every = "${ferry.inventory.probe-watch-interval:30s}", delayed = "${ferry.inventory.probe-watch-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> watch() {
        return discovery.raiseUnanswered(config.probeAnswerTimeout())
                .invoke(n -> {
                    if (n > 0) {
                        LOG.warnf("%d host probe(s) unanswered for %s: raised and sent again", n, config.probeAnswerTimeout());
                    }
                })
                .onFailure().invoke(e -> LOG.warn("probe watch failed; trying again on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
