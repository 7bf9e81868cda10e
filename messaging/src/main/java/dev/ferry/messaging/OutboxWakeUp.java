package dev.ferry.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wakes the relay after every commit that wrote outbox rows: a trigger on outbox_message sends NOTIFY, which
 * PostgreSQL delivers at commit to every replica listening. While this connection is down the relay's poll carries on.
 */
@ApplicationScoped
public class OutboxWakeUp {
    private static final Logger LOG = Logger.getLogger(OutboxWakeUp.class);
    static final String CHANNEL = "ferry_outbox";
    /** Reconnect once a second while the database is away. */
    private static final long RECONNECT_MILLIS = 1000;

    @Inject
    Vertx vertx;

    @Inject
    OutboxRelay relay;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    private PgSubscriber subscriber;
    private volatile boolean stopping;

    void onStart(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setUser(user).setPassword(password);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> RECONNECT_MILLIS);
        subscriber.channel(CHANNEL).handler(payload -> relay.kick());
        connect();
    }

    private void connect() {
        subscriber.connect().subscribe().with(
                ok -> {
                    LOG.infof("outbox relay listening for commits on channel %s", CHANNEL);
                    relay.kick(); // rows may have been written while nobody listened
                },
                e -> {
                    if (!stopping) {
                        LOG.warnf("outbox notifications unavailable (%s); polling meanwhile, retrying", e.getMessage());
                        vertx.setTimer(RECONNECT_MILLIS * 5, id -> connect());
                    }
                });
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (subscriber != null) {
            subscriber.close().subscribe().with(x -> { }, e -> { });
        }
    }
}
