package dev.ferry.messaging;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.TracingMetadata;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Work done for one record of a batch, in that record's trace. A consumer that takes one message at a time runs in its
 * record's consumer span; one that takes a poll's batch runs in none of them, so what it writes for a record (an outbox
 * row, which keeps the current trace) would leave the record's trace. Without tracing the work runs as it is.
 */
public final class RecordTrace {
    private RecordTrace() {
    }

    public static <T> Uni<T> within(Message<?> record, Supplier<Uni<T>> work) {
        Context trace = record.getMetadata(TracingMetadata.class).map(TracingMetadata::getCurrentContext).orElse(null);
        if (trace == null) {
            return Uni.createFrom().deferred(work::get);
        }
        // current until the work ends, not only while it is assembled: its writes happen later, on the same context
        return Uni.createFrom().deferred(() -> {
            Scope scope = trace.makeCurrent();
            Uni<T> started;
            try {
                started = work.get();
            } catch (RuntimeException e) {
                scope.close();
                throw e;
            }
            return started.onTermination().invoke(scope::close);
        });
    }
}
