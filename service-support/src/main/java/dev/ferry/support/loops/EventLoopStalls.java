package dev.ferry.support.loops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * How long the service's event loops keep work waiting: every {@code ferry.event-loop.probe-interval} a task goes onto
 * each Vert.x event loop, and the time until it runs is recorded as {@code ferry_event_loop_delay}. Every request,
 * database answer and Kafka batch of a reactive service runs on these few loops (two per core), so a loop busy for
 * 100 ms with one thing delays by up to 100 ms whatever else it serves. Vert.x's own checker only warns after 2 s.
 *
 * <p>At debug level (category {@code dev.ferry.support.loops}), a stall of {@code ferry.event-loop.stall-threshold}
 * or more is logged when it ends, with its start and what the loop was running while it stalled (its stack, taken
 * from this probe's own thread as the threshold passed), so that a slow request can be lined up with its cause.
 */
@ApplicationScoped
public class EventLoopStalls {
    private static final Logger LOG = Logger.getLogger(EventLoopStalls.class);
    private static final int FRAMES = 12;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "ferry.event-loop.probe-interval", defaultValue = "PT0.02S")
    Duration interval;

    @ConfigProperty(name = "ferry.event-loop.stall-threshold", defaultValue = "PT0.1S")
    Duration threshold;

    private ScheduledExecutorService probing;

    /** A loop, its probe, and the thread that runs it (known once its first probe ran). */
    private static final class Loop {
        final EventExecutor executor;
        final LoopProbe probe = new LoopProbe();
        volatile Thread thread;
        volatile String stack;

        Loop(EventExecutor executor) {
            this.executor = executor;
        }
    }

    void start(@Observes StartupEvent started) {
        Timer delay = Timer.builder("ferry_event_loop_delay")
                .description("How long a task put on an event loop waited for it (every event loop, probed every few ms)")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        List<Loop> loops = new ArrayList<>();
        for (EventExecutor e : vertx.nettyEventLoopGroup()) {
            loops.add(new Loop(e));
        }
        long thresholdNanos = threshold.toNanos();
        probing = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-loop-probe");
            t.setDaemon(true);
            return t;
        });
        probing.scheduleAtFixedRate(() -> {
            for (Loop loop : loops) {
                probe(loop, delay, thresholdNanos);
            }
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        LOG.debugf("probing %d event loops every %d ms", loops.size(), interval.toMillis());
    }

    private static void probe(Loop loop, Timer delay, long thresholdNanos) {
        long now = System.nanoTime();
        Thread thread = loop.thread;
        if (thread != null && LOG.isDebugEnabled() && loop.probe.stalledPast(now, thresholdNanos)) {
            loop.stack = Arrays.stream(thread.getStackTrace()).limit(FRAMES).map(StackTraceElement::toString)
                    .collect(Collectors.joining(" < "));
        }
        if (!loop.probe.submit(now)) {
            return;
        }
        loop.stack = null; // what the last stall ran; this thread alone writes it
        long submitted = System.currentTimeMillis();
        try {
            loop.executor.execute(() -> {
                loop.thread = Thread.currentThread();
                long waited = loop.probe.ran(System.nanoTime());
                delay.record(waited, TimeUnit.NANOSECONDS);
                if (waited >= thresholdNanos && LOG.isDebugEnabled()) {
                    LOG.debugf("event loop %s stalled %d ms from %s; it was running: %s", loop.thread.getName(), waited / 1_000_000,
                            java.time.Instant.ofEpochMilli(submitted), loop.stack != null ? loop.stack : "(not seen)");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            loop.probe.ran(now); // the loop is closing with the service: nothing more to measure on it
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (probing != null) {
            probing.shutdownNow();
        }
    }
}
