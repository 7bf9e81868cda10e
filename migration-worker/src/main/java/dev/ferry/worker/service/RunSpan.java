package dev.ferry.worker.service;

import dev.ferry.events.MigrationCommand;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The worker's span of one run of a migration's attempt, in the trace its START came in (docs/DEPLOY.md, "Tracing").
 * Current on the run's thread while it lasts, so that the events (heartbeats too, sent from another thread in its
 * context) and their consumers go on under it; each event but the heartbeats is also an event on this span, a
 * timeline of the rounds. Claim renewals serve all runs at once and are not traced.
 */
final class RunSpan implements AutoCloseable {
    private final Span span;
    private final Scope scope;

    private RunSpan(Span span) {
        this.span = span;
        this.scope = span.makeCurrent();
    }

    static RunSpan start(Tracer tracer, MigrationCommand command, String workerId) {
        return new RunSpan(tracer.spanBuilder("migration run").setSpanKind(SpanKind.INTERNAL)
                .setAttribute("ferry.migration.id", command.migrationId().toString())
                .setAttribute("ferry.migration.attempt", command.attempt())
                .setAttribute("ferry.vm.id", command.vmId())
                .setAttribute("ferry.worker.id", workerId)
                .startSpan());
    }

    /** A run that could not publish its outcome (or was fenced off) ends in error: the scheduler decides for it. */
    void reported(boolean reported) {
        if (!reported) {
            span.setStatus(StatusCode.ERROR, "no outcome reported by this run");
        }
    }

    @Override
    public void close() {
        scope.close();
        span.end();
    }
}
