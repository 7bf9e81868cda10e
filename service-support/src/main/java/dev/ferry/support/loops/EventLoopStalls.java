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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * How long the service's event loops keep work waiting: every {@code ferry.event-loop.probe-interval} a task goes onto
 * each Vert.x event loop, and the time until it runs is recorded as {@code ferry_event_loop_delay}, with the probes a
 * stall kept from going counted as if they had ({@link LoopProbe#waits}). Every request, database answer and Kafka
 * batch of a reactive service runs on these few loops (one per core by default), so a loop busy for 100 ms with one
 * thing delays by up to 100 ms whatever else it serves. Vert.x's own checker only warns after 2 s.
 *
 * <p>At debug level (category {@code dev.ferry.support.loops}), a stall of {@code ferry.event-loop.stall-threshold}
 * or more is logged when it ends, with its start and the loop's stack as this probe's thread saw it once the
 * threshold passed (down to the first frame of Ferry's own code), so that a slow request can be lined up with its
 * cause. "(not seen)" means that thread did not look while the loop stalled: the stall ended before its next tick past
 * the threshold, or the thread itself did not run (no CPU, or a collector's pause, which stops it too).
 */
@ApplicationScoped
public class EventLoopStalls {
    private static final Logger LOG = Logger.getLogger(EventLoopStalls.class);
    /** The most frames a stall's stack keeps, when no frame of Ferry's own comes sooner: the loop's own code is deep. */
    private static final int FRAMES = 40;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    EventLoopConfig config;

    private ScheduledExecutorService probing;

    /** A loop, its probe, and the thread that runs it (known once its first probe ran). */
    private static final class Loop {
        final EventExecutor executor;
        final LoopProbe probe = new LoopProbe();
        volatile Thread thread;
        /** What the loop ran while its current probe waited; written by the probing thread alone. */
        volatile String stack;

        Loop(EventExecutor executor) {
            this.executor = executor;
        }
    }

    void start(@Observes StartupEvent started) {
        long interval = config.probeInterval().toNanos();
        if (interval <= 0) {
            throw new IllegalArgumentException("ferry.event-loop.probe-interval must be positive, not " + config.probeInterval());
        }
        Timer delay = Timer.builder("ferry_event_loop_delay")
                .description("How long a probe put on an event loop waited for it, one every probe interval on every loop")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        List<Loop> loops = new ArrayList<>();
        for (EventExecutor e : vertx.nettyEventLoopGroup()) {
            loops.add(new Loop(e));
        }
        long threshold = config.stallThreshold().toNanos();
        probing = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-loop-probe");
            t.setDaemon(true);
            return t;
        });
        probing.scheduleAtFixedRate(() -> {
            for (Loop loop : loops) {
                try {
                    probe(loop, delay, interval, threshold);
                } catch (RuntimeException | Error e) {
                    // an exception would cancel every later run and leave the metric flat without a word
                    LOG.warnf(e, "probing event loop %s failed", loop.thread != null ? loop.thread.getName() : "(not yet seen)");
                }
            }
        }, interval, interval, TimeUnit.NANOSECONDS);
        LOG.debugf("probing %d event loops every %d ms", loops.size(), config.probeInterval().toMillis());
    }

    private static void probe(Loop loop, Timer delay, long interval, long threshold) {
        long now = System.nanoTime();
        Thread thread = loop.thread;
        if (thread != null && LOG.isDebugEnabled() && loop.probe.stalledPast(now, threshold)) {
            loop.stack = stack(thread.getStackTrace());
        }
        if (!loop.probe.submit(now)) {
            return;
        }
        loop.stack = null; // the last stall's
        Instant submitted = Instant.now();
        try {
            loop.executor.execute(() -> {
                loop.thread = Thread.currentThread();
                long waited = loop.probe.ran(System.nanoTime());
                for (long w : LoopProbe.waits(waited, interval)) {
                    delay.record(w, TimeUnit.NANOSECONDS);
                }
                if (waited >= threshold && LOG.isDebugEnabled()) {
                    LOG.debugf("event loop %s stalled %d ms from %s; it was running: %s", loop.thread.getName(), waited / 1_000_000,
                            submitted, loop.stack != null ? loop.stack : "(not seen)");
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            loop.probe.ran(now); // the loop is closing with the service: nothing more to measure on it
        } catch (RuntimeException | Error e) {
            loop.probe.ran(now); // never sent: the next tick tries again rather than waiting for it forever
            throw e;
        }
    }

    /**
     * The innermost frames down to the first of Ferry's own code that someone wrote, at most {@link #FRAMES}: a field
     * read Hibernate generated into an entity ({@code $$_hibernate_read_...}) or a lambda's class names no caller.
     */
    static String stack(StackTraceElement[] frames) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < frames.length && i < FRAMES; i++) {
            s.append(i == 0 ? "" : " < ").append(frames[i]);
            if (frames[i].getClassName().startsWith("dev.ferry.") && !frames[i].getClassName().contains("$$")
                    && !frames[i].getMethodName().startsWith("$$")) {
                break;
            }
        }
        return s.toString();
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (probing != null) {
            probing.shutdownNow();
        }
    }
}
