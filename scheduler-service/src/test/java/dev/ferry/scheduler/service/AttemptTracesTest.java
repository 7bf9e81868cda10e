package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.support.tracing.TraceParents;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AttemptTracesTest {
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    ended.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    private final AttemptTraces traces = new AttemptTraces(provider.get("ferry"));
    private final Span request = provider.get("http").spanBuilder("POST /migrations").startSpan();

    private static Migration migration() {
        Migration m = Migration.accepted(UUID.randomUUID(), Instant.now());
        m.vmId = 7;
        m.vmName = "web-1";
        return m;
    }

    private SpanData attemptSpan(Migration m) {
        String spanId = Span.fromContext(TraceParents.context(m.traceParent)).getSpanContext().getSpanId();
        return ended.stream().filter(s -> s.getSpanId().equals(spanId)).findFirst().orElseThrow();
    }

    @Test
    void aMigrationAskedForAloneBeginsItsAttemptInsideTheRequestsTrace() {
        Migration m = migration();
        try (Scope ignored = request.makeCurrent()) {
            traces.first(m);
        }
        SpanData attempt = attemptSpan(m);
        assertThat(attempt.getName()).isEqualTo("migration attempt");
        assertThat(attempt.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(attempt.getAttributes().asMap().toString()).contains("ferry.migration.id=" + m.id, "ferry.migration.attempt=1",
                "ferry.vm.name=web-1");
    }

    @Test
    void eachMigrationOfAnEvacuationHasATraceOfItsOwnLinkedToTheRequest() {
        Migration a = migration();
        Migration b = migration();
        try (Scope ignored = request.makeCurrent()) {
            traces.planned(a);
            traces.planned(b);
        }
        SpanData first = attemptSpan(a);
        SpanData second = attemptSpan(b);
        assertThat(first.getTraceId()).isNotEqualTo(request.getSpanContext().getTraceId()).isNotEqualTo(second.getTraceId());
        assertThat(first.getParentSpanContext().isValid()).isFalse();
        assertThat(first.getLinks()).extracting(l -> l.getSpanContext().getSpanId()).containsExactly(request.getSpanContext().getSpanId());
    }

    @Test
    void aNextAttemptIsANewTraceLinkedToTheAttemptBefore() {
        Migration m = migration();
        try (Scope ignored = request.makeCurrent()) {
            traces.first(m);
        }
        SpanData firstAttempt = attemptSpan(m);
        m.attempt = 2;
        traces.next(m);
        SpanData secondAttempt = attemptSpan(m);
        assertThat(secondAttempt.getTraceId()).isNotEqualTo(firstAttempt.getTraceId());
        assertThat(secondAttempt.getLinks()).extracting(l -> l.getSpanContext().getSpanId()).containsExactly(firstAttempt.getSpanId());
        assertThat(secondAttempt.getAttributes().asMap().toString()).contains("ferry.migration.attempt=2");
    }

    @Test
    void withTracingOffAMigrationKeepsNoTraceparent() {
        AttemptTraces off = new AttemptTraces(OpenTelemetry.noop().getTracer("ferry"));
        Migration m = migration();
        try (Scope ignored = Context.root().makeCurrent()) {
            off.first(m);
        }
        assertThat(m.traceParent).isNull();
        off.next(m);
        assertThat(m.traceParent).isNull();
    }
}
