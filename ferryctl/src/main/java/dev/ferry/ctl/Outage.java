package dev.ferry.ctl;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits out a service that stops answering while ferryctl waits for something (--wait, --follow): the migration or the
 * evacuation goes on without it, so a scheduler restarted for a minute is no reason to give up. Each call is retried
 * with backoff (0.5 s doubling to 5 s) until the wait's own deadline, saying once that it does; what the service
 * refuses for good (a 4xx) ends the wait at once. One-shot commands do not use it: they fail fast with exit 7.
 */
final class Outage {
    static final Duration FIRST = Duration.ofMillis(500);
    static final Duration MOST = Duration.ofSeconds(5);

    /** Sleeps; a test's own clock moves instead. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final PrintWriter err;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;

    Outage(PrintWriter err) {
        this(err, d -> Thread.sleep(d.toMillis()), System::nanoTime);
    }

    Outage(PrintWriter err, Sleeper sleeper, LongSupplier nanoTime) {
        this.err = err;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    /** {@code call}'s answer, retried through an outage until {@code deadlineNanos} (System.nanoTime's scale). */
    <T> T retry(Supplier<T> call, long deadlineNanos) throws InterruptedException {
        Duration wait = FIRST;
        boolean told = false;
        while (true) {
            try {
                T answer = call.get();
                if (told) {
                    err.println("  answering again; following on");
                    err.flush();
                }
                return answer;
            } catch (Api.Unreachable | Api.Refused e) {
                if (!passing(e) || nanoTime.getAsLong() + wait.toNanos() > deadlineNanos) {
                    throw e;
                }
                if (!told) {
                    err.println("  " + e.getMessage() + "; it goes on meanwhile: retrying until the timeout");
                    err.flush();
                    told = true;
                }
                sleeper.sleep(wait);
                wait = wait.multipliedBy(2).compareTo(MOST) > 0 ? MOST : wait.multipliedBy(2);
            }
        }
    }

    /** No answer, or an answer that says "not now" (a gateway or a service starting or shutting down). */
    static boolean passing(RuntimeException e) {
        return e instanceof Api.Unreachable || e instanceof Api.Refused r && (r.status == 502 || r.status == 503 || r.status == 504);
    }
}
