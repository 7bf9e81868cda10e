package dev.ferry.support.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.Test;

class TraceParentsTest {
    private final Tracer tracer = SdkTracerProvider.builder().build().get("test");

    @Test
    void aStoredTraceparentBringsBackTheSpanItWasTakenFrom() {
        Span span = tracer.spanBuilder("request").startSpan();
        String stored = TraceParents.of(Context.root().with(span));

        assertThat(stored).matches("00-" + span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId() + "-01");
        Span child = tracer.spanBuilder("later").setParent(TraceParents.context(stored)).startSpan();
        assertThat(child.getSpanContext().getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(Span.fromContext(TraceParents.context(stored)).getSpanContext().getSpanId())
                .isEqualTo(span.getSpanContext().getSpanId());
    }

    @Test
    void theCurrentSpanIsWhatIsOnTheThread() {
        Span span = tracer.spanBuilder("request").startSpan();
        assertThat(TraceParents.current()).isNull();
        try (Scope ignored = span.makeCurrent()) {
            assertThat(TraceParents.current()).contains(span.getSpanContext().getSpanId());
        }
    }

    @Test
    void noTraceIsNullBothWays() {
        assertThat(TraceParents.of(Context.root())).isNull();
        assertThat(TraceParents.of(null)).isNull();
        assertThat(TraceParents.context(null)).isNull();
        assertThat(TraceParents.context("")).isNull();
        assertThat(TraceParents.context("not-a-traceparent")).isNull();
        assertThat(TraceParents.context("00-00000000000000000000000000000000-0000000000000000-01")).isNull();
    }
}
