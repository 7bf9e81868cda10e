package dev.ferry.support.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A span's place in its trace as the W3C {@code traceparent} text, the form in which Ferry stores it beside what
 * outlives a request (an outbox row, a migration's attempt) and carries it to where the work goes on.
 * Null stands for "no trace": tracing is off, or the span was never sampled.
 */
public final class TraceParents {
    public static final String HEADER = "traceparent";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private TraceParents() {
    }

    /** The traceparent of {@code context}'s span, or null when it has no valid one. */
    public static String of(Context context) {
        if (context == null || !Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(context, carrier, Map::put);
        return carrier.get(HEADER);
    }

    /** The traceparent of the span current on this thread (or Vert.x context), or null. */
    public static String current() {
        return of(Context.current());
    }

    /** The context whose parent is the span {@code traceparent} names; null for null or a malformed value. */
    public static Context context(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return null;
        }
        Context extracted = W3C.extract(Context.root(), traceparent, ONE_HEADER);
        return Span.fromContext(extracted).getSpanContext().isValid() ? extracted : null;
    }

    private static final TextMapGetter<String> ONE_HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };
}
