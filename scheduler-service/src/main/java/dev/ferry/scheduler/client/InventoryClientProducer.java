package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.scheduler.service.SchedulerConfig;
import io.quarkus.oidc.client.reactive.filter.OidcClientRequestReactiveFilter;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * inventory-service as the scheduler calls it: inventory-api's own client interface, bounded by timeouts so that a slow
 * inventory never hangs a request, its refusals turned into {@link InventoryRefusal}, authenticated as the scheduler.
 */
@ApplicationScoped
public class InventoryClientProducer {

    @Inject
    SchedulerConfig config;

    /** Puts the scheduler's own token (client credentials, quarkus.oidc-client) on every call, renewed before expiry. */
    @Inject
    OidcClientRequestReactiveFilter serviceToken;

    @Produces
    @ApplicationScoped
    InventoryApi inventory() {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(config.inventoryUrl()))
                .connectTimeout(config.inventoryConnectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.inventoryReadTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .register(InventoryProblems.class)
                .register(serviceToken)
                .build(InventoryApi.class);
    }
}
