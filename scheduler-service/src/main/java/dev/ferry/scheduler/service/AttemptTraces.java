package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.support.tracing.TraceParents;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * One trace per attempt of a migration (docs/DEPLOY.md, "Tracing"). Each attempt begins with a short span, "migration
 * attempt", whose traceparent the migration keeps; its commands (through the outbox and Kafka), the worker's run, its
 * events and every consumer of them continue that trace, however long after the request and on whichever replica.
 * <ul>
 * <li>a migration an operator asked for alone: the attempt is part of the request's trace (REST to worker, one
 *     trace);</li>
 * <li>one of many that a request planned (an evacuation, a rebalance): a trace of its own, linked to the request, so
 *     that thirty moves are not one trace of thirty;</li>
 * <li>a next attempt (the worker died with its job): a new trace, linked to the attempt before.</li>
 * </ul>
 * With tracing off the spans are not recorded and the migration keeps no traceparent.
 */
@ApplicationScoped
public class AttemptTraces {
    private final Tracer tracer;

    @Inject
    public AttemptTraces(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The first attempt of a migration requested alone: in the trace of the request being served. */
    public void first(Migration m) {
        m.traceParent = begin(m, Context.current(), null);
    }

    /** The first attempt of one of the migrations a request planned: its own trace, linked to the request's span. */
    public void planned(Migration m) {
        m.traceParent = begin(m, Context.root(), Span.current().getSpanContext());
    }

    /** A new attempt of {@code m} (already numbered): a new trace, linked to where the previous attempt began. */
    public void next(Migration m) {
        Context previous = TraceParents.context(m.traceParent);
        m.traceParent = begin(m, Context.root(), previous == null ? null : Span.fromContext(previous).getSpanContext());
    }

    private String begin(Migration m, Context parent, SpanContext link) {
        SpanBuilder span = tracer.spanBuilder("migration attempt").setParent(parent).setSpanKind(SpanKind.INTERNAL)
                .setAttribute("ferry.migration.id", String.valueOf(m.id))
                .setAttribute("ferry.migration.attempt", m.attempt)
                .setAttribute("ferry.vm.id", m.vmId);
        if (m.vmName != null) {
            span.setAttribute("ferry.vm.name", m.vmName);
        }
        if (link != null && link.isValid()) {
            span.addLink(link);
        }
        Span started = span.startSpan();
        // it marks the beginning: an attempt outlives this process's view of it (takeovers, other replicas)
        started.end();
        return TraceParents.of(parent.with(started));
    }
}
