package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.scheduler.service.SchedulerConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * inventory-service as the scheduler calls it: inventory-api's own client interface, bounded by timeouts so that a slow
 * inventory never hangs a request, its refusals turned into {@link InventoryRefusal}.
 */
@ApplicationScoped
public class InventoryClientProducer {

    @Inject
    SchedulerConfig config;

    @Produces
    @ApplicationScoped
    InventoryApi inventory() {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(config.inventoryUrl()))
                .connectTimeout(config.inventoryConnectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.inventoryReadTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .register(InventoryProblems.class)
                .build(InventoryApi.class);
    }
}
