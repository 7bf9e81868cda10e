package dev.ferry.scheduler.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Planning that runs the engine many times (an evacuation's plan tries every concurrency and three ways to choose
 * destinations: tenths of a second for 30 VMs, seconds for a large host) must not hold the event loop, which serves
 * every request and every Kafka record of the service meanwhile. The work runs on a worker thread, and what follows it
 * comes back on the caller's Vert.x context, where the reactive database session lives.
 */
public final class OffTheLoop {
    private OffTheLoop() {
    }

    /** {@code work} on a worker thread; its result delivered on the subscriber's context (as is, without one). */
    public static <T> Uni<T> compute(Supplier<T> work) {
        // the context is the subscriber's, read when it subscribes
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            Uni<T> off = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return context == null ? off : off.emitOn(command -> context.runOnContext(x -> command.run()));
        });
    }
}
